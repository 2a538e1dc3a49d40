/* SPDX-License-Identifier: MIT */
/*
 * The mixture sequential test of a Poisson rate ratio: against scipy's
 * binomial likelihoods (tests/vectors/gen_stats_sequential_vectors.py);
 * by simulation, the false-alarm rate under the null with a look every
 * hour (at most alpha, where re-running a fixed-sample exact test at each
 * look is not) and the power at a doubled rate; the properties (more
 * canary events never lower e, empty looks change nothing); bad input;
 * and the serialised state (bit-exact round trip, every corruption
 * refused, the target left untouched).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio.h"
#include "stats.h"
#include "stats_sequential.h"
#include "unit/splitmix.h"
#include "unit/stats_check.h"
#include "vectors/stats_sequential_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define K OTAPRIO__SEQUENCE_ALTERNATIVES
/* NAN is a float; the tests want a double without -Wdouble-promotion. */
#define NOT_A_NUMBER ((double)NAN)

/* ---- known answers ------------------------------------------------------ */

static void looks_match_scipy(void **state)
{
    (void)state;
    otaprio__sequence s;
    for (size_t i = 0; i < COUNT(sequence_look_vectors); i++) {
        const sequence_look_vector *v = &sequence_look_vectors[i];
        if (v->first)
            assert_int_equal(otaprio__sequence_init(&s, v->ratio0, NULL),
                             OTAPRIO_OK);
        assert_int_equal(otaprio__sequence_observe(
                             &s, v->canary_events, v->canary_exposure,
                             v->baseline_events, v->baseline_exposure, NULL),
                         OTAPRIO_OK);
        for (int j = 0; j < K; j++)
            assert_stats_close(s.log_lr[j], v->log_lr[j], v->sequence,
                               (int)i * 100 + j);
        assert_stats_close(s.log_e, v->log_e, "log_e", i);
        assert_stats_close(s.log_e_max, v->log_e_max, "log_e_max", i);
        assert_stats_close(otaprio__sequence_log_p(&s), v->log_p, "log_p", i);
    }
}

/* ---- simulation ---------------------------------------------------------- */

/* Knuth's multiplication method; the means here are small. */
static uint64_t poisson(uint64_t *rng, double mean)
{
    double limit = exp(-mean), product = splitmix_unit(rng);
    uint64_t k = 0;
    while (product > limit) {
        k++;
        product *= splitmix_unit(rng);
    }
    return k;
}

static uint64_t binomial(uint64_t *rng, uint64_t n, double p)
{
    uint64_t k = 0;
    for (uint64_t i = 0; i < n; i++)
        k += splitmix_unit(rng) < p;
    return k;
}

/* P(X >= x) for X ~ Binomial(n, p), summed upward from the pmf at x
 * (from lgamma) by the ratio of successive terms. */
static double binomial_upper_tail(uint64_t x, uint64_t n, double p)
{
    if (x == 0)
        return 1.0;
    if (x > n)
        return 0.0;
    double term = exp(lgamma((double)n + 1) - lgamma((double)x + 1) -
                      lgamma((double)(n - x) + 1) + (double)x * log(p) +
                      (double)(n - x) * log1p(-p));
    double sum = 0.0;
    for (uint64_t k = x; k <= n && term > sum * 1e-17; k++) {
        sum += term;
        term *= (double)(n - k) / (double)(k + 1) * p / (1.0 - p);
    }
    return sum;
}

typedef struct trial_outcome {
    int sequential; /* runs where the always-valid p ever fell below alpha */
    int naive;      /* runs where the repeated fixed-sample test did */
} trial_outcome;

/* `runs` campaigns of `looks` hourly looks: each hour the canary gains
 * one unit of exposure and the baseline three, events arrive at `rate`
 * per unit in the baseline and `ratio` times that in the canary. */
static trial_outcome simulate(double ratio, double rate, int runs, int looks,
                              double alpha, uint64_t seed)
{
    trial_outcome out = {0, 0};
    uint64_t rng = seed;
    double share = ratio / (ratio + 3.0);
    double naive_share = 1.0 / (1.0 + 3.0);
    for (int run = 0; run < runs; run++) {
        otaprio__sequence s;
        assert_int_equal(otaprio__sequence_init(&s, 1.0, NULL), OTAPRIO_OK);
        uint64_t canary = 0, baseline = 0;
        int sequential = 0, naive = 0;
        for (int hour = 1; hour <= looks; hour++) {
            uint64_t m = poisson(&rng, rate * (ratio + 3.0));
            uint64_t x = binomial(&rng, m, share);
            canary += x;
            baseline += m - x;
            assert_int_equal(otaprio__sequence_observe(
                                 &s, canary, hour, baseline, 3.0 * hour, NULL),
                             OTAPRIO_OK);
            sequential |= otaprio__sequence_log_p(&s) <= log(alpha);
            naive |= binomial_upper_tail(canary, canary + baseline,
                                         naive_share) <= alpha;
        }
        out.sequential += sequential;
        out.naive += naive;
    }
    return out;
}

static void false_alarms_stay_below_alpha(void **state)
{
    (void)state;
    const int runs = 2000;
    trial_outcome o = simulate(1.0, 1.0, runs, 100, 0.05, 0x5eed0001);
    double sequential = (double)o.sequential / runs;
    double naive = (double)o.naive / runs;
    print_message("null, 100 hourly looks: sequential %.4f, naive %.4f\n",
                  sequential, naive);
    assert_true(sequential <= 0.05);
    /* Looking 100 times at a fixed-sample test inflates its error several
     * times over. */
    assert_true(naive >= 0.15);
}

static void detects_a_doubled_rate(void **state)
{
    (void)state;
    const int runs = 500;
    trial_outcome o = simulate(2.0, 0.4, runs, 100, 0.05, 0x5eed0002);
    double power = (double)o.sequential / runs;
    print_message("ratio 2, 100 hourly looks: detected in %.4f\n", power);
    assert_true(power >= 0.9);
}

/* ---- properties ---------------------------------------------------------- */

static bool same_statistics(const otaprio__sequence *a,
                            const otaprio__sequence *b)
{
    return memcmp(a->log_lr, b->log_lr, sizeof a->log_lr) == 0 &&
           memcmp(&a->log_e, &b->log_e, sizeof a->log_e) == 0 &&
           memcmp(&a->log_e_max, &b->log_e_max, sizeof a->log_e_max) == 0;
}

/* From the same state, a look with more canary events (or fewer baseline
 * ones) never gives a lower likelihood ratio for any alternative, nor a
 * lower e-value: in exact arithmetic each ratio's canary coefficient
 * log(p_j / p0) and baseline coefficient -log1p(p0 g_j) say so, and the
 * code keeps their signs. Random totals and nulls, exposures from even to
 * lopsided. */
static void more_canary_events_never_lower_e(void **state)
{
    (void)state;
    uint64_t rng = 42;
    for (int trial = 0; trial < 300; trial++) {
        double ratio0 = 0.25 + splitmix_unit(&rng) * 4.0;
        otaprio__sequence a;
        assert_int_equal(otaprio__sequence_init(&a, ratio0, NULL), OTAPRIO_OK);
        uint64_t canary = 0, baseline = 0;
        double tc = 0.0, tb = 0.0;
        for (int look = 0; look < 20; look++) {
            tc += 0.01 + splitmix_unit(&rng) * (trial % 3 == 0 ? 1e3 : 10.0);
            tb += 0.01 + splitmix_unit(&rng) * 10.0;
            canary += splitmix_below(&rng, 30);
            baseline += splitmix_below(&rng, 30);
            uint64_t extra = 1 + splitmix_below(&rng, trial % 2 ? 3 : 1000);
            otaprio__sequence b = a, c = a;
            assert_int_equal(
                otaprio__sequence_observe(&a, canary, tc, baseline, tb, NULL),
                OTAPRIO_OK);
            assert_int_equal(otaprio__sequence_observe(&b, canary + extra, tc,
                                                       baseline, tb, NULL),
                             OTAPRIO_OK);
            /* Nor does one baseline event fewer (when there is one). */
            assert_int_equal(otaprio__sequence_observe(
                                 &c, canary, tc,
                                 baseline - (baseline > c.baseline_events), tb,
                                 NULL),
                             OTAPRIO_OK);
            for (int j = 0; j < K; j++) {
                assert_true(b.log_lr[j] >= a.log_lr[j]);
                assert_true(c.log_lr[j] >= a.log_lr[j]);
            }
            assert_true(b.log_e >= a.log_e);
            assert_true(b.log_e_max >= a.log_e_max);
            assert_true(otaprio__sequence_log_p(&b) <=
                        otaprio__sequence_log_p(&a));
            assert_true(a.log_e <= a.log_e_max);
            assert_true(otaprio__sequence_log_p(&a) <= 0.0);
        }
    }
}

static void empty_looks_change_nothing(void **state)
{
    (void)state;
    otaprio__sequence s, before;
    assert_int_equal(otaprio__sequence_init(&s, 1.0, NULL), OTAPRIO_OK);
    assert_true(otaprio__sequence_log_p(&s) == 0.0);
    assert_int_equal(otaprio__sequence_observe(&s, 0, 0.0, 0, 0.0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 12, 3.0, 7, 4.0, NULL),
                     OTAPRIO_OK);
    assert_true(s.log_e != 0.0);
    /* The same totals again. */
    before = s;
    assert_int_equal(otaprio__sequence_observe(&s, 12, 3.0, 7, 4.0, NULL),
                     OTAPRIO_OK);
    assert_true(same_statistics(&s, &before));
    assert_true(s.looks == before.looks + 1);
    /* Exposure only, on either side or both. */
    before = s;
    assert_int_equal(otaprio__sequence_observe(&s, 12, 5.0, 7, 4.0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 12, 5.0, 7, 9.0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 12, 6.0, 7, 9.5, NULL),
                     OTAPRIO_OK);
    assert_true(same_statistics(&s, &before));
    assert_true(s.canary_exposure == 6.0 && s.baseline_exposure == 9.5);
    /* Events on the only side with new exposure carry no information. */
    before = s;
    assert_int_equal(otaprio__sequence_observe(&s, 20, 6.5, 7, 9.5, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 20, 6.5, 30, 11.0, NULL),
                     OTAPRIO_OK);
    assert_true(same_statistics(&s, &before));
    assert_true(s.canary_events == 20 && s.baseline_events == 30);
}

/* One increment's ratio, worked by hand for the smallest alternative:
 * 1 canary event, 0 baseline, equal exposures, ratio0 = 1: p0 = 1/2,
 * p = 1.05 / 2.05, so log_lr = log(2.1 / 2.05). */
static void one_event_by_hand(void **state)
{
    (void)state;
    otaprio__sequence s;
    assert_int_equal(otaprio__sequence_init(&s, 1.0, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 1, 1.0, 0, 1.0, NULL),
                     OTAPRIO_OK);
    assert_stats_close(s.log_lr[0], log(2.1 / 2.05), "log_lr", 0);
    assert_stats_close(s.log_lr[K - 1], log(40.0 / 21.0), "log_lr", K - 1);
    assert_true(s.looks == 1);
}

static void extreme_evidence_stays_finite(void **state)
{
    (void)state;
    otaprio__sequence s;
    assert_int_equal(otaprio__sequence_init(&s, 1.0, NULL), OTAPRIO_OK);
    assert_int_equal(
        otaprio__sequence_observe(&s, UINT64_MAX, 1.0, 0, 1e300, NULL),
        OTAPRIO_OK);
    double log_p = otaprio__sequence_log_p(&s);
    assert_true(isfinite(log_p) && log_p < -1e19);
    assert_int_equal(otaprio__sequence_init(&s, 1e-300, NULL), OTAPRIO_OK);
    assert_int_equal(
        otaprio__sequence_observe(&s, 5, 1e-300, 1ull << 62, 1e300, NULL),
        OTAPRIO_OK);
    assert_true(isfinite(s.log_e) && s.log_e <= s.log_e_max);
    assert_int_equal(otaprio__sequence_init(&s, 1e300, NULL), OTAPRIO_OK);
    assert_int_equal(
        otaprio__sequence_observe(&s, 1ull << 62, 1e300, 5, 1e-300, NULL),
        OTAPRIO_OK);
    assert_true(isfinite(s.log_e) && s.log_e <= s.log_e_max);
    unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
    otaprio__sequence_serialize(&s, bytes);
    otaprio__sequence back;
    assert_int_equal(
        otaprio__sequence_deserialize(&back, bytes, sizeof bytes, NULL),
        OTAPRIO_OK);
}

/* ---- bad input ----------------------------------------------------------- */

static void bad_input_leaves_the_state_alone(void **state)
{
    (void)state;
    otaprio__sequence s, before;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio__sequence_init(NULL, 1.0, NULL),
                     OTAPRIO_E_INVALID);
    const double bad_ratios[] = {0.0, -1.0, NOT_A_NUMBER, HUGE_VAL, -HUGE_VAL};
    for (size_t i = 0; i < COUNT(bad_ratios); i++) {
        assert_int_equal(otaprio__sequence_init(&s, bad_ratios[i], &diag),
                         OTAPRIO_E_RANGE);
        assert_string_equal(diag.field, "ratio0");
    }
    assert_int_equal(otaprio__sequence_init(&s, 1.5, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 10, 5.0, 20, 8.0, NULL),
                     OTAPRIO_OK);
    before = s;
    struct {
        uint64_t cx;
        double ct;
        uint64_t bx;
        double bt;
        const char *field;
    } bad[] = {
        {9, 5.0, 20, 8.0, "canary_events"},
        {10, 4.5, 20, 8.0, "canary_events"},
        {10, 5.0, 19, 8.0, "baseline_events"},
        {10, 5.0, 20, 7.9, "baseline_events"},
        {10, NOT_A_NUMBER, 20, 8.0, "canary_exposure"},
        {10, HUGE_VAL, 20, 8.0, "canary_exposure"},
        {10, -1.0, 20, 8.0, "canary_exposure"},
        {10, 5.0, 20, NOT_A_NUMBER, "baseline_exposure"},
        {10, 5.0, 20, HUGE_VAL, "baseline_exposure"},
        {10, 5.0, 20, -HUGE_VAL, "baseline_exposure"},
        /* events without new exposure */
        {11, 5.0, 20, 9.0, "canary_events"},
        {10, 6.0, 21, 8.0, "baseline_events"},
        {11, 5.0, 21, 8.0, "canary_events"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        assert_int_equal(otaprio__sequence_observe(&s, bad[i].cx, bad[i].ct,
                                                   bad[i].bx, bad[i].bt, &diag),
                         OTAPRIO_E_RANGE);
        assert_string_equal(diag.field, bad[i].field);
        assert_memory_equal(&s, &before, sizeof s);
    }
    assert_int_equal(otaprio__sequence_observe(NULL, 10, 5.0, 20, 8.0, NULL),
                     OTAPRIO_E_INVALID);
    s.looks = UINT64_MAX;
    before = s;
    assert_int_equal(otaprio__sequence_observe(&s, 10, 5.0, 20, 8.0, NULL),
                     OTAPRIO_E_LIMIT);
    assert_memory_equal(&s, &before, sizeof s);
}

/* ---- serialisation ------------------------------------------------------- */

static void busy_state(otaprio__sequence *s)
{
    assert_int_equal(otaprio__sequence_init(s, 1.25, NULL), OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(s, 3, 2.0, 5, 6.0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(s, 40, 4.0, 9, 12.0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(s, 41, 8.0, 30, 20.0, NULL),
                     OTAPRIO_OK);
    assert_true(0.0 < s->log_e && s->log_e < s->log_e_max);
}

/* Rewrites the trailing checksum, as a forger could. */
static void reseal(unsigned char bytes[OTAPRIO__SEQUENCE_BYTES])
{
    uint64_t sum;
    assert_int_equal(
        otaprio_key_derive(bytes, OTAPRIO__SEQUENCE_BYTES - 8, &sum),
        OTAPRIO_OK);
    otaprio__store_le64(bytes + OTAPRIO__SEQUENCE_BYTES - 8, sum);
}

static void set_double(unsigned char *bytes, size_t at, double x)
{
    otaprio__store_le64(bytes + at, otaprio__bits_of_double(x));
}

static void round_trip_is_bit_exact(void **state)
{
    (void)state;
    otaprio__sequence fresh, s, back;
    assert_int_equal(otaprio__sequence_init(&fresh, 0.5, NULL), OTAPRIO_OK);
    busy_state(&s);
    const otaprio__sequence *cases[] = {&fresh, &s};
    for (size_t i = 0; i < COUNT(cases); i++) {
        unsigned char bytes[OTAPRIO__SEQUENCE_BYTES], again[sizeof bytes];
        otaprio__sequence_serialize(cases[i], bytes);
        assert_memory_equal(bytes, "otaprioQ", 8);
        memset(&back, 0xa5, sizeof back);
        assert_int_equal(
            otaprio__sequence_deserialize(&back, bytes, sizeof bytes, NULL),
            OTAPRIO_OK);
        assert_memory_equal(&back, cases[i], sizeof back);
        otaprio__sequence_serialize(&back, again);
        assert_memory_equal(again, bytes, sizeof bytes);
    }
    /* A restored state goes on exactly as the original would. */
    unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
    otaprio__sequence_serialize(&s, bytes);
    assert_int_equal(
        otaprio__sequence_deserialize(&back, bytes, sizeof bytes, NULL),
        OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&s, 70, 9.0, 35, 25.0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio__sequence_observe(&back, 70, 9.0, 35, 25.0, NULL),
                     OTAPRIO_OK);
    assert_memory_equal(&back, &s, sizeof s);
}

static void every_corrupted_byte_is_refused(void **state)
{
    (void)state;
    otaprio__sequence s, target;
    busy_state(&s);
    unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
    otaprio__sequence_serialize(&s, bytes);
    const unsigned char masks[] = {0x01, 0x10, 0x80, 0xff};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    memset(&target, 0x5a, sizeof target);
    otaprio__sequence untouched = target;
    for (size_t i = 0; i < sizeof bytes; i++) {
        for (size_t m = 0; m < COUNT(masks); m++) {
            bytes[i] ^= masks[m];
            assert_int_equal(otaprio__sequence_deserialize(&target, bytes,
                                                           sizeof bytes, &diag),
                             OTAPRIO_E_SYNTAX);
            assert_string_equal(diag.field, "bytes");
            assert_memory_equal(&target, &untouched, sizeof target);
            bytes[i] ^= masks[m];
        }
    }
    /* Wrong lengths. */
    for (size_t length = 0; length < sizeof bytes + 2; length += 37)
        assert_int_equal(
            otaprio__sequence_deserialize(&target, bytes, length, NULL),
            OTAPRIO_E_SYNTAX);
    assert_int_equal(
        otaprio__sequence_deserialize(&target, bytes, sizeof bytes + 1, NULL),
        OTAPRIO_E_SYNTAX);
    assert_int_equal(otaprio__sequence_deserialize(&target, NULL, 256, NULL),
                     OTAPRIO_E_INVALID);
    assert_memory_equal(&target, &untouched, sizeof target);
    assert_int_equal(
        otaprio__sequence_deserialize(&target, bytes, sizeof bytes, NULL),
        OTAPRIO_OK);
}

/* Sealed with a correct checksum but saying what no observation gives. */
static void forged_states_are_refused(void **state)
{
    (void)state;
    otaprio__sequence s, target;
    busy_state(&s);
    unsigned char good[OTAPRIO__SEQUENCE_BYTES];
    otaprio__sequence_serialize(&s, good);
    typedef struct forgery {
        size_t at;
        double value; /* written as a double at `at`, unless use_word */
        uint64_t word;
        int use_word;
        int status;
    } forgery;
    const forgery forged[] = {
        {8, 0, 2, 1, OTAPRIO_E_SYNTAX},                      /* version 2 */
        {8, 0, 0, 1, OTAPRIO_E_SYNTAX},                      /* version 0 */
        {8, 0, (uint64_t)15 << 32 | 1, 1, OTAPRIO_E_SYNTAX}, /* 15 ratios */
        {216, 0, 1, 1, OTAPRIO_E_SYNTAX},                    /* reserved */
        {16, 0.0, 0, 0, OTAPRIO_E_RANGE},                    /* ratio0 */
        {16, -1.25, 0, 0, OTAPRIO_E_RANGE},
        {16, NOT_A_NUMBER, 0, 0, OTAPRIO_E_RANGE},
        {16, HUGE_VAL, 0, 0, OTAPRIO_E_RANGE},
        {40, -2.0, 0, 0, OTAPRIO_E_RANGE}, /* exposures */
        {40, 0.0, 0, 0, OTAPRIO_E_RANGE},  /* events, no exposure */
        {48, NOT_A_NUMBER, 0, 0, OTAPRIO_E_RANGE},
        {48, HUGE_VAL, 0, 0, OTAPRIO_E_RANGE},
        {56, 0, 0, 1, OTAPRIO_E_RANGE}, /* no looks */
        {24, 0, 0, 1, OTAPRIO_E_RANGE}, /* log_lr vs counts */
        {64, 1e6, 0, 0, OTAPRIO_E_RANGE},
        {64 + 8 * 15, -1e6, 0, 0, OTAPRIO_E_RANGE},
        {64 + 8 * 3, NOT_A_NUMBER, 0, 0, OTAPRIO_E_RANGE},
        {64 + 8 * 3, HUGE_VAL, 0, 0, OTAPRIO_E_RANGE},
        {192, 1.0, 0, 0, OTAPRIO_E_RANGE}, /* log_e */
        {192, NOT_A_NUMBER, 0, 0, OTAPRIO_E_RANGE},
        {200, -1.0, 0, 0, OTAPRIO_E_RANGE}, /* log_e_max */
        {200, 1e4, 0, 0, OTAPRIO_E_RANGE},  /* above any e */
        {200, NOT_A_NUMBER, 0, 0, OTAPRIO_E_RANGE},
    };
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    memset(&target, 0x3c, sizeof target);
    otaprio__sequence untouched = target;
    for (size_t i = 0; i < COUNT(forged); i++) {
        unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
        memcpy(bytes, good, sizeof bytes);
        if (forged[i].use_word)
            otaprio__store_le64(bytes + forged[i].at, forged[i].word);
        else
            set_double(bytes, forged[i].at, forged[i].value);
        reseal(bytes);
        int status =
            otaprio__sequence_deserialize(&target, bytes, sizeof bytes, &diag);
        if (status != forged[i].status)
            fail_msg("forgery %zu: status %d, want %d", i, status,
                     forged[i].status);
        assert_string_equal(diag.field, "bytes");
        assert_memory_equal(&target, &untouched, sizeof target);
    }
    /* A running maximum below the e-value it has seen. */
    unsigned char bytes[OTAPRIO__SEQUENCE_BYTES];
    memcpy(bytes, good, sizeof bytes);
    set_double(bytes, 200, s.log_e * 0.5);
    reseal(bytes);
    assert_int_equal(
        otaprio__sequence_deserialize(&target, bytes, sizeof bytes, &diag),
        OTAPRIO_E_RANGE);
    assert_memory_equal(&target, &untouched, sizeof target);
    /* Resealing the good bytes changes nothing. */
    reseal(good);
    assert_int_equal(
        otaprio__sequence_deserialize(&target, good, sizeof good, NULL),
        OTAPRIO_OK);
    assert_memory_equal(&target, &s, sizeof s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(looks_match_scipy),
        cmocka_unit_test(one_event_by_hand),
        cmocka_unit_test(false_alarms_stay_below_alpha),
        cmocka_unit_test(detects_a_doubled_rate),
        cmocka_unit_test(more_canary_events_never_lower_e),
        cmocka_unit_test(empty_looks_change_nothing),
        cmocka_unit_test(extreme_evidence_stays_finite),
        cmocka_unit_test(bad_input_leaves_the_state_alone),
        cmocka_unit_test(round_trip_is_bit_exact),
        cmocka_unit_test(every_corrupted_byte_is_refused),
        cmocka_unit_test(forged_states_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
