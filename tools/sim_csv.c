/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --fleet` and `--write-fleet`: the simulator's fleet as
 * CSV, one device per row, the columns of sim_fleet by name. Reading goes
 * through the CLI's CSV stream (csv_stream.c, libcsv) and its value
 * parsers, so a field is read by the same rules as in `otaprio score`;
 * writing goes through libcsv's writer. Enum columns take the words
 * `otaprio score` takes, versions the catalog's texts ("12.1"): numbers
 * there would be ambiguous, since bootloader "1" is version id 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cli.h"
#include "sim_io.h"

typedef enum kind {
    KIND_KEY,     /* 16 hex digits, the device key itself */
    KIND_ID,      /* any bytes, keyed with otaprio_key_derive() */
    KIND_UINT,    /* a whole number up to `max` */
    KIND_NAME,    /* a word of `names` (device class: or a number) */
    KIND_FLAG,    /* 0, 1, true, false */
    KIND_BATTERY, /* a real from 0 to 1 */
    KIND_VERSION  /* a version text of component `max` */
} kind;

typedef enum column_id {
    COL_KEY,
    COL_ID,
    COL_SKU,
    COL_REGION,
    COL_CARRIER,
    COL_REVISION,
    COL_CLUSTER,
    COL_CLASS,
    COL_TIER,
    COL_UPTIME,
    COL_LINK,
    COL_REDUNDANT,
    COL_METERED,
    COL_CHARGING,
    COL_BATTERY,
    COL_FREE,
    COL_RING,
    COL_BOOTLOADER,
    COL_OS,
    COL_MODEM,
    COL_COUNT
} column_id;

typedef struct column {
    const char *name;
    kind kind;
    uint64_t max; /* KIND_UINT's largest value; KIND_VERSION's component */
    const cli_names *names;
    /* A whole-number column (KIND_UINT, KIND_NAME, KIND_FLAG): where
     * sim_fleet keeps the pointer to its array, the size of an element,
     * and a device's value when the file leaves the column out. Size 0
     * for the other kinds. */
    size_t member, size;
    uint64_t fallback;
} column;

#define HELD(field, fallback) \
    offsetof(sim_fleet, field), sizeof *((sim_fleet *)NULL)->field, (fallback)
#define NOT_HELD 0, 0, 0

/* In the order --write-fleet writes them. */
static const column columns[COL_COUNT] = {
    [COL_KEY] = {"key", KIND_KEY, 0, NULL, NOT_HELD},
    [COL_ID] = {"id", KIND_ID, 0, NULL, NOT_HELD},
    /* The SKU is required; a missing cluster is derived (on_row()). */
    [COL_SKU] = {"sku", KIND_UINT, SIM_SKUS - 1, NULL, HELD(sku, 0)},
    [COL_REGION] = {"region", KIND_UINT, SIM_REGIONS - 1, NULL,
                    HELD(region, 0)},
    [COL_CARRIER] = {"carrier", KIND_UINT, SIM_CARRIERS - 1, NULL,
                     HELD(carrier, 0)},
    [COL_REVISION] = {"revision", KIND_UINT, SIM_REVISIONS - 1, NULL,
                      HELD(revision, 0)},
    [COL_CLUSTER] = {"cluster", KIND_UINT, UINT32_MAX, NULL, HELD(cluster, 0)},
    [COL_CLASS] = {"device_class", KIND_NAME, 0, &cli_names_device_class,
                   HELD(device_class, OTAPRIO_DEVICE_OTHER)},
    [COL_TIER] = {"customer_tier", KIND_NAME, 0, &cli_names_customer_tier,
                  HELD(customer_tier, OTAPRIO_CUSTOMER_STANDARD)},
    [COL_UPTIME] = {"uptime", KIND_NAME, 0, &cli_names_uptime,
                    HELD(uptime, OTAPRIO_UPTIME_BUSINESS)},
    [COL_LINK] = {"link", KIND_NAME, 0, &cli_names_link,
                  HELD(link, OTAPRIO_LINK_ETHERNET)},
    [COL_REDUNDANT] = {"redundant", KIND_FLAG, 0, NULL, HELD(redundant, 0)},
    [COL_METERED] = {"metered", KIND_FLAG, 0, NULL, HELD(metered, 0)},
    [COL_CHARGING] = {"charging", KIND_FLAG, 0, NULL, HELD(charging, 0)},
    [COL_BATTERY] = {"battery", KIND_BATTERY, 0, NULL, NOT_HELD},
    [COL_FREE] = {"free_bytes", KIND_UINT, UINT64_MAX, NULL,
                  HELD(free_bytes, UINT64_MAX)},
    [COL_RING] = {"ring", KIND_UINT, 2, NULL, HELD(ring, 2)},
    [COL_BOOTLOADER] = {"bootloader", KIND_VERSION, SIM_BOOTLOADER, NULL,
                        NOT_HELD},
    [COL_OS] = {"os", KIND_VERSION, SIM_OS, NULL, NOT_HELD},
    [COL_MODEM] = {"modem", KIND_VERSION, SIM_MODEM, NULL, NOT_HELD},
};
#undef HELD
#undef NOT_HELD
static const cli_key_table column_table = CLI_KEY_TABLE(column, columns, name);

/* Device i's value of a whole-number column. The array's pointer is read
 * with memcpy(), as its own type varies by column. */
static void put(sim_fleet *f, const column *col, size_t i, uint64_t number)
{
    void *array;
    memcpy(&array, (char *)f + col->member, sizeof array);
    switch (col->size) {
    case sizeof(uint8_t):
        ((uint8_t *)array)[i] = (uint8_t)number;
        break;
    case sizeof(uint32_t):
        ((uint32_t *)array)[i] = (uint32_t)number;
        break;
    default:
        ((uint64_t *)array)[i] = number;
        break;
    }
}

/* The version each component defaults to: the prerequisite already in
 * place, the oldest (affected) os, the newer modem. */
static const char *const default_versions[SIM_COMPONENTS] = {"2", "12.0",
                                                             "2.0"};

/* ---- reading ----------------------------------------------------------- */

typedef struct reader {
    cli_csv csv;
    const otaprio_catalog *catalog;
    sim_fleet *fleet;
    size_t capacity;
    cli_csv_header header; /* each header field's column */
    bool present[COL_COUNT];
    uint32_t default_version[SIM_COMPONENTS];
    uint64_t *rows; /* each device's CSV row, for messages */
} reader;

static int bad_value(const reader *r, column_id c, const char *bytes,
                     size_t length, const char *problem)
{
    return cli_csv_bad_value(&r->csv, columns[c].name, bytes, length, problem);
}

static int end_header(reader *r)
{
    if (!r->present[COL_SKU]) {
        cli_error(r->csv.who,
                  "%s: no column 'sku' in the header; every device needs "
                  "its SKU (0 to %d)",
                  r->csv.name, SIM_SKUS - 1);
        return CLI_EXIT_FAILURE;
    }
    if (r->present[COL_KEY] && r->present[COL_ID]) {
        cli_error(r->csv.who,
                  "%s: columns 'key' and 'id' exclude each other: the key "
                  "is the id's",
                  r->csv.name);
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

static int read_name(reader *r, column_id c, const char *bytes, size_t length,
                     uint64_t *out)
{
    const column *col = &columns[c];
    if (c == COL_CLASS && length > 0 && bytes[0] >= '0' && bytes[0] <= '9') {
        if (!cli_parse_uint(bytes, length, OTAPRIO_DEVICE_CLASS_MAX - 1, out))
            return bad_value(r, c, bytes, length,
                             "is no device class number from 0 to 31");
        return 0;
    }
    int value = cli_names_find(col->names, bytes, length);
    if (value < 0) {
        char list[256], problem[320];
        cli_names_list(col->names, list, sizeof list);
        snprintf(problem, sizeof problem, "is no %s; expected one of: %s",
                 col->names->what, list);
        return bad_value(r, c, bytes, length, problem);
    }
    *out = (uint64_t)value;
    return 0;
}

/* Appends "a, b, c", the component's versions in the catalog, to `out`. */
static void list_versions(const otaprio_catalog *catalog, uint32_t component,
                          char *out, size_t size)
{
    const char *text;
    size_t length, used = strlen(out);
    for (uint32_t id = 0;
         otaprio_catalog_name(catalog, OTAPRIO_NAME_VERSION, component, id,
                              &text, &length, NULL) == OTAPRIO_OK;
         id++) {
        int n = snprintf(out + used, size - used, "%s%.*s", id ? ", " : "",
                         (int)length, text);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static int store(reader *r, column_id c, const char *bytes, size_t length)
{
    sim_fleet *f = r->fleet;
    size_t i = f->devices;
    const column *col = &columns[c];
    if (c == COL_ID) {
        /* The id keeps every byte, as in `otaprio key`. */
        otaprio_key_derive(bytes, length, &f->keys[i]);
        return 0;
    }
    cli_trim_blanks(&bytes, &length);
    if (length == 0)
        return bad_value(r, c, bytes, length,
                         "is empty; leave the column out for the default");
    uint64_t number = 0;
    switch (col->kind) {
    case KIND_KEY: {
        char text[20];
        if (length < sizeof text) {
            memcpy(text, bytes, length);
            text[length] = '\0';
        }
        if (length >= sizeof text || !cli_parse_hex64(text, &number))
            return bad_value(r, c, bytes, length,
                             "is no key; expected 1 to 16 hex digits");
    }
        f->keys[i] = number;
        return 0;
    case KIND_UINT:
        if (!cli_parse_uint(bytes, length, col->max, &number)) {
            char problem[96];
            snprintf(problem, sizeof problem,
                     "is not a whole number from 0 to %" PRIu64, col->max);
            return bad_value(r, c, bytes, length, problem);
        }
        break;
    case KIND_NAME:
        if (read_name(r, c, bytes, length, &number) != 0)
            return CLI_EXIT_FAILURE;
        break;
    case KIND_FLAG: {
        int flag = cli_parse_flag(bytes, length);
        if (flag < 0)
            return bad_value(r, c, bytes, length,
                             "is no flag; expected 0, 1, true or false");
        number = (uint64_t)flag;
        break;
    }
    case KIND_BATTERY: {
        float level;
        if (!cli_parse_float(bytes, length, &level) || !(level >= 0.0f) ||
            !(level <= 1.0f))
            return bad_value(r, c, bytes, length,
                             "is not a battery level from 0 to 1");
        f->battery[i] = level;
        return 0;
    }
    case KIND_VERSION: {
        uint32_t id;
        if (otaprio_catalog_version_id(r->catalog, (uint32_t)col->max, bytes,
                                       length, &id, NULL) != OTAPRIO_OK) {
            char problem[256] = "is no version of the catalog; expected one "
                                "of: ";
            list_versions(r->catalog, (uint32_t)col->max, problem,
                          sizeof problem);
            return bad_value(r, c, bytes, length, problem);
        }
        f->versions[col->max][i] = id;
        return 0;
    }
    case KIND_ID:
        return 0;
    }
    put(f, col, i, number);
    return 0;
}

/* The defaults of the columns the file leaves out. */
static void set_defaults(reader *r, size_t i)
{
    sim_fleet *f = r->fleet;
    for (size_t c = 0; c < COL_COUNT; c++)
        if (columns[c].size > 0)
            put(f, &columns[c], i, columns[c].fallback);
    f->battery[i] = 1.0f;
    for (int c = 0; c < SIM_COMPONENTS; c++)
        f->versions[c][i] = r->default_version[c];
}

static int on_field(void *user, const char *bytes, size_t length)
{
    reader *r = user;
    if (!r->csv.header_done)
        return cli_csv_header_add(&r->csv, &r->header, bytes, length);
    sim_fleet *f = r->fleet;
    if (r->csv.field == 0) {
        if (f->devices == r->capacity) {
            size_t capacity = r->capacity ? r->capacity * 2 : 4096;
            uint64_t *rows = capacity <= SIZE_MAX / sizeof *rows
                                 ? realloc(r->rows, capacity * sizeof *rows)
                                 : NULL;
            if (rows != NULL)
                r->rows = rows;
            if (rows == NULL || sim_fleet_reserve(f, capacity) != 0) {
                cli_error(r->csv.who, "out of memory after %zu devices",
                          f->devices);
                return CLI_EXIT_FAILURE;
            }
            r->capacity = capacity;
        }
        set_defaults(r, f->devices);
    }
    if (cli_csv_field_check(&r->csv, r->header.fields) != 0)
        return CLI_EXIT_FAILURE;
    return store(r, (column_id)r->header.column_of[r->csv.field], bytes,
                 length);
}

static int on_row(void *user)
{
    reader *r = user;
    if (!r->csv.header_done)
        return end_header(r);
    if (cli_csv_row_check(&r->csv, r->header.fields) != 0)
        return CLI_EXIT_FAILURE;
    sim_fleet *f = r->fleet;
    size_t i = f->devices;
    if (!r->present[COL_KEY] && !r->present[COL_ID]) {
        /* Without ids, a device is its row number, as in `otaprio
         * score`. */
        char id[24];
        int n = snprintf(id, sizeof id, "%" PRIu64, r->csv.row);
        otaprio_key_derive(id, (size_t)n, &f->keys[i]);
    }
    if (!r->present[COL_CLUSTER])
        f->cluster[i] = f->sku[i] * SIM_REVISIONS + f->revision[i];
    r->rows[i] = r->csv.row;
    f->devices++;
    return 0;
}

/* The planner needs each key once: two rows with one key would be one
 * device planned twice. */
typedef struct keyed {
    uint64_t key, row;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int check_unique(const reader *r)
{
    const sim_fleet *f = r->fleet;
    keyed *all = malloc(f->devices * sizeof *all);
    if (all == NULL) {
        cli_error(r->csv.who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < f->devices; i++)
        all[i] = (keyed){f->keys[i], r->rows[i]};
    qsort(all, f->devices, sizeof *all, by_key);
    int status = 0;
    for (size_t i = 1; i < f->devices && status == 0; i++)
        if (all[i].key == all[i - 1].key) {
            cli_error(r->csv.who,
                      "%s: rows %" PRIu64 " and %" PRIu64
                      " are one device (the same %s)",
                      r->csv.name, all[i - 1].row, all[i].row,
                      r->present[COL_KEY] ? "key" : "id");
            status = CLI_EXIT_FAILURE;
        }
    free(all);
    return status;
}

int sim_fleet_read_csv(const char *who, const char *path,
                       const otaprio_catalog *catalog, sim_fleet *fleet)
{
    memset(fleet, 0, sizeof *fleet);
    reader r;
    memset(&r, 0, sizeof r);
    r.catalog = catalog;
    r.fleet = fleet;
    r.header.table = &column_table;
    r.header.present = r.present;
    for (uint32_t c = 0; c < SIM_COMPONENTS; c++)
        if (otaprio_catalog_version_id(
                catalog, c, default_versions[c], strlen(default_versions[c]),
                &r.default_version[c], NULL) != OTAPRIO_OK) {
            cli_error(who, "the catalog lacks version %s", default_versions[c]);
            return CLI_EXIT_FAILURE;
        }
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (in == NULL) {
        int error = errno;
        cli_error(who, "cannot open the fleet file %s: %s", path,
                  strerror(error));
        return CLI_EXIT_FAILURE;
    }
    cli_csv_init(&r.csv, who, path, on_field, on_row, &r);
    int status = cli_csv_read(&r.csv, in);
    if (!from_stdin)
        fclose(in); /* read-only: nothing to lose on close */
    if (status == 0 && fleet->devices == 0) {
        cli_error(who, "%s: no devices after the header", r.csv.name);
        status = CLI_EXIT_FAILURE;
    }
    if (status == 0)
        status = check_unique(&r);
    uint64_t per_sku[SIM_SKUS] = {0};
    for (size_t i = 0; status == 0 && i < fleet->devices; i++)
        per_sku[fleet->sku[i]]++;
    for (int s = 0; status == 0 && s < SIM_SKUS; s++)
        fleet->sku_share[s] = (double)per_sku[s] / (double)fleet->devices;
    free(r.rows);
    cli_csv_header_release(&r.header);
    if (status != 0)
        sim_fleet_free(fleet);
    return status;
}

/* ---- writing ----------------------------------------------------------- */

static void put_field(FILE *out, const char *text, bool first)
{
    if (!first)
        fputc(',', out);
    /* libcsv quotes every field it writes; only text that needs it goes
     * through it, so the numbers stay plain. */
    if (strpbrk(text, ",\"\r\n") != NULL)
        csv_fwrite(out, text, strlen(text));
    else
        fputs(text, out);
}

static const char *word(const cli_names *names, int value, char buffer[8])
{
    const char *name = cli_names_name(names, value);
    if (name != NULL)
        return name;
    snprintf(buffer, 8, "%d", value);
    return buffer;
}

static void put_version(FILE *out, const otaprio_catalog *catalog,
                        uint32_t component, uint32_t id)
{
    const char *text = NULL;
    size_t length = 0;
    char shown[64];
    if (otaprio_catalog_name(catalog, OTAPRIO_NAME_VERSION, component, id,
                             &text, &length, NULL) != OTAPRIO_OK ||
        length >= sizeof shown)
        length = 0;
    else
        memcpy(shown, text, length);
    shown[length] = '\0';
    put_field(out, shown, false);
}

int sim_fleet_write_csv(const char *who, const char *path,
                        const otaprio_catalog *catalog, const sim_fleet *f)
{
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        int error = errno;
        cli_error(who, "cannot create %s: %s", path, strerror(error));
        return CLI_EXIT_FAILURE;
    }
    for (int c = 0; c < COL_COUNT; c++)
        if (c != COL_ID)
            put_field(out, columns[c].name, c == 0);
    fputc('\n', out);
    for (size_t i = 0; i < f->devices; i++) {
        char text[32], b1[8], b2[8], b3[8], b4[8];
        cli_format_hex64(f->keys[i], text);
        put_field(out, text, true);
        fprintf(out, ",%u,%u,%u,%u,%u", f->sku[i], f->region[i], f->carrier[i],
                f->revision[i], f->cluster[i]);
        put_field(out, word(&cli_names_device_class, f->device_class[i], b1),
                  false);
        put_field(out, word(&cli_names_customer_tier, f->customer_tier[i], b2),
                  false);
        put_field(out, word(&cli_names_uptime, f->uptime[i], b3), false);
        put_field(out, word(&cli_names_link, f->link[i], b4), false);
        /* Nine significant digits give back the same float. */
        fprintf(out, ",%u,%u,%u,%.9g,%" PRIu64 ",%u", f->redundant[i],
                f->metered[i], f->charging[i], (double)f->battery[i],
                f->free_bytes[i], f->ring[i]);
        for (uint32_t c = 0; c < SIM_COMPONENTS; c++)
            put_version(out, catalog, c, f->versions[c][i]);
        fputc('\n', out);
    }
    int error = ferror(out) ? EIO : 0;
    errno = 0;
    if (fclose(out) != 0 && error == 0)
        error = errno != 0 ? errno : EIO;
    if (error != 0) {
        cli_error(who, "cannot write %s: %s", path, strerror(error));
        remove(path);
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
