/* SPDX-License-Identifier: MIT */
/*
 * Relations between packages and components. A provided version and the
 * versions that bound a constraint are interned as versions of the
 * component, so that otaprio_catalog_version_id() finds every version the
 * catalog mentions. All room is reserved before anything is kept, so a
 * failing call leaves the builder as it was.
 */
#include <string.h>

#include "catalog_internal.h"

typedef struct provided_key {
    const otaprio_catalog_builder *builder;
    uint32_t package, component;
} provided_key;

static bool provided_equal(const void *context, uint32_t id)
{
    const provided_key *key = context;
    const builder_relation *r =
        (const builder_relation *)key->builder->relations.data + id;
    return r->package == key->package && r->component == key->component;
}

/* The bytes of a bound's version within the constraint text: from its `v`
 * prefix, if any, to its end. */
static void bound_span(const otaprio__version *v, const char **text,
                       size_t *length)
{
    size_t start = v->release_start;
    if (start > 0 && (v->text[start - 1] == 'v' || v->text[start - 1] == 'V'))
        start--;
    *text = v->text + start;
    *length = (size_t)(v->length - start);
}

static int probe_bounds(const otaprio_catalog_builder *builder,
                        uint32_t component, const otaprio__constraint *parsed,
                        otaprio__version_probe probes[2], size_t *count,
                        otaprio_diag *diag)
{
    const otaprio__bound *bounds[2] = {&parsed->lower, &parsed->upper};
    *count = 0;
    for (int i = 0; i < 2; i++) {
        if (!bounds[i]->present)
            continue;
        const char *text;
        size_t length;
        bound_span(&bounds[i]->version, &text, &length);
        OTAPRIO__TRY(otaprio__builder_probe_version(
            builder, component, text, length, "text", &probes[*count], diag));
        (*count)++;
    }
    return OTAPRIO_OK;
}

static otaprio__stored_version keep_bound(const otaprio_catalog_builder *b,
                                          const otaprio__bound *bound,
                                          const char *caller_text,
                                          size_t offset)
{
    if (!bound->present) {
        otaprio__stored_version none;
        memset(&none, 0, sizeof none);
        return none;
    }
    /* The bound views the caller's text; its copy sits at `offset`. */
    otaprio__version moved = bound->version;
    moved.text = (const char *)b->text.data + offset +
                 (bound->version.text - caller_text);
    return otaprio__stored_keep(b->text.data, &moved);
}

static int check_arguments(const otaprio_catalog_builder *builder,
                           uint32_t package, int32_t relation,
                           uint32_t component, const char *text, size_t length,
                           otaprio_diag *diag)
{
    if (builder == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "builder", -1,
                             "builder is NULL");
    if (text == NULL && length != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "text", -1,
                             "text is NULL with length %zu", length);
    if (package >= builder->packages.length)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "package", (int64_t)package,
                             "package %u is not in the catalog (it has %zu)",
                             (unsigned)package, builder->packages.length);
    if (relation != OTAPRIO_RELATION_REQUIRES &&
        relation != OTAPRIO_RELATION_PROVIDES &&
        relation != OTAPRIO_RELATION_CONFLICTS)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "relation", -1,
                             "relation is %d; it must be 0 (requires), 1 "
                             "(provides) or 2 (conflicts)",
                             (int)relation);
    if (component >= builder->components.length)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "component",
                             (int64_t)component,
                             "component %u is not in the catalog (it has %zu)",
                             (unsigned)component, builder->components.length);
    const builder_package *p =
        (const builder_package *)builder->packages.data + package;
    /* Numbers stop below UINT32_MAX, which means "no relation failed". */
    if (p->relation_count >= UINT32_MAX - 1 ||
        builder->relations.length >= SIZE_MAX - 1)
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "package",
                             (int64_t)package,
                             "package %u already has %u relations",
                             (unsigned)package, (unsigned)p->relation_count);
    return OTAPRIO_OK;
}

int otaprio_catalog_add_relation(otaprio_catalog_builder *builder,
                                 uint32_t package, int32_t relation,
                                 uint32_t component, const char *text,
                                 size_t length, otaprio_diag *diag)
{
    OTAPRIO__TRY(check_arguments(builder, package, relation, component, text,
                                 length, diag));
    const char *caller_text = length != 0 ? text : "";
    otaprio__version_probe probes[2];
    size_t probe_count = 0;
    otaprio__constraint parsed;
    memset(&parsed, 0, sizeof parsed);
    provided_key key = {builder, package, component};
    uint64_t pair = otaprio__pair_hash(package, component);

    if (relation == OTAPRIO_RELATION_PROVIDES) {
        OTAPRIO__TRY(otaprio__builder_probe_version(
            builder, component, caller_text, length, "text", &probes[0], diag));
        probe_count = 1;
        uint32_t earlier = otaprio__id_table_find(&builder->provided, pair,
                                                  provided_equal, &key);
        if (earlier != UINT32_MAX)
            return otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "component",
                                 (int64_t)component,
                                 "package %u already provides a version of "
                                 "component %u",
                                 (unsigned)package, (unsigned)component);
    } else {
        OTAPRIO__TRY(otaprio__constraint_parse(caller_text, length, "text",
                                               &parsed, diag));
        OTAPRIO__TRY(probe_bounds(builder, component, &parsed, probes,
                                  &probe_count, diag));
    }

    /* Reserve everything: new versions and their text, the constraint's
     * own copy, the relation and its pair. */
    size_t new_versions = 0, text_bytes = 0;
    for (size_t i = 0; i < probe_count; i++) {
        if (probes[i].found == UINT32_MAX) {
            new_versions++;
            text_bytes += probes[i].length;
        }
    }
    if (relation != OTAPRIO_RELATION_PROVIDES)
        text_bytes += length;
    OTAPRIO__TRY(otaprio__builder_reserve(builder, component, new_versions,
                                          text_bytes, diag));
    const otaprio__mem *mem = &builder->mem;
    size_t index = builder->relations.length;
    int status = otaprio__vec_reserve(mem, &builder->relations, index + 1);
    if (status == OTAPRIO_OK && relation == OTAPRIO_RELATION_PROVIDES)
        status = otaprio__id_table_reserve(mem, &builder->provided,
                                           builder->provided.count + 1);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "no room for another relation");

    builder_relation r;
    memset(&r, 0, sizeof r);
    r.package = package;
    r.component = component;
    r.kind = (uint32_t)relation;
    for (size_t i = 0; i < probe_count; i++) {
        /* Two bounds of one value (`>= 1, <= 1`): the second probe was
         * made before the first was kept. */
        if (i == 1 && probes[1].found == UINT32_MAX &&
            otaprio__version_cmp(&probes[0].view, &probes[1].view) == 0)
            probes[1].found = probes[0].found;
        otaprio__builder_commit_version(builder, &probes[i]);
    }
    if (relation == OTAPRIO_RELATION_PROVIDES) {
        r.provided = probes[0].found;
        otaprio__id_table_insert(&builder->provided, pair, (uint32_t)index);
    } else {
        size_t offset =
            otaprio__builder_append_text(builder, caller_text, length);
        otaprio__stored_constraint *c = &r.constraint;
        c->lower = keep_bound(builder, &parsed.lower, caller_text, offset);
        c->upper = keep_bound(builder, &parsed.upper, caller_text, offset);
        c->lower_present = parsed.lower.present;
        c->lower_inclusive = parsed.lower.inclusive;
        c->upper_present = parsed.upper.present;
        c->upper_inclusive = parsed.upper.inclusive;
    }
    memcpy((builder_relation *)builder->relations.data + index, &r, sizeof r);
    builder->relations.length++;
    ((builder_package *)builder->packages.data + package)->relation_count++;
    return OTAPRIO_OK;
}
