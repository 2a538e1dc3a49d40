/* SPDX-License-Identifier: MIT */
/*
 * Looking up an entry of a static table by its name, and listing the
 * names for "known ..." messages. The tables differ in their entries, not
 * in how a name is found, so the walk over them takes the entry's size
 * and where its name sits.
 */
#include <string.h>

#include "cli.h"

static const char *key_at(const cli_key_table *table, size_t i)
{
    const char *entry = (const char *)table->entries + i * table->stride;
    const char *key;
    /* memcpy: the entry's type is the caller's, unknown here. */
    memcpy(&key, entry + table->key_offset, sizeof key);
    return key;
}

const void *cli_key_table_find(const cli_key_table *table, const char *name,
                               size_t length, size_t *index)
{
    for (size_t i = 0; i < table->count; i++) {
        const char *key = key_at(table, i);
        if (strlen(key) == length && memcmp(key, name, length) == 0) {
            if (index != NULL)
                *index = i;
            return (const char *)table->entries + i * table->stride;
        }
    }
    return NULL;
}

void cli_key_table_list(const cli_key_table *table, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < table->count; i++) {
        int written = snprintf(out + used, size - used, "%s%s",
                               i != 0 ? ", " : "", key_at(table, i));
        if (written < 0 || (size_t)written >= size - used)
            return; /* the buffer is sized for the whole list */
        used += (size_t)written;
    }
}
