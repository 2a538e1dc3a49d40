/* SPDX-License-Identifier: MIT */
/*
 * `otaprio plan`: the runbook of a fix for a fleet, from
 * otaprio_plan_create(): the tier and its scorecard, the waves with their
 * soaks, guardrail tolerance, representativeness and way back, the
 * dependency chains with their update paths, and the warnings.
 *
 * Every input is read by the reader of the command that owns its format:
 * the issue and policy as `otaprio score`, the catalog as `otaprio graph`,
 * the guardrails as `otaprio guard`, the fleet's columns as `otaprio
 * score`, `cohort` and `graph --fleet` read them (plan_fleet.c).
 */
#include <getopt.h>
#include <stddef.h>
#include <string.h>

#include "guard_cmd.h"
#include "plan_cmd.h"

void cmd_plan_usage(FILE *out)
{
    fputs(
        "Usage: otaprio plan --issue FILE --fleet FILE [--policy FILE]\n"
        "                    [--strata COLUMNS] [--catalog FILE [--package "
        "NAME]\n"
        "                    [--flaw COMPONENT --flaw-versions CONSTRAINT]]\n"
        "                    [--guardrails FILE] [--salt NAME | --salt-hex "
        "HEX]\n"
        "                    [--critical-level POINTS] [--delayed KINDS]\n"
        "                    [--power SPEC] [--rollback FILE] [--breakglass "
        "FILE]\n"
        "                    [--devices FILE] [--json]\n"
        "\n"
        "Plan the rollout of a fix: classify it (tier and scorecard), trace\n"
        "its blast radius through the catalog, shape the waves (dogfood,\n"
        "employees, low-criticality canary, broad fleet; or an accelerated\n"
        "push for T0) with soak windows, guardrails and the rollback of each\n"
        "wave, sample the canary waves across the strata, and find the\n"
        "update paths of devices blocked by a missing prerequisite.\n"
        "\n"
        "Options:\n"
        "  -i, --issue FILE    the fix, JSON as for 'otaprio score' ('-':\n"
        "                      standard input)\n"
        "  -p, --policy FILE   risk policy overrides, as for 'otaprio score'\n"
        "  -f, --fleet FILE    the fleet, CSV with a header ('-': standard\n"
        "                      input); see the columns below\n"
        "  -s, --strata COLUMNS\n"
        "                      comma-separated columns whose mix every canary\n"
        "                      wave mirrors, as for 'otaprio cohort'\n"
        "      --id-column NAME       device identifiers (default: id)\n"
        "      --cluster-column NAME  shared-fate cluster numbers (default:\n"
        "                      cluster, when the header has it)\n"
        "      --ring-column NAME     release ring: 0 or internal, 1 or\n"
        "                      employee, 2 or customer (default: ring, when\n"
        "                      the header has it; without: every device is\n"
        "                      a customer's)\n"
        "  -c, --catalog FILE  the package catalog, JSON as for 'otaprio "
        "graph'\n"
        "      --package NAME  the catalog package that delivers the fix:\n"
        "                      devices missing a prerequisite are blocked and\n"
        "                      their update paths found\n"
        "      --flaw COMPONENT\n"
        "      --flaw-versions CONSTRAINT\n"
        "                      trace the flaw (e.g. libssl, '< 3.0.13')\n"
        "                      through the catalog: the devices that inherit\n"
        "                      it are the affected ones\n"
        "  -g, --guardrails FILE\n"
        "                      the rules that gate each wave, JSON as for\n"
        "                      'otaprio guard' (without: the plan warns)\n"
        "      --salt NAME     the rollout salt is the key of this name, as\n"
        "                      for 'otaprio bucket' (default: salt 0)\n"
        "      --salt-hex HEX  the salt itself: 1 to 16 hex digits\n"
        "      --critical-level POINTS\n"
        "                      criticality from which a device waits for the\n"
        "                      broad wave, 0 to 100 (default 50)\n"
        "      --delayed KINDS failures that show late and lengthen the\n"
        "                      soaks: battery, thermal, storage (comma-\n"
        "                      separated)\n"
        "      --power METRIC:BASELINE:RISE[:ALPHA[:POWER]]\n"
        "                      size the first customer canary to detect a\n"
        "                      relative RISE over BASELINE; METRIC is\n"
        "                      proportion or rate (per device-hour), e.g.\n"
        "                      proportion:0.01:0.5 (alpha 0.05, power 0.8)\n"
        "      --rollback FILE what a failure could touch and the levers "
        "there\n"
        "                      are, JSON: layer, part, levers, changes,\n"
        "                      data_loss, revert_data_loss, observe,\n"
        "                      untested_classes (default: the issue's layer,\n"
        "                      its A/B slot, no other lever)\n"
        "      --breakglass FILE\n"
        "                      a break-glass policy and request, JSON:\n"
        "                      {\"policy\": {\"approvals\": {ROLE: N},\n"
        "                      \"evidence\": [...], \"excluded\": [CLUSTER]},\n"
        "                      \"request\": {\"approvals\": [{\"role\",\n"
        "                      \"approver\"}], \"evidence\": [...],\n"
        "                      \"cohorts\": [CLUSTER]}}; approved, it\n"
        "                      accelerates the rollout\n",
        out);
    fputs(
        "  -d, --devices FILE  also write each device's wave, stage,\n"
        "                      disposition, reasons and priority as CSV\n"
        "  -j, --json          print one JSON document instead of text\n"
        "  -h, --help          show this help and exit\n"
        "\n"
        "Fleet columns: the identifier, the strata, cluster and ring columns\n"
        "above; the device columns of 'otaprio score' (device_class,\n"
        "customer_tier, exposure, battery, link, free_bytes, affected...);\n"
        "with a catalog, one column per component holding its installed\n"
        "version (empty: not installed) and carrier, region, enrollment, as\n"
        "for 'otaprio graph --fleet'. Other columns are not read.\n"
        "\n"
        "The fleet is held in memory as columns and given to the planner in\n"
        "chunks of 65536 devices, once per pass.\n"
        "\n"
        "Words of --rollback: part layer, feature, auth_flow; levers\n"
        "feature_flag, server_config, exemption, ab_slot, downgrade; changes\n"
        "policy, keys, server, data_migration; observe build, region,\n"
        "carrier, model. Of --breakglass: roles release_manager,\n"
        "security_lead, sre_on_call, product_owner, executive; evidence\n"
        "exploitation, rollback_verified, guardrails, change_ticket,\n"
        "customer_comms.\n",
        out);
}

typedef struct plan_args {
    const char *issue;
    const char *policy;
    const char *catalog;
    const char *package;
    const char *flaw;
    const char *flaw_versions;
    const char *guardrails;
    const char *salt;
    const char *salt_hex;
    const char *devices;
    const char *rollback;
    const char *breakglass;
    bool json;
    bool has_power;
    plan_fleet_args fleet;
    uint64_t salt_value;
    double critical_level;
    uint32_t delayed;
    otaprio_plan_power power;
} plan_args;

/* The options read at once (CLI_OPTION_TAKE), by their slot. */
enum { TAKE_STRATA, TAKE_CRITICAL_LEVEL, TAKE_DELAYED, TAKE_POWER };

static const cli_option options[] = {
    CLI_TEXT_OPTION(plan_args, "issue", 'i', issue),
    CLI_TEXT_OPTION(plan_args, "policy", 'p', policy),
    CLI_TEXT_OPTION(plan_args, "fleet", 'f', fleet.path),
    {"strata", 's', CLI_OPTION_TAKE, TAKE_STRATA},
    CLI_TEXT_OPTION(plan_args, "id-column", 0, fleet.id_column),
    CLI_TEXT_OPTION(plan_args, "cluster-column", 0, fleet.cluster_column),
    CLI_TEXT_OPTION(plan_args, "ring-column", 0, fleet.ring_column),
    CLI_TEXT_OPTION(plan_args, "catalog", 'c', catalog),
    CLI_TEXT_OPTION(plan_args, "package", 0, package),
    CLI_TEXT_OPTION(plan_args, "flaw", 0, flaw),
    CLI_TEXT_OPTION(plan_args, "flaw-versions", 0, flaw_versions),
    CLI_TEXT_OPTION(plan_args, "guardrails", 'g', guardrails),
    CLI_TEXT_OPTION(plan_args, "salt", 0, salt),
    CLI_TEXT_OPTION(plan_args, "salt-hex", 0, salt_hex),
    {"critical-level", 0, CLI_OPTION_TAKE, TAKE_CRITICAL_LEVEL},
    {"delayed", 0, CLI_OPTION_TAKE, TAKE_DELAYED},
    {"power", 0, CLI_OPTION_TAKE, TAKE_POWER},
    CLI_TEXT_OPTION(plan_args, "rollback", 0, rollback),
    CLI_TEXT_OPTION(plan_args, "breakglass", 0, breakglass),
    CLI_TEXT_OPTION(plan_args, "devices", 'd', devices),
    CLI_FLAG_OPTION(plan_args, "json", 'j', json),
};

static int take_option(const char *who, const cli_option *option,
                       const char *value, void *user)
{
    plan_args *args = user;
    switch (option->slot) {
    case TAKE_STRATA:
        return plan_parse_strata(who, value, &args->fleet);
    case TAKE_CRITICAL_LEVEL:
        return plan_parse_level(who, value, &args->critical_level);
    case TAKE_DELAYED:
        return plan_parse_delayed(who, value, &args->delayed);
    case TAKE_POWER:
    default:
        args->has_power = true;
        return plan_parse_power(who, value, &args->power);
    }
}

/* Options that only make sense together, checked before any file. */
static int check_args(const char *who, plan_args *args)
{
    if (args->issue == NULL)
        return cli_usage_error(who, "--issue is required");
    if (args->fleet.path == NULL)
        return cli_usage_error(who, "--fleet is required");
    if (args->catalog == NULL && (args->package != NULL || args->flaw != NULL))
        return cli_usage_error(who, "--package and --flaw need --catalog");
    if ((args->flaw == NULL) != (args->flaw_versions == NULL))
        return cli_usage_error(who, "--flaw and --flaw-versions go together");
    const char *inputs[] = {args->issue,     args->policy,     args->fleet.path,
                            args->catalog,   args->guardrails, args->rollback,
                            args->breakglass};
    int from_stdin = 0;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        from_stdin += inputs[i] != NULL && strcmp(inputs[i], "-") == 0;
    if (from_stdin > 1)
        return cli_usage_error(who, "at most one input may be standard input");
    if (args->devices != NULL && strcmp(args->devices, "-") == 0)
        return cli_usage_error(who, "--devices needs a file name: standard "
                                    "output holds the plan");
    return cli_parse_salt(who, args->salt, args->salt_hex, &args->salt_value);
}

/* Returns CLI_EXIT_OK with *done false to go on, or the exit status. */
static int parse_args(int argc, char **argv, plan_args *args, bool *done)
{
    static const cli_options spec =
        CLI_OPTIONS(options, take_option, cmd_plan_usage);
    args->fleet.id_column = "id";
    args->critical_level = 50.0;
    int status = cli_parse_options(argc, argv, &spec, args, done);
    if (*done)
        return status;
    *done = true;
    if (optind != argc)
        return cli_usage_error(argv[0], "unexpected argument '%s'",
                               argv[optind]);
    status = check_args(argv[0], args);
    *done = status != CLI_EXIT_OK;
    return status;
}

/* Everything read from the files, released together. */
typedef struct plan_inputs {
    otaprio_issue issue;
    otaprio_risk_model *model;
    bool has_catalog;
    graph_catalog catalog;
    uint32_t package;
    uint32_t flaw_component;
    bool has_rules;
    guard_rules rules;
    bool has_rollback;
    otaprio_rollback_input rollback;
    bool has_breakglass;
    plan_breakglass breakglass;
    plan_fleet fleet;
    uint32_t cardinalities[COHORT_MAX_DIMENSIONS];
} plan_inputs;

static int build_model(const char *who, const char *path,
                       otaprio_risk_model **model)
{
    otaprio_risk_policy policy;
    otaprio_risk_policy_init(&policy);
    if (cli_policy_read(who, path, &policy) != 0)
        return CLI_EXIT_FAILURE;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_risk_model_create(&policy, NULL, model, &diag);
    if (status == OTAPRIO_OK)
        return 0;
    return cli_library_error(who, "otaprio_risk_model_create", status, &diag);
}

static int read_catalog(const char *who, const plan_args *args, plan_inputs *in)
{
    in->has_catalog = true;
    int status = graph_catalog_read(who, args->catalog, &in->catalog);
    if (status == 0 && args->package != NULL)
        status =
            graph_find_target(who, &in->catalog, args->package, &in->package);
    if (status == 0 && args->flaw != NULL) {
        graph_impact_args flaw = {args->flaw, strlen(args->flaw),
                                  args->flaw_versions,
                                  strlen(args->flaw_versions)};
        status = graph_impact_component(who, &in->catalog, &flaw,
                                        &in->flaw_component);
    }
    return status;
}

static int read_inputs(const char *who, plan_args *args, plan_inputs *in)
{
    otaprio_issue_init(&in->issue);
    int status = cli_issue_read(who, args->issue, &in->issue);
    if (status == 0 && args->policy != NULL)
        status = build_model(who, args->policy, &in->model);
    if (status == 0 && args->catalog != NULL)
        status = read_catalog(who, args, in);
    if (status == 0 && args->guardrails != NULL) {
        in->has_rules = true;
        status = guard_rules_read(who, args->guardrails, &in->rules);
    }
    if (status == 0 && args->rollback != NULL) {
        in->has_rollback = true;
        status = plan_rollback_read(who, args->rollback, &in->rollback);
    }
    if (status == 0 && args->breakglass != NULL) {
        in->has_breakglass = true;
        status = plan_breakglass_read(who, args->breakglass, &in->breakglass);
    }
    if (status == 0) {
        args->fleet.catalog = in->has_catalog ? &in->catalog : NULL;
        status = plan_fleet_load(who, &args->fleet, &in->fleet);
    }
    return status;
}

static void release_inputs(plan_inputs *in)
{
    otaprio_risk_model_free(in->model);
    if (in->has_catalog)
        graph_catalog_release(&in->catalog);
    if (in->has_rules)
        guard_rules_release(&in->rules);
    if (in->has_breakglass)
        plan_breakglass_release(&in->breakglass);
    plan_fleet_release(&in->fleet);
}

static int make_plan(const plan_args *args, plan_inputs *in,
                     otaprio_plan **plan)
{
    otaprio_plan_request request;
    otaprio_plan_request_init(&request);
    request.issue = &in->issue;
    request.risk_model = in->model;
    request.source = plan_fleet_source;
    request.user = &in->fleet;
    if (in->has_catalog) {
        request.catalog = in->catalog.catalog;
        if (args->package != NULL)
            request.package = in->package;
        if (args->flaw != NULL) {
            request.trace_flaw = 1;
            request.flaw_component = in->flaw_component;
            request.flaw_constraint = args->flaw_versions;
            request.flaw_constraint_length = strlen(args->flaw_versions);
        }
    }
    request.salt = args->salt_value;
    request.dimension_count = in->fleet.dimension_count;
    plan_fleet_cardinalities(&in->fleet, in->cardinalities);
    request.cardinalities = in->cardinalities;
    request.critical_level = args->critical_level;
    request.delayed = args->delayed;
    if (in->has_rules) {
        request.rules = in->rules.rules;
        request.rule_count = in->rules.count;
        request.guard_options = &in->rules.options;
    }
    if (args->has_power)
        request.power = &args->power;
    if (in->has_rollback)
        request.rollback = &in->rollback;
    if (in->has_breakglass) {
        request.breakglass_policy = &in->breakglass.policy;
        request.breakglass = &in->breakglass.request;
    }
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_create(&request, NULL, plan, &diag);
    if (status == OTAPRIO_OK)
        return 0;
    return plan_fleet_error(&in->fleet, status, &diag);
}

static int write_output(const char *who, const plan_args *args,
                        const plan_inputs *in, const otaprio_plan *plan)
{
    plan_view view = {who, plan, in->has_catalog ? &in->catalog : NULL,
                      args->package};
    json_t *document = plan_json_build(&view);
    if (document == NULL)
        return CLI_EXIT_FAILURE;
    int status = 0;
    if (args->devices != NULL)
        status = plan_devices_write(who, args->devices, plan, &in->fleet);
    if (status == 0 && args->json) {
        if (json_dumpf(document, stdout,
                       JSON_INDENT(2) | JSON_REAL_PRECISION(15) |
                           JSON_PRESERVE_ORDER) != 0 ||
            fputc('\n', stdout) == EOF)
            status = cli_write_error(who);
    } else if (status == 0) {
        status = plan_text_write(who, document);
    }
    json_decref(document);
    return status;
}

int cmd_plan_run(int argc, char **argv)
{
    const char *who = argv[0];
    plan_args args;
    memset(&args, 0, sizeof args);
    bool done;
    int status = parse_args(argc, argv, &args, &done);
    if (done)
        return status;
    plan_inputs inputs;
    memset(&inputs, 0, sizeof inputs);
    otaprio_plan *plan = NULL;
    status = read_inputs(who, &args, &inputs);
    if (status == 0)
        status = make_plan(&args, &inputs, &plan);
    if (status == 0)
        status = write_output(who, &args, &inputs, plan);
    otaprio_plan_free(plan);
    release_inputs(&inputs);
    return status;
}
