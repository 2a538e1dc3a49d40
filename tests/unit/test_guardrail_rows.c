/* SPDX-License-Identifier: MIT */
/*
 * A baseline-only rule's strata take otaprio__guard_judge_row_direct(),
 * or otaprio__guard_judge_row() where that declines; every other judgment
 * takes otaprio__guard_judge_counts(). The row paths must report what the
 * general one does, bit for bit: here all three judge random
 * strata (zero and full counts, a zero or missing baseline, events past
 * the exact tests' limit) under random rules (proportions and rates,
 * either direction, margins, zero-baseline policies, evidence required or
 * not, small and large exact limits).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guardrail_internal.h"
#include "unit/splitmix.h"

static bool same_bits(double x, double y)
{
    if (isnan(x) && isnan(y))
        return true;
    return memcmp(&x, &y, sizeof x) == 0;
}

/* A count in [0, limit], often at an end. */
static uint64_t draw_count(uint64_t *state, uint64_t limit)
{
    switch (splitmix_below(state, 6)) {
    case 0:
        return 0;
    case 1:
        return limit;
    case 2:
        return limit < 3 ? limit : splitmix_below(state, 3);
    default:
        return limit == 0 ? 0 : splitmix_next(state) % (limit + 1);
    }
}

static otaprio_guard_set *random_set(uint64_t *state)
{
    otaprio_guard_rule rule;
    otaprio_guard_rule_init(&rule);
    rule.name = "m";
    rule.kind = splitmix_below(state, 2) ? OTAPRIO_GUARD_RATE
                                         : OTAPRIO_GUARD_PROPORTION;
    rule.direction = splitmix_below(state, 2) ? OTAPRIO_GUARD_LOWER_IS_WORSE
                                              : OTAPRIO_GUARD_HIGHER_IS_WORSE;
    rule.checks = OTAPRIO_GUARD_CHECK_BASELINE;
    static const double margins[] = {0.0, 0.1, 0.5};
    rule.margin = margins[splitmix_below(state, 3)];
    rule.zero_baseline = splitmix_below(state, 2)
                             ? OTAPRIO_GUARD_ZERO_BASELINE_ANY_EVENT
                             : OTAPRIO_GUARD_ZERO_BASELINE_TEST;
    rule.require_evidence = (int32_t)splitmix_below(state, 2);
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    options.exact_limit = splitmix_below(state, 2) ? 1000 : 20;
    otaprio_guard_set *set = NULL;
    assert_int_equal(
        otaprio_guard_set_create(&options, &rule, 1, NULL, &set, NULL),
        OTAPRIO_OK);
    return set;
}

/* A stratum with canary data, in the more-is-worse terms the judges
 * read (as the evaluation turns a lower-is-worse proportion). */
static void random_counts(uint64_t *state, const otaprio__guard_rule *rule,
                          otaprio__guard_counts *c)
{
    static const uint64_t scales[] = {3, 40, 2000, 1000000};
    memset(c, 0, sizeof *c);
    uint64_t scale = scales[splitmix_below(state, 4)];
    if (rule->rule.kind == OTAPRIO_GUARD_PROPORTION) {
        c->canary_trials = 1 + draw_count(state, scale);
        c->baseline_trials = draw_count(state, 10 * scale);
        c->canary_events = draw_count(state, c->canary_trials);
        c->baseline_events = draw_count(state, c->baseline_trials);
        c->canary_sample = (double)c->canary_trials;
        c->baseline_sample = (double)c->baseline_trials;
    } else {
        c->canary_events = draw_count(state, scale);
        c->baseline_events = draw_count(state, 10 * scale);
        c->canary_sample = 0.5 + (double)draw_count(state, 24 * scale);
        c->baseline_sample = splitmix_below(state, 8) == 0
                                 ? 0.0
                                 : 0.5 + (double)draw_count(state, 240 * scale);
        if (c->baseline_sample == 0.0)
            c->baseline_events = 0;
    }
}

static void row_matches_general(void **state)
{
    (void)state;
    uint64_t seed = 7;
    int taken = 0; /* strata the direct path judged */
    for (int trial = 0; trial < 400; trial++) {
        otaprio_guard_set *set = random_set(&seed);
        const otaprio__guard_rule *rule = &set->rules[0];
        for (int i = 0; i < 100; i++) {
            otaprio__guard_counts c;
            random_counts(&seed, rule, &c);
            otaprio__guard_judgment j;
            otaprio__guard_row rows[2];
            int general =
                otaprio__guard_judge_counts(set, rule, &c, NULL, false, &j);
            int fast = otaprio__guard_judge_row(set, rule, &c, &rows[0]);
            assert_int_equal(fast, general);
            if (general != OTAPRIO_OK)
                continue;
            /* The direct path where it takes the stratum, else the row
             * path again (as the evaluation goes). */
            int direct =
                otaprio__guard_judge_row_direct(set, rule, &c, &rows[1]);
            if (direct > 0)
                direct = otaprio__guard_judge_row(set, rule, &c, &rows[1]);
            else
                taken++;
            assert_int_equal(direct, OTAPRIO_OK);
            /* As the evaluation reports the general judgment. */
            double p = j.outcome.log_p_value == j.log_harm_p
                           ? j.outcome.p_value
                           : otaprio__exp_of_log_p(j.log_harm_p);
            double canary = j.canary_value, baseline = j.baseline_value;
            if (rule->rule.direction == OTAPRIO_GUARD_LOWER_IS_WORSE &&
                rule->rule.kind == OTAPRIO_GUARD_PROPORTION) {
                canary = 1.0 - canary;
                baseline = 1.0 - baseline;
            }
            for (int k = 0; k < 2; k++) {
                const otaprio__guard_row *row = &rows[k];
                if (row->verdict != j.outcome.verdict ||
                    row->reason != j.harm_reason ||
                    !same_bits(row->log_harm_p, j.log_harm_p) ||
                    !same_bits(row->p_value, p) ||
                    !same_bits(row->canary_value, canary) ||
                    !same_bits(row->baseline_value, baseline))
                    fail_msg(
                        "trial %d, stratum %d (%llu/%g vs %llu/%g): %s "
                        "path %d %d %a %a %a %a, general %d %d %a %a "
                        "%a %a",
                        trial, i, (unsigned long long)c.canary_events,
                        c.canary_sample, (unsigned long long)c.baseline_events,
                        c.baseline_sample, k ? "direct" : "row",
                        (int)row->verdict, (int)row->reason, row->log_harm_p,
                        row->p_value, row->canary_value, row->baseline_value,
                        (int)j.outcome.verdict, (int)j.harm_reason,
                        j.log_harm_p, p, canary, baseline);
            }
        }
        otaprio_guard_set_free(set);
    }
    /* Both ways saw many strata. */
    print_message("direct path: %d of 40000 strata\n", taken);
    assert_true(taken > 2000 && taken < 38000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(row_matches_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
