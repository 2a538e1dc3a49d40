/* SPDX-License-Identifier: MIT */
/*
 * Multiple-comparison control across a metric's strata, in log space (a
 * stratum's p-value may underflow): Holm's step-down for the family-wise
 * error, Benjamini and Hochberg's step-up for the false discovery rate.
 */
#include <math.h>
#include <stdlib.h>

#include "guardrail_internal.h"

typedef struct ranked {
    double log_p;
    size_t index;
} ranked;

/* Ascending p-value, then input order, so ties adjust the same way on
 * every platform. */
static int by_p_then_index(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->log_p != y->log_p)
        return x->log_p < y->log_p ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

int otaprio__guard_adjust(const otaprio__mem *mem, int32_t method,
                          double *log_p, size_t n)
{
    if (method == OTAPRIO_GUARD_UNCORRECTED || n <= 1)
        return OTAPRIO_OK;
    ranked *order = NULL;
    OTAPRIO__TRY(
        otaprio__mem_zalloc_array(mem, n, sizeof *order, (void **)&order));
    for (size_t i = 0; i < n; i++)
        order[i] = (ranked){log_p[i], i};
    qsort(order, n, sizeof *order, by_p_then_index);
    double m = (double)n;
    if (method == OTAPRIO_GUARD_HOLM) {
        /* p_(j) * (m - j), made monotone from the smallest up. */
        double running = -HUGE_VAL;
        for (size_t j = 0; j < n; j++) {
            double adjusted = fmin(0.0, order[j].log_p + log(m - (double)j));
            running = fmax(running, adjusted);
            log_p[order[j].index] = running;
        }
    } else {
        /* p_(j) * m / (j + 1), made monotone from the largest down. */
        double running = 0.0;
        for (size_t j = n; j-- > 0;) {
            double adjusted =
                fmin(0.0, order[j].log_p + log(m / (double)(j + 1)));
            running = fmin(running, adjusted);
            log_p[order[j].index] = running;
        }
    }
    otaprio__mem_free(mem, order);
    return OTAPRIO_OK;
}
