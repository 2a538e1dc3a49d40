/* SPDX-License-Identifier: MIT */
/*
 * What `otaprio guard --json` prints: one document {"action", "reasons",
 * "metrics"}, every metric with its result and all its strata, so a
 * pipeline can act on the action and exempt the failing strata. Numbers a
 * test did not produce are null; infinite ones (a rate ratio over a silent
 * baseline) are the strings "inf" and "-inf", which JSON numbers cannot
 * carry.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "guard_cmd.h"

#define GUARD_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

static json_t *number(double value)
{
    if (isnan(value))
        return json_null();
    if (isinf(value))
        return json_string(value > 0 ? "inf" : "-inf");
    return json_real(value);
}

static json_t *word(const char *name)
{
    return name != NULL ? json_string(name) : json_null();
}

static json_t *stratum_label(const guard_report_view *view, uint32_t rule,
                             uint64_t id)
{
    size_t length;
    const char *label =
        guard_telemetry_stratum(view->telemetry, rule, (size_t)id, &length);
    if (label == NULL)
        return json_integer((json_int_t)id);
    /* NULL for bytes that are not UTF-8; the caller reports it. */
    return json_stringn(label, length);
}

static json_t *strata_json(const char *who, const guard_report_view *view,
                           uint32_t rule)
{
    size_t total;
    otaprio_guard_stratum *strata =
        guard_report_strata(who, view->report, rule, &total);
    if (strata == NULL)
        return NULL;
    json_t *array = json_array();
    for (size_t i = 0; i < total && array != NULL; i++) {
        const otaprio_guard_stratum *s = &strata[i];
        json_t *label = stratum_label(view, rule, s->stratum);
        if (label == NULL)
            cli_error(who,
                      "a stratum of metric '%s' is not valid UTF-8, which "
                      "JSON cannot carry; use the text output",
                      view->rules->rules[rule].name);
        json_t *o = json_object();
        (void)(cli_json_set(&o, "stratum", label) &&
               cli_json_set(&o, "verdict",
                            word(otaprio_guard_verdict_name(s->verdict))) &&
               cli_json_set(&o, "reason",
                            word(otaprio_guard_reason_name(s->reason))) &&
               cli_json_set(&o, "p_value", number(s->p_value)) &&
               cli_json_set(&o, "adjusted_p_value",
                            number(s->adjusted_p_value)) &&
               cli_json_set(&o, "canary_value", number(s->canary_value)) &&
               cli_json_set(&o, "baseline_value", number(s->baseline_value)) &&
               cli_json_set(&o, "canary_sample", number(s->canary_sample)));
        cli_json_append(&array, o);
    }
    free(strata);
    return array;
}

static json_t *sequence_json(const guard_report_view *view, uint32_t rule)
{
    const guard_state *state = view->state;
    if (state == NULL || state->sequences == NULL || rule >= state->count ||
        state->sequences[rule] == NULL)
        return json_null();
    uint64_t looks = 0;
    double p = (double)NAN;
    otaprio_guard_sequence_status(state->sequences[rule], &looks, &p);
    json_t *o = json_object();
    (void)(cli_json_set(&o, "looks", json_integer((json_int_t)looks)) &&
           cli_json_set(&o, "p_value", number(p)));
    return o;
}

static json_t *metric_json(const char *who, const guard_report_view *view,
                           uint32_t rule)
{
    otaprio_guard_result r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    int status = otaprio_guard_report_result(view->report, rule, &r);
    if (status != OTAPRIO_OK) {
        cli_library_error(who, "otaprio_guard_report_result", status, NULL);
        return NULL;
    }
    const otaprio_guard_rule *spec = &view->rules->rules[rule];
    json_t *o = json_object();
    (void)(cli_json_set(&o, "metric", json_string(spec->name)) &&
           cli_json_set(
               &o, "kind",
               word(cli_names_name(&cli_names_guard_kind, spec->kind))) &&
           cli_json_set(&o, "severity",
                        word(cli_names_name(&cli_names_guard_severity,
                                            spec->severity))) &&
           cli_json_set(&o, "verdict",
                        word(otaprio_guard_verdict_name(r.verdict))) &&
           cli_json_set(&o, "reason",
                        word(otaprio_guard_reason_name(r.reason))) &&
           cli_json_set(&o, "action",
                        word(otaprio_guard_action_name(r.action))) &&
           cli_json_set(&o, "test", word(otaprio_guard_test_name(r.test))) &&
           cli_json_set(&o, "statistic", number(r.statistic)) &&
           cli_json_set(&o, "p_value", number(r.p_value)) &&
           cli_json_set(&o, "log_p_value", number(r.log_p_value)) &&
           cli_json_set(&o, "canary_value", number(r.canary_value)) &&
           cli_json_set(&o, "baseline_value", number(r.baseline_value)) &&
           cli_json_set(&o, "effect", number(r.effect)) &&
           cli_json_set(&o, "effect_low", number(r.effect_low)) &&
           cli_json_set(&o, "effect_high", number(r.effect_high)) &&
           cli_json_set(&o, "limit", number(r.limit)) &&
           cli_json_set(&o, "canary_sample", number(r.canary_sample)) &&
           cli_json_set(&o, "baseline_sample", number(r.baseline_sample)) &&
           cli_json_set(&o, "failing_strata", json_integer(r.failing_strata)) &&
           cli_json_set(&o, "sequence", sequence_json(view, rule)) &&
           cli_json_set(&o, "strata", strata_json(who, view, rule)));
    return o;
}

static json_t *reasons_json(const char *who, const guard_report_view *view)
{
    json_t *array = json_array();
    size_t count = otaprio_guard_report_reason_count(view->report);
    for (size_t i = 0; i < count && array != NULL; i++) {
        otaprio_guard_reason reason;
        memset(&reason, 0, sizeof reason);
        reason.size = sizeof reason;
        int status = otaprio_guard_report_reason(view->report, i, &reason);
        if (status != OTAPRIO_OK) {
            cli_library_error(who, "otaprio_guard_report_reason", status, NULL);
            json_decref(array);
            return NULL;
        }
        json_t *o = json_object();
        (void)(cli_json_set(
                   &o, "metric",
                   reason.rule < view->rules->count
                       ? json_string(view->rules->rules[reason.rule].name)
                       : json_null()) &&
               cli_json_set(&o, "action",
                            word(otaprio_guard_action_name(reason.action))) &&
               cli_json_set(&o, "reason",
                            word(otaprio_guard_reason_name(reason.code))) &&
               cli_json_set(&o, "p_value", number(reason.p_value)));
        cli_json_append(&array, o);
    }
    return array;
}

int guard_output_json(const char *who, const guard_report_view *view)
{
    json_t *root = json_object();
    json_t *metrics = json_array();
    for (uint32_t rule = 0; rule < view->rules->count && metrics != NULL;
         rule++)
        cli_json_append(&metrics, metric_json(who, view, rule));
    /* Each cli_json_set() releases its value when the document is already gone,
     * so none of the three can leak. */
    cli_json_set(&root, "action",
                 word(otaprio_guard_action_name(
                     otaprio_guard_report_action(view->report))));
    cli_json_set(&root, "reasons", reasons_json(who, view));
    cli_json_set(&root, "metrics", metrics);
    if (root == NULL) {
        cli_error(who, "cannot build the JSON output");
        return CLI_EXIT_FAILURE;
    }
    int status = json_dumpf(root, stdout, GUARD_JSON_FLAGS);
    json_decref(root);
    if (status != 0 || fputc('\n', stdout) == EOF || ferror(stdout))
        return cli_write_error(who);
    return 0;
}
