/* SPDX-License-Identifier: MIT */
/*
 * Which devices a stratum keeps: those whose position lies at or below a
 * limit that depends only on the stratum's count of candidates, and falls
 * as that count grows. Because the final limit is below every earlier one,
 * the devices kept at the end are exactly "the candidates at or below the
 * final limit", whatever the order they came in or the shards they were
 * split into: the property that makes merging exact.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"

/* The highest position whose fraction (position >> 11) * 2^-53 is below
 * f, for f in (0, 1): fraction < f exactly when (position >> 11) <
 * ceil(f * 2^53), a product that is exact in a double. */
static uint64_t limit_below_fraction(double f)
{
    uint64_t steps = (uint64_t)ceil(ldexp(f, 53));
    return (steps << 11) - 1;
}

uint64_t otaprio__cohort_limit(const otaprio__cohort_setup *setup,
                               uint64_t candidates)
{
    if (setup->canary_count == 0)
        return 0; /* nothing to list; position 0 alone is kept */
    if (setup->method == OTAPRIO_COHORT_HASH_THRESHOLD)
        return limit_below_fraction(setup->waves[setup->canary_count - 1]);
    if (candidates == 0)
        return UINT64_MAX;
    const double z = OTAPRIO__COHORT_RETAIN_Z;
    double n = (double)candidates, r = setup->retain;
    /* Summed as r + (a + b): every operation is a correctly rounded
     * monotone function of n, so the result never rises as n grows. */
    double share =
        r + (z * sqrt(r / n) + (z * z + (double)setup->minimum + 2.0) / n);
    if (share >= 1.0)
        return UINT64_MAX;
    double scaled = ldexp(share, 64); /* below 2^64: share < 1 */
    uint64_t limit = (uint64_t)scaled;
    return limit > 0 ? limit - 1 : 0;
}

/* Kept keys hashed at a time: their positions come from the vector
 * kernel into a buffer on the stack. */
#define RETAIN_BLOCK 256

static size_t block_at(size_t length, size_t first)
{
    return length - first < RETAIN_BLOCK ? length - first : RETAIN_BLOCK;
}

void otaprio__stratum_prune(const otaprio__cohort_setup *setup,
                            otaprio__stratum *stratum, uint64_t *current,
                            uint64_t limit)
{
    if (limit < *current)
        *current = limit;
    limit = *current;
    uint64_t *ready = stratum->ready.data;
    uint64_t positions[RETAIN_BLOCK];
    size_t kept = 0;
    for (size_t first = 0; first < stratum->ready.length;
         first += RETAIN_BLOCK) {
        size_t n = block_at(stratum->ready.length, first);
        otaprio__bucket_positions(setup->salt, ready + first, n, positions);
        /* In place: a key moves down, never past one not yet read. */
        for (size_t i = 0; i < n; i++) {
            ready[kept] = ready[first + i];
            kept += positions[i] <= limit;
        }
    }
    stratum->ready.length = kept;
    otaprio__held *held = stratum->held.data;
    kept = 0;
    for (size_t i = 0; i < stratum->held.length; i++)
        if (otaprio__cohort_position(setup, held[i].key) <= limit)
            held[kept++] = held[i];
    stratum->held.length = kept;
}

size_t otaprio__stratum_kept(const otaprio__cohort_setup *setup,
                             const otaprio__stratum *stratum,
                             uint64_t candidates, otaprio__kept *out,
                             size_t *ready)
{
    uint64_t limit = otaprio__cohort_limit(setup, candidates);
    size_t n = 0;
    const uint64_t *keys = stratum->ready.data;
    uint64_t positions[RETAIN_BLOCK];
    for (size_t first = 0; first < stratum->ready.length;
         first += RETAIN_BLOCK) {
        size_t m = block_at(stratum->ready.length, first);
        otaprio__bucket_positions(setup->salt, keys + first, m, positions);
        for (size_t i = 0; i < m; i++) {
            if (out != NULL)
                out[n] = (otaprio__kept){positions[i], keys[first + i], 0};
            n += positions[i] <= limit;
        }
    }
    *ready = n;
    const otaprio__held *held = stratum->held.data;
    for (size_t i = 0; i < stratum->held.length; i++) {
        uint64_t position = otaprio__cohort_position(setup, held[i].key);
        if (position > limit)
            continue;
        if (out != NULL)
            out[n] = (otaprio__kept){position, held[i].key, held[i].first_wave};
        n++;
    }
    return n;
}
