/* SPDX-License-Identifier: MIT */
/*
 * Test helper, never installed: preloaded (LD_PRELOAD) in front of
 * libotaprio by test_cli.py, it makes the running library claim another
 * release, so that 'otaprio --version' can be seen to warn about a
 * header/library mismatch without building a second library.
 */
#include <otaprio/common.h>

uint32_t otaprio_version(void)
{
    return 90909;
}

const char *otaprio_version_string(void)
{
    return "9.9.9";
}
