/* SPDX-License-Identifier: MIT */
/*
 * Every build of the per-device kernel gives the same answers, bit for
 * bit: the baseline build against the one this processor was given (AVX2
 * on most x86-64), over random fleets and policies that switch each rule
 * on and off.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "risk_fixture.h"
#include "risk_kernel.h"

typedef struct outputs {
    double priority[FIXTURE_MAX], criticality[FIXTURE_MAX],
        delivery[FIXTURE_MAX];
    uint8_t disposition[FIXTURE_MAX];
    uint32_t reasons[FIXTURE_MAX];
} outputs;

static fixture_fleet fleet;
static outputs with_best, with_baseline;

/* With `everything`, criticality and delivery risk too, whose passes run
 * only when asked for: both ways are compared. */
static void score_into(const otaprio_risk_model *model,
                       const otaprio_issue_score *issue, outputs *o,
                       bool everything)
{
    memset(o, 0, sizeof *o);
    otaprio_devices d;
    fixture_fleet_view(&fleet, &d, 0, fleet.count);
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    r.priority = o->priority;
    if (everything) {
        r.criticality = o->criticality;
        r.delivery_risk = o->delivery;
    }
    r.disposition = o->disposition;
    r.reasons = o->reasons;
    assert_int_equal(otaprio_risk_score_devices(model, issue, &d, &r, NULL),
                     OTAPRIO_OK);
}

static void every_kernel_build_gives_the_same_answers(void **state)
{
    (void)state;
    uint64_t s = 2024;
    int compared_another_build = 0;
    for (int round = 0; round < 24; round++) {
        otaprio_risk_policy policy;
        otaprio_risk_policy_init(&policy);
        policy.excluded_classes =
            round % 3 == 0 ? 0u : (uint32_t)splitmix_next(&s);
        policy.catch_up_days = round % 4 == 1 ? 0 : splitmix_below(&s, 40);
        policy.repeated_failures = round % 5 == 2 ? 0 : splitmix_below(&s, 6);
        policy.t0_overrides_window = round % 2;
        otaprio_risk_model *model = fixture_model(&policy);
        otaprio_issue issue;
        fixture_issue(&issue, &s);
        otaprio_issue_score score = fixture_score(model, &issue);
        fixture_fleet_fill(&fleet, FIXTURE_MAX - (size_t)round * 37,
                           splitmix_next(&s));

        const otaprio__risk_kernels *best = model->kernels;
        for (int everything = 0; everything < 2; everything++) {
            model->kernels = best;
            score_into(model, &score, &with_best, everything);
            model->kernels = &otaprio__risk_kernels_baseline;
            score_into(model, &score, &with_baseline, everything);
            assert_memory_equal(&with_best, &with_baseline, sizeof with_best);
        }
        compared_another_build |= best != &otaprio__risk_kernels_baseline;
        otaprio_risk_model_free(model);
    }
#ifdef OTAPRIO__RISK_KERNEL_AVX2
    if (__builtin_cpu_supports("avx2"))
        assert_true(compared_another_build);
#endif
    (void)compared_another_build;
}

/* The kernel builds this processor runs: the baseline, and AVX2 where
 * it is built and supported. */
static size_t runnable_builds(const otaprio__risk_kernels *builds[2])
{
    size_t count = 0;
    builds[count++] = &otaprio__risk_kernels_baseline;
#ifdef OTAPRIO__RISK_KERNEL_AVX2
    if (__builtin_cpu_supports("avx2"))
        builds[count++] = &otaprio__risk_kernels_avx2;
#endif
    return count;
}

/* The kernel's view of a chunk whose columns are all given. */
static otaprio__risk_columns columns_of(const otaprio_devices *d)
{
    otaprio__risk_columns columns = {
        d->device_class, d->customer_tier,
        d->exposure,     d->redundant,
        d->uptime,       d->safe_fallback,
        d->charging,     d->link,
        d->metered,      d->busy,
        d->affected,     d->prerequisite_missing,
        d->excluded,     d->battery,
        d->free_bytes,   d->failed_attempts,
        d->days_offline,
    };
    return columns;
}

/* A value near `at`, or anywhere: the edges of the kernel's unsigned
 * compares (equal, one either side, the sign bit, the ends). */
static uint64_t near_u64(uint64_t *s, uint64_t at, uint64_t max)
{
    switch (splitmix_below(s, 6)) {
    case 0:
        return at;
    case 1:
        return at == 0 ? 0 : at - 1;
    case 2:
        return at == max ? max : at + 1;
    case 3:
        return splitmix_below(s, 2) ? max : max / 2 + 1; /* the sign bit */
    default:
        return splitmix_next(s) & max;
    }
}

/*
 * One block scored by each build straight through the kernel, at every
 * length from 0 to a block (the wide build's 32-device steps and the
 * template's tail), at every alignment of 0 to 31, with the issue's terms
 * and the columns' values drawn at the edges of every rule: classes up to
 * the last one, free bytes at the storage threshold, counts and days past
 * 2^31, batteries at the policy's minimum.
 */
static void every_build_agrees_at_the_edges(void **state)
{
    (void)state;
    const otaprio__risk_kernels *builds[2];
    size_t build_count = runnable_builds(builds);
    static double priority[2][RISK_BLOCK];
    static uint8_t disposition[2][RISK_BLOCK];
    static uint32_t reasons[2][RISK_BLOCK];
    uint64_t s = 31;
    for (int round = 0; round < 40; round++) {
        otaprio_risk_policy policy;
        otaprio_risk_policy_init(&policy);
        policy.excluded_classes = (uint32_t)splitmix_next(&s);
        policy.catch_up_days = round % 4 == 1 ? 0 : splitmix_below(&s, 40);
        policy.repeated_failures = round % 5 == 2 ? 0 : splitmix_below(&s, 6);
        otaprio_risk_model *model = fixture_model(&policy);
        otaprio__risk_terms t;
        memset(&t, 0, sizeof t);
        t.defect_part = (int32_t)splitmix_below(&s, RISK_SCORE_MAX_MILLI + 1);
        t.metered_large = (uint32_t)splitmix_below(&s, 2);
        t.window = (uint32_t)splitmix_below(&s, 2);
        t.all_short = (uint32_t)splitmix_below(&s, 2);
        t.storage_threshold = near_u64(&s, splitmix_next(&s) >> 30, UINT64_MAX);
        size_t offset = (size_t)splitmix_below(&s, 32);
        fixture_fleet_fill(&fleet, RISK_BLOCK + offset, splitmix_next(&s));
        for (size_t i = 0; i < fleet.count; i++) {
            fleet.device_class[i] =
                (uint8_t)splitmix_below(&s, OTAPRIO_DEVICE_CLASS_MAX);
            fleet.free_bytes[i] = near_u64(&s, t.storage_threshold, UINT64_MAX);
            fleet.failed_attempts[i] =
                (uint32_t)near_u64(&s, policy.repeated_failures, UINT32_MAX);
            fleet.days_offline[i] =
                (uint32_t)near_u64(&s, policy.catch_up_days, UINT32_MAX);
            if (splitmix_below(&s, 4) == 0)
                fleet.battery[i] = model->min_battery;
        }
        otaprio_devices d;
        fixture_fleet_view(&fleet, &d, offset, RISK_BLOCK);
        otaprio__risk_columns columns = columns_of(&d);
        for (size_t n = 0; n <= RISK_BLOCK; n++) {
            for (size_t b = 0; b < build_count; b++) {
                memset(reasons[b], 0xee, sizeof reasons[b]);
                otaprio__risk_out out = {priority[b], disposition[b],
                                         reasons[b], NULL, NULL};
                builds[b]->score(model, &t, &columns, n, &out);
            }
            for (size_t b = 1; b < build_count; b++) {
                assert_memory_equal(priority[b], priority[0],
                                    n * sizeof priority[0][0]);
                assert_memory_equal(disposition[b], disposition[0], n);
                assert_memory_equal(reasons[b], reasons[0], sizeof reasons[0]);
            }
        }
        otaprio_risk_model_free(model);
    }
}

/* Sets device `at` of a validated column to `value`: a byte column by
 * its number in validation's order, or the battery (column 13). */
enum { VALIDATED_COLUMNS = 14 };
static void set_validated(fixture_fleet *f, int column, size_t at,
                          unsigned value, float battery)
{
    uint8_t *bytes[] = {
        f->device_class, f->customer_tier, f->exposure, f->redundant,
        f->uptime,       f->safe_fallback, f->charging, f->link,
        f->metered,      f->busy,          f->affected, f->prerequisite_missing,
        f->excluded};
    if (column == VALIDATED_COLUMNS - 1)
        f->battery[at] = battery;
    else
        bytes[column][at] = (uint8_t)value;
}

/* The one-pass scan of a chunk with every column finds one bad value in
 * any column at any place, tail included, and passes the largest valid
 * ones. */
static void every_build_scans_every_column(void **state)
{
    (void)state;
    const otaprio__risk_kernels *builds[2];
    size_t build_count = runnable_builds(builds);
    const unsigned limit[VALIDATED_COLUMNS - 1] = {OTAPRIO_DEVICE_CLASS_MAX,
                                                   RISK_CUSTOMER_TIERS,
                                                   RISK_EXPOSURES,
                                                   2,
                                                   RISK_UPTIMES,
                                                   2,
                                                   2,
                                                   RISK_LINKS,
                                                   2,
                                                   2,
                                                   2,
                                                   2,
                                                   2};
    for (size_t b = 0; b < build_count; b++) {
        for (size_t count = 1; count <= 300; count += 37) {
            for (int column = 0; column < VALIDATED_COLUMNS; column++) {
                for (size_t at = 0; at < count; at += 11) {
                    fixture_fleet_fill(&fleet, count, count + (size_t)column);
                    otaprio_devices d;
                    fixture_fleet_view(&fleet, &d, 0, count);
                    otaprio__risk_columns columns = columns_of(&d);
                    int last = column == VALIDATED_COLUMNS - 1;
                    set_validated(&fleet, column, at,
                                  last ? 0 : limit[column] - 1, 1.0f);
                    assert_false(builds[b]->any_invalid(&columns, count));
                    set_validated(&fleet, column, at, last ? 0 : 255, -0.0f);
                    assert_int_equal(builds[b]->any_invalid(&columns, count),
                                     !last);
                    set_validated(&fleet, column, at, last ? 0 : limit[column],
                                  (float)NAN);
                    assert_true(builds[b]->any_invalid(&columns, count));
                    if (last) {
                        set_validated(&fleet, column, at, 0, 1.0000001f);
                        assert_true(builds[b]->any_invalid(&columns, count));
                        set_validated(&fleet, column, at, 0, -1e-45f);
                        assert_true(builds[b]->any_invalid(&columns, count));
                    }
                }
            }
        }
    }
}

/* The validation scans of every build find a bad value wherever it is,
 * including in the tail a vector loop handles one element at a time. */
static void every_build_finds_bad_values(void **state)
{
    (void)state;
    const otaprio__risk_kernels *builds[2];
    size_t build_count = runnable_builds(builds);
    static uint8_t bytes[257];
    static float batteries[257];
    for (size_t b = 0; b < build_count; b++) {
        for (size_t count = 1; count <= 257; count += 17) {
            for (size_t at = 0; at < count; at += 7) {
                memset(bytes, 2, sizeof bytes);
                for (size_t i = 0; i < count; i++)
                    batteries[i] = 0.5f;
                assert_false(builds[b]->any_at_least(bytes, count, 3));
                assert_false(builds[b]->any_battery_outside(batteries, count));
                bytes[at] = 3;
                batteries[at] = (float)NAN;
                assert_true(builds[b]->any_at_least(bytes, count, 3));
                assert_true(builds[b]->any_battery_outside(batteries, count));
                const float outside[] = {
                    1.5f,       -0.5f,      (float)INFINITY, -(float)INFINITY,
                    1.0000001f, -(float)NAN};
                for (size_t o = 0; o < sizeof outside / sizeof *outside; o++) {
                    batteries[at] = outside[o];
                    assert_true(
                        builds[b]->any_battery_outside(batteries, count));
                }
                const float inside[] = {0.0f, -0.0f, 1.0f, 1e-45f, 0.999f};
                for (size_t v = 0; v < sizeof inside / sizeof *inside; v++) {
                    batteries[at] = inside[v];
                    assert_false(
                        builds[b]->any_battery_outside(batteries, count));
                }
            }
        }
    }
}

/* Every build's totals are a plain count of the block's dispositions and
 * reason bits, whatever the block's length (the wide build's 32-device
 * steps and their tail) and however many devices share a bit. */
static void every_build_counts_the_totals(void **state)
{
    (void)state;
    const otaprio__risk_kernels *builds[2];
    size_t build_count = runnable_builds(builds);
    static double priority[RISK_BLOCK];
    static uint8_t disposition[RISK_BLOCK];
    static uint32_t reasons[RISK_BLOCK];
    otaprio__risk_out out = {priority, disposition, reasons, NULL, NULL};
    const uint32_t every = (1u << OTAPRIO_REASON_COUNT) - 1u;
    uint64_t s = 77;
    for (size_t b = 0; b < build_count; b++) {
        for (size_t n = 0; n <= RISK_BLOCK; n += n < 70 ? 1 : 23) {
            uint64_t want_disposition[4] = {0};
            uint64_t want_reason[OTAPRIO_REASON_COUNT] = {0};
            for (size_t i = 0; i < n; i++) {
                disposition[i] = (uint8_t)splitmix_below(&s, 4);
                /* every bit of every device in some blocks */
                reasons[i] =
                    n % 5 == 0 ? every : (uint32_t)splitmix_next(&s) & every;
                want_disposition[disposition[i]]++;
                for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++)
                    want_reason[bit] += reasons[i] >> bit & 1u;
            }
            otaprio_risk_totals totals;
            memset(&totals, 0, sizeof totals);
            totals.devices = 5; /* counts add to what is there */
            totals.by_reason[0] = 1;
            builds[b]->count(&out, n, &totals);
            assert_int_equal(totals.devices, 5 + n);
            for (int d = 0; d < 4; d++)
                assert_int_equal(totals.by_disposition[d], want_disposition[d]);
            for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++)
                assert_int_equal(totals.by_reason[bit],
                                 want_reason[bit] + (bit == 0));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kernel_build_gives_the_same_answers),
        cmocka_unit_test(every_build_finds_bad_values),
        cmocka_unit_test(every_build_agrees_at_the_edges),
        cmocka_unit_test(every_build_scans_every_column),
        cmocka_unit_test(every_build_counts_the_totals),
    };
    return cmocka_run_group_tests_name("risk_kernel", tests, NULL, NULL);
}
