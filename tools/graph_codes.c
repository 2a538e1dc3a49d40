/* SPDX-License-Identifier: MIT */
/*
 * Carrier, region, enrollment and product family names as the uint32 codes
 * the library compares. The table is a cli_names (names.c) that grows as
 * the catalog names things, so it is searched and listed by the same
 * helpers as the CLI's fixed word lists. Catalogs name a few dozen of each
 * at most: a linear search is the right tool.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

void graph_codes_init(graph_codes *codes, const char *what)
{
    memset(codes, 0, sizeof *codes);
    codes->view.what = what;
}

void graph_codes_release(graph_codes *codes)
{
    free(codes->table);
    codes->table = NULL;
    codes->capacity = 0;
    codes->view.names = NULL;
    codes->view.count = 0;
}

int graph_codes_intern(graph_codes *codes, const char *name, uint32_t *code)
{
    uint32_t found = graph_codes_find(codes, name, strlen(name));
    if (found != GRAPH_CODE_UNNAMED) {
        *code = found;
        return 0;
    }
    /* Slot 0 stays NULL: code 0 (GRAPH_CODE_UNNAMED) is named by nothing.
     * cli_names indexes names with an int. */
    size_t count = codes->view.count != 0 ? codes->view.count : 1;
    if (count >= INT32_MAX)
        return -1;
    if (count >= codes->capacity) {
        size_t capacity = codes->capacity != 0 ? codes->capacity * 2 : 16;
        const char **grown = realloc(codes->table, capacity * sizeof *grown);
        if (grown == NULL)
            return -1;
        grown[0] = NULL;
        codes->table = grown;
        codes->capacity = capacity;
    }
    codes->table[count] = name;
    codes->view.names = codes->table;
    codes->view.count = count + 1;
    *code = (uint32_t)count;
    return 0;
}

uint32_t graph_codes_find(const graph_codes *codes, const char *name,
                          size_t length)
{
    if (length == 0)
        return GRAPH_CODE_UNKNOWN;
    int found = cli_names_find(&codes->view, name, length);
    return found > 0 ? (uint32_t)found : GRAPH_CODE_UNNAMED;
}

const char *graph_codes_name(const graph_codes *codes, uint32_t code)
{
    if (code == GRAPH_CODE_UNNAMED || code > INT32_MAX)
        return NULL;
    return cli_names_name(&codes->view, (int)code);
}
