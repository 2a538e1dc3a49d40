/* SPDX-License-Identifier: MIT */
/*
 * Tests and intervals on one proportion: the exact binomial test with
 * scipy.stats.binomtest's two-sided rule, and the Wilson and
 * Clopper-Pearson intervals of binomtest(...).proportion_ci.
 */
#include "stats_special.h"

#include <float.h>

static bool valid_alternative(otaprio__alternative alternative)
{
    return alternative == OTAPRIO__ALT_TWO_SIDED ||
           alternative == OTAPRIO__ALT_GREATER ||
           alternative == OTAPRIO__ALT_LESS;
}

/*
 * scipy's binary search for the two-sided test (binomtest's
 * _binary_search_for_binom_tst), on log masses relative to `base`: over
 * [lo, hi], where value(i) = sign * (log pmf(i) - base) rises, the index i
 * with value(i) <= sign * tolerance < value(i + 1); *below is set when
 * that index is lo - 1 < 0. Differences, because the tolerance would
 * vanish beside a log mass of -1e6.
 */
static uint64_t search(uint64_t n, double p, double base, double tolerance,
                       int sign, uint64_t lo, uint64_t hi, bool *below)
{
    double target = sign * tolerance;
    *below = false;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        double value = sign * (otaprio__binom_log_pmf(mid, n, p) - base);
        if (value < target) {
            lo = mid + 1;
        } else if (value > target) {
            if (mid == lo)
                break; /* hi would fall below lo: the loop ends */
            hi = mid - 1;
        } else {
            return mid;
        }
    }
    if (sign * (otaprio__binom_log_pmf(lo, n, p) - base) <= target)
        return lo;
    if (lo == 0)
        *below = true;
    return lo - (lo > 0);
}

/* log P(X <= k) with k possibly "-1" (below). */
static double two_sided(uint64_t k, uint64_t n, double p)
{
    double mean = (double)n * p;
    double kd = (double)k;
    if (kd == mean)
        return 0.0;
    /* scipy's tolerance: outcomes up to (1 + 1e-7) times as likely as k
     * count as no more likely. */
    double base = otaprio__binom_log_pmf(k, n, p);
    double tolerance = log1p(1e-7);
    bool below;
    if (kd < mean) {
        double start = ceil(mean);
        uint64_t lo = start >= (double)n ? n : (uint64_t)start;
        uint64_t ix = search(n, p, base, tolerance, -1, lo, n, &below);
        /* The outcomes ix..n (scipy's y = n - ix terms, one more on an
         * exact tie at ix) are no more likely than k. */
        uint64_t first = ix;
        if (!below && otaprio__binom_log_pmf(ix, n, p) - base != tolerance)
            first = ix + 1;
        double upper =
            first > n ? -HUGE_VAL : otaprio__binom_log_sf_incl(first, n, p);
        return otaprio__log_add_exp(otaprio__binom_log_cdf(k, n, p), upper);
    }
    double top = floor(mean);
    uint64_t hi = top >= (double)n ? n : (uint64_t)top;
    uint64_t ix = search(n, p, base, tolerance, 1, 0, hi, &below);
    double lower = below ? -HUGE_VAL : otaprio__binom_log_cdf(ix, n, p);
    return otaprio__log_add_exp(lower, otaprio__binom_log_sf_incl(k, n, p));
}

int otaprio__binom_test_p(uint64_t k, uint64_t n, double p0,
                          otaprio__alternative alternative, otaprio__test *out)
{
    if (n == 0 || k > n || isnan(p0) || p0 < 0.0 || p0 > 1.0 ||
        !valid_alternative(alternative))
        return OTAPRIO_E_RANGE;
    double log_p, p_value = (double)NAN;
    if (alternative == OTAPRIO__ALT_TWO_SIDED)
        log_p = two_sided(k, n, p0);
    else
        log_p = otaprio__binom_log_tail(
            k, n, p0, alternative == OTAPRIO__ALT_LESS, &p_value);
    otaprio__test_set_p(out, (double)NAN, log_p, p_value);
    return OTAPRIO_OK;
}

int otaprio__binom_test(uint64_t k, uint64_t n, double p0,
                        otaprio__alternative alternative, otaprio__test *out)
{
    int status = otaprio__binom_test_p(k, n, p0, alternative, out);
    if (status == OTAPRIO_OK)
        out->statistic = (double)k / (double)n;
    return status;
}

static bool valid_confidence(double confidence)
{
    return confidence > 0.0 && confidence < 1.0;
}

int otaprio__wilson_interval(uint64_t k, uint64_t n, double confidence,
                             otaprio__interval *out)
{
    if (n == 0 || k > n || !valid_confidence(confidence))
        return OTAPRIO_E_RANGE;
    return otaprio__wilson_interval_z(
        k, n, otaprio__normal_ppf(0.5 + 0.5 * confidence), out);
}

int otaprio__wilson_interval_z(uint64_t k, uint64_t n, double z,
                               otaprio__interval *out)
{
    if (n == 0 || k > n || !(z > 0.0 && z < HUGE_VAL))
        return OTAPRIO_E_RANGE;
    double nd = (double)n;
    double p = (double)k / nd;
    double q = (double)(n - k) / nd;
    double z2 = z * z;
    double denom = 2.0 * (nd + z2);
    double delta = z / denom * sqrt(4.0 * nd * p * q + z2);
    /* centre - delta written without the cancellation of the plain
     * difference: (centre - delta)(centre + delta) = n p^2 / (n + z^2). */
    double low = 0.0;
    double high = 1.0;
    double centre = (2.0 * nd * p + z2) / denom;
    if (k > 0)
        low = nd * p * p / ((nd + z2) * (centre + delta));
    if (k < n)
        high = centre + delta;
    out->low = low;
    out->high = high;
    return OTAPRIO_OK;
}

/* The log density of Beta(a, b) at 0 < x < 1. */
static double log_beta_density(double a, double b, double x)
{
    return otaprio__log_beta_kernel(a, b, x, otaprio__beta_offset(a, b, x)) -
           log(x) - log1p(-x);
}

/*
 * The Clopper-Pearson limits solve a binomial tail = alpha: `rising`
 * solves log P(X >= k | p) = target (rising in p, the low limit), else
 * log P(X <= k | p) = target (falling, the high limit). Newton's method
 * on the log tail, whose slope is the beta density over the tail (d/dp
 * P(X >= k) is the Beta(k, n - k + 1) density), kept inside a shrinking
 * bracket and replaced by bisection (geometric while the bracket spans
 * decades) when a step leaves it.
 */
static double tail_at(uint64_t k, uint64_t n, double p, bool rising)
{
    return rising ? otaprio__binom_log_sf_incl(k, n, p)
                  : otaprio__binom_log_cdf(k, n, p);
}

static double invert_tail(uint64_t k, uint64_t n, double target, bool rising,
                          double guess)
{
    double a = rising ? (double)k : (double)k + 1.0;
    double b = rising ? (double)(n - k) + 1.0 : (double)(n - k);
    double lo = 0.0;
    double hi = 1.0;
    double x = guess > 0.0 && guess < 1.0 ? guess : 0.5;
    for (int iteration = 0; iteration < 200; iteration++) {
        double value = tail_at(k, n, x, rising);
        /* error rises with x */
        double error = rising ? value - target : target - value;
        if (error == 0.0)
            return x;
        if (error < 0.0)
            lo = x;
        else
            hi = x;
        double slope = exp(log_beta_density(a, b, x) - value);
        double next = x - error / slope;
        /* A step below the last bits of x: x is the root as far as the
         * tail's own rounding can tell (without this, the step fails the
         * bracket test at x itself, and bisection from the far end of the
         * bracket would spend some 40 more tails coming back). */
        if (fabs(next - x) <= 2.0 * DBL_EPSILON * x)
            return next;
        if (!(next > lo && next < hi)) {
            if (lo > 0.0 && hi / lo > 16.0)
                next = sqrt(lo * hi);
            else if (lo == 0.0 && hi < 0.25)
                next = hi / 16.0;
            else
                next = 0.5 * (lo + hi);
        }
        if (fabs(next - x) <= 2.0 * DBL_EPSILON * x || next == lo || next == hi)
            return next;
        x = next;
    }
    return x;
}

int otaprio__exact_interval(uint64_t k, uint64_t n, double confidence,
                            otaprio__interval *out)
{
    if (n == 0 || k > n || !valid_confidence(confidence))
        return OTAPRIO_E_RANGE;
    double log_alpha = log((1.0 - confidence) / 2.0);
    otaprio__interval wilson;
    int status = otaprio__wilson_interval(k, n, confidence, &wilson);
    if (status != OTAPRIO_OK)
        return status;
    double low = 0.0;
    double high = 1.0;
    /* low: P(X >= k | p) = I_p(k, n - k + 1) = alpha / 2. */
    if (k > 0)
        low = invert_tail(k, n, log_alpha, true, wilson.low);
    /* high: P(X <= k | p) = 1 - I_p(k + 1, n - k) = alpha / 2. */
    if (k < n)
        high = invert_tail(k, n, log_alpha, false, wilson.high);
    out->low = low;
    out->high = high;
    return OTAPRIO_OK;
}
