/* SPDX-License-Identifier: MIT */
/* The tuple set: storage, growth and rollback (the lookup is inline in
 * tuple_set.h). */
#include "tuple_set.h"

/* Smallest table: 16 slots, 4 tuples before the first growth. */
#define MIN_SLOTS 16

void otaprio__tuple_set_prepare(otaprio__tuple_set *set, size_t width)
{
    memset(set, 0, sizeof *set);
    set->width = width;
    set->row_bytes = width * sizeof(uint32_t);
    set->tuples.elem_size = set->row_bytes;
}

void otaprio__tuple_set_release(const otaprio__mem *mem,
                                otaprio__tuple_set *set)
{
    otaprio__vec_release(mem, &set->tuples);
    otaprio__mem_free(mem, set->slots);
    otaprio__tuple_set_prepare(set, set->width);
}

/* Puts tuple `id` into `slots` (of mask + 1 slots, with a free one). */
static void place(uint64_t *slots, size_t mask, uint64_t hash, uint32_t id)
{
    size_t at = (size_t)hash & mask;
    while (slots[at] != 0)
        at = (at + 1) & mask;
    slots[at] = (hash & OTAPRIO__TUPLE_TAG_MASK) | ((uint64_t)id + 1);
}

/* Fills an all-empty table with tuples 0 .. count-1. */
static void place_all(const otaprio__tuple_set *set, uint64_t *slots,
                      size_t mask)
{
    for (uint32_t id = 0; id < set->count; id++)
        place(slots, mask, otaprio__tuple_hash(set, otaprio__tuple_at(set, id)),
              id);
}

int otaprio__tuple_set_reserve(const otaprio__mem *mem, otaprio__tuple_set *set,
                               size_t count)
{
    /* Tuples first: if the table then fails to grow, the set only holds
     * more spare room than before. */
    OTAPRIO__TRY(otaprio__vec_reserve(mem, &set->tuples, count));
    size_t slots = set->slots != NULL ? set->mask + 1 : 0;
    if (count <= slots / OTAPRIO__TUPLE_SLOTS_PER_TUPLE)
        return OTAPRIO_OK;
    size_t grown = slots != 0 ? slots : MIN_SLOTS;
    while (count > grown / OTAPRIO__TUPLE_SLOTS_PER_TUPLE) {
        if (grown > SIZE_MAX / 2 / sizeof(uint64_t))
            return OTAPRIO_E_OVERFLOW;
        grown *= 2; /* doubling: growth is geometric */
    }
    uint64_t *table = NULL;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, grown, sizeof *table, (void **)&table));
    /* Rehashing from the tuples keeps slots at 8 bytes; growth is rare
     * enough (a doubling) that the O(count * width) cost amortises. */
    place_all(set, table, grown - 1);
    otaprio__mem_free(mem, set->slots);
    set->slots = table;
    set->mask = grown - 1;
    return OTAPRIO_OK;
}

uint32_t otaprio__tuple_set_add_reserved(otaprio__tuple_set *set,
                                         const uint32_t *row, uint64_t hash)
{
    uint32_t id = set->count;
    memcpy((unsigned char *)set->tuples.data + (size_t)id * set->row_bytes, row,
           set->row_bytes);
    set->tuples.length = (size_t)id + 1;
    place(set->slots, set->mask, hash, id);
    set->count = id + 1;
    return id;
}

void otaprio__tuple_set_truncate(otaprio__tuple_set *set, uint32_t keep)
{
    if (keep >= set->count)
        return;
    set->count = keep;
    set->tuples.length = keep;
    /* Deleting from a linear-probing table would have to mend every probe
     * chain the dropped tuples sat in; placing the kept ones again into the
     * same, cleared table is simpler and allocates nothing. This runs only
     * to undo a failed add. */
    memset(set->slots, 0, (set->mask + 1) * sizeof *set->slots);
    place_all(set, set->slots, set->mask);
}
