/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the rollback engine's entry points: a decision on an input whose
 * fields (NaN, infinities and raw bits included) and size come from the
 * bytes, and a drill check on small class and drill tables with fuzzed
 * columns.
 *
 * The input is read front to back as a series of choices; once it runs
 * out every further choice reads zero, which picks the common case (true
 * struct sizes, in-range values). Any crash, sanitizer report or broken
 * invariant (abort) is a finding. The invariants are the header's
 * promises: documented statuses, outputs untouched on failure, a decision
 * consistent with itself and within its bounds, the same answer twice,
 * the three monotonicity properties of docs/rollback.md, and drill
 * statuses that agree with the uncovered count.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/rollback.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { TAIL = 16, POISON = 0xA5, MAX_ROWS = 16 };

/* Shares on and next to the thresholds of the tier table, NaN and
 * infinities, ordinary fractions, or raw bits. */
static double take_share(input *in)
{
    static const double special[] = {
        0.0,       -0.0,      1.0,        0.5,       0.01,     0.0100000001,
        0.5000001, 0x1p-1074, -0x1p-1074, 1.0000001, HUGE_VAL, -HUGE_VAL};
    uint8_t pick = take_u8(in);
    if (pick < COUNT(special))
        return special[pick];
    if (pick == 255) {
        uint64_t bits = take_u64(in);
        double value;
        memcpy(&value, &bits, sizeof value);
        return value;
    }
    if (pick == 254)
        return (double)NAN;
    return (double)take_u16(in) / 65535.0;
}

/* Around an enum's range, or anything. */
static int32_t take_enum(input *in)
{
    uint8_t pick = take_u8(in);
    if (pick < 240)
        return (int32_t)(pick % 10) - 1;
    return (int32_t)take_u32(in);
}

static uint32_t take_count(input *in)
{
    uint8_t pick = take_u8(in);
    return pick < 250 ? pick % 16u : take_u32(in);
}

static uint32_t take_bits(input *in)
{
    uint8_t pick = take_u8(in);
    return pick < 250 ? pick & 0x1Fu : take_u32(in);
}

static bool input_ok(const otaprio_rollback_input *in)
{
    return in->layer >= 0 && in->layer <= OTAPRIO_LAYER_BATTERY &&
           in->part >= 0 && in->part <= OTAPRIO_ROLLBACK_PART_AUTH_FLOW &&
           in->canary_share >= 0.0 && in->canary_share <= 1.0 &&
           in->fleet_share >= 0.0 && in->fleet_share <= 1.0 &&
           (in->strata_total == 0 || in->strata_affected <= in->strata_total) &&
           (in->clusters_total == 0 ||
            in->clusters_affected <= in->clusters_total) &&
           (in->levers & ~OTAPRIO_ROLLBACK_LEVER_ALL) == 0 &&
           (in->changes & ~OTAPRIO_ROLLBACK_CHANGE_ALL) == 0 &&
           in->data_loss >= 0 && in->data_loss <= OTAPRIO_LEVEL_CRITICAL &&
           in->revert_data_loss >= 0 &&
           in->revert_data_loss <= OTAPRIO_LEVEL_CRITICAL &&
           (in->observe & ~OTAPRIO_ROLLBACK_OBSERVE_ALL) == 0;
}

static void take_input(input *in, otaprio_rollback_input *r)
{
    CHECK(otaprio_rollback_input_init(r) == OTAPRIO_OK);
    r->layer = take_enum(in);
    r->part = take_enum(in);
    r->canary_share = take_share(in);
    r->fleet_share = take_share(in);
    r->strata_affected = take_count(in);
    r->strata_total = take_count(in);
    r->clusters_affected = take_count(in);
    r->clusters_total = take_count(in);
    r->levers = take_bits(in);
    r->changes = take_bits(in);
    r->data_loss = take_enum(in);
    r->revert_data_loss = take_enum(in);
    r->observe = take_bits(in);
    r->untested_classes = take_count(in);
}

/* Decides; on failure checks the decision is untouched and returns the
 * status. */
static int decide(const otaprio_rollback_input *in,
                  otaprio_rollback_decision *d)
{
    otaprio_rollback_decision before;
    memset(d, POISON, sizeof *d);
    d->size = sizeof *d;
    memcpy(&before, d, sizeof before);
    otaprio_diag diag;
    CHECK(otaprio_diag_init(&diag) == OTAPRIO_OK);
    int status = otaprio_rollback_decide(in, d, &diag);
    if (status != OTAPRIO_OK) {
        CHECK(memcmp(d, &before, sizeof before) == 0);
        CHECK(diag.status == status && diag.field != NULL);
    }
    return status;
}

static void check_decision(const otaprio_rollback_decision *d)
{
    CHECK(d->size == sizeof *d);
    CHECK(otaprio_rollback_tier_name(d->tier) != NULL);
    CHECK(d->reason_count >= 1 &&
          d->reason_count <= OTAPRIO_ROLLBACK_MAX_REASONS);
    for (uint32_t i = 0; i < d->reason_count; i++)
        CHECK(otaprio_rollback_reason_name(d->reasons[i]) != NULL);
    CHECK(d->reasons[0] == OTAPRIO_ROLLBACK_REASON_NOTHING_AFFECTED + d->tier);
    CHECK((d->steps == 0) == (d->tier == OTAPRIO_ROLLBACK_TIER_NONE));
    for (uint32_t b = 0; b < 32; b++)
        if (d->steps & (1u << b))
            CHECK(otaprio_rollback_step_name(1u << b) != NULL);
    CHECK(d->confidence > 0.0 && d->confidence <= 1.0);
    CHECK(d->weak == (d->weak_causes != 0));
    for (uint32_t b = 0; b < 32; b++)
        if (d->weak_causes & (1u << b))
            CHECK(otaprio_rollback_weakness_name(1u << b) != NULL);
    CHECK(d->wave_factor >= 0.0625 && d->wave_factor <= 1.0);
    CHECK(d->soak_factor >= 1.0 && d->soak_factor <= 4.0);
    CHECK(d->tolerance_factor >= 0.25 && d->tolerance_factor <= 1.0);
}

static void fuzz_decide(input *in)
{
    _Alignas(max_align_t) unsigned char
        buffer[sizeof(otaprio_rollback_input) + TAIL];
    memset(buffer, 0, sizeof buffer);
    otaprio_rollback_input r;
    take_input(in, &r);
    memcpy(buffer, &r, sizeof r);
    /* The size: usually true, else smaller or larger with a fuzzed tail. */
    size_t size = sizeof r;
    uint8_t pick = take_u8(in);
    if (pick >= 240) {
        size = pick & 1u ? take_u8(in) % sizeof r
                         : sizeof r + 1 + take_u8(in) % TAIL;
        if (size > sizeof r)
            for (size_t i = sizeof r; i < size; i++)
                buffer[i] = take_u8(in) & 1u ? take_u8(in) : 0;
    }
    memcpy(buffer, &size, sizeof size);
    bool tail_ok = true;
    for (size_t i = sizeof r; i < size; i++)
        tail_ok &= buffer[i] == 0;
    const otaprio_rollback_input *caller =
        (const otaprio_rollback_input *)(const void *)buffer;

    otaprio_rollback_decision d;
    int status = decide(caller, &d);
    if (size < sizeof r || !tail_ok) {
        CHECK(status == OTAPRIO_E_STRUCT_SIZE);
        return;
    }
    if (!input_ok(&r)) {
        CHECK(status == OTAPRIO_E_RANGE);
        return;
    }
    CHECK(status == OTAPRIO_OK);
    check_decision(&d);
    otaprio_rollback_decision again;
    CHECK(decide(&r, &again) == OTAPRIO_OK);
    CHECK(memcmp(&again, &d, sizeof d) == 0);

    /* More spread: never a lighter tier. */
    otaprio_rollback_input more = r;
    if (more.canary_share < 1.0)
        more.canary_share = take_share(in);
    if (!(more.canary_share >= r.canary_share && more.canary_share <= 1.0))
        more.canary_share = r.canary_share;
    if (r.strata_total == 0 || r.strata_affected < r.strata_total)
        more.strata_affected += take_u8(in) & 1u;
    if (r.clusters_total == 0 || r.clusters_affected < r.clusters_total)
        more.clusters_affected += take_u8(in) & 1u;
    otaprio_rollback_decision m;
    CHECK(decide(&more, &m) == OTAPRIO_OK);
    CHECK(m.tier >= d.tier);

    /* A lever fewer: never a lighter tier, never stronger rollback. */
    otaprio_rollback_input fewer = r;
    fewer.levers &= ~(1u << (take_u8(in) % 5));
    CHECK(decide(&fewer, &m) == OTAPRIO_OK);
    CHECK(m.tier >= d.tier);
    CHECK((m.weak_causes & d.weak_causes) == d.weak_causes);

    /* An irreversible change more: never stronger rollback. */
    otaprio_rollback_input changed = r;
    changed.changes |= 1u << (take_u8(in) % 4);
    CHECK(decide(&changed, &m) == OTAPRIO_OK);
    CHECK(m.tier == d.tier);
    CHECK((m.weak_causes & d.weak_causes) == d.weak_causes);
    CHECK(m.wave_factor <= d.wave_factor && m.soak_factor >= d.soak_factor &&
          m.tolerance_factor <= d.tolerance_factor &&
          m.confidence <= d.confidence);
}

static void fuzz_drills(input *in)
{
    uint64_t ids[MAX_ROWS], drill_ids[MAX_ROWS];
    uint8_t cond[MAX_ROWS], dcond[MAX_ROWS], tested[MAX_ROWS], ok[MAX_ROWS];
    otaprio_rollback_classes classes;
    CHECK(otaprio_rollback_classes_init(&classes) == OTAPRIO_OK);
    otaprio_rollback_drills drills;
    CHECK(otaprio_rollback_drills_init(&drills) == OTAPRIO_OK);
    classes.count = take_u8(in) % (MAX_ROWS + 1);
    drills.count = take_u8(in) % (MAX_ROWS + 1);
    bool valid = true;
    for (size_t i = 0; i < MAX_ROWS; i++) {
        ids[i] = take_u8(in) % 4;
        cond[i] = take_u8(in) % 9; /* 8 is an unknown bit */
        drill_ids[i] = take_u8(in) % 4;
        dcond[i] = take_u8(in) % 9;
        tested[i] = take_u8(in) % 3 != 0;
        ok[i] = take_u8(in) % 5;
        ok[i] = ok[i] < 3 ? ok[i] & tested[i] : ok[i] == 3 ? 1 : 2;
    }
    classes.class_id = ids;
    classes.conditions = take_u8(in) & 1u ? NULL : cond;
    drills.class_id = drill_ids;
    drills.conditions = take_u8(in) & 1u ? NULL : dcond;
    drills.tested = take_u8(in) & 1u ? NULL : tested;
    drills.succeeded = ok;
    for (size_t i = 0; i < classes.count; i++)
        valid &= classes.conditions == NULL || cond[i] < 8;
    for (size_t i = 0; i < drills.count; i++) {
        valid &= drills.conditions == NULL || dcond[i] < 8;
        valid &= ok[i] <= 1;
        valid &= drills.tested == NULL || !ok[i] || tested[i];
    }
    uint8_t status[MAX_ROWS + 1];
    memset(status, POISON, sizeof status);
    size_t uncovered = 777;
    int rc = otaprio_rollback_drill_check(&classes, &drills, status, &uncovered,
                                          NULL);
    if (!valid) {
        CHECK(rc == OTAPRIO_E_RANGE);
        CHECK(uncovered == 777);
        for (size_t i = 0; i < sizeof status; i++)
            CHECK(status[i] == POISON);
        return;
    }
    CHECK(rc == OTAPRIO_OK);
    size_t missing = 0;
    for (size_t i = 0; i < classes.count; i++) {
        CHECK(otaprio_rollback_drill_status_name(status[i]) != NULL);
        missing += status[i] != OTAPRIO_ROLLBACK_DRILL_COVERED;
    }
    CHECK(missing == uncovered);
    CHECK(status[classes.count] == POISON);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    fuzz_decide(&in);
    fuzz_drills(&in);
    return 0;
}
