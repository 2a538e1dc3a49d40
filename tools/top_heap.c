/* SPDX-License-Identifier: MIT */
/*
 * The N devices of highest priority in one pass: a min-heap whose root is
 * the weakest device kept, replaced whenever a stronger one arrives.
 * Memory is bounded by N whatever the fleet's size, and grows only as
 * devices are kept, so a large N over a small fleet costs little.
 */
#include <stdlib.h>
#include <string.h>

#include "score.h"

/* True when `a` ranks above `b`: higher priority, then the earlier row,
 * so that the result does not depend on the order devices were kept. */
static bool ranks_above(const score_device *a, const score_device *b)
{
    if (a->priority != b->priority)
        return a->priority > b->priority;
    return a->row < b->row;
}

static void release_device(score_device *device)
{
    free((void *)device->id);
    free(device->explained);
    device->id = NULL;
    device->explained = NULL;
}

static void swap(score_device *a, score_device *b)
{
    score_device t = *a;
    *a = *b;
    *b = t;
}

/* The heap keeps the weakest at index 0: a parent never ranks above its
 * children. */
static void sift_up(score_device *items, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ranks_above(&items[parent], &items[i]))
            break;
        swap(&items[parent], &items[i]);
        i = parent;
    }
}

static void sift_down(score_device *items, size_t count, size_t i)
{
    for (;;) {
        size_t weakest = i;
        size_t left = 2 * i + 1;
        size_t right = left + 1;
        if (left < count && ranks_above(&items[weakest], &items[left]))
            weakest = left;
        if (right < count && ranks_above(&items[weakest], &items[right]))
            weakest = right;
        if (weakest == i)
            return;
        swap(&items[i], &items[weakest]);
        i = weakest;
    }
}

void top_heap_init(top_heap *heap, size_t limit)
{
    heap->items = NULL;
    heap->count = 0;
    heap->capacity = 0;
    heap->limit = limit;
}

/* A copy of `device` that owns its id. */
static int own(score_device *copy, const score_device *device)
{
    *copy = *device;
    /* One byte more: an empty id still gets a block of its own. */
    char *id = malloc(device->id_length + 1);
    if (id == NULL)
        return -1;
    if (device->id_length != 0)
        memcpy(id, device->id, device->id_length);
    id[device->id_length] = '\0';
    copy->id = id;
    return 0;
}

int top_heap_offer(top_heap *heap, const score_device *device)
{
    if (heap->count == heap->limit) {
        if (heap->count == 0 || !ranks_above(device, &heap->items[0])) {
            free(device->explained);
            return 0;
        }
        score_device copy;
        if (own(&copy, device) != 0) {
            free(device->explained);
            return -1;
        }
        release_device(&heap->items[0]);
        heap->items[0] = copy;
        sift_down(heap->items, heap->count, 0);
        return 0;
    }
    if (heap->count == heap->capacity) {
        size_t capacity = heap->capacity != 0 ? heap->capacity * 2 : 64;
        if (capacity > heap->limit)
            capacity = heap->limit;
        score_device *grown =
            capacity <= SIZE_MAX / sizeof *grown
                ? realloc(heap->items, capacity * sizeof *grown)
                : NULL;
        if (grown == NULL) {
            free(device->explained);
            return -1;
        }
        heap->items = grown;
        heap->capacity = capacity;
    }
    if (own(&heap->items[heap->count], device) != 0) {
        free(device->explained);
        return -1;
    }
    heap->count++;
    sift_up(heap->items, heap->count - 1);
    return 0;
}

static int compare(const void *a, const void *b)
{
    /* Best first. */
    if (ranks_above(a, b))
        return -1;
    return ranks_above(b, a) ? 1 : 0;
}

void top_heap_sort(top_heap *heap)
{
    if (heap->count > 1)
        qsort(heap->items, heap->count, sizeof *heap->items, compare);
}

void top_heap_release(top_heap *heap)
{
    for (size_t i = 0; i < heap->count; i++)
        release_device(&heap->items[i]);
    free(heap->items);
    top_heap_init(heap, heap->limit);
}
