/* SPDX-License-Identifier: MIT */
/*
 * A finished cohort is immutable and shared: several threads assign
 * devices, list them and score every wave at once, and get what one
 * thread gets. Run under ThreadSanitizer by the test command, this is the
 * cohort engine's concurrency test.
 */
#include <pthread.h>

#include "cohort_fixture.h"

enum { THREADS = 4, ROUNDS = 3, DEVICES = 20000 };

static const uint32_t cards3[3] = {30, 8, 5};
static const double schedule[3] = {0.01, 0.1, 1.0};

typedef struct worker {
    const otaprio_cohort *cohort;
    const fleet *f;
    int status;
    uint8_t assigned[DEVICES];
    uint64_t keys[DEVICES];
    double tvd[3];
} worker;

static int first_error(int a, int b)
{
    return a != OTAPRIO_OK ? a : b;
}

static void *work(void *arg)
{
    worker *w = arg;
    w->status = OTAPRIO_OK;
    const uint32_t *columns[FLEET_MAX_DIMS];
    otaprio_cohort_chunk chunk = fleet_chunk(w->f, 0, w->f->n, columns);
    for (int round = 0; round < ROUNDS; round++) {
        w->status =
            first_error(w->status, otaprio_cohort_assign(w->cohort, &chunk,
                                                         w->assigned, NULL));
        otaprio_cohort_wave info = {.size = sizeof info};
        w->status = first_error(
            w->status, otaprio_cohort_wave_info(w->cohort, 1, &info, NULL));
        w->status = first_error(
            w->status, otaprio_cohort_devices(w->cohort, 0, info.selected,
                                              w->keys, NULL, NULL, NULL));
        for (uint32_t k = 0; k < 3; k++) {
            otaprio_representativeness r = {.size = sizeof r};
            w->status = first_error(
                w->status,
                otaprio_cohort_representativeness(w->cohort, k, &r, NULL));
            w->tvd[k] = r.tvd;
        }
    }
    return NULL;
}

static worker workers[THREADS + 1];

static void threads_sharing_a_cohort_agree_with_one_thread(void **state)
{
    (void)state;
    fleet f = fleet_make(DEVICES, 3, cards3, 5);
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_MINIMUM_COVERAGE, schedule, 3);
    otaprio_cohort_sampler *s = sampler_make(&spec);
    assert_int_equal(fleet_observe(s, &f, 0, f.n, 4096), OTAPRIO_OK);
    otaprio_cohort *c = cohort_make(s);
    for (int t = 0; t <= THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].cohort = c;
        workers[t].f = &f;
    }
    work(&workers[THREADS]); /* the reference: one thread, alone */
    assert_int_equal(workers[THREADS].status, OTAPRIO_OK);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]),
                         0);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(workers[t].status, OTAPRIO_OK);
        assert_memory_equal(workers[t].assigned, workers[THREADS].assigned,
                            DEVICES);
        assert_memory_equal(workers[t].keys, workers[THREADS].keys,
                            sizeof workers[t].keys);
        assert_memory_equal(workers[t].tvd, workers[THREADS].tvd,
                            sizeof workers[t].tvd);
    }
    otaprio_cohort_free(c);
    otaprio_cohort_sampler_free(s);
    fleet_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_sharing_a_cohort_agree_with_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
