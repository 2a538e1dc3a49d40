/* SPDX-License-Identifier: MIT */
/*
 * The runbook planner on the reference article's decision flow, as named
 * scenarios over the fixture fleet: an exploited flaw gets an accelerated
 * push, a risky baseband fix slow, narrow waves, a cosmetic fix waits for
 * maintenance windows, a login regression is backed out by a feature
 * flag, a kernel reboot loop needs the full image rollback, weak rollback
 * narrows exposure. Then what the plan says of each device, telemetry,
 * break-glass and statistical power.
 */
#include <math.h>
#include <stdint.h>

#include "unit/plan_check.h"

enum { FLEET = 20000, CHUNK = 4096 };

typedef struct scenario {
    otaprio_catalog *catalog;
    plan_fixture fleet;
    otaprio_issue issue;
    otaprio_guard_rule rules[2];
    otaprio_plan_request request;
} scenario;

/* A fix of `issue_class` on `share` of the fleet, moderate uptime loss,
 * with two guardrails; the fleet's catalog when asked. */
static void scenario_start(scenario *s, int with_catalog, int32_t issue_class,
                           double share)
{
    memset(s, 0, sizeof *s);
    if (with_catalog)
        assert_int_equal(plan_fixture_catalog(NULL, &s->catalog), OTAPRIO_OK);
    assert_int_equal(plan_fixture_init(&s->fleet, 7, FLEET, CHUNK), 0);
    s->fleet.with_catalog = with_catalog;
    otaprio_issue_init(&s->issue);
    s->issue.issue_class = issue_class;
    s->issue.uptime_loss = OTAPRIO_LEVEL_MODERATE;
    s->issue.affected_share = share;
    otaprio_guard_rule_init(&s->rules[0]);
    s->rules[0].name = "boot failures";
    s->rules[0].severity = OTAPRIO_GUARD_CRITICAL;
    s->rules[0].margin = 0.1;
    otaprio_guard_rule_init(&s->rules[1]);
    s->rules[1].name = "crashes per device-hour";
    s->rules[1].kind = OTAPRIO_GUARD_RATE;
    s->rules[1].margin = 0.2;
    s->rules[1].window_hours = 6;
    plan_fixture_request(&s->fleet, s->catalog, &s->issue, &s->request);
    s->request.rules = s->rules;
    s->request.rule_count = 2;
}

static void scenario_end(scenario *s)
{
    otaprio_catalog_free(s->catalog);
    plan_fixture_free(&s->fleet);
}

static int32_t tier_of(const otaprio_issue *issue)
{
    otaprio_issue_score score = {.size = sizeof score};
    otaprio_risk_model *model = NULL;
    assert_int_equal(otaprio_risk_model_create(NULL, NULL, &model, NULL),
                     OTAPRIO_OK);
    assert_int_equal(
        otaprio_risk_score_issue(model, issue, &score, NULL, 0, NULL, NULL),
        OTAPRIO_OK);
    otaprio_risk_model_free(model);
    return score.tier;
}

static void exploited_remote_flaw(otaprio_issue *issue)
{
    issue->issue_class = OTAPRIO_ISSUE_SECURITY;
    issue->security_impact = OTAPRIO_LEVEL_HIGH;
    issue->attack_path = OTAPRIO_ATTACK_REMOTE;
    issue->exploit = OTAPRIO_EXPLOIT_ACTIVE;
    issue->automatable = 1;
    issue->layer = OTAPRIO_LAYER_OS;
    issue->ab_slot = 1;
}

/* ---- the article's cases ----------------------------------------------- */

static void emergency_exploited_flaw_gets_an_accelerated_push(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 1, OTAPRIO_ISSUE_SECURITY, 0.0);
    exploited_remote_flaw(&s.issue);
    plan_read p;
    plan_run(&s.request, &p);

    assert_int_equal(p.summary.tier, OTAPRIO_TIER_T0);
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_EMERGENCY);
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_GRAPH_IMPACT);
    /* os 11 and 12 inherit the flaw: eight devices in ten. */
    assert_true(p.summary.affected_share > 0.75 &&
                p.summary.affected_share < 0.85);
    assert_int_equal(p.wave_count, 3);
    for (uint32_t k = 0; k < p.wave_count; k++)
        assert_int_equal(p.waves[k].stage, OTAPRIO_PLAN_STAGE_ACCELERATED);
    assert_true(p.waves[0].fraction <= 0.01);
    assert_true(p.waves[2].fraction == 1.0);
    assert_true(p.summary.hours_to_broad < 24.0);
    /* Stop rules stay in force, loosened for the exploited hole but
     * tightened back for an OS image. */
    for (uint32_t k = 0; k < p.wave_count; k++)
        assert_true(p.waves[k].tolerance_scale <= 0.75 * 1.5);
    /* Devices on bootloader 1 are blocked; bootloader-2 is their way in. */
    assert_true(p.summary.by_disposition[OTAPRIO_DISPOSITION_BLOCKED] > 0);
    int blocked_chains = 0;
    for (uint32_t c = 0; c < p.chain_count; c++) {
        if (p.chains[c].blocked == 0)
            continue;
        blocked_chains++;
        assert_int_equal(p.chains[c].path_status, OTAPRIO_PLAN_PATH_FOUND);
        assert_int_equal(p.chains[c].path_length, 1);
        assert_int_equal(p.chains[c].path[0], PX_BOOTLOADER_2);
        assert_int_equal(p.chains[c].path_bytes, 10);
        assert_int_equal(p.chains[c].planned, 0);
        assert_int_equal(p.chains[c].first_wave, OTAPRIO_PLAN_NONE);
    }
    assert_int_equal(blocked_chains, 2); /* os 11 and os 12 */
    scenario_end(&s);
}

static void risky_baseband_fix_gets_slow_narrow_waves(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.3);
    s.issue.layer = OTAPRIO_LAYER_BASEBAND;
    plan_read p;
    plan_run(&s.request, &p);

    assert_int_equal(p.summary.tier, tier_of(&s.issue));
    assert_true(p.summary.tier >= OTAPRIO_TIER_T1);
    assert_false(p.summary.notes & OTAPRIO_PLAN_NOTE_EMERGENCY);
    /* Dogfood and employees first, then customer canaries. */
    assert_int_equal(p.waves[0].stage, OTAPRIO_PLAN_STAGE_DOGFOOD);
    assert_int_equal(p.waves[1].stage, OTAPRIO_PLAN_STAGE_EMPLOYEE);
    assert_int_equal(p.waves[2].stage, OTAPRIO_PLAN_STAGE_CANARY);
    assert_int_equal(p.waves[p.wave_count - 1].stage, OTAPRIO_PLAN_STAGE_BROAD);
    /* Modem firmware without an A/B slot: hard to recover, weak way back. */
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK);
    assert_true(p.summary.rollback_weak_causes &
                OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT);
    assert_true(plan_has_warning(&p, OTAPRIO_PLAN_WARN_WEAK_ROLLBACK));
    for (uint32_t k = 0; k + 1 < p.wave_count; k++) {
        assert_true(p.waves[k].soak_hours >= 3 * 4.0);
        assert_true(p.waves[k].tolerance_scale <= 0.25);
    }
    assert_true(p.waves[2].fraction < 0.01);
    scenario_end(&s);
}

static void cosmetic_fix_waits_for_maintenance_windows(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_COSMETIC, 0.0);
    s.issue.uptime_loss = OTAPRIO_LEVEL_NONE;
    s.issue.ab_slot = 1;
    plan_read p;
    plan_run(&s.request, &p);
    assert_int_equal(p.summary.tier, OTAPRIO_TIER_T3);
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_MAINTENANCE);
    for (uint32_t k = 0; k < p.wave_count; k++)
        assert_int_equal(p.waves[k].maintenance_window, 1);
    /* Nothing hurries: days between the first wave and the broad one. */
    assert_true(p.summary.hours_to_broad >= 7 * 24.0);
    scenario_end(&s);
}

static otaprio_rollback_input strong_way_back(int32_t layer)
{
    otaprio_rollback_input in;
    otaprio_rollback_input_init(&in);
    in.layer = layer;
    in.levers = OTAPRIO_ROLLBACK_LEVER_ALL;
    in.observe = OTAPRIO_ROLLBACK_OBSERVE_ALL;
    return in;
}

static void login_regression_is_backed_out_by_a_feature_flag(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.4);
    s.issue.workflows = OTAPRIO_WORKFLOW_AUTH;
    otaprio_rollback_input way_back = strong_way_back(OTAPRIO_LAYER_APP);
    way_back.part = OTAPRIO_ROLLBACK_PART_AUTH_FLOW;
    s.request.rollback = &way_back;
    plan_read p;
    plan_run(&s.request, &p);
    for (uint32_t k = 0; k < p.wave_count; k++) {
        assert_int_equal(p.waves[k].rollback_tier,
                         OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG);
        assert_true(p.waves[k].rollback_steps & OTAPRIO_ROLLBACK_STEP_FLAG_OFF);
        assert_false(p.waves[k].rollback_steps &
                     OTAPRIO_ROLLBACK_STEP_IMAGE_DOWNGRADE);
    }
    assert_int_equal(p.summary.rollback_tier,
                     OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG);
    assert_false(p.summary.notes & OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK);
    scenario_end(&s);
}

static void kernel_reboot_loop_needs_the_full_image_rollback(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.5);
    s.issue.uptime_loss = OTAPRIO_LEVEL_HIGH;
    s.issue.layer = OTAPRIO_LAYER_KERNEL;
    s.issue.ab_slot = 1;
    otaprio_rollback_input way_back = strong_way_back(OTAPRIO_LAYER_KERNEL);
    s.request.rollback = &way_back;
    plan_read p;
    plan_run(&s.request, &p);
    const otaprio_plan_wave *broad = &p.waves[p.wave_count - 1];
    assert_int_equal(broad->rollback_tier, OTAPRIO_ROLLBACK_TIER_FULL);
    assert_true(broad->rollback_steps & OTAPRIO_ROLLBACK_STEP_SLOT_SWITCH);
    assert_true(broad->rollback_steps & OTAPRIO_ROLLBACK_STEP_PAUSE_ROLLOUT);
    /* No switch reaches a kernel: never a flag or a config restore. */
    for (uint32_t k = 0; k < p.wave_count; k++)
        assert_true(p.waves[k].rollback_tier >=
                    OTAPRIO_ROLLBACK_TIER_EXEMPTION);
    /* Kernel images soak twice as long as apps. */
    int canary = plan_first_stage(&p, OTAPRIO_PLAN_STAGE_CANARY);
    assert_true(canary >= 0);
    assert_true(p.waves[canary].soak_hours >= 2 * 12.0);
    scenario_end(&s);
}

static void weak_rollback_narrows_exposure(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.3);
    s.issue.layer = OTAPRIO_LAYER_OS;
    otaprio_rollback_input strong = strong_way_back(OTAPRIO_LAYER_OS);
    s.request.rollback = &strong;
    plan_read good;
    plan_run(&s.request, &good);

    otaprio_rollback_input weak = strong;
    weak.levers = OTAPRIO_ROLLBACK_LEVER_EXEMPTION;
    weak.changes = OTAPRIO_ROLLBACK_CHANGE_KEYS;
    s.request.rollback = &weak;
    plan_read bad;
    plan_run(&s.request, &bad);

    assert_false(good.summary.notes & OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK);
    assert_true(bad.summary.notes & OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK);
    assert_int_equal(good.wave_count, bad.wave_count);
    int narrower = 0;
    for (uint32_t k = 0; k + 1 < bad.wave_count; k++) {
        assert_true(bad.waves[k].fraction <= good.waves[k].fraction);
        assert_true(bad.waves[k].cumulative <= good.waves[k].cumulative);
        assert_true(bad.waves[k].soak_hours >= good.waves[k].soak_hours);
        assert_true(bad.waves[k].tolerance_scale <=
                    good.waves[k].tolerance_scale);
        narrower += bad.waves[k].cumulative < good.waves[k].cumulative;
    }
    assert_true(narrower > 0);
    assert_true(bad.summary.hours_to_broad > good.summary.hours_to_broad);
    /* The whole fleet is still reached in the end. */
    assert_int_equal(bad.summary.planned, good.summary.planned);
    scenario_end(&s);
}

/* ---- what the plan says of each device ---------------------------------- */

static void every_device_has_its_wave_and_disposition(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 1, OTAPRIO_ISSUE_STABILITY, 0.0);
    s.fleet.want_outputs = 1;
    plan_read p;
    plan_run(&s.request, &p);

    uint64_t per_wave[PLAN_CHECK_MAX_WAVES] = {0}, by_disposition[4] = {0};
    uint32_t last = p.wave_count - 1;
    for (uint64_t i = 0; i < FLEET; i++) {
        plan_fixture_device d;
        plan_fixture_device_at(s.fleet.seed, i, &d);
        uint8_t disposition = s.fleet.disposition[i], wave = s.fleet.wave[i];
        assert_true(disposition <= OTAPRIO_DISPOSITION_EXCLUDED);
        by_disposition[disposition]++;
        if (disposition >= OTAPRIO_DISPOSITION_BLOCKED) {
            assert_int_equal(wave, OTAPRIO_PLAN_NONE);
            continue;
        }
        assert_true(wave <= last);
        per_wave[wave]++;
        if (disposition == OTAPRIO_DISPOSITION_DEFER)
            assert_int_equal(wave, last); /* they come when they can */
        else if (d.ring < 2)
            assert_int_equal(p.waves[wave].stage,
                             d.ring == 0 ? OTAPRIO_PLAN_STAGE_DOGFOOD
                                         : OTAPRIO_PLAN_STAGE_EMPLOYEE);
        if (d.bootloader == 0 && d.os < 2)
            fail_msg("device %llu on bootloader 1 is planned",
                     (unsigned long long)i);
        if (d.os == 2) /* already current */
            fail_msg("device %llu on os 13 is planned", (unsigned long long)i);
    }
    uint64_t total = 0;
    for (uint32_t k = 0; k < p.wave_count; k++) {
        assert_int_equal(per_wave[k], p.waves[k].devices);
        total += per_wave[k];
        assert_int_equal(total, p.waves[k].cumulative);
    }
    assert_int_equal(total, p.summary.planned);
    for (int d = 0; d < 4; d++)
        assert_int_equal(by_disposition[d], p.summary.by_disposition[d]);
    assert_int_equal(p.summary.devices, FLEET);
    scenario_end(&s);
}

static void critical_devices_wait_for_the_broad_wave(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.3);
    s.fleet.want_outputs = 1;
    s.request.critical_level = 40.0;
    plan_read p;
    plan_run(&s.request, &p);
    assert_true(p.summary.critical > 0);

    /* The devices the risk engine rates at or above the level, eligible
     * and customers', join only the last wave. */
    otaprio_risk_model *model = NULL;
    assert_int_equal(otaprio_risk_model_create(NULL, NULL, &model, NULL),
                     OTAPRIO_OK);
    otaprio_issue_score score = {.size = sizeof score};
    assert_int_equal(
        otaprio_risk_score_issue(model, &s.issue, &score, NULL, 0, NULL, NULL),
        OTAPRIO_OK);
    uint64_t held = 0;
    for (uint64_t first = 0; first < FLEET; first += CHUNK) {
        otaprio_plan_chunk chunk;
        otaprio_plan_chunk_init(&chunk);
        assert_int_equal(plan_fixture_source(&s.fleet, OTAPRIO_PLAN_PASS_SAMPLE,
                                             first, &chunk),
                         0);
        double criticality[CHUNK];
        uint8_t disposition[CHUNK];
        otaprio_device_results out;
        otaprio_device_results_init(&out);
        out.criticality = criticality;
        out.disposition = disposition;
        assert_int_equal(otaprio_risk_score_devices(model, &score,
                                                    chunk.devices, &out, NULL),
                         OTAPRIO_OK);
        for (size_t i = 0; i < chunk.count; i++) {
            if (disposition[i] != OTAPRIO_DISPOSITION_ELIGIBLE ||
                chunk.ring[i] < 2 || criticality[i] < 40.0)
                continue;
            held++;
            assert_int_equal(s.fleet.wave[first + i], p.wave_count - 1);
        }
    }
    assert_int_equal(held, p.summary.critical);
    otaprio_risk_model_free(model);
    scenario_end(&s);
}

static void chunking_does_not_change_the_plan(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 1, OTAPRIO_ISSUE_SECURITY, 0.0);
    exploited_remote_flaw(&s.issue);
    s.issue.exploit = OTAPRIO_EXPLOIT_POC;
    s.fleet.want_outputs = 1;
    plan_read a;
    plan_run(&s.request, &a);
    uint8_t *waves = malloc(FLEET);
    assert_non_null(waves);
    memcpy(waves, s.fleet.wave, FLEET);

    s.fleet.chunk_size = 333;
    plan_read b;
    plan_run(&s.request, &b);
    assert_memory_equal(&a.summary, &b.summary, sizeof a.summary);
    assert_int_equal(a.wave_count, b.wave_count);
    for (uint32_t k = 0; k < a.wave_count; k++) {
        /* Ring stages carry NaN coverage: compare field by field. */
        assert_int_equal(a.waves[k].devices, b.waves[k].devices);
        assert_int_equal(a.waves[k].stage, b.waves[k].stage);
        assert_true(a.waves[k].fraction == b.waves[k].fraction);
        assert_true(a.waves[k].soak_hours == b.waves[k].soak_hours);
        assert_int_equal(a.waves[k].chains_uncovered,
                         b.waves[k].chains_uncovered);
        assert_int_equal(a.waves[k].clusters_uncovered,
                         b.waves[k].clusters_uncovered);
        assert_int_equal(a.waves[k].rollback_tier, b.waves[k].rollback_tier);
    }
    assert_int_equal(a.chain_count, b.chain_count);
    assert_memory_equal(a.chains, b.chains, a.chain_count * sizeof a.chains[0]);
    assert_int_equal(a.warning_count, b.warning_count);
    assert_memory_equal(a.warnings, b.warnings,
                        a.warning_count * sizeof a.warnings[0]);
    assert_memory_equal(waves, s.fleet.wave, FLEET);
    free(waves);
    scenario_end(&s);
}

/* ---- telemetry, break-glass, power -------------------------------------- */

/* A report in which boot failures of affected devices are 4% against
 * 0.5% for the rest: the defect shows in telemetry. */
static otaprio_guard_report *failing_telemetry(otaprio_guard_set **set)
{
    otaprio_guard_rule rule;
    otaprio_guard_rule_init(&rule);
    rule.name = "boot failures";
    rule.severity = OTAPRIO_GUARD_CRITICAL;
    rule.window_hours = 0;
    assert_int_equal(otaprio_guard_set_create(NULL, &rule, 1, NULL, set, NULL),
                     OTAPRIO_OK);
    static const uint64_t failures[2] = {400, 50}, trials[2] = {10000, 10000};
    otaprio_guard_data data;
    otaprio_guard_data_init(&data);
    data.rule = 0;
    data.rows = 1;
    data.canary_events = &failures[0];
    data.canary_trials = &trials[0];
    data.baseline_events = &failures[1];
    data.baseline_trials = &trials[1];
    otaprio_guard_report *report = NULL;
    assert_int_equal(
        otaprio_guard_evaluate(*set, &data, 1, NULL, &report, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_guard_report_action(report),
                     OTAPRIO_GUARD_ROLLBACK);
    return report;
}

static void telemetry_refines_urgency(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.3);
    plan_read quiet;
    plan_run(&s.request, &quiet);

    otaprio_guard_set *set = NULL;
    otaprio_guard_report *report = failing_telemetry(&set);
    s.request.telemetry = report;
    plan_read loud;
    plan_run(&s.request, &loud);
    assert_true(loud.summary.notes & OTAPRIO_PLAN_NOTE_TELEMETRY);
    assert_false(quiet.summary.notes & OTAPRIO_PLAN_NOTE_TELEMETRY);
    assert_true(loud.summary.score > quiet.summary.score);
    assert_true(loud.summary.tier <= quiet.summary.tier);
    assert_int_equal(loud.summary.tier_before, quiet.summary.tier_before);
    if (loud.summary.tier < quiet.summary.tier)
        assert_true(loud.summary.notes & OTAPRIO_PLAN_NOTE_TELEMETRY_RAISED);

    /* The scorecard says why: the anomaly lines are there. */
    otaprio_plan *plan = NULL;
    assert_int_equal(otaprio_plan_create(&s.request, NULL, &plan, NULL),
                     OTAPRIO_OK);
    otaprio_factor_points items[32];
    size_t count = 0;
    assert_int_equal(otaprio_plan_explanation(plan, items, 32, &count, NULL),
                     OTAPRIO_OK);
    int growing = 0, rate = 0;
    int64_t sum = 0;
    for (size_t i = 0; i < count; i++) {
        growing |= items[i].factor == OTAPRIO_FACTOR_ANOMALY_GROWING;
        if (items[i].factor == OTAPRIO_FACTOR_ANOMALY_RATE) {
            rate = 1;
            assert_true(fabs(items[i].input - 0.035) < 1e-12);
        }
        sum += items[i].milli;
    }
    assert_true(growing && rate);
    assert_int_equal(sum, loud.summary.score_milli);
    otaprio_plan_free(plan);
    otaprio_guard_report_free(report);
    otaprio_guard_set_free(set);
    scenario_end(&s);
}

static void approved_break_glass_accelerates_but_keeps_exclusions(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_SECURITY, 0.3);
    s.issue.security_impact = OTAPRIO_LEVEL_MODERATE;
    s.fleet.want_outputs = 1;
    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_policy_init(&policy);
    policy.approvals[OTAPRIO_PLAN_ROLE_SECURITY_LEAD] = 1;
    policy.approvals[OTAPRIO_PLAN_ROLE_RELEASE_MANAGER] = 1;
    policy.evidence = OTAPRIO_PLAN_EVIDENCE_GUARDRAILS;
    static const uint64_t excluded[] = {3, 17};
    policy.excluded = excluded;
    policy.excluded_count = 2;
    otaprio_plan_breakglass_request ask;
    otaprio_plan_breakglass_request_init(&ask);
    static const int32_t roles[] = {OTAPRIO_PLAN_ROLE_SECURITY_LEAD,
                                    OTAPRIO_PLAN_ROLE_RELEASE_MANAGER};
    static const uint64_t approvers[] = {11, 12};
    ask.approval_count = 2;
    ask.approval_role = roles;
    ask.approver = approvers;
    ask.evidence = OTAPRIO_PLAN_EVIDENCE_GUARDRAILS;
    s.request.breakglass_policy = &policy;
    s.request.breakglass = &ask;
    plan_read p;
    plan_run(&s.request, &p);
    assert_int_equal(p.summary.breakglass_requested, 1);
    assert_int_equal(p.summary.breakglass_approved, 1);
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_BREAKGLASS);
    for (uint32_t k = 0; k < p.wave_count; k++)
        assert_int_equal(p.waves[k].stage, OTAPRIO_PLAN_STAGE_ACCELERATED);
    for (uint64_t i = 0; i < FLEET; i++) {
        plan_fixture_device d;
        plan_fixture_device_at(s.fleet.seed, i, &d);
        if (d.cluster == 3 || d.cluster == 17)
            assert_int_equal(s.fleet.wave[i], OTAPRIO_PLAN_NONE);
    }

    /* The same request with one approver twice is denied: the tier's own
     * shape stands, and the plan says why. */
    static const uint64_t same[] = {11, 11};
    ask.approver = same;
    plan_read denied;
    plan_run(&s.request, &denied);
    assert_int_equal(denied.summary.breakglass_approved, 0);
    assert_true(denied.summary.breakglass_unmet & OTAPRIO_PLAN_UNMET_APPROVALS);
    assert_true(plan_has_warning(&denied, OTAPRIO_PLAN_WARN_BREAKGLASS_DENIED));
    assert_false(denied.summary.notes & OTAPRIO_PLAN_NOTE_BREAKGLASS);
    assert_int_equal(denied.waves[denied.wave_count - 1].stage,
                     OTAPRIO_PLAN_STAGE_BROAD);
    scenario_end(&s);
}

static void guardrails_gate_every_wave(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.3);
    otaprio_plan *plan = NULL;
    assert_int_equal(otaprio_plan_create(&s.request, NULL, &plan, NULL),
                     OTAPRIO_OK);
    for (uint32_t k = 0; k < otaprio_plan_wave_count(plan); k++) {
        const otaprio_guard_set *set = otaprio_plan_wave_guards(plan, k);
        assert_non_null(set);
        assert_int_equal(otaprio_guard_set_rule_count(set), 2);
    }
    assert_null(otaprio_plan_wave_guards(plan, otaprio_plan_wave_count(plan)));
    assert_non_null(otaprio_plan_cohort(plan));
    otaprio_plan_free(plan);

    /* Without rules nothing gates the waves, and the plan says so. */
    s.request.rules = NULL;
    s.request.rule_count = 0;
    plan_read p;
    plan_run(&s.request, &p);
    assert_true(plan_has_warning(&p, OTAPRIO_PLAN_WARN_NO_GUARDRAILS));
    scenario_end(&s);
}

static void power_sizes_the_first_canary(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_STABILITY, 0.3);
    otaprio_plan_power power;
    otaprio_plan_power_init(&power);
    power.baseline = 0.02;
    power.rise = 1.0; /* detect a doubling of a 2% failure rate */
    double needed = 0;
    assert_int_equal(otaprio_plan_canary_size(&power, &needed, NULL),
                     OTAPRIO_OK);
    s.request.power = &power;
    plan_read p;
    plan_run(&s.request, &p);
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_POWER);
    int canary = plan_first_stage(&p, OTAPRIO_PLAN_STAGE_CANARY);
    assert_true(canary >= 0);
    assert_true((double)p.waves[canary].devices >= needed);
    assert_true((double)p.waves[canary].devices <= needed + 1);

    /* A rise too small for the fleet: no canary can see it. */
    power.rise = 0.01;
    plan_read q;
    plan_run(&s.request, &q);
    assert_true(plan_has_warning(&q, OTAPRIO_PLAN_WARN_POWER_UNREACHABLE));
    assert_false(q.summary.notes & OTAPRIO_PLAN_NOTE_POWER);
    scenario_end(&s);
}

static void delayed_failures_lengthen_soaks(void **state)
{
    (void)state;
    scenario s;
    scenario_start(&s, 0, OTAPRIO_ISSUE_PERFORMANCE, 0.3);
    s.issue.ab_slot = 1;
    s.request.delayed = OTAPRIO_PLAN_DELAYED_BATTERY;
    plan_read p;
    plan_run(&s.request, &p);
    assert_true(p.summary.notes & OTAPRIO_PLAN_NOTE_DELAYED);
    for (uint32_t k = 0; k + 1 < p.wave_count; k++)
        assert_true(p.waves[k].soak_hours >= 48.0);
    s.request.delayed = OTAPRIO_PLAN_DELAYED_STORAGE;
    plan_run(&s.request, &p);
    for (uint32_t k = 0; k + 1 < p.wave_count; k++)
        assert_true(p.waves[k].soak_hours >= 72.0);
    scenario_end(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(emergency_exploited_flaw_gets_an_accelerated_push),
        cmocka_unit_test(risky_baseband_fix_gets_slow_narrow_waves),
        cmocka_unit_test(cosmetic_fix_waits_for_maintenance_windows),
        cmocka_unit_test(login_regression_is_backed_out_by_a_feature_flag),
        cmocka_unit_test(kernel_reboot_loop_needs_the_full_image_rollback),
        cmocka_unit_test(weak_rollback_narrows_exposure),
        cmocka_unit_test(every_device_has_its_wave_and_disposition),
        cmocka_unit_test(critical_devices_wait_for_the_broad_wave),
        cmocka_unit_test(chunking_does_not_change_the_plan),
        cmocka_unit_test(telemetry_refines_urgency),
        cmocka_unit_test(approved_break_glass_accelerates_but_keeps_exclusions),
        cmocka_unit_test(guardrails_gate_every_wave),
        cmocka_unit_test(power_sizes_the_first_canary),
        cmocka_unit_test(delayed_failures_lengthen_soaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
