/* SPDX-License-Identifier: MIT */
/*
 * Reads a fleet CSV with libcsv into chunks of columns, streaming: memory
 * is bounded by one chunk, not by the fleet. The header names the columns
 * (otaprio_devices fields by name, plus `id`); a column the CSV lacks is
 * left NULL so the library's documented default applies to every device.
 */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

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

/* "id, device_class, ...": every column name, for messages. */
static void column_list(char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        int written = snprintf(out + used, size - used, "%s%s",
                               i != 0 ? ", " : "", columns[i].name);
        if (written < 0 || (size_t)written >= size - used)
            return; /* the buffer is sized for the whole list */
        used += (size_t)written;
    }
}

/* A header field that names no column. */
#define IGNORED SIZE_MAX

typedef struct reader {
    const char *who;
    const char *name; /* the input, as shown in messages */
    bool ignore_unknown;
    fleet_chunk *chunk;
    fleet_chunk_fn fn;
    void *user;
    uint64_t row;     /* 1-based row being parsed; the header is row 1 */
    size_t field;     /* index of the next field within the row */
    size_t *field_of; /* per header field: index in `columns`, or IGNORED */
    size_t fields;    /* header fields */
    size_t capacity;  /* of field_of */
    bool header_done;
    bool present[COLUMN_COUNT];
    int status; /* first failure; callbacks do nothing once it is set */
} reader;

/* ---- the header ------------------------------------------------------ */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static const fleet_column *column_named(const char *bytes, size_t length,
                                        size_t *index)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        if (strlen(columns[i].name) == length &&
            memcmp(columns[i].name, bytes, length) == 0) {
            *index = i;
            return &columns[i];
        }
    }
    return NULL;
}

static int on_header_field(reader *r, const char *bytes, size_t length)
{
    /* Spreadsheets often save UTF-8 with a byte-order mark; it belongs to
     * the encoding, not to the first column's name. */
    if (r->field == 0 && length >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        bytes += 3;
        length -= 3;
    }
    /* "id, battery" headers: spaces around a name are no part of it. */
    while (length > 0 && is_blank(bytes[0])) {
        bytes++;
        length--;
    }
    while (length > 0 && is_blank(bytes[length - 1]))
        length--;
    if (r->fields == r->capacity) {
        size_t capacity = r->capacity != 0 ? r->capacity * 2 : 32;
        size_t *grown = realloc(r->field_of, capacity * sizeof *grown);
        if (grown == NULL) {
            cli_error(r->who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        r->field_of = grown;
        r->capacity = capacity;
    }
    size_t index;
    char shown[CLI_QUOTE_SIZE];
    if (column_named(bytes, length, &index) == NULL) {
        if (!r->ignore_unknown) {
            char known[512];
            column_list(known, sizeof known);
            cli_quote(bytes, length, shown);
            cli_error(r->who,
                      "%s: unknown column '%s' in the header; known "
                      "columns: %s (or pass --ignore-unknown-columns)",
                      r->name, shown, known);
            return CLI_EXIT_FAILURE;
        }
        index = IGNORED;
    } else if (r->present[index]) {
        /* Picking either would be a guess about the devices' state. */
        cli_error(r->who, "%s: column '%s' appears more than once", r->name,
                  columns[index].name);
        return CLI_EXIT_FAILURE;
    } else {
        r->present[index] = true;
    }
    r->field_of[r->fields++] = index;
    return 0;
}

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

static int bad_value(reader *r, const fleet_column *column, const char *bytes,
                     size_t length, const char *problem)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    cli_error(r->who, "%s: row %" PRIu64 ", column '%s': '%s' %s", r->name,
              r->row, column->name, shown, problem);
    return CLI_EXIT_FAILURE;
}

/* ASCII only, whatever the locale. */
static bool same_word(const char *bytes, size_t length, const char *word)
{
    if (strlen(word) != length)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = bytes[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

/* A decimal number without sign or spaces, at most `max`. */
static bool parse_unsigned(const char *bytes, size_t length, uint64_t max,
                           uint64_t *value)
{
    if (length == 0)
        return false;
    uint64_t result = 0;
    for (size_t i = 0; i < length; i++) {
        if (bytes[i] < '0' || bytes[i] > '9')
            return false;
        unsigned digit = (unsigned)(bytes[i] - '0');
        if (result > (max - digit) / 10)
            return false;
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

static bool all_digits(const char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (bytes[i] < '0' || bytes[i] > '9')
            return false;
    return length != 0;
}

static bool parse_float(const char *bytes, size_t length, float *value)
{
    /* strtod() wants a terminated string; a number is short. The CLI
     * never calls setlocale(), so '.' is the decimal point everywhere. */
    char text[64];
    if (length == 0 || length >= sizeof text)
        return false;
    memcpy(text, bytes, length);
    text[length] = '\0';
    char *end;
    double number = strtod(text, &end);
    if (end != text + length)
        return false;
    /* Out of float's range is undefined behaviour to convert: saturate,
     * and let the library judge the value (a battery above 1 is its
     * range error, which names the row). NaN passes through likewise. */
    if (number > (double)FLT_MAX)
        *value = INFINITY;
    else if (number < -(double)FLT_MAX)
        *value = -INFINITY;
    else
        *value = (float)number;
    return true;
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
     * id keeps every byte (see csv_column.c). */
    while (length > 0 && is_blank(bytes[0])) {
        bytes++;
        length--;
    }
    while (length > 0 && is_blank(bytes[length - 1]))
        length--;
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
            if (!parse_unsigned(bytes, length, UINT8_MAX, &number))
                return bad_value(r, column, bytes, length,
                                 "is out of range; expected a device class "
                                 "number from 0 to 31");
            ((uint8_t *)array)[i] = (uint8_t)number;
            return 0;
        }
        return store_name(r, column, bytes, length, array);
    case COLUMN_NAME:
        return store_name(r, column, bytes, length, array);
    case COLUMN_FLAG:
        if (same_word(bytes, length, "1") || same_word(bytes, length, "true"))
            ((uint8_t *)array)[i] = 1;
        else if (same_word(bytes, length, "0") ||
                 same_word(bytes, length, "false"))
            ((uint8_t *)array)[i] = 0;
        else
            return bad_value(r, column, bytes, length,
                             "is no flag; expected 0, 1, true or false");
        return 0;
    case COLUMN_FLOAT:
        if (!parse_float(bytes, length, &((float *)array)[i]))
            return bad_value(r, column, bytes, length, "is not a number");
        return 0;
    case COLUMN_U32:
        if (!parse_unsigned(bytes, length, UINT32_MAX, &number))
            return bad_value(r, column, bytes, length,
                             "is not a whole number from 0 to 4294967295");
        ((uint32_t *)array)[i] = (uint32_t)number;
        return 0;
    case COLUMN_U64:
        if (!parse_unsigned(bytes, length, UINT64_MAX, &number))
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
    if (r->field >= r->fields) {
        cli_error(r->who,
                  "%s: row %" PRIu64 " has more fields than the header's %zu",
                  r->name, r->row, r->fields);
        return CLI_EXIT_FAILURE;
    }
    size_t index = r->field_of[r->field];
    if (index == IGNORED)
        return 0;
    if (columns[index].kind == COLUMN_ID) {
        if (cli_id_chunk_add(&r->chunk->ids, bytes, length) != 0) {
            cli_error(r->who, "out of memory");
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

static void on_field(void *bytes, size_t length, void *data)
{
    reader *r = data;
    if (r->status != 0)
        return;
    /* libcsv may pass no buffer for an empty field. */
    const char *text = bytes != NULL ? bytes : "";
    r->status = r->header_done ? on_data_field(r, text, length)
                               : on_header_field(r, text, length);
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
        bind_columns(r);
    } else if (r->field != r->fields) {
        /* A short row is a damaged file, not a device with defaults. */
        cli_error(r->who,
                  "%s: row %" PRIu64 " has %zu field%s but the header has %zu",
                  r->name, r->row, r->field, r->field == 1 ? "" : "s",
                  r->fields);
        r->status = CLI_EXIT_FAILURE;
        return;
    } else {
        fleet_chunk *chunk = r->chunk;
        chunk->rows[chunk->count++] = r->row;
        if (chunk->count == CLI_CHUNK_IDS ||
            (chunk->has_id && cli_id_chunk_full(&chunk->ids)))
            r->status = flush(r);
    }
    r->row++;
    r->field = 0;
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
                  "%s: malformed CSV near byte %llu (row %" PRIu64
                  "): a quote inside an unquoted field, text after a "
                  "closing quote, or an unterminated quoted field",
                  r->name, offset, r->row);
    else
        cli_error(r->who,
                  "%s: cannot parse CSV near byte %llu (row %" PRIu64 "): %s",
                  r->name, offset, r->row, csv_strerror(error));
    return CLI_EXIT_FAILURE;
}

int fleet_csv_read(FILE *in, const char *name, const char *who,
                   bool ignore_unknown, fleet_chunk *chunk, fleet_chunk_fn fn,
                   void *user)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.who = who;
    r.name = strcmp(name, "-") == 0 ? "standard input" : name;
    r.ignore_unknown = ignore_unknown;
    r.chunk = chunk;
    r.fn = fn;
    r.user = user;
    r.row = 1;
    chunk->count = 0;
    cli_id_chunk_init(&chunk->ids);
    otaprio_devices_init(&chunk->devices);

    struct csv_parser parser;
    /* Strict: a stray quote is an error rather than a silently different
     * value. */
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        cli_error(who, "cannot set up the CSV parser: out of memory");
        return CLI_EXIT_FAILURE;
    }
    /* Ids keep every byte, as in csv_column.c; values are trimmed here. */
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
    if (r.status == 0)
        r.status = flush(&r);
    csv_free(&parser);
    free(r.field_of);
    return r.status;
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
