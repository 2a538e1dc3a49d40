/* SPDX-License-Identifier: MIT */
/*
 * The planner's private pieces. plan_power.c sizes a canary by the normal
 * approximation; plan_exact.c refines a proportion's size with the exact
 * binomial test. plan_shape.c turns a tier into waves and soak windows;
 * plan_fleet.c makes the passes over the fleet; plan_create.c strings the
 * engines together; plan_read.c answers a finished plan's questions.
 * docs/plan.md documents every rule and must keep matching.
 */
#ifndef OTAPRIO_PLAN_INTERNAL_H
#define OTAPRIO_PLAN_INTERNAL_H

#include "internal.h"
#include "otaprio/plan.h"

/* Sizes past 2^53 are no longer exact as doubles. */
#define OTAPRIO__PLAN_SIZE_MAX 9007199254740992.0

/* The canary size, searched for from `start` (the approximation, at
 * least 1), at which the exact one-sided binomial test of p0 at level
 * `alpha` starts to detect p1 with probability `power` (plan_exact.c).
 * OTAPRIO_E_LIMIT when the search passes 2^53. */
int otaprio__plan_exact_size(double p0, double p1, double alpha, double power,
                             double start, double *out, otaprio_diag *diag);

/* Most waves of a plan: two ring stages and the cohort's waves. */
#define OTAPRIO__PLAN_MAX_COHORT_WAVES 6
#define OTAPRIO__PLAN_MAX_WAVES (2 + OTAPRIO__PLAN_MAX_COHORT_WAVES)

/* A rollout shape: the ring stages' soaks and the cohort's waves. */
typedef struct otaprio__plan_shape {
    int accelerated;     /* T0 or break-glass: no ring stages */
    int maintenance;     /* T3: installs wait for maintenance windows */
    double ring_soak[2]; /* dogfood, employee */
    uint32_t waves;      /* cohort waves, the last a fraction of 1 */
    double fraction[OTAPRIO__PLAN_MAX_COHORT_WAVES];
    double soak[OTAPRIO__PLAN_MAX_COHORT_WAVES];
    uint32_t notes; /* otaprio_plan_note bits the shape earned */
} otaprio__plan_shape;

/* The shape of a tier (accelerated for T0 or when `accelerated`), its
 * soaks scaled by the layer and the rollback's soak factor and, unless
 * accelerated, held to the `delayed` failures' minimums; its canary
 * fractions scaled by the rollback's wave factor (plan_shape.c). */
void otaprio__plan_shape_of(int32_t tier, int accelerated, int32_t layer,
                            uint32_t delayed,
                            const otaprio_rollback_decision *rollback,
                            otaprio__plan_shape *shape);

/* Raises the first canary wave to `needed` of `eligible` devices, dropping
 * the canary waves that no longer grow past it. Returns 1 when raised, 0
 * when the shape already suffices, -1 when no canary wave can reach it. */
int otaprio__plan_shape_power(otaprio__plan_shape *shape, double needed,
                              uint64_t eligible);

/* Hours from the first wave to the last: the soaks before it. */
double otaprio__plan_shape_hours(const otaprio__plan_shape *shape,
                                 const int rings_present[2]);

/* A finished plan. */
struct otaprio_plan {
    otaprio__mem mem;
    otaprio_plan_summary summary;
    otaprio_factor_points *explanation;
    size_t explanation_count;
    uint32_t wave_count;
    otaprio_plan_wave waves[OTAPRIO__PLAN_MAX_WAVES];
    otaprio_guard_set *guards[OTAPRIO__PLAN_MAX_WAVES];
    otaprio_cohort *cohort;
    otaprio__vec chains;   /* otaprio_plan_chain */
    otaprio__vec warnings; /* otaprio_plan_warning */
};

#endif /* OTAPRIO_PLAN_INTERNAL_H */
