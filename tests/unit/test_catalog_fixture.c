/* SPDX-License-Identifier: MIT */
/*
 * The catalog on a realistic fixture (catalog_fixture.h), against answers
 * worked out by hand from the header's rules: counts and lookups, the
 * package graph and release order, impact on packages and devices,
 * eligibility masks with the first failing relation, update paths and
 * dependency chains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog_fixture.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

enum {
    Q = OTAPRIO_BLOCK_REQUIREMENT,
    X = OTAPRIO_BLOCK_CONFLICT,
    CA = OTAPRIO_BLOCK_CARRIER,
    RG = OTAPRIO_BLOCK_REGION,
    LG = OTAPRIO_BLOCK_LEGAL,
    EN = OTAPRIO_BLOCK_ENROLLMENT,
    BA = OTAPRIO_BLOCK_BATTERY,
    ST = OTAPRIO_BLOCK_STORAGE,
    ME = OTAPRIO_BLOCK_METERED,
    CU = OTAPRIO_BLOCK_CURRENT
};

#define NO UINT32_MAX

static otaprio_catalog *catalog;
static fx_fleet fleet;
static otaprio_device_state devices;

static int setup(void **state)
{
    (void)state;
    fixture_fleet(&fleet, &devices);
    return fixture_catalog(NULL, &catalog) == OTAPRIO_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    otaprio_catalog_free(catalog);
    return 0;
}

/* A small catalog of its own: components with the versions devices
 * report, and packages whose relations name components by id. */
typedef struct mini_package {
    const char *name;
    fx_relation relations[3];
    size_t relation_count;
} mini_package;

static otaprio_catalog *mini_catalog(const char *const *components,
                                     const char *const (*versions)[3],
                                     uint32_t component_count,
                                     const mini_package *packages,
                                     uint32_t package_count)
{
    otaprio_catalog_builder *b = NULL;
    assert_int_equal(otaprio_catalog_builder_create(NULL, &b, NULL),
                     OTAPRIO_OK);
    for (uint32_t c = 0; c < component_count; c++) {
        assert_int_equal(otaprio_catalog_add_component(b, components[c],
                                                       strlen(components[c]),
                                                       NULL, NULL),
                         OTAPRIO_OK);
        for (int v = 0; v < 3 && versions[c][v] != NULL; v++)
            assert_int_equal(otaprio_catalog_add_version(b, c, versions[c][v],
                                                         strlen(versions[c][v]),
                                                         NULL, NULL),
                             OTAPRIO_OK);
    }
    for (uint32_t p = 0; p < package_count; p++) {
        const mini_package *m = &packages[p];
        otaprio_package package;
        otaprio_package_init(&package);
        package.name = m->name;
        package.name_length = strlen(m->name);
        assert_int_equal(otaprio_catalog_add_package(b, &package, NULL, NULL),
                         OTAPRIO_OK);
        for (size_t r = 0; r < m->relation_count; r++)
            assert_int_equal(
                otaprio_catalog_add_relation(
                    b, p, m->relations[r].kind, m->relations[r].component,
                    m->relations[r].text, strlen(m->relations[r].text), NULL),
                OTAPRIO_OK);
    }
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(b);
    return c;
}

/* Asserts the package graph's edges, as (from, to) pairs in order. */
static void assert_edges(const otaprio_catalog *c, const uint32_t (*edges)[2],
                         size_t count)
{
    const otaprio_graph *graph = otaprio_catalog_graph(c);
    assert_int_equal(otaprio_graph_edge_count(graph), count);
    size_t e = 0;
    for (uint32_t p = 0; p < otaprio_graph_node_count(graph); p++) {
        uint32_t out[8];
        size_t n = 0;
        assert_int_equal(otaprio_graph_neighbours(graph, p,
                                                  OTAPRIO_DIRECTION_FORWARD,
                                                  out, 8, &n, NULL),
                         OTAPRIO_OK);
        for (size_t i = 0; i < n; i++, e++) {
            assert_true(e < count);
            assert_int_equal(edges[e][0], p);
            assert_int_equal(edges[e][1], out[i]);
        }
    }
}

static void counts_and_lookups(void **state)
{
    (void)state;
    otaprio_catalog_info info;
    info.size = sizeof info;
    assert_int_equal(otaprio_catalog_get_info(catalog, &info, NULL),
                     OTAPRIO_OK);
    assert_int_equal(info.component_count, 4);
    assert_int_equal(info.package_count, 9);
    /* Provided "3", "3.0.0" and bounds like "v3" are values already
     * known: no new versions. */
    assert_int_equal(info.version_count, 11);
    assert_int_equal(info.relation_count, 18);

    uint32_t id = 99;
    assert_int_equal(otaprio_catalog_component_id(catalog, "os", 2, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, FX_OS);
    assert_int_equal(
        otaprio_catalog_package_id(catalog, "modem-3-full", 12, &id, NULL),
        OTAPRIO_OK);
    assert_int_equal(id, FX_MODEM_3_FULL);
    static const struct {
        uint32_t component;
        const char *text;
        uint32_t id;
    } values[] = {{FX_MODEM, "3", 2},         {FX_MODEM, "v3.0.0", 2},
                  {FX_MODEM, "03.00", 2},     {FX_BOOTLOADER, "2.0", 0},
                  {FX_OS, "V15", 2},          {FX_APP, "1", 0},
                  {FX_BOOTLOADER, "4.0.0", 2}};
    for (size_t i = 0; i < COUNT(values); i++) {
        id = 99;
        assert_int_equal(otaprio_catalog_version_id(
                             catalog, values[i].component, values[i].text,
                             strlen(values[i].text), &id, NULL),
                         OTAPRIO_OK);
        assert_int_equal(id, values[i].id);
    }
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    id = 99;
    assert_int_equal(
        otaprio_catalog_version_id(catalog, FX_MODEM, "4.0", 3, &id, &diag),
        OTAPRIO_E_NOT_FOUND);
    assert_int_equal(id, 99);
    assert_int_equal(
        otaprio_catalog_version_id(catalog, FX_MODEM, "3.0-rc1", 7, &id, NULL),
        OTAPRIO_E_NOT_FOUND);
    assert_int_equal(
        otaprio_catalog_package_id(catalog, "modem-4", 7, &id, &diag),
        OTAPRIO_E_NOT_FOUND);
    assert_string_equal(diag.field, "name");
    assert_int_equal(otaprio_catalog_component_id(catalog, "OS", 2, &id, NULL),
                     OTAPRIO_E_NOT_FOUND);

    const char *text = NULL;
    size_t length = 0;
    assert_int_equal(otaprio_catalog_name(catalog, OTAPRIO_NAME_PACKAGE, 0,
                                          FX_APP_2, &text, &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 5);
    assert_memory_equal(text, "app-2", 5);
    assert_int_equal(otaprio_catalog_name(catalog, OTAPRIO_NAME_COMPONENT, 77,
                                          FX_MODEM, &text, &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 5);
    assert_memory_equal(text, "modem", 5);
    /* A version's text as first given. */
    assert_int_equal(otaprio_catalog_name(catalog, OTAPRIO_NAME_VERSION,
                                          FX_MODEM, 2, &text, &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 3);
    assert_memory_equal(text, "3.0", 3);
}

static void package_graph_has_the_unlocking_edges(void **state)
{
    (void)state;
    /* p -> q when p provides the lowest version some other package
     * provides that a requirement of q admits. */
    static const uint32_t successors[FX_PACKAGES][3] = {
        {FX_BOOTLOADER_4, FX_MODEM_2, FX_OS_14}, /* bootloader-3 */
        {0},
        {FX_MODEM_3},
        {FX_APP_2}, /* both modem-3 images unlock app-2 */
        {FX_APP_2},
        {FX_OS_15, FX_APP_2},
        {0},
        {0},
        {0}};
    static const size_t counts[FX_PACKAGES] = {3, 0, 1, 1, 1, 2, 0, 0, 0};
    const otaprio_graph *graph = otaprio_catalog_graph(catalog);
    assert_non_null(graph);
    assert_int_equal(otaprio_graph_node_count(graph), FX_PACKAGES);
    assert_int_equal(otaprio_graph_edge_count(graph), 8);
    for (uint32_t p = 0; p < FX_PACKAGES; p++) {
        uint32_t out[FX_PACKAGES];
        size_t count = 99;
        assert_int_equal(
            otaprio_graph_neighbours(graph, p, OTAPRIO_DIRECTION_FORWARD, out,
                                     FX_PACKAGES, &count, NULL),
            OTAPRIO_OK);
        assert_int_equal(count, counts[p]);
        for (size_t i = 0; i < count; i++)
            assert_int_equal(out[i], successors[p][i]);
    }
    assert_null(otaprio_catalog_graph(NULL));
}

static void upgrade_steps_are_not_unlocked_by_later_ones(void **state)
{
    (void)state;
    static const char *const names[] = {"fw"};
    static const char *const versions[][3] = {{"0.9", NULL, NULL}};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    /* The reproducer: fw-2 needs fw >= 1 and gives fw 2; fw-3 needs
     * fw >= 2 and gives fw 3. fw-3 must not become fw-2's prerequisite:
     * fw-2 provides the lowest version its own requirement admits. */
    static const mini_package pair[] = {
        {"fw-2", {{FX_R, 0, ">= 1"}, {FX_P, 0, "2"}}, 2},
        {"fw-3", {{FX_R, 0, ">= 2"}, {FX_P, 0, "3"}}, 2}};
    otaprio_catalog *c = mini_catalog(names, versions, 1, pair, 2);
    static const uint32_t pair_edges[][2] = {{0, 1}};
    assert_edges(c, pair_edges, 1);
    uint32_t order[4] = {77, 77, 77, 77};
    int status = otaprio_catalog_release_order(c, order, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("release order: %s", diag.message);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    otaprio_catalog_free(c);

    /* A natural chain from the factory version 0.9, which no package
     * provides: fw-1 -> fw-2 -> fw-3 and nothing else. */
    static const mini_package chain[] = {
        {"fw-1", {{FX_R, 0, ">= 0.9"}, {FX_P, 0, "1"}}, 2},
        {"fw-2", {{FX_R, 0, ">= 1"}, {FX_P, 0, "2"}}, 2},
        {"fw-3", {{FX_R, 0, ">= 2"}, {FX_P, 0, "3"}}, 2}};
    c = mini_catalog(names, versions, 1, chain, 3);
    static const uint32_t chain_edges[][2] = {{0, 1}, {1, 2}};
    assert_edges(c, chain_edges, 2);
    status = otaprio_catalog_release_order(c, order, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("release order: %s", diag.message);
    static const uint32_t chain_order[] = {0, 1, 2};
    assert_memory_equal(order, chain_order, sizeof chain_order);
    otaprio_catalog_free(c);

    /* Two variants of one step (say, per carrier) provide the same
     * version: neither is the other's prerequisite, and both unlock the
     * next step. */
    static const mini_package variants[] = {
        {"fw-2-a", {{FX_R, 0, ">= 1"}, {FX_P, 0, "2"}}, 2},
        {"fw-2-b", {{FX_R, 0, ">= 1"}, {FX_P, 0, "2"}}, 2},
        {"fw-3", {{FX_R, 0, ">= 2"}, {FX_P, 0, "3"}}, 2}};
    c = mini_catalog(names, versions, 1, variants, 3);
    static const uint32_t variant_edges[][2] = {{0, 2}, {1, 2}};
    assert_edges(c, variant_edges, 2);
    assert_int_equal(otaprio_catalog_release_order(c, order, NULL), OTAPRIO_OK);
    otaprio_catalog_free(c);
}

static void release_order_is_kahns_fifo_order(void **state)
{
    (void)state;
    /* Sources 0, 3, 8 first; then what each frees, in queue order. */
    static const uint32_t expected[FX_PACKAGES] = {0, 3, 8, 1, 2, 5, 4, 6, 7};
    uint32_t order[FX_PACKAGES];
    assert_int_equal(otaprio_catalog_release_order(catalog, order, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(order, expected, sizeof expected);
}

static void impact_of_flawed_versions(void **state)
{
    (void)state;
    uint8_t marks[FX_PACKAGES];
    uint64_t count = 0;
    /* bootloader 3: provided by 0, admitted by the requirements of 2 and
     * 5; 4, 6 and 7 inherit it along the graph. bootloader-4 requires it
     * too but replaces it with bootloader 4: it cures the flaw, so it is
     * neither hit nor inherits it. */
    static const uint8_t bootloader3[FX_PACKAGES] = {1, 0, 1, 0, 2, 1, 2, 2, 0};
    assert_int_equal(otaprio_catalog_impact(catalog, FX_BOOTLOADER, "== 3", 4,
                                            marks, &count, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(marks, bootloader3, sizeof marks);
    assert_int_equal(count, 6);
    /* modem below 3: modem-2 provides 2.0. modem-3 requires >= 2.0 but
     * provides 3.0: a cure, so neither it nor app-2 (which only conflicts
     * with flawed modems, and follows modem-3) inherits the flaw. The
     * full image provides 3.0: untouched. */
    static const uint8_t modem[FX_PACKAGES] = {0, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_int_equal(
        otaprio_catalog_impact(catalog, FX_MODEM, "<3", 2, marks, &count, NULL),
        OTAPRIO_OK);
    assert_memory_equal(marks, modem, sizeof marks);
    assert_int_equal(count, 1);
    /* A flaw in versions no package mentions hits nothing. */
    assert_int_equal(
        otaprio_catalog_impact(catalog, FX_OS, "< 13", 4, marks, &count, NULL),
        OTAPRIO_OK);
    assert_int_equal(count, 0);
    for (size_t p = 0; p < FX_PACKAGES; p++)
        assert_int_equal(marks[p], 0);

    uint8_t device_marks[FX_DEVICES];
    /* modem < 3: d0, d1, d5 run one; d2 and d4 run modem 3.0, which only
     * cures (modem-3, the full image) provide. */
    static const uint8_t modem_devices[FX_DEVICES] = {1, 1, 0, 0, 0, 1};
    assert_int_equal(otaprio_catalog_impact_devices(catalog, FX_MODEM, "< 3", 3,
                                                    &devices, device_marks,
                                                    &count, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(device_marks, modem_devices, sizeof device_marks);
    assert_int_equal(count, 3);
    /* bootloader 3: d1, d4, d5 run it; d2 runs bootloader 4 from the cure
     * bootloader-4, but also os 15 and app 2.0, which os-15 and app-2
     * (inheriting the flaw) provide. */
    static const uint8_t bl_devices[FX_DEVICES] = {0, 1, 2, 0, 1, 1};
    assert_int_equal(otaprio_catalog_impact_devices(catalog, FX_BOOTLOADER, "3",
                                                    1, &devices, device_marks,
                                                    &count, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(device_marks, bl_devices, sizeof device_marks);
    assert_int_equal(count, 4);
}

static void cures_are_not_victims(void **state)
{
    (void)state;
    /* A delta from os 11.2 to 12.0 requires the flawed version but
     * replaces it: with the flaw os < 12 it is the cure. The app that
     * needs os >= 12 depends on the cure only; the one that runs on
     * os >= 11 admits the flawed versions. */
    static const char *const names[] = {"os", "app"};
    static const char *const versions[][3] = {{"11.2", "12.0", NULL},
                                              {"4", "5", NULL}};
    static const mini_package packages[] = {
        {"os-12.0-delta", {{FX_R, 0, "11.2"}, {FX_P, 0, "12.0"}}, 2},
        {"app-5", {{FX_R, 0, ">= 12"}, {FX_P, 1, "5"}}, 2},
        {"app-4", {{FX_R, 0, ">= 11"}, {FX_P, 1, "4"}}, 2}};
    otaprio_catalog *c = mini_catalog(names, versions, 2, packages, 3);
    /* Nothing provides 11.2: the delta is the earliest release of what
     * both apps require. */
    static const uint32_t edges[][2] = {{0, 1}, {0, 2}};
    assert_edges(c, edges, 2);
    uint8_t marks[3] = {9, 9, 9};
    uint64_t count = 99;
    assert_int_equal(
        otaprio_catalog_impact(c, 0, "< 12", 4, marks, &count, NULL),
        OTAPRIO_OK);
    static const uint8_t expected[3] = {0, 0, 1};
    assert_memory_equal(marks, expected, sizeof marks);
    assert_int_equal(count, 1);
    /* A flaw in the version the delta provides hits it, and both apps,
     * whose requirements admit that version. */
    assert_int_equal(
        otaprio_catalog_impact(c, 0, "12.0", 4, marks, &count, NULL),
        OTAPRIO_OK);
    static const uint8_t in_the_cure[3] = {1, 1, 1};
    assert_memory_equal(marks, in_the_cure, sizeof marks);
    assert_int_equal(count, 3);

    /* Devices: on the flawed 11.2 (1); on 12.0, which only the cure
     * provides (0); on app 4, which the hit app-4 provides (2); on
     * app 5 (0). */
    static const uint32_t os[] = {0, 1, FX_NONE, FX_NONE};
    static const uint32_t app[] = {FX_NONE, FX_NONE, 0, 1};
    const uint32_t *columns[] = {os, app};
    otaprio_device_state d;
    otaprio_device_state_init(&d);
    d.count = 4;
    d.versions = columns;
    d.component_count = 2;
    uint8_t device_marks[4];
    assert_int_equal(otaprio_catalog_impact_devices(c, 0, "< 12", 4, &d,
                                                    device_marks, &count, NULL),
                     OTAPRIO_OK);
    static const uint8_t expected_devices[4] = {1, 0, 2, 0};
    assert_memory_equal(device_marks, expected_devices, sizeof device_marks);
    assert_int_equal(count, 2);
    otaprio_catalog_free(c);

    /* With a full image of the flawed 11.2, hit directly, the walk stops
     * at the delta, which cures the flaw: neither it nor what it unlocks
     * inherits it. */
    const mini_package with_full[] = {packages[0],
                                      packages[1],
                                      packages[2],
                                      {"os-11.2-full", {{FX_P, 0, "11.2"}}, 1}};
    c = mini_catalog(names, versions, 2, with_full, 4);
    uint8_t full_marks[4];
    assert_int_equal(
        otaprio_catalog_impact(c, 0, "< 12", 4, full_marks, &count, NULL),
        OTAPRIO_OK);
    static const uint8_t stopped[4] = {0, 0, 1, 1};
    assert_memory_equal(full_marks, stopped, sizeof full_marks);
    assert_int_equal(count, 2);
    otaprio_catalog_free(c);
}

/* Expected masks, package by package, devices d0..d5. */
static const uint32_t expected_blocks[FX_PACKAGES][FX_DEVICES] = {
    {0, BA | CU, CU, ST, CU, CU},               /* bootloader-3 */
    {Q, 0, CU, Q, 0, 0},                        /* bootloader-4 */
    {Q, CU, CA | CU, Q, CU, CU},                /* modem-2 */
    {0, 0, CA | CU, 0, CU, 0},                  /* modem-3-full */
    {Q, 0, CA | CU, Q, CU, 0},                  /* modem-3 */
    {Q, ST | CU, RG | CU, Q | RG | ST, CU, CU}, /* os-14 */
    {Q, 0, CU, Q, 0, 0},                        /* os-15 */
    {Q | X, Q | ME, EN | LG | CU, Q, 0, Q},     /* app-2 */
    {CU, 0, X | CU, 0, CU, CU},                 /* legacy-app */
};
static const uint32_t expected_first[FX_PACKAGES][FX_DEVICES] = {
    {NO, NO, NO, NO, NO, NO}, {0, NO, NO, 0, NO, NO}, {0, NO, NO, 0, NO, NO},
    {NO, NO, NO, NO, NO, NO}, {0, NO, NO, 0, NO, NO}, {0, NO, NO, 0, NO, NO},
    {0, NO, NO, 0, NO, NO},   {0, 2, NO, 0, NO, 2},   {NO, NO, 0, NO, NO, NO}};
static const uint64_t expected_eligible[FX_PACKAGES] = {1, 3, 0, 4, 2,
                                                        0, 3, 1, 2};

static void eligibility_masks_and_first_failures(void **state)
{
    (void)state;
    for (uint32_t p = 0; p < FX_PACKAGES; p++) {
        uint32_t blocks[FX_DEVICES], first[FX_DEVICES];
        uint64_t eligible = 99;
        assert_int_equal(otaprio_catalog_check_devices(catalog, p, &devices,
                                                       blocks, first, &eligible,
                                                       NULL),
                         OTAPRIO_OK);
        for (int d = 0; d < FX_DEVICES; d++) {
            if (blocks[d] != expected_blocks[p][d] ||
                first[d] != expected_first[p][d])
                fail_msg("package %u device %d: blocks %#x first %u, "
                         "expected %#x and %u",
                         p, d, blocks[d], first[d], expected_blocks[p][d],
                         expected_first[p][d]);
        }
        assert_int_equal(eligible, expected_eligible[p]);
    }
}

static void unknown_predicate_columns_fail_their_rules(void **state)
{
    (void)state;
    /* Without carrier, region and enrollment columns, rules on them fail;
     * without battery, charging, storage and metered columns the defaults
     * apply: mains power, not charging, unlimited storage, not metered. */
    otaprio_device_state bare;
    otaprio_device_state_init(&bare);
    bare.count = FX_DEVICES;
    bare.versions = fleet.columns;
    bare.component_count = FX_COMPONENTS;
    uint32_t blocks[FX_DEVICES];
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_APP_2, &bare,
                                                   blocks, NULL, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[4], EN | LG);
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_BOOTLOADER_3,
                                                   &bare, blocks, NULL, NULL,
                                                   NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[0], 0);
    assert_int_equal(blocks[3], 0);
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_MODEM_3_FULL,
                                                   &bare, blocks, NULL, NULL,
                                                   NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[0], CA);
    /* No version columns at all: nothing installed anywhere. */
    bare.versions = NULL;
    bare.component_count = 0;
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_LEGACY_APP,
                                                   &bare, blocks, NULL, NULL,
                                                   NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[0], 0);
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_OS_15, &bare,
                                                   blocks, NULL, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[0], Q);
}

static void unknown_codes_fail_their_rules_like_null_columns(void **state)
{
    (void)state;
    /* The fleet with one attribute unknown on some devices, against the
     * same devices with that whole column NULL. */
    enum { CARRIER, REGION, ENROLLMENT };
    for (int attribute = CARRIER; attribute <= ENROLLMENT; attribute++) {
        fx_fleet f;
        otaprio_device_state unknown, null;
        fixture_fleet(&f, &unknown);
        fixture_fleet(&f, &null);
        uint32_t *column = attribute == CARRIER  ? f.carrier
                           : attribute == REGION ? f.region
                                                 : f.enrollment;
        for (int d = 0; d < FX_DEVICES; d++)
            column[d] = OTAPRIO_CODE_UNKNOWN;
        if (attribute == CARRIER)
            null.carrier = NULL;
        else if (attribute == REGION)
            null.region = NULL;
        else
            null.enrollment = NULL;
        for (uint32_t p = 0; p < FX_PACKAGES; p++) {
            uint32_t a[FX_DEVICES], b[FX_DEVICES];
            assert_int_equal(otaprio_catalog_check_devices(catalog, p, &unknown,
                                                           a, NULL, NULL, NULL),
                             OTAPRIO_OK);
            assert_int_equal(otaprio_catalog_check_devices(catalog, p, &null, b,
                                                           NULL, NULL, NULL),
                             OTAPRIO_OK);
            assert_memory_equal(a, b, sizeof a);
        }
    }
    /* One device at a time, beside known ones: d4 can take app-2, but not
     * with its region or enrollment unknown, and not modem-3-full with
     * its carrier unknown. */
    fx_fleet f;
    otaprio_device_state s;
    fixture_fleet(&f, &s);
    f.region[4] = OTAPRIO_CODE_UNKNOWN;
    f.enrollment[5] = OTAPRIO_CODE_UNKNOWN;
    f.carrier[0] = OTAPRIO_CODE_UNKNOWN;
    uint32_t blocks[FX_DEVICES];
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_APP_2, &s,
                                                   blocks, NULL, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[4], LG);
    assert_int_equal(blocks[5], Q | EN);
    assert_int_equal(blocks[0], Q | X); /* no carrier rule: unchanged */
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_OS_14, &s,
                                                   blocks, NULL, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[4], RG | CU);
    assert_int_equal(otaprio_catalog_check_devices(catalog, FX_MODEM_3_FULL, &s,
                                                   blocks, NULL, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(blocks[0], CA);
    assert_int_equal(blocks[5], 0);
    /* No installing cures an unknown value. */
    size_t length = 99;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_catalog_update_path(catalog, FX_APP_2, &s, 4, 0,
                                                 NULL, 0, &length, NULL, &diag),
                     OTAPRIO_E_NOT_FOUND);
    assert_non_null(strstr(diag.message, "legal"));
    assert_int_equal(length, 99);
}

static void long_lists_and_chunks_with_unknown_codes(void **state)
{
    (void)state;
    /* Lists longer than the short-list scan, chunks longer than a tile:
     * every third device has unknown codes. */
    enum { CODES = 20, DEVICES = 1300 };
    uint32_t carriers[CODES], denied[CODES];
    for (uint32_t i = 0; i < CODES; i++) {
        carriers[i] = 2 * i;     /* even carriers */
        denied[i] = 100 + 2 * i; /* even regions from 100 */
    }
    otaprio_catalog_builder *b = NULL;
    assert_int_equal(otaprio_catalog_builder_create(NULL, &b, NULL),
                     OTAPRIO_OK);
    for (int wide = 0; wide < 2; wide++) {
        otaprio_package p;
        otaprio_package_init(&p);
        p.name = wide ? "wide" : "narrow";
        p.name_length = strlen(p.name);
        p.carriers = carriers;
        p.carrier_count = wide ? CODES : 3;
        p.denied_regions = denied;
        p.denied_region_count = wide ? CODES : 3;
        assert_int_equal(otaprio_catalog_add_package(b, &p, NULL, NULL),
                         OTAPRIO_OK);
    }
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(b);
    static uint32_t carrier[DEVICES], region[DEVICES], blocks[DEVICES];
    for (uint32_t d = 0; d < DEVICES; d++) {
        carrier[d] = d % 3 == 0 ? OTAPRIO_CODE_UNKNOWN : d % 8;
        region[d] = d % 3 == 1 ? OTAPRIO_CODE_UNKNOWN : 100 + d % 8;
    }
    otaprio_device_state s;
    otaprio_device_state_init(&s);
    s.count = DEVICES;
    s.carrier = carrier;
    s.region = region;
    for (uint32_t p = 0; p < 2; p++) {
        uint32_t limit = p == 1 ? 2 * CODES : 6; /* past the listed codes */
        uint64_t eligible = 0, expected = 0;
        assert_int_equal(otaprio_catalog_check_devices(c, p, &s, blocks, NULL,
                                                       &eligible, NULL),
                         OTAPRIO_OK);
        for (uint32_t d = 0; d < DEVICES; d++) {
            uint32_t want = 0;
            if (carrier[d] == OTAPRIO_CODE_UNKNOWN || carrier[d] % 2 != 0 ||
                carrier[d] >= limit)
                want |= CA;
            if (region[d] == OTAPRIO_CODE_UNKNOWN ||
                (region[d] % 2 == 0 && region[d] < 100 + limit))
                want |= LG;
            if (blocks[d] != want)
                fail_msg("package %u device %u: blocks %#x, expected %#x", p, d,
                         blocks[d], want);
            expected += want == 0;
        }
        assert_int_equal(eligible, expected);
    }
    otaprio_catalog_free(c);
}

typedef struct path_case {
    uint32_t package;
    size_t device;
    int status;
    size_t length;
    uint32_t path[4];
    uint64_t bytes;
} path_case;

static void update_paths(void **state)
{
    (void)state;
    static const path_case cases[] = {
        /* app-2 from an old device: the bootloader, then the OS and the
         * full modem image. 0,3,5 / 0,5,3 / 3,0,5 all cost 810 bytes;
         * the ids decide. Four steps through modem-2 and modem-3 would be
         * cheaper, but fewer steps come first. */
        {FX_APP_2, 0, OTAPRIO_OK, 3, {0, 3, 5}, 810},
        /* One step either way: the incremental modem is cheaper than the
         * full image, whose id is lower. */
        {FX_APP_2, 5, OTAPRIO_OK, 1, {FX_MODEM_3}, 40},
        {FX_APP_2, 4, OTAPRIO_OK, 0, {0}, 0},
        /* Metered link: no path can cure a predicate. */
        {FX_APP_2, 1, OTAPRIO_E_NOT_FOUND, 0, {0}, 0},
        /* Enrollment and region. */
        {FX_APP_2, 2, OTAPRIO_E_NOT_FOUND, 0, {0}, 0},
        /* d3 may not take bootloader-3 (storage) nor os-14 (region): no
         * OS ever. */
        {FX_APP_2, 3, OTAPRIO_E_NOT_FOUND, 0, {0}, 0},
        {FX_OS_15, 0, OTAPRIO_OK, 2, {FX_BOOTLOADER_3, FX_OS_14}, 310},
        {FX_BOOTLOADER_4, 0, OTAPRIO_OK, 1, {FX_BOOTLOADER_3}, 10},
        {FX_MODEM_3, 0, OTAPRIO_OK, 1, {FX_MODEM_3_FULL}, 500},
        /* Already eligible, and CURRENT is not a requirement. */
        {FX_OS_14, 4, OTAPRIO_OK, 0, {0}, 0},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const path_case *c = &cases[i];
        uint32_t path[8] = {77, 77, 77, 77, 77, 77, 77, 77};
        size_t length = 99;
        uint64_t bytes = 99;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_catalog_update_path(
            catalog, c->package, &devices, c->device, 0, path, COUNT(path),
            &length, &bytes, &diag);
        if (status != c->status)
            fail_msg("case %zu: status %d (%s), expected %d", i, status,
                     diag.message, c->status);
        if (status != OTAPRIO_OK) {
            assert_int_equal(length, 99);
            assert_int_equal(bytes, 99);
            assert_int_equal(path[0], 77);
            continue;
        }
        assert_int_equal(length, c->length);
        assert_memory_equal(path, c->path, c->length * sizeof *path);
        assert_int_equal(path[c->length], 77);
        assert_int_equal(bytes, c->bytes);
    }
}

static void length_zero_means_relations_hold_whatever_current(void **state)
{
    (void)state;
    /* For every package and device of the fixture: a path of length 0
     * exactly when no requirement, conflict or predicate blocks, CURRENT
     * being ignored; devices that are only CURRENT get length 0 too. */
    size_t only_current = 0;
    for (uint32_t p = 0; p < FX_PACKAGES; p++) {
        uint32_t blocks[FX_DEVICES];
        assert_int_equal(otaprio_catalog_check_devices(
                             catalog, p, &devices, blocks, NULL, NULL, NULL),
                         OTAPRIO_OK);
        for (size_t d = 0; d < FX_DEVICES; d++) {
            size_t length = 99;
            int status = otaprio_catalog_update_path(
                catalog, p, &devices, d, 0, NULL, 0, &length, NULL, NULL);
            bool now = (blocks[d] & ~(uint32_t)CU) == 0;
            if (now != (status == OTAPRIO_OK && length == 0))
                fail_msg("package %u device %zu: blocks %#x, status %d, "
                         "length %zu",
                         p, d, blocks[d], status, length);
            only_current += blocks[d] == CU;
        }
    }
    assert_true(only_current >= 3);
}

static void path_limits_and_capacity(void **state)
{
    (void)state;
    uint32_t path[3] = {77, 77, 77};
    size_t length = 99;
    uint64_t bytes = 99;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    /* d0's first level holds two states besides its own. */
    assert_int_equal(otaprio_catalog_update_path(catalog, FX_APP_2, &devices, 0,
                                                 3, path, 3, &length, &bytes,
                                                 &diag),
                     OTAPRIO_E_LIMIT);
    assert_string_equal(diag.field, "max_states");
    assert_int_equal(length, 99);
    assert_int_equal(path[0], 77);
    /* Too small a path: only the length is told. */
    assert_int_equal(otaprio_catalog_update_path(catalog, FX_APP_2, &devices, 0,
                                                 0, path, 2, &length, &bytes,
                                                 &diag),
                     OTAPRIO_E_RANGE);
    assert_int_equal(length, 3);
    assert_int_equal(path[0], 77);
    assert_int_equal(bytes, 99);
    /* Capacity 0 with a NULL path asks for the length. */
    length = 0;
    assert_int_equal(otaprio_catalog_update_path(catalog, FX_APP_2, &devices, 0,
                                                 0, NULL, 0, &length, NULL,
                                                 NULL),
                     OTAPRIO_E_RANGE);
    assert_int_equal(length, 3);
    /* The reason a predicate blocks is told. */
    assert_int_equal(otaprio_catalog_update_path(catalog, FX_APP_2, &devices, 2,
                                                 0, path, 3, &length, NULL,
                                                 &diag),
                     OTAPRIO_E_NOT_FOUND);
    assert_non_null(strstr(diag.message, "legal"));
    assert_non_null(strstr(diag.message, "enrollment"));
}

static void dependency_chains(void **state)
{
    (void)state;
    uint32_t components[FX_COMPONENTS] = {9, 9, 9, 9};
    size_t count = 0;
    /* app-2 depends on os-14, both modem-3 images, modem-2 and
     * bootloader-3: every component. */
    assert_int_equal(otaprio_catalog_chain_components(
                         catalog, FX_APP_2, components, 4, &count, NULL),
                     OTAPRIO_OK);
    assert_int_equal(count, 4);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(components[i], i);
    /* os-15 <- os-14 <- bootloader-3. */
    assert_int_equal(otaprio_catalog_chain_components(
                         catalog, FX_OS_15, components, 4, &count, NULL),
                     OTAPRIO_OK);
    assert_int_equal(count, 2);
    assert_int_equal(components[0], FX_BOOTLOADER);
    assert_int_equal(components[1], FX_OS);
    assert_int_equal(otaprio_catalog_chain_components(
                         catalog, FX_LEGACY_APP, components, 4, &count, NULL),
                     OTAPRIO_OK);
    assert_int_equal(count, 2);
    assert_int_equal(components[0], FX_OS);
    assert_int_equal(components[1], FX_APP);
    /* Asking for the count first. */
    assert_int_equal(otaprio_catalog_chain_components(catalog, FX_APP_2, NULL,
                                                      0, &count, NULL),
                     OTAPRIO_E_RANGE);
    assert_int_equal(count, 4);
}

static void block_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "requirement", "conflict", "carrier", "region",  "legal",
        "enrollment",  "battery",  "storage", "metered", "current"};
    for (uint32_t b = 0; b < COUNT(names); b++)
        assert_string_equal(otaprio_block_name(1u << b), names[b]);
    assert_string_equal(otaprio_block_name(0), "unknown");
    assert_string_equal(otaprio_block_name(3), "unknown");
    assert_string_equal(otaprio_block_name(1u << 10), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_lookups),
        cmocka_unit_test(package_graph_has_the_unlocking_edges),
        cmocka_unit_test(upgrade_steps_are_not_unlocked_by_later_ones),
        cmocka_unit_test(release_order_is_kahns_fifo_order),
        cmocka_unit_test(impact_of_flawed_versions),
        cmocka_unit_test(cures_are_not_victims),
        cmocka_unit_test(eligibility_masks_and_first_failures),
        cmocka_unit_test(unknown_predicate_columns_fail_their_rules),
        cmocka_unit_test(unknown_codes_fail_their_rules_like_null_columns),
        cmocka_unit_test(long_lists_and_chunks_with_unknown_codes),
        cmocka_unit_test(update_paths),
        cmocka_unit_test(length_zero_means_relations_hold_whatever_current),
        cmocka_unit_test(path_limits_and_capacity),
        cmocka_unit_test(dependency_chains),
        cmocka_unit_test(block_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
