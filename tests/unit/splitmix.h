/* SPDX-License-Identifier: MIT */
/* SplitMix64 for the tests: a fixed sequence from a seed, so every run
 * tests the same inputs. */
#ifndef OTAPRIO_TEST_SPLITMIX_H
#define OTAPRIO_TEST_SPLITMIX_H

#include <stdint.h>

static inline uint64_t splitmix_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A draw below `bound` (> 0); the modulo bias is irrelevant here. */
static inline uint32_t splitmix_below(uint64_t *state, uint32_t bound)
{
    return (uint32_t)(splitmix_next(state) % bound);
}

/* A double uniform in [0, 1), on a grid of 2^-53. */
static inline double splitmix_unit(uint64_t *state)
{
    return (double)(splitmix_next(state) >> 11) * 0x1p-53;
}

#endif
