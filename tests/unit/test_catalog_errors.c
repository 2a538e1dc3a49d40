/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the catalog: every documented error, with the field and
 * index the diagnostics name, outputs left untouched, and a builder that a
 * failed call did not change.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog_fixture.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static otaprio_diag fresh_diag(void)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    return diag;
}

#define EXPECT(call, status_, field_, index_)                 \
    do {                                                      \
        otaprio_diag diag_ = fresh_diag();                    \
        otaprio_diag *diag = &diag_;                          \
        assert_int_equal((call), (status_));                  \
        assert_int_equal(diag_.status, (status_));            \
        assert_string_equal(diag_.field, (field_));           \
        if ((index_) != -2)                                   \
            assert_int_equal(diag_.index, (int64_t)(index_)); \
    } while (0)

static otaprio_catalog_builder *new_builder(void)
{
    otaprio_catalog_builder *b = NULL;
    assert_int_equal(otaprio_catalog_builder_create(NULL, &b, NULL),
                     OTAPRIO_OK);
    return b;
}

static uint32_t add_package(otaprio_catalog_builder *b, const char *name)
{
    otaprio_package p;
    otaprio_package_init(&p);
    p.name = name;
    p.name_length = strlen(name);
    uint32_t id = 99;
    assert_int_equal(otaprio_catalog_add_package(b, &p, &id, NULL), OTAPRIO_OK);
    return id;
}

static void builder_creation(void **state)
{
    (void)state;
    EXPECT(otaprio_catalog_builder_create(NULL, NULL, diag), OTAPRIO_E_INVALID,
           "builder", -1);
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.size = 4;
    otaprio_catalog_builder *b = (otaprio_catalog_builder *)&allocator;
    assert_int_equal(otaprio_catalog_builder_create(&allocator, &b, NULL),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_ptr_equal(b, (otaprio_catalog_builder *)&allocator);
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = NULL;
    allocator.free_fn = (otaprio_free_fn)NULL;
    allocator.realloc_fn = NULL;
    assert_int_equal(otaprio_catalog_builder_create(&allocator, &b, NULL),
                     OTAPRIO_OK); /* all three NULL: the C library's */
    otaprio_catalog_builder_free(b);
    otaprio_catalog_builder_free(NULL);
    otaprio_catalog_free(NULL);
}

static void component_names(void **state)
{
    (void)state;
    otaprio_catalog_builder *b = new_builder();
    uint32_t id = 99;
    EXPECT(otaprio_catalog_add_component(NULL, "a", 1, &id, diag),
           OTAPRIO_E_INVALID, "builder", -1);
    EXPECT(otaprio_catalog_add_component(b, NULL, 3, &id, diag),
           OTAPRIO_E_INVALID, "name", -1);
    EXPECT(otaprio_catalog_add_component(b, "", 0, &id, diag), OTAPRIO_E_RANGE,
           "name", -1);
    char long_name[OTAPRIO_VERSION_TEXT_MAX + 1];
    memset(long_name, 'n', sizeof long_name);
    EXPECT(otaprio_catalog_add_component(b, long_name, sizeof long_name, &id,
                                         diag),
           OTAPRIO_E_RANGE, "name", -1);
    assert_int_equal(id, 99);
    assert_int_equal(otaprio_catalog_add_component(
                         b, long_name, sizeof long_name - 1, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 0);
    /* Names are bytes: embedded NULs and case count. */
    assert_int_equal(otaprio_catalog_add_component(b, "a\0b", 3, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 1);
    assert_int_equal(otaprio_catalog_add_component(b, "a\0c", 3, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 2);
    assert_int_equal(otaprio_catalog_add_component(b, "a\0b", 3, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 1);
    assert_int_equal(otaprio_catalog_add_component(b, "A\0b", 3, NULL, NULL),
                     OTAPRIO_OK);
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_component_id(c, "a\0c", 3, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 2);
    otaprio_catalog_free(c);
    otaprio_catalog_builder_free(b);
}

static void versions(void **state)
{
    (void)state;
    otaprio_catalog_builder *b = new_builder();
    assert_int_equal(otaprio_catalog_add_component(b, "os", 2, NULL, NULL),
                     OTAPRIO_OK);
    uint32_t id = 99;
    EXPECT(otaprio_catalog_add_version(NULL, 0, "1", 1, &id, diag),
           OTAPRIO_E_INVALID, "builder", -1);
    EXPECT(otaprio_catalog_add_version(b, 1, "1", 1, &id, diag),
           OTAPRIO_E_RANGE, "component", 1);
    EXPECT(otaprio_catalog_add_version(b, 0, NULL, 1, &id, diag),
           OTAPRIO_E_INVALID, "version", -1);
    EXPECT(otaprio_catalog_add_version(b, 0, "1..2", 4, &id, diag),
           OTAPRIO_E_SYNTAX, "version", 2);
    EXPECT(otaprio_catalog_add_version(b, 0, "", 0, &id, diag),
           OTAPRIO_E_SYNTAX, "version", 0);
    char long_text[OTAPRIO_VERSION_TEXT_MAX + 1];
    memset(long_text, '1', sizeof long_text);
    EXPECT(otaprio_catalog_add_version(b, 0, long_text, sizeof long_text, &id,
                                       diag),
           OTAPRIO_E_RANGE, "version", -2);
    assert_int_equal(id, 99);
    /* One value, many spellings, one id. */
    static const char *const spellings[] = {"1.2", "1.2.0", "v1.02",
                                            "V01.2.0.0", "1.2"};
    for (size_t i = 0; i < COUNT(spellings); i++) {
        assert_int_equal(otaprio_catalog_add_version(b, 0, spellings[i],
                                                     strlen(spellings[i]), &id,
                                                     NULL),
                         OTAPRIO_OK);
        assert_int_equal(id, 0);
    }
    /* Distinct values: a pre-release, build metadata, a letter. */
    static const char *const others[] = {"1.2-rc1", "1.2+b7", "1.2a",
                                         "1.2-rc1.0"};
    for (size_t i = 0; i < COUNT(others); i++) {
        assert_int_equal(otaprio_catalog_add_version(
                             b, 0, others[i], strlen(others[i]), &id, NULL),
                         OTAPRIO_OK);
        assert_int_equal(id, i + 1);
    }
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_info info;
    info.size = sizeof info;
    assert_int_equal(otaprio_catalog_get_info(c, &info, NULL), OTAPRIO_OK);
    assert_int_equal(info.version_count, 5);
    const char *text;
    size_t length;
    assert_int_equal(otaprio_catalog_name(c, OTAPRIO_NAME_VERSION, 0, 0, &text,
                                          &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 3);
    assert_memory_equal(text, "1.2", 3);
    id = 99;
    EXPECT(otaprio_catalog_version_id(c, 0, "1.2-", 4, &id, diag),
           OTAPRIO_E_SYNTAX, "version", -2);
    EXPECT(otaprio_catalog_version_id(c, 3, "1", 1, &id, diag), OTAPRIO_E_RANGE,
           "component", 3);
    EXPECT(otaprio_catalog_version_id(c, 0, "1.3", 3, &id, diag),
           OTAPRIO_E_NOT_FOUND, "version", -1);
    EXPECT(otaprio_catalog_version_id(c, 0, "1", 1, NULL, diag),
           OTAPRIO_E_INVALID, "version_id", -1);
    assert_int_equal(id, 99);
    otaprio_catalog_free(c);
    otaprio_catalog_builder_free(b);
}

static void packages(void **state)
{
    (void)state;
    otaprio_catalog_builder *b = new_builder();
    otaprio_package p;
    otaprio_package_init(&p);
    assert_int_equal(p.allow_metered, 1);
    assert_true(p.min_battery == 0.0f);
    assert_null(p.name);
    uint32_t id = 99;
    EXPECT(otaprio_catalog_add_package(b, NULL, &id, diag), OTAPRIO_E_INVALID,
           "package", -1);
    EXPECT(otaprio_catalog_add_package(NULL, &p, &id, diag), OTAPRIO_E_INVALID,
           "builder", -1);
    EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_RANGE,
           "name", -1);
    p.name = "os-14";
    p.name_length = 5;
    p.size = 8;
    EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_STRUCT_SIZE,
           "size", -1);
    p.size = sizeof p;
    static const float bad_battery[] = {-0.01f, 1.01f, (float)NAN,
                                        (float)INFINITY};
    for (size_t i = 0; i < COUNT(bad_battery); i++) {
        p.min_battery = bad_battery[i];
        EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_RANGE,
               "min_battery", -1);
    }
    p.min_battery = 1.0f;
    p.allow_metered = 2;
    EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_RANGE,
           "allow_metered", -1);
    p.allow_metered = 0;
    p.region_count = 2;
    EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_INVALID,
           "regions", -1);
    p.region_count = 0;
    p.enrollment_count = 1;
    EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_INVALID,
           "enrollments", -1);
    p.enrollment_count = 0;
    /* OTAPRIO_CODE_UNKNOWN stands for a device's unknown value: it is in
     * no package's list. The field names the list, the index the place. */
    static const uint32_t with_unknown[] = {4, 5, OTAPRIO_CODE_UNKNOWN, 6};
    static const char *const list_fields[] = {"carriers", "regions",
                                              "denied_regions", "enrollments"};
    for (int l = 0; l < 4; l++) {
        otaprio_package q = p;
        const uint32_t **list = l == 0   ? &q.carriers
                                : l == 1 ? &q.regions
                                : l == 2 ? &q.denied_regions
                                         : &q.enrollments;
        size_t *count = l == 0   ? &q.carrier_count
                        : l == 1 ? &q.region_count
                        : l == 2 ? &q.denied_region_count
                                 : &q.enrollment_count;
        *list = with_unknown;
        *count = COUNT(with_unknown);
        EXPECT(otaprio_catalog_add_package(b, &q, &id, diag), OTAPRIO_E_RANGE,
               list_fields[l], 2);
        /* Up to the unknown code, the list is fine. */
        *count = 2;
        q.name = list_fields[l];
        q.name_length = strlen(q.name);
        uint32_t fine = 99;
        assert_int_equal(otaprio_catalog_add_package(b, &q, &fine, NULL),
                         OTAPRIO_OK);
        assert_int_equal(fine, (uint32_t)l);
    }
    assert_int_equal(id, 99);
    assert_int_equal(otaprio_catalog_add_package(b, &p, &id, NULL), OTAPRIO_OK);
    assert_int_equal(id, 4);
    EXPECT(otaprio_catalog_add_package(b, &p, &id, diag), OTAPRIO_E_DUPLICATE,
           "name", 4);
    assert_int_equal(id, 4);
    /* A newer caller's struct: a zero tail is fine, anything else is a
     * setting this library cannot honour. */
    struct {
        otaprio_package known;
        uint64_t from_the_future;
    } newer;
    memset(&newer, 0, sizeof newer);
    (otaprio_package_init)(&newer.known, sizeof newer);
    newer.known.name = "os-15";
    newer.known.name_length = 5;
    assert_int_equal(otaprio_catalog_add_package(b, &newer.known, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 5);
    newer.known.name = "os-16";
    newer.from_the_future = 1;
    EXPECT(otaprio_catalog_add_package(b, &newer.known, &id, diag),
           OTAPRIO_E_STRUCT_SIZE, "size", -1);
    assert_int_equal(id, 5);
    assert_int_equal((otaprio_package_init)(NULL, sizeof p), OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_package_init)(&p, 4), OTAPRIO_E_STRUCT_SIZE);
    otaprio_device_state s;
    assert_int_equal((otaprio_device_state_init)(&s, 4), OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal((otaprio_device_state_init)(NULL, sizeof s),
                     OTAPRIO_E_INVALID);
    otaprio_catalog_builder_free(b);
}

static void relations(void **state)
{
    (void)state;
    otaprio_catalog_builder *b = new_builder();
    assert_int_equal(otaprio_catalog_add_component(b, "modem", 5, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_version(b, 0, "1", 1, NULL, NULL),
                     OTAPRIO_OK);
    uint32_t p = add_package(b, "modem-2");
    EXPECT(otaprio_catalog_add_relation(NULL, p, 0, 0, "1", 1, diag),
           OTAPRIO_E_INVALID, "builder", -1);
    EXPECT(otaprio_catalog_add_relation(b, 1, 0, 0, "1", 1, diag),
           OTAPRIO_E_RANGE, "package", 1);
    EXPECT(otaprio_catalog_add_relation(b, p, 3, 0, "1", 1, diag),
           OTAPRIO_E_RANGE, "relation", -1);
    EXPECT(otaprio_catalog_add_relation(b, p, -1, 0, "1", 1, diag),
           OTAPRIO_E_RANGE, "relation", -1);
    EXPECT(otaprio_catalog_add_relation(b, p, 0, 1, "1", 1, diag),
           OTAPRIO_E_RANGE, "component", 1);
    EXPECT(otaprio_catalog_add_relation(b, p, 0, 0, NULL, 1, diag),
           OTAPRIO_E_INVALID, "text", -1);
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_REQUIRES, 0,
                                        ">= 1..2", 7, diag),
           OTAPRIO_E_SYNTAX, "text", 5);
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_PROVIDES, 0,
                                        "2.x.", 4, diag),
           OTAPRIO_E_SYNTAX, "text", 4);
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_CONFLICTS, 0,
                                        "> 2, < 1", 8, diag),
           OTAPRIO_E_RANGE, "text", -2);
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_REQUIRES, 0,
                                        ">= 1, < 1", 9, diag),
           OTAPRIO_E_RANGE, "text", -2);
    char long_text[OTAPRIO_VERSION_TEXT_MAX + 1];
    memset(long_text, '1', sizeof long_text);
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_PROVIDES, 0,
                                        long_text, sizeof long_text, diag),
           OTAPRIO_E_RANGE, "text", -2);
    assert_int_equal(otaprio_catalog_add_relation(
                         b, p, OTAPRIO_RELATION_PROVIDES, 0, "2", 1, NULL),
                     OTAPRIO_OK);
    /* A second provided version of the same component. */
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_PROVIDES, 0, "3",
                                        1, diag),
           OTAPRIO_E_DUPLICATE, "component", 0);
    EXPECT(otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_PROVIDES, 0,
                                        "2.0", 3, diag),
           OTAPRIO_E_DUPLICATE, "component", 0);
    /* Bounds become versions: "1.5" is new, ">= 1" is known. */
    assert_int_equal(otaprio_catalog_add_relation(b, p,
                                                  OTAPRIO_RELATION_REQUIRES, 0,
                                                  ">= 1, < v1.5", 12, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_relation(
                         b, p, OTAPRIO_RELATION_CONFLICTS, 0, "*", 1, NULL),
                     OTAPRIO_OK);
    /* The failed calls changed nothing: 1, 2 and 1.5; two relations. */
    otaprio_catalog *c = NULL;
    EXPECT(otaprio_catalog_build(NULL, &c, diag), OTAPRIO_E_INVALID, "builder",
           -1);
    EXPECT(otaprio_catalog_build(b, NULL, diag), OTAPRIO_E_INVALID, "catalog",
           -1);
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_info info;
    info.size = sizeof info;
    assert_int_equal(otaprio_catalog_get_info(c, &info, NULL), OTAPRIO_OK);
    assert_int_equal(info.version_count, 3);
    assert_int_equal(info.relation_count, 3);
    uint32_t id = 99;
    assert_int_equal(otaprio_catalog_version_id(c, 0, "1.5.0", 5, &id, NULL),
                     OTAPRIO_OK);
    assert_int_equal(id, 2);
    const char *text;
    size_t length;
    assert_int_equal(otaprio_catalog_name(c, OTAPRIO_NAME_VERSION, 0, 2, &text,
                                          &length, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 4);
    assert_memory_equal(text, "v1.5", 4);
    otaprio_catalog_free(c);
    otaprio_catalog_builder_free(b);
}

static void queries_on_a_catalog(void **state)
{
    (void)state;
    otaprio_catalog *c = NULL;
    assert_int_equal(fixture_catalog(NULL, &c), OTAPRIO_OK);
    otaprio_catalog_info info;
    memset(&info, 0x5A, sizeof info);
    info.size = 4;
    EXPECT(otaprio_catalog_get_info(c, &info, diag), OTAPRIO_E_STRUCT_SIZE,
           "size", -1);
    EXPECT(otaprio_catalog_get_info(NULL, &info, diag), OTAPRIO_E_INVALID,
           "catalog", -1);
    EXPECT(otaprio_catalog_get_info(c, NULL, diag), OTAPRIO_E_INVALID, "info",
           -1);
    uint32_t id = 99;
    EXPECT(otaprio_catalog_component_id(NULL, "os", 2, &id, diag),
           OTAPRIO_E_INVALID, "catalog", -1);
    EXPECT(otaprio_catalog_component_id(c, NULL, 2, &id, diag),
           OTAPRIO_E_INVALID, "name", -1);
    EXPECT(otaprio_catalog_package_id(c, "os-14", 5, NULL, diag),
           OTAPRIO_E_INVALID, "package", -1);
    const char *text = "untouched";
    size_t length = 99;
    EXPECT(otaprio_catalog_name(c, 3, 0, 0, &text, &length, diag),
           OTAPRIO_E_RANGE, "kind", -1);
    EXPECT(otaprio_catalog_name(c, OTAPRIO_NAME_PACKAGE, 0, FX_PACKAGES, &text,
                                &length, diag),
           OTAPRIO_E_RANGE, "id", FX_PACKAGES);
    EXPECT(otaprio_catalog_name(c, OTAPRIO_NAME_COMPONENT, 0, 4, &text, &length,
                                diag),
           OTAPRIO_E_RANGE, "id", 4);
    EXPECT(otaprio_catalog_name(c, OTAPRIO_NAME_VERSION, 4, 0, &text, &length,
                                diag),
           OTAPRIO_E_RANGE, "component", 4);
    EXPECT(otaprio_catalog_name(c, OTAPRIO_NAME_VERSION, FX_APP, 2, &text,
                                &length, diag),
           OTAPRIO_E_RANGE, "id", 2);
    EXPECT(otaprio_catalog_name(c, OTAPRIO_NAME_VERSION, 0, 0, NULL, &length,
                                diag),
           OTAPRIO_E_INVALID, "text", -1);
    assert_string_equal(text, "untouched");
    assert_int_equal(length, 99);

    uint32_t order[FX_PACKAGES];
    EXPECT(otaprio_catalog_release_order(c, NULL, diag), OTAPRIO_E_INVALID,
           "order", -1);
    EXPECT(otaprio_catalog_release_order(NULL, order, diag), OTAPRIO_E_INVALID,
           "catalog", -1);

    uint8_t marks[FX_PACKAGES];
    memset(marks, 7, sizeof marks);
    uint64_t count = 99;
    EXPECT(otaprio_catalog_impact(c, 4, "< 3", 3, marks, &count, diag),
           OTAPRIO_E_RANGE, "component", 4);
    EXPECT(otaprio_catalog_impact(c, 0, "<< 3", 4, marks, &count, diag),
           OTAPRIO_E_SYNTAX, "constraint", -2);
    EXPECT(otaprio_catalog_impact(c, 0, "> 3, < 2", 8, marks, &count, diag),
           OTAPRIO_E_RANGE, "constraint", -2);
    EXPECT(otaprio_catalog_impact(c, 0, "< 3", 3, NULL, &count, diag),
           OTAPRIO_E_INVALID, "marks", -1);
    EXPECT(otaprio_catalog_impact(c, 0, NULL, 3, marks, &count, diag),
           OTAPRIO_E_INVALID, "constraint", -1);
    for (size_t i = 0; i < sizeof marks; i++)
        assert_int_equal(marks[i], 7);
    assert_int_equal(count, 99);

    uint32_t components[4] = {9, 9, 9, 9};
    size_t n = 99;
    EXPECT(otaprio_catalog_chain_components(c, FX_PACKAGES, components, 4, &n,
                                            diag),
           OTAPRIO_E_RANGE, "package", FX_PACKAGES);
    EXPECT(otaprio_catalog_chain_components(c, 0, components, 4, NULL, diag),
           OTAPRIO_E_INVALID, "count", -1);
    EXPECT(otaprio_catalog_chain_components(c, 0, NULL, 4, &n, diag),
           OTAPRIO_E_INVALID, "components", -1);
    EXPECT(
        otaprio_catalog_chain_components(c, FX_APP_2, components, 3, &n, diag),
        OTAPRIO_E_RANGE, "capacity", -1);
    assert_int_equal(n, 4);
    assert_int_equal(components[0], 9);
    otaprio_catalog_free(c);
}

static void device_columns(void **state)
{
    (void)state;
    otaprio_catalog *c = NULL;
    assert_int_equal(fixture_catalog(NULL, &c), OTAPRIO_OK);
    fx_fleet f;
    otaprio_device_state s;
    fixture_fleet(&f, &s);
    uint32_t blocks[FX_DEVICES], first[FX_DEVICES];
    uint64_t eligible = 99;
    for (int d = 0; d < FX_DEVICES; d++)
        blocks[d] = first[d] = 0xEEEEEEEE;
#define CHECK(status, field, index)                                      \
    EXPECT(otaprio_catalog_check_devices(c, FX_APP_2, &s, blocks, first, \
                                         &eligible, diag),               \
           status, field, index)
    EXPECT(otaprio_catalog_check_devices(NULL, 0, &s, blocks, first, &eligible,
                                         diag),
           OTAPRIO_E_INVALID, "catalog", -1);
    EXPECT(otaprio_catalog_check_devices(c, 0, NULL, blocks, first, &eligible,
                                         diag),
           OTAPRIO_E_INVALID, "state", -1);
    EXPECT(otaprio_catalog_check_devices(c, 0, &s, NULL, NULL, NULL, diag),
           OTAPRIO_E_INVALID, "blocks", -1);
    EXPECT(otaprio_catalog_check_devices(c, FX_PACKAGES, &s, blocks, first,
                                         &eligible, diag),
           OTAPRIO_E_RANGE, "package", FX_PACKAGES);
    s.size = 8;
    CHECK(OTAPRIO_E_STRUCT_SIZE, "size", -1);
    s.size = sizeof s;
    f.versions[FX_MODEM][3] = 3; /* modem has 3 versions */
    CHECK(OTAPRIO_E_RANGE, "versions", 3);
    f.versions[FX_MODEM][3] = UINT32_MAX - 1;
    CHECK(OTAPRIO_E_RANGE, "versions", 3);
    f.versions[FX_MODEM][3] = FX_NONE;
    f.battery[4] = (float)NAN;
    CHECK(OTAPRIO_E_RANGE, "battery", 4);
    f.battery[4] = 1.5f;
    CHECK(OTAPRIO_E_RANGE, "battery", 4);
    f.battery[4] = -0.25f;
    CHECK(OTAPRIO_E_RANGE, "battery", 4);
    f.battery[4] = 0.0f;
    f.charging[5] = 2;
    CHECK(OTAPRIO_E_RANGE, "charging", 5);
    f.charging[5] = 0;
    f.metered[0] = 255;
    CHECK(OTAPRIO_E_RANGE, "metered", 0);
    f.metered[0] = 0;
    s.component_count = 5;
    CHECK(OTAPRIO_E_RANGE, "component_count", -1);
    s.component_count = FX_COMPONENTS;
    s.versions = NULL;
    CHECK(OTAPRIO_E_INVALID, "versions", -1);
    s.versions = f.columns;
    for (int d = 0; d < FX_DEVICES; d++) {
        assert_int_equal(blocks[d], 0xEEEEEEEE);
        assert_int_equal(first[d], 0xEEEEEEEE);
    }
    assert_int_equal(eligible, 99);
    /* Every device's columns are checked, even those the package does not
     * read. */
    f.versions[FX_BOOTLOADER][2] = 7;
    EXPECT(otaprio_catalog_check_devices(c, FX_LEGACY_APP, &s, blocks, NULL,
                                         NULL, diag),
           OTAPRIO_E_RANGE, "versions", 2);
    uint8_t marks[FX_DEVICES];
    memset(marks, 7, sizeof marks);
    EXPECT(otaprio_catalog_impact_devices(c, FX_MODEM, "< 3", 3, &s, marks,
                                          &eligible, diag),
           OTAPRIO_E_RANGE, "versions", 2);
    EXPECT(otaprio_catalog_impact_devices(c, FX_MODEM, "< 3", 3, &s, NULL,
                                          &eligible, diag),
           OTAPRIO_E_RANGE, "versions", 2);
    f.versions[FX_BOOTLOADER][2] = 2;
    /* Only the version columns matter to impact_devices. */
    f.battery[0] = (float)NAN;
    assert_int_equal(otaprio_catalog_impact_devices(c, FX_MODEM, "< 3", 3, &s,
                                                    marks, NULL, NULL),
                     OTAPRIO_OK);
    f.battery[0] = 0.5f;
    EXPECT(otaprio_catalog_impact_devices(c, FX_MODEM, "< 3", 3, &s, NULL, NULL,
                                          diag),
           OTAPRIO_E_INVALID, "marks", -1);
    EXPECT(otaprio_catalog_impact_devices(c, FX_MODEM, "< 3", 3, NULL, marks,
                                          NULL, diag),
           OTAPRIO_E_INVALID, "state", -1);
    EXPECT(
        otaprio_catalog_impact_devices(c, 9, "< 3", 3, &s, marks, NULL, diag),
        OTAPRIO_E_RANGE, "component", 9);
#undef CHECK
    otaprio_catalog_free(c);
}

static void update_path_arguments(void **state)
{
    (void)state;
    otaprio_catalog *c = NULL;
    assert_int_equal(fixture_catalog(NULL, &c), OTAPRIO_OK);
    fx_fleet f;
    otaprio_device_state s;
    fixture_fleet(&f, &s);
    uint32_t path[4] = {77, 77, 77, 77};
    size_t length = 99;
    uint64_t bytes = 99;
    EXPECT(otaprio_catalog_update_path(NULL, 0, &s, 0, 0, path, 4, &length,
                                       &bytes, diag),
           OTAPRIO_E_INVALID, "catalog", -1);
    EXPECT(otaprio_catalog_update_path(c, 0, NULL, 0, 0, path, 4, &length,
                                       &bytes, diag),
           OTAPRIO_E_INVALID, "state", -1);
    EXPECT(otaprio_catalog_update_path(c, 0, &s, 0, 0, path, 4, NULL, &bytes,
                                       diag),
           OTAPRIO_E_INVALID, "length", -1);
    EXPECT(otaprio_catalog_update_path(c, 0, &s, 0, 0, NULL, 4, &length, &bytes,
                                       diag),
           OTAPRIO_E_INVALID, "path", -1);
    EXPECT(otaprio_catalog_update_path(c, FX_PACKAGES, &s, 0, 0, path, 4,
                                       &length, &bytes, diag),
           OTAPRIO_E_RANGE, "package", FX_PACKAGES);
    EXPECT(otaprio_catalog_update_path(c, 0, &s, FX_DEVICES, 0, path, 4,
                                       &length, &bytes, diag),
           OTAPRIO_E_RANGE, "device", FX_DEVICES);
    f.versions[FX_OS][0] = 3;
    EXPECT(otaprio_catalog_update_path(c, FX_APP_2, &s, 0, 0, path, 4, &length,
                                       &bytes, diag),
           OTAPRIO_E_RANGE, "versions", 0);
    f.battery[0] = 2.0f;
    f.versions[FX_OS][0] = 0;
    EXPECT(otaprio_catalog_update_path(c, FX_APP_2, &s, 0, 0, path, 4, &length,
                                       &bytes, diag),
           OTAPRIO_E_RANGE, "battery", 0);
    s.size = 0;
    EXPECT(otaprio_catalog_update_path(c, FX_APP_2, &s, 0, 0, path, 4, &length,
                                       &bytes, diag),
           OTAPRIO_E_STRUCT_SIZE, "size", -1);
    assert_int_equal(path[0], 77);
    assert_int_equal(length, 99);
    assert_int_equal(bytes, 99);
    /* Another device's bad row does not concern this device. */
    s.size = sizeof s;
    assert_int_equal(otaprio_catalog_update_path(c, FX_APP_2, &s, 5, 0, path, 4,
                                                 &length, &bytes, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 1);
    otaprio_catalog_free(c);
}

/* Two packages, each unlocking the other. */
static otaprio_catalog *cycle_catalog(const char *a, size_t a_length,
                                      const char *b_name, size_t b_length)
{
    otaprio_catalog_builder *b = new_builder();
    assert_int_equal(otaprio_catalog_add_component(b, "x", 1, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_component(b, "y", 1, NULL, NULL),
                     OTAPRIO_OK);
    otaprio_package p;
    otaprio_package_init(&p);
    p.name = a;
    p.name_length = a_length;
    assert_int_equal(otaprio_catalog_add_package(b, &p, NULL, NULL),
                     OTAPRIO_OK);
    p.name = b_name;
    p.name_length = b_length;
    assert_int_equal(otaprio_catalog_add_package(b, &p, NULL, NULL),
                     OTAPRIO_OK);
    assert_int_equal(
        otaprio_catalog_add_relation(b, 0, FX_R, 0, ">= 2", 4, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_relation(b, 0, FX_P, 1, "1", 1, NULL),
                     OTAPRIO_OK);
    assert_int_equal(
        otaprio_catalog_add_relation(b, 1, FX_R, 1, ">= 1", 4, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_relation(b, 1, FX_P, 0, "2", 1, NULL),
                     OTAPRIO_OK);
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(b);
    return c;
}

static void cycles_are_named_by_package(void **state)
{
    (void)state;
    otaprio_catalog *c = cycle_catalog("modem-3", 7, "bootloader-2", 12);
    assert_int_equal(otaprio_graph_edge_count(otaprio_catalog_graph(c)), 2);
    uint32_t order[2] = {77, 77};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_catalog_release_order(c, order, &diag),
                     OTAPRIO_E_CYCLE);
    assert_true(strcmp(diag.message,
                       "cycle: modem-3 -> bootloader-2 -> modem-3") == 0 ||
                strcmp(diag.message,
                       "cycle: bootloader-2 -> modem-3 -> bootloader-2") == 0);
    assert_int_equal(order[0], 77);
    assert_int_equal(otaprio_catalog_release_order(c, order, NULL),
                     OTAPRIO_E_CYCLE);
    otaprio_catalog_free(c);

    /* Names too long for the message: cut, with "...". */
    char a[OTAPRIO_VERSION_TEXT_MAX], b[OTAPRIO_VERSION_TEXT_MAX];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    c = cycle_catalog(a, sizeof a, b, 200);
    assert_int_equal(otaprio_catalog_release_order(c, order, &diag),
                     OTAPRIO_E_CYCLE);
    size_t n = strlen(diag.message);
    assert_true(n < OTAPRIO_DIAG_MESSAGE_MAX);
    assert_memory_equal(diag.message, "cycle: ", 7);
    assert_string_equal(diag.message + n - 3, "...");
    otaprio_catalog_free(c);
    c = cycle_catalog("short", 5, b, 240);
    assert_int_equal(otaprio_catalog_release_order(c, order, &diag),
                     OTAPRIO_E_CYCLE);
    n = strlen(diag.message);
    assert_true(n < OTAPRIO_DIAG_MESSAGE_MAX);
    assert_string_equal(diag.message + n - 3, "...");
    otaprio_catalog_free(c);
}

static void downloads_past_64_bits(void **state)
{
    (void)state;
    /* Two steps of 2^64 - 1 bytes each: the total does not fit. */
    otaprio_catalog_builder *b = new_builder();
    assert_int_equal(otaprio_catalog_add_component(b, "x", 1, NULL, NULL),
                     OTAPRIO_OK);
    static const char *const names[] = {"one", "two", "goal"};
    for (uint32_t i = 0; i < 3; i++) {
        otaprio_package p;
        otaprio_package_init(&p);
        p.name = names[i];
        p.name_length = strlen(names[i]);
        p.download_bytes = UINT64_MAX;
        assert_int_equal(otaprio_catalog_add_package(b, &p, NULL, NULL),
                         OTAPRIO_OK);
    }
    assert_int_equal(otaprio_catalog_add_relation(b, 0, FX_P, 0, "1", 1, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_relation(b, 1, FX_R, 0, "1", 1, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_relation(b, 1, FX_P, 0, "2", 1, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_catalog_add_relation(b, 2, FX_R, 0, "2", 1, NULL),
                     OTAPRIO_OK);
    otaprio_catalog *c = NULL;
    assert_int_equal(otaprio_catalog_build(b, &c, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(b);
    otaprio_device_state s;
    otaprio_device_state_init(&s);
    s.count = 1;
    uint32_t path[2] = {77, 77};
    size_t length = 99;
    uint64_t bytes = 99;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_catalog_update_path(c, 2, &s, 0, 0, path, 2,
                                                 &length, &bytes, &diag),
                     OTAPRIO_E_OVERFLOW);
    assert_string_equal(diag.field, "download_bytes");
    assert_int_equal(length, 99);
    assert_int_equal(path[0], 77);
    /* One step of 2^64 - 1 fits. */
    assert_int_equal(otaprio_catalog_update_path(c, 1, &s, 0, 0, path, 2,
                                                 &length, &bytes, NULL),
                     OTAPRIO_OK);
    assert_int_equal(length, 1);
    assert_int_equal(bytes, UINT64_MAX);
    otaprio_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builder_creation),
        cmocka_unit_test(component_names),
        cmocka_unit_test(versions),
        cmocka_unit_test(packages),
        cmocka_unit_test(relations),
        cmocka_unit_test(queries_on_a_catalog),
        cmocka_unit_test(device_columns),
        cmocka_unit_test(update_path_arguments),
        cmocka_unit_test(cycles_are_named_by_package),
        cmocka_unit_test(downloads_past_64_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
