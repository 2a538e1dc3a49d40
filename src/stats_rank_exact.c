/* SPDX-License-Identifier: MIT */
/*
 * The exact null distribution of the Mann-Whitney U statistic for samples
 * of m and n untied values. U counts the pairs with the first sample's
 * value above, and the number of the C(m + n, m) equally likely orderings
 * giving U = k is the coefficient of q^k in the Gaussian binomial
 * coefficient [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i)
 * (Mann and Whitney 1947; the generating function Loeffler's recurrence,
 * which scipy uses, is derived from). Truncated at degree kmax, each factor
 * costs O(kmax): dividing by (1 - q^i) is a running sum, multiplying by
 * (1 - q^(n+i)) one subtraction per coefficient, so the table costs
 * O(min(m, n) kmax) time and no memory beside itself. In doubles the
 * subtractions cancel only mildly: against exact integer arithmetic the
 * coefficients stay within 2e-14 relative for sizes up to 100 x 100 (the
 * vectors' generator checks the cases it stores). Counts are kept scaled
 * by 2^-scale so that C(m + n, m) up to 2^2000 neither overflows nor, for
 * the single ordering with U = 0, underflows. Beyond that, or past 2^24
 * table entries or 2^30 additions, the table is refused (OTAPRIO_E_LIMIT;
 * Mann-Whitney's auto then uses the normal approximation).
 */
#include "stats_rank.h"

#include <float.h>

#define LN2 0.69314718055994530942
#define MAX_LOG2_ORDERINGS 2000.0
#define MAX_WORK ((uint64_t)1 << 30)  /* about a second of additions */
#define MAX_TABLE ((uint64_t)1 << 24) /* 128 MiB of doubles */

/* log2 C(m + n, m), exact to rounding for small sizes. */
static double log2_orderings(uint64_t m, uint64_t n)
{
    double mm = (double)m, nn = (double)n;
    return (lgamma(mm + nn + 1.0) - lgamma(mm + 1.0) - lgamma(nn + 1.0)) / LN2;
}

bool otaprio__mwu_exact_feasible(uint64_t m, uint64_t n, uint64_t kmax)
{
    uint64_t small = m < n ? m : n;
    if (small == 0)
        return kmax == 0;
    if (kmax >= MAX_TABLE || small > MAX_WORK / (kmax + 1))
        return false;
    return log2_orderings(m, n) <= MAX_LOG2_ORDERINGS;
}

/* log C(m + n, m): by the product of ratios while it is exact enough
 * (each step's result an integer held to rounding), else by lgamma. */
static double log_orderings(uint64_t small, uint64_t large)
{
    if (small <= 64 && large <= ((uint64_t)1 << 40)) {
        double log_total = 0.0, part = 1.0;
        for (uint64_t i = 1; i <= small; i++) {
            part = part * (double)(large + i) / (double)i;
            if (part > 0x1.0p+900) { /* fold into the log before overflow */
                log_total += log(part);
                part = 1.0;
            }
        }
        return log_total + log(part);
    }
    return log2_orderings(small, large) * LN2;
}

int otaprio__mwu_exact_log_cdf(uint64_t m, uint64_t n, uint64_t kmax,
                               double *cdf)
{
    if (!otaprio__mwu_exact_feasible(m, n, kmax))
        return OTAPRIO_E_LIMIT;
    uint64_t small = m < n ? m : n, large = m < n ? n : m;
    double log2_total = log2_orderings(small, large);
    double scale = log2_total > 1000.0 ? floor(log2_total) - 1000.0 : 0.0;
    size_t top = (size_t)kmax;
    cdf[0] = ldexp(1.0, -(int)scale);
    for (size_t k = 1; k <= top; k++)
        cdf[k] = 0.0;
    for (uint64_t i = 1; i <= small; i++) {
        size_t step = (size_t)i;
        for (size_t k = step; k <= top; k++)
            cdf[k] += cdf[k - step];
        if (large + i <= kmax) {
            size_t lag = (size_t)(large + i);
            for (size_t k = top; k >= lag; k--)
                cdf[k] -= cdf[k - lag];
        }
    }
    double log_total = log_orderings(small, large) - scale * LN2;
    double sum = 0.0;
    for (size_t k = 0; k <= top; k++) {
        /* A count is at least 1 (scaled): a cancellation below it is
         * rounding. */
        double count = cdf[k] > 0.0 ? cdf[k] : 0.0;
        sum += count;
        cdf[k] = log(sum) - log_total;
    }
    return OTAPRIO_OK;
}
