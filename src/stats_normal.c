/* SPDX-License-Identifier: MIT */
/*
 * The standard normal distribution: tails, their logarithms, and the
 * quantile function. Every tail goes through erfc(), which the C library
 * computes to a relative accuracy in the far tail (1 - erf would cancel);
 * beyond erfc's underflow the log tail comes from the continued fraction
 * of Mills' ratio.
 */
#include "stats.h"

#include <float.h>

#define SQRT1_2 0.70710678118654752440      /* 1 / sqrt(2) */
#define LOG_SQRT_2PI 0.91893853320467274178 /* log(sqrt(2 pi)) */

double otaprio__normal_sf(double z)
{
    return 0.5 * erfc(z * SQRT1_2);
}

/*
 * log of Mills' ratio R(z) = P(Z > z) / phi(z) for z >= 10, by the
 * continued fraction R = 1 / (z + 1 / (z + 2 / (z + 3 / (z + ...)))),
 * evaluated bottom-up: at z >= 10 forty terms are far past convergence.
 */
static double log_mills_ratio(double z)
{
    double tail = z;
    for (int k = 40; k >= 1; k--)
        tail = z + k / tail;
    return -log(tail);
}

double otaprio__normal_log_sf(double z)
{
    if (isnan(z))
        return z;
    /* Below 10 the tail is at least 7.6e-24, far from underflow, and erfc
     * is accurate; above it phi(z) R(z) in log space never underflows. */
    if (z < 10.0) {
        if (z < -5.0) /* sf near 1: log1p of the small lower tail */
            return log1p(-0.5 * erfc(-z * SQRT1_2));
        return log(0.5 * erfc(z * SQRT1_2));
    }
    return -0.5 * z * z - LOG_SQRT_2PI + log_mills_ratio(z);
}

double otaprio__normal_log_cdf(double z)
{
    return otaprio__normal_log_sf(-z);
}

/*
 * The lower-tail quantile for 0 < p <= 0.5, as a negative z: a rational
 * first guess (Abramowitz and Stegun 26.2.23, absolute error under 4.5e-4)
 * polished by Halley steps on P(Z <= z) - p, whose error in each step
 * shrinks cubically; three steps reach the last bit for any double p.
 */
static double lower_quantile(double p)
{
    double t = sqrt(-2.0 * log(p));
    double z =
        -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                  (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
    for (int step = 0; step < 4; step++) {
        double cdf = 0.5 * erfc(-z * SQRT1_2);
        double density = exp(-0.5 * z * z - LOG_SQRT_2PI);
        if (density == 0.0)
            break;
        /* Relative form: the error divided by the density. */
        double u = (cdf - p) / density;
        double next = z - u / (1.0 + 0.5 * z * u);
        if (next == z)
            break;
        z = next;
    }
    return z;
}

/*
 * The quantile for 0.25 <= p <= 0.75 from d = p - 0.5 (exact there, by
 * Sterbenz's lemma): Halley steps on erf(z / sqrt 2) / 2 - d, which keeps
 * its relative accuracy as z approaches 0, where P(Z <= z) - p would not.
 */
static double central_quantile(double d)
{
    double z = d * 2.50662827463100050242; /* sqrt(2 pi): the slope at 0 */
    for (int step = 0; step < 8; step++) {
        double density = exp(-0.5 * z * z - LOG_SQRT_2PI);
        double u = (0.5 * erf(z * SQRT1_2) - d) / density;
        double next = z - u / (1.0 + 0.5 * z * u);
        if (next == z)
            break;
        z = next;
    }
    return z;
}

double otaprio__normal_ppf(double p)
{
    if (isnan(p) || p < 0.0 || p > 1.0)
        return (double)NAN;
    if (p == 0.0)
        return -HUGE_VAL;
    if (p == 1.0)
        return HUGE_VAL;
    if (p >= 0.25 && p <= 0.75)
        return central_quantile(p - 0.5);
    if (p < 0.5)
        return lower_quantile(p);
    /* 1 - p is exact for p in [0.5, 1] (Sterbenz). */
    return -lower_quantile(1.0 - p);
}

double otaprio__normal_isf(double q)
{
    return -otaprio__normal_ppf(q);
}
