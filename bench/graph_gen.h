/* SPDX-License-Identifier: MIT */
/*
 * The graph benchmark's inputs and answer checks, shared by otaprio-bench
 * (bench_graph.c) and the Boost Graph peer (peer_graph_boost.cpp), so that
 * both compute on the very same edge lists. bench/peer_graph.py builds the
 * same lists in NumPy; the runner compares digests of them.
 *
 * Two directed acyclic graphs over node ids 0 .. nodes-1. Both are made on
 * a hidden order (a random permutation: the node at hidden position p has
 * id id_of_pos[p]), every edge going forward in that order, so the ids
 * carry no hint of a topological order:
 *
 * - random: 3 * nodes edges u -> v between positions drawn uniformly (the
 *   smaller position is the tail), self-loops skipped, duplicates dropped
 *   keeping the first drawn, in the order drawn.
 * - window: each position p draws 3 targets p + 1 + w, w uniform in
 *   [0, 64); a draw whose low 3 bits are 0 (1 in 8) or whose target falls
 *   past the end adds no edge, nor does one repeating a target p already
 *   links to. Long and thin: the first node reaches about 90% of the graph
 *   through ~nodes/32 levels.
 *
 * Reachability starts from the first node of the hidden order.
 *
 * Draws (SplitMix64, bench_splitmix64): the sub-seed of stream k of graph g
 * (g = 0 random, 1 window; k = 0 permutation, 1 edges) is draw 2g + k of
 * the run's seed. The permutation sorts the nodes by (draw i of its
 * sub-seed, i). A random candidate k uses draws 2k and 2k+1 (positions
 * (draw >> 32) * nodes >> 32); there are 3n + 3n/8 + 64 candidates. Window
 * position p, target j uses draw 3p + j.
 */
#ifndef OTAPRIO_BENCH_GRAPH_GEN_H
#define OTAPRIO_BENCH_GRAPH_GEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { BENCH_GRAPH_RANDOM = 0, BENCH_GRAPH_WINDOW = 1, BENCH_GRAPH_KINDS = 2 };

/* Edges per node drawn (random) or tried (window). */
#define BENCH_GRAPH_DEGREE 3
/* Window targets lie 1 to BENCH_GRAPH_WINDOW positions ahead. */
#define BENCH_GRAPH_WINDOW 64

typedef struct bench_edge_list {
    uint32_t nodes;
    size_t edges;
    uint32_t *from;  /* edges tails */
    uint32_t *to;    /* edges heads */
    uint32_t source; /* where reachability starts */
} bench_edge_list;

/* Builds graph `kind` of `nodes` nodes (1 to 2^32 - 2) from `seed`.
 * Returns 0, or -1 (nothing held) when out of memory or for a bad kind or
 * size. */
int bench_graph_generate(int kind, uint64_t seed, uint32_t nodes,
                         bench_edge_list *graph);

/* Frees the edge lists; a zeroed graph is fine. */
void bench_graph_release(bench_edge_list *graph);

/* Short name of a kind: "random" or "window". */
const char *bench_graph_kind_name(int kind);

/*
 * The order check: the number of edges whose tail comes before their head
 * in `order` (all of them for a topological order), or UINT64_MAX when
 * `order` is not a permutation of the nodes. `position` is scratch for
 * `nodes` values.
 */
uint64_t bench_graph_forward_edges(const bench_edge_list *graph,
                                   const uint32_t *order, uint32_t *position);

/*
 * The canonical form of a partition, whatever the numbering of its parts:
 * labels[v] = the smallest node of v's part. `part` holds a part number
 * below `part_count` per node; `least` is scratch for `part_count` values.
 * Returns 0, or -1 when a part number is out of range.
 */
int bench_graph_min_labels(uint32_t nodes, const uint32_t *part,
                           uint32_t part_count, uint32_t *least,
                           uint32_t *labels);

#ifdef __cplusplus
}
#endif

#endif /* OTAPRIO_BENCH_GRAPH_GEN_H */
