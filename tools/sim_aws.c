/* SPDX-License-Identifier: MIT */
/*
 * An AWS IoT Jobs-style rollout as an anchor for `otaprio simulate
 * --compare`: one job over the same targets as libotaprio's plan, its
 * executions notified at an exponential rate in creation order, cancelled
 * when an abort criterion is met.
 *
 * Semantics, from the AWS IoT API Reference and Developer Guide:
 *  - AwsJobExponentialRolloutRate / ExponentialRolloutRate
 *    (https://docs.aws.amazon.com/iot/latest/apireference/API_AwsJobExponentialRolloutRate.html):
 *    baseRatePerMinute (1-1000) things are notified per minute at the
 *    start; the rate is multiplied by incrementFactor when the
 *    rateIncreaseCriteria (numberOfNotifiedThings or
 *    numberOfSucceededThings) is met. We read the criterion as "each time
 *    that many more things have been notified" and use the notified form,
 *    which makes the schedule a fixed device-to-hour assignment.
 *  - JobExecutionsRolloutConfig.maximumPerMinute (1-1000) caps the rate
 *    ("Specify job configurations by using the AWS IoT Jobs API",
 *    https://docs.aws.amazon.com/iot/latest/developerguide/job-configurations-api.html).
 *  - AbortCriteria
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_AbortCriteria.html):
 *    failureType FAILED | REJECTED | TIMED_OUT | ALL, action CANCEL,
 *    minNumberOfExecutedThings (>= 1), thresholdPercentage (<= 100), all
 *    required: there are no defaults. We take the failure percentage over
 *    executed things (executions that ended) once at least
 *    minNumberOfExecutedThings have ended.
 *
 * "Defaults": none of these fields has one, so we take the example values
 * of the AWS CLI's create-job-template example as reproduced in a public
 * boto3 sample: exponentialRate baseRatePerMinute 50, incrementFactor 2,
 * numberOfNotifiedThings 1000, maximumPerMinute 1000; abort criterion
 * FAILED, CANCEL, minNumberOfExecutedThings 100, thresholdPercentage 20.
 *
 * Mapping to the simulator: the executions notified in hour h form wave h
 * (released one after the other whatever the telemetry: the job does not
 * wait for results); an execution fails when the install fails or the
 * updated device reports a boot failure (sim_anchor_failed()); CANCEL
 * halts the rollout (updated devices stay updated).
 */
#include <string.h>

#include "sim.h"

const sim_aws_config sim_aws_defaults = {.base_rate_per_minute = 50.0,
                                         .increment_factor = 2.0,
                                         .notified_things = 1000,
                                         .maximum_per_minute = 1000.0,
                                         .min_executed_things = 100,
                                         .threshold_percent = 20.0};

/* Things notified by the end of each hour, until every target is. */
static uint32_t schedule(const sim_aws_config *c, uint64_t targets,
                         uint64_t notified_by[SIM_MAX_WAVES])
{
    double rate = c->base_rate_per_minute, carry = 0.0;
    uint64_t notified = 0, since_increase = 0;
    uint32_t hours = 0;
    while (hours < SIM_MAX_WAVES && (notified < targets || hours == 0)) {
        for (int minute = 0; minute < 60; minute++) {
            double r =
                rate < c->maximum_per_minute ? rate : c->maximum_per_minute;
            carry += r;
            uint64_t n = (uint64_t)carry;
            carry -= (double)n;
            if (n > targets - notified)
                n = targets - notified;
            notified += n;
            since_increase += n;
            if (c->notified_things > 0 &&
                since_increase >= c->notified_things) {
                rate *= c->increment_factor;
                since_increase = 0;
            }
        }
        notified_by[hours++] = notified;
    }
    /* Past the last wave, the rest go with it. */
    notified_by[hours - 1] = targets;
    return hours;
}

uint32_t sim_aws_waves(const uint8_t *plan_waves, size_t devices,
                       const sim_aws_config *config, uint8_t *waves)
{
    uint64_t targets = 0;
    for (size_t i = 0; i < devices; i++)
        targets += plan_waves[i] != OTAPRIO_PLAN_NONE;
    uint64_t notified_by[SIM_MAX_WAVES];
    uint32_t hours = schedule(config, targets, notified_by);
    uint64_t k = 0;
    uint32_t h = 0;
    for (size_t i = 0; i < devices; i++) {
        if (plan_waves[i] == OTAPRIO_PLAN_NONE) {
            waves[i] = OTAPRIO_PLAN_NONE;
            continue;
        }
        while (k >= notified_by[h] && h + 1 < hours)
            h++;
        waves[i] = (uint8_t)h;
        k++;
    }
    return hours;
}

static int decide(void *user, const sim_view *v, sim_decision *d,
                  otaprio_diag *diag)
{
    (void)diag;
    const sim_aws_policy *self = user;
    memset(d, 0, sizeof *d);
    uint64_t executed = 0, failures = 0;
    for (uint32_t w = 0; w <= v->wave; w++)
        for (int k = 0; k < SIM_SKUS; k++) {
            executed += v->now->settled[w][k];
            failures += sim_anchor_failed(v->now, w, k);
        }
    if (executed > 0 && executed >= self->config.min_executed_things &&
        100.0 * (double)failures / (double)executed >=
            self->config.threshold_percent) {
        d->action = SIM_ACT_PAUSE;
        d->why = "job abort criterion";
        return OTAPRIO_OK;
    }
    /* The next hour's executions are notified whatever the results. */
    d->action = v->wave + 1 < v->wave_count ? SIM_ACT_EXPAND : SIM_ACT_HOLD;
    return OTAPRIO_OK;
}

void sim_aws_policy_init(sim_aws_policy *self, const sim_aws_config *config,
                         sim_policy *policy)
{
    memset(self, 0, sizeof *self);
    self->config = *config;
    policy->name = "AWS IoT Jobs";
    policy->self = self;
    policy->restart = NULL;
    policy->decide = decide;
}
