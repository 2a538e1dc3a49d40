/* SPDX-License-Identifier: MIT */
/*
 * Shared by the planner's tests, fuzz target and benchmark: a synthetic
 * fleet generated device by device from its index (so any chunking gives
 * the same devices), a small firmware catalog, and the source callback
 * that hands the fleet to otaprio_plan_create() chunk by chunk.
 *
 * Catalog: components bootloader (versions 1, 2, 3) and os (11, 12, 13).
 *   0 bootloader-2  provides bootloader 2                       10 bytes
 *   1 os-13         requires bootloader >= 2, provides os 13   300 bytes
 * The flaw is `os < 13`; os-13 is the fix. Devices on bootloader 1 are
 * blocked, and bootloader-2 is their path; devices already on os 13 are
 * current.
 *
 * Devices: strata region (4 codes) x SKU (3 codes); ring 0 for 1 in 200,
 * ring 1 for 1 in 50, customers otherwise; 24 shared-fate clusters
 * (hardware revisions); a mix of classes from handsets to medical
 * devices; a tenth on bootloader 1; os 11, 12 and 13 in 4:4:2.
 */
#ifndef OTAPRIO_TEST_PLAN_FIXTURE_H
#define OTAPRIO_TEST_PLAN_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio.h"
#include "splitmix.h"

enum {
    PX_BOOTLOADER = 0,
    PX_OS = 1,
    PX_COMPONENTS = 2,
    PX_BOOTLOADER_2 = 0,
    PX_OS_13 = 1,
    PX_REGIONS = 4,
    PX_SKUS = 3,
    PX_CLUSTERS = 24
};

/* Builds the catalog; returns the first failing status. */
static inline int plan_fixture_catalog(const otaprio_allocator *allocator,
                                       otaprio_catalog **catalog)
{
    static const char *const versions[PX_COMPONENTS][3] = {{"1", "2", "3"},
                                                           {"11", "12", "13"}};
    static const char *const names[PX_COMPONENTS] = {"bootloader", "os"};
    otaprio_catalog_builder *b = NULL;
    int status = otaprio_catalog_builder_create(allocator, &b, NULL);
    for (uint32_t c = 0; status == OTAPRIO_OK && c < PX_COMPONENTS; c++) {
        status = otaprio_catalog_add_component(b, names[c], strlen(names[c]),
                                               NULL, NULL);
        for (int v = 0; status == OTAPRIO_OK && v < 3; v++)
            status = otaprio_catalog_add_version(
                b, c, versions[c][v], strlen(versions[c][v]), NULL, NULL);
    }
    otaprio_package package;
    if (status == OTAPRIO_OK) {
        otaprio_package_init(&package);
        package.name = "bootloader-2";
        package.name_length = strlen(package.name);
        package.download_bytes = 10;
        status = otaprio_catalog_add_package(b, &package, NULL, NULL);
    }
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, PX_BOOTLOADER_2,
                                              OTAPRIO_RELATION_PROVIDES,
                                              PX_BOOTLOADER, "2", 1, NULL);
    if (status == OTAPRIO_OK) {
        otaprio_package_init(&package);
        package.name = "os-13";
        package.name_length = strlen(package.name);
        package.download_bytes = 300;
        status = otaprio_catalog_add_package(b, &package, NULL, NULL);
    }
    if (status == OTAPRIO_OK)
        status =
            otaprio_catalog_add_relation(b, PX_OS_13, OTAPRIO_RELATION_REQUIRES,
                                         PX_BOOTLOADER, ">= 2", 4, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(
            b, PX_OS_13, OTAPRIO_RELATION_PROVIDES, PX_OS, "13", 2, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_build(b, catalog, NULL);
    otaprio_catalog_builder_free(b);
    return status;
}

/* One device's attributes, from its index alone. */
typedef struct plan_fixture_device {
    uint64_t key;
    uint32_t region, sku, cluster, bootloader, os;
    uint8_t ring, device_class, charging, metered;
    float battery;
} plan_fixture_device;

static inline void plan_fixture_device_at(uint64_t seed, uint64_t index,
                                          plan_fixture_device *d)
{
    static const uint8_t classes[10] = {
        OTAPRIO_DEVICE_HANDSET, OTAPRIO_DEVICE_HANDSET,  OTAPRIO_DEVICE_HANDSET,
        OTAPRIO_DEVICE_HANDSET, OTAPRIO_DEVICE_WEARABLE, OTAPRIO_DEVICE_KIOSK,
        OTAPRIO_DEVICE_ROUTER,  OTAPRIO_DEVICE_POS,      OTAPRIO_DEVICE_CAMERA,
        OTAPRIO_DEVICE_MEDICAL};
    uint64_t state = seed ^ (index * 0xD1B54A32D192ED03ull);
    d->key = splitmix_next(&state);
    uint64_t r = splitmix_next(&state);
    d->region = (uint32_t)(r % PX_REGIONS);
    d->sku = (uint32_t)(r >> 8) % PX_SKUS;
    d->cluster = (uint32_t)(r >> 16) % PX_CLUSTERS;
    uint32_t ring = (uint32_t)(r >> 24) % 200;
    d->ring = ring == 0 ? 0 : ring <= 4 ? 1 : 2;
    d->device_class = classes[(r >> 32) % 10];
    d->bootloader = (r >> 40) % 10 == 0 ? 0 : 1 + (uint32_t)((r >> 44) % 2);
    uint32_t os = (uint32_t)((r >> 48) % 10);
    d->os = os < 4 ? 0 : os < 8 ? 1 : 2;
    d->battery = (float)((r >> 56) % 101) / 100.0f;
    d->charging = (r >> 52) % 3 == 0;
    d->metered = (r >> 54) % 7 == 0;
}

/* Devices' attributes as columns, one row per device. */
typedef struct plan_fixture_columns {
    uint64_t *keys;
    uint32_t *region, *sku, *cluster, *versions[PX_COMPONENTS];
    uint8_t *ring, *device_class, *charging, *metered;
    float *battery;
} plan_fixture_columns;

static inline void plan_fixture_columns_free(plan_fixture_columns *c)
{
    free(c->keys);
    free(c->region);
    free(c->sku);
    free(c->cluster);
    for (int k = 0; k < PX_COMPONENTS; k++)
        free(c->versions[k]);
    free(c->ring);
    free(c->device_class);
    free(c->charging);
    free(c->metered);
    free(c->battery);
    memset(c, 0, sizeof *c);
}

/* Room for `n` rows; returns 0, or -1 (nothing kept) when memory runs
 * out. */
static inline int plan_fixture_columns_alloc(plan_fixture_columns *c, size_t n)
{
    memset(c, 0, sizeof *c);
    c->keys = malloc(n * sizeof *c->keys);
    c->region = malloc(n * sizeof(uint32_t));
    c->sku = malloc(n * sizeof(uint32_t));
    c->cluster = malloc(n * sizeof(uint32_t));
    int missing = 0;
    for (int k = 0; k < PX_COMPONENTS; k++) {
        c->versions[k] = malloc(n * sizeof(uint32_t));
        missing |= c->versions[k] == NULL;
    }
    c->ring = malloc(n);
    c->device_class = malloc(n);
    c->charging = malloc(n);
    c->metered = malloc(n);
    c->battery = malloc(n * sizeof(float));
    if (missing || !c->keys || !c->region || !c->sku || !c->cluster ||
        !c->ring || !c->device_class || !c->charging || !c->metered ||
        !c->battery) {
        plan_fixture_columns_free(c);
        return -1;
    }
    return 0;
}

/* Rows 0 .. n - 1 become devices first .. first + n - 1 of the fleet. */
static inline void plan_fixture_columns_fill(plan_fixture_columns *c,
                                             uint64_t seed, uint64_t first,
                                             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        plan_fixture_device d;
        plan_fixture_device_at(seed, first + i, &d);
        c->keys[i] = d.key;
        c->region[i] = d.region;
        c->sku[i] = d.sku;
        c->cluster[i] = d.cluster;
        c->versions[PX_BOOTLOADER][i] = d.bootloader;
        c->versions[PX_OS][i] = d.os;
        c->ring[i] = d.ring;
        c->device_class[i] = d.device_class;
        c->charging[i] = d.charging;
        c->metered[i] = d.metered;
        c->battery[i] = d.battery;
    }
}

/* The fleet and the buffers of the chunk at hand. */
typedef struct plan_fixture {
    uint64_t seed, devices;
    size_t chunk_size;
    int with_catalog; /* hand over otaprio_device_state columns */
    /* Faults to inject: a pass (and its first device) to fail at with a
     * status, and a pass whose fleet loses its last device. */
    int32_t fail_pass;
    int fail_status;
    int32_t shrink_pass;
    uint64_t calls;
    /* The chunk at hand. */
    plan_fixture_columns buf;
    const uint32_t *codes[2];
    const uint32_t *version_columns[PX_COMPONENTS];
    otaprio_devices risk;
    otaprio_device_state state;
    /* Per-device outputs of the ASSIGN pass, for the whole fleet, when
     * `want_outputs` is set. */
    int want_outputs;
    uint8_t *wave, *disposition;
} plan_fixture;

static inline void plan_fixture_free(plan_fixture *f)
{
    plan_fixture_columns_free(&f->buf);
    free(f->wave);
    free(f->disposition);
    memset(f, 0, sizeof *f);
}

/* Returns 0, or -1 when memory runs out. */
static inline int plan_fixture_init(plan_fixture *f, uint64_t seed,
                                    uint64_t devices, size_t chunk_size)
{
    memset(f, 0, sizeof *f);
    f->seed = seed;
    f->devices = devices;
    f->chunk_size = chunk_size;
    f->with_catalog = 1;
    f->fail_pass = -1;
    f->shrink_pass = -1;
    f->wave = malloc(devices + 1);
    f->disposition = malloc(devices + 1);
    if (plan_fixture_columns_alloc(&f->buf, chunk_size) != 0 || !f->wave ||
        !f->disposition) {
        plan_fixture_free(f);
        return -1;
    }
    return 0;
}

/* The otaprio_plan_source_fn over a plan_fixture. */
static inline int plan_fixture_source(void *user, int32_t pass, uint64_t first,
                                      otaprio_plan_chunk *chunk)
{
    plan_fixture *f = user;
    f->calls++;
    if (pass == f->fail_pass)
        return f->fail_status;
    uint64_t end = f->devices - (pass == f->shrink_pass && f->devices > 0);
    if (first >= end)
        return 0; /* count 0 ends the pass */
    size_t n =
        end - first < f->chunk_size ? (size_t)(end - first) : f->chunk_size;
    plan_fixture_columns_fill(&f->buf, f->seed, first, n);
    f->codes[0] = f->buf.region;
    f->codes[1] = f->buf.sku;
    otaprio_devices_init(&f->risk);
    f->risk.count = n;
    f->risk.device_class = f->buf.device_class;
    f->risk.battery = f->buf.battery;
    f->risk.charging = f->buf.charging;
    f->risk.metered = f->buf.metered;
    chunk->count = n;
    chunk->keys = f->buf.keys;
    chunk->devices = &f->risk;
    chunk->codes = f->codes;
    chunk->cluster = f->buf.cluster;
    chunk->ring = f->buf.ring;
    if (f->with_catalog) {
        for (int c = 0; c < PX_COMPONENTS; c++)
            f->version_columns[c] = f->buf.versions[c];
        otaprio_device_state_init(&f->state);
        f->state.count = n;
        f->state.versions = f->version_columns;
        f->state.component_count = PX_COMPONENTS;
        f->state.battery = f->buf.battery;
        f->state.charging = f->buf.charging;
        f->state.metered = f->buf.metered;
        chunk->state = &f->state;
    }
    if (pass == OTAPRIO_PLAN_PASS_ASSIGN && f->want_outputs) {
        chunk->wave = f->wave + first;
        chunk->disposition = f->disposition + first;
    }
    return 0;
}

/* The request for the fixture's fleet: the os flaw traced through the
 * catalog, strata region x SKU, the fix os-13. */
static const uint32_t plan_fixture_cardinalities[2] = {PX_REGIONS, PX_SKUS};

static inline void plan_fixture_request(plan_fixture *f,
                                        const otaprio_catalog *catalog,
                                        const otaprio_issue *issue,
                                        otaprio_plan_request *request)
{
    otaprio_plan_request_init(request);
    request->issue = issue;
    request->source = plan_fixture_source;
    request->user = f;
    request->catalog = catalog;
    request->package = PX_OS_13;
    if (catalog != NULL) {
        request->trace_flaw = 1;
        request->flaw_component = PX_OS;
        request->flaw_constraint = "< 13";
        request->flaw_constraint_length = 4;
    }
    request->salt = 0x5EEDull;
    request->dimension_count = 2;
    request->cardinalities = plan_fixture_cardinalities;
}

#endif
