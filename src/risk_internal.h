/* SPDX-License-Identifier: MIT */
/*
 * The compiled risk model shared by the risk engine's files. Every weight
 * is turned into whole thousandths of a point once, at build time, so that
 * scoring is integer addition and explanations add up exactly.
 */
#ifndef OTAPRIO_RISK_INTERNAL_H
#define OTAPRIO_RISK_INTERNAL_H

#include <math.h>

#include "internal.h"
#include "otaprio/risk.h"

/* Named values of the enums the tables are indexed by. */
enum {
    RISK_ISSUE_CLASSES = 5,
    RISK_LEVELS = 5,
    RISK_ATTACK_PATHS = 5,
    RISK_EXPLOITS = 3,
    RISK_LAYERS = 7,
    RISK_SEVERITIES = 4,
    RISK_CUSTOMER_TIERS = 4,
    RISK_EXPOSURES = 3,
    RISK_UPTIMES = 3,
    RISK_LINKS = 5,
    RISK_SCORE_MAX_MILLI = 100000,
    /* Every (class, customer tier, exposure, redundant, uptime) a device
     * can have: its criticality is one table lookup. */
    RISK_CRITICALITY_COMBOS = OTAPRIO_DEVICE_CLASS_MAX * RISK_CUSTOMER_TIERS *
                              RISK_EXPOSURES * 2 * RISK_UPTIMES
};

struct otaprio__risk_terms;
struct otaprio__risk_columns;
struct otaprio__risk_out;

/* One build of the per-device loops (see risk_kernel.h). */
typedef struct otaprio__risk_kernels {
    /* Scores n devices of a block. */
    void (*score)(const struct otaprio_risk_model *m,
                  const struct otaprio__risk_terms *t,
                  const struct otaprio__risk_columns *b, size_t n,
                  const struct otaprio__risk_out *out);
    /* Whether any of `count` bytes is at least `limit`. */
    int (*any_at_least)(const uint8_t *column, size_t count, uint8_t limit);
    /* Whether any of `count` batteries is NaN or outside [0, 1]. */
    int (*any_battery_outside)(const float *battery, size_t count);
    /* Whether any of `count` devices holds a value out of range in a
     * validated column; every one of those columns must be given. */
    int (*any_invalid)(const struct otaprio__risk_columns *b, size_t count);
    /* Adds n devices' dispositions and reason bits to a stream's totals. */
    void (*count)(const struct otaprio__risk_out *out, size_t n,
                  otaprio_risk_totals *totals);
} otaprio__risk_kernels;

struct otaprio_risk_model {
    otaprio__mem mem;
    int32_t kind;
    /* Chosen for this processor when the model is built; every build gives
     * the same answers. */
    const otaprio__risk_kernels *kernels;

    /* defect score */
    int64_t class_milli[RISK_ISSUE_CLASSES];
    int64_t severity_milli[RISK_SEVERITIES];
    int64_t attack_path_milli[RISK_ATTACK_PATHS];
    int64_t exploit_milli[RISK_EXPLOITS];
    int64_t automatable_milli;
    double epss_points;
    double share_points;
    double concentration_points;
    int64_t workflow_milli;
    int64_t workflow_cap_milli;
    double affected_class_points;
    int64_t layer_milli[RISK_LAYERS];
    int64_t ab_slot_milli;
    double anomaly_points;
    int64_t anomaly_growing_milli;
    int64_t masks_regression_milli;
    int64_t tier_milli[3];
    int32_t active_exploit_t0;
    int32_t cosmetic_t3;

    /* device criticality */
    double class_criticality[OTAPRIO_DEVICE_CLASS_MAX];
    int32_t device_class_milli[OTAPRIO_DEVICE_CLASS_MAX];
    int32_t customer_milli[RISK_CUSTOMER_TIERS];
    int32_t exposure_milli[RISK_EXPOSURES];
    int32_t no_redundancy_milli;
    int32_t uptime_milli[RISK_UPTIMES];

    /* Bounded criticality, and its share of the priority, by combination
     * (see otaprio__risk_combo()). */
    int32_t criticality_combo[RISK_CRITICALITY_COMBOS];
    int32_t criticality_part[RISK_CRITICALITY_COMBOS];

    /* priority */
    int64_t defect_share_milli;      /* thousandths of the defect score */
    int64_t criticality_share_milli; /* thousandths of the criticality */
    int64_t failed_attempt_milli;
    int64_t failed_attempt_cap_milli;
    uint32_t repeated_failures;
    /* Failed attempts past which the points stay at the cap; with it the
     * points fit int32 whatever the count. */
    uint32_t attempt_limit;
    /* Notices as 64-bit thresholds: 2^32 turns one off, as no count
     * reaches it. */
    uint64_t catch_up_limit;
    uint64_t repeated_limit;

    /* delivery risk and disposition */
    float battery_risk_level;
    double battery_scale; /* points per unit of battery deficit */
    float min_battery;
    int32_t link_milli[RISK_LINKS];
    int32_t metered_milli;
    int32_t storage_milli;
    int32_t safe_fallback_milli;
    double storage_headroom;
    uint64_t metered_max_bytes;
    uint32_t catch_up_days;
    int32_t t0_overrides_window;
    uint32_t excluded_classes;
};

/* Points (a weight times an input, in points) to whole thousandths,
 * nearest, halves away from zero: llround() does not depend on the
 * rounding mode, so every platform agrees. Inputs are validated to stay far
 * inside int64. */
static inline int64_t otaprio__milli(double points)
{
    return (int64_t)llround(points * 1000.0);
}

/* The place value of each factor in a combination's index: uptime
 * varies fastest, the device class slowest. */
enum {
    RISK_COMBO_REDUNDANT = RISK_UPTIMES,
    RISK_COMBO_EXPOSURE = 2 * RISK_COMBO_REDUNDANT,
    RISK_COMBO_TIER = RISK_EXPOSURES * RISK_COMBO_EXPOSURE,
    RISK_COMBO_CLASS = RISK_CUSTOMER_TIERS * RISK_COMBO_TIER
};

/* Index of a device's criticality in the model's combination tables; below
 * RISK_CRITICALITY_COMBOS, so 16 bits hold it. Unsigned int arithmetic,
 * which a vectoriser can narrow to 16-bit lanes. */
static inline uint32_t otaprio__risk_combo(uint8_t device_class,
                                           uint8_t customer_tier,
                                           uint8_t exposure, uint8_t redundant,
                                           uint8_t uptime)
{
    return (unsigned)device_class * RISK_COMBO_CLASS +
           (unsigned)customer_tier * RISK_COMBO_TIER +
           (unsigned)exposure * RISK_COMBO_EXPOSURE +
           (unsigned)redundant * RISK_COMBO_REDUNDANT + uptime;
}

/* Reads and validates a caller's issue score into `out`. */
int otaprio__risk_read_issue_score(otaprio_issue_score *out,
                                   const otaprio_issue_score *caller,
                                   otaprio_diag *diag);

/* Explanation lines, gathered on the stack so that nothing reaches the
 * caller's array unless all of it fits. */
enum { RISK_EXPLAIN_MAX = 48 };

typedef struct otaprio__explain {
    otaprio_factor_points lines[RISK_EXPLAIN_MAX];
    size_t count;
} otaprio__explain;

void otaprio__explain_add(otaprio__explain *explain, int32_t score,
                          int32_t factor, double input, int64_t milli);

/* Clamps a score to [0, 100] points, explaining the adjustment. */
int64_t otaprio__explain_bound(otaprio__explain *explain, int32_t score,
                               int64_t milli);

/* Reports the line count and copies the lines when `items` can hold them
 * all; fails with OTAPRIO_E_RANGE, writing no line, when it cannot. */
int otaprio__explain_emit(const otaprio__explain *explain,
                          otaprio_factor_points *items, size_t capacity,
                          size_t *count, otaprio_diag *diag);

/* Adds n devices' dispositions and reason bits to totals (devices,
 * by_disposition, by_reason), with the fastest build the model chose:
 * a stream's totals, and the planner's counts (risk_count.c). */
void otaprio__risk_count(const otaprio_risk_model *model,
                         const uint8_t *disposition, const uint32_t *reasons,
                         size_t n, otaprio_risk_totals *totals);

#endif
