/* SPDX-License-Identifier: MIT */
/* The caller-supplied allocator and the helpers every engine allocates
 * through, so that a handle's memory all comes from its own allocator. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const otaprio__layout allocator_layout = {
    "otaprio_allocator", sizeof(otaprio_allocator),
    sizeof(otaprio_allocator), /* first published layout */
};

static void *libc_alloc(void *user, size_t bytes)
{
    (void)user;
    return malloc(bytes);
}

static void *libc_realloc(void *user, void *block, size_t bytes)
{
    (void)user;
    return realloc(block, bytes);
}

static void libc_free(void *user, void *block)
{
    (void)user;
    free(block);
}

int(otaprio_allocator_init)(otaprio_allocator *allocator, size_t size)
{
    /* All zero: the C library's allocator. */
    return otaprio__struct_init(allocator, size, NULL, &allocator_layout);
}

int otaprio__mem_resolve(otaprio__mem *mem, const otaprio_allocator *allocator,
                         otaprio_diag *diag)
{
    otaprio__mem resolved = {libc_alloc, libc_realloc, libc_free, NULL};
    if (allocator != NULL) {
        otaprio_allocator full;
        memset(&full, 0, sizeof full);
        int status =
            otaprio__struct_read(&full, allocator, &allocator_layout, diag);
        if (status != OTAPRIO_OK)
            return status;
        int given = (full.alloc_fn != NULL) + (full.realloc_fn != NULL) +
                    (full.free_fn != NULL);
        if (given == 3) {
            resolved.alloc_fn = full.alloc_fn;
            resolved.realloc_fn = full.realloc_fn;
            resolved.free_fn = full.free_fn;
            resolved.user = full.user;
        } else if (given != 0) {
            /* Mixing a custom function with the C library's would hand one
             * allocator's blocks to another. */
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "allocator", -1,
                                 "set all three allocator functions or none "
                                 "(%d of 3 are set)",
                                 given);
        }
    }
    *mem = resolved;
    return OTAPRIO_OK;
}

void *otaprio__mem_alloc(const otaprio__mem *mem, size_t bytes)
{
    return mem->alloc_fn(mem->user, bytes != 0 ? bytes : 1);
}

int otaprio__mem_zalloc_array(const otaprio__mem *mem, size_t count,
                              size_t size, void **out)
{
    size_t bytes;
    if (otaprio__size_mul_overflows(count, size, &bytes))
        return OTAPRIO_E_OVERFLOW;
    void *block = otaprio__mem_alloc(mem, bytes);
    if (block == NULL)
        return OTAPRIO_E_NOMEM;
    memset(block, 0, bytes);
    *out = block;
    return OTAPRIO_OK;
}

void otaprio__mem_free(const otaprio__mem *mem, void *block)
{
    if (block != NULL)
        mem->free_fn(mem->user, block);
}

int otaprio__vec_reserve(const otaprio__mem *mem, otaprio__vec *vec,
                         size_t capacity)
{
    if (capacity <= vec->capacity)
        return OTAPRIO_OK;
    /* Grow by half again at least, so pushes stay amortised O(1). */
    size_t half = vec->capacity / 2;
    size_t grown =
        vec->capacity <= SIZE_MAX - half ? vec->capacity + half : capacity;
    if (grown < capacity)
        grown = capacity;
    if (grown < 8)
        grown = 8;
    size_t bytes;
    if (otaprio__size_mul_overflows(grown, vec->elem_size, &bytes)) {
        /* The geometric step overflowed; the exact request may still fit. */
        grown = capacity;
        if (otaprio__size_mul_overflows(grown, vec->elem_size, &bytes))
            return OTAPRIO_E_OVERFLOW;
    }
    void *data = vec->data == NULL
                     ? otaprio__mem_alloc(mem, bytes)
                     : mem->realloc_fn(mem->user, vec->data, bytes);
    if (data == NULL)
        return OTAPRIO_E_NOMEM;
    vec->data = data;
    vec->capacity = grown;
    return OTAPRIO_OK;
}

int otaprio__vec_push(const otaprio__mem *mem, otaprio__vec *vec,
                      const void *elem)
{
    if (vec->length == SIZE_MAX)
        return OTAPRIO_E_OVERFLOW;
    int status = otaprio__vec_reserve(mem, vec, vec->length + 1);
    if (status != OTAPRIO_OK)
        return status;
    memcpy((unsigned char *)vec->data + vec->length * vec->elem_size, elem,
           vec->elem_size);
    vec->length++;
    return OTAPRIO_OK;
}

void otaprio__vec_release(const otaprio__mem *mem, otaprio__vec *vec)
{
    otaprio__mem_free(mem, vec->data);
    size_t elem_size = vec->elem_size;
    memset(vec, 0, sizeof *vec);
    vec->elem_size = elem_size;
}
