/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the runbook planner, otaprio_plan_create(), over everything it
 * reads: an issue whose every field may be out of range, a request
 * (critical level, delayed failures, flaw tracing, strata, guardrail
 * rules and options, power, rollback, break-glass, the guardrail engine's
 * verdicts on telemetry) and a small fleet handed over by a source in
 * chunks (keys, rings, strata codes, clusters, device classes, batteries,
 * installed versions including ids the catalog does not know, columns
 * that drift between passes, a chunk size field the source overwrites).
 * The catalog is the planner fixture's (tests/unit/plan_fixture.h).
 *
 * The input is read front to back as a series of choices; once it runs
 * out every further choice reads zero, which picks the common case. Any
 * crash, sanitizer report or broken invariant (abort) is a finding. The
 * invariants are the header's promises: a documented status and *plan
 * untouched on failure; on success, counts that add up (dispositions to
 * the fleet, waves' cumulative counts to the planned devices, each
 * device's wave below the wave count), names for every value reported,
 * and the same plan, to the byte and device by device, when the same
 * fleet comes in other chunks.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/plan_fixture.h"
#include "fuzz_input.h"
#include "otaprio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    MAX_DEVICES = 96,
    MAX_DIMENSIONS = 3,
    MAX_RULES = 3,
    MAX_APPROVALS = 6,
    MAX_COHORTS = 4,
    MAX_EXCLUDED = 4,
    SOURCE_OK = 0,
    SOURCE_STOP = 77 /* the source's own status when told to stop */
};

/* ---- choices ------------------------------------------------------------- */

/* Around an enum's range (-1 to 7), or anything. */
static int32_t take_enum(input *in)
{
    uint8_t pick = take_u8(in);
    if (pick < 240)
        return (int32_t)(pick % 9) - 1;
    return (int32_t)take_u32(in);
}

/* 0 or 1 mostly, else a flag out of range. */
static int32_t take_flag(input *in)
{
    uint8_t pick = take_u8(in);
    if (pick < 250)
        return pick & 1;
    return (int32_t)take_u32(in);
}

static uint32_t take_bits(input *in, uint32_t defined)
{
    uint8_t pick = take_u8(in);
    if (pick < 250)
        return pick & defined;
    return take_u32(in);
}

/* Shares and probabilities: edges, NaN, infinities, fractions, raw bits. */
static double take_share(input *in)
{
    static const double special[] = {
        0.0,  1.0, 0.5,       0.01, 0.05,     0.8,       -0.0,
        -1.0, 2.0, 0x1p-1074, 1e-9, HUGE_VAL, -HUGE_VAL, (double)NAN};
    return take_double_among(in, special, COUNT(special), 250, 65535.0);
}

/* Points, hours, margins: wider values. */
static double take_amount(input *in)
{
    static const double special[] = {0.0,   1.0,    24.0,     50.0,
                                     100.0, -1.0,   100.0001, 1e300,
                                     0.2,   1e-300, HUGE_VAL, (double)NAN};
    return take_double_among(in, special, COUNT(special), 250, 100.0);
}

/* ---- the fleet -------------------------------------------------------------
 */

typedef struct fleet {
    size_t count;
    uint64_t keys[MAX_DEVICES];
    uint8_t ring[MAX_DEVICES];
    uint32_t codes[MAX_DIMENSIONS][MAX_DEVICES];
    uint32_t cluster[MAX_DEVICES];
    uint8_t device_class[MAX_DEVICES];
    float battery[MAX_DEVICES];
    uint8_t charging[MAX_DEVICES];
    uint8_t affected[MAX_DEVICES];
    uint32_t versions[PX_COMPONENTS][MAX_DEVICES];
    uint32_t region[MAX_DEVICES];
    /* What a host whose data moves between passes hands over in the
     * drifting pass (same keys, so the planner cannot tell). */
    uint8_t drift_ring[MAX_DEVICES];
    float drift_battery[MAX_DEVICES];
    int32_t drift_pass; /* -1: none */
    /* Which columns the chunks carry. */
    bool with_devices, with_ring, with_codes, with_cluster, with_class,
        with_battery, with_affected, with_state, with_region;
    size_t version_components; /* otaprio_device_state::component_count */
} fleet;

static uint64_t mix(uint64_t x)
{
    return splitmix_next(&x);
}

static void take_fleet(input *in, fleet *f)
{
    memset(f, 0, sizeof *f);
    f->count = take_u8(in) % (MAX_DEVICES + 1);
    uint8_t drift = take_u8(in);
    f->drift_pass = drift >= 248 ? drift % 4 : -1;
    uint8_t columns = take_u8(in);
    f->with_devices = !(columns & 1u);
    f->with_ring = !(columns & 2u);
    f->with_codes = !(columns & 4u);
    f->with_cluster = !(columns & 8u);
    f->with_class = !(columns & 16u);
    f->with_battery = !(columns & 32u);
    f->with_affected = (columns & 64u) != 0;
    f->with_state = !(columns & 128u);
    uint8_t more = take_u8(in);
    f->with_region = (more & 1u) != 0;
    f->version_components = more < 240 ? PX_COMPONENTS : more % 5u;
    uint64_t salt = take_u64(in);
    for (size_t i = 0; i < f->count; i++) {
        uint8_t pick = take_u8(in);
        /* A key of its own, or a small one that may repeat. */
        f->keys[i] = pick < 248 ? mix(salt + i) : (uint64_t)(pick & 3u);
        uint8_t ring = take_u8(in);
        f->ring[i] = ring < 250 ? (uint8_t)(ring % 3) : ring;
        for (int d = 0; d < MAX_DIMENSIONS; d++) {
            uint8_t code = take_u8(in);
            f->codes[d][i] = code < 250 ? code % 4u : take_u32(in);
        }
        f->cluster[i] = take_u8(in) % 8u;
        uint8_t cls = take_u8(in);
        f->device_class[i] = cls < 250 ? cls % 10u : cls;
        uint8_t battery = take_u8(in);
        f->battery[i] = battery <= 100   ? (float)battery / 100.0f
                        : battery == 255 ? (float)NAN
                        : battery == 254 ? -0.5f
                                         : 1.0f;
        f->charging[i] = take_u8(in) % 2u;
        f->affected[i] = take_u8(in) < 250 ? 1 : 2;
        for (int c = 0; c < PX_COMPONENTS; c++) {
            /* Ids 0 to 2 are versions of each component; 3 to 5 another
             * component's (valid ids, other component), larger unknown. */
            uint8_t v = take_u8(in);
            f->versions[c][i] = v < 240   ? v % 3u
                                : v < 250 ? v % 8u
                                          : take_u32(in);
        }
        f->region[i] = take_u8(in) % 3u;
        f->drift_ring[i] = (uint8_t)((f->ring[i] + 1u) % 3u);
        f->drift_battery[i] = 1.0f - f->battery[i];
    }
}

/* The source: hands `f` over in chunks of `chunk_size`, and the plan's
 * outputs go to whole-fleet columns. */
typedef struct source_state {
    const fleet *f;
    size_t chunk_size;
    int32_t stop_pass; /* -1: never */
    size_t rule_count; /* the request's, for the warnings' check */
    /* What the source sets chunk->size to; 0 leaves it. */
    size_t chunk_struct_size;
    /* Chunk buffers. */
    const uint32_t *codes[MAX_DIMENSIONS];
    /* Room for more components than the catalog has: those are on no
     * device (NULL columns). */
    const uint32_t *versions[PX_COMPONENTS + 2];
    otaprio_devices devices;
    otaprio_device_state state;
    /* Outputs. */
    uint8_t wave[MAX_DEVICES], disposition[MAX_DEVICES];
    uint32_t reasons[MAX_DEVICES];
    double priority[MAX_DEVICES];
} source_state;

static int source(void *user, int32_t pass, uint64_t first,
                  otaprio_plan_chunk *chunk)
{
    source_state *s = user;
    const fleet *f = s->f;
    CHECK(pass >= OTAPRIO_PLAN_PASS_IMPACT && pass <= OTAPRIO_PLAN_PASS_ASSIGN);
    CHECK(chunk != NULL && chunk->size == sizeof *chunk && chunk->count == 0);
    if (pass == s->stop_pass)
        return SOURCE_STOP;
    CHECK(first <= f->count);
    size_t n = f->count - (size_t)first;
    if (n > s->chunk_size)
        n = s->chunk_size;
    if (n == 0)
        return SOURCE_OK;
    if (s->chunk_struct_size != 0)
        chunk->size = s->chunk_struct_size;
    size_t at = (size_t)first;
    bool drift = pass == f->drift_pass;
    const uint8_t *ring = drift ? f->drift_ring : f->ring;
    const float *battery = drift ? f->drift_battery : f->battery;
    chunk->count = n;
    chunk->keys = f->keys + at;
    if (f->with_ring)
        chunk->ring = ring + at;
    if (f->with_codes) {
        for (int d = 0; d < MAX_DIMENSIONS; d++)
            s->codes[d] = f->codes[d] + at;
        chunk->codes = s->codes;
    }
    if (f->with_cluster)
        chunk->cluster = f->cluster + at;
    if (f->with_devices) {
        CHECK(otaprio_devices_init(&s->devices) == OTAPRIO_OK);
        s->devices.count = n;
        if (f->with_class)
            s->devices.device_class = f->device_class + at;
        if (f->with_battery)
            s->devices.battery = battery + at;
        s->devices.charging = f->charging + at;
        if (f->with_affected)
            s->devices.affected = f->affected + at;
        chunk->devices = &s->devices;
    }
    if (f->with_state) {
        CHECK(otaprio_device_state_init(&s->state) == OTAPRIO_OK);
        s->state.count = n;
        for (int c = 0; c < PX_COMPONENTS; c++)
            s->versions[c] = f->versions[c] + at;
        s->versions[PX_COMPONENTS] = s->versions[PX_COMPONENTS + 1] = NULL;
        s->state.versions = s->versions;
        s->state.component_count = f->version_components;
        if (f->with_battery)
            s->state.battery = battery + at;
        s->state.charging = f->charging + at;
        if (f->with_region)
            s->state.region = f->region + at;
        chunk->state = &s->state;
    }
    if (pass == OTAPRIO_PLAN_PASS_ASSIGN) {
        chunk->wave = s->wave + at;
        chunk->disposition = s->disposition + at;
        chunk->reasons = s->reasons + at;
        chunk->priority = s->priority + at;
    }
    return SOURCE_OK;
}

/* ---- the request ------------------------------------------------------------
 */

typedef struct request_parts {
    otaprio_issue issue;
    uint32_t cardinalities[MAX_DIMENSIONS];
    otaprio_guard_rule rules[MAX_RULES];
    otaprio_guard_options options;
    otaprio_rollback_input rollback;
    otaprio_plan_power power;
    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_request breakglass;
    int32_t roles[MAX_APPROVALS];
    uint64_t approvers[MAX_APPROVALS];
    uint64_t cohorts[MAX_COHORTS];
    uint64_t excluded[MAX_EXCLUDED];
} request_parts;

static void take_issue(input *in, otaprio_issue *issue)
{
    CHECK(otaprio_issue_init(issue) == OTAPRIO_OK);
    if (take_u8(in) >= 128)
        return; /* the defaults */
    issue->issue_class = take_enum(in);
    issue->security_impact = take_enum(in);
    issue->data_loss = take_enum(in);
    issue->uptime_loss = take_enum(in);
    issue->regulatory_exposure = take_enum(in);
    issue->attack_path = take_enum(in);
    issue->exploit = take_enum(in);
    issue->automatable = take_flag(in);
    issue->has_epss = take_flag(in);
    issue->epss = take_share(in);
    issue->affected_share = take_share(in);
    issue->concentration = take_share(in);
    issue->workflows = take_bits(in, 0xFu);
    issue->affected_classes = take_bits(in, 0xFFu);
    issue->layer = take_enum(in);
    issue->ab_slot = take_flag(in);
    issue->anomaly_rate = take_share(in);
    issue->anomaly_growing = take_flag(in);
    issue->masks_regression = take_flag(in);
    issue->package_bytes = take_u8(in) < 250 ? take_u16(in) : take_u64(in);
}

static const char *const rule_names[] = {"crash_rate", "boot_failures",
                                         "latency", "", NULL};

static void take_rules(input *in, request_parts *p, otaprio_plan_request *r)
{
    size_t count = take_u8(in) % (MAX_RULES + 1);
    for (size_t i = 0; i < count; i++) {
        otaprio_guard_rule *rule = &p->rules[i];
        CHECK(otaprio_guard_rule_init(rule) == OTAPRIO_OK);
        rule->name = rule_names[(i + take_u8(in)) % COUNT(rule_names)];
        if (take_u8(in) < 128)
            continue; /* the defaults */
        rule->kind = take_enum(in);
        rule->direction = take_enum(in);
        rule->severity = take_enum(in);
        rule->checks = take_bits(in, 0x7u);
        rule->margin = take_amount(in);
        rule->ceiling = take_share(in);
        rule->minimum_sample = take_amount(in);
        rule->window_hours = take_amount(in);
        rule->no_data = take_enum(in);
        rule->zero_baseline = take_enum(in);
        rule->require_evidence = take_flag(in);
        rule->sequential = take_flag(in);
    }
    r->rule_count = count;
    r->rules = count > 0 || take_u8(in) < 128 ? p->rules : NULL;
    if (take_u8(in) >= 250)
        r->rule_count = take_u8(in); /* more than there are: needs rules */
    if (r->rule_count > MAX_RULES)
        r->rules = NULL; /* never read past the array */
    if (take_u8(in) >= 200) {
        CHECK(otaprio_guard_options_init(&p->options) == OTAPRIO_OK);
        p->options.alpha = take_share(in);
        p->options.tolerance_scale = take_amount(in);
        p->options.multiplicity = take_enum(in);
        r->guard_options = &p->options;
    }
}

static void take_rollback(input *in, request_parts *p, otaprio_plan_request *r)
{
    if (take_u8(in) < 200)
        return;
    otaprio_rollback_input *b = &p->rollback;
    CHECK(otaprio_rollback_input_init(b) == OTAPRIO_OK);
    b->layer = take_enum(in);
    b->part = take_enum(in);
    b->canary_share = take_share(in);
    b->fleet_share = take_share(in);
    b->levers = take_bits(in, 0x1Fu);
    b->changes = take_bits(in, 0x1Fu);
    b->data_loss = take_enum(in);
    b->revert_data_loss = take_enum(in);
    b->observe = take_bits(in, 0x1Fu);
    r->rollback = b;
}

static void take_power(input *in, request_parts *p, otaprio_plan_request *r)
{
    if (take_u8(in) < 170)
        return;
    otaprio_plan_power *power = &p->power;
    CHECK(otaprio_plan_power_init(power) == OTAPRIO_OK);
    power->metric = take_u8(in) < 250 ? take_u8(in) % 2 : take_enum(in);
    power->baseline = take_u8(in) < 200 ? 0.02 : take_share(in);
    power->rise = take_u8(in) < 200 ? 1.0 : take_amount(in);
    if (take_u8(in) >= 200) {
        power->alpha = take_share(in);
        power->power = take_share(in);
        power->baseline_size = take_amount(in);
        power->exact = take_flag(in);
    }
    r->power = power;
}

static void take_breakglass(input *in, request_parts *p,
                            otaprio_plan_request *r)
{
    uint8_t pick = take_u8(in);
    if (pick < 170)
        return;
    otaprio_plan_breakglass_policy *policy = &p->policy;
    otaprio_plan_breakglass_request *b = &p->breakglass;
    CHECK(otaprio_plan_breakglass_policy_init(policy) == OTAPRIO_OK);
    CHECK(otaprio_plan_breakglass_request_init(b) == OTAPRIO_OK);
    for (int role = 0; role < OTAPRIO_PLAN_ROLE_COUNT; role++)
        policy->approvals[role] = take_u8(in) % 3u;
    policy->evidence = take_bits(in, 0xFu);
    policy->excluded_count = take_u8(in) % (MAX_EXCLUDED + 1);
    for (size_t i = 0; i < policy->excluded_count; i++)
        p->excluded[i] = take_u8(in) < 250 ? take_u8(in) % 8u : take_u64(in);
    policy->excluded = p->excluded;
    b->approval_count = take_u8(in) % (MAX_APPROVALS + 1);
    for (size_t i = 0; i < b->approval_count; i++) {
        uint8_t role = take_u8(in);
        p->roles[i] =
            role < 250 ? role % OTAPRIO_PLAN_ROLE_COUNT : (int32_t)take_u32(in);
        p->approvers[i] = take_u8(in) % 5u;
    }
    b->approval_role = p->roles;
    b->approver = p->approvers;
    b->evidence = take_bits(in, 0xFu);
    b->cohort_count = take_u8(in) % (MAX_COHORTS + 1);
    for (size_t i = 0; i < b->cohort_count; i++)
        p->cohorts[i] = take_u8(in) % 10u;
    b->cohorts = p->cohorts;
    /* Now and then one without the other. */
    r->breakglass_policy = pick == 250 ? NULL : policy;
    r->breakglass = pick == 251 ? NULL : b;
}

static const char *const constraints[] = {
    "< 13", ">= 2", "13", "", "<<", "< 99", "*", "> 11, < 13", "!= 12"};

static void take_request(input *in, const otaprio_catalog *catalog,
                         request_parts *p, source_state *s,
                         otaprio_plan_request *r)
{
    CHECK(otaprio_plan_request_init(r) == OTAPRIO_OK);
    take_issue(in, &p->issue);
    r->issue = take_u8(in) < 253 ? &p->issue : NULL;
    r->source = source;
    r->user = s;
    uint8_t with_catalog = take_u8(in);
    r->catalog = with_catalog < 160 ? catalog : NULL;
    uint8_t package = take_u8(in);
    r->package = package < 250 ? PX_OS_13 - (package % 2u) : take_u32(in);
    r->trace_flaw = take_u8(in) < 128 ? (r->catalog != NULL) : take_flag(in);
    r->flaw_component = take_u8(in) < 240 ? PX_OS : take_u32(in) % 4u;
    uint8_t constraint = take_u8(in);
    if (constraint < 250) {
        r->flaw_constraint = constraints[constraint % COUNT(constraints)];
        r->flaw_constraint_length = strlen(r->flaw_constraint);
    }
    r->salt = take_u64(in);
    uint8_t dimensions = take_u8(in);
    r->dimension_count =
        dimensions < 250 ? dimensions % (MAX_DIMENSIONS + 1u) : take_u32(in);
    for (int d = 0; d < MAX_DIMENSIONS; d++)
        p->cardinalities[d] = take_u8(in) < 250 ? 1u + take_u8(in) % 4u : 0u;
    r->cardinalities = take_u8(in) < 252 ? p->cardinalities : NULL;
    if (r->dimension_count > MAX_DIMENSIONS)
        r->cardinalities = NULL; /* never read past the array */
    r->critical_level = take_u8(in) < 128 ? 50.0 : take_amount(in);
    r->delayed = take_bits(in, 0xFu);
    take_rules(in, p, r);
    take_rollback(in, p, r);
    take_power(in, p, r);
    take_breakglass(in, p, r);
    s->rule_count = r->rule_count;
}

/* ---- telemetry
 * ---------------------------------------------------------------- */

/* The guardrail engine's verdicts on the defect's telemetry: two failure
 * proportions, the second critical, judged on fuzzed counts. */
static const otaprio_guard_set *telemetry_set(void)
{
    static otaprio_guard_set *set;
    if (set == NULL) {
        otaprio_guard_rule rules[2];
        CHECK(otaprio_guard_rule_init(&rules[0]) == OTAPRIO_OK);
        rules[0].name = "crash_rate";
        rules[0].margin = 0.1;
        rules[0].window_hours = 0.0;
        CHECK(otaprio_guard_rule_init(&rules[1]) == OTAPRIO_OK);
        rules[1].name = "boot_failures";
        rules[1].severity = OTAPRIO_GUARD_CRITICAL;
        rules[1].window_hours = 0.0;
        CHECK(otaprio_guard_set_create(NULL, rules, 2, NULL, &set, NULL) ==
              OTAPRIO_OK);
    }
    return set;
}

/* A report, or NULL when the input asks for none or the engine refuses
 * the counts. */
static otaprio_guard_report *take_telemetry(input *in)
{
    if (take_u8(in) < 200)
        return NULL;
    static uint64_t counts[2][4];
    otaprio_guard_data data[2];
    for (uint32_t k = 0; k < 2; k++) {
        CHECK(otaprio_guard_data_init(&data[k]) == OTAPRIO_OK);
        for (int c = 0; c < 4; c++)
            counts[k][c] = take_u16(in);
        data[k].rule = k;
        data[k].rows = 1;
        data[k].window_end_hours = take_u8(in);
        data[k].canary_events = &counts[k][0];
        data[k].canary_trials = &counts[k][1];
        data[k].baseline_events = &counts[k][2];
        data[k].baseline_trials = &counts[k][3];
    }
    otaprio_guard_report *report = NULL;
    if (otaprio_guard_evaluate(telemetry_set(), data, 1 + take_u8(in) % 2u,
                               NULL, &report, NULL) != OTAPRIO_OK)
        return NULL;
    return report;
}

/* ---- checks -----------------------------------------------------------------
 */

static bool documented(int status)
{
    switch (status) {
    case OTAPRIO_E_INVALID:
    case OTAPRIO_E_NOMEM:
    case OTAPRIO_E_STRUCT_SIZE:
    case OTAPRIO_E_RANGE:
    case OTAPRIO_E_OVERFLOW:
    case OTAPRIO_E_SYNTAX:
    case OTAPRIO_E_CYCLE:
    case OTAPRIO_E_NOT_FOUND:
    case OTAPRIO_E_DUPLICATE:
    case OTAPRIO_E_LIMIT:
    case SOURCE_STOP:
        return true;
    default:
        return false;
    }
}

typedef struct bytes {
    unsigned char *data;
    size_t length, capacity;
} bytes;

static void append(bytes *b, const void *data, size_t length)
{
    if (b->length + length > b->capacity) {
        size_t capacity = (b->length + length) * 2;
        unsigned char *grown = realloc(b->data, capacity);
        CHECK(grown != NULL);
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, data, length);
    b->length += length;
}

static void check_bits_named(uint32_t bits, const char *(*name)(uint32_t))
{
    for (uint32_t b = 0; b < 32; b++)
        if (bits & (1u << b))
            CHECK(name(1u << b) != NULL);
}

/* Reads the plan through every accessor, checks what it reads, and keeps
 * it all in `out` (structs zeroed first, so padding compares equal). */
static void check_plan(const otaprio_plan *plan, const source_state *s,
                       bytes *out)
{
    const fleet *f = s->f;
    otaprio_diag diag;
    CHECK(otaprio_diag_init(&diag) == OTAPRIO_OK);
    otaprio_plan_summary summary;
    memset(&summary, 0, sizeof summary);
    summary.size = sizeof summary;
    CHECK(otaprio_plan_get_summary(plan, &summary, &diag) == OTAPRIO_OK);
    append(out, &summary, sizeof summary);
    CHECK(summary.size == sizeof summary);
    CHECK(summary.tier >= OTAPRIO_TIER_T0 && summary.tier <= OTAPRIO_TIER_T3);
    CHECK(summary.tier_before >= OTAPRIO_TIER_T0 &&
          summary.tier_before <= OTAPRIO_TIER_T3);
    CHECK(summary.score >= 0.0 && summary.score <= 100.0);
    CHECK(summary.devices == f->count);
    check_bits_named(summary.notes, otaprio_plan_note_name);
    uint64_t by_disposition = 0;
    for (int d = 0; d < 4; d++)
        by_disposition += summary.by_disposition[d];
    CHECK(by_disposition == summary.devices);
    CHECK(summary.planned <= summary.devices);
    CHECK(summary.affected <= summary.devices);
    CHECK(summary.critical <= summary.devices);
    CHECK(summary.hours_to_broad >= 0.0);
    CHECK(summary.breakglass_approved == 0 ||
          summary.breakglass_requested == 1);
    CHECK(summary.breakglass_approved == 0 || summary.breakglass_unmet == 0);

    uint32_t waves = otaprio_plan_wave_count(plan);
    append(out, &waves, sizeof waves);
    CHECK(waves >= 1 && waves < OTAPRIO_PLAN_NONE);
    uint64_t cumulative = 0, per_wave[OTAPRIO_PLAN_NONE] = {0};
    double hours = 0.0;
    bool accelerated = (summary.notes & (OTAPRIO_PLAN_NOTE_EMERGENCY |
                                         OTAPRIO_PLAN_NOTE_BREAKGLASS)) != 0;
    CHECK(((summary.notes & OTAPRIO_PLAN_NOTE_EMERGENCY) != 0) ==
          (summary.tier == OTAPRIO_TIER_T0));
    CHECK(((summary.notes & OTAPRIO_PLAN_NOTE_BREAKGLASS) != 0) ==
          (summary.breakglass_approved == 1));
    for (uint32_t k = 0; k < waves; k++) {
        otaprio_plan_wave wave;
        memset(&wave, 0, sizeof wave);
        wave.size = sizeof wave;
        CHECK(otaprio_plan_get_wave(plan, k, &wave, &diag) == OTAPRIO_OK);
        append(out, &wave, sizeof wave);
        CHECK(otaprio_plan_stage_name(wave.stage) != NULL);
        CHECK(wave.cumulative == cumulative + wave.devices);
        cumulative = wave.cumulative;
        CHECK(wave.soak_hours >= 0.0);
        CHECK(k + 1 < waves || wave.soak_hours == 0.0);
        hours += wave.soak_hours;
        CHECK(isfinite(wave.tolerance_scale) && wave.tolerance_scale > 0.0);
        /* An accelerated push has no ring stages, and only it has
         * accelerated steps. */
        CHECK((wave.stage == OTAPRIO_PLAN_STAGE_ACCELERATED) == accelerated);
        CHECK(wave.maintenance_window ==
              ((summary.notes & OTAPRIO_PLAN_NOTE_MAINTENANCE) != 0));
        CHECK(wave.stage != OTAPRIO_PLAN_STAGE_BROAD || k + 1 == waves);
        CHECK(wave.fraction > 0.0 && wave.fraction <= 1.0);
        CHECK(wave.rollback_confidence > 0.0 &&
              wave.rollback_confidence <= 1.0);
        int guarded = otaprio_plan_wave_guards(plan, k) != NULL;
        CHECK(guarded == (s->rule_count > 0));
        append(out, &guarded, sizeof guarded);
    }
    CHECK(cumulative == summary.planned);
    /* The soaks before the broad wave, summed in the same order. */
    CHECK(hours == summary.hours_to_broad);
    CHECK(otaprio_plan_wave_guards(plan, waves) == NULL);

    /* Each device's outputs agree with the counts. */
    uint64_t planned = 0, disposition[4] = {0};
    for (size_t i = 0; i < f->count; i++) {
        CHECK(s->wave[i] < waves || s->wave[i] == OTAPRIO_PLAN_NONE);
        if (s->wave[i] != OTAPRIO_PLAN_NONE) {
            planned++;
            per_wave[s->wave[i]]++;
        }
        CHECK(s->disposition[i] < 4);
        /* Blocked and excluded devices wait for no wave; deferred ones
         * only for the last. */
        if (s->disposition[i] >= OTAPRIO_DISPOSITION_BLOCKED)
            CHECK(s->wave[i] == OTAPRIO_PLAN_NONE);
        if (s->disposition[i] == OTAPRIO_DISPOSITION_DEFER)
            CHECK(s->wave[i] == OTAPRIO_PLAN_NONE || s->wave[i] + 1u == waves);
        disposition[s->disposition[i]]++;
        CHECK(s->priority[i] >= 0.0 && s->priority[i] <= 100.0);
    }
    CHECK(planned == summary.planned);
    for (int d = 0; d < 4; d++)
        CHECK(disposition[d] == summary.by_disposition[d]);
    for (uint32_t k = 0; k < waves; k++) {
        otaprio_plan_wave wave = {.size = sizeof wave};
        CHECK(otaprio_plan_get_wave(plan, k, &wave, NULL) == OTAPRIO_OK);
        CHECK(per_wave[k] == wave.devices);
    }
    append(out, s->wave, f->count);
    append(out, s->disposition, f->count);
    append(out, s->reasons, f->count * sizeof s->reasons[0]);
    append(out, s->priority, f->count * sizeof s->priority[0]);

    uint32_t chains = otaprio_plan_chain_count(plan);
    append(out, &chains, sizeof chains);
    for (uint32_t c = 0; c < chains; c++) {
        otaprio_plan_chain chain;
        memset(&chain, 0, sizeof chain);
        chain.size = sizeof chain;
        CHECK(otaprio_plan_get_chain(plan, c, &chain, &diag) == OTAPRIO_OK);
        append(out, &chain, sizeof chain);
        CHECK(chain.devices >= 1 && chain.devices <= summary.devices);
        CHECK(chain.blocked <= chain.devices && chain.planned <= chain.devices);
        CHECK((chain.first_wave == OTAPRIO_PLAN_NONE) == (chain.planned == 0));
        CHECK(chain.first_wave < waves ||
              chain.first_wave == OTAPRIO_PLAN_NONE);
        CHECK(otaprio_plan_path_status_name(chain.path_status) != NULL);
        CHECK(chain.path_length <= OTAPRIO_PLAN_MAX_PATH);
        CHECK(chain.path_status == OTAPRIO_PLAN_PATH_FOUND ||
              chain.path_length == 0);
    }
    otaprio_plan_chain past = {.size = sizeof past};
    CHECK(otaprio_plan_get_chain(plan, chains, &past, NULL) == OTAPRIO_E_RANGE);

    size_t warnings = otaprio_plan_warning_count(plan);
    append(out, &warnings, sizeof warnings);
    bool seen[OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE + 1] = {false};
    otaprio_plan_warning previous = {.size = sizeof previous};
    for (size_t i = 0; i < warnings; i++) {
        otaprio_plan_warning warning;
        memset(&warning, 0, sizeof warning);
        warning.size = sizeof warning;
        CHECK(otaprio_plan_get_warning(plan, i, &warning, &diag) == OTAPRIO_OK);
        append(out, &warning, sizeof warning);
        CHECK(otaprio_plan_warning_name(warning.code) != NULL);
        CHECK(warning.wave < waves || warning.wave == OTAPRIO_PLAN_NONE);
        seen[warning.code] = true;
        /* Chains and clusters by size, largest first. */
        if (i > 0 && warning.code == previous.code &&
            (warning.code == OTAPRIO_PLAN_WARN_CHAIN_UNCOVERED ||
             warning.code == OTAPRIO_PLAN_WARN_CLUSTER_UNCOVERED))
            CHECK(warning.devices <= previous.devices);
        previous = warning;
    }
    CHECK(seen[OTAPRIO_PLAN_WARN_NO_GUARDRAILS] == (s->rule_count == 0));
    CHECK(seen[OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE] ==
          (summary.by_disposition[OTAPRIO_DISPOSITION_ELIGIBLE] == 0));
    CHECK(seen[OTAPRIO_PLAN_WARN_BREAKGLASS_DENIED] ==
          (summary.breakglass_requested && !summary.breakglass_approved));

    size_t lines = 0;
    CHECK(otaprio_plan_explanation(plan, NULL, 0, &lines, &diag) == OTAPRIO_OK);
    otaprio_factor_points *items = calloc(lines + 1, sizeof *items);
    CHECK(items != NULL);
    size_t got = 0;
    CHECK(otaprio_plan_explanation(plan, items, lines, &got, &diag) ==
          OTAPRIO_OK);
    CHECK(got == lines);
    append(out, items, lines * sizeof *items);
    free(items);
    CHECK(otaprio_plan_cohort(plan) != NULL);
}

/* Plans with the fleet in chunks of `chunk_size`; on success keeps what
 * the plan answers in `out`. */
static int plan_once(const otaprio_plan_request *request, source_state *s,
                     size_t chunk_size, bytes *out)
{
    s->chunk_size = chunk_size;
    memset(s->wave, 0xEE, sizeof s->wave);
    memset(s->disposition, 0xEE, sizeof s->disposition);
    memset(s->reasons, 0xEE, sizeof s->reasons);
    memset(s->priority, 0, sizeof s->priority);
    otaprio_plan *const sentinel = (otaprio_plan *)(uintptr_t)0x5EAF00Du;
    otaprio_plan *plan = sentinel;
    otaprio_diag diag;
    CHECK(otaprio_diag_init(&diag) == OTAPRIO_OK);
    int status = otaprio_plan_create(request, NULL, &plan, &diag);
    if (status != OTAPRIO_OK) {
        if (!documented(status))
            fprintf(stderr, "undocumented status %d: %s\n", status,
                    diag.message);
        CHECK(documented(status));
        CHECK(plan == sentinel);
        if (status != SOURCE_STOP)
            CHECK(diag.status == status && diag.field != NULL);
        return status;
    }
    CHECK(plan != NULL && plan != sentinel);
    /* A diag is written only on failure (otaprio/common.h). */
    CHECK(diag.status == OTAPRIO_OK && diag.message[0] == '\0');
    check_plan(plan, s, out);
    otaprio_plan_free(plan);
    return status;
}

static const otaprio_catalog *fixture_catalog(void)
{
    static otaprio_catalog *catalog;
    if (catalog == NULL)
        CHECK(plan_fixture_catalog(NULL, &catalog) == OTAPRIO_OK);
    return catalog;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    static fleet f;
    static source_state s;
    static request_parts parts;
    otaprio_plan_request request;
    memset(&parts, 0, sizeof parts);
    memset(&s, 0, sizeof s);
    s.f = &f;
    s.stop_pass = -1;
    take_request(&in, fixture_catalog(), &parts, &s, &request);
    uint8_t stop = take_u8(&in);
    if (stop >= 250)
        s.stop_pass = stop % 4;
    uint8_t struct_size = take_u8(&in);
    if (struct_size >= 250)
        s.chunk_struct_size = struct_size & 1u
                                  ? sizeof(otaprio_plan_chunk) + struct_size
                                  : (size_t)struct_size % 16u;
    size_t chunks[2];
    chunks[0] = 1 + take_u8(&in) % 64u;
    chunks[1] = 1 + take_u8(&in) % 64u;
    otaprio_guard_report *telemetry = take_telemetry(&in);
    request.telemetry = telemetry;
    take_fleet(&in, &f);

    bytes first = {NULL, 0, 0}, second = {NULL, 0, 0};
    int status = plan_once(&request, &s, chunks[0], &first);
    if (status == OTAPRIO_OK) {
        /* The same fleet in other chunks: the same plan. */
        int again = plan_once(&request, &s, chunks[1], &second);
        CHECK(again == OTAPRIO_OK);
        CHECK(first.length == second.length);
        CHECK(memcmp(first.data, second.data, first.length) == 0);
    }
    free(first.data);
    free(second.data);
    otaprio_guard_report_free(telemetry);
    return 0;
}
