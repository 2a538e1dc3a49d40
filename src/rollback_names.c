/* SPDX-License-Identifier: MIT */
/* The names hosts print for the rollback engine's codes. */
#include "rollback_internal.h"

const char *otaprio_rollback_tier_name(int32_t tier)
{
    static const char *const names[] = {"none",
                                        "feature flag",
                                        "server config",
                                        "targeted exemption",
                                        "targeted rollback",
                                        "full rollback"};
    return OTAPRIO__NAME_AT(names, tier);
}

const char *otaprio_rollback_reason_name(int32_t reason)
{
    static const char *const names[] = {
        [OTAPRIO_ROLLBACK_REASON_NOTHING_AFFECTED] = "nothing affected",
        [OTAPRIO_ROLLBACK_REASON_FLAG_COVERS] = "feature flag covers it",
        [OTAPRIO_ROLLBACK_REASON_CONFIG_COVERS] = "config switch covers it",
        [OTAPRIO_ROLLBACK_REASON_CONFINED] = "confined to few cohorts",
        [OTAPRIO_ROLLBACK_REASON_CONFINED_BY_BUILD] =
            "confined to cohorts known by build",
        [OTAPRIO_ROLLBACK_REASON_NOTHING_LIGHTER] = "nothing lighter suffices",
        [OTAPRIO_ROLLBACK_REASON_LAYER_CODE] = "failure in the layer's code",
        [OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND] = "layer below userland",
        [OTAPRIO_ROLLBACK_REASON_NO_FLAG] = "no feature flag",
        [OTAPRIO_ROLLBACK_REASON_NO_CONFIG_SWITCH] = "no config switch",
        [OTAPRIO_ROLLBACK_REASON_NO_EXEMPTION_LIST] = "no exemption list",
        [OTAPRIO_ROLLBACK_REASON_UNLOCALISED] = "spread over strata unknown",
        [OTAPRIO_ROLLBACK_REASON_WIDESPREAD] = "widespread",
        [OTAPRIO_ROLLBACK_REASON_NOT_IDENTIFIABLE] =
            "cohorts cannot be told apart",
        [OTAPRIO_ROLLBACK_REASON_NO_BUILD_VISIBILITY] = "builds not visible",
        [OTAPRIO_ROLLBACK_REASON_FLEET_EXPOSED] = "fleet already exposed",
        [OTAPRIO_ROLLBACK_REASON_DATA_LOSS] = "failure destroys data",
    };
    return OTAPRIO__NAME_AT(names, reason);
}

const char *otaprio_rollback_step_name(uint32_t step)
{
    static const char *const names[OTAPRIO_ROLLBACK_STEP_COUNT] = {
        "pause rollout",      "exemption list",
        "feature flag off",   "config restore",
        "A/B slot switch",    "image downgrade",
        "fix forward",        "key restore",
        "data restore",       "service re-registration",
        "cache invalidation", "user notification"};
    return OTAPRIO__NAME_OF_BIT(names, step);
}

const char *otaprio_rollback_weakness_name(uint32_t cause)
{
    static const char *const names[OTAPRIO_ROLLBACK_WEAK_COUNT] = {
        "no A/B slot",        "no downgrade allowed", "irreversible change",
        "poor observability", "revert loses data",    "untested path back"};
    return OTAPRIO__NAME_OF_BIT(names, cause);
}

const char *otaprio_rollback_drill_status_name(int32_t status)
{
    static const char *const names[] = {"covered", "untested", "failed"};
    return OTAPRIO__NAME_AT(names, status);
}
