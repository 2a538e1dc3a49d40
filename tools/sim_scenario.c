/* SPDX-License-Identifier: MIT */
/*
 * The simulator's built-in scenarios: what the host knows of the fix (the
 * issue it hands the planner) and what really happens when devices take
 * it (the ground truth the simulator draws telemetry from). Rates are per
 * device-hour; a day/night swing multiplies every rate by
 * 1 + amplitude * sin(2 pi (hour - 6) / 24) for canary and baseline alike.
 *
 * The table is constant data and sim_scenario_get() builds a scenario in
 * the caller's storage, so threads (--compare) share nothing mutable.
 */
#include <string.h>

#include "sim.h"

/* A ground truth: the fleet's base rates (2e-4 boot failures and 1e-3
 * heavy-drain reports per device-hour) and what the update does to them. */
#define TRUTH(boot_factor_, bad_sku_, bad_sku_factor_, install_failure_, \
              drain_factor_, drain_after_, day_night_)                   \
    {                                                                    \
        .boot_rate = 2e-4, .boot_factor = (boot_factor_),                \
        .bad_sku = (bad_sku_), .bad_sku_factor = (bad_sku_factor_),      \
        .install_failure = (install_failure_), .drain_rate = 1e-3,       \
        .drain_factor = (drain_factor_), .drain_after = (drain_after_),  \
        .day_night = (day_night_)                                        \
    }

/* The telemetry of a good update on this fleet: the update changes no
 * rate, 1% of installs fail, a moderate daily swing. */
#define QUIET TRUTH(1.0, -1, 1.0, 0.01, 1.0, 0.0, 0.3)

const sim_truth sim_quiet_truth = QUIET;

/* A built-in scenario: the issue's fields the host states (the rest keep
 * otaprio_issue_init()'s defaults) and the scenario's own fields. */
typedef struct scenario_row {
    const char *name, *summary;
    int32_t issue_class, layer, security_impact, attack_path, exploit,
        automatable, uptime_loss;
    uint32_t delayed;
    bool old_bootloaders_blocked, bad, exploited;
    sim_truth truth;
} scenario_row;

static const scenario_row rows[] = {
    {.name = "exploited-flaw",
     .summary = "an actively exploited remote flaw in a shared component",
     .issue_class = OTAPRIO_ISSUE_SECURITY,
     .layer = OTAPRIO_LAYER_OS,
     .security_impact = OTAPRIO_LEVEL_HIGH,
     .attack_path = OTAPRIO_ATTACK_REMOTE,
     .exploit = OTAPRIO_EXPLOIT_ACTIVE,
     .automatable = 1,
     .exploited = true,
     .truth = QUIET},
    {.name = "risky-baseband",
     .summary = "a risky baseband fix with no exploitation",
     .issue_class = OTAPRIO_ISSUE_STABILITY,
     .layer = OTAPRIO_LAYER_BASEBAND,
     .uptime_loss = OTAPRIO_LEVEL_MODERATE,
     .truth = QUIET},
    {.name = "noisy-good",
     .summary = "a good update with noisy day/night telemetry",
     .issue_class = OTAPRIO_ISSUE_STABILITY,
     .layer = OTAPRIO_LAYER_OS,
     .uptime_loss = OTAPRIO_LEVEL_LOW,
     /* Twice the failed installs, a much stronger daily swing. */
     .truth = TRUTH(1.0, -1, 1.0, 0.02, 1.0, 0.0, 0.8)},
    {.name = "bad-sku",
     .summary = "a bad update that triples boot failures on one SKU "
                "(about 5% of the fleet)",
     .issue_class = OTAPRIO_ISSUE_STABILITY,
     .layer = OTAPRIO_LAYER_OS,
     .uptime_loss = OTAPRIO_LEVEL_MODERATE,
     .bad = true,
     /* SKU 7 boots three times as badly. */
     .truth = TRUTH(1.0, 7, 3.0, 0.01, 1.0, 0.0, 0.3)},
    {.name = "bad-global",
     .summary = "a globally bad update: three times the boot failures "
                "everywhere",
     .issue_class = OTAPRIO_ISSUE_STABILITY,
     .layer = OTAPRIO_LAYER_OS,
     .uptime_loss = OTAPRIO_LEVEL_MODERATE,
     .bad = true,
     .truth = TRUTH(3.0, -1, 1.0, 0.01, 1.0, 0.0, 0.3)},
    {.name = "battery-drain",
     .summary = "a slow battery-drain regression that shows only after "
                "48 hours",
     .issue_class = OTAPRIO_ISSUE_PERFORMANCE,
     .layer = OTAPRIO_LAYER_OS,
     .delayed = OTAPRIO_PLAN_DELAYED_BATTERY,
     .bad = true,
     /* Three times the heavy drain, from 48 hours after install. */
     .truth = TRUTH(1.0, -1, 1.0, 0.01, 3.0, 48.0, 0.3)},
    {.name = "missing-prerequisite",
     .summary = "an update whose prerequisite is missing on old bootloaders",
     .issue_class = OTAPRIO_ISSUE_STABILITY,
     .layer = OTAPRIO_LAYER_OS,
     .uptime_loss = OTAPRIO_LEVEL_MODERATE,
     .old_bootloaders_blocked = true,
     .truth = QUIET},
};

size_t sim_scenario_count(void)
{
    return sizeof rows / sizeof rows[0];
}

bool sim_scenario_get(size_t index, sim_scenario *out)
{
    if (index >= sim_scenario_count())
        return false;
    const scenario_row *row = &rows[index];
    memset(out, 0, sizeof *out);
    out->name = row->name;
    out->summary = row->summary;
    otaprio_issue_init(&out->issue);
    out->issue.issue_class = row->issue_class;
    out->issue.layer = row->layer;
    out->issue.security_impact = row->security_impact;
    out->issue.attack_path = row->attack_path;
    out->issue.exploit = row->exploit;
    out->issue.automatable = row->automatable;
    out->issue.uptime_loss = row->uptime_loss;
    /* Every fix is a 400 MB image; only the modem's has no A/B slot. */
    out->issue.ab_slot = row->layer != OTAPRIO_LAYER_BASEBAND;
    out->issue.package_bytes = 400000000;
    out->delayed = row->delayed;
    out->old_bootloaders_blocked = row->old_bootloaders_blocked;
    out->bad = row->bad;
    out->exploited = row->exploited;
    out->truth = row->truth;
    return true;
}

bool sim_scenario_named(const char *name, size_t length, sim_scenario *out)
{
    for (size_t i = 0; i < sim_scenario_count(); i++)
        if (strlen(rows[i].name) == length &&
            memcmp(rows[i].name, name, length) == 0)
            return sim_scenario_get(i, out);
    return false;
}
