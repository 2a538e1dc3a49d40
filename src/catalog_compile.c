/* SPDX-License-Identifier: MIT */
/*
 * Compiling a catalog for fast answers: each component's versions ranked
 * in the version order, and each relation turned into a byte table over
 * its component's version ids. A constraint is an interval of the order,
 * so what it admits among the catalog's versions is a range of ranks
 * [low, high); relations with the same range share one table.
 */
#include <string.h>

#include "catalog_internal.h"

typedef struct rank_context {
    const catalog_version *versions; /* of one component */
} rank_context;

static int by_version(const void *context, uint32_t a, uint32_t b)
{
    const rank_context *r = context;
    return otaprio__version_cmp(&r->versions[a].view, &r->versions[b].view);
}

int otaprio__catalog_rank_versions(otaprio_catalog *catalog, otaprio_diag *diag)
{
    (void)diag;
    const otaprio__mem *mem = &catalog->mem;
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, (size_t)catalog->version_count,
                                           sizeof(uint32_t), &block));
    catalog->by_rank = block;
    uint32_t widest = 0;
    for (uint32_t c = 0; c < catalog->component_count; c++)
        if (catalog->components[c].version_count > widest)
            widest = catalog->components[c].version_count;
    uint32_t *scratch = NULL;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, widest, sizeof *scratch, &block));
    scratch = block;
    for (uint32_t c = 0; c < catalog->component_count; c++) {
        const catalog_component *component = &catalog->components[c];
        catalog_version *versions =
            catalog->versions + component->version_first;
        uint32_t *order = catalog->by_rank + component->version_first;
        for (uint32_t v = 0; v < component->version_count; v++)
            order[v] = v;
        rank_context context = {versions};
        otaprio__sort_ids(order, scratch, component->version_count, by_version,
                          &context);
        for (uint32_t r = 0; r < component->version_count; r++)
            versions[order[r]].rank = r;
    }
    otaprio__mem_free(mem, scratch);
    return OTAPRIO_OK;
}

/* The first rank in [0, count) whose version the one-sided constraint
 * admits when `admitted_above` (a lower bound: admitted versions are the
 * high ones), or the first it does not admit otherwise (an upper bound). */
static uint32_t first_rank(const otaprio_catalog *catalog, uint32_t component,
                           const otaprio__constraint *one_sided,
                           bool admitted_above)
{
    const catalog_component *c = &catalog->components[component];
    const uint32_t *order = catalog->by_rank + c->version_first;
    const catalog_version *versions = catalog->versions + c->version_first;
    uint32_t low = 0, high = c->version_count;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        bool admitted =
            otaprio__constraint_admits(one_sided, &versions[order[mid]].view);
        if (admitted == admitted_above)
            high = mid;
        else
            low = mid + 1;
    }
    return low;
}

void otaprio__catalog_admitted_ranks(const otaprio_catalog *catalog,
                                     uint32_t component,
                                     const otaprio__constraint *constraint,
                                     uint32_t *low, uint32_t *high)
{
    otaprio__constraint side;
    side = *constraint;
    side.upper.present = false;
    uint32_t from = first_rank(catalog, component, &side, true);
    side = *constraint;
    side.lower.present = false;
    uint32_t to = first_rank(catalog, component, &side, false);
    *low = from;
    *high = to > from ? to : from;
}

/* ---- tables ----------------------------------------------------------- */

typedef struct table_key {
    uint32_t component, low, high;
    size_t offset; /* into catalog.tables */
} table_key;

typedef struct table_lookup {
    const table_key *keys;
    table_key wanted;
} table_lookup;

static bool table_equal(const void *context, uint32_t id)
{
    const table_lookup *l = context;
    const table_key *k = &l->keys[id];
    return k->component == l->wanted.component && k->low == l->wanted.low &&
           k->high == l->wanted.high;
}

static uint64_t table_hash(const table_key *k)
{
    return otaprio__pair_hash(k->component, 0) ^
           otaprio__pair_hash(k->low, k->high);
}

static otaprio__constraint load_constraint(const otaprio_catalog *catalog,
                                           const otaprio__stored_constraint *s)
{
    otaprio__constraint c;
    memset(&c, 0, sizeof c);
    c.lower.present = s->lower_present;
    c.lower.inclusive = s->lower_inclusive;
    c.upper.present = s->upper_present;
    c.upper.inclusive = s->upper_inclusive;
    if (c.lower.present)
        c.lower.version = otaprio__stored_load(catalog->text, &s->lower);
    if (c.upper.present)
        c.upper.version = otaprio__stored_load(catalog->text, &s->upper);
    return c;
}

/* Places each builder relation in its package's run: checks first, then
 * provides, each in order of addition. */
static void place_relations(otaprio_catalog *c,
                            const otaprio_catalog_builder *b)
{
    const builder_relation *from = b->relations.data;
    size_t first = 0;
    for (uint32_t p = 0; p < c->package_count; p++) {
        c->packages[p].relation_first = first;
        first += ((const builder_package *)b->packages.data)[p].relation_count;
    }
    for (size_t i = 0; i < b->relations.length; i++) {
        catalog_package *p = &c->packages[from[i].package];
        if (from[i].kind != OTAPRIO_RELATION_PROVIDES)
            p->check_count++;
    }
    /* relation_count counts up again as each relation is placed. */
    for (size_t i = 0; i < b->relations.length; i++) {
        catalog_package *p = &c->packages[from[i].package];
        uint32_t number = p->relation_count++;
        bool provides = from[i].kind == OTAPRIO_RELATION_PROVIDES;
        size_t at =
            p->relation_first + (provides ? p->check_count + p->provide_count++
                                          : number - p->provide_count);
        catalog_relation *r = &c->relations[at];
        const catalog_component *component = &c->components[from[i].component];
        r->component = from[i].component;
        r->version_count = component->version_count;
        r->kind = from[i].kind;
        r->number = number;
        r->provided = from[i].provided;
        r->flip = from[i].kind == OTAPRIO_RELATION_REQUIRES;
        if (provides) {
            /* CURRENT: at least the provided version. */
            r->low = c->versions[component->version_first + r->provided].rank;
            r->high = component->version_count;
        } else {
            otaprio__constraint k = load_constraint(c, &from[i].constraint);
            otaprio__catalog_admitted_ranks(c, r->component, &k, &r->low,
                                            &r->high);
        }
    }
}

/* Gives each relation its table, shared by relations with the same
 * component and range, and fills the tables. */
static int make_tables(otaprio_catalog *c, size_t count)
{
    const otaprio__mem *mem = &c->mem;
    void *block = NULL;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, count, sizeof(table_key), &block));
    table_key *keys = block;
    uint32_t *which = NULL;
    otaprio__id_table seen;
    memset(&seen, 0, sizeof seen);
    int status = otaprio__mem_zalloc_array(mem, count, sizeof *which, &block);
    if (status == OTAPRIO_OK) {
        which = block;
        status = otaprio__id_table_reserve(mem, &seen, count);
    }
    size_t distinct = 0, bytes = 0;
    for (size_t i = 0; status == OTAPRIO_OK && i < count; i++) {
        const catalog_relation *r = &c->relations[i];
        table_lookup lookup = {keys, {r->component, r->low, r->high, 0}};
        uint64_t hash = table_hash(&lookup.wanted);
        uint32_t id = otaprio__id_table_find(&seen, hash, table_equal, &lookup);
        if (id == UINT32_MAX) {
            size_t size = (size_t)r->version_count + 1;
            if (size > SIZE_MAX - bytes) {
                status = OTAPRIO_E_OVERFLOW;
                break;
            }
            id = (uint32_t)distinct++;
            lookup.wanted.offset = bytes;
            keys[id] = lookup.wanted;
            otaprio__id_table_insert(&seen, hash, id);
            bytes += size;
        }
        which[i] = id;
    }
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(mem, bytes, 1, &block);
    if (status == OTAPRIO_OK) {
        c->tables = block;
        for (size_t t = 0; t < distinct; t++) {
            const catalog_component *component =
                &c->components[keys[t].component];
            const catalog_version *versions =
                c->versions + component->version_first;
            uint8_t *table = c->tables + keys[t].offset;
            for (uint32_t v = 0; v < component->version_count; v++)
                table[v] = versions[v].rank >= keys[t].low &&
                           versions[v].rank < keys[t].high;
            /* table[version_count], OTAPRIO_VERSION_NONE, stays 0. */
        }
        for (size_t i = 0; i < count; i++)
            c->relations[i].table = c->tables + keys[which[i]].offset;
    }
    otaprio__id_table_release(mem, &seen);
    otaprio__mem_free(mem, which);
    otaprio__mem_free(mem, keys);
    return status;
}

int otaprio__catalog_compile_relations(otaprio_catalog *catalog,
                                       const otaprio_catalog_builder *builder,
                                       otaprio_diag *diag)
{
    (void)diag;
    size_t count = builder->relations.length;
    void *block = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(&catalog->mem, count,
                                           sizeof(catalog_relation), &block));
    catalog->relations = block;
    place_relations(catalog, builder);
    return make_tables(catalog, count);
}
