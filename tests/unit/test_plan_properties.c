/* SPDX-License-Identifier: MIT */
/*
 * The rollout shape's promises, over every layer, every mix of delayed
 * failures and every way back the rollback engine can describe: a higher
 * tier never gets a slower shape, weak rollback never widens a wave nor
 * shortens a soak, sizing by power only ever enlarges the first canary
 * and keeps the schedule a valid one. Then the same promises end to end.
 */
#include <math.h>
#include <stdint.h>

#include "plan_internal.h"
#include "unit/plan_check.h"

/* Every way back: each subset of levers, irreversible changes and views,
 * at a layer; returns how many decisions were written. */
static size_t ways_back(int32_t layer, otaprio_rollback_decision *out,
                        size_t capacity)
{
    size_t n = 0;
    for (uint32_t levers = 0; levers <= OTAPRIO_ROLLBACK_LEVER_ALL; levers++)
        for (uint32_t changes = 0; changes <= 1; changes++)
            for (uint32_t observe = 0; observe <= OTAPRIO_ROLLBACK_OBSERVE_ALL;
                 observe += 5) {
                otaprio_rollback_input in;
                otaprio_rollback_input_init(&in);
                in.layer = layer;
                in.levers = levers;
                in.changes = changes ? OTAPRIO_ROLLBACK_CHANGE_KEYS : 0;
                in.observe = observe;
                in.canary_share = 1.0;
                assert_true(n < capacity);
                out[n].size = sizeof out[n];
                assert_int_equal(otaprio_rollback_decide(&in, &out[n], NULL),
                                 OTAPRIO_OK);
                n++;
            }
    return n;
}

static double first_fraction(const otaprio__plan_shape *s)
{
    return s->fraction[0];
}

static void higher_tier_is_never_slower(void **state)
{
    (void)state;
    static const int rings[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    otaprio_rollback_decision ways[256];
    size_t checked = 0;
    for (int32_t layer = OTAPRIO_LAYER_APP; layer <= OTAPRIO_LAYER_BATTERY;
         layer++) {
        size_t n = ways_back(layer, ways, 256);
        for (size_t w = 0; w < n; w++)
            for (uint32_t delayed = 0; delayed <= OTAPRIO_PLAN_DELAYED_ALL;
                 delayed++)
                for (int r = 0; r < 4; r++) {
                    otaprio__plan_shape s[5];
                    /* s[0] is a break-glass push, s[1..4] tiers T0..T3. */
                    otaprio__plan_shape_of(OTAPRIO_TIER_T2, 1, layer, delayed,
                                           &ways[w], &s[0]);
                    for (int32_t t = 0; t < 4; t++)
                        otaprio__plan_shape_of(t, 0, layer, delayed, &ways[w],
                                               &s[t + 1]);
                    for (int k = 0; k < 4; k++) {
                        assert_true(
                            otaprio__plan_shape_hours(&s[k], rings[r]) <=
                            otaprio__plan_shape_hours(&s[k + 1], rings[r]));
                        assert_true(first_fraction(&s[k]) >=
                                    first_fraction(&s[k + 1]));
                        assert_true(s[k].waves <= s[k + 1].waves);
                        checked++;
                    }
                }
    }
    assert_true(checked > 10000);
}

static void assert_valid_schedule(const otaprio__plan_shape *s)
{
    assert_true(s->waves >= 2 && s->waves <= OTAPRIO__PLAN_MAX_COHORT_WAVES);
    for (uint32_t k = 0; k < s->waves; k++) {
        assert_true(s->fraction[k] > 0.0 && s->fraction[k] <= 1.0);
        if (k > 0)
            assert_true(s->fraction[k] > s->fraction[k - 1]);
        assert_true(s->soak[k] >= 0.0);
    }
    assert_true(s->fraction[s->waves - 1] == 1.0);
    assert_true(s->soak[s->waves - 1] == 0.0);
}

static void weak_rollback_never_widens(void **state)
{
    (void)state;
    otaprio_rollback_decision ways[256];
    size_t compared = 0;
    for (int32_t layer = OTAPRIO_LAYER_APP; layer <= OTAPRIO_LAYER_BATTERY;
         layer++) {
        size_t n = ways_back(layer, ways, 256);
        for (int32_t tier = 0; tier < 4; tier++)
            for (size_t a = 0; a < n; a++)
                for (size_t b = 0; b < n; b++) {
                    /* b is at least as weak as a. */
                    uint32_t ca = ways[a].weak_causes, cb = ways[b].weak_causes;
                    if ((ca & cb) != ca)
                        continue;
                    otaprio__plan_shape sa, sb;
                    otaprio__plan_shape_of(tier, 0, layer, 0, &ways[a], &sa);
                    otaprio__plan_shape_of(tier, 0, layer, 0, &ways[b], &sb);
                    assert_valid_schedule(&sa);
                    assert_int_equal(sa.waves, sb.waves);
                    for (uint32_t k = 0; k < sa.waves; k++) {
                        assert_true(sb.fraction[k] <= sa.fraction[k]);
                        assert_true(sb.soak[k] >= sa.soak[k]);
                    }
                    for (int r = 0; r < 2; r++)
                        assert_true(sb.ring_soak[r] >= sa.ring_soak[r]);
                    assert_int_equal(
                        (sb.notes & OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK) != 0,
                        cb != 0);
                    compared++;
                }
    }
    assert_true(compared > 1000);
}

static void power_only_enlarges_the_first_canary(void **state)
{
    (void)state;
    otaprio_rollback_decision strong;
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.levers = OTAPRIO_ROLLBACK_LEVER_ALL;
    in.observe = OTAPRIO_ROLLBACK_OBSERVE_ALL;
    strong.size = sizeof strong;
    assert_int_equal(otaprio_rollback_decide(&in, &strong, NULL), OTAPRIO_OK);
    uint64_t seed = 99;
    for (int trial = 0; trial < 2000; trial++) {
        int32_t tier = (int32_t)splitmix_below(&seed, 4);
        otaprio__plan_shape before, after;
        otaprio__plan_shape_of(tier, 0, OTAPRIO_LAYER_APP, 0, &strong, &before);
        after = before;
        uint64_t eligible = 1 + splitmix_below(&seed, 1000000);
        double needed = (double)splitmix_below(&seed, 1200000);
        int raised = otaprio__plan_shape_power(&after, needed, eligible);
        if (raised < 0) {
            assert_true(needed >= (double)eligible);
            assert_memory_equal(&before, &after, sizeof before);
            continue;
        }
        assert_valid_schedule(&after);
        assert_true(after.fraction[0] >= before.fraction[0]);
        assert_true(after.fraction[0] * (double)eligible >=
                    needed * (1 - 1e-12));
        if (raised == 0) {
            assert_memory_equal(&before, &after, sizeof before);
            continue;
        }
        assert_true(after.notes & OTAPRIO_PLAN_NOTE_POWER);
        /* The kept canary waves are the old ones past the new first. */
        for (uint32_t k = 1; k < after.waves; k++)
            assert_true(after.fraction[k] > after.fraction[0]);
    }
}

/* ---- end to end ------------------------------------------------------- */

static void plan_tiers_end_to_end(void **state)
{
    (void)state;
    plan_fixture fleet;
    assert_int_equal(plan_fixture_init(&fleet, 3, 5000, 1000), 0);
    fleet.with_catalog = 0;
    /* From the most urgent fix to the least, at one layer and one way
     * back: each plan is at least as fast as the next. */
    otaprio_issue issues[4];
    for (int i = 0; i < 4; i++) {
        otaprio_issue_init(&issues[i]);
        issues[i].layer = OTAPRIO_LAYER_OS;
        issues[i].ab_slot = 1;
        issues[i].affected_share = 0.4;
    }
    issues[0].issue_class = OTAPRIO_ISSUE_SECURITY;
    issues[0].security_impact = OTAPRIO_LEVEL_HIGH;
    issues[0].attack_path = OTAPRIO_ATTACK_REMOTE;
    issues[0].exploit = OTAPRIO_EXPLOIT_ACTIVE;
    issues[0].automatable = 1;
    issues[1].issue_class = OTAPRIO_ISSUE_SECURITY;
    issues[1].security_impact = OTAPRIO_LEVEL_HIGH;
    issues[1].attack_path = OTAPRIO_ATTACK_REMOTE;
    issues[2].issue_class = OTAPRIO_ISSUE_STABILITY;
    issues[3].issue_class = OTAPRIO_ISSUE_COSMETIC;
    otaprio_rollback_input way_back;
    otaprio_rollback_input_init(&way_back);
    way_back.layer = OTAPRIO_LAYER_OS;
    way_back.levers = OTAPRIO_ROLLBACK_LEVER_AB_SLOT;
    plan_read p[4];
    for (int i = 0; i < 4; i++) {
        otaprio_plan_request request;
        plan_fixture_request(&fleet, NULL, &issues[i], &request);
        request.rollback = &way_back;
        plan_run(&request, &p[i]);
    }
    assert_int_equal(p[0].summary.tier, OTAPRIO_TIER_T0);
    assert_int_equal(p[3].summary.tier, OTAPRIO_TIER_T3);
    for (int i = 0; i < 3; i++) {
        assert_true(p[i].summary.tier <= p[i + 1].summary.tier);
        assert_true(p[i].summary.hours_to_broad <=
                    p[i + 1].summary.hours_to_broad);
        /* Speed changes when devices come, never which. */
        assert_int_equal(p[i].summary.planned, p[i + 1].summary.planned);
    }
    plan_fixture_free(&fleet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(higher_tier_is_never_slower),
        cmocka_unit_test(weak_rollback_never_widens),
        cmocka_unit_test(power_only_enlarges_the_first_canary),
        cmocka_unit_test(plan_tiers_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
