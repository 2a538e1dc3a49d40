/* SPDX-License-Identifier: MIT */
/*
 * The fixed-seed input generator: SplitMix64 (Steele, Lea, Flood 2014), in
 * its counter form. Draws are uniform over 64 bits, like real device keys
 * (XXH3 of an identifier), and cheap to reproduce in NumPy for the peer.
 * bench/splitmix.py must stay identical to this file.
 */
#include "bench.h"

#define SPLITMIX64_GAMMA UINT64_C(0x9E3779B97F4A7C15)

uint64_t bench_splitmix64(uint64_t seed, uint64_t index)
{
    /* The sequential generator adds GAMMA before each draw; computing the
     * state from the index directly gives the same draws in any order. */
    uint64_t z = seed + (index + 1) * SPLITMIX64_GAMMA;
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void bench_splitmix64_fill(uint64_t seed, uint64_t first, uint64_t *out,
                           size_t count)
{
    for (size_t i = 0; i < count; i++)
        out[i] = bench_splitmix64(seed, first + i);
}
