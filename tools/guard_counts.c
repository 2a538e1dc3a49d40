/* SPDX-License-Identifier: MIT */
/*
 * The counts file: one row per metric and stratum, as CSV (columns metric,
 * stratum, then the count and window columns by their otaprio_guard_data
 * names) or as JSON ({"rows": [{the same keys}]}). Both become the same
 * text cells, so a value is checked by one rule (guard_telemetry.c)
 * whichever file carried it.
 */
#include <inttypes.h>
#include <string.h>

#include "guard_cmd.h"

/* Columns 0 and 1, then the GUARD_COL_* columns from 2. */
#define FIRST_COUNT 2
static const char *const columns[FIRST_COUNT + GUARD_COL_COUNT] = {
    "metric",           "stratum",           "canary_events",
    "canary_trials",    "canary_exposure",   "baseline_events",
    "baseline_trials",  "baseline_exposure", "window_start_hours",
    "window_end_hours",
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

typedef struct counts_reader {
    const char *who;
    const char *file;
    guard_telemetry *telemetry;
} counts_reader;

static int add_cells(counts_reader *r, const char *unit, uint64_t row,
                     const char *const *cells, const size_t *lengths)
{
    guard_origin origin = {r->who, r->file, unit, row};
    guard_cells row_cells;
    memset(&row_cells, 0, sizeof row_cells);
    row_cells.metric = cells[0];
    row_cells.metric_length = lengths[0];
    row_cells.stratum = cells[1];
    row_cells.stratum_length = lengths[1];
    for (int c = 0; c < GUARD_COL_COUNT; c++) {
        row_cells.value[c] = cells[FIRST_COUNT + c];
        row_cells.length[c] = lengths[FIRST_COUNT + c];
    }
    return guard_telemetry_add(r->telemetry, &origin, &row_cells);
}

static int csv_row(void *user, uint64_t row, const char *const *cells,
                   const size_t *lengths)
{
    return add_cells(user, "row", row, cells, lengths);
}

/* ---- JSON ---------------------------------------------------------------- */

/* One value of a row object as the text a CSV cell would hold. Numbers
 * print exactly: whole ones as integers, reals with 17 digits. */
static int json_cell(counts_reader *r, uint64_t row, const char *key,
                     json_t *value, size_t column, char *text, size_t size,
                     const char **cell, size_t *length)
{
    char where[64];
    snprintf(where, sizeof where, "rows[%" PRIu64 "]", row);
    cli_json_where at = {r->who, r->file, key, -1};
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s: %s", r->file, where);
    at.file = prefix;
    if (json_is_null(value))
        return 0;
    if (column < FIRST_COUNT) {
        if (!json_is_string(value)) {
            cli_json_report(&at, "expected a string, got %s",
                            cli_json_type_name(value));
            return CLI_EXIT_FAILURE;
        }
        *cell = json_string_value(value);
        *length = json_string_length(value);
        return 0;
    }
    if (json_is_integer(value))
        snprintf(text, size, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(value));
    else if (json_is_real(value))
        snprintf(text, size, "%.17g", json_real_value(value));
    else {
        cli_json_report(&at, "expected a number, got %s",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    *cell = text;
    *length = strlen(text);
    return 0;
}

static int json_row(counts_reader *r, uint64_t row, json_t *object)
{
    if (!json_is_object(object)) {
        cli_error(r->who, "%s: rows[%" PRIu64 "]: expected an object, got %s",
                  r->file, row, cli_json_type_name(object));
        return CLI_EXIT_FAILURE;
    }
    const char *cells[COLUMN_COUNT] = {NULL};
    size_t lengths[COLUMN_COUNT] = {0};
    char texts[COLUMN_COUNT][64];
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        size_t column = COLUMN_COUNT;
        for (size_t c = 0; c < COLUMN_COUNT; c++)
            if (strcmp(columns[c], key) == 0)
                column = c;
        if (column == COLUMN_COUNT) {
            char where[512];
            snprintf(where, sizeof where, "%s: rows[%" PRIu64 "]", r->file,
                     row);
            char known[512] = "";
            size_t used = 0;
            for (size_t c = 0; c < COLUMN_COUNT; c++)
                used +=
                    (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                     c != 0 ? ", " : "", columns[c]);
            return cli_json_unknown_key(r->who, where, "row", key, known);
        }
        if (json_cell(r, row, key, value, column, texts[column],
                      sizeof texts[column], &cells[column],
                      &lengths[column]) != 0)
            return CLI_EXIT_FAILURE;
        /* An empty string is an absent value, as an empty CSV cell. */
        if (cells[column] != NULL && lengths[column] == 0)
            cells[column] = NULL;
    }
    return add_cells(r, "rows", row, cells, lengths);
}

static int read_json(counts_reader *r, const char *path)
{
    json_t *root = cli_json_load_object(r->who, path, "telemetry");
    if (root == NULL)
        return CLI_EXIT_FAILURE;
    int status = 0;
    const char *key;
    json_t *value;
    json_t *rows = NULL;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "rows") != 0) {
            status =
                cli_json_unknown_key(r->who, r->file, "telemetry", key, "rows");
            break;
        }
        rows = value;
    }
    if (status == 0 && !json_is_array(rows)) {
        cli_error(r->who,
                  "%s: key 'rows': expected an array of row objects, got %s",
                  r->file, rows != NULL ? cli_json_type_name(rows) : "nothing");
        status = CLI_EXIT_FAILURE;
    }
    size_t i;
    json_t *object;
    if (status == 0)
        json_array_foreach(rows, i, object)
        {
            status = json_row(r, i, object);
            if (status != 0)
                break;
        }
    json_decref(root);
    return status;
}

int guard_counts_read(const char *who, const char *path, bool json,
                      guard_telemetry *telemetry)
{
    counts_reader r = {who, strcmp(path, "-") == 0 ? "standard input" : path,
                       telemetry};
    telemetry->counts_file = r.file;
    if (json)
        return read_json(&r, path);
    guard_csv_spec spec = {columns, COLUMN_COUNT, 1u << 0, csv_row, &r};
    const char *shown;
    return guard_csv_read(who, path, &spec, &shown);
}
