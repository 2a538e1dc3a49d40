/* SPDX-License-Identifier: MIT */
/*
 * The size-prefixed struct convention, implemented once. A caller's struct
 * begins with `size_t size` holding the caller's sizeof(); older callers
 * pass less than we know, newer callers more.
 */
#include <string.h>

#include "internal.h"

static size_t caller_size_of(const void *caller)
{
    size_t size;
    memcpy(&size, caller, sizeof size);
    return size;
}

static bool all_zero(const unsigned char *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (bytes[i] != 0)
            return false;
    return true;
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

int otaprio__struct_init(void *caller, size_t caller_size, const void *defaults,
                         const otaprio__layout *layout)
{
    if (caller == NULL)
        return OTAPRIO_E_INVALID;
    if (caller_size < layout->minimum)
        return OTAPRIO_E_STRUCT_SIZE;
    size_t known = min_size(caller_size, layout->current);
    if (defaults != NULL)
        memcpy(caller, defaults, known);
    else
        memset(caller, 0, known);
    if (caller_size > known)
        memset((unsigned char *)caller + known, 0, caller_size - known);
    memcpy(caller, &caller_size, sizeof caller_size);
    return OTAPRIO_OK;
}

int otaprio__struct_read(void *out, const void *caller,
                         const otaprio__layout *layout, otaprio_diag *diag)
{
    size_t size = caller_size_of(caller);
    if (size < layout->minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "size", -1,
                             "%s.size is %zu, below the smallest layout (%zu); "
                             "was it prepared with its init function?",
                             layout->name, size, layout->minimum);
    if (size > layout->current) {
        const unsigned char *tail =
            (const unsigned char *)caller + layout->current;
        if (!all_zero(tail, size - layout->current))
            return otaprio__fail(
                diag, OTAPRIO_E_STRUCT_SIZE, "size", -1,
                "%s.size is %zu and sets fields past byte %zu that this "
                "library version (%s) does not know",
                layout->name, size, layout->current, OTAPRIO_VERSION_STRING);
    }
    memcpy(out, caller, min_size(size, layout->current));
    memcpy(out, &layout->current, sizeof layout->current);
    return OTAPRIO_OK;
}

int otaprio__struct_write(void *caller, const void *full,
                          const otaprio__layout *layout)
{
    size_t size = caller_size_of(caller);
    if (size < layout->minimum)
        return OTAPRIO_E_STRUCT_SIZE;
    /* Skip the leading size field: it keeps the caller's value. A newer
     * caller's tail is left alone: its init function zeroed it, and not
     * writing past what this version knows keeps a struct whose size was
     * never set from being written far past its end. */
    size_t known = min_size(size, layout->current);
    memcpy((unsigned char *)caller + sizeof size,
           (const unsigned char *)full + sizeof size, known - sizeof size);
    return OTAPRIO_OK;
}
