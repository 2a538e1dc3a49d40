/* SPDX-License-Identifier: MIT */
/*
 * The size-prefixed struct convention: a caller built against older headers
 * (a smaller struct) or newer ones (a larger struct) must both work. Three
 * synthetic versions of one struct play the three ages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* Version 1, as first published. */
typedef struct opts_v1 {
    size_t size;
    int64_t alpha;
} opts_v1;

/* Version 2 appends a field: this is the library's current layout. */
typedef struct opts_v2 {
    size_t size;
    int64_t alpha;
    int64_t beta;
} opts_v2;

/* Version 3 appends another: a caller from the future. */
typedef struct opts_v3 {
    size_t size;
    int64_t alpha;
    int64_t beta;
    int64_t gamma;
} opts_v3;

static const otaprio__layout layout = {"opts", sizeof(opts_v2),
                                       sizeof(opts_v1)};
static const opts_v2 defaults = {sizeof(opts_v2), 10, 20};

static void init_writes_only_an_older_callers_fields(void **state)
{
    (void)state;
    struct {
        opts_v1 opts;
        unsigned char guard[16];
    } caller;
    memset(&caller, 0xAB, sizeof caller);
    assert_int_equal(otaprio__struct_init(&caller.opts, sizeof caller.opts,
                                          &defaults, &layout),
                     OTAPRIO_OK);
    assert_int_equal(caller.opts.size, sizeof(opts_v1));
    assert_int_equal(caller.opts.alpha, 10);
    for (size_t i = 0; i < sizeof caller.guard; i++)
        assert_int_equal(caller.guard[i], 0xAB);
}

static void init_zeroes_a_newer_callers_tail(void **state)
{
    (void)state;
    opts_v3 caller;
    memset(&caller, 0xAB, sizeof caller);
    assert_int_equal(
        otaprio__struct_init(&caller, sizeof caller, &defaults, &layout),
        OTAPRIO_OK);
    assert_int_equal(caller.size, sizeof(opts_v3));
    assert_int_equal(caller.alpha, 10);
    assert_int_equal(caller.beta, 20);
    assert_int_equal(caller.gamma, 0);
}

static void init_refuses_a_size_below_the_first_layout(void **state)
{
    (void)state;
    opts_v1 caller;
    memset(&caller, 0xAB, sizeof caller);
    assert_int_equal(
        otaprio__struct_init(&caller, sizeof(size_t), &defaults, &layout),
        OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(caller.alpha, (int64_t)0xABABABABABABABABull);
}

static void init_without_defaults_zeroes_and_refuses_null(void **state)
{
    (void)state;
    opts_v3 caller;
    memset(&caller, 0xAB, sizeof caller);
    assert_int_equal(
        otaprio__struct_init(&caller, sizeof caller, NULL, &layout),
        OTAPRIO_OK);
    assert_int_equal(caller.size, sizeof caller);
    assert_int_equal(caller.alpha, 0);
    assert_int_equal(caller.beta, 0);
    assert_int_equal(caller.gamma, 0);
    assert_int_equal(
        otaprio__struct_init(NULL, sizeof caller, &defaults, &layout),
        OTAPRIO_E_INVALID);
}

static void read_keeps_defaults_for_fields_an_older_caller_lacks(void **state)
{
    (void)state;
    opts_v1 caller = {sizeof caller, 7};
    opts_v2 full = defaults;
    assert_int_equal(otaprio__struct_read(&full, &caller, &layout, NULL),
                     OTAPRIO_OK);
    assert_int_equal(full.size, sizeof(opts_v2));
    assert_int_equal(full.alpha, 7);
    assert_int_equal(full.beta, 20);
}

static void read_takes_every_field_of_a_current_caller(void **state)
{
    (void)state;
    opts_v2 caller = {sizeof caller, 7, 8};
    opts_v2 full = defaults;
    assert_int_equal(otaprio__struct_read(&full, &caller, &layout, NULL),
                     OTAPRIO_OK);
    assert_int_equal(full.alpha, 7);
    assert_int_equal(full.beta, 8);
}

static void read_accepts_a_newer_caller_whose_new_fields_are_zero(void **state)
{
    (void)state;
    opts_v3 caller = {sizeof caller, 7, 8, 0};
    opts_v2 full = defaults;
    assert_int_equal(otaprio__struct_read(&full, &caller, &layout, NULL),
                     OTAPRIO_OK);
    assert_int_equal(full.size, sizeof(opts_v2));
    assert_int_equal(full.alpha, 7);
    assert_int_equal(full.beta, 8);
}

static void read_refuses_a_newer_field_it_cannot_honour(void **state)
{
    (void)state;
    opts_v3 caller = {sizeof caller, 7, 8, 1};
    opts_v2 full = defaults;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio__struct_read(&full, &caller, &layout, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(diag.status, OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "size");
    char expected[64];
    snprintf(expected, sizeof expected, "opts.size is %zu and sets fields",
             sizeof caller);
    assert_non_null(strstr(diag.message, expected));
    /* Nothing was read: the defaults stand. */
    assert_int_equal(full.alpha, 10);
    assert_int_equal(full.beta, 20);
}

static void read_refuses_a_size_below_the_first_layout(void **state)
{
    (void)state;
    opts_v2 caller = {3, 7, 8};
    opts_v2 full = defaults;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio__struct_read(&full, &caller, &layout, &diag),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_non_null(strstr(diag.message, "init function"));
    assert_int_equal(full.alpha, 10);
}

static void write_fills_only_an_older_callers_fields(void **state)
{
    (void)state;
    struct {
        opts_v1 opts;
        unsigned char guard[16];
    } caller;
    memset(&caller, 0xAB, sizeof caller);
    caller.opts.size = sizeof caller.opts;
    opts_v2 full = {sizeof full, 1, 2};
    assert_int_equal(otaprio__struct_write(&caller.opts, &full, &layout),
                     OTAPRIO_OK);
    assert_int_equal(caller.opts.size, sizeof(opts_v1));
    assert_int_equal(caller.opts.alpha, 1);
    for (size_t i = 0; i < sizeof caller.guard; i++)
        assert_int_equal(caller.guard[i], 0xAB);
}

static void write_leaves_a_newer_callers_tail_alone(void **state)
{
    (void)state;
    opts_v3 caller;
    memset(&caller, 0xAB, sizeof caller);
    caller.size = sizeof caller;
    opts_v2 full = {sizeof full, 1, 2};
    assert_int_equal(otaprio__struct_write(&caller, &full, &layout),
                     OTAPRIO_OK);
    assert_int_equal(caller.size, sizeof(opts_v3));
    assert_int_equal(caller.alpha, 1);
    assert_int_equal(caller.beta, 2);
    assert_int_equal(caller.gamma, (int64_t)0xABABABABABABABABull);
}

static void write_refuses_a_size_below_the_first_layout(void **state)
{
    (void)state;
    opts_v2 caller = {4, 99, 99};
    opts_v2 full = {sizeof full, 1, 2};
    assert_int_equal(otaprio__struct_write(&caller, &full, &layout),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal(caller.alpha, 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_writes_only_an_older_callers_fields),
        cmocka_unit_test(init_zeroes_a_newer_callers_tail),
        cmocka_unit_test(init_refuses_a_size_below_the_first_layout),
        cmocka_unit_test(init_without_defaults_zeroes_and_refuses_null),
        cmocka_unit_test(read_keeps_defaults_for_fields_an_older_caller_lacks),
        cmocka_unit_test(read_takes_every_field_of_a_current_caller),
        cmocka_unit_test(read_accepts_a_newer_caller_whose_new_fields_are_zero),
        cmocka_unit_test(read_refuses_a_newer_field_it_cannot_honour),
        cmocka_unit_test(read_refuses_a_size_below_the_first_layout),
        cmocka_unit_test(write_fills_only_an_older_callers_fields),
        cmocka_unit_test(write_leaves_a_newer_callers_tail_alone),
        cmocka_unit_test(write_refuses_a_size_below_the_first_layout),
    };
    return cmocka_run_group_tests_name("structs", tests, NULL, NULL);
}
