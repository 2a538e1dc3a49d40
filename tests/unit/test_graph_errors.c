/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the graph layer: unknown ids, self-loops, duplicate edges,
 * too many nodes or edges (refused before the arrays are read), NULL
 * pointers, unknown directions, too small buffers, and hosts whose
 * callbacks fail, give ids that are not nodes, need more room than they
 * are given, or change their answers. Every failure returns its
 * documented status, says what was wrong, and leaves outputs untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_fixture.h"

#define FAILS(call, expected, field_name)              \
    do {                                               \
        otaprio_diag_init(&diag);                      \
        assert_int_equal((call), (expected));          \
        assert_int_equal(diag.status, (expected));     \
        assert_string_equal(diag.field, (field_name)); \
        assert_true(diag.message[0] != '\0');          \
    } while (0)

static otaprio_graph *const UNTOUCHED = (otaprio_graph *)&UNTOUCHED;

static void *small_alloc_for_create(void *user, size_t bytes)
{
    (void)user;
    return malloc(bytes);
}

/* ---- builder ------------------------------------------------------------ */

static void builder_create_rejects_bad_arguments(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_graph_builder *b = (otaprio_graph_builder *)&diag;
    FAILS(otaprio_graph_builder_create(3, NULL, NULL, &diag), OTAPRIO_E_INVALID,
          "builder");
    FAILS(otaprio_graph_builder_create(OTAPRIO_GRAPH_MAX_NODES + 1, NULL, &b,
                                       &diag),
          OTAPRIO_E_OVERFLOW, "node_count");
    assert_ptr_equal(b, (otaprio_graph_builder *)&diag);
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.size = 1;
    FAILS(otaprio_graph_builder_create(3, &allocator, &b, &diag),
          OTAPRIO_E_STRUCT_SIZE, "size");
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = small_alloc_for_create;
    FAILS(otaprio_graph_builder_create(3, &allocator, &b, &diag),
          OTAPRIO_E_INVALID, "allocator");
    /* The largest graph is allowed: nothing is allocated per node yet. */
    assert_int_equal(
        otaprio_graph_builder_create(OTAPRIO_GRAPH_MAX_NODES, NULL, &b, NULL),
        OTAPRIO_OK);
    otaprio_graph_builder_free(b);
    otaprio_graph_builder_free(NULL);
}

/* Builds and checks the builder still holds exactly `expected` edges. */
static void assert_holds(otaprio_graph_builder *b, uint64_t expected)
{
    otaprio_graph *g = NULL;
    assert_int_equal(otaprio_graph_builder_build(b, &g, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio_graph_edge_count(g), expected);
    otaprio_graph_free(g);
}

static void add_edges_validates_the_whole_batch_first(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_graph_builder *b = NULL;
    assert_int_equal(otaprio_graph_builder_create(5, NULL, &b, NULL),
                     OTAPRIO_OK);
    uint32_t from[] = {0, 1, 2, 3}, to[] = {1, 2, 3, 4};
    assert_int_equal(otaprio_graph_builder_add_edges(b, from, to, 2, NULL),
                     OTAPRIO_OK);

    uint32_t bad_from[] = {0, 1, 5, 2}, bad_to[] = {4, 3, 0, 9};
    FAILS(otaprio_graph_builder_add_edges(b, bad_from, bad_to, 4, &diag),
          OTAPRIO_E_RANGE, "from");
    assert_int_equal(diag.index, 2);
    bad_from[2] = 1;
    FAILS(otaprio_graph_builder_add_edges(b, bad_from, bad_to, 4, &diag),
          OTAPRIO_E_RANGE, "to");
    assert_int_equal(diag.index, 3);
    uint32_t loop_from[] = {0, 3}, loop_to[] = {2, 3};
    FAILS(otaprio_graph_builder_add_edges(b, loop_from, loop_to, 2, &diag),
          OTAPRIO_E_INVALID, "to");
    assert_int_equal(diag.index, 1);
    FAILS(otaprio_graph_builder_add_edges(b, NULL, to, 1, &diag),
          OTAPRIO_E_INVALID, "from");
    FAILS(otaprio_graph_builder_add_edges(b, from, NULL, 1, &diag),
          OTAPRIO_E_INVALID, "to");
    FAILS(otaprio_graph_builder_add_edges(NULL, from, to, 1, &diag),
          OTAPRIO_E_INVALID, "builder");
    /* Nothing of a refused batch was kept. */
    assert_holds(b, 2);
    assert_int_equal(otaprio_graph_builder_add_edges(b, NULL, NULL, 0, NULL),
                     OTAPRIO_OK);
    assert_holds(b, 2);
    otaprio_graph_builder_free(b);
}

static void too_many_edges_are_refused_before_reading(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_graph_builder *b = NULL;
    assert_int_equal(otaprio_graph_builder_create(4, NULL, &b, NULL),
                     OTAPRIO_OK);
    /* One-element arrays with counts that would read far past them: under
     * ASan any read past the first element is a finding. */
    uint32_t from[1] = {0}, to[1] = {1};
    FAILS(otaprio_graph_builder_add_edges(b, from, to, SIZE_MAX, &diag),
          OTAPRIO_E_OVERFLOW, "count");
    FAILS(otaprio_graph_builder_add_edges(
              b, from, to, (size_t)OTAPRIO_GRAPH_MAX_EDGES + 1, &diag),
          OTAPRIO_E_OVERFLOW, "count");
    assert_int_equal(otaprio_graph_builder_add_edges(b, from, to, 1, NULL),
                     OTAPRIO_OK);
    /* With one edge held, the limit is one lower. */
    FAILS(otaprio_graph_builder_add_edges(b, from, to, OTAPRIO_GRAPH_MAX_EDGES,
                                          &diag),
          OTAPRIO_E_OVERFLOW, "count");
    assert_holds(b, 1);
    otaprio_graph_builder_free(b);
}

/* Adds the edges in one batch, builds, and expects a duplicate. */
static void expect_duplicate(const uint32_t *from, const uint32_t *to,
                             size_t count, int64_t index, const char *names)
{
    otaprio_graph_builder *b = NULL;
    assert_int_equal(otaprio_graph_builder_create(10, NULL, &b, NULL),
                     OTAPRIO_OK);
    /* In two batches: the index counts every edge added. */
    size_t half = count / 2;
    assert_int_equal(otaprio_graph_builder_add_edges(b, from, to, half, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_graph_builder_add_edges(b, from + half, to + half,
                                                     count - half, NULL),
                     OTAPRIO_OK);
    otaprio_graph *g = UNTOUCHED;
    otaprio_diag diag;
    FAILS(otaprio_graph_builder_build(b, &g, &diag), OTAPRIO_E_DUPLICATE,
          "edges");
    assert_ptr_equal(g, UNTOUCHED);
    assert_int_equal(diag.index, index);
    assert_non_null(strstr(diag.message, names));
    otaprio_graph_builder_free(b);
}

static void duplicates_report_the_first_repeat(void **state)
{
    (void)state;
    uint32_t f1[] = {0, 1, 0}, t1[] = {1, 2, 1};
    expect_duplicate(f1, t1, 3, 2,
                     "edge 0 -> 1 was added twice, at "
                     "positions 0 and 2");
    /* The first edge to repeat an earlier one, not the smallest pair. */
    uint32_t f2[] = {5, 1, 5, 1}, t2[] = {6, 2, 6, 2};
    expect_duplicate(f2, t2, 4, 2, "5 -> 6");
    uint32_t f3[] = {7, 3, 3, 7, 2}, t3[] = {8, 4, 4, 8, 1};
    expect_duplicate(f3, t3, 5, 2, "positions 1 and 2");
    uint32_t f4[] = {0, 0, 0}, t4[] = {1, 1, 1};
    expect_duplicate(f4, t4, 3, 1, "positions 0 and 1");
    /* Opposite edges are not duplicates. */
    gf_edges e = gf_copy(3, (uint32_t[]){0, 1}, (uint32_t[]){1, 0}, 2);
    otaprio_graph *g = gf_build(&e, 0);
    otaprio_graph_free(g);
    gf_edges_free(&e);
}

static void builder_stays_usable_after_build(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_graph_builder *b = NULL;
    assert_int_equal(otaprio_graph_builder_create(3, NULL, &b, NULL),
                     OTAPRIO_OK);
    uint32_t from[] = {0, 1, 0}, to[] = {1, 2, 1};
    assert_int_equal(otaprio_graph_builder_add_edges(b, from, to, 1, NULL),
                     OTAPRIO_OK);
    otaprio_graph *first = NULL, *second = NULL;
    assert_int_equal(otaprio_graph_builder_build(b, &first, NULL), OTAPRIO_OK);
    assert_int_equal(
        otaprio_graph_builder_add_edges(b, from + 1, to + 1, 1, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_graph_builder_build(b, &second, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio_graph_edge_count(first), 1);
    assert_int_equal(otaprio_graph_edge_count(second), 2);
    /* A duplicate makes building fail, adding still works. */
    assert_int_equal(
        otaprio_graph_builder_add_edges(b, from + 2, to + 2, 1, NULL),
        OTAPRIO_OK);
    otaprio_graph *third = UNTOUCHED;
    FAILS(otaprio_graph_builder_build(b, &third, &diag), OTAPRIO_E_DUPLICATE,
          "edges");
    assert_ptr_equal(third, UNTOUCHED);
    otaprio_graph_builder_free(b);
    /* Graphs outlive their builder. */
    uint32_t order[3];
    assert_int_equal(otaprio_graph_order(second, order, NULL), OTAPRIO_OK);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[2], 2);
    otaprio_graph_free(first);
    otaprio_graph_free(second);

    FAILS(otaprio_graph_builder_build(NULL, &third, &diag), OTAPRIO_E_INVALID,
          "builder");
    assert_int_equal(otaprio_graph_builder_create(3, NULL, &b, NULL),
                     OTAPRIO_OK);
    FAILS(otaprio_graph_builder_build(b, NULL, &diag), OTAPRIO_E_INVALID,
          "graph");
    otaprio_graph_builder_free(b);
}

/* ---- wrap --------------------------------------------------------------- */

static int no_successors(void *user, uint32_t node, uint32_t *buffer,
                         size_t capacity, size_t *count)
{
    (void)user;
    (void)node;
    (void)buffer;
    (void)capacity;
    *count = 0;
    return 0;
}

static void wrap_rejects_bad_arguments(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_graph_callbacks cb;
    otaprio_graph *g = UNTOUCHED;
    assert_int_equal((otaprio_graph_callbacks_init)(NULL, sizeof cb),
                     OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_graph_callbacks_init)(&cb, sizeof cb - 1),
                     OTAPRIO_E_STRUCT_SIZE);
    otaprio_graph_callbacks_init(&cb);
    assert_int_equal(cb.size, sizeof cb);
    assert_int_equal(cb.node_count, 0);
    assert_null(cb.successors);
    assert_null(cb.predecessors);
    assert_null(cb.user);
    FAILS(otaprio_graph_wrap(&cb, NULL, &g, &diag), OTAPRIO_E_INVALID,
          "successors");
    cb.successors = no_successors;
    FAILS(otaprio_graph_wrap(NULL, NULL, &g, &diag), OTAPRIO_E_INVALID,
          "callbacks");
    FAILS(otaprio_graph_wrap(&cb, NULL, NULL, &diag), OTAPRIO_E_INVALID,
          "graph");
    cb.node_count = OTAPRIO_GRAPH_MAX_NODES + 1;
    FAILS(otaprio_graph_wrap(&cb, NULL, &g, &diag), OTAPRIO_E_OVERFLOW,
          "node_count");
    cb.node_count = 2;
    cb.size = sizeof cb - 1;
    FAILS(otaprio_graph_wrap(&cb, NULL, &g, &diag), OTAPRIO_E_STRUCT_SIZE,
          "size");
    /* A newer caller's struct with a field this version does not know. */
    struct {
        otaprio_graph_callbacks known;
        uint64_t extra;
    } newer;
    memset(&newer, 0, sizeof newer);
    (otaprio_graph_callbacks_init)(&newer.known, sizeof newer);
    newer.known.successors = no_successors;
    newer.extra = 1;
    FAILS(otaprio_graph_wrap(&newer.known, NULL, &g, &diag),
          OTAPRIO_E_STRUCT_SIZE, "size");
    assert_ptr_equal(g, UNTOUCHED);
    newer.extra = 0;
    assert_int_equal(otaprio_graph_wrap(&newer.known, NULL, &g, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_graph_node_count(g), 0);
    otaprio_graph_free(g);
    otaprio_graph_free(NULL);
    assert_int_equal(otaprio_graph_node_count(NULL), 0);
    assert_int_equal(otaprio_graph_edge_count(NULL), 0);
}

/* ---- traversal arguments ------------------------------------------------ */

static void traversals_reject_bad_arguments(void **state)
{
    (void)state;
    otaprio_diag diag;
    gf_edges e = gf_random(6, 10, true, 1);
    gf_host h;
    gf_host_init(&h, &e);
    otaprio_graph *graphs[2] = {gf_build(&e, 1), gf_wrap(&h, true)};
    for (int k = 0; k < 2; k++) {
        otaprio_graph *g = graphs[k];
        uint32_t ids[6];
        uint8_t bytes[6];
        size_t count = 77;
        uint64_t hits = 77;
        uint32_t components = 77;
        memset(ids, 0xCC, sizeof ids);
        memset(bytes, 0xCC, sizeof bytes);
        FAILS(otaprio_graph_order(NULL, ids, &diag), OTAPRIO_E_INVALID,
              "graph");
        FAILS(otaprio_graph_order(g, NULL, &diag), OTAPRIO_E_INVALID, "order");
        FAILS(otaprio_graph_find_cycle(NULL, ids, 6, &count, &diag),
              OTAPRIO_E_INVALID, "graph");
        FAILS(otaprio_graph_find_cycle(g, ids, 6, NULL, &diag),
              OTAPRIO_E_INVALID, "length");
        FAILS(otaprio_graph_find_cycle(g, NULL, 1, &count, &diag),
              OTAPRIO_E_INVALID, "cycle");
        FAILS(otaprio_graph_scc(NULL, ids, &components, &diag),
              OTAPRIO_E_INVALID, "graph");
        FAILS(otaprio_graph_scc(g, NULL, &components, &diag), OTAPRIO_E_INVALID,
              "component");
        uint32_t source = 0, outside = 6;
        FAILS(otaprio_graph_reach(NULL, 0, &source, 1, bytes, &hits, &diag),
              OTAPRIO_E_INVALID, "graph");
        FAILS(otaprio_graph_reach(g, 0, &source, 1, NULL, &hits, &diag),
              OTAPRIO_E_INVALID, "reached");
        FAILS(otaprio_graph_reach(g, 0, NULL, 1, bytes, &hits, &diag),
              OTAPRIO_E_INVALID, "sources");
        FAILS(otaprio_graph_reach(g, 2, &source, 1, bytes, &hits, &diag),
              OTAPRIO_E_RANGE, "direction");
        FAILS(otaprio_graph_reach(g, -1, &source, 1, bytes, &hits, &diag),
              OTAPRIO_E_RANGE, "direction");
        uint32_t sources[3] = {1, 2, 6};
        sources[2] = outside;
        FAILS(otaprio_graph_reach(g, 1, sources, 3, bytes, &hits, &diag),
              OTAPRIO_E_RANGE, "sources");
        assert_int_equal(diag.index, 2);
        /* The list form: the same checks, then its own arguments. */
        size_t listed = 77;
        FAILS(otaprio_graph_reach_list(NULL, 0, &source, 1, ids, 6, &listed,
                                       &diag),
              OTAPRIO_E_INVALID, "graph");
        FAILS(otaprio_graph_reach_list(g, 0, &source, 1, ids, 6, NULL, &diag),
              OTAPRIO_E_INVALID, "count");
        FAILS(
            otaprio_graph_reach_list(g, 0, &source, 1, NULL, 1, &listed, &diag),
            OTAPRIO_E_INVALID, "reached");
        FAILS(
            otaprio_graph_reach_list(g, 2, &source, 1, ids, 6, &listed, &diag),
            OTAPRIO_E_RANGE, "direction");
        FAILS(
            otaprio_graph_reach_list(g, 1, sources, 3, ids, 6, &listed, &diag),
            OTAPRIO_E_RANGE, "sources");
        assert_int_equal(listed, 77);
        /* Too small: the count comes back, nothing is written. */
        uint32_t all[6] = {0, 1, 2, 3, 4, 5};
        uint64_t marked = 0;
        uint8_t marks[6];
        assert_int_equal(
            otaprio_graph_reach(g, 0, all, 6, marks, &marked, NULL),
            OTAPRIO_OK);
        uint32_t few[6] = {99, 99, 99, 99, 99, 99};
        FAILS(otaprio_graph_reach_list(g, 0, all, 6, few, 5, &listed, &diag),
              OTAPRIO_E_RANGE, "capacity");
        assert_int_equal(listed, 6);
        assert_int_equal(marked, 6);
        for (int i = 0; i < 6; i++)
            assert_int_equal(few[i], 99);
        assert_int_equal(
            otaprio_graph_reach_list(g, 0, NULL, 0, NULL, 0, &listed, NULL),
            OTAPRIO_OK);
        assert_int_equal(listed, 0);
        FAILS(otaprio_graph_neighbours(NULL, 0, 0, ids, 6, &count, &diag),
              OTAPRIO_E_INVALID, "graph");
        FAILS(otaprio_graph_neighbours(g, 0, 0, ids, 6, NULL, &diag),
              OTAPRIO_E_INVALID, "count");
        FAILS(otaprio_graph_neighbours(g, 0, 0, NULL, 1, &count, &diag),
              OTAPRIO_E_INVALID, "buffer");
        FAILS(otaprio_graph_neighbours(g, 6, 0, ids, 6, &count, &diag),
              OTAPRIO_E_RANGE, "node");
        FAILS(otaprio_graph_neighbours(g, 0, 3, ids, 6, &count, &diag),
              OTAPRIO_E_RANGE, "direction");
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            assert_int_equal(ids[i], 0xCCCCCCCCu);
        for (size_t i = 0; i < sizeof bytes; i++)
            assert_int_equal(bytes[i], 0xCC);
        assert_int_equal(count, 77);
        assert_int_equal(hits, 77);
        assert_int_equal(components, 77);
    }
    otaprio_graph_free(graphs[0]);
    otaprio_graph_free(graphs[1]);
    gf_host_free(&h);
    gf_edges_free(&e);
}

static void small_capacities_report_the_size_and_write_nothing(void **state)
{
    (void)state;
    otaprio_diag diag;
    /* 0 -> 1 -> 2 -> 0, and 0 -> 3. */
    uint32_t from[] = {0, 1, 2, 0}, to[] = {1, 2, 0, 3};
    gf_edges e = gf_copy(4, from, to, 4);
    gf_host h;
    gf_host_init(&h, &e);
    otaprio_graph *graphs[2] = {gf_build(&e, 0), gf_wrap(&h, true)};
    for (int k = 0; k < 2; k++) {
        otaprio_graph *g = graphs[k];
        uint32_t ids[4] = {9, 9, 9, 9};
        size_t count = 0;
        FAILS(otaprio_graph_neighbours(g, 0, 0, ids, 1, &count, &diag),
              OTAPRIO_E_RANGE, "capacity");
        assert_int_equal(count, 2);
        assert_int_equal(ids[0], 9);
        assert_int_equal(
            otaprio_graph_neighbours(g, 0, 0, NULL, 0, &count, NULL),
            OTAPRIO_E_RANGE);
        assert_int_equal(count, 2);
        assert_int_equal(
            otaprio_graph_neighbours(g, 0, 0, ids, 2, &count, NULL),
            OTAPRIO_OK);
        assert_int_equal(ids[0], 1);
        assert_int_equal(ids[1], 3);
        assert_int_equal(
            otaprio_graph_neighbours(g, 0, 1, ids, 4, &count, NULL),
            OTAPRIO_OK);
        assert_int_equal(count, 1);
        assert_int_equal(ids[0], 2);

        memset(ids, 9, sizeof ids);
        FAILS(otaprio_graph_find_cycle(g, ids, 2, &count, &diag),
              OTAPRIO_E_RANGE, "capacity");
        assert_int_equal(count, 3);
        assert_int_equal(ids[0], 0x09090909u);
        assert_int_equal(otaprio_graph_find_cycle(g, NULL, 0, &count, NULL),
                         OTAPRIO_E_RANGE);
        assert_int_equal(count, 3);
        assert_int_equal(otaprio_graph_find_cycle(g, ids, 3, &count, NULL),
                         OTAPRIO_OK);
        uint32_t expected[3] = {0, 1, 2};
        assert_memory_equal(ids, expected, sizeof expected);
    }
    otaprio_graph_free(graphs[0]);
    otaprio_graph_free(graphs[1]);
    gf_host_free(&h);
    gf_edges_free(&e);
}

/* ---- hosts that misbehave ------------------------------------------------ */

static void backward_walks_need_predecessors(void **state)
{
    (void)state;
    otaprio_diag diag;
    gf_edges e = gf_random(5, 8, false, 2);
    gf_host h;
    gf_host_init(&h, &e);
    otaprio_graph *g = gf_wrap(&h, false);
    uint8_t reached[5] = {7, 7, 7, 7, 7};
    uint32_t ids[5] = {7, 7, 7, 7, 7}, source = 1;
    size_t count = 7;
    uint64_t hits = 7;
    FAILS(otaprio_graph_reach(g, OTAPRIO_DIRECTION_BACKWARD, &source, 1,
                              reached, &hits, &diag),
          OTAPRIO_E_INVALID, "direction");
    FAILS(otaprio_graph_neighbours(g, 1, OTAPRIO_DIRECTION_BACKWARD, ids, 5,
                                   &count, &diag),
          OTAPRIO_E_INVALID, "direction");
    assert_int_equal(reached[0], 7);
    assert_int_equal(ids[0], 7);
    assert_int_equal(count, 7);
    assert_int_equal(hits, 7);
    /* Everything forward works. */
    assert_int_equal(otaprio_graph_reach(g, OTAPRIO_DIRECTION_FORWARD, &source,
                                         1, reached, &hits, NULL),
                     OTAPRIO_OK);
    uint32_t component[5];
    assert_int_equal(otaprio_graph_scc(g, component, NULL, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio_graph_find_cycle(g, ids, 5, &count, NULL),
                     OTAPRIO_OK);
    otaprio_graph_free(g);
    gf_host_free(&h);
    gf_edges_free(&e);
}

enum { N = 40 };

/* Runs every traversal of a wrapped graph over a misbehaving host (an
 * acyclic one, so that every traversal meets the bad node) and checks
 * each returns `expected` and leaves its outputs untouched. */
static void expect_every_traversal_fails(gf_host *h, int expected)
{
    const char *field = "successors";
    otaprio_diag diag;
    otaprio_graph *g = gf_wrap(h, true);
    uint32_t ids[N], sentinel[N];
    uint8_t bytes[N], byte_sentinel[N];
    memset(sentinel, 0x5A, sizeof sentinel);
    memset(byte_sentinel, 0x5A, sizeof byte_sentinel);
    size_t count = 5;
    uint64_t hits = 5;
    uint32_t components = 5;
    uint32_t all[N];
    for (uint32_t v = 0; v < N; v++)
        all[v] = v;

    memcpy(ids, sentinel, sizeof ids);
    FAILS(otaprio_graph_order(g, ids, &diag), expected, field);
    assert_memory_equal(ids, sentinel, sizeof ids);
    FAILS(otaprio_graph_find_cycle(g, ids, N, &count, &diag), expected, field);
    assert_memory_equal(ids, sentinel, sizeof ids);
    FAILS(otaprio_graph_scc(g, ids, &components, &diag), expected, field);
    assert_memory_equal(ids, sentinel, sizeof ids);
    for (int d = 0; d < 2; d++) {
        memcpy(bytes, byte_sentinel, sizeof bytes);
        const char *named = d == 0 ? "successors" : "predecessors";
        FAILS(otaprio_graph_reach(g, d, all, N, bytes, &hits, &diag), expected,
              named);
        assert_memory_equal(bytes, byte_sentinel, sizeof bytes);
        FAILS(otaprio_graph_neighbours(
                  g, h->fail_status ? h->fail_node : h->bad_node, d, ids, N,
                  &count, &diag),
              expected, named);
        /* Neighbours are answered straight into the caller's buffer: a
         * host that fails writes nothing, one with a bad id has. */
        if (h->fail_status != 0)
            assert_memory_equal(ids, sentinel, sizeof ids);
    }
    assert_int_equal(count, 5);
    assert_int_equal(hits, 5);
    assert_int_equal(components, 5);
    otaprio_graph_free(g);
}

static void callback_statuses_pass_through_unchanged(void **state)
{
    (void)state;
    gf_edges e = gf_random(N, 3 * N, true, 3);
    gf_host h;
    gf_host_init(&h, &e);
    const int statuses[] = {42, -77, OTAPRIO_E_NOMEM, 1};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        h.fail_status = statuses[i];
        h.fail_node = (uint32_t)(i * 7 % N);
        expect_every_traversal_fails(&h, statuses[i]);
    }
    gf_host_free(&h);
    gf_edges_free(&e);
}

static void callback_ids_outside_the_graph_are_refused(void **state)
{
    (void)state;
    gf_edges e = gf_random(N, 3 * N, true, 4);
    gf_host h;
    gf_host_init(&h, &e);
    h.bad = true;
    for (uint32_t node = 0; node < N; node += 13) {
        h.bad_node = node;
        expect_every_traversal_fails(&h, OTAPRIO_E_RANGE);
    }
    gf_host_free(&h);
    gf_edges_free(&e);
}

/* A hub with more neighbours than the library's first buffer holds: the
 * host says how many and the library asks again with room enough. */
static void hosts_needing_more_room_are_asked_again(void **state)
{
    (void)state;
    enum { HUB = 1000 };
    gf_edges e = {HUB + 1, 2 * HUB, gf_alloc(2 * HUB * sizeof(uint32_t)),
                  gf_alloc(2 * HUB * sizeof(uint32_t))};
    for (uint32_t i = 0; i < HUB; i++) {
        e.from[i] = 0; /* 0 -> everything */
        e.to[i] = i + 1;
        e.from[HUB + i] = i + 1; /* everything -> HUB... */
        e.to[HUB + i] = i + 1 == HUB ? 1 : HUB;
    }
    gf_host h;
    gf_host_init(&h, &e);
    otaprio_graph *built = gf_build(&e, 0), *wrapped = gf_wrap(&h, true);
    uint32_t a[HUB + 1], b[HUB + 1];
    size_t ca, cb;
    for (int d = 0; d < 2; d++) {
        /* From the hub, every other node once: one call each, and one
         * more for the hub, whose first answer did not fit. */
        uint32_t hub = d == 0 ? 0 : HUB;
        uint8_t ra[HUB + 1], rb[HUB + 1];
        assert_int_equal(otaprio_graph_reach(built, d, &hub, 1, ra, NULL, NULL),
                         OTAPRIO_OK);
        long before = h.calls;
        assert_int_equal(
            otaprio_graph_reach(wrapped, d, &hub, 1, rb, NULL, NULL),
            OTAPRIO_OK);
        assert_int_equal(h.calls - before, HUB + 2);
        assert_memory_equal(ra, rb, sizeof ra);
        assert_int_equal(
            otaprio_graph_neighbours(built, hub, d, a, HUB + 1, &ca, NULL),
            OTAPRIO_OK);
        assert_int_equal(
            otaprio_graph_neighbours(wrapped, hub, d, b, HUB + 1, &cb, NULL),
            OTAPRIO_OK);
        assert_int_equal(ca, cb);
        assert_true(ca >= HUB - 1);
        assert_memory_equal(a, b, ca * sizeof *a);
    }
    uint32_t ca32, cb32;
    assert_int_equal(otaprio_graph_scc(built, a, &ca32, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio_graph_scc(wrapped, b, &cb32, NULL), OTAPRIO_OK);
    assert_int_equal(ca32, cb32);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(otaprio_graph_find_cycle(built, a, HUB + 1, &ca, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_graph_find_cycle(wrapped, b, HUB + 1, &cb, NULL),
                     OTAPRIO_OK);
    assert_int_equal(ca, cb);
    assert_true(ca > 0);
    assert_memory_equal(a, b, ca * sizeof *a);
    otaprio_graph_free(built);
    otaprio_graph_free(wrapped);
    gf_host_free(&h);
    gf_edges_free(&e);
}

/* A host that always wants one more id than it is given never settles;
 * the library keeps growing until its allocator says no. */
static int never_enough(void *user, uint32_t node, uint32_t *buffer,
                        size_t capacity, size_t *count)
{
    (void)user;
    (void)node;
    (void)buffer;
    *count = capacity + 1;
    return 0;
}

static void *small_alloc(void *user, size_t bytes)
{
    long *live = user;
    if (bytes > (1u << 20))
        return NULL;
    void *block = malloc(bytes);
    *live += block != NULL;
    return block;
}

static void *small_realloc(void *user, void *block, size_t bytes)
{
    (void)user;
    return bytes > (1u << 20) ? NULL : realloc(block, bytes);
}

static void small_free(void *user, void *block)
{
    long *live = user;
    (*live)--;
    free(block);
}

static void hosts_that_never_settle_run_out_of_memory(void **state)
{
    (void)state;
    otaprio_diag diag;
    long live = 0;
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = small_alloc;
    allocator.realloc_fn = small_realloc;
    allocator.free_fn = small_free;
    allocator.user = &live;
    otaprio_graph_callbacks cb;
    otaprio_graph_callbacks_init(&cb);
    cb.node_count = 3;
    cb.successors = never_enough;
    otaprio_graph *g = NULL;
    assert_int_equal(otaprio_graph_wrap(&cb, &allocator, &g, NULL), OTAPRIO_OK);
    uint32_t order[3];
    FAILS(otaprio_graph_order(g, order, &diag), OTAPRIO_E_NOMEM, "successors");
    otaprio_graph_free(g);
    assert_int_equal(live, 0);
}

/* Successors of node 0: `first` ids on the first call, `later` after. */
typedef struct fickle {
    long calls;
    size_t first, later;
} fickle;

static int fickle_successors(void *user, uint32_t node, uint32_t *buffer,
                             size_t capacity, size_t *count)
{
    fickle *f = user;
    size_t n = node != 0 ? 0 : f->calls++ == 0 ? f->first : f->later;
    *count = n;
    for (size_t i = 0; i < n && n <= capacity; i++)
        buffer[i] = 1;
    return 0;
}

static void hosts_that_change_their_answers_are_caught(void **state)
{
    (void)state;
    otaprio_diag diag;
    for (int more_later = 0; more_later < 2; more_later++) {
        fickle f = {0, more_later ? 1 : 2, more_later ? 2 : 1};
        otaprio_graph_callbacks cb;
        otaprio_graph_callbacks_init(&cb);
        cb.node_count = 2;
        cb.successors = fickle_successors;
        cb.user = &f;
        otaprio_graph *g = NULL;
        assert_int_equal(otaprio_graph_wrap(&cb, NULL, &g, NULL), OTAPRIO_OK);
        uint32_t order[2] = {7, 7};
        FAILS(otaprio_graph_order(g, order, &diag), OTAPRIO_E_INVALID,
              "successors");
        assert_int_equal(order[0], 7);
        otaprio_graph_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builder_create_rejects_bad_arguments),
        cmocka_unit_test(add_edges_validates_the_whole_batch_first),
        cmocka_unit_test(too_many_edges_are_refused_before_reading),
        cmocka_unit_test(duplicates_report_the_first_repeat),
        cmocka_unit_test(builder_stays_usable_after_build),
        cmocka_unit_test(wrap_rejects_bad_arguments),
        cmocka_unit_test(traversals_reject_bad_arguments),
        cmocka_unit_test(small_capacities_report_the_size_and_write_nothing),
        cmocka_unit_test(backward_walks_need_predecessors),
        cmocka_unit_test(callback_statuses_pass_through_unchanged),
        cmocka_unit_test(callback_ids_outside_the_graph_are_refused),
        cmocka_unit_test(hosts_needing_more_room_are_asked_again),
        cmocka_unit_test(hosts_that_never_settle_run_out_of_memory),
        cmocka_unit_test(hosts_that_change_their_answers_are_caught),
    };
    return cmocka_run_group_tests_name("graph_errors", tests, NULL, NULL);
}
