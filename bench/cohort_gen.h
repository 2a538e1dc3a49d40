/* SPDX-License-Identifier: MIT */
/*
 * The cohort benchmarks' fleet: device keys and four strata columns, SKU x
 * OS x region x connection, with 15,000 strata of Zipf-like sizes. Shared
 * by otaprio-bench (bench_cohort.c), the streaming program
 * (cohort_stream.c) and the researcher's table (cohort_research.c), and
 * mirrored in NumPy by bench/cohort_gen.py; the runner compares digests of
 * what both sides computed from it.
 *
 * The strata. Each dimension's code k has a popularity weight
 * floor(4096 / (k + 1)^s), s = 1 for SKU (120 codes), OS (24) and region
 * (40), s = 2 for connection (4: most devices on the first). Every
 * combination of codes is ranked by the product of its four weights,
 * decreasing, ties by increasing stratum id (docs/cohort.md: codes in mixed
 * radix, SKU fastest); the first 15,000 are the fleet's strata, the one of
 * rank r weighing floor(2^27 / (r + 1)). So the largest stratum holds about
 * a tenth of the fleet and the smallest about 1 in 150,000 devices: all
 * 15,000 are present from a few million devices on, and at 100,000 devices
 * most of the tail has a device or none.
 *
 * Device i (from 0) of seed S: its key is draw 2i of SplitMix64(S)
 * (bench_splitmix64: unique, since the counter form is a bijection), and
 * its stratum is the first rank r whose cumulative weight exceeds
 * ((draw 2i+1 & 0xffffffff) * total) >> 32, `total` the sum of the
 * weights (below 2^32, so the product fits in 64 bits). The rollout salt
 * is draw 0 of SplitMix64(S ^ COHORT_GEN_SALT_TWEAK).
 */
#ifndef OTAPRIO_BENCH_COHORT_GEN_H
#define OTAPRIO_BENCH_COHORT_GEN_H

#include <stddef.h>
#include <stdint.h>

#define COHORT_GEN_DIMENSIONS 4
#define COHORT_GEN_STRATA 15000
/* Buckets of draws in the rank guide: 2^16 of them over [0, 2^31). */
#define COHORT_GEN_GUIDE_SHIFT 15
/* "cohort" in ASCII: the salt comes from another stream than the keys. */
#define COHORT_GEN_SALT_TWEAK UINT64_C(0x636f686f7274)

/* SKU, OS, region, connection: the spec's cardinalities. */
extern const uint32_t cohort_gen_cardinalities[COHORT_GEN_DIMENSIONS];
extern const char *const cohort_gen_dimension_names[COHORT_GEN_DIMENSIONS];

typedef struct cohort_gen {
    uint64_t seed;
    uint64_t salt;
    uint64_t total;    /* sum of the strata's weights, below 2^32 */
    uint64_t id_space; /* product of the cardinalities */
    /* By rank r: the weights of ranks 0 .. r summed, the stratum's id and
     * its codes. */
    uint64_t cumulative[COHORT_GEN_STRATA];
    uint64_t stratum_id[COHORT_GEN_STRATA];
    uint32_t codes[COHORT_GEN_STRATA][COHORT_GEN_DIMENSIONS];
    /* guide[u >> COHORT_GEN_GUIDE_SHIFT]: the first rank a draw u can
     * have, so that finding a rank is a short scan, not a search. */
    uint16_t guide[(UINT32_C(1) << 31 >> COHORT_GEN_GUIDE_SHIFT) + 1];
} cohort_gen;

/* Builds the strata tables for `seed` (about 0.5 MB: allocate `gen`, not on
 * the stack). Returns 0, or -1 when its scratch cannot be allocated. */
int cohort_gen_init(cohort_gen *gen, uint64_t seed);

/* Devices first .. first + count - 1: keys[i] and codes[d][i] for each
 * dimension d. */
void cohort_gen_fill(const cohort_gen *gen, uint64_t first, size_t count,
                     uint64_t *keys, uint32_t *const *codes);

#endif /* OTAPRIO_BENCH_COHORT_GEN_H */
