/* SPDX-License-Identifier: MIT */
/*
 * The research side of the cohort engine: the built-in methods behind the
 * otaprio_cohort_algorithm table of functions, and otaprio_cohort_evaluate(),
 * which runs any algorithm over a fleet in shards and scores every wave.
 *
 * Evaluate trusts nothing an algorithm emits: a device's wave must be a
 * canary wave, its stratum one the fleet has devices in, and no stratum may
 * receive more devices than were observed in it. It scores with the same
 * report (cohort_report.c) as a finished cohort does, against a tally of
 * the chunks it handed out, so a built-in method's reports here are those
 * of otaprio_cohort_representativeness() for its cohort.
 */
#include <string.h>

#include "cohort_score.h"

static const otaprio__layout algorithm_layout = {
    "otaprio_cohort_algorithm", sizeof(otaprio_cohort_algorithm),
    sizeof(otaprio_cohort_algorithm), /* first published layout */
};

/* ---- the built-in methods, through the sampler API ------------------- */

/* Reads the caller's spec as sampler_create() would (its own size, a
 * newer caller's tail all zero), into a copy whose method can be changed.
 * The copy points at the caller's arrays, which the sampler copies. */
static int copy_spec(otaprio_cohort_spec *copy, const otaprio_cohort_spec *spec)
{
    OTAPRIO__TRY(otaprio_cohort_spec_init(copy));
    if (spec->size < sizeof copy->size)
        return OTAPRIO_E_STRUCT_SIZE;
    size_t known = spec->size < sizeof *copy ? spec->size : sizeof *copy;
    memcpy(copy, spec, known); /* the size too: the sampler checks it */
    const unsigned char *tail = (const unsigned char *)spec + known;
    for (size_t i = 0; i < spec->size - known; i++)
        if (tail[i] != 0)
            return OTAPRIO_E_STRUCT_SIZE;
    copy->size = known;
    return OTAPRIO_OK;
}

/* A sampler for `spec` with its method replaced by `method`; the fields
 * that do not apply to the new method are cleared, so that one spec can be
 * evaluated with every built-in method. */
static int builtin_init(int32_t method, const otaprio_cohort_spec *spec,
                        void **state)
{
    if (spec == NULL || state == NULL)
        return OTAPRIO_E_INVALID;
    otaprio_cohort_spec copy;
    OTAPRIO__TRY(copy_spec(&copy, spec));
    copy.method = method;
    if (method != OTAPRIO_COHORT_NEYMAN) {
        copy.stratum_sd = NULL;
        copy.stratum_sd_count = 0;
    }
    if (method == OTAPRIO_COHORT_HASH_THRESHOLD)
        copy.minimum_per_stratum = 0;
    otaprio_cohort_sampler *sampler = NULL;
    OTAPRIO__TRY(otaprio_cohort_sampler_create(&copy, NULL, &sampler, NULL));
    *state = sampler;
    return OTAPRIO_OK;
}

#define BUILTIN_INIT(name, method)                                      \
    static int init_##name(void *user, const otaprio_cohort_spec *spec, \
                           void **state)                                \
    {                                                                   \
        (void)user;                                                     \
        return builtin_init((method), spec, state);                     \
    }
BUILTIN_INIT(hash_threshold, OTAPRIO_COHORT_HASH_THRESHOLD)
BUILTIN_INIT(proportional, OTAPRIO_COHORT_PROPORTIONAL)
BUILTIN_INIT(minimum_coverage, OTAPRIO_COHORT_MINIMUM_COVERAGE)
BUILTIN_INIT(neyman, OTAPRIO_COHORT_NEYMAN)
#undef BUILTIN_INIT

static int builtin_observe(void *user, void *state,
                           const otaprio_cohort_chunk *chunk)
{
    (void)user;
    return otaprio_cohort_sampler_observe(state, chunk, NULL);
}

static int builtin_merge(void *user, void *state, void *other)
{
    (void)user;
    int status = otaprio_cohort_sampler_merge(state, other, NULL);
    otaprio_cohort_sampler_free(other);
    return status;
}

/* Devices the canary waves list: the selected devices of the last listed
 * wave, which include those of every wave before. */
static uint64_t listed_devices(const otaprio_cohort *cohort)
{
    for (uint32_t w = otaprio_cohort_wave_count(cohort); w > 0; w--) {
        otaprio_cohort_wave info;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        if (otaprio_cohort_wave_info(cohort, w - 1, &info, NULL) ==
                OTAPRIO_OK &&
            info.listed)
            return info.selected;
    }
    return 0;
}

/* Devices read from the cohort at a time, on the stack. */
#define EMIT_BATCH 256

static int builtin_finish(void *user, void *state, otaprio_cohort_emit_fn emit,
                          void *emit_user)
{
    (void)user;
    otaprio_cohort *cohort = NULL;
    OTAPRIO__TRY(otaprio_cohort_sampler_finish(state, NULL, &cohort, NULL));
    uint64_t listed = listed_devices(cohort);
    uint64_t keys[EMIT_BATCH], strata[EMIT_BATCH];
    uint8_t waves[EMIT_BATCH];
    int status = OTAPRIO_OK;
    for (uint64_t first = 0; first < listed && status == OTAPRIO_OK;) {
        uint64_t n = listed - first < EMIT_BATCH ? listed - first : EMIT_BATCH;
        status =
            otaprio_cohort_devices(cohort, first, n, keys, waves, strata, NULL);
        for (uint64_t i = 0; i < n && status == OTAPRIO_OK; i++)
            status = emit(emit_user, keys[i], strata[i], waves[i]);
        first += n;
    }
    otaprio_cohort_free(cohort);
    return status;
}

static void builtin_destroy(void *user, void *state)
{
    (void)user;
    otaprio_cohort_sampler_free(state);
}

typedef struct builtin {
    const char *name;
    int (*init)(void *user, const otaprio_cohort_spec *spec, void **state);
} builtin;

/* By method number. */
static const builtin builtins[OTAPRIO_COHORT_METHOD_COUNT] = {
    {"hash_threshold", init_hash_threshold},
    {"proportional", init_proportional},
    {"minimum_coverage", init_minimum_coverage},
    {"neyman", init_neyman},
};

int otaprio_cohort_algorithm_builtin(int32_t method,
                                     otaprio_cohort_algorithm *algorithm)
{
    if (algorithm == NULL)
        return OTAPRIO_E_INVALID;
    if (algorithm->size < algorithm_layout.minimum)
        return OTAPRIO_E_STRUCT_SIZE;
    if (method < 0 || method >= OTAPRIO_COHORT_METHOD_COUNT)
        return OTAPRIO_E_RANGE;
    otaprio_cohort_algorithm full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    full.name = builtins[method].name;
    full.user = NULL;
    full.init = builtins[method].init;
    full.observe = builtin_observe;
    full.merge = builtin_merge;
    full.finish = builtin_finish;
    full.destroy = builtin_destroy;
    return otaprio__struct_write(algorithm, &full, &algorithm_layout);
}

/* ---- evaluate --------------------------------------------------------- */

/* An emitted device: its stratum's index in the tally, and its wave. */
typedef struct pick {
    uint32_t stratum;
    uint32_t wave;
} pick;

typedef struct evaluation {
    otaprio__mem mem;
    otaprio_cohort_algorithm algorithm; /* the full layout */
    const otaprio_cohort_spec *spec;
    otaprio__cohort_setup setup;
    otaprio_tally *tally;
    otaprio__vec states; /* void *, one per shard that has had a chunk */
    otaprio__vec picks;  /* pick */
    uint64_t *counts;    /* per tally stratum */
    int emit_status;     /* the first emitted device refused, or 0 */
    otaprio_diag *diag;
} evaluation;

/* Names the callback that stopped the run, and passes its status on. */
static int callback_failed(evaluation *e, int status, const char *what,
                           int64_t index)
{
    return otaprio__fail(e->diag, status, what, index, "%s returned %d (%s)",
                         what, status, otaprio_strerror(status));
}

/* Starts one more state; the vector has room for it first, so a state is
 * never left without an owner. */
static int start_state(evaluation *e)
{
    size_t have = e->states.length;
    int status = otaprio__vec_reserve(&e->mem, &e->states, have + 1);
    if (status != OTAPRIO_OK)
        return otaprio__fail(e->diag, status, "shards", (int64_t)have,
                             "no memory for the state of shard %zu", have);
    void *state = NULL;
    status = e->algorithm.init(e->algorithm.user, e->spec, &state);
    if (status != 0)
        return callback_failed(e, status, "algorithm.init", (int64_t)have);
    ((void **)e->states.data)[have] = state;
    e->states.length = have + 1;
    return OTAPRIO_OK;
}

/* Tallies the fleet and hands chunk `i` to state `i % shards`; a state is
 * started when its first chunk comes. */
static int observe_fleet(evaluation *e, uint32_t shards,
                         otaprio_cohort_source_fn source, void *user)
{
    OTAPRIO__TRY(start_state(e));
    for (size_t i = 0;; i++) {
        otaprio_cohort_chunk chunk;
        OTAPRIO__TRY(otaprio_cohort_chunk_init(&chunk));
        int status = source(user, &chunk);
        if (status != 0)
            return callback_failed(e, status, "source", (int64_t)i);
        /* The library prepared the chunk at its own size; a source built
         * against newer headers must not claim more room than is there. */
        if (chunk.size != sizeof chunk)
            return otaprio__fail(e->diag, OTAPRIO_E_STRUCT_SIZE, "chunk",
                                 (int64_t)i,
                                 "the source changed the size of chunk %zu; "
                                 "write only the fields within its size",
                                 i);
        if (chunk.count == 0)
            return OTAPRIO_OK;
        otaprio__cohort_rows rows;
        OTAPRIO__TRY(
            otaprio__cohort_rows_check(&e->setup, &chunk, &rows, e->diag));
        OTAPRIO__TRY(
            otaprio_tally_add(e->tally, rows.codes, rows.count, NULL, e->diag));
        size_t shard = i % shards;
        if (shard == e->states.length)
            OTAPRIO__TRY(start_state(e));
        void *state = ((void **)e->states.data)[shard];
        status = e->algorithm.observe(e->algorithm.user, state, &chunk);
        if (status != 0)
            return callback_failed(e, status, "algorithm.observe", (int64_t)i);
    }
}

/* Folds every state into the first. A merged state belongs to the
 * algorithm from the call on, whatever it returns. */
static int merge_states(evaluation *e)
{
    void **states = e->states.data;
    for (size_t s = 1; s < e->states.length; s++) {
        void *other = states[s];
        states[s] = NULL;
        int status = e->algorithm.merge(e->algorithm.user, states[0], other);
        if (status != 0)
            return callback_failed(e, status, "algorithm.merge", (int64_t)s);
    }
    e->states.length = 1;
    return OTAPRIO_OK;
}

/* Checks and records one emitted device. */
static int take(evaluation *e, uint64_t key, uint64_t stratum, uint32_t wave)
{
    int64_t at = (int64_t)e->picks.length;
    if (wave >= e->setup.canary_count)
        return otaprio__fail(e->diag, OTAPRIO_E_INVALID, "wave", at,
                             "emitted device %lld (key %#llx) is in wave "
                             "%lu; the canary waves are 0 to %lu",
                             (long long)at, (unsigned long long)key,
                             (unsigned long)wave,
                             (unsigned long)e->setup.canary_count - 1);
    if (stratum >= e->setup.stratum_space)
        return otaprio__fail(e->diag, OTAPRIO_E_INVALID, "stratum", at,
                             "emitted device %lld (key %#llx) is in stratum "
                             "%llu, past the %llu strata",
                             (long long)at, (unsigned long long)key,
                             (unsigned long long)stratum,
                             (unsigned long long)e->setup.stratum_space);
    uint32_t index = otaprio__tally_find(e->tally, stratum);
    uint64_t observed = index != OTAPRIO__TUPLE_NONE
                            ? ((const uint64_t *)e->tally->fleet.data)[index]
                            : 0;
    if (index == OTAPRIO__TUPLE_NONE || e->counts[index] >= observed)
        return otaprio__fail(e->diag, OTAPRIO_E_INVALID, "stratum", at,
                             "emitted device %lld (key %#llx) is one more "
                             "device of stratum %llu than the %llu observed "
                             "in it",
                             (long long)at, (unsigned long long)key,
                             (unsigned long long)stratum,
                             (unsigned long long)observed);
    pick p = {index, wave};
    int status = otaprio__vec_push(&e->mem, &e->picks, &p);
    if (status != OTAPRIO_OK)
        return otaprio__fail(e->diag, status, "", at,
                             "no memory for emitted device %lld",
                             (long long)at);
    e->counts[index]++;
    return OTAPRIO_OK;
}

static int on_emit(void *user, uint64_t key, uint64_t stratum, uint32_t wave)
{
    evaluation *e = user;
    /* After a refusal, an algorithm that goes on emitting is refused again
     * and nothing more is recorded. */
    if (e->emit_status == OTAPRIO_OK)
        e->emit_status = take(e, key, stratum, wave);
    return e->emit_status;
}

static int finish_state(evaluation *e)
{
    size_t strata = e->tally->strata.count;
    int status = otaprio__mem_zalloc_array(&e->mem, strata, sizeof *e->counts,
                                           (void **)&e->counts);
    if (status != OTAPRIO_OK)
        return otaprio__fail(e->diag, status, "", -1,
                             "no memory to count the cohort of %zu strata",
                             strata);
    void *state = ((void **)e->states.data)[0];
    status = e->algorithm.finish(e->algorithm.user, state, on_emit, e);
    /* A refused device is the error, whatever the algorithm made of it. */
    if (e->emit_status != OTAPRIO_OK)
        return e->emit_status;
    if (status != 0)
        return callback_failed(e, status, "algorithm.finish", -1);
    return OTAPRIO_OK;
}

/* A stratum of the tally, to put them in order of id. */
typedef struct ranked {
    uint64_t id;
    uint64_t index;
} ranked;

static int compare_id(const void *a, const void *b)
{
    uint64_t x = ((const ranked *)a)->id, y = ((const ranked *)b)->id;
    return (x > y) - (x < y);
}

/* Scores each wave: a device emitted in wave w counts for every wave from
 * w on. The strata are put in order of id once, so that no wave's report
 * sorts them again. */
static int score_waves(evaluation *e, otaprio_representativeness *full)
{
    const otaprio_tally *t = e->tally;
    size_t strata = t->strata.count;
    /* One block: the strata in order, their ids and devices in that order,
     * and each one's place in it by tally index. */
    const size_t each = sizeof(ranked) + 2 * sizeof(uint64_t) + sizeof(size_t);
    unsigned char *block = NULL;
    int status =
        otaprio__mem_zalloc_array(&e->mem, strata, each, (void **)&block);
    if (status != OTAPRIO_OK)
        return otaprio__fail(e->diag, status, "", -1,
                             "no memory to order %zu strata", strata);
    ranked *order = (ranked *)block;
    uint64_t *ids = (uint64_t *)(order + strata);
    uint64_t *fleet = ids + strata;
    size_t *place = (size_t *)(fleet + strata);
    const uint64_t *tally_ids = t->ids.data, *tally_fleet = t->fleet.data;
    for (size_t h = 0; h < strata; h++) {
        order[h].id = tally_ids[h];
        order[h].index = h;
    }
    qsort(order, strata, sizeof *order, compare_id);
    for (size_t p = 0; p < strata; p++) {
        ids[p] = order[p].id;
        fleet[p] = tally_fleet[order[p].index];
        place[order[p].index] = p;
    }
    const pick *picks = e->picks.data;
    for (uint32_t w = 0; w < e->setup.wave_count && status == OTAPRIO_OK; w++) {
        memset(e->counts, 0, strata * sizeof *e->counts);
        for (size_t i = 0; i < e->picks.length; i++)
            if (picks[i].wave <= w)
                e->counts[place[picks[i].stratum]]++;
        status = otaprio__cohort_report(&e->setup, strata, ids, fleet,
                                        e->counts, &full[w], &e->mem, e->diag);
    }
    otaprio__mem_free(&e->mem, block);
    return status;
}

/* Everything but the reports' sizes and the setup, which the caller
 * checked. */
static int run(evaluation *e, uint32_t shards, otaprio_cohort_source_fn source,
               void *user, otaprio_representativeness *reports)
{
    otaprio_representativeness full[OTAPRIO_COHORT_MAX_WAVES];
    OTAPRIO__TRY(otaprio__tally_new(&e->setup, &e->mem, &e->tally, e->diag));
    OTAPRIO__TRY(observe_fleet(e, shards, source, user));
    OTAPRIO__TRY(merge_states(e));
    OTAPRIO__TRY(finish_state(e));
    OTAPRIO__TRY(score_waves(e, full));
    for (uint32_t w = 0; w < e->setup.wave_count; w++)
        (void)otaprio__struct_write(&reports[w], &full[w],
                                    &otaprio__report_layout);
    return OTAPRIO_OK;
}

static void release(evaluation *e)
{
    void **states = e->states.data;
    for (size_t s = 0; s < e->states.length; s++)
        if (states[s] != NULL)
            e->algorithm.destroy(e->algorithm.user, states[s]);
    otaprio__vec_release(&e->mem, &e->states);
    otaprio__vec_release(&e->mem, &e->picks);
    otaprio__mem_free(&e->mem, e->counts);
    otaprio_tally_free(e->tally);
    otaprio__cohort_setup_release(&e->setup, &e->mem);
}

/* Reads the caller's table and checks that every function is there. */
static int read_algorithm(otaprio_cohort_algorithm *full,
                          const otaprio_cohort_algorithm *algorithm,
                          otaprio_diag *diag)
{
    memset(full, 0, sizeof *full);
    OTAPRIO__TRY(
        otaprio__struct_read(full, algorithm, &algorithm_layout, diag));
    const char *missing = full->init == NULL      ? "algorithm.init"
                          : full->observe == NULL ? "algorithm.observe"
                          : full->merge == NULL   ? "algorithm.merge"
                          : full->finish == NULL  ? "algorithm.finish"
                          : full->destroy == NULL ? "algorithm.destroy"
                                                  : NULL;
    if (missing != NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, missing, -1, "%s is NULL",
                             missing);
    return OTAPRIO_OK;
}

int otaprio__cohort_evaluate_with(const otaprio_cohort_algorithm *algorithm,
                                  const otaprio_cohort_spec *spec,
                                  uint32_t shards,
                                  otaprio_cohort_source_fn source, void *user,
                                  const otaprio_allocator *allocator,
                                  otaprio_representativeness *reports,
                                  otaprio_diag *diag)
{
    const char *null = algorithm == NULL ? "algorithm"
                       : spec == NULL    ? "spec"
                       : source == NULL  ? "source"
                       : reports == NULL ? "reports"
                                         : NULL;
    if (null != NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, null, -1, "%s is NULL",
                             null);
    evaluation e;
    memset(&e, 0, sizeof e);
    OTAPRIO__TRY(read_algorithm(&e.algorithm, algorithm, diag));
    if (shards == 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "shards", -1,
                             "shards is 0; at least one state observes the "
                             "fleet");
    OTAPRIO__TRY(otaprio__mem_resolve(&e.mem, allocator, diag));
    e.spec = spec;
    e.diag = diag;
    e.states.elem_size = sizeof(void *);
    e.picks.elem_size = sizeof(pick);
    OTAPRIO__TRY(otaprio__cohort_setup_init(&e.setup, spec, &e.mem, diag));
    int status = OTAPRIO_OK;
    if (e.setup.canary_count != e.setup.wave_count)
        status = otaprio__fail(diag, OTAPRIO_E_INVALID, "waves",
                               (int64_t)e.setup.wave_count - 1,
                               "the last wave is 1, the rest of the fleet; "
                               "evaluate scores canary waves only");
    for (uint32_t w = 0; w < e.setup.wave_count && status == OTAPRIO_OK; w++)
        status = otaprio__report_check_size(&reports[w], "reports", w, diag);
    if (status == OTAPRIO_OK)
        status = run(&e, shards, source, user, reports);
    release(&e);
    return status;
}

int otaprio_cohort_evaluate(const otaprio_cohort_algorithm *algorithm,
                            const otaprio_cohort_spec *spec, uint32_t shards,
                            otaprio_cohort_source_fn source, void *user,
                            otaprio_representativeness *reports,
                            otaprio_diag *diag)
{
    return otaprio__cohort_evaluate_with(algorithm, spec, shards, source, user,
                                         NULL, reports, diag);
}
