/* SPDX-License-Identifier: MIT */
/*
 * The catalog against known answers from an independent brute-force
 * reference (tests/vectors/gen_catalog_vectors.py): each stored catalog is
 * rebuilt through the public API and must give the same package graph,
 * release order, impact marks, eligibility masks, first failing relations
 * and update paths, NOT_FOUND cases included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio.h"
#include "package_fill.h"
#include "vectors/catalog_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static otaprio_catalog *build(const cv_catalog *v)
{
    otaprio_catalog_builder *b = NULL;
    assert_int_equal(otaprio_catalog_builder_create(NULL, &b, NULL),
                     OTAPRIO_OK);
    for (uint32_t c = 0; c < v->component_count; c++) {
        char name[16];
        int length = snprintf(name, sizeof name, "component-%u", c);
        uint32_t id = 99;
        assert_int_equal(
            otaprio_catalog_add_component(b, name, (size_t)length, &id, NULL),
            OTAPRIO_OK);
        assert_int_equal(id, c);
        for (uint32_t k = 0; k < v->version_count[c]; k++) {
            assert_int_equal(otaprio_catalog_add_version(
                                 b, c, v->versions[c][k],
                                 strlen(v->versions[c][k]), &id, NULL),
                             OTAPRIO_OK);
            assert_int_equal(id, k);
        }
    }
    for (uint32_t p = 0; p < v->package_count; p++) {
        const cv_package *f = &v->packages[p];
        otaprio_package package;
        otaprio_package_init(&package);
        FILL_PACKAGE(&package, f);
        uint32_t id = 99;
        assert_int_equal(otaprio_catalog_add_package(b, &package, &id, NULL),
                         OTAPRIO_OK);
        assert_int_equal(id, p);
        for (size_t r = 0; r < f->relation_count; r++) {
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            int status = otaprio_catalog_add_relation(
                b, p, f->relations[r].kind, f->relations[r].component,
                f->relations[r].text, strlen(f->relations[r].text), &diag);
            if (status != OTAPRIO_OK)
                fail_msg("relation \"%s\": %s", f->relations[r].text,
                         diag.message);
        }
    }
    otaprio_catalog *catalog = NULL;
    assert_int_equal(otaprio_catalog_build(b, &catalog, NULL), OTAPRIO_OK);
    otaprio_catalog_builder_free(b);
    return catalog;
}

typedef struct columns {
    const uint32_t *versions[CV_COMPONENTS];
} columns;

static void view(const cv_catalog *v, columns *c, otaprio_device_state *s)
{
    for (uint32_t k = 0; k < v->component_count; k++)
        c->versions[k] = v->installed[k];
    otaprio_device_state_init(s);
    s->count = v->device_count;
    s->versions = c->versions;
    s->component_count = v->component_count;
    s->carrier = v->carrier;
    s->region = v->region;
    s->enrollment = v->enrollment;
    s->battery = v->battery;
    s->charging = v->charging;
    s->free_bytes = v->free_bytes;
    s->metered = v->metered;
}

static void check_graph(const cv_catalog *v, const otaprio_catalog *catalog,
                        size_t index)
{
    const otaprio_graph *graph = otaprio_catalog_graph(catalog);
    assert_int_equal(otaprio_graph_edge_count(graph), v->edge_count);
    size_t e = 0;
    for (uint32_t p = 0; p < v->package_count; p++) {
        uint32_t out[CV_PACKAGES];
        size_t count = 0;
        assert_int_equal(
            otaprio_graph_neighbours(graph, p, OTAPRIO_DIRECTION_FORWARD, out,
                                     CV_PACKAGES, &count, NULL),
            OTAPRIO_OK);
        for (size_t i = 0; i < count; i++, e++) {
            if (e >= v->edge_count || v->edges[e][0] != p ||
                v->edges[e][1] != out[i])
                fail_msg("catalog %zu: unexpected edge %u -> %u", index, p,
                         out[i]);
        }
    }
    assert_int_equal(e, v->edge_count);

    uint32_t order[CV_PACKAGES];
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_release_order(catalog, order, &diag);
    if (v->acyclic) {
        assert_int_equal(status, OTAPRIO_OK);
        assert_memory_equal(order, v->order, v->package_count * sizeof *order);
    } else {
        assert_int_equal(status, OTAPRIO_E_CYCLE);
        assert_memory_equal(diag.message, "cycle: pkg-", 11);
    }
}

static void check_impact(const cv_catalog *v, const otaprio_catalog *catalog)
{
    uint8_t marks[CV_PACKAGES];
    uint64_t count = 99;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_catalog_impact(catalog, v->flaw_component, v->flaw,
                                        strlen(v->flaw), marks, &count, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("impact \"%s\": %s", v->flaw, diag.message);
    uint64_t hit = 0;
    for (uint32_t p = 0; p < v->package_count; p++) {
        assert_int_equal(marks[p], v->impact[p]);
        hit += v->impact[p] != 0;
    }
    assert_int_equal(count, hit);
}

static void check_eligibility(const cv_catalog *v,
                              const otaprio_catalog *catalog,
                              const otaprio_device_state *s, size_t index)
{
    for (uint32_t p = 0; p < v->package_count; p++) {
        uint32_t blocks[CV_DEVICES], first[CV_DEVICES];
        uint64_t eligible = 99, expected = 0;
        assert_int_equal(otaprio_catalog_check_devices(catalog, p, s, blocks,
                                                       first, &eligible, NULL),
                         OTAPRIO_OK);
        for (size_t d = 0; d < v->device_count; d++) {
            if (blocks[d] != v->blocks[p][d] ||
                first[d] != v->first_failed[p][d])
                fail_msg("catalog %zu package %u device %zu: blocks %#x "
                         "first %u, expected %#x and %u",
                         index, p, d, blocks[d], first[d], v->blocks[p][d],
                         v->first_failed[p][d]);
            expected += v->blocks[p][d] == 0;
        }
        assert_int_equal(eligible, expected);
    }
}

static void check_paths(const cv_catalog *v, const otaprio_catalog *catalog,
                        const otaprio_device_state *s, size_t index)
{
    for (size_t i = 0; i < v->path_count; i++) {
        const cv_path *want = &v->paths[i];
        uint32_t path[CV_STEPS + 4];
        size_t length = 99;
        uint64_t bytes = 99;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int status = otaprio_catalog_update_path(
            catalog, want->package, s, want->device, 0, path, COUNT(path),
            &length, &bytes, &diag);
        if (!want->found) {
            if (status != OTAPRIO_E_NOT_FOUND)
                fail_msg("catalog %zu package %u device %u: status %d, "
                         "expected NOT_FOUND",
                         index, want->package, want->device, status);
            continue;
        }
        if (status != OTAPRIO_OK)
            fail_msg("catalog %zu package %u device %u: %s", index,
                     want->package, want->device, diag.message);
        if (length != want->length ||
            memcmp(path, want->path, length * sizeof *path) != 0 ||
            bytes != want->bytes)
            fail_msg("catalog %zu package %u device %u: path of %zu steps "
                     "(%llu bytes), expected %zu (%llu bytes)",
                     index, want->package, want->device, length,
                     (unsigned long long)bytes, want->length,
                     (unsigned long long)want->bytes);
    }
}

static void catalogs_match_the_reference(void **state)
{
    (void)state;
    size_t paths = 0, multi_step = 0;
    for (size_t i = 0; i < COUNT(catalog_vectors); i++) {
        const cv_catalog *v = &catalog_vectors[i];
        otaprio_catalog *catalog = build(v);
        columns c;
        otaprio_device_state s;
        view(v, &c, &s);
        check_graph(v, catalog, i);
        check_impact(v, catalog);
        check_eligibility(v, catalog, &s, i);
        check_paths(v, catalog, &s, i);
        paths += v->path_count;
        for (size_t k = 0; k < v->path_count; k++)
            multi_step += v->paths[k].found && v->paths[k].length >= 2;
        otaprio_catalog_free(catalog);
    }
    /* The vectors must exercise real searches, not only trivial ones. */
    assert_true(paths > 500);
    assert_true(multi_step >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogs_match_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
