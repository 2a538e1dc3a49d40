/* SPDX-License-Identifier: MIT */
/*
 * Fetching a metric's strata from a report, shared by the text and JSON
 * writers: the library hands them over into the caller's array, after
 * saying how many there are.
 */
#include <stdlib.h>

#include "guard_cmd.h"

otaprio_guard_stratum *guard_report_strata(const char *who,
                                           const otaprio_guard_report *report,
                                           uint32_t rule, size_t *total)
{
    *total = 0;
    int status = otaprio_guard_report_strata(report, rule, NULL, 0, total);
    if (status != OTAPRIO_OK) {
        cli_library_error(who, "otaprio_guard_report_strata", status, NULL);
        return NULL;
    }
    otaprio_guard_stratum *strata =
        calloc(*total != 0 ? *total : 1, sizeof *strata);
    if (strata == NULL) {
        cli_error(who, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < *total; i++)
        strata[i].size = sizeof strata[i];
    size_t again = 0;
    status = otaprio_guard_report_strata(report, rule, strata, *total, &again);
    if (status != OTAPRIO_OK || again != *total) {
        cli_library_error(who, "otaprio_guard_report_strata", status, NULL);
        free(strata);
        return NULL;
    }
    return strata;
}
