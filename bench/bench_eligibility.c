/* SPDX-License-Identifier: MIT */
/*
 * eligibility: can each of N devices install one package now, and if not,
 * why. One otaprio_catalog_check_devices() call over the whole fleet,
 * writing a block mask and the first failing relation per device. Peer:
 * bench/peer_eligibility.py (NumPy: the same rules as boolean table
 * lookups and column comparisons, the way a Python user would vectorise
 * them).
 *
 * The catalog (built untimed): five components whose versions are "1",
 * "2", ... so that version id k is version k + 1 and ids ascend with the
 * version order, and one package, kiosk-app 5, that
 *   relation 0  requires os >= 20          (of 32 versions)
 *   relation 1  requires bootloader >= 3   (of 8)
 *   relation 2  requires libssl >= 10, < 16 (of 16)
 *   relation 3  conflicts with legacy-vpn <= 2 (of 4)
 *   relation 4  provides kiosk-app 5       (of 5: CURRENT at 5)
 * and is allowed in regions 1, 2 and 3, denied in region 7, for enrollment
 * state 1 only, needs a battery of 0.2 unless charging, 500 MiB of free
 * storage and an unmetered link.
 *
 * Devices: device i takes its versions from draw 2i of SplitMix64(seed)
 * (byte c of the draw for component c: 250 and above is "not installed",
 * else the byte modulo the component's version count) and its other
 * columns from draw 2i+1 (region: bits 0-3 modulo 8; enrollment: bits 4-7
 * modulo 3; battery: bits 8-23 / 65535 as a float; charging: bit 24; free
 * storage: bits 25-36 MiB; metered: bit 37). bench/peer_eligibility.py cuts
 * the same fields from the same draws.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/graph.h"

#include "bench.h"

enum { COMPONENTS = 5 };

static const char *const component_names[COMPONENTS] = {
    "os", "bootloader", "libssl", "legacy-vpn", "kiosk-app"};
static const uint32_t version_counts[COMPONENTS] = {32, 8, 16, 4, 5};

typedef struct eligibility_state {
    otaprio_catalog *catalog;
    uint32_t package;
    size_t n;
    uint32_t *versions[COMPONENTS];
    const uint32_t *columns[COMPONENTS];
    uint32_t *region, *enrollment;
    float *battery;
    uint8_t *charging, *metered;
    uint64_t *free_bytes;
    uint32_t *blocks, *first_failed;
    uint64_t eligible;
} eligibility_state;

static void eligibility_teardown(void *opaque)
{
    eligibility_state *s = opaque;
    otaprio_catalog_free(s->catalog);
    for (int c = 0; c < COMPONENTS; c++)
        free(s->versions[c]);
    free(s->region);
    free(s->enrollment);
    free(s->battery);
    free(s->charging);
    free(s->metered);
    free(s->free_bytes);
    free(s->blocks);
    free(s->first_failed);
    free(s);
}

/* Adds the components, their versions "1".."count", and the package. */
static int build_catalog(otaprio_catalog_builder *b, uint32_t *package)
{
    int status = OTAPRIO_OK;
    for (uint32_t c = 0; status == OTAPRIO_OK && c < COMPONENTS; c++) {
        status = otaprio_catalog_add_component(
            b, component_names[c], strlen(component_names[c]), NULL, NULL);
        for (uint32_t v = 1; status == OTAPRIO_OK && v <= version_counts[c];
             v++) {
            char text[16];
            int length = snprintf(text, sizeof text, "%u", (unsigned)v);
            status = otaprio_catalog_add_version(b, c, text, (size_t)length,
                                                 NULL, NULL);
        }
    }
    static const uint32_t regions[] = {1, 2, 3}, denied[] = {7},
                          enrollments[] = {1};
    otaprio_package p;
    if (status == OTAPRIO_OK)
        status = otaprio_package_init(&p);
    if (status != OTAPRIO_OK)
        return status;
    p.name = "kiosk-app-5";
    p.name_length = strlen(p.name);
    p.download_bytes = UINT64_C(80) << 20;
    p.install_bytes = UINT64_C(500) << 20;
    p.min_battery = 0.2f;
    p.allow_metered = 0;
    p.regions = regions;
    p.region_count = 3;
    p.denied_regions = denied;
    p.denied_region_count = 1;
    p.enrollments = enrollments;
    p.enrollment_count = 1;
    status = otaprio_catalog_add_package(b, &p, package, NULL);
    static const struct {
        int32_t relation;
        uint32_t component;
        const char *text;
    } relations[] = {
        {OTAPRIO_RELATION_REQUIRES, 0, ">= 20"},
        {OTAPRIO_RELATION_REQUIRES, 1, ">= 3"},
        {OTAPRIO_RELATION_REQUIRES, 2, ">= 10, < 16"},
        {OTAPRIO_RELATION_CONFLICTS, 3, "<= 2"},
        {OTAPRIO_RELATION_PROVIDES, 4, "5"},
    };
    for (size_t r = 0;
         status == OTAPRIO_OK && r < sizeof relations / sizeof relations[0];
         r++)
        status = otaprio_catalog_add_relation(
            b, *package, relations[r].relation, relations[r].component,
            relations[r].text, strlen(relations[r].text), NULL);
    return status;
}

static int make_catalog(eligibility_state *s)
{
    otaprio_catalog_builder *b;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_builder_create(NULL, &b, &diag);
    if (status == OTAPRIO_OK) {
        status = build_catalog(b, &s->package);
        if (status == OTAPRIO_OK)
            status = otaprio_catalog_build(b, &s->catalog, &diag);
        otaprio_catalog_builder_free(b);
    }
    if (status != OTAPRIO_OK)
        fprintf(stderr, "eligibility: building the catalog failed: %s %s\n",
                otaprio_strerror(status), diag.message);
    return status;
}

static void fill_devices(eligibility_state *s, uint64_t seed)
{
    for (size_t i = 0; i < s->n; i++) {
        uint64_t d = bench_splitmix64(seed, 2 * (uint64_t)i);
        for (int c = 0; c < COMPONENTS; c++) {
            uint32_t byte = (uint32_t)(d >> (8 * c)) & 0xff;
            s->versions[c][i] =
                byte >= 250 ? OTAPRIO_VERSION_NONE : byte % version_counts[c];
        }
        uint64_t e = bench_splitmix64(seed, 2 * (uint64_t)i + 1);
        s->region[i] = (uint32_t)(e & 0xf) % 8;
        s->enrollment[i] = (uint32_t)((e >> 4) & 0xf) % 3;
        s->battery[i] = (float)((double)((e >> 8) & 0xffff) / 65535.0);
        s->charging[i] = (uint8_t)((e >> 24) & 1);
        s->free_bytes[i] = ((e >> 25) & 0xfff) << 20;
        s->metered[i] = (uint8_t)((e >> 37) & 1);
    }
}

static int eligibility_setup(uint64_t seed, size_t n, void **out)
{
    if (n > SIZE_MAX / sizeof(uint64_t)) {
        fprintf(stderr, "eligibility: n = %zu is too large\n", n);
        return -1;
    }
    eligibility_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "eligibility: out of memory\n");
        return -1;
    }
    s->n = n;
    bool ok = true;
    for (int c = 0; c < COMPONENTS; c++) {
        s->versions[c] = malloc(n * sizeof(uint32_t));
        s->columns[c] = s->versions[c];
        ok = ok && s->versions[c] != NULL;
    }
    s->region = malloc(n * sizeof *s->region);
    s->enrollment = malloc(n * sizeof *s->enrollment);
    s->battery = malloc(n * sizeof *s->battery);
    s->charging = malloc(n);
    s->metered = malloc(n);
    s->free_bytes = malloc(n * sizeof *s->free_bytes);
    s->blocks = malloc(n * sizeof *s->blocks);
    s->first_failed = malloc(n * sizeof *s->first_failed);
    if (!ok || s->region == NULL || s->enrollment == NULL ||
        s->battery == NULL || s->charging == NULL || s->metered == NULL ||
        s->free_bytes == NULL || s->blocks == NULL || s->first_failed == NULL) {
        fprintf(stderr, "eligibility: out of memory for n = %zu\n", n);
        eligibility_teardown(s);
        return -1;
    }
    if (make_catalog(s) != OTAPRIO_OK) {
        eligibility_teardown(s);
        return -1;
    }
    fill_devices(s, seed);
    /* Touched outputs: the timed runs pay no first-touch page faults. */
    memset(s->blocks, 0xa5, n * sizeof *s->blocks);
    memset(s->first_failed, 0xa5, n * sizeof *s->first_failed);
    *out = s;
    return 0;
}

static int eligibility_run(void *opaque)
{
    eligibility_state *s = opaque;
    otaprio_device_state state;
    int status = otaprio_device_state_init(&state);
    if (status != OTAPRIO_OK)
        return status;
    state.count = s->n;
    state.versions = s->columns;
    state.component_count = COMPONENTS;
    state.region = s->region;
    state.enrollment = s->enrollment;
    state.battery = s->battery;
    state.charging = s->charging;
    state.free_bytes = s->free_bytes;
    state.metered = s->metered;
    return otaprio_catalog_check_devices(s->catalog, s->package, &state,
                                         s->blocks, s->first_failed,
                                         &s->eligible, NULL);
}

static int eligibility_digest(const void *opaque, bench_digest *digest)
{
    const eligibility_state *s = opaque;
    if (bench_digest_add(digest, "blocks", s->blocks,
                         s->n * sizeof *s->blocks) != 0 ||
        bench_digest_add(digest, "first_failed", s->first_failed,
                         s->n * sizeof *s->first_failed) != 0)
        return -1;
    return 0;
}

static int eligibility_extras(void *opaque, double median_ms,
                              bench_extras *extras)
{
    eligibility_state *s = opaque;
    (void)median_ms;
    return bench_extra_add(extras, "eligible", (double)s->eligible);
}

const bench_def bench_eligibility = {
    .name = "eligibility",
    .unit = "devices",
    .default_n = 10000000,
    .setup = eligibility_setup,
    .run = eligibility_run,
    .digest = eligibility_digest,
    .teardown = eligibility_teardown,
    .extras = eligibility_extras,
};
