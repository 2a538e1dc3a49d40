/* SPDX-License-Identifier: MIT */
/*
 * Representativeness of a cohort: known answers from an independent
 * reference (tests/vectors/gen_cohort_report_vectors.py, NumPy), the same
 * answers through a tally of the devices behind them, properties on random
 * strata (distances in [0, 1], 0 for a proportional cohort, a marginal never
 * farther than the joint, coverage, and a report that does not depend on the
 * order of the strata), bad counts refused, and the allocation failure.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "cohort_internal.h"
#include "splitmix.h"
#include "vectors/cohort_report_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Distances are sums the library and NumPy take in different orders. */
#define SUM_TOLERANCE 1e-12

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

static otaprio__cohort_setup setup_of(uint32_t dimensions,
                                      const uint32_t *cardinalities)
{
    otaprio_cohort_spec spec;
    assert_int_equal(otaprio_cohort_spec_init(&spec), OTAPRIO_OK);
    spec.dimension_count = dimensions;
    spec.cardinalities = dimensions > 0 ? cardinalities : NULL;
    otaprio__cohort_setup setup;
    assert_int_equal(otaprio__cohort_setup_strata(&setup, &spec, NULL),
                     OTAPRIO_OK);
    return setup;
}

static otaprio__mem default_mem(void)
{
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    return mem;
}

static otaprio_representativeness report_of(const otaprio__cohort_setup *setup,
                                            size_t strata, const uint64_t *ids,
                                            const uint64_t *fleet,
                                            const uint64_t *cohort)
{
    otaprio__mem mem = default_mem();
    otaprio_representativeness r;
    memset(&r, 0xA5, sizeof r);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio__cohort_report(setup, strata, ids, fleet, cohort, &r,
                                        &mem, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("the report failed: %s", diag.message);
    return r;
}

static void assert_close(double got, double want)
{
    if (!(fabs(got - want) <= SUM_TOLERANCE))
        fail_msg("%.17g is not within %g of %.17g", got, SUM_TOLERANCE, want);
}

/* ---- known answers ----------------------------------------------------- */

static void assert_matches_vector(const otaprio_representativeness *r,
                                  const report_vector *v)
{
    assert_int_equal(r->size, sizeof *r);
    assert_int_equal(r->fleet, v->fleet_total);
    assert_int_equal(r->cohort, v->cohort_total);
    assert_int_equal(r->strata, v->strata_count);
    assert_int_equal(r->strata_covered, v->strata_covered);
    /* One IEEE division each, on both sides: equal to the bit. */
    assert_true(r->strata_coverage == v->strata_coverage);
    assert_true(r->mass_coverage == v->mass_coverage);
    assert_close(r->tvd, v->tvd);
    assert_int_equal(r->dimension_count, v->dimension_count);
    for (uint32_t d = 0; d < OTAPRIO_COHORT_MAX_DIMENSIONS; d++) {
        if (d < v->dimension_count)
            assert_close(r->tvd_dimension[d], v->tvd_dimension[d]);
        else
            assert_true(r->tvd_dimension[d] == 0.0);
    }
    assert_int_equal(r->worst_count, v->worst_count);
    for (uint32_t w = 0; w < OTAPRIO_COHORT_REPORT_WORST; w++) {
        if (w < v->worst_count) {
            assert_int_equal(r->worst_stratum[w], v->worst_stratum[w]);
            assert_true(r->worst_fleet_share[w] == v->worst_fleet_share[w]);
            assert_true(r->worst_cohort_share[w] == v->worst_cohort_share[w]);
        } else {
            assert_int_equal(r->worst_stratum[w], 0);
            assert_true(r->worst_fleet_share[w] == 0.0);
            assert_true(r->worst_cohort_share[w] == 0.0);
        }
    }
}

static void reports_match_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(report_vectors); i++) {
        const report_vector *v = &report_vectors[i];
        otaprio__cohort_setup setup =
            setup_of(v->dimension_count, v->cardinalities);
        otaprio_representativeness r =
            report_of(&setup, v->strata, v->ids, v->fleet, v->cohort);
        assert_matches_vector(&r, v);
    }
}

/* The devices behind a vector's counts, shuffled, tallied in chunks of
 * `chunk`: the tally's report is the report of the counts. */
static void check_tally(const report_vector *v, size_t chunk, uint64_t seed)
{
    const uint32_t dims = v->dimension_count;
    size_t n = 0;
    for (size_t h = 0; h < v->strata; h++)
        n += (size_t)v->fleet[h];
    uint32_t *codes = xcalloc((size_t)dims * n, sizeof *codes);
    uint8_t *in_cohort = xcalloc(n, 1);
    size_t *order = xcalloc(n, sizeof *order);
    otaprio__cohort_setup setup = setup_of(dims, v->cardinalities);
    uint32_t *device_codes =
        xcalloc(n, sizeof(uint32_t[OTAPRIO_COHORT_MAX_DIMENSIONS]));
    size_t at = 0;
    for (size_t h = 0; h < v->strata; h++) {
        uint32_t row[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
        otaprio__cohort_stratum_codes(&setup, v->ids[h], row);
        for (uint64_t k = 0; k < v->fleet[h]; k++, at++) {
            memcpy(device_codes + OTAPRIO_COHORT_MAX_DIMENSIONS * at, row,
                   sizeof row);
            in_cohort[at] = k < v->cohort[h];
            order[at] = at;
        }
    }
    uint64_t s = seed;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = splitmix_next(&s) % i, t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    uint8_t *flags = xcalloc(n, 1);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t d = 0; d < dims; d++)
            codes[d * n + i] =
                device_codes[OTAPRIO_COHORT_MAX_DIMENSIONS * order[i] + d];
        flags[i] = in_cohort[order[i]];
    }

    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.dimension_count = dims;
    spec.cardinalities = v->cardinalities;
    otaprio_tally *tally = NULL;
    assert_int_equal(otaprio_tally_create(&spec, NULL, &tally, NULL),
                     OTAPRIO_OK);
    for (size_t first = 0; first < n; first += chunk) {
        size_t count = n - first < chunk ? n - first : chunk;
        const uint32_t *columns[OTAPRIO_COHORT_MAX_DIMENSIONS];
        for (uint32_t d = 0; d < dims; d++)
            columns[d] = codes + d * n + first;
        assert_int_equal(otaprio_tally_add(tally, dims > 0 ? columns : NULL,
                                           count, flags + first, NULL),
                         OTAPRIO_OK);
    }
    otaprio_representativeness from_tally;
    memset(&from_tally, 0x5A, sizeof from_tally);
    from_tally.size = sizeof from_tally;
    assert_int_equal(otaprio_tally_representativeness(tally, &from_tally, NULL),
                     OTAPRIO_OK);
    assert_matches_vector(&from_tally, v);
    /* Tallied in another order, summed in the same one: to the bit. */
    otaprio_representativeness direct =
        report_of(&setup, v->strata, v->ids, v->fleet, v->cohort);
    assert_memory_equal(&from_tally, &direct, sizeof direct);
    otaprio_tally_free(tally);
    free(codes);
    free(in_cohort);
    free(order);
    free(flags);
    free(device_codes);
}

static void tallied_devices_match_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(report_vectors); i++) {
        check_tally(&report_vectors[i], SIZE_MAX, 1 + i);
        check_tally(&report_vectors[i], 997, 100 + i);
        check_tally(&report_vectors[i], 7, 200 + i);
    }
}

/* ---- properties -------------------------------------------------------- */

/* Random strata of a random rollout with at most `max_dims` dimensions. */
typedef struct strata_set {
    uint32_t dims;
    uint32_t cards[OTAPRIO_COHORT_MAX_DIMENSIONS];
    otaprio__cohort_setup setup;
    size_t count;
    uint64_t *ids, *fleet, *cohort;
} strata_set;

static strata_set random_set(uint64_t seed)
{
    strata_set s;
    memset(&s, 0, sizeof s);
    uint64_t r = seed;
    s.dims = splitmix_below(&r, 6);
    bool huge = false;
    for (uint32_t d = 0; d < s.dims; d++) {
        /* Small cardinalities give shared codes; a huge one (at most one,
         * so the strata fit in 64 bits), codes past anything an array could
         * index. */
        bool this_huge = !huge && splitmix_below(&r, 4) == 0;
        huge = huge || this_huge;
        s.cards[d] = this_huge ? UINT32_MAX - splitmix_below(&r, 10)
                               : 1 + splitmix_below(&r, 6);
    }
    s.setup = setup_of(s.dims, s.cards);
    s.count = s.dims == 0 ? 1 : 1 + splitmix_below(&r, 80);
    s.ids = xcalloc(s.count, sizeof *s.ids);
    s.fleet = xcalloc(s.count, sizeof *s.fleet);
    s.cohort = xcalloc(s.count, sizeof *s.cohort);
    size_t made = 0;
    for (int tries = 0; made < s.count && tries < 10000; tries++) {
        uint32_t row[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
        for (uint32_t d = 0; d < s.dims; d++) {
            uint32_t c = splitmix_below(&r, s.cards[d] < 5 ? s.cards[d] : 5);
            row[d] = s.cards[d] > 5 && c > 2 ? s.cards[d] - c : c;
        }
        uint64_t id = otaprio__cohort_stratum_id(&s.setup, row);
        bool seen = false;
        for (size_t h = 0; h < made; h++)
            seen = seen || s.ids[h] == id;
        if (seen)
            continue;
        s.ids[made] = id;
        /* Some strata without devices, some fully in the cohort. */
        s.fleet[made] = splitmix_below(&r, 8) == 0 ? 0 : splitmix_below(&r, 50);
        uint32_t kind = splitmix_below(&r, 4);
        s.cohort[made] = kind == 0 ? 0
                         : kind == 1
                             ? s.fleet[made]
                             : s.fleet[made] * splitmix_below(&r, 5) / 8;
        made++;
    }
    s.count = made;
    return s;
}

static void free_set(strata_set *s)
{
    free(s->ids);
    free(s->fleet);
    free(s->cohort);
}

#define PROPERTY_RUNS 400

static void distances_lie_in_zero_one(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= PROPERTY_RUNS; seed++) {
        strata_set s = random_set(seed);
        otaprio_representativeness r =
            report_of(&s.setup, s.count, s.ids, s.fleet, s.cohort);
        assert_true(r.tvd >= 0.0 && r.tvd <= 1.0);
        for (uint32_t d = 0; d < s.dims; d++)
            assert_true(r.tvd_dimension[d] >= 0.0 && r.tvd_dimension[d] <= 1.0);
        free_set(&s);
    }
    /* Disjoint supports: every share of the cohort where the fleet has
     * almost nothing. The distance is 1 - 1/N, and never past 1. */
    const uint32_t cards[1] = {3};
    otaprio__cohort_setup setup = setup_of(1, cards);
    const uint64_t ids[3] = {0, 1, 2};
    const uint64_t fleet[3] = {999999, 1, 0};
    const uint64_t cohort[3] = {0, 1, 0};
    otaprio_representativeness r = report_of(&setup, 3, ids, fleet, cohort);
    assert_close(r.tvd, 1.0 - 1.0 / 1000000.0);
    assert_true(r.tvd <= 1.0);
}

static void a_proportional_cohort_is_at_distance_zero(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= PROPERTY_RUNS; seed++) {
        strata_set s = random_set(seed);
        uint64_t scale = 1 + seed % 7;
        for (size_t h = 0; h < s.count; h++) {
            s.cohort[h] = s.fleet[h];
            s.fleet[h] *= scale;
        }
        otaprio_representativeness r =
            report_of(&s.setup, s.count, s.ids, s.fleet, s.cohort);
        if (r.cohort > 0) {
            /* Equal rationals, one correctly rounded division each. */
            assert_true(r.tvd == 0.0);
            for (uint32_t d = 0; d < s.dims; d++)
                assert_true(r.tvd_dimension[d] == 0.0);
            assert_int_equal(r.worst_count, 0);
            assert_int_equal(r.strata_covered, r.strata);
            assert_true(r.strata_coverage == 1.0);
            assert_true(r.mass_coverage == 1.0);
        }
        free_set(&s);
    }
}

static void a_marginal_is_never_farther_than_the_joint(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= PROPERTY_RUNS; seed++) {
        strata_set s = random_set(seed);
        otaprio_representativeness r =
            report_of(&s.setup, s.count, s.ids, s.fleet, s.cohort);
        for (uint32_t d = 0; d < s.dims; d++)
            assert_true(r.tvd_dimension[d] <= r.tvd + SUM_TOLERANCE);
        free_set(&s);
    }
}

static void coverage_counts_the_strata_with_cohort_devices(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= PROPERTY_RUNS; seed++) {
        strata_set s = random_set(seed);
        otaprio_representativeness r =
            report_of(&s.setup, s.count, s.ids, s.fleet, s.cohort);
        uint64_t n = 0, c = 0, strata = 0, covered = 0, mass = 0;
        for (size_t h = 0; h < s.count; h++) {
            n += s.fleet[h];
            c += s.cohort[h];
            strata += s.fleet[h] > 0;
            covered += s.cohort[h] > 0;
            mass += s.cohort[h] > 0 ? s.fleet[h] : 0;
        }
        assert_int_equal(r.fleet, n);
        assert_int_equal(r.cohort, c);
        assert_int_equal(r.strata, strata);
        assert_int_equal(r.strata_covered, covered);
        if (strata > 0) {
            assert_true(r.strata_coverage == (double)covered / (double)strata);
            assert_true(r.mass_coverage == (double)mass / (double)n);
        } else {
            assert_true(r.strata_coverage == 0.0 && r.mass_coverage == 0.0);
            assert_true(r.tvd == 0.0);
        }
        assert_true(r.strata_coverage >= 0.0 && r.strata_coverage <= 1.0);
        assert_true(r.mass_coverage >= 0.0 && r.mass_coverage <= 1.0);
        /* The worst strata: positive deficits, in order, ties by id. */
        assert_true(r.worst_count <= OTAPRIO_COHORT_REPORT_WORST);
        for (uint32_t w = 0; w < r.worst_count; w++) {
            double deficit = r.worst_fleet_share[w] - r.worst_cohort_share[w];
            assert_true(deficit > 0.0);
            if (w > 0) {
                double before =
                    r.worst_fleet_share[w - 1] - r.worst_cohort_share[w - 1];
                assert_true(before > deficit ||
                            (before == deficit &&
                             r.worst_stratum[w - 1] < r.worst_stratum[w]));
            }
        }
        /* An empty cohort of a fleet is as far as can be. */
        if (n > 0 && c == 0) {
            assert_true(r.tvd == 1.0);
            for (uint32_t d = 0; d < s.dims; d++)
                assert_true(r.tvd_dimension[d] == 1.0);
        }
        free_set(&s);
    }
}

static void swap_u64(uint64_t *values, size_t a, size_t b)
{
    uint64_t t = values[a];
    values[a] = values[b];
    values[b] = t;
}

static void swap_strata(strata_set *s, size_t a, size_t b)
{
    swap_u64(s->ids, a, b);
    swap_u64(s->fleet, a, b);
    swap_u64(s->cohort, a, b);
}

static void the_order_of_the_strata_does_not_matter(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= PROPERTY_RUNS; seed++) {
        strata_set s = random_set(seed);
        otaprio_representativeness first =
            report_of(&s.setup, s.count, s.ids, s.fleet, s.cohort);
        /* Reversed, then rotated by one: the same report, to the bit. */
        for (int turn = 0; turn < 2; turn++) {
            if (turn == 0)
                for (size_t h = 0; h < s.count / 2; h++)
                    swap_strata(&s, h, s.count - 1 - h);
            else
                for (size_t h = 0; h + 1 < s.count; h++)
                    swap_strata(&s, h, h + 1);
            otaprio_representativeness again =
                report_of(&s.setup, s.count, s.ids, s.fleet, s.cohort);
            assert_memory_equal(&again, &first, sizeof first);
        }
        free_set(&s);
    }
}

static void empty_fleets_and_cohorts(void **state)
{
    (void)state;
    const uint32_t cards[2] = {4, 4};
    otaprio__cohort_setup setup = setup_of(2, cards);
    /* No strata at all: zeros, with the dimensions named. */
    otaprio_representativeness r = report_of(&setup, 0, NULL, NULL, NULL);
    otaprio_representativeness zero;
    memset(&zero, 0, sizeof zero);
    zero.size = sizeof zero;
    zero.dimension_count = 2;
    assert_memory_equal(&r, &zero, sizeof zero);
    /* A fleet and no cohort: distances 1, nothing covered. */
    const uint64_t ids[2] = {5, 10}, fleet[2] = {3, 1}, none[2] = {0, 0};
    r = report_of(&setup, 2, ids, fleet, none);
    assert_true(r.tvd == 1.0);
    assert_true(r.tvd_dimension[0] == 1.0 && r.tvd_dimension[1] == 1.0);
    assert_int_equal(r.strata_covered, 0);
    assert_true(r.strata_coverage == 0.0 && r.mass_coverage == 0.0);
    assert_int_equal(r.worst_count, 2);
    assert_int_equal(r.worst_stratum[0], 5);
    assert_true(r.worst_fleet_share[0] == 0.75);
    assert_true(r.worst_cohort_share[0] == 0.0);
    /* Everything in the cohort: distance 0, nothing under-covered. */
    r = report_of(&setup, 2, ids, fleet, fleet);
    assert_true(r.tvd == 0.0);
    assert_int_equal(r.worst_count, 0);
}

static void at_most_eight_strata_are_named(void **state)
{
    (void)state;
    const uint32_t cards[1] = {100};
    otaprio__cohort_setup setup = setup_of(1, cards);
    uint64_t ids[20], fleet[20], cohort[20];
    /* Stratum h has h + 1 devices, none in the cohort but stratum 0's:
     * the deficits grow with h, so the last eight come first. */
    for (size_t h = 0; h < 20; h++) {
        ids[h] = 99 - h;
        fleet[h] = h + 1;
        cohort[h] = h == 0 ? 1 : 0;
    }
    otaprio_representativeness r = report_of(&setup, 20, ids, fleet, cohort);
    assert_int_equal(r.worst_count, 8);
    for (uint32_t w = 0; w < 8; w++) {
        assert_int_equal(r.worst_stratum[w], 99 - (19 - w));
        assert_true(r.worst_fleet_share[w] == (double)(20 - w) / 210.0);
    }
}

/* ---- bad counts -------------------------------------------------------- */

static void bad_counts_are_refused(void **state)
{
    (void)state;
    const uint32_t cards[2] = {3, 5};
    otaprio__cohort_setup setup = setup_of(2, cards);
    otaprio__mem mem = default_mem();
    /* ids, fleet, cohort; then what the diagnostics say */
    const struct {
        uint64_t ids[3], fleet[3], cohort[3];
        int status;
        const char *field;
        int64_t index;
        const char *says;
    } bad[] = {
        {{0, 1, 2},
         {5, 5, 5},
         {1, 6, 0}, /* more cohort than fleet */
         OTAPRIO_E_INVALID,
         "cohort",
         1,
         "stratum 1 has 6"},
        {{0, 1, 2},
         {5, 0, 5},
         {1, 1, 0}, /* a cohort without a fleet */
         OTAPRIO_E_INVALID,
         "cohort",
         1,
         "only 0 fleet"},
        {{0, 15, 2},
         {5, 5, 5},
         {1, 1, 0}, /* an id past the strata */
         OTAPRIO_E_INVALID,
         "ids",
         1,
         "15 is past the 15"},
        {{0, 7, 7},
         {5, 5, 5},
         {1, 1, 0}, /* an id twice */
         OTAPRIO_E_INVALID,
         "ids",
         -1,
         "7 appears twice"},
        {{0, 1, 2},
         {UINT64_MAX, 1, 0},
         {0, 0, 0}, /* past 2^64 devices */
         OTAPRIO_E_OVERFLOW,
         "fleet",
         1,
         "exceed 2^64"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        otaprio_representativeness r;
        memset(&r, 0x77, sizeof r);
        otaprio_representativeness before = r;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio__cohort_report(&setup, 3, bad[i].ids,
                                                bad[i].fleet, bad[i].cohort, &r,
                                                &mem, &diag),
                         bad[i].status);
        assert_string_equal(diag.field, bad[i].field);
        assert_int_equal(diag.index, bad[i].index);
        assert_non_null(strstr(diag.message, bad[i].says));
        assert_memory_equal(&r, &before, sizeof r);
    }
}

typedef struct report_case {
    strata_set set;
    otaprio_representativeness expected;
} report_case;

static int report_with(const otaprio_allocator *allocator, void *ctx)
{
    report_case *c = ctx;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, allocator, NULL), OTAPRIO_OK);
    otaprio_representativeness r;
    memset(&r, 0x77, sizeof r);
    otaprio_representativeness before = r;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio__cohort_report(&c->set.setup, c->set.count, c->set.ids,
                               c->set.fleet, c->set.cohort, &r, &mem, &diag);
    if (status != OTAPRIO_OK) {
        assert_int_equal(diag.status, status);
        assert_memory_equal(&r, &before, sizeof r);
        return status;
    }
    assert_memory_equal(&r, &c->expected, sizeof r);
    return OTAPRIO_OK;
}

static void the_report_survives_its_allocation_failure(void **state)
{
    (void)state;
    report_case c;
    c.set = random_set(3);
    assert_true(c.set.count > 1);
    c.expected = report_of(&c.set.setup, c.set.count, c.set.ids, c.set.fleet,
                           c.set.cohort);
    assert_int_equal(alloc_fail_sweep(report_with, &c, OTAPRIO_E_NOMEM), 1);
    free_set(&c.set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_match_the_reference),
        cmocka_unit_test(tallied_devices_match_the_reference),
        cmocka_unit_test(distances_lie_in_zero_one),
        cmocka_unit_test(a_proportional_cohort_is_at_distance_zero),
        cmocka_unit_test(a_marginal_is_never_farther_than_the_joint),
        cmocka_unit_test(coverage_counts_the_strata_with_cohort_devices),
        cmocka_unit_test(the_order_of_the_strata_does_not_matter),
        cmocka_unit_test(empty_fleets_and_cohorts),
        cmocka_unit_test(at_most_eight_strata_are_named),
        cmocka_unit_test(bad_counts_are_refused),
        cmocka_unit_test(the_report_survives_its_allocation_failure),
    };
    return cmocka_run_group_tests_name("cohort_report", tests, NULL, NULL);
}
