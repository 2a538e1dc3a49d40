/* SPDX-License-Identifier: MIT */
/*
 * Preparing two samples for the rank statistics: each is checked, copied
 * and sorted ascending on its IEEE 754 bit patterns, mapped to unsigned
 * keys that order as the values do (the sign bit flipped for positives,
 * every bit flipped for negatives). A first pass scatters the keys into
 * buckets of equal width in value; each bucket is then sorted by insertion
 * sort when it holds few keys, else by a least-significant-digit radix
 * sort, six passes of 11-bit digits, linear in any count, skipping a pass
 * whose digit is the same for every key (the exponent bits of samples of
 * one magnitude). -0.0 is stored as
 * +0.0: the two are equal values, and giving them one key keeps every tie a
 * tie.
 */
#include "stats_rank.h"

#include <string.h>

#define SMALL_SORT 48 /* below this, the keys are sorted without buckets */
#define MSD_BITS 15   /* at most 2^15 buckets in the first pass */
/* A bucket up to this size is insertion sorted: the radix sort's 98 KB of
 * digit counts to clear would cost more. */
#define BUCKET_INSERTION 192
#define MSD_ENTRIES ((size_t)1 << MSD_BITS)
#define COUNT_ENTRIES (OTAPRIO__RADIX_SORT_COUNTS + MSD_ENTRIES + 1)

/* Sorts the keys of values[0..count) (keys[i] is values[i]'s key) by
 * distributing them first: the values' range is cut into up to 2^15 equal
 * buckets, about three values a bucket, one scatter places every key in
 * its bucket (a bucket index never decreases as the value grows: the
 * rounded subtraction and scaling are monotone), and each bucket is then
 * sorted alone, by insertion sort for the few keys of smooth data or by
 * the radix sort above for a crowded one. Smooth data thus costs a
 * scatter and a little; clustered data at worst one pass more than the
 * plain radix sort. Returns the buffer holding the result (keys or tmp);
 * offsets holds MSD_ENTRIES + 1 counts, counts the radix sort's. */
static uint64_t *bucket_sort(const double *values, uint64_t *keys,
                             uint64_t *tmp, size_t count, size_t *offsets,
                             size_t *counts)
{
    if (count < SMALL_SORT)
        return otaprio__radix_sort_u64(keys, tmp, count, counts);
    double low = values[0], high = values[0];
    for (size_t i = 1; i < count; i++) {
        double v = values[i];
        low = v < low ? v : low;
        high = v > high ? v : high;
    }
    double span = high - low;
    if (!(span > 0.0) || !isfinite(span)) /* one value, or overflow */
        return otaprio__radix_sort_u64(keys, tmp, count, counts);
    int bits = 4;
    for (size_t c = count >> 2; c > 1 && bits < MSD_BITS; c >>= 1)
        bits++;
    size_t buckets = (size_t)1 << bits;
    double scale = (double)(buckets - 1) / span;
    memset(offsets, 0, (buckets + 1) * sizeof *offsets);
    for (size_t i = 0; i < count; i++) {
        size_t b = (size_t)((values[i] - low) * scale);
        offsets[(b < buckets ? b : buckets - 1) + 1]++;
    }
    for (size_t b = 1; b < buckets; b++)
        offsets[b] += offsets[b - 1];
    /* offsets[b] is bucket b's first slot; filling moves it to the next
     * bucket's first slot. */
    for (size_t i = 0; i < count; i++) {
        size_t b = (size_t)((values[i] - low) * scale);
        tmp[offsets[b < buckets ? b : buckets - 1]++] = keys[i];
    }
    size_t begin = 0;
    for (size_t b = 0; b < buckets; b++) {
        size_t end = offsets[b], size = end - begin;
        if (size > 1 && size <= BUCKET_INSERTION) {
            otaprio__insertion_sort_u64(tmp + begin, size);
        } else if (size > 1) {
            uint64_t *sorted = otaprio__radix_sort_u64(
                tmp + begin, keys + begin, size, counts);
            if (sorted != tmp + begin)
                memcpy(tmp + begin, sorted, size * sizeof *sorted);
        }
        begin = end;
    }
    return tmp;
}

/* Returns the index of the first NaN or infinity, or count. */
static size_t first_non_finite(const double *values, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(values[i]))
            return i;
    return count;
}

/* Sorts `count` values into `out`, with `tmp` (2 count keys: the keys and
 * their ping-pong buffer) and `counts` (COUNT_ENTRIES) as scratch. */
static void sort_sample(const double *values, size_t count, double *out,
                        uint64_t *tmp, size_t *counts)
{
    uint64_t *keys = tmp + count;
    for (size_t i = 0; i < count; i++)
        keys[i] = otaprio__order_key(values[i] + 0.0); /* -0.0 to +0.0 */
    uint64_t *sorted = bucket_sort(values, keys, tmp, count,
                                   counts + OTAPRIO__RADIX_SORT_COUNTS, counts);
    for (size_t i = 0; i < count; i++)
        out[i] = otaprio__order_value(sorted[i]);
}

int otaprio__samples_prepare(const otaprio__mem *mem, const double *x,
                             size_t nx, const double *y, size_t ny,
                             otaprio__samples *out, otaprio_diag *diag)
{
    if (mem == NULL || out == NULL || (x == NULL && nx > 0) ||
        (y == NULL && ny > 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "samples", -1,
                             "a NULL sample, output or allocator");
    size_t bad = first_non_finite(x, nx);
    if (bad < nx)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "x", (int64_t)bad,
                             "x[%zu] is not finite", bad);
    bad = first_non_finite(y, ny);
    if (bad < ny)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "y", (int64_t)bad,
                             "y[%zu] is not finite", bad);

    size_t larger = nx > ny ? nx : ny, x_bytes, y_bytes, tmp_keys;
    if (otaprio__size_mul_overflows(nx, sizeof(double), &x_bytes) ||
        otaprio__size_mul_overflows(ny, sizeof(double), &y_bytes) ||
        otaprio__size_mul_overflows(larger, 2, &tmp_keys) ||
        tmp_keys >
            (SIZE_MAX - COUNT_ENTRIES * sizeof(size_t)) / sizeof(uint64_t))
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "samples", -1,
                             "the samples are too large to copy");
    double *sx = otaprio__mem_alloc(mem, x_bytes);
    double *sy = otaprio__mem_alloc(mem, y_bytes);
    /* Scratch: the keys and their ping-pong buffer, then the digit counts
     * (a multiple of 8 bytes in, so size_t stays aligned). */
    void *scratch = otaprio__mem_alloc(mem, tmp_keys * sizeof(uint64_t) +
                                                COUNT_ENTRIES * sizeof(size_t));
    if (sx == NULL || sy == NULL || scratch == NULL) {
        otaprio__mem_free(mem, sx);
        otaprio__mem_free(mem, sy);
        otaprio__mem_free(mem, scratch);
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "samples", -1,
                             "no memory for the sorted samples");
    }
    uint64_t *tmp = scratch;
    size_t *counts = (size_t *)(void *)(tmp + tmp_keys);
    sort_sample(x, nx, sx, tmp, counts);
    sort_sample(y, ny, sy, tmp, counts);
    otaprio__mem_free(mem, scratch);
    out->x = sx;
    out->nx = nx;
    out->y = sy;
    out->ny = ny;
    return OTAPRIO_OK;
}

void otaprio__samples_release(const otaprio__mem *mem, otaprio__samples *s)
{
    if (s == NULL)
        return;
    if (mem != NULL) {
        otaprio__mem_free(mem, s->x);
        otaprio__mem_free(mem, s->y);
    }
    s->x = NULL;
    s->y = NULL;
    s->nx = 0;
    s->ny = 0;
}
