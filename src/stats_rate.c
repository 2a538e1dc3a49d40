/* SPDX-License-Identifier: MIT */
/*
 * The Poisson rate ratio by conditioning on the total: given x1 + x2
 * events, x1 is Binomial(x1 + x2, R t1 / (R t1 + t2)) when the ratio of
 * the rates is R, so the exact binomial test and the Clopper-Pearson
 * interval (stats_proportion.c) carry over, the interval's limits mapped
 * from p to the ratio p / (1 - p) * t2 / t1.
 */
#include "stats.h"

static bool valid_exposure(double t)
{
    return t > 0.0 && t < HUGE_VAL;
}

int otaprio__rate_ratio_test_p(uint64_t x1, double t1, uint64_t x2, double t2,
                               double ratio0, otaprio__alternative alternative,
                               otaprio__test *out)
{
    if (!valid_exposure(t1) || !valid_exposure(t2) || !(ratio0 > 0.0) ||
        ratio0 == HUGE_VAL || x1 > UINT64_MAX - x2)
        return OTAPRIO_E_RANGE;
    uint64_t n = x1 + x2;
    /* p = R t1 / (R t1 + t2), as 1 / (1 + t2 / (R t1)) so that R t1 cannot
     * overflow; it may round to 0 or 1 only for absurd ratios. */
    double p = 1.0 / (1.0 + t2 / (ratio0 * t1));
    if (n == 0) {
        /* No events: nothing to test (binomtest needs n >= 1). Check the
         * alternative anyway so that bad input fails the same way. */
        if (alternative != OTAPRIO__ALT_TWO_SIDED &&
            alternative != OTAPRIO__ALT_GREATER &&
            alternative != OTAPRIO__ALT_LESS)
            return OTAPRIO_E_RANGE;
        otaprio__test_set(out, (double)NAN, 0.0);
        return OTAPRIO_OK;
    }
    return otaprio__binom_test_p(x1, n, p, alternative, out);
}

int otaprio__rate_ratio_test(uint64_t x1, double t1, uint64_t x2, double t2,
                             double ratio0, otaprio__alternative alternative,
                             otaprio__test *out)
{
    int status =
        otaprio__rate_ratio_test_p(x1, t1, x2, t2, ratio0, alternative, out);
    if (status != OTAPRIO_OK)
        return status;
    if (x2 == 0)
        out->statistic = x1 == 0 ? (double)NAN : HUGE_VAL;
    else
        out->statistic = ((double)x1 / t1) / ((double)x2 / t2);
    return OTAPRIO_OK;
}

int otaprio__rate_ratio_interval(uint64_t x1, double t1, uint64_t x2, double t2,
                                 double confidence, otaprio__interval *out)
{
    if (!valid_exposure(t1) || !valid_exposure(t2) || !(confidence > 0.0) ||
        !(confidence < 1.0) || x1 > UINT64_MAX - x2)
        return OTAPRIO_E_RANGE;
    uint64_t n = x1 + x2;
    if (n == 0) {
        out->low = 0.0;
        out->high = HUGE_VAL;
        return OTAPRIO_OK;
    }
    otaprio__interval p;
    int status = otaprio__exact_interval(x1, n, confidence, &p);
    if (status != OTAPRIO_OK)
        return status;
    double scale = t2 / t1;
    out->low = p.low / (1.0 - p.low) * scale;
    out->high = p.high >= 1.0 ? HUGE_VAL : p.high / (1.0 - p.high) * scale;
    return OTAPRIO_OK;
}
