/* SPDX-License-Identifier: MIT */
/*
 * The catalog file of `otaprio graph`: components, the versions devices
 * report, and packages with their relations and rules, as one JSON object
 * (the same text is in `otaprio graph --help`):
 *
 *   {
 *     "components": ["bootloader", "modem", "os"],
 *     "versions": {"bootloader": ["2.1", "3.0"], "os": ["11.0", "11.1"]},
 *     "packages": [
 *       {"name": "modem-fw-2.4", "family": "gateway-g2",
 *        "download_bytes": 52428800, "install_bytes": 104857600,
 *        "min_battery": 0.3, "allow_metered": false,
 *        "carriers": ["vodafone", "orange"], "regions": ["eu"],
 *        "denied_regions": ["ru"], "enrollments": ["supervised"],
 *        "requires": [["bootloader", ">= 3.0"], ["os", ">= 11.1"]],
 *        "conflicts": [["legacy-vpn", "< 2"]],
 *        "provides": [["modem", "2.4"]]}
 *     ]
 *   }
 *
 * - "packages" is required, every other top-level key optional; a key
 *   that is not listed here is an error, not a silently ignored typo.
 * - "components" lists every component a relation or a device may name,
 *   once each; its order gives the library's component ids.
 * - "versions" gives, per component, versions devices may report besides
 *   those the relations name (a device's version must be one of either).
 * - A package needs "name", unique. "family" is the product family that
 *   impact reports name. Sizes are whole bytes (default 0); "min_battery"
 *   is a charge in [0, 1] (default 0, no rule); "allow_metered" defaults
 *   to true. "carriers", "regions", "enrollments" list what is allowed
 *   (left out or empty: any); "denied_regions" lists where legal or
 *   contractual rules forbid the package. Those names are the CLI's: it
 *   gives each a code for the library and reads devices by the same names.
 * - Relations are arrays of [component, text] pairs, not objects: the
 *   library numbers a package's relations in the order they are added and
 *   reports the first one that fails by that number, so the order must be
 *   the file's, and a component may be named twice ([">= 2"] and a
 *   conflict on "2.3.1"). The numbering is the "requires" pairs in order,
 *   then the "conflicts" pairs, then the "provides" pairs. "requires" and
 *   "conflicts" take a constraint ("*", ">= 2.3.1, < 3"), "provides" a
 *   version, at most one per component.
 *
 * Every error names the file and the place: "key 'packages[2].requires',
 * element 0: unknown component 'bootlader'".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

/* ---- messages -------------------------------------------------------- */

/* The place of a value: `key` is the path to it ("packages[2].carriers"),
 * `element` its index inside that array or -1. */
static cli_json_where place(const graph_catalog *catalog, const char *who,
                            const char *key, long element)
{
    cli_json_where where = {who, catalog->file, key, element};
    return where;
}

static int out_of_memory(const char *who)
{
    cli_error(who, "out of memory");
    return CLI_EXIT_FAILURE;
}

/* A library call on the value `text` failed: says why, in the file's
 * terms. `what` names the value ("version", "constraint"). */
static int library_failed(const cli_json_where *where, const char *what,
                          const char *text, size_t length, int status,
                          const otaprio_diag *diag)
{
    if (status == OTAPRIO_E_NOMEM)
        return out_of_memory(where->who);
    char shown[CLI_QUOTE_SIZE];
    cli_quote(text, length, shown);
    const char *detail = diag->status == status ? diag->message : "";
    if (status == OTAPRIO_E_SYNTAX && diag->status == status &&
        diag->index >= 0)
        cli_json_report(where, "malformed %s '%s' at byte %" PRId64 ": %s",
                        what, shown, diag->index, detail);
    else
        cli_json_report(where, "%s '%s': %s%s%s", what, shown,
                        otaprio_strerror(status), detail[0] != '\0' ? ": " : "",
                        detail);
    return CLI_EXIT_FAILURE;
}

/* A non-empty string, or CLI_EXIT_FAILURE after saying what it is not. */
static int read_name(const cli_json_where *where, json_t *value,
                     const char *what, const char **name)
{
    if (!json_is_string(value)) {
        cli_json_report(where, "expected %s as a string, got %s", what,
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    if (json_string_length(value) == 0) {
        cli_json_report(where, "%s is empty", what);
        return CLI_EXIT_FAILURE;
    }
    *name = json_string_value(value);
    return 0;
}

static int expect_array(const cli_json_where *where, json_t *value,
                        const char *of)
{
    if (json_is_array(value))
        return 0;
    cli_json_report(where, "expected an array of %s, got %s", of,
                    cli_json_type_name(value));
    return CLI_EXIT_FAILURE;
}

static uint32_t find_component(const graph_catalog *catalog, const char *name)
{
    int found = cli_names_find(&catalog->components, name, strlen(name));
    return found >= 0 ? (uint32_t)found : UINT32_MAX;
}

static int unknown_component(const graph_catalog *catalog,
                             const cli_json_where *where, const char *name)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(name, strlen(name), shown);
    if (catalog->components.count == 0) {
        cli_json_report(where,
                        "unknown component '%s': the catalog lists no "
                        "\"components\"",
                        shown);
        return CLI_EXIT_FAILURE;
    }
    char known[1024];
    graph_component_list(catalog, known, sizeof known);
    cli_json_report(where, "unknown component '%s'; components: %s", shown,
                    known);
    return CLI_EXIT_FAILURE;
}

/* ---- components and versions ----------------------------------------- */

static int read_components(const char *who, graph_catalog *catalog,
                           otaprio_catalog_builder *builder, json_t *value)
{
    cli_json_where where = place(catalog, who, "components", -1);
    if (expect_array(&where, value, "component names") != 0)
        return CLI_EXIT_FAILURE;
    size_t count = json_array_size(value);
    catalog->component_names =
        calloc(count != 0 ? count : 1, sizeof *catalog->component_names);
    if (catalog->component_names == NULL)
        return out_of_memory(who);
    catalog->components.names = catalog->component_names;
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element)
    {
        where.element = (long)i;
        const char *name;
        if (read_name(&where, element, "a component name", &name) != 0)
            return CLI_EXIT_FAILURE;
        int earlier = cli_names_find(&catalog->components, name, strlen(name));
        if (earlier >= 0) {
            char shown[CLI_QUOTE_SIZE];
            cli_quote(name, strlen(name), shown);
            cli_json_report(&where, "component '%s' is already element %d",
                            shown, earlier);
            return CLI_EXIT_FAILURE;
        }
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_catalog_add_component(builder, name, strlen(name),
                                                   NULL, &diag);
        if (status != OTAPRIO_OK)
            return library_failed(&where, "component name", name, strlen(name),
                                  status, &diag);
        catalog->component_names[i] = name;
        catalog->components.count = i + 1;
    }
    return 0;
}

static int read_versions(const char *who, graph_catalog *catalog,
                         otaprio_catalog_builder *builder, json_t *value)
{
    if (!json_is_object(value)) {
        cli_json_where where = place(catalog, who, "versions", -1);
        cli_json_report(&where,
                        "expected an object of component names to arrays "
                        "of versions, got %s",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    const char *name;
    json_t *versions;
    json_object_foreach(value, name, versions)
    {
        /* Component names are at most OTAPRIO_VERSION_TEXT_MAX bytes. */
        char key[OTAPRIO_VERSION_TEXT_MAX + 32];
        snprintf(key, sizeof key, "versions.%s", name);
        cli_json_where where = place(catalog, who, key, -1);
        uint32_t component = find_component(catalog, name);
        if (component == UINT32_MAX) {
            where.key = "versions";
            return unknown_component(catalog, &where, name);
        }
        if (expect_array(&where, versions, "versions") != 0)
            return CLI_EXIT_FAILURE;
        size_t i;
        json_t *element;
        json_array_foreach(versions, i, element)
        {
            where.element = (long)i;
            const char *text;
            if (read_name(&where, element, "a version", &text) != 0)
                return CLI_EXIT_FAILURE;
            size_t length = json_string_length(element);
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            int status = otaprio_catalog_add_version(builder, component, text,
                                                     length, NULL, &diag);
            if (status != OTAPRIO_OK)
                return library_failed(&where, "version", text, length, status,
                                      &diag);
        }
    }
    return 0;
}

/* ---- packages -------------------------------------------------------- */

typedef enum package_key {
    KEY_NAME,
    KEY_FAMILY,
    KEY_DOWNLOAD_BYTES,
    KEY_INSTALL_BYTES,
    KEY_MIN_BATTERY,
    KEY_ALLOW_METERED,
    KEY_CARRIERS,
    KEY_REGIONS,
    KEY_DENIED_REGIONS,
    KEY_ENROLLMENTS,
    KEY_REQUIRES,
    KEY_CONFLICTS,
    KEY_PROVIDES
} package_key;

typedef struct package_field {
    const char *key;
    package_key id;
} package_field;

static const package_field package_fields[] = {
    {"name", KEY_NAME},
    {"family", KEY_FAMILY},
    {"download_bytes", KEY_DOWNLOAD_BYTES},
    {"install_bytes", KEY_INSTALL_BYTES},
    {"min_battery", KEY_MIN_BATTERY},
    {"allow_metered", KEY_ALLOW_METERED},
    {"carriers", KEY_CARRIERS},
    {"regions", KEY_REGIONS},
    {"denied_regions", KEY_DENIED_REGIONS},
    {"enrollments", KEY_ENROLLMENTS},
    {"requires", KEY_REQUIRES},
    {"conflicts", KEY_CONFLICTS},
    {"provides", KEY_PROVIDES},
};
static const cli_key_table package_table =
    CLI_KEY_TABLE(package_field, package_fields, key);

/* The code lists of a package, in the order of otaprio_package's. */
enum { LIST_CARRIERS, LIST_REGIONS, LIST_DENIED_REGIONS, LIST_ENROLLMENTS };
#define LIST_COUNT 4

/* The relation arrays, in the order their relations are numbered. */
static const struct {
    package_key key;
    int32_t kind;
    const char *name; /* as in the file */
    const char *text; /* what the second item of a pair is */
} relation_kinds[] = {
    {KEY_REQUIRES, OTAPRIO_RELATION_REQUIRES, "requires", "constraint"},
    {KEY_CONFLICTS, OTAPRIO_RELATION_CONFLICTS, "conflicts", "constraint"},
    {KEY_PROVIDES, OTAPRIO_RELATION_PROVIDES, "provides", "version"},
};
#define KIND_COUNT 3

/* One package object as read, before it goes to the builder. */
typedef struct package_input {
    otaprio_package package;
    uint32_t *lists[LIST_COUNT];
    json_t *relations[KIND_COUNT]; /* borrowed; NULL when left out */
} package_input;

/* An array of names as codes, in `*codes` (allocated) and `*count`. */
static int read_code_list(const cli_json_where *where, json_t *value,
                          graph_codes *table, uint32_t **codes, size_t *count)
{
    if (expect_array(where, value, "names") != 0)
        return CLI_EXIT_FAILURE;
    size_t size = json_array_size(value);
    uint32_t *read = malloc((size != 0 ? size : 1) * sizeof *read);
    if (read == NULL)
        return out_of_memory(where->who);
    cli_json_where item = *where;
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element)
    {
        item.element = (long)i;
        const char *name;
        if (read_name(&item, element, "a name", &name) != 0) {
            free(read);
            return CLI_EXIT_FAILURE;
        }
        if (graph_codes_intern(table, name, &read[i]) != 0) {
            free(read);
            return out_of_memory(where->who);
        }
    }
    *codes = read;
    *count = size;
    return 0;
}

static int read_package_key(graph_catalog *catalog, const cli_json_where *where,
                            package_key key, json_t *value, package_input *in)
{
    otaprio_package *package = &in->package;
    double battery;
    int32_t flag;
    switch (key) {
    case KEY_NAME:
        if (read_name(where, value, "the package name", &package->name) != 0)
            return CLI_EXIT_FAILURE;
        package->name_length = json_string_length(value);
        return 0;
    case KEY_FAMILY: {
        const char *family;
        if (read_name(where, value, "a product family", &family) != 0)
            return CLI_EXIT_FAILURE;
        if (graph_codes_intern(&catalog->families, family, &package->family) !=
            0)
            return out_of_memory(where->who);
        return 0;
    }
    case KEY_DOWNLOAD_BYTES:
        return cli_json_uint(where, value, UINT64_MAX,
                             &package->download_bytes);
    case KEY_INSTALL_BYTES:
        return cli_json_uint(where, value, UINT64_MAX, &package->install_bytes);
    case KEY_MIN_BATTERY:
        if (cli_json_real(where, value, &battery) != 0)
            return CLI_EXIT_FAILURE;
        if (!(battery >= 0.0 && battery <= 1.0)) {
            cli_json_report(where,
                            "%g is out of range; expected a charge from 0 "
                            "to 1",
                            battery);
            return CLI_EXIT_FAILURE;
        }
        package->min_battery = (float)battery;
        return 0;
    case KEY_ALLOW_METERED:
        if (cli_json_flag(where, value, &flag) != 0)
            return CLI_EXIT_FAILURE;
        package->allow_metered = (uint8_t)flag;
        return 0;
    case KEY_CARRIERS:
        return read_code_list(where, value, &catalog->carriers,
                              &in->lists[LIST_CARRIERS],
                              &package->carrier_count);
    case KEY_REGIONS:
        return read_code_list(where, value, &catalog->regions,
                              &in->lists[LIST_REGIONS], &package->region_count);
    case KEY_DENIED_REGIONS:
        return read_code_list(where, value, &catalog->regions,
                              &in->lists[LIST_DENIED_REGIONS],
                              &package->denied_region_count);
    case KEY_ENROLLMENTS:
        return read_code_list(where, value, &catalog->enrollments,
                              &in->lists[LIST_ENROLLMENTS],
                              &package->enrollment_count);
    case KEY_REQUIRES:
    case KEY_CONFLICTS:
    case KEY_PROVIDES:
        /* Checked when they are added, after the package itself. */
        for (size_t k = 0; k < KIND_COUNT; k++)
            if (relation_kinds[k].key == key)
                in->relations[k] = value;
        return 0;
    }
    return CLI_EXIT_FAILURE;
}

static int append_relation(graph_catalog *catalog, const char *who,
                           const graph_relation *relation)
{
    size_t used = catalog->relation_start[catalog->package_count];
    if (used == catalog->relation_capacity) {
        size_t capacity = used != 0 ? used * 2 : 64;
        graph_relation *grown =
            realloc(catalog->relations, capacity * sizeof *grown);
        if (grown == NULL)
            return out_of_memory(who);
        catalog->relations = grown;
        catalog->relation_capacity = capacity;
    }
    catalog->relations[used] = *relation;
    catalog->relation_start[catalog->package_count] = used + 1;
    return 0;
}

/* The [component, text] pairs of one relation kind of package `id`. */
static int add_relations(graph_catalog *catalog,
                         otaprio_catalog_builder *builder, const char *who,
                         size_t index, uint32_t id, size_t kind, json_t *pairs)
{
    char key[64];
    snprintf(key, sizeof key, "packages[%zu].%s", index,
             relation_kinds[kind].name);
    cli_json_where where = place(catalog, who, key, -1);
    char of[64];
    snprintf(of, sizeof of, "[component, %s] pairs", relation_kinds[kind].text);
    if (expect_array(&where, pairs, of) != 0)
        return CLI_EXIT_FAILURE;
    size_t i;
    json_t *pair;
    json_array_foreach(pairs, i, pair)
    {
        where.element = (long)i;
        if (!json_is_array(pair) || json_array_size(pair) != 2 ||
            !json_is_string(json_array_get(pair, 0)) ||
            !json_is_string(json_array_get(pair, 1))) {
            cli_json_report(&where,
                            "expected a [component, %s] pair of strings, "
                            "got %s",
                            relation_kinds[kind].text,
                            json_is_array(pair) ? "another array"
                                                : cli_json_type_name(pair));
            return CLI_EXIT_FAILURE;
        }
        json_t *name = json_array_get(pair, 0);
        json_t *text = json_array_get(pair, 1);
        uint32_t component = find_component(catalog, json_string_value(name));
        if (component == UINT32_MAX)
            return unknown_component(catalog, &where, json_string_value(name));
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_catalog_add_relation(
            builder, id, relation_kinds[kind].kind, component,
            json_string_value(text), json_string_length(text), &diag);
        if (status != OTAPRIO_OK)
            return library_failed(&where, relation_kinds[kind].text,
                                  json_string_value(text),
                                  json_string_length(text), status, &diag);
        graph_relation relation = {relation_kinds[kind].kind, component,
                                   json_string_value(text)};
        if (append_relation(catalog, who, &relation) != 0)
            return CLI_EXIT_FAILURE;
    }
    return 0;
}

static int duplicate_package(const graph_catalog *catalog,
                             const cli_json_where *where, const char *name)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(name, strlen(name), shown);
    for (size_t i = 0; i < catalog->package_count; i++) {
        if (strcmp(catalog->package_names[i], name) == 0) {
            cli_json_report(where,
                            "package name '%s' is already used by "
                            "packages[%zu]",
                            shown, i);
            return CLI_EXIT_FAILURE;
        }
    }
    cli_json_report(where, "package name '%s' is already used", shown);
    return CLI_EXIT_FAILURE;
}

static int add_package(graph_catalog *catalog, otaprio_catalog_builder *builder,
                       const char *who, size_t index, package_input *in)
{
    char key[64];
    snprintf(key, sizeof key, "packages[%zu].name", index);
    cli_json_where where = place(catalog, who, key, -1);
    otaprio_package *package = &in->package;
    package->carriers = in->lists[LIST_CARRIERS];
    package->regions = in->lists[LIST_REGIONS];
    package->denied_regions = in->lists[LIST_DENIED_REGIONS];
    package->enrollments = in->lists[LIST_ENROLLMENTS];
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    uint32_t id;
    int status = otaprio_catalog_add_package(builder, package, &id, &diag);
    if (status == OTAPRIO_E_DUPLICATE)
        return duplicate_package(catalog, &where, package->name);
    if (status != OTAPRIO_OK) {
        where.key = "packages";
        where.element = (long)index;
        return library_failed(&where, "package", package->name,
                              package->name_length, status, &diag);
    }
    catalog->package_names[index] = package->name;
    catalog->download_bytes[index] = package->download_bytes;
    catalog->family[index] = package->family;
    catalog->package_count = index + 1;
    catalog->relation_start[index + 1] = catalog->relation_start[index];
    for (size_t k = 0; k < KIND_COUNT; k++) {
        if (in->relations[k] != NULL &&
            add_relations(catalog, builder, who, index, id, k,
                          in->relations[k]) != 0)
            return CLI_EXIT_FAILURE;
    }
    return 0;
}

static int read_package(graph_catalog *catalog,
                        otaprio_catalog_builder *builder, const char *who,
                        size_t index, json_t *object)
{
    if (!json_is_object(object)) {
        cli_json_where where = place(catalog, who, "packages", (long)index);
        cli_json_report(&where, "expected a package object, got %s",
                        cli_json_type_name(object));
        return CLI_EXIT_FAILURE;
    }
    package_input in;
    memset(&in, 0, sizeof in);
    otaprio_package_init(&in.package);
    int status = 0;
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        const package_field *field =
            cli_key_table_find(&package_table, key, strlen(key), NULL);
        if (field == NULL) {
            char known[256];
            char what[64];
            cli_key_table_list(&package_table, known, sizeof known);
            snprintf(what, sizeof what, "package at packages[%zu]", index);
            status = cli_json_unknown_key(who, catalog->file, what, key, known);
            break;
        }
        char path[64];
        snprintf(path, sizeof path, "packages[%zu].%s", index, key);
        cli_json_where where = place(catalog, who, path, -1);
        status = read_package_key(catalog, &where, field->id, value, &in);
        if (status != 0)
            break;
    }
    if (status == 0 && in.package.name == NULL) {
        cli_json_where where = place(catalog, who, "packages", (long)index);
        cli_json_report(&where, "the package has no \"name\"");
        status = CLI_EXIT_FAILURE;
    }
    if (status == 0)
        status = add_package(catalog, builder, who, index, &in);
    for (size_t i = 0; i < LIST_COUNT; i++)
        free(in.lists[i]);
    return status;
}

static int read_packages(const char *who, graph_catalog *catalog,
                         otaprio_catalog_builder *builder, json_t *value)
{
    cli_json_where where = place(catalog, who, "packages", -1);
    if (expect_array(&where, value, "package objects") != 0)
        return CLI_EXIT_FAILURE;
    size_t count = json_array_size(value);
    size_t slots = count != 0 ? count : 1;
    catalog->package_names = calloc(slots, sizeof *catalog->package_names);
    catalog->download_bytes = calloc(slots, sizeof *catalog->download_bytes);
    catalog->family = calloc(slots, sizeof *catalog->family);
    catalog->relation_start =
        calloc(count + 1, sizeof *catalog->relation_start);
    if (catalog->package_names == NULL || catalog->download_bytes == NULL ||
        catalog->family == NULL || catalog->relation_start == NULL)
        return out_of_memory(who);
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element)
    {
        if (read_package(catalog, builder, who, i, element) != 0)
            return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* ---- the document ---------------------------------------------------- */

static const char *const top_keys[] = {"components", "versions", "packages"};

static int read_document(const char *who, graph_catalog *catalog,
                         otaprio_catalog_builder *builder)
{
    json_t *parts[3] = {NULL, NULL, NULL};
    const char *key;
    json_t *value;
    json_object_foreach(catalog->document, key, value)
    {
        size_t k = 0;
        while (k < 3 && strcmp(key, top_keys[k]) != 0)
            k++;
        if (k == 3)
            return cli_json_unknown_key(who, catalog->file, "catalog", key,
                                        "components, versions, packages");
        parts[k] = value;
    }
    if (parts[2] == NULL) {
        cli_error(who,
                  "%s: the catalog has no \"packages\" key; 'otaprio help "
                  "graph' shows the format",
                  catalog->file);
        return CLI_EXIT_FAILURE;
    }
    /* Components first, whatever the order of the keys: versions and
     * relations name them. */
    if (parts[0] != NULL &&
        read_components(who, catalog, builder, parts[0]) != 0)
        return CLI_EXIT_FAILURE;
    if (parts[1] != NULL && read_versions(who, catalog, builder, parts[1]) != 0)
        return CLI_EXIT_FAILURE;
    return read_packages(who, catalog, builder, parts[2]);
}

int graph_catalog_read(const char *who, const char *path,
                       graph_catalog *catalog)
{
    memset(catalog, 0, sizeof *catalog);
    catalog->file = strcmp(path, "-") == 0 ? "standard input" : path;
    catalog->components.what = "component";
    graph_codes_init(&catalog->families, "product family");
    graph_codes_init(&catalog->carriers, "carrier");
    graph_codes_init(&catalog->regions, "region");
    graph_codes_init(&catalog->enrollments, "enrollment state");
    catalog->document = cli_json_load_object(who, path, "catalog");
    if (catalog->document == NULL)
        return CLI_EXIT_FAILURE;

    otaprio_catalog_builder *builder = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_builder_create(NULL, &builder, &diag);
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_catalog_builder_create", status,
                                 &diag);
    int result = read_document(who, catalog, builder);
    if (result == 0) {
        status = otaprio_catalog_build(builder, &catalog->catalog, &diag);
        if (status != OTAPRIO_OK)
            result =
                cli_library_error(who, "otaprio_catalog_build", status, &diag);
    }
    otaprio_catalog_builder_free(builder);
    return result;
}

void graph_catalog_release(graph_catalog *catalog)
{
    otaprio_catalog_free(catalog->catalog);
    free(catalog->component_names);
    free(catalog->package_names);
    free(catalog->download_bytes);
    free(catalog->family);
    free(catalog->relation_start);
    free(catalog->relations);
    graph_codes_release(&catalog->families);
    graph_codes_release(&catalog->carriers);
    graph_codes_release(&catalog->regions);
    graph_codes_release(&catalog->enrollments);
    json_decref(catalog->document);
    memset(catalog, 0, sizeof *catalog);
}

/* ---- answers in the file's words ------------------------------------- */

void graph_component_list(const graph_catalog *catalog, char *out, size_t size)
{
    cli_names_list(&catalog->components, out, size);
}

json_t *graph_version_json(const graph_catalog *catalog, uint32_t component,
                           uint32_t version)
{
    const char *text;
    size_t length;
    if (otaprio_catalog_name(catalog->catalog, OTAPRIO_NAME_VERSION, component,
                             version, &text, &length, NULL) != OTAPRIO_OK)
        return NULL;
    return json_stringn(text, length);
}

json_t *graph_relation_json(const graph_catalog *catalog, uint32_t package,
                            uint32_t relation)
{
    size_t first = catalog->relation_start[package];
    size_t count = catalog->relation_start[package + 1] - first;
    if (relation >= count)
        return NULL;
    const graph_relation *r = &catalog->relations[first + relation];
    const char *kind = "provides";
    for (size_t k = 0; k < KIND_COUNT; k++)
        if (relation_kinds[k].kind == r->kind)
            kind = relation_kinds[k].name;
    return json_pack("{s:I, s:s, s:s, s:s}", "relation", (json_int_t)relation,
                     "kind", kind, "component",
                     catalog->component_names[r->component], "text", r->text);
}
