/* SPDX-License-Identifier: MIT */
/*
 * Rollout shapes: the waves and soak windows of each tier. The more urgent
 * the fix, the fewer and shorter the steps; the harder the layer is to
 * recover or the weaker the way back, the longer each soak and the
 * narrower each canary. Every table here is in docs/plan.md.
 */
#include <string.h>

#include "plan_internal.h"

typedef struct shape_table {
    double ring_soak[2];
    uint32_t waves;
    double fraction[OTAPRIO__PLAN_MAX_COHORT_WAVES];
    double soak[OTAPRIO__PLAN_MAX_COHORT_WAVES];
} shape_table;

/* An accelerated fleet-wide push: a 1% and a 10% step an hour or two
 * apart, then everyone; the guardrails keep watching throughout. */
static const shape_table accelerated = {{0, 0}, 3, {0.01, 0.10, 1}, {1, 2, 0}};

/* T1 to T3, after the dogfood and employee stages. */
static const shape_table tiers[3] = {
    {{4, 8}, 4, {0.01, 0.10, 0.50, 1}, {12, 12, 12, 0}},
    {{24, 24}, 5, {0.001, 0.01, 0.05, 0.25, 1}, {24, 24, 48, 48, 0}},
    {{48, 48}, 5, {0.001, 0.01, 0.05, 0.25, 1}, {48, 72, 72, 72, 0}},
};

/* Recovery from a bad image gets harder down the stack. */
static double layer_soak(int32_t layer)
{
    switch (layer) {
    case OTAPRIO_LAYER_APP:
    case OTAPRIO_LAYER_CONFIG:
        return 1.0;
    case OTAPRIO_LAYER_OS:
        return 1.5;
    case OTAPRIO_LAYER_KERNEL:
        return 2.0;
    default: /* bootloader, baseband, battery management */
        return 3.0;
    }
}

/* The longest wait any of the delayed failures asks for. */
static double delayed_soak(uint32_t delayed)
{
    double hours = 0.0;
    if ((delayed & OTAPRIO_PLAN_DELAYED_THERMAL) && hours < 24.0)
        hours = 24.0;
    if ((delayed & OTAPRIO_PLAN_DELAYED_BATTERY) && hours < 48.0)
        hours = 48.0;
    if ((delayed & OTAPRIO_PLAN_DELAYED_STORAGE) && hours < 72.0)
        hours = 72.0;
    return hours;
}

static double soak_of(double base, double scale, double minimum)
{
    double hours = base * scale;
    return hours < minimum ? minimum : hours;
}

void otaprio__plan_shape_of(int32_t tier, int accelerated_push, int32_t layer,
                            uint32_t delayed,
                            const otaprio_rollback_decision *rollback,
                            otaprio__plan_shape *shape)
{
    int fast = accelerated_push || tier == OTAPRIO_TIER_T0;
    const shape_table *t = fast ? &accelerated : &tiers[tier - 1];
    double scale = layer_soak(layer) * rollback->soak_factor;
    /* An accelerated push does not wait for slow failures: its guardrails
     * go on watching after the last step, and a fix for an exploited hole
     * cannot wait two days. */
    double minimum = fast ? 0.0 : delayed_soak(delayed);

    memset(shape, 0, sizeof *shape);
    shape->accelerated = fast;
    shape->maintenance = !fast && tier == OTAPRIO_TIER_T3;
    shape->waves = t->waves;
    for (int r = 0; r < 2; r++)
        shape->ring_soak[r] =
            fast ? 0.0 : soak_of(t->ring_soak[r], scale, minimum);
    for (uint32_t k = 0; k < t->waves; k++) {
        int last = k + 1 == t->waves;
        shape->fraction[k] =
            last ? 1.0 : t->fraction[k] * rollback->wave_factor;
        shape->soak[k] = last ? 0.0 : soak_of(t->soak[k], scale, minimum);
    }
    if (minimum > 0.0)
        shape->notes |= OTAPRIO_PLAN_NOTE_DELAYED;
    if (rollback->weak)
        shape->notes |= OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK;
    if (shape->maintenance)
        shape->notes |= OTAPRIO_PLAN_NOTE_MAINTENANCE;
}

int otaprio__plan_shape_power(otaprio__plan_shape *shape, double needed,
                              uint64_t eligible)
{
    if (shape->waves < 2)
        return -1;
    if (eligible == 0 || needed >= (double)eligible)
        return -1;
    double fraction = needed / (double)eligible;
    if (fraction <= shape->fraction[0])
        return 0;
    /* Canary waves at or below the raised first one add nothing: drop
     * them, keep the rest (and the final wave of 1) after it. */
    uint32_t keep = 1;
    for (uint32_t k = 1; k < shape->waves; k++) {
        if (shape->fraction[k] <= fraction)
            continue;
        shape->fraction[keep] = shape->fraction[k];
        shape->soak[keep] = shape->soak[k];
        keep++;
    }
    shape->fraction[0] = fraction;
    shape->waves = keep;
    shape->notes |= OTAPRIO_PLAN_NOTE_POWER;
    return 1;
}

double otaprio__plan_shape_hours(const otaprio__plan_shape *shape,
                                 const int rings_present[2])
{
    double hours = 0.0;
    for (int r = 0; r < 2; r++)
        if (rings_present[r])
            hours += shape->ring_soak[r];
    for (uint32_t k = 0; k + 1 < shape->waves; k++)
        hours += shape->soak[k];
    return hours;
}
