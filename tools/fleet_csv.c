/* SPDX-License-Identifier: MIT */
/*
 * Reads a fleet CSV into chunks of columns, streaming through csv_stream.c:
 * memory is bounded by one chunk, not by the fleet. The header names the
 * columns (otaprio_devices fields by name, plus `id`); a column the CSV lacks
 * is left NULL so the library's documented default applies to every device.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

typedef enum column_kind {
    COLUMN_ID,    /* the device's identifier, bytes as they are */
    COLUMN_CLASS, /* uint8_t device class: a name or a number */
    COLUMN_NAME,  /* uint8_t enum, by name */
    COLUMN_FLAG,  /* uint8_t 0/1: 0, 1, true, false */
    COLUMN_FLOAT, /* float */
    COLUMN_U32,   /* uint32_t */
    COLUMN_U64    /* uint64_t */
} column_kind;

typedef struct fleet_column {
    const char *name;
    column_kind kind;
    const cli_names *names; /* COLUMN_NAME and COLUMN_CLASS */
    size_t chunk_offset;    /* the array in fleet_chunk */
    size_t devices_offset;  /* the pointer in otaprio_devices */
} fleet_column;

#define COLUMN(name, kind, names)                        \
    {                                                    \
#name, kind, names, offsetof(fleet_chunk, name), \
            offsetof(otaprio_devices, name)              \
    }
static const fleet_column columns[] = {
    {"id", COLUMN_ID, NULL, 0, 0},
    COLUMN(device_class, COLUMN_CLASS, &cli_names_device_class),
    COLUMN(customer_tier, COLUMN_NAME, &cli_names_customer_tier),
    COLUMN(exposure, COLUMN_NAME, &cli_names_exposure),
    COLUMN(redundant, COLUMN_FLAG, NULL),
    COLUMN(uptime, COLUMN_NAME, &cli_names_uptime),
    COLUMN(safe_fallback, COLUMN_FLAG, NULL),
    COLUMN(battery, COLUMN_FLOAT, NULL),
    COLUMN(charging, COLUMN_FLAG, NULL),
    COLUMN(link, COLUMN_NAME, &cli_names_link),
    COLUMN(metered, COLUMN_FLAG, NULL),
    COLUMN(free_bytes, COLUMN_U64, NULL),
    COLUMN(failed_attempts, COLUMN_U32, NULL),
    COLUMN(days_offline, COLUMN_U32, NULL),
    COLUMN(busy, COLUMN_FLAG, NULL),
    COLUMN(affected, COLUMN_FLAG, NULL),
    COLUMN(prerequisite_missing, COLUMN_FLAG, NULL),
    COLUMN(excluded, COLUMN_FLAG, NULL),
};
#undef COLUMN
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])
static const cli_key_table column_table =
    CLI_KEY_TABLE(fleet_column, columns, name);

typedef struct reader {
    cli_csv csv; /* the input, the position and the first failure */
    fleet_chunk *chunk;
    fleet_chunk_fn fn;
    void *user;
    cli_csv_header header; /* per header field: its column, or ignored */
    bool present[COLUMN_COUNT];
} reader;

/* ---- the header ------------------------------------------------------ */

/* Points the library's view of the chunk at the columns the CSV has. */
static void bind_columns(reader *r)
{
    fleet_chunk *chunk = r->chunk;
    otaprio_devices_init(&chunk->devices);
    chunk->has_id = r->present[0];
    for (size_t i = 1; i < COLUMN_COUNT; i++) {
        if (!r->present[i])
            continue;
        const fleet_column *column = &columns[i];
        char *array = (char *)chunk + column->chunk_offset;
        char *slot = (char *)&chunk->devices + column->devices_offset;
        switch (column->kind) {
        case COLUMN_FLOAT:
            *(const float **)(void *)slot = (const float *)(void *)array;
            break;
        case COLUMN_U32:
            *(const uint32_t **)(void *)slot = (const uint32_t *)(void *)array;
            break;
        case COLUMN_U64:
            *(const uint64_t **)(void *)slot = (const uint64_t *)(void *)array;
            break;
        default:
            *(const uint8_t **)(void *)slot = (const uint8_t *)array;
            break;
        }
    }
}

/* ---- values ---------------------------------------------------------- */

static int bad_value(const reader *r, const fleet_column *column,
                     const char *bytes, size_t length, const char *problem)
{
    return cli_csv_bad_value(&r->csv, column->name, bytes, length, problem);
}

static bool all_digits(const char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (bytes[i] < '0' || bytes[i] > '9')
            return false;
    return length != 0;
}

static int store_name(reader *r, const fleet_column *column, const char *bytes,
                      size_t length, uint8_t *array)
{
    int value = cli_names_find(column->names, bytes, length);
    if (value >= 0) {
        array[r->chunk->count] = (uint8_t)value;
        return 0;
    }
    char list[256];
    char problem[320];
    cli_names_list(column->names, list, sizeof list);
    snprintf(problem, sizeof problem, "is no %s; expected one of: %s%s",
             column->names->what, list,
             column->kind == COLUMN_CLASS ? ", or a number from 0 to 31" : "");
    return bad_value(r, column, bytes, length, problem);
}

static int store_value(reader *r, const fleet_column *column, const char *bytes,
                       size_t length)
{
    /* "a, b" style files: spaces around a value are no part of it. The
     * id keeps every byte (see csv_stream.c). */
    cli_trim_blanks(&bytes, &length);
    if (length == 0)
        return bad_value(r, column, bytes, length,
                         "is empty; leave the column out for the default");

    fleet_chunk *chunk = r->chunk;
    size_t i = chunk->count;
    void *array = (char *)chunk + column->chunk_offset;
    uint64_t number;
    switch (column->kind) {
    case COLUMN_ID:
        break; /* handled by the caller */
    case COLUMN_CLASS:
        if (all_digits(bytes, length)) {
            /* Classes without a name are the host's own. Numbers from
             * 32 to 255 go to the library, which says they are out of
             * range and on which row. */
            if (!cli_parse_uint(bytes, length, UINT8_MAX, &number))
                return bad_value(r, column, bytes, length,
                                 "is out of range; expected a device class "
                                 "number from 0 to 31");
            ((uint8_t *)array)[i] = (uint8_t)number;
            return 0;
        }
        return store_name(r, column, bytes, length, array);
    case COLUMN_NAME:
        return store_name(r, column, bytes, length, array);
    case COLUMN_FLAG: {
        int flag = cli_parse_flag(bytes, length);
        if (flag < 0)
            return bad_value(r, column, bytes, length,
                             "is no flag; expected 0, 1, true or false");
        ((uint8_t *)array)[i] = (uint8_t)flag;
        return 0;
    }
    case COLUMN_FLOAT:
        if (!cli_parse_float(bytes, length, &((float *)array)[i]))
            return bad_value(r, column, bytes, length, "is not a number");
        return 0;
    case COLUMN_U32:
        if (!cli_parse_uint(bytes, length, UINT32_MAX, &number))
            return bad_value(r, column, bytes, length,
                             "is not a whole number from 0 to 4294967295");
        ((uint32_t *)array)[i] = (uint32_t)number;
        return 0;
    case COLUMN_U64:
        if (!cli_parse_uint(bytes, length, UINT64_MAX, &number))
            return bad_value(r, column, bytes, length,
                             "is not a whole number from 0 to "
                             "18446744073709551615");
        ((uint64_t *)array)[i] = number;
        return 0;
    }
    return 0;
}

static int on_data_field(reader *r, const char *bytes, size_t length)
{
    if (cli_csv_field_check(&r->csv, r->header.fields) != 0)
        return CLI_EXIT_FAILURE;
    size_t index = r->header.column_of[r->csv.field];
    if (index == CLI_CSV_IGNORED)
        return 0;
    if (columns[index].kind == COLUMN_ID) {
        if (cli_id_chunk_add(&r->chunk->ids, bytes, length) != 0) {
            cli_error(r->csv.who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        return 0;
    }
    return store_value(r, &columns[index], bytes, length);
}

/* ---- rows and chunks ------------------------------------------------- */

static int flush(reader *r)
{
    fleet_chunk *chunk = r->chunk;
    if (chunk->count == 0)
        return 0;
    chunk->devices.count = chunk->count;
    int status = r->fn(r->user, chunk);
    chunk->count = 0;
    cli_id_chunk_clear(&chunk->ids);
    return status;
}

static int on_field(void *user, const char *bytes, size_t length)
{
    reader *r = user;
    return r->csv.header_done
               ? on_data_field(r, bytes, length)
               : cli_csv_header_add(&r->csv, &r->header, bytes, length);
}

static int on_row(void *user)
{
    reader *r = user;
    if (!r->csv.header_done) {
        bind_columns(r);
        return 0;
    }
    if (cli_csv_row_check(&r->csv, r->header.fields) != 0)
        return CLI_EXIT_FAILURE;
    fleet_chunk *chunk = r->chunk;
    chunk->rows[chunk->count++] = r->csv.row;
    if (chunk->count == CLI_CHUNK_IDS ||
        (chunk->has_id && cli_id_chunk_full(&chunk->ids)))
        return flush(r);
    return 0;
}

int fleet_csv_read(FILE *in, const char *name, const char *who,
                   bool ignore_unknown, fleet_chunk *chunk, fleet_chunk_fn fn,
                   void *user)
{
    reader r;
    memset(&r, 0, sizeof r);
    cli_csv_init(&r.csv, who, name, on_field, on_row, &r);
    r.header.table = &column_table;
    r.header.present = r.present;
    r.header.ignore_unknown = ignore_unknown;
    r.header.unknown_hint = " (or pass --ignore-unknown-columns)";
    r.chunk = chunk;
    r.fn = fn;
    r.user = user;
    chunk->count = 0;
    cli_id_chunk_init(&chunk->ids);
    otaprio_devices_init(&chunk->devices);

    int status = cli_csv_read(&r.csv, in);
    /* The last rows fill no whole chunk. */
    if (status == 0)
        status = flush(&r);
    cli_csv_header_release(&r.header);
    return status;
}

void fleet_chunk_release(fleet_chunk *chunk)
{
    cli_id_chunk_release(&chunk->ids);
}

const char *fleet_chunk_id(const fleet_chunk *chunk, size_t i,
                           char buffer[FLEET_ROW_ID_SIZE], size_t *length)
{
    if (chunk->has_id)
        return cli_id_chunk_id(&chunk->ids, i, length);
    int written =
        snprintf(buffer, FLEET_ROW_ID_SIZE, "%" PRIu64, chunk->rows[i]);
    *length = written > 0 ? (size_t)written : 0;
    return buffer;
}
