/* SPDX-License-Identifier: MIT */
/*
 * A set of fixed-width tuples of uint32 values (tuple_set.c) that numbers
 * each distinct tuple densely in order of insertion: the shared-fate
 * clusterer's clusters and the cohort engine's strata.
 *
 * The set is an open-addressing hash table with linear probing. A slot is
 * one uint64: 0 when empty, else the top 32 bits of the tuple's XXH3 hash
 * (a tag that rejects almost every mismatch without touching the tuple)
 * over `id + 1`. The tuples themselves lie back to back in id order, so a
 * tuple's values are one memcpy away and ids never move. A tag match is
 * always confirmed by comparing the whole tuple: the hash only narrows the
 * search, it never decides equality.
 *
 * The hash is XXH3 of the tuple packed into 64-bit words (see
 * otaprio__tuple_pack()), in the machine's byte order; it decides only
 * where a tuple sits in the table, never an id, so ids are the same on
 * every platform.
 */
#ifndef OTAPRIO_TUPLE_SET_H
#define OTAPRIO_TUPLE_SET_H

#include <string.h>

#include "internal.h"
#include "otaprio/graph.h"

/* Inlined and private, as in bucket.c: the per-device lookup compiles to
 * a few instructions and no XXH symbol can leak from the library. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* What a lookup returns for a tuple the set does not hold. */
#define OTAPRIO__TUPLE_NONE UINT32_MAX

/* The bits of a slot (and of a hash) that hold the tag. */
#define OTAPRIO__TUPLE_TAG_MASK UINT64_C(0xFFFFFFFF00000000)

typedef struct otaprio__tuple_set {
    size_t width;        /* uint32 values per tuple, at least 1 */
    size_t row_bytes;    /* 4 * width */
    uint32_t count;      /* tuples held: ids 0 .. count-1 */
    otaprio__vec tuples; /* count tuples of row_bytes each, in id order */
    uint64_t *slots;     /* NULL until the first insert */
    size_t mask;         /* slot count - 1 (a power of two minus one) */
} otaprio__tuple_set;

/* An empty set of `width`-value tuples; allocates nothing. */
void otaprio__tuple_set_prepare(otaprio__tuple_set *set, size_t width);

/* Frees the storage; the set is empty afterwards. */
void otaprio__tuple_set_release(const otaprio__mem *mem,
                                otaprio__tuple_set *set);

/*
 * A tuple in flight, packed in pairs: word w holds value 2w in its low 32
 * bits and value 2w + 1 (or 0 past the last) in its high ones. Lookups
 * take tuples in this form because a device's values are gathered straight
 * into it, with 8-byte stores that XXH3's 8-byte reads can take from the
 * store buffer; gathering 4-byte values and hashing those bytes made each
 * read straddle two stores, a store-forwarding stall that cost more than
 * the hash itself.
 */
#define OTAPRIO__TUPLE_MAX_WORDS ((OTAPRIO_CLUSTER_MAX_ATTRIBUTES + 1) / 2)

static OTAPRIO__ALWAYS_INLINE uint32_t
otaprio__tuple_value(const uint64_t *words, size_t a)
{
    return (uint32_t)(words[a / 2] >> (32 * (a % 2)));
}

static OTAPRIO__ALWAYS_INLINE void
otaprio__tuple_pack(const uint32_t *row, size_t width, uint64_t *words)
{
    for (size_t w = 0; w < (width + 1) / 2; w++) {
        uint64_t high = 2 * w + 1 < width ? row[2 * w + 1] : 0;
        words[w] = row[2 * w] | high << 32;
    }
}

/* The hash of a packed tuple: XXH3 of its words. Called with a constant
 * width, the length is known and XXH3 compiles to its short path for that
 * length. */
static OTAPRIO__ALWAYS_INLINE uint64_t
otaprio__tuple_hash_of(const uint64_t *words, size_t width)
{
    return XXH3_64bits(words, (width + 1) / 2 * sizeof(uint64_t));
}

/* The hash of a plain tuple of the set's width. */
static inline uint64_t otaprio__tuple_hash(const otaprio__tuple_set *set,
                                           const uint32_t *row)
{
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    otaprio__tuple_pack(row, set->width, words);
    return otaprio__tuple_hash_of(words, set->width);
}

static inline const uint32_t *otaprio__tuple_at(const otaprio__tuple_set *set,
                                                uint32_t id)
{
    return (const uint32_t *)set->tuples.data + (size_t)id * set->width;
}

/* The table as a lookup loop holds it, in locals the compiler need not
 * reload after every store to an output; taken again after an insertion,
 * which may move the storage. */
typedef struct otaprio__tuple_view {
    const uint64_t *slots; /* never NULL: an empty set has one empty slot */
    size_t mask;
    const uint32_t *tuples;
} otaprio__tuple_view;

static inline otaprio__tuple_view
otaprio__tuple_view_of(const otaprio__tuple_set *set)
{
    static const uint64_t no_slots[1] = {0};
    otaprio__tuple_view v;
    v.slots = set->slots != NULL ? set->slots : no_slots;
    v.mask = set->slots != NULL ? set->mask : 0;
    v.tuples = set->tuples.data;
    return v;
}

/* The id of the packed tuple `words` (whose hash is `hash`), or
 * OTAPRIO__TUPLE_NONE; `width` must be the set's, given separately so
 * that a constant can be inlined. */
static OTAPRIO__ALWAYS_INLINE uint32_t
otaprio__tuple_find_in(const otaprio__tuple_view *v, const uint64_t *words,
                       uint64_t hash, size_t width)
{
    const uint64_t tag = hash & OTAPRIO__TUPLE_TAG_MASK;
    size_t at = (size_t)hash & v->mask;
    for (;;) {
        uint64_t slot = v->slots[at];
        if (slot == 0)
            return OTAPRIO__TUPLE_NONE;
        if ((slot & OTAPRIO__TUPLE_TAG_MASK) == tag) {
            /* A matching tag only narrows the search: the whole tuple
             * decides. */
            uint32_t id = (uint32_t)slot - 1;
            const uint32_t *tuple = v->tuples + (size_t)id * width;
            uint32_t differ = 0;
            for (size_t a = 0; a < width; a++)
                differ |= tuple[a] ^ otaprio__tuple_value(words, a);
            if (differ == 0)
                return id;
        }
        at = (at + 1) & v->mask;
    }
}

/* The id of a plain tuple of the set's width, or OTAPRIO__TUPLE_NONE. */
static inline uint32_t otaprio__tuple_find(const otaprio__tuple_set *set,
                                           const uint32_t *row, uint64_t hash)
{
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    otaprio__tuple_pack(row, set->width, words);
    otaprio__tuple_view v = otaprio__tuple_view_of(set);
    return otaprio__tuple_find_in(&v, words, hash, set->width);
}

/* The table is at most a quarter full: a lookup then takes at most about
 * 1.2 probes on average, and a quarter ran 15% faster than a half on the
 * cluster benchmark's input (fewer mispredicted probe loops), for 16 to 32
 * more bytes per cluster. */
#define OTAPRIO__TUPLE_SLOTS_PER_TUPLE 4

/* How many tuples the set can hold without allocating. */
static inline size_t otaprio__tuple_set_room(const otaprio__tuple_set *set)
{
    size_t slots = set->slots != NULL ? set->mask + 1 : 0;
    size_t fit = slots / OTAPRIO__TUPLE_SLOTS_PER_TUPLE;
    return fit < set->tuples.capacity ? fit : set->tuples.capacity;
}

/*
 * Makes room for the set to hold `count` tuples without allocating again:
 * tuple storage and a table at most a quarter full. Growth is geometric. On
 * failure (OTAPRIO_E_NOMEM, or OTAPRIO_E_OVERFLOW when the sizes do not fit
 * in size_t) the set holds the same tuples as before and still works.
 */
OTAPRIO__NODISCARD int otaprio__tuple_set_reserve(const otaprio__mem *mem,
                                                  otaprio__tuple_set *set,
                                                  size_t count);

/*
 * Adds the plain tuple `row`, which the set must not hold, as id
 * `set->count`, after otaprio__tuple_set_reserve() made room for it: this
 * never allocates and cannot fail. `hash` places it; anything but
 * otaprio__tuple_hash() of the row is for tests only, as growth and
 * truncation place tuples again by that.
 */
uint32_t otaprio__tuple_set_add_reserved(otaprio__tuple_set *set,
                                         const uint32_t *row, uint64_t hash);

/* Forgets every tuple from id `keep` on (keep <= count), so the set is as
 * it was when it held `keep` tuples. Allocates nothing. */
void otaprio__tuple_set_truncate(otaprio__tuple_set *set, uint32_t keep);

#endif /* OTAPRIO_TUPLE_SET_H */
