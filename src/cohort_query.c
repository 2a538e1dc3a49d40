/* SPDX-License-Identifier: MIT */
/*
 * What a finished cohort answers: wave sizes, the listed devices, the
 * strata table, a wave's representativeness, and which wave any device
 * joins. A cohort is immutable, so every function here is thread-safe.
 */
#include <string.h>

#include "cohort_internal.h"
#include "cohort_score.h"

static const otaprio__layout wave_layout = {
    "otaprio_cohort_wave", sizeof(otaprio_cohort_wave),
    sizeof(otaprio_cohort_wave), /* first published layout */
};

static int null_cohort(otaprio_diag *diag)
{
    return otaprio__fail(diag, OTAPRIO_E_INVALID, "cohort", -1,
                         "cohort is NULL");
}

static int check_wave(const otaprio_cohort *c, uint32_t wave,
                      otaprio_diag *diag)
{
    if (wave < c->setup.wave_count)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "wave", -1,
                         "wave %lu is past the last of %lu waves",
                         (unsigned long)wave,
                         (unsigned long)c->setup.wave_count);
}

/* Checks a caller's output struct's size before anything is computed. */
static int check_out(const void *out, const otaprio__layout *layout,
                     otaprio_diag *diag)
{
    if (out == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, layout->name, -1,
                             "the output struct is NULL");
    size_t size;
    memcpy(&size, out, sizeof size);
    if (size < layout->minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, layout->name, -1,
                             "%s has size %zu; the smallest layout is %zu",
                             layout->name, size, layout->minimum);
    return OTAPRIO_OK;
}

uint32_t otaprio_cohort_wave_count(const otaprio_cohort *cohort)
{
    return cohort != NULL ? cohort->setup.wave_count : 0;
}

int otaprio_cohort_wave_info(const otaprio_cohort *cohort, uint32_t wave,
                             otaprio_cohort_wave *info, otaprio_diag *diag)
{
    if (cohort == NULL)
        return null_cohort(diag);
    OTAPRIO__TRY(check_out(info, &wave_layout, diag));
    OTAPRIO__TRY(check_wave(cohort, wave, diag));
    return otaprio__struct_write(info, &cohort->waves[wave], &wave_layout);
}

int otaprio_cohort_devices(const otaprio_cohort *cohort, uint64_t first,
                           uint64_t count, uint64_t *keys, uint8_t *waves,
                           uint64_t *strata, otaprio_diag *diag)
{
    if (cohort == NULL)
        return null_cohort(diag);
    if (first > cohort->pick_count || count > cohort->pick_count - first)
        return otaprio__fail(diag, OTAPRIO_E_RANGE,
                             first > cohort->pick_count ? "first" : "count", -1,
                             "devices %llu .. %llu asked; the canary waves "
                             "list %llu",
                             (unsigned long long)first,
                             (unsigned long long)(first + count),
                             (unsigned long long)cohort->pick_count);
    for (uint64_t i = 0; i < count; i++) {
        const otaprio__pick *p = &cohort->picks[cohort->listing[first + i]];
        if (keys != NULL)
            keys[i] = p->key;
        if (waves != NULL)
            waves[i] = (uint8_t)p->wave;
        if (strata != NULL)
            strata[i] = cohort->ids[p->stratum];
    }
    return OTAPRIO_OK;
}

uint64_t otaprio_cohort_stratum_count(const otaprio_cohort *cohort)
{
    return cohort != NULL ? cohort->strata : 0;
}

int otaprio_cohort_strata(const otaprio_cohort *cohort, uint32_t wave,
                          uint64_t first, uint64_t count, uint64_t *strata,
                          uint64_t *fleet, uint64_t *eligible,
                          uint64_t *selected, otaprio_diag *diag)
{
    if (cohort == NULL)
        return null_cohort(diag);
    OTAPRIO__TRY(check_wave(cohort, wave, diag));
    if (first > cohort->strata || count > cohort->strata - first)
        return otaprio__fail(diag, OTAPRIO_E_RANGE,
                             first > cohort->strata ? "first" : "count", -1,
                             "strata %llu .. %llu asked; the cohort has "
                             "%zu",
                             (unsigned long long)first,
                             (unsigned long long)(first + count),
                             cohort->strata);
    size_t waves = cohort->setup.wave_count;
    for (uint64_t i = 0; i < count; i++) {
        size_t h = (size_t)(first + i);
        if (strata != NULL)
            strata[i] = cohort->ids[h];
        if (fleet != NULL)
            fleet[i] = cohort->fleet_of[h];
        if (eligible != NULL)
            eligible[i] = cohort->eligible[h * waves + wave];
        if (selected != NULL)
            selected[i] = cohort->seats[h * waves + wave];
    }
    return OTAPRIO_OK;
}

int otaprio_cohort_representativeness(const otaprio_cohort *cohort,
                                      uint32_t wave,
                                      otaprio_representativeness *report,
                                      otaprio_diag *diag)
{
    if (cohort == NULL)
        return null_cohort(diag);
    if (report == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "report", -1,
                             "report is NULL");
    OTAPRIO__TRY(otaprio__report_check_size(report, "report", -1, diag));
    OTAPRIO__TRY(check_wave(cohort, wave, diag));
    size_t waves = cohort->setup.wave_count;
    uint64_t *selected = NULL;
    int status = otaprio__mem_zalloc_array(
        &cohort->mem, cohort->strata, sizeof *selected, (void **)&selected);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "out of memory for the report");
    for (size_t h = 0; h < cohort->strata; h++)
        selected[h] = cohort->seats[h * waves + wave];
    otaprio_representativeness full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    status = otaprio__cohort_report(&cohort->setup, cohort->strata, cohort->ids,
                                    cohort->fleet_of, selected, &full,
                                    &cohort->mem, diag);
    otaprio__mem_free(&cohort->mem, selected);
    OTAPRIO__TRY(status);
    return otaprio__struct_write(report, &full, &otaprio__report_layout);
}

/* ---- assign ---------------------------------------------------------- */

/* Devices assign reads at a time when their positions come from the
 * vector kernel into a buffer on the stack. */
#define ASSIGN_BLOCK 256

/* The listed device of stratum `h` with this position and key, or NULL.
 * Most devices are not listed, and lie past the stratum's last listed
 * position: one comparison with a small table turns them away. */
static const otaprio__pick *find_pick(const otaprio_cohort *c, size_t h,
                                      uint64_t position, uint64_t key)
{
    if (position > c->last_position[h])
        return NULL;
    size_t low = (size_t)c->first_pick[h], high = (size_t)c->first_pick[h + 1];
    if (low == high)
        return NULL;
    size_t end = high;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        const otaprio__pick *p = &c->picks[mid];
        if (p->position < position || (p->position == position && p->key < key))
            low = mid + 1;
        else
            high = mid;
    }
    if (low < end && c->picks[low].position == position &&
        c->picks[low].key == key)
        return &c->picks[low];
    return NULL;
}

/* The stratum index of device i, or OTAPRIO__TUPLE_NONE for a stratum no
 * observed device was in. */
static uint32_t stratum_of(const otaprio_cohort *c,
                           const otaprio__cohort_rows *rows, size_t i)
{
    const otaprio__cohort_setup *setup = &c->setup;
    uint32_t codes[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
    for (uint32_t d = 0; d < setup->dimension_count; d++)
        codes[d] = rows->codes[d] != NULL ? rows->codes[d][i] : 0;
    if (c->dense != NULL)
        return c->dense[otaprio__cohort_stratum_id(setup, codes)];
    return otaprio__tuple_find(&c->lookup, codes,
                               otaprio__tuple_hash(&c->lookup, codes));
}

static uint8_t wave_of(const otaprio_cohort *c,
                       const otaprio__cohort_rows *rows, size_t i, bool plain)
{
    const otaprio__cohort_setup *setup = &c->setup;
    uint32_t first = plain ? 0 : otaprio__cohort_first_wave(setup, rows, i);
    if (first >= setup->wave_count)
        return OTAPRIO_COHORT_NONE;
    if (first < setup->canary_count) {
        uint32_t h = stratum_of(c, rows, i);
        if (h != OTAPRIO__TUPLE_NONE) {
            uint64_t key = rows->keys[i];
            const otaprio__pick *p =
                find_pick(c, h, otaprio__cohort_position(setup, key), key);
            if (p != NULL)
                return (uint8_t)p->wave;
        }
    }
    /* Not listed: a final wave of 1 takes it. */
    if (setup->canary_count < setup->wave_count)
        return (uint8_t)(setup->wave_count - 1);
    return OTAPRIO_COHORT_NONE;
}

/* The hash threshold's wave of a device: the first canary wave whose
 * fraction exceeds the device's, no earlier than its first wave; past the
 * canary waves, a final wave of 1 when there is one. Positions alone
 * decide, so no lookup is needed. */
static OTAPRIO__ALWAYS_INLINE uint8_t threshold_wave(
    const otaprio__cohort_setup *s, uint64_t position, uint32_t first)
{
    if (first >= s->wave_count)
        return OTAPRIO_COHORT_NONE;
    double fraction = (double)(position >> 11) * 0x1.0p-53;
    uint32_t wave = 0;
    while (wave < s->canary_count && !(fraction < s->waves[wave]))
        wave++;
    if (wave < first)
        wave = first;
    if (wave < s->canary_count)
        return (uint8_t)wave;
    return s->canary_count < s->wave_count ? (uint8_t)(s->wave_count - 1)
                                           : OTAPRIO_COHORT_NONE;
}

static void assign_by_threshold(const otaprio_cohort *c,
                                const otaprio__cohort_rows *rows,
                                uint8_t *waves)
{
    const otaprio__cohort_setup *s = &c->setup;
    if (otaprio__cohort_rows_plain(s, rows)) {
        uint64_t positions[ASSIGN_BLOCK];
        for (size_t b = 0; b < rows->count; b += ASSIGN_BLOCK) {
            size_t m =
                rows->count - b < ASSIGN_BLOCK ? rows->count - b : ASSIGN_BLOCK;
            otaprio__bucket_positions(s->salt, rows->keys + b, m, positions);
            for (size_t j = 0; j < m; j++)
                waves[b + j] = threshold_wave(s, positions[j], 0);
        }
        return;
    }
    for (size_t i = 0; i < rows->count; i++)
        waves[i] = threshold_wave(s, otaprio__cohort_position(s, rows->keys[i]),
                                  otaprio__cohort_first_wave(s, rows, i));
}

/* A stratified cohort's waves for a plain chunk (no eligibility columns)
 * when the strata have a dense index: blocks of devices whose ids and
 * positions come from loops that vectorise, then one lookup and, for the
 * few at or below their stratum's last listed position, the search. */

static void assign_plain_dense(const otaprio_cohort *c,
                               const otaprio__cohort_rows *rows, uint8_t *waves)
{
    const otaprio__cohort_setup *s = &c->setup;
    uint8_t unlisted = s->canary_count < s->wave_count
                           ? (uint8_t)(s->wave_count - 1)
                           : OTAPRIO_COHORT_NONE;
    uint32_t ids[ASSIGN_BLOCK];
    uint64_t positions[ASSIGN_BLOCK];
    for (size_t b = 0; b < rows->count; b += ASSIGN_BLOCK) {
        size_t m =
            rows->count - b < ASSIGN_BLOCK ? rows->count - b : ASSIGN_BLOCK;
        /* The codes were checked with the chunk. */
        (void)otaprio__cohort_dense_ids(s, rows->codes, b, m, s->width, ids);
        otaprio__bucket_positions(s->salt, rows->keys + b, m, positions);
        for (size_t j = 0; j < m; j++) {
            uint8_t wave = unlisted;
            uint32_t h = c->dense[ids[j]];
            if (h != OTAPRIO__TUPLE_NONE) {
                const otaprio__pick *p =
                    find_pick(c, h, positions[j], rows->keys[b + j]);
                if (p != NULL)
                    wave = (uint8_t)p->wave;
            }
            waves[b + j] = wave;
        }
    }
}

int otaprio_cohort_assign(const otaprio_cohort *cohort,
                          const otaprio_cohort_chunk *chunk, uint8_t *waves,
                          otaprio_diag *diag)
{
    if (cohort == NULL)
        return null_cohort(diag);
    otaprio__cohort_rows rows;
    OTAPRIO__TRY(
        otaprio__cohort_rows_check(&cohort->setup, chunk, &rows, diag));
    if (waves == NULL && rows.count != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "waves", -1,
                             "waves is NULL with %zu devices", rows.count);
    if (cohort->setup.method == OTAPRIO_COHORT_HASH_THRESHOLD) {
        assign_by_threshold(cohort, &rows, waves);
        return OTAPRIO_OK;
    }
    bool plain = otaprio__cohort_rows_plain(&cohort->setup, &rows);
    if (plain && cohort->dense != NULL && cohort->setup.wave_count > 0 &&
        cohort->setup.canary_count > 0) {
        assign_plain_dense(cohort, &rows, waves);
        return OTAPRIO_OK;
    }
    for (size_t i = 0; i < rows.count; i++)
        waves[i] = wave_of(cohort, &rows, i, plain);
    return OTAPRIO_OK;
}
