/* SPDX-License-Identifier: MIT */
/* The timed loop and its statistic. Nothing here judges a time: numbers
 * are reported, never asserted. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static int64_t monotonic_ns(void)
{
    struct timespec now;
    /* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer; it does
     * not jump with NTP steps, unlike CLOCK_REALTIME. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + (int64_t)now.tv_nsec;
}

int bench_measure(const bench_def *def, void *state, size_t reps,
                  double *samples_ms)
{
    for (size_t i = 0; i < reps; i++) {
        int64_t start = monotonic_ns();
        int status = def->run(state);
        int64_t stop = monotonic_ns();
        if (status != 0)
            return status;
        samples_ms[i] = (double)(stop - start) / 1e6;
    }
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(const double *samples, size_t count, double *scratch)
{
    memcpy(scratch, samples, count * sizeof *scratch);
    qsort(scratch, count, sizeof *scratch, compare_doubles);
    return count % 2 != 0 ? scratch[count / 2]
                          : (scratch[count / 2 - 1] + scratch[count / 2]) / 2;
}
