/* SPDX-License-Identifier: MIT */
/*
 * What `otaprio cohort --json` prints: one document {"fleet", "rollout",
 * "waves"}, each wave with its sizes, its representativeness and, with
 * --devices, the identifiers of the devices joining it.
 */
#include <string.h>

#include "cohort_cmd.h"

/* Indented like `otaprio graph --json`, keys in the order they are set;
 * reals with jansson's 17 significant digits, so every fraction and
 * distance parses back to the very same double. */
#define COHORT_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

static int encode_failure(const char *who)
{
    /* jansson fails alike when it cannot build or cannot write. */
    if (ferror(stdout))
        return cli_write_error(who);
    cli_error(who, "cannot encode the JSON output");
    return CLI_EXIT_FAILURE;
}

static json_t *count_json(uint64_t value)
{
    /* Counts stay below 2^40 (the library's limit of devices). */
    return json_integer((json_int_t)value);
}

/* A strata value as a JSON string, or NULL after saying why not (once:
 * `*reported` says it was said). */
static json_t *value_json(const char *who, const cohort_fleet *fleet,
                          uint32_t d, uint32_t code, bool *reported)
{
    size_t length;
    const char *bytes = cohort_fleet_value(fleet, d, code, &length);
    json_t *value = json_stringn(bytes, length);
    if (value == NULL && !*reported) {
        fprintf(stderr, "%s: a value of column '%s' ('", who,
                fleet->dimensions[d].column);
        cli_print_id(stderr, bytes, length, true);
        fputs("') is not valid UTF-8, which JSON cannot carry; use the text "
              "output\n",
              stderr);
    }
    if (value == NULL)
        *reported = true;
    return value;
}

/* ---- fleet and rollout --------------------------------------------------- */

static json_t *dimension_json(const char *who, const cohort_fleet *fleet,
                              uint32_t d, bool *reported)
{
    json_t *values = json_array();
    uint32_t count = (uint32_t)fleet->dimensions[d].values.count;
    for (uint32_t code = 0; values != NULL && code < count; code++) {
        cli_json_append(&values, value_json(who, fleet, d, code, reported));
    }
    json_t *object = json_object();
    cli_json_set(&object, "column", json_string(fleet->dimensions[d].column));
    cli_json_set(&object, "values", values);
    return object;
}

static json_t *fleet_json(const char *who, const cohort_result *result,
                          bool *reported)
{
    const cohort_fleet *fleet = result->fleet;
    json_t *dimensions = json_array();
    for (uint32_t d = 0; dimensions != NULL && d < fleet->dimension_count; d++)
        cli_json_append(&dimensions, dimension_json(who, fleet, d, reported));
    uint64_t devices =
        result->wave_count != 0 ? result->waves[0].info.fleet : 0;
    json_t *object = json_object();
    cli_json_set(&object, "file", json_string(result->input));
    cli_json_set(&object, "devices", count_json(devices));
    cli_json_set(&object, "strata", count_json(result->strata));
    cli_json_set(&object, "dimensions", dimensions);
    return object;
}

static json_t *rollout_json(const otaprio_cohort_spec *spec)
{
    const char *method = cli_names_name(&cli_names_cohort_method, spec->method);
    char salt[CLI_HEX64_CHARS + 1];
    cli_format_hex64(spec->salt, salt);
    json_t *waves = json_array();
    for (uint32_t k = 0; waves != NULL && k < spec->wave_count; k++)
        cli_json_append(&waves, json_real(spec->waves[k]));
    json_t *object = json_object();
    cli_json_set(&object, "method",
                 json_string(method != NULL ? method : "unknown"));
    cli_json_set(&object, "salt", json_string(salt));
    cli_json_set(&object, "waves", waves);
    cli_json_set(&object, "minimum_per_stratum",
                 count_json(spec->minimum_per_stratum));
    return object;
}

/* ---- waves ----------------------------------------------------------------
 */

/* {"os": "12", "region": "eu"}: the values naming a stratum. */
static json_t *stratum_json(const char *who, const cohort_fleet *fleet,
                            uint64_t id, bool *reported)
{
    uint32_t codes[COHORT_MAX_DIMENSIONS];
    cohort_stratum_codes(fleet, id, codes);
    json_t *object = json_object();
    for (uint32_t d = 0; object != NULL && d < fleet->dimension_count; d++) {
        cli_json_set(&object, fleet->dimensions[d].column,
                     value_json(who, fleet, d, codes[d], reported));
    }
    return object;
}

static json_t *report_json(const char *who, const cohort_fleet *fleet,
                           const otaprio_representativeness *report,
                           bool *reported)
{
    json_t *by_dimension = json_object();
    for (uint32_t d = 0; by_dimension != NULL && d < fleet->dimension_count;
         d++)
        cli_json_set(&by_dimension, fleet->dimensions[d].column,
                     json_real(d < report->dimension_count
                                   ? report->tvd_dimension[d]
                                   : 0.0));
    json_t *worst = json_array();
    for (uint32_t i = 0; worst != NULL && i < report->worst_count; i++) {
        json_t *item = json_object();
        cli_json_set(
            &item, "values",
            stratum_json(who, fleet, report->worst_stratum[i], reported));
        cli_json_set(&item, "fleet_share",
                     json_real(report->worst_fleet_share[i]));
        cli_json_set(&item, "cohort_share",
                     json_real(report->worst_cohort_share[i]));
        cli_json_append(&worst, item);
    }
    json_t *object = json_object();
    cli_json_set(&object, "cohort", count_json(report->cohort));
    cli_json_set(&object, "strata", count_json(report->strata));
    cli_json_set(&object, "strata_covered", count_json(report->strata_covered));
    cli_json_set(&object, "strata_coverage",
                 json_real(report->strata_coverage));
    cli_json_set(&object, "mass_coverage", json_real(report->mass_coverage));
    cli_json_set(&object, "tvd", json_real(report->tvd));
    cli_json_set(&object, "tvd_dimensions", by_dimension);
    cli_json_set(&object, "under_covered", worst);
    return object;
}

/* The identifiers of the devices joining wave `k`, from `*next` on. */
static json_t *devices_json(const char *who, const cohort_listing *listing,
                            uint32_t k, uint64_t *next, bool *reported)
{
    json_t *devices = json_array();
    for (; *next < listing->count && listing->waves[*next] == k; (*next)++) {
        size_t length;
        const char *bytes = cohort_listing_id(listing, *next, &length);
        json_t *id = *reported ? NULL : cli_json_id(who, bytes, length);
        if (id == NULL) {
            *reported = true;
            json_decref(devices);
            return NULL;
        }
        if (!cli_json_append(&devices, id))
            return NULL;
    }
    return devices;
}

static json_t *wave_json(const char *who, const cohort_result *result,
                         uint32_t k, uint64_t *next, bool *reported)
{
    const otaprio_cohort_wave *info = &result->waves[k].info;
    json_t *object = json_object();
    cli_json_set(&object, "wave", count_json(k));
    cli_json_set(&object, "fraction", json_real(info->fraction));
    cli_json_set(&object, "fleet", count_json(info->fleet));
    cli_json_set(&object, "eligible", count_json(info->eligible));
    cli_json_set(&object, "target", count_json(info->target));
    cli_json_set(&object, "selected", count_json(info->selected));
    cli_json_set(&object, "shortfall", count_json(info->shortfall));
    cli_json_set(&object, "strata", count_json(info->strata));
    cli_json_set(&object, "strata_covered", count_json(info->strata_covered));
    cli_json_set(&object, "strata_short_of_minimum",
                 count_json(info->strata_short_of_minimum));
    cli_json_set(&object, "listed", json_boolean(info->listed != 0));
    cli_json_set(
        &object, "representativeness",
        report_json(who, result->fleet, &result->waves[k].report, reported));
    if (result->listing != NULL && info->listed)
        cli_json_set(&object, "devices",
                     devices_json(who, result->listing, k, next, reported));
    return object;
}

int cohort_output_json(const char *who, const cohort_result *result)
{
    /* The whole document is built before a byte is written: nothing is
     * printed unless all of it can be. */
    bool reported = false;
    json_t *waves = json_array();
    uint64_t next = 0; /* the listing is in wave order */
    for (uint32_t k = 0; waves != NULL && k < result->wave_count; k++)
        cli_json_append(&waves, wave_json(who, result, k, &next, &reported));
    json_t *document = json_object();
    cli_json_set(&document, "fleet", fleet_json(who, result, &reported));
    cli_json_set(&document, "rollout", rollout_json(result->spec));
    cli_json_set(&document, "waves", waves);
    if (document == NULL)
        return reported ? CLI_EXIT_FAILURE : encode_failure(who);
    int status = json_dumpf(document, stdout, COHORT_JSON_FLAGS);
    json_decref(document);
    if (status != 0 || fputc('\n', stdout) == EOF)
        return encode_failure(who);
    return 0;
}
