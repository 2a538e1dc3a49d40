/* SPDX-License-Identifier: MIT */
/*
 * The Hodges-Lehmann estimate of the shift between two samples and its
 * distribution-free confidence interval (Moses 1953; Hollander and Wolfe,
 * Nonparametric Statistical Methods, section 4.3; Bauer, JASA 67, 1972).
 *
 * With D(1) <= ... <= D(N) the N = nx ny differences x_i - y_j (each the
 * rounded double subtraction):
 * - the estimate is their median, D((N + 1) / 2) for odd N and the mean of
 *   D(N / 2) and D(N / 2 + 1) for even N (numpy.median's rule);
 * - the interval at confidence 1 - alpha is [D(C), D(N + 1 - C)], where
 *   C - 1 = k is the largest k with P(U <= k) <= alpha / 2 for the
 *   Mann-Whitney U under the null. P is the exact distribution
 *   (stats_rank_exact.c) when min(nx, ny) <= 8 and no two pooled values
 *   are equal (the rule otaprio__mann_whitney's auto uses, with the same
 *   fallback when the table would be too large), and otherwise
 *   the normal approximation with continuity correction,
 *   P(U <= k) ~ Phi((k + 1/2 - nx ny / 2) / sigma),
 *   sigma^2 = nx ny (nx + ny + 1) / 12 (no tie correction), which gives
 *   C = floor(nx ny / 2 + 1/2 - z sigma), z = Phi^-1(1 - alpha / 2):
 *   Hollander and Wolfe's large-sample C_alpha rounded to the nearest
 *   integer. When C < 1 no finite interval reaches the confidence and the
 *   interval is (-inf, +inf).
 * The order statistics come from otaprio__selector (stats_select.c).
 */
#include "stats_rank.h"

/* Whether two of the pooled values are equal. */
static bool pooled_ties(const otaprio__samples *s)
{
    size_t i = 0, j = 0;
    double previous = 0.0;
    bool first = true;
    while (i < s->nx || j < s->ny) {
        double value = j >= s->ny || (i < s->nx && s->x[i] <= s->y[j])
                           ? s->x[i++]
                           : s->y[j++];
        if (!first && value == previous)
            return true;
        previous = value;
        first = false;
    }
    return false;
}

/* C, the rank of the interval's lower end, or 0 when no finite interval
 * reaches the confidence. */
static int lower_rank(const otaprio__mem *mem, const otaprio__samples *s,
                      double confidence, uint64_t *rank)
{
    uint64_t nx = s->nx, ny = s->ny, total = nx * ny;
    double half_alpha = (1.0 - confidence) / 2.0;
    uint64_t top = total / 2;
    if ((nx <= 8 || ny <= 8) && !pooled_ties(s) &&
        otaprio__mwu_exact_feasible(nx, ny, top)) {
        double *cdf = otaprio__mem_alloc(mem, ((size_t)top + 1) * sizeof *cdf);
        if (cdf == NULL)
            return OTAPRIO_E_NOMEM;
        int status = otaprio__mwu_exact_log_cdf(nx, ny, top, cdf);
        if (status == OTAPRIO_OK) {
            /* P(U <= top) >= 1/2 > alpha / 2, so the count stops inside. */
            double limit = log(half_alpha);
            uint64_t k = 0;
            while (k <= top && cdf[k] <= limit)
                k++;
            *rank = k; /* C = (largest k passing) + 1 */
        }
        otaprio__mem_free(mem, cdf);
        return status;
    }
    double n = (double)nx + (double)ny, product = (double)nx * (double)ny;
    double sigma = sqrt(product * (n + 1.0) / 12.0);
    double c =
        floor(product / 2.0 + 0.5 - otaprio__normal_isf(half_alpha) * sigma);
    *rank = c < 1.0 ? 0 : (uint64_t)c;
    return OTAPRIO_OK;
}

static double midpoint(double a, double b)
{
    double mean = (a + b) / 2.0;
    if (isinf(mean) && isfinite(a) && isfinite(b))
        mean = a / 2.0 + b / 2.0; /* the sum alone overflowed */
    return mean;
}

int otaprio__hodges_lehmann(const otaprio__mem *mem, const otaprio__samples *s,
                            double confidence, double *estimate,
                            otaprio__interval *interval)
{
    if (mem == NULL || s == NULL || estimate == NULL || interval == NULL ||
        (s->x == NULL && s->nx > 0) || (s->y == NULL && s->ny > 0))
        return OTAPRIO_E_INVALID;
    if (s->nx == 0 || s->ny == 0 || !(confidence > 0.0 && confidence < 1.0))
        return OTAPRIO_E_RANGE;
    if ((uint64_t)s->ny > UINT64_MAX / 4 / (uint64_t)s->nx)
        return OTAPRIO_E_OVERFLOW;
    uint64_t total = (uint64_t)s->nx * s->ny;
    uint64_t c;
    OTAPRIO__TRY(lower_rank(mem, s, confidence, &c));

    otaprio__selector sel;
    OTAPRIO__TRY(otaprio__selector_prepare(mem, s, &sel));
    double middle = otaprio__selector_select(&sel, (total + 1) / 2);
    if (total % 2 == 0)
        middle =
            midpoint(middle, otaprio__selector_select(&sel, total / 2 + 1));
    otaprio__interval found = {-HUGE_VAL, HUGE_VAL};
    if (c >= 1) {
        found.low = otaprio__selector_select(&sel, c);
        found.high = otaprio__selector_select(&sel, total + 1 - c);
    }
    otaprio__selector_release(mem, &sel);
    *estimate = middle;
    *interval = found;
    return OTAPRIO_OK;
}
