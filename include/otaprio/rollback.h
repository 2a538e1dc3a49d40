/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/rollback.h
 * @brief Rollback engine: the smallest response that undoes a failing
 *        update, the restore steps it implies, how weak rollback is and how
 *        a plan compensates, and which device classes have no tested way
 *        back.
 *
 * Responses are tiered by harm: a feature flag, a server-side config
 * switch, a targeted exemption list, a targeted image rollback, a full
 * rollback. otaprio_rollback_decide() takes what the failure touches, how
 * far it has spread, the levers the fleet has, what the update changed that
 * a binary revert does not undo, the data at stake and how well devices can
 * be told apart, and returns the lightest tier that suffices, with its
 * restore steps, a confidence, reasons in order of weight, and whether
 * rollback is weak (then by how much a plan should narrow its waves,
 * lengthen its soak and tighten its guardrails).
 *
 * otaprio_rollback_drill_check() compares the device classes of a fleet
 * (with their low storage, stale credentials and intermittent
 * connectivity) with the results of rollback drills and reports the
 * classes that have no tested path back.
 *
 * Every rule is a documented table (docs/rollback.md); the functions are
 * pure computation: they allocate nothing, keep no state, and may be called
 * from any number of threads at once.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_ROLLBACK_H
#define OTAPRIO_ROLLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/common.h"
#include "otaprio/risk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== what failed ======================================================= */

/**
 * @brief Which part of its layer (an ::otaprio_layer) a failure touches.
 * @since 0.1.0
 */
typedef enum otaprio_rollback_part {
    /** The layer's code as a whole (no switch reaches it alone).
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_PART_LAYER = 0,
    /** A feature a switch can turn off. @since 0.1.0 */
    OTAPRIO_ROLLBACK_PART_FEATURE = 1,
    /** An authentication or login flow a switch can turn off.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_PART_AUTH_FLOW = 2
} otaprio_rollback_part;

/** @brief Levers the fleet has to undo a change (bit flags). @since 0.1.0 */
typedef enum otaprio_rollback_lever {
    /** A remote feature flag guards the failing feature. @since 0.1.0 */
    OTAPRIO_ROLLBACK_LEVER_FEATURE_FLAG = 1u << 0,
    /** A server-side configuration switch restores the previous
     *  behaviour. @since 0.1.0 */
    OTAPRIO_ROLLBACK_LEVER_SERVER_CONFIG = 1u << 1,
    /** An exemption list can stop delivery to chosen cohorts.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_LEVER_EXEMPTION = 1u << 2,
    /** The package installs to an A/B slot that keeps the previous image.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_LEVER_AB_SLOT = 1u << 3,
    /** Devices may boot or install an older image (no anti-rollback
     *  protection forbids it). @since 0.1.0 */
    OTAPRIO_ROLLBACK_LEVER_DOWNGRADE = 1u << 4
} otaprio_rollback_lever;

/** @brief Every defined ::otaprio_rollback_lever bit. @since 0.1.0 */
#define OTAPRIO_ROLLBACK_LEVER_ALL 0x1Fu

/** @brief What an update changed that reverting its binary does not undo
 *         (bit flags). @since 0.1.0 */
typedef enum otaprio_rollback_change {
    /** Device policy (settings, permissions, enrolment). @since 0.1.0 */
    OTAPRIO_ROLLBACK_CHANGE_POLICY = 1u << 0,
    /** Encryption keys or certificates were rotated. @since 0.1.0 */
    OTAPRIO_ROLLBACK_CHANGE_KEYS = 1u << 1,
    /** Servers now expect the new behaviour (protocol, API, schema).
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_CHANGE_SERVER = 1u << 2,
    /** On-device data was migrated to a new format. @since 0.1.0 */
    OTAPRIO_ROLLBACK_CHANGE_DATA_MIGRATION = 1u << 3
} otaprio_rollback_change;

/** @brief Every defined ::otaprio_rollback_change bit. @since 0.1.0 */
#define OTAPRIO_ROLLBACK_CHANGE_ALL 0x0Fu

/** @brief What the host can tell devices apart by (bit flags).
 *  @since 0.1.0 */
typedef enum otaprio_rollback_observe {
    /** Which build each device runs. @since 0.1.0 */
    OTAPRIO_ROLLBACK_OBSERVE_BUILD = 1u << 0,
    /** Each device's region. @since 0.1.0 */
    OTAPRIO_ROLLBACK_OBSERVE_REGION = 1u << 1,
    /** Each device's carrier. @since 0.1.0 */
    OTAPRIO_ROLLBACK_OBSERVE_CARRIER = 1u << 2,
    /** Each device's model or SKU. @since 0.1.0 */
    OTAPRIO_ROLLBACK_OBSERVE_MODEL = 1u << 3
} otaprio_rollback_observe;

/** @brief Every defined ::otaprio_rollback_observe bit. @since 0.1.0 */
#define OTAPRIO_ROLLBACK_OBSERVE_ALL 0x0Fu

/**
 * @brief A failure and what the fleet can do about it.
 *
 * Prepare with otaprio_rollback_input_init(): every field starts at its
 * "nothing known" value, which is the cautious one: an app-layer failure of
 * the layer's code that has spread nowhere, no lever, no irreversible
 * change, no data at stake, and devices that cannot be told apart.
 * @since 0.1.0
 */
typedef struct otaprio_rollback_input {
    /** Caller's `sizeof(otaprio_rollback_input)`, set by
     *  otaprio_rollback_input_init(). @since 0.1.0 */
    size_t size;
    /** The ::otaprio_layer the failure is in; default
     *  #OTAPRIO_LAYER_APP. @since 0.1.0 */
    int32_t layer;
    /** The ::otaprio_rollback_part it touches; default
     *  #OTAPRIO_ROLLBACK_PART_LAYER. @since 0.1.0 */
    int32_t part;
    /** Share of the canary showing the failure, in [0, 1]; default 0.
     *  @since 0.1.0 */
    double canary_share;
    /** Share of the whole fleet showing it, in [0, 1]; default 0.
     *  @since 0.1.0 */
    double fleet_share;
    /** Strata where the failure shows (for instance the failing strata
     *  of the guardrail report); when it is not localised, set it to
     *  otaprio_rollback_input::strata_total. Default 0. @since 0.1.0 */
    uint32_t strata_affected;
    /** Strata the fleet is split into; 0 (default) when unknown. When
     *  non-zero, at least otaprio_rollback_input::strata_affected.
     *  @since 0.1.0 */
    uint32_t strata_total;
    /** Shared-fate clusters where the failure shows; default 0.
     *  @since 0.1.0 */
    uint32_t clusters_affected;
    /** Shared-fate clusters in the fleet; 0 (default) when unknown. When
     *  non-zero, at least otaprio_rollback_input::clusters_affected.
     *  @since 0.1.0 */
    uint32_t clusters_total;
    /** The levers that exist: ::otaprio_rollback_lever bits; default 0.
     *  @since 0.1.0 */
    uint32_t levers;
    /** What a binary revert does not undo: ::otaprio_rollback_change
     *  bits; default 0. @since 0.1.0 */
    uint32_t changes;
    /** User data the failure itself destroys, an ::otaprio_level;
     *  default #OTAPRIO_LEVEL_NONE. @since 0.1.0 */
    int32_t data_loss;
    /** User data that reverting the image would lose (no state
     *  separation), an ::otaprio_level; default #OTAPRIO_LEVEL_NONE.
     *  @since 0.1.0 */
    int32_t revert_data_loss;
    /** What devices can be told apart by: ::otaprio_rollback_observe
     *  bits; default 0. @since 0.1.0 */
    uint32_t observe;
    /** Device classes with no tested path back (from
     *  otaprio_rollback_drill_check()); default 0. @since 0.1.0 */
    uint32_t untested_classes;
} otaprio_rollback_input;

/**
 * @brief Prepares a rollback input: nothing known yet.
 *
 * Call as `otaprio_rollback_input_init(&input)`; the macro passes
 * `sizeof(input)`. Thread-safe.
 * @param input the struct to prepare.
 * @param size the caller's `sizeof(otaprio_rollback_input)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_rollback_input_init(otaprio_rollback_input *input,
                                            size_t size);

/* ==== the decision ====================================================== */

/** @brief Rollback tiers, from lightest to gravest. @since 0.1.0 */
typedef enum otaprio_rollback_tier {
    /** Nothing to undo. @since 0.1.0 */
    OTAPRIO_ROLLBACK_TIER_NONE = 0,
    /** Turn a feature flag off. @since 0.1.0 */
    OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG = 1,
    /** Switch a server-side configuration back. @since 0.1.0 */
    OTAPRIO_ROLLBACK_TIER_SERVER_CONFIG = 2,
    /** Exempt the affected cohorts from the rollout. @since 0.1.0 */
    OTAPRIO_ROLLBACK_TIER_EXEMPTION = 3,
    /** Revert the image on the affected cohorts only. @since 0.1.0 */
    OTAPRIO_ROLLBACK_TIER_TARGETED = 4,
    /** Revert the image everywhere. @since 0.1.0 */
    OTAPRIO_ROLLBACK_TIER_FULL = 5
} otaprio_rollback_tier;

/**
 * @brief Restore steps a tier implies (bit flags), in the order to carry
 *        them out.
 * @since 0.1.0
 */
typedef enum otaprio_rollback_step {
    /** Stop the rollout everywhere. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_PAUSE_ROLLOUT = 1u << 0,
    /** Put the affected cohorts on the exemption list. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_EXEMPT = 1u << 1,
    /** Turn the feature flag off. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_FLAG_OFF = 1u << 2,
    /** Restore the previous configuration or policy. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_CONFIG_RESTORE = 1u << 3,
    /** Switch devices back to their other A/B slot. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_SLOT_SWITCH = 1u << 4,
    /** Install the previous image. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_IMAGE_DOWNGRADE = 1u << 5,
    /** No older image may come back: ship a corrective update instead.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_FIX_FORWARD = 1u << 6,
    /** Restore the previous keys or certificates. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_KEY_RESTORE = 1u << 7,
    /** Restore user data or reverse the data migration. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_DATA_RESTORE = 1u << 8,
    /** Have devices register with their services again. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_REREGISTER = 1u << 9,
    /** Invalidate caches that hold the new behaviour. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_CACHE_INVALIDATION = 1u << 10,
    /** Tell users and support what happened. @since 0.1.0 */
    OTAPRIO_ROLLBACK_STEP_NOTIFY_USERS = 1u << 11
} otaprio_rollback_step;

/** @brief Number of ::otaprio_rollback_step bits defined. @since 0.1.0 */
#define OTAPRIO_ROLLBACK_STEP_COUNT 12

/** @brief Why rollback is weak (bit flags). @since 0.1.0 */
typedef enum otaprio_rollback_weakness {
    /** An image layer (OS and below) has no A/B slot to fall back to.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_WEAK_NO_AB_SLOT = 1u << 0,
    /** No older image may be installed or booted. @since 0.1.0 */
    OTAPRIO_ROLLBACK_WEAK_NO_DOWNGRADE = 1u << 1,
    /** The update changed what a binary revert does not undo.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_WEAK_IRREVERSIBLE = 1u << 2,
    /** Devices cannot be told apart by build and by cohort (region,
     *  carrier or model). @since 0.1.0 */
    OTAPRIO_ROLLBACK_WEAK_POOR_OBSERVABILITY = 1u << 3,
    /** Reverting would lose user data (moderate or worse). @since 0.1.0 */
    OTAPRIO_ROLLBACK_WEAK_REVERT_DATA_LOSS = 1u << 4,
    /** Some device classes have no tested path back. @since 0.1.0 */
    OTAPRIO_ROLLBACK_WEAK_UNTESTED = 1u << 5
} otaprio_rollback_weakness;

/** @brief Number of ::otaprio_rollback_weakness bits defined.
 *  @since 0.1.0 */
#define OTAPRIO_ROLLBACK_WEAK_COUNT 6

/** @brief Why a tier was chosen or a lighter one ruled out. @since 0.1.0 */
typedef enum otaprio_rollback_reason {
    /** Chosen: the failure shows nowhere. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NOTHING_AFFECTED = 1,
    /** Chosen: a feature flag turns the failing part off. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_FLAG_COVERS = 2,
    /** Chosen: a server-side switch restores the previous behaviour.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_CONFIG_COVERS = 3,
    /** Chosen: the failure is confined to a few identifiable cohorts, early
     *  enough to leave the devices already hit alone. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_CONFINED = 4,
    /** Chosen: confined cohorts, told apart by build, are reverted.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_CONFINED_BY_BUILD = 5,
    /** Chosen: nothing lighter suffices. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NOTHING_LIGHTER = 6,
    /** Ruled out: the failure is in the layer's code, not in a
     *  switchable feature or configuration. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_LAYER_CODE = 16,
    /** Ruled out: the layer lies below the userland where switches act
     *  and where affected devices keep working (kernel, bootloader,
     *  baseband, battery management). @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND = 17,
    /** Ruled out: no feature flag. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NO_FLAG = 18,
    /** Ruled out: no server-side config switch. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NO_CONFIG_SWITCH = 19,
    /** Ruled out: no exemption list. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NO_EXEMPTION_LIST = 20,
    /** Ruled out: how the failure spreads over strata is unknown.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_UNLOCALISED = 21,
    /** Ruled out: more than half the strata, shared-fate clusters or
     *  canary show the failure. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_WIDESPREAD = 22,
    /** Ruled out: cohorts cannot be told apart by region, carrier or
     *  model. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NOT_IDENTIFIABLE = 23,
    /** Ruled out: devices cannot be told apart by build. @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_NO_BUILD_VISIBILITY = 24,
    /** Ruled out: more than 1% of the fleet already shows the failure.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_FLEET_EXPOSED = 25,
    /** Ruled out: the failure destroys user data (moderate or worse).
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_REASON_DATA_LOSS = 26
} otaprio_rollback_reason;

/** @brief Capacity of otaprio_rollback_decision::reasons. @since 0.1.0 */
#define OTAPRIO_ROLLBACK_MAX_REASONS 8

/**
 * @brief The decision: tier, restore steps, confidence, reasons, and how
 *        weak rollback is.
 *
 * Filled by otaprio_rollback_decide(); the caller sets `size`.
 * @since 0.1.0
 */
typedef struct otaprio_rollback_decision {
    /** Caller's `sizeof(otaprio_rollback_decision)`. @since 0.1.0 */
    size_t size;
    /** The lightest sufficient ::otaprio_rollback_tier. @since 0.1.0 */
    int32_t tier;
    /** Its restore steps: ::otaprio_rollback_step bits. @since 0.1.0 */
    uint32_t steps;
    /** How sure the tier resolves the failure with these steps, in
     *  (0, 1]; docs/rollback.md lists the discounts. @since 0.1.0 */
    double confidence;
    /** Number of entries in otaprio_rollback_decision::reasons.
     *  @since 0.1.0 */
    uint32_t reason_count;
    /** ::otaprio_rollback_reason codes in order of weight: why this tier,
     *  then why each lighter tier was ruled out, nearest first.
     *  @since 0.1.0 */
    int32_t reasons[OTAPRIO_ROLLBACK_MAX_REASONS];
    /** 1 when rollback is weak (otaprio_rollback_decision::weak_causes is
     *  not 0), else 0. @since 0.1.0 */
    int32_t weak;
    /** ::otaprio_rollback_weakness bits. @since 0.1.0 */
    uint32_t weak_causes;
    /** Factor a plan applies to its wave fractions, in [1/16, 1]: 1 when
     *  rollback is strong. @since 0.1.0 */
    double wave_factor;
    /** Factor a plan applies to its soak windows, in [1, 4]. @since 0.1.0 */
    double soak_factor;
    /** Factor a plan applies to its guardrails' tolerance
     *  (otaprio_guard_options::tolerance_scale), in [1/4, 1].
     *  @since 0.1.0 */
    double tolerance_factor;
} otaprio_rollback_decision;

/**
 * @brief Decides the rollback tier for a failure.
 *
 * Deterministic: the rules are the table in docs/rollback.md. More spread
 * never gives a lighter tier, removing a lever never gives a lighter tier,
 * and adding an irreversible change never makes rollback stronger.
 * Allocates nothing. Thread-safe.
 * @param input the failure.
 * @param[out] decision receives the decision; its `size` must be set.
 *             Untouched on failure.
 * @param[out] diag optional; names the offending field on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL argument;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for an unknown enum
 *         value or flag bit, a share outside [0, 1] (NaN included), or
 *         more strata or clusters affected than there are.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_rollback_decide(const otaprio_rollback_input *input,
                                        otaprio_rollback_decision *decision,
                                        otaprio_diag *diag);

/* ==== rollback drills =================================================== */

/** @brief Conditions a device class lives under, or a drill ran under (bit
 *         flags). @since 0.1.0 */
typedef enum otaprio_rollback_condition {
    /** Little free storage. @since 0.1.0 */
    OTAPRIO_ROLLBACK_CONDITION_LOW_STORAGE = 1u << 0,
    /** Expired or stale credentials. @since 0.1.0 */
    OTAPRIO_ROLLBACK_CONDITION_STALE_CREDENTIALS = 1u << 1,
    /** Intermittent connectivity. @since 0.1.0 */
    OTAPRIO_ROLLBACK_CONDITION_INTERMITTENT = 1u << 2
} otaprio_rollback_condition;

/** @brief Every defined ::otaprio_rollback_condition bit. @since 0.1.0 */
#define OTAPRIO_ROLLBACK_CONDITION_ALL 0x07u

/**
 * @brief The device classes of a fleet, as columns of
 *        otaprio_rollback_classes::count elements.
 *
 * Prepare with otaprio_rollback_classes_init(). A class is the host's own
 * id together with its conditions, so one id may appear with several
 * condition sets.
 * @since 0.1.0
 */
typedef struct otaprio_rollback_classes {
    /** Caller's `sizeof(otaprio_rollback_classes)`. @since 0.1.0 */
    size_t size;
    /** Number of classes. @since 0.1.0 */
    size_t count;
    /** The host's class ids; required when `count` is not 0.
     *  @since 0.1.0 */
    const uint64_t *class_id;
    /** ::otaprio_rollback_condition bits; NULL for none. @since 0.1.0 */
    const uint8_t *conditions;
} otaprio_rollback_classes;

/**
 * @brief Prepares a class table: no classes, every column NULL.
 *
 * Call as `otaprio_rollback_classes_init(&classes)`. Thread-safe.
 * @param classes the struct to prepare.
 * @param size the caller's `sizeof(otaprio_rollback_classes)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_rollback_classes_init(otaprio_rollback_classes *classes,
                                              size_t size);

/**
 * @brief Rollback drill results, as columns of
 *        otaprio_rollback_drills::count elements: one row per drill.
 *
 * Prepare with otaprio_rollback_drills_init().
 * @since 0.1.0
 */
typedef struct otaprio_rollback_drills {
    /** Caller's `sizeof(otaprio_rollback_drills)`. @since 0.1.0 */
    size_t size;
    /** Number of drills. @since 0.1.0 */
    size_t count;
    /** The class each drill ran on; required when `count` is not 0.
     *  @since 0.1.0 */
    const uint64_t *class_id;
    /** ::otaprio_rollback_condition bits the drill ran under; NULL for
     *  none. @since 0.1.0 */
    const uint8_t *conditions;
    /** 1 when the path back was exercised, 0 when the drill was planned
     *  but not run (the row then counts for nothing); NULL for all 1.
     *  @since 0.1.0 */
    const uint8_t *tested;
    /** 1 when the device came back to its previous build and working
     *  state; required when `count` is not 0. @since 0.1.0 */
    const uint8_t *succeeded;
} otaprio_rollback_drills;

/**
 * @brief Prepares a drill table: no drills, every column NULL.
 *
 * Call as `otaprio_rollback_drills_init(&drills)`. Thread-safe.
 * @param drills the struct to prepare.
 * @param size the caller's `sizeof(otaprio_rollback_drills)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_rollback_drills_init(otaprio_rollback_drills *drills,
                                             size_t size);

/** @brief A device class's path back. @since 0.1.0 */
typedef enum otaprio_rollback_drill_status {
    /** A drill on the class, under the same or harsher conditions,
     *  succeeded, and none under exactly its conditions failed.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_DRILL_COVERED = 0,
    /** No drill on the class ran under the same or harsher conditions.
     *  @since 0.1.0 */
    OTAPRIO_ROLLBACK_DRILL_UNTESTED = 1,
    /** Drills ran, but every one under the same or harsher conditions
     *  failed, or one under exactly its conditions failed. @since 0.1.0 */
    OTAPRIO_ROLLBACK_DRILL_FAILED = 2
} otaprio_rollback_drill_status;

/**
 * @brief Reports which device classes have no tested path back.
 *
 * A drill covers a class when it ran on the same class id under at least
 * the class's conditions (each condition takes something away, storage,
 * credentials or connectivity, so a path that came back with less came
 * back with more). Time is proportional to classes times drills; nothing
 * is allocated. Every column is checked before anything is written.
 * Thread-safe.
 * @param classes the fleet's classes.
 * @param drills the drill results.
 * @param[out] status receives one ::otaprio_rollback_drill_status per
 *             class, or NULL.
 * @param[out] uncovered receives the number of classes that are not
 *             #OTAPRIO_ROLLBACK_DRILL_COVERED, or NULL.
 * @param[out] diag optional; names the column and row on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL table or a missing
 *         required column; #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for an
 *         unknown condition bit, a flag that is not 0 or 1, or a drill
 *         that succeeded without being tested.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_rollback_drill_check(const otaprio_rollback_classes *classes,
                             const otaprio_rollback_drills *drills,
                             uint8_t *status, size_t *uncovered,
                             otaprio_diag *diag);

/* ==== names ============================================================= */

/**
 * @brief Names a tier: "none", "feature flag", "server config",
 *        "targeted exemption", "targeted rollback", "full rollback".
 * @param tier an ::otaprio_rollback_tier.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_rollback_tier_name(int32_t tier);

/**
 * @brief Names a reason: "feature flag covers it", "widespread" and so on.
 * @param reason an ::otaprio_rollback_reason.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_rollback_reason_name(int32_t reason);

/**
 * @brief Names one restore step: "config restore", "cache invalidation"...
 * @param step a single ::otaprio_rollback_step bit.
 * @return a static string, or NULL otherwise.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_rollback_step_name(uint32_t step);

/**
 * @brief Names one weakness: "no A/B slot", "irreversible change"...
 * @param cause a single ::otaprio_rollback_weakness bit.
 * @return a static string, or NULL otherwise.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_rollback_weakness_name(uint32_t cause);

/**
 * @brief Names a drill status: "covered", "untested", "failed".
 * @param status an ::otaprio_rollback_drill_status.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_rollback_drill_status_name(int32_t status);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_rollback_input_init(input) \
    otaprio_rollback_input_init((input), sizeof(*(input)))
#define otaprio_rollback_classes_init(classes) \
    otaprio_rollback_classes_init((classes), sizeof(*(classes)))
#define otaprio_rollback_drills_init(drills) \
    otaprio_rollback_drills_init((drills), sizeof(*(drills)))
/** @endcond */

#endif /* OTAPRIO_ROLLBACK_H */
