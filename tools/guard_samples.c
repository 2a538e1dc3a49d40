/* SPDX-License-Identifier: MIT */
/*
 * The samples file of continuous metrics: a long CSV of one value per row,
 * `metric,stratum,group,value` (stratum optional), group `canary` or
 * `baseline`. The values go to guard_telemetry.c, which hands them to the
 * library through the samples callback.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "guard_cmd.h"

enum { METRIC, STRATUM, GROUP, VALUE, COLUMN_COUNT };
static const char *const columns[COLUMN_COUNT] = {"metric", "stratum", "group",
                                                  "value"};

typedef struct samples_reader {
    const char *who;
    const char *file;
    guard_telemetry *telemetry;
} samples_reader;

static int bad(const samples_reader *r, uint64_t row, const char *column,
               const char *bytes, size_t length, const char *problem)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes != NULL ? bytes : "", length, shown);
    cli_error(r->who, "%s: row %" PRIu64 ", column '%s': '%s' %s", r->file, row,
              column, shown, problem);
    return CLI_EXIT_FAILURE;
}

static int on_row(void *user, uint64_t row, const char *const *cells,
                  const size_t *lengths)
{
    samples_reader *r = user;
    for (int c = 0; c < COLUMN_COUNT; c++)
        if (c != STRATUM && cells[c] == NULL)
            return bad(r, row, columns[c], "", 0,
                       "is empty; every sample names its metric, group and "
                       "value");
    int group =
        cli_names_find(&cli_names_guard_group, cells[GROUP], lengths[GROUP]);
    if (group < 0)
        return bad(r, row, "group", cells[GROUP], lengths[GROUP],
                   "is no group; expected canary or baseline");
    double value;
    if (!cli_parse_double(cells[VALUE], lengths[VALUE], &value))
        return bad(r, row, "value", cells[VALUE], lengths[VALUE],
                   "is not a number");
    if (!isfinite(value))
        return bad(r, row, "value", cells[VALUE], lengths[VALUE],
                   "is not a finite number");
    guard_origin origin = {r->who, r->file, "row", row};
    return guard_telemetry_add_sample(r->telemetry, &origin, cells[METRIC],
                                      lengths[METRIC], cells[STRATUM],
                                      lengths[STRATUM], (int32_t)group, value);
}

int guard_samples_read(const char *who, const char *path,
                       guard_telemetry *telemetry)
{
    samples_reader r = {who, strcmp(path, "-") == 0 ? "standard input" : path,
                        telemetry};
    guard_csv_spec spec = {columns, COLUMN_COUNT,
                           (1u << METRIC) | (1u << GROUP) | (1u << VALUE),
                           on_row, &r};
    const char *shown;
    return guard_csv_read(who, path, &spec, &shown);
}
