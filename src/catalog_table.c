/* SPDX-License-Identifier: MIT */
/*
 * Interning for the catalog: an open-addressing table of ids keyed by
 * 64-bit hashes, and the hashes of names, versions and id pairs.
 */
#include <string.h>

#include "catalog_internal.h"

/* Private, inlined: no XXH symbol can leak from the library. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#define EMPTY UINT32_MAX

uint32_t otaprio__id_table_find(const otaprio__id_table *table, uint64_t hash,
                                otaprio__id_equal_fn equal, const void *context)
{
    if (table->capacity == 0)
        return EMPTY;
    size_t mask = table->capacity - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const otaprio__id_slot *slot = &table->slots[i];
        if (slot->id == EMPTY)
            return EMPTY;
        if (slot->hash == hash && equal(context, slot->id))
            return slot->id;
    }
}

static void place(otaprio__id_slot *slots, size_t capacity, uint64_t hash,
                  uint32_t id)
{
    size_t mask = capacity - 1;
    size_t i = (size_t)hash & mask;
    while (slots[i].id != EMPTY)
        i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].id = id;
}

int otaprio__id_table_reserve(const otaprio__mem *mem, otaprio__id_table *table,
                              size_t count)
{
    /* At most half full, so probes stay short and one slot is always
     * empty (which ends every failed search). */
    if (count <= table->capacity / 2)
        return OTAPRIO_OK;
    size_t capacity = table->capacity != 0 ? table->capacity : 16;
    while (count > capacity / 2) {
        if (capacity > SIZE_MAX / 2)
            return OTAPRIO_E_OVERFLOW;
        capacity *= 2;
    }
    size_t bytes;
    if (otaprio__size_mul_overflows(capacity, sizeof(otaprio__id_slot), &bytes))
        return OTAPRIO_E_OVERFLOW;
    otaprio__id_slot *slots = otaprio__mem_alloc(mem, bytes);
    if (slots == NULL)
        return OTAPRIO_E_NOMEM;
    for (size_t i = 0; i < capacity; i++) {
        slots[i].hash = 0;
        slots[i].id = EMPTY;
    }
    for (size_t i = 0; i < table->capacity; i++)
        if (table->slots[i].id != EMPTY)
            place(slots, capacity, table->slots[i].hash, table->slots[i].id);
    otaprio__mem_free(mem, table->slots);
    table->slots = slots;
    table->capacity = capacity;
    return OTAPRIO_OK;
}

void otaprio__id_table_insert(otaprio__id_table *table, uint64_t hash,
                              uint32_t id)
{
    place(table->slots, table->capacity, hash, id);
    table->count++;
}

void otaprio__id_table_release(const otaprio__mem *mem,
                               otaprio__id_table *table)
{
    otaprio__mem_free(mem, table->slots);
    memset(table, 0, sizeof *table);
}

uint64_t otaprio__name_hash(const char *name, size_t length)
{
    return XXH3_64bits(length != 0 ? name : "", length);
}

uint64_t otaprio__pair_hash(uint32_t a, uint32_t b)
{
    unsigned char bytes[8];
    otaprio__store_le64(bytes, (uint64_t)a << 32 | b);
    return XXH3_64bits(bytes, sizeof bytes);
}

/* ---- versions: one spelling per value ---------------------------------- */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/*
 * Appends the identifiers of s[0..n) separated by '.', each numeric one
 * without its leading zeros (numeric identifiers compare by value). With
 * `drop_zeros`, trailing numeric zeros are left out too: a missing release
 * segment counts as 0. Returns the new length of `out`.
 */
static size_t append_idents(char *out, size_t used, const char *s, size_t n,
                            bool drop_zeros)
{
    size_t kept = used; /* length after the last segment that matters */
    size_t start = 0;
    bool first = true;
    while (start <= n) {
        size_t end = start;
        while (end < n && s[end] != '.')
            end++;
        const char *seg = s + start;
        size_t len = end - start;
        bool numeric = all_digits(seg, len);
        if (numeric) {
            while (len > 1 && seg[0] == '0') {
                seg++;
                len--;
            }
        }
        if (!first)
            out[used++] = '.';
        first = false;
        memcpy(out + used, seg, len);
        used += len;
        if (!(drop_zeros && numeric && len == 1 && seg[0] == '0'))
            kept = used;
        start = end + 1;
    }
    return drop_zeros ? kept : used;
}

uint64_t otaprio__version_hash(uint32_t component,
                               const otaprio__version *version)
{
    /* Hashes a canonical spelling built from the documented order: no `v`,
     * no leading zeros in numeric identifiers, no trailing zero release
     * segments. Versions equal in the order get equal spellings; lookups
     * still compare candidates with the order itself. Each part is at most
     * as long as its text plus one marker, so the buffer cannot overflow. */
    char canonical[OTAPRIO_VERSION_TEXT_MAX + 8];
    const char *t = version->text;
    size_t used =
        append_idents(canonical, 0, t + version->release_start,
                      version->release_end - version->release_start, true);
    if (version->prerelease_end > version->release_end) {
        canonical[used++] = '-';
        used = append_idents(
            canonical, used, t + version->release_end + 1,
            (size_t)(version->prerelease_end - version->release_end - 1),
            false);
    }
    if (version->prerelease_end < version->length) {
        canonical[used++] = '+';
        used = append_idents(
            canonical, used, t + version->prerelease_end + 1,
            (size_t)(version->length - version->prerelease_end - 1), false);
    }
    return XXH3_64bits_withSeed(canonical, used, component);
}
