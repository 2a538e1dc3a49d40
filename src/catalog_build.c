/* SPDX-License-Identifier: MIT */
/*
 * Building a catalog from its builder: names and versions copied into
 * memory that never moves, versions ranked, relations compiled, lookup
 * tables and the package graph made; and the catalog's life and counts.
 */
#include <string.h>

#include "catalog_internal.h"

static const otaprio__layout info_layout = {
    "otaprio_catalog_info", sizeof(otaprio_catalog_info),
    sizeof(otaprio_catalog_info), /* first published layout */
};

void otaprio__catalog_allocator(const otaprio__mem *mem,
                                otaprio_allocator *allocator)
{
    otaprio_allocator_init(allocator);
    allocator->alloc_fn = mem->alloc_fn;
    allocator->realloc_fn = mem->realloc_fn;
    allocator->free_fn = mem->free_fn;
    allocator->user = mem->user;
}

void otaprio_catalog_free(otaprio_catalog *catalog)
{
    if (catalog == NULL)
        return;
    const otaprio__mem mem = catalog->mem;
    otaprio_graph_free(catalog->graph);
    otaprio__id_table_release(&mem, &catalog->component_names);
    otaprio__id_table_release(&mem, &catalog->package_names);
    otaprio__id_table_release(&mem, &catalog->version_values);
    otaprio__mem_free(&mem, catalog->providers);
    otaprio__mem_free(&mem, catalog->provider_first);
    otaprio__mem_free(&mem, catalog->relations);
    otaprio__mem_free(&mem, catalog->packages);
    otaprio__mem_free(&mem, catalog->by_rank);
    otaprio__mem_free(&mem, catalog->versions);
    otaprio__mem_free(&mem, catalog->components);
    otaprio__mem_free(&mem, catalog->tables);
    otaprio__mem_free(&mem, catalog->codes);
    otaprio__mem_free(&mem, catalog->text);
    otaprio__mem_free(&mem, catalog);
}

/* Copies `count` elements of `size` bytes into a new block. */
static int copy_block(const otaprio__mem *mem, const void *from, size_t count,
                      size_t size, void **to)
{
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, count, size, &block));
    if (count != 0)
        memcpy(block, from, count * size);
    *to = block;
    return OTAPRIO_OK;
}

static int copy_table(const otaprio__mem *mem, const otaprio__id_table *from,
                      otaprio__id_table *to)
{
    void *slots = NULL;
    OTAPRIO__TRY(copy_block(mem, from->slots, from->capacity,
                            sizeof(otaprio__id_slot), &slots));
    to->slots = slots;
    to->capacity = from->capacity;
    to->count = from->count;
    return OTAPRIO_OK;
}

static int copy_components(otaprio_catalog *c, const otaprio_catalog_builder *b)
{
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, c->component_count,
                                           sizeof(catalog_component), &block));
    c->components = block;
    const builder_component *from = b->components.data;
    size_t first = 0;
    for (uint32_t i = 0; i < c->component_count; i++) {
        catalog_component *to = &c->components[i];
        to->name = c->text + from[i].name_offset;
        to->name_length = from[i].name_length;
        to->version_count = from[i].version_count;
        to->version_first = first;
        first += from[i].version_count;
    }
    return copy_table(&c->mem, &b->component_names, &c->component_names);
}

static int copy_versions(otaprio_catalog *c, const otaprio_catalog_builder *b)
{
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, (size_t)c->version_count,
                                           sizeof(catalog_version), &block));
    c->versions = block;
    OTAPRIO__TRY(otaprio__id_table_reserve(&c->mem, &c->version_values,
                                           (size_t)c->version_count));
    const builder_version *from = b->versions.data;
    for (size_t i = 0; i < b->versions.length; i++) {
        size_t index =
            c->components[from[i].component].version_first + from[i].local;
        catalog_version *to = &c->versions[index];
        /* Same offsets in a copy of the same text. */
        to->view = otaprio__stored_load(c->text, &from[i].stored);
        to->hash = from[i].hash;
        otaprio__id_table_insert(&c->version_values, to->hash, (uint32_t)index);
    }
    return OTAPRIO_OK;
}

static int copy_packages(otaprio_catalog *c, const otaprio_catalog_builder *b)
{
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&c->mem, c->package_count,
                                           sizeof(catalog_package), &block));
    c->packages = block;
    const builder_package *from = b->packages.data;
    for (uint32_t i = 0; i < c->package_count; i++) {
        catalog_package *to = &c->packages[i];
        to->name = c->text + from[i].name_offset;
        to->name_length = from[i].name_length;
        to->download_bytes = from[i].download_bytes;
        to->install_bytes = from[i].install_bytes;
        to->family = from[i].family;
        to->min_battery = from[i].min_battery;
        to->allow_metered = from[i].allow_metered;
        for (int l = 0; l < CATALOG_LISTS; l++) {
            to->lists[l] = c->codes + from[i].list_offset[l];
            to->list_count[l] = from[i].list_count[l];
        }
    }
    return copy_table(&c->mem, &b->package_names, &c->package_names);
}

static int build(otaprio_catalog *c, const otaprio_catalog_builder *b,
                 otaprio_diag *diag)
{
    void *block = NULL;
    OTAPRIO__TRY(copy_block(&c->mem, b->text.data, b->text.length, 1, &block));
    c->text = block;
    OTAPRIO__TRY(copy_block(&c->mem, b->codes.data, b->codes.length,
                            sizeof(uint32_t), &block));
    c->codes = block;
    OTAPRIO__TRY(copy_components(c, b));
    OTAPRIO__TRY(copy_versions(c, b));
    OTAPRIO__TRY(copy_packages(c, b));
    OTAPRIO__TRY(otaprio__catalog_rank_versions(c, diag));
    OTAPRIO__TRY(otaprio__catalog_compile_relations(c, b, diag));
    return otaprio__catalog_build_graph(c, diag);
}

int otaprio_catalog_build(const otaprio_catalog_builder *builder,
                          otaprio_catalog **catalog, otaprio_diag *diag)
{
    if (builder == NULL || catalog == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, builder == NULL ? "builder" : "catalog",
            -1, "%s is NULL", builder == NULL ? "builder" : "catalog");
    otaprio_catalog *c = otaprio__mem_alloc(&builder->mem, sizeof *c);
    if (c == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory for a catalog");
    memset(c, 0, sizeof *c);
    c->mem = builder->mem;
    c->component_count = (uint32_t)builder->components.length;
    c->package_count = (uint32_t)builder->packages.length;
    c->version_count = builder->versions.length;
    c->relation_count = builder->relations.length;
    int status = build(c, builder, diag);
    if (status != OTAPRIO_OK) {
        otaprio_catalog_free(c);
        /* Allocation helpers return bare statuses; name them once here. */
        if (status == OTAPRIO_E_NOMEM || status == OTAPRIO_E_OVERFLOW)
            return otaprio__fail(diag, status, "", -1,
                                 "no room to build the catalog");
        return status;
    }
    *catalog = c;
    return OTAPRIO_OK;
}

int otaprio_catalog_get_info(const otaprio_catalog *catalog,
                             otaprio_catalog_info *info, otaprio_diag *diag)
{
    if (catalog == NULL || info == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, catalog == NULL ? "catalog" : "info", -1,
            "%s is NULL", catalog == NULL ? "catalog" : "info");
    otaprio_catalog_info full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    full.component_count = catalog->component_count;
    full.package_count = catalog->package_count;
    full.version_count = catalog->version_count;
    full.relation_count = catalog->relation_count;
    int status = otaprio__struct_write(info, &full, &info_layout);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "size", -1,
                             "otaprio_catalog_info.size is %zu, below the "
                             "smallest layout (%zu)",
                             info->size, info_layout.minimum);
    return OTAPRIO_OK;
}

const otaprio_graph *otaprio_catalog_graph(const otaprio_catalog *catalog)
{
    return catalog != NULL ? catalog->graph : NULL;
}
