/* SPDX-License-Identifier: MIT */
/*
 * Packages: the description's defaults and validation, and its copy into
 * the builder with the predicate lists sorted for binary search.
 *
 * OTAPRIO_CODE_UNKNOWN is refused in the lists, so a device whose code is
 * unknown is in no allowed list without any test for it. A non-empty
 * denial list gets it appended (it sorts last): an unknown region is then
 * denied by the same lookup as a denied one, and eligibility keeps one
 * pass per list.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_internal.h"

static const otaprio__layout package_layout = {
    "otaprio_package", sizeof(otaprio_package),
    sizeof(otaprio_package), /* first published layout */
};

int(otaprio_package_init)(otaprio_package *package, size_t size)
{
    otaprio_package defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.size = sizeof defaults;
    defaults.allow_metered = 1;
    return otaprio__struct_init(package, size, &defaults, &package_layout);
}

static const char *const list_names[CATALOG_LISTS] = {
    "carriers", "regions", "denied_regions", "enrollments"};

typedef struct package_name_key {
    const otaprio_catalog_builder *builder;
    const char *name;
    size_t length;
} package_name_key;

static bool package_name_equal(const void *context, uint32_t id)
{
    const package_name_key *key = context;
    const builder_package *p =
        (const builder_package *)key->builder->packages.data + id;
    return p->name_length == key->length &&
           memcmp((const char *)key->builder->text.data + p->name_offset,
                  key->name, key->length) == 0;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts a list in place and drops repeats; returns the distinct count. */
static uint32_t sort_distinct(uint32_t *codes, size_t count)
{
    if (count == 0)
        return 0;
    qsort(codes, count, sizeof *codes, compare_u32);
    size_t kept = 1;
    for (size_t i = 1; i < count; i++)
        if (codes[i] != codes[kept - 1])
            codes[kept++] = codes[i];
    return (uint32_t)kept;
}

static int validate(const otaprio_package *p, const uint32_t *const lists[],
                    const size_t counts[], size_t *codes, otaprio_diag *diag)
{
    OTAPRIO__TRY(otaprio__check_name(p->name, p->name_length, "name", diag));
    if (!(p->min_battery >= 0.0f && p->min_battery <= 1.0f))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "min_battery", -1,
                             "min_battery is %g; it must lie in [0, 1]",
                             (double)p->min_battery);
    if (p->allow_metered > 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "allow_metered", -1,
                             "allow_metered is %u; it must be 0 or 1",
                             (unsigned)p->allow_metered);
    size_t total = 0;
    for (int l = 0; l < CATALOG_LISTS; l++) {
        if (lists[l] == NULL && counts[l] != 0)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, list_names[l], -1,
                                 "%s is NULL with %zu entries", list_names[l],
                                 counts[l]);
        /* One more for the unknown code a denial list gets. */
        if (counts[l] >= UINT32_MAX || counts[l] >= SIZE_MAX - total)
            return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, list_names[l], -1,
                                 "%s has %zu entries", list_names[l],
                                 counts[l]);
        for (size_t i = 0; i < counts[l]; i++)
            if (lists[l][i] == OTAPRIO_CODE_UNKNOWN)
                return otaprio__fail(diag, OTAPRIO_E_RANGE, list_names[l],
                                     (int64_t)i,
                                     "%s[%zu] is OTAPRIO_CODE_UNKNOWN, which "
                                     "stands for a device's unknown value",
                                     list_names[l], i);
        total += counts[l] + (l == CATALOG_LIST_DENIED && counts[l] != 0);
    }
    *codes = total;
    return OTAPRIO_OK;
}

int otaprio_catalog_add_package(otaprio_catalog_builder *builder,
                                const otaprio_package *package,
                                uint32_t *package_id, otaprio_diag *diag)
{
    if (builder == NULL || package == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, builder == NULL ? "builder" : "package",
            -1, "%s is NULL", builder == NULL ? "builder" : "package");
    otaprio_package p;
    otaprio_package_init(&p);
    OTAPRIO__TRY(otaprio__struct_read(&p, package, &package_layout, diag));
    const uint32_t *const lists[CATALOG_LISTS] = {
        p.carriers, p.regions, p.denied_regions, p.enrollments};
    const size_t counts[CATALOG_LISTS] = {p.carrier_count, p.region_count,
                                          p.denied_region_count,
                                          p.enrollment_count};
    size_t code_total = 0;
    OTAPRIO__TRY(validate(&p, lists, counts, &code_total, diag));

    uint64_t hash = otaprio__name_hash(p.name, p.name_length);
    package_name_key key = {builder, p.name, p.name_length};
    uint32_t same = otaprio__id_table_find(&builder->package_names, hash,
                                           package_name_equal, &key);
    if (same != UINT32_MAX)
        return otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "name", (int64_t)same,
                             "package %u already has the name \"%.*s\"",
                             (unsigned)same, (int)p.name_length, p.name);
    size_t count = builder->packages.length;
    if (count >= OTAPRIO_GRAPH_MAX_NODES)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "package", -1,
                             "the catalog already has %zu packages", count);
    if (code_total > SIZE_MAX - builder->codes.length ||
        p.name_length > SIZE_MAX - builder->text.length)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "package", -1,
                             "the package's lists would not fit in memory");

    const otaprio__mem *mem = &builder->mem;
    int status = otaprio__vec_reserve(mem, &builder->packages, count + 1);
    if (status == OTAPRIO_OK)
        status =
            otaprio__id_table_reserve(mem, &builder->package_names, count + 1);
    if (status == OTAPRIO_OK)
        status = otaprio__vec_reserve(mem, &builder->text,
                                      builder->text.length + p.name_length);
    if (status == OTAPRIO_OK)
        status = otaprio__vec_reserve(mem, &builder->codes,
                                      builder->codes.length + code_total);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "no room for another package");

    builder_package kept;
    memset(&kept, 0, sizeof kept);
    kept.name_offset =
        otaprio__builder_append_text(builder, p.name, p.name_length);
    kept.name_length = (uint32_t)p.name_length;
    kept.download_bytes = p.download_bytes;
    kept.install_bytes = p.install_bytes;
    kept.family = p.family;
    kept.min_battery = p.min_battery;
    kept.allow_metered = p.allow_metered;
    for (int l = 0; l < CATALOG_LISTS; l++) {
        kept.list_offset[l] = builder->codes.length;
        if (counts[l] == 0)
            continue; /* the codes may not even be allocated yet */
        uint32_t *codes =
            (uint32_t *)builder->codes.data + builder->codes.length;
        memcpy(codes, lists[l], counts[l] * sizeof *codes);
        kept.list_count[l] = sort_distinct(codes, counts[l]);
        if (l == CATALOG_LIST_DENIED)
            codes[kept.list_count[l]++] = OTAPRIO_CODE_UNKNOWN;
        builder->codes.length += kept.list_count[l];
    }
    memcpy((builder_package *)builder->packages.data + count, &kept,
           sizeof kept);
    builder->packages.length++;
    otaprio__id_table_insert(&builder->package_names, hash, (uint32_t)count);
    if (package_id != NULL)
        *package_id = (uint32_t)count;
    return OTAPRIO_OK;
}
