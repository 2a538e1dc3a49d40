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

/* Sorts keys[0..n) with their rows, stably, by a least-significant-digit
 * radix sort on bytes; a byte that every key shares costs one counting
 * pass and no move. The result lands in keys/rows. */
static void sort_keyed(uint64_t *keys, uint32_t *rows, uint64_t *key_tmp,
                       uint32_t *row_tmp, size_t n)
{
    for (int shift = 0; shift < 64; shift += 8) {
        size_t counts[257] = {0};
        for (size_t i = 0; i < n; i++)
            counts[((keys[i] >> shift) & 0xFF) + 1]++;
        if (counts[((keys[0] >> shift) & 0xFF) + 1] == n)
            continue;
        for (int d = 0; d < 256; d++)
            counts[d + 1] += counts[d];
        for (size_t i = 0; i < n; i++) {
            size_t at = counts[(keys[i] >> shift) & 0xFF]++;
            key_tmp[at] = keys[i];
            row_tmp[at] = rows[i];
        }
        memcpy(keys, key_tmp, n * sizeof *keys);
        memcpy(rows, row_tmp, n * sizeof *rows);
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
                value = fmin(0.0, value + log(m - (double)j));
                running = fmax(running, value);
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
