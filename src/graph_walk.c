/* SPDX-License-Identifier: MIT */
/* Reading neighbours through a host's callbacks, and the small scratch
 * helpers every traversal shares. The CSR path is inline in
 * graph_internal.h; this is the slow path it falls back to. */
#include <string.h>

#include "graph_internal.h"

/* Ids the callback buffer starts with: most nodes of a dependency graph
 * have fewer neighbours, so the buffer rarely grows. */
#define INITIAL_CAPACITY 64

int otaprio__graph_direction(int32_t direction, int *index, otaprio_diag *diag)
{
    switch (direction) {
    case OTAPRIO_DIRECTION_FORWARD:
        *index = OTAPRIO__FORWARD;
        return OTAPRIO_OK;
    case OTAPRIO_DIRECTION_BACKWARD:
        *index = OTAPRIO__BACKWARD;
        return OTAPRIO_OK;
    default:
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "direction", -1,
                             "direction %ld is neither forward (0) nor "
                             "backward (1)",
                             (long)direction);
    }
}

int otaprio__ids_alloc(const otaprio__mem *mem, size_t count, const char *what,
                       uint32_t **out, otaprio_diag *diag)
{
    size_t bytes;
    void *block = NULL;
    if (!otaprio__size_mul_overflows(count, sizeof(uint32_t), &bytes))
        block = otaprio__mem_alloc(mem, bytes);
    if (block == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating %s (%zu ids) failed", what, count);
    *out = block;
    return OTAPRIO_OK;
}

int otaprio__bitmap_alloc(const otaprio__mem *mem, uint32_t bits,
                          uint64_t **out)
{
    size_t words = bits / 64 + (bits % 64 != 0); /* bits + 63 may wrap */
    void *block;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, words, sizeof(uint64_t), &block));
    *out = block;
    return OTAPRIO_OK;
}

int otaprio__walk_open(otaprio__walk *walk, const otaprio_graph *graph,
                       int direction, otaprio_diag *diag)
{
    memset(walk, 0, sizeof *walk);
    walk->pending.elem_size = sizeof(uint32_t);
    walk->node_count = graph->node_count;
    walk->mem = &graph->mem;
    if (!graph->wrapped) {
        walk->rows = graph->rows[direction];
        walk->ids = graph->ids[direction];
        return OTAPRIO_OK;
    }
    walk->fn = graph->neighbours[direction];
    walk->user = graph->user;
    walk->fn_name =
        direction == OTAPRIO__FORWARD ? "successors" : "predecessors";
    if (walk->fn == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "direction", -1,
                             "a backward walk needs a predecessors callback, "
                             "and this wrapped graph has none");
    walk->buffer =
        otaprio__mem_alloc(walk->mem, INITIAL_CAPACITY * sizeof(uint32_t));
    if (walk->buffer == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating the neighbour buffer failed");
    walk->capacity = INITIAL_CAPACITY;
    return OTAPRIO_OK;
}

void otaprio__walk_close(otaprio__walk *walk)
{
    otaprio__mem_free(walk->mem, walk->buffer);
    walk->buffer = NULL;
    walk->capacity = 0;
    otaprio__vec_release(walk->mem, &walk->pending);
}

/* Replaces the buffer by one of `capacity` ids. The old contents need not
 * survive (the host is asked again), so no realloc copy. */
static int grow_buffer(otaprio__walk *walk, uint32_t node, size_t capacity,
                       otaprio_diag *diag)
{
    size_t bytes;
    uint32_t *grown = NULL;
    if (!otaprio__size_mul_overflows(capacity, sizeof(uint32_t), &bytes))
        grown = otaprio__mem_alloc(walk->mem, bytes);
    if (grown == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, walk->fn_name,
                             (int64_t)node,
                             "allocating room for the %zu %s of node %lu "
                             "failed",
                             capacity, walk->fn_name, (unsigned long)node);
    otaprio__mem_free(walk->mem, walk->buffer);
    walk->buffer = grown;
    walk->capacity = capacity;
    return OTAPRIO_OK;
}

int otaprio__walk_fetch(otaprio__walk *walk, uint32_t node,
                        const uint32_t **neighbours, size_t *count,
                        otaprio_diag *diag)
{
    size_t reported;
    for (;;) {
        reported = 0;
        int status =
            walk->fn(walk->user, node, walk->buffer, walk->capacity, &reported);
        if (status != 0)
            return otaprio__fail(diag, status, walk->fn_name, (int64_t)node,
                                 "the %s callback returned %d for node %lu",
                                 walk->fn_name, status, (unsigned long)node);
        if (reported <= walk->capacity)
            break;
        /* The host wrote nothing and said how much room it needs. Growing
         * at least geometrically keeps a host whose count keeps rising
         * from costing a call per extra id. */
        size_t capacity =
            walk->capacity <= SIZE_MAX / 2 ? walk->capacity * 2 : SIZE_MAX;
        OTAPRIO__TRY(grow_buffer(
            walk, node, reported > capacity ? reported : capacity, diag));
    }
    OTAPRIO__TRY(otaprio__check_ids(walk->buffer, reported, walk->node_count,
                                    walk->fn_name, node, diag));
    *neighbours = walk->buffer;
    *count = reported;
    return OTAPRIO_OK;
}

int otaprio__check_ids(const uint32_t *ids, size_t count, uint32_t node_count,
                       const char *fn_name, uint32_t node, otaprio_diag *diag)
{
    for (size_t i = 0; i < count; i++)
        if (ids[i] >= node_count)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, fn_name, (int64_t)node,
                                 "the %s callback gave node %lu a neighbour "
                                 "%lu, which is not below the node count %lu",
                                 fn_name, (unsigned long)node,
                                 (unsigned long)ids[i],
                                 (unsigned long)node_count);
    return OTAPRIO_OK;
}

int otaprio__walk_push_pending(otaprio__walk *walk, const uint32_t *neighbours,
                               size_t count, uint32_t *mark, otaprio_diag *diag)
{
    otaprio__vec *pending = &walk->pending;
    size_t start = pending->length;
    *mark = (uint32_t)start;
    if (count == 0)
        return OTAPRIO_OK; /* pending may not be allocated yet */
    /* Cursors are uint32 so that a CSR walk's frames stay 8 bytes. */
    if (count > UINT32_MAX - start)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, walk->fn_name, -1,
                             "more than 2^32 - 1 neighbours are waiting to be "
                             "visited");
    if (otaprio__vec_reserve(walk->mem, pending, start + count) != OTAPRIO_OK)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating the depth-first stack failed");
    uint32_t *top = (uint32_t *)pending->data + start;
    for (size_t i = 0; i < count; i++)
        top[i] = neighbours[count - 1 - i];
    pending->length = start + count;
    return OTAPRIO_OK;
}
