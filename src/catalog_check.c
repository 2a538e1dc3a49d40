/* SPDX-License-Identifier: MIT */
/*
 * Eligibility of device chunks: the hot path. Devices go through in tiles
 * held on the stack; each relation is one pass over a tile, one table
 * load per device and no branch on the answer. Relations go through
 * last to first, so the number left in a device's first_failed is the
 * first relation that failed.
 */
#include <string.h>

#include "catalog_internal.h"

enum { TILE = 512 };

/* The kernels take the tile's length as an argument and are inlined into
 * two call sites: one with the constant TILE, whose loops the compiler can
 * vectorise, one with the length of a chunk shorter than a tile. */
#if defined(__GNUC__)
#define KERNEL static inline __attribute__((always_inline))
#else
#define KERNEL static inline
#endif

typedef struct tile {
    size_t base; /* first device */
    uint32_t blocks[TILE];
    uint32_t first[TILE];
} tile;

static const uint32_t *version_column(const otaprio_device_state *s,
                                      uint32_t component)
{
    return component < s->component_count ? s->versions[component] : NULL;
}

KERNEL void check_relation(tile *t, size_t n, const catalog_relation *r,
                           const otaprio_device_state *s)
{
    const uint8_t *table = r->table;
    const uint32_t none = r->version_count, number = r->number;
    const uint32_t flip = r->flip;
    const uint32_t bit = r->kind == OTAPRIO_RELATION_REQUIRES
                             ? OTAPRIO_BLOCK_REQUIREMENT
                             : OTAPRIO_BLOCK_CONFLICT;
    const uint32_t *column = version_column(s, r->component);
    if (column == NULL) {
        /* Every device lacks the component. */
        if ((table[none] ^ flip) != 0)
            for (size_t i = 0; i < n; i++) {
                t->blocks[i] |= bit;
                t->first[i] = number;
            }
        return;
    }
    column += t->base;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = column[i];
        uint32_t failed = (uint32_t)table[v < none ? v : none] ^ flip;
        uint32_t all = 0u - failed; /* all ones when it failed */
        t->blocks[i] |= bit & all;
        t->first[i] = (number & all) | (t->first[i] & ~all);
    }
}

/* CURRENT: every provided component at the provided version or higher. */
KERNEL void check_current(tile *t, size_t n, const catalog_relation *provides,
                          uint32_t count, const otaprio_device_state *s)
{
    uint8_t current[TILE];
    memset(current, 1, n);
    for (uint32_t j = 0; j < count; j++) {
        const catalog_relation *r = &provides[j];
        const uint32_t *column = version_column(s, r->component);
        if (column == NULL)
            return; /* nobody has it: nobody is current */
        column += t->base;
        const uint32_t none = r->version_count;
        for (size_t i = 0; i < n; i++) {
            uint32_t v = column[i];
            current[i] &= r->table[v < none ? v : none];
        }
    }
    for (size_t i = 0; i < n; i++)
        t->blocks[i] |= OTAPRIO_BLOCK_CURRENT & (0u - current[i]);
}

/* Whether each device's code is in a short list: one pass per code, no
 * branch, so the compiler can vectorise it. */
KERNEL void in_short_list(const tile *t, size_t n, const uint32_t *codes,
                          uint32_t count, const uint32_t *column, uint8_t *hit)
{
    column += t->base;
    memset(hit, 0, n);
    for (uint32_t k = 0; k < count; k++) {
        const uint32_t code = codes[k];
        for (size_t i = 0; i < n; i++)
            hit[i] |= (uint8_t)(column[i] == code);
    }
}

/* A list rule over the tile; `deny` flips it into a denial list. A device
 * whose code is OTAPRIO_CODE_UNKNOWN needs no test of its own: that code
 * is in no allowed list and ends every denial list. */
KERNEL void check_list(tile *t, size_t n, const uint32_t *codes, uint32_t count,
                       const uint32_t *column, bool deny, uint32_t bit)
{
    if (count == 0)
        return;
    if (column == NULL) {
        /* Unknown values fail every rule. */
        for (size_t i = 0; i < n; i++)
            t->blocks[i] |= bit;
        return;
    }
    uint8_t hit[TILE];
    if (count <= 16) {
        in_short_list(t, n, codes, count, column, hit);
    } else {
        for (size_t i = 0; i < n; i++)
            hit[i] = otaprio__codes_contain(codes, count, column[t->base + i]);
    }
    const uint8_t blocked_when = deny ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        t->blocks[i] |= bit & (0u - (uint32_t)(hit[i] == blocked_when));
}

KERNEL void check_predicates(tile *t, size_t n, const catalog_package *p,
                             const otaprio_device_state *s)
{
    check_list(t, n, p->lists[CATALOG_LIST_CARRIERS],
               p->list_count[CATALOG_LIST_CARRIERS], s->carrier, false,
               OTAPRIO_BLOCK_CARRIER);
    check_list(t, n, p->lists[CATALOG_LIST_REGIONS],
               p->list_count[CATALOG_LIST_REGIONS], s->region, false,
               OTAPRIO_BLOCK_REGION);
    check_list(t, n, p->lists[CATALOG_LIST_DENIED],
               p->list_count[CATALOG_LIST_DENIED], s->region, true,
               OTAPRIO_BLOCK_LEGAL);
    check_list(t, n, p->lists[CATALOG_LIST_ENROLLMENTS],
               p->list_count[CATALOG_LIST_ENROLLMENTS], s->enrollment, false,
               OTAPRIO_BLOCK_ENROLLMENT);
    /* A NULL battery column means mains power: never low. */
    if (p->min_battery > 0.0f && s->battery != NULL) {
        const float *battery = s->battery + t->base;
        const uint8_t *charging =
            s->charging != NULL ? s->charging + t->base : NULL;
        for (size_t i = 0; i < n; i++) {
            bool low = battery[i] < p->min_battery &&
                       (charging == NULL || charging[i] == 0);
            t->blocks[i] |= low ? OTAPRIO_BLOCK_BATTERY : 0;
        }
    }
    if (s->free_bytes != NULL && p->install_bytes > 0) {
        const uint64_t *free_bytes = s->free_bytes + t->base;
        for (size_t i = 0; i < n; i++)
            t->blocks[i] |=
                free_bytes[i] < p->install_bytes ? OTAPRIO_BLOCK_STORAGE : 0;
    }
    if (!p->allow_metered && s->metered != NULL) {
        const uint8_t *metered = s->metered + t->base;
        for (size_t i = 0; i < n; i++)
            t->blocks[i] |= metered[i] ? OTAPRIO_BLOCK_METERED : 0;
    }
}

KERNEL void check_tile(tile *t, size_t n, const otaprio_catalog *c,
                       const catalog_package *p, const otaprio_device_state *s)
{
    for (size_t i = 0; i < n; i++) {
        t->blocks[i] = 0;
        t->first[i] = UINT32_MAX;
    }
    const catalog_relation *r = c->relations + p->relation_first;
    for (uint32_t j = p->check_count; j-- > 0;)
        check_relation(t, n, &r[j], s);
    if (p->provide_count > 0)
        check_current(t, n, r + p->check_count, p->provide_count, s);
    check_predicates(t, n, p, s);
}

/* Copies tile entries [from, to) out and counts the eligible ones. */
static void emit(const tile *t, size_t from, size_t to, uint32_t *blocks,
                 uint32_t *first_failed, uint64_t *eligible)
{
    size_t n = to - from;
    if (blocks != NULL)
        memcpy(blocks + t->base + from, t->blocks + from, n * sizeof *blocks);
    if (first_failed != NULL)
        memcpy(first_failed + t->base + from, t->first + from,
               n * sizeof *first_failed);
    uint64_t count = 0;
    for (size_t i = from; i < to; i++)
        count += t->blocks[i] == 0;
    *eligible += count;
}

int otaprio_catalog_check_devices(const otaprio_catalog *catalog,
                                  uint32_t package,
                                  const otaprio_device_state *state,
                                  uint32_t *blocks, uint32_t *first_failed,
                                  uint64_t *eligible_count, otaprio_diag *diag)
{
    if (catalog == NULL || state == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, catalog == NULL ? "catalog" : "state", -1,
            "%s is NULL", catalog == NULL ? "catalog" : "state");
    if (blocks == NULL && first_failed == NULL && eligible_count == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "blocks", -1,
                             "blocks, first_failed and eligible_count are all "
                             "NULL: there is nothing to answer");
    OTAPRIO__TRY(otaprio__catalog_check_package(catalog, package, diag));
    otaprio_device_state s;
    OTAPRIO__TRY(
        otaprio__catalog_read_state(catalog, state, &s, SIZE_MAX, false, diag));
    const catalog_package *p = &catalog->packages[package];
    uint64_t eligible = 0;
    tile t;
    if (s.count < TILE) {
        t.base = 0;
        check_tile(&t, s.count, catalog, p, &s);
        emit(&t, 0, s.count, blocks, first_failed, &eligible);
    }
    for (size_t base = 0; s.count >= TILE && base < s.count; base += TILE) {
        /* The last tile ends at the chunk's end and may overlap the one
         * before: devices are independent, so the overlap is computed
         * twice alike and counted once. */
        t.base = s.count - base >= TILE ? base : s.count - TILE;
        check_tile(&t, TILE, catalog, p, &s);
        emit(&t, base - t.base, TILE, blocks, first_failed, &eligible);
    }
    if (eligible_count != NULL)
        *eligible_count = eligible;
    return OTAPRIO_OK;
}
