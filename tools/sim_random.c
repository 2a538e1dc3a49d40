/* SPDX-License-Identifier: MIT */
/*
 * The simulator's random numbers: xoshiro256** (Blackman and Vigna) seeded
 * through SplitMix64, and exact Poisson and binomial draws by Hormann's
 * transformed rejection with squeeze (PTRS, 1993, and BTRS, "The
 * generation of binomial random variates", 1993) for large means, by
 * inversion for small ones. A seed gives the same stream everywhere; the
 * draws use lgamma() only in their rare exact acceptance step.
 */
#include <math.h>
#include <pthread.h>

#include "sim.h"

/* POSIX's lgamma() sets the global signgam and need not be thread-safe,
 * and --compare draws on several threads: they take turns. The exact step
 * that needs it is rare, so the lock costs nothing measurable. */
static pthread_mutex_t lgamma_lock = PTHREAD_MUTEX_INITIALIZER;

static double log_gamma(double x)
{
    pthread_mutex_lock(&lgamma_lock);
    double y = lgamma(x);
    pthread_mutex_unlock(&lgamma_lock);
    return y;
}

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sim_random_seed(sim_random *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_random_next(sim_random *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_random_unit(sim_random *r)
{
    return (double)(sim_random_next(r) >> 11) * 0x1.0p-53;
}

/* Inversion by sequential search: for means below 10 it ends within a
 * few steps. */
static uint64_t poisson_small(sim_random *r, double mean)
{
    double u = sim_random_unit(r), p = exp(-mean), sum = p;
    uint64_t k = 0;
    while (u > sum && k < 1000) {
        k++;
        p *= mean / (double)k;
        sum += p;
    }
    return k;
}

/* PTRS: a transformed-rejection proposal that is accepted at once most of
 * the time, and checked against the exact probability otherwise. */
static uint64_t poisson_large(sim_random *r, double mean)
{
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = sim_random_unit(r) - 0.5, v = sim_random_unit(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return (uint64_t)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
            -mean + k * loglam - log_gamma(k + 1.0))
            return (uint64_t)k;
    }
}

uint64_t sim_random_poisson(sim_random *r, double mean)
{
    if (!(mean > 0.0))
        return 0;
    return mean < 10.0 ? poisson_small(r, mean) : poisson_large(r, mean);
}

/* Inversion for n p below 10, walking the probabilities up from 0. */
static uint64_t binomial_small(sim_random *r, uint64_t n, double p)
{
    double q = 1.0 - p, ratio = p / q;
    double prob = pow(q, (double)n), u = sim_random_unit(r);
    uint64_t k = 0;
    while (u > prob && k < n) {
        u -= prob;
        prob *= ratio * (double)(n - k) / (double)(k + 1);
        k++;
    }
    return k;
}

/* BTRS, for p at most 1/2 and n p at least 10. */
static uint64_t binomial_large(sim_random *r, uint64_t n, double p)
{
    double q = 1.0 - p, dn = (double)n;
    double spq = sqrt(dn * p * q);
    double b = 1.15 + 2.53 * spq;
    double a = -0.0873 + 0.0248 * b + 0.01 * p;
    double c = dn * p + 0.5;
    double vr = 0.92 - 4.2 / b;
    double alpha = (2.83 + 5.1 / b) * spq;
    double lpq = log(p / q);
    double m = floor((dn + 1.0) * p);
    double h = log_gamma(m + 1.0) + log_gamma(dn - m + 1.0);
    for (;;) {
        double u = sim_random_unit(r) - 0.5, v = sim_random_unit(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > dn)
            continue;
        if (us >= 0.07 && v <= vr)
            return (uint64_t)k;
        v = log(v * alpha / (a / (us * us) + b));
        if (v <=
            h - log_gamma(k + 1.0) - log_gamma(dn - k + 1.0) + (k - m) * lpq)
            return (uint64_t)k;
    }
}

uint64_t sim_random_binomial(sim_random *r, uint64_t n, double p)
{
    if (n == 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    if (p > 0.5)
        return n - sim_random_binomial(r, n, 1.0 - p);
    if ((double)n * p < 10.0)
        return binomial_small(r, n, p);
    return binomial_large(r, n, p);
}
