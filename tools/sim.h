/* SPDX-License-Identifier: MIT */
/*
 * The rollout simulator behind `otaprio simulate`: a synthetic fleet from a
 * seed, named scenarios with a ground truth, and an hour-by-hour rollout in
 * which a policy (libotaprio's planner and guardrails, or a rule of today's
 * OTA products) decides and the simulator applies its decisions. It uses
 * only the library's public API.
 *
 * The fleet is simulated device by device where the library needs devices
 * (the plan assigns each device its wave) and cell by cell in time: a cell
 * is the devices of one wave and one SKU, and each hour draws how many of
 * its devices install, fail and report. That keeps a run of a million
 * devices over weeks of simulated time to a fraction of a second after
 * planning, so hundreds of seeds can be compared.
 */
#ifndef OTAPRIO_SIM_H
#define OTAPRIO_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <otaprio.h>

/* ---- random numbers (sim_random.c) ------------------------------------- */

/* xoshiro256** seeded through SplitMix64: a fixed stream per seed on every
 * machine. */
typedef struct sim_random {
    uint64_t s[4];
} sim_random;

void sim_random_seed(sim_random *r, uint64_t seed);
uint64_t sim_random_next(sim_random *r);
/* Uniform in [0, 1). */
double sim_random_unit(sim_random *r);
/* A Poisson draw of mean `mean` (>= 0). */
uint64_t sim_random_poisson(sim_random *r, double mean);
/* A binomial draw of `n` trials of probability `p` in [0, 1]. */
uint64_t sim_random_binomial(sim_random *r, uint64_t n, double p);

/* ---- the fleet (sim_fleet.c) ------------------------------------------- */

enum {
    SIM_SKUS = 12,
    SIM_REGIONS = 8,
    SIM_CARRIERS = 6,
    SIM_REVISIONS = 3,
    /* Catalog components and the packages of the fix. */
    SIM_BOOTLOADER = 0,
    SIM_OS = 1,
    SIM_MODEM = 2,
    SIM_COMPONENTS = 3,
    SIM_PACKAGE_BOOTLOADER = 0, /* bootloader 2: the prerequisite */
    SIM_PACKAGE_FIX = 1,        /* os 13, which needs bootloader 2 */
    SIM_PACKAGE_FIX_ANY = 2     /* os 13 for fleets missing no prerequisite */
};

/* A fleet as columns, one entry per device, in creation order. */
typedef struct sim_fleet {
    size_t devices;
    uint64_t *keys;
    uint32_t *sku, *region, *carrier, *cluster;
    uint32_t *versions[SIM_COMPONENTS];
    uint8_t *revision, *device_class, *customer_tier, *link, *metered;
    uint8_t *charging, *ring, *uptime, *redundant;
    float *battery;
    uint64_t *free_bytes;
    /* Share of the fleet on each SKU, for reports. */
    double sku_share[SIM_SKUS];
} sim_fleet;

/* The fleet's mix: the share of devices on each SKU and in each region
 * (non-negative weights, normalised when the fleet is generated). */
typedef struct sim_mix {
    double sku[SIM_SKUS];
    double region[SIM_REGIONS];
} sim_mix;

/* The default mix: a few SKUs carry most devices (SKU 7, a mid-range
 * handset, about 5%; SKUs 10 and 11, the old ones, 5% together), and
 * regions from a quarter of the fleet down to 4%. */
void sim_mix_default(sim_mix *mix);

/* Generates `devices` devices from `seed` in `mix` (NULL: the default):
 * SKUs, hardware revisions, regions, carriers, classes from handsets to
 * medical devices (each SKU has one), battery and link states, installed
 * versions (SKUs 10 and 11 keep old bootloaders that need the
 * prerequisite), shared-fate clusters (SKU and revision), release rings.
 * Returns 0, or -1 when memory runs out. */
int sim_fleet_generate(uint64_t seed, size_t devices, const sim_mix *mix,
                       sim_fleet *fleet);
/* Makes room for `capacity` devices (at least one) in every column,
 * keeping the devices there; 0, or -1 when memory runs out (the fleet is
 * still whole, to free). */
int sim_fleet_reserve(sim_fleet *fleet, size_t capacity);
void sim_fleet_free(sim_fleet *fleet);
/* The catalog the fleet's versions refer to. */
int sim_catalog_build(otaprio_catalog **catalog, otaprio_diag *diag);

/* ---- scenarios (sim_scenario.c) ---------------------------------------- */

/* What really happens when devices take the update. */
typedef struct sim_truth {
    double boot_rate;       /* boot failures per device-hour, old build */
    double boot_factor;     /* the update multiplies it everywhere ... */
    int32_t bad_sku;        /* ... and on this SKU (-1: none) ... */
    double bad_sku_factor;  /* ... by this */
    double install_failure; /* share of installs that fail */
    double drain_rate;      /* heavy-drain reports per device-hour */
    double drain_factor;    /* the update multiplies them ... */
    double drain_after;     /* ... from this many hours after install */
    double day_night;       /* amplitude of the daily swing of every rate */
} sim_truth;

typedef struct sim_scenario {
    const char *name;
    const char *summary;
    otaprio_issue issue; /* the fix, as the host describes it */
    uint32_t delayed;    /* otaprio_plan_delayed bits the host expects */
    bool old_bootloaders_blocked; /* the fix needs bootloader 2 */
    bool bad;       /* ground truth: the update should be stopped */
    bool exploited; /* the flaw is exploited: coverage races attackers */
    sim_truth truth;
} sim_scenario;

/* The truth of a good update on the simulated fleet: the built-in
 * scenarios' and a scenario file's starting point. */
extern const sim_truth sim_quiet_truth;

/* The built-in scenarios, built in the caller's storage (nothing shared is
 * written, so any thread may call these). */
size_t sim_scenario_count(void);
/* Builds the scenario at `index` in `out`; false past the end. */
bool sim_scenario_get(size_t index, sim_scenario *out);
/* Builds the scenario called `name` (`length` bytes, not terminated) in
 * `out`; false when there is none. */
bool sim_scenario_named(const char *name, size_t length, sim_scenario *out);

/* ---- a run (sim_run.c) ------------------------------------------------- */

/* Waves: the plan's few, hawkBit's groups, or AWS IoT Jobs' hourly
 * releases (tools/sim_aws.c folds what is left into the last). */
enum { SIM_MAX_WAVES = 32, SIM_MAX_EVENTS = 256 };

/* The guardrails every wave is gated by (sim_plan.c), by index. */
enum {
    SIM_RULE_BOOT = 0,
    SIM_RULE_INSTALL = 1,
    SIM_RULE_DRAIN = 2,
    SIM_RULES = 3
};

/* What the simulator tells a policy, hour after hour: cumulative counts
 * per wave and SKU (a cell), and per SKU for the devices not updated. */
typedef struct sim_counts {
    uint64_t devices[SIM_MAX_WAVES][SIM_SKUS]; /* assigned to the cell */
    uint64_t settled[SIM_MAX_WAVES][SIM_SKUS]; /* tried to install */
    uint64_t updated[SIM_MAX_WAVES][SIM_SKUS]; /* installed */
    uint64_t failed[SIM_MAX_WAVES][SIM_SKUS];  /* failed to install */
    uint64_t boot[SIM_MAX_WAVES][SIM_SKUS];    /* boot failures, updated */
    uint64_t drain[SIM_MAX_WAVES][SIM_SKUS];   /* heavy-drain reports */
    double exposure[SIM_MAX_WAVES][SIM_SKUS];  /* updated device-hours */
    double baseline_exposure[SIM_SKUS];        /* device-hours not updated */
    uint64_t baseline_boot[SIM_SKUS], baseline_drain[SIM_SKUS];
} sim_counts;

typedef struct sim_view {
    uint32_t hour; /* hours simulated so far */
    uint32_t wave; /* the newest wave released */
    uint32_t wave_count;
    uint32_t window_start;   /* when the current window began */
    const sim_counts *now;   /* at the end of this hour */
    const sim_counts *start; /* at the start of the window */
    const bool *exempt;      /* SKUs out of the rollout */
} sim_view;

typedef enum sim_action {
    SIM_ACT_HOLD = 0,    /* go on at this wave */
    SIM_ACT_EXPAND = 1,  /* release the next wave */
    SIM_ACT_EXEMPT = 2,  /* take sim_decision::exempt out, go on */
    SIM_ACT_PAUSE = 3,   /* halt for a person */
    SIM_ACT_ROLLBACK = 4 /* halt and back out */
} sim_action;

/* What a policy saw of one guardrail at one look, whole cohort, since
 * the window began; for reports. */
typedef struct sim_look {
    double canary;   /* the canary's rate per device-hour, or share of
                        installs failed */
    double baseline; /* the devices not updated (NaN without a baseline) */
    double allowed;  /* the most the canary may show: the baseline times
                        the engine's limit ratio (otaprio_guard_result::
                        limit, 1 + margin after tolerance scaling), or the
                        ceiling when the rule has no baseline check */
    int32_t verdict; /* the ::otaprio_guard_verdict, or -1: no look */
} sim_look;

typedef struct sim_decision {
    int32_t action;
    bool exempt[SIM_SKUS];
    const char *why; /* the metric behind it, or NULL */
    /* The guardrails at this look, by SIM_RULE_*; `looked` stays false
     * (sim_run() zeroes the decision) for a policy that has none. */
    bool looked;
    sim_look looks[SIM_RULES];
} sim_decision;

/* A rollout policy: how devices are grouped into waves (given to sim_run()
 * as each device's wave) and what to do after each hour. */
typedef struct sim_policy {
    const char *name;
    void *self;
    /* A window begins (a wave starts, SKUs leave): counts restart. NULL
     * for a policy that keeps no state per window. */
    int (*restart)(void *self, uint32_t wave, otaprio_diag *diag);
    int (*decide)(void *self, const sim_view *view, sim_decision *decision,
                  otaprio_diag *diag);
} sim_policy;

typedef enum sim_event_kind {
    SIM_EVENT_WAVE = 0,     /* a wave starts */
    SIM_EVENT_EXEMPT = 1,   /* a SKU is exempted */
    SIM_EVENT_PAUSE = 2,    /* the rollout halts for a person */
    SIM_EVENT_ROLLBACK = 3, /* the rollout halts and backs out */
    SIM_EVENT_DONE = 4      /* every released device has settled */
} sim_event_kind;

typedef struct sim_event {
    uint32_t hour;
    int32_t kind;
    uint32_t subject; /* the wave, or the exempted SKU */
    uint64_t updated; /* devices updated by then */
    const char *why;  /* the metric behind a halt or exemption, or NULL */
} sim_event;

/* What a run measured. */
typedef struct sim_outcome {
    uint32_t hours;      /* simulated */
    bool halted;         /* paused or rolled back */
    uint32_t halt_hour;  /* when, if halted */
    bool false_halt;     /* halted although the update is good */
    uint64_t exposed;    /* devices that took a bad change before the halt
                            (on the bad SKU, or anywhere when the update is
                            bad everywhere) */
    uint64_t updated;    /* devices updated at the end */
    uint64_t planned;    /* devices the rollout may reach */
    bool localised;      /* the bad SKU was exempted, the rest went on */
    int64_t hours_to_95; /* to 95% of the planned devices, or -1 */
    uint32_t event_count;
    sim_event events[SIM_MAX_EVENTS];
    /* Devices still exposed to the flaw at the end of each hour. */
    uint64_t *unpatched; /* `hours` entries, owned by the outcome */
    /* Series for charts, owned by the outcome like `unpatched`: devices
     * updated by the end of hour h (`hours` entries), and the policy's
     * look after hour h at rule r, looks[h * SIM_RULES + r] (all NaN when
     * the policy did not look). */
    uint64_t *updated_by_hour;
    sim_look *looks;
} sim_outcome;

/* One run's inputs. */
typedef struct sim_setup {
    const sim_fleet *fleet;
    const otaprio_catalog *catalog;
    const sim_scenario *scenario;
    uint64_t seed;
    uint32_t max_hours;
} sim_setup;

/* Runs a rollout: `waves` gives each device's wave (below `wave_count`,
 * or OTAPRIO_PLAN_NONE for none), `maintenance` each wave's maintenance-window
 * flag; the policy decides after every hour. */
int sim_run(const sim_setup *setup, const uint8_t *waves, uint32_t wave_count,
            const int *maintenance, const sim_policy *policy, sim_outcome *out,
            otaprio_diag *diag);

void sim_outcome_free(sim_outcome *outcome);
/* The look after the hour an event happened in, rule by rule, or NULL
 * when none was made (an event at hour 0). */
const sim_look *sim_event_looks(const sim_outcome *outcome,
                                const sim_event *event);

/* ---- libotaprio's policy (sim_plan.c, sim_policy.c) --------------------- */

/* The guardrails' significance level. The sequential rules hold it over
 * every hourly look; the strata and the ceiling are judged once a day
 * (about twenty looks a rollout, Holm across SKUs at each). */
#define SIM_ALPHA 0.002

/* The guardrails' names, by rule. */
extern const char *const sim_rule_names[SIM_RULES];

/* Plans the scenario's rollout over the fleet with the runbook planner;
 * `waves` (one byte per device) receives each device's plan wave. */
int sim_plan(const sim_setup *setup, uint8_t *waves, otaprio_plan **plan,
             otaprio_diag *diag);

/* Runs the rollout `plan` describes (sim_plan() filled `waves`) under the
 * policy that follows it: each wave's maintenance-window flag and
 * guardrails come from the plan. Returns as sim_run() does. */
int sim_run_plan(const sim_setup *setup, const otaprio_plan *plan,
                 const uint8_t *waves, sim_outcome *out, otaprio_diag *diag);

/* ---- today's OTA products as anchors (sim_hawkbit.c, sim_aws.c) -------- */

/* What an anchor counts as a failed device in a cell: a failed install, or
 * an updated device that reported a boot failure (it rolls back and
 * reports its action or job execution failed). Boot failures are Poisson
 * counts of events; at the rates simulated almost every event is another
 * device, and the count is capped at the cell's updated devices. Heavy
 * battery drain is not a failure either product sees. */
uint64_t sim_anchor_failed(const sim_counts *c, uint32_t wave, int sku);

/* Eclipse hawkBit's rollout: the targets split into `groups` deployment
 * groups in creation order; a group's success condition (this share of
 * its targets installed) starts the next group, its error condition (this
 * share failed) pauses the whole rollout. */
typedef struct sim_hawkbit_config {
    uint32_t groups;
    double success_percent; /* success condition THRESHOLD */
    double error_percent;   /* error condition THRESHOLD, action PAUSE */
} sim_hawkbit_config;

typedef struct sim_hawkbit_policy {
    sim_hawkbit_config config;
    uint32_t group_count;
    /* Failures of each group when all its actions ended: a finished
     * group's actions are closed and report no more. */
    bool finished[SIM_MAX_WAVES];
    uint64_t closed_failures[SIM_MAX_WAVES];
} sim_hawkbit_policy;

extern const sim_hawkbit_config sim_hawkbit_defaults;

/* Each targeted device's group (`plan_waves` marks the targeted devices:
 * not OTAPRIO_PLAN_NONE); returns the number of groups. */
uint32_t sim_hawkbit_waves(const uint8_t *plan_waves, size_t devices,
                           uint32_t groups, uint8_t *waves);
void sim_hawkbit_policy_init(sim_hawkbit_policy *self,
                             const sim_hawkbit_config *config,
                             uint32_t group_count, sim_policy *policy);

/* An AWS IoT Jobs job: executions notified at an exponential rate
 * (jobExecutionsRolloutConfig), cancelled by an abort criterion
 * (abortConfig, failureType ALL, action CANCEL). */
typedef struct sim_aws_config {
    double base_rate_per_minute;
    double increment_factor;
    uint32_t notified_things; /* rateIncreaseCriteria.numberOfNotifiedThings */
    double maximum_per_minute;
    uint64_t min_executed_things;
    double threshold_percent;
} sim_aws_config;

typedef struct sim_aws_policy {
    sim_aws_config config;
} sim_aws_policy;

extern const sim_aws_config sim_aws_defaults;

/* Each targeted device's release hour in creation order: wave h holds the
 * devices notified during hour h; returns the number of waves (the last
 * takes every device left when SIM_MAX_WAVES is reached). */
uint32_t sim_aws_waves(const uint8_t *plan_waves, size_t devices,
                       const sim_aws_config *config, uint8_t *waves);
void sim_aws_policy_init(sim_aws_policy *self, const sim_aws_config *config,
                         sim_policy *policy);

#endif /* OTAPRIO_SIM_H */
