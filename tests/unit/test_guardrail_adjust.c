/* SPDX-License-Identifier: MIT */
/*
 * The strata's order and multiple-comparison control
 * (otaprio__guard_localise) against a plain reference: a comparison sort
 * by (log p-value, row) and the adjustments with a log for every stratum,
 * bit for bit, over random log p-values chosen to share their high bytes,
 * to tie, and to be 0 (with both signs), -inf or untested (NaN).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guardrail_internal.h"
#include "stats_rank.h"
#include "unit/splitmix.h"

#define MAX_ROWS 3000

typedef struct entry {
    uint64_t key;
    uint32_t row;
} entry;

static int entry_compare(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* A log p-value: mostly in (-50, 0], some sharing the high 32 bits of a
 * few bases (runs for the low bytes' sort, short and long), repeats of
 * earlier values, zeros of both signs, -inf, and NaN (untested). */
static double draw(uint64_t *state, const double *earlier, size_t count,
                   const double *bases)
{
    uint32_t kind = splitmix_below(state, 100);
    if (kind < 40)
        return -50.0 * splitmix_unit(state);
    if (kind < 70) {
        uint64_t high =
            otaprio__bits_of_double(bases[splitmix_below(state, 4)]) >> 32;
        return otaprio__double_of_bits(high << 32 |
                                       (splitmix_next(state) & 0xFFFFFFFF));
    }
    if (kind < 80 && count > 0)
        return earlier[splitmix_below(state, (uint32_t)count)];
    if (kind < 85)
        return 0.0;
    if (kind < 90)
        return -0.0;
    if (kind < 93)
        return -HUGE_VAL;
    if (kind < 97)
        return (double)NAN;
    return -1e-300 * (double)(1 + splitmix_below(state, 3));
}

/* The reference: the order and the adjusted values as localise documents
 * them, each adjustment with its own log. */
static void reference(const double *log_p, size_t rows, int32_t method,
                      uint32_t *order, double *adjusted)
{
    entry *tested = calloc(rows, sizeof *tested);
    assert_non_null(tested);
    size_t n = 0;
    for (size_t r = 0; r < rows; r++) {
        if (!isnan(log_p[r])) {
            tested[n].key = otaprio__order_key(log_p[r] + 0.0);
            tested[n].row = (uint32_t)r;
            n++;
        }
    }
    qsort(tested, n, sizeof *tested, entry_compare);
    double m = (double)n;
    if (method == OTAPRIO_GUARD_BENJAMINI_HOCHBERG) {
        double running = 0.0;
        for (size_t j = n; j-- > 0;) {
            double value = log_p[tested[j].row] + log(m / (double)(j + 1));
            running = fmin(running, fmin(0.0, value));
            adjusted[tested[j].row] = running;
        }
    } else {
        double running = -HUGE_VAL;
        for (size_t j = 0; j < n; j++) {
            double value = log_p[tested[j].row];
            if (method == OTAPRIO_GUARD_HOLM) {
                value = fmin(0.0, value + log(m - (double)j));
                running = fmax(running, value);
                value = running;
            }
            adjusted[tested[j].row] = value;
        }
    }
    size_t at = 0;
    for (size_t j = 0; j < n; j++)
        order[at++] = tested[j].row;
    for (size_t r = 0; r < rows; r++) {
        if (isnan(log_p[r])) {
            adjusted[r] = (double)NAN;
            order[at++] = (uint32_t)r;
        }
    }
    free(tested);
}

static void matches_reference(void **state)
{
    (void)state;
    static double log_p[MAX_ROWS], adjusted[MAX_ROWS], want[MAX_ROWS];
    static uint32_t order[2 * MAX_ROWS], want_order[MAX_ROWS];
    static uint64_t keys[2 * MAX_ROWS];
    static otaprio_guard_stratum strata[MAX_ROWS];
    otaprio__guard_scratch scratch = {log_p, adjusted, order, keys, strata};
    static const size_t sizes[] = {1, 2, 3, 16, 17, 40, 257, 1000, MAX_ROWS};
    static const int32_t methods[] = {OTAPRIO_GUARD_HOLM,
                                      OTAPRIO_GUARD_BENJAMINI_HOCHBERG,
                                      OTAPRIO_GUARD_UNCORRECTED};
    uint64_t seed = 42;
    for (int trial = 0; trial < 60; trial++) {
        size_t rows = sizes[(size_t)trial % (sizeof sizes / sizeof *sizes)];
        double bases[4];
        for (int b = 0; b < 4; b++)
            bases[b] = -10.0 * splitmix_unit(&seed);
        for (size_t r = 0; r < rows; r++)
            log_p[r] = draw(&seed, log_p, r, bases);
        for (size_t k = 0; k < 3; k++) {
            int32_t method = methods[k];
            size_t tested = 0;
            otaprio__guard_localise(&scratch, method, rows, &tested);
            reference(log_p, rows, method, want_order, want);
            for (size_t r = 0; r < rows; r++) {
                if (order[r] != want_order[r])
                    fail_msg("trial %d, method %d: place %zu holds row %u, "
                             "want %u",
                             trial, (int)method, r, order[r], want_order[r]);
                uint64_t got = otaprio__bits_of_double(adjusted[r]),
                         exp = otaprio__bits_of_double(want[r]);
                if (got != exp && !(isnan(adjusted[r]) && isnan(want[r])))
                    fail_msg("trial %d, method %d, row %zu: adjusted %a, "
                             "want %a",
                             trial, (int)method, r, adjusted[r], want[r]);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
