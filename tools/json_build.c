/* SPDX-License-Identifier: MIT */
/*
 * Building JSON output trees with jansson: one step per call, each taking
 * a new reference and, on any failure, freeing the whole tree being built,
 * so a builder can chain steps and test once at the end.
 */
#include "cli.h"

bool cli_json_set(json_t **object, const char *key, json_t *value)
{
    if (*object == NULL || value == NULL ||
        json_object_set_new(*object, key, value) != 0) {
        json_decref(value);
        json_decref(*object);
        *object = NULL;
        return false;
    }
    return true;
}

bool cli_json_append(json_t **array, json_t *value)
{
    if (*array == NULL || value == NULL ||
        json_array_append_new(*array, value) != 0) {
        json_decref(value);
        json_decref(*array);
        *array = NULL;
        return false;
    }
    return true;
}
