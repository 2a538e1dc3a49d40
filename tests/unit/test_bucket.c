/* SPDX-License-Identifier: MIT */
/*
 * Device keys and bucketing. The golden vectors come from an independent
 * implementation (tests/vectors/gen_bucket_vectors.py); the properties pin
 * what cohort sampling will rely on.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "vectors/bucket_vectors.h"

/* libxxhash itself, the reference the batch builds are checked against. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void keys_match_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(key_vectors); i++) {
        uint64_t key = 0;
        assert_int_equal(otaprio_key_derive(key_vectors[i].bytes,
                                            key_vectors[i].length, &key),
                         OTAPRIO_OK);
        assert_int_equal(key, key_vectors[i].key);
    }
}

static void positions_and_fractions_match_the_reference(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bucket_vectors); i++) {
        const bucket_vector *v = &bucket_vectors[i];
        assert_int_equal(otaprio_bucket_position(v->salt, v->key), v->position);
        /* Exact equality: the fraction is defined bit for bit. */
        assert_true(otaprio_bucket_fraction(v->salt, v->key) == v->fraction);
    }
}

static void key_bytes_are_hashed_little_endian(void **state)
{
    (void)state;
    unsigned char bytes[8];
    otaprio__store_le64(bytes, 0x0102030405060708ull);
    const unsigned char expected[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_memory_equal(bytes, expected, 8);
}

static void empty_identifier_may_be_null(void **state)
{
    (void)state;
    uint64_t from_null = 1, from_empty = 2;
    assert_int_equal(otaprio_key_derive(NULL, 0, &from_null), OTAPRIO_OK);
    assert_int_equal(otaprio_key_derive("", 0, &from_empty), OTAPRIO_OK);
    assert_int_equal(from_null, from_empty);
    assert_int_equal(from_null, key_vectors[0].key);
}

static void key_derive_rejects_null_arguments(void **state)
{
    (void)state;
    uint64_t key = 42;
    assert_int_equal(otaprio_key_derive(NULL, 3, &key), OTAPRIO_E_INVALID);
    assert_int_equal(key, 42);
    assert_int_equal(otaprio_key_derive("abc", 3, NULL), OTAPRIO_E_INVALID);
}

/* Packs the reference identifiers back to back, Arrow style. */
static size_t pack_identifiers(unsigned char *bytes, size_t capacity,
                               uint64_t *offsets)
{
    size_t used = 0;
    offsets[0] = 0;
    for (size_t i = 0; i < COUNT(key_vectors); i++) {
        assert_true(used + key_vectors[i].length <= capacity);
        memcpy(bytes + used, key_vectors[i].bytes, key_vectors[i].length);
        used += key_vectors[i].length;
        offsets[i + 1] = used;
    }
    return used;
}

static void batch_keys_equal_single_keys(void **state)
{
    (void)state;
    static unsigned char bytes[4096];
    uint64_t offsets[COUNT(key_vectors) + 1];
    pack_identifiers(bytes, sizeof bytes, offsets);
    uint64_t keys[COUNT(key_vectors)];
    assert_int_equal(otaprio_key_derive_batch(bytes, offsets,
                                              COUNT(key_vectors), keys, NULL),
                     OTAPRIO_OK);
    for (size_t i = 0; i < COUNT(key_vectors); i++)
        assert_int_equal(keys[i], key_vectors[i].key);
}

static void batch_keys_accept_offsets_not_starting_at_zero(void **state)
{
    (void)state;
    const char bytes[] = "xxxdev1SN-00042";
    const uint64_t offsets[] = {3, 7, 15};
    uint64_t keys[2];
    assert_int_equal(otaprio_key_derive_batch(bytes, offsets, 2, keys, NULL),
                     OTAPRIO_OK);
    assert_int_equal(keys[0], key_vectors[4].key); /* "dev1" */
    assert_int_equal(keys[1], key_vectors[5].key); /* "SN-00042" */
}

static void batch_keys_reject_decreasing_offsets_untouched(void **state)
{
    (void)state;
    const char bytes[] = "abcdef";
    const uint64_t offsets[] = {0, 2, 4, 3, 6};
    uint64_t keys[4] = {11, 12, 13, 14};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_key_derive_batch(bytes, offsets, 4, keys, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "offsets");
    assert_int_equal(diag.index, 3);
    assert_non_null(strstr(diag.message, "offsets[3] = 3"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(keys[i], 11 + i);
}

static void batch_keys_reject_null_arrays(void **state)
{
    (void)state;
    const uint64_t offsets[] = {0, 1};
    uint64_t key = 5;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_key_derive_batch("a", NULL, 1, &key, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "offsets");
    assert_int_equal(otaprio_key_derive_batch("a", offsets, 1, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "keys");
    assert_int_equal(otaprio_key_derive_batch(NULL, offsets, 1, &key, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "bytes");
    assert_int_equal(key, 5);
    /* Zero identifiers, or only empty ones, need no bytes at all. */
    const uint64_t empty[] = {4, 4, 4};
    uint64_t keys[2];
    assert_int_equal(otaprio_key_derive_batch(NULL, empty, 2, keys, NULL),
                     OTAPRIO_OK);
    assert_int_equal(keys[1], key_vectors[0].key);
    assert_int_equal(otaprio_key_derive_batch(NULL, empty, 0, NULL, NULL),
                     OTAPRIO_OK);
}

static void batch_positions_equal_single_positions(void **state)
{
    (void)state;
    enum { N = 1000 };
    uint64_t keys[N], positions[N], in_place[N];
    double fractions[N], fractions_only[N];
    for (size_t i = 0; i < N; i++)
        keys[i] = in_place[i] = i * 0x9E3779B97F4A7C15ull;
    const uint64_t salt = bucket_vectors[COUNT(bucket_vectors) - 1].salt;
    assert_int_equal(
        otaprio_bucket_batch(salt, keys, N, positions, fractions, NULL),
        OTAPRIO_OK);
    assert_int_equal(
        otaprio_bucket_batch(salt, keys, N, NULL, fractions_only, NULL),
        OTAPRIO_OK);
    assert_int_equal(
        otaprio_bucket_batch(salt, in_place, N, in_place, NULL, NULL),
        OTAPRIO_OK);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(positions[i], otaprio_bucket_position(salt, keys[i]));
        assert_int_equal(in_place[i], positions[i]);
        assert_true(fractions[i] == otaprio_bucket_fraction(salt, keys[i]));
        assert_true(fractions_only[i] == fractions[i]);
    }
}

typedef void batch_build(uint64_t, const uint64_t *, size_t, uint64_t *);

/* Every build of the batch positions, written out from XXH3's 8-byte path,
 * equals libxxhash's XXH3_64bits_withSeed of the key's little-endian bytes,
 * for random keys and salts and every length a vector loop's tail sees. */
static void batch_builds_equal_libxxhash(void **state)
{
    (void)state;
    batch_build *builds[3] = {otaprio__bucket_positions_baseline,
                              otaprio__bucket_positions};
    size_t build_count = 2;
#ifdef OTAPRIO__BUCKET_POSITIONS_AVX2
    if (__builtin_cpu_supports("avx2"))
        builds[build_count++] = otaprio__bucket_positions_avx2;
#endif
    enum { N = 67 };
    uint64_t keys[N], positions[N];
    uint64_t seed = 0x243F6A8885A308D3ull;
    for (int round = 0; round < 300; round++) {
        uint64_t salt = seed = seed * 6364136223846793005ull + 1;
        if (round < 4) /* salts whose halves are all zeros or all ones */
            salt = round == 0   ? 0
                   : round == 1 ? UINT64_MAX
                   : round == 2 ? UINT64_C(0xffffffff)
                                : UINT64_C(0xffffffff00000000);
        for (size_t i = 0; i < N; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            keys[i] = seed ^ (seed >> 29);
        }
        keys[0] = 0;
        keys[1] = UINT64_MAX;
        for (size_t b = 0; b < build_count; b++) {
            size_t count = (size_t)round % (N + 1);
            memset(positions, 0xa5, sizeof positions);
            builds[b](salt, keys, count, positions);
            for (size_t i = 0; i < count; i++) {
                unsigned char bytes[8];
                for (int k = 0; k < 8; k++)
                    bytes[k] = (unsigned char)(keys[i] >> (8 * k));
                assert_int_equal(positions[i],
                                 XXH3_64bits_withSeed(bytes, 8, salt));
            }
            for (size_t i = count; i < N; i++) /* nothing past count */
                assert_int_equal(positions[i], UINT64_C(0xa5a5a5a5a5a5a5a5));
        }
    }
}

static void batch_positions_reject_bad_arguments_untouched(void **state)
{
    (void)state;
    uint64_t key = 1, position = 77;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_bucket_batch(0, NULL, 1, &position, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "keys");
    assert_int_equal(otaprio_bucket_batch(0, &key, 1, NULL, NULL, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "positions");
    assert_int_equal(position, 77);
    assert_int_equal(otaprio_bucket_batch(0, NULL, 0, &position, NULL, NULL),
                     OTAPRIO_OK);
}

static void fractions_lie_in_the_unit_interval(void **state)
{
    (void)state;
    /* The extremes of the position range map inside [0, 1). */
    assert_true((double)(UINT64_MAX >> 11) * 0x1.0p-53 < 1.0);
    for (uint64_t key = 0; key < 100000; key++) {
        double f = otaprio_bucket_fraction(12345, key);
        assert_true(f >= 0.0 && f < 1.0);
        uint64_t p = otaprio_bucket_position(12345, key);
        assert_true(f == (double)(p >> 11) * 0x1.0p-53);
    }
}

/*
 * Uniformity: 200,000 sequential keys in 20 bins. The chi-square statistic
 * with 19 degrees of freedom exceeds 43.8 with probability 0.001 for a
 * uniform hash; the inputs are fixed, so the outcome is too.
 */
static void positions_are_uniform_for_sequential_keys(void **state)
{
    (void)state;
    enum { KEYS = 200000, BINS = 20 };
    long bins[BINS] = {0};
    for (uint64_t key = 0; key < KEYS; key++)
        bins[(int)(otaprio_bucket_fraction(7, key) * BINS)]++;
    double expected = (double)KEYS / BINS, chi2 = 0.0;
    for (int b = 0; b < BINS; b++) {
        double d = (double)bins[b] - expected;
        chi2 += d * d / expected;
    }
    assert_true(chi2 < 43.8);
}

/*
 * A new salt reshuffles the fleet independently: of the devices in the first
 * 10% under one salt, about 10% are in the first 10% under another.
 */
static void salts_reshuffle_independently(void **state)
{
    (void)state;
    enum { KEYS = 100000 };
    long first = 0, both = 0;
    for (uint64_t key = 0; key < KEYS; key++) {
        if (otaprio_bucket_fraction(1, key) < 0.1) {
            first++;
            if (otaprio_bucket_fraction(2, key) < 0.1)
                both++;
        }
    }
    double share = (double)both / (double)first;
    /* ~10,000 trials: the standard error of the share is 0.003. */
    assert_true(fabs(share - 0.1) < 0.015);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_match_the_reference),
        cmocka_unit_test(positions_and_fractions_match_the_reference),
        cmocka_unit_test(key_bytes_are_hashed_little_endian),
        cmocka_unit_test(empty_identifier_may_be_null),
        cmocka_unit_test(key_derive_rejects_null_arguments),
        cmocka_unit_test(batch_keys_equal_single_keys),
        cmocka_unit_test(batch_keys_accept_offsets_not_starting_at_zero),
        cmocka_unit_test(batch_keys_reject_decreasing_offsets_untouched),
        cmocka_unit_test(batch_keys_reject_null_arrays),
        cmocka_unit_test(batch_positions_equal_single_positions),
        cmocka_unit_test(batch_builds_equal_libxxhash),
        cmocka_unit_test(batch_positions_reject_bad_arguments_untouched),
        cmocka_unit_test(fractions_lie_in_the_unit_interval),
        cmocka_unit_test(positions_are_uniform_for_sequential_keys),
        cmocka_unit_test(salts_reshuffle_independently),
    };
    return cmocka_run_group_tests_name("bucket", tests, NULL, NULL);
}
