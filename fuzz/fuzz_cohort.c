/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the cohort engine with outside chunks: a random rollout (method,
 * strata, schedule, rules, caps; some of them invalid), then devices with
 * random keys (few distinct ones, so duplicates happen), codes (some past
 * their cardinality) and eligibility columns (some flags neither 0 nor 1,
 * some batteries not a number), in random chunk sizes. One sampler takes
 * every chunk; two more take them in turn and are merged through bytes.
 * Invariants (abort on a break): a chunk refused by one sampler is refused
 * by the other with the same status; the merged state's bytes equal the
 * single pass's; a finished cohort lists nested waves no longer than the
 * fleet, assigns every device and reports distances in [0, 1].
 *
 * Input: a header of 16 bytes, then one record per device:
 *   [0] method   [1] dimensions (& 3)   [2..4] cardinalities (1 + b % 16)
 *   [5] waves (1 + b % 4)   [6..9] fractions (b / 128, the last may be 1)
 *   [10] rules: bit 0 critical first wave 1, bit 1 exclude metered,
 *        bit 2 minimum battery 0.3, bit 3 exclude cluster 1, bit 4 cap
 *        dimension 0 at 3, bit 5 minimum 2, bit 6 retain 0.01
 *   [11] columns present: bits 0-5 critical, charging, metered, excluded,
 *        first wave, battery; bit 6 cluster
 *   [12] chunk size (1 + b)   [13..15] unused
 *   record: key byte (keys are 64-bit hashes of it, so 256 distinct), one
 *   code byte per dimension, then a byte per present column.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "otaprio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEVICES 600

static void check(bool ok)
{
    if (!ok)
        abort();
}

typedef struct devices {
    size_t n;
    uint64_t keys[MAX_DEVICES];
    uint32_t codes[3][MAX_DEVICES];
    uint8_t flags[5][MAX_DEVICES]; /* critical .. first wave */
    float battery[MAX_DEVICES];
    uint32_t cluster[MAX_DEVICES];
    const uint32_t *columns[3];
} devices;

static otaprio_cohort_chunk chunk_of(const devices *d, uint8_t present,
                                     size_t first, size_t count)
{
    otaprio_cohort_chunk c;
    otaprio_cohort_chunk_init(&c);
    c.count = count;
    c.keys = d->keys + first;
    c.codes = d->columns;
    const uint8_t **flag[5] = {&c.critical, &c.charging, &c.metered,
                               &c.excluded, &c.first_wave};
    for (int k = 0; k < 5; k++)
        if (present & (1u << k))
            *flag[k] = d->flags[k] + first;
    if (present & 0x20)
        c.battery = d->battery + first;
    if (present & 0x40)
        c.cluster = d->cluster + first;
    return c;
}

static size_t state_of(const otaprio_cohort_sampler *s, uint8_t **bytes)
{
    size_t length = 0;
    check(otaprio_cohort_sampler_serialize(s, NULL, 0, &length, NULL) ==
          OTAPRIO_OK);
    *bytes = malloc(length);
    check(*bytes != NULL);
    check(otaprio_cohort_sampler_serialize(s, *bytes, length, &length, NULL) ==
          OTAPRIO_OK);
    return length;
}

static void check_cohort(const otaprio_cohort *c, const devices *d,
                         uint8_t present, size_t chunk)
{
    uint32_t waves = otaprio_cohort_wave_count(c);
    uint64_t listed = 0, last = 0;
    for (uint32_t w = 0; w < waves; w++) {
        otaprio_cohort_wave info = {.size = sizeof info};
        check(otaprio_cohort_wave_info(c, w, &info, NULL) == OTAPRIO_OK);
        check(info.selected >= last && info.selected <= info.eligible);
        check(info.eligible <= info.fleet && info.fleet <= d->n);
        last = info.selected;
        if (info.listed)
            listed = info.selected;
        otaprio_representativeness r = {.size = sizeof r};
        check(otaprio_cohort_representativeness(c, w, &r, NULL) == OTAPRIO_OK);
        check(r.tvd >= 0.0 && r.tvd <= 1.0 + 1e-12);
        check(r.strata_covered <= r.strata);
    }
    uint8_t order[MAX_DEVICES];
    if (listed > 0) {
        check(listed <= d->n);
        check(otaprio_cohort_devices(c, 0, listed, NULL, order, NULL, NULL) ==
              OTAPRIO_OK);
        for (uint64_t i = 1; i < listed; i++)
            check(order[i] >= order[i - 1]);
    }
    check(otaprio_cohort_devices(c, 0, listed + 1, NULL, NULL, NULL, NULL) ==
          OTAPRIO_E_RANGE);
    uint8_t assigned[MAX_DEVICES];
    for (size_t i = 0; i < d->n; i += chunk) {
        size_t count = d->n - i < chunk ? d->n - i : chunk;
        otaprio_cohort_chunk c2 = chunk_of(d, present, i, count);
        if (otaprio_cohort_assign(c, &c2, assigned, NULL) == OTAPRIO_OK)
            for (size_t k = 0; k < count; k++)
                check(assigned[k] < waves ||
                      assigned[k] == OTAPRIO_COHORT_NONE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    uint8_t header[16];
    for (int i = 0; i < 16; i++)
        header[i] = take_u8(&in);
    uint32_t cards[3];
    double fractions[4];
    otaprio_cohort_spec spec;
    otaprio_cohort_spec_init(&spec);
    spec.salt = 7;
    spec.method = header[0] % 5; /* 4 is invalid */
    spec.dimension_count = header[1] & 3;
    for (int d = 0; d < 3; d++)
        cards[d] = 1 + header[2 + d] % 16;
    spec.cardinalities = cards;
    spec.wave_count = 1 + header[5] % 4;
    for (int k = 0; k < 4; k++)
        fractions[k] = header[6 + k] / 128.0;
    spec.waves = fractions;
    uint8_t rules = header[10], present = header[11];
    uint32_t excluded_cluster = 1;
    uint64_t caps[16];
    double sd[16 * 16 * 16];
    for (int i = 0; i < 16; i++)
        caps[i] = 3;
    if (rules & 1)
        spec.critical_first_wave = 1;
    spec.exclude_metered = (rules >> 1) & 1;
    if (rules & 4)
        spec.minimum_battery = 0.3f;
    if (rules & 8) {
        spec.excluded_clusters = &excluded_cluster;
        spec.excluded_cluster_count = 1;
    }
    if ((rules & 16) && spec.dimension_count > 0) {
        spec.cap_dimension = 0;
        spec.caps = caps;
    }
    if (rules & 32)
        spec.minimum_per_stratum = 2;
    if (rules & 64)
        spec.retain_fraction = 0.01;
    if (spec.method == OTAPRIO_COHORT_NEYMAN) {
        uint64_t space = 1;
        for (uint32_t d = 0; d < spec.dimension_count; d++)
            space *= cards[d];
        for (uint64_t h = 0; h < space; h++)
            sd[h] = (double)(h % 3);
        spec.stratum_sd = sd;
        spec.stratum_sd_count = space;
    }
    size_t chunk = 1 + (size_t)header[12];

    static devices d;
    d.n = 0;
    for (int k = 0; k < 3; k++)
        d.columns[k] = d.codes[k];
    while (in.size > 0 && d.n < MAX_DEVICES) {
        size_t i = d.n++;
        uint64_t key = take_u8(&in);
        d.keys[i] = key * 0x9E3779B97F4A7C15ull ^ (key << 40);
        for (uint32_t k = 0; k < spec.dimension_count; k++) {
            uint8_t b = take_u8(&in);
            d.codes[k][i] = b < 250 ? b % cards[k] : cards[k] + (b - 250);
        }
        for (int k = 0; k < 5; k++)
            if (present & (1u << k)) {
                uint8_t b = take_u8(&in);
                d.flags[k][i] = k == 4 ? b % 5 : (b < 250 ? b & 1 : b);
            }
        if (present & 0x20) {
            uint8_t b = take_u8(&in);
            d.battery[i] = b <= 200 ? b / 200.0f : (b == 255 ? NAN : 1.5f);
        }
        if (present & 0x40)
            d.cluster[i] = take_u8(&in) % 4;
    }

    otaprio_cohort_sampler *one = NULL, *shard[2] = {NULL, NULL};
    if (otaprio_cohort_sampler_create(&spec, NULL, &one, NULL) != OTAPRIO_OK)
        return 0;
    check(otaprio_cohort_sampler_create(&spec, NULL, &shard[0], NULL) ==
          OTAPRIO_OK);
    check(otaprio_cohort_sampler_create(&spec, NULL, &shard[1], NULL) ==
          OTAPRIO_OK);
    size_t turn = 0;
    for (size_t i = 0; i < d.n; i += chunk, turn++) {
        size_t count = d.n - i < chunk ? d.n - i : chunk;
        otaprio_cohort_chunk c = chunk_of(&d, present, i, count);
        int a = otaprio_cohort_sampler_observe(one, &c, NULL);
        int b = otaprio_cohort_sampler_observe(shard[turn % 2], &c, NULL);
        check(a == b);
    }
    uint8_t *bytes = NULL;
    size_t length = state_of(shard[1], &bytes);
    check(otaprio_cohort_sampler_merge_serialized(shard[0], bytes, length,
                                                  NULL) == OTAPRIO_OK);
    free(bytes);
    uint8_t *merged = NULL, *single = NULL;
    size_t merged_length = state_of(shard[0], &merged);
    size_t single_length = state_of(one, &single);
    check(merged_length == single_length &&
          memcmp(merged, single, single_length) == 0);
    free(merged);
    free(single);

    otaprio_cohort *cohort = NULL;
    int status = otaprio_cohort_sampler_finish(one, NULL, &cohort, NULL);
    check(status == OTAPRIO_OK || status == OTAPRIO_E_DUPLICATE ||
          status == OTAPRIO_E_LIMIT);
    if (status == OTAPRIO_OK)
        check_cohort(cohort, &d, present, chunk);
    otaprio_cohort_free(cohort);
    otaprio_cohort_sampler_free(one);
    otaprio_cohort_sampler_free(shard[0]);
    otaprio_cohort_sampler_free(shard[1]);
    return 0;
}
