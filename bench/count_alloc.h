/* SPDX-License-Identifier: MIT */
/*
 * A counting otaprio_allocator for benchmarks that report the library's
 * memory exactly: bytes live and their peak, whatever the C library's
 * allocator rounds them up to.
 */
#ifndef OTAPRIO_BENCH_COUNT_ALLOC_H
#define OTAPRIO_BENCH_COUNT_ALLOC_H

#include <stddef.h>

#include "otaprio/common.h"

typedef struct bench_counter {
    otaprio_allocator allocator; /* routes through the counts below */
    size_t live;                 /* bytes allocated and not yet freed */
    size_t peak;                 /* the most `live` has been */
} bench_counter;

/* Prepares the counts at zero and `counter->allocator` to keep them. */
void bench_counter_init(bench_counter *counter);

#endif /* OTAPRIO_BENCH_COUNT_ALLOC_H */
