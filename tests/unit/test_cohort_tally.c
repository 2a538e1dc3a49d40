/* SPDX-License-Identifier: MIT */
/*
 * The tally: counts per stratum against a slow quadratic reference in any
 * chunking, NULL columns, bad codes and flags refused with the device named
 * and nothing changed, the strata limit, bad arguments, and every
 * allocation failure of create, add and the report. (Its reports are
 * checked against the independent reference in test_cohort_report.c.)
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
#include "cohort_score.h"
#include "splitmix.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define MAX_DIMS OTAPRIO_COHORT_MAX_DIMENSIONS

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

static otaprio_cohort_spec spec_of(uint32_t dims, const uint32_t *cards)
{
    otaprio_cohort_spec spec;
    assert_int_equal(otaprio_cohort_spec_init(&spec), OTAPRIO_OK);
    spec.dimension_count = dims;
    spec.cardinalities = cards;
    return spec;
}

static otaprio_tally *make(uint32_t dims, const uint32_t *cards)
{
    otaprio_cohort_spec spec = spec_of(dims, cards);
    otaprio_tally *t = NULL;
    assert_int_equal(otaprio_tally_create(&spec, NULL, &t, NULL), OTAPRIO_OK);
    assert_non_null(t);
    return t;
}

/* ---- a fleet of code columns ------------------------------------------- */

typedef struct fleet {
    uint32_t dims;
    uint32_t cards[MAX_DIMS];
    otaprio__cohort_setup setup;
    size_t n;
    uint32_t *data; /* dims * n */
    const uint32_t *columns[MAX_DIMS];
    uint8_t *in_cohort; /* NULL or n flags */
} fleet;

/* Codes below each cardinality (drawn from a few values near both ends of
 * the range, so strata repeat); columns whose bit is set in `absent` are
 * NULL. */
static fleet fleet_make(uint32_t dims, const uint32_t *cards, size_t n,
                        uint64_t seed, uint32_t absent, bool flags)
{
    fleet f;
    memset(&f, 0, sizeof f);
    f.dims = dims;
    if (dims > 0)
        memcpy(f.cards, cards, dims * sizeof *cards);
    otaprio_cohort_spec spec = spec_of(dims, cards);
    assert_int_equal(otaprio__cohort_setup_strata(&f.setup, &spec, NULL),
                     OTAPRIO_OK);
    f.n = n;
    f.data = xcalloc((size_t)dims * n, sizeof *f.data);
    uint64_t s = seed;
    for (uint32_t d = 0; d < dims; d++) {
        for (size_t i = 0; i < n; i++) {
            uint32_t c = splitmix_below(&s, cards[d] < 8 ? cards[d] : 8);
            f.data[d * n + i] = c < 4 ? c : cards[d] - 1 - (c - 4);
        }
        f.columns[d] = (absent >> d) & 1 ? NULL : f.data + d * n;
    }
    if (flags) {
        f.in_cohort = xcalloc(n, 1);
        for (size_t i = 0; i < n; i++)
            f.in_cohort[i] = splitmix_below(&s, 3) == 0;
    }
    return f;
}

static void fleet_free(fleet *f)
{
    free(f->data);
    free(f->in_cohort);
}

static uint32_t code_of(const fleet *f, uint32_t d, size_t i)
{
    return f->columns[d] != NULL ? f->columns[d][i] : 0;
}

static uint64_t id_of(const fleet *f, size_t i)
{
    uint32_t row[MAX_DIMS];
    for (uint32_t d = 0; d < f->dims; d++)
        row[d] = code_of(f, d, i);
    return otaprio__cohort_stratum_id(&f->setup, row);
}

/* Adds devices [first, first + count). */
static int add_range(otaprio_tally *t, const fleet *f, size_t first,
                     size_t count, otaprio_diag *diag)
{
    const uint32_t *columns[MAX_DIMS];
    for (uint32_t d = 0; d < f->dims; d++)
        columns[d] = f->columns[d] != NULL ? f->columns[d] + first : NULL;
    return otaprio_tally_add(t, columns, count,
                             f->in_cohort != NULL ? f->in_cohort + first : NULL,
                             diag);
}

/* ---- the whole state of a tally ---------------------------------------- */

typedef struct snapshot {
    uint32_t count;
    uint64_t devices;
    uint64_t *ids, *fleet, *cohort;
} snapshot;

static snapshot take(const otaprio_tally *t)
{
    snapshot s;
    s.count = t->strata.count;
    s.devices = t->devices;
    assert_int_equal(t->ids.length, s.count);
    assert_int_equal(t->fleet.length, s.count);
    assert_int_equal(t->cohort.length, s.count);
    s.ids = xcalloc(s.count, sizeof *s.ids);
    s.fleet = xcalloc(s.count, sizeof *s.fleet);
    s.cohort = xcalloc(s.count, sizeof *s.cohort);
    if (s.count > 0) {
        memcpy(s.ids, t->ids.data, s.count * sizeof *s.ids);
        memcpy(s.fleet, t->fleet.data, s.count * sizeof *s.fleet);
        memcpy(s.cohort, t->cohort.data, s.count * sizeof *s.cohort);
    }
    /* Every stratum is found again by its id. */
    for (uint32_t h = 0; h < s.count; h++)
        assert_int_equal(otaprio__tally_find(t, s.ids[h]), h);
    return s;
}

static void drop(snapshot *s)
{
    free(s->ids);
    free(s->fleet);
    free(s->cohort);
}

static void assert_same(const snapshot *a, const snapshot *b)
{
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->devices, b->devices);
    assert_memory_equal(a->ids, b->ids, a->count * sizeof *a->ids);
    assert_memory_equal(a->fleet, b->fleet, a->count * sizeof *a->fleet);
    assert_memory_equal(a->cohort, b->cohort, a->count * sizeof *a->cohort);
}

static void assert_state_is(const otaprio_tally *t, const snapshot *s)
{
    snapshot now = take(t);
    assert_same(&now, s);
    drop(&now);
}

/* Strata by first appearance, by linear search: quadratic, obviously
 * right. */
static snapshot slow_run(const fleet *f)
{
    snapshot s;
    memset(&s, 0, sizeof s);
    s.ids = xcalloc(f->n, sizeof *s.ids);
    s.fleet = xcalloc(f->n, sizeof *s.fleet);
    s.cohort = xcalloc(f->n, sizeof *s.cohort);
    for (size_t i = 0; i < f->n; i++) {
        uint64_t id = id_of(f, i);
        uint32_t h = 0;
        while (h < s.count && s.ids[h] != id)
            h++;
        if (h == s.count)
            s.ids[s.count++] = id;
        s.fleet[h]++;
        s.cohort[h] += f->in_cohort != NULL ? f->in_cohort[i] : 0;
    }
    s.devices = f->n;
    return s;
}

/* ---- counting ---------------------------------------------------------- */

static const uint32_t three_cards[3] = {3, 5, UINT32_MAX};

static fleet property_fleet(int which)
{
    static const uint32_t wide_cards[MAX_DIMS] = {2, 3, 2, 3, 2, 3, 2, 3,
                                                  2, 3, 2, 3, 2, 3, 2, 3};
    static const uint32_t one_card[1] = {1};
    switch (which) {
    case 0:
        return fleet_make(3, three_cards, 5000, 1, 0, true);
    case 1:
        return fleet_make(3, three_cards, 3000, 2, 0x2, false);
    case 2:
        return fleet_make(MAX_DIMS, wide_cards, 4000, 3, 0x8001, true);
    case 3:
        return fleet_make(1, one_card, 100, 4, 0, true);
    default:
        return fleet_make(0, NULL, 700, 5, 0, true);
    }
}
#define PROPERTY_FLEETS 5

static void counts_match_a_slow_reference_in_any_chunking(void **state)
{
    (void)state;
    for (int which = 0; which < PROPERTY_FLEETS; which++) {
        fleet f = property_fleet(which);
        snapshot ref = slow_run(&f);
        const size_t sizes[] = {f.n, 1, 2, 3, 64, 1000, 0};
        for (size_t j = 0; j < COUNT(sizes); j++) {
            otaprio_tally *t = make(f.dims, f.cards);
            uint64_t s = 7 + j;
            for (size_t first = 0; first < f.n;) {
                size_t size =
                    sizes[j] != 0 ? sizes[j] : splitmix_next(&s) % 300;
                if (size > f.n - first)
                    size = f.n - first;
                assert_int_equal(add_range(t, &f, first, size, NULL),
                                 OTAPRIO_OK);
                first += size;
            }
            assert_state_is(t, &ref);
            otaprio_tally_free(t);
        }
        drop(&ref);
        fleet_free(&f);
    }
}

static void null_columns_read_as_code_zero(void **state)
{
    (void)state;
    otaprio_tally *t = make(3, three_cards);
    const uint8_t flags[4] = {1, 0, 0, 1};
    assert_int_equal(otaprio_tally_add(t, NULL, 4, flags, NULL), OTAPRIO_OK);
    const uint32_t second[3] = {4, 4, 0};
    const uint32_t *columns[3] = {NULL, second, NULL};
    assert_int_equal(otaprio_tally_add(t, columns, 3, NULL, NULL), OTAPRIO_OK);
    snapshot s = take(t);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.devices, 7);
    assert_int_equal(s.ids[0], 0);
    assert_int_equal(s.fleet[0], 5);
    assert_int_equal(s.cohort[0], 2);
    assert_int_equal(s.ids[1], 4 * 3);
    assert_int_equal(s.fleet[1], 2);
    assert_int_equal(s.cohort[1], 0);
    drop(&s);
    /* No devices: nothing changes, whatever the pointers. */
    assert_int_equal(otaprio_tally_add(t, NULL, 0, NULL, NULL), OTAPRIO_OK);
    assert_int_equal(t->devices, 7);
    otaprio_tally_free(t);
}

static void codes_at_the_ends_of_the_range(void **state)
{
    (void)state;
    const uint32_t cards[2] = {UINT32_MAX, UINT32_MAX};
    otaprio_tally *t = make(2, cards);
    const uint32_t a[4] = {0, UINT32_MAX - 1, UINT32_MAX - 1, 0};
    const uint32_t b[4] = {UINT32_MAX - 1, 0, UINT32_MAX - 1, 0};
    const uint32_t *columns[2] = {a, b};
    assert_int_equal(otaprio_tally_add(t, columns, 4, NULL, NULL), OTAPRIO_OK);
    snapshot s = take(t);
    const uint64_t card = UINT32_MAX;
    const uint64_t want[4] = {(card - 1) * card, card - 1,
                              card - 1 + (card - 1) * card, 0};
    assert_int_equal(s.count, 4);
    assert_memory_equal(s.ids, want, sizeof want);
    drop(&s);
    otaprio_tally_free(t);
}

/* ---- bad input --------------------------------------------------------- */

static void *never_alloc(void *user, size_t bytes)
{
    (void)user;
    (void)bytes;
    return NULL;
}

static void create_refuses_bad_strata(void **state)
{
    (void)state;
    otaprio_tally *sentinel = (otaprio_tally *)&sentinel;
    otaprio_tally *t = sentinel;
    otaprio_diag diag;
    const uint32_t zero_card[3] = {4, 0, 4};
    const uint32_t huge[3] = {UINT32_MAX, UINT32_MAX, 2};
    const uint32_t cards[17] = {2, 2, 2, 2, 2, 2, 2, 2, 2,
                                2, 2, 2, 2, 2, 2, 2, 2};
    const struct {
        uint32_t dims;
        const uint32_t *cards;
        int status;
        const char *field;
        int64_t index;
    } bad[] = {
        {3, zero_card, OTAPRIO_E_RANGE, "cardinalities", 1},
        {3, huge, OTAPRIO_E_OVERFLOW, "cardinalities", 2},
        {17, cards, OTAPRIO_E_LIMIT, "dimension_count", -1},
        {2, NULL, OTAPRIO_E_INVALID, "cardinalities", -1},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        otaprio_cohort_spec spec = spec_of(bad[i].dims, bad[i].cards);
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio_tally_create(&spec, NULL, &t, &diag),
                         bad[i].status);
        assert_int_equal(diag.status, bad[i].status);
        assert_string_equal(diag.field, bad[i].field);
        assert_int_equal(diag.index, bad[i].index);
        assert_ptr_equal(t, sentinel);
    }
    otaprio_cohort_spec spec = spec_of(2, cards);
    assert_int_equal(otaprio_tally_create(&spec, NULL, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "tally");
    assert_int_equal(otaprio_tally_create(NULL, NULL, &t, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "spec");
    spec.size = 3;
    assert_int_equal(otaprio_tally_create(&spec, NULL, &t, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_ptr_equal(t, sentinel);
    /* Only the strata are read: a schedule or method is not checked. */
    spec = spec_of(2, cards);
    spec.wave_count = 99;
    spec.method = 42;
    assert_int_equal(otaprio_tally_create(&spec, NULL, &t, NULL), OTAPRIO_OK);
    otaprio_tally_free(t);
    t = sentinel;
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = never_alloc; /* one of three functions set */
    assert_int_equal(otaprio_tally_create(&spec, &allocator, &t, &diag),
                     OTAPRIO_E_INVALID);
    assert_ptr_equal(t, sentinel);
    /* Both ends of the dimension range. */
    spec = spec_of(0, NULL);
    assert_int_equal(otaprio_tally_create(&spec, NULL, &t, NULL), OTAPRIO_OK);
    otaprio_tally_free(t);
    spec = spec_of(16, cards);
    assert_int_equal(otaprio_tally_create(&spec, NULL, &t, NULL), OTAPRIO_OK);
    otaprio_tally_free(t);
    otaprio_tally_free(NULL);
}

/* A tally holding the first 2000 devices of a fleet, and its state. */
typedef struct bad_case {
    fleet f;
    otaprio_tally *t;
    snapshot before;
} bad_case;

static bad_case bad_case_make(void)
{
    bad_case b;
    b.f = property_fleet(0);
    b.t = make(b.f.dims, b.f.cards);
    assert_int_equal(add_range(b.t, &b.f, 0, 2000, NULL), OTAPRIO_OK);
    b.before = take(b.t);
    return b;
}

static void bad_case_free(bad_case *b)
{
    drop(&b->before);
    otaprio_tally_free(b->t);
    fleet_free(&b->f);
}

static void add_refuses_bad_codes_and_flags_and_changes_nothing(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    otaprio_diag diag;
    const size_t places[] = {0, 2999, 4999};
    for (uint32_t d = 0; d < 2; d++) {
        uint32_t *column = b.f.data + d * b.f.n;
        for (size_t p = 0; p < COUNT(places); p++) {
            const uint32_t bad_codes[] = {b.f.cards[d], UINT32_MAX};
            for (size_t v = 0; v < COUNT(bad_codes); v++) {
                uint32_t kept = column[places[p]];
                column[places[p]] = bad_codes[v];
                otaprio_diag_init(&diag);
                assert_int_equal(add_range(b.t, &b.f, 0, b.f.n, &diag),
                                 OTAPRIO_E_RANGE);
                assert_string_equal(diag.field, "codes");
                assert_int_equal(diag.index, (int64_t)places[p]);
                assert_int_equal(diag.status, OTAPRIO_E_RANGE);
                assert_non_null(strstr(diag.message,
                                       d == 0 ? "dimension 0" : "dimension 1"));
                assert_state_is(b.t, &b.before);
                column[places[p]] = kept;
            }
        }
    }
    for (size_t p = 0; p < COUNT(places); p++) {
        const uint8_t bad_flags[] = {2, 255};
        for (size_t v = 0; v < COUNT(bad_flags); v++) {
            uint8_t kept = b.f.in_cohort[places[p]];
            b.f.in_cohort[places[p]] = bad_flags[v];
            otaprio_diag_init(&diag);
            assert_int_equal(add_range(b.t, &b.f, 0, b.f.n, &diag),
                             OTAPRIO_E_RANGE);
            assert_string_equal(diag.field, "in_cohort");
            assert_int_equal(diag.index, (int64_t)places[p]);
            assert_state_is(b.t, &b.before);
            b.f.in_cohort[places[p]] = kept;
        }
    }
    /* A bad flag and later a bad code: codes are checked first; two bad
     * codes in one column: the first is named. */
    b.f.in_cohort[3] = 7;
    b.f.data[b.f.n + 100] = 5;
    b.f.data[b.f.n + 50] = 9;
    otaprio_diag_init(&diag);
    assert_int_equal(add_range(b.t, &b.f, 0, b.f.n, &diag), OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "codes");
    assert_int_equal(diag.index, 50);
    assert_state_is(b.t, &b.before);
    assert_int_equal(otaprio_tally_add(NULL, b.f.columns, 1, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "tally");
    bad_case_free(&b);
}

static void add_past_the_strata_limit_changes_nothing(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    uint32_t held = b.before.count;
    b.t->limit = held + 2;
    /* Known strata, then three new ones, then known ones again. */
    uint32_t col[3][8];
    for (size_t i = 0; i < 8; i++) {
        uint64_t id = b.before.ids[i % 2];
        uint32_t row[3] = {0};
        otaprio__cohort_stratum_codes(&b.f.setup, id, row);
        for (size_t d = 0; d < 3; d++)
            col[d][i] = row[d];
    }
    for (size_t i = 2; i < 5; i++)
        col[2][i] = 1000 + (uint32_t)i; /* unseen codes */
    const uint32_t *columns[3] = {col[0], col[1], col[2]};
    const uint8_t flags[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_tally_add(b.t, columns, 8, flags, &diag),
                     OTAPRIO_E_LIMIT);
    assert_string_equal(diag.field, "codes");
    assert_int_equal(diag.index, 4); /* the third new stratum */
    assert_state_is(b.t, &b.before);
    /* Two new strata fit exactly. */
    assert_int_equal(otaprio_tally_add(b.t, columns, 4, flags, &diag),
                     OTAPRIO_OK);
    assert_int_equal(b.t->strata.count, held + 2);
    assert_int_equal(b.t->devices, b.before.devices + 4);
    bad_case_free(&b);
}

static void representativeness_refuses_bad_arguments(void **state)
{
    (void)state;
    bad_case b = bad_case_make();
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    otaprio_representativeness r;
    memset(&r, 0x33, sizeof r);
    r.size = sizeof r - 8;
    otaprio_representativeness before = r;
    assert_int_equal(otaprio_tally_representativeness(b.t, &r, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "report");
    assert_memory_equal(&r, &before, sizeof r);
    r.size = 0;
    assert_int_equal(otaprio_tally_representativeness(b.t, &r, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(otaprio_tally_representativeness(b.t, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "report");
    r.size = sizeof r;
    assert_int_equal(otaprio_tally_representativeness(NULL, &r, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "tally");
    /* A newer caller's larger struct: its tail is left alone. */
    struct {
        otaprio_representativeness r;
        unsigned char tail[16];
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.r.size = sizeof newer;
    memset(newer.tail, 0x44, sizeof newer.tail);
    assert_int_equal(otaprio_tally_representativeness(b.t, &newer.r, NULL),
                     OTAPRIO_OK);
    assert_int_equal(newer.r.size, sizeof newer);
    assert_int_equal(newer.r.fleet, 2000);
    for (size_t i = 0; i < sizeof newer.tail; i++)
        assert_int_equal(newer.tail[i], 0x44);
    assert_state_is(b.t, &b.before);
    bad_case_free(&b);
}

/* ---- allocation failures ----------------------------------------------- */

static int create_and_free(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_tally *sentinel = (otaprio_tally *)&sentinel;
    otaprio_tally *t = sentinel;
    otaprio_cohort_spec spec = spec_of(3, three_cards);
    int status = otaprio_tally_create(&spec, allocator, &t, NULL);
    if (status != OTAPRIO_OK) {
        assert_ptr_equal(t, sentinel);
        return status;
    }
    otaprio_tally_free(t);
    return OTAPRIO_OK;
}

static void create_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_int_equal(alloc_fail_sweep(create_and_free, NULL, OTAPRIO_E_NOMEM),
                     1);
}

/* Chunks that bring hundreds of new strata each (every array grows several
 * times inside one), then the report. After a failed add the state is as
 * before it, and the retried add gives the counts of a run that never
 * failed; a failed report writes nothing. */
typedef struct add_sweep {
    fleet f;
    snapshot ref;
    otaprio_representativeness expected;
    size_t cuts[4];
} add_sweep;

static int add_chunks(const otaprio_allocator *allocator, void *ctx)
{
    add_sweep *sw = ctx;
    otaprio_cohort_spec spec = spec_of(sw->f.dims, sw->f.cards);
    otaprio_tally *t = NULL;
    int status = otaprio_tally_create(&spec, allocator, &t, NULL);
    if (status != OTAPRIO_OK)
        return status;
    int first_failure = OTAPRIO_OK;
    for (size_t k = 0; k + 1 < COUNT(sw->cuts); k++) {
        size_t first = sw->cuts[k], count = sw->cuts[k + 1] - first;
        snapshot before = take(t);
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        status = add_range(t, &sw->f, first, count, &diag);
        if (status != OTAPRIO_OK) {
            assert_int_equal(diag.status, status);
            assert_state_is(t, &before);
            if (first_failure == OTAPRIO_OK)
                first_failure = status;
            assert_int_equal(add_range(t, &sw->f, first, count, NULL),
                             OTAPRIO_OK);
        }
        drop(&before);
    }
    assert_state_is(t, &sw->ref);
    otaprio_representativeness r;
    memset(&r, 0x66, sizeof r);
    r.size = sizeof r;
    otaprio_representativeness untouched = r;
    status = otaprio_tally_representativeness(t, &r, NULL);
    if (status != OTAPRIO_OK) {
        assert_memory_equal(&r, &untouched, sizeof r);
        if (first_failure == OTAPRIO_OK)
            first_failure = status;
    } else {
        assert_memory_equal(&r, &sw->expected, sizeof r);
    }
    otaprio_tally_free(t);
    return first_failure;
}

static void add_survives_every_allocation_failure(void **state)
{
    (void)state;
    const uint32_t cards[2] = {1000, 1000};
    add_sweep sw;
    sw.f = fleet_make(2, cards, 3000, 12, 0, true);
    sw.ref = slow_run(&sw.f);
    assert_true(sw.ref.count > 30);
    sw.cuts[0] = 0;
    sw.cuts[1] = 1000;
    sw.cuts[2] = 2990;
    sw.cuts[3] = 3000;
    otaprio_tally *t = make(2, cards);
    assert_int_equal(add_range(t, &sw.f, 0, sw.f.n, NULL), OTAPRIO_OK);
    sw.expected.size = sizeof sw.expected;
    assert_int_equal(otaprio_tally_representativeness(t, &sw.expected, NULL),
                     OTAPRIO_OK);
    otaprio_tally_free(t);
    /* The handle, growths of four arrays and the table, the report. */
    assert_true(alloc_fail_sweep(add_chunks, &sw, OTAPRIO_E_NOMEM) > 20);
    drop(&sw.ref);
    fleet_free(&sw.f);
}

static void memory_comes_from_the_callers_allocator(void **state)
{
    (void)state;
    failing_allocator fa;
    failing_allocator_prepare(&fa, 0);
    otaprio_cohort_spec spec = spec_of(3, three_cards);
    otaprio_tally *t = NULL;
    assert_int_equal(otaprio_tally_create(&spec, &fa.allocator, &t, NULL),
                     OTAPRIO_OK);
    assert_int_equal(fa.live_blocks, 1);
    fleet f = property_fleet(0);
    assert_int_equal(add_range(t, &f, 0, f.n, NULL), OTAPRIO_OK);
    /* The handle, three arrays, the tuples and the table. */
    assert_int_equal(fa.live_blocks, 6);
    long attempts = fa.attempts;
    otaprio_representativeness r;
    r.size = sizeof r;
    assert_int_equal(otaprio_tally_representativeness(t, &r, NULL), OTAPRIO_OK);
    assert_int_equal(fa.attempts, attempts + 1); /* the report's scratch */
    assert_int_equal(fa.live_blocks, 6);
    otaprio_tally_free(t);
    assert_int_equal(fa.live_blocks, 0);
    fleet_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_match_a_slow_reference_in_any_chunking),
        cmocka_unit_test(null_columns_read_as_code_zero),
        cmocka_unit_test(codes_at_the_ends_of_the_range),
        cmocka_unit_test(create_refuses_bad_strata),
        cmocka_unit_test(add_refuses_bad_codes_and_flags_and_changes_nothing),
        cmocka_unit_test(add_past_the_strata_limit_changes_nothing),
        cmocka_unit_test(representativeness_refuses_bad_arguments),
        cmocka_unit_test(create_survives_every_allocation_failure),
        cmocka_unit_test(add_survives_every_allocation_failure),
        cmocka_unit_test(memory_comes_from_the_callers_allocator),
    };
    return cmocka_run_group_tests_name("cohort_tally", tests, NULL, NULL);
}
