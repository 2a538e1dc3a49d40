/* SPDX-License-Identifier: MIT */
/*
 * A rule set is immutable and shared: several threads evaluate their own
 * telemetry against one set at once, each with its own sequence, and get
 * what one thread gets. Run under ThreadSanitizer by the test command,
 * this is the guardrail engine's concurrency test.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit/guard_fixture.h"

enum { THREADS = 4, LOOKS = 24 };

typedef struct worker {
    const otaprio_guard_set *set;
    int status;
    int actions[LOOKS];
    double p_values[LOOKS];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    otaprio_guard_sequence *seq = NULL;
    w->status = otaprio_guard_sequence_create(w->set, 0, NULL, &seq, NULL);
    double canary[50], baseline[80];
    for (size_t i = 0; i < 50; i++)
        canary[i] = (double)((i * 7) % 50) / 10.0;
    for (size_t i = 0; i < 80; i++)
        baseline[i] = (double)((i * 3) % 80) / 16.0;
    for (int look = 0; look < LOOKS && w->status == OTAPRIO_OK; look++) {
        guard_rows rate = {.rows = 0}, share = {.rows = 0};
        uint64_t h = (uint64_t)look + 1;
        guard_add_rate(&rate, 2 * h, 100.0 * (double)h, 10 * h,
                       1000.0 * (double)h);
        guard_add_proportion(&share, 3 * h, 100 * h, 20 * h, 1000 * h);
        guard_add_proportion(&share, h, 100 * h, 20 * h, 1000 * h);
        guard_samples s = {.fail_with = 0};
        s.values[0][0] = canary;
        s.counts[0][0] = 50;
        s.values[0][1] = baseline;
        s.counts[0][1] = 80;
        otaprio_guard_data data[3];
        data[0] = guard_data_of(0, &rate, (double)h);
        data[0].sequence = seq;
        data[1] = guard_data_of(1, &share, (double)h);
        otaprio_guard_data_init(&data[2]);
        data[2].rule = 2;
        data[2].rows = 1;
        data[2].samples = guard_samples_fn;
        data[2].user = &s;
        otaprio_guard_report *report = NULL;
        w->status =
            otaprio_guard_evaluate(w->set, data, 3, NULL, &report, NULL);
        if (w->status != OTAPRIO_OK)
            break;
        w->actions[look] = otaprio_guard_report_action(report);
        otaprio_guard_result r = {.size = sizeof r};
        w->status = otaprio_guard_report_result(report, 0, &r);
        w->p_values[look] = r.p_value;
        otaprio_guard_report_free(report);
    }
    otaprio_guard_sequence_free(seq);
    return NULL;
}

static void threads_sharing_a_set_agree_with_one_thread(void **state)
{
    (void)state;
    otaprio_guard_rule rules[3] = {
        guard_rule("crashes", OTAPRIO_GUARD_RATE),
        guard_rule("install-failures", OTAPRIO_GUARD_PROPORTION),
        guard_rule("drain", OTAPRIO_GUARD_CONTINUOUS),
    };
    rules[0].sequential = 1;
    otaprio_guard_set *set = NULL;
    assert_int_equal(otaprio_guard_set_create(NULL, rules, 3, NULL, &set, NULL),
                     OTAPRIO_OK);
    static worker workers[THREADS + 1];
    for (int t = 0; t <= THREADS; t++)
        workers[t].set = set;
    work(&workers[THREADS]); /* the single-threaded reference */
    assert_int_equal(workers[THREADS].status, OTAPRIO_OK);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]),
                         0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(workers[t].status, OTAPRIO_OK);
        assert_memory_equal(workers[t].actions, workers[THREADS].actions,
                            sizeof workers[t].actions);
        assert_memory_equal(workers[t].p_values, workers[THREADS].p_values,
                            sizeof workers[t].p_values);
    }
    otaprio_guard_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_sharing_a_set_agree_with_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
