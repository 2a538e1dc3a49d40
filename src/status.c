/* SPDX-License-Identifier: MIT */
/* Status names and the diagnostics struct. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const otaprio__layout diag_layout = {
    "otaprio_diag", sizeof(otaprio_diag),
    sizeof(otaprio_diag), /* first published layout */
};

const char *otaprio_strerror(int status)
{
    switch (status) {
    case OTAPRIO_OK:
        return "success";
    case OTAPRIO_E_INVALID:
        return "invalid argument";
    case OTAPRIO_E_NOMEM:
        return "out of memory";
    case OTAPRIO_E_STRUCT_SIZE:
        return "unsupported struct size";
    case OTAPRIO_E_RANGE:
        return "value out of range";
    case OTAPRIO_E_OVERFLOW:
        return "size overflow";
    case OTAPRIO_E_SYNTAX:
        return "malformed text";
    case OTAPRIO_E_CYCLE:
        return "dependency cycle";
    case OTAPRIO_E_NOT_FOUND:
        return "not found";
    case OTAPRIO_E_DUPLICATE:
        return "duplicate entry";
    case OTAPRIO_E_LIMIT:
        return "search limit reached";
    }
    return status > 0 ? "status from a caller's callback" : "unknown error";
}

int(otaprio_diag_init)(otaprio_diag *diag, size_t size)
{
    otaprio_diag defaults;
    memset(&defaults, 0, sizeof defaults); /* padding too: it is copied */
    defaults.field = "";
    defaults.index = -1;
    return otaprio__struct_init(diag, size, &defaults, &diag_layout);
}

int otaprio__fail(otaprio_diag *diag, int status, const char *field,
                  int64_t index, const char *format, ...)
{
    if (diag == NULL)
        return status;
    otaprio_diag full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    full.status = status;
    full.field = field != NULL ? field : "";
    full.index = index;
    va_list args;
    va_start(args, format);
    vsnprintf(full.message, sizeof full.message, format, args);
    va_end(args);
    /* A diag with a bad size is the caller's bug, but reporting the original
     * failure matters more than reporting that one, so it is ignored. */
    (void)otaprio__struct_write(diag, &full, &diag_layout);
    return status;
}
