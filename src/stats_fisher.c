/* SPDX-License-Identifier: MIT */
/*
 * Fisher's exact test on a 2x2 table, with scipy.stats.fisher_exact's
 * rules: the one-sided p-values are hypergeometric tails, the two-sided
 * one adds the tail on the other side of the mode whose tables are no
 * more likely than the observed one (relative tolerance 1e-14, found by
 * scipy's binary search), and a table within 1e-14 of the mode's
 * likelihood gets p = 1.
 *
 * Tails are summed in log space from their end nearest the mode outwards,
 * each mass from the last by the ratio of neighbours, until the terms stop
 * counting: the work grows with the standard deviation of the
 * hypergeometric (about sqrt of the margins), not with the margins. Past
 * FISHER_TERM_LIMIT terms the test stops with OTAPRIO_E_LIMIT (margins
 * near 10^13 and above, with the table near the mode).
 */
#include "stats_special.h"

#define FISHER_TERM_LIMIT 20000000

typedef struct hyper {
    double total, successes, draws; /* M, K, N as doubles */
    uint64_t m, k, n;
    uint64_t lo, hi; /* the support */
} hyper;

static double mass(const hyper *h, uint64_t x)
{
    return otaprio__hypergeom_log_pmf(x, h->m, h->k, h->n);
}

static otaprio__mass mass_parts(const hyper *h, uint64_t x)
{
    return otaprio__hypergeom_mass(x, h->m, h->k, h->n);
}

/* log of the sum of the masses from x outwards (down or up) to the end
 * of the support; false when the term limit is reached. The ratios come
 * a block at a time (stats_special.h), j counted in doubles from one
 * conversion per block. */
static bool tail_from(const hyper *h, uint64_t x, bool up,
                      otaprio__mass *at_mass, double *out_sum)
{
    otaprio__mass at_x = mass_parts(h, x);
    double sum = 1.0;
    double term = 1.0;
    double rest = h->total - h->successes - h->draws;
    uint64_t left = up ? h->hi - x : x - h->lo; /* terms before the end */
    bool limited = left >= FISHER_TERM_LIMIT;
    if (limited)
        left = FISHER_TERM_LIMIT;
    uint64_t j = x;
    double ratio[OTAPRIO__TAIL_BLOCK];
    bool done = false;
    while (left > 0 && !done) {
        int m = left < OTAPRIO__TAIL_BLOCK ? (int)left : OTAPRIO__TAIL_BLOCK;
        double base = (double)j;
        /* A whole block each time; ratios past the support's end are never
         * added, and their denominators stay positive. */
        if (up) {
            for (int i = 0; i < OTAPRIO__TAIL_BLOCK; i++) {
                double jd = base + i;
                ratio[i] = (h->successes - jd) * (h->draws - jd) /
                           ((jd + 1.0) * (rest + jd + 1.0));
            }
            j += (uint64_t)m;
        } else {
            for (int i = 0; i < OTAPRIO__TAIL_BLOCK; i++) {
                double jd = base - i;
                ratio[i] = jd * (rest + jd) /
                           ((h->successes - jd + 1.0) * (h->draws - jd + 1.0));
            }
            j -= (uint64_t)m;
        }
        left -= (uint64_t)m;
        done = otaprio__tail_add(ratio, m, &term, &sum);
    }
    if (!done && limited)
        return false;
    *at_mass = at_x;
    *out_sum = sum;
    return true;
}

/* log of the tail from x outwards. */
static bool log_tail_from(const hyper *h, uint64_t x, bool up, double *out)
{
    otaprio__mass at_x;
    double sum;
    if (!tail_from(h, x, up, &at_x, &sum))
        return false;
    *out = otaprio__mass_log_times(at_x, sum);
    return true;
}

/* log of 1 - the tail from x outwards, with *p_value = 1 - the tail. */
static bool log1m_tail_from(const hyper *h, uint64_t x, bool up, double *out,
                            double *p_value)
{
    otaprio__mass at_x;
    double sum;
    if (!tail_from(h, x, up, &at_x, &sum))
        return false;
    *out = otaprio__log1m_tail(at_x, sum, p_value);
    return true;
}

/* log P(X <= x), or P(X >= x) with `upper`; each from the side that does
 * not cross the mode. *p_value is the tail itself when it came without an
 * exp (as 1 minus the other side), else NaN. */
static bool log_tail(const hyper *h, uint64_t x, bool upper, double mode,
                     double *out, double *p_value)
{
    *p_value = (double)NAN;
    if (!upper) {
        if (x >= h->hi) {
            *out = 0.0;
            return true;
        }
        if (x < h->lo) {
            *out = -HUGE_VAL;
            return true;
        }
        if ((double)x <= mode)
            return log_tail_from(h, x, false, out);
        return log1m_tail_from(h, x + 1, true, out, p_value);
    }
    if (x <= h->lo) {
        *out = 0.0;
        return true;
    }
    if (x > h->hi) {
        *out = -HUGE_VAL;
        return true;
    }
    if ((double)x >= mode)
        return log_tail_from(h, x, true, out);
    return log1m_tail_from(h, x - 1, false, out, p_value);
}

/* scipy's binary search (see stats_proportion.c) on sign * (log mass -
 * base) against sign * tolerance: differences, as the tolerance would
 * vanish beside a log mass of -300. */
static uint64_t search(const hyper *h, double base, double tolerance, int sign,
                       uint64_t lo, uint64_t hi, bool *below)
{
    double target = sign * tolerance;
    *below = false;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        double value = sign * (mass(h, mid) - base);
        if (value < target) {
            lo = mid + 1;
        } else if (value > target) {
            if (mid == lo)
                break;
            hi = mid - 1;
        } else {
            return mid;
        }
    }
    if (sign * (mass(h, lo) - base) <= target)
        return lo;
    if (lo == 0)
        *below = true;
    return lo - (lo > 0);
}

static bool two_sided(const hyper *h, uint64_t x1, double *out)
{
    /* scipy's mode, int((n + 1)(n1 + 1) / (n1 + n2 + 2)) */
    double mode_d =
        floor((h->draws + 1.0) * (h->successes + 1.0) / (h->total + 2.0));
    uint64_t mode = (uint64_t)mode_d;
    double exact = mass(h, x1);
    double at_mode = mass(h, mode);
    double larger = exact > at_mode ? exact : at_mode;
    double smaller = exact > at_mode ? at_mode : exact;
    /* |pexact - pmode| / max <= 1e-14 */
    if (-expm1(smaller - larger) <= 1e-14) {
        *out = 0.0;
        return true;
    }
    double tolerance = log1p(1e-14);
    bool below;
    double near, far, unused;
    if (x1 < mode) {
        if (!log_tail(h, x1, false, mode_d, &near, &unused))
            return false;
        if (mass(h, h->n) - exact > tolerance) {
            *out = near;
            return true;
        }
        uint64_t guess = search(h, exact, tolerance, -1, mode, h->n, &below);
        /* P(X > guess) */
        if (!log_tail(h, guess + 1, true, mode_d, &far, &unused))
            return false;
    } else {
        if (!log_tail(h, x1, true, mode_d, &near, &unused))
            return false;
        if (mass(h, 0) - exact > tolerance) {
            *out = near;
            return true;
        }
        uint64_t guess = search(h, exact, tolerance, 1, 0, mode, &below);
        far = -HUGE_VAL;
        if (!below && !log_tail(h, guess, false, mode_d, &far, &unused))
            return false;
    }
    *out = otaprio__log_add_exp(near, far);
    return true;
}

/* Whether a zero margin leaves the table alone in its set: scipy's NaN
 * odds ratio and p = 1. */
static bool lone_table(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2)
{
    return n1 == 0 || n2 == 0 || x1 + x2 == 0 || (n1 - x1) + (n2 - x2) == 0;
}

int otaprio__fisher_exact_p(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                            otaprio__alternative alternative,
                            otaprio__test *out)
{
    if (x1 > n1 || x2 > n2 || n1 > UINT64_MAX - n2 ||
        (alternative != OTAPRIO__ALT_TWO_SIDED &&
         alternative != OTAPRIO__ALT_GREATER &&
         alternative != OTAPRIO__ALT_LESS))
        return OTAPRIO_E_RANGE;
    if (lone_table(x1, n1, x2, n2)) {
        otaprio__test_set(out, (double)NAN, 0.0);
        return OTAPRIO_OK;
    }
    uint64_t events = x1 + x2;
    uint64_t total = n1 + n2;
    hyper h = {(double)total,
               (double)n1,
               (double)events,
               total,
               n1,
               events,
               events > n2 ? events - n2 : 0,
               n1 < events ? n1 : events};
    double mode = (h.draws + 1.0) * (h.successes + 1.0) / (h.total + 2.0);
    double log_p, p_value = (double)NAN;
    bool done;
    if (alternative == OTAPRIO__ALT_LESS)
        done = log_tail(&h, x1, false, mode, &log_p, &p_value);
    else if (alternative == OTAPRIO__ALT_GREATER)
        done = log_tail(&h, x1, true, mode, &log_p, &p_value);
    else
        done = two_sided(&h, x1, &log_p);
    if (!done)
        return OTAPRIO_E_LIMIT;
    otaprio__test_set_p(out, (double)NAN, log_p, p_value);
    return OTAPRIO_OK;
}

int otaprio__fisher_exact(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                          otaprio__alternative alternative, otaprio__test *out)
{
    int status = otaprio__fisher_exact_p(x1, n1, x2, n2, alternative, out);
    if (status != OTAPRIO_OK || lone_table(x1, n1, x2, n2))
        return status;
    uint64_t c01 = n1 - x1, c11 = n2 - x2;
    out->statistic = HUGE_VAL;
    if (x2 > 0 && c01 > 0)
        out->statistic =
            ((double)x1 * (double)c11) / ((double)x2 * (double)c01);
    return OTAPRIO_OK;
}
