/* SPDX-License-Identifier: MIT */
/*
 * The fleet of `otaprio plan`, read into whole columns by the readers the
 * other commands use, then handed to the planner a chunk at a time.
 *
 * Each reader knows its own columns and skips the others: cohort_fleet.c
 * the identifier, strata and cluster columns (and derives the keys),
 * fleet_csv.c the risk columns of `otaprio score`, csv_column.c the ring
 * and, with a catalog, each component's installed version and the
 * carrier, region and enrollment columns of `otaprio graph --fleet`. They
 * all stream through csv_stream.c, so they count rows alike; each pass
 * still checks that it saw the devices of the first, row by row.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "plan_cmd.h"
#include "score.h"

/* X-macro of the otaprio_devices columns fleet_csv.c fills: index, field,
 * element type. */
#define RISK_FIELDS(X)                   \
    X(0, device_class, uint8_t)          \
    X(1, customer_tier, uint8_t)         \
    X(2, exposure, uint8_t)              \
    X(3, redundant, uint8_t)             \
    X(4, uptime, uint8_t)                \
    X(5, safe_fallback, uint8_t)         \
    X(6, battery, float)                 \
    X(7, charging, uint8_t)              \
    X(8, link, uint8_t)                  \
    X(9, metered, uint8_t)               \
    X(10, free_bytes, uint64_t)          \
    X(11, failed_attempts, uint32_t)     \
    X(12, days_offline, uint32_t)        \
    X(13, busy, uint8_t)                 \
    X(14, affected, uint8_t)             \
    X(15, prerequisite_missing, uint8_t) \
    X(16, excluded, uint8_t)

/* The status that ends the header scan: no reader returns it. */
#define HEADER_READ (-7)

static int out_of_memory(const char *who)
{
    cli_error(who, "out of memory");
    return CLI_EXIT_FAILURE;
}

/* Each reader reads the input anew: one that finds other rows than the
 * first found (a file rewritten meanwhile) stops the command. */
static int changed(const plan_fleet *fleet)
{
    cli_error(fleet->who, "%s changed while it was read", fleet->cohort.name);
    return CLI_EXIT_FAILURE;
}

static void *alloc_column(uint64_t count, size_t size)
{
    /* calloc checks the product; one element at least for empty fleets. */
    return calloc(count != 0 ? (size_t)count : 1, size);
}

static int rewind_input(plan_fleet *fleet)
{
    if (fseek(fleet->cohort.in, 0, SEEK_SET) == 0)
        return 0;
    int error = errno;
    cli_error(fleet->who, "cannot read %s again: %s", fleet->cohort.name,
              strerror(error));
    return CLI_EXIT_FAILURE;
}

/* ---- the header ------------------------------------------------------ */

typedef struct header_scan {
    cli_csv csv;
    cli_value_dict *names;
} header_scan;

static int header_field(void *user, const char *bytes, size_t length)
{
    header_scan *scan = user;
    cli_trim_blanks(&bytes, &length);
    uint32_t code;
    if (cli_value_dict_intern(scan->names, bytes, length, &code) != 0)
        return out_of_memory(scan->csv.who);
    return 0;
}

static int header_end(void *user)
{
    (void)user;
    return HEADER_READ;
}

/* The names of the header, to find the optional columns before the
 * readers that would refuse a missing one. */
static int read_header(plan_fleet *fleet, cli_value_dict *names)
{
    header_scan scan;
    cli_csv_init(&scan.csv, fleet->who, fleet->cohort.name, header_field,
                 header_end, &scan);
    scan.names = names;
    int status = cli_csv_read(&scan.csv, fleet->cohort.in);
    if (status != HEADER_READ)
        return status != 0 ? status : CLI_EXIT_FAILURE;
    return rewind_input(fleet);
}

static bool has_column(const cli_value_dict *names, const char *name)
{
    uint32_t code;
    return cli_value_dict_find(names, name, strlen(name), &code);
}

/* ---- identifiers, strata, clusters (cohort_fleet.c) ----------------- */

typedef struct cohort_copy {
    plan_fleet *fleet;
    uint64_t at;
} cohort_copy;

static int count_chunk(void *user, cohort_chunk *chunk)
{
    (void)user;
    (void)chunk;
    return 0;
}

static int copy_cohort_chunk(void *user, cohort_chunk *chunk)
{
    cohort_copy *copy = user;
    plan_fleet *f = copy->fleet;
    if (chunk->count > f->count - copy->at)
        return changed(f);
    for (size_t i = 0; i < chunk->count; i++) {
        uint64_t at = copy->at + i;
        size_t length;
        const char *id = cli_id_chunk_id(&chunk->ids, i, &length);
        if (length > f->ids_capacity - f->ids_used) {
            size_t capacity = f->ids_capacity != 0 ? f->ids_capacity : 4096;
            while (capacity - f->ids_used < length)
                capacity *= 2;
            char *grown = realloc(f->ids, capacity);
            if (grown == NULL)
                return out_of_memory(f->who);
            f->ids = grown;
            f->ids_capacity = capacity;
        }
        if (length != 0)
            memcpy(f->ids + f->ids_used, id, length);
        f->id_start[at] = f->ids_used;
        f->ids_used += length;
        f->id_start[at + 1] = f->ids_used;
        f->keys[at] = chunk->keys[i];
        f->rows[at] = chunk->rows[i];
        for (uint32_t d = 0; d < f->dimension_count; d++)
            f->codes[d][at] = chunk->codes[d][i];
        if (f->cluster != NULL)
            f->cluster[at] = chunk->cluster[i];
    }
    copy->at += chunk->count;
    return 0;
}

static int read_cohort_columns(plan_fleet *f, const plan_fleet_args *args,
                               const cli_value_dict *header)
{
    cohort_fleet *cf = &f->cohort;
    cohort_fleet_add_column(cf, args->id_column, "--id-column", COHORT_ROLE_ID);
    for (uint32_t d = 0; d < args->strata_count; d++)
        cohort_fleet_add_column(cf, args->strata[d], "--strata",
                                COHORT_ROLE_STRATUM);
    bool given = args->cluster_column != NULL;
    const char *cluster = given ? args->cluster_column : "cluster";
    bool clustered = given || has_column(header, cluster);
    if (clustered)
        cohort_fleet_add_column(cf, cluster, "--cluster-column",
                                COHORT_ROLE_CLUSTER);
    /* A device whose cluster cell is empty joins one cluster of its own
     * kind: the planner has no "no cluster" per device. */
    cf->no_cluster = UINT32_MAX;

    cohort_chunk *chunk = malloc(sizeof *chunk);
    if (chunk == NULL)
        return out_of_memory(f->who);
    cohort_chunk_init(chunk);
    /* The first pass learns the strata values, the second gives their
     * final codes (cohort_fleet.c codes them by byte order). */
    int status = cohort_fleet_pass(cf, chunk, false, count_chunk, NULL);
    if (status == 0)
        status = cohort_fleet_code(cf);
    if (status == 0) {
        f->count = cf->devices;
        f->dimension_count = args->strata_count;
        f->keys = alloc_column(f->count, sizeof *f->keys);
        f->rows = alloc_column(f->count, sizeof *f->rows);
        f->id_start = alloc_column(f->count + 1, sizeof *f->id_start);
        bool failed = f->keys == NULL || f->rows == NULL || f->id_start == NULL;
        for (uint32_t d = 0; d < f->dimension_count; d++) {
            f->codes[d] = alloc_column(f->count, sizeof *f->codes[d]);
            failed = failed || f->codes[d] == NULL;
        }
        if (clustered) {
            f->cluster = alloc_column(f->count, sizeof *f->cluster);
            failed = failed || f->cluster == NULL;
        }
        status = failed ? out_of_memory(f->who) : 0;
    }
    cohort_copy copy = {f, 0};
    if (status == 0)
        status = cohort_fleet_pass(cf, chunk, true, copy_cohort_chunk, &copy);
    if (status == 0 && copy.at != f->count)
        status = changed(f);
    cohort_chunk_release(chunk);
    free(chunk);
    return status;
}

/* ---- risk columns (fleet_csv.c) -------------------------------------- */

typedef struct risk_copy {
    plan_fleet *fleet;
    uint64_t at;
} risk_copy;

static int copy_column(plan_fleet *f, size_t index, const void *from,
                       size_t size, uint64_t at, size_t count)
{
    if (from == NULL)
        return 0;
    if (f->risk[index] == NULL) {
        f->risk[index] = alloc_column(f->count, size);
        if (f->risk[index] == NULL)
            return out_of_memory(f->who);
    }
    memcpy((char *)f->risk[index] + (size_t)at * size, from, count * size);
    return 0;
}

static int copy_risk_chunk(void *user, fleet_chunk *chunk)
{
    risk_copy *copy = user;
    plan_fleet *f = copy->fleet;
    size_t n = chunk->count;
    if (n > f->count - copy->at ||
        memcmp(chunk->rows, f->rows + copy->at, n * sizeof *chunk->rows) != 0)
        return changed(f);
    const otaprio_devices *d = &chunk->devices;
#define COPY(index, field, type)                                         \
    if (copy_column(f, index, d->field, sizeof(type), copy->at, n) != 0) \
        return CLI_EXIT_FAILURE;
    RISK_FIELDS(COPY)
#undef COPY
    copy->at += n;
    return 0;
}

static int read_risk_columns(plan_fleet *f)
{
    fleet_chunk *chunk = malloc(sizeof *chunk);
    if (chunk == NULL)
        return out_of_memory(f->who);
    risk_copy copy = {f, 0};
    int status = rewind_input(f);
    /* The other readers' columns are not the risk reader's to refuse. */
    if (status == 0)
        status = fleet_csv_read(f->cohort.in, f->cohort.name, f->who, true,
                                chunk, copy_risk_chunk, &copy);
    fleet_chunk_release(chunk);
    free(chunk);
    if (status == 0 && copy.at != f->count)
        status = changed(f);
    return status;
}

/* ---- single columns (csv_column.c) ----------------------------------- */

typedef struct column_read {
    plan_fleet *fleet;
    const char *column;
    const graph_catalog *catalog;
    uint32_t component;
    const graph_codes *codes; /* carrier, region, enrollment */
    uint32_t *out32;
    uint64_t at;
} column_read;

static int bad_cell(const column_read *c, const char *bytes, size_t length,
                    const char *problem)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    cli_error(c->fleet->who, "%s: row %" PRIu64 ", column '%s': '%s' %s",
              c->fleet->cohort.name, c->fleet->rows[c->at], c->column, shown,
              problem);
    return CLI_EXIT_FAILURE;
}

/* Takes the next cell, without the blanks around it, as the other
 * commands' readers do. */
static int next_cell(const column_read *c, const char **bytes, size_t *length)
{
    if (c->at >= c->fleet->count)
        return changed(c->fleet);
    cli_trim_blanks(bytes, length);
    return 0;
}

static int store_ring(void *user, const char *bytes, size_t length)
{
    column_read *c = user;
    if (next_cell(c, &bytes, &length) != 0)
        return CLI_EXIT_FAILURE;
    static const char *const names[] = {"internal", "employee", "customer"};
    uint64_t ring = 3;
    if (!cli_parse_uint(bytes, length, 2, &ring)) {
        for (uint64_t r = 0; r < 3; r++)
            if (strlen(names[r]) == length &&
                memcmp(names[r], bytes, length) == 0)
                ring = r;
    }
    if (ring > 2)
        return bad_cell(c, bytes, length,
                        "is no ring: expected 0 or internal, 1 or employee, "
                        "2 or customer");
    c->fleet->ring[c->at++] = (uint8_t)ring;
    return 0;
}

static int store_version(void *user, const char *bytes, size_t length)
{
    column_read *c = user;
    if (next_cell(c, &bytes, &length) != 0)
        return CLI_EXIT_FAILURE;
    uint32_t *cell = &c->out32[c->at];
    if (length == 0) {
        *cell = OTAPRIO_VERSION_NONE; /* as `otaprio graph`: not installed */
        c->at++;
        return 0;
    }
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_version_id(c->catalog->catalog, c->component,
                                            bytes, length, cell, &diag);
    if (status == OTAPRIO_E_NOT_FOUND)
        return bad_cell(c, bytes, length,
                        "is a version the catalog does not know (list it "
                        "under \"versions\")");
    if (status != OTAPRIO_OK) {
        char problem[OTAPRIO_DIAG_MESSAGE_MAX + 32];
        snprintf(problem, sizeof problem, "is no version: %s",
                 diag.status == status ? diag.message
                                       : otaprio_strerror(status));
        return bad_cell(c, bytes, length, problem);
    }
    c->at++;
    return 0;
}

static int store_code(void *user, const char *bytes, size_t length)
{
    column_read *c = user;
    if (next_cell(c, &bytes, &length) != 0)
        return CLI_EXIT_FAILURE;
    c->out32[c->at++] = graph_codes_find(c->codes, bytes, length);
    return 0;
}

static int read_column(plan_fleet *f, column_read *c, csv_column_fn fn)
{
    c->fleet = f;
    c->at = 0;
    int status = rewind_input(f);
    if (status == 0)
        status = csv_column_read(f->cohort.in, f->cohort.name, c->column,
                                 f->who, fn, c);
    if (status == 0 && c->at != f->count)
        status = changed(f);
    return status;
}

static int read_ring(plan_fleet *f, const plan_fleet_args *args,
                     const cli_value_dict *header)
{
    bool given = args->ring_column != NULL;
    const char *name = given ? args->ring_column : "ring";
    if (!given && !has_column(header, name))
        return 0; /* every device is a customer's */
    f->ring = alloc_column(f->count, sizeof *f->ring);
    if (f->ring == NULL)
        return out_of_memory(f->who);
    column_read c = {.column = name};
    return read_column(f, &c, store_ring);
}

static int read_catalog_columns(plan_fleet *f, const graph_catalog *catalog,
                                const cli_value_dict *header)
{
    f->component_count = catalog->components.count;
    f->versions = calloc(f->component_count + 1, sizeof *f->versions);
    f->version_view = calloc(f->component_count + 1, sizeof *f->version_view);
    if (f->versions == NULL || f->version_view == NULL)
        return out_of_memory(f->who);
    f->has_state = true;
    for (size_t k = 0; k < f->component_count; k++) {
        const char *name = catalog->component_names[k];
        if (!has_column(header, name))
            continue;
        f->versions[k] = alloc_column(f->count, sizeof *f->versions[k]);
        if (f->versions[k] == NULL)
            return out_of_memory(f->who);
        column_read c = {.column = name,
                         .catalog = catalog,
                         .component = (uint32_t)k,
                         .out32 = f->versions[k]};
        int status = read_column(f, &c, store_version);
        if (status != 0)
            return status;
    }
    struct {
        const char *name;
        const graph_codes *codes;
        uint32_t **out;
    } named[] = {{"carrier", &catalog->carriers, &f->carrier},
                 {"region", &catalog->regions, &f->region},
                 {"enrollment", &catalog->enrollments, &f->enrollment}};
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        if (!has_column(header, named[k].name))
            continue;
        *named[k].out = alloc_column(f->count, sizeof **named[k].out);
        if (*named[k].out == NULL)
            return out_of_memory(f->who);
        column_read c = {.column = named[k].name,
                         .codes = named[k].codes,
                         .out32 = *named[k].out};
        int status = read_column(f, &c, store_code);
        if (status != 0)
            return status;
    }
    return 0;
}

/* ---- unique keys ----------------------------------------------------- */

static const uint64_t *sort_keys; /* qsort() passes no context */

static int by_key(const void *a, const void *b)
{
    uint64_t ka = sort_keys[*(const uint64_t *)a];
    uint64_t kb = sort_keys[*(const uint64_t *)b];
    if (ka != kb)
        return ka < kb ? -1 : 1;
    /* Equal keys: by row, so the message names the first two rows. */
    uint64_t ia = *(const uint64_t *)a, ib = *(const uint64_t *)b;
    return ia < ib ? -1 : (ia > ib ? 1 : 0);
}

/* The planner takes keys unique in the fleet and does not check them (a
 * repeated key would count one device twice): a repeated identifier is
 * refused here, naming both rows. */
static int check_unique(plan_fleet *f)
{
    if (f->count < 2)
        return 0;
    uint64_t *order = alloc_column(f->count, sizeof *order);
    if (order == NULL)
        return out_of_memory(f->who);
    for (uint64_t i = 0; i < f->count; i++)
        order[i] = i;
    sort_keys = f->keys;
    qsort(order, (size_t)f->count, sizeof *order, by_key);
    int status = 0;
    for (uint64_t i = 1; i < f->count && status == 0; i++) {
        uint64_t a = order[i - 1], b = order[i];
        if (f->keys[a] != f->keys[b])
            continue;
        char shown[CLI_QUOTE_SIZE];
        cli_quote(f->ids + f->id_start[a],
                  (size_t)(f->id_start[a + 1] - f->id_start[a]), shown);
        cli_error(f->who,
                  "%s: rows %" PRIu64 " and %" PRIu64
                  " have the same device key (identifier '%s'): each "
                  "device must appear once",
                  f->cohort.name, f->rows[a], f->rows[b], shown);
        status = CLI_EXIT_FAILURE;
    }
    free(order);
    return status;
}

/* ---- the whole fleet ------------------------------------------------- */

int plan_fleet_load(const char *who, const plan_fleet_args *args,
                    plan_fleet *fleet)
{
    memset(fleet, 0, sizeof *fleet);
    fleet->who = who;
    cohort_fleet_init(&fleet->cohort, who);
    /* Several passes: a pipe is spooled to a temporary file. */
    int status = cohort_fleet_open(&fleet->cohort, args->path, 4);
    if (status != 0)
        return status;
    cli_value_dict header;
    cli_value_dict_init(&header);
    status = read_header(fleet, &header);
    if (status == 0)
        status = read_cohort_columns(fleet, args, &header);
    if (status == 0)
        status = check_unique(fleet);
    if (status == 0)
        status = read_risk_columns(fleet);
    if (status == 0)
        status = read_ring(fleet, args, &header);
    if (status == 0 && args->catalog != NULL)
        status = read_catalog_columns(fleet, args->catalog, &header);
    cli_value_dict_release(&header);
    if (status != 0)
        return status;
    fleet->wave = alloc_column(fleet->count, sizeof *fleet->wave);
    fleet->disposition = alloc_column(fleet->count, sizeof *fleet->disposition);
    fleet->reasons = alloc_column(fleet->count, sizeof *fleet->reasons);
    fleet->priority = alloc_column(fleet->count, sizeof *fleet->priority);
    if (fleet->wave == NULL || fleet->disposition == NULL ||
        fleet->reasons == NULL || fleet->priority == NULL)
        return out_of_memory(who);
    return 0;
}

void plan_fleet_release(plan_fleet *fleet)
{
    cohort_fleet_close(&fleet->cohort);
    free(fleet->keys);
    free(fleet->rows);
    free(fleet->ids);
    free(fleet->id_start);
    for (size_t i = 0; i < PLAN_RISK_COLUMNS; i++)
        free(fleet->risk[i]);
    for (uint32_t d = 0; d < COHORT_MAX_DIMENSIONS; d++)
        free(fleet->codes[d]);
    free(fleet->cluster);
    free(fleet->ring);
    if (fleet->versions != NULL)
        for (size_t k = 0; k < fleet->component_count; k++)
            free(fleet->versions[k]);
    free(fleet->versions);
    free((void *)fleet->version_view);
    free(fleet->carrier);
    free(fleet->region);
    free(fleet->enrollment);
    free(fleet->wave);
    free(fleet->disposition);
    free(fleet->reasons);
    free(fleet->priority);
    memset(fleet, 0, sizeof *fleet);
}

void plan_fleet_cardinalities(const plan_fleet *fleet, uint32_t *out)
{
    for (uint32_t d = 0; d < fleet->dimension_count; d++)
        out[d] = cohort_fleet_cardinality(&fleet->cohort, d);
}

/* ---- errors ---------------------------------------------------------- */

/* Whether `field` names a column of a chunk's devices, whose diagnostics
 * index the device in the chunk: the otaprio_devices columns (the risk
 * engine names them bare), the state's and the planner's own. */
static bool device_field(const char *field)
{
    static const char *const others[] = {"versions",   "carrier", "region",
                                         "enrollment", "ring",    "keys",
                                         "codes",      "cluster"};
#define NAME(index, field, type) #field,
    static const char *const risk[] = {RISK_FIELDS(NAME)};
#undef NAME
    for (size_t i = 0; i < sizeof risk / sizeof risk[0]; i++)
        if (strcmp(field, risk[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (strcmp(field, others[i]) == 0)
            return true;
    return false;
}

int plan_fleet_error(const plan_fleet *fleet, int status,
                     const otaprio_diag *diag)
{
    /* The planner was reading the chunk it was last handed when a device
     * was refused; its CSV rows name the device. */
    const char *field = diag->field != NULL ? diag->field : "";
    static const char *const structs[] = {"devices.", "state."};
    for (size_t i = 0; i < sizeof structs / sizeof structs[0]; i++)
        if (strncmp(field, structs[i], strlen(structs[i])) == 0)
            field += strlen(structs[i]);
    if (!device_field(field) || diag->status != status || fleet->rows == NULL ||
        fleet->last_first >= fleet->count)
        return cli_library_error(fleet->who, "otaprio_plan_create", status,
                                 diag);
    otaprio_diag shown = *diag;
    shown.field = field;
    return cli_chunk_error(fleet->who, fleet->cohort.name,
                           "otaprio_plan_create", status, &shown,
                           fleet->rows + fleet->last_first, fleet->last_count);
}

/* ---- the planner's source -------------------------------------------- */

#define AT(column, first) ((column) != NULL ? (column) + (first) : NULL)

int plan_fleet_source(void *user, int32_t pass, uint64_t first,
                      otaprio_plan_chunk *chunk)
{
    (void)pass; /* every pass sees the same columns */
    plan_fleet *f = user;
    if (first >= f->count) {
        chunk->count = 0;
        return 0;
    }
    uint64_t left = f->count - first;
    size_t n = left < PLAN_CHUNK_DEVICES ? (size_t)left : PLAN_CHUNK_DEVICES;
    size_t at = (size_t)first;

    otaprio_devices *d = &f->devices;
    otaprio_devices_init(d);
    d->count = n;
#define BIND(index, field, type) \
    d->field = AT((const type *)f->risk[index], at);
    RISK_FIELDS(BIND)
#undef BIND

    for (uint32_t k = 0; k < f->dimension_count; k++)
        f->code_view[k] = f->codes[k] + at;

    f->last_first = first;
    f->last_count = n;
    chunk->count = n;
    chunk->keys = f->keys + at;
    chunk->devices = d;
    chunk->codes = f->dimension_count != 0 ? f->code_view : NULL;
    chunk->cluster = AT(f->cluster, at);
    chunk->ring = AT(f->ring, at);
    chunk->wave = f->wave + at;
    chunk->disposition = f->disposition + at;
    chunk->reasons = f->reasons + at;
    chunk->priority = f->priority + at;
    if (f->has_state) {
        otaprio_device_state *s = &f->state;
        otaprio_device_state_init(s);
        s->count = n;
        for (size_t k = 0; k < f->component_count; k++)
            f->version_view[k] = AT(f->versions[k], at);
        s->versions = f->version_view;
        s->component_count = f->component_count;
        s->carrier = AT(f->carrier, at);
        s->region = AT(f->region, at);
        s->enrollment = AT(f->enrollment, at);
        s->battery = d->battery;
        s->charging = d->charging;
        s->free_bytes = d->free_bytes;
        s->metered = d->metered;
        chunk->state = s;
    }
    return 0;
}
