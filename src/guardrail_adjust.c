/* SPDX-License-Identifier: MIT */
/*
 * A rule's strata in report order, and multiple-comparison control across
 * them, in log space (a stratum's p-value may underflow): Holm's step-down
 * for the family-wise error, Benjamini and Hochberg's step-up for the false
 * discovery rate.
 *
 * One stable radix sort of the tested strata by (log p-value, row) serves
 * both: the adjustments walk that order, and since both adjusted p-values
 * are non-decreasing along it, it is also the report's order (failing
 * strata, whose adjusted p-values are the smallest, first).
 */
#include <string.h>

#include "guardrail_internal.h"
#include "stats_rank.h"

/* Sorts keys[0..n) with their rows, stably, by bytes first..last of the
 * keys (a least-significant-digit radix sort). One pass counts those
 * bytes at once; a byte that every key shares costs no move, and the
 * others move between the two buffers in turn, with one copy back at the
 * end if needed. The result lands in keys/rows. */
static void radix_bytes(uint64_t *keys, uint32_t *rows, uint64_t *key_tmp,
                        uint32_t *row_tmp, size_t n, int first, int last)
{
    uint32_t counts[8][256]; /* n < 2^32: rows are uint32_t */
    memset(counts[first], 0, (size_t)(last - first + 1) * sizeof counts[0]);
    for (size_t i = 0; i < n; i++) {
        uint64_t key = keys[i];
        for (int b = first; b <= last; b++)
            counts[b][(key >> (8 * b)) & 0xFF]++;
    }
    uint64_t *key_from = keys, *key_to = key_tmp;
    uint32_t *row_from = rows, *row_to = row_tmp;
    for (int b = first; b <= last; b++) {
        uint32_t *count = counts[b];
        int shift = 8 * b;
        if (count[(keys[0] >> shift) & 0xFF] == n)
            continue;
        uint32_t at = 0;
        for (int d = 0; d < 256; d++) {
            uint32_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t to = count[(key_from[i] >> shift) & 0xFF]++;
            key_to[to] = key_from[i];
            row_to[to] = row_from[i];
        }
        uint64_t *kt = key_from;
        key_from = key_to;
        key_to = kt;
        uint32_t *rt = row_from;
        row_from = row_to;
        row_to = rt;
    }
    if (key_from != keys) {
        memcpy(keys, key_from, n * sizeof *keys);
        memcpy(rows, row_from, n * sizeof *rows);
    }
}

/* Runs this short are put in order by insertion; longer ones by the
 * radix sort of their low bytes. */
#define INSERTION_LIMIT 16

/*
 * Sorts keys[0..n) with their rows, stably, by the whole key: by the high
 * four bytes first, then, within each run of keys that share them, by the
 * low four. The keys are log p-values, which rarely share their high four
 * bytes (sign, exponent and 20 bits of mantissa) unless they are equal:
 * the runs are nearly all of one key, and the low bytes' four passes over
 * every key are saved. A stable sort by the high half, then by the low
 * half within each run, is the stable sort by the whole key.
 */
static void sort_keyed(uint64_t *keys, uint32_t *rows, uint64_t *key_tmp,
                       uint32_t *row_tmp, size_t n)
{
    radix_bytes(keys, rows, key_tmp, row_tmp, n, 4, 7);
    size_t start = 0;
    while (start < n) {
        uint64_t high = keys[start] >> 32;
        size_t end = start + 1;
        while (end < n && keys[end] >> 32 == high)
            end++;
        size_t run = end - start;
        if (run > INSERTION_LIMIT) {
            radix_bytes(keys + start, rows + start, key_tmp, row_tmp, run, 0,
                        3);
        } else {
            for (size_t i = start + 1; i < end; i++) {
                uint64_t key = keys[i];
                uint32_t row = rows[i];
                size_t at = i;
                while (at > start && keys[at - 1] > key) {
                    keys[at] = keys[at - 1];
                    rows[at] = rows[at - 1];
                    at--;
                }
                keys[at] = key;
                rows[at] = row;
            }
        }
        start = end;
    }
}

void otaprio__guard_localise(const otaprio__guard_scratch *scratch,
                             int32_t method, size_t rows, size_t *tested)
{
    const double *log_p = scratch->log_p;
    uint32_t *order = scratch->order;
    size_t n = 0, at = 0;
    for (size_t r = 0; r < rows; r++) {
        if (!isnan(log_p[r])) {
            /* -0.0 and 0.0 are one p-value of 1: one key. */
            scratch->keys[n] = otaprio__order_key(log_p[r] + 0.0);
            order[n++] = (uint32_t)r;
        }
    }
    if (n > 1)
        sort_keyed(scratch->keys, order, scratch->keys + n, order + rows, n);
    double m = (double)n;
    double running =
        method == OTAPRIO_GUARD_BENJAMINI_HOCHBERG ? 0.0 : -HUGE_VAL;
    if (method == OTAPRIO_GUARD_BENJAMINI_HOCHBERG) {
        /* p_(j) m / (j + 1), made monotone from the largest down. */
        for (size_t j = n; j-- > 0;) {
            double value = log_p[order[j]] + log(m / (double)(j + 1));
            running = fmin(running, fmin(0.0, value));
            scratch->adjusted[order[j]] = running;
        }
    } else {
        /* Holm: p_(j) (m - j), made monotone from the smallest up; or the
         * p-value itself. */
        for (size_t j = 0; j < n; j++) {
            double value = log_p[order[j]];
            if (method == OTAPRIO_GUARD_HOLM) {
                /* Once the running maximum reaches 0 (p = 1), every later
                 * value is 0 too: no log is needed for them. The min and
                 * max by comparisons (fmin and fmax were calls): the
                 * values are never NaN, and never -0 (a log p-value plus
                 * log(m - j) >= +0). */
                if (running < 0.0) {
                    value += log(m - (double)j);
                    if (value > 0.0)
                        value = 0.0;
                    if (value > running)
                        running = value;
                }
                value = running;
            }
            scratch->adjusted[order[j]] = value;
        }
    }
    /* The strata without a test follow, in row order. */
    at = n;
    for (size_t r = 0; r < rows; r++) {
        if (isnan(log_p[r])) {
            scratch->adjusted[r] = (double)NAN;
            order[at++] = (uint32_t)r;
        }
    }
    *tested = n;
}
