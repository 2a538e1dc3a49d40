/* SPDX-License-Identifier: MIT */
/*
 * How well a cohort mirrors its fleet (docs/cohort.md, "Representativeness"):
 * total variation distance, joint and per dimension, coverage, and the most
 * under-covered strata, from per-stratum counts.
 *
 * Every sum runs in a fixed order, by increasing stratum id for the joint
 * distance and by increasing code for a dimension's, so the report does not
 * depend on the order the strata come in. Marginal counts are summed as
 * integers (exact, so the order inside a code does not matter either), and
 * only then turned into shares.
 *
 * A dimension may have up to 2^32 codes, so its marginals are counted in an
 * array indexed by code only when it has no more codes than there are
 * strata; otherwise its (code, counts) pairs are sorted and equal codes
 * merged. Both visit the codes with devices in increasing order and give
 * the same sums. Strata that come sorted by id (as a cohort's do) are not
 * sorted again. Scratch memory is 48 bytes per stratum.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_score.h"

/* A stratum's counts under a sort key: its id, or its code in one
 * dimension. */
typedef struct keyed {
    uint64_t key;
    uint64_t fleet;
    uint64_t cohort;
} keyed;

static int compare_key(const void *a, const void *b)
{
    uint64_t x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
    return (x > y) - (x < y);
}

/* A share of a total; 0 of an empty total. */
static double share(uint64_t part, uint64_t total)
{
    return total != 0 ? (double)part / (double)total : 0.0;
}

/* One term of a distance: |c / C - n / N|. */
static double term(uint64_t n, uint64_t c, uint64_t fleet, uint64_t cohort)
{
    return fabs(share(c, cohort) - share(n, fleet));
}

/* Half a sum of terms. Rounding could carry a sum over disjoint supports a
 * hair past 2, so the distance is capped at 1. */
static double halve(double sum)
{
    double tvd = 0.5 * sum;
    return tvd < 1.0 ? tvd : 1.0;
}

/* The distance over entries sorted by key, equal keys merged first. */
static double sorted_distance(const keyed *sorted, size_t count, uint64_t fleet,
                              uint64_t cohort)
{
    double sum = 0.0;
    for (size_t i = 0; i < count;) {
        uint64_t n = 0, c = 0;
        size_t j = i;
        for (; j < count && sorted[j].key == sorted[i].key; j++) {
            n += sorted[j].fleet;
            c += sorted[j].cohort;
        }
        sum += term(n, c, fleet, cohort);
        i = j;
    }
    return halve(sum);
}

/* The code of dimension d in a stratum id, as otaprio__cohort_stratum_codes()
 * gives it, without decoding the other dimensions. */
static uint64_t code_of(const otaprio__cohort_setup *setup, uint32_t d,
                        uint64_t id)
{
    return id / setup->radix[d] % setup->cardinalities[d];
}

/* The distance of dimension d's marginals. `scratch` has room for
 * `present` keyed entries, which is room for 1.5 * `present` codes' two
 * counts. */
static double dimension_distance(const otaprio__cohort_setup *setup, uint32_t d,
                                 const keyed *by_id, size_t present,
                                 keyed *scratch, uint64_t fleet,
                                 uint64_t cohort)
{
    uint32_t codes = setup->cardinalities[d];
    if (codes <= present) {
        uint64_t *counts = (uint64_t *)scratch; /* [2 * code + 0 or 1] */
        memset(counts, 0, 2 * (size_t)codes * sizeof *counts);
        for (size_t h = 0; h < present; h++) {
            size_t code = (size_t)code_of(setup, d, by_id[h].key);
            counts[2 * code] += by_id[h].fleet;
            counts[2 * code + 1] += by_id[h].cohort;
        }
        double sum = 0.0;
        for (size_t code = 0; code < codes; code++)
            if (counts[2 * code] != 0) /* as the sorted path: codes seen */
                sum +=
                    term(counts[2 * code], counts[2 * code + 1], fleet, cohort);
        return halve(sum);
    }
    for (size_t h = 0; h < present; h++) {
        scratch[h] = by_id[h];
        scratch[h].key = code_of(setup, d, by_id[h].key);
    }
    qsort(scratch, present, sizeof *scratch, compare_key);
    return sorted_distance(scratch, present, fleet, cohort);
}

/* The most under-covered strata so far, worst first. */
typedef struct worst_list {
    uint32_t count;
    uint64_t id[OTAPRIO_COHORT_REPORT_WORST];
    double deficit[OTAPRIO_COHORT_REPORT_WORST];
    double fleet_share[OTAPRIO_COHORT_REPORT_WORST];
    double cohort_share[OTAPRIO_COHORT_REPORT_WORST];
} worst_list;

/* Offers a stratum; strata come in increasing id, so on equal deficits the
 * one already listed (the smaller id) stays ahead. */
static void offer(worst_list *w, uint64_t id, double fleet_share,
                  double cohort_share)
{
    double deficit = fleet_share - cohort_share;
    if (!(deficit > 0.0))
        return;
    uint32_t at = w->count;
    while (at > 0 && deficit > w->deficit[at - 1])
        at--;
    if (at >= OTAPRIO_COHORT_REPORT_WORST)
        return;
    uint32_t last = w->count < OTAPRIO_COHORT_REPORT_WORST
                        ? w->count
                        : OTAPRIO_COHORT_REPORT_WORST - 1;
    for (uint32_t k = last; k > at; k--) {
        w->id[k] = w->id[k - 1];
        w->deficit[k] = w->deficit[k - 1];
        w->fleet_share[k] = w->fleet_share[k - 1];
        w->cohort_share[k] = w->cohort_share[k - 1];
    }
    w->id[at] = id;
    w->deficit[at] = deficit;
    w->fleet_share[at] = fleet_share;
    w->cohort_share[at] = cohort_share;
    if (w->count < OTAPRIO_COHORT_REPORT_WORST)
        w->count++;
}

/* Checks the counts and totals them: a cohort device is a fleet device,
 * and a stratum id lies inside the strata. */
static int total_counts(const otaprio__cohort_setup *setup, size_t strata,
                        const uint64_t *ids, const uint64_t *fleet,
                        const uint64_t *cohort, uint64_t *fleet_total,
                        uint64_t *cohort_total, size_t *present,
                        otaprio_diag *diag)
{
    uint64_t n = 0, c = 0;
    size_t p = 0;
    for (size_t h = 0; h < strata; h++) {
        if (cohort[h] > fleet[h])
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "cohort", (int64_t)h,
                                 "stratum %llu has %llu cohort devices but "
                                 "only %llu fleet devices",
                                 (unsigned long long)ids[h],
                                 (unsigned long long)cohort[h],
                                 (unsigned long long)fleet[h]);
        if (ids[h] >= setup->stratum_space)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "ids", (int64_t)h,
                                 "stratum id %llu is past the %llu strata",
                                 (unsigned long long)ids[h],
                                 (unsigned long long)setup->stratum_space);
        if (fleet[h] > UINT64_MAX - n)
            return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "fleet", (int64_t)h,
                                 "the fleet's devices exceed 2^64");
        n += fleet[h];
        c += cohort[h];
        p += fleet[h] != 0;
    }
    *fleet_total = n;
    *cohort_total = c;
    *present = p;
    return OTAPRIO_OK;
}

int otaprio__cohort_report(const otaprio__cohort_setup *setup, size_t strata,
                           const uint64_t *ids, const uint64_t *fleet,
                           const uint64_t *cohort,
                           otaprio_representativeness *report,
                           const otaprio__mem *mem, otaprio_diag *diag)
{
    uint64_t n = 0, c = 0;
    size_t present = 0;
    OTAPRIO__TRY(total_counts(setup, strata, ids, fleet, cohort, &n, &c,
                              &present, diag));
    otaprio_representativeness r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.dimension_count = setup->dimension_count;
    if (present == 0) { /* an empty fleet: every figure 0 */
        *report = r;
        return OTAPRIO_OK;
    }

    /* Strata with fleet devices by id, then room for one dimension's
     * (code, counts) pairs or counts by code. */
    keyed *by_id = NULL;
    size_t doubled;
    if (otaprio__size_mul_overflows(present, 2, &doubled))
        return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "strata", -1,
                             "%zu strata do not fit in memory", present);
    int status =
        otaprio__mem_zalloc_array(mem, doubled, sizeof *by_id, (void **)&by_id);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "", -1,
                             "no memory to sort %zu strata", present);
    keyed *by_code = by_id + present;
    size_t k = 0;
    for (size_t h = 0; h < strata; h++) {
        if (fleet[h] == 0)
            continue;
        by_id[k].key = ids[h];
        by_id[k].fleet = fleet[h];
        by_id[k].cohort = cohort[h];
        k++;
    }
    bool sorted = true;
    for (size_t h = 1; h < present && sorted; h++)
        sorted = by_id[h - 1].key < by_id[h].key;
    if (!sorted)
        qsort(by_id, present, sizeof *by_id, compare_key);
    for (size_t h = 1; h < present; h++) {
        if (by_id[h].key == by_id[h - 1].key) {
            unsigned long long twice = by_id[h].key;
            otaprio__mem_free(mem, by_id);
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "ids", -1,
                                 "stratum id %llu appears twice", twice);
        }
    }

    r.fleet = n;
    r.cohort = c;
    r.strata = present;
    uint64_t covered_mass = 0;
    worst_list worst;
    memset(&worst, 0, sizeof worst);
    for (size_t h = 0; h < present; h++) {
        const keyed *s = &by_id[h];
        if (s->cohort > 0) {
            r.strata_covered++;
            covered_mass += s->fleet;
        }
        offer(&worst, s->key, share(s->fleet, n), share(s->cohort, c));
    }
    r.strata_coverage = share(r.strata_covered, r.strata);
    r.mass_coverage = share(covered_mass, n);
    /* An empty cohort of a fleet is as far from it as can be. */
    r.tvd = c != 0 ? sorted_distance(by_id, present, n, c) : 1.0;
    for (uint32_t d = 0; d < setup->dimension_count; d++)
        r.tvd_dimension[d] =
            c != 0 ? dimension_distance(setup, d, by_id, present, by_code, n, c)
                   : 1.0;
    otaprio__mem_free(mem, by_id);

    r.worst_count = worst.count;
    for (uint32_t w = 0; w < worst.count; w++) {
        r.worst_stratum[w] = worst.id[w];
        r.worst_fleet_share[w] = worst.fleet_share[w];
        r.worst_cohort_share[w] = worst.cohort_share[w];
    }
    *report = r;
    return OTAPRIO_OK;
}

const otaprio__layout otaprio__report_layout = {
    "otaprio_representativeness", sizeof(otaprio_representativeness),
    sizeof(otaprio_representativeness), /* first published layout */
};

int otaprio__report_check_size(const otaprio_representativeness *report,
                               const char *field, int64_t index,
                               otaprio_diag *diag)
{
    if (report->size < otaprio__report_layout.minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, field, index,
                             "the report's size is %zu; set it to "
                             "sizeof(otaprio_representativeness)",
                             report->size);
    return OTAPRIO_OK;
}
