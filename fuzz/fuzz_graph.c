/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the graph layer: a node count and edges read from the input,
 * added in batches of input-chosen sizes (ids out of range, self-loops and
 * duplicates included), built, then every traversal run on the built graph
 * and on the same edges wrapped through callbacks. An input-chosen
 * allocation may fail.
 *
 * Invariants, the header's promises: only documented statuses; a refused
 * batch names its first bad edge and changes nothing; a duplicate is
 * reported at the first edge that repeats an earlier one; rows are sorted
 * and hold exactly the edges; an order exists exactly when no cycle is
 * found, respects every edge and is a permutation; a cycle is made of real
 * edges; component numbers respect edges and match mutual reachability;
 * forward reach is closed and agrees with backward reach; wrapped and
 * built graphs answer alike; outputs are untouched on failure; and every
 * block allocated is freed. Any crash, sanitizer report or broken
 * invariant (abort) is a finding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/graph.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    MAX_NODES = 200,
    MAX_EDGES = 1024,
    SMALL = 40, /* graphs this small also get the quadratic checks */
    POISON = 0xA5
};

/* ---- reading the input: every choice past its end reads 0 ------------ */

/* Mostly a node id, now and then one that is not a node. */
static uint32_t next_id(input *in, uint32_t n)
{
    uint8_t b = take_u8(in);
    if (b >= 250 || n == 0)
        return n + (uint32_t)(b % 6) * (b == 255 ? 0x3FFFFFFFu : 1u);
    return b % n;
}

/* ---- an allocator that counts blocks and may fail once --------------- */

typedef struct counting {
    long attempts, fail_at, live;
    bool failed;
} counting;

static bool refuse(counting *c)
{
    if (++c->attempts == c->fail_at) {
        c->failed = true;
        return true;
    }
    return false;
}

static void *counting_alloc(void *user, size_t bytes)
{
    counting *c = user;
    if (refuse(c))
        return NULL;
    void *block = malloc(bytes);
    c->live += block != NULL;
    return block;
}

static void *counting_realloc(void *user, void *block, size_t bytes)
{
    counting *c = user;
    return refuse(c) ? NULL : realloc(block, bytes);
}

static void counting_free(void *user, void *block)
{
    counting *c = user;
    c->live--;
    free(block);
}

/* ---- the harness's own view of the graph ------------------------------ */

typedef struct model {
    uint32_t n;
    size_t m;
    uint32_t from[MAX_EDGES], to[MAX_EDGES];
    /* Sorted adjacency, made by the harness for its checks and its
     * callbacks: rows[d][v] .. rows[d][v + 1] index ids[d]. */
    uint32_t rows[2][MAX_NODES + 1];
    uint32_t ids[2][MAX_EDGES];
} model;

static void model_rows(model *g)
{
    for (int d = 0; d < 2; d++) {
        const uint32_t *a = d == 0 ? g->from : g->to;
        const uint32_t *b = d == 0 ? g->to : g->from;
        memset(g->rows[d], 0, sizeof g->rows[d]);
        for (size_t i = 0; i < g->m; i++)
            g->rows[d][a[i] + 1]++;
        for (uint32_t v = 0; v < g->n; v++)
            g->rows[d][v + 1] += g->rows[d][v];
        uint32_t fill[MAX_NODES];
        memcpy(fill, g->rows[d], sizeof fill);
        for (size_t i = 0; i < g->m; i++)
            g->ids[d][fill[a[i]]++] = b[i];
        for (uint32_t v = 0; v < g->n; v++) /* insertion sort per row */
            for (uint32_t p = g->rows[d][v] + 1; p < g->rows[d][v + 1]; p++)
                for (uint32_t q = p;
                     q > g->rows[d][v] && g->ids[d][q - 1] > g->ids[d][q];
                     q--) {
                    uint32_t t = g->ids[d][q];
                    g->ids[d][q] = g->ids[d][q - 1];
                    g->ids[d][q - 1] = t;
                }
    }
}

static bool has_edge(const model *g, uint32_t u, uint32_t v)
{
    for (uint32_t p = g->rows[0][u]; p < g->rows[0][u + 1]; p++)
        if (g->ids[0][p] == v)
            return true;
    return false;
}

/* The first edge that repeats an earlier one, or -1. */
static long first_repeat(const model *g, long *earlier)
{
    for (size_t i = 1; i < g->m; i++)
        for (size_t j = 0; j < i; j++)
            if (g->from[i] == g->from[j] && g->to[i] == g->to[j]) {
                *earlier = (long)j;
                return (long)i;
            }
    return -1;
}

static int model_answer(const model *g, int d, uint32_t node, uint32_t *buffer,
                        size_t capacity, size_t *count)
{
    CHECK(node < g->n);
    uint32_t begin = g->rows[d][node], end = g->rows[d][node + 1];
    *count = end - begin;
    if (*count <= capacity && *count != 0)
        memcpy(buffer, g->ids[d] + begin, *count * sizeof *buffer);
    return 0;
}

static int successors(void *user, uint32_t node, uint32_t *buffer,
                      size_t capacity, size_t *count)
{
    return model_answer(user, 0, node, buffer, capacity, count);
}

static int predecessors(void *user, uint32_t node, uint32_t *buffer,
                        size_t capacity, size_t *count)
{
    return model_answer(user, 1, node, buffer, capacity, count);
}

/* ---- checks of one graph handle --------------------------------------- */

typedef struct answers {
    int order_status;
    uint32_t order[MAX_NODES];
    uint32_t cycle[MAX_NODES];
    size_t cycle_length;
    uint32_t component[MAX_NODES];
    uint32_t component_count;
    uint8_t reached[2][MAX_NODES];
} answers;

static bool all_poison(const void *bytes, size_t count)
{
    const uint8_t *b = bytes;
    for (size_t i = 0; i < count; i++)
        if (b[i] != POISON)
            return false;
    return true;
}

/* After a failed allocation: the output must be as it was. */
static bool untouched(const void *bytes, size_t count)
{
    CHECK(all_poison(bytes, count));
    return false;
}

/* Returns false when an allocation failed (then outputs were checked
 * untouched and nothing else is). */
static bool check_handle(const model *g, otaprio_graph *h, const uint32_t *src,
                         size_t src_count, answers *a)
{
    uint32_t n = g->n;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    memset(a, POISON, sizeof *a);
    CHECK(otaprio_graph_node_count(h) == n);

    /* Cycle and order. */
    int status =
        otaprio_graph_find_cycle(h, a->cycle, n, &a->cycle_length, &diag);
    if (status == OTAPRIO_E_NOMEM)
        return untouched(a->cycle, sizeof a->cycle);
    CHECK(status == OTAPRIO_OK);
    CHECK(a->cycle_length <= n);
    for (size_t i = 0; i < a->cycle_length; i++) {
        CHECK(has_edge(g, a->cycle[i], a->cycle[(i + 1) % a->cycle_length]));
        for (size_t j = 0; j < i; j++)
            CHECK(a->cycle[i] != a->cycle[j]);
    }
    a->order_status = otaprio_graph_order(h, a->order, &diag);
    if (a->order_status == OTAPRIO_E_NOMEM)
        return untouched(a->order, sizeof a->order);
    if (a->cycle_length == 0) {
        CHECK(a->order_status == OTAPRIO_OK);
        uint32_t place[MAX_NODES];
        memset(place, 0xFF, sizeof place);
        for (uint32_t i = 0; i < n; i++) {
            CHECK(a->order[i] < n && place[a->order[i]] == UINT32_MAX);
            place[a->order[i]] = i;
        }
        for (size_t i = 0; i < g->m; i++)
            CHECK(place[g->from[i]] < place[g->to[i]]);
    } else {
        CHECK(a->order_status == OTAPRIO_E_CYCLE);
        CHECK(diag.status == OTAPRIO_E_CYCLE);
        CHECK(diag.index == a->cycle[0]);
        CHECK(all_poison(a->order, sizeof a->order));
    }

    /* Components. */
    status = otaprio_graph_scc(h, a->component, &a->component_count, &diag);
    if (status == OTAPRIO_E_NOMEM)
        return untouched(a->component, sizeof a->component);
    CHECK(status == OTAPRIO_OK);
    CHECK(a->component_count <= n);
    CHECK((a->component_count == n) == (a->cycle_length == 0));
    for (uint32_t v = 0; v < n; v++)
        CHECK(a->component[v] < a->component_count);
    for (size_t i = 0; i < g->m; i++)
        CHECK(a->component[g->from[i]] <= a->component[g->to[i]]);

    /* Reach, both ways. */
    for (int d = 0; d < 2; d++) {
        uint64_t count = 0;
        status = otaprio_graph_reach(h, d, src, src_count, a->reached[d],
                                     &count, &diag);
        if (status == OTAPRIO_E_NOMEM)
            return untouched(a->reached[d], sizeof a->reached[d]);
        CHECK(status == OTAPRIO_OK);
        uint64_t marked = 0;
        for (uint32_t v = 0; v < n; v++) {
            CHECK(a->reached[d][v] <= 1);
            marked += a->reached[d][v];
        }
        CHECK(marked == count);
        for (size_t i = 0; i < src_count; i++)
            CHECK(a->reached[d][src[i]] == 1);
        for (size_t i = 0; i < g->m; i++) { /* closed under edges */
            uint32_t tail = d == 0 ? g->from[i] : g->to[i];
            uint32_t head = d == 0 ? g->to[i] : g->from[i];
            CHECK(!a->reached[d][tail] || a->reached[d][head]);
        }
        /* The list form names the marked nodes, each once; a buffer one
         * short gets the count and is left alone. */
        static uint32_t list[MAX_NODES];
        size_t listed = 0;
        status = otaprio_graph_reach_list(h, d, src, src_count, list, MAX_NODES,
                                          &listed, &diag);
        if (status == OTAPRIO_E_NOMEM)
            continue;
        CHECK(status == OTAPRIO_OK && listed == count);
        for (size_t i = 0; i < listed; i++)
            CHECK(list[i] < n && a->reached[d][list[i]] == 1);
        if (listed > 0) {
            uint32_t first = list[0];
            size_t again = 0;
            int short_status = otaprio_graph_reach_list(
                h, d, src, src_count, list, listed - 1, &again, NULL);
            CHECK(short_status == OTAPRIO_E_NOMEM ||
                  (short_status == OTAPRIO_E_RANGE && again == listed));
            CHECK(list[0] == first);
        }
    }
    return true;
}

/* Quadratic checks on small graphs: components are mutual reachability,
 * and forward reach is backward reach reversed. */
static void check_small(const model *g, otaprio_graph *h, const answers *a,
                        const uint32_t *src, size_t src_count)
{
    uint32_t n = g->n;
    static uint8_t reach[SMALL][MAX_NODES];
    for (uint32_t v = 0; v < n; v++)
        if (otaprio_graph_reach(h, 0, &v, 1, reach[v], NULL, NULL) !=
            OTAPRIO_OK)
            return; /* an allocation failed: checked elsewhere */
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t v = 0; v < n; v++)
            CHECK((a->component[u] == a->component[v]) ==
                  (reach[u][v] && reach[v][u]));
    for (uint32_t v = 0; v < n; v++) {
        bool hit = false;
        for (size_t i = 0; i < src_count; i++)
            hit |= reach[src[i]][v] != 0;
        CHECK(a->reached[0][v] == hit);
    }
}

static void check_rows(const model *g, otaprio_graph *h, bool built)
{
    /* A wrapped graph's edges are not counted. */
    CHECK(otaprio_graph_edge_count(h) == (built ? g->m : 0));
    for (int d = 0; d < 2; d++)
        for (uint32_t v = 0; v < g->n; v++) {
            uint32_t row[MAX_EDGES];
            size_t count = 0;
            int status =
                otaprio_graph_neighbours(h, v, d, row, MAX_EDGES, &count, NULL);
            if (status == OTAPRIO_E_NOMEM)
                return;
            CHECK(status == OTAPRIO_OK);
            uint32_t begin = g->rows[d][v];
            CHECK(count == g->rows[d][v + 1] - begin);
            for (size_t i = 0; i < count; i++) {
                CHECK(row[i] == g->ids[d][begin + i]);
                CHECK(i == 0 || row[i - 1] < row[i]); /* sorted, distinct */
            }
        }
}

/* ---- one input ------------------------------------------------------- */

/* The status add_edges must return for a batch, and where. */
static int expect_batch(uint32_t n, const uint32_t *from, const uint32_t *to,
                        size_t count, size_t *at, const char **field)
{
    for (size_t i = 0; i < count; i++) {
        *at = i;
        if (from[i] >= n) {
            *field = "from";
            return OTAPRIO_E_RANGE;
        }
        if (to[i] >= n) {
            *field = "to";
            return OTAPRIO_E_RANGE;
        }
        if (from[i] == to[i]) {
            *field = "to";
            return OTAPRIO_E_INVALID;
        }
    }
    return OTAPRIO_OK;
}

static model g;
static answers built_answers, wrapped_answers;

static void run(input *in, const otaprio_allocator *allocator, counting *c)
{
    uint32_t n = take_u8(in) % (MAX_NODES + 1);
    uint8_t flags = take_u8(in);
    /* Up to four reach sources, read before the edges that use up the
     * rest of the input. */
    uint32_t src[4];
    size_t src_count = take_u8(in) % 5;
    for (size_t i = 0; i < src_count; i++)
        src[i] = n == 0 ? 0 : take_u8(in) % n;
    if (n == 0)
        src_count = 0;
    g.n = n;
    g.m = 0;
    otaprio_graph_builder *b = NULL;
    int status = otaprio_graph_builder_create(n, allocator, &b, NULL);
    if (status == OTAPRIO_E_NOMEM && c->failed)
        return;
    CHECK(status == OTAPRIO_OK);

    /* Batches: a length byte, then that many (from, to) pairs. */
    while (in->size > 0 && g.m < MAX_EDGES) {
        uint32_t from[32], to[32];
        size_t count = take_u8(in) % 32;
        if (count > MAX_EDGES - g.m)
            count = MAX_EDGES - g.m;
        for (size_t i = 0; i < count; i++) {
            from[i] = next_id(in, n);
            to[i] = next_id(in, n);
        }
        size_t at = 0;
        const char *field = "";
        int expected = expect_batch(n, from, to, count, &at, &field);
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        status = otaprio_graph_builder_add_edges(b, from, to, count, &diag);
        if (status == OTAPRIO_E_NOMEM && c->failed && expected == OTAPRIO_OK)
            continue; /* refused whole; nothing was kept */
        CHECK(status == expected);
        if (status != OTAPRIO_OK) {
            CHECK(diag.status == status);
            CHECK(diag.index == (int64_t)at);
            CHECK(strcmp(diag.field, field) == 0);
            continue;
        }
        memcpy(g.from + g.m, from, count * sizeof *from);
        memcpy(g.to + g.m, to, count * sizeof *to);
        g.m += count;
    }

    otaprio_graph *built = (otaprio_graph *)&g, *wrapped = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    status = otaprio_graph_builder_build(b, &built, &diag);
    otaprio_graph_builder_free(b);
    long earlier = -1, repeat = first_repeat(&g, &earlier);
    if (status == OTAPRIO_E_NOMEM && c->failed) {
        CHECK(built == (otaprio_graph *)&g);
        return;
    }
    if (repeat >= 0) {
        CHECK(status == OTAPRIO_E_DUPLICATE);
        CHECK(diag.index == repeat);
        CHECK(built == (otaprio_graph *)&g);
        char names[64];
        snprintf(names, sizeof names, "%lu -> %lu",
                 (unsigned long)g.from[repeat], (unsigned long)g.to[repeat]);
        CHECK(strstr(diag.message, names) != NULL);
        return;
    }
    CHECK(status == OTAPRIO_OK);
    model_rows(&g);
    check_rows(&g, built, true);

    bool whole = check_handle(&g, built, src, src_count, &built_answers);
    if (whole && n <= SMALL)
        check_small(&g, built, &built_answers, src, src_count);

    if (flags & 1) {
        otaprio_graph_callbacks cb;
        otaprio_graph_callbacks_init(&cb);
        cb.node_count = n;
        cb.successors = successors;
        cb.predecessors = predecessors;
        cb.user = &g;
        status = otaprio_graph_wrap(&cb, allocator, &wrapped, NULL);
        CHECK(status == OTAPRIO_OK || (status == OTAPRIO_E_NOMEM && c->failed));
    }
    if (wrapped != NULL) {
        check_rows(&g, wrapped, false);
        bool same = check_handle(&g, wrapped, src, src_count, &wrapped_answers);
        if (whole && same) { /* sorted callbacks: the very same answers */
            CHECK(memcmp(&built_answers, &wrapped_answers,
                         sizeof built_answers) == 0);
        }
    }
    otaprio_graph_free(wrapped);
    otaprio_graph_free(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    counting c = {0, 0, 0, false};
    /* First byte: which allocation fails (0: none). */
    c.fail_at = take_u8(&in);
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = counting_alloc;
    allocator.realloc_fn = counting_realloc;
    allocator.free_fn = counting_free;
    allocator.user = &c;
    run(&in, &allocator, &c);
    CHECK(c.live == 0);
    return 0;
}
