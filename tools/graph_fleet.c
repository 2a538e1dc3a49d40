/* SPDX-License-Identifier: MIT */
/*
 * `otaprio graph --fleet`: a fleet CSV checked against the target package
 * (and the --impact flaws), counted by eligibility, block reason and first
 * failed relation. The CSV streams through csv_stream.c a chunk at a time,
 * so memory is bounded by one chunk, not by the fleet.
 *
 * Columns: `carrier`, `region`, `enrollment` (names as in the catalog;
 * empty: unknown), `battery`, `charging`, `free_bytes`, `metered`, `id`
 * (not read), and one column per component, named as the component, with
 * the installed version (empty: not installed). These fixed names come
 * first: a component named like one of them cannot be given here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

typedef enum column_kind {
    COLUMN_IGNORED,
    COLUMN_ID,
    COLUMN_CARRIER,
    COLUMN_REGION,
    COLUMN_ENROLLMENT,
    COLUMN_BATTERY,
    COLUMN_CHARGING,
    COLUMN_FREE_BYTES,
    COLUMN_METERED,
    COLUMN_COMPONENT
} column_kind;

typedef struct fixed_column {
    const char *name;
    column_kind kind;
} fixed_column;

static const fixed_column fixed_columns[] = {
    {"id", COLUMN_ID},
    {"carrier", COLUMN_CARRIER},
    {"region", COLUMN_REGION},
    {"enrollment", COLUMN_ENROLLMENT},
    {"battery", COLUMN_BATTERY},
    {"charging", COLUMN_CHARGING},
    {"free_bytes", COLUMN_FREE_BYTES},
    {"metered", COLUMN_METERED},
};
#define FIXED_COUNT (sizeof fixed_columns / sizeof fixed_columns[0])
static const cli_key_table fixed_table =
    CLI_KEY_TABLE(fixed_column, fixed_columns, name);

typedef struct header_field {
    column_kind kind;
    uint32_t component; /* COLUMN_COMPONENT */
    const char *name;   /* for messages: the fixed name or the component */
} header_field;

typedef struct fleet_reader {
    cli_csv csv;
    const graph_catalog *catalog;
    const graph_fleet_args *args;
    header_field *fields;
    size_t field_count;
    size_t field_capacity;
    bool fixed_present[FIXED_COUNT];
    /* The chunk: one version column per component the CSV has. */
    size_t count;
    uint32_t **versions;
    otaprio_device_state state;
    uint32_t carrier[CLI_CHUNK_IDS];
    uint32_t region[CLI_CHUNK_IDS];
    uint32_t enrollment[CLI_CHUNK_IDS];
    float battery[CLI_CHUNK_IDS];
    uint8_t charging[CLI_CHUNK_IDS];
    uint64_t free_bytes[CLI_CHUNK_IDS];
    uint8_t metered[CLI_CHUNK_IDS];
    /* The answers for the chunk, and the totals. */
    uint32_t blocks[CLI_CHUNK_IDS];
    uint32_t first_failed[CLI_CHUNK_IDS];
    uint8_t marks[CLI_CHUNK_IDS];
    uint32_t *impact_components;
    uint64_t devices;
    uint64_t eligible;
    uint64_t by_block[32];
    uint64_t *by_first_failed; /* per relation of the target */
    uint64_t (*by_mark)[2];    /* per --impact: direct, inherited */
} fleet_reader;

static int out_of_memory(const fleet_reader *r)
{
    cli_error(r->csv.who, "out of memory");
    return CLI_EXIT_FAILURE;
}

/* ---- the header ------------------------------------------------------ */

static int header_field_of(fleet_reader *r, const char *bytes, size_t length,
                           header_field *field)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    size_t index;
    const fixed_column *fixed =
        cli_key_table_find(&fixed_table, bytes, length, &index);
    if (fixed != NULL) {
        if (r->fixed_present[index]) {
            cli_error(r->csv.who, "%s: column '%s' appears more than once",
                      r->csv.name, shown);
            return CLI_EXIT_FAILURE;
        }
        r->fixed_present[index] = true;
        field->kind = fixed->kind;
        field->name = fixed->name;
        return 0;
    }
    const graph_catalog *catalog = r->catalog;
    uint32_t component;
    if (otaprio_catalog_component_id(catalog->catalog, bytes, length,
                                     &component, NULL) == OTAPRIO_OK) {
        if (r->versions[component] != NULL) {
            cli_error(r->csv.who, "%s: column '%s' appears more than once",
                      r->csv.name, shown);
            return CLI_EXIT_FAILURE;
        }
        r->versions[component] =
            malloc(CLI_CHUNK_IDS * sizeof *r->versions[component]);
        if (r->versions[component] == NULL)
            return out_of_memory(r);
        field->kind = COLUMN_COMPONENT;
        field->component = component;
        field->name = catalog->component_names[component];
        return 0;
    }
    if (r->args->ignore_unknown) {
        field->kind = COLUMN_IGNORED;
        field->name = "";
        return 0;
    }
    char fixed_list[256];
    char known[1024];
    cli_key_table_list(&fixed_table, fixed_list, sizeof fixed_list);
    graph_component_list(catalog, known, sizeof known);
    cli_error(r->csv.who,
              "%s: unknown column '%s' in the header; known columns: %s, "
              "and the components of %s: %s (or pass "
              "--ignore-unknown-columns)",
              r->csv.name, shown, fixed_list, catalog->file,
              known[0] != '\0' ? known : "(none)");
    return CLI_EXIT_FAILURE;
}

static int on_header_field(fleet_reader *r, const char *bytes, size_t length)
{
    cli_trim_blanks(&bytes, &length);
    if (r->field_count == r->field_capacity) {
        size_t capacity = r->field_capacity != 0 ? r->field_capacity * 2 : 32;
        header_field *grown = realloc(r->fields, capacity * sizeof *grown);
        if (grown == NULL)
            return out_of_memory(r);
        r->fields = grown;
        r->field_capacity = capacity;
    }
    header_field field = {COLUMN_IGNORED, 0, ""};
    if (header_field_of(r, bytes, length, &field) != 0)
        return CLI_EXIT_FAILURE;
    r->fields[r->field_count++] = field;
    return 0;
}

/* Points the library's chunk at the columns the CSV has; the others stay
 * NULL, which the library reads as its documented defaults. */
static void bind_columns(fleet_reader *r)
{
    otaprio_device_state *state = &r->state;
    otaprio_device_state_init(state);
    state->versions = (const uint32_t *const *)r->versions;
    state->component_count = r->catalog->components.count;
    for (size_t i = 0; i < FIXED_COUNT; i++) {
        if (!r->fixed_present[i])
            continue;
        switch (fixed_columns[i].kind) {
        case COLUMN_CARRIER:
            state->carrier = r->carrier;
            break;
        case COLUMN_REGION:
            state->region = r->region;
            break;
        case COLUMN_ENROLLMENT:
            state->enrollment = r->enrollment;
            break;
        case COLUMN_BATTERY:
            state->battery = r->battery;
            break;
        case COLUMN_CHARGING:
            state->charging = r->charging;
            break;
        case COLUMN_FREE_BYTES:
            state->free_bytes = r->free_bytes;
            break;
        case COLUMN_METERED:
            state->metered = r->metered;
            break;
        default:
            break;
        }
    }
}

/* ---- values ---------------------------------------------------------- */

static int bad_value(const fleet_reader *r, const header_field *field,
                     const char *bytes, size_t length, const char *problem)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(bytes, length, shown);
    cli_error(r->csv.who, "%s: row %" PRIu64 ", column '%s': '%s' %s",
              r->csv.name, r->csv.row, field->name, shown, problem);
    return CLI_EXIT_FAILURE;
}

static int store_version(fleet_reader *r, const header_field *field,
                         const char *bytes, size_t length)
{
    uint32_t *column = r->versions[field->component];
    if (length == 0) {
        column[r->count] = OTAPRIO_VERSION_NONE;
        return 0;
    }
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_catalog_version_id(r->catalog->catalog, field->component, bytes,
                                   length, &column[r->count], &diag);
    if (status == OTAPRIO_OK)
        return 0;
    char problem[OTAPRIO_DIAG_MESSAGE_MAX + 64];
    if (status == OTAPRIO_E_SYNTAX && diag.status == status)
        snprintf(problem, sizeof problem,
                 "is no version: malformed at byte %" PRId64 ": %s", diag.index,
                 diag.message);
    else if (status == OTAPRIO_E_NOT_FOUND)
        snprintf(problem, sizeof problem,
                 "is a version the catalog does not know (list it under "
                 "\"versions\")");
    else
        snprintf(problem, sizeof problem, "is no version: %s",
                 otaprio_strerror(status));
    return bad_value(r, field, bytes, length, problem);
}

static int store_value(fleet_reader *r, const header_field *field,
                       const char *bytes, size_t length)
{
    /* Spaces around a value are no part of it. */
    cli_trim_blanks(&bytes, &length);
    size_t i = r->count;
    const graph_catalog *catalog = r->catalog;
    uint64_t number;
    int flag;
    switch (field->kind) {
    case COLUMN_IGNORED:
    case COLUMN_ID:
        return 0;
    case COLUMN_COMPONENT:
        return store_version(r, field, bytes, length);
    case COLUMN_CARRIER:
        /* Empty: unknown, which every rule refuses; named by no package:
         * refused by allow lists only (see graph_cmd.h). */
        r->carrier[i] = graph_codes_find(&catalog->carriers, bytes, length);
        return 0;
    case COLUMN_REGION:
        r->region[i] = graph_codes_find(&catalog->regions, bytes, length);
        return 0;
    case COLUMN_ENROLLMENT:
        r->enrollment[i] =
            graph_codes_find(&catalog->enrollments, bytes, length);
        return 0;
    case COLUMN_BATTERY:
        if (!cli_parse_float(bytes, length, &r->battery[i]) ||
            !(r->battery[i] >= 0.0f && r->battery[i] <= 1.0f))
            return bad_value(r, field, bytes, length,
                             "is no charge; expected a number from 0 to 1");
        return 0;
    case COLUMN_CHARGING:
    case COLUMN_METERED:
        flag = cli_parse_flag(bytes, length);
        if (flag < 0)
            return bad_value(r, field, bytes, length,
                             "is no flag; expected 0, 1, true or false");
        (field->kind == COLUMN_CHARGING ? r->charging : r->metered)[i] =
            (uint8_t)flag;
        return 0;
    case COLUMN_FREE_BYTES:
        if (!cli_parse_uint(bytes, length, UINT64_MAX, &number))
            return bad_value(r, field, bytes, length,
                             "is not a whole number from 0 to "
                             "18446744073709551615");
        r->free_bytes[i] = number;
        return 0;
    }
    return 0;
}

/* ---- chunks ---------------------------------------------------------- */

static int flush(fleet_reader *r)
{
    if (r->count == 0)
        return 0;
    const graph_catalog *catalog = r->catalog;
    const graph_fleet_args *args = r->args;
    r->state.count = r->count;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    if (args->has_target) {
        uint64_t eligible = 0;
        int status = otaprio_catalog_check_devices(
            catalog->catalog, args->target, &r->state, r->blocks,
            r->first_failed, &eligible, &diag);
        if (status != OTAPRIO_OK)
            return cli_library_error(
                r->csv.who, "otaprio_catalog_check_devices", status, &diag);
        r->eligible += eligible;
        for (size_t i = 0; i < r->count; i++) {
            for (unsigned bit = 0; bit < 32; bit++)
                r->by_block[bit] += (r->blocks[i] >> bit) & 1u;
            if (r->first_failed[i] != UINT32_MAX)
                r->by_first_failed[r->first_failed[i]]++;
        }
    }
    for (size_t k = 0; k < args->impact_count; k++) {
        const graph_impact_args *impact = &args->impacts[k];
        int status = otaprio_catalog_impact_devices(
            catalog->catalog, r->impact_components[k], impact->constraint,
            impact->constraint_length, &r->state, r->marks, NULL, &diag);
        if (status != OTAPRIO_OK)
            return cli_library_error(
                r->csv.who, "otaprio_catalog_impact_devices", status, &diag);
        for (size_t i = 0; i < r->count; i++)
            if (r->marks[i] != 0)
                r->by_mark[k][r->marks[i] == 1 ? 0 : 1]++;
    }
    r->devices += r->count;
    r->count = 0;
    return 0;
}

static int on_field(void *user, const char *bytes, size_t length)
{
    fleet_reader *r = user;
    if (!r->csv.header_done)
        return on_header_field(r, bytes, length);
    if (r->csv.field >= r->field_count) {
        cli_error(r->csv.who,
                  "%s: row %" PRIu64 " has more fields than the header's %zu",
                  r->csv.name, r->csv.row, r->field_count);
        return CLI_EXIT_FAILURE;
    }
    return store_value(r, &r->fields[r->csv.field], bytes, length);
}

static int on_row(void *user)
{
    fleet_reader *r = user;
    if (!r->csv.header_done) {
        bind_columns(r);
        return 0;
    }
    if (r->csv.field != r->field_count) {
        cli_error(r->csv.who,
                  "%s: row %" PRIu64 " has %zu field%s but the header has %zu",
                  r->csv.name, r->csv.row, r->csv.field,
                  r->csv.field == 1 ? "" : "s", r->field_count);
        return CLI_EXIT_FAILURE;
    }
    r->count++;
    return r->count == CLI_CHUNK_IDS ? flush(r) : 0;
}

/* ---- the answer ------------------------------------------------------ */

static json_t *target_json(const fleet_reader *r)
{
    const graph_catalog *catalog = r->catalog;
    uint32_t target = r->args->target;
    json_t *blocks = json_object();
    for (unsigned bit = 0; blocks != NULL && bit < 32; bit++) {
        const char *name = otaprio_block_name(1u << bit);
        /* Every bit the library names, counted or not, so the keys are
         * the same for every fleet. */
        if (strcmp(name, "unknown") == 0)
            continue;
        if (json_object_set_new(blocks, name,
                                json_integer((json_int_t)r->by_block[bit])) !=
            0) {
            json_decref(blocks);
            blocks = NULL;
        }
    }
    json_t *failed = json_array();
    size_t relations =
        catalog->relation_start[target + 1] - catalog->relation_start[target];
    for (size_t k = 0; failed != NULL && k < relations; k++) {
        if (r->by_first_failed[k] == 0)
            continue;
        json_t *item = graph_relation_json(catalog, target, (uint32_t)k);
        if (item == NULL ||
            json_object_set_new(
                item, "devices",
                json_integer((json_int_t)r->by_first_failed[k])) != 0 ||
            json_array_append_new(failed, item) != 0) {
            json_decref(failed);
            failed = NULL;
        }
    }
    return json_pack("{s:s, s:I, s:I, s:o, s:o}", "name",
                     catalog->package_names[target], "eligible",
                     (json_int_t)r->eligible, "blocked",
                     (json_int_t)(r->devices - r->eligible), "blocks", blocks,
                     "first_failed", failed);
}

static json_t *impacts_json(const fleet_reader *r)
{
    json_t *impacts = json_array();
    for (size_t k = 0; impacts != NULL && k < r->args->impact_count; k++) {
        const graph_impact_args *impact = &r->args->impacts[k];
        json_t *item = json_pack(
            "{s:s, s:s%, s:I, s:I}", "component",
            r->catalog->component_names[r->impact_components[k]], "constraint",
            impact->constraint, impact->constraint_length, "direct",
            (json_int_t)r->by_mark[k][0], "inherited",
            (json_int_t)r->by_mark[k][1]);
        if (json_array_append_new(impacts, item) != 0) {
            json_decref(impacts);
            impacts = NULL;
        }
    }
    return impacts;
}

static int answer(const fleet_reader *r, json_t **result)
{
    *result = json_pack("{s:s, s:I}", "file", r->csv.name, "devices",
                        (json_int_t)r->devices);
    if (*result != NULL && r->args->has_target &&
        json_object_set_new(*result, "target", target_json(r)) != 0) {
        json_decref(*result);
        *result = NULL;
    }
    if (*result != NULL && r->args->impact_count != 0 &&
        json_object_set_new(*result, "impact", impacts_json(r)) != 0) {
        json_decref(*result);
        *result = NULL;
    }
    return *result != NULL ? 0 : out_of_memory(r);
}

/* ---- the run --------------------------------------------------------- */

static int prepare(fleet_reader *r)
{
    const graph_catalog *catalog = r->catalog;
    const graph_fleet_args *args = r->args;
    size_t components = catalog->components.count;
    r->versions = calloc(components != 0 ? components : 1, sizeof *r->versions);
    size_t relations = 1;
    if (args->has_target)
        relations += catalog->relation_start[args->target + 1] -
                     catalog->relation_start[args->target];
    r->by_first_failed = calloc(relations, sizeof *r->by_first_failed);
    size_t impacts = args->impact_count != 0 ? args->impact_count : 1;
    r->by_mark = calloc(impacts, sizeof *r->by_mark);
    r->impact_components = calloc(impacts, sizeof *r->impact_components);
    if (r->versions == NULL || r->by_first_failed == NULL ||
        r->by_mark == NULL || r->impact_components == NULL)
        return out_of_memory(r);
    for (size_t k = 0; k < args->impact_count; k++)
        if (graph_impact_component(r->csv.who, catalog, &args->impacts[k],
                                   &r->impact_components[k]) != 0)
            return CLI_EXIT_FAILURE;
    return 0;
}

static void release(fleet_reader *r)
{
    if (r->versions != NULL)
        for (size_t c = 0; c < r->catalog->components.count; c++)
            free(r->versions[c]);
    free(r->versions);
    free(r->fields);
    free(r->by_first_failed);
    free(r->by_mark);
    free(r->impact_components);
    free(r);
}

int graph_query_fleet(const char *who, const graph_catalog *catalog,
                      const graph_fleet_args *args, json_t **result)
{
    /* The chunk's columns make this too large for the stack. */
    fleet_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    cli_csv_init(&r->csv, who, args->path, on_field, on_row, r);
    r->catalog = catalog;
    r->args = args;
    int status = prepare(r);
    FILE *in = NULL;
    bool from_stdin = strcmp(args->path, "-") == 0;
    if (status == 0) {
        in = from_stdin ? stdin : fopen(args->path, "rb");
        if (in == NULL) {
            int error = errno;
            cli_error(who, "cannot open the fleet file %s: %s", args->path,
                      strerror(error));
            status = CLI_EXIT_FAILURE;
        }
    }
    if (status == 0)
        status = cli_csv_read(&r->csv, in);
    if (in != NULL && !from_stdin)
        fclose(in); /* read-only: nothing to lose on close */
    /* The last rows fill no whole chunk. */
    if (status == 0)
        status = flush(r);
    if (status == 0)
        status = answer(r, result);
    release(r);
    return status;
}
