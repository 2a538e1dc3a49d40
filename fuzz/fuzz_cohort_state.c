/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes reading a serialised sampler state, the bytes a shard sends over
 * the network. The first byte picks one of a few rollouts; the rest is the
 * state. Reading must never crash or leak; a refused state must leave the
 * sampler empty; an accepted one, written back from a sampler that held
 * nothing else, must give exactly the bytes read (the form is canonical),
 * and must finish or fail with a documented status.
 *
 * When the first byte's top bit is set, the target first rewrites the
 * trailing checksum to match, so that mutations reach the checks behind
 * it (a forger can always do so).
 *
 * Seeds (fuzz/corpus/cohort_state) are real states of those rollouts.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* The rollouts a state may belong to: the byte's low two bits pick the
 * method, the next bit a final wave of 1, the next a critical hold. */
static otaprio_cohort_spec rollout(uint8_t choice, uint32_t *cards,
                                   double *waves, double *sd)
{
    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.salt = 11;
    spec.method = choice & 3;
    spec.dimension_count = 2;
    cards[0] = 5;
    cards[1] = 3;
    spec.cardinalities = cards;
    waves[0] = 0.05;
    waves[1] = 0.3;
    waves[2] = 1.0;
    spec.waves = waves;
    spec.wave_count = (choice & 4) ? 3 : 2;
    if (choice & 8)
        spec.critical_first_wave = 1;
    if (spec.method == OTAPRIO_COHORT_NEYMAN) {
        for (int h = 0; h < 15; h++)
            sd[h] = 1.0 + h % 4;
        spec.stratum_sd = sd;
        spec.stratum_sd_count = 15;
    }
    return spec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t cards[2];
    double waves[3], sd[15];
    otaprio_cohort_spec spec = rollout(data[0], cards, waves, sd);
    otaprio_cohort_sampler *s = NULL;
    check(otaprio_cohort_sampler_create(&spec, NULL, &s, NULL) == OTAPRIO_OK);
    size_t empty = 0;
    check(otaprio_cohort_sampler_serialize(s, NULL, 0, &empty, NULL) ==
          OTAPRIO_OK);
    uint8_t *state = malloc(size);
    check(state != NULL);
    memcpy(state, data + 1, size - 1);
    size_t state_length = size - 1;
    if ((data[0] & 0x80) && state_length >= 8) {
        /* The checksum is XXH3-64 with seed 0, as otaprio_key_derive(). */
        uint64_t sum;
        check(otaprio_key_derive(state, state_length - 8, &sum) == OTAPRIO_OK);
        for (int i = 0; i < 8; i++)
            state[state_length - 8 + i] = (uint8_t)(sum >> (8 * i));
    }
    int status =
        otaprio_cohort_sampler_merge_serialized(s, state, state_length, NULL);
    size_t length = 0;
    check(otaprio_cohort_sampler_serialize(s, NULL, 0, &length, NULL) ==
          OTAPRIO_OK);
    if (status != OTAPRIO_OK) {
        check(status == OTAPRIO_E_SYNTAX || status == OTAPRIO_E_INVALID ||
              status == OTAPRIO_E_LIMIT);
        check(length == empty);
    } else {
        check(length == state_length);
        uint8_t *again = malloc(length);
        check(again != NULL);
        check(otaprio_cohort_sampler_serialize(s, again, length, &length,
                                               NULL) == OTAPRIO_OK);
        check(memcmp(again, state, length) == 0);
        free(again);
        otaprio_cohort *c = NULL;
        status = otaprio_cohort_sampler_finish(s, NULL, &c, NULL);
        check(status == OTAPRIO_OK || status == OTAPRIO_E_LIMIT ||
              status == OTAPRIO_E_DUPLICATE);
        otaprio_cohort_free(c);
    }
    otaprio_cohort_sampler_free(s);
    free(state);
    return 0;
}
