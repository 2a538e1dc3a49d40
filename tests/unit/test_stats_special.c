/* SPDX-License-Identifier: MIT */
/*
 * The incomplete beta function and the discrete distributions against
 * scipy and mpmath (tests/vectors/gen_stats_special_vectors.py), and the
 * properties the tests built on them rely on: the two tails add to one,
 * tails fall monotonically and stay finite in log space past underflow,
 * and the large-parameter expansion meets the continued fraction.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"
#include "stats_special.h"
#include "unit/splitmix.h"
#include "unit/stats_check.h"
#include "vectors/stats_special_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void beta_matches_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(beta_vectors); i++) {
        const beta_vector *v = &beta_vectors[i];
        assert_log_close(otaprio__log_beta_inc(v->a, v->b, v->x, false),
                         v->log_lower, "log_lower", i);
        assert_log_close(otaprio__log_beta_inc(v->a, v->b, v->x, true),
                         v->log_upper, "log_upper", i);
    }
}

static void binom_matches_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(binom_vectors); i++) {
        const binom_vector *v = &binom_vectors[i];
        assert_log_close(otaprio__binom_log_pmf(v->k, v->n, v->p), v->log_pmf,
                         "log_pmf", i);
        assert_log_close(otaprio__binom_log_cdf(v->k, v->n, v->p), v->log_cdf,
                         "log_cdf", i);
        assert_log_close(otaprio__binom_log_sf_incl(v->k, v->n, v->p),
                         v->log_sf_incl, "log_sf_incl", i);
    }
}

static void hypergeom_matches_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(hypergeom_vectors); i++) {
        const hypergeom_vector *v = &hypergeom_vectors[i];
        assert_log_close(
            otaprio__hypergeom_log_pmf(v->k, v->total, v->successes, v->draws),
            v->log_pmf, "hypergeom", i);
    }
}

static void tails_match_scipy(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(tail_vectors); i++) {
        const tail_vector *v = &tail_vectors[i];
        double got = v->df2 == 0.0 ? otaprio__chi2_log_sf(v->x, v->df1)
                                   : otaprio__f_log_sf(v->x, v->df1, v->df2);
        assert_stats_close(got, v->log_sf, "tail", i);
    }
}

/* The two tails of I_x add to one, on both methods and the boundary
 * between them (the smaller parameter at 500). */
static void beta_tails_add_to_one(void **state)
{
    (void)state;
    const double as[] = {0.3, 2.0, 45.0, 499.5, 500.0, 3e4, 1e9};
    const double bs[] = {0.7, 9.0, 500.0, 2e3, 1e6};
    for (size_t i = 0; i < COUNT(as); i++) {
        for (size_t j = 0; j < COUNT(bs); j++) {
            double mean = as[i] / (as[i] + bs[j]);
            for (double f = 0.25; f < 2.0; f += 0.25) {
                double x = mean * f;
                if (x >= 1.0)
                    continue;
                double lower = exp(otaprio__log_beta_inc(as[i], bs[j], x, 0));
                double upper = exp(otaprio__log_beta_inc(as[i], bs[j], x, 1));
                if (fabs(lower + upper - 1.0) > 1e-12)
                    fail_msg("a %g b %g x %g: %.17g + %.17g", as[i], bs[j], x,
                             lower, upper);
            }
        }
    }
}

/* Continuity across the switch between Temme's expansion and the
 * continued fraction, at |zeta| = 1 and at the smaller parameter 500. */
static void beta_methods_meet(void **state)
{
    (void)state;
    double a = 2000.0, b = 3000.0;
    double previous = 0.0;
    for (double x = 0.3; x < 0.9; x += 0.0005) {
        double lower = otaprio__log_beta_inc(a, b, x, false);
        assert_true(lower >= previous || previous == 0.0);
        previous = lower;
    }
    double below =
        otaprio__log_beta_inc(nextafter(500.0, 0.0), 800.0, 0.4, true);
    double at = otaprio__log_beta_inc(500.0, 800.0, 0.4, true);
    assert_true(fabs(below - at) < 1e-11 * fabs(at));
}

/* Past underflow the tails stay finite and keep falling. */
static void binom_log_tails_past_underflow(void **state)
{
    (void)state;
    double previous = 0.0;
    for (uint64_t k = 10; k <= 1000; k += 10) {
        double sf = otaprio__binom_log_sf_incl(k, 1000, 0.01);
        assert_true(isfinite(sf));
        assert_true(sf < previous);
        previous = sf;
    }
    assert_true(previous < -1500.0); /* P far below DBL_MIN */
    double cdf = otaprio__binom_log_cdf(0, 1000000, 0.5);
    assert_stats_close(cdf, 1000000.0 * log(0.5), "cdf0", 0);
    /* The mass sums to one over a whole support. */
    double total = -HUGE_VAL;
    for (uint64_t k = 0; k <= 60; k++)
        total = otaprio__log_add_exp(total, otaprio__binom_log_pmf(k, 60, 0.3));
    assert_true(fabs(total) < 1e-14);
}

static void binom_cdf_rises_with_k(void **state)
{
    (void)state;
    const uint64_t ns[] = {7, 1000, 100000, (uint64_t)1 << 40};
    const double ps[] = {0.001, 0.3, 0.97};
    for (size_t i = 0; i < COUNT(ns); i++) {
        for (size_t j = 0; j < COUNT(ps); j++) {
            double mean = (double)ns[i] * ps[j];
            double step = mean / 40.0 > 1.0 ? mean / 40.0 : 1.0;
            double previous = -HUGE_VAL;
            for (double kd = 0.0; kd <= 2.0 * mean && kd <= (double)ns[i];
                 kd += step) {
                uint64_t k = (uint64_t)kd;
                double cdf = otaprio__binom_log_cdf(k, ns[i], ps[j]);
                assert_true(cdf >= previous && cdf <= 0.0);
                /* P(X <= k) + P(X >= k + 1) = 1 */
                double sf = otaprio__binom_log_sf_incl(k + 1, ns[i], ps[j]);
                assert_true(fabs(exp(cdf) + exp(sf) - 1.0) < 1e-12);
                previous = cdf;
            }
        }
    }
}

static void edges_and_bad_input(void **state)
{
    (void)state;
    assert_true(isnan(otaprio__log_beta_inc((double)NAN, 1.0, 0.5, false)));
    assert_true(isnan(otaprio__log_beta_inc(1.0, 0.0, 0.5, false)));
    assert_true(isnan(otaprio__log_beta_inc(1.0, 1.0, 1.5, false)));
    assert_true(isnan(otaprio__log_beta_inc(1.0, HUGE_VAL, 0.5, false)));
    assert_true(otaprio__log_beta_inc(2.0, 3.0, 0.0, false) == -HUGE_VAL);
    assert_true(otaprio__log_beta_inc(2.0, 3.0, 0.0, true) == 0.0);
    assert_true(otaprio__log_beta_inc(2.0, 3.0, 1.0, true) == -HUGE_VAL);
    assert_true(isnan(otaprio__binom_log_pmf(1, 2, (double)NAN)));
    assert_true(isnan(otaprio__binom_log_cdf(1, 2, -0.5)));
    assert_true(isnan(otaprio__binom_log_sf_incl(1, 2, 1.5)));
    assert_true(otaprio__binom_log_pmf(3, 2, 0.5) == -HUGE_VAL);
    assert_true(otaprio__binom_log_pmf(0, 5, 0.0) == 0.0);
    assert_true(otaprio__binom_log_cdf(1, 5, 1.0) == -HUGE_VAL);
    assert_true(otaprio__binom_log_sf_incl(0, 5, 0.3) == 0.0);
    assert_true(otaprio__binom_log_sf_incl(6, 5, 0.3) == -HUGE_VAL);
    assert_true(isnan(otaprio__hypergeom_log_pmf(1, 5, 6, 2)));
    assert_true(otaprio__hypergeom_log_pmf(3, 10, 2, 5) == -HUGE_VAL);
    assert_true(otaprio__hypergeom_log_pmf(2, 10, 2, 10) == 0.0);
    assert_true(isnan(otaprio__f_log_sf(1.0, 0.0, 3.0)));
    assert_true(otaprio__f_log_sf(-1.0, 2.0, 3.0) == 0.0);
    assert_true(otaprio__f_log_sf(HUGE_VAL, 2.0, 3.0) == -HUGE_VAL);
    assert_true(isnan(otaprio__chi2_log_sf((double)NAN, 1.0)));
    assert_true(isnan(otaprio__chi2_log_sf(1.0, -1.0)));
    assert_true(otaprio__chi2_log_sf(0.0, 3.0) == 0.0);
}

/* The distance from got to want in units of want's last place. */
static double ulps(double got, long double want)
{
    int exponent;
    frexpl(want, &exponent);
    return (double)(fabsl((long double)got - want) /
                    ldexpl(1.0L, exponent - DBL_MANT_DIG));
}

/* log1p by the library's log and a two-sum correction (the exact tests'
 * path) stays within two ulps of log1p in long double, from z near -1 to
 * z past 1 and at magnitudes down to 1e-300, where the log alone of the
 * rounded 1 + z would lose every digit; z = -1 gives -inf. */
static void log1p_by_log_is_close(void **state)
{
    (void)state;
    uint64_t seed = 11;
    double worst = 0.0;
    for (int i = 0; i < 200000; i++) {
        double z;
        switch (splitmix_below(&seed, 4)) {
        case 0: /* (-1, 8) */
            z = -1.0 + 9.0 * splitmix_unit(&seed);
            break;
        case 1: /* small, either sign */
            z = ldexp(splitmix_unit(&seed), -(int)splitmix_below(&seed, 1000));
            z = splitmix_below(&seed, 2) ? -z : z;
            break;
        case 2: /* near -1 */
            z = -1.0 + ldexp(1.0 + splitmix_unit(&seed),
                             -(int)splitmix_below(&seed, 52) - 1);
            break;
        default: /* (-1/2, 1/2): the tails' complements */
            z = splitmix_unit(&seed) - 0.5;
            break;
        }
        if (z == 0.0 || !(z > -1.0))
            continue;
        double got = otaprio__log1p_by_log(z);
        double error = ulps(got, log1pl((long double)z));
        if (!(error <= 2.0))
            fail_msg("log1p_by_log(%a) = %a: %.2f ulps from %La", z, got, error,
                     log1pl((long double)z));
        worst = error > worst ? error : worst;
    }
    print_message("log1p_by_log: worst %.2f ulps\n", worst);
    assert_true(otaprio__log1p_by_log(-1.0) == -HUGE_VAL);
    assert_true(otaprio__log1p_by_log(0.0) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(beta_matches_scipy),
        cmocka_unit_test(binom_matches_reference),
        cmocka_unit_test(hypergeom_matches_scipy),
        cmocka_unit_test(tails_match_scipy),
        cmocka_unit_test(beta_tails_add_to_one),
        cmocka_unit_test(beta_methods_meet),
        cmocka_unit_test(binom_log_tails_past_underflow),
        cmocka_unit_test(binom_cdf_rises_with_k),
        cmocka_unit_test(edges_and_bad_input),
        cmocka_unit_test(log1p_by_log_is_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
