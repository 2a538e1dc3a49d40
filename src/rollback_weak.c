/* SPDX-License-Identifier: MIT */
/*
 * When rollback is weak, and what a plan does about it. The reference
 * article's rule is to compensate a fleet that cannot truly roll back with
 * a more conservative rollout, tighter canary gates and a longer watch;
 * here each cause of weakness multiplies the wave fractions, the soak
 * windows and the guardrail tolerance by its documented factor, so more
 * causes never compensate less. The factors are products of binary
 * fractions and of 1.25 and 1.5, computed in a fixed order, so they are
 * the same on every platform.
 */
#include "rollback_internal.h"

static const struct {
    uint32_t cause;
    double wave;
    double soak;
    double tolerance;
} compensation[OTAPRIO_ROLLBACK_WEAK_COUNT] = {
    {OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT, 0.5, 1.5, 0.75},
    {OTAPRIO_ROLLBACK_WEAK_NO_DOWNGRADE, 0.5, 1.5, 0.75},
    {OTAPRIO_ROLLBACK_WEAK_IRREVERSIBLE, 0.5, 1.5, 0.75},
    {OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY, 0.5, 1.25, 0.75},
    {OTAPRIO_ROLLBACK_WEAK_REVERT_DATA_LOSS, 0.5, 1.5, 0.75},
    {OTAPRIO_ROLLBACK_WEAK_UNTESTED, 0.75, 1.25, 0.875},
};

/* The bounds keep a plan usable when every cause holds at once. */
#define WAVE_FLOOR 0.0625
#define SOAK_CAP 4.0
#define TOLERANCE_FLOOR 0.25

static uint32_t causes_of(const otaprio_rollback_input *in)
{
    uint32_t causes = 0;
    /* An app or a configuration comes back without an image slot. */
    bool image_layer =
        in->layer != OTAPRIO_LAYER_APP && in->layer != OTAPRIO_LAYER_CONFIG;
    if (image_layer && !(in->levers & OTAPRIO_ROLLBACK_LEVER_AB_SLOT))
        causes |= OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT;
    if (in->layer != OTAPRIO_LAYER_CONFIG &&
        !(in->levers & OTAPRIO_ROLLBACK_LEVER_DOWNGRADE))
        causes |= OTAPRIO_ROLLBACK_WEAK_NO_DOWNGRADE;
    if (in->changes != 0)
        causes |= OTAPRIO_ROLLBACK_WEAK_IRREVERSIBLE;
    if (!(in->observe & OTAPRIO_ROLLBACK_OBSERVE_BUILD) ||
        !otaprio__rollback_identifiable(in->observe))
        causes |= OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY;
    if (in->revert_data_loss >= OTAPRIO_LEVEL_MODERATE)
        causes |= OTAPRIO_ROLLBACK_WEAK_REVERT_DATA_LOSS;
    if (in->untested_classes > 0)
        causes |= OTAPRIO_ROLLBACK_WEAK_UNTESTED;
    return causes;
}

void otaprio__rollback_weakness(const otaprio_rollback_input *in,
                                otaprio_rollback_decision *d)
{
    uint32_t causes = causes_of(in);
    double wave = 1.0, soak = 1.0, tolerance = 1.0;
    for (int i = 0; i < OTAPRIO_ROLLBACK_WEAK_COUNT; i++)
        if (causes & compensation[i].cause) {
            wave *= compensation[i].wave;
            soak *= compensation[i].soak;
            tolerance *= compensation[i].tolerance;
        }
    d->weak = causes != 0;
    d->weak_causes = causes;
    d->wave_factor = wave < WAVE_FLOOR ? WAVE_FLOOR : wave;
    d->soak_factor = soak > SOAK_CAP ? SOAK_CAP : soak;
    d->tolerance_factor =
        tolerance < TOLERANCE_FLOOR ? TOLERANCE_FLOOR : tolerance;
}
