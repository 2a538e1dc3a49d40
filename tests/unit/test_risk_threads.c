/* SPDX-License-Identifier: MIT */
/*
 * A built model is immutable and shared: several threads score with one
 * model at once and get what one thread gets. Run under ThreadSanitizer by
 * the test command, this is the concurrency test.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "risk_fixture.h"

enum { THREADS = 4, ROUNDS = 20 };

typedef struct shared {
    const otaprio_risk_model *model;
    const fixture_fleet *fleet;
    otaprio_issue issue;
} shared;

typedef struct worker {
    const shared *shared;
    double priority[FIXTURE_MAX];
    uint8_t disposition[FIXTURE_MAX];
    otaprio_issue_score score;
    int status;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const shared *s = w->shared;
    for (int round = 0; round < ROUNDS && w->status == OTAPRIO_OK; round++) {
        w->score.size = sizeof w->score;
        w->status = otaprio_risk_score_issue(s->model, &s->issue, &w->score,
                                             NULL, 0, NULL, NULL);
        if (w->status != OTAPRIO_OK)
            break;
        otaprio_devices d;
        fixture_fleet_view(s->fleet, &d, 0, s->fleet->count);
        otaprio_device_results r;
        otaprio_device_results_init(&r);
        r.priority = w->priority;
        r.disposition = w->disposition;
        w->status =
            otaprio_risk_score_devices(s->model, &w->score, &d, &r, NULL);
    }
    return NULL;
}

static fixture_fleet fleet;
static worker workers[THREADS + 1];

static void threads_sharing_a_model_agree_with_one_thread(void **state)
{
    (void)state;
    otaprio_risk_model *model = NULL;
    assert_int_equal(otaprio_risk_model_create(NULL, NULL, &model, NULL),
                     OTAPRIO_OK);
    fixture_fleet_fill(&fleet, FIXTURE_MAX, 77);
    shared s = {model, &fleet, {0}};
    uint64_t seed = 4;
    fixture_issue(&s.issue, &seed);

    /* The reference: one thread, alone. */
    workers[THREADS].shared = &s;
    work(&workers[THREADS]);
    assert_int_equal(workers[THREADS].status, OTAPRIO_OK);

    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t].shared = &s;
        workers[t].status = OTAPRIO_OK;
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]),
                         0);
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(workers[t].status, OTAPRIO_OK);
        assert_memory_equal(&workers[t].score, &workers[THREADS].score,
                            sizeof workers[t].score);
        assert_memory_equal(workers[t].priority, workers[THREADS].priority,
                            sizeof workers[t].priority);
        assert_memory_equal(workers[t].disposition,
                            workers[THREADS].disposition,
                            sizeof workers[t].disposition);
    }
    otaprio_risk_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_sharing_a_model_agree_with_one_thread),
    };
    return cmocka_run_group_tests_name("risk_threads", tests, NULL, NULL);
}
