/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the guardrail engine's entry points that take outside data: a rule
 * set compiled from rules and options whose every field comes from the
 * input (unknown enum values, empty or repeated names, NaN, infinities and
 * negative margins included), then telemetry evaluated against it: entries
 * for rules in range or not, repeated, with columns missing, counts that
 * contradict each other (failures above trials, events without exposure,
 * sums past 2^64), windows that end before they start, continuous samples
 * through a callback that may hand over NaN or stop the call, and
 * sequential states fresh, reloaded from their bytes, foreign or forged.
 * Per-device counting from raw executions is fuzzed on the side.
 *
 * The input is read front to back as a series of choices; once it runs out
 * every further choice reads zero, which picks the common case, so short
 * inputs still reach evaluation. Any crash, sanitizer report, leak or
 * broken invariant (abort) is a finding. The invariants are the header's
 * promises: documented statuses only (or the callback's own value),
 * outputs untouched on failure, verdicts, actions, reasons and tests among
 * their enums with a name each, p-values in [0, 1], the overall action the
 * gravest metric's with reasons exactly when it is not to expand, strata
 * counts that match the rows, queries out of range refused, the same
 * report from the same data twice, and a sequence that survives its own
 * bytes.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/guardrail.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    MAX_RULES = 6,
    MAX_ENTRIES = 8,
    MAX_ROWS = 8,
    MAX_SAMPLES = 24,
    MAX_EXECUTIONS = 32,
    CALLBACK_STOP = 4242 /* the callback's own status, passed through */
};

/* ---- reading the input -------------------------------------------------- */

/* Values at the edges the checks draw, ordinary ones, or raw bits (NaN
 * payloads, denormals, huge values). */
static double take_double(input *in)
{
    static const double special[] = {0.0,
                                     -0.0,
                                     1.0,
                                     -1.0,
                                     0.5,
                                     0.05,
                                     0.2,
                                     0.002,
                                     24.0,
                                     72.0,
                                     1000.0,
                                     1e-300,
                                     1e300,
                                     0x1p-1074,
                                     (double)NAN,
                                     -(double)NAN,
                                     (double)INFINITY,
                                     -(double)INFINITY};
    return take_double_among(in, special, COUNT(special), 200, 256.0);
}

/* Enum values and flags: mostly in range, sometimes just past it, or
 * anything. */
static int32_t take_enum(input *in)
{
    uint8_t pick = take_u8(in);
    if (pick < 200)
        return (int32_t)(pick % 5) - (pick == 199 ? 1 : 0);
    if (pick < 210)
        return pick & 1u ? INT32_MAX : INT32_MIN;
    return (int32_t)take_u32(in);
}

/* Counts: small, around a trial count, or near 2^64. */
static uint64_t take_count(input *in)
{
    uint8_t pick = take_u8(in);
    if (pick < 160)
        return pick;
    if (pick < 230)
        return take_u16(in);
    if (pick < 250)
        return take_u32(in);
    return UINT64_MAX - take_u8(in);
}

/* ---- the rule set ------------------------------------------------------- */

static const char *const names[] = {
    "crash_rate",
    "boot_failure",
    "battery_drain",
    "install_failure",
    "",
    "a-name-of-sixty-four-bytes-is-one-too-many-for-a-rule-set-xxxxxx",
    "a-name-of-sixty-three-bytes-is-the-longest-one-a-rule-may-have",
    "crash_rate", /* a duplicate, when both are picked */
};

static void take_rule(input *in, otaprio_guard_rule *rule)
{
    CHECK(otaprio_guard_rule_init(rule) == OTAPRIO_OK);
    uint8_t name = take_u8(in);
    rule->name = name == 255 ? NULL : names[name % COUNT(names)];
    uint8_t set = take_u8(in); /* which fields to overwrite */
    if (set & 0x01)
        rule->kind = take_enum(in);
    if (set & 0x02)
        rule->direction = take_enum(in);
    if (set & 0x04)
        rule->severity = take_enum(in);
    if (set & 0x08)
        rule->checks = take_u8(in) < 240 ? take_u8(in) & 7u : take_u32(in);
    if (set & 0x10) {
        rule->margin = take_double(in);
        rule->ceiling = take_double(in);
    }
    if (set & 0x20) {
        rule->minimum_sample = take_double(in);
        rule->window_hours = take_double(in);
    }
    if (set & 0x40) {
        rule->no_data = take_enum(in);
        rule->zero_baseline = take_enum(in);
    }
    if (set & 0x80) {
        rule->require_evidence = take_enum(in);
        rule->sequential = take_enum(in);
    }
}

static void take_options(input *in, otaprio_guard_options *options)
{
    CHECK(otaprio_guard_options_init(options) == OTAPRIO_OK);
    uint8_t set = take_u8(in);
    if (set & 0x01)
        options->alpha = take_double(in);
    if (set & 0x02)
        options->layer = take_enum(in);
    if (set & 0x04)
        options->closes_active_exploit = take_enum(in);
    if (set & 0x08)
        options->tolerance_scale = take_double(in);
    if (set & 0x10)
        options->exact_limit = take_count(in);
    if (set & 0x20)
        options->multiplicity = take_enum(in);
}

static bool set_status(int status)
{
    return status == OTAPRIO_E_INVALID || status == OTAPRIO_E_RANGE ||
           status == OTAPRIO_E_DUPLICATE || status == OTAPRIO_E_LIMIT;
}

/* ---- telemetry ------------------------------------------------------------
 */

typedef struct entry_data {
    uint64_t ids[MAX_ROWS];
    uint64_t events[2][MAX_ROWS];
    uint64_t trials[2][MAX_ROWS];
    double exposure[2][MAX_ROWS];
    double samples[2][MAX_ROWS][MAX_SAMPLES];
    size_t sample_count[2][MAX_ROWS];
    int stop_at; /* the callback call that stops the evaluation, or -1 */
    int calls;
} entry_data;

static int samples_fn(void *user, size_t row, int32_t group,
                      const double **values, size_t *count)
{
    entry_data *d = user;
    CHECK(row < MAX_ROWS);
    CHECK(group == OTAPRIO_GUARD_CANARY || group == OTAPRIO_GUARD_BASELINE);
    if (d->calls++ == d->stop_at)
        return CALLBACK_STOP;
    *count = d->sample_count[group][row];
    *values = *count != 0 ? d->samples[group][row] : NULL;
    return 0;
}

static void take_entry(input *in, size_t rules, entry_data *d,
                       otaprio_guard_data *data)
{
    CHECK(otaprio_guard_data_init(data) == OTAPRIO_OK);
    uint8_t rule = take_u8(in);
    data->rule = rule < 250 ? rule % (uint32_t)(rules + 1) : take_u32(in);
    data->rows = take_u8(in) % (MAX_ROWS + 1);
    uint8_t shape = take_u8(in);
    if (shape & 0x01) {
        data->window_start_hours = take_double(in);
        data->window_end_hours = take_double(in);
    } else {
        data->window_end_hours = 48.0;
    }
    for (size_t r = 0; r < data->rows; r++) {
        d->ids[r] = take_u8(in);
        for (int g = 0; g < 2; g++) {
            d->trials[g][r] = take_count(in);
            /* Mostly consistent; now and then more failures than trials. */
            uint64_t events = take_count(in);
            uint64_t trials = d->trials[g][r];
            d->events[g][r] = take_u8(in) < 230 && trials < UINT64_MAX
                                  ? events % (trials + 1)
                                  : events;
            uint8_t e = take_u8(in);
            d->exposure[g][r] = e < 200 ? (double)e * 10.0 : take_double(in);
            size_t n = take_u8(in) % (MAX_SAMPLES + 1);
            d->sample_count[g][r] = n;
            for (size_t i = 0; i < n; i++) {
                uint8_t v = take_u8(in);
                d->samples[g][r][i] =
                    v < 250 ? (double)v / 16.0 : take_double(in);
            }
        }
    }
    /* Columns present unless the input drops them. */
    uint8_t drop = (shape & 0x02) ? take_u8(in) : 0;
    if (!(drop & 0x01))
        data->canary_events = d->events[0];
    if (!(drop & 0x02))
        data->baseline_events = d->events[1];
    if (!(drop & 0x04))
        data->canary_trials = d->trials[0];
    if (!(drop & 0x08))
        data->baseline_trials = d->trials[1];
    if (!(drop & 0x10))
        data->canary_exposure = d->exposure[0];
    if (!(drop & 0x20))
        data->baseline_exposure = d->exposure[1];
    if (!(drop & 0x40)) {
        data->samples = samples_fn;
        data->user = d;
    }
    if (shape & 0x04)
        data->stratum_ids = d->ids;
    d->stop_at = (shape & 0x08) ? (int)(take_u8(in) % 8) : -1;
    d->calls = 0;
}

/* ---- the report ------------------------------------------------------------
 */

static bool named_verdict(int32_t v)
{
    return v >= OTAPRIO_GUARD_PASS && v <= OTAPRIO_GUARD_NO_DATA &&
           otaprio_guard_verdict_name(v) != NULL;
}

static bool p_value_ok(double p)
{
    return isnan(p) || (p >= 0.0 && p <= 1.0);
}

static void check_report(const otaprio_guard_report *report, size_t rules,
                         const size_t *rows_of)
{
    int action = otaprio_guard_report_action(report);
    CHECK(action >= OTAPRIO_GUARD_EXPAND && action <= OTAPRIO_GUARD_ROLLBACK);
    CHECK(otaprio_guard_action_name(action) != NULL);
    int gravest = OTAPRIO_GUARD_EXPAND;
    size_t not_expanding = 0;
    for (uint32_t r = 0; r < rules; r++) {
        otaprio_guard_result result;
        memset(&result, 0xA5, sizeof result);
        result.size = sizeof result;
        CHECK(otaprio_guard_report_result(report, r, &result) == OTAPRIO_OK);
        CHECK(result.rule == r);
        CHECK(named_verdict(result.verdict));
        CHECK(otaprio_guard_action_name(result.action) != NULL);
        CHECK(otaprio_guard_reason_name(result.reason) != NULL);
        CHECK(otaprio_guard_test_name(result.test) != NULL);
        CHECK(p_value_ok(result.p_value));
        CHECK(isnan(result.log_p_value) || result.log_p_value <= 0.0);
        CHECK(result.failing_strata <= rows_of[r]);
        gravest = result.action > gravest ? result.action : gravest;
        not_expanding += result.action != OTAPRIO_GUARD_EXPAND;

        size_t total = SIZE_MAX;
        CHECK(otaprio_guard_report_strata(report, r, NULL, 0, &total) ==
              OTAPRIO_OK);
        CHECK(total == rows_of[r]);
        otaprio_guard_stratum strata[MAX_ROWS + 1];
        for (size_t i = 0; i < COUNT(strata); i++) {
            memset(&strata[i], 0xA5, sizeof strata[i]);
            strata[i].size = sizeof strata[i];
        }
        /* Room for all but one: the last slot must stay as it was. */
        size_t room = total > 0 ? total - 1 : 0;
        CHECK(otaprio_guard_report_strata(report, r, strata, room, &total) ==
              OTAPRIO_OK);
        CHECK(otaprio_guard_report_strata(report, r, strata, total, &total) ==
              OTAPRIO_OK);
        uint32_t failing = 0;
        for (size_t i = 0; i < total; i++) {
            CHECK(named_verdict(strata[i].verdict));
            CHECK(otaprio_guard_reason_name(strata[i].reason) != NULL);
            CHECK(p_value_ok(strata[i].p_value));
            CHECK(p_value_ok(strata[i].adjusted_p_value));
            if (strata[i].verdict == OTAPRIO_GUARD_FAIL) {
                /* Failing strata come first. */
                CHECK(failing == i);
                failing++;
            }
        }
        CHECK(failing == result.failing_strata);
    }
    CHECK(action == gravest);
    size_t reasons = otaprio_guard_report_reason_count(report);
    CHECK(reasons == not_expanding);
    CHECK((reasons == 0) == (action == OTAPRIO_GUARD_EXPAND));
    int previous = OTAPRIO_GUARD_ROLLBACK;
    for (size_t i = 0; i < reasons; i++) {
        otaprio_guard_reason reason;
        reason.size = sizeof reason;
        CHECK(otaprio_guard_report_reason(report, i, &reason) == OTAPRIO_OK);
        CHECK(reason.rule < rules);
        CHECK(reason.action > OTAPRIO_GUARD_EXPAND &&
              reason.action <= previous);
        CHECK(otaprio_guard_reason_name(reason.code) != NULL);
        CHECK(p_value_ok(reason.p_value));
        previous = reason.action;
    }
    /* Out of range and malformed queries are refused. */
    otaprio_guard_result result;
    result.size = sizeof result;
    CHECK(otaprio_guard_report_result(report, (uint32_t)rules, &result) ==
          OTAPRIO_E_RANGE);
    otaprio_guard_reason reason;
    reason.size = sizeof reason;
    CHECK(otaprio_guard_report_reason(report, reasons, &reason) ==
          OTAPRIO_E_RANGE);
    result.size = 0;
    CHECK(otaprio_guard_report_result(report, 0, &result) ==
          OTAPRIO_E_STRUCT_SIZE);
    size_t total;
    CHECK(otaprio_guard_report_strata(report, (uint32_t)rules, NULL, 0,
                                      &total) == OTAPRIO_E_RANGE);
}

/* Two reports of the same data agree, result by result. */
static void check_same(const otaprio_guard_report *a,
                       const otaprio_guard_report *b, size_t rules)
{
    CHECK(otaprio_guard_report_action(a) == otaprio_guard_report_action(b));
    CHECK(otaprio_guard_report_reason_count(a) ==
          otaprio_guard_report_reason_count(b));
    for (uint32_t r = 0; r < rules; r++) {
        otaprio_guard_result x, y;
        memset(&x, 0, sizeof x);
        memset(&y, 0, sizeof y);
        x.size = y.size = sizeof x;
        CHECK(otaprio_guard_report_result(a, r, &x) == OTAPRIO_OK);
        CHECK(otaprio_guard_report_result(b, r, &y) == OTAPRIO_OK);
        CHECK(memcmp(&x, &y, sizeof x) == 0);
    }
}

/* ---- sequences
 * --------------------------------------------------------------- */

/* A sequence for entry `data`: fresh, reloaded from its own bytes, or
 * forged from the input; NULL when the rule is not sequential (the
 * refusal is then checked) or the input says none. */
static otaprio_guard_sequence *
take_sequence(input *in, const otaprio_guard_set *set, uint32_t rule)
{
    uint8_t how = take_u8(in) % 4;
    if (how == 0)
        return NULL;
    otaprio_guard_sequence *sequence = NULL;
    int status =
        otaprio_guard_sequence_create(set, rule, NULL, &sequence, NULL);
    CHECK(status == OTAPRIO_OK || status == OTAPRIO_E_INVALID ||
          status == OTAPRIO_E_RANGE);
    CHECK((status == OTAPRIO_OK) == (sequence != NULL));
    if (sequence == NULL || how == 1)
        return sequence;
    unsigned char bytes[OTAPRIO_GUARD_SEQUENCE_BYTES];
    CHECK(otaprio_guard_sequence_save(sequence, bytes, sizeof bytes - 1) ==
          OTAPRIO_E_LIMIT);
    CHECK(otaprio_guard_sequence_save(sequence, bytes, sizeof bytes) ==
          OTAPRIO_OK);
    if (how == 3) {
        /* Forged: a few bytes changed, or the length cut. */
        size_t at = take_u8(in) % sizeof bytes;
        bytes[at] ^= (unsigned char)(take_u8(in) | 1u);
    }
    otaprio_guard_sequence *loaded = NULL;
    size_t length =
        how == 3 && (take_u8(in) & 1u) ? sizeof bytes - 1 : sizeof bytes;
    status = otaprio_guard_sequence_load(set, rule, bytes, length, NULL,
                                         &loaded, NULL);
    CHECK(status == OTAPRIO_OK || status == OTAPRIO_E_SYNTAX ||
          status == OTAPRIO_E_RANGE);
    CHECK((status == OTAPRIO_OK) == (loaded != NULL));
    if (how == 2)
        CHECK(status == OTAPRIO_OK);
    otaprio_guard_sequence_free(sequence);
    return loaded;
}

static void check_sequence_bytes(const otaprio_guard_set *set, uint32_t rule,
                                 const otaprio_guard_sequence *sequence)
{
    uint64_t looks = 0;
    double p = -1.0;
    CHECK(otaprio_guard_sequence_status(sequence, &looks, &p) == OTAPRIO_OK);
    CHECK(p_value_ok(p) && !isnan(p));
    unsigned char bytes[OTAPRIO_GUARD_SEQUENCE_BYTES];
    CHECK(otaprio_guard_sequence_save(sequence, bytes, sizeof bytes) ==
          OTAPRIO_OK);
    otaprio_guard_sequence *loaded = NULL;
    CHECK(otaprio_guard_sequence_load(set, rule, bytes, sizeof bytes, NULL,
                                      &loaded, NULL) == OTAPRIO_OK);
    uint64_t looks2 = 0;
    double p2 = -1.0;
    CHECK(otaprio_guard_sequence_status(loaded, &looks2, &p2) == OTAPRIO_OK);
    CHECK(looks2 == looks && p2 == p);
    otaprio_guard_sequence_free(loaded);
}

/* ---- per-device counting
 * -------------------------------------------------------- */

static void fuzz_count_devices(input *in)
{
    uint64_t keys[MAX_EXECUTIONS];
    uint8_t failed[MAX_EXECUTIONS];
    size_t n = take_u8(in) % (MAX_EXECUTIONS + 1);
    bool bad = false;
    for (size_t i = 0; i < n; i++) {
        keys[i] = take_u8(in) % 8;
        uint8_t f = take_u8(in);
        failed[i] = f < 250 ? f & 1u : f;
        bad = bad || failed[i] > 1;
    }
    int final_outcome = take_u8(in) % 3 == 2 ? 2 : (int)(take_u8(in) & 1u);
    uint64_t failures = 77, trials = 77;
    int status = otaprio_guard_count_devices(keys, failed, n, final_outcome,
                                             NULL, &failures, &trials, NULL);
    if (status != OTAPRIO_OK) {
        CHECK(status == OTAPRIO_E_RANGE || status == OTAPRIO_E_INVALID);
        CHECK(failures == 77 && trials == 77);
        return;
    }
    CHECK(!bad);
    CHECK(failures <= trials && trials <= n && (n == 0) == (trials == 0));
}

/* ---- the target
 * -------------------------------------------------------------------- */

static bool evaluate_status(int status)
{
    return status == OTAPRIO_E_INVALID || status == OTAPRIO_E_RANGE ||
           status == OTAPRIO_E_DUPLICATE || status == OTAPRIO_E_LIMIT ||
           status == OTAPRIO_E_OVERFLOW || status == CALLBACK_STOP;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    fuzz_count_devices(&in);

    otaprio_guard_options options;
    take_options(&in, &options);
    otaprio_guard_rule rules[MAX_RULES];
    size_t count = 1 + take_u8(&in) % MAX_RULES;
    for (size_t i = 0; i < count; i++)
        take_rule(&in, &rules[i]);
    otaprio_guard_set *set = (otaprio_guard_set *)&count; /* must stay */
    otaprio_guard_set *const untouched = set;
    int status = otaprio_guard_set_create(take_u8(&in) == 255 ? NULL : &options,
                                          rules, count, NULL, &set, NULL);
    if (status != OTAPRIO_OK) {
        CHECK(set_status(status));
        CHECK(set == untouched);
        return 0;
    }
    CHECK(otaprio_guard_set_rule_count(set) == count);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t found = UINT32_MAX;
        CHECK(otaprio_guard_set_find(set, rules[i].name, &found) == OTAPRIO_OK);
        CHECK(found == i);
        CHECK(strcmp(otaprio_guard_set_rule_name(set, i), rules[i].name) == 0);
    }
    CHECK(otaprio_guard_set_rule_name(set, (uint32_t)count) == NULL);

    static entry_data entries[MAX_ENTRIES];
    otaprio_guard_data data_entries[MAX_ENTRIES];
    otaprio_guard_sequence *sequences[MAX_ENTRIES] = {NULL};
    size_t entry_count = take_u8(&in) % (MAX_ENTRIES + 1);
    for (size_t e = 0; e < entry_count; e++) {
        take_entry(&in, count, &entries[e], &data_entries[e]);
        uint32_t rule = data_entries[e].rule;
        if (rule < count) {
            /* Sometimes another rule's state, which must be refused. */
            uint32_t owner =
                take_u8(&in) < 240 ? rule : (rule + 1) % (uint32_t)count;
            sequences[e] = take_sequence(&in, set, owner);
            data_entries[e].sequence = sequences[e];
        }
    }

    otaprio_guard_report *report = NULL;
    status = otaprio_guard_evaluate(set, data_entries, entry_count, NULL,
                                    &report, NULL);
    if (status != OTAPRIO_OK) {
        CHECK(evaluate_status(status));
        CHECK(report == NULL);
    } else {
        size_t rows_of[MAX_RULES] = {0};
        for (size_t e = 0; e < entry_count; e++)
            rows_of[data_entries[e].rule] = data_entries[e].rows;
        check_report(report, count, rows_of);
        /* Again, without the sequences (they have moved): the same
         * report for every rule that has none. */
        bool any_sequence = false;
        for (size_t e = 0; e < entry_count; e++) {
            any_sequence = any_sequence || sequences[e] != NULL;
            entries[e].calls = 0;
            entries[e].stop_at = -1;
        }
        if (!any_sequence) {
            otaprio_guard_report *again = NULL;
            CHECK(otaprio_guard_evaluate(set, data_entries, entry_count, NULL,
                                         &again, NULL) == OTAPRIO_OK);
            check_same(report, again, count);
            otaprio_guard_report_free(again);
        }
        for (size_t e = 0; e < entry_count; e++)
            if (sequences[e] != NULL)
                check_sequence_bytes(set, data_entries[e].rule, sequences[e]);
    }
    otaprio_guard_report_free(report);
    for (size_t e = 0; e < entry_count; e++)
        otaprio_guard_sequence_free(sequences[e]);
    otaprio_guard_set_free(set);
    return 0;
}
