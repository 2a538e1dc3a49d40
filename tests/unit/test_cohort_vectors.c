/* SPDX-License-Identifier: MIT */
/*
 * Known answers for the cohort engine from an independent implementation
 * of docs/cohort.md (tests/vectors/gen_cohort_vectors.py), replayed through
 * the public API only. Each case's fleet is redrawn from its seed and
 * checked against the generator's fingerprint, then observed three ways
 * (one chunk; uneven chunks; three shards, one merged directly and one
 * through its serialised bytes), and every run's cohort must give every
 * answer of the vectors: wave sizes, strata, listed devices, assign and
 * representativeness.
 *
 * Doubles are compared exactly when both sides compute them by the same
 * formula on the same integers (fractions, coverages, shares). Total
 * variation distances are sums whose order the text does not fix; their
 * terms are not negative, so any order is within n * 2^-53 of the other,
 * and they are compared to a relative 1e-12.
 */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio/cohort.h"
#include "splitmix.h"
#include "vectors/cohort_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define TVD_TOLERANCE 1e-12
/* Mismatches printed per run; all are counted. */
#define PRINT_LIMIT 40

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

/* ---- the fleet, redrawn ------------------------------------------------ */

typedef struct fleet {
    size_t n;
    uint32_t dimension_count;
    uint64_t *keys;
    uint32_t *codes[OTAPRIO_COHORT_MAX_DIMENSIONS];
    /* NULL for a dimension whose codes are all 0: the library gets NULL. */
    const uint32_t *given[OTAPRIO_COHORT_MAX_DIMENSIONS];
    uint8_t *critical, *charging, *metered, *excluded, *first_wave;
    float *battery;
    uint32_t *cluster;
} fleet;

static uint32_t weighted(uint64_t draw, const uint32_t *weights, uint32_t count)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++)
        total += weights[i];
    uint64_t r = draw % total, sum = 0;
    for (uint32_t i = 0; i < count; i++) {
        sum += weights[i];
        if (r < sum)
            return i;
    }
    fail_msg("weights sum to nothing");
    return 0;
}

static uint8_t flag(uint64_t draw, int32_t permille)
{
    return (uint8_t)(draw % 1000 < (uint64_t)permille);
}

static uint64_t fnv(uint64_t h, uint64_t word)
{
    return (h ^ word) * 0x100000001B3ull;
}

/* Draws the fleet as the generator's docstring says, device after device,
 * and checks it against the generator's fingerprint. */
static fleet fleet_draw(const cohort_vector_fleet *f)
{
    fleet d;
    memset(&d, 0, sizeof d);
    size_t n = f->n;
    d.n = n;
    d.dimension_count = f->dimension_count;
    d.keys = xcalloc(n, sizeof *d.keys);
    for (uint32_t k = 0; k < f->dimension_count; k++)
        d.codes[k] = xcalloc(n, sizeof *d.codes[k]);
    if (f->critical_permille >= 0)
        d.critical = xcalloc(n, 1);
    if (f->battery)
        d.battery = xcalloc(n, sizeof *d.battery);
    if (f->charging_permille >= 0)
        d.charging = xcalloc(n, 1);
    if (f->metered_permille >= 0)
        d.metered = xcalloc(n, 1);
    if (f->cluster_count > 0)
        d.cluster = xcalloc(n, sizeof *d.cluster);
    if (f->excluded_permille >= 0)
        d.excluded = xcalloc(n, 1);
    if (f->first_wave_weight_count > 0)
        d.first_wave = xcalloc(n, 1);

    uint64_t state = f->seed, h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < n; i++) {
        d.keys[i] = splitmix_next(&state);
        h = fnv(h, d.keys[i]);
        const uint32_t *weights = f->code_weights;
        for (uint32_t k = 0; k < f->dimension_count; k++) {
            d.codes[k][i] =
                weighted(splitmix_next(&state), weights, f->cardinalities[k]);
            weights += f->cardinalities[k];
            h = fnv(h, d.codes[k][i]);
        }
        if (d.critical != NULL) {
            d.critical[i] = flag(splitmix_next(&state), f->critical_permille);
            h = fnv(h, d.critical[i]);
        }
        if (d.battery != NULL) {
            d.battery[i] =
                (float)((double)(splitmix_next(&state) % 101) / 100.0);
            uint32_t bits;
            memcpy(&bits, &d.battery[i], sizeof bits);
            h = fnv(h, bits);
        }
        if (d.charging != NULL) {
            d.charging[i] = flag(splitmix_next(&state), f->charging_permille);
            h = fnv(h, d.charging[i]);
        }
        if (d.metered != NULL) {
            d.metered[i] = flag(splitmix_next(&state), f->metered_permille);
            h = fnv(h, d.metered[i]);
        }
        if (d.cluster != NULL) {
            d.cluster[i] = (uint32_t)(splitmix_next(&state) % f->cluster_count);
            h = fnv(h, d.cluster[i]);
        }
        if (d.excluded != NULL) {
            d.excluded[i] = flag(splitmix_next(&state), f->excluded_permille);
            h = fnv(h, d.excluded[i]);
        }
        if (d.first_wave != NULL) {
            d.first_wave[i] =
                (uint8_t)weighted(splitmix_next(&state), f->first_wave_weights,
                                  f->first_wave_weight_count);
            h = fnv(h, d.first_wave[i]);
        }
    }
    assert_true(h == f->fingerprint);

    for (uint32_t k = 0; k < f->dimension_count; k++) {
        bool zeros = true;
        for (size_t i = 0; i < n && zeros; i++)
            zeros = d.codes[k][i] == 0;
        d.given[k] = zeros ? NULL : d.codes[k];
    }
    return d;
}

static void fleet_free(fleet *d)
{
    free(d->keys);
    for (uint32_t k = 0; k < d->dimension_count; k++)
        free(d->codes[k]);
    free(d->critical);
    free(d->battery);
    free(d->charging);
    free(d->metered);
    free(d->cluster);
    free(d->excluded);
    free(d->first_wave);
}

/* A chunk of devices first .. first + count - 1; `columns` holds the code
 * columns the chunk points to. */
static otaprio_cohort_chunk chunk_at(const fleet *d, size_t first, size_t count,
                                     const uint32_t **columns)
{
    otaprio_cohort_chunk c;
    assert_int_equal(otaprio_cohort_chunk_init(&c), OTAPRIO_OK);
    c.count = count;
    c.keys = d->keys + first;
    for (uint32_t k = 0; k < d->dimension_count; k++)
        columns[k] = d->given[k] != NULL ? d->given[k] + first : NULL;
    c.codes = d->dimension_count > 0 ? columns : NULL;
#define COLUMN(name) c.name = d->name != NULL ? d->name + first : NULL
    COLUMN(critical);
    COLUMN(battery);
    COLUMN(charging);
    COLUMN(metered);
    COLUMN(cluster);
    COLUMN(excluded);
    COLUMN(first_wave);
#undef COLUMN
    return c;
}

/* Uneven chunk sizes, an empty chunk among them, repeated to the end. */
static const size_t uneven[] = {1, 0, 17, 250, 3, 1000, 64, 2, 511, 129};

/* ---- the spec ---------------------------------------------------------- */

static otaprio_cohort_spec spec_of(const cohort_vector *v)
{
    otaprio_cohort_spec s;
    assert_int_equal(otaprio_cohort_spec_init(&s), OTAPRIO_OK);
    const cohort_vector_spec *c = &v->spec;
    s.salt = c->salt;
    s.method = c->method;
    s.dimension_count = v->fleet.dimension_count;
    s.cardinalities = v->fleet.cardinalities;
    s.wave_count = c->wave_count;
    s.waves = c->waves;
    s.minimum_per_stratum = c->minimum_per_stratum;
    s.stratum_sd = c->stratum_sd;
    s.stratum_sd_count = c->stratum_sd_count;
    s.retain_fraction = c->retain_fraction;
    s.critical_first_wave = c->critical_first_wave;
    s.minimum_battery = c->minimum_battery;
    s.exclude_metered = c->exclude_metered;
    s.excluded_clusters =
        c->excluded_cluster_count > 0 ? c->excluded_clusters : NULL;
    s.excluded_cluster_count = c->excluded_cluster_count;
    s.cap_dimension = c->cap_dimension;
    s.caps = c->caps;
    return s;
}

static otaprio_cohort_sampler *sampler_new(const otaprio_cohort_spec *spec)
{
    otaprio_cohort_sampler *s = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_create(spec, NULL, &s, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("sampler_create: %d (%s)", status, diag.message);
    return s;
}

static void observe(otaprio_cohort_sampler *s, const fleet *d, size_t first,
                    size_t count)
{
    const uint32_t *columns[OTAPRIO_COHORT_MAX_DIMENSIONS];
    otaprio_cohort_chunk c = chunk_at(d, first, count, columns);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_observe(s, &c, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("observe [%zu, +%zu): %d (%s)", first, count, status,
                 diag.message);
}

/* ---- the three runs ---------------------------------------------------- */

static otaprio_cohort_sampler *run_one_chunk(const otaprio_cohort_spec *spec,
                                             const fleet *d)
{
    otaprio_cohort_sampler *s = sampler_new(spec);
    observe(s, d, 0, d->n);
    return s;
}

static otaprio_cohort_sampler *run_uneven(const otaprio_cohort_spec *spec,
                                          const fleet *d)
{
    otaprio_cohort_sampler *s = sampler_new(spec);
    size_t first = 0;
    for (size_t i = 0; first < d->n; i++) {
        size_t count = uneven[i % COUNT(uneven)];
        if (count > d->n - first)
            count = d->n - first;
        observe(s, d, first, count);
        first += count;
    }
    return s;
}

/* Chunk i goes to shard i % 3; shard 1 is merged as a sampler, shard 2
 * through its serialised bytes. */
static otaprio_cohort_sampler *run_shards(const otaprio_cohort_spec *spec,
                                          const fleet *d)
{
    otaprio_cohort_sampler *shard[3];
    for (size_t k = 0; k < 3; k++)
        shard[k] = sampler_new(spec);
    size_t first = 0;
    for (size_t i = 0; first < d->n; i++) {
        size_t count = uneven[(i + 3) % COUNT(uneven)];
        if (count > d->n - first)
            count = d->n - first;
        observe(shard[i % 3], d, first, count);
        first += count;
    }
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_merge(shard[0], shard[1], &diag);
    if (status != OTAPRIO_OK)
        fail_msg("merge: %d (%s)", status, diag.message);

    size_t length = 0;
    assert_int_equal(
        otaprio_cohort_sampler_serialize(shard[2], NULL, 0, &length, NULL),
        OTAPRIO_OK);
    void *bytes = xcalloc(length, 1);
    size_t written = 0;
    assert_int_equal(otaprio_cohort_sampler_serialize(shard[2], bytes, length,
                                                      &written, NULL),
                     OTAPRIO_OK);
    assert_int_equal(written, length);
    status =
        otaprio_cohort_sampler_merge_serialized(shard[0], bytes, length, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("merge_serialized: %d (%s)", status, diag.message);
    free(bytes);
    otaprio_cohort_sampler_free(shard[1]);
    otaprio_cohort_sampler_free(shard[2]);
    return shard[0];
}

/* ---- comparing a cohort with the vectors ------------------------------- */

typedef struct checker {
    const char *name; /* case */
    const char *run;
    unsigned long mismatches;
} checker;

static void mismatch(checker *c, const char *field, const char *expected,
                     const char *got)
{
    if (c->mismatches++ < PRINT_LIMIT)
        print_error("%s [%s]: %s: expected %s, got %s\n", c->name, c->run,
                    field, expected, got);
}

static void same_u64(checker *c, const char *field, uint64_t expected,
                     uint64_t got)
{
    if (expected == got)
        return;
    char e[32], g[32];
    snprintf(e, sizeof e, "%" PRIu64, expected);
    snprintf(g, sizeof g, "%" PRIu64, got);
    mismatch(c, field, e, g);
}

static void same_double(checker *c, const char *field, double expected,
                        double got)
{
    if (expected == got)
        return;
    char e[64], g[64];
    snprintf(e, sizeof e, "%a (%.17g)", expected, expected);
    snprintf(g, sizeof g, "%a (%.17g)", got, got);
    mismatch(c, field, e, g);
}

static void near_double(checker *c, const char *field, double expected,
                        double got)
{
    if (fabs(expected - got) <= TVD_TOLERANCE * fabs(expected))
        return;
    char e[64], g[64];
    snprintf(e, sizeof e, "%a (%.17g)", expected, expected);
    snprintf(g, sizeof g, "%a (%.17g)", got, got);
    mismatch(c, field, e, g);
}

static void check_status(checker *c, const char *call, int status)
{
    if (status != OTAPRIO_OK)
        same_u64(c, call, (uint64_t)OTAPRIO_OK, (uint64_t)(int64_t)status);
}

static uint32_t wave_of_char(char ch)
{
    return ch == '.' ? OTAPRIO_COHORT_NONE : (uint32_t)(ch - '0');
}

static void check_waves(checker *c, const cohort_vector *v,
                        const otaprio_cohort *cohort)
{
    uint32_t w_count = v->spec.wave_count;
    same_u64(c, "wave_count", w_count, otaprio_cohort_wave_count(cohort));
    char field[96];
    for (uint32_t k = 0; k < w_count; k++) {
        const cohort_vector_wave *e = &v->waves[k];
        otaprio_cohort_wave got;
        memset(&got, 0, sizeof got);
        got.size = sizeof got;
        snprintf(field, sizeof field, "wave_info(%u)", k);
        int status = otaprio_cohort_wave_info(cohort, k, &got, NULL);
        check_status(c, field, status);
        if (status != OTAPRIO_OK)
            continue;
#define WAVE_U64(member)                                  \
    snprintf(field, sizeof field, "wave %u " #member, k); \
    same_u64(c, field, e->member, got.member)
        snprintf(field, sizeof field, "wave %u fraction", k);
        same_double(c, field, e->fraction, got.fraction);
        WAVE_U64(fleet);
        WAVE_U64(eligible);
        WAVE_U64(target);
        WAVE_U64(selected);
        WAVE_U64(shortfall);
        WAVE_U64(strata);
        WAVE_U64(strata_covered);
        WAVE_U64(strata_short_of_minimum);
#undef WAVE_U64
        snprintf(field, sizeof field, "wave %u listed", k);
        same_u64(c, field, (uint64_t)e->listed, (uint64_t)got.listed);
    }
}

static void check_strata(checker *c, const cohort_vector *v,
                         const otaprio_cohort *cohort)
{
    uint64_t n = v->stratum_count;
    uint32_t w_count = v->spec.wave_count;
    same_u64(c, "stratum_count", n, otaprio_cohort_stratum_count(cohort));
    uint64_t *ids = xcalloc(n, sizeof *ids);
    uint64_t *fleet_of = xcalloc(n, sizeof *fleet_of);
    uint64_t *eligible = xcalloc(n, sizeof *eligible);
    uint64_t *selected = xcalloc(n, sizeof *selected);
    char field[96];
    for (uint32_t k = 0; k < w_count; k++) {
        snprintf(field, sizeof field, "strata(wave %u)", k);
        int status = otaprio_cohort_strata(cohort, k, 0, n, ids, fleet_of,
                                           eligible, selected, NULL);
        check_status(c, field, status);
        if (status != OTAPRIO_OK)
            continue;
        for (uint64_t h = 0; h < n; h++) {
            snprintf(field, sizeof field, "wave %u stratum #%" PRIu64 " id", k,
                     h);
            same_u64(c, field, v->stratum_ids[h], ids[h]);
            snprintf(field, sizeof field, "wave %u stratum %" PRIu64 " fleet",
                     k, v->stratum_ids[h]);
            same_u64(c, field, v->stratum_fleet[h], fleet_of[h]);
            snprintf(field, sizeof field,
                     "wave %u stratum %" PRIu64 " eligible", k,
                     v->stratum_ids[h]);
            same_u64(c, field, v->stratum_eligible[h * w_count + k],
                     eligible[h]);
            snprintf(field, sizeof field,
                     "wave %u stratum %" PRIu64 " selected", k,
                     v->stratum_ids[h]);
            same_u64(c, field, v->stratum_selected[h * w_count + k],
                     selected[h]);
        }
        /* One past the strata is out of range. */
        snprintf(field, sizeof field, "strata(wave %u) past the end", k);
        same_u64(c, field, (uint64_t)(int64_t)OTAPRIO_E_RANGE,
                 (uint64_t)(int64_t)otaprio_cohort_strata(
                     cohort, k, 0, n + 1, NULL, NULL, NULL, NULL, NULL));
    }
    free(ids);
    free(fleet_of);
    free(eligible);
    free(selected);
}

static void check_listed(checker *c, const cohort_vector *v, const fleet *d,
                         const otaprio_cohort *cohort)
{
    uint64_t n = v->listed_count;
    uint64_t *keys = xcalloc(n, sizeof *keys);
    uint8_t *waves = xcalloc(n, 1);
    uint64_t *strata = xcalloc(n, sizeof *strata);
    int status =
        otaprio_cohort_devices(cohort, 0, n, keys, waves, strata, NULL);
    check_status(c, "devices(all)", status);
    char field[96];
    if (status == OTAPRIO_OK) {
        for (uint64_t i = 0; i < n; i++) {
            snprintf(field, sizeof field, "listed #%" PRIu64 " key", i);
            same_u64(c, field, d->keys[v->listed_device[i]], keys[i]);
            snprintf(field, sizeof field, "listed #%" PRIu64 " wave", i);
            same_u64(c, field, wave_of_char(v->listed_wave[i]), waves[i]);
            snprintf(field, sizeof field, "listed #%" PRIu64 " stratum", i);
            same_u64(c, field, v->listed_stratum[i], strata[i]);
        }
    }
    same_u64(c, "devices past the last listed",
             (uint64_t)(int64_t)OTAPRIO_E_RANGE,
             (uint64_t)(int64_t)otaprio_cohort_devices(cohort, 0, n + 1, NULL,
                                                       NULL, NULL, NULL));
    /* A window in the middle gives the same entries. */
    if (n >= 3) {
        uint64_t first = n / 3, count = n / 3;
        uint64_t *k2 = xcalloc(count, sizeof *k2);
        status =
            otaprio_cohort_devices(cohort, first, count, k2, NULL, NULL, NULL);
        check_status(c, "devices(window)", status);
        for (uint64_t i = 0; status == OTAPRIO_OK && i < count; i++) {
            snprintf(field, sizeof field, "listed window #%" PRIu64 " key",
                     first + i);
            same_u64(c, field, d->keys[v->listed_device[first + i]], k2[i]);
        }
        free(k2);
    }
    free(keys);
    free(waves);
    free(strata);
}

static void check_assign_range(checker *c, const cohort_vector *v,
                               const fleet *d, const otaprio_cohort *cohort,
                               size_t first, size_t count, uint8_t *waves,
                               const char *how)
{
    const uint32_t *columns[OTAPRIO_COHORT_MAX_DIMENSIONS];
    otaprio_cohort_chunk chunk = chunk_at(d, first, count, columns);
    char field[96];
    snprintf(field, sizeof field, "assign(%s [%zu, +%zu))", how, first, count);
    int status = otaprio_cohort_assign(cohort, &chunk, waves, NULL);
    check_status(c, field, status);
    if (status != OTAPRIO_OK)
        return;
    for (size_t i = 0; i < count; i++) {
        snprintf(field, sizeof field, "assign(%s) device %zu", how, first + i);
        same_u64(c, field, wave_of_char(v->assign[first + i]), waves[i]);
    }
}

static void check_assign(checker *c, const cohort_vector *v, const fleet *d,
                         const otaprio_cohort *cohort)
{
    uint8_t *waves = xcalloc(d->n, 1);
    check_assign_range(c, v, d, cohort, 0, d->n, waves, "one chunk");
    size_t first = 0;
    for (size_t i = 0; first < d->n; i++) {
        size_t count = uneven[(i + 5) % COUNT(uneven)];
        if (count > d->n - first)
            count = d->n - first;
        check_assign_range(c, v, d, cohort, first, count, waves + first,
                           "chunks");
        first += count;
    }
    free(waves);
}

static void check_reports(checker *c, const cohort_vector *v,
                          const otaprio_cohort *cohort)
{
    char field[96];
    for (uint32_t k = 0; k < v->spec.wave_count; k++) {
        const cohort_vector_report *e = &v->reports[k];
        otaprio_representativeness got;
        memset(&got, 0, sizeof got);
        got.size = sizeof got;
        snprintf(field, sizeof field, "representativeness(%u)", k);
        int status = otaprio_cohort_representativeness(cohort, k, &got, NULL);
        check_status(c, field, status);
        if (status != OTAPRIO_OK)
            continue;
#define REPORT_U64(member)                                  \
    snprintf(field, sizeof field, "report %u " #member, k); \
    same_u64(c, field, e->member, got.member)
#define REPORT_EXACT(member)                                \
    snprintf(field, sizeof field, "report %u " #member, k); \
    same_double(c, field, e->member, got.member)
        REPORT_U64(fleet);
        REPORT_U64(cohort);
        REPORT_U64(strata);
        REPORT_U64(strata_covered);
        REPORT_EXACT(strata_coverage);
        REPORT_EXACT(mass_coverage);
        snprintf(field, sizeof field, "report %u tvd", k);
        near_double(c, field, e->tvd, got.tvd);
        REPORT_U64(dimension_count);
        for (uint32_t j = 0; j < e->dimension_count; j++) {
            snprintf(field, sizeof field, "report %u tvd_dimension[%u]", k, j);
            near_double(c, field, e->tvd_dimension[j], got.tvd_dimension[j]);
        }
        REPORT_U64(worst_count);
        uint32_t worst =
            e->worst_count < got.worst_count ? e->worst_count : got.worst_count;
        for (uint32_t j = 0; j < worst; j++) {
            snprintf(field, sizeof field, "report %u worst_stratum[%u]", k, j);
            same_u64(c, field, e->worst_stratum[j], got.worst_stratum[j]);
            snprintf(field, sizeof field, "report %u worst_fleet_share[%u]", k,
                     j);
            same_double(c, field, e->worst_fleet_share[j],
                        got.worst_fleet_share[j]);
            snprintf(field, sizeof field, "report %u worst_cohort_share[%u]", k,
                     j);
            same_double(c, field, e->worst_cohort_share[j],
                        got.worst_cohort_share[j]);
        }
#undef REPORT_U64
#undef REPORT_EXACT
    }
}

/* Finishes the sampler and compares every answer; returns the mismatches. */
static unsigned long check_run(const cohort_vector *v, const fleet *d,
                               otaprio_cohort_sampler *sampler, const char *run)
{
    checker c = {v->name, run, 0};
    otaprio_cohort *cohort = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_finish(sampler, NULL, &cohort, &diag);
    if (status != OTAPRIO_OK) {
        print_error("%s [%s]: finish: %d (%s)\n", v->name, run, status,
                    diag.message);
        otaprio_cohort_sampler_free(sampler);
        return 1;
    }
    check_waves(&c, v, cohort);
    check_strata(&c, v, cohort);
    check_listed(&c, v, d, cohort);
    check_assign(&c, v, d, cohort);
    check_reports(&c, v, cohort);
    if (c.mismatches > PRINT_LIMIT)
        print_error("%s [%s]: %lu mismatches in all\n", v->name, run,
                    c.mismatches);
    otaprio_cohort_free(cohort);
    otaprio_cohort_sampler_free(sampler);
    return c.mismatches;
}

static void replay(void **state)
{
    const cohort_vector *v = *state;
    fleet d = fleet_draw(&v->fleet);
    otaprio_cohort_spec spec = spec_of(v);
    unsigned long mismatches = 0;
    mismatches += check_run(v, &d, run_one_chunk(&spec, &d), "one chunk");
    mismatches += check_run(v, &d, run_uneven(&spec, &d), "uneven chunks");
    mismatches += check_run(v, &d, run_shards(&spec, &d), "three shards");
    fleet_free(&d);
    assert_int_equal(mismatches, 0);
}

/* The vectors themselves: what the tests above rely on. */
static void vectors_are_consistent(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(cohort_vectors); i++) {
        const cohort_vector *v = &cohort_vectors[i];
        uint32_t w_count = v->spec.wave_count;
        assert_true(w_count >= 1 && w_count <= OTAPRIO_COHORT_MAX_WAVES);
        assert_int_equal(strlen(v->assign), v->fleet.n);
        assert_int_equal(strlen(v->listed_wave), v->listed_count);
        /* The listed devices are the canary waves' selection. */
        uint32_t last =
            v->waves[w_count - 1].listed ? w_count - 1 : w_count - 2;
        if (w_count >= 2 || v->waves[0].listed)
            assert_int_equal(v->listed_count, v->waves[last].selected);
    }
}

int main(void)
{
    struct CMUnitTest tests[COUNT(cohort_vectors) + 1];
    memset(tests, 0, sizeof tests);
    tests[0].name = "vectors_are_consistent";
    tests[0].test_func = vectors_are_consistent;
    for (size_t i = 0; i < COUNT(cohort_vectors); i++) {
        tests[i + 1].name = cohort_vectors[i].name;
        tests[i + 1].test_func = replay;
        tests[i + 1].initial_state = (void *)&cohort_vectors[i];
    }
    return _cmocka_run_group_tests("cohort_vectors", tests, COUNT(tests), NULL,
                                   NULL);
}
