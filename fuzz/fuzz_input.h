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

#endif
