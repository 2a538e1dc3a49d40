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
    /* bootloader 3: provided by 0, admitted by the requirements of 1, 2
     * and 5; 4, 6, 7 inherit it along the graph. */
    static const uint8_t bootloader3[FX_PACKAGES] = {1, 1, 1, 0, 2, 1, 2, 2, 0};
    assert_int_equal(otaprio_catalog_impact(catalog, FX_BOOTLOADER, "== 3", 4,
                                            marks, &count, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(marks, bootloader3, sizeof marks);
    assert_int_equal(count, 7);
    /* modem below 3: modem-2 provides 2.0, modem-3 requires >= 2.0;
     * app-2 only conflicts with flawed modems, and inherits through
     * modem-3. The full image provides 3.0: untouched. */
    static const uint8_t modem[FX_PACKAGES] = {0, 0, 1, 0, 1, 0, 0, 2, 0};
    assert_int_equal(
        otaprio_catalog_impact(catalog, FX_MODEM, "<3", 2, marks, &count, NULL),
        OTAPRIO_OK);
    assert_memory_equal(marks, modem, sizeof marks);
    assert_int_equal(count, 3);
    /* A flaw in versions no package mentions hits nothing. */
    assert_int_equal(
        otaprio_catalog_impact(catalog, FX_OS, "< 13", 4, marks, &count, NULL),
        OTAPRIO_OK);
    assert_int_equal(count, 0);
    for (size_t p = 0; p < FX_PACKAGES; p++)
        assert_int_equal(marks[p], 0);

    uint8_t device_marks[FX_DEVICES];
    /* modem < 3: d0, d1, d5 run one; d2 and d4 run modem 3.0, which the
     * hit modem-3 provides. */
    static const uint8_t modem_devices[FX_DEVICES] = {1, 1, 2, 0, 2, 1};
    assert_int_equal(otaprio_catalog_impact_devices(catalog, FX_MODEM, "< 3", 3,
                                                    &devices, device_marks,
                                                    &count, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(device_marks, modem_devices, sizeof device_marks);
    assert_int_equal(count, 5);
    /* bootloader 3: d1, d4, d5 run it; d2 runs bootloader 4, provided by
     * the hit bootloader-4. */
    static const uint8_t bl_devices[FX_DEVICES] = {0, 1, 2, 0, 1, 1};
    assert_int_equal(otaprio_catalog_impact_devices(catalog, FX_BOOTLOADER, "3",
                                                    1, &devices, device_marks,
                                                    &count, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(device_marks, bl_devices, sizeof device_marks);
    assert_int_equal(count, 4);
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
        cmocka_unit_test(release_order_is_kahns_fifo_order),
        cmocka_unit_test(impact_of_flawed_versions),
        cmocka_unit_test(eligibility_masks_and_first_failures),
        cmocka_unit_test(unknown_predicate_columns_fail_their_rules),
        cmocka_unit_test(update_paths),
        cmocka_unit_test(path_limits_and_capacity),
        cmocka_unit_test(dependency_chains),
        cmocka_unit_test(block_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
