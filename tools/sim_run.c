/* SPDX-License-Identifier: MIT */
/*
 * One simulated rollout, hour by hour. Devices are grouped into cells (a
 * wave and a SKU); each hour the released cells' waiting devices check in
 * and install with a chance that follows the time of day, some installs
 * fail, and updated and not-updated devices report boot failures and
 * heavy battery drain at the scenario's true rates. After each hour the
 * policy decides: hold, release the next wave, exempt SKUs, or halt.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_PI 3.14159265358979323846

/* Daily swing of every rate, identical for updated and not-updated
 * devices. */
static double swing(const sim_truth *t, uint32_t hour)
{
    return 1.0 + t->day_night *
                     sin(2.0 * SIM_PI * ((double)(hour % 24) - 6.0) / 24.0);
}

/* Chance that a released device installs in this hour: most check in
 * overnight, while charging; in maintenance-window rollouts only then. */
static double install_chance(uint32_t hour, int maintenance_window)
{
    uint32_t local = hour % 24;
    int night = local >= 1 && local <= 5;
    if (maintenance_window)
        return night ? 0.2 : 0.0;
    return night ? 0.12 : 0.04;
}

typedef struct state {
    const sim_setup *setup;
    const sim_truth *truth;
    const sim_policy *policy;
    const int *maintenance;
    sim_random random;
    uint32_t wave_count, wave, window_start;
    sim_counts now, start;
    uint64_t sku_devices[SIM_SKUS];
    bool exempt[SIM_SKUS];
    /* [hour][wave][SKU]: devices updated by the hour's end, to age them */
    uint64_t *history;
} state;

static size_t history_at(const state *s, uint32_t hour, uint32_t w, int k)
{
    return ((size_t)hour * s->wave_count + w) * SIM_SKUS + (size_t)k;
}

static uint64_t updated_total(const sim_counts *c, uint32_t waves)
{
    uint64_t sum = 0;
    for (uint32_t w = 0; w < waves; w++)
        for (int k = 0; k < SIM_SKUS; k++)
            sum += c->updated[w][k];
    return sum;
}

/* Released devices check in and install; returns whether any released
 * device still waits. */
static bool install_hour(state *s, uint32_t hour)
{
    const sim_truth *t = s->truth;
    sim_counts *c = &s->now;
    bool waiting_left = false;
    double fail = t->install_failure * swing(t, hour);
    if (fail > 1.0)
        fail = 1.0;
    for (uint32_t w = 0; w <= s->wave; w++) {
        double chance = install_chance(hour, s->maintenance[w]);
        for (int k = 0; k < SIM_SKUS; k++) {
            uint64_t waiting = c->devices[w][k] - c->settled[w][k];
            if (waiting == 0 || s->exempt[k])
                continue;
            uint64_t tried = sim_random_binomial(&s->random, waiting, chance);
            uint64_t failed = sim_random_binomial(&s->random, tried, fail);
            c->settled[w][k] += tried;
            c->failed[w][k] += failed;
            c->updated[w][k] += tried - failed;
            waiting_left |= c->settled[w][k] < c->devices[w][k];
        }
    }
    for (uint32_t w = 0; w < s->wave_count; w++)
        for (int k = 0; k < SIM_SKUS; k++)
            s->history[history_at(s, hour, w, k)] = c->updated[w][k];
    return waiting_left;
}

/* Devices of a cell updated at least `age` whole hours before the end of
 * `hour`: the ones a delayed regression has reached. */
static uint64_t aged(const state *s, uint32_t hour, uint32_t w, int k,
                     double age)
{
    double then = (double)hour - ceil(age);
    if (then < 0.0)
        return 0;
    return s->history[history_at(s, (uint32_t)then, w, k)];
}

static void report_hour(state *s, uint32_t hour)
{
    const sim_truth *t = s->truth;
    sim_counts *c = &s->now;
    double day = swing(t, hour);
    for (int k = 0; k < SIM_SKUS; k++) {
        double factor =
            t->boot_factor * (k == t->bad_sku ? t->bad_sku_factor : 1.0);
        uint64_t updated = 0;
        for (uint32_t w = 0; w < s->wave_count; w++) {
            double u = (double)c->updated[w][k];
            updated += c->updated[w][k];
            if (u == 0.0)
                continue;
            double old = t->drain_factor != 1.0
                             ? (double)aged(s, hour, w, k, t->drain_after)
                             : 0.0;
            c->exposure[w][k] += u;
            c->boot[w][k] +=
                sim_random_poisson(&s->random, u * t->boot_rate * factor * day);
            c->drain[w][k] += sim_random_poisson(
                &s->random,
                ((u - old) + old * t->drain_factor) * t->drain_rate * day);
        }
        double rest = (double)(s->sku_devices[k] - updated);
        c->baseline_exposure[k] += rest;
        c->baseline_boot[k] +=
            sim_random_poisson(&s->random, rest * t->boot_rate * day);
        c->baseline_drain[k] +=
            sim_random_poisson(&s->random, rest * t->drain_rate * day);
    }
}

static void event(sim_outcome *out, uint32_t hour, int32_t kind,
                  uint32_t subject, uint64_t updated, const char *why)
{
    if (out->event_count < SIM_MAX_EVENTS)
        out->events[out->event_count++] =
            (sim_event){hour, kind, subject, updated, why};
}

static int new_window(state *s, uint32_t hour, otaprio_diag *diag)
{
    s->start = s->now;
    s->window_start = hour;
    if (s->policy->restart == NULL)
        return OTAPRIO_OK;
    return s->policy->restart(s->policy->self, s->wave, diag);
}

/* Applies a decision; returns 1 when the rollout halts. */
static int apply(state *s, const sim_decision *d, uint32_t hour,
                 sim_outcome *out, int *status, otaprio_diag *diag)
{
    uint64_t updated = updated_total(&s->now, s->wave_count);
    switch (d->action) {
    case SIM_ACT_EXPAND:
        if (s->wave + 1 >= s->wave_count)
            return 0;
        s->wave++;
        event(out, hour, SIM_EVENT_WAVE, s->wave, updated, NULL);
        *status = new_window(s, hour, diag);
        return 0;
    case SIM_ACT_EXEMPT:
        for (int k = 0; k < SIM_SKUS; k++)
            if (d->exempt[k] && !s->exempt[k]) {
                s->exempt[k] = true;
                event(out, hour, SIM_EVENT_EXEMPT, (uint32_t)k, updated,
                      d->why);
            }
        *status = new_window(s, hour, diag);
        return 0;
    case SIM_ACT_PAUSE:
    case SIM_ACT_ROLLBACK:
        out->halted = true;
        out->halt_hour = hour;
        event(out, hour,
              d->action == SIM_ACT_ROLLBACK ? SIM_EVENT_ROLLBACK
                                            : SIM_EVENT_PAUSE,
              s->wave, updated, d->why);
        return 1;
    default:
        return 0;
    }
}

static void measure(const state *s, sim_outcome *out)
{
    const sim_scenario *sc = s->setup->scenario;
    const sim_truth *t = s->truth;
    out->updated = updated_total(&s->now, s->wave_count);
    if (sc->bad) {
        if (t->bad_sku >= 0 && t->boot_factor == 1.0) {
            for (uint32_t w = 0; w < s->wave_count; w++)
                out->exposed += s->now.updated[w][t->bad_sku];
        } else {
            out->exposed = out->updated;
        }
    }
    out->false_halt = out->halted && !sc->bad;
    out->localised = t->bad_sku >= 0 && s->exempt[t->bad_sku] && !out->halted;
}

static int simulate(state *s, sim_outcome *out, otaprio_diag *diag)
{
    const sim_fleet *f = s->setup->fleet;
    uint64_t affected = 0;
    for (size_t i = 0; i < f->devices; i++)
        affected += f->versions[SIM_OS][i] != 2;
    for (uint32_t w = 0; w < s->wave_count; w++)
        for (int k = 0; k < SIM_SKUS; k++)
            out->planned += s->now.devices[w][k];
    out->hours_to_95 = -1;
    event(out, 0, SIM_EVENT_WAVE, 0, 0, NULL);
    int status = new_window(s, 0, diag);
    uint32_t hour = 0;
    while (status == OTAPRIO_OK && hour < s->setup->max_hours) {
        bool waiting = install_hour(s, hour);
        report_hour(s, hour);
        uint64_t updated = updated_total(&s->now, s->wave_count);
        out->unpatched[hour] = affected - updated;
        out->updated_by_hour[hour] = updated;
        hour++;
        if (out->hours_to_95 < 0 &&
            (double)updated >= 0.95 * (double)out->planned)
            out->hours_to_95 = hour;
        sim_view view = {hour,    s->wave,   s->wave_count, s->window_start,
                         &s->now, &s->start, s->exempt};
        sim_decision decision;
        memset(&decision, 0, sizeof decision);
        status = s->policy->decide(s->policy->self, &view, &decision, diag);
        if (status != OTAPRIO_OK)
            break;
        if (decision.looked)
            memcpy(&out->looks[(size_t)(hour - 1) * SIM_RULES], decision.looks,
                   sizeof decision.looks);
        uint32_t released = s->wave;
        if (apply(s, &decision, hour, out, &status, diag))
            break;
        /* A wave released now has devices waiting. */
        waiting |= s->wave != released;
        if (!waiting && s->wave + 1 == s->wave_count) {
            event(out, hour, SIM_EVENT_DONE, s->wave, updated, NULL);
            break;
        }
    }
    out->hours = hour;
    measure(s, out);
    return status;
}

int sim_run(const sim_setup *setup, const uint8_t *waves, uint32_t wave_count,
            const int *maintenance, const sim_policy *policy, sim_outcome *out,
            otaprio_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (wave_count == 0 || wave_count > SIM_MAX_WAVES) {
        if (diag != NULL) {
            diag->status = OTAPRIO_E_RANGE;
            diag->field = "wave_count";
            diag->index = -1;
            snprintf(diag->message, sizeof diag->message,
                     "%u waves; the simulator runs 1 to %d",
                     (unsigned)wave_count, SIM_MAX_WAVES);
        }
        return OTAPRIO_E_RANGE;
    }
    uint32_t hours = setup->max_hours > 0 ? setup->max_hours : 1;
    state *s = calloc(1, sizeof *s);
    out->unpatched = calloc(hours, sizeof *out->unpatched);
    out->updated_by_hour = calloc(hours, sizeof *out->updated_by_hour);
    out->looks = malloc((size_t)hours * SIM_RULES * sizeof *out->looks);
    if (out->looks != NULL)
        for (size_t i = 0; i < (size_t)hours * SIM_RULES; i++)
            out->looks[i] =
                (sim_look){(double)NAN, (double)NAN, (double)NAN, -1};
    if (s != NULL)
        s->history =
            calloc((size_t)hours * wave_count * SIM_SKUS, sizeof *s->history);
    if (s == NULL || out->unpatched == NULL || out->updated_by_hour == NULL ||
        out->looks == NULL || s->history == NULL) {
        if (s != NULL)
            free(s->history);
        free(s);
        sim_outcome_free(out);
        return OTAPRIO_E_NOMEM;
    }
    s->setup = setup;
    s->truth = &setup->scenario->truth;
    s->policy = policy;
    s->maintenance = maintenance;
    s->wave_count = wave_count;
    sim_random_seed(&s->random, setup->seed ^ 0x51A7E5EEDull);
    const sim_fleet *f = setup->fleet;
    for (size_t i = 0; i < f->devices; i++) {
        s->sku_devices[f->sku[i]]++;
        if (waves[i] < wave_count)
            s->now.devices[waves[i]][f->sku[i]]++;
    }
    int status = simulate(s, out, diag);
    free(s->history);
    free(s);
    if (status != OTAPRIO_OK)
        sim_outcome_free(out);
    return status;
}

void sim_outcome_free(sim_outcome *outcome)
{
    free(outcome->unpatched);
    outcome->unpatched = NULL;
    free(outcome->updated_by_hour);
    outcome->updated_by_hour = NULL;
    free(outcome->looks);
    outcome->looks = NULL;
}

const sim_look *sim_event_looks(const sim_outcome *outcome,
                                const sim_event *event)
{
    if (event->hour == 0 || event->hour > outcome->hours)
        return NULL;
    const sim_look *looks =
        &outcome->looks[(size_t)(event->hour - 1) * SIM_RULES];
    return looks[0].verdict >= 0 ? looks : NULL;
}
