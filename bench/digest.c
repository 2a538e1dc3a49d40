/* SPDX-License-Identifier: MIT */
/* Digests of a benchmark's outputs, so that ours and the peer's can be
 * compared without writing gigabytes anywhere. */
#include "bench.h"

/* Inlined and private to this file, as in the library: the bench then
 * needs only xxHash's headers. */
#define XXH_INLINE_ALL
#include <xxhash.h>

int bench_digest_add(bench_digest *digest, const char *name, const void *data,
                     size_t bytes)
{
    if (digest->count == BENCH_DIGEST_MAX)
        return -1;
    bench_digest_entry *entry = &digest->entries[digest->count++];
    entry->name = name;
    /* XXH3 reads nothing when bytes is 0, but wants a valid pointer. */
    entry->value = XXH3_64bits(bytes != 0 ? data : "", bytes);
    return 0;
}
