/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure harness, in the spirit of SQLite's and curl's: run a
 * scenario with an allocator that fails its N-th allocation, for N = 1, 2,
 * ... until the scenario runs without meeting a failure. Every failing run
 * must return the expected status and leave no block allocated.
 */
#ifndef OTAPRIO_TEST_ALLOC_FAIL_H
#define OTAPRIO_TEST_ALLOC_FAIL_H

#include <stddef.h>

#include "otaprio/common.h"

/* Counts and fails allocations; its `allocator` routes through it. */
typedef struct failing_allocator {
    otaprio_allocator allocator;
    long fail_at;     /* 1-based attempt to fail; 0 never fails */
    long attempts;    /* alloc and realloc calls so far */
    long live_blocks; /* blocks allocated and not yet freed */
    int failed;       /* whether the planned failure happened */
} failing_allocator;

/* Prepares `fa` to fail its `fail_at`-th allocation attempt (0: never). */
void failing_allocator_prepare(failing_allocator *fa, long fail_at);

/*
 * A scenario builds and tears down whatever it tests with `allocator`. It
 * returns the status of the first call that failed, or OTAPRIO_OK, and must
 * itself check (with cmocka asserts) that nothing the caller owns was
 * touched on failure.
 */
typedef int (*alloc_scenario)(const otaprio_allocator *allocator, void *ctx);

/*
 * Runs `scenario` failing the 1st, 2nd, ... allocation until a run meets no
 * failure. Asserts that every failing run returned `expected_status`, that
 * no run leaked, and that the final run succeeded. Returns how many failure
 * points were exercised, so a test can assert its scenario allocates at all.
 */
long alloc_fail_sweep(alloc_scenario scenario, void *ctx, int expected_status);

#endif
