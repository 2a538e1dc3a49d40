/* SPDX-License-Identifier: MIT */
/*
 * A dictionary of text values: each distinct byte string gets a code in
 * order of first appearance. The values live back to back in one buffer
 * and an open-addressing table finds them by the library's own keying
 * (otaprio_key_derive(), a 64-bit hash of the bytes), so a column with
 * thousands of values is encoded in constant time per field, and memory
 * is the distinct values, not the rows.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A table slot holding no code. */
#define EMPTY UINT32_MAX

void cli_value_dict_init(cli_value_dict *dict)
{
    memset(dict, 0, sizeof *dict);
}

void cli_value_dict_release(cli_value_dict *dict)
{
    free(dict->bytes);
    free(dict->offsets);
    free(dict->hashes);
    free(dict->slots);
    cli_value_dict_init(dict);
}

const char *cli_value_dict_value(const cli_value_dict *dict, uint32_t code,
                                 size_t *length)
{
    *length = (size_t)(dict->offsets[code + 1] - dict->offsets[code]);
    /* Only empty values: the buffer was never allocated. */
    return dict->bytes != NULL ? dict->bytes + dict->offsets[code] : "";
}

static uint64_t hash_of(const char *bytes, size_t length)
{
    uint64_t hash = 0;
    /* Cannot fail for a non-NULL pointer; "" stands in for no bytes. */
    (void)otaprio_key_derive(length != 0 ? bytes : "", length, &hash);
    return hash;
}

/* The slot holding `bytes`, or the empty slot where they would go. */
static size_t slot_of(const cli_value_dict *dict, const char *bytes,
                      size_t length, uint64_t hash)
{
    size_t mask = dict->slot_count - 1;
    size_t slot = (size_t)hash & mask;
    for (;;) {
        uint32_t code = dict->slots[slot];
        if (code == EMPTY)
            return slot;
        size_t stored_length;
        const char *stored = cli_value_dict_value(dict, code, &stored_length);
        if (dict->hashes[code] == hash && stored_length == length &&
            memcmp(stored, bytes, length) == 0)
            return slot;
        slot = (slot + 1) & mask;
    }
}

bool cli_value_dict_find(const cli_value_dict *dict, const char *bytes,
                         size_t length, uint32_t *code)
{
    if (dict->count == 0)
        return false;
    size_t slot = slot_of(dict, bytes, length, hash_of(bytes, length));
    if (dict->slots[slot] == EMPTY)
        return false;
    *code = dict->slots[slot];
    return true;
}

/* Doubles the table (at most half full, so probes stay short). */
static int grow_slots(cli_value_dict *dict)
{
    size_t count = dict->slot_count != 0 ? dict->slot_count * 2 : 64;
    if (count > SIZE_MAX / sizeof *dict->slots)
        return -1;
    uint32_t *slots = malloc(count * sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < count; i++)
        slots[i] = EMPTY;
    for (uint32_t code = 0; code < dict->count; code++) {
        size_t slot = (size_t)dict->hashes[code] & (count - 1);
        while (slots[slot] != EMPTY)
            slot = (slot + 1) & (count - 1);
        slots[slot] = code;
    }
    free(dict->slots);
    dict->slots = slots;
    dict->slot_count = count;
    return 0;
}

/* Room for one more value of `length` bytes in the arrays. */
static int reserve(cli_value_dict *dict, size_t length)
{
    if (dict->count == dict->capacity) {
        size_t capacity = dict->capacity != 0 ? dict->capacity * 2 : 32;
        uint64_t *offsets =
            realloc(dict->offsets, (capacity + 1) * sizeof *offsets);
        if (offsets == NULL)
            return -1;
        offsets[0] = 0;
        dict->offsets = offsets;
        uint64_t *hashes = realloc(dict->hashes, capacity * sizeof *hashes);
        if (hashes == NULL)
            return -1;
        dict->hashes = hashes;
        dict->capacity = capacity;
    }
    size_t used = dict->count != 0 ? (size_t)dict->offsets[dict->count] : 0;
    if (length > SIZE_MAX / 2 - used)
        return -1;
    if (used + length > dict->bytes_capacity) {
        size_t capacity =
            dict->bytes_capacity != 0 ? dict->bytes_capacity : 1024;
        while (capacity < used + length)
            capacity *= 2;
        char *grown = realloc(dict->bytes, capacity);
        if (grown == NULL)
            return -1;
        dict->bytes = grown;
        dict->bytes_capacity = capacity;
    }
    return 0;
}

int cli_value_dict_intern(cli_value_dict *dict, const char *bytes,
                          size_t length, uint32_t *code)
{
    uint64_t hash = hash_of(bytes, length);
    if (dict->slot_count != 0) {
        size_t slot = slot_of(dict, bytes, length, hash);
        if (dict->slots[slot] != EMPTY) {
            *code = dict->slots[slot];
            return 0;
        }
    }
    /* The codes are uint32 and EMPTY marks a free slot. */
    if (dict->count >= EMPTY - 1)
        return -2;
    if (reserve(dict, length) != 0)
        return -1;
    if ((dict->count + 1) * 2 > dict->slot_count && grow_slots(dict) != 0)
        return -1;
    uint32_t added = (uint32_t)dict->count;
    size_t used = added != 0 ? (size_t)dict->offsets[added] : 0;
    if (length != 0) /* bytes may be NULL for an empty value */
        memcpy(dict->bytes + used, bytes, length);
    dict->offsets[added] = (uint64_t)used;
    dict->offsets[added + 1] = (uint64_t)(used + length);
    dict->hashes[added] = hash;
    dict->slots[slot_of(dict, bytes, length, hash)] = added;
    dict->count++;
    *code = added;
    return 0;
}

/* One value as qsort() sees it: its bytes travel with it, so the
 * comparison needs no pointer to the dictionary. */
typedef struct sort_entry {
    const char *bytes;
    size_t length;
    uint32_t code;
} sort_entry;

static int compare_values(const void *a, const void *b)
{
    const sort_entry *x = a;
    const sort_entry *y = b;
    size_t common = x->length < y->length ? x->length : y->length;
    int order = common != 0 ? memcmp(x->bytes, y->bytes, common) : 0;
    if (order != 0)
        return order;
    return (x->length > y->length) - (x->length < y->length);
}

uint32_t *cli_value_dict_sorted(const cli_value_dict *dict)
{
    size_t count = dict->count != 0 ? dict->count : 1;
    sort_entry *entries = malloc(count * sizeof *entries);
    uint32_t *order = malloc(count * sizeof *order);
    if (entries == NULL || order == NULL) {
        free(entries);
        free(order);
        return NULL;
    }
    for (uint32_t code = 0; code < dict->count; code++) {
        entries[code].bytes =
            cli_value_dict_value(dict, code, &entries[code].length);
        entries[code].code = code;
    }
    /* Values are distinct: the order is total, whatever qsort() does
     * with equal elements. */
    qsort(entries, dict->count, sizeof *entries, compare_values);
    for (size_t i = 0; i < dict->count; i++)
        order[i] = entries[i].code;
    free(entries);
    return order;
}
