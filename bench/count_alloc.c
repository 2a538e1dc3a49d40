/* SPDX-License-Identifier: MIT */
/* The counting allocator of count_alloc.h, over malloc. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "count_alloc.h"

/* Every block carries its size in front, so that frees and reallocs keep
 * the count exact; the header keeps malloc's alignment. */
#define COUNT_HEADER alignof(max_align_t)

static void count_add(bench_counter *c, size_t bytes)
{
    c->live += bytes;
    if (c->live > c->peak)
        c->peak = c->live;
}

static void *count_alloc(void *user, size_t bytes)
{
    if (bytes > SIZE_MAX - COUNT_HEADER)
        return NULL;
    unsigned char *block = malloc(bytes + COUNT_HEADER);
    if (block == NULL)
        return NULL;
    memcpy(block, &bytes, sizeof bytes);
    count_add(user, bytes);
    return block + COUNT_HEADER;
}

static void *count_realloc(void *user, void *old, size_t bytes)
{
    if (old == NULL)
        return count_alloc(user, bytes);
    if (bytes > SIZE_MAX - COUNT_HEADER)
        return NULL;
    unsigned char *start = (unsigned char *)old - COUNT_HEADER;
    size_t old_bytes;
    memcpy(&old_bytes, start, sizeof old_bytes);
    unsigned char *block = realloc(start, bytes + COUNT_HEADER);
    if (block == NULL)
        return NULL;
    memcpy(block, &bytes, sizeof bytes);
    bench_counter *c = user;
    c->live -= old_bytes;
    count_add(c, bytes);
    return block + COUNT_HEADER;
}

static void count_free(void *user, void *old)
{
    if (old == NULL)
        return;
    unsigned char *start = (unsigned char *)old - COUNT_HEADER;
    size_t bytes;
    memcpy(&bytes, start, sizeof bytes);
    ((bench_counter *)user)->live -= bytes;
    free(start);
}

void bench_counter_init(bench_counter *counter)
{
    memset(counter, 0, sizeof *counter);
    otaprio_allocator_init(&counter->allocator);
    counter->allocator.alloc_fn = count_alloc;
    counter->allocator.realloc_fn = count_realloc;
    counter->allocator.free_fn = count_free;
    counter->allocator.user = counter;
}
