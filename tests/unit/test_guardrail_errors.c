/* SPDX-License-Identifier: MIT */
/*
 * Guardrail bad input and allocation failures: every wrong rule, option
 * and datum gets its code and a diagnostic naming it, nothing the caller
 * owns is touched, and every allocation failure is clean.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "unit/guard_fixture.h"

#define SENTINEL ((otaprio_guard_set *)(uintptr_t)0x5e7)
#define REPORT_SENTINEL ((otaprio_guard_report *)(uintptr_t)0x4e9)

/* Creating a set from one spoiled rule fails with `status`, names
 * `field`, and leaves the output alone. */
static void expect_rule_error(const otaprio_guard_rule *rule,
                              const otaprio_guard_options *options, int status,
                              const char *field)
{
    otaprio_guard_set *set = SENTINEL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_guard_set_create(options, rule, 1, NULL, &set, &diag), status);
    assert_ptr_equal(set, SENTINEL);
    assert_string_equal(diag.field, field);
    assert_true(diag.message[0] != '\0');
}

static void bad_rules_are_named(void **state)
{
    (void)state;
    otaprio_guard_rule r;
#define SPOIL(field, code, change)                     \
    do {                                               \
        r = guard_rule("m", OTAPRIO_GUARD_PROPORTION); \
        change;                                        \
        expect_rule_error(&r, NULL, code, field);      \
    } while (0)
    SPOIL("name", OTAPRIO_E_INVALID, r.name = NULL);
    SPOIL("name", OTAPRIO_E_RANGE, r.name = "");
    SPOIL("name", OTAPRIO_E_RANGE,
          r.name = "a-name-that-is-much-too-long-for-a-metric-because-it-"
                   "goes-on-and-on");
    SPOIL("kind", OTAPRIO_E_RANGE, r.kind = 3);
    SPOIL("kind", OTAPRIO_E_RANGE, r.kind = -1);
    SPOIL("direction", OTAPRIO_E_RANGE, r.direction = 2);
    SPOIL("severity", OTAPRIO_E_RANGE, r.severity = 3);
    SPOIL("no_data", OTAPRIO_E_RANGE, r.no_data = 3);
    SPOIL("zero_baseline", OTAPRIO_E_RANGE, r.zero_baseline = 3);
    SPOIL("require_evidence", OTAPRIO_E_RANGE, r.require_evidence = 2);
    SPOIL("sequential", OTAPRIO_E_RANGE, r.sequential = -1);
    SPOIL("checks", OTAPRIO_E_RANGE, r.checks = 8);
    SPOIL("checks", OTAPRIO_E_RANGE, r.checks = OTAPRIO_GUARD_CHECK_SPREAD);
    SPOIL("zero_baseline", OTAPRIO_E_RANGE,
          r.zero_baseline = OTAPRIO_GUARD_ZERO_BASELINE_CEILING);
    SPOIL("sequential", OTAPRIO_E_RANGE,
          (r.sequential = 1, r.checks = OTAPRIO_GUARD_CHECK_CEILING));
    SPOIL("sequential", OTAPRIO_E_RANGE,
          (r.sequential = 1, r.require_evidence = 1));
    SPOIL("sequential", OTAPRIO_E_RANGE,
          (r.sequential = 1, r.kind = OTAPRIO_GUARD_CONTINUOUS));
    SPOIL("margin", OTAPRIO_E_RANGE, r.margin = -0.1);
    SPOIL("margin", OTAPRIO_E_RANGE, r.margin = (double)NAN);
    SPOIL("margin", OTAPRIO_E_RANGE, r.margin = (double)INFINITY);
    SPOIL("ceiling", OTAPRIO_E_RANGE, r.ceiling = 1.5);
    SPOIL("ceiling", OTAPRIO_E_RANGE, r.ceiling = -0.1);
    SPOIL("ceiling", OTAPRIO_E_RANGE, r.ceiling = (double)NAN);
    SPOIL("ceiling", OTAPRIO_E_RANGE,
          (r.kind = OTAPRIO_GUARD_RATE, r.ceiling = -1.0));
    SPOIL("minimum_sample", OTAPRIO_E_RANGE, r.minimum_sample = -1.0);
    SPOIL("minimum_sample", OTAPRIO_E_RANGE,
          r.minimum_sample = (double)INFINITY);
    SPOIL("window_hours", OTAPRIO_E_RANGE, r.window_hours = -1.0);
    SPOIL("window_hours", OTAPRIO_E_RANGE, r.window_hours = (double)NAN);
    /* A lower-is-worse rate cannot fall by all of itself. */
    SPOIL("margin", OTAPRIO_E_RANGE,
          (r.kind = OTAPRIO_GUARD_RATE,
           r.direction = OTAPRIO_GUARD_LOWER_IS_WORSE, r.margin = 1.0));
    SPOIL("size", OTAPRIO_E_STRUCT_SIZE, r.size = 8);
#undef SPOIL
    /* A larger caller whose unknown tail is not zero. */
    struct {
        otaprio_guard_rule rule;
        uint64_t future;
    } bigger;
    memset(&bigger, 0, sizeof bigger);
    bigger.rule = guard_rule("m", OTAPRIO_GUARD_PROPORTION);
    bigger.rule.size = sizeof bigger;
    bigger.future = 1;
    expect_rule_error(&bigger.rule, NULL, OTAPRIO_E_STRUCT_SIZE, "size");
}

static void bad_options_are_named(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("m", OTAPRIO_GUARD_PROPORTION);
    otaprio_guard_options o;
#define SPOIL(field, change)                                  \
    do {                                                      \
        otaprio_guard_options_init(&o);                       \
        change;                                               \
        expect_rule_error(&rule, &o, OTAPRIO_E_RANGE, field); \
    } while (0)
    SPOIL("alpha", o.alpha = 0.0);
    SPOIL("alpha", o.alpha = 0.6);
    SPOIL("alpha", o.alpha = (double)NAN);
    SPOIL("layer", o.layer = 7);
    SPOIL("closes_active_exploit", o.closes_active_exploit = 2);
    SPOIL("multiplicity", o.multiplicity = 3);
    SPOIL("tolerance_scale", o.tolerance_scale = -1.0);
    SPOIL("tolerance_scale", o.tolerance_scale = (double)INFINITY);
#undef SPOIL
}

static void bad_sets_are_refused(void **state)
{
    (void)state;
    otaprio_guard_rule rules[2] = {guard_rule("a", OTAPRIO_GUARD_RATE),
                                   guard_rule("a", OTAPRIO_GUARD_RATE)};
    otaprio_guard_set *set = SENTINEL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_guard_set_create(NULL, rules, 2, NULL, &set, &diag),
        OTAPRIO_E_DUPLICATE);
    assert_int_equal(diag.index, 1);
    assert_ptr_equal(set, SENTINEL);
    assert_int_equal(otaprio_guard_set_create(NULL, rules, 0, NULL, &set, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_set_create(NULL, NULL, 1, NULL, &set, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_set_create(NULL, rules, 1, NULL, NULL, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_set_create(NULL, rules,
                                              OTAPRIO_GUARD_MAX_RULES + 1, NULL,
                                              &set, NULL),
                     OTAPRIO_E_LIMIT);
    assert_ptr_equal(set, SENTINEL);

    rules[1].name = "b";
    assert_int_equal(otaprio_guard_set_create(NULL, rules, 2, NULL, &set, NULL),
                     OTAPRIO_OK);
    uint32_t index = 9;
    assert_int_equal(otaprio_guard_set_find(set, "b", &index), OTAPRIO_OK);
    assert_int_equal(index, 1);
    assert_int_equal(otaprio_guard_set_find(set, "c", &index),
                     OTAPRIO_E_NOT_FOUND);
    assert_int_equal(otaprio_guard_set_find(NULL, "c", &index),
                     OTAPRIO_E_INVALID);
    assert_string_equal(otaprio_guard_set_rule_name(set, 0), "a");
    assert_null(otaprio_guard_set_rule_name(set, 2));
    assert_int_equal(otaprio_guard_set_rule_count(set), 2);
    assert_int_equal(otaprio_guard_set_rule_count(NULL), 0);
    otaprio_guard_set_free(set);
    otaprio_guard_set_free(NULL);
}

/* Evaluating spoiled data fails with `status`, names `field`, and leaves
 * the report pointer alone. */
static void expect_data_error(const otaprio_guard_set *set,
                              const otaprio_guard_data *data, size_t count,
                              int status, const char *field)
{
    otaprio_guard_report *report = REPORT_SENTINEL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_guard_evaluate(set, data, count, NULL, &report, &diag), status);
    assert_ptr_equal(report, REPORT_SENTINEL);
    assert_string_equal(diag.field, field);
}

static void bad_data_is_named(void **state)
{
    (void)state;
    otaprio_guard_rule rules[3] = {
        guard_rule("installs", OTAPRIO_GUARD_PROPORTION),
        guard_rule("crashes", OTAPRIO_GUARD_RATE),
        guard_rule("drain", OTAPRIO_GUARD_CONTINUOUS),
    };
    otaprio_guard_set *set = NULL;
    assert_int_equal(otaprio_guard_set_create(NULL, rules, 3, NULL, &set, NULL),
                     OTAPRIO_OK);
    guard_rows p = {.rows = 0}, r = {.rows = 0};
    guard_add_proportion(&p, 5, 100, 50, 1000);
    guard_add_rate(&r, 5, 100.0, 50, 1000.0);
    otaprio_guard_data d;

    /* Failures above trials, either side. */
    p.canary_events[0] = 101;
    d = guard_data_of(0, &p, 24.0);
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "canary_events");
    p.canary_events[0] = 5;
    p.baseline_events[0] = 1001;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "baseline_events");
    p.baseline_events[0] = 50;
    /* Rows whose counts sum past 2^64. */
    guard_rows huge = {.rows = 0};
    guard_add_proportion(&huge, 1, UINT64_MAX / 2 + 1, 1, 10);
    guard_add_proportion(&huge, 1, UINT64_MAX / 2 + 1, 1, 10);
    otaprio_guard_data hd = guard_data_of(0, &huge, 24.0);
    expect_data_error(set, &hd, 1, OTAPRIO_E_OVERFLOW, "rows");
    /* A missing column. */
    d.canary_trials = NULL;
    expect_data_error(set, &d, 1, OTAPRIO_E_INVALID, "canary_trials");

    /* Negative, NaN, infinite exposure; events without exposure. */
    d = guard_data_of(1, &r, 24.0);
    const double bad[] = {-1.0, (double)NAN, (double)INFINITY};
    for (size_t i = 0; i < 3; i++) {
        r.canary_exposure[0] = bad[i];
        expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "canary_exposure");
    }
    r.canary_exposure[0] = 0.0;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "canary_exposure");
    r.canary_exposure[0] = 100.0;
    r.baseline_exposure[0] = -5.0;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "baseline_exposure");
    r.baseline_exposure[0] = 1000.0;

    /* Windows out of order, negative or not finite. */
    d.window_start_hours = 30.0;
    d.window_end_hours = 24.0;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "window_end_hours");
    d.window_start_hours = -1.0;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "window_end_hours");
    d.window_start_hours = 0.0;
    d.window_end_hours = (double)NAN;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "window_end_hours");
    d.window_end_hours = 24.0;

    /* A rule out of range; two entries for one rule; too many rows. */
    d.rule = 3;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "rule");
    d.rule = 1;
    otaprio_guard_data two[2] = {d, d};
    expect_data_error(set, two, 2, OTAPRIO_E_DUPLICATE, "rule");
    d.rows = (size_t)OTAPRIO_GUARD_MAX_STRATA + 1;
    expect_data_error(set, &d, 1, OTAPRIO_E_LIMIT, "rows");
    d.rows = 1;
    d.size = 4;
    expect_data_error(set, &d, 1, OTAPRIO_E_STRUCT_SIZE, "size");

    /* NaN and infinite samples; a callback's own error comes back. */
    double values[3] = {1.0, (double)NAN, 2.0};
    guard_samples s = {.fail_with = 0};
    s.values[0][0] = values;
    s.counts[0][0] = 3;
    s.values[0][1] = values;
    s.counts[0][1] = 1;
    otaprio_guard_data_init(&d);
    d.rule = 2;
    d.rows = 1;
    d.samples = guard_samples_fn;
    d.user = &s;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "samples");
    values[1] = (double)-INFINITY;
    expect_data_error(set, &d, 1, OTAPRIO_E_RANGE, "samples");
    values[1] = 1.5;
    s.fail_with = 77;
    otaprio_guard_report *report = REPORT_SENTINEL;
    assert_int_equal(otaprio_guard_evaluate(set, &d, 1, NULL, &report, NULL),
                     77);
    assert_ptr_equal(report, REPORT_SENTINEL);
    s.fail_with = 0;
    d.samples = NULL;
    expect_data_error(set, &d, 1, OTAPRIO_E_INVALID, "samples");

    /* NULLs. */
    assert_int_equal(otaprio_guard_evaluate(NULL, &d, 1, NULL, &report, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_evaluate(set, NULL, 1, NULL, &report, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_evaluate(set, &d, 1, NULL, NULL, NULL),
                     OTAPRIO_E_INVALID);
    otaprio_guard_set_free(set);
}

static void report_queries_check_their_arguments(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("m", OTAPRIO_GUARD_RATE);
    otaprio_guard_set *set = NULL;
    assert_int_equal(otaprio_guard_set_create(NULL, &rule, 1, NULL, &set, NULL),
                     OTAPRIO_OK);
    otaprio_guard_report *report = NULL;
    assert_int_equal(otaprio_guard_evaluate(set, NULL, 0, NULL, &report, NULL),
                     OTAPRIO_OK);
    otaprio_guard_result result = {.size = 8};
    assert_int_equal(otaprio_guard_report_result(report, 0, &result),
                     OTAPRIO_E_STRUCT_SIZE);
    result.size = sizeof result;
    assert_int_equal(otaprio_guard_report_result(report, 1, &result),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio_guard_report_result(NULL, 0, &result),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_report_action(NULL), -1);
    assert_int_equal(otaprio_guard_report_reason_count(NULL), 0);
    otaprio_guard_reason reason = {.size = 8};
    assert_int_equal(otaprio_guard_report_reason(report, 0, &reason),
                     OTAPRIO_E_STRUCT_SIZE);
    size_t total = 99;
    assert_int_equal(otaprio_guard_report_strata(report, 0, NULL, 0, &total),
                     OTAPRIO_OK);
    assert_int_equal(total, 0);
    assert_int_equal(otaprio_guard_report_strata(report, 1, NULL, 0, &total),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio_guard_report_strata(report, 0, NULL, 1, &total),
                     OTAPRIO_E_INVALID);
    otaprio_guard_report_free(report);
    otaprio_guard_report_free(NULL);
    otaprio_guard_set_free(set);
}

static void count_devices_checks_its_input(void **state)
{
    (void)state;
    const uint64_t keys[] = {1, 2};
    const uint8_t failed[] = {0, 2};
    uint64_t failures = 7, trials = 7;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_guard_count_devices(keys, failed, 2, 0, NULL,
                                                 &failures, &trials, &diag),
                     OTAPRIO_E_RANGE);
    assert_int_equal(diag.index, 1);
    assert_string_equal(diag.field, "failed");
    assert_int_equal(failures, 7);
    assert_int_equal(trials, 7);
    assert_int_equal(otaprio_guard_count_devices(keys, failed, 1, 2, NULL,
                                                 &failures, &trials, NULL),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio_guard_count_devices(NULL, failed, 1, 0, NULL,
                                                 &failures, &trials, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_count_devices(keys, failed, 1, 0, NULL, NULL,
                                                 &trials, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_count_devices(NULL, NULL, 0, 0, NULL,
                                                 &failures, &trials, NULL),
                     OTAPRIO_OK);
    assert_int_equal(failures, 0);
    assert_int_equal(trials, 0);
}

/* ---- allocation failures ------------------------------------------------- */

static int create_set(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_guard_rule rules[3] = {
        guard_rule("a", OTAPRIO_GUARD_PROPORTION),
        guard_rule("b", OTAPRIO_GUARD_RATE),
        guard_rule("c", OTAPRIO_GUARD_CONTINUOUS),
    };
    otaprio_guard_set *set = SENTINEL;
    int status =
        otaprio_guard_set_create(NULL, rules, 3, allocator, &set, NULL);
    if (status != OTAPRIO_OK) {
        assert_ptr_equal(set, SENTINEL);
        return status;
    }
    otaprio_guard_set_free(set);
    return OTAPRIO_OK;
}

static void set_creation_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(alloc_fail_sweep(create_set, NULL, OTAPRIO_E_NOMEM) >= 2);
}

typedef struct evaluate_sweep {
    otaprio_guard_set *set;
    otaprio_guard_sequence *sequence;
    unsigned char saved[OTAPRIO_GUARD_SEQUENCE_BYTES];
} evaluate_sweep;

static int evaluate_all_kinds(const otaprio_allocator *allocator, void *ctx)
{
    evaluate_sweep *sw = ctx;
    guard_rows p = {.rows = 0}, r = {.rows = 0};
    guard_add_proportion(&p, 30, 1000, 200, 10000);
    guard_add_proportion(&p, 5, 100, 20, 1000);
    guard_add_rate(&r, 40, 1000.0, 100, 10000.0);
    guard_add_rate(&r, 4, 100.0, 10, 1000.0);
    guard_add_rate(&r, 0, 0.0, 10, 1000.0);
    double canary[40], baseline[60];
    for (size_t i = 0; i < 40; i++)
        canary[i] = (double)(i % 7) + 0.5;
    for (size_t i = 0; i < 60; i++)
        baseline[i] = (double)(i % 5);
    guard_samples s = {.fail_with = 0};
    for (size_t row = 0; row < 2; row++) {
        s.values[row][0] = canary + 20 * row;
        s.counts[row][0] = 20;
        s.values[row][1] = baseline + 30 * row;
        s.counts[row][1] = 30;
    }
    otaprio_guard_data data[3];
    data[0] = guard_data_of(0, &p, 24.0);
    data[1] = guard_data_of(1, &r, 24.0);
    data[1].sequence = sw->sequence;
    otaprio_guard_data_init(&data[2]);
    data[2].rule = 2;
    data[2].rows = 2;
    data[2].samples = guard_samples_fn;
    data[2].user = &s;
    otaprio_guard_report *report = REPORT_SENTINEL;
    int status =
        otaprio_guard_evaluate(sw->set, data, 3, allocator, &report, NULL);
    unsigned char now[OTAPRIO_GUARD_SEQUENCE_BYTES];
    assert_int_equal(otaprio_guard_sequence_save(sw->sequence, now, sizeof now),
                     OTAPRIO_OK);
    if (status != OTAPRIO_OK) {
        assert_ptr_equal(report, REPORT_SENTINEL);
        /* The host's sequence did not move. */
        assert_memory_equal(now, sw->saved, sizeof now);
        return status;
    }
    assert_int_equal(otaprio_guard_report_action(report), OTAPRIO_GUARD_PAUSE);
    otaprio_guard_report_free(report);
    /* Back to the state before, for the next run of the sweep. */
    otaprio_guard_sequence_free(sw->sequence);
    sw->sequence = NULL;
    assert_int_equal(otaprio_guard_sequence_load(sw->set, 1, sw->saved,
                                                 sizeof sw->saved, NULL,
                                                 &sw->sequence, NULL),
                     OTAPRIO_OK);
    return OTAPRIO_OK;
}

static void evaluation_survives_every_allocation_failure(void **state)
{
    (void)state;
    otaprio_guard_rule rules[3] = {
        guard_rule("installs", OTAPRIO_GUARD_PROPORTION),
        guard_rule("crashes", OTAPRIO_GUARD_RATE),
        guard_rule("drain", OTAPRIO_GUARD_CONTINUOUS),
    };
    rules[1].sequential = 1;
    evaluate_sweep sw = {.set = NULL, .sequence = NULL};
    assert_int_equal(
        otaprio_guard_set_create(NULL, rules, 3, NULL, &sw.set, NULL),
        OTAPRIO_OK);
    assert_int_equal(
        otaprio_guard_sequence_create(sw.set, 1, NULL, &sw.sequence, NULL),
        OTAPRIO_OK);
    assert_int_equal(
        otaprio_guard_sequence_save(sw.sequence, sw.saved, sizeof sw.saved),
        OTAPRIO_OK);
    assert_true(alloc_fail_sweep(evaluate_all_kinds, &sw, OTAPRIO_E_NOMEM) >
                10);
    otaprio_guard_sequence_free(sw.sequence);
    otaprio_guard_set_free(sw.set);
}

static int count_many(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    uint64_t keys[3000];
    uint8_t failed[3000];
    for (size_t i = 0; i < 3000; i++) {
        keys[i] = (uint64_t)(i % 1000) * UINT64_C(0x9e3779b97f4a7c15);
        failed[i] = (uint8_t)(i % 3 == 0);
    }
    uint64_t failures = 5, trials = 5;
    int status = otaprio_guard_count_devices(keys, failed, 3000, 0, allocator,
                                             &failures, &trials, NULL);
    if (status != OTAPRIO_OK) {
        assert_int_equal(failures, 5);
        assert_int_equal(trials, 5);
        return status;
    }
    assert_int_equal(trials, 1000);
    return OTAPRIO_OK;
}

static void counting_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(alloc_fail_sweep(count_many, NULL, OTAPRIO_E_NOMEM) > 5);
}

static int make_sequences(const otaprio_allocator *allocator, void *ctx)
{
    const otaprio_guard_set *set = ctx;
    otaprio_guard_sequence *made = NULL;
    int status = otaprio_guard_sequence_create(set, 0, allocator, &made, NULL);
    if (status != OTAPRIO_OK)
        return status;
    unsigned char bytes[OTAPRIO_GUARD_SEQUENCE_BYTES];
    assert_int_equal(otaprio_guard_sequence_save(made, bytes, sizeof bytes),
                     OTAPRIO_OK);
    otaprio_guard_sequence_free(made);
    made = NULL;
    status = otaprio_guard_sequence_load(set, 0, bytes, sizeof bytes, allocator,
                                         &made, NULL);
    if (status != OTAPRIO_OK) {
        assert_null(made);
        return status;
    }
    otaprio_guard_sequence_free(made);
    return OTAPRIO_OK;
}

static void sequences_survive_every_allocation_failure(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("crashes", OTAPRIO_GUARD_RATE);
    rule.sequential = 1;
    otaprio_guard_set *set = NULL;
    assert_int_equal(otaprio_guard_set_create(NULL, &rule, 1, NULL, &set, NULL),
                     OTAPRIO_OK);
    assert_int_equal(alloc_fail_sweep(make_sequences, set, OTAPRIO_E_NOMEM), 2);
    otaprio_guard_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_rules_are_named),
        cmocka_unit_test(bad_options_are_named),
        cmocka_unit_test(bad_sets_are_refused),
        cmocka_unit_test(bad_data_is_named),
        cmocka_unit_test(report_queries_check_their_arguments),
        cmocka_unit_test(count_devices_checks_its_input),
        cmocka_unit_test(set_creation_survives_every_allocation_failure),
        cmocka_unit_test(evaluation_survives_every_allocation_failure),
        cmocka_unit_test(counting_survives_every_allocation_failure),
        cmocka_unit_test(sequences_survive_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
