/* SPDX-License-Identifier: MIT */
/*
 * A chunk of identifiers stored back to back with their offsets: the
 * columnar layout otaprio_key_derive_batch() reads without copying.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_id_chunk_init(cli_id_chunk *chunk)
{
    chunk->bytes = NULL;
    chunk->bytes_capacity = 0;
    cli_id_chunk_clear(chunk);
}

void cli_id_chunk_release(cli_id_chunk *chunk)
{
    free(chunk->bytes);
    cli_id_chunk_init(chunk);
}

void cli_id_chunk_clear(cli_id_chunk *chunk)
{
    /* The byte buffer is kept: the next chunk reuses it. */
    chunk->offsets[0] = 0;
    chunk->count = 0;
}

bool cli_id_chunk_full(const cli_id_chunk *chunk)
{
    return chunk->count == CLI_CHUNK_IDS ||
           chunk->offsets[chunk->count] >= CLI_CHUNK_BYTES;
}

int cli_id_chunk_add(cli_id_chunk *chunk, const char *bytes, size_t length)
{
    if (chunk->count == CLI_CHUNK_IDS)
        return -1; /* the caller should have flushed */
    /* Offsets stay below CLI_CHUNK_BYTES plus one identifier, and that
     * identifier is already in memory, so the sum fits in size_t. */
    size_t used = (size_t)chunk->offsets[chunk->count];
    if (length > SIZE_MAX - used)
        return -1;
    size_t needed = used + length;
    if (needed > chunk->bytes_capacity) {
        size_t capacity =
            chunk->bytes_capacity != 0 ? chunk->bytes_capacity : 4096;
        while (capacity < needed)
            capacity = capacity <= SIZE_MAX / 2 ? capacity * 2 : needed;
        char *grown = realloc(chunk->bytes, capacity);
        if (grown == NULL)
            return -1;
        chunk->bytes = grown;
        chunk->bytes_capacity = capacity;
    }
    if (length != 0) /* bytes may be NULL for an empty field */
        memcpy(chunk->bytes + used, bytes, length);
    chunk->count++;
    chunk->offsets[chunk->count] = (uint64_t)needed;
    return 0;
}

const char *cli_id_chunk_id(const cli_id_chunk *chunk, size_t i, size_t *length)
{
    *length = (size_t)(chunk->offsets[i + 1] - chunk->offsets[i]);
    /* An all-empty chunk never allocated its buffer. */
    return chunk->bytes != NULL ? chunk->bytes + chunk->offsets[i] : "";
}
