/* SPDX-License-Identifier: MIT */
/*
 * The libcsv side of every CSV the CLI reads: the parser's settings, the
 * read loop, and the messages for malformed, unreadable or empty input, so
 * that the id column of `bucket` and the fleet of `score` are parsed by the
 * same rules and fail with the same words. What a field means is the
 * reader's business, through the callbacks in cli_csv.
 */
#include <errno.h>
#include <string.h>

#include <csv.h>

#include "cli.h"

void cli_csv_init(cli_csv *csv, const char *who, const char *name,
                  cli_csv_field_fn on_field, cli_csv_row_fn on_row, void *user)
{
    memset(csv, 0, sizeof *csv);
    csv->who = who;
    csv->name = strcmp(name, "-") == 0 ? "standard input" : name;
    csv->on_field = on_field;
    csv->on_row = on_row;
    csv->user = user;
    csv->row = 1;
}

static void end_field(void *bytes, size_t length, void *data)
{
    cli_csv *csv = data;
    /* libcsv has no way to stop mid-buffer: after a failure the rest of
     * the buffer's callbacks are ignored. */
    if (csv->status != 0)
        return;
    /* libcsv may pass no buffer for an empty field. */
    const char *text = bytes != NULL ? bytes : "";
    /* Spreadsheets often save UTF-8 with a byte-order mark; it belongs to
     * the encoding, not to the first column's name. */
    if (!csv->header_done && csv->field == 0 && length >= 3 &&
        memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        length -= 3;
    }
    csv->status = csv->on_field(csv->user, text, length);
    csv->field++;
}

static void end_row(int terminator, void *data)
{
    (void)terminator;
    cli_csv *csv = data;
    if (csv->status != 0)
        return;
    csv->status = csv->on_row(csv->user);
    if (csv->status != 0)
        return;
    csv->header_done = true;
    csv->row++;
    csv->field = 0;
}

static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int parse_failure(const cli_csv *csv, struct csv_parser *parser,
                         unsigned long long offset)
{
    int error = csv_error(parser);
    if (error == CSV_EPARSE)
        cli_error(csv->who,
                  "%s: malformed CSV near byte %llu (row %llu): a "
                  "quote inside an unquoted field, text after a "
                  "closing quote, or an unterminated quoted field",
                  csv->name, offset, (unsigned long long)csv->row);
    else
        cli_error(csv->who,
                  "%s: cannot parse CSV near byte %llu (row %llu): %s",
                  csv->name, offset, (unsigned long long)csv->row,
                  csv_strerror(error));
    return CLI_EXIT_FAILURE;
}

int cli_csv_read(cli_csv *csv, FILE *in)
{
    struct csv_parser parser;
    /* Strict: a stray quote is an error rather than a silently different
     * identifier or value (and so a different device). */
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        cli_error(csv->who, "cannot set up the CSV parser: out of memory");
        return CLI_EXIT_FAILURE;
    }
    /* libcsv trims spaces and tabs around unquoted fields by default.
     * RFC 4180, Python's csv module and pandas keep them, and the key of
     * " a" is not the key of "a": keep every byte, and let a reader trim
     * the values it knows to be no identifier. */
    csv_set_space_func(&parser, never_space);

    unsigned char buffer[65536];
    unsigned long long offset = 0;
    size_t got;
    while (csv->status == 0 &&
           (got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        size_t used = csv_parse(&parser, buffer, got, end_field, end_row, csv);
        if (csv->status != 0)
            break;
        if (used != got) {
            csv->status = parse_failure(csv, &parser, offset + used);
            break;
        }
        offset += got;
    }
    if (csv->status == 0 && ferror(in)) {
        int error = errno;
        cli_error(csv->who, "cannot read %s: %s", csv->name, strerror(error));
        csv->status = CLI_EXIT_FAILURE;
    }
    if (csv->status == 0 && csv_fini(&parser, end_field, end_row, csv) != 0 &&
        csv->status == 0)
        csv->status = parse_failure(csv, &parser, offset);
    if (csv->status == 0 && !csv->header_done) {
        cli_error(csv->who, "%s: empty input, expected a header row",
                  csv->name);
        csv->status = CLI_EXIT_FAILURE;
    }
    csv_free(&parser);
    return csv->status;
}
