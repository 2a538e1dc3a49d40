/* SPDX-License-Identifier: MIT */
/*
 * The option values of `otaprio plan` that are more than a file name:
 * strata columns, delayed failures, the canary's power, a level in points.
 * Each is checked before any file is read, so a typo costs no fleet read.
 */
#include <string.h>

#include "plan_cmd.h"

/* The text between `start` and `end`, blanks off both ends. */
static void piece(const char *start, const char *end, const char **bytes,
                  size_t *length)
{
    *bytes = start;
    *length = (size_t)(end - start);
    cli_trim_blanks(bytes, length);
}

int plan_parse_strata(const char *who, const char *text, plan_fleet_args *args)
{
    /* The names stay in argv: each is cut out of its own copy. */
    static char buffer[4096];
    size_t total = strlen(text);
    if (total >= sizeof buffer)
        return cli_usage_error(who, "--strata is too long");
    memcpy(buffer, text, total + 1);
    args->strata_count = 0;
    char *cursor = buffer;
    for (;;) {
        char *comma = strchr(cursor, ',');
        char *end = comma != NULL ? comma : cursor + strlen(cursor);
        const char *name;
        size_t length;
        piece(cursor, end, &name, &length);
        if (length == 0)
            return cli_usage_error(who, "--strata names an empty column");
        ((char *)name)[length] = '\0';
        if (args->strata_count == COHORT_MAX_DIMENSIONS)
            return cli_usage_error(who, "--strata names more than %d columns",
                                   COHORT_MAX_DIMENSIONS);
        for (uint32_t d = 0; d < args->strata_count; d++)
            if (strcmp(args->strata[d], name) == 0)
                return cli_usage_error(who, "--strata names '%s' twice", name);
        args->strata[args->strata_count++] = name;
        if (comma == NULL)
            return CLI_EXIT_OK;
        cursor = comma + 1;
    }
}

int plan_parse_delayed(const char *who, const char *text, uint32_t *delayed)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } kinds[] = {{"battery", OTAPRIO_PLAN_DELAYED_BATTERY},
                 {"thermal", OTAPRIO_PLAN_DELAYED_THERMAL},
                 {"storage", OTAPRIO_PLAN_DELAYED_STORAGE}};
    *delayed = 0;
    const char *cursor = text;
    for (;;) {
        const char *comma = strchr(cursor, ',');
        const char *end = comma != NULL ? comma : cursor + strlen(cursor);
        const char *name;
        size_t length;
        piece(cursor, end, &name, &length);
        uint32_t bit = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (strlen(kinds[k].name) == length &&
                memcmp(kinds[k].name, name, length) == 0)
                bit = kinds[k].bit;
        if (bit == 0) {
            char shown[CLI_QUOTE_SIZE];
            cli_quote(name, length, shown);
            return cli_usage_error(who,
                                   "bad --delayed '%s': expected battery, "
                                   "thermal or storage",
                                   shown);
        }
        *delayed |= bit;
        if (comma == NULL)
            return CLI_EXIT_OK;
        cursor = comma + 1;
    }
}

/* --power METRIC:BASELINE:RISE[:ALPHA[:POWER]]; the library checks the
 * ranges when it plans (and names the field). */
int plan_parse_power(const char *who, const char *text,
                     otaprio_plan_power *power)
{
    otaprio_plan_power_init(power);
    double *fields[] = {&power->baseline, &power->rise, &power->alpha,
                        &power->power};
    const char *colon = strchr(text, ':');
    const char *metric;
    size_t length;
    piece(text, colon != NULL ? colon : text + strlen(text), &metric, &length);
    if (length == 10 && memcmp(metric, "proportion", 10) == 0)
        power->metric = OTAPRIO_PLAN_METRIC_PROPORTION;
    else if (length == 4 && memcmp(metric, "rate", 4) == 0)
        power->metric = OTAPRIO_PLAN_METRIC_RATE;
    else
        colon = NULL;
    size_t count = 0;
    bool bad = colon == NULL;
    while (!bad && colon != NULL && count < 4) {
        const char *start = colon + 1;
        colon = strchr(start, ':');
        const char *bytes;
        piece(start, colon != NULL ? colon : start + strlen(start), &bytes,
              &length);
        if (!cli_parse_double(bytes, length, fields[count]))
            bad = true;
        count++;
    }
    if (bad || count < 2 || colon != NULL) {
        char shown[CLI_QUOTE_SIZE];
        cli_quote(text, strlen(text), shown);
        return cli_usage_error(who,
                               "bad --power '%s': expected "
                               "proportion|rate:BASELINE:RISE[:ALPHA[:POWER]]"
                               ", e.g. proportion:0.01:0.5",
                               shown);
    }
    return CLI_EXIT_OK;
}

int plan_parse_level(const char *who, const char *text, double *level)
{
    if (!cli_parse_double(text, strlen(text), level) ||
        !(*level >= 0.0 && *level <= 100.0)) {
        char shown[CLI_QUOTE_SIZE];
        cli_quote(text, strlen(text), shown);
        return cli_usage_error(who,
                               "bad --critical-level '%s': expected points "
                               "from 0 to 100",
                               shown);
    }
    return CLI_EXIT_OK;
}
