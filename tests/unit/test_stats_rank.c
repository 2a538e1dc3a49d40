/* SPDX-License-Identifier: MIT */
/*
 * The rank statistics against scipy.stats.mannwhitneyu and a brute-force
 * numpy Hodges-Lehmann (tests/vectors/gen_stats_rank_vectors.py), and the
 * properties they rely on: U1 + U2 = nx ny, p-values monotone in the
 * shift, the estimate equivariant under shifting x, intervals that hold
 * the estimate and nest as the confidence grows, sorting that agrees with
 * a comparison sort, bad input refused, and every allocation failure
 * handled.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "stats_rank.h"
#include "unit/splitmix.h"
#include "unit/stats_check.h"
#include "vectors/stats_rank_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static otaprio__mem default_mem(void)
{
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    return mem;
}

static void prepare(const otaprio__mem *mem, const double *x, size_t nx,
                    const double *y, size_t ny, otaprio__samples *s)
{
    assert_int_equal(otaprio__samples_prepare(mem, x, nx, y, ny, s, NULL),
                     OTAPRIO_OK);
}

static const otaprio__alternative alternatives[] = {
    OTAPRIO__ALT_TWO_SIDED, OTAPRIO__ALT_GREATER, OTAPRIO__ALT_LESS};
static const otaprio__mwu_method methods[] = {
    OTAPRIO__MWU_AUTO, OTAPRIO__MWU_EXACT, OTAPRIO__MWU_ASYMPTOTIC};

static void mann_whitney_matches_scipy(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    for (size_t i = 0; i < COUNT(mwu_vectors); i++) {
        const mwu_vector *v = &mwu_vectors[i];
        otaprio__samples s;
        prepare(&mem, rank_data + v->x_at, v->nx, rank_data + v->y_at, v->ny,
                &s);
        otaprio__test t;
        assert_int_equal(otaprio__mann_whitney(&mem, &s, v->shift,
                                               alternatives[v->alternative],
                                               methods[v->method], &t),
                         OTAPRIO_OK);
        assert_stats_close(t.statistic, v->statistic, "statistic", i);
        assert_stats_close(t.p_value, v->p_value, "p_value", i);
        assert_stats_close(t.log_p_value, v->log_p_value, "log_p_value", i);
        otaprio__samples_release(&mem, &s);
    }
}

static void hodges_lehmann_matches_numpy(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    for (size_t i = 0; i < COUNT(hl_vectors); i++) {
        const hl_vector *v = &hl_vectors[i];
        otaprio__samples s;
        prepare(&mem, rank_data + v->x_at, v->nx, rank_data + v->y_at, v->ny,
                &s);
        double estimate;
        otaprio__interval ci;
        assert_int_equal(
            otaprio__hodges_lehmann(&mem, &s, v->confidence, &estimate, &ci),
            OTAPRIO_OK);
        /* Order statistics of the same rounded differences: exact. */
        if (estimate != v->estimate || ci.low != v->low || ci.high != v->high)
            fail_msg("hl[%zu]: got %.17g [%.17g, %.17g], want %.17g "
                     "[%.17g, %.17g]",
                     i, estimate, ci.low, ci.high, v->estimate, v->low,
                     v->high);
        otaprio__samples_release(&mem, &s);
    }
}

/* Samples drawn from SplitMix64: `levels` > 0 makes integers (ties), 0 a
 * bell-shaped sample on a fine grid. */
static void draw(uint64_t *rng, double *out, size_t count, double centre,
                 uint32_t levels)
{
    for (size_t i = 0; i < count; i++) {
        if (levels > 0) {
            out[i] = centre + (double)splitmix_below(rng, levels);
        } else {
            double u = splitmix_unit(rng);
            double w = splitmix_unit(rng);
            /* On a grid of 2^-20, so that shifting by 4 is exact. */
            out[i] = centre + floor(ldexp(u + w - 1.0, 20)) * 0x1.0p-20 * 3.0;
        }
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sorting_agrees_with_qsort(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    uint64_t rng = 99;
    size_t sizes[] = {0, 1, 2, 47, 48, 49, 1000, 70001, 65536, 5000, 200000};
    for (size_t k = 0; k < COUNT(sizes); k++) {
        size_t n = sizes[k];
        double *x = malloc((n + 1) * sizeof *x);
        double *want = malloc((n + 1) * sizeof *want);
        assert_non_null(x);
        assert_non_null(want);
        for (size_t i = 0; i < n; i++) {
            /* Signs, magnitudes from 1e-300 to 1e300, zeros of both signs,
             * subnormals and repeats. */
            uint64_t r = splitmix_next(&rng);
            double mantissa = (double)(r >> 11) * 0x1.0p-53;
            int exponent = (int)(r % 2000) - 1000;
            double value = ldexp(mantissa, exponent);
            if (r % 7 == 0)
                value = -value;
            if (r % 13 == 0)
                value = (r % 2) ? -0.0 : 0.0;
            if (r % 17 == 0)
                value = 5e-324 * (double)(r % 5);
            if (r % 19 == 0 && i > 0)
                value = x[i - 1];
            if (k % 3 == 1) /* a tight cluster, and a few far away */
                value = r % 97 == 0 ? -1e300 * mantissa
                                    : 1000.0 + ldexp(mantissa, -30);
            if (k % 3 == 2) /* few distinct values */
                value = (double)(r % 5);
            x[i] = value;
            want[i] = value + 0.0;
        }
        qsort(want, n, sizeof *want, compare_doubles);
        otaprio__samples s;
        prepare(&mem, x, n, want, n, &s);
        for (size_t i = 0; i < n; i++) {
            assert_true(s.x[i] == want[i]);
            assert_false(signbit(s.x[i]) && s.x[i] == 0.0);
        }
        otaprio__samples_release(&mem, &s);
        assert_null(s.x);
        free(x);
        free(want);
    }
}

static void u_statistics_sum_to_the_pairs(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    uint64_t rng = 7;
    double x[300], y[200];
    for (int round = 0; round < 20; round++) {
        size_t nx = 1 + splitmix_below(&rng, 300);
        size_t ny = 1 + splitmix_below(&rng, 200);
        uint32_t levels = round % 2 ? 0 : 1 + splitmix_below(&rng, 6);
        draw(&rng, x, nx, 0.0, levels);
        draw(&rng, y, ny, 0.0, levels);
        otaprio__samples a, b;
        prepare(&mem, x, nx, y, ny, &a);
        prepare(&mem, y, ny, x, nx, &b);
        otaprio__test ab, ba, less, greater;
        assert_int_equal(otaprio__mann_whitney(&mem, &a, 0.0,
                                               OTAPRIO__ALT_TWO_SIDED,
                                               OTAPRIO__MWU_AUTO, &ab),
                         OTAPRIO_OK);
        assert_int_equal(otaprio__mann_whitney(&mem, &b, 0.0,
                                               OTAPRIO__ALT_TWO_SIDED,
                                               OTAPRIO__MWU_AUTO, &ba),
                         OTAPRIO_OK);
        assert_true(ab.statistic + ba.statistic == (double)(nx * ny));
        assert_stats_close(ab.log_p_value, ba.log_p_value, "swap", round);
        /* One side's "less" is the other's "greater". */
        assert_int_equal(otaprio__mann_whitney(&mem, &a, 0.0, OTAPRIO__ALT_LESS,
                                               OTAPRIO__MWU_AUTO, &less),
                         OTAPRIO_OK);
        assert_int_equal(otaprio__mann_whitney(&mem, &b, 0.0,
                                               OTAPRIO__ALT_GREATER,
                                               OTAPRIO__MWU_AUTO, &greater),
                         OTAPRIO_OK);
        assert_stats_close(less.log_p_value, greater.log_p_value, "sides",
                           round);
        assert_true(ab.p_value >= 0.0 && ab.p_value <= 1.0);
        otaprio__samples_release(&mem, &a);
        otaprio__samples_release(&mem, &b);
    }
}

static void p_value_is_monotone_in_the_shift(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    uint64_t rng = 11;
    double x[120], y[90];
    draw(&rng, x, 120, 0.3, 0);
    draw(&rng, y, 90, 0.0, 0);
    otaprio__samples s;
    prepare(&mem, x, 120, y, 90, &s);
    for (size_t m = 0; m < COUNT(methods); m++) {
        double previous_greater = -HUGE_VAL, previous_less = 0.0;
        for (double shift = -8.0; shift <= 8.0; shift += 0.125) {
            otaprio__test greater, less;
            assert_int_equal(otaprio__mann_whitney(&mem, &s, shift,
                                                   OTAPRIO__ALT_GREATER,
                                                   methods[m], &greater),
                             OTAPRIO_OK);
            assert_int_equal(otaprio__mann_whitney(&mem, &s, shift,
                                                   OTAPRIO__ALT_LESS,
                                                   methods[m], &less),
                             OTAPRIO_OK);
            /* A larger shift makes x - shift smaller: less evidence that
             * x is greater. */
            assert_true(greater.log_p_value >= previous_greater);
            assert_true(less.log_p_value <= previous_less);
            previous_greater = greater.log_p_value;
            previous_less = less.log_p_value;
        }
        assert_true(previous_greater == 0.0 || previous_greater > -1e-10);
        assert_true(previous_less < -50.0); /* the far tail, in log space */
    }
    otaprio__samples_release(&mem, &s);
}

static void exact_small_cases_by_hand(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    /* scipy's documentation example: U = 17, p = 1/9. */
    double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
    otaprio__samples s;
    prepare(&mem, males, 5, females, 4, &s);
    otaprio__test t;
    assert_int_equal(otaprio__mann_whitney(&mem, &s, 0.0,
                                           OTAPRIO__ALT_TWO_SIDED,
                                           OTAPRIO__MWU_EXACT, &t),
                     OTAPRIO_OK);
    assert_true(t.statistic == 17.0);
    assert_stats_close(t.p_value, 1.0 / 9.0, "doc", 0);
    otaprio__samples_release(&mem, &s);
    /* One against one: U in {0, 1}, each with probability 1/2. */
    double a = 1.0, b = 2.0;
    prepare(&mem, &a, 1, &b, 1, &s);
    assert_int_equal(otaprio__mann_whitney(&mem, &s, 0.0, OTAPRIO__ALT_LESS,
                                           OTAPRIO__MWU_AUTO, &t),
                     OTAPRIO_OK);
    assert_true(t.statistic == 0.0 && t.p_value == 0.5);
    otaprio__samples_release(&mem, &s);
}

static void hodges_lehmann_properties(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    uint64_t rng = 5;
    static double x[2000], y[2500], shifted[2000];
    const double confidences[] = {0.5, 0.8, 0.9, 0.95, 0.99, 0.999};
    for (int round = 0; round < 8; round++) {
        size_t nx = 1 + splitmix_below(&rng, round < 4 ? 12 : 2000);
        size_t ny = 1 + splitmix_below(&rng, round < 4 ? 12 : 2500);
        uint32_t levels = round % 3 == 2 ? 5 : 0;
        draw(&rng, x, nx, 0.5, levels);
        draw(&rng, y, ny, 0.0, levels);
        /* Shifting by a power of two keeps every difference exact. */
        for (size_t i = 0; i < nx; i++)
            shifted[i] = x[i] + 4.0;
        otaprio__samples s, t;
        prepare(&mem, x, nx, y, ny, &s);
        prepare(&mem, shifted, nx, y, ny, &t);
        double est, est_shifted, previous_low = HUGE_VAL;
        double previous_high = -HUGE_VAL;
        for (size_t c = 0; c < COUNT(confidences); c++) {
            otaprio__interval ci, ci_shifted;
            assert_int_equal(
                otaprio__hodges_lehmann(&mem, &s, confidences[c], &est, &ci),
                OTAPRIO_OK);
            assert_int_equal(otaprio__hodges_lehmann(&mem, &t, confidences[c],
                                                     &est_shifted, &ci_shifted),
                             OTAPRIO_OK);
            assert_true(est_shifted == est + 4.0);
            assert_true(ci_shifted.low == ci.low + 4.0);
            assert_true(ci_shifted.high == ci.high + 4.0);
            assert_true(ci.low <= est && est <= ci.high);
            assert_true(ci.low <= previous_low && ci.high >= previous_high);
            previous_low = ci.low;
            previous_high = ci.high;
        }
        otaprio__samples_release(&mem, &s);
        otaprio__samples_release(&mem, &t);
    }
}

static void hodges_lehmann_selects_like_a_sort(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    uint64_t rng = 21;
    static double x[400], y[300], all[400 * 300];
    for (int round = 0; round < 6; round++) {
        size_t nx = 200 + splitmix_below(&rng, 200);
        size_t ny = 100 + splitmix_below(&rng, 200);
        uint32_t levels = round % 2 ? 0 : 1 + 3 * (uint32_t)round;
        draw(&rng, x, nx, 0.0, levels);
        draw(&rng, y, ny, 0.0, levels);
        otaprio__samples s;
        prepare(&mem, x, nx, y, ny, &s);
        size_t total = nx * ny, k = 0;
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < ny; j++)
                all[k++] = s.x[i] - s.y[j];
        qsort(all, total, sizeof *all, compare_doubles);
        otaprio__selector sel;
        assert_int_equal(otaprio__selector_prepare(&mem, &s, &sel), OTAPRIO_OK);
        uint64_t ranks[] = {
            1, 2, total / 3, total / 2, total / 2 + 1, total - 1, total};
        for (size_t r = 0; r < COUNT(ranks); r++)
            assert_true(otaprio__selector_select(&sel, ranks[r]) ==
                        all[ranks[r] - 1]);
        otaprio__selector_release(&mem, &sel);
        /* A median first, then ranks near it: they start from the band the
         * median's first round kept. */
        assert_int_equal(otaprio__selector_prepare(&mem, &s, &sel), OTAPRIO_OK);
        double a, b;
        otaprio__selector_select_pair(&sel, total / 2, &a, &b);
        assert_true(a == all[total / 2 - 1] && b == all[total / 2]);
        uint64_t near[] = {total / 2 - total / 100, total / 2 + total / 100,
                           total / 2 - total / 40, total / 2 + total / 40};
        for (size_t r = 0; r < COUNT(near); r++)
            assert_true(otaprio__selector_select(&sel, near[r]) ==
                        all[near[r] - 1]);
        assert_true(sel.kept);
        otaprio__selector_release(&mem, &sel);
        otaprio__samples_release(&mem, &s);
    }
}

/* A band of one value but for a few: sampling cannot split it, the
 * bisection of its values must; and differences that overflow. */
static void selection_edge_cases(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    static double x[400], y[300];
    for (size_t i = 0; i < 400; i++)
        x[i] = i == 399 ? 1.0 : 0.0;
    for (size_t j = 0; j < 300; j++)
        y[j] = j == 0 ? -0x1.0p-30 : 0.0;
    otaprio__samples s;
    prepare(&mem, x, 400, y, 300, &s);
    otaprio__selector sel;
    assert_int_equal(otaprio__selector_prepare(&mem, &s, &sel), OTAPRIO_OK);
    uint64_t total = 400 * 300;
    /* Sorted: 399 * 299 zeros, 399 of 2^-30, 299 ones, one 1 + 2^-30. */
    assert_true(otaprio__selector_select(&sel, 1) == 0.0);
    assert_true(otaprio__selector_select(&sel, 399 * 299) == 0.0);
    assert_true(otaprio__selector_select(&sel, 399 * 299 + 1) == 0x1.0p-30);
    assert_true(otaprio__selector_select(&sel, total - 300) == 0x1.0p-30);
    assert_true(otaprio__selector_select(&sel, total - 299) == 1.0);
    assert_true(otaprio__selector_select(&sel, total - 1) == 1.0);
    assert_true(otaprio__selector_select(&sel, total) == 1.0 + 0x1.0p-30);
    double a, b;
    otaprio__selector_select_pair(&sel, total - 300, &a, &b);
    assert_true(a == 0x1.0p-30 && b == 1.0);
    otaprio__selector_release(&mem, &sel);
    otaprio__samples_release(&mem, &s);

    double big[] = {1e308, 1.5e308, -1e308}, small[] = {-1e308, -1.7e308};
    prepare(&mem, big, 3, small, 2, &s);
    double est;
    otaprio__interval ci;
    assert_int_equal(otaprio__hodges_lehmann(&mem, &s, 0.5, &est, &ci),
                     OTAPRIO_OK);
    /* Differences: 0, 7e307, inf, inf, inf, inf: the median is inf. */
    assert_true(est == HUGE_VAL);
    otaprio__samples_release(&mem, &s);
}

static void bad_input_is_refused(void **state)
{
    (void)state;
    otaprio__mem mem = default_mem();
    double good[] = {1.0, 2.0, 3.0};
    double bad[] = {1.0, (double)NAN, 3.0}, inf[] = {1.0, 2.0, -HUGE_VAL};
    otaprio__samples s = {NULL, 7, NULL, 7};
    otaprio_diag diag;
    assert_int_equal(otaprio_diag_init(&diag), OTAPRIO_OK);
    assert_int_equal(otaprio__samples_prepare(&mem, bad, 3, good, 3, &s, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "x");
    assert_int_equal(diag.index, 1);
    assert_int_equal(otaprio__samples_prepare(&mem, good, 3, inf, 3, &s, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "y");
    assert_int_equal(diag.index, 2);
    assert_true(s.nx == 7 && s.x == NULL); /* untouched */
    assert_int_equal(otaprio__samples_prepare(&mem, NULL, 3, good, 3, &s, NULL),
                     OTAPRIO_E_INVALID);

    otaprio__samples empty;
    prepare(&mem, good, 3, NULL, 0, &empty);
    otaprio__test t = {9.0, 9.0, 9.0};
    assert_int_equal(otaprio__mann_whitney(&mem, &empty, 0.0,
                                           OTAPRIO__ALT_TWO_SIDED,
                                           OTAPRIO__MWU_AUTO, &t),
                     OTAPRIO_E_RANGE);
    double est = 9.0;
    otaprio__interval ci = {9.0, 9.0};
    assert_int_equal(otaprio__hodges_lehmann(&mem, &empty, 0.9, &est, &ci),
                     OTAPRIO_E_RANGE);
    otaprio__samples_release(&mem, &empty);

    prepare(&mem, good, 3, good, 3, &s);
    assert_int_equal(otaprio__mann_whitney(&mem, &s, HUGE_VAL,
                                           OTAPRIO__ALT_TWO_SIDED,
                                           OTAPRIO__MWU_AUTO, &t),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__mann_whitney(&mem, &s, (double)NAN,
                                           OTAPRIO__ALT_TWO_SIDED,
                                           OTAPRIO__MWU_AUTO, &t),
                     OTAPRIO_E_RANGE);
    assert_int_equal(otaprio__mann_whitney(&mem, &s, 0.0,
                                           (otaprio__alternative)7,
                                           OTAPRIO__MWU_AUTO, &t),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio__mann_whitney(&mem, &s, 0.0,
                                           OTAPRIO__ALT_TWO_SIDED,
                                           (otaprio__mwu_method)9, &t),
                     OTAPRIO_E_INVALID);
    assert_true(t.statistic == 9.0 && t.p_value == 9.0);
    /* The exact table has limits; auto then falls back, exact refuses. */
    assert_true(otaprio__mwu_exact_feasible(8, 1000, 4000));
    assert_false(otaprio__mwu_exact_feasible(8, 5000000, 20000000));
    assert_false(otaprio__mwu_exact_feasible(100, 300000, 15000000)); /* work */
    assert_false(otaprio__mwu_exact_feasible(1100, 1100, 100)); /* 2^2000 */
    {
        static double wide_x[3000], wide_y[3000];
        uint64_t rng = 17;
        draw(&rng, wide_x, 3000, 0.0, 0);
        draw(&rng, wide_y, 3000, 0.0, 0);
        otaprio__samples wide;
        prepare(&mem, wide_x, 3000, wide_y, 3000, &wide);
        assert_int_equal(otaprio__mann_whitney(&mem, &wide, 0.0,
                                               OTAPRIO__ALT_TWO_SIDED,
                                               OTAPRIO__MWU_EXACT, &t),
                         OTAPRIO_E_LIMIT);
        assert_true(t.statistic == 9.0 && t.p_value == 9.0);
        otaprio__samples_release(&mem, &wide);
    }
    const double confidences[] = {0.0, 1.0, -0.5, 1.5, (double)NAN};
    for (size_t c = 0; c < COUNT(confidences); c++)
        assert_int_equal(
            otaprio__hodges_lehmann(&mem, &s, confidences[c], &est, &ci),
            OTAPRIO_E_RANGE);
    assert_true(est == 9.0 && ci.low == 9.0 && ci.high == 9.0);
    /* A confidence no finite interval reaches on 3 against 3 (the
     * smallest tail probability is 1/20). */
    assert_int_equal(otaprio__hodges_lehmann(&mem, &s, 0.95, &est, &ci),
                     OTAPRIO_OK);
    assert_true(ci.low == -HUGE_VAL && ci.high == HUGE_VAL);
    assert_true(est == 0.0);
    otaprio__samples_release(&mem, &s);
}

/* Allocation failures: each allocating call fails cleanly. */
typedef struct alloc_case {
    size_t nx, ny;
    otaprio__mwu_method method;
} alloc_case;

static int alloc_scenario_run(const otaprio_allocator *allocator, void *ctx)
{
    const alloc_case *c = ctx;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, allocator, NULL), OTAPRIO_OK);
    static double x[3000], y[3000];
    uint64_t rng = 3;
    draw(&rng, x, c->nx, 0.2, 0);
    draw(&rng, y, c->ny, 0.0, 0);
    otaprio__samples s = {NULL, 0, NULL, 0};
    int status = otaprio__samples_prepare(&mem, x, c->nx, y, c->ny, &s, NULL);
    if (status != OTAPRIO_OK) {
        assert_null(s.x);
        return status;
    }
    otaprio__test t = {9.0, 9.0, 9.0};
    status = otaprio__mann_whitney(&mem, &s, 0.0, OTAPRIO__ALT_TWO_SIDED,
                                   c->method, &t);
    if (status != OTAPRIO_OK) {
        assert_true(t.statistic == 9.0 && t.p_value == 9.0);
    } else {
        double est = 9.0;
        otaprio__interval ci = {9.0, 9.0};
        status = otaprio__hodges_lehmann(&mem, &s, 0.9, &est, &ci);
        if (status != OTAPRIO_OK)
            assert_true(est == 9.0 && ci.low == 9.0 && ci.high == 9.0);
    }
    otaprio__samples_release(&mem, &s);
    return status;
}

static void allocation_failures_are_clean(void **state)
{
    (void)state;
    alloc_case cases[] = {{5, 40, OTAPRIO__MWU_AUTO},
                          {3000, 2000, OTAPRIO__MWU_ASYMPTOTIC},
                          {30, 30, OTAPRIO__MWU_EXACT}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        long points =
            alloc_fail_sweep(alloc_scenario_run, &cases[i], OTAPRIO_E_NOMEM);
        assert_true(points >= 4);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mann_whitney_matches_scipy),
        cmocka_unit_test(hodges_lehmann_matches_numpy),
        cmocka_unit_test(sorting_agrees_with_qsort),
        cmocka_unit_test(u_statistics_sum_to_the_pairs),
        cmocka_unit_test(p_value_is_monotone_in_the_shift),
        cmocka_unit_test(exact_small_cases_by_hand),
        cmocka_unit_test(hodges_lehmann_properties),
        cmocka_unit_test(hodges_lehmann_selects_like_a_sort),
        cmocka_unit_test(selection_edge_cases),
        cmocka_unit_test(bad_input_is_refused),
        cmocka_unit_test(allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
