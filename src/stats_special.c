/* SPDX-License-Identifier: MIT */
/*
 * The discrete distributions and the F and chi-squared tails, all in log
 * space: binomial tails are incomplete beta functions (stats_beta.c), the
 * binomial mass is Loader's saddle-point form, and the hypergeometric mass
 * a ratio of three binomial masses (the choice of p cancels exactly).
 */
#include "stats_special.h"

#include <float.h>

#define LOG_2PI 1.8378770664093454836 /* log(2 pi) */

/* Counts above 2^53 round to the nearest double here; a change of one
 * count moves a log-probability by log(k / np), far below 1e-9. */
static double count(uint64_t k)
{
    return (double)k;
}

/*
 * Where a tail holds few terms, it is summed directly from Loader's mass,
 * each term from the last by the ratio of neighbouring masses, all
 * positive and falling away from k: the lower tail at k <= n p when k is
 * small, the upper tail at k >= n p when n p is small. Those are the
 * cases (rare events in many trials) where the incomplete beta function
 * has one huge parameter, and its continued fraction loses digits to
 * cancellation in its coefficients (about 1e-8 at n = 1e15).
 */
#define SUM_LIMIT 5000.0
#define SUM_TERM_LIMIT 200000

/* sum_{j <= k} P(X = j) (down) or sum_{j >= k} (up), for a tail that
 * falls away from k, at most SUM_TERM_LIMIT terms past k, as the sum of
 * P(X = j) / P(X = k) returned with *mass = P(X = k). Each step
 * multiplies by top / bottom times a / b: from j up, (n - j) / (j + 1)
 * times p / q; from j down, j / (n - j + 1) times q / p. Either way top
 * falls by one a step and bottom rises by one, so one loop serves both.
 * The counts are doubles counted down and up from one conversion per
 * block: exact below 2^53, and within their own rounding above it. */
static double tail_sum(uint64_t k, uint64_t n, double p, double q, bool up,
                       otaprio__mass *mass)
{
    /* Asked for first: its chain of waits then runs beside the loop's. */
    *mass = otaprio__binom_mass(k, n, p);
    double sum = 1.0;
    double term = 1.0;
    uint64_t top = up ? n - k : k; /* terms before the support ends */
    uint64_t bottom = up ? k + 1 : n - k + 1;
    double a = up ? p : q, b = up ? q : p;
    uint64_t left = top < SUM_TERM_LIMIT ? top : SUM_TERM_LIMIT;
    double ratio[OTAPRIO__TAIL_BLOCK];
    while (left > 0) {
        int m = left < OTAPRIO__TAIL_BLOCK ? (int)left : OTAPRIO__TAIL_BLOCK;
        /* A whole block each time (the ratios past the support's end are
         * never added; their denominators stay positive). */
        double t = count(top), u = count(bottom);
        for (int i = 0; i < OTAPRIO__TAIL_BLOCK; i++)
            ratio[i] = (t - i) * a / ((u + i) * b);
        top -= (uint64_t)m;
        bottom += (uint64_t)m;
        left -= (uint64_t)m;
        if (otaprio__tail_add(ratio, m, &term, &sum))
            break;
    }
    return sum;
}

/* The log of that tail. */
static double log_tail_sum(uint64_t k, uint64_t n, double p, double q, bool up)
{
    otaprio__mass mass;
    double sum = tail_sum(k, n, p, q, up, &mass);
    return otaprio__mass_log_times(mass, sum);
}

/* The log of the other side: 1 - that tail. */
static double log1m_tail_sum(uint64_t k, uint64_t n, double p, double q,
                             bool up, double *p_value)
{
    otaprio__mass mass;
    double sum = tail_sum(k, n, p, q, up, &mass);
    return otaprio__log1m_tail(mass, sum, p_value);
}

/* log P(X <= k) (lower) or log P(X >= k) by summation when one of the
 * two tails at k is short (see above); false when neither is. */
static bool log_tail_by_sum(uint64_t k, uint64_t n, double p, bool lower,
                            double *out, double *p_value)
{
    double q = 1.0 - p; /* used only in ratios, where 1e-16 is harmless */
    double mean = count(n) * p;
    double kd = count(k);
    /* The lower tail at k (k <= mean) and the upper tail at k + 1 (k >=
     * mean), each summed away from the mode. */
    if (lower) {
        if (kd <= mean && kd <= SUM_LIMIT) {
            *out = log_tail_sum(k, n, p, q, false);
            return true;
        }
        if (kd > mean && mean <= SUM_LIMIT) {
            *out = log1m_tail_sum(k + 1, n, p, q, true, p_value);
            return true;
        }
        return false;
    }
    if (kd >= mean && mean <= SUM_LIMIT) {
        *out = log_tail_sum(k, n, p, q, true);
        return true;
    }
    if (kd < mean && kd <= SUM_LIMIT) {
        *out = log1m_tail_sum(k - 1, n, p, q, false, p_value);
        return true;
    }
    return false;
}

double otaprio__binom_log_tail(uint64_t k, uint64_t n, double p, bool lower,
                               double *p_value)
{
    *p_value = (double)NAN;
    if (isnan(p) || p < 0.0 || p > 1.0)
        return (double)NAN;
    double out;
    if (lower) {
        if (k >= n || p == 0.0)
            return 0.0;
        if (p == 1.0)
            return -HUGE_VAL;
        if (log_tail_by_sum(k, n, p, true, &out, p_value))
            return out;
        /* X <= k is n - X >= n - k, n - X ~ Binomial(n, 1 - p) (1 - p
         * exact for p >= 1/2). */
        if (p >= 0.5 &&
            log_tail_by_sum(n - k, n, 1.0 - p, false, &out, p_value))
            return out;
        /* P(X <= k) = 1 - I_p(k + 1, n - k). */
        return otaprio__log_beta_inc(count(k) + 1.0, count(n - k), p, true);
    }
    if (k == 0)
        return 0.0;
    if (k > n || p == 0.0)
        return -HUGE_VAL;
    if (p == 1.0)
        return 0.0;
    if (log_tail_by_sum(k, n, p, false, &out, p_value))
        return out;
    if (p >= 0.5 && log_tail_by_sum(n - k, n, 1.0 - p, true, &out, p_value))
        return out;
    /* P(X >= k) = I_p(k, n - k + 1). */
    return otaprio__log_beta_inc(count(k), count(n - k) + 1.0, p, false);
}

double otaprio__binom_log_cdf(uint64_t k, uint64_t n, double p)
{
    double p_value;
    return otaprio__binom_log_tail(k, n, p, true, &p_value);
}

double otaprio__binom_log_sf_incl(uint64_t k, uint64_t n, double p)
{
    double p_value;
    return otaprio__binom_log_tail(k, n, p, false, &p_value);
}

/* log b(k; n, p) for 0 < p < 1 and k <= n, in the parts above; at k = 0
 * or n the mass is whole, with a spread of 1. */
static double binom_pmf_parts(uint64_t k, uint64_t n, double p, double *spread)
{
    *spread = 1.0;
    if (k == 0)
        return count(n) * otaprio__log1p_by_log(-p);
    if (k == n)
        return count(n) * log(p);
    return otaprio__binom_mass_parts(count(k), count(n - k), p, spread);
}

otaprio__mass otaprio__binom_mass(uint64_t k, uint64_t n, double p)
{
    otaprio__mass m = {(double)NAN, 1.0};
    if (isnan(p) || p < 0.0 || p > 1.0)
        return m;
    if (k > n)
        m.parts = -HUGE_VAL;
    else if (p == 0.0)
        m.parts = k == 0 ? 0.0 : -HUGE_VAL;
    else if (p == 1.0)
        m.parts = k == n ? 0.0 : -HUGE_VAL;
    else
        m.parts = binom_pmf_parts(k, n, p, &m.spread);
    return m;
}

double otaprio__binom_log_pmf(uint64_t k, uint64_t n, double p)
{
    return otaprio__mass_log(otaprio__binom_mass(k, n, p));
}

double otaprio__hypergeom_log_pmf(uint64_t k, uint64_t total,
                                  uint64_t successes, uint64_t draws)
{
    return otaprio__mass_log(
        otaprio__hypergeom_mass(k, total, successes, draws));
}

otaprio__mass otaprio__hypergeom_mass(uint64_t k, uint64_t total,
                                      uint64_t successes, uint64_t draws)
{
    otaprio__mass m = {(double)NAN, 1.0};
    if (successes > total || draws > total)
        return m;
    /* The same mass has eight spellings (swap successes and draws,
     * complement either with k mirrored); computing every one of them
     * from one canonical spelling makes mirror-image tables, such as
     * those of equal rows, bit-for-bit equally likely, which the exact
     * tests' tie rules (relative 1e-14) rely on. */
    if (k <= successes && k <= draws && draws - k <= total - successes) {
        if (successes > total - successes ||
            (successes == total - successes && k > draws - k)) {
            k = draws - k;
            successes = total - successes;
        }
        if (draws > total - draws ||
            (draws == total - draws && k > successes - k)) {
            k = successes - k;
            draws = total - draws;
        }
        if (successes > draws) {
            uint64_t swap = successes;
            successes = draws;
            draws = swap;
        }
    }
    uint64_t failures = total - successes;
    m.parts = -HUGE_VAL;
    if (k > successes || k > draws || draws - k > failures)
        return m;
    m.parts = 0.0;
    if (draws == 0 || draws == total || successes == 0 || successes == total)
        return m; /* the only possible outcome */
    /* C(K, k) C(N - K, n - k) / C(N, n) = b(k; K, p) b(n - k; N - K, p)
     * / b(n; N, p) for every p; p = n / N puts the denominator at its
     * mode, where Loader's form is at its best. */
    double p = count(draws) / count(total); /* 0 < p < 1 */
    double s1, s2, s3;
    /* The denominator at its mode, without its negligible deviance
     * where that is known to be (draws <= total - draws after the
     * spelling above; below 2^40). */
    bool at_mode =
        total - draws < ((uint64_t)1 << 40) && draws <= total - draws;
    double mode = at_mode ? otaprio__binom_mode_parts(count(draws),
                                                      count(total - draws), &s3)
                          : binom_pmf_parts(draws, total, p, &s3);
    double parts = binom_pmf_parts(k, successes, p, &s1) +
                   binom_pmf_parts(draws - k, failures, p, &s2) - mode;
    /* The three spreads are each at most 2^64: no overflow. */
    m.parts = parts;
    m.spread = s1 * s2 / s3;
    return m;
}

double otaprio__f_log_sf(double f, double d1, double d2)
{
    if (isnan(f) || isnan(d1) || isnan(d2) || !(d1 > 0.0) || !(d2 > 0.0))
        return (double)NAN;
    if (f <= 0.0)
        return 0.0;
    if (f == HUGE_VAL)
        return -HUGE_VAL;
    /* P(F > f) = I_y(d2 / 2, d1 / 2) with y = d2 / (d2 + d1 f); the
     * smaller of y and 1 - y is formed directly so that it keeps its
     * relative accuracy. */
    double u = d1 * f;
    if (d2 <= u)
        return otaprio__log_beta_inc(0.5 * d2, 0.5 * d1, d2 / (d2 + u), false);
    return otaprio__log_beta_inc(0.5 * d1, 0.5 * d2, u / (d2 + u), true);
}

/* ---- the regularized incomplete gamma, and the chi-squared tail -------- */

/* log(y^s e^-y / Gamma(s + 1)), the Poisson mass in Loader's form. */
static double log_gamma_kernel(double s, double y)
{
    /* The deviance s D(z), z = (y - s) / s: near the mode through
     * log1pmx, which keeps it from cancelling; far below it directly,
     * since 1 + z = y / s formed from z would lose the digits of a small
     * y (a Poisson mean far below the count). */
    double z = (y - s) / s;
    double deviance =
        z > -0.5 ? -s * otaprio__log1pmx(z) : y - s - s * log(y / s);
    return -deviance - 0.5 * (LOG_2PI + log(s)) - otaprio__stirling_error(s);
}

/* log P(s, y) by the series sum y^j / ((s+1)...(s+j)) (DLMF 8.11.4 style),
 * for y < s + 1, where its terms fall at once. */
static double log_gamma_lower_series(double s, double y)
{
    double term = 1.0;
    double sum = 1.0;
    for (int j = 1; j < 100000; j++) {
        term *= y / (s + j);
        sum += term;
        if (term < 1e-17 * sum)
            break;
    }
    return log_gamma_kernel(s, y) + log(sum);
}

/* log Q(s, y) by Legendre's continued fraction (DLMF 8.9.2), evaluated by
 * the modified Lentz method, for y >= s + 1. */
static double log_gamma_upper_fraction(double s, double y)
{
    const double tiny = 1e-300;
    double b = y + 1.0 - s;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double f = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - s);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double step = d * c;
        f *= step;
        if (fabs(step - 1.0) < 1e-16)
            break;
    }
    /* Q = y^s e^-y / Gamma(s) * f = kernel * s * f. */
    return log_gamma_kernel(s, y) + log(s) + log(f);
}

double otaprio__log_gamma_inc(double s, double y, bool upper)
{
    if (isnan(s) || isnan(y) || !(s > 0.0) || s == HUGE_VAL || y < 0.0)
        return (double)NAN;
    if (y == 0.0)
        return upper ? 0.0 : -HUGE_VAL;
    if (y == HUGE_VAL)
        return upper ? -HUGE_VAL : 0.0;
    /* Each method gives the tail that is small on its side; the other is
     * its complement, which is then at least about a half. */
    if (y < s + 1.0) {
        double lower = log_gamma_lower_series(s, y);
        return upper ? otaprio__log1m_exp(lower) : lower;
    }
    double q = log_gamma_upper_fraction(s, y);
    return upper ? q : otaprio__log1m_exp(q);
}

double otaprio__chi2_log_sf(double x, double df)
{
    if (isnan(x) || isnan(df) || !(df > 0.0) || df == HUGE_VAL)
        return (double)NAN;
    if (x <= 0.0)
        return 0.0;
    if (x == HUGE_VAL)
        return -HUGE_VAL;
    if (df == 1.0) /* P(Z^2 > x) = 2 P(Z > sqrt x), exactly */
        return log(2.0) + otaprio__normal_log_sf(sqrt(x));
    return otaprio__log_gamma_inc(0.5 * df, 0.5 * x, true);
}
