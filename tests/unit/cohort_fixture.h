/* SPDX-License-Identifier: MIT */
/*
 * Fleets for the cohort tests: keys and strata codes drawn from SplitMix64
 * with a skew (a few large strata, many rare ones), optional eligibility
 * columns, and helpers that stream a fleet into a sampler in chunks of any
 * size, serialise a sampler, and finish it.
 */
#ifndef OTAPRIO_TEST_COHORT_FIXTURE_H
#define OTAPRIO_TEST_COHORT_FIXTURE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio.h"
#include "splitmix.h"

#define FLEET_MAX_DIMS 4

typedef struct fleet {
    size_t n;
    uint32_t dims;
    uint32_t cards[FLEET_MAX_DIMS];
    uint64_t *keys;
    uint32_t *codes[FLEET_MAX_DIMS];
    const uint32_t *columns[FLEET_MAX_DIMS];
    /* Eligibility columns, NULL unless fleet_add_rules() made them. */
    uint8_t *critical, *charging, *metered, *excluded, *first_wave;
    float *battery;
    uint32_t *cluster;
} fleet;

static inline void *fixture_calloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

/* A skewed code below `card`: the square of a uniform draw favours small
 * codes, so some strata are large and many are rare. */
static inline uint32_t skewed(uint64_t *state, uint32_t card)
{
    double u = splitmix_unit(state);
    return (uint32_t)(u * u * card);
}

static inline fleet fleet_make(size_t n, uint32_t dims, const uint32_t *cards,
                               uint64_t seed)
{
    fleet f;
    memset(&f, 0, sizeof f);
    f.n = n;
    f.dims = dims;
    uint64_t state = seed;
    f.keys = fixture_calloc(n, sizeof *f.keys);
    for (uint32_t d = 0; d < dims; d++) {
        f.cards[d] = cards[d];
        f.codes[d] = fixture_calloc(n, sizeof(uint32_t));
        f.columns[d] = f.codes[d];
    }
    for (size_t i = 0; i < n; i++) {
        f.keys[i] = splitmix_next(&state);
        for (uint32_t d = 0; d < dims; d++)
            f.codes[d][i] = skewed(&state, cards[d]);
    }
    return f;
}

/* Adds eligibility columns: about 5% critical, 10% metered, 3% excluded,
 * batteries uniform with a third charging, clusters 0..19, and a host
 * first wave of 1 for about 5%. */
static inline void fleet_add_rules(fleet *f, uint64_t seed)
{
    uint64_t state = seed;
    size_t n = f->n;
    f->critical = fixture_calloc(n, 1);
    f->charging = fixture_calloc(n, 1);
    f->metered = fixture_calloc(n, 1);
    f->excluded = fixture_calloc(n, 1);
    f->first_wave = fixture_calloc(n, 1);
    f->battery = fixture_calloc(n, sizeof(float));
    f->cluster = fixture_calloc(n, sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        f->critical[i] = splitmix_below(&state, 20) == 0;
        f->charging[i] = splitmix_below(&state, 3) == 0;
        f->metered[i] = splitmix_below(&state, 10) == 0;
        f->excluded[i] = splitmix_below(&state, 33) == 0;
        f->first_wave[i] = splitmix_below(&state, 20) == 0 ? 1 : 0;
        f->battery[i] = (float)splitmix_below(&state, 101) / 100.0f;
        f->cluster[i] = splitmix_below(&state, 20);
    }
}

static inline void fleet_free(fleet *f)
{
    free(f->keys);
    for (uint32_t d = 0; d < f->dims; d++)
        free(f->codes[d]);
    free(f->critical);
    free(f->charging);
    free(f->metered);
    free(f->excluded);
    free(f->first_wave);
    free(f->battery);
    free(f->cluster);
    memset(f, 0, sizeof *f);
}

/* Devices [first, first + count) of the fleet as a chunk; `columns` must
 * outlive it. */
static inline otaprio_cohort_chunk fleet_chunk(const fleet *f, size_t first,
                                               size_t count,
                                               const uint32_t **columns)
{
    otaprio_cohort_chunk c;
    otaprio_cohort_chunk_init(&c);
    c.count = count;
    c.keys = f->keys + first;
    for (uint32_t d = 0; d < f->dims; d++)
        columns[d] = f->codes[d] + first;
    c.codes = f->dims > 0 ? columns : NULL;
#define FLEET_SLICE(field) c.field = f->field != NULL ? f->field + first : NULL
    FLEET_SLICE(critical);
    FLEET_SLICE(charging);
    FLEET_SLICE(metered);
    FLEET_SLICE(excluded);
    FLEET_SLICE(first_wave);
    FLEET_SLICE(battery);
    FLEET_SLICE(cluster);
#undef FLEET_SLICE
    return c;
}

/* A spec over the fleet's strata with the given waves. */
static inline otaprio_cohort_spec fleet_spec(const fleet *f, int32_t method,
                                             const double *waves,
                                             uint32_t wave_count)
{
    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.salt = 0x5EED;
    spec.method = method;
    spec.dimension_count = f->dims;
    spec.cardinalities = f->cards;
    spec.waves = waves;
    spec.wave_count = wave_count;
    return spec;
}

/* Observes devices [first, end) in chunks of `chunk` devices. */
static inline int fleet_observe(otaprio_cohort_sampler *s, const fleet *f,
                                size_t first, size_t end, size_t chunk)
{
    const uint32_t *columns[FLEET_MAX_DIMS];
    for (size_t i = first; i < end; i += chunk) {
        size_t count = end - i < chunk ? end - i : chunk;
        otaprio_cohort_chunk c = fleet_chunk(f, i, count, columns);
        int status = otaprio_cohort_sampler_observe(s, &c, NULL);
        if (status != OTAPRIO_OK)
            return status;
    }
    return OTAPRIO_OK;
}

static inline otaprio_cohort_sampler *
sampler_make(const otaprio_cohort_spec *spec)
{
    otaprio_cohort_sampler *s = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_create(spec, NULL, &s, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("create: %s", diag.message);
    return s;
}

/* The serialised state, malloc'd; its length in *length. */
static inline unsigned char *state_bytes(const otaprio_cohort_sampler *s,
                                         size_t *length)
{
    assert_int_equal(otaprio_cohort_sampler_serialize(s, NULL, 0, length, NULL),
                     OTAPRIO_OK);
    unsigned char *bytes = fixture_calloc(*length, 1);
    size_t written = 0;
    assert_int_equal(
        otaprio_cohort_sampler_serialize(s, bytes, *length, &written, NULL),
        OTAPRIO_OK);
    assert_int_equal(written, *length);
    return bytes;
}

static inline otaprio_cohort *cohort_make(const otaprio_cohort_sampler *s)
{
    otaprio_cohort *c = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_sampler_finish(s, NULL, &c, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("finish: %s", diag.message);
    return c;
}

static inline otaprio_cohort_wave wave_info(const otaprio_cohort *c,
                                            uint32_t wave)
{
    otaprio_cohort_wave w;
    memset(&w, 0, sizeof w);
    w.size = sizeof w;
    assert_int_equal(otaprio_cohort_wave_info(c, wave, &w, NULL), OTAPRIO_OK);
    return w;
}

/* The listed devices of every canary wave: keys, waves, strata, malloc'd;
 * their count in *count. */
typedef struct listing {
    uint64_t count;
    uint64_t *keys;
    uint8_t *waves;
    uint64_t *strata;
} listing;

static inline listing listing_of(const otaprio_cohort *c)
{
    listing l;
    memset(&l, 0, sizeof l);
    uint32_t waves = otaprio_cohort_wave_count(c);
    for (uint32_t w = 0; w < waves; w++) {
        otaprio_cohort_wave info = wave_info(c, w);
        if (info.listed)
            l.count = info.selected;
    }
    l.keys = fixture_calloc((size_t)l.count, sizeof *l.keys);
    l.waves = fixture_calloc((size_t)l.count, 1);
    l.strata = fixture_calloc((size_t)l.count, sizeof *l.strata);
    assert_int_equal(
        otaprio_cohort_devices(c, 0, l.count, l.keys, l.waves, l.strata, NULL),
        OTAPRIO_OK);
    return l;
}

static inline void listing_free(listing *l)
{
    free(l->keys);
    free(l->waves);
    free(l->strata);
}

static inline void assert_listings_equal(const listing *a, const listing *b)
{
    assert_int_equal(a->count, b->count);
    assert_memory_equal(a->keys, b->keys, (size_t)a->count * sizeof *a->keys);
    assert_memory_equal(a->waves, b->waves, (size_t)a->count);
    assert_memory_equal(a->strata, b->strata,
                        (size_t)a->count * sizeof *a->strata);
}

#endif
