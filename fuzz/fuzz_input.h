/* SPDX-License-Identifier: MIT */
/*
 * How the fuzz targets read their input: front to back, as a series of
 * choices. Once the input runs out every further choice reads zero, which
 * picks the common case, so short inputs still reach every entry point.
 * Multi-byte values are little-endian, so a corpus file means the same on
 * every host.
 */
#ifndef OTAPRIO_FUZZ_INPUT_H
#define OTAPRIO_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stops the run, so libFuzzer keeps the input, when an invariant of the
 * library's answer does not hold. */
#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) {                                                 \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, \
                    __LINE__, #cond);                                  \
            abort();                                                   \
        }                                                              \
    } while (0)

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct input {
    const uint8_t *data;
    size_t size;
} input;

static inline uint8_t take_u8(input *in)
{
    if (in->size == 0)
        return 0;
    in->size--;
    return *in->data++;
}

static inline uint64_t take_le(input *in, int bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++)
        value |= (uint64_t)take_u8(in) << (8 * i);
    return value;
}

static inline uint16_t take_u16(input *in)
{
    return (uint16_t)take_le(in, 2);
}

static inline uint32_t take_u32(input *in)
{
    return (uint32_t)take_le(in, 4);
}

static inline uint64_t take_u64(input *in)
{
    return take_le(in, 8);
}

/*
 * A double: one of a target's `count` special values (the edges its checks
 * draw, NaN, infinities) when the next byte picks one, a fixed-point value
 * (a 16-bit integer over `scale`) when it is below `fixed_below`, else raw
 * bits (NaN payloads, denormals, huge values).
 */
static inline double take_double_among(input *in, const double *special,
                                       size_t count, uint8_t fixed_below,
                                       double scale)
{
    uint8_t pick = take_u8(in);
    if (pick < count)
        return special[pick];
    if (pick < fixed_below)
        return (double)(int16_t)take_u16(in) / scale;
    uint64_t bits = take_u64(in);
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

#endif
