/* SPDX-License-Identifier: MIT */
/* The risk policy: its defaults, its validation, and its compilation into
 * an immutable model of integer tables. */
#include <math.h>
#include <string.h>

#include "risk_kernel.h"

/* No weight may move a score by more than this many points: far beyond any
 * sensible policy, and small enough that sums of thousandths never come
 * near overflow. */
#define POINTS_LIMIT 1000.0

static const otaprio__layout policy_layout = {
    "otaprio_risk_policy", sizeof(otaprio_risk_policy),
    sizeof(otaprio_risk_policy), /* first published layout */
};

static void fill_defaults(otaprio_risk_policy *p)
{
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->model = OTAPRIO_RISK_MODEL_SCORECARD;
    const double class_points[] = {10, 6, 6, 2, -10};
    memcpy(p->class_points, class_points, sizeof class_points);
    const double severity[] = {16, 12, 10, 10};
    memcpy(p->severity_points, severity, sizeof severity);
    const double attack[] = {0, 1, 4, 7, 12};
    memcpy(p->attack_path_points, attack, sizeof attack);
    const double exploit[] = {0, 8, 18};
    memcpy(p->exploit_points, exploit, sizeof exploit);
    p->automatable_points = 6;
    p->epss_points = 10;
    p->share_points = 14;
    p->concentration_points = 4;
    p->workflow_points = 4;
    p->workflow_cap = 12;
    p->affected_class_points = 10;
    const double layer[] = {0, 0, -2, -4, -8, -8, -8};
    memcpy(p->layer_points, layer, sizeof layer);
    p->ab_slot_points = 4;
    p->anomaly_points = 20;
    p->anomaly_growing_points = 6;
    p->masks_regression_points = 20;
    p->tier_thresholds[0] = 70;
    p->tier_thresholds[1] = 50;
    p->tier_thresholds[2] = 25;
    p->active_exploit_t0 = 1;
    p->cosmetic_t3 = 1;
    const double criticality[] = {0.3, 0.2, 0.1, 0.4, 0.5, 0.8,
                                  0.6, 0.7, 0.9, 1.0, 0.9};
    for (size_t c = 0; c < OTAPRIO_DEVICE_CLASS_MAX; c++)
        p->class_criticality[c] = c < sizeof criticality / sizeof criticality[0]
                                      ? criticality[c]
                                      : 0.3;
    p->class_points_device = 40;
    const double customer[] = {0, 6, 12, 20};
    memcpy(p->customer_points, customer, sizeof customer);
    const double exposure[] = {0, 6, 15};
    memcpy(p->exposure_points, exposure, sizeof exposure);
    p->no_redundancy_points = 10;
    const double uptime[] = {0, 5, 15};
    memcpy(p->uptime_points, uptime, sizeof uptime);
    p->defect_share = 0.6;
    p->criticality_share = 0.4;
    p->failed_attempt_points = 3;
    p->failed_attempt_cap = 10;
    p->repeated_failures = 3;
    p->battery_risk_level = 0.5;
    p->battery_points = 40;
    p->min_battery = 0.2;
    const double link[] = {0, 3, 10, 20, 25};
    memcpy(p->link_points, link, sizeof link);
    p->metered_points = 10;
    p->storage_points = 20;
    p->safe_fallback_points = -10;
    p->storage_headroom = 2;
    p->metered_max_bytes = 50u * 1024u * 1024u;
    p->catch_up_days = 14;
    p->t0_overrides_window = 1;
    p->excluded_classes = 0;
}

int(otaprio_risk_policy_init)(otaprio_risk_policy *policy, size_t size)
{
    otaprio_risk_policy defaults;
    fill_defaults(&defaults);
    return otaprio__struct_init(policy, size, &defaults, &policy_layout);
}

/* ---- validation ------------------------------------------------------- */

/* Checks one number lies in [low, high] (NaN never does); `index` is -1
 * for a scalar field. */
static int check_range(otaprio_diag *diag, const char *field, int64_t index,
                       double value, double low, double high)
{
    if (value >= low && value <= high)
        return OTAPRIO_OK;
    if (index < 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                             "%s is %g; it must lie in [%g, %g]", field, value,
                             low, high);
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, index,
                         "%s[%lld] is %g; it must lie in [%g, %g]", field,
                         (long long)index, value, low, high);
}

/* A table indexed by an enum: `named` entries within [low, high], each at
 * least the one before when `rising`, and the reserved rest zero. */
static int check_table(otaprio_diag *diag, const char *field,
                       const double *table, size_t length, size_t named,
                       double low, double high, bool rising)
{
    for (size_t i = 0; i < length; i++) {
        int status =
            i < named
                ? check_range(diag, field, (int64_t)i, table[i], low, high)
                : check_range(diag, field, (int64_t)i, table[i], 0.0, 0.0);
        if (status != OTAPRIO_OK)
            return status;
        if (rising && i > 0 && i < named && table[i] < table[i - 1])
            return otaprio__fail(
                diag, OTAPRIO_E_RANGE, field, (int64_t)i,
                "%s[%zu] = %g is below %s[%zu] = %g; it must not decrease, "
                "so that a higher level never lowers a score",
                field, i, table[i], field, i - 1, table[i - 1]);
    }
    return OTAPRIO_OK;
}

static int check_flag(otaprio_diag *diag, const char *field, int32_t value)
{
    if (value == 0 || value == 1)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "%s is %d; it must be 0 or 1", field, (int)value);
}

#define P POINTS_LIMIT
#define CHECK OTAPRIO__TRY

static int validate_defect(const otaprio_risk_policy *p, otaprio_diag *diag)
{
    if (p->model != OTAPRIO_RISK_MODEL_SCORECARD &&
        p->model != OTAPRIO_RISK_MODEL_SSVC)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "model", -1,
                             "model is %d; it must be 0 (scorecard) or 1 "
                             "(SSVC)",
                             (int)p->model);
    CHECK(check_table(diag, "class_points", p->class_points, 8,
                      RISK_ISSUE_CLASSES, -P, P, false));
    CHECK(check_table(diag, "severity_points", p->severity_points, 4,
                      RISK_SEVERITIES, 0, P, false));
    CHECK(check_table(diag, "attack_path_points", p->attack_path_points, 8,
                      RISK_ATTACK_PATHS, -P, P, true));
    CHECK(check_table(diag, "exploit_points", p->exploit_points, 4,
                      RISK_EXPLOITS, -P, P, true));
    CHECK(check_range(diag, "automatable_points", -1, p->automatable_points, 0,
                      P));
    CHECK(check_range(diag, "epss_points", -1, p->epss_points, 0, P));
    CHECK(check_range(diag, "share_points", -1, p->share_points, 0, P));
    CHECK(check_range(diag, "concentration_points", -1, p->concentration_points,
                      0, P));
    CHECK(check_range(diag, "workflow_points", -1, p->workflow_points, 0, P));
    CHECK(check_range(diag, "workflow_cap", -1, p->workflow_cap, 0, P));
    CHECK(check_range(diag, "affected_class_points", -1,
                      p->affected_class_points, 0, P));
    CHECK(check_table(diag, "layer_points", p->layer_points, 8, RISK_LAYERS, -P,
                      P, false));
    CHECK(check_range(diag, "ab_slot_points", -1, p->ab_slot_points, -P, P));
    CHECK(check_range(diag, "anomaly_points", -1, p->anomaly_points, 0, P));
    CHECK(check_range(diag, "anomaly_growing_points", -1,
                      p->anomaly_growing_points, 0, P));
    CHECK(check_range(diag, "masks_regression_points", -1,
                      p->masks_regression_points, 0, P));
    for (int t = 0; t < 3; t++)
        CHECK(check_range(diag, "tier_thresholds", t, p->tier_thresholds[t], 0,
                          100));
    if (!(p->tier_thresholds[0] > p->tier_thresholds[1] &&
          p->tier_thresholds[1] > p->tier_thresholds[2]))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "tier_thresholds", -1,
                             "tier_thresholds {%g, %g, %g} must decrease "
                             "strictly: T0 above T1 above T2",
                             p->tier_thresholds[0], p->tier_thresholds[1],
                             p->tier_thresholds[2]);
    CHECK(check_flag(diag, "active_exploit_t0", p->active_exploit_t0));
    CHECK(check_flag(diag, "cosmetic_t3", p->cosmetic_t3));
    return OTAPRIO_OK;
}

static int validate_device(const otaprio_risk_policy *p, otaprio_diag *diag)
{
    for (int c = 0; c < OTAPRIO_DEVICE_CLASS_MAX; c++)
        CHECK(check_range(diag, "class_criticality", c, p->class_criticality[c],
                          0, 1));
    CHECK(check_range(diag, "class_points_device", -1, p->class_points_device,
                      0, P));
    CHECK(check_table(diag, "customer_points", p->customer_points, 4,
                      RISK_CUSTOMER_TIERS, -P, P, true));
    CHECK(check_table(diag, "exposure_points", p->exposure_points, 4,
                      RISK_EXPOSURES, -P, P, true));
    CHECK(check_range(diag, "no_redundancy_points", -1, p->no_redundancy_points,
                      0, P));
    CHECK(check_table(diag, "uptime_points", p->uptime_points, 4, RISK_UPTIMES,
                      -P, P, true));
    CHECK(check_range(diag, "defect_share", -1, p->defect_share, 0, 1));
    CHECK(
        check_range(diag, "criticality_share", -1, p->criticality_share, 0, 1));
    CHECK(check_range(diag, "failed_attempt_points", -1,
                      p->failed_attempt_points, 0, P));
    CHECK(check_range(diag, "failed_attempt_cap", -1, p->failed_attempt_cap, 0,
                      P));
    CHECK(check_range(diag, "battery_risk_level", -1, p->battery_risk_level,
                      0x1p-20, 1));
    CHECK(check_range(diag, "battery_points", -1, p->battery_points, 0, P));
    CHECK(check_range(diag, "min_battery", -1, p->min_battery, 0, 1));
    CHECK(check_table(diag, "link_points", p->link_points, 8, RISK_LINKS, -P, P,
                      false));
    CHECK(check_range(diag, "metered_points", -1, p->metered_points, 0, P));
    CHECK(check_range(diag, "storage_points", -1, p->storage_points, 0, P));
    /* A safe fallback may only lower delivery risk. */
    CHECK(check_range(diag, "safe_fallback_points", -1, p->safe_fallback_points,
                      -P, 0));
    CHECK(check_range(diag, "storage_headroom", -1, p->storage_headroom, 1,
                      1000));
    CHECK(check_flag(diag, "t0_overrides_window", p->t0_overrides_window));
    return OTAPRIO_OK;
}

#undef P
#undef CHECK

/* ---- compilation ------------------------------------------------------ */

/* Validated weights stay far inside int64 and int32. */
static int64_t milli(double points)
{
    return otaprio__milli(points);
}

static int64_t clamp_score(int64_t milli)
{
    return milli < 0                      ? 0
           : milli > RISK_SCORE_MAX_MILLI ? RISK_SCORE_MAX_MILLI
                                          : milli;
}

/* The tables that make a device's score a few lookups: criticality by
 * combination, and the failed-attempt limit. Needs the per-factor tables
 * compiled first. */
static void compile_device_tables(otaprio_risk_model *m,
                                  const otaprio_risk_policy *p)
{
    for (uint8_t c = 0; c < OTAPRIO_DEVICE_CLASS_MAX; c++)
        for (uint8_t t = 0; t < RISK_CUSTOMER_TIERS; t++)
            for (uint8_t e = 0; e < RISK_EXPOSURES; e++)
                for (uint8_t r = 0; r < 2; r++)
                    for (uint8_t u = 0; u < RISK_UPTIMES; u++) {
                        int64_t criticality = clamp_score(
                            (int64_t)m->device_class_milli[c] +
                            m->customer_milli[t] + m->exposure_milli[e] +
                            (r ? 0 : m->no_redundancy_milli) +
                            m->uptime_milli[u]);
                        size_t at = otaprio__risk_combo(c, t, e, r, u);
                        m->criticality_combo[at] = (int32_t)criticality;
                        m->criticality_part[at] =
                            (int32_t)(criticality * m->criticality_share_milli /
                                      1000);
                    }
    m->attempt_limit =
        m->failed_attempt_milli > 0
            ? (uint32_t)(m->failed_attempt_cap_milli / m->failed_attempt_milli +
                         1)
            : 0;
    m->catch_up_limit =
        p->catch_up_days != 0 ? p->catch_up_days : (uint64_t)1 << 32;
    m->repeated_limit =
        p->repeated_failures != 0 ? p->repeated_failures : (uint64_t)1 << 32;
}

static void compile(otaprio_risk_model *m, const otaprio_risk_policy *p)
{
    m->kind = p->model;
    for (int i = 0; i < RISK_ISSUE_CLASSES; i++)
        m->class_milli[i] = milli(p->class_points[i]);
    for (int i = 0; i < RISK_SEVERITIES; i++)
        m->severity_milli[i] = milli(p->severity_points[i]);
    for (int i = 0; i < RISK_ATTACK_PATHS; i++)
        m->attack_path_milli[i] = milli(p->attack_path_points[i]);
    for (int i = 0; i < RISK_EXPLOITS; i++)
        m->exploit_milli[i] = milli(p->exploit_points[i]);
    m->automatable_milli = milli(p->automatable_points);
    m->epss_points = p->epss_points;
    m->share_points = p->share_points;
    m->concentration_points = p->concentration_points;
    m->workflow_milli = milli(p->workflow_points);
    m->workflow_cap_milli = milli(p->workflow_cap);
    m->affected_class_points = p->affected_class_points;
    for (int i = 0; i < RISK_LAYERS; i++)
        m->layer_milli[i] = milli(p->layer_points[i]);
    m->ab_slot_milli = milli(p->ab_slot_points);
    m->anomaly_points = p->anomaly_points;
    m->anomaly_growing_milli = milli(p->anomaly_growing_points);
    m->masks_regression_milli = milli(p->masks_regression_points);
    for (int t = 0; t < 3; t++)
        m->tier_milli[t] = milli(p->tier_thresholds[t]);
    m->active_exploit_t0 = p->active_exploit_t0;
    m->cosmetic_t3 = p->cosmetic_t3;

    for (int c = 0; c < OTAPRIO_DEVICE_CLASS_MAX; c++) {
        m->class_criticality[c] = p->class_criticality[c];
        m->device_class_milli[c] =
            (int32_t)milli(p->class_points_device * p->class_criticality[c]);
    }
    for (int i = 0; i < RISK_CUSTOMER_TIERS; i++)
        m->customer_milli[i] = (int32_t)milli(p->customer_points[i]);
    for (int i = 0; i < RISK_EXPOSURES; i++)
        m->exposure_milli[i] = (int32_t)milli(p->exposure_points[i]);
    m->no_redundancy_milli = (int32_t)milli(p->no_redundancy_points);
    for (int i = 0; i < RISK_UPTIMES; i++)
        m->uptime_milli[i] = (int32_t)milli(p->uptime_points[i]);

    m->defect_share_milli = milli(p->defect_share);
    m->criticality_share_milli = milli(p->criticality_share);
    m->failed_attempt_milli = milli(p->failed_attempt_points);
    m->failed_attempt_cap_milli = milli(p->failed_attempt_cap);
    m->repeated_failures = p->repeated_failures;

    compile_device_tables(m, p);

    m->battery_risk_level = (float)p->battery_risk_level;
    m->battery_scale = p->battery_points / (double)m->battery_risk_level;
    m->min_battery = (float)p->min_battery;
    for (int i = 0; i < RISK_LINKS; i++)
        m->link_milli[i] = (int32_t)milli(p->link_points[i]);
    m->metered_milli = (int32_t)milli(p->metered_points);
    m->storage_milli = (int32_t)milli(p->storage_points);
    m->safe_fallback_milli = (int32_t)milli(p->safe_fallback_points);
    m->storage_headroom = p->storage_headroom;
    m->metered_max_bytes = p->metered_max_bytes;
    m->catch_up_days = p->catch_up_days;
    m->t0_overrides_window = p->t0_overrides_window;
    m->excluded_classes = p->excluded_classes;
}

int otaprio_risk_model_create(const otaprio_risk_policy *policy,
                              const otaprio_allocator *allocator,
                              otaprio_risk_model **model, otaprio_diag *diag)
{
    if (model == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "model", -1,
                             "model is NULL");
    otaprio_risk_policy full;
    fill_defaults(&full);
    if (policy != NULL)
        OTAPRIO__TRY(otaprio__struct_read(&full, policy, &policy_layout, diag));
    OTAPRIO__TRY(validate_defect(&full, diag));
    OTAPRIO__TRY(validate_device(&full, diag));
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_risk_model *built = otaprio__mem_alloc(&mem, sizeof *built);
    if (built == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "allocating the risk model failed");
    memset(built, 0, sizeof *built);
    built->mem = mem;
    built->kernels = otaprio__risk_best_kernels();
    compile(built, &full);
    *model = built;
    return OTAPRIO_OK;
}

void otaprio_risk_model_free(otaprio_risk_model *model)
{
    if (model != NULL) {
        otaprio__mem mem = model->mem;
        otaprio__mem_free(&mem, model);
    }
}
