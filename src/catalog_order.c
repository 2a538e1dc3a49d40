/* SPDX-License-Identifier: MIT */
/*
 * Release order: the package graph's topological order, with a cycle
 * named by package names rather than ids, so that the diagnostics say
 * which releases depend on each other.
 */
#include <stdio.h>
#include <string.h>

#include "catalog_internal.h"

/* Appends `text` to the message when it fits below `limit` bytes. */
static bool append(char *message, size_t *used, size_t limit, const char *text,
                   size_t length)
{
    if (length > limit - *used)
        return false;
    memcpy(message + *used, text, length);
    *used += length;
    return true;
}

/*
 * Writes `cycle: a -> b -> a`. When it does not fit, names are kept while
 * there is room for " -> ..." after them; a first name too long on its own
 * is cut and ends in "...".
 */
static void name_cycle(const otaprio_catalog *c, const uint32_t *cycle,
                       size_t length, char *message)
{
    const size_t limit = OTAPRIO_DIAG_MESSAGE_MAX - 1;
    static const char ellipsis[] = " -> ...";
    size_t used = 0;
    append(message, &used, limit, "cycle: ", 7);
    for (size_t i = 0; i <= length; i++) {
        const catalog_package *p = &c->packages[cycle[i < length ? i : 0]];
        bool last = i == length;
        size_t room = last ? limit : limit - (sizeof ellipsis - 1);
        size_t before = used;
        bool fits = (i == 0 || append(message, &used, room, " -> ", 4)) &&
                    append(message, &used, room, p->name, p->name_length);
        if (fits)
            continue;
        used = before;
        if (i == 0) {
            size_t cut = limit - used - 3;
            append(message, &used, limit, p->name, cut);
            append(message, &used, limit, "...", 3);
        } else {
            append(message, &used, limit, ellipsis, sizeof ellipsis - 1);
        }
        break;
    }
    message[used] = '\0';
}

int otaprio_catalog_release_order(const otaprio_catalog *catalog,
                                  uint32_t *order, otaprio_diag *diag)
{
    if (catalog == NULL || order == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, catalog == NULL ? "catalog" : "order", -1,
            "%s is NULL", catalog == NULL ? "catalog" : "order");
    int status = otaprio_graph_order(catalog->graph, order, diag);
    if (status != OTAPRIO_E_CYCLE || diag == NULL)
        return status;
    /* The graph named the cycle by ids; find it again to name it by
     * package names. */
    size_t length = 0;
    const otaprio__mem *mem = &catalog->mem;
    void *block = NULL;
    status = otaprio__mem_zalloc_array(mem, catalog->package_count,
                                       sizeof(uint32_t), &block);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1, "no room to name the cycle");
    uint32_t *cycle = block;
    otaprio_diag inner;
    otaprio_diag_init(&inner);
    status = otaprio_graph_find_cycle(catalog->graph, cycle,
                                      catalog->package_count, &length, &inner);
    if (status == OTAPRIO_OK && length != 0) {
        char message[OTAPRIO_DIAG_MESSAGE_MAX];
        name_cycle(catalog, cycle, length, message);
        status = otaprio__fail(diag, OTAPRIO_E_CYCLE, "", (int64_t)cycle[0],
                               "%s", message);
    } else if (status == OTAPRIO_OK) {
        status = OTAPRIO_E_CYCLE; /* keep the graph's own words */
    } else {
        status = otaprio__fail(diag, status, inner.field, inner.index, "%s",
                               inner.message);
    }
    otaprio__mem_free(mem, cycle);
    return status;
}
