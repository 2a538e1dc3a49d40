/* SPDX-License-Identifier: MIT */
/* `otaprio score`: a fix's tier and scorecard, and the fleet's priorities. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

void cmd_score_usage(FILE *out)
{
    fputs(
        "Usage: otaprio score --issue FILE [--policy FILE] [--model MODEL]\n"
        "                     [--fleet FILE [--top N] [--explain ID]...\n"
        "                     [--ignore-unknown-columns]] [--json]\n"
        "\n"
        "Score a fix: its tier (T0 emergency push now to T3 hold), its\n"
        "defect score with the scorecard behind it, and the SSVC decision.\n"
        "With a fleet, also each device's priority, disposition (eligible,\n"
        "defer, blocked, excluded) and reasons, then totals by disposition.\n"
        "\n"
        "Options:\n"
        "  -i, --issue FILE    the fix, a JSON object ('-' for standard\n"
        "                      input); see below\n"
        "  -p, --policy FILE   a JSON object overriding risk policy fields\n"
        "                      by name; see below\n"
        "  -m, --model MODEL   the model that decides the tier: scorecard\n"
        "                      or ssvc (overrides the policy file)\n"
        "  -f, --fleet FILE    the devices, a CSV file ('-' for standard\n"
        "                      input) whose first row names the columns\n"
        "  -t, --top N         show only the N devices of highest priority,\n"
        "                      best first (ties: earlier row first); the\n"
        "                      totals still count every device\n"
        "  -e, --explain ID    explain the scores of device ID (repeatable):\n"
        "                      criticality, delivery risk and priority, with\n"
        "                      the points of each factor\n"
        "      --ignore-unknown-columns\n"
        "                      skip CSV columns otaprio does not read instead\n"
        "                      of failing on them\n"
        "  -j, --json          print one JSON document: {\"issue\", "
        "\"devices\",\n"
        "                      \"totals\"}\n"
        "  -h, --help          show this help and exit\n"
        "\n"
        "Issue keys (otaprio_issue fields; left out: nothing known):\n"
        "  issue_class          security, stability, compliance, performance,\n"
        "                       cosmetic\n"
        "  security_impact, data_loss, uptime_loss, regulatory_exposure\n"
        "                       none, low, moderate, high, critical\n"
        "  attack_path          none, physical, local, adjacent, remote\n"
        "  exploit              none, poc, active\n"
        "  layer                app, config, os, kernel, bootloader, "
        "baseband,\n"
        "                       battery\n"
        "  workflows            array of auth, payment, emergency, safety,\n"
        "                       connectivity, identity\n"
        "  affected_classes     array of device class names or numbers 0-31\n"
        "  automatable, ab_slot, anomaly_growing, masks_regression\n"
        "                       true or false\n"
        "  epss                 probability in [0, 1]; sets has_epss\n"
        "  affected_share, concentration, anomaly_rate\n"
        "                       numbers in [0, 1]\n"
        "  package_bytes        whole number\n"
        "\n"
        "Policy keys are otaprio_risk_policy fields: numbers for weights,\n"
        "arrays of numbers for tables (an array sets the first entries, the\n"
        "rest keep their defaults), true or false for switches, \"scorecard\"\n"
        "or \"ssvc\" for model, device classes for excluded_classes.\n"
        "\n"
        "Fleet columns (any order; a column left out takes the library's\n"
        "default for every device; spaces around values are ignored):\n"
        "  id                   the device's name in the output (without\n"
        "                       it, its row number); taken byte for byte\n"
        "  device_class         other, handset, wearable, camera, kiosk, pos,\n"
        "                       router, gateway, industrial, medical,\n"
        "                       vehicle, or a number from 0 to 31\n"
        "  customer_tier        standard, business, enterprise, critical\n"
        "  exposure             isolated, internal, public\n"
        "  uptime               batch, business, continuous\n"
        "  link                 ethernet, wifi, cellular, roaming, satellite\n"
        "  battery              charge, a number in [0, 1]\n"
        "  free_bytes, failed_attempts, days_offline\n"
        "                       whole numbers\n"
        "  redundant, safe_fallback, charging, metered, busy, affected,\n"
        "  prerequisite_missing, excluded\n"
        "                       flags: 0, 1, true or false\n"
        "\n"
        "Rows are counted from the header (row 1). Without --top, devices\n"
        "are printed in input order; with it, only the devices shown are\n"
        "explained. The table shows 'priority  disposition  reasons  id'\n"
        "lines, reasons joined by ','; control bytes in an id show as\n"
        "\\xHH. Exit status: 0 on success, 1 on bad input or a library\n"
        "error, 2 on a usage error.\n",
        out);
}

typedef struct score_args {
    const char *issue;
    const char *policy;
    const char *model;
    const char *fleet;
    const char *top;
    const char **explain; /* argv-sized, filled in order */
    size_t explain_count;
    bool ignore_unknown;
    bool json;
} score_args;

static const cli_option options[] = {
    CLI_TEXT_OPTION(score_args, "issue", 'i', issue),
    CLI_TEXT_OPTION(score_args, "policy", 'p', policy),
    CLI_TEXT_OPTION(score_args, "model", 'm', model),
    CLI_TEXT_OPTION(score_args, "fleet", 'f', fleet),
    CLI_TEXT_OPTION(score_args, "top", 't', top),
    {"explain", 'e', CLI_OPTION_TAKE, 0},
    CLI_FLAG_OPTION(score_args, "ignore-unknown-columns", 0, ignore_unknown),
    CLI_FLAG_OPTION(score_args, "json", 'j', json),
};

/* --explain, the one option taken at once: each adds an identifier. */
static int take_option(const char *who, const cli_option *option,
                       const char *value, void *user)
{
    (void)who;
    (void)option;
    score_args *args = user;
    args->explain[args->explain_count++] = value;
    return CLI_EXIT_OK;
}

/* A decimal count of at least 1, no sign or spaces. */
static bool parse_top(const char *text, size_t *value)
{
    size_t result = 0;
    if (text[0] == '\0')
        return false;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        size_t digit = (size_t)(*p - '0');
        if (result > (SIZE_MAX - digit) / 10)
            return false;
        result = result * 10 + digit;
    }
    *value = result;
    return result != 0;
}

static int check_args(const char *who, const score_args *args, int operands,
                      int32_t *model, size_t *top)
{
    if (operands != 0)
        return cli_usage_error(who, "unexpected argument; inputs are given "
                                    "with --issue and --fleet");
    if (args->issue == NULL)
        return cli_usage_error(who, "missing the fix: give --issue FILE");
    int from_stdin = 0;
    from_stdin += strcmp(args->issue, "-") == 0;
    from_stdin += args->policy != NULL && strcmp(args->policy, "-") == 0;
    from_stdin += args->fleet != NULL && strcmp(args->fleet, "-") == 0;
    if (from_stdin > 1)
        return cli_usage_error(who, "only one input can be standard input "
                                    "('-')");
    *model = -1;
    if (args->model != NULL) {
        *model =
            cli_names_find(&cli_names_model, args->model, strlen(args->model));
        if (*model < 0)
            return cli_usage_error(who,
                                   "bad --model '%s': expected scorecard "
                                   "or ssvc",
                                   args->model);
    }
    if (args->fleet == NULL) {
        const char *needs = args->top != NULL          ? "--top"
                            : args->explain_count != 0 ? "--explain"
                            : args->ignore_unknown ? "--ignore-unknown-columns"
                                                   : NULL;
        if (needs != NULL)
            return cli_usage_error(who, "%s needs --fleet FILE", needs);
    }
    *top = 0;
    if (args->top != NULL && !parse_top(args->top, top))
        return cli_usage_error(who,
                               "bad --top '%s': expected a whole number of "
                               "at least 1",
                               args->top);
    return CLI_EXIT_OK;
}

/* The policy the model is built from: defaults, then the policy file, then
 * --model. */
static int build_model(const char *who, const score_args *args, int32_t model,
                       otaprio_risk_model **built, int32_t *kind)
{
    otaprio_risk_policy policy;
    otaprio_risk_policy_init(&policy);
    if (args->policy != NULL &&
        cli_policy_read(who, args->policy, &policy) != 0)
        return CLI_EXIT_FAILURE;
    if (model >= 0)
        policy.model = model;
    *kind = policy.model;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_risk_model_create(&policy, NULL, built, &diag);
    if (status == OTAPRIO_OK)
        return CLI_EXIT_OK;
    if (args->policy != NULL && diag.status == status)
        cli_error(who, "%s: otaprio_risk_model_create failed: %s: %s",
                  strcmp(args->policy, "-") == 0 ? "standard input"
                                                 : args->policy,
                  otaprio_strerror(status), diag.message);
    else
        cli_library_error(who, "otaprio_risk_model_create", status, &diag);
    return CLI_EXIT_FAILURE;
}

/* Scores the issue and writes its part of the output. */
static int score_issue(const char *who, const score_args *args,
                       const otaprio_risk_model *model, int32_t kind,
                       score_output *out, otaprio_issue_score *score)
{
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    if (cli_issue_read(who, args->issue, &issue) != 0)
        return CLI_EXIT_FAILURE;
    memset(score, 0, sizeof *score);
    score->size = sizeof *score;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    size_t count = 0;
    int status =
        otaprio_risk_score_issue(model, &issue, score, NULL, 0, &count, &diag);
    otaprio_factor_points *lines = NULL;
    if (status == OTAPRIO_OK) {
        lines = malloc((count != 0 ? count : 1) * sizeof *lines);
        if (lines == NULL) {
            cli_error(who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        status = otaprio_risk_score_issue(model, &issue, score, lines, count,
                                          &count, &diag);
    }
    if (status != OTAPRIO_OK) {
        free(lines);
        if (diag.status == status)
            cli_error(who, "%s: otaprio_risk_score_issue failed: %s: %s",
                      strcmp(args->issue, "-") == 0 ? "standard input"
                                                    : args->issue,
                      otaprio_strerror(status), diag.message);
        else
            cli_library_error(who, "otaprio_risk_score_issue", status, &diag);
        return CLI_EXIT_FAILURE;
    }
    status =
        score_output_issue(out, kind, score, lines, count, args->fleet != NULL);
    free(lines);
    return status;
}

/* Reads, scores and writes the fleet, then the totals. */
static int score_devices(score_fleet *run, const score_args *args,
                         fleet_chunk *chunk)
{
    const char *who = run->who;
    bool from_stdin = strcmp(args->fleet, "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(args->fleet, "rb");
    if (in == NULL) {
        int error = errno;
        cli_error(who, "cannot open the fleet file %s: %s", args->fleet,
                  strerror(error));
        return CLI_EXIT_FAILURE;
    }
    score_output_devices_begin(run->output);
    int status = fleet_csv_read(in, args->fleet, who, args->ignore_unknown,
                                chunk, score_fleet_chunk, run);
    fleet_chunk_release(chunk);
    if (!from_stdin)
        fclose(in); /* read-only: nothing to lose on close */
    if (status != 0)
        return status;
    if (run->top != NULL) {
        top_heap_sort(run->top);
        for (size_t i = 0; i < run->top->count && status == 0; i++)
            status = score_output_device(run->output, &run->top->items[i]);
        if (status != 0)
            return status;
    }
    /* An identifier asked about but absent is most likely a typo: say so
     * rather than let the explanation silently go missing. The document
     * stays unfinished, as after any failure. */
    for (size_t k = 0; k < run->explain_count; k++) {
        if (!run->explain_found[k]) {
            char shown[CLI_QUOTE_SIZE];
            cli_quote(run->explain[k], strlen(run->explain[k]), shown);
            cli_error(who, "--explain '%s': no device has this id in %s", shown,
                      run->input);
            status = CLI_EXIT_FAILURE;
        }
    }
    if (status != 0)
        return status;
    return score_output_totals(run->output, &run->totals);
}

static int run_fleet(const char *who, const score_args *args, size_t top,
                     const otaprio_risk_model *model,
                     const otaprio_issue_score *issue, score_output *out)
{
    /* The per-chunk arrays make these too large for the stack. */
    fleet_chunk *chunk = calloc(1, sizeof *chunk);
    score_fleet *run = calloc(1, sizeof *run);
    bool *found = calloc(args->explain_count + 1, sizeof *found);
    int status = CLI_EXIT_FAILURE;
    if (chunk == NULL || run == NULL || found == NULL) {
        cli_error(who, "out of memory");
    } else {
        top_heap heap;
        top_heap_init(&heap, top);
        run->who = who;
        run->input =
            strcmp(args->fleet, "-") == 0 ? "standard input" : args->fleet;
        run->model = model;
        run->issue = *issue;
        run->output = out;
        run->top = top != 0 ? &heap : NULL;
        run->explain = args->explain;
        run->explain_count = args->explain_count;
        run->explain_found = found;
        status = score_devices(run, args, chunk);
        top_heap_release(&heap);
    }
    free(found);
    free(run);
    free(chunk);
    return status;
}

int cmd_score_run(int argc, char **argv)
{
    const char *who = argv[0];
    score_args args;
    memset(&args, 0, sizeof args);
    /* At most one --explain per argument. */
    args.explain = calloc((size_t)argc, sizeof *args.explain);
    if (args.explain == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    bool done;
    static const cli_options spec =
        CLI_OPTIONS(options, take_option, cmd_score_usage);
    int status = cli_parse_options(argc, argv, &spec, &args, &done);
    int32_t model_choice = -1;
    size_t top = 0;
    if (!done)
        status = check_args(who, &args, argc - optind, &model_choice, &top);
    if (done || status != CLI_EXIT_OK) {
        free(args.explain);
        return status;
    }

    otaprio_risk_model *model = NULL;
    int32_t kind;
    status = build_model(who, &args, model_choice, &model, &kind);
    score_output out;
    memset(&out, 0, sizeof out);
    out.who = who;
    out.json = args.json;
    otaprio_issue_score issue;
    if (status == CLI_EXIT_OK)
        status = score_issue(who, &args, model, kind, &out, &issue);
    if (status == CLI_EXIT_OK && args.fleet != NULL)
        status = run_fleet(who, &args, top, model, &issue, &out);
    otaprio_risk_model_free(model);
    free(args.explain);
    return status;
}
