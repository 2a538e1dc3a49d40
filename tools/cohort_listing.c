/* SPDX-License-Identifier: MIT */
/*
 * The identifiers of the canary waves' devices. The library knows devices
 * by key only; one more pass over the fleet finds the row of each listed
 * key. Memory is the canary waves' devices (which the library holds too),
 * not the fleet: the listed keys are sorted once and each row's key is
 * searched among them.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_cmd.h"

/* A device whose identifier no row has given yet. */
#define NOT_FOUND UINT64_MAX

static int no_memory(const char *who)
{
    cli_error(who, "out of memory");
    return CLI_EXIT_FAILURE;
}

void cohort_listing_release(cohort_listing *listing)
{
    free(listing->waves);
    free(listing->order);
    free(listing->keys);
    free(listing->starts);
    free(listing->lengths);
    free(listing->bytes);
    memset(listing, 0, sizeof *listing);
}

/* The devices of the canary waves: the selected devices of the last wave
 * the library lists. */
static uint64_t listed_devices(const otaprio_cohort *cohort)
{
    uint64_t count = 0;
    uint32_t waves = otaprio_cohort_wave_count(cohort);
    for (uint32_t k = 0; k < waves; k++) {
        otaprio_cohort_wave info;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        if (otaprio_cohort_wave_info(cohort, k, &info, NULL) == OTAPRIO_OK &&
            info.listed)
            count = info.selected;
    }
    return count;
}

/* qsort() comparison of device indexes by their keys: the keys travel
 * in the pairs, so no global is needed. */
typedef struct key_index {
    uint64_t key;
    uint64_t index;
} key_index;

static int compare_keys(const void *a, const void *b)
{
    const key_index *x = a;
    const key_index *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int sort_by_key(cohort_listing *listing)
{
    uint64_t count = listing->count;
    key_index *pairs = malloc((size_t)(count != 0 ? count : 1) * sizeof *pairs);
    if (pairs == NULL)
        return no_memory(listing->who);
    for (uint64_t i = 0; i < count; i++) {
        pairs[i].key = listing->keys[i];
        pairs[i].index = i;
    }
    qsort(pairs, (size_t)count, sizeof *pairs, compare_keys);
    for (uint64_t i = 0; i < count; i++)
        listing->order[i] = pairs[i].index;
    free(pairs);
    return 0;
}

int cohort_listing_build(cohort_listing *listing, const char *who,
                         const char *input, const otaprio_cohort *cohort)
{
    memset(listing, 0, sizeof *listing);
    listing->who = who;
    listing->input = input;
    uint64_t count = listed_devices(cohort);
    if (count > SIZE_MAX / sizeof(uint64_t))
        return no_memory(who);
    size_t n = (size_t)(count != 0 ? count : 1);
    listing->count = count;
    listing->waves = malloc(n * sizeof *listing->waves);
    listing->order = malloc(n * sizeof *listing->order);
    listing->keys = malloc(n * sizeof *listing->keys);
    listing->starts = malloc(n * sizeof *listing->starts);
    listing->lengths = malloc(n * sizeof *listing->lengths);
    if (listing->waves == NULL || listing->order == NULL ||
        listing->keys == NULL || listing->starts == NULL ||
        listing->lengths == NULL)
        return no_memory(who);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_cohort_devices(cohort, 0, count, listing->keys,
                                        listing->waves, NULL, &diag);
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_cohort_devices", status, &diag);
    for (uint64_t i = 0; i < count; i++)
        listing->starts[i] = NOT_FOUND;
    return sort_by_key(listing);
}

/* The listed device with `key`, or NOT_FOUND. */
static uint64_t find(const cohort_listing *listing, uint64_t key)
{
    uint64_t low = 0;
    uint64_t high = listing->count;
    while (low < high) {
        uint64_t middle = low + (high - low) / 2;
        if (listing->keys[listing->order[middle]] < key)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < listing->count && listing->keys[listing->order[low]] == key)
        return listing->order[low];
    return NOT_FOUND;
}

static int keep_id(cohort_listing *listing, uint64_t device, const char *bytes,
                   size_t length)
{
    if (length > SIZE_MAX / 2 - listing->bytes_used)
        return no_memory(listing->who);
    size_t needed = listing->bytes_used + length;
    if (needed > listing->bytes_capacity) {
        size_t capacity =
            listing->bytes_capacity != 0 ? listing->bytes_capacity : 4096;
        while (capacity < needed)
            capacity *= 2;
        char *grown = realloc(listing->bytes, capacity);
        if (grown == NULL)
            return no_memory(listing->who);
        listing->bytes = grown;
        listing->bytes_capacity = capacity;
    }
    if (length != 0)
        memcpy(listing->bytes + listing->bytes_used, bytes, length);
    listing->starts[device] = (uint64_t)listing->bytes_used;
    listing->lengths[device] = (uint64_t)length;
    listing->bytes_used = needed;
    return 0;
}

int cohort_listing_chunk(void *user, cohort_chunk *chunk)
{
    cohort_listing *listing = user;
    for (size_t i = 0; i < chunk->count; i++) {
        uint64_t device = find(listing, chunk->keys[i]);
        /* A key is selected once (the library refuses a cohort that
         * would take one twice), but rows may repeat it: the first row
         * names it. */
        if (device == NOT_FOUND || listing->starts[device] != NOT_FOUND)
            continue;
        size_t length;
        const char *id = cli_id_chunk_id(&chunk->ids, i, &length);
        int status = keep_id(listing, device, id, length);
        if (status != 0)
            return status;
    }
    return 0;
}

int cohort_listing_check(const cohort_listing *listing)
{
    for (uint64_t i = 0; i < listing->count; i++) {
        if (listing->starts[i] == NOT_FOUND) {
            char key[CLI_HEX64_CHARS + 1];
            cli_format_hex64(listing->keys[i], key);
            cli_error(listing->who,
                      "%s: no row has the selected device of key %s: the "
                      "input changed while being read",
                      listing->input, key);
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

const char *cohort_listing_id(const cohort_listing *listing, uint64_t i,
                              size_t *length)
{
    *length = (size_t)listing->lengths[i];
    return listing->bytes != NULL ? listing->bytes + listing->starts[i] : "";
}
