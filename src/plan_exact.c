/* SPDX-License-Identifier: MIT */
/*
 * The exact check of a proportion's canary size against a known baseline:
 * the one-sided exact binomial test rejects p0 when the canary shows at
 * least c failures, c the smallest count with P(X >= c | n, p0) <= alpha;
 * its power is P(X >= c | n, p1). Discreteness makes that power a saw
 * tooth in n, rising on the whole, so the size is found as if it rose
 * everywhere: from the normal approximation, gallop (steps 1, 2, 4...)
 * to bracket a change between not reaching the power and reaching it, then
 * bisect the bracket down to two neighbours. The answer reaches the power
 * and the size just below it does not; a smaller size further down may
 * still reach it, by the saw tooth. Every step is a fixed sequence of
 * operations, so the walk is deterministic.
 */
#include <math.h>

#include "plan_internal.h"
#include "stats.h"

typedef struct exact_test {
    double p0, p1;
    double z_alpha;
    double log_alpha, log_power;
} exact_test;

static int rejects(const exact_test *t, uint64_t c, uint64_t n)
{
    return otaprio__binom_log_sf_incl(c, n, t->p0) <= t->log_alpha;
}

/* The exact test of n devices reaches the power. The critical count is
 * settled from the normal approximation's, a few steps away. */
static int reaches_power(const exact_test *t, uint64_t n)
{
    double dn = (double)n;
    double guess = dn * t->p0 + t->z_alpha * sqrt(dn * t->p0 * (1.0 - t->p0));
    uint64_t c = guess < dn + 1.0 ? (uint64_t)ceil(guess) : n + 1;
    if (c < 1)
        c = 1; /* P(X >= 0) = 1 > alpha */
    while (c > 1 && rejects(t, c - 1, n))
        c--;
    while (c <= n && !rejects(t, c, n))
        c++;
    if (c > n)
        return 0; /* no count is rare enough: the test never rejects */
    return otaprio__binom_log_sf_incl(c, n, t->p1) >= t->log_power;
}

static int too_far(otaprio_diag *diag, double start)
{
    return otaprio__fail(diag, OTAPRIO_E_LIMIT, "exact", -1,
                         "the exact test needs more than 2^53 devices "
                         "(the approximation gave %.17g)",
                         start);
}

int otaprio__plan_exact_size(double p0, double p1, double alpha, double power,
                             double start, double *out, otaprio_diag *diag)
{
    exact_test t = {p0, p1, otaprio__normal_isf(alpha), log(alpha), log(power)};
    const uint64_t max = (uint64_t)OTAPRIO__PLAN_SIZE_MAX;
    uint64_t n = (uint64_t)start;
    /* The bracket: `low` does not reach the power (0 stands for "nothing
     * below 1 does"), `high` does. */
    uint64_t low, high;
    if (reaches_power(&t, n)) {
        high = n;
        low = 0;
        for (uint64_t step = 1; step < n; step *= 2) {
            if (!reaches_power(&t, n - step)) {
                low = n - step;
                break;
            }
            high = n - step;
        }
    } else {
        low = n;
        high = 0;
        for (uint64_t step = 1;; step *= 2) {
            if (step > max - n)
                return too_far(diag, start);
            if (reaches_power(&t, n + step)) {
                high = n + step;
                break;
            }
            low = n + step;
        }
    }
    while (high - low > 1) {
        uint64_t mid = low + (high - low) / 2;
        if (reaches_power(&t, mid))
            high = mid;
        else
            low = mid;
    }
    *out = (double)high;
    return OTAPRIO_OK;
}
