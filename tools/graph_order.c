/* SPDX-License-Identifier: MIT */
/*
 * Release order and cycles of a catalog's package graph: the order in
 * which packages can ship so that each comes after the releases that
 * unlock it, and, when there is none, the packages that wait on each
 * other.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

static int out_of_memory(const char *who)
{
    cli_error(who, "out of memory");
    return CLI_EXIT_FAILURE;
}

static json_t *names_json(const graph_catalog *catalog, const uint32_t *ids,
                          size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < count; i++) {
        if (json_array_append_new(
                array, json_string(catalog->package_names[ids[i]])) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

/* Names the cycle the library found: the message it gave numbers the
 * packages by name already, but may be shortened; this one is whole. */
static int report_cycle(const char *who, const graph_catalog *catalog,
                        const otaprio_diag *order_diag)
{
    const otaprio_graph *graph = otaprio_catalog_graph(catalog->catalog);
    size_t capacity = catalog->package_count;
    uint32_t *cycle = malloc((capacity != 0 ? capacity : 1) * sizeof *cycle);
    if (cycle == NULL)
        return out_of_memory(who);
    size_t length = 0;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_graph_find_cycle(graph, cycle, capacity, &length, &diag);
    if (status != OTAPRIO_OK || length == 0) {
        /* Fall back on the release order's own message. */
        free(cycle);
        cli_error(who, "%s: no release order: %s", catalog->file,
                  order_diag->message);
        return CLI_EXIT_FAILURE;
    }
    fflush(stdout);
    fprintf(stderr,
            "%s: %s: no release order: packages depend on each other in a "
            "cycle: ",
            who, catalog->file);
    for (size_t i = 0; i <= length; i++) {
        const char *name = catalog->package_names[cycle[i % length]];
        if (i != 0)
            fputs(" -> ", stderr);
        cli_print_id(stderr, name, strlen(name), false);
    }
    fputs(" (--cycles lists every such group)\n", stderr);
    free(cycle);
    return CLI_EXIT_FAILURE;
}

int graph_query_order(const char *who, const graph_catalog *catalog,
                      json_t **result)
{
    size_t count = catalog->package_count;
    uint32_t *order = malloc((count != 0 ? count : 1) * sizeof *order);
    if (order == NULL)
        return out_of_memory(who);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_release_order(catalog->catalog, order, &diag);
    int exit_status = 0;
    if (status == OTAPRIO_E_CYCLE) {
        exit_status = report_cycle(who, catalog, &diag);
    } else if (status != OTAPRIO_OK) {
        exit_status = cli_library_error(who, "otaprio_catalog_release_order",
                                        status, &diag);
    } else {
        *result = names_json(catalog, order, count);
        if (*result == NULL)
            exit_status = out_of_memory(who);
    }
    free(order);
    return exit_status;
}

/* Groups the packages of each strongly connected component of more than
 * one package, components in their topological order and packages in id
 * order within each. */
static json_t *groups_json(const graph_catalog *catalog,
                           const uint32_t *component, uint32_t components,
                           uint32_t *sizes, uint32_t *sorted)
{
    size_t count = catalog->package_count;
    /* Counting sort by component: sizes become start offsets. */
    memset(sizes, 0, ((size_t)components + 1) * sizeof *sizes);
    for (size_t p = 0; p < count; p++)
        sizes[component[p] + 1]++;
    for (uint32_t c = 0; c < components; c++)
        sizes[c + 1] += sizes[c];
    for (size_t p = 0; p < count; p++)
        sorted[sizes[component[p]]++] = (uint32_t)p;
    /* Now sizes[c] is the end of component c, and its start that of
     * c - 1. */
    json_t *groups = json_array();
    uint32_t start = 0;
    for (uint32_t c = 0; groups != NULL && c < components; c++) {
        uint32_t end = sizes[c];
        if (end - start > 1 &&
            json_array_append_new(groups, names_json(catalog, sorted + start,
                                                     end - start)) != 0) {
            json_decref(groups);
            groups = NULL;
        }
        start = end;
    }
    return groups;
}

int graph_query_cycles(const char *who, const graph_catalog *catalog,
                       json_t **result)
{
    size_t count = catalog->package_count;
    size_t slots = count != 0 ? count : 1;
    uint32_t *component = malloc(slots * sizeof *component);
    uint32_t *sorted = malloc(slots * sizeof *sorted);
    uint32_t *sizes = malloc((slots + 1) * sizeof *sizes);
    int exit_status = 0;
    if (component == NULL || sorted == NULL || sizes == NULL) {
        exit_status = out_of_memory(who);
    } else {
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        uint32_t components = 0;
        int status = otaprio_graph_scc(otaprio_catalog_graph(catalog->catalog),
                                       component, &components, &diag);
        if (status != OTAPRIO_OK) {
            exit_status =
                cli_library_error(who, "otaprio_graph_scc", status, &diag);
        } else {
            *result =
                groups_json(catalog, component, components, sizes, sorted);
            if (*result == NULL)
                exit_status = out_of_memory(who);
        }
    }
    free(component);
    free(sorted);
    free(sizes);
    return exit_status;
}
