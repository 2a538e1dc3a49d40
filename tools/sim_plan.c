/* SPDX-License-Identifier: MIT */
/*
 * libotaprio's plan of a simulated rollout: the fleet handed to the
 * runbook planner chunk by chunk, the scenario's fix, the guardrails that
 * gate each wave and the way back the simulated fleet has. The planner
 * assigns every device its wave.
 */
#include <string.h>

#include "sim.h"

enum { CHUNK = 65536 };

typedef struct fleet_source {
    const sim_fleet *fleet;
    uint8_t *waves; /* each device's plan wave, written by the last pass */
    const uint32_t *codes[2];
    const uint32_t *versions[SIM_COMPONENTS];
    otaprio_devices devices;
    otaprio_device_state state;
} fleet_source;

static int fleet_chunk(void *user, int32_t pass, uint64_t first,
                       otaprio_plan_chunk *chunk)
{
    fleet_source *src = user;
    const sim_fleet *f = src->fleet;
    if (first >= f->devices)
        return 0;
    size_t n = f->devices - first < CHUNK ? (size_t)(f->devices - first)
                                          : (size_t)CHUNK;
    otaprio_devices *d = &src->devices;
    otaprio_devices_init(d);
    d->count = n;
    d->device_class = f->device_class + first;
    d->customer_tier = f->customer_tier + first;
    d->redundant = f->redundant + first;
    d->uptime = f->uptime + first;
    d->battery = f->battery + first;
    d->charging = f->charging + first;
    d->link = f->link + first;
    d->metered = f->metered + first;
    d->free_bytes = f->free_bytes + first;
    otaprio_device_state *s = &src->state;
    otaprio_device_state_init(s);
    s->count = n;
    for (int c = 0; c < SIM_COMPONENTS; c++)
        src->versions[c] = f->versions[c] + first;
    s->versions = src->versions;
    s->component_count = SIM_COMPONENTS;
    s->carrier = f->carrier + first;
    s->region = f->region + first;
    s->battery = f->battery + first;
    s->charging = f->charging + first;
    s->free_bytes = f->free_bytes + first;
    s->metered = f->metered + first;
    src->codes[0] = f->sku + first;
    src->codes[1] = f->region + first;
    chunk->count = n;
    chunk->keys = f->keys + first;
    chunk->devices = d;
    chunk->state = s;
    chunk->codes = src->codes;
    chunk->cluster = f->cluster + first;
    chunk->ring = f->ring + first;
    if (pass == OTAPRIO_PLAN_PASS_ASSIGN)
        chunk->wave = src->waves + first;
    return 0;
}

/* The guardrails every wave is gated by. */
const char *const sim_rule_names[SIM_RULES] = {
    "boot failures", "install failures", "heavy battery drain"};

static void guardrails(otaprio_guard_rule rules[SIM_RULES])
{
    for (int r = 0; r < SIM_RULES; r++) {
        otaprio_guard_rule_init(&rules[r]);
        rules[r].name = sim_rule_names[r];
        /* The plan's soak windows decide when a wave may expand. */
        rules[r].window_hours = 1.0;
    }
    /* Boot failures per device-hour: critical, half again the baseline's
     * rate at most (before the layer's tolerance). */
    rules[SIM_RULE_BOOT].kind = OTAPRIO_GUARD_RATE;
    rules[SIM_RULE_BOOT].severity = OTAPRIO_GUARD_CRITICAL;
    rules[SIM_RULE_BOOT].margin = 0.5;
    rules[SIM_RULE_BOOT].sequential = 1;
    /* Failed installs per device that tried: no baseline installs, so an
     * absolute ceiling. */
    rules[SIM_RULE_INSTALL].checks = OTAPRIO_GUARD_CHECK_CEILING;
    rules[SIM_RULE_INSTALL].ceiling = 0.05;
    /* Heavy-drain reports per device-hour. */
    rules[SIM_RULE_DRAIN].kind = OTAPRIO_GUARD_RATE;
    rules[SIM_RULE_DRAIN].margin = 0.5;
    rules[SIM_RULE_DRAIN].sequential = 1;
}

int sim_plan(const sim_setup *setup, uint8_t *waves, otaprio_plan **plan,
             otaprio_diag *diag)
{
    const sim_scenario *sc = setup->scenario;
    fleet_source src = {.fleet = setup->fleet, .waves = waves};
    otaprio_guard_rule rules[SIM_RULES];
    guardrails(rules);
    otaprio_rollback_input way_back;
    otaprio_rollback_input_init(&way_back);
    way_back.layer = sc->issue.layer;
    way_back.levers = OTAPRIO_ROLLBACK_LEVER_EXEMPTION;
    if (sc->issue.ab_slot)
        way_back.levers |=
            OTAPRIO_ROLLBACK_LEVER_AB_SLOT | OTAPRIO_ROLLBACK_LEVER_DOWNGRADE;
    way_back.observe = OTAPRIO_ROLLBACK_OBSERVE_ALL;
    static const uint32_t cardinalities[2] = {SIM_SKUS, SIM_REGIONS};

    otaprio_plan_request request;
    otaprio_plan_request_init(&request);
    request.issue = &sc->issue;
    request.source = fleet_chunk;
    request.user = &src;
    request.catalog = setup->catalog;
    request.package =
        sc->old_bootloaders_blocked ? SIM_PACKAGE_FIX : SIM_PACKAGE_FIX_ANY;
    request.trace_flaw = 1;
    request.flaw_component = SIM_OS;
    request.flaw_constraint = "< 13.0";
    request.flaw_constraint_length = 6;
    request.salt = setup->seed * 0x9E3779B97F4A7C15ull + 1;
    request.dimension_count = 2;
    request.cardinalities = cardinalities;
    request.delayed = sc->delayed;
    request.rules = rules;
    request.rule_count = SIM_RULES;
    request.rollback = &way_back;
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    options.alpha = SIM_ALPHA;
    request.guard_options = &options;
    return otaprio_plan_create(&request, NULL, plan, diag);
}
