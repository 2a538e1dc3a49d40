/* SPDX-License-Identifier: MIT */
/* `otaprio simulate --json`: one scenario's plan, timeline and outcome as
 * a JSON object, built with jansson. */
#include "cli.h"
#include "sim.h"
#include "sim_output.h"

static const char *const event_names[] = {"wave", "exempt", "pause", "rollback",
                                          "done"};

static json_t *plan_json(const otaprio_plan *plan)
{
    otaprio_plan_summary s = {.size = sizeof s};
    otaprio_plan_get_summary(plan, &s, NULL);
    json_t *o = json_object();
    cli_json_set(&o, "tier", json_string(otaprio_tier_name(s.tier)));
    cli_json_set(&o, "tier_before",
                 json_string(otaprio_tier_name(s.tier_before)));
    cli_json_set(&o, "score", json_real(s.score));
    cli_json_set(&o, "devices", json_integer((json_int_t)s.devices));
    cli_json_set(&o, "affected", json_integer((json_int_t)s.affected));
    cli_json_set(&o, "planned", json_integer((json_int_t)s.planned));
    json_t *d = json_object();
    for (int k = 0; k < 4; k++)
        cli_json_set(&d, otaprio_disposition_name(k),
                     json_integer((json_int_t)s.by_disposition[k]));
    cli_json_set(&o, "by_disposition", d);
    cli_json_set(&o, "hours_to_broad", json_real(s.hours_to_broad));
    json_t *waves = json_array();
    for (uint32_t k = 0; k < otaprio_plan_wave_count(plan); k++) {
        otaprio_plan_wave w = {.size = sizeof w};
        otaprio_plan_get_wave(plan, k, &w, NULL);
        json_t *wave = json_object();
        cli_json_set(&wave, "stage",
                     json_string(otaprio_plan_stage_name(w.stage)));
        cli_json_set(&wave, "devices", json_integer((json_int_t)w.devices));
        cli_json_set(&wave, "soak_hours", json_real(w.soak_hours));
        cli_json_set(&wave, "rollback",
                     json_string(otaprio_rollback_tier_name(w.rollback_tier)));
        cli_json_append(&waves, wave);
    }
    cli_json_set(&o, "waves", waves);
    return o;
}

static json_t *outcome_json(const sim_outcome *r)
{
    json_t *o = json_object();
    cli_json_set(&o, "hours", json_integer(r->hours));
    cli_json_set(&o, "halted", json_boolean(r->halted));
    cli_json_set(&o, "halt_hour",
                 r->halted ? json_integer(r->halt_hour) : json_null());
    cli_json_set(&o, "false_halt", json_boolean(r->false_halt));
    cli_json_set(&o, "exposed", json_integer((json_int_t)r->exposed));
    cli_json_set(&o, "updated", json_integer((json_int_t)r->updated));
    cli_json_set(&o, "planned", json_integer((json_int_t)r->planned));
    cli_json_set(&o, "localised", json_boolean(r->localised));
    cli_json_set(&o, "hours_to_95",
                 r->hours_to_95 >= 0 ? json_integer(r->hours_to_95)
                                     : json_null());
    /* The exposure to the flaw, once a day and at the end. */
    json_t *unpatched = json_array();
    for (uint32_t h = 0; h < r->hours; h++)
        if ((h + 1) % 24 == 0 || h + 1 == r->hours)
            cli_json_append(&unpatched,
                            json_pack("{s:I,s:I}", "hour", (json_int_t)h + 1,
                                      "devices", (json_int_t)r->unpatched[h]));
    cli_json_set(&o, "unpatched", unpatched);
    return o;
}

/* A value or null when nothing was measured (NaN). */
static json_t *measured(double value)
{
    return value == value ? json_real(value) : json_null();
}

/* What the guardrails saw at the look behind an event, per rule. */
static json_t *looks_json(const sim_look *looks)
{
    json_t *a = json_array();
    for (int r = 0; looks != NULL && r < SIM_RULES; r++) {
        json_t *o = json_object();
        cli_json_set(&o, "rule", json_string(sim_rule_names[r]));
        cli_json_set(&o, "verdict",
                     json_string(otaprio_guard_verdict_name(looks[r].verdict)));
        cli_json_set(&o, "canary", measured(looks[r].canary));
        cli_json_set(&o, "baseline", measured(looks[r].baseline));
        cli_json_set(&o, "limit", measured(looks[r].allowed));
        cli_json_append(&a, o);
    }
    return a;
}

static json_t *timeline_json(const sim_outcome *r)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < r->event_count; i++) {
        const sim_event *e = &r->events[i];
        json_t *o = json_object();
        cli_json_set(&o, "hour", json_integer(e->hour));
        cli_json_set(&o, "event", json_string(event_names[e->kind]));
        cli_json_set(&o, e->kind == SIM_EVENT_EXEMPT ? "sku" : "wave",
                     json_integer(e->subject));
        cli_json_set(&o, "updated", json_integer((json_int_t)e->updated));
        cli_json_set(&o, "why",
                     e->why != NULL ? json_string(e->why) : json_null());
        cli_json_set(&o, "metrics", looks_json(sim_event_looks(r, e)));
        cli_json_append(&a, o);
    }
    return a;
}

json_t *sim_scenario_json(const sim_scenario *sc, const otaprio_plan *plan,
                          const sim_outcome *outcome)
{
    json_t *o = json_object();
    cli_json_set(&o, "name", json_string(sc->name));
    cli_json_set(&o, "summary", json_string(sc->summary));
    cli_json_set(&o, "bad", json_boolean(sc->bad));
    cli_json_set(&o, "plan", plan_json(plan));
    cli_json_set(&o, "timeline", timeline_json(outcome));
    cli_json_set(&o, "outcome", outcome_json(outcome));
    return o;
}
