/* SPDX-License-Identifier: MIT */
/* The cohort benchmarks' fleet (cohort_gen.h says what it is). Integer
 * arithmetic only, so that bench/cohort_gen.py reproduces it bit for bit. */
#include <stdlib.h>

#include "bench.h"
#include "cohort_gen.h"

const uint32_t cohort_gen_cardinalities[COHORT_GEN_DIMENSIONS] = {120, 24, 40,
                                                                  4};
const char *const cohort_gen_dimension_names[COHORT_GEN_DIMENSIONS] = {
    "sku", "os", "region", "connection"};

/* Zipf exponent of each dimension's popularity. */
static const uint32_t exponents[COHORT_GEN_DIMENSIONS] = {1, 1, 1, 2};

typedef struct combination {
    uint64_t weight; /* product of the four popularity weights, < 2^48 */
    uint64_t id;     /* stratum id */
} combination;

/* Heaviest first, then by increasing id: a total order, so qsort's result
 * is the same everywhere. */
static int heavier_first(const void *a, const void *b)
{
    const combination *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

static uint64_t popularity(uint32_t code, uint32_t exponent)
{
    uint64_t power = 1;
    for (uint32_t e = 0; e < exponent; e++)
        power *= code + 1;
    return 4096 / power;
}

int cohort_gen_init(cohort_gen *gen, uint64_t seed)
{
    uint64_t space = 1;
    for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
        space *= cohort_gen_cardinalities[d];
    combination *all = malloc(space * sizeof *all);
    if (all == NULL)
        return -1;
    for (uint64_t id = 0; id < space; id++) {
        uint64_t rest = id, weight = 1;
        for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++) {
            weight *= popularity((uint32_t)(rest % cohort_gen_cardinalities[d]),
                                 exponents[d]);
            rest /= cohort_gen_cardinalities[d];
        }
        all[id].weight = weight;
        all[id].id = id;
    }
    qsort(all, space, sizeof *all, heavier_first);

    gen->seed = seed;
    gen->salt = bench_splitmix64(seed ^ COHORT_GEN_SALT_TWEAK, 0);
    gen->id_space = space;
    uint64_t total = 0;
    for (uint32_t r = 0; r < COHORT_GEN_STRATA; r++) {
        total += (UINT64_C(1) << 27) / (r + 1);
        gen->cumulative[r] = total;
        uint64_t rest = all[r].id;
        gen->stratum_id[r] = rest;
        for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++) {
            gen->codes[r][d] = (uint32_t)(rest % cohort_gen_cardinalities[d]);
            rest /= cohort_gen_cardinalities[d];
        }
    }
    gen->total = total; /* below 2^31: see the guide's size */
    for (uint32_t b = 0, r = 0;
         b <= (UINT32_C(1) << 31 >> COHORT_GEN_GUIDE_SHIFT); b++) {
        uint64_t lowest = (uint64_t)b << COHORT_GEN_GUIDE_SHIFT;
        while (r + 1 < COHORT_GEN_STRATA && gen->cumulative[r] <= lowest)
            r++;
        gen->guide[b] = (uint16_t)r;
    }
    free(all);
    return 0;
}

/* The first rank whose cumulative weight exceeds `u` (< total). */
static uint32_t rank_of(const cohort_gen *gen, uint64_t u)
{
    uint32_t r = gen->guide[u >> COHORT_GEN_GUIDE_SHIFT];
    while (gen->cumulative[r] <= u)
        r++;
    return r;
}

void cohort_gen_fill(const cohort_gen *gen, uint64_t first, size_t count,
                     uint64_t *keys, uint32_t *const *codes)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t device = first + i;
        keys[i] = bench_splitmix64(gen->seed, 2 * device);
        uint64_t draw = bench_splitmix64(gen->seed, 2 * device + 1);
        uint32_t r = rank_of(gen, ((draw & 0xffffffffu) * gen->total) >> 32);
        for (int d = 0; d < COHORT_GEN_DIMENSIONS; d++)
            codes[d][i] = gen->codes[r][d];
    }
}
