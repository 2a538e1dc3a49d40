/* SPDX-License-Identifier: MIT */
/* `otaprio graph`: release order, cycles, impact of a flaw, and a device's
 * eligibility and update path, from a catalog of packages. */
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

void cmd_graph_usage(FILE *out)
{
    fputs(
        "Usage: otaprio graph --catalog FILE [--order] [--cycles]\n"
        "                     [--impact COMPONENT:CONSTRAINT]...\n"
        "                     [--device COMPONENT=VERSION,... --target "
        "PACKAGE\n"
        "                      [--carrier NAME] [--region NAME]\n"
        "                      [--enrollment NAME] [--battery CHARGE]\n"
        "                      [--charging] [--free-bytes N] [--metered]\n"
        "                      [--max-states N]]\n"
        "                     [--fleet FILE [--target PACKAGE]\n"
        "                      [--ignore-unknown-columns]] [--json]\n"
        "\n"
        "Answer questions about a catalog of update packages and the\n"
        "components they require, provide and conflict with: in what order\n"
        "to release them, which ones wait on each other, which inherit a\n"
        "flaw in a component, and whether a device can install a package\n"
        "now and, if not, the shortest path of prerequisites to it. With no\n"
        "question, --order.\n"
        "\n"
        "Options:\n"
        "  -c, --catalog FILE  the catalog, a JSON object ('-' for standard\n"
        "                      input); see below\n"
        "  -o, --order         print the release order: each package after\n"
        "                      the releases that unlock it; a cycle fails\n"
        "                      and is named\n"
        "      --cycles        print each group of packages that depend on\n"
        "                      each other (strongly connected, 2 or more)\n"
        "  -i, --impact COMPONENT:CONSTRAINT\n"
        "                      the packages hit by a flaw in the versions of\n"
        "                      COMPONENT the constraint admits, e.g.\n"
        "                      'libssl:< 3.0.14': 'direct' when they provide\n"
        "                      a flawed version or run on one (require it\n"
        "                      without replacing it), 'inherited' when they\n"
        "                      depend on one that is, unless a package in\n"
        "                      between replaces the component with a good\n"
        "                      version; and their product families\n"
        "                      (repeatable)\n"
        "  -d, --device COMPONENT=VERSION,...\n"
        "                      a device's installed versions; components\n"
        "                      left out are not installed (repeatable: the\n"
        "                      settings add up; '' is a bare device)\n"
        "  -t, --target PACKAGE\n"
        "                      the package --device and --fleet are checked\n"
        "                      against: eligibility now (every block, the\n"
        "                      first relation that fails) and, for the\n"
        "                      device, the shortest update path: fewest\n"
        "                      steps, then smallest download, then earliest\n"
        "                      packages in the catalog\n"
        "      --carrier NAME, --region NAME, --enrollment NAME\n"
        "                      the device's carrier, region and enrollment\n"
        "                      state, named as in the catalog; left out:\n"
        "                      unknown, which every rule on it refuses\n"
        "      --battery CHARGE\n"
        "                      battery charge from 0 to 1 (default: mains\n"
        "                      power)\n"
        "      --charging      the device is charging\n"
        "      --free-bytes N  free storage (default: unlimited)\n"
        "      --metered       the device is on a metered link\n"
        "      --max-states N  work limit of the update path search, in\n"
        "                      device states (default 100000)\n"
        "  -f, --fleet FILE    count the devices of a CSV file ('-' for\n"
        "                      standard input) by eligibility for --target,\n"
        "                      block and first failed relation, and those\n"
        "                      hit by each --impact; see below\n"
        "      --ignore-unknown-columns\n"
        "                      skip fleet columns otaprio does not read\n"
        "  -j, --json          print one JSON document: {\"order\", "
        "\"cycles\",\n"
        "                      \"impact\", \"device\", \"fleet\"}, the keys "
        "of\n"
        "                      the questions asked\n"
        "  -h, --help          show this help and exit\n"
        "\n",
        out);
    /* In parts: C compilers need only take string literals of 4095
     * bytes. */
    fputs("Catalog (a JSON object; unknown keys are errors):\n"
          "  {\"components\": [\"bootloader\", \"modem\", \"os\"],\n"
          "   \"versions\": {\"bootloader\": [\"2.1\", \"3.0\"]},\n"
          "   \"packages\": [\n"
          "     {\"name\": \"modem-fw-2.4\", \"family\": \"gateway-g2\",\n"
          "      \"download_bytes\": 52428800, \"install_bytes\": 104857600,\n"
          "      \"min_battery\": 0.3, \"allow_metered\": false,\n"
          "      \"carriers\": [\"vodafone\"], \"regions\": [\"eu\"],\n"
          "      \"denied_regions\": [\"ru\"], \"enrollments\": "
          "[\"supervised\"],\n"
          "      \"requires\": [[\"bootloader\", \">= 3.0\"]],\n"
          "      \"conflicts\": [[\"legacy-vpn\", \"< 2\"]],\n"
          "      \"provides\": [[\"modem\", \"2.4\"]]}]}\n"
          "  components   every component relations and devices name, once\n"
          "  versions     per component, versions devices may report beyond\n"
          "               those the relations name (optional)\n"
          "  packages     required; each needs a unique \"name\"; the rest is\n"
          "               optional: sizes in bytes (default 0), min_battery\n"
          "               in [0, 1] (default 0), allow_metered (default\n"
          "               true), allowed carriers, regions and enrollment\n"
          "               states (left out or empty: any), denied_regions\n"
          "               (legal or contractual bans)\n"
          "  requires, conflicts\n"
          "               [component, constraint] pairs; a constraint is '*'\n"
          "               or clauses like '>= 2.3.1, < 3'\n"
          "  provides     [component, version] pairs, one per component\n"
          "A package's relations are numbered from 0: its requires pairs in\n"
          "order, then conflicts, then provides; eligibility names the first\n"
          "that fails by this number.\n"
          "\n",
          out);
    fputs("Fleet columns (any order; spaces around values are ignored):\n"
          "  id           ignored: the counts name no device\n"
          "  carrier, region, enrollment\n"
          "               names as in the catalog; empty: unknown\n"
          "  battery      charge from 0 to 1\n"
          "  charging, metered\n"
          "               flags: 0, 1, true or false\n"
          "  free_bytes   whole number\n"
          "  COMPONENT    one column per component, named as it: the\n"
          "               installed version, empty when not installed (a\n"
          "               component named like a column above cannot be\n"
          "               given)\n"
          "Rows are counted from the header (row 1).\n"
          "\n"
          "Versions order as the library documents (otaprio/graph.h): numeric\n"
          "segments by value, '1.2' = '1.2.0' = 'v1.02', '1.0-rc1' < '1.0'.\n"
          "Exit status: 0 on success (an ineligible device or one without a\n"
          "path is an answer, not a failure); 1 on bad input, a release order\n"
          "with a cycle, names the catalog does not have, or a library error;\n"
          "2 on a usage error, including a malformed version or constraint\n"
          "on the command line.\n",
          out);
}

typedef struct graph_args {
    const char *catalog;
    bool order;
    bool cycles;
    graph_impact_args *impacts; /* argv-sized, filled in order */
    size_t impact_count;
    bool device;
    graph_device_args device_args;
    const char *target;
    const char *battery;
    const char *free_bytes;
    const char *max_states;
    const char *fleet;
    bool ignore_unknown;
    bool json;
} graph_args;

/* The options read at once (CLI_OPTION_TAKE), by their slot. */
enum { TAKE_IMPACT, TAKE_DEVICE };

static const cli_option options[] = {
    CLI_TEXT_OPTION(graph_args, "catalog", 'c', catalog),
    CLI_FLAG_OPTION(graph_args, "order", 'o', order),
    CLI_FLAG_OPTION(graph_args, "cycles", 0, cycles),
    {"impact", 'i', CLI_OPTION_TAKE, TAKE_IMPACT},
    {"device", 'd', CLI_OPTION_TAKE, TAKE_DEVICE},
    CLI_TEXT_OPTION(graph_args, "target", 't', target),
    CLI_TEXT_OPTION(graph_args, "carrier", 0, device_args.carrier),
    CLI_TEXT_OPTION(graph_args, "region", 0, device_args.region),
    CLI_TEXT_OPTION(graph_args, "enrollment", 0, device_args.enrollment),
    CLI_TEXT_OPTION(graph_args, "battery", 0, battery),
    CLI_FLAG_OPTION(graph_args, "charging", 0, device_args.charging),
    CLI_TEXT_OPTION(graph_args, "free-bytes", 0, free_bytes),
    CLI_FLAG_OPTION(graph_args, "metered", 0, device_args.metered),
    CLI_TEXT_OPTION(graph_args, "max-states", 0, max_states),
    CLI_TEXT_OPTION(graph_args, "fleet", 'f', fleet),
    CLI_FLAG_OPTION(graph_args, "ignore-unknown-columns", 0, ignore_unknown),
    CLI_FLAG_OPTION(graph_args, "json", 'j', json),
};

static int take_option(const char *who, const cli_option *option,
                       const char *value, void *user)
{
    graph_args *args = user;
    if (option->slot == TAKE_IMPACT)
        return graph_impact_parse(who, value,
                                  &args->impacts[args->impact_count++]);
    args->device = true;
    return graph_device_parse(who, value, &args->device_args);
}

/* The option among the device's predicates that was given, or NULL. */
static const char *device_option(const graph_args *args)
{
    const graph_device_args *d = &args->device_args;
    return d->carrier != NULL         ? "--carrier"
           : d->region != NULL        ? "--region"
           : d->enrollment != NULL    ? "--enrollment"
           : args->battery != NULL    ? "--battery"
           : d->charging              ? "--charging"
           : args->free_bytes != NULL ? "--free-bytes"
           : d->metered               ? "--metered"
           : args->max_states != NULL ? "--max-states"
                                      : NULL;
}

static int check_numbers(const char *who, graph_args *args,
                         uint64_t *max_states)
{
    graph_device_args *d = &args->device_args;
    if (args->battery != NULL) {
        if (!cli_parse_float(args->battery, strlen(args->battery),
                             &d->battery) ||
            !(d->battery >= 0.0f && d->battery <= 1.0f))
            return cli_usage_error(who,
                                   "bad --battery '%s': expected a charge "
                                   "from 0 to 1",
                                   args->battery);
        d->has_battery = true;
    }
    if (args->free_bytes != NULL) {
        if (!cli_parse_uint(args->free_bytes, strlen(args->free_bytes),
                            UINT64_MAX, &d->free_bytes))
            return cli_usage_error(who,
                                   "bad --free-bytes '%s': expected a whole "
                                   "number of bytes",
                                   args->free_bytes);
        d->has_free_bytes = true;
    }
    *max_states = 0; /* the library's default */
    if (args->max_states != NULL &&
        (!cli_parse_uint(args->max_states, strlen(args->max_states), UINT64_MAX,
                         max_states) ||
         *max_states == 0))
        return cli_usage_error(who,
                               "bad --max-states '%s': expected a whole "
                               "number of at least 1",
                               args->max_states);
    return CLI_EXIT_OK;
}

static int check_args(const char *who, graph_args *args, int operands,
                      uint64_t *max_states)
{
    if (operands != 0)
        return cli_usage_error(who, "unexpected argument; the catalog is "
                                    "given with --catalog FILE");
    if (args->catalog == NULL)
        return cli_usage_error(who, "missing the catalog: give --catalog "
                                    "FILE");
    if (args->fleet != NULL && strcmp(args->fleet, "-") == 0 &&
        strcmp(args->catalog, "-") == 0)
        return cli_usage_error(who, "only one input can be standard input "
                                    "('-')");
    if (args->device && args->target == NULL)
        return cli_usage_error(who, "--device needs --target PACKAGE: the "
                                    "package to check it against");
    if (args->target != NULL && !args->device && args->fleet == NULL)
        return cli_usage_error(who, "--target needs --device or --fleet");
    const char *predicate = device_option(args);
    if (predicate != NULL && !args->device)
        return cli_usage_error(who, "%s needs --device", predicate);
    if (args->fleet != NULL && args->target == NULL && args->impact_count == 0)
        return cli_usage_error(who, "--fleet needs --target PACKAGE or "
                                    "--impact");
    if (args->ignore_unknown && args->fleet == NULL)
        return cli_usage_error(who, "--ignore-unknown-columns needs --fleet "
                                    "FILE");
    if (args->target != NULL && args->target[0] == '\0')
        return cli_usage_error(who, "the package given to --target is empty");
    /* With no question, the release order: it also checks the catalog. */
    if (!args->cycles && args->impact_count == 0 && !args->device &&
        args->fleet == NULL)
        args->order = true;
    return check_numbers(who, args, max_states);
}

/* Adds the answer to one question under `key`. */
static int answer(const char *who, json_t *answers, const char *key,
                  json_t *value)
{
    if (json_object_set_new(answers, key, value) != 0) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

static int ask_impacts(const char *who, const graph_args *args,
                       const graph_catalog *catalog, json_t *answers)
{
    json_t *impacts = json_array();
    if (answer(who, answers, "impact", impacts) != 0)
        return CLI_EXIT_FAILURE;
    for (size_t k = 0; k < args->impact_count; k++) {
        json_t *value = NULL;
        if (graph_query_impact(who, catalog, &args->impacts[k], &value) != 0)
            return CLI_EXIT_FAILURE;
        if (json_array_append_new(impacts, value) != 0) {
            cli_error(who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

static int ask_device(const char *who, const graph_args *args,
                      const graph_catalog *catalog, uint32_t target,
                      uint64_t max_states, json_t *answers)
{
    graph_device device;
    json_t *value = NULL;
    int status =
        graph_device_resolve(who, catalog, &args->device_args, &device);
    if (status == 0)
        status = graph_query_device(who, catalog, &device, target, max_states,
                                    &value);
    graph_device_release(&device);
    if (status == 0)
        status = answer(who, answers, "device", value);
    return status;
}

/* Asks every question, in the order of the output. */
static int ask(const char *who, const graph_args *args,
               const graph_catalog *catalog, uint64_t max_states,
               json_t *answers)
{
    json_t *value = NULL;
    if (args->order && (graph_query_order(who, catalog, &value) != 0 ||
                        answer(who, answers, "order", value) != 0))
        return CLI_EXIT_FAILURE;
    if (args->cycles && (graph_query_cycles(who, catalog, &value) != 0 ||
                         answer(who, answers, "cycles", value) != 0))
        return CLI_EXIT_FAILURE;
    if (args->impact_count != 0 &&
        ask_impacts(who, args, catalog, answers) != 0)
        return CLI_EXIT_FAILURE;
    uint32_t target = 0;
    if (args->target != NULL &&
        graph_find_target(who, catalog, args->target, &target) != 0)
        return CLI_EXIT_FAILURE;
    if (args->device &&
        ask_device(who, args, catalog, target, max_states, answers) != 0)
        return CLI_EXIT_FAILURE;
    if (args->fleet != NULL) {
        graph_fleet_args fleet = {args->fleet,          args->ignore_unknown,
                                  args->target != NULL, target,
                                  args->impacts,        args->impact_count};
        if (graph_query_fleet(who, catalog, &fleet, &value) != 0 ||
            answer(who, answers, "fleet", value) != 0)
            return CLI_EXIT_FAILURE;
    }
    return 0;
}

int cmd_graph_run(int argc, char **argv)
{
    const char *who = argv[0];
    graph_args args;
    memset(&args, 0, sizeof args);
    /* At most one --impact per argument. */
    args.impacts = calloc((size_t)argc, sizeof *args.impacts);
    if (args.impacts == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    static const cli_options spec =
        CLI_OPTIONS(options, take_option, cmd_graph_usage);
    bool done;
    uint64_t max_states = 0;
    int status = cli_parse_options(argc, argv, &spec, &args, &done);
    if (!done)
        status = check_args(who, &args, argc - optind, &max_states);
    if (!done && status == CLI_EXIT_OK) {
        graph_catalog catalog;
        json_t *answers = json_object();
        status = graph_catalog_read(who, args.catalog, &catalog);
        if (status == 0 && answers == NULL) {
            cli_error(who, "out of memory");
            status = CLI_EXIT_FAILURE;
        }
        if (status == 0)
            status = ask(who, &args, &catalog, max_states, answers);
        /* Nothing is printed unless every question has its answer. */
        if (status == 0)
            status = args.json ? graph_output_json(who, answers)
                               : graph_output_text(who, answers);
        json_decref(answers);
        graph_catalog_release(&catalog);
    }
    graph_device_args_release(&args.device_args);
    free(args.impacts);
    return status;
}
