/* SPDX-License-Identifier: MIT */
/*
 * Scoring cohorts: the tally handle (cohort_tally.c) and what the research
 * harness (cohort_algorithm.c) reaches inside it.
 */
#ifndef OTAPRIO_COHORT_SCORE_H
#define OTAPRIO_COHORT_SCORE_H

#include "cohort_internal.h"

struct otaprio_tally {
    otaprio__mem mem;
    /* Only the strata fields are set; the arrays are NULL. */
    otaprio__cohort_setup setup;
    otaprio__tuple_set strata; /* tuple of codes -> index */
    /* By index, in the form otaprio__cohort_report() reads. */
    otaprio__vec ids;    /* uint64 stratum ids */
    otaprio__vec fleet;  /* uint64 devices */
    otaprio__vec cohort; /* uint64 of those in the cohort */
    uint64_t devices;    /* fleet devices in all */
    /* Most strata the tally may hold: UINT32_MAX - 1 (UINT32_MAX marks a
     * missing tuple), lower only in tests. */
    uint32_t limit;
};

/* The representativeness struct's layout, and a check that a caller's
 * report (named `field`, element `index` of an array, or -1) has room for
 * the first layout, made before any work so a bad size writes nothing. */
extern const otaprio__layout otaprio__report_layout;
OTAPRIO__NODISCARD int
otaprio__report_check_size(const otaprio_representativeness *report,
                           const char *field, int64_t index,
                           otaprio_diag *diag);

/* An empty tally over the strata of a validated setup (its arrays are not
 * copied, only the strata are read). */
OTAPRIO__NODISCARD int otaprio__tally_new(const otaprio__cohort_setup *setup,
                                          const otaprio__mem *mem,
                                          otaprio_tally **tally,
                                          otaprio_diag *diag);

/* The index of stratum `id` (below the setup's stratum space), or
 * OTAPRIO__TUPLE_NONE when no device of the fleet is in it. */
uint32_t otaprio__tally_find(const otaprio_tally *tally, uint64_t id);

/* otaprio_cohort_evaluate() with the allocator its own memory comes from
 * (the states' memory is the algorithm's), so every failure can be tested. */
OTAPRIO__NODISCARD int otaprio__cohort_evaluate_with(
    const otaprio_cohort_algorithm *algorithm, const otaprio_cohort_spec *spec,
    uint32_t shards, otaprio_cohort_source_fn source, void *user,
    const otaprio_allocator *allocator, otaprio_representativeness *reports,
    otaprio_diag *diag);

#endif /* OTAPRIO_COHORT_SCORE_H */
