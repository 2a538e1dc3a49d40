/* SPDX-License-Identifier: MIT */
/*
 * The one-proportion test and intervals against scipy.stats.binomtest
 * (tests/vectors/gen_stats_special_vectors.py), their properties, and
 * bad input leaving the outputs untouched.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "unit/splitmix.h"
#include "unit/stats_check.h"
#include "vectors/stats_special_vectors.h"
#include "vectors/stats_tests_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void binom_test_matches_scipy(void **state)
{
    (void)state;
    const otaprio__alternative alternatives[] = {
        OTAPRIO__ALT_TWO_SIDED, OTAPRIO__ALT_GREATER, OTAPRIO__ALT_LESS};
    for (size_t i = 0; i < COUNT(binomtest_vectors); i++) {
        const binomtest_vector *v = &binomtest_vectors[i];
        for (size_t a = 0; a < 3; a++) {
            otaprio__test test;
            assert_int_equal(
                otaprio__binom_test(v->k, v->n, v->p, alternatives[a], &test),
                OTAPRIO_OK);
            assert_stats_close(test.p_value, v->p_value[a], "p_value",
                               i * 3 + a);
            if (v->p_value[a] > 1e-300)
                assert_log_close(test.log_p_value, log(v->p_value[a]),
                                 "log_p_value", i * 3 + a);
            assert_true(test.statistic == (double)v->k / (double)v->n);
        }
        otaprio__interval wilson, exact;
        assert_int_equal(otaprio__wilson_interval(v->k, v->n, 0.95, &wilson),
                         OTAPRIO_OK);
        assert_stats_close(wilson.low, v->wilson_low, "wilson_low", i);
        assert_stats_close(wilson.high, v->wilson_high, "wilson_high", i);
        assert_int_equal(otaprio__exact_interval(v->k, v->n, 0.95, &exact),
                         OTAPRIO_OK);
        if (!isnan(v->exact_low)) {
            assert_stats_close(exact.low, v->exact_low, "exact_low", i);
            assert_stats_close(exact.high, v->exact_high, "exact_high", i);
        } else {
            /* No reference at huge n: the limits must invert the tails
             * (checked against the mpmath-checked binomial tails). */
            double target = log(0.025);
            if (v->k > 0)
                assert_true(
                    fabs(otaprio__binom_log_sf_incl(v->k, v->n, exact.low) -
                         target) < 1e-9);
            assert_true(fabs(otaprio__binom_log_cdf(v->k, v->n, exact.high) -
                             target) < 1e-9);
        }
    }
}

/* Far tails: the p-value underflows, its log stays finite and falls. */
static void binom_test_log_p_past_underflow(void **state)
{
    (void)state;
    const otaprio__alternative alternatives[] = {OTAPRIO__ALT_TWO_SIDED,
                                                 OTAPRIO__ALT_GREATER};
    for (size_t a = 0; a < COUNT(alternatives); a++) {
        double previous = 0.0;
        for (uint64_t k = 200; k <= 5000; k += 100) {
            otaprio__test test;
            assert_int_equal(
                otaprio__binom_test(k, 100000, 0.001, alternatives[a], &test),
                OTAPRIO_OK);
            assert_true(isfinite(test.log_p_value));
            assert_true(test.log_p_value < previous);
            previous = test.log_p_value;
        }
        assert_true(previous < -800.0);
    }
    otaprio__test test;
    assert_int_equal(
        otaprio__binom_test(5000, 100000, 0.001, OTAPRIO__ALT_GREATER, &test),
        OTAPRIO_OK);
    assert_true(test.p_value == 0.0 && test.log_p_value > -HUGE_VAL);
}

/* The two one-sided p-values at k add to 1 + P(X = k); the two-sided one
 * is at least the smaller. */
static void binom_test_sides_agree(void **state)
{
    (void)state;
    for (uint64_t k = 0; k <= 40; k++) {
        otaprio__test two, greater, less;
        assert_int_equal(
            otaprio__binom_test(k, 40, 0.3, OTAPRIO__ALT_TWO_SIDED, &two),
            OTAPRIO_OK);
        assert_int_equal(
            otaprio__binom_test(k, 40, 0.3, OTAPRIO__ALT_GREATER, &greater),
            OTAPRIO_OK);
        assert_int_equal(
            otaprio__binom_test(k, 40, 0.3, OTAPRIO__ALT_LESS, &less),
            OTAPRIO_OK);
        double mass = exp(otaprio__binom_log_pmf(k, 40, 0.3));
        assert_true(fabs(greater.p_value + less.p_value - 1.0 - mass) < 1e-13);
        double smaller =
            greater.p_value < less.p_value ? greater.p_value : less.p_value;
        assert_true(two.p_value >= smaller * (1.0 - 1e-12));
    }
}

/* The intervals hold k / n, nest as the confidence grows, and the exact
 * limits give tails of (1 - confidence) / 2. */
static void intervals_nest_and_invert(void **state)
{
    (void)state;
    const uint64_t ks[] = {0, 1, 7, 500, 999, 1000};
    for (size_t i = 0; i < COUNT(ks); i++) {
        double phat = (double)ks[i] / 1000.0;
        otaprio__interval previous_w = {phat, phat}, previous_e = {phat, phat};
        for (double c = 0.5; c < 0.9999; c = 1.0 - (1.0 - c) / 3.0) {
            otaprio__interval w, e;
            assert_int_equal(otaprio__wilson_interval(ks[i], 1000, c, &w),
                             OTAPRIO_OK);
            assert_int_equal(otaprio__exact_interval(ks[i], 1000, c, &e),
                             OTAPRIO_OK);
            assert_true(w.low <= phat && phat <= w.high);
            assert_true(e.low <= phat && phat <= e.high);
            assert_true(w.low <= previous_w.low && w.high >= previous_w.high);
            assert_true(e.low <= previous_e.low && e.high >= previous_e.high);
            double alpha = (1.0 - c) / 2.0;
            /* The limit is the root to within a few units in the last
             * place: the tail crosses alpha between its neighbours. */
            double target = log(alpha);
            if (ks[i] > 0) {
                double below = otaprio__binom_log_sf_incl(
                    ks[i], 1000, e.low * (1.0 - 8 * DBL_EPSILON));
                double above = otaprio__binom_log_sf_incl(
                    ks[i], 1000, e.low * (1.0 + 8 * DBL_EPSILON));
                assert_true(below <= target + 1e-13 && above >= target - 1e-13);
            }
            if (ks[i] < 1000) {
                double below = otaprio__binom_log_cdf(
                    ks[i], 1000, e.high * (1.0 - 8 * DBL_EPSILON));
                double above = otaprio__binom_log_cdf(
                    ks[i], 1000, e.high * (1.0 + 8 * DBL_EPSILON));
                assert_true(below >= target - 1e-13 && above <= target + 1e-13);
            }
            previous_w = w;
            previous_e = e;
        }
    }
}

static void bad_input_leaves_outputs(void **state)
{
    (void)state;
    otaprio__test test = {1.0, 2.0, 3.0};
    otaprio__interval interval = {4.0, 5.0};
    assert_int_equal(
        otaprio__binom_test(3, 2, 0.5, OTAPRIO__ALT_TWO_SIDED, &test),
        OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio__binom_test(0, 0, 0.5, OTAPRIO__ALT_TWO_SIDED, &test),
        OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio__binom_test(1, 2, (double)NAN, OTAPRIO__ALT_TWO_SIDED, &test),
        OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__binom_test(1, 2, 1.5, OTAPRIO__ALT_LESS, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio__binom_test(1, 2, -0.1, OTAPRIO__ALT_GREATER, &test),
        OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio__binom_test(1, 2, 0.5, (otaprio__alternative)7, &test),
        OTAPRIO_E_RANGE);
    assert_true(test.statistic == 1.0 && test.p_value == 2.0 &&
                test.log_p_value == 3.0);
    const double confidences[] = {0.0, 1.0, -0.5, 1.5, (double)NAN};
    for (size_t i = 0; i < COUNT(confidences); i++) {
        assert_int_equal(
            otaprio__wilson_interval(1, 2, confidences[i], &interval),
            OTAPRIO_E_RANGE);
        assert_int_equal(
            otaprio__exact_interval(1, 2, confidences[i], &interval),
            OTAPRIO_E_RANGE);
    }
    assert_int_equal(otaprio__wilson_interval(3, 2, 0.9, &interval),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__exact_interval(0, 0, 0.9, &interval),
                     OTAPRIO_E_RANGE);
    assert_true(interval.low == 4.0 && interval.high == 5.0);
}

static const otaprio__alternative alternatives[] = {
    OTAPRIO__ALT_TWO_SIDED, OTAPRIO__ALT_GREATER, OTAPRIO__ALT_LESS};

static void fisher_matches_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(fisher_vectors); i++) {
        const fisher_vector *v = &fisher_vectors[i];
        for (size_t a = 0; a < 3; a++) {
            otaprio__test test;
            assert_int_equal(otaprio__fisher_exact(v->x1, v->n1, v->x2, v->n2,
                                                   alternatives[a], &test),
                             OTAPRIO_OK);
            assert_stats_close(test.statistic, v->odds_ratio, "odds", i);
            assert_stats_close(test.p_value, v->p_value[a], "fisher_p",
                               i * 3 + a);
            assert_log_close(test.log_p_value, v->log_p_value[a],
                             "fisher_log_p", i * 3 + a);
        }
    }
}

static void two_proportions_match_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(two_proportion_vectors); i++) {
        const two_proportion_vector *v = &two_proportion_vectors[i];
        otaprio__test test;
        for (size_t a = 0; a < 3; a++) {
            assert_int_equal(
                otaprio__two_proportion_score(v->x1, v->n1, v->x2, v->n2,
                                              alternatives[a], &test),
                OTAPRIO_OK);
            assert_stats_close(test.statistic, v->z, "z", i);
            assert_stats_close(test.p_value, v->score_p[a], "score_p",
                               i * 3 + a);
            assert_int_equal(otaprio__risk_ratio_score(v->x1, v->n1, v->x2,
                                                       v->n2, v->ratio0,
                                                       alternatives[a], &test),
                             OTAPRIO_OK);
            assert_stats_close(test.statistic, v->rr_z, "rr_z", i);
            assert_stats_close(test.p_value, v->rr_p[a], "rr_p", i * 3 + a);
        }
        assert_int_equal(
            otaprio__two_proportion_lr(v->x1, v->n1, v->x2, v->n2, &test),
            OTAPRIO_OK);
        assert_stats_close(test.statistic, v->g, "g", i);
        assert_stats_close(test.p_value, v->g_p, "g_p", i);
        otaprio__interval interval;
        assert_int_equal(otaprio__newcombe_interval(v->x1, v->n1, v->x2, v->n2,
                                                    0.95, &interval),
                         OTAPRIO_OK);
        assert_stats_close(interval.low, v->newcombe_low, "newcombe_low", i);
        assert_stats_close(interval.high, v->newcombe_high, "newcombe_high", i);
    }
}

/* Fisher's one-sided p-values at x1 add to 1 + P(table); the two-sided
 * p-value is at least the smaller one, and all are in [0, 1]. A canary
 * with more events makes "greater" smaller. */
static void fisher_properties(void **state)
{
    (void)state;
    double previous = 2.0;
    for (uint64_t x1 = 0; x1 <= 60; x1++) {
        otaprio__test two, greater, less;
        assert_int_equal(
            otaprio__fisher_exact(x1, 60, 20, 80, OTAPRIO__ALT_TWO_SIDED, &two),
            OTAPRIO_OK);
        assert_int_equal(otaprio__fisher_exact(x1, 60, 20, 80,
                                               OTAPRIO__ALT_GREATER, &greater),
                         OTAPRIO_OK);
        assert_int_equal(
            otaprio__fisher_exact(x1, 60, 20, 80, OTAPRIO__ALT_LESS, &less),
            OTAPRIO_OK);
        double mass = exp(otaprio__hypergeom_log_pmf(x1, 140, 60, x1 + 20));
        assert_true(fabs(greater.p_value + less.p_value - 1.0 - mass) < 1e-12);
        double smaller =
            greater.p_value < less.p_value ? greater.p_value : less.p_value;
        assert_true(two.p_value >= smaller * (1.0 - 1e-12));
        assert_true(two.p_value <= 1.0 && two.p_value >= 0.0);
        assert_true(greater.p_value <= previous);
        previous = greater.p_value;
    }
}

/* Large margins: the tails cost about their standard deviation, and the
 * log p-value stays finite far past underflow. */
static void fisher_large_margins(void **state)
{
    (void)state;
    otaprio__test test;
    uint64_t n = (uint64_t)1 << 40;
    assert_int_equal(
        otaprio__fisher_exact(1000, n, 500, n, OTAPRIO__ALT_GREATER, &test),
        OTAPRIO_OK);
    assert_true(test.p_value > 0.0 && test.p_value < 1e-20);
    assert_int_equal(otaprio__fisher_exact(100000, 1000000, 50000, 1000000,
                                           OTAPRIO__ALT_TWO_SIDED, &test),
                     OTAPRIO_OK);
    assert_true(test.p_value == 0.0 && isfinite(test.log_p_value) &&
                test.log_p_value < -5000.0);
    /* Near the mode with margins of 2^60 the sum would need ~2^29 terms. */
    uint64_t huge = (uint64_t)1 << 60;
    assert_int_equal(otaprio__fisher_exact(huge / 2, huge, huge / 2, huge,
                                           OTAPRIO__ALT_LESS, &test),
                     OTAPRIO_E_LIMIT);
}

/* The score test's z has the sign of p1 - p2; the risk-ratio score at
 * ratio 1 is the score test's z with the unpooled MLE... both are 0 for
 * equal proportions, and the risk-ratio z falls as ratio0 rises. */
static void two_proportion_properties(void **state)
{
    (void)state;
    otaprio__test test;
    assert_int_equal(otaprio__two_proportion_score(
                         10, 100, 20, 200, OTAPRIO__ALT_TWO_SIDED, &test),
                     OTAPRIO_OK);
    assert_true(test.statistic == 0.0 && test.p_value == 1.0);
    assert_int_equal(otaprio__two_proportion_score(30, 100, 20, 200,
                                                   OTAPRIO__ALT_GREATER, &test),
                     OTAPRIO_OK);
    assert_true(test.statistic > 0.0 && test.p_value < 0.5);
    double previous = HUGE_VAL;
    for (double r = 0.25; r < 8.0; r *= 1.5) {
        assert_int_equal(otaprio__risk_ratio_score(30, 1000, 20, 1000, r,
                                                   OTAPRIO__ALT_GREATER, &test),
                         OTAPRIO_OK);
        assert_true(test.statistic < previous);
        previous = test.statistic;
    }
    /* Zero events in both groups: no evidence. */
    assert_int_equal(otaprio__risk_ratio_score(0, 1000, 0, 1000, 1.2,
                                               OTAPRIO__ALT_GREATER, &test),
                     OTAPRIO_OK);
    assert_true(test.statistic == 0.0 && test.p_value == 0.5);
    /* Zero baseline events: still a finite test. */
    assert_int_equal(otaprio__risk_ratio_score(9, 1000, 0, 1000, 2.0,
                                               OTAPRIO__ALT_GREATER, &test),
                     OTAPRIO_OK);
    assert_true(isfinite(test.statistic) && test.p_value < 0.05);
    /* Huge counts: the cross difference keeps its digits. */
    uint64_t big = (uint64_t)1 << 53;
    assert_int_equal(
        otaprio__two_proportion_lr(big / 2 + 1, big, big / 2, big, &test),
        OTAPRIO_OK);
    assert_true(test.statistic > 0.0 && test.statistic < 1e-10);
    otaprio__interval interval;
    assert_int_equal(otaprio__newcombe_interval(0, 10, 10, 10, 0.95, &interval),
                     OTAPRIO_OK);
    assert_true(interval.low >= -1.0 && interval.high <= 1.0 &&
                interval.low < -0.5);
}

static void two_sample_bad_input(void **state)
{
    (void)state;
    otaprio__test test = {1.0, 2.0, 3.0};
    otaprio__interval interval = {4.0, 5.0};
    const otaprio__alternative bad = (otaprio__alternative)9;
    assert_int_equal(otaprio__fisher_exact(3, 2, 0, 2, 0, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__fisher_exact(1, 2, 3, 2, 0, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__fisher_exact(1, 2, 1, 2, bad, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__fisher_exact(0, UINT64_MAX, 0, 2, 0, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__two_proportion_score(1, 0, 1, 2, 0, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__two_proportion_score(1, 2, 3, 2, 0, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__two_proportion_score(1, 2, 1, 2, bad, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__two_proportion_lr(1, 2, 1, 0, &test),
                     OTAPRIO_E_RANGE);
    const double ratios[] = {0.0, -1.0, (double)NAN, HUGE_VAL};
    for (size_t i = 0; i < COUNT(ratios); i++)
        assert_int_equal(
            otaprio__risk_ratio_score(1, 2, 1, 2, ratios[i], 0, &test),
            OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__risk_ratio_score(3, 2, 1, 2, 1.0, 0, &test),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__risk_ratio_score(1, 2, 1, 2, 1.0, bad, &test),
                     OTAPRIO_E_RANGE);
    assert_true(test.statistic == 1.0 && test.p_value == 2.0 &&
                test.log_p_value == 3.0);
    assert_int_equal(otaprio__newcombe_interval(1, 2, 1, 2, 1.0, &interval),
                     OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio__newcombe_interval(1, 2, 1, 2, (double)NAN, &interval),
        OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__newcombe_interval(3, 2, 1, 2, 0.9, &interval),
                     OTAPRIO_E_RANGE);
    assert_true(interval.low == 4.0 && interval.high == 5.0);
}

/* The _p forms (a stratum's, without the statistic) set the p-value and
 * its log of the full tests, bit for bit, and fail where they fail. */
static void p_forms_match_full_tests(void **state)
{
    (void)state;
    static const uint64_t scales[] = {4, 60, 3000, 2000000};
    uint64_t seed = 5;
    for (int i = 0; i < 20000; i++) {
        uint64_t scale = scales[splitmix_below(&seed, 4)];
        uint64_t n1 = splitmix_next(&seed) % (scale + 1);
        uint64_t n2 = splitmix_next(&seed) % (10 * scale + 1);
        /* Now and then a count past its trials: both must refuse it. */
        uint64_t x1 = splitmix_next(&seed) % (n1 + 2);
        uint64_t x2 = splitmix_next(&seed) % (n2 / 50 + 2);
        otaprio__alternative alternative =
            (otaprio__alternative)splitmix_below(&seed, 3);
        otaprio__test full, p_only;
        int want = otaprio__fisher_exact(x1, n1, x2, n2, alternative, &full);
        assert_int_equal(
            otaprio__fisher_exact_p(x1, n1, x2, n2, alternative, &p_only),
            want);
        if (want == OTAPRIO_OK && !stats_same_p(&p_only, &full))
            fail_msg("fisher %d: %llu/%llu %llu/%llu", i,
                     (unsigned long long)x1, (unsigned long long)n1,
                     (unsigned long long)x2, (unsigned long long)n2);
        double p0 = splitmix_unit(&seed);
        want = otaprio__binom_test(x1, n1, p0, alternative, &full);
        assert_int_equal(
            otaprio__binom_test_p(x1, n1, p0, alternative, &p_only), want);
        if (want == OTAPRIO_OK && !stats_same_p(&p_only, &full))
            fail_msg("binomial %d: %llu/%llu at %a", i, (unsigned long long)x1,
                     (unsigned long long)n1, p0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binom_test_matches_scipy),
        cmocka_unit_test(binom_test_log_p_past_underflow),
        cmocka_unit_test(binom_test_sides_agree),
        cmocka_unit_test(intervals_nest_and_invert),
        cmocka_unit_test(bad_input_leaves_outputs),
        cmocka_unit_test(fisher_matches_scipy),
        cmocka_unit_test(two_proportions_match_scipy),
        cmocka_unit_test(fisher_properties),
        cmocka_unit_test(fisher_large_margins),
        cmocka_unit_test(two_proportion_properties),
        cmocka_unit_test(two_sample_bad_input),
        cmocka_unit_test(p_forms_match_full_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
