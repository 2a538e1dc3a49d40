/* SPDX-License-Identifier: MIT */
/*
 * Seats per stratum and wave (src/cohort_allocate.c): known answers worked
 * out by hand from the rule (largest remainders bounded below by the last
 * wave: docs/cohort.md, "Allocation"), a slow reference that follows the
 * text seat by seat (scanning every stratum for each seat), random
 * problems checked against it and against the properties the rule
 * promises (totals, nesting, limits, caps, minimums, within one seat of
 * the share when no bound binds, plain largest remainders for one wave),
 * the Alabama paradox plain largest remainders fall into and the bound
 * escapes, and every allocation failure.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "cohort_internal.h"
#include "splitmix.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void *xcalloc(size_t count, size_t size)
{
    void *block = calloc(count != 0 ? count : 1, size);
    assert_non_null(block);
    return block;
}

/* ---- a problem: a setup by hand, strata, eligible counts --------------- */

typedef struct problem {
    otaprio__cohort_setup setup;
    size_t n;           /* strata, by increasing id */
    uint64_t *ids;      /* [n] */
    uint64_t *eligible; /* [n * waves], h * waves + k */
} problem;

/* Seats, targets and shortfalls of every canary wave. */
typedef struct answer {
    uint64_t *seats; /* [n * waves] */
    uint64_t targets[OTAPRIO_COHORT_MAX_WAVES];
    uint64_t short_of_minimum[OTAPRIO_COHORT_MAX_WAVES];
} answer;

static void problem_start(problem *p, int32_t method, uint32_t dimensions,
                          const uint32_t *cardinalities, uint32_t waves,
                          const double *fractions, uint32_t minimum)
{
    memset(p, 0, sizeof *p);
    otaprio__cohort_setup *s = &p->setup;
    s->method = method;
    s->dimension_count = dimensions;
    s->width = dimensions > 0 ? dimensions : 1;
    uint64_t radix = 1;
    for (uint32_t d = 0; d < dimensions; d++) {
        s->cardinalities[d] = cardinalities[d];
        s->radix[d] = radix;
        radix *= cardinalities[d];
    }
    s->stratum_space = radix;
    s->wave_count = waves;
    s->canary_count = waves;
    for (uint32_t k = 0; k < waves; k++)
        s->waves[k] = fractions[k];
    s->minimum = minimum;
    s->retain = 1;
    s->cap_dimension = -1;
}

/* `eligible` is [n * waves], h * waves + k. */
static void problem_strata(problem *p, size_t n, const uint64_t *ids,
                           const uint64_t *eligible)
{
    size_t waves = p->setup.canary_count;
    p->n = n;
    p->ids = xcalloc(n, sizeof *p->ids);
    p->eligible = xcalloc(n * waves, sizeof *p->eligible);
    if (n > 0)
        memcpy(p->ids, ids, n * sizeof *ids);
    if (n * waves > 0)
        memcpy(p->eligible, eligible, n * waves * sizeof *eligible);
}

/* The same eligible counts at every wave. */
static void problem_flat(problem *p, size_t n, const uint64_t *ids,
                         const uint64_t *eligible)
{
    size_t waves = p->setup.canary_count;
    uint64_t *all = xcalloc(n * waves, sizeof *all);
    for (size_t h = 0; h < n; h++)
        for (size_t k = 0; k < waves; k++)
            all[h * waves + k] = eligible[h];
    problem_strata(p, n, ids, all);
    free(all);
}

static void problem_sd(problem *p, const double *sd)
{
    p->setup.sd = xcalloc(p->setup.stratum_space, sizeof *p->setup.sd);
    memcpy(p->setup.sd, sd, p->setup.stratum_space * sizeof *sd);
}

static void problem_caps(problem *p, uint32_t dimension, const uint64_t *caps)
{
    uint32_t codes = p->setup.cardinalities[dimension];
    p->setup.cap_dimension = (int32_t)dimension;
    p->setup.caps = xcalloc(codes, sizeof *p->setup.caps);
    memcpy(p->setup.caps, caps, codes * sizeof *caps);
}

static void problem_free(problem *p)
{
    free(p->ids);
    free(p->eligible);
    free(p->setup.sd);
    free(p->setup.caps);
}

static answer answer_make(const problem *p)
{
    answer a;
    memset(&a, 0, sizeof a);
    a.seats = xcalloc(p->n * p->setup.canary_count, sizeof *a.seats);
    return a;
}

static uint64_t seat(const problem *p, const answer *a, size_t h, uint32_t k)
{
    return a->seats[h * p->setup.canary_count + k];
}

static uint64_t eligible(const problem *p, size_t h, uint32_t k)
{
    return p->eligible[h * p->setup.canary_count + k];
}

static otaprio__allocation allocation_of(const problem *p, answer *a)
{
    otaprio__allocation al = {&p->setup,          p->n,     p->ids,
                              p->eligible,        a->seats, a->targets,
                              a->short_of_minimum};
    return al;
}

/* The library's answer. */
static answer solve(const problem *p)
{
    answer a = answer_make(p);
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, NULL, NULL), OTAPRIO_OK);
    otaprio__allocation al = allocation_of(p, &a);
    assert_int_equal(otaprio__cohort_allocate(&al, &mem, NULL), OTAPRIO_OK);
    return a;
}

/* ---- the slow reference ------------------------------------------------- */

static uint64_t code_of(const otaprio__cohort_setup *s, uint64_t id)
{
    uint32_t d = (uint32_t)s->cap_dimension;
    return (id / s->radix[d]) % s->cardinalities[d];
}

/* The share q_h of the rule: ((double)n * w_h) / W, 0 when W is; one that
 * is not a number (an infinite weight) is read as +inf, as
 * src/cohort_allocate.c says. */
static double share_of(uint64_t target, double weight, double total)
{
    double q = total == 0 ? 0 : ((double)target * weight) / total;
    return isnan(q) ? (double)INFINITY : q;
}

/* floor(q) as a count (q >= 0). */
static uint64_t floor_of(double q)
{
    return q < 18446744073709551616.0 ? (uint64_t)floor(q) : UINT64_MAX;
}

/* The allocation rule (docs/cohort.md, "Allocation": largest remainders
 * bounded below by the previous wave) read literally, step by step: the
 * minimum phase one seat at a time; the shares; the floors within the
 * bounds; then caps, too many and too few one seat at a time, every
 * stratum scanned for each seat; ties by the ids themselves. */
static answer slow_solve(const problem *p)
{
    const otaprio__cohort_setup *s = &p->setup;
    answer a = answer_make(p);
    size_t n = p->n;
    uint64_t *cur = xcalloc(n, sizeof *cur);
    uint64_t *lo = xcalloc(n, sizeof *lo);
    double *weight = xcalloc(n, sizeof *weight);
    double *q = xcalloc(n, sizeof *q);
    size_t *order = xcalloc(n, sizeof *order);
    uint64_t codes =
        s->cap_dimension >= 0 ? s->cardinalities[s->cap_dimension] : 1;
    uint64_t *held = xcalloc(codes, sizeof *held);
    for (uint32_t k = 0; k < s->canary_count; k++) {
        uint64_t total = 0, sum = 0;
        for (size_t h = 0; h < n; h++) {
            total += eligible(p, h, k);
            sum += cur[h];
            weight[h] = (double)eligible(p, h, k);
            if (s->method == OTAPRIO_COHORT_NEYMAN)
                weight[h] = weight[h] * s->sd[p->ids[h]];
        }
        uint64_t target = (uint64_t)floor(s->waves[k] * (double)total + 0.5);
        a.targets[k] = target;
#define CODE(h) (s->cap_dimension >= 0 ? code_of(s, p->ids[h]) : 0)
#define CAN_TAKE(h)                \
    (cur[h] < eligible(p, h, k) && \
     (s->cap_dimension < 0 || held[CODE(h)] < s->caps[CODE(h)]))
        /* 1, 2. Seats start at the last wave's; the minimum phase. */
        if (s->minimum > 0) {
            for (size_t c = 0; c < codes; c++)
                held[c] = 0;
            for (size_t h = 0; h < n; h++)
                held[CODE(h)] += cur[h];
            /* Insertion sort by decreasing weight, then increasing id. */
            for (size_t i = 0; i < n; i++) {
                size_t j = i;
                while (j > 0 && (weight[order[j - 1]] < weight[i] ||
                                 (weight[order[j - 1]] == weight[i] &&
                                  p->ids[order[j - 1]] > p->ids[i]))) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = i;
            }
            for (size_t i = 0; i < n; i++) {
                size_t h = order[i];
                uint64_t e = eligible(p, h, k);
                uint64_t want = s->minimum < e ? s->minimum : e;
                while (cur[h] < want && CAN_TAKE(h) && sum < target) {
                    cur[h]++;
                    held[CODE(h)]++;
                    sum++;
                }
            }
        }
        /* 3. Shares, W summed in increasing id. */
        double w_total = 0;
        for (size_t h = 0; h < n; h++)
            w_total += weight[h];
        /* 4. Floors within the bounds. */
        sum = 0;
        for (size_t c = 0; c < codes; c++)
            held[c] = 0;
        for (size_t h = 0; h < n; h++) {
            lo[h] = cur[h];
            q[h] = share_of(target, weight[h], w_total);
            uint64_t f = floor_of(q[h]);
            uint64_t at_least = lo[h] > f ? lo[h] : f;
            cur[h] =
                at_least < eligible(p, h, k) ? at_least : eligible(p, h, k);
            sum += cur[h];
            held[CODE(h)] += cur[h];
        }
        /* 5, 6. Taking back: the largest excess, ties to the larger id;
         * first inside each code above its cap, then everywhere. */
        for (uint64_t c = 0; c <= codes; c++) {
            bool everywhere = c == codes;
            if (!everywhere && s->cap_dimension < 0)
                continue;
            while (everywhere ? sum > target : held[c] > s->caps[c]) {
                size_t best = n;
                double best_excess = 0;
                for (size_t h = 0; h < n; h++) {
                    if (cur[h] <= lo[h] || (!everywhere && CODE(h) != c))
                        continue;
                    double excess = (double)cur[h] - q[h];
                    if (best == n || excess > best_excess ||
                        (excess == best_excess && p->ids[h] > p->ids[best])) {
                        best = h;
                        best_excess = excess;
                    }
                }
                if (best == n)
                    break;
                cur[best]--;
                held[CODE(best)]--;
                sum--;
            }
        }
        /* 7. Giving: the largest deficit, ties to the smaller id. */
        while (sum < target) {
            size_t best = n;
            double best_deficit = 0;
            for (size_t h = 0; h < n; h++) {
                if (!CAN_TAKE(h))
                    continue;
                double deficit = q[h] - (double)cur[h];
                if (best == n || deficit > best_deficit ||
                    (deficit == best_deficit && p->ids[h] < p->ids[best])) {
                    best = h;
                    best_deficit = deficit;
                }
            }
            if (best == n)
                break;
            cur[best]++;
            held[CODE(best)]++;
            sum++;
        }
#undef CAN_TAKE
#undef CODE
        uint64_t shortfall = 0;
        for (size_t h = 0; h < n; h++) {
            uint64_t e = eligible(p, h, k);
            uint64_t want = s->minimum < e ? s->minimum : e;
            shortfall += e > 0 && cur[h] < want;
            a.seats[h * s->canary_count + k] = cur[h];
        }
        a.short_of_minimum[k] = shortfall;
    }
    free(cur);
    free(lo);
    free(weight);
    free(q);
    free(order);
    free(held);
    return a;
}

static void assert_answers_equal(const problem *p, const answer *x,
                                 const answer *y)
{
    uint32_t waves = p->setup.canary_count;
    assert_memory_equal(x->targets, y->targets, waves * sizeof *x->targets);
    assert_memory_equal(x->short_of_minimum, y->short_of_minimum,
                        waves * sizeof *x->short_of_minimum);
    assert_memory_equal(x->seats, y->seats, p->n * waves * sizeof *x->seats);
}

/* Wave k's seats are `expected`, one per stratum. */
static void assert_wave(const problem *p, const answer *a, uint32_t k,
                        const uint64_t *expected)
{
    for (size_t h = 0; h < p->n; h++)
        assert_int_equal(seat(p, a, h, k), expected[h]);
}

/* Checks the library's answer against the slow reference, and returns
 * it. */
static answer solve_checked(const problem *p)
{
    answer fast = solve(p), slow = slow_solve(p);
    assert_answers_equal(p, &fast, &slow);
    free(slow.seats);
    return fast;
}

/* ---- known answers ------------------------------------------------------ */

static const uint32_t one_dimension_of_8[] = {8};

/* Strata 2 and 5 with 5 devices each, 5 seats: shares 2.5 and 2.5, floors
 * 2 and 2, and the fifth seat goes to the tied deficit of 0.5 with the
 * smaller id: 3, 2. */
static void a_tie_goes_to_the_smaller_id(void **state)
{
    (void)state;
    problem p;
    const double waves[] = {0.5};
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, one_dimension_of_8, 1,
                  waves, 0);
    const uint64_t ids[] = {2, 5}, e[] = {5, 5};
    problem_flat(&p, 2, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 5);
    const uint64_t expected[] = {3, 2};
    assert_wave(&p, &a, 0, expected);
    free(a.seats);
    problem_free(&p);
}

/*
 * Minimum 2, eligible 20, 20, 2, 2 (ids 0 .. 3), 11 seats (F = 0.25). The
 * minimum phase gives 2 each (8 seats): the lower bounds. Shares 220/44 =
 * 5, 5 and 22/44 = 0.5, 0.5; floors 5, 5, 0, 0, held at 2 for ids 2 and
 * 3: 14 seats, 3 too many. Only ids 0 and 1 are above their bounds: id 1
 * gives first (excess 0 both, the larger id), then id 0 (0 against -1),
 * then id 1 again (-1 both): 4, 3, 2, 2.
 */
static void a_removal_tie_goes_to_the_larger_id(void **state)
{
    (void)state;
    problem p;
    const uint32_t cards[] = {4};
    const double waves[] = {0.25};
    problem_start(&p, OTAPRIO_COHORT_MINIMUM_COVERAGE, 1, cards, 1, waves, 2);
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {20, 20, 2, 2};
    problem_flat(&p, 4, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 11);
    const uint64_t expected[] = {4, 3, 2, 2};
    assert_wave(&p, &a, 0, expected);
    assert_int_equal(a.short_of_minimum[0], 0);
    free(a.seats);
    problem_free(&p);
}

/*
 * The Alabama paradox. Eligible 6, 6, 2 (ids 0, 1, 2) of 14. Plain largest
 * remainders give 10 seats as 4, 4, 2 (shares 4.29, 4.29, 1.43: floors 4,
 * 4, 1 and the largest remainder, 0.43, to id 2) and 11 seats as 5, 5, 1
 * (shares 4.71, 4.71, 1.57: floors 4, 4, 1 and two seats to the
 * remainders 0.71): id 2 loses a seat as the total grows. One wave at a
 * time from nothing, the rule is plain largest remainders and does just
 * that. As nested waves, 11 starts from 10's 4, 4, 2: floors 4, 4, 1 held
 * at 4, 4, 2, and the last seat to the largest deficit, id 0's 0.71: 5,
 * 4, 2.
 */
static const uint64_t alabama_ids[] = {0, 1, 2}, alabama_eligible[] = {6, 6, 2};

static answer alabama(uint32_t waves, const double *fractions)
{
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, one_dimension_of_8, waves,
                  fractions, 0);
    problem_flat(&p, 3, alabama_ids, alabama_eligible);
    answer a = solve_checked(&p);
    problem_free(&p);
    return a;
}

static void the_bound_escapes_the_alabama_paradox(void **state)
{
    (void)state;
    const double ten[] = {10.0 / 14.0}, eleven[] = {11.0 / 14.0};
    answer a = alabama(1, ten);
    assert_int_equal(a.targets[0], 10);
    assert_int_equal(a.seats[0], 4);
    assert_int_equal(a.seats[1], 4);
    assert_int_equal(a.seats[2], 2);
    free(a.seats);
    a = alabama(1, eleven);
    assert_int_equal(a.targets[0], 11);
    assert_int_equal(a.seats[0], 5);
    assert_int_equal(a.seats[1], 5);
    assert_int_equal(a.seats[2], 1); /* the paradox, from nothing */
    free(a.seats);

    const double both[] = {10.0 / 14.0, 11.0 / 14.0};
    a = alabama(2, both);
    /* seats[h * 2 + k] */
    assert_int_equal(a.seats[0 * 2 + 0], 4);
    assert_int_equal(a.seats[1 * 2 + 0], 4);
    assert_int_equal(a.seats[2 * 2 + 0], 2);
    assert_int_equal(a.seats[0 * 2 + 1], 5);
    assert_int_equal(a.seats[1 * 2 + 1], 4);
    assert_int_equal(a.seats[2 * 2 + 1], 2);
    free(a.seats);
}

/*
 * Thirteen waves of 1 .. 13 seats on the same strata, worked out wave by
 * wave (shares n * 6/14, n * 6/14, n * 2/14; floors held at the last
 * wave's seats; the rest by deficit, ties to the smaller id):
 *
 *   n   1  2  3  4  5  6  7  8  9  10 11 12 13
 *   id0 1  1  1  2  2  3  3  4  4  4  5  5  6
 *   id1 0  1  1  1  2  2  3  3  4  4  4  5  5
 *   id2 0  0  1  1  1  1  1  1  1  2  2  2  2
 *
 * Every row only grows; each seat is within one of its share.
 */
static void the_alabama_example_stays_monotone_across_waves(void **state)
{
    (void)state;
    double fractions[13];
    for (uint32_t k = 0; k < 13; k++)
        fractions[k] = (double)(k + 1) / 14.0;
    answer a = alabama(13, fractions);
    static const uint64_t rows[3][13] = {
        {1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6},
        {0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5},
        {0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2},
    };
    for (uint32_t k = 0; k < 13; k++) {
        assert_int_equal(a.targets[k], k + 1);
        for (size_t h = 0; h < 3; h++) {
            uint64_t got = a.seats[h * 13 + k];
            assert_int_equal(got, rows[h][k]);
            if (k > 0)
                assert_true(got >= a.seats[h * 13 + k - 1]);
            double share = (double)(k + 1) * (double)alabama_eligible[h] / 14;
            assert_true(fabs((double)got - share) < 1);
        }
    }
    free(a.seats);
}

/*
 * Neyman: strata 1 and 3 (of 4 ids) with 10 devices each and standard
 * deviations 1 and 3 (sd is indexed by stratum id: ids 0 and 2 carry
 * decoys). Weights 10 and 30, 9 seats: shares 2.25 and 6.75, floors 2 and
 * 6, the last seat to id 3's deficit of 0.75: 2, 7. Proportional: shares
 * 4.5 and 4.5, the tie to id 1: 5, 4.
 */
static void neyman_weighs_by_standard_deviation(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {0.45};
    const uint64_t ids[] = {1, 3}, e[] = {10, 10};
    const double sd[] = {1000, 1, 1000, 3};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 1, waves, 0);
    problem_flat(&p, 2, ids, e);
    problem_sd(&p, sd);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 9);
    const uint64_t neyman[] = {2, 7}, proportional[] = {5, 4};
    assert_wave(&p, &a, 0, neyman);
    free(a.seats);

    /* The same setup read as proportional ignores sd. */
    p.setup.method = OTAPRIO_COHORT_PROPORTIONAL;
    a = solve_checked(&p);
    assert_wave(&p, &a, 0, proportional);
    free(a.seats);
    problem_free(&p);
}

/*
 * Caps: two dimensions of 2 codes, four strata of 10, 20 seats, shares 5
 * each and floors 5, 5, 5, 5. Capping code 0 of dimension 0 (ids 0 and 2)
 * at 3 takes 7 of its 10 seats back, by excess, ties to the larger id: id
 * 2, id 0, id 2, ... to 2 and 1. The 7 seats are given back to ids 1 and
 * 3, by deficit, ties to the smaller id: id 1, id 3, id 1, ... to 9 and
 * 8: 2, 9, 1, 8. Capping code 0 of dimension 1 (ids 0 and 1) at 3 instead:
 * ids 1, 0, 1, ... give to 2 and 1, ids 2 and 3 take 9 and 8: 2, 1, 9, 8.
 */
static void caps_take_seats_back(void **state)
{
    (void)state;
    const uint32_t cards[] = {2, 2};
    const double waves[] = {0.5};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {10, 10, 10, 10};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 2, cards, 1, waves, 0);
    problem_flat(&p, 4, ids, e);
    const uint64_t caps0[] = {3, 100};
    problem_caps(&p, 0, caps0);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 20);
    const uint64_t first[] = {2, 9, 1, 8};
    assert_wave(&p, &a, 0, first);
    free(a.seats);
    free(p.setup.caps);

    const uint64_t caps1[] = {3, UINT64_MAX};
    problem_caps(&p, 1, caps1);
    a = solve_checked(&p);
    const uint64_t second[] = {2, 1, 9, 8};
    assert_wave(&p, &a, 0, second);
    free(a.seats);
    problem_free(&p);
}

/* Caps that leave too few seats: floors 9 and 9 come down to the caps 3
 * and 4, and no stratum can take the rest: the sum stops short of the
 * target. */
static void caps_can_leave_the_target_short(void **state)
{
    (void)state;
    const uint32_t cards[] = {2};
    const double waves[] = {0.9};
    const uint64_t ids[] = {0, 1}, e[] = {10, 10};
    const uint64_t caps[] = {3, 4};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, cards, 1, waves, 0);
    problem_flat(&p, 2, ids, e);
    problem_caps(&p, 0, caps);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 18);
    const uint64_t expected[] = {3, 4};
    assert_wave(&p, &a, 0, expected);
    free(a.seats);
    problem_free(&p);
}

/*
 * Minimum 2, eligible 1, 50, 3, 7, 0 (ids 0 .. 4), 5 seats (F = 5/61).
 * By decreasing weight: id 1 takes 2, id 3 takes 2, id 2 takes 1 and the
 * target is reached. Floors 0, 4, 0, 0, 0 (shares 0.08, 4.10, 0.25, 0.57,
 * 0) held at those bounds are 0, 4, 1, 2, 0: id 1, the only one above its
 * bound, gives 2 back: 0, 2, 1, 2, 0. Ids 0 and 2 are short of their
 * minimum (min(2, 1) = 1 and 2); id 4 has no eligible device and is not.
 */
static void a_minimum_the_wave_cannot_cover(void **state)
{
    (void)state;
    const uint32_t cards[] = {5};
    const double waves[] = {5.0 / 61.0};
    const uint64_t ids[] = {0, 1, 2, 3, 4}, e[] = {1, 50, 3, 7, 0};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_MINIMUM_COVERAGE, 1, cards, 1, waves, 2);
    problem_flat(&p, 5, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 5);
    const uint64_t expected[] = {0, 2, 1, 2, 0};
    assert_wave(&p, &a, 0, expected);
    assert_int_equal(a.short_of_minimum[0], 2);
    free(a.seats);
    problem_free(&p);
}

/*
 * Minimum 1, eligible 1, 50, 3, 7 and 35 seats (F = 35/61): the minimum
 * phase gives one seat each (in the order 1, 3, 2, 0). Shares 0.57, 28.69,
 * 1.72, 4.02; floors 0, 28, 1, 4, id 0's held at 1: 34 seats. The last
 * goes to the largest deficit: id 2's 0.72 (id 1's 0.69, id 3's 0.02, id
 * 0's -0.43): 1, 28, 2, 4.
 */
static void a_minimum_then_the_remainders(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {35.0 / 61.0};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {1, 50, 3, 7};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_MINIMUM_COVERAGE, 1, cards, 1, waves, 1);
    problem_flat(&p, 4, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 35);
    const uint64_t expected[] = {1, 28, 2, 4};
    assert_wave(&p, &a, 0, expected);
    assert_int_equal(a.short_of_minimum[0], 0);
    free(a.seats);
    problem_free(&p);
}

/*
 * Wave 1 starts from wave 0's seats. Neyman, standard deviations 1, 10,
 * 10; strata 1 and 2 join at wave 1: eligible 10, 0, 0 then 10, 10, 10; F
 * = 0.5, 0.6. Wave 0: 5 seats, all stratum 0's. Wave 1: 18 seats,
 * weights 10, 100, 100, shares 180/210 = 0.86 and 1800/210 = 8.57 twice;
 * floors 0, 8, 8 with stratum 0 held at 5: 21 seats, 3 too many. Stratum
 * 0 is at its bound; ids 2, 1, 2 give (excess -0.57 tied, then -0.57
 * against -1.57, then -1.57 tied): 5, 7, 6.
 */
static void a_last_wave_bounds_the_next_from_below(void **state)
{
    (void)state;
    const uint32_t cards[] = {3};
    const double waves[] = {0.5, 0.6};
    const uint64_t ids[] = {0, 1, 2}, e[] = {10, 10, 0, 10, 0, 10};
    const double sd[] = {1, 10, 10};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 2, waves, 0);
    problem_strata(&p, 3, ids, e);
    problem_sd(&p, sd);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 5);
    assert_int_equal(a.targets[1], 18);
    const uint64_t first[] = {5, 0, 0}, second[] = {5, 7, 6};
    assert_wave(&p, &a, 0, first);
    assert_wave(&p, &a, 1, second);
    free(a.seats);
    problem_free(&p);
}

/* A target of every eligible device gives each stratum all of its own,
 * and a cap that binds then keeps its code below it: minimum phase 1, 1,
 * 0; floors 3, 1, 0; id 0 gives one back to its cap of 2 and nobody can
 * take it. */
static void a_wave_of_everything(void **state)
{
    (void)state;
    const uint32_t cards[] = {3};
    const double waves[] = {0.99};
    const uint64_t ids[] = {0, 1, 2}, e[] = {3, 1, 0};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_MINIMUM_COVERAGE, 1, cards, 1, waves, 1);
    problem_flat(&p, 3, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 4);
    const uint64_t all[] = {3, 1, 0};
    assert_wave(&p, &a, 0, all);
    free(a.seats);

    const uint64_t caps[] = {2, 5, 0};
    problem_caps(&p, 0, caps);
    a = solve_checked(&p);
    const uint64_t capped[] = {2, 1, 0};
    assert_wave(&p, &a, 0, capped);
    free(a.seats);
    problem_free(&p);
}

/*
 * Zero weights. Standard deviations 0, 1, 0, 1, ten devices each, F =
 * 0.5 then 0.75. Wave 0: 20 seats, shares 0, 10, 0, 10, the floors. Wave
 * 1: 30 seats, shares 0, 15, 0, 15, floors held at 10 devices: the 10 left
 * go by deficit to the zero shares, 0 - s, ties to the smaller id: 5 and
 * 5. With every weight 0, W is 0 and every share 0: 16 seats go round
 * the strata from the smallest id, 6, 5, 5.
 */
static void zero_weights(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {0.5, 0.75};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {10, 10, 10, 10};
    const double sd[] = {0, 1, 0, 1};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 2, waves, 0);
    problem_flat(&p, 4, ids, e);
    problem_sd(&p, sd);
    answer a = solve_checked(&p);
    const uint64_t first[] = {0, 10, 0, 10}, second[] = {5, 10, 5, 10};
    assert_wave(&p, &a, 0, first);
    assert_wave(&p, &a, 1, second);
    free(a.seats);
    problem_free(&p);

    const double sixteen[] = {16.0 / 30.0}, zero[] = {0, 0, 0, 0};
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 1, sixteen, 0);
    problem_flat(&p, 3, ids, e);
    problem_sd(&p, zero);
    a = solve_checked(&p);
    assert_int_equal(a.targets[0], 16);
    const uint64_t round[] = {6, 5, 5};
    assert_wave(&p, &a, 0, round);
    free(a.seats);
    problem_free(&p);
}

/*
 * Infinite weights (a huge standard deviation times the count): W is
 * +inf, a finite weight's share 0 and an infinite one's inf / inf, read as
 * +inf. Standard deviations 0, DBL_MAX, 1, DBL_MAX, ten devices each.
 * Wave 0, 10 seats: floors 0, 10, 0, 10, and ids 3 then 1 give back (an
 * excess of -inf each, ties to the larger id): id 3 gives all ten, 0, 10,
 * 0, 0. Wave 1, 20 seats: the floors, 0, 10, 0, 10. Wave 2, 36 seats: the
 * 16 left go to ids 0 and 2 (deficit 0 - s each, alternately): 8, 10, 8,
 * 10.
 */
static void infinite_weights(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {0.25, 0.5, 0.9};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {10, 10, 10, 10};
    const double sd[] = {0, DBL_MAX, 1, DBL_MAX};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 3, waves, 0);
    problem_flat(&p, 4, ids, e);
    problem_sd(&p, sd);
    answer a = solve_checked(&p);
    const uint64_t first[] = {0, 10, 0, 0}, second[] = {0, 10, 0, 10},
                   third[] = {8, 10, 8, 10};
    assert_wave(&p, &a, 0, first);
    assert_wave(&p, &a, 1, second);
    assert_wave(&p, &a, 2, third);
    free(a.seats);
    problem_free(&p);
}

/* Many strata tied at an infinite share, far more seats than strata: the
 * heap moves each stratum's seats in one run (44.8 million seats one at a
 * time otherwise), and the smaller ids keep theirs. */
static void infinite_shares_move_in_runs(void **state)
{
    (void)state;
    enum { STRATA = 64 };
    const uint32_t cards[] = {STRATA};
    const double waves[] = {0.3};
    uint64_t ids[STRATA], e[STRATA];
    double sd[STRATA];
    for (size_t h = 0; h < STRATA; h++) {
        ids[h] = h;
        e[h] = 1000000;
        sd[h] = DBL_MAX;
    }
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 1, waves, 0);
    problem_flat(&p, STRATA, ids, e);
    problem_sd(&p, sd);
    answer a = solve(&p);
    /* 19,200,000 seats: every share +inf, floors 1,000,000 each; the
     * larger ids give back first, down to 0: ids 0 .. 18 keep all, id 19
     * keeps 200,000. */
    assert_int_equal(a.targets[0], 19200000);
    for (size_t h = 0; h < STRATA; h++)
        assert_int_equal(seat(&p, &a, h, 0), h < 19    ? 1000000
                                             : h == 19 ? 200000
                                                       : 0);
    free(a.seats);
    problem_free(&p);
}

/*
 * A code's cap ends a run. Every weight 0, so every share is 0 and the
 * deficits are -s. Wave 0 (eligible 0, 4, 4; 2 seats) gives ids 1 and 2
 * one each. Wave 1 (eligible 10, 4, 4; 5 seats): 3 to give, no more than
 * the strata, so the heap gives them. Id 0 (deficit 0) goes first, and
 * its seats at 0 and -1 both come before id 1's -1 (the tie to the
 * smaller id), but its code's cap of 1 ends the run at one; then ids 1
 * and 2 (-1 each, the smaller id first): 1, 2, 2.
 */
static void a_cap_ends_a_run(void **state)
{
    (void)state;
    const uint32_t cards[] = {3};
    const double waves[] = {0.25, 0.3};
    const uint64_t ids[] = {0, 1, 2}, e[] = {0, 10, 4, 4, 4, 4};
    const double sd[] = {0, 0, 0};
    const uint64_t caps[] = {1, 100, 100};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 2, waves, 0);
    problem_strata(&p, 3, ids, e);
    problem_sd(&p, sd);
    problem_caps(&p, 0, caps);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 2);
    assert_int_equal(a.targets[1], 5);
    const uint64_t first[] = {0, 1, 1}, second[] = {1, 2, 2};
    assert_wave(&p, &a, 0, first);
    assert_wave(&p, &a, 1, second);
    free(a.seats);
    problem_free(&p);
}

static void no_strata_and_no_waves(void **state)
{
    (void)state;
    problem p;
    const double waves[] = {0.5};
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 0, NULL, 1, waves, 1);
    problem_flat(&p, 0, NULL, NULL);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 0);
    assert_int_equal(a.short_of_minimum[0], 0);
    free(a.seats);
    problem_free(&p);

    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 0, NULL, 0, NULL, 0);
    const uint64_t ids[] = {0}, e[] = {7};
    problem_flat(&p, 1, ids, e);
    a = solve_checked(&p);
    free(a.seats);
    problem_free(&p);
}

/* ---- random problems ---------------------------------------------------- */

typedef struct shape {
    uint64_t seed;
    bool caps;            /* whether caps may appear */
    bool minimum;         /* whether a minimum may appear */
    bool neyman;          /* whether Neyman may appear */
    uint32_t waves;       /* most canary waves */
    uint64_t scale;       /* largest eligible count of a stratum */
    uint32_t cardinality; /* largest of a dimension, at most 8 */
} shape;

/* Strictly increasing fractions in (0, 1), some close to 1 so that a wave
 * can take every eligible device. */
static void random_waves(uint64_t *rng, uint32_t count, double *out)
{
    for (;;) {
        for (uint32_t k = 0; k < count; k++) {
            uint32_t pick = splitmix_below(rng, 10);
            out[k] = pick == 0 ? 0.999
                     : pick == 1
                         ? 0.5 / (1 + splitmix_below(rng, 200))
                         : (double)(1 + splitmix_below(rng, 998)) / 1000.0;
        }
        for (uint32_t i = 1; i < count; i++)
            for (uint32_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
                double t = out[j];
                out[j] = out[j - 1];
                out[j - 1] = t;
            }
        bool increasing = true;
        for (uint32_t k = 1; k < count; k++)
            increasing = increasing && out[k - 1] < out[k];
        if (increasing)
            return;
    }
}

static const double sd_choices[] = {0,   4.9e-324, 1e-310, 1e-300, 0.25, 1,
                                    2.5, 7,        1e10,   1e300,  1e307};

static problem random_problem(const shape *sh, uint64_t *rng)
{
    problem p;
    uint32_t dimensions = 1 + splitmix_below(rng, 3);
    uint32_t cards[3];
    for (uint32_t d = 0; d < dimensions; d++)
        cards[d] = 1 + splitmix_below(rng, sh->cardinality);
    uint32_t waves = 1 + splitmix_below(rng, sh->waves);
    double fractions[OTAPRIO_COHORT_MAX_WAVES];
    random_waves(rng, waves, fractions);
    int32_t method = OTAPRIO_COHORT_PROPORTIONAL;
    if (sh->neyman && splitmix_below(rng, 3) == 0)
        method = OTAPRIO_COHORT_NEYMAN;
    else if (sh->minimum && splitmix_below(rng, 2) == 0)
        method = OTAPRIO_COHORT_MINIMUM_COVERAGE;
    uint32_t minimum = 0;
    if (method == OTAPRIO_COHORT_MINIMUM_COVERAGE)
        minimum = 1 + splitmix_below(rng, 3);
    else if (sh->minimum && splitmix_below(rng, 4) == 0)
        minimum = 1 + splitmix_below(rng, 2);
    problem_start(&p, method, dimensions, cards, waves, fractions, minimum);

    /* Strata: a random subset of the ids; counts of very different
     * sizes, some zero, some rising from wave to wave. */
    uint64_t space = p.setup.stratum_space;
    uint64_t *ids = xcalloc(space, sizeof *ids);
    uint64_t *e = xcalloc(space * waves, sizeof *e);
    size_t n = 0;
    for (uint64_t id = 0; id < space; id++) {
        if (splitmix_below(rng, 4) == 0)
            continue;
        uint64_t top;
        switch (splitmix_below(rng, 6)) {
        case 0:
            top = 0;
            break;
        case 1:
            top = 1 + splitmix_below(rng, 3);
            break;
        case 2:
            top = sh->scale;
            break;
        default:
            top = splitmix_below(rng, (uint32_t)sh->scale + 1);
        }
        uint64_t at = splitmix_below(rng, 3) == 0
                          ? splitmix_below(rng, (uint32_t)top + 1)
                          : top;
        for (uint32_t k = 0; k < waves; k++) {
            if (k > 0 && at < top)
                at += splitmix_below(rng, (uint32_t)(top - at) + 1);
            e[n * waves + k] = at;
        }
        ids[n++] = id;
    }
    problem_strata(&p, n, ids, e);
    free(ids);
    free(e);

    if (method == OTAPRIO_COHORT_NEYMAN) {
        double *sd = xcalloc(space, sizeof *sd);
        bool extreme = splitmix_below(rng, 3) == 0;
        for (uint64_t id = 0; id < space; id++)
            sd[id] = extreme ? sd_choices[splitmix_below(
                                   rng, (uint32_t)COUNT(sd_choices))]
                             : 0.5 + splitmix_below(rng, 1000) / 100.0;
        problem_sd(&p, sd);
        free(sd);
    }
    if (sh->caps && splitmix_below(rng, 2) == 0) {
        uint32_t d = splitmix_below(rng, dimensions);
        uint64_t caps[8];
        for (uint32_t c = 0; c < cards[d]; c++) {
            uint32_t pick = splitmix_below(rng, 4);
            caps[c] = pick == 0 ? UINT64_MAX
                      : pick == 1
                          ? splitmix_below(rng, 4)
                          : splitmix_below(rng, (uint32_t)(sh->scale * 3) + 1);
        }
        problem_caps(&p, d, caps);
    }
    return p;
}

/* What wave k can hold at most: every eligible device, each code at most
 * its cap. */
static uint64_t capacity(const problem *p, uint32_t k)
{
    const otaprio__cohort_setup *s = &p->setup;
    if (s->cap_dimension < 0) {
        uint64_t total = 0;
        for (size_t h = 0; h < p->n; h++)
            total += eligible(p, h, k);
        return total;
    }
    uint64_t total = 0;
    for (uint64_t c = 0; c < s->cardinalities[s->cap_dimension]; c++) {
        uint64_t in_code = 0;
        for (size_t h = 0; h < p->n; h++)
            if (code_of(s, p->ids[h]) == c)
                in_code += eligible(p, h, k);
        total += in_code < s->caps[c] ? in_code : s->caps[c];
    }
    return total;
}

static double weight_of(const problem *p, size_t h, uint32_t k)
{
    double w = (double)eligible(p, h, k);
    return p->setup.method == OTAPRIO_COHORT_NEYMAN ? w * p->setup.sd[p->ids[h]]
                                                    : w;
}

/* The properties every answer has. */
static void assert_properties(const problem *p, const answer *a)
{
    const otaprio__cohort_setup *s = &p->setup;
    for (uint32_t k = 0; k < s->canary_count; k++) {
        uint64_t total = 0, sum = 0, needed = 0, shortfall = 0;
        double weights = 0;
        for (size_t h = 0; h < p->n; h++) {
            uint64_t e = eligible(p, h, k), got = seat(p, a, h, k);
            uint64_t before = k > 0 ? seat(p, a, h, k - 1) : 0;
            uint64_t want = e < s->minimum ? e : s->minimum;
            total += e;
            sum += got;
            weights += weight_of(p, h, k);
            needed += want > before ? want - before : 0;
            assert_true(got <= e);      /* no more than the eligible */
            assert_true(got >= before); /* nested */
            shortfall += e > 0 && got < want;
        }
        uint64_t target = (uint64_t)floor(s->waves[k] * (double)total + 0.5);
        assert_int_equal(a->targets[k], target);
        uint64_t room = capacity(p, k);
        assert_int_equal(sum, target < room ? target : room);
        assert_int_equal(a->short_of_minimum[k], shortfall);
        uint64_t before_sum = 0;
        for (size_t h = 0; h < p->n && k > 0; h++)
            before_sum += seat(p, a, h, k - 1);
        /* The minimum is honoured whenever the target leaves room for it
         * and no cap is in the way. */
        if (s->cap_dimension < 0 && before_sum + needed <= target)
            assert_int_equal(a->short_of_minimum[k], 0);
        if (s->cap_dimension >= 0) {
            uint32_t d = (uint32_t)s->cap_dimension;
            for (uint64_t c = 0; c < s->cardinalities[d]; c++) {
                uint64_t in_code = 0;
                for (size_t h = 0; h < p->n; h++)
                    if (code_of(s, p->ids[h]) == c)
                        in_code += seat(p, a, h, k);
                assert_true(in_code <= s->caps[c]);
            }
        }
        /* Largest remainders: with no minimum, no caps, and no bound
         * binding (the last wave's seats at most floor(q_h), the eligible
         * devices at least ceil(q_h)), every stratum holds floor(q_h) or
         * floor(q_h) + 1 seats: within one of its share. (With W 0 or
         * +inf the shares do not add up to the target.) */
        if (s->minimum > 0 || s->cap_dimension >= 0 || !(weights > 0) ||
            !isfinite(weights))
            continue;
        bool binds = false;
        for (size_t h = 0; h < p->n && !binds; h++) {
            double q = share_of(target, weight_of(p, h, k), weights);
            uint64_t before = k > 0 ? seat(p, a, h, k - 1) : 0;
            binds = !isfinite(q) || (double)before > floor(q) ||
                    ceil(q) > (double)eligible(p, h, k);
        }
        if (binds)
            continue;
        for (size_t h = 0; h < p->n; h++) {
            double q = share_of(target, weight_of(p, h, k), weights);
            uint64_t got = seat(p, a, h, k);
            assert_true(got == floor_of(q) || got == floor_of(q) + 1);
            assert_true(fabs((double)got - q) < 1);
        }
    }
}

/* Subnormal weights (the least standard deviations): shares are a few
 * multiples of the least double or far below one, and the real-number
 * estimate of a stratum's seats above a level is far off; the answer must
 * still be the reference's, seat for seat. */
static void subnormal_weights(void **state)
{
    (void)state;
    const double tiny[] = {4.9e-324, 1e-323, 1.5e-323, 5e-323, 1e-322, 1};
    uint64_t rng = 7;
    for (int i = 0; i < 60; i++) {
        uint32_t n = 2 + splitmix_below(&rng, 6);
        const uint32_t cards[] = {n};
        double waves[3];
        random_waves(&rng, 3, waves);
        uint64_t ids[8], e[8];
        double sd[8];
        for (uint32_t h = 0; h < n; h++) {
            ids[h] = h;
            e[h] = splitmix_below(&rng, 3000);
            sd[h] = tiny[splitmix_below(&rng, h == 0 ? 6 : 5)];
        }
        problem p;
        problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 3, waves, 0);
        problem_flat(&p, n, ids, e);
        problem_sd(&p, sd);
        answer a = solve_checked(&p);
        assert_properties(&p, &a);
        free(a.seats);
        problem_free(&p);
    }
}

static void run_random(const shape *sh, int problems)
{
    uint64_t rng = sh->seed;
    for (int i = 0; i < problems; i++) {
        problem p = random_problem(sh, &rng);
        answer a = solve_checked(&p);
        assert_properties(&p, &a);
        free(a.seats);
        problem_free(&p);
    }
}

static void random_small_problems_match_the_reference(void **state)
{
    (void)state;
    shape sh = {1, true, true, true, 4, 12, 4};
    run_random(&sh, 3000);
}

/* Counts well above the number of strata: caps, minimums and Neyman
 * shares above a stratum's devices make moves of more seats than strata,
 * which go at once above a level (src/cohort_allocate.c) before the heap;
 * that must not change them. */
static void random_large_problems_match_the_reference(void **state)
{
    (void)state;
    shape sh = {2, true, true, true, 3, 400, 3};
    run_random(&sh, 500);
}

/* Few strata and tens of thousands of devices each: moves of many seats
 * per stratum, over many levels. */
static void random_problems_with_large_counts(void **state)
{
    (void)state;
    shape sh = {8, true, true, true, 3, 20000, 2};
    run_random(&sh, 100);
}

/* Without caps or a minimum, and over many waves: mostly plain largest
 * remainders, checked within one of each share. */
static void random_problems_without_caps_or_minimum(void **state)
{
    (void)state;
    shape sh = {3, false, false, true, 4, 300, 3};
    run_random(&sh, 500);
}

/* One wave from nothing, no bound in the way but the eligible devices:
 * the rule is plain largest remainders. Checked here with exact integer
 * remainders (n E_h mod E) rather than doubles, for strata of very
 * different sizes: every stratum holds its floor n E_h / E or one more,
 * and every stratum with one more has a remainder at least that of every
 * stratum without (equal remainders may go either way: the doubles of
 * equal remainders of different shares can differ in their last bit). */
static void one_wave_is_plain_largest_remainders(void **state)
{
    (void)state;
    uint64_t rng = 4;
    int checked = 0;
    for (int i = 0; i < 2000; i++) {
        uint32_t n = 1 + splitmix_below(&rng, 30);
        const uint32_t cards[] = {n};
        double waves[1];
        random_waves(&rng, 1, waves);
        uint64_t ids[30], e[30], total = 0;
        for (uint32_t h = 0; h < n; h++) {
            ids[h] = h;
            e[h] = splitmix_below(&rng, 2) == 0 ? 1 + splitmix_below(&rng, 9)
                                                : splitmix_below(&rng, 2000);
            total += e[h];
        }
        problem p;
        problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, cards, 1, waves, 0);
        problem_flat(&p, n, ids, e);
        answer a = solve(&p);
        uint64_t target = a.targets[0];
        if (total > 0 && target < total) {
            uint64_t sum = 0, least_bumped = UINT64_MAX, most_left = 0;
            for (uint32_t h = 0; h < n; h++) {
                uint64_t floor_h = target * e[h] / total;
                uint64_t remainder = target * e[h] % total;
                uint64_t got = seat(&p, &a, h, 0);
                assert_true(got == floor_h || got == floor_h + 1);
                if (got > floor_h && remainder < least_bumped)
                    least_bumped = remainder;
                if (got == floor_h && remainder > most_left)
                    most_left = remainder;
                sum += got;
            }
            assert_int_equal(sum, target);
            assert_true(least_bumped == UINT64_MAX ||
                        least_bumped >= most_left);
            checked++;
        }
        free(a.seats);
        problem_free(&p);
    }
    assert_true(checked > 1500);
}

/* A larger problem than the reference can check quickly, against the
 * reference once: hundreds of strata, tens of thousands of seats, Neyman
 * weights, caps that bind. */
static void a_large_problem_matches_the_reference(void **state)
{
    (void)state;
    const uint32_t cards[] = {16, 20};
    const double waves[] = {0.01, 0.1, 0.3};
    uint64_t rng = 6;
    uint64_t ids[320], e[320 * 3];
    double sd[320];
    for (size_t h = 0; h < 320; h++) {
        ids[h] = h;
        uint64_t top =
            1 + splitmix_below(&rng, 500) * (1 + splitmix_below(&rng, 3));
        e[h * 3] = top / 2;
        e[h * 3 + 1] = top - top / 4;
        e[h * 3 + 2] = top;
        sd[h] = 0.1 + splitmix_below(&rng, 100) / 10.0;
    }
    uint64_t caps[16];
    for (size_t c = 0; c < 16; c++)
        caps[c] = c % 3 == 0 ? 2000 : UINT64_MAX;
    for (int variant = 0; variant < 3; variant++) {
        problem p;
        problem_start(&p,
                      variant == 1 ? OTAPRIO_COHORT_NEYMAN
                                   : OTAPRIO_COHORT_PROPORTIONAL,
                      2, cards, 3, waves, variant == 2 ? 3 : 0);
        problem_strata(&p, 320, ids, e);
        if (variant == 1)
            problem_sd(&p, sd);
        if (variant != 0)
            problem_caps(&p, 0, caps);
        answer a = solve_checked(&p);
        assert_properties(&p, &a);
        free(a.seats);
        problem_free(&p);
    }
}

/* ---- allocation failures ------------------------------------------------ */

typedef struct sweep {
    const problem *p;
    const answer *expected;
} sweep;

enum { POISON = 0x6B };

static int allocate_with(const otaprio_allocator *allocator, void *ctx)
{
    const sweep *sw = ctx;
    const problem *p = sw->p;
    size_t waves = p->setup.canary_count;
    answer a = answer_make(p);
    memset(a.seats, POISON, p->n * waves * sizeof *a.seats);
    memset(a.targets, POISON, sizeof a.targets);
    memset(a.short_of_minimum, POISON, sizeof a.short_of_minimum);
    otaprio__mem mem;
    assert_int_equal(otaprio__mem_resolve(&mem, allocator, NULL), OTAPRIO_OK);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    otaprio__allocation al = allocation_of(p, &a);
    int status = otaprio__cohort_allocate(&al, &mem, &diag);
    if (status == OTAPRIO_OK) {
        assert_answers_equal(p, &a, sw->expected);
    } else {
        assert_int_equal(diag.status, status);
        answer untouched = answer_make(p);
        memset(untouched.seats, POISON, p->n * waves * sizeof *a.seats);
        memset(untouched.targets, POISON, sizeof untouched.targets);
        memset(untouched.short_of_minimum, POISON,
               sizeof untouched.short_of_minimum);
        assert_answers_equal(p, &a, &untouched);
        free(untouched.seats);
    }
    free(a.seats);
    return status;
}

static void every_allocation_failure_leaves_the_outputs_untouched(void **state)
{
    (void)state;
    const uint32_t cards[] = {3, 4};
    const double waves[] = {0.2, 0.7};
    uint64_t ids[12], e[24];
    for (size_t h = 0; h < 12; h++) {
        ids[h] = h;
        e[2 * h] = 5 * h;
        e[2 * h + 1] = 7 * h;
    }
    problem p;
    problem_start(&p, OTAPRIO_COHORT_MINIMUM_COVERAGE, 2, cards, 2, waves, 1);
    problem_strata(&p, 12, ids, e);
    answer expected = slow_solve(&p);
    sweep sw = {&p, &expected};
    /* Seats, lower bounds, limits, shares, the heap. */
    assert_int_equal(alloc_fail_sweep(allocate_with, &sw, OTAPRIO_E_NOMEM), 5);
    free(expected.seats);

    /* With caps: also groups, members, and three arrays per group. */
    const uint64_t caps[] = {30, 40, 50, 60};
    problem_caps(&p, 1, caps);
    expected = slow_solve(&p);
    assert_int_equal(alloc_fail_sweep(allocate_with, &sw, OTAPRIO_E_NOMEM), 10);
    free(expected.seats);
    problem_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_tie_goes_to_the_smaller_id),
        cmocka_unit_test(a_removal_tie_goes_to_the_larger_id),
        cmocka_unit_test(the_bound_escapes_the_alabama_paradox),
        cmocka_unit_test(the_alabama_example_stays_monotone_across_waves),
        cmocka_unit_test(neyman_weighs_by_standard_deviation),
        cmocka_unit_test(caps_take_seats_back),
        cmocka_unit_test(caps_can_leave_the_target_short),
        cmocka_unit_test(a_minimum_the_wave_cannot_cover),
        cmocka_unit_test(a_minimum_then_the_remainders),
        cmocka_unit_test(a_last_wave_bounds_the_next_from_below),
        cmocka_unit_test(a_wave_of_everything),
        cmocka_unit_test(zero_weights),
        cmocka_unit_test(infinite_weights),
        cmocka_unit_test(infinite_shares_move_in_runs),
        cmocka_unit_test(a_cap_ends_a_run),
        cmocka_unit_test(subnormal_weights),
        cmocka_unit_test(no_strata_and_no_waves),
        cmocka_unit_test(random_small_problems_match_the_reference),
        cmocka_unit_test(random_large_problems_match_the_reference),
        cmocka_unit_test(random_problems_with_large_counts),
        cmocka_unit_test(random_problems_without_caps_or_minimum),
        cmocka_unit_test(one_wave_is_plain_largest_remainders),
        cmocka_unit_test(a_large_problem_matches_the_reference),
        cmocka_unit_test(every_allocation_failure_leaves_the_outputs_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
