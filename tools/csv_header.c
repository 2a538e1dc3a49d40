/* SPDX-License-Identifier: MIT */
/*
 * What every reader of a fleet CSV does with the header and the rows
 * alike, whatever its columns mean: map each header field to one of its
 * columns, refuse an unknown or repeated column, refuse a row whose field
 * count is not the header's, and name the row and the column of a bad
 * value. One place, so `score`, `cohort` and `simulate` fail with the same
 * words.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

int cli_csv_grow_index(const cli_csv *csv, size_t **index, size_t *capacity,
                       size_t used)
{
    if (used < *capacity)
        return 0;
    size_t grown_capacity = *capacity != 0 ? *capacity * 2 : 32;
    size_t *grown = realloc(*index, grown_capacity * sizeof *grown);
    if (grown == NULL) {
        cli_error(csv->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    *index = grown;
    *capacity = grown_capacity;
    return 0;
}

int cli_csv_header_add(const cli_csv *csv, cli_csv_header *header,
                       const char *bytes, size_t length)
{
    /* "id, battery" headers: spaces around a name are no part of it. */
    cli_trim_blanks(&bytes, &length);
    if (cli_csv_grow_index(csv, &header->column_of, &header->capacity,
                           header->fields) != 0)
        return CLI_EXIT_FAILURE;
    size_t index;
    if (cli_key_table_find(header->table, bytes, length, &index) == NULL) {
        if (header->ignore_unknown) {
            header->column_of[header->fields++] = CLI_CSV_IGNORED;
            return 0;
        }
        char known[512], shown[CLI_QUOTE_SIZE];
        cli_key_table_list(header->table, known, sizeof known);
        cli_quote(bytes, length, shown);
        cli_error(csv->who,
                  "%s: unknown column '%s' in the header; known columns: "
                  "%s%s",
                  csv->name, shown, known,
                  header->unknown_hint != NULL ? header->unknown_hint : "");
        return CLI_EXIT_FAILURE;
    }
    if (header->present[index]) {
        /* Picking either would be a guess about the devices' state. */
        /* The field matched the column's name: it is that name. */
        cli_error(csv->who, "%s: column '%.*s' appears more than once",
                  csv->name, (int)length, bytes);
        return CLI_EXIT_FAILURE;
    }
    header->present[index] = true;
    header->column_of[header->fields++] = index;
    return 0;
}

void cli_csv_header_release(cli_csv_header *header)
{
    free(header->column_of);
    header->column_of = NULL;
    header->fields = header->capacity = 0;
}

int cli_csv_field_check(const cli_csv *csv, size_t fields)
{
    if (csv->field < fields)
        return 0;
    cli_error(csv->who,
              "%s: row %" PRIu64 " has more fields than the header's %zu",
              csv->name, csv->row, fields);
    return CLI_EXIT_FAILURE;
}

int cli_csv_row_check(const cli_csv *csv, size_t fields)
{
    if (csv->field == fields)
        return 0;
    /* A short row is a damaged file, not a device with defaults. */
    cli_error(
        csv->who, "%s: row %" PRIu64 " has %zu field%s but the header has %zu",
        csv->name, csv->row, csv->field, csv->field == 1 ? "" : "s", fields);
    return CLI_EXIT_FAILURE;
}

int cli_csv_bad_value(const cli_csv *csv, const char *column, const char *bytes,
                      size_t length, const char *problem)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    cli_error(csv->who, "%s: row %" PRIu64 ", column '%s': '%s' %s", csv->name,
              csv->row, column, shown, problem);
    return CLI_EXIT_FAILURE;
}
