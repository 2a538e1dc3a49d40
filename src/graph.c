/* SPDX-License-Identifier: MIT */
/* Graph handles: wrapping a host's callbacks, freeing, and the questions
 * about one node or the whole graph that need no traversal. None of those
 * questions allocates: a wrapped graph's host answers a neighbour query
 * straight into the caller's buffer. */
#include <string.h>

#include "graph_internal.h"

static const otaprio__layout callbacks_layout = {
    "otaprio_graph_callbacks", sizeof(otaprio_graph_callbacks),
    sizeof(otaprio_graph_callbacks), /* first published layout */
};

int(otaprio_graph_callbacks_init)(otaprio_graph_callbacks *callbacks,
                                  size_t size)
{
    /* All zero: no nodes, no functions. */
    return otaprio__struct_init(callbacks, size, NULL, &callbacks_layout);
}

int otaprio_graph_wrap(const otaprio_graph_callbacks *callbacks,
                       const otaprio_allocator *allocator,
                       otaprio_graph **graph, otaprio_diag *diag)
{
    if (callbacks == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "callbacks", -1,
                             "callbacks is NULL");
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    otaprio_graph_callbacks full;
    memset(&full, 0, sizeof full);
    OTAPRIO__TRY(
        otaprio__struct_read(&full, callbacks, &callbacks_layout, diag));
    if (full.successors == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "successors", -1,
                             "the successors callback is required");
    if (full.node_count > OTAPRIO_GRAPH_MAX_NODES)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "node_count", -1,
                             "node_count is %lu; at most %lu nodes are allowed",
                             (unsigned long)full.node_count,
                             (unsigned long)OTAPRIO_GRAPH_MAX_NODES);
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_graph *wrapped = otaprio__mem_alloc(&mem, sizeof *wrapped);
    if (wrapped == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating the graph handle failed");
    memset(wrapped, 0, sizeof *wrapped);
    wrapped->mem = mem;
    wrapped->node_count = full.node_count;
    wrapped->wrapped = true;
    wrapped->neighbours[OTAPRIO__FORWARD] = full.successors;
    wrapped->neighbours[OTAPRIO__BACKWARD] = full.predecessors;
    wrapped->user = full.user;
    *graph = wrapped;
    return OTAPRIO_OK;
}

void otaprio_graph_free(otaprio_graph *graph)
{
    if (graph == NULL)
        return;
    otaprio__mem mem = graph->mem;
    for (int d = 0; d < 2; d++) {
        otaprio__mem_free(&mem, graph->rows[d]);
        otaprio__mem_free(&mem, graph->ids[d]);
    }
    otaprio__mem_free(&mem, graph);
}

uint32_t otaprio_graph_node_count(const otaprio_graph *graph)
{
    return graph != NULL ? graph->node_count : 0;
}

uint64_t otaprio_graph_edge_count(const otaprio_graph *graph)
{
    return graph != NULL && !graph->wrapped ? graph->edge_count : 0;
}

int otaprio_graph_neighbours(const otaprio_graph *graph, uint32_t node,
                             int32_t direction, uint32_t *buffer,
                             size_t capacity, size_t *count, otaprio_diag *diag)
{
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    if (count == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "count", -1,
                             "count is NULL");
    if (buffer == NULL && capacity != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "buffer", -1,
                             "buffer is NULL with a capacity of %zu", capacity);
    if (node >= graph->node_count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "node", (int64_t)node,
                             "node %lu is not below the node count %lu",
                             (unsigned long)node,
                             (unsigned long)graph->node_count);
    int d;
    OTAPRIO__TRY(otaprio__graph_direction(direction, &d, diag));
    const char *names = d == OTAPRIO__FORWARD ? "successors" : "predecessors";
    size_t found;
    if (!graph->wrapped) {
        found = graph->rows[d][node + 1] - graph->rows[d][node];
        if (found <= capacity && found != 0)
            memcpy(buffer, graph->ids[d] + graph->rows[d][node],
                   found * sizeof *buffer);
    } else {
        /* The host answers straight into the caller's buffer, under the
         * same rule (nothing written when it does not fit), so this needs
         * no memory of its own. A host that fails or gives a bad id may
         * have written part of the buffer; the count is left alone. */
        otaprio_neighbours_fn fn = graph->neighbours[d];
        if (fn == NULL)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "direction", -1,
                                 "a backward query needs a predecessors "
                                 "callback, and this wrapped graph has none");
        /* A host never sees a NULL buffer, even with no room in it. */
        uint32_t no_room;
        found = 0;
        int status = fn(graph->user, node, buffer != NULL ? buffer : &no_room,
                        capacity, &found);
        if (status != 0)
            return otaprio__fail(diag, status, names, (int64_t)node,
                                 "the %s callback returned %d for node %lu",
                                 names, status, (unsigned long)node);
        if (found <= capacity)
            OTAPRIO__TRY(otaprio__check_ids(buffer, found, graph->node_count,
                                            names, node, diag));
    }
    *count = found;
    if (found > capacity)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                             "node %lu has %zu %s; the buffer holds %zu",
                             (unsigned long)node, found, names, capacity);
    return OTAPRIO_OK;
}
