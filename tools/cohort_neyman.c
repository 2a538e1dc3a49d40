/* SPDX-License-Identifier: MIT */
/*
 * Neyman weights from the fleet itself: a flag column (an update that
 * failed before, a crash reported) counted per stratum in the first pass,
 * and each stratum's standard deviation of that flag. Counts are whole
 * numbers, so the weights are the same whatever the order of the rows;
 * a mean of real-valued metrics would not be, to the last bit.
 *
 * The first pass cannot know stratum ids yet (the dictionaries grow as it
 * reads), so it counts by each stratum's tuple of appearance codes, kept
 * as bytes in a value dictionary; the ids come after.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_cmd.h"

void cohort_neyman_init(cohort_neyman *neyman, const char *who,
                        uint32_t dimension_count)
{
    memset(neyman, 0, sizeof *neyman);
    neyman->who = who;
    neyman->dimension_count = dimension_count;
    cli_value_dict_init(&neyman->tuples);
}

void cohort_neyman_release(cohort_neyman *neyman)
{
    cli_value_dict_release(&neyman->tuples);
    free(neyman->devices);
    free(neyman->outcomes);
    neyman->devices = NULL;
    neyman->outcomes = NULL;
    neyman->capacity = 0;
}

static int grow(cohort_neyman *neyman)
{
    size_t capacity = neyman->capacity != 0 ? neyman->capacity * 2 : 64;
    uint64_t *devices =
        realloc(neyman->devices, capacity * sizeof *neyman->devices);
    if (devices == NULL)
        return -1;
    neyman->devices = devices;
    uint64_t *outcomes =
        realloc(neyman->outcomes, capacity * sizeof *neyman->outcomes);
    if (outcomes == NULL)
        return -1;
    neyman->outcomes = outcomes;
    for (size_t i = neyman->capacity; i < capacity; i++)
        devices[i] = outcomes[i] = 0;
    neyman->capacity = capacity;
    return 0;
}

/* The codes of device `i` as bytes: one tuple, one dictionary entry. */
static size_t tuple_bytes(const cohort_chunk *chunk, uint32_t dimensions,
                          size_t i, unsigned char *out)
{
    for (uint32_t d = 0; d < dimensions; d++) {
        uint32_t code = chunk->codes[d][i];
        for (int b = 0; b < 4; b++)
            out[d * 4 + (uint32_t)b] = (unsigned char)(code >> (8 * b));
    }
    return (size_t)dimensions * 4;
}

int cohort_neyman_count(void *user, cohort_chunk *chunk)
{
    cohort_neyman *neyman = user;
    unsigned char tuple[COHORT_MAX_DIMENSIONS * 4];
    for (size_t i = 0; i < chunk->count; i++) {
        size_t length = tuple_bytes(chunk, neyman->dimension_count, i, tuple);
        uint32_t index;
        int status = cli_value_dict_intern(&neyman->tuples, (char *)tuple,
                                           length, &index);
        if (status == 0 && index >= neyman->capacity && grow(neyman) != 0)
            status = -1;
        if (status != 0) {
            cli_error(neyman->who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        neyman->devices[index]++;
        neyman->outcomes[index] += chunk->outcome[i];
    }
    return 0;
}

/* The stratum id of a tuple of appearance codes, in library codes. */
static uint64_t stratum_id(const cohort_fleet *fleet, const char *tuple)
{
    uint64_t id = 0;
    uint64_t radix = 1;
    for (uint32_t d = 0; d < fleet->dimension_count; d++) {
        uint32_t code = 0;
        for (int b = 0; b < 4; b++)
            code |= (uint32_t)(unsigned char)tuple[d * 4 + (uint32_t)b]
                    << (8 * b);
        id += (uint64_t)fleet->dimensions[d].code_of[code] * radix;
        radix *= cohort_fleet_cardinality(fleet, d);
    }
    return id;
}

int cohort_neyman_weights(const cohort_neyman *neyman,
                          const cohort_fleet *fleet, cohort_rollout *rollout)
{
    /* The strata the library takes deviations for, at most: checked here
     * so that the array is never larger. */
    uint64_t strata = 1;
    for (uint32_t d = 0; d < fleet->dimension_count; d++) {
        strata *= cohort_fleet_cardinality(fleet, d);
        if (strata > OTAPRIO_COHORT_MAX_NEYMAN_STRATA) {
            cli_error(neyman->who,
                      "--method neyman: the strata columns of %s make more "
                      "than %llu strata (the product of their distinct "
                      "values); stratify by fewer or coarser columns",
                      fleet->name,
                      (unsigned long long)OTAPRIO_COHORT_MAX_NEYMAN_STRATA);
            return CLI_EXIT_FAILURE;
        }
    }
    double *sd = malloc((size_t)strata * sizeof *sd);
    if (sd == NULL) {
        cli_error(neyman->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    /* A stratum without devices takes the rule's value for n = 0, p = 1/2:
     * it weighs nothing (it has no eligible device), and a 0 would only
     * mislead the library's retain fraction (largest over smallest). */
    for (uint64_t id = 0; id < strata; id++)
        sd[id] = 0.5;
    for (uint32_t t = 0; t < neyman->tuples.count; t++) {
        size_t length;
        const char *tuple = cli_value_dict_value(&neyman->tuples, t, &length);
        double n = (double)neyman->devices[t];
        double x = (double)neyman->outcomes[t];
        /* Laplace's rule: no stratum is certain from its past alone. */
        double p = (x + 1.0) / (n + 2.0);
        sd[stratum_id(fleet, tuple)] = sqrt(p * (1.0 - p));
    }
    free(rollout->stratum_sd);
    rollout->stratum_sd = sd;
    rollout->spec.stratum_sd = sd;
    rollout->spec.stratum_sd_count = strata;
    return 0;
}
