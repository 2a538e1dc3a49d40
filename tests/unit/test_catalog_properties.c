/* SPDX-License-Identifier: MIT */
/*
 * Properties of the catalog over random small catalogs, with
 * otaprio_catalog_check_devices() as the oracle of what may be installed:
 * - every update path, applied step by step, installs only packages the
 *   device may install at that point and ends with the target's
 *   requirements and conflicts met;
 * - no better path exists: a brute force over every package sequence
 *   finds none with fewer steps, nor one of as many steps with a smaller
 *   (download, ids), and finds none at all when the answer is NOT_FOUND;
 * - a chunk's eligibility equals the devices' one by one;
 * - the release order puts every edge's source before its target;
 * - the same inputs give the same answers (a second build, a second call).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio.h"
#include "splitmix.h"

enum {
    ROUNDS = 1500,
    MAX_COMPONENTS = 3,
    MAX_VERSIONS = 5,
    MAX_PACKAGES = 6,
    MAX_RELATIONS = 4,
    MAX_DEVICES = 5,
    DEPTH = 4 /* brute-force sequences up to this long */
};

#define NONE OTAPRIO_VERSION_NONE

typedef struct world {
    otaprio_catalog *catalog;
    uint32_t components, packages;
    /* provides[p][c]: version id package p sets, or NONE. */
    uint32_t provides[MAX_PACKAGES][MAX_COMPONENTS];
    uint64_t download[MAX_PACKAGES];
    size_t devices;
    uint32_t versions[MAX_COMPONENTS][MAX_DEVICES];
    const uint32_t *columns[MAX_COMPONENTS];
    uint32_t carrier[MAX_DEVICES];
    float battery[MAX_DEVICES];
    uint8_t metered[MAX_DEVICES];
    otaprio_device_state state;
} world;

static const char *const version_text[MAX_VERSIONS] = {"3", "1", "5", "2", "4"};

static otaprio_catalog *make_catalog(uint64_t seed, world *w)
{
    uint64_t s = seed;
    otaprio_catalog_builder *b = NULL;
    assert_int_equal(otaprio_catalog_builder_create(NULL, &b, NULL),
                     OTAPRIO_OK);
    w->components = 1 + splitmix_below(&s, MAX_COMPONENTS);
    for (uint32_t c = 0; c < w->components; c++) {
        char name[16];
        snprintf(name, sizeof name, "c%u", c);
        assert_int_equal(
            otaprio_catalog_add_component(b, name, strlen(name), NULL, NULL),
            OTAPRIO_OK);
        for (uint32_t v = 0; v < MAX_VERSIONS; v++)
            assert_int_equal(otaprio_catalog_add_version(b, c, version_text[v],
                                                         1, NULL, NULL),
                             OTAPRIO_OK);
    }
    w->packages = 2 + splitmix_below(&s, MAX_PACKAGES - 1);
    static const uint32_t carriers[] = {1, 2};
    for (uint32_t p = 0; p < w->packages; p++) {
        char name[16];
        snprintf(name, sizeof name, "p%u", p);
        otaprio_package package;
        otaprio_package_init(&package);
        package.name = name;
        package.name_length = strlen(name);
        static const uint64_t sizes[] = {0, 10, 10, 20, 50};
        w->download[p] = sizes[splitmix_below(&s, 5)];
        package.download_bytes = w->download[p];
        if (splitmix_below(&s, 8) == 0) {
            package.carriers = carriers;
            package.carrier_count = 1 + splitmix_below(&s, 2);
        }
        if (splitmix_below(&s, 8) == 0)
            package.min_battery = 0.5f;
        if (splitmix_below(&s, 8) == 0)
            package.allow_metered = 0;
        assert_int_equal(otaprio_catalog_add_package(b, &package, NULL, NULL),
                         OTAPRIO_OK);
        for (uint32_t c = 0; c < MAX_COMPONENTS; c++)
            w->provides[p][c] = NONE;
        uint32_t relations = 1 + splitmix_below(&s, MAX_RELATIONS);
        for (uint32_t r = 0; r < relations; r++) {
            uint32_t c = splitmix_below(&s, w->components);
            uint32_t v = splitmix_below(&s, MAX_VERSIONS);
            uint32_t kind = splitmix_below(&s, 5);
            char text[32];
            int32_t relation;
            if (kind <= 1) {
                if (w->provides[p][c] != NONE)
                    continue;
                relation = OTAPRIO_RELATION_PROVIDES;
                w->provides[p][c] = v;
                snprintf(text, sizeof text, "%s", version_text[v]);
            } else {
                static const char *const ops[] = {">=", "<", "==", ">"};
                relation = kind == 4 ? OTAPRIO_RELATION_CONFLICTS
                                     : OTAPRIO_RELATION_REQUIRES;
                snprintf(text, sizeof text, "%s %s", ops[splitmix_below(&s, 4)],
                         version_text[v]);
            }
            assert_int_equal(otaprio_catalog_add_relation(
                                 b, p, relation, c, text, strlen(text), NULL),
                             OTAPRIO_OK);
        }
    }
    otaprio_catalog *catalog = NULL;
    assert_int_equal(otaprio_catalog_build(b, &catalog, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(b);

    w->devices = 1 + splitmix_below(&s, MAX_DEVICES);
    for (uint32_t c = 0; c < w->components; c++) {
        for (size_t d = 0; d < w->devices; d++) {
            uint32_t v = splitmix_below(&s, MAX_VERSIONS + 1);
            w->versions[c][d] = v == MAX_VERSIONS ? NONE : v;
        }
        w->columns[c] = w->versions[c];
    }
    for (size_t d = 0; d < w->devices; d++) {
        w->carrier[d] = 1 + splitmix_below(&s, 2);
        w->battery[d] = splitmix_below(&s, 2) ? 0.25f : 1.0f;
        w->metered[d] = (uint8_t)splitmix_below(&s, 2);
    }
    otaprio_device_state_init(&w->state);
    w->state.count = w->devices;
    w->state.versions = w->columns;
    w->state.component_count = w->components;
    w->state.carrier = w->carrier;
    w->state.battery = w->battery;
    w->state.metered = w->metered;
    return catalog;
}

/* One device of the world, at given versions. */
typedef struct single {
    uint32_t versions[MAX_COMPONENTS];
    const uint32_t *columns[MAX_COMPONENTS];
    otaprio_device_state state;
} single;

static void single_view(const world *w, size_t device, single *one)
{
    one->state = w->state;
    one->state.count = 1;
    for (uint32_t c = 0; c < w->components; c++) {
        one->versions[c] = w->versions[c][device];
        one->columns[c] = &one->versions[c];
    }
    one->state.versions = one->columns;
    one->state.carrier = w->carrier + device;
    one->state.battery = w->battery + device;
    one->state.metered = w->metered + device;
}

static uint32_t blocks_of(const world *w, uint32_t package, const single *one)
{
    uint32_t blocks = 0;
    assert_int_equal(otaprio_catalog_check_devices(w->catalog, package,
                                                   &one->state, &blocks, NULL,
                                                   NULL, NULL),
                     OTAPRIO_OK);
    return blocks;
}

static const uint32_t CODE_BLOCKS =
    OTAPRIO_BLOCK_REQUIREMENT | OTAPRIO_BLOCK_CONFLICT;

/* Installs a package if the oracle allows it and it changes something. */
static bool install(const world *w, uint32_t package, single *one)
{
    if ((blocks_of(w, package, one) & ~(uint32_t)OTAPRIO_BLOCK_CURRENT) != 0)
        return false;
    bool changed = false;
    for (uint32_t c = 0; c < w->components; c++) {
        uint32_t v = w->provides[package][c];
        if (v != NONE && one->versions[c] != v) {
            one->versions[c] = v;
            changed = true;
        }
    }
    return changed;
}

typedef struct best {
    size_t length;
    uint64_t bytes;
    uint32_t path[DEPTH];
    bool found;
} best;

/* Whether a sequence beats the best so far by (steps, bytes, ids). */
static bool better(size_t length, uint64_t bytes, const uint32_t *path,
                   const best *b)
{
    if (!b->found)
        return true;
    if (length != b->length)
        return length < b->length;
    if (bytes != b->bytes)
        return bytes < b->bytes;
    for (size_t i = 0; i < length; i++)
        if (path[i] != b->path[i])
            return path[i] < b->path[i];
    return false;
}

/* Every sequence of valid steps up to DEPTH long. */
static void brute_force(const world *w, uint32_t target, const single *one,
                        uint32_t *path, size_t length, uint64_t bytes, best *b)
{
    if ((blocks_of(w, target, one) & CODE_BLOCKS) == 0) {
        if (better(length, bytes, path, b)) {
            b->found = true;
            b->length = length;
            b->bytes = bytes;
            memcpy(b->path, path, length * sizeof *path);
        }
        return;
    }
    if (length == DEPTH)
        return;
    for (uint32_t p = 0; p < w->packages; p++) {
        if (p == target)
            continue;
        single after = *one;
        for (uint32_t c = 0; c < w->components; c++)
            after.columns[c] = &after.versions[c];
        after.state.versions = after.columns;
        if (!install(w, p, &after))
            continue;
        path[length] = p;
        brute_force(w, target, &after, path, length + 1, bytes + w->download[p],
                    b);
    }
}

static void check_path(const world *w, uint32_t target, size_t device,
                       uint64_t seed)
{
    single one;
    single_view(w, device, &one);
    uint32_t path[64];
    size_t length = 0;
    uint64_t bytes = 0;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_catalog_update_path(w->catalog, target, &w->state, device, 0,
                                    path, 64, &length, &bytes, &diag);
    best b;
    memset(&b, 0, sizeof b);
    uint32_t scratch[DEPTH];
    uint32_t predicates = blocks_of(w, target, &one) &
                          ~(CODE_BLOCKS | (uint32_t)OTAPRIO_BLOCK_CURRENT);
    if (predicates == 0)
        brute_force(w, target, &one, scratch, 0, 0, &b);
    if (status == OTAPRIO_E_NOT_FOUND) {
        if (b.found)
            fail_msg("seed %llu package %u device %zu: NOT_FOUND but a path "
                     "of %zu steps exists",
                     (unsigned long long)seed, target, device, b.length);
        return;
    }
    if (status != OTAPRIO_OK)
        fail_msg("seed %llu: %s", (unsigned long long)seed, diag.message);
    /* Replay it with the oracle. */
    uint64_t spent = 0;
    for (size_t i = 0; i < length; i++) {
        assert_true(path[i] < w->packages && path[i] != target);
        if (!install(w, path[i], &one))
            fail_msg("seed %llu: step %zu (package %u) is not installable",
                     (unsigned long long)seed, i, path[i]);
        spent += w->download[path[i]];
    }
    assert_int_equal(blocks_of(w, target, &one) & CODE_BLOCKS, 0);
    assert_int_equal(spent, bytes);
    if (length > DEPTH) {
        assert_false(b.found);
        return;
    }
    if (!b.found || b.length != length || b.bytes != bytes ||
        memcmp(b.path, path, length * sizeof *path) != 0)
        fail_msg("seed %llu package %u device %zu: path of %zu steps (%llu "
                 "bytes) but brute force found %zu (%llu bytes)",
                 (unsigned long long)seed, target, device, length,
                 (unsigned long long)bytes, b.length,
                 (unsigned long long)b.bytes);
}

static void paths_are_valid_and_best(void **state)
{
    (void)state;
    size_t multi_step = 0;
    for (uint64_t seed = 1; seed <= ROUNDS; seed++) {
        world w;
        w.catalog = make_catalog(seed, &w);
        for (uint32_t p = 0; p < w.packages; p++)
            for (size_t d = 0; d < w.devices; d++) {
                check_path(&w, p, d, seed);
                size_t length = 0;
                if (otaprio_catalog_update_path(w.catalog, p, &w.state, d, 0,
                                                NULL, 0, &length, NULL,
                                                NULL) == OTAPRIO_E_RANGE)
                    multi_step += length >= 2;
            }
        otaprio_catalog_free(w.catalog);
    }
    print_message("%zu paths of two steps or more\n", multi_step);
    assert_true(multi_step > 30);
}

static void chunks_equal_devices_one_by_one(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= ROUNDS; seed++) {
        world w;
        w.catalog = make_catalog(seed, &w);
        for (uint32_t p = 0; p < w.packages; p++) {
            uint32_t blocks[MAX_DEVICES], first[MAX_DEVICES];
            uint64_t eligible = 0, counted = 0;
            assert_int_equal(
                otaprio_catalog_check_devices(w.catalog, p, &w.state, blocks,
                                              first, &eligible, NULL),
                OTAPRIO_OK);
            for (size_t d = 0; d < w.devices; d++) {
                single one;
                single_view(&w, d, &one);
                uint32_t b1 = 0, f1 = 0;
                uint64_t e1 = 9;
                assert_int_equal(otaprio_catalog_check_devices(w.catalog, p,
                                                               &one.state, &b1,
                                                               &f1, &e1, NULL),
                                 OTAPRIO_OK);
                assert_int_equal(b1, blocks[d]);
                assert_int_equal(f1, first[d]);
                assert_int_equal(e1, blocks[d] == 0);
                counted += blocks[d] == 0;
                /* first_failed names a requires/conflicts failure exactly
                 * when one of those bits is set. */
                assert_int_equal(f1 != UINT32_MAX, (b1 & CODE_BLOCKS) != 0);
            }
            assert_int_equal(eligible, counted);
            /* Outputs are independent: each alone gives the same. */
            uint32_t only_blocks[MAX_DEVICES];
            assert_int_equal(
                otaprio_catalog_check_devices(w.catalog, p, &w.state,
                                              only_blocks, NULL, NULL, NULL),
                OTAPRIO_OK);
            assert_memory_equal(only_blocks, blocks,
                                w.devices * sizeof *blocks);
        }
        otaprio_catalog_free(w.catalog);
    }
}

/* Chunks longer than the library's tiles, of lengths around its multiples,
 * against the devices one by one. */
static void long_chunks_equal_devices_one_by_one(void **state)
{
    (void)state;
    enum { LONG = 1537 };
    static uint32_t versions[MAX_COMPONENTS][LONG];
    static uint32_t carrier[LONG];
    static float battery[LONG];
    static uint8_t metered[LONG];
    static uint32_t blocks[LONG + 1], first[LONG + 1];
    static const size_t lengths[] = {511, 512, 513, 1024, 1100, LONG};
    uint64_t s = 99;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        world w;
        w.catalog = make_catalog(seed, &w);
        const uint32_t *columns[MAX_COMPONENTS];
        for (uint32_t c = 0; c < w.components; c++) {
            for (size_t d = 0; d < LONG; d++) {
                uint32_t v = splitmix_below(&s, MAX_VERSIONS + 1);
                versions[c][d] = v == MAX_VERSIONS ? NONE : v;
            }
            columns[c] = versions[c];
        }
        for (size_t d = 0; d < LONG; d++) {
            carrier[d] = 1 + splitmix_below(&s, 2);
            battery[d] = splitmix_below(&s, 2) ? 0.25f : 1.0f;
            metered[d] = (uint8_t)splitmix_below(&s, 2);
        }
        w.state.versions = columns;
        w.state.carrier = carrier;
        w.state.battery = battery;
        w.state.metered = metered;
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            w.state.count = lengths[l];
            uint32_t p = splitmix_below(&s, w.packages);
            blocks[lengths[l]] = first[lengths[l]] = 0xEEEEEEEE;
            uint64_t eligible = 0, counted = 0;
            assert_int_equal(
                otaprio_catalog_check_devices(w.catalog, p, &w.state, blocks,
                                              first, &eligible, NULL),
                OTAPRIO_OK);
            assert_int_equal(blocks[lengths[l]], 0xEEEEEEEE);
            assert_int_equal(first[lengths[l]], 0xEEEEEEEE);
            for (size_t d = 0; d < lengths[l]; d++) {
                single one;
                single_view(&w, 0, &one);
                for (uint32_t c = 0; c < w.components; c++)
                    one.versions[c] = versions[c][d];
                one.state.carrier = carrier + d;
                one.state.battery = battery + d;
                one.state.metered = metered + d;
                uint32_t b1 = 0, f1 = 0;
                assert_int_equal(otaprio_catalog_check_devices(w.catalog, p,
                                                               &one.state, &b1,
                                                               &f1, NULL, NULL),
                                 OTAPRIO_OK);
                assert_int_equal(b1, blocks[d]);
                assert_int_equal(f1, first[d]);
                counted += b1 == 0;
            }
            assert_int_equal(eligible, counted);
        }
        otaprio_catalog_free(w.catalog);
    }
}

static void release_order_respects_every_edge(void **state)
{
    (void)state;
    size_t acyclic = 0;
    for (uint64_t seed = 1; seed <= ROUNDS; seed++) {
        world w;
        w.catalog = make_catalog(seed, &w);
        uint32_t order[MAX_PACKAGES];
        int status = otaprio_catalog_release_order(w.catalog, order, NULL);
        const otaprio_graph *g = otaprio_catalog_graph(w.catalog);
        if (status == OTAPRIO_E_CYCLE) {
            /* Capacity 0 asks for the length: a cycle has one. */
            size_t length = 0;
            assert_int_equal(
                otaprio_graph_find_cycle(g, NULL, 0, &length, NULL),
                OTAPRIO_E_RANGE);
            assert_true(length > 0);
            otaprio_catalog_free(w.catalog);
            continue;
        }
        assert_int_equal(status, OTAPRIO_OK);
        acyclic++;
        uint32_t place[MAX_PACKAGES];
        for (uint32_t i = 0; i < w.packages; i++)
            place[order[i]] = i;
        for (uint32_t u = 0; u < w.packages; u++) {
            uint32_t out[MAX_PACKAGES];
            size_t count = 0;
            assert_int_equal(
                otaprio_graph_neighbours(g, u, OTAPRIO_DIRECTION_FORWARD, out,
                                         MAX_PACKAGES, &count, NULL),
                OTAPRIO_OK);
            for (size_t i = 0; i < count; i++)
                assert_true(place[u] < place[out[i]]);
        }
        otaprio_catalog_free(w.catalog);
    }
    assert_true(acyclic > ROUNDS / 4);
}

static void same_inputs_same_answers(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= ROUNDS; seed += 7) {
        world a, b;
        a.catalog = make_catalog(seed, &a);
        b.catalog = make_catalog(seed, &b);
        for (uint32_t p = 0; p < a.packages; p++) {
            uint8_t ma[MAX_PACKAGES], mb[MAX_PACKAGES];
            assert_int_equal(
                otaprio_catalog_impact(a.catalog, 0, ">= 2", 4, ma, NULL, NULL),
                OTAPRIO_OK);
            assert_int_equal(
                otaprio_catalog_impact(b.catalog, 0, ">= 2", 4, mb, NULL, NULL),
                OTAPRIO_OK);
            assert_memory_equal(ma, mb, a.packages);
            for (size_t d = 0; d < a.devices; d++) {
                uint32_t pa[16], pb[16];
                size_t la = 0, lb = 0;
                uint64_t ba = 0, bb = 0;
                int sa = otaprio_catalog_update_path(a.catalog, p, &a.state, d,
                                                     0, pa, 16, &la, &ba, NULL);
                int sb = otaprio_catalog_update_path(b.catalog, p, &b.state, d,
                                                     0, pb, 16, &lb, &bb, NULL);
                assert_int_equal(sa, sb);
                if (sa == OTAPRIO_OK) {
                    assert_int_equal(la, lb);
                    assert_int_equal(ba, bb);
                    assert_memory_equal(pa, pb, la * sizeof *pa);
                }
            }
        }
        otaprio_catalog_free(a.catalog);
        otaprio_catalog_free(b.catalog);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_are_valid_and_best),
        cmocka_unit_test(chunks_equal_devices_one_by_one),
        cmocka_unit_test(long_chunks_equal_devices_one_by_one),
        cmocka_unit_test(release_order_respects_every_edge),
        cmocka_unit_test(same_inputs_same_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
