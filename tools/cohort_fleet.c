/* SPDX-License-Identifier: MIT */
/*
 * The fleet of `otaprio cohort`: a CSV whose columns the command line
 * names (the identifier, the strata, the eligibility flags), read as often
 * as the command needs, a chunk at a time through csv_stream.c. Columns
 * the command line does not name are skipped: a fleet export has many.
 *
 * The first pass gives each strata value a code in order of appearance;
 * cohort_fleet_code() then renumbers every dimension in byte order of its
 * values, and later passes give the library those codes.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_cmd.h"

/* A header field that no named column uses, and the end of a chain. */
#define NONE SIZE_MAX
void cohort_fleet_init(cohort_fleet *fleet, const char *who)
{
    memset(fleet, 0, sizeof *fleet);
    fleet->who = who;
    for (uint32_t d = 0; d < COHORT_MAX_DIMENSIONS; d++)
        cli_value_dict_init(&fleet->dimensions[d].values);
}

void cohort_fleet_add_column(cohort_fleet *fleet, const char *name,
                             const char *option, cohort_role role)
{
    cohort_column *column = &fleet->columns[fleet->column_count++];
    column->name = name;
    column->option = option;
    column->role = role;
    column->dimension = 0;
    if (role == COHORT_ROLE_STRATUM) {
        column->dimension = fleet->dimension_count;
        fleet->dimensions[fleet->dimension_count++].column = name;
    }
}

void cohort_fleet_close(cohort_fleet *fleet)
{
    if (fleet->owned && fleet->in != NULL)
        fclose(fleet->in); /* read-only or temporary: nothing to lose */
    fleet->in = NULL;
    for (uint32_t d = 0; d < COHORT_MAX_DIMENSIONS; d++) {
        cohort_dimension *dimension = &fleet->dimensions[d];
        cli_value_dict_release(&dimension->values);
        free(dimension->code_of);
        free(dimension->value_of);
        dimension->code_of = NULL;
        dimension->value_of = NULL;
    }
}

void cohort_chunk_init(cohort_chunk *chunk)
{
    chunk->count = 0;
    cli_id_chunk_init(&chunk->ids);
}

void cohort_chunk_release(cohort_chunk *chunk)
{
    cli_id_chunk_release(&chunk->ids);
}

/* ---- opening ----------------------------------------------------------- */

/* Copies what is left of `in` to a temporary file, for an input that can
 * be read only once. */
static int spool(cohort_fleet *fleet, FILE *in)
{
    FILE *copy = tmpfile();
    if (copy == NULL) {
        int error = errno;
        cli_error(fleet->who,
                  "cannot create a temporary file to read %s more than "
                  "once: %s",
                  fleet->name, strerror(error));
        return CLI_EXIT_FAILURE;
    }
    char buffer[65536];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        if (fwrite(buffer, 1, got, copy) != got) {
            int error = errno;
            cli_error(fleet->who, "cannot copy %s to a temporary file: %s",
                      fleet->name, strerror(error));
            fclose(copy);
            return CLI_EXIT_FAILURE;
        }
    }
    if (ferror(in)) {
        int error = errno;
        cli_error(fleet->who, "cannot read %s: %s", fleet->name,
                  strerror(error));
        fclose(copy);
        return CLI_EXIT_FAILURE;
    }
    fleet->in = copy;
    fleet->owned = true;
    rewind(copy);
    return 0;
}

int cohort_fleet_open(cohort_fleet *fleet, const char *path, int passes)
{
    bool from_stdin = strcmp(path, "-") == 0;
    fleet->name = from_stdin ? "standard input" : path;
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (in == NULL) {
        int error = errno;
        cli_error(fleet->who, "cannot open %s: %s", path, strerror(error));
        return CLI_EXIT_FAILURE;
    }
    /* A regular file is read again from its start; a pipe cannot be. */
    if (passes > 1 && (from_stdin || fseek(in, 0, SEEK_SET) != 0)) {
        int status = spool(fleet, in);
        if (!from_stdin)
            fclose(in);
        return status;
    }
    fleet->in = in;
    fleet->owned = !from_stdin;
    return 0;
}

/* ---- codes ------------------------------------------------------------- */

int cohort_fleet_code(cohort_fleet *fleet)
{
    for (uint32_t d = 0; d < fleet->dimension_count; d++) {
        cohort_dimension *dimension = &fleet->dimensions[d];
        size_t count = dimension->values.count;
        dimension->value_of = cli_value_dict_sorted(&dimension->values);
        dimension->code_of =
            malloc((count != 0 ? count : 1) * sizeof *dimension->code_of);
        if (dimension->value_of == NULL || dimension->code_of == NULL) {
            cli_error(fleet->who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        for (uint32_t code = 0; code < count; code++)
            dimension->code_of[dimension->value_of[code]] = code;
    }
    fleet->coded = true;
    return 0;
}

uint32_t cohort_fleet_cardinality(const cohort_fleet *fleet, uint32_t d)
{
    size_t count = fleet->dimensions[d].values.count;
    /* A fleet without devices still has one (empty) stratum per
     * dimension: the library takes no cardinality of 0. */
    return count != 0 ? (uint32_t)count : 1;
}

const char *cohort_fleet_value(const cohort_fleet *fleet, uint32_t d,
                               uint32_t code, size_t *length)
{
    const cohort_dimension *dimension = &fleet->dimensions[d];
    return cli_value_dict_value(&dimension->values, dimension->value_of[code],
                                length);
}

/* ---- one pass ---------------------------------------------------------- */

typedef struct reader {
    cli_csv csv; /* the input, the position and the first failure */
    cohort_fleet *fleet;
    cohort_chunk *chunk;
    bool keys;
    cohort_chunk_fn fn;
    void *user;
    size_t *first_of; /* per header field: its first column, or NONE */
    size_t fields;
    size_t capacity;
    size_t next[COHORT_MAX_COLUMNS]; /* the next column on the same field */
    bool found[COHORT_MAX_COLUMNS];
    cli_name_list names; /* quoted, for the "no such column" message */
} reader;

static int out_of_memory(const reader *r)
{
    cli_error(r->csv.who, "out of memory");
    return CLI_EXIT_FAILURE;
}

static int on_header_field(reader *r, const char *bytes, size_t length)
{
    /* "id, os" headers: spaces around a name are no part of it. */
    cli_trim_blanks(&bytes, &length);
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    cli_name_list_add(&r->names, shown, strlen(shown));
    if (cli_csv_grow_index(&r->csv, &r->first_of, &r->capacity, r->fields) != 0)
        return CLI_EXIT_FAILURE;
    const cohort_fleet *fleet = r->fleet;
    size_t *link = &r->first_of[r->fields];
    *link = NONE;
    for (size_t c = 0; c < fleet->column_count; c++) {
        const char *name = fleet->columns[c].name;
        if (strlen(name) != length || memcmp(name, bytes, length) != 0)
            continue;
        if (r->found[c]) {
            /* Picking either would be a guess about the devices. */
            cli_error(r->csv.who, "%s: column '%s' appears more than once",
                      r->csv.name, name);
            return CLI_EXIT_FAILURE;
        }
        r->found[c] = true;
        /* Several options may name one column: chain them. */
        *link = c;
        r->next[c] = NONE;
        link = &r->next[c];
    }
    r->fields++;
    return 0;
}

static int end_header(reader *r)
{
    const cohort_fleet *fleet = r->fleet;
    for (size_t c = 0; c < fleet->column_count; c++) {
        if (!r->found[c]) {
            cli_error(r->csv.who,
                      "%s: no column '%s' (named by %s) in the header "
                      "(columns: %s)",
                      r->csv.name, fleet->columns[c].name,
                      fleet->columns[c].option, r->names.text);
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

static int bad_value(const reader *r, const cohort_column *column,
                     const char *bytes, size_t length, const char *problem)
{
    return cli_csv_bad_value(&r->csv, column->name, bytes, length, problem);
}

static int store_stratum(reader *r, const cohort_column *column,
                         const char *bytes, size_t length, uint32_t *out)
{
    cohort_dimension *dimension = &r->fleet->dimensions[column->dimension];
    uint32_t code;
    if (!r->fleet->coded) {
        int status =
            cli_value_dict_intern(&dimension->values, bytes, length, &code);
        if (status == -1)
            return out_of_memory(r);
        if (status != 0)
            return bad_value(r, column, bytes, length,
                             "is one value too many: a strata column holds "
                             "at most 4294967294 distinct values");
        *out = code;
        return 0;
    }
    if (!cli_value_dict_find(&dimension->values, bytes, length, &code))
        return bad_value(r, column, bytes, length,
                         "was not there when the input was first read: "
                         "the input changed while being read");
    *out = dimension->code_of[code];
    return 0;
}

static int store_flag(reader *r, const cohort_column *column, const char *bytes,
                      size_t length, uint8_t *out)
{
    int flag = cli_parse_flag(bytes, length);
    if (flag < 0)
        return bad_value(r, column, bytes, length,
                         "is no flag; expected 0, 1, true or false");
    *out = (uint8_t)flag;
    return 0;
}

static int store_value(reader *r, const cohort_column *column,
                       const char *bytes, size_t length)
{
    cohort_chunk *chunk = r->chunk;
    size_t i = chunk->count;
    if (column->role == COHORT_ROLE_ID) {
        /* Every byte of an identifier is kept: " a" is not "a". */
        if (cli_id_chunk_add(&chunk->ids, bytes, length) != 0)
            return out_of_memory(r);
        return 0;
    }
    /* "a, b" style files: spaces around a value are no part of it. */
    cli_trim_blanks(&bytes, &length);
    if (column->role == COHORT_ROLE_STRATUM)
        return store_stratum(r, column, bytes, length,
                             &chunk->codes[column->dimension][i]);
    if (column->role == COHORT_ROLE_CLUSTER) {
        uint64_t number;
        if (length == 0) {
            chunk->cluster[i] = r->fleet->no_cluster;
            return 0;
        }
        if (!cli_parse_uint(bytes, length, UINT32_MAX, &number))
            return bad_value(r, column, bytes, length,
                             "is not a cluster: expected a whole number from "
                             "0 to 4294967295, or nothing");
        chunk->cluster[i] = (uint32_t)number;
        return 0;
    }
    if (length == 0)
        return bad_value(r, column, bytes, length, "is empty");
    switch (column->role) {
    case COHORT_ROLE_BATTERY: {
        float charge;
        if (!cli_parse_float(bytes, length, &charge) ||
            !(charge >= 0.0f && charge <= 1.0f))
            return bad_value(r, column, bytes, length,
                             "is not a charge from 0 to 1");
        chunk->battery[i] = charge;
        return 0;
    }
    case COHORT_ROLE_CRITICAL:
        return store_flag(r, column, bytes, length, &chunk->critical[i]);
    case COHORT_ROLE_CHARGING:
        return store_flag(r, column, bytes, length, &chunk->charging[i]);
    case COHORT_ROLE_METERED:
        return store_flag(r, column, bytes, length, &chunk->metered[i]);
    case COHORT_ROLE_EXCLUDED:
        return store_flag(r, column, bytes, length, &chunk->excluded[i]);
    case COHORT_ROLE_OUTCOME:
        return store_flag(r, column, bytes, length, &chunk->outcome[i]);
    default:
        return 0;
    }
}

static int on_data_field(reader *r, const char *bytes, size_t length)
{
    if (cli_csv_field_check(&r->csv, r->fields) != 0)
        return CLI_EXIT_FAILURE;
    for (size_t c = r->first_of[r->csv.field]; c != NONE; c = r->next[c]) {
        int status = store_value(r, &r->fleet->columns[c], bytes, length);
        if (status != 0)
            return status;
    }
    return 0;
}

static int on_field(void *user, const char *bytes, size_t length)
{
    reader *r = user;
    return r->csv.header_done ? on_data_field(r, bytes, length)
                              : on_header_field(r, bytes, length);
}

static int flush(reader *r)
{
    cohort_chunk *chunk = r->chunk;
    if (chunk->count == 0)
        return 0;
    if (r->keys) {
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_key_derive_batch(
            chunk->ids.bytes != NULL ? chunk->ids.bytes : "",
            chunk->ids.offsets, chunk->count, chunk->keys, &diag);
        if (status != OTAPRIO_OK)
            return cli_library_error(r->csv.who, "otaprio_key_derive_batch",
                                     status, &diag);
    }
    chunk->chunk.count = chunk->count;
    int status = r->fn(r->user, chunk);
    chunk->count = 0;
    cli_id_chunk_clear(&chunk->ids);
    return status;
}

static int on_row(void *user)
{
    reader *r = user;
    if (!r->csv.header_done)
        return end_header(r);
    if (cli_csv_row_check(&r->csv, r->fields) != 0)
        return CLI_EXIT_FAILURE;
    cohort_chunk *chunk = r->chunk;
    chunk->rows[chunk->count++] = r->csv.row;
    r->fleet->devices++;
    if (chunk->count == CLI_CHUNK_IDS || cli_id_chunk_full(&chunk->ids))
        return flush(r);
    return 0;
}

/* Points the library's view of the chunk at the columns named. */
static void bind_columns(const cohort_fleet *fleet, cohort_chunk *chunk)
{
    otaprio_cohort_chunk *view = &chunk->chunk;
    otaprio_cohort_chunk_init(view);
    view->keys = chunk->keys;
    for (uint32_t d = 0; d < fleet->dimension_count; d++)
        chunk->code_columns[d] = chunk->codes[d];
    view->codes = fleet->dimension_count != 0 ? chunk->code_columns : NULL;
    for (size_t c = 0; c < fleet->column_count; c++) {
        switch (fleet->columns[c].role) {
        case COHORT_ROLE_CRITICAL:
            view->critical = chunk->critical;
            break;
        case COHORT_ROLE_BATTERY:
            view->battery = chunk->battery;
            break;
        case COHORT_ROLE_CHARGING:
            view->charging = chunk->charging;
            break;
        case COHORT_ROLE_METERED:
            view->metered = chunk->metered;
            break;
        case COHORT_ROLE_EXCLUDED:
            view->excluded = chunk->excluded;
            break;
        case COHORT_ROLE_CLUSTER:
            view->cluster = chunk->cluster;
            break;
        default:
            break;
        }
    }
}

int cohort_fleet_pass(cohort_fleet *fleet, cohort_chunk *chunk, bool keys,
                      cohort_chunk_fn fn, void *user)
{
    /* Every pass but the first reads the input again from its start
     * (cohort_fleet_open() made sure it can). */
    if (fleet->passes != 0 && fseek(fleet->in, 0, SEEK_SET) != 0) {
        int error = errno;
        cli_error(fleet->who, "cannot read %s again: %s", fleet->name,
                  strerror(error));
        return CLI_EXIT_FAILURE;
    }
    reader r;
    memset(&r, 0, sizeof r);
    cli_csv_init(&r.csv, fleet->who, fleet->name, on_field, on_row, &r);
    r.fleet = fleet;
    r.chunk = chunk;
    r.keys = keys;
    r.fn = fn;
    r.user = user;
    chunk->count = 0;
    cli_id_chunk_clear(&chunk->ids);
    bind_columns(fleet, chunk);
    fleet->devices = 0;
    fleet->passes++;

    int status = cli_csv_read(&r.csv, fleet->in);
    /* The last rows fill no whole chunk. */
    if (status == 0)
        status = flush(&r);
    free(r.first_of);
    return status;
}

void cohort_stratum_codes(const cohort_fleet *fleet, uint64_t id,
                          uint32_t codes[COHORT_MAX_DIMENSIONS])
{
    /* Mixed radix, dimension 0 varying fastest (otaprio/cohort.h). */
    for (uint32_t d = 0; d < fleet->dimension_count; d++) {
        uint32_t cardinality = cohort_fleet_cardinality(fleet, d);
        codes[d] = (uint32_t)(id % cardinality);
        id /= cardinality;
    }
}
