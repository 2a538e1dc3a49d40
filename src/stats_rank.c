/* SPDX-License-Identifier: MIT */
/*
 * The Mann-Whitney U test on two sorted samples, as
 * scipy.stats.mannwhitneyu(x - shift, y, use_continuity=True,
 * alternative=..., method=...) computes it (scipy 1.17):
 *
 * - statistic: U1 = R1 - nx (nx + 1) / 2 with midranks for ties, that is
 *   the pairs with x - shift above y plus half the tied pairs. It comes
 *   from one merge of the two sorted samples (x - shift stays sorted: the
 *   rounded subtraction is monotone), counted in integers (2 U1), so it is
 *   exact. The p-value uses U = U1 ("greater"), U2 = nx ny - U1 ("less")
 *   or max(U1, U2) with the probability doubled ("two-sided"), and is
 *   clipped to 1.
 * - asymptotic: z = (U - nx ny / 2 - 1/2) / s with the tie-corrected
 *   s^2 = nx ny / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))), n = nx + ny,
 *   t the size of each group of equal values, p = P(Z > z) taken in log
 *   space (otaprio__normal_log_sf), so the far tail keeps its logarithm.
 *   All values equal gives s = 0 and p = 1.
 * - exact: P(U' >= floor(U)) under the distribution of U without ties
 *   (stats_rank_exact.c); like scipy it ignores ties when asked for it and
 *   truncates a half-integer U.
 * - auto: scipy's documented rule, exact when min(nx, ny) <= 8 and no two
 *   of the pooled values (x - shift and y) are equal, else asymptotic; and,
 *   beyond scipy, asymptotic when the exact table is too large to build
 *   (otaprio__mwu_exact_feasible: a sample of 8 against one of 4.2 million);
 *   an exact method asked for on such sizes fails with OTAPRIO_E_LIMIT.
 */
#include "stats_rank.h"

#define LOG2 0.69314718055994530942

/* What the merge of x - shift with y finds. */
typedef struct merge_result {
    uint64_t twice_u1; /* 2 U1: pairs above count 2, tied pairs 1 */
    double tie_term;   /* sum over groups of equal values of t^3 - t */
    bool ties;         /* whether some group has more than one value */
} merge_result;

/* The general merge: every group of equal pooled values, its ranks and
 * its tie term. */
static void merge_groups(const otaprio__samples *s, double shift,
                         merge_result *out)
{
    const double *x = s->x, *y = s->y;
    size_t nx = s->nx, ny = s->ny, i = 0, j = 0;
    uint64_t twice_u1 = 0;
    double tie_term = 0.0;
    bool ties = false;
    while (i < nx || j < ny) {
        double xi = i < nx ? x[i] - shift : HUGE_VAL;
        double value = j < ny && y[j] < xi ? y[j] : xi;
        size_t x_from = i, y_from = j;
        while (i < nx && x[i] - shift == value)
            i++;
        while (j < ny && y[j] == value)
            j++;
        /* Each x in the group is above the y_from smaller y and tied with
         * the group's y. */
        uint64_t cx = i - x_from, cy = j - y_from;
        twice_u1 += cx * (2 * (uint64_t)y_from + cy);
        if (cx + cy > 1) {
            double t = (double)(cx + cy);
            tie_term += t * t * t - t;
            ties = true;
        }
    }
    out->twice_u1 = twice_u1;
    out->tie_term = tie_term;
    out->ties = ties;
}

/* The first index from j on whose y is not below v: four tests summed at
 * a time (they hold on a prefix, y being sorted), so that the walk does
 * not pay a mispredicted loop exit per x. */
static size_t skip_below(const double *y, size_t j, size_t ny, double v)
{
    while (j + 4 <= ny) {
        size_t k = (size_t)(y[j] < v) + (size_t)(y[j + 1] < v) +
                   (size_t)(y[j + 2] < v) + (size_t)(y[j + 3] < v);
        j += k;
        if (k < 4)
            return j;
    }
    while (j < ny && y[j] < v)
        j++;
    return j;
}

/* The common case first: one pointer walk counts, for each x - shift, the
 * y below it, and notices any tie (equal neighbours within a sample, or a
 * y equal to some x - shift), in which case the general merge redoes it. */
static void merge_ranks(const otaprio__samples *s, double shift,
                        merge_result *out)
{
    const double *x = s->x, *y = s->y;
    size_t nx = s->nx, ny = s->ny, j = 0;
    uint64_t below = 0;
    bool tie = false;
    double previous = -HUGE_VAL;
    for (size_t i = 0; i < nx; i++) {
        double xi = x[i] - shift;
        tie |= xi == previous;
        previous = xi;
        j = skip_below(y, j, ny, xi);
        below += j;
        tie |= j < ny && y[j] == xi;
    }
    for (size_t k = 1; k < ny; k++)
        tie |= y[k] == y[k - 1];
    if (tie) {
        merge_groups(s, shift, out);
        return;
    }
    out->twice_u1 = 2 * below;
    out->tie_term = 0.0;
    out->ties = false;
}

static double asymptotic_log_sf(double u, double nx, double ny, double tie_term)
{
    double n = nx + ny;
    double s = sqrt(nx * ny / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0))));
    double numerator = u - nx * ny / 2.0 - 0.5;
    /* s is 0 (or, by rounding, the root of a tiny negative) only when all
     * values are equal; then U = nx ny / 2 and scipy's z is -inf. */
    if (!(s > 0.0))
        return 0.0;
    return otaprio__normal_log_sf(numerator / s);
}

/* log P(U' >= k) under the exact null distribution. */
static int exact_log_sf(const otaprio__mem *mem, uint64_t k, uint64_t nx,
                        uint64_t ny, double *log_sf)
{
    uint64_t total = nx * ny;
    if (k == 0) {
        *log_sf = 0.0;
        return OTAPRIO_OK;
    }
    /* Symmetry: P(U' >= k) = P(U' <= total - k); the table covers only
     * the lower half, so a k below the middle takes the complement. */
    bool upper = total - k <= k;
    uint64_t top = upper ? total - k : k - 1;
    size_t bytes;
    if (top >= SIZE_MAX ||
        otaprio__size_mul_overflows((size_t)top + 1, sizeof(double), &bytes))
        return OTAPRIO_E_LIMIT;
    if (!otaprio__mwu_exact_feasible(nx, ny, top))
        return OTAPRIO_E_LIMIT;
    double *cdf = otaprio__mem_alloc(mem, bytes);
    if (cdf == NULL)
        return OTAPRIO_E_NOMEM;
    int status = otaprio__mwu_exact_log_cdf(nx, ny, top, cdf);
    if (status == OTAPRIO_OK)
        *log_sf = upper ? cdf[top] : otaprio__log1m_exp(cdf[top]);
    otaprio__mem_free(mem, cdf);
    return status;
}

/* The k that the exact p-value needs, and whether its table is buildable
 * (for auto's fallback). */
static uint64_t exact_k(double u)
{
    return (uint64_t)floor(u);
}

static bool exact_feasible(uint64_t k, uint64_t nx, uint64_t ny)
{
    uint64_t total = nx * ny;
    if (k == 0)
        return true;
    uint64_t top = total - k <= k ? total - k : k - 1;
    return otaprio__mwu_exact_feasible(nx, ny, top);
}

int otaprio__mann_whitney(const otaprio__mem *mem, const otaprio__samples *s,
                          double shift, otaprio__alternative alternative,
                          otaprio__mwu_method method, otaprio__test *out)
{
    if (mem == NULL || s == NULL || out == NULL ||
        (s->x == NULL && s->nx > 0) || (s->y == NULL && s->ny > 0))
        return OTAPRIO_E_INVALID;
    if (alternative != OTAPRIO__ALT_TWO_SIDED &&
        alternative != OTAPRIO__ALT_GREATER && alternative != OTAPRIO__ALT_LESS)
        return OTAPRIO_E_INVALID;
    if (method != OTAPRIO__MWU_AUTO && method != OTAPRIO__MWU_EXACT &&
        method != OTAPRIO__MWU_ASYMPTOTIC)
        return OTAPRIO_E_INVALID;
    if (s->nx == 0 || s->ny == 0 || !isfinite(shift))
        return OTAPRIO_E_RANGE;
    uint64_t nx = s->nx, ny = s->ny;
    if (ny > (UINT64_MAX / 4) / nx) /* 2 U1 <= 2 nx ny must fit */
        return OTAPRIO_E_OVERFLOW;

    merge_result merged;
    merge_ranks(s, shift, &merged);
    double u1 = (double)merged.twice_u1 / 2.0;
    double u2 = (double)(nx * ny) - u1;
    double u = alternative == OTAPRIO__ALT_GREATER ? u1
               : alternative == OTAPRIO__ALT_LESS  ? u2
               : u1 > u2                           ? u1
                                                   : u2;
    double log_factor = alternative == OTAPRIO__ALT_TWO_SIDED ? LOG2 : 0.0;

    if (method == OTAPRIO__MWU_AUTO)
        method = (nx <= 8 || ny <= 8) && !merged.ties &&
                         exact_feasible(exact_k(u), nx, ny)
                     ? OTAPRIO__MWU_EXACT
                     : OTAPRIO__MWU_ASYMPTOTIC;
    double log_p;
    if (method == OTAPRIO__MWU_EXACT && alternative == OTAPRIO__ALT_TWO_SIDED &&
        2 * exact_k(u) <= nx * ny + 1) {
        /* P(U' >= k) >= 1/2 for k <= ceil(nx ny / 2) (exactly 1/2 at
         * (nx ny + 1) / 2): the doubled p-value is 1, not a rounding
         * below it. */
        log_p = 0.0;
    } else if (method == OTAPRIO__MWU_EXACT) {
        OTAPRIO__TRY(exact_log_sf(mem, exact_k(u), nx, ny, &log_p));
    } else {
        log_p = asymptotic_log_sf(u, (double)nx, (double)ny, merged.tie_term);
    }
    otaprio__test_set(out, u1, log_p + log_factor);
    return OTAPRIO_OK;
}
