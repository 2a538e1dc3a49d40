/* SPDX-License-Identifier: MIT */
/*
 * Guardrail verdicts: every verdict and action path, the reference
 * article's examples, and the complaints users have of today's judges as
 * named regression tests (zero baselines, no data, variance blow-ups,
 * retries counted as devices).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit/guard_fixture.h"

/* ---- the article's examples --------------------------------------------- */

/* "Stop if the crash rate exceeds the baseline by a margin." */
static void crash_rate_over_baseline_by_margin_pauses(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    rule.margin = 0.5;
    guard_rows rows = {.rows = 0};
    /* 0.003 crashes per device-hour against 0.001: three times, where
     * one and a half is allowed. */
    guard_add_rate(&rows, 60, 20000.0, 100, 100000.0);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.status, OTAPRIO_OK);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_BASELINE);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_RATE_RATIO);
    assert_int_equal(out.action, OTAPRIO_GUARD_PAUSE);
    assert_true(out.result.p_value < 1e-4);
    assert_true(fabs(out.result.canary_value - 0.003) < 1e-15);
    assert_true(fabs(out.result.baseline_value - 0.001) < 1e-15);
    assert_true(fabs(out.result.effect - 3.0) < 1e-12);
    assert_true(out.result.effect_low < 3.0 && out.result.effect_high > 3.0);
    assert_true(out.result.limit == 1.5);

    /* 1.25 times the baseline is within the margin. */
    rows.canary_events[0] = 25;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.action, OTAPRIO_GUARD_EXPAND);
    assert_int_equal(out.reasons, 0);
}

/* "Roll back if boot failures exceed a threshold." */
static void boot_failures_over_threshold_roll_back(void **state)
{
    (void)state;
    otaprio_guard_rule rule =
        guard_rule("boot-failures", OTAPRIO_GUARD_PROPORTION);
    rule.checks = OTAPRIO_GUARD_CHECK_CEILING;
    rule.ceiling = 0.001;
    rule.severity = OTAPRIO_GUARD_CRITICAL;
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 8, 2000, 0, 0);
    otaprio_guard_data data = guard_data_of(0, &rows, 2.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_CEILING);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_BINOMIAL);
    assert_int_equal(out.action, OTAPRIO_GUARD_ROLLBACK);
    assert_true(out.result.limit == 0.001);

    /* One boot failure in 2000 is within a 0.1% ceiling. */
    rows.canary_events[0] = 1;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.action, OTAPRIO_GUARD_EXPAND);
}

/* "Hold when failed attempts rise": a leading indicator holds expansion,
 * nothing more, and only once the rise is real. */
static void rising_failed_attempts_hold(void **state)
{
    (void)state;
    otaprio_guard_rule rule =
        guard_rule("download-retries", OTAPRIO_GUARD_PROPORTION);
    rule.severity = OTAPRIO_GUARD_LEADING;
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 21, 1000, 200, 10000); /* 2.1% vs 2% */
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.action, OTAPRIO_GUARD_EXPAND);

    rows.canary_events[0] = 45; /* 4.5% vs 2% */
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.action, OTAPRIO_GUARD_HOLD);
    assert_int_equal(out.first_reason.code, OTAPRIO_GUARD_REASON_OVER_BASELINE);
    /* Few events: Fisher's exact test; many: the score test. */
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_FISHER);
    rows.canary_events[0] = 450;
    rows.canary_trials[0] = 10000;
    rows.baseline_events[0] = 2000;
    rows.baseline_trials[0] = 100000;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_SCORE);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
}

/* "Expansion is blocked until the soak window has passed." */
static void expansion_waits_for_the_soak_window(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    rule.window_hours = 24.0;
    guard_rows rows = {.rows = 0};
    guard_add_rate(&rows, 10, 10000.0, 100, 100000.0);
    otaprio_guard_data data = guard_data_of(0, &rows, 12.0);
    data.window_start_hours = 0.0;
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_SOAKING);
    assert_int_equal(out.action, OTAPRIO_GUARD_HOLD);
    assert_int_equal(out.first_reason.code, OTAPRIO_GUARD_REASON_SOAKING);

    data.window_end_hours = 24.0;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.action, OTAPRIO_GUARD_EXPAND);

    /* A failure does not wait for the window. */
    data.window_end_hours = 1.0;
    rows.canary_events[0] = 80;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.action, OTAPRIO_GUARD_PAUSE);
}

/* ---- the complaints, as regression tests -------------------------------- */

/* A sparse metric whose baseline saw nothing must still fail: a ratio to
 * zero is undefined and today's judges let it pass. */
static void zero_baseline_errors_fail(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("bricked", OTAPRIO_GUARD_PROPORTION);
    rule.margin = 1.0; /* even a generous relative margin */
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 6, 1000, 0, 50000);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_BASELINE);

    rule.margin = 0.0; /* Fisher's exact test decides */
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_FISHER);
    assert_true(out.result.p_value < 1e-9);

    /* The same for a rate. */
    otaprio_guard_rule rate = guard_rule("kernel-panics", OTAPRIO_GUARD_RATE);
    guard_rows r = {.rows = 0};
    guard_add_rate(&r, 5, 1000.0, 0, 100000.0);
    otaprio_guard_data rd = guard_data_of(0, &r, 24.0);
    out = guard_judge(NULL, &rate, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_true(isinf(out.result.statistic) || isinf(out.result.effect));

    /* But one event in a small canary against a silent baseline of
     * similar size is no evidence. */
    r.canary_events[0] = 1;
    r.baseline_exposure[0] = 1000.0;
    out = guard_judge(NULL, &rate, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);

    /* Zero tolerance, when the rule says so. */
    rate.zero_baseline = OTAPRIO_GUARD_ZERO_BASELINE_ANY_EVENT;
    out = guard_judge(NULL, &rate, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_ZERO_BASELINE);

    /* Or the ceiling alone. */
    rate.zero_baseline = OTAPRIO_GUARD_ZERO_BASELINE_CEILING;
    rate.checks = OTAPRIO_GUARD_CHECK_BASELINE | OTAPRIO_GUARD_CHECK_CEILING;
    rate.ceiling = 0.01; /* one per hundred hours; 1 in 1000 h is fine */
    out = guard_judge(NULL, &rate, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_POISSON);
    r.canary_events[0] = 40;
    out = guard_judge(NULL, &rate, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_CEILING);
}

/* A canary without data is neither promoted nor reverted blindly: its
 * rule's policy decides. */
static void no_data_obeys_its_policy(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    guard_rows rows = {.rows = 0};
    guard_add_rate(&rows, 0, 0.0, 10, 1000.0); /* canary silent */
    otaprio_guard_data data = guard_data_of(0, &rows, 48.0);

    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_NO_DATA);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_NO_DATA);
    assert_int_equal(out.action, OTAPRIO_GUARD_HOLD);

    rule.no_data = OTAPRIO_GUARD_NO_DATA_FAIL;
    rule.severity = OTAPRIO_GUARD_CRITICAL;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_NO_DATA);
    assert_int_equal(out.action, OTAPRIO_GUARD_ROLLBACK);

    rule.no_data = OTAPRIO_GUARD_NO_DATA_IGNORE;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_NO_DATA);
    assert_int_equal(out.action, OTAPRIO_GUARD_EXPAND);

    /* A rule no data entry names has no data too. */
    rule.no_data = OTAPRIO_GUARD_NO_DATA_HOLD;
    out = guard_judge(NULL, &rule, NULL);
    assert_int_equal(out.status, OTAPRIO_OK);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_NO_DATA);
    assert_int_equal(out.action, OTAPRIO_GUARD_HOLD);
    assert_true(isnan(out.result.p_value));
}

/* Deterministic values in [-1, 1] with median 0. */
static void spread_values(double *out, size_t n, double centre, double width)
{
    for (size_t i = 0; i < n; i++)
        out[i] = centre +
                 width * (2.0 * (double)((i * 37) % n) / (double)(n - 1) - 1.0);
}

/* Same median, five times the spread: a location test (Mann-Whitney)
 * alone misses it; the spread check catches it. */
static void variance_blow_up_is_caught(void **state)
{
    (void)state;
    double canary[301], baseline[401];
    spread_values(canary, 301, 10.0, 5.0);
    spread_values(baseline, 401, 10.0, 1.0);
    guard_samples samples;
    otaprio_guard_data data =
        guard_samples_of(0, &samples, canary, 301, baseline, 401);
    otaprio_guard_rule rule =
        guard_rule("battery-drain", OTAPRIO_GUARD_CONTINUOUS);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.status, OTAPRIO_OK);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_SPREAD);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_BROWN_FORSYTHE);
    assert_true(out.result.canary_value == 10.0);
    assert_true(out.result.baseline_value == 10.0);

    /* Location alone passes: that is the blind spot. */
    rule.checks = OTAPRIO_GUARD_CHECK_BASELINE;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_MANN_WHITNEY);

    /* A narrower canary is no harm. */
    rule.checks = 0;
    spread_values(canary, 301, 10.0, 0.5);
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
}

/* Retried executions must not inflate a failure share: a device is one
 * trial and, at most, one failure. */
static void counts_are_per_device(void **state)
{
    (void)state;
    /* Device 1 fails three times, then succeeds; 2 succeeds; 3 fails
     * once; 4 succeeds twice. */
    const uint64_t keys[] = {1, 1, 1, 2, 3, 1, 4, 4};
    const uint8_t failed[] = {1, 1, 1, 0, 1, 0, 0, 0};
    uint64_t failures = 99, trials = 99;
    assert_int_equal(otaprio_guard_count_devices(keys, failed, 8, 0, NULL,
                                                 &failures, &trials, NULL),
                     OTAPRIO_OK);
    assert_int_equal(failures, 2);
    assert_int_equal(trials, 4);
    assert_int_equal(otaprio_guard_count_devices(keys, failed, 8, 1, NULL,
                                                 &failures, &trials, NULL),
                     OTAPRIO_OK);
    assert_int_equal(failures, 1);
    assert_int_equal(trials, 4);

    /* Counted per execution the canary would look five times worse. */
    otaprio_guard_rule rule =
        guard_rule("install-failures", OTAPRIO_GUARD_PROPORTION);
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 25, 1000, 200, 10000); /* per device */
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    rows.canary_events[0] = 125; /* per execution: five retries each */
    rows.canary_trials[0] = 1100;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
}

/* ---- gates, directions and evidence -------------------------------------- */

static void minimum_sample_gates_all_but_critical_harm(void **state)
{
    (void)state;
    otaprio_guard_rule rule =
        guard_rule("install-failures", OTAPRIO_GUARD_PROPORTION);
    rule.minimum_sample = 500;
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 1, 100, 200, 10000);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_INCONCLUSIVE);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_BELOW_MINIMUM);
    assert_int_equal(out.action, OTAPRIO_GUARD_HOLD);

    /* Plain harm below the minimum waits ... */
    rows.canary_events[0] = 30;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_INCONCLUSIVE);
    /* ... critical harm does not. */
    rule.severity = OTAPRIO_GUARD_CRITICAL;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.action, OTAPRIO_GUARD_ROLLBACK);
}

static void evidence_is_required_when_asked(void **state)
{
    (void)state;
    otaprio_guard_rule rule =
        guard_rule("install-failures", OTAPRIO_GUARD_PROPORTION);
    rule.margin = 0.5;
    rule.require_evidence = 1;
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 2, 100, 200, 10000); /* too few to show */
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_INCONCLUSIVE);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_INCONCLUSIVE);
    assert_int_equal(out.action, OTAPRIO_GUARD_HOLD);

    /* 1.8% of 5000 is shown to be under 1.5 x 2%. */
    rows.canary_events[0] = 90;
    rows.canary_trials[0] = 5000;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_RISK_RATIO);
    assert_true(out.result.p_value < 0.05);

    /* Without the requirement, the absence of harm suffices. */
    rule.require_evidence = 0;
    rows.canary_events[0] = 2;
    rows.canary_trials[0] = 100;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
}

static void lower_is_worse_turns_the_metric(void **state)
{
    (void)state;
    /* A check-in success share: 90% against 98%. */
    otaprio_guard_rule rule = guard_rule("check-in", OTAPRIO_GUARD_PROPORTION);
    rule.direction = OTAPRIO_GUARD_LOWER_IS_WORSE;
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 900, 1000, 9800, 10000);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_true(fabs(out.result.canary_value - 0.9) < 1e-15);
    assert_true(fabs(out.result.baseline_value - 0.98) < 1e-15);
    assert_true(out.result.effect < 0.0);
    assert_true(out.result.effect_low <= out.result.effect &&
                out.result.effect <= out.result.effect_high);
    /* A better success share passes. */
    rows.canary_events[0] = 995;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);

    /* A heartbeat rate with a floor of 10 an hour: 50 in 10 hours. */
    otaprio_guard_rule beat = guard_rule("heartbeats", OTAPRIO_GUARD_RATE);
    beat.direction = OTAPRIO_GUARD_LOWER_IS_WORSE;
    beat.checks = OTAPRIO_GUARD_CHECK_CEILING;
    beat.ceiling = 10.0;
    guard_rows r = {.rows = 0};
    guard_add_rate(&r, 50, 10.0, 0, 0.0);
    otaprio_guard_data rd = guard_data_of(0, &r, 24.0);
    out = guard_judge(NULL, &beat, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_CEILING);
    r.canary_events[0] = 104;
    out = guard_judge(NULL, &beat, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);

    /* And a rate's relative fall: 30% below the baseline, 10% allowed. */
    beat.checks = OTAPRIO_GUARD_CHECK_BASELINE;
    beat.margin = 0.1;
    r.canary_events[0] = 700;
    r.canary_exposure[0] = 100.0;
    r.baseline_events[0] = 10000;
    r.baseline_exposure[0] = 1000.0;
    out = guard_judge(NULL, &beat, &rd);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_true(fabs(out.result.effect - 0.7) < 1e-12);
}

static void continuous_shift_and_ceiling(void **state)
{
    (void)state;
    double canary[200], baseline[300];
    spread_values(canary, 200, 13.0, 2.0);   /* install latency, seconds */
    spread_values(baseline, 300, 10.0, 2.0); /* 30% faster */
    guard_samples samples;
    otaprio_guard_data data =
        guard_samples_of(0, &samples, canary, 200, baseline, 300);
    otaprio_guard_rule rule =
        guard_rule("install-latency", OTAPRIO_GUARD_CONTINUOUS);
    rule.margin = 0.1; /* one second on a 10-second median */
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_BASELINE);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_MANN_WHITNEY);
    assert_true(fabs(out.result.effect - 3.0) < 0.1);
    assert_true(out.result.effect_low < out.result.effect);
    assert_true(out.result.limit == 1.0);

    /* Within the margin. */
    spread_values(canary, 200, 10.5, 2.0);
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);

    /* The canary's median against a 12-second ceiling (sign test). */
    rule.checks = OTAPRIO_GUARD_CHECK_CEILING;
    rule.ceiling = 12.0;
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(out.result.test, OTAPRIO_GUARD_TEST_SIGN);
    spread_values(canary, 200, 13.0, 2.0);
    out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_OVER_CEILING);
}

/* ---- tolerance ----------------------------------------------------------- */

static double limit_under(int32_t layer, int32_t exploit)
{
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    options.layer = layer;
    options.closes_active_exploit = exploit;
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    rule.margin = 0.8;
    guard_rows rows = {.rows = 0};
    guard_add_rate(&rows, 10, 1000.0, 100, 10000.0);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(&options, &rule, &data);
    assert_int_equal(out.status, OTAPRIO_OK);
    return out.result.limit;
}

static void tolerance_follows_what_the_update_touches(void **state)
{
    (void)state;
    assert_true(fabs(limit_under(OTAPRIO_LAYER_APP, 0) - 1.8) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_CONFIG, 0) - 1.8) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_OS, 0) - 1.6) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_KERNEL, 0) - 1.4) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_BOOTLOADER, 0) - 1.2) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_BASEBAND, 0) - 1.2) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_BATTERY, 0) - 1.2) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_APP, 1) - 2.2) < 1e-15);
    assert_true(fabs(limit_under(OTAPRIO_LAYER_KERNEL, 1) - 1.6) < 1e-15);

    /* The same canary passes an app's margin and fails a bootloader's. */
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    rule.margin = 0.8;
    guard_rows rows = {.rows = 0};
    guard_add_rate(&rows, 300, 20000.0, 1000, 100000.0); /* 1.5 x */
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    guard_outcome app = guard_judge(&options, &rule, &data);
    options.layer = OTAPRIO_LAYER_BOOTLOADER;
    guard_outcome boot = guard_judge(&options, &rule, &data);
    assert_int_equal(app.result.verdict, OTAPRIO_GUARD_PASS);
    assert_int_equal(boot.result.verdict, OTAPRIO_GUARD_FAIL);
    /* An explicit scale overrides the layer's. */
    options.tolerance_scale = 1.0;
    guard_outcome explicit_scale = guard_judge(&options, &rule, &data);
    assert_int_equal(explicit_scale.result.verdict, OTAPRIO_GUARD_PASS);
}

/* ---- localisation and the overall action --------------------------------- */

static void a_failing_stratum_is_named(void **state)
{
    (void)state;
    otaprio_guard_rule rule =
        guard_rule("install-failures", OTAPRIO_GUARD_PROPORTION);
    guard_rows rows = {.rows = 0};
    guard_add_proportion(&rows, 20, 1000, 200, 10000); /* SKU 100: fine */
    guard_add_proportion(&rows, 21, 1000, 200, 10000); /* SKU 101: fine */
    guard_add_proportion(&rows, 12, 100, 20, 1000);    /* SKU 102: 12% */
    guard_add_proportion(&rows, 19, 1000, 200, 10000); /* SKU 103: fine */
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    otaprio_guard_set *set = NULL;
    assert_int_equal(otaprio_guard_set_create(NULL, &rule, 1, NULL, &set, NULL),
                     OTAPRIO_OK);
    otaprio_guard_report *report = NULL;
    assert_int_equal(otaprio_guard_evaluate(set, &data, 1, NULL, &report, NULL),
                     OTAPRIO_OK);
    otaprio_guard_result result = {.size = sizeof result};
    assert_int_equal(otaprio_guard_report_result(report, 0, &result),
                     OTAPRIO_OK);
    assert_int_equal(result.failing_strata, 1);
    assert_int_equal(result.verdict, OTAPRIO_GUARD_FAIL);
    otaprio_guard_stratum strata[4];
    for (size_t i = 0; i < 4; i++)
        strata[i].size = sizeof strata[i];
    size_t total = 0;
    assert_int_equal(otaprio_guard_report_strata(report, 0, strata, 4, &total),
                     OTAPRIO_OK);
    assert_int_equal(total, 4);
    assert_int_equal(strata[0].stratum, 102);
    assert_int_equal(strata[0].verdict, OTAPRIO_GUARD_FAIL);
    assert_true(strata[0].adjusted_p_value >= strata[0].p_value);
    assert_true(fabs(strata[0].canary_value - 0.12) < 1e-15);
    for (size_t i = 1; i < 4; i++) {
        assert_int_not_equal(strata[i].verdict, OTAPRIO_GUARD_FAIL);
        assert_true(strata[i].adjusted_p_value >=
                    strata[i - 1].adjusted_p_value);
    }
    /* A smaller capacity fills a prefix and still tells the total. */
    otaprio_guard_stratum one = {.size = sizeof one};
    assert_int_equal(otaprio_guard_report_strata(report, 0, &one, 1, &total),
                     OTAPRIO_OK);
    assert_int_equal(one.stratum, 102);
    assert_int_equal(total, 4);
    otaprio_guard_report_free(report);

    /* Exempting the stratum (its row left out) lets the rest expand. */
    rows.rows = 2;
    data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.action, OTAPRIO_GUARD_EXPAND);
    otaprio_guard_set_free(set);
}

static void a_stratum_failure_hidden_in_the_pool_still_fails(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    guard_rows rows = {.rows = 0};
    /* One region's canary crashes at 4x; the others do better than the
     * baseline, so the pooled rate is no worse. */
    guard_add_rate(&rows, 40, 1000.0, 100, 10000.0);
    guard_add_rate(&rows, 30, 10000.0, 1000, 100000.0);
    guard_add_rate(&rows, 30, 10000.0, 1000, 100000.0);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    guard_outcome out = guard_judge(NULL, &rule, &data);
    assert_int_equal(out.result.verdict, OTAPRIO_GUARD_FAIL);
    assert_int_equal(out.result.reason, OTAPRIO_GUARD_REASON_STRATA);
    assert_int_equal(out.result.failing_strata, 1);
    assert_int_equal(out.action, OTAPRIO_GUARD_PAUSE);
}

static void multiplicity_control_spares_noise(void **state)
{
    (void)state;
    otaprio_guard_rule rule = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    guard_rows rows = {.rows = 0};
    /* Eight strata, each a little worse: p about 0.03 alone. */
    for (int i = 0; i < 8; i++)
        guard_add_rate(&rows, 17, 1000.0, 100, 10000.0);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    options.multiplicity = OTAPRIO_GUARD_UNCORRECTED;
    guard_outcome raw = guard_judge(&options, &rule, &data);
    options.multiplicity = OTAPRIO_GUARD_HOLM;
    guard_outcome holm = guard_judge(&options, &rule, &data);
    options.multiplicity = OTAPRIO_GUARD_BENJAMINI_HOCHBERG;
    guard_outcome bh = guard_judge(&options, &rule, &data);
    assert_int_equal(raw.result.failing_strata, 8);
    assert_int_equal(holm.result.failing_strata, 0);
    /* With equal p-values BH keeps all or none: all, at 0.05. */
    assert_true(bh.result.failing_strata == 8 || bh.result.failing_strata == 0);
    /* The pooled comparison (136 against 100 per 10,000 h) fails anyway. */
    assert_int_equal(holm.result.verdict, OTAPRIO_GUARD_FAIL);
}

static void overall_action_and_reasons_in_order(void **state)
{
    (void)state;
    otaprio_guard_rule rules[4];
    rules[0] = guard_rule("download-retries", OTAPRIO_GUARD_PROPORTION);
    rules[0].severity = OTAPRIO_GUARD_LEADING;
    rules[1] = guard_rule("boot-failures", OTAPRIO_GUARD_PROPORTION);
    rules[1].severity = OTAPRIO_GUARD_CRITICAL;
    rules[2] = guard_rule("crash-rate", OTAPRIO_GUARD_RATE);
    rules[3] = guard_rule("tickets", OTAPRIO_GUARD_RATE); /* no data */
    guard_rows leading = {.rows = 0}, boot = {.rows = 0}, crash = {.rows = 0};
    guard_add_proportion(&leading, 60, 1000, 200, 10000);
    guard_add_proportion(&boot, 9, 1000, 2, 10000);
    guard_add_rate(&crash, 10, 1000.0, 100, 10000.0);
    otaprio_guard_data data[3] = {
        guard_data_of(0, &leading, 24.0),
        guard_data_of(1, &boot, 24.0),
        guard_data_of(2, &crash, 24.0),
    };
    otaprio_guard_set *set = NULL;
    assert_int_equal(otaprio_guard_set_create(NULL, rules, 4, NULL, &set, NULL),
                     OTAPRIO_OK);
    otaprio_guard_report *report = NULL;
    assert_int_equal(otaprio_guard_evaluate(set, data, 3, NULL, &report, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_guard_report_action(report),
                     OTAPRIO_GUARD_ROLLBACK);
    assert_int_equal(otaprio_guard_report_reason_count(report), 3);
    otaprio_guard_reason reason = {.size = sizeof reason};
    assert_int_equal(otaprio_guard_report_reason(report, 0, &reason),
                     OTAPRIO_OK);
    assert_int_equal(reason.rule, 1);
    assert_int_equal(reason.action, OTAPRIO_GUARD_ROLLBACK);
    /* Both holds: the failing leading indicator (it has a p-value) comes
     * before the rule without data. */
    assert_int_equal(otaprio_guard_report_reason(report, 1, &reason),
                     OTAPRIO_OK);
    assert_int_equal(reason.rule, 0);
    assert_int_equal(reason.action, OTAPRIO_GUARD_HOLD);
    assert_int_equal(reason.code, OTAPRIO_GUARD_REASON_OVER_BASELINE);
    assert_int_equal(otaprio_guard_report_reason(report, 2, &reason),
                     OTAPRIO_OK);
    assert_int_equal(reason.rule, 3);
    assert_int_equal(reason.code, OTAPRIO_GUARD_REASON_NO_DATA);
    assert_int_equal(otaprio_guard_report_reason(report, 3, &reason),
                     OTAPRIO_E_RANGE);
    otaprio_guard_report_free(report);
    otaprio_guard_set_free(set);
}

static void names_of_everything(void **state)
{
    (void)state;
    assert_string_equal(otaprio_guard_verdict_name(OTAPRIO_GUARD_NO_DATA),
                        "no-data");
    assert_string_equal(otaprio_guard_action_name(OTAPRIO_GUARD_ROLLBACK),
                        "rollback");
    assert_string_equal(otaprio_guard_test_name(OTAPRIO_GUARD_TEST_SEQUENTIAL),
                        "sequential");
    assert_string_equal(otaprio_guard_reason_name(OTAPRIO_GUARD_REASON_SOAKING),
                        "soaking");
    assert_null(otaprio_guard_verdict_name(4));
    assert_null(otaprio_guard_action_name(-1));
    assert_null(otaprio_guard_test_name(11));
    assert_null(otaprio_guard_reason_name(10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crash_rate_over_baseline_by_margin_pauses),
        cmocka_unit_test(boot_failures_over_threshold_roll_back),
        cmocka_unit_test(rising_failed_attempts_hold),
        cmocka_unit_test(expansion_waits_for_the_soak_window),
        cmocka_unit_test(zero_baseline_errors_fail),
        cmocka_unit_test(no_data_obeys_its_policy),
        cmocka_unit_test(variance_blow_up_is_caught),
        cmocka_unit_test(counts_are_per_device),
        cmocka_unit_test(minimum_sample_gates_all_but_critical_harm),
        cmocka_unit_test(evidence_is_required_when_asked),
        cmocka_unit_test(lower_is_worse_turns_the_metric),
        cmocka_unit_test(continuous_shift_and_ceiling),
        cmocka_unit_test(tolerance_follows_what_the_update_touches),
        cmocka_unit_test(a_failing_stratum_is_named),
        cmocka_unit_test(a_stratum_failure_hidden_in_the_pool_still_fails),
        cmocka_unit_test(multiplicity_control_spares_noise),
        cmocka_unit_test(overall_action_and_reasons_in_order),
        cmocka_unit_test(names_of_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
