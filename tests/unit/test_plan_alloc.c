/* SPDX-License-Identifier: MIT */
/*
 * Every allocation of otaprio_plan_create() made to fail in turn, on a
 * small fleet whose request reaches every path that allocates: the flaw
 * traced through the catalog, dependency chains with their update paths,
 * ring stages, shared-fate clusters, guardrail rules, a canary sized for
 * power, and an approved break-glass request whose policy keeps clusters
 * out (or one that is denied, so the ring stages and the denial warning
 * are planned too). Each failure returns OTAPRIO_E_NOMEM, leaks nothing
 * and leaves *plan untouched; the run that meets no failure plans what a
 * default-allocator run plans, to the byte and device by device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "plan_fixture.h"

enum { DEVICES = 300, CHUNK = 64 };

/* A growing byte string: everything a plan answers, in a fixed order. */
typedef struct bytes {
    unsigned char *data;
    size_t length;
} bytes;

static void append(bytes *b, const void *data, size_t length)
{
    unsigned char *grown = realloc(b->data, b->length + length);
    assert_non_null(grown);
    memcpy(grown + b->length, data, length);
    b->data = grown;
    b->length += length;
}

/* The plan through every accessor, and the per-device outputs. Structs
 * are zeroed before they are read so padding compares equal. */
static void snapshot(const otaprio_plan *plan, const plan_fixture *f,
                     bytes *out)
{
    otaprio_plan_summary summary;
    memset(&summary, 0, sizeof summary);
    summary.size = sizeof summary;
    assert_int_equal(otaprio_plan_get_summary(plan, &summary, NULL),
                     OTAPRIO_OK);
    append(out, &summary, sizeof summary);
    uint32_t waves = otaprio_plan_wave_count(plan);
    append(out, &waves, sizeof waves);
    for (uint32_t k = 0; k < waves; k++) {
        otaprio_plan_wave wave;
        memset(&wave, 0, sizeof wave);
        wave.size = sizeof wave;
        assert_int_equal(otaprio_plan_get_wave(plan, k, &wave, NULL),
                         OTAPRIO_OK);
        append(out, &wave, sizeof wave);
        int guarded = otaprio_plan_wave_guards(plan, k) != NULL;
        append(out, &guarded, sizeof guarded);
    }
    uint32_t chains = otaprio_plan_chain_count(plan);
    append(out, &chains, sizeof chains);
    for (uint32_t c = 0; c < chains; c++) {
        otaprio_plan_chain chain;
        memset(&chain, 0, sizeof chain);
        chain.size = sizeof chain;
        assert_int_equal(otaprio_plan_get_chain(plan, c, &chain, NULL),
                         OTAPRIO_OK);
        append(out, &chain, sizeof chain);
    }
    size_t warnings = otaprio_plan_warning_count(plan);
    append(out, &warnings, sizeof warnings);
    for (size_t i = 0; i < warnings; i++) {
        otaprio_plan_warning warning;
        memset(&warning, 0, sizeof warning);
        warning.size = sizeof warning;
        assert_int_equal(otaprio_plan_get_warning(plan, i, &warning, NULL),
                         OTAPRIO_OK);
        append(out, &warning, sizeof warning);
    }
    size_t lines = 0;
    assert_int_equal(otaprio_plan_explanation(plan, NULL, 0, &lines, NULL),
                     OTAPRIO_OK);
    otaprio_factor_points *items = calloc(lines + 1, sizeof *items);
    assert_non_null(items);
    assert_int_equal(otaprio_plan_explanation(plan, items, lines, &lines, NULL),
                     OTAPRIO_OK);
    append(out, items, lines * sizeof *items);
    free(items);
    append(out, f->wave, f->devices);
    append(out, f->disposition, f->devices);
}

typedef struct scenario {
    plan_fixture fixture;
    otaprio_catalog *catalog;
    otaprio_issue issue;
    otaprio_guard_rule rules[2];
    otaprio_plan_power power;
    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_request breakglass;
    otaprio_plan_request request;
    bytes expected;
} scenario;

static const uint64_t kept_out[] = {3, 17, (uint64_t)1 << 40};
static const int32_t roles[] = {OTAPRIO_PLAN_ROLE_RELEASE_MANAGER,
                                OTAPRIO_PLAN_ROLE_SECURITY_LEAD};
static const uint64_t approvers[] = {101, 202};

static void scenario_init(scenario *s, int approved)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(plan_fixture_init(&s->fixture, 11, DEVICES, CHUNK), 0);
    s->fixture.want_outputs = 1;
    assert_int_equal(plan_fixture_catalog(NULL, &s->catalog), OTAPRIO_OK);
    otaprio_issue_init(&s->issue);
    s->issue.layer = OTAPRIO_LAYER_OS;
    plan_fixture_request(&s->fixture, s->catalog, &s->issue, &s->request);

    otaprio_guard_rule_init(&s->rules[0]);
    s->rules[0].name = "crash_rate";
    s->rules[0].margin = 0.2;
    otaprio_guard_rule_init(&s->rules[1]);
    s->rules[1].name = "boot_failures";
    s->rules[1].severity = OTAPRIO_GUARD_CRITICAL;
    s->request.rules = s->rules;
    s->request.rule_count = 2;

    otaprio_plan_power_init(&s->power);
    s->power.baseline = 0.02;
    s->power.rise = 1.0;
    s->request.power = &s->power;
    s->request.delayed = OTAPRIO_PLAN_DELAYED_THERMAL;

    otaprio_plan_breakglass_policy_init(&s->policy);
    s->policy.approvals[OTAPRIO_PLAN_ROLE_RELEASE_MANAGER] = 1;
    s->policy.approvals[OTAPRIO_PLAN_ROLE_SECURITY_LEAD] = approved ? 1 : 2;
    s->policy.excluded_count = sizeof kept_out / sizeof kept_out[0];
    s->policy.excluded = kept_out;
    otaprio_plan_breakglass_request_init(&s->breakglass);
    s->breakglass.approval_count = 2;
    s->breakglass.approval_role = roles;
    s->breakglass.approver = approvers;
    s->request.breakglass_policy = &s->policy;
    s->request.breakglass = &s->breakglass;
}

static void scenario_free(scenario *s)
{
    plan_fixture_free(&s->fixture);
    otaprio_catalog_free(s->catalog);
    free(s->expected.data);
}

static int plan_once(const otaprio_allocator *allocator, void *ctx)
{
    scenario *s = ctx;
    otaprio_plan *const sentinel = (otaprio_plan *)(uintptr_t)0xBAD0BAD0u;
    otaprio_plan *plan = sentinel;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    memset(s->fixture.wave, 0xEE, s->fixture.devices);
    memset(s->fixture.disposition, 0xEE, s->fixture.devices);
    int status = otaprio_plan_create(&s->request, allocator, &plan, &diag);
    if (status != OTAPRIO_OK) {
        assert_ptr_equal(plan, sentinel);
        assert_int_equal(diag.status, status);
        return status;
    }
    bytes got = {NULL, 0};
    snapshot(plan, &s->fixture, &got);
    otaprio_plan_free(plan);
    assert_int_equal(got.length, s->expected.length);
    assert_memory_equal(got.data, s->expected.data, got.length);
    free(got.data);
    return OTAPRIO_OK;
}

static void sweep(int approved)
{
    scenario *s = malloc(sizeof *s);
    assert_non_null(s);
    scenario_init(s, approved);
    /* The reference: the C library's allocator. */
    otaprio_plan *plan = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_create(&s->request, NULL, &plan, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("reference plan failed: %s", diag.message);
    otaprio_plan_summary summary = {.size = sizeof summary};
    assert_int_equal(otaprio_plan_get_summary(plan, &summary, NULL),
                     OTAPRIO_OK);
    /* The request reaches what it means to. */
    assert_int_equal(summary.devices, DEVICES);
    assert_int_equal(summary.breakglass_requested, 1);
    assert_int_equal(summary.breakglass_approved, approved);
    assert_true(otaprio_plan_chain_count(plan) > 0);
    assert_true(otaprio_plan_warning_count(plan) > 0);
    assert_true(summary.notes & OTAPRIO_PLAN_NOTE_GRAPH_IMPACT);
    assert_int_equal((summary.notes & OTAPRIO_PLAN_NOTE_BREAKGLASS) != 0,
                     approved);
    /* Denied, the plan keeps its tier's shape with its ring stages. */
    otaprio_plan_wave first = {.size = sizeof first};
    assert_int_equal(otaprio_plan_get_wave(plan, 0, &first, NULL), OTAPRIO_OK);
    assert_int_equal(first.stage, approved ? OTAPRIO_PLAN_STAGE_ACCELERATED
                                           : OTAPRIO_PLAN_STAGE_DOGFOOD);
    snapshot(plan, &s->fixture, &s->expected);
    otaprio_plan_free(plan);

    long points = alloc_fail_sweep(plan_once, s, OTAPRIO_E_NOMEM);
    /* Engines' handles, the plan, the columns, chains, clusters, guards,
     * warnings: dozens of allocations at the least. */
    assert_true(points > 40);
    scenario_free(s);
    free(s);
}

static void approved_breakglass(void **state)
{
    (void)state;
    sweep(1);
}

static void denied_breakglass(void **state)
{
    (void)state;
    sweep(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(approved_breakglass),
        cmocka_unit_test(denied_breakglass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
