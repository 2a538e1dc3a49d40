/* SPDX-License-Identifier: MIT */
/* `otaprio guard`: judge a canary's telemetry against a rollout's
 * guardrails, metric by metric, and say whether to expand, hold, pause or
 * roll back. */
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guard_cmd.h"

/* --exit-code: the action as the exit status, for scripts that branch on
 * it without parsing the output. Above the CLI's own statuses (0, 1, 2) so
 * that an error can never be mistaken for an action. */
enum { EXIT_HOLD = 10, EXIT_PAUSE = 11, EXIT_ROLLBACK = 12 };

void cmd_guard_usage(FILE *out)
{
    fputs(
        "Usage: otaprio guard --rules FILE --telemetry FILE [--samples FILE]\n"
        "                     [--window START,END] [--state DIR] "
        "[--all-strata]\n"
        "                     [--json] [--exit-code]\n"
        "\n"
        "Judge a canary against the concurrent baseline with the guardrails\n"
        "written before the rollout: for each metric its verdict (pass, "
        "fail,\n"
        "inconclusive, no-data), the test behind it with its statistic and\n"
        "p-value, canary and baseline values, the effect with its interval\n"
        "against the limit, and the strata that fail under multiple-\n"
        "comparison control; then the overall action (expand, hold, pause,\n"
        "rollback) with its reasons, gravest first.\n"
        "\n"
        "Options:\n"
        "  -r, --rules FILE    the rule set, JSON ('-': standard input):\n"
        "                      {\"options\": {...}, \"rules\": [{...}]}, see "
        "below\n"
        "  -t, --telemetry FILE\n"
        "                      the counts: CSV, or JSON when the name ends in\n"
        "                      .json ({\"rows\": [{column: value}]}); '-' is\n"
        "                      CSV on standard input\n"
        "      --telemetry-format csv|json\n"
        "                      read --telemetry as this format whatever its\n"
        "                      name\n"
        "  -s, --samples FILE  samples of continuous metrics, CSV with the\n"
        "                      columns metric, stratum (optional), group\n"
        "                      (canary or baseline) and value\n"
        "  -w, --window START,END\n"
        "                      hours since the wave began that the data span,\n"
        "                      for metrics whose rows give no window\n"
        "      --state DIR     keep the always-valid state of each sequential\n"
        "                      rule in DIR/<metric>.seq (created when\n"
        "                      missing): loaded, advanced by this evaluation\n"
        "                      and saved back (temporary file, then rename).\n"
        "                      Counts must then be cumulative since the wave\n"
        "                      began. Without it, sequential rules are judged\n"
        "                      with the fixed-sample test\n"
        "  -a, --all-strata    text: list every stratum, not only failing "
        "ones\n"
        "  -j, --json          print one JSON document: {\"action\", "
        "\"reasons\",\n"
        "                      \"metrics\"}; every metric with all its strata\n"
        "      --exit-code     exit with the action: 0 expand, 10 hold, 11\n"
        "                      pause, 12 rollback (after printing the report)\n"
        "  -h, --help          show this help and exit\n"
        "\n",
        out);
    fputs(
        "The rule set: \"options\" holds alpha (default 0.05), layer (app,\n"
        "config, os, kernel, bootloader, baseband, battery: sets the\n"
        "tolerance), closes_active_exploit (true loosens it), "
        "tolerance_scale,\n"
        "exact_limit and multiplicity (holm, benjamini-hochberg,\n"
        "uncorrected). Each rule has a name (the metric), kind (proportion,\n"
        "rate, continuous), direction (higher-is-worse, lower-is-worse),\n"
        "severity (standard: a failure pauses; critical: rolls back;\n"
        "leading: holds), checks (an array of baseline, ceiling, spread),\n"
        "margin (relative, over the baseline), ceiling (absolute),\n"
        "minimum_sample, window_hours (soak before expanding, default 24),\n"
        "no_data (hold, fail, ignore), zero_baseline (test, any-event,\n"
        "ceiling), require_evidence and sequential (true/false). Keys left\n"
        "out keep the library's defaults (docs/guardrail.md).\n"
        "\n"
        "The telemetry CSV has one row per metric and stratum: metric,\n"
        "stratum (optional; rows of one metric are its strata, judged alone\n"
        "and summed for the whole cohort), canary_events, canary_trials,\n"
        "baseline_events, baseline_trials (proportions: failed devices of\n"
        "devices that tried, each device counted once), canary_exposure,\n"
        "baseline_exposure (rates: events over device-hours or any unit),\n"
        "window_start_hours, window_end_hours (one window per metric).\n"
        "Cells a metric's kind does not use stay empty; a metric fills a\n"
        "column in all its rows or in none. Blanks around values are\n"
        "ignored; rows are counted from the header (row 1).\n"
        "\n"
        "Exit status: 0 on success (whatever the action, unless --exit-code),\n"
        "1 on bad input (the message names the file, row and column) or a\n"
        "library error, 2 on a usage error; with --exit-code, 10, 11 or 12\n"
        "for hold, pause or rollback.\n",
        out);
}

typedef struct guard_args {
    const char *rules;
    const char *telemetry;
    const char *format;
    const char *samples;
    const char *window;
    const char *state;
    bool all_strata;
    bool json;
    bool exit_code;
} guard_args;

static const cli_option options[] = {
    CLI_TEXT_OPTION(guard_args, "rules", 'r', rules),
    CLI_TEXT_OPTION(guard_args, "telemetry", 't', telemetry),
    CLI_TEXT_OPTION(guard_args, "telemetry-format", 0, format),
    CLI_TEXT_OPTION(guard_args, "samples", 's', samples),
    CLI_TEXT_OPTION(guard_args, "window", 'w', window),
    CLI_TEXT_OPTION(guard_args, "state", 0, state),
    CLI_FLAG_OPTION(guard_args, "all-strata", 'a', all_strata),
    CLI_FLAG_OPTION(guard_args, "json", 'j', json),
    CLI_FLAG_OPTION(guard_args, "exit-code", 0, exit_code),
};

/* "START,END": hours, finite, 0 <= START <= END. */
static int parse_window(const char *who, const char *text, double window[2])
{
    const char *comma = strchr(text, ',');
    bool ok = comma != NULL &&
              cli_parse_double(text, (size_t)(comma - text), &window[0]) &&
              cli_parse_double(comma + 1, strlen(comma + 1), &window[1]) &&
              window[0] >= 0.0 && window[1] >= window[0] &&
              window[1] <= 1e300; /* finite: NaN fails the comparisons */
    if (!ok)
        return cli_usage_error(who,
                               "bad --window '%s': expected START,END, hours "
                               "since the wave began with 0 <= START <= END",
                               text);
    return CLI_EXIT_OK;
}

/* A file as messages and the report show it. */
static const char *shown(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard input" : path;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), tail = strlen(suffix);
    return length >= tail && strcmp(text + length - tail, suffix) == 0;
}

static int check_args(const char *who, const guard_args *args, int operands,
                      bool *json_counts, double window[2])
{
    if (operands != 0)
        return cli_usage_error(who, "unexpected argument; the inputs are given "
                                    "with --rules and --telemetry");
    if (args->rules == NULL)
        return cli_usage_error(who, "missing the rule set: give --rules FILE");
    if (args->telemetry == NULL && args->samples == NULL)
        return cli_usage_error(who, "missing the telemetry: give --telemetry "
                                    "FILE (counts) and/or --samples FILE");
    int from_stdin =
        (strcmp(args->rules, "-") == 0) +
        (args->telemetry != NULL && strcmp(args->telemetry, "-") == 0) +
        (args->samples != NULL && strcmp(args->samples, "-") == 0);
    if (from_stdin > 1)
        return cli_usage_error(who, "only one of --rules, --telemetry and "
                                    "--samples can read standard input");
    *json_counts =
        args->telemetry != NULL && ends_with(args->telemetry, ".json");
    if (args->format != NULL) {
        if (strcmp(args->format, "csv") != 0 &&
            strcmp(args->format, "json") != 0)
            return cli_usage_error(who,
                                   "bad --telemetry-format '%s': expected csv "
                                   "or json",
                                   args->format);
        if (args->telemetry == NULL)
            return cli_usage_error(who, "--telemetry-format needs --telemetry");
        *json_counts = strcmp(args->format, "json") == 0;
    }
    if (args->state != NULL && args->state[0] == '\0')
        return cli_usage_error(who, "--state names an empty directory");
    if (args->window != NULL)
        return parse_window(who, args->window, window);
    return CLI_EXIT_OK;
}

/* A refusal of the telemetry by the library, named by its metric. */
static int evaluate_error(const char *who, const guard_args *args,
                          const guard_rules *rules,
                          const otaprio_guard_data *data, size_t entries,
                          int status, const otaprio_diag *diag)
{
    bool filled = diag->status == status && diag->message[0] != '\0';
    if (!filled || diag->index < 0 || (uint64_t)diag->index >= entries ||
        status == OTAPRIO_E_NOMEM)
        return cli_library_error(who, "otaprio_guard_evaluate", status, diag);
    const char *metric = rules->rules[data[diag->index].rule].name;
    bool field = diag->field != NULL && diag->field[0] != '\0';
    cli_error(who, "%s: metric '%s'%s%s%s: the telemetry is refused: %s: %s",
              shown(args->telemetry != NULL ? args->telemetry : args->samples),
              metric, field ? ", column '" : "", field ? diag->field : "",
              field ? "'" : "", otaprio_strerror(status), diag->message);
    return CLI_EXIT_FAILURE;
}

typedef struct guard_run {
    guard_rules rules;
    otaprio_guard_set *set;
    guard_telemetry telemetry;
    otaprio_guard_data *data;
    guard_state state;
    otaprio_guard_report *report;
} guard_run;

static int read_inputs(const char *who, const guard_args *args,
                       bool json_counts, const double *window, guard_run *run)
{
    int status = guard_rules_read(who, args->rules, &run->rules);
    if (status == 0)
        status = guard_rules_compile(who, &run->rules, &run->set);
    if (status == 0)
        status =
            guard_telemetry_init(&run->telemetry, who, run->set, &run->rules);
    if (status == 0 && args->telemetry != NULL)
        status = guard_counts_read(who, args->telemetry, json_counts,
                                   &run->telemetry);
    if (status == 0 && args->samples != NULL)
        status = guard_samples_read(who, args->samples, &run->telemetry);
    if (status == 0)
        status = guard_telemetry_finish(&run->telemetry, who, window);
    return status;
}

static int evaluate(const char *who, const guard_args *args, guard_run *run)
{
    run->data = calloc(run->rules.count, sizeof *run->data);
    if (run->data == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    size_t entries = guard_telemetry_data(&run->telemetry, run->data);
    int status = guard_state_load(who, args->state, &run->rules, run->set,
                                  run->data, entries, &run->state);
    if (status != 0)
        return status;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    status = otaprio_guard_evaluate(run->set, run->data, entries, NULL,
                                    &run->report, &diag);
    if (status != OTAPRIO_OK)
        return evaluate_error(who, args, &run->rules, run->data, entries,
                              status, &diag);
    /* Saved before anything is printed: a report whose state could not be
     * kept would be judged again from the old state next time. */
    return guard_state_save(who, &run->state);
}

static int exit_status(const guard_args *args, const guard_run *run)
{
    if (!args->exit_code)
        return CLI_EXIT_OK;
    switch (otaprio_guard_report_action(run->report)) {
    case OTAPRIO_GUARD_EXPAND:
        return CLI_EXIT_OK;
    case OTAPRIO_GUARD_HOLD:
        return EXIT_HOLD;
    case OTAPRIO_GUARD_PAUSE:
        return EXIT_PAUSE;
    default:
        return EXIT_ROLLBACK;
    }
}

int cmd_guard_run(int argc, char **argv)
{
    const char *who = argv[0];
    guard_args args;
    memset(&args, 0, sizeof args);
    bool done;
    static const cli_options spec = CLI_OPTIONS(options, NULL, cmd_guard_usage);
    int status = cli_parse_options(argc, argv, &spec, &args, &done);
    if (done)
        return status;
    bool json_counts = false;
    double window[2] = {0.0, 0.0};
    status = check_args(who, &args, argc - optind, &json_counts, window);
    if (status != CLI_EXIT_OK)
        return status;

    guard_run run;
    memset(&run, 0, sizeof run);
    status = read_inputs(who, &args, json_counts,
                         args.window != NULL ? window : NULL, &run);
    if (status == 0)
        status = evaluate(who, &args, &run);
    if (status == 0) {
        guard_report_view view;
        memset(&view, 0, sizeof view);
        view.rules_file = shown(args.rules);
        view.telemetry_file =
            shown(args.telemetry != NULL ? args.telemetry : args.samples);
        view.samples_file = args.telemetry != NULL && args.samples != NULL
                                ? shown(args.samples)
                                : NULL;
        view.rules = &run.rules;
        view.telemetry = &run.telemetry;
        view.state = &run.state;
        view.report = run.report;
        view.all_strata = args.all_strata;
        status = args.json ? guard_output_json(who, &view)
                           : guard_output_text(who, &view);
    }
    if (status == 0)
        status = exit_status(&args, &run);
    otaprio_guard_report_free(run.report);
    guard_state_release(&run.state);
    free(run.data);
    guard_telemetry_release(&run.telemetry);
    otaprio_guard_set_free(run.set);
    guard_rules_release(&run.rules);
    return status;
}
