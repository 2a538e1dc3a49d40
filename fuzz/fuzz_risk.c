/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the risk engine's entry points that take outside data: a policy
 * compiled into a model (fields and raw bytes overwritten, NaN and
 * infinities included, its size field anywhere within the real buffer), an
 * issue scored with its explanation, and a chunk of devices scored in a
 * batch, explained one device at a time and streamed through a callback.
 *
 * The input is read front to back as a series of choices. Once it runs
 * out every further choice reads zero, which picks the common case (true
 * struct sizes, in-range values), so short inputs still reach every entry
 * point. Any crash, sanitizer report or broken invariant (abort) is a
 * finding. The invariants are the header's promises: documented statuses,
 * outputs untouched on failure, scores within [0, 100], dispositions that
 * follow from the reasons, explanations that add up to their scores, the
 * same numbers from every entry point and every chunking, monotone scores,
 * callback statuses passed through unchanged, and no model leaked.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/risk.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names the broken invariant before aborting, so a crash report says what
 * went wrong and not only where. */
/* Every struct is at its first published layout in 0.1.0, so a size below
 * sizeof() is too small. When a struct grows, its first size goes here. */
#define FIRST_SIZE(type) sizeof(type)

enum {
    MAX_DEVICES = 64,
    GUARD = 4,      /* output elements past the chunk that must stay put */
    TAIL = 32,      /* room past a caller struct for a "newer" size */
    MAX_LINES = 64, /* explanation lines the harness can take */
    POISON = 0xA5,  /* fills every output before a call */
    REASON_ALL = (1u << OTAPRIO_REASON_COUNT) - 1u
};

/* ---- reading the input ------------------------------------------------ */

/* A share in [0, 1], both ends reachable. */
static double take_share(input *in)
{
    return (double)take_u16(in) / 65535.0;
}

/* Values at and just past the edges the checks draw, then ordinary
 * fractions, then raw bits (NaN payloads, denormals, huge values). */
static double take_double(input *in)
{
    static const double special[] = {0.0,
                                     -0.0,
                                     1.0,
                                     -1.0,
                                     0.5,
                                     2.0,
                                     100.0,
                                     -100.0,
                                     1000.0,
                                     -1000.0,
                                     1000.0000001,
                                     -1000.0000001,
                                     1.00000001,
                                     0.0005,
                                     0.0015,
                                     0x1p-20,
                                     0x1p-21,
                                     1e-300,
                                     -1e-300,
                                     1e300,
                                     -1e300,
                                     (double)NAN,
                                     -(double)NAN,
                                     (double)INFINITY,
                                     -(double)INFINITY};
    return take_double_among(in, special, COUNT(special), 192, 64.0);
}

/* Small values around the enum ranges, the extremes, or raw bits. */
static int32_t take_i32(input *in)
{
    uint8_t pick = take_u8(in);
    if (pick < 128)
        return (int32_t)(pick % 12) - 2;
    if (pick < 136)
        return pick & 1u ? INT32_MAX : INT32_MIN;
    uint32_t bits = take_u32(in);
    int32_t value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static uint32_t take_count32(input *in)
{
    uint8_t pick = take_u8(in);
    return pick < 128 ? pick % 40u : take_u32(in);
}

/* Package sizes: unknown (0), ordinary, around the 50 MiB metered limit,
 * or anything. */
static uint64_t take_bytes64(input *in)
{
    switch (take_u8(in) % 4) {
    case 0:
        return 0;
    case 1:
        return take_u32(in);
    case 2:
        return 50u * 1024u * 1024u + (uint64_t)(int8_t)take_u8(in);
    default:
        return take_u64(in);
    }
}

/* Battery readings that sit on or next to the edges of [0, 1], NaN and
 * infinities, or raw bits. */
static float take_battery(input *in)
{
    static const float special[] = {
        0.0f,        -0.0f,       1.0f,       0.2f,      0.5f,
        0.19999999f, 0.49999997f, 1.0000001f, 0x1p-149f, -0x1p-149f,
        INFINITY,    -INFINITY,   NAN,        -NAN};
    uint8_t pick = take_u8(in);
    if (pick < COUNT(special))
        return special[pick];
    uint32_t bits = take_u32(in);
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* ---- caller structs --------------------------------------------------- */

enum { F_DOUBLE, F_I32, F_U32, F_U64 };

/* One field of a caller struct: where, what type, how many elements. */
typedef struct field {
    size_t offset;
    uint8_t kind;
    uint8_t count;
} field;

/* A macro, not a function: the field tables need a constant. */
#define KIND_SIZE(kind) ((kind) == F_DOUBLE || (kind) == F_U64 ? 8u : 4u)

/* Overwrites one element of one field with a value of its type, in range
 * or not. */
static void overwrite_field(input *in, unsigned char *base, const field *f)
{
    unsigned char *at =
        base + f->offset + (take_u8(in) % f->count) * KIND_SIZE(f->kind);
    switch (f->kind) {
    case F_DOUBLE: {
        double value = take_double(in);
        memcpy(at, &value, sizeof value);
        break;
    }
    case F_I32: {
        int32_t value = take_i32(in);
        memcpy(at, &value, sizeof value);
        break;
    }
    case F_U32: {
        uint32_t value = take_count32(in);
        memcpy(at, &value, sizeof value);
        break;
    }
    default: {
        uint64_t value = take_bytes64(in);
        memcpy(at, &value, sizeof value);
        break;
    }
    }
}

/* Overwrites up to 8 raw bytes anywhere in the struct, padding included. */
static void overwrite_bytes(input *in, unsigned char *base, size_t length)
{
    size_t at = take_u16(in) % length;
    size_t n = 1 + take_u8(in) % 8;
    for (size_t i = 0; i < n && at + i < length; i++)
        base[at + i] = take_u8(in);
}

/* Sets the leading size of a caller struct of `known` bytes held in a
 * zeroed buffer of `capacity` bytes: usually the truth, sometimes less (a
 * broken caller), sometimes more with a zero or a fuzzed tail (a newer
 * caller), never past the buffer. */
static size_t set_size(input *in, unsigned char *buffer, size_t known,
                       size_t capacity)
{
    size_t size = known;
    switch (take_u8(in) % 8) {
    case 5:
        size = take_u16(in) % known;
        break;
    case 6:
        size = known + take_u8(in) % (capacity - known + 1);
        break;
    case 7:
        size = known + 1 + take_u8(in) % (capacity - known);
        for (size_t i = known; i < size; i++)
            buffer[i] = take_u8(in);
        break;
    default:
        break;
    }
    memcpy(buffer, &size, sizeof size);
    return size;
}

/* What reading a caller struct must give: too small, or a newer tail that
 * sets something this version cannot honour, is OTAPRIO_E_STRUCT_SIZE. */
static int expect_read(const unsigned char *buffer, size_t size, size_t first,
                       size_t current)
{
    if (size < first)
        return OTAPRIO_E_STRUCT_SIZE;
    for (size_t i = current; i < size; i++)
        if (buffer[i] != 0)
            return OTAPRIO_E_STRUCT_SIZE;
    return OTAPRIO_OK;
}

/* ---- statuses and diagnostics ---------------------------------------- */

/* The errors a call may return when several things are wrong at once: the
 * header does not fix the order of its checks, so any of them will do. */
typedef struct allowed {
    unsigned bits;
} allowed;

static void allow(allowed *a, int status)
{
    if (status < 0 && status > -32)
        a->bits |= 1u << -status;
}

static void check_status(const allowed *a, int status)
{
    CHECK(otaprio_strerror(status) != NULL);
    if (a->bits == 0)
        CHECK(status == OTAPRIO_OK);
    else
        CHECK(status < 0 && status > -32 && ((a->bits >> -status) & 1u));
}

typedef struct diag_box {
    otaprio_diag diag;
    otaprio_diag before;
    bool used;
} diag_box;

static otaprio_diag *diag_prepare(diag_box *box, bool used)
{
    CHECK(otaprio_diag_init(&box->diag) == OTAPRIO_OK);
    memcpy(&box->before, &box->diag, sizeof box->diag);
    box->used = used;
    return used ? &box->diag : NULL;
}

/* A failure fills the diagnostics; a success leaves them alone. */
static void diag_check(const diag_box *box, int status)
{
    if (!box->used)
        return;
    if (status == OTAPRIO_OK) {
        CHECK(memcmp(&box->diag, &box->before, sizeof box->diag) == 0);
    } else {
        CHECK(box->diag.status == status);
        CHECK(box->diag.field != NULL);
        CHECK(memchr(box->diag.message, 0, sizeof box->diag.message) != NULL);
    }
}

/* ---- the model -------------------------------------------------------- */

/* Counts what the model takes from its allocator, so that a model that
 * frees with the wrong allocator, or leaks, is caught. */
typedef struct heap {
    long live;
    bool fail;
} heap;

static void *heap_alloc(void *user, size_t bytes)
{
    heap *h = user;
    if (h->fail)
        return NULL;
    void *block = malloc(bytes);
    if (block != NULL)
        h->live++;
    return block;
}

static void *heap_realloc(void *user, void *block, size_t bytes)
{
    heap *h = user;
    return h->fail ? NULL : realloc(block, bytes);
}

static void heap_free(void *user, void *block)
{
    heap *h = user;
    h->live--;
    free(block);
}

#define POLICY_FIELD(name, kind)                                 \
    {                                                            \
        offsetof(otaprio_risk_policy, name), kind,               \
            (uint8_t)(sizeof(((otaprio_risk_policy *)0)->name) / \
                      KIND_SIZE(kind))                           \
    }

static const field policy_fields[] = {
    POLICY_FIELD(model, F_I32),
    POLICY_FIELD(class_points, F_DOUBLE),
    POLICY_FIELD(severity_points, F_DOUBLE),
    POLICY_FIELD(attack_path_points, F_DOUBLE),
    POLICY_FIELD(exploit_points, F_DOUBLE),
    POLICY_FIELD(automatable_points, F_DOUBLE),
    POLICY_FIELD(epss_points, F_DOUBLE),
    POLICY_FIELD(share_points, F_DOUBLE),
    POLICY_FIELD(concentration_points, F_DOUBLE),
    POLICY_FIELD(workflow_points, F_DOUBLE),
    POLICY_FIELD(workflow_cap, F_DOUBLE),
    POLICY_FIELD(affected_class_points, F_DOUBLE),
    POLICY_FIELD(layer_points, F_DOUBLE),
    POLICY_FIELD(ab_slot_points, F_DOUBLE),
    POLICY_FIELD(anomaly_points, F_DOUBLE),
    POLICY_FIELD(anomaly_growing_points, F_DOUBLE),
    POLICY_FIELD(masks_regression_points, F_DOUBLE),
    POLICY_FIELD(tier_thresholds, F_DOUBLE),
    POLICY_FIELD(active_exploit_t0, F_I32),
    POLICY_FIELD(cosmetic_t3, F_I32),
    POLICY_FIELD(class_criticality, F_DOUBLE),
    POLICY_FIELD(class_points_device, F_DOUBLE),
    POLICY_FIELD(customer_points, F_DOUBLE),
    POLICY_FIELD(exposure_points, F_DOUBLE),
    POLICY_FIELD(no_redundancy_points, F_DOUBLE),
    POLICY_FIELD(uptime_points, F_DOUBLE),
    POLICY_FIELD(defect_share, F_DOUBLE),
    POLICY_FIELD(criticality_share, F_DOUBLE),
    POLICY_FIELD(failed_attempt_points, F_DOUBLE),
    POLICY_FIELD(failed_attempt_cap, F_DOUBLE),
    POLICY_FIELD(repeated_failures, F_U32),
    POLICY_FIELD(battery_risk_level, F_DOUBLE),
    POLICY_FIELD(battery_points, F_DOUBLE),
    POLICY_FIELD(min_battery, F_DOUBLE),
    POLICY_FIELD(link_points, F_DOUBLE),
    POLICY_FIELD(metered_points, F_DOUBLE),
    POLICY_FIELD(storage_points, F_DOUBLE),
    POLICY_FIELD(safe_fallback_points, F_DOUBLE),
    POLICY_FIELD(storage_headroom, F_DOUBLE),
    POLICY_FIELD(metered_max_bytes, F_U64),
    POLICY_FIELD(catch_up_days, F_U32),
    POLICY_FIELD(t0_overrides_window, F_I32),
    POLICY_FIELD(excluded_classes, F_U32),
};

static bool within(double value, double low, double high)
{
    return value >= low && value <= high; /* false for NaN */
}

/* `named` entries within [low, high], non-decreasing when `rising`, the
 * reserved rest 0. */
static bool table_ok(const double *table, size_t length, size_t named,
                     double low, double high, bool rising)
{
    for (size_t i = 0; i < length; i++) {
        if (i >= named ? table[i] != 0.0 : !within(table[i], low, high))
            return false;
        if (rising && i > 0 && i < named && table[i] < table[i - 1])
            return false;
    }
    return true;
}

/* What the header promises of every policy a model accepts: finite points
 * within ±1000, flags 0 or 1, reserved table entries 0, non-negative
 * weights and non-decreasing tables where scores must stay monotone,
 * shares and levels in their ranges, thresholds decreasing. The library
 * may refuse more than this; it must not accept less. */
static bool policy_documented(const otaprio_risk_policy *p)
{
    const double L = 1000.0;
    bool ok =
        (p->model == OTAPRIO_RISK_MODEL_SCORECARD ||
         p->model == OTAPRIO_RISK_MODEL_SSVC) &&
        table_ok(p->class_points, 8, 5, -L, L, false) &&
        table_ok(p->severity_points, 4, 4, 0, L, false) &&
        table_ok(p->attack_path_points, 8, 5, -L, L, true) &&
        table_ok(p->exploit_points, 4, 3, -L, L, true) &&
        within(p->automatable_points, 0, L) && within(p->epss_points, 0, L) &&
        within(p->share_points, 0, L) &&
        within(p->concentration_points, 0, L) &&
        within(p->workflow_points, 0, L) && within(p->workflow_cap, -L, L) &&
        within(p->affected_class_points, 0, L) &&
        table_ok(p->layer_points, 8, 7, -L, L, false) &&
        within(p->ab_slot_points, -L, L) && within(p->anomaly_points, -L, L) &&
        within(p->anomaly_growing_points, -L, L) &&
        within(p->masks_regression_points, -L, L) &&
        within(p->tier_thresholds[0], -L, L) &&
        within(p->tier_thresholds[1], -L, L) &&
        within(p->tier_thresholds[2], -L, L) &&
        p->tier_thresholds[0] >= p->tier_thresholds[1] &&
        p->tier_thresholds[1] >= p->tier_thresholds[2] &&
        (p->active_exploit_t0 == 0 || p->active_exploit_t0 == 1) &&
        (p->cosmetic_t3 == 0 || p->cosmetic_t3 == 1);
    for (int c = 0; c < OTAPRIO_DEVICE_CLASS_MAX; c++)
        ok = ok && within(p->class_criticality[c], 0, 1);
    return ok && within(p->class_points_device, 0, L) &&
           table_ok(p->customer_points, 4, 4, -L, L, true) &&
           table_ok(p->exposure_points, 4, 3, -L, L, true) &&
           within(p->no_redundancy_points, 0, L) &&
           table_ok(p->uptime_points, 4, 3, -L, L, true) &&
           within(p->defect_share, 0, 1) &&
           within(p->criticality_share, 0, 1) &&
           within(p->failed_attempt_points, -L, L) &&
           within(p->failed_attempt_cap, -L, L) &&
           p->battery_risk_level > 0.0 && p->battery_risk_level <= 1.0 &&
           within(p->battery_points, -L, L) && within(p->min_battery, 0, 1) &&
           table_ok(p->link_points, 8, 5, -L, L, false) &&
           within(p->metered_points, -L, L) &&
           within(p->storage_points, -L, L) &&
           within(p->safe_fallback_points, -L, L) &&
           within(p->storage_headroom, 1, L) &&
           (p->t0_overrides_window == 0 || p->t0_overrides_window == 1);
}

/* Builds a model from a fuzzed policy; when that policy is refused, falls
 * back to the defaults so the scoring stages still run. `policy` receives
 * the policy the model follows. */
static otaprio_risk_model *build_model(input *in, heap *h,
                                       otaprio_risk_policy *policy)
{
    otaprio_risk_policy defaults;
    CHECK(otaprio_risk_policy_init(&defaults) == OTAPRIO_OK);
    CHECK(defaults.size == sizeof defaults);
    _Alignas(max_align_t) unsigned char buffer[sizeof defaults + TAIL];
    memset(buffer, 0, sizeof buffer);
    memcpy(buffer, &defaults, sizeof defaults);

    uint8_t how = take_u8(in);
    int allocator_mode = how & 3; /* 0: C library, 2: failing, else counting */
    bool no_diag = how & 4;
    bool no_policy = how & 8;
    size_t edits = how >> 4;
    for (size_t e = 0; e < edits; e++) {
        uint8_t which = take_u8(in);
        if (which < 224)
            overwrite_field(in, buffer,
                            &policy_fields[which % COUNT(policy_fields)]);
        else
            overwrite_bytes(in, buffer, sizeof defaults);
    }
    size_t size = set_size(in, buffer, sizeof defaults, sizeof buffer);

    allowed expect = {0};
    if (!no_policy)
        allow(&expect,
              expect_read(buffer, size, FIRST_SIZE(otaprio_risk_policy),
                          sizeof(otaprio_risk_policy)));
    /* The policy the model would follow: defaults, then the fields the
     * caller's size covers. */
    *policy = defaults;
    if (!no_policy)
        memcpy(policy, buffer, size < sizeof *policy ? size : sizeof *policy);
    policy->size = sizeof *policy;

    otaprio_allocator allocator;
    CHECK(otaprio_allocator_init(&allocator) == OTAPRIO_OK);
    allocator.alloc_fn = heap_alloc;
    allocator.realloc_fn = heap_realloc;
    allocator.free_fn = heap_free;
    allocator.user = h;
    h->fail = allocator_mode == 2;

    static char untouched;
    otaprio_risk_model *model = (otaprio_risk_model *)(void *)&untouched;
    diag_box box;
    otaprio_diag *diag = diag_prepare(&box, !no_diag);
    int status = otaprio_risk_model_create(
        no_policy ? NULL : (const otaprio_risk_policy *)(const void *)buffer,
        allocator_mode == 0 ? NULL : &allocator, &model, diag);

    diag_check(&box, status);
    if (expect.bits == 0) {
        /* The fields are read; only their values can be wrong now, or the
         * allocator. */
        allow(&expect, OTAPRIO_E_RANGE);
        if (h->fail)
            allow(&expect, OTAPRIO_E_NOMEM);
        if (status == OTAPRIO_OK)
            expect.bits = 0;
    }
    check_status(&expect, status);
    CHECK(!(h->fail && status == OTAPRIO_OK));
    CHECK(!(no_policy && status == OTAPRIO_E_RANGE));
    if (status == OTAPRIO_OK) {
        CHECK(policy_documented(policy));
        CHECK(model != NULL &&
              model != (otaprio_risk_model *)(void *)&untouched);
        CHECK(h->live == (allocator_mode == 0 ? 0 : 1));
        return model;
    }
    CHECK(model == (otaprio_risk_model *)(void *)&untouched);
    CHECK(h->live == 0);

    *policy = defaults;
    model = NULL;
    CHECK(otaprio_risk_model_create(NULL, NULL, &model, NULL) == OTAPRIO_OK);
    CHECK(model != NULL);
    return model;
}

/* ---- the issue -------------------------------------------------------- */

#define ISSUE_FIELD(name, kind)                                             \
    {                                                                       \
        offsetof(otaprio_issue, name), kind,                                \
            (uint8_t)(sizeof(((otaprio_issue *)0)->name) / KIND_SIZE(kind)) \
    }

static const field issue_fields[] = {
    ISSUE_FIELD(issue_class, F_I32),
    ISSUE_FIELD(security_impact, F_I32),
    ISSUE_FIELD(data_loss, F_I32),
    ISSUE_FIELD(uptime_loss, F_I32),
    ISSUE_FIELD(regulatory_exposure, F_I32),
    ISSUE_FIELD(attack_path, F_I32),
    ISSUE_FIELD(exploit, F_I32),
    ISSUE_FIELD(automatable, F_I32),
    ISSUE_FIELD(has_epss, F_I32),
    ISSUE_FIELD(epss, F_DOUBLE),
    ISSUE_FIELD(affected_share, F_DOUBLE),
    ISSUE_FIELD(concentration, F_DOUBLE),
    ISSUE_FIELD(workflows, F_U32),
    ISSUE_FIELD(affected_classes, F_U32),
    ISSUE_FIELD(layer, F_I32),
    ISSUE_FIELD(ab_slot, F_I32),
    ISSUE_FIELD(anomaly_rate, F_DOUBLE),
    ISSUE_FIELD(anomaly_growing, F_I32),
    ISSUE_FIELD(masks_regression, F_I32),
    ISSUE_FIELD(package_bytes, F_U64),
};

static bool enum_ok(int32_t value, int32_t count)
{
    return value >= 0 && value < count;
}

/* The domain the header gives each field of an issue. */
static bool issue_documented(const otaprio_issue *i)
{
    return enum_ok(i->issue_class, OTAPRIO_ISSUE_COSMETIC + 1) &&
           enum_ok(i->security_impact, OTAPRIO_LEVEL_CRITICAL + 1) &&
           enum_ok(i->data_loss, OTAPRIO_LEVEL_CRITICAL + 1) &&
           enum_ok(i->uptime_loss, OTAPRIO_LEVEL_CRITICAL + 1) &&
           enum_ok(i->regulatory_exposure, OTAPRIO_LEVEL_CRITICAL + 1) &&
           enum_ok(i->attack_path, OTAPRIO_ATTACK_REMOTE + 1) &&
           enum_ok(i->exploit, OTAPRIO_EXPLOIT_ACTIVE + 1) &&
           enum_ok(i->automatable, 2) && enum_ok(i->has_epss, 2) &&
           (!i->has_epss || within(i->epss, 0, 1)) &&
           within(i->affected_share, 0, 1) && within(i->concentration, 0, 1) &&
           (i->workflows & ~OTAPRIO_WORKFLOW_ALL) == 0 &&
           enum_ok(i->layer, OTAPRIO_LAYER_BATTERY + 1) &&
           enum_ok(i->ab_slot, 2) && within(i->anomaly_rate, 0, 1) &&
           enum_ok(i->anomaly_growing, 2) && enum_ok(i->masks_regression, 2);
}

/* An in-range issue from the input, then up to four fields overwritten
 * with anything. */
static void build_issue(input *in, otaprio_issue *i)
{
    CHECK(otaprio_issue_init(i) == OTAPRIO_OK);
    i->issue_class = take_u8(in) % (OTAPRIO_ISSUE_COSMETIC + 1);
    i->security_impact = take_u8(in) % (OTAPRIO_LEVEL_CRITICAL + 1);
    i->data_loss = take_u8(in) % (OTAPRIO_LEVEL_CRITICAL + 1);
    i->uptime_loss = take_u8(in) % (OTAPRIO_LEVEL_CRITICAL + 1);
    i->regulatory_exposure = take_u8(in) % (OTAPRIO_LEVEL_CRITICAL + 1);
    i->attack_path = take_u8(in) % (OTAPRIO_ATTACK_REMOTE + 1);
    i->exploit = take_u8(in) % (OTAPRIO_EXPLOIT_ACTIVE + 1);
    uint8_t flags = take_u8(in);
    i->automatable = flags & 1u;
    i->has_epss = (flags >> 1) & 1u;
    i->ab_slot = (flags >> 2) & 1u;
    i->anomaly_growing = (flags >> 3) & 1u;
    i->masks_regression = (flags >> 4) & 1u;
    i->epss = take_share(in);
    i->affected_share = take_share(in);
    i->concentration = take_share(in);
    i->workflows = take_u8(in) & OTAPRIO_WORKFLOW_ALL;
    i->affected_classes = take_u32(in);
    i->layer = take_u8(in) % (OTAPRIO_LAYER_BATTERY + 1);
    i->anomaly_rate = take_share(in);
    i->package_bytes = take_bytes64(in);
    uint8_t corrupt = take_u8(in) % 8;
    for (int k = 4; k < corrupt; k++)
        overwrite_field(in, (unsigned char *)i,
                        &issue_fields[take_u8(in) % COUNT(issue_fields)]);
}

/* Lines of the defect score: its factors, the SSVC note, the bound. */
static bool defect_factor(int32_t factor)
{
    return (factor >= OTAPRIO_FACTOR_ISSUE_CLASS &&
            factor <= OTAPRIO_FACTOR_MASKS_REGRESSION) ||
           factor == OTAPRIO_FACTOR_SSVC_DECISION ||
           factor == OTAPRIO_FACTOR_BOUND;
}

static int64_t threshold_milli(double points)
{
    return (int64_t)(points * 1000.0); /* toward zero, as the header says */
}

/* The tier the header's rules give a scored issue. */
static int32_t expected_tier(const otaprio_risk_policy *p,
                             const otaprio_issue *i,
                             const otaprio_issue_score *s)
{
    bool security = i->issue_class == OTAPRIO_ISSUE_SECURITY;
    if (p->model == OTAPRIO_RISK_MODEL_SSVC && security)
        return s->ssvc == OTAPRIO_SSVC_ACT      ? OTAPRIO_TIER_T0
               : s->ssvc == OTAPRIO_SSVC_ATTEND ? OTAPRIO_TIER_T1
                                                : OTAPRIO_TIER_T2;
    if (p->active_exploit_t0 && security &&
        i->exploit == OTAPRIO_EXPLOIT_ACTIVE)
        return OTAPRIO_TIER_T0;
    if (p->cosmetic_t3 && i->issue_class == OTAPRIO_ISSUE_COSMETIC &&
        !i->masks_regression)
        return OTAPRIO_TIER_T3;
    int64_t score = s->score_milli;
    return score >= threshold_milli(p->tier_thresholds[0])   ? OTAPRIO_TIER_T0
           : score >= threshold_milli(p->tier_thresholds[1]) ? OTAPRIO_TIER_T1
           : score >= threshold_milli(p->tier_thresholds[2]) ? OTAPRIO_TIER_T2
                                                             : OTAPRIO_TIER_T3;
}

static void check_issue_score(const otaprio_risk_policy *p,
                              const otaprio_issue *i,
                              const otaprio_issue_score *s)
{
    CHECK(s->size == sizeof *s);
    CHECK(s->score_milli >= 0 && s->score_milli <= 100000);
    CHECK(s->score == (double)s->score_milli / 1000.0);
    CHECK(s->ssvc >= OTAPRIO_SSVC_TRACK && s->ssvc <= OTAPRIO_SSVC_ACT);
    CHECK(s->tier == expected_tier(p, i, s));
    CHECK(s->package_bytes == i->package_bytes);
    CHECK(otaprio_tier_name(s->tier) != NULL);
    CHECK(otaprio_ssvc_name(s->ssvc) != NULL);
}

/* Raises one input the header says a score never falls with: severity,
 * exploitability, blast radius. */
static void escalate_issue(input *in, otaprio_issue *i)
{
    switch (take_u8(in) % 11) {
    case 0:
        i->exploit += i->exploit < OTAPRIO_EXPLOIT_ACTIVE;
        break;
    case 1:
        i->attack_path += i->attack_path < OTAPRIO_ATTACK_REMOTE;
        break;
    case 2:
        i->automatable = 1;
        break;
    case 3:
        if (!i->has_epss) {
            i->has_epss = 1;
            i->epss = take_share(in);
        } else {
            double up = i->epss + (1.0 - i->epss) * take_share(in);
            i->epss = up < 1.0 ? up : 1.0;
        }
        break;
    case 4:
        i->security_impact += i->security_impact < OTAPRIO_LEVEL_CRITICAL;
        break;
    case 5:
        i->data_loss += i->data_loss < OTAPRIO_LEVEL_CRITICAL;
        break;
    case 6:
        i->uptime_loss += i->uptime_loss < OTAPRIO_LEVEL_CRITICAL;
        break;
    case 7:
        i->regulatory_exposure +=
            i->regulatory_exposure < OTAPRIO_LEVEL_CRITICAL;
        break;
    case 8: {
        double up = i->affected_share + take_share(in);
        i->affected_share = up < 1.0 ? up : 1.0;
        double more = i->concentration + take_share(in);
        i->concentration = more < 1.0 ? more : 1.0;
        break;
    }
    case 9:
        i->workflows |= take_u8(in) & OTAPRIO_WORKFLOW_ALL;
        break;
    default:
        i->affected_classes |= take_u32(in);
        break;
    }
}

/* Scores a fuzzed issue twice (count only, then with the lines) and checks
 * both. Returns the status; `score` receives the score when it is OK. */
static int fuzz_issue(input *in, const otaprio_risk_model *model,
                      const otaprio_risk_policy *policy,
                      otaprio_issue_score *score)
{
    otaprio_issue issue;
    build_issue(in, &issue);
    _Alignas(max_align_t) unsigned char buffer[sizeof issue + TAIL];
    memset(buffer, 0, sizeof buffer);
    memcpy(buffer, &issue, sizeof issue);
    size_t size = set_size(in, buffer, sizeof issue, sizeof buffer);
    const otaprio_issue *caller = (const otaprio_issue *)(const void *)buffer;

    uint8_t flags = take_u8(in);
    bool small_score = (flags & 7u) == 7u;
    int capacity_mode = (flags >> 3) & 3u;
    bool no_count = flags & 0x20u;
    bool no_diag = flags & 0x40u;

    allowed expect = {0};
    allow(&expect, expect_read(buffer, size, FIRST_SIZE(otaprio_issue),
                               sizeof(otaprio_issue)));
    otaprio_issue full = issue; /* the issue as the library reads it */
    memcpy(&full, buffer, size < sizeof full ? size : sizeof full);
    full.size = sizeof full;
    if (expect.bits == 0 && !issue_documented(&full))
        allow(&expect, OTAPRIO_E_RANGE);
    if (small_score)
        allow(&expect, OTAPRIO_E_STRUCT_SIZE);

    /* First the count alone, as a host sizing its array would. */
    otaprio_issue_score first, first_before;
    memset(&first, POISON, sizeof first);
    first.size = small_score ? take_u8(in) % sizeof first : sizeof first;
    memcpy(&first_before, &first, sizeof first);
    size_t lines = (size_t)-1;
    diag_box box;
    int status = otaprio_risk_score_issue(model, caller, &first, NULL, 0,
                                          &lines, diag_prepare(&box, !no_diag));
    diag_check(&box, status);
    check_status(&expect, status);
    if (status != OTAPRIO_OK) {
        CHECK(memcmp(&first, &first_before, sizeof first) == 0);
        return status;
    }
    check_issue_score(policy, &full, &first);

    /* Then the lines, into an array that may be one too small. */
    size_t capacity = capacity_mode == 0   ? lines
                      : capacity_mode == 1 ? (lines > 0 ? lines - 1 : 0)
                                           : MAX_LINES;
    otaprio_factor_points items[MAX_LINES + GUARD], items_before[COUNT(items)];
    memset(items, POISON, sizeof items);
    memcpy(items_before, items, sizeof items);
    otaprio_issue_score second, second_before;
    memset(&second, POISON, sizeof second);
    second.size = sizeof second;
    memcpy(&second_before, &second, sizeof second);
    if (capacity > MAX_LINES)
        capacity = MAX_LINES; /* all the harness has room for */
    size_t count = (size_t)-1;
    status = otaprio_risk_score_issue(model, caller, &second, items, capacity,
                                      no_count ? NULL : &count,
                                      diag_prepare(&box, !no_diag));
    diag_check(&box, status);
    if (capacity < lines) {
        /* Too small: only the count comes back. */
        CHECK(status == OTAPRIO_E_RANGE);
        CHECK(no_count || count == lines);
        CHECK(memcmp(&second, &second_before, sizeof second) == 0);
        CHECK(memcmp(items, items_before, sizeof items) == 0);
    } else {
        CHECK(status == OTAPRIO_OK);
        CHECK(no_count || count == lines);
        CHECK(memcmp(&second, &first, sizeof second) == 0);
        CHECK(memcmp(items + lines, items_before + lines,
                     (COUNT(items) - lines) * sizeof items[0]) == 0);
        int64_t sum = 0;
        for (size_t k = 0; k < lines; k++) {
            CHECK(items[k].score == OTAPRIO_SCORE_DEFECT);
            CHECK(defect_factor(items[k].factor));
            CHECK(strcmp(otaprio_factor_label(items[k].factor, items[k].input),
                         "unknown factor") != 0);
            sum += items[k].milli;
        }
        CHECK(sum == first.score_milli);
    }

    /* More severity, exploitability or blast radius never lowers it. */
    otaprio_issue up = full;
    escalate_issue(in, &up);
    otaprio_issue_score raised;
    memset(&raised, 0, sizeof raised);
    raised.size = sizeof raised;
    CHECK(otaprio_risk_score_issue(model, &up, &raised, NULL, 0, NULL, NULL) ==
          OTAPRIO_OK);
    check_issue_score(policy, &up, &raised);
    CHECK(raised.score_milli >= first.score_milli);

    *score = first;
    return OTAPRIO_OK;
}

/* ---- device chunks ---------------------------------------------------- */

/* The one-byte columns, in struct order, with the values each allows. */
enum {
    C_CLASS,
    C_TIER,
    C_EXPOSURE,
    C_REDUNDANT,
    C_UPTIME,
    C_FALLBACK,
    C_CHARGING,
    C_LINK,
    C_METERED,
    C_BUSY,
    C_AFFECTED,
    C_PREREQUISITE,
    C_EXCLUDED,
    U8_COLUMNS,
    /* the wider columns follow the byte columns in the presence mask */
    C_BATTERY = U8_COLUMNS,
    C_FREE_BYTES,
    C_FAILED_ATTEMPTS,
    C_DAYS_OFFLINE,
    COLUMNS
};

typedef struct u8_column {
    const char *name;
    size_t offset;
    uint8_t limit;
    uint8_t fallback; /* the documented default of a NULL column */
} u8_column;

#define U8_COLUMN(name, limit, fallback)                        \
    {                                                           \
#name, offsetof(otaprio_devices, name), limit, fallback \
    }

static const u8_column u8_columns[U8_COLUMNS] = {
    U8_COLUMN(device_class, OTAPRIO_DEVICE_CLASS_MAX, OTAPRIO_DEVICE_OTHER),
    U8_COLUMN(customer_tier, OTAPRIO_CUSTOMER_CRITICAL + 1,
              OTAPRIO_CUSTOMER_STANDARD),
    U8_COLUMN(exposure, OTAPRIO_EXPOSURE_PUBLIC + 1, OTAPRIO_EXPOSURE_INTERNAL),
    U8_COLUMN(redundant, 2, 0),
    U8_COLUMN(uptime, OTAPRIO_UPTIME_CONTINUOUS + 1, OTAPRIO_UPTIME_BUSINESS),
    U8_COLUMN(safe_fallback, 2, 0),
    U8_COLUMN(charging, 2, 0),
    U8_COLUMN(link, OTAPRIO_LINK_SATELLITE + 1, OTAPRIO_LINK_ETHERNET),
    U8_COLUMN(metered, 2, 0),
    U8_COLUMN(busy, 2, 0),
    U8_COLUMN(affected, 2, 1),
    U8_COLUMN(prerequisite_missing, 2, 0),
    U8_COLUMN(excluded, 2, 0),
};

/* A chunk's columns, each allocated to exactly its length so that ASan
 * sees a read past the chunk; NULL when absent. */
typedef struct chunk {
    size_t count;
    uint8_t *u8[U8_COLUMNS];
    float *battery;
    uint64_t *free_bytes;
    uint32_t *failed_attempts;
    uint32_t *days_offline;
} chunk;

/* One device with the defaults of absent columns filled in. */
typedef struct row {
    uint8_t u8[U8_COLUMNS];
    float battery;
    uint64_t free_bytes;
    uint32_t failed_attempts;
    uint32_t days_offline;
} row;

static void *xmalloc(size_t bytes)
{
    void *block = malloc(bytes);
    CHECK(block != NULL);
    return block;
}

static void build_chunk(input *in, chunk *c)
{
    memset(c, 0, sizeof *c);
    c->count = take_u8(in) % (MAX_DEVICES + 1);
    uint32_t present = take_u32(in);
    uint8_t style = take_u8(in);
    bool raw = style & 1u; /* raw bytes: mostly out of range */
    /* A present column of an empty chunk is still a non-NULL pointer. */
    size_t n = c->count > 0 ? c->count : 1;
    for (int k = 0; k < U8_COLUMNS; k++) {
        if (!((present >> k) & 1u))
            continue;
        c->u8[k] = xmalloc(n);
        for (size_t i = 0; i < n; i++) {
            uint8_t byte = take_u8(in);
            c->u8[k][i] = raw ? byte : (uint8_t)(byte % u8_columns[k].limit);
        }
    }
    if ((present >> C_BATTERY) & 1u) {
        c->battery = xmalloc(n * sizeof *c->battery);
        for (size_t i = 0; i < n; i++)
            c->battery[i] = raw ? take_battery(in)
                                : (float)(take_u16(in) % 1025u) / 1024.0f;
    }
    if ((present >> C_FREE_BYTES) & 1u) {
        c->free_bytes = xmalloc(n * sizeof *c->free_bytes);
        for (size_t i = 0; i < n; i++)
            c->free_bytes[i] =
                raw ? take_u64(in) : (uint64_t)take_u16(in) << 12;
    }
    if ((present >> C_FAILED_ATTEMPTS) & 1u) {
        c->failed_attempts = xmalloc(n * sizeof *c->failed_attempts);
        for (size_t i = 0; i < n; i++)
            c->failed_attempts[i] = raw ? take_u32(in) : take_u8(in) % 8u;
    }
    if ((present >> C_DAYS_OFFLINE) & 1u) {
        c->days_offline = xmalloc(n * sizeof *c->days_offline);
        for (size_t i = 0; i < n; i++)
            c->days_offline[i] = raw ? take_u32(in) : take_u8(in) % 32u;
    }
    /* A few values anywhere, to put one bad device among good ones. */
    int corrupt = (style >> 1) & 7u;
    for (int k = 4; k < corrupt && c->count > 0; k++) {
        int column = take_u8(in) % COLUMNS;
        size_t i = take_u8(in) % c->count;
        if (column < U8_COLUMNS && c->u8[column] != NULL)
            c->u8[column][i] = take_u8(in);
        else if (column == C_BATTERY && c->battery != NULL)
            c->battery[i] = take_battery(in);
        else if (column == C_FAILED_ATTEMPTS && c->failed_attempts != NULL)
            c->failed_attempts[i] = take_u32(in);
        else if (column == C_DAYS_OFFLINE && c->days_offline != NULL)
            c->days_offline[i] = take_u32(in);
    }
}

static void free_chunk(chunk *c)
{
    for (int k = 0; k < U8_COLUMNS; k++)
        free(c->u8[k]);
    free(c->battery);
    free(c->free_bytes);
    free(c->failed_attempts);
    free(c->days_offline);
}

/* Devices [start, start + n) of a chunk as the library's struct. */
static void chunk_view(const chunk *c, size_t start, size_t n,
                       otaprio_devices *d)
{
    CHECK(otaprio_devices_init(d) == OTAPRIO_OK);
    d->count = n;
    for (int k = 0; k < U8_COLUMNS; k++) {
        const uint8_t *column = c->u8[k] != NULL ? c->u8[k] + start : NULL;
        memcpy((unsigned char *)d + u8_columns[k].offset, &column,
               sizeof column);
    }
    d->battery = c->battery != NULL ? c->battery + start : NULL;
    d->free_bytes = c->free_bytes != NULL ? c->free_bytes + start : NULL;
    d->failed_attempts =
        c->failed_attempts != NULL ? c->failed_attempts + start : NULL;
    d->days_offline = c->days_offline != NULL ? c->days_offline + start : NULL;
}

static row row_at(const chunk *c, size_t i)
{
    row r;
    for (int k = 0; k < U8_COLUMNS; k++)
        r.u8[k] = c->u8[k] != NULL ? c->u8[k][i] : u8_columns[k].fallback;
    r.battery = c->battery != NULL ? c->battery[i] : 1.0f;
    r.free_bytes = c->free_bytes != NULL ? c->free_bytes[i] : UINT64_MAX;
    r.failed_attempts = c->failed_attempts != NULL ? c->failed_attempts[i] : 0;
    r.days_offline = c->days_offline != NULL ? c->days_offline[i] : 0;
    return r;
}

static bool battery_ok(float battery)
{
    return battery >= 0.0f && battery <= 1.0f; /* false for NaN */
}

static bool row_ok(const row *r)
{
    for (int k = 0; k < U8_COLUMNS; k++)
        if (r->u8[k] >= u8_columns[k].limit)
            return false;
    return battery_ok(r->battery);
}

/* Whether devices [start, start + n) are all valid. */
static bool rows_ok(const chunk *c, size_t start, size_t n)
{
    for (size_t i = start; i < start + n; i++) {
        row r = row_at(c, i);
        if (!row_ok(&r))
            return false;
    }
    return true;
}

/* A diagnostics that names a column and a device must name a bad value. */
static void check_device_diag(const diag_box *box, const chunk *c, size_t start,
                              size_t n)
{
    if (!box->used)
        return;
    const otaprio_diag *diag = &box->diag;
    CHECK(diag->index >= 0 && (uint64_t)diag->index < n);
    row r = row_at(c, start + (size_t)diag->index);
    if (strcmp(diag->field, "battery") == 0) {
        CHECK(!battery_ok(r.battery));
        return;
    }
    for (int k = 0; k < U8_COLUMNS; k++)
        if (strcmp(diag->field, u8_columns[k].name) == 0) {
            CHECK(r.u8[k] >= u8_columns[k].limit);
            return;
        }
    CHECK(!"diag.field names no column");
}

/* ---- device outputs --------------------------------------------------- */

enum {
    OUT_PRIORITY = 1,
    OUT_DISPOSITION = 2,
    OUT_REASONS = 4,
    OUT_CRITICALITY = 8,
    OUT_DELIVERY = 16,
    OUT_ALL = 31
};

typedef struct outputs {
    double priority[MAX_DEVICES + GUARD];
    uint8_t disposition[MAX_DEVICES + GUARD];
    uint32_t reasons[MAX_DEVICES + GUARD];
    double criticality[MAX_DEVICES + GUARD];
    double delivery[MAX_DEVICES + GUARD];
} outputs;

static void poison_outputs(outputs *o)
{
    memset(o, POISON, sizeof *o);
}

static void results_view(outputs *o, unsigned wanted, size_t start,
                         otaprio_device_results *r)
{
    CHECK(otaprio_device_results_init(r) == OTAPRIO_OK);
    r->priority = wanted & OUT_PRIORITY ? o->priority + start : NULL;
    r->disposition = wanted & OUT_DISPOSITION ? o->disposition + start : NULL;
    r->reasons = wanted & OUT_REASONS ? o->reasons + start : NULL;
    r->criticality = wanted & OUT_CRITICALITY ? o->criticality + start : NULL;
    r->delivery_risk = wanted & OUT_DELIVERY ? o->delivery + start : NULL;
}

/* Whether elements [from, to) of the `wanted` arrays match. */
static bool same_outputs(const outputs *a, const outputs *b, unsigned wanted,
                         size_t from, size_t to)
{
    size_t n = to - from;
#define SAME(bit, array)  \
    (!(wanted & (bit)) || \
     memcmp(a->array + from, b->array + from, n * sizeof a->array[0]) == 0)
    return SAME(OUT_PRIORITY, priority) && SAME(OUT_DISPOSITION, disposition) &&
           SAME(OUT_REASONS, reasons) && SAME(OUT_CRITICALITY, criticality) &&
           SAME(OUT_DELIVERY, delivery);
#undef SAME
}

static int32_t disposition_of(uint32_t reasons)
{
    const uint32_t excluding = OTAPRIO_REASON_POLICY |
                               OTAPRIO_REASON_NOT_AFFECTED |
                               OTAPRIO_REASON_CLASS_EXCLUDED;
    const uint32_t deferring =
        OTAPRIO_REASON_LOW_BATTERY | OTAPRIO_REASON_METERED_LARGE |
        OTAPRIO_REASON_LOW_STORAGE | OTAPRIO_REASON_MAINTENANCE_WINDOW;
    if (reasons & excluding)
        return OTAPRIO_DISPOSITION_EXCLUDED;
    if (reasons & OTAPRIO_REASON_PREREQUISITE)
        return OTAPRIO_DISPOSITION_BLOCKED;
    if (reasons & deferring)
        return OTAPRIO_DISPOSITION_DEFER;
    return OTAPRIO_DISPOSITION_ELIGIBLE;
}

/*
 * The reason bits the header's rules give a device. Two readings are the
 * library's, pinned here so a change is noticed: the battery is compared
 * with the minimum at float precision, as the column is float; and a
 * catch-up or repeated-failure threshold of 0 flags nothing.
 */
static uint32_t reasons_of(const otaprio_risk_policy *p,
                           const otaprio_issue_score *issue, const row *r)
{
    uint64_t package = issue->package_bytes;
    bool idle = !r->u8[C_CHARGING];
    bool metered = r->u8[C_METERED] || r->u8[C_LINK] == OTAPRIO_LINK_ROAMING;
    uint32_t reasons = 0;
    if (idle && r->battery < (float)p->min_battery)
        reasons |= OTAPRIO_REASON_LOW_BATTERY;
    if (metered && package > p->metered_max_bytes)
        reasons |= OTAPRIO_REASON_METERED_LARGE;
    if (package != 0 &&
        (double)r->free_bytes < (double)package * p->storage_headroom)
        reasons |= OTAPRIO_REASON_LOW_STORAGE;
    if (r->u8[C_BUSY] &&
        !(issue->tier == OTAPRIO_TIER_T0 && p->t0_overrides_window))
        reasons |= OTAPRIO_REASON_MAINTENANCE_WINDOW;
    if (r->u8[C_PREREQUISITE])
        reasons |= OTAPRIO_REASON_PREREQUISITE;
    if (r->u8[C_EXCLUDED])
        reasons |= OTAPRIO_REASON_POLICY;
    if (!r->u8[C_AFFECTED])
        reasons |= OTAPRIO_REASON_NOT_AFFECTED;
    if ((p->excluded_classes >> r->u8[C_CLASS]) & 1u)
        reasons |= OTAPRIO_REASON_CLASS_EXCLUDED;
    if (p->catch_up_days != 0 && r->days_offline >= p->catch_up_days)
        reasons |= OTAPRIO_REASON_CATCH_UP;
    if (p->repeated_failures != 0 && r->failed_attempts >= p->repeated_failures)
        reasons |= OTAPRIO_REASON_REPEATED_FAILURES;
    return reasons;
}

static bool points_ok(double points)
{
    return points >= 0.0 && points <= 100.0;
}

/* The header's promises for devices [from, to) of a successful batch. */
static void check_devices(const otaprio_risk_policy *p,
                          const otaprio_issue_score *issue, const chunk *c,
                          const outputs *o, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        row r = row_at(c, i);
        CHECK(points_ok(o->priority[i]));
        CHECK(points_ok(o->criticality[i]));
        CHECK(points_ok(o->delivery[i]));
        CHECK(o->disposition[i] <= OTAPRIO_DISPOSITION_EXCLUDED);
        CHECK((o->reasons[i] & ~(uint32_t)REASON_ALL) == 0);
        CHECK(o->disposition[i] == disposition_of(o->reasons[i]));
        CHECK(o->reasons[i] == reasons_of(p, issue, &r));
        CHECK(strcmp(otaprio_disposition_name(o->disposition[i]),
                     "unknown disposition") != 0);
        for (uint32_t bit = 1; bit <= o->reasons[i]; bit <<= 1)
            if (o->reasons[i] & bit)
                CHECK(strcmp(otaprio_reason_name(bit), "unknown reason") != 0);
    }
}

/* The factors each device score is explained by, and the bound. */
static bool device_factor(int32_t score, int32_t factor)
{
    if (factor == OTAPRIO_FACTOR_BOUND)
        return true;
    switch (score) {
    case OTAPRIO_SCORE_CRITICALITY:
        return factor >= OTAPRIO_FACTOR_DEVICE_CLASS &&
               factor <= OTAPRIO_FACTOR_UPTIME;
    case OTAPRIO_SCORE_DELIVERY:
        return factor >= OTAPRIO_FACTOR_BATTERY &&
               factor <= OTAPRIO_FACTOR_SAFE_FALLBACK;
    case OTAPRIO_SCORE_PRIORITY:
        return factor >= OTAPRIO_FACTOR_DEFECT_SCORE &&
               factor <= OTAPRIO_FACTOR_FAILED_ATTEMPTS;
    default:
        return false;
    }
}

/* Explains one device with every line; checks the lines add up to the
 * scores. Returns the status. */
static int explain(const otaprio_risk_model *model,
                   const otaprio_issue_score *issue,
                   const otaprio_devices *devices, size_t at,
                   otaprio_device_score *score)
{
    otaprio_factor_points items[MAX_LINES];
    size_t count = 0;
    memset(score, 0, sizeof *score);
    score->size = sizeof *score;
    int status = otaprio_risk_explain_device(model, issue, devices, at, score,
                                             items, MAX_LINES, &count, NULL);
    if (status != OTAPRIO_OK)
        return status;
    int64_t sum[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < count; k++) {
        CHECK(device_factor(items[k].score, items[k].factor));
        CHECK(strcmp(otaprio_factor_label(items[k].factor, items[k].input),
                     "unknown factor") != 0);
        sum[items[k].score] += items[k].milli;
    }
    CHECK(sum[OTAPRIO_SCORE_CRITICALITY] == score->criticality_milli);
    CHECK(sum[OTAPRIO_SCORE_DELIVERY] == score->delivery_milli);
    CHECK(sum[OTAPRIO_SCORE_PRIORITY] == score->priority_milli);
    return OTAPRIO_OK;
}

/* A scored device and its batch answer must agree bit for bit. */
static void check_same_device(const otaprio_device_score *s, const outputs *o,
                              size_t i)
{
    CHECK(s->size == sizeof *s);
    CHECK(s->priority_milli >= 0 && s->priority_milli <= 100000);
    CHECK(s->criticality_milli >= 0 && s->criticality_milli <= 100000);
    CHECK(s->delivery_milli >= 0 && s->delivery_milli <= 100000);
    CHECK((double)s->priority_milli / 1000.0 == o->priority[i]);
    CHECK((double)s->criticality_milli / 1000.0 == o->criticality[i]);
    CHECK((double)s->delivery_milli / 1000.0 == o->delivery[i]);
    CHECK(s->disposition == o->disposition[i]);
    CHECK(s->reasons == o->reasons[i]);
}

/* One device as a chunk of its own, every column present. */
typedef struct single {
    uint8_t u8[U8_COLUMNS];
    float battery;
    uint64_t free_bytes;
    uint32_t failed_attempts;
    uint32_t days_offline;
    otaprio_devices devices;
} single;

static void single_view(single *s, const row *r)
{
    memcpy(s->u8, r->u8, sizeof s->u8);
    s->battery = r->battery;
    s->free_bytes = r->free_bytes;
    s->failed_attempts = r->failed_attempts;
    s->days_offline = r->days_offline;
    CHECK(otaprio_devices_init(&s->devices) == OTAPRIO_OK);
    s->devices.count = 1;
    for (int k = 0; k < U8_COLUMNS; k++) {
        const uint8_t *column = &s->u8[k];
        memcpy((unsigned char *)&s->devices + u8_columns[k].offset, &column,
               sizeof column);
    }
    s->devices.battery = &s->battery;
    s->devices.free_bytes = &s->free_bytes;
    s->devices.failed_attempts = &s->failed_attempts;
    s->devices.days_offline = &s->days_offline;
}

/* Raises one input the header says criticality, and so priority, never
 * falls with: customer tier, exposure, uptime sensitivity, losing the
 * redundant peer, a more critical class, more failed attempts. */
static void escalate_device(input *in, const otaprio_risk_policy *p, row *r)
{
    switch (take_u8(in) % 6) {
    case 0:
        r->u8[C_TIER] += r->u8[C_TIER] < OTAPRIO_CUSTOMER_CRITICAL;
        break;
    case 1:
        r->u8[C_EXPOSURE] += r->u8[C_EXPOSURE] < OTAPRIO_EXPOSURE_PUBLIC;
        break;
    case 2:
        r->u8[C_UPTIME] += r->u8[C_UPTIME] < OTAPRIO_UPTIME_CONTINUOUS;
        break;
    case 3:
        r->u8[C_REDUNDANT] = 0;
        break;
    case 4: {
        uint8_t other = take_u8(in) % OTAPRIO_DEVICE_CLASS_MAX;
        if (p->class_criticality[other] >= p->class_criticality[r->u8[C_CLASS]])
            r->u8[C_CLASS] = other;
        break;
    }
    default: {
        uint32_t more = take_u32(in);
        r->failed_attempts = more > UINT32_MAX - r->failed_attempts
                                 ? UINT32_MAX
                                 : r->failed_attempts + more;
        break;
    }
    }
}

/* ---- the stream ------------------------------------------------------- */

typedef struct stream {
    const chunk *c;
    size_t cuts[4]; /* slice k is devices [cuts[k], cuts[k + 1]) */
    size_t slices;
    size_t stop_at; /* the call that returns stop_status, or SIZE_MAX */
    int stop_status;
    unsigned wanted;
    outputs *out;
    size_t calls;
    bool ended;
} stream;

static int source(void *user, otaprio_devices *devices,
                  otaprio_device_results *results)
{
    stream *s = user;
    CHECK(!s->ended); /* never called after the end or a stop */
    CHECK(devices != NULL && results != NULL);
    /* Prepared by the library: no devices, no outputs. */
    CHECK(devices->count == 0 && devices->device_class == NULL &&
          devices->battery == NULL && devices->excluded == NULL);
    CHECK(results->priority == NULL && results->delivery_risk == NULL);
    size_t call = s->calls++;
    if (call == s->stop_at) {
        s->ended = true;
        return s->stop_status;
    }
    if (call >= s->slices) {
        s->ended = true;
        return 0; /* count 0: the end */
    }
    size_t start = s->cuts[call], n = s->cuts[call + 1] - start;
    otaprio_devices view;
    chunk_view(s->c, start, n, &view);
    view.size = devices->size;
    *devices = view;
    otaprio_device_results wanted;
    results_view(s->out, s->wanted, start, &wanted);
    wanted.size = results->size;
    *results = wanted;
    if (n == 0)
        s->ended = true;
    return 0;
}

/* ---- the device stage ------------------------------------------------- */

/* A host-made issue score: any tier, any score, any size. */
static void host_issue_score(input *in, unsigned char *buffer, size_t capacity,
                             allowed *expect)
{
    otaprio_issue_score s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    uint8_t pick = take_u8(in);
    s.tier = pick < 240 ? pick % 4 : take_i32(in);
    s.ssvc = take_u8(in) % 4;
    uint8_t how = take_u8(in);
    s.score_milli =
        how < 240 ? (int64_t)(take_u32(in) % 100001u) : (int64_t)take_u64(in);
    s.score = how & 1u ? take_double(in) : (double)s.score_milli / 1000.0;
    s.package_bytes = take_bytes64(in);
    memset(buffer, 0, capacity);
    memcpy(buffer, &s, sizeof s);
    size_t size = set_size(in, buffer, sizeof s, capacity);
    allow(expect, expect_read(buffer, size, FIRST_SIZE(otaprio_issue_score),
                              sizeof(otaprio_issue_score)));
    if (expect->bits == 0 &&
        (s.tier < OTAPRIO_TIER_T0 || s.tier > OTAPRIO_TIER_T3 ||
         s.score_milli < 0 || s.score_milli > 100000))
        allow(expect, OTAPRIO_E_RANGE);
}

/* Explains a fuzzed index of the chunk, first for the count, then with the
 * lines, and holds the answer against the batch. */
static void fuzz_explain(input *in, const otaprio_risk_model *model,
                         const otaprio_risk_policy *policy,
                         const otaprio_issue_score *issue,
                         const allowed *issue_expect, const chunk *c,
                         const otaprio_devices *all,
                         const unsigned char *variant, size_t variant_size,
                         int ref_status, const outputs *ref)
{
    uint8_t pick = take_u8(in);
    size_t at = pick == 255 ? SIZE_MAX : pick % (c->count + 2);
    uint8_t flags = take_u8(in);
    bool small_score = (flags & 7u) == 7u;
    int capacity_mode = (flags >> 3) & 3u;
    bool no_count = flags & 0x20u;
    bool no_diag = flags & 0x40u;
    bool use_variant = flags & 0x80u;
    const otaprio_devices *devices =
        use_variant ? (const otaprio_devices *)(const void *)variant : all;

    allowed expect = *issue_expect;
    bool devices_read = true;
    if (use_variant) {
        int read =
            expect_read(variant, variant_size, FIRST_SIZE(otaprio_devices),
                        sizeof(otaprio_devices));
        allow(&expect, read);
        devices_read = read == OTAPRIO_OK;
    }
    bool row_bad = at < c->count && !rows_ok(c, at, 1);
    if (at >= c->count || row_bad)
        allow(&expect, OTAPRIO_E_RANGE);
    if (small_score)
        allow(&expect, OTAPRIO_E_STRUCT_SIZE);

    otaprio_device_score score, before;
    memset(&score, POISON, sizeof score);
    score.size = small_score ? take_u8(in) % sizeof score : sizeof score;
    memcpy(&before, &score, sizeof score);
    size_t lines = (size_t)-1;
    diag_box box;
    int status =
        otaprio_risk_explain_device(model, issue, devices, at, &score, NULL, 0,
                                    &lines, diag_prepare(&box, !no_diag));
    diag_check(&box, status);
    check_status(&expect, status);
    if (status != OTAPRIO_OK) {
        CHECK(memcmp(&score, &before, sizeof score) == 0);
        /* Only a bad device can be at fault: then the diagnostics name it. */
        if (status == OTAPRIO_E_RANGE && issue_expect->bits == 0 &&
            devices_read && at < c->count && box.used) {
            CHECK(box.diag.index >= 0 && (uint64_t)box.diag.index == at);
            check_device_diag(&box, c, 0, c->count);
        }
        return;
    }

    /* The lines, into an array that may be one too small. */
    size_t capacity = capacity_mode == 0   ? lines
                      : capacity_mode == 1 ? (lines > 0 ? lines - 1 : 0)
                                           : MAX_LINES;
    if (capacity > MAX_LINES)
        capacity = MAX_LINES; /* all the harness has room for */
    otaprio_factor_points items[MAX_LINES + GUARD], items_before[COUNT(items)];
    memset(items, POISON, sizeof items);
    memcpy(items_before, items, sizeof items);
    otaprio_device_score full, full_before;
    memset(&full, POISON, sizeof full);
    full.size = sizeof full;
    memcpy(&full_before, &full, sizeof full);
    size_t count = (size_t)-1;
    status =
        otaprio_risk_explain_device(model, issue, devices, at, &full, items,
                                    capacity, no_count ? NULL : &count, NULL);
    if (capacity < lines) {
        CHECK(status == OTAPRIO_E_RANGE);
        CHECK(no_count || count == lines);
        CHECK(memcmp(&full, &full_before, sizeof full) == 0);
        CHECK(memcmp(items, items_before, sizeof items) == 0);
        return;
    }
    CHECK(status == OTAPRIO_OK);
    CHECK(no_count || count == lines);
    CHECK(memcmp(&full, &score, sizeof full) == 0);
    CHECK(memcmp(items + lines, items_before + lines,
                 (COUNT(items) - lines) * sizeof items[0]) == 0);
    int64_t sum[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < lines; k++) {
        CHECK(device_factor(items[k].score, items[k].factor));
        CHECK(strcmp(otaprio_factor_label(items[k].factor, items[k].input),
                     "unknown factor") != 0);
        sum[items[k].score] += items[k].milli;
    }
    CHECK(sum[OTAPRIO_SCORE_CRITICALITY] == full.criticality_milli);
    CHECK(sum[OTAPRIO_SCORE_DELIVERY] == full.delivery_milli);
    CHECK(sum[OTAPRIO_SCORE_PRIORITY] == full.priority_milli);

    /* The same numbers as the whole batch, and as a batch of this device
     * alone. */
    if (ref_status == OTAPRIO_OK)
        check_same_device(&full, ref, at);
    otaprio_devices one;
    chunk_view(c, at, 1, &one);
    outputs alone;
    poison_outputs(&alone);
    otaprio_device_results alone_results;
    results_view(&alone, OUT_ALL, 0, &alone_results);
    CHECK(otaprio_risk_score_devices(model, issue, &one, &alone_results,
                                     NULL) == OTAPRIO_OK);
    check_same_device(&full, &alone, 0);

    /* Absent columns take their documented defaults: the device with every
     * column present and those defaults written in scores the same. */
    row r = row_at(c, at);
    single spelled;
    single_view(&spelled, &r);
    otaprio_device_score same;
    CHECK(explain(model, issue, &spelled.devices, 0, &same) == OTAPRIO_OK);
    CHECK(memcmp(&same, &full, sizeof same) == 0);
    CHECK(same.reasons == reasons_of(policy, issue, &r));

    /* More criticality or failed attempts never lowers the priority. */
    row up = r;
    escalate_device(in, policy, &up);
    single raised;
    single_view(&raised, &up);
    otaprio_device_score higher;
    CHECK(explain(model, issue, &raised.devices, 0, &higher) == OTAPRIO_OK);
    CHECK(higher.criticality_milli >= same.criticality_milli);
    CHECK(higher.priority_milli >= same.priority_milli);
}

/* Streams the chunk in 1 to 3 slices, the callback perhaps stopping it,
 * and holds the answers against a batch per slice. */
static void fuzz_stream(input *in, const otaprio_risk_model *model,
                        const otaprio_risk_policy *policy,
                        const otaprio_issue_score *issue,
                        const allowed *issue_expect, const chunk *c)
{
    stream s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.slices = 1 + take_u8(in) % 3;
    for (size_t k = 1; k < s.slices; k++)
        s.cuts[k] = take_u8(in) % (c->count + 1);
    s.cuts[s.slices] = c->count;
    for (size_t k = 1; k < s.slices; k++) /* insertion sort: 2 at most */
        for (size_t j = k; j > 0 && s.cuts[j] < s.cuts[j - 1]; j--) {
            size_t swap = s.cuts[j];
            s.cuts[j] = s.cuts[j - 1];
            s.cuts[j - 1] = swap;
        }
    /* 0, what an exhausted input reads, lets the stream run to its end. */
    uint8_t stop = take_u8(in) % 8;
    s.stop_at = stop == 0 ? SIZE_MAX : (size_t)stop - 1;
    uint32_t bits = take_u32(in);
    int32_t stop_status;
    memcpy(&stop_status, &bits, sizeof stop_status);
    s.stop_status = stop_status != 0 ? stop_status : 1;
    s.wanted = take_u8(in) & OUT_ALL;
    outputs out, poisoned;
    poison_outputs(&out);
    poison_outputs(&poisoned);
    s.out = &out;

    int totals_mode = take_u8(in) % 4; /* 1: none, 2: too small */
    otaprio_risk_totals totals, totals_before;
    memset(&totals, POISON, sizeof totals);
    totals.size =
        totals_mode == 2 ? take_u8(in) % sizeof totals : sizeof totals;
    memcpy(&totals_before, &totals, sizeof totals);

    /* Each slice scored on its own, as the stream must score it. */
    outputs slice_ref;
    poison_outputs(&slice_ref);
    int slice_status[3];
    for (size_t k = 0; k < s.slices; k++) {
        size_t start = s.cuts[k], n = s.cuts[k + 1] - start;
        otaprio_devices view;
        chunk_view(c, start, n, &view);
        otaprio_device_results results;
        results_view(&slice_ref, OUT_ALL, start, &results);
        allowed expect = *issue_expect;
        if (!rows_ok(c, start, n))
            allow(&expect, OTAPRIO_E_RANGE);
        slice_status[k] =
            otaprio_risk_score_devices(model, issue, &view, &results, NULL);
        check_status(&expect, slice_status[k]);
        if (slice_status[k] == OTAPRIO_OK)
            check_devices(policy, issue, c, &slice_ref, start, start + n);
    }

    allowed expect = *issue_expect;
    if (totals_mode == 2)
        allow(&expect, OTAPRIO_E_STRUCT_SIZE);
    diag_box box;
    bool use_diag = take_u8(in) & 1u;
    int status = otaprio_risk_score_stream(model, issue, source, &s,
                                           totals_mode == 1 ? NULL : &totals,
                                           diag_prepare(&box, use_diag));
    if (expect.bits != 0) {
        /* Refused before the first chunk. */
        check_status(&expect, status);
        diag_check(&box, status);
        CHECK(s.calls == 0);
        CHECK(memcmp(&out, &poisoned, sizeof out) == 0);
        CHECK(memcmp(&totals, &totals_before, sizeof totals) == 0);
        return;
    }

    /* What the stream must do, slice by slice. */
    int expected = OTAPRIO_OK;
    bool stopped = false;
    size_t bad = SIZE_MAX, done = 0, call = 0;
    for (;; call++) {
        if (call == s.stop_at) {
            expected = s.stop_status;
            stopped = true;
            break;
        }
        if (call >= s.slices || s.cuts[call + 1] == s.cuts[call])
            break;
        if (slice_status[call] != OTAPRIO_OK) {
            expected = slice_status[call];
            bad = call;
            break;
        }
        done = s.cuts[call + 1];
    }
    CHECK(status == expected); /* a callback's status comes back unchanged */
    CHECK(s.calls == call + 1);
    if (!stopped)
        diag_check(&box, status);
    if (bad != SIZE_MAX && box.used)
        check_device_diag(&box, c, s.cuts[bad], s.cuts[bad + 1] - s.cuts[bad]);
    /* Slices before the end were written; nothing else was. */
    CHECK(same_outputs(&out, &slice_ref, s.wanted, 0, done));
    CHECK(same_outputs(&out, &poisoned, OUT_ALL, done, MAX_DEVICES + GUARD));
    CHECK(same_outputs(&out, &poisoned, ~s.wanted & OUT_ALL, 0,
                       MAX_DEVICES + GUARD));
    if (status != OTAPRIO_OK || totals_mode == 1) {
        CHECK(memcmp(&totals, &totals_before, sizeof totals) == 0);
        return;
    }
    CHECK(totals.size == sizeof totals);
    CHECK(totals.devices == done);
    uint64_t by_disposition[4] = {0, 0, 0, 0};
    uint64_t by_reason[16] = {0};
    for (size_t i = 0; i < done; i++) {
        by_disposition[slice_ref.disposition[i]]++;
        for (int b = 0; b < 16; b++)
            by_reason[b] += (slice_ref.reasons[i] >> b) & 1u;
    }
    CHECK(memcmp(totals.by_disposition, by_disposition,
                 sizeof by_disposition) == 0);
    CHECK(memcmp(totals.by_reason, by_reason, sizeof by_reason) == 0);
}

/* Scores a fuzzed chunk against the fuzzed issue's score, or against a
 * host-made one, in a batch (all outputs, then a fuzzed subset with fuzzed
 * struct sizes), one device explained, and as a stream. */
static void fuzz_devices(input *in, const otaprio_risk_model *model,
                         const otaprio_risk_policy *policy, int issue_status,
                         const otaprio_issue_score *scored)
{
    _Alignas(max_align_t) unsigned char
        issue_buffer[sizeof(otaprio_issue_score) + TAIL];
    memset(issue_buffer, 0, sizeof issue_buffer);
    allowed issue_expect = {0};
    if (issue_status == OTAPRIO_OK && take_u8(in) % 4 != 3)
        memcpy(issue_buffer, scored, sizeof *scored);
    else
        host_issue_score(in, issue_buffer, sizeof issue_buffer, &issue_expect);
    const otaprio_issue_score *issue =
        (const otaprio_issue_score *)(const void *)issue_buffer;

    chunk c;
    build_chunk(in, &c);
    bool valid = rows_ok(&c, 0, c.count);

    /* The reference: every output, true struct sizes. */
    outputs ref, poisoned;
    poison_outputs(&ref);
    poison_outputs(&poisoned);
    otaprio_devices all;
    chunk_view(&c, 0, c.count, &all);
    otaprio_device_results all_results;
    results_view(&ref, OUT_ALL, 0, &all_results);
    allowed expect = issue_expect;
    if (!valid)
        allow(&expect, OTAPRIO_E_RANGE);
    diag_box box;
    int ref_status = otaprio_risk_score_devices(
        model, issue, &all, &all_results, diag_prepare(&box, true));
    check_status(&expect, ref_status);
    diag_check(&box, ref_status);
    if (ref_status == OTAPRIO_OK) {
        check_devices(policy, issue, &c, &ref, 0, c.count);
        CHECK(same_outputs(&ref, &poisoned, OUT_ALL, c.count,
                           MAX_DEVICES + GUARD));
    } else {
        CHECK(memcmp(&ref, &poisoned, sizeof ref) == 0);
        if (ref_status == OTAPRIO_E_RANGE && issue_expect.bits == 0)
            check_device_diag(&box, &c, 0, c.count);
    }

    /* A subset of the outputs, through structs of fuzzed sizes. */
    unsigned wanted = take_u8(in) & OUT_ALL;
    _Alignas(max_align_t) unsigned char
        devices_buffer[sizeof(otaprio_devices) + TAIL];
    memset(devices_buffer, 0, sizeof devices_buffer);
    memcpy(devices_buffer, &all, sizeof all);
    size_t devices_size =
        set_size(in, devices_buffer, sizeof all, sizeof devices_buffer);
    outputs some;
    poison_outputs(&some);
    otaprio_device_results some_results;
    results_view(&some, wanted, 0, &some_results);
    _Alignas(max_align_t) unsigned char
        results_buffer[sizeof(otaprio_device_results) + TAIL];
    memset(results_buffer, 0, sizeof results_buffer);
    memcpy(results_buffer, &some_results, sizeof some_results);
    size_t results_size = set_size(in, results_buffer, sizeof some_results,
                                   sizeof results_buffer);
    allowed some_expect = expect;
    allow(&some_expect,
          expect_read(devices_buffer, devices_size, FIRST_SIZE(otaprio_devices),
                      sizeof(otaprio_devices)));
    allow(&some_expect, expect_read(results_buffer, results_size,
                                    FIRST_SIZE(otaprio_device_results),
                                    sizeof(otaprio_device_results)));
    bool use_diag = take_u8(in) & 1u;
    int status = otaprio_risk_score_devices(
        model, issue, (const otaprio_devices *)(const void *)devices_buffer,
        (const otaprio_device_results *)(const void *)results_buffer,
        diag_prepare(&box, use_diag));
    check_status(&some_expect, status);
    diag_check(&box, status);
    if (status == OTAPRIO_OK) {
        CHECK(ref_status == OTAPRIO_OK);
        CHECK(same_outputs(&some, &ref, wanted, 0, c.count));
        CHECK(same_outputs(&some, &poisoned, OUT_ALL, c.count,
                           MAX_DEVICES + GUARD));
        CHECK(same_outputs(&some, &poisoned, ~wanted & OUT_ALL, 0,
                           MAX_DEVICES + GUARD));
    } else {
        CHECK(memcmp(&some, &poisoned, sizeof some) == 0);
    }

    fuzz_explain(in, model, policy, issue, &issue_expect, &c, &all,
                 devices_buffer, devices_size, ref_status, &ref);
    fuzz_stream(in, model, policy, issue, &issue_expect, &c);
    free_chunk(&c);
}

/* An init function given a fuzzed size: too small writes nothing; else
 * the struct gets the size, the defaults, and zeros past what this
 * version knows, and nothing past `size` is touched. */
static void fuzz_init(input *in, int (*init)(void *, size_t), size_t known,
                      size_t first)
{
    /* The policy is the largest of the structs. */
    enum { ROOM = sizeof(otaprio_risk_policy) + TAIL };
    _Alignas(max_align_t) unsigned char buffer[ROOM];
    unsigned char before[ROOM];
    CHECK(known + TAIL <= sizeof buffer);
    memset(buffer, POISON, sizeof buffer);
    memcpy(before, buffer, sizeof buffer);
    size_t size = known;
    uint8_t pick = take_u8(in);
    if (pick >= 224)
        size = pick % 2 ? take_u16(in) % known : known + take_u8(in) % TAIL;
    int status = init(buffer, size);
    if (size < first) {
        CHECK(status == OTAPRIO_E_STRUCT_SIZE);
        CHECK(memcmp(buffer, before, sizeof buffer) == 0);
        return;
    }
    CHECK(status == OTAPRIO_OK);
    size_t stored;
    memcpy(&stored, buffer, sizeof stored);
    CHECK(stored == size);
    for (size_t i = known; i < size; i++)
        CHECK(buffer[i] == 0);
    CHECK(memcmp(buffer + size, before + size, sizeof buffer - size) == 0);
    CHECK(init(NULL, size) == OTAPRIO_E_INVALID);
}

/* The init functions through pointers of one type, as a binding would call
 * them. */
static int init_issue(void *s, size_t size)
{
    return (otaprio_issue_init)(s, size);
}

static int init_devices(void *s, size_t size)
{
    return (otaprio_devices_init)(s, size);
}

static int init_results(void *s, size_t size)
{
    return (otaprio_device_results_init)(s, size);
}

static int init_policy(void *s, size_t size)
{
    return (otaprio_risk_policy_init)(s, size);
}

/* NULL where a pointer is required is OTAPRIO_E_INVALID, never a crash. */
static void null_arguments(const otaprio_risk_model *model)
{
    otaprio_issue issue;
    CHECK(otaprio_issue_init(&issue) == OTAPRIO_OK);
    otaprio_issue_score score;
    memset(&score, 0, sizeof score);
    score.size = sizeof score;
    CHECK(otaprio_risk_score_issue(NULL, &issue, &score, NULL, 0, NULL, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_issue(model, NULL, &score, NULL, 0, NULL, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_issue(model, &issue, NULL, NULL, 0, NULL, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_issue(model, &issue, &score, NULL, 0, NULL,
                                   NULL) == OTAPRIO_OK);
    otaprio_devices devices;
    CHECK(otaprio_devices_init(&devices) == OTAPRIO_OK);
    otaprio_device_results results;
    CHECK(otaprio_device_results_init(&results) == OTAPRIO_OK);
    CHECK(otaprio_risk_score_devices(NULL, &score, &devices, &results, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_devices(model, NULL, &devices, &results, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_devices(model, &score, NULL, &results, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_devices(model, &score, &devices, NULL, NULL) ==
          OTAPRIO_E_INVALID);
    otaprio_device_score device;
    memset(&device, 0, sizeof device);
    device.size = sizeof device;
    CHECK(otaprio_risk_explain_device(model, &score, NULL, 0, &device, NULL, 0,
                                      NULL, NULL) == OTAPRIO_E_INVALID);
    devices.count = 1;
    CHECK(otaprio_risk_explain_device(model, &score, &devices, 0, NULL, NULL, 0,
                                      NULL, NULL) == OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_score_stream(model, &score, NULL, NULL, NULL, NULL) ==
          OTAPRIO_E_INVALID);
    CHECK(otaprio_risk_model_create(NULL, NULL, NULL, NULL) ==
          OTAPRIO_E_INVALID);
    otaprio_risk_model_free(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    heap h = {0, false};
    otaprio_risk_policy policy;
    otaprio_risk_model *model = build_model(&in, &h, &policy);
    otaprio_issue_score scored;
    memset(&scored, 0, sizeof scored);
    int issue_status = fuzz_issue(&in, model, &policy, &scored);
    fuzz_devices(&in, model, &policy, issue_status, &scored);
    null_arguments(model);
    fuzz_init(&in, init_issue, sizeof(otaprio_issue),
              FIRST_SIZE(otaprio_issue));
    fuzz_init(&in, init_devices, sizeof(otaprio_devices),
              FIRST_SIZE(otaprio_devices));
    fuzz_init(&in, init_results, sizeof(otaprio_device_results),
              FIRST_SIZE(otaprio_device_results));
    fuzz_init(&in, init_policy, sizeof(otaprio_risk_policy),
              FIRST_SIZE(otaprio_risk_policy));
    otaprio_risk_model_free(model);
    CHECK(h.live == 0); /* every model freed, through its own allocator */
    return 0;
}
