/* SPDX-License-Identifier: MIT */
/* `otaprio simulate`'s text: a scenario's plan, timeline and outcome. */
#include "sim_output.h"

static const char *event_text(int32_t kind)
{
    static const char *const names[] = {"starts", "exempted", "paused",
                                        "rolled back", "complete"};
    return kind >= 0 && kind <= SIM_EVENT_DONE ? names[kind] : "?";
}

void sim_print_plan(FILE *out, const otaprio_plan *plan)
{
    otaprio_plan_summary s = {.size = sizeof s};
    otaprio_plan_get_summary(plan, &s, NULL);
    fprintf(out,
            "  plan: %s (score %.1f, %s before the fleet was seen), %u "
            "waves, %.0f hours to the broad wave\n",
            otaprio_tier_name(s.tier), s.score,
            otaprio_tier_name(s.tier_before), otaprio_plan_wave_count(plan),
            s.hours_to_broad);
    fprintf(out,
            "        %llu devices: %llu affected, %llu eligible, %llu "
            "deferred, %llu blocked, %llu excluded; %llu planned\n",
            (unsigned long long)s.devices, (unsigned long long)s.affected,
            (unsigned long long)s.by_disposition[0],
            (unsigned long long)s.by_disposition[1],
            (unsigned long long)s.by_disposition[2],
            (unsigned long long)s.by_disposition[3],
            (unsigned long long)s.planned);
    for (uint32_t k = 0; k < otaprio_plan_wave_count(plan); k++) {
        otaprio_plan_wave w = {.size = sizeof w};
        otaprio_plan_get_wave(plan, k, &w, NULL);
        fprintf(out,
                "        wave %u %-11s %9llu devices  soak %5.1f h  rollback "
                "ready: %s\n",
                k, otaprio_plan_stage_name(w.stage),
                (unsigned long long)w.devices, w.soak_hours,
                otaprio_rollback_tier_name(w.rollback_tier));
    }
    for (uint32_t c = 0; c < otaprio_plan_chain_count(plan); c++) {
        otaprio_plan_chain ch = {.size = sizeof ch};
        otaprio_plan_get_chain(plan, c, &ch, NULL);
        if (ch.blocked > 0)
            fprintf(out,
                    "        %llu devices blocked on a dependency chain: "
                    "%s, %u package(s) first\n",
                    (unsigned long long)ch.blocked,
                    otaprio_plan_path_status_name(ch.path_status),
                    ch.path_length);
    }
}

size_t sim_outcome_facts(const sim_scenario *sc, const sim_outcome *o,
                         char facts[SIM_FACTS][SIM_FACT_SIZE])
{
    size_t n = 0;
    snprintf(facts[n++], SIM_FACT_SIZE,
             "%s after %u hours; %llu of %llu planned devices updated",
             o->halted ? "halted" : "not halted",
             o->halted ? o->halt_hour : o->hours,
             (unsigned long long)o->updated, (unsigned long long)o->planned);
    if (sc->bad)
        snprintf(facts[n++], SIM_FACT_SIZE,
                 "%llu devices exposed to the bad change%s",
                 (unsigned long long)o->exposed,
                 sc->truth.bad_sku < 0 ? ""
                 : o->localised ? "; the bad SKU was exempted, the rest went on"
                                : "; the bad SKU was not localised");
    else if (o->false_halt)
        snprintf(facts[n++], SIM_FACT_SIZE,
                 "a false halt: the update was good");
    if (o->hours_to_95 >= 0)
        snprintf(facts[n++], SIM_FACT_SIZE,
                 "95%% of planned devices updated by hour %lld",
                 (long long)o->hours_to_95);
    if (sc->exploited && o->hours > 0)
        snprintf(
            facts[n++], SIM_FACT_SIZE,
            "devices exposed to the exploited flaw: %llu at the start, "
            "%llu after a day, %llu at the end",
            (unsigned long long)o->unpatched[0],
            (unsigned long long)o->unpatched[o->hours > 24 ? 23 : o->hours - 1],
            (unsigned long long)o->unpatched[o->hours - 1]);
    return n;
}

/* What the guardrails saw at the look behind an event: rates per 1,000
 * device-hours (install failures as a share), each against its limit,
 * with the engine's verdict. */
static void print_looks(FILE *out, const sim_look *looks)
{
    if (looks == NULL)
        return;
    fputs("                 guardrails (per 1,000 device-hours): ", out);
    for (int r = 0; r < SIM_RULES; r++) {
        const sim_look *l = &looks[r];
        double scale = r == SIM_RULE_INSTALL ? 100.0 : 1000.0;
        const char *unit = r == SIM_RULE_INSTALL ? "%" : "";
        fprintf(out, "%s%s %.3g%s", r > 0 ? "; " : "", sim_rule_names[r],
                l->canary * scale, unit);
        if (l->baseline == l->baseline) /* not NaN: a baseline check */
            fprintf(out, " vs %.3g%s", l->baseline * scale, unit);
        if (l->allowed == l->allowed)
            fprintf(out, ", limit %.3g%s", l->allowed * scale, unit);
        fprintf(out, " (%s)", otaprio_guard_verdict_name(l->verdict));
    }
    fputs("\n", out);
}

void sim_print_outcome(FILE *out, const sim_scenario *sc, const sim_outcome *o)
{
    fputs("  timeline:\n", out);
    for (uint32_t i = 0; i < o->event_count; i++) {
        const sim_event *e = &o->events[i];
        fprintf(out, "    hour %5u  ", e->hour);
        if (e->kind == SIM_EVENT_EXEMPT)
            fprintf(out, "SKU %u %s", e->subject, event_text(e->kind));
        else
            fprintf(out, "wave %u %s", e->subject, event_text(e->kind));
        fprintf(out, ", %llu devices updated", (unsigned long long)e->updated);
        if (e->why != NULL)
            fprintf(out, " (%s)", e->why);
        fputc('\n', out);
        print_looks(out, sim_event_looks(o, e));
    }
    char facts[SIM_FACTS][SIM_FACT_SIZE];
    size_t count = sim_outcome_facts(sc, o, facts);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%s\n", i == 0 ? "  outcome: " : "           ",
                facts[i]);
}
