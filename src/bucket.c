/* SPDX-License-Identifier: MIT */
/*
 * Device keys and deterministic bucketing: the frozen mapping that puts
 * every device at the same place in a rollout on every machine, in every
 * binding, forever. tests/vectors pins the outputs.
 *
 *   key      = XXH3_64bits(identifier bytes)                     (seed 0)
 *   position = XXH3_64bits_withSeed(LE64(key), 8, salt)
 *   fraction = (position >> 11) * 2^-53                          exact
 */
#include <string.h>

#include "internal.h"

/* xxHash is used privately: inlining makes every XXH symbol static, so none
 * can leak from the library, and lets the 8-byte path compile to a handful
 * of instructions in the bucketing loop. */
#define XXH_INLINE_ALL
#include <xxhash.h>

int otaprio_key_derive(const void *bytes, size_t length, uint64_t *key)
{
    if (key == NULL || (bytes == NULL && length != 0))
        return OTAPRIO_E_INVALID;
    *key = XXH3_64bits(length != 0 ? bytes : "", length);
    return OTAPRIO_OK;
}

int otaprio_key_derive_batch(const void *bytes, const uint64_t *offsets,
                             size_t count, uint64_t *keys, otaprio_diag *diag)
{
    if (offsets == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "offsets", -1,
                             "offsets is NULL");
    if (keys == NULL && count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "keys", -1,
                             "keys is NULL with count %zu", count);
    /* Validate everything first: on error the caller's keys stay as they
     * were. */
    for (size_t i = 0; i < count; i++) {
        if (offsets[i + 1] < offsets[i])
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "offsets",
                                 (int64_t)(i + 1),
                                 "offsets[%zu] = %llu is below offsets[%zu] = "
                                 "%llu; offsets must not decrease",
                                 i + 1, (unsigned long long)offsets[i + 1], i,
                                 (unsigned long long)offsets[i]);
    }
    if (offsets[count] > SIZE_MAX)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "offsets",
                             (int64_t)count,
                             "offsets[%zu] = %llu exceeds this platform's "
                             "address space",
                             count, (unsigned long long)offsets[count]);
    if (bytes == NULL && offsets[count] != offsets[0])
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "bytes", -1,
                             "bytes is NULL but the identifiers span %llu "
                             "bytes",
                             (unsigned long long)(offsets[count] - offsets[0]));
    const unsigned char *base = bytes != NULL ? bytes : (const void *)"";
    for (size_t i = 0; i < count; i++) {
        size_t start = (size_t)offsets[i];
        size_t length = (size_t)(offsets[i + 1] - offsets[i]);
        keys[i] = XXH3_64bits(length != 0 ? base + start : base, length);
    }
    return OTAPRIO_OK;
}

/* One key's position, from libxxhash itself (many keys go through
 * bucket_positions.c, which tests hold to this). */
static inline uint64_t position_of(uint64_t salt, uint64_t key)
{
    unsigned char bytes[8];
    otaprio__store_le64(bytes, key);
    return XXH3_64bits_withSeed(bytes, sizeof bytes, salt);
}

uint64_t otaprio_bucket_position(uint64_t salt, uint64_t key)
{
    return position_of(salt, key);
}

static double fraction_of(uint64_t position)
{
    return (double)(position >> 11) * 0x1.0p-53;
}

double otaprio_bucket_fraction(uint64_t salt, uint64_t key)
{
    return fraction_of(position_of(salt, key));
}

/* Keys a batch call hashes at a time: 4 KiB of positions on the stack. */
#define BATCH_BLOCK 512

int otaprio_bucket_batch(uint64_t salt, const uint64_t *keys, size_t count,
                         uint64_t *positions, double *fractions,
                         otaprio_diag *diag)
{
    if (keys == NULL && count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "keys", -1,
                             "keys is NULL with count %zu", count);
    if (positions == NULL && fractions == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "positions", -1,
                             "positions and fractions are both NULL: nothing "
                             "to compute");
    /* Blocks of positions from the vector kernel into a buffer of its own
     * (the caller may hand the keys' array back as positions), then each
     * output from the buffer. */
    uint64_t block[BATCH_BLOCK];
    for (size_t first = 0; first < count; first += BATCH_BLOCK) {
        size_t n = count - first < BATCH_BLOCK ? count - first : BATCH_BLOCK;
        otaprio__bucket_positions(salt, keys + first, n, block);
        if (positions != NULL)
            memcpy(positions + first, block, n * sizeof *block);
        if (fractions != NULL)
            for (size_t i = 0; i < n; i++)
                fractions[first + i] = fraction_of(block[i]);
    }
    return OTAPRIO_OK;
}
