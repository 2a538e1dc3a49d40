/* SPDX-License-Identifier: MIT */
/*
 * The planner's working state while otaprio_plan_create() runs: the
 * request as read, the issue as refined, the engines' handles, the counts
 * the passes gather, and per-chunk scratch columns sized to the largest
 * chunk. plan_create.c owns the flow; plan_fleet.c makes the passes.
 */
#ifndef OTAPRIO_PLAN_WORK_H
#define OTAPRIO_PLAN_WORK_H

#include "plan_internal.h"

/* Per-device columns of the chunk at hand. */
typedef struct otaprio__plan_columns {
    otaprio__vec affected;     /* uint8_t: the risk engine's affected */
    otaprio__vec prerequisite; /* uint8_t: a prerequisite is missing */
    otaprio__vec excluded;     /* uint8_t: host's policy or the catalog */
    otaprio__vec marks;        /* uint8_t: the flaw's impact marks */
    otaprio__vec blocks;       /* uint32_t: the catalog's block masks */
    otaprio__vec disposition;  /* uint8_t */
    otaprio__vec reasons;      /* uint32_t */
    otaprio__vec priority;     /* double */
    otaprio__vec criticality;  /* double */
    otaprio__vec cohort_excluded, cohort_first, cohort_critical; /* uint8_t */
    otaprio__vec cohort_wave, plan_wave;                         /* uint8_t */
    otaprio__vec chain_id, cluster_id;                           /* uint32_t */
    otaprio__vec planned;                                        /* uint8_t */
    otaprio__vec tally_code; /* uint8_t: a device's count in its chain */
} otaprio__plan_columns;

/* A dependency chain's devices through the ASSIGN pass by code: 16 for
 * blocked ones, plus the plan wave's slot (15: no wave); added device by
 * device without a branch (plan_groups.c). */
typedef struct otaprio__plan_tally {
    uint64_t devices[32];
} otaprio__plan_tally;

/* One shared-fate cluster's coverage. */
typedef struct otaprio__plan_cluster {
    uint32_t id; /* the host's cluster id */
    uint32_t first_wave;
    uint64_t devices; /* devices some wave takes */
} otaprio__plan_cluster;

typedef struct otaprio__plan_work {
    otaprio__mem mem;
    const otaprio_allocator *allocator; /* handed on to the engines */
    otaprio_plan_request request;
    otaprio_issue issue;
    const otaprio_risk_model *model;
    otaprio_risk_model *own_model;
    otaprio_issue_score score;
    otaprio_rollback_input rollback;
    otaprio_rollback_decision shaping; /* the decision that shaped waves */
    otaprio__plan_shape shape;
    int breakglass_approved;

    /* The fleet as the first pass saw it; later passes must agree. */
    int fleet_known;
    uint64_t devices, key_sum;

    /* IMPACT */
    uint64_t affected;
    uint32_t affected_classes;
    otaprio_clusterer *regions;

    /* CENSUS */
    uint64_t first_wave_eligible;

    /* SAMPLE */
    otaprio_cohort_spec spec;
    otaprio__vec excluded_clusters; /* uint32_t */
    otaprio_cohort_sampler *sampler;
    uint64_t ring_devices[2];

    /* ASSIGN */
    int rings_present[2];
    uint32_t ring_wave[2];
    uint32_t cohort_offset; /* plan wave of the cohort's wave 0 */
    uint64_t wave_devices[OTAPRIO__PLAN_MAX_WAVES];
    uint64_t by_disposition[4], by_reason[16], critical, planned, marked;
    otaprio__vec chain_components; /* uint32_t */
    otaprio__vec chain_columns;    /* const uint32_t *, one per component */
    otaprio_clusterer *chain_clusterer;
    /* Per slot: 0 for devices of no chain or cluster, k + 1 for chain or
     * cluster k (plan_groups.c). */
    otaprio__vec chain_tally;  /* otaprio__plan_tally */
    otaprio__vec chain_unseen; /* uint8_t: 16 until a blocked device's path */
    otaprio_clusterer *cluster_clusterer;
    otaprio__vec cluster_waves; /* uint16_t: bit k, wave k takes a device */
    otaprio__vec clusters;      /* otaprio__plan_cluster */

    otaprio__plan_columns columns;
    otaprio_plan *plan; /* what the flow fills */
} otaprio__plan_work;

/* Makes one pass (an otaprio_plan_pass) over the fleet (plan_fleet.c). */
int otaprio__plan_pass(otaprio__plan_work *w, int32_t pass, otaprio_diag *diag);

/* The ASSIGN pass's chunk `c` (with its device state) into the chains
 * and clusters, and their totals once the pass is over (plan_groups.c). */
int otaprio__plan_chains_add(otaprio__plan_work *w, const otaprio_plan_chunk *c,
                             const otaprio_device_state *state,
                             otaprio_diag *diag);
int otaprio__plan_clusters_add(otaprio__plan_work *w,
                               const otaprio_plan_chunk *c, otaprio_diag *diag);
int otaprio__plan_groups_finish(otaprio__plan_work *w, otaprio_diag *diag);

/* Prepares empty columns. */
void otaprio__plan_columns_init(otaprio__plan_columns *c);

/* Frees the columns. */
void otaprio__plan_columns_free(const otaprio__mem *mem,
                                otaprio__plan_columns *c);

#endif /* OTAPRIO_PLAN_WORK_H */
