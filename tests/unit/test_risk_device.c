/* SPDX-License-Identifier: MIT */
/*
 * Per-device scoring: the reference article's device cases, dispositions
 * and their precedence, explanations equal to the batch and adding up,
 * monotonicity, streaming equal to one pass, defaults of missing columns,
 * and bad input that leaves the caller's arrays alone.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "risk_fixture.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct fixture {
    otaprio_risk_model *model;
    otaprio_issue_score issue; /* a T1 security fix of 100 MiB */
} fixture;

static int setup(void **state)
{
    static fixture f;
    f.model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.security_impact = OTAPRIO_LEVEL_HIGH;
    issue.attack_path = OTAPRIO_ATTACK_ADJACENT;
    issue.exploit = OTAPRIO_EXPLOIT_POC;
    issue.automatable = 1;
    issue.affected_share = 0.5;
    issue.package_bytes = 100u << 20;
    f.issue = fixture_score(f.model, &issue);
    assert_int_equal(f.issue.tier, OTAPRIO_TIER_T1);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    otaprio_risk_model_free(f->model);
    return 0;
}

/* Scores one device described by a one-element chunk. */
typedef struct one {
    otaprio_devices devices;
    uint8_t device_class, customer_tier, exposure, redundant, uptime,
        safe_fallback, charging, link, metered, busy, affected, prerequisite,
        excluded;
    float battery;
    uint64_t free_bytes;
    uint32_t failed_attempts, days_offline;
} one;

static void one_init(one *d)
{
    memset(d, 0, sizeof *d);
    d->exposure = OTAPRIO_EXPOSURE_INTERNAL;
    d->uptime = OTAPRIO_UPTIME_BUSINESS;
    d->affected = 1;
    d->battery = 1.0f;
    d->free_bytes = UINT64_MAX;
}

static const otaprio_devices *one_view(one *d)
{
    otaprio_devices *v = &d->devices;
    otaprio_devices_init(v);
    v->count = 1;
    v->device_class = &d->device_class;
    v->customer_tier = &d->customer_tier;
    v->exposure = &d->exposure;
    v->redundant = &d->redundant;
    v->uptime = &d->uptime;
    v->safe_fallback = &d->safe_fallback;
    v->battery = &d->battery;
    v->charging = &d->charging;
    v->link = &d->link;
    v->metered = &d->metered;
    v->free_bytes = &d->free_bytes;
    v->failed_attempts = &d->failed_attempts;
    v->days_offline = &d->days_offline;
    v->busy = &d->busy;
    v->affected = &d->affected;
    v->prerequisite_missing = &d->prerequisite;
    v->excluded = &d->excluded;
    return v;
}

typedef struct answer {
    double priority, criticality, delivery;
    uint8_t disposition;
    uint32_t reasons;
} answer;

static answer score_one(const fixture *f, const otaprio_issue_score *issue,
                        one *d)
{
    answer a;
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    r.priority = &a.priority;
    r.criticality = &a.criticality;
    r.delivery_risk = &a.delivery;
    r.disposition = &a.disposition;
    r.reasons = &a.reasons;
    assert_int_equal(
        otaprio_risk_score_devices(f->model, issue, one_view(d), &r, NULL),
        OTAPRIO_OK);
    return a;
}

/* ---- the reference article's device cases ----------------------------- */

static void low_battery_phone_is_deferred_not_excluded(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.device_class = OTAPRIO_DEVICE_HANDSET;
    d.link = OTAPRIO_LINK_WIFI;
    d.battery = 0.08f;
    answer a = score_one(f, &f->issue, &d);
    assert_int_equal(a.disposition, OTAPRIO_DISPOSITION_DEFER);
    assert_int_equal(a.reasons, OTAPRIO_REASON_LOW_BATTERY);
    answer full = (d.battery = 1.0f, score_one(f, &f->issue, &d));
    assert_true(a.delivery > full.delivery);
    /* Plugged in, the same phone may go. */
    d.battery = 0.08f;
    d.charging = 1;
    answer charging = score_one(f, &f->issue, &d);
    assert_int_equal(charging.disposition, OTAPRIO_DISPOSITION_ELIGIBLE);
    assert_int_equal(charging.reasons, 0);
}

static void lone_router_outranks_one_in_a_redundant_pair(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.device_class = OTAPRIO_DEVICE_ROUTER;
    d.redundant = 1;
    answer paired = score_one(f, &f->issue, &d);
    d.redundant = 0;
    answer lone = score_one(f, &f->issue, &d);
    assert_true(lone.priority > paired.priority);
    assert_true(lone.criticality > paired.criticality);
}

static void three_failed_attempts_raise_priority(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    answer fresh = score_one(f, &f->issue, &d);
    d.failed_attempts = 3;
    answer failing = score_one(f, &f->issue, &d);
    assert_true(failing.priority > fresh.priority);
    assert_int_equal(failing.reasons, OTAPRIO_REASON_REPEATED_FAILURES);
    assert_int_equal(failing.disposition, OTAPRIO_DISPOSITION_ELIGIBLE);
}

static void kiosk_at_peak_hours_waits_for_its_window(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.device_class = OTAPRIO_DEVICE_KIOSK;
    d.busy = 1;
    answer a = score_one(f, &f->issue, &d);
    assert_int_equal(a.disposition, OTAPRIO_DISPOSITION_DEFER);
    assert_int_equal(a.reasons, OTAPRIO_REASON_MAINTENANCE_WINDOW);
    /* An emergency push does not wait. */
    otaprio_issue_score emergency = f->issue;
    emergency.tier = OTAPRIO_TIER_T0;
    answer now = score_one(f, &emergency, &d);
    assert_int_equal(now.disposition, OTAPRIO_DISPOSITION_ELIGIBLE);
}

static void roaming_or_metered_devices_defer_large_packages(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.link = OTAPRIO_LINK_ROAMING;
    answer roaming = score_one(f, &f->issue, &d);
    assert_int_equal(roaming.disposition, OTAPRIO_DISPOSITION_DEFER);
    assert_int_equal(roaming.reasons, OTAPRIO_REASON_METERED_LARGE);
    d.link = OTAPRIO_LINK_CELLULAR;
    d.metered = 1;
    assert_int_equal(score_one(f, &f->issue, &d).reasons,
                     OTAPRIO_REASON_METERED_LARGE);
    otaprio_issue_score small = f->issue;
    small.package_bytes = 1u << 20;
    assert_int_equal(score_one(f, &small, &d).disposition,
                     OTAPRIO_DISPOSITION_ELIGIBLE);
}

static void storage_short_of_headroom_defers(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.free_bytes = (150u << 20); /* 1.5 x the package, below 2 x */
    answer a = score_one(f, &f->issue, &d);
    assert_int_equal(a.disposition, OTAPRIO_DISPOSITION_DEFER);
    assert_int_equal(a.reasons, OTAPRIO_REASON_LOW_STORAGE);
    d.free_bytes = (200u << 20);
    assert_int_equal(score_one(f, &f->issue, &d).reasons, 0);
}

/* Storage is short when (double)free < package x headroom, the documented
 * rule; the engine turns it into an integer threshold once per issue. The
 * two agree even where doubles are 1024 apart and rounding ties. */
static void storage_rule_matches_the_double_comparison(void **state)
{
    fixture *f = *state;
    const uint64_t packages[] = {
        1, 3, 100u << 20, (1ull << 52) + 1, 1ull << 62, (1ull << 63) - 1};
    const int64_t deltas[] = {-2048, -1025, -1024, -513, -512, -511, -2,  -1,
                              0,     1,     511,   512,  513,  1024, 2048};
    for (size_t p = 0; p < COUNT(packages); p++) {
        otaprio_issue_score issue = f->issue;
        issue.package_bytes = packages[p];
        double needed = (double)packages[p] * 2.0; /* default headroom */
        uint64_t centre = needed >= 0x1p64 ? UINT64_MAX : (uint64_t)needed;
        for (size_t k = 0; k < COUNT(deltas); k++) {
            one d;
            one_init(&d);
            d.free_bytes = centre + (uint64_t)deltas[k];
            if ((deltas[k] < 0 && d.free_bytes > centre) ||
                (deltas[k] > 0 && d.free_bytes < centre))
                continue; /* wrapped around */
            bool expected = (double)d.free_bytes < needed;
            answer a = score_one(f, &issue, &d);
            assert_int_equal((a.reasons & OTAPRIO_REASON_LOW_STORAGE) != 0,
                             expected);
        }
    }
}

static void dispositions_follow_their_precedence(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.battery = 0.0f; /* defer */
    assert_int_equal(score_one(f, &f->issue, &d).disposition,
                     OTAPRIO_DISPOSITION_DEFER);
    d.prerequisite = 1; /* blocked beats defer */
    answer blocked = score_one(f, &f->issue, &d);
    assert_int_equal(blocked.disposition, OTAPRIO_DISPOSITION_BLOCKED);
    assert_int_equal(blocked.reasons,
                     OTAPRIO_REASON_LOW_BATTERY | OTAPRIO_REASON_PREREQUISITE);
    d.affected = 0; /* excluded beats blocked */
    answer excluded = score_one(f, &f->issue, &d);
    assert_int_equal(excluded.disposition, OTAPRIO_DISPOSITION_EXCLUDED);
    assert_true(excluded.reasons & OTAPRIO_REASON_NOT_AFFECTED);
    one_init(&d);
    d.excluded = 1;
    assert_int_equal(score_one(f, &f->issue, &d).reasons,
                     OTAPRIO_REASON_POLICY);
    one_init(&d);
    d.days_offline = 30; /* a notice, not a disposition */
    answer stale = score_one(f, &f->issue, &d);
    assert_int_equal(stale.disposition, OTAPRIO_DISPOSITION_ELIGIBLE);
    assert_int_equal(stale.reasons, OTAPRIO_REASON_CATCH_UP);
}

static void policy_can_exclude_whole_classes(void **state)
{
    (void)state;
    otaprio_risk_policy p;
    otaprio_risk_policy_init(&p);
    p.excluded_classes = 1u << OTAPRIO_DEVICE_MEDICAL;
    fixture f = *(fixture *)*state;
    f.model = fixture_model(&p);
    one d;
    one_init(&d);
    d.device_class = OTAPRIO_DEVICE_MEDICAL;
    answer a = score_one(&f, &f.issue, &d);
    assert_int_equal(a.disposition, OTAPRIO_DISPOSITION_EXCLUDED);
    assert_int_equal(a.reasons, OTAPRIO_REASON_CLASS_EXCLUDED);
    otaprio_risk_model_free(f.model);
}

/* ---- explanations and consistency ------------------------------------- */

static fixture_fleet fleet; /* large; kept out of the stack */

static void explanations_equal_the_batch_and_add_up(void **state)
{
    fixture *f = *state;
    fixture_fleet_fill(&fleet, 1500, 11);
    otaprio_devices d;
    fixture_fleet_view(&fleet, &d, 0, fleet.count);
    static double priority[FIXTURE_MAX], criticality[FIXTURE_MAX],
        delivery[FIXTURE_MAX];
    static uint8_t disposition[FIXTURE_MAX];
    static uint32_t reasons[FIXTURE_MAX];
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    r.priority = priority;
    r.criticality = criticality;
    r.delivery_risk = delivery;
    r.disposition = disposition;
    r.reasons = reasons;
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, &d, &r, NULL),
        OTAPRIO_OK);
    for (size_t i = 0; i < fleet.count; i++) {
        otaprio_device_score s;
        s.size = sizeof s;
        otaprio_factor_points items[48];
        size_t count = 0;
        assert_int_equal(otaprio_risk_explain_device(f->model, &f->issue, &d, i,
                                                     &s, items, COUNT(items),
                                                     &count, NULL),
                         OTAPRIO_OK);
        assert_true(priority[i] == (double)s.priority_milli / 1000.0);
        assert_true(criticality[i] == (double)s.criticality_milli / 1000.0);
        assert_true(delivery[i] == (double)s.delivery_milli / 1000.0);
        assert_int_equal(disposition[i], s.disposition);
        assert_int_equal(reasons[i], s.reasons);
        assert_int_equal(
            fixture_sum_lines(items, count, OTAPRIO_SCORE_PRIORITY),
            s.priority_milli);
        assert_int_equal(
            fixture_sum_lines(items, count, OTAPRIO_SCORE_CRITICALITY),
            s.criticality_milli);
        assert_int_equal(
            fixture_sum_lines(items, count, OTAPRIO_SCORE_DELIVERY),
            s.delivery_milli);
        assert_true(s.priority_milli >= 0 && s.priority_milli <= 100000);
        assert_true(s.delivery_milli >= 0 && s.delivery_milli <= 100000);
    }
}

static void explain_refuses_a_bad_index_or_capacity(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    d.failed_attempts = 2;
    otaprio_device_score s;
    s.size = sizeof s;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_risk_explain_device(f->model, &f->issue,
                                                 one_view(&d), 1, &s, NULL, 0,
                                                 NULL, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "index");
    otaprio_factor_points items[1];
    memset(items, 0x77, sizeof items);
    size_t count = 0;
    assert_int_equal(otaprio_risk_explain_device(f->model, &f->issue,
                                                 one_view(&d), 0, &s, items, 1,
                                                 &count, &diag),
                     OTAPRIO_E_RANGE);
    assert_true(count > 1);
    assert_int_equal(items[0].milli, (int64_t)0x7777777777777777ull);
    d.battery = NAN;
    assert_int_equal(otaprio_risk_explain_device(f->model, &f->issue,
                                                 one_view(&d), 0, &s, NULL, 0,
                                                 NULL, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "battery");
}

/* ---- properties ------------------------------------------------------- */

/* Raising criticality inputs never lowers criticality or priority; a safe
 * fallback never raises delivery risk; more failed attempts never lower
 * priority. */
static void device_scores_are_monotone(void **state)
{
    fixture *f = *state;
    uint64_t s = 21;
    for (int n = 0; n < 4000; n++) {
        one base;
        one_init(&base);
        base.device_class = (uint8_t)splitmix_below(&s, 11);
        base.customer_tier = (uint8_t)splitmix_below(&s, 4);
        base.exposure = (uint8_t)splitmix_below(&s, 3);
        base.redundant = (uint8_t)splitmix_below(&s, 2);
        base.uptime = (uint8_t)splitmix_below(&s, 3);
        base.safe_fallback = (uint8_t)splitmix_below(&s, 2);
        base.battery = (float)splitmix_unit(&s);
        base.link = (uint8_t)splitmix_below(&s, 5);
        base.failed_attempts = splitmix_below(&s, 5);
        one up = base;
        switch (n % 7) {
        case 0:
            up.customer_tier =
                base.customer_tier < 3 ? base.customer_tier + 1 : 3;
            break;
        case 1:
            up.exposure = base.exposure < 2 ? base.exposure + 1 : 2;
            break;
        case 2:
            up.uptime = base.uptime < 2 ? base.uptime + 1 : 2;
            break;
        case 3:
            up.redundant = 0;
            break;
        case 4:
            up.device_class = OTAPRIO_DEVICE_MEDICAL; /* the most critical */
            break;
        case 5:
            up.failed_attempts = base.failed_attempts + 1;
            break;
        default:
            up.safe_fallback = 1;
            break;
        }
        answer a = score_one(f, &f->issue, &base);
        answer b = score_one(f, &f->issue, &up);
        assert_true(b.priority >= a.priority);
        assert_true(b.criticality >= a.criticality);
        if (n % 7 == 6)
            assert_true(b.delivery <= a.delivery);
    }
}

static void missing_columns_take_their_defaults(void **state)
{
    fixture *f = *state;
    enum { N = 300 };
    otaprio_devices bare;
    otaprio_devices_init(&bare);
    bare.count = N;
    one d;
    one_init(&d); /* the documented defaults, spelled out */
    answer expected = score_one(f, &f->issue, &d);
    static double priority[N], delivery[N];
    static uint8_t disposition[N];
    static uint32_t reasons[N];
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    r.priority = priority;
    r.delivery_risk = delivery;
    r.disposition = disposition;
    r.reasons = reasons;
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, &bare, &r, NULL),
        OTAPRIO_OK);
    for (int i = 0; i < N; i++) {
        assert_true(priority[i] == expected.priority);
        assert_true(delivery[i] == expected.delivery);
        assert_int_equal(disposition[i], expected.disposition);
        assert_int_equal(reasons[i], expected.reasons);
    }
}

/* ---- streaming -------------------------------------------------------- */

typedef struct stream_state {
    const fixture_fleet *fleet;
    size_t next, chunk;
    double *priority;
    uint8_t *disposition;
    uint32_t *reasons;
    int fail_at_call, calls;
} stream_state;

static int next_chunk(void *user, otaprio_devices *devices,
                      otaprio_device_results *results)
{
    stream_state *st = user;
    if (++st->calls == st->fail_at_call)
        return 42;
    size_t left = st->fleet->count - st->next;
    size_t n = left < st->chunk ? left : st->chunk;
    fixture_fleet_view(st->fleet, devices, st->next, n);
    results->priority = st->priority + st->next;
    results->disposition = st->disposition + st->next;
    results->reasons = st->reasons + st->next;
    st->next += n;
    return 0;
}

static void streaming_equals_one_pass_whatever_the_chunks(void **state)
{
    fixture *f = *state;
    fixture_fleet_fill(&fleet, 2000, 5);
    static double one_priority[FIXTURE_MAX], priority[FIXTURE_MAX];
    static uint8_t one_disposition[FIXTURE_MAX], disposition[FIXTURE_MAX];
    static uint32_t one_reasons[FIXTURE_MAX], reasons[FIXTURE_MAX];
    otaprio_devices d;
    fixture_fleet_view(&fleet, &d, 0, fleet.count);
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    r.priority = one_priority;
    r.disposition = one_disposition;
    r.reasons = one_reasons;
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, &d, &r, NULL),
        OTAPRIO_OK);
    uint64_t by_disposition[4] = {0}, by_reason[16] = {0};
    for (size_t i = 0; i < fleet.count; i++) {
        by_disposition[one_disposition[i]]++;
        for (int b = 0; b < 16; b++)
            by_reason[b] += (one_reasons[i] >> b) & 1u;
    }
    const size_t chunks[] = {1, 7, 255, 256, 257, 1000, 5000};
    for (size_t c = 0; c < COUNT(chunks); c++) {
        memset(priority, 0, sizeof priority);
        stream_state st = {&fleet,      0,       chunks[c], priority,
                           disposition, reasons, 0,         0};
        otaprio_risk_totals totals;
        memset(&totals, 0xEE, sizeof totals);
        totals.size = sizeof totals;
        assert_int_equal(otaprio_risk_score_stream(f->model, &f->issue,
                                                   next_chunk, &st, &totals,
                                                   NULL),
                         OTAPRIO_OK);
        assert_memory_equal(priority, one_priority,
                            fleet.count * sizeof(double));
        assert_memory_equal(disposition, one_disposition, fleet.count);
        assert_memory_equal(reasons, one_reasons,
                            fleet.count * sizeof(uint32_t));
        assert_int_equal(totals.devices, fleet.count);
        assert_memory_equal(totals.by_disposition, by_disposition,
                            sizeof by_disposition);
        assert_memory_equal(totals.by_reason, by_reason, sizeof by_reason);
    }
}

static void stream_returns_the_callbacks_status_unchanged(void **state)
{
    fixture *f = *state;
    fixture_fleet_fill(&fleet, 600, 8);
    static double priority[FIXTURE_MAX];
    static uint8_t disposition[FIXTURE_MAX];
    static uint32_t reasons[FIXTURE_MAX];
    stream_state st = {&fleet, 0, 100, priority, disposition, reasons, 3, 0};
    otaprio_risk_totals totals;
    memset(&totals, 0xEE, sizeof totals);
    totals.size = sizeof totals;
    otaprio_risk_totals before = totals;
    assert_int_equal(otaprio_risk_score_stream(f->model, &f->issue, next_chunk,
                                               &st, &totals, NULL),
                     42);
    assert_memory_equal(&totals, &before, sizeof totals);
    assert_int_equal(
        otaprio_risk_score_stream(f->model, &f->issue, NULL, &st, NULL, NULL),
        OTAPRIO_E_INVALID);
}

static void stream_stops_at_a_bad_chunk(void **state)
{
    fixture *f = *state;
    fixture_fleet_fill(&fleet, 600, 9);
    fleet.link[450] = 9;
    static double priority[FIXTURE_MAX];
    static uint8_t disposition[FIXTURE_MAX];
    static uint32_t reasons[FIXTURE_MAX];
    stream_state st = {&fleet, 0, 200, priority, disposition, reasons, 0, 0};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_risk_score_stream(f->model, &f->issue, next_chunk,
                                               &st, NULL, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "link");
    assert_int_equal(diag.index, 50); /* within the third chunk */
}

/* A source built against newer headers might set the size of the structs
 * the library prepared to its own, larger sizeof: the library refuses it
 * rather than read past its own struct. */
static int oversized_chunk(void *user, otaprio_devices *devices,
                           otaprio_device_results *results)
{
    (void)results;
    int which = *(const int *)user;
    if (which == 0)
        devices->size += sizeof(double);
    else
        results->size += sizeof(double);
    devices->count = 1;
    return 0;
}

static void stream_refuses_a_source_that_resizes_its_structs(void **state)
{
    fixture *f = *state;
    for (int which = 0; which < 2; which++) {
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio_risk_score_stream(f->model, &f->issue,
                                                   oversized_chunk, &which,
                                                   NULL, &diag),
                         OTAPRIO_E_STRUCT_SIZE);
        assert_string_equal(diag.field, which == 0 ? "devices" : "results");
    }
}

/* ---- bad input -------------------------------------------------------- */

static void bad_columns_are_named_and_outputs_untouched(void **state)
{
    fixture *f = *state;
    struct {
        const char *field;
        size_t index;
    } cases[] = {
        {"device_class", 10},
        {"customer_tier", 299},
        {"exposure", 0},
        {"redundant", 5},
        {"uptime", 17},
        {"safe_fallback", 8},
        {"battery", 3},
        {"charging", 4},
        {"link", 100},
        {"metered", 1},
        {"busy", 2},
        {"affected", 250},
        {"prerequisite_missing", 257},
        {"excluded", 6},
    };
    static double priority[FIXTURE_MAX];
    static uint8_t disposition[FIXTURE_MAX];
    static uint32_t reasons[FIXTURE_MAX];
    for (size_t c = 0; c < COUNT(cases); c++) {
        fixture_fleet_fill(&fleet, 300, 13);
        size_t i = cases[c].index;
        const char *field = cases[c].field;
        if (strcmp(field, "device_class") == 0)
            fleet.device_class[i] = OTAPRIO_DEVICE_CLASS_MAX;
        else if (strcmp(field, "customer_tier") == 0)
            fleet.customer_tier[i] = 4;
        else if (strcmp(field, "exposure") == 0)
            fleet.exposure[i] = 3;
        else if (strcmp(field, "redundant") == 0)
            fleet.redundant[i] = 2;
        else if (strcmp(field, "uptime") == 0)
            fleet.uptime[i] = 255;
        else if (strcmp(field, "safe_fallback") == 0)
            fleet.safe_fallback[i] = 7;
        else if (strcmp(field, "battery") == 0)
            fleet.battery[i] = NAN;
        else if (strcmp(field, "charging") == 0)
            fleet.charging[i] = 2;
        else if (strcmp(field, "link") == 0)
            fleet.link[i] = 5;
        else if (strcmp(field, "metered") == 0)
            fleet.metered[i] = 2;
        else if (strcmp(field, "busy") == 0)
            fleet.busy[i] = 3;
        else if (strcmp(field, "affected") == 0)
            fleet.affected[i] = 2;
        else if (strcmp(field, "prerequisite_missing") == 0)
            fleet.prerequisite_missing[i] = 9;
        else
            fleet.excluded[i] = 2;
        otaprio_devices d;
        fixture_fleet_view(&fleet, &d, 0, fleet.count);
        memset(priority, 0x11, sizeof priority);
        memset(disposition, 0x22, sizeof disposition);
        memset(reasons, 0x33, sizeof reasons);
        otaprio_device_results r;
        otaprio_device_results_init(&r);
        r.priority = priority;
        r.disposition = disposition;
        r.reasons = reasons;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(
            otaprio_risk_score_devices(f->model, &f->issue, &d, &r, &diag),
            OTAPRIO_E_RANGE);
        assert_string_equal(diag.field, field);
        assert_int_equal(diag.index, (int64_t)i);
        for (size_t k = 0; k < fleet.count; k++) {
            assert_int_equal(disposition[k], 0x22);
            assert_int_equal(reasons[k], 0x33333333u);
        }
    }
    /* Out-of-range batteries, either side. */
    fixture_fleet_fill(&fleet, 10, 1);
    fleet.battery[9] = 1.5f;
    otaprio_devices d;
    fixture_fleet_view(&fleet, &d, 0, fleet.count);
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, &d, &r, NULL),
        OTAPRIO_E_RANGE);
    fleet.battery[9] = -0.0f; /* negative zero is zero: fine */
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, &d, &r, NULL),
        OTAPRIO_OK);
}

/* A host's own score is its score_milli: the points field is ignored, so
 * a NaN there changes nothing, not even the defect line's input. */
static void an_issue_score_is_read_from_its_milli(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    otaprio_issue_score own = f->issue;
    own.score = (double)NAN;
    otaprio_device_score want, got;
    want.size = got.size = sizeof want;
    otaprio_factor_points a[48], b[48];
    size_t na = 0, nb = 0;
    assert_int_equal(otaprio_risk_explain_device(f->model, &f->issue,
                                                 one_view(&d), 0, &want, a,
                                                 COUNT(a), &na, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_risk_explain_device(f->model, &own, one_view(&d),
                                                 0, &got, b, COUNT(b), &nb,
                                                 NULL),
                     OTAPRIO_OK);
    assert_int_equal(got.priority_milli, want.priority_milli);
    assert_int_equal(nb, na);
    int seen = 0;
    for (size_t i = 0; i < nb; i++) {
        assert_int_equal(b[i].milli, a[i].milli);
        if (b[i].factor == OTAPRIO_FACTOR_DEFECT_SCORE) {
            seen = 1;
            assert_true(b[i].input == (double)own.score_milli / 1000.0);
        }
    }
    assert_true(seen);
}

static void bad_issue_scores_and_arguments_are_refused(void **state)
{
    fixture *f = *state;
    one d;
    one_init(&d);
    otaprio_device_results r;
    otaprio_device_results_init(&r);
    otaprio_issue_score bad = f->issue;
    bad.score_milli = 100001;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &bad, one_view(&d), &r, &diag),
        OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "issue.score_milli");
    bad = f->issue;
    bad.tier = 4;
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &bad, one_view(&d), &r, &diag),
        OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "issue.tier");
    assert_int_equal(
        otaprio_risk_score_devices(NULL, &f->issue, one_view(&d), &r, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(
        otaprio_risk_score_devices(f->model, NULL, one_view(&d), &r, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, NULL, &r, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_risk_score_devices(f->model, &f->issue,
                                                one_view(&d), NULL, NULL),
                     OTAPRIO_E_INVALID);
    r.size = 1;
    assert_int_equal(
        otaprio_risk_score_devices(f->model, &f->issue, one_view(&d), &r, NULL),
        OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal((otaprio_devices_init)(NULL, 64), OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_device_results_init)(&r, 2),
                     OTAPRIO_E_STRUCT_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(low_battery_phone_is_deferred_not_excluded),
        cmocka_unit_test(lone_router_outranks_one_in_a_redundant_pair),
        cmocka_unit_test(three_failed_attempts_raise_priority),
        cmocka_unit_test(kiosk_at_peak_hours_waits_for_its_window),
        cmocka_unit_test(roaming_or_metered_devices_defer_large_packages),
        cmocka_unit_test(storage_short_of_headroom_defers),
        cmocka_unit_test(storage_rule_matches_the_double_comparison),
        cmocka_unit_test(dispositions_follow_their_precedence),
        cmocka_unit_test(policy_can_exclude_whole_classes),
        cmocka_unit_test(explanations_equal_the_batch_and_add_up),
        cmocka_unit_test(explain_refuses_a_bad_index_or_capacity),
        cmocka_unit_test(device_scores_are_monotone),
        cmocka_unit_test(missing_columns_take_their_defaults),
        cmocka_unit_test(streaming_equals_one_pass_whatever_the_chunks),
        cmocka_unit_test(stream_returns_the_callbacks_status_unchanged),
        cmocka_unit_test(stream_stops_at_a_bad_chunk),
        cmocka_unit_test(stream_refuses_a_source_that_resizes_its_structs),
        cmocka_unit_test(bad_columns_are_named_and_outputs_untouched),
        cmocka_unit_test(an_issue_score_is_read_from_its_milli),
        cmocka_unit_test(bad_issue_scores_and_arguments_are_refused),
    };
    return cmocka_run_group_tests_name("risk_device", tests, setup, teardown);
}
