/* SPDX-License-Identifier: MIT */
/*
 * The catalog builder: its life, its text arena, and the interning of
 * component names and of versions by value.
 */
#include <string.h>

#include "catalog_internal.h"

int otaprio_catalog_builder_create(const otaprio_allocator *allocator,
                                   otaprio_catalog_builder **builder,
                                   otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_catalog_builder *b = otaprio__mem_alloc(&mem, sizeof *b);
    if (b == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory for a catalog builder");
    memset(b, 0, sizeof *b);
    b->mem = mem;
    b->text.elem_size = 1;
    b->components.elem_size = sizeof(builder_component);
    b->versions.elem_size = sizeof(builder_version);
    b->packages.elem_size = sizeof(builder_package);
    b->codes.elem_size = sizeof(uint32_t);
    b->relations.elem_size = sizeof(builder_relation);
    *builder = b;
    return OTAPRIO_OK;
}

void otaprio_catalog_builder_free(otaprio_catalog_builder *builder)
{
    if (builder == NULL)
        return;
    const otaprio__mem mem = builder->mem;
    otaprio__vec_release(&mem, &builder->text);
    otaprio__vec_release(&mem, &builder->components);
    otaprio__vec_release(&mem, &builder->versions);
    otaprio__vec_release(&mem, &builder->packages);
    otaprio__vec_release(&mem, &builder->codes);
    otaprio__vec_release(&mem, &builder->relations);
    otaprio__id_table_release(&mem, &builder->component_names);
    otaprio__id_table_release(&mem, &builder->package_names);
    otaprio__id_table_release(&mem, &builder->version_values);
    otaprio__id_table_release(&mem, &builder->provided);
    otaprio__mem_free(&mem, builder);
}

int otaprio__check_name(const char *name, size_t length, const char *field,
                        otaprio_diag *diag)
{
    if (name == NULL && length != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, field, -1,
                             "%s is NULL with length %zu", field, length);
    if (length == 0 || length > OTAPRIO_VERSION_TEXT_MAX)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                             "%s is %zu bytes long; it must have 1 to %d",
                             field, length, OTAPRIO_VERSION_TEXT_MAX);
    return OTAPRIO_OK;
}

/* ---- text ------------------------------------------------------------- */

size_t otaprio__builder_append_text(otaprio_catalog_builder *builder,
                                    const char *text, size_t length)
{
    size_t offset = builder->text.length;
    if (length != 0)
        memcpy((char *)builder->text.data + offset, text, length);
    builder->text.length += length;
    return offset;
}

otaprio__version otaprio__stored_load(const char *base,
                                      const otaprio__stored_version *stored)
{
    otaprio__version view = stored->view;
    view.text = base + stored->offset;
    return view;
}

otaprio__stored_version otaprio__stored_keep(const char *base,
                                             const otaprio__version *view)
{
    otaprio__stored_version stored;
    stored.view = *view;
    stored.view.text = NULL;
    stored.offset = (size_t)(view->text - base);
    return stored;
}

/* ---- component names -------------------------------------------------- */

typedef struct name_key {
    const otaprio_catalog_builder *builder;
    const char *name;
    size_t length;
} name_key;

static bool component_name_equal(const void *context, uint32_t id)
{
    const name_key *key = context;
    const builder_component *c =
        (const builder_component *)key->builder->components.data + id;
    return c->name_length == key->length &&
           memcmp((const char *)key->builder->text.data + c->name_offset,
                  key->name, key->length) == 0;
}

int otaprio_catalog_add_component(otaprio_catalog_builder *builder,
                                  const char *name, size_t length,
                                  uint32_t *component, otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    OTAPRIO__TRY(otaprio__check_name(name, length, "name", diag));
    uint64_t hash = otaprio__name_hash(name, length);
    name_key key = {builder, name, length};
    uint32_t id = otaprio__id_table_find(&builder->component_names, hash,
                                         component_name_equal, &key);
    if (id != UINT32_MAX) {
        if (component != NULL)
            *component = id;
        return OTAPRIO_OK;
    }
    const otaprio__mem *mem = &builder->mem;
    size_t count = builder->components.length;
    if (count >= UINT32_MAX - 1)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "name", -1,
                             "the catalog already has %zu components", count);
    int status = otaprio__vec_reserve(mem, &builder->components, count + 1);
    if (status == OTAPRIO_OK)
        status = otaprio__id_table_reserve(mem, &builder->component_names,
                                           count + 1);
    if (status == OTAPRIO_OK && length > SIZE_MAX - builder->text.length)
        status = OTAPRIO_E_OVERFLOW;
    if (status == OTAPRIO_OK)
        status = otaprio__vec_reserve(mem, &builder->text,
                                      builder->text.length + length);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "no room for another component");
    builder_component c;
    memset(&c, 0, sizeof c);
    c.name_offset = otaprio__builder_append_text(builder, name, length);
    c.name_length = (uint32_t)length;
    memcpy((builder_component *)builder->components.data + count, &c, sizeof c);
    builder->components.length++;
    otaprio__id_table_insert(&builder->component_names, hash, (uint32_t)count);
    if (component != NULL)
        *component = (uint32_t)count;
    return OTAPRIO_OK;
}

/* ---- versions --------------------------------------------------------- */

typedef struct version_key {
    const otaprio_catalog_builder *builder;
    const otaprio__version_probe *probe;
} version_key;

static bool version_equal(const void *context, uint32_t id)
{
    const version_key *key = context;
    const builder_version *v =
        (const builder_version *)key->builder->versions.data + id;
    if (v->component != key->probe->component)
        return false;
    otaprio__version kept =
        otaprio__stored_load(key->builder->text.data, &v->stored);
    return otaprio__version_cmp(&kept, &key->probe->view) == 0;
}

int otaprio__builder_probe_version(const otaprio_catalog_builder *builder,
                                   uint32_t component, const char *text,
                                   size_t length, const char *field,
                                   otaprio__version_probe *probe,
                                   otaprio_diag *diag)
{
    if (text == NULL && length != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, field, -1,
                             "%s is NULL with length %zu", field, length);
    otaprio__version_probe p;
    memset(&p, 0, sizeof p);
    OTAPRIO__TRY(otaprio__version_parse(length != 0 ? text : "", length, field,
                                        &p.view, diag));
    p.text = text;
    p.length = length;
    p.component = component;
    p.hash = otaprio__version_hash(component, &p.view);
    version_key key = {builder, &p};
    uint32_t id = otaprio__id_table_find(&builder->version_values, p.hash,
                                         version_equal, &key);
    p.found = id == UINT32_MAX
                  ? UINT32_MAX
                  : ((const builder_version *)builder->versions.data)[id].local;
    *probe = p;
    return OTAPRIO_OK;
}

int otaprio__builder_reserve(otaprio_catalog_builder *builder,
                             uint32_t component, size_t versions,
                             size_t text_bytes, otaprio_diag *diag)
{
    const otaprio__mem *mem = &builder->mem;
    const builder_component *c =
        (const builder_component *)builder->components.data + component;
    size_t count = builder->versions.length;
    /* Local ids stop below OTAPRIO_VERSION_NONE; global indices below the
     * id table's empty marker. */
    if (versions > UINT32_MAX - 1 - c->version_count ||
        versions > UINT32_MAX - 1 - count)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "component",
                             (int64_t)component,
                             "component %u already has %u versions",
                             (unsigned)component, (unsigned)c->version_count);
    if (text_bytes > SIZE_MAX - builder->text.length)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "", -1,
                             "the catalog's text would not fit in memory");
    int status =
        otaprio__vec_reserve(mem, &builder->versions, count + versions);
    if (status == OTAPRIO_OK)
        status = otaprio__id_table_reserve(mem, &builder->version_values,
                                           count + versions);
    if (status == OTAPRIO_OK)
        status = otaprio__vec_reserve(mem, &builder->text,
                                      builder->text.length + text_bytes);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "no room for another version");
    return OTAPRIO_OK;
}

uint32_t otaprio__builder_commit_version(otaprio_catalog_builder *builder,
                                         otaprio__version_probe *probe)
{
    if (probe->found != UINT32_MAX)
        return probe->found;
    builder_component *c =
        (builder_component *)builder->components.data + probe->component;
    size_t offset =
        otaprio__builder_append_text(builder, probe->text, probe->length);
    /* The view moves with its text: same offsets, new base. */
    otaprio__version moved = probe->view;
    moved.text = (const char *)builder->text.data + offset +
                 (probe->view.text - (probe->length != 0 ? probe->text : ""));
    builder_version v;
    memset(&v, 0, sizeof v);
    v.stored = otaprio__stored_keep(builder->text.data, &moved);
    v.hash = probe->hash;
    v.component = probe->component;
    v.local = c->version_count++;
    size_t index = builder->versions.length;
    memcpy((builder_version *)builder->versions.data + index, &v, sizeof v);
    builder->versions.length++;
    otaprio__id_table_insert(&builder->version_values, v.hash, (uint32_t)index);
    probe->found = v.local;
    return v.local;
}

int otaprio_catalog_add_version(otaprio_catalog_builder *builder,
                                uint32_t component, const char *version,
                                size_t length, uint32_t *version_id,
                                otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    if (component >= builder->components.length)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "component",
                             (int64_t)component,
                             "component %u is not in the catalog (it has %zu)",
                             (unsigned)component, builder->components.length);
    /* Written by the probe on success only; zeroed so that gcc's release
     * build (-O3) does not see a path that reads it unset. */
    otaprio__version_probe probe;
    memset(&probe, 0, sizeof probe);
    OTAPRIO__TRY(otaprio__builder_probe_version(
        builder, component, version, length, "version", &probe, diag));
    if (probe.found == UINT32_MAX)
        OTAPRIO__TRY(
            otaprio__builder_reserve(builder, component, 1, length, diag));
    uint32_t id = otaprio__builder_commit_version(builder, &probe);
    if (version_id != NULL)
        *version_id = id;
    return OTAPRIO_OK;
}
