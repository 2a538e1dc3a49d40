/* SPDX-License-Identifier: MIT */
/* Shared by the risk tests: a deterministic random fleet and issues, and
 * models and issue scores built under cmocka asserts (include <cmocka.h>
 * first). */
#ifndef OTAPRIO_TEST_RISK_FIXTURE_H
#define OTAPRIO_TEST_RISK_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "otaprio.h"
#include "splitmix.h"

/* A fleet of columns owned by the fixture. */
enum { FIXTURE_MAX = 2048 };
typedef struct fixture_fleet {
    size_t count;
    uint8_t device_class[FIXTURE_MAX], customer_tier[FIXTURE_MAX],
        exposure[FIXTURE_MAX], redundant[FIXTURE_MAX], uptime[FIXTURE_MAX],
        safe_fallback[FIXTURE_MAX], charging[FIXTURE_MAX], link[FIXTURE_MAX],
        metered[FIXTURE_MAX], busy[FIXTURE_MAX], affected[FIXTURE_MAX],
        prerequisite_missing[FIXTURE_MAX], excluded[FIXTURE_MAX];
    float battery[FIXTURE_MAX];
    uint64_t free_bytes[FIXTURE_MAX];
    uint32_t failed_attempts[FIXTURE_MAX], days_offline[FIXTURE_MAX];
} fixture_fleet;

static inline void fixture_fleet_fill(fixture_fleet *f, size_t count,
                                      uint64_t seed)
{
    uint64_t s = seed;
    f->count = count;
    for (size_t i = 0; i < count; i++) {
        f->device_class[i] = (uint8_t)splitmix_below(&s, 12);
        f->customer_tier[i] = (uint8_t)splitmix_below(&s, 4);
        f->exposure[i] = (uint8_t)splitmix_below(&s, 3);
        f->redundant[i] = (uint8_t)splitmix_below(&s, 2);
        f->uptime[i] = (uint8_t)splitmix_below(&s, 3);
        f->safe_fallback[i] = (uint8_t)splitmix_below(&s, 2);
        f->charging[i] = (uint8_t)splitmix_below(&s, 2);
        f->link[i] = (uint8_t)splitmix_below(&s, 5);
        f->metered[i] = (uint8_t)splitmix_below(&s, 2);
        f->busy[i] = (uint8_t)(splitmix_below(&s, 4) == 0);
        f->affected[i] = (uint8_t)(splitmix_below(&s, 10) != 0);
        f->prerequisite_missing[i] = (uint8_t)(splitmix_below(&s, 10) == 0);
        f->excluded[i] = (uint8_t)(splitmix_below(&s, 20) == 0);
        f->battery[i] = (float)splitmix_unit(&s);
        f->free_bytes[i] = splitmix_next(&s) % (4ull << 30);
        f->failed_attempts[i] = splitmix_below(&s, 6);
        f->days_offline[i] = splitmix_below(&s, 40);
    }
}

/* Points `d` at the fleet's columns from device `start`. */
static inline void fixture_fleet_view(const fixture_fleet *f,
                                      otaprio_devices *d, size_t start,
                                      size_t count)
{
    otaprio_devices_init(d);
    d->count = count;
    d->device_class = f->device_class + start;
    d->customer_tier = f->customer_tier + start;
    d->exposure = f->exposure + start;
    d->redundant = f->redundant + start;
    d->uptime = f->uptime + start;
    d->safe_fallback = f->safe_fallback + start;
    d->battery = f->battery + start;
    d->charging = f->charging + start;
    d->link = f->link + start;
    d->metered = f->metered + start;
    d->free_bytes = f->free_bytes + start;
    d->failed_attempts = f->failed_attempts + start;
    d->days_offline = f->days_offline + start;
    d->busy = f->busy + start;
    d->affected = f->affected + start;
    d->prerequisite_missing = f->prerequisite_missing + start;
    d->excluded = f->excluded + start;
}

/* A random but valid issue. */
static inline void fixture_issue(otaprio_issue *issue, uint64_t *s)
{
    otaprio_issue_init(issue);
    issue->issue_class = (int32_t)splitmix_below(s, 5);
    issue->security_impact = (int32_t)splitmix_below(s, 5);
    issue->data_loss = (int32_t)splitmix_below(s, 5);
    issue->uptime_loss = (int32_t)splitmix_below(s, 5);
    issue->regulatory_exposure = (int32_t)splitmix_below(s, 5);
    issue->attack_path = (int32_t)splitmix_below(s, 5);
    issue->exploit = (int32_t)splitmix_below(s, 3);
    issue->automatable = (int32_t)splitmix_below(s, 2);
    issue->has_epss = (int32_t)splitmix_below(s, 2);
    issue->epss = splitmix_unit(s);
    issue->affected_share = splitmix_unit(s);
    issue->concentration = splitmix_unit(s);
    issue->workflows = (uint32_t)splitmix_below(s, 64);
    issue->affected_classes = (uint32_t)splitmix_next(s);
    issue->layer = (int32_t)splitmix_below(s, 7);
    issue->ab_slot = (int32_t)splitmix_below(s, 2);
    issue->anomaly_rate = splitmix_unit(s) * 0.2;
    issue->anomaly_growing = (int32_t)splitmix_below(s, 2);
    issue->masks_regression = (int32_t)splitmix_below(s, 2);
    issue->package_bytes = splitmix_next(s) % (1ull << 30);
}

/* A model of `policy` (NULL: the defaults); the test fails if it cannot
 * be built. */
static inline otaprio_risk_model *
fixture_model(const otaprio_risk_policy *policy)
{
    otaprio_risk_model *model = NULL;
    assert_int_equal(otaprio_risk_model_create(policy, NULL, &model, NULL),
                     OTAPRIO_OK);
    return model;
}

/* The score of `issue`, without its explanation. */
static inline otaprio_issue_score fixture_score(const otaprio_risk_model *model,
                                                const otaprio_issue *issue)
{
    otaprio_issue_score score;
    memset(&score, 0, sizeof score);
    score.size = sizeof score;
    assert_int_equal(
        otaprio_risk_score_issue(model, issue, &score, NULL, 0, NULL, NULL),
        OTAPRIO_OK);
    return score;
}

/* Sums the explanation lines of one score kind. */
static inline int64_t fixture_sum_lines(const otaprio_factor_points *items,
                                        size_t count, int32_t score)
{
    int64_t sum = 0;
    for (size_t i = 0; i < count; i++)
        if (items[i].score == score)
            sum += items[i].milli;
    return sum;
}

#endif
