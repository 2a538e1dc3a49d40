/* SPDX-License-Identifier: MIT */
/*
 * Shared by the graph tests (include <cmocka.h> first): seeded random edge
 * lists, graphs built from them under asserts, a host graph the tests keep
 * themselves (sorted with qsort, not with the library's code) and serve
 * through callbacks, and checks of answers that need no reference: an
 * order respects every edge, a cycle is made of real edges.
 */
#ifndef OTAPRIO_TEST_GRAPH_FIXTURE_H
#define OTAPRIO_TEST_GRAPH_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio.h"
#include "splitmix.h"

static inline void *gf_alloc(size_t bytes)
{
    void *block = malloc(bytes != 0 ? bytes : 1);
    assert_non_null(block);
    return block;
}

/* ---- edge lists ---------------------------------------------------------- */

typedef struct gf_edges {
    uint32_t node_count;
    size_t count;
    uint32_t *from;
    uint32_t *to;
} gf_edges;

static inline void gf_edges_free(gf_edges *e)
{
    free(e->from);
    free(e->to);
    memset(e, 0, sizeof *e);
}

static inline int gf_compare_pairs(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Shuffles the insertion order (Fisher-Yates). */
static inline void gf_edges_shuffle(gf_edges *e, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = e->count; i > 1; i--) {
        size_t j = (size_t)(splitmix_next(&s) % i);
        uint32_t f = e->from[i - 1], t = e->to[i - 1];
        e->from[i - 1] = e->from[j];
        e->to[i - 1] = e->to[j];
        e->from[j] = f;
        e->to[j] = t;
    }
}

/*
 * About `wanted` distinct edges without self-loops over `n` nodes, in a
 * shuffled order. Acyclic ones go from a lower to a higher rank of a
 * random permutation, so ids say nothing about the order.
 */
static inline gf_edges gf_random(uint32_t n, size_t wanted, bool acyclic,
                                 uint64_t seed)
{
    uint64_t s = seed;
    gf_edges e = {n, 0, NULL, NULL};
    uint32_t *rank = gf_alloc((size_t)n * sizeof *rank);
    for (uint32_t i = 0; i < n; i++)
        rank[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = splitmix_below(&s, i), t = rank[i - 1];
        rank[i - 1] = rank[j];
        rank[j] = t;
    }
    uint64_t *pairs = gf_alloc((wanted + 1) * sizeof *pairs);
    size_t made = 0;
    for (size_t i = 0; n >= 2 && i < wanted; i++) {
        uint32_t a = splitmix_below(&s, n), b = splitmix_below(&s, n);
        if (a == b)
            continue;
        if (acyclic && a > b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        pairs[made++] = (uint64_t)rank[a] << 32 | rank[b];
    }
    qsort(pairs, made, sizeof *pairs, gf_compare_pairs);
    e.from = gf_alloc((made + 1) * sizeof *e.from);
    e.to = gf_alloc((made + 1) * sizeof *e.to);
    for (size_t i = 0; i < made; i++) {
        if (i > 0 && pairs[i] == pairs[i - 1])
            continue;
        e.from[e.count] = (uint32_t)(pairs[i] >> 32);
        e.to[e.count] = (uint32_t)pairs[i];
        e.count++;
    }
    free(pairs);
    free(rank);
    gf_edges_shuffle(&e, seed ^ 0x5EED);
    return e;
}

/* A copy of an edge list held elsewhere (vectors, fuzz inputs). */
static inline gf_edges gf_copy(uint32_t n, const uint32_t *from,
                               const uint32_t *to, size_t count)
{
    gf_edges e = {n, count, gf_alloc((count + 1) * sizeof(uint32_t)),
                  gf_alloc((count + 1) * sizeof(uint32_t))};
    if (count != 0) {
        memcpy(e.from, from, count * sizeof *from);
        memcpy(e.to, to, count * sizeof *to);
    }
    return e;
}

/* Builds `e` with the edges added in batches of random sizes. */
static inline otaprio_graph *gf_build(const gf_edges *e, uint64_t seed)
{
    uint64_t s = seed;
    otaprio_graph_builder *b = NULL;
    assert_int_equal(
        otaprio_graph_builder_create(e->node_count, NULL, &b, NULL),
        OTAPRIO_OK);
    for (size_t at = 0; at < e->count;) {
        size_t batch = 1 + splitmix_below(&s, 64);
        if (batch > e->count - at)
            batch = e->count - at;
        assert_int_equal(otaprio_graph_builder_add_edges(
                             b, e->from + at, e->to + at, batch, NULL),
                         OTAPRIO_OK);
        at += batch;
    }
    otaprio_graph *g = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_graph_builder_build(b, &g, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("build failed: %s", diag.message);
    otaprio_graph_builder_free(b);
    assert_int_equal(otaprio_graph_edge_count(g), e->count);
    return g;
}

/* ---- a host's graph, served through callbacks --------------------------- */

/* Rows sorted ascending, so a wrapped graph answers like a built one. */
typedef struct gf_host {
    uint32_t node_count;
    uint32_t *rows[2]; /* forward, backward */
    uint32_t *ids[2];
    /* Fault injection, for the error tests. */
    uint32_t fail_node; /* answer `fail_status` for this node... */
    int fail_status;    /* ...when non-zero */
    uint32_t bad_node;  /* answer an id out of range for this node... */
    bool bad;           /* ...when set */
    long calls;         /* callback invocations */
} gf_host;

static inline void gf_host_rows(gf_host *h, int d, const uint32_t *from,
                                const uint32_t *to, size_t count)
{
    uint64_t *pairs = gf_alloc((count + 1) * sizeof *pairs);
    for (size_t i = 0; i < count; i++)
        pairs[i] = (uint64_t)from[i] << 32 | to[i];
    qsort(pairs, count, sizeof *pairs, gf_compare_pairs);
    h->rows[d] = gf_alloc(((size_t)h->node_count + 1) * sizeof(uint32_t));
    h->ids[d] = gf_alloc((count + 1) * sizeof(uint32_t));
    size_t p = 0;
    for (uint32_t v = 0; v < h->node_count; v++) {
        h->rows[d][v] = (uint32_t)p;
        while (p < count && (uint32_t)(pairs[p] >> 32) == v) {
            h->ids[d][p] = (uint32_t)pairs[p];
            p++;
        }
    }
    h->rows[d][h->node_count] = (uint32_t)p;
    free(pairs);
}

static inline void gf_host_init(gf_host *h, const gf_edges *e)
{
    memset(h, 0, sizeof *h);
    h->node_count = e->node_count;
    gf_host_rows(h, 0, e->from, e->to, e->count);
    gf_host_rows(h, 1, e->to, e->from, e->count);
}

static inline void gf_host_free(gf_host *h)
{
    for (int d = 0; d < 2; d++) {
        free(h->rows[d]);
        free(h->ids[d]);
    }
}

static inline int gf_host_answer(gf_host *h, int d, uint32_t node,
                                 uint32_t *buffer, size_t capacity,
                                 size_t *count)
{
    h->calls++;
    if (h->fail_status != 0 && node == h->fail_node)
        return h->fail_status;
    uint32_t begin = h->rows[d][node], end = h->rows[d][node + 1];
    size_t n = end - begin + (h->bad && node == h->bad_node);
    *count = n;
    if (n > capacity)
        return 0; /* the library grows its buffer and asks again */
    memcpy(buffer, h->ids[d] + begin, (end - begin) * sizeof *buffer);
    if (h->bad && node == h->bad_node)
        buffer[n - 1] = h->node_count; /* not a node */
    return 0;
}

static inline int gf_successors(void *user, uint32_t node, uint32_t *buffer,
                                size_t capacity, size_t *count)
{
    return gf_host_answer(user, 0, node, buffer, capacity, count);
}

static inline int gf_predecessors(void *user, uint32_t node, uint32_t *buffer,
                                  size_t capacity, size_t *count)
{
    return gf_host_answer(user, 1, node, buffer, capacity, count);
}

static inline otaprio_graph *gf_wrap(gf_host *h, bool with_predecessors)
{
    otaprio_graph_callbacks cb;
    otaprio_graph_callbacks_init(&cb);
    cb.node_count = h->node_count;
    cb.successors = gf_successors;
    cb.predecessors = with_predecessors ? gf_predecessors : NULL;
    cb.user = h;
    otaprio_graph *g = NULL;
    assert_int_equal(otaprio_graph_wrap(&cb, NULL, &g, NULL), OTAPRIO_OK);
    return g;
}

static inline bool gf_host_has_edge(const gf_host *h, uint32_t u, uint32_t v)
{
    for (uint32_t p = h->rows[0][u]; p < h->rows[0][u + 1]; p++)
        if (h->ids[0][p] == v)
            return true;
    return false;
}

/* ---- checks -------------------------------------------------------------- */

/* `order` is a permutation of the nodes with every edge going forward. */
static inline void gf_check_order(const gf_edges *e, const uint32_t *order)
{
    uint32_t n = e->node_count;
    uint32_t *place = gf_alloc((size_t)n * sizeof *place);
    memset(place, 0xFF, (size_t)n * sizeof *place);
    for (uint32_t i = 0; i < n; i++) {
        assert_true(order[i] < n);
        assert_int_equal(place[order[i]], UINT32_MAX); /* no repeats */
        place[order[i]] = i;
    }
    for (size_t i = 0; i < e->count; i++)
        assert_true(place[e->from[i]] < place[e->to[i]]);
    free(place);
}

/* `cycle` is k >= 1 distinct nodes joined by real edges, closing back. */
static inline void gf_check_cycle(const gf_host *h, const uint32_t *cycle,
                                  size_t k)
{
    assert_true(k >= 1);
    for (size_t i = 0; i < k; i++) {
        assert_true(cycle[i] < h->node_count);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(cycle[i], cycle[j]);
        assert_true(gf_host_has_edge(h, cycle[i], cycle[(i + 1) % k]));
    }
}

#endif
