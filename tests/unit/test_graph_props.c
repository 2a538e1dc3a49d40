/* SPDX-License-Identifier: MIT */
/*
 * Properties of graph answers on seeded random graphs: orders respect
 * every edge, cycles are real and exist exactly when there is no order,
 * component numbers respect edges and match mutual reachability, forward
 * and backward reach agree, answers do not depend on the order edges were
 * added in nor on whether the graph was built or wrapped, and a path of a
 * million nodes is walked without deep recursion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_fixture.h"

/* Everything one handle says about a graph, to compare handles. */
typedef struct snapshot {
    uint32_t n;
    int order_status;
    uint32_t *order;
    uint32_t *cycle;
    size_t cycle_length;
    uint32_t *component;
    uint32_t component_count;
    uint8_t *reached[2]; /* from a fixed source set, each direction */
    uint32_t *neighbours[2];
    size_t *neighbour_count[2];
} snapshot;

static void take(snapshot *s, otaprio_graph *g, bool backward)
{
    uint32_t n = otaprio_graph_node_count(g);
    memset(s, 0, sizeof *s);
    s->n = n;
    s->order = gf_alloc((size_t)n * sizeof *s->order);
    s->order_status = otaprio_graph_order(g, s->order, NULL);
    s->cycle = gf_alloc((size_t)n * sizeof *s->cycle);
    assert_int_equal(
        otaprio_graph_find_cycle(g, s->cycle, n, &s->cycle_length, NULL),
        OTAPRIO_OK);
    s->component = gf_alloc((size_t)n * sizeof *s->component);
    assert_int_equal(
        otaprio_graph_scc(g, s->component, &s->component_count, NULL),
        OTAPRIO_OK);
    uint32_t sources[3] = {0, n / 2, n - 1};
    for (int d = 0; d < (backward ? 2 : 1); d++) {
        s->reached[d] = gf_alloc(n);
        uint64_t hits = 0;
        assert_int_equal(otaprio_graph_reach(g, d, sources, n ? 3 : 0,
                                             s->reached[d], &hits, NULL),
                         OTAPRIO_OK);
        /* The list form names exactly the marked nodes, each once, the
         * sources first (breadth-first order). */
        uint32_t *list = gf_alloc(((size_t)n + 1) * sizeof *list);
        size_t listed = 0;
        assert_int_equal(otaprio_graph_reach_list(g, d, sources, n ? 3 : 0,
                                                  list, n, &listed, NULL),
                         OTAPRIO_OK);
        assert_int_equal(listed, hits);
        unsigned char *seen = gf_alloc((size_t)n + 1);
        memset(seen, 0, (size_t)n + 1);
        for (size_t i = 0; i < listed; i++) {
            assert_true(list[i] < n);
            assert_int_equal(s->reached[d][list[i]], 1);
            assert_int_equal(seen[list[i]], 0);
            seen[list[i]] = 1;
        }
        if (n != 0)
            assert_true(list[0] == sources[0]);
        free(seen);
        free(list);
        /* Every neighbour list, concatenated. */
        size_t total = 0;
        s->neighbour_count[d] = gf_alloc(((size_t)n + 1) * sizeof(size_t));
        for (uint32_t v = 0; v < n; v++) {
            size_t count = 99;
            int status =
                otaprio_graph_neighbours(g, v, d, NULL, 0, &count, NULL);
            assert_int_equal(status, count == 0 ? OTAPRIO_OK : OTAPRIO_E_RANGE);
            s->neighbour_count[d][v] = count;
            total += count;
        }
        s->neighbours[d] = gf_alloc((total + 1) * sizeof(uint32_t));
        size_t at = 0;
        for (uint32_t v = 0; v < n; v++) {
            size_t count;
            assert_int_equal(otaprio_graph_neighbours(
                                 g, v, d, s->neighbours[d] + at,
                                 s->neighbour_count[d][v], &count, NULL),
                             OTAPRIO_OK);
            assert_int_equal(count, s->neighbour_count[d][v]);
            at += count;
        }
    }
}

static void release(snapshot *s)
{
    free(s->order);
    free(s->cycle);
    free(s->component);
    for (int d = 0; d < 2; d++) {
        free(s->reached[d]);
        free(s->neighbours[d]);
        free(s->neighbour_count[d]);
    }
}

static void assert_same(const snapshot *a, const snapshot *b, bool backward)
{
    size_t n = a->n;
    assert_int_equal(a->n, b->n);
    if (n == 0)
        return;
    assert_int_equal(a->order_status, b->order_status);
    if (a->order_status == OTAPRIO_OK)
        assert_memory_equal(a->order, b->order, n * sizeof *a->order);
    assert_int_equal(a->cycle_length, b->cycle_length);
    if (a->cycle_length != 0)
        assert_memory_equal(a->cycle, b->cycle,
                            a->cycle_length * sizeof *a->cycle);
    assert_int_equal(a->component_count, b->component_count);
    assert_memory_equal(a->component, b->component, n * sizeof *a->component);
    for (int d = 0; d < (backward ? 2 : 1); d++) {
        assert_memory_equal(a->reached[d], b->reached[d], n);
        size_t total = 0;
        for (size_t v = 0; v < n; v++) {
            assert_int_equal(a->neighbour_count[d][v],
                             b->neighbour_count[d][v]);
            total += a->neighbour_count[d][v];
        }
        if (total != 0)
            assert_memory_equal(a->neighbours[d], b->neighbours[d],
                                total * sizeof(uint32_t));
    }
}

/* Random graphs of every shape the tests loop over. */
typedef struct shape {
    uint32_t n;
    size_t m;
    bool acyclic;
} shape;

static const shape shapes[] = {
    {1, 0, true},         {2, 1, true},        {7, 12, false},
    {50, 120, true},      {50, 60, false},     {300, 900, true},
    {300, 330, false},    {1000, 1200, false}, {2000, 8000, true},
    {64, 64 * 63, false},
};
enum { SHAPES = sizeof shapes / sizeof shapes[0] };

static gf_edges shape_edges(size_t i, uint64_t seed)
{
    return gf_random(shapes[i].n, shapes[i].m, shapes[i].acyclic,
                     seed * 1000 + i);
}

static void orders_respect_edges_and_cycles_are_real(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        for (size_t i = 0; i < SHAPES; i++) {
            gf_edges e = shape_edges(i, seed);
            gf_host h;
            gf_host_init(&h, &e);
            otaprio_graph *g = gf_build(&e, seed);
            uint32_t n = e.node_count;
            uint32_t *order = gf_alloc((size_t)n * sizeof *order);
            uint32_t *cycle = gf_alloc((size_t)n * sizeof *cycle);
            size_t length = 1;
            assert_int_equal(
                otaprio_graph_find_cycle(g, cycle, n, &length, NULL),
                OTAPRIO_OK);
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            memset(order, 0xEE, (size_t)n * sizeof *order);
            int status = otaprio_graph_order(g, order, &diag);
            if (length == 0) {
                assert_int_equal(status, OTAPRIO_OK);
                gf_check_order(&e, order);
            } else {
                assert_int_equal(status, OTAPRIO_E_CYCLE);
                gf_check_cycle(&h, cycle, length);
                assert_int_equal(diag.index, cycle[0]);
                for (uint32_t v = 0; v < n; v++) /* untouched */
                    assert_int_equal(order[v], 0xEEEEEEEEu);
            }
            if (shapes[i].acyclic)
                assert_int_equal(length, 0);
            free(order);
            free(cycle);
            otaprio_graph_free(g);
            gf_host_free(&h);
            gf_edges_free(&e);
        }
    }
}

/* Kahn with a first-in first-out queue seeded in ascending id order, as
 * documented: 3 -> 1, 0 -> 2, 2 -> 1 gives 0 3 2 1. */
static void order_is_the_documented_kahn_order(void **state)
{
    (void)state;
    uint32_t from[] = {3, 0, 2}, to[] = {1, 2, 1};
    gf_edges e = gf_copy(4, from, to, 3);
    otaprio_graph *g = gf_build(&e, 0);
    uint32_t order[4];
    assert_int_equal(otaprio_graph_order(g, order, NULL), OTAPRIO_OK);
    uint32_t expected[4] = {0, 3, 2, 1};
    assert_memory_equal(order, expected, sizeof order);
    otaprio_graph_free(g);
    gf_edges_free(&e);
}

static void cycle_message_names_the_cycle(void **state)
{
    (void)state;
    /* 0 -> 4 -> 9 -> 4: the search from 0 meets 4 again. */
    uint32_t from[] = {9, 0, 4, 1}, to[] = {4, 4, 9, 0};
    gf_edges e = gf_copy(10, from, to, 4);
    otaprio_graph *g = gf_build(&e, 0);
    uint32_t order[10];
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_graph_order(g, order, &diag), OTAPRIO_E_CYCLE);
    assert_string_equal(diag.message, "cycle: 4 -> 9 -> 4");
    assert_int_equal(diag.index, 4);
    uint32_t cycle[2];
    size_t length;
    assert_int_equal(otaprio_graph_find_cycle(g, cycle, 2, &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 2);
    assert_int_equal(cycle[0], 4);
    assert_int_equal(cycle[1], 9);
    otaprio_graph_free(g);
    gf_edges_free(&e);
}

static void components_are_mutual_reachability(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        for (size_t i = 0; i < SHAPES; i++) {
            if (shapes[i].n > 300)
                continue; /* n reaches: quadratic */
            gf_edges e = shape_edges(i, seed);
            otaprio_graph *g = gf_build(&e, seed);
            uint32_t n = e.node_count, count;
            uint32_t *component = gf_alloc((size_t)n * sizeof *component);
            assert_int_equal(otaprio_graph_scc(g, component, &count, NULL),
                             OTAPRIO_OK);
            for (size_t k = 0; k < e.count; k++)
                assert_true(component[e.from[k]] <= component[e.to[k]]);
            uint8_t *reach = gf_alloc((size_t)n * n);
            for (uint32_t u = 0; u < n; u++)
                assert_int_equal(otaprio_graph_reach(g, 0, &u, 1,
                                                     reach + (size_t)u * n,
                                                     NULL, NULL),
                                 OTAPRIO_OK);
            uint32_t *seen = gf_alloc(((size_t)n + 1) * sizeof *seen);
            memset(seen, 0, ((size_t)n + 1) * sizeof *seen);
            for (uint32_t u = 0; u < n; u++) {
                assert_true(component[u] < count);
                seen[component[u]] = 1;
                for (uint32_t v = 0; v < n; v++) {
                    bool mutual =
                        reach[(size_t)u * n + v] && reach[(size_t)v * n + u];
                    assert_int_equal(component[u] == component[v], mutual);
                }
            }
            for (uint32_t c = 0; c < count; c++)
                assert_int_equal(seen[c], 1); /* numbers are dense */
            if (shapes[i].acyclic)
                assert_int_equal(count, n);
            free(seen);
            free(reach);
            free(component);
            otaprio_graph_free(g);
            gf_edges_free(&e);
        }
    }
}

/* v is reached forward from S exactly when v's backward reach meets S. */
static void forward_reach_is_backward_reach_reversed(void **state)
{
    (void)state;
    for (size_t i = 0; i < SHAPES; i++) {
        if (shapes[i].n > 300)
            continue;
        gf_edges e = shape_edges(i, 9);
        otaprio_graph *g = gf_build(&e, 9);
        uint32_t n = e.node_count;
        uint64_t s = i;
        uint32_t sources[4];
        uint8_t *in_s = gf_alloc(n);
        memset(in_s, 0, n);
        for (int k = 0; k < 4; k++) {
            sources[k] = splitmix_below(&s, n);
            in_s[sources[k]] = 1;
        }
        uint8_t *forward = gf_alloc(n), *backward = gf_alloc(n);
        uint64_t count = 0, marked = 0;
        assert_int_equal(otaprio_graph_reach(g, OTAPRIO_DIRECTION_FORWARD,
                                             sources, 4, forward, &count, NULL),
                         OTAPRIO_OK);
        for (uint32_t v = 0; v < n; v++) {
            assert_int_equal(otaprio_graph_reach(g, OTAPRIO_DIRECTION_BACKWARD,
                                                 &v, 1, backward, NULL, NULL),
                             OTAPRIO_OK);
            uint8_t meets = 0;
            for (uint32_t u = 0; u < n; u++)
                meets |= backward[u] & in_s[u];
            assert_int_equal(forward[v], meets);
            marked += forward[v];
        }
        assert_int_equal(count, marked);
        free(in_s);
        free(forward);
        free(backward);
        otaprio_graph_free(g);
        gf_edges_free(&e);
    }
}

static void answers_ignore_insertion_order_and_batches(void **state)
{
    (void)state;
    for (size_t i = 0; i < SHAPES; i++) {
        gf_edges e = shape_edges(i, 4);
        otaprio_graph *g = gf_build(&e, 1);
        snapshot first;
        take(&first, g, true);
        otaprio_graph_free(g);
        for (uint64_t round = 0; round < 3; round++) {
            gf_edges_shuffle(&e, 100 + round);
            g = gf_build(&e, 200 + round);
            snapshot again;
            take(&again, g, true);
            assert_same(&first, &again, true);
            release(&again);
            otaprio_graph_free(g);
        }
        release(&first);
        gf_edges_free(&e);
    }
}

static void wrapped_graphs_answer_like_built_ones(void **state)
{
    (void)state;
    for (size_t i = 0; i < SHAPES; i++) {
        gf_edges e = shape_edges(i, 5);
        gf_host h;
        gf_host_init(&h, &e);
        otaprio_graph *built = gf_build(&e, 5);
        otaprio_graph *wrapped = gf_wrap(&h, true);
        assert_int_equal(otaprio_graph_edge_count(wrapped), 0);
        snapshot a, b;
        take(&a, built, true);
        take(&b, wrapped, true);
        assert_same(&a, &b, true);
        /* Built rows are the host's sorted rows. */
        for (int d = 0; d < 2; d++) {
            size_t total = h.rows[d][e.node_count];
            if (total != 0)
                assert_memory_equal(a.neighbours[d], h.ids[d],
                                    total * sizeof(uint32_t));
        }
        release(&a);
        release(&b);
        otaprio_graph_free(built);
        otaprio_graph_free(wrapped);
        gf_host_free(&h);
        gf_edges_free(&e);
    }
}

/* A host may list a neighbour twice or a node as its own neighbour: the
 * graph is what it describes. */
static int odd_successors(void *user, uint32_t node, uint32_t *buffer,
                          size_t capacity, size_t *count)
{
    (void)user;
    /* 0 -> 1 twice, 1 -> 2, 2 -> 2 (self-loop) when user says so. */
    static const uint32_t rows[3][2] = {{1, 1}, {2, 0}, {2, 0}};
    static const size_t counts[3] = {2, 1, 1};
    size_t n = node == 2 && user == NULL ? 0 : counts[node];
    *count = n;
    if (n <= capacity)
        memcpy(buffer, rows[node], n * sizeof *buffer);
    return 0;
}

static void wrapped_repeats_and_self_loops_are_honoured(void **state)
{
    (void)state;
    int loop = 1;
    for (int with_loop = 0; with_loop < 2; with_loop++) {
        otaprio_graph_callbacks cb;
        otaprio_graph_callbacks_init(&cb);
        cb.node_count = 3;
        cb.successors = odd_successors;
        cb.user = with_loop ? &loop : NULL;
        otaprio_graph *g = NULL;
        assert_int_equal(otaprio_graph_wrap(&cb, NULL, &g, NULL), OTAPRIO_OK);
        uint32_t order[3], cycle[3], component[3], count;
        size_t length;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio_graph_find_cycle(g, cycle, 3, &length, NULL),
                         OTAPRIO_OK);
        assert_int_equal(otaprio_graph_scc(g, component, &count, NULL),
                         OTAPRIO_OK);
        assert_int_equal(count, 3);
        assert_true(component[0] < component[1]);
        assert_true(component[1] < component[2]);
        if (!with_loop) {
            assert_int_equal(length, 0);
            assert_int_equal(otaprio_graph_order(g, order, NULL), OTAPRIO_OK);
            uint32_t expected[3] = {0, 1, 2};
            assert_memory_equal(order, expected, sizeof order);
        } else {
            assert_int_equal(length, 1);
            assert_int_equal(cycle[0], 2);
            assert_int_equal(otaprio_graph_order(g, order, &diag),
                             OTAPRIO_E_CYCLE);
            assert_string_equal(diag.message, "cycle: 2 -> 2");
        }
        otaprio_graph_free(g);
    }
}

static void empty_and_edgeless_graphs(void **state)
{
    (void)state;
    uint32_t sentinel = 0xABCD;
    for (uint32_t n = 0; n < 6; n += 5) {
        gf_edges e = gf_copy(n, NULL, NULL, 0);
        otaprio_graph *g = gf_build(&e, 0);
        assert_int_equal(otaprio_graph_node_count(g), n);
        assert_int_equal(otaprio_graph_edge_count(g), 0);
        uint32_t order[5] = {sentinel}, component[5], count = 99;
        assert_int_equal(otaprio_graph_order(g, order, NULL), OTAPRIO_OK);
        assert_int_equal(otaprio_graph_scc(g, component, &count, NULL),
                         OTAPRIO_OK);
        assert_int_equal(count, n);
        size_t length = 7;
        assert_int_equal(otaprio_graph_find_cycle(g, NULL, 0, &length, NULL),
                         OTAPRIO_OK);
        assert_int_equal(length, 0);
        uint8_t reached[5];
        uint64_t hits = 99;
        assert_int_equal(
            otaprio_graph_reach(g, 0, NULL, 0, reached, &hits, NULL),
            OTAPRIO_OK);
        assert_int_equal(hits, 0);
        if (n == 0) {
            assert_int_equal(order[0], sentinel); /* nothing to write */
        } else {
            for (uint32_t v = 0; v < n; v++) {
                assert_int_equal(order[v], v);
                assert_int_equal(reached[v], 0);
                for (uint32_t u = 0; u < v; u++)
                    assert_int_not_equal(component[u], component[v]);
            }
        }
        otaprio_graph_free(g);
        gf_edges_free(&e);
    }
}

/* ---- a path of a million nodes: no recursion anywhere ----------------- */

enum { DEEP = 1000000 };

static void check_deep(otaprio_graph *g, bool closed)
{
    uint32_t *buffer = gf_alloc((size_t)DEEP * sizeof *buffer);
    uint32_t count = 0;
    assert_int_equal(otaprio_graph_scc(g, buffer, &count, NULL), OTAPRIO_OK);
    assert_int_equal(count, closed ? 1 : DEEP);
    for (uint32_t v = 0; v < DEEP; v++)
        assert_int_equal(buffer[v], closed ? 0 : v);
    size_t length = 0;
    assert_int_equal(otaprio_graph_find_cycle(g, buffer, DEEP, &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, closed ? DEEP : 0);
    for (size_t v = 0; v < length; v++)
        assert_int_equal(buffer[v], v);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_graph_order(g, buffer, &diag);
    if (closed) {
        assert_int_equal(status, OTAPRIO_E_CYCLE);
        const char *tail = " -> ... -> 0";
        size_t k = strlen(diag.message), t = strlen(tail);
        assert_true(k > t);
        assert_string_equal(diag.message + k - t, tail);
    } else {
        assert_int_equal(status, OTAPRIO_OK);
        for (uint32_t v = 0; v < DEEP; v++)
            assert_int_equal(buffer[v], v);
    }
    uint8_t *reached = gf_alloc(DEEP);
    uint64_t hits = 0;
    uint32_t last = DEEP - 1;
    assert_int_equal(otaprio_graph_reach(g, 1, &last, 1, reached, &hits, NULL),
                     OTAPRIO_OK);
    assert_int_equal(hits, DEEP);
    free(reached);
    free(buffer);
}

static void million_node_paths_need_no_recursion(void **state)
{
    (void)state;
    gf_edges e = {DEEP, DEEP - 1, gf_alloc((size_t)DEEP * sizeof(uint32_t)),
                  gf_alloc((size_t)DEEP * sizeof(uint32_t))};
    for (uint32_t v = 0; v + 1 < DEEP; v++) {
        e.from[v] = v;
        e.to[v] = v + 1;
    }
    gf_edges_shuffle(&e, 3);
    for (int closed = 0; closed < 2; closed++) {
        if (closed) { /* DEEP - 1 -> 0 closes one cycle through every node */
            e.from[e.count] = DEEP - 1;
            e.to[e.count] = 0;
            e.count++;
        }
        otaprio_graph *g = gf_build(&e, 0);
        check_deep(g, closed);
        otaprio_graph_free(g);
        gf_host h;
        gf_host_init(&h, &e);
        g = gf_wrap(&h, true);
        check_deep(g, closed);
        otaprio_graph_free(g);
        gf_host_free(&h);
    }
    gf_edges_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(orders_respect_edges_and_cycles_are_real),
        cmocka_unit_test(order_is_the_documented_kahn_order),
        cmocka_unit_test(cycle_message_names_the_cycle),
        cmocka_unit_test(components_are_mutual_reachability),
        cmocka_unit_test(forward_reach_is_backward_reach_reversed),
        cmocka_unit_test(answers_ignore_insertion_order_and_batches),
        cmocka_unit_test(wrapped_graphs_answer_like_built_ones),
        cmocka_unit_test(wrapped_repeats_and_self_loops_are_honoured),
        cmocka_unit_test(empty_and_edgeless_graphs),
        cmocka_unit_test(million_node_paths_need_no_recursion),
    };
    return cmocka_run_group_tests_name("graph_props", tests, NULL, NULL);
}
