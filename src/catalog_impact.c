/* SPDX-License-Identifier: MIT */
/*
 * Impact of a flawed component: the packages hit directly (they provide a
 * flawed version, or require the component with a constraint that admits
 * a flawed version the catalog knows), the packages that inherit it along
 * the package graph, and the devices that run a flawed version or a
 * version a hit package provides. Also the components a package's
 * dependency chain names.
 */
#include <string.h>

#include "catalog_internal.h"

/* The ranks [low, high) of the component's versions the flaw admits. */
static int flawed_ranks(const otaprio_catalog *catalog, uint32_t component,
                        const char *constraint, size_t length, uint32_t *low,
                        uint32_t *high, otaprio_diag *diag)
{
    if (component >= catalog->component_count)
        return otaprio__fail(
            diag, OTAPRIO_E_RANGE, "component", (int64_t)component,
            "component %u is not in the catalog (it has %u)",
            (unsigned)component, (unsigned)catalog->component_count);
    otaprio__constraint parsed;
    OTAPRIO__TRY(otaprio__constraint_parse(
        length != 0 ? constraint : "", length, "constraint", &parsed, diag));
    otaprio__catalog_admitted_ranks(catalog, component, &parsed, low, high);
    return OTAPRIO_OK;
}

static bool hit_directly(const otaprio_catalog *c, const catalog_package *p,
                         uint32_t component, uint32_t low, uint32_t high)
{
    const catalog_relation *r = c->relations + p->relation_first;
    for (uint32_t j = 0; j < p->relation_count; j++) {
        if (r[j].component != component)
            continue;
        if (r[j].kind == OTAPRIO_RELATION_PROVIDES) {
            /* low is the provided version's rank. */
            if (r[j].low >= low && r[j].low < high)
                return true;
        } else if (r[j].kind == OTAPRIO_RELATION_REQUIRES) {
            if (r[j].low < high && low < r[j].high)
                return true;
        }
    }
    return false;
}

/* Marks every package 0, 1 or 2 into `marks` (package_count bytes). */
static int mark_packages(const otaprio_catalog *c, uint32_t component,
                         uint32_t low, uint32_t high, uint8_t *marks,
                         uint64_t *count, otaprio_diag *diag)
{
    const otaprio__mem *mem = &c->mem;
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, c->package_count,
                                           sizeof(uint32_t), &block));
    uint32_t *seeds = block;
    size_t seed_count = 0;
    for (uint32_t p = 0; p < c->package_count; p++)
        if (low < high &&
            hit_directly(c, &c->packages[p], component, low, high))
            seeds[seed_count++] = p;
    int status = otaprio_graph_reach(c->graph, OTAPRIO_DIRECTION_FORWARD, seeds,
                                     seed_count, marks, count, diag);
    if (status == OTAPRIO_OK) {
        for (uint32_t p = 0; p < c->package_count; p++)
            marks[p] = marks[p] ? 2 : 0;
        for (size_t i = 0; i < seed_count; i++)
            marks[seeds[i]] = 1;
    }
    otaprio__mem_free(mem, seeds);
    return status;
}

int otaprio_catalog_impact(const otaprio_catalog *catalog, uint32_t component,
                           const char *constraint, size_t length,
                           uint8_t *marks, uint64_t *count, otaprio_diag *diag)
{
    if (catalog == NULL || marks == NULL || (constraint == NULL && length != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL ? "catalog"
                             : marks == NULL ? "marks"
                                             : "constraint",
                             -1, "a required pointer is NULL");
    uint32_t low, high;
    OTAPRIO__TRY(flawed_ranks(catalog, component, constraint, length, &low,
                              &high, diag));
    void *block = NULL;
    int status = otaprio__mem_zalloc_array(&catalog->mem,
                                           catalog->package_count, 1, &block);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1, "no room for the marks");
    uint8_t *scratch = block;
    uint64_t hit = 0;
    status = mark_packages(catalog, component, low, high, scratch, &hit, diag);
    if (status == OTAPRIO_OK) {
        if (catalog->package_count != 0)
            memcpy(marks, scratch, catalog->package_count);
        if (count != NULL)
            *count = hit;
    }
    otaprio__mem_free(&catalog->mem, scratch);
    return status;
}

/* Per version of every component, 1 when a hit package provides it. */
static void mark_provided(const otaprio_catalog *c, const uint8_t *packages,
                          uint8_t *provided)
{
    for (uint32_t p = 0; p < c->package_count; p++) {
        if (packages[p] == 0)
            continue;
        const catalog_package *package = &c->packages[p];
        const catalog_relation *r = c->relations + package->relation_first;
        for (uint32_t j = package->check_count; j < package->relation_count;
             j++)
            provided[c->components[r[j].component].version_first +
                     r[j].provided] = 1;
    }
}

static uint64_t mark_devices(const otaprio_catalog *c,
                             const otaprio_device_state *d, uint32_t component,
                             uint32_t low, uint32_t high,
                             const uint8_t *provided, uint8_t *marks)
{
    const uint32_t *flawed =
        component < d->component_count ? d->versions[component] : NULL;
    const catalog_version *versions =
        c->versions + c->components[component].version_first;
    uint64_t marked = 0;
    for (size_t i = 0; i < d->count; i++) {
        uint8_t mark = 0;
        if (flawed != NULL && flawed[i] != OTAPRIO_VERSION_NONE &&
            versions[flawed[i]].rank >= low && versions[flawed[i]].rank < high)
            mark = 1;
        for (size_t k = 0; mark == 0 && k < d->component_count; k++) {
            const uint32_t *column = d->versions[k];
            if (column != NULL && column[i] != OTAPRIO_VERSION_NONE &&
                provided[c->components[k].version_first + column[i]])
                mark = 2;
        }
        marks[i] = mark;
        marked += mark != 0;
    }
    return marked;
}

int otaprio_catalog_impact_devices(const otaprio_catalog *catalog,
                                   uint32_t component, const char *constraint,
                                   size_t length,
                                   const otaprio_device_state *state,
                                   uint8_t *marks, uint64_t *count,
                                   otaprio_diag *diag)
{
    if (catalog == NULL || state == NULL || (constraint == NULL && length != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL ? "catalog"
                             : state == NULL ? "state"
                                             : "constraint",
                             -1, "a required pointer is NULL");
    uint32_t low, high;
    OTAPRIO__TRY(flawed_ranks(catalog, component, constraint, length, &low,
                              &high, diag));
    otaprio_device_state d;
    OTAPRIO__TRY(
        otaprio__catalog_read_state(catalog, state, &d, SIZE_MAX, true, diag));
    if (marks == NULL && d.count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "marks", -1,
                             "marks is NULL with %zu devices", d.count);
    const otaprio__mem *mem = &catalog->mem;
    void *block = NULL;
    uint8_t *packages = NULL, *provided = NULL;
    int status =
        otaprio__mem_zalloc_array(mem, catalog->package_count, 1, &block);
    if (status == OTAPRIO_OK) {
        packages = block;
        status = otaprio__mem_zalloc_array(mem, (size_t)catalog->version_count,
                                           1, &block);
    }
    if (status == OTAPRIO_OK) {
        provided = block;
        status =
            mark_packages(catalog, component, low, high, packages, NULL, diag);
    } else {
        status = otaprio__fail(diag, status, "", -1, "no room for the marks");
    }
    if (status == OTAPRIO_OK) {
        mark_provided(catalog, packages, provided);
        uint64_t marked =
            mark_devices(catalog, &d, component, low, high, provided, marks);
        if (count != NULL)
            *count = marked;
    }
    otaprio__mem_free(mem, provided);
    otaprio__mem_free(mem, packages);
    return status;
}

int otaprio_catalog_chain_components(const otaprio_catalog *catalog,
                                     uint32_t package, uint32_t *components,
                                     size_t capacity, size_t *count,
                                     otaprio_diag *diag)
{
    if (catalog == NULL || count == NULL ||
        (components == NULL && capacity != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             catalog == NULL ? "catalog"
                             : count == NULL ? "count"
                                             : "components",
                             -1, "a required pointer is NULL");
    if (package >= catalog->package_count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "package", (int64_t)package,
                             "package %u is not in the catalog (it has %u)",
                             (unsigned)package,
                             (unsigned)catalog->package_count);
    const otaprio__mem *mem = &catalog->mem;
    void *block = NULL;
    uint8_t *reached = NULL, *named = NULL;
    int status =
        otaprio__mem_zalloc_array(mem, catalog->package_count, 1, &block);
    if (status == OTAPRIO_OK) {
        reached = block;
        status =
            otaprio__mem_zalloc_array(mem, catalog->component_count, 1, &block);
    }
    if (status == OTAPRIO_OK) {
        named = block;
        status = otaprio_graph_reach(catalog->graph, OTAPRIO_DIRECTION_BACKWARD,
                                     &package, 1, reached, NULL, diag);
    } else {
        status = otaprio__fail(diag, status, "", -1,
                               "no room for the dependency chain");
    }
    if (status == OTAPRIO_OK) {
        for (uint32_t p = 0; p < catalog->package_count; p++) {
            if (!reached[p])
                continue;
            const catalog_package *q = &catalog->packages[p];
            const catalog_relation *r = catalog->relations + q->relation_first;
            for (uint32_t j = 0; j < q->relation_count; j++)
                named[r[j].component] = 1;
        }
        size_t total = 0;
        for (uint32_t k = 0; k < catalog->component_count; k++)
            total += named[k];
        if (total > capacity) {
            *count = total;
            status = otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                                   "the chain names %zu components; "
                                   "components holds %zu",
                                   total, capacity);
        } else {
            size_t at = 0;
            for (uint32_t k = 0; k < catalog->component_count; k++)
                if (named[k])
                    components[at++] = k;
            *count = total;
        }
    }
    otaprio__mem_free(mem, named);
    otaprio__mem_free(mem, reached);
    return status;
}
