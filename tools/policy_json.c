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
#include <string.h>

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
#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static const policy_field *find_field(const char *key)
{
    for (size_t i = 0; i < FIELD_COUNT; i++)
        if (strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

static void known_keys(char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        int written = snprintf(out + used, size - used, "%s%s",
                               i != 0 ? ", " : "", fields[i].key);
        if (written < 0 || (size_t)written >= size - used)
            return; /* the buffer is sized for the whole list */
        used += (size_t)written;
    }
}

static int read_field(const cli_json_where *where, const policy_field *field,
                      json_t *value, otaprio_risk_policy *policy)
{
    void *target = (char *)policy + field->offset;
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

int cli_policy_read(const char *who, const char *path,
                    otaprio_risk_policy *policy)
{
    json_t *root = cli_json_load_object(who, path, "policy");
    if (root == NULL)
        return CLI_EXIT_FAILURE;
    const char *shown = strcmp(path, "-") == 0 ? "standard input" : path;
    int status = 0;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        const policy_field *field = find_field(key);
        if (field == NULL) {
            char known[1024];
            known_keys(known, sizeof known);
            status = cli_json_unknown_key(who, shown, "policy", key, known);
            break;
        }
        cli_json_where where = {who, shown, key, -1};
        status = read_field(&where, field, value, policy);
        if (status != 0)
            break;
    }
    json_decref(root);
    return status;
}
