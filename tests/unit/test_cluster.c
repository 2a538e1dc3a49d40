/* SPDX-License-Identifier: MIT */
/*
 * Shared-fate clusters: known answers from an independent reference
 * (tests/vectors/gen_cluster_vectors.py, NumPy's unique over rows), a slow
 * quadratic reference for the properties (chunk splits, masks, coverage,
 * reports), tuples that differ in one place or share a hash, bad input that
 * changes nothing, and every allocation failure of create and add.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "cluster_internal.h"
#include "splitmix.h"
#include "vectors/cluster_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define MAX_WIDTH OTAPRIO_CLUSTER_MAX_ATTRIBUTES

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

static otaprio_clusterer *make(size_t width)
{
    otaprio_clusterer *c = NULL;
    assert_int_equal(otaprio_clusterer_create(width, NULL, &c, NULL),
                     OTAPRIO_OK);
    assert_non_null(c);
    return c;
}

/* ---- a fleet of columns ------------------------------------------------ */

/* `width` columns of `n` values; a column may be NULL (all zeros). */
typedef struct fleet {
    size_t width, n;
    uint32_t *data; /* width * n, column after column */
    const uint32_t *columns[MAX_WIDTH];
    uint8_t *include, *cohort; /* NULL or n flags */
} fleet;

/* Values are drawn from `values` (a pool of `pool` values) so that tuples
 * repeat; columns whose bit is set in `absent` are NULL. */
static fleet fleet_make(size_t width, size_t n, uint64_t seed,
                        const uint32_t *values, size_t pool, uint64_t absent,
                        bool masks)
{
    fleet f;
    memset(&f, 0, sizeof f);
    f.width = width;
    f.n = n;
    f.data = xcalloc(width * n, sizeof *f.data);
    uint64_t s = seed;
    for (size_t a = 0; a < width; a++) {
        for (size_t i = 0; i < n; i++)
            f.data[a * n + i] = values[splitmix_next(&s) % pool];
        f.columns[a] = (absent >> a) & 1 ? NULL : f.data + a * n;
    }
    if (masks) {
        f.include = xcalloc(n, 1);
        f.cohort = xcalloc(n, 1);
        for (size_t i = 0; i < n; i++) {
            f.include[i] = splitmix_next(&s) % 4 != 0;
            f.cohort[i] = splitmix_next(&s) % 3 == 0;
        }
    }
    return f;
}

static void fleet_free(fleet *f)
{
    free(f->data);
    free(f->include);
    free(f->cohort);
}

/* Columns, include and cohort from device `first` on. */
typedef struct slice {
    const uint32_t *columns[MAX_WIDTH];
    const uint8_t *include, *cohort;
} slice;

static slice slice_at(const fleet *f, size_t first)
{
    slice s;
    for (size_t a = 0; a < f->width; a++)
        s.columns[a] = f->columns[a] != NULL ? f->columns[a] + first : NULL;
    s.include = f->include != NULL ? f->include + first : NULL;
    s.cohort = f->cohort != NULL ? f->cohort + first : NULL;
    return s;
}

/* Value of attribute `a` of device `i` as the library must see it. */
static uint32_t value_of(const fleet *f, size_t a, size_t i)
{
    return f->columns[a] != NULL ? f->columns[a][i] : 0;
}

/* ---- the slow reference ------------------------------------------------ */

/* First-appearance numbering by linear search over the distinct tuples:
 * quadratic, and obviously right. */
typedef struct slow_ref {
    size_t width;
    uint32_t count;
    uint32_t *values; /* room for n tuples */
    uint64_t *members, *cohort;
} slow_ref;

static slow_ref slow_run(const fleet *f, uint32_t *cluster)
{
    slow_ref r;
    r.width = f->width;
    r.count = 0;
    r.values = xcalloc(f->n * f->width, sizeof *r.values);
    r.members = xcalloc(f->n, sizeof *r.members);
    r.cohort = xcalloc(f->n, sizeof *r.cohort);
    uint32_t row[MAX_WIDTH];
    for (size_t i = 0; i < f->n; i++) {
        if (f->include != NULL && f->include[i] == 0) {
            cluster[i] = UINT32_MAX;
            continue;
        }
        for (size_t a = 0; a < f->width; a++)
            row[a] = value_of(f, a, i);
        uint32_t id = 0;
        while (id < r.count &&
               memcmp(r.values + id * f->width, row, 4 * f->width) != 0)
            id++;
        if (id == r.count)
            memcpy(r.values + r.count++ * f->width, row, 4 * f->width);
        r.members[id]++;
        r.cohort[id] += f->cohort != NULL ? f->cohort[i] : 0;
        cluster[i] = id;
    }
    return r;
}

static void slow_free(slow_ref *r)
{
    free(r->values);
    free(r->members);
    free(r->cohort);
}

/* ---- the whole observable state of a clusterer ------------------------- */

typedef struct snapshot {
    uint32_t count;
    size_t width;
    uint64_t *members, *cohort;
    uint32_t *values;
} snapshot;

static snapshot take(const otaprio_clusterer *c, size_t width)
{
    snapshot s;
    s.count = otaprio_clusterer_count(c);
    s.width = width;
    s.members = xcalloc(s.count, sizeof *s.members);
    s.cohort = xcalloc(s.count, sizeof *s.cohort);
    s.values = xcalloc((size_t)s.count * width, sizeof *s.values);
    assert_int_equal(otaprio_clusterer_report(c, 0, s.count, s.members,
                                              s.cohort, s.values, NULL),
                     OTAPRIO_OK);
    return s;
}

static void assert_same_state(const snapshot *a, const snapshot *b)
{
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->width, b->width);
    assert_memory_equal(a->members, b->members, a->count * sizeof *a->members);
    assert_memory_equal(a->cohort, b->cohort, a->count * sizeof *a->cohort);
    assert_memory_equal(a->values, b->values,
                        a->count * a->width * sizeof *a->values);
}

static void assert_state_is(const otaprio_clusterer *c, const snapshot *s)
{
    snapshot now = take(c, s->width);
    assert_same_state(&now, s);
    free(now.members);
    free(now.cohort);
    free(now.values);
}

static void drop(snapshot *s)
{
    free(s->members);
    free(s->cohort);
    free(s->values);
}

static void assert_matches_slow(const otaprio_clusterer *c, const slow_ref *r)
{
    snapshot s = take(c, r->width);
    assert_int_equal(s.count, r->count);
    assert_memory_equal(s.members, r->members, r->count * sizeof *r->members);
    assert_memory_equal(s.cohort, r->cohort, r->count * sizeof *r->cohort);
    assert_memory_equal(s.values, r->values,
                        (size_t)r->count * r->width * sizeof *r->values);
    drop(&s);
}

/* Adds devices [first, first + count) of the fleet. */
static int add_range(otaprio_clusterer *c, const fleet *f, size_t first,
                     size_t count, uint32_t *cluster, otaprio_diag *diag)
{
    slice s = slice_at(f, first);
    return otaprio_clusterer_add(c, s.columns, count, s.include, s.cohort,
                                 cluster != NULL ? cluster + first : NULL,
                                 diag);
}

/* ---- known answers ----------------------------------------------------- */

static void check_vector(const cluster_vector *v, size_t chunk)
{
    const size_t n = v->device_count, k = v->attribute_count;
    const uint32_t *columns[MAX_WIDTH];
    otaprio_clusterer *c = make(k);
    uint32_t *cluster = xcalloc(n, sizeof *cluster);
    for (size_t first = 0; first < n; first += chunk) {
        size_t count = n - first < chunk ? n - first : chunk;
        for (size_t a = 0; a < k; a++)
            columns[a] = v->present[a] ? v->columns + a * n + first : NULL;
        assert_int_equal(
            otaprio_clusterer_add(
                c, columns, count, v->include ? v->include + first : NULL,
                v->cohort ? v->cohort + first : NULL, cluster + first, NULL),
            OTAPRIO_OK);
    }
    assert_memory_equal(cluster, v->cluster, n * sizeof *cluster);
    snapshot s = take(c, k);
    assert_int_equal(s.count, v->cluster_count);
    assert_memory_equal(s.members, v->members, s.count * sizeof *s.members);
    assert_memory_equal(s.cohort, v->cohort_members,
                        s.count * sizeof *s.cohort);
    assert_memory_equal(s.values, v->values, s.count * k * sizeof *s.values);
    drop(&s);
    free(cluster);
    otaprio_clusterer_free(c);
}

static void clusters_match_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(cluster_vectors); i++) {
        /* Whole, and in chunks of every shape down to one device. */
        const size_t chunks[] = {SIZE_MAX, 1000, 97, 8, 1};
        for (size_t j = 0; j < COUNT(chunks); j++)
            check_vector(&cluster_vectors[i], chunks[j]);
    }
}

/* ---- properties -------------------------------------------------------- */

static const uint32_t small_pool[] = {0, 1, 2, 3, 4, 5};
static const uint32_t edge_pool[] = {0,          1,          0x7FFFFFFF,
                                     0x80000000, 0xFFFFFFFE, UINT32_MAX};

/* The fleets the properties run on: narrow and wide, few and many
 * clusters, absent columns, with and without masks. */
static fleet property_fleet(int which)
{
    static uint32_t wide_pool[3000];
    uint64_t s = 99;
    for (size_t i = 0; i < COUNT(wide_pool); i++)
        wide_pool[i] = (uint32_t)splitmix_next(&s);
    switch (which) {
    case 0:
        return fleet_make(3, 5000, 1, small_pool, 4, 0, false);
    case 1:
        return fleet_make(3, 5000, 2, edge_pool, COUNT(edge_pool), 0, true);
    case 2:
        return fleet_make(2, 6000, 3, wide_pool, COUNT(wide_pool), 0, true);
    case 3:
        return fleet_make(7, 3000, 4, small_pool, 2, 0x22, true);
    default:
        return fleet_make(MAX_WIDTH, 1500, 5, edge_pool, 2,
                          UINT64_C(0xF0F0F0F0F0F0F0F0), false);
    }
}
#define PROPERTY_FLEETS 5

static void chunk_splits_do_not_change_anything(void **state)
{
    (void)state;
    for (int which = 0; which < PROPERTY_FLEETS; which++) {
        fleet f = property_fleet(which);
        uint32_t *expected = xcalloc(f.n, sizeof *expected);
        slow_ref r = slow_run(&f, expected);
        uint32_t *cluster = xcalloc(f.n, sizeof *cluster);
        /* Fixed chunk sizes, then random cuts (empty chunks included). */
        const size_t sizes[] = {f.n, 1, 2, 3, 64, 1000, 0};
        for (size_t j = 0; j < COUNT(sizes); j++) {
            otaprio_clusterer *c = make(f.width);
            memset(cluster, 0xCC, f.n * sizeof *cluster);
            uint64_t s = 7 + j;
            for (size_t first = 0; first < f.n;) {
                size_t size =
                    sizes[j] != 0 ? sizes[j] : splitmix_next(&s) % 300;
                if (size > f.n - first)
                    size = f.n - first;
                assert_int_equal(add_range(c, &f, first, size, cluster, NULL),
                                 OTAPRIO_OK);
                first += size;
            }
            assert_memory_equal(cluster, expected, f.n * sizeof *cluster);
            assert_matches_slow(c, &r);
            otaprio_clusterer_free(c);
        }
        slow_free(&r);
        free(cluster);
        free(expected);
        fleet_free(&f);
    }
}

/* Same id exactly when same tuple, checked over every pair. */
static void assert_ids_follow_tuples(const fleet *f, const uint32_t *cluster)
{
    for (size_t i = 0; i < f->n; i++) {
        for (size_t j = i + 1; j < f->n; j++) {
            bool same = true;
            for (size_t a = 0; a < f->width && same; a++)
                same = value_of(f, a, i) == value_of(f, a, j);
            assert_int_equal(same, cluster[i] == cluster[j]);
        }
    }
}

static void equal_tuples_share_an_id_and_others_never_do(void **state)
{
    (void)state;
    /* Every tuple of four extreme values, twice over in shuffled order:
     * many pairs differ in one attribute only, in any of the four. */
    const uint32_t values[] = {0, 1, 0x80000000, UINT32_MAX};
    fleet f;
    memset(&f, 0, sizeof f);
    f.width = 4;
    f.n = 2 * 256;
    f.data = xcalloc(4 * f.n, sizeof *f.data);
    uint64_t s = 5;
    size_t order[512];
    for (size_t i = 0; i < f.n; i++)
        order[i] = i % 256;
    for (size_t i = f.n - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = splitmix_next(&s) % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t a = 0; a < 4; a++) {
        for (size_t i = 0; i < f.n; i++)
            f.data[a * f.n + i] = values[(order[i] >> (2 * a)) & 3];
        f.columns[a] = f.data + a * f.n;
    }
    otaprio_clusterer *c = make(4);
    uint32_t cluster[512];
    assert_int_equal(add_range(c, &f, 0, f.n, cluster, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio_clusterer_count(c), 256);
    assert_ids_follow_tuples(&f, cluster);
    otaprio_clusterer_free(c);
    fleet_free(&f);

    /* And on the property fleets' first devices. */
    for (int which = 0; which < PROPERTY_FLEETS; which++) {
        fleet g = property_fleet(which);
        g.n = 1500;
        c = make(g.width);
        uint32_t *ids = xcalloc(g.n, sizeof *ids);
        free(g.include); /* every device */
        g.include = NULL;
        assert_int_equal(add_range(c, &g, 0, g.n, ids, NULL), OTAPRIO_OK);
        assert_ids_follow_tuples(&g, ids);
        free(ids);
        otaprio_clusterer_free(c);
        fleet_free(&g);
    }
}

static void tuples_sharing_a_hash_stay_apart(void **state)
{
    (void)state;
    /* The set is told every tuple has the same hash (so the same tag and
     * the same first slot): only the full comparison can tell them apart.
     * Room is made first, as a growth would place tuples by their real
     * hashes. */
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    otaprio__tuple_set set;
    otaprio__tuple_set_prepare(&set, 2);
    assert_int_equal(otaprio__tuple_set_reserve(&mem, &set, 100), OTAPRIO_OK);
    const uint64_t hash = UINT64_C(0xDEADBEEF00000007);
    for (uint32_t i = 0; i < 100; i++) {
        const uint32_t row[2] = {i % 10, i / 10};
        assert_int_equal(otaprio__tuple_find(&set, row, hash),
                         OTAPRIO__TUPLE_NONE);
        assert_int_equal(otaprio__tuple_set_add_reserved(&set, row, hash), i);
    }
    for (uint32_t i = 0; i < 100; i++) {
        const uint32_t row[2] = {i % 10, i / 10};
        assert_int_equal(otaprio__tuple_find(&set, row, hash), i);
        /* Right tuple, other tag: no match. */
        assert_int_equal(
            otaprio__tuple_find(&set, row, hash ^ (UINT64_C(1) << 40)),
            OTAPRIO__TUPLE_NONE);
    }
    otaprio__tuple_set_release(&mem, &set);
}

static void real_tag_collisions_stay_apart(void **state)
{
    (void)state;
    /* Found offline with python-xxhash: a one-attribute tuple is hashed as
     * one 8-byte word (the value, then a zero value), and the words of
     * 0xd303 and 0x523ae hash to 0xa50dc2e0fb1b8cf7 and
     * 0xa50dc2e0d039e3f7, the same tag and the same low byte, so in a
     * small table they start at the same slot and match on the tag. */
    const uint32_t a[] = {0xd303, 0x523ae, 0xd303, 0x523ae, 0x523ae};
    otaprio__tuple_set probe;
    otaprio__tuple_set_prepare(&probe, 1);
    const uint16_t one = 1;
    unsigned char first_byte;
    memcpy(&first_byte, &one, 1);
    if (first_byte == 1) { /* the collision is of little-endian bytes */
        uint64_t ha = otaprio__tuple_hash(&probe, &a[0]);
        uint64_t hb = otaprio__tuple_hash(&probe, &a[1]);
        assert_int_equal(ha >> 32, hb >> 32);
        assert_int_equal(ha & 0xFF, hb & 0xFF);
        assert_int_not_equal(ha, hb);
    }
    const uint32_t *columns[] = {a};
    uint32_t cluster[5];
    otaprio_clusterer *c = make(1);
    assert_int_equal(
        otaprio_clusterer_add(c, columns, 5, NULL, NULL, cluster, NULL),
        OTAPRIO_OK);
    const uint32_t expected[] = {0, 1, 0, 1, 1};
    assert_memory_equal(cluster, expected, sizeof expected);
    assert_int_equal(otaprio_clusterer_count(c), 2);
    otaprio_clusterer_free(c);
}

static void truncation_forgets_exactly_the_later_tuples(void **state)
{
    (void)state;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    otaprio__tuple_set set;
    otaprio__tuple_set_prepare(&set, 2);
    for (uint32_t i = 0; i < 1000; i++) {
        const uint32_t row[2] = {i % 10, i / 10};
        assert_int_equal(otaprio__tuple_set_reserve(&mem, &set, i + 1),
                         OTAPRIO_OK);
        assert_int_equal(otaprio__tuple_set_add_reserved(
                             &set, row, otaprio__tuple_hash(&set, row)),
                         i);
    }
    const uint32_t keeps[] = {1000, 999, 377, 1, 0};
    for (size_t k = 0; k < COUNT(keeps); k++) {
        otaprio__tuple_set_truncate(&set, keeps[k]);
        assert_int_equal(set.count, keeps[k]);
        for (uint32_t i = 0; i < 1000; i++) {
            const uint32_t row[2] = {i % 10, i / 10};
            assert_int_equal(
                otaprio__tuple_find(&set, row, otaprio__tuple_hash(&set, row)),
                i < keeps[k] ? i : OTAPRIO__TUPLE_NONE);
        }
    }
    otaprio__tuple_set_release(&mem, &set);
}

static void excluded_devices_are_skipped(void **state)
{
    (void)state;
    const uint32_t a[] = {5, 6, 5, 7, 6, 8};
    const uint32_t *columns[] = {a};
    const uint8_t include[] = {1, 0, 1, 0, 1, 0};
    const uint8_t cohort[] = {1, 1, 0, 1, 1, 1};
    uint32_t cluster[6];
    otaprio_clusterer *c = make(1);
    assert_int_equal(
        otaprio_clusterer_add(c, columns, 6, include, cohort, cluster, NULL),
        OTAPRIO_OK);
    /* 7 and 8 appear only on excluded devices: no cluster for them. */
    const uint32_t expected[] = {0, UINT32_MAX, 0, UINT32_MAX, 1, UINT32_MAX};
    assert_memory_equal(cluster, expected, sizeof expected);
    assert_int_equal(otaprio_clusterer_count(c), 2);
    uint64_t members[2], covered[2];
    uint32_t values[2];
    assert_int_equal(
        otaprio_clusterer_report(c, 0, 2, members, covered, values, NULL),
        OTAPRIO_OK);
    assert_int_equal(members[0], 2);
    assert_int_equal(members[1], 1);
    assert_int_equal(covered[0], 1); /* device 2 is not in the cohort */
    assert_int_equal(covered[1], 1);
    assert_int_equal(values[0], 5);
    assert_int_equal(values[1], 6);
    /* Everything excluded: nothing changes, every id is UINT32_MAX. */
    const uint8_t none[] = {0, 0, 0, 0, 0, 0};
    memset(cluster, 0, sizeof cluster);
    assert_int_equal(
        otaprio_clusterer_add(c, columns, 6, none, cohort, cluster, NULL),
        OTAPRIO_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(cluster[i], UINT32_MAX);
    assert_int_equal(otaprio_clusterer_count(c), 2);
    otaprio_clusterer_free(c);
}

static void cohort_coverage_is_counted_per_cluster(void **state)
{
    (void)state;
    /* Three clusters: the cohort covers the first twice, the third once
     * and the second not at all. */
    const uint32_t a[] = {1, 2, 1, 3, 2, 1, 3};
    const uint32_t *columns[] = {a};
    const uint8_t cohort[] = {1, 0, 1, 1, 0, 0, 0};
    otaprio_clusterer *c = make(1);
    assert_int_equal(
        otaprio_clusterer_add(c, columns, 7, NULL, cohort, NULL, NULL),
        OTAPRIO_OK);
    /* A chunk without a cohort column counts members only. */
    assert_int_equal(
        otaprio_clusterer_add(c, columns, 7, NULL, NULL, NULL, NULL),
        OTAPRIO_OK);
    uint64_t members[3], covered[3];
    assert_int_equal(
        otaprio_clusterer_report(c, 0, 3, members, covered, NULL, NULL),
        OTAPRIO_OK);
    const uint64_t want_members[] = {6, 4, 4}, want_covered[] = {2, 0, 1};
    assert_memory_equal(members, want_members, sizeof members);
    assert_memory_equal(covered, want_covered, sizeof covered);
    otaprio_clusterer_free(c);

    /* And against the slow reference on a masked fleet. */
    fleet f = property_fleet(1);
    uint32_t *ids = xcalloc(f.n, sizeof *ids);
    slow_ref r = slow_run(&f, ids);
    c = make(f.width);
    assert_int_equal(add_range(c, &f, 0, f.n, NULL, NULL), OTAPRIO_OK);
    assert_matches_slow(c, &r);
    uint64_t total = 0;
    for (uint32_t id = 0; id < r.count; id++)
        total += r.cohort[id];
    assert_true(total > 0);
    slow_free(&r);
    free(ids);
    otaprio_clusterer_free(c);
    fleet_free(&f);
}

static void reports_of_sub_ranges_are_slices(void **state)
{
    (void)state;
    fleet f = property_fleet(2);
    otaprio_clusterer *c = make(f.width);
    assert_int_equal(add_range(c, &f, 0, f.n, NULL, NULL), OTAPRIO_OK);
    snapshot all = take(c, f.width);
    assert_true(all.count > 100);
    const uint32_t firsts[] = {0, 1, 17, all.count - 1, all.count};
    for (size_t i = 0; i < COUNT(firsts); i++) {
        for (uint32_t number = 0; firsts[i] + number <= all.count;
             number = number * 2 + 1) {
            uint64_t *members = xcalloc(number, sizeof *members);
            uint64_t *covered = xcalloc(number, sizeof *covered);
            uint32_t *values = xcalloc((size_t)number * 2, sizeof *values);
            assert_int_equal(otaprio_clusterer_report(c, firsts[i], number,
                                                      members, covered, values,
                                                      NULL),
                             OTAPRIO_OK);
            assert_memory_equal(members, all.members + firsts[i],
                                number * sizeof *members);
            assert_memory_equal(covered, all.cohort + firsts[i],
                                number * sizeof *covered);
            assert_memory_equal(values, all.values + (size_t)firsts[i] * 2,
                                (size_t)number * 2 * sizeof *values);
            /* Any output may be left out. */
            assert_int_equal(otaprio_clusterer_report(c, firsts[i], number,
                                                      NULL, NULL, NULL, NULL),
                             OTAPRIO_OK);
            free(members);
            free(covered);
            free(values);
        }
    }
    drop(&all);
    otaprio_clusterer_free(c);
    fleet_free(&f);
}

static void values_give_back_each_clusters_tuple(void **state)
{
    (void)state;
    for (int which = 0; which < PROPERTY_FLEETS; which++) {
        fleet f = property_fleet(which);
        uint32_t *cluster = xcalloc(f.n, sizeof *cluster);
        otaprio_clusterer *c = make(f.width);
        assert_int_equal(add_range(c, &f, 0, f.n, cluster, NULL), OTAPRIO_OK);
        snapshot s = take(c, f.width);
        /* Every device's tuple is its cluster's tuple; the first device of
         * each cluster comes in id order. */
        uint32_t seen = 0;
        for (size_t i = 0; i < f.n; i++) {
            if (cluster[i] == UINT32_MAX)
                continue;
            assert_true(cluster[i] <= seen);
            if (cluster[i] == seen)
                seen++;
            for (size_t a = 0; a < f.width; a++)
                assert_int_equal(s.values[(size_t)cluster[i] * f.width + a],
                                 value_of(&f, a, i));
        }
        assert_int_equal(seen, s.count);
        drop(&s);
        free(cluster);
        otaprio_clusterer_free(c);
        fleet_free(&f);
    }
}

static void a_null_column_is_a_zero_column(void **state)
{
    (void)state;
    fleet f = property_fleet(3); /* columns 1 and 5 are NULL */
    assert_null(f.columns[1]);
    assert_null(f.columns[5]);
    uint32_t *zeros = xcalloc(f.n, sizeof *zeros);
    uint32_t *with_null = xcalloc(f.n, sizeof *with_null);
    uint32_t *with_zeros = xcalloc(f.n, sizeof *with_zeros);
    otaprio_clusterer *a = make(f.width), *b = make(f.width);
    assert_int_equal(add_range(a, &f, 0, f.n, with_null, NULL), OTAPRIO_OK);
    f.columns[1] = zeros;
    f.columns[5] = zeros;
    assert_int_equal(add_range(b, &f, 0, f.n, with_zeros, NULL), OTAPRIO_OK);
    assert_memory_equal(with_null, with_zeros, f.n * sizeof *with_null);
    snapshot sa = take(a, f.width), sb = take(b, f.width);
    assert_same_state(&sa, &sb);
    for (uint32_t id = 0; id < sa.count; id++)
        assert_int_equal(sa.values[(size_t)id * f.width + 1], 0);
    /* Every column NULL: one cluster of everyone. */
    otaprio_clusterer *d = make(f.width);
    const uint32_t *nothing[MAX_WIDTH] = {NULL};
    assert_int_equal(
        otaprio_clusterer_add(d, nothing, f.n, NULL, NULL, with_null, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_clusterer_count(d), 1);
    for (size_t i = 0; i < f.n; i++)
        assert_int_equal(with_null[i], 0);
    drop(&sa);
    drop(&sb);
    otaprio_clusterer_free(a);
    otaprio_clusterer_free(b);
    otaprio_clusterer_free(d);
    free(zeros);
    free(with_null);
    free(with_zeros);
    fleet_free(&f);
}

static void empty_chunks_and_null_handles(void **state)
{
    (void)state;
    otaprio_clusterer *c = make(2);
    const uint32_t *columns[2] = {NULL, NULL};
    assert_int_equal(
        otaprio_clusterer_add(c, columns, 0, NULL, NULL, NULL, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio_clusterer_count(c), 0);
    assert_int_equal(otaprio_clusterer_report(c, 0, 0, NULL, NULL, NULL, NULL),
                     OTAPRIO_OK);
    otaprio_clusterer_free(c);
    otaprio_clusterer_free(NULL);
    assert_int_equal(otaprio_clusterer_count(NULL), 0);
}

/* ---- bad input --------------------------------------------------------- */

static void *never_alloc(void *user, size_t bytes)
{
    (void)user;
    (void)bytes;
    return NULL;
}

static void create_refuses_bad_arguments(void **state)
{
    (void)state;
    otaprio_clusterer *sentinel = (otaprio_clusterer *)&sentinel;
    otaprio_clusterer *c = sentinel;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    const size_t widths[] = {0, OTAPRIO_CLUSTER_MAX_ATTRIBUTES + 1, SIZE_MAX};
    for (size_t i = 0; i < COUNT(widths); i++) {
        assert_int_equal(otaprio_clusterer_create(widths[i], NULL, &c, &diag),
                         OTAPRIO_E_RANGE);
        assert_ptr_equal(c, sentinel);
        assert_string_equal(diag.field, "attribute_count");
    }
    assert_int_equal(otaprio_clusterer_create(1, NULL, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "clusterer");
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.size = 3;
    assert_int_equal(otaprio_clusterer_create(1, &allocator, &c, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_ptr_equal(c, sentinel);
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = never_alloc; /* one of three functions set */
    assert_int_equal(otaprio_clusterer_create(1, &allocator, &c, &diag),
                     OTAPRIO_E_INVALID);
    assert_ptr_equal(c, sentinel);
    /* Both ends of the range work. */
    assert_int_equal(otaprio_clusterer_create(1, NULL, &c, NULL), OTAPRIO_OK);
    otaprio_clusterer_free(c);
    assert_int_equal(otaprio_clusterer_create(OTAPRIO_CLUSTER_MAX_ATTRIBUTES,
                                              NULL, &c, NULL),
                     OTAPRIO_OK);
    otaprio_clusterer_free(c);
}

/* A clusterer holding the first 2000 devices of a masked fleet, the
 * snapshot of its state, and a cluster array full of sentinels. */
typedef struct bad_case {
    fleet f;
    otaprio_clusterer *c;
    snapshot before;
    uint32_t *cluster;
} bad_case;

static bad_case bad_case_make(void)
{
    bad_case b;
    b.f = property_fleet(1);
    b.c = make(b.f.width);
    assert_int_equal(add_range(b.c, &b.f, 0, 2000, NULL, NULL), OTAPRIO_OK);
    b.before = take(b.c, b.f.width);
    b.cluster = xcalloc(b.f.n, sizeof *b.cluster);
    memset(b.cluster, 0xAB, b.f.n * sizeof *b.cluster);
    return b;
}

static void assert_untouched(const bad_case *b)
{
    assert_state_is(b->c, &b->before);
    for (size_t i = 0; i < b->f.n; i++)
        assert_int_equal(b->cluster[i], 0xABABABABu);
}

static void bad_case_free(bad_case *b)
{
    drop(&b->before);
    free(b->cluster);
    otaprio_clusterer_free(b->c);
    fleet_free(&b->f);
}

static void add_refuses_bad_flags_and_changes_nothing(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    otaprio_diag diag;
    const char *fields[] = {"include", "cohort"};
    const size_t places[] = {0, 2999, 4999};
    const uint8_t bad_values[] = {2, 255};
    for (size_t which = 0; which < 2; which++) {
        uint8_t *flags = which == 0 ? b.f.include : b.f.cohort;
        for (size_t p = 0; p < COUNT(places); p++) {
            for (size_t v = 0; v < COUNT(bad_values); v++) {
                uint8_t kept = flags[places[p]];
                uint8_t kept_last = flags[b.f.n - 1];
                /* A second bad flag later: the first is reported. */
                flags[b.f.n - 1] = 3;
                flags[places[p]] = bad_values[v];
                otaprio_diag_init(&diag);
                assert_int_equal(
                    add_range(b.c, &b.f, 0, b.f.n, b.cluster, &diag),
                    OTAPRIO_E_RANGE);
                assert_string_equal(diag.field, fields[which]);
                assert_int_equal(diag.index, (int64_t)places[p]);
                assert_int_equal(diag.status, OTAPRIO_E_RANGE);
                assert_untouched(&b);
                flags[b.f.n - 1] = kept_last;
                flags[places[p]] = kept;
            }
        }
    }
    /* Both bad: include is checked first. */
    b.f.include[10] = 2;
    b.f.cohort[5] = 2;
    assert_int_equal(add_range(b.c, &b.f, 0, b.f.n, b.cluster, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "include");
    assert_int_equal(diag.index, 10);
    assert_untouched(&b);
    bad_case_free(&b);
}

static void add_refuses_null_pointers(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    slice s = slice_at(&b.f, 0);
    assert_int_equal(otaprio_clusterer_add(NULL, s.columns, b.f.n, NULL, NULL,
                                           b.cluster, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "clusterer");
    assert_int_equal(
        otaprio_clusterer_add(b.c, NULL, b.f.n, NULL, NULL, b.cluster, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "columns");
    assert_int_equal(
        otaprio_clusterer_add(b.c, NULL, 0, NULL, NULL, b.cluster, &diag),
        OTAPRIO_E_INVALID);
    assert_untouched(&b);
    bad_case_free(&b);
}

static void add_past_the_cluster_limit_changes_nothing(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    uint32_t held = b.before.count;
    /* Room for exactly three more clusters. */
    otaprio__clusterer_set_limit(b.c, held + 3);
    /* Devices 0-2 bring known tuples, 3-8 new ones (pairwise distinct),
     * then the fleet again. */
    const uint32_t fresh[6] = {1000, 1001, 1002, 1003, 1004, 1005};
    uint32_t col[3][12];
    for (size_t a = 0; a < 3; a++) {
        for (size_t i = 0; i < 3; i++)
            col[a][i] = b.before.values[i * 3 + a];
        for (size_t i = 3; i < 9; i++)
            col[a][i] = fresh[i - 3] + (uint32_t)a;
        for (size_t i = 9; i < 12; i++)
            col[a][i] = b.before.values[a];
    }
    const uint32_t *columns[3] = {col[0], col[1], col[2]};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_clusterer_add(b.c, columns, 12, NULL, NULL, b.cluster, &diag),
        OTAPRIO_E_OVERFLOW);
    assert_int_equal(diag.index, 6); /* the fourth new tuple */
    assert_untouched(&b);
    /* Excluding the devices past the limit makes it fit exactly. */
    const uint8_t include[12] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1};
    assert_int_equal(otaprio_clusterer_add(b.c, columns, 12, include, NULL,
                                           b.cluster, &diag),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_clusterer_count(b.c), held + 3);
    assert_int_equal(b.cluster[3], held);
    assert_int_equal(b.cluster[5], held + 2);
    assert_int_equal(b.cluster[6], UINT32_MAX);
    /* Full: known tuples still go in, one new one does not (though the
     * arrays have room for it, the limit does not). */
    assert_int_equal(
        otaprio_clusterer_add(b.c, columns, 3, NULL, NULL, b.cluster, &diag),
        OTAPRIO_OK);
    snapshot full = take(b.c, 3);
    const uint32_t *one_new[3] = {col[0] + 6, col[1] + 6, col[2] + 6};
    memset(b.cluster, 0xAB, 4);
    assert_int_equal(
        otaprio_clusterer_add(b.c, one_new, 1, NULL, NULL, b.cluster, &diag),
        OTAPRIO_E_OVERFLOW);
    assert_int_equal(b.cluster[0], 0xABABABABu);
    assert_state_is(b.c, &full);
    assert_int_equal(diag.index, 0);
    drop(&full);
    bad_case_free(&b);
}

static void report_refuses_ranges_past_the_end(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    const uint32_t n = b.before.count;
    uint64_t members[4] = {7, 7, 7, 7}, covered[4] = {7, 7, 7, 7};
    uint32_t values[12];
    memset(values, 0x77, sizeof values);
    const struct {
        uint32_t first, number;
        const char *field;
    } bad[] = {
        {0, n + 1, "number"},
        {n, 1, "number"},
        {n - 1, 2, "number"},
        {n + 1, 0, "first"},
        {UINT32_MAX, 1, "first"},
        /* first + number wraps around to a small number in 32 bits */
        {1, UINT32_MAX, "number"},
        {UINT32_MAX, 2, "first"},
        {UINT32_MAX, UINT32_MAX, "first"},
    };
    otaprio_diag diag;
    for (size_t i = 0; i < COUNT(bad); i++) {
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio_clusterer_report(b.c, bad[i].first,
                                                  bad[i].number, members,
                                                  covered, values, &diag),
                         OTAPRIO_E_RANGE);
        assert_string_equal(diag.field, bad[i].field);
    }
    assert_int_equal(
        otaprio_clusterer_report(NULL, 0, 0, members, covered, values, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "clusterer");
    for (int i = 0; i < 4; i++)
        assert_true(members[i] == 7 && covered[i] == 7);
    for (int i = 0; i < 12; i++)
        assert_int_equal(values[i], 0x77777777u);
    assert_untouched(&b);
    bad_case_free(&b);
}

/* ---- allocation failures ----------------------------------------------- */

static int create_and_free(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_clusterer *sentinel = (otaprio_clusterer *)&sentinel;
    otaprio_clusterer *c = sentinel;
    int status = otaprio_clusterer_create(3, allocator, &c, NULL);
    if (status != OTAPRIO_OK) {
        assert_ptr_equal(c, sentinel);
        return status;
    }
    otaprio_clusterer_free(c);
    return OTAPRIO_OK;
}

static void create_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_int_equal(alloc_fail_sweep(create_and_free, NULL, OTAPRIO_E_NOMEM),
                     1);
}

/* Two chunks, each bringing hundreds of new clusters (so the table grows
 * several times inside a chunk), then a small one that fits the room left
 * (the single pass). After a failure, the state and outputs are exactly
 * as before the failed add, and the same add, retried, gives the answers
 * of a run that never failed. */
typedef struct add_sweep {
    bool want_ids; /* whether the adds write cluster ids */
    fleet f;
    uint32_t *expected; /* ids of a run without failures */
    slow_ref ref;
    size_t cuts[4];
} add_sweep;

static int add_chunks(const otaprio_allocator *allocator, void *ctx)
{
    add_sweep *sw = ctx;
    const fleet *f = &sw->f;
    otaprio_clusterer *c = NULL;
    int status = otaprio_clusterer_create(f->width, allocator, &c, NULL);
    if (status != OTAPRIO_OK)
        return status;
    uint32_t *cluster = xcalloc(f->n, sizeof *cluster);
    memset(cluster, 0xAB, f->n * sizeof *cluster);
    int first_failure = OTAPRIO_OK;
    for (size_t k = 0; k + 1 < COUNT(sw->cuts); k++) {
        size_t first = sw->cuts[k], count = sw->cuts[k + 1] - first;
        snapshot before = take(c, f->width);
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        status =
            add_range(c, f, first, count, sw->want_ids ? cluster : NULL, &diag);
        if (status != OTAPRIO_OK) {
            assert_int_equal(diag.status, status);
            assert_state_is(c, &before);
            for (size_t i = first; i < first + count; i++)
                assert_int_equal(cluster[i], 0xABABABABu);
            if (first_failure == OTAPRIO_OK)
                first_failure = status;
            /* The planned failure has happened: the retry succeeds. */
            assert_int_equal(add_range(c, f, first, count,
                                       sw->want_ids ? cluster : NULL, NULL),
                             OTAPRIO_OK);
        }
        drop(&before);
    }
    if (sw->want_ids)
        assert_memory_equal(cluster, sw->expected, f->n * sizeof *cluster);
    assert_matches_slow(c, &sw->ref);
    free(cluster);
    otaprio_clusterer_free(c);
    return first_failure;
}

static void add_survives_every_allocation_failure(void **state)
{
    (void)state;
    static uint32_t pool[700];
    uint64_t s = 11;
    for (size_t i = 0; i < COUNT(pool); i++)
        pool[i] = (uint32_t)splitmix_next(&s);
    add_sweep sw;
    sw.f = fleet_make(1, 3000, 12, pool, COUNT(pool), 0, true);
    sw.expected = xcalloc(sw.f.n, sizeof *sw.expected);
    sw.ref = slow_run(&sw.f, sw.expected);
    sw.cuts[0] = 0;
    sw.cuts[1] = 1000;
    sw.cuts[2] = 2990;
    sw.cuts[3] = 3000;
    /* The handle, growths of three arrays from nothing to hundreds of
     * clusters, and with ids a scratch array per chunk. */
    sw.want_ids = true;
    long with_ids = alloc_fail_sweep(add_chunks, &sw, OTAPRIO_E_NOMEM);
    sw.want_ids = false;
    long without_ids = alloc_fail_sweep(add_chunks, &sw, OTAPRIO_E_NOMEM);
    assert_true(without_ids > 20);
    assert_true(with_ids > without_ids);
    slow_free(&sw.ref);
    free(sw.expected);
    fleet_free(&sw.f);
}

static void memory_comes_from_the_callers_allocator(void **state)
{
    (void)state;
    failing_allocator fa;
    failing_allocator_prepare(&fa, 0);
    otaprio_clusterer *c = NULL;
    assert_int_equal(otaprio_clusterer_create(3, &fa.allocator, &c, NULL),
                     OTAPRIO_OK);
    assert_int_equal(fa.live_blocks, 1);
    fleet f = property_fleet(2);
    f.width = 3;
    f.columns[2] = NULL;
    assert_int_equal(add_range(c, &f, 0, f.n, NULL, NULL), OTAPRIO_OK);
    /* The handle, the counts, the tuples and the table. */
    assert_int_equal(fa.live_blocks, 4);
    otaprio_clusterer_free(c);
    assert_int_equal(fa.live_blocks, 0);
    fleet_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clusters_match_the_reference),
        cmocka_unit_test(chunk_splits_do_not_change_anything),
        cmocka_unit_test(equal_tuples_share_an_id_and_others_never_do),
        cmocka_unit_test(tuples_sharing_a_hash_stay_apart),
        cmocka_unit_test(real_tag_collisions_stay_apart),
        cmocka_unit_test(truncation_forgets_exactly_the_later_tuples),
        cmocka_unit_test(excluded_devices_are_skipped),
        cmocka_unit_test(cohort_coverage_is_counted_per_cluster),
        cmocka_unit_test(reports_of_sub_ranges_are_slices),
        cmocka_unit_test(values_give_back_each_clusters_tuple),
        cmocka_unit_test(a_null_column_is_a_zero_column),
        cmocka_unit_test(empty_chunks_and_null_handles),
        cmocka_unit_test(create_refuses_bad_arguments),
        cmocka_unit_test(add_refuses_bad_flags_and_changes_nothing),
        cmocka_unit_test(add_refuses_null_pointers),
        cmocka_unit_test(add_past_the_cluster_limit_changes_nothing),
        cmocka_unit_test(report_refuses_ranges_past_the_end),
        cmocka_unit_test(create_survives_every_allocation_failure),
        cmocka_unit_test(add_survives_every_allocation_failure),
        cmocka_unit_test(memory_comes_from_the_callers_allocator),
    };
    return cmocka_run_group_tests_name("cluster", tests, NULL, NULL);
}
