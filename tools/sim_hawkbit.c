/* SPDX-License-Identifier: MIT */
/*
 * An Eclipse hawkBit-style rollout as an anchor for `otaprio simulate
 * --compare`: the same targets as libotaprio's plan, split into deployment
 * groups in creation order (hawkBit's auto-splitting of the target list),
 * cascading by the success condition and paused by the error condition.
 *
 * Semantics and defaults, from hawkBit's documentation and code:
 *  - "Rollout Management",
 * https://eclipse.dev/hawkbit/concepts/rollout-management
 *    (docs/rollout-management.md in eclipse-hawkbit/hawkbit): the success
 *    condition is a percentage of successfully installed targets in the
 *    current group; when reached the success action (default NEXTGROUP)
 *    starts the next group. The error condition, a percentage of failed
 *    installations, triggers an emergency shutdown of the rollout.
 *  - RolloutGroupConditionBuilder.withDefaults() (hawkbit-repository-api):
 *    success THRESHOLD 50, action NEXTGROUP; error THRESHOLD 50, action
 *    PAUSE. These are the defaults here.
 *  - The number of groups has no default; the Management API's documented
 *    example (MgmtRolloutRestRequestBodyPost, "amountGroups" : 5) gives 5.
 *
 * Mapping to the simulator: a target is "in error" when its install fails
 * or, updated, it reports a boot failure (sim_anchor_failed()). The error
 * condition is judged for every started group against its size, as
 * hawkBit does, each hour. A group whose targets have all ended (installed
 * or failed) is finished: its actions are closed, so its failures are
 * frozen at that hour.
 */
#include <string.h>

#include "sim.h"

const sim_hawkbit_config sim_hawkbit_defaults = {
    .groups = 5, .success_percent = 50.0, .error_percent = 50.0};

uint64_t sim_anchor_failed(const sim_counts *c, uint32_t wave, int sku)
{
    uint64_t boot = c->boot[wave][sku];
    if (boot > c->updated[wave][sku])
        boot = c->updated[wave][sku];
    return c->failed[wave][sku] + boot;
}

uint32_t sim_hawkbit_waves(const uint8_t *plan_waves, size_t devices,
                           uint32_t groups, uint8_t *waves)
{
    size_t targets = 0;
    for (size_t i = 0; i < devices; i++)
        targets += plan_waves[i] != OTAPRIO_PLAN_NONE;
    if (groups == 0)
        groups = 1;
    if (groups > SIM_MAX_WAVES)
        groups = SIM_MAX_WAVES;
    /* The k-th target of n goes to group floor(k * groups / n): groups of
     * equal size, give or take one. */
    size_t k = 0;
    for (size_t i = 0; i < devices; i++) {
        if (plan_waves[i] == OTAPRIO_PLAN_NONE) {
            waves[i] = OTAPRIO_PLAN_NONE;
            continue;
        }
        waves[i] = (uint8_t)((uint64_t)k * groups / targets);
        k++;
    }
    return groups;
}

typedef struct group_counts {
    uint64_t targets, ended, installed, failures;
} group_counts;

static group_counts count_group(const sim_counts *c, uint32_t w)
{
    group_counts g = {0, 0, 0, 0};
    for (int k = 0; k < SIM_SKUS; k++) {
        g.targets += c->devices[w][k];
        g.ended += c->settled[w][k];
        g.installed += c->updated[w][k];
        g.failures += sim_anchor_failed(c, w, k);
    }
    return g;
}

static int decide(void *user, const sim_view *v, sim_decision *d,
                  otaprio_diag *diag)
{
    (void)diag;
    sim_hawkbit_policy *self = user;
    memset(d, 0, sizeof *d);
    d->action = SIM_ACT_HOLD;
    for (uint32_t w = 0; w <= v->wave; w++) {
        group_counts g = count_group(v->now, w);
        if (self->finished[w]) {
            g.failures = self->closed_failures[w];
        } else if (g.ended == g.targets) {
            self->finished[w] = true;
            self->closed_failures[w] = g.failures;
        }
        if (g.targets > 0 && 100.0 * (double)g.failures / (double)g.targets >
                                 self->config.error_percent) {
            d->action = SIM_ACT_PAUSE;
            d->why = "group error threshold";
            return OTAPRIO_OK;
        }
    }
    group_counts current = count_group(v->now, v->wave);
    if (v->wave + 1 < self->group_count &&
        (current.targets == 0 ||
         100.0 * (double)current.installed / (double)current.targets >=
             self->config.success_percent))
        d->action = SIM_ACT_EXPAND;
    return OTAPRIO_OK;
}

void sim_hawkbit_policy_init(sim_hawkbit_policy *self,
                             const sim_hawkbit_config *config,
                             uint32_t group_count, sim_policy *policy)
{
    memset(self, 0, sizeof *self);
    self->config = *config;
    self->group_count = group_count;
    policy->name = "hawkBit";
    policy->self = self;
    policy->restart = NULL;
    policy->decide = decide;
}
