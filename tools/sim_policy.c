/* SPDX-License-Identifier: MIT */
/*
 * libotaprio's rollout policy in the simulator: after every hour the
 * current wave's guardrails (otaprio_plan_wave_guards()) judge the canary
 * against the devices not yet updated, SKU by SKU, since the window began.
 * Boot failures and heavy drain are judged sequentially (always valid, so
 * a critical failure halts within the hour); fixed-sample verdicts, the
 * install ceiling and the strata that fail alone, are acted on once a day.
 * When only some SKUs fail, they are exempted and the rest go on.
 */
#include <string.h>

#include "sim.h"

/* The policy that follows a plan: its waves' guardrails decide. */
typedef struct plan_policy {
    const otaprio_plan *plan;
    otaprio_guard_sequence *sequences[SIM_RULES];
} plan_policy;

static const int sequential_rules[] = {SIM_RULE_BOOT, SIM_RULE_DRAIN};

static void free_sequences(plan_policy *self)
{
    for (int r = 0; r < SIM_RULES; r++) {
        otaprio_guard_sequence_free(self->sequences[r]);
        self->sequences[r] = NULL;
    }
}

/* Sequential counts are cumulative from the window's start. */
static int restart(void *user, uint32_t wave, otaprio_diag *diag)
{
    plan_policy *self = user;
    free_sequences(self);
    const otaprio_guard_set *set = otaprio_plan_wave_guards(self->plan, wave);
    for (size_t i = 0; i < sizeof sequential_rules / sizeof *sequential_rules;
         i++) {
        int r = sequential_rules[i];
        int status = otaprio_guard_sequence_create(set, (uint32_t)r, NULL,
                                                   &self->sequences[r], diag);
        if (status != OTAPRIO_OK)
            return status;
    }
    return OTAPRIO_OK;
}

/* One SKU's window: the counts of the cells up to the current wave. */
typedef struct rows {
    size_t count;
    uint64_t ids[SIM_SKUS];
    uint64_t tried[SIM_SKUS], failed[SIM_SKUS];
    uint64_t canary_boot[SIM_SKUS], baseline_boot[SIM_SKUS];
    uint64_t canary_drain[SIM_SKUS], baseline_drain[SIM_SKUS];
    double canary_exposure[SIM_SKUS], baseline_exposure[SIM_SKUS];
} rows;

static void gather(const sim_view *v, rows *r)
{
    const sim_counts *a = v->start, *b = v->now;
    memset(r, 0, sizeof *r);
    for (int k = 0; k < SIM_SKUS; k++) {
        if (v->exempt[k])
            continue;
        size_t i = r->count++;
        r->ids[i] = (uint64_t)k;
        for (uint32_t w = 0; w <= v->wave; w++) {
            r->tried[i] += b->settled[w][k] - a->settled[w][k];
            r->failed[i] += b->failed[w][k] - a->failed[w][k];
            r->canary_boot[i] += b->boot[w][k] - a->boot[w][k];
            r->canary_drain[i] += b->drain[w][k] - a->drain[w][k];
            r->canary_exposure[i] += b->exposure[w][k] - a->exposure[w][k];
        }
        r->baseline_boot[i] = b->baseline_boot[k] - a->baseline_boot[k];
        r->baseline_drain[i] = b->baseline_drain[k] - a->baseline_drain[k];
        r->baseline_exposure[i] =
            b->baseline_exposure[k] - a->baseline_exposure[k];
    }
}

static void describe(const plan_policy *self, const sim_view *v, const rows *r,
                     otaprio_guard_data data[SIM_RULES])
{
    /* Installs have no baseline; their rule checks its ceiling alone. */
    static const uint64_t none[SIM_SKUS] = {0};
    for (int k = 0; k < SIM_RULES; k++) {
        otaprio_guard_data_init(&data[k]);
        data[k].rule = (uint32_t)k;
        data[k].rows = r->count;
        data[k].stratum_ids = r->ids;
        data[k].window_end_hours = (double)(v->hour - v->window_start);
        data[k].sequence = self->sequences[k];
    }
    data[SIM_RULE_BOOT].canary_events = r->canary_boot;
    data[SIM_RULE_BOOT].baseline_events = r->baseline_boot;
    data[SIM_RULE_BOOT].canary_exposure = r->canary_exposure;
    data[SIM_RULE_BOOT].baseline_exposure = r->baseline_exposure;
    data[SIM_RULE_INSTALL].canary_events = r->failed;
    data[SIM_RULE_INSTALL].canary_trials = r->tried;
    data[SIM_RULE_INSTALL].baseline_events = none;
    data[SIM_RULE_INSTALL].baseline_trials = none;
    data[SIM_RULE_DRAIN].canary_events = r->canary_drain;
    data[SIM_RULE_DRAIN].baseline_events = r->baseline_drain;
    data[SIM_RULE_DRAIN].canary_exposure = r->canary_exposure;
    data[SIM_RULE_DRAIN].baseline_exposure = r->baseline_exposure;
}

/* The report's verdict as an action: the SKUs that fail alone, or the
 * gravest action with its metric. */
static int read_report(const otaprio_guard_report *report, sim_decision *d)
{
    int action = otaprio_guard_report_action(report);
    bool only_strata = true;
    size_t count = otaprio_guard_report_reason_count(report);
    for (size_t i = 0; i < count; i++) {
        otaprio_guard_reason reason = {.size = sizeof reason};
        int status = otaprio_guard_report_reason(report, i, &reason);
        if (status != OTAPRIO_OK)
            return status;
        if (reason.action < OTAPRIO_GUARD_PAUSE)
            continue;
        if (d->why == NULL && reason.rule < SIM_RULES)
            d->why = sim_rule_names[reason.rule];
        if (reason.code != OTAPRIO_GUARD_REASON_STRATA) {
            only_strata = false;
            continue;
        }
        otaprio_guard_stratum strata[SIM_SKUS];
        for (size_t j = 0; j < SIM_SKUS; j++)
            strata[j].size = sizeof strata[j];
        size_t total = 0;
        status = otaprio_guard_report_strata(report, reason.rule, strata,
                                             SIM_SKUS, &total);
        if (status != OTAPRIO_OK)
            return status;
        for (size_t j = 0; j < total && j < SIM_SKUS; j++)
            /* The strata are SKUs: gather() names them so. */
            if (strata[j].verdict == OTAPRIO_GUARD_FAIL &&
                strata[j].stratum < SIM_SKUS)
                d->exempt[strata[j].stratum] = true;
    }
    switch (action) {
    case OTAPRIO_GUARD_EXPAND:
        d->action = SIM_ACT_EXPAND;
        break;
    case OTAPRIO_GUARD_HOLD:
        d->action = SIM_ACT_HOLD;
        break;
    default:
        d->action = only_strata                        ? SIM_ACT_EXEMPT
                    : action == OTAPRIO_GUARD_ROLLBACK ? SIM_ACT_ROLLBACK
                                                       : SIM_ACT_PAUSE;
    }
    return OTAPRIO_OK;
}

/* The whole cohort's values of each rule at this look, for reports. The
 * engine's limit is a ratio to the baseline for the rules that compare
 * with it and the ceiling itself for installs, which have no baseline. */
static int look(const otaprio_guard_report *report, sim_decision *d)
{
    for (uint32_t r = 0; r < SIM_RULES; r++) {
        otaprio_guard_result result = {.size = sizeof result};
        int status = otaprio_guard_report_result(report, r, &result);
        if (status != OTAPRIO_OK)
            return status;
        d->looks[r].verdict = result.verdict;
        d->looks[r].canary = result.canary_value;
        d->looks[r].baseline = result.baseline_value;
        d->looks[r].allowed = r == SIM_RULE_INSTALL
                                  ? result.limit
                                  : result.baseline_value * result.limit;
    }
    d->looked = true;
    return OTAPRIO_OK;
}

static int decide(void *user, const sim_view *v, sim_decision *d,
                  otaprio_diag *diag)
{
    plan_policy *self = user;
    rows r;
    gather(v, &r);
    otaprio_guard_data data[SIM_RULES];
    describe(self, v, &r, data);
    const otaprio_guard_set *set =
        otaprio_plan_wave_guards(self->plan, v->wave);
    otaprio_guard_report *report = NULL;
    int status =
        otaprio_guard_evaluate(set, data, SIM_RULES, NULL, &report, diag);
    if (status != OTAPRIO_OK)
        return status;
    memset(d, 0, sizeof *d);
    status = read_report(report, d);
    if (status == OTAPRIO_OK)
        status = look(report, d);
    otaprio_guard_report_free(report);
    /* Only the sequential rules are valid at every look; the rest are
     * acted on at the window's daily looks. */
    bool daily = (v->hour - v->window_start) % 24 == 0;
    if (!daily && (d->action == SIM_ACT_EXEMPT || d->action == SIM_ACT_PAUSE))
        d->action = SIM_ACT_HOLD;
    return status;
}

int sim_run_plan(const sim_setup *setup, const otaprio_plan *plan,
                 const uint8_t *waves, sim_outcome *out, otaprio_diag *diag)
{
    memset(out, 0, sizeof *out);
    uint32_t wave_count = otaprio_plan_wave_count(plan);
    /* sim_run() refuses more than SIM_MAX_WAVES waves. */
    int maintenance[SIM_MAX_WAVES] = {0};
    for (uint32_t k = 0; k < wave_count && k < SIM_MAX_WAVES; k++) {
        otaprio_plan_wave info = {.size = sizeof info};
        int status = otaprio_plan_get_wave(plan, k, &info, diag);
        if (status != OTAPRIO_OK)
            return status;
        maintenance[k] = info.maintenance_window;
    }
    plan_policy self = {.plan = plan};
    sim_policy policy = {"libotaprio", &self, restart, decide};
    int status =
        sim_run(setup, waves, wave_count, maintenance, &policy, out, diag);
    free_sequences(&self);
    return status;
}
