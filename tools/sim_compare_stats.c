/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --compare`, the figures: medians and 95th percentiles
 * over seeds (nearest rank: the ceil(q n)-th smallest, a value some run
 * really had), rates of halts, false halts and localisation, and the tuned
 * threshold of each anchor.
 *
 * Tuning criterion: among an anchor's sweep, the threshold with the lowest
 * sum over the bad scenarios of the median devices exposed, among those
 * whose false-halt rate over every good scenario's runs stays at most 1%
 * (SIM_COMPARE_FALSE_HALT_BOUND); ties go to the higher threshold. The
 * sweep is judged on the very runs it is reported on, which favours the
 * anchors (in-sample tuning), never libotaprio.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_compare.h"

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank quantile's index among n sorted values. */
static size_t rank_of(double q, size_t n)
{
    double r = ceil(q * (double)n);
    size_t k = r < 1.0 ? 1 : (size_t)r;
    return (k > n ? n : k) - 1;
}

static void fill_cell(const sim_compare_run *runs, uint32_t seeds,
                      uint64_t *exposed, int64_t *hours, sim_compare_cell *c)
{
    uint32_t halted = 0, false_halts = 0, localised = 0;
    for (uint32_t i = 0; i < seeds; i++) {
        exposed[i] = runs[i].exposed;
        /* Never reaching 95% sorts after every hour. */
        hours[i] = runs[i].hours_to_95 >= 0 ? runs[i].hours_to_95 : INT64_MAX;
        halted += runs[i].halted;
        false_halts += runs[i].false_halt;
        localised += runs[i].localised;
    }
    qsort(exposed, seeds, sizeof *exposed, compare_u64);
    qsort(hours, seeds, sizeof *hours, compare_i64);
    double n = (double)seeds;
    c->exposed_median = (double)exposed[rank_of(0.5, seeds)];
    c->exposed_p95 = (double)exposed[rank_of(0.95, seeds)];
    int64_t h50 = hours[rank_of(0.5, seeds)], h95 = hours[rank_of(0.95, seeds)];
    c->hours_to_95_median = h50 == INT64_MAX ? HUGE_VAL : (double)h50;
    c->hours_to_95_p95 = h95 == INT64_MAX ? HUGE_VAL : (double)h95;
    c->halt_rate = (double)halted / n;
    c->false_halt_rate = (double)false_halts / n;
    c->localised_share = (double)localised / n;
}

static void pool(sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    for (size_t v = 0; v < r->variant_count; v++) {
        uint64_t good_runs = 0, false_halts = 0;
        double score = 0.0;
        for (size_t s = 0; s < set->scenario_count; s++) {
            const sim_compare_cell *c = &r->cells[s * r->variant_count + v];
            if (set->scenarios[s]->bad) {
                score += c->exposed_median;
                continue;
            }
            const sim_compare_run *runs =
                &r->runs[(s * r->variant_count + v) * set->seeds];
            for (uint32_t i = 0; i < set->seeds; i++)
                false_halts += runs[i].false_halt;
            good_runs += set->seeds;
        }
        r->false_halt_rate[v] =
            good_runs > 0 ? (double)false_halts / (double)good_runs : 0.0;
        r->exposure_score[v] = score;
    }
}

static void tune(sim_compare_result *r)
{
    for (int f = 0; f < SIM_FAMILIES; f++) {
        r->tuned_found[f] = false;
        r->defaults[f] = 0;
        r->tuned[f] = 0;
        /* The sweep runs from the default threshold down: on a tie the
         * earlier, higher threshold stays. */
        for (size_t v = 0; v < r->variant_count; v++) {
            if (r->variants[v].family != f)
                continue;
            if (r->variants[v].is_default)
                r->defaults[f] = v;
            if (r->false_halt_rate[v] > SIM_COMPARE_FALSE_HALT_BOUND)
                continue;
            if (!r->tuned_found[f] ||
                r->exposure_score[v] < r->exposure_score[r->tuned[f]]) {
                r->tuned[f] = v;
                r->tuned_found[f] = true;
            }
        }
        if (!r->tuned_found[f])
            r->tuned[f] = r->defaults[f];
    }
}

int sim_compare_summarise(sim_compare_result *r)
{
    const sim_compare_setup *set = &r->setup;
    size_t cells = set->scenario_count * r->variant_count;
    size_t seeds = set->seeds > 0 ? set->seeds : 1;
    r->cells = calloc(cells > 0 ? cells : 1, sizeof *r->cells);
    r->false_halt_rate = calloc(r->variant_count, sizeof *r->false_halt_rate);
    r->exposure_score = calloc(r->variant_count, sizeof *r->exposure_score);
    uint64_t *exposed = malloc(seeds * sizeof *exposed);
    int64_t *hours = malloc(seeds * sizeof *hours);
    int status = OTAPRIO_OK;
    if (r->cells == NULL || r->false_halt_rate == NULL ||
        r->exposure_score == NULL || exposed == NULL || hours == NULL)
        status = OTAPRIO_E_NOMEM;
    for (size_t c = 0; c < cells && status == OTAPRIO_OK && set->seeds > 0; c++)
        fill_cell(&r->runs[c * set->seeds], set->seeds, exposed, hours,
                  &r->cells[c]);
    free(exposed);
    free(hours);
    if (status == OTAPRIO_OK) {
        pool(r);
        tune(r);
    }
    return status;
}

const char *sim_family_name(int family)
{
    static const char *const names[SIM_FAMILIES] = {"libotaprio", "hawkBit",
                                                    "AWS IoT Jobs"};
    return family >= 0 && family < SIM_FAMILIES ? names[family] : "?";
}
