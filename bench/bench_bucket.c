/* SPDX-License-Identifier: MIT */
/*
 * bucket: positions and fractions of N device keys in one rollout, through
 * otaprio_bucket_batch(). Peer: bench/peer_bucket.py (python-xxhash).
 *
 * Input: salt = draw 0 and keys = draws 1..N of SplitMix64(seed), uniform
 * 64-bit values like real keys (XXH3 of an identifier).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/common.h"

#include "bench.h"

typedef struct bucket_state {
    uint64_t salt;
    size_t n;
    uint64_t *keys;
    uint64_t *positions;
    double *fractions;
} bucket_state;

static void bucket_teardown(void *opaque)
{
    bucket_state *state = opaque;
    free(state->keys);
    free(state->positions);
    free(state->fractions);
    free(state);
}

static int bucket_setup(uint64_t seed, size_t n, void **out)
{
    if (n > SIZE_MAX / sizeof(uint64_t)) {
        fprintf(stderr, "bucket: n = %zu is too large\n", n);
        return -1;
    }
    bucket_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        fprintf(stderr, "bucket: out of memory\n");
        return -1;
    }
    state->n = n;
    state->keys = malloc(n * sizeof *state->keys);
    state->positions = malloc(n * sizeof *state->positions);
    state->fractions = malloc(n * sizeof *state->fractions);
    if (state->keys == NULL || state->positions == NULL ||
        state->fractions == NULL) {
        fprintf(stderr, "bucket: out of memory for n = %zu\n", n);
        bucket_teardown(state);
        return -1;
    }
    state->salt = bench_splitmix64(seed, 0);
    bench_splitmix64_fill(seed, 1, state->keys, n);
    /* Touch the outputs so the first timed run does not pay the page
     * faults; a non-zero byte keeps the compiler from turning
     * malloc+memset into a lazy calloc. */
    memset(state->positions, 0xa5, n * sizeof *state->positions);
    memset(state->fractions, 0xa5, n * sizeof *state->fractions);
    *out = state;
    return 0;
}

static int bucket_run(void *opaque)
{
    bucket_state *state = opaque;
    /* Both outputs, as a rollout planner wants them: positions to rank,
     * fractions to compare with a wave's share. */
    return otaprio_bucket_batch(state->salt, state->keys, state->n,
                                state->positions, state->fractions, NULL);
}

static int bucket_digest(const void *opaque, bench_digest *digest)
{
    const bucket_state *state = opaque;
    if (bench_digest_add(digest, "positions", state->positions,
                         state->n * sizeof *state->positions) != 0 ||
        bench_digest_add(digest, "fractions", state->fractions,
                         state->n * sizeof *state->fractions) != 0)
        return -1;
    return 0;
}

const bench_def bench_bucket = {
    .name = "bucket",
    .unit = "keys",
    .default_n = 10000000,
    .setup = bucket_setup,
    .run = bucket_run,
    .digest = bucket_digest,
    .teardown = bucket_teardown,
};
