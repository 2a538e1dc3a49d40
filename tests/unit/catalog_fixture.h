/* SPDX-License-Identifier: MIT */
/*
 * Shared by the catalog tests: a realistic catalog of a phone's firmware
 * (bootloader, modem, OS, app) with incremental and full packages, and a
 * chunk of six devices. Building it returns a status instead of
 * asserting, so allocation-failure sweeps can run it.
 *
 * Packages, relations numbered in order, and the rules on devices:
 *   0 bootloader-3   0 provides bootloader 3        battery >= 0.5,
 *                                                   needs 100 bytes free
 *   1 bootloader-4   0 requires bootloader >= 3
 *                    1 provides bootloader 4
 *   2 modem-2        0 requires bootloader >= 3     carriers 7, 8
 *                    1 provides modem 2.0
 *   3 modem-3-full   0 provides modem 3.0           carriers 7, 8; 500 bytes
 *   4 modem-3        0 requires modem >= 2.0        carriers 7, 8; 40 bytes
 *                    1 provides modem 3.0
 *   5 os-14          0 requires bootloader >= 3     regions 1, 2; needs
 *                    1 provides os 14               1000 bytes free
 *   6 os-15          0 requires os >= 14
 *                    1 provides os 15
 *   7 app-2          0 requires os >= 14            not metered;
 *                    1 conflicts modem < 2.0        enrollment 1;
 *                    2 requires modem >= 3.0        denied in region 9
 *                    3 provides app 2.0
 *   8 legacy-app     0 conflicts os >= 15
 *                    1 provides app 1.0
 */
#ifndef OTAPRIO_TEST_CATALOG_FIXTURE_H
#define OTAPRIO_TEST_CATALOG_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "otaprio.h"
#include "package_fill.h"

enum {
    FX_BOOTLOADER = 0,
    FX_MODEM = 1,
    FX_OS = 2,
    FX_APP = 3,
    FX_COMPONENTS = 4,
    FX_PACKAGES = 9,
    FX_DEVICES = 6
};

enum {
    FX_BOOTLOADER_3 = 0,
    FX_BOOTLOADER_4 = 1,
    FX_MODEM_2 = 2,
    FX_MODEM_3_FULL = 3,
    FX_MODEM_3 = 4,
    FX_OS_14 = 5,
    FX_OS_15 = 6,
    FX_APP_2 = 7,
    FX_LEGACY_APP = 8
};

#define FX_NONE OTAPRIO_VERSION_NONE

static const char *const fx_component_names[FX_COMPONENTS] = {
    "bootloader", "modem", "os", "app"};

/* Versions devices report, ids in order: bootloader 2=0 3=1 4=2, modem
 * 1.0=0 2.0=1 3.0=2, os 13=0 14=1 15=2, app 1.0=0 2.0=1. */
static const char *const fx_versions[FX_COMPONENTS][3] = {
    {"2", "3", "4"}, {"1.0", "2.0", "3.0"}, {"13", "14", "15"}, {"1.0", "2.0"}};

typedef struct fx_relation {
    int32_t kind;
    uint32_t component;
    const char *text;
} fx_relation;

typedef struct fx_package {
    const char *name;
    uint64_t download_bytes, install_bytes;
    float min_battery;
    uint8_t allow_metered;
    uint32_t carriers[2], regions[2], denied[1], enrollments[1];
    size_t carrier_count, region_count, denied_count, enrollment_count;
    fx_relation relations[4];
    size_t relation_count;
} fx_package;

#define FX_R OTAPRIO_RELATION_REQUIRES
#define FX_P OTAPRIO_RELATION_PROVIDES
#define FX_C OTAPRIO_RELATION_CONFLICTS

static const fx_package fx_packages[FX_PACKAGES] = {
    {"bootloader-3",
     10,
     100,
     0.5f,
     1,
     {0},
     {0},
     {0},
     {0},
     0,
     0,
     0,
     0,
     {{FX_P, FX_BOOTLOADER, "3"}},
     1},
    {"bootloader-4",
     12,
     0,
     0.0f,
     1,
     {0},
     {0},
     {0},
     {0},
     0,
     0,
     0,
     0,
     {{FX_R, FX_BOOTLOADER, ">= 3"}, {FX_P, FX_BOOTLOADER, "4"}},
     2},
    {"modem-2",
     50,
     0,
     0.0f,
     1,
     {7, 8},
     {0},
     {0},
     {0},
     2,
     0,
     0,
     0,
     {{FX_R, FX_BOOTLOADER, ">=3"}, {FX_P, FX_MODEM, "2.0"}},
     2},
    {"modem-3-full",
     500,
     0,
     0.0f,
     1,
     {8, 7},
     {0},
     {0},
     {0},
     2,
     0,
     0,
     0,
     {{FX_P, FX_MODEM, "3"}},
     1},
    {"modem-3",
     40,
     0,
     0.0f,
     1,
     {7, 8},
     {0},
     {0},
     {0},
     2,
     0,
     0,
     0,
     {{FX_R, FX_MODEM, ">= 2.0"}, {FX_P, FX_MODEM, "3.0.0"}},
     2},
    {"os-14",
     300,
     1000,
     0.0f,
     1,
     {0},
     {1, 2},
     {0},
     {0},
     0,
     2,
     0,
     0,
     {{FX_R, FX_BOOTLOADER, ">= v3"}, {FX_P, FX_OS, "14"}},
     2},
    {"os-15",
     200,
     0,
     0.0f,
     1,
     {0},
     {0},
     {0},
     {0},
     0,
     0,
     0,
     0,
     {{FX_R, FX_OS, ">= 14"}, {FX_P, FX_OS, "15"}},
     2},
    {"app-2",
     20,
     0,
     0.0f,
     0,
     {0},
     {0},
     {9},
     {1},
     0,
     0,
     1,
     1,
     {{FX_R, FX_OS, ">= 14"},
      {FX_C, FX_MODEM, "< 2.0"},
      {FX_R, FX_MODEM, ">= 3.0"},
      {FX_P, FX_APP, "2.0"}},
     4},
    {"legacy-app",
     5,
     0,
     0.0f,
     1,
     {0},
     {0},
     {0},
     {0},
     0,
     0,
     0,
     0,
     {{FX_C, FX_OS, ">= 15"}, {FX_P, FX_APP, "1.0"}},
     2},
};

/* Builds the fixture catalog; returns the first failing status. */
static inline int fixture_catalog(const otaprio_allocator *allocator,
                                  otaprio_catalog **catalog)
{
    otaprio_catalog_builder *b = NULL;
    int status = otaprio_catalog_builder_create(allocator, &b, NULL);
    for (uint32_t c = 0; status == OTAPRIO_OK && c < FX_COMPONENTS; c++) {
        const char *name = fx_component_names[c];
        status =
            otaprio_catalog_add_component(b, name, strlen(name), NULL, NULL);
        for (int v = 0; status == OTAPRIO_OK && v < 3; v++)
            if (fx_versions[c][v] != NULL)
                status = otaprio_catalog_add_version(b, c, fx_versions[c][v],
                                                     strlen(fx_versions[c][v]),
                                                     NULL, NULL);
    }
    for (uint32_t p = 0; status == OTAPRIO_OK && p < FX_PACKAGES; p++) {
        const fx_package *f = &fx_packages[p];
        otaprio_package package;
        otaprio_package_init(&package);
        FILL_PACKAGE(&package, f);
        status = otaprio_catalog_add_package(b, &package, NULL, NULL);
        for (size_t r = 0; status == OTAPRIO_OK && r < f->relation_count; r++)
            status = otaprio_catalog_add_relation(
                b, p, f->relations[r].kind, f->relations[r].component,
                f->relations[r].text, strlen(f->relations[r].text), NULL);
    }
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_build(b, catalog, NULL);
    otaprio_catalog_builder_free(b);
    return status;
}

/* The devices, one row each. */
typedef struct fx_fleet {
    uint32_t versions[FX_COMPONENTS][FX_DEVICES];
    const uint32_t *columns[FX_COMPONENTS];
    uint32_t carrier[FX_DEVICES], region[FX_DEVICES], enrollment[FX_DEVICES];
    float battery[FX_DEVICES];
    uint8_t charging[FX_DEVICES], metered[FX_DEVICES];
    uint64_t free_bytes[FX_DEVICES];
} fx_fleet;

/*
 *        bootloader modem os  app  carrier region enroll battery chg free
 *   d0   2          1.0   13  1.0  7       1      1      0.9     0   1e6
 *   d1   3          2.0   14  -    8       2      1      0.3     0   500
 *   d2   4          3.0   15  2.0  9       9      0      0.2     1   1e9
 *   d3   -          -     -   -    7       3      1      1.0     0   0
 *   d4   3          3.0   14  1.0  7       1      1      0.5     0   5000
 *   d5   3          2.0   14  1.0  7       1      1      0.9     0   1e6
 */
static inline void fixture_fleet(fx_fleet *f, otaprio_device_state *state)
{
    static const uint32_t versions[FX_COMPONENTS][FX_DEVICES] = {
        {0, 1, 2, FX_NONE, 1, 1},
        {0, 1, 2, FX_NONE, 2, 1},
        {0, 1, 2, FX_NONE, 1, 1},
        {0, FX_NONE, 1, FX_NONE, 0, 0}};
    static const uint32_t carrier[] = {7, 8, 9, 7, 7, 7};
    static const uint32_t region[] = {1, 2, 9, 3, 1, 1};
    static const uint32_t enrollment[] = {1, 1, 0, 1, 1, 1};
    static const float battery[] = {0.9f, 0.3f, 0.2f, 1.0f, 0.5f, 0.9f};
    static const uint8_t charging[] = {0, 0, 1, 0, 0, 0};
    static const uint8_t metered[] = {0, 1, 0, 0, 0, 0};
    static const uint64_t free_bytes[] = {1000000, 500,  1000000000,
                                          0,       5000, 1000000};
    memcpy(f->versions, versions, sizeof versions);
    for (int c = 0; c < FX_COMPONENTS; c++)
        f->columns[c] = f->versions[c];
    memcpy(f->carrier, carrier, sizeof carrier);
    memcpy(f->region, region, sizeof region);
    memcpy(f->enrollment, enrollment, sizeof enrollment);
    memcpy(f->battery, battery, sizeof battery);
    memcpy(f->charging, charging, sizeof charging);
    memcpy(f->metered, metered, sizeof metered);
    memcpy(f->free_bytes, free_bytes, sizeof free_bytes);
    otaprio_device_state_init(state);
    state->count = FX_DEVICES;
    state->versions = f->columns;
    state->component_count = FX_COMPONENTS;
    state->carrier = f->carrier;
    state->region = f->region;
    state->enrollment = f->enrollment;
    state->battery = f->battery;
    state->charging = f->charging;
    state->free_bytes = f->free_bytes;
    state->metered = f->metered;
}

#endif
