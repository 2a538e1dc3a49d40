/* SPDX-License-Identifier: MIT */
/*
 * otaprio-cohort-research: how representative each built-in cohort
 * algorithm is against cohort size, on the skewed fleet of the cohort
 * benchmarks (bench/cohort_gen.h: 15,000 strata of SKU x OS x region x
 * connection, Zipf-like sizes).
 *
 *   otaprio-cohort-research [--n N] [--seed S] [--shards K] [--json]
 *
 * For every built-in method, one pass over N devices (default 1,000,000)
 * generated chunk by chunk, dealt over K shards (default 1: chunk i goes to
 * sampler i % K) that are merged, then finished with nested waves of 0.1%,
 * 0.5%, 1%, 2%, 5% and 10% of the fleet: the sampler API a host uses, so
 * the figures are the cohorts a rollout gets. Prints, per method and size,
 * the joint total variation distance, the largest per-dimension distance,
 * and coverage (strata with a cohort device, and their share of the fleet)
 * as a Markdown table, or with --json one JSON line per method and size.
 *
 * Neyman needs a standard deviation per stratum: here 0.5 + 1.5 u, u
 * uniform in [0, 1) from draw `id` of SplitMix64(seed ^ "stddev"), a
 * stand-in for a metric's spread (crash rate, boot time) per stratum.
 * Exit status: 0 success, 1 a library call failed, 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/cohort.h"

#include "bench.h"
#include "cohort_gen.h"

#define DEFAULT_SEED UINT64_C(0x6f74617072696f21) /* otaprio-bench's */
#define CHUNK 65536
#define SD_TWEAK UINT64_C(0x737464646576) /* "stddev" */
#define SIZES 6

static const double sizes[SIZES] = {0.001, 0.005, 0.01, 0.02, 0.05, 0.10};
static const char *const method_names[OTAPRIO_COHORT_METHOD_COUNT] = {
    "hash threshold", "proportional", "minimum coverage", "neyman"};

typedef struct options {
    uint64_t n, seed;
    uint32_t shards;
    int json;
} options;

/* One chunk of the fleet, generated as the stream asks. */
typedef struct chunk_buffer {
    uint64_t keys[CHUNK];
    uint32_t codes[COHORT_GEN_DIMENSIONS][CHUNK];
} chunk_buffer;

static int parse_options(int argc, char **argv, options *opts)
{
    *opts = (options){.n = 1000000, .seed = DEFAULT_SEED, .shards = 1};
    for (int i = 1; i < argc; i++) {
        uint64_t value;
        if (strcmp(argv[i], "--json") == 0) {
            opts->json = 1;
            continue;
        }
        if (i + 1 >= argc || bench_parse_u64(argv[i + 1], &value) != 0)
            return -1;
        if (strcmp(argv[i], "--n") == 0 && value >= 1)
            opts->n = value;
        else if (strcmp(argv[i], "--seed") == 0)
            opts->seed = value;
        else if (strcmp(argv[i], "--shards") == 0 && value >= 1 &&
                 value <= 1024)
            opts->shards = (uint32_t)value;
        else
            return -1;
        i++;
    }
    return 0;
}

/* Devices first .. first + count - 1 into the shard's sampler. */
static int observe(const cohort_gen *gen, chunk_buffer *buffer, uint64_t first,
                   size_t count, otaprio_cohort_sampler *sampler,
                   otaprio_diag *diag)
{
    uint32_t *codes[COHORT_GEN_DIMENSIONS];
    const uint32_t *columns[COHORT_GEN_DIMENSIONS];
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
        columns[d] = codes[d] = buffer->codes[d];
    cohort_gen_fill(gen, first, count, buffer->keys, codes);
    otaprio_cohort_chunk chunk;
    otaprio_cohort_chunk_init(&chunk);
    chunk.count = count;
    chunk.keys = buffer->keys;
    chunk.codes = columns;
    return otaprio_cohort_sampler_observe(sampler, &chunk, diag);
}

/* One method over the fleet: chunk i to shard i % shards, the shards
 * merged, the cohort finished and every wave scored. Also returns the
 * time and the merged sampler's serialised size. */
static int evaluate(const options *opts, const cohort_gen *gen,
                    const double *sd, int32_t method,
                    otaprio_representativeness *reports, double *seconds,
                    size_t *state_bytes)
{
    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.salt = gen->salt;
    spec.method = method;
    spec.dimension_count = COHORT_GEN_DIMENSIONS;
    spec.cardinalities = cohort_gen_cardinalities;
    spec.wave_count = SIZES;
    spec.waves = sizes;
    if (method == OTAPRIO_COHORT_NEYMAN) {
        spec.stratum_sd = sd;
        spec.stratum_sd_count = gen->id_space;
    }
    otaprio_cohort_sampler **shards = calloc(opts->shards, sizeof *shards);
    chunk_buffer *buffer = malloc(sizeof *buffer);
    otaprio_cohort *cohort = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        shards == NULL || buffer == NULL ? OTAPRIO_E_NOMEM : OTAPRIO_OK;
    int64_t start = bench_now_ns();
    for (uint32_t k = 0; status == OTAPRIO_OK && k < opts->shards; k++)
        status = otaprio_cohort_sampler_create(&spec, NULL, &shards[k], &diag);
    uint64_t index = 0;
    for (uint64_t first = 0; status == OTAPRIO_OK && first < opts->n;
         first += CHUNK, index++) {
        size_t count =
            (size_t)(opts->n - first < CHUNK ? opts->n - first : CHUNK);
        status = observe(gen, buffer, first, count,
                         shards[index % opts->shards], &diag);
    }
    for (uint32_t k = 1; status == OTAPRIO_OK && k < opts->shards; k++)
        status = otaprio_cohort_sampler_merge(shards[0], shards[k], &diag);
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_serialize(shards[0], NULL, 0,
                                                  state_bytes, &diag);
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_finish(shards[0], NULL, &cohort, &diag);
    for (int w = 0; status == OTAPRIO_OK && w < SIZES; w++) {
        reports[w].size = sizeof reports[w];
        status = otaprio_cohort_representativeness(cohort, (uint32_t)w,
                                                   &reports[w], &diag);
    }
    *seconds = (double)(bench_now_ns() - start) / 1e9;
    otaprio_cohort_free(cohort);
    for (uint32_t k = 0; shards != NULL && k < opts->shards; k++)
        otaprio_cohort_sampler_free(shards[k]);
    free(shards);
    free(buffer);
    if (status != OTAPRIO_OK)
        fprintf(stderr, "otaprio-cohort-research: %s: %s: %s\n",
                method_names[method], otaprio_strerror(status), diag.message);
    return status;
}

static double worst_dimension(const otaprio_representativeness *r,
                              uint32_t *which)
{
    double worst = -1;
    for (uint32_t d = 0; d < r->dimension_count; d++) {
        if (r->tvd_dimension[d] > worst) {
            worst = r->tvd_dimension[d];
            *which = d;
        }
    }
    return worst;
}

static void print_header(const options *opts)
{
    printf("Fleet: %llu devices, %d dimensions (sku %u, os %u, region %u, "
           "connection %u), seed 0x%016llx, %u shard(s).\n\n",
           (unsigned long long)opts->n, COHORT_GEN_DIMENSIONS,
           cohort_gen_cardinalities[0], cohort_gen_cardinalities[1],
           cohort_gen_cardinalities[2], cohort_gen_cardinalities[3],
           (unsigned long long)opts->seed, opts->shards);
    printf("| method | size | devices | TVD | max dim TVD (dim) | strata "
           "covered | strata coverage | mass coverage |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
}

static void print_row(const options *opts, int32_t method, int w,
                      const otaprio_representativeness *r, double seconds)
{
    uint32_t dim = 0;
    double worst = worst_dimension(r, &dim);
    if (opts->json) {
        printf("{\"program\":\"cohort_research\",\"n\":%llu,\"shards\":%u,"
               "\"method\":\"%s\",\"size\":%.3f,\"cohort\":%llu,\"strata\":"
               "%llu,\"strata_covered\":%llu,\"tvd\":%.9g,",
               (unsigned long long)opts->n, opts->shards, method_names[method],
               sizes[w], (unsigned long long)r->cohort,
               (unsigned long long)r->strata,
               (unsigned long long)r->strata_covered, r->tvd);
        printf("\"tvd_dimension\":{");
        for (uint32_t d = 0; d < r->dimension_count; d++)
            printf("%s\"%s\":%.9g", d != 0 ? "," : "",
                   cohort_gen_dimension_names[d], r->tvd_dimension[d]);
        printf("},\"strata_coverage\":%.9g,\"mass_coverage\":%.9g,"
               "\"seconds\":%.3f}\n",
               r->strata_coverage, r->mass_coverage, seconds);
        return;
    }
    printf("| %s | %.1f%% | %llu | %.4f | %.4f (%s) | %llu / %llu | %.1f%% | "
           "%.1f%% |\n",
           w == 0 ? method_names[method] : "", sizes[w] * 100,
           (unsigned long long)r->cohort, r->tvd, worst,
           cohort_gen_dimension_names[dim],
           (unsigned long long)r->strata_covered, (unsigned long long)r->strata,
           r->strata_coverage * 100, r->mass_coverage * 100);
}

int main(int argc, char **argv)
{
    options opts;
    if (parse_options(argc, argv, &opts) != 0) {
        fprintf(stderr, "usage: otaprio-cohort-research [--n N] [--seed S] "
                        "[--shards K] [--json]\n");
        return 2;
    }
    cohort_gen *gen = malloc(sizeof *gen);
    double *sd = NULL;
    if (gen == NULL || cohort_gen_init(gen, opts.seed) != 0 ||
        (sd = malloc(gen->id_space * sizeof *sd)) == NULL) {
        fprintf(stderr, "otaprio-cohort-research: out of memory\n");
        free(gen);
        return 1;
    }
    for (uint64_t id = 0; id < gen->id_space; id++)
        sd[id] =
            0.5 +
            1.5 * (double)(bench_splitmix64(opts.seed ^ SD_TWEAK, id) >> 11) *
                0x1p-53;
    if (!opts.json)
        print_header(&opts);
    int status = 0;
    double times[OTAPRIO_COHORT_METHOD_COUNT] = {0};
    size_t state_bytes[OTAPRIO_COHORT_METHOD_COUNT] = {0};
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT; method++) {
        otaprio_representativeness reports[SIZES];
        if (evaluate(&opts, gen, sd, method, reports, &times[method],
                     &state_bytes[method]) != OTAPRIO_OK) {
            status = 1;
            continue;
        }
        for (int w = 0; w < SIZES; w++)
            print_row(&opts, method, w, &reports[w], times[method]);
    }
    if (!opts.json) {
        printf("\nPer method, seconds for the whole run (generation "
               "included) and the sampler's state:");
        for (int32_t m = 0; m < OTAPRIO_COHORT_METHOD_COUNT; m++)
            printf(" %s %.2f s, %.1f MB%s", method_names[m], times[m],
                   (double)state_bytes[m] / 1e6,
                   m + 1 < OTAPRIO_COHORT_METHOD_COUNT ? ";" : ".\n");
    }
    free(sd);
    free(gen);
    return status != 0 || fflush(stdout) != 0 ? 1 : 0;
}
