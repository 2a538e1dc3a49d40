/* SPDX-License-Identifier: MIT */
/*
 * How sure the chosen tier, with its steps, resolves the failure: 1, less
 * a documented discount for each thing that can leave the job half done.
 * Discounts multiply, in a fixed order, so the value is the same
 * everywhere. docs/rollback.md has the table.
 */
#include "rollback_internal.h"

double otaprio__rollback_confidence(const otaprio_rollback_input *in,
                                    int32_t tier, uint32_t steps,
                                    uint32_t weak_causes)
{
    double confidence = 1.0;
    if (tier == OTAPRIO_ROLLBACK_TIER_NONE)
        return confidence;
    bool reverts = tier >= OTAPRIO_ROLLBACK_TIER_TARGETED;
    /* No older image may return: the way back is a new build. */
    if (steps & OTAPRIO_ROLLBACK_STEP_FIX_FORWARD)
        confidence *= 0.5;
    /* A revert leaves what it cannot undo to restore steps that may fail. */
    if (reverts && (weak_causes & OTAPRIO_ROLLBACK_WEAK_IRREVERSIBLE))
        confidence *= 0.75;
    if (reverts && (weak_causes & OTAPRIO_ROLLBACK_WEAK_REVERT_DATA_LOSS))
        confidence *= 0.75;
    if (reverts && (weak_causes & OTAPRIO_ROLLBACK_WEAK_UNTESTED))
        confidence *= 0.75;
    /* A switch flipped to stop harm that is already destroying data does
     * not bring the data back. */
    if (!reverts && in->data_loss >= OTAPRIO_LEVEL_MODERATE)
        confidence *= 0.75;
    /* Exempting cohorts that cannot be seen by build may miss devices. */
    if (tier == OTAPRIO_ROLLBACK_TIER_EXEMPTION &&
        (weak_causes & OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY))
        confidence *= 0.75;
    /* A full rollback chosen because nothing localised the failure may be
     * more than was needed; it still suffices, so no discount there. */
    return confidence;
}
