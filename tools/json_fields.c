/* SPDX-License-Identifier: MIT */
/*
 * Reading a JSON document whose keys name the fields of one library
 * struct (an issue, a policy): every key is looked up in the reader's
 * table and its value read into the struct, and the first problem stops
 * the reading. Each reader keeps only its table and how a field is read;
 * the kinds of value most tables hold are read here.
 */
#include <string.h>

#include "cli.h"

int cli_json_read_object(const char *who, const char *shown, json_t *object,
                         const cli_json_fields *fields, void *target)
{
    int status = 0;
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        cli_json_where where = {who, shown, key, -1};
        const void *field =
            cli_key_table_find(&fields->table, key, strlen(key), NULL);
        if (field == NULL && fields->misplaced != NULL)
            status = fields->misplaced(&where);
        if (field == NULL && status == 0) {
            /* Sized for the longest table's list, the policy's. */
            char known[1024];
            cli_key_table_list(&fields->table, known, sizeof known);
            status = cli_json_unknown_key(who, shown, fields->what, key, known);
        }
        if (field == NULL)
            break;
        status = fields->read(&where, field, value, target);
        if (status != 0)
            break;
    }
    return status;
}

int cli_json_read_fields(const char *who, const char *path,
                         const cli_json_fields *fields, void *target)
{
    json_t *root = cli_json_load_object(who, path, fields->what);
    if (root == NULL)
        return CLI_EXIT_FAILURE;
    const char *shown = strcmp(path, "-") == 0 ? "standard input" : path;
    int status = cli_json_read_object(who, shown, root, fields, target);
    json_decref(root);
    return status;
}

int cli_json_field_read(const cli_json_where *where, const void *field,
                        json_t *value, void *target)
{
    const cli_json_field *f = field;
    void *member = (char *)target + f->offset;
    switch (f->kind) {
    case CLI_JSON_WORD:
        return cli_json_name(where, value, f->names, member);
    case CLI_JSON_WORD_SET:
        return cli_json_name_set(where, value, f->names, member);
    case CLI_JSON_CLASSES:
        return cli_json_class_set(where, value, false, member);
    case CLI_JSON_FLAG:
        return cli_json_flag(where, value, member);
    case CLI_JSON_REAL:
        return cli_json_real(where, value, member);
    case CLI_JSON_U64:
        return cli_json_uint(where, value, UINT64_MAX, member);
    default:
        return CLI_EXIT_FAILURE; /* a kind of the reader's own */
    }
}
