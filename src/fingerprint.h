/* SPDX-License-Identifier: MIT */
/*
 * Feeding settings into an XXH3 state in a fixed byte order, so that a
 * fingerprint (a cohort rollout's, a guardrail rule's) is the same on
 * every machine: integers little-endian, doubles by their bits.
 */
#ifndef OTAPRIO_FINGERPRINT_H
#define OTAPRIO_FINGERPRINT_H

#include "internal.h"

/* Private, inlined: no XXH symbol can leak from the library. */
#define XXH_INLINE_ALL
#include <xxhash.h>

static inline void otaprio__feed_u64(XXH3_state_t *state, uint64_t v)
{
    unsigned char bytes[8];
    otaprio__store_le64(bytes, v);
    (void)XXH3_64bits_update(state, bytes, sizeof bytes);
}

static inline void otaprio__feed_double(XXH3_state_t *state, double v)
{
    otaprio__feed_u64(state, otaprio__bits_of_double(v));
}

#endif /* OTAPRIO_FINGERPRINT_H */
