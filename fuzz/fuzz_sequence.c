/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the sequential test's state as a host stores it between
 * evaluations (otaprio__sequence_deserialize), and the looks that follow.
 *
 * Input: one byte of flags, then up to OTAPRIO__SEQUENCE_BYTES of state
 * (fewer when the input is shorter, testing the length check), then looks
 * to the end. Flag 0x80 rewrites the state's trailing checksum to match,
 * so that mutations reach the checks behind it (a forger can always do
 * so). Each look is a byte of flags and four numbers, added to the last
 * totals or, by its flags, taken as they are (going backwards, NaN,
 * infinite or negative exposure: all must fail cleanly).
 *
 * Invariants (abort on breach): reading returns OK, E_SYNTAX or E_RANGE
 * and a refusal leaves the target untouched; an accepted state writes
 * back to exactly the bytes read; a look returns OK, E_RANGE or E_LIMIT
 * and a refusal leaves the state untouched; after an accepted look the
 * e-value and p-value are finite and ordered. The same looks are also
 * applied to a fresh state, and every state they build must read back.
 *
 * Seeds (fuzz/corpus/sequence): a fresh state and states after a few
 * looks (serialised by otaprio__sequence_serialize), with and without
 * looks after them, and a short input.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio.h"
#include "stats_sequential.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

typedef struct look {
    uint64_t canary_events;
    double canary_exposure;
    uint64_t baseline_events;
    double baseline_exposure;
} look;

static double take_double(input *in)
{
    uint64_t bits = take_u64(in);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* An exposure increment: small multiples of 1/16 mostly, raw doubles
 * when asked. */
static double take_exposure(input *in, bool raw)
{
    return raw ? take_double(in) : (double)take_u16(in) / 16.0;
}

/* The next look after `last`. */
static look take_look(input *in, const look *last)
{
    uint8_t flags = take_u8(in);
    look next;
    int shift = (flags & 3) * 20; /* events by 1, 2^20 or 2^40 */
    uint64_t dc = (uint64_t)take_u16(in) << shift;
    uint64_t db = (uint64_t)take_u16(in) << shift;
    double tc = take_exposure(in, flags & 4);
    double tb = take_exposure(in, flags & 8);
    if (flags & 16) { /* as they are */
        next.canary_events = dc;
        next.baseline_events = db;
        next.canary_exposure = tc;
        next.baseline_exposure = tb;
    } else {
        next.canary_events = last->canary_events + dc;
        next.baseline_events = last->baseline_events + db;
        next.canary_exposure = last->canary_exposure + tc;
        next.baseline_exposure = last->baseline_exposure + tb;
    }
    return next;
}

/* One look at `s`, checking the invariants. */
static int apply(otaprio__sequence *s, const look *l)
{
    otaprio__sequence before = *s;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio__sequence_observe(
        s, l->canary_events, l->canary_exposure, l->baseline_events,
        l->baseline_exposure, &diag);
    if (status != OTAPRIO_OK) {
        check(status == OTAPRIO_E_RANGE || status == OTAPRIO_E_LIMIT);
        check(diag.status == status);
        check(memcmp(s, &before, sizeof *s) == 0);
        return status;
    }
    double log_p = otaprio__sequence_log_p(s);
    check(isfinite(s->log_e) && isfinite(s->log_e_max));
    check(s->log_e <= s->log_e_max && s->log_e_max >= before.log_e_max);
    check(log_p <= 0.0 && log_p == (s->log_e_max > 0.0 ? -s->log_e_max : 0.0));
    check(s->looks == before.looks + 1);
    check(s->canary_events == l->canary_events &&
          s->baseline_events == l->baseline_events);
    return status;
}

static void reads_back(const otaprio__sequence *s)
{
    unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
    otaprio__sequence_serialize(s, bytes);
    otaprio__sequence back;
    check(otaprio__sequence_deserialize(&back, bytes, sizeof bytes, NULL) ==
          OTAPRIO_OK);
    check(memcmp(&back, s, sizeof back) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    uint8_t flags = take_u8(&in);
    size_t length =
        in.size < OTAPRIO__SEQUENCE_BYTES ? in.size : OTAPRIO__SEQUENCE_BYTES;
    unsigned char state[OTAPRIO__SEQUENCE_BYTES] = {0};
    if (length > 0)
        memcpy(state, in.data, length);
    in.data += length;
    in.size -= length;
    if ((flags & 0x80) && length == OTAPRIO__SEQUENCE_BYTES) {
        /* The checksum is XXH3-64 with seed 0, as otaprio_key_derive(). */
        uint64_t sum;
        check(otaprio_key_derive(state, length - 8, &sum) == OTAPRIO_OK);
        for (int i = 0; i < 8; i++)
            state[length - 8 + i] = (unsigned char)(sum >> (8 * i));
    }

    otaprio__sequence read, sentinel;
    memset(&read, 0xa5, sizeof read);
    sentinel = read;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio__sequence_deserialize(&read, state, length, &diag);
    bool accepted = status == OTAPRIO_OK;
    if (!accepted) {
        check(status == OTAPRIO_E_SYNTAX || status == OTAPRIO_E_RANGE);
        check(diag.status == status);
        check(memcmp(&read, &sentinel, sizeof read) == 0);
    } else {
        unsigned char again[OTAPRIO__SEQUENCE_BYTES];
        otaprio__sequence_serialize(&read, again);
        check(memcmp(again, state, sizeof again) == 0);
    }

    /* A fresh state under the read state's null, or 1. */
    otaprio__sequence fresh;
    check(otaprio__sequence_init(&fresh, accepted ? read.ratio0 : 1.0, NULL) ==
          OTAPRIO_OK);
    look last_read = {0, 0.0, 0, 0.0}, last_fresh = last_read;
    if (accepted) {
        last_read.canary_events = read.canary_events;
        last_read.canary_exposure = read.canary_exposure;
        last_read.baseline_events = read.baseline_events;
        last_read.baseline_exposure = read.baseline_exposure;
    }
    for (int k = 0; k < 64 && in.size > 0; k++) {
        input copy = in;
        if (accepted) {
            look l = take_look(&in, &last_read);
            if (apply(&read, &l) == OTAPRIO_OK)
                last_read = l;
        }
        look l = take_look(&copy, &last_fresh);
        if (!accepted)
            in = copy;
        if (apply(&fresh, &l) == OTAPRIO_OK) {
            last_fresh = l;
            reads_back(&fresh);
        }
    }
    return 0;
}
