/* SPDX-License-Identifier: MIT */
/*
 * Every allocation of the catalog fails in turn: building it (builder
 * operations and the build), and each query that allocates (release order
 * with its cycle named, impact on packages and devices, update paths,
 * dependency chains). Each failure returns OTAPRIO_E_NOMEM, leaves the
 * caller's outputs as they were and leaks nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "catalog_fixture.h"

static int build_only(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_catalog *catalog = NULL;
    int status = fixture_catalog(allocator, &catalog);
    if (status != OTAPRIO_OK) {
        assert_null(catalog);
        return status;
    }
    otaprio_catalog_info info;
    info.size = sizeof info;
    assert_int_equal(otaprio_catalog_get_info(catalog, &info, NULL),
                     OTAPRIO_OK);
    assert_int_equal(info.package_count, FX_PACKAGES);
    assert_int_equal(info.version_count, 11);
    otaprio_catalog_free(catalog);
    return OTAPRIO_OK;
}

static void building_survives_every_failure(void **state)
{
    (void)state;
    assert_true(alloc_fail_sweep(build_only, NULL, OTAPRIO_E_NOMEM) > 20);
}

/* A query run on a catalog built with the same failing allocator. */
typedef int (*query_fn)(const otaprio_catalog *catalog);

static int with_catalog(const otaprio_allocator *allocator, void *ctx)
{
    query_fn query = *(query_fn *)ctx;
    otaprio_catalog *catalog = NULL;
    int status = fixture_catalog(allocator, &catalog);
    if (status != OTAPRIO_OK)
        return status;
    status = query(catalog);
    otaprio_catalog_free(catalog);
    return status;
}

static void sweep(query_fn query)
{
    assert_true(alloc_fail_sweep(with_catalog, &query, OTAPRIO_E_NOMEM) > 0);
}

static int release_order(const otaprio_catalog *catalog)
{
    uint32_t order[FX_PACKAGES];
    memset(order, 0xEE, sizeof order);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_release_order(catalog, order, &diag);
    if (status != OTAPRIO_OK) {
        assert_int_equal(diag.status, status);
        assert_int_equal(order[0], 0xEEEEEEEE);
        return status;
    }
    assert_int_equal(order[0], 0);
    return OTAPRIO_OK;
}

static int impact(const otaprio_catalog *catalog)
{
    uint8_t marks[FX_PACKAGES];
    memset(marks, 7, sizeof marks);
    uint64_t count = 99;
    int status = otaprio_catalog_impact(catalog, FX_BOOTLOADER, "3", 1, marks,
                                        &count, NULL);
    if (status != OTAPRIO_OK) {
        assert_int_equal(marks[0], 7);
        assert_int_equal(count, 99);
        return status;
    }
    assert_int_equal(count, 6);
    return OTAPRIO_OK;
}

static int impact_devices(const otaprio_catalog *catalog)
{
    fx_fleet fleet;
    otaprio_device_state devices;
    fixture_fleet(&fleet, &devices);
    uint8_t marks[FX_DEVICES];
    memset(marks, 7, sizeof marks);
    uint64_t count = 99;
    int status = otaprio_catalog_impact_devices(catalog, FX_MODEM, "< 3", 3,
                                                &devices, marks, &count, NULL);
    if (status != OTAPRIO_OK) {
        assert_int_equal(marks[0], 7);
        assert_int_equal(count, 99);
        return status;
    }
    assert_int_equal(count, 3);
    return OTAPRIO_OK;
}

static int update_path(const otaprio_catalog *catalog)
{
    fx_fleet fleet;
    otaprio_device_state devices;
    fixture_fleet(&fleet, &devices);
    uint32_t path[4] = {77, 77, 77, 77};
    size_t length = 99;
    uint64_t bytes = 99;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_update_path(catalog, FX_APP_2, &devices, 0, 0,
                                             path, 4, &length, &bytes, &diag);
    if (status != OTAPRIO_OK) {
        assert_int_equal(diag.status, status);
        assert_int_equal(path[0], 77);
        assert_int_equal(length, 99);
        assert_int_equal(bytes, 99);
        return status;
    }
    assert_int_equal(length, 3);
    assert_int_equal(bytes, 810);
    return OTAPRIO_OK;
}

static int chain_components(const otaprio_catalog *catalog)
{
    uint32_t components[4] = {9, 9, 9, 9};
    size_t count = 99;
    int status = otaprio_catalog_chain_components(catalog, FX_OS_15, components,
                                                  4, &count, NULL);
    if (status != OTAPRIO_OK) {
        assert_int_equal(components[0], 9);
        assert_int_equal(count, 99);
        return status;
    }
    assert_int_equal(count, 2);
    return OTAPRIO_OK;
}

static void queries_survive_every_failure(void **state)
{
    (void)state;
    sweep(release_order);
    sweep(impact);
    sweep(impact_devices);
    sweep(update_path);
    sweep(chain_components);
}

/* A cyclic catalog: naming the cycle allocates too. */
static int cyclic_release_order(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_catalog_builder *b = NULL;
    int status = otaprio_catalog_builder_create(allocator, &b, NULL);
    if (status != OTAPRIO_OK)
        return status;
    static const char *const names[] = {"alpha", "beta"};
    for (uint32_t i = 0; status == OTAPRIO_OK && i < 2; i++) {
        otaprio_package p;
        otaprio_package_init(&p);
        p.name = names[i];
        p.name_length = strlen(names[i]);
        status = otaprio_catalog_add_package(b, &p, NULL, NULL);
    }
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_component(b, "x", 1, NULL, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_component(b, "y", 1, NULL, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, 0, FX_R, 0, ">= 2", 4, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, 0, FX_P, 1, "1", 1, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, 1, FX_R, 1, "1", 1, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, 1, FX_P, 0, "2", 1, NULL);
    otaprio_catalog *catalog = NULL;
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_build(b, &catalog, NULL);
    otaprio_catalog_builder_free(b);
    if (status != OTAPRIO_OK)
        return status;
    uint32_t order[2] = {77, 77};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    status = otaprio_catalog_release_order(catalog, order, &diag);
    otaprio_catalog_free(catalog);
    assert_int_equal(order[0], 77);
    if (status == OTAPRIO_E_CYCLE) {
        assert_non_null(strstr(diag.message, "alpha"));
        return OTAPRIO_OK; /* the expected answer */
    }
    return status;
}

static void naming_a_cycle_survives_every_failure(void **state)
{
    (void)state;
    assert_true(alloc_fail_sweep(cyclic_release_order, NULL, OTAPRIO_E_NOMEM) >
                10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(building_survives_every_failure),
        cmocka_unit_test(queries_survive_every_failure),
        cmocka_unit_test(naming_a_cycle_survives_every_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
