/* SPDX-License-Identifier: MIT */
/*
 * Reachability: breadth-first from a set of sources, in either direction.
 *
 * Memory: a queue of 4 * (node_count + 1) bytes (each node enters once,
 * plus a spare slot) and a visited bitmap of node_count / 8 bytes, which
 * stays in cache far longer than a byte per node would. The caller's byte array
 * is written only at the end, from the bitmap, so that it is untouched on
 * failure. The list form copies the queue instead: it writes only the
 * reached ids, which is what makes a small reach in a large graph cheap.
 */
#include <string.h>

#include "graph_internal.h"

/* Prefetch distances, in queue entries: far enough to hide a miss to
 * memory, near enough that the lines are still cached when used. */
enum { ROW_AHEAD = 16, IDS_AHEAD = 8 };

/* Breadth-first search; the queue ends holding every reached node. */
static int breadth_first(otaprio__walk *walk, const uint32_t *sources,
                         size_t source_count, uint64_t *visited,
                         uint32_t *queue, uint32_t *reached, otaprio_diag *diag)
{
    uint32_t tail = 0;
    for (size_t i = 0; i < source_count; i++) {
        uint32_t s = sources[i];
        if (!otaprio__bit_test(visited, s)) {
            otaprio__bit_set(visited, s);
            queue[tail++] = s;
        }
    }
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
            /* Branch-free: whether a neighbour is new is a coin toss for
             * the branch predictor. The queue has a spare slot for the
             * write past its end when nothing new is left. */
            uint32_t v = next[i];
            uint64_t word = visited[v >> 6], bit = UINT64_C(1) << (v & 63);
            queue[tail] = v;
            tail += (word & bit) == 0;
            visited[v >> 6] = word | bit;
        }
    }
    *reached = tail;
    return OTAPRIO_OK;
}

/* Writes one byte per node. A small reach clears the array and marks the
 * queue's nodes; a large one expands the bitmap a word at a time, skipping
 * the bit tests of empty words. Either way the cost is a pass of stores,
 * not of bit tests. */
static void write_marks(const uint64_t *visited, const uint32_t *queue,
                        uint32_t found, uint32_t n, uint8_t *marks)
{
    if (found < n / 64) {
        memset(marks, 0, n);
        for (uint32_t i = 0; i < found; i++)
            marks[queue[i]] = 1;
        return;
    }
    /* 64-bit counter: stepping by 64 past n = 2^32 - 2 must not wrap. */
    for (uint64_t base = 0; base < n; base += 64) {
        uint64_t word = visited[base / 64];
        size_t bits = n - base < 64 ? (size_t)(n - base) : 64;
        if (word == 0) {
            memset(marks + base, 0, bits);
            continue;
        }
        for (size_t b = 0; b < bits; b++)
            marks[base + b] = (uint8_t)((word >> b) & 1u);
    }
}

/* What one search leaves: the queue holds the `found` reached nodes in
 * breadth-first order, the bitmap marks them. */
typedef struct search_result {
    uint64_t *visited;
    uint32_t *queue;
    uint32_t found;
} search_result;

static void release_result(const otaprio_graph *graph, search_result *r)
{
    otaprio__mem_free(&graph->mem, r->visited);
    otaprio__mem_free(&graph->mem, r->queue);
}

/* Validates the sources and direction and runs the search; on failure
 * nothing is left to release. */
static int search(const otaprio_graph *graph, int32_t direction,
                  const uint32_t *sources, size_t source_count,
                  search_result *r, otaprio_diag *diag)
{
    memset(r, 0, sizeof *r);
    if (sources == NULL && source_count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sources", -1,
                             "sources is NULL with a count of %zu",
                             source_count);
    int d;
    OTAPRIO__TRY(otaprio__graph_direction(direction, &d, diag));
    uint32_t n = graph->node_count;
    for (size_t i = 0; i < source_count; i++)
        if (sources[i] >= n)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "sources", (int64_t)i,
                                 "sources[%zu] is %lu, not below the node "
                                 "count %lu",
                                 i, (unsigned long)sources[i],
                                 (unsigned long)n);
    const otaprio__mem *mem = &graph->mem;
    otaprio__walk walk;
    OTAPRIO__TRY(otaprio__walk_open(&walk, graph, d, diag));
    int status = otaprio__bitmap_alloc(mem, n, &r->visited);
    if (status != OTAPRIO_OK)
        status = otaprio__fail(diag, status, "", -1,
                               "allocating the visited set failed");
    if (status == OTAPRIO_OK)
        status = otaprio__ids_alloc(mem, (size_t)n + 1, "the search queue",
                                    &r->queue, diag);
    if (status == OTAPRIO_OK)
        status = breadth_first(&walk, sources, source_count, r->visited,
                               r->queue, &r->found, diag);
    otaprio__walk_close(&walk);
    if (status != OTAPRIO_OK)
        release_result(graph, r);
    return status;
}

int otaprio_graph_reach(const otaprio_graph *graph, int32_t direction,
                        const uint32_t *sources, size_t source_count,
                        uint8_t *reached, uint64_t *count, otaprio_diag *diag)
{
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    if (reached == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "reached", -1,
                             "reached is NULL");
    search_result r;
    OTAPRIO__TRY(search(graph, direction, sources, source_count, &r, diag));
    write_marks(r.visited, r.queue, r.found, graph->node_count, reached);
    if (count != NULL)
        *count = r.found;
    release_result(graph, &r);
    return OTAPRIO_OK;
}

int otaprio_graph_reach_list(const otaprio_graph *graph, int32_t direction,
                             const uint32_t *sources, size_t source_count,
                             uint32_t *reached, size_t capacity, size_t *count,
                             otaprio_diag *diag)
{
    if (graph == NULL || count == NULL || (reached == NULL && capacity != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             graph == NULL   ? "graph"
                             : count == NULL ? "count"
                                             : "reached",
                             -1, "a required pointer is NULL");
    search_result r;
    OTAPRIO__TRY(search(graph, direction, sources, source_count, &r, diag));
    int status = OTAPRIO_OK;
    *count = r.found;
    if (r.found > capacity)
        status = otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                               "%lu nodes are reached; reached holds %zu",
                               (unsigned long)r.found, capacity);
    else if (r.found != 0)
        memcpy(reached, r.queue, (size_t)r.found * sizeof *reached);
    release_result(graph, &r);
    return status;
}
