/* SPDX-License-Identifier: MIT */
/*
 * stats_rank: the guardrail engine's continuous-metric check on a canary
 * of N values against a baseline of N: otaprio__samples_prepare (copy,
 * check, radix sort), the two-sided Mann-Whitney U test (asymptotic, as
 * scipy's auto picks at this size) and the Hodges-Lehmann estimate with
 * its 95% Moses interval, then the release. Peer: bench/peer_stats_rank.py
 * (scipy.stats.mannwhitneyu, which does the test only).
 *
 * Input: x[i] = (draw i >> 11) 2^-53 + 0.002 and y[i] = (draw N + i >>
 * 11) 2^-53 of SplitMix64(seed): uniform values, a small shift.
 *
 * Outputs: U1, and the p-value rounded to float32 (ours is computed in
 * log space, scipy's by ndtr, so the doubles may differ in the last bits;
 * float32 makes them compare). The estimate and interval, which scipy
 * does not compute, are reported as extras, with the median split of a
 * run's time into prepare + test (what scipy's call does) and
 * Hodges-Lehmann.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/common.h"
#include "stats.h"

#include "bench.h"

/* Runs whose split (prepare + test, then Hodges-Lehmann) is kept. */
#define SPLIT_RUNS 256

typedef struct rank_state {
    size_t n;
    double *x;
    double *y;
    otaprio__mem mem;
    double statistic;
    float p_value;
    double estimate;
    otaprio__interval interval;
    size_t runs;
    double test_ms[SPLIT_RUNS]; /* prepare + Mann-Whitney, per run */
    double hl_ms[SPLIT_RUNS];   /* Hodges-Lehmann, per run */
} rank_state;

static void rank_teardown(void *opaque)
{
    rank_state *state = opaque;
    free(state->x);
    free(state->y);
    free(state);
}

static int rank_setup(uint64_t seed, size_t n, void **out)
{
    rank_state *state = calloc(1, sizeof *state);
    if (state == NULL || n == 0 || n > SIZE_MAX / 2 / sizeof(uint64_t)) {
        fprintf(stderr, "stats_rank: cannot set up n = %zu\n", n);
        free(state);
        return -1;
    }
    state->n = n;
    state->x = malloc(n * sizeof *state->x);
    state->y = malloc(n * sizeof *state->y);
    uint64_t *draws = malloc(2 * n * sizeof *draws);
    if (state->x == NULL || state->y == NULL || draws == NULL ||
        otaprio__mem_resolve(&state->mem, NULL, NULL) != OTAPRIO_OK) {
        fprintf(stderr, "stats_rank: out of memory for n = %zu\n", n);
        free(draws);
        rank_teardown(state);
        return -1;
    }
    bench_splitmix64_fill(seed, 0, draws, 2 * n);
    for (size_t i = 0; i < n; i++) {
        state->x[i] = (double)(draws[i] >> 11) * 0x1.0p-53 + 0.002;
        state->y[i] = (double)(draws[n + i] >> 11) * 0x1.0p-53;
    }
    free(draws);
    *out = state;
    return 0;
}

static int rank_run(void *opaque)
{
    rank_state *state = opaque;
    otaprio__samples s;
    int64_t start_ns = bench_now_ns();
    int status = otaprio__samples_prepare(&state->mem, state->x, state->n,
                                          state->y, state->n, &s, NULL);
    if (status != OTAPRIO_OK)
        return status;
    otaprio__test test;
    status = otaprio__mann_whitney(&state->mem, &s, 0.0, OTAPRIO__ALT_TWO_SIDED,
                                   OTAPRIO__MWU_AUTO, &test);
    int64_t test_ns = bench_now_ns();
    if (status == OTAPRIO_OK)
        status = otaprio__hodges_lehmann(&state->mem, &s, 0.95,
                                         &state->estimate, &state->interval);
    otaprio__samples_release(&state->mem, &s);
    int64_t end_ns = bench_now_ns();
    if (state->runs < SPLIT_RUNS) {
        state->test_ms[state->runs] = (double)(test_ns - start_ns) / 1e6;
        state->hl_ms[state->runs] = (double)(end_ns - test_ns) / 1e6;
        state->runs++;
    }
    state->statistic = test.statistic;
    state->p_value = (float)test.p_value;
    return status;
}

static int rank_digest(const void *opaque, bench_digest *digest)
{
    const rank_state *state = opaque;
    if (bench_digest_add(digest, "statistic", &state->statistic,
                         sizeof state->statistic) != 0 ||
        bench_digest_add(digest, "p_value_f32", &state->p_value,
                         sizeof state->p_value) != 0)
        return -1;
    return 0;
}

static int rank_extras(void *opaque, double median_ms, bench_extras *extras)
{
    rank_state *state = opaque;
    (void)median_ms;
    double scratch[SPLIT_RUNS];
    size_t runs = state->runs > 0 ? state->runs : 1;
    if (bench_extra_add(extras, "prepare_test_ms",
                        bench_median(state->test_ms, runs, scratch)) != 0 ||
        bench_extra_add(extras, "hodges_lehmann_ms",
                        bench_median(state->hl_ms, runs, scratch)) != 0 ||
        bench_extra_add(extras, "p_value", (double)state->p_value) != 0 ||
        bench_extra_add(extras, "hl_estimate", state->estimate) != 0 ||
        bench_extra_add(extras, "hl_low", state->interval.low) != 0 ||
        bench_extra_add(extras, "hl_high", state->interval.high) != 0)
        return -1;
    return 0;
}

const bench_def bench_stats_rank = {
    .name = "stats_rank",
    .unit = "values",
    .default_n = 100000,
    .setup = rank_setup,
    .run = rank_run,
    .digest = rank_digest,
    .teardown = rank_teardown,
    .extras = rank_extras,
};
