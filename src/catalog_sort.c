/* SPDX-License-Identifier: MIT */
/*
 * Sorting for the catalog. qsort() takes no context pointer in C11 and is
 * not stable, so ids ordered by a comparison over catalog data use a
 * bottom-up merge sort: O(n log n) on every input, the same result on
 * every platform.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_internal.h"

void otaprio__sort_ids(uint32_t *ids, uint32_t *scratch, size_t count,
                       otaprio__order_fn order, const void *context)
{
    uint32_t *from = ids, *to = scratch;
    for (size_t width = 1; width < count; width *= 2) {
        for (size_t left = 0; left < count; left += 2 * width) {
            size_t mid = left + width < count ? left + width : count;
            size_t right = mid + width < count ? mid + width : count;
            size_t i = left, j = mid, k = left;
            while (i < mid && j < right)
                to[k++] = order(context, from[j], from[i]) < 0 ? from[j++]
                                                               : from[i++];
            while (i < mid)
                to[k++] = from[i++];
            while (j < right)
                to[k++] = from[j++];
        }
        uint32_t *swap = from;
        from = to;
        to = swap;
        if (width > SIZE_MAX / 2)
            break;
    }
    if (from != ids)
        memcpy(ids, from, count * sizeof *ids);
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void otaprio__sort_u64(uint64_t *keys, size_t count)
{
    /* Plain keys: equal keys are indistinguishable, so stability does not
     * matter and the C library's sort is deterministic enough. */
    if (count > 1)
        qsort(keys, count, sizeof *keys, compare_u64);
}
