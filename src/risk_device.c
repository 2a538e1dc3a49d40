/* SPDX-License-Identifier: MIT */
/*
 * Per-device scoring: criticality, delivery risk, priority, disposition and
 * reasons, over columnar chunks. The hot loop is integer arithmetic on
 * tables the model compiled; it allocates nothing, and runs block by block
 * so a missing column reads a block of its default instead of branching.
 */
#include <string.h>

#include "risk_kernel.h"

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
    /* All zero: no devices, every column NULL. */
    return otaprio__struct_init(devices, size, NULL, &devices_layout);
}

int(otaprio_device_results_init)(otaprio_device_results *results, size_t size)
{
    /* All zero: every output NULL. */
    return otaprio__struct_init(results, size, NULL, &results_layout);
}

/* ---- defaults of missing columns ------------------------------------- */

#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
#define R64(x) R16(x), R16(x), R16(x), R16(x)
#define R256(x) R64(x), R64(x), R64(x), R64(x)
static const uint8_t zeros_u8[RISK_BLOCK] = {0};
static const uint8_t ones_u8[RISK_BLOCK] = {R256(1)};
static const uint32_t zeros_u32[RISK_BLOCK] = {0};
static const uint64_t unlimited_u64[RISK_BLOCK] = {R256(UINT64_MAX)};
static const float full_battery[RISK_BLOCK] = {R256(1.0f)};
#undef R256
#undef R64
#undef R16
#undef R4

static const uint8_t *u8_at(const uint8_t *column, size_t start,
                            const uint8_t *fallback)
{
    return column != NULL ? column + start : fallback;
}

static void columns_at(otaprio__risk_columns *b, const otaprio_devices *d,
                       size_t start)
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

/* Finds the first byte at or above `limit`; a vectorised scan first so
 * the common all-valid case is one branch-free pass. */
static int check_u8(const otaprio__risk_kernels *k, const uint8_t *column,
                    size_t count, uint8_t limit, const char *field, size_t base,
                    otaprio_diag *diag)
{
    if (column == NULL || !k->any_at_least(column, count, limit))
        return OTAPRIO_OK;
    size_t i = 0;
    while (column[i] < limit)
        i++;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)(base + i),
                         "devices.%s[%zu] is %u; it must lie in [0, %u]", field,
                         base + i, (unsigned)column[i], (unsigned)limit - 1);
}

static int check_battery(const otaprio__risk_kernels *k, const float *battery,
                         size_t count, size_t base, otaprio_diag *diag)
{
    if (battery == NULL || !k->any_battery_outside(battery, count))
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
static int validate_devices(const otaprio__risk_kernels *k,
                            const otaprio_devices *d, size_t base,
                            otaprio_diag *diag)
{
    size_t n = d->count;
    /* A chunk with every column, the common case, is scanned in one pass;
     * only a bad one goes on to the column-by-column checks that name the
     * first bad value. */
    if (d->device_class != NULL && d->customer_tier != NULL &&
        d->exposure != NULL && d->redundant != NULL && d->uptime != NULL &&
        d->safe_fallback != NULL && d->battery != NULL && d->charging != NULL &&
        d->link != NULL && d->metered != NULL && d->busy != NULL &&
        d->affected != NULL && d->prerequisite_missing != NULL &&
        d->excluded != NULL) {
        otaprio__risk_columns columns;
        columns_at(&columns, d, 0);
        if (!k->any_invalid(&columns, n))
            return OTAPRIO_OK;
    }
#define U8(column, limit) \
    OTAPRIO__TRY(check_u8(k, d->column, n, (limit), #column, base, diag))
    U8(device_class, OTAPRIO_DEVICE_CLASS_MAX);
    U8(customer_tier, RISK_CUSTOMER_TIERS);
    U8(exposure, RISK_EXPOSURES);
    U8(redundant, 2);
    U8(uptime, RISK_UPTIMES);
    U8(safe_fallback, 2);
    OTAPRIO__TRY(check_battery(k, d->battery, n, base, diag));
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
static int read_chunk(const otaprio_risk_model *model, otaprio_devices *devices,
                      const otaprio_devices *caller,
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
    return validate_devices(model->kernels, devices, 0, diag);
}

/* ---- scoring ---------------------------------------------------------- */

/*
 * The smallest free-byte count whose double is at least `needed`, so that
 * the per-device test `(double)free < needed` becomes the integer test
 * `free < threshold`. Near 2^64 doubles are 2048 apart, hence the search.
 */
static uint64_t storage_threshold(double needed, uint32_t *all_short)
{
    *all_short = 0;
    if (!(needed > 0.0))
        return 0;
    /* No double converted from a uint64_t exceeds 2^64 (the largest ones
     * round up to it), so only a need above 2^64 leaves every device
     * short. */
    if (needed > 0x1p64) {
        *all_short = 1;
        return UINT64_MAX;
    }
    uint64_t low = 0;
    uint64_t high = needed == 0x1p64 ? UINT64_MAX : (uint64_t)ceil(needed);
    while (low < high) {
        uint64_t mid = low + (high - low) / 2;
        if ((double)mid >= needed)
            high = mid;
        else
            low = mid + 1;
    }
    return low;
}

static otaprio__risk_terms terms_of(const otaprio_risk_model *m,
                                    const otaprio_issue_score *issue)
{
    uint64_t package = issue->package_bytes;
    otaprio__risk_terms t;
    t.defect_points = issue->score;
    t.defect_part =
        (int32_t)(issue->score_milli * m->defect_share_milli / 1000);
    t.metered_large = package > m->metered_max_bytes;
    t.window = !(issue->tier == OTAPRIO_TIER_T0 && m->t0_overrides_window);
    t.storage_threshold = storage_threshold(
        package != 0 ? (double)package * m->storage_headroom : 0.0,
        &t.all_short);
    return t;
}

/* Scores a validated chunk block by block, straight into the caller's
 * arrays. */
static void score_chunk(const otaprio_risk_model *m,
                        const otaprio__risk_terms *t, const otaprio_devices *d,
                        const otaprio_device_results *r,
                        otaprio_risk_totals *totals)
{
    double scratch_priority[RISK_BLOCK];
    uint8_t scratch_disposition[RISK_BLOCK];
    uint32_t scratch_reasons[RISK_BLOCK];
    for (size_t start = 0; start < d->count; start += RISK_BLOCK) {
        size_t n =
            d->count - start < RISK_BLOCK ? d->count - start : RISK_BLOCK;
        otaprio__risk_columns columns;
        columns_at(&columns, d, start);
        otaprio__risk_out out = {
            r->priority != NULL ? r->priority + start : scratch_priority,
            r->disposition != NULL ? r->disposition + start
                                   : scratch_disposition,
            r->reasons != NULL ? r->reasons + start : scratch_reasons,
            r->criticality != NULL ? r->criticality + start : NULL,
            r->delivery_risk != NULL ? r->delivery_risk + start : NULL,
        };
        m->kernels->score(m, t, &columns, n, &out);
        if (totals != NULL)
            m->kernels->count(&out, n, totals);
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
    OTAPRIO__TRY(read_chunk(model, &d, devices, &r, results, diag));
    otaprio__risk_terms t = terms_of(model, &score);
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
    otaprio__risk_terms t = terms_of(model, &score);
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
        OTAPRIO__TRY(read_chunk(model, &d, &chunk, &r, &wanted, diag));
        score_chunk(model, &t, &d, &r, totals != NULL ? &sum : NULL);
    }
    if (totals != NULL)
        (void)otaprio__struct_write(totals, &sum, &totals_layout);
    return OTAPRIO_OK;
}

/* ---- explanation ------------------------------------------------------ */

/* A device's three scores in thousandths. */
typedef struct device_milli {
    int64_t criticality, delivery, priority;
} device_milli;

/*
 * The lines behind one device's three scores, and the scores they add up
 * to. They are computed the long way, factor by factor, from the tables
 * the batch's combination tables were built from: the tests hold the two
 * paths to the same answers.
 */
static device_milli device_lines(const otaprio_risk_model *m,
                                 const otaprio__risk_terms *t,
                                 const otaprio__risk_columns *b,
                                 otaprio__explain *ex)
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
    int64_t battery =
        otaprio__risk_battery_milli(m, b->battery[0], b->charging[0]);
    int64_t link = m->link_milli[b->link[0]];
    int64_t metered = b->metered[0] ? m->metered_milli : 0;
    int64_t storage =
        otaprio__risk_storage_short(t, b->free_bytes[0]) ? m->storage_milli : 0;
    int64_t fallback = b->safe_fallback[0] ? m->safe_fallback_milli : 0;
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_BATTERY, (double)b->battery[0],
                         battery);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_LINK, b->link[0], link);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_METERED, b->metered[0], metered);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_STORAGE,
                         (double)b->free_bytes[0], storage);
    otaprio__explain_add(ex, D, OTAPRIO_FACTOR_SAFE_FALLBACK,
                         b->safe_fallback[0], fallback);
    device_milli scores;
    scores.criticality = criticality;
    scores.delivery = otaprio__explain_bound(
        ex, D, battery + link + metered + storage + fallback);

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
    scores.priority =
        otaprio__explain_bound(ex, P, t->defect_part + share + attempts);
    return scores;
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
    OTAPRIO__TRY(validate_devices(model->kernels, &one, index, diag));

    otaprio__risk_terms t = terms_of(model, &issue_score);
    otaprio__risk_columns columns;
    columns_at(&columns, &one, 0);
    double priority;
    uint8_t disposition;
    uint32_t reasons;
    otaprio__risk_out out = {&priority, &disposition, &reasons, NULL, NULL};
    model->kernels->score(model, &t, &columns, 1, &out);
    otaprio__explain explain;
    explain.count = 0;
    device_milli scores = device_lines(model, &t, &columns, &explain);
    OTAPRIO__TRY(otaprio__explain_emit(&explain, items, capacity, count, diag));

    otaprio_device_score result;
    memset(&result, 0, sizeof result);
    result.size = sizeof result;
    result.priority_milli = scores.priority;
    result.criticality_milli = scores.criticality;
    result.delivery_milli = scores.delivery;
    result.disposition = disposition;
    result.reasons = reasons;
    (void)otaprio__struct_write(score, &result, &device_score_layout);
    return OTAPRIO_OK;
}
