/* SPDX-License-Identifier: MIT */
/*
 * cohort: a 1% canary cohort of N devices over 15,000 skewed strata (SKU x
 * OS x region x connection, bench/cohort_gen.h), four operations:
 *
 *   exact         the exact stratified cohort: a PROPORTIONAL sampler,
 *                 the fleet observed in chunks of 65,536 devices, finished
 *                 (seats by bounded largest remainders, devices by
 *                 bucket position)
 *   hash          the hash-threshold baseline through the same API: a
 *                 HASH_THRESHOLD sampler over the same chunks, finished
 *   assign_exact  otaprio_cohort_assign() of every device, in chunks, on
 *                 the exact cohort: the wave each device joins
 *   assign_hash   the same on the hash-threshold cohort: per device, its
 *                 bucket fraction against the wave's
 *
 * Each repetition runs the four in order (the assigns use that
 * repetition's cohorts). Peer: bench/peer_cohort.py (NumPy computing the
 * same cohorts and waves, and scikit-learn's stratified train_test_split,
 * judged by size and distance since its generator picks other devices).
 *
 * Digested (untimed): the exact cohort's devices (keys in listing order),
 * its strata (ids), their fleet counts and quotas; the hash-threshold
 * cohort's devices; both assigns' per-device waves. Extra figures: sizes,
 * total variation distance and coverage of both cohorts, the input's bytes
 * (a key and four codes a device) and the machine's read bandwidth, and the
 * samplers' state sizes (their serialised bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/cohort.h"

#include "bench.h"
#include "cohort_gen.h"

/* Devices per chunk, as a host streams a fleet table. */
#define COHORT_CHUNK 65536
/* The cohort: 1% of the fleet, one canary wave. */
static const double cohort_waves[] = {0.01};

enum { OP_EXACT, OP_HASH, OP_ASSIGN_EXACT, OP_ASSIGN_HASH, OP_COUNT };

static const char *const cohort_op_names[OP_COUNT] = {
    "exact", "hash", "assign_exact", "assign_hash"};

typedef struct cohort_state {
    size_t n;
    cohort_gen *gen;
    uint64_t *keys;
    uint32_t *codes[COHORT_GEN_DIMENSIONS];
    uint8_t *waves_exact, *waves_hash;
    /* The last repetition's samplers and cohorts. */
    otaprio_cohort_sampler *sampler[2];
    otaprio_cohort *cohort[2];
} cohort_state;

static void cohort_teardown(void *opaque)
{
    cohort_state *s = opaque;
    for (int i = 0; i < 2; i++) {
        otaprio_cohort_free(s->cohort[i]);
        otaprio_cohort_sampler_free(s->sampler[i]);
    }
    free(s->gen);
    free(s->keys);
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
        free(s->codes[d]);
    free(s->waves_exact);
    free(s->waves_hash);
    free(s);
}

static int cohort_setup(uint64_t seed, size_t n, void **out)
{
    if (n > SIZE_MAX / sizeof(uint64_t)) {
        fprintf(stderr, "cohort: n = %zu is too large\n", n);
        return -1;
    }
    cohort_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "cohort: out of memory\n");
        return -1;
    }
    s->n = n;
    s->gen = malloc(sizeof *s->gen);
    s->keys = malloc(n * sizeof *s->keys);
    int failed = s->gen == NULL || s->keys == NULL;
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++) {
        s->codes[d] = malloc(n * sizeof(uint32_t));
        failed |= s->codes[d] == NULL;
    }
    s->waves_exact = malloc(n);
    s->waves_hash = malloc(n);
    if (failed || s->waves_exact == NULL || s->waves_hash == NULL ||
        cohort_gen_init(s->gen, seed) != 0) {
        fprintf(stderr, "cohort: out of memory for n = %zu\n", n);
        cohort_teardown(s);
        return -1;
    }
    cohort_gen_fill(s->gen, 0, n, s->keys, s->codes);
    /* Touched outputs: the timed runs pay no first-touch page faults. */
    memset(s->waves_exact, 0xa5, n);
    memset(s->waves_hash, 0xa5, n);
    *out = s;
    return 0;
}

static void fill_spec(const cohort_state *s, int32_t method,
                      otaprio_cohort_spec *spec)
{
    otaprio_cohort_spec_init(spec);
    spec->salt = s->gen->salt;
    spec->method = method;
    spec->dimension_count = COHORT_GEN_DIMENSIONS;
    spec->cardinalities = cohort_gen_cardinalities;
    spec->wave_count = 1;
    spec->waves = cohort_waves;
}

/* Devices first .. first + count - 1 of the fleet as a chunk; `columns`
 * holds the code columns' pointers. */
static void fill_chunk(const cohort_state *s, size_t first, size_t count,
                       const uint32_t **columns, otaprio_cohort_chunk *chunk)
{
    otaprio_cohort_chunk_init(chunk);
    chunk->count = count;
    chunk->keys = s->keys + first;
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
        columns[d] = s->codes[d] + first;
    chunk->codes = columns;
}

/* Timed: a sampler of `method` over the fleet, finished. */
static int sample(cohort_state *s, int which, int32_t method)
{
    otaprio_cohort_spec spec;
    fill_spec(s, method, &spec);
    int status =
        otaprio_cohort_sampler_create(&spec, NULL, &s->sampler[which], NULL);
    for (size_t first = 0; status == OTAPRIO_OK && first < s->n;
         first += COHORT_CHUNK) {
        size_t count =
            s->n - first < COHORT_CHUNK ? s->n - first : COHORT_CHUNK;
        const uint32_t *columns[COHORT_GEN_DIMENSIONS];
        otaprio_cohort_chunk chunk;
        fill_chunk(s, first, count, columns, &chunk);
        status =
            otaprio_cohort_sampler_observe(s->sampler[which], &chunk, NULL);
    }
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_finish(s->sampler[which], NULL,
                                               &s->cohort[which], NULL);
    return status;
}

/* Timed: the wave of every device on a finished cohort. */
static int assign(cohort_state *s, int which, uint8_t *waves)
{
    int status = OTAPRIO_OK;
    for (size_t first = 0; status == OTAPRIO_OK && first < s->n;
         first += COHORT_CHUNK) {
        size_t count =
            s->n - first < COHORT_CHUNK ? s->n - first : COHORT_CHUNK;
        const uint32_t *columns[COHORT_GEN_DIMENSIONS];
        otaprio_cohort_chunk chunk;
        fill_chunk(s, first, count, columns, &chunk);
        status = otaprio_cohort_assign(s->cohort[which], &chunk, waves + first,
                                       NULL);
    }
    return status;
}

static int cohort_op_prepare(void *opaque, size_t op)
{
    cohort_state *s = opaque;
    if (op == OP_EXACT || op == OP_HASH) {
        int which = op == OP_EXACT ? 0 : 1;
        otaprio_cohort_free(s->cohort[which]);
        otaprio_cohort_sampler_free(s->sampler[which]);
        s->cohort[which] = NULL;
        s->sampler[which] = NULL;
    }
    return 0;
}

static int cohort_op_run(void *opaque, size_t op)
{
    cohort_state *s = opaque;
    switch (op) {
    case OP_EXACT:
        return sample(s, 0, OTAPRIO_COHORT_PROPORTIONAL);
    case OP_HASH:
        return sample(s, 1, OTAPRIO_COHORT_HASH_THRESHOLD);
    case OP_ASSIGN_EXACT:
        return assign(s, 0, s->waves_exact);
    default:
        return assign(s, 1, s->waves_hash);
    }
}

/* The devices of wave 0 of a cohort, in listing order, digested. */
static int digest_devices(const otaprio_cohort *cohort, const char *name,
                          bench_digest *digest)
{
    otaprio_cohort_wave wave = {.size = sizeof wave};
    if (otaprio_cohort_wave_info(cohort, 0, &wave, NULL) != OTAPRIO_OK)
        return -1;
    uint64_t *keys =
        malloc((wave.selected != 0 ? wave.selected : 1) * sizeof *keys);
    int status = -1;
    if (keys != NULL &&
        otaprio_cohort_devices(cohort, 0, wave.selected, keys, NULL, NULL,
                               NULL) == OTAPRIO_OK &&
        bench_digest_add(digest, name, keys, wave.selected * sizeof *keys) == 0)
        status = 0;
    free(keys);
    return status;
}

/* The exact cohort's strata: ids, fleet counts and quotas, digested. */
static int digest_strata(const otaprio_cohort *cohort, bench_digest *digest)
{
    uint64_t strata = otaprio_cohort_stratum_count(cohort);
    size_t bytes = (strata != 0 ? strata : 1) * sizeof(uint64_t);
    uint64_t *ids = malloc(bytes), *fleet = malloc(bytes),
             *quotas = malloc(bytes);
    int status = -1;
    if (ids != NULL && fleet != NULL && quotas != NULL &&
        otaprio_cohort_strata(cohort, 0, 0, strata, ids, fleet, NULL, quotas,
                              NULL) == OTAPRIO_OK &&
        bench_digest_add(digest, "strata_ids", ids, strata * 8) == 0 &&
        bench_digest_add(digest, "fleet", fleet, strata * 8) == 0 &&
        bench_digest_add(digest, "exact_quotas", quotas, strata * 8) == 0)
        status = 0;
    free(ids);
    free(fleet);
    free(quotas);
    return status;
}

static int cohort_digest(const void *opaque, bench_digest *digest)
{
    const cohort_state *s = opaque;
    if (digest_devices(s->cohort[0], "exact_keys", digest) != 0 ||
        digest_strata(s->cohort[0], digest) != 0 ||
        digest_devices(s->cohort[1], "hash_keys", digest) != 0 ||
        bench_digest_add(digest, "assign_exact", s->waves_exact, s->n) != 0 ||
        bench_digest_add(digest, "assign_hash", s->waves_hash, s->n) != 0)
        return -1;
    return 0;
}

#define ADD(name, value)                                   \
    do {                                                   \
        if (bench_extra_add(extras, (name), (value)) != 0) \
            return -1;                                     \
    } while (0)

/* Size, distance and coverage of wave 0 of a cohort. */
static int add_quality(const otaprio_cohort *cohort, int exact,
                       bench_extras *extras)
{
    otaprio_cohort_wave wave = {.size = sizeof wave};
    otaprio_representativeness r = {.size = sizeof r};
    if (otaprio_cohort_wave_info(cohort, 0, &wave, NULL) != OTAPRIO_OK ||
        otaprio_cohort_representativeness(cohort, 0, &r, NULL) != OTAPRIO_OK) {
        fprintf(stderr, "cohort: the cohort's report failed\n");
        return -1;
    }
    double worst = 0;
    for (uint32_t d = 0; d < r.dimension_count; d++)
        worst = r.tvd_dimension[d] > worst ? r.tvd_dimension[d] : worst;
    if (exact) {
        ADD("exact_target", (double)wave.target);
        ADD("exact_selected", (double)wave.selected);
        ADD("exact_tvd", r.tvd);
        ADD("exact_tvd_sku", r.tvd_dimension[0]);
        ADD("exact_tvd_os", r.tvd_dimension[1]);
        ADD("exact_tvd_region", r.tvd_dimension[2]);
        ADD("exact_tvd_connection", r.tvd_dimension[3]);
        ADD("exact_strata_covered", (double)r.strata_covered);
        ADD("exact_mass_coverage", r.mass_coverage);
    } else {
        ADD("hash_selected", (double)wave.selected);
        ADD("hash_tvd", r.tvd);
        ADD("hash_tvd_dimension_max", worst);
        ADD("hash_strata_covered", (double)r.strata_covered);
        ADD("hash_mass_coverage", r.mass_coverage);
    }
    return 0;
}

/* Bytes of a sampler's serialised state: what it keeps. */
static double state_bytes(const otaprio_cohort_sampler *sampler)
{
    size_t length = 0;
    if (otaprio_cohort_sampler_serialize(sampler, NULL, 0, &length, NULL) !=
        OTAPRIO_OK)
        return -1;
    return (double)length;
}

static int cohort_extras(void *opaque, double median_ms, bench_extras *extras)
{
    (void)median_ms;
    cohort_state *s = opaque;
    ADD("strata", (double)otaprio_cohort_stratum_count(s->cohort[0]));
    if (add_quality(s->cohort[0], 1, extras) != 0 ||
        add_quality(s->cohort[1], 0, extras) != 0)
        return -1;
    ADD("exact_state_bytes", state_bytes(s->sampler[0]));
    ADD("hash_state_bytes", state_bytes(s->sampler[1]));
    ADD("chunk", COHORT_CHUNK);
    /* What every operation reads: a key and four codes a device. */
    ADD("input_bytes",
        (double)s->n * (sizeof(uint64_t) + COHORT_GEN_DIMENSIONS * 4));
    /* The machine's single-thread read bandwidth, over the key column. */
    double read_bps = 0;
    volatile uint64_t sink = bench_read_bandwidth(s->keys, s->n, 9, &read_bps);
    (void)sink;
    ADD("read_gbps", read_bps / 1e9);
    return 0;
}

const bench_def bench_cohort = {
    .name = "cohort",
    .unit = "devices",
    .default_n = 10000000,
    .setup = cohort_setup,
    .digest = cohort_digest,
    .teardown = cohort_teardown,
    .extras = cohort_extras,
    .op_count = OP_COUNT,
    .op_names = cohort_op_names,
    .op_prepare = cohort_op_prepare,
    .op_run = cohort_op_run,
};
