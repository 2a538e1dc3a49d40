/* SPDX-License-Identifier: MIT */
/*
 * Two independent proportions x1 / n1 (the canary) and x2 / n2 (the
 * baseline): the pooled score (z) test, the likelihood-ratio (G) test,
 * Newcombe's hybrid score interval for the difference, and the
 * Farrington-Manning score test of the risk ratio.
 *
 * A table whose pooled proportion is 0 or 1 carries no evidence either
 * way: the score and G tests report statistic 0 and p = 1 there (scipy's
 * chi2_contingency refuses such a table).
 */
#include "stats_special.h"

#define LOG_2 0.69314718055994530942

static bool valid_alternative(otaprio__alternative alternative)
{
    return alternative == OTAPRIO__ALT_TWO_SIDED ||
           alternative == OTAPRIO__ALT_GREATER ||
           alternative == OTAPRIO__ALT_LESS;
}

static bool valid_counts(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2)
{
    return n1 > 0 && n2 > 0 && x1 <= n1 && x2 <= n2;
}

/* The p-value of a z statistic under the alternative. */
static double log_p_of_z(double z, otaprio__alternative alternative)
{
    if (alternative == OTAPRIO__ALT_GREATER)
        return otaprio__normal_log_sf(z);
    if (alternative == OTAPRIO__ALT_LESS)
        return otaprio__normal_log_cdf(z);
    double tail = LOG_2 + otaprio__normal_log_sf(fabs(z));
    return tail > 0.0 ? 0.0 : tail;
}

int otaprio__two_proportion_score(uint64_t x1, uint64_t n1, uint64_t x2,
                                  uint64_t n2, otaprio__alternative alternative,
                                  otaprio__test *out)
{
    if (!valid_counts(x1, n1, x2, n2) || !valid_alternative(alternative))
        return OTAPRIO_E_RANGE;
    double a = (double)x1, b = (double)(n1 - x1);
    double c = (double)x2, d = (double)(n2 - x2);
    double r1 = (double)n1, r2 = (double)n2;
    double events = a + c, non_events = b + d;
    if (events == 0.0 || non_events == 0.0) {
        otaprio__test_set(out, 0.0, 0.0);
        return OTAPRIO_OK;
    }
    /* z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with p pooled, which
     * is (a d - b c) sqrt(N) / sqrt(n1 n2 events non_events). */
    double total = r1 + r2;
    double z = otaprio__cross_difference(a, d, b, c) /
               (sqrt(r1) * sqrt(r2) * sqrt(events) * sqrt(non_events)) *
               sqrt(total);
    otaprio__test_set(out, z, log_p_of_z(z, alternative));
    return OTAPRIO_OK;
}

/* O log(O / E) - (O - E) = E D((O - E) / E)... written as the deviance
 * bd0(O, E) = -O log1pmx((E - O) / O), nonnegative; E when O is 0. */
static double deviance(double observed, double expected_minus_observed,
                       double expected)
{
    if (observed == 0.0)
        return expected;
    return -observed * otaprio__log1pmx(expected_minus_observed / observed);
}

int otaprio__two_proportion_lr(uint64_t x1, uint64_t n1, uint64_t x2,
                               uint64_t n2, otaprio__test *out)
{
    if (!valid_counts(x1, n1, x2, n2))
        return OTAPRIO_E_RANGE;
    double a = (double)x1, b = (double)(n1 - x1);
    double c = (double)x2, d = (double)(n2 - x2);
    double r1 = (double)n1, r2 = (double)n2;
    double events = a + c, non_events = b + d, total = r1 + r2;
    if (events == 0.0 || non_events == 0.0) {
        otaprio__test_set(out, 0.0, 0.0);
        return OTAPRIO_OK;
    }
    /* G = 2 sum O log(O / E) = 2 sum bd0(O, E), as sum (O - E) = 0; every
     * E - O is +-(a d - b c) / N, formed once without cancellation. */
    double shift = otaprio__cross_difference(a, d, b, c) / total;
    double g = 2.0 * (deviance(a, -shift, r1 * events / total) +
                      deviance(b, shift, r1 * non_events / total) +
                      deviance(c, shift, r2 * events / total) +
                      deviance(d, -shift, r2 * non_events / total));
    otaprio__test_set(out, g, otaprio__chi2_log_sf(g, 1.0));
    return OTAPRIO_OK;
}

int otaprio__newcombe_interval(uint64_t x1, uint64_t n1, uint64_t x2,
                               uint64_t n2, double confidence,
                               otaprio__interval *out)
{
    if (!valid_counts(x1, n1, x2, n2) || !(confidence > 0.0) ||
        !(confidence < 1.0))
        return OTAPRIO_E_RANGE;
    return otaprio__newcombe_interval_z(
        x1, n1, x2, n2, otaprio__normal_ppf(0.5 + 0.5 * confidence), out);
}

int otaprio__newcombe_interval_z(uint64_t x1, uint64_t n1, uint64_t x2,
                                 uint64_t n2, double z, otaprio__interval *out)
{
    if (!valid_counts(x1, n1, x2, n2))
        return OTAPRIO_E_RANGE;
    otaprio__interval w1, w2;
    int status = otaprio__wilson_interval_z(x1, n1, z, &w1);
    if (status != OTAPRIO_OK)
        return status;
    status = otaprio__wilson_interval_z(x2, n2, z, &w2);
    if (status != OTAPRIO_OK)
        return status;
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    double diff = p1 - p2;
    /* Newcombe (1998), method 10: each side combines the near sides of
     * the two Wilson intervals. */
    out->low = diff - hypot(p1 - w1.low, w2.high - p2);
    out->high = diff + hypot(w1.high - p1, p2 - w2.low);
    return OTAPRIO_OK;
}

int otaprio__risk_ratio_score(uint64_t x1, uint64_t n1, uint64_t x2,
                              uint64_t n2, double ratio0,
                              otaprio__alternative alternative,
                              otaprio__test *out)
{
    if (!valid_counts(x1, n1, x2, n2) || !valid_alternative(alternative) ||
        !(ratio0 > 0.0) || ratio0 == HUGE_VAL)
        return OTAPRIO_E_RANGE;
    double a = (double)x1, c = (double)x2;
    double r1 = (double)n1, r2 = (double)n2;
    /* The restricted MLE under p1 = R p2 (Miettinen and Nurminen 1985;
     * Farrington and Manning 1990): p2 is the smaller root of
     * N R p^2 - (n1 R + x1 + n2 + x2 R) p + (x1 + x2) = 0, taken as
     * 2C / (-B + sqrt(B^2 - 4AC)) to avoid cancellation. */
    double qa = (r1 + r2) * ratio0;
    double qb = r1 * ratio0 + a + r2 + c * ratio0;
    double qc = a + c;
    double disc = qb * qb - 4.0 * qa * qc;
    double p2 = qc == 0.0 ? 0.0 : 2.0 * qc / (qb + sqrt(disc > 0 ? disc : 0));
    double p1 = ratio0 * p2;
    double variance =
        p1 * (1.0 - p1) / r1 + ratio0 * ratio0 * p2 * (1.0 - p2) / r2;
    double numerator = a / r1 - ratio0 * (c / r2);
    double z;
    if (variance > 0.0)
        z = numerator / sqrt(variance);
    else /* no events at all, or the MLE at a boundary with no spread */
        z = numerator == 0.0 ? 0.0 : copysign(HUGE_VAL, numerator);
    otaprio__test_set(out, z, log_p_of_z(z, alternative));
    return OTAPRIO_OK;
}
