/* SPDX-License-Identifier: MIT */
/*
 * A chunk of devices, checked whole before anything counts it, and the
 * eligibility rule of docs/cohort.md applied to one device.
 */
#include <string.h>

#include "cohort_internal.h"

static const otaprio__layout chunk_layout = {
    "otaprio_cohort_chunk", sizeof(otaprio_cohort_chunk),
    sizeof(otaprio_cohort_chunk), /* first published layout */
};

int(otaprio_cohort_chunk_init)(otaprio_cohort_chunk *chunk, size_t size)
{
    return otaprio__struct_init(chunk, size, NULL, &chunk_layout);
}

/* Every flag 0 or 1; the OR of all values has no bit above bit 0
 * otherwise, and the loop vectorises. */
static int check_flags(const uint8_t *flags, size_t count, const char *field,
                       otaprio_diag *diag)
{
    if (flags == NULL)
        return OTAPRIO_OK;
    uint8_t any = 0;
    for (size_t i = 0; i < count; i++)
        any |= flags[i];
    if ((any & 0xFE) == 0)
        return OTAPRIO_OK;
    for (size_t i = 0; i < count; i++)
        if (flags[i] > 1)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)i,
                                 "%s[%zu] is %u; a flag is 0 or 1", field, i,
                                 (unsigned)flags[i]);
    return OTAPRIO_OK;
}

int otaprio__cohort_check_codes(const uint32_t *column, size_t count,
                                uint32_t limit, uint32_t dimension,
                                otaprio_diag *diag)
{
    /* The maximum is taken without a branch, so it vectorises; the place
     * is looked for only when something is wrong. */
    uint32_t max = 0;
    for (size_t i = 0; i < count; i++)
        max = column[i] > max ? column[i] : max;
    if (max < limit)
        return OTAPRIO_OK;
    size_t i = 0;
    while (column[i] < limit)
        i++;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "codes", (int64_t)i,
                         "device %zu has code %lu in dimension %lu, whose "
                         "cardinality is %lu",
                         i, (unsigned long)column[i], (unsigned long)dimension,
                         (unsigned long)limit);
}

static int check_battery(const float *battery, size_t count, otaprio_diag *diag)
{
    if (battery == NULL)
        return OTAPRIO_OK;
    for (size_t i = 0; i < count; i++)
        if (!(battery[i] >= 0.0f && battery[i] <= 1.0f))
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "battery", (int64_t)i,
                                 "battery[%zu] is %g; a charge lies in "
                                 "[0, 1]",
                                 i, (double)battery[i]);
    return OTAPRIO_OK;
}

int otaprio__cohort_rows_check(const otaprio__cohort_setup *setup,
                               const otaprio_cohort_chunk *chunk,
                               otaprio__cohort_rows *rows, otaprio_diag *diag)
{
    otaprio__cohort_rows out;
    OTAPRIO__TRY(otaprio__cohort_rows_read(setup, chunk, &out, diag));
    OTAPRIO__TRY(otaprio__cohort_rows_check_codes(setup, &out, diag));
    *rows = out;
    return OTAPRIO_OK;
}

int otaprio__cohort_rows_check_codes(const otaprio__cohort_setup *setup,
                                     const otaprio__cohort_rows *rows,
                                     otaprio_diag *diag)
{
    for (uint32_t d = 0; d < setup->dimension_count; d++)
        if (rows->codes[d] != NULL)
            OTAPRIO__TRY(otaprio__cohort_check_codes(
                rows->codes[d], rows->count, setup->cardinalities[d], d, diag));
    return OTAPRIO_OK;
}

int otaprio__cohort_rows_read(const otaprio__cohort_setup *setup,
                              const otaprio_cohort_chunk *chunk,
                              otaprio__cohort_rows *rows, otaprio_diag *diag)
{
    if (chunk == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "chunk", -1,
                             "chunk is NULL");
    otaprio_cohort_chunk c;
    OTAPRIO__TRY((otaprio_cohort_chunk_init)(&c, sizeof c));
    OTAPRIO__TRY(otaprio__struct_read(&c, chunk, &chunk_layout, diag));
    if (c.keys == NULL && c.count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "keys", -1,
                             "keys is NULL with %zu devices", c.count);
    otaprio__cohort_rows out;
    memset(&out, 0, sizeof out);
    out.count = c.count;
    out.keys = c.keys;
    for (uint32_t d = 0; c.codes != NULL && d < setup->dimension_count; d++)
        out.codes[d] = c.codes[d];
    OTAPRIO__TRY(check_flags(c.critical, c.count, "critical", diag));
    OTAPRIO__TRY(check_flags(c.charging, c.count, "charging", diag));
    OTAPRIO__TRY(check_flags(c.metered, c.count, "metered", diag));
    OTAPRIO__TRY(check_flags(c.excluded, c.count, "excluded", diag));
    OTAPRIO__TRY(check_battery(c.battery, c.count, diag));
    out.critical = c.critical;
    out.charging = c.charging;
    out.metered = c.metered;
    out.excluded = c.excluded;
    out.first_wave = c.first_wave;
    out.battery = c.battery;
    out.cluster = c.cluster;
    *rows = out;
    return OTAPRIO_OK;
}

bool otaprio__cohort_rows_plain(const otaprio__cohort_setup *setup,
                                const otaprio__cohort_rows *rows)
{
    return rows->excluded == NULL && rows->first_wave == NULL &&
           (rows->critical == NULL || setup->critical_first_wave == 0) &&
           (rows->metered == NULL || !setup->exclude_metered) &&
           (rows->battery == NULL || setup->minimum_battery == 0.0f) &&
           (rows->cluster == NULL || setup->excluded_cluster_count == 0);
}

static bool in_sorted(const uint32_t *values, size_t count, uint32_t value)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (values[mid] < value)
            low = mid + 1;
        else
            high = mid;
    }
    return low < count && values[low] == value;
}

uint32_t otaprio__cohort_first_wave(const otaprio__cohort_setup *setup,
                                    const otaprio__cohort_rows *rows, size_t i)
{
    const uint32_t never = setup->wave_count;
    if (rows->excluded != NULL && rows->excluded[i])
        return never;
    if (setup->exclude_metered && rows->metered != NULL && rows->metered[i])
        return never;
    if (rows->battery != NULL && rows->battery[i] < setup->minimum_battery &&
        !(rows->charging != NULL && rows->charging[i]))
        return never;
    if (rows->cluster != NULL && setup->excluded_cluster_count > 0 &&
        in_sorted(setup->excluded_clusters, setup->excluded_cluster_count,
                  rows->cluster[i]))
        return never;
    uint32_t first = rows->first_wave != NULL ? rows->first_wave[i] : 0;
    if (rows->critical != NULL && rows->critical[i] &&
        setup->critical_first_wave > first)
        first = setup->critical_first_wave;
    return first < never ? first : never;
}
