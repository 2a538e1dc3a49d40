/* SPDX-License-Identifier: MIT */
/*
 * The statistics behind the guardrail engine: distributions, two-sample
 * tests on proportions, rates and continuous samples, and the sequential
 * (always-valid) test. Each function is checked against scipy on stored
 * vectors (tests/vectors/gen_stats_*_vectors.py) to a relative 1e-9.
 *
 * Conventions shared by every function here:
 * - Counts are uint64_t; they may exceed 2^53 (they are converted to double
 *   where the arithmetic needs it, and the result stays finite and sane).
 * - A function that can fail returns an OTAPRIO_E_* status and writes its
 *   outputs only on success (OTAPRIO_E_RANGE for NaN, infinite or
 *   impossible inputs such as events above trials or negative exposure).
 * - p-values come with their natural logarithm, computed in log space so
 *   that a p-value below DBL_MIN still orders and reports (log_p_value
 *   finite while p_value underflows to 0).
 * - No allocation unless a `mem` is passed; no global state; thread-safe.
 */
#ifndef OTAPRIO_STATS_H
#define OTAPRIO_STATS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Which way the alternative hypothesis points, for the first sample (the
 * canary) against the second (the baseline) or against a null value. */
typedef enum otaprio__alternative {
    OTAPRIO__ALT_TWO_SIDED = 0,
    OTAPRIO__ALT_GREATER = 1, /* first sample larger than the null says */
    OTAPRIO__ALT_LESS = 2     /* first sample smaller than the null says */
} otaprio__alternative;

/* A test's outcome. */
typedef struct otaprio__test {
    double statistic;   /* as the function documents (scipy's statistic) */
    double p_value;     /* in [0, 1] */
    double log_p_value; /* natural log of p_value, finite when p underflows;
                           0 when p is 1, -HUGE_VAL only when p is exactly 0 */
} otaprio__test;

/* A two-sided interval; low <= high. */
typedef struct otaprio__interval {
    double low;
    double high;
} otaprio__interval;

/* ---- log-space helpers ------------------------------------------------ */

/* log(exp(a) + exp(b)) without overflow; -HUGE_VAL is the log of zero. */
static inline double otaprio__log_add_exp(double a, double b)
{
    if (a == -HUGE_VAL)
        return b;
    if (b == -HUGE_VAL)
        return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* log(1 - exp(a)) for a <= 0, accurate near both ends (Maechler's rule). */
static inline double otaprio__log1m_exp(double a)
{
    return a > -0.6931471805599453 ? log(-expm1(a)) : log1p(-exp(a));
}

/* Fills a test from a log p-value (clamped to at most 0). */
static inline void otaprio__test_set(otaprio__test *test, double statistic,
                                     double log_p_value)
{
    if (log_p_value > 0.0)
        log_p_value = 0.0;
    test->statistic = statistic;
    test->log_p_value = log_p_value;
    test->p_value = exp(log_p_value);
}

/* The same with the p-value itself when the test has it (NaN when not):
 * a tail found as 1 minus the other side has it without an exp. Anything
 * but a p-value in [0, 1] with a log at most 0 goes the plain way. */
static inline void otaprio__test_set_p(otaprio__test *test, double statistic,
                                       double log_p_value, double p_value)
{
    if (!(p_value >= 0.0 && p_value <= 1.0) || !(log_p_value <= 0.0)) {
        otaprio__test_set(test, statistic, log_p_value);
        return;
    }
    test->statistic = statistic;
    test->log_p_value = log_p_value;
    test->p_value = p_value;
}

/* ---- the normal distribution (stats_normal.c) ------------------------- */

/* P(Z > z) for a standard normal Z; accurate relative to the value in the
 * upper tail (scipy.stats.norm.sf). NaN gives NaN. */
double otaprio__normal_sf(double z);

/* log P(Z > z), finite for every finite z (scipy.stats.norm.logsf). */
double otaprio__normal_log_sf(double z);

/* log P(Z <= z) (scipy.stats.norm.logcdf). */
double otaprio__normal_log_cdf(double z);

/* The z with P(Z <= z) = p, for 0 < p < 1 (scipy.stats.norm.ppf); the
 * upper-tail twin takes q = 1 - p without forming it (norm.isf). */
double otaprio__normal_ppf(double p);
double otaprio__normal_isf(double q);

/* ---- special functions and discrete distributions (stats_special.c) --- */

/* log I_x(a, b), the regularized incomplete beta function, or with `upper`
 * its complement log(1 - I_x(a, b)); a, b > 0, 0 <= x <= 1 (scipy.special
 * betainc / betaincc, in log space). */
double otaprio__log_beta_inc(double a, double b, double x, bool upper);

/* log P(X <= k) and log P(X >= k) for X ~ Binomial(n, p) (binom.logcdf,
 * binom.logsf(k - 1)). */
double otaprio__binom_log_cdf(uint64_t k, uint64_t n, double p);
double otaprio__binom_log_sf_incl(uint64_t k, uint64_t n, double p);

/* log P(X = k) for X ~ Binomial(n, p) (binom.logpmf). */
double otaprio__binom_log_pmf(uint64_t k, uint64_t n, double p);

/* log P(X = k) for X ~ Hypergeometric: k successes in a draw of `draws`
 * from `total` items of which `successes` are successes (hypergeom.logpmf
 * with M=total, n=successes, N=draws). */
double otaprio__hypergeom_log_pmf(uint64_t k, uint64_t total,
                                  uint64_t successes, uint64_t draws);

/* log P(s, y) and, with `upper`, log Q(s, y): the regularized lower and
 * upper incomplete gamma functions, s > 0, y >= 0 (scipy.special.gammainc
 * and gammaincc, in log space, each accurate when it is the small one). */
double otaprio__log_gamma_inc(double s, double y, bool upper);

/* log P(F > f) for F ~ F(d1, d2) (scipy.stats.f.logsf). */
double otaprio__f_log_sf(double f, double d1, double d2);

/* log P(X > x) for X ~ chi-squared with `df` degrees of freedom
 * (scipy.stats.chi2.logsf). */
double otaprio__chi2_log_sf(double x, double df);

/* ---- proportions (stats_proportion.c) --------------------------------- */

/* The exact binomial test of k successes in n trials against p0
 * (scipy.stats.binomtest; two-sided sums the outcomes no more likely than
 * k, with scipy's relative tolerance 1 + 1e-7). statistic = k / n. */
OTAPRIO__NODISCARD int otaprio__binom_test(uint64_t k, uint64_t n, double p0,
                                           otaprio__alternative alternative,
                                           otaprio__test *out);

/*
 * The _p forms of the tests here (binomial, Fisher's, rate ratio) leave
 * the statistic out (NaN) and set the p-value and its log as the full
 * test does, bit for bit: a stratum's report carries no statistic, and
 * its divisions cost a tenth of a rate stratum's test.
 */
OTAPRIO__NODISCARD int otaprio__binom_test_p(uint64_t k, uint64_t n, double p0,
                                             otaprio__alternative alternative,
                                             otaprio__test *out);

/* The Wilson score interval for k / n at `confidence` (binomtest(k, n)
 * .proportion_ci(confidence, method="wilson")). */
OTAPRIO__NODISCARD int otaprio__wilson_interval(uint64_t k, uint64_t n,
                                                double confidence,
                                                otaprio__interval *out);

/* The same from the normal quantile z (> 0) the confidence implies, for
 * callers that compute it once for many intervals. */
OTAPRIO__NODISCARD int otaprio__wilson_interval_z(uint64_t k, uint64_t n,
                                                  double z,
                                                  otaprio__interval *out);

/* The Clopper-Pearson interval for k / n (method="exact"). */
OTAPRIO__NODISCARD int otaprio__exact_interval(uint64_t k, uint64_t n,
                                               double confidence,
                                               otaprio__interval *out);

/* Fisher's exact test on [[x1, n1 - x1], [x2, n2 - x2]]
 * (scipy.stats.fisher_exact; statistic is the sample odds ratio). */
OTAPRIO__NODISCARD int otaprio__fisher_exact(uint64_t x1, uint64_t n1,
                                             uint64_t x2, uint64_t n2,
                                             otaprio__alternative alternative,
                                             otaprio__test *out);
OTAPRIO__NODISCARD int otaprio__fisher_exact_p(uint64_t x1, uint64_t n1,
                                               uint64_t x2, uint64_t n2,
                                               otaprio__alternative alternative,
                                               otaprio__test *out);

/* The pooled score (z) test of p1 = p2; statistic is z, positive when
 * x1 / n1 is the larger (its square is scipy's chi2_contingency statistic
 * with correction=False). */
OTAPRIO__NODISCARD int
otaprio__two_proportion_score(uint64_t x1, uint64_t n1, uint64_t x2,
                              uint64_t n2, otaprio__alternative alternative,
                              otaprio__test *out);

/* The likelihood-ratio (G) test of p1 = p2, two-sided (chi2_contingency
 * with lambda_="log-likelihood", correction=False); statistic is G. */
OTAPRIO__NODISCARD int otaprio__two_proportion_lr(uint64_t x1, uint64_t n1,
                                                  uint64_t x2, uint64_t n2,
                                                  otaprio__test *out);

/* Newcombe's hybrid score interval (his method 10, from two Wilson
 * intervals) for p1 - p2. */
OTAPRIO__NODISCARD int otaprio__newcombe_interval(uint64_t x1, uint64_t n1,
                                                  uint64_t x2, uint64_t n2,
                                                  double confidence,
                                                  otaprio__interval *out);

/* The same from the normal quantile z (> 0) of the confidence. */
OTAPRIO__NODISCARD int otaprio__newcombe_interval_z(uint64_t x1, uint64_t n1,
                                                    uint64_t x2, uint64_t n2,
                                                    double z,
                                                    otaprio__interval *out);

/* The Farrington-Manning score test of the risk ratio against `ratio0`
 * (> 0), with the restricted maximum-likelihood estimate of Miettinen and
 * Nurminen: GREATER tests H0 p1 <= ratio0 * p2 (the canary is worse than
 * the margin allows), LESS tests H0 p1 >= ratio0 * p2 (non-inferiority).
 * Defined with zero events in either group. statistic is z. */
OTAPRIO__NODISCARD int
otaprio__risk_ratio_score(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                          double ratio0, otaprio__alternative alternative,
                          otaprio__test *out);

/* ---- rates (stats_rate.c) ---------------------------------------------- */

/* The conditional exact test of the Poisson rate ratio
 * (x1 / t1) / (x2 / t2) against `ratio0`: given x1 + x2 events, x1 is
 * Binomial(x1 + x2, ratio0 t1 / (ratio0 t1 + t2)) under the null.
 * statistic is the observed ratio (HUGE_VAL when x2 is 0 and x1 is not,
 * NaN when both are 0). Exposures are positive and finite. */
OTAPRIO__NODISCARD int
otaprio__rate_ratio_test(uint64_t x1, double t1, uint64_t x2, double t2,
                         double ratio0, otaprio__alternative alternative,
                         otaprio__test *out);
OTAPRIO__NODISCARD int
otaprio__rate_ratio_test_p(uint64_t x1, double t1, uint64_t x2, double t2,
                           double ratio0, otaprio__alternative alternative,
                           otaprio__test *out);

/* The exact (conditional, Clopper-Pearson) interval for that ratio. */
OTAPRIO__NODISCARD int otaprio__rate_ratio_interval(uint64_t x1, double t1,
                                                    uint64_t x2, double t2,
                                                    double confidence,
                                                    otaprio__interval *out);

/* The exact Poisson test of k events against the mean `mean` (finite,
 * at least 0), one-sided: GREATER is P(X >= k), LESS is P(X <= k)
 * (scipy.stats.poisson.sf(k - 1, mean) and .cdf(k, mean)); TWO_SIDED is
 * not offered (OTAPRIO_E_INVALID). statistic is k / mean. */
OTAPRIO__NODISCARD int otaprio__poisson_test(uint64_t k, double mean,
                                             otaprio__alternative alternative,
                                             otaprio__test *out);

/* ---- continuous samples (stats_rank.c, stats_spread.c) ----------------- */

/* Two samples sorted ascending, as the rank statistics read them. */
typedef struct otaprio__samples {
    double *x; /* the first sample (the canary), sorted */
    size_t nx;
    double *y; /* the second (the baseline), sorted */
    size_t ny;
} otaprio__samples;

/* Copies and sorts both samples (both must be finite: OTAPRIO_E_RANGE
 * names the first NaN or infinity through `diag`, field "x" or "y"). */
OTAPRIO__NODISCARD int otaprio__samples_prepare(const otaprio__mem *mem,
                                                const double *x, size_t nx,
                                                const double *y, size_t ny,
                                                otaprio__samples *out,
                                                otaprio_diag *diag);
void otaprio__samples_release(const otaprio__mem *mem, otaprio__samples *s);

/* How the Mann-Whitney p-value is computed. */
typedef enum otaprio__mwu_method {
    OTAPRIO__MWU_AUTO = 0, /* exact when small and untied, else asymptotic */
    OTAPRIO__MWU_EXACT = 1,
    OTAPRIO__MWU_ASYMPTOTIC = 2
} otaprio__mwu_method;

/* The Mann-Whitney U test (scipy.stats.mannwhitneyu with
 * use_continuity=True; statistic is U of the first sample; the asymptotic
 * form corrects the variance for ties). `shift` is subtracted from every x
 * first (0 for the plain test), so a margin can be tested. */
OTAPRIO__NODISCARD int
otaprio__mann_whitney(const otaprio__mem *mem, const otaprio__samples *s,
                      double shift, otaprio__alternative alternative,
                      otaprio__mwu_method method, otaprio__test *out);

/* The Hodges-Lehmann shift estimate, median of x_i - y_j over all pairs,
 * and its distribution-free (Moses) interval at `confidence`, in
 * O((nx + ny) log) time, never forming the nx * ny differences. */
OTAPRIO__NODISCARD int otaprio__hodges_lehmann(const otaprio__mem *mem,
                                               const otaprio__samples *s,
                                               double confidence,
                                               double *estimate,
                                               otaprio__interval *interval);

/* The Brown-Forsythe test of equal spread (scipy.stats.levene with
 * center="median"), on sorted samples; statistic is W. */
OTAPRIO__NODISCARD int otaprio__brown_forsythe(const otaprio__samples *s,
                                               otaprio__test *out);

#endif /* OTAPRIO_STATS_H */
