/* SPDX-License-Identifier: MIT */
/*
 * What `otaprio guard` prints as text: the rule set and the telemetry it
 * read, then one block per metric (verdict, reason and the action it asks
 * for; the test, statistic and p-value; canary and baseline values with
 * their samples; the effect with its interval against the limit; the
 * failing strata, or with --all-strata every stratum), and last the
 * overall action with its reasons, gravest first.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "guard_cmd.h"

/* A name from the library, or "unknown" should a newer library report a
 * value this build has no word for. */
static const char *word(const char *name)
{
    return name != NULL ? name : "unknown";
}

/* Values with 4 significant digits; "-" where the test produced none. */
static void print_value(double value)
{
    if (isnan(value))
        fputs("-", stdout);
    else
        printf("%.4g", value);
}

/* Samples and exposures: whole numbers in full (devices, samples),
 * others with 6 significant digits. */
static void print_amount(double value)
{
    if (isfinite(value) && value == floor(value) && fabs(value) < 1e15)
        printf("%.0f", value);
    else
        print_value(value);
}

/* A p-value; one that underflows to 0 shows its natural log instead. */
static void print_p(double p, double log_p)
{
    if (isnan(p))
        fputs("-", stdout);
    else if (p == 0.0 && isfinite(log_p))
        printf("exp(%.1f)", log_p);
    else
        printf("%.3g", p);
}

static void print_stratum_label(const guard_report_view *view, uint32_t rule,
                                uint64_t id)
{
    size_t length;
    const char *label =
        guard_telemetry_stratum(view->telemetry, rule, (size_t)id, &length);
    if (label == NULL)
        printf("#%" PRIu64, id);
    else if (length == 0)
        fputs("(whole cohort)", stdout);
    else
        cli_print_id(stdout, label, length, false);
}

static void print_heading(const guard_report_view *view)
{
    const otaprio_guard_options *options = &view->rules->options;
    const char *layer = cli_names_name(&cli_names_layer, options->layer);
    const char *control =
        cli_names_name(&cli_names_guard_multiplicity, options->multiplicity);
    printf("rules:     %s: %zu rule%s, alpha %g, layer %s%s, strata by %s\n",
           view->rules_file, view->rules->count,
           view->rules->count == 1 ? "" : "s", options->alpha, word(layer),
           options->closes_active_exploit ? " (closes an active exploit)" : "",
           word(control));
    size_t metrics = 0;
    for (size_t i = 0; i < view->telemetry->metric_count; i++)
        metrics += view->telemetry->metrics[i].present ? 1 : 0;
    printf("telemetry: %s", view->telemetry_file);
    if (view->samples_file != NULL)
        printf(", samples %s", view->samples_file);
    printf(": %zu metric%s with data\n", metrics, metrics == 1 ? "" : "s");
}

static int print_strata(const char *who, const guard_report_view *view,
                        uint32_t rule, const otaprio_guard_result *result)
{
    size_t total;
    otaprio_guard_stratum *strata =
        guard_report_strata(who, view->report, rule, &total);
    if (strata == NULL)
        return CLI_EXIT_FAILURE;
    /* One row is the whole cohort: its stratum adds nothing unless every
     * stratum is asked for. */
    if ((total > 1 && result->failing_strata > 0) ||
        (total > 0 && view->all_strata)) {
        printf("  strata    %" PRIu32 " of %zu failing\n",
               result->failing_strata, total);
        for (size_t i = 0; i < total; i++) {
            const otaprio_guard_stratum *s = &strata[i];
            if (!view->all_strata && s->verdict != OTAPRIO_GUARD_FAIL)
                break; /* failing strata come first */
            printf("    %-12s  ", word(otaprio_guard_verdict_name(s->verdict)));
            print_stratum_label(view, rule, s->stratum);
            fputs(": p ", stdout);
            print_p(s->p_value, log(s->p_value));
            fputs(", adjusted ", stdout);
            print_p(s->adjusted_p_value, log(s->adjusted_p_value));
            fputs(", canary ", stdout);
            print_value(s->canary_value);
            fputs(" (", stdout);
            print_amount(s->canary_sample);
            fputs("), baseline ", stdout);
            print_value(s->baseline_value);
            putchar('\n');
        }
    }
    free(strata);
    return 0;
}

static void print_sequence(const guard_report_view *view, uint32_t rule)
{
    const guard_state *state = view->state;
    if (state == NULL || state->sequences == NULL || rule >= state->count ||
        state->sequences[rule] == NULL)
        return;
    uint64_t looks = 0;
    double p = (double)NAN;
    if (otaprio_guard_sequence_status(state->sequences[rule], &looks, &p) !=
        OTAPRIO_OK)
        return;
    printf("  sequence  look %" PRIu64 ", always-valid p ", looks);
    print_p(p, log(p));
    putchar('\n');
}

static int print_metric(const char *who, const guard_report_view *view,
                        uint32_t rule)
{
    otaprio_guard_result result;
    memset(&result, 0, sizeof result);
    result.size = sizeof result;
    int status = otaprio_guard_report_result(view->report, rule, &result);
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_guard_report_result", status,
                                 NULL);
    const otaprio_guard_rule *spec = &view->rules->rules[rule];
    printf("\n%s (%s, %s): %s", spec->name,
           word(cli_names_name(&cli_names_guard_kind, spec->kind)),
           word(cli_names_name(&cli_names_guard_severity, spec->severity)),
           word(otaprio_guard_verdict_name(result.verdict)));
    if (result.reason != OTAPRIO_GUARD_REASON_NONE)
        printf(", %s", word(otaprio_guard_reason_name(result.reason)));
    printf(" -> %s\n", word(otaprio_guard_action_name(result.action)));
    if (result.test != OTAPRIO_GUARD_TEST_NONE) {
        printf("  test      %s, statistic ",
               word(otaprio_guard_test_name(result.test)));
        print_value(result.statistic);
        fputs(", p ", stdout);
        print_p(result.p_value, result.log_p_value);
        putchar('\n');
    }
    fputs("  canary    ", stdout);
    print_value(result.canary_value);
    fputs(" over ", stdout);
    print_amount(result.canary_sample);
    fputs("; baseline ", stdout);
    print_value(result.baseline_value);
    fputs(" over ", stdout);
    print_amount(result.baseline_sample);
    putchar('\n');
    if (!isnan(result.effect)) {
        fputs("  effect    ", stdout);
        print_value(result.effect);
        fputs(" [", stdout);
        print_value(result.effect_low);
        fputs(", ", stdout);
        print_value(result.effect_high);
        fputs("], limit ", stdout);
        print_value(result.limit);
        putchar('\n');
    } else if (!isnan(result.limit)) {
        fputs("  limit     ", stdout);
        print_value(result.limit);
        putchar('\n');
    }
    print_sequence(view, rule);
    return print_strata(who, view, rule, &result);
}

static int print_action(const char *who, const guard_report_view *view)
{
    int action = otaprio_guard_report_action(view->report);
    printf("\naction: %s\n", word(otaprio_guard_action_name(action)));
    size_t count = otaprio_guard_report_reason_count(view->report);
    for (size_t i = 0; i < count; i++) {
        otaprio_guard_reason reason;
        memset(&reason, 0, sizeof reason);
        reason.size = sizeof reason;
        int status = otaprio_guard_report_reason(view->report, i, &reason);
        if (status != OTAPRIO_OK)
            return cli_library_error(who, "otaprio_guard_report_reason", status,
                                     NULL);
        printf("  %zu. %-8s  %-20s  %-14s  p ", i + 1,
               word(otaprio_guard_action_name(reason.action)),
               reason.rule < view->rules->count
                   ? view->rules->rules[reason.rule].name
                   : "unknown",
               word(otaprio_guard_reason_name(reason.code)));
        print_p(reason.p_value, log(reason.p_value));
        putchar('\n');
    }
    return 0;
}

int guard_output_text(const char *who, const guard_report_view *view)
{
    print_heading(view);
    for (uint32_t rule = 0; rule < view->rules->count; rule++) {
        int status = print_metric(who, view, rule);
        if (status != 0)
            return status;
    }
    int status = print_action(who, view);
    if (status != 0)
        return status;
    if (ferror(stdout))
        return cli_write_error(who);
    return 0;
}
