/* SPDX-License-Identifier: MIT */
/*
 * One device and one target package: can it install the target now, and
 * if not, why (every block, and the first relation that fails, in the
 * catalog file's words), and the shortest path of prerequisite packages
 * that gets it there.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

int graph_find_target(const char *who, const graph_catalog *catalog,
                      const char *name, uint32_t *package)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_package_id(catalog->catalog, name,
                                            strlen(name), package, &diag);
    if (status == OTAPRIO_OK)
        return 0;
    if (status != OTAPRIO_E_NOT_FOUND)
        return cli_library_error(who, "otaprio_catalog_package_id", status,
                                 &diag);
    char shown[CLI_QUOTE_SIZE];
    cli_quote(name, strlen(name), shown);
    cli_error(who, "--target: %s has no package '%s'", catalog->file, shown);
    return CLI_EXIT_FAILURE;
}

json_t *graph_blocks_json(uint32_t blocks)
{
    json_t *names = json_array();
    for (unsigned bit = 0; names != NULL && bit < 32; bit++) {
        if (((blocks >> bit) & 1u) &&
            json_array_append_new(
                names, json_string(otaprio_block_name(1u << bit))) != 0) {
            json_decref(names);
            names = NULL;
        }
    }
    return names;
}

json_t *graph_bytes_json(uint64_t bytes)
{
    /* A catalog's sizes came through jansson's integers, so only a sum
     * can exceed them. */
    if (bytes > (uint64_t)GRAPH_JSON_INT_MAX)
        return NULL;
    return json_integer((json_int_t)bytes);
}

/* {"component": "version"} of what the device has installed. */
static json_t *installed_json(const graph_catalog *catalog,
                              const graph_device *device)
{
    json_t *installed = json_object();
    for (size_t c = 0; installed != NULL && c < catalog->components.count;
         c++) {
        if (device->installed[c] == OTAPRIO_VERSION_NONE)
            continue;
        if (json_object_set_new(installed, catalog->component_names[c],
                                graph_version_json(catalog, (uint32_t)c,
                                                   device->installed[c])) !=
            0) {
            json_decref(installed);
            installed = NULL;
        }
    }
    return installed;
}

/* The first failed relation, with what the device has of its component. */
static json_t *first_failed_json(const graph_catalog *catalog,
                                 const graph_device *device, uint32_t target,
                                 uint32_t relation)
{
    if (relation == UINT32_MAX)
        return json_null();
    json_t *object = graph_relation_json(catalog, target, relation);
    if (object == NULL)
        return NULL;
    uint32_t component =
        catalog->relations[catalog->relation_start[target] + relation]
            .component;
    uint32_t version = device->installed[component];
    json_t *have = version == OTAPRIO_VERSION_NONE
                       ? json_null()
                       : graph_version_json(catalog, component, version);
    if (json_object_set_new(object, "installed", have) != 0) {
        json_decref(object);
        return NULL;
    }
    return object;
}

static json_t *steps_json(const graph_catalog *catalog, const uint32_t *path,
                          size_t length)
{
    json_t *steps = json_array();
    for (size_t i = 0; steps != NULL && i < length; i++) {
        json_t *step =
            json_pack("{s:s, s:o}", "package", catalog->package_names[path[i]],
                      "download_bytes",
                      graph_bytes_json(catalog->download_bytes[path[i]]));
        if (json_array_append_new(steps, step) != 0) {
            json_decref(steps);
            steps = NULL;
        }
    }
    return steps;
}

/* Adds "path" (or null) and "no_path" (null, or why there is none) to
 * `result`. */
static int add_path(const char *who, const graph_catalog *catalog,
                    const graph_device *device, uint32_t target,
                    uint64_t max_states, json_t *result)
{
    size_t capacity = catalog->package_count;
    uint32_t *path = NULL;
    size_t length = 0;
    uint64_t download = 0;
    otaprio_diag diag;
    int status;
    /* A path may visit a package twice, so its length has no bound the
     * CLI knows: ask again with room for the length the library says. */
    for (;;) {
        free(path);
        path = malloc((capacity != 0 ? capacity : 1) * sizeof *path);
        if (path == NULL) {
            cli_error(who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        otaprio_diag_init(&diag);
        length = 0;
        status = otaprio_catalog_update_path(
            catalog->catalog, target, &device->state, 0, max_states, path,
            capacity, &length, &download, &diag);
        if (status != OTAPRIO_E_RANGE || length <= capacity)
            break;
        capacity = length;
    }
    json_t *found = json_null();
    json_t *reason = json_null();
    if (status == OTAPRIO_OK && download > (uint64_t)GRAPH_JSON_INT_MAX) {
        /* Only a sum of sizes near 2^63 bytes each gets here. */
        free(path);
        cli_error(who, "the update path's download total exceeds what a "
                       "JSON integer holds");
        return CLI_EXIT_FAILURE;
    }
    if (status == OTAPRIO_OK) {
        json_t *steps = steps_json(catalog, path, length);
        found = steps == NULL
                    ? NULL
                    : json_pack(
                          "{s:I, s:o, s:o, s:o}", "length", (json_int_t)length,
                          "steps", steps, "download_bytes",
                          graph_bytes_json(download), "target_download_bytes",
                          graph_bytes_json(catalog->download_bytes[target]));
    } else if (status == OTAPRIO_E_NOT_FOUND) {
        reason = json_string(diag.status == status && diag.message[0] != '\0'
                                 ? diag.message
                                 : "no sequence of packages reaches it");
    } else if (status == OTAPRIO_E_LIMIT) {
        free(path);
        cli_error(who,
                  "no update path found within the work limit "
                  "(--max-states): %s",
                  diag.message);
        return CLI_EXIT_FAILURE;
    } else {
        free(path);
        return cli_library_error(who, "otaprio_catalog_update_path", status,
                                 &diag);
    }
    free(path);
    if (found == NULL || reason == NULL ||
        json_object_set_new(result, "path", found) != 0 ||
        json_object_set_new(result, "no_path", reason) != 0) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

int graph_query_device(const char *who, const graph_catalog *catalog,
                       const graph_device *device, uint32_t target,
                       uint64_t max_states, json_t **result)
{
    uint32_t blocks = 0;
    uint32_t first_failed = UINT32_MAX;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_catalog_check_devices(catalog->catalog, target, &device->state,
                                      &blocks, &first_failed, NULL, &diag);
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_catalog_check_devices", status,
                                 &diag);
    *result = json_pack(
        "{s:s, s:o, s:b, s:o, s:o}", "target", catalog->package_names[target],
        "installed", installed_json(catalog, device), "eligible", blocks == 0,
        "blocks", graph_blocks_json(blocks), "first_failed",
        first_failed_json(catalog, device, target, first_failed));
    if (*result == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    if (add_path(who, catalog, device, target, max_states, *result) != 0) {
        json_decref(*result);
        *result = NULL;
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
