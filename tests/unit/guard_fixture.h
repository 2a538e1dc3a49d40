/* SPDX-License-Identifier: MIT */
/*
 * Small builders for guardrail tests: a rule with the defaults, one row of
 * counts, samples served from arrays, and one-call evaluation of a single
 * rule.
 */
#ifndef OTAPRIO_TEST_GUARD_FIXTURE_H
#define OTAPRIO_TEST_GUARD_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "otaprio/guardrail.h"

static inline otaprio_guard_rule guard_rule(const char *name, int32_t kind)
{
    otaprio_guard_rule rule;
    otaprio_guard_rule_init(&rule);
    rule.name = name;
    rule.kind = kind;
    rule.window_hours = 0.0; /* no soak unless a test asks for one */
    return rule;
}

/* Rows of counts, as columns. */
typedef struct guard_rows {
    uint64_t canary_events[8];
    uint64_t canary_trials[8];
    double canary_exposure[8];
    uint64_t baseline_events[8];
    uint64_t baseline_trials[8];
    double baseline_exposure[8];
    uint64_t ids[8];
    size_t rows;
} guard_rows;

/* Adds a proportion row: canary failures of trials, baseline likewise. */
static inline void guard_add_proportion(guard_rows *r, uint64_t cx, uint64_t cn,
                                        uint64_t bx, uint64_t bn)
{
    size_t i = r->rows++;
    r->canary_events[i] = cx;
    r->canary_trials[i] = cn;
    r->baseline_events[i] = bx;
    r->baseline_trials[i] = bn;
    r->ids[i] = 100 + i;
}

/* Adds a rate row: events over exposure for canary and baseline. */
static inline void guard_add_rate(guard_rows *r, uint64_t cx, double ct,
                                  uint64_t bx, double bt)
{
    size_t i = r->rows++;
    r->canary_events[i] = cx;
    r->canary_exposure[i] = ct;
    r->baseline_events[i] = bx;
    r->baseline_exposure[i] = bt;
    r->ids[i] = 100 + i;
}

static inline otaprio_guard_data
guard_data_of(uint32_t rule, const guard_rows *r, double hours)
{
    otaprio_guard_data d;
    otaprio_guard_data_init(&d);
    d.rule = rule;
    d.rows = r->rows;
    d.stratum_ids = r->ids;
    d.window_start_hours = 0.0;
    d.window_end_hours = hours;
    d.canary_events = r->canary_events;
    d.canary_trials = r->canary_trials;
    d.canary_exposure = r->canary_exposure;
    d.baseline_events = r->baseline_events;
    d.baseline_trials = r->baseline_trials;
    d.baseline_exposure = r->baseline_exposure;
    return d;
}

/* Samples for a continuous metric: per row, canary then baseline. */
typedef struct guard_samples {
    const double *values[8][2];
    size_t counts[8][2];
    int fail_with; /* non-zero: the callback returns it */
    int calls;
} guard_samples;

static inline int guard_samples_fn(void *user, size_t row, int32_t group,
                                   const double **values, size_t *count)
{
    guard_samples *s = user;
    s->calls++;
    if (s->fail_with != 0)
        return s->fail_with;
    *values = s->values[row][group];
    *count = s->counts[row][group];
    return 0;
}

/* One row of samples for rule `rule`: the canary's and the baseline's,
 * served from arrays over a 24-hour window. */
static inline otaprio_guard_data
guard_samples_of(uint32_t rule, guard_samples *s, const double *canary,
                 size_t canary_count, const double *baseline,
                 size_t baseline_count)
{
    s->fail_with = 0;
    s->calls = 0;
    s->values[0][0] = canary;
    s->counts[0][0] = canary_count;
    s->values[0][1] = baseline;
    s->counts[0][1] = baseline_count;
    otaprio_guard_data d;
    otaprio_guard_data_init(&d);
    d.rule = rule;
    d.rows = 1;
    d.window_end_hours = 24.0;
    d.samples = guard_samples_fn;
    d.user = s;
    return d;
}

/* Evaluates one rule on one data entry with default options (or
 * `options`), returning the status and, on success, the rule's result and
 * the overall action. */
typedef struct guard_outcome {
    int status;
    int action;
    otaprio_guard_result result;
    size_t reasons;
    otaprio_guard_reason first_reason;
} guard_outcome;

static inline guard_outcome guard_judge(const otaprio_guard_options *options,
                                        const otaprio_guard_rule *rule,
                                        const otaprio_guard_data *data)
{
    guard_outcome out;
    memset(&out, 0, sizeof out);
    otaprio_guard_set *set = NULL;
    out.status = otaprio_guard_set_create(options, rule, 1, NULL, &set, NULL);
    if (out.status != OTAPRIO_OK)
        return out;
    otaprio_guard_report *report = NULL;
    out.status = otaprio_guard_evaluate(set, data, data != NULL ? 1 : 0, NULL,
                                        &report, NULL);
    if (out.status == OTAPRIO_OK) {
        out.action = otaprio_guard_report_action(report);
        out.result.size = sizeof out.result;
        otaprio_guard_report_result(report, 0, &out.result);
        out.reasons = otaprio_guard_report_reason_count(report);
        out.first_reason.size = sizeof out.first_reason;
        if (out.reasons > 0)
            otaprio_guard_report_reason(report, 0, &out.first_reason);
    }
    otaprio_guard_report_free(report);
    otaprio_guard_set_free(set);
    return out;
}

#endif /* OTAPRIO_TEST_GUARD_FIXTURE_H */
