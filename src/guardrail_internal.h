/* SPDX-License-Identifier: MIT */
/*
 * The guardrail engine's private shapes: a compiled rule set
 * (guardrail_set.c), one comparison's judgment (guardrail_judge.c), the
 * samples of a continuous metric (guardrail_samples.c), the report
 * (guardrail_evaluate.c builds it, guardrail_report.c answers from it) and
 * the host's sequential state (guardrail_sequence.c).
 */
#ifndef OTAPRIO_GUARDRAIL_INTERNAL_H
#define OTAPRIO_GUARDRAIL_INTERNAL_H

#include <math.h>

#include "internal.h"
#include "otaprio/guardrail.h"
#include "stats.h"
#include "stats_sequential.h"

/* NaN as a double (NAN is a float, which -Wdouble-promotion flags). */
#define OTAPRIO__NAN ((double)NAN)

/* exp of a log p-value, without the call for the most common one: most
 * strata's p-values (and nearly all adjusted ones) are 1. exp(0) is 1
 * exactly, so the shortcut changes no result. */
static inline double otaprio__exp_of_log_p(double log_p)
{
    return log_p == 0.0 ? 1.0 : exp(log_p);
}

/* Longest rule name, in bytes, without its terminator. */
#define OTAPRIO__GUARD_NAME_MAX 63

/* A rule as the engine reads it: the caller's fields with defaults filled
 * in, the name copied, and the limits after tolerance scaling. */
typedef struct otaprio__guard_rule {
    otaprio_guard_rule rule; /* rule.name points at `name` */
    char name[OTAPRIO__GUARD_NAME_MAX + 1];
    /* The allowed ratio of the canary's bad-event rate to the baseline's,
     * in the bad direction: 1 + scale * margin (a lower-is-worse rate is
     * judged as baseline over canary, so 1 / (1 - scale * margin)). */
    double ratio_limit;
    /* The continuous metric's allowed shift, as a share of the baseline's
     * median: scale * margin. */
    double shift_share;
    /* The ceiling in the bad direction: a proportion of bad events
     * (1 - floor for a lower-is-worse proportion), a rate, or a
     * continuous value (negated for lower-is-worse). */
    double ceiling;
    /* Identifies the rule to a saved sequence (XXH3 of its settings). */
    uint64_t fingerprint;
} otaprio__guard_rule;

struct otaprio_guard_set {
    otaprio__mem mem;
    otaprio_guard_options options; /* full layout, defaults filled in */
    double scale;                  /* the resolved tolerance scale */
    /* The normal quantile of the intervals' confidence 1 - alpha, as the
     * statistics would compute it, computed once. */
    double z;
    /* log(alpha), which every check's verdict compares with: computed
     * once rather than per stratum. */
    double log_alpha;
    size_t count;
    otaprio__guard_rule *rules;
};

/* One comparison of canary and baseline: the pooled data of a metric, or
 * one of its rows. Proportions and rates arrive already turned so that
 * more is worse (bad events, bad direction). */
typedef struct otaprio__guard_counts {
    uint64_t canary_events;
    uint64_t baseline_events;
    double canary_sample;   /* trials or exposure */
    double baseline_sample; /* trials or exposure */
    uint64_t canary_trials; /* proportions only */
    uint64_t baseline_trials;
} otaprio__guard_counts;

/* What one check or one whole rule concluded. */
typedef struct otaprio__guard_outcome {
    int32_t verdict; /* an otaprio_guard_verdict */
    int32_t reason;  /* an otaprio_guard_reason_code */
    int32_t test;    /* an otaprio_guard_test */
    int32_t check;   /* the reason code this check fails with */
    double statistic;
    double p_value;
    double log_p_value;
} otaprio__guard_outcome;

/* The judgment of a comparison, for the result struct and the strata. */
typedef struct otaprio__guard_judgment {
    otaprio__guard_outcome outcome; /* the deciding check */
    /* The smallest harm p-value over the checks, times their number (a
     * Bonferroni bound within the rule), for the multiple-comparison
     * control across strata; in log space. */
    double log_harm_p;
    int32_t harm_reason;
    double canary_value;
    double baseline_value;
    double effect;
    otaprio__interval effect_interval;
    double limit;
} otaprio__guard_judgment;

/* The verdicts a comparison may reach, before sample and window gates;
 * `with_effect` adds the effect's interval (the whole cohort's, not each
 * stratum's). */
OTAPRIO__NODISCARD int otaprio__guard_judge_counts(
    const otaprio_guard_set *set, const otaprio__guard_rule *rule,
    const otaprio__guard_counts *counts, const otaprio__sequence *sequence,
    bool with_effect, otaprio__guard_judgment *out);

OTAPRIO__NODISCARD int otaprio__guard_judge_samples(
    const otaprio_guard_set *set, const otaprio__mem *mem,
    const otaprio__guard_rule *rule, const otaprio__samples *samples,
    bool with_effect, otaprio__guard_judgment *out);

/* What a stratum's report needs of its judgment. */
typedef struct otaprio__guard_row {
    int32_t verdict;   /* before multiple-comparison control */
    int32_t reason;    /* the harm test's reason code */
    double log_harm_p; /* as otaprio__guard_judgment's */
    double p_value;    /* exp(log_harm_p) */
    double canary_value;
    double baseline_value;
} otaprio__guard_row;

/* A stratum with canary data (canary_sample > 0) of a rule whose one
 * check is the baseline: judge_counts() with no sequence and no effect,
 * values already in the metric's own terms (as present() turns them),
 * without the judgment's machinery for several checks, which cost as
 * much as the test; test_guardrail_rows checks that they agree. */
OTAPRIO__NODISCARD int otaprio__guard_judge_row(const otaprio_guard_set *set,
                                                const otaprio__guard_rule *rule,
                                                const otaprio__guard_counts *c,
                                                otaprio__guard_row *out);

/*
 * The common stratum of a baseline-only rule, tested here directly: a
 * baseline with events and a harm test alone (Fisher's for a proportion
 * within the exact limit, the rate-ratio test for a rate), decided as
 * decide() decides without evidence. Inline in the evaluation's loop:
 * through otaprio__guard_judge_row() and the checks' layers around the
 * test, a stratum cost a tenth more. Returns 0 with `out` set, 1 when the
 * stratum needs otaprio__guard_judge_row() (no baseline, a zero
 * baseline's policy, evidence, the score tests, a floor on a rate), or a
 * test's failure; test_guardrail_rows checks it against the general path.
 */
static inline int otaprio__guard_judge_row_direct(
    const otaprio_guard_set *set, const otaprio__guard_rule *rule,
    const otaprio__guard_counts *c, otaprio__guard_row *out)
{
    bool proportion = rule->rule.kind == OTAPRIO_GUARD_PROPORTION;
    bool lower = rule->rule.direction == OTAPRIO_GUARD_LOWER_IS_WORSE;
    uint64_t x1 = c->canary_events, x2 = c->baseline_events;
    if (rule->rule.require_evidence || !(c->baseline_sample > 0.0) || x2 == 0 ||
        (lower && !proportion) ||
        (proportion &&
         !(rule->ratio_limit == 1.0 && x1 + x2 <= set->options.exact_limit)))
        return 1;
    otaprio__test harm;
    /* The tests without their statistics, which a stratum does not
     * report. */
    int status = proportion
                     ? otaprio__fisher_exact_p(x1, c->canary_trials, x2,
                                               c->baseline_trials,
                                               OTAPRIO__ALT_GREATER, &harm)
                     : otaprio__rate_ratio_test_p(
                           x1, c->canary_sample, x2, c->baseline_sample,
                           rule->ratio_limit, OTAPRIO__ALT_GREATER, &harm);
    if (status != OTAPRIO_OK)
        return status;
    double log_p = harm.log_p_value + 0.0;
    out->log_harm_p = log_p > 0.0 ? 0.0 : log_p;
    out->verdict = harm.log_p_value < set->log_alpha ? OTAPRIO_GUARD_FAIL
                                                     : OTAPRIO_GUARD_PASS;
    out->reason = OTAPRIO_GUARD_REASON_OVER_BASELINE;
    out->p_value = harm.log_p_value == out->log_harm_p
                       ? harm.p_value
                       : otaprio__exp_of_log_p(out->log_harm_p);
    double canary = (double)x1 / c->canary_sample;
    double baseline = (double)x2 / c->baseline_sample;
    if (lower) { /* a proportion: its bad events were turned */
        canary = 1.0 - canary;
        baseline = 1.0 - baseline;
    }
    out->canary_value = canary;
    out->baseline_value = baseline;
    return OTAPRIO_OK;
}

/* Sets `out` to the outcome of no data under the rule's policy. */
void otaprio__guard_no_data(const otaprio__guard_rule *rule,
                            otaprio__guard_judgment *out);

/* Scratch for ordering one rule's strata, each array sized for the widest
 * rule of an evaluation (`rows` entries unless told). */
typedef struct otaprio__guard_scratch {
    double *log_p;    /* in: each row's harm log p-value, NaN untested */
    double *adjusted; /* out: by row, adjusted log p-value (NaN untested) */
    uint32_t *order;  /* out: rows in report order; 2 * rows entries */
    uint64_t *keys;   /* 2 * rows entries */
    otaprio_guard_stratum *strata; /* for the permutation */
} otaprio__guard_scratch;

/* Orders a rule's `rows` strata for the report, tested ones by (log p,
 * row) and then the untested in row order, and adjusts the tested ones'
 * p-values under `method` (an otaprio_guard_multiplicity), whose adjusted
 * values are non-decreasing in that order (guardrail_adjust.c). Sets
 * `*tested` to their number. Allocates nothing. */
void otaprio__guard_localise(const otaprio__guard_scratch *scratch,
                             int32_t method, size_t rows, size_t *tested);

/* ---- continuous samples (guardrail_samples.c) ------------------------ */

/* A continuous metric's samples, gathered once: every row's canary and
 * baseline values back to back, with each row's offsets. */
typedef struct otaprio__guard_pool {
    otaprio__vec canary;   /* double */
    otaprio__vec baseline; /* double */
    size_t *canary_start;  /* rows + 1 offsets */
    size_t *baseline_start;
    size_t rows;
} otaprio__guard_pool;

/* Calls the host's callback for every row and group, checking each value
 * (finite) and copying it; a callback's non-zero value is returned as it
 * is. `entry` names the data entry in diagnostics. */
OTAPRIO__NODISCARD int
otaprio__guard_pool_gather(const otaprio__mem *mem,
                           const otaprio_guard_rule *rule,
                           const otaprio_guard_data *data, size_t entry,
                           otaprio__guard_pool *pool, otaprio_diag *diag);

void otaprio__guard_pool_release(const otaprio__mem *mem,
                                 otaprio__guard_pool *pool);

/* ---- the report -------------------------------------------------------- */

/* One allocation: the arrays follow the handle (guardrail_evaluate.c). */
struct otaprio_guard_report {
    otaprio__mem mem;
    int32_t action;
    size_t rule_count;
    otaprio_guard_result *results; /* full layout, one per rule */
    size_t *strata_start;          /* rule_count + 1 offsets */
    otaprio_guard_stratum *strata; /* sorted per rule */
    size_t reason_count;
    otaprio_guard_reason *reasons; /* gravest first */
};

/* ---- sequences ----------------------------------------------------------- */

struct otaprio_guard_sequence {
    otaprio__mem mem;
    uint32_t rule;
    uint64_t fingerprint;
    otaprio__sequence state;
};

/* Checks that `sequence` belongs to rule `rule` of `set`. */
OTAPRIO__NODISCARD int
otaprio__guard_sequence_check(const otaprio_guard_set *set, uint32_t rule,
                              const otaprio_guard_sequence *sequence,
                              otaprio_diag *diag);

#endif /* OTAPRIO_GUARDRAIL_INTERNAL_H */
