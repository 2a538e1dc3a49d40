/* SPDX-License-Identifier: MIT */
/* Runtime version: lets a host detect a header/library mismatch. */
#include "internal.h"

uint32_t otaprio_version(void)
{
    return OTAPRIO_VERSION_NUMBER;
}

const char *otaprio_version_string(void)
{
    return OTAPRIO_VERSION_STRING;
}
