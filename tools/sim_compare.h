/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --compare`: issue 8's decision-quality benchmark. The
 * same scenarios and seeds under libotaprio's policy and under two anchors
 * from today's OTA products (tools/sim_hawkbit.c, tools/sim_aws.c), each
 * at its documented defaults and over a small sweep of its threshold, the
 * tuned threshold chosen by a stated criterion (sim_compare_stats.c).
 *
 * A seed fixes the fleet and the telemetry: each seed generates its fleet,
 * plans each scenario once, and every policy runs on that fleet and plan
 * with the seed's telemetry stream. Seeds run on threads, each with its own
 * fleet and random streams; results land in the seed's own slots, so the
 * output does not depend on the thread count.
 */
#ifndef OTAPRIO_SIM_COMPARE_H
#define OTAPRIO_SIM_COMPARE_H

#include <stdio.h>

#include <jansson.h>

#include "sim.h"

enum {
    SIM_FAMILY_OTAPRIO = 0,
    SIM_FAMILY_HAWKBIT = 1,
    SIM_FAMILY_AWS = 2,
    SIM_FAMILIES = 3,
    SIM_COMPARE_MAX_SCENARIOS = 16,
    /* libotaprio, then hawkBit's and AWS's threshold sweeps. */
    SIM_COMPARE_VARIANTS = 19
};

/* One policy compared: libotaprio, or an anchor at one threshold. */
typedef struct sim_variant {
    int family;
    double threshold; /* percent: hawkBit's error, AWS's abort threshold */
    bool is_default;  /* the documented defaults */
} sim_variant;

/* What one run left for the table. */
typedef struct sim_compare_run {
    uint64_t exposed;
    int64_t hours_to_95;
    bool halted, false_halt, localised;
} sim_compare_run;

typedef struct sim_compare_setup {
    uint64_t devices, first_seed;
    const sim_mix *mix; /* the fleets' mix, or NULL for the default */
    uint32_t seeds, threads, hours;
    const sim_scenario *scenarios[SIM_COMPARE_MAX_SCENARIOS];
    size_t scenario_count;
    bool progress; /* a line on standard error as seeds finish */
} sim_compare_setup;

/* A scenario's figures for one variant over every seed. */
typedef struct sim_compare_cell {
    double exposed_median, exposed_p95;
    double halt_rate, false_halt_rate, localised_share;
    double hours_to_95_median, hours_to_95_p95; /* HUGE_VAL: not reached */
} sim_compare_cell;

typedef struct sim_compare_result {
    sim_compare_setup setup;
    size_t variant_count;
    sim_variant variants[SIM_COMPARE_VARIANTS];
    /* [scenario][variant][seed] */
    sim_compare_run *runs;
    /* [scenario][variant] */
    sim_compare_cell *cells;
    /* Per variant: false halts over every good scenario's runs, and the
     * sum of the bad scenarios' median exposures (the tuning criterion). */
    double *false_halt_rate, *exposure_score;
    /* Per family: the tuned and the default variant. */
    size_t tuned[SIM_FAMILIES], defaults[SIM_FAMILIES];
    bool tuned_found[SIM_FAMILIES];
} sim_compare_result;

/* The tuning criterion's bound on false halts. */
#define SIM_COMPARE_FALSE_HALT_BOUND 0.01

/* The variants compared, libotaprio first. */
void sim_compare_variants(sim_variant variants[SIM_COMPARE_VARIANTS]);

/* Runs every scenario x seed x variant; returns an OTAPRIO_* status with
 * `what` naming the failing step. */
int sim_compare_run_all(const sim_compare_setup *setup,
                        const otaprio_catalog *catalog,
                        sim_compare_result *result, const char **what,
                        otaprio_diag *diag);
/* Fills the cells, the pooled rates and the tuned variants. */
int sim_compare_summarise(sim_compare_result *result);
void sim_compare_free(sim_compare_result *result);

const char *sim_family_name(int family);
void sim_compare_print(FILE *out, const sim_compare_result *result);
/* A new JSON object, or NULL when memory runs out. */
json_t *sim_compare_json(const sim_compare_result *result);

#endif
