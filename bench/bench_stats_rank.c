/* SPDX-License-Identifier: MIT */
/*
 * stats_rank: the guardrail engine's Mann-Whitney check on a canary of N
 * values against a baseline of N, the work scipy.stats.mannwhitneyu does:
 * otaprio__samples_prepare (copy, check, radix sort), the two-sided
 * Mann-Whitney U test (asymptotic, as scipy's auto picks at this size),
 * then the release. Peer: bench/peer_stats_rank.py. The Hodges-Lehmann
 * estimate with its 95% Moses interval, which scipy has no function for,
 * is timed apart and reported as an extra.
 *
 * Input: x[i] = (draw i >> 11) 2^-53 + 0.002 and y[i] = (draw N + i >>
 * 11) 2^-53 of SplitMix64(seed): uniform values, a small shift.
 *
 * Outputs: U1, and the p-value rounded to float32 (ours is computed in
 * log space, scipy's by ndtr, so the doubles may differ in the last bits;
 * float32 makes them compare). The estimate, its interval and the median
 * time of computing them on prepared samples are extras.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/common.h"
#include "stats.h"

#include "bench.h"

/* Times the Hodges-Lehmann extra is measured, for its median. */
#define HL_RUNS 7

typedef struct rank_state {
    size_t n;
    double *x;
    double *y;
    otaprio__mem mem;
    double statistic;
    float p_value;
    double estimate;
    otaprio__interval interval;
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
    int status = otaprio__samples_prepare(&state->mem, state->x, state->n,
                                          state->y, state->n, &s, NULL);
    if (status != OTAPRIO_OK)
        return status;
    otaprio__test test;
    status = otaprio__mann_whitney(&state->mem, &s, 0.0, OTAPRIO__ALT_TWO_SIDED,
                                   OTAPRIO__MWU_AUTO, &test);
    otaprio__samples_release(&state->mem, &s);
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
    otaprio__samples s;
    if (otaprio__samples_prepare(&state->mem, state->x, state->n, state->y,
                                 state->n, &s, NULL) != OTAPRIO_OK)
        return -1;
    double hl_ms[HL_RUNS], scratch[HL_RUNS];
    int status = OTAPRIO_OK;
    for (int r = 0; r < HL_RUNS && status == OTAPRIO_OK; r++) {
        int64_t start_ns = bench_now_ns();
        status = otaprio__hodges_lehmann(&state->mem, &s, 0.95,
                                         &state->estimate, &state->interval);
        hl_ms[r] = (double)(bench_now_ns() - start_ns) / 1e6;
    }
    otaprio__samples_release(&state->mem, &s);
    if (status != OTAPRIO_OK ||
        bench_extra_add(extras, "hodges_lehmann_ms",
                        bench_median(hl_ms, HL_RUNS, scratch)) != 0 ||
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
