/* SPDX-License-Identifier: MIT */
/*
 * The research harness: a custom algorithm written here ("the first n
 * devices seen") evaluated next to the built-in methods, its reports
 * against tallies of the devices it must have chosen; built-in methods
 * giving the same reports in 1, 2 and 7 shards and the reports of their own
 * cohorts; misbehaving algorithms refused; every callback's status passed
 * through unchanged with every state destroyed; bad arguments; and every
 * allocation failure of evaluate.
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
#define DIMS 3

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

static const uint32_t cards[DIMS] = {4, 3, 6};
static const double canary_waves[3] = {0.01, 0.05, 0.2};
#define WAVES 3

static otaprio_cohort_spec test_spec(void)
{
    otaprio_cohort_spec spec;
    assert_int_equal(otaprio_cohort_spec_init(&spec), OTAPRIO_OK);
    spec.salt = 0x5EED;
    spec.dimension_count = DIMS;
    spec.cardinalities = cards;
    spec.wave_count = WAVES;
    spec.waves = canary_waves;
    return spec;
}

/* ---- a fleet, and a source that hands it out in chunks ----------------- */

typedef struct fleet {
    size_t n;
    uint64_t *keys;
    uint32_t *codes; /* DIMS * n */
    const uint32_t *columns[DIMS];
    uint8_t *first_wave;
} fleet;

static fleet fleet_make(size_t n, uint64_t seed)
{
    fleet f;
    f.n = n;
    f.keys = xcalloc(n, sizeof *f.keys);
    f.codes = xcalloc(DIMS * n, sizeof *f.codes);
    f.first_wave = xcalloc(n, 1);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        f.keys[i] = splitmix_next(&s);
        /* Skewed: small codes are common, so some strata are rare. */
        for (size_t d = 0; d < DIMS; d++) {
            uint32_t a = splitmix_below(&s, cards[d]);
            uint32_t b = splitmix_below(&s, cards[d]);
            f.codes[d * n + i] = a < b ? a : b;
        }
        f.first_wave[i] = splitmix_below(&s, 10) == 0 ? 1 : 0;
    }
    for (size_t d = 0; d < DIMS; d++)
        f.columns[d] = f.codes + d * n;
    return f;
}

static void fleet_free(fleet *f)
{
    free(f->keys);
    free(f->codes);
    free(f->first_wave);
}

typedef struct source_ctx {
    const fleet *f;
    size_t chunk;    /* devices per chunk */
    size_t next;     /* first device of the next chunk */
    size_t calls;    /* chunks handed out */
    size_t fail_at;  /* call that fails, or SIZE_MAX */
    int fail_status; /* what it returns */
    bool bad_size;   /* the failing call changes the chunk's size instead */
    bool bad_code;   /* the failing call hands out a bad code instead */
    const uint32_t *columns[DIMS];
    uint32_t bad_column[8];
} source_ctx;

static source_ctx source_of(const fleet *f, size_t chunk)
{
    source_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.chunk = chunk;
    c.fail_at = SIZE_MAX;
    return c;
}

static int fleet_source(void *user, otaprio_cohort_chunk *chunk)
{
    source_ctx *c = user;
    assert_int_equal(chunk->size, sizeof *chunk);
    assert_int_equal(chunk->count, 0);
    assert_null(chunk->keys);
    size_t call = c->calls++;
    size_t first = c->next;
    size_t count = c->f->n - first < c->chunk ? c->f->n - first : c->chunk;
    c->next += count;
    for (size_t d = 0; d < DIMS; d++)
        c->columns[d] = c->f->columns[d] + first;
    chunk->count = count;
    chunk->keys = c->f->keys + first;
    chunk->codes = c->columns;
    chunk->first_wave = c->f->first_wave + first;
    if (call == c->fail_at) {
        if (c->bad_size) {
            chunk->size += 8;
        } else if (c->bad_code) {
            for (size_t i = 0; i < 8; i++)
                c->bad_column[i] = i == 5 ? cards[1] : 0;
            c->columns[1] = c->bad_column;
            chunk->count = 8;
        } else {
            return c->fail_status;
        }
    }
    return 0;
}

/* ---- a custom algorithm: the first n devices seen ---------------------- */

/* What the test sets, and what it watches. */
typedef struct first_n_config {
    uint64_t n;        /* devices taken; device j joins wave j * waves / n */
    long live;         /* states started and not destroyed */
    long inits;        /* states started */
    int fail_in;       /* callback that fails: see FAIL_*; 0 for none */
    size_t fail_after; /* successful calls of it before it fails */
    int fail_status;
    size_t calls;
    /* Misbehaviour at finish: emitted device `bad_at` becomes this one. */
    bool bad_emit;
    size_t bad_at;
    uint64_t bad_stratum;
    uint32_t bad_wave;
    bool extra;       /* emit it on top of the others, not instead */
    bool ignore_emit; /* go on when emit says stop, and return 0 */
} first_n_config;

enum { FAIL_INIT = 1, FAIL_OBSERVE, FAIL_MERGE, FAIL_FINISH };

typedef struct first_n_state {
    uint32_t dims;
    uint32_t cards[OTAPRIO_COHORT_MAX_DIMENSIONS];
    uint32_t waves;
    size_t count;
    uint64_t *keys, *strata;
} first_n_state;

static bool fails_now(first_n_config *c, int which)
{
    if (c->fail_in != which)
        return false;
    return c->calls++ == c->fail_after;
}

static int first_n_init(void *user, const otaprio_cohort_spec *spec,
                        void **state)
{
    first_n_config *c = user;
    if (fails_now(c, FAIL_INIT))
        return c->fail_status;
    first_n_state *s = xcalloc(1, sizeof *s);
    /* The spec's arrays need not outlive init: copy what is needed. */
    s->dims = spec->dimension_count;
    memcpy(s->cards, spec->cardinalities, s->dims * sizeof *s->cards);
    s->waves = spec->wave_count;
    s->keys = xcalloc(c->n, sizeof *s->keys);
    s->strata = xcalloc(c->n, sizeof *s->strata);
    c->live++;
    c->inits++;
    *state = s;
    return 0;
}

static void first_n_destroy(void *user, void *state)
{
    first_n_config *c = user;
    first_n_state *s = state;
    if (s == NULL)
        return;
    free(s->keys);
    free(s->strata);
    free(s);
    c->live--;
}

static int first_n_observe(void *user, void *state,
                           const otaprio_cohort_chunk *chunk)
{
    first_n_config *c = user;
    first_n_state *s = state;
    if (fails_now(c, FAIL_OBSERVE))
        return c->fail_status;
    for (size_t i = 0; i < chunk->count && s->count < c->n; i++) {
        uint64_t id = 0, radix = 1;
        for (uint32_t d = 0; d < s->dims; d++) {
            const uint32_t *column =
                chunk->codes != NULL ? chunk->codes[d] : NULL;
            id += (column != NULL ? column[i] : 0) * radix;
            radix *= s->cards[d];
        }
        s->keys[s->count] = chunk->keys[i];
        s->strata[s->count] = id;
        s->count++;
    }
    return 0;
}

static int first_n_merge(void *user, void *state, void *other)
{
    first_n_config *c = user;
    first_n_state *s = state, *o = other;
    int status = 0;
    if (fails_now(c, FAIL_MERGE)) {
        status = c->fail_status;
    } else {
        for (size_t i = 0; i < o->count && s->count < c->n; i++) {
            s->keys[s->count] = o->keys[i];
            s->strata[s->count] = o->strata[i];
            s->count++;
        }
    }
    first_n_destroy(user, other); /* the other is the algorithm's now */
    return status;
}

static int first_n_finish(void *user, void *state, otaprio_cohort_emit_fn emit,
                          void *emit_user)
{
    first_n_config *c = user;
    first_n_state *s = state;
    if (fails_now(c, FAIL_FINISH))
        return c->fail_status;
    int first_error = 0;
    for (size_t j = 0; j <= s->count; j++) {
        int status = 0;
        if (c->bad_emit && j == c->bad_at)
            status = emit(emit_user, 0xBAD, c->bad_stratum, c->bad_wave);
        if (status == 0 && j < s->count &&
            !(c->bad_emit && !c->extra && j == c->bad_at))
            status = emit(emit_user, s->keys[j], s->strata[j],
                          (uint32_t)(j * s->waves / c->n));
        if (status != 0 && first_error == 0)
            first_error = status;
        if (status != 0 && !c->ignore_emit)
            return status;
    }
    return c->ignore_emit ? 0 : first_error;
}

static otaprio_cohort_algorithm first_n_algorithm(first_n_config *c)
{
    otaprio_cohort_algorithm a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.name = "first_n";
    a.user = c;
    a.init = first_n_init;
    a.observe = first_n_observe;
    a.merge = first_n_merge;
    a.finish = first_n_finish;
    a.destroy = first_n_destroy;
    return a;
}

static first_n_config first_n_config_of(uint64_t n)
{
    first_n_config c;
    memset(&c, 0, sizeof c);
    c.n = n;
    return c;
}

/* ---- the expected reports of the custom algorithm ---------------------- */

/* The devices state s sees come from chunks s, s + shards, ...; merged in
 * shard order, the first n of that sequence are chosen, device j of them
 * for wave j * waves / n. Each wave's report is a tally's of the fleet with
 * the cohort flags of that wave. */
static void expected_reports(const fleet *f, size_t chunk, uint32_t shards,
                             uint64_t n, otaprio_representativeness *reports)
{
    uint8_t *wave_of = xcalloc(f->n, 1);
    memset(wave_of, 0xFF, f->n);
    size_t chunks = (f->n + chunk - 1) / chunk;
    uint64_t taken = 0;
    for (uint32_t s = 0; s < shards; s++)
        for (size_t k = s; k < chunks; k += shards)
            for (size_t i = k * chunk; i < f->n && i < (k + 1) * chunk; i++)
                if (taken < n)
                    wave_of[i] = (uint8_t)(taken++ * WAVES / n);
    otaprio_cohort_spec spec = test_spec();
    uint8_t *flags = xcalloc(f->n, 1);
    for (uint32_t w = 0; w < WAVES; w++) {
        for (size_t i = 0; i < f->n; i++)
            flags[i] = wave_of[i] <= w;
        otaprio_tally *t = NULL;
        assert_int_equal(otaprio_tally_create(&spec, NULL, &t, NULL),
                         OTAPRIO_OK);
        assert_int_equal(otaprio_tally_add(t, f->columns, f->n, flags, NULL),
                         OTAPRIO_OK);
        reports[w].size = sizeof reports[w];
        assert_int_equal(otaprio_tally_representativeness(t, &reports[w], NULL),
                         OTAPRIO_OK);
        otaprio_tally_free(t);
    }
    free(flags);
    free(wave_of);
}

static void prepare_reports(otaprio_representativeness *reports, size_t count)
{
    memset(reports, 0xEE, count * sizeof *reports);
    for (size_t w = 0; w < count; w++)
        reports[w].size = sizeof *reports;
}

static void assert_untouched(const otaprio_representativeness *reports,
                             size_t count)
{
    otaprio_representativeness fresh[WAVES + 1];
    prepare_reports(fresh, count);
    assert_memory_equal(reports, fresh, count * sizeof *reports);
}

static int evaluate(const otaprio_cohort_algorithm *a, uint32_t shards,
                    source_ctx *src, otaprio_representativeness *reports,
                    otaprio_diag *diag)
{
    otaprio_cohort_spec spec = test_spec();
    return otaprio_cohort_evaluate(a, &spec, shards, fleet_source, src, reports,
                                   diag);
}

static void a_custom_algorithm_is_scored_like_a_tally(void **state)
{
    (void)state;
    fleet f = fleet_make(5000, 1);
    const uint32_t shard_counts[] = {1, 2, 7};
    const size_t chunks[] = {5000, 999, 64};
    const uint64_t takes[] = {1, 50, 700, 5000};
    for (size_t i = 0; i < COUNT(shard_counts); i++) {
        for (size_t k = 0; k < COUNT(chunks); k++) {
            for (size_t t = 0; t < COUNT(takes); t++) {
                first_n_config c = first_n_config_of(takes[t]);
                otaprio_cohort_algorithm a = first_n_algorithm(&c);
                source_ctx src = source_of(&f, chunks[k]);
                otaprio_representativeness got[WAVES], want[WAVES];
                prepare_reports(got, WAVES);
                assert_int_equal(evaluate(&a, shard_counts[i], &src, got, NULL),
                                 OTAPRIO_OK);
                expected_reports(&f, chunks[k], shard_counts[i], takes[t],
                                 want);
                assert_memory_equal(got, want, sizeof want);
                assert_int_equal(c.live, 0);
                /* A state for each shard that had a chunk. */
                size_t used = (f.n + chunks[k] - 1) / chunks[k];
                assert_int_equal(c.inits, used < shard_counts[i]
                                              ? (long)used
                                              : (long)shard_counts[i]);
                assert_int_equal(got[WAVES - 1].cohort, takes[t]);
            }
        }
    }
    fleet_free(&f);
}

static void an_empty_fleet_scores_zeros(void **state)
{
    (void)state;
    fleet f = fleet_make(0, 2);
    first_n_config c = first_n_config_of(10);
    otaprio_cohort_algorithm a = first_n_algorithm(&c);
    source_ctx src = source_of(&f, 100);
    otaprio_representativeness got[WAVES];
    prepare_reports(got, WAVES);
    assert_int_equal(evaluate(&a, 3, &src, got, NULL), OTAPRIO_OK);
    otaprio_representativeness zero;
    memset(&zero, 0, sizeof zero);
    zero.size = sizeof zero;
    zero.dimension_count = DIMS;
    for (size_t w = 0; w < WAVES; w++)
        assert_memory_equal(&got[w], &zero, sizeof zero);
    assert_int_equal(c.inits, 1); /* finished, though it saw nothing */
    assert_int_equal(c.live, 0);
    fleet_free(&f);
}

/* ---- the built-in methods ---------------------------------------------- */

static otaprio_cohort_spec builtin_spec(int32_t method, double *sd)
{
    otaprio_cohort_spec spec = test_spec();
    spec.method = method;
    if (method == OTAPRIO_COHORT_NEYMAN) {
        for (size_t h = 0; h < 4 * 3 * 6; h++)
            sd[h] = 1.0 + (double)(h % 5);
        spec.stratum_sd = sd;
        spec.stratum_sd_count = 4 * 3 * 6;
    }
    return spec;
}

static void builtins_agree_across_shards_and_with_their_cohorts(void **state)
{
    (void)state;
    fleet f = fleet_make(20000, 3);
    double sd[4 * 3 * 6];
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT; method++) {
        otaprio_cohort_algorithm a;
        a.size = sizeof a;
        assert_int_equal(otaprio_cohort_algorithm_builtin(method, &a),
                         OTAPRIO_OK);
        otaprio_cohort_spec spec = builtin_spec(method, sd);
        otaprio_representativeness first[WAVES];
        const uint32_t shard_counts[] = {1, 2, 7};
        for (size_t i = 0; i < COUNT(shard_counts); i++) {
            source_ctx src = source_of(&f, 1500);
            otaprio_representativeness got[WAVES];
            prepare_reports(got, WAVES);
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            int status = otaprio_cohort_evaluate(
                &a, &spec, shard_counts[i], fleet_source, &src, got, &diag);
            if (status != OTAPRIO_OK)
                fail_msg("%s in %u shards: %s", a.name,
                         (unsigned)shard_counts[i], diag.message);
            if (i == 0)
                memcpy(first, got, sizeof got);
            assert_memory_equal(got, first, sizeof got);
        }
        /* The reports of the method's own cohort, from one sampler. */
        otaprio_cohort_sampler *sampler = NULL;
        assert_int_equal(
            otaprio_cohort_sampler_create(&spec, NULL, &sampler, NULL),
            OTAPRIO_OK);
        source_ctx src = source_of(&f, 1500);
        for (;;) {
            otaprio_cohort_chunk chunk;
            otaprio_cohort_chunk_init(&chunk);
            assert_int_equal(fleet_source(&src, &chunk), 0);
            if (chunk.count == 0)
                break;
            assert_int_equal(
                otaprio_cohort_sampler_observe(sampler, &chunk, NULL),
                OTAPRIO_OK);
        }
        otaprio_cohort *cohort = NULL;
        assert_int_equal(
            otaprio_cohort_sampler_finish(sampler, NULL, &cohort, NULL),
            OTAPRIO_OK);
        for (uint32_t w = 0; w < WAVES; w++) {
            otaprio_representativeness own;
            own.size = sizeof own;
            assert_int_equal(
                otaprio_cohort_representativeness(cohort, w, &own, NULL),
                OTAPRIO_OK);
            assert_memory_equal(&own, &first[w], sizeof own);
            otaprio_cohort_wave info;
            info.size = sizeof info;
            assert_int_equal(otaprio_cohort_wave_info(cohort, w, &info, NULL),
                             OTAPRIO_OK);
            assert_int_equal(first[w].cohort, info.selected);
        }
        otaprio_cohort_free(cohort);
        otaprio_cohort_sampler_free(sampler);
    }
    fleet_free(&f);
}

static void builtins_run_next_to_a_custom_algorithm(void **state)
{
    (void)state;
    /* The comparison a researcher makes: one fleet, one spec, the first n
     * devices and a built-in method. Minimum coverage gives every stratum
     * with an eligible device a seat once the wave has that many. */
    fleet f = fleet_make(20000, 4);
    otaprio_representativeness custom[WAVES];
    first_n_config c = first_n_config_of(4000);
    otaprio_cohort_algorithm mine = first_n_algorithm(&c);
    source_ctx src = source_of(&f, 2000);
    prepare_reports(custom, WAVES);
    assert_int_equal(evaluate(&mine, 1, &src, custom, NULL), OTAPRIO_OK);
    otaprio_cohort_algorithm a;
    a.size = sizeof a;
    assert_int_equal(
        otaprio_cohort_algorithm_builtin(OTAPRIO_COHORT_MINIMUM_COVERAGE, &a),
        OTAPRIO_OK);
    otaprio_representativeness covered[WAVES];
    prepare_reports(covered, WAVES);
    src = source_of(&f, 2000);
    assert_int_equal(evaluate(&a, 1, &src, covered, NULL), OTAPRIO_OK);
    for (uint32_t w = 0; w < WAVES; w++) {
        bool eligible[4 * 3 * 6] = {false};
        uint64_t strata = 0;
        for (size_t i = 0; i < f.n; i++) {
            size_t id = f.codes[i] + 4 * (f.codes[f.n + i] +
                                          3 * (size_t)f.codes[2 * f.n + i]);
            if (f.first_wave[i] <= w && !eligible[id]) {
                eligible[id] = true;
                strata++;
            }
        }
        assert_int_equal(covered[w].fleet, custom[w].fleet);
        assert_int_equal(covered[w].strata, custom[w].strata);
        assert_true(covered[w].cohort >= strata);
        assert_int_equal(covered[w].strata_covered, strata);
    }
    fleet_free(&f);
}

static void evaluate_builtin(int32_t method, const otaprio_cohort_spec *spec,
                             const fleet *f,
                             otaprio_representativeness *reports, int want,
                             const char *field)
{
    otaprio_cohort_algorithm a;
    a.size = sizeof a;
    assert_int_equal(otaprio_cohort_algorithm_builtin(method, &a), OTAPRIO_OK);
    source_ctx src = source_of(f, 1000);
    prepare_reports(reports, WAVES);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_cohort_evaluate(&a, spec, 2, fleet_source, &src,
                                             reports, &diag),
                     want);
    if (want != OTAPRIO_OK)
        assert_string_equal(diag.field, field);
}

static void a_builtin_method_overrides_the_specs(void **state)
{
    (void)state;
    /* A Neyman spec with a minimum, evaluated with every method: each
     * gives the reports of a spec written for it, the fields that do not
     * apply to it cleared. */
    fleet f = fleet_make(6000, 10);
    double sd[4 * 3 * 6];
    otaprio_cohort_spec neyman = builtin_spec(OTAPRIO_COHORT_NEYMAN, sd);
    neyman.minimum_per_stratum = 2;
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT; method++) {
        otaprio_cohort_spec own = builtin_spec(method, sd);
        own.minimum_per_stratum =
            method == OTAPRIO_COHORT_HASH_THRESHOLD ? 0 : 2;
        otaprio_representativeness from_neyman[WAVES], from_own[WAVES];
        evaluate_builtin(method, &neyman, &f, from_neyman, OTAPRIO_OK, NULL);
        evaluate_builtin(method, &own, &f, from_own, OTAPRIO_OK, NULL);
        assert_memory_equal(from_neyman, from_own, sizeof from_own);
    }
    /* Neyman needs standard deviations a proportional spec lacks: the
     * sampler's refusal comes back from init. */
    otaprio_cohort_spec plain = test_spec();
    otaprio_representativeness reports[WAVES];
    evaluate_builtin(OTAPRIO_COHORT_NEYMAN, &plain, &f, reports,
                     OTAPRIO_E_INVALID, "algorithm.init");
    assert_untouched(reports, WAVES);

    /* init reads a spec of any size as the sampler does. */
    otaprio_cohort_algorithm a;
    a.size = sizeof a;
    assert_int_equal(otaprio_cohort_algorithm_builtin(1, &a), OTAPRIO_OK);
    struct {
        otaprio_cohort_spec spec;
        unsigned char tail[8];
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.spec = test_spec();
    newer.spec.size = sizeof newer;
    void *sampler = NULL;
    assert_int_equal(a.init(a.user, &newer.spec, &sampler), OTAPRIO_OK);
    assert_non_null(sampler);
    a.destroy(a.user, sampler);
    newer.tail[7] = 1; /* a field this library does not know */
    sampler = NULL;
    assert_int_equal(a.init(a.user, &newer.spec, &sampler),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_null(sampler);
    otaprio_cohort_spec small = test_spec();
    small.size = 4;
    assert_int_equal(a.init(a.user, &small, &sampler), OTAPRIO_E_STRUCT_SIZE);
    small.size = sizeof small - 8;
    assert_int_equal(a.init(a.user, &small, &sampler), OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(a.init(a.user, NULL, &sampler), OTAPRIO_E_INVALID);
    assert_null(sampler);
    fleet_free(&f);
}

static void builtin_tables_are_filled_and_checked(void **state)
{
    (void)state;
    const char *names[] = {"hash_threshold", "proportional", "minimum_coverage",
                           "neyman"};
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT; method++) {
        otaprio_cohort_algorithm a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        assert_int_equal(otaprio_cohort_algorithm_builtin(method, &a),
                         OTAPRIO_OK);
        assert_string_equal(a.name, names[method]);
        assert_int_equal(a.size, sizeof a);
        assert_non_null(a.init);
        assert_non_null(a.observe);
        assert_non_null(a.merge);
        assert_non_null(a.finish);
        assert_non_null(a.destroy);
        a.destroy(a.user, NULL);
    }
    otaprio_cohort_algorithm a;
    memset(&a, 0x5C, sizeof a);
    a.size = sizeof a;
    otaprio_cohort_algorithm before = a;
    assert_int_equal(otaprio_cohort_algorithm_builtin(-1, &a), OTAPRIO_E_RANGE);
    assert_int_equal(
        otaprio_cohort_algorithm_builtin(OTAPRIO_COHORT_METHOD_COUNT, &a),
        OTAPRIO_E_RANGE);
    assert_memory_equal(&a, &before, sizeof a);
    a.size = 4;
    before = a;
    assert_int_equal(otaprio_cohort_algorithm_builtin(0, &a),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_memory_equal(&a, &before, sizeof a);
    assert_int_equal(otaprio_cohort_algorithm_builtin(0, NULL),
                     OTAPRIO_E_INVALID);
    /* A newer caller's larger table: its tail is left alone. */
    struct {
        otaprio_cohort_algorithm a;
        unsigned char tail[8];
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.a.size = sizeof newer;
    memset(newer.tail, 0x21, sizeof newer.tail);
    assert_int_equal(otaprio_cohort_algorithm_builtin(1, &newer.a), OTAPRIO_OK);
    assert_int_equal(newer.a.size, sizeof newer);
    for (size_t i = 0; i < sizeof newer.tail; i++)
        assert_int_equal(newer.tail[i], 0x21);
}

/* ---- misbehaving algorithms -------------------------------------------- */

static void bad_emitted_devices_are_refused(void **state)
{
    (void)state;
    fleet f = fleet_make(3000, 5);
    /* A stratum id no device of the fleet has: every code at its last
     * value is rare, and checked absent below. */
    const uint64_t space = 4 * 3 * 6;
    const struct {
        uint64_t stratum;
        uint32_t wave;
        bool extra;
        const char *field;
    } bad[] = {
        {0, WAVES, false, "wave"},
        {0, UINT32_MAX, false, "wave"},
        {space, 0, false, "stratum"},
        {UINT64_MAX, 1, false, "stratum"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        for (int ignore = 0; ignore < 2; ignore++) {
            first_n_config c = first_n_config_of(100);
            c.bad_emit = true;
            c.bad_at = 37;
            c.bad_stratum = bad[i].stratum;
            c.bad_wave = bad[i].wave;
            c.ignore_emit = ignore;
            otaprio_cohort_algorithm a = first_n_algorithm(&c);
            source_ctx src = source_of(&f, 500);
            otaprio_representativeness got[WAVES];
            prepare_reports(got, WAVES);
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            assert_int_equal(evaluate(&a, 2, &src, got, &diag),
                             OTAPRIO_E_INVALID);
            assert_string_equal(diag.field, bad[i].field);
            assert_int_equal(diag.index, 37);
            assert_untouched(got, WAVES);
            assert_int_equal(c.live, 0);
        }
    }
    fleet_free(&f);
}

static void more_devices_than_observed_are_refused(void **state)
{
    (void)state;
    /* Two devices, both in stratum 0 ... */
    fleet f = fleet_make(2, 6);
    for (size_t i = 0; i < f.n * DIMS; i++)
        f.codes[i] = 0;
    /* ... and a third emitted in it, on top of them; or one emitted in a
     * stratum with no device at all. */
    const uint64_t strata[] = {0, 7};
    for (size_t i = 0; i < COUNT(strata); i++) {
        first_n_config c = first_n_config_of(2);
        c.bad_emit = true;
        c.extra = true;
        c.bad_at = 2;
        c.bad_stratum = strata[i];
        c.bad_wave = 0;
        otaprio_cohort_algorithm a = first_n_algorithm(&c);
        source_ctx src = source_of(&f, 1);
        otaprio_representativeness got[WAVES];
        prepare_reports(got, WAVES);
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(evaluate(&a, 1, &src, got, &diag), OTAPRIO_E_INVALID);
        assert_string_equal(diag.field, "stratum");
        assert_int_equal(diag.index, 2);
        assert_untouched(got, WAVES);
        assert_int_equal(c.live, 0);
    }
    /* A device emitted twice in a stratum that has two is fine: keys are
     * the algorithm's business. */
    first_n_config c = first_n_config_of(1);
    c.bad_emit = true;
    c.extra = true;
    c.bad_at = 1;
    c.bad_stratum = 0;
    c.bad_wave = 2;
    otaprio_cohort_algorithm a = first_n_algorithm(&c);
    source_ctx src = source_of(&f, 1);
    otaprio_representativeness got[WAVES];
    prepare_reports(got, WAVES);
    assert_int_equal(evaluate(&a, 1, &src, got, NULL), OTAPRIO_OK);
    assert_int_equal(got[0].cohort, 1);
    assert_int_equal(got[1].cohort, 1);
    assert_int_equal(got[2].cohort, 2);
    fleet_free(&f);
}

/* ---- callbacks' statuses ----------------------------------------------- */

static void callback_statuses_pass_through_unchanged(void **state)
{
    (void)state;
    fleet f = fleet_make(4000, 7);
    const int statuses[] = {42, -77, 1, INT32_MAX, OTAPRIO_E_NOMEM};
    const struct {
        int fail_in;
        size_t fail_after;
        const char *field;
    } places[] = {
        {FAIL_INIT, 0, "algorithm.init"},
        {FAIL_INIT, 2, "algorithm.init"}, /* a later shard's state */
        {FAIL_OBSERVE, 5, "algorithm.observe"},
        {FAIL_MERGE, 1, "algorithm.merge"},
        {FAIL_FINISH, 0, "algorithm.finish"},
        {0, 0, "source"},
    };
    for (size_t p = 0; p < COUNT(places); p++) {
        for (size_t s = 0; s < COUNT(statuses); s++) {
            first_n_config c = first_n_config_of(300);
            c.fail_in = places[p].fail_in;
            c.fail_after = places[p].fail_after;
            c.fail_status = statuses[s];
            otaprio_cohort_algorithm a = first_n_algorithm(&c);
            source_ctx src = source_of(&f, 250);
            if (places[p].fail_in == 0) {
                src.fail_at = 9;
                src.fail_status = statuses[s];
            }
            otaprio_representativeness got[WAVES];
            prepare_reports(got, WAVES);
            otaprio_diag diag;
            otaprio_diag_init(&diag);
            assert_int_equal(evaluate(&a, 4, &src, got, &diag), statuses[s]);
            assert_string_equal(diag.field, places[p].field);
            assert_int_equal(diag.status, statuses[s]);
            assert_untouched(got, WAVES);
            assert_int_equal(c.live, 0);
        }
    }
    fleet_free(&f);
}

/* ---- bad arguments ----------------------------------------------------- */

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    fleet f = fleet_make(100, 8);
    first_n_config c = first_n_config_of(10);
    otaprio_cohort_algorithm a = first_n_algorithm(&c);
    otaprio_cohort_spec spec = test_spec();
    source_ctx src = source_of(&f, 10);
    otaprio_representativeness got[WAVES + 1];
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    prepare_reports(got, WAVES);

    assert_int_equal(
        otaprio_cohort_evaluate(NULL, &spec, 1, fleet_source, &src, got, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "algorithm");
    assert_int_equal(
        otaprio_cohort_evaluate(&a, NULL, 1, fleet_source, &src, got, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "spec");
    assert_int_equal(
        otaprio_cohort_evaluate(&a, &spec, 1, NULL, &src, got, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "source");
    assert_int_equal(
        otaprio_cohort_evaluate(&a, &spec, 1, fleet_source, &src, NULL, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "reports");
    assert_int_equal(
        otaprio_cohort_evaluate(&a, &spec, 0, fleet_source, &src, got, &diag),
        OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "shards");

    /* The table: its size, and each function. */
    otaprio_cohort_algorithm broken = a;
    broken.size = 8;
    assert_int_equal(otaprio_cohort_evaluate(&broken, &spec, 1, fleet_source,
                                             &src, got, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    const char *functions[] = {"algorithm.init", "algorithm.observe",
                               "algorithm.merge", "algorithm.finish",
                               "algorithm.destroy"};
    for (size_t i = 0; i < COUNT(functions); i++) {
        broken = a;
        switch (i) {
        case 0:
            broken.init = NULL;
            break;
        case 1:
            broken.observe = NULL;
            break;
        case 2:
            broken.merge = NULL;
            break;
        case 3:
            broken.finish = NULL;
            break;
        default:
            broken.destroy = NULL;
        }
        assert_int_equal(otaprio_cohort_evaluate(
                             &broken, &spec, 1, fleet_source, &src, got, &diag),
                         OTAPRIO_E_INVALID);
        assert_string_equal(diag.field, functions[i]);
    }

    /* The spec: a final wave of 1, and a bad schedule. */
    const double with_rest[4] = {0.01, 0.05, 0.2, 1.0};
    spec.wave_count = 4;
    spec.waves = with_rest;
    prepare_reports(got, WAVES + 1);
    assert_int_equal(
        otaprio_cohort_evaluate(&a, &spec, 1, fleet_source, &src, got, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "waves");
    assert_int_equal(diag.index, 3);
    const double falling[3] = {0.2, 0.1, 0.3};
    spec.wave_count = 3;
    spec.waves = falling;
    assert_int_equal(
        otaprio_cohort_evaluate(&a, &spec, 1, fleet_source, &src, got, &diag),
        OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "waves");
    assert_int_equal(diag.index, 1);

    /* A report too small for the first layout. */
    spec = test_spec();
    prepare_reports(got, WAVES);
    got[1].size = sizeof got[1] - 1;
    assert_int_equal(
        otaprio_cohort_evaluate(&a, &spec, 1, fleet_source, &src, got, &diag),
        OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "reports");
    assert_int_equal(diag.index, 1);
    got[1].size = sizeof got[1];
    assert_untouched(got, WAVES);
    assert_int_equal(c.inits, 0); /* nothing ran */
    assert_int_equal(src.calls, 0);

    /* Chunks: a bad code, a changed size. */
    src = source_of(&f, 10);
    src.fail_at = 3;
    src.bad_code = true;
    assert_int_equal(evaluate(&a, 2, &src, got, &diag), OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "codes");
    assert_int_equal(diag.index, 5);
    src = source_of(&f, 10);
    src.fail_at = 3;
    src.bad_size = true;
    assert_int_equal(evaluate(&a, 2, &src, got, &diag), OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "chunk");
    assert_int_equal(diag.index, 3);
    assert_untouched(got, WAVES);
    assert_int_equal(c.live, 0);
    fleet_free(&f);
}

/* ---- allocation failures ----------------------------------------------- */

typedef struct evaluate_sweep {
    fleet f;
    otaprio_representativeness expected[WAVES];
} evaluate_sweep;

static int evaluate_with(const otaprio_allocator *allocator, void *ctx)
{
    evaluate_sweep *sw = ctx;
    first_n_config c = first_n_config_of(600);
    otaprio_cohort_algorithm a = first_n_algorithm(&c);
    otaprio_cohort_spec spec = test_spec();
    source_ctx src = source_of(&sw->f, 300);
    otaprio_representativeness got[WAVES];
    prepare_reports(got, WAVES);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio__cohort_evaluate_with(&a, &spec, 3, fleet_source, &src,
                                               allocator, got, &diag);
    assert_int_equal(c.live, 0);
    if (status != OTAPRIO_OK) {
        assert_int_equal(diag.status, status);
        assert_untouched(got, WAVES);
        return status;
    }
    assert_memory_equal(got, sw->expected, sizeof got);
    return OTAPRIO_OK;
}

static void evaluate_survives_every_allocation_failure(void **state)
{
    (void)state;
    evaluate_sweep sw;
    sw.f = fleet_make(3000, 9);
    expected_reports(&sw.f, 300, 3, 600, sw.expected);
    /* The tally's growth, the states, the emitted devices, the counts and
     * three reports' scratch. */
    assert_true(alloc_fail_sweep(evaluate_with, &sw, OTAPRIO_E_NOMEM) > 20);
    fleet_free(&sw.f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_custom_algorithm_is_scored_like_a_tally),
        cmocka_unit_test(an_empty_fleet_scores_zeros),
        cmocka_unit_test(builtins_agree_across_shards_and_with_their_cohorts),
        cmocka_unit_test(builtins_run_next_to_a_custom_algorithm),
        cmocka_unit_test(a_builtin_method_overrides_the_specs),
        cmocka_unit_test(builtin_tables_are_filled_and_checked),
        cmocka_unit_test(bad_emitted_devices_are_refused),
        cmocka_unit_test(more_devices_than_observed_are_refused),
        cmocka_unit_test(callback_statuses_pass_through_unchanged),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(evaluate_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests_name("cohort_evaluate", tests, NULL, NULL);
}
