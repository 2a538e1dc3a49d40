/* SPDX-License-Identifier: MIT */
/*
 * The cohort sampler as a streaming, mergeable state: every spec and chunk
 * error named in diag and changing nothing; the same bytes and the same
 * cohort whatever the chunking and for 1, 2 and 7 shards merged in memory
 * or through bytes; serialised states that are corrupted, truncated,
 * foreign or from a newer format refused; every allocation failure of
 * observe, merge, serialise, merge from bytes and finish.
 */
#include "alloc_fail.h"
#include "cohort_fixture.h"

static const uint32_t cards3[3] = {40, 12, 6};
static const double schedule[4] = {0.001, 0.01, 0.05, 1.0};

/* ---- spec errors ------------------------------------------------------- */

static void expect_create(const otaprio_cohort_spec *spec, int status,
                          const char *field)
{
    otaprio_cohort_sampler *s = (otaprio_cohort_sampler *)&s; /* sentinel */
    otaprio_cohort_sampler *before = s;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_cohort_sampler_create(spec, NULL, &s, &diag),
                     status);
    assert_ptr_equal(s, before); /* untouched on failure */
    assert_int_equal(diag.status, status);
    assert_string_equal(diag.field, field);
    assert_true(strlen(diag.message) > 0);
}

static void test_spec_errors(void **state)
{
    (void)state;
    uint32_t cards[3] = {40, 12, 6};
    double waves[3] = {0.01, 0.1, 1.0};
    otaprio_cohort_spec good;
    otaprio_cohort_spec_init(&good);
    good.dimension_count = 3;
    good.cardinalities = cards;
    good.waves = waves;
    good.wave_count = 3;
    otaprio_cohort_sampler *s = NULL;
    assert_int_equal(otaprio_cohort_sampler_create(&good, NULL, &s, NULL),
                     OTAPRIO_OK);
    otaprio_cohort_sampler_free(s);
    assert_int_equal(otaprio_cohort_sampler_create(&good, NULL, NULL, NULL),
                     OTAPRIO_E_INVALID);

    otaprio_cohort_spec bad = good;
    bad.wave_count = 0;
    expect_create(&bad, OTAPRIO_E_RANGE, "wave_count");
    bad = good;
    bad.wave_count = OTAPRIO_COHORT_MAX_WAVES + 1;
    expect_create(&bad, OTAPRIO_E_LIMIT, "wave_count");
    bad = good;
    bad.waves = NULL;
    expect_create(&bad, OTAPRIO_E_INVALID, "waves");

    double zero[2] = {0.0, 0.5}, over[2] = {0.5, 1.5}, flat[2] = {0.5, 0.5},
           falling[2] = {0.5, 0.1}, nan[2] = {0.1, 0.0 / 0.0},
           one_first[2] = {1.0, 1.0};
    const double *broken[] = {zero, over, flat, falling, nan, one_first};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        bad = good;
        bad.waves = broken[i];
        bad.wave_count = 2;
        expect_create(&bad, OTAPRIO_E_RANGE, "waves");
    }

    bad = good;
    bad.cardinalities = NULL;
    expect_create(&bad, OTAPRIO_E_INVALID, "cardinalities");
    uint32_t zero_card[3] = {40, 0, 6};
    bad = good;
    bad.cardinalities = zero_card;
    expect_create(&bad, OTAPRIO_E_RANGE, "cardinalities");
    uint32_t huge[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
    bad = good;
    bad.cardinalities = huge;
    expect_create(&bad, OTAPRIO_E_OVERFLOW, "cardinalities");
    bad = good;
    bad.dimension_count = OTAPRIO_COHORT_MAX_DIMENSIONS + 1;
    expect_create(&bad, OTAPRIO_E_LIMIT, "dimension_count");

    bad = good;
    bad.method = OTAPRIO_COHORT_METHOD_COUNT;
    expect_create(&bad, OTAPRIO_E_RANGE, "method");
    bad = good;
    bad.method = OTAPRIO_COHORT_HASH_THRESHOLD;
    bad.minimum_per_stratum = 2;
    expect_create(&bad, OTAPRIO_E_INVALID, "minimum_per_stratum");

    double sd[40 * 12 * 6];
    for (size_t i = 0; i < sizeof sd / sizeof sd[0]; i++)
        sd[i] = 1.0;
    bad = good;
    bad.stratum_sd = sd;
    bad.stratum_sd_count = 40 * 12 * 6;
    expect_create(&bad, OTAPRIO_E_INVALID, "stratum_sd");
    bad.method = OTAPRIO_COHORT_NEYMAN;
    bad.stratum_sd_count = 7;
    expect_create(&bad, OTAPRIO_E_INVALID, "stratum_sd_count");
    bad.stratum_sd_count = 40 * 12 * 6;
    sd[100] = -1.0;
    expect_create(&bad, OTAPRIO_E_RANGE, "stratum_sd");
    sd[100] = 1.0 / 0.0;
    expect_create(&bad, OTAPRIO_E_RANGE, "stratum_sd");
    sd[100] = 1.0;
    assert_int_equal(otaprio_cohort_sampler_create(&bad, NULL, &s, NULL),
                     OTAPRIO_OK);
    otaprio_cohort_sampler_free(s);
    bad.stratum_sd = NULL;
    expect_create(&bad, OTAPRIO_E_INVALID, "stratum_sd");

    bad = good;
    bad.retain_fraction = 1.5;
    expect_create(&bad, OTAPRIO_E_RANGE, "retain_fraction");
    bad.retain_fraction = -0.1;
    expect_create(&bad, OTAPRIO_E_RANGE, "retain_fraction");
    bad = good;
    bad.minimum_battery = 2.0f;
    expect_create(&bad, OTAPRIO_E_RANGE, "minimum_battery");
    bad = good;
    bad.exclude_metered = 2;
    expect_create(&bad, OTAPRIO_E_RANGE, "exclude_metered");
    bad = good;
    bad.excluded_cluster_count = 3;
    expect_create(&bad, OTAPRIO_E_INVALID, "excluded_clusters");
    bad = good;
    bad.cap_dimension = 3;
    expect_create(&bad, OTAPRIO_E_RANGE, "cap_dimension");
    bad.cap_dimension = 1;
    expect_create(&bad, OTAPRIO_E_INVALID, "caps");
    uint64_t caps[12] = {0};
    bad.caps = caps;
    bad.method = OTAPRIO_COHORT_HASH_THRESHOLD;
    expect_create(&bad, OTAPRIO_E_INVALID, "cap_dimension");

    /* A struct from a newer caller with an unknown, non-zero tail. */
    struct {
        otaprio_cohort_spec spec;
        uint64_t extra;
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.spec = good;
    newer.spec.size = sizeof newer;
    newer.extra = 1;
    expect_create(&newer.spec, OTAPRIO_E_STRUCT_SIZE, "size");
    newer.extra = 0;
    assert_int_equal(otaprio_cohort_sampler_create(&newer.spec, NULL, &s, NULL),
                     OTAPRIO_OK);
    otaprio_cohort_sampler_free(s);
}

/* ---- chunk errors change nothing --------------------------------------- */

static void expect_observe(otaprio_cohort_sampler *s,
                           const otaprio_cohort_chunk *chunk, int status,
                           const char *field, int64_t index)
{
    size_t before_length, after_length;
    unsigned char *before = state_bytes(s, &before_length);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_cohort_sampler_observe(s, chunk, &diag), status);
    assert_string_equal(diag.field, field);
    assert_int_equal(diag.index, index);
    unsigned char *after = state_bytes(s, &after_length);
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
}

static void test_chunk_errors(void **state)
{
    (void)state;
    fleet f = fleet_make(500, 3, cards3, 1);
    fleet_add_rules(&f, 2);
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_PROPORTIONAL, schedule, 4);
    otaprio_cohort_sampler *s = sampler_make(&spec);
    assert_int_equal(fleet_observe(s, &f, 0, 200, 64), OTAPRIO_OK);

    const uint32_t *columns[FLEET_MAX_DIMS];
    otaprio_cohort_chunk c = fleet_chunk(&f, 200, 300, columns);
    f.codes[1][250] = 12; /* cardinality 12 */
    expect_observe(s, &c, OTAPRIO_E_RANGE, "codes", 50);
    f.codes[1][250] = 0;
    f.metered[260] = 2;
    expect_observe(s, &c, OTAPRIO_E_RANGE, "metered", 60);
    f.metered[260] = 0;
    f.battery[270] = 1.5f;
    expect_observe(s, &c, OTAPRIO_E_RANGE, "battery", 70);
    f.battery[270] = 0.0f / 0.0f;
    expect_observe(s, &c, OTAPRIO_E_RANGE, "battery", 70);
    f.battery[270] = 0.5f;
    otaprio_cohort_chunk no_keys = c;
    no_keys.keys = NULL;
    expect_observe(s, &no_keys, OTAPRIO_E_INVALID, "keys", -1);
    expect_observe(s, NULL, OTAPRIO_E_INVALID, "chunk", -1);
    assert_int_equal(otaprio_cohort_sampler_observe(NULL, &c, NULL),
                     OTAPRIO_E_INVALID);
    /* An empty chunk is fine, with or without keys. */
    otaprio_cohort_chunk empty;
    otaprio_cohort_chunk_init(&empty);
    assert_int_equal(otaprio_cohort_sampler_observe(s, &empty, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_cohort_sampler_observe(s, &c, NULL), OTAPRIO_OK);

    /* Keys and codes alone take the dense pass, which checks codes block
     * by block as it reads them: a bad code in a later block must undo
     * the blocks before it and name the device all the same. */
    otaprio_cohort_chunk plain;
    otaprio_cohort_chunk_init(&plain);
    plain.count = 400;
    plain.keys = f.keys;
    plain.codes = f.columns;
    f.codes[2][377] = 6; /* cardinality 6 */
    expect_observe(s, &plain, OTAPRIO_E_RANGE, "codes", 377);
    f.codes[2][377] = 5;
    assert_int_equal(otaprio_cohort_sampler_observe(s, &plain, NULL),
                     OTAPRIO_OK);
    otaprio_cohort_sampler_free(s);
    fleet_free(&f);
}

/* ---- determinism across chunking and sharding --------------------------- */

/* The state of the whole fleet through `shards` samplers fed round robin
 * in chunks of `chunk`, merged into the first (through bytes when
 * `through_bytes`). */
static otaprio_cohort_sampler *sharded(const fleet *f,
                                       const otaprio_cohort_spec *spec,
                                       size_t shards, size_t chunk,
                                       bool through_bytes)
{
    otaprio_cohort_sampler *s[7] = {NULL};
    for (size_t k = 0; k < shards; k++)
        s[k] = sampler_make(spec);
    const uint32_t *columns[FLEET_MAX_DIMS];
    size_t turn = 0;
    for (size_t i = 0; i < f->n; i += chunk, turn++) {
        size_t count = f->n - i < chunk ? f->n - i : chunk;
        otaprio_cohort_chunk c = fleet_chunk(f, i, count, columns);
        assert_int_equal(
            otaprio_cohort_sampler_observe(s[turn % shards], &c, NULL),
            OTAPRIO_OK);
    }
    for (size_t k = 1; k < shards; k++) {
        if (through_bytes) {
            size_t length;
            unsigned char *bytes = state_bytes(s[k], &length);
            assert_int_equal(otaprio_cohort_sampler_merge_serialized(
                                 s[0], bytes, length, NULL),
                             OTAPRIO_OK);
            free(bytes);
        } else {
            assert_int_equal(otaprio_cohort_sampler_merge(s[0], s[k], NULL),
                             OTAPRIO_OK);
        }
        otaprio_cohort_sampler_free(s[k]);
    }
    return s[0];
}

static void check_same_everywhere(const fleet *f,
                                  const otaprio_cohort_spec *spec)
{
    otaprio_cohort_sampler *one = sharded(f, spec, 1, f->n, false);
    size_t length;
    unsigned char *bytes = state_bytes(one, &length);
    otaprio_cohort *cohort = cohort_make(one);
    listing reference = listing_of(cohort);
    otaprio_cohort_free(cohort);

    const size_t shard_counts[3] = {1, 2, 7};
    const size_t chunks[3] = {1, 97, 4096};
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++)
            for (int through = 0; through < 2; through++) {
                otaprio_cohort_sampler *s =
                    sharded(f, spec, shard_counts[a], chunks[b], through != 0);
                size_t other_length;
                unsigned char *other = state_bytes(s, &other_length);
                assert_int_equal(other_length, length);
                assert_memory_equal(other, bytes, length);
                otaprio_cohort *c = cohort_make(s);
                listing l = listing_of(c);
                assert_listings_equal(&l, &reference);
                listing_free(&l);
                otaprio_cohort_free(c);
                otaprio_cohort_sampler_free(s);
                free(other);
            }
    listing_free(&reference);
    free(bytes);
    otaprio_cohort_sampler_free(one);
}

static void test_same_for_any_chunking_and_sharding(void **state)
{
    (void)state;
    fleet f = fleet_make(6000, 3, cards3, 3);
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT; method++) {
        otaprio_cohort_spec spec = fleet_spec(&f, method, schedule, 4);
        double sd[40 * 12 * 6];
        if (method == OTAPRIO_COHORT_NEYMAN) {
            for (size_t h = 0; h < 40 * 12 * 6; h++)
                sd[h] = 0.5 + (double)(h % 7);
            spec.stratum_sd = sd;
            spec.stratum_sd_count = 40 * 12 * 6;
        }
        check_same_everywhere(&f, &spec);
    }
    /* With eligibility rules and holds too. */
    fleet_add_rules(&f, 4);
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_MINIMUM_COVERAGE, schedule, 4);
    spec.critical_first_wave = 2;
    spec.exclude_metered = 1;
    spec.minimum_battery = 0.2f;
    uint32_t clusters[2] = {3, 11};
    spec.excluded_clusters = clusters;
    spec.excluded_cluster_count = 2;
    check_same_everywhere(&f, &spec);
    fleet_free(&f);
}

/* ---- merging refuses what it cannot honour ----------------------------- */

static void test_merge_errors(void **state)
{
    (void)state;
    fleet f = fleet_make(300, 3, cards3, 5);
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_PROPORTIONAL, schedule, 4);
    otaprio_cohort_sampler *a = sampler_make(&spec);
    spec.salt++;
    otaprio_cohort_sampler *other_rollout = sampler_make(&spec);
    assert_int_equal(fleet_observe(a, &f, 0, 300, 100), OTAPRIO_OK);
    assert_int_equal(fleet_observe(other_rollout, &f, 0, 300, 100), OTAPRIO_OK);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_cohort_sampler_merge(a, other_rollout, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "other");
    assert_int_equal(otaprio_cohort_sampler_merge(a, a, NULL),
                     OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_cohort_sampler_merge(a, NULL, NULL),
                     OTAPRIO_E_INVALID);
    size_t length;
    unsigned char *bytes = state_bytes(other_rollout, &length);
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_cohort_sampler_merge_serialized(a, bytes, length, &diag),
        OTAPRIO_E_INVALID);
    assert_non_null(strstr(diag.message, "another rollout"));
    free(bytes);
    otaprio_cohort_sampler_free(a);
    otaprio_cohort_sampler_free(other_rollout);
    fleet_free(&f);
}

/* ---- serialised states are outside data -------------------------------- */

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Recomputes the trailing checksum, the way a forger would, so the checks
 * behind it are reached (XXH3-64 through the library's own key derivation,
 * which is XXH3-64 with seed 0). */
static void reseal(unsigned char *bytes, size_t length)
{
    uint64_t sum;
    assert_int_equal(otaprio_key_derive(bytes, length - 8, &sum), OTAPRIO_OK);
    put_le64(bytes + length - 8, sum);
}

static void test_state_refused(void **state)
{
    (void)state;
    fleet f = fleet_make(400, 3, cards3, 6);
    fleet_add_rules(&f, 7);
    otaprio_cohort_spec spec =
        fleet_spec(&f, OTAPRIO_COHORT_PROPORTIONAL, schedule, 4);
    spec.critical_first_wave = 1;
    otaprio_cohort_sampler *source = sampler_make(&spec);
    assert_int_equal(fleet_observe(source, &f, 0, 400, 400), OTAPRIO_OK);
    size_t length;
    unsigned char *bytes = state_bytes(source, &length);
    assert_int_equal(le64(bytes + length - 8) != 0, 1);

    otaprio_cohort_sampler *s = sampler_make(&spec);
    size_t empty_length;
    unsigned char *empty = state_bytes(s, &empty_length);
    otaprio_diag diag;

    /* Every single-byte flip and every truncation is refused, and the
     * sampler stays empty. */
    for (size_t i = 0; i < length; i++) {
        bytes[i] ^= 0x20;
        int status =
            otaprio_cohort_sampler_merge_serialized(s, bytes, length, NULL);
        assert_int_not_equal(status, OTAPRIO_OK);
        bytes[i] ^= 0x20;
    }
    for (size_t cut = 0; cut < length; cut += 1 + cut / 8) {
        otaprio_diag_init(&diag);
        assert_int_equal(
            otaprio_cohort_sampler_merge_serialized(s, bytes, cut, &diag),
            OTAPRIO_E_SYNTAX);
    }
    size_t now_length;
    unsigned char *now = state_bytes(s, &now_length);
    assert_int_equal(now_length, empty_length);
    assert_memory_equal(now, empty, empty_length);
    free(now);

    /* Resealed forgeries reach the deeper checks. */
    unsigned char *forged = fixture_calloc(length, 1);
    memcpy(forged, bytes, length);
    forged[8] = 2; /* format version 2 */
    reseal(forged, length);
    assert_int_equal(
        otaprio_cohort_sampler_merge_serialized(s, forged, length, NULL),
        OTAPRIO_E_LIMIT);
    memcpy(forged, bytes, length);
    put_le64(forged + 24, le64(bytes + 24) + 1); /* devices */
    reseal(forged, length);
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_cohort_sampler_merge_serialized(s, forged, length, &diag),
        OTAPRIO_E_SYNTAX);
    assert_non_null(strstr(diag.message, "add up"));
    memcpy(forged, bytes, length);
    put_le64(forged + 40, UINT64_MAX); /* the first stratum id */
    reseal(forged, length);
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_cohort_sampler_merge_serialized(s, forged, length, &diag),
        OTAPRIO_E_SYNTAX);
    assert_non_null(strstr(diag.message, "stratum id"));
    /* A kept key replaced: its recomputed position is past the limit, or
     * the list is out of order; it is never trusted. */
    size_t first_key = 40 + 32 + 8 * 4;
    memcpy(forged, bytes, length);
    if (le64(bytes + 40 + 16 + 8 * 4) > 0) { /* the first stratum keeps one */
        put_le64(forged + first_key, le64(bytes + first_key) ^ 1);
        reseal(forged, length);
        assert_int_equal(
            otaprio_cohort_sampler_merge_serialized(s, forged, length, NULL),
            OTAPRIO_E_SYNTAX);
    }
    free(forged);

    assert_int_equal(
        otaprio_cohort_sampler_merge_serialized(s, bytes, length, NULL),
        OTAPRIO_OK);
    assert_int_equal(
        otaprio_cohort_sampler_merge_serialized(NULL, bytes, length, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(otaprio_cohort_sampler_merge_serialized(s, NULL, 9, NULL),
                     OTAPRIO_E_INVALID);

    /* Serialising into a short buffer writes nothing and says the size. */
    unsigned char small[16] = {0};
    size_t needed = 0;
    assert_int_equal(
        otaprio_cohort_sampler_serialize(s, small, sizeof small, &needed, NULL),
        OTAPRIO_E_RANGE);
    assert_int_equal(needed, length);
    for (size_t i = 0; i < sizeof small; i++)
        assert_int_equal(small[i], 0);
    assert_int_equal(otaprio_cohort_sampler_serialize(s, NULL, 0, NULL, NULL),
                     OTAPRIO_E_INVALID);

    free(empty);
    free(bytes);
    otaprio_cohort_sampler_free(s);
    otaprio_cohort_sampler_free(source);
    fleet_free(&f);
}

/* ---- every allocation failure ------------------------------------------ */

typedef struct scenario {
    const fleet *f;
    otaprio_cohort_spec spec;
    unsigned char *expected; /* the state after the whole fleet */
    size_t expected_length;
} scenario;

/* Streams the fleet in chunks with a failing allocator. A failed observe
 * must leave the state as it was, in its bytes and in how it goes on: the
 * chunk is observed again (only one allocation fails) and the stream
 * continues, and the end state must be the one of a run without failure.
 * The first failure's status is what the scenario returns. */
static int observe_scenario(const otaprio_allocator *allocator, void *ctx)
{
    scenario *sc = ctx;
    otaprio_cohort_sampler *s = NULL;
    int status = otaprio_cohort_sampler_create(&sc->spec, allocator, &s, NULL);
    if (status != OTAPRIO_OK)
        return status;
    int first_failure = OTAPRIO_OK;
    const uint32_t *columns[FLEET_MAX_DIMS];
    for (size_t i = 0; i < sc->f->n; i += 250) {
        size_t count = sc->f->n - i < 250 ? sc->f->n - i : 250;
        otaprio_cohort_chunk c = fleet_chunk(sc->f, i, count, columns);
        size_t before_length = 0;
        unsigned char *before = NULL;
        status =
            otaprio_cohort_sampler_serialize(s, NULL, 0, &before_length, NULL);
        before = malloc(before_length);
        assert_non_null(before);
        if (status == OTAPRIO_OK)
            status = otaprio_cohort_sampler_serialize(s, before, before_length,
                                                      &before_length, NULL);
        if (status != OTAPRIO_OK) { /* the one failure was here */
            free(before);
            first_failure =
                first_failure != OTAPRIO_OK ? first_failure : status;
            i -= 250; /* do this chunk again */
            continue;
        }
        status = otaprio_cohort_sampler_observe(s, &c, NULL);
        if (status != OTAPRIO_OK) {
            size_t after_length = 0;
            unsigned char *after = malloc(before_length);
            assert_non_null(after);
            assert_int_equal(otaprio_cohort_sampler_serialize(
                                 s, after, before_length, &after_length, NULL),
                             OTAPRIO_OK);
            assert_int_equal(after_length, before_length);
            assert_memory_equal(after, before, before_length);
            free(after);
            first_failure =
                first_failure != OTAPRIO_OK ? first_failure : status;
            assert_int_equal(otaprio_cohort_sampler_observe(s, &c, NULL),
                             OTAPRIO_OK);
        }
        free(before);
    }
    size_t length = 0;
    assert_int_equal(
        otaprio_cohort_sampler_serialize(s, NULL, 0, &length, NULL),
        OTAPRIO_OK);
    unsigned char *bytes = malloc(length);
    assert_non_null(bytes);
    status = otaprio_cohort_sampler_serialize(s, bytes, length, &length, NULL);
    if (status == OTAPRIO_OK) {
        assert_int_equal(length, sc->expected_length);
        assert_memory_equal(bytes, sc->expected, length);
    }
    free(bytes);
    if (status == OTAPRIO_OK && first_failure == OTAPRIO_OK) {
        otaprio_cohort *c = NULL;
        status = otaprio_cohort_sampler_finish(s, allocator, &c, NULL);
        if (status == OTAPRIO_OK) {
            otaprio_representativeness r;
            memset(&r, 0, sizeof r);
            r.size = sizeof r;
            status = otaprio_cohort_representativeness(c, 1, &r, NULL);
        }
        otaprio_cohort_free(c);
    }
    otaprio_cohort_sampler_free(s);
    return first_failure != OTAPRIO_OK ? first_failure : status;
}

/* Merges two halves, in memory and through bytes, with a failing
 * allocator; a failed merge changes nothing. */
static int merge_scenario(const otaprio_allocator *allocator, void *ctx)
{
    scenario *sc = ctx;
    otaprio_cohort_sampler *a = NULL, *b = NULL, *c = NULL;
    int status = otaprio_cohort_sampler_create(&sc->spec, allocator, &a, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_create(&sc->spec, allocator, &b, NULL);
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_create(&sc->spec, allocator, &c, NULL);
    size_t half = sc->f->n / 2, third = sc->f->n / 3;
    if (status == OTAPRIO_OK)
        status = fleet_observe(a, sc->f, 0, third, 500);
    if (status == OTAPRIO_OK)
        status = fleet_observe(b, sc->f, third, half, 500);
    if (status == OTAPRIO_OK)
        status = fleet_observe(c, sc->f, half, sc->f->n, 500);
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_merge(a, b, NULL);
    unsigned char *bytes = NULL;
    size_t length = 0;
    if (status == OTAPRIO_OK)
        status = otaprio_cohort_sampler_serialize(c, NULL, 0, &length, NULL);
    if (status == OTAPRIO_OK) {
        bytes = malloc(length);
        assert_non_null(bytes);
        status =
            otaprio_cohort_sampler_serialize(c, bytes, length, &length, NULL);
    }
    if (status == OTAPRIO_OK) {
        status =
            otaprio_cohort_sampler_merge_serialized(a, bytes, length, NULL);
    }
    free(bytes);
    if (status == OTAPRIO_OK) {
        size_t got_length;
        status =
            otaprio_cohort_sampler_serialize(a, NULL, 0, &got_length, NULL);
        unsigned char *got = malloc(got_length);
        assert_non_null(got);
        if (status == OTAPRIO_OK)
            status = otaprio_cohort_sampler_serialize(a, got, got_length,
                                                      &got_length, NULL);
        if (status == OTAPRIO_OK) {
            assert_int_equal(got_length, sc->expected_length);
            assert_memory_equal(got, sc->expected, got_length);
        }
        free(got);
    }
    otaprio_cohort_sampler_free(a);
    otaprio_cohort_sampler_free(b);
    otaprio_cohort_sampler_free(c);
    return status;
}

/* With `rules`, chunks with eligibility columns (the general pass);
 * without, plain ones (the dense pass, which counts a block before
 * keeping any of it). */
static void allocation_failures(bool rules)
{
    fleet f = fleet_make(1000, 3, cards3, 8);
    if (rules)
        fleet_add_rules(&f, 9);
    for (int32_t method = 0; method < OTAPRIO_COHORT_METHOD_COUNT; method++) {
        if (method == OTAPRIO_COHORT_NEYMAN)
            continue; /* same paths as proportional, with weights */
        scenario sc;
        sc.f = &f;
        sc.spec = fleet_spec(&f, method, schedule, 4);
        sc.spec.critical_first_wave = rules ? 1 : 0;
        otaprio_cohort_sampler *s = sampler_make(&sc.spec);
        assert_int_equal(fleet_observe(s, &f, 0, f.n, f.n), OTAPRIO_OK);
        sc.expected = state_bytes(s, &sc.expected_length);
        otaprio_cohort_sampler_free(s);
        assert_true(alloc_fail_sweep(observe_scenario, &sc, OTAPRIO_E_NOMEM) >
                    10);
        assert_true(alloc_fail_sweep(merge_scenario, &sc, OTAPRIO_E_NOMEM) >
                    10);
        free(sc.expected);
    }
    fleet_free(&f);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    allocation_failures(true);
    allocation_failures(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_errors),
        cmocka_unit_test(test_chunk_errors),
        cmocka_unit_test(test_same_for_any_chunking_and_sharding),
        cmocka_unit_test(test_merge_errors),
        cmocka_unit_test(test_state_refused),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
