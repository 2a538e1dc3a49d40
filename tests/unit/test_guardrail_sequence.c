/* SPDX-License-Identifier: MIT */
/*
 * Sequential guardrails through the public API: the host's state advances
 * with each successful evaluation and only then, survives a trip through
 * bytes, and refuses to be read for another rule or from damaged bytes.
 * The statistics' own guarantees (false alarms under repeated looks) are
 * tested in test_stats_sequential.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit/guard_fixture.h"

#define SEQUENCE_SENTINEL ((otaprio_guard_sequence *)(uintptr_t)0x5e9)

typedef struct fixture {
    otaprio_guard_set *set;
} fixture;

static int setup(void **state)
{
    static fixture f;
    otaprio_guard_rule rules[3] = {
        guard_rule("crashes", OTAPRIO_GUARD_RATE),
        guard_rule("install-failures", OTAPRIO_GUARD_PROPORTION),
        guard_rule("fixed", OTAPRIO_GUARD_RATE),
    };
    rules[0].sequential = 1;
    rules[0].margin = 0.2;
    rules[1].sequential = 1;
    if (otaprio_guard_set_create(NULL, rules, 3, NULL, &f.set, NULL) !=
        OTAPRIO_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    otaprio_guard_set_free(f->set);
    return 0;
}

static otaprio_guard_result evaluate_rate(const otaprio_guard_set *set,
                                          otaprio_guard_sequence *sequence,
                                          uint64_t cx, double ct, uint64_t bx,
                                          double bt, int *status)
{
    guard_rows rows = {.rows = 0};
    guard_add_rate(&rows, cx, ct, bx, bt);
    otaprio_guard_data data = guard_data_of(0, &rows, 24.0);
    data.sequence = sequence;
    otaprio_guard_report *report = NULL;
    otaprio_guard_result result = {.size = sizeof result};
    *status = otaprio_guard_evaluate(set, &data, 1, NULL, &report, NULL);
    if (*status == OTAPRIO_OK)
        otaprio_guard_report_result(report, 0, &result);
    otaprio_guard_report_free(report);
    return result;
}

static void looks_advance_the_state(void **state)
{
    fixture *f = *state;
    otaprio_guard_sequence *seq = NULL;
    assert_int_equal(otaprio_guard_sequence_create(f->set, 0, NULL, &seq, NULL),
                     OTAPRIO_OK);
    uint64_t looks = 9;
    double p = 0.0;
    assert_int_equal(otaprio_guard_sequence_status(seq, &looks, &p),
                     OTAPRIO_OK);
    assert_int_equal(looks, 0);
    assert_true(p == 1.0);

    /* Hourly looks at cumulative counts: the canary crashes at three times
     * the baseline's rate, where 1.2 is allowed. */
    int status;
    double previous = 1.0;
    int first_failure = -1;
    for (int hour = 1; hour <= 24; hour++) {
        otaprio_guard_result r =
            evaluate_rate(f->set, seq, (uint64_t)(3 * hour), 100.0 * hour,
                          (uint64_t)(10 * hour), 1000.0 * hour, &status);
        assert_int_equal(status, OTAPRIO_OK);
        assert_int_equal(r.test, OTAPRIO_GUARD_TEST_SEQUENTIAL);
        /* The always-valid p-value never rises. */
        assert_true(r.p_value <= previous);
        previous = r.p_value;
        if (r.verdict == OTAPRIO_GUARD_FAIL && first_failure < 0)
            first_failure = hour;
        if (first_failure > 0)
            assert_int_equal(r.verdict, OTAPRIO_GUARD_FAIL);
    }
    assert_true(first_failure > 0);
    assert_int_equal(otaprio_guard_sequence_status(seq, &looks, NULL),
                     OTAPRIO_OK);
    assert_int_equal(looks, 24);

    /* Counts going backwards are refused and leave the state alone. */
    unsigned char before[OTAPRIO_GUARD_SEQUENCE_BYTES];
    unsigned char after[OTAPRIO_GUARD_SEQUENCE_BYTES];
    assert_int_equal(otaprio_guard_sequence_save(seq, before, sizeof before),
                     OTAPRIO_OK);
    (void)evaluate_rate(f->set, seq, 10, 100.0, 10, 1000.0, &status);
    assert_int_equal(status, OTAPRIO_E_RANGE);
    assert_int_equal(otaprio_guard_sequence_save(seq, after, sizeof after),
                     OTAPRIO_OK);
    assert_memory_equal(before, after, sizeof before);
    otaprio_guard_sequence_free(seq);
}

static void a_sound_canary_is_not_stopped(void **state)
{
    fixture *f = *state;
    otaprio_guard_sequence *seq = NULL;
    assert_int_equal(otaprio_guard_sequence_create(f->set, 0, NULL, &seq, NULL),
                     OTAPRIO_OK);
    int status;
    for (int hour = 1; hour <= 48; hour++) {
        otaprio_guard_result r =
            evaluate_rate(f->set, seq, (uint64_t)hour, 100.0 * hour,
                          (uint64_t)(10 * hour), 1000.0 * hour, &status);
        assert_int_equal(status, OTAPRIO_OK);
        assert_int_equal(r.verdict, OTAPRIO_GUARD_PASS);
    }
    otaprio_guard_sequence_free(seq);
}

static void bytes_round_trip(void **state)
{
    fixture *f = *state;
    otaprio_guard_sequence *seq = NULL, *copy = NULL;
    assert_int_equal(otaprio_guard_sequence_create(f->set, 0, NULL, &seq, NULL),
                     OTAPRIO_OK);
    int status;
    (void)evaluate_rate(f->set, seq, 7, 300.0, 20, 3000.0, &status);
    assert_int_equal(status, OTAPRIO_OK);
    unsigned char bytes[OTAPRIO_GUARD_SEQUENCE_BYTES + 4];
    assert_int_equal(otaprio_guard_sequence_save(
                         seq, bytes, OTAPRIO_GUARD_SEQUENCE_BYTES - 1),
                     OTAPRIO_E_LIMIT);
    assert_int_equal(otaprio_guard_sequence_save(seq, bytes, sizeof bytes),
                     OTAPRIO_OK);
    assert_memory_equal(bytes, "otaprioG", 8);
    assert_int_equal(otaprio_guard_sequence_load(f->set, 0, bytes,
                                                 OTAPRIO_GUARD_SEQUENCE_BYTES,
                                                 NULL, &copy, NULL),
                     OTAPRIO_OK);
    /* The copy goes on exactly as the original does. */
    otaprio_guard_result a =
        evaluate_rate(f->set, seq, 15, 600.0, 41, 6000.0, &status);
    otaprio_guard_result b =
        evaluate_rate(f->set, copy, 15, 600.0, 41, 6000.0, &status);
    assert_true(a.p_value == b.p_value);
    unsigned char x[OTAPRIO_GUARD_SEQUENCE_BYTES], y[sizeof x];
    assert_int_equal(otaprio_guard_sequence_save(seq, x, sizeof x), OTAPRIO_OK);
    assert_int_equal(otaprio_guard_sequence_save(copy, y, sizeof y),
                     OTAPRIO_OK);
    assert_memory_equal(x, y, sizeof x);
    otaprio_guard_sequence_free(copy);
    otaprio_guard_sequence_free(seq);
}

static void foreign_and_damaged_states_are_refused(void **state)
{
    fixture *f = *state;
    otaprio_guard_sequence *seq = NULL, *other = NULL;
    assert_int_equal(otaprio_guard_sequence_create(f->set, 0, NULL, &seq, NULL),
                     OTAPRIO_OK);
    assert_int_equal(
        otaprio_guard_sequence_create(f->set, 1, NULL, &other, NULL),
        OTAPRIO_OK);
    unsigned char bytes[OTAPRIO_GUARD_SEQUENCE_BYTES];
    assert_int_equal(otaprio_guard_sequence_save(seq, bytes, sizeof bytes),
                     OTAPRIO_OK);
    otaprio_guard_sequence *loaded = SEQUENCE_SENTINEL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);

    /* Saved for rule 0, read for rule 1: foreign. */
    assert_int_equal(otaprio_guard_sequence_load(f->set, 1, bytes, sizeof bytes,
                                                 NULL, &loaded, &diag),
                     OTAPRIO_E_RANGE);
    assert_ptr_equal(loaded, SEQUENCE_SENTINEL);
    /* A rule that is not sequential has no state at all. */
    assert_int_equal(otaprio_guard_sequence_load(f->set, 2, bytes, sizeof bytes,
                                                 NULL, &loaded, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(
        otaprio_guard_sequence_create(f->set, 2, NULL, &loaded, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(
        otaprio_guard_sequence_create(f->set, 3, NULL, &loaded, NULL),
        OTAPRIO_E_RANGE);
    /* Rule 1's sequence handed in for rule 0. */
    int status;
    (void)evaluate_rate(f->set, other, 1, 10.0, 1, 10.0, &status);
    assert_int_equal(status, OTAPRIO_E_INVALID);
    /* A sequence for a rule that is not sequential. */
    guard_rows rows = {.rows = 0};
    guard_add_rate(&rows, 1, 10.0, 1, 10.0);
    otaprio_guard_data data = guard_data_of(2, &rows, 1.0);
    data.sequence = seq;
    otaprio_guard_report *report = NULL;
    assert_int_equal(
        otaprio_guard_evaluate(f->set, &data, 1, NULL, &report, NULL),
        OTAPRIO_E_INVALID);
    assert_null(report);

    /* Every damaged byte is refused, as not a state or as a foreign one. */
    for (size_t i = 0; i < sizeof bytes; i++) {
        unsigned char damaged[sizeof bytes];
        memcpy(damaged, bytes, sizeof bytes);
        damaged[i] ^= 0x20;
        int code = otaprio_guard_sequence_load(
            f->set, 0, damaged, sizeof damaged, NULL, &loaded, NULL);
        assert_true(code == OTAPRIO_E_SYNTAX || code == OTAPRIO_E_RANGE);
        assert_ptr_equal(loaded, SEQUENCE_SENTINEL);
    }
    /* Wrong lengths. */
    assert_int_equal(otaprio_guard_sequence_load(f->set, 0, bytes,
                                                 sizeof bytes - 1, NULL,
                                                 &loaded, NULL),
                     OTAPRIO_E_SYNTAX);
    assert_int_equal(
        otaprio_guard_sequence_load(f->set, 0, NULL, 0, NULL, &loaded, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_sequence_status(NULL, NULL, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_guard_sequence_save(NULL, bytes, sizeof bytes),
                     OTAPRIO_E_INVALID);
    otaprio_guard_sequence_free(other);
    otaprio_guard_sequence_free(seq);
    otaprio_guard_sequence_free(NULL);
}

/* A proportion rides on the rate test with devices as the exposure. */
static void proportions_are_sequential_too(void **state)
{
    fixture *f = *state;
    otaprio_guard_sequence *seq = NULL;
    assert_int_equal(otaprio_guard_sequence_create(f->set, 1, NULL, &seq, NULL),
                     OTAPRIO_OK);
    int failed_at = 0;
    for (int look = 1; look <= 12 && failed_at == 0; look++) {
        guard_rows rows = {.rows = 0};
        guard_add_proportion(&rows, (uint64_t)(8 * look),
                             (uint64_t)(100 * look), (uint64_t)(20 * look),
                             (uint64_t)(1000 * look));
        otaprio_guard_data data = guard_data_of(1, &rows, 24.0);
        data.sequence = seq;
        otaprio_guard_report *report = NULL;
        assert_int_equal(
            otaprio_guard_evaluate(f->set, &data, 1, NULL, &report, NULL),
            OTAPRIO_OK);
        otaprio_guard_result r = {.size = sizeof r};
        assert_int_equal(otaprio_guard_report_result(report, 1, &r),
                         OTAPRIO_OK);
        assert_int_equal(r.test, OTAPRIO_GUARD_TEST_SEQUENTIAL);
        if (r.verdict == OTAPRIO_GUARD_FAIL)
            failed_at = look;
        otaprio_guard_report_free(report);
    }
    /* Eight per cent against two: caught within a few looks. */
    assert_true(failed_at > 0 && failed_at <= 4);
    otaprio_guard_sequence_free(seq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(looks_advance_the_state),
        cmocka_unit_test(a_sound_canary_is_not_stopped),
        cmocka_unit_test(bytes_round_trip),
        cmocka_unit_test(foreign_and_damaged_states_are_refused),
        cmocka_unit_test(proportions_are_sequential_too),
    };
    return cmocka_run_group_tests_name("guardrail_sequence", tests, setup,
                                       teardown);
}
