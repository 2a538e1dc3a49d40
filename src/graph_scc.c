/* SPDX-License-Identifier: MIT */
/*
 * Strongly connected components: Pearce's variant of Tarjan's algorithm
 * ("A space-efficient algorithm for finding strongly connected
 * components", 2016), run with an explicit stack so that a path of a
 * million nodes needs no deep recursion.
 *
 * Pearce keeps one number per node, rindex: 0 while unvisited, then the
 * visit index lowered to the smallest index the node reaches back to, then
 * the component's number once it is complete. Component numbers count
 * down from node_count, so they always rank above every live index and a
 * completed node never lowers anything. Tarjan completes a component only
 * after every component it reaches, so counting down numbers them in a
 * topological order of the condensation: an edge between components goes
 * from a smaller number to a larger one. At the end the numbers are
 * shifted to start at 0.
 *
 * Before the search, the acyclic part is peeled off (Kahn's algorithm
 * from the sources): a node whose predecessors are all peeled is a
 * component of its own, numbered first in peeling order, and no remaining
 * node has an edge into it, so the numbering stays topological and the
 * search never meets a peeled node. The search is a chain of dependent
 * cache misses; peeling is a queue walk that prefetches, so a mostly
 * acyclic graph (the usual package graph) is done several times faster.
 *
 * Memory: rindex, the stack of visited nodes not yet in a component, the
 * depth-first frames (node and edge cursor) and the peeling order, 4 *
 * node_count bytes each, and a bitmap of node_count / 8 bytes marking
 * which frames are still component roots: about 20 * node_count bytes,
 * plus, for a wrapped graph, the not yet visited successors of the nodes
 * on the path.
 */
#include <string.h>

#include "graph_internal.h"

typedef struct scc_state {
    otaprio__walk walk;
    uint32_t *rindex;
    uint32_t *stack;   /* visited, not yet in a component, not on the path */
    uint32_t *path;    /* depth-first frames: node ... */
    uint32_t *cursors; /* ... and its place in its successors */
    uint32_t *peeled;  /* the acyclic part, in peeling order */
    uint32_t peeled_count;
    uint64_t *root;          /* node has not reached back above itself */
    uint32_t index;          /* next visit index */
    uint32_t next_component; /* counts down from node_count */
    uint32_t stacked;        /* entries in stack */
} scc_state;

static void release_state(scc_state *s, const otaprio__mem *mem)
{
    otaprio__walk_close(&s->walk);
    otaprio__mem_free(mem, s->rindex);
    otaprio__mem_free(mem, s->stack);
    otaprio__mem_free(mem, s->path);
    otaprio__mem_free(mem, s->cursors);
    otaprio__mem_free(mem, s->peeled);
    otaprio__mem_free(mem, s->root);
}

static int open_state(scc_state *s, const otaprio_graph *graph,
                      otaprio_diag *diag)
{
    const otaprio__mem *mem = &graph->mem;
    uint32_t n = graph->node_count;
    memset(s, 0, sizeof *s);
    OTAPRIO__TRY(otaprio__walk_open(&s->walk, graph, OTAPRIO__FORWARD, diag));
    void *rindex = NULL;
    int status = otaprio__mem_zalloc_array(mem, n, sizeof *s->rindex, &rindex);
    s->rindex = rindex;
    if (status == OTAPRIO_OK &&
        (otaprio__ids_alloc(mem, n, "", &s->stack, NULL) != OTAPRIO_OK ||
         otaprio__ids_alloc(mem, n, "", &s->path, NULL) != OTAPRIO_OK ||
         otaprio__ids_alloc(mem, n, "", &s->cursors, NULL) != OTAPRIO_OK ||
         otaprio__ids_alloc(mem, (size_t)n + 1, "", &s->peeled, NULL) !=
             OTAPRIO_OK ||
         otaprio__bitmap_alloc(mem, n, &s->root) != OTAPRIO_OK))
        status = OTAPRIO_E_NOMEM;
    if (status != OTAPRIO_OK) {
        release_state(s, mem);
        return otaprio__fail(diag, status, "", -1,
                             "allocating the component search failed");
    }
    s->index = 1;
    s->next_component = n;
    return OTAPRIO_OK;
}

/* Starts visiting v as frame `depth`. */
static int visit(scc_state *s, uint32_t v, size_t depth, otaprio_diag *diag)
{
    s->rindex[v] = s->index++;
    otaprio__bit_set(s->root, v);
    s->path[depth] = v;
    return otaprio__walk_enter(&s->walk, v, &s->cursors[depth], diag);
}

/* v's successors are all seen: v closes a component or waits on stack. */
static void finish(scc_state *s, uint32_t v)
{
    uint32_t *rindex = s->rindex;
    if (!otaprio__bit_test(s->root, v)) {
        s->stack[s->stacked++] = v;
        return;
    }
    uint32_t component = s->next_component--;
    s->index--;
    while (s->stacked > 0 && rindex[v] <= rindex[s->stack[s->stacked - 1]]) {
        rindex[s->stack[--s->stacked]] = component;
        s->index--;
    }
    rindex[v] = component;
}

/* Lowers v's rindex to w's when w reaches further back. */
static inline void absorb(scc_state *s, uint32_t v, uint32_t w)
{
    if (s->rindex[w] < s->rindex[v]) {
        s->rindex[v] = s->rindex[w];
        otaprio__bit_clear(s->root, v);
    }
}

/* A peeled node's rindex: done, above every visit index and component
 * number (at most node_count), so it never lowers anything. */
#define PEELED UINT32_MAX

/* Peels the acyclic part; the stack serves as the in-degrees left. */
static int peel(scc_state *s, const otaprio_graph *graph, otaprio_diag *diag)
{
    OTAPRIO__TRY(otaprio__in_degrees(graph, &s->walk, s->stack, diag));
    OTAPRIO__TRY(otaprio__kahn(graph, &s->walk, s->stack, s->peeled,
                               &s->peeled_count, diag));
    for (uint32_t i = 0; i < s->peeled_count; i++)
        s->rindex[s->peeled[i]] = PEELED;
    return OTAPRIO_OK;
}

static int search_from(scc_state *s, uint32_t start, otaprio_diag *diag)
{
    OTAPRIO__TRY(visit(s, start, 0, diag));
    size_t depth = 1; /* each node is visited once: never above n */
    while (depth > 0) {
        uint32_t v = s->path[depth - 1], w;
        if (otaprio__walk_next(&s->walk, v, &s->cursors[depth - 1], &w)) {
            if (s->rindex[w] == 0) {
                OTAPRIO__TRY(visit(s, w, depth, diag));
                depth++;
            } else {
                absorb(s, v, w);
            }
            continue;
        }
        finish(s, v);
        depth--;
        if (depth > 0)
            absorb(s, s->path[depth - 1], v);
    }
    return OTAPRIO_OK;
}

int otaprio_graph_scc(const otaprio_graph *graph, uint32_t *component,
                      uint32_t *component_count, otaprio_diag *diag)
{
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    if (component == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "component", -1,
                             "component is NULL");
    uint32_t n = graph->node_count;
    scc_state s;
    OTAPRIO__TRY(open_state(&s, graph, diag));
    int status = peel(&s, graph, diag);
    for (uint32_t v = 0; v < n && status == OTAPRIO_OK; v++)
        if (s.rindex[v] == 0)
            status = search_from(&s, v, diag);
    if (status == OTAPRIO_OK) {
        /* Peeled nodes come first, in peeling order; the search's
         * components took numbers next_component + 1 .. n. */
        uint32_t first = s.peeled_count, shift = s.next_component + 1;
        for (uint32_t v = 0; v < n; v++)
            if (s.rindex[v] != PEELED)
                component[v] = first + (s.rindex[v] - shift);
        for (uint32_t i = 0; i < first; i++)
            component[s.peeled[i]] = i;
        if (component_count != NULL)
            *component_count = first + (n - s.next_component);
    }
    release_state(&s, &graph->mem);
    return status;
}
