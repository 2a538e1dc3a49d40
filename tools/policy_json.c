/* SPDX-License-Identifier: MIT */
/*
 * A policy file: a JSON object whose keys are otaprio_risk_policy fields
 * by name. Keys left out keep the library's defaults. Numbers for weights,
 * arrays of numbers for tables (an array sets the table's first entries;
 * the rest keep their defaults), true/false for switches, "scorecard" or
 * "ssvc" for the model, and device class names or numbers for the
 * excluded classes. The library validates the result and names the field.
 */
#include <stddef.h>

#include "cli.h"

typedef enum policy_kind {
    POLICY_MODEL,  /* int32_t, as a word */
    POLICY_REAL,   /* double */
    POLICY_TABLE,  /* double[length] */
    POLICY_FLAG,   /* int32_t 0/1, as true/false */
    POLICY_U32,    /* uint32_t */
    POLICY_U64,    /* uint64_t */
    POLICY_CLASSES /* uint32_t class bits */
} policy_kind;

typedef struct policy_field {
    const char *key;
    policy_kind kind;
    size_t offset;
    size_t length; /* POLICY_TABLE: entries */
} policy_field;

#define MEMBER(key) (((otaprio_risk_policy *)NULL)->key)
#define FIELD(key, kind)                                  \
    {                                                     \
#key, kind, offsetof(otaprio_risk_policy, key), 0 \
    }
#define TABLE(key)                                              \
    {                                                           \
#key, POLICY_TABLE, offsetof(otaprio_risk_policy, key), \
            sizeof(MEMBER(key)) / sizeof(MEMBER(key)[0])        \
    }
static const policy_field fields[] = {
    FIELD(model, POLICY_MODEL),
    TABLE(class_points),
    TABLE(severity_points),
    TABLE(attack_path_points),
    TABLE(exploit_points),
    FIELD(automatable_points, POLICY_REAL),
    FIELD(epss_points, POLICY_REAL),
    FIELD(share_points, POLICY_REAL),
    FIELD(concentration_points, POLICY_REAL),
    FIELD(workflow_points, POLICY_REAL),
    FIELD(workflow_cap, POLICY_REAL),
    FIELD(affected_class_points, POLICY_REAL),
    TABLE(layer_points),
    FIELD(ab_slot_points, POLICY_REAL),
    FIELD(anomaly_points, POLICY_REAL),
    FIELD(anomaly_growing_points, POLICY_REAL),
    FIELD(masks_regression_points, POLICY_REAL),
    TABLE(tier_thresholds),
    FIELD(active_exploit_t0, POLICY_FLAG),
    FIELD(cosmetic_t3, POLICY_FLAG),
    TABLE(class_criticality),
    FIELD(class_points_device, POLICY_REAL),
    TABLE(customer_points),
    TABLE(exposure_points),
    FIELD(no_redundancy_points, POLICY_REAL),
    TABLE(uptime_points),
    FIELD(defect_share, POLICY_REAL),
    FIELD(criticality_share, POLICY_REAL),
    FIELD(failed_attempt_points, POLICY_REAL),
    FIELD(failed_attempt_cap, POLICY_REAL),
    FIELD(repeated_failures, POLICY_U32),
    FIELD(battery_risk_level, POLICY_REAL),
    FIELD(battery_points, POLICY_REAL),
    FIELD(min_battery, POLICY_REAL),
    TABLE(link_points),
    FIELD(metered_points, POLICY_REAL),
    FIELD(storage_points, POLICY_REAL),
    FIELD(safe_fallback_points, POLICY_REAL),
    FIELD(storage_headroom, POLICY_REAL),
    FIELD(metered_max_bytes, POLICY_U64),
    FIELD(catch_up_days, POLICY_U32),
    FIELD(t0_overrides_window, POLICY_FLAG),
    FIELD(excluded_classes, POLICY_CLASSES),
};
#undef TABLE
#undef FIELD
#undef MEMBER
static int read_field(const cli_json_where *where, const void *entry,
                      json_t *value, void *into)
{
    const policy_field *field = entry;
    void *target = (char *)into + field->offset;
    uint64_t number;
    switch (field->kind) {
    case POLICY_MODEL:
        return cli_json_name(where, value, &cli_names_model, target);
    case POLICY_REAL:
        return cli_json_real(where, value, target);
    case POLICY_TABLE:
        return cli_json_real_table(where, value, target, field->length);
    case POLICY_FLAG:
        return cli_json_flag(where, value, target);
    case POLICY_U32:
        if (cli_json_uint(where, value, UINT32_MAX, &number) != 0)
            return CLI_EXIT_FAILURE;
        *(uint32_t *)target = (uint32_t)number;
        return 0;
    case POLICY_U64:
        return cli_json_uint(where, value, UINT64_MAX, target);
    case POLICY_CLASSES:
        return cli_json_class_set(where, value, true, target);
    }
    return CLI_EXIT_FAILURE;
}

static const cli_json_fields policy_fields = {
    "policy", CLI_KEY_TABLE(policy_field, fields, key), read_field, NULL};

int cli_policy_read(const char *who, const char *path,
                    otaprio_risk_policy *policy)
{
    return cli_json_read_fields(who, path, &policy_fields, policy);
}
