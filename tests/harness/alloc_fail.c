/* SPDX-License-Identifier: MIT */
#include "alloc_fail.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

static int should_fail(failing_allocator *fa)
{
    fa->attempts++;
    if (fa->fail_at != 0 && fa->attempts == fa->fail_at) {
        fa->failed = 1;
        return 1;
    }
    return 0;
}

static void *counting_alloc(void *user, size_t bytes)
{
    failing_allocator *fa = user;
    if (should_fail(fa))
        return NULL;
    void *block = malloc(bytes);
    if (block != NULL)
        fa->live_blocks++;
    return block;
}

static void *counting_realloc(void *user, void *block, size_t bytes)
{
    failing_allocator *fa = user;
    if (should_fail(fa))
        return NULL;
    return realloc(block, bytes);
}

static void counting_free(void *user, void *block)
{
    failing_allocator *fa = user;
    assert_non_null(block);
    fa->live_blocks--;
    free(block);
}

void failing_allocator_prepare(failing_allocator *fa, long fail_at)
{
    otaprio_allocator_init(&fa->allocator);
    fa->allocator.alloc_fn = counting_alloc;
    fa->allocator.realloc_fn = counting_realloc;
    fa->allocator.free_fn = counting_free;
    fa->allocator.user = fa;
    fa->fail_at = fail_at;
    fa->attempts = 0;
    fa->live_blocks = 0;
    fa->failed = 0;
}

long alloc_fail_sweep(alloc_scenario scenario, void *ctx, int expected_status)
{
    failing_allocator fa;
    /* Bounded so a scenario whose allocations never end cannot hang. */
    for (long fail_at = 1; fail_at <= 1000000; fail_at++) {
        failing_allocator_prepare(&fa, fail_at);
        int status = scenario(&fa.allocator, ctx);
        assert_int_equal(fa.live_blocks, 0);
        if (!fa.failed) {
            assert_int_equal(status, OTAPRIO_OK);
            return fail_at - 1;
        }
        assert_int_equal(status, expected_status);
    }
    fail_msg("scenario still allocating after 1000000 attempts");
    return -1;
}
