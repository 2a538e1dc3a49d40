/* SPDX-License-Identifier: MIT */
/*
 * The CSV files of `otaprio guard` (counts and samples): a header that
 * names known columns in any order, then rows whose cells are handed over
 * by column, blanks trimmed, NULL when empty or absent. Parsing is
 * csv_stream.c's (libcsv, strict); this file only keeps one row's cells
 * until the row ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guard_cmd.h"

#define IGNORED SIZE_MAX

typedef struct reader {
    cli_csv csv;
    const guard_csv_spec *spec;
    size_t *column_of; /* per header field: column index */
    size_t fields;     /* header fields */
    size_t capacity;
    bool present[GUARD_CSV_MAX_COLUMNS];
    /* The row being read: its bytes back to back, and per column its
     * start and length (SIZE_MAX: no cell). */
    char *bytes;
    size_t used;
    size_t bytes_capacity;
    size_t start[GUARD_CSV_MAX_COLUMNS];
    size_t length[GUARD_CSV_MAX_COLUMNS];
    size_t row_fields;
} reader;

static int out_of_memory(const reader *r)
{
    cli_error(r->csv.who, "out of memory");
    return CLI_EXIT_FAILURE;
}

static int header_field(reader *r, const char *bytes, size_t length)
{
    cli_trim_blanks(&bytes, &length);
    if (r->fields == r->capacity) {
        size_t capacity = r->capacity != 0 ? r->capacity * 2 : 16;
        size_t *grown = realloc(r->column_of, capacity * sizeof *grown);
        if (grown == NULL)
            return out_of_memory(r);
        r->column_of = grown;
        r->capacity = capacity;
    }
    const guard_csv_spec *spec = r->spec;
    size_t index = IGNORED;
    for (size_t c = 0; c < spec->count; c++)
        if (strlen(spec->columns[c]) == length &&
            memcmp(spec->columns[c], bytes, length) == 0)
            index = c;
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    if (index == IGNORED) {
        char known[512] = "";
        size_t used = 0;
        for (size_t c = 0; c < spec->count; c++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                     c != 0 ? ", " : "", spec->columns[c]);
        cli_error(r->csv.who,
                  "%s: unknown column '%s' in the header; known columns: %s",
                  r->csv.name, shown, known);
        return CLI_EXIT_FAILURE;
    }
    if (r->present[index]) {
        cli_error(r->csv.who, "%s: column '%s' appears more than once",
                  r->csv.name, shown);
        return CLI_EXIT_FAILURE;
    }
    r->present[index] = true;
    r->column_of[r->fields++] = index;
    return 0;
}

static int on_field(void *user, const char *bytes, size_t length)
{
    reader *r = user;
    if (!r->csv.header_done)
        return header_field(r, bytes, length);
    size_t field = r->csv.field;
    r->row_fields = field + 1;
    if (field >= r->fields)
        return 0; /* reported at the row's end, with the count */
    cli_trim_blanks(&bytes, &length);
    size_t column = r->column_of[field];
    if (length == 0)
        return 0;
    if (r->used + length > r->bytes_capacity) {
        size_t capacity = r->bytes_capacity != 0 ? r->bytes_capacity : 256;
        while (capacity < r->used + length)
            capacity *= 2;
        char *grown = realloc(r->bytes, capacity);
        if (grown == NULL)
            return out_of_memory(r);
        r->bytes = grown;
        r->bytes_capacity = capacity;
    }
    memcpy(r->bytes + r->used, bytes, length);
    r->start[column] = r->used;
    r->length[column] = length;
    r->used += length;
    return 0;
}

static void clear_row(reader *r)
{
    r->used = 0;
    r->row_fields = 0;
    for (size_t c = 0; c < GUARD_CSV_MAX_COLUMNS; c++)
        r->start[c] = SIZE_MAX;
}

static int on_row(void *user)
{
    reader *r = user;
    const guard_csv_spec *spec = r->spec;
    if (!r->csv.header_done) {
        for (size_t c = 0; c < spec->count; c++)
            if (((spec->required >> c) & 1u) && !r->present[c]) {
                cli_error(r->csv.who,
                          "%s: the header has no column '%s', which every "
                          "row needs",
                          r->csv.name, spec->columns[c]);
                return CLI_EXIT_FAILURE;
            }
        clear_row(r);
        return 0;
    }
    /* An empty line between rows carries no data: skip it, as Python's
     * csv module does. */
    bool blank = r->row_fields <= 1 && r->used == 0;
    if (blank) {
        clear_row(r);
        return 0;
    }
    if (r->row_fields != r->fields) {
        cli_error(r->csv.who, "%s: row %llu has %zu fields; the header has %zu",
                  r->csv.name, (unsigned long long)r->csv.row, r->row_fields,
                  r->fields);
        return CLI_EXIT_FAILURE;
    }
    const char *cells[GUARD_CSV_MAX_COLUMNS];
    size_t lengths[GUARD_CSV_MAX_COLUMNS];
    for (size_t c = 0; c < spec->count; c++) {
        bool has = r->start[c] != SIZE_MAX;
        cells[c] = has ? r->bytes + r->start[c] : NULL;
        lengths[c] = has ? r->length[c] : 0;
    }
    int status = spec->row(spec->user, r->csv.row, cells, lengths);
    clear_row(r);
    return status;
}

int guard_csv_read(const char *who, const char *path,
                   const guard_csv_spec *spec, const char **shown)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    reader r;
    memset(&r, 0, sizeof r);
    cli_csv_init(&r.csv, who, path, on_field, on_row, &r);
    *shown = r.csv.name;
    if (in == NULL) {
        cli_error(who, "cannot open %s: %s", path, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    r.spec = spec;
    clear_row(&r);
    int status = cli_csv_read(&r.csv, in);
    if (!from_stdin)
        fclose(in); /* read-only: nothing to lose on close */
    free(r.column_of);
    free(r.bytes);
    return status;
}
