/* SPDX-License-Identifier: MIT */
/*
 * The package graph: an edge p -> q when q requires a component version
 * that p provides and no package, q included, provides a lower version
 * the requirement admits, so p is the earliest release that unlocks q;
 * when q itself provides the lowest admitted version, no edge. Built
 * through the public graph builder.
 */
#include <string.h>

#include "catalog_internal.h"

/* Fills catalog.provider_first and catalog.providers: provided versions
 * grouped by component, each group sorted by (rank << 32 | package). */
static int index_providers(otaprio_catalog *c)
{
    const otaprio__mem *mem = &c->mem;
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, (size_t)c->component_count + 1,
                                           sizeof(size_t), &block));
    size_t *first = block;
    c->provider_first = first;
    size_t total = 0;
    for (uint32_t p = 0; p < c->package_count; p++) {
        const catalog_package *package = &c->packages[p];
        const catalog_relation *r = c->relations + package->relation_first;
        for (uint32_t i = package->check_count; i < package->relation_count;
             i++)
            first[r[i].component + 1]++;
        total += package->provide_count;
    }
    for (uint32_t k = 0; k < c->component_count; k++)
        first[k + 1] += first[k];
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, total, sizeof(uint64_t), &block));
    uint64_t *entries = block;
    c->providers = entries;
    /* Fill each group from its start, then sort it. */
    for (uint32_t p = 0; p < c->package_count; p++) {
        const catalog_package *package = &c->packages[p];
        const catalog_relation *r = c->relations + package->relation_first;
        for (uint32_t i = package->check_count; i < package->relation_count;
             i++)
            entries[first[r[i].component]++] = (uint64_t)r[i].low << 32 | p;
    }
    for (uint32_t k = c->component_count; k > 0; k--)
        first[k] = first[k - 1];
    first[0] = 0;
    for (uint32_t k = 0; k < c->component_count; k++)
        otaprio__sort_u64(entries + first[k], first[k + 1] - first[k]);
    return OTAPRIO_OK;
}

/* Appends the edges into package q for one requirement of it. */
static int add_unlocking(const otaprio_catalog *c, const catalog_relation *r,
                         uint32_t q, otaprio__vec *edges)
{
    const uint64_t *group = c->providers + c->provider_first[r->component];
    size_t size =
        c->provider_first[r->component + 1] - c->provider_first[r->component];
    /* First provider at rank >= low. */
    size_t lo = 0, hi = size;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)(group[mid] >> 32) < r->low)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == size || (uint32_t)(group[lo] >> 32) >= r->high)
        return OTAPRIO_OK; /* no package provides an admitted version */
    /* The providers of the lowest admitted version, q included: when q
     * provides it (an upgrade step such as "requires fw >= 1, provides fw
     * 2"), the requirement is on something older that no release unlocks,
     * and a later release (fw 3) must not become q's prerequisite. */
    uint32_t lowest = (uint32_t)(group[lo] >> 32);
    size_t end = lo;
    bool by_q = false;
    for (; end < size && (uint32_t)(group[end] >> 32) == lowest; end++)
        by_q |= (uint32_t)group[end] == q;
    for (size_t i = lo; !by_q && i < end; i++) {
        uint64_t edge = (uint64_t)(uint32_t)group[i] << 32 | q;
        OTAPRIO__TRY(otaprio__vec_push(&c->mem, edges, &edge));
    }
    return OTAPRIO_OK;
}

static int collect_edges(const otaprio_catalog *c, otaprio__vec *edges)
{
    for (uint32_t q = 0; q < c->package_count; q++) {
        const catalog_package *package = &c->packages[q];
        const catalog_relation *r = c->relations + package->relation_first;
        for (uint32_t i = 0; i < package->check_count; i++)
            if (r[i].kind == OTAPRIO_RELATION_REQUIRES)
                OTAPRIO__TRY(add_unlocking(c, &r[i], q, edges));
    }
    /* One requirement names each edge once, but two requirements of q on
     * different components may name the same provider. */
    uint64_t *keys = edges->data;
    otaprio__sort_u64(keys, edges->length);
    size_t kept = 0;
    for (size_t i = 0; i < edges->length; i++)
        if (kept == 0 || keys[i] != keys[kept - 1])
            keys[kept++] = keys[i];
    edges->length = kept;
    return OTAPRIO_OK;
}

static int make_graph(otaprio_catalog *c, const otaprio__vec *edges,
                      otaprio_diag *diag)
{
    const otaprio__mem *mem = &c->mem;
    size_t count = edges->length;
    if (count > OTAPRIO_GRAPH_MAX_EDGES)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "", -1,
                             "the package graph would have %zu edges", count);
    void *block = NULL;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, count, 2 * sizeof(uint32_t), &block));
    uint32_t *from = block, *to = from + count;
    const uint64_t *keys = edges->data;
    for (size_t i = 0; i < count; i++) {
        from[i] = (uint32_t)(keys[i] >> 32);
        to[i] = (uint32_t)keys[i];
    }
    otaprio_allocator allocator;
    otaprio__catalog_allocator(mem, &allocator);
    otaprio_graph_builder *builder = NULL;
    int status = otaprio_graph_builder_create(c->package_count, &allocator,
                                              &builder, diag);
    if (status == OTAPRIO_OK)
        status =
            otaprio_graph_builder_add_edges(builder, from, to, count, diag);
    if (status == OTAPRIO_OK)
        status = otaprio_graph_builder_build(builder, &c->graph, diag);
    otaprio_graph_builder_free(builder);
    otaprio__mem_free(mem, from);
    return status;
}

int otaprio__catalog_build_graph(otaprio_catalog *catalog, otaprio_diag *diag)
{
    otaprio__vec edges = {NULL, 0, 0, sizeof(uint64_t)};
    int status = index_providers(catalog);
    if (status == OTAPRIO_OK)
        status = collect_edges(catalog, &edges);
    if (status == OTAPRIO_OK)
        status = make_graph(catalog, &edges, diag);
    otaprio__vec_release(&catalog->mem, &edges);
    return status;
}
