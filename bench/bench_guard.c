/* SPDX-License-Identifier: MIT */
/*
 * guard: one otaprio_guard_evaluate() of 50 metrics with N / 50 strata
 * each (N judgments, default 50 x 1,000), one thread. Peer:
 * bench/peer_guard.py (scipy: the same per-stratum tests vectorised with
 * scipy.stats.hypergeom.sf and binom.sf, Holm's step-down in NumPy, and,
 * as a variant, one scipy.stats.fisher_exact or binomtest call per
 * stratum).
 *
 * Input (untimed), mirrored by the peer: metrics alternate between a
 * proportion (failed installs of devices that tried; margin 0, so Fisher's
 * exact test per stratum and the score test on the pooled counts past
 * 1,000 events) and a rate (crashes per device-hour, 24 hours per device;
 * margin 0.1, the conditional exact rate-ratio test). Stratum s of metric m
 * takes draws 2i and 2i + 1 of SplitMix64(seed), i = m * S + s: the canary's
 * devices (200 to 1,223), the baseline's (2,000 to 18,383), the events at
 * the metric's base rate times a factor near 1 for each side, all in
 * integer arithmetic so NumPy reproduces it exactly, and 1% of strata with
 * a real regression (3% more failed devices, or 3 more crashes per 1,000
 * device-hours). Every metric's data spans 48 hours, past its 24-hour
 * soak, with Holm's control at alpha 0.05.
 *
 * Timed: otaprio_guard_evaluate() and freeing its report.
 *
 * Digested (untimed): each metric's verdict, its failing strata, and per
 * stratum whether it fails after Holm's control, in row order.
 *
 * Extra figures (untimed, same process): the timed operation again,
 * GUARD_CPU_REPS times, in this thread's CPU time (CLOCK_THREAD_CPUTIME_ID;
 * median and least): the machine is shared, and a neighbour's burst
 * lengthens wall time without touching this thread's. One proportion
 * judged alone (1 metric, 1 row, Fisher's exact test) evaluated in a loop:
 * nanoseconds per evaluation with the report's free, evaluation alone and
 * free alone, and the allocations one evaluation makes, to see whether
 * the report's allocation dominates.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "otaprio/guardrail.h"

#include "bench.h"

#define GUARD_METRICS 50
/* Evaluations of the single proportion, timed as one loop. */
#define GUARD_SINGLE_LOOPS 20000
#define GUARD_SINGLE_ROUNDS 5
/* Repetitions of the timed operation in thread CPU time. */
#define GUARD_CPU_REPS 11

typedef struct guard_state {
    size_t strata;
    otaprio_guard_set *set;
    char names[GUARD_METRICS][8];
    otaprio_guard_data data[GUARD_METRICS];
    /* Per metric, per side: strata values back to back. */
    uint64_t *events[2];
    uint64_t *trials[2];
    double *exposure[2];
    /* Outputs. */
    int32_t verdicts[GUARD_METRICS];
    uint32_t failing[GUARD_METRICS];
    uint8_t *stratum_fail; /* GUARD_METRICS x strata */
} guard_state;

static void guard_free(guard_state *s)
{
    otaprio_guard_set_free(s->set);
    for (int g = 0; g < 2; g++) {
        free(s->events[g]);
        free(s->trials[g]);
        free(s->exposure[g]);
    }
    free(s->stratum_fail);
    free(s);
}

/* ---- the input (mirrored by bench/peer_guard.py) ----------------------- */

static int make_set(guard_state *s)
{
    otaprio_guard_rule rules[GUARD_METRICS];
    for (int m = 0; m < GUARD_METRICS; m++) {
        otaprio_guard_rule_init(&rules[m]);
        snprintf(s->names[m], sizeof s->names[m], "m%02d", m);
        rules[m].name = s->names[m];
        bool rate = m % 2 == 1;
        rules[m].kind = rate ? OTAPRIO_GUARD_RATE : OTAPRIO_GUARD_PROPORTION;
        rules[m].checks = OTAPRIO_GUARD_CHECK_BASELINE;
        rules[m].margin = rate ? 0.1 : 0.0;
        rules[m].window_hours = 24.0;
    }
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_guard_set_create(&options, rules, GUARD_METRICS, NULL,
                                          &s->set, &diag);
    if (status != OTAPRIO_OK)
        fprintf(stderr, "guard: set: %s: %s\n", otaprio_strerror(status),
                diag.message);
    return status;
}

/* Events at `per_million` per unit of `units`, times (61440 + u / 8) /
 * 65536 for a 16-bit u: a factor in [0.9375, 1.0625), so that strata
 * without a regression sit near their base rate, as the same release does
 * on healthy devices. */
static uint64_t events_of(uint64_t units, uint64_t per_million, uint64_t u)
{
    return units * per_million * (61440 + (u >> 3)) /
           (UINT64_C(1000000) * 65536);
}

static void make_stratum(guard_state *s, uint64_t seed, int m, size_t r)
{
    size_t at = (size_t)m * s->strata + r;
    uint64_t d0 = bench_splitmix64(seed, 2 * at);
    uint64_t d1 = bench_splitmix64(seed, 2 * at + 1);
    uint64_t n1 = 200 + (d0 & 0x3FF);
    uint64_t n2 = 2000 + ((d0 >> 10) & 0x3FFF);
    uint64_t u1 = d1 & 0xFFFF, u2 = (d1 >> 16) & 0xFFFF;
    bool bad = (d1 >> 32) % 100 == 0;
    uint64_t level = (uint64_t)(m / 2);
    if (m % 2 == 0) {
        uint64_t ppm = 2000 + 1000 * (level % 5);
        uint64_t x1 = events_of(n1, ppm, u1) + (bad ? n1 * 3 / 100 : 0);
        s->events[0][at] = x1 < n1 ? x1 : n1;
        s->events[1][at] = events_of(n2, ppm, u2);
        s->trials[0][at] = n1;
        s->trials[1][at] = n2;
    } else {
        uint64_t per_million_hours = 1000 + 500 * (level % 4);
        s->events[0][at] = events_of(n1 * 24, per_million_hours, u1) +
                           (bad ? n1 * 24 * 3 / 1000 : 0);
        s->events[1][at] = events_of(n2 * 24, per_million_hours, u2);
        s->exposure[0][at] = (double)(n1 * 24);
        s->exposure[1][at] = (double)(n2 * 24);
    }
}

static int guard_setup(uint64_t seed, size_t n, void **out)
{
    guard_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    s->strata = n / GUARD_METRICS > 0 ? n / GUARD_METRICS : 1;
    size_t cells = GUARD_METRICS * s->strata;
    for (int g = 0; g < 2; g++) {
        s->events[g] = calloc(cells, sizeof *s->events[g]);
        s->trials[g] = calloc(cells, sizeof *s->trials[g]);
        s->exposure[g] = calloc(cells, sizeof *s->exposure[g]);
        if (s->events[g] == NULL || s->trials[g] == NULL ||
            s->exposure[g] == NULL) {
            guard_free(s);
            return -1;
        }
    }
    s->stratum_fail = calloc(cells, 1);
    if (s->stratum_fail == NULL || make_set(s) != OTAPRIO_OK) {
        guard_free(s);
        return -1;
    }
    for (int m = 0; m < GUARD_METRICS; m++) {
        for (size_t r = 0; r < s->strata; r++)
            make_stratum(s, seed, m, r);
        otaprio_guard_data *d = &s->data[m];
        otaprio_guard_data_init(d);
        size_t at = (size_t)m * s->strata;
        d->rule = (uint32_t)m;
        d->rows = s->strata;
        d->window_start_hours = 0.0;
        d->window_end_hours = 48.0;
        d->canary_events = s->events[0] + at;
        d->baseline_events = s->events[1] + at;
        if (m % 2 == 0) {
            d->canary_trials = s->trials[0] + at;
            d->baseline_trials = s->trials[1] + at;
        } else {
            d->canary_exposure = s->exposure[0] + at;
            d->baseline_exposure = s->exposure[1] + at;
        }
    }
    *out = s;
    return 0;
}

/* ---- timed ----------------------------------------------------------------
 */

static int guard_run(void *state)
{
    guard_state *s = state;
    otaprio_guard_report *report = NULL;
    int status = otaprio_guard_evaluate(s->set, s->data, GUARD_METRICS, NULL,
                                        &report, NULL);
    otaprio_guard_report_free(report);
    return status;
}

/* ---- outputs ---------------------------------------------------------------
 */

static int collect(guard_state *s, const otaprio_guard_report *report)
{
    otaprio_guard_stratum *strata = calloc(s->strata, sizeof *strata);
    if (strata == NULL)
        return -1;
    int status = OTAPRIO_OK;
    memset(s->stratum_fail, 0, GUARD_METRICS * s->strata);
    for (uint32_t m = 0; m < GUARD_METRICS && status == OTAPRIO_OK; m++) {
        otaprio_guard_result result;
        memset(&result, 0, sizeof result);
        result.size = sizeof result;
        status = otaprio_guard_report_result(report, m, &result);
        if (status != OTAPRIO_OK)
            break;
        s->verdicts[m] = result.verdict;
        s->failing[m] = result.failing_strata;
        for (size_t r = 0; r < s->strata; r++)
            strata[r].size = sizeof strata[r];
        size_t total = 0;
        status =
            otaprio_guard_report_strata(report, m, strata, s->strata, &total);
        for (size_t i = 0; i < total && status == OTAPRIO_OK; i++)
            if (strata[i].verdict == OTAPRIO_GUARD_FAIL &&
                strata[i].stratum < s->strata)
                s->stratum_fail[m * s->strata + strata[i].stratum] = 1;
    }
    free(strata);
    return status;
}

static int guard_digest(const void *state, bench_digest *digest)
{
    guard_state *s = (guard_state *)state;
    otaprio_guard_report *report = NULL;
    int status = otaprio_guard_evaluate(s->set, s->data, GUARD_METRICS, NULL,
                                        &report, NULL);
    if (status == OTAPRIO_OK)
        status = collect(s, report);
    otaprio_guard_report_free(report);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "guard: %s\n", otaprio_strerror(status));
        return -1;
    }
    return bench_digest_add(digest, "verdicts", s->verdicts,
                            sizeof s->verdicts) |
           bench_digest_add(digest, "failing_strata", s->failing,
                            sizeof s->failing) |
           bench_digest_add(digest, "stratum_fail", s->stratum_fail,
                            GUARD_METRICS * s->strata);
}

static void guard_teardown(void *state)
{
    guard_free(state);
}

/* ---- one proportion alone
 * ---------------------------------------------------- */

typedef struct counting {
    size_t allocations;
} counting;

static void *count_alloc(void *user, size_t bytes)
{
    ((counting *)user)->allocations++;
    return malloc(bytes);
}

static void *count_realloc(void *user, void *block, size_t bytes)
{
    ((counting *)user)->allocations++;
    return realloc(block, bytes);
}

static void count_free(void *user, void *block)
{
    (void)user;
    free(block);
}

typedef struct single {
    otaprio_guard_set *set;
    otaprio_guard_data data;
    uint64_t x1, n1, x2, n2;
} single;

static int single_setup(single *one)
{
    otaprio_guard_rule rule;
    otaprio_guard_rule_init(&rule);
    rule.name = "install_failure";
    rule.window_hours = 24.0;
    one->set = NULL;
    int status =
        otaprio_guard_set_create(NULL, &rule, 1, NULL, &one->set, NULL);
    one->x1 = 3;
    one->n1 = 1000;
    one->x2 = 20;
    one->n2 = 10000;
    otaprio_guard_data_init(&one->data);
    one->data.rows = 1;
    one->data.window_end_hours = 48.0;
    one->data.canary_events = &one->x1;
    one->data.canary_trials = &one->n1;
    one->data.baseline_events = &one->x2;
    one->data.baseline_trials = &one->n2;
    return status;
}

/* Median over rounds of ns per evaluation: evaluate and free together,
 * evaluate alone (reports kept, freed after the clock stops) and free
 * alone. */
static int time_single(single *one, double *both_ns, double *evaluate_ns,
                       double *free_ns)
{
    otaprio_guard_report **reports =
        calloc(GUARD_SINGLE_LOOPS, sizeof *reports);
    if (reports == NULL)
        return OTAPRIO_E_NOMEM;
    double both[GUARD_SINGLE_ROUNDS], alone[GUARD_SINGLE_ROUNDS],
        freeing[GUARD_SINGLE_ROUNDS], scratch[GUARD_SINGLE_ROUNDS];
    int status = OTAPRIO_OK;
    for (int round = 0; round < GUARD_SINGLE_ROUNDS; round++) {
        int64_t t0 = bench_now_ns();
        for (int i = 0; i < GUARD_SINGLE_LOOPS && status == OTAPRIO_OK; i++) {
            otaprio_guard_report *report = NULL;
            status = otaprio_guard_evaluate(one->set, &one->data, 1, NULL,
                                            &report, NULL);
            otaprio_guard_report_free(report);
        }
        int64_t t1 = bench_now_ns();
        for (int i = 0; i < GUARD_SINGLE_LOOPS && status == OTAPRIO_OK; i++)
            status = otaprio_guard_evaluate(one->set, &one->data, 1, NULL,
                                            &reports[i], NULL);
        int64_t t2 = bench_now_ns();
        for (int i = 0; i < GUARD_SINGLE_LOOPS; i++) {
            otaprio_guard_report_free(reports[i]);
            reports[i] = NULL;
        }
        int64_t t3 = bench_now_ns();
        both[round] = (double)(t1 - t0) / GUARD_SINGLE_LOOPS;
        alone[round] = (double)(t2 - t1) / GUARD_SINGLE_LOOPS;
        freeing[round] = (double)(t3 - t2) / GUARD_SINGLE_LOOPS;
    }
    free(reports);
    *both_ns = bench_median(both, GUARD_SINGLE_ROUNDS, scratch);
    *evaluate_ns = bench_median(alone, GUARD_SINGLE_ROUNDS, scratch);
    *free_ns = bench_median(freeing, GUARD_SINGLE_ROUNDS, scratch);
    return status;
}

static int64_t cpu_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (int64_t)now.tv_sec * 1000000000 + (int64_t)now.tv_nsec;
}

/* The timed operation in this thread's CPU time: median and least, ms. */
static int time_cpu(guard_state *s, double *median_ms, double *least_ms)
{
    double samples[GUARD_CPU_REPS], scratch[GUARD_CPU_REPS];
    *least_ms = HUGE_VAL;
    for (int i = 0; i < GUARD_CPU_REPS; i++) {
        int64_t t0 = cpu_now_ns();
        int status = guard_run(s);
        int64_t t1 = cpu_now_ns();
        if (status != OTAPRIO_OK)
            return status;
        samples[i] = (double)(t1 - t0) / 1e6;
        if (samples[i] < *least_ms)
            *least_ms = samples[i];
    }
    *median_ms = bench_median(samples, GUARD_CPU_REPS, scratch);
    return OTAPRIO_OK;
}

static int guard_extras(void *state, double median_ms, bench_extras *extras)
{
    guard_state *s = state;
    double cpu_median_ms = 0, cpu_least_ms = 0;
    if (time_cpu(s, &cpu_median_ms, &cpu_least_ms) != OTAPRIO_OK) {
        fprintf(stderr, "guard: evaluation failed\n");
        return -1;
    }
    single one;
    int status = single_setup(&one);
    double both_ns = 0, evaluate_ns = 0, free_ns = 0;
    if (status == OTAPRIO_OK)
        status = time_single(&one, &both_ns, &evaluate_ns, &free_ns);
    counting counter = {0};
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = count_alloc;
    allocator.realloc_fn = count_realloc;
    allocator.free_fn = count_free;
    allocator.user = &counter;
    otaprio_guard_report *report = NULL;
    if (status == OTAPRIO_OK)
        status = otaprio_guard_evaluate(one.set, &one.data, 1, &allocator,
                                        &report, NULL);
    otaprio_guard_report_free(report);
    otaprio_guard_set_free(one.set);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "guard: single proportion: %s\n",
                otaprio_strerror(status));
        return -1;
    }
    size_t failing = 0;
    for (int m = 0; m < GUARD_METRICS; m++)
        failing += s->failing[m];
    int failed = 0;
#define ADD(name, value) failed |= bench_extra_add(extras, (name), (value))
    ADD("cpu_median_ms", cpu_median_ms);
    ADD("cpu_least_ms", cpu_least_ms);
    ADD("metrics", GUARD_METRICS);
    ADD("strata_per_metric", (double)s->strata);
    ADD("ns_per_judgment",
        median_ms * 1e6 / (double)(GUARD_METRICS * s->strata));
    ADD("failing_strata", (double)failing);
    ADD("single_loops", GUARD_SINGLE_LOOPS);
    ADD("single_eval_free_ns", both_ns);
    ADD("single_eval_ns", evaluate_ns);
    ADD("single_free_ns", free_ns);
    ADD("single_allocations", (double)counter.allocations);
#undef ADD
    if (failed) {
        fprintf(stderr, "guard: too many extra figures\n");
        return -1;
    }
    return 0;
}

const bench_def bench_guard = {
    .name = "guard",
    .unit = "judgments",
    .default_n = GUARD_METRICS * 1000,
    .setup = guard_setup,
    .run = guard_run,
    .digest = guard_digest,
    .teardown = guard_teardown,
    .extras = guard_extras,
};
