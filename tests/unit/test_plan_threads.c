/* SPDX-License-Identifier: MIT */
/*
 * Plans share what the host built once: several threads plan over one
 * catalog and one risk model at once, each with its own fleet source, and
 * read one finished plan at once; every thread gets what one thread gets.
 * Run under ThreadSanitizer by the test command, this is the planner's
 * concurrency test.
 */
#include <pthread.h>

#include "unit/plan_check.h"

enum { THREADS = 4, FLEET = 3000, CHUNK = 512 };

typedef struct worker {
    const otaprio_catalog *catalog;
    const otaprio_risk_model *model;
    const otaprio_plan *shared;
    int status;
    otaprio_plan_summary summary, shared_summary;
    otaprio_plan_wave last_wave;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    plan_fixture fleet;
    if (plan_fixture_init(&fleet, 11, FLEET, CHUNK) != 0) {
        w->status = OTAPRIO_E_NOMEM;
        return NULL;
    }
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.security_impact = OTAPRIO_LEVEL_HIGH;
    otaprio_plan_request request;
    plan_fixture_request(&fleet, w->catalog, &issue, &request);
    request.risk_model = w->model;
    otaprio_plan *plan = NULL;
    w->status = otaprio_plan_create(&request, NULL, &plan, NULL);
    if (w->status == OTAPRIO_OK) {
        w->summary.size = sizeof w->summary;
        w->status = otaprio_plan_get_summary(plan, &w->summary, NULL);
    }
    if (w->status == OTAPRIO_OK) {
        w->shared_summary.size = sizeof w->shared_summary;
        w->status =
            otaprio_plan_get_summary(w->shared, &w->shared_summary, NULL);
    }
    if (w->status == OTAPRIO_OK) {
        w->last_wave.size = sizeof w->last_wave;
        w->status = otaprio_plan_get_wave(
            w->shared, otaprio_plan_wave_count(w->shared) - 1, &w->last_wave,
            NULL);
    }
    otaprio_plan_free(plan);
    plan_fixture_free(&fleet);
    return NULL;
}

static void plans_share_a_catalog_and_a_model(void **state)
{
    (void)state;
    otaprio_catalog *catalog = NULL;
    otaprio_risk_model *model = NULL;
    assert_int_equal(plan_fixture_catalog(NULL, &catalog), OTAPRIO_OK);
    assert_int_equal(otaprio_risk_model_create(NULL, NULL, &model, NULL),
                     OTAPRIO_OK);

    /* One thread's answer first. */
    worker alone = {catalog, model, NULL, 0, {0}, {0}, {0}};
    plan_fixture fleet;
    assert_int_equal(plan_fixture_init(&fleet, 11, FLEET, CHUNK), 0);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.security_impact = OTAPRIO_LEVEL_HIGH;
    otaprio_plan_request request;
    plan_fixture_request(&fleet, catalog, &issue, &request);
    request.risk_model = model;
    otaprio_plan *shared = NULL;
    assert_int_equal(otaprio_plan_create(&request, NULL, &shared, NULL),
                     OTAPRIO_OK);
    alone.shared = shared;
    work(&alone);
    assert_int_equal(alone.status, OTAPRIO_OK);

    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){catalog, model, shared, 0, {0}, {0}, {0}};
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]),
                         0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_int_equal(workers[t].status, OTAPRIO_OK);
        assert_memory_equal(&workers[t].summary, &alone.summary,
                            sizeof alone.summary);
        assert_memory_equal(&workers[t].shared_summary, &alone.summary,
                            sizeof alone.summary);
        assert_memory_equal(&workers[t].last_wave, &alone.last_wave,
                            sizeof alone.last_wave);
    }
    otaprio_plan_free(shared);
    plan_fixture_free(&fleet);
    otaprio_risk_model_free(model);
    otaprio_catalog_free(catalog);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plans_share_a_catalog_and_a_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
