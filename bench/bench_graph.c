/* SPDX-License-Identifier: MIT */
/*
 * graph: the dependency engine's graph layer on two DAGs of N nodes
 * (bench/graph_gen.h): "random", 3N edges between uniformly drawn nodes,
 * and "window", ~2.6N edges each reaching a few nodes ahead in a hidden
 * order, so that one node reaches ~90% of the graph. Ids are shuffled in
 * both. Peers: bench/peer_graph.py (python-igraph) and
 * bench/peer_graph_boost.cpp (Boost Graph), on the same edge lists.
 *
 * Timed, per graph, one operation at a time (a bench of operations, see
 * bench.h), alternating within each repetition:
 * - build: otaprio_graph_builder_create, one add_edges of all edges,
 *   otaprio_graph_builder_build, otaprio_graph_builder_free (the graph
 *   is freed untimed before the next build);
 * - order: otaprio_graph_order;
 * - reach: otaprio_graph_reach_list forward from the graph's source node
 *   (the reached ids, as igraph's subcomponent and Boost's BFS visitor
 *   give them; otaprio_graph_reach's one byte per node is measured for
 *   memory);
 * - scc: otaprio_graph_scc.
 * order, reach and scc run on a graph built once in setup, with the C
 * library's allocator, into output arrays allocated and touched in setup.
 *
 * Digests (untimed), so that the peers' answers can be checked: the edge
 * lists (from then to, uint32), the number of edges the order puts tail
 * first (all of them when the order is topological; peers check their own
 * order the same way, as valid orders differ), the reached nodes as one
 * byte per node (marked from the list after the runs), and the
 * SCC partition labelled by each component's smallest node.
 *
 * Extra figures (untimed): per graph, its size, the reached and component
 * counts, and memory measured exactly through a counting allocator: the
 * CSR arrays' bytes as graph.h documents them, the built graph's bytes,
 * the peak of the build (builder and graph), and each traversal's peak
 * scratch bytes above the graph.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/graph.h"

#include "bench.h"
#include "count_alloc.h"
#include "graph_gen.h"

enum { OP_BUILD, OP_ORDER, OP_REACH, OP_SCC, OPS_PER_GRAPH };

static const char *const op_names[BENCH_GRAPH_KINDS * OPS_PER_GRAPH] = {
    "random_build", "random_order", "random_reach", "random_scc",
    "window_build", "window_order", "window_reach", "window_scc",
};

/* ---- state ------------------------------------------------------------ */

/* Memory figures of one graph, in bytes. */
typedef struct graph_memory {
    double csr;        /* two rows arrays and two id arrays, as documented */
    double graph;      /* the built graph, builder freed */
    double build_peak; /* builder and graph during the build */
    double order_peak; /* each traversal's peak above the graph */
    double reach_peak;
    double scc_peak;
} graph_memory;

typedef struct graph_case {
    bench_edge_list edges;
    otaprio_graph *graph; /* built in setup: what the traversals query */
    otaprio_graph *fresh; /* the build operation's result */
    uint32_t *order;
    uint8_t *reached;
    uint32_t *reached_ids;
    uint32_t *component;
    uint64_t reached_count;
    uint32_t component_count;
    graph_memory memory;
} graph_case;

typedef struct graph_state {
    graph_case cases[BENCH_GRAPH_KINDS];
} graph_state;

static void graph_teardown(void *opaque)
{
    graph_state *state = opaque;
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        graph_case *c = &state->cases[k];
        otaprio_graph_free(c->graph);
        otaprio_graph_free(c->fresh);
        bench_graph_release(&c->edges);
        free(c->order);
        free(c->reached);
        free(c->reached_ids);
        free(c->component);
    }
    free(state);
}

/* Builds `edges` into a graph through `allocator` (NULL: the C
 * library's). Returns an otaprio status. */
static int build_graph(const bench_edge_list *edges,
                       const otaprio_allocator *allocator,
                       otaprio_graph **graph)
{
    otaprio_graph_builder *builder = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_graph_builder_create(edges->nodes, allocator, &builder, &diag);
    if (status == OTAPRIO_OK)
        status = otaprio_graph_builder_add_edges(
            builder, edges->from, edges->to, edges->edges, &diag);
    if (status == OTAPRIO_OK)
        status = otaprio_graph_builder_build(builder, graph, &diag);
    otaprio_graph_builder_free(builder);
    if (status != OTAPRIO_OK)
        fprintf(stderr, "graph: build: %s: %s\n", otaprio_strerror(status),
                diag.message);
    return status;
}

/* The library's memory for one graph, through a counting allocator. The
 * traversals write into the case's output arrays (their answers are
 * overwritten by the timed runs). */
static int measure_memory(graph_case *c)
{
    bench_counter count;
    bench_counter_init(&count);
    const otaprio_allocator *allocator = &count.allocator;

    otaprio_graph *graph = NULL;
    if (build_graph(&c->edges, allocator, &graph) != OTAPRIO_OK)
        return -1;
    graph_memory *m = &c->memory;
    m->build_peak = (double)count.peak;
    m->graph = (double)count.live;
    m->csr = 2.0 * 4 * ((double)c->edges.nodes + 1) +
             2.0 * 4 * (double)c->edges.edges;

    /* Each traversal's peak above the graph, which is all that is live
     * between them. */
    size_t base = count.live;
    count.peak = base;
    int status = otaprio_graph_order(graph, c->order, NULL);
    m->order_peak = (double)(count.peak - base);
    count.peak = base;
    if (status == OTAPRIO_OK)
        status =
            otaprio_graph_reach(graph, OTAPRIO_DIRECTION_FORWARD,
                                &c->edges.source, 1, c->reached, NULL, NULL);
    m->reach_peak = (double)(count.peak - base);
    count.peak = base;
    if (status == OTAPRIO_OK)
        status = otaprio_graph_scc(graph, c->component, NULL, NULL);
    m->scc_peak = (double)(count.peak - base);
    otaprio_graph_free(graph);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "graph: a traversal failed: %s\n",
                otaprio_strerror(status));
        return -1;
    }
    if (count.live != 0) {
        fprintf(stderr, "graph: the library kept %zu bytes after its calls\n",
                count.live);
        return -1;
    }
    return 0;
}

static int setup_case(graph_case *c, int kind, uint64_t seed, uint32_t nodes)
{
    const char *name = bench_graph_kind_name(kind);
    if (bench_graph_generate(kind, seed, nodes, &c->edges) != 0) {
        fprintf(stderr, "graph: out of memory generating the %s graph\n", name);
        return -1;
    }
    c->order = malloc((size_t)nodes * sizeof *c->order);
    c->reached = malloc(nodes);
    c->reached_ids = malloc((size_t)nodes * sizeof *c->reached_ids);
    c->component = malloc((size_t)nodes * sizeof *c->component);
    if (c->order == NULL || c->reached == NULL || c->reached_ids == NULL ||
        c->component == NULL) {
        fprintf(stderr, "graph: out of memory for the %s graph's outputs\n",
                name);
        return -1;
    }
    /* Touched so the timed runs pay no first-touch page faults; a
     * non-zero byte keeps malloc+memset from becoming a lazy calloc. */
    memset(c->order, 0xa5, (size_t)nodes * sizeof *c->order);
    memset(c->reached, 0xa5, nodes);
    memset(c->reached_ids, 0xa5, (size_t)nodes * sizeof *c->reached_ids);
    memset(c->component, 0xa5, (size_t)nodes * sizeof *c->component);
    if (measure_memory(c) != 0)
        return -1;
    return build_graph(&c->edges, NULL, &c->graph) == OTAPRIO_OK ? 0 : -1;
}

static int graph_setup(uint64_t seed, size_t n, void **out)
{
    if (n > OTAPRIO_GRAPH_MAX_NODES || n > UINT32_MAX - 1) {
        fprintf(stderr, "graph: n = %zu is more nodes than a graph holds\n", n);
        return -1;
    }
    graph_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        fprintf(stderr, "graph: out of memory\n");
        return -1;
    }
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        if (setup_case(&state->cases[k], k, seed, (uint32_t)n) != 0) {
            graph_teardown(state);
            return -1;
        }
    }
    *out = state;
    return 0;
}

/* ---- the timed operations --------------------------------------------- */

static int graph_op_prepare(void *opaque, size_t op)
{
    graph_state *state = opaque;
    graph_case *c = &state->cases[op / OPS_PER_GRAPH];
    if (op % OPS_PER_GRAPH == OP_BUILD) {
        otaprio_graph_free(c->fresh);
        c->fresh = NULL;
    }
    return 0;
}

static int graph_op_run(void *opaque, size_t op)
{
    graph_state *state = opaque;
    graph_case *c = &state->cases[op / OPS_PER_GRAPH];
    switch (op % OPS_PER_GRAPH) {
    case OP_BUILD: {
        otaprio_graph_builder *builder = NULL;
        int status =
            otaprio_graph_builder_create(c->edges.nodes, NULL, &builder, NULL);
        if (status == OTAPRIO_OK)
            status = otaprio_graph_builder_add_edges(
                builder, c->edges.from, c->edges.to, c->edges.edges, NULL);
        if (status == OTAPRIO_OK)
            status = otaprio_graph_builder_build(builder, &c->fresh, NULL);
        otaprio_graph_builder_free(builder);
        return status;
    }
    case OP_ORDER:
        return otaprio_graph_order(c->graph, c->order, NULL);
    case OP_REACH: {
        size_t listed = 0;
        int status = otaprio_graph_reach_list(
            c->graph, OTAPRIO_DIRECTION_FORWARD, &c->edges.source, 1,
            c->reached_ids, c->edges.nodes, &listed, NULL);
        c->reached_count = listed;
        return status;
    }
    default:
        return otaprio_graph_scc(c->graph, c->component, &c->component_count,
                                 NULL);
    }
}

/* ---- digests and figures ---------------------------------------------- */

static const char *const digest_names[BENCH_GRAPH_KINDS][4] = {
    {"random_edges", "random_order_forward", "random_reached", "random_scc"},
    {"window_edges", "window_order_forward", "window_reached", "window_scc"},
};

/* The reached nodes as one byte per node, the form the peers digest,
 * from the list the timed runs left. */
static const uint8_t *mark_reached(const graph_case *c)
{
    memset(c->reached, 0, c->edges.nodes);
    for (uint64_t i = 0; i < c->reached_count; i++)
        c->reached[c->reached_ids[i]] = 1;
    return c->reached;
}

static int digest_case(const graph_case *c, const char *const names[4],
                       bench_digest *digest)
{
    uint32_t n = c->edges.nodes;
    size_t m = c->edges.edges;
    int status = -1;
    uint32_t *edges = malloc((2 * m + 1) * sizeof *edges);
    uint32_t *scratch = malloc((size_t)n * sizeof *scratch);
    uint32_t *labels = malloc((size_t)n * sizeof *labels);
    if (edges == NULL || scratch == NULL || labels == NULL) {
        fprintf(stderr, "graph: out of memory for the digests\n");
        goto done;
    }
    memcpy(edges, c->edges.from, m * sizeof *edges);
    memcpy(edges + m, c->edges.to, m * sizeof *edges);
    uint64_t forward = bench_graph_forward_edges(&c->edges, c->order, scratch);
    if (bench_graph_min_labels(n, c->component, c->component_count, scratch,
                               labels) != 0) {
        fprintf(stderr, "graph: a component number is out of range\n");
        goto done;
    }
    if (bench_digest_add(digest, names[0], edges, 2 * m * sizeof *edges) != 0 ||
        bench_digest_add(digest, names[1], &forward, sizeof forward) != 0 ||
        bench_digest_add(digest, names[2], mark_reached(c), n) != 0 ||
        bench_digest_add(digest, names[3], labels,
                         (size_t)n * sizeof *labels) != 0)
        goto done;
    status = 0;
done:
    free(edges);
    free(scratch);
    free(labels);
    return status;
}

static int graph_digest(const void *opaque, bench_digest *digest)
{
    const graph_state *state = opaque;
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        if (digest_case(&state->cases[k], digest_names[k], digest) != 0)
            return -1;
    }
    return 0;
}

enum { FIGURES_PER_GRAPH = 12 };

static const char *const figure_names[BENCH_GRAPH_KINDS][FIGURES_PER_GRAPH] = {
    {"random_nodes", "random_edges", "random_source", "random_reached",
     "random_components", "random_order_valid", "random_csr_bytes",
     "random_graph_bytes", "random_build_peak_bytes", "random_order_peak_bytes",
     "random_reach_peak_bytes", "random_scc_peak_bytes"},
    {"window_nodes", "window_edges", "window_source", "window_reached",
     "window_components", "window_order_valid", "window_csr_bytes",
     "window_graph_bytes", "window_build_peak_bytes", "window_order_peak_bytes",
     "window_reach_peak_bytes", "window_scc_peak_bytes"},
};

static int graph_extras(void *opaque, double median_ms, bench_extras *extras)
{
    (void)median_ms;
    graph_state *state = opaque;
    int failed = 0;
    for (int k = 0; k < BENCH_GRAPH_KINDS; k++) {
        const graph_case *c = &state->cases[k];
        const graph_memory *m = &c->memory;
        uint32_t *scratch = malloc((size_t)c->edges.nodes * sizeof *scratch);
        if (scratch == NULL) {
            fprintf(stderr, "graph: out of memory for the order check\n");
            return -1;
        }
        uint64_t forward =
            bench_graph_forward_edges(&c->edges, c->order, scratch);
        free(scratch);
        const double values[FIGURES_PER_GRAPH] = {
            (double)c->edges.nodes,
            (double)c->edges.edges,
            (double)c->edges.source,
            (double)c->reached_count,
            (double)c->component_count,
            forward == c->edges.edges ? 1 : 0,
            m->csr,
            m->graph,
            m->build_peak,
            m->order_peak,
            m->reach_peak,
            m->scc_peak,
        };
        for (int f = 0; f < FIGURES_PER_GRAPH; f++)
            failed |= bench_extra_add(extras, figure_names[k][f], values[f]);
    }
    if (failed) {
        fprintf(stderr, "graph: too many extra figures\n");
        return -1;
    }
    return 0;
}

const bench_def bench_graph = {
    .name = "graph",
    .unit = "nodes",
    .default_n = 1000000,
    .setup = graph_setup,
    .run = NULL, /* a bench of operations: op_run */
    .digest = graph_digest,
    .teardown = graph_teardown,
    .extras = graph_extras,
    .op_count = BENCH_GRAPH_KINDS * OPS_PER_GRAPH,
    .op_names = op_names,
    .op_prepare = graph_op_prepare,
    .op_run = graph_op_run,
};
