/* SPDX-License-Identifier: MIT */
/*
 * Rollback drills: which device classes of a mix with low storage, stale
 * credentials and intermittent connectivity have a tested path back; the
 * coverage rule (same class, same or harsher conditions; a failure under
 * exactly the class's conditions wins), its monotonicity, and bad tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio/rollback.h"
#include "unit/splitmix.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define POISON 0xA5

enum {
    LOW = OTAPRIO_ROLLBACK_CONDITION_LOW_STORAGE,
    STALE = OTAPRIO_ROLLBACK_CONDITION_STALE_CREDENTIALS,
    FLAKY = OTAPRIO_ROLLBACK_CONDITION_INTERMITTENT,
    COVERED = OTAPRIO_ROLLBACK_DRILL_COVERED,
    UNTESTED = OTAPRIO_ROLLBACK_DRILL_UNTESTED,
    FAILED = OTAPRIO_ROLLBACK_DRILL_FAILED
};

static void check(const otaprio_rollback_classes *classes,
                  const otaprio_rollback_drills *drills, uint8_t *status,
                  size_t *uncovered)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int rc =
        otaprio_rollback_drill_check(classes, drills, status, uncovered, &diag);
    if (rc != OTAPRIO_OK)
        print_error("drill_check: %s\n", diag.message);
    assert_int_equal(rc, OTAPRIO_OK);
}

/* A handset fleet, a kiosk fleet and a gateway fleet, each with its
 * adverse variants, against last quarter's drills. */
static void classes_without_a_tested_path_back_are_reported(void **state)
{
    (void)state;
    const uint64_t ids[] = {1, 1, 1, 2, 2, 3, 3};
    const uint8_t conditions[] = {0, LOW, LOW | STALE, 0, FLAKY, 0, STALE};
    otaprio_rollback_classes classes;
    otaprio_rollback_classes_init(&classes);
    classes.count = COUNT(ids);
    classes.class_id = ids;
    classes.conditions = conditions;

    const uint64_t drill_ids[] = {1, 2, 2, 3, 3, 4};
    const uint8_t drill_conditions[] = {LOW | STALE | FLAKY, 0,     FLAKY,
                                        STALE | LOW,         STALE, 0};
    const uint8_t tested[] = {1, 1, 1, 1, 1, 1};
    const uint8_t succeeded[] = {1, 1, 0, 1, 0, 1};
    otaprio_rollback_drills drills;
    otaprio_rollback_drills_init(&drills);
    drills.count = COUNT(drill_ids);
    drills.class_id = drill_ids;
    drills.conditions = drill_conditions;
    drills.tested = tested;
    drills.succeeded = succeeded;

    uint8_t status[COUNT(ids)];
    size_t uncovered = 99;
    check(&classes, &drills, status, &uncovered);
    /* Handsets: one drill under every condition covers every variant.
     * Kiosks: fine on good links, failed on flaky ones. Gateways: fine
     * fresh (a harsher drill passed), failed with stale credentials
     * although a drill with low storage too passed: the exact
     * counterexample wins. */
    const uint8_t expected[] = {COVERED, COVERED, COVERED, COVERED,
                                FAILED,  COVERED, FAILED};
    assert_memory_equal(status, expected, sizeof expected);
    assert_int_equal(uncovered, 2);

    /* A milder drill covers nothing harsher; an untested row is no drill. */
    const uint64_t one[] = {5};
    const uint8_t harsh[] = {LOW | FLAKY};
    classes.count = 1;
    classes.class_id = one;
    classes.conditions = harsh;
    const uint8_t mild[] = {LOW};
    const uint8_t yes[] = {1};
    const uint8_t no[] = {0};
    drills.count = 1;
    drills.class_id = one;
    drills.conditions = mild;
    drills.tested = yes;
    drills.succeeded = yes;
    check(&classes, &drills, status, &uncovered);
    assert_int_equal(status[0], UNTESTED);
    assert_int_equal(uncovered, 1);
    drills.conditions = harsh;
    drills.tested = no;
    drills.succeeded = no;
    check(&classes, &drills, status, &uncovered);
    assert_int_equal(status[0], UNTESTED);
    drills.tested = NULL; /* all tested */
    check(&classes, &drills, status, &uncovered);
    assert_int_equal(status[0], FAILED);
    drills.succeeded = yes;
    check(&classes, &drills, status, &uncovered);
    assert_int_equal(status[0], COVERED);
    assert_int_equal(uncovered, 0);

    /* Conditions NULL: every class and drill under none. */
    classes.conditions = NULL;
    drills.conditions = NULL;
    check(&classes, &drills, status, &uncovered);
    assert_int_equal(status[0], COVERED);

    /* Outputs are optional, and empty tables are fine. */
    check(&classes, &drills, NULL, NULL);
    otaprio_rollback_classes none;
    otaprio_rollback_classes_init(&none);
    otaprio_rollback_drills no_drills;
    otaprio_rollback_drills_init(&no_drills);
    check(&none, &no_drills, NULL, &uncovered);
    assert_int_equal(uncovered, 0);
    check(&classes, &no_drills, status, &uncovered);
    assert_int_equal(status[0], UNTESTED);
    assert_int_equal(uncovered, 1);
}

/* Against a brute-force reading of the rule, over random tables; and a
 * passing drill added never uncovers a class, a failing one never covers
 * one. */
static void coverage_follows_the_rule(void **state)
{
    (void)state;
    uint64_t rng = 0xd1111;
    for (int round = 0; round < 2000; round++) {
        enum { N = 6, M = 8 };
        uint64_t ids[N], drill_ids[M + 1];
        uint8_t cond[N], dcond[M + 1], tested[M + 1], ok[M + 1];
        size_t m = splitmix_below(&rng, M);
        for (size_t i = 0; i < N; i++) {
            ids[i] = splitmix_below(&rng, 3);
            cond[i] = (uint8_t)splitmix_below(&rng, 8);
        }
        for (size_t j = 0; j < m + 1; j++) {
            drill_ids[j] = splitmix_below(&rng, 3);
            dcond[j] = (uint8_t)splitmix_below(&rng, 8);
            tested[j] = (uint8_t)splitmix_below(&rng, 4) != 0;
            ok[j] = tested[j] && splitmix_below(&rng, 2);
        }
        otaprio_rollback_classes classes;
        otaprio_rollback_classes_init(&classes);
        classes.count = N;
        classes.class_id = ids;
        classes.conditions = cond;
        otaprio_rollback_drills drills;
        otaprio_rollback_drills_init(&drills);
        drills.count = m;
        drills.class_id = drill_ids;
        drills.conditions = dcond;
        drills.tested = tested;
        drills.succeeded = ok;
        uint8_t status[N];
        size_t uncovered;
        check(&classes, &drills, status, &uncovered);
        size_t missing = 0;
        for (size_t i = 0; i < N; i++) {
            bool pass = false, fail = false, exact_fail = false;
            for (size_t j = 0; j < m; j++) {
                if (drill_ids[j] != ids[i] || !tested[j] ||
                    (dcond[j] | cond[i]) != dcond[j])
                    continue;
                pass |= ok[j] != 0;
                fail |= ok[j] == 0;
                exact_fail |= ok[j] == 0 && dcond[j] == cond[i];
            }
            uint8_t want = exact_fail ? FAILED
                           : pass     ? COVERED
                           : fail     ? FAILED
                                      : UNTESTED;
            assert_int_equal(status[i], want);
            missing += want != COVERED;
        }
        assert_int_equal(uncovered, missing);

        /* One more drill, under a condition set other than any class's
         * exact one when it fails. */
        drills.count = m + 1;
        uint8_t after[N];
        check(&classes, &drills, after, &uncovered);
        for (size_t i = 0; i < N; i++) {
            if (ok[m] && status[i] == COVERED)
                assert_int_equal(after[i], COVERED);
            if (!ok[m] && status[i] != COVERED)
                assert_int_not_equal(after[i], COVERED);
        }
    }
}

static void expect_drill_error(const otaprio_rollback_classes *classes,
                               const otaprio_rollback_drills *drills,
                               int status, const char *field, int64_t index)
{
    uint8_t out[4];
    memset(out, POISON, sizeof out);
    size_t uncovered = 12345;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_rollback_drill_check(classes, drills, out, &uncovered, &diag),
        status);
    assert_string_equal(diag.field, field);
    assert_int_equal(diag.index, index);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], POISON);
    assert_int_equal(uncovered, 12345);
}

static void bad_tables_are_named_and_nothing_is_written(void **state)
{
    (void)state;
    const uint64_t ids[] = {1, 2};
    const uint8_t cond[] = {LOW, STALE};
    otaprio_rollback_classes classes;
    otaprio_rollback_classes_init(&classes);
    classes.count = 2;
    classes.class_id = ids;
    classes.conditions = cond;
    const uint8_t tested[] = {1, 1};
    const uint8_t ok[] = {1, 0};
    otaprio_rollback_drills drills;
    otaprio_rollback_drills_init(&drills);
    drills.count = 2;
    drills.class_id = ids;
    drills.conditions = cond;
    drills.tested = tested;
    drills.succeeded = ok;
    check(&classes, &drills, NULL, NULL);

    expect_drill_error(NULL, &drills, OTAPRIO_E_INVALID, "classes", -1);
    expect_drill_error(&classes, NULL, OTAPRIO_E_INVALID, "drills", -1);

    otaprio_rollback_classes c = classes;
    c.class_id = NULL;
    expect_drill_error(&c, &drills, OTAPRIO_E_INVALID, "classes.class_id", -1);
    const uint8_t bad_cond[] = {LOW, 8};
    c = classes;
    c.conditions = bad_cond;
    expect_drill_error(&c, &drills, OTAPRIO_E_RANGE, "classes.conditions", 1);
    c = classes;
    c.size = sizeof c - 1;
    expect_drill_error(&c, &drills, OTAPRIO_E_STRUCT_SIZE, "size", -1);

    otaprio_rollback_drills d = drills;
    d.class_id = NULL;
    expect_drill_error(&classes, &d, OTAPRIO_E_INVALID, "drills.class_id", -1);
    d = drills;
    d.succeeded = NULL;
    expect_drill_error(&classes, &d, OTAPRIO_E_INVALID, "drills.succeeded", -1);
    d = drills;
    d.conditions = bad_cond;
    expect_drill_error(&classes, &d, OTAPRIO_E_RANGE, "drills.conditions", 1);
    const uint8_t two[] = {1, 2};
    d = drills;
    d.tested = two;
    expect_drill_error(&classes, &d, OTAPRIO_E_RANGE, "drills.tested", 1);
    d = drills;
    d.succeeded = two;
    expect_drill_error(&classes, &d, OTAPRIO_E_RANGE, "drills.succeeded", 1);
    const uint8_t untested[] = {1, 0};
    const uint8_t passed[] = {0, 1};
    d = drills;
    d.tested = untested;
    d.succeeded = passed; /* passed without being run */
    expect_drill_error(&classes, &d, OTAPRIO_E_RANGE, "drills.succeeded", 1);
    d = drills;
    d.size = 0;
    expect_drill_error(&classes, &d, OTAPRIO_E_STRUCT_SIZE, "size", -1);

    /* NULL columns are fine with no rows. */
    otaprio_rollback_classes empty;
    otaprio_rollback_classes_init(&empty);
    otaprio_rollback_drills none;
    otaprio_rollback_drills_init(&none);
    assert_null(empty.class_id);
    assert_null(none.succeeded);
    check(&empty, &none, NULL, NULL);

    assert_int_equal((otaprio_rollback_classes_init)(NULL, sizeof empty),
                     OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_rollback_drills_init)(&none, 3),
                     OTAPRIO_E_STRUCT_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classes_without_a_tested_path_back_are_reported),
        cmocka_unit_test(coverage_follows_the_rule),
        cmocka_unit_test(bad_tables_are_named_and_nothing_is_written),
    };
    return cmocka_run_group_tests_name("rollback_drill", tests, NULL, NULL);
}
