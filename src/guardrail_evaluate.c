/* SPDX-License-Identifier: MIT */
/*
 * Evaluating telemetry against a rule set: every entry checked before any
 * work, each rule judged on its pooled data and on each of its strata,
 * the strata's failures controlled for multiplicity, gates applied (no
 * data, minimum sample, soak window), and the overall action with its
 * reasons. Sequences advance only once everything has succeeded, so a
 * failed call leaves the host's state as it was.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "guardrail_internal.h"

static const otaprio__layout data_layout = {
    "otaprio_guard_data", sizeof(otaprio_guard_data),
    sizeof(otaprio_guard_data), /* first published layout */
};

int(otaprio_guard_data_init)(otaprio_guard_data *data, size_t size)
{
    return otaprio__struct_init(data, size, NULL, &data_layout);
}

/* ---- checking the data -------------------------------------------------- */

static int need(const void *column, const char *field, size_t entry,
                otaprio_diag *diag)
{
    if (column != NULL)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_INVALID, field, (int64_t)entry,
                         "data %zu: the rule's kind needs %s", entry, field);
}

static int check_exposure(const double *column, const uint64_t *events,
                          const char *field, size_t entry, size_t row,
                          otaprio_diag *diag)
{
    double t = column[row];
    if (!(isfinite(t) && t >= 0.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)entry,
                             "data %zu, row %zu: %s is %g; exposure must be "
                             "finite and not negative",
                             entry, row, field, t);
    if (t == 0.0 && events[row] > 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)entry,
                             "data %zu, row %zu: %llu events without "
                             "exposure",
                             entry, row, (unsigned long long)events[row]);
    return OTAPRIO_OK;
}

/* Failed devices never outnumber the devices that tried. */
static int check_shares(const uint64_t *events, const uint64_t *trials,
                        size_t rows, const char *field, size_t entry,
                        otaprio_diag *diag)
{
    for (size_t r = 0; r < rows; r++) {
        if (events[r] > trials[r])
            return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)entry,
                                 "data %zu, row %zu: %s is %llu of %llu "
                                 "devices; failures cannot exceed trials",
                                 entry, r, field, (unsigned long long)events[r],
                                 (unsigned long long)trials[r]);
    }
    return OTAPRIO_OK;
}

static int check_counts(const otaprio__guard_rule *rule,
                        const otaprio_guard_data *d, size_t entry,
                        otaprio_diag *diag)
{
    if (rule->rule.kind == OTAPRIO_GUARD_CONTINUOUS || d->rows == 0)
        return OTAPRIO_OK;
    OTAPRIO__TRY(need(d->canary_events, "canary_events", entry, diag));
    OTAPRIO__TRY(need(d->baseline_events, "baseline_events", entry, diag));
    if (rule->rule.kind == OTAPRIO_GUARD_PROPORTION) {
        OTAPRIO__TRY(need(d->canary_trials, "canary_trials", entry, diag));
        OTAPRIO__TRY(need(d->baseline_trials, "baseline_trials", entry, diag));
        OTAPRIO__TRY(check_shares(d->canary_events, d->canary_trials, d->rows,
                                  "canary_events", entry, diag));
        OTAPRIO__TRY(check_shares(d->baseline_events, d->baseline_trials,
                                  d->rows, "baseline_events", entry, diag));
        return OTAPRIO_OK;
    }
    OTAPRIO__TRY(need(d->canary_exposure, "canary_exposure", entry, diag));
    OTAPRIO__TRY(need(d->baseline_exposure, "baseline_exposure", entry, diag));
    for (size_t r = 0; r < d->rows; r++) {
        OTAPRIO__TRY(check_exposure(d->canary_exposure, d->canary_events,
                                    "canary_exposure", entry, r, diag));
        OTAPRIO__TRY(check_exposure(d->baseline_exposure, d->baseline_events,
                                    "baseline_exposure", entry, r, diag));
    }
    return OTAPRIO_OK;
}

static int check_entry(const otaprio_guard_set *set,
                       const otaprio_guard_data *d, size_t entry,
                       size_t *by_rule, otaprio_diag *diag)
{
    if (d->rule >= set->count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "rule", (int64_t)entry,
                             "data %zu names rule %lu; the set has %zu", entry,
                             (unsigned long)d->rule, set->count);
    if (by_rule[d->rule] != SIZE_MAX)
        return otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "rule", (int64_t)entry,
                             "data %zu and %zu are both for rule \"%s\"",
                             by_rule[d->rule], entry, set->rules[d->rule].name);
    by_rule[d->rule] = entry;
    if (d->rows > OTAPRIO_GUARD_MAX_STRATA)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "rows", (int64_t)entry,
                             "data %zu has %zu rows; at most %lu", entry,
                             d->rows, (unsigned long)OTAPRIO_GUARD_MAX_STRATA);
    if (!(isfinite(d->window_start_hours) && d->window_start_hours >= 0.0 &&
          isfinite(d->window_end_hours) &&
          d->window_end_hours >= d->window_start_hours))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "window_end_hours",
                             (int64_t)entry,
                             "data %zu: the window runs from %g to %g "
                             "hours; it must be finite, start at 0 or "
                             "later, and not end before it starts",
                             entry, d->window_start_hours, d->window_end_hours);
    const otaprio__guard_rule *rule = &set->rules[d->rule];
    OTAPRIO__TRY(check_counts(rule, d, entry, diag));
    if (d->sequence != NULL) {
        if (!rule->rule.sequential)
            return otaprio__fail(
                diag, OTAPRIO_E_INVALID, "sequence", (int64_t)entry,
                "data %zu: rule \"%s\" is not sequential", entry, rule->name);
        OTAPRIO__TRY(
            otaprio__guard_sequence_check(set, d->rule, d->sequence, diag));
    }
    return OTAPRIO_OK;
}

/* ---- one rule ------------------------------------------------------------ */

/* Row `r`'s comparison, turned so that more is worse. */
static void row_counts(const otaprio__guard_rule *rule,
                       const otaprio_guard_data *d, size_t r,
                       otaprio__guard_counts *c)
{
    memset(c, 0, sizeof *c);
    c->canary_events = d->canary_events[r];
    c->baseline_events = d->baseline_events[r];
    if (rule->rule.kind == OTAPRIO_GUARD_PROPORTION) {
        c->canary_trials = d->canary_trials[r];
        c->baseline_trials = d->baseline_trials[r];
        if (rule->rule.direction == OTAPRIO_GUARD_LOWER_IS_WORSE) {
            /* The bad events of a success share are the devices that did
             * not succeed. */
            c->canary_events = c->canary_trials - c->canary_events;
            c->baseline_events = c->baseline_trials - c->baseline_events;
        }
        c->canary_sample = (double)c->canary_trials;
        c->baseline_sample = (double)c->baseline_trials;
    } else {
        c->canary_sample = d->canary_exposure[r];
        c->baseline_sample = d->baseline_exposure[r];
    }
}

/* *sum + v, false when it would pass 2^64. */
static bool add_u64(uint64_t *sum, uint64_t v)
{
    if (v > UINT64_MAX - *sum)
        return false;
    *sum += v;
    return true;
}

static int pool_counts(const otaprio__guard_rule *rule,
                       const otaprio_guard_data *d, size_t entry,
                       otaprio__guard_counts *sum, otaprio_diag *diag)
{
    /* Summed in scalars, each row read as row_counts() turns it: through
     * a struct the compiler kept every sum in memory. */
    uint64_t canary_events = 0, baseline_events = 0;
    uint64_t canary_trials = 0, baseline_trials = 0;
    double canary_sample = 0.0, baseline_sample = 0.0;
    for (size_t r = 0; r < d->rows; r++) {
        otaprio__guard_counts c;
        row_counts(rule, d, r, &c);
        uint64_t ce = canary_events, be = baseline_events;
        uint64_t ct = canary_trials, bt = baseline_trials;
        if (!add_u64(&ce, c.canary_events) ||
            !add_u64(&be, c.baseline_events) ||
            !add_u64(&ct, c.canary_trials) || !add_u64(&bt, c.baseline_trials))
            return otaprio__fail(
                diag, OTAPRIO_E_OVERFLOW, "rows", (int64_t)entry,
                "data %zu: the rows' counts sum past 2^64", entry);
        canary_events = ce;
        baseline_events = be;
        canary_trials = ct;
        baseline_trials = bt;
        canary_sample += c.canary_sample;
        baseline_sample += c.baseline_sample;
    }
    memset(sum, 0, sizeof *sum);
    sum->canary_events = canary_events;
    sum->baseline_events = baseline_events;
    sum->canary_trials = canary_trials;
    sum->baseline_trials = baseline_trials;
    sum->canary_sample = canary_sample;
    sum->baseline_sample = baseline_sample;
    if (!isfinite(sum->canary_sample) || !isfinite(sum->baseline_sample))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "canary_exposure",
                             (int64_t)entry,
                             "data %zu: the rows' exposure sums past the "
                             "largest double",
                             entry);
    return OTAPRIO_OK;
}

/* Advances a copy of the host's sequence with the pooled cumulative
 * counts, in the turned terms the judge reads. */
static int advance(const otaprio__guard_rule *rule,
                   const otaprio__guard_counts *c,
                   const otaprio_guard_sequence *host, size_t entry,
                   otaprio__sequence *next, otaprio_diag *diag)
{
    *next = host->state;
    bool swap = rule->rule.direction == OTAPRIO_GUARD_LOWER_IS_WORSE &&
                rule->rule.kind == OTAPRIO_GUARD_RATE;
    int status =
        swap ? otaprio__sequence_observe(next, c->baseline_events,
                                         c->baseline_sample, c->canary_events,
                                         c->canary_sample, diag)
             : otaprio__sequence_observe(next, c->canary_events,
                                         c->canary_sample, c->baseline_events,
                                         c->baseline_sample, diag);
    if (status != OTAPRIO_OK && diag != NULL)
        diag->index = (int64_t)entry;
    return status;
}

/* Everything one rule's judgment needs besides the set. */
typedef struct rule_work {
    const otaprio__mem *mem; /* the evaluation's: scratch and report */
    const otaprio__guard_rule *rule;
    const otaprio_guard_data *data; /* NULL: no data */
    size_t entry;
    otaprio__sequence *next; /* the advanced sequence, or NULL */
    otaprio_guard_result *result;
    /* data->rows of them, in row order: the scratch's, until localise()
     * puts them in report order into `report_strata`. */
    otaprio_guard_stratum *strata;
    otaprio_guard_stratum *report_strata;
    const otaprio__guard_scratch *scratch;
    double canary_sample; /* pooled, as the rule counts it */
    double baseline_sample;
} rule_work;

static void stratum_from(otaprio_guard_stratum *s, uint64_t id,
                         const otaprio__guard_judgment *j, double canary_sample)
{
    memset(s, 0, sizeof *s);
    s->size = sizeof *s;
    s->stratum = id;
    s->verdict = j->outcome.verdict;
    s->reason = j->harm_reason;
    /* With one check (the usual case) the harm p-value is the deciding
     * test's, whose p-value the test has already found: no second exp. */
    s->p_value = j->outcome.log_p_value == j->log_harm_p
                     ? j->outcome.p_value
                     : otaprio__exp_of_log_p(j->log_harm_p);
    s->adjusted_p_value = OTAPRIO__NAN;
    s->canary_value = j->canary_value;
    s->baseline_value = j->baseline_value;
    s->canary_sample = canary_sample;
}

/* Whether a stratum is its fields alone, without padding: then setting
 * every field leaves nothing to clear. */
#define STRATUM_PACKED                                                    \
    (sizeof(otaprio_guard_stratum) == sizeof(size_t) + sizeof(uint64_t) + \
                                          2 * sizeof(int32_t) +           \
                                          5 * sizeof(double))

static void stratum_from_row(otaprio_guard_stratum *s, uint64_t id,
                             const otaprio__guard_row *row,
                             double canary_sample)
{
    if (!STRATUM_PACKED)
        memset(s, 0, sizeof *s);
    s->size = sizeof *s;
    s->stratum = id;
    s->verdict = row->verdict;
    s->reason = row->reason;
    s->p_value = row->p_value;
    s->adjusted_p_value = OTAPRIO__NAN;
    s->canary_value = row->canary_value;
    s->baseline_value = row->baseline_value;
    s->canary_sample = canary_sample;
}

/* Turns a judgment made with more-is-worse values back into the metric's
 * own terms. */
static void present(const otaprio__guard_rule *rule, otaprio__guard_judgment *j)
{
    if (rule->rule.direction != OTAPRIO_GUARD_LOWER_IS_WORSE)
        return;
    if (rule->rule.kind == OTAPRIO_GUARD_PROPORTION) {
        j->canary_value = 1.0 - j->canary_value;
        j->baseline_value = 1.0 - j->baseline_value;
    } else if (rule->rule.kind == OTAPRIO_GUARD_CONTINUOUS) {
        j->canary_value = -j->canary_value;
        j->baseline_value = -j->baseline_value;
    } else {
        return; /* a rate was never turned */
    }
    double low = j->effect_interval.low;
    j->effect = -j->effect;
    j->effect_interval.low = -j->effect_interval.high;
    j->effect_interval.high = -low;
}

/* A stratum without canary data: no data, whatever the rule's policy
 * makes of the whole metric without data, and no test to adjust. */
static void stratum_without_data(const otaprio__guard_rule *rule,
                                 otaprio__guard_judgment *j)
{
    otaprio__guard_no_data(rule, j);
    j->outcome.verdict = OTAPRIO_GUARD_NO_DATA;
}

static int judge_count_rows(const otaprio_guard_set *set, rule_work *w,
                            otaprio__guard_judgment *pooled, otaprio_diag *diag)
{
    const otaprio_guard_data *d = w->data;
    otaprio__guard_counts sum;
    OTAPRIO__TRY(pool_counts(w->rule, d, w->entry, &sum, diag));
    w->canary_sample = sum.canary_sample;
    w->baseline_sample = sum.baseline_sample;
    if (sum.canary_sample == 0.0) {
        otaprio__guard_no_data(w->rule, pooled);
    } else {
        if (d->sequence != NULL)
            OTAPRIO__TRY(
                advance(w->rule, &sum, d->sequence, w->entry, w->next, diag));
        OTAPRIO__TRY(otaprio__guard_judge_counts(
            set, w->rule, &sum, d->sequence != NULL ? w->next : NULL, true,
            pooled));
    }
    /* A baseline-only rule's strata (most rules') take the row path. */
    bool rows_alone = w->rule->rule.checks == OTAPRIO_GUARD_CHECK_BASELINE;
    for (size_t r = 0; r < d->rows; r++) {
        otaprio__guard_counts c;
        otaprio__guard_judgment j;
        row_counts(w->rule, d, r, &c);
        bool empty = c.canary_sample == 0.0;
        uint64_t id = d->stratum_ids != NULL ? d->stratum_ids[r] : r;
        if (rows_alone && !empty) {
            otaprio__guard_row row;
            int direct =
                otaprio__guard_judge_row_direct(set, w->rule, &c, &row);
            if (direct > 0)
                direct = otaprio__guard_judge_row(set, w->rule, &c, &row);
            OTAPRIO__TRY(direct);
            w->scratch->log_p[r] = row.log_harm_p;
            stratum_from_row(&w->strata[r], id, &row, c.canary_sample);
            continue;
        }
        if (empty)
            stratum_without_data(w->rule, &j);
        else
            OTAPRIO__TRY(
                otaprio__guard_judge_counts(set, w->rule, &c, NULL, false, &j));
        w->scratch->log_p[r] = empty ? (double)NAN : j.log_harm_p;
        present(w->rule, &j);
        stratum_from(&w->strata[r], id, &j, c.canary_sample);
    }
    return OTAPRIO_OK;
}

static int judge_sample_rows(const otaprio_guard_set *set, rule_work *w,
                             otaprio__guard_judgment *pooled,
                             otaprio_diag *diag)
{
    const otaprio_guard_data *d = w->data;
    const otaprio__mem *mem = w->mem;
    otaprio__guard_pool pool;
    OTAPRIO__TRY(otaprio__guard_pool_gather(mem, &w->rule->rule, d, w->entry,
                                            &pool, diag));
    otaprio__samples all = {0};
    int status = otaprio__samples_prepare(
        mem, pool.canary.data, pool.canary.length, pool.baseline.data,
        pool.baseline.length, &all, diag);
    w->canary_sample = (double)pool.canary.length;
    w->baseline_sample = (double)pool.baseline.length;
    if (status == OTAPRIO_OK) {
        if (all.nx == 0)
            otaprio__guard_no_data(w->rule, pooled);
        else
            status = otaprio__guard_judge_samples(set, mem, w->rule, &all, true,
                                                  pooled);
    }
    otaprio__samples_release(mem, &all);
    for (size_t r = 0; r < d->rows && status == OTAPRIO_OK; r++) {
        size_t c0 = pool.canary_start[r], c1 = pool.canary_start[r + 1];
        size_t b0 = pool.baseline_start[r], b1 = pool.baseline_start[r + 1];
        otaprio__guard_judgment j;
        otaprio__samples row = {0};
        if (c1 == c0) {
            stratum_without_data(w->rule, &j);
        } else {
            /* A group without samples may have no storage at all: no
             * pointer arithmetic on NULL. */
            const double *baseline =
                b1 > b0 ? (const double *)pool.baseline.data + b0 : NULL;
            status = otaprio__samples_prepare(
                mem, (const double *)pool.canary.data + c0, c1 - c0, baseline,
                b1 - b0, &row, diag);
            if (status == OTAPRIO_OK)
                status = otaprio__guard_judge_samples(set, mem, w->rule, &row,
                                                      false, &j);
            otaprio__samples_release(mem, &row);
        }
        if (status == OTAPRIO_OK) {
            w->scratch->log_p[r] = c1 == c0 ? (double)NAN : j.log_harm_p;
            present(w->rule, &j);
            stratum_from(&w->strata[r],
                         d->stratum_ids != NULL ? d->stratum_ids[r] : r, &j,
                         (double)(c1 - c0));
        }
    }
    otaprio__guard_pool_release(mem, &pool);
    return status;
}

/* Applies multiple-comparison control to a rule's strata, counts the
 * failures, and puts the strata in report order: failing first, then by
 * adjusted p-value, ties by p-value and row; those without data last. */
static void localise(const otaprio_guard_set *set, rule_work *w,
                     uint32_t *failing)
{
    const otaprio__guard_scratch *scratch = w->scratch;
    size_t rows = w->data->rows, tested = 0;
    otaprio__guard_localise(scratch, set->options.multiplicity, rows, &tested);
    double log_alpha = set->log_alpha;
    *failing = 0;
    for (size_t r = 0; r < rows; r++) {
        otaprio_guard_stratum *s = &w->strata[r];
        if (isnan(scratch->log_p[r]))
            continue;
        double adjusted = scratch->adjusted[r];
        s->adjusted_p_value = otaprio__exp_of_log_p(adjusted);
        if (adjusted < log_alpha) {
            s->verdict = OTAPRIO_GUARD_FAIL;
            (*failing)++;
        } else if (s->verdict == OTAPRIO_GUARD_FAIL) {
            /* Significant alone, not once the strata are counted. */
            s->verdict = OTAPRIO_GUARD_INCONCLUSIVE;
        }
    }
    for (size_t i = 0; i < rows; i++)
        w->report_strata[i] = w->strata[scratch->order[i]];
}

static int32_t failure_action(const otaprio__guard_rule *rule)
{
    switch (rule->rule.severity) {
    case OTAPRIO_GUARD_CRITICAL:
        return OTAPRIO_GUARD_ROLLBACK;
    case OTAPRIO_GUARD_LEADING:
        return OTAPRIO_GUARD_HOLD;
    default:
        return OTAPRIO_GUARD_PAUSE;
    }
}

/* The gates: minimum sample, strata, soak window; then the action. */
static void conclude(const otaprio__guard_rule *rule,
                     const otaprio__guard_judgment *j, double canary_sample,
                     double span, uint32_t failing, otaprio_guard_result *out)
{
    int32_t verdict = j->outcome.verdict, reason = j->outcome.reason;
    bool critical = rule->rule.severity == OTAPRIO_GUARD_CRITICAL;
    bool no_data = reason == OTAPRIO_GUARD_REASON_NO_DATA;
    bool enough = canary_sample >= rule->rule.minimum_sample;
    if (!no_data && !enough && !(verdict == OTAPRIO_GUARD_FAIL && critical)) {
        verdict = OTAPRIO_GUARD_INCONCLUSIVE;
        reason = OTAPRIO_GUARD_REASON_BELOW_MINIMUM;
    }
    if (!no_data && verdict != OTAPRIO_GUARD_FAIL && failing > 0 &&
        (enough || critical)) {
        verdict = OTAPRIO_GUARD_FAIL;
        reason = OTAPRIO_GUARD_REASON_STRATA;
    }
    int32_t action;
    switch (verdict) {
    case OTAPRIO_GUARD_FAIL:
        action = failure_action(rule);
        break;
    case OTAPRIO_GUARD_NO_DATA:
        action = rule->rule.no_data == OTAPRIO_GUARD_NO_DATA_IGNORE
                     ? OTAPRIO_GUARD_EXPAND
                     : OTAPRIO_GUARD_HOLD;
        break;
    case OTAPRIO_GUARD_INCONCLUSIVE:
        action = OTAPRIO_GUARD_HOLD;
        break;
    default:
        action = span < rule->rule.window_hours ? OTAPRIO_GUARD_HOLD
                                                : OTAPRIO_GUARD_EXPAND;
        if (action == OTAPRIO_GUARD_HOLD)
            reason = OTAPRIO_GUARD_REASON_SOAKING;
        break;
    }
    out->verdict = verdict;
    out->action = action;
    out->reason = reason;
    out->test = j->outcome.test;
    out->statistic = j->outcome.statistic;
    out->p_value = j->outcome.p_value;
    out->log_p_value = j->outcome.log_p_value;
    out->canary_value = j->canary_value;
    out->baseline_value = j->baseline_value;
    out->effect = j->effect;
    out->effect_low = j->effect_interval.low;
    out->effect_high = j->effect_interval.high;
    out->limit = j->limit;
    out->failing_strata = failing;
}

static int judge_rule(const otaprio_guard_set *set, rule_work *w,
                      otaprio_diag *diag)
{
    otaprio__guard_judgment pooled;
    uint32_t failing = 0;
    double span = 0.0;
    w->canary_sample = 0.0;
    w->baseline_sample = 0.0;
    if (w->data == NULL) {
        otaprio__guard_no_data(w->rule, &pooled);
    } else {
        span = w->data->window_end_hours - w->data->window_start_hours;
        if (w->rule->rule.kind == OTAPRIO_GUARD_CONTINUOUS)
            OTAPRIO__TRY(judge_sample_rows(set, w, &pooled, diag));
        else
            OTAPRIO__TRY(judge_count_rows(set, w, &pooled, diag));
        localise(set, w, &failing);
    }
    present(w->rule, &pooled);
    memset(w->result, 0, sizeof *w->result);
    w->result->size = sizeof *w->result;
    conclude(w->rule, &pooled, w->canary_sample, span, failing, w->result);
    w->result->rule = (uint32_t)(w->rule - set->rules);
    w->result->canary_sample = w->canary_sample;
    w->result->baseline_sample = w->baseline_sample;
    return OTAPRIO_OK;
}

/* ---- the report ---------------------------------------------------------- */

static int severity_rank(int32_t severity)
{
    return severity == OTAPRIO_GUARD_CRITICAL   ? 0
           : severity == OTAPRIO_GUARD_STANDARD ? 1
                                                : 2;
}

/* Reasons gravest first: the action, then failures before the rest (a
 * shown harm weighs more than missing evidence), then the rule's severity,
 * then the p-value (NaN last), then the rule's index. Sorted by insertion,
 * as there are at most as many as rules. */
static bool reason_before(const otaprio_guard_set *set,
                          const otaprio_guard_report *report,
                          const otaprio_guard_reason *x,
                          const otaprio_guard_reason *y)
{
    if (x->action != y->action)
        return x->action > y->action;
    bool xf = report->results[x->rule].verdict == OTAPRIO_GUARD_FAIL;
    bool yf = report->results[y->rule].verdict == OTAPRIO_GUARD_FAIL;
    if (xf != yf)
        return xf;
    int sx = severity_rank(set->rules[x->rule].rule.severity);
    int sy = severity_rank(set->rules[y->rule].rule.severity);
    if (sx != sy)
        return sx < sy;
    bool xn = isnan(x->p_value), yn = isnan(y->p_value);
    if (xn != yn)
        return yn;
    if (!xn && x->p_value != y->p_value)
        return x->p_value < y->p_value;
    return x->rule < y->rule;
}

static void collect_reasons(const otaprio_guard_set *set,
                            otaprio_guard_report *report)
{
    report->action = OTAPRIO_GUARD_EXPAND;
    report->reason_count = 0;
    for (size_t i = 0; i < report->rule_count; i++) {
        const otaprio_guard_result *r = &report->results[i];
        if (r->action > report->action)
            report->action = r->action;
        if (r->action == OTAPRIO_GUARD_EXPAND)
            continue;
        otaprio_guard_reason reason = {
            .size = sizeof reason,
            .rule = (uint32_t)i,
            .action = r->action,
            .code = r->reason,
            .p_value = r->p_value,
        };
        size_t at = report->reason_count++;
        while (at > 0 &&
               reason_before(set, report, &reason, &report->reasons[at - 1])) {
            report->reasons[at] = report->reasons[at - 1];
            at--;
        }
        report->reasons[at] = reason;
    }
}

/* The report and its arrays in one block, each part a multiple of 8 bytes
 * long so the next stays aligned: the handle, the results, the strata
 * offsets, the strata, the reasons. */
_Static_assert(sizeof(otaprio_guard_report) % 8 == 0 &&
                   sizeof(otaprio_guard_result) % 8 == 0 &&
                   sizeof(otaprio_guard_stratum) % 8 == 0 &&
                   sizeof(otaprio_guard_reason) % 8 == 0 &&
                   _Alignof(otaprio_guard_result) <= 8 &&
                   _Alignof(otaprio_guard_stratum) <= 8 &&
                   _Alignof(otaprio_guard_reason) <= 8 && _Alignof(size_t) <= 8,
               "every part of the report's block keeps the next aligned");
static int new_report(const otaprio__mem *mem, size_t rules, size_t rows,
                      otaprio_guard_report **out)
{
    size_t head = sizeof(otaprio_guard_report);
    size_t results = rules * sizeof(otaprio_guard_result); /* rules <= 4096 */
    size_t starts = (rules + 1) * sizeof(size_t);
    size_t reasons = rules * sizeof(otaprio_guard_reason);
    size_t strata, total;
    if (otaprio__size_mul_overflows(rows, sizeof(otaprio_guard_stratum),
                                    &strata) ||
        strata > SIZE_MAX - head - results - starts - reasons)
        return OTAPRIO_E_OVERFLOW;
    total = head + results + starts + strata + reasons;
    unsigned char *block = otaprio__mem_alloc(mem, total);
    if (block == NULL)
        return OTAPRIO_E_NOMEM;
    /* Everything but the strata, which are written whole, each of them,
     * by the rule they belong to (megabytes for large evaluations). */
    memset(block, 0, head + results + starts);
    memset(block + head + results + starts + strata, 0, reasons);
    otaprio_guard_report *report = (otaprio_guard_report *)(void *)block;
    report->mem = *mem;
    report->rule_count = rules;
    report->results = (otaprio_guard_result *)(void *)(block + head);
    report->strata_start = (size_t *)(void *)(block + head + results);
    report->strata =
        (otaprio_guard_stratum *)(void *)(block + head + results + starts);
    report->reasons = (otaprio_guard_reason *)(void *)(block + head + results +
                                                       starts + strata);
    *out = report;
    return OTAPRIO_OK;
}

/* The caller's entries read into full-layout copies, each checked. */
static int read_entries(const otaprio_guard_set *set,
                        const otaprio_guard_data *data, size_t count,
                        otaprio_guard_data *entries, size_t *by_rule,
                        size_t *rows, otaprio_diag *diag)
{
    *rows = 0;
    for (size_t r = 0; r < set->count; r++)
        by_rule[r] = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        OTAPRIO__TRY((otaprio_guard_data_init)(&entries[i], sizeof entries[i]));
        int status =
            otaprio__struct_read(&entries[i], &data[i], &data_layout, diag);
        if (status != OTAPRIO_OK) {
            if (diag != NULL)
                diag->index = (int64_t)i;
            return status;
        }
        OTAPRIO__TRY(check_entry(set, &entries[i], i, by_rule, diag));
        *rows += entries[i].rows;
    }
    return OTAPRIO_OK;
}

typedef struct evaluation {
    otaprio_guard_data *entries;
    size_t *by_rule;
    otaprio__sequence *next; /* one per entry */
    otaprio__guard_scratch scratch;
} evaluation;

static void evaluation_release(const otaprio__mem *mem, evaluation *e)
{
    otaprio__mem_free(mem, e->entries);        /* with by_rule and next */
    otaprio__mem_free(mem, e->scratch.strata); /* the scratch's one block */
}

/* The entries' copies, their next sequence states and the rule-to-entry
 * index in one block (count <= rules <= 4096: no size overflows). */
_Static_assert(sizeof(otaprio_guard_data) % 8 == 0 &&
                   sizeof(otaprio__sequence) % 8 == 0 &&
                   _Alignof(otaprio__sequence) <= 8 &&
                   _Alignof(otaprio_guard_data) <= 8,
               "every part of the entries' block keeps the next aligned");

static int new_entries(const otaprio__mem *mem, size_t count, size_t rules,
                       evaluation *e)
{
    size_t entries = count * sizeof *e->entries;
    size_t next = count * sizeof *e->next;
    unsigned char *block =
        otaprio__mem_alloc(mem, entries + next + rules * sizeof *e->by_rule);
    if (block == NULL)
        return OTAPRIO_E_NOMEM;
    e->entries = (otaprio_guard_data *)(void *)block;
    e->next = (otaprio__sequence *)(void *)(block + entries);
    e->by_rule = (size_t *)(void *)(block + entries + next);
    return OTAPRIO_OK;
}

/* The strata scratch for rules of up to `widest` rows, in one block: the
 * strata first (the most aligned), then 2 * widest keys, widest log
 * p-values and adjusted ones, and 2 * widest order entries (the radix
 * sort's second buffers). widest <= 2^24 rows: no size overflows. */
static int new_scratch(const otaprio__mem *mem, size_t widest,
                       otaprio__guard_scratch *s)
{
    size_t strata = widest * sizeof *s->strata;
    size_t keys = 2 * widest * sizeof *s->keys;
    size_t reals = widest * sizeof(double);
    size_t order = 2 * widest * sizeof *s->order;
    unsigned char *block =
        otaprio__mem_alloc(mem, strata + keys + 2 * reals + order);
    if (block == NULL)
        return OTAPRIO_E_NOMEM;
    s->strata = (otaprio_guard_stratum *)(void *)block;
    s->keys = (uint64_t *)(void *)(block + strata);
    s->log_p = (double *)(void *)(block + strata + keys);
    s->adjusted = (double *)(void *)(block + strata + keys + reals);
    s->order = (uint32_t *)(void *)(block + strata + keys + 2 * reals);
    return OTAPRIO_OK;
}

static int judge_all(const otaprio_guard_set *set, const otaprio__mem *mem,
                     evaluation *e, otaprio_guard_report *report,
                     otaprio_diag *diag)
{
    size_t at = 0;
    for (size_t r = 0; r < set->count; r++) {
        size_t entry = e->by_rule[r];
        const otaprio_guard_data *d =
            entry == SIZE_MAX ? NULL : &e->entries[entry];
        size_t rows = d != NULL ? d->rows : 0;
        report->strata_start[r] = at;
        rule_work w = {
            .mem = mem,
            .rule = &set->rules[r],
            .data = d,
            .entry = entry,
            .next = entry == SIZE_MAX ? NULL : &e->next[entry],
            .result = &report->results[r],
            .strata = e->scratch.strata,
            .report_strata = report->strata + at,
            .scratch = &e->scratch,
        };
        OTAPRIO__TRY(judge_rule(set, &w, diag));
        at += rows;
    }
    report->strata_start[set->count] = at;
    return OTAPRIO_OK;
}

int otaprio_guard_evaluate(const otaprio_guard_set *set,
                           const otaprio_guard_data *data, size_t count,
                           const otaprio_allocator *allocator,
                           otaprio_guard_report **report, otaprio_diag *diag)
{
    if (set == NULL || report == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             set == NULL ? "set" : "report", -1, "%s is NULL",
                             set == NULL ? "set" : "report");
    if (data == NULL && count > 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "data", -1,
                             "data is NULL with %zu entries", count);
    if (count > set->count)
        return otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "count", -1,
                             "%zu entries for %zu rules: some rule has two",
                             count, set->count);
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    evaluation e = {0};
    size_t rows = 0, widest = 0;
    int status = new_entries(&mem, count, set->count, &e);
    if (status == OTAPRIO_OK)
        status =
            read_entries(set, data, count, e.entries, e.by_rule, &rows, diag);
    for (size_t i = 0; i < count && status == OTAPRIO_OK; i++)
        widest = e.entries[i].rows > widest ? e.entries[i].rows : widest;
    if (status == OTAPRIO_OK)
        status = new_scratch(&mem, widest, &e.scratch);
    otaprio_guard_report *made = NULL;
    if (status == OTAPRIO_OK)
        status = new_report(&mem, set->count, rows, &made);
    if (status == OTAPRIO_OK)
        status = judge_all(set, &mem, &e, made, diag);
    if (status == OTAPRIO_OK) {
        collect_reasons(set, made);
        /* Only now, with nothing left to fail, do the sequences move. */
        for (size_t i = 0; i < count; i++) {
            if (e.entries[i].sequence != NULL && e.entries[i].rows > 0 &&
                made->results[e.entries[i].rule].reason !=
                    OTAPRIO_GUARD_REASON_NO_DATA)
                e.entries[i].sequence->state = e.next[i];
        }
        *report = made;
        made = NULL;
    } else if (status == OTAPRIO_E_NOMEM) {
        (void)otaprio__fail(diag, status, "report", -1,
                            "out of memory while evaluating");
    }
    otaprio_guard_report_free(made);
    evaluation_release(&mem, &e);
    return status;
}
