/* SPDX-License-Identifier: MIT */
/*
 * Private helpers shared by the engines. Nothing here is exported: the
 * library is built with hidden visibility and a version script, and the
 * `otaprio__` prefix marks these names as internal (tests link the static
 * library to reach them).
 */
#ifndef OTAPRIO_INTERNAL_H
#define OTAPRIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "otaprio/common.h"

#if defined(__GNUC__)
#define OTAPRIO__PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#define OTAPRIO__NODISCARD __attribute__((warn_unused_result))
#define OTAPRIO__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define OTAPRIO__PRINTF(fmt, first)
#define OTAPRIO__NODISCARD
#define OTAPRIO__ALWAYS_INLINE inline
#endif

/* Returns from the calling function when `expr`, a status, is not OK. */
#define OTAPRIO__TRY(expr)                  \
    do {                                    \
        int otaprio__status_ = (expr);      \
        if (otaprio__status_ != OTAPRIO_OK) \
            return otaprio__status_;        \
    } while (0)

/* ---- diagnostics (status.c) ------------------------------------------ */

/*
 * Records a failure in `diag` (when it is non-NULL and its size is valid)
 * and returns `status`, so that error paths read
 * `return otaprio__fail(diag, OTAPRIO_E_RANGE, "weight", i, "...", x);`.
 * `field` must have static storage duration. Never allocates.
 */
int otaprio__fail(otaprio_diag *diag, int status, const char *field,
                  int64_t index, const char *format, ...) OTAPRIO__PRINTF(5, 6);

/* ---- size-prefixed structs (structs.c) ------------------------------- */

/*
 * One struct type's layout facts. `current` is sizeof() in this build;
 * `minimum` is the sizeof() of the first published version. A field added
 * later must start at or after the previous version's sizeof() (never in its
 * trailing padding), so that every published size ends on a field boundary.
 */
typedef struct otaprio__layout {
    const char *name; /* for diagnostics, e.g. "otaprio_diag" */
    size_t current;
    size_t minimum;
} otaprio__layout;

/*
 * Prepares a caller's struct of `caller_size` bytes from `defaults` (a full,
 * current-layout struct, or NULL when every default is zero): the known
 * prefix is copied, any newer tail is zeroed, and `size` is set to
 * `caller_size`. Fails, writing nothing, with OTAPRIO_E_INVALID for a NULL
 * `caller` and OTAPRIO_E_STRUCT_SIZE when `caller_size` is below the
 * minimum. Every public init function is this call.
 */
int otaprio__struct_init(void *caller, size_t caller_size, const void *defaults,
                         const otaprio__layout *layout);

/*
 * Reads a caller's struct into `out`, a full current-layout struct that
 * already holds the defaults: fields inside the caller's `size` override
 * them, the rest keep their defaults, and `out->size` becomes the current
 * size. Rejects a size below the minimum, and a larger size whose unknown
 * tail is not all zero (a field this library cannot honour).
 */
int otaprio__struct_read(void *out, const void *caller,
                         const otaprio__layout *layout, otaprio_diag *diag);

/*
 * Writes a full current-layout struct into a caller's struct, honouring the
 * caller's `size`: only the fields both know are written (a newer caller's
 * unknown tail keeps the zeros its init put there), and `size` keeps the
 * caller's value.
 */
int otaprio__struct_write(void *caller, const void *full,
                          const otaprio__layout *layout);

/* ---- memory (alloc.c) ------------------------------------------------ */

/* A resolved allocator, copied into every handle at creation. */
typedef struct otaprio__mem {
    otaprio_alloc_fn alloc_fn;
    otaprio_realloc_fn realloc_fn;
    otaprio_free_fn free_fn;
    void *user;
} otaprio__mem;

/* Resolves a caller's allocator (NULL means the C library's). */
int otaprio__mem_resolve(otaprio__mem *mem, const otaprio_allocator *allocator,
                         otaprio_diag *diag);

/* malloc-like; a request for 0 bytes allocates 1 so NULL always means
 * failure. */
OTAPRIO__NODISCARD void *otaprio__mem_alloc(const otaprio__mem *mem,
                                            size_t bytes);

/* Allocates `count * size` zeroed bytes, or fails with OTAPRIO_E_OVERFLOW
 * or OTAPRIO_E_NOMEM leaving `*out` untouched. */
OTAPRIO__NODISCARD int otaprio__mem_zalloc_array(const otaprio__mem *mem,
                                                 size_t count, size_t size,
                                                 void **out);

/* free-like; NULL is a no-op. */
void otaprio__mem_free(const otaprio__mem *mem, void *block);

/* Returns true when a * b overflows size_t; otherwise stores it. */
static inline bool otaprio__size_mul_overflows(size_t a, size_t b,
                                               size_t *product)
{
    if (a != 0 && b > SIZE_MAX / a)
        return true;
    *product = a * b;
    return false;
}

/*
 * A growable array of fixed-size elements. A zeroed struct with `elem_size`
 * set is an empty vector. Growth is geometric, so appending n elements costs
 * O(n) copies and O(log n) allocations.
 */
typedef struct otaprio__vec {
    void *data;
    size_t length;    /* elements in use */
    size_t capacity;  /* elements allocated */
    size_t elem_size; /* bytes per element, fixed at creation */
} otaprio__vec;

/* Makes room for at least `capacity` elements. On failure the vector is
 * unchanged and OTAPRIO_E_NOMEM or OTAPRIO_E_OVERFLOW is returned. */
OTAPRIO__NODISCARD int otaprio__vec_reserve(const otaprio__mem *mem,
                                            otaprio__vec *vec, size_t capacity);

/* Appends one element copied from `elem`. */
OTAPRIO__NODISCARD int otaprio__vec_push(const otaprio__mem *mem,
                                         otaprio__vec *vec, const void *elem);

/* Frees the storage and leaves an empty vector of the same element size. */
void otaprio__vec_release(const otaprio__mem *mem, otaprio__vec *vec);

/* ---- bucket positions of many keys (bucket_positions.c) ------------- */

/* positions[i] = otaprio_bucket_position(salt, keys[i]) for i < count, in
 * the fastest build this processor runs; every build gives the same
 * positions. */
void otaprio__bucket_positions(uint64_t salt, const uint64_t *keys,
                               size_t count, uint64_t *positions);

/* The builds, for tests: one for every processor, one for AVX2. */
void otaprio__bucket_positions_baseline(uint64_t salt, const uint64_t *keys,
                                        size_t count, uint64_t *positions);
#if defined(__x86_64__) && defined(__GNUC__)
#define OTAPRIO__BUCKET_POSITIONS_AVX2 1
void otaprio__bucket_positions_avx2(uint64_t salt, const uint64_t *keys,
                                    size_t count, uint64_t *positions);
#endif

/* ---- sorting keys (radix_sort.c) ---------------------------------------- */

/* Scratch counters otaprio__radix_sort_u64() takes. */
#define OTAPRIO__RADIX_SORT_COUNTS ((size_t)6 << 11)

/* Sorts keys[0..count) ascending by insertion: for a few keys. */
void otaprio__insertion_sort_u64(uint64_t *keys, size_t count);

/* Sorts keys[0..count) ascending, in time linear in count (a
 * least-significant-digit radix sort, insertion sort for a few keys),
 * using tmp (room for count keys) and counts (OTAPRIO__RADIX_SORT_COUNTS).
 * Returns whichever of keys and tmp holds the result. */
uint64_t *otaprio__radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t count,
                                  size_t *counts);

/* ---- names hosts print -------------------------------------------------- */

/* names[value], or NULL for a value outside the `count` names. */
static inline const char *otaprio__name_at(const char *const *names,
                                           size_t count, int32_t value)
{
    return value >= 0 && (size_t)value < count ? names[value] : NULL;
}

/* The name of a single flag bit (names[i] for bit 1 << i), or NULL for
 * zero, several bits, or a bit past the `count` names. */
static inline const char *otaprio__name_of_bit(const char *const *names,
                                               size_t count, uint32_t bit)
{
    if (bit == 0 || (bit & (bit - 1)) != 0)
        return NULL;
    size_t index = 0;
    while ((bit >> index) != 1u)
        index++;
    return index < count ? names[index] : NULL;
}

#define OTAPRIO__NAME_AT(names, value) \
    otaprio__name_at(names, sizeof(names) / sizeof((names)[0]), value)
#define OTAPRIO__NAME_OF_BIT(names, bit) \
    otaprio__name_of_bit(names, sizeof(names) / sizeof((names)[0]), bit)

/* ---- the bits of a double ------------------------------------------- */

/* A double's IEEE 754 bits, and the double of some bits: through memcpy,
 * the conversion C defines (compilers make it a register move). */
static inline uint64_t otaprio__bits_of_double(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static inline double otaprio__double_of_bits(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* ---- byte order ------------------------------------------------------ */

/* Serialises v little-endian whatever the host's byte order, so hashed
 * bytes are the same on every machine. */
static inline void otaprio__store_le64(unsigned char out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

#endif /* OTAPRIO_INTERNAL_H */
