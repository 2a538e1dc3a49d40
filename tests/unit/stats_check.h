/* SPDX-License-Identifier: MIT */
/*
 * Comparing computed statistics with stored references: a relative
 * tolerance of 1e-9 (the guardrail engine's promise), with an absolute
 * floor for references that are zero or denormal, where relative error
 * means nothing; infinities and NaN must match exactly.
 */
#ifndef OTAPRIO_TEST_STATS_CHECK_H
#define OTAPRIO_TEST_STATS_CHECK_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

#define STATS_RELATIVE 1e-9
#define STATS_ABSOLUTE 1e-300

static inline bool stats_close(double got, double want, double relative)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    return fabs(got - want) <= relative * fabs(want) + STATS_ABSOLUTE;
}

/* Fails the current cmocka test, naming the case, when `got` is not close
 * to `want`. */
#define assert_stats_close(got, want, what, index)                            \
    do {                                                                      \
        double got_ = (got), want_ = (want);                                  \
        if (!stats_close(got_, want_, STATS_RELATIVE))                        \
            fail_msg("%s[%d]: got %.17g, want %.17g (relative %.3g)", (what), \
                     (int)(index), got_, want_,                               \
                     want_ != 0.0 ? fabs(got_ - want_) / fabs(want_) : 0.0);  \
    } while (0)

/* A log-probability near 0 is compared in absolute terms: an error of
 * 1e-15 there is a relative error of 1e-15 in the probability, below what
 * the reference itself resolves (scipy rounds log(1 - 1e-20) to 0). */
#define assert_log_close(got, want, what, index)          \
    do {                                                  \
        double g_ = (got), w_ = (want);                   \
        if (!(fabs(w_) < 1e-6 && fabs(g_ - w_) <= 1e-15)) \
            assert_stats_close(g_, w_, what, index);      \
    } while (0)

/* Whether a _p form of a test (stats.h) set what the full test sets, bit
 * for bit, but for its statistic, left NaN. */
static inline bool stats_same_p(const otaprio__test *p_only,
                                const otaprio__test *full)
{
    return isnan(p_only->statistic) &&
           memcmp(&p_only->p_value, &full->p_value, sizeof(double)) == 0 &&
           memcmp(&p_only->log_p_value, &full->log_p_value, sizeof(double)) ==
               0;
}

#endif /* OTAPRIO_TEST_STATS_CHECK_H */
