/* SPDX-License-Identifier: MIT */
/* Command-line numbers for the benchmark programs. */
#include <errno.h>
#include <stdlib.h>

#include "bench.h"

int bench_parse_u64(const char *text, uint64_t *value)
{
    if (text[0] < '0' || text[0] > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 0);
    if (errno != 0 || *end != '\0' || parsed > UINT64_MAX)
        return -1;
    *value = (uint64_t)parsed;
    return 0;
}
