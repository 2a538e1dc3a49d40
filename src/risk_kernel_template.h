/* SPDX-License-Identifier: MIT */
/*
 * The bodies of the per-device loops, included by risk_kernel.c once per
 * build with OTAPRIO__RISK_KERNEL_NAME(name) (naming this build's copy of
 * each function) and OTAPRIO__RISK_KERNEL_TARGET defined. No include
 * guard: that is the point.
 */
/*
 * The hot loop. Every test is turned into a 0/1 integer and combined with
 * bit operations, so there is no data-dependent branch; criticality is one
 * lookup by combination, and the disposition follows from the reason bits
 * by arithmetic. All sums fit int32 (weights are within ±1000 points).
 */
OTAPRIO__RISK_KERNEL_TARGET
static void OTAPRIO__RISK_KERNEL_NAME(score)(const otaprio_risk_model *m,
                                             const otaprio__risk_terms *t,
                                             const otaprio__risk_columns *b,
                                             size_t n,
                                             const otaprio__risk_out *out)
{
#ifdef OTAPRIO__RISK_KERNEL_ROWS
    /* The common answers have a one-pass build: it takes the block's
     * steps of 32 devices, and the loops below the rest. */
    otaprio__risk_columns rest;
    otaprio__risk_out rest_out;
    if (out->criticality == NULL && out->delivery == NULL) {
        size_t done = OTAPRIO__RISK_KERNEL_ROWS(m, t, b, n, out);
        if (done == n)
            return;
        rest = otaprio__risk_columns_from(b, done);
        rest_out = *out;
        rest_out.priority += done;
        rest_out.disposition += done;
        rest_out.reasons += done;
        b = &rest;
        out = &rest_out;
        n -= done;
    }
#endif
    /* Every column and table in a restrict-qualified local: the stores to
     * the outputs can then alias none of them, so nothing is reloaded. */
    const uint8_t *restrict device_class = b->device_class;
    const uint8_t *restrict customer_tier = b->customer_tier;
    const uint8_t *restrict exposure = b->exposure;
    const uint8_t *restrict redundant = b->redundant;
    const uint8_t *restrict uptime = b->uptime;
    const uint8_t *restrict charging = b->charging;
    const uint8_t *restrict link = b->link;
    const uint8_t *restrict metered = b->metered;
    const uint8_t *restrict busy = b->busy;
    const uint8_t *restrict affected = b->affected;
    const uint8_t *restrict prerequisite = b->prerequisite_missing;
    const uint8_t *restrict excluded = b->excluded;
    const float *restrict battery = b->battery;
    const uint64_t *restrict free_bytes = b->free_bytes;
    const uint32_t *restrict failed_attempts = b->failed_attempts;
    const uint32_t *restrict days_offline = b->days_offline;
    const int32_t *restrict criticality_part = m->criticality_part;
    double *restrict priority_out = out->priority;
    uint8_t *restrict disposition_out = out->disposition;
    uint32_t *restrict reasons_out = out->reasons;

    const int32_t defect_part = t->defect_part;
    const uint32_t attempt_limit = m->attempt_limit;
    const int32_t attempt_step = (int32_t)m->failed_attempt_milli;
    const int32_t attempt_cap = (int32_t)m->failed_attempt_cap_milli;
    const float min_battery = m->min_battery;
    const uint32_t metered_large = t->metered_large;
    const uint32_t window = t->window;
    const uint32_t all_short = t->all_short;
    const uint64_t storage_threshold = t->storage_threshold;
    const uint32_t excluded_classes = m->excluded_classes;
    const uint64_t catch_up_limit = m->catch_up_limit;
    const uint64_t repeated_limit = m->repeated_limit;
    /* Short passes over the block, each reading a few columns, keep every
     * pointer in a register and let the compiler vectorise the simple ones;
     * the reasons build up in a block-sized array that stays in L1. */
    /* Free bytes (8 per device) and the two counters are read by no
     * validation pass, so they still sit in memory: ask for their lines now
     * and let the passes below run while they arrive. */
    otaprio__risk_prefetch_unchecked(b, n);
    uint16_t combos[RISK_BLOCK];
    for (size_t i = 0; i < n; i++)
        combos[i] =
            (uint16_t)otaprio__risk_combo(device_class[i], customer_tier[i],
                                          exposure[i], redundant[i], uptime[i]);
    int32_t priority[RISK_BLOCK];
    for (size_t i = 0; i < n; i++) {
        uint32_t attempts = failed_attempts[i];
        uint32_t counted = attempts < attempt_limit ? attempts : attempt_limit;
        int32_t attempt_points = (int32_t)counted * attempt_step;
        attempt_points =
            attempt_points < attempt_cap ? attempt_points : attempt_cap;
        priority[i] = defect_part + attempt_points;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t p = priority[i] + criticality_part[combos[i]];
        priority[i] = p < RISK_SCORE_MAX_MILLI ? p : RISK_SCORE_MAX_MILLI;
    }
    for (size_t i = 0; i < n; i++)
        priority_out[i] = (double)priority[i] / 1000.0;
    /* Reasons build up in bytes, the width of most columns, so the passes
     * run 32 devices to an AVX2 instruction: bits 0-7 (all that decide the
     * disposition) in `low`, the two notices in `high`. */
    uint8_t low[RISK_BLOCK], high[RISK_BLOCK];
    const uint8_t metered_large8 = (uint8_t)metered_large;
    const uint8_t window8 = (uint8_t)window;
    const uint8_t all_short8 = (uint8_t)all_short;
    for (size_t i = 0; i < n; i++) {
        uint8_t on_meter =
            (uint8_t)(metered[i] | (uint8_t)(link[i] == OTAPRIO_LINK_ROAMING));
        low[i] = (uint8_t)(((uint8_t)(battery[i] < min_battery) &
                            (uint8_t)(charging[i] ^ 1u)) |
                           (uint8_t)((on_meter & metered_large8) << 1));
    }
    for (size_t i = 0; i < n; i++)
        low[i] |= (uint8_t)(((uint8_t)(free_bytes[i] < storage_threshold) |
                             all_short8)
                            << 2);
    for (size_t i = 0; i < n; i++)
        low[i] |= (uint8_t)((busy[i] & window8) << 3 | prerequisite[i] << 4 |
                            excluded[i] << 5 | (affected[i] ^ 1u) << 6);
    /* The class and the two notices are off in most policies: a whole pass
     * is skipped rather than a test made per device. */
    if (excluded_classes != 0)
        for (size_t i = 0; i < n; i++)
            low[i] |=
                (uint8_t)(((excluded_classes >> device_class[i]) & 1u) << 7);
    memset(high, 0, n);
    if (catch_up_limit <= UINT32_MAX) {
        const uint32_t limit = (uint32_t)catch_up_limit; /* 32-bit: SIMD */
        for (size_t i = 0; i < n; i++)
            high[i] |= (uint8_t)(days_offline[i] >= limit);
    }
    if (repeated_limit <= UINT32_MAX) {
        const uint32_t limit = (uint32_t)repeated_limit;
        for (size_t i = 0; i < n; i++)
            high[i] |= (uint8_t)((uint8_t)(failed_attempts[i] >= limit) << 1);
    }
    /* The disposition by arithmetic on masks (so it vectorises): the
     * strongest class of reason present wins. */
    const uint8_t excluding = OTAPRIO_REASON_POLICY |
                              OTAPRIO_REASON_NOT_AFFECTED |
                              OTAPRIO_REASON_CLASS_EXCLUDED;
    const uint8_t deferring =
        OTAPRIO_REASON_LOW_BATTERY | OTAPRIO_REASON_METERED_LARGE |
        OTAPRIO_REASON_LOW_STORAGE | OTAPRIO_REASON_MAINTENANCE_WINDOW;
    for (size_t i = 0; i < n; i++) {
        uint8_t r = low[i];
        uint8_t excluded_now = (uint8_t)((r & excluding) != 0);
        uint8_t blocked_now = (uint8_t)((r & OTAPRIO_REASON_PREREQUISITE) != 0);
        uint8_t deferred_now = (uint8_t)((r & deferring) != 0);
        uint8_t below = (uint8_t)(blocked_now * OTAPRIO_DISPOSITION_BLOCKED +
                                  (1u - blocked_now) * deferred_now);
        disposition_out[i] =
            (uint8_t)(excluded_now * OTAPRIO_DISPOSITION_EXCLUDED +
                      (1u - excluded_now) * below);
    }
    for (size_t i = 0; i < n; i++)
        reasons_out[i] = (uint32_t)low[i] | (uint32_t)high[i] << 8;
    if (out->criticality != NULL)
        for (size_t i = 0; i < n; i++)
            out->criticality[i] =
                (double)m->criticality_combo[combos[i]] / 1000.0;
    if (out->delivery != NULL)
        for (size_t i = 0; i < n; i++)
            out->delivery[i] =
                (double)otaprio__risk_delivery_milli(m, t, b, i) / 1000.0;
}

/* The validation scans: an OR over the column, so the common all-valid
 * case is one branch-free, vectorised pass. The accumulator is as wide as
 * an element, so the vector lanes never need widening. */
OTAPRIO__RISK_KERNEL_TARGET
static int OTAPRIO__RISK_KERNEL_NAME(any_at_least)(const uint8_t *column,
                                                   size_t count, uint8_t limit)
{
    uint8_t bad = 0;
    for (size_t i = 0; i < count; i++)
        bad |= (uint8_t)(column[i] >= limit);
    return bad;
}

/*
 * A battery is valid when it lies in [0, 1], NaN excluded. On the bits of
 * an IEEE single that is: at most the bits of 1.0f (every non-negative
 * float orders like its bits, and NaN and infinity lie above), or exactly
 * -0.0f. Integer compares vectorise where float ones with NaN do not.
 */
OTAPRIO__RISK_KERNEL_TARGET
static int OTAPRIO__RISK_KERNEL_NAME(any_battery_outside)(const float *battery,
                                                          size_t count)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &battery[i], sizeof bits);
        bad |= (uint32_t)(bits > 0x3F800000u) & (uint32_t)(bits != 0x80000000u);
    }
    return bad != 0;
}

/*
 * Every validated column of a chunk that has them all, in one pass: the
 * columns are read side by side, so their streams come in from memory
 * together rather than one after another. The 0/1 flags are ORed first
 * (any of them at 2 or more shows in the OR); the enums each take their
 * own compare. Nothing is stored in the loop, so the columns' pointers
 * stay in registers without restrict.
 */
OTAPRIO__RISK_KERNEL_TARGET
static int
OTAPRIO__RISK_KERNEL_NAME(any_invalid)(const otaprio__risk_columns *b,
                                       size_t count)
{
    uint8_t bad = 0;
    uint32_t bad_battery = 0;
    for (size_t i = 0; i < count; i++) {
        uint8_t flags =
            (uint8_t)(b->redundant[i] | b->safe_fallback[i] | b->charging[i] |
                      b->metered[i] | b->busy[i] | b->affected[i] |
                      b->prerequisite_missing[i] | b->excluded[i]);
        bad |= (uint8_t)((uint8_t)(flags >= 2) |
                         (uint8_t)(b->device_class[i] >=
                                   OTAPRIO_DEVICE_CLASS_MAX) |
                         (uint8_t)(b->customer_tier[i] >= RISK_CUSTOMER_TIERS) |
                         (uint8_t)(b->exposure[i] >= RISK_EXPOSURES) |
                         (uint8_t)(b->uptime[i] >= RISK_UPTIMES) |
                         (uint8_t)(b->link[i] >= RISK_LINKS));
        uint32_t bits;
        memcpy(&bits, &b->battery[i], sizeof bits);
        bad_battery |=
            (uint32_t)(bits > 0x3F800000u) & (uint32_t)(bits != 0x80000000u);
    }
    return bad != 0 || bad_battery != 0;
}

const otaprio__risk_kernels OTAPRIO__RISK_KERNEL_NAME(kernels) = {
    OTAPRIO__RISK_KERNEL_NAME(score),
    OTAPRIO__RISK_KERNEL_NAME(any_at_least),
    OTAPRIO__RISK_KERNEL_NAME(any_battery_outside),
    OTAPRIO__RISK_KERNEL_NAME(any_invalid),
    OTAPRIO__RISK_KERNEL_NAME(count),
};
