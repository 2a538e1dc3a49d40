/* SPDX-License-Identifier: MIT */
/*
 * The sampler: per stratum, device counts by first wave and the kept
 * candidates (cohort_retain.c says which). Observing a chunk is atomic: the
 * chunk is checked whole first; then one pass counts each device and keeps
 * it when its position is at or below its stratum's limit. Only memory can
 * fail during the pass (a new stratum, a longer kept list), and a device's
 * changes are made only once nothing more can fail for it (the dense pass,
 * which counts a block of devices before keeping any, takes the rest of a
 * failed block's counts back itself), so the undo takes back devices [0,
 * failed) exactly: counts down, kept entries popped from the tails (a pass
 * never prunes: limits only fall between chunks), new strata dropped.
 *
 * Memory per stratum: its tuple, 56 bytes of counts and lists, wave_count
 * counts of 8 bytes and the kept devices, 8 bytes each (16 when held back
 * to a later wave); lists grow by half and are pruned at a chunk's end
 * once they hold a quarter again what the last prune left.
 */
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"

/* Widths with a copy of the pass of their own. */
#define SPECIALISED_WIDTHS 6

/* Kept devices a new stratum holds before its limit is first lowered: a
 * stratum keeps at least z^2 + 2 = 66 devices anyway. */
#define GROW_FIRST 64

/* Puts stratum `index` on the list of those the chunk touched, once. */
static OTAPRIO__ALWAYS_INLINE void
touch(otaprio_cohort_sampler *s, otaprio__stratum *stratum, uint32_t index)
{
    if (stratum->touched)
        return;
    stratum->touched = true;
    ((uint32_t *)s->touched.data)[s->touched.length++] = index;
}

int otaprio__cohort_sampler_new(const otaprio__mem *mem,
                                otaprio__cohort_setup *setup,
                                otaprio_cohort_sampler **sampler)
{
    otaprio_cohort_sampler *s = otaprio__mem_alloc(mem, sizeof *s);
    if (s == NULL) {
        otaprio__cohort_setup_release(setup, mem);
        return OTAPRIO_E_NOMEM;
    }
    memset(s, 0, sizeof *s);
    if (setup->stratum_space <= OTAPRIO__COHORT_DENSE_MAX) {
        s->dense = otaprio__mem_alloc(mem, (size_t)setup->stratum_space *
                                               sizeof *s->dense);
        if (s->dense == NULL) {
            otaprio__mem_free(mem, s);
            otaprio__cohort_setup_release(setup, mem);
            return OTAPRIO_E_NOMEM;
        }
        memset(s->dense, 0xFF, (size_t)setup->stratum_space * sizeof *s->dense);
    }
    s->mem = *mem;
    s->setup = *setup;
    otaprio__tuple_set_prepare(&s->strata, setup->width);
    s->stratum.elem_size = sizeof(otaprio__stratum);
    s->by_wave.elem_size = sizeof(uint64_t);
    s->hot.elem_size = sizeof(otaprio__stratum_hot);
    s->touched.elem_size = sizeof(uint32_t);
    *sampler = s;
    return OTAPRIO_OK;
}

int otaprio_cohort_sampler_create(const otaprio_cohort_spec *spec,
                                  const otaprio_allocator *allocator,
                                  otaprio_cohort_sampler **sampler,
                                  otaprio_diag *diag)
{
    if (sampler == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sampler", -1,
                             "sampler is NULL");
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio__cohort_setup setup;
    OTAPRIO__TRY(otaprio__cohort_setup_init(&setup, spec, &mem, diag));
    int status = otaprio__cohort_sampler_new(&mem, &setup, sampler);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "out of memory for the sampler");
    return OTAPRIO_OK;
}

static void release_stratum(const otaprio__mem *mem, otaprio__stratum *s)
{
    otaprio__vec_release(mem, &s->ready);
    otaprio__vec_release(mem, &s->held);
}

void otaprio__cohort_sampler_truncate(otaprio_cohort_sampler *sampler,
                                      uint32_t keep)
{
    otaprio__stratum *strata = sampler->stratum.data;
    for (size_t i = keep; i < sampler->stratum.length; i++) {
        release_stratum(&sampler->mem, &strata[i]);
        if (sampler->dense != NULL)
            sampler->dense[otaprio__cohort_stratum_id(
                &sampler->setup,
                otaprio__tuple_at(&sampler->strata, (uint32_t)i))] = UINT32_MAX;
    }
    if (keep < sampler->stratum.length)
        sampler->stratum.length = keep;
    if (keep < sampler->hot.length)
        sampler->hot.length = keep;
    if ((size_t)keep * sampler->setup.wave_count < sampler->by_wave.length)
        sampler->by_wave.length = (size_t)keep * sampler->setup.wave_count;
    otaprio__tuple_set_truncate(&sampler->strata, keep);
}

static int compare_refs(const void *a, const void *b)
{
    const otaprio__stratum_ref *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

int otaprio__cohort_sampler_order(const otaprio_cohort_sampler *sampler,
                                  const otaprio__mem *mem,
                                  otaprio__stratum_ref **refs, size_t *count)
{
    size_t n = 0;
    for (size_t h = 0; h < sampler->stratum.length; h++) /* an undo can */
        n += otaprio__stratum_fleet(sampler, h) > 0;     /* leave empty ones */
    otaprio__stratum_ref *out = NULL;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, n, sizeof *out, (void **)&out));
    size_t k = 0;
    for (size_t h = 0; h < sampler->stratum.length; h++) {
        if (otaprio__stratum_fleet(sampler, h) == 0)
            continue;
        out[k].id = otaprio__cohort_stratum_id(
            &sampler->setup, otaprio__tuple_at(&sampler->strata, (uint32_t)h));
        out[k].index = (uint32_t)h;
        k++;
    }
    if (n > 0)
        qsort(out, n, sizeof *out, compare_refs);
    *refs = out;
    *count = n;
    return OTAPRIO_OK;
}

void otaprio_cohort_sampler_free(otaprio_cohort_sampler *sampler)
{
    if (sampler == NULL)
        return;
    otaprio__mem mem = sampler->mem;
    otaprio__cohort_sampler_truncate(sampler, 0);
    otaprio__tuple_set_release(&mem, &sampler->strata);
    otaprio__vec_release(&mem, &sampler->stratum);
    otaprio__vec_release(&mem, &sampler->hot);
    otaprio__vec_release(&mem, &sampler->by_wave);
    otaprio__vec_release(&mem, &sampler->touched);
    otaprio__mem_free(&mem, sampler->dense);
    otaprio__cohort_setup_release(&sampler->setup, &mem);
    otaprio__mem_free(&mem, sampler);
}

/* Makes room for one more stratum everywhere, then adds it, empty. */
static int add_stratum(otaprio_cohort_sampler *s, const uint32_t *codes,
                       uint64_t hash, uint32_t *index)
{
    size_t count = s->strata.count;
    if (count >= UINT32_MAX - 1)
        return OTAPRIO_E_LIMIT;
    size_t waves = s->setup.wave_count;
    OTAPRIO__TRY(otaprio__vec_reserve(&s->mem, &s->stratum, count + 1));
    OTAPRIO__TRY(otaprio__vec_reserve(&s->mem, &s->hot, count + 1));
    OTAPRIO__TRY(
        otaprio__vec_reserve(&s->mem, &s->by_wave, (count + 1) * waves));
    OTAPRIO__TRY(otaprio__vec_reserve(&s->mem, &s->touched, count + 1));
    OTAPRIO__TRY(otaprio__tuple_set_reserve(&s->mem, &s->strata, count + 1));
    uint32_t id = otaprio__tuple_set_add_reserved(&s->strata, codes, hash);
    otaprio__stratum *stratum = (otaprio__stratum *)s->stratum.data + id;
    memset(stratum, 0, sizeof *stratum);
    otaprio__stratum_hot *hot = (otaprio__stratum_hot *)s->hot.data + id;
    hot->limit = UINT64_MAX;
    hot->plain = 0;
    s->hot.length = (size_t)id + 1;
    stratum->settled = UINT64_MAX;
    stratum->grow_at = GROW_FIRST;
    stratum->prune_at = GROW_FIRST;
    stratum->ready.elem_size = sizeof(uint64_t);
    stratum->held.elem_size = sizeof(otaprio__held);
    s->stratum.length = (size_t)id + 1;
    memset((uint64_t *)s->by_wave.data + (size_t)id * waves, 0,
           waves * sizeof(uint64_t));
    s->by_wave.length = ((size_t)id + 1) * waves;
    if (s->dense != NULL)
        s->dense[otaprio__cohort_stratum_id(&s->setup, codes)] = id;
    *index = id;
    return OTAPRIO_OK;
}

int otaprio__cohort_sampler_stratum(otaprio_cohort_sampler *sampler,
                                    const uint32_t *codes, uint32_t *index)
{
    uint64_t hash = otaprio__tuple_hash(&sampler->strata, codes);
    uint32_t id = otaprio__tuple_find(&sampler->strata, codes, hash);
    if (id != OTAPRIO__TUPLE_NONE) {
        *index = id;
        return OTAPRIO_OK;
    }
    return add_stratum(sampler, codes, hash, index);
}

/* ---- the pass -------------------------------------------------------- */

/* Gathers device `i`'s codes, packed (see otaprio__tuple_pack()); a NULL
 * column reads as code 0. */
static OTAPRIO__ALWAYS_INLINE void read_words(const otaprio__cohort_rows *rows,
                                              size_t i, size_t width,
                                              uint64_t *words)
{
    for (size_t w = 0; w < (width + 1) / 2; w++) {
        size_t a = 2 * w;
        uint64_t low = rows->codes[a] != NULL ? rows->codes[a][i] : 0;
        uint64_t high = a + 1 < width && rows->codes[a + 1] != NULL
                            ? rows->codes[a + 1][i]
                            : 0;
        words[w] = low | high << 32;
    }
}

/* Device i's stratum id, from its codes. */
static OTAPRIO__ALWAYS_INLINE uint64_t
stratum_id_at(const otaprio_cohort_sampler *s, const otaprio__cohort_rows *rows,
              size_t i, size_t width)
{
    uint64_t stratum = 0;
    for (size_t d = 0; d < width; d++)
        if (rows->codes[d] != NULL)
            stratum += rows->codes[d][i] * s->setup.radix[d];
    return stratum;
}

/* Room for one more kept device. A list's first room is for GROW_FIRST:
 * a stratum keeps about that many before its limit falls, and growing to
 * it from a few would take half a dozen reallocations. */
static int reserve_one(otaprio_cohort_sampler *s, otaprio__vec *list)
{
    return otaprio__vec_reserve(
        &s->mem, list, list->capacity == 0 ? GROW_FIRST : list->length + 1);
}

/* How far ahead the dense pass fetches a device's stratum record: its
 * counters are the pass's one likely cache miss. */
#define PREFETCH_AHEAD 16

/* Where a device goes, decided before anything changes. */
typedef struct placement {
    uint32_t index;
    uint32_t first_wave;
    bool keep;
} placement;

/* Looks the device's stratum up (adding it when new) and makes room for
 * keeping it; the only step of a device that can fail. */
static OTAPRIO__ALWAYS_INLINE int place(otaprio_cohort_sampler *s,
                                        const otaprio__cohort_rows *rows,
                                        size_t i, size_t width, bool plain,
                                        otaprio__tuple_view *view, placement *p)
{
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    uint64_t hash = 0;
    uint32_t id;
    if (s->dense != NULL) {
        id = s->dense[stratum_id_at(s, rows, i, width)];
        if (id == OTAPRIO__TUPLE_NONE) {
            read_words(rows, i, width, words);
            hash = otaprio__tuple_hash_of(words, width);
        }
    } else {
        read_words(rows, i, width, words);
        hash = otaprio__tuple_hash_of(words, width);
        id = otaprio__tuple_find_in(view, words, hash, width);
    }
    if (id == OTAPRIO__TUPLE_NONE) {
        uint32_t codes[OTAPRIO_COHORT_MAX_DIMENSIONS];
        for (size_t a = 0; a < width; a++)
            codes[a] = otaprio__tuple_value(words, a);
        OTAPRIO__TRY(add_stratum(s, codes, hash, &id));
        *view = otaprio__tuple_view_of(&s->strata);
    }
    p->index = id;
    p->first_wave = plain ? 0 : otaprio__cohort_first_wave(&s->setup, rows, i);
    p->keep = false;
    if (p->first_wave >= s->setup.canary_count)
        return OTAPRIO_OK;
    if (otaprio__cohort_position(&s->setup, rows->keys[i]) >
        ((otaprio__stratum_hot *)s->hot.data)[id].limit)
        return OTAPRIO_OK;
    p->keep = true;
    otaprio__stratum *stratum = (otaprio__stratum *)s->stratum.data + id;
    otaprio__vec *list = p->first_wave == 0 ? &stratum->ready : &stratum->held;
    return reserve_one(s, list);
}

/*
 * A list grew long within a chunk: lower the limit to the one of the
 * stratum's count so far, so the rest of the chunk keeps fewer devices.
 * Nothing is dropped before the chunk ends (an undo must find every
 * entry the chunk added at the lists' tails), so within one call a
 * stratum keeps up to about (z^2 + m + 2) ln n devices beyond its limit's
 * share; streaming in chunks prunes them at every chunk's end.
 */
static void lower_limit(otaprio_cohort_sampler *s, uint32_t index)
{
    otaprio__stratum *stratum = (otaprio__stratum *)s->stratum.data + index;
    otaprio__stratum_hot *hot = (otaprio__stratum_hot *)s->hot.data + index;
    uint64_t limit =
        otaprio__cohort_limit(&s->setup, otaprio__stratum_candidates(s, index));
    if (limit < hot->limit)
        hot->limit = limit;
    size_t kept = stratum->ready.length + stratum->held.length;
    stratum->grow_at = kept + kept / 4 + 16;
}

/* Counts a placed device, and keeps it; cannot fail. */
static OTAPRIO__ALWAYS_INLINE void
count(otaprio_cohort_sampler *s, const placement *p, uint64_t key, bool plain)
{
    otaprio__stratum *stratum = (otaprio__stratum *)s->stratum.data + p->index;
    touch(s, stratum, p->index);
    if (plain) {
        ((otaprio__stratum_hot *)s->hot.data)[p->index].plain++;
    } else {
        stratum->fleet++;
        if (p->first_wave < s->setup.wave_count)
            ((uint64_t *)
                 s->by_wave.data)[(size_t)p->index * s->setup.wave_count +
                                  p->first_wave]++;
        if (p->first_wave < s->setup.canary_count)
            stratum->candidates++;
    }
    if (!p->keep)
        return;
    if (p->first_wave == 0) {
        ((uint64_t *)stratum->ready.data)[stratum->ready.length++] = key;
        stratum->added++;
    } else {
        otaprio__held *held =
            (otaprio__held *)stratum->held.data + stratum->held.length++;
        held->key = key;
        held->first_wave = p->first_wave;
        stratum->held_added++;
    }
    if (stratum->ready.length + stratum->held.length >= stratum->grow_at)
        lower_limit(s, p->index);
}

static OTAPRIO__ALWAYS_INLINE int pass_of(otaprio_cohort_sampler *s,
                                          const otaprio__cohort_rows *rows,
                                          size_t *failed_at, size_t width)
{
    bool plain = otaprio__cohort_rows_plain(&s->setup, rows);
    otaprio__tuple_view view = otaprio__tuple_view_of(&s->strata);
    for (size_t i = 0; i < rows->count; i++) {
#if defined(__GNUC__)
        if (s->dense != NULL && i + PREFETCH_AHEAD < rows->count) {
            uint32_t ahead =
                s->dense[stratum_id_at(s, rows, i + PREFETCH_AHEAD, width)];
            if (ahead != OTAPRIO__TUPLE_NONE)
                __builtin_prefetch((otaprio__stratum *)s->stratum.data + ahead,
                                   1);
        }
#endif
        placement p;
        int status = place(s, rows, i, width, plain, &view, &p);
        if (status != OTAPRIO_OK) {
            *failed_at = i;
            return status;
        }
        count(s, &p, rows->keys[i], plain);
    }
    return OTAPRIO_OK;
}

/*
 * The common case, a dense index and no eligibility column: blocks of
 * devices, each read in tight loops free of loads that miss (stratum ids,
 * then positions), then their stratum indexes in one loop of independent
 * loads (the misses overlap), then a count in each device's 16-byte hot
 * entry, which also notes the devices to keep. Only those, a few in a
 * hundred once the limits have fallen, go on to their stratum's record and
 * list, fetched a few devices ahead; a stratum none of whose devices is
 * kept is left alone, its count pending in the hot entry.
 */
#define BLOCK 256
#define KEEP_AHEAD 4

/* Takes a failed block's counts back from device `from` on (the pass
 * counts a whole block before keeping any of it), so that the undo, which
 * takes back devices [0, from), finds the counts it expects. */
static void uncount_from(otaprio_cohort_sampler *s, const uint32_t *index,
                         size_t from, size_t m)
{
    otaprio__stratum_hot *hot = s->hot.data;
    for (size_t j = from; j < m; j++)
        hot[index[j]].plain--;
}

static OTAPRIO__ALWAYS_INLINE int
dense_plain_of(otaprio_cohort_sampler *s, const otaprio__cohort_rows *rows,
               size_t *failed_at, size_t width)
{
    uint32_t ids[BLOCK];
    uint64_t positions[BLOCK];
    uint32_t index[BLOCK];
    uint16_t keep[BLOCK];
    const bool canary = s->setup.canary_count > 0;
    /* The hash threshold keeps by one limit for every stratum, whatever
     * its count: the count loop then reads no limits. (A stratum's own
     * limit is never below it; before its first chunk ends it is above.) */
    const bool shared =
        canary && s->setup.method == OTAPRIO_COHORT_HASH_THRESHOLD;
    const uint64_t shared_limit = otaprio__cohort_limit(&s->setup, 1);
    for (size_t b = 0; b < rows->count; b += BLOCK) {
        size_t m = rows->count - b < BLOCK ? rows->count - b : BLOCK;
        /* The ids also check the codes (observe left them to this pass, to
         * read them once): a code past its cardinality stops the pass
         * before the block, whose devices are then taken back. */
        if (!otaprio__cohort_dense_ids(&s->setup, rows->codes, b, m, width,
                                       ids)) {
            *failed_at = b;
            return OTAPRIO_E_RANGE;
        }
        otaprio__bucket_positions(s->setup.salt, rows->keys + b, m, positions);
        for (size_t j = 0; j < m; j++)
            index[j] = s->dense[ids[j]];
        /* Strata not seen before, added (a later device of one is found
         * in the table by then): a branch taken once per stratum. */
        for (size_t j = 0; j < m; j++) {
            if (index[j] != OTAPRIO__TUPLE_NONE)
                continue;
            uint32_t id = s->dense[ids[j]];
            if (id == OTAPRIO__TUPLE_NONE) {
                uint32_t codes[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
                otaprio__cohort_stratum_codes(&s->setup, ids[j], codes);
                int status = add_stratum(
                    s, codes, otaprio__tuple_hash(&s->strata, codes), &id);
                if (status != OTAPRIO_OK) {
                    *failed_at = b;
                    return status;
                }
            }
            index[j] = id;
        }
        /* Count, and note whom to keep. */
        otaprio__stratum_hot *hot = s->hot.data;
        size_t kept = 0;
        if (shared) {
            for (size_t j = 0; j < m; j++)
                hot[index[j]].plain++;
            for (size_t j = 0; j < m; j++) {
                keep[kept] = (uint16_t)j;
                kept += positions[j] <= shared_limit;
            }
        } else {
            for (size_t j = 0; j < m; j++) {
                otaprio__stratum_hot *entry = &hot[index[j]];
                entry->plain++;
                keep[kept] = (uint16_t)j;
                kept += canary && positions[j] <= entry->limit;
            }
        }
        for (size_t k = 0; k < kept; k++) {
#if defined(__GNUC__)
            /* The record two steps ahead of the list's tail, whose address
             * is in the record. */
            if (k + 2 * KEEP_AHEAD < kept)
                __builtin_prefetch((otaprio__stratum *)s->stratum.data +
                                       index[keep[k + 2 * KEEP_AHEAD]],
                                   1);
            if (k + KEEP_AHEAD < kept) {
                const otaprio__vec *ahead =
                    &((otaprio__stratum *)s->stratum.data +
                      index[keep[k + KEEP_AHEAD]])
                         ->ready;
                if (ahead->data != NULL)
                    __builtin_prefetch((uint64_t *)ahead->data + ahead->length,
                                       1);
            }
#endif
            size_t j = keep[k];
            uint32_t id = index[j];
            otaprio__stratum *stratum =
                (otaprio__stratum *)s->stratum.data + id;
            if (!stratum->touched)
                touch(s, stratum, id);
            otaprio__vec *list = &stratum->ready;
            if (list->length == list->capacity) {
                int status = reserve_one(s, list);
                if (status != OTAPRIO_OK) {
                    uncount_from(s, index, j, m);
                    *failed_at = b + j;
                    return status;
                }
            }
            ((uint64_t *)list->data)[list->length++] = rows->keys[b + j];
            stratum->added++;
            if (list->length >= stratum->grow_at)
                lower_limit(s, id);
        }
    }
    return OTAPRIO_OK;
}

#define PASS(name, width)                                           \
    static int pass_##name(otaprio_cohort_sampler *s,               \
                           const otaprio__cohort_rows *rows,        \
                           size_t *failed_at)                       \
    {                                                               \
        return pass_of(s, rows, failed_at, (width));                \
    }                                                               \
    static int dense_plain_##name(otaprio_cohort_sampler *s,        \
                                  const otaprio__cohort_rows *rows, \
                                  size_t *failed_at)                \
    {                                                               \
        return dense_plain_of(s, rows, failed_at, (width));         \
    }
PASS(1, 1)
PASS(2, 2)
PASS(3, 3)
PASS(4, 4)
PASS(5, 5)
PASS(6, 6)
PASS(any, s->setup.width)
#undef PASS

typedef int (*pass_fn)(otaprio_cohort_sampler *, const otaprio__cohort_rows *,
                       size_t *);

static const pass_fn pass_by_width[SPECIALISED_WIDTHS + 1] = {
    pass_any, pass_1, pass_2, pass_3, pass_4, pass_5, pass_6,
};

static const pass_fn dense_plain_by_width[SPECIALISED_WIDTHS + 1] = {
    dense_plain_any, dense_plain_1, dense_plain_2, dense_plain_3,
    dense_plain_4,   dense_plain_5, dense_plain_6,
};

/* Takes back devices [0, end) of a failed pass: their counts, the entries
 * the chunk appended (the tails of the lists), the limits the chunk
 * lowered, and the strata it added. */
static void undo(otaprio_cohort_sampler *s, const otaprio__cohort_rows *rows,
                 size_t end, uint32_t before)
{
    bool plain = otaprio__cohort_rows_plain(&s->setup, rows);
    size_t width = s->setup.width;
    otaprio__tuple_view view = otaprio__tuple_view_of(&s->strata);
    for (size_t i = 0; i < end; i++) {
        uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
        read_words(rows, i, width, words);
        uint32_t id = otaprio__tuple_find_in(
            &view, words, otaprio__tuple_hash_of(words, width), width);
        otaprio__stratum *stratum = (otaprio__stratum *)s->stratum.data + id;
        if (plain) {
            ((otaprio__stratum_hot *)s->hot.data)[id].plain--;
            continue;
        }
        uint32_t first = otaprio__cohort_first_wave(&s->setup, rows, i);
        stratum->fleet--;
        if (first < s->setup.wave_count)
            ((uint64_t *)
                 s->by_wave.data)[(size_t)id * s->setup.wave_count + first]--;
        if (first < s->setup.canary_count)
            stratum->candidates--;
    }
    otaprio__stratum *strata = s->stratum.data;
    const uint32_t *touched = s->touched.data;
    for (size_t k = 0; k < s->touched.length; k++) {
        uint32_t h = touched[k];
        otaprio__stratum *stratum = &strata[h];
        stratum->ready.length -= stratum->added;
        stratum->held.length -= stratum->held_added;
        stratum->added = 0;
        stratum->held_added = 0;
        ((otaprio__stratum_hot *)s->hot.data)[h].limit = stratum->settled;
        size_t kept = stratum->ready.length + stratum->held.length;
        stratum->grow_at = kept + kept / 4 + GROW_FIRST;
        stratum->touched = false;
    }
    s->touched.length = 0;
    otaprio__cohort_sampler_truncate(s, before);
}

/* How far ahead settling fetches a stratum's record. */
#define SETTLE_AHEAD 8

/* Ends a chunk for the strata it touched: lowers the limits of those
 * that grew by an eighth since theirs was computed (so the next chunks
 * keep fewer devices), and prunes the lists that grew by a quarter since
 * their last prune. */
static void settle(otaprio_cohort_sampler *s)
{
    otaprio__stratum *strata = s->stratum.data;
    const uint32_t *touched = s->touched.data;
    for (size_t k = 0; k < s->touched.length; k++) {
        uint32_t h = touched[k];
#if defined(__GNUC__)
        if (k + SETTLE_AHEAD < s->touched.length)
            __builtin_prefetch(&strata[touched[k + SETTLE_AHEAD]], 1);
#endif
        otaprio__stratum *stratum = &strata[h];
        otaprio__stratum_hot *hot = (otaprio__stratum_hot *)s->hot.data + h;
        stratum->touched = false;
        stratum->added = 0;
        stratum->held_added = 0;
        uint64_t candidates = otaprio__stratum_candidates(s, h);
        if (candidates - stratum->limit_at > stratum->limit_at / 8) {
            uint64_t limit = otaprio__cohort_limit(&s->setup, candidates);
            if (limit < hot->limit)
                hot->limit = limit;
            stratum->limit_at = candidates;
        }
        size_t kept = stratum->ready.length + stratum->held.length;
        if (kept > stratum->prune_at) {
            otaprio__stratum_prune(
                &s->setup, stratum, &hot->limit,
                otaprio__cohort_limit(&s->setup, candidates));
            stratum->limit_at = candidates;
            kept = stratum->ready.length + stratum->held.length;
            stratum->prune_at = kept + kept / 4 + 16;
        }
        stratum->grow_at = kept + kept / 4 + GROW_FIRST;
        stratum->settled = hot->limit;
    }
    s->touched.length = 0;
}

int otaprio_cohort_sampler_observe(otaprio_cohort_sampler *sampler,
                                   const otaprio_cohort_chunk *chunk,
                                   otaprio_diag *diag)
{
    if (sampler == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sampler", -1,
                             "sampler is NULL");
    otaprio__cohort_rows rows;
    OTAPRIO__TRY(
        otaprio__cohort_rows_read(&sampler->setup, chunk, &rows, diag));
    bool dense_plain = sampler->dense != NULL &&
                       otaprio__cohort_rows_plain(&sampler->setup, &rows);
    /* The dense pass checks the codes as it reads them. */
    if (!dense_plain)
        OTAPRIO__TRY(
            otaprio__cohort_rows_check_codes(&sampler->setup, &rows, diag));
    if (rows.count > OTAPRIO_COHORT_MAX_DEVICES - sampler->devices)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "count", -1,
                             "%zu more devices would pass the sampler's "
                             "limit of %llu",
                             rows.count,
                             (unsigned long long)OTAPRIO_COHORT_MAX_DEVICES);
    uint32_t before = sampler->strata.count;
    size_t width = sampler->setup.width;
    size_t failed_at = 0;
    const pass_fn *passes = dense_plain ? dense_plain_by_width : pass_by_width;
    int status = passes[width <= SPECIALISED_WIDTHS ? width : 0](sampler, &rows,
                                                                 &failed_at);
    if (status != OTAPRIO_OK) {
        undo(sampler, &rows, failed_at, before);
        if (status == OTAPRIO_E_RANGE) /* a bad code: name it */
            return otaprio__cohort_rows_check_codes(&sampler->setup, &rows,
                                                    diag);
        if (status == OTAPRIO_E_LIMIT)
            return otaprio__fail(diag, status, "codes", (int64_t)failed_at,
                                 "device %zu would start a stratum past the "
                                 "limit of %lu strata",
                                 failed_at, (unsigned long)UINT32_MAX - 1);
        return otaprio__fail(diag, status, "", (int64_t)failed_at,
                             "out of memory at device %zu", failed_at);
    }
    sampler->devices += rows.count;
    settle(sampler);
    return OTAPRIO_OK;
}
