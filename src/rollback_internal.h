/* SPDX-License-Identifier: MIT */
/*
 * The rollback engine's private pieces. The decision is split by job: the
 * input's validation, the tier table, the restore steps, the weakness and
 * its compensation, and the confidence; rollback_decide.c strings them
 * together. Every rule is documented in docs/rollback.md, which these files
 * must keep matching.
 */
#ifndef OTAPRIO_ROLLBACK_INTERNAL_H
#define OTAPRIO_ROLLBACK_INTERNAL_H

#include <stdbool.h>

#include "internal.h"
#include "otaprio/rollback.h"

/* Layers a switch can reach and where devices hit by a failure keep
 * running: the app, its configuration, and the operating system. */
static inline bool otaprio__rollback_userland(int32_t layer)
{
    return layer == OTAPRIO_LAYER_APP || layer == OTAPRIO_LAYER_CONFIG ||
           layer == OTAPRIO_LAYER_OS;
}

/* Devices can be told apart by cohort: region, carrier or model. */
static inline bool otaprio__rollback_identifiable(uint32_t observe)
{
    return (observe & (OTAPRIO_ROLLBACK_OBSERVE_REGION |
                       OTAPRIO_ROLLBACK_OBSERVE_CARRIER |
                       OTAPRIO_ROLLBACK_OBSERVE_MODEL)) != 0;
}

/* The largest share of the fleet already hit for which exempting the
 * affected cohorts, without reverting the devices hit, is enough. */
#define OTAPRIO__ROLLBACK_EXEMPT_FLEET_MAX 0.01

/* The list of reasons the tier table builds, in order of weight. */
typedef struct otaprio__rollback_reasons {
    uint32_t count;
    int32_t codes[OTAPRIO_ROLLBACK_MAX_REASONS];
} otaprio__rollback_reasons;

/* Reads a caller's input into a full, current-layout one, defaults
 * first (rollback_input.c). */
int otaprio__rollback_read(otaprio_rollback_input *full,
                           const otaprio_rollback_input *input,
                           otaprio_diag *diag);

/* Checks every field of a full, current-layout input (rollback_input.c). */
int otaprio__rollback_validate(const otaprio_rollback_input *input,
                               otaprio_diag *diag);

/* The tier table (rollback_tier.c): returns the lightest sufficient tier
 * of a valid input and fills its reasons. */
int32_t otaprio__rollback_tier(const otaprio_rollback_input *input,
                               otaprio__rollback_reasons *reasons);

/* The restore steps a tier implies (rollback_steps.c). */
uint32_t otaprio__rollback_steps(const otaprio_rollback_input *input,
                                 int32_t tier);

/* The weakness causes of a valid input and the compensation a plan applies
 * (rollback_weak.c): fills weak, weak_causes and the three factors. */
void otaprio__rollback_weakness(const otaprio_rollback_input *input,
                                otaprio_rollback_decision *decision);

/* How sure a tier with its steps resolves the failure (rollback_confidence.c).
 */
double otaprio__rollback_confidence(const otaprio_rollback_input *input,
                                    int32_t tier, uint32_t steps,
                                    uint32_t weak_causes);

#endif /* OTAPRIO_ROLLBACK_INTERNAL_H */
