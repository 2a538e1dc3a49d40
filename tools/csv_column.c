/* SPDX-License-Identifier: MIT */
/*
 * Reads one named column of a CSV file, streaming through csv_stream.c:
 * memory is bounded by the longest field, not by the file.
 */
#include <string.h>

#include "cli.h"

typedef struct reader {
    cli_csv csv; /* the input, the position and the first failure */
    const char *column;
    size_t column_length;
    csv_column_fn fn;
    void *user;
    size_t index;        /* the column's field index, once the header is read */
    bool found;          /* the header has the column */
    bool seen;           /* the current row reached the column */
    cli_name_list names; /* for the "no such column" message */
} reader;

static int on_header_field(reader *r, const char *bytes, size_t length)
{
    cli_name_list_add(&r->names, bytes, length);
    if (length != r->column_length || memcmp(bytes, r->column, length) != 0)
        return 0;
    if (r->found) {
        /* Picking either would be a guess about which devices are meant. */
        cli_error(r->csv.who, "%s: column '%s' appears more than once",
                  r->csv.name, r->column);
        return CLI_EXIT_FAILURE;
    }
    r->found = true;
    r->index = r->csv.field;
    return 0;
}

static int on_field(void *user, const char *bytes, size_t length)
{
    reader *r = user;
    if (!r->csv.header_done)
        return on_header_field(r, bytes, length);
    if (r->csv.field != r->index)
        return 0;
    r->seen = true;
    return r->fn(r->user, bytes, length);
}

static int on_row(void *user)
{
    reader *r = user;
    if (!r->csv.header_done) {
        if (!r->found) {
            cli_error(r->csv.who,
                      "%s: no column '%s' in the header (columns: %s)",
                      r->csv.name, r->column, r->names.text);
            return CLI_EXIT_FAILURE;
        }
    } else if (!r->seen) {
        /* A short row is a damaged file, not a device with an empty id. */
        cli_error(r->csv.who,
                  "%s: row %llu has %zu field%s but column '%s' is field %zu",
                  r->csv.name, (unsigned long long)r->csv.row, r->csv.field,
                  r->csv.field == 1 ? "" : "s", r->column, r->index + 1);
        return CLI_EXIT_FAILURE;
    }
    r->seen = false;
    return 0;
}

int csv_column_read(FILE *in, const char *name, const char *column,
                    const char *who, csv_column_fn fn, void *user)
{
    reader r;
    memset(&r, 0, sizeof r);
    cli_csv_init(&r.csv, who, name, on_field, on_row, &r);
    r.column = column;
    r.column_length = strlen(column);
    r.fn = fn;
    r.user = user;
    return cli_csv_read(&r.csv, in);
}
