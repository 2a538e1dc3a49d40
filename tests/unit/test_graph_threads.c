/* SPDX-License-Identifier: MIT */
/*
 * A built graph is immutable and shared: several threads run every
 * traversal on one graph at once and get what one thread gets. Run under
 * ThreadSanitizer by the test command, this is the graph layer's
 * concurrency test.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_fixture.h"

enum { THREADS = 4, ROUNDS = 5, NODES = 3000 };

typedef struct worker {
    const otaprio_graph *graph;
    int status;
    int order_status;
    uint32_t order[NODES];
    uint32_t component[NODES];
    uint32_t component_count;
    uint32_t cycle[NODES];
    size_t cycle_length;
    uint8_t reached[2][NODES];
    uint32_t neighbours[NODES];
    size_t neighbour_count;
} worker;

static int first_error(int a, int b)
{
    return a != OTAPRIO_OK ? a : b;
}

static void *work(void *arg)
{
    worker *w = arg;
    const otaprio_graph *g = w->graph;
    uint32_t sources[3] = {0, 1, NODES - 1};
    w->status = OTAPRIO_OK;
    for (int round = 0; round < ROUNDS; round++) {
        w->order_status = otaprio_graph_order(g, w->order, NULL);
        w->status = first_error(
            w->status,
            otaprio_graph_scc(g, w->component, &w->component_count, NULL));
        w->status = first_error(
            w->status, otaprio_graph_find_cycle(g, w->cycle, NODES,
                                                &w->cycle_length, NULL));
        for (int d = 0; d < 2; d++)
            w->status = first_error(
                w->status, otaprio_graph_reach(g, d, sources, 3, w->reached[d],
                                               NULL, NULL));
        w->status = first_error(
            w->status,
            otaprio_graph_neighbours(g, (uint32_t)round, 0, w->neighbours,
                                     NODES, &w->neighbour_count, NULL));
    }
    return NULL;
}

static worker workers[THREADS + 1];

static void threads_sharing_a_graph_agree_with_one_thread(void **state)
{
    (void)state;
    for (int cyclic = 0; cyclic < 2; cyclic++) {
        gf_edges e = gf_random(NODES, 4 * NODES, !cyclic, 31 + cyclic);
        otaprio_graph *g = gf_build(&e, 1);
        for (int t = 0; t <= THREADS; t++) {
            memset(&workers[t], 0, sizeof workers[t]);
            workers[t].graph = g;
        }
        work(&workers[THREADS]); /* the reference: one thread, alone */
        assert_int_equal(workers[THREADS].status, OTAPRIO_OK);
        assert_int_equal(workers[THREADS].order_status,
                         cyclic ? OTAPRIO_E_CYCLE : OTAPRIO_OK);

        pthread_t threads[THREADS];
        for (int t = 0; t < THREADS; t++)
            assert_int_equal(
                pthread_create(&threads[t], NULL, work, &workers[t]), 0);
        for (int t = 0; t < THREADS; t++)
            assert_int_equal(pthread_join(threads[t], NULL), 0);
        for (int t = 0; t < THREADS; t++) {
            /* The structs hold every answer, zero-filled beyond them. */
            assert_memory_equal(&workers[t].status, &workers[THREADS].status,
                                sizeof(worker) - offsetof(worker, status));
        }
        otaprio_graph_free(g);
        gf_edges_free(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_sharing_a_graph_agree_with_one_thread),
    };
    return cmocka_run_group_tests_name("graph_threads", tests, NULL, NULL);
}
