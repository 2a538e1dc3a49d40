/* SPDX-License-Identifier: MIT */
/*
 * The pieces the incomplete beta function (stats_beta.c) shares with the
 * discrete distributions (stats_special.c): Stirling's error term, log1p(z)
 * - z, and the log of the beta density's kernel in Loader's saddle-point
 * form, which keeps its accuracy when the parameters reach 2^60.
 */
#ifndef OTAPRIO_STATS_SPECIAL_H
#define OTAPRIO_STATS_SPECIAL_H

#include "stats.h"

/* delta(z) = lgamma(z) - (z - 1/2) log z + z - log(sqrt(2 pi)), z > 0:
 * the error of Stirling's formula, accurate in absolute terms. */
double otaprio__stirling_error(double z);

/* log1p(z) - z for z > -1, without cancellation near 0. */
double otaprio__log1pmx(double z);

/* a d - b c, without the cancellation of the plain difference (the
 * products carried in double-double). */
double otaprio__cross_difference(double a, double d, double b, double c);

/* x r - a for r = a + b, to full relative accuracy even when x is within
 * rounding of a / r (the products and sums carried in double-double). */
double otaprio__beta_offset(double a, double b, double x);

/* log(x^a (1 - x)^b / B(a, b)) for a, b > 0 and 0 < x < 1, given
 * d = x (a + b) - a from otaprio__beta_offset: Loader's form
 * -a D(d / a) - b D(-d / b) + log sqrt(ab / (2 pi r)) + delta(r) - delta(a)
 * - delta(b), with D(z) = z - log1p(z) >= 0. */
double otaprio__log_beta_kernel(double a, double b, double x, double d);

/*
 * The log of the binomial mass at real x in (0, n), Loader's form, in
 * two parts: delta(n) - delta(x) - delta(n - x) - the deviance terms -
 * log sqrt(2 pi) is returned, and *spread set to x (n - x) / n, of whose
 * log the mass is less half. (That is the beta kernel less log(x (n - x)
 * / n): its log sqrt of the spread and the log of the spread are one
 * log.) Apart so that the hypergeometric mass, a ratio of three binomial
 * masses, takes one log of the three spreads; in stats_beta.c, beside
 * the pieces it inlines.
 */
double otaprio__binom_mass_parts(double x, double rest, double p,
                                 double *spread);

/* The same at p = x / (x + rest) rounded, for x <= rest < 2^40: there x
 * (x + rest) - x is within x 2^-53 of 0, and the deviance terms within x
 * 2^-107 (below 2^-67), far under the last bit of the Stirling terms
 * beside them (the parts are at least 0.9 in size): they are left out. */
double otaprio__binom_mode_parts(double x, double rest, double *spread);

/*
 * The exact tails are sums of masses from the one nearest the mode
 * outwards, each term the last times the ratio of neighbouring masses,
 * until a term falls below 1e-17 of the sum. The ratios hold a division
 * each, and they do not depend on the terms: so they are formed a block
 * at a time, where the compiler can vectorise their divisions and the
 * processor overlap them, and only the products and sums stay one after
 * the other. Every term and sum is rounded as a loop of one term at a
 * time would round it.
 */
#define OTAPRIO__TAIL_BLOCK 8

/* s + *e = a + b exactly (Knuth's two-sum). */
static OTAPRIO__ALWAYS_INLINE double otaprio__two_sum(double a, double b,
                                                      double *e)
{
    double s = a + b;
    double bb = s - a;
    *e = (a - (s - bb)) + (b - bb);
    return s;
}

/*
 * log1p(z) for z > -1 from the C library's log, which takes about two
 * thirds of its log1p's time (glibc's log1p waits on a division and a
 * longer polynomial; on the exact tests' path it was a tenth of a
 * stratum): with u + e = 1 + z exactly, log1p(z) = log(u) + log1p(e / u),
 * and |e / u| <= 2^-53 makes log1p(e / u) = e / u to 2^-106 relative.
 * So the result carries the log's error (glibc: under 0.52 ulp) and two
 * roundings: within about an ulp of log1p's (test_stats_special checks it
 * against long double, the tests' vectors against scipy). z is finite.
 */
static inline double otaprio__log1p_by_log(double z)
{
    double e;
    double u = otaprio__two_sum(1.0, z, &e);
    /* z = -1 gives u = 0 and e = 0, whose log must be -inf, not -inf +
     * 0 / 0: hence 2^-1000 beside u, which leaves every u that an inexact
     * sum (e != 0) can give, all at least 1/2, as it is. */
    return log(u) + e / (u + 0x1p-1000);
}

/*
 * A mass in Loader's form, exp(parts) / sqrt(spread): its log is parts -
 * log(spread) / 2, whose log call a tail summed from the mass saves. The
 * tail's log, log(mass) + log(sum), is parts + log(sum / sqrt(spread)),
 * and the tail itself (the other side of a complement) exp(parts) times
 * sum / sqrt(spread): one log for the two, or a square root instead of a
 * log, each as accurate. The spread is 1 where a mass is whole (or 0,
 * infinite or NaN).
 */
typedef struct otaprio__mass {
    double parts;
    double spread;
} otaprio__mass;

/* Binomial(n, p) at k and Hypergeometric at k (as
 * otaprio__hypergeom_log_pmf() spells it) in that form; their logs are
 * otaprio__binom_log_pmf() and otaprio__hypergeom_log_pmf(). */
otaprio__mass otaprio__binom_mass(uint64_t k, uint64_t n, double p);
otaprio__mass otaprio__hypergeom_mass(uint64_t k, uint64_t total,
                                      uint64_t successes, uint64_t draws);

static inline double otaprio__mass_log(otaprio__mass m)
{
    return m.parts - 0.5 * log(m.spread);
}

/* log(mass * sum) for a sum of at least 1. */
static inline double otaprio__mass_log_times(otaprio__mass m, double sum)
{
    return m.parts + log(sum / sqrt(m.spread));
}

/* mass * sum; from exp of the parts and the log of the spread below
 * e^-700, where exp(parts) alone may fall to subnormals while the whole
 * does not (the spread of a hypergeometric mass may be below 1). */
static inline double otaprio__mass_times(otaprio__mass m, double sum)
{
    if (m.parts < -700.0)
        return exp(otaprio__mass_log(m)) * sum;
    return exp(m.parts) * (sum / sqrt(m.spread));
}

/* log(1 - P) for a tail P = mass times sum, summed from its mass (the
 * other side of a tail that crosses the mode), with *p_value = 1 - P.
 * Below 1/2, log1p of P formed as the mass times the sum: one log fewer
 * than log1m_exp of the tail's log, and more accurate, as exp no longer
 * magnifies the rounding of a sum of logs. Above, as log1m_exp
 * (log(-expm1)). Either way 1 - P comes without another exp. */
static inline double otaprio__log1m_tail(otaprio__mass mass, double sum,
                                         double *p_value)
{
    double p = otaprio__mass_times(mass, sum);
    if (p < 0.5) {
        *p_value = 1.0 - p;
        return otaprio__log1p_by_log(-p);
    }
    double q = -expm1(otaprio__mass_log_times(mass, sum));
    *p_value = q;
    return log(q);
}

/* log P(X <= k) (lower) or log P(X >= k) of Binomial(n, p), as
 * otaprio__binom_log_cdf() and otaprio__binom_log_sf_incl(), with
 * *p_value the tail itself when it came without an exp (NaN if not). */
double otaprio__binom_log_tail(uint64_t k, uint64_t n, double p, bool lower,
                               double *p_value);

/*
 * Adds term * ratio[0], then that times ratio[1], ... (count of them) to
 * *sum, *term following; true when the last term is below 1e-17 of the
 * sum (the tail has converged).
 *
 * The stop rule is read once a block, not after every term, and the sum
 * is the same bit for bit: the sum is at least 1, and a term below 1e-17
 * of it is below half its last bit (2^-54 of it at least), so adding it
 * leaves the sum as it was; and once one term is that small, every later
 * one is smaller (past the mode, where the masses of the log-concave
 * binomial and hypergeometric distributions fall ever faster). So the
 * terms a block adds after the first small one change nothing, and the
 * last term is small whenever an earlier one was.
 */
static inline bool otaprio__tail_add(const double *ratio, int count,
                                     double *term, double *sum)
{
    double t = *term, s = *sum;
    for (int i = 0; i < count; i++) {
        t *= ratio[i];
        s += t;
    }
    *term = t;
    *sum = s;
    return t < 1e-17 * s;
}

#endif /* OTAPRIO_STATS_SPECIAL_H */
