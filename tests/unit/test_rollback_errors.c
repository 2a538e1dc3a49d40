/* SPDX-License-Identifier: MIT */
/*
 * Rollback decision bad input: every wrong field gets OTAPRIO_E_RANGE and
 * a diagnostic naming it, wrong sizes and NULLs their own codes, and the
 * caller's decision is never touched on failure. The engine allocates
 * nothing, so there is no allocation failure to sweep.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit/rollback_fixture.h"

#define POISON 0xA5

static otaprio_rollback_input valid_input(void)
{
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_OS;
    in.part = OTAPRIO_ROLLBACK_PART_FEATURE;
    in.canary_share = 0.2;
    in.fleet_share = 0.01;
    in.strata_affected = 2;
    in.strata_total = 9;
    in.clusters_affected = 1;
    in.clusters_total = 3;
    in.levers = OTAPRIO_ROLLBACK_LEVER_ALL;
    in.changes = OTAPRIO_ROLLBACK_CHANGE_POLICY;
    in.observe = OTAPRIO_ROLLBACK_OBSERVE_ALL;
    return in;
}

/* Deciding on a spoiled input fails with `status` naming `field`, and the
 * poisoned decision keeps every byte. */
static void expect_error(const otaprio_rollback_input *in, int status,
                         const char *field)
{
    otaprio_rollback_decision decision, before;
    memset(&decision, POISON, sizeof decision);
    decision.size = sizeof decision;
    memcpy(&before, &decision, sizeof decision);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_rollback_decide(in, &decision, &diag), status);
    assert_int_equal(diag.status, status);
    assert_string_equal(diag.field, field);
    assert_true(diag.message[0] != '\0');
    assert_memory_equal(&decision, &before, sizeof decision);
    /* And the same without diagnostics. */
    assert_int_equal(otaprio_rollback_decide(in, &decision, NULL), status);
    assert_memory_equal(&decision, &before, sizeof decision);
}

static void bad_fields_are_named_and_nothing_is_written(void **state)
{
    (void)state;
    otaprio_rollback_input in = valid_input();
    (void)fixture_decide(&in); /* the base is valid */

#define SPOIL(field_, value_, name_)                     \
    do {                                                 \
        otaprio_rollback_input spoiled_ = in;            \
        spoiled_.field_ = (value_);                      \
        expect_error(&spoiled_, OTAPRIO_E_RANGE, name_); \
    } while (0)
    SPOIL(layer, -1, "layer");
    SPOIL(layer, OTAPRIO_LAYER_BATTERY + 1, "layer");
    SPOIL(layer, INT32_MIN, "layer");
    SPOIL(part, -1, "part");
    SPOIL(part, OTAPRIO_ROLLBACK_PART_AUTH_FLOW + 1, "part");
    SPOIL(canary_share, -0x1p-60, "canary_share");
    SPOIL(canary_share, 1.0000001, "canary_share");
    SPOIL(canary_share, (double)NAN, "canary_share");
    SPOIL(canary_share, HUGE_VAL, "canary_share");
    SPOIL(fleet_share, -HUGE_VAL, "fleet_share");
    SPOIL(fleet_share, (double)NAN, "fleet_share");
    SPOIL(fleet_share, 2.0, "fleet_share");
    SPOIL(strata_affected, 10, "strata_affected");
    SPOIL(strata_affected, UINT32_MAX, "strata_affected");
    SPOIL(clusters_affected, 4, "clusters_affected");
    SPOIL(levers, OTAPRIO_ROLLBACK_LEVER_ALL + 1, "levers");
    SPOIL(levers, 1u << 31, "levers");
    SPOIL(changes, OTAPRIO_ROLLBACK_CHANGE_ALL + 1, "changes");
    SPOIL(data_loss, -1, "data_loss");
    SPOIL(data_loss, OTAPRIO_LEVEL_CRITICAL + 1, "data_loss");
    SPOIL(revert_data_loss, 5, "revert_data_loss");
    SPOIL(observe, 1u << 4, "observe");
#undef SPOIL

    /* The bounds themselves are valid, and an unknown total bounds
     * nothing. */
    in.canary_share = 1.0;
    in.fleet_share = 0.0;
    in.strata_affected = in.strata_total;
    in.clusters_affected = in.clusters_total;
    (void)fixture_decide(&in);
    in.strata_total = 0;
    in.strata_affected = 7;
    in.clusters_total = 0;
    in.clusters_affected = 7;
    (void)fixture_decide(&in);
}

/* The first bad field in declaration order is the one named. */
static void first_bad_field_is_reported(void **state)
{
    (void)state;
    otaprio_rollback_input in = valid_input();
    in.fleet_share = (double)NAN;
    in.observe = 0xFF;
    expect_error(&in, OTAPRIO_E_RANGE, "fleet_share");
}

static void null_arguments_and_bad_sizes_are_refused(void **state)
{
    (void)state;
    otaprio_rollback_input in = valid_input();
    otaprio_rollback_decision decision;
    memset(&decision, 0, sizeof decision);
    decision.size = sizeof decision;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_rollback_decide(NULL, &decision, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "input");
    assert_int_equal(otaprio_rollback_decide(&in, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "decision");

    /* An input too small, or a newer one setting unknown fields. */
    otaprio_rollback_input small = in;
    small.size = sizeof small - 1;
    expect_error(&small, OTAPRIO_E_STRUCT_SIZE, "size");
    struct {
        otaprio_rollback_input in;
        unsigned char tail[16];
    } newer;
    memset(&newer, 0, sizeof newer);
    (otaprio_rollback_input_init)(&newer.in, sizeof newer);
    newer.in.layer = OTAPRIO_LAYER_KERNEL;
    assert_int_equal(newer.in.size, sizeof newer);
    (void)fixture_decide(&newer.in); /* a zero tail is fine */
    newer.tail[3] = 1;
    expect_error(&newer.in, OTAPRIO_E_STRUCT_SIZE, "size");

    /* A decision too small is refused and untouched. */
    otaprio_rollback_decision tiny, before;
    memset(&tiny, POISON, sizeof tiny);
    tiny.size = sizeof tiny - 8;
    memcpy(&before, &tiny, sizeof tiny);
    assert_int_equal(otaprio_rollback_decide(&in, &tiny, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "decision");
    assert_memory_equal(&tiny, &before, sizeof tiny);

    /* A newer caller's decision: its tail is left alone. */
    struct {
        otaprio_rollback_decision d;
        unsigned char tail[16];
    } wide;
    memset(&wide, 0, sizeof wide);
    wide.d.size = sizeof wide;
    assert_int_equal(otaprio_rollback_decide(&in, &wide.d, NULL), OTAPRIO_OK);
    assert_int_equal(wide.d.size, sizeof wide);
    for (size_t i = 0; i < sizeof wide.tail; i++)
        assert_int_equal(wide.tail[i], 0);
    otaprio_rollback_decision plain = fixture_decide(&in);
    assert_int_equal(wide.d.tier, plain.tier);

    /* Init: NULL, and a size below the first layout. */
    assert_int_equal((otaprio_rollback_input_init)(NULL, sizeof in),
                     OTAPRIO_E_INVALID);
    memset(&in, POISON, sizeof in);
    otaprio_rollback_input untouched;
    memcpy(&untouched, &in, sizeof in);
    assert_int_equal((otaprio_rollback_input_init)(&in, sizeof in - 1),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_memory_equal(&in, &untouched, sizeof in);
}

static void names_cover_every_value(void **state)
{
    (void)state;
    for (int32_t t = OTAPRIO_ROLLBACK_TIER_NONE;
         t <= OTAPRIO_ROLLBACK_TIER_FULL; t++)
        assert_non_null(otaprio_rollback_tier_name(t));
    assert_string_equal(
        otaprio_rollback_tier_name(OTAPRIO_ROLLBACK_TIER_EXEMPTION),
        "targeted exemption");
    assert_null(otaprio_rollback_tier_name(-1));
    assert_null(otaprio_rollback_tier_name(6));
    static const int32_t reasons[] = {1,  2,  3,  4,  5,  6,  16, 17, 18,
                                      19, 20, 21, 22, 23, 24, 25, 26};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        assert_non_null(otaprio_rollback_reason_name(reasons[i]));
    assert_null(otaprio_rollback_reason_name(0));
    assert_null(otaprio_rollback_reason_name(7));
    assert_null(otaprio_rollback_reason_name(15));
    assert_null(otaprio_rollback_reason_name(27));
    assert_null(otaprio_rollback_reason_name(-3));
    for (int b = 0; b < OTAPRIO_ROLLBACK_STEP_COUNT; b++)
        assert_non_null(otaprio_rollback_step_name(1u << b));
    assert_string_equal(
        otaprio_rollback_step_name(OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION),
        "cache invalidation");
    assert_null(otaprio_rollback_step_name(0));
    assert_null(otaprio_rollback_step_name(3));
    assert_null(otaprio_rollback_step_name(1u << OTAPRIO_ROLLBACK_STEP_COUNT));
    assert_null(otaprio_rollback_step_name(1u << 31));
    for (int b = 0; b < OTAPRIO_ROLLBACK_WEAK_COUNT; b++)
        assert_non_null(otaprio_rollback_weakness_name(1u << b));
    assert_string_equal(
        otaprio_rollback_weakness_name(OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT),
        "no A/B slot");
    assert_null(otaprio_rollback_weakness_name(0));
    assert_null(otaprio_rollback_weakness_name(6));
    assert_null(
        otaprio_rollback_weakness_name(1u << OTAPRIO_ROLLBACK_WEAK_COUNT));
    for (int32_t s = 0; s <= OTAPRIO_ROLLBACK_DRILL_FAILED; s++)
        assert_non_null(otaprio_rollback_drill_status_name(s));
    assert_null(otaprio_rollback_drill_status_name(3));
    assert_null(otaprio_rollback_drill_status_name(-1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_fields_are_named_and_nothing_is_written),
        cmocka_unit_test(first_bad_field_is_reported),
        cmocka_unit_test(null_arguments_and_bad_sizes_are_refused),
        cmocka_unit_test(names_cover_every_value),
    };
    return cmocka_run_group_tests_name("rollback_errors", tests, NULL, NULL);
}
