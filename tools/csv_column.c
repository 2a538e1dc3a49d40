/* SPDX-License-Identifier: MIT */
/*
 * Reads one named column of a CSV file with libcsv, streaming: memory is
 * bounded by the longest field, not by the file.
 */
#include <errno.h>
#include <string.h>

#include <csv.h>

#include "cli.h"

/* Column names quoted in the "no such column" message, at most. */
#define NAMES_MAX 240

typedef struct reader {
    const char *who;
    const char *name; /* the input, as shown in messages */
    const char *column;
    size_t column_length;
    csv_column_fn fn;
    void *user;
    uint64_t row; /* 1-based row being parsed; the header is row 1 */
    size_t field; /* index of the next field within the row */
    size_t index; /* the column's field index, once the header is read */
    bool header_done;
    bool found; /* the header has the column */
    bool seen;  /* the current row reached the column */
    int status; /* first failure; callbacks do nothing once it is set */
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

static void on_header_field(reader *r, const char *bytes, size_t length)
{
    /* Spreadsheets often save UTF-8 with a byte-order mark; it belongs to
     * the encoding, not to the first column's name. */
    if (r->field == 0 && length >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        bytes += 3;
        length -= 3;
    }
    add_name(r, bytes, length);
    if (length != r->column_length || memcmp(bytes, r->column, length) != 0)
        return;
    if (r->found) {
        /* Picking either would be a guess about which devices are meant. */
        cli_error(r->who, "%s: column '%s' appears more than once", r->name,
                  r->column);
        r->status = CLI_EXIT_FAILURE;
        return;
    }
    r->found = true;
    r->index = r->field;
}

static void on_field(void *bytes, size_t length, void *data)
{
    reader *r = data;
    if (r->status != 0)
        return;
    /* libcsv may pass no buffer for an empty field. */
    const char *text = bytes != NULL ? bytes : "";
    if (!r->header_done) {
        on_header_field(r, text, length);
    } else if (r->field == r->index) {
        r->seen = true;
        r->status = r->fn(r->user, text, length);
    }
    r->field++;
}

static void on_row(int terminator, void *data)
{
    (void)terminator;
    reader *r = data;
    if (r->status != 0)
        return;
    if (!r->header_done) {
        r->header_done = true;
        if (!r->found) {
            cli_error(r->who, "%s: no column '%s' in the header (columns: %s)",
                      r->name, r->column, r->names);
            r->status = CLI_EXIT_FAILURE;
            return;
        }
    } else if (!r->seen) {
        /* A short row is a damaged file, not a device with an empty id. */
        cli_error(r->who,
                  "%s: row %llu has %zu field%s but column '%s' is field %zu",
                  r->name, (unsigned long long)r->row, r->field,
                  r->field == 1 ? "" : "s", r->column, r->index + 1);
        r->status = CLI_EXIT_FAILURE;
        return;
    }
    r->row++;
    r->field = 0;
    r->seen = false;
}

static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int parse_failure(reader *r, struct csv_parser *parser,
                         unsigned long long offset)
{
    int error = csv_error(parser);
    if (error == CSV_EPARSE)
        cli_error(r->who,
                  "%s: malformed CSV near byte %llu (row %llu): a "
                  "quote inside an unquoted field, text after a "
                  "closing quote, or an unterminated quoted field",
                  r->name, offset, (unsigned long long)r->row);
    else
        cli_error(r->who, "%s: cannot parse CSV near byte %llu (row %llu): %s",
                  r->name, offset, (unsigned long long)r->row,
                  csv_strerror(error));
    return CLI_EXIT_FAILURE;
}

int csv_column_read(FILE *in, const char *name, const char *column,
                    const char *who, csv_column_fn fn, void *user)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.who = who;
    r.name = strcmp(name, "-") == 0 ? "standard input" : name;
    r.column = column;
    r.column_length = strlen(column);
    r.fn = fn;
    r.user = user;
    r.row = 1;
    r.names[0] = '\0';

    struct csv_parser parser;
    /* Strict: a stray quote is an error rather than a silently different
     * identifier (and so a different device). */
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        cli_error(who, "cannot set up the CSV parser: out of memory");
        return CLI_EXIT_FAILURE;
    }
    /* libcsv trims spaces and tabs around unquoted fields by default.
     * RFC 4180, Python's csv module and pandas keep them, and the key of
     * " a" is not the key of "a": keep every byte. */
    csv_set_space_func(&parser, never_space);

    unsigned char buffer[65536];
    unsigned long long offset = 0;
    size_t got;
    while (r.status == 0 && (got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        size_t used = csv_parse(&parser, buffer, got, on_field, on_row, &r);
        if (r.status != 0)
            break;
        if (used != got) {
            r.status = parse_failure(&r, &parser, offset + used);
            break;
        }
        offset += got;
    }
    if (r.status == 0 && ferror(in)) {
        int error = errno;
        cli_error(who, "cannot read %s: %s", r.name, strerror(error));
        r.status = CLI_EXIT_FAILURE;
    }
    if (r.status == 0 && csv_fini(&parser, on_field, on_row, &r) != 0 &&
        r.status == 0)
        r.status = parse_failure(&r, &parser, offset);
    if (r.status == 0 && !r.header_done) {
        cli_error(who, "%s: empty input, expected a header row", r.name);
        r.status = CLI_EXIT_FAILURE;
    }
    csv_free(&parser);
    return r.status;
}
