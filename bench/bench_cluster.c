/* SPDX-License-Identifier: MIT */
/*
 * cluster: shared-fate clusters of N devices by three attributes, through
 * one otaprio_clusterer_add() over the whole fleet. Peer:
 * bench/peer_cluster.py (pandas groupby(sort=False).ngroup() and .size();
 * NumPy unique(axis=0) renumbered by first appearance as a variant).
 *
 * Input (untimed): device i takes draw i of SplitMix64(seed) and cuts three
 * category codes from its bits, as a host passes dictionary-encoded
 * columns: firmware build (draw % 48), hardware revision ((draw >> 20) %
 * 10) and network environment ((draw >> 40) % 8), so 3840 distinct tuples,
 * every one present from a few tens of thousands of devices on.
 *
 * Timed: create a clusterer, add the fleet as one chunk with the cluster
 * id of every device as output (the previous run's clusterer is freed
 * first, a few thousand clusters' worth of memory).
 *
 * Digested (untimed): the ids, and the size of each cluster from
 * otaprio_clusterer_report().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/graph.h"

#include "bench.h"

#define CLUSTER_ATTRIBUTES 3

typedef struct cluster_state {
    size_t n;
    uint32_t *columns[CLUSTER_ATTRIBUTES];
    uint32_t *cluster;
    otaprio_clusterer *clusterer; /* from the last run */
} cluster_state;

static void cluster_teardown(void *opaque)
{
    cluster_state *state = opaque;
    for (size_t a = 0; a < CLUSTER_ATTRIBUTES; a++)
        free(state->columns[a]);
    free(state->cluster);
    otaprio_clusterer_free(state->clusterer);
    free(state);
}

static int cluster_setup(uint64_t seed, size_t n, void **out)
{
    if (n > SIZE_MAX / sizeof(uint32_t)) {
        fprintf(stderr, "cluster: n = %zu is too large\n", n);
        return -1;
    }
    cluster_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        fprintf(stderr, "cluster: out of memory\n");
        return -1;
    }
    state->n = n;
    int failed = 0;
    for (size_t a = 0; a < CLUSTER_ATTRIBUTES; a++) {
        state->columns[a] = malloc(n * sizeof(uint32_t));
        failed |= state->columns[a] == NULL;
    }
    state->cluster = malloc(n * sizeof *state->cluster);
    if (failed || state->cluster == NULL) {
        fprintf(stderr, "cluster: out of memory for n = %zu\n", n);
        cluster_teardown(state);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t d = bench_splitmix64(seed, i);
        state->columns[0][i] = (uint32_t)(d % 48);
        state->columns[1][i] = (uint32_t)((d >> 20) % 10);
        state->columns[2][i] = (uint32_t)((d >> 40) % 8);
    }
    /* Touch the output so the first timed run does not pay page faults. */
    memset(state->cluster, 0xa5, n * sizeof *state->cluster);
    *out = state;
    return 0;
}

static int cluster_run(void *opaque)
{
    cluster_state *state = opaque;
    otaprio_clusterer_free(state->clusterer);
    state->clusterer = NULL;
    int status = otaprio_clusterer_create(CLUSTER_ATTRIBUTES, NULL,
                                          &state->clusterer, NULL);
    if (status != OTAPRIO_OK)
        return status;
    const uint32_t *columns[CLUSTER_ATTRIBUTES] = {
        state->columns[0], state->columns[1], state->columns[2]};
    return otaprio_clusterer_add(state->clusterer, columns, state->n, NULL,
                                 NULL, state->cluster, NULL);
}

static int cluster_digest(const void *opaque, bench_digest *digest)
{
    const cluster_state *state = opaque;
    uint32_t count = otaprio_clusterer_count(state->clusterer);
    uint64_t *members = malloc((count != 0 ? count : 1) * sizeof *members);
    int status = -1;
    if (members != NULL &&
        otaprio_clusterer_report(state->clusterer, 0, count, members, NULL,
                                 NULL, NULL) == OTAPRIO_OK &&
        bench_digest_add(digest, "cluster", state->cluster,
                         state->n * sizeof *state->cluster) == 0 &&
        bench_digest_add(digest, "members", members, count * sizeof *members) ==
            0)
        status = 0;
    free(members); /* the digest keeps only its hash */
    return status;
}

static int cluster_extras(void *opaque, double median_ms, bench_extras *extras)
{
    (void)median_ms;
    const cluster_state *state = opaque;
    return bench_extra_add(extras, "clusters",
                           otaprio_clusterer_count(state->clusterer));
}

const bench_def bench_cluster = {
    .name = "cluster",
    .unit = "devices",
    .default_n = 10000000,
    .setup = cluster_setup,
    .run = cluster_run,
    .digest = cluster_digest,
    .teardown = cluster_teardown,
    .extras = cluster_extras,
};
