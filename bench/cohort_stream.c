/* SPDX-License-Identifier: MIT */
/*
 * otaprio-cohort-stream: the memory of a 1% cohort over a fleet too large
 * to hold. Generates N devices (default 100,000,000) of the cohort
 * benchmarks' fleet (bench/cohort_gen.h) chunk by chunk into one reused
 * buffer, streams them through a sampler, finishes the cohort and prints
 * one JSON line: sizes, distance, the sampler's state size, peak resident
 * memory and times.
 *
 *   otaprio-cohort-stream [--n N] [--chunk C] [--seed S]
 *                         [--method proportional|hash|minimum]
 *
 * Peak memory is VmHWM of /proc/self/status (the process's own high-water
 * mark), read after the stream and again after the finish, with the
 * current VmRSS at both points and getrusage's ru_maxrss beside them.
 * Times: generating the chunks, the library's observe calls, and its
 * finish, each in wall time (CLOCK_MONOTONIC) and in this thread's CPU
 * time, which a machine shared with other work inflates less.
 * Exit status: 0 success, 1 a library call failed, 2 bad usage.
 */
#define _POSIX_C_SOURCE 200809L /* getrusage, clock_gettime under -std=c11 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "otaprio/cohort.h"

#include "bench.h"
#include "cohort_gen.h"

#define DEFAULT_SEED UINT64_C(0x6f74617072696f21) /* otaprio-bench's */
static const double stream_waves[] = {0.01};

typedef struct options {
    uint64_t n, chunk, seed;
    int32_t method;
    const char *method_name;
} options;

/* A "Vm...:" figure of /proc/self/status in KiB (VmHWM: the peak resident
 * set; VmRSS: the current one), or -1 without /proc. */
static double status_kib(const char *field)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    char line[256];
    size_t length = strlen(field);
    double kib = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        if (strncmp(line, field, length) == 0 && line[length] == ':') {
            kib = strtod(line + length + 1, NULL);
            break;
        }
    }
    fclose(status);
    return kib;
}

/* CPU time of this thread in nanoseconds: on a machine shared with other
 * work, the time the program ran rather than waited. */
static int64_t cpu_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (int64_t)now.tv_sec * 1000000000 + (int64_t)now.tv_nsec;
}

static double ru_maxrss_kib(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return -1;
    return (double)usage.ru_maxrss; /* KiB on Linux */
}

static int parse_options(int argc, char **argv, options *opts)
{
    *opts = (options){.n = 100000000,
                      .chunk = 65536,
                      .seed = DEFAULT_SEED,
                      .method = OTAPRIO_COHORT_PROPORTIONAL,
                      .method_name = "proportional"};
    for (int i = 1; i < argc; i += 2) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t number = 0;
        if (value == NULL)
            return -1;
        if (strcmp(flag, "--method") == 0) {
            if (strcmp(value, "proportional") == 0)
                opts->method = OTAPRIO_COHORT_PROPORTIONAL;
            else if (strcmp(value, "hash") == 0)
                opts->method = OTAPRIO_COHORT_HASH_THRESHOLD;
            else if (strcmp(value, "minimum") == 0)
                opts->method = OTAPRIO_COHORT_MINIMUM_COVERAGE;
            else
                return -1;
            opts->method_name = value;
            continue;
        }
        if (bench_parse_u64(value, &number) != 0)
            return -1;
        if (strcmp(flag, "--n") == 0 && number >= 1)
            opts->n = number;
        else if (strcmp(flag, "--chunk") == 0 && number >= 1 &&
                 number <= (UINT64_C(1) << 24))
            opts->chunk = number;
        else if (strcmp(flag, "--seed") == 0)
            opts->seed = number;
        else
            return -1;
    }
    return 0;
}

typedef struct figures {
    double rss_start_kib, rss_stream_kib, rss_finish_kib;
    double rss_now_stream_kib, rss_now_finish_kib;
    double generate_s, observe_s, finish_s, total_s;
    double generate_cpu_s, observe_cpu_s, finish_cpu_s;
    size_t state_bytes;
    otaprio_cohort_wave wave;
    otaprio_representativeness report;
    uint64_t strata;
} figures;

/* Streams the fleet and finishes it. Returns an otaprio status. */
static int stream(const options *opts, const cohort_gen *gen, uint64_t *keys,
                  uint32_t *const *codes, figures *f)
{
    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.salt = gen->salt;
    spec.method = opts->method;
    spec.dimension_count = COHORT_GEN_DIMENSIONS;
    spec.cardinalities = cohort_gen_cardinalities;
    spec.wave_count = 1;
    spec.waves = stream_waves;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    otaprio_cohort_sampler *sampler = NULL;
    otaprio_cohort *cohort = NULL;
    int64_t start = bench_now_ns(), library_ns = 0, generate_ns = 0;
    int64_t library_cpu = 0, generate_cpu = 0;
    int status = otaprio_cohort_sampler_create(&spec, NULL, &sampler, &diag);
    const uint32_t *columns[COHORT_GEN_DIMENSIONS];
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
        columns[d] = codes[d];
    for (uint64_t first = 0; status == OTAPRIO_OK && first < opts->n;
         first += opts->chunk) {
        size_t count = (size_t)(opts->n - first < opts->chunk ? opts->n - first
                                                              : opts->chunk);
        int64_t t0 = bench_now_ns(), c0 = cpu_now_ns();
        cohort_gen_fill(gen, first, count, keys, codes);
        int64_t t1 = bench_now_ns(), c1 = cpu_now_ns();
        otaprio_cohort_chunk chunk;
        otaprio_cohort_chunk_init(&chunk);
        chunk.count = count;
        chunk.keys = keys;
        chunk.codes = columns;
        status = otaprio_cohort_sampler_observe(sampler, &chunk, &diag);
        library_ns += bench_now_ns() - t1;
        library_cpu += cpu_now_ns() - c1;
        generate_ns += t1 - t0;
        generate_cpu += c1 - c0;
    }
    f->rss_stream_kib = status_kib("VmHWM");
    f->rss_now_stream_kib = status_kib("VmRSS");
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_serialize(sampler, NULL, 0,
                                                  &f->state_bytes, &diag);
    int64_t t2 = bench_now_ns(), c2 = cpu_now_ns();
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_finish(sampler, NULL, &cohort, &diag);
    int64_t t3 = bench_now_ns(), c3 = cpu_now_ns();
    f->rss_finish_kib = status_kib("VmHWM");
    f->rss_now_finish_kib = status_kib("VmRSS");
    f->wave.size = sizeof f->wave;
    f->report.size = sizeof f->report;
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_wave_info(cohort, 0, &f->wave, &diag);
    if (status == OTAPRIO_OK)
        status =
            otaprio_cohort_representativeness(cohort, 0, &f->report, &diag);
    f->strata = otaprio_cohort_stratum_count(cohort);
    otaprio_cohort_free(cohort);
    otaprio_cohort_sampler_free(sampler);
    f->generate_s = (double)generate_ns / 1e9;
    f->observe_s = (double)library_ns / 1e9;
    f->finish_s = (double)(t3 - t2) / 1e9;
    f->generate_cpu_s = (double)generate_cpu / 1e9;
    f->observe_cpu_s = (double)library_cpu / 1e9;
    f->finish_cpu_s = (double)(c3 - c2) / 1e9;
    f->total_s = (double)(bench_now_ns() - start) / 1e9;
    if (status != OTAPRIO_OK)
        fprintf(stderr, "otaprio-cohort-stream: %s: %s\n",
                otaprio_strerror(status), diag.message);
    return status;
}

static void print_json(const options *opts, const figures *f)
{
    double library_s = f->observe_s + f->finish_s;
    printf("{\"program\":\"cohort_stream\",\"n\":%llu,\"chunk\":%llu,"
           "\"seed\":\"0x%016llx\",\"method\":\"%s\",\"fraction\":%.17g,",
           (unsigned long long)opts->n, (unsigned long long)opts->chunk,
           (unsigned long long)opts->seed, opts->method_name, stream_waves[0]);
    printf("\"strata\":%llu,\"target\":%llu,\"selected\":%llu,\"tvd\":%.9g,"
           "\"strata_covered\":%llu,\"mass_coverage\":%.9g,",
           (unsigned long long)f->strata, (unsigned long long)f->wave.target,
           (unsigned long long)f->wave.selected, f->report.tvd,
           (unsigned long long)f->report.strata_covered,
           f->report.mass_coverage);
    printf("\"state_bytes\":%zu,\"rss_start_kib\":%.0f,"
           "\"peak_rss_after_stream_kib\":%.0f,\"rss_after_stream_kib\":%.0f,"
           "\"peak_rss_kib\":%.0f,\"rss_after_finish_kib\":%.0f,"
           "\"ru_maxrss_kib\":%.0f,",
           f->state_bytes, f->rss_start_kib, f->rss_stream_kib,
           f->rss_now_stream_kib, f->rss_finish_kib, f->rss_now_finish_kib,
           ru_maxrss_kib());
    double library_cpu_s = f->observe_cpu_s + f->finish_cpu_s;
    printf("\"generate_s\":%.3f,\"observe_s\":%.3f,\"finish_s\":%.3f,"
           "\"total_s\":%.3f,\"library_devices_per_s\":%.0f,",
           f->generate_s, f->observe_s, f->finish_s, f->total_s,
           library_s > 0 ? (double)opts->n / library_s : 0.0);
    printf("\"generate_cpu_s\":%.3f,\"observe_cpu_s\":%.3f,"
           "\"finish_cpu_s\":%.3f,\"library_cpu_ns_per_device\":%.2f,",
           f->generate_cpu_s, f->observe_cpu_s, f->finish_cpu_s,
           library_cpu_s * 1e9 / (double)opts->n);
#if defined(__clang__)
    const char *family = "clang";
#elif defined(__GNUC__)
    const char *family = "gcc";
#else
    const char *family = "other";
#endif
#ifdef __VERSION__
    const char *version = __VERSION__;
#else
    const char *version = "unknown";
#endif
    /* Compiler version strings hold no quotes on gcc or clang. */
    printf("\"compiler\":{\"family\":\"%s\",\"version\":\"%s\"},"
           "\"library\":\"%s\"}\n",
           family, version, otaprio_version_string());
}

int main(int argc, char **argv)
{
    options opts;
    if (parse_options(argc, argv, &opts) != 0) {
        fprintf(stderr, "usage: otaprio-cohort-stream [--n N] [--chunk C] "
                        "[--seed S] [--method proportional|hash|minimum]\n");
        return 2;
    }
    figures f = {.rss_start_kib = 0};
    cohort_gen *gen = malloc(sizeof *gen);
    uint64_t *keys = malloc(opts.chunk * sizeof *keys);
    uint32_t *codes[COHORT_GEN_DIMENSIONS] = {NULL};
    int failed = gen == NULL || keys == NULL;
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++) {
        codes[d] = malloc(opts.chunk * sizeof(uint32_t));
        failed |= codes[d] == NULL;
    }
    int status = 1;
    if (failed || cohort_gen_init(gen, opts.seed) != 0) {
        fprintf(stderr, "otaprio-cohort-stream: out of memory\n");
    } else {
        f.rss_start_kib = status_kib("VmHWM");
        if (stream(&opts, gen, keys, codes, &f) == OTAPRIO_OK) {
            print_json(&opts, &f);
            status = fflush(stdout) == 0 ? 0 : 1;
        }
    }
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
        free(codes[d]);
    free(keys);
    free(gen);
    return status;
}
