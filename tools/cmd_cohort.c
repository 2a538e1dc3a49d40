/* SPDX-License-Identifier: MIT */
/* `otaprio cohort`: a rollout's canary waves from a fleet CSV, how well
 * each mirrors the fleet, and the devices it selects. */
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_cmd.h"

void cmd_cohort_usage(FILE *out)
{
    fputs(
        "Usage: otaprio cohort --fleet FILE --waves F1,F2,... [--strata "
        "COLUMNS]\n"
        "                      [--id-column NAME] [--method METHOD] "
        "[--minimum N]\n"
        "                      [--salt NAME | --salt-hex HEX] [--retain F]\n"
        "                      [exclusions and caps, see below] [--devices] "
        "[--json]\n"
        "\n"
        "Choose the canary waves of a rollout from a fleet: deterministic,\n"
        "nested (a device in a wave is in every later one) and stratified so\n"
        "that each wave mirrors the fleet's mix of the strata columns. For\n"
        "every wave, print its size and how representative it is, with the\n"
        "waves before it: total variation distance (TVD) between its strata\n"
        "shares and the whole fleet's (excluded devices too, so exclusions\n"
        "show), joint and per column (0: the same mix, 1: disjoint), the\n"
        "strata and the share of the fleet it covers, and the strata it\n"
        "covers worst.\n"
        "\n"
        "Options:\n"
        "  -f, --fleet FILE    the devices, a CSV file ('-' for standard\n"
        "                      input) whose first row names the columns\n"
        "  -w, --waves F1,F2,...\n"
        "                      the schedule: cumulative fractions, strictly\n"
        "                      increasing, in (0, 1]; waves 0 to k hold\n"
        "                      floor(Fk x Ek + 1/2) devices, Ek those\n"
        "                      eligible at wave k. A last fraction of 1 is\n"
        "                      the rest of the eligible fleet\n"
        "  -s, --strata COLUMNS\n"
        "                      comma-separated columns of any text (OS\n"
        "                      version, SKU, region, connection...), at most\n"
        "                      16; each distinct combination of their values\n"
        "                      is a stratum. Without: one stratum\n"
        "      --id-column NAME\n"
        "                      the column of device identifiers (default\n"
        "                      'id'), taken byte for byte; a device's key,\n"
        "                      and so its place, is that of 'otaprio key'\n"
        "  -m, --method METHOD how each wave is shared among strata:\n"
        "                      proportional (default): exact sizes, in\n"
        "                        proportion to each stratum's eligible "
        "devices\n"
        "                      minimum: proportional after each stratum gets\n"
        "                        --minimum devices (default 1) while the wave\n"
        "                        allows: rare strata are covered\n"
        "                      neyman: in proportion to eligible devices "
        "times\n"
        "                        the spread of --outcome-column in the "
        "stratum\n"
        "                      hash: the usual bucket threshold, a device\n"
        "                        joins the first wave above its bucket\n"
        "                        fraction; sizes vary, strata only reported\n"
        "      --minimum N     devices each stratum gets first (minimum,\n"
        "                      proportional, neyman)\n"
        "      --outcome-column NAME\n"
        "                      neyman: a flag column (a failed update, a\n"
        "                      crash); a stratum of n devices, x flagged,\n"
        "                      weighs sqrt(p(1-p)) with p = (x+1)/(n+2)\n"
        "      --salt NAME     the rollout salt is the key of this name, as\n"
        "                      for 'otaprio bucket' (default: salt 0, the\n"
        "                      same devices first in every rollout)\n"
        "      --salt-hex HEX  the salt itself: 1 to 16 hex digits\n"
        "      --retain F      share of each stratum kept in memory to choose\n"
        "                      from, in (0, 1] (default: the largest canary\n"
        "                      fraction); raise it when told to\n"
        "  -d, --devices       also list the identifiers of the devices that\n"
        "                      join each canary wave, in the library's order\n"
        "                      (by stratum, then bucket position); a final\n"
        "                      wave of 1 is every other eligible device and\n"
        "                      is counted, not listed\n"
        "  -j, --json          print one JSON document: {\"fleet\", "
        "\"rollout\",\n"
        "                      \"waves\"}\n"
        "  -h, --help          show this help and exit\n"
        "\n",
        out);
    /* In parts: C compilers need only take string literals of 4095
     * bytes. */
    fputs(
        "Exclusions and caps (each names the column it reads):\n"
        "      --excluded-column NAME\n"
        "                      flag: the host's own policy keeps the device "
        "out\n"
        "      --metered-column NAME --exclude-metered\n"
        "                      keep devices on a metered link out\n"
        "      --battery-column NAME --minimum-battery X "
        "[--charging-column NAME]\n"
        "                      keep devices below charge X (0 to 1) out\n"
        "                      unless charging\n"
        "      --critical-column NAME --critical-first-wave K\n"
        "                      flagged devices (medical, payment...) join\n"
        "                      wave K (from 0) at the earliest; K past the\n"
        "                      last wave keeps them out\n"
        "      --cluster-column NAME --exclude-clusters N1,N2,...\n"
        "                      keep devices of these shared-fate clusters\n"
        "                      out (cluster ids, whole numbers; an empty cell\n"
        "                      is no cluster)\n"
        "      --cap-column NAME --caps VALUE=N,...\n"
        "                      at most N devices with this value of a strata\n"
        "                      column in any canary wave (support capacity,\n"
        "                      a regulator's limit); the seats go to others\n"
        "Flags are 0, 1, true or false; spaces around values are ignored,\n"
        "other columns are skipped. Rows are counted from the header (row\n"
        "1).\n"
        "\n"
        "The fleet is read in passes, a chunk at a time: one to learn the\n"
        "strata values (needed before the first device is placed), one to\n"
        "choose, and with --devices one to name the chosen devices. Memory\n"
        "is bounded by the strata and the canary waves, not by the fleet.\n"
        "Standard input or a pipe is first copied to a temporary file.\n"
        "Strata values are numbered in byte order, so the cohort does not\n"
        "depend on the order of the rows.\n"
        "\n"
        "The text shows a table of waves: fraction, eligible devices,\n"
        "target, selected (cumulative), shortfall (seats no eligible device\n"
        "could take), strata covered/with devices, share of the fleet in\n"
        "covered strata, joint TVD and TVD per strata column; then the most\n"
        "under-covered strata of each wave (fleet share, wave share).\n"
        "Exit status: 0 on success, 1 on bad input or a library error, 2\n"
        "on a usage error, including a schedule or setting the library\n"
        "refuses.\n",
        out);
}

typedef struct cohort_args {
    const char *fleet;
    const char *waves;
    const char *strata;
    const char *id_column;
    const char *method;
    const char *minimum;
    const char *outcome_column;
    const char *salt;
    const char *salt_hex;
    const char *retain;
    const char *excluded_column;
    const char *metered_column;
    bool exclude_metered;
    const char *battery_column;
    const char *charging_column;
    const char *minimum_battery;
    const char *critical_column;
    const char *critical_first_wave;
    const char *cluster_column;
    const char *exclude_clusters;
    const char *cap_column;
    const char *caps;
    bool devices;
    bool json;
} cohort_args;

static const cli_option options[] = {
    CLI_TEXT_OPTION(cohort_args, "fleet", 'f', fleet),
    CLI_TEXT_OPTION(cohort_args, "waves", 'w', waves),
    CLI_TEXT_OPTION(cohort_args, "strata", 's', strata),
    CLI_TEXT_OPTION(cohort_args, "id-column", 0, id_column),
    CLI_TEXT_OPTION(cohort_args, "method", 'm', method),
    CLI_TEXT_OPTION(cohort_args, "minimum", 0, minimum),
    CLI_TEXT_OPTION(cohort_args, "outcome-column", 0, outcome_column),
    CLI_TEXT_OPTION(cohort_args, "salt", 0, salt),
    CLI_TEXT_OPTION(cohort_args, "salt-hex", 0, salt_hex),
    CLI_TEXT_OPTION(cohort_args, "retain", 0, retain),
    CLI_TEXT_OPTION(cohort_args, "excluded-column", 0, excluded_column),
    CLI_TEXT_OPTION(cohort_args, "metered-column", 0, metered_column),
    CLI_FLAG_OPTION(cohort_args, "exclude-metered", 0, exclude_metered),
    CLI_TEXT_OPTION(cohort_args, "battery-column", 0, battery_column),
    CLI_TEXT_OPTION(cohort_args, "charging-column", 0, charging_column),
    CLI_TEXT_OPTION(cohort_args, "minimum-battery", 0, minimum_battery),
    CLI_TEXT_OPTION(cohort_args, "critical-column", 0, critical_column),
    CLI_TEXT_OPTION(cohort_args, "critical-first-wave", 0, critical_first_wave),
    CLI_TEXT_OPTION(cohort_args, "cluster-column", 0, cluster_column),
    CLI_TEXT_OPTION(cohort_args, "exclude-clusters", 0, exclude_clusters),
    CLI_TEXT_OPTION(cohort_args, "cap-column", 0, cap_column),
    CLI_TEXT_OPTION(cohort_args, "caps", 0, caps),
    CLI_FLAG_OPTION(cohort_args, "devices", 'd', devices),
    CLI_FLAG_OPTION(cohort_args, "json", 'j', json),
};

/* ---- checking the command line ---------------------------------------- */

/* Options that only mean something together: each needs the other. */
static int pair(const char *who, const char *a, bool has_a, const char *b,
                bool has_b)
{
    if (has_a && !has_b)
        return cli_usage_error(who, "%s needs %s", a, b);
    if (has_b && !has_a)
        return cli_usage_error(who, "%s needs %s", b, a);
    return CLI_EXIT_OK;
}

static int check_pairs(const char *who, const cohort_args *args)
{
    int status =
        pair(who, "--critical-column", args->critical_column != NULL,
             "--critical-first-wave", args->critical_first_wave != NULL);
    if (status == CLI_EXIT_OK)
        status = pair(who, "--metered-column", args->metered_column != NULL,
                      "--exclude-metered", args->exclude_metered);
    if (status == CLI_EXIT_OK)
        status = pair(who, "--battery-column", args->battery_column != NULL,
                      "--minimum-battery", args->minimum_battery != NULL);
    if (status == CLI_EXIT_OK && args->charging_column != NULL &&
        args->battery_column == NULL)
        status = cli_usage_error(who, "--charging-column needs "
                                      "--battery-column and "
                                      "--minimum-battery");
    if (status == CLI_EXIT_OK)
        status = pair(who, "--cluster-column", args->cluster_column != NULL,
                      "--exclude-clusters", args->exclude_clusters != NULL);
    if (status == CLI_EXIT_OK)
        status = pair(who, "--cap-column", args->cap_column != NULL, "--caps",
                      args->caps != NULL);
    return status;
}

/* The columns of --strata, split into `buffer` (a copy of the option). */
static int split_strata(const char *who, char *buffer, const char **names,
                        uint32_t *count)
{
    *count = 0;
    char *cursor = buffer;
    for (;;) {
        char *comma = strchr(cursor, ',');
        if (comma != NULL)
            *comma = '\0';
        const char *name = cursor;
        size_t length = strlen(name);
        cli_trim_blanks(&name, &length);
        ((char *)name)[length] = '\0';
        if (length == 0)
            return cli_usage_error(who, "--strata names an empty column");
        if (*count == COHORT_MAX_DIMENSIONS)
            return cli_usage_error(who, "--strata names more than %d columns",
                                   COHORT_MAX_DIMENSIONS);
        for (uint32_t d = 0; d < *count; d++)
            if (strcmp(names[d], name) == 0)
                return cli_usage_error(who, "--strata names '%s' twice", name);
        names[(*count)++] = name;
        if (comma == NULL)
            return CLI_EXIT_OK;
        cursor = comma + 1;
    }
}

/* Everything the command line decided, checked. */
typedef struct cohort_plan {
    cohort_rollout rollout;
    char *strata_buffer;
    const char *strata[COHORT_MAX_DIMENSIONS];
    uint32_t dimension_count;
    int32_t cap_dimension;
} cohort_plan;

static int check_numbers(const char *who, const cohort_args *args,
                         otaprio_cohort_spec *spec)
{
    uint64_t number;
    if (args->minimum != NULL) {
        if (!cli_parse_uint(args->minimum, strlen(args->minimum), UINT32_MAX,
                            &number))
            return cli_usage_error(who,
                                   "bad --minimum '%s': expected a whole "
                                   "number of devices",
                                   args->minimum);
        spec->minimum_per_stratum = (uint32_t)number;
    }
    if (args->critical_first_wave != NULL) {
        if (!cli_parse_uint(args->critical_first_wave,
                            strlen(args->critical_first_wave), UINT32_MAX,
                            &number))
            return cli_usage_error(who,
                                   "bad --critical-first-wave '%s': expected "
                                   "a wave number from 0",
                                   args->critical_first_wave);
        spec->critical_first_wave = (uint32_t)number;
    }
    if (args->minimum_battery != NULL &&
        !cli_parse_float(args->minimum_battery, strlen(args->minimum_battery),
                         &spec->minimum_battery))
        return cli_usage_error(who,
                               "bad --minimum-battery '%s': expected a "
                               "charge from 0 to 1",
                               args->minimum_battery);
    if (args->retain != NULL) {
        float retain;
        if (!cli_parse_float(args->retain, strlen(args->retain), &retain))
            return cli_usage_error(who,
                                   "bad --retain '%s': expected a fraction "
                                   "in (0, 1]",
                                   args->retain);
        /* The fraction as typed, not float's nearest value. */
        spec->retain_fraction = strtod(args->retain, NULL);
    }
    spec->exclude_metered = args->exclude_metered ? 1 : 0;
    return CLI_EXIT_OK;
}

static int check_method(const char *who, const cohort_args *args,
                        otaprio_cohort_spec *spec)
{
    if (args->method != NULL) {
        int method = cli_names_find(&cli_names_cohort_method, args->method,
                                    strlen(args->method));
        if (method < 0) {
            char known[128];
            cli_names_list(&cli_names_cohort_method, known, sizeof known);
            return cli_usage_error(who,
                                   "unknown --method '%s'; expected one "
                                   "of: %s",
                                   args->method, known);
        }
        spec->method = method;
    }
    bool neyman = spec->method == OTAPRIO_COHORT_NEYMAN;
    if (neyman && args->outcome_column == NULL)
        return cli_usage_error(who, "--method neyman needs --outcome-column "
                                    "NAME: the flag whose spread weighs "
                                    "each stratum");
    if (!neyman && args->outcome_column != NULL)
        return cli_usage_error(who, "--outcome-column needs --method neyman");
    return CLI_EXIT_OK;
}

/* The library judges the rollout before the fleet is read: with the
 * strata values still unknown, a spec whose dimensions each have one value
 * checks every other field (schedule, method, minimum, caps...), and a
 * refusal is the command line's fault. */
static int check_rollout(const char *who, const otaprio_cohort_spec *full)
{
    static const uint32_t ones[COHORT_MAX_DIMENSIONS] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint64_t no_cap = UINT64_MAX;
    static const double one_sd = 1.0;
    otaprio_cohort_spec spec = *full;
    spec.cardinalities = spec.dimension_count != 0 ? ones : NULL;
    if (spec.cap_dimension >= 0)
        spec.caps = &no_cap;
    if (spec.method == OTAPRIO_COHORT_NEYMAN) {
        spec.stratum_sd = &one_sd;
        spec.stratum_sd_count = 1;
    }
    otaprio_cohort_sampler *sampler = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_create(&spec, NULL, &sampler, &diag);
    otaprio_cohort_sampler_free(sampler);
    if (status == OTAPRIO_OK)
        return CLI_EXIT_OK;
    if (status == OTAPRIO_E_NOMEM)
        return cli_library_error(who, "otaprio_cohort_sampler_create", status,
                                 &diag);
    if (diag.status == status && diag.message[0] != '\0')
        return cli_usage_error(who, "the rollout is refused: %s: %s",
                               otaprio_strerror(status), diag.message);
    return cli_usage_error(who, "the rollout is refused: %s",
                           otaprio_strerror(status));
}

static int check_args(const char *who, const cohort_args *args, int operands,
                      cohort_plan *plan)
{
    if (operands != 0)
        return cli_usage_error(who, "unexpected argument; the fleet is given "
                                    "with --fleet FILE");
    if (args->fleet == NULL)
        return cli_usage_error(who, "missing the fleet: give --fleet FILE");
    if (args->waves == NULL)
        return cli_usage_error(who, "missing the schedule: give --waves "
                                    "F1,F2,... (e.g. 0.01,0.1,1)");
    if (args->id_column != NULL && args->id_column[0] == '\0')
        return cli_usage_error(who, "--id-column names an empty column");
    int status = check_pairs(who, args);
    otaprio_cohort_spec *spec = &plan->rollout.spec;
    if (status == CLI_EXIT_OK)
        status = cli_parse_salt(who, args->salt, args->salt_hex, &spec->salt);
    if (status == CLI_EXIT_OK)
        status = check_method(who, args, spec);
    if (status == CLI_EXIT_OK)
        status = check_numbers(who, args, spec);
    if (status == CLI_EXIT_OK)
        status = cohort_rollout_waves(who, args->waves, &plan->rollout);
    if (status == CLI_EXIT_OK && args->exclude_clusters != NULL)
        status = cohort_rollout_clusters(who, args->exclude_clusters,
                                         &plan->rollout);
    if (status == CLI_EXIT_OK && args->caps != NULL)
        status = cohort_rollout_cap_list(who, args->caps, &plan->rollout);
    if (status == CLI_EXIT_OK && args->strata != NULL) {
        plan->strata_buffer = malloc(strlen(args->strata) + 1);
        if (plan->strata_buffer == NULL) {
            cli_error(who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        strcpy(plan->strata_buffer, args->strata);
        status = split_strata(who, plan->strata_buffer, plan->strata,
                              &plan->dimension_count);
    }
    if (status != CLI_EXIT_OK)
        return status;
    plan->cap_dimension = -1;
    if (args->cap_column != NULL) {
        for (uint32_t d = 0; d < plan->dimension_count; d++)
            if (strcmp(plan->strata[d], args->cap_column) == 0)
                plan->cap_dimension = (int32_t)d;
        if (plan->cap_dimension < 0)
            return cli_usage_error(who,
                                   "--cap-column '%s' is not one of the "
                                   "--strata columns",
                                   args->cap_column);
    }
    spec->dimension_count = plan->dimension_count;
    spec->cap_dimension = plan->cap_dimension;
    return check_rollout(who, spec);
}

/* ---- the passes -------------------------------------------------------- */

/* The cluster of a device whose cluster cell is empty: the largest id no
 * exclusion names. The list is short (it came from the command line). */
static uint32_t unexcluded_cluster(const otaprio_cohort_spec *spec)
{
    uint32_t cluster = UINT32_MAX;
    for (;;) {
        bool excluded = false;
        for (size_t i = 0; i < spec->excluded_cluster_count; i++)
            excluded = excluded || spec->excluded_clusters[i] == cluster;
        if (!excluded)
            return cluster;
        cluster--;
    }
}

static void name_columns(const cohort_args *args, const cohort_plan *plan,
                         cohort_fleet *fleet)
{
    cohort_fleet_add_column(fleet,
                            args->id_column != NULL ? args->id_column : "id",
                            "--id-column", COHORT_ROLE_ID);
    for (uint32_t d = 0; d < plan->dimension_count; d++)
        cohort_fleet_add_column(fleet, plan->strata[d], "--strata",
                                COHORT_ROLE_STRATUM);
    static const struct {
        size_t offset;
        const char *option;
        cohort_role role;
    } named[] = {
        {offsetof(cohort_args, critical_column), "--critical-column",
         COHORT_ROLE_CRITICAL},
        {offsetof(cohort_args, battery_column), "--battery-column",
         COHORT_ROLE_BATTERY},
        {offsetof(cohort_args, charging_column), "--charging-column",
         COHORT_ROLE_CHARGING},
        {offsetof(cohort_args, metered_column), "--metered-column",
         COHORT_ROLE_METERED},
        {offsetof(cohort_args, excluded_column), "--excluded-column",
         COHORT_ROLE_EXCLUDED},
        {offsetof(cohort_args, cluster_column), "--cluster-column",
         COHORT_ROLE_CLUSTER},
        {offsetof(cohort_args, outcome_column), "--outcome-column",
         COHORT_ROLE_OUTCOME},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        const char *name;
        memcpy(&name, (const char *)args + named[i].offset, sizeof name);
        if (name != NULL)
            cohort_fleet_add_column(fleet, name, named[i].option,
                                    named[i].role);
    }
    fleet->no_cluster = unexcluded_cluster(&plan->rollout.spec);
}

static int ignore_chunk(void *user, cohort_chunk *chunk)
{
    (void)user;
    (void)chunk;
    return 0;
}

typedef struct observe_run {
    const char *who;
    const char *input;
    otaprio_cohort_sampler *sampler;
} observe_run;

static int observe_chunk(void *user, cohort_chunk *chunk)
{
    observe_run *run = user;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_cohort_sampler_observe(run->sampler, &chunk->chunk, &diag);
    if (status != OTAPRIO_OK)
        return cli_chunk_error(run->who, run->input,
                               "otaprio_cohort_sampler_observe", status, &diag,
                               chunk->rows, chunk->count);
    return 0;
}

/* The first pass: the strata values and, for Neyman, the outcomes. */
static int learn(const char *who, cohort_fleet *fleet, cohort_plan *plan,
                 cohort_chunk *chunk)
{
    bool neyman = plan->rollout.spec.method == OTAPRIO_COHORT_NEYMAN;
    cohort_neyman counts;
    cohort_neyman_init(&counts, who, fleet->dimension_count);
    int status = 0;
    if (fleet->dimension_count != 0 || neyman)
        status = cohort_fleet_pass(fleet, chunk, false,
                                   neyman ? cohort_neyman_count : ignore_chunk,
                                   &counts);
    if (status == 0)
        status = cohort_fleet_code(fleet);
    if (status == 0)
        status = cohort_rollout_strata(who, fleet, plan->cap_dimension,
                                       &plan->rollout);
    if (status == 0 && neyman)
        status = cohort_neyman_weights(&counts, fleet, &plan->rollout);
    cohort_neyman_release(&counts);
    return status;
}

/* The second pass: every device through the sampler, then the cohort. */
static int choose(const char *who, cohort_fleet *fleet, const cohort_plan *plan,
                  cohort_chunk *chunk, otaprio_cohort **cohort)
{
    observe_run run = {who, fleet->name, NULL};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_create(&plan->rollout.spec, NULL,
                                               &run.sampler, &diag);
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_cohort_sampler_create", status,
                                 &diag);
    status = cohort_fleet_pass(fleet, chunk, true, observe_chunk, &run);
    if (status == 0) {
        otaprio_diag_init(&diag);
        int finished =
            otaprio_cohort_sampler_finish(run.sampler, NULL, cohort, &diag);
        if (finished != OTAPRIO_OK)
            status = cli_library_error(who, "otaprio_cohort_sampler_finish",
                                       finished, &diag);
    }
    otaprio_cohort_sampler_free(run.sampler);
    return status;
}

static int gather(const char *who, const otaprio_cohort *cohort,
                  cohort_result *result)
{
    result->strata = otaprio_cohort_stratum_count(cohort);
    result->wave_count = otaprio_cohort_wave_count(cohort);
    result->waves = calloc(result->wave_count != 0 ? result->wave_count : 1,
                           sizeof *result->waves);
    if (result->waves == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (uint32_t k = 0; k < result->wave_count; k++) {
        cohort_wave_report *wave = &result->waves[k];
        wave->info.size = sizeof wave->info;
        wave->report.size = sizeof wave->report;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_cohort_wave_info(cohort, k, &wave->info, &diag);
        if (status != OTAPRIO_OK)
            return cli_library_error(who, "otaprio_cohort_wave_info", status,
                                     &diag);
        status =
            otaprio_cohort_representativeness(cohort, k, &wave->report, &diag);
        if (status != OTAPRIO_OK)
            return cli_library_error(who, "otaprio_cohort_representativeness",
                                     status, &diag);
    }
    return 0;
}

static int report(const char *who, const cohort_args *args, cohort_fleet *fleet,
                  const cohort_plan *plan, cohort_chunk *chunk,
                  const otaprio_cohort *cohort)
{
    cohort_listing listing;
    memset(&listing, 0, sizeof listing);
    int status = 0;
    if (args->devices) {
        status = cohort_listing_build(&listing, who, fleet->name, cohort);
        if (status == 0)
            status = cohort_fleet_pass(fleet, chunk, true, cohort_listing_chunk,
                                       &listing);
        if (status == 0)
            status = cohort_listing_check(&listing);
    }
    cohort_result result;
    memset(&result, 0, sizeof result);
    result.input = fleet->name;
    result.fleet = fleet;
    result.spec = &plan->rollout.spec;
    result.listing = args->devices ? &listing : NULL;
    if (status == 0)
        status = gather(who, cohort, &result);
    /* Nothing is printed unless every part of the report is at hand. */
    if (status == 0)
        status = args->json ? cohort_output_json(who, &result)
                            : cohort_output_text(who, &result);
    free(result.waves);
    cohort_listing_release(&listing);
    return status;
}

static int run(const char *who, const cohort_args *args, cohort_plan *plan)
{
    /* The per-chunk arrays make this too large for the stack. */
    cohort_chunk *chunk = malloc(sizeof *chunk);
    cohort_fleet *fleet = malloc(sizeof *fleet);
    if (chunk == NULL || fleet == NULL) {
        free(chunk);
        free(fleet);
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    cohort_chunk_init(chunk);
    cohort_fleet_init(fleet, who);
    name_columns(args, plan, fleet);
    bool first_pass = plan->dimension_count != 0 ||
                      plan->rollout.spec.method == OTAPRIO_COHORT_NEYMAN;
    int passes = (first_pass ? 1 : 0) + 1 + (args->devices ? 1 : 0);
    otaprio_cohort *cohort = NULL;
    int status = cohort_fleet_open(fleet, args->fleet, passes);
    if (status == 0)
        status = learn(who, fleet, plan, chunk);
    if (status == 0)
        status = choose(who, fleet, plan, chunk, &cohort);
    if (status == 0)
        status = report(who, args, fleet, plan, chunk, cohort);
    otaprio_cohort_free(cohort);
    cohort_fleet_close(fleet);
    cohort_chunk_release(chunk);
    free(fleet);
    free(chunk);
    return status;
}

int cmd_cohort_run(int argc, char **argv)
{
    const char *who = argv[0];
    cohort_args args;
    memset(&args, 0, sizeof args);
    bool done;
    static const cli_options spec =
        CLI_OPTIONS(options, NULL, cmd_cohort_usage);
    int status = cli_parse_options(argc, argv, &spec, &args, &done);
    if (done)
        return status;
    cohort_plan plan;
    memset(&plan, 0, sizeof plan);
    cohort_rollout_init(&plan.rollout);
    status = check_args(who, &args, argc - optind, &plan);
    if (status == CLI_EXIT_OK)
        status = run(who, &args, &plan);
    cohort_rollout_release(&plan.rollout);
    free(plan.strata_buffer);
    return status;
}
