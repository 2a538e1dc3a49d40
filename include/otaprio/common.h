/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/common.h
 * @brief Version, status codes, diagnostics, allocators and deterministic
 *        device bucketing: the layer every libotaprio engine stands on.
 *
 * Conventions shared by the whole API:
 * - Functions return an `int` status: #OTAPRIO_OK (0) on success, a negative
 *   `OTAPRIO_E_*` code on failure. A callback's non-zero return value stops
 *   the call and is returned unchanged.
 * - Structs the caller fills start with `size_t size` and are prepared by
 *   their `otaprio_<name>_init()` function, which records the caller's
 *   `sizeof` and fills the defaults. The library reads only the fields inside
 *   `size`; bytes beyond the fields it knows must be zero.
 * - No global or thread-local state: every function here is safe to call from
 *   any number of threads at once, on distinct output objects.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_COMMON_H
#define OTAPRIO_COMMON_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief Marks a function exported from the shared library.
 *
 * A host that feeds the headers to a binding generator (cffi, cgo) may
 * define it empty before including them.
 * @since 0.1.0
 */
#ifndef OTAPRIO_API
#if defined(_WIN32) && defined(OTAPRIO_BUILDING_DLL)
#define OTAPRIO_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define OTAPRIO_API __attribute__((visibility("default")))
#else
#define OTAPRIO_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Major version of these headers. @since 0.1.0 */
#define OTAPRIO_VERSION_MAJOR 0
/** @brief Minor version of these headers. @since 0.1.0 */
#define OTAPRIO_VERSION_MINOR 1
/** @brief Patch version of these headers. @since 0.1.0 */
#define OTAPRIO_VERSION_PATCH 0
/**
 * @brief Version of these headers as one number:
 *        `MAJOR * 10000 + MINOR * 100 + PATCH`.
 *
 * Compare it with otaprio_version() to detect a header/library mismatch.
 * @since 0.1.0
 */
#define OTAPRIO_VERSION_NUMBER                                     \
    (OTAPRIO_VERSION_MAJOR * 10000 + OTAPRIO_VERSION_MINOR * 100 + \
     OTAPRIO_VERSION_PATCH)
/** @brief Version of these headers as "MAJOR.MINOR.PATCH". @since 0.1.0 */
#define OTAPRIO_VERSION_STRING "0.1.0"

/**
 * @brief Status codes returned by every fallible function.
 *
 * Values are fixed forever: new codes are appended, none is renumbered or
 * reused. A positive value returned by a call is a callback's own status,
 * passed through unchanged.
 * @since 0.1.0
 */
typedef enum otaprio_status {
    /** Success. @since 0.1.0 */
    OTAPRIO_OK = 0,
    /** A required pointer is NULL, or arguments contradict each other.
     *  @since 0.1.0 */
    OTAPRIO_E_INVALID = -1,
    /** The allocator returned NULL. @since 0.1.0 */
    OTAPRIO_E_NOMEM = -2,
    /** A struct's `size` is smaller than any published version of it, or
     *  bytes past the fields this library knows are not zero. @since 0.1.0 */
    OTAPRIO_E_STRUCT_SIZE = -3,
    /** A value lies outside its domain: NaN, an unknown enum value, a
     *  probability outside [0, 1], a negative count. @since 0.1.0 */
    OTAPRIO_E_RANGE = -4,
    /** A count or byte size is too large to represent on this platform.
     *  @since 0.1.0 */
    OTAPRIO_E_OVERFLOW = -5,
    /** Text (a version string, a constraint) is malformed; otaprio_diag::index
     *  is the byte offset where parsing stopped. @since 0.1.0 */
    OTAPRIO_E_SYNTAX = -6,
    /** A graph that must be acyclic has a cycle; the diagnostics name it.
     *  @since 0.1.0 */
    OTAPRIO_E_CYCLE = -7,
    /** A name, version or answer that was looked for does not exist.
     *  @since 0.1.0 */
    OTAPRIO_E_NOT_FOUND = -8,
    /** Something that must be unique was given twice (an edge, a package
     *  name). @since 0.1.0 */
    OTAPRIO_E_DUPLICATE = -9,
    /** A search stopped at its documented work limit before finding an
     *  answer. @since 0.1.0 */
    OTAPRIO_E_LIMIT = -10
} otaprio_status;

/**
 * @brief Runtime version of the linked library, encoded like
 *        #OTAPRIO_VERSION_NUMBER.
 *
 * Thread-safe.
 * @return the library's version number.
 * @since 0.1.0
 */
OTAPRIO_API uint32_t otaprio_version(void);

/**
 * @brief Runtime version of the linked library as "MAJOR.MINOR.PATCH".
 *
 * Thread-safe.
 * @return a static, NUL-terminated string.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_version_string(void);

/**
 * @brief Names a status code.
 *
 * Thread-safe.
 * @param status a value returned by a libotaprio function.
 * @return a static, NUL-terminated English description; never NULL. Unknown
 *         negative codes and positive (callback) values get generic names.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_strerror(int status);

/** @brief Capacity of otaprio_diag::message, NUL included. @since 0.1.0 */
#define OTAPRIO_DIAG_MESSAGE_MAX 256

/**
 * @brief What was wrong, filled by a failing call that was given one.
 *
 * Prepare it with otaprio_diag_init(). Functions that accept a diagnostics
 * pointer write it only when they fail; NULL is always accepted. Filling it
 * never allocates.
 * @since 0.1.0
 */
typedef struct otaprio_diag {
    /** Caller's `sizeof(otaprio_diag)`, set by otaprio_diag_init().
     *  @since 0.1.0 */
    size_t size;
    /** The status the failing call returned. @since 0.1.0 */
    int status;
    /** Static string naming the offending argument or field (for example
     *  "offsets" or "policy.weight_exploited"); "" when no single field is
     *  at fault. @since 0.1.0 */
    const char *field;
    /** Index of the offending element or row; -1 when not applicable.
     *  @since 0.1.0 */
    int64_t index;
    /** NUL-terminated English sentence saying what was wrong. @since 0.1.0 */
    char message[OTAPRIO_DIAG_MESSAGE_MAX];
} otaprio_diag;

/**
 * @brief Prepares a diagnostics struct for use.
 *
 * Call it as `otaprio_diag_init(&diag)`: a macro of the same name passes
 * `sizeof(diag)` for you, so a program built against older headers keeps
 * working with a newer library. Bindings call the function with their own
 * size.
 *
 * Thread-safe.
 * @param diag the struct to prepare.
 * @param size the caller's `sizeof(otaprio_diag)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID when @p diag is NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE when @p size is smaller than the first
 *         published layout (nothing is written then).
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_diag_init(otaprio_diag *diag, size_t size);

/**
 * @brief Allocates @p bytes bytes aligned for any object type, like malloc().
 * @param user the allocator's otaprio_allocator::user pointer.
 * @param bytes number of bytes, never 0.
 * @return the block, or NULL on failure.
 * @since 0.1.0
 */
typedef void *(*otaprio_alloc_fn)(void *user, size_t bytes);

/**
 * @brief Resizes a block from the same allocator, like realloc().
 * @param user the allocator's otaprio_allocator::user pointer.
 * @param block a block from this allocator, never NULL.
 * @param bytes new size in bytes, never 0.
 * @return the moved or grown block, or NULL on failure (then @p block is
 *         still valid and unchanged).
 * @since 0.1.0
 */
typedef void *(*otaprio_realloc_fn)(void *user, void *block, size_t bytes);

/**
 * @brief Releases a block from the same allocator, like free().
 * @param user the allocator's otaprio_allocator::user pointer.
 * @param block a block from this allocator, never NULL.
 * @since 0.1.0
 */
typedef void (*otaprio_free_fn)(void *user, void *block);

/**
 * @brief A caller-supplied memory allocator, given per handle.
 *
 * Prepare it with otaprio_allocator_init(), which selects the C library's
 * allocator; then either set all three functions or leave all three NULL.
 * Every handle copies the allocator when it is created and uses it for its
 * whole life; the functions must be callable from whichever threads use the
 * handle.
 * @since 0.1.0
 */
typedef struct otaprio_allocator {
    /** Caller's `sizeof(otaprio_allocator)`, set by otaprio_allocator_init().
     *  @since 0.1.0 */
    size_t size;
    /** Allocation function; NULL selects malloc(). @since 0.1.0 */
    otaprio_alloc_fn alloc_fn;
    /** Reallocation function; NULL selects realloc(). @since 0.1.0 */
    otaprio_realloc_fn realloc_fn;
    /** Release function; NULL selects free(). @since 0.1.0 */
    otaprio_free_fn free_fn;
    /** Passed unchanged as the first argument of each function. @since 0.1.0 */
    void *user;
} otaprio_allocator;

/**
 * @brief Prepares an allocator struct: the C library's allocator.
 *
 * Call it as `otaprio_allocator_init(&allocator)`; the macro of the same
 * name passes `sizeof(allocator)`.
 *
 * Thread-safe.
 * @param allocator the struct to prepare.
 * @param size the caller's `sizeof(otaprio_allocator)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID when @p allocator is NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE when @p size is smaller than the first
 *         published layout (nothing is written then).
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_allocator_init(otaprio_allocator *allocator,
                                       size_t size);

/**
 * @brief Derives a 64-bit device key from a host identifier.
 *
 * The key is XXH3-64 of the identifier's bytes with seed 0. The mapping is
 * frozen: the same bytes give the same key on every platform and in every
 * version. Also the way to turn a rollout name into a rollout salt.
 *
 * Thread-safe.
 * @param bytes the identifier (serial number, UUID text, MAC...); may be
 *              NULL only when @p length is 0.
 * @param length number of bytes.
 * @param[out] key receives the key.
 * @return #OTAPRIO_OK, or #OTAPRIO_E_INVALID for a NULL @p key or a NULL
 *         @p bytes with a non-zero @p length.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_key_derive(const void *bytes, size_t length,
                                   uint64_t *key);

/**
 * @brief Derives keys for many identifiers stored back to back.
 *
 * Identifier `i` is `bytes[offsets[i] .. offsets[i+1])`, the layout of an
 * Arrow string column. Every offset is validated before any key is written:
 * on error @p keys is untouched.
 *
 * Thread-safe.
 * @param bytes the concatenated identifiers; may be NULL when every
 *              identifier is empty.
 * @param offsets `count + 1` non-decreasing byte offsets into @p bytes.
 * @param count number of identifiers.
 * @param[out] keys receives `count` keys.
 * @param[out] diag optional; filled on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arrays or decreasing
 *         offsets (diag names the index); #OTAPRIO_E_OVERFLOW when an offset
 *         does not fit in `size_t`.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_key_derive_batch(const void *bytes,
                                         const uint64_t *offsets, size_t count,
                                         uint64_t *keys, otaprio_diag *diag);

/**
 * @brief A device's frozen position in a rollout, as a 64-bit integer.
 *
 * The position is XXH3-64 of the key's 8 bytes in little-endian order,
 * seeded with @p salt. Positions are uniform over the 64-bit range, so the
 * devices with the smallest positions form an unbiased sample, and a new
 * salt reshuffles the fleet independently.
 *
 * Thread-safe; cannot fail.
 * @param salt the rollout salt (see otaprio_key_derive()).
 * @param key the device key.
 * @return the position.
 * @since 0.1.0
 */
OTAPRIO_API uint64_t otaprio_bucket_position(uint64_t salt, uint64_t key);

/**
 * @brief A device's frozen position in a rollout, as a fraction in [0, 1).
 *
 * The top 53 bits of otaprio_bucket_position() times 2^-53: exact in a
 * double, so `fraction < p` selects a share `p` of the fleet identically on
 * every platform.
 *
 * Thread-safe; cannot fail.
 * @param salt the rollout salt.
 * @param key the device key.
 * @return the fraction, in [0, 1).
 * @since 0.1.0
 */
OTAPRIO_API double otaprio_bucket_fraction(uint64_t salt, uint64_t key);

/**
 * @brief Positions and fractions for many keys at once.
 *
 * @p positions may be the same array as @p keys (computed in place).
 *
 * Thread-safe.
 * @param salt the rollout salt.
 * @param keys `count` device keys.
 * @param count number of keys.
 * @param[out] positions receives `count` positions, or NULL.
 * @param[out] fractions receives `count` fractions, or NULL.
 * @param[out] diag optional; filled on failure.
 * @return #OTAPRIO_OK, or #OTAPRIO_E_INVALID when @p keys is NULL with a
 *         non-zero @p count or both outputs are NULL.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_bucket_batch(uint64_t salt, const uint64_t *keys,
                                     size_t count, uint64_t *positions,
                                     double *fractions, otaprio_diag *diag);

#ifdef __cplusplus
}
#endif

/*
 * The init functions take the caller's struct size, so that a program built
 * against older headers (a smaller struct) is never written past its end by
 * a newer library. These macros supply it; they are function-like, so the
 * functions themselves stay addressable and callable from bindings.
 */
/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_diag_init(diag) otaprio_diag_init((diag), sizeof(*(diag)))
#define otaprio_allocator_init(allocator) \
    otaprio_allocator_init((allocator), sizeof(*(allocator)))
/** @endcond */

#endif /* OTAPRIO_COMMON_H */
