/* SPDX-License-Identifier: MIT */
/*
 * Samplers of shards combined: merged in memory, or through bytes.
 *
 * Merging adds the counts and concatenates the kept lists of each stratum,
 * then prunes them to the limit of the summed count. Each side kept every
 * candidate at or below its own limit, which is at or above the merged one
 * (limits fall as counts grow), so the merged lists hold exactly the
 * candidates at or below the merged limit: the state of one pass.
 *
 * The serialised form, all integers little-endian:
 *
 *   magic "otaprioS" | u32 version (1) | u32 wave_count
 *   u64 rollout fingerprint | u64 devices | u64 strata
 *   per stratum, by increasing stratum id:
 *     u64 id | u64 fleet | wave_count x u64 devices by first wave
 *     u64 ready | u64 held | ready x u64 key | held x (u64 key, u32 wave)
 *     (kept devices pruned to the limit and sorted by position, then key)
 *   u64 XXH3-64 of every byte before it
 *
 * so the same devices give the same bytes however they were chunked or
 * sharded. Reading trusts nothing: the checksum, every count against the
 * others, every stratum id, every kept key's position against its limit.
 */
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"

#define STATE_VERSION 1u
#define HEADER_BYTES 40u
#define FOOTER_BYTES 8u
static const unsigned char magic[8] = {'o', 't', 'a', 'p', 'r', 'i', 'o', 'S'};

/* ---- merging ---------------------------------------------------------- */

static uint64_t *by_wave_of(const otaprio_cohort_sampler *s, size_t index)
{
    return (uint64_t *)s->by_wave.data + index * s->setup.wave_count;
}

static otaprio__stratum *stratum_of(const otaprio_cohort_sampler *s,
                                    size_t index)
{
    return (otaprio__stratum *)s->stratum.data + index;
}

/* Phase one: every stratum of `other` found or added in `s` and its lists
 * given room, so that phase two cannot fail. */
static int prepare_merge(otaprio_cohort_sampler *s,
                         const otaprio_cohort_sampler *other, uint32_t *map)
{
    for (uint32_t j = 0; j < other->strata.count; j++) {
        OTAPRIO__TRY(otaprio__cohort_sampler_stratum(
            s, otaprio__tuple_at(&other->strata, j), &map[j]));
        otaprio__stratum *to = stratum_of(s, map[j]);
        const otaprio__stratum *from = stratum_of(other, j);
        OTAPRIO__TRY(otaprio__vec_reserve(
            &s->mem, &to->ready, to->ready.length + from->ready.length));
        OTAPRIO__TRY(otaprio__vec_reserve(&s->mem, &to->held,
                                          to->held.length + from->held.length));
    }
    return OTAPRIO_OK;
}

static void merge_stratum(otaprio_cohort_sampler *s, uint32_t index,
                          const otaprio_cohort_sampler *other, uint32_t j)
{
    otaprio__stratum *to = stratum_of(s, index);
    const otaprio__stratum *from = stratum_of(other, j);
    to->fleet += otaprio__stratum_fleet(other, j);
    to->candidates += otaprio__stratum_candidates(other, j);
    uint64_t *counts = by_wave_of(s, index);
    for (uint32_t w = 0; w < s->setup.wave_count; w++)
        counts[w] += otaprio__stratum_by_wave(other, j, w);
    if (from->ready.length > 0)
        memcpy((uint64_t *)to->ready.data + to->ready.length, from->ready.data,
               from->ready.length * sizeof(uint64_t));
    to->ready.length += from->ready.length;
    if (from->held.length > 0)
        memcpy((otaprio__held *)to->held.data + to->held.length,
               from->held.data, from->held.length * sizeof(otaprio__held));
    to->held.length += from->held.length;
    uint64_t *limit = &((otaprio__stratum_hot *)s->hot.data)[index].limit;
    uint64_t candidates = otaprio__stratum_candidates(s, index);
    otaprio__stratum_prune(&s->setup, to, limit,
                           otaprio__cohort_limit(&s->setup, candidates));
    to->limit_at = candidates;
    to->settled = *limit;
    size_t kept = to->ready.length + to->held.length;
    to->prune_at = kept + kept / 4 + 16;
    to->grow_at = kept + kept / 4 + 64;
}

int otaprio_cohort_sampler_merge(otaprio_cohort_sampler *sampler,
                                 const otaprio_cohort_sampler *other,
                                 otaprio_diag *diag)
{
    if (sampler == NULL || other == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, sampler == NULL ? "sampler" : "other", -1,
            "%s is NULL", sampler == NULL ? "sampler" : "other");
    if (sampler == other)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "other", -1,
                             "a sampler cannot be merged into itself");
    if (sampler->setup.fingerprint != other->setup.fingerprint)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "other", -1,
                             "the samplers belong to different rollouts "
                             "(their specs differ)");
    if (other->devices > OTAPRIO_COHORT_MAX_DEVICES - sampler->devices)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "other", -1,
                             "the merged sampler would count more than "
                             "%llu devices",
                             (unsigned long long)OTAPRIO_COHORT_MAX_DEVICES);
    uint32_t *map = NULL;
    uint32_t before = sampler->strata.count;
    int status = otaprio__mem_zalloc_array(&sampler->mem, other->strata.count,
                                           sizeof *map, (void **)&map);
    if (status == OTAPRIO_OK)
        status = prepare_merge(sampler, other, map);
    if (status != OTAPRIO_OK) {
        otaprio__cohort_sampler_truncate(sampler, before);
        otaprio__mem_free(&sampler->mem, map);
        return otaprio__fail(diag, status, "", -1,
                             status == OTAPRIO_E_LIMIT
                                 ? "the merged sampler would hold too many "
                                   "strata"
                                 : "out of memory merging samplers");
    }
    for (uint32_t j = 0; j < other->strata.count; j++)
        merge_stratum(sampler, map[j], other, j);
    sampler->devices += other->devices;
    otaprio__mem_free(&sampler->mem, map);
    return OTAPRIO_OK;
}

/* ---- writing ---------------------------------------------------------- */

typedef struct writer {
    unsigned char *at;
} writer;

static void put_u64(writer *w, uint64_t v)
{
    otaprio__store_le64(w->at, v);
    w->at += 8;
}

static void put_u32(writer *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->at[i] = (unsigned char)(v >> (8 * i));
    w->at += 4;
}

static size_t stratum_bytes(const otaprio_cohort_sampler *s, size_t ready,
                            size_t held)
{
    return 32 + 8 * (size_t)s->setup.wave_count + 8 * ready + 12 * held;
}

/* Writes stratum `index`'s kept devices, pruned and sorted, using
 * `scratch` (room for all of its kept devices). */
static void put_kept(writer *w, const otaprio_cohort_sampler *s, size_t index,
                     otaprio__kept *scratch)
{
    size_t ready;
    size_t n = otaprio__stratum_kept(&s->setup, stratum_of(s, index),
                                     otaprio__stratum_candidates(s, index),
                                     scratch, &ready);
    qsort(scratch, ready, sizeof *scratch, otaprio__kept_compare);
    qsort(scratch + ready, n - ready, sizeof *scratch, otaprio__kept_compare);
    put_u64(w, ready);
    put_u64(w, n - ready);
    for (size_t i = 0; i < ready; i++)
        put_u64(w, scratch[i].key);
    for (size_t i = ready; i < n; i++) {
        put_u64(w, scratch[i].key);
        put_u32(w, scratch[i].first_wave);
    }
}

static void put_all(writer *w, const otaprio_cohort_sampler *s,
                    const otaprio__stratum_ref *order, size_t strata,
                    otaprio__kept *scratch)
{
    memcpy(w->at, magic, sizeof magic);
    w->at += sizeof magic;
    put_u32(w, STATE_VERSION);
    put_u32(w, s->setup.wave_count);
    put_u64(w, s->setup.fingerprint);
    put_u64(w, s->devices);
    put_u64(w, strata);
    for (size_t k = 0; k < strata; k++) {
        size_t index = order[k].index;
        put_u64(w, order[k].id);
        put_u64(w, otaprio__stratum_fleet(s, index));
        for (uint32_t wave = 0; wave < s->setup.wave_count; wave++)
            put_u64(w, otaprio__stratum_by_wave(s, index, wave));
        put_kept(w, s, index, scratch);
    }
}

int otaprio_cohort_sampler_serialize(const otaprio_cohort_sampler *sampler,
                                     void *buffer, size_t capacity,
                                     size_t *length, otaprio_diag *diag)
{
    if (sampler == NULL || length == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, sampler == NULL ? "sampler" : "length", -1,
            "%s is NULL", sampler == NULL ? "sampler" : "length");
    size_t bytes = HEADER_BYTES + FOOTER_BYTES, most = 0;
    for (size_t h = 0; h < sampler->stratum.length; h++) {
        const otaprio__stratum *stratum = stratum_of(sampler, h);
        if (otaprio__stratum_fleet(sampler, h) == 0)
            continue; /* left behind by an undo */
        size_t ready,
            kept = otaprio__stratum_kept(
                &sampler->setup, stratum,
                otaprio__stratum_candidates(sampler, h), NULL, &ready);
        bytes += stratum_bytes(sampler, ready, kept - ready);
        size_t lists = stratum->ready.length + stratum->held.length;
        most = lists > most ? lists : most;
    }
    *length = bytes;
    if (buffer == NULL)
        return OTAPRIO_OK;
    if (capacity < bytes)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                             "the state takes %zu bytes; the buffer has %zu",
                             bytes, capacity);
    otaprio__stratum_ref *order = NULL;
    otaprio__kept *scratch = NULL;
    size_t strata = 0;
    int status =
        otaprio__cohort_sampler_order(sampler, &sampler->mem, &order, &strata);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(&sampler->mem, most, sizeof *scratch,
                                           (void **)&scratch);
    if (status != OTAPRIO_OK) {
        otaprio__mem_free(&sampler->mem, order);
        return otaprio__fail(diag, status, "", -1,
                             "out of memory ordering the state");
    }
    writer w = {buffer};
    put_all(&w, sampler, order, strata, scratch);
    put_u64(&w, XXH3_64bits(buffer, bytes - FOOTER_BYTES));
    otaprio__mem_free(&sampler->mem, order);
    otaprio__mem_free(&sampler->mem, scratch);
    return OTAPRIO_OK;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct reader {
    const unsigned char *start;
    const unsigned char *at;
    const unsigned char *end;
    otaprio_diag *diag;
} reader;

static uint64_t get_u64(reader *r)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | r->at[i];
    r->at += 8;
    return v;
}

static uint32_t get_u32(reader *r)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | r->at[i];
    r->at += 4;
    return v;
}

static size_t left(const reader *r)
{
    return (size_t)(r->end - r->at);
}

static int corrupt(reader *r, const char *what)
{
    return otaprio__fail(r->diag, OTAPRIO_E_SYNTAX, "bytes",
                         (int64_t)(r->at - r->start),
                         "not a sampler state: %s (near byte %lld)", what,
                         (long long)(r->at - r->start));
}

/* Reads one kept list into the stratum, checking each key's position
 * against the limit and the order. */
static int read_kept(reader *r, otaprio_cohort_sampler *s,
                     otaprio__stratum *stratum, uint64_t ready, uint64_t held)
{
    uint64_t limit = otaprio__cohort_limit(&s->setup, stratum->candidates);
    if (left(r) / 8 < ready)
        return corrupt(r, "a kept list runs past the end");
    OTAPRIO__TRY(otaprio__vec_reserve(&s->mem, &stratum->ready, (size_t)ready));
    uint64_t last = 0, last_key = 0;
    uint32_t last_wave = 0;
    for (uint64_t i = 0; i < ready; i++) {
        uint64_t key = get_u64(r);
        uint64_t position = otaprio__cohort_position(&s->setup, key);
        if (position > limit)
            return corrupt(r, "a kept device lies past its stratum's limit");
        if (i > 0 && (position < last || (position == last && key < last_key)))
            return corrupt(r, "kept devices are out of order");
        last = position;
        last_key = key;
        ((uint64_t *)stratum->ready.data)[stratum->ready.length++] = key;
    }
    if (left(r) / 12 < held)
        return corrupt(r, "a held list runs past the end");
    last = 0;
    last_key = 0;
    OTAPRIO__TRY(otaprio__vec_reserve(&s->mem, &stratum->held, (size_t)held));
    for (uint64_t i = 0; i < held; i++) {
        uint64_t key = get_u64(r);
        uint32_t wave = get_u32(r);
        uint64_t position = otaprio__cohort_position(&s->setup, key);
        if (wave == 0 || wave >= s->setup.canary_count)
            return corrupt(r, "a held device's first wave is out of range");
        if (position > limit)
            return corrupt(r, "a held device lies past its stratum's limit");
        if (i > 0 &&
            (position < last || (position == last && key < last_key) ||
             (position == last && key == last_key && wave < last_wave)))
            return corrupt(r, "held devices are out of order");
        last = position;
        last_key = key;
        last_wave = wave;
        otaprio__held *h =
            (otaprio__held *)stratum->held.data + stratum->held.length++;
        h->key = key;
        h->first_wave = wave;
    }
    return OTAPRIO_OK;
}

/* Reads one stratum into the (empty-so-far) sampler `s`. */
static int read_stratum(reader *r, otaprio_cohort_sampler *s, uint64_t *last_id,
                        uint64_t k, uint64_t *devices)
{
    uint32_t waves = s->setup.wave_count;
    if (left(r) < 32 + 8 * (size_t)waves)
        return corrupt(r, "a stratum runs past the end");
    uint64_t id = get_u64(r);
    if (id >= s->setup.stratum_space)
        return corrupt(r, "a stratum id lies past the strata");
    if (k > 0 && id <= *last_id)
        return corrupt(r, "strata are out of order or repeated");
    *last_id = id;
    uint32_t codes[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
    otaprio__cohort_stratum_codes(&s->setup, id, codes);
    uint32_t index;
    OTAPRIO__TRY(otaprio__cohort_sampler_stratum(s, codes, &index));
    otaprio__stratum *stratum = stratum_of(s, index);
    stratum->fleet = get_u64(r);
    if (stratum->fleet == 0 || stratum->fleet > OTAPRIO_COHORT_MAX_DEVICES)
        return corrupt(r, "a stratum's device count is out of range");
    uint64_t *counts = by_wave_of(s, index);
    uint64_t sum = 0, candidates = 0, later = 0;
    for (uint32_t w = 0; w < waves; w++) {
        counts[w] = get_u64(r);
        if (counts[w] > stratum->fleet - sum)
            return corrupt(r, "counts by wave exceed the stratum's devices");
        sum += counts[w];
        if (w < s->setup.canary_count) {
            candidates += counts[w];
            later += w > 0 ? counts[w] : 0;
        }
    }
    stratum->candidates = candidates;
    uint64_t ready = get_u64(r), held = get_u64(r);
    if (ready > (s->setup.canary_count > 0 ? counts[0] : 0) || held > later)
        return corrupt(r, "more kept devices than candidates");
    OTAPRIO__TRY(read_kept(r, s, stratum, ready, held));
    uint64_t limit = otaprio__cohort_limit(&s->setup, candidates);
    ((otaprio__stratum_hot *)s->hot.data)[index].limit = limit;
    stratum->limit_at = candidates;
    stratum->settled = limit;
    size_t kept = stratum->ready.length + stratum->held.length;
    stratum->prune_at = kept + kept / 4 + 16;
    stratum->grow_at = kept + kept / 4 + 64;
    *devices += stratum->fleet;
    return OTAPRIO_OK;
}

static int read_header(reader *r, const otaprio_cohort_sampler *s,
                       uint64_t *devices, uint64_t *strata)
{
    if (left(r) < HEADER_BYTES + FOOTER_BYTES)
        return corrupt(r, "too short for a header");
    if (memcmp(r->at, magic, sizeof magic) != 0)
        return corrupt(r, "the magic bytes are wrong");
    size_t body = left(r) - FOOTER_BYTES;
    reader tail = {r->start, r->at + body, r->end, r->diag};
    if (XXH3_64bits(r->at, body) != get_u64(&tail))
        return corrupt(r, "the checksum does not match");
    r->end -= FOOTER_BYTES;
    r->at += sizeof magic;
    uint32_t version = get_u32(r);
    if (version > STATE_VERSION)
        return otaprio__fail(r->diag, OTAPRIO_E_LIMIT, "bytes", -1,
                             "the state has format version %lu; this "
                             "library reads up to %u",
                             (unsigned long)version, STATE_VERSION);
    if (version == 0)
        return corrupt(r, "format version 0");
    uint32_t waves = get_u32(r);
    uint64_t fingerprint = get_u64(r);
    if (fingerprint != s->setup.fingerprint || waves != s->setup.wave_count)
        return otaprio__fail(r->diag, OTAPRIO_E_INVALID, "bytes", -1,
                             "the state belongs to another rollout (its "
                             "spec differs from this sampler's)");
    *devices = get_u64(r);
    *strata = get_u64(r);
    if (*devices > OTAPRIO_COHORT_MAX_DEVICES)
        return otaprio__fail(r->diag, OTAPRIO_E_LIMIT, "bytes", -1,
                             "the state counts more than %llu devices",
                             (unsigned long long)OTAPRIO_COHORT_MAX_DEVICES);
    return OTAPRIO_OK;
}

/* Reads the bytes into a new sampler of the same rollout. */
static int read_state(const otaprio_cohort_sampler *s, reader *r,
                      otaprio_cohort_sampler **out)
{
    uint64_t devices = 0, strata = 0;
    OTAPRIO__TRY(read_header(r, s, &devices, &strata));
    otaprio__cohort_setup setup;
    if (otaprio__cohort_setup_copy(&setup, &s->setup, &s->mem) != OTAPRIO_OK)
        return otaprio__fail(r->diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory reading a state");
    otaprio_cohort_sampler *t = NULL;
    if (otaprio__cohort_sampler_new(&s->mem, &setup, &t) != OTAPRIO_OK)
        return otaprio__fail(r->diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory reading a state");
    uint64_t last_id = 0, counted = 0;
    int status = OTAPRIO_OK;
    for (uint64_t k = 0; k < strata && status == OTAPRIO_OK; k++)
        status = read_stratum(r, t, &last_id, k, &counted);
    if (status == OTAPRIO_OK && left(r) != 0)
        status = corrupt(r, "bytes are left after the last stratum");
    if (status == OTAPRIO_OK && counted != devices)
        status = corrupt(r, "the strata's devices do not add up to the "
                            "total");
    if (status != OTAPRIO_OK) {
        if (status == OTAPRIO_E_NOMEM || status == OTAPRIO_E_LIMIT)
            status = otaprio__fail(r->diag, status, "", -1,
                                   status == OTAPRIO_E_NOMEM
                                       ? "out of memory reading a state"
                                       : "the state holds too many strata");
        otaprio_cohort_sampler_free(t);
        return status;
    }
    t->devices = devices;
    *out = t;
    return OTAPRIO_OK;
}

int otaprio_cohort_sampler_merge_serialized(otaprio_cohort_sampler *sampler,
                                            const void *bytes, size_t length,
                                            otaprio_diag *diag)
{
    if (sampler == NULL || bytes == NULL)
        return otaprio__fail(
            diag, OTAPRIO_E_INVALID, sampler == NULL ? "sampler" : "bytes", -1,
            "%s is NULL", sampler == NULL ? "sampler" : "bytes");
    reader r = {bytes, bytes, (const unsigned char *)bytes + length, diag};
    otaprio_cohort_sampler *other = NULL;
    OTAPRIO__TRY(read_state(sampler, &r, &other));
    int status = otaprio_cohort_sampler_merge(sampler, other, diag);
    otaprio_cohort_sampler_free(other);
    return status;
}
