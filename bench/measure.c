/* SPDX-License-Identifier: MIT */
/* The timed loop and its statistic. Nothing here judges a time: numbers
 * are reported, never asserted. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

int64_t bench_now_ns(void)
{
    struct timespec now;
    /* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer; it does
     * not jump with NTP steps, unlike CLOCK_REALTIME. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + (int64_t)now.tv_nsec;
}

/* Repetitions of a bench of operations: the operations alternate, so a
 * burst of load on this shared machine hits all of them alike. */
static int measure_ops(const bench_def *def, void *state, size_t reps,
                       double *samples_ms, double *op_samples_ms)
{
    for (size_t i = 0; i < reps; i++) {
        samples_ms[i] = 0;
        for (size_t op = 0; op < def->op_count; op++) {
            if (def->op_prepare != NULL && def->op_prepare(state, op) != 0)
                return BENCH_E_PREPARE;
            int64_t start = bench_now_ns();
            int status = def->op_run(state, op);
            int64_t stop = bench_now_ns();
            if (status != 0)
                return status;
            double ms = (double)(stop - start) / 1e6;
            op_samples_ms[op * reps + i] = ms;
            samples_ms[i] += ms;
        }
    }
    return 0;
}

int bench_measure(const bench_def *def, void *state, size_t reps,
                  double *samples_ms, double *op_samples_ms)
{
    if (def->op_count > 0)
        return measure_ops(def, state, reps, samples_ms, op_samples_ms);
    for (size_t i = 0; i < reps; i++) {
        int64_t start = bench_now_ns();
        int status = def->run(state);
        int64_t stop = bench_now_ns();
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

/* Four independent sums: no loop-carried chain limits the adds, and an
 * optimising compiler turns them into vector adds (integer addition is
 * associative, so it may without -ffast-math). Not inlined, so that each
 * repetition is one call reading the whole buffer. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint64_t
sum_words(const uint64_t *buffer, size_t words)
{
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= words; i += 4) {
        s0 += buffer[i];
        s1 += buffer[i + 1];
        s2 += buffer[i + 2];
        s3 += buffer[i + 3];
    }
    for (; i < words; i++)
        s0 += buffer[i];
    return s0 + s1 + s2 + s3;
}

/* Enough for a steady median; more repetitions are ignored. */
#define BENCH_BANDWIDTH_MAX_REPS 64

uint64_t bench_read_bandwidth(const uint64_t *buffer, size_t words, size_t reps,
                              double *bytes_per_s)
{
    double rates[BENCH_BANDWIDTH_MAX_REPS];
    double scratch[BENCH_BANDWIDTH_MAX_REPS];
    if (reps < 1)
        reps = 1;
    if (reps > BENCH_BANDWIDTH_MAX_REPS)
        reps = BENCH_BANDWIDTH_MAX_REPS;
    uint64_t all = 0;
    for (size_t i = 0; i < reps; i++) {
        int64_t start = bench_now_ns();
        uint64_t sum = sum_words(buffer, words);
        int64_t stop = bench_now_ns();
        /* Each repetition's sum feeds the result: none is dead code. */
        all = all * UINT64_C(0x9E3779B97F4A7C15) + sum;
        double seconds = (double)(stop - start) / 1e9;
        rates[i] = seconds > 0 ? (double)words * sizeof *buffer / seconds : 0;
    }
    *bytes_per_s = bench_median(rates, reps, scratch);
    return all;
}
