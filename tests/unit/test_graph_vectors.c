/* SPDX-License-Identifier: MIT */
/*
 * Known answers from networkx (tests/vectors/gen_graph_vectors.py):
 * reachable sets and strongly connected components exactly, acyclicity,
 * for each vector graph built and wrapped. Orders and cycles have many
 * right answers, so they are checked for validity, and built and wrapped
 * graphs must give the same ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_fixture.h"
#include "vectors/graph_vectors.h"

enum { VECTOR_COUNT = sizeof graph_vectors / sizeof graph_vectors[0] };

/* The answers one graph handle gives, kept to compare handles. */
typedef struct answers {
    int order_status;
    uint32_t *order;
    uint32_t *component;
    uint32_t component_count;
    uint32_t *cycle;
    size_t cycle_length;
} answers;

static void answers_free(answers *a)
{
    free(a->order);
    free(a->component);
    free(a->cycle);
}

static void check_order(const graph_vector *v, const gf_edges *e,
                        const gf_host *h, otaprio_graph *g, answers *a)
{
    uint32_t n = v->node_count;
    a->order = gf_alloc((size_t)n * sizeof *a->order);
    a->cycle = gf_alloc(((size_t)n + 1) * sizeof *a->cycle);
    assert_int_equal(
        otaprio_graph_find_cycle(g, a->cycle, n, &a->cycle_length, NULL),
        OTAPRIO_OK);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    a->order_status = otaprio_graph_order(g, a->order, &diag);
    if (v->is_dag) {
        assert_int_equal(a->order_status, OTAPRIO_OK);
        assert_int_equal(a->cycle_length, 0);
        gf_check_order(e, a->order);
        return;
    }
    assert_int_equal(a->order_status, OTAPRIO_E_CYCLE);
    assert_int_equal(diag.status, OTAPRIO_E_CYCLE);
    assert_true(a->cycle_length >= 2); /* built graphs have no self-loops */
    gf_check_cycle(h, a->cycle, a->cycle_length);
    /* The order names the cycle find_cycle returns. */
    assert_int_equal(diag.index, a->cycle[0]);
    assert_memory_equal(diag.message, "cycle: ", 7);
}

static void check_components(const graph_vector *v, const gf_edges *e,
                             otaprio_graph *g, answers *a)
{
    uint32_t n = v->node_count;
    a->component = gf_alloc((size_t)n * sizeof *a->component);
    assert_int_equal(
        otaprio_graph_scc(g, a->component, &a->component_count, NULL),
        OTAPRIO_OK);
    assert_int_equal(a->component_count, v->component_count);
    /* Same partition: each component's smallest node is the smallest node
     * networkx puts with each of its members. */
    uint32_t *smallest = gf_alloc(((size_t)n + 1) * sizeof *smallest);
    memset(smallest, 0xFF, ((size_t)n + 1) * sizeof *smallest);
    for (uint32_t u = 0; u < n; u++) {
        assert_true(a->component[u] < a->component_count);
        if (smallest[a->component[u]] == UINT32_MAX)
            smallest[a->component[u]] = u; /* ascending u: the smallest */
    }
    for (uint32_t u = 0; u < n; u++)
        assert_int_equal(smallest[a->component[u]], v->scc_min[u]);
    free(smallest);
    /* Numbered in a topological order of the condensation. */
    for (size_t i = 0; i < e->count; i++) {
        uint32_t cu = a->component[e->from[i]], cv = a->component[e->to[i]];
        if (v->scc_min[e->from[i]] == v->scc_min[e->to[i]])
            assert_int_equal(cu, cv);
        else
            assert_true(cu < cv);
    }
}

static void check_reach(const graph_vector *v, otaprio_graph *g)
{
    uint32_t n = v->node_count;
    uint8_t *reached = gf_alloc(n);
    uint8_t *expected = gf_alloc(n);
    for (size_t q = 0; q < v->query_count; q++) {
        const graph_vector_query *query = &v->queries[q];
        memset(expected, 0, n);
        for (size_t i = 0; i < query->reached_count; i++)
            expected[query->reached[i]] = 1;
        memset(reached, 0xAA, n);
        uint64_t count = 12345;
        assert_int_equal(
            otaprio_graph_reach(g, query->direction, query->sources,
                                query->source_count, reached, &count, NULL),
            OTAPRIO_OK);
        assert_int_equal(count, query->reached_count);
        if (n != 0)
            assert_memory_equal(reached, expected, n);
    }
    free(reached);
    free(expected);
}

static void check_graph(const graph_vector *v, const gf_edges *e,
                        const gf_host *h, otaprio_graph *g, answers *a)
{
    assert_int_equal(otaprio_graph_node_count(g), v->node_count);
    check_order(v, e, h, g, a);
    check_components(v, e, g, a);
    check_reach(v, g);
}

static void vectors_match_networkx(void **state)
{
    (void)state;
    for (size_t i = 0; i < VECTOR_COUNT; i++) {
        const graph_vector *v = &graph_vectors[i];
        print_message("graph %s\n", v->name);
        gf_edges e = gf_copy(v->node_count, v->from, v->to, v->edge_count);
        gf_host host;
        gf_host_init(&host, &e);
        otaprio_graph *built = gf_build(&e, i);
        otaprio_graph *wrapped = gf_wrap(&host, true);
        answers a = {0}, b = {0};
        check_graph(v, &e, &host, built, &a);
        check_graph(v, &e, &host, wrapped, &b);

        /* A host that lists neighbours in ascending order sees the same
         * answers from a wrapped handle as from a built one. */
        size_t n = v->node_count;
        assert_int_equal(a.order_status, b.order_status);
        if (a.order_status == OTAPRIO_OK && n != 0)
            assert_memory_equal(a.order, b.order, n * sizeof *a.order);
        assert_int_equal(a.cycle_length, b.cycle_length);
        if (a.cycle_length != 0)
            assert_memory_equal(a.cycle, b.cycle,
                                a.cycle_length * sizeof *a.cycle);
        if (n != 0)
            assert_memory_equal(a.component, b.component,
                                n * sizeof *a.component);

        answers_free(&a);
        answers_free(&b);
        otaprio_graph_free(built);
        otaprio_graph_free(wrapped);
        gf_host_free(&host);
        gf_edges_free(&e);
    }
}

/* The generator covers what it claims to: both kinds of graph, and
 * reachable sets that are neither empty nor everything. */
static void vectors_cover_the_cases(void **state)
{
    (void)state;
    int dags = 0, cyclic = 0, partial = 0, nontrivial_scc = 0;
    for (size_t i = 0; i < VECTOR_COUNT; i++) {
        const graph_vector *v = &graph_vectors[i];
        v->is_dag ? dags++ : cyclic++;
        nontrivial_scc += v->component_count < v->node_count;
        for (size_t q = 0; q < v->query_count; q++)
            partial +=
                v->queries[q].reached_count > v->queries[q].source_count &&
                v->queries[q].reached_count < v->node_count;
    }
    assert_true(dags >= 3);
    assert_true(cyclic >= 3);
    assert_true(nontrivial_scc >= 3);
    assert_true(partial >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors_match_networkx),
        cmocka_unit_test(vectors_cover_the_cases),
    };
    return cmocka_run_group_tests_name("graph_vectors", tests, NULL, NULL);
}
