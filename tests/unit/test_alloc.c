/* SPDX-License-Identifier: MIT */
/* The caller's allocator and the internal helpers that honour it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "internal.h"

static void allocator_init_selects_the_c_library(void **state)
{
    (void)state;
    otaprio_allocator allocator;
    memset(&allocator, 0xAB, sizeof allocator);
    assert_int_equal(otaprio_allocator_init(&allocator), OTAPRIO_OK);
    assert_int_equal(allocator.size, sizeof allocator);
    assert_null(allocator.alloc_fn);
    assert_null(allocator.realloc_fn);
    assert_null(allocator.free_fn);
    assert_null(allocator.user);
    assert_int_equal((otaprio_allocator_init)(NULL, sizeof allocator),
                     OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_allocator_init)(&allocator, 3),
                     OTAPRIO_E_STRUCT_SIZE);
}

static void resolve_without_allocator_uses_the_c_library(void **state)
{
    (void)state;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    void *block = otaprio__mem_alloc(&mem, 64);
    assert_non_null(block);
    otaprio__mem_free(&mem, block);
    otaprio__mem_free(&mem, NULL);
}

static void resolve_routes_every_call_to_the_callers_functions(void **state)
{
    (void)state;
    failing_allocator fa;
    failing_allocator_prepare(&fa, 0);
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, &fa.allocator, NULL),
                     OTAPRIO_OK);
    void *block = otaprio__mem_alloc(&mem, 0);
    assert_non_null(block);
    assert_int_equal(fa.attempts, 1);
    assert_int_equal(fa.live_blocks, 1);
    otaprio__mem_free(&mem, block);
    assert_int_equal(fa.live_blocks, 0);
}

static void resolve_refuses_a_partial_allocator(void **state)
{
    (void)state;
    failing_allocator fa;
    failing_allocator_prepare(&fa, 0);
    fa.allocator.realloc_fn = NULL;
    otaprio__mem mem;
    memset(&mem, 0xAB, sizeof mem);
    otaprio__mem before = mem;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio__mem_resolve(&mem, &fa.allocator, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "allocator");
    assert_non_null(strstr(diag.message, "2 of 3"));
    assert_memory_equal(&mem, &before, sizeof mem);
}

static void resolve_refuses_an_unprepared_allocator(void **state)
{
    (void)state;
    otaprio_allocator allocator;
    memset(&allocator, 0, sizeof allocator);
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, &allocator, NULL),
                     OTAPRIO_E_STRUCT_SIZE);
}

static void zalloc_array_zeroes_and_detects_overflow(void **state)
{
    (void)state;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    void *out = (void *)&mem; /* sentinel: must survive failures */
    assert_int_equal(otaprio__mem_zalloc_array(&mem, SIZE_MAX / 2, 4, &out),
                     OTAPRIO_E_OVERFLOW);
    assert_ptr_equal(out, &mem);
    uint32_t *words = NULL;
    assert_int_equal(
        otaprio__mem_zalloc_array(&mem, 100, sizeof *words, (void **)&words),
        OTAPRIO_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(words[i], 0);
    otaprio__mem_free(&mem, words);
}

static int zalloc_and_free(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio__mem mem;
    int status = otaprio__mem_resolve(&mem, allocator, NULL);
    if (status != OTAPRIO_OK)
        return status;
    void *block = &mem; /* sentinel: a failure must leave it alone */
    status = otaprio__mem_zalloc_array(&mem, 16, sizeof(double), &block);
    if (status != OTAPRIO_OK) {
        assert_ptr_equal(block, &mem);
        return status;
    }
    otaprio__mem_free(&mem, block);
    return OTAPRIO_OK;
}

static void zalloc_array_reports_allocation_failure(void **state)
{
    (void)state;
    assert_int_equal(alloc_fail_sweep(zalloc_and_free, NULL, OTAPRIO_E_NOMEM),
                     1);
}

static void vec_push_refuses_a_full_length_counter(void **state)
{
    (void)state;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    /* Unreachable in practice; the guard keeps length + 1 from wrapping. */
    otaprio__vec vec = {.elem_size = 1, .length = SIZE_MAX};
    char byte = 0;
    assert_int_equal(otaprio__vec_push(&mem, &vec, &byte), OTAPRIO_E_OVERFLOW);
    assert_null(vec.data);
}

static void vec_push_keeps_every_element_in_order(void **state)
{
    (void)state;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    otaprio__vec vec = {.elem_size = sizeof(uint64_t)};
    for (uint64_t i = 0; i < 10000; i++)
        assert_int_equal(otaprio__vec_push(&mem, &vec, &i), OTAPRIO_OK);
    assert_int_equal(vec.length, 10000);
    assert_true(vec.capacity >= vec.length);
    const uint64_t *values = vec.data;
    for (uint64_t i = 0; i < 10000; i++)
        assert_int_equal(values[i], i);
    otaprio__vec_release(&mem, &vec);
    assert_null(vec.data);
    assert_int_equal(vec.length, 0);
    assert_int_equal(vec.elem_size, sizeof(uint64_t));
}

static void vec_reserve_refuses_sizes_past_the_address_space(void **state)
{
    (void)state;
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    otaprio__vec vec = {.elem_size = 16};
    assert_int_equal(otaprio__vec_reserve(&mem, &vec, SIZE_MAX / 8),
                     OTAPRIO_E_OVERFLOW);
    assert_null(vec.data);
    assert_int_equal(vec.capacity, 0);
}

/* Growth in many steps: the harness fails each allocation in turn. */
static int grow_and_release(const otaprio_allocator *allocator, void *ctx)
{
    const size_t count = *(const size_t *)ctx;
    otaprio__mem mem;
    int status = otaprio__mem_resolve(&mem, allocator, NULL);
    if (status != OTAPRIO_OK)
        return status;
    otaprio__vec vec = {.elem_size = sizeof(uint32_t)};
    for (uint32_t i = 0; i < count; i++) {
        size_t length_before = vec.length;
        status = otaprio__vec_push(&mem, &vec, &i);
        if (status != OTAPRIO_OK) {
            /* A failed push leaves the vector whole and unchanged. */
            assert_int_equal(vec.length, length_before);
            const uint32_t *values = vec.data;
            for (uint32_t j = 0; j < vec.length; j++)
                assert_int_equal(values[j], j);
            break;
        }
    }
    otaprio__vec_release(&mem, &vec);
    return status;
}

static void vec_growth_survives_every_allocation_failure(void **state)
{
    (void)state;
    size_t count = 5000;
    long points = alloc_fail_sweep(grow_and_release, &count, OTAPRIO_E_NOMEM);
    /* 8 elements first, then half again each time: about 18 steps. */
    assert_true(points > 10);
    assert_true(points < 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocator_init_selects_the_c_library),
        cmocka_unit_test(resolve_without_allocator_uses_the_c_library),
        cmocka_unit_test(resolve_routes_every_call_to_the_callers_functions),
        cmocka_unit_test(resolve_refuses_a_partial_allocator),
        cmocka_unit_test(resolve_refuses_an_unprepared_allocator),
        cmocka_unit_test(zalloc_array_zeroes_and_detects_overflow),
        cmocka_unit_test(zalloc_array_reports_allocation_failure),
        cmocka_unit_test(vec_push_refuses_a_full_length_counter),
        cmocka_unit_test(vec_push_keeps_every_element_in_order),
        cmocka_unit_test(vec_reserve_refuses_sizes_past_the_address_space),
        cmocka_unit_test(vec_growth_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
