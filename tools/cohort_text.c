/* SPDX-License-Identifier: MIT */
/*
 * What `otaprio cohort` prints as text: the fleet and the rollout, a table
 * with one line per wave, the most under-covered strata of each wave named
 * by their values, and with --devices the identifiers joining each wave.
 */
#include <inttypes.h>
#include <string.h>

#include "cohort_cmd.h"

/* Per-dimension TVD columns are as wide as their name, at least this. */
#define NUMBER_WIDTH 6

static int dimension_width(const cohort_fleet *fleet, uint32_t d)
{
    size_t length = strlen(fleet->dimensions[d].column);
    return length > NUMBER_WIDTH ? (int)length : NUMBER_WIDTH;
}

static void print_value(const char *bytes, size_t length)
{
    /* An empty value is a value too: show that it is there. */
    if (length == 0)
        fputs("\"\"", stdout);
    else
        cli_print_id(stdout, bytes, length, false);
}

static void print_stratum(const cohort_fleet *fleet, uint64_t id)
{
    if (fleet->dimension_count == 0) {
        fputs("(the whole fleet)", stdout);
        return;
    }
    uint32_t codes[COHORT_MAX_DIMENSIONS];
    cohort_stratum_codes(fleet, id, codes);
    for (uint32_t d = 0; d < fleet->dimension_count; d++) {
        size_t length;
        const char *value = cohort_fleet_value(fleet, d, codes[d], &length);
        printf("%s%s=", d != 0 ? ", " : "", fleet->dimensions[d].column);
        print_value(value, length);
    }
}

static void print_heading(const cohort_result *result)
{
    const cohort_fleet *fleet = result->fleet;
    uint64_t devices =
        result->wave_count != 0 ? result->waves[0].info.fleet : 0;
    printf("fleet:   %s: %" PRIu64 " device%s in %" PRIu64 " strat%s",
           result->input, devices, devices == 1 ? "" : "s", result->strata,
           result->strata == 1 ? "um" : "a");
    for (uint32_t d = 0; d < fleet->dimension_count; d++)
        printf("%s%s", d == 0 ? " of " : ", ", fleet->dimensions[d].column);
    putchar('\n');
    const char *method =
        cli_names_name(&cli_names_cohort_method, result->spec->method);
    char salt[CLI_HEX64_CHARS + 1];
    cli_format_hex64(result->spec->salt, salt);
    printf("rollout: %s, salt %s\n", method != NULL ? method : "unknown", salt);
}

static void print_table(const cohort_result *result)
{
    const cohort_fleet *fleet = result->fleet;
    printf("\n%4s  %-8s  %8s  %8s  %8s  %9s  %9s  %8s  %6s", "wave", "fraction",
           "eligible", "target", "selected", "shortfall", "strata", "coverage",
           "tvd");
    for (uint32_t d = 0; d < fleet->dimension_count; d++)
        printf("  %*s", dimension_width(fleet, d), fleet->dimensions[d].column);
    putchar('\n');
    for (uint32_t k = 0; k < result->wave_count; k++) {
        const otaprio_cohort_wave *info = &result->waves[k].info;
        const otaprio_representativeness *report = &result->waves[k].report;
        char strata[48];
        snprintf(strata, sizeof strata, "%" PRIu64 "/%" PRIu64,
                 report->strata_covered, report->strata);
        printf("%4" PRIu32 "  %-8g  %8" PRIu64 "  %8" PRIu64 "  %8" PRIu64
               "  %9" PRIu64 "  %9s  %8.4f  %6.4f",
               k, info->fraction, info->eligible, info->target, info->selected,
               info->shortfall, strata, report->mass_coverage, report->tvd);
        for (uint32_t d = 0; d < fleet->dimension_count; d++)
            printf("  %*.4f", dimension_width(fleet, d),
                   d < report->dimension_count ? report->tvd_dimension[d]
                                               : 0.0);
        putchar('\n');
    }
}

static void print_under_covered(const cohort_result *result)
{
    bool any = false;
    for (uint32_t k = 0; k < result->wave_count; k++) {
        const otaprio_representativeness *report = &result->waves[k].report;
        if (report->worst_count == 0)
            continue;
        if (!any)
            puts("\nunder-covered strata (share of the fleet, of the wave):");
        any = true;
        printf("  wave %" PRIu32 "\n", k);
        for (uint32_t i = 0; i < report->worst_count; i++) {
            printf("    %.4f  %.4f  ", report->worst_fleet_share[i],
                   report->worst_cohort_share[i]);
            print_stratum(result->fleet, report->worst_stratum[i]);
            putchar('\n');
        }
    }
}

static void print_devices(const cohort_result *result)
{
    const cohort_listing *listing = result->listing;
    puts("\ndevices joining each wave:");
    uint64_t next = 0; /* the listing is in wave order */
    uint64_t before = 0;
    for (uint32_t k = 0; k < result->wave_count; k++) {
        const otaprio_cohort_wave *info = &result->waves[k].info;
        uint64_t joining = info->selected - before;
        before = info->selected;
        if (!info->listed) {
            printf("  wave %" PRIu32 ": every other eligible device (%" PRIu64
                   "), not listed\n",
                   k, joining);
            continue;
        }
        printf("  wave %" PRIu32 " (%" PRIu64 ")\n", k, joining);
        for (; next < listing->count && listing->waves[next] == k; next++) {
            size_t length;
            const char *id = cohort_listing_id(listing, next, &length);
            fputs("    ", stdout);
            cli_print_id(stdout, id, length, false);
            putchar('\n');
        }
    }
}

int cohort_output_text(const char *who, const cohort_result *result)
{
    print_heading(result);
    print_table(result);
    print_under_covered(result);
    if (result->listing != NULL)
        print_devices(result);
    if (ferror(stdout))
        return cli_write_error(who);
    return 0;
}
