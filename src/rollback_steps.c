/* SPDX-License-Identifier: MIT */
/*
 * The restore steps a tier implies. Reverting a binary does not undo what
 * the update changed around it (policy, keys, server expectations, migrated
 * data), so an image revert also restores those, re-registers devices and
 * invalidates caches that hold the new behaviour; the switches only undo
 * the behaviour they guard. docs/rollback.md has the table.
 */
#include "rollback_internal.h"

/* What must come back beside the image, one change at a time. */
static uint32_t change_steps(uint32_t changes)
{
    uint32_t steps = 0;
    if (changes & OTAPRIO_ROLLBACK_CHANGE_POLICY)
        steps |= OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE;
    if (changes & OTAPRIO_ROLLBACK_CHANGE_KEYS)
        steps |= OTAPRIO_ROLLBACK_STEP_KEY_RESTORE |
                 OTAPRIO_ROLLBACK_STEP_REREGISTER |
                 OTAPRIO_ROLLBACK_STEP_NOTIFY_USERS;
    if (changes & OTAPRIO_ROLLBACK_CHANGE_SERVER)
        steps |= OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE |
                 OTAPRIO_ROLLBACK_STEP_REREGISTER |
                 OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION;
    if (changes & OTAPRIO_ROLLBACK_CHANGE_DATA_MIGRATION)
        steps |= OTAPRIO_ROLLBACK_STEP_DATA_RESTORE;
    return steps;
}

/* How the previous build comes back: a configuration is pushed again; an
 * app is reinstalled; an image returns from the other slot when there is
 * one and booting an older image is allowed, by installing it when only
 * that is allowed; and nothing older returns under anti-rollback
 * protection. */
static uint32_t image_step(int32_t layer, uint32_t levers)
{
    if (layer == OTAPRIO_LAYER_CONFIG)
        return OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE;
    if (!(levers & OTAPRIO_ROLLBACK_LEVER_DOWNGRADE))
        return OTAPRIO_ROLLBACK_STEP_FIX_FORWARD;
    if (layer != OTAPRIO_LAYER_APP && (levers & OTAPRIO_ROLLBACK_LEVER_AB_SLOT))
        return OTAPRIO_ROLLBACK_STEP_SLOT_SWITCH;
    return OTAPRIO_ROLLBACK_STEP_IMAGE_DOWNGRADE;
}

static uint32_t image_revert_steps(const otaprio_rollback_input *in)
{
    uint32_t steps =
        image_step(in->layer, in->levers) | change_steps(in->changes);
    if (in->revert_data_loss >= OTAPRIO_LEVEL_MODERATE)
        steps |= OTAPRIO_ROLLBACK_STEP_DATA_RESTORE |
                 OTAPRIO_ROLLBACK_STEP_NOTIFY_USERS;
    if (in->data_loss >= OTAPRIO_LEVEL_MODERATE)
        steps |= OTAPRIO_ROLLBACK_STEP_NOTIFY_USERS;
    return steps;
}

/* A switched-off login flow leaves sessions it created behind. */
static uint32_t switch_extra(const otaprio_rollback_input *in)
{
    return in->part == OTAPRIO_ROLLBACK_PART_AUTH_FLOW
               ? OTAPRIO_ROLLBACK_STEP_REREGISTER
               : 0u;
}

uint32_t otaprio__rollback_steps(const otaprio_rollback_input *in, int32_t tier)
{
    switch (tier) {
    case OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG:
        return OTAPRIO_ROLLBACK_STEP_FLAG_OFF |
               OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION | switch_extra(in);
    case OTAPRIO_ROLLBACK_TIER_SERVER_CONFIG:
        return OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE |
               OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION | switch_extra(in);
    case OTAPRIO_ROLLBACK_TIER_EXEMPTION:
        return OTAPRIO_ROLLBACK_STEP_EXEMPT;
    case OTAPRIO_ROLLBACK_TIER_TARGETED:
        return OTAPRIO_ROLLBACK_STEP_EXEMPT | image_revert_steps(in);
    case OTAPRIO_ROLLBACK_TIER_FULL:
        return OTAPRIO_ROLLBACK_STEP_PAUSE_ROLLOUT | image_revert_steps(in);
    default:
        return 0;
    }
}
