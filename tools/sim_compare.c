/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --compare`, the runs: threads take seeds one at a time;
 * for its seed a thread generates the fleet, plans every scenario with
 * libotaprio (the plan names the targeted devices, which the anchors roll
 * out to as well), then runs libotaprio's policy and every anchor variant
 * on that fleet with the seed's telemetry. Each run writes only its own
 * slot of the result, so the output is the same for any thread count.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim_compare.h"

/* hawkBit's error threshold and AWS's abort threshold, in percent, from
 * the documented defaults down: the sweep the tuned variants come from.
 * libotaprio's policy runs once, as configured in sim_plan.c. */
static const double hawkbit_sweep[] = {50.0, 20.0, 10.0, 8.0, 6.0,
                                       5.0,  4.0,  3.0,  2.0};
static const double aws_sweep[] = {20.0, 10.0, 8.0, 6.0, 5.0,
                                   4.0,  3.0,  2.0, 1.5};

enum {
    HAWKBIT_COUNT = sizeof hawkbit_sweep / sizeof hawkbit_sweep[0],
    AWS_COUNT = sizeof aws_sweep / sizeof aws_sweep[0]
};
_Static_assert(1 + HAWKBIT_COUNT + AWS_COUNT == SIM_COMPARE_VARIANTS,
               "SIM_COMPARE_VARIANTS counts libotaprio and both sweeps");

void sim_compare_variants(sim_variant variants[SIM_COMPARE_VARIANTS])
{
    size_t v = 0;
    variants[v++] = (sim_variant){SIM_FAMILY_OTAPRIO, 0.0, true};
    for (size_t i = 0; i < HAWKBIT_COUNT; i++)
        variants[v++] = (sim_variant){SIM_FAMILY_HAWKBIT, hawkbit_sweep[i],
                                      hawkbit_sweep[i] ==
                                          sim_hawkbit_defaults.error_percent};
    for (size_t i = 0; i < AWS_COUNT; i++)
        variants[v++] =
            (sim_variant){SIM_FAMILY_AWS, aws_sweep[i],
                          aws_sweep[i] == sim_aws_defaults.threshold_percent};
}

/* ---- one seed ------------------------------------------------------------ */

typedef struct shared {
    const sim_compare_setup *setup;
    const otaprio_catalog *catalog;
    sim_compare_result *result;
    pthread_mutex_t lock;
    uint32_t next, done;
    int status;
    const char *what;
    otaprio_diag diag;
} shared;

typedef struct scratch {
    sim_fleet fleet;
    uint8_t *plan_waves, *waves;
    otaprio_diag diag;
} scratch;

static sim_compare_run *slot(const sim_compare_result *r, size_t scenario,
                             size_t variant, uint32_t seed)
{
    return &r->runs[(scenario * r->variant_count + variant) * r->setup.seeds +
                    seed];
}

/* What the table needs of a run; frees the rest. */
static int keep(int status, sim_outcome *o, sim_compare_run *run)
{
    if (status != OTAPRIO_OK)
        return status;
    run->exposed = o->exposed;
    run->hours_to_95 = o->hours_to_95;
    run->halted = o->halted;
    run->false_halt = o->false_halt;
    run->localised = o->localised;
    sim_outcome_free(o);
    return OTAPRIO_OK;
}

static int run_otaprio(const sim_setup *setup, scratch *w, size_t scenario,
                       uint32_t seed, const sim_compare_result *r,
                       const char **what)
{
    otaprio_plan *plan = NULL;
    *what = "otaprio_plan_create";
    int status = sim_plan(setup, w->plan_waves, &plan, &w->diag);
    if (status != OTAPRIO_OK)
        return status;
    *what = "simulating libotaprio";
    sim_outcome outcome;
    status = keep(sim_run_plan(setup, plan, w->plan_waves, &outcome, &w->diag),
                  &outcome, slot(r, scenario, 0, seed));
    otaprio_plan_free(plan);
    return status;
}

/* One anchor variant at its threshold over the family's waves. */
static int run_anchor(const sim_setup *setup, const sim_variant *variant,
                      const uint8_t *waves, uint32_t wave_count,
                      sim_compare_run *run, otaprio_diag *diag)
{
    /* The anchors know no maintenance windows. */
    static const int none[SIM_MAX_WAVES] = {0};
    sim_policy policy;
    sim_hawkbit_policy hawkbit;
    sim_aws_policy aws;
    if (variant->family == SIM_FAMILY_HAWKBIT) {
        sim_hawkbit_config config = sim_hawkbit_defaults;
        config.error_percent = variant->threshold;
        sim_hawkbit_policy_init(&hawkbit, &config, wave_count, &policy);
    } else {
        sim_aws_config config = sim_aws_defaults;
        config.threshold_percent = variant->threshold;
        sim_aws_policy_init(&aws, &config, &policy);
    }
    sim_outcome outcome;
    return keep(
        sim_run(setup, waves, wave_count, none, &policy, &outcome, diag),
        &outcome, run);
}

/* Every anchor variant, family by family: a family's waves (hawkBit's
 * groups, AWS's hourly releases) serve all its thresholds. */
static int run_anchors(const sim_setup *setup, scratch *w, size_t scenario,
                       uint32_t seed, const sim_compare_result *r,
                       const char **what)
{
    static const int families[] = {SIM_FAMILY_HAWKBIT, SIM_FAMILY_AWS};
    size_t n = w->fleet.devices;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        uint32_t wave_count;
        if (families[f] == SIM_FAMILY_HAWKBIT) {
            wave_count = sim_hawkbit_waves(
                w->plan_waves, n, sim_hawkbit_defaults.groups, w->waves);
            *what = "simulating hawkBit";
        } else {
            wave_count =
                sim_aws_waves(w->plan_waves, n, &sim_aws_defaults, w->waves);
            *what = "simulating AWS IoT Jobs";
        }
        for (size_t v = 0; v < r->variant_count; v++) {
            if (r->variants[v].family != families[f])
                continue;
            int status =
                run_anchor(setup, &r->variants[v], w->waves, wave_count,
                           slot(r, scenario, v, seed), &w->diag);
            if (status != OTAPRIO_OK)
                return status;
        }
    }
    return OTAPRIO_OK;
}

static int run_seed(shared *sh, scratch *w, uint32_t index, const char **what)
{
    const sim_compare_setup *set = sh->setup;
    uint64_t seed = set->first_seed + index;
    *what = "generating the fleet";
    if (sim_fleet_generate(seed, (size_t)set->devices, set->mix, &w->fleet) !=
        0)
        return OTAPRIO_E_NOMEM;
    int status = OTAPRIO_OK;
    for (size_t s = 0; s < set->scenario_count && status == OTAPRIO_OK; s++) {
        sim_setup setup = {&w->fleet, sh->catalog, set->scenarios[s], seed,
                           set->hours};
        status = run_otaprio(&setup, w, s, index, sh->result, what);
        if (status == OTAPRIO_OK)
            status = run_anchors(&setup, w, s, index, sh->result, what);
    }
    sim_fleet_free(&w->fleet);
    return status;
}

static void progress(const shared *sh)
{
    if (sh->setup->progress)
        fprintf(stderr, "\r%u of %u seeds", sh->done, sh->setup->seeds);
}

static void *worker(void *user)
{
    shared *sh = user;
    scratch w;
    memset(&w, 0, sizeof w);
    otaprio_diag_init(&w.diag);
    size_t n = sh->setup->devices > 0 ? (size_t)sh->setup->devices : 1;
    w.plan_waves = malloc(n);
    w.waves = malloc(n);
    int failed = w.plan_waves == NULL || w.waves == NULL;
    pthread_mutex_lock(&sh->lock);
    if (failed && sh->status == OTAPRIO_OK) {
        sh->status = OTAPRIO_E_NOMEM;
        sh->what = "allocating the waves";
    }
    while (sh->status == OTAPRIO_OK && sh->next < sh->setup->seeds) {
        uint32_t index = sh->next++;
        pthread_mutex_unlock(&sh->lock);
        const char *what = NULL;
        int status = run_seed(sh, &w, index, &what);
        pthread_mutex_lock(&sh->lock);
        if (status != OTAPRIO_OK && sh->status == OTAPRIO_OK) {
            sh->status = status;
            sh->what = what;
            sh->diag = w.diag;
        }
        sh->done++;
        progress(sh);
    }
    pthread_mutex_unlock(&sh->lock);
    free(w.plan_waves);
    free(w.waves);
    return NULL;
}

int sim_compare_run_all(const sim_compare_setup *setup,
                        const otaprio_catalog *catalog,
                        sim_compare_result *result, const char **what,
                        otaprio_diag *diag)
{
    memset(result, 0, sizeof *result);
    result->setup = *setup;
    sim_compare_variants(result->variants);
    result->variant_count = SIM_COMPARE_VARIANTS;
    *what = "allocating the results";
    size_t runs = setup->scenario_count * result->variant_count * setup->seeds;
    result->runs = calloc(runs > 0 ? runs : 1, sizeof *result->runs);
    if (result->runs == NULL)
        return OTAPRIO_E_NOMEM;
    shared sh = {.setup = &result->setup,
                 .catalog = catalog,
                 .result = result,
                 .status = OTAPRIO_OK};
    otaprio_diag_init(&sh.diag);
    if (pthread_mutex_init(&sh.lock, NULL) != 0)
        return OTAPRIO_E_NOMEM;
    uint32_t threads = setup->threads > 0 ? setup->threads : 1;
    if (threads > setup->seeds)
        threads = setup->seeds > 0 ? setup->seeds : 1;
    pthread_t *ids = calloc(threads, sizeof *ids);
    uint32_t started = 0;
    if (ids != NULL)
        for (; started < threads; started++)
            if (pthread_create(&ids[started], NULL, worker, &sh) != 0)
                break;
    /* With no thread started, this one does the work. */
    if (started == 0)
        worker(&sh);
    for (uint32_t t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    free(ids);
    pthread_mutex_destroy(&sh.lock);
    if (setup->progress)
        fprintf(stderr, "\r%40s\r", "");
    if (sh.status != OTAPRIO_OK) {
        *what = sh.what;
        *diag = sh.diag;
        return sh.status;
    }
    *what = "summarising the results";
    return sim_compare_summarise(result);
}

void sim_compare_free(sim_compare_result *result)
{
    free(result->runs);
    free(result->cells);
    free(result->false_halt_rate);
    free(result->exposure_score);
    memset(result, 0, sizeof *result);
}
