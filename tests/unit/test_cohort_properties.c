/* SPDX-License-Identifier: MIT */
/*
 * What a finished cohort promises, over random skewed fleets: exact wave
 * sizes; nesting (a schedule's first waves do not depend on the later
 * ones); each stratum's devices are the first in (position, key) order
 * among those eligible, checked against a brute-force sort of the whole
 * fleet; exclusions, holds, minimum coverage and caps honoured; assign
 * agrees with the listing; duplicate keys and an exhausted retain fraction
 * refused. Two measurements with bounds: a stratified 1% cohort's total
 * variation distance against the hash threshold's, and how many devices
 * change wave when 1% of the fleet leaves and 1% joins.
 */
#include <stdio.h>

#include "cohort_fixture.h"

static const uint32_t cards3[3] = {40, 12, 6};
static const double schedule[4] = {0.001, 0.01, 0.05, 1.0};

/* The stratum id of device i. */
static uint64_t stratum_of(const fleet *f, size_t i)
{
    uint64_t id = 0, radix = 1;
    for (uint32_t d = 0; d < f->dims; d++) {
        id += f->codes[d][i] * radix;
        radix *= f->cards[d];
    }
    return id;
}

/* Device i's first wave under the spec's rules (docs/cohort.md), written
 * out again here: wave_count when excluded. */
static uint32_t first_wave_of(const fleet *f, const otaprio_cohort_spec *s,
                              size_t i)
{
    if (f->excluded != NULL && f->excluded[i])
        return s->wave_count;
    if (s->exclude_metered && f->metered != NULL && f->metered[i])
        return s->wave_count;
    if (f->battery != NULL && f->battery[i] < s->minimum_battery &&
        !(f->charging != NULL && f->charging[i]))
        return s->wave_count;
    for (size_t k = 0; f->cluster != NULL && k < s->excluded_cluster_count; k++)
        if (f->cluster[i] == s->excluded_clusters[k])
            return s->wave_count;
    uint32_t first = f->first_wave != NULL ? f->first_wave[i] : 0;
    if (f->critical != NULL && f->critical[i] && s->critical_first_wave > first)
        first = s->critical_first_wave;
    return first < s->wave_count ? first : s->wave_count;
}

typedef struct device {
    uint64_t stratum, position, key;
    uint32_t first_wave;
    uint32_t wave; /* brute force's answer */
} device;

static int by_stratum_rank(const void *a, const void *b)
{
    const device *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum < y->stratum ? -1 : 1;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* Checks every property of a finished cohort of `f` under `spec` against
 * a brute force over the whole fleet. */
static void check_cohort(const fleet *f, const otaprio_cohort_spec *spec,
                         const otaprio_cohort *c)
{
    uint32_t waves = spec->wave_count;
    uint32_t canary = spec->waves[waves - 1] == 1.0 ? waves - 1 : waves;
    device *all = fixture_calloc(f->n, sizeof *all);
    for (size_t i = 0; i < f->n; i++) {
        all[i].stratum = stratum_of(f, i);
        all[i].key = f->keys[i];
        all[i].position = otaprio_bucket_position(spec->salt, f->keys[i]);
        all[i].first_wave = first_wave_of(f, spec, i);
        all[i].wave = OTAPRIO_COHORT_NONE;
    }
    qsort(all, f->n, sizeof *all, by_stratum_rank);

    /* Strata table: fleet and eligible counts, and the seats per wave,
     * with the brute force taking each wave's new seats in rank order. */
    uint64_t strata = otaprio_cohort_stratum_count(c);
    uint64_t *ids = fixture_calloc(strata, 8),
             *fleet_n = fixture_calloc(strata, 8),
             *eligible = fixture_calloc(strata, 8),
             *seats = fixture_calloc(strata * waves, 8);
    for (uint32_t k = 0; k < waves; k++) {
        assert_int_equal(otaprio_cohort_strata(c, k, 0, strata, ids, fleet_n,
                                               eligible, seats + k * strata,
                                               NULL),
                         OTAPRIO_OK);
    }
    size_t at = 0;
    uint64_t total_eligible[OTAPRIO_COHORT_MAX_WAVES] = {0};
    for (uint64_t h = 0; h < strata; h++) {
        assert_true(h == 0 || ids[h] > ids[h - 1]);
        size_t start = at;
        while (at < f->n && all[at].stratum == ids[h])
            at++;
        assert_int_equal(at - start, fleet_n[h]);
        for (uint32_t k = 0; k < waves; k++) {
            uint64_t e = 0;
            for (size_t i = start; i < at; i++)
                e += all[i].first_wave <= k;
            total_eligible[k] += e;
            uint64_t got_eligible;
            assert_int_equal(otaprio_cohort_strata(c, k, h, 1, NULL, NULL,
                                                   &got_eligible, NULL, NULL),
                             OTAPRIO_OK);
            assert_int_equal(got_eligible, e);
            uint64_t s = seats[k * strata + h];
            assert_true(s <= e);
            if (k > 0)
                assert_true(s >= seats[(k - 1) * strata + h]);
            if (k >= canary) {
                assert_int_equal(s, e);
                continue;
            }
            uint64_t taken = 0;
            for (size_t i = start; i < at; i++)
                taken += all[i].wave <= k && all[i].wave != OTAPRIO_COHORT_NONE;
            if (spec->method == OTAPRIO_COHORT_HASH_THRESHOLD) {
                /* Its own rule: the first wave above the device's
                 * fraction, no earlier than its first wave. */
                for (size_t i = start; i < at; i++) {
                    double u = (double)(all[i].position >> 11) * 0x1.0p-53;
                    if (all[i].wave == OTAPRIO_COHORT_NONE &&
                        u < spec->waves[k] && all[i].first_wave <= k)
                        all[i].wave = k, taken++;
                }
            } else {
                for (size_t i = start; i < at && taken < s; i++)
                    if (all[i].wave == OTAPRIO_COHORT_NONE &&
                        all[i].first_wave <= k)
                        all[i].wave = k, taken++;
            }
            assert_int_equal(taken, s);
        }
    }
    assert_int_equal(at, f->n);

    /* Wave sizes. */
    for (uint32_t k = 0; k < waves; k++) {
        otaprio_cohort_wave w = wave_info(c, k);
        assert_int_equal(w.fleet, f->n);
        assert_int_equal(w.eligible, total_eligible[k]);
        assert_int_equal(w.target,
                         (uint64_t)(spec->waves[k] * (double)w.eligible + 0.5));
        uint64_t sum = 0;
        for (uint64_t h = 0; h < strata; h++)
            sum += seats[k * strata + h];
        assert_int_equal(w.selected, sum);
        if (spec->method != OTAPRIO_COHORT_HASH_THRESHOLD &&
            spec->cap_dimension < 0)
            assert_int_equal(w.selected, w.target); /* exact */
        assert_int_equal(w.shortfall,
                         w.target > w.selected ? w.target - w.selected : 0);
        assert_int_equal(w.listed, k < canary);
    }

    /* The listing is the brute force's devices, by wave, stratum, rank. */
    listing l = listing_of(c);
    size_t n = 0;
    for (uint32_t k = 0; k < canary; k++)
        for (size_t i = 0; i < f->n; i++)
            if (all[i].wave == k) {
                assert_true(n < l.count);
                assert_int_equal(l.keys[n], all[i].key);
                assert_int_equal(l.waves[n], k);
                assert_int_equal(l.strata[n], all[i].stratum);
                n++;
            }
    assert_int_equal(n, l.count);
    listing_free(&l);

    /* Assign names every device's wave, from the fleet's own chunks. */
    uint8_t *assigned = fixture_calloc(f->n, 1);
    const uint32_t *columns[FLEET_MAX_DIMS];
    otaprio_cohort_chunk chunk = fleet_chunk(f, 0, f->n, columns);
    assert_int_equal(otaprio_cohort_assign(c, &chunk, assigned, NULL),
                     OTAPRIO_OK);
    for (size_t i = 0; i < f->n; i++) {
        device probe = {stratum_of(f, i),
                        otaprio_bucket_position(spec->salt, f->keys[i]),
                        f->keys[i], 0, 0};
        device *d = bsearch(&probe, all, f->n, sizeof *all, by_stratum_rank);
        assert_non_null(d);
        uint32_t expected = d->wave;
        if (expected == OTAPRIO_COHORT_NONE && canary < waves &&
            d->first_wave < waves)
            expected = waves - 1;
        assert_int_equal(assigned[i], expected);
    }
    free(assigned);
    free(ids);
    free(fleet_n);
    free(eligible);
    free(seats);
    free(all);
}

static otaprio_cohort *finish_fleet(const fleet *f,
                                    const otaprio_cohort_spec *spec)
{
    otaprio_cohort_sampler *s = sampler_make(spec);
    assert_int_equal(fleet_observe(s, f, 0, f->n, 1000), OTAPRIO_OK);
    otaprio_cohort *c = cohort_make(s);
    otaprio_cohort_sampler_free(s);
    return c;
}

static void test_every_method_against_brute_force(void **state)
{
    (void)state;
    static double sd[40 * 12 * 6];
    for (size_t h = 0; h < 40 * 12 * 6; h++)
        sd[h] = (double)(h % 5);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        fleet f = fleet_make(4000 + 3000 * seed, 3, cards3, seed);
        for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT;
             method++) {
            otaprio_cohort_spec spec = fleet_spec(&f, method, schedule, 4);
            if (method == OTAPRIO_COHORT_NEYMAN) {
                spec.stratum_sd = sd;
                spec.stratum_sd_count = 40 * 12 * 6;
            }
            if (method == OTAPRIO_COHORT_MINIMUM_COVERAGE && seed % 2 == 0)
                spec.minimum_per_stratum = 3;
            otaprio_cohort *c = finish_fleet(&f, &spec);
            check_cohort(&f, &spec, c);
            otaprio_cohort_free(c);
        }
        fleet_free(&f);
    }
}

static void test_rules_against_brute_force(void **state)
{
    (void)state;
    uint32_t clusters[3] = {2, 9, 17};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        fleet f = fleet_make(9000, 3, cards3, 10 + seed);
        fleet_add_rules(&f, 20 + seed);
        for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT - 1;
             method++) {
            otaprio_cohort_spec spec = fleet_spec(&f, method, schedule, 4);
            spec.critical_first_wave = (uint32_t)seed; /* 3: never */
            spec.exclude_metered = (int32_t)(seed % 2);
            spec.minimum_battery = 0.15f;
            spec.excluded_clusters = clusters;
            spec.excluded_cluster_count = seed;
            otaprio_cohort *c = finish_fleet(&f, &spec);
            check_cohort(&f, &spec, c);
            otaprio_cohort_free(c);
        }
        fleet_free(&f);
    }
}

/* The devices of lowest position held back to the last canary wave: an
 * earlier wave takes devices ranked far past the seats of the last, which
 * is where finishing starts ranking a stratum's kept devices, so it must
 * rank past that first guess and still pick the brute force's devices. */
static void test_held_devices_rank_far(void **state)
{
    (void)state;
    const double waves[3] = {0.01, 0.02, 1.0};
    fleet f = fleet_make(30000, 3, cards3, 51);
    for (int32_t method = 1; method < OTAPRIO_COHORT_METHOD_COUNT - 1;
         method++) {
        otaprio_cohort_spec spec = fleet_spec(&f, method, waves, 3);
        spec.retain_fraction = 0.2;
        if (f.first_wave == NULL) {
            f.first_wave = fixture_calloc(f.n, 1);
            for (size_t i = 0; i < f.n; i++)
                f.first_wave[i] =
                    otaprio_bucket_position(spec.salt, f.keys[i]) <
                    UINT64_C(1) << 60; /* the lowest 1/16 */
        }
        otaprio_cohort *c = finish_fleet(&f, &spec);
        check_cohort(&f, &spec, c);
        otaprio_cohort_free(c);
    }
    fleet_free(&f);
}

/* A schedule's first waves are the same whatever comes after them. */
static void test_waves_nest_and_prefixes_agree(void **state)
{
    (void)state;
    fleet f = fleet_make(20000, 3, cards3, 31);
    const double longer[5] = {0.002, 0.01, 0.03, 0.2, 1.0};
    for (int32_t method = 1; method < OTAPRIO_COHORT_METHOD_COUNT - 1;
         method++) {
        otaprio_cohort_spec spec = fleet_spec(&f, method, longer, 5);
        otaprio_cohort *all = finish_fleet(&f, &spec);
        listing full = listing_of(all);
        for (uint32_t k = 1; k <= 3; k++) {
            spec.wave_count = k;
            /* The same retain fraction keeps the same devices; only the
             * listing's length may differ. */
            spec.retain_fraction = 0.2;
            otaprio_cohort *prefix = finish_fleet(&f, &spec);
            listing p = listing_of(prefix);
            assert_int_equal(p.count, wave_info(all, k - 1).selected);
            assert_memory_equal(p.keys, full.keys, (size_t)p.count * 8);
            assert_memory_equal(p.waves, full.waves, (size_t)p.count);
            listing_free(&p);
            otaprio_cohort_free(prefix);
        }
        listing_free(&full);
        otaprio_cohort_free(all);
    }
    fleet_free(&f);
}

static void test_minimum_covers_rare_strata(void **state)
{
    (void)state;
    fleet f = fleet_make(30000, 3, cards3, 41);
    const double one[1] = {0.1}; /* 3,000 seats */
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_MINIMUM_COVERAGE, one, 1);
    otaprio_cohort *c = finish_fleet(&f, &spec);
    otaprio_cohort_wave w = wave_info(c, 0);
    assert_true(w.strata < w.target); /* the budget allows every minimum */
    assert_int_equal(w.strata_covered, w.strata);
    assert_int_equal(w.strata_short_of_minimum, 0);
    otaprio_cohort_free(c);
    spec.method = OTAPRIO_COHORT_PROPORTIONAL;
    c = finish_fleet(&f, &spec);
    assert_true(wave_info(c, 0).strata_covered < w.strata);
    otaprio_cohort_free(c);
    /* A wave too small for every minimum covers as many strata as seats,
     * and says how many it could not. */
    const double tiny[1] = {0.01};
    spec = fleet_spec(&f, OTAPRIO_COHORT_MINIMUM_COVERAGE, tiny, 1);
    c = finish_fleet(&f, &spec);
    w = wave_info(c, 0);
    assert_true(w.target < w.strata);
    assert_int_equal(w.strata_covered, w.target);
    assert_int_equal(w.strata_short_of_minimum, w.strata - w.target);
    otaprio_cohort_free(c);
    fleet_free(&f);
}

static void test_caps_hold(void **state)
{
    (void)state;
    fleet f = fleet_make(20000, 3, cards3, 51);
    uint64_t caps[12];
    for (size_t c = 0; c < 12; c++)
        caps[c] = c == 0 ? 60 : 1000; /* code 0 is the most common */
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_PROPORTIONAL, schedule, 4);
    spec.cap_dimension = 1;
    spec.caps = caps;
    spec.retain_fraction = 0.2; /* room for the seats code 0 gives up */
    otaprio_cohort *c = finish_fleet(&f, &spec);
    check_cohort(&f, &spec, c);
    listing l = listing_of(c);
    for (uint32_t k = 0; k < 3; k++) {
        uint64_t per_code[12] = {0};
        for (uint64_t i = 0; i < l.count; i++)
            if (l.waves[i] <= k)
                per_code[(l.strata[i] / 40) % 12]++;
        for (size_t code = 0; code < 12; code++)
            assert_true(per_code[code] <= caps[code]);
        otaprio_cohort_wave w = wave_info(c, k);
        assert_int_equal(w.selected, w.target); /* others took the seats */
        if (k == 2)
            assert_int_equal(per_code[0], 60); /* the cap binds */
    }
    listing_free(&l);
    otaprio_cohort_free(c);
    fleet_free(&f);
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    uint32_t one_card[1] = {3};
    fleet f = fleet_make(50, 1, one_card, 61);
    const double all_canary[1] = {0.99}; /* every device */
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_PROPORTIONAL, all_canary, 1);
    f.keys[7] = f.keys[3];
    f.codes[0][7] = f.codes[0][3];
    otaprio_cohort_sampler *s = sampler_make(&spec);
    assert_int_equal(fleet_observe(s, &f, 0, f.n, 13), OTAPRIO_OK);
    otaprio_cohort *c = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_cohort_sampler_finish(s, NULL, &c, &diag),
                     OTAPRIO_E_DUPLICATE);
    assert_null(c);
    char key_text[32];
    snprintf(key_text, sizeof key_text, "%016llx",
             (unsigned long long)f.keys[3]);
    assert_non_null(strstr(diag.message, key_text));
    otaprio_cohort_sampler_free(s);
    fleet_free(&f);
}

static void test_retain_fraction_exhausted(void **state)
{
    (void)state;
    uint32_t cards[1] = {4};
    fleet f = fleet_make(40000, 1, cards, 71);
    const double waves[1] = {0.02};
    /* Neyman with one stratum's deviation far above the others': it needs
     * far more than 2% of its devices. */
    double sd[4] = {1.0, 1.0, 1.0, 1000.0};
    otaprio_cohort_spec spec = fleet_spec(&f, OTAPRIO_COHORT_NEYMAN, waves, 1);
    spec.stratum_sd = sd;
    spec.stratum_sd_count = 4;
    spec.retain_fraction = 0.02;
    otaprio_cohort_sampler *s = sampler_make(&spec);
    assert_int_equal(fleet_observe(s, &f, 0, f.n, 5000), OTAPRIO_OK);
    otaprio_cohort *c = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_cohort_sampler_finish(s, NULL, &c, &diag),
                     OTAPRIO_E_LIMIT);
    assert_string_equal(diag.field, "retain_fraction");
    assert_int_equal(diag.index, 3);
    otaprio_cohort_sampler_free(s);
    /* The default retain fraction allows for the ratio of deviations. */
    spec.retain_fraction = 0;
    c = finish_fleet(&f, &spec);
    check_cohort(&f, &spec, c);
    otaprio_cohort_free(c);
    fleet_free(&f);
}

static double tvd_of(const otaprio_cohort *c, uint32_t wave)
{
    otaprio_representativeness r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    assert_int_equal(otaprio_cohort_representativeness(c, wave, &r, NULL),
                     OTAPRIO_OK);
    return r.tvd;
}

/* The headline statistic: on a skewed fleet of 200,000 devices in ~2,000
 * strata, a stratified 1% cohort mirrors the fleet far better than the hash
 * threshold's (figures in docs/cohort.md). */
static void test_stratified_beats_hash_threshold(void **state)
{
    (void)state;
    fleet f = fleet_make(200000, 3, cards3, 81);
    const double waves[1] = {0.01};
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_HASH_THRESHOLD, waves, 1);
    otaprio_cohort *hash = finish_fleet(&f, &spec);
    spec.method = OTAPRIO_COHORT_PROPORTIONAL;
    otaprio_cohort *stratified = finish_fleet(&f, &spec);
    double th = tvd_of(hash, 0), ts = tvd_of(stratified, 0);
    print_message("1%% cohort TVD: hash threshold %.4f, proportional %.4f\n",
                  th, ts);
    assert_true(ts < 0.6 * th);
    otaprio_cohort_free(hash);
    otaprio_cohort_free(stratified);
    fleet_free(&f);
}

/* Fleet churn: 1% of devices leave and 1% new ones join; count the staying
 * devices whose wave changes (figures in docs/cohort.md). */
static void test_churn_moves_few(void **state)
{
    (void)state;
    size_t n = 100000, churn = n / 100;
    fleet f = fleet_make(n + churn, 3, cards3, 91);
    const double waves[3] = {0.01, 0.05, 1.0};
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT - 1;
         method++) {
        otaprio_cohort_spec spec = fleet_spec(&f, method, waves, 3);
        /* Before: devices [0, n). After: [churn, n + churn). */
        otaprio_cohort_sampler *a = sampler_make(&spec),
                               *b = sampler_make(&spec);
        assert_int_equal(fleet_observe(a, &f, 0, n, 4096), OTAPRIO_OK);
        assert_int_equal(fleet_observe(b, &f, churn, n + churn, 4096),
                         OTAPRIO_OK);
        otaprio_cohort *before = cohort_make(a), *after = cohort_make(b);
        const uint32_t *columns[FLEET_MAX_DIMS];
        otaprio_cohort_chunk stay = fleet_chunk(&f, churn, n - churn, columns);
        uint8_t *wa = fixture_calloc(n, 1), *wb = fixture_calloc(n, 1);
        assert_int_equal(otaprio_cohort_assign(before, &stay, wa, NULL),
                         OTAPRIO_OK);
        assert_int_equal(otaprio_cohort_assign(after, &stay, wb, NULL),
                         OTAPRIO_OK);
        size_t moved[2] = {0, 0};
        for (size_t i = 0; i < n - churn; i++)
            for (uint32_t k = 0; k < 2; k++)
                moved[k] += (wa[i] <= k) != (wb[i] <= k);
        uint64_t size0 = wave_info(before, 0).selected,
                 size1 = wave_info(before, 1).selected;
        print_message("method %d: churn of 1%% moves %zu of %llu devices in "
                      "or out of wave 0, %zu of %llu for wave 1\n",
                      (int)method, moved[0], (unsigned long long)size0,
                      moved[1], (unsigned long long)size1);
        /* A device stays unless its stratum's quota or rank changed: far
         * fewer than the cohort (hash threshold: none at all). */
        if (method == OTAPRIO_COHORT_HASH_THRESHOLD) {
            assert_int_equal(moved[0], 0);
            assert_int_equal(moved[1], 0);
        }
        assert_true(moved[0] * 5 < size0);
        assert_true(moved[1] * 5 < size1);
        free(wa);
        free(wb);
        otaprio_cohort_free(before);
        otaprio_cohort_free(after);
        otaprio_cohort_sampler_free(a);
        otaprio_cohort_sampler_free(b);
    }
    fleet_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_method_against_brute_force),
        cmocka_unit_test(test_rules_against_brute_force),
        cmocka_unit_test(test_held_devices_rank_far),
        cmocka_unit_test(test_waves_nest_and_prefixes_agree),
        cmocka_unit_test(test_minimum_covers_rare_strata),
        cmocka_unit_test(test_caps_hold),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_retain_fraction_exhausted),
        cmocka_unit_test(test_stratified_beats_hash_threshold),
        cmocka_unit_test(test_churn_moves_few),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
