/* SPDX-License-Identifier: MIT */
/* The table of benchmarks, one row per name in bench/meson.build (via the
 * generated bench_list.h), so registering a bench needs no edit here. */
#include <string.h>

#include "bench.h"

static const bench_def *const registry[] = {
#define X(name) &bench_##name,
    OTAPRIO_BENCH_LIST
#undef X
};

size_t bench_count(void)
{
    return sizeof registry / sizeof registry[0];
}

const bench_def *bench_at(size_t index)
{
    return index < bench_count() ? registry[index] : NULL;
}

const bench_def *bench_find(const char *name)
{
    for (size_t i = 0; i < bench_count(); i++) {
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    }
    return NULL;
}
