/* SPDX-License-Identifier: MIT */
/* Version, status names and the diagnostics struct. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void version_matches_the_headers(void **state)
{
    (void)state;
    assert_int_equal(otaprio_version(), OTAPRIO_VERSION_NUMBER);
    assert_string_equal(otaprio_version_string(), OTAPRIO_VERSION_STRING);
    char spelled[32];
    snprintf(spelled, sizeof spelled, "%d.%d.%d", OTAPRIO_VERSION_MAJOR,
             OTAPRIO_VERSION_MINOR, OTAPRIO_VERSION_PATCH);
    assert_string_equal(spelled, OTAPRIO_VERSION_STRING);
}

static void every_status_has_its_own_name(void **state)
{
    (void)state;
    const int codes[] = {OTAPRIO_OK,          OTAPRIO_E_INVALID,
                         OTAPRIO_E_NOMEM,     OTAPRIO_E_STRUCT_SIZE,
                         OTAPRIO_E_RANGE,     OTAPRIO_E_OVERFLOW,
                         OTAPRIO_E_SYNTAX,    OTAPRIO_E_CYCLE,
                         OTAPRIO_E_NOT_FOUND, OTAPRIO_E_DUPLICATE,
                         OTAPRIO_E_LIMIT};
    const size_t n = sizeof codes / sizeof codes[0];
    const char *unknown = otaprio_strerror(-1000);
    for (size_t i = 0; i < n; i++) {
        const char *name = otaprio_strerror(codes[i]);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        assert_string_not_equal(name, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(name, otaprio_strerror(codes[j]));
    }
}

static void status_values_are_frozen(void **state)
{
    (void)state;
    /* These numbers are ABI: a binding may have them hard-coded. */
    assert_int_equal(OTAPRIO_OK, 0);
    assert_int_equal(OTAPRIO_E_INVALID, -1);
    assert_int_equal(OTAPRIO_E_NOMEM, -2);
    assert_int_equal(OTAPRIO_E_STRUCT_SIZE, -3);
    assert_int_equal(OTAPRIO_E_RANGE, -4);
    assert_int_equal(OTAPRIO_E_OVERFLOW, -5);
    assert_int_equal(OTAPRIO_E_SYNTAX, -6);
    assert_int_equal(OTAPRIO_E_CYCLE, -7);
    assert_int_equal(OTAPRIO_E_NOT_FOUND, -8);
    assert_int_equal(OTAPRIO_E_DUPLICATE, -9);
    assert_int_equal(OTAPRIO_E_LIMIT, -10);
}

static void unknown_and_callback_statuses_get_generic_names(void **state)
{
    (void)state;
    assert_string_equal(otaprio_strerror(-1000), "unknown error");
    assert_string_equal(otaprio_strerror(7), "status from a caller's callback");
}

static void diag_init_fills_neutral_values(void **state)
{
    (void)state;
    otaprio_diag diag;
    memset(&diag, 0xAB, sizeof diag);
    assert_int_equal(otaprio_diag_init(&diag), OTAPRIO_OK);
    assert_int_equal(diag.size, sizeof diag);
    assert_int_equal(diag.status, OTAPRIO_OK);
    assert_string_equal(diag.field, "");
    assert_int_equal(diag.index, -1);
    assert_string_equal(diag.message, "");
}

static void diag_init_rejects_null_and_short_sizes(void **state)
{
    (void)state;
    assert_int_equal((otaprio_diag_init)(NULL, sizeof(otaprio_diag)),
                     OTAPRIO_E_INVALID);
    otaprio_diag diag;
    memset(&diag, 0xAB, sizeof diag);
    assert_int_equal((otaprio_diag_init)(&diag, sizeof diag - 1),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(diag.index, (int64_t)0xABABABABABABABABull);
}

static void fail_fills_every_field_and_returns_the_status(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio__fail(&diag, OTAPRIO_E_RANGE, "battery", 41,
                               "battery[%d] is %s", 41, "NaN");
    assert_int_equal(status, OTAPRIO_E_RANGE);
    assert_int_equal(diag.size, sizeof diag);
    assert_int_equal(diag.status, OTAPRIO_E_RANGE);
    assert_string_equal(diag.field, "battery");
    assert_int_equal(diag.index, 41);
    assert_string_equal(diag.message, "battery[41] is NaN");
}

static void fail_truncates_long_messages_safely(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    char long_text[1000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    otaprio__fail(&diag, OTAPRIO_E_INVALID, NULL, -1, "%s", long_text);
    assert_int_equal(strlen(diag.message), OTAPRIO_DIAG_MESSAGE_MAX - 1);
    assert_string_equal(diag.field, "");
}

static void fail_tolerates_null_and_malformed_diags(void **state)
{
    (void)state;
    assert_int_equal(otaprio__fail(NULL, OTAPRIO_E_NOMEM, "x", 0, "ignored"),
                     OTAPRIO_E_NOMEM);
    otaprio_diag diag;
    memset(&diag, 0xAB, sizeof diag);
    diag.size = 2; /* never prepared */
    assert_int_equal(otaprio__fail(&diag, OTAPRIO_E_NOMEM, "x", 0, "ignored"),
                     OTAPRIO_E_NOMEM);
    assert_int_equal(diag.size, 2);
    assert_int_equal(diag.index, (int64_t)0xABABABABABABABABull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_matches_the_headers),
        cmocka_unit_test(every_status_has_its_own_name),
        cmocka_unit_test(status_values_are_frozen),
        cmocka_unit_test(unknown_and_callback_statuses_get_generic_names),
        cmocka_unit_test(diag_init_fills_neutral_values),
        cmocka_unit_test(diag_init_rejects_null_and_short_sizes),
        cmocka_unit_test(fail_fills_every_field_and_returns_the_status),
        cmocka_unit_test(fail_truncates_long_messages_safely),
        cmocka_unit_test(fail_tolerates_null_and_malformed_diags),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
