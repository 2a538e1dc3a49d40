/* SPDX-License-Identifier: MIT */
/*
 * The exact Poisson test of an event count against a known mean: a rate's
 * ceiling (or floor) times the exposure the canary accrued. Both tails are
 * regularized incomplete gamma functions: P(X >= k) = P(k, mean) and
 * P(X <= k) = Q(k + 1, mean).
 */
#include "stats.h"

int otaprio__poisson_test(uint64_t k, double mean,
                          otaprio__alternative alternative, otaprio__test *out)
{
    if (!(isfinite(mean) && mean >= 0.0))
        return OTAPRIO_E_RANGE;
    if (alternative != OTAPRIO__ALT_GREATER && alternative != OTAPRIO__ALT_LESS)
        return OTAPRIO_E_INVALID;
    double events = (double)k;
    double statistic = mean > 0.0 ? events / mean
                       : k > 0    ? HUGE_VAL
                                  : (double)NAN;
    double log_p;
    if (alternative == OTAPRIO__ALT_GREATER) {
        /* No events are always at least none; a zero mean allows none. */
        if (k == 0)
            log_p = 0.0;
        else if (mean == 0.0)
            log_p = -HUGE_VAL;
        else
            log_p = otaprio__log_gamma_inc(events, mean, false);
    } else {
        log_p = mean == 0.0 ? 0.0
                            : otaprio__log_gamma_inc(events + 1.0, mean, true);
    }
    otaprio__test_set(out, statistic, log_p);
    return OTAPRIO_OK;
}
