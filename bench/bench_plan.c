/* SPDX-License-Identifier: MIT */
/*
 * plan: the runbook planner end to end against the engines it calls
 * (issue 7: "planning for a 10,000,000-device fleet is dominated by the
 * engines it calls; the planner adds less than 10% over their sum").
 *
 * Input: the planner's test fleet (tests/unit/plan_fixture.h: strata
 * region x SKU, rings, 24 shared-fate clusters, a tenth blocked on an old
 * bootloader) of N devices, generated from each device's index once,
 * untimed, into columns; a source hands them out in chunks of 65,536
 * straight from those arrays, so the host side costs next to nothing.
 * The request: the fixture's catalog with its flaw (os < 13) traced, the
 * fix os-13, strata region x SKU, four guardrail rules, default rollback
 * for an OS update with an A/B slot.
 *
 * Two operations, alternating in every repetition:
 *
 *   plan     otaprio_plan_create(), writing each device's wave
 *   by_hand  the same engine calls, with the same inputs and in the same
 *            order, made by this file directly (the IMPACT, SAMPLE and
 *            ASSIGN passes of src/plan_fleet.c and the calls around them
 *            in src/plan_create.c), each engine call timed alone. Their
 *            sum is the engines' time, the planner's floor; the glue
 *            between them (this file's copy of the planner's loops as
 *            first written, before src/plan_fleet.c was tuned with this
 *            bench) is timed too, piece by piece.
 *
 * The ratio's figures are thread CPU time (CLOCK_THREAD_CPUTIME_ID), not
 * wall time: the machine is shared, and a neighbour's burst would land
 * on one side of the comparison and not the other. The operations' wall
 * times are in "ops" as for every bench.
 *
 * Extra figures: medians of the planner, of the engines' sum and of each
 * engine and glue piece; the ratio planner / engines' sum (the median of
 * the repetitions' paired ratios, their range, and the ratio of the
 * medians: on a shared machine the paired ratio is the steady one);
 * memory through a counting allocator (bench/count_alloc.h): the
 * planner's peak and the plan's bytes for the whole fleet and for a
 * sixteenth of it, the engines' share of them (the by-hand run counted),
 * against the fleet's own bytes.
 *
 * Digested (untimed): for each operation, the fleet's census (devices,
 * affected) and its dependency chains (affected devices, blocked ones) in
 * order of first appearance, which bench/peer_plan.py recomputes with
 * NumPy. Before digesting, the by-hand run must match the planner device
 * by device (every wave) and in every count, or the bench fails: the sum
 * it times is then the engines' part of exactly the planner's work.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otaprio.h"
#include "plan_internal.h" /* otaprio__plan_shape_of(): the same shape */

#include "bench.h"
#include "count_alloc.h"
#include "plan_fixture.h"

/* Devices per chunk, as a host streams a fleet table. */
#define PLAN_CHUNK 65536
/* Blocks and passing conditions, as src/plan_fleet.c splits them. */
#define PLAN_EXCLUDING_BLOCKS                                             \
    (OTAPRIO_BLOCK_CARRIER | OTAPRIO_BLOCK_REGION | OTAPRIO_BLOCK_LEGAL | \
     OTAPRIO_BLOCK_ENROLLMENT | OTAPRIO_BLOCK_CURRENT)
#define PLAN_CURABLE_BLOCKS (OTAPRIO_BLOCK_REQUIREMENT | OTAPRIO_BLOCK_CONFLICT)
#define PLAN_RULES 4

enum { OP_PLAN, OP_BY_HAND, OP_COUNT };
static const char *const plan_op_names[OP_COUNT] = {"plan", "by_hand"};

/* The engines' calls, timed alone in the by-hand run. */
enum {
    E_IMPACT,    /* otaprio_catalog_impact_devices */
    E_CHECK,     /* otaprio_catalog_check_devices */
    E_RISK,      /* otaprio_risk_score_devices */
    E_OBSERVE,   /* otaprio_cohort_sampler_observe */
    E_FINISH,    /* otaprio_cohort_sampler_create and _finish */
    E_ASSIGN,    /* otaprio_cohort_assign */
    E_CLUSTERER, /* regions, chains and clusters: create, add, report */
    E_PATH,      /* chain components and update paths */
    E_PLAN_WIDE, /* issue scores, rollback, representativeness, guards */
    E_COUNT
};
static const char *const engine_names[E_COUNT] = {
    "impact_ms", "check_ms",     "risk_ms",  "observe_ms",  "finish_ms",
    "assign_ms", "clusterer_ms", "paths_ms", "plan_wide_ms"};

/* The planner's own loops, as this file copies them. */
enum {
    G_PASS,   /* key sum and ring check of each chunk (plan_fleet.c) */
    G_IMPACT, /* affected column, classes (trace_impact, impact_chunk) */
    G_SCORE,  /* catalog blocks into the risk columns (score_devices) */
    G_COHORT, /* cohort_columns, ring counts */
    G_WAVES,  /* plan_waves, the chain and cluster loops */
    G_COUNT_, /* count_devices, write_outputs */
    G_COUNT
};
static const char *const glue_names[G_COUNT] = {
    "glue_pass_ms",   "glue_impact_ms", "glue_score_ms",
    "glue_cohort_ms", "glue_waves_ms",  "glue_count_ms"};

/* ---- the fleet, pre-generated ------------------------------------------ */

typedef struct fleet {
    size_t n;
    plan_fixture_columns c; /* one row per device of the fleet */
} fleet;

static void fleet_free(fleet *f)
{
    plan_fixture_columns_free(&f->c);
}

/* Bytes of one device's columns. */
#define FLEET_DEVICE_BYTES (8 + 4 * (3 + PX_COMPONENTS) + 4 + 4)

static int fleet_init(fleet *f, uint64_t seed, size_t n)
{
    f->n = n;
    if (plan_fixture_columns_alloc(&f->c, n) != 0)
        return -1;
    plan_fixture_columns_fill(&f->c, seed, 0, n);
    return 0;
}

/* ---- the source: chunks straight from the arrays ----------------------- */

typedef struct source {
    const fleet *f;
    size_t n;          /* devices handed out: the fleet or a prefix of it */
    uint8_t *wave_out; /* each device's wave (ASSIGN), or NULL */
    const uint32_t *codes[2];
    const uint32_t *versions[PX_COMPONENTS];
    otaprio_devices devices;
    otaprio_device_state state;
} source;

/* Points the engines' structs at devices first .. first + n - 1. */
static void source_view(source *s, size_t first, size_t n)
{
    const fleet *f = s->f;
    s->codes[0] = f->c.region + first;
    s->codes[1] = f->c.sku + first;
    for (int c = 0; c < PX_COMPONENTS; c++)
        s->versions[c] = f->c.versions[c] + first;
    otaprio_devices_init(&s->devices);
    s->devices.count = n;
    s->devices.device_class = f->c.device_class + first;
    s->devices.battery = f->c.battery + first;
    s->devices.charging = f->c.charging + first;
    s->devices.metered = f->c.metered + first;
    otaprio_device_state_init(&s->state);
    s->state.count = n;
    s->state.versions = s->versions;
    s->state.component_count = PX_COMPONENTS;
    /* The region column too: the IMPACT pass clusters the blast radius
     * by region (issue concentration). */
    s->state.region = f->c.region + first;
    s->state.battery = f->c.battery + first;
    s->state.charging = f->c.charging + first;
    s->state.metered = f->c.metered + first;
}

static size_t chunk_at(size_t n, size_t first)
{
    return n - first < PLAN_CHUNK ? n - first : PLAN_CHUNK;
}

static int source_next(void *user, int32_t pass, uint64_t first,
                       otaprio_plan_chunk *chunk)
{
    source *s = user;
    if (first >= s->n)
        return 0;
    size_t n = chunk_at(s->n, (size_t)first);
    source_view(s, (size_t)first, n);
    chunk->count = n;
    chunk->keys = s->f->c.keys + first;
    chunk->devices = &s->devices;
    chunk->state = &s->state;
    chunk->codes = s->codes;
    chunk->cluster = s->f->c.cluster + first;
    chunk->ring = s->f->c.ring + first;
    if (pass == OTAPRIO_PLAN_PASS_ASSIGN && s->wave_out != NULL)
        chunk->wave = s->wave_out + first;
    return 0;
}

/* ---- the request -------------------------------------------------------- */

static const char *const rule_names[PLAN_RULES] = {"crash", "boot_failure",
                                                   "battery_drain", "anr"};

typedef struct request_parts {
    otaprio_issue issue;
    otaprio_guard_rule rules[PLAN_RULES];
} request_parts;

/* A remotely reachable OS vulnerability with a public proof of concept,
 * an A/B slot to fall back on: a tier with ring stages and canaries. */
static void request_fill(request_parts *p, const otaprio_catalog *catalog,
                         source *src, otaprio_plan_request *request)
{
    otaprio_issue_init(&p->issue);
    p->issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    p->issue.security_impact = OTAPRIO_LEVEL_HIGH;
    p->issue.attack_path = OTAPRIO_ATTACK_REMOTE;
    p->issue.exploit = OTAPRIO_EXPLOIT_POC;
    p->issue.layer = OTAPRIO_LAYER_OS;
    p->issue.ab_slot = 1;
    p->issue.package_bytes = 300;
    for (int m = 0; m < PLAN_RULES; m++) {
        otaprio_guard_rule_init(&p->rules[m]);
        p->rules[m].name = rule_names[m];
        p->rules[m].kind =
            m == 2 ? OTAPRIO_GUARD_RATE : OTAPRIO_GUARD_PROPORTION;
        p->rules[m].severity =
            m < 2 ? OTAPRIO_GUARD_CRITICAL : OTAPRIO_GUARD_STANDARD;
        p->rules[m].margin = 0.1;
        p->rules[m].window_hours = 24.0;
    }
    /* The fixture's request, fed from the arrays instead. */
    plan_fixture_request(NULL, catalog, &p->issue, request);
    request->source = source_next;
    request->user = src;
    request->rules = p->rules;
    request->rule_count = PLAN_RULES;
}

/* ---- the by-hand run: the planner's engine calls, made directly ---------- */

/* Per-chunk scratch columns, as the planner's otaprio__plan_columns. */
typedef struct scratch {
    uint8_t *marks, *affected, *prerequisite, *excluded, *disposition;
    uint8_t *cohort_excluded, *cohort_first, *cohort_critical;
    uint8_t *cohort_wave, *plan_wave, *planned;
    uint32_t *blocks, *reasons, *chain_id, *cluster_id;
    double *priority, *criticality;
} scratch;

typedef struct hand_chain {
    uint64_t devices, blocked, planned;
    uint32_t first_wave;
    int seen_blocked;
} hand_chain;

typedef struct hand_cluster {
    uint32_t id, first_wave;
    uint64_t devices;
} hand_cluster;

/* What one by-hand run computes and keeps until the next. */
typedef struct hand {
    /* The engines' allocator: NULL, or a counter's (memory figures). */
    const otaprio_allocator *allocator;
    /* Timings of this run, nanoseconds. */
    int64_t engine_ns[E_COUNT], glue_ns[G_COUNT];
    /* Handles. */
    otaprio_risk_model *model;
    otaprio_clusterer *regions, *chain_clusterer, *cluster_clusterer;
    otaprio_cohort_sampler *sampler;
    otaprio_cohort *cohort;
    otaprio_guard_set *guards[OTAPRIO__PLAN_MAX_WAVES];
    /* The flow's state, as otaprio__plan_work. */
    otaprio_issue issue;
    otaprio_issue_score score;
    otaprio_rollback_input rollback;
    otaprio_rollback_decision shaping;
    otaprio__plan_shape shape;
    uint64_t devices, affected, key_sum;
    uint32_t affected_classes;
    uint64_t ring_devices[2];
    int rings_present[2];
    uint32_t ring_wave[2], cohort_offset, wave_count;
    uint64_t wave_devices[OTAPRIO__PLAN_MAX_WAVES];
    uint64_t by_disposition[4], by_reason[16], critical, planned, marked;
    uint32_t chain_components[OTAPRIO_CLUSTER_MAX_ATTRIBUTES];
    size_t chain_component_count;
    hand_chain *chains;
    size_t chain_count, chain_capacity;
    hand_cluster *clusters;
    size_t cluster_count, cluster_capacity;
    otaprio_factor_points *explanation;
} hand;

typedef struct plan_state {
    size_t n;
    fleet f;
    otaprio_catalog *catalog;
    source src;
    request_parts parts;
    otaprio_plan_request request;
    scratch s;
    uint8_t *plan_waves, *hand_waves; /* per device, fleet-sized */
    otaprio_plan *plan;               /* the last repetition's */
    hand h;                           /* the last by-hand run's */
    /* Per repetition: the planner's wall time, the engines' sum, and each
     * engine and glue piece (nanoseconds); by_hand's own wall time is the
     * operation's, in the JSON line's "ops". */
    size_t reps, capacity;
    int64_t *plan_ns, *engines_ns;
    int64_t *engine_ns[E_COUNT], *glue_ns[G_COUNT];
} plan_state;

/* This thread's CPU time in nanoseconds: what the process did, whatever
 * else the machine ran meanwhile. */
static int64_t cpu_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (int64_t)now.tv_sec * 1000000000 + (int64_t)now.tv_nsec;
}

/* Times one engine call into h->engine_ns[cat]; returns its failure. */
#define ENGINE(h, cat, call)                            \
    do {                                                \
        int64_t start_ = cpu_now_ns();                  \
        int status_ = (call);                           \
        (h)->engine_ns[(cat)] += cpu_now_ns() - start_; \
        if (status_ != OTAPRIO_OK)                      \
            return status_;                             \
    } while (0)

#define GLUE_START(t) int64_t t = cpu_now_ns()
#define GLUE_STOP(h, piece, t) ((h)->glue_ns[(piece)] += cpu_now_ns() - (t))

static void hand_release(hand *h)
{
    otaprio_risk_model_free(h->model);
    otaprio_clusterer_free(h->regions);
    otaprio_clusterer_free(h->chain_clusterer);
    otaprio_clusterer_free(h->cluster_clusterer);
    otaprio_cohort_sampler_free(h->sampler);
    otaprio_cohort_free(h->cohort);
    for (int k = 0; k < OTAPRIO__PLAN_MAX_WAVES; k++)
        otaprio_guard_set_free(h->guards[k]);
    free(h->chains);
    free(h->clusters);
    free(h->explanation);
    memset(h, 0, sizeof *h);
}

/* Room for `count` chains or clusters; grown outside any engine call. */
static int grow(void **items, size_t *capacity, size_t count, size_t size)
{
    if (count <= *capacity)
        return OTAPRIO_OK;
    size_t want = *capacity * 2 > count ? *capacity * 2 : count + 16;
    void *more = realloc(*items, want * size);
    if (more == NULL)
        return OTAPRIO_E_NOMEM;
    *items = more;
    *capacity = want;
    return OTAPRIO_OK;
}

/* The view of one chunk, and the pass loop's own checks: rings in range,
 * the keys' sum (every pass must see the same fleet). */
static int hand_chunk(plan_state *st, hand *h, size_t first, size_t n)
{
    source_view(&st->src, first, n);
    GLUE_START(t);
    const uint8_t *ring = st->f.c.ring + first;
    const uint64_t *keys = st->f.c.keys + first;
    for (size_t i = 0; i < n; i++)
        if (ring[i] > 2)
            return OTAPRIO_E_RANGE;
    for (size_t i = 0; i < n; i++)
        h->key_sum += keys[i];
    GLUE_STOP(h, G_PASS, t);
    return OTAPRIO_OK;
}

static int hand_trace(plan_state *st, hand *h, size_t n)
{
    const otaprio_plan_request *r = &st->request;
    ENGINE(h, E_IMPACT,
           otaprio_catalog_impact_devices(
               r->catalog, r->flaw_component, r->flaw_constraint,
               r->flaw_constraint_length, &st->src.state, st->s.marks, NULL,
               NULL));
    GLUE_START(t);
    for (size_t i = 0; i < n; i++)
        st->s.affected[i] = st->s.marks[i] != 0;
    GLUE_STOP(h, G_IMPACT, t);
    return OTAPRIO_OK;
}

static int hand_score(plan_state *st, hand *h, size_t n)
{
    const otaprio_plan_request *r = &st->request;
    scratch *s = &st->s;
    OTAPRIO__TRY(hand_trace(st, h, n));
    otaprio_devices devices = st->src.devices;
    devices.affected = s->affected;
    ENGINE(h, E_CHECK,
           otaprio_catalog_check_devices(r->catalog, r->package, &st->src.state,
                                         s->blocks, NULL, NULL, NULL));
    GLUE_START(t);
    for (size_t i = 0; i < n; i++) {
        s->prerequisite[i] = (s->blocks[i] & PLAN_CURABLE_BLOCKS) != 0;
        s->excluded[i] =
            (s->blocks[i] & PLAN_EXCLUDING_BLOCKS) != 0 && s->affected[i] != 0;
    }
    GLUE_STOP(h, G_SCORE, t);
    devices.prerequisite_missing = s->prerequisite;
    devices.excluded = s->excluded;
    otaprio_device_results out;
    otaprio_device_results_init(&out);
    out.priority = s->priority;
    out.disposition = s->disposition;
    out.reasons = s->reasons;
    out.criticality = s->criticality;
    ENGINE(
        h, E_RISK,
        otaprio_risk_score_devices(h->model, &h->score, &devices, &out, NULL));
    GLUE_START(t2);
    for (size_t i = 0; i < n; i++) {
        uint32_t b = s->blocks[i], add = 0;
        if (b & OTAPRIO_BLOCK_BATTERY)
            add |= OTAPRIO_REASON_LOW_BATTERY;
        if (b & OTAPRIO_BLOCK_STORAGE)
            add |= OTAPRIO_REASON_LOW_STORAGE;
        if (b & OTAPRIO_BLOCK_METERED)
            add |= OTAPRIO_REASON_METERED_LARGE;
        if (add == 0)
            continue;
        s->reasons[i] |= add;
        if (s->disposition[i] < OTAPRIO_DISPOSITION_DEFER)
            s->disposition[i] = OTAPRIO_DISPOSITION_DEFER;
    }
    GLUE_STOP(h, G_SCORE, t2);
    return OTAPRIO_OK;
}

static int ring_taken(const hand *h, const uint8_t *ring, size_t i,
                      uint8_t disposition)
{
    return !h->shape.accelerated && ring[i] < 2 &&
           disposition == OTAPRIO_DISPOSITION_ELIGIBLE;
}

static void hand_cohort_columns(plan_state *st, hand *h, size_t first, size_t n,
                                otaprio_cohort_chunk *cc)
{
    scratch *s = &st->s;
    const uint8_t *ring = st->f.c.ring + first;
    uint8_t last = (uint8_t)(h->shape.waves - 1);
    double level = st->request.critical_level;
    for (size_t i = 0; i < n; i++) {
        uint8_t d = s->disposition[i];
        s->cohort_excluded[i] = 1;
        s->cohort_first[i] = 0;
        s->cohort_critical[i] = 0;
        if (d == OTAPRIO_DISPOSITION_ELIGIBLE && !ring_taken(h, ring, i, d)) {
            s->cohort_excluded[i] = 0;
            s->cohort_critical[i] = s->criticality[i] >= level;
        } else if (d == OTAPRIO_DISPOSITION_DEFER) {
            s->cohort_excluded[i] = 0;
            s->cohort_first[i] = last;
        }
    }
    otaprio_cohort_chunk_init(cc);
    cc->count = n;
    cc->keys = st->f.c.keys + first;
    cc->codes = st->src.codes;
    cc->cluster = st->f.c.cluster + first;
    cc->critical = s->cohort_critical;
    cc->excluded = s->cohort_excluded;
    cc->first_wave = s->cohort_first;
}

/* IMPACT: the blast radius, and its concentration by region. */
static int hand_impact(plan_state *st, hand *h)
{
    ENGINE(h, E_CLUSTERER,
           otaprio_clusterer_create(1, h->allocator, &h->regions, NULL));
    for (size_t first = 0; first < st->n; first += PLAN_CHUNK) {
        size_t n = chunk_at(st->n, first);
        OTAPRIO__TRY(hand_chunk(st, h, first, n));
        OTAPRIO__TRY(hand_trace(st, h, n));
        GLUE_START(t);
        const uint8_t *affected = st->s.affected;
        const uint8_t *classes = st->f.c.device_class + first;
        for (size_t i = 0; i < n; i++) {
            h->affected += affected[i];
            if (affected[i] && classes[i] < 32)
                h->affected_classes |= UINT32_C(1) << classes[i];
        }
        GLUE_STOP(h, G_IMPACT, t);
        const uint32_t *columns[1] = {st->src.state.region};
        ENGINE(h, E_CLUSTERER,
               otaprio_clusterer_add(h->regions, columns, n, affected, NULL,
                                     NULL, NULL));
    }
    h->devices = st->n;
    h->issue.affected_share =
        h->devices > 0 ? (double)h->affected / (double)h->devices : 0.0;
    h->issue.affected_classes = h->affected_classes;
    uint32_t regions = otaprio_clusterer_count(h->regions);
    if (regions > 0 && h->affected > 0) {
        uint64_t largest = 0;
        for (uint32_t k = 0; k < regions; k++) {
            uint64_t members;
            ENGINE(h, E_CLUSTERER,
                   otaprio_clusterer_report(h->regions, k, 1, &members, NULL,
                                            NULL, NULL));
            if (members > largest)
                largest = members;
        }
        h->issue.concentration = (double)largest / (double)h->affected;
    }
    return OTAPRIO_OK;
}

static int hand_score_issue(hand *h, otaprio_issue_score *score)
{
    score->size = sizeof *score;
    ENGINE(h, E_PLAN_WIDE,
           otaprio_risk_score_issue(h->model, &h->issue, score, NULL, 0, NULL,
                                    NULL));
    return OTAPRIO_OK;
}

/* classify() and choose_shape() of src/plan_create.c. */
static int hand_classify(plan_state *st, hand *h)
{
    ENGINE(h, E_PLAN_WIDE,
           otaprio_risk_model_create(NULL, h->allocator, &h->model, NULL));
    h->issue = st->parts.issue;
    otaprio_issue_score before;
    OTAPRIO__TRY(hand_score_issue(h, &before));
    OTAPRIO__TRY(hand_impact(st, h));
    otaprio_issue_score graph;
    OTAPRIO__TRY(hand_score_issue(h, &graph));
    size_t count = 0;
    h->score.size = sizeof h->score;
    ENGINE(h, E_PLAN_WIDE,
           otaprio_risk_score_issue(h->model, &h->issue, &h->score, NULL, 0,
                                    &count, NULL));
    h->explanation = calloc(count + 1, sizeof *h->explanation);
    if (h->explanation == NULL)
        return OTAPRIO_E_NOMEM;
    ENGINE(h, E_PLAN_WIDE,
           otaprio_risk_score_issue(h->model, &h->issue, &h->score,
                                    h->explanation, count, &count, NULL));
    otaprio_rollback_input_init(&h->rollback);
    h->rollback.layer = h->issue.layer;
    if (h->issue.ab_slot)
        h->rollback.levers = OTAPRIO_ROLLBACK_LEVER_AB_SLOT;
    otaprio_rollback_input input = h->rollback;
    input.canary_share = 1.0;
    h->shaping.size = sizeof h->shaping;
    ENGINE(h, E_PLAN_WIDE, otaprio_rollback_decide(&input, &h->shaping, NULL));
    otaprio__plan_shape_of(h->score.tier, 0, h->issue.layer,
                           st->request.delayed, &h->shaping, &h->shape);
    return OTAPRIO_OK;
}

/* SAMPLE: the cohort engine chooses the canaries. */
static int hand_sample(plan_state *st, hand *h)
{
    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.salt = st->request.salt;
    spec.method = OTAPRIO_COHORT_MINIMUM_COVERAGE;
    spec.dimension_count = st->request.dimension_count;
    spec.cardinalities = st->request.cardinalities;
    spec.wave_count = h->shape.waves;
    spec.waves = h->shape.fraction;
    spec.critical_first_wave = h->shape.waves - 1;
    ENGINE(
        h, E_FINISH,
        otaprio_cohort_sampler_create(&spec, h->allocator, &h->sampler, NULL));
    for (size_t first = 0; first < st->n; first += PLAN_CHUNK) {
        size_t n = chunk_at(st->n, first);
        OTAPRIO__TRY(hand_chunk(st, h, first, n));
        OTAPRIO__TRY(hand_score(st, h, n));
        GLUE_START(t);
        otaprio_cohort_chunk cc;
        hand_cohort_columns(st, h, first, n, &cc);
        const uint8_t *ring = st->f.c.ring + first;
        for (size_t i = 0; i < n; i++)
            if (ring_taken(h, ring, i, st->s.disposition[i]))
                h->ring_devices[ring[i]]++;
        GLUE_STOP(h, G_COHORT, t);
        ENGINE(h, E_OBSERVE,
               otaprio_cohort_sampler_observe(h->sampler, &cc, NULL));
    }
    ENGINE(h, E_FINISH,
           otaprio_cohort_sampler_finish(h->sampler, h->allocator, &h->cohort,
                                         NULL));
    return OTAPRIO_OK;
}

static int hand_chains(plan_state *st, hand *h, size_t n)
{
    scratch *s = &st->s;
    const uint32_t *columns[OTAPRIO_CLUSTER_MAX_ATTRIBUTES];
    for (size_t k = 0; k < h->chain_component_count; k++) {
        uint32_t id = h->chain_components[k];
        columns[k] = id < PX_COMPONENTS ? st->src.versions[id] : NULL;
    }
    ENGINE(h, E_CLUSTERER,
           otaprio_clusterer_add(h->chain_clusterer, columns, n, s->affected,
                                 NULL, s->chain_id, NULL));
    GLUE_START(t);
    size_t count = otaprio_clusterer_count(h->chain_clusterer);
    OTAPRIO__TRY(grow((void **)&h->chains, &h->chain_capacity, count,
                      sizeof *h->chains));
    for (size_t k = h->chain_count; k < count; k++)
        h->chains[k] = (hand_chain){0, 0, 0, OTAPRIO_PLAN_NONE, 0};
    h->chain_count = count;
    for (size_t i = 0; i < n; i++) {
        if (s->chain_id[i] == UINT32_MAX)
            continue;
        hand_chain *chain = &h->chains[s->chain_id[i]];
        chain->devices++;
        if (s->plan_wave[i] != OTAPRIO_PLAN_NONE) {
            chain->planned++;
            if (s->plan_wave[i] < chain->first_wave)
                chain->first_wave = s->plan_wave[i];
        }
        if (s->disposition[i] != OTAPRIO_DISPOSITION_BLOCKED)
            continue;
        chain->blocked++;
        if (!chain->seen_blocked) {
            chain->seen_blocked = 1;
            uint32_t path[OTAPRIO_PLAN_MAX_PATH];
            size_t length = 0;
            uint64_t bytes = 0;
            int64_t start = cpu_now_ns();
            int status = otaprio_catalog_update_path(
                st->request.catalog, st->request.package, &st->src.state, i, 0,
                path, OTAPRIO_PLAN_MAX_PATH, &length, &bytes, NULL);
            int64_t spent = cpu_now_ns() - start;
            h->engine_ns[E_PATH] += spent;
            t += spent; /* not glue */
            if (status != OTAPRIO_OK && status != OTAPRIO_E_NOT_FOUND)
                return status;
        }
    }
    GLUE_STOP(h, G_WAVES, t);
    return OTAPRIO_OK;
}

static int hand_clusters(plan_state *st, hand *h, size_t first, size_t n)
{
    scratch *s = &st->s;
    const uint32_t *cluster = st->f.c.cluster + first;
    const uint32_t *columns[1] = {cluster};
    ENGINE(h, E_CLUSTERER,
           otaprio_clusterer_add(h->cluster_clusterer, columns, n, s->planned,
                                 NULL, s->cluster_id, NULL));
    GLUE_START(t);
    size_t count = otaprio_clusterer_count(h->cluster_clusterer);
    OTAPRIO__TRY(grow((void **)&h->clusters, &h->cluster_capacity, count,
                      sizeof *h->clusters));
    for (size_t k = h->cluster_count; k < count; k++)
        h->clusters[k] = (hand_cluster){0, OTAPRIO_PLAN_NONE, 0};
    h->cluster_count = count;
    for (size_t i = 0; i < n; i++) {
        if (s->cluster_id[i] == UINT32_MAX)
            continue;
        hand_cluster *c = &h->clusters[s->cluster_id[i]];
        if (c->devices++ == 0)
            c->id = cluster[i];
        if (s->plan_wave[i] < c->first_wave)
            c->first_wave = s->plan_wave[i];
    }
    GLUE_STOP(h, G_WAVES, t);
    return OTAPRIO_OK;
}

static void hand_plan_waves(plan_state *st, hand *h, size_t first, size_t n)
{
    scratch *s = &st->s;
    const uint8_t *ring = st->f.c.ring + first;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = OTAPRIO_PLAN_NONE;
        if (ring_taken(h, ring, i, s->disposition[i]))
            p = h->ring_wave[ring[i]];
        else if (s->cohort_wave[i] != OTAPRIO_COHORT_NONE)
            p = h->cohort_offset + s->cohort_wave[i];
        s->plan_wave[i] = (uint8_t)p;
        s->planned[i] = p != OTAPRIO_PLAN_NONE;
        if (p != OTAPRIO_PLAN_NONE)
            h->wave_devices[p]++;
    }
}

static void hand_count(plan_state *st, hand *h, size_t first, size_t n)
{
    const scratch *s = &st->s;
    for (size_t i = 0; i < n; i++) {
        h->by_disposition[s->disposition[i]]++;
        for (uint32_t r = s->reasons[i], b = 0; r != 0; r >>= 1, b++)
            h->by_reason[b] += r & 1u;
        h->marked += s->affected[i];
        h->critical += s->cohort_critical[i];
        h->planned += s->planned[i];
    }
    memcpy(st->hand_waves + first, s->plan_wave, n);
}

/* ASSIGN: each device's wave, chains, clusters. */
static int hand_assign(plan_state *st, hand *h)
{
    uint32_t wave = 0;
    for (int r = 0; r < 2; r++) {
        h->rings_present[r] = !h->shape.accelerated && h->ring_devices[r] > 0;
        h->ring_wave[r] = h->rings_present[r] ? wave++ : OTAPRIO_PLAN_NONE;
    }
    h->cohort_offset = wave;
    h->wave_count = wave + h->shape.waves;
    size_t count = 0;
    int status = otaprio_catalog_chain_components(
        st->request.catalog, st->request.package, NULL, 0, &count, NULL);
    if (status != OTAPRIO_OK && status != OTAPRIO_E_RANGE)
        return status;
    if (count > OTAPRIO_CLUSTER_MAX_ATTRIBUTES)
        return OTAPRIO_E_LIMIT;
    ENGINE(h, E_PATH,
           otaprio_catalog_chain_components(
               st->request.catalog, st->request.package, h->chain_components,
               count, &h->chain_component_count, NULL));
    if (h->chain_component_count > 0)
        ENGINE(h, E_CLUSTERER,
               otaprio_clusterer_create(h->chain_component_count, h->allocator,
                                        &h->chain_clusterer, NULL));
    ENGINE(
        h, E_CLUSTERER,
        otaprio_clusterer_create(1, h->allocator, &h->cluster_clusterer, NULL));
    for (size_t first = 0; first < st->n; first += PLAN_CHUNK) {
        size_t n = chunk_at(st->n, first);
        OTAPRIO__TRY(hand_chunk(st, h, first, n));
        OTAPRIO__TRY(hand_score(st, h, n));
        GLUE_START(t);
        otaprio_cohort_chunk cc;
        hand_cohort_columns(st, h, first, n, &cc);
        GLUE_STOP(h, G_COHORT, t);
        ENGINE(h, E_ASSIGN,
               otaprio_cohort_assign(h->cohort, &cc, st->s.cohort_wave, NULL));
        GLUE_START(t2);
        hand_plan_waves(st, h, first, n);
        GLUE_STOP(h, G_WAVES, t2);
        if (h->chain_clusterer != NULL)
            OTAPRIO__TRY(hand_chains(st, h, n));
        OTAPRIO__TRY(hand_clusters(st, h, first, n));
        GLUE_START(t3);
        hand_count(st, h, first, n);
        GLUE_STOP(h, G_COUNT_, t3);
    }
    return OTAPRIO_OK;
}

/* describe_waves() and build_guards() of src/plan_create.c, and the
 * cohort reads of its warnings. */
static int hand_waves(plan_state *st, hand *h)
{
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    options.layer = h->issue.layer;
    options.closes_active_exploit = 0;
    double scale;
    ENGINE(h, E_PLAN_WIDE,
           otaprio_guard_tolerance_default(options.layer, 0, &scale, NULL));
    options.tolerance_scale = scale * h->shaping.tolerance_factor;
    uint64_t cumulative = 0;
    for (uint32_t k = 0; k < h->wave_count; k++) {
        double soak;
        if (k < h->cohort_offset) {
            soak = h->shape.ring_soak[h->ring_wave[0] == k ? 0 : 1];
        } else {
            otaprio_representativeness report = {.size = sizeof report};
            ENGINE(h, E_PLAN_WIDE,
                   otaprio_cohort_representativeness(
                       h->cohort, k - h->cohort_offset, &report, NULL));
            soak = h->shape.soak[k - h->cohort_offset];
        }
        cumulative += h->wave_devices[k];
        otaprio_rollback_input input = h->rollback;
        input.canary_share = 1.0;
        double share = (double)cumulative / (double)h->devices;
        if (share > input.fleet_share)
            input.fleet_share = share > 1.0 ? 1.0 : share;
        otaprio_rollback_decision decision = {.size = sizeof decision};
        ENGINE(h, E_PLAN_WIDE,
               otaprio_rollback_decide(&input, &decision, NULL));
        otaprio_guard_rule rules[PLAN_RULES];
        for (int i = 0; i < PLAN_RULES; i++) {
            rules[i] = st->parts.rules[i];
            if (rules[i].window_hours < soak)
                rules[i].window_hours = soak;
        }
        ENGINE(h, E_PLAN_WIDE,
               otaprio_guard_set_create(&options, rules, PLAN_RULES,
                                        h->allocator, &h->guards[k], NULL));
    }
    for (uint32_t k = h->cohort_offset; k < h->wave_count; k++) {
        otaprio_cohort_wave info = {.size = sizeof info};
        ENGINE(h, E_PLAN_WIDE,
               otaprio_cohort_wave_info(h->cohort, k - h->cohort_offset, &info,
                                        NULL));
    }
    return OTAPRIO_OK;
}

/* The planner's flow, made by hand; what the planner frees on return is
 * freed here too (timed: the engines' frees are theirs). */
static int hand_run(plan_state *st, hand *h)
{
    OTAPRIO__TRY(hand_classify(st, h));
    OTAPRIO__TRY(hand_sample(st, h));
    OTAPRIO__TRY(hand_assign(st, h));
    OTAPRIO__TRY(hand_waves(st, h));
    int64_t start = cpu_now_ns();
    otaprio_risk_model_free(h->model);
    otaprio_clusterer_free(h->regions);
    otaprio_cohort_sampler_free(h->sampler);
    otaprio_clusterer_free(h->chain_clusterer);
    otaprio_clusterer_free(h->cluster_clusterer);
    h->engine_ns[E_PLAN_WIDE] += cpu_now_ns() - start;
    h->model = NULL;
    h->regions = h->chain_clusterer = h->cluster_clusterer = NULL;
    h->sampler = NULL;
    return OTAPRIO_OK;
}

/* ---- setup and the timed operations ------------------------------------- */

static void scratch_free(scratch *s)
{
    void *all[] = {s->marks,        s->affected,        s->prerequisite,
                   s->excluded,     s->disposition,     s->cohort_excluded,
                   s->cohort_first, s->cohort_critical, s->cohort_wave,
                   s->plan_wave,    s->planned,         s->blocks,
                   s->reasons,      s->chain_id,        s->cluster_id,
                   s->priority,     s->criticality};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
}

static int scratch_init(scratch *s)
{
    memset(s, 0, sizeof *s);
    uint8_t **bytes[] = {
        &s->marks,        &s->affected,        &s->prerequisite,
        &s->excluded,     &s->disposition,     &s->cohort_excluded,
        &s->cohort_first, &s->cohort_critical, &s->cohort_wave,
        &s->plan_wave,    &s->planned};
    uint32_t **words[] = {&s->blocks, &s->reasons, &s->chain_id,
                          &s->cluster_id};
    int failed = 0;
    for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
        *bytes[i] = calloc(PLAN_CHUNK, 1);
        failed |= *bytes[i] == NULL;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        *words[i] = calloc(PLAN_CHUNK, sizeof(uint32_t));
        failed |= *words[i] == NULL;
    }
    s->priority = calloc(PLAN_CHUNK, sizeof(double));
    s->criticality = calloc(PLAN_CHUNK, sizeof(double));
    return failed || s->priority == NULL || s->criticality == NULL ? -1 : 0;
}

static void samples_free(plan_state *st)
{
    free(st->plan_ns);
    free(st->engines_ns);
    for (int e = 0; e < E_COUNT; e++)
        free(st->engine_ns[e]);
    for (int g = 0; g < G_COUNT; g++)
        free(st->glue_ns[g]);
}

/* Room for one more repetition's figures (untimed, before it). */
static int samples_reserve(plan_state *st)
{
    if (st->reps < st->capacity)
        return 0;
    size_t want = st->capacity > 0 ? 2 * st->capacity : 16;
    int64_t **all[2 + E_COUNT + G_COUNT];
    size_t k = 0;
    all[k++] = &st->plan_ns;
    all[k++] = &st->engines_ns;
    for (int e = 0; e < E_COUNT; e++)
        all[k++] = &st->engine_ns[e];
    for (int g = 0; g < G_COUNT; g++)
        all[k++] = &st->glue_ns[g];
    for (size_t i = 0; i < k; i++) {
        int64_t *more = realloc(*all[i], want * sizeof **all[i]);
        if (more == NULL)
            return -1;
        *all[i] = more;
    }
    st->capacity = want;
    return 0;
}

static void plan_teardown(void *opaque)
{
    plan_state *st = opaque;
    otaprio_plan_free(st->plan);
    hand_release(&st->h);
    otaprio_catalog_free(st->catalog);
    fleet_free(&st->f);
    scratch_free(&st->s);
    free(st->plan_waves);
    free(st->hand_waves);
    samples_free(st);
    free(st);
}

static int plan_setup(uint64_t seed, size_t n, void **out)
{
    if (n > SIZE_MAX / FLEET_DEVICE_BYTES) {
        fprintf(stderr, "plan: n = %zu is too large\n", n);
        return -1;
    }
    plan_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        fprintf(stderr, "plan: out of memory\n");
        return -1;
    }
    st->n = n;
    st->plan_waves = malloc(n);
    st->hand_waves = malloc(n);
    if (fleet_init(&st->f, seed, n) != 0 || scratch_init(&st->s) != 0 ||
        st->plan_waves == NULL || st->hand_waves == NULL) {
        fprintf(stderr, "plan: out of memory for n = %zu\n", n);
        plan_teardown(st);
        return -1;
    }
    int status = plan_fixture_catalog(NULL, &st->catalog);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "plan: catalog: %s\n", otaprio_strerror(status));
        plan_teardown(st);
        return -1;
    }
    st->src.f = &st->f;
    st->src.n = n;
    st->src.wave_out = st->plan_waves;
    request_fill(&st->parts, st->catalog, &st->src, &st->request);
    /* Touched outputs: the timed runs pay no first-touch page faults. */
    memset(st->plan_waves, 0xa5, n);
    memset(st->hand_waves, 0x5a, n);
    *out = st;
    return 0;
}

static int plan_op_prepare(void *opaque, size_t op)
{
    plan_state *st = opaque;
    if (op == OP_PLAN) {
        otaprio_plan_free(st->plan);
        st->plan = NULL;
        return samples_reserve(st);
    }
    hand_release(&st->h);
    return 0;
}

static int plan_op_run(void *opaque, size_t op)
{
    plan_state *st = opaque;
    size_t rep = st->reps;
    if (op == OP_PLAN) {
        int64_t start = cpu_now_ns();
        int status = otaprio_plan_create(&st->request, NULL, &st->plan, NULL);
        st->plan_ns[rep] = cpu_now_ns() - start;
        return status;
    }
    hand *h = &st->h;
    OTAPRIO__TRY(hand_run(st, h));
    int64_t sum = 0;
    for (int e = 0; e < E_COUNT; e++) {
        st->engine_ns[e][rep] = h->engine_ns[e];
        sum += h->engine_ns[e];
    }
    for (int g = 0; g < G_COUNT; g++)
        st->glue_ns[g][rep] = h->glue_ns[g];
    st->engines_ns[rep] = sum;
    st->reps++; /* by_hand runs last in each repetition */
    return OTAPRIO_OK;
}

/* ---- checks, digests and figures ----------------------------------------- */

/* The by-hand run must be the planner's work: the same wave for every
 * device, the same counts per wave, the same chains. */
static int same_work(const plan_state *st)
{
    const hand *h = &st->h;
    otaprio_plan_summary summary = {.size = sizeof summary};
    if (otaprio_plan_get_summary(st->plan, &summary, NULL) != OTAPRIO_OK)
        return -1;
    if (memcmp(st->plan_waves, st->hand_waves, st->n) != 0 ||
        summary.devices != h->devices || summary.affected != h->marked ||
        summary.planned != h->planned || summary.critical != h->critical ||
        memcmp(summary.by_disposition, h->by_disposition,
               sizeof h->by_disposition) != 0 ||
        memcmp(summary.by_reason, h->by_reason, sizeof h->by_reason) != 0 ||
        summary.tier != h->score.tier ||
        otaprio_plan_wave_count(st->plan) != h->wave_count ||
        otaprio_plan_chain_count(st->plan) != h->chain_count) {
        fprintf(stderr, "plan: the by-hand run differs from the planner\n");
        return -1;
    }
    for (uint32_t k = 0; k < h->wave_count; k++) {
        otaprio_plan_wave wave = {.size = sizeof wave};
        if (otaprio_plan_get_wave(st->plan, k, &wave, NULL) != OTAPRIO_OK ||
            wave.devices != h->wave_devices[k]) {
            fprintf(stderr, "plan: wave %u differs by hand\n", (unsigned)k);
            return -1;
        }
    }
    for (uint32_t c = 0; c < h->chain_count; c++) {
        otaprio_plan_chain chain = {.size = sizeof chain};
        if (otaprio_plan_get_chain(st->plan, c, &chain, NULL) != OTAPRIO_OK ||
            chain.devices != h->chains[c].devices ||
            chain.blocked != h->chains[c].blocked ||
            chain.planned != h->chains[c].planned ||
            chain.first_wave != h->chains[c].first_wave) {
            fprintf(stderr, "plan: chain %u differs by hand\n", (unsigned)c);
            return -1;
        }
    }
    return 0;
}

/* Digests one side's census and chains: [devices, affected] and
 * [devices, blocked] per chain, as uint64. */
static int digest_side(bench_digest *digest, const char *fleet_name,
                       const char *chains_name, uint64_t devices,
                       uint64_t affected, size_t chains,
                       const uint64_t *chain_pairs)
{
    uint64_t census[2] = {devices, affected};
    if (bench_digest_add(digest, fleet_name, census, sizeof census) != 0 ||
        bench_digest_add(digest, chains_name, chain_pairs,
                         chains * 2 * sizeof(uint64_t)) != 0)
        return -1;
    return 0;
}

static int plan_digest(const void *opaque, bench_digest *digest)
{
    const plan_state *st = opaque;
    if (same_work(st) != 0)
        return -1;
    const hand *h = &st->h;
    otaprio_plan_summary summary = {.size = sizeof summary};
    uint32_t chains = otaprio_plan_chain_count(st->plan);
    uint64_t *plan_pairs = malloc((2 * (size_t)chains + 1) * sizeof(uint64_t));
    uint64_t *hand_pairs = malloc((2 * h->chain_count + 1) * sizeof(uint64_t));
    int status = -1;
    if (plan_pairs != NULL && hand_pairs != NULL &&
        otaprio_plan_get_summary(st->plan, &summary, NULL) == OTAPRIO_OK) {
        status = 0;
        for (uint32_t c = 0; c < chains && status == 0; c++) {
            otaprio_plan_chain chain = {.size = sizeof chain};
            status = otaprio_plan_get_chain(st->plan, c, &chain, NULL);
            plan_pairs[2 * c] = chain.devices;
            plan_pairs[2 * c + 1] = chain.blocked;
        }
        for (size_t c = 0; c < h->chain_count; c++) {
            hand_pairs[2 * c] = h->chains[c].devices;
            hand_pairs[2 * c + 1] = h->chains[c].blocked;
        }
        if (status == 0)
            status = digest_side(digest, "plan_fleet", "plan_chains",
                                 summary.devices, summary.affected, chains,
                                 plan_pairs);
        if (status == 0)
            status =
                digest_side(digest, "by_hand_fleet", "by_hand_chains",
                            h->devices, h->marked, h->chain_count, hand_pairs);
    }
    free(plan_pairs);
    free(hand_pairs);
    return status;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Median of `count` >= 1 nanosecond figures, in milliseconds. */
static double median_ms(const int64_t *ns, size_t count)
{
    int64_t *copy = malloc(count * sizeof *copy);
    if (copy == NULL)
        return -1;
    memcpy(copy, ns, count * sizeof *copy);
    qsort(copy, count, sizeof *copy, compare_i64);
    double m =
        count % 2 != 0
            ? (double)copy[count / 2]
            : ((double)copy[count / 2 - 1] + (double)copy[count / 2]) / 2;
    free(copy);
    return m / 1e6;
}

/* The planner's memory for a fleet of `n` devices (a prefix of ours),
 * through a counting allocator: its peak, and what the plan keeps. */
static int plan_memory(plan_state *st, size_t n, double *peak, double *kept)
{
    bench_counter counter;
    bench_counter_init(&counter);
    source src = st->src;
    src.n = n;
    src.wave_out = NULL;
    otaprio_plan_request request = st->request;
    request.user = &src;
    otaprio_plan *plan = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_plan_create(&request, &counter.allocator, &plan, &diag);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "plan: %s: %s\n", otaprio_strerror(status),
                diag.message);
        return -1;
    }
    *peak = (double)counter.peak;
    *kept = (double)counter.live;
    otaprio_plan_free(plan);
    return counter.live == 0 ? 0 : -1;
}

#define ADD(name, value)                                   \
    do {                                                   \
        if (bench_extra_add(extras, (name), (value)) != 0) \
            return -1;                                     \
    } while (0)

static int plan_extras(void *opaque, double median, bench_extras *extras)
{
    (void)median;
    plan_state *st = opaque;
    size_t reps = st->reps;
    if (reps == 0)
        return -1;
    /* The headline: the repetitions' paired ratios, and the medians'. */
    int64_t *ratio_ppm = malloc(reps * sizeof *ratio_ppm);
    if (ratio_ppm == NULL)
        return -1;
    for (size_t i = 0; i < reps; i++)
        ratio_ppm[i] = st->engines_ns[i] > 0
                           ? st->plan_ns[i] * 1000000 / st->engines_ns[i]
                           : 0;
    /* Parts per million, so median_ms() gives the ratio itself. */
    double ratio = median_ms(ratio_ppm, reps);
    int64_t low = ratio_ppm[0], high = ratio_ppm[0];
    for (size_t i = 1; i < reps; i++) {
        low = ratio_ppm[i] < low ? ratio_ppm[i] : low;
        high = ratio_ppm[i] > high ? ratio_ppm[i] : high;
    }
    free(ratio_ppm);
    double plan_ms = median_ms(st->plan_ns, reps);
    double engines_ms = median_ms(st->engines_ns, reps);
    ADD("planner_cpu_ms", plan_ms);
    ADD("engines_cpu_ms", engines_ms);
    ADD("ratio", ratio);
    ADD("ratio_min", (double)low / 1e6);
    ADD("ratio_max", (double)high / 1e6);
    ADD("ratio_of_medians", engines_ms > 0 ? plan_ms / engines_ms : 0);
    for (int e = 0; e < E_COUNT; e++)
        ADD(engine_names[e], median_ms(st->engine_ns[e], reps));
    for (int g = 0; g < G_COUNT; g++)
        ADD(glue_names[g], median_ms(st->glue_ns[g], reps));
    ADD("waves", otaprio_plan_wave_count(st->plan));
    ADD("chains", otaprio_plan_chain_count(st->plan));
    otaprio_plan_summary summary = {.size = sizeof summary};
    if (otaprio_plan_get_summary(st->plan, &summary, NULL) != OTAPRIO_OK)
        return -1;
    ADD("tier", summary.tier);
    /* Memory: the planner's peak for the fleet and for a sixteenth of
     * it; bounded by the chunk and the strata, it should barely move. */
    double peak, kept, peak_small, kept_small;
    size_t small = st->n / 16 > 0 ? st->n / 16 : 1;
    if (plan_memory(st, st->n, &peak, &kept) != 0 ||
        plan_memory(st, small, &peak_small, &kept_small) != 0)
        return -1;
    /* The engines' share of it: the same calls by hand, through a
     * counting allocator (the cohort sampler keeps the largest canary's
     * candidates: O(retain fraction x eligible devices), cohort.h). */
    bench_counter engines;
    bench_counter_init(&engines);
    hand_release(&st->h);
    st->h.allocator = &engines.allocator;
    int status = hand_run(st, &st->h);
    double engines_kept = (double)engines.live;
    hand_release(&st->h);
    if (status != OTAPRIO_OK || engines.live != 0) {
        fprintf(stderr, "plan: the counted by-hand run failed\n");
        return -1;
    }
    ADD("engines_peak_bytes", (double)engines.peak);
    ADD("engines_kept_bytes", engines_kept);
    ADD("planner_peak_bytes", peak);
    ADD("plan_bytes", kept);
    ADD("small_n", (double)small);
    ADD("small_planner_peak_bytes", peak_small);
    ADD("small_plan_bytes", kept_small);
    ADD("fleet_bytes", (double)st->n * FLEET_DEVICE_BYTES);
    return 0;
}

const bench_def bench_plan = {
    .name = "plan",
    .unit = "devices",
    .default_n = 10000000,
    .setup = plan_setup,
    .digest = plan_digest,
    .teardown = plan_teardown,
    .extras = plan_extras,
    .op_count = OP_COUNT,
    .op_names = plan_op_names,
    .op_prepare = plan_op_prepare,
    .op_run = plan_op_run,
};
