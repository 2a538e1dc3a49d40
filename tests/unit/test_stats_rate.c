/* SPDX-License-Identifier: MIT */
/*
 * The conditional exact rate-ratio test and interval against scipy's
 * binomtest (tests/vectors/gen_stats_tests_vectors.py), their properties
 * and bad input.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "unit/splitmix.h"
#include "unit/stats_check.h"
#include "vectors/stats_tests_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const otaprio__alternative alternatives[] = {
    OTAPRIO__ALT_TWO_SIDED, OTAPRIO__ALT_GREATER, OTAPRIO__ALT_LESS};

static void rates_match_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(rate_vectors); i++) {
        const rate_vector *v = &rate_vectors[i];
        for (size_t a = 0; a < 3; a++) {
            otaprio__test test;
            assert_int_equal(otaprio__rate_ratio_test(v->x1, v->t1, v->x2,
                                                      v->t2, v->ratio0,
                                                      alternatives[a], &test),
                             OTAPRIO_OK);
            assert_stats_close(test.statistic, v->statistic, "statistic", i);
            assert_stats_close(test.p_value, v->p_value[a], "p_value",
                               i * 3 + a);
            assert_log_close(test.log_p_value, log(v->p_value[a]),
                             "log_p_value", i * 3 + a);
        }
        otaprio__interval interval;
        assert_int_equal(otaprio__rate_ratio_interval(v->x1, v->t1, v->x2,
                                                      v->t2, 0.95, &interval),
                         OTAPRIO_OK);
        assert_stats_close(interval.low, v->low, "low", i);
        assert_stats_close(interval.high, v->high, "high", i);
    }
}

/* The interval holds the observed ratio, and the test at a limit gives
 * the two-sided tail (1 - confidence) / 2 in the one-sided direction;
 * scaling both exposures leaves everything unchanged. */
static void rate_properties(void **state)
{
    (void)state;
    otaprio__interval interval, scaled;
    assert_int_equal(
        otaprio__rate_ratio_interval(30, 200.0, 12, 150.0, 0.9, &interval),
        OTAPRIO_OK);
    double observed = (30.0 / 200.0) / (12.0 / 150.0);
    assert_true(interval.low < observed && observed < interval.high);
    otaprio__test test;
    assert_int_equal(otaprio__rate_ratio_test(30, 200.0, 12, 150.0,
                                              interval.low,
                                              OTAPRIO__ALT_GREATER, &test),
                     OTAPRIO_OK);
    assert_true(fabs(test.p_value - 0.05) < 1e-9);
    assert_int_equal(otaprio__rate_ratio_test(30, 200.0, 12, 150.0,
                                              interval.high, OTAPRIO__ALT_LESS,
                                              &test),
                     OTAPRIO_OK);
    assert_true(fabs(test.p_value - 0.05) < 1e-9);
    assert_int_equal(
        otaprio__rate_ratio_interval(30, 2000.0, 12, 1500.0, 0.9, &scaled),
        OTAPRIO_OK);
    assert_true(fabs(scaled.low - interval.low) < 1e-12 * interval.low);
    /* Huge counts: finite log p far past underflow. */
    uint64_t big = (uint64_t)1 << 40;
    assert_int_equal(otaprio__rate_ratio_test(big, 1.0, big / 2, 1.0, 1.0,
                                              OTAPRIO__ALT_GREATER, &test),
                     OTAPRIO_OK);
    assert_true(test.p_value == 0.0 && isfinite(test.log_p_value));
    /* No events at all: no evidence. */
    assert_int_equal(otaprio__rate_ratio_test(0, 5.0, 0, 5.0, 1.0,
                                              OTAPRIO__ALT_GREATER, &test),
                     OTAPRIO_OK);
    assert_true(isnan(test.statistic) && test.p_value == 1.0);
}

static void rate_bad_input(void **state)
{
    (void)state;
    otaprio__test test = {1.0, 2.0, 3.0};
    otaprio__interval interval = {4.0, 5.0};
    const double exposures[] = {0.0, -1.0, (double)NAN, HUGE_VAL};
    for (size_t i = 0; i < COUNT(exposures); i++) {
        assert_int_equal(
            otaprio__rate_ratio_test(1, exposures[i], 1, 1.0, 1.0, 0, &test),
            OTAPRIO_E_RANGE);
        assert_int_equal(
            otaprio__rate_ratio_test(1, 1.0, 1, exposures[i], 1.0, 0, &test),
            OTAPRIO_E_RANGE);
        assert_int_equal(
            otaprio__rate_ratio_test(1, 1.0, 1, 1.0, exposures[i], 0, &test),
            OTAPRIO_E_RANGE);
        assert_int_equal(otaprio__rate_ratio_interval(1, exposures[i], 1, 1.0,
                                                      0.9, &interval),
                         OTAPRIO_E_RANGE);
    }
    assert_int_equal(otaprio__rate_ratio_test(1, 1.0, 1, 1.0, 1.0,
                                              (otaprio__alternative)5, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__rate_ratio_test(0, 1.0, 0, 1.0, 1.0,
                                              (otaprio__alternative)5, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio__rate_ratio_test(UINT64_MAX, 1.0, 1, 1.0, 1.0, 0, &test),
        OTAPRIO_E_RANGE);
    assert_true(test.statistic == 1.0 && test.p_value == 2.0 &&
                test.log_p_value == 3.0);
    const double confidences[] = {0.0, 1.0, (double)NAN, 2.0};
    for (size_t i = 0; i < COUNT(confidences); i++)
        assert_int_equal(otaprio__rate_ratio_interval(
                             1, 1.0, 1, 1.0, confidences[i], &interval),
                         OTAPRIO_E_RANGE);
    assert_true(interval.low == 4.0 && interval.high == 5.0);
}

/* The _p form (a stratum's, without the statistic) sets the p-value and
 * its log of the full test, bit for bit, and fails where it fails. */
static void p_form_matches_full_test(void **state)
{
    (void)state;
    static const double ratios[] = {1.0, 1.1, 2.0, 0.0, -1.0, HUGE_VAL};
    uint64_t seed = 9;
    for (int i = 0; i < 20000; i++) {
        uint64_t x1 = splitmix_next(&seed) % 200;
        uint64_t x2 = splitmix_next(&seed) % 2000;
        double t1 = 0.5 + 1000.0 * splitmix_unit(&seed);
        double t2 = splitmix_below(&seed, 20) == 0
                        ? 0.0
                        : 0.5 + 10000.0 * splitmix_unit(&seed);
        double ratio0 = ratios[splitmix_below(&seed, 6)];
        otaprio__alternative alternative =
            (otaprio__alternative)splitmix_below(&seed, 3);
        otaprio__test full, p_only;
        int want = otaprio__rate_ratio_test(x1, t1, x2, t2, ratio0, alternative,
                                            &full);
        assert_int_equal(otaprio__rate_ratio_test_p(x1, t1, x2, t2, ratio0,
                                                    alternative, &p_only),
                         want);
        if (want == OTAPRIO_OK && !stats_same_p(&p_only, &full))
            fail_msg("%d: %llu/%g %llu/%g at %g", i, (unsigned long long)x1, t1,
                     (unsigned long long)x2, t2, ratio0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_match_scipy),
        cmocka_unit_test(rate_properties),
        cmocka_unit_test(rate_bad_input),
        cmocka_unit_test(p_form_matches_full_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
