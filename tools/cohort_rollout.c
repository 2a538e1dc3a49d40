/* SPDX-License-Identifier: MIT */
/*
 * The option values of `otaprio cohort` that become arrays of the
 * library's rollout spec: the wave schedule, the excluded clusters, the
 * caps, and the strata the fleet's dictionaries define. Only the syntax is
 * checked here; what the values mean (a schedule that does not increase, a
 * fraction of 0) is the library's to judge, so its rules are stated once.
 */
#include <stdlib.h>
#include <string.h>

#include "cohort_cmd.h"

void cohort_rollout_init(cohort_rollout *rollout)
{
    memset(rollout, 0, sizeof *rollout);
    otaprio_cohort_spec_init(&rollout->spec);
}

void cohort_rollout_release(cohort_rollout *rollout)
{
    free(rollout->waves);
    free(rollout->excluded_clusters);
    for (size_t i = 0; i < rollout->cap_count; i++)
        free(rollout->cap_names[i]);
    free(rollout->cap_names);
    free(rollout->cap_values);
    free(rollout->caps);
    free(rollout->cardinalities);
    free(rollout->stratum_sd);
    memset(rollout, 0, sizeof *rollout);
}

/* Items of a comma-separated list, at most. */
static size_t item_count(const char *text)
{
    size_t count = 1;
    for (const char *p = text; *p != '\0'; p++)
        count += *p == ',';
    return count;
}

/* The next item of a list at `*cursor`, blanks trimmed; moves past it. */
static void next_item(const char **cursor, const char **item, size_t *length)
{
    const char *start = *cursor;
    const char *comma = strchr(start, ',');
    size_t size = comma != NULL ? (size_t)(comma - start) : strlen(start);
    *cursor = comma != NULL ? comma + 1 : start + size;
    *item = start;
    *length = size;
    cli_trim_blanks(item, length);
}

static int no_memory(const char *who)
{
    cli_error(who, "out of memory");
    return CLI_EXIT_FAILURE;
}

int cohort_rollout_waves(const char *who, const char *text,
                         cohort_rollout *rollout)
{
    size_t count = item_count(text);
    double *waves = malloc(count * sizeof *waves);
    if (waves == NULL)
        return no_memory(who);
    const char *cursor = text;
    for (size_t i = 0; i < count; i++) {
        const char *item;
        size_t length;
        next_item(&cursor, &item, &length);
        if (!cli_parse_double(item, length, &waves[i])) {
            free(waves);
            return cli_usage_error(who,
                                   "bad --waves '%s': item %zu is not a "
                                   "number; expected cumulative fractions "
                                   "like 0.01,0.1,1",
                                   text, i + 1);
        }
    }
    free(rollout->waves);
    rollout->waves = waves;
    rollout->spec.waves = waves;
    /* Past the library's limit of waves, it says so. */
    rollout->spec.wave_count =
        count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
    return CLI_EXIT_OK;
}

int cohort_rollout_clusters(const char *who, const char *text,
                            cohort_rollout *rollout)
{
    size_t count = item_count(text);
    uint32_t *clusters = malloc(count * sizeof *clusters);
    if (clusters == NULL)
        return no_memory(who);
    const char *cursor = text;
    for (size_t i = 0; i < count; i++) {
        const char *item;
        size_t length;
        uint64_t number;
        next_item(&cursor, &item, &length);
        if (!cli_parse_uint(item, length, UINT32_MAX, &number)) {
            free(clusters);
            return cli_usage_error(who,
                                   "bad --exclude-clusters '%s': item %zu is "
                                   "not a whole number from 0 to 4294967295",
                                   text, i + 1);
        }
        clusters[i] = (uint32_t)number;
    }
    free(rollout->excluded_clusters);
    rollout->excluded_clusters = clusters;
    rollout->spec.excluded_clusters = clusters;
    rollout->spec.excluded_cluster_count = count;
    return CLI_EXIT_OK;
}

int cohort_rollout_cap_list(const char *who, const char *text,
                            cohort_rollout *rollout)
{
    size_t count = item_count(text);
    rollout->cap_names = calloc(count, sizeof *rollout->cap_names);
    rollout->cap_values = calloc(count, sizeof *rollout->cap_values);
    if (rollout->cap_names == NULL || rollout->cap_values == NULL)
        return no_memory(who);
    const char *cursor = text;
    for (size_t i = 0; i < count; i++) {
        const char *item;
        size_t length;
        next_item(&cursor, &item, &length);
        /* The last '=': a value may hold one, a number never does. */
        const char *equals = NULL;
        for (size_t k = 0; k < length; k++)
            if (item[k] == '=')
                equals = item + k;
        const char *number = equals != NULL ? equals + 1 : NULL;
        size_t number_length =
            equals != NULL ? length - (size_t)(number - item) : 0;
        if (equals == NULL || !cli_parse_uint(number, number_length, UINT64_MAX,
                                              &rollout->cap_values[i]))
            return cli_usage_error(who,
                                   "bad --caps '%s': item %zu is not "
                                   "VALUE=N with N a whole number",
                                   text, i + 1);
        const char *name = item;
        size_t name_length = (size_t)(equals - item);
        cli_trim_blanks(&name, &name_length);
        char *copy = malloc(name_length + 1);
        if (copy == NULL)
            return no_memory(who);
        memcpy(copy, name, name_length);
        copy[name_length] = '\0';
        rollout->cap_names[i] = copy;
        rollout->cap_count = i + 1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(rollout->cap_names[k], copy) == 0)
                return cli_usage_error(who,
                                       "bad --caps '%s': value '%s' is "
                                       "capped twice",
                                       text, copy);
    }
    return CLI_EXIT_OK;
}

/* Sets the caps of dimension `d`: the --caps value of each code, no cap
 * for the codes --caps does not name. */
static int resolve_caps(const char *who, const cohort_fleet *fleet, uint32_t d,
                        cohort_rollout *rollout)
{
    uint32_t count = cohort_fleet_cardinality(fleet, d);
    rollout->caps = malloc(count * sizeof *rollout->caps);
    if (rollout->caps == NULL)
        return no_memory(who);
    for (uint32_t code = 0; code < count; code++)
        rollout->caps[code] = UINT64_MAX;
    const cohort_dimension *dimension = &fleet->dimensions[d];
    for (size_t i = 0; i < rollout->cap_count; i++) {
        const char *name = rollout->cap_names[i];
        uint32_t code;
        /* A cap on a value no device has is most likely a typo, and a
         * typo would leave the real value uncapped. */
        if (!cli_value_dict_find(&dimension->values, name, strlen(name),
                                 &code)) {
            char shown[CLI_QUOTE_SIZE];
            cli_quote(name, strlen(name), shown);
            cli_error(who,
                      "--caps: no device of %s has '%s' in column '%s'; "
                      "check the spelling",
                      fleet->name, shown, dimension->column);
            return CLI_EXIT_FAILURE;
        }
        rollout->caps[dimension->code_of[code]] = rollout->cap_values[i];
    }
    rollout->spec.cap_dimension = (int32_t)d;
    rollout->spec.caps = rollout->caps;
    return 0;
}

int cohort_rollout_strata(const char *who, const cohort_fleet *fleet,
                          int32_t cap_dimension, cohort_rollout *rollout)
{
    uint32_t count = fleet->dimension_count;
    rollout->cardinalities =
        malloc((count != 0 ? count : 1) * sizeof *rollout->cardinalities);
    if (rollout->cardinalities == NULL)
        return no_memory(who);
    for (uint32_t d = 0; d < count; d++)
        rollout->cardinalities[d] = cohort_fleet_cardinality(fleet, d);
    rollout->spec.dimension_count = count;
    rollout->spec.cardinalities = rollout->cardinalities;
    if (cap_dimension >= 0)
        return resolve_caps(who, fleet, (uint32_t)cap_dimension, rollout);
    return 0;
}
