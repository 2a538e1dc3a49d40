/* SPDX-License-Identifier: MIT */
/*
 * The simulator's synthetic fleet and its catalog. Device i's attributes
 * come from the seed and i alone, in creation order, with the skew a real
 * fleet has: a few SKUs carry most devices, two old SKUs keep the
 * bootloader the fix needs replaced, business devices sit on wired links,
 * a small internal and employee population tries updates first.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* The default share of the fleet per SKU (sums to 1). SKU 7, a mid-range
 * handset, is about 5% of the fleet; SKUs 10 and 11 are the old ones. */
static const double sku_weights[SIM_SKUS] = {
    0.22, 0.16, 0.12, 0.10, 0.08, 0.07, 0.06, 0.05, 0.05, 0.04, 0.03, 0.02};
/* The device class of each SKU. */
static const uint8_t sku_class[SIM_SKUS] = {
    OTAPRIO_DEVICE_HANDSET, OTAPRIO_DEVICE_HANDSET,    OTAPRIO_DEVICE_HANDSET,
    OTAPRIO_DEVICE_HANDSET, OTAPRIO_DEVICE_HANDSET,    OTAPRIO_DEVICE_KIOSK,
    OTAPRIO_DEVICE_ROUTER,  OTAPRIO_DEVICE_HANDSET,    OTAPRIO_DEVICE_POS,
    OTAPRIO_DEVICE_GATEWAY, OTAPRIO_DEVICE_INDUSTRIAL, OTAPRIO_DEVICE_MEDICAL};
static const double region_weights[SIM_REGIONS] = {0.25, 0.20, 0.15, 0.12,
                                                   0.10, 0.08, 0.06, 0.04};

void sim_mix_default(sim_mix *mix)
{
    memcpy(mix->sku, sku_weights, sizeof mix->sku);
    memcpy(mix->region, region_weights, sizeof mix->region);
}

/* Weights as shares that sum to 1 (all equal when they sum to 0). */
static void normalise(const double *weights, double *shares, size_t count)
{
    double sum = 0.0;
    for (size_t i = 0; i < count; i++)
        sum += weights[i];
    for (size_t i = 0; i < count; i++)
        shares[i] = sum > 0.0 ? weights[i] / sum : 1.0 / (double)count;
}

static uint32_t pick(double u, const double *weights, uint32_t count)
{
    double sum = 0.0;
    for (uint32_t i = 0; i + 1 < count; i++) {
        sum += weights[i];
        if (u < sum)
            return i;
    }
    return count - 1;
}

static int wired(uint8_t device_class)
{
    return device_class == OTAPRIO_DEVICE_ROUTER ||
           device_class == OTAPRIO_DEVICE_POS ||
           device_class == OTAPRIO_DEVICE_GATEWAY ||
           device_class == OTAPRIO_DEVICE_INDUSTRIAL;
}

static void device_at(sim_fleet *f, const sim_mix *mix, uint64_t seed, size_t i)
{
    sim_random r;
    sim_random_seed(&r, seed ^ ((uint64_t)i * 0xD1B54A32D192ED03ull));
    f->keys[i] = sim_random_next(&r);
    uint32_t sku = pick(sim_random_unit(&r), mix->sku, SIM_SKUS);
    uint8_t cls = sku_class[sku];
    f->sku[i] = sku;
    f->device_class[i] = cls;
    f->region[i] = pick(sim_random_unit(&r), mix->region, SIM_REGIONS);
    f->carrier[i] = (uint32_t)(sim_random_next(&r) % SIM_CARRIERS);
    double u = sim_random_unit(&r);
    f->revision[i] = u < 0.5 ? 0 : u < 0.85 ? 1 : 2;
    f->cluster[i] = sku * SIM_REVISIONS + f->revision[i];
    u = sim_random_unit(&r);
    if (cls == OTAPRIO_DEVICE_HANDSET || cls == OTAPRIO_DEVICE_KIOSK)
        f->customer_tier[i] = u < 0.80   ? OTAPRIO_CUSTOMER_STANDARD
                              : u < 0.95 ? OTAPRIO_CUSTOMER_BUSINESS
                                         : OTAPRIO_CUSTOMER_ENTERPRISE;
    else
        f->customer_tier[i] =
            u < 0.7 ? OTAPRIO_CUSTOMER_ENTERPRISE : OTAPRIO_CUSTOMER_CRITICAL;
    f->uptime[i] = cls == OTAPRIO_DEVICE_MEDICAL || wired(cls)
                       ? OTAPRIO_UPTIME_CONTINUOUS
                       : OTAPRIO_UPTIME_BUSINESS;
    f->redundant[i] = cls == OTAPRIO_DEVICE_ROUTER && sim_random_unit(&r) < 0.5;
    u = sim_random_unit(&r);
    if (wired(cls))
        f->link[i] = OTAPRIO_LINK_ETHERNET;
    else
        f->link[i] = u < 0.55   ? OTAPRIO_LINK_WIFI
                     : u < 0.95 ? OTAPRIO_LINK_CELLULAR
                                : OTAPRIO_LINK_ROAMING;
    f->metered[i] =
        f->link[i] == OTAPRIO_LINK_ROAMING ||
        (f->link[i] == OTAPRIO_LINK_CELLULAR && sim_random_unit(&r) < 0.5);
    f->battery[i] =
        wired(cls) ? 1.0f : (float)(0.15 + 0.85 * sim_random_unit(&r));
    f->charging[i] = wired(cls) || sim_random_unit(&r) < 0.3;
    f->free_bytes[i] = (uint64_t)(5e8 + 15e9 * sim_random_unit(&r));
    /* Old SKUs keep bootloader 1; a few devices already run os 13. */
    f->versions[SIM_BOOTLOADER][i] = sku >= 10 ? 0 : 1;
    u = sim_random_unit(&r);
    f->versions[SIM_OS][i] = u < 0.60 ? 0 : u < 0.95 ? 1 : 2;
    f->versions[SIM_MODEM][i] = sim_random_unit(&r) < 0.3 ? 0 : 1;
    u = sim_random_unit(&r);
    f->ring[i] = u < 0.001 ? 0 : u < 0.01 ? 1 : 2;
}

/* Every column array of a fleet with its element size, so that they are
 * allocated, grown and freed together. `pointer` is where the fleet keeps
 * the array's pointer; it is read and written with memcpy(), not through a
 * void ** that would alias a uint32_t * (C11 6.5p7). */
typedef struct column {
    void *pointer;
    size_t size;
} column;

enum { COLUMNS = 19 };

static void columns_of(sim_fleet *f, column out[COLUMNS])
{
#define COLUMN(field)                       \
    {                                       \
        (void *)&f->field, sizeof *f->field \
    }
    const column all[] = {
        COLUMN(keys),         COLUMN(sku),           COLUMN(region),
        COLUMN(carrier),      COLUMN(cluster),       COLUMN(versions[0]),
        COLUMN(versions[1]),  COLUMN(versions[2]),   COLUMN(revision),
        COLUMN(device_class), COLUMN(customer_tier), COLUMN(link),
        COLUMN(metered),      COLUMN(charging),      COLUMN(ring),
        COLUMN(uptime),       COLUMN(redundant),     COLUMN(battery),
        COLUMN(free_bytes)};
#undef COLUMN
    _Static_assert(sizeof all / sizeof all[0] == COLUMNS,
                   "COLUMNS counts the fleet's column arrays");
    _Static_assert(SIM_COMPONENTS == 3, "one COLUMN per component");
    memcpy(out, all, sizeof all);
}

int sim_fleet_reserve(sim_fleet *f, size_t capacity)
{
    column columns[COLUMNS];
    columns_of(f, columns);
    size_t n = capacity > 0 ? capacity : 1;
    for (size_t c = 0; c < COLUMNS; c++) {
        if (n > SIZE_MAX / columns[c].size)
            return -1;
        void *array;
        memcpy(&array, columns[c].pointer, sizeof array);
        void *grown = realloc(array, n * columns[c].size);
        if (grown == NULL)
            return -1;
        memcpy(columns[c].pointer, &grown, sizeof grown);
    }
    return 0;
}

void sim_fleet_free(sim_fleet *f)
{
    column columns[COLUMNS];
    columns_of(f, columns);
    for (size_t c = 0; c < COLUMNS; c++) {
        void *array;
        memcpy(&array, columns[c].pointer, sizeof array);
        free(array);
    }
    memset(f, 0, sizeof *f);
}

int sim_fleet_generate(uint64_t seed, size_t devices, const sim_mix *mix,
                       sim_fleet *f)
{
    sim_mix shares;
    if (mix == NULL) {
        sim_mix_default(&shares);
    } else {
        normalise(mix->sku, shares.sku, SIM_SKUS);
        normalise(mix->region, shares.region, SIM_REGIONS);
    }
    memset(f, 0, sizeof *f);
    if (sim_fleet_reserve(f, devices) != 0) {
        sim_fleet_free(f);
        return -1;
    }
    f->devices = devices;
    uint64_t per_sku[SIM_SKUS] = {0};
    for (size_t i = 0; i < devices; i++) {
        device_at(f, &shares, seed, i);
        per_sku[f->sku[i]]++;
    }
    for (int s = 0; s < SIM_SKUS; s++)
        f->sku_share[s] =
            devices > 0 ? (double)per_sku[s] / (double)devices : 0.0;
    return 0;
}

/* Components bootloader (1, 2), os (12.0, 12.1, 13.0), modem (1.0, 2.0);
 * packages: bootloader-2; os-13.0, which needs bootloader 2; and
 * os-13.0-any, the same fix for scenarios where no prerequisite is
 * missing. */
int sim_catalog_build(otaprio_catalog **catalog, otaprio_diag *diag)
{
    static const char *const names[SIM_COMPONENTS] = {"bootloader", "os",
                                                      "modem"};
    static const char *const versions[SIM_COMPONENTS][3] = {
        {"1", "2", NULL}, {"12.0", "12.1", "13.0"}, {"1.0", "2.0", NULL}};
    otaprio_catalog_builder *b = NULL;
    int status = otaprio_catalog_builder_create(NULL, &b, diag);
    for (uint32_t c = 0; status == OTAPRIO_OK && c < SIM_COMPONENTS; c++) {
        status = otaprio_catalog_add_component(b, names[c], strlen(names[c]),
                                               NULL, diag);
        for (int v = 0; status == OTAPRIO_OK && v < 3 && versions[c][v]; v++)
            status = otaprio_catalog_add_version(
                b, c, versions[c][v], strlen(versions[c][v]), NULL, diag);
    }
    static const struct {
        const char *name;
        uint64_t bytes;
    } packages[3] = {{"bootloader-2", 8000000},
                     {"os-13.0", 400000000},
                     {"os-13.0-any", 400000000}};
    for (uint32_t p = 0; status == OTAPRIO_OK && p < 3; p++) {
        otaprio_package package;
        otaprio_package_init(&package);
        package.name = packages[p].name;
        package.name_length = strlen(packages[p].name);
        package.download_bytes = packages[p].bytes;
        status = otaprio_catalog_add_package(b, &package, NULL, diag);
    }
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, SIM_PACKAGE_BOOTLOADER,
                                              OTAPRIO_RELATION_PROVIDES,
                                              SIM_BOOTLOADER, "2", 1, diag);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_add_relation(b, SIM_PACKAGE_FIX,
                                              OTAPRIO_RELATION_REQUIRES,
                                              SIM_BOOTLOADER, ">= 2", 4, diag);
    for (uint32_t p = SIM_PACKAGE_FIX;
         status == OTAPRIO_OK && p <= SIM_PACKAGE_FIX_ANY; p++)
        status = otaprio_catalog_add_relation(b, p, OTAPRIO_RELATION_PROVIDES,
                                              SIM_OS, "13.0", 4, diag);
    if (status == OTAPRIO_OK)
        status = otaprio_catalog_build(b, catalog, diag);
    otaprio_catalog_builder_free(b);
    return status;
}
