/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate`: the whole decision flow on a synthetic fleet. For
 * each scenario it plans the rollout with libotaprio, runs it hour by hour
 * with the guardrails deciding, and reports the plan, the timeline and
 * the outcome: devices exposed to a bad update before the halt, hours to
 * halt, false halts, SKUs localised, coverage of an exploited flaw. With
 * --compare, the same over many seeds against today's rollout rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sim.h"
#include "sim_compare.h"
#include "sim_io.h"
#include "sim_output.h"

enum { DEFAULT_DEVICES = 1000000, DEFAULT_HOURS = 24 * 60 };
enum { COMPARE_SEEDS = 200 };

void cmd_simulate_usage(FILE *out)
{
    fputs(
        "Usage: otaprio simulate [--devices N] [--seed N] [--scenario NAME]\n"
        "                        [--hours N] [--json] [--quiet]\n"
        "                        [--fleet FILE.csv] [--write-fleet FILE.csv]\n"
        "                        [--scenario-file FILE.json] [--html FILE]\n"
        "                        [--sku-mix W,...] [--region-mix W,...]\n"
        "       otaprio simulate --compare [--seeds N] [--threads N]\n"
        "                        [--devices N] [--seed N] [--json]\n"
        "       otaprio simulate --list\n"
        "\n"
        "Simulate rollouts on a synthetic fleet generated from a seed: the\n"
        "planner shapes each rollout and assigns every device its wave, then\n"
        "hour by hour devices install, fail and report, the guardrails of\n"
        "the current wave judge the canary against the devices not yet\n"
        "updated, SKU by SKU, and the simulator applies their answer: expand,\n"
        "hold, exempt the SKUs that fail alone, or halt.\n"
        "\n"
        "Options:\n"
        "  -n, --devices N     fleet size (default 1000000)\n"
        "  -s, --seed N        the fleet's and the telemetry's seed "
        "(default 1)\n"
        "  -c, --scenario NAME run this scenario (repeat or separate with\n"
        "                      commas); default: every built-in scenario\n"
        "      --hours N       simulate at most N hours (default 1440)\n"
        "  -j, --json          print one JSON document\n"
        "  -q, --quiet         no progress on standard error\n"
        "  -l, --list          list the built-in scenarios\n"
        "      --sku-mix W,...  the generated fleet's share of each of the 12\n"
        "                      SKUs, as weights (default 22,16,12,10,8,7,6,\n"
        "                      5,5,4,3,2; SKU 7 is the one bad-sku breaks,\n"
        "                      10 and 11 keep old bootloaders)\n"
        "      --region-mix W,...\n"
        "                      the share of each of the 8 regions (default\n"
        "                      25,20,15,12,10,8,6,4)\n"
        "      --fleet FILE    read the fleet from CSV instead of generating\n"
        "                      it (not with --devices; \"-\" reads standard\n"
        "                      input)\n"
        "      --write-fleet FILE\n"
        "                      write the fleet as CSV in --fleet's format,\n"
        "                      then simulate as usual\n"
        "      --scenario-file FILE\n"
        "                      run the scenario of a JSON file (repeat for\n"
        "                      more); with it, built-ins run only when named\n"
        "      --html FILE     also write an HTML report with SVG charts,\n"
        "                      self-contained (no network needed)\n"
        "      --compare       run every scenario over many seeds under\n"
        "                      libotaprio and two anchors (hawkBit-style\n"
        "                      groups, AWS IoT Jobs-style exponential rate\n"
        "                      and abort), at their defaults and tuned, and\n"
        "                      print the decision-quality table\n"
        "      --seeds N       seeds for --compare, from --seed on "
        "(default 200)\n"
        "      --threads N     threads for --compare (default: the online\n"
        "                      processors); the output does not depend "
        "on it\n"
        "  -h, --help          show this help\n"
        "\n"
        "Fleet CSV: a header naming columns, one device per row. `sku` (0 to\n"
        "11) is required; the others are optional, default in brackets:\n"
        "  key (16 hex digits) or id (any text, keyed as `otaprio key` does)\n"
        "      [the row number as the id]; region 0-7 [0]; carrier 0-5 [0];\n"
        "  revision 0-2 [0]; cluster [sku * 3 + revision];\n"
        "  device_class, customer_tier, uptime, link: names as in `otaprio\n"
        "      score` [other, standard, business, ethernet];\n"
        "  redundant, metered, charging: 0/1/true/false [0]; battery 0-1 [1];\n"
        "  free_bytes [18446744073709551615]; ring 0 internal, 1 employee,\n"
        "      2 customer [2]; bootloader (1, 2) [2], os (12.0, 12.1, 13.0)\n"
        "      [12.0], modem (1.0, 2.0) [2.0]: version texts of the catalog.\n"
        "\n"
        "Scenario file: a JSON object with `name` (required), `summary`,\n"
        "`issue` (an issue object as `otaprio score --issue` reads),\n"
        "`delayed` (an array of battery, thermal, storage),\n"
        "`old_bootloaders_blocked`, `bad`, `exploited` (true/false) and\n"
        "`truth`: boot_rate, boot_factor, bad_sku (-1 for none),\n"
        "bad_sku_factor, install_failure, drain_rate, drain_factor,\n"
        "drain_after, day_night; what is left out is a good update's\n"
        "(2e-4, 1, -1, 1, 0.01, 1e-3, 1, 0, 0.3) and an issue's defaults.\n",
        out);
}

enum { MAX_CHOSEN = SIM_COMPARE_MAX_SCENARIOS };

typedef struct options {
    uint64_t devices, seed, hours, seeds, threads;
    bool json, quiet, list, compare, devices_given, mix_given;
    sim_mix mix;
    const char *fleet, *write_fleet, *html;
    const sim_scenario *chosen[MAX_CHOSEN]; /* in builtins or files */
    size_t chosen_count;
    sim_scenario builtins[MAX_CHOSEN]; /* the built-ins chosen */
    size_t builtin_count;
    sim_scenario_file files[MAX_CHOSEN]; /* --scenario-file, owned */
    size_t file_count;
} options;

/* The options read at once, by take(). */
enum {
    TAKE_DEVICES,
    TAKE_SEED,
    TAKE_SCENARIO,
    TAKE_HOURS,
    TAKE_FILE,
    TAKE_SEEDS,
    TAKE_THREADS,
    TAKE_SKU_MIX,
    TAKE_REGION_MIX
};

static const cli_option option_table[] = {
    {"devices", 'n', CLI_OPTION_TAKE, TAKE_DEVICES},
    {"seed", 's', CLI_OPTION_TAKE, TAKE_SEED},
    {"scenario", 'c', CLI_OPTION_TAKE, TAKE_SCENARIO},
    {"hours", 0, CLI_OPTION_TAKE, TAKE_HOURS},
    CLI_FLAG_OPTION(options, "json", 'j', json),
    CLI_FLAG_OPTION(options, "quiet", 'q', quiet),
    CLI_FLAG_OPTION(options, "list", 'l', list),
    CLI_TEXT_OPTION(options, "fleet", 0, fleet),
    CLI_TEXT_OPTION(options, "write-fleet", 0, write_fleet),
    {"scenario-file", 0, CLI_OPTION_TAKE, TAKE_FILE},
    CLI_TEXT_OPTION(options, "html", 0, html),
    CLI_FLAG_OPTION(options, "compare", 0, compare),
    {"seeds", 0, CLI_OPTION_TAKE, TAKE_SEEDS},
    {"threads", 0, CLI_OPTION_TAKE, TAKE_THREADS},
    {"sku-mix", 0, CLI_OPTION_TAKE, TAKE_SKU_MIX},
    {"region-mix", 0, CLI_OPTION_TAKE, TAKE_REGION_MIX},
};

static void options_free(options *o)
{
    for (size_t i = 0; i < o->file_count; i++)
        sim_scenario_file_free(&o->files[i]);
    o->file_count = 0;
}

static int load_scenario(const char *who, options *o, const char *path)
{
    if (o->chosen_count == MAX_CHOSEN)
        return cli_usage_error(who, "too many scenarios");
    sim_scenario_file *file = &o->files[o->file_count];
    int status = sim_scenario_read(who, path, file);
    if (status != CLI_EXIT_OK)
        return status;
    o->file_count++;
    o->chosen[o->chosen_count++] = &file->scenario;
    return CLI_EXIT_OK;
}

static int choose(const char *who, options *o, const char *names)
{
    const char *name = names;
    while (*name != '\0') {
        size_t length = strcspn(name, ",");
        if (length > 0) {
            sim_scenario found;
            if (!sim_scenario_named(name, length, &found))
                return cli_usage_error(who,
                                       "unknown scenario '%.*s' (see --list)",
                                       (int)length, name);
            if (o->chosen_count == MAX_CHOSEN)
                return cli_usage_error(who, "too many scenarios");
            sim_scenario *s = &o->builtins[o->builtin_count++];
            *s = found;
            o->chosen[o->chosen_count++] = s;
        }
        name += length + (name[length] == ',');
    }
    return CLI_EXIT_OK;
}

static int number(const char *who, const char *option, const char *text,
                  uint64_t min, uint64_t max, uint64_t *value)
{
    if (!cli_parse_uint(text, strlen(text), max, value) || *value < min)
        return cli_usage_error(
            who, "%s must be a whole number from %llu to %llu", option,
            (unsigned long long)min, (unsigned long long)max);
    return CLI_EXIT_OK;
}

/* "W,W,...": exactly `count` weights, finite and not negative, not all 0. */
static int weights(const char *who, const char *option, const char *text,
                   double *out, size_t count)
{
    double read[SIM_SKUS > SIM_REGIONS ? SIM_SKUS : SIM_REGIONS];
    size_t n = 0;
    double sum = 0.0;
    const char *item = text;
    for (;;) {
        size_t length = strcspn(item, ",");
        double w;
        if (n == count || !cli_parse_double(item, length, &w) ||
            !(w >= 0.0 && w <= 1e300))
            return cli_usage_error(who,
                                   "%s must be %zu comma-separated weights, "
                                   "each a number 0 or above",
                                   option, count);
        read[n++] = w;
        sum += w;
        if (item[length] == '\0')
            break;
        item += length + 1;
    }
    if (n != count || !(sum > 0.0))
        return cli_usage_error(who,
                               "%s must be %zu comma-separated weights, not "
                               "all 0 (%zu given)",
                               option, count, n);
    memcpy(out, read, count * sizeof *out);
    return CLI_EXIT_OK;
}

static int take(const char *who, const cli_option *option, const char *value,
                void *args)
{
    options *o = args;
    switch (option->slot) {
    case TAKE_DEVICES:
        o->devices_given = true;
        return number(who, "--devices", value, 1, UINT64_C(100000000),
                      &o->devices);
    case TAKE_SEED:
        return number(who, "--seed", value, 0, UINT64_MAX, &o->seed);
    case TAKE_SCENARIO:
        return choose(who, o, value);
    case TAKE_HOURS:
        return number(who, "--hours", value, 1, 24 * 365, &o->hours);
    case TAKE_FILE:
        return load_scenario(who, o, value);
    case TAKE_SEEDS:
        return number(who, "--seeds", value, 1, 100000, &o->seeds);
    case TAKE_THREADS:
        return number(who, "--threads", value, 1, 256, &o->threads);
    case TAKE_SKU_MIX:
        o->mix_given = true;
        return weights(who, "--sku-mix", value, o->mix.sku, SIM_SKUS);
    default: /* TAKE_REGION_MIX */
        o->mix_given = true;
        return weights(who, "--region-mix", value, o->mix.region, SIM_REGIONS);
    }
}

/* Options that do not go together. */
static int check(const char *who, const options *o, int operands,
                 char **operand)
{
    if (operands > 0)
        return cli_usage_error(who, "unexpected argument '%s'", operand[0]);
    if (o->fleet != NULL && (o->devices_given || o->mix_given))
        return cli_usage_error(who, "--fleet excludes --devices, --sku-mix "
                                    "and --region-mix: the file has the "
                                    "devices");
    if (o->compare &&
        (o->fleet != NULL || o->write_fleet != NULL || o->html != NULL))
        return cli_usage_error(who, "--compare generates a fleet per seed "
                                    "and reports a table: not with --fleet, "
                                    "--write-fleet or --html");
    return CLI_EXIT_OK;
}

static int parse(int argc, char **argv, options *o, bool *done)
{
    static const cli_options spec =
        CLI_OPTIONS(option_table, take, cmd_simulate_usage);
    memset(o, 0, sizeof *o);
    o->devices = DEFAULT_DEVICES;
    o->seed = 1;
    o->hours = DEFAULT_HOURS;
    o->seeds = COMPARE_SEEDS;
    sim_mix_default(&o->mix);
    int status = cli_parse_options(argc, argv, &spec, o, done);
    if (status != CLI_EXIT_OK || *done)
        return status;
    status = check(argv[0], o, argc - optind, argv + optind);
    if (status == CLI_EXIT_OK && o->chosen_count == 0)
        for (size_t i = 0; i < sim_scenario_count() && i < MAX_CHOSEN; i++) {
            sim_scenario *s = &o->builtins[o->builtin_count++];
            sim_scenario_get(i, s);
            o->chosen[o->chosen_count++] = s;
        }
    return status;
}

/* ---- progress ----------------------------------------------------------- */

static void progress(const options *o, size_t index, const char *what,
                     const char *scenario)
{
    if (o->quiet || !isatty(STDERR_FILENO))
        return;
    fprintf(stderr, "\r[%zu/%zu] %-10s %-24s", index + 1, o->chosen_count, what,
            scenario);
    fflush(stderr);
}

static void progress_end(const options *o)
{
    if (!o->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "\r%60s\r", "");
}

/* ---- inputs and the report ---------------------------------------------- */

static int load_fleet(const char *who, const options *o,
                      const otaprio_catalog *catalog, sim_fleet *fleet)
{
    if (o->fleet != NULL)
        return sim_fleet_read_csv(who, o->fleet, catalog, fleet);
    if (sim_fleet_generate(o->seed, (size_t)o->devices,
                           o->mix_given ? &o->mix : NULL, fleet) != 0) {
        cli_error(who, "out of memory for %llu devices",
                  (unsigned long long)o->devices);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* Ends the report; a run that failed leaves no half report behind. */
static int finish_html(const char *who, const char *path, FILE *html,
                       int status)
{
    if (status == CLI_EXIT_OK)
        sim_html_end(html);
    int error = ferror(html) ? EIO : 0;
    if (fclose(html) != 0 && error == 0)
        error = errno != 0 ? errno : EIO;
    if (status == CLI_EXIT_OK && error != 0) {
        cli_error(who, "cannot write %s: %s", path, strerror(error));
        status = CLI_EXIT_FAILURE;
    }
    if (status != CLI_EXIT_OK)
        remove(path);
    return status;
}

/* ---- --compare ---------------------------------------------------------- */

static int compare(const char *who, const options *o)
{
    sim_compare_setup setup;
    memset(&setup, 0, sizeof setup);
    setup.devices = o->devices;
    setup.first_seed = o->seed;
    setup.mix = o->mix_given ? &o->mix : NULL;
    setup.seeds = (uint32_t)o->seeds;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    setup.threads = o->threads > 0 ? (uint32_t)o->threads
                    : online > 0   ? (uint32_t)online
                                   : 1;
    setup.hours = (uint32_t)o->hours;
    for (size_t i = 0; i < o->chosen_count; i++)
        setup.scenarios[setup.scenario_count++] = o->chosen[i];
    setup.progress = !o->quiet && isatty(STDERR_FILENO);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    otaprio_catalog *catalog = NULL;
    int lib = sim_catalog_build(&catalog, &diag);
    if (lib != OTAPRIO_OK)
        return cli_library_error(who, "building the catalog", lib, &diag);
    sim_compare_result result;
    const char *what = NULL;
    lib = sim_compare_run_all(&setup, catalog, &result, &what, &diag);
    int status = CLI_EXIT_OK;
    if (lib != OTAPRIO_OK) {
        status = cli_library_error(who, what, lib, &diag);
    } else if (o->json) {
        json_t *doc = sim_compare_json(&result);
        if (doc == NULL) {
            cli_error(who, "out of memory");
            status = CLI_EXIT_FAILURE;
        } else if (json_dumpf(doc, stdout,
                              JSON_INDENT(2) | JSON_REAL_PRECISION(15) |
                                  JSON_PRESERVE_ORDER) != 0) {
            status = cli_write_error(who);
        }
        json_decref(doc);
    } else {
        sim_compare_print(stdout, &result);
    }
    sim_compare_free(&result);
    otaprio_catalog_free(catalog);
    if (status == CLI_EXIT_OK && fflush(stdout) != 0)
        status = cli_write_error(who);
    return status;
}

/* ---- the command -------------------------------------------------------- */

int cmd_simulate_run(int argc, char **argv)
{
    const char *who = argv[0];
    options o;
    bool done = false;
    int status = parse(argc, argv, &o, &done);
    if (status != CLI_EXIT_OK || done) {
        options_free(&o);
        return status;
    }
    if (o.list) {
        sim_scenario s;
        for (size_t i = 0; sim_scenario_get(i, &s); i++)
            printf("%-22s %s\n", s.name, s.summary);
        options_free(&o);
        return CLI_EXIT_OK;
    }
    if (o.compare) {
        status = compare(who, &o);
        options_free(&o);
        return status;
    }
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    otaprio_catalog *catalog = NULL;
    sim_fleet fleet;
    memset(&fleet, 0, sizeof fleet);
    int lib = sim_catalog_build(&catalog, &diag);
    if (lib != OTAPRIO_OK)
        status = cli_library_error(who, "building the catalog", lib, &diag);
    else
        status = load_fleet(who, &o, catalog, &fleet);
    if (status == CLI_EXIT_OK && o.write_fleet != NULL)
        status = sim_fleet_write_csv(who, o.write_fleet, catalog, &fleet);
    uint8_t *waves = NULL;
    if (status == CLI_EXIT_OK && (waves = malloc(fleet.devices)) == NULL) {
        cli_error(who, "out of memory for %zu devices", fleet.devices);
        status = CLI_EXIT_FAILURE;
    }
    FILE *html = NULL;
    if (status == CLI_EXIT_OK && o.html != NULL) {
        html = fopen(o.html, "w");
        if (html == NULL) {
            int error = errno;
            cli_error(who, "cannot create %s: %s", o.html, strerror(error));
            status = CLI_EXIT_FAILURE;
        } else {
            sim_html_begin(html, fleet.devices, o.seed);
        }
    }
    json_t *doc = NULL, *scenarios = NULL;
    if (o.json && status == CLI_EXIT_OK) {
        doc = json_object();
        scenarios = json_array();
        cli_json_set(&doc, "devices", json_integer((json_int_t)fleet.devices));
        cli_json_set(&doc, "seed", json_integer((json_int_t)o.seed));
        if (doc == NULL || scenarios == NULL) {
            json_decref(scenarios);
            json_decref(doc);
            doc = NULL;
            cli_error(who, "out of memory");
            status = CLI_EXIT_FAILURE;
        }
    }
    for (size_t i = 0; i < o.chosen_count && status == CLI_EXIT_OK; i++) {
        const sim_scenario *sc = o.chosen[i];
        sim_setup setup = {&fleet, catalog, sc, o.seed, (uint32_t)o.hours};
        otaprio_plan *plan = NULL;
        progress(&o, i, "planning", sc->name);
        lib = sim_plan(&setup, waves, &plan, &diag);
        if (lib != OTAPRIO_OK) {
            status = cli_library_error(who, "otaprio_plan_create", lib, &diag);
            break;
        }
        progress(&o, i, "simulating", sc->name);
        sim_outcome outcome;
        lib = sim_run_plan(&setup, plan, waves, &outcome, &diag);
        if (lib != OTAPRIO_OK) {
            otaprio_plan_free(plan);
            status = cli_library_error(who, "simulating", lib, &diag);
            break;
        }
        progress_end(&o);
        if (doc != NULL &&
            !cli_json_append(&scenarios,
                             sim_scenario_json(sc, plan, &outcome))) {
            cli_error(who, "out of memory");
            status = CLI_EXIT_FAILURE;
        }
        if (html != NULL)
            sim_html_scenario(html, sc, plan, &outcome);
        if (!o.json) {
            printf("%s: %s\n", sc->name, sc->summary);
            sim_print_plan(stdout, plan);
            sim_print_outcome(stdout, sc, &outcome);
            putchar('\n');
        }
        sim_outcome_free(&outcome);
        otaprio_plan_free(plan);
    }
    progress_end(&o);
    if (doc != NULL) {
        if (status == CLI_EXIT_OK &&
            !cli_json_set(&doc, "scenarios", scenarios))
            status = CLI_EXIT_FAILURE;
        else if (status != CLI_EXIT_OK)
            json_decref(scenarios);
        if (status == CLI_EXIT_OK &&
            json_dumpf(doc, stdout,
                       JSON_INDENT(2) | JSON_REAL_PRECISION(15) |
                           JSON_PRESERVE_ORDER) != 0)
            status = cli_write_error(who);
        json_decref(doc);
    }
    if (html != NULL)
        status = finish_html(who, o.html, html, status);
    free(waves);
    otaprio_catalog_free(catalog);
    sim_fleet_free(&fleet);
    options_free(&o);
    if (status == CLI_EXIT_OK && fflush(stdout) != 0)
        status = cli_write_error(who);
    return status;
}
