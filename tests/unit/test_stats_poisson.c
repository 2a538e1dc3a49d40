/* SPDX-License-Identifier: MIT */
/*
 * The exact Poisson test against references computed with mpmath and
 * checked against scipy.stats.poisson (tests/vectors/
 * gen_stats_poisson_vectors.py), its edges and its bad input.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "unit/stats_check.h"
#include "vectors/stats_poisson_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void tails_match_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(poisson_vectors); i++) {
        const poisson_vector *v = &poisson_vectors[i];
        otaprio__test greater, less;
        assert_int_equal(otaprio__poisson_test(v->k, v->mean,
                                               OTAPRIO__ALT_GREATER, &greater),
                         OTAPRIO_OK);
        assert_int_equal(
            otaprio__poisson_test(v->k, v->mean, OTAPRIO__ALT_LESS, &less),
            OTAPRIO_OK);
        assert_stats_close(greater.log_p_value, v->log_sf_incl, "greater", i);
        assert_stats_close(less.log_p_value, v->log_cdf, "less", i);
        assert_stats_close(greater.p_value, exp(v->log_sf_incl), "p", i);
    }
}

static void tails_are_monotone_and_complementary(void **state)
{
    (void)state;
    const double means[] = {0.3, 7.5, 480.0, 2.0e5};
    for (size_t m = 0; m < COUNT(means); m++) {
        double previous_greater = 1.0, previous_less = 0.0;
        uint64_t step = (uint64_t)(means[m] / 50.0) + 1;
        for (uint64_t k = 0; k < (uint64_t)(3.0 * means[m]) + 20; k += step) {
            otaprio__test greater, less, above;
            assert_int_equal(otaprio__poisson_test(
                                 k, means[m], OTAPRIO__ALT_GREATER, &greater),
                             OTAPRIO_OK);
            assert_int_equal(
                otaprio__poisson_test(k, means[m], OTAPRIO__ALT_LESS, &less),
                OTAPRIO_OK);
            assert_true(greater.p_value <= previous_greater);
            assert_true(less.p_value >= previous_less);
            previous_greater = greater.p_value;
            previous_less = less.p_value;
            /* P(X <= k) + P(X >= k + 1) = 1. */
            assert_int_equal(otaprio__poisson_test(
                                 k + 1, means[m], OTAPRIO__ALT_GREATER, &above),
                             OTAPRIO_OK);
            assert_true(fabs(less.p_value + above.p_value - 1.0) < 1e-12);
        }
    }
}

static void edges_and_bad_input(void **state)
{
    (void)state;
    otaprio__test t = {.statistic = 7.0, .p_value = 7.0, .log_p_value = 7.0};
    assert_int_equal(otaprio__poisson_test(0, 0.0, OTAPRIO__ALT_GREATER, &t),
                     OTAPRIO_OK);
    assert_true(t.p_value == 1.0 && isnan(t.statistic));
    assert_int_equal(otaprio__poisson_test(3, 0.0, OTAPRIO__ALT_GREATER, &t),
                     OTAPRIO_OK);
    assert_true(t.p_value == 0.0 && t.log_p_value == -HUGE_VAL);
    assert_true(isinf(t.statistic));
    assert_int_equal(otaprio__poisson_test(3, 0.0, OTAPRIO__ALT_LESS, &t),
                     OTAPRIO_OK);
    assert_true(t.p_value == 1.0);
    assert_int_equal(otaprio__poisson_test(6, 2.0, OTAPRIO__ALT_GREATER, &t),
                     OTAPRIO_OK);
    assert_true(t.statistic == 3.0);

    otaprio__test untouched = {
        .statistic = 1.0, .p_value = 2.0, .log_p_value = 3.0};
    t = untouched;
    const double bad[] = {-1.0, (double)NAN, HUGE_VAL};
    for (size_t i = 0; i < COUNT(bad); i++) {
        assert_int_equal(
            otaprio__poisson_test(3, bad[i], OTAPRIO__ALT_GREATER, &t),
            OTAPRIO_E_RANGE);
        assert_true(t.p_value == 2.0);
    }
    assert_int_equal(otaprio__poisson_test(3, 1.0, OTAPRIO__ALT_TWO_SIDED, &t),
                     OTAPRIO_E_INVALID);
    assert_true(t.p_value == 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tails_match_the_reference),
        cmocka_unit_test(tails_are_monotone_and_complementary),
        cmocka_unit_test(edges_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
