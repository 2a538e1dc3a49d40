/* SPDX-License-Identifier: MIT */
/*
 * The runbook: one call from "here is a fix" to "here is the rollout and
 * its way back". It walks the decision flow through the other engines'
 * public APIs only: classify the fix (risk), score fleet impact (the
 * dependency graph's blast radius), let telemetry refine urgency
 * (guardrail verdicts), choose the shape (plan_shape.c), sample the waves
 * (cohort), find blocked devices' paths (graph), gate each wave
 * (guardrail) and ready each wave's way back (rollback). docs/plan.md
 * gives every rule.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan_work.h"

static const otaprio__layout request_layout = {
    "otaprio_plan_request", sizeof(otaprio_plan_request),
    sizeof(otaprio_plan_request), /* first published layout */
};

/* The other engines' caller structs the request points to, read by their
 * published layouts. */
static const otaprio__layout issue_layout = {
    "otaprio_issue", sizeof(otaprio_issue), sizeof(otaprio_issue)};
static const otaprio__layout rollback_layout = {"otaprio_rollback_input",
                                                sizeof(otaprio_rollback_input),
                                                sizeof(otaprio_rollback_input)};
static const otaprio__layout options_layout = {"otaprio_guard_options",
                                               sizeof(otaprio_guard_options),
                                               sizeof(otaprio_guard_options)};
static const otaprio__layout policy_layout = {
    "otaprio_plan_breakglass_policy", sizeof(otaprio_plan_breakglass_policy),
    sizeof(otaprio_plan_breakglass_policy)};

/* A medical device scores about 55 points of criticality, a handset 25. */
#define DEFAULT_CRITICAL_LEVEL 50.0

int(otaprio_plan_request_init)(otaprio_plan_request *request, size_t size)
{
    otaprio_plan_request defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.critical_level = DEFAULT_CRITICAL_LEVEL;
    return otaprio__struct_init(request, size, &defaults, &request_layout);
}

static int validate(const otaprio_plan_request *r, otaprio_diag *diag)
{
    if (r->issue == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "issue", -1,
                             "the request has no issue");
    if (r->source == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "source", -1,
                             "the request has no fleet source");
    if (!(r->critical_level >= 0.0 && r->critical_level <= 100.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "critical_level", -1,
                             "critical_level is %g; it must lie in [0, 100]",
                             r->critical_level);
    if ((r->delayed & ~OTAPRIO_PLAN_DELAYED_ALL) != 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "delayed", -1,
                             "delayed is 0x%x; only bits 0x%x are defined",
                             (unsigned)r->delayed,
                             (unsigned)OTAPRIO_PLAN_DELAYED_ALL);
    if (r->trace_flaw != 0 && r->trace_flaw != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "trace_flaw", -1,
                             "trace_flaw is %d; it must be 0 or 1",
                             (int)r->trace_flaw);
    if (r->trace_flaw && r->catalog == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "catalog", -1,
                             "tracing a flaw needs a catalog");
    if (r->trace_flaw && r->flaw_constraint == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "flaw_constraint", -1,
                             "tracing a flaw needs its constraint");
    if (r->rule_count > 0 && r->rules == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "rules", -1,
                             "rules is NULL but rule_count is %zu",
                             r->rule_count);
    if ((r->breakglass == NULL) != (r->breakglass_policy == NULL))
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID,
            r->breakglass == NULL ? "breakglass" : "breakglass_policy", -1,
            "a break-glass request and its policy come "
            "together");
    return OTAPRIO_OK;
}

/* ---- classify and score fleet impact ---------------------------------- */

static int score_issue(otaprio__plan_work *w, otaprio_issue_score *score,
                       otaprio_diag *diag)
{
    score->size = sizeof *score;
    return otaprio_risk_score_issue(w->model, &w->issue, score, NULL, 0, NULL,
                                    diag);
}

/* The blast radius from the dependency graph: the share of the fleet
 * that inherits the flaw, the classes it reaches, and the share of it in
 * its largest region. */
static int graph_impact(otaprio__plan_work *w, otaprio_diag *diag)
{
    OTAPRIO__TRY(otaprio_clusterer_create(1, w->allocator, &w->regions, diag));
    OTAPRIO__TRY(otaprio__plan_pass(w, OTAPRIO_PLAN_PASS_IMPACT, diag));
    w->issue.affected_share =
        w->devices > 0 ? (double)w->affected / (double)w->devices : 0.0;
    w->issue.affected_classes = w->affected_classes;
    uint32_t regions = otaprio_clusterer_count(w->regions);
    if (regions > 0 && w->affected > 0) {
        uint64_t largest = 0;
        for (uint32_t k = 0; k < regions; k++) {
            uint64_t members;
            OTAPRIO__TRY(otaprio_clusterer_report(w->regions, k, 1, &members,
                                                  NULL, NULL, diag));
            if (members > largest)
                largest = members;
        }
        w->issue.concentration = (double)largest / (double)w->affected;
    }
    w->plan->summary.notes |= OTAPRIO_PLAN_NOTE_GRAPH_IMPACT;
    return OTAPRIO_OK;
}

static int proportion_test(int32_t test)
{
    return test == OTAPRIO_GUARD_TEST_FISHER ||
           test == OTAPRIO_GUARD_TEST_SCORE ||
           test == OTAPRIO_GUARD_TEST_RISK_RATIO ||
           test == OTAPRIO_GUARD_TEST_BINOMIAL;
}

/* Telemetry refines urgency: a failing metric confirms the anomaly, its
 * excess failure share becomes the anomaly rate, and a failing critical
 * metric marks it growing. Passing metrics never lower anything. */
static int refine_by_telemetry(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_guard_report *report = w->request.telemetry;
    size_t count = otaprio_guard_report_reason_count(report);
    int confirmed = 0, critical = 0;
    double excess = 0.0;
    for (size_t i = 0; i < count; i++) {
        otaprio_guard_reason reason = {.size = sizeof reason};
        otaprio_guard_result result = {.size = sizeof result};
        int status = otaprio_guard_report_reason(report, i, &reason);
        if (status == OTAPRIO_OK)
            status = otaprio_guard_report_result(report, reason.rule, &result);
        if (status != OTAPRIO_OK)
            return otaprio__fail(diag, status, "telemetry", (int64_t)i,
                                 "reading the telemetry report failed: %s",
                                 otaprio_strerror(status));
        if (result.verdict != OTAPRIO_GUARD_FAIL)
            continue;
        confirmed = 1;
        critical |= result.action == OTAPRIO_GUARD_ROLLBACK;
        if (!proportion_test(result.test) || !isfinite(result.canary_value))
            continue;
        double e =
            result.canary_value -
            (isfinite(result.baseline_value) ? result.baseline_value : 0.0);
        if (e > excess)
            excess = e > 1.0 ? 1.0 : e;
    }
    if (!confirmed)
        return OTAPRIO_OK;
    w->plan->summary.notes |= OTAPRIO_PLAN_NOTE_TELEMETRY;
    if (excess > w->issue.anomaly_rate)
        w->issue.anomaly_rate = excess;
    if (critical)
        w->issue.anomaly_growing = 1;
    return OTAPRIO_OK;
}

static int explain(otaprio__plan_work *w, otaprio_diag *diag)
{
    otaprio_plan *p = w->plan;
    size_t count = 0;
    OTAPRIO__TRY(otaprio_risk_score_issue(w->model, &w->issue, &w->score, NULL,
                                          0, &count, diag));
    OTAPRIO__TRY(otaprio__mem_zalloc_array(
        &w->mem, count, sizeof *p->explanation, (void **)&p->explanation));
    p->explanation_count = count;
    return otaprio_risk_score_issue(w->model, &w->issue, &w->score,
                                    p->explanation, count, &count, diag);
}

static int classify(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    otaprio_plan_summary *s = &w->plan->summary;
    if (r->risk_model != NULL) {
        w->model = r->risk_model;
    } else {
        OTAPRIO__TRY(
            otaprio_risk_model_create(NULL, w->allocator, &w->own_model, diag));
        w->model = w->own_model;
    }
    (otaprio_issue_init)(&w->issue, sizeof w->issue);
    OTAPRIO__TRY(
        otaprio__struct_read(&w->issue, r->issue, &issue_layout, diag));
    otaprio_issue_score before;
    OTAPRIO__TRY(score_issue(w, &before, diag));
    s->tier_before = before.tier;
    if (r->trace_flaw)
        OTAPRIO__TRY(graph_impact(w, diag));
    otaprio_issue_score graph = before;
    if (r->trace_flaw)
        OTAPRIO__TRY(score_issue(w, &graph, diag));
    if (r->telemetry != NULL)
        OTAPRIO__TRY(refine_by_telemetry(w, diag));
    w->score.size = sizeof w->score;
    OTAPRIO__TRY(explain(w, diag));
    if (w->score.tier < graph.tier)
        s->notes |= OTAPRIO_PLAN_NOTE_TELEMETRY_RAISED;
    if (w->score.tier == OTAPRIO_TIER_T0)
        s->notes |= OTAPRIO_PLAN_NOTE_EMERGENCY;
    s->tier = w->score.tier;
    s->score = w->score.score;
    s->score_milli = w->score.score_milli;
    s->ssvc = w->score.ssvc;
    s->affected_share = w->issue.affected_share;
    return OTAPRIO_OK;
}

/* ---- the way back and the shape ---------------------------------------- */

/* The rollback engine's decision should a wave fail as a whole, having
 * reached `fleet_share` of the fleet. */
static int rollback_for(const otaprio__plan_work *w, double fleet_share,
                        otaprio_rollback_decision *decision, otaprio_diag *diag)
{
    otaprio_rollback_input input = w->rollback;
    if (input.canary_share == 0.0)
        input.canary_share = 1.0;
    if (fleet_share > input.fleet_share)
        input.fleet_share = fleet_share > 1.0 ? 1.0 : fleet_share;
    decision->size = sizeof *decision;
    return otaprio_rollback_decide(&input, decision, diag);
}

static int read_rollback(otaprio__plan_work *w, otaprio_diag *diag)
{
    (otaprio_rollback_input_init)(&w->rollback, sizeof w->rollback);
    if (w->request.rollback != NULL)
        return otaprio__struct_read(&w->rollback, w->request.rollback,
                                    &rollback_layout, diag);
    w->rollback.layer = w->issue.layer;
    if (w->issue.ab_slot)
        w->rollback.levers = OTAPRIO_ROLLBACK_LEVER_AB_SLOT;
    return OTAPRIO_OK;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* An approved break-glass request accelerates the shape; the cohorts its
 * policy excludes (shared-fate clusters) stay out. */
static int break_glass(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    otaprio_plan_summary *s = &w->plan->summary;
    otaprio_plan_breakglass_result result = {.size = sizeof result};
    OTAPRIO__TRY(otaprio_plan_breakglass_check(
        r->breakglass_policy, r->breakglass, &result, NULL, 0, diag));
    s->breakglass_requested = 1;
    s->breakglass_approved = result.approved;
    s->breakglass_unmet = result.unmet;
    w->breakglass_approved = result.approved;
    if (!result.approved)
        return OTAPRIO_OK;
    s->notes |= OTAPRIO_PLAN_NOTE_BREAKGLASS;
    otaprio_plan_breakglass_policy policy;
    (otaprio_plan_breakglass_policy_init)(&policy, sizeof policy);
    OTAPRIO__TRY(otaprio__struct_read(&policy, r->breakglass_policy,
                                      &policy_layout, diag));
    for (size_t i = 0; i < policy.excluded_count; i++) {
        if (policy.excluded[i] > UINT32_MAX)
            continue; /* names no cluster */
        uint32_t id = (uint32_t)policy.excluded[i];
        OTAPRIO__TRY(otaprio__vec_push(&w->mem, &w->excluded_clusters, &id));
    }
    if (w->excluded_clusters.length > 1)
        qsort(w->excluded_clusters.data, w->excluded_clusters.length,
              sizeof(uint32_t), compare_u32);
    return OTAPRIO_OK;
}

static int choose_shape(otaprio__plan_work *w, otaprio_diag *diag)
{
    OTAPRIO__TRY(read_rollback(w, diag));
    OTAPRIO__TRY(rollback_for(w, 0.0, &w->shaping, diag));
    if (w->request.breakglass != NULL)
        OTAPRIO__TRY(break_glass(w, diag));
    otaprio__plan_shape_of(w->score.tier, w->breakglass_approved,
                           w->issue.layer, w->request.delayed, &w->shaping,
                           &w->shape);
    w->plan->summary.notes |= w->shape.notes;
    return OTAPRIO_OK;
}

static int warn(otaprio__plan_work *w, int32_t code, uint32_t wave,
                uint64_t subject, uint64_t devices)
{
    otaprio_plan_warning warning = {sizeof warning, code, wave, subject,
                                    devices};
    return otaprio__vec_push(&w->mem, &w->plan->warnings, &warning);
}

/* The smallest first canary that detects the rise asked, in devices; a
 * rate's exposure (device-hours) spread over the wave's soak. */
static int size_by_power(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_power *power = w->request.power;
    double size;
    OTAPRIO__TRY(otaprio_plan_canary_size(power, &size, diag));
    double needed = size;
    if (power->metric == OTAPRIO_PLAN_METRIC_RATE) {
        double hours = w->shape.soak[0] > 1.0 ? w->shape.soak[0] : 1.0;
        needed = ceil(size / hours);
    }
    OTAPRIO__TRY(otaprio__plan_pass(w, OTAPRIO_PLAN_PASS_CENSUS, diag));
    int raised =
        otaprio__plan_shape_power(&w->shape, needed, w->first_wave_eligible);
    if (raised > 0)
        w->plan->summary.notes |= OTAPRIO_PLAN_NOTE_POWER;
    if (raised < 0)
        OTAPRIO__TRY(warn(w, OTAPRIO_PLAN_WARN_POWER_UNREACHABLE,
                          OTAPRIO_PLAN_NONE, (uint64_t)needed,
                          w->first_wave_eligible));
    return OTAPRIO_OK;
}

/* ---- the cohorts -------------------------------------------------------- */

static int sample(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    otaprio_cohort_spec *spec = &w->spec;
    (otaprio_cohort_spec_init)(spec, sizeof *spec);
    spec->salt = r->salt;
    spec->method = OTAPRIO_COHORT_MINIMUM_COVERAGE;
    spec->dimension_count = r->dimension_count;
    spec->cardinalities = r->cardinalities;
    spec->wave_count = w->shape.waves;
    spec->waves = w->shape.fraction;
    spec->critical_first_wave = w->shape.waves - 1;
    spec->excluded_clusters = w->excluded_clusters.data;
    spec->excluded_cluster_count = w->excluded_clusters.length;
    OTAPRIO__TRY(
        otaprio_cohort_sampler_create(spec, w->allocator, &w->sampler, diag));
    OTAPRIO__TRY(otaprio__plan_pass(w, OTAPRIO_PLAN_PASS_SAMPLE, diag));
    return otaprio_cohort_sampler_finish(w->sampler, w->allocator,
                                         &w->plan->cohort, diag);
}

static void number_waves(otaprio__plan_work *w)
{
    uint32_t wave = 0;
    for (int r = 0; r < 2; r++) {
        w->rings_present[r] = !w->shape.accelerated && w->ring_devices[r] > 0;
        w->ring_wave[r] = w->rings_present[r] ? wave++ : OTAPRIO_PLAN_NONE;
    }
    w->cohort_offset = wave;
    w->plan->wave_count = wave + w->shape.waves;
}

static int prepare_chains(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    size_t count = 0;
    /* Asked with no room, it answers the count with OTAPRIO_E_RANGE; that
     * answer is no failure, so it must not reach the caller's diag. */
    int status = otaprio_catalog_chain_components(r->catalog, r->package, NULL,
                                                  0, &count, NULL);
    if (status != OTAPRIO_OK && !(status == OTAPRIO_E_RANGE && count > 0))
        return otaprio_catalog_chain_components(r->catalog, r->package, NULL, 0,
                                                &count, diag);
    if (count == 0)
        return OTAPRIO_OK;
    OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, &w->chain_components, count));
    OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, &w->chain_columns, count));
    OTAPRIO__TRY(otaprio_catalog_chain_components(
        r->catalog, r->package, w->chain_components.data, count, &count, diag));
    w->chain_components.length = w->chain_columns.length = count;
    if (count > OTAPRIO_CLUSTER_MAX_ATTRIBUTES)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "package", -1,
                             "the package's update path depends on %zu "
                             "components; at most %d can be told apart",
                             count, OTAPRIO_CLUSTER_MAX_ATTRIBUTES);
    return otaprio_clusterer_create(count, w->allocator, &w->chain_clusterer,
                                    diag);
}

static int assign(otaprio__plan_work *w, otaprio_diag *diag)
{
    number_waves(w);
    if (w->request.catalog != NULL)
        OTAPRIO__TRY(prepare_chains(w, diag));
    OTAPRIO__TRY(
        otaprio_clusterer_create(1, w->allocator, &w->cluster_clusterer, diag));
    OTAPRIO__TRY(otaprio__plan_pass(w, OTAPRIO_PLAN_PASS_ASSIGN, diag));
    return otaprio__plan_groups_finish(w, diag);
}

/* ---- the waves, their guardrails and their way back --------------------- */

static int wave_rollback(const otaprio__plan_work *w, otaprio_plan_wave *wave,
                         otaprio_diag *diag)
{
    otaprio_rollback_decision decision;
    double share =
        w->devices > 0 ? (double)wave->cumulative / (double)w->devices : 0.0;
    OTAPRIO__TRY(rollback_for(w, share, &decision, diag));
    wave->rollback_tier = decision.tier;
    wave->rollback_steps = decision.steps;
    wave->rollback_confidence = decision.confidence;
    return OTAPRIO_OK;
}

static int cohort_wave(const otaprio__plan_work *w, uint32_t k,
                       otaprio_plan_wave *wave, otaprio_diag *diag)
{
    otaprio_representativeness report = {.size = sizeof report};
    OTAPRIO__TRY(
        otaprio_cohort_representativeness(w->plan->cohort, k, &report, diag));
    int last = k + 1 == w->shape.waves;
    wave->stage = w->shape.accelerated ? OTAPRIO_PLAN_STAGE_ACCELERATED
                  : last               ? OTAPRIO_PLAN_STAGE_BROAD
                                       : OTAPRIO_PLAN_STAGE_CANARY;
    wave->cohort_wave = k;
    wave->fraction = w->shape.fraction[k];
    wave->soak_hours = w->shape.soak[k];
    wave->tvd = report.tvd;
    wave->strata_coverage = report.strata_coverage;
    wave->mass_coverage = report.mass_coverage;
    return OTAPRIO_OK;
}

static int tolerance(const otaprio__plan_work *w, otaprio_guard_options *o,
                     otaprio_diag *diag)
{
    (otaprio_guard_options_init)(o, sizeof *o);
    if (w->request.guard_options != NULL)
        OTAPRIO__TRY(otaprio__struct_read(o, w->request.guard_options,
                                          &options_layout, diag));
    o->layer = w->issue.layer;
    o->closes_active_exploit = w->issue.issue_class == OTAPRIO_ISSUE_SECURITY &&
                               w->issue.exploit == OTAPRIO_EXPLOIT_ACTIVE;
    /* The guardrail engine checks the rest when it builds a set; without
     * rules it builds none, and the plan reports this scale alone. */
    if (!(o->alpha > 0.0 && o->alpha <= 0.5))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "guard_options.alpha", -1,
                             "guard_options.alpha is %g; it must lie in "
                             "(0, 0.5]",
                             o->alpha);
    if (!(o->tolerance_scale >= 0.0 && isfinite(o->tolerance_scale)))
        return otaprio__fail(diag, OTAPRIO_E_RANGE,
                             "guard_options.tolerance_scale", -1,
                             "guard_options.tolerance_scale is %g; it must be "
                             "0 (the layer's default) or finite and positive",
                             o->tolerance_scale);
    double scale = o->tolerance_scale;
    if (scale == 0.0)
        OTAPRIO__TRY(otaprio_guard_tolerance_default(
            o->layer, o->closes_active_exploit, &scale, diag));
    o->tolerance_scale = scale * w->shaping.tolerance_factor;
    return OTAPRIO_OK;
}

static int describe_waves(otaprio__plan_work *w, otaprio_diag *diag)
{
    otaprio_plan *p = w->plan;
    otaprio_guard_options options;
    OTAPRIO__TRY(tolerance(w, &options, diag));
    uint64_t cumulative = 0;
    for (uint32_t k = 0; k < p->wave_count; k++) {
        otaprio_plan_wave *wave = &p->waves[k];
        memset(wave, 0, sizeof *wave);
        wave->size = sizeof *wave;
        if (k < w->cohort_offset) {
            int ring = w->ring_wave[0] == k ? 0 : 1;
            wave->stage = ring == 0 ? OTAPRIO_PLAN_STAGE_DOGFOOD
                                    : OTAPRIO_PLAN_STAGE_EMPLOYEE;
            wave->cohort_wave = UINT32_MAX;
            wave->fraction = 1.0;
            wave->soak_hours = w->shape.ring_soak[ring];
            wave->tvd = wave->strata_coverage = wave->mass_coverage =
                (double)NAN;
        } else {
            OTAPRIO__TRY(cohort_wave(w, k - w->cohort_offset, wave, diag));
        }
        wave->devices = w->wave_devices[k];
        cumulative += wave->devices;
        wave->cumulative = cumulative;
        wave->maintenance_window = w->shape.maintenance;
        wave->tolerance_scale = options.tolerance_scale;
        OTAPRIO__TRY(wave_rollback(w, wave, diag));
    }
    return OTAPRIO_OK;
}

static int build_guards(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    otaprio_plan *p = w->plan;
    if (r->rule_count == 0)
        return OTAPRIO_OK;
    otaprio_guard_options options;
    OTAPRIO__TRY(tolerance(w, &options, diag));
    otaprio_guard_rule *rules;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&w->mem, r->rule_count,
                                           sizeof *rules, (void **)&rules));
    int status = OTAPRIO_OK;
    for (uint32_t k = 0; k < p->wave_count && status == OTAPRIO_OK; k++) {
        /* A wave may not expand before its soak is over. */
        double soak = p->waves[k].soak_hours;
        for (size_t i = 0; i < r->rule_count; i++) {
            rules[i] = r->rules[i];
            if (rules[i].window_hours < soak)
                rules[i].window_hours = soak;
        }
        status = otaprio_guard_set_create(&options, rules, r->rule_count,
                                          w->allocator, &p->guards[k], diag);
    }
    otaprio__mem_free(&w->mem, rules);
    return status;
}

static void count_uncovered(otaprio__plan_work *w)
{
    otaprio_plan *p = w->plan;
    const otaprio_plan_chain *chains = p->chains.data;
    for (size_t c = 0; c < p->chains.length; c++)
        for (uint32_t k = 0; chains[c].planned > 0 && k < p->wave_count &&
                             k < chains[c].first_wave;
             k++)
            p->waves[k].chains_uncovered++;
    const otaprio__plan_cluster *clusters = w->clusters.data;
    for (size_t c = 0; c < w->clusters.length; c++)
        for (uint32_t k = 0; k < p->wave_count && k < clusters[c].first_wave;
             k++)
            p->waves[k].clusters_uncovered++;
}

/* ---- warnings ------------------------------------------------------------ */

/* A chain or cluster that no canary reaches: its devices, its place in
 * the plan's list, and what its warning names. */
typedef struct ranked {
    uint64_t devices;
    size_t index;
    uint64_t subject;
} ranked;

/* Largest first, then in order of appearance: a total order. */
static int compare_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->devices != y->devices)
        return x->devices < y->devices ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

static int warn_ranked(otaprio__plan_work *w, int32_t code, uint32_t wave,
                       ranked *list, size_t n)
{
    qsort(list, n, sizeof *list, compare_ranked);
    int status = OTAPRIO_OK;
    for (size_t i = 0; i < n && status == OTAPRIO_OK; i++)
        status = warn(w, code, wave, list[i].subject, list[i].devices);
    return status;
}

/* The chains, then the shared-fate clusters, whose devices first meet the
 * fix in the last wave, largest first. */
static int warn_uncovered(otaprio__plan_work *w)
{
    otaprio_plan *p = w->plan;
    if (p->wave_count < 2)
        return OTAPRIO_OK;
    uint32_t last = p->wave_count - 1;
    size_t room = p->chains.length > w->clusters.length ? p->chains.length
                                                        : w->clusters.length;
    ranked *list;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(&w->mem, room, sizeof *list, (void **)&list));
    const otaprio_plan_chain *chains = p->chains.data;
    size_t n = 0;
    for (size_t c = 0; c < p->chains.length; c++)
        if (chains[c].planned > 0 && chains[c].first_wave == last)
            list[n++] = (ranked){chains[c].planned, c, c};
    int status =
        warn_ranked(w, OTAPRIO_PLAN_WARN_CHAIN_UNCOVERED, last, list, n);
    const otaprio__plan_cluster *clusters = w->clusters.data;
    n = 0;
    for (size_t c = 0; c < w->clusters.length; c++)
        if (clusters[c].devices > 0 && clusters[c].first_wave == last)
            list[n++] = (ranked){clusters[c].devices, c, clusters[c].id};
    if (status == OTAPRIO_OK)
        status =
            warn_ranked(w, OTAPRIO_PLAN_WARN_CLUSTER_UNCOVERED, last, list, n);
    otaprio__mem_free(&w->mem, list);
    return status;
}

static int collect_warnings(otaprio__plan_work *w, otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    otaprio_plan *p = w->plan;
    otaprio_plan_summary *s = &p->summary;
    if (r->rule_count == 0)
        OTAPRIO__TRY(
            warn(w, OTAPRIO_PLAN_WARN_NO_GUARDRAILS, OTAPRIO_PLAN_NONE, 0, 0));
    if (w->shaping.weak)
        OTAPRIO__TRY(warn(w, OTAPRIO_PLAN_WARN_WEAK_ROLLBACK, OTAPRIO_PLAN_NONE,
                          w->shaping.weak_causes, 0));
    if (s->breakglass_requested && !s->breakglass_approved)
        OTAPRIO__TRY(warn(w, OTAPRIO_PLAN_WARN_BREAKGLASS_DENIED,
                          OTAPRIO_PLAN_NONE, s->breakglass_unmet, 0));
    if (w->by_disposition[OTAPRIO_DISPOSITION_ELIGIBLE] == 0)
        OTAPRIO__TRY(warn(w, OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE,
                          OTAPRIO_PLAN_NONE, 0, 0));
    for (uint32_t k = w->cohort_offset; k < p->wave_count; k++) {
        otaprio_cohort_wave info = {.size = sizeof info};
        OTAPRIO__TRY(otaprio_cohort_wave_info(p->cohort, k - w->cohort_offset,
                                              &info, diag));
        if (info.strata_short_of_minimum > 0)
            OTAPRIO__TRY(warn(w, OTAPRIO_PLAN_WARN_STRATA_SHORT, k,
                              info.strata_short_of_minimum, 0));
        if (info.shortfall > 0)
            OTAPRIO__TRY(
                warn(w, OTAPRIO_PLAN_WARN_SHORTFALL, k, info.shortfall, 0));
    }
    const otaprio_plan_chain *chains = p->chains.data;
    for (size_t c = 0; c < p->chains.length; c++)
        if (chains[c].path_status == OTAPRIO_PLAN_PATH_UNREACHABLE ||
            chains[c].path_status == OTAPRIO_PLAN_PATH_TOO_LONG)
            OTAPRIO__TRY(warn(w, OTAPRIO_PLAN_WARN_NO_PATH, OTAPRIO_PLAN_NONE,
                              c, chains[c].blocked));
    return warn_uncovered(w);
}

static void summarise(otaprio__plan_work *w)
{
    otaprio_plan *p = w->plan;
    otaprio_plan_summary *s = &p->summary;
    s->devices = w->devices;
    s->affected = w->marked;
    memcpy(s->by_disposition, w->by_disposition, sizeof s->by_disposition);
    memcpy(s->by_reason, w->by_reason, sizeof s->by_reason);
    s->critical = w->critical;
    s->planned = w->planned;
    s->hours_to_broad = otaprio__plan_shape_hours(&w->shape, w->rings_present);
    s->rollback_tier = p->waves[0].rollback_tier;
    s->rollback_weak_causes = w->shaping.weak_causes;
}

/* ---- the call ------------------------------------------------------------ */

static int flow(otaprio__plan_work *w, otaprio_diag *diag)
{
    OTAPRIO__TRY(classify(w, diag));
    OTAPRIO__TRY(choose_shape(w, diag));
    if (w->request.power != NULL)
        OTAPRIO__TRY(size_by_power(w, diag));
    OTAPRIO__TRY(sample(w, diag));
    OTAPRIO__TRY(assign(w, diag));
    OTAPRIO__TRY(describe_waves(w, diag));
    count_uncovered(w);
    OTAPRIO__TRY(build_guards(w, diag));
    summarise(w);
    return collect_warnings(w, diag);
}

static void work_free(otaprio__plan_work *w)
{
    otaprio_risk_model_free(w->own_model);
    otaprio_clusterer_free(w->regions);
    otaprio_cohort_sampler_free(w->sampler);
    otaprio_clusterer_free(w->chain_clusterer);
    otaprio_clusterer_free(w->cluster_clusterer);
    otaprio__vec_release(&w->mem, &w->excluded_clusters);
    otaprio__vec_release(&w->mem, &w->chain_components);
    otaprio__vec_release(&w->mem, &w->chain_columns);
    otaprio__vec_release(&w->mem, &w->chain_tally);
    otaprio__vec_release(&w->mem, &w->chain_unseen);
    otaprio__vec_release(&w->mem, &w->cluster_waves);
    otaprio__vec_release(&w->mem, &w->clusters);
    otaprio__plan_columns_free(&w->mem, &w->columns);
}

int otaprio_plan_create(const otaprio_plan_request *request,
                        const otaprio_allocator *allocator, otaprio_plan **plan,
                        otaprio_diag *diag)
{
    if (request == NULL || plan == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, request == NULL ? "request" : "plan", -1,
            "%s is NULL", request == NULL ? "request" : "plan");
    otaprio__plan_work *w;
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    int status = otaprio__mem_zalloc_array(&mem, 1, sizeof *w, (void **)&w);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1, "out of memory");
    w->mem = mem;
    w->allocator = allocator;
    w->excluded_clusters.elem_size = sizeof(uint32_t);
    w->chain_components.elem_size = sizeof(uint32_t);
    w->chain_columns.elem_size = sizeof(const uint32_t *);
    w->chain_tally.elem_size = sizeof(otaprio__plan_tally);
    w->chain_unseen.elem_size = 1;
    w->cluster_waves.elem_size = sizeof(uint16_t);
    w->clusters.elem_size = sizeof(otaprio__plan_cluster);
    otaprio__plan_columns_init(&w->columns);
    (otaprio_plan_request_init)(&w->request, sizeof w->request);
    status = otaprio__struct_read(&w->request, request, &request_layout, diag);
    if (status == OTAPRIO_OK)
        status = validate(&w->request, diag);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(&mem, 1, sizeof *w->plan,
                                           (void **)&w->plan);
    if (status == OTAPRIO_OK) {
        w->plan->mem = mem;
        w->plan->summary.size = sizeof w->plan->summary;
        w->plan->chains.elem_size = sizeof(otaprio_plan_chain);
        w->plan->warnings.elem_size = sizeof(otaprio_plan_warning);
        status = flow(w, diag);
    }
    if (status == OTAPRIO_E_NOMEM)
        otaprio__fail(diag, status, "", -1, "out of memory");
    if (status == OTAPRIO_OK)
        *plan = w->plan;
    else
        otaprio_plan_free(w->plan);
    work_free(w);
    otaprio__mem_free(&mem, w);
    return status;
}
