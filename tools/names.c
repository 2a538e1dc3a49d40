/* SPDX-License-Identifier: MIT */
/*
 * The words the CLI reads for library enum values, in issue files, policy
 * files and fleet CSVs. Indexed by the enum constants themselves, so a
 * table cannot drift from the header's numbering.
 */
#include <string.h>

#include "cli.h"

#define NAMES(variable, what, table) \
    const cli_names variable = CLI_NAMES(what, table)

static const char *const issue_class_names[] = {
    [OTAPRIO_ISSUE_SECURITY] = "security",
    [OTAPRIO_ISSUE_STABILITY] = "stability",
    [OTAPRIO_ISSUE_COMPLIANCE] = "compliance",
    [OTAPRIO_ISSUE_PERFORMANCE] = "performance",
    [OTAPRIO_ISSUE_COSMETIC] = "cosmetic",
};
NAMES(cli_names_issue_class, "issue class", issue_class_names);

static const char *const level_names[] = {
    [OTAPRIO_LEVEL_NONE] = "none",         [OTAPRIO_LEVEL_LOW] = "low",
    [OTAPRIO_LEVEL_MODERATE] = "moderate", [OTAPRIO_LEVEL_HIGH] = "high",
    [OTAPRIO_LEVEL_CRITICAL] = "critical",
};
NAMES(cli_names_level, "level", level_names);

static const char *const attack_path_names[] = {
    [OTAPRIO_ATTACK_NONE] = "none",     [OTAPRIO_ATTACK_PHYSICAL] = "physical",
    [OTAPRIO_ATTACK_LOCAL] = "local",   [OTAPRIO_ATTACK_ADJACENT] = "adjacent",
    [OTAPRIO_ATTACK_REMOTE] = "remote",
};
NAMES(cli_names_attack_path, "attack path", attack_path_names);

static const char *const exploit_names[] = {
    [OTAPRIO_EXPLOIT_NONE] = "none",
    [OTAPRIO_EXPLOIT_POC] = "poc",
    [OTAPRIO_EXPLOIT_ACTIVE] = "active",
};
NAMES(cli_names_exploit, "exploit maturity", exploit_names);

static const char *const layer_names[] = {
    [OTAPRIO_LAYER_APP] = "app",
    [OTAPRIO_LAYER_CONFIG] = "config",
    [OTAPRIO_LAYER_OS] = "os",
    [OTAPRIO_LAYER_KERNEL] = "kernel",
    [OTAPRIO_LAYER_BOOTLOADER] = "bootloader",
    [OTAPRIO_LAYER_BASEBAND] = "baseband",
    [OTAPRIO_LAYER_BATTERY] = "battery",
};
NAMES(cli_names_layer, "layer", layer_names);

/* Bit positions of the otaprio_workflow flags. */
_Static_assert(OTAPRIO_WORKFLOW_AUTH == 1u << 0 &&
                   OTAPRIO_WORKFLOW_PAYMENT == 1u << 1 &&
                   OTAPRIO_WORKFLOW_EMERGENCY == 1u << 2 &&
                   OTAPRIO_WORKFLOW_SAFETY == 1u << 3 &&
                   OTAPRIO_WORKFLOW_CONNECTIVITY == 1u << 4 &&
                   OTAPRIO_WORKFLOW_IDENTITY == 1u << 5,
               "workflow names follow the bit order");
static const char *const workflow_names[] = {
    "auth", "payment", "emergency", "safety", "connectivity", "identity",
};
NAMES(cli_names_workflow, "workflow", workflow_names);

static const char *const device_class_names[] = {
    [OTAPRIO_DEVICE_OTHER] = "other",
    [OTAPRIO_DEVICE_HANDSET] = "handset",
    [OTAPRIO_DEVICE_WEARABLE] = "wearable",
    [OTAPRIO_DEVICE_CAMERA] = "camera",
    [OTAPRIO_DEVICE_KIOSK] = "kiosk",
    [OTAPRIO_DEVICE_POS] = "pos",
    [OTAPRIO_DEVICE_ROUTER] = "router",
    [OTAPRIO_DEVICE_GATEWAY] = "gateway",
    [OTAPRIO_DEVICE_INDUSTRIAL] = "industrial",
    [OTAPRIO_DEVICE_MEDICAL] = "medical",
    [OTAPRIO_DEVICE_VEHICLE] = "vehicle",
};
NAMES(cli_names_device_class, "device class", device_class_names);

static const char *const customer_tier_names[] = {
    [OTAPRIO_CUSTOMER_STANDARD] = "standard",
    [OTAPRIO_CUSTOMER_BUSINESS] = "business",
    [OTAPRIO_CUSTOMER_ENTERPRISE] = "enterprise",
    [OTAPRIO_CUSTOMER_CRITICAL] = "critical",
};
NAMES(cli_names_customer_tier, "customer tier", customer_tier_names);

static const char *const exposure_names[] = {
    [OTAPRIO_EXPOSURE_ISOLATED] = "isolated",
    [OTAPRIO_EXPOSURE_INTERNAL] = "internal",
    [OTAPRIO_EXPOSURE_PUBLIC] = "public",
};
NAMES(cli_names_exposure, "exposure", exposure_names);

static const char *const uptime_names[] = {
    [OTAPRIO_UPTIME_BATCH] = "batch",
    [OTAPRIO_UPTIME_BUSINESS] = "business",
    [OTAPRIO_UPTIME_CONTINUOUS] = "continuous",
};
NAMES(cli_names_uptime, "uptime mode", uptime_names);

static const char *const link_names[] = {
    [OTAPRIO_LINK_ETHERNET] = "ethernet",   [OTAPRIO_LINK_WIFI] = "wifi",
    [OTAPRIO_LINK_CELLULAR] = "cellular",   [OTAPRIO_LINK_ROAMING] = "roaming",
    [OTAPRIO_LINK_SATELLITE] = "satellite",
};
NAMES(cli_names_link, "link", link_names);

static const char *const model_names[] = {
    [OTAPRIO_RISK_MODEL_SCORECARD] = "scorecard",
    [OTAPRIO_RISK_MODEL_SSVC] = "ssvc",
};
NAMES(cli_names_model, "model", model_names);

static const char *const cohort_method_names[] = {
    [OTAPRIO_COHORT_HASH_THRESHOLD] = "hash",
    [OTAPRIO_COHORT_PROPORTIONAL] = "proportional",
    [OTAPRIO_COHORT_MINIMUM_COVERAGE] = "minimum",
    [OTAPRIO_COHORT_NEYMAN] = "neyman",
};
NAMES(cli_names_cohort_method, "method", cohort_method_names);

int cli_names_find(const cli_names *names, const char *text, size_t length)
{
    for (size_t i = 0; i < names->count; i++) {
        const char *name = names->names[i];
        if (name != NULL && strlen(name) == length &&
            memcmp(name, text, length) == 0)
            return (int)i;
    }
    return -1;
}

const char *cli_names_name(const cli_names *names, int value)
{
    if (value < 0 || (size_t)value >= names->count)
        return NULL;
    return names->names[value];
}

void cli_names_list(const cli_names *names, char *out, size_t size)
{
    if (size == 0)
        return;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < names->count; i++) {
        const char *name = names->names[i];
        if (name == NULL)
            continue;
        int written = snprintf(out + used, size - used, "%s%s",
                               used != 0 ? ", " : "", name);
        if (written < 0 || (size_t)written >= size - used) {
            /* Cut: end with "..." when there is room for it. */
            if (size >= 4)
                memcpy(out + size - 4, "...", 4);
            return;
        }
        used += (size_t)written;
    }
}
