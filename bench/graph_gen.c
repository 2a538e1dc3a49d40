/* SPDX-License-Identifier: MIT */
/* The graph benchmark's edge lists and answer checks (see graph_gen.h);
 * bench/peer_graph.py mirrors the generator in NumPy. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "graph_gen.h"

/* A draw with its index: sorting these by (key, index) is NumPy's stable
 * argsort of the keys. */
typedef struct keyed {
    uint64_t key;
    uint64_t index;
} keyed;

static int compare_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* A uniform position below `nodes` from the draw's high 32 bits: the
 * product fits in 64 bits, and NumPy computes it the same way. */
static uint32_t position_of(uint64_t draw, uint32_t nodes)
{
    return (uint32_t)(((draw >> 32) * nodes) >> 32);
}

/* id_of_pos[p]: the node at hidden position p. */
static uint32_t *hidden_order(uint64_t seed, uint32_t nodes)
{
    keyed *keys = malloc((size_t)nodes * sizeof *keys);
    uint32_t *id_of_pos = malloc((size_t)nodes * sizeof *id_of_pos);
    if (keys == NULL || id_of_pos == NULL) {
        free(keys);
        free(id_of_pos);
        return NULL;
    }
    for (uint32_t i = 0; i < nodes; i++) {
        keys[i].key = bench_splitmix64(seed, i);
        keys[i].index = i;
    }
    qsort(keys, nodes, sizeof *keys, compare_keyed);
    for (uint32_t p = 0; p < nodes; p++)
        id_of_pos[p] = (uint32_t)keys[p].index;
    free(keys);
    return id_of_pos;
}

static int alloc_edges(bench_edge_list *graph, size_t capacity)
{
    graph->from = malloc((capacity != 0 ? capacity : 1) * sizeof(uint32_t));
    graph->to = malloc((capacity != 0 ? capacity : 1) * sizeof(uint32_t));
    if (graph->from == NULL || graph->to == NULL) {
        bench_graph_release(graph);
        return -1;
    }
    return 0;
}

/* Random DAG: candidates as (position pair key, draw number), sorted to
 * find each pair's first draw, then kept in draw order. */
static int random_edges(uint64_t seed, uint32_t nodes,
                        const uint32_t *id_of_pos, bench_edge_list *graph)
{
    size_t wanted = (size_t)BENCH_GRAPH_DEGREE * nodes;
    size_t candidates = wanted + wanted / 8 + 64;
    keyed *pairs = malloc(candidates * sizeof *pairs);
    uint8_t *first = calloc(candidates, 1);
    int status = -1;
    if (pairs == NULL || first == NULL)
        goto done;
    size_t drawn = 0;
    for (size_t k = 0; k < candidates; k++) {
        uint32_t a =
            position_of(bench_splitmix64(seed, 2 * (uint64_t)k), nodes);
        uint32_t b =
            position_of(bench_splitmix64(seed, 2 * (uint64_t)k + 1), nodes);
        if (a == b)
            continue;
        uint32_t u = a < b ? a : b, v = a < b ? b : a;
        pairs[drawn].key = (uint64_t)u * nodes + v;
        pairs[drawn].index = k;
        drawn++;
    }
    qsort(pairs, drawn, sizeof *pairs, compare_keyed);
    for (size_t i = 0; i < drawn; i++) {
        if (i == 0 || pairs[i].key != pairs[i - 1].key)
            first[pairs[i].index] = 1;
    }
    if (alloc_edges(graph, wanted) != 0)
        goto done;
    /* Walk the candidates in draw order again, keeping first draws. */
    size_t m = 0;
    for (size_t k = 0; k < candidates && m < wanted; k++) {
        if (!first[k])
            continue;
        uint32_t a =
            position_of(bench_splitmix64(seed, 2 * (uint64_t)k), nodes);
        uint32_t b =
            position_of(bench_splitmix64(seed, 2 * (uint64_t)k + 1), nodes);
        graph->from[m] = id_of_pos[a < b ? a : b];
        graph->to[m] = id_of_pos[a < b ? b : a];
        m++;
    }
    graph->edges = m;
    status = 0;
done:
    free(pairs);
    free(first);
    return status;
}

static int window_edges(uint64_t seed, uint32_t nodes,
                        const uint32_t *id_of_pos, bench_edge_list *graph)
{
    if (alloc_edges(graph, (size_t)BENCH_GRAPH_DEGREE * nodes) != 0)
        return -1;
    size_t m = 0;
    for (uint32_t p = 0; p < nodes; p++) {
        uint64_t kept[BENCH_GRAPH_DEGREE];
        size_t kept_count = 0;
        for (uint64_t j = 0; j < BENCH_GRAPH_DEGREE; j++) {
            uint64_t draw = bench_splitmix64(seed, 3 * (uint64_t)p + j);
            uint64_t target =
                (uint64_t)p + 1 + (((draw >> 32) * BENCH_GRAPH_WINDOW) >> 32);
            int keep = (draw & 7) != 0 && target < nodes;
            for (size_t i = 0; keep && i < kept_count; i++)
                keep = kept[i] != target;
            if (!keep)
                continue;
            kept[kept_count++] = target;
            graph->from[m] = id_of_pos[p];
            graph->to[m] = id_of_pos[target];
            m++;
        }
    }
    graph->edges = m;
    return 0;
}

int bench_graph_generate(int kind, uint64_t seed, uint32_t nodes,
                         bench_edge_list *graph)
{
    memset(graph, 0, sizeof *graph);
    /* The candidates' bytes must fit in a size_t (a 32-bit one). */
    if (kind < 0 || kind >= BENCH_GRAPH_KINDS || nodes < 1 ||
        nodes > UINT32_MAX - 1 ||
        (uint64_t)nodes * 32 * BENCH_GRAPH_DEGREE > SIZE_MAX)
        return -1;
    uint64_t order_seed = bench_splitmix64(seed, 2 * (uint64_t)kind);
    uint64_t edge_seed = bench_splitmix64(seed, 2 * (uint64_t)kind + 1);
    uint32_t *id_of_pos = hidden_order(order_seed, nodes);
    if (id_of_pos == NULL)
        return -1;
    graph->nodes = nodes;
    graph->source = id_of_pos[0];
    int status = kind == BENCH_GRAPH_RANDOM
                     ? random_edges(edge_seed, nodes, id_of_pos, graph)
                     : window_edges(edge_seed, nodes, id_of_pos, graph);
    free(id_of_pos);
    if (status != 0)
        bench_graph_release(graph);
    return status;
}

void bench_graph_release(bench_edge_list *graph)
{
    free(graph->from);
    free(graph->to);
    memset(graph, 0, sizeof *graph);
}

const char *bench_graph_kind_name(int kind)
{
    return kind == BENCH_GRAPH_RANDOM ? "random" : "window";
}

uint64_t bench_graph_forward_edges(const bench_edge_list *graph,
                                   const uint32_t *order, uint32_t *position)
{
    uint32_t n = graph->nodes;
    for (uint32_t v = 0; v < n; v++)
        position[v] = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (order[i] >= n || position[order[i]] != UINT32_MAX)
            return UINT64_MAX;
        position[order[i]] = i;
    }
    uint64_t forward = 0;
    for (size_t e = 0; e < graph->edges; e++)
        forward += position[graph->from[e]] < position[graph->to[e]];
    return forward;
}

int bench_graph_min_labels(uint32_t nodes, const uint32_t *part,
                           uint32_t part_count, uint32_t *least,
                           uint32_t *labels)
{
    for (uint32_t c = 0; c < part_count; c++)
        least[c] = UINT32_MAX;
    /* Ascending v: the first node seen of a part is its smallest. */
    for (uint32_t v = 0; v < nodes; v++) {
        if (part[v] >= part_count)
            return -1;
        if (least[part[v]] == UINT32_MAX)
            least[part[v]] = v;
        labels[v] = least[part[v]];
    }
    return 0;
}
