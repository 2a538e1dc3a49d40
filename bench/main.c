/* SPDX-License-Identifier: MIT */
/*
 * otaprio-bench: runs one named benchmark and prints one JSON line.
 *
 *   otaprio-bench LIST                      names, one per line
 *   otaprio-bench NAME [--n N] [--reps R] [--seed S]
 *
 * Exit status: 0 success, 1 the benchmark failed, 2 bad usage. It never
 * judges the times it measures; bench/run.py compares them with a peer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/common.h"

#include "bench.h"

/* "otaprio!" in ASCII: any fixed value works, it only has to be the same
 * in every run so that checksums are comparable across runs and machines. */
#define BENCH_DEFAULT_SEED UINT64_C(0x6f74617072696f21)
#define BENCH_DEFAULT_REPS 5
/* Bounds the samples arrays; far beyond any useful repetition count. */
#define BENCH_MAX_REPS 100000

typedef struct options {
    const bench_def *def;
    size_t n;
    size_t reps;
    uint64_t seed;
} options;

static void usage(FILE *out)
{
    fprintf(out, "usage: otaprio-bench LIST\n"
                 "       otaprio-bench NAME [--n N] [--reps R] [--seed S]\n"
                 "Times the library operation of benchmark NAME R times on N "
                 "units of input\ngenerated from seed S, and prints one JSON "
                 "line.\n");
}

/* Returns 0, or 2 (the usage exit status) after saying what is wrong. */
static int parse_options(int argc, char **argv, options *opts)
{
    opts->def = bench_find(argv[1]);
    if (opts->def == NULL) {
        fprintf(stderr, "otaprio-bench: unknown benchmark '%s' (try LIST)\n",
                argv[1]);
        return 2;
    }
    opts->n = opts->def->default_n;
    opts->reps = BENCH_DEFAULT_REPS;
    opts->seed = BENCH_DEFAULT_SEED;
    for (int i = 2; i < argc; i += 2) {
        const char *flag = argv[i];
        uint64_t value;
        if (strcmp(flag, "--n") != 0 && strcmp(flag, "--reps") != 0 &&
            strcmp(flag, "--seed") != 0) {
            fprintf(stderr, "otaprio-bench: unknown option '%s'\n", flag);
            return 2;
        }
        if (i + 1 >= argc || bench_parse_u64(argv[i + 1], &value) != 0) {
            fprintf(stderr, "otaprio-bench: %s needs a non-negative integer\n",
                    flag);
            return 2;
        }
        if (strcmp(flag, "--seed") == 0) {
            opts->seed = value;
        } else if (strcmp(flag, "--n") == 0) {
            if (value < 1 || value > SIZE_MAX) {
                fprintf(stderr, "otaprio-bench: --n must be at least 1\n");
                return 2;
            }
            opts->n = (size_t)value;
        } else {
            if (value < 1 || value > BENCH_MAX_REPS) {
                fprintf(stderr, "otaprio-bench: --reps must be 1 to %d\n",
                        BENCH_MAX_REPS);
                return 2;
            }
            opts->reps = (size_t)value;
        }
    }
    return 0;
}

/* Times, digests and reports a benchmark whose input is built. Returns the
 * exit status. */
static int measure_and_report(const options *opts, void *state, double *samples,
                              double *scratch, double *op_samples,
                              double *op_medians)
{
    const bench_def *def = opts->def;
    int status = bench_measure(def, state, opts->reps, samples, op_samples);
    if (status != 0) {
        fprintf(stderr, "otaprio-bench: %s: %s\n", def->name,
                status == BENCH_E_PREPARE ? "preparing an operation failed"
                                          : otaprio_strerror(status));
        return 1;
    }
    for (size_t op = 0; op < def->op_count; op++)
        op_medians[op] =
            bench_median(op_samples + op * opts->reps, opts->reps, scratch);
    bench_digest digest = {0};
    if (def->digest(state, &digest) != 0) {
        fprintf(stderr, "otaprio-bench: %s: digest failed\n", def->name);
        return 1;
    }
    double median_ms = bench_median(samples, opts->reps, scratch);
    bench_extras extras = {0};
    if (def->extras != NULL && def->extras(state, median_ms, &extras) != 0) {
        fprintf(stderr, "otaprio-bench: %s: extra figures failed\n", def->name);
        return 1;
    }
    bench_result result = {
        .def = def,
        .n = opts->n,
        .seed = opts->seed,
        .reps = opts->reps,
        .samples_ms = samples,
        .median_ms = median_ms,
        .op_samples_ms = def->op_count > 0 ? op_samples : NULL,
        .op_medians_ms = def->op_count > 0 ? op_medians : NULL,
        .digest = &digest,
        .extras = &extras,
    };
    if (bench_report(&result) != 0) {
        fprintf(stderr, "otaprio-bench: cannot write the result\n");
        return 1;
    }
    return 0;
}

static int run_bench(const options *opts)
{
    int exit_status = 1;
    /* At least one of each: malloc(0) may return NULL. */
    size_t ops = opts->def->op_count > 0 ? opts->def->op_count : 1;
    double *samples = malloc(opts->reps * sizeof *samples);
    double *scratch = malloc(opts->reps * sizeof *scratch);
    double *op_samples = malloc(ops * opts->reps * sizeof *op_samples);
    double *op_medians = malloc(ops * sizeof *op_medians);
    void *state = NULL;
    if (samples == NULL || scratch == NULL || op_samples == NULL ||
        op_medians == NULL) {
        fprintf(stderr, "otaprio-bench: out of memory\n");
    } else if (opts->def->setup(opts->seed, opts->n, &state) == 0) {
        exit_status = measure_and_report(opts, state, samples, scratch,
                                         op_samples, op_medians);
        opts->def->teardown(state);
    }
    free(op_medians);
    free(op_samples);
    free(scratch);
    free(samples);
    return exit_status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "LIST") == 0) {
        if (argc != 2) {
            usage(stderr);
            return 2;
        }
        for (size_t i = 0; i < bench_count(); i++)
            printf("%s\n", bench_at(i)->name);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    options opts;
    int status = parse_options(argc, argv, &opts);
    if (status != 0)
        return status;
    return run_bench(&opts);
}
