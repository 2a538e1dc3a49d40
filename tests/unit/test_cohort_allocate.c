/* SPDX-License-Identifier: MIT */
/*
 * Seats per stratum and wave (src/cohort_allocate.c): known answers worked
 * out by hand from docs/cohort.md, a slow reference that follows the text
 * seat by seat (scanning every stratum for each seat), random problems
 * checked against it and against the properties the rules promise
 * (totals, nesting, limits, caps, minimums, the divisor certificate,
 * Sainte-Laguë's distance to the quota, house monotonicity), the Alabama
 * paradox a largest-remainder rounding falls into, and every allocation
 * failure.
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

/* docs/cohort.md, "Waves" and "Allocation", read literally: one seat at a
 * time, every stratum scanned for each; ties by the ids themselves. */
static answer slow_solve(const problem *p)
{
    const otaprio__cohort_setup *s = &p->setup;
    answer a = answer_make(p);
    size_t n = p->n;
    uint64_t *cur = xcalloc(n, sizeof *cur);
    double *weight = xcalloc(n, sizeof *weight);
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
#define CAN_TAKE(h)                \
    (cur[h] < eligible(p, h, k) && \
     (s->cap_dimension < 0 ||      \
      held[code_of(s, p->ids[h])] < s->caps[code_of(s, p->ids[h])]))
#define TAKE(h)                            \
    do {                                   \
        cur[h]++;                          \
        sum++;                             \
        if (s->cap_dimension >= 0)         \
            held[code_of(s, p->ids[h])]++; \
    } while (0)
        if (s->minimum > 0) {
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
                while (cur[h] < want && CAN_TAKE(h) && sum < target)
                    TAKE(h);
            }
        }
        while (sum < target) {
            size_t best = n;
            double best_priority = 0;
            for (size_t h = 0; h < n; h++) {
                if (!CAN_TAKE(h))
                    continue;
                double priority = weight[h] / ((double)cur[h] + 0.5);
                if (best == n || priority > best_priority ||
                    (priority == best_priority && p->ids[h] < p->ids[best])) {
                    best = h;
                    best_priority = priority;
                }
            }
            if (best == n)
                break;
            TAKE(best);
        }
#undef CAN_TAKE
#undef TAKE
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
    free(weight);
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

/* Strata 2 and 5 with 5 devices each, 5 seats: priorities 10, 10, 3.33,
 * 3.33, 2, 2: the fifth seat is a tie at 2 that stratum 2 wins. */
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
 * Eligible 6, 6, 2 (ids 0, 1, 2); targets 10 then 11 (F = 10/14, 11/14).
 * Priorities in order: 12 (0), 12 (1), 4 (0), 4 (1), 4 (2), 2.4 (0),
 * 2.4 (1), 1.714 (0), 1.714 (1), then 6/4.5 = 2/1.5 = 4/3 three ways,
 * correctly rounded alike: stratum 0 takes seat 10, stratum 1 seat 11.
 */
static const double alabama_waves[] = {10.0 / 14.0, 11.0 / 14.0};
static const uint64_t alabama_ids[] = {0, 1, 2}, alabama_eligible[] = {6, 6, 2};

static void a_three_way_tie_and_nested_waves(void **state)
{
    (void)state;
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, one_dimension_of_8, 2,
                  alabama_waves, 0);
    problem_flat(&p, 3, alabama_ids, alabama_eligible);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 10);
    assert_int_equal(a.targets[1], 11);
    const uint64_t first[] = {5, 4, 1}, second[] = {5, 5, 1};
    assert_wave(&p, &a, 0, first);
    assert_wave(&p, &a, 1, second);
    assert_int_equal(a.short_of_minimum[0], 0);
    free(a.seats);
    problem_free(&p);
}

/* Largest remainders: floors of the quotas, then one seat each to the
 * largest remainders (ties to the smaller index). */
static void hamilton(const uint64_t *population, size_t n, uint64_t seats,
                     uint64_t *out)
{
    uint64_t total = 0, given = 0;
    for (size_t h = 0; h < n; h++)
        total += population[h];
    for (size_t h = 0; h < n; h++) {
        out[h] = population[h] * seats / total;
        given += out[h];
    }
    bool *bumped = xcalloc(n, sizeof *bumped);
    for (; given < seats; given++) {
        size_t best = n;
        for (size_t h = 0; h < n; h++) {
            /* Remainders compared exactly: (p * seats mod total). */
            uint64_t r = population[h] * seats % total;
            if (!bumped[h] &&
                (best == n || r > population[best] * seats % total))
                best = h;
        }
        bumped[best] = true;
        out[best]++;
    }
    free(bumped);
}

/* The Alabama paradox: with 6, 6, 2 devices, Hamilton gives 4, 4, 2 of 10
 * seats and 5, 5, 1 of 11, taking a seat from stratum 2 as the wave grows
 * (its device would leave the cohort). The divisor method gives 5, 4, 1
 * then 5, 5, 1, and never takes a seat back for any target. */
static void the_divisor_method_escapes_the_alabama_paradox(void **state)
{
    (void)state;
    uint64_t ten[3], eleven[3];
    hamilton(alabama_eligible, 3, 10, ten);
    hamilton(alabama_eligible, 3, 11, eleven);
    assert_int_equal(ten[2], 2);
    assert_int_equal(eleven[2], 1);

    /* Every target of 1 .. 13 seats, each from nothing, one wave each. */
    uint64_t before[3] = {0, 0, 0};
    for (uint64_t target = 1; target < 14; target++) {
        problem p;
        const double waves[] = {(double)target / 14.0};
        problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, one_dimension_of_8, 1,
                      waves, 0);
        problem_flat(&p, 3, alabama_ids, alabama_eligible);
        answer a = solve_checked(&p);
        assert_int_equal(a.targets[0], target);
        for (size_t h = 0; h < 3; h++) {
            assert_true(seat(&p, &a, h, 0) >= before[h]);
            before[h] = seat(&p, &a, h, 0);
        }
        if (target == 10 || target == 11) {
            const uint64_t *want = target == 10 ? (const uint64_t[]){5, 4, 1}
                                                : (const uint64_t[]){5, 5, 1};
            assert_wave(&p, &a, 0, want);
        }
        free(a.seats);
        problem_free(&p);
    }
}

/*
 * Neyman: strata 1 and 3 (of 4 ids) with 10 devices each and standard
 * deviations 1 and 3 (sd is indexed by stratum id: ids 0 and 2 carry
 * decoys). Weights 10 and 30, 8 seats: 60 (3), 20 (1, the tie's smaller
 * id), 20 (3), 12 (3), 8.57 (3), 20/3 (1, tied with 30/4.5), 20/3 (3),
 * 5.45 (3): 2 and 6, where proportional gives 4 and 4.
 */
static void neyman_weighs_by_standard_deviation(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {0.4};
    const uint64_t ids[] = {1, 3}, e[] = {10, 10};
    const double sd[] = {1000, 1, 1000, 3};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 1, waves, 0);
    problem_flat(&p, 2, ids, e);
    problem_sd(&p, sd);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 8);
    const uint64_t neyman[] = {2, 6}, proportional[] = {4, 4};
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
 * Caps: two dimensions of 2 codes, four strata of 10, 20 seats. Capping
 * code 0 of dimension 0 (ids 0 and 2) at 2: the first round of priority
 * 20 gives one each, then that code is full and ids 1 and 3 share the
 * other 16: 1, 9, 1, 9. Capping code 0 of dimension 1 (ids 0 and 1) at 3:
 * the second round (priority 6.67) gives id 0 the third seat of its code,
 * skips id 1, and ids 2 and 3 share the remaining 13: 2, 1, 9, 8.
 */
static void a_cap_redistributes_seats(void **state)
{
    (void)state;
    const uint32_t cards[] = {2, 2};
    const double waves[] = {0.5};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {10, 10, 10, 10};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 2, cards, 1, waves, 0);
    problem_flat(&p, 4, ids, e);
    const uint64_t caps0[] = {2, 100};
    problem_caps(&p, 0, caps0);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 20);
    const uint64_t first[] = {1, 9, 1, 9};
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

/* Caps that leave too few seats: the sum stops short of the target. */
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
 * target is reached: 0, 2, 1, 2, 0. Ids 0 and 2 are short of their
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
 * Minimum 1, eligible 1, 50, 3, 7 and 30 seats (F = 30/61): the minimum
 * phase gives one seat each (in the order 1, 3, 2, 0), then the divisor
 * phase the other 26 from there. Stratum 0 is full. By priority: id 1's
 * 50/1.5 .. 50/10.5 = 4.76 (10 seats), id 3's 7/1.5 = 4.67, id 1's
 * 50/11.5 .. 50/17.5 = 2.86 (7), id 3's 7/2.5 = 2.8, id 1's 50/18.5 ..
 * 50/24.5 = 2.04 (7): 26 seats, before the ties at 2 of ids 2 and 3.
 * So 1, 25, 1, 3.
 */
static void a_minimum_then_the_divisor_phase(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {30.0 / 61.0};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {1, 50, 3, 7};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_MINIMUM_COVERAGE, 1, cards, 1, waves, 1);
    problem_flat(&p, 4, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 30);
    const uint64_t expected[] = {1, 25, 1, 3};
    assert_wave(&p, &a, 0, expected);
    assert_int_equal(a.short_of_minimum[0], 0);
    free(a.seats);
    problem_free(&p);
}

/*
 * Wave 1 starts from wave 0's seats. Stratum 1's devices may only join
 * from wave 1: eligible 10, 0 then 10, 10; F = 0.5, 0.6. Wave 0: 5 seats,
 * all stratum 0's. Wave 1: 12 seats, 7 more: stratum 1 takes priorities
 * 20, 6.67, 4, 2.86, 2.22, then 10/5.5 ties for both (stratum 0 first):
 * 6 and 6. Stratum 0 keeps its 5 seats although a proportional split of
 * 12 from nothing would also be 6, 6.
 */
static void a_wave_starts_from_the_last(void **state)
{
    (void)state;
    const uint32_t cards[] = {2};
    const double waves[] = {0.5, 0.6};
    const uint64_t ids[] = {0, 1}, e[] = {10, 10, 0, 10};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, cards, 2, waves, 0);
    problem_strata(&p, 2, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 5);
    assert_int_equal(a.targets[1], 12);
    const uint64_t first[] = {5, 0}, second[] = {6, 6};
    assert_wave(&p, &a, 0, first);
    assert_wave(&p, &a, 1, second);
    free(a.seats);
    problem_free(&p);
}

/*
 * Sainte-Laguë rounds each share to the nearest integer at a common
 * divisor, not each stratum to within 1 of its quota: one stratum of 200
 * and ten of 2, 60 seats (F = 60/220). The big one's 50th seat has
 * priority 200/49.5 = 4.04 > 4, its 51st 200/50.5 = 3.96 < 4, the small
 * ones' first 2/0.5 = 4: 50 and ten times 1. Quotas: 54.5 and 0.55; the
 * big stratum is 4.5 seats under. The bound that holds (see
 * random_problems_match_sainte_lague_bounds) is
 * 1/2 + share * (strata - 2) / 2 = 4.59 here.
 */
static void sainte_lague_can_miss_a_quota_by_more_than_one(void **state)
{
    (void)state;
    const uint32_t cards[] = {11};
    const double waves[] = {60.0 / 220.0};
    uint64_t ids[11], e[11];
    for (size_t h = 0; h < 11; h++) {
        ids[h] = h;
        e[h] = h == 0 ? 200 : 2;
    }
    problem p;
    problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, cards, 1, waves, 0);
    problem_flat(&p, 11, ids, e);
    answer a = solve_checked(&p);
    assert_int_equal(a.targets[0], 60);
    assert_int_equal(seat(&p, &a, 0, 0), 50);
    for (size_t h = 1; h < 11; h++)
        assert_int_equal(seat(&p, &a, h, 0), 1);
    double quota = 60.0 * 200.0 / 220.0;
    assert_true(quota - 50.0 > 4.5);
    assert_true(quota - 50.0 <= 0.5 + (200.0 / 220.0) * 9.0 / 2.0);
    free(a.seats);
    problem_free(&p);
}

/* A target of every eligible device gives each stratum all of its own,
 * and a cap that binds then keeps its code below it. */
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

/* Infinite weights (a huge standard deviation times the count) and zero
 * ones: infinities first, ties by id; zeros take seats only when nothing
 * else can. */
static void infinite_and_zero_weights(void **state)
{
    (void)state;
    const uint32_t cards[] = {4};
    const double waves[] = {0.5, 0.9};
    const uint64_t ids[] = {0, 1, 2, 3}, e[] = {10, 10, 10, 10};
    const double sd[] = {0, DBL_MAX, 1, DBL_MAX};
    problem p;
    problem_start(&p, OTAPRIO_COHORT_NEYMAN, 1, cards, 2, waves, 0);
    problem_flat(&p, 4, ids, e);
    problem_sd(&p, sd);
    answer a = solve_checked(&p);
    /* 20 seats: ids 1 and 3 have infinite priority to the end; 36 seats:
     * they fill, id 2 takes all 10, id 0 the last 6. */
    const uint64_t first[] = {0, 10, 0, 10}, second[] = {6, 10, 10, 10};
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
        for (size_t h = 0; h < p->n; h++) {
            uint64_t e = eligible(p, h, k), got = seat(p, a, h, k);
            uint64_t before = k > 0 ? seat(p, a, h, k - 1) : 0;
            uint64_t want = e < s->minimum ? e : s->minimum;
            total += e;
            sum += got;
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
        /* The divisor certificate, with no minimum and no caps: every seat
         * the wave gave has a priority at least that of any seat it could
         * still have given. */
        if (s->minimum == 0 && s->cap_dimension < 0) {
            double lowest_given = (double)INFINITY, highest_left = -1;
            for (size_t h = 0; h < p->n; h++) {
                uint64_t got = seat(p, a, h, k);
                uint64_t before = k > 0 ? seat(p, a, h, k - 1) : 0;
                double w = weight_of(p, h, k);
                if (got > before && w / ((double)got - 0.5) < lowest_given)
                    lowest_given = w / ((double)got - 0.5);
                if (got < eligible(p, h, k) &&
                    w / ((double)got + 0.5) > highest_left)
                    highest_left = w / ((double)got + 0.5);
            }
            assert_true(lowest_given >= highest_left);
        }
    }
}

/* Subnormal weights (the least standard deviations): priorities are a few
 * multiples of the least double, so long runs of seats tie and the
 * real-number estimate of a stratum's seats above a priority is far off;
 * the answer must still be the reference's, seat for seat. */
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
    run_random(&sh, 1000);
}

/* Counts well above the number of strata: most seats are given in bulk
 * (src/cohort_allocate.c) before the heap, which must not change them. */
static void random_large_problems_match_the_reference(void **state)
{
    (void)state;
    shape sh = {2, true, true, true, 3, 400, 3};
    run_random(&sh, 200);
}

static void random_problems_without_caps_or_minimum(void **state)
{
    (void)state;
    shape sh = {3, false, false, true, 4, 300, 3};
    run_random(&sh, 200);
}

/*
 * Sainte-Laguë's distance to the quota q_h = target * E_h / E. With no
 * minimum and no caps, one wave, and no stratum full, there is a divisor
 * λ with |s_h - E_h / λ| <= 1/2 for every h; summing, |target - E / λ| <=
 * n / 2, and so
 *   |s_h - q_h| <= (1/2)(1 - p_h) + p_h (n - 1) / 2 = 1/2 + p_h (n - 2) / 2,
 * p_h = E_h / E. It is below 1 for strata under 1/(n - 2) of the fleet,
 * and not in general (sainte_lague_can_miss_a_quota_by_more_than_one).
 * The certificate's own slack, a few ulps, is allowed for.
 */
static void random_problems_match_sainte_lague_bounds(void **state)
{
    (void)state;
    uint64_t rng = 4;
    int checked = 0;
    double worst = 0;
    for (int i = 0; i < 2000; i++) {
        uint32_t n = 1 + splitmix_below(&rng, 30);
        const uint32_t cards[] = {n};
        double waves[1];
        random_waves(&rng, 1, waves);
        uint64_t ids[30], e[30];
        for (uint32_t h = 0; h < n; h++) {
            ids[h] = h;
            e[h] = splitmix_below(&rng, 2) == 0 ? 1 + splitmix_below(&rng, 9)
                                                : splitmix_below(&rng, 2000);
        }
        problem p;
        problem_start(&p, OTAPRIO_COHORT_PROPORTIONAL, 1, cards, 1, waves, 0);
        problem_flat(&p, n, ids, e);
        answer a = solve(&p);
        uint64_t total = 0;
        bool full = false;
        for (uint32_t h = 0; h < n; h++) {
            total += e[h];
            full = full || (e[h] > 0 && seat(&p, &a, h, 0) == e[h]);
        }
        if (!full && total > 0) {
            checked++;
            for (uint32_t h = 0; h < n; h++) {
                double share = (double)e[h] / (double)total;
                double quota = (double)a.targets[0] * share;
                double off = fabs((double)seat(&p, &a, h, 0) - quota);
                double bound = 0.5 + share * ((double)n - 2) / 2;
                if (n == 1)
                    bound = 0;
                assert_true(off <= bound + 1e-9);
                if (off > worst)
                    worst = off;
            }
        }
        free(a.seats);
        problem_free(&p);
    }
    assert_true(checked > 1000);
    assert_true(worst > 1); /* within 1 is not a bound */
}

/* House monotonicity, each target solved from nothing: seats never fall
 * as the target grows, with minimums and caps too. */
static void random_problems_are_house_monotone(void **state)
{
    (void)state;
    uint64_t rng = 5;
    for (int i = 0; i < 150; i++) {
        shape sh = {0, true, true, true, 1, 6, 3};
        problem p = random_problem(&sh, &rng);
        uint64_t total = 0;
        for (size_t h = 0; h < p.n; h++)
            total += eligible(&p, h, 0);
        uint64_t *before = xcalloc(p.n, sizeof *before);
        for (uint64_t target = 1; target < total; target++) {
            p.setup.waves[0] = (double)target / (double)total;
            answer a = solve_checked(&p);
            assert_int_equal(a.targets[0], target);
            for (size_t h = 0; h < p.n; h++) {
                assert_true(seat(&p, &a, h, 0) >= before[h]);
                before[h] = seat(&p, &a, h, 0);
            }
            free(a.seats);
        }
        free(before);
        problem_free(&p);
    }
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
    /* Seats, limits, weights, the heap. */
    assert_int_equal(alloc_fail_sweep(allocate_with, &sw, OTAPRIO_E_NOMEM), 4);
    free(expected.seats);

    /* With caps: also groups, members, and three arrays per group. */
    const uint64_t caps[] = {30, 40, 50, 60};
    problem_caps(&p, 1, caps);
    expected = slow_solve(&p);
    assert_int_equal(alloc_fail_sweep(allocate_with, &sw, OTAPRIO_E_NOMEM), 9);
    free(expected.seats);
    problem_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_tie_goes_to_the_smaller_id),
        cmocka_unit_test(a_three_way_tie_and_nested_waves),
        cmocka_unit_test(the_divisor_method_escapes_the_alabama_paradox),
        cmocka_unit_test(neyman_weighs_by_standard_deviation),
        cmocka_unit_test(a_cap_redistributes_seats),
        cmocka_unit_test(caps_can_leave_the_target_short),
        cmocka_unit_test(a_minimum_the_wave_cannot_cover),
        cmocka_unit_test(a_minimum_then_the_divisor_phase),
        cmocka_unit_test(a_wave_starts_from_the_last),
        cmocka_unit_test(sainte_lague_can_miss_a_quota_by_more_than_one),
        cmocka_unit_test(a_wave_of_everything),
        cmocka_unit_test(infinite_and_zero_weights),
        cmocka_unit_test(subnormal_weights),
        cmocka_unit_test(no_strata_and_no_waves),
        cmocka_unit_test(random_small_problems_match_the_reference),
        cmocka_unit_test(random_large_problems_match_the_reference),
        cmocka_unit_test(random_problems_without_caps_or_minimum),
        cmocka_unit_test(random_problems_match_sainte_lague_bounds),
        cmocka_unit_test(random_problems_are_house_monotone),
        cmocka_unit_test(a_large_problem_matches_the_reference),
        cmocka_unit_test(every_allocation_failure_leaves_the_outputs_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
