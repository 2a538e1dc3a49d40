/* SPDX-License-Identifier: MIT */
/* Finding ids by name or version value, and names by id. */
#include <string.h>

#include "catalog_internal.h"

typedef struct component_key {
    const otaprio_catalog *catalog;
    const char *name;
    size_t length;
} component_key;

static bool component_equal(const void *context, uint32_t id)
{
    const component_key *key = context;
    const catalog_component *c = &key->catalog->components[id];
    return c->name_length == key->length &&
           memcmp(c->name, key->name, key->length) == 0;
}

static bool package_equal(const void *context, uint32_t id)
{
    const component_key *key = context;
    const catalog_package *p = &key->catalog->packages[id];
    return p->name_length == key->length &&
           memcmp(p->name, key->name, key->length) == 0;
}

static int find_name(const otaprio_catalog *catalog, const char *name,
                     size_t length, uint32_t *id, bool package,
                     otaprio_diag *diag)
{
    if (catalog == NULL || id == NULL || (name == NULL && length != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL ? "catalog"
                             : id == NULL ? (package ? "package" : "component")
                                          : "name",
                             -1, "a required pointer is NULL");
    const char *what = package ? "package" : "component";
    component_key key = {catalog, length != 0 ? name : "", length};
    uint64_t hash = otaprio__name_hash(key.name, length);
    uint32_t found = otaprio__id_table_find(
        package ? &catalog->package_names : &catalog->component_names, hash,
        package ? package_equal : component_equal, &key);
    if (found == UINT32_MAX) {
        int shown = length > 64 ? 64 : (int)length;
        return otaprio__fail(diag, OTAPRIO_E_NOT_FOUND, "name", -1,
                             "no %s is named \"%.*s\"%s", what, shown, key.name,
                             length > 64 ? "..." : "");
    }
    *id = found;
    return OTAPRIO_OK;
}

int otaprio_catalog_component_id(const otaprio_catalog *catalog,
                                 const char *name, size_t length,
                                 uint32_t *component, otaprio_diag *diag)
{
    return find_name(catalog, name, length, component, false, diag);
}

int otaprio_catalog_package_id(const otaprio_catalog *catalog, const char *name,
                               size_t length, uint32_t *package,
                               otaprio_diag *diag)
{
    return find_name(catalog, name, length, package, true, diag);
}

typedef struct version_key {
    const otaprio_catalog *catalog;
    uint32_t component;
    const otaprio__version *version;
} version_key;

static bool version_equal(const void *context, uint32_t index)
{
    const version_key *key = context;
    const catalog_component *c = &key->catalog->components[key->component];
    if (index < c->version_first ||
        index - c->version_first >= c->version_count)
        return false;
    return otaprio__version_cmp(&key->catalog->versions[index].view,
                                key->version) == 0;
}

uint32_t otaprio__catalog_find_version(const otaprio_catalog *catalog,
                                       uint32_t component,
                                       const otaprio__version *version)
{
    version_key key = {catalog, component, version};
    uint32_t index = otaprio__id_table_find(
        &catalog->version_values, otaprio__version_hash(component, version),
        version_equal, &key);
    if (index == UINT32_MAX)
        return UINT32_MAX;
    return (uint32_t)(index - catalog->components[component].version_first);
}

int otaprio_catalog_version_id(const otaprio_catalog *catalog,
                               uint32_t component, const char *version,
                               size_t length, uint32_t *version_id,
                               otaprio_diag *diag)
{
    if (catalog == NULL || version_id == NULL ||
        (version == NULL && length != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL      ? "catalog"
                             : version_id == NULL ? "version_id"
                                                  : "version",
                             -1, "a required pointer is NULL");
    OTAPRIO__TRY(otaprio__catalog_check_component(catalog, component, diag));
    otaprio__version parsed;
    OTAPRIO__TRY(otaprio__version_parse(length != 0 ? version : "", length,
                                        "version", &parsed, diag));
    uint32_t id = otaprio__catalog_find_version(catalog, component, &parsed);
    if (id == UINT32_MAX)
        return otaprio__fail(diag, OTAPRIO_E_NOT_FOUND, "version", -1,
                             "component \"%.*s\" has no version \"%.*s\"",
                             (int)catalog->components[component].name_length,
                             catalog->components[component].name, (int)length,
                             version);
    *version_id = id;
    return OTAPRIO_OK;
}

int otaprio_catalog_name(const otaprio_catalog *catalog, int32_t kind,
                         uint32_t component, uint32_t id, const char **text,
                         size_t *length, otaprio_diag *diag)
{
    if (catalog == NULL || text == NULL || length == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL ? "catalog"
                             : text == NULL  ? "text"
                                             : "length",
                             -1, "a required pointer is NULL");
    const char *found = NULL;
    size_t size = 0;
    switch (kind) {
    case OTAPRIO_NAME_COMPONENT:
        if (id >= catalog->component_count)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "id", (int64_t)id,
                                 "component %u is not in the catalog",
                                 (unsigned)id);
        found = catalog->components[id].name;
        size = catalog->components[id].name_length;
        break;
    case OTAPRIO_NAME_PACKAGE:
        if (id >= catalog->package_count)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "id", (int64_t)id,
                                 "package %u is not in the catalog",
                                 (unsigned)id);
        found = catalog->packages[id].name;
        size = catalog->packages[id].name_length;
        break;
    case OTAPRIO_NAME_VERSION: {
        if (component >= catalog->component_count)
            return otaprio__fail(
                diag, OTAPRIO_E_RANGE, "component", (int64_t)component,
                "component %u is not in the catalog", (unsigned)component);
        const catalog_component *c = &catalog->components[component];
        if (id >= c->version_count)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "id", (int64_t)id,
                                 "component %u has no version %u",
                                 (unsigned)component, (unsigned)id);
        const otaprio__version *v =
            &catalog->versions[c->version_first + id].view;
        found = v->text;
        size = v->length;
        break;
    }
    default:
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "kind", -1,
                             "kind is %d; it must be 0 (component), 1 "
                             "(package) or 2 (version)",
                             (int)kind);
    }
    *text = found;
    *length = size;
    return OTAPRIO_OK;
}

const char *otaprio_block_name(uint32_t block)
{
    switch (block) {
    case OTAPRIO_BLOCK_REQUIREMENT:
        return "requirement";
    case OTAPRIO_BLOCK_CONFLICT:
        return "conflict";
    case OTAPRIO_BLOCK_CARRIER:
        return "carrier";
    case OTAPRIO_BLOCK_REGION:
        return "region";
    case OTAPRIO_BLOCK_LEGAL:
        return "legal";
    case OTAPRIO_BLOCK_ENROLLMENT:
        return "enrollment";
    case OTAPRIO_BLOCK_BATTERY:
        return "battery";
    case OTAPRIO_BLOCK_STORAGE:
        return "storage";
    case OTAPRIO_BLOCK_METERED:
        return "metered";
    case OTAPRIO_BLOCK_CURRENT:
        return "current";
    default:
        return "unknown";
    }
}

int otaprio__catalog_check_package(const otaprio_catalog *catalog,
                                   uint32_t package, otaprio_diag *diag)
{
    if (package < catalog->package_count)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "package", (int64_t)package,
                         "package %u is not in the catalog (it has %u)",
                         (unsigned)package, (unsigned)catalog->package_count);
}

int otaprio__catalog_check_component(const otaprio_catalog *catalog,
                                     uint32_t component, otaprio_diag *diag)
{
    if (component < catalog->component_count)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "component", (int64_t)component,
                         "component %u is not in the catalog (it has %u)",
                         (unsigned)component,
                         (unsigned)catalog->component_count);
}
