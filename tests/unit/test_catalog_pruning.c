/* SPDX-License-Identifier: MIT */
/*
 * The update path search over relevant packages only: packages that
 * provide no component the target's dependency chain can need never cost
 * a state, and never change the answer.
 * - A chain of three steps amid hundreds of installable but irrelevant
 *   packages takes exactly the chain's four states, so a work limit of
 *   four suffices and three does not (every irrelevant package would
 *   otherwise be a state of the first level); the path equals the one in
 *   the catalog without them.
 * - A catalog of about 3,000 packages of which 20 are relevant answers a
 *   bare device within a small work limit, with the path worked out by
 *   hand, the same as in the 20-package catalog alone.
 * The brute-force properties (test_catalog_properties.c) and the golden
 * vectors check, over random catalogs, that the pruned search finds the
 * best path of the search over every package.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct builder {
    otaprio_catalog_builder *b;
    uint32_t packages;
} builder;

static void start(builder *w)
{
    w->b = NULL;
    w->packages = 0;
    assert_int_equal(otaprio_catalog_builder_create(NULL, &w->b, NULL),
                     OTAPRIO_OK);
}

static uint32_t component(builder *w, const char *name)
{
    uint32_t id = 99;
    assert_int_equal(
        otaprio_catalog_add_component(w->b, name, strlen(name), &id, NULL),
        OTAPRIO_OK);
    return id;
}

static uint32_t package(builder *w, const char *name, uint64_t bytes)
{
    otaprio_package p;
    otaprio_package_init(&p);
    p.name = name;
    p.name_length = strlen(name);
    p.download_bytes = bytes;
    uint32_t id = 99;
    assert_int_equal(otaprio_catalog_add_package(w->b, &p, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, w->packages);
    w->packages++;
    return id;
}

static void relate(builder *w, uint32_t p, int32_t kind, uint32_t c,
                   const char *text)
{
    assert_int_equal(otaprio_catalog_add_relation(w->b, p, kind, c, text,
                                                  strlen(text), NULL),
                     OTAPRIO_OK);
}

static otaprio_catalog *finish(builder *w)
{
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(w->b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(w->b);
    return c;
}

#define R OTAPRIO_RELATION_REQUIRES
#define P OTAPRIO_RELATION_PROVIDES
#define X OTAPRIO_RELATION_CONFLICTS

/* A bare device: nothing installed, no predicate columns. */
static otaprio_device_state bare_device(void)
{
    otaprio_device_state s;
    otaprio_device_state_init(&s);
    s.count = 1;
    return s;
}

/*
 * fw-1 (fw 1), fw-2 (fw >= 1 -> fw 2), fw-3 (fw >= 2 -> fw 3) and the
 * target app (fw >= 3), then, with `noise`, 300 irrelevant packages: 100
 * tools that need nothing and provide their own component, 100 that need
 * fw >= 1 and provide one of those components, and 100 that need a tool
 * and conflict with fw 3 while providing another tool component.
 */
static otaprio_catalog *chain_catalog(int noise, uint32_t *target)
{
    builder w;
    start(&w);
    uint32_t fw = component(&w, "fw");
    char name[32];
    for (uint32_t v = 1; v <= 3; v++) {
        snprintf(name, sizeof name, "fw-%u", v);
        uint32_t p = package(&w, name, 10 * v);
        if (v > 1) {
            snprintf(name, sizeof name, ">= %u", v - 1);
            relate(&w, p, R, fw, name);
        }
        snprintf(name, sizeof name, "%u", v);
        relate(&w, p, P, fw, name);
    }
    *target = package(&w, "app", 5);
    relate(&w, *target, R, fw, ">= 3");
    for (uint32_t i = 0; noise && i < 100; i++) {
        snprintf(name, sizeof name, "tool-%u", i);
        uint32_t tool = component(&w, name);
        relate(&w, package(&w, name, 1), P, tool, "1");
        snprintf(name, sizeof name, "tool-%u-on-fw", i);
        uint32_t p = package(&w, name, 1);
        relate(&w, p, R, fw, ">= 1");
        relate(&w, p, P, tool, "2");
        snprintf(name, sizeof name, "tool-%u-legacy", i);
        p = package(&w, name, 1);
        relate(&w, p, R, tool, ">= 1");
        relate(&w, p, X, fw, "3");
        relate(&w, p, P, tool, "3");
    }
    return finish(&w);
}

static void irrelevant_packages_cost_no_state(void **state)
{
    (void)state;
    uint32_t target = 0, alone_target = 0;
    otaprio_catalog *noisy = chain_catalog(1, &target);
    otaprio_catalog *alone = chain_catalog(0, &alone_target);
    otaprio_catalog_info info;
    info.size = sizeof info;
    assert_int_equal(otaprio_catalog_get_info(noisy, &info, NULL), OTAPRIO_OK);
    assert_int_equal(info.package_count, 304);
    otaprio_device_state s = bare_device();
    static const uint32_t expected[] = {0, 1, 2}; /* fw-1, fw-2, fw-3 */
    const otaprio_catalog *both[] = {noisy, alone};
    for (size_t k = 0; k < COUNT(both); k++) {
        uint32_t path[8] = {77, 77, 77, 77, 77, 77, 77, 77};
        size_t length = 99;
        uint64_t bytes = 99;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        /* The device's state, then one per step of the chain. */
        int status = otaprio_catalog_update_path(
            both[k], target, &s, 0, 4, path, 8, &length, &bytes, &diag);
        if (status != OTAPRIO_OK)
            fail_msg("catalog %zu: %s", k, diag.message);
        assert_int_equal(length, 3);
        assert_memory_equal(path, expected, sizeof expected);
        assert_int_equal(bytes, 60);
        assert_int_equal(otaprio_catalog_update_path(both[k], target, &s, 0, 3,
                                                     path, 8, &length, &bytes,
                                                     &diag),
                         OTAPRIO_E_LIMIT);
    }
    /* With fw 1 installed, two steps; a device on fw 3 needs none, the
     * irrelevant packages it could still install notwithstanding. */
    uint32_t fw_version = 0; /* the id of fw 1 */
    assert_int_equal(
        otaprio_catalog_version_id(noisy, 0, "1", 1, &fw_version, NULL),
        OTAPRIO_OK);
    const uint32_t *columns[] = {&fw_version};
    s.versions = columns;
    s.component_count = 1;
    uint32_t path[4];
    size_t length = 99;
    assert_int_equal(otaprio_catalog_update_path(noisy, target, &s, 0, 3, path,
                                                 4, &length, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 2);
    assert_int_equal(path[0], 1);
    assert_int_equal(path[1], 2);
    assert_int_equal(
        otaprio_catalog_version_id(noisy, 0, "3", 1, &fw_version, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_update_path(noisy, target, &s, 0, 1, path,
                                                 4, &length, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 0);
    otaprio_catalog_free(noisy);
    otaprio_catalog_free(alone);
}

/*
 * The relevant part, 20 packages:
 *   bl-1 .. bl-5      bl-k gives bl k, needs bl >= k-1 (k > 1)
 *   fw-1 .. fw-10     fw-k gives fw k, needs fw >= k-1 (k > 1), and
 *                     bl >= 3 from fw-6 on
 *   fw-full-8         gives fw 8, needs bl >= 5
 *   modem-1 .. modem-3  modem-k gives modem k, needs modem >= k-1
 *   os-20             the target: needs fw >= 10, conflicts with modem < 2
 * With `noise`, 100 libraries of 29 packages each besides: lib-j-k gives
 * lib-j k and needs lib-j >= k-1; every seventh also needs fw >= 2 or
 * conflicts with bl 1. All installable on a bare device, none relevant.
 */
static otaprio_catalog *large_catalog(int noise, uint32_t *target,
                                      uint32_t *first_noise)
{
    builder w;
    start(&w);
    uint32_t bl = component(&w, "bl"), fw = component(&w, "fw");
    uint32_t modem = component(&w, "modem");
    char name[32], text[32];
    struct {
        const char *name;
        uint32_t component, count;
    } chains[] = {{"bl", bl, 5}, {"fw", fw, 10}, {"modem", modem, 3}};
    for (size_t c = 0; c < COUNT(chains); c++)
        for (uint32_t k = 1; k <= chains[c].count; k++) {
            snprintf(name, sizeof name, "%s-%u", chains[c].name, k);
            uint32_t p = package(&w, name, 100 + k);
            if (k > 1) {
                snprintf(text, sizeof text, ">= %u", k - 1);
                relate(&w, p, R, chains[c].component, text);
            }
            if (chains[c].component == fw && k >= 6)
                relate(&w, p, R, bl, ">= 3");
            snprintf(text, sizeof text, "%u", k);
            relate(&w, p, P, chains[c].component, text);
        }
    uint32_t full = package(&w, "fw-full-8", 900);
    relate(&w, full, R, bl, ">= 5");
    relate(&w, full, P, fw, "8");
    *target = package(&w, "os-20", 1000);
    relate(&w, *target, R, fw, ">= 10");
    relate(&w, *target, X, modem, "< 2");
    *first_noise = w.packages;
    for (uint32_t j = 0; noise && j < 100; j++) {
        snprintf(name, sizeof name, "lib-%u", j);
        uint32_t lib = component(&w, name);
        for (uint32_t k = 1; k <= 29; k++) {
            snprintf(name, sizeof name, "lib-%u-%u", j, k);
            uint32_t p = package(&w, name, 1);
            if (k > 1) {
                snprintf(text, sizeof text, ">= %u", k - 1);
                relate(&w, p, R, lib, text);
            }
            if (k % 7 == 3)
                relate(&w, p, R, fw, ">= 2");
            if (k % 7 == 5)
                relate(&w, p, X, bl, "1");
            snprintf(text, sizeof text, "%u", k);
            relate(&w, p, P, lib, text);
        }
    }
    return finish(&w);
}

static void large_catalog_small_search(void **state)
{
    (void)state;
    uint32_t target = 0, first_noise = 0;
    otaprio_catalog *large = large_catalog(1, &target, &first_noise);
    otaprio_catalog_info info;
    info.size = sizeof info;
    assert_int_equal(otaprio_catalog_get_info(large, &info, NULL), OTAPRIO_OK);
    assert_int_equal(info.package_count, 20 + 2900);
    assert_int_equal(first_noise, 20);
    /* bl-1 .. bl-5 (ids 0-4), fw-full-8 (18), fw-9 (13), fw-10 (14):
     * eight steps, against thirteen up the whole fw chain. */
    static const uint32_t expected[] = {0, 1, 2, 3, 4, 18, 13, 14};
    otaprio_device_state s = bare_device();
    /* The states over bl, fw and modem within eight steps number a few
     * hundred; over every component, the first two levels alone would
     * exceed the limit (a hundred libraries, each installable). */
    const uint64_t limit = 2000;
    uint32_t path[16];
    size_t length = 99;
    uint64_t bytes = 0;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_update_path(large, target, &s, 0, limit, path,
                                             16, &length, &bytes, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("%s", diag.message);
    assert_int_equal(length, COUNT(expected));
    assert_memory_equal(path, expected, sizeof expected);
    assert_int_equal(bytes, 101 + 102 + 103 + 104 + 105 + 900 + 109 + 110);

    /* The same answer, at the same cost, without the noise: the limit that
     * the small catalog needs exactly is enough for the large one. */
    uint32_t small_target = 0;
    otaprio_catalog *small = large_catalog(0, &small_target, &first_noise);
    assert_int_equal(small_target, target);
    uint64_t needed = 1;
    while (otaprio_catalog_update_path(small, target, &s, 0, needed, NULL, 0,
                                       &length, NULL, NULL) == OTAPRIO_E_LIMIT)
        needed++;
    assert_true(needed < limit);
    uint32_t small_path[16];
    assert_int_equal(otaprio_catalog_update_path(small, target, &s, 0, needed,
                                                 small_path, 16, &length, NULL,
                                                 NULL),
                     OTAPRIO_OK);
    assert_memory_equal(small_path, expected, sizeof expected);
    assert_int_equal(otaprio_catalog_update_path(large, target, &s, 0, needed,
                                                 path, 16, &length, NULL, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(path, expected, sizeof expected);
    assert_int_equal(otaprio_catalog_update_path(large, target, &s, 0,
                                                 needed - 1, path, 16, &length,
                                                 NULL, NULL),
                     OTAPRIO_E_LIMIT);
    otaprio_catalog_free(small);
    otaprio_catalog_free(large);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(irrelevant_packages_cost_no_state),
        cmocka_unit_test(large_catalog_small_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
