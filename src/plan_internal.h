/* SPDX-License-Identifier: MIT */
/*
 * The planner's private pieces. plan_power.c sizes a canary by the normal
 * approximation; plan_exact.c refines a proportion's size with the exact
 * binomial test. docs/plan.md documents both and must keep matching.
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

#endif /* OTAPRIO_PLAN_INTERNAL_H */
