/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the package catalog: a small catalog built from the input
 * (component names, versions, packages with their predicates, relations;
 * malformed text, unknown ids and out-of-range fields included), then a
 * chunk of devices (unknown version ids, NaN batteries and bad flags
 * included) put to every query.
 *
 * The input is read front to back as a series of choices; once it runs
 * out every choice reads zero, which picks the common case. Any crash,
 * sanitizer report or broken invariant (abort) is a finding. The
 * invariants are the header's promises: documented statuses only, outputs
 * untouched on failure, ids dense and found again by name, eligibility of
 * a chunk equal to its devices one by one, an unknown code
 * (OTAPRIO_CODE_UNKNOWN) refused in package lists and judged on a device
 * as a NULL column is, update paths whose every step the eligibility
 * check allows and that end with the target's requirements met, release
 * orders that respect every edge, impact marks in {0, 1, 2} that add up
 * to the count, chains in ascending order.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/graph.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    MAX_COMPONENTS = 4,
    MAX_PACKAGES = 6,
    MAX_DEVICES = 8,
    MAX_RELATIONS = 24,
    MAX_STEPS = 16,
    SENTINEL = 0xA5
};

/* Text: mostly from a table of well-formed and malformed versions and
 * constraints, sometimes raw bytes (NULs and long runs included). */
typedef struct text {
    char bytes[300];
    size_t length;
} text;

static void take_text(input *in, text *out)
{
    static const char *const table[] = {
        "1",    "2",       "3",         "1.0",       "2.0.0",    "v3",
        "10",   "1.2-rc1", "1.2+b7",    "1a",        ">= 2",     "< 3",
        "==1",  "*",       ">= 1, < 3", "> 1, <= 2", "> 3, < 1", ">= 2, < 2",
        "1..2", "",        ">=",        "-1",        "v",        ">= v1.0.0",
        " 2 ",  "=2",      "<= 1.0-a",  "1.0-",      "+b",       ", 1"};
    uint8_t pick = take_u8(in);
    if (pick < 224) {
        const char *t = table[pick % COUNT(table)];
        out->length = strlen(t);
        memcpy(out->bytes, t, out->length);
        return;
    }
    size_t length = take_u8(in);
    if (pick >= 250)
        length += 200; /* past OTAPRIO_VERSION_TEXT_MAX sometimes */
    if (length > sizeof out->bytes)
        length = sizeof out->bytes;
    for (size_t i = 0; i < length; i++)
        out->bytes[i] = (char)take_u8(in);
    out->length = length;
}

static float take_float(input *in)
{
    static const float special[] = {0.0f,  0.5f,       1.0f,
                                    0.25f, -0.0f,      1.5f,
                                    -0.5f, (float)NAN, (float)INFINITY};
    uint8_t pick = take_u8(in);
    if (pick < 200)
        return special[pick % 4];
    return special[pick % COUNT(special)];
}

static bool is_status(int s)
{
    return s <= 0 && s >= OTAPRIO_E_LIMIT;
}

/* What the harness knows of the catalog it built. */
typedef struct model {
    uint32_t components, packages;
    text provided[MAX_PACKAGES][MAX_COMPONENTS];
    bool provides[MAX_PACKAGES][MAX_COMPONENTS];
    uint32_t provided_id[MAX_PACKAGES][MAX_COMPONENTS];
} model;

static void build_components(input *in, otaprio_catalog_builder *b, model *m)
{
    uint32_t wanted = 1 + take_u8(in) % MAX_COMPONENTS;
    for (uint32_t c = 0; c < wanted; c++) {
        char name[8];
        int length = snprintf(name, sizeof name, "c%u", take_u8(in) % 6);
        uint32_t id = UINT32_MAX;
        int s =
            otaprio_catalog_add_component(b, name, (size_t)length, &id, NULL);
        CHECK(s == OTAPRIO_OK);
        CHECK(id <= m->components);
        if (id == m->components)
            m->components++;
        for (uint32_t v = take_u8(in) % 4; v > 0; v--) {
            text t;
            take_text(in, &t);
            uint32_t vid = 12345;
            s = otaprio_catalog_add_version(b, id, t.bytes, t.length, &vid,
                                            NULL);
            CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_SYNTAX ||
                  s == OTAPRIO_E_RANGE);
            CHECK(s == OTAPRIO_OK || vid == 12345);
        }
    }
    /* An unknown component. */
    CHECK(otaprio_catalog_add_version(b, m->components, "1", 1, NULL, NULL) ==
          OTAPRIO_E_RANGE);
}

/* A small code, or now and then OTAPRIO_CODE_UNKNOWN. */
static uint32_t take_code(input *in, uint32_t count)
{
    uint8_t pick = take_u8(in);
    return pick >= 250 ? OTAPRIO_CODE_UNKNOWN : pick % count;
}

static bool holds_unknown(const uint32_t *codes, size_t count)
{
    for (size_t i = 0; codes != NULL && i < count; i++)
        if (codes[i] == OTAPRIO_CODE_UNKNOWN)
            return true;
    return false;
}

static void build_packages(input *in, otaprio_catalog_builder *b, model *m)
{
    uint32_t wanted = 1 + take_u8(in) % MAX_PACKAGES;
    for (uint32_t i = 0; i < wanted; i++) {
        otaprio_package p;
        otaprio_package_init(&p);
        char name[8];
        int length = snprintf(name, sizeof name, "p%u", take_u8(in) % 8);
        p.name = name;
        p.name_length = (size_t)length;
        p.download_bytes = take_u8(in) < 8 ? UINT64_MAX : take_u8(in);
        p.install_bytes = take_u8(in) % 4 == 3 ? 1000 : 0;
        p.min_battery = take_u8(in) % 4 == 3 ? take_float(in) : 0.0f;
        p.allow_metered = (uint8_t)(take_u8(in) % 4 == 3 ? take_u8(in) % 3 : 1);
        uint32_t codes[3] = {take_code(in, 3), take_code(in, 3), 1};
        uint8_t lists = take_u8(in);
        if (lists & 1) {
            p.carriers = codes;
            p.carrier_count = 1 + take_u8(in) % 3;
        }
        if (lists & 2) {
            p.regions = codes;
            p.region_count = 1 + take_u8(in) % 3;
        }
        if (lists & 4) {
            p.denied_regions = codes + 1;
            p.denied_region_count = 1;
        }
        if (lists & 8) {
            p.enrollments = codes;
            p.enrollment_count = 2;
        }
        if (lists & 16)
            p.region_count = 1; /* NULL list with a count, or a fine one */
        uint32_t id = 12345;
        int s = otaprio_catalog_add_package(b, &p, &id, NULL);
        CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_DUPLICATE ||
              s == OTAPRIO_E_RANGE || s == OTAPRIO_E_INVALID);
        /* The unknown code is no package's code. */
        CHECK(s != OTAPRIO_OK ||
              !(holds_unknown(p.carriers, p.carrier_count) ||
                holds_unknown(p.regions, p.region_count) ||
                holds_unknown(p.denied_regions, p.denied_region_count) ||
                holds_unknown(p.enrollments, p.enrollment_count)));
        if (s != OTAPRIO_OK) {
            CHECK(id == 12345);
            continue;
        }
        CHECK(id == m->packages);
        m->packages++;
    }
}

static void build_relations(input *in, otaprio_catalog_builder *b, model *m)
{
    uint32_t wanted = take_u8(in) % MAX_RELATIONS;
    for (uint32_t i = 0; i < wanted; i++) {
        uint8_t pick = take_u8(in);
        uint32_t package = m->packages == 0 ? 0 : pick % (m->packages + 1);
        int32_t kind = (int32_t)(take_u8(in) % 4);
        uint32_t component = take_u8(in) % (m->components + 1);
        text t;
        take_text(in, &t);
        int s = otaprio_catalog_add_relation(b, package, kind, component,
                                             t.bytes, t.length, NULL);
        CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_RANGE ||
              s == OTAPRIO_E_SYNTAX || s == OTAPRIO_E_DUPLICATE);
        bool known = package < m->packages && component < m->components;
        CHECK(known || s == OTAPRIO_E_RANGE);
        CHECK(kind != 3 || s == OTAPRIO_E_RANGE);
        if (s == OTAPRIO_OK && kind == OTAPRIO_RELATION_PROVIDES) {
            CHECK(!m->provides[package][component]);
            m->provides[package][component] = true;
            m->provided[package][component] = t;
        }
        if (s == OTAPRIO_E_DUPLICATE)
            CHECK(kind == OTAPRIO_RELATION_PROVIDES &&
                  m->provides[package][component]);
    }
}

/* The device chunk, with its columns owned here. */
typedef struct fleet {
    uint32_t versions[MAX_COMPONENTS][MAX_DEVICES];
    const uint32_t *columns[MAX_COMPONENTS];
    uint32_t carrier[MAX_DEVICES], region[MAX_DEVICES];
    uint32_t enrollment[MAX_DEVICES];
    float battery[MAX_DEVICES];
    uint8_t charging[MAX_DEVICES], metered[MAX_DEVICES];
    uint64_t free_bytes[MAX_DEVICES];
    otaprio_device_state state;
} fleet;

static void make_fleet(input *in, const otaprio_catalog *catalog,
                       const model *m, fleet *f)
{
    otaprio_device_state_init(&f->state);
    f->state.count = take_u8(in) % (MAX_DEVICES + 1);
    f->state.component_count = m->components;
    uint8_t nulls = take_u8(in);
    for (uint32_t c = 0; c < m->components; c++) {
        otaprio_catalog_info info;
        info.size = sizeof info;
        CHECK(otaprio_catalog_get_info(catalog, &info, NULL) == OTAPRIO_OK);
        for (size_t d = 0; d < f->state.count; d++) {
            uint8_t pick = take_u8(in);
            /* Mostly small ids (some beyond the component's), NONE too. */
            f->versions[c][d] =
                pick >= 250 ? OTAPRIO_VERSION_NONE - (pick & 1) : pick % 5;
        }
        f->columns[c] = (nulls >> c) & 1 ? NULL : f->versions[c];
    }
    f->state.versions = m->components != 0 ? f->columns : NULL;
    for (size_t d = 0; d < f->state.count; d++) {
        f->carrier[d] = take_code(in, 3);
        f->region[d] = take_code(in, 3);
        f->enrollment[d] = take_code(in, 2);
        f->battery[d] = take_float(in);
        f->charging[d] = take_u8(in) % 4 == 3 ? 2 : take_u8(in) % 2;
        f->metered[d] = take_u8(in) % 2;
        f->free_bytes[d] = take_u8(in) % 2 ? 5000 : 0;
    }
    f->state.carrier = (nulls & 16) ? NULL : f->carrier;
    f->state.region = (nulls & 32) ? NULL : f->region;
    f->state.enrollment = (nulls & 64) ? NULL : f->enrollment;
    f->state.battery = (nulls & 128) ? NULL : f->battery;
    f->state.charging = f->charging;
    f->state.metered = f->metered;
    f->state.free_bytes = f->free_bytes;
}

/* One device of the chunk, at the given versions. */
typedef struct single {
    uint32_t versions[MAX_COMPONENTS];
    const uint32_t *columns[MAX_COMPONENTS];
    otaprio_device_state state;
} single;

static void single_of(const fleet *f, uint32_t components, size_t d,
                      single *one)
{
    one->state = f->state;
    one->state.count = 1;
    for (uint32_t c = 0; c < components; c++) {
        one->versions[c] = f->state.versions[c] != NULL
                               ? f->state.versions[c][d]
                               : OTAPRIO_VERSION_NONE;
        one->columns[c] = &one->versions[c];
    }
    one->state.versions = components != 0 ? one->columns : NULL;
#define SHIFT(column) \
    one->state.column = f->state.column ? f->state.column + d : NULL
    SHIFT(carrier);
    SHIFT(region);
    SHIFT(enrollment);
    SHIFT(battery);
    SHIFT(charging);
    SHIFT(metered);
    SHIFT(free_bytes);
#undef SHIFT
}

static uint32_t blocks_of(const otaprio_catalog *catalog, uint32_t package,
                          const single *one)
{
    uint32_t blocks = 0;
    CHECK(otaprio_catalog_check_devices(catalog, package, &one->state, &blocks,
                                        NULL, NULL, NULL) == OTAPRIO_OK);
    return blocks;
}

static void check_eligibility(const otaprio_catalog *catalog, const model *m,
                              const fleet *f)
{
    uint32_t blocks[MAX_DEVICES + 1], first[MAX_DEVICES + 1];
    uint64_t eligible = 99;
    memset(blocks, SENTINEL, sizeof blocks);
    memset(first, SENTINEL, sizeof first);
    int s = otaprio_catalog_check_devices(catalog, 0, &f->state, blocks, first,
                                          &eligible, NULL);
    CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_RANGE);
    if (s != OTAPRIO_OK) {
        CHECK(eligible == 99 && blocks[0] == 0xA5A5A5A5u);
        return;
    }
    for (uint32_t p = 0; p < m->packages; p++) {
        CHECK(otaprio_catalog_check_devices(catalog, p, &f->state, blocks,
                                            first, &eligible,
                                            NULL) == OTAPRIO_OK);
        CHECK(blocks[f->state.count] == 0xA5A5A5A5u);
        uint64_t counted = 0;
        for (size_t d = 0; d < f->state.count; d++) {
            single one;
            single_of(f, m->components, d, &one);
            uint32_t b1 = 0, f1 = 0;
            CHECK(otaprio_catalog_check_devices(catalog, p, &one.state, &b1,
                                                &f1, NULL, NULL) == OTAPRIO_OK);
            CHECK(b1 == blocks[d] && f1 == first[d]);
            CHECK(b1 < (1u << 10));
            /* An unknown code is judged as a NULL column. */
            single nulled = one;
            if (one.state.carrier && *one.state.carrier == OTAPRIO_CODE_UNKNOWN)
                nulled.state.carrier = NULL;
            if (one.state.region && *one.state.region == OTAPRIO_CODE_UNKNOWN)
                nulled.state.region = NULL;
            if (one.state.enrollment &&
                *one.state.enrollment == OTAPRIO_CODE_UNKNOWN)
                nulled.state.enrollment = NULL;
            CHECK(blocks_of(catalog, p, &nulled) == b1);
            CHECK((f1 != UINT32_MAX) == ((b1 & (OTAPRIO_BLOCK_REQUIREMENT |
                                                OTAPRIO_BLOCK_CONFLICT)) != 0));
            counted += b1 == 0;
        }
        CHECK(counted == eligible);
    }
}

/* Replays a path with the eligibility check as the judge. */
static void check_path(const otaprio_catalog *catalog, const model *m,
                       const fleet *f, uint32_t target, size_t d,
                       const uint32_t *path, size_t length)
{
    single one;
    single_of(f, m->components, d, &one);
    for (size_t i = 0; i < length; i++) {
        uint32_t p = path[i];
        CHECK(p < m->packages && p != target);
        CHECK((blocks_of(catalog, p, &one) &
               ~(uint32_t)OTAPRIO_BLOCK_CURRENT) == 0);
        bool changed = false;
        for (uint32_t c = 0; c < m->components; c++) {
            if (!m->provides[p][c])
                continue;
            changed |= one.versions[c] != m->provided_id[p][c];
            one.versions[c] = m->provided_id[p][c];
        }
        CHECK(changed);
    }
    CHECK((blocks_of(catalog, target, &one) &
           (OTAPRIO_BLOCK_REQUIREMENT | OTAPRIO_BLOCK_CONFLICT)) == 0);
}

static void check_paths(input *in, const otaprio_catalog *catalog,
                        const model *m, const fleet *f)
{
    uint64_t max_states = take_u8(in) % 4 == 3 ? 1 + take_u8(in) % 8 : 0;
    for (uint32_t p = 0; p < m->packages; p++) {
        for (size_t d = 0; d < f->state.count; d++) {
            /* Only this device's row is checked by a path search. */
            single one;
            single_of(f, m->components, d, &one);
            uint32_t ignored;
            bool valid =
                otaprio_catalog_check_devices(catalog, p, &one.state, &ignored,
                                              NULL, NULL, NULL) == OTAPRIO_OK;
            uint32_t path[MAX_STEPS + 1];
            memset(path, SENTINEL, sizeof path);
            size_t length = 99;
            uint64_t bytes = 99;
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            int s = otaprio_catalog_update_path(catalog, p, &f->state, d,
                                                max_states, path, MAX_STEPS,
                                                &length, &bytes, &diag);
            CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_NOT_FOUND ||
                  s == OTAPRIO_E_LIMIT || s == OTAPRIO_E_RANGE ||
                  s == OTAPRIO_E_OVERFLOW);
            CHECK(s == OTAPRIO_OK || diag.status == s);
            if (s == OTAPRIO_E_RANGE && valid)
                CHECK(length > MAX_STEPS); /* only a short path buffer */
            if (s != OTAPRIO_OK) {
                CHECK(path[0] == 0xA5A5A5A5u && bytes == 99);
                continue;
            }
            CHECK(valid && length <= MAX_STEPS);
            CHECK(path[length] == 0xA5A5A5A5u);
            check_path(catalog, m, f, p, d, path, length);
        }
    }
}

static void check_graph(const otaprio_catalog *catalog, const model *m)
{
    uint32_t order[MAX_PACKAGES + 1];
    memset(order, SENTINEL, sizeof order);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int s = otaprio_catalog_release_order(catalog, order, &diag);
    CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_CYCLE);
    CHECK(order[m->packages] == 0xA5A5A5A5u);
    const otaprio_graph *g = otaprio_catalog_graph(catalog);
    CHECK(otaprio_graph_node_count(g) == m->packages);
    if (s == OTAPRIO_E_CYCLE) {
        CHECK(strncmp(diag.message, "cycle: ", 7) == 0);
        CHECK(strlen(diag.message) < OTAPRIO_DIAG_MESSAGE_MAX);
        return;
    }
    uint32_t place[MAX_PACKAGES];
    for (uint32_t i = 0; i < m->packages; i++)
        place[order[i]] = i;
    for (uint32_t u = 0; u < m->packages; u++) {
        uint32_t out[MAX_PACKAGES];
        size_t count = 0;
        CHECK(otaprio_graph_neighbours(g, u, OTAPRIO_DIRECTION_FORWARD, out,
                                       MAX_PACKAGES, &count,
                                       NULL) == OTAPRIO_OK);
        for (size_t i = 0; i < count; i++)
            CHECK(place[u] < place[out[i]]);
    }
}

static void check_impact(input *in, const otaprio_catalog *catalog,
                         const model *m, const fleet *f)
{
    text t;
    take_text(in, &t);
    uint32_t component = take_u8(in) % (m->components + 1);
    uint8_t marks[MAX_PACKAGES + 1];
    memset(marks, SENTINEL, sizeof marks);
    uint64_t count = 99;
    int s = otaprio_catalog_impact(catalog, component, t.bytes, t.length, marks,
                                   &count, NULL);
    CHECK(s == OTAPRIO_OK || s == OTAPRIO_E_RANGE || s == OTAPRIO_E_SYNTAX);
    CHECK(marks[m->packages] == SENTINEL);
    if (s == OTAPRIO_OK) {
        uint64_t hit = 0;
        for (uint32_t p = 0; p < m->packages; p++) {
            CHECK(marks[p] <= 2);
            hit += marks[p] != 0;
        }
        CHECK(hit == count);
    } else {
        CHECK(count == 99 && marks[0] == SENTINEL);
    }
    uint8_t device_marks[MAX_DEVICES + 1];
    memset(device_marks, SENTINEL, sizeof device_marks);
    count = 99;
    int sd =
        otaprio_catalog_impact_devices(catalog, component, t.bytes, t.length,
                                       &f->state, device_marks, &count, NULL);
    CHECK(is_status(sd));
    CHECK(s != OTAPRIO_OK || sd == OTAPRIO_OK || sd == OTAPRIO_E_RANGE);
    CHECK(device_marks[f->state.count] == SENTINEL);
    if (sd == OTAPRIO_OK) {
        uint64_t hit = 0;
        for (size_t d = 0; d < f->state.count; d++) {
            CHECK(device_marks[d] <= 2);
            hit += device_marks[d] != 0;
        }
        CHECK(hit == count);
    } else {
        CHECK(count == 99 && device_marks[0] == SENTINEL);
    }
}

static void check_lookups(const otaprio_catalog *catalog, const model *m)
{
    for (uint32_t p = 0; p < m->packages; p++) {
        const char *name = NULL;
        size_t length = 0;
        CHECK(otaprio_catalog_name(catalog, OTAPRIO_NAME_PACKAGE, 0, p, &name,
                                   &length, NULL) == OTAPRIO_OK);
        uint32_t id = UINT32_MAX;
        CHECK(otaprio_catalog_package_id(catalog, name, length, &id, NULL) ==
              OTAPRIO_OK);
        CHECK(id == p);
        uint32_t chain[MAX_COMPONENTS];
        size_t count = 0;
        CHECK(otaprio_catalog_chain_components(catalog, p, chain,
                                               MAX_COMPONENTS, &count,
                                               NULL) == OTAPRIO_OK);
        for (size_t i = 0; i < count; i++)
            CHECK(chain[i] < m->components &&
                  (i == 0 || chain[i - 1] < chain[i]));
    }
    otaprio_catalog_info info;
    info.size = sizeof info;
    CHECK(otaprio_catalog_get_info(catalog, &info, NULL) == OTAPRIO_OK);
    CHECK(info.component_count == m->components &&
          info.package_count == m->packages);
    for (uint32_t c = 0; c < m->components; c++) {
        const char *name = NULL;
        size_t length = 0;
        CHECK(otaprio_catalog_name(catalog, OTAPRIO_NAME_COMPONENT, 0, c, &name,
                                   &length, NULL) == OTAPRIO_OK);
        uint32_t id = UINT32_MAX;
        CHECK(otaprio_catalog_component_id(catalog, name, length, &id, NULL) ==
                  OTAPRIO_OK &&
              id == c);
        /* Every version is found again by its own text. */
        for (uint32_t v = 0;; v++) {
            const char *vt = NULL;
            size_t vl = 0;
            if (otaprio_catalog_name(catalog, OTAPRIO_NAME_VERSION, c, v, &vt,
                                     &vl, NULL) != OTAPRIO_OK)
                break;
            uint32_t found = UINT32_MAX;
            CHECK(otaprio_catalog_version_id(catalog, c, vt, vl, &found,
                                             NULL) == OTAPRIO_OK);
            CHECK(found == v);
        }
    }
}

static void resolve_provided(const otaprio_catalog *catalog, model *m)
{
    for (uint32_t p = 0; p < m->packages; p++)
        for (uint32_t c = 0; c < m->components; c++)
            if (m->provides[p][c])
                CHECK(otaprio_catalog_version_id(
                          catalog, c, m->provided[p][c].bytes,
                          m->provided[p][c].length, &m->provided_id[p][c],
                          NULL) == OTAPRIO_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    otaprio_catalog_builder *b = NULL;
    CHECK(otaprio_catalog_builder_create(NULL, &b, NULL) == OTAPRIO_OK);
    model m;
    memset(&m, 0, sizeof m);
    build_components(&in, b, &m);
    build_packages(&in, b, &m);
    build_relations(&in, b, &m);
    otaprio_catalog *catalog = NULL;
    CHECK(otaprio_catalog_build(b, &catalog, NULL) == OTAPRIO_OK);
    otaprio_catalog_builder_free(b);
    resolve_provided(catalog, &m);
    check_lookups(catalog, &m);
    check_graph(catalog, &m);
    fleet f;
    make_fleet(&in, catalog, &m, &f);
    check_eligibility(catalog, &m, &f);
    check_paths(&in, catalog, &m, &f);
    check_impact(&in, catalog, &m, &f);
    otaprio_catalog_free(catalog);
    return 0;
}
