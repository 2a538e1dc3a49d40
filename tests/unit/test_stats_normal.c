/* SPDX-License-Identifier: MIT */
/*
 * The standard normal distribution against scipy.stats.norm
 * (tests/vectors/gen_stats_normal_vectors.py), and the properties the
 * tests rely on: symmetry, monotone tails, quantiles inverting the tails.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "unit/stats_check.h"
#include "vectors/stats_normal_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void tails_match_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(normal_tail_vectors); i++) {
        const normal_tail_vector *v = &normal_tail_vectors[i];
        assert_stats_close(otaprio__normal_sf(v->z), v->sf, "sf", i);
        assert_stats_close(otaprio__normal_log_sf(v->z), v->log_sf, "log_sf",
                           i);
        assert_stats_close(otaprio__normal_log_cdf(v->z), v->log_cdf, "log_cdf",
                           i);
    }
}

static void quantiles_match_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(normal_quantile_vectors); i++) {
        const normal_quantile_vector *v = &normal_quantile_vectors[i];
        assert_stats_close(otaprio__normal_ppf(v->p), v->ppf, "ppf", i);
        assert_stats_close(otaprio__normal_isf(v->p), v->isf, "isf", i);
    }
}

static void log_tail_is_finite_and_falls_past_underflow(void **state)
{
    (void)state;
    double previous = 0.0;
    for (double z = -50.0; z <= 2000.0; z += 0.37) {
        double log_sf = otaprio__normal_log_sf(z);
        assert_true(isfinite(log_sf));
        assert_true(log_sf <= previous);
        previous = log_sf;
    }
    /* The two pieces meet at z = 10 without a step. */
    double below = otaprio__normal_log_sf(nextafter(10.0, 0.0));
    double at = otaprio__normal_log_sf(10.0);
    assert_true(fabs(below - at) < 1e-12 * fabs(at));
}

static void quantile_edges(void **state)
{
    (void)state;
    assert_true(otaprio__normal_ppf(0.0) == -HUGE_VAL);
    assert_true(otaprio__normal_ppf(1.0) == HUGE_VAL);
    assert_true(isnan(otaprio__normal_ppf(-0.1)));
    assert_true(isnan(otaprio__normal_ppf(1.5)));
    assert_true(isnan(otaprio__normal_ppf((double)NAN)));
    assert_true(otaprio__normal_ppf(0.5) == 0.0);
    assert_true(isnan(otaprio__normal_log_sf((double)NAN)));
}

static void log_helpers(void **state)
{
    (void)state;
    assert_true(otaprio__log_add_exp(-HUGE_VAL, -2.0) == -2.0);
    assert_true(otaprio__log_add_exp(-3.0, -HUGE_VAL) == -3.0);
    assert_true(fabs(otaprio__log_add_exp(log(0.25), log(0.5)) - log(0.75)) <
                1e-15);
    assert_true(fabs(otaprio__log1m_exp(log(0.25)) - log(0.75)) < 1e-15);
    assert_true(fabs(otaprio__log1m_exp(-1e-20) - log(1e-20)) < 1e-12 * 46.0);
    otaprio__test test;
    otaprio__test_set(&test, 1.5, 1e-18);
    assert_true(test.log_p_value == 0.0 && test.p_value == 1.0);
    otaprio__test_set(&test, 1.5, -800.0);
    assert_true(test.p_value == 0.0 && test.log_p_value == -800.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tails_match_scipy),
        cmocka_unit_test(quantiles_match_scipy),
        cmocka_unit_test(log_tail_is_finite_and_falls_past_underflow),
        cmocka_unit_test(quantile_edges),
        cmocka_unit_test(log_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
