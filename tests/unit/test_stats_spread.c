/* SPDX-License-Identifier: MIT */
/*
 * The Brown-Forsythe test against scipy.stats.levene(center="median")
 * (tests/vectors/gen_stats_tests_vectors.py), its invariances and bad
 * input. The samples are sorted by hand here (otaprio__samples_prepare
 * is tested with the rank statistics).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "unit/stats_check.h"
#include "vectors/stats_tests_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void spread_matches_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(spread_vectors); i++) {
        const spread_vector *v = &spread_vectors[i];
        otaprio__samples s = {v->x, v->nx, v->y, v->ny};
        otaprio__test test;
        assert_int_equal(otaprio__brown_forsythe(&s, &test), OTAPRIO_OK);
        assert_stats_close(test.statistic, v->w, "w", i);
        assert_stats_close(test.p_value, v->p_value, "p_value", i);
    }
}

/* W is unchanged by a shift or a common scaling of both samples and by
 * swapping them; a wider second sample gives a small p-value. */
static void spread_invariances(void **state)
{
    (void)state;
    double x[] = {-1.5, -0.25, 0.0, 0.5, 0.75, 2.0, 3.5};
    double y[] = {-9.0, -4.0, -1.0, 0.0, 2.0, 6.0, 8.0, 12.0};
    double xs[COUNT(x)], ys[COUNT(y)];
    for (size_t i = 0; i < COUNT(x); i++)
        xs[i] = 4.0 * x[i] + 100.0;
    for (size_t i = 0; i < COUNT(y); i++)
        ys[i] = 4.0 * y[i] + 100.0;
    otaprio__samples s = {x, COUNT(x), y, COUNT(y)};
    otaprio__samples scaled = {xs, COUNT(x), ys, COUNT(y)};
    otaprio__samples swapped = {y, COUNT(y), x, COUNT(x)};
    otaprio__test a, b, c;
    assert_int_equal(otaprio__brown_forsythe(&s, &a), OTAPRIO_OK);
    assert_int_equal(otaprio__brown_forsythe(&scaled, &b), OTAPRIO_OK);
    assert_int_equal(otaprio__brown_forsythe(&swapped, &c), OTAPRIO_OK);
    assert_true(fabs(a.statistic - b.statistic) < 1e-12 * a.statistic);
    assert_true(fabs(a.statistic - c.statistic) < 1e-12 * a.statistic);
    assert_true(a.p_value < 0.05);
}

static void spread_bad_input(void **state)
{
    (void)state;
    double x[] = {1.0, 2.0};
    double y[] = {3.0};
    otaprio__samples s = {x, 2, y, 1};
    otaprio__test test = {1.0, 2.0, 3.0};
    assert_int_equal(otaprio__brown_forsythe(&s, &test), OTAPRIO_E_RANGE);
    s.ny = 0;
    assert_int_equal(otaprio__brown_forsythe(&s, &test), OTAPRIO_E_RANGE);
    otaprio__samples empty = {NULL, 0, NULL, 0};
    assert_int_equal(otaprio__brown_forsythe(&empty, &test), OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__brown_forsythe(NULL, &test), OTAPRIO_E_RANGE);
    assert_true(test.statistic == 1.0 && test.p_value == 2.0 &&
                test.log_p_value == 3.0);
    /* No spread at all in either sample: W is 0 / 0. */
    double flat_x[] = {1.0, 1.0, 1.0};
    double flat_y[] = {5.0, 5.0};
    otaprio__samples flat = {flat_x, 3, flat_y, 2};
    assert_int_equal(otaprio__brown_forsythe(&flat, &test), OTAPRIO_OK);
    assert_true(isnan(test.statistic) && test.p_value == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spread_matches_scipy),
        cmocka_unit_test(spread_invariances),
        cmocka_unit_test(spread_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
