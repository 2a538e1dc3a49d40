/* SPDX-License-Identifier: MIT */
/* Explanations: gathering scorecard lines, and the names hosts print. */
#include <string.h>

#include "risk_internal.h"

void otaprio__explain_add(otaprio__explain *explain, int32_t score,
                          int32_t factor, double input, int64_t milli)
{
    /* Zero lines say nothing; the engines never exceed the capacity, which
     * counts every factor of every score once. */
    if (milli == 0 && factor != OTAPRIO_FACTOR_SSVC_DECISION)
        return;
    if (explain->count < RISK_EXPLAIN_MAX) {
        otaprio_factor_points *line = &explain->lines[explain->count];
        line->score = score;
        line->factor = factor;
        line->input = input;
        line->milli = milli;
    }
    explain->count++;
}

int64_t otaprio__explain_bound(otaprio__explain *explain, int32_t score,
                               int64_t milli)
{
    int64_t bounded = milli < 0                      ? 0
                      : milli > RISK_SCORE_MAX_MILLI ? RISK_SCORE_MAX_MILLI
                                                     : milli;
    otaprio__explain_add(explain, score, OTAPRIO_FACTOR_BOUND,
                         (double)milli / 1000.0, bounded - milli);
    return bounded;
}

int otaprio__explain_emit(const otaprio__explain *explain,
                          otaprio_factor_points *items, size_t capacity,
                          size_t *count, otaprio_diag *diag)
{
    if (count != NULL)
        *count = explain->count;
    if (items == NULL)
        return OTAPRIO_OK;
    if (explain->count > capacity)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                             "the explanation has %zu lines; capacity is %zu",
                             explain->count, capacity);
    memcpy(items, explain->lines, explain->count * sizeof *items);
    return OTAPRIO_OK;
}

/* ---- names ------------------------------------------------------------ */

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Picks a name by an enum-valued input, or `fallback`. */
static const char *pick(const char *const *names, size_t count, double input,
                        const char *fallback)
{
    if (input >= 0.0 && input < (double)count) {
        const char *name = names[(size_t)input];
        if (name != NULL)
            return name;
    }
    return fallback;
}

static const char *const class_names[] = {"security fix", "stability fix",
                                          "compliance fix", "performance fix",
                                          "cosmetic fix"};
static const char *const security_names[] = {
    "no security impact", "low security impact", "moderate security impact",
    "high security impact", "critical security impact"};
static const char *const data_loss_names[] = {
    "no data loss", "low data loss", "moderate data loss", "high data loss",
    "critical data loss"};
static const char *const uptime_names[] = {
    "no uptime loss", "low uptime loss", "moderate uptime loss",
    "high uptime loss", "critical uptime loss"};
static const char *const regulatory_names[] = {
    "no regulatory exposure", "low regulatory exposure",
    "moderate regulatory exposure", "high regulatory exposure",
    "critical regulatory exposure"};
static const char *const attack_names[] = {
    "not attacker-reachable", "physical attack path", "local attack path",
    "adjacent-network attack path", "remote attack path"};
static const char *const exploit_names[] = {
    "no known exploit", "public proof of concept", "active exploitation"};
static const char *const layer_names[] = {"app layer",
                                          "config layer",
                                          "OS layer",
                                          "kernel layer",
                                          "bootloader layer",
                                          "baseband layer",
                                          "battery-management layer"};
static const char *const device_names[] = {"unclassified device",
                                           "consumer handset",
                                           "wearable",
                                           "camera",
                                           "kiosk",
                                           "point of sale",
                                           "router",
                                           "gateway",
                                           "industrial controller",
                                           "medical device",
                                           "vehicle"};
static const char *const customer_names[] = {
    "standard customer", "business customer", "enterprise customer",
    "critical-service customer"};
static const char *const exposure_names[] = {
    "isolated network", "internal network", "internet-facing"};
static const char *const uptime_mode_names[] = {
    "overnight batch", "business-hours service", "continuous service"};
static const char *const link_names[] = {"Ethernet", "Wi-Fi", "cellular",
                                         "roaming", "satellite"};
static const char *const ssvc_names[] = {"Track", "Track*", "Attend", "Act"};

const char *otaprio_factor_label(int32_t factor, double input)
{
    switch (factor) {
    case OTAPRIO_FACTOR_ISSUE_CLASS:
        return pick(class_names, COUNT(class_names), input, "issue class");
    case OTAPRIO_FACTOR_SECURITY_IMPACT:
        return pick(security_names, COUNT(security_names), input,
                    "security impact");
    case OTAPRIO_FACTOR_DATA_LOSS:
        return pick(data_loss_names, COUNT(data_loss_names), input,
                    "data loss");
    case OTAPRIO_FACTOR_UPTIME_LOSS:
        return pick(uptime_names, COUNT(uptime_names), input, "uptime loss");
    case OTAPRIO_FACTOR_REGULATORY:
        return pick(regulatory_names, COUNT(regulatory_names), input,
                    "regulatory exposure");
    case OTAPRIO_FACTOR_ATTACK_PATH:
        return pick(attack_names, COUNT(attack_names), input, "attack path");
    case OTAPRIO_FACTOR_EXPLOIT:
        return pick(exploit_names, COUNT(exploit_names), input,
                    "exploit maturity");
    case OTAPRIO_FACTOR_AUTOMATABLE:
        return "automatable exploitation";
    case OTAPRIO_FACTOR_EPSS:
        return "exploit probability (EPSS)";
    case OTAPRIO_FACTOR_AFFECTED_SHARE:
        return "share of fleet affected";
    case OTAPRIO_FACTOR_CONCENTRATION:
        return "geographic concentration";
    case OTAPRIO_FACTOR_WORKFLOWS:
        return "critical workflows touched";
    case OTAPRIO_FACTOR_AFFECTED_CLASSES:
        return pick(device_names, COUNT(device_names), input,
                    "critical device class");
    case OTAPRIO_FACTOR_LAYER:
        return pick(layer_names, COUNT(layer_names), input, "layer");
    case OTAPRIO_FACTOR_AB_SLOT:
        return "A/B slot";
    case OTAPRIO_FACTOR_ANOMALY_RATE:
        return "observed anomaly rate";
    case OTAPRIO_FACTOR_ANOMALY_GROWING:
        return "anomaly growing";
    case OTAPRIO_FACTOR_MASKS_REGRESSION:
        return "masks a regression";
    case OTAPRIO_FACTOR_DEVICE_CLASS:
        return pick(device_names, COUNT(device_names), input, "device class");
    case OTAPRIO_FACTOR_CUSTOMER_TIER:
        return pick(customer_names, COUNT(customer_names), input,
                    "customer tier");
    case OTAPRIO_FACTOR_EXPOSURE:
        return pick(exposure_names, COUNT(exposure_names), input,
                    "network exposure");
    case OTAPRIO_FACTOR_NO_REDUNDANCY:
        return "no redundant peer";
    case OTAPRIO_FACTOR_UPTIME:
        return pick(uptime_mode_names, COUNT(uptime_mode_names), input,
                    "uptime sensitivity");
    case OTAPRIO_FACTOR_DEFECT_SCORE:
        return "defect score";
    case OTAPRIO_FACTOR_CRITICALITY:
        return "device criticality";
    case OTAPRIO_FACTOR_FAILED_ATTEMPTS:
        return "failed update attempts";
    case OTAPRIO_FACTOR_BATTERY:
        return "low battery, not charging";
    case OTAPRIO_FACTOR_LINK:
        return pick(link_names, COUNT(link_names), input, "connection");
    case OTAPRIO_FACTOR_METERED:
        return "metered connection";
    case OTAPRIO_FACTOR_STORAGE:
        return "storage short of headroom";
    case OTAPRIO_FACTOR_SAFE_FALLBACK:
        return "safe fallback";
    case OTAPRIO_FACTOR_SSVC_DECISION:
        return pick(ssvc_names, COUNT(ssvc_names), input, "SSVC decision");
    case OTAPRIO_FACTOR_BOUND:
        return "held within 0 to 100";
    }
    return "unknown factor";
}

const char *otaprio_tier_name(int32_t tier)
{
    static const char *const names[] = {
        "T0 emergency push now", "T1 accelerated staged rollout",
        "T2 normal canary",
        "T3 hold for maintenance window or compatibility validation"};
    return pick(names, COUNT(names), tier, "unknown tier");
}

const char *otaprio_disposition_name(int32_t disposition)
{
    static const char *const names[] = {"eligible", "defer", "blocked",
                                        "excluded"};
    return pick(names, COUNT(names), disposition, "unknown disposition");
}

const char *otaprio_reason_name(uint32_t reason)
{
    static const char *const names[OTAPRIO_REASON_COUNT] = {
        "low battery",          "metered link and large package",
        "low storage",          "outside maintenance window",
        "missing prerequisite", "excluded by host policy",
        "not affected",         "device class excluded",
        "needs catch-up path",  "repeated failed attempts"};
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++)
        if (reason == 1u << bit)
            return names[bit];
    return "unknown reason";
}

const char *otaprio_ssvc_name(int32_t decision)
{
    return pick(ssvc_names, COUNT(ssvc_names), decision, "unknown decision");
}
