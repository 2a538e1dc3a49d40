/* SPDX-License-Identifier: MIT */
/*
 * The rollback tier decision: the reference article's cases as named
 * scenarios, the table's promises (more spread or fewer levers never give a
 * lighter tier, an irreversible change never makes rollback stronger)
 * checked over generated grids, and the consistency of every answer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit/rollback_fixture.h"
#include "unit/splitmix.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void assert_reasons(const otaprio_rollback_decision *d,
                           const int32_t *expected, uint32_t count)
{
    assert_int_equal(d->reason_count, count);
    for (uint32_t i = 0; i < count; i++)
        assert_int_equal(d->reasons[i], expected[i]);
}

/* ---- the reference article's cases ------------------------------------ */

static void login_regression_is_solved_by_a_feature_flag(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_APP;
    in.part = OTAPRIO_ROLLBACK_PART_AUTH_FLOW;
    in.canary_share = 0.3; /* everywhere in the canary */
    in.fleet_share = 0.05;
    in.strata_affected = in.strata_total = 10;
    in.levers = FIXTURE_ALL_LEVERS;
    in.observe = FIXTURE_ALL_VIEWS;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_FLAG_OFF |
                                  OTAPRIO_ROLLBACK_STEP_REREGISTER |
                                  OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION);
    const int32_t why[] = {OTAPRIO_ROLLBACK_REASON_FLAG_COVERS};
    assert_reasons(&d, why, COUNT(why));
    assert_true(d.confidence == 1.0);
    assert_int_equal(d.weak, 0);

    /* A flag stops a flow that destroys data, but brings none back. */
    in.data_loss = OTAPRIO_LEVEL_MODERATE;
    assert_true(fixture_decide(&in).confidence == 0.75);
    assert_int_equal(fixture_decide(&in).tier,
                     OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG);
    in.data_loss = OTAPRIO_LEVEL_NONE;

    /* Without the flag, the server-side switch of the flow is next. */
    in.levers &= ~OTAPRIO_ROLLBACK_LEVER_FEATURE_FLAG;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_SERVER_CONFIG);
    const int32_t why_config[] = {OTAPRIO_ROLLBACK_REASON_CONFIG_COVERS,
                                  OTAPRIO_ROLLBACK_REASON_NO_FLAG};
    assert_reasons(&d, why_config, COUNT(why_config));
}

static void config_error_is_fixed_by_a_server_config_switch(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_CONFIG;
    in.canary_share = 1.0;
    in.fleet_share = 0.2;
    in.strata_affected = in.strata_total = 4;
    in.levers = OTAPRIO_ROLLBACK_LEVER_SERVER_CONFIG |
                OTAPRIO_ROLLBACK_LEVER_FEATURE_FLAG;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_SERVER_CONFIG);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE |
                                  OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION);
    /* A flag guards features, not the configuration as a whole. */
    const int32_t why[] = {OTAPRIO_ROLLBACK_REASON_CONFIG_COVERS,
                           OTAPRIO_ROLLBACK_REASON_LAYER_CODE};
    assert_reasons(&d, why, COUNT(why));
    /* Nothing observable: weak, though configuration needs no image. */
    assert_int_equal(d.weak_causes, OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY);
    assert_true(d.wave_factor == 0.5);
}

static otaprio_rollback_input one_sku_failing(void)
{
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_OS;
    in.canary_share = 0.08;
    in.fleet_share = 0.002;
    in.strata_affected = 1;
    in.strata_total = 12;
    in.clusters_affected = 1;
    in.clusters_total = 5;
    in.levers = OTAPRIO_ROLLBACK_LEVER_EXEMPTION |
                OTAPRIO_ROLLBACK_LEVER_AB_SLOT |
                OTAPRIO_ROLLBACK_LEVER_DOWNGRADE;
    in.observe =
        OTAPRIO_ROLLBACK_OBSERVE_BUILD | OTAPRIO_ROLLBACK_OBSERVE_MODEL;
    return in;
}

static void one_failing_sku_is_exempted(void **state)
{
    (void)state;
    otaprio_rollback_input in = one_sku_failing();
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_EXEMPTION);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_EXEMPT);
    const int32_t why[] = {OTAPRIO_ROLLBACK_REASON_CONFINED,
                           OTAPRIO_ROLLBACK_REASON_LAYER_CODE};
    assert_reasons(&d, why, COUNT(why));
    assert_int_equal(d.weak, 0);
    assert_true(d.confidence == 1.0);

    /* Most of the canary failing is not confined, whatever the strata
     * say: the canary may simply have held little but that SKU. */
    otaprio_rollback_input crowded = in;
    crowded.canary_share = 0.51;
    assert_int_equal(fixture_decide(&crowded).tier, OTAPRIO_ROLLBACK_TIER_FULL);
    crowded.canary_share = 0.5;
    assert_int_equal(fixture_decide(&crowded).tier,
                     OTAPRIO_ROLLBACK_TIER_EXEMPTION);

    /* Exempting by model without seeing builds may miss devices. */
    otaprio_rollback_input unseen = in;
    unseen.observe = OTAPRIO_ROLLBACK_OBSERVE_MODEL;
    otaprio_rollback_decision blind = fixture_decide(&unseen);
    assert_int_equal(blind.tier, OTAPRIO_ROLLBACK_TIER_EXEMPTION);
    assert_true(blind.confidence == 0.75);

    /* Once the SKU's share of the fleet is hit, its devices go back. */
    in.fleet_share = 0.03;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_TARGETED);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_EXEMPT |
                                  OTAPRIO_ROLLBACK_STEP_SLOT_SWITCH);
    const int32_t why_targeted[] = {OTAPRIO_ROLLBACK_REASON_CONFINED_BY_BUILD,
                                    OTAPRIO_ROLLBACK_REASON_FLEET_EXPOSED,
                                    OTAPRIO_ROLLBACK_REASON_LAYER_CODE};
    assert_reasons(&d, why_targeted, COUNT(why_targeted));

    /* Without knowing who runs the build, everyone goes back. */
    in.observe = OTAPRIO_ROLLBACK_OBSERVE_MODEL;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_FULL);
    assert_int_equal(d.reasons[1], OTAPRIO_ROLLBACK_REASON_NO_BUILD_VISIBILITY);
    assert_true(d.weak_causes & OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY);
}

static void kernel_reboot_loop_needs_a_full_image_rollback(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_KERNEL;
    in.canary_share = 0.9;
    in.fleet_share = 0.04;
    in.strata_affected = in.strata_total = 12;
    in.clusters_affected = in.clusters_total = 3;
    in.levers = FIXTURE_ALL_LEVERS;
    in.observe = FIXTURE_ALL_VIEWS;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_FULL);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_PAUSE_ROLLOUT |
                                  OTAPRIO_ROLLBACK_STEP_SLOT_SWITCH);
    const int32_t why[] = {OTAPRIO_ROLLBACK_REASON_NOTHING_LIGHTER,
                           OTAPRIO_ROLLBACK_REASON_WIDESPREAD,
                           OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND,
                           OTAPRIO_ROLLBACK_REASON_LAYER_CODE};
    assert_reasons(&d, why, COUNT(why));
    assert_int_equal(d.weak, 0);
    assert_true(d.confidence == 1.0);

    /* A kernel feature behind a flag is still out of a flag's reach:
     * devices in a reboot loop never read it. */
    in.part = OTAPRIO_ROLLBACK_PART_FEATURE;
    assert_int_equal(fixture_decide(&in).tier, OTAPRIO_ROLLBACK_TIER_FULL);
    /* Confined to one SKU, only that SKU's devices go back; a kernel
     * failure is never merely exempted. */
    in.canary_share = 0.1;
    in.strata_affected = 1;
    in.clusters_affected = 1;
    in.fleet_share = 0.001;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_TARGETED);
    assert_int_equal(d.reasons[1], OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND);
}

static void irreversible_key_rotation_makes_rollback_weak(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_OS;
    in.canary_share = 0.6;
    in.fleet_share = 0.1;
    in.strata_affected = in.strata_total = 8;
    in.levers =
        OTAPRIO_ROLLBACK_LEVER_AB_SLOT | OTAPRIO_ROLLBACK_LEVER_DOWNGRADE;
    in.observe = FIXTURE_ALL_VIEWS;
    otaprio_rollback_decision before = fixture_decide(&in);
    assert_int_equal(before.weak, 0);
    assert_true(before.wave_factor == 1.0 && before.soak_factor == 1.0 &&
                before.tolerance_factor == 1.0);

    in.changes = OTAPRIO_ROLLBACK_CHANGE_KEYS;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_FULL);
    assert_int_equal(d.weak, 1);
    assert_int_equal(d.weak_causes, OTAPRIO_ROLLBACK_WEAK_IRREVERSIBLE);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_PAUSE_ROLLOUT |
                                  OTAPRIO_ROLLBACK_STEP_SLOT_SWITCH |
                                  OTAPRIO_ROLLBACK_STEP_KEY_RESTORE |
                                  OTAPRIO_ROLLBACK_STEP_REREGISTER |
                                  OTAPRIO_ROLLBACK_STEP_NOTIFY_USERS);
    assert_true(d.confidence == 0.75);
    assert_true(d.wave_factor == 0.5);
    assert_true(d.soak_factor == 1.5);
    assert_true(d.tolerance_factor == 0.75);

    /* Server expectations too: config restore and cache invalidation
     * join, and the weakness does not double count. */
    in.changes |=
        OTAPRIO_ROLLBACK_CHANGE_SERVER | OTAPRIO_ROLLBACK_CHANGE_DATA_MIGRATION;
    d = fixture_decide(&in);
    assert_true(d.steps & OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE);
    assert_true(d.steps & OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION);
    assert_true(d.steps & OTAPRIO_ROLLBACK_STEP_DATA_RESTORE);
    assert_true(d.wave_factor == 0.5);
}

static void baseband_fix_without_ab_slot_is_weak(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_BASEBAND;
    in.levers = OTAPRIO_ROLLBACK_LEVER_DOWNGRADE;
    in.observe =
        OTAPRIO_ROLLBACK_OBSERVE_BUILD | OTAPRIO_ROLLBACK_OBSERVE_CARRIER;
    /* Before anything fails: nothing to undo, but the plan must narrow. */
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_NONE);
    assert_int_equal(d.steps, 0);
    const int32_t why[] = {OTAPRIO_ROLLBACK_REASON_NOTHING_AFFECTED};
    assert_reasons(&d, why, COUNT(why));
    assert_int_equal(d.weak, 1);
    assert_int_equal(d.weak_causes, OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT);
    assert_true(d.wave_factor == 0.5 && d.soak_factor == 1.5 &&
                d.tolerance_factor == 0.75);

    /* One carrier fails: its devices are reflashed with the old image. */
    in.canary_share = 0.1;
    in.fleet_share = 0.001;
    in.strata_affected = 1;
    in.strata_total = 6;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_TARGETED);
    assert_int_equal(d.steps, OTAPRIO_ROLLBACK_STEP_EXEMPT |
                                  OTAPRIO_ROLLBACK_STEP_IMAGE_DOWNGRADE);

    /* Anti-rollback fuses: the only way back is forward. */
    in.levers = 0;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_TARGETED);
    assert_true(d.steps & OTAPRIO_ROLLBACK_STEP_FIX_FORWARD);
    assert_false(d.steps & OTAPRIO_ROLLBACK_STEP_IMAGE_DOWNGRADE);
    assert_true(d.confidence == 0.5);
    assert_int_equal(d.weak_causes, OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT |
                                        OTAPRIO_ROLLBACK_WEAK_NO_DOWNGRADE);
    assert_true(d.wave_factor == 0.25 && d.soak_factor == 2.25 &&
                d.tolerance_factor == 0.5625);
}

static void defaults_know_nothing_and_are_cautious(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    assert_int_equal(otaprio_rollback_input_init(&in), OTAPRIO_OK);
    assert_int_equal(in.size, sizeof in);
    assert_int_equal(in.layer, OTAPRIO_LAYER_APP);
    assert_int_equal(in.part, OTAPRIO_ROLLBACK_PART_LAYER);
    assert_int_equal(in.levers, 0);
    assert_int_equal(in.observe, 0);
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_NONE);
    assert_int_equal(d.weak_causes,
                     OTAPRIO_ROLLBACK_WEAK_NO_DOWNGRADE |
                         OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY);
    /* Any spread at all, with no lever and nothing known: all of it. */
    in.canary_share = 0x1p-30;
    d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_FULL);
    const int32_t why[] = {OTAPRIO_ROLLBACK_REASON_NOTHING_LIGHTER,
                           OTAPRIO_ROLLBACK_REASON_UNLOCALISED,
                           OTAPRIO_ROLLBACK_REASON_LAYER_CODE};
    assert_reasons(&d, why, COUNT(why));
}

static void failure_destroying_data_is_reverted_not_exempted(void **state)
{
    (void)state;
    otaprio_rollback_input in = one_sku_failing();
    in.data_loss = OTAPRIO_LEVEL_MODERATE;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.tier, OTAPRIO_ROLLBACK_TIER_TARGETED);
    assert_int_equal(d.reasons[1], OTAPRIO_ROLLBACK_REASON_DATA_LOSS);
    assert_true(d.steps & OTAPRIO_ROLLBACK_STEP_NOTIFY_USERS);
    /* A revert that loses data itself is weak and must restore it. */
    in.revert_data_loss = OTAPRIO_LEVEL_HIGH;
    d = fixture_decide(&in);
    assert_true(d.steps & OTAPRIO_ROLLBACK_STEP_DATA_RESTORE);
    assert_int_equal(d.weak_causes, OTAPRIO_ROLLBACK_WEAK_REVERT_DATA_LOSS);
    assert_true(d.confidence == 0.75);
}

static void untested_classes_weaken_rollback(void **state)
{
    (void)state;
    otaprio_rollback_input in = one_sku_failing();
    in.untested_classes = 2;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.weak_causes, OTAPRIO_ROLLBACK_WEAK_UNTESTED);
    assert_true(d.wave_factor == 0.75 && d.soak_factor == 1.25 &&
                d.tolerance_factor == 0.875);
}

static void compensation_is_bounded(void **state)
{
    (void)state;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = OTAPRIO_LAYER_BOOTLOADER;
    in.changes = OTAPRIO_ROLLBACK_CHANGE_ALL;
    in.revert_data_loss = OTAPRIO_LEVEL_CRITICAL;
    in.untested_classes = 1;
    otaprio_rollback_decision d = fixture_decide(&in);
    assert_int_equal(d.weak_causes, (1u << OTAPRIO_ROLLBACK_WEAK_COUNT) - 1u);
    assert_true(d.wave_factor == 0.0625);
    assert_true(d.soak_factor == 4.0);
    assert_true(d.tolerance_factor == 0.25);
}

/* ---- properties over generated grids ---------------------------------- */

static const double shares[] = {0.0,  0x1p-40, 0.005, 0.01, 0.0100001,
                                0.05, 0.3,     0.5,   0.51, 1.0};

static otaprio_rollback_input random_input(uint64_t *rng)
{
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = (int32_t)splitmix_below(rng, 7);
    in.part = (int32_t)splitmix_below(rng, 3);
    in.canary_share = shares[splitmix_below(rng, COUNT(shares))];
    in.fleet_share = shares[splitmix_below(rng, COUNT(shares))];
    in.strata_total = splitmix_below(rng, 6);
    in.strata_affected = in.strata_total != 0
                             ? splitmix_below(rng, in.strata_total + 1)
                             : splitmix_below(rng, 3);
    in.clusters_total = splitmix_below(rng, 5);
    in.clusters_affected = in.clusters_total != 0
                               ? splitmix_below(rng, in.clusters_total + 1)
                               : splitmix_below(rng, 3);
    in.levers = splitmix_below(rng, OTAPRIO_ROLLBACK_LEVER_ALL + 1);
    in.changes = splitmix_below(rng, OTAPRIO_ROLLBACK_CHANGE_ALL + 1);
    in.data_loss = (int32_t)splitmix_below(rng, 5);
    in.revert_data_loss = (int32_t)splitmix_below(rng, 5);
    in.observe = splitmix_below(rng, OTAPRIO_ROLLBACK_OBSERVE_ALL + 1);
    in.untested_classes = splitmix_below(rng, 3);
    if (splitmix_below(rng, 8) == 0) { /* nothing has failed yet */
        in.canary_share = in.fleet_share = 0.0;
        in.strata_affected = in.clusters_affected = 0;
    }
    return in;
}

enum { SAMPLES = 20000 };

/* Each way of spreading further, applied once if it is possible. */
static bool spread_more(otaprio_rollback_input *in, int how, uint64_t *rng)
{
    switch (how) {
    case 0:
        if (in->canary_share >= 1.0)
            return false;
        in->canary_share += (1.0 - in->canary_share) *
                            shares[1 + splitmix_below(rng, COUNT(shares) - 1)];
        return true;
    case 1:
        if (in->fleet_share >= 1.0)
            return false;
        in->fleet_share += (1.0 - in->fleet_share) *
                           shares[1 + splitmix_below(rng, COUNT(shares) - 1)];
        return true;
    case 2:
        if (in->strata_total != 0 && in->strata_affected >= in->strata_total)
            return false;
        in->strata_affected++;
        return true;
    default:
        if (in->clusters_total != 0 &&
            in->clusters_affected >= in->clusters_total)
            return false;
        in->clusters_affected++;
        return true;
    }
}

static void more_spread_never_gives_a_lighter_tier(void **state)
{
    (void)state;
    uint64_t rng = 0x5eed0001;
    unsigned heavier = 0;
    for (int n = 0; n < SAMPLES; n++) {
        otaprio_rollback_input in = random_input(&rng);
        int32_t tier = fixture_decide(&in).tier;
        for (int how = 0; how < 4; how++) {
            otaprio_rollback_input more = in;
            if (!spread_more(&more, how, &rng))
                continue;
            int32_t after = fixture_decide(&more).tier;
            assert_true(after >= tier);
            heavier += after > tier;
        }
    }
    assert_true(heavier > 100); /* the grid does cross the thresholds */
}

/* Every lever set, every part, layer and view, at several spreads. */
static void removing_a_lever_never_gives_a_lighter_tier(void **state)
{
    (void)state;
    uint64_t rng = 0x5eed0002;
    unsigned heavier = 0;
    for (int n = 0; n < 24; n++) {
        otaprio_rollback_input base = random_input(&rng);
        for (int32_t layer = 0; layer <= OTAPRIO_LAYER_BATTERY; layer++)
            for (int32_t part = 0; part <= OTAPRIO_ROLLBACK_PART_AUTH_FLOW;
                 part++)
                for (uint32_t observe = 0;
                     observe <= OTAPRIO_ROLLBACK_OBSERVE_ALL; observe += 5)
                    for (uint32_t levers = 0;
                         levers <= OTAPRIO_ROLLBACK_LEVER_ALL; levers++) {
                        otaprio_rollback_input in = base;
                        in.layer = layer;
                        in.part = part;
                        in.observe = observe;
                        in.levers = levers;
                        otaprio_rollback_decision d = fixture_decide(&in);
                        for (uint32_t bit = 1;
                             bit <= OTAPRIO_ROLLBACK_LEVER_ALL; bit <<= 1) {
                            if (!(levers & bit))
                                continue;
                            otaprio_rollback_input fewer = in;
                            fewer.levers &= ~bit;
                            otaprio_rollback_decision f =
                                fixture_decide(&fewer);
                            assert_true(f.tier >= d.tier);
                            heavier += f.tier > d.tier;
                            /* A lost lever never strengthens rollback. */
                            assert_true((f.weak_causes & d.weak_causes) ==
                                        d.weak_causes);
                            assert_true(f.wave_factor <= d.wave_factor);
                        }
                    }
    }
    assert_true(heavier > 100);
}

static void irreversible_change_never_makes_rollback_stronger(void **state)
{
    (void)state;
    uint64_t rng = 0x5eed0003;
    unsigned weaker = 0;
    for (int n = 0; n < SAMPLES; n++) {
        otaprio_rollback_input in = random_input(&rng);
        otaprio_rollback_decision d = fixture_decide(&in);
        for (uint32_t bit = 1; bit <= OTAPRIO_ROLLBACK_CHANGE_ALL; bit <<= 1) {
            if (in.changes & bit)
                continue;
            otaprio_rollback_input more = in;
            more.changes |= bit;
            otaprio_rollback_decision m = fixture_decide(&more);
            assert_true(m.weak >= d.weak);
            assert_true((m.weak_causes & d.weak_causes) == d.weak_causes);
            assert_true(m.wave_factor <= d.wave_factor);
            assert_true(m.soak_factor >= d.soak_factor);
            assert_true(m.tolerance_factor <= d.tolerance_factor);
            assert_true(m.confidence <= d.confidence);
            /* The revert's restore steps only grow. */
            assert_true((m.steps & d.steps) == d.steps);
            assert_int_equal(m.tier, d.tier);
            weaker += m.wave_factor < d.wave_factor;
        }
    }
    assert_true(weaker > 100);
}

/* Every answer agrees with itself: the first reason names the tier, the
 * others are lighter tiers' rule-outs, steps exist exactly when there is
 * something to undo, and the numbers stay within their documented
 * bounds. */
static void every_decision_is_consistent(void **state)
{
    (void)state;
    static const int32_t chosen[] = {OTAPRIO_ROLLBACK_REASON_NOTHING_AFFECTED,
                                     OTAPRIO_ROLLBACK_REASON_FLAG_COVERS,
                                     OTAPRIO_ROLLBACK_REASON_CONFIG_COVERS,
                                     OTAPRIO_ROLLBACK_REASON_CONFINED,
                                     OTAPRIO_ROLLBACK_REASON_CONFINED_BY_BUILD,
                                     OTAPRIO_ROLLBACK_REASON_NOTHING_LIGHTER};
    uint64_t rng = 0x5eed0004;
    unsigned seen[6] = {0};
    for (int n = 0; n < SAMPLES; n++) {
        otaprio_rollback_input in = random_input(&rng);
        otaprio_rollback_decision d = fixture_decide(&in);
        assert_in_range(d.tier, OTAPRIO_ROLLBACK_TIER_NONE,
                        OTAPRIO_ROLLBACK_TIER_FULL);
        seen[d.tier]++;
        assert_true(d.reason_count >= 1 &&
                    d.reason_count <= OTAPRIO_ROLLBACK_MAX_REASONS);
        assert_int_equal(d.reasons[0], chosen[d.tier]);
        for (uint32_t i = 1; i < d.reason_count; i++) {
            assert_true(d.reasons[i] >= OTAPRIO_ROLLBACK_REASON_LAYER_CODE);
            assert_non_null(otaprio_rollback_reason_name(d.reasons[i]));
            for (uint32_t j = 0; j < i; j++)
                assert_int_not_equal(d.reasons[i], d.reasons[j]);
        }
        for (uint32_t i = d.reason_count; i < OTAPRIO_ROLLBACK_MAX_REASONS; i++)
            assert_int_equal(d.reasons[i], 0);
        assert_int_equal(d.steps == 0, d.tier == OTAPRIO_ROLLBACK_TIER_NONE);
        assert_int_equal(d.steps >> OTAPRIO_ROLLBACK_STEP_COUNT, 0);
        assert_true(d.confidence > 0.0 && d.confidence <= 1.0);
        assert_int_equal(d.weak, d.weak_causes != 0);
        assert_int_equal(d.weak_causes >> OTAPRIO_ROLLBACK_WEAK_COUNT, 0);
        assert_true(d.wave_factor >= 0.0625 && d.wave_factor <= 1.0);
        assert_true(d.soak_factor >= 1.0 && d.soak_factor <= 4.0);
        assert_true(d.tolerance_factor >= 0.25 && d.tolerance_factor <= 1.0);
        assert_int_equal(d.wave_factor == 1.0, d.weak == 0);
        /* Same input, same bytes. */
        otaprio_rollback_decision again = fixture_decide(&in);
        assert_memory_equal(&again, &d, sizeof d);
    }
    /* Every tier is reached (the exemption, whose row has the most
     * conditions, about 50 times in 20000). */
    for (int t = 0; t < 6; t++)
        assert_true(seen[t] > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_regression_is_solved_by_a_feature_flag),
        cmocka_unit_test(config_error_is_fixed_by_a_server_config_switch),
        cmocka_unit_test(one_failing_sku_is_exempted),
        cmocka_unit_test(kernel_reboot_loop_needs_a_full_image_rollback),
        cmocka_unit_test(irreversible_key_rotation_makes_rollback_weak),
        cmocka_unit_test(baseband_fix_without_ab_slot_is_weak),
        cmocka_unit_test(defaults_know_nothing_and_are_cautious),
        cmocka_unit_test(failure_destroying_data_is_reverted_not_exempted),
        cmocka_unit_test(untested_classes_weaken_rollback),
        cmocka_unit_test(compensation_is_bounded),
        cmocka_unit_test(more_spread_never_gives_a_lighter_tier),
        cmocka_unit_test(removing_a_lever_never_gives_a_lighter_tier),
        cmocka_unit_test(irreversible_change_never_makes_rollback_stronger),
        cmocka_unit_test(every_decision_is_consistent),
    };
    return cmocka_run_group_tests_name("rollback", tests, NULL, NULL);
}
