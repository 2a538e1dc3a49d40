/* SPDX-License-Identifier: MIT */
/*
 * Topological order (Kahn's algorithm) and cycle finding (depth-first
 * search). On a cycle, the order reports the cycle the search finds, so
 * otaprio_graph_order() and otaprio_graph_find_cycle() always agree.
 *
 * Memory. Order: in-degrees left and the queue, 4 * node_count bytes each
 * (8 * node_count, and one spare queue slot); on a cycle they are freed before
 * the search starts. Cycle search: the path's nodes and edge cursors, 4 *
 * node_count bytes each, and two bitmaps of node_count / 8 bytes (about 8.25 *
 * node_count), plus, for a wrapped graph, the not yet visited successors of the
 * nodes on the path.
 */
#include <stdio.h>
#include <string.h>

#include "graph_internal.h"

/* Prefetch distances of Kahn's queue, in entries (see graph_reach.c). */
enum { ROW_AHEAD = 16, IDS_AHEAD = 8 };

/* ---- cycle search ------------------------------------------------------ */

typedef struct cycle_search {
    otaprio__walk walk;
    uint32_t *path;    /* nodes of the current path, root first */
    uint32_t *cursors; /* each path node's place in its successors */
    uint64_t *visited; /* ever pushed */
    uint64_t *on_path; /* on the path now */
} cycle_search;

static void release_search(cycle_search *s, const otaprio__mem *mem)
{
    otaprio__walk_close(&s->walk);
    otaprio__mem_free(mem, s->path);
    otaprio__mem_free(mem, s->cursors);
    otaprio__mem_free(mem, s->visited);
    otaprio__mem_free(mem, s->on_path);
}

static int open_search(cycle_search *s, const otaprio_graph *graph,
                       otaprio_diag *diag)
{
    const otaprio__mem *mem = &graph->mem;
    uint32_t n = graph->node_count;
    memset(s, 0, sizeof *s);
    OTAPRIO__TRY(otaprio__walk_open(&s->walk, graph, OTAPRIO__FORWARD, diag));
    int status = otaprio__ids_alloc(mem, n, "the search path", &s->path, diag);
    if (status == OTAPRIO_OK)
        status =
            otaprio__ids_alloc(mem, n, "the search cursors", &s->cursors, diag);
    if (status == OTAPRIO_OK &&
        (otaprio__bitmap_alloc(mem, n, &s->visited) != OTAPRIO_OK ||
         otaprio__bitmap_alloc(mem, n, &s->on_path) != OTAPRIO_OK))
        status = otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                               "allocating the search bitmaps failed");
    if (status != OTAPRIO_OK)
        release_search(s, mem);
    return status;
}

/* Depth-first search from `root`; on the first edge into a node on the
 * path, leaves the cycle at the start of s->path and its length in
 * `*length`. Each node is pushed once, so the path never exceeds n. */
static int search_from(cycle_search *s, uint32_t root, size_t *length,
                       otaprio_diag *diag)
{
    uint32_t *path = s->path, *cursors = s->cursors;
    otaprio__bit_set(s->visited, root);
    otaprio__bit_set(s->on_path, root);
    path[0] = root;
    OTAPRIO__TRY(otaprio__walk_enter(&s->walk, root, &cursors[0], diag));
    size_t depth = 1;
    while (depth > 0) {
        uint32_t v = path[depth - 1], w;
        if (!otaprio__walk_next(&s->walk, v, &cursors[depth - 1], &w)) {
            otaprio__bit_clear(s->on_path, v);
            depth--;
        } else if (!otaprio__bit_test(s->visited, w)) {
            otaprio__bit_set(s->visited, w);
            otaprio__bit_set(s->on_path, w);
            path[depth] = w;
            OTAPRIO__TRY(
                otaprio__walk_enter(&s->walk, w, &cursors[depth], diag));
            depth++;
        } else if (otaprio__bit_test(s->on_path, w)) {
            size_t first = depth - 1;
            while (path[first] != w)
                first--;
            *length = depth - first;
            memmove(path, path + first, *length * sizeof *path);
            return OTAPRIO_OK;
        }
    }
    return OTAPRIO_OK;
}

int otaprio__graph_first_cycle(const otaprio_graph *graph, uint32_t **cycle,
                               size_t *length, otaprio_diag *diag)
{
    cycle_search s;
    OTAPRIO__TRY(open_search(&s, graph, diag));
    size_t found = 0;
    int status = OTAPRIO_OK;
    for (uint32_t root = 0; root < graph->node_count; root++) {
        if (otaprio__bit_test(s.visited, root))
            continue;
        status = search_from(&s, root, &found, diag);
        if (status != OTAPRIO_OK || found != 0)
            break;
    }
    uint32_t *path = s.path;
    if (status == OTAPRIO_OK && found != 0)
        s.path = NULL; /* handed to the caller */
    release_search(&s, &graph->mem);
    if (status != OTAPRIO_OK)
        return status;
    *cycle = found != 0 ? path : NULL;
    *length = found;
    return OTAPRIO_OK;
}

int otaprio_graph_find_cycle(const otaprio_graph *graph, uint32_t *cycle,
                             size_t capacity, size_t *length,
                             otaprio_diag *diag)
{
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    if (length == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "length", -1,
                             "length is NULL");
    if (cycle == NULL && capacity != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "cycle", -1,
                             "cycle is NULL with a capacity of %zu", capacity);
    uint32_t *found;
    size_t k;
    OTAPRIO__TRY(otaprio__graph_first_cycle(graph, &found, &k, diag));
    int status = OTAPRIO_OK;
    if (k > capacity)
        status = otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                               "the cycle has %zu nodes; the buffer holds %zu",
                               k, capacity);
    else if (k != 0)
        memcpy(cycle, found, k * sizeof *cycle);
    *length = k;
    otaprio__mem_free(&graph->mem, found);
    return status;
}

/* ---- topological order ----------------------------------------------- */

/* Writes "cycle: a -> b -> ... -> a" into text, ending with "-> ... -> a"
 * after as many nodes as fit. */
static void describe_cycle(char *text, size_t room, const uint32_t *cycle,
                           size_t length)
{
    unsigned long first = cycle[0];
    char closing[48], shortened[48];
    int closing_length = snprintf(closing, sizeof closing, " -> %lu", first);
    int shortened_length =
        snprintf(shortened, sizeof shortened, " -> ... -> %lu", first);
    size_t used = (size_t)snprintf(text, room, "cycle: %lu", first);
    for (size_t i = 1; i < length; i++) {
        char piece[24];
        int piece_length =
            snprintf(piece, sizeof piece, " -> %lu", (unsigned long)cycle[i]);
        int after = i + 1 == length ? closing_length : shortened_length;
        if (used + (size_t)piece_length + (size_t)after >= room) {
            memcpy(text + used, shortened, (size_t)shortened_length + 1);
            return;
        }
        memcpy(text + used, piece, (size_t)piece_length + 1);
        used += (size_t)piece_length;
    }
    memcpy(text + used, closing, (size_t)closing_length + 1);
}

/* Explains why there is no order: the first cycle, or, when a wrapped
 * graph's callbacks contradicted themselves, that. */
static int report_cycle(const otaprio_graph *graph, otaprio_diag *diag)
{
    uint32_t *cycle;
    size_t length;
    OTAPRIO__TRY(otaprio__graph_first_cycle(graph, &cycle, &length, diag));
    if (length == 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "successors", -1,
                             "the successors callback answered differently "
                             "between calls: no cycle is left to report");
    char text[OTAPRIO_DIAG_MESSAGE_MAX];
    describe_cycle(text, sizeof text, cycle, length);
    int status =
        otaprio__fail(diag, OTAPRIO_E_CYCLE, "", (int64_t)cycle[0], "%s", text);
    otaprio__mem_free(&graph->mem, cycle);
    return status;
}

/* In-degrees of a wrapped graph, counted through its callbacks (repeated
 * neighbours count each time). */
static int count_in_degrees(otaprio__walk *walk, uint32_t n, uint32_t *degree,
                            otaprio_diag *diag)
{
    memset(degree, 0, (size_t)n * sizeof *degree);
    for (uint32_t u = 0; u < n; u++) {
        const uint32_t *next;
        size_t count;
        OTAPRIO__TRY(otaprio__walk_neighbours(walk, u, &next, &count, diag));
        for (size_t i = 0; i < count; i++) {
            /* Reported as a want of memory, a status every traversal
             * documents: the uint32 scratch cannot hold the count. */
            if (degree[next[i]] == UINT32_MAX)
                return otaprio__fail(
                    diag, OTAPRIO_E_NOMEM, "successors", (int64_t)next[i],
                    "node %lu has more than 2^32 - 1 incoming edges, more "
                    "than the in-degree scratch holds",
                    (unsigned long)next[i]);
            degree[next[i]]++;
        }
    }
    return OTAPRIO_OK;
}

/*
 * Kahn's algorithm. `left[v]` counts v's predecessors not yet placed; a
 * node joins the first-in first-out queue when it reaches 0, so the queue,
 * in the order filled, is the order. Returns the number of nodes placed.
 */
static int kahn(otaprio__walk *walk, uint32_t n, uint32_t *left,
                uint32_t *queue, uint32_t *placed, otaprio_diag *diag)
{
    uint32_t tail = 0;
    for (uint32_t v = 0; v < n; v++)
        if (left[v] == 0)
            queue[tail++] = v;
    for (uint32_t head = 0; head < tail; head++) {
        if (tail - head > ROW_AHEAD)
            otaprio__walk_prefetch_row(walk, queue[head + ROW_AHEAD]);
        if (tail - head > IDS_AHEAD)
            otaprio__walk_prefetch_ids(walk, queue[head + IDS_AHEAD]);
        const uint32_t *next;
        size_t count;
        OTAPRIO__TRY(
            otaprio__walk_neighbours(walk, queue[head], &next, &count, diag));
        for (size_t i = 0; i < count; i++) {
            uint32_t v = next[i], before = left[v];
            /* Only callbacks that change their answers get here: a node
             * is queued once, when its count reaches 0. */
            if (before == 0)
                return otaprio__fail(diag, OTAPRIO_E_INVALID, "successors",
                                     (int64_t)queue[head],
                                     "the successors callback answered "
                                     "differently between calls");
            left[v] = before - 1;
            if (before == 1)
                queue[tail++] = v;
        }
    }
    *placed = tail;
    return OTAPRIO_OK;
}

/*
 * kahn() over a built graph's rows, the same order faster. A thin graph
 * keeps only a few nodes queued (a long window DAG about 12), so a
 * prefetch a fixed distance ahead seldom has anything to fetch: a node's
 * row is prefetched as it is queued, and the ids and successors' counters
 * of the nodes just ahead as far as the queue goes. Counts of a built
 * graph are exact, so nothing is checked, and the push is branch-free
 * (whether a count reaches 0 is a coin toss): `queue` has a spare slot
 * for the write past its end. Returns the number of nodes placed.
 */
static uint32_t kahn_rows(const uint32_t *rows, const uint32_t *ids, uint32_t n,
                          uint32_t *left, uint32_t *queue)
{
    uint32_t tail = 0;
    for (uint32_t v = 0; v < n; v++)
        if (left[v] == 0)
            queue[tail++] = v;
    for (uint32_t head = 0; head < tail; head++) {
        uint32_t ahead = tail - head - 1;
        if (ahead >= ROW_AHEAD)
            OTAPRIO__PREFETCH(rows + queue[head + ROW_AHEAD]);
        if (ahead > IDS_AHEAD)
            ahead = IDS_AHEAD;
        if (ahead > 0) {
            OTAPRIO__PREFETCH(ids + rows[queue[head + ahead]]);
            uint32_t near = queue[head + (ahead < 3 ? ahead : 3)];
            for (uint32_t p = rows[near], e = rows[near + 1]; p < e; p++)
                OTAPRIO__PREFETCH_WRITE(left + ids[p]);
        }
        uint32_t u = queue[head];
        bool short_queue = tail - head < ROW_AHEAD;
        for (uint32_t p = rows[u], e = rows[u + 1]; p < e; p++) {
            uint32_t v = ids[p], now = left[v] - 1;
            left[v] = now;
            queue[tail] = v;
            tail += now == 0;
            if (short_queue)
                OTAPRIO__PREFETCH(rows + v);
        }
    }
    return tail;
}

int otaprio__in_degrees(const otaprio_graph *graph, otaprio__walk *walk,
                        uint32_t *degree, otaprio_diag *diag)
{
    uint32_t n = graph->node_count;
    if (graph->wrapped)
        return count_in_degrees(walk, n, degree, diag);
    const uint32_t *rows = graph->rows[OTAPRIO__BACKWARD];
    for (uint32_t v = 0; v < n; v++)
        degree[v] = rows[v + 1] - rows[v];
    return OTAPRIO_OK;
}

int otaprio__kahn(const otaprio_graph *graph, otaprio__walk *walk,
                  uint32_t *left, uint32_t *queue, uint32_t *placed,
                  otaprio_diag *diag)
{
    if (graph->wrapped)
        return kahn(walk, graph->node_count, left, queue, placed, diag);
    *placed =
        kahn_rows(graph->rows[OTAPRIO__FORWARD], graph->ids[OTAPRIO__FORWARD],
                  graph->node_count, left, queue);
    return OTAPRIO_OK;
}

int otaprio_graph_order(const otaprio_graph *graph, uint32_t *order,
                        otaprio_diag *diag)
{
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    if (order == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "order", -1,
                             "order is NULL");
    const otaprio__mem *mem = &graph->mem;
    uint32_t n = graph->node_count;
    otaprio__walk walk;
    OTAPRIO__TRY(otaprio__walk_open(&walk, graph, OTAPRIO__FORWARD, diag));
    uint32_t *left = NULL, *queue = NULL, placed = 0;
    int status = otaprio__ids_alloc(mem, n, "in-degrees", &left, diag);
    if (status == OTAPRIO_OK)
        status = otaprio__ids_alloc(mem, (size_t)n + 1, "the order queue",
                                    &queue, diag);
    if (status == OTAPRIO_OK)
        status = otaprio__in_degrees(graph, &walk, left, diag);
    if (status == OTAPRIO_OK)
        status = otaprio__kahn(graph, &walk, left, queue, &placed, diag);
    if (status == OTAPRIO_OK && placed == n)
        memcpy(order, queue, (size_t)n * sizeof *order);
    otaprio__walk_close(&walk);
    otaprio__mem_free(mem, left);
    otaprio__mem_free(mem, queue);
    if (status == OTAPRIO_OK && placed != n)
        status = report_cycle(graph, diag);
    return status;
}
