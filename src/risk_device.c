/* SPDX-License-Identifier: MIT */
/*
 * Per-device scoring: criticality, delivery risk, priority, disposition and
 * reasons, over columnar chunks. The hot loop is integer arithmetic on
 * tables the model compiled; it allocates nothing, and runs block by block
 * so a missing column reads a block of its default instead of branching.
 */
#include <string.h>

#include "risk_internal.h"

static const otaprio__layout devices_layout = {
    "otaprio_devices", sizeof(otaprio_devices),
    sizeof(otaprio_devices), /* first published layout */
};
static const otaprio__layout results_layout = {
    "otaprio_device_results", sizeof(otaprio_device_results),
    sizeof(otaprio_device_results), /* first published layout */
};
static const otaprio__layout totals_layout = {
    "otaprio_risk_totals", sizeof(otaprio_risk_totals),
    sizeof(otaprio_risk_totals), /* first published layout */
};
static const otaprio__layout device_score_layout = {
    "otaprio_device_score", sizeof(otaprio_device_score),
    sizeof(otaprio_device_score), /* first published layout */
};

int(otaprio_devices_init)(otaprio_devices *devices, size_t size)
{
    if (devices == NULL)
        return OTAPRIO_E_INVALID;
    otaprio_devices defaults;
    memset(&defaults, 0, sizeof defaults);
    return otaprio__struct_init(devices, size, &defaults, &devices_layout);
}

int(otaprio_device_results_init)(otaprio_device_results *results, size_t size)
{
    if (results == NULL)
        return OTAPRIO_E_INVALID;
    otaprio_device_results defaults;
    memset(&defaults, 0, sizeof defaults);
    return otaprio__struct_init(results, size, &defaults, &results_layout);
}

/* ---- defaults of missing columns ------------------------------------- */

enum { BLOCK = 256 };

#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
#define R64(x) R16(x), R16(x), R16(x), R16(x)
#define R256(x) R64(x), R64(x), R64(x), R64(x)
static const uint8_t zeros_u8[BLOCK] = {0};
static const uint8_t ones_u8[BLOCK] = {R256(1)};
static const uint32_t zeros_u32[BLOCK] = {0};
static const uint64_t unlimited_u64[BLOCK] = {R256(UINT64_MAX)};
static const float full_battery[BLOCK] = {R256(1.0f)};
#undef R256
#undef R64
#undef R16
#undef R4

/* One block's columns, every one readable. */
typedef struct block_columns {
    const uint8_t *device_class, *customer_tier, *exposure, *redundant, *uptime,
        *safe_fallback, *charging, *link, *metered, *busy, *affected,
        *prerequisite_missing, *excluded;
    const float *battery;
    const uint64_t *free_bytes;
    const uint32_t *failed_attempts, *days_offline;
} block_columns;

static const uint8_t *u8_at(const uint8_t *column, size_t start,
                            const uint8_t *fallback)
{
    return column != NULL ? column + start : fallback;
}

static void columns_at(block_columns *b, const otaprio_devices *d, size_t start)
{
    /* Defaults: see the field documentation in otaprio/risk.h. */
    b->device_class = u8_at(d->device_class, start, zeros_u8);
    b->customer_tier = u8_at(d->customer_tier, start, zeros_u8);
    b->exposure = u8_at(d->exposure, start, ones_u8);
    b->redundant = u8_at(d->redundant, start, zeros_u8);
    b->uptime = u8_at(d->uptime, start, ones_u8);
    b->safe_fallback = u8_at(d->safe_fallback, start, zeros_u8);
    b->charging = u8_at(d->charging, start, zeros_u8);
    b->link = u8_at(d->link, start, zeros_u8);
    b->metered = u8_at(d->metered, start, zeros_u8);
    b->busy = u8_at(d->busy, start, zeros_u8);
    b->affected = u8_at(d->affected, start, ones_u8);
    b->prerequisite_missing = u8_at(d->prerequisite_missing, start, zeros_u8);
    b->excluded = u8_at(d->excluded, start, zeros_u8);
    b->battery = d->battery != NULL ? d->battery + start : full_battery;
    b->free_bytes =
        d->free_bytes != NULL ? d->free_bytes + start : unlimited_u64;
    b->failed_attempts =
        d->failed_attempts != NULL ? d->failed_attempts + start : zeros_u32;
    b->days_offline =
        d->days_offline != NULL ? d->days_offline + start : zeros_u32;
}

/* ---- validation ------------------------------------------------------- */

/* Finds the first byte at or above `limit`; an OR over the column first so
 * the common all-valid case is one branch-free pass. */
static int check_u8(const uint8_t *column, size_t count, uint8_t limit,
                    const char *field, size_t base, otaprio_diag *diag)
{
    if (column == NULL)
        return OTAPRIO_OK;
    int bad = 0;
    for (size_t i = 0; i < count; i++)
        bad |= column[i] >= limit;
    if (!bad)
        return OTAPRIO_OK;
    size_t i = 0;
    while (column[i] < limit)
        i++;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)(base + i),
                         "devices.%s[%zu] is %u; it must lie in [0, %u]", field,
                         base + i, (unsigned)column[i], (unsigned)limit - 1);
}

static int check_battery(const float *battery, size_t count, size_t base,
                         otaprio_diag *diag)
{
    if (battery == NULL)
        return OTAPRIO_OK;
    int bad = 0;
    for (size_t i = 0; i < count; i++)
        bad |= !(battery[i] >= 0.0f && battery[i] <= 1.0f);
    if (!bad)
        return OTAPRIO_OK;
    size_t i = 0;
    while (battery[i] >= 0.0f && battery[i] <= 1.0f)
        i++;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "battery", (int64_t)(base + i),
                         "devices.battery[%zu] is %g; it must lie in [0, 1]",
                         base + i, (double)battery[i]);
}

/* Validates every column of `d`; `base` is the index of its first device
 * in the caller's chunk, for the diagnostics. */
static int validate_devices(const otaprio_devices *d, size_t base,
                            otaprio_diag *diag)
{
    size_t n = d->count;
#define U8(column, limit) \
    OTAPRIO__TRY(check_u8(d->column, n, (limit), #column, base, diag))
    U8(device_class, OTAPRIO_DEVICE_CLASS_MAX);
    U8(customer_tier, RISK_CUSTOMER_TIERS);
    U8(exposure, RISK_EXPOSURES);
    U8(redundant, 2);
    U8(uptime, RISK_UPTIMES);
    U8(safe_fallback, 2);
    OTAPRIO__TRY(check_battery(d->battery, n, base, diag));
    U8(charging, 2);
    U8(link, RISK_LINKS);
    U8(metered, 2);
    U8(busy, 2);
    U8(affected, 2);
    U8(prerequisite_missing, 2);
    U8(excluded, 2);
#undef U8
    return OTAPRIO_OK;
}

/* Reads the caller's chunk and results and checks the arrays exist. */
static int read_chunk(otaprio_devices *devices, const otaprio_devices *caller,
                      otaprio_device_results *results,
                      const otaprio_device_results *caller_results,
                      otaprio_diag *diag)
{
    if (caller == NULL || caller_results == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             caller == NULL ? "devices" : "results", -1,
                             "a required argument is NULL");
    memset(devices, 0, sizeof *devices);
    OTAPRIO__TRY(otaprio__struct_read(devices, caller, &devices_layout, diag));
    memset(results, 0, sizeof *results);
    OTAPRIO__TRY(
        otaprio__struct_read(results, caller_results, &results_layout, diag));
    return validate_devices(devices, 0, diag);
}

/* ---- scoring ---------------------------------------------------------- */

/* What one issue fixes for every device of a run. */
typedef struct issue_terms {
    double defect_points; /* the defect score, for explanations */
    int64_t defect_part;  /* the defect score's share of the priority */
    uint64_t package_bytes;
    double storage_needed; /* free bytes below this are short */
    bool metered_too_large;
    bool window_applies; /* busy devices defer */
} issue_terms;

static issue_terms terms_of(const otaprio_risk_model *m,
                            const otaprio_issue_score *issue)
{
    uint64_t package_bytes = issue->package_bytes;
    issue_terms t;
    t.defect_points = issue->score;
    t.defect_part = issue->score_milli * m->defect_share_milli / 1000;
    t.package_bytes = package_bytes;
    t.storage_needed = (double)package_bytes * m->storage_headroom;
    t.metered_too_large = package_bytes > m->metered_max_bytes;
    t.window_applies =
        !(issue->tier == OTAPRIO_TIER_T0 && m->t0_overrides_window);
    return t;
}

/* One block's answers, before they are copied where the caller wants. */
typedef struct block_out {
    int64_t priority[BLOCK];
    int64_t criticality[BLOCK];
    int64_t delivery[BLOCK];
    uint8_t disposition[BLOCK];
    uint32_t reasons[BLOCK];
} block_out;

static int64_t bounded(int64_t milli)
{
    return milli < 0                      ? 0
           : milli > RISK_SCORE_MAX_MILLI ? RISK_SCORE_MAX_MILLI
                                          : milli;
}

static int64_t battery_milli(const otaprio_risk_model *m, float battery,
                             uint8_t charging)
{
    if (charging || !(battery < m->battery_risk_level))
        return 0;
    return otaprio__milli(((double)m->battery_risk_level - (double)battery) *
                          m->battery_scale);
}

static void score_block(const otaprio_risk_model *m, const issue_terms *t,
                        const block_columns *b, size_t n, bool want_delivery,
                        block_out *out)
{
    for (size_t i = 0; i < n; i++) {
        int64_t criticality =
            bounded((int64_t)m->device_class_milli[b->device_class[i]] +
                    m->customer_milli[b->customer_tier[i]] +
                    m->exposure_milli[b->exposure[i]] +
                    (b->redundant[i] ? 0 : m->no_redundancy_milli) +
                    m->uptime_milli[b->uptime[i]]);
        int64_t attempts =
            (int64_t)b->failed_attempts[i] * m->failed_attempt_milli;
        if (attempts > m->failed_attempt_cap_milli)
            attempts = m->failed_attempt_cap_milli;
        out->criticality[i] = criticality;
        out->priority[i] =
            bounded(t->defect_part +
                    criticality * m->criticality_share_milli / 1000 + attempts);

        bool idle = !b->charging[i];
        bool storage_short = t->package_bytes != 0 &&
                             (double)b->free_bytes[i] < t->storage_needed;
        bool metered = b->metered[i] || b->link[i] == OTAPRIO_LINK_ROAMING;
        uint32_t r = 0;
        r |= (idle && b->battery[i] < m->min_battery)
                 ? OTAPRIO_REASON_LOW_BATTERY
                 : 0u;
        r |= (metered && t->metered_too_large) ? OTAPRIO_REASON_METERED_LARGE
                                               : 0u;
        r |= storage_short ? OTAPRIO_REASON_LOW_STORAGE : 0u;
        r |= (b->busy[i] && t->window_applies)
                 ? OTAPRIO_REASON_MAINTENANCE_WINDOW
                 : 0u;
        r |= b->prerequisite_missing[i] ? OTAPRIO_REASON_PREREQUISITE : 0u;
        r |= b->excluded[i] ? OTAPRIO_REASON_POLICY : 0u;
        r |= b->affected[i] ? 0u : OTAPRIO_REASON_NOT_AFFECTED;
        r |= ((m->excluded_classes >> b->device_class[i]) & 1u)
                 ? OTAPRIO_REASON_CLASS_EXCLUDED
                 : 0u;
        r |= (m->catch_up_days != 0 && b->days_offline[i] >= m->catch_up_days)
                 ? OTAPRIO_REASON_CATCH_UP
                 : 0u;
        r |= (m->repeated_failures != 0 &&
              b->failed_attempts[i] >= m->repeated_failures)
                 ? OTAPRIO_REASON_REPEATED_FAILURES
                 : 0u;
        out->reasons[i] = r;
        const uint32_t excluding = OTAPRIO_REASON_POLICY |
                                   OTAPRIO_REASON_NOT_AFFECTED |
                                   OTAPRIO_REASON_CLASS_EXCLUDED;
        const uint32_t deferring =
            OTAPRIO_REASON_LOW_BATTERY | OTAPRIO_REASON_METERED_LARGE |
            OTAPRIO_REASON_LOW_STORAGE | OTAPRIO_REASON_MAINTENANCE_WINDOW;
        out->disposition[i] = (r & excluding) ? OTAPRIO_DISPOSITION_EXCLUDED
                              : (r & OTAPRIO_REASON_PREREQUISITE)
                                  ? OTAPRIO_DISPOSITION_BLOCKED
                              : (r & deferring) ? OTAPRIO_DISPOSITION_DEFER
                                                : OTAPRIO_DISPOSITION_ELIGIBLE;
        if (want_delivery) {
            out->delivery[i] =
                bounded(battery_milli(m, b->battery[i], b->charging[i]) +
                        m->link_milli[b->link[i]] +
                        (b->metered[i] ? m->metered_milli : 0) +
                        (storage_short ? m->storage_milli : 0) +
                        (b->safe_fallback[i] ? m->safe_fallback_milli : 0));
        }
    }
}

/* Copies a block's answers to the caller's arrays, from device `start`. */
static void emit_block(const block_out *out, size_t n, size_t start,
                       const otaprio_device_results *r)
{
    if (r->priority != NULL)
        for (size_t i = 0; i < n; i++)
            r->priority[start + i] = (double)out->priority[i] / 1000.0;
    if (r->criticality != NULL)
        for (size_t i = 0; i < n; i++)
            r->criticality[start + i] = (double)out->criticality[i] / 1000.0;
    if (r->delivery_risk != NULL)
        for (size_t i = 0; i < n; i++)
            r->delivery_risk[start + i] = (double)out->delivery[i] / 1000.0;
    if (r->disposition != NULL)
        memcpy(r->disposition + start, out->disposition, n);
    if (r->reasons != NULL)
        memcpy(r->reasons + start, out->reasons, n * sizeof(uint32_t));
}

static void count_block(const block_out *out, size_t n,
                        otaprio_risk_totals *totals)
{
    totals->devices += n;
    for (size_t i = 0; i < n; i++)
        totals->by_disposition[out->disposition[i]]++;
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++) {
        uint64_t set = 0;
        for (size_t i = 0; i < n; i++)
            set += (out->reasons[i] >> bit) & 1u;
        totals->by_reason[bit] += set;
    }
}

/* Scores a validated chunk block by block. */
static void score_chunk(const otaprio_risk_model *m, const issue_terms *t,
                        const otaprio_devices *d,
                        const otaprio_device_results *r,
                        otaprio_risk_totals *totals)
{
    block_out out;
    for (size_t start = 0; start < d->count; start += BLOCK) {
        size_t n = d->count - start < BLOCK ? d->count - start : BLOCK;
        block_columns columns;
        columns_at(&columns, d, start);
        score_block(m, t, &columns, n, r->delivery_risk != NULL, &out);
        emit_block(&out, n, start, r);
        if (totals != NULL)
            count_block(&out, n, totals);
    }
}

static int read_common(const otaprio_risk_model *model,
                       const otaprio_issue_score *issue,
                       otaprio_issue_score *score, otaprio_diag *diag)
{
    if (model == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "model", -1,
                             "model is NULL");
    return otaprio__risk_read_issue_score(score, issue, diag);
}

int otaprio_risk_score_devices(const otaprio_risk_model *model,
                               const otaprio_issue_score *issue,
                               const otaprio_devices *devices,
                               const otaprio_device_results *results,
                               otaprio_diag *diag)
{
    otaprio_issue_score score;
    OTAPRIO__TRY(read_common(model, issue, &score, diag));
    otaprio_devices d;
    otaprio_device_results r;
    OTAPRIO__TRY(read_chunk(&d, devices, &r, results, diag));
    issue_terms t = terms_of(model, &score);
    score_chunk(model, &t, &d, &r, NULL);
    return OTAPRIO_OK;
}

int otaprio_risk_score_stream(const otaprio_risk_model *model,
                              const otaprio_issue_score *issue,
                              otaprio_device_source_fn source, void *user,
                              otaprio_risk_totals *totals, otaprio_diag *diag)
{
    otaprio_issue_score score;
    OTAPRIO__TRY(read_common(model, issue, &score, diag));
    if (source == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "source", -1,
                             "source is NULL");
    if (totals != NULL && totals->size < totals_layout.minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "totals", -1,
                             "totals->size is %zu; set it to "
                             "sizeof(otaprio_risk_totals)",
                             totals->size);
    otaprio_risk_totals sum;
    memset(&sum, 0, sizeof sum);
    sum.size = sizeof sum;
    issue_terms t = terms_of(model, &score);
    for (;;) {
        otaprio_devices chunk;
        otaprio_devices_init(&chunk);
        otaprio_device_results wanted;
        otaprio_device_results_init(&wanted);
        int status = source(user, &chunk, &wanted);
        if (status != 0)
            return status; /* the host's own status, unchanged */
        /* The library prepared both structs at its own size; a source built
         * against newer headers must not claim more room than is there. */
        if (chunk.size != sizeof chunk || wanted.size != sizeof wanted)
            return otaprio__fail(
                diag, OTAPRIO_E_STRUCT_SIZE,
                chunk.size != sizeof chunk ? "devices" : "results", -1,
                "the source changed the size of a struct the library "
                "prepared; write only the fields within its size");
        if (chunk.count == 0)
            break;
        otaprio_devices d;
        otaprio_device_results r;
        OTAPRIO__TRY(read_chunk(&d, &chunk, &r, &wanted, diag));
        score_chunk(model, &t, &d, &r, totals != NULL ? &sum : NULL);
    }
    if (totals != NULL)
        (void)otaprio__struct_write(totals, &sum, &totals_layout);
    return OTAPRIO_OK;
}

/* ---- explanation ------------------------------------------------------ */

/* The lines behind one device's three scores; the values come from the
 * same score_block() the batch uses, and the lines from the same tables. */
static void device_lines(const otaprio_risk_model *m, const issue_terms *t,
                         const block_columns *b, otaprio__explain *ex)
{
    const int32_t C = OTAPRIO_SCORE_CRITICALITY;
    otaprio__explain_add(ex, C, OTAPRIO_FACTOR_DEVICE_CLASS, b->device_class[0],
                         m->device_class_milli[b->device_class[0]]);
    otaprio__explain_add(ex, C, OTAPRIO_FACTOR_CUSTOMER_TIER,
                         b->customer_tier[0],
                         m->customer_milli[b->customer_tier[0]]);
    otaprio__explain_add(ex, C, OTAPRIO_FACTOR_EXPOSURE, b->exposure[0],
                         m->exposure_milli[b->exposure[0]]);
    otaprio__explain_add(ex, C, OTAPRIO_FACTOR_NO_REDUNDANCY, b->redundant[0],
                         b->redundant[0] ? 0 : m->no_redundancy_milli);
    otaprio__explain_add(ex, C, OTAPRIO_FACTOR_UPTIME, b->uptime[0],
                         m->uptime_milli[b->uptime[0]]);
    int64_t criticality = otaprio__explain_bound(
        ex, C,
        (int64_t)m->device_class_milli[b->device_class[0]] +
            m->customer_milli[b->customer_tier[0]] +
            m->exposure_milli[b->exposure[0]] +
            (b->redundant[0] ? 0 : m->no_redundancy_milli) +
            m->uptime_milli[b->uptime[0]]);

    const int32_t D = OTAPRIO_SCORE_DELIVERY;
    bool storage_short =
        t->package_bytes != 0 && (double)b->free_bytes[0] < t->storage_needed;
    int64_t battery = battery_milli(m, b->battery[0], b->charging[0]);
    int64_t link = m->link_milli[b->link[0]];
    int64_t metered = b->metered[0] ? m->metered_milli : 0;
    int64_t storage = storage_short ? m->storage_milli : 0;
    int64_t fallback = b->safe_fallback[0] ? m->safe_fallback_milli : 0;
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_BATTERY, (double)b->battery[0],
                         battery);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_LINK, b->link[0], link);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_METERED, b->metered[0], metered);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_STORAGE,
                         (double)b->free_bytes[0], storage);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_SAFE_FALLBACK,
                         b->safe_fallback[0], fallback);
    otaprio__explain_bound(ex, D,
                           battery + link + metered + storage + fallback);

    const int32_t P = OTAPRIO_SCORE_PRIORITY;
    int64_t share = criticality * m->criticality_share_milli / 1000;
    int64_t attempts = (int64_t)b->failed_attempts[0] * m->failed_attempt_milli;
    if (attempts > m->failed_attempt_cap_milli)
        attempts = m->failed_attempt_cap_milli;
    otaprio__explain_add(ex, P, OTAPRIO_FACTOR_DEFECT_SCORE, t->defect_points,
                         t->defect_part);
    otaprio__explain_add(ex, P, OTAPRIO_FACTOR_CRITICALITY,
                         (double)criticality / 1000.0, share);
    otaprio__explain_add(ex, P, OTAPRIO_FACTOR_FAILED_ATTEMPTS,
                         b->failed_attempts[0], attempts);
    otaprio__explain_bound(ex, P, t->defect_part + share + attempts);
}

/* The chunk seen from one device: every column starts at `index`. */
static otaprio_devices one_device(const otaprio_devices *d, size_t index)
{
    otaprio_devices one = *d;
    one.count = 1;
#define AT(column)               \
    do {                         \
        if (one.column != NULL)  \
            one.column += index; \
    } while (0)
    AT(device_class);
    AT(customer_tier);
    AT(exposure);
    AT(redundant);
    AT(uptime);
    AT(safe_fallback);
    AT(battery);
    AT(charging);
    AT(link);
    AT(metered);
    AT(free_bytes);
    AT(failed_attempts);
    AT(days_offline);
    AT(busy);
    AT(affected);
    AT(prerequisite_missing);
    AT(excluded);
#undef AT
    return one;
}

int otaprio_risk_explain_device(const otaprio_risk_model *model,
                                const otaprio_issue_score *issue,
                                const otaprio_devices *devices, size_t index,
                                otaprio_device_score *score,
                                otaprio_factor_points *items, size_t capacity,
                                size_t *count, otaprio_diag *diag)
{
    otaprio_issue_score issue_score;
    OTAPRIO__TRY(read_common(model, issue, &issue_score, diag));
    if (devices == NULL || score == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             devices == NULL ? "devices" : "score", -1,
                             "a required argument is NULL");
    otaprio_devices d;
    memset(&d, 0, sizeof d);
    OTAPRIO__TRY(otaprio__struct_read(&d, devices, &devices_layout, diag));
    if (index >= d.count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "index", (int64_t)index,
                             "index %zu is past the chunk of %zu devices",
                             index, d.count);
    if (score->size < device_score_layout.minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "score", -1,
                             "score->size is %zu; set it to "
                             "sizeof(otaprio_device_score)",
                             score->size);
    otaprio_devices one = one_device(&d, index);
    OTAPRIO__TRY(validate_devices(&one, index, diag));

    issue_terms t = terms_of(model, &issue_score);
    block_columns columns;
    columns_at(&columns, &one, 0);
    block_out out;
    score_block(model, &t, &columns, 1, true, &out);
    otaprio__explain explain;
    explain.count = 0;
    device_lines(model, &t, &columns, &explain);
    OTAPRIO__TRY(otaprio__explain_emit(&explain, items, capacity, count, diag));

    otaprio_device_score result;
    memset(&result, 0, sizeof result);
    result.size = sizeof result;
    result.priority_milli = out.priority[0];
    result.criticality_milli = out.criticality[0];
    result.delivery_milli = out.delivery[0];
    result.disposition = out.disposition[0];
    result.reasons = out.reasons[0];
    (void)otaprio__struct_write(score, &result, &device_score_layout);
    return OTAPRIO_OK;
}
