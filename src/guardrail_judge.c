/* SPDX-License-Identifier: MIT */
/*
 * One comparison judged: the canary against its baseline and its ceiling,
 * each check a harm test (is the canary worse than the rule allows?) and,
 * where the rule asks for it, an evidence test (is it shown to be within
 * what the rule allows?). Everything here sees the metric turned so that
 * more is worse; guardrail_evaluate.c turns values back for the report.
 * The tests and their thresholds are in docs/guardrail.md.
 */
#include <math.h>
#include <string.h>

#include "guardrail_internal.h"

#define LOG_HALF (-0.69314718055994530942)

static void outcome_from(otaprio__guard_outcome *o, int32_t verdict,
                         int32_t reason, int32_t test, const otaprio__test *t)
{
    o->verdict = verdict;
    o->reason = reason;
    o->check = reason;
    o->test = test;
    o->statistic = t != NULL ? t->statistic : OTAPRIO__NAN;
    o->p_value = t != NULL ? t->p_value : OTAPRIO__NAN;
    o->log_p_value = t != NULL ? t->log_p_value : OTAPRIO__NAN;
}

/* The outcome of a comparison that cannot be made (no baseline). */
static void undecided(otaprio__guard_outcome *o, double *log_harm_p)
{
    outcome_from(o, OTAPRIO_GUARD_INCONCLUSIVE,
                 OTAPRIO_GUARD_REASON_INCONCLUSIVE, OTAPRIO_GUARD_TEST_NONE,
                 NULL);
    *log_harm_p = 0.0;
}

/*
 * A check's verdict from its harm test and, when the rule requires
 * evidence, its evidence test (NULL when the check has none, or the rule
 * does not ask for one, so it is never computed: a pass then needs only
 * the absence of harm).
 */
static void decide(const otaprio_guard_set *set,
                   const otaprio__guard_rule *rule, int32_t reason,
                   int32_t test, const otaprio__test *harm,
                   const otaprio__test *evidence, otaprio__guard_outcome *o,
                   double *log_harm_p)
{
    double log_alpha = set->log_alpha;
    *log_harm_p = harm->log_p_value;
    if (harm->log_p_value < log_alpha) {
        outcome_from(o, OTAPRIO_GUARD_FAIL, reason, test, harm);
    } else if (rule->rule.require_evidence && evidence != NULL) {
        if (evidence->log_p_value < log_alpha)
            outcome_from(o, OTAPRIO_GUARD_PASS, OTAPRIO_GUARD_REASON_NONE, test,
                         evidence);
        else
            outcome_from(o, OTAPRIO_GUARD_INCONCLUSIVE,
                         OTAPRIO_GUARD_REASON_INCONCLUSIVE, test, evidence);
    } else {
        outcome_from(o, OTAPRIO_GUARD_PASS, OTAPRIO_GUARD_REASON_NONE, test,
                     harm);
    }
    o->check = reason;
}

/* A certain outcome that no test produced: p is 0 (a failure) or 1. */
static void certain(otaprio__test *t, bool harm)
{
    t->statistic = OTAPRIO__NAN;
    t->p_value = harm ? 0.0 : 1.0;
    t->log_p_value = harm ? -HUGE_VAL : 0.0;
}

/* ---- proportions and rates --------------------------------------------- */

/* What a rule does with a baseline that saw no bad event: 1 when the
 * policy decided (outcome set), 0 to go on testing, -1 to skip the check
 * (judged by the ceiling alone). */
static int zero_baseline(const otaprio_guard_set *set,
                         const otaprio__guard_rule *rule,
                         const otaprio__guard_counts *c,
                         otaprio__guard_outcome *o, double *log_harm_p)
{
    if (c->baseline_events != 0)
        return 0;
    switch (rule->rule.zero_baseline) {
    case OTAPRIO_GUARD_ZERO_BASELINE_ANY_EVENT: {
        otaprio__test t;
        certain(&t, c->canary_events > 0);
        decide(set, rule, OTAPRIO_GUARD_REASON_ZERO_BASELINE,
               OTAPRIO_GUARD_TEST_NONE, &t, NULL, o, log_harm_p);
        return 1;
    }
    case OTAPRIO_GUARD_ZERO_BASELINE_CEILING:
        return -1;
    default:
        return 0;
    }
}

static void sequential_harm(const otaprio__sequence *sequence, otaprio__test *t)
{
    t->statistic = OTAPRIO__NAN;
    t->log_p_value = otaprio__sequence_log_p(sequence);
    t->p_value = exp(t->log_p_value);
    if (sequence->log_e > -HUGE_VAL)
        t->statistic = exp(sequence->log_e); /* the e-value at this look */
}

/* What settles a baseline comparison before any fixed-sample test: no
 * baseline at all (undecided), the zero-baseline policy, or the sequential
 * test. Returns true when the outcome is set, or the check is skipped. */
static bool settle_baseline(const otaprio_guard_set *set,
                            const otaprio__guard_rule *rule,
                            const otaprio__guard_counts *c,
                            const otaprio__sequence *sequence,
                            otaprio__guard_outcome *o, double *log_harm_p,
                            bool *skipped)
{
    if (c->baseline_sample == 0.0) {
        undecided(o, log_harm_p);
        return true;
    }
    int policy = zero_baseline(set, rule, c, o, log_harm_p);
    if (policy != 0) {
        *skipped = policy < 0;
        return true;
    }
    if (sequence != NULL) {
        otaprio__test harm;
        sequential_harm(sequence, &harm);
        decide(set, rule, OTAPRIO_GUARD_REASON_OVER_BASELINE,
               OTAPRIO_GUARD_TEST_SEQUENTIAL, &harm, NULL, o, log_harm_p);
        return true;
    }
    return false;
}

/* A floor on a rate is judged as baseline over canary: the counts with
 * canary and baseline swapped, in `turned`. */
static const otaprio__guard_counts *turn_counts(const otaprio__guard_counts *c,
                                                otaprio__guard_counts *turned)
{
    *turned = *c;
    turned->canary_events = c->baseline_events;
    turned->baseline_events = c->canary_events;
    turned->canary_sample = c->baseline_sample;
    turned->baseline_sample = c->canary_sample;
    return turned;
}

static int proportion_baseline(const otaprio_guard_set *set,
                               const otaprio__guard_rule *rule,
                               const otaprio__guard_counts *c,
                               const otaprio__sequence *sequence,
                               otaprio__guard_outcome *o, double *log_harm_p,
                               bool *skipped)
{
    if (settle_baseline(set, rule, c, sequence, o, log_harm_p, skipped))
        return OTAPRIO_OK;
    uint64_t x1 = c->canary_events, n1 = c->canary_trials;
    uint64_t x2 = c->baseline_events, n2 = c->baseline_trials;
    otaprio__test harm, evidence;
    int32_t test;
    if (rule->ratio_limit == 1.0) {
        /* Exact while the events are few (a zero or sparse baseline is
         * where asymptotic tests mislead); the score test beyond. */
        uint64_t events = x1 + x2; /* each at most its trials: no overflow
                                      past what the sums were checked for */
        if (events <= set->options.exact_limit) {
            test = OTAPRIO_GUARD_TEST_FISHER;
            OTAPRIO__TRY(otaprio__fisher_exact(x1, n1, x2, n2,
                                               OTAPRIO__ALT_GREATER, &harm));
            if (rule->rule.require_evidence)
                OTAPRIO__TRY(otaprio__fisher_exact(
                    x1, n1, x2, n2, OTAPRIO__ALT_LESS, &evidence));
        } else {
            test = OTAPRIO_GUARD_TEST_SCORE;
            OTAPRIO__TRY(otaprio__two_proportion_score(
                x1, n1, x2, n2, OTAPRIO__ALT_GREATER, &harm));
            if (rule->rule.require_evidence)
                OTAPRIO__TRY(otaprio__two_proportion_score(
                    x1, n1, x2, n2, OTAPRIO__ALT_LESS, &evidence));
        }
    } else {
        test = OTAPRIO_GUARD_TEST_RISK_RATIO;
        OTAPRIO__TRY(otaprio__risk_ratio_score(
            x1, n1, x2, n2, rule->ratio_limit, OTAPRIO__ALT_GREATER, &harm));
        if (rule->rule.require_evidence)
            OTAPRIO__TRY(
                otaprio__risk_ratio_score(x1, n1, x2, n2, rule->ratio_limit,
                                          OTAPRIO__ALT_LESS, &evidence));
    }
    decide(set, rule, OTAPRIO_GUARD_REASON_OVER_BASELINE, test, &harm,
           rule->rule.require_evidence ? &evidence : NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

static int proportion_ceiling(const otaprio_guard_set *set,
                              const otaprio__guard_rule *rule,
                              const otaprio__guard_counts *c,
                              otaprio__guard_outcome *o, double *log_harm_p)
{
    otaprio__test harm, evidence;
    OTAPRIO__TRY(otaprio__binom_test(c->canary_events, c->canary_trials,
                                     rule->ceiling, OTAPRIO__ALT_GREATER,
                                     &harm));
    if (rule->rule.require_evidence)
        OTAPRIO__TRY(otaprio__binom_test(c->canary_events, c->canary_trials,
                                         rule->ceiling, OTAPRIO__ALT_LESS,
                                         &evidence));
    decide(set, rule, OTAPRIO_GUARD_REASON_OVER_CEILING,
           OTAPRIO_GUARD_TEST_BINOMIAL, &harm,
           rule->rule.require_evidence ? &evidence : NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

static int
rate_baseline(const otaprio_guard_set *set, const otaprio__guard_rule *rule,
              const otaprio__guard_counts *c, const otaprio__sequence *sequence,
              otaprio__guard_outcome *o, double *log_harm_p, bool *skipped)
{
    if (settle_baseline(set, rule, c, sequence, o, log_harm_p, skipped))
        return OTAPRIO_OK;
    otaprio__test harm, evidence;
    if (c->canary_events + c->baseline_events == 0) {
        /* No event anywhere: nothing is worse, nothing is shown. */
        certain(&harm, false);
        certain(&evidence, false); /* shown when asked for */
    } else {
        OTAPRIO__TRY(otaprio__rate_ratio_test(
            c->canary_events, c->canary_sample, c->baseline_events,
            c->baseline_sample, rule->ratio_limit, OTAPRIO__ALT_GREATER,
            &harm));
        if (rule->rule.require_evidence)
            OTAPRIO__TRY(otaprio__rate_ratio_test(
                c->canary_events, c->canary_sample, c->baseline_events,
                c->baseline_sample, rule->ratio_limit, OTAPRIO__ALT_LESS,
                &evidence));
    }
    decide(set, rule, OTAPRIO_GUARD_REASON_OVER_BASELINE,
           OTAPRIO_GUARD_TEST_RATE_RATIO, &harm,
           rule->rule.require_evidence ? &evidence : NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

static int rate_ceiling(const otaprio_guard_set *set,
                        const otaprio__guard_rule *rule,
                        const otaprio__guard_counts *c, bool floor,
                        otaprio__guard_outcome *o, double *log_harm_p)
{
    /* Too many events for the ceiling's mean (too few for a floor's). */
    otaprio__alternative bad = floor ? OTAPRIO__ALT_LESS : OTAPRIO__ALT_GREATER;
    otaprio__alternative good =
        floor ? OTAPRIO__ALT_GREATER : OTAPRIO__ALT_LESS;
    double mean = fabs(rule->ceiling) * c->canary_sample;
    otaprio__test harm, evidence;
    OTAPRIO__TRY(otaprio__poisson_test(c->canary_events, mean, bad, &harm));
    if (rule->rule.require_evidence)
        OTAPRIO__TRY(
            otaprio__poisson_test(c->canary_events, mean, good, &evidence));
    decide(set, rule, OTAPRIO_GUARD_REASON_OVER_CEILING,
           OTAPRIO_GUARD_TEST_POISSON, &harm,
           rule->rule.require_evidence ? &evidence : NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

/* ---- combining checks --------------------------------------------------- */

typedef struct checks {
    otaprio__guard_outcome outcome[3];
    double log_harm_p[3];
    size_t count;
} checks;

static void add_check(checks *all, const otaprio__guard_outcome *o,
                      double log_harm_p)
{
    all->outcome[all->count] = *o;
    all->log_harm_p[all->count] = log_harm_p;
    all->count++;
}

/* The gravest check decides: a failure (the most significant one), else
 * an inconclusive check, else the first check's pass. */
static void combine(const checks *all, otaprio__guard_judgment *out)
{
    if (all->count == 1) {
        /* The one check decides (what the general case below makes of
         * it, without its loops: log(1) is 0). */
        out->outcome = all->outcome[0];
        double log_p = all->log_harm_p[0] + 0.0;
        out->log_harm_p = log_p > 0.0 ? 0.0 : log_p;
        out->harm_reason = all->outcome[0].check;
        return;
    }
    size_t pick = 0;
    for (size_t i = 0; i < all->count; i++) {
        const otaprio__guard_outcome *o = &all->outcome[i];
        const otaprio__guard_outcome *best = &all->outcome[pick];
        if (o->verdict == OTAPRIO_GUARD_FAIL &&
            (best->verdict != OTAPRIO_GUARD_FAIL ||
             o->log_p_value < best->log_p_value))
            pick = i;
        else if (o->verdict == OTAPRIO_GUARD_INCONCLUSIVE &&
                 best->verdict == OTAPRIO_GUARD_PASS)
            pick = i;
    }
    out->outcome = all->outcome[pick];
    /* The least harm p-value bounds the rule's, times the checks made. */
    size_t least = 0;
    for (size_t i = 1; i < all->count; i++) {
        if (all->log_harm_p[i] < all->log_harm_p[least])
            least = i;
    }
    /* log(1) is 0 exactly: one check (the usual case) costs no log. */
    double log_p = all->log_harm_p[least] +
                   (all->count > 1 ? log((double)all->count) : 0.0);
    out->log_harm_p = log_p > 0.0 ? 0.0 : log_p;
    out->harm_reason = all->outcome[least].check;
}

/* Field by field, not by memset: compilers clear a struct this size with
 * `rep stos`, whose start-up cost was a tenth of a stratum's judgment.
 * The outcome is set by every path that ends in combine() or no_data(). */
static void clear_judgment(otaprio__guard_judgment *out)
{
    out->log_harm_p = 0.0;
    out->harm_reason = 0;
    out->canary_value = OTAPRIO__NAN;
    out->baseline_value = OTAPRIO__NAN;
    out->effect = OTAPRIO__NAN;
    out->effect_interval.low = OTAPRIO__NAN;
    out->effect_interval.high = OTAPRIO__NAN;
    out->limit = OTAPRIO__NAN;
}

int otaprio__guard_judge_counts(const otaprio_guard_set *set,
                                const otaprio__guard_rule *rule,
                                const otaprio__guard_counts *c,
                                const otaprio__sequence *sequence,
                                bool with_effect, otaprio__guard_judgment *out)
{
    clear_judgment(out);
    bool proportion = rule->rule.kind == OTAPRIO_GUARD_PROPORTION;
    bool floor =
        rule->rule.direction == OTAPRIO_GUARD_LOWER_IS_WORSE && !proportion;
    /* Each check writes its outcome where it is kept: copying a struct
     * just written field by field stalls the copy (a wide load cannot
     * take its bytes from several narrower stores in flight). With one
     * check, as every stratum of a baseline-only rule has, that place is
     * the judgment itself. */
    bool single = !(rule->rule.checks & OTAPRIO_GUARD_CHECK_BASELINE) ||
                  !(rule->rule.checks & OTAPRIO_GUARD_CHECK_CEILING);
    checks all;
    all.count = 0;
    bool skipped = false;
    double confidence = 1.0 - set->options.alpha;

    out->canary_value = c->canary_events / c->canary_sample;
    if (c->baseline_sample > 0.0)
        out->baseline_value = c->baseline_events / c->baseline_sample;
    if (rule->rule.checks & OTAPRIO_GUARD_CHECK_BASELINE) {
        /* A floor on a rate is judged as baseline over canary: swap (in
         * a copy only then). */
        otaprio__guard_counts turned;
        const otaprio__guard_counts *judged =
            floor ? turn_counts(c, &turned) : c;
        otaprio__guard_outcome *o = single ? &out->outcome : &all.outcome[0];
        double *log_harm_p = single ? &out->log_harm_p : &all.log_harm_p[0];
        if (proportion)
            OTAPRIO__TRY(proportion_baseline(set, rule, judged, sequence, o,
                                             log_harm_p, &skipped));
        else
            OTAPRIO__TRY(rate_baseline(set, rule, judged, sequence, o,
                                       log_harm_p, &skipped));
        if (!skipped)
            all.count++;
        out->limit = rule->ratio_limit;
        if (with_effect && c->baseline_sample > 0.0) {
            otaprio__interval interval;
            if (proportion) {
                out->effect = out->canary_value - out->baseline_value;
                OTAPRIO__TRY(otaprio__newcombe_interval_z(
                    c->canary_events, c->canary_trials, c->baseline_events,
                    c->baseline_trials, set->z, &interval));
                out->effect_interval = interval;
            } else if (c->canary_events + c->baseline_events > 0) {
                out->effect = out->canary_value / out->baseline_value;
                OTAPRIO__TRY(otaprio__rate_ratio_interval(
                    c->canary_events, c->canary_sample, c->baseline_events,
                    c->baseline_sample, confidence, &interval));
                out->effect_interval = interval;
            }
        }
    }
    if (rule->rule.checks & OTAPRIO_GUARD_CHECK_CEILING) {
        otaprio__guard_outcome *o =
            single ? &out->outcome : &all.outcome[all.count];
        double *log_harm_p =
            single ? &out->log_harm_p : &all.log_harm_p[all.count];
        if (proportion)
            OTAPRIO__TRY(proportion_ceiling(set, rule, c, o, log_harm_p));
        else
            OTAPRIO__TRY(rate_ceiling(set, rule, c, floor, o, log_harm_p));
        all.count++;
        if (!(rule->rule.checks & OTAPRIO_GUARD_CHECK_BASELINE) || skipped)
            out->limit = rule->rule.ceiling;
    }
    if (single && all.count == 1) {
        /* What combine() makes of one check (log(1) is 0), in place. */
        double log_p = out->log_harm_p + 0.0;
        out->log_harm_p = log_p > 0.0 ? 0.0 : log_p;
        out->harm_reason = out->outcome.check;
    } else {
        combine(&all, out);
    }
    return OTAPRIO_OK;
}

int otaprio__guard_judge_row(const otaprio_guard_set *set,
                             const otaprio__guard_rule *rule,
                             const otaprio__guard_counts *c,
                             otaprio__guard_row *out)
{
    bool proportion = rule->rule.kind == OTAPRIO_GUARD_PROPORTION;
    bool lower = rule->rule.direction == OTAPRIO_GUARD_LOWER_IS_WORSE;
    /* A floor on a rate is judged as baseline over canary: swap. */
    otaprio__guard_counts turned;
    const otaprio__guard_counts *judged =
        lower && !proportion ? turn_counts(c, &turned) : c;
    otaprio__guard_outcome o;
    double log_harm_p = 0.0;
    bool skipped = false;
    if (proportion) {
        OTAPRIO__TRY(proportion_baseline(set, rule, judged, NULL, &o,
                                         &log_harm_p, &skipped));
    } else {
        OTAPRIO__TRY(
            rate_baseline(set, rule, judged, NULL, &o, &log_harm_p, &skipped));
    }
    /* The ceiling policy for a zero baseline skips this check, and is
     * refused without a ceiling check: a baseline-only rule never skips. */
    double log_p = log_harm_p + 0.0;
    out->log_harm_p = log_p > 0.0 ? 0.0 : log_p;
    out->verdict = o.verdict;
    out->reason = o.check;
    out->p_value = o.log_p_value == out->log_harm_p
                       ? o.p_value
                       : (out->log_harm_p == 0.0 ? 1.0 : exp(out->log_harm_p));
    double canary = c->canary_events / c->canary_sample;
    double baseline = c->baseline_sample > 0.0
                          ? c->baseline_events / c->baseline_sample
                          : OTAPRIO__NAN;
    if (lower && proportion) {
        canary = 1.0 - canary;
        baseline = 1.0 - baseline;
    }
    out->canary_value = canary;
    out->baseline_value = baseline;
    return OTAPRIO_OK;
}

/* ---- continuous samples -------------------------------------------------- */

static double median_of(const double *sorted, size_t n)
{
    if (n == 0)
        return OTAPRIO__NAN;
    return n % 2 ? sorted[n / 2]
                 : 0.5 * sorted[n / 2 - 1] + 0.5 * sorted[n / 2];
}

/* Mean absolute deviation from the median: which sample is the wider in
 * the Brown-Forsythe sense. */
static double spread_of(const double *sorted, size_t n)
{
    double median = median_of(sorted, n), sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += fabs(sorted[i] - median);
    return sum / (double)n;
}

static int samples_baseline(const otaprio_guard_set *set,
                            const otaprio__mem *mem,
                            const otaprio__guard_rule *rule,
                            const otaprio__samples *s, double shift,
                            otaprio__guard_outcome *o, double *log_harm_p)
{
    otaprio__test harm, evidence;
    OTAPRIO__TRY(otaprio__mann_whitney(mem, s, shift, OTAPRIO__ALT_GREATER,
                                       OTAPRIO__MWU_AUTO, &harm));
    if (rule->rule.require_evidence)
        OTAPRIO__TRY(otaprio__mann_whitney(mem, s, shift, OTAPRIO__ALT_LESS,
                                           OTAPRIO__MWU_AUTO, &evidence));
    decide(set, rule, OTAPRIO_GUARD_REASON_OVER_BASELINE,
           OTAPRIO_GUARD_TEST_MANN_WHITNEY, &harm,
           rule->rule.require_evidence ? &evidence : NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

static int samples_spread(const otaprio_guard_set *set,
                          const otaprio__guard_rule *rule,
                          const otaprio__samples *s, otaprio__guard_outcome *o,
                          double *log_harm_p)
{
    otaprio__test both, harm;
    OTAPRIO__TRY(otaprio__brown_forsythe(s, &both));
    /* With two groups W is a squared t statistic: the one-sided p-value
     * halves the two-sided one when the canary is the wider. */
    harm.statistic = both.statistic;
    if (spread_of(s->x, s->nx) > spread_of(s->y, s->ny))
        harm.log_p_value = both.log_p_value + LOG_HALF;
    else
        harm.log_p_value = otaprio__log1m_exp(both.log_p_value + LOG_HALF);
    harm.p_value = exp(harm.log_p_value);
    decide(set, rule, OTAPRIO_GUARD_REASON_SPREAD,
           OTAPRIO_GUARD_TEST_BROWN_FORSYTHE, &harm, NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

/* The sign test of the canary's median against the ceiling. */
static int samples_ceiling(const otaprio_guard_set *set,
                           const otaprio__guard_rule *rule,
                           const otaprio__samples *s, otaprio__guard_outcome *o,
                           double *log_harm_p)
{
    uint64_t above = 0, equal = 0;
    for (size_t i = 0; i < s->nx; i++) {
        above += s->x[i] > rule->ceiling;
        equal += s->x[i] == rule->ceiling;
    }
    uint64_t informative = (uint64_t)s->nx - equal;
    otaprio__test harm, evidence;
    if (informative == 0) {
        certain(&harm, false);
        certain(&evidence, false); /* shown when asked for */
    } else {
        OTAPRIO__TRY(otaprio__binom_test(above, informative, 0.5,
                                         OTAPRIO__ALT_GREATER, &harm));
        if (rule->rule.require_evidence)
            OTAPRIO__TRY(otaprio__binom_test(above, informative, 0.5,
                                             OTAPRIO__ALT_LESS, &evidence));
    }
    decide(set, rule, OTAPRIO_GUARD_REASON_OVER_CEILING,
           OTAPRIO_GUARD_TEST_SIGN, &harm,
           rule->rule.require_evidence ? &evidence : NULL, o, log_harm_p);
    return OTAPRIO_OK;
}

int otaprio__guard_judge_samples(const otaprio_guard_set *set,
                                 const otaprio__mem *mem,
                                 const otaprio__guard_rule *rule,
                                 const otaprio__samples *s, bool with_effect,
                                 otaprio__guard_judgment *out)
{
    clear_judgment(out);
    checks all;
    all.count = 0; /* add_check() writes each entry before it is read */
    otaprio__guard_outcome o;
    double log_harm_p = 0.0;
    double baseline_median = median_of(s->y, s->ny);
    out->canary_value = median_of(s->x, s->nx);
    out->baseline_value = baseline_median;
    if (rule->rule.checks & OTAPRIO_GUARD_CHECK_BASELINE) {
        double shift = rule->shift_share * fabs(baseline_median);
        out->limit = shift;
        if (s->ny == 0) {
            undecided(&o, &log_harm_p);
        } else {
            OTAPRIO__TRY(
                samples_baseline(set, mem, rule, s, shift, &o, &log_harm_p));
            if (with_effect)
                OTAPRIO__TRY(otaprio__hodges_lehmann(
                    mem, s, 1.0 - set->options.alpha, &out->effect,
                    &out->effect_interval));
        }
        add_check(&all, &o, log_harm_p);
    }
    if (rule->rule.checks & OTAPRIO_GUARD_CHECK_SPREAD) {
        if (s->nx < 2 || s->ny < 2)
            undecided(&o, &log_harm_p);
        else
            OTAPRIO__TRY(samples_spread(set, rule, s, &o, &log_harm_p));
        add_check(&all, &o, log_harm_p);
    }
    if (rule->rule.checks & OTAPRIO_GUARD_CHECK_CEILING) {
        OTAPRIO__TRY(samples_ceiling(set, rule, s, &o, &log_harm_p));
        add_check(&all, &o, log_harm_p);
        if (!(rule->rule.checks & OTAPRIO_GUARD_CHECK_BASELINE))
            out->limit = rule->rule.ceiling;
    }
    combine(&all, out);
    return OTAPRIO_OK;
}

void otaprio__guard_no_data(const otaprio__guard_rule *rule,
                            otaprio__guard_judgment *out)
{
    clear_judgment(out);
    bool fails = rule->rule.no_data == OTAPRIO_GUARD_NO_DATA_FAIL;
    outcome_from(&out->outcome,
                 fails ? OTAPRIO_GUARD_FAIL : OTAPRIO_GUARD_NO_DATA,
                 OTAPRIO_GUARD_REASON_NO_DATA, OTAPRIO_GUARD_TEST_NONE, NULL);
    out->log_harm_p = 0.0;
    out->harm_reason = OTAPRIO_GUARD_REASON_NO_DATA;
}
