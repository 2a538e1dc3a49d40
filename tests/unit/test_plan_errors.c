/* SPDX-License-Identifier: MIT */
/*
 * Every documented error of otaprio_plan_create() and of the plan's
 * accessors: NULL arguments, struct sizes (the request, the issue, the
 * chunk the source hands back and the engines' structs it points to),
 * values out of range, columns that disagree with the chunk, a source that
 * stops or changes the fleet between passes, and the engines' own errors
 * passed through. Each failure must leave *plan untouched and name the
 * field at fault in the diag.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan_fixture.h"

#define POISON 0xA5
#define ANY_INDEX INT64_MIN

enum { DEVICES = 300, CHUNK = 64 };

/* A chunk the source spoils after the fixture filled it. */
typedef enum spoil {
    SPOIL_NONE,
    SPOIL_CHUNK_SIZE,    /* chunk->size below the first layout */
    SPOIL_CHUNK_BIG,     /* chunk->size past the planner's struct */
    SPOIL_RING,          /* ring[5] = 3 */
    SPOIL_DEVICES_COUNT, /* otaprio_devices::count one too many */
    SPOIL_STATE_COUNT,   /* otaprio_device_state::count one too few */
    SPOIL_KEYS,          /* keys NULL */
    SPOIL_STATE,         /* state NULL with a catalog */
    SPOIL_DEVICES_SIZE,  /* otaprio_devices::size too small */
    SPOIL_DEVICES_TAIL,  /* otaprio_devices with a set unknown tail */
    SPOIL_STATE_SIZE,    /* otaprio_device_state::size too small */
    SPOIL_STATE_TAIL,    /* otaprio_device_state with a set unknown tail */
    SPOIL_DEVICE_CLASS,  /* device_class[7] out of range */
    SPOIL_KEY_CHANGED,   /* a key differs, the count does not */
    SPOIL_ZERO_TAIL      /* both engine structs with a zero tail: fine */
} spoil;

/* The engines' structs with room past their end. */
typedef struct devices_tail {
    otaprio_devices devices;
    unsigned char tail[16];
} devices_tail;

typedef struct state_tail {
    otaprio_device_state state;
    unsigned char tail[16];
} state_tail;

typedef struct context {
    plan_fixture fixture;
    otaprio_catalog *catalog;
    otaprio_issue issue;
    otaprio_plan_request request;
    spoil spoil;
    int32_t spoil_pass;   /* -1: every pass */
    unsigned passes_seen; /* bit per otaprio_plan_pass */
    devices_tail devices;
    state_tail state;
    uint8_t bad_class[CHUNK];
} context;

static int spoiling_source(void *user, int32_t pass, uint64_t first,
                           otaprio_plan_chunk *chunk)
{
    context *c = user;
    c->passes_seen |= 1u << pass;
    int status = plan_fixture_source(&c->fixture, pass, first, chunk);
    if (status != 0 || chunk->count == 0 ||
        (c->spoil_pass >= 0 && pass != c->spoil_pass))
        return status;
    plan_fixture *f = &c->fixture;
    switch (c->spoil) {
    case SPOIL_NONE:
        break;
    case SPOIL_CHUNK_SIZE:
        chunk->size = sizeof(size_t);
        break;
    case SPOIL_CHUNK_BIG:
        /* A host that took the chunk for one of a newer layout. */
        chunk->size = sizeof *chunk + 16;
        break;
    case SPOIL_RING:
        f->buf.ring[5] = 3;
        break;
    case SPOIL_DEVICES_COUNT:
        f->risk.count++;
        break;
    case SPOIL_STATE_COUNT:
        f->state.count--;
        break;
    case SPOIL_KEYS:
        chunk->keys = NULL;
        break;
    case SPOIL_STATE:
        chunk->state = NULL;
        break;
    case SPOIL_DEVICES_SIZE:
    case SPOIL_DEVICES_TAIL:
    case SPOIL_STATE_SIZE:
    case SPOIL_STATE_TAIL:
    case SPOIL_ZERO_TAIL:
        memset(&c->devices, 0, sizeof c->devices);
        memset(&c->state, 0, sizeof c->state);
        c->devices.devices = f->risk;
        c->state.state = f->state;
        c->devices.devices.size = sizeof c->devices;
        c->state.state.size = sizeof c->state;
        if (c->spoil == SPOIL_DEVICES_SIZE)
            c->devices.devices.size = 4;
        if (c->spoil == SPOIL_DEVICES_TAIL)
            c->devices.tail[3] = 1;
        if (c->spoil == SPOIL_STATE_SIZE)
            c->state.state.size = 4;
        if (c->spoil == SPOIL_STATE_TAIL)
            c->state.tail[15] = 1;
        chunk->devices = &c->devices.devices;
        chunk->state = &c->state.state;
        break;
    case SPOIL_DEVICE_CLASS:
        memcpy(c->bad_class, f->buf.device_class, chunk->count);
        c->bad_class[chunk->count > 7 ? 7 : 0] = OTAPRIO_DEVICE_CLASS_MAX;
        f->risk.device_class = c->bad_class;
        break;
    case SPOIL_KEY_CHANGED:
        f->buf.keys[0] ^= 1;
        break;
    }
    return 0;
}

static int setup(void **state)
{
    context *c = calloc(1, sizeof *c);
    assert_non_null(c);
    assert_int_equal(plan_fixture_init(&c->fixture, 7, DEVICES, CHUNK), 0);
    assert_int_equal(plan_fixture_catalog(NULL, &c->catalog), OTAPRIO_OK);
    otaprio_issue_init(&c->issue);
    plan_fixture_request(&c->fixture, c->catalog, &c->issue, &c->request);
    c->request.source = spoiling_source;
    c->request.user = c;
    c->spoil_pass = -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    context *c = *state;
    plan_fixture_free(&c->fixture);
    otaprio_catalog_free(c->catalog);
    free(c);
    return 0;
}

/* Plans `request`; expects `status`, *plan untouched and the diag naming
 * `field` (NULL: not checked) at `index` (ANY_INDEX: not checked). */
static void expect_failure(const otaprio_plan_request *request, int status,
                           const char *field, int64_t index)
{
    otaprio_plan *sentinel = (otaprio_plan *)(uintptr_t)0x5EAF00Du;
    otaprio_plan *plan = sentinel;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int got = otaprio_plan_create(request, NULL, &plan, &diag);
    if (got != status)
        fail_msg("status %d (%s), expected %d; diag: %s", got,
                 otaprio_strerror(got), status, diag.message);
    assert_ptr_equal(plan, sentinel);
    if (field != NULL) {
        assert_non_null(diag.field);
        if (strcmp(diag.field, field) != 0)
            fail_msg("diag names \"%s\", expected \"%s\": %s", diag.field,
                     field, diag.message);
    }
    if (index != ANY_INDEX)
        assert_int_equal(diag.index, index);
    if (field != NULL)
        assert_int_equal(diag.status, status);
}

static otaprio_plan *expect_success(const otaprio_plan_request *request)
{
    otaprio_plan *plan = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_create(request, NULL, &plan, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("planning failed: %s (%s)", otaprio_strerror(status),
                 diag.message);
    assert_non_null(plan);
    /* A diag is written only on failure (otaprio/common.h). */
    if (diag.status != OTAPRIO_OK || diag.message[0] != '\0')
        fail_msg("the diag of a plan made says: %s", diag.message);
    return plan;
}

/* ---- the request ----------------------------------------------------------
 */

static void null_arguments(void **state)
{
    context *c = *state;
    otaprio_plan *plan = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_plan_create(NULL, NULL, &plan, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "request");
    assert_null(plan);
    assert_int_equal(otaprio_plan_create(&c->request, NULL, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "plan");
    /* No diag is fine too. */
    assert_int_equal(otaprio_plan_create(NULL, NULL, &plan, NULL),
                     OTAPRIO_E_INVALID);

    otaprio_plan_request r = c->request;
    r.issue = NULL;
    expect_failure(&r, OTAPRIO_E_INVALID, "issue", -1);
    r = c->request;
    r.source = NULL;
    expect_failure(&r, OTAPRIO_E_INVALID, "source", -1);
    assert_int_equal(c->fixture.calls, 0);
}

static void request_size(void **state)
{
    context *c = *state;
    struct {
        otaprio_plan_request request;
        unsigned char tail[16];
    } big;
    memset(&big, 0, sizeof big);
    big.request = c->request;
    big.request.size = 0;
    expect_failure(&big.request, OTAPRIO_E_STRUCT_SIZE, "size", -1);
    big.request.size = sizeof(otaprio_plan_request) - 1;
    expect_failure(&big.request, OTAPRIO_E_STRUCT_SIZE, "size", -1);
    big.request.size = sizeof big;
    big.tail[9] = 1;
    expect_failure(&big.request, OTAPRIO_E_STRUCT_SIZE, "size", -1);
    assert_int_equal(c->fixture.calls, 0);
    /* A zero tail is a newer caller's defaults: planned as usual. */
    big.tail[9] = 0;
    otaprio_plan_free(expect_success(&big.request));
    assert_int_equal((otaprio_plan_request_init)(NULL, sizeof c->request),
                     OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_plan_request_init)(&big.request, 4),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(
        (otaprio_plan_chunk_init)(NULL, sizeof(otaprio_plan_chunk)),
        OTAPRIO_E_INVALID);
    otaprio_plan_chunk chunk;
    assert_int_equal((otaprio_plan_chunk_init)(&chunk, 4),
                     OTAPRIO_E_STRUCT_SIZE);
}

static void referenced_struct_sizes(void **state)
{
    context *c = *state;
    struct {
        otaprio_issue issue;
        unsigned char tail[8];
    } issue;
    memset(&issue, 0, sizeof issue);
    issue.issue = c->issue;
    otaprio_plan_request r = c->request;
    r.issue = &issue.issue;
    issue.issue.size = 4;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);
    issue.issue.size = sizeof issue;
    issue.tail[0] = 1;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);

    otaprio_rollback_input rollback;
    otaprio_rollback_input_init(&rollback);
    rollback.size = 4;
    r = c->request;
    r.rollback = &rollback;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);

    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    options.size = 4;
    r = c->request;
    r.guard_options = &options;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);

    otaprio_plan_power power;
    otaprio_plan_power_init(&power);
    power.baseline = 0.01;
    power.rise = 1.0;
    power.size = 4;
    r = c->request;
    r.power = &power;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);
}

static void critical_level(void **state)
{
    context *c = *state;
    const double bad[] = {-1.0,     -0x1p-1074, 100.000001, 1e300,
                          HUGE_VAL, -HUGE_VAL,  (double)NAN};
    otaprio_plan_request r = c->request;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r.critical_level = bad[i];
        expect_failure(&r, OTAPRIO_E_RANGE, "critical_level", -1);
    }
    assert_int_equal(c->fixture.calls, 0);
    r.critical_level = 0.0;
    otaprio_plan_free(expect_success(&r));
    r.critical_level = 100.0;
    otaprio_plan_free(expect_success(&r));
}

static void request_values(void **state)
{
    context *c = *state;
    otaprio_plan_request r = c->request;
    r.delayed = OTAPRIO_PLAN_DELAYED_ALL + 1;
    expect_failure(&r, OTAPRIO_E_RANGE, "delayed", -1);
    r.delayed = 1u << 31;
    expect_failure(&r, OTAPRIO_E_RANGE, "delayed", -1);

    r = c->request;
    r.trace_flaw = 2;
    expect_failure(&r, OTAPRIO_E_RANGE, "trace_flaw", -1);
    r.trace_flaw = -1;
    expect_failure(&r, OTAPRIO_E_RANGE, "trace_flaw", -1);

    r = c->request;
    r.catalog = NULL;
    expect_failure(&r, OTAPRIO_E_INVALID, "catalog", -1);
    r = c->request;
    r.flaw_constraint = NULL;
    expect_failure(&r, OTAPRIO_E_INVALID, "flaw_constraint", -1);

    r = c->request;
    r.rules = NULL;
    r.rule_count = 1;
    expect_failure(&r, OTAPRIO_E_INVALID, "rules", -1);

    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_policy_init(&policy);
    otaprio_plan_breakglass_request breakglass;
    otaprio_plan_breakglass_request_init(&breakglass);
    r = c->request;
    r.breakglass = &breakglass;
    expect_failure(&r, OTAPRIO_E_INVALID, "breakglass_policy", -1);
    r = c->request;
    r.breakglass_policy = &policy;
    expect_failure(&r, OTAPRIO_E_INVALID, "breakglass", -1);
    assert_int_equal(c->fixture.calls, 0);
}

/* ---- the chunks -----------------------------------------------------------
 */

typedef struct chunk_case {
    spoil spoil;
    int status;
    const char *field;
    int64_t index;
} chunk_case;

static void chunk_values(void **state)
{
    context *c = *state;
    const chunk_case cases[] = {
        {SPOIL_CHUNK_SIZE, OTAPRIO_E_STRUCT_SIZE, "size", -1},
        {SPOIL_CHUNK_BIG, OTAPRIO_E_STRUCT_SIZE, "size", -1},
        {SPOIL_RING, OTAPRIO_E_RANGE, "ring", 5},
        {SPOIL_DEVICES_COUNT, OTAPRIO_E_INVALID, "devices.count", -1},
        {SPOIL_STATE_COUNT, OTAPRIO_E_INVALID, "state.count", -1},
        {SPOIL_KEYS, OTAPRIO_E_INVALID, "keys", -1},
        {SPOIL_STATE, OTAPRIO_E_INVALID, "state", -1},
        {SPOIL_DEVICES_SIZE, OTAPRIO_E_STRUCT_SIZE, "size", -1},
        {SPOIL_DEVICES_TAIL, OTAPRIO_E_STRUCT_SIZE, "size", -1},
        {SPOIL_STATE_SIZE, OTAPRIO_E_STRUCT_SIZE, "size", -1},
        {SPOIL_STATE_TAIL, OTAPRIO_E_STRUCT_SIZE, "size", -1},
        /* The risk engine's own check, index in the chunk. */
        {SPOIL_DEVICE_CLASS, OTAPRIO_E_RANGE, "device_class", 7},
    };
    const int32_t passes[] = {-1, OTAPRIO_PLAN_PASS_IMPACT,
                              OTAPRIO_PLAN_PASS_SAMPLE,
                              OTAPRIO_PLAN_PASS_ASSIGN};
    for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            /* The impact pass does not score devices. */
            if (cases[i].spoil == SPOIL_DEVICE_CLASS &&
                passes[p] == OTAPRIO_PLAN_PASS_IMPACT)
                continue;
            c->spoil = cases[i].spoil;
            c->spoil_pass = passes[p];
            expect_failure(&c->request, cases[i].status, cases[i].field,
                           cases[i].index);
        }
    }
    /* A zero tail is fine, and the same plan as without one. */
    c->spoil = SPOIL_ZERO_TAIL;
    c->spoil_pass = -1;
    otaprio_plan_free(expect_success(&c->request));
    c->spoil = SPOIL_NONE;
}

/* Without a catalog, otaprio_device_state is not read at all. */
static void state_ignored_without_catalog(void **state)
{
    context *c = *state;
    otaprio_plan_request r = c->request;
    r.catalog = NULL;
    r.trace_flaw = 0;
    c->spoil = SPOIL_STATE_TAIL;
    otaprio_plan_free(expect_success(&r));
    c->spoil = SPOIL_STATE;
    otaprio_plan_free(expect_success(&r));
    c->spoil = SPOIL_NONE;
}

/* ---- the source -----------------------------------------------------------
 */

static void source_stops(void **state)
{
    context *c = *state;
    otaprio_plan_power power;
    otaprio_plan_power_init(&power);
    power.baseline = 0.01;
    power.rise = 1.0;
    otaprio_plan_request r = c->request;
    r.power = &power; /* so that the census pass runs */
    const int statuses[] = {1, 42, -77, OTAPRIO_E_NOMEM, INT32_MIN};
    for (int32_t pass = 0; pass <= OTAPRIO_PLAN_PASS_ASSIGN; pass++) {
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
            c->fixture.fail_pass = pass;
            c->fixture.fail_status = statuses[i];
            c->passes_seen = 0;
            expect_failure(&r, statuses[i], NULL, ANY_INDEX);
            /* It stopped there: that pass ran, no later one did. */
            assert_int_equal(c->passes_seen, (2u << pass) - 1);
        }
    }
    c->fixture.fail_pass = -1;
}

static void source_changes_fleet(void **state)
{
    context *c = *state;
    otaprio_plan_power power;
    otaprio_plan_power_init(&power);
    power.baseline = 0.01;
    power.rise = 1.0;
    otaprio_plan_request r = c->request;
    r.power = &power;
    for (int32_t pass = 0; pass <= OTAPRIO_PLAN_PASS_ASSIGN; pass++) {
        c->fixture.shrink_pass = pass;
        expect_failure(&r, OTAPRIO_E_INVALID, "source", -1);
    }
    c->fixture.shrink_pass = -1;
    /* As many devices, one key changed. */
    for (int32_t pass = OTAPRIO_PLAN_PASS_CENSUS;
         pass <= OTAPRIO_PLAN_PASS_ASSIGN; pass++) {
        c->spoil = SPOIL_KEY_CHANGED;
        c->spoil_pass = pass;
        expect_failure(&r, OTAPRIO_E_INVALID, "source", -1);
    }
    c->spoil = SPOIL_NONE;
    c->spoil_pass = -1;
    /* Without a flaw to trace, the sample pass is the first. */
    r.catalog = NULL;
    r.trace_flaw = 0;
    r.power = NULL;
    c->fixture.shrink_pass = OTAPRIO_PLAN_PASS_ASSIGN;
    expect_failure(&r, OTAPRIO_E_INVALID, "source", -1);
    c->fixture.shrink_pass = -1;
}

/* An empty fleet is no error. */
static void empty_fleet(void **state)
{
    context *c = *state;
    c->fixture.devices = 0;
    otaprio_plan *plan = expect_success(&c->request);
    otaprio_plan_summary summary = {.size = sizeof summary};
    assert_int_equal(otaprio_plan_get_summary(plan, &summary, NULL),
                     OTAPRIO_OK);
    assert_int_equal(summary.devices, 0);
    assert_int_equal(summary.planned, 0);
    otaprio_plan_free(plan);
    c->fixture.devices = DEVICES;
}

/* ---- the engines' errors, passed through ----------------------------------
 */

static void guard_rule_error(void **state)
{
    context *c = *state;
    otaprio_guard_rule rules[2];
    otaprio_guard_rule_init(&rules[0]);
    rules[0].name = "crash_rate";
    otaprio_guard_rule_init(&rules[1]);
    rules[1].name = "boot_failures";
    rules[1].margin = -1.0;
    /* What the guardrail engine says of the same rules. */
    otaprio_guard_set *set = NULL;
    otaprio_diag direct;
    otaprio_diag_init(&direct);
    int status = otaprio_guard_set_create(NULL, rules, 2, NULL, &set, &direct);
    assert_int_not_equal(status, OTAPRIO_OK);
    assert_null(set);
    otaprio_plan_request r = c->request;
    r.rules = rules;
    r.rule_count = 2;
    expect_failure(&r, status, direct.field, direct.index);

    rules[1].margin = 0.0;
    rules[1].name = "crash_rate"; /* a duplicate */
    status = otaprio_guard_set_create(NULL, rules, 2, NULL, &set, &direct);
    assert_int_equal(status, OTAPRIO_E_DUPLICATE);
    expect_failure(&r, status, direct.field, direct.index);

    rules[1].name = NULL;
    expect_failure(&r, OTAPRIO_E_INVALID, "name", 1);

    /* Options are checked even when no rule needs them: the plan reports
     * their tolerance scale. */
    otaprio_guard_options options;
    otaprio_guard_options_init(&options);
    r = c->request;
    r.rules = NULL;
    r.rule_count = 0;
    r.guard_options = &options;
    options.tolerance_scale = -1.0;
    expect_failure(&r, OTAPRIO_E_RANGE, "guard_options.tolerance_scale",
                   ANY_INDEX);
    options.tolerance_scale = HUGE_VAL;
    expect_failure(&r, OTAPRIO_E_RANGE, "guard_options.tolerance_scale",
                   ANY_INDEX);
    options.tolerance_scale = 0.0;
    options.alpha = 0.7;
    expect_failure(&r, OTAPRIO_E_RANGE, "guard_options.alpha", ANY_INDEX);
}

static void rollback_error(void **state)
{
    context *c = *state;
    otaprio_rollback_input rollback;
    otaprio_rollback_input_init(&rollback);
    rollback.layer = OTAPRIO_LAYER_BATTERY + 1;
    otaprio_rollback_decision decision = {.size = sizeof decision};
    otaprio_diag direct;
    otaprio_diag_init(&direct);
    int status = otaprio_rollback_decide(&rollback, &decision, &direct);
    assert_int_equal(status, OTAPRIO_E_RANGE);
    otaprio_plan_request r = c->request;
    r.rollback = &rollback;
    expect_failure(&r, status, "layer", ANY_INDEX);

    otaprio_rollback_input_init(&rollback);
    rollback.canary_share = (double)NAN;
    status = otaprio_rollback_decide(&rollback, &decision, &direct);
    assert_int_not_equal(status, OTAPRIO_OK);
    expect_failure(&r, status, direct.field, ANY_INDEX);
}

static void issue_and_model_errors(void **state)
{
    context *c = *state;
    otaprio_issue issue = c->issue;
    otaprio_plan_request r = c->request;
    r.issue = &issue;
    issue.issue_class = 99;
    expect_failure(&r, OTAPRIO_E_RANGE, "issue_class", ANY_INDEX);
    issue = c->issue;
    issue.epss = (double)NAN;
    issue.has_epss = 1;
    expect_failure(&r, OTAPRIO_E_RANGE, NULL, ANY_INDEX);
    issue = c->issue;
    issue.layer = -1;
    expect_failure(&r, OTAPRIO_E_RANGE, "layer", ANY_INDEX);
    assert_int_equal(c->fixture.calls, 0);
}

static void catalog_errors(void **state)
{
    context *c = *state;
    otaprio_plan_request r = c->request;
    r.flaw_constraint = "<<< 13";
    r.flaw_constraint_length = 6;
    expect_failure(&r, OTAPRIO_E_SYNTAX, NULL, ANY_INDEX);
    r = c->request;
    r.flaw_component = 999;
    expect_failure(&r, OTAPRIO_E_RANGE, NULL, ANY_INDEX);
    r = c->request;
    r.package = 999;
    expect_failure(&r, OTAPRIO_E_RANGE, NULL, ANY_INDEX);
}

static void cohort_and_power_errors(void **state)
{
    context *c = *state;
    otaprio_plan_request r = c->request;
    r.cardinalities = NULL;
    expect_failure(&r, OTAPRIO_E_INVALID, "cardinalities", ANY_INDEX);
    r = c->request;
    r.dimension_count = OTAPRIO_COHORT_MAX_DIMENSIONS + 1;
    expect_failure(&r, OTAPRIO_E_LIMIT, "dimension_count", ANY_INDEX);

    otaprio_plan_power power;
    otaprio_plan_power_init(&power); /* baseline 0: unset, rejected */
    double size = 0.0;
    otaprio_diag direct;
    otaprio_diag_init(&direct);
    int status = otaprio_plan_canary_size(&power, &size, &direct);
    assert_int_not_equal(status, OTAPRIO_OK);
    r = c->request;
    r.power = &power;
    expect_failure(&r, status, direct.field, direct.index);
    power.baseline = 0.01;
    power.rise = 1.0;
    power.alpha = 0.0;
    expect_failure(&r, OTAPRIO_E_RANGE, "alpha", ANY_INDEX);
}

static void breakglass_errors(void **state)
{
    context *c = *state;
    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_policy_init(&policy);
    otaprio_plan_breakglass_request breakglass;
    otaprio_plan_breakglass_request_init(&breakglass);
    otaprio_plan_request r = c->request;
    r.breakglass_policy = &policy;
    r.breakglass = &breakglass;
    breakglass.approval_count = 1; /* with no arrays */
    expect_failure(&r, OTAPRIO_E_INVALID, NULL, ANY_INDEX);
    breakglass.approval_count = 0;
    policy.size = 4;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);
    otaprio_plan_breakglass_policy_init(&policy);
    breakglass.size = 4;
    expect_failure(&r, OTAPRIO_E_STRUCT_SIZE, "size", -1);
}

/* ---- the accessors --------------------------------------------------------
 */

static void accessors(void **state)
{
    context *c = *state;
    otaprio_plan *plan = expect_success(&c->request);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    uint32_t waves = otaprio_plan_wave_count(plan);
    uint32_t chains = otaprio_plan_chain_count(plan);
    size_t warnings = otaprio_plan_warning_count(plan);
    assert_true(waves > 0);
    assert_true(chains > 0);

    /* NULL plans. */
    assert_int_equal(otaprio_plan_wave_count(NULL), 0);
    assert_int_equal(otaprio_plan_chain_count(NULL), 0);
    assert_int_equal(otaprio_plan_warning_count(NULL), 0);
    assert_null(otaprio_plan_wave_guards(NULL, 0));
    assert_null(otaprio_plan_cohort(NULL));
    assert_non_null(otaprio_plan_cohort(plan));
    assert_null(otaprio_plan_wave_guards(plan, waves));
    assert_null(otaprio_plan_wave_guards(plan, 0)); /* no rules */
    otaprio_plan_free(NULL);

    otaprio_plan_summary summary;
    memset(&summary, POISON, sizeof summary);
    summary.size = sizeof summary;
    assert_int_equal(otaprio_plan_get_summary(NULL, &summary, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "plan");
    assert_int_equal(otaprio_plan_get_summary(plan, NULL, &diag),
                     OTAPRIO_E_INVALID);
    summary.size = sizeof(size_t);
    assert_int_equal(otaprio_plan_get_summary(plan, &summary, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "size");
    assert_int_equal(summary.tier, (int32_t)0xA5A5A5A5u);

    otaprio_plan_wave wave;
    memset(&wave, POISON, sizeof wave);
    wave.size = sizeof wave;
    assert_int_equal(otaprio_plan_get_wave(NULL, 0, &wave, &diag),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_plan_get_wave(plan, 0, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_plan_get_wave(plan, waves, &wave, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "wave");
    assert_int_equal(diag.index, waves);
    assert_int_equal(otaprio_plan_get_wave(plan, UINT32_MAX, &wave, &diag),
                     OTAPRIO_E_RANGE);
    wave.size = 0;
    assert_int_equal(otaprio_plan_get_wave(plan, 0, &wave, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(wave.stage, (int32_t)0xA5A5A5A5u);

    otaprio_plan_chain chain;
    memset(&chain, POISON, sizeof chain);
    chain.size = sizeof chain;
    assert_int_equal(otaprio_plan_get_chain(NULL, 0, &chain, &diag),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_plan_get_chain(plan, 0, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_plan_get_chain(plan, chains, &chain, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "chain");
    chain.size = 1;
    assert_int_equal(otaprio_plan_get_chain(plan, 0, &chain, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(chain.devices, 0xA5A5A5A5A5A5A5A5u);

    otaprio_plan_warning warning;
    memset(&warning, POISON, sizeof warning);
    warning.size = sizeof warning;
    assert_int_equal(otaprio_plan_get_warning(NULL, 0, &warning, &diag),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_plan_get_warning(plan, 0, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_plan_get_warning(plan, warnings, &warning, &diag),
                     OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "warning");
    assert_int_equal(otaprio_plan_get_warning(plan, SIZE_MAX, &warning, &diag),
                     OTAPRIO_E_RANGE);
    warning.size = 2;
    assert_int_equal(otaprio_plan_get_warning(plan, 0, &warning, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(warning.code, (int32_t)0xA5A5A5A5u);

    /* The explanation: the count alone, then too little room. */
    size_t count = 0;
    assert_int_equal(otaprio_plan_explanation(NULL, NULL, 0, &count, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "plan");
    assert_int_equal(otaprio_plan_explanation(plan, NULL, 0, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "count");
    assert_int_equal(otaprio_plan_explanation(plan, NULL, 0, &count, &diag),
                     OTAPRIO_OK);
    assert_true(count > 0);
    otaprio_factor_points *items = calloc(count + 1, sizeof *items);
    assert_non_null(items);
    memset(items, POISON, (count + 1) * sizeof *items);
    size_t got = 0;
    assert_int_equal(
        otaprio_plan_explanation(plan, items, count - 1, &got, &diag),
        OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "capacity");
    for (size_t i = 0; i < (count + 1) * sizeof *items; i++)
        assert_int_equal(((unsigned char *)items)[i], POISON);
    assert_int_equal(
        otaprio_plan_explanation(plan, items, count + 1, &got, &diag),
        OTAPRIO_OK);
    assert_int_equal(got, count);
    free(items);
    otaprio_plan_free(plan);
}

static void guards_per_wave(void **state)
{
    context *c = *state;
    otaprio_guard_rule rule;
    otaprio_guard_rule_init(&rule);
    rule.name = "crash_rate";
    otaprio_plan_request r = c->request;
    r.rules = &rule;
    r.rule_count = 1;
    otaprio_plan *plan = expect_success(&r);
    uint32_t waves = otaprio_plan_wave_count(plan);
    for (uint32_t k = 0; k < waves; k++)
        assert_non_null(otaprio_plan_wave_guards(plan, k));
    assert_null(otaprio_plan_wave_guards(plan, waves));
    assert_null(otaprio_plan_wave_guards(plan, UINT32_MAX));
    otaprio_plan_free(plan);
}

static void names(void **state)
{
    (void)state;
    for (int32_t v = OTAPRIO_PLAN_STAGE_DOGFOOD;
         v <= OTAPRIO_PLAN_STAGE_ACCELERATED; v++)
        assert_non_null(otaprio_plan_stage_name(v));
    assert_null(otaprio_plan_stage_name(-1));
    assert_null(otaprio_plan_stage_name(OTAPRIO_PLAN_STAGE_ACCELERATED + 1));
    assert_null(otaprio_plan_stage_name(INT32_MIN));

    for (uint32_t b = 0; b <= 8; b++)
        assert_non_null(otaprio_plan_note_name(1u << b));
    assert_null(otaprio_plan_note_name(0));
    assert_null(otaprio_plan_note_name(1u << 9));
    assert_null(otaprio_plan_note_name(1u << 31));
    assert_null(otaprio_plan_note_name(3)); /* two bits */

    for (int32_t v = OTAPRIO_PLAN_WARN_CHAIN_UNCOVERED;
         v <= OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE; v++)
        assert_non_null(otaprio_plan_warning_name(v));
    assert_null(otaprio_plan_warning_name(0));
    assert_null(otaprio_plan_warning_name(-1));
    assert_null(
        otaprio_plan_warning_name(OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE + 1));

    for (int32_t v = OTAPRIO_PLAN_PATH_NONE_NEEDED;
         v <= OTAPRIO_PLAN_PATH_TOO_LONG; v++)
        assert_non_null(otaprio_plan_path_status_name(v));
    assert_null(otaprio_plan_path_status_name(-1));
    assert_null(otaprio_plan_path_status_name(OTAPRIO_PLAN_PATH_TOO_LONG + 1));

    for (int32_t v = OTAPRIO_PLAN_PASS_IMPACT; v <= OTAPRIO_PLAN_PASS_ASSIGN;
         v++)
        assert_non_null(otaprio_plan_pass_name(v));
    assert_null(otaprio_plan_pass_name(-1));
    assert_null(otaprio_plan_pass_name(OTAPRIO_PLAN_PASS_ASSIGN + 1));

    assert_null(otaprio_plan_metric_name(-1));
    assert_null(otaprio_plan_metric_name(OTAPRIO_PLAN_METRIC_RATE + 1));
    assert_null(otaprio_plan_role_name(-1));
    assert_null(otaprio_plan_role_name(OTAPRIO_PLAN_ROLE_EXECUTIVE + 1));
    assert_null(otaprio_plan_evidence_name(0));
    assert_null(otaprio_plan_evidence_name(1u << 31));
    assert_null(otaprio_plan_unmet_name(0));
    assert_null(otaprio_plan_unmet_name(1u << 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(null_arguments),
        T(request_size),
        T(referenced_struct_sizes),
        T(critical_level),
        T(request_values),
        T(chunk_values),
        T(state_ignored_without_catalog),
        T(source_stops),
        T(source_changes_fleet),
        T(empty_fleet),
        T(guard_rule_error),
        T(rollback_error),
        T(issue_and_model_errors),
        T(catalog_errors),
        T(cohort_and_power_errors),
        T(breakglass_errors),
        T(accessors),
        T(guards_per_wave),
        T(names),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
