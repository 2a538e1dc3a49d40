/* SPDX-License-Identifier: MIT */
/*
 * The k-th smallest of the nx ny differences x[i] - y[j] of two sorted
 * samples without forming them. The differences form a matrix whose rows
 * rise with i and whose columns fall with j, so the set {d <= t} is a
 * staircase: per row a suffix of columns whose first column never moves
 * left as the row rises, and one two-pointer pass counts it in
 * O(nx + ny).
 *
 * The search keeps a band (a, b] of values known to hold the answer, as a
 * column range per row, and narrows it in the spirit of Floyd and Rivest's
 * SELECT (CACM 18(3), 1975) and Monahan's algorithm for the one-sample
 * Hodges-Lehmann estimate (ACM TOMS 10(3), 1984): a stratified sample of
 * the band (up to 65536 values) brackets the target's rank with a margin
 * of 3.5 binomial standard deviations, one pass counts both brackets, and
 * the band shrinks about 70-fold per round; once it fits the pool
 * (max(4096, (nx + ny) / 4) values) it is copied out and a quickselect
 * finishes. Two adjacent ranks (an even count's median) share one search,
 * and the band after a selector's first round is kept: a later rank inside
 * it (the interval's ends lie near the median for large samples) starts
 * there, a round saved. A round that cannot shrink the band (a sample of
 * one repeated value) is followed by a bisection of the band's values in
 * key order, which always shrinks it, so the search ends on every input.
 * The randomness only steers: the answer is exact and the generator's seed
 * fixed, so results are deterministic. On 100,000 x 100,000 values an
 * even-count median plus the two interval ends take seven rounds.
 */
#include "stats_rank.h"

#define SAMPLE_MAX 65536 /* values drawn per round, at most */
#define SAMPLE_MIN 1024
#define POOL_MIN 4096

static uint64_t splitmix_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A uniform double in [0, 1). */
static double unit_draw(uint64_t *state)
{
    return (double)(splitmix_next(state) >> 11) * 0x1.0p-53;
}

static void swap_values(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

static double median3(double a, double b, double c)
{
    if (a > b)
        swap_values(&a, &b);
    if (b > c)
        b = c;
    return a > b ? a : b;
}

/* The k-th smallest (0-based) of values[0..count), reordering them so that
 * no value before position k is larger and none after it smaller: Hoare's
 * FIND (CACM 4(7), 1961) in Wirth's form, around the median of three
 * pseudo-randomly placed values (a value of the range, so the scans stop
 * at it without bounds checks). */
static double quickselect(double *values, size_t count, size_t k)
{
    uint64_t state = 0x5eed5e1ec7u;
    int64_t lo = 0, hi = (int64_t)count - 1, target = (int64_t)k;
    while (lo < hi) {
        uint64_t span = (uint64_t)(hi - lo + 1);
        double pivot =
            median3(values[lo + (int64_t)(splitmix_next(&state) % span)],
                    values[lo + (int64_t)(splitmix_next(&state) % span)],
                    values[lo + (int64_t)(splitmix_next(&state) % span)]);
        int64_t i = lo, j = hi;
        do {
            while (values[i] < pivot)
                i++;
            while (pivot < values[j])
                j--;
            if (i <= j) {
                swap_values(&values[i], &values[j]);
                i++;
                j--;
            }
        } while (i <= j);
        /* values[lo..j] <= pivot <= values[i..hi], and any between equal
         * the pivot; the first exchange moved both ends inward. */
        if (j < target)
            lo = i;
        if (target < i)
            hi = j;
    }
    return values[k];
}

/* The k1-th and k2-th smallest (0-based, k1 < k2 < count) of values,
 * reordering them, in about two reading passes instead of two
 * quickselects: 1024 values picked at random choose two pivots that
 * bracket both ranks with a margin of 3.5 binomial standard deviations
 * (Floyd and Rivest's idea once more), one pass counts the values below
 * and between them, and when the bracket holds the values between are
 * gathered to the front, where quickselects finish; when it fails (rarely)
 * two quickselects on everything do. */
#define PICKS 1024
static void select_two(double *values, size_t count, size_t k1, size_t k2,
                       double *v1, double *v2)
{
    if (count >= 8 * PICKS) {
        double picks[PICKS];
        uint64_t state = 0xb1a5ed5eedu;
        for (size_t i = 0; i < PICKS; i++)
            picks[i] = values[splitmix_next(&state) % count];
        double n = PICKS, f1 = ((double)k1 + 0.5) / (double)count;
        double f2 = ((double)k2 + 0.5) / (double)count;
        double lo = floor(f1 * n - 3.5 * sqrt(n * f1 * (1.0 - f1)) - 2.0);
        double hi = ceil(f2 * n + 3.5 * sqrt(n * f2 * (1.0 - f2)) + 2.0);
        if (lo >= 0.0 && hi < n) {
            size_t at = (size_t)lo;
            double p_lo = quickselect(picks, PICKS, at);
            double p_hi = quickselect(picks + at + 1, PICKS - at - 1,
                                      (size_t)hi - at - 1);
            size_t below = 0, between = 0;
            for (size_t i = 0; i < count; i++) {
                below += values[i] < p_lo;
                between += values[i] >= p_lo && values[i] <= p_hi;
            }
            if (below <= k1 && k2 < below + between) {
                size_t m = 0;
                for (size_t i = 0; i < count; i++)
                    if (values[i] >= p_lo && values[i] <= p_hi)
                        values[m++] = values[i];
                size_t j1 = k1 - below;
                *v1 = quickselect(values, m, j1);
                *v2 = quickselect(values + j1 + 1, m - j1 - 1, k2 - k1 - 1);
                return;
            }
        }
    }
    *v1 = quickselect(values, count, k1);
    *v2 = quickselect(values + k1 + 1, count - k1 - 1, k2 - k1 - 1);
}

int otaprio__selector_prepare(const otaprio__mem *mem,
                              const otaprio__samples *s, otaprio__selector *sel)
{
    size_t nx = s->nx, ny = s->ny;
    if (nx != 0 && ny > UINT64_MAX / nx)
        return OTAPRIO_E_OVERFLOW;
    if (ny > UINT32_MAX)
        return OTAPRIO_E_LIMIT;
    uint64_t total = (uint64_t)nx * ny;
    size_t capacity = POOL_MIN;
    if ((nx + ny) / 4 > capacity)
        capacity = (nx + ny) / 4;
    if (total < capacity)
        capacity = (size_t)total;
    size_t rows = total > capacity ? nx : 0;
    size_t samples = total > capacity ? SAMPLE_MAX : 0;
    size_t row_bytes, pool_bytes;
    if (otaprio__size_mul_overflows(rows, 6 * sizeof(uint32_t), &row_bytes) ||
        otaprio__size_mul_overflows(capacity + samples, sizeof(double),
                                    &pool_bytes) ||
        row_bytes > SIZE_MAX - pool_bytes)
        return OTAPRIO_E_OVERFLOW;
    /* One block: the doubles first, then the row arrays (both 8-byte
     * aligned, more than uint32_t needs). */
    unsigned char *block = otaprio__mem_alloc(mem, pool_bytes + row_bytes);
    if (block == NULL)
        return OTAPRIO_E_NOMEM;
    sel->s = s;
    sel->total = total;
    sel->pool = (double *)(void *)block;
    sel->pool_capacity = capacity;
    sel->sample = sel->pool + capacity;
    uint32_t *row_base = (uint32_t *)(void *)(block + pool_bytes);
    sel->start = row_base;
    sel->end = row_base + rows;
    sel->cut_low = row_base + 2 * rows;
    sel->cut_high = row_base + 3 * rows;
    sel->kept_start = row_base + 4 * rows;
    sel->kept_end = row_base + 5 * rows;
    sel->kept = false;
    return OTAPRIO_OK;
}

void otaprio__selector_release(const otaprio__mem *mem, otaprio__selector *sel)
{
    otaprio__mem_free(mem, sel->pool);
    sel->pool = NULL;
}

/* The band: per row i the columns [start[i], end[i]), holding the
 * differences in (a, b]; `below` differences are <= a. */
typedef struct band {
    uint64_t below;
    uint64_t size;
} band;

/* The first column from p on, before stop, whose difference from xi is at
 * most t. Between neighbouring rows the answer moves by about ny / nx
 * columns, and the test holds on a prefix of the row (the differences
 * fall along it), so summing four tests moves the pointer as far as
 * they reach without a branch per column; a loop whose exit the processor
 * mispredicts on most rows is what this replaces. */
static size_t advance(double xi, const double *y, size_t p, size_t stop,
                      double t)
{
    while (p + 4 <= stop) {
        size_t k = (size_t)(xi - y[p] > t) + (size_t)(xi - y[p + 1] > t) +
                   (size_t)(xi - y[p + 2] > t) + (size_t)(xi - y[p + 3] > t);
        p += k;
        if (k < 4)
            return p;
    }
    while (p < stop && xi - y[p] > t)
        p++;
    return p;
}

/* Fills cut[i] with the first column of row i whose difference is <= t,
 * for a threshold inside the band, and returns how many band values are
 * <= t. */
static uint64_t count_at_most(const otaprio__selector *sel, double t,
                              uint32_t *cut)
{
    const double *x = sel->s->x, *y = sel->s->y;
    const uint32_t *start = sel->full ? NULL : sel->start;
    const uint32_t *end = sel->full ? NULL : sel->end;
    size_t ny = sel->s->ny;
    uint64_t count = 0;
    size_t p = 0;
    for (size_t i = 0; i < sel->s->nx; i++) {
        if (start != NULL && p < start[i])
            p = start[i];
        double xi = x[i];
        size_t stop = end != NULL ? end[i] : ny;
        p = advance(xi, y, p, stop, t);
        cut[i] = (uint32_t)p;
        count += stop - p;
    }
    return count;
}

/* count_at_most() for two thresholds t_low < t_high in one pass. */
static void count_both(const otaprio__selector *sel, double t_low,
                       double t_high, uint64_t *c_low, uint64_t *c_high)
{
    const double *x = sel->s->x, *y = sel->s->y;
    const uint32_t *start = sel->full ? NULL : sel->start;
    const uint32_t *end = sel->full ? NULL : sel->end;
    uint32_t *cut_low = sel->cut_low, *cut_high = sel->cut_high;
    size_t ny = sel->s->ny;
    uint64_t low = 0, high = 0;
    size_t p = 0, q = 0;
    for (size_t i = 0; i < sel->s->nx; i++) {
        double xi = x[i];
        size_t stop = end != NULL ? end[i] : ny;
        if (start != NULL && q < start[i])
            q = start[i];
        q = advance(xi, y, q, stop, t_high);
        if (p < q)
            p = q; /* {d <= t_low} lies inside {d <= t_high} */
        p = advance(xi, y, p, stop, t_low);
        cut_low[i] = (uint32_t)p;
        cut_high[i] = (uint32_t)q;
        low += stop - p;
        high += stop - q;
    }
    *c_low = low;
    *c_high = high;
}

static void swap_rows(uint32_t **a, uint32_t **b)
{
    uint32_t *t = *a;
    *a = *b;
    *b = t;
}

/* Copies the band's values into the pool and selects the rank-th smallest
 * and, when `second` is non-NULL, the next one. */
static void finish_in_pool(otaprio__selector *sel, const band *bd,
                           uint64_t rank, double *first, double *second)
{
    const double *x = sel->s->x, *y = sel->s->y;
    size_t k = 0;
    for (size_t i = 0; i < sel->s->nx; i++) {
        double xi = x[i];
        for (size_t j = sel->start[i]; j < sel->end[i]; j++)
            sel->pool[k++] = xi - y[j];
    }
    size_t at = (size_t)(rank - bd->below - 1);
    *first = quickselect(sel->pool, k, at);
    if (second != NULL) {
        /* The quickselect left every smaller value before `at` and every
         * larger one after it: the next rank is the least of those after. */
        double next = HUGE_VAL;
        for (size_t i = at + 1; i < k; i++)
            if (sel->pool[i] < next)
                next = sel->pool[i];
        *second = next;
    }
}

/* Draws `count` band values, one uniformly from each of as many equal
 * strata of the band's positions (row-major). */
static void draw_sample(otaprio__selector *sel, const band *bd, size_t count,
                        uint64_t *state)
{
    const double *x = sel->s->x, *y = sel->s->y;
    double step = (double)bd->size / (double)count;
    size_t row = 0;
    uint64_t row_first = 0; /* band position of the row's first column */
    for (size_t k = 0; k < count; k++) {
        double at = ((double)k + unit_draw(state)) * step;
        uint64_t u = (uint64_t)at;
        if (u >= bd->size)
            u = bd->size - 1;
        if (sel->full) { /* the whole matrix: no band to walk */
            sel->sample[k] = x[u / sel->s->ny] - y[u % sel->s->ny];
            continue;
        }
        while (row_first + (sel->end[row] - sel->start[row]) <= u) {
            row_first += sel->end[row] - sel->start[row];
            row++;
        }
        sel->sample[k] = x[row] - y[sel->start[row] + (size_t)(u - row_first)];
    }
}

/* What a step of the search concluded. */
typedef enum step_result {
    STEP_GOING, /* the band shrank around the ranks */
    STEP_DONE,  /* every band value is one value: the answer */
    STEP_SPLIT  /* the two ranks fell on either side of a cut */
} step_result;

/* Narrows the band to (a, cut] when the ranks r1 <= r2 lie at or below
 * `count` band values, to (cut, b] when above, and reports a split. */
static step_result keep_side(otaprio__selector *sel, band *bd, uint64_t r1,
                             uint64_t r2, uint64_t count)
{
    if (r2 <= bd->below + count) {
        swap_rows(&sel->start, &sel->cut_high);
        bd->size = count;
        return STEP_GOING;
    }
    if (r1 > bd->below + count) {
        swap_rows(&sel->end, &sel->cut_high);
        bd->below += count;
        bd->size -= count;
        return STEP_GOING;
    }
    return STEP_SPLIT;
}

/* Halves the band's values in key order around a middle value: the step
 * that always makes progress. STEP_DONE sets *value when every band value
 * is one value. */
static step_result bisect(otaprio__selector *sel, band *bd, uint64_t r1,
                          uint64_t r2, double *value)
{
    const double *x = sel->s->x, *y = sel->s->y;
    double low = HUGE_VAL, high = -HUGE_VAL;
    for (size_t i = 0; i < sel->s->nx; i++) {
        if (sel->start[i] == sel->end[i])
            continue;
        double first = x[i] - y[sel->start[i]];
        double last = x[i] - y[sel->end[i] - 1];
        if (first > high)
            high = first;
        if (last < low)
            low = last;
    }
    if (low == high) {
        *value = low;
        return STEP_DONE;
    }
    uint64_t lk = otaprio__order_key(low), hk = otaprio__order_key(high);
    /* low <= mid < high, so both halves hold a value. */
    double mid = otaprio__order_value(lk + (hk - lk) / 2);
    uint64_t count = count_at_most(sel, mid, sel->cut_high);
    return keep_side(sel, bd, r1, r2, count);
}

/* Searches for ranks r1 and r2 = r1 or r1 + 1 at once; returns false when
 * they parted (the caller then searches each alone). */
static bool search(otaprio__selector *sel, uint64_t r1, uint64_t r2,
                   double *first, double *second)
{
    const otaprio__samples *s = sel->s;
    band bd = {0, sel->total};
    /* The first band is the whole matrix, read without the row arrays, or
     * the band a previous search kept after its first round when it holds
     * both ranks (the interval's ends, near the median, often lie in the
     * median's first band). */
    sel->full = true;
    bool first_round = true;
    if (sel->kept && r1 > sel->kept_below &&
        r2 <= sel->kept_below + sel->kept_size) {
        memcpy(sel->start, sel->kept_start, s->nx * sizeof *sel->start);
        memcpy(sel->end, sel->kept_end, s->nx * sizeof *sel->end);
        bd.below = sel->kept_below;
        bd.size = sel->kept_size;
        sel->full = false;
        first_round = false;
    }
    uint64_t state = 0x0d1ffe2e7ce5u ^ r1;
    while (bd.size > sel->pool_capacity) {
        double size = (double)bd.size;
        double f1 = ((double)(r1 - bd.below) - 0.5) / size;
        double f2 = ((double)(r2 - bd.below) - 0.5) / size;
        /* Enough values for the bracket to fit the pool, with room to
         * spare (a last round need not draw the most), within the limits. */
        double fit = 0.7 * (double)sel->pool_capacity / size;
        double want =
            3.5 * (sqrt(f1 * (1.0 - f1)) + sqrt(f2 * (1.0 - f2))) / fit;
        want = want * want;
        size_t count = SAMPLE_MAX;
        if (want < (double)SAMPLE_MAX)
            count = want > (double)SAMPLE_MIN ? (size_t)want : SAMPLE_MIN;
        if (bd.size / 64 < count)
            count =
                bd.size / 64 > SAMPLE_MIN ? (size_t)(bd.size / 64) : SAMPLE_MIN;
        double n = (double)count;
        double low_at = floor(f1 * n - 3.5 * sqrt(n * f1 * (1.0 - f1)) - 2.0);
        double high_at = ceil(f2 * n + 3.5 * sqrt(n * f2 * (1.0 - f2)) + 2.0);
        draw_sample(sel, &bd, count, &state);
        bool have_low = low_at >= 0.0, have_high = high_at < n;
        double t_low = -HUGE_VAL, t_high = HUGE_VAL;
        if (have_low && have_high) {
            double v;
            select_two(sel->sample, count, (size_t)low_at, (size_t)high_at, &v,
                       &t_high);
            /* The band keeps the sampled value itself: its lower bound is
             * the double just below it. */
            t_low = nextafter(v, -HUGE_VAL);
            have_low = v > -HUGE_VAL;
            have_high = t_high < HUGE_VAL;
        } else if (have_low) {
            double v = quickselect(sel->sample, count, (size_t)low_at);
            t_low = nextafter(v, -HUGE_VAL);
            have_low = v > -HUGE_VAL;
        } else if (have_high) {
            t_high = quickselect(sel->sample, count, (size_t)high_at);
            have_high = t_high < HUGE_VAL;
        }
        uint64_t old_size = bd.size, c_low = 0, c_high = bd.size;
        if (have_low && have_high)
            count_both(sel, t_low, t_high, &c_low, &c_high);
        else if (have_low)
            c_low = count_at_most(sel, t_low, sel->cut_low);
        else if (have_high)
            c_high = count_at_most(sel, t_high, sel->cut_high);
        uint64_t below = bd.below;
        if (sel->full) { /* what the cuts below do not replace, in full */
            for (size_t i = 0; i < s->nx; i++) {
                sel->start[i] = 0;
                sel->end[i] = (uint32_t)s->ny;
            }
            sel->full = false;
        }
        if (have_low && r2 <= below + c_low) {
            swap_rows(&sel->start, &sel->cut_low);
            bd.size = c_low;
        } else if (have_high && r1 > below + c_high) {
            swap_rows(&sel->end, &sel->cut_high);
            bd.below += c_high;
            bd.size -= c_high;
        } else if (r1 > below + c_low && r2 <= below + c_high) {
            if (have_high)
                swap_rows(&sel->start, &sel->cut_high);
            if (have_low)
                swap_rows(&sel->end, &sel->cut_low);
            bd.below += c_low;
            bd.size = c_high - c_low;
        } else {
            return false;
        }
        if (first_round && !sel->kept) {
            memcpy(sel->kept_start, sel->start, s->nx * sizeof *sel->start);
            memcpy(sel->kept_end, sel->end, s->nx * sizeof *sel->end);
            sel->kept_below = bd.below;
            sel->kept_size = bd.size;
            sel->kept = true;
        }
        first_round = false;
        if (bd.size == old_size) {
            double value;
            step_result step = bisect(sel, &bd, r1, r2, &value);
            if (step == STEP_SPLIT)
                return false;
            if (step == STEP_DONE) {
                *first = value;
                if (second != NULL)
                    *second = value;
                return true;
            }
        }
    }
    finish_in_pool(sel, &bd, r1, first, r1 == r2 ? NULL : second);
    return true;
}

/* Every difference in the pool, for a product that fits it. */
static void select_small(otaprio__selector *sel, uint64_t rank, double *first,
                         double *second)
{
    const otaprio__samples *s = sel->s;
    size_t k = 0;
    for (size_t i = 0; i < s->nx; i++)
        for (size_t j = 0; j < s->ny; j++)
            sel->pool[k++] = s->x[i] - s->y[j];
    size_t at = (size_t)(rank - 1);
    *first = quickselect(sel->pool, k, at);
    if (second != NULL) {
        double next = HUGE_VAL;
        for (size_t i = at + 1; i < k; i++)
            if (sel->pool[i] < next)
                next = sel->pool[i];
        *second = next;
    }
}

double otaprio__selector_select(otaprio__selector *sel, uint64_t rank)
{
    double value;
    if (sel->total <= sel->pool_capacity)
        select_small(sel, rank, &value, NULL);
    else
        (void)search(sel, rank, rank, &value, NULL);
    return value;
}

void otaprio__selector_select_pair(otaprio__selector *sel, uint64_t rank,
                                   double *first, double *second)
{
    if (sel->total <= sel->pool_capacity) {
        select_small(sel, rank, first, second);
        return;
    }
    if (!search(sel, rank, rank + 1, first, second)) {
        *first = otaprio__selector_select(sel, rank);
        *second = otaprio__selector_select(sel, rank + 1);
    }
}
