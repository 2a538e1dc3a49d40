/* SPDX-License-Identifier: MIT */
/*
 * The shared-fate clusterer's private parts: the handle (cluster.c) and its
 * per-device pass (cluster_pass.c), over a tuple set (tuple_set.h) whose
 * ids are the cluster ids.
 */
#ifndef OTAPRIO_CLUSTER_INTERNAL_H
#define OTAPRIO_CLUSTER_INTERNAL_H

#include "tuple_set.h"

/* ---- the clusterer --------------------------------------------------- */

/* Devices and canary devices of one cluster. */
typedef struct otaprio__cluster_counts {
    uint64_t members;
    uint64_t cohort_members;
} otaprio__cluster_counts;

struct otaprio_clusterer {
    otaprio__mem mem;
    otaprio__tuple_set set; /* cluster id = tuple id */
    otaprio__vec counts;    /* one otaprio__cluster_counts per cluster */
    /* Most clusters this clusterer may hold: UINT32_MAX - 1 as documented
     * (UINT32_MAX marks a skipped device), lower only in tests. */
    uint32_t limit;
};

/* Lowers the cluster limit, so tests can reach OTAPRIO_E_OVERFLOW without
 * four billion clusters. `limit` must not exceed UINT32_MAX - 1. */
void otaprio__clusterer_set_limit(otaprio_clusterer *clusterer, uint32_t limit);

/* One validated chunk, as the passes (cluster_pass.c) read it. A NULL
 * column is replaced by a pointer to a single zero read with `mask` 0, so
 * the per-device loop has no branch on it. */
typedef struct otaprio__cluster_chunk {
    const uint32_t *column[OTAPRIO_CLUSTER_MAX_ATTRIBUTES];
    size_t mask[OTAPRIO_CLUSTER_MAX_ATTRIBUTES]; /* SIZE_MAX, or 0 */
    size_t count;
    const uint8_t *include; /* NULL: every device */
    const uint8_t *cohort;  /* NULL: none */
} otaprio__cluster_chunk;

/*
 * Clusters the chunk's devices: each included device's id goes to `ids`
 * (UINT32_MAX for an excluded one; nothing when `ids` is NULL) and is
 * counted, and a new tuple becomes a new cluster. On failure (the cluster
 * limit, OTAPRIO_E_OVERFLOW; OTAPRIO_E_NOMEM) `*failed_at` is the device
 * that could not be placed: the devices before it are counted, until
 * otaprio__cluster_undo() takes them back.
 */
OTAPRIO__NODISCARD int
otaprio__cluster_pass(otaprio_clusterer *clusterer,
                      const otaprio__cluster_chunk *chunk, uint32_t *ids,
                      size_t *failed_at, otaprio_diag *diag);

/* Takes back what a failed pass did: the counts of devices [0, end) and
 * every cluster from `before` on. Allocates nothing. */
void otaprio__cluster_undo(otaprio_clusterer *clusterer,
                           const otaprio__cluster_chunk *chunk, size_t end,
                           uint32_t before);

#endif /* OTAPRIO_CLUSTER_INTERNAL_H */
