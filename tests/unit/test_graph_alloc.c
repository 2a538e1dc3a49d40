/* SPDX-License-Identifier: MIT */
/*
 * Every allocation of the graph layer made to fail in turn: building,
 * wrapping, and each traversal of a built and of a wrapped graph (whose
 * callback buffer must grow for a hub, and whose depth-first stack must
 * grow along a long path). Each failure returns OTAPRIO_E_NOMEM, leaks
 * nothing, leaves the caller's outputs untouched, and the run that meets
 * no failure gives the answer a default-allocator run gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "graph_fixture.h"

enum { POISON = 0x6B };

typedef enum operation {
    OP_NONE, /* build or wrap only */
    OP_ORDER,
    OP_FIND_CYCLE,
    OP_SCC,
    OP_REACH_FORWARD,
    OP_REACH_BACKWARD,
    OP_REACH_LIST,
    OP_NEIGHBOURS,
    OP_COUNT
} operation;

typedef struct scenario {
    const gf_edges *edges;
    gf_host *host;
    bool wrapped;
    operation op;
    /* The answer with the default allocator, and its size in bytes. */
    int expected_status;
    unsigned char *expected;
    size_t expected_bytes;
} scenario;

static otaprio_graph *
make_graph(const scenario *s, const otaprio_allocator *allocator, int *status)
{
    otaprio_graph *g = NULL, *const sentinel = (otaprio_graph *)&g;
    otaprio_graph *out = sentinel;
    if (s->wrapped) {
        otaprio_graph_callbacks cb;
        otaprio_graph_callbacks_init(&cb);
        cb.node_count = s->host->node_count;
        cb.successors = gf_successors;
        cb.predecessors = gf_predecessors;
        cb.user = s->host;
        *status = otaprio_graph_wrap(&cb, allocator, &out, NULL);
    } else {
        const gf_edges *e = s->edges;
        otaprio_graph_builder *b = NULL;
        *status =
            otaprio_graph_builder_create(e->node_count, allocator, &b, NULL);
        if (*status != OTAPRIO_OK) {
            assert_null(b);
            return NULL;
        }
        size_t half = e->count / 2;
        *status =
            otaprio_graph_builder_add_edges(b, e->from, e->to, half, NULL);
        if (*status == OTAPRIO_OK)
            *status = otaprio_graph_builder_add_edges(
                b, e->from + half, e->to + half, e->count - half, NULL);
        if (*status == OTAPRIO_OK)
            *status = otaprio_graph_builder_build(b, &out, NULL);
        otaprio_graph_builder_free(b);
    }
    if (*status != OTAPRIO_OK) {
        assert_ptr_equal(out, sentinel); /* nothing half-built escapes */
        return NULL;
    }
    return out;
}

/* Runs the operation into `out`, `bytes` long. */
static int run(const scenario *s, otaprio_graph *g, unsigned char *out,
               size_t *bytes)
{
    uint32_t n = s->edges->node_count;
    uint32_t sources[2] = {0, n - 1};
    size_t length = 0;
    uint32_t count = 0;
    int status = OTAPRIO_OK;
    switch (s->op) {
    case OP_NONE:
    case OP_COUNT:
        *bytes = 0;
        break;
    case OP_ORDER:
        *bytes = (size_t)n * sizeof(uint32_t);
        status = otaprio_graph_order(g, (uint32_t *)(void *)out, NULL);
        break;
    case OP_FIND_CYCLE:
        status = otaprio_graph_find_cycle(g, (uint32_t *)(void *)out, n,
                                          &length, NULL);
        *bytes = length * sizeof(uint32_t);
        break;
    case OP_SCC:
        *bytes = (size_t)n * sizeof(uint32_t);
        status = otaprio_graph_scc(g, (uint32_t *)(void *)out, &count, NULL);
        break;
    case OP_REACH_FORWARD:
    case OP_REACH_BACKWARD:
        *bytes = n;
        status = otaprio_graph_reach(g, s->op == OP_REACH_BACKWARD, sources, 2,
                                     out, NULL, NULL);
        break;
    case OP_REACH_LIST:
        status =
            otaprio_graph_reach_list(g, OTAPRIO_DIRECTION_FORWARD, sources, 2,
                                     (uint32_t *)(void *)out, n, &length, NULL);
        *bytes = length * sizeof(uint32_t);
        break;
    case OP_NEIGHBOURS:
        status =
            otaprio_graph_neighbours(g, 0, OTAPRIO_DIRECTION_FORWARD,
                                     (uint32_t *)(void *)out, n, &length, NULL);
        *bytes = length * sizeof(uint32_t);
        break;
    }
    return status;
}

static int traverse(const otaprio_allocator *allocator, void *ctx)
{
    const scenario *s = ctx;
    int status;
    otaprio_graph *g = make_graph(s, allocator, &status);
    if (g == NULL)
        return status;
    size_t room = (size_t)s->edges->node_count * sizeof(uint32_t) + 1;
    unsigned char *out = gf_alloc(room);
    memset(out, POISON, room);
    size_t bytes = 0;
    status = run(s, g, out, &bytes);
    if (status == OTAPRIO_E_NOMEM) {
        for (size_t i = 0; i < room; i++)
            assert_int_equal(out[i], POISON);
    } else {
        assert_int_equal(status, s->expected_status);
        assert_int_equal(bytes, s->expected_bytes);
        if (bytes != 0)
            assert_memory_equal(out, s->expected, bytes);
        status = OTAPRIO_OK; /* E_CYCLE is this graph's right answer */
    }
    free(out);
    otaprio_graph_free(g);
    return status;
}

/* A graph that makes every allocation happen: a hub with more successors
 * than the callback buffer's first size, a path long enough to grow the
 * depth-first stack several times, and one cycle when `cyclic`. */
static gf_edges make_edges(bool cyclic)
{
    enum { HUB = 150, PATH = 300 };
    uint32_t n = 1 + HUB + PATH;
    gf_edges e = {n, 0, gf_alloc(2 * n * sizeof(uint32_t)),
                  gf_alloc(2 * n * sizeof(uint32_t))};
    for (uint32_t i = 1; i <= HUB; i++) {
        e.from[e.count] = 0;
        e.to[e.count++] = i;
    }
    for (uint32_t i = HUB; i + 1 < n; i++) {
        e.from[e.count] = i;
        e.to[e.count++] = i + 1;
    }
    if (cyclic) {
        e.from[e.count] = n - 1;
        e.to[e.count++] = HUB - 1;
    }
    gf_edges_shuffle(&e, 11);
    return e;
}

static void sweep(bool wrapped, bool cyclic)
{
    gf_edges e = make_edges(cyclic);
    gf_host h;
    gf_host_init(&h, &e);
    for (operation op = OP_NONE; op < OP_COUNT; op++) {
        scenario s = {&e, &h, wrapped, op, OTAPRIO_OK, NULL, 0};
        /* The reference run, default allocator. */
        int status;
        otaprio_graph *g = make_graph(&s, NULL, &status);
        assert_non_null(g);
        s.expected = gf_alloc((size_t)e.node_count * sizeof(uint32_t) + 1);
        s.expected_status = run(&s, g, s.expected, &s.expected_bytes);
        assert_true(
            s.expected_status == OTAPRIO_OK ||
            (op == OP_ORDER && cyclic && s.expected_status == OTAPRIO_E_CYCLE));
        otaprio_graph_free(g);
        long points = alloc_fail_sweep(traverse, &s, OTAPRIO_E_NOMEM);
        assert_true(points >= 1);
        free(s.expected);
    }
    gf_host_free(&h);
    gf_edges_free(&e);
}

static void built_graphs_survive_every_allocation_failure(void **state)
{
    (void)state;
    sweep(false, false);
    sweep(false, true);
}

static void wrapped_graphs_survive_every_allocation_failure(void **state)
{
    (void)state;
    sweep(true, false);
    sweep(true, true);
}

/* A refused batch must not change the builder even when it is refused
 * for want of memory. */
static int add_after_failure(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_graph_builder *b = NULL;
    int status = otaprio_graph_builder_create(100, allocator, &b, NULL);
    if (status != OTAPRIO_OK)
        return status;
    uint32_t from[99], to[99];
    for (uint32_t i = 0; i < 99; i++) {
        from[i] = i;
        to[i] = i + 1;
    }
    size_t held = 0;
    for (size_t at = 0; at < 99 && status == OTAPRIO_OK; at += 33) {
        status =
            otaprio_graph_builder_add_edges(b, from + at, to + at, 33, NULL);
        if (status == OTAPRIO_OK)
            held += 33;
    }
    otaprio_graph *g = NULL;
    int built = otaprio_graph_builder_build(b, &g, NULL);
    if (built == OTAPRIO_OK) {
        assert_int_equal(otaprio_graph_edge_count(g), held);
        otaprio_graph_free(g);
    } else if (status == OTAPRIO_OK) {
        status = built;
    }
    otaprio_graph_builder_free(b);
    return status;
}

static void builders_are_unchanged_by_failed_batches(void **state)
{
    (void)state;
    assert_true(alloc_fail_sweep(add_after_failure, NULL, OTAPRIO_E_NOMEM) >=
                3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(built_graphs_survive_every_allocation_failure),
        cmocka_unit_test(wrapped_graphs_survive_every_allocation_failure),
        cmocka_unit_test(builders_are_unchanged_by_failed_batches),
    };
    return cmocka_run_group_tests_name("graph_alloc", tests, NULL, NULL);
}
