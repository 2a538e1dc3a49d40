/* SPDX-License-Identifier: MIT */
/*
 * Reads one named column of a CSV file, streaming through csv_stream.c:
 * memory is bounded by the longest field, not by the file.
 */
#include <string.h>

#include "cli.h"

/* Column names quoted in the "no such column" message, at most. */
#define NAMES_MAX 240

typedef struct reader {
    cli_csv csv; /* the input, the position and the first failure */
    const char *column;
    size_t column_length;
    csv_column_fn fn;
    void *user;
    size_t index; /* the column's field index, once the header is read */
    bool found;   /* the header has the column */
    bool seen;    /* the current row reached the column */
    char names[NAMES_MAX + 4];
    size_t names_length;
} reader;

static void add_name(reader *r, const char *bytes, size_t length)
{
    /* Only for the message: a header with hundreds of columns is cut. */
    if (r->names_length > NAMES_MAX)
        return;
    const char *separator = r->names_length != 0 ? ", " : "";
    size_t room = NAMES_MAX - r->names_length;
    int written =
        snprintf(r->names + r->names_length, room + 1, "%s%.*s", separator,
                 length > (size_t)NAMES_MAX ? NAMES_MAX : (int)length, bytes);
    if (written < 0 || (size_t)written > room) {
        memcpy(r->names + NAMES_MAX, "...", 4);
        r->names_length = NAMES_MAX + 1;
    } else {
        r->names_length += (size_t)written;
    }
}

static int on_header_field(reader *r, const char *bytes, size_t length)
{
    add_name(r, bytes, length);
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
                      r->csv.name, r->column, r->names);
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
    r.names[0] = '\0';
    return cli_csv_read(&r.csv, in);
}
