/* SPDX-License-Identifier: MIT */
/*
 * Bucket positions of many keys at once. A position is XXH3_64bits_withSeed
 * of the key's eight little-endian bytes (bucket.c). For an input of four to
 * eight bytes XXH3 is a fixed run of 64-bit operations: the input's two
 * 32-bit halves swapped, XORed with a constant of the default secret less
 * the seed (its low half mirrored into its high half), then XXH3's rrmxmx
 * mixer with the length. Written out here, without the byte copies and
 * length branches of the general function, the loop vectorises: built once
 * for every processor and once for AVX2 (four keys to a register, picked at
 * run time), both integer-exact, so every build gives the same positions.
 * tests/unit/test_bucket.c checks each build against libxxhash itself.
 */
#include "internal.h"

/* XXH3's default secret, bytes 8-15 XOR bytes 16-23, read little-endian:
 * the 4-to-8-byte path's bitflip before the seed is taken off. */
#define SECRET_BITFLIP UINT64_C(0xc73ab174c5ecd5a2)
/* rrmxmx's multiplier. */
#define RRMXMX_PRIME UINT64_C(0x9FB21C651E98DF25)

static inline uint64_t rotate_left(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t bitflip_of(uint64_t salt)
{
    uint32_t low = (uint32_t)salt;
    uint32_t swapped = (low >> 24) | ((low >> 8) & 0xff00u) |
                       ((low << 8) & 0xff0000u) | (low << 24);
    return SECRET_BITFLIP - (salt ^ (uint64_t)swapped << 32);
}

static inline uint64_t position_from(uint64_t bitflip, uint64_t key)
{
    uint64_t h = ((key >> 32) | (key << 32)) ^ bitflip;
    h ^= rotate_left(h, 49) ^ rotate_left(h, 24);
    h *= RRMXMX_PRIME;
    h ^= (h >> 35) + 8; /* the length */
    h *= RRMXMX_PRIME;
    return h ^ (h >> 28);
}

void otaprio__bucket_positions_baseline(uint64_t salt, const uint64_t *keys,
                                        size_t count, uint64_t *positions)
{
    uint64_t bitflip = bitflip_of(salt);
    for (size_t i = 0; i < count; i++)
        positions[i] = position_from(bitflip, keys[i]);
}

#ifdef OTAPRIO__BUCKET_POSITIONS_AVX2
__attribute__((target("avx2"))) void
otaprio__bucket_positions_avx2(uint64_t salt, const uint64_t *keys,
                               size_t count, uint64_t *positions)
{
    uint64_t bitflip = bitflip_of(salt);
    for (size_t i = 0; i < count; i++)
        positions[i] = position_from(bitflip, keys[i]);
}
#endif

void otaprio__bucket_positions(uint64_t salt, const uint64_t *keys,
                               size_t count, uint64_t *positions)
{
#ifdef OTAPRIO__BUCKET_POSITIONS_AVX2
    __builtin_cpu_init(); /* idempotent; safe before constructors ran */
    if (__builtin_cpu_supports("avx2")) {
        otaprio__bucket_positions_avx2(salt, keys, count, positions);
        return;
    }
#endif
    otaprio__bucket_positions_baseline(salt, keys, count, positions);
}
