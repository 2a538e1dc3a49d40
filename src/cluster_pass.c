/* SPDX-License-Identifier: MIT */
/*
 * The clusterer's per-device pass and its undo. The pass is written once,
 * for any width, and compiled again for every width up to
 * SPECIALISED_WIDTHS: with the width a constant, a device's values are
 * gathered into a few words, XXH3 runs its short path for that exact
 * length and the tuple comparison is a few loads instead of a call. Wider
 * tuples take the generic copy. (Hashing a few devices ahead of their
 * lookups, with or without prefetching their slots, timed no faster.)
 */
#include "cluster_internal.h"

/* Widths with a copy of their own; hosts rarely group by more. */
#define SPECIALISED_WIDTHS 8

/* Gathers device `device`'s values, packed (see otaprio__tuple_pack()). */
static OTAPRIO__ALWAYS_INLINE void read_words(const otaprio__cluster_chunk *k,
                                              size_t device, size_t width,
                                              uint64_t *words)
{
    for (size_t w = 0; w < (width + 1) / 2; w++) {
        size_t a = 2 * w;
        uint64_t low = k->column[a][device & k->mask[a]];
        uint64_t high =
            a + 1 < width ? k->column[a + 1][device & k->mask[a + 1]] : 0;
        words[w] = low | high << 32;
    }
}

/* Makes room for one more cluster. */
static int reserve_one(otaprio_clusterer *c, size_t device, otaprio_diag *diag)
{
    uint32_t count = c->set.count;
    if (count >= c->limit)
        return otaprio__fail(
            diag, OTAPRIO_E_OVERFLOW, "columns", (int64_t)device,
            "device %zu would start cluster %lu, past the "
            "limit of %lu clusters",
            device, (unsigned long)count + 1, (unsigned long)c->limit);
    int status = otaprio__vec_reserve(&c->mem, &c->counts, (size_t)count + 1);
    if (status == OTAPRIO_OK)
        status =
            otaprio__tuple_set_reserve(&c->mem, &c->set, (size_t)count + 1);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", (int64_t)device,
                             "no memory to grow to %lu clusters at device %zu",
                             (unsigned long)count + 1, device);
    return OTAPRIO_OK;
}

/* Adds a cluster for the packed tuple `words`, with zero counts; room must
 * have been made. */
static uint32_t add_reserved(otaprio_clusterer *c, const uint64_t *words,
                             uint64_t hash)
{
    uint32_t row[OTAPRIO_CLUSTER_MAX_ATTRIBUTES];
    for (size_t a = 0; a < c->set.width; a++)
        row[a] = otaprio__tuple_value(words, a);
    uint32_t id = otaprio__tuple_set_add_reserved(&c->set, row, hash);
    otaprio__cluster_counts *counts = c->counts.data;
    counts[id].members = 0;
    counts[id].cohort_members = 0;
    c->counts.length = (size_t)id + 1;
    return id;
}

static OTAPRIO__ALWAYS_INLINE int pass_of(otaprio_clusterer *c,
                                          const otaprio__cluster_chunk *k,
                                          uint32_t *ids, size_t *failed_at,
                                          otaprio_diag *diag, size_t width)
{
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    const uint8_t *include = k->include, *cohort = k->cohort;
    otaprio__tuple_view view = otaprio__tuple_view_of(&c->set);
    otaprio__cluster_counts *counts = c->counts.data;
    for (size_t i = 0; i < k->count; i++) {
        if (include != NULL && include[i] == 0) {
            if (ids != NULL)
                ids[i] = UINT32_MAX;
            continue;
        }
        read_words(k, i, width, words);
        uint64_t hash = otaprio__tuple_hash_of(words, width);
        uint32_t id = otaprio__tuple_find_in(&view, words, hash, width);
        if (id == OTAPRIO__TUPLE_NONE) {
            int status = reserve_one(c, i, diag);
            if (status != OTAPRIO_OK) {
                *failed_at = i;
                return status;
            }
            id = add_reserved(c, words, hash);
            view = otaprio__tuple_view_of(&c->set);
            counts = c->counts.data;
        }
        counts[id].members++;
        if (cohort != NULL)
            counts[id].cohort_members += cohort[i];
        if (ids != NULL)
            ids[i] = id;
    }
    return OTAPRIO_OK;
}

/* One copy of the pass per specialised width, and the generic one. */
#define PASS(name, width)                                                  \
    static int pass_##name(otaprio_clusterer *c,                           \
                           const otaprio__cluster_chunk *k, uint32_t *ids, \
                           size_t *failed_at, otaprio_diag *diag)          \
    {                                                                      \
        return pass_of(c, k, ids, failed_at, diag, (width));               \
    }
PASS(1, 1)
PASS(2, 2)
PASS(3, 3)
PASS(4, 4)
PASS(5, 5)
PASS(6, 6)
PASS(7, 7)
PASS(8, 8)
PASS(any, c->set.width)
#undef PASS

typedef int (*pass_fn)(otaprio_clusterer *, const otaprio__cluster_chunk *,
                       uint32_t *, size_t *, otaprio_diag *);

static const pass_fn pass_by_width[SPECIALISED_WIDTHS + 1] = {
    pass_any, pass_1, pass_2, pass_3, pass_4, pass_5, pass_6, pass_7, pass_8,
};

int otaprio__cluster_pass(otaprio_clusterer *clusterer,
                          const otaprio__cluster_chunk *chunk, uint32_t *ids,
                          size_t *failed_at, otaprio_diag *diag)
{
    size_t width = clusterer->set.width;
    return pass_by_width[width <= SPECIALISED_WIDTHS ? width : 0](
        clusterer, chunk, ids, failed_at, diag);
}

void otaprio__cluster_undo(otaprio_clusterer *c,
                           const otaprio__cluster_chunk *k, size_t end,
                           uint32_t before)
{
    /* Every tuple of devices [0, end) is in the set until the truncation
     * below; only clusters older than the pass need their counts back. */
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    size_t width = c->set.width;
    otaprio__tuple_view view = otaprio__tuple_view_of(&c->set);
    otaprio__cluster_counts *counts = c->counts.data;
    for (size_t i = 0; i < end; i++) {
        if (k->include != NULL && k->include[i] == 0)
            continue;
        read_words(k, i, width, words);
        uint32_t id = otaprio__tuple_find_in(
            &view, words, otaprio__tuple_hash_of(words, width), width);
        if (id >= before)
            continue;
        counts[id].members--;
        if (k->cohort != NULL)
            counts[id].cohort_members -= k->cohort[i];
    }
    otaprio__tuple_set_truncate(&c->set, before);
    c->counts.length = before;
}
