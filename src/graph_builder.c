/* SPDX-License-Identifier: MIT */
/*
 * The graph builder: collects edges, then sorts them into compressed
 * sparse rows with three stable counting-sort passes, so that rows are
 * ascending and the graph is the same whatever order edges came in.
 *
 * Memory. The builder holds its edges as two uint32 columns (8 bytes per
 * edge, plus up to half again while a column grows). Building allocates
 * the graph itself, exactly two rows arrays of 4 * (node_count + 1) bytes
 * and two id arrays of 4 * edge_count bytes, and no other scratch: the
 * counting sorts use the rows arrays as their cursors. Peak memory of a
 * build is the builder plus the finished graph.
 */
#include <string.h>

#include "graph_internal.h"

struct otaprio_graph_builder {
    otaprio__mem mem;
    uint32_t node_count;
    /* Edge i is from[i] -> to[i], in the order added; uint32 columns. */
    otaprio__vec from;
    otaprio__vec to;
};

int otaprio_graph_builder_create(uint32_t node_count,
                                 const otaprio_allocator *allocator,
                                 otaprio_graph_builder **builder,
                                 otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    /* The rows arrays of the built graph must be addressable too, which
     * only matters where size_t has 32 bits. */
    size_t row_bytes;
    if (node_count > OTAPRIO_GRAPH_MAX_NODES ||
        otaprio__size_mul_overflows((size_t)node_count + 1, sizeof(uint32_t),
                                    &row_bytes))
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "node_count", -1,
                             "node_count is %lu; at most %lu nodes are allowed",
                             (unsigned long)node_count,
                             (unsigned long)OTAPRIO_GRAPH_MAX_NODES);
    otaprio_graph_builder *made = otaprio__mem_alloc(&mem, sizeof *made);
    if (made == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating the graph builder failed");
    memset(made, 0, sizeof *made);
    made->mem = mem;
    made->node_count = node_count;
    made->from.elem_size = sizeof(uint32_t);
    made->to.elem_size = sizeof(uint32_t);
    *builder = made;
    return OTAPRIO_OK;
}

void otaprio_graph_builder_free(otaprio_graph_builder *builder)
{
    if (builder == NULL)
        return;
    otaprio__mem mem = builder->mem;
    otaprio__vec_release(&mem, &builder->from);
    otaprio__vec_release(&mem, &builder->to);
    otaprio__mem_free(&mem, builder);
}

/* Checks one batch without keeping anything. */
static int validate_batch(const otaprio_graph_builder *builder,
                          const uint32_t *from, const uint32_t *to,
                          size_t count, otaprio_diag *diag)
{
    uint32_t n = builder->node_count;
    for (size_t i = 0; i < count; i++) {
        if (from[i] >= n)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "from", (int64_t)i,
                                 "from[%zu] is %lu, not below the node count "
                                 "%lu",
                                 i, (unsigned long)from[i], (unsigned long)n);
        if (to[i] >= n)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "to", (int64_t)i,
                                 "to[%zu] is %lu, not below the node count %lu",
                                 i, (unsigned long)to[i], (unsigned long)n);
        if (from[i] == to[i])
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "to", (int64_t)i,
                                 "edge %zu is a self-loop on node %lu", i,
                                 (unsigned long)to[i]);
    }
    return OTAPRIO_OK;
}

int otaprio_graph_builder_add_edges(otaprio_graph_builder *builder,
                                    const uint32_t *from, const uint32_t *to,
                                    size_t count, otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    if (count == 0)
        return OTAPRIO_OK;
    if (from == NULL || to == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             from == NULL ? "from" : "to", -1,
                             "%s is NULL with a count of %zu",
                             from == NULL ? "from" : "to", count);
    /* Before reading the arrays: a count larger than the arrays must not
     * be read past their end just to be refused afterwards. */
    size_t held = builder->from.length;
    if (count > (size_t)OTAPRIO_GRAPH_MAX_EDGES - held)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "count", -1,
                             "adding %zu edges to %zu would exceed %lu edges",
                             count, held,
                             (unsigned long)OTAPRIO_GRAPH_MAX_EDGES);
    OTAPRIO__TRY(validate_batch(builder, from, to, count, diag));
    /* Reserving both columns first keeps the builder unchanged when the
     * second reservation fails (a larger capacity is not a change). */
    int status =
        otaprio__vec_reserve(&builder->mem, &builder->from, held + count);
    if (status == OTAPRIO_OK)
        status =
            otaprio__vec_reserve(&builder->mem, &builder->to, held + count);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "making room for %zu more edges failed", count);
    memcpy((uint32_t *)builder->from.data + held, from, count * sizeof *from);
    memcpy((uint32_t *)builder->to.data + held, to, count * sizeof *to);
    builder->from.length = held + count;
    builder->to.length = held + count;
    return OTAPRIO_OK;
}

/*
 * Counting sort, first half: turns rows (n + 1 entries) into cursors for
 * the placement loop, from the degrees of `ends` (m node ids). Afterwards
 * rows[v + 1] is where v's row starts; the placement loop writes each id
 * at rows[v + 1]++, which leaves rows[v + 1] at v's end, the start of
 * v + 1: the finished rows array, with no scratch array.
 */
static void count_into_cursors(uint32_t *rows, uint32_t n, const uint32_t *ends,
                               uint32_t m)
{
    memset(rows, 0, ((size_t)n + 1) * sizeof *rows);
    /* Degree of v at rows[v + 2]; v = n - 1's degree is never needed. */
    for (uint32_t i = 0; i < m; i++) {
        uint32_t v = ends[i];
        if (v + 1 < n)
            rows[v + 2]++;
    }
    for (uint32_t k = 2; k <= n; k++)
        rows[k] += rows[k - 1];
}

/* Turns a finished rows array back into cursors: rows[v + 1] = start of v. */
static void rows_into_cursors(uint32_t *rows, uint32_t n)
{
    if (n > 0)
        memmove(rows + 1, rows, (size_t)n * sizeof *rows);
}

/*
 * Finds the edge that first repeats an earlier one, in the order added.
 * Called only once the sort found a duplicate; `forward` rows are sorted
 * and complete, `seen` is m scratch ids (the backward ids array, no longer
 * needed). For each edge in order, the first position of its target in its
 * source's row identifies the edge; `seen` there holds 1 + the order of
 * the first edge that claimed it.
 */
static int report_duplicate(const otaprio_graph_builder *builder,
                            const uint32_t *rows, const uint32_t *ids,
                            uint32_t *seen, otaprio_diag *diag)
{
    const uint32_t *from = builder->from.data;
    const uint32_t *to = builder->to.data;
    uint32_t m = (uint32_t)builder->from.length;
    memset(seen, 0, (size_t)m * sizeof *seen);
    for (uint32_t i = 0; i < m; i++) {
        uint32_t low = rows[from[i]], high = rows[from[i] + 1];
        while (low < high) { /* lower bound of to[i] */
            uint32_t mid = low + (high - low) / 2;
            if (ids[mid] < to[i])
                low = mid + 1;
            else
                high = mid;
        }
        if (seen[low] != 0)
            return otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "edges", (int64_t)i,
                                 "edge %lu -> %lu was added twice, at "
                                 "positions %lu and %lu",
                                 (unsigned long)from[i], (unsigned long)to[i],
                                 (unsigned long)(seen[low] - 1),
                                 (unsigned long)i);
        seen[low] = i + 1;
    }
    /* Unreachable: the sort saw two equal neighbours in a row. */
    return otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "edges", -1,
                         "an edge was added twice");
}

/*
 * Sorts the builder's edges into `graph`'s arrays. Three stable passes:
 * 1. bucket sources by target (backward rows, sources in the order added);
 * 2. walking targets in ascending order, bucket them by source: forward
 *    rows come out ascending;
 * 3. walking the sorted forward rows, bucket sources by target: backward
 *    rows come out ascending, and equal neighbours are adjacent in the
 *    forward rows just read, which is where duplicates are caught.
 */
static int sort_edges(const otaprio_graph_builder *builder,
                      otaprio_graph *graph, otaprio_diag *diag)
{
    const uint32_t *from = builder->from.data;
    const uint32_t *to = builder->to.data;
    uint32_t n = graph->node_count, m = graph->edge_count;
    uint32_t *fwd_rows = graph->rows[OTAPRIO__FORWARD];
    uint32_t *fwd_ids = graph->ids[OTAPRIO__FORWARD];
    uint32_t *bwd_rows = graph->rows[OTAPRIO__BACKWARD];
    uint32_t *bwd_ids = graph->ids[OTAPRIO__BACKWARD];

    count_into_cursors(bwd_rows, n, to, m);
    for (uint32_t i = 0; i < m; i++)
        bwd_ids[bwd_rows[to[i] + 1]++] = from[i];

    count_into_cursors(fwd_rows, n, from, m);
    for (uint32_t t = 0; t < n; t++)
        for (uint32_t p = bwd_rows[t], end = bwd_rows[t + 1]; p < end; p++)
            fwd_ids[fwd_rows[bwd_ids[p] + 1]++] = t;

    rows_into_cursors(bwd_rows, n);
    bool duplicate = false;
    for (uint32_t s = 0; s < n; s++) {
        uint32_t previous = UINT32_MAX; /* never a node id */
        for (uint32_t p = fwd_rows[s], end = fwd_rows[s + 1]; p < end; p++) {
            uint32_t t = fwd_ids[p];
            duplicate |= t == previous;
            previous = t;
            bwd_ids[bwd_rows[t + 1]++] = s;
        }
    }
    if (duplicate)
        return report_duplicate(builder, fwd_rows, fwd_ids, bwd_ids, diag);
    return OTAPRIO_OK;
}

int otaprio_graph_builder_build(const otaprio_graph_builder *builder,
                                otaprio_graph **graph, otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    if (graph == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "graph", -1,
                             "graph is NULL");
    const otaprio__mem *mem = &builder->mem;
    otaprio_graph *built = otaprio__mem_alloc(mem, sizeof *built);
    if (built == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating the graph failed");
    memset(built, 0, sizeof *built);
    built->mem = *mem;
    built->node_count = builder->node_count;
    /* add_edges keeps the total within OTAPRIO_GRAPH_MAX_EDGES. */
    built->edge_count = (uint32_t)builder->from.length;
    size_t rows = (size_t)built->node_count + 1;
    int status = OTAPRIO_OK;
    for (int d = 0; d < 2 && status == OTAPRIO_OK; d++) {
        status =
            otaprio__ids_alloc(mem, rows, "graph rows", &built->rows[d], diag);
        if (status == OTAPRIO_OK)
            status = otaprio__ids_alloc(mem, built->edge_count, "graph edges",
                                        &built->ids[d], diag);
    }
    if (status == OTAPRIO_OK)
        status = sort_edges(builder, built, diag);
    if (status != OTAPRIO_OK) {
        otaprio_graph_free(built);
        return status;
    }
    *graph = built;
    return OTAPRIO_OK;
}
