/* SPDX-License-Identifier: MIT */
/*
 * otaprio-bench-sequential: the cost of one look of the guardrail
 * engine's sequential test (otaprio__sequence_observe, src/stats_sequential.c).
 * There is no peer to run beside it (no library a user would pick offers
 * this test), so it is its own program rather than an otaprio-bench entry,
 * and it reaches the internal function through the static library.
 *
 *   otaprio-bench-sequential [--looks N] [--reps R] [--seed S] [--json]
 *
 * Input: N hourly looks (default 100,000) of cumulative totals; each hour
 * the canary gains 1 + u/8 units of exposure and the baseline 3 + 3u/8
 * (u uniform in [0, 1)), and events Binomial(4, 1/2) and Binomial(12, 1/2)
 * (popcounts of draws of SplitMix64(seed)): equal rates, the null, as most
 * campaigns run. A second input gives the canary Binomial(6, 1/2) events,
 * a rate ratio of 1.5, whose evidence piles up. Nearly every look brings
 * events, so nearly every look is the full update (16 alternatives, one
 * log1p each, and the mixture's exp of the terms that matter).
 *
 * Each repetition starts a fresh state and times the N looks in one run;
 * reported: the median over R repetitions (default 21) of the time per
 * look, in wall time (CLOCK_MONOTONIC) and in this thread's CPU time
 * (steadier on a shared machine), for the null looks, the regression's,
 * looks with nothing new (validation only), and a serialise + deserialise
 * round trip of the state; and, for comparison, a proportion's
 * fixed-sample update (Fisher's exact test and the score test on one
 * stratum's table).
 * Exit status: 0 success, 1 a library call failed, 2 bad usage.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"
#include "stats_sequential.h"

#include "bench.h"

#define DEFAULT_SEED UINT64_C(0x6f74617072696f21) /* otaprio-bench's */

typedef struct options {
    uint64_t looks, reps, seed;
    int json;
} options;

typedef struct totals {
    uint64_t canary_events, baseline_events;
    double canary_exposure, baseline_exposure;
} totals;

static int parse_options(int argc, char **argv, options *opts)
{
    *opts = (options){.looks = 100000, .reps = 21, .seed = DEFAULT_SEED};
    for (int i = 1; i < argc; i++) {
        uint64_t *target = NULL;
        if (strcmp(argv[i], "--json") == 0) {
            opts->json = 1;
            continue;
        }
        if (strcmp(argv[i], "--looks") == 0)
            target = &opts->looks;
        else if (strcmp(argv[i], "--reps") == 0)
            target = &opts->reps;
        else if (strcmp(argv[i], "--seed") == 0)
            target = &opts->seed;
        if (target == NULL || i + 1 == argc ||
            bench_parse_u64(argv[i + 1], target) != 0) {
            fprintf(stderr, "usage: otaprio-bench-sequential [--looks N] "
                            "[--reps R] [--seed S] [--json]\n");
            return -1;
        }
        i++;
    }
    if (opts->looks == 0 || opts->looks > 100000000 || opts->reps == 0 ||
        opts->reps > 10000) {
        fprintf(stderr, "otaprio-bench-sequential: --looks must be in "
                        "1..1e8 and --reps in 1..10000\n");
        return -1;
    }
    return 0;
}

static double unit(uint64_t seed, uint64_t index)
{
    return (double)(bench_splitmix64(seed, index) >> 11) * 0x1p-53;
}

static uint64_t ones(uint64_t bits)
{
    uint64_t count = 0;
    for (; bits != 0; bits &= bits - 1)
        count++;
    return count;
}

/* `canary_bits` coin flips a hour for the canary (4: the null). */
static totals *make_looks(uint64_t seed, size_t n, int canary_bits)
{
    totals *t = malloc(n * sizeof *t);
    if (t == NULL)
        return NULL;
    totals at = {0, 0, 0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        uint64_t draw = bench_splitmix64(seed, 2 * i);
        double u = unit(seed, 2 * i + 1);
        at.canary_events += ones(draw & ((1u << canary_bits) - 1));
        at.baseline_events += ones((draw >> 16) & 0xfff);
        at.canary_exposure += 1.0 + u / 8.0;
        at.baseline_exposure += 3.0 + 3.0 * u / 8.0;
        t[i] = at;
    }
    return t;
}

static int64_t cpu_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wall and CPU time per item since the start marks. */
typedef struct mark {
    int64_t wall, cpu;
} mark;

static mark start_mark(void)
{
    return (mark){bench_now_ns(), cpu_now_ns()};
}

static void stop_mark(mark m, size_t n, double *wall, double *cpu)
{
    *wall = (double)(bench_now_ns() - m.wall) / (double)n;
    *cpu = (double)(cpu_now_ns() - m.cpu) / (double)n;
}

/* Times one pass over the looks from a fresh state, in ns per look;
 * `repeat` looks at the first totals every time (nothing new). */
static int time_pass(const totals *t, size_t n, int repeat, double *wall,
                     double *cpu, otaprio__sequence *s)
{
    if (otaprio__sequence_init(s, 1.0, NULL) != OTAPRIO_OK)
        return -1;
    mark m = start_mark();
    for (size_t i = 0; i < n; i++) {
        const totals *l = &t[repeat ? 0 : i];
        if (otaprio__sequence_observe(s, l->canary_events, l->canary_exposure,
                                      l->baseline_events, l->baseline_exposure,
                                      NULL) != OTAPRIO_OK)
            return -1;
    }
    stop_mark(m, n, wall, cpu);
    return 0;
}

static int time_round_trip(const otaprio__sequence *s, size_t n, double *wall,
                           double *cpu)
{
    unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
    otaprio__sequence back;
    mark m = start_mark();
    for (size_t i = 0; i < n; i++) {
        otaprio__sequence_serialize(s, bytes);
        if (otaprio__sequence_deserialize(&back, bytes, sizeof bytes, NULL) !=
            OTAPRIO_OK)
            return -1;
    }
    stop_mark(m, n, wall, cpu);
    return memcmp(&back, s, sizeof back) == 0 ? 0 : -1;
}

/* A proportion's fixed-sample update, for comparison: the one-sided test
 * of a stratum's table after a look, canary failures of 1,000 devices
 * against baseline failures of 10,000, the failures taken from the look's
 * events (a few tens and a few hundreds): Fisher's exact test, as the
 * guardrail engine runs it below its exact limit, and the score test it
 * runs above. */
static int time_proportion(const totals *t, size_t n, bool exact, double *wall,
                           double *cpu, double *log_p)
{
    otaprio__test test = {0};
    double sum = 0.0;
    mark m = start_mark();
    for (size_t i = 0; i < n; i++) {
        uint64_t x1 = t[i].canary_events % 50, x2 = t[i].baseline_events % 300;
        int status =
            exact ? otaprio__fisher_exact(x1, 1000, x2, 10000,
                                          OTAPRIO__ALT_GREATER, &test)
                  : otaprio__two_proportion_score(x1, 1000, x2, 10000,
                                                  OTAPRIO__ALT_GREATER, &test);
        if (status != OTAPRIO_OK)
            return -1;
        sum += test.log_p_value; /* kept, so no call is optimised away */
    }
    stop_mark(m, n, wall, cpu);
    *log_p = sum;
    return 0;
}

#define MEASURES 6
static const char *const measure_names[MEASURES] = {
    "null_look",  "regression_look", "empty_look",
    "round_trip", "fisher_update",   "score_update"};

int main(int argc, char **argv)
{
    options opts;
    if (parse_options(argc, argv, &opts) != 0)
        return 2;
    size_t n = (size_t)opts.looks, reps = (size_t)opts.reps;
    totals *null = make_looks(opts.seed, n, 4);
    totals *worse = make_looks(opts.seed, n, 6);
    /* wall[k * reps + r], cpu likewise, for measure k in repetition r */
    double *wall = malloc(MEASURES * reps * sizeof *wall);
    double *cpu = malloc(MEASURES * reps * sizeof *cpu);
    double *scratch = malloc(reps * sizeof *scratch);
    int failed = null == NULL || worse == NULL || wall == NULL || cpu == NULL ||
                 scratch == NULL;
    if (failed)
        fprintf(stderr, "otaprio-bench-sequential: out of memory\n");
    otaprio__sequence s;
    double log_p[2] = {0.0, 0.0};
    for (size_t r = 0; r < reps && !failed; r++) {
        failed |= time_pass(null, n, 1, &wall[2 * reps + r], &cpu[2 * reps + r],
                            &s) != 0;
        failed |=
            time_pass(worse, n, 0, &wall[reps + r], &cpu[reps + r], &s) != 0;
        log_p[1] = otaprio__sequence_log_p(&s);
        failed |= time_pass(null, n, 0, &wall[r], &cpu[r], &s) != 0;
        log_p[0] = otaprio__sequence_log_p(&s);
        failed |= time_round_trip(&s, n < 100000 ? n : 100000,
                                  &wall[3 * reps + r], &cpu[3 * reps + r]) != 0;
        double sink;
        failed |= time_proportion(null, n, true, &wall[4 * reps + r],
                                  &cpu[4 * reps + r], &sink) != 0;
        failed |= time_proportion(null, n, false, &wall[5 * reps + r],
                                  &cpu[5 * reps + r], &sink) != 0;
    }
    if (failed && null != NULL && worse != NULL && wall != NULL &&
        cpu != NULL && scratch != NULL)
        fprintf(stderr, "otaprio-bench-sequential: a library call failed\n");
    if (!failed) {
        double w[MEASURES], c[MEASURES];
        for (int k = 0; k < MEASURES; k++) {
            w[k] = bench_median(wall + k * reps, reps, scratch);
            c[k] = bench_median(cpu + k * reps, reps, scratch);
        }
        if (opts.json) {
            printf("{\"bench\": \"stats_sequential\", \"looks\": %zu, "
                   "\"reps\": %zu",
                   n, reps);
            for (int k = 0; k < MEASURES; k++)
                printf(", \"%s_ns\": %.2f, \"%s_cpu_ns\": %.2f",
                       measure_names[k], w[k], measure_names[k], c[k]);
            printf(", \"null_log_p\": %.17g, \"regression_log_p\": %.17g}\n",
                   log_p[0], log_p[1]);
        } else {
            printf("sequential test, %zu looks x %zu reps, median ns per "
                   "item (wall, thread CPU):\n",
                   n, reps);
            for (int k = 0; k < MEASURES; k++)
                printf("  %-16s %8.2f %8.2f\n", measure_names[k], w[k], c[k]);
            printf("  final log p: null %.6g, regression %.6g\n", log_p[0],
                   log_p[1]);
        }
    }
    free(null);
    free(worse);
    free(wall);
    free(cpu);
    free(scratch);
    return failed ? 1 : 0;
}
