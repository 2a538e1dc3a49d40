/* SPDX-License-Identifier: MIT */
/*
 * Canary size from statistical power against the independent reference
 * (tests/vectors/gen_plan_power_vectors.py, which also checks the sizes
 * against the exact power of the test they size), the monotone properties
 * a planner relies on, and bad input: every wrong field is named and the
 * answer is never written on failure.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio/plan.h"
#include "unit/stats_check.h"
#include "vectors/plan_power_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define POISON (-12345.0)

static otaprio_plan_power spec_of(int metric, double baseline, double rise,
                                  double alpha, double power,
                                  double baseline_size)
{
    otaprio_plan_power spec;
    otaprio_plan_power_init(&spec);
    spec.metric = metric;
    spec.baseline = baseline;
    spec.rise = rise;
    spec.alpha = alpha;
    spec.power = power;
    spec.baseline_size = baseline_size;
    return spec;
}

static double size_of(const otaprio_plan_power *spec)
{
    double canary = POISON;
    assert_int_equal(otaprio_plan_canary_size(spec, &canary, NULL), OTAPRIO_OK);
    assert_true(canary >= 0.0 && canary <= 0x1p53);
    return canary;
}

static void sizes_match_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(plan_power_vectors); i++) {
        const plan_power_vector *v = &plan_power_vectors[i];
        otaprio_plan_power spec = spec_of(v->metric, v->baseline, v->rise,
                                          v->alpha, v->power, v->baseline_size);
        spec.exact = v->exact;
        double canary = POISON;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_plan_canary_size(&spec, &canary, &diag);
        if (status != v->status)
            fail_msg("case %zu: status %d, want %d (%s)", i, status, v->status,
                     diag.message);
        if (status != OTAPRIO_OK) {
            assert_true(canary == POISON);
            assert_string_equal(diag.field, "baseline_size");
            continue;
        }
        if (v->metric == OTAPRIO_PLAN_METRIC_PROPORTION)
            assert_true(canary == v->canary); /* whole devices, exactly */
        else
            assert_stats_close(canary, v->canary, "exposure", i);
    }
}

/* The textbook example: a 1% failure rate rising by half, alpha 0.05 one
 * sided, power 0.8, known baseline: 2830 devices (the generator's first
 * case), and the defaults are those numbers' alpha and power. */
static void defaults_are_alpha_005_power_08_known_baseline(void **state)
{
    (void)state;
    otaprio_plan_power spec;
    otaprio_plan_power_init(&spec);
    assert_int_equal(spec.size, sizeof spec);
    assert_int_equal(spec.metric, OTAPRIO_PLAN_METRIC_PROPORTION);
    assert_true(spec.alpha == 0.05);
    assert_true(spec.power == 0.8);
    assert_true(spec.baseline_size == HUGE_VAL);
    spec.baseline = 0.01;
    spec.rise = 0.5;
    assert_true(size_of(&spec) == 2830.0);
}

static const int metrics[] = {OTAPRIO_PLAN_METRIC_PROPORTION,
                              OTAPRIO_PLAN_METRIC_RATE};
static const double baselines[] = {1e-5, 0.003, 0.05, 0.2};
static const double sizes[] = {5e4, 1e6, 1e9, HUGE_VAL};

/* The size never falls as the rise shrinks, alpha falls or power grows,
 * and never grows with a larger baseline. */
static void sizes_are_monotone(void **state)
{
    (void)state;
    static const double rises[] = {0.25, 0.5, 1.0, 2.0, 3.0};
    static const double alphas[] = {0.5, 0.1, 0.05, 0.01, 0.001};
    static const double powers[] = {0.5, 0.8, 0.9, 0.99};
    for (size_t k = 0; k < COUNT(metrics); k++)
        for (size_t b = 0; b < COUNT(baselines); b++)
            for (size_t m = 0; m < COUNT(sizes); m++) {
                otaprio_plan_power spec =
                    spec_of(metrics[k], baselines[b], 0.5, 0.05, 0.8, sizes[m]);
                double canary;
                double previous = HUGE_VAL;
                for (size_t i = 0; i < COUNT(rises); i++) {
                    spec.rise = rises[i];
                    if (otaprio_plan_canary_size(&spec, &canary, NULL) != 0)
                        continue; /* the baseline is too small here */
                    assert_true(canary <= previous);
                    previous = canary;
                }
                spec.rise = 1.0;
                previous = 0.0;
                for (size_t i = 0; i < COUNT(alphas); i++) {
                    spec.alpha = alphas[i];
                    if (otaprio_plan_canary_size(&spec, &canary, NULL) != 0)
                        break; /* and so for every smaller alpha */
                    assert_true(canary >= previous);
                    previous = canary;
                }
                spec.alpha = 0.05;
                previous = 0.0;
                for (size_t i = 0; i < COUNT(powers); i++) {
                    spec.power = powers[i];
                    if (otaprio_plan_canary_size(&spec, &canary, NULL) != 0)
                        break;
                    assert_true(canary >= previous);
                    previous = canary;
                }
            }
    /* A larger baseline never asks for a larger canary, and the known
     * baseline asks for the least. */
    for (size_t k = 0; k < COUNT(metrics); k++)
        for (size_t b = 0; b < COUNT(baselines); b++) {
            double previous = HUGE_VAL;
            for (double m = 1e3; m <= 1e13; m *= 3.0) {
                otaprio_plan_power spec =
                    spec_of(metrics[k], baselines[b], 1.0, 0.05, 0.8, m);
                double canary;
                if (otaprio_plan_canary_size(&spec, &canary, NULL) != 0)
                    continue;
                assert_true(canary <= previous);
                previous = canary;
            }
            otaprio_plan_power known =
                spec_of(metrics[k], baselines[b], 1.0, 0.05, 0.8, HUGE_VAL);
            assert_true(size_of(&known) <= previous);
        }
}

/* A proportion's canary is a whole number of devices, at least one, even
 * when alpha and power at 0.5 ask for no evidence at all. (Minimality is
 * what the reference vectors check.) */
static void proportion_answer_is_whole_and_at_least_one(void **state)
{
    (void)state;
    otaprio_plan_power spec =
        spec_of(OTAPRIO_PLAN_METRIC_PROPORTION, 0.4, 1.4, 0.5, 0.5, HUGE_VAL);
    assert_true(size_of(&spec) == 1.0);
    for (size_t b = 0; b < COUNT(baselines); b++)
        for (size_t m = 0; m < COUNT(sizes); m++) {
            spec = spec_of(OTAPRIO_PLAN_METRIC_PROPORTION, baselines[b], 0.7,
                           0.02, 0.85, sizes[m]);
            double canary;
            if (otaprio_plan_canary_size(&spec, &canary, NULL) != 0)
                continue;
            assert_true(canary == floor(canary) && canary >= 1.0);
        }
}

/* The exact check moves a small canary noticeably (the generator checks
 * that its answer reaches the power and the size below does not) and a
 * large one little. */
static void exact_check_moves_to_the_exact_test(void **state)
{
    (void)state;
    otaprio_plan_power spec =
        spec_of(OTAPRIO_PLAN_METRIC_PROPORTION, 0.01, 0.5, 0.05, 0.8, HUGE_VAL);
    double approximate = size_of(&spec);
    spec.exact = 1;
    double exact = size_of(&spec);
    assert_true(exact == floor(exact) && exact >= 1.0);
    assert_true(exact != approximate); /* 3011 against 2830 */
    /* With thousands of failures expected, the exact test's size is
     * close to the approximation's: within 1% here. */
    spec.baseline = 1e-9;
    spec.rise = 0.05;
    spec.exact = 0;
    approximate = size_of(&spec);
    spec.exact = 1;
    exact = size_of(&spec);
    assert_true(exact == floor(exact));
    assert_true(fabs(exact - approximate) < 0.01 * approximate);
}

static void expect_error(const otaprio_plan_power *spec, int status,
                         const char *field)
{
    double canary = POISON;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_plan_canary_size(spec, &canary, &diag), status);
    assert_int_equal(diag.status, status);
    assert_string_equal(diag.field, field);
    assert_true(diag.message[0] != '\0');
    assert_true(canary == POISON);
    assert_int_equal(otaprio_plan_canary_size(spec, &canary, NULL), status);
    assert_true(canary == POISON);
}

static void bad_fields_are_named_and_nothing_is_written(void **state)
{
    (void)state;
    otaprio_plan_power in =
        spec_of(OTAPRIO_PLAN_METRIC_PROPORTION, 0.01, 0.5, 0.05, 0.8, 1e6);
    (void)size_of(&in);
    otaprio_plan_power rate = in;
    rate.metric = OTAPRIO_PLAN_METRIC_RATE;
    (void)size_of(&rate);

#define SPOIL(base_, field_, value_, name_)              \
    do {                                                 \
        otaprio_plan_power spoiled_ = (base_);           \
        spoiled_.field_ = (value_);                      \
        expect_error(&spoiled_, OTAPRIO_E_RANGE, name_); \
    } while (0)
    SPOIL(in, metric, -1, "metric");
    SPOIL(in, metric, 2, "metric");
    SPOIL(in, baseline, 0.0, "baseline");
    SPOIL(in, baseline, 1.0, "baseline");
    SPOIL(in, baseline, -0.1, "baseline");
    SPOIL(in, baseline, (double)NAN, "baseline");
    SPOIL(rate, baseline, 0.0, "baseline");
    SPOIL(rate, baseline, HUGE_VAL, "baseline");
    SPOIL(rate, baseline, (double)NAN, "baseline");
    SPOIL(in, rise, 0.0, "rise");
    SPOIL(in, rise, -0.5, "rise");
    SPOIL(in, rise, (double)NAN, "rise");
    SPOIL(in, rise, HUGE_VAL, "rise");
    SPOIL(in, rise, 99.0, "rise"); /* lifts 1% to 100% */
    otaprio_plan_power busy = rate;
    busy.baseline = 4.0;
    SPOIL(busy, rise, 0x1p1023, "rise"); /* lifts past the largest double */
    SPOIL(rate, rise, -0.0, "rise");
    SPOIL(in, alpha, 0.0, "alpha");
    SPOIL(in, alpha, 0.5000001, "alpha");
    SPOIL(in, alpha, (double)NAN, "alpha");
    SPOIL(in, power, 0.4999, "power");
    SPOIL(in, power, 1.0, "power");
    SPOIL(in, power, (double)NAN, "power");
    SPOIL(in, baseline_size, 0.0, "baseline_size");
    SPOIL(in, baseline_size, -HUGE_VAL, "baseline_size");
    SPOIL(in, baseline_size, (double)NAN, "baseline_size");
    SPOIL(in, exact, 2, "exact");
    SPOIL(in, exact, -1, "exact");
    SPOIL(in, exact, 1, "exact"); /* a finite baseline */
    otaprio_plan_power known = rate;
    known.baseline_size = HUGE_VAL;
    SPOIL(known, exact, 1, "exact"); /* a rate */
#undef SPOIL
    /* The bounds themselves are valid; a rate has no ceiling but 1. */
    in.alpha = 0.5;
    in.power = 0.5;
    (void)size_of(&in);
    rate.baseline = 40.0;
    (void)size_of(&rate);
    /* No canary suffices against too small a baseline. */
    in = spec_of(OTAPRIO_PLAN_METRIC_PROPORTION, 0.01, 0.5, 0.05, 0.8, 100.0);
    expect_error(&in, OTAPRIO_E_LIMIT, "baseline_size");
    in.metric = OTAPRIO_PLAN_METRIC_RATE;
    expect_error(&in, OTAPRIO_E_LIMIT, "baseline_size");
    /* Or the answer passes 2^53. */
    in = spec_of(OTAPRIO_PLAN_METRIC_PROPORTION, 1e-17, 1e-3, 0.001, 0.99,
                 HUGE_VAL);
    expect_error(&in, OTAPRIO_E_LIMIT, "baseline_size");
    in.metric = OTAPRIO_PLAN_METRIC_RATE;
    expect_error(&in, OTAPRIO_E_LIMIT, "baseline_size");
}

static void null_arguments_and_bad_sizes_are_refused(void **state)
{
    (void)state;
    otaprio_plan_power in =
        spec_of(OTAPRIO_PLAN_METRIC_RATE, 0.01, 0.5, 0.05, 0.8, HUGE_VAL);
    double canary = POISON;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_plan_canary_size(NULL, &canary, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "spec");
    assert_int_equal(otaprio_plan_canary_size(&in, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "canary");
    assert_true(canary == POISON);

    otaprio_plan_power small = in;
    small.size = sizeof small - 1;
    expect_error(&small, OTAPRIO_E_STRUCT_SIZE, "size");
    struct {
        otaprio_plan_power spec;
        unsigned char tail[16];
    } newer;
    memset(&newer, 0, sizeof newer);
    (otaprio_plan_power_init)(&newer.spec, sizeof newer);
    assert_int_equal(newer.spec.size, sizeof newer);
    assert_true(newer.spec.alpha == 0.05);
    newer.spec.baseline = 0.01;
    newer.spec.rise = 0.5;
    assert_true(size_of(&newer.spec) == 2830.0);
    newer.tail[5] = 1;
    expect_error(&newer.spec, OTAPRIO_E_STRUCT_SIZE, "size");

    assert_int_equal((otaprio_plan_power_init)(NULL, sizeof in),
                     OTAPRIO_E_INVALID);
    memset(&in, 0x5A, sizeof in);
    otaprio_plan_power untouched;
    memcpy(&untouched, &in, sizeof in);
    assert_int_equal((otaprio_plan_power_init)(&in, sizeof in - 1),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_memory_equal(&in, &untouched, sizeof in);
}

static void metric_names(void **state)
{
    (void)state;
    assert_string_equal(
        otaprio_plan_metric_name(OTAPRIO_PLAN_METRIC_PROPORTION), "proportion");
    assert_string_equal(otaprio_plan_metric_name(OTAPRIO_PLAN_METRIC_RATE),
                        "rate");
    assert_null(otaprio_plan_metric_name(-1));
    assert_null(otaprio_plan_metric_name(2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes_match_reference),
        cmocka_unit_test(defaults_are_alpha_005_power_08_known_baseline),
        cmocka_unit_test(sizes_are_monotone),
        cmocka_unit_test(proportion_answer_is_whole_and_at_least_one),
        cmocka_unit_test(exact_check_moves_to_the_exact_test),
        cmocka_unit_test(bad_fields_are_named_and_nothing_is_written),
        cmocka_unit_test(null_arguments_and_bad_sizes_are_refused),
        cmocka_unit_test(metric_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
