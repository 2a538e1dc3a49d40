/* SPDX-License-Identifier: MIT */
/*
 * The tally: fleet and cohort devices counted per stratum, for scoring a
 * cohort chosen by any means against its fleet.
 *
 * Strata are kept as in the clusterer: a tuple set numbers each distinct
 * tuple of codes, and three arrays by that number hold the stratum id and
 * the two counts, in the form otaprio__cohort_report() reads, so a report
 * copies nothing. Memory per stratum: the tuple (4 bytes a dimension), 24
 * bytes of id and counts, in arrays that grow by half again, and 4 to 8
 * table slots of 8 bytes; nothing per device.
 *
 * An add is atomic. Every code and flag is checked before anything is
 * counted; then one pass counts the devices, and the only thing that can
 * fail is making room for a new stratum. On failure the counts the pass
 * added are taken back (each device before the failure is looked up
 * again) and the new strata dropped, as the clusterer does.
 */
#include <string.h>

#include "cohort_score.h"

/* What a NULL column reads, through a mask of 0, at every device. */
static const uint32_t zero_code = 0;

/* A chunk's code columns, NULL ones read as zeros without a branch. */
typedef struct code_columns {
    const uint32_t *column[OTAPRIO_COHORT_MAX_DIMENSIONS];
    size_t mask[OTAPRIO_COHORT_MAX_DIMENSIONS]; /* SIZE_MAX, or 0 */
} code_columns;

int otaprio__tally_new(const otaprio__cohort_setup *setup,
                       const otaprio__mem *mem, otaprio_tally **tally,
                       otaprio_diag *diag)
{
    otaprio_tally *t = otaprio__mem_alloc(mem, sizeof *t);
    if (t == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory for the tally");
    memset(t, 0, sizeof *t);
    t->mem = *mem;
    t->setup = *setup;
    /* The tally reads only the strata; it must not share the arrays. */
    t->setup.sd = NULL;
    t->setup.excluded_clusters = NULL;
    t->setup.excluded_cluster_count = 0;
    t->setup.caps = NULL;
    otaprio__tuple_set_prepare(&t->strata, setup->width);
    t->ids.elem_size = sizeof(uint64_t);
    t->fleet.elem_size = sizeof(uint64_t);
    t->cohort.elem_size = sizeof(uint64_t);
    t->limit = UINT32_MAX - 1;
    *tally = t;
    return OTAPRIO_OK;
}

int otaprio_tally_create(const otaprio_cohort_spec *spec,
                         const otaprio_allocator *allocator,
                         otaprio_tally **tally, otaprio_diag *diag)
{
    if (tally == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "tally", -1,
                             "tally is NULL");
    otaprio__cohort_setup setup;
    OTAPRIO__TRY(otaprio__cohort_setup_strata(&setup, spec, diag));
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    return otaprio__tally_new(&setup, &mem, tally, diag);
}

void otaprio_tally_free(otaprio_tally *tally)
{
    if (tally == NULL)
        return;
    otaprio__mem mem = tally->mem;
    otaprio__tuple_set_release(&mem, &tally->strata);
    otaprio__vec_release(&mem, &tally->ids);
    otaprio__vec_release(&mem, &tally->fleet);
    otaprio__vec_release(&mem, &tally->cohort);
    otaprio__mem_free(&mem, tally);
}

uint32_t otaprio__tally_find(const otaprio_tally *tally, uint64_t id)
{
    uint32_t row[OTAPRIO_COHORT_MAX_DIMENSIONS] = {0};
    otaprio__cohort_stratum_codes(&tally->setup, id, row);
    return otaprio__tuple_find(&tally->strata, row,
                               otaprio__tuple_hash(&tally->strata, row));
}

static int check_flags(const uint8_t *flags, size_t count, otaprio_diag *diag)
{
    unsigned any = 0;
    for (size_t i = 0; i < count; i++)
        any |= flags[i];
    if ((any & ~1u) == 0)
        return OTAPRIO_OK;
    size_t i = 0;
    while (flags[i] <= 1)
        i++;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "in_cohort", (int64_t)i,
                         "in_cohort[%zu] is %u; a flag must be 0 or 1", i,
                         (unsigned)flags[i]);
}

/* Gathers device `i`'s codes, packed (see otaprio__tuple_pack()). */
static OTAPRIO__ALWAYS_INLINE void read_words(const code_columns *k, size_t i,
                                              size_t width, uint64_t *words)
{
    for (size_t w = 0; w < (width + 1) / 2; w++) {
        size_t d = 2 * w;
        uint64_t low = k->column[d][i & k->mask[d]];
        uint64_t high =
            d + 1 < width ? k->column[d + 1][i & k->mask[d + 1]] : 0;
        words[w] = low | high << 32;
    }
}

/* Makes room for one more stratum, so that adding it cannot fail. */
static int reserve_one(otaprio_tally *t, size_t device, otaprio_diag *diag)
{
    uint32_t count = t->strata.count;
    if (count >= t->limit)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "codes", (int64_t)device,
                             "device %zu would start stratum %lu, past the "
                             "limit of %lu strata",
                             device, (unsigned long)count + 1,
                             (unsigned long)t->limit);
    size_t more = (size_t)count + 1;
    int status = otaprio__vec_reserve(&t->mem, &t->ids, more);
    if (status == OTAPRIO_OK)
        status = otaprio__vec_reserve(&t->mem, &t->fleet, more);
    if (status == OTAPRIO_OK)
        status = otaprio__vec_reserve(&t->mem, &t->cohort, more);
    if (status == OTAPRIO_OK)
        status = otaprio__tuple_set_reserve(&t->mem, &t->strata, more);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", (int64_t)device,
                             "no memory to grow to %zu strata at device %zu",
                             more, device);
    return OTAPRIO_OK;
}

/* Adds the stratum of the packed tuple `words`, empty; room must have been
 * made. */
static uint32_t add_reserved(otaprio_tally *t, const uint64_t *words,
                             uint64_t hash)
{
    uint32_t row[OTAPRIO_COHORT_MAX_DIMENSIONS];
    for (size_t d = 0; d < t->strata.width; d++)
        row[d] = otaprio__tuple_value(words, d);
    uint32_t index = otaprio__tuple_set_add_reserved(&t->strata, row, hash);
    ((uint64_t *)t->ids.data)[index] =
        otaprio__cohort_stratum_id(&t->setup, row);
    ((uint64_t *)t->fleet.data)[index] = 0;
    ((uint64_t *)t->cohort.data)[index] = 0;
    t->ids.length = t->fleet.length = t->cohort.length = (size_t)index + 1;
    return index;
}

/*
 * Counts the devices; on failure `*failed_at` is the device that could not
 * be placed, and the ones before it are counted until undo() takes them
 * back. Written once for any width and compiled again for the small ones,
 * as the clusterer's pass is: with the width a constant, the codes gather
 * into a word or two and XXH3 takes its short path for that length.
 */
static OTAPRIO__ALWAYS_INLINE int pass_of(otaprio_tally *t,
                                          const code_columns *k, size_t count,
                                          const uint8_t *in_cohort,
                                          size_t *failed_at, otaprio_diag *diag,
                                          size_t width)
{
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    otaprio__tuple_view view = otaprio__tuple_view_of(&t->strata);
    uint64_t *fleet = t->fleet.data, *cohort = t->cohort.data;
    for (size_t i = 0; i < count; i++) {
        read_words(k, i, width, words);
        uint64_t hash = otaprio__tuple_hash_of(words, width);
        uint32_t index = otaprio__tuple_find_in(&view, words, hash, width);
        if (index == OTAPRIO__TUPLE_NONE) {
            int status = reserve_one(t, i, diag);
            if (status != OTAPRIO_OK) {
                *failed_at = i;
                return status;
            }
            index = add_reserved(t, words, hash);
            view = otaprio__tuple_view_of(&t->strata);
            fleet = t->fleet.data;
            cohort = t->cohort.data;
        }
        fleet[index]++;
        if (in_cohort != NULL)
            cohort[index] += in_cohort[i];
    }
    return OTAPRIO_OK;
}

#define PASS(name, width)                                                 \
    static int pass_##name(otaprio_tally *t, const code_columns *k,       \
                           size_t count, const uint8_t *in_cohort,        \
                           size_t *failed_at, otaprio_diag *diag)         \
    {                                                                     \
        return pass_of(t, k, count, in_cohort, failed_at, diag, (width)); \
    }
PASS(1, 1)
PASS(2, 2)
PASS(3, 3)
PASS(4, 4)
PASS(any, t->strata.width)
#undef PASS

typedef int (*pass_fn)(otaprio_tally *, const code_columns *, size_t,
                       const uint8_t *, size_t *, otaprio_diag *);

/* Strata rarely have more than four dimensions. */
static const pass_fn pass_by_width[5] = {pass_any, pass_1, pass_2, pass_3,
                                         pass_4};

/* Takes back the counts of devices [0, end) and every stratum from
 * `before` on. Allocates nothing. */
static void undo(otaprio_tally *t, const code_columns *k, size_t end,
                 const uint8_t *in_cohort, uint32_t before)
{
    uint64_t words[OTAPRIO__TUPLE_MAX_WORDS];
    size_t width = t->strata.width;
    otaprio__tuple_view view = otaprio__tuple_view_of(&t->strata);
    uint64_t *fleet = t->fleet.data, *cohort = t->cohort.data;
    for (size_t i = 0; i < end; i++) {
        read_words(k, i, width, words);
        uint32_t index = otaprio__tuple_find_in(
            &view, words, otaprio__tuple_hash_of(words, width), width);
        if (index >= before)
            continue; /* dropped below */
        fleet[index]--;
        if (in_cohort != NULL)
            cohort[index] -= in_cohort[i];
    }
    otaprio__tuple_set_truncate(&t->strata, before);
    t->ids.length = t->fleet.length = t->cohort.length = before;
}

int otaprio_tally_add(otaprio_tally *tally, const uint32_t *const *codes,
                      size_t count, const uint8_t *in_cohort,
                      otaprio_diag *diag)
{
    if (tally == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "tally", -1,
                             "tally is NULL");
    const otaprio__cohort_setup *setup = &tally->setup;
    code_columns k;
    for (uint32_t d = 0; d < tally->strata.width; d++) {
        const uint32_t *column =
            codes != NULL && d < setup->dimension_count ? codes[d] : NULL;
        if (column != NULL)
            OTAPRIO__TRY(otaprio__cohort_check_codes(
                column, count, setup->cardinalities[d], d, diag));
        k.column[d] = column != NULL ? column : &zero_code;
        k.mask[d] = column != NULL ? SIZE_MAX : 0;
    }
    if (in_cohort != NULL)
        OTAPRIO__TRY(check_flags(in_cohort, count, diag));

    uint32_t before = tally->strata.count;
    size_t failed_at = 0;
    size_t width = tally->strata.width;
    int status = pass_by_width[width < 5 ? width : 0](
        tally, &k, count, in_cohort, &failed_at, diag);
    if (status != OTAPRIO_OK) {
        undo(tally, &k, failed_at, in_cohort, before);
        return status;
    }
    tally->devices += count;
    return OTAPRIO_OK;
}

int otaprio_tally_representativeness(const otaprio_tally *tally,
                                     otaprio_representativeness *report,
                                     otaprio_diag *diag)
{
    if (tally == NULL || report == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             tally == NULL ? "tally" : "report", -1,
                             "%s is NULL", tally == NULL ? "tally" : "report");
    OTAPRIO__TRY(otaprio__report_check_size(report, "report", -1, diag));
    otaprio_representativeness full;
    OTAPRIO__TRY(otaprio__cohort_report(
        &tally->setup, tally->strata.count, tally->ids.data, tally->fleet.data,
        tally->cohort.data, &full, &tally->mem, diag));
    return otaprio__struct_write(report, &full, &otaprio__report_layout);
}
