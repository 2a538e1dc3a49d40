/* SPDX-License-Identifier: MIT */
/*
 * Sorting 64-bit keys in linear time: a least-significant-digit radix
 * sort, six passes of 11-bit digits (6 * 11 >= 64) from one counting pass,
 * skipping a pass whose digit is the same for every key (high bits of
 * small keys, exponent bits of samples of one magnitude). A few keys go
 * by insertion sort, which beats clearing the counters.
 */
#include <string.h>

#include "internal.h"

#define DIGIT_BITS 11
#define DIGIT_VALUES ((size_t)1 << DIGIT_BITS)
#define DIGIT_PASSES 6
#define SMALL_SORT 48 /* below this, insertion sort beats the passes */

_Static_assert(DIGIT_PASSES *DIGIT_VALUES == OTAPRIO__RADIX_SORT_COUNTS,
               "the counters the header promises");

void otaprio__insertion_sort_u64(uint64_t *keys, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        uint64_t key = keys[i];
        size_t j = i;
        while (j > 0 && keys[j - 1] > key) {
            keys[j] = keys[j - 1];
            j--;
        }
        keys[j] = key;
    }
}

uint64_t *otaprio__radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t count,
                                  size_t *counts)
{
    if (count < SMALL_SORT) {
        otaprio__insertion_sort_u64(keys, count);
        return keys;
    }
    memset(counts, 0, DIGIT_PASSES * DIGIT_VALUES * sizeof *counts);
    for (size_t i = 0; i < count; i++) {
        uint64_t key = keys[i];
        for (int pass = 0; pass < DIGIT_PASSES; pass++)
            counts[(size_t)pass * DIGIT_VALUES +
                   ((key >> (pass * DIGIT_BITS)) & (DIGIT_VALUES - 1))]++;
    }
    uint64_t *from = keys, *to = tmp;
    for (int pass = 0; pass < DIGIT_PASSES; pass++) {
        size_t *bucket = counts + (size_t)pass * DIGIT_VALUES;
        int shift = pass * DIGIT_BITS;
        if (bucket[(from[0] >> shift) & (DIGIT_VALUES - 1)] == count)
            continue; /* one digit for all: this pass would not move a key */
        size_t offset = 0;
        for (size_t d = 0; d < DIGIT_VALUES; d++) {
            size_t c = bucket[d];
            bucket[d] = offset;
            offset += c;
        }
        for (size_t i = 0; i < count; i++) {
            uint64_t key = from[i];
            to[bucket[(key >> shift) & (DIGIT_VALUES - 1)]++] = key;
        }
        uint64_t *swap = from;
        from = to;
        to = swap;
    }
    return from;
}
