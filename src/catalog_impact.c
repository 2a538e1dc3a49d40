/* SPDX-License-Identifier: MIT */
/*
 * Impact of a flawed component: the packages hit directly (they provide a
 * flawed version, or require the component with a constraint that admits
 * a flawed version the catalog knows without providing the component
 * themselves), the packages that inherit it along the package graph up to
 * the packages that cure it (they provide a version outside the flaw), and
 * the devices that run a flawed version or a version a hit package
 * provides. Also the components a package's dependency chain names.
 */
#include <string.h>

#include "catalog_internal.h"

/* The ranks [low, high) of the component's versions the flaw admits. */
static int flawed_ranks(const otaprio_catalog *catalog, uint32_t component,
                        const char *constraint, size_t length, uint32_t *low,
                        uint32_t *high, otaprio_diag *diag)
{
    OTAPRIO__TRY(otaprio__catalog_check_component(catalog, component, diag));
    otaprio__constraint parsed;
    OTAPRIO__TRY(otaprio__constraint_parse(
        length != 0 ? constraint : "", length, "constraint", &parsed, diag));
    otaprio__catalog_admitted_ranks(catalog, component, &parsed, low, high);
    return OTAPRIO_OK;
}

/* The rank of the component's version `p` provides, or UINT32_MAX when
 * it provides none. Provides come after requires and conflicts. */
static uint32_t provided_rank(const otaprio_catalog *c,
                              const catalog_package *p, uint32_t component)
{
    const catalog_relation *r = c->relations + p->relation_first;
    for (uint32_t j = p->check_count; j < p->relation_count; j++)
        if (r[j].component == component)
            return r[j].low;
    return UINT32_MAX;
}

static bool hit_directly(const otaprio_catalog *c, const catalog_package *p,
                         uint32_t component, uint32_t low, uint32_t high)
{
    /* A package that provides the component replaces it, so what it
     * requires of it (the version a delta applies to) is not a flaw it
     * carries: only the version it provides counts. */
    uint32_t rank = provided_rank(c, p, component);
    if (rank != UINT32_MAX)
        return rank >= low && rank < high;
    const catalog_relation *r = c->relations + p->relation_first;
    for (uint32_t j = 0; j < p->check_count; j++)
        if (r[j].component == component &&
            r[j].kind == OTAPRIO_RELATION_REQUIRES && r[j].low < high &&
            low < r[j].high)
            return true;
    return false;
}

/* A package that provides the component at a version outside the flaw
 * cures it: what comes after it runs on the cured version. */
static bool cures(const otaprio_catalog *c, const catalog_package *p,
                  uint32_t component, uint32_t low, uint32_t high)
{
    uint32_t rank = provided_rank(c, p, component);
    return rank != UINT32_MAX && !(rank >= low && rank < high);
}

/*
 * Marks every package 0, 1 or 2 into `marks` (package_count zeroed
 * bytes): 1 for the packages hit directly, 2 for those reached from them
 * along the package graph without passing through a cure. Breadth-first,
 * with a queue and a neighbour buffer of package_count ids each.
 */
static int mark_packages(const otaprio_catalog *c, uint32_t component,
                         uint32_t low, uint32_t high, uint8_t *marks,
                         uint64_t *count, otaprio_diag *diag)
{
    const otaprio__mem *mem = &c->mem;
    size_t n = c->package_count;
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n == 0 ? 1 : 2 * n,
                                           sizeof(uint32_t), &block));
    uint32_t *queue = block, *next = queue + n;
    size_t tail = 0;
    for (uint32_t p = 0; p < n; p++)
        if (low < high &&
            hit_directly(c, &c->packages[p], component, low, high)) {
            marks[p] = 1;
            queue[tail++] = p;
        }
    int status = OTAPRIO_OK;
    for (size_t head = 0; head < tail && status == OTAPRIO_OK; head++) {
        size_t degree = 0;
        status = otaprio_graph_neighbours(c->graph, queue[head],
                                          OTAPRIO_DIRECTION_FORWARD, next, n,
                                          &degree, diag);
        for (size_t i = 0; status == OTAPRIO_OK && i < degree; i++) {
            uint32_t q = next[i];
            if (marks[q] == 0 &&
                !cures(c, &c->packages[q], component, low, high)) {
                marks[q] = 2;
                queue[tail++] = q;
            }
        }
    }
    if (count != NULL && status == OTAPRIO_OK)
        *count = tail;
    otaprio__mem_free(mem, block);
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
    OTAPRIO__TRY(otaprio__catalog_check_package(catalog, package, diag));
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
