/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --compare`'s output: the table (Markdown, so that it
 * pastes into bench/RESULTS.md as it is), the anchors' sweep and the
 * verdict on issue 8's goals; or the same as one JSON document.
 */
#include <math.h>

#include "cli.h"
#include "sim_compare.h"

/* The goals of issue 8 for libotaprio. */
#define GOAL_EXPOSURE_RATIO 0.2
#define GOAL_LOCALISED 0.95

/* The table's rows: libotaprio, then each anchor's defaults and tuned. */
typedef struct row {
    size_t variant;
    const char *role;
} row;

static size_t rows_of(const sim_compare_result *r, row rows[5])
{
    size_t n = 0;
    rows[n++] = (row){0, "as planned"};
    for (int f = SIM_FAMILY_HAWKBIT; f < SIM_FAMILIES; f++) {
        rows[n++] = (row){r->defaults[f], "defaults"};
        rows[n++] = (row){r->tuned[f], "tuned"};
    }
    return n;
}

static const sim_compare_cell *cell(const sim_compare_result *r, size_t s,
                                    size_t v)
{
    return &r->cells[s * r->variant_count + v];
}

static bool single_sku(const sim_scenario *sc)
{
    return sc->bad && sc->truth.bad_sku >= 0 && sc->truth.boot_factor == 1.0 &&
           sc->truth.drain_factor == 1.0;
}

static void describe(FILE *out, const sim_variant *v, const char *role)
{
    switch (v->family) {
    case SIM_FAMILY_HAWKBIT:
        fprintf(out,
                "hawkBit, %s (%u groups, next at %.0f%% installed, pause "
                "above %g%% failed)",
                role, sim_hawkbit_defaults.groups,
                sim_hawkbit_defaults.success_percent, v->threshold);
        break;
    case SIM_FAMILY_AWS:
        fprintf(out,
                "AWS IoT Jobs, %s (%.0f/min x%.0f every %u notified, max "
                "%.0f/min; cancel at %g%% failed after %llu executed)",
                role, sim_aws_defaults.base_rate_per_minute,
                sim_aws_defaults.increment_factor,
                sim_aws_defaults.notified_things,
                sim_aws_defaults.maximum_per_minute, v->threshold,
                (unsigned long long)sim_aws_defaults.min_executed_things);
        break;
    default:
        fputs("libotaprio (planner + guardrails)", out);
    }
}

static void hours_text(FILE *out, double h)
{
    if (h == HUGE_VAL)
        fputs("never", out);
    else
        fprintf(out, "%.0f", h);
}

static void print_table(FILE *out, const sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    fputs("| policy |", out);
    for (size_t s = 0; s < set->scenario_count; s++)
        if (set->scenarios[s]->bad)
            fprintf(out, " %s: exposed, median / p95 |",
                    set->scenarios[s]->name);
    fputs(" false halts, good runs |", out);
    for (size_t s = 0; s < set->scenario_count; s++)
        if (single_sku(set->scenarios[s]))
            fprintf(out, " %s: localised |", set->scenarios[s]->name);
    for (size_t s = 0; s < set->scenario_count; s++)
        if (set->scenarios[s]->exploited)
            fprintf(out, " %s: hours to 95%%, median / p95 |",
                    set->scenarios[s]->name);
    fputs("\n|---|", out);
    for (size_t s = 0; s < set->scenario_count; s++) {
        const sim_scenario *sc = set->scenarios[s];
        int columns = sc->bad + sc->exploited + single_sku(sc);
        for (int c = 0; c < columns; c++)
            fputs("---:|", out);
    }
    fputs("---:|\n", out);
    row rows[5];
    size_t n = rows_of(r, rows);
    for (size_t i = 0; i < n; i++) {
        size_t v = rows[i].variant;
        fputs("| ", out);
        describe(out, &r->variants[v], rows[i].role);
        fputs(" |", out);
        for (size_t s = 0; s < set->scenario_count; s++)
            if (set->scenarios[s]->bad)
                fprintf(out, " %.0f / %.0f |", cell(r, s, v)->exposed_median,
                        cell(r, s, v)->exposed_p95);
        fprintf(out, " %.2f%% |", 100.0 * r->false_halt_rate[v]);
        for (size_t s = 0; s < set->scenario_count; s++)
            if (single_sku(set->scenarios[s]))
                fprintf(out, " %.1f%% |",
                        100.0 * cell(r, s, v)->localised_share);
        for (size_t s = 0; s < set->scenario_count; s++)
            if (set->scenarios[s]->exploited) {
                fputc(' ', out);
                hours_text(out, cell(r, s, v)->hours_to_95_median);
                fputs(" / ", out);
                hours_text(out, cell(r, s, v)->hours_to_95_p95);
                fputs(" |", out);
            }
        fputc('\n', out);
    }
}

static void print_sweep(FILE *out, const sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    fputs("\nThe anchors' sweep (tuned: the lowest sum of median exposures "
          "with at most 1% false halts):\n\n| anchor | threshold | false "
          "halts |",
          out);
    for (size_t s = 0; s < set->scenario_count; s++)
        if (set->scenarios[s]->bad)
            fprintf(out, " %s: halted, median exposed |",
                    set->scenarios[s]->name);
    fputs(" sum of medians |\n|---|---:|---:|", out);
    for (size_t s = 0; s < set->scenario_count; s++)
        if (set->scenarios[s]->bad)
            fputs("---:|", out);
    fputs("---:|\n", out);
    for (size_t v = 1; v < r->variant_count; v++) {
        const sim_variant *var = &r->variants[v];
        fprintf(out, "| %s | %g%%%s%s | %.2f%% |", sim_family_name(var->family),
                var->threshold, var->is_default ? " (default)" : "",
                r->tuned[var->family] == v ? " (tuned)" : "",
                100.0 * r->false_halt_rate[v]);
        for (size_t s = 0; s < set->scenario_count; s++)
            if (set->scenarios[s]->bad)
                fprintf(out, " %.1f%%, %.0f |",
                        100.0 * cell(r, s, v)->halt_rate,
                        cell(r, s, v)->exposed_median);
        fprintf(out, " %.0f |\n", r->exposure_score[v]);
    }
    for (int f = SIM_FAMILY_HAWKBIT; f < SIM_FAMILIES; f++)
        if (!r->tuned_found[f])
            fprintf(out,
                    "\nNo %s threshold kept false halts at most 1%%: its "
                    "tuned row repeats the defaults.\n",
                    sim_family_name(f));
}

static const char *verdict(bool met)
{
    return met ? "met" : "MISSED";
}

static void print_goals(FILE *out, const sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    row rows[5];
    size_t n = rows_of(r, rows);
    fputs("\nGoals for libotaprio (issue 8):\n\n", out);
    for (size_t s = 0; s < set->scenario_count; s++) {
        if (!set->scenarios[s]->bad)
            continue;
        const sim_compare_cell *ours = cell(r, s, 0);
        double best50 = HUGE_VAL, best95 = HUGE_VAL;
        for (size_t i = 1; i < n; i++) {
            const sim_compare_cell *c = cell(r, s, rows[i].variant);
            best50 = fmin(best50, c->exposed_median);
            best95 = fmin(best95, c->exposed_p95);
        }
        bool met = ours->exposed_median <= GOAL_EXPOSURE_RATIO * best50 &&
                   ours->exposed_p95 <= GOAL_EXPOSURE_RATIO * best95;
        fprintf(out,
                "- %s: exposure at most 1/5 of the best anchor row's: median "
                "%.0f vs %.0f (ratio %.3f), p95 %.0f vs %.0f (ratio %.3f): "
                "%s\n",
                set->scenarios[s]->name, ours->exposed_median, best50,
                best50 > 0.0 ? ours->exposed_median / best50 : 0.0,
                ours->exposed_p95, best95,
                best95 > 0.0 ? ours->exposed_p95 / best95 : 0.0, verdict(met));
    }
    double theirs = HUGE_VAL;
    for (size_t i = 1; i < n; i++)
        theirs = fmin(theirs, r->false_halt_rate[rows[i].variant]);
    double ours = r->false_halt_rate[0];
    fprintf(out,
            "- false halts at most the anchors' lowest (%.2f%%) and at most "
            "1%%: %.2f%%: %s\n",
            100.0 * theirs, 100.0 * ours,
            verdict(ours <= theirs && ours <= SIM_COMPARE_FALSE_HALT_BOUND));
    for (size_t s = 0; s < set->scenario_count; s++)
        if (single_sku(set->scenarios[s])) {
            double share = cell(r, s, 0)->localised_share;
            fprintf(out,
                    "- %s: the bad SKU localised in at least 95%% of runs: "
                    "%.1f%%: %s\n",
                    set->scenarios[s]->name, 100.0 * share,
                    verdict(share >= GOAL_LOCALISED));
        }
}

void sim_compare_print(FILE *out, const sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    fprintf(out,
            "Decision quality over %u seeds (%llu to %llu), %llu devices, "
            "at most %u hours a run.\nEach seed: one fleet, one plan a "
            "scenario; the anchors roll out to the plan's devices in "
            "creation order.\n\n",
            set->seeds, (unsigned long long)set->first_seed,
            (unsigned long long)(set->first_seed + set->seeds - 1),
            (unsigned long long)set->devices, set->hours);
    print_table(out, r);
    print_sweep(out, r);
    print_goals(out, r);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *number_or_null(double x)
{
    return x == HUGE_VAL ? json_null() : json_real(x);
}

static json_t *cell_json(const sim_compare_cell *c)
{
    json_t *o = json_object();
    cli_json_set(&o, "exposed_median", json_real(c->exposed_median));
    cli_json_set(&o, "exposed_p95", json_real(c->exposed_p95));
    cli_json_set(&o, "halt_rate", json_real(c->halt_rate));
    cli_json_set(&o, "false_halt_rate", json_real(c->false_halt_rate));
    cli_json_set(&o, "localised_share", json_real(c->localised_share));
    cli_json_set(&o, "hours_to_95_median",
                 number_or_null(c->hours_to_95_median));
    cli_json_set(&o, "hours_to_95_p95", number_or_null(c->hours_to_95_p95));
    return o;
}

static json_t *variant_json(const sim_compare_result *r, size_t v)
{
    const sim_variant *var = &r->variants[v];
    json_t *o = json_object();
    cli_json_set(&o, "policy", json_string(sim_family_name(var->family)));
    if (var->family != SIM_FAMILY_OTAPRIO)
        cli_json_set(&o, "threshold_percent", json_real(var->threshold));
    cli_json_set(&o, "default", json_boolean(var->is_default));
    cli_json_set(&o, "tuned",
                 json_boolean(var->family != SIM_FAMILY_OTAPRIO &&
                              r->tuned_found[var->family] &&
                              r->tuned[var->family] == v));
    cli_json_set(&o, "false_halt_rate", json_real(r->false_halt_rate[v]));
    cli_json_set(&o, "exposure_score", json_real(r->exposure_score[v]));
    json_t *scenarios = json_object();
    for (size_t s = 0; s < r->setup.scenario_count; s++)
        cli_json_set(&scenarios, r->setup.scenarios[s]->name,
                     cell_json(cell(r, s, v)));
    cli_json_set(&o, "scenarios", scenarios);
    return o;
}

json_t *sim_compare_json(const sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    json_t *o = json_object();
    cli_json_set(&o, "devices", json_integer((json_int_t)set->devices));
    cli_json_set(&o, "first_seed", json_integer((json_int_t)set->first_seed));
    cli_json_set(&o, "seeds", json_integer((json_int_t)set->seeds));
    cli_json_set(&o, "hours", json_integer((json_int_t)set->hours));
    cli_json_set(&o, "false_halt_bound",
                 json_real(SIM_COMPARE_FALSE_HALT_BOUND));
    json_t *variants = json_array();
    for (size_t v = 0; v < r->variant_count; v++)
        cli_json_append(&variants, variant_json(r, v));
    cli_json_set(&o, "policies", variants);
    return o;
}
