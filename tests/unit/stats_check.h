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

#endif /* OTAPRIO_TEST_STATS_CHECK_H */
