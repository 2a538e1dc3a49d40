/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the common layer's entry points that take outside data: the
 * size-prefixed struct handling (as every options struct will use it), the
 * diagnostics struct, and key derivation and bucketing over arbitrary bytes.
 * The first input byte picks the operation; the rest is its data. Any
 * crash, sanitizer report or broken invariant (abort) is a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies `size` bytes into a zero-padded buffer aligned for any struct
 * and makes its leading size_t say at most `capacity`, as a caller's
 * struct really is that long. */
static void as_caller_struct(unsigned char *buffer, size_t capacity,
                             const uint8_t *data, size_t size)
{
    memset(buffer, 0, capacity);
    memcpy(buffer, data, size < capacity ? size : capacity);
    size_t declared;
    memcpy(&declared, buffer, sizeof declared);
    declared %= capacity + 1;
    memcpy(buffer, &declared, sizeof declared);
}

static void fuzz_struct_read(const uint8_t *data, size_t size)
{
    /* A struct of three 8-byte fields whose first version had two. */
    static const otaprio__layout layout = {"fuzzed", 24, 16};
    _Alignas(max_align_t) unsigned char caller[64];
    as_caller_struct(caller, sizeof caller, data, size);
    _Alignas(max_align_t) unsigned char full[24] = {0};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio__struct_read(full, caller, &layout, &diag);
    if (status != OTAPRIO_OK && status != OTAPRIO_E_STRUCT_SIZE)
        abort();
    if (status == OTAPRIO_E_STRUCT_SIZE && diag.status != status)
        abort();

    /* The allocator struct the same way: only resolved, never called. */
    enum { ALLOCATOR_ROOM = sizeof(otaprio_allocator) + 32 };
    _Alignas(max_align_t) unsigned char allocator[ALLOCATOR_ROOM];
    as_caller_struct(allocator, sizeof allocator, data, size);
    otaprio__mem mem;
    status = otaprio__mem_resolve(&mem, (const void *)allocator, &diag);
    if (status != OTAPRIO_OK && status != OTAPRIO_E_STRUCT_SIZE &&
        status != OTAPRIO_E_INVALID)
        abort();
}

static void fuzz_diag(const uint8_t *data, size_t size)
{
    _Alignas(max_align_t) unsigned char buffer[sizeof(otaprio_diag) + 64];
    as_caller_struct(buffer, sizeof buffer, data, size);
    size_t declared;
    memcpy(&declared, buffer, sizeof declared);
    otaprio_diag *diag = (otaprio_diag *)(void *)buffer;
    int status = (otaprio_diag_init)(diag, declared);
    if (status != OTAPRIO_OK && status != OTAPRIO_E_STRUCT_SIZE)
        abort();
    if (otaprio__fail(diag, OTAPRIO_E_RANGE, "f", 1, "%.*s", (int)size,
                      (const char *)data) != OTAPRIO_E_RANGE)
        abort();
}

static void fuzz_key_batch(const uint8_t *data, size_t size)
{
    /* The head gives up to 16 offsets as signed steps (so they may
     * decrease); the tail is the identifier bytes. */
    if (size < 1)
        return;
    size_t count = data[0] % 16;
    if (size < 1 + count + 1)
        return;
    const uint8_t *steps = data + 1;
    const uint8_t *bytes = data + 2 + count;
    size_t length = size - 2 - count;
    uint64_t offsets[17];
    int64_t at = steps[0] % (length + 1);
    offsets[0] = (uint64_t)at;
    for (size_t i = 1; i <= count; i++) {
        at += (int8_t)steps[i];
        if (at < 0)
            at = 0;
        if (at > (int64_t)length)
            at = (int64_t)length;
        offsets[i] = (uint64_t)at;
    }
    uint64_t keys[16], sentinel[16];
    memset(keys, 0x5A, sizeof keys);
    memcpy(sentinel, keys, sizeof keys);
    int status = otaprio_key_derive_batch(bytes, offsets, count, keys, NULL);
    if (status == OTAPRIO_OK) {
        for (size_t i = 0; i < count; i++) {
            uint64_t key;
            if (otaprio_key_derive(bytes + offsets[i],
                                   (size_t)(offsets[i + 1] - offsets[i]),
                                   &key) != OTAPRIO_OK ||
                key != keys[i])
                abort();
        }
    } else if (status != OTAPRIO_E_INVALID ||
               memcmp(keys, sentinel, sizeof keys) != 0) {
        abort(); /* a failed batch must leave the keys untouched */
    }
}

static void fuzz_bucket_batch(const uint8_t *data, size_t size)
{
    if (size < 8)
        return;
    uint64_t salt;
    memcpy(&salt, data, 8);
    uint64_t keys[32], positions[32];
    double fractions[32];
    size_t count = (size - 8) / 8;
    if (count > 32)
        count = 32;
    memcpy(keys, data + 8, count * 8);
    if (otaprio_bucket_batch(salt, keys, count, positions, fractions, NULL) !=
        OTAPRIO_OK)
        abort();
    for (size_t i = 0; i < count; i++) {
        if (positions[i] != otaprio_bucket_position(salt, keys[i]) ||
            !(fractions[i] >= 0.0 && fractions[i] < 1.0))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 4) {
    case 0:
        fuzz_struct_read(data + 1, size - 1);
        break;
    case 1:
        fuzz_diag(data + 1, size - 1);
        break;
    case 2:
        fuzz_key_batch(data + 1, size - 1);
        break;
    default:
        fuzz_bucket_batch(data + 1, size - 1);
        break;
    }
    return 0;
}
