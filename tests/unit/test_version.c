/* SPDX-License-Identifier: MIT */
/*
 * Version strings and constraints. The Semantic Versioning subset is
 * checked against an independent implementation (the semver package, via
 * tests/vectors/gen_version_vectors.py); the parts of the order beyond it
 * (missing segments, leading zeros, letters in the release, build
 * metadata, the v prefix) against hand-worked answers; the order as a
 * whole by properties over generated versions; and every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio/graph.h"
#include "vectors/version_vectors.h"
#include "version_order.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* An output value no successful call writes. */
#define UNTOUCHED 0x5A5A

static int sign_of(long value)
{
    return (value > 0) - (value < 0);
}

/* Compares two valid versions through the public function. */
static int compare_n(const char *a, size_t a_length, const char *b,
                     size_t b_length)
{
    int order = UNTOUCHED;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_version_compare(a, a_length, b, b_length, &order, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("comparing '%.*s' with '%.*s': %s", (int)a_length, a,
                 (int)b_length, b, diag.message);
    assert_true(order == -1 || order == 0 || order == 1);
    return order;
}

static int compare(const char *a, const char *b)
{
    return compare_n(a, strlen(a), b, strlen(b));
}

/* Whether a valid version satisfies a valid constraint. */
static int matches_n(const char *constraint, size_t constraint_length,
                     const char *version, size_t version_length)
{
    int matches = UNTOUCHED;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_constraint_matches(constraint, constraint_length, version,
                                   version_length, &matches, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("'%.*s' against '%.*s': %s", (int)constraint_length,
                 constraint, (int)version_length, version, diag.message);
    assert_true(matches == 0 || matches == 1);
    return matches;
}

static int matches(const char *constraint, const char *version)
{
    return matches_n(constraint, strlen(constraint), version, strlen(version));
}

/* ---- known answers -------------------------------------------------- */

static void semver_vectors_agree_pair_by_pair(void **state)
{
    (void)state;
    assert_true(COUNT(version_vectors) > 100);
    for (size_t i = 0; i < COUNT(version_vectors); i++) {
        for (size_t j = 0; j < COUNT(version_vectors); j++) {
            int expected = sign_of((long)i - (long)j);
            int order = compare(version_vectors[i], version_vectors[j]);
            if (order != expected)
                fail_msg("'%s' vs '%s': %d, semver says %d", version_vectors[i],
                         version_vectors[j], order, expected);
        }
    }
}

typedef struct known_order {
    const char *a;
    const char *b;
    int order;
} known_order;

/* Worked out by hand from the documented order. */
static const known_order beyond_semver[] = {
    /* A missing trailing segment counts as 0. */
    {"1", "1.0.0", 0},
    {"1.2", "1.2.0.0", 0},
    {"1.2", "1.2.1", -1},
    {"1.2.0.1", "1.2", 1},
    {"1.0.0.0.0.0.1", "1", 1},
    {"1-rc", "1.0.0-rc", 0},
    /* Numbers by value: leading zeros do not count, any length is exact. */
    {"1.02", "1.2", 0},
    {"007", "7", 0},
    {"00", "0", 0},
    {"0.0", "0", 0},
    {"1.010", "1.9", 1},
    {"1.0010", "1.10", 0},
    {"18446744073709551616", "18446744073709551615", 1},
    {"0000000000000000000000018446744073709551616", "18446744073709551616", 0},
    {"99999999999999999999999999999999999999",
     "100000000000000000000000000000000000000", -1},
    {"1.0-alpha.01", "1.0-alpha.1", 0},
    {"1.0-01", "1.0-1", 0},
    /* A segment with a letter ranks above every number; such segments
     * compare as ASCII bytes, a proper prefix first. */
    {"1.a", "1.999999999999999999999", 1},
    {"1.a", "1.b", -1},
    {"1.a", "1.ab", -1},
    {"1.B", "1.a", -1},
    {"1", "1.a", -1},
    {"1.0a", "1.0", 1},
    {"1.0a", "1.1", 1},
    {"2", "1.a", 1},
    {"1.1.1", "1.1.1w", -1},
    {"1.1.1v", "1.1.1w", -1},
    {"1.1.1zz", "1.1.1w", 1},
    /* Android build ids. */
    {"TQ3A.230901.001", "TQ3A.230905.001", -1},
    {"TQ3A.230901.001", "TQ3A.230901.1", 0},
    {"TQ3A.230901.001", "UP1A.231005.007", -1},
    {"TP1A.221005.002", "TQ3A.230901.001", -1},
    {"SP1A.210812.016", "TQ3A.230901.001", -1},
    {"TQ3A.230901.001", "9999", 1},
    /* The pre-release examples of the header. */
    {"1.0-alpha", "1.0-alpha.1", -1},
    {"1.0-alpha.1", "1.0-beta", -1},
    {"1.0-beta", "1.0", -1},
    /* Build metadata breaks ties by the pre-release rules; none is lowest;
     * the pre-release decides first. */
    {"1.0+build", "1.0", 1},
    {"1.0+1", "1.0+2", -1},
    {"1.0+2", "1.0+10", -1},
    {"1.0+1", "1.0+a", -1},
    {"1.0+b1", "1.0+b1.1", -1},
    {"1.0+001", "1.0+1", 0},
    {"1.0+a", "1.0.0+a", 0},
    {"1.0+exp.sha.5114f85", "1.0+exp.sha.5114f86", -1},
    {"1.0-rc.1+b2", "1.0-rc.1+b1", 1},
    {"1.0-rc.1+zzz", "1.0", -1},
    {"1.0-rc.1+zzz", "1.0-rc.2", -1},
    /* The v prefix, only before a digit; otherwise a segment. */
    {"v1.2.3", "1.2.3", 0},
    {"V1.2.3", "v1.2.3", 0},
    {"v1", "1.0", 0},
    {"v1.02", "1.2", 0},
    {"v1a", "1a", 0},
    {"vendor", "9", 1},
    {"vendor", "endor", 1},
    {"v", "V", 1},
    {"v", "99", 1},
    {"v.1", "v", 1},
    {"v-1", "v", -1},
};

static void beyond_semver_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(beyond_semver); i++) {
        const known_order *k = &beyond_semver[i];
        if (compare(k->a, k->b) != k->order || compare(k->b, k->a) != -k->order)
            fail_msg("'%s' vs '%s': expected %d", k->a, k->b, k->order);
    }
}

static void text_need_not_be_nul_terminated(void **state)
{
    (void)state;
    const char text[] = "1.2.3-rc.1+b5trailing";
    assert_int_equal(compare_n(text, 13, "1.2.3-rc.1+b5", 13), 0);
    assert_int_equal(compare_n(text, 5, "1.2.3", 5), 0);
    assert_int_equal(compare_n(text, 1, "1", 1), 0);
}

static void longest_text_is_accepted(void **state)
{
    (void)state;
    char longest[OTAPRIO_VERSION_TEXT_MAX];
    memset(longest, '9', sizeof longest);
    /* 256 nines: a number far beyond any integer type. */
    char shorter[OTAPRIO_VERSION_TEXT_MAX];
    memset(shorter, '9', sizeof shorter);
    assert_int_equal(
        compare_n(longest, sizeof longest, shorter, sizeof shorter - 1), 1);
    shorter[0] = '0'; /* 0999...9: one digit fewer in value */
    assert_int_equal(
        compare_n(longest, sizeof longest, shorter, sizeof shorter), 1);
    assert_int_equal(
        compare_n(longest + 1, sizeof longest - 1, shorter, sizeof shorter), 0);
    assert_int_equal(
        matches_n(longest, sizeof longest, longest + 1, sizeof longest - 1), 0);
}

typedef struct known_match {
    const char *constraint;
    const char *version;
    int matches;
} known_match;

static const known_match constraint_answers[] = {
    {"*", "0", 1},
    {"*", "v99999999999999999999999.a-rc+b", 1},
    {" * ", "1", 1},
    {"1.2", "1.2.0", 1},
    {"1.2", "v1.02", 1},
    {"1.2", "1.2+b", 0},
    {"1.2", "1.2-rc", 0},
    {"=1.2", "1.2", 1},
    {"== 1.2", "1.2.1", 0},
    {">=1, <=1", "1", 1},
    {">=1, <=1", "1.0.0", 1},
    {">=1, <=1", "v1", 1},
    {">=1, <=1", "1.0.1", 0},
    {">=1, <=1", "1-rc", 0},
    {">=1, <=1", "1+b", 0},
    {">= 2.3.1, < 3", "2.3.1", 1},
    {">= 2.3.1, < 3", "2.99", 1},
    {">= 2.3.1, < 3", "3-rc.1", 1}, /* below 3 in the order */
    {">= 2.3.1, < 3", "3", 0},
    {">= 2.3.1, < 3", "3.0.0", 0},
    {">= 2.3.1, < 3", "2.3.0", 0},
    {">= 2.3.1, < 3", "2.3.1-rc", 0},
    {"< 1.1.1w", "1.1.1v", 1},
    {"< 1.1.1w", "1.1.1", 1},
    {"< 1.1.1w", "1.1.1w", 0},
    {"< 1.1.1w", "1.1.1x", 0},
    {"<= 1.0", "1.0+b", 0}, /* build metadata ranks above */
    {"> 1.0", "1.0+b", 1},
    {"  >=  1.0  ,  <  2  ", "1.5", 1},
    {"  >=  1.0  ,  <  2  ", "2", 0},
    {">1,<2", "1.0.0.1", 1},
    /* Duplicate bounds intersect. */
    {">=1, >=2", "1.5", 0},
    {">=1, >=2", "2", 1},
    {">=2, >=1", "1.5", 0},
    {"<=3, <2", "2", 0},
    {"<=3, <2", "1.9", 1},
    {"<2, <=2", "2", 0},
    {"<=2, <2", "2", 0},
    {">1, >=1", "1", 0},
    {">=1, >1", "1", 0},
    {">=1, >1", "1.0.0.1", 1},
    {"==1, >=0.5", "1", 1},
    {"==1, >=0.5", "1.1", 0},
    {"==1, >=0.5", "0.7", 0},
    {"1, 1.0, v1", "1", 1},
    {"TQ3A.230901.001", "TQ3A.230901.1", 1},
    {">= TP1A.221005.002, < UP1A", "TQ3A.230901.001", 1},
    {">= TP1A.221005.002, < UP1A", "UP1A.231005.007", 0},
};

static void constraint_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(constraint_answers); i++) {
        const known_match *k = &constraint_answers[i];
        if (matches(k->constraint, k->version) != k->matches)
            fail_msg("'%s' against '%s': expected %d", k->constraint,
                     k->version, k->matches);
    }
}

/* ---- internal contract ----------------------------------------------- */

static void parse_records_the_parts(void **state)
{
    (void)state;
    otaprio__version v;
    const char text[] = "v1.2-rc.1+b5";
    assert_int_equal(
        otaprio__version_parse(text, strlen(text), "version", &v, NULL),
        OTAPRIO_OK);
    assert_ptr_equal(v.text, text);
    assert_int_equal(v.length, 12);
    assert_int_equal(v.release_start, 1);
    assert_int_equal(v.release_end, 4);
    assert_int_equal(v.prerelease_end, 9);

    const char build_only[] = "1.2+b";
    assert_int_equal(otaprio__version_parse(build_only, strlen(build_only),
                                            "version", &v, NULL),
                     OTAPRIO_OK);
    assert_int_equal(v.release_start, 0);
    assert_int_equal(v.release_end, 3);
    assert_int_equal(v.prerelease_end, 3);
    assert_int_equal(v.length, 5);

    const char plain[] = "vendor";
    assert_int_equal(
        otaprio__version_parse(plain, strlen(plain), "version", &v, NULL),
        OTAPRIO_OK);
    assert_int_equal(v.release_start, 0);
    assert_int_equal(v.release_end, 6);
    assert_int_equal(v.prerelease_end, 6);
}

static void constraint_parse_keeps_the_tightest_bounds(void **state)
{
    (void)state;
    otaprio__constraint c;
    const char text[] = ">= 1, >2, >=2 ,<= 5, < 5.0, <=9";
    assert_int_equal(
        otaprio__constraint_parse(text, strlen(text), "constraint", &c, NULL),
        OTAPRIO_OK);
    assert_true(c.lower.present);
    assert_false(c.lower.inclusive); /* >2 beats >=2 */
    assert_memory_equal(c.lower.version.text, "2", 1);
    assert_int_equal(c.lower.version.length, 1);
    assert_true(c.upper.present);
    assert_false(c.upper.inclusive); /* < 5.0 beats <= 5 */
    assert_int_equal(c.upper.version.length, 3);
    assert_memory_equal(c.upper.version.text, "5.0", 3);

    assert_int_equal(otaprio__constraint_parse(" * ", 3, "c", &c, NULL),
                     OTAPRIO_OK);
    assert_false(c.lower.present);
    assert_false(c.upper.present);

    assert_int_equal(otaprio__constraint_parse("<3", 2, "c", &c, NULL),
                     OTAPRIO_OK);
    assert_false(c.lower.present);
    assert_true(c.upper.present);
    assert_false(c.upper.inclusive);
}

static void internal_parsers_leave_output_untouched_on_error(void **state)
{
    (void)state;
    otaprio__version v, v_before;
    memset(&v, 0xA5, sizeof v);
    memcpy(&v_before, &v, sizeof v);
    assert_int_equal(otaprio__version_parse("1..2", 4, "x", &v, NULL),
                     OTAPRIO_E_SYNTAX);
    assert_memory_equal(&v, &v_before, sizeof v);
    char long_text[OTAPRIO_VERSION_TEXT_MAX + 1];
    memset(long_text, '1', sizeof long_text);
    assert_int_equal(
        otaprio__version_parse(long_text, sizeof long_text, "x", &v, NULL),
        OTAPRIO_E_RANGE);
    assert_memory_equal(&v, &v_before, sizeof v);

    otaprio__constraint c, c_before;
    memset(&c, 0xA5, sizeof c);
    memcpy(&c_before, &c, sizeof c);
    assert_int_equal(otaprio__constraint_parse(">=1, <", 6, "x", &c, NULL),
                     OTAPRIO_E_SYNTAX);
    assert_memory_equal(&c, &c_before, sizeof c);
    assert_int_equal(otaprio__constraint_parse(">2, <1", 6, "x", &c, NULL),
                     OTAPRIO_E_RANGE);
    assert_memory_equal(&c, &c_before, sizeof c);
}

/* ---- errors ---------------------------------------------------------- */

typedef struct bad_text {
    const char *text;
    size_t length; /* 0: strlen */
    int status;
    int64_t index;
} bad_text;

static const bad_text bad_versions[] = {
    {"", 0, OTAPRIO_E_SYNTAX, 0},
    {"1..2", 0, OTAPRIO_E_SYNTAX, 2},
    {"1.", 0, OTAPRIO_E_SYNTAX, 2},
    {".1", 0, OTAPRIO_E_SYNTAX, 0},
    {"1.-", 0, OTAPRIO_E_SYNTAX, 2},
    {"1-", 0, OTAPRIO_E_SYNTAX, 2},
    {"1.0-", 0, OTAPRIO_E_SYNTAX, 4},
    {"1.0-+b", 0, OTAPRIO_E_SYNTAX, 4},
    {"1+", 0, OTAPRIO_E_SYNTAX, 2},
    {"1.2.3+", 0, OTAPRIO_E_SYNTAX, 6},
    {"+", 0, OTAPRIO_E_SYNTAX, 0},
    {"-", 0, OTAPRIO_E_SYNTAX, 0},
    {"-1", 0, OTAPRIO_E_SYNTAX, 0},
    {"1.0-a..b", 0, OTAPRIO_E_SYNTAX, 6},
    {"1.0-a.", 0, OTAPRIO_E_SYNTAX, 6},
    {"1.0-a+", 0, OTAPRIO_E_SYNTAX, 6},
    {"1.0+a.", 0, OTAPRIO_E_SYNTAX, 6},
    {"1.0+a+b", 0, OTAPRIO_E_SYNTAX, 5},
    {"1.0-rc.1_2", 0, OTAPRIO_E_SYNTAX, 8},
    {"1_0", 0, OTAPRIO_E_SYNTAX, 1},
    {"1 .0", 0, OTAPRIO_E_SYNTAX, 1},
    {" 1", 0, OTAPRIO_E_SYNTAX, 0},
    {"1 ", 0, OTAPRIO_E_SYNTAX, 1},
    {"1.0\0", 4, OTAPRIO_E_SYNTAX, 3},
    {"\0"
     "1",
     2, OTAPRIO_E_SYNTAX, 0},
    {"1.\xc3\xa9", 0, OTAPRIO_E_SYNTAX, 2},
    {"\xff", 0, OTAPRIO_E_SYNTAX, 0},
    {"v1.2.3-", 0, OTAPRIO_E_SYNTAX, 7},
    {"V1.", 0, OTAPRIO_E_SYNTAX, 3},
    {"==1", 0, OTAPRIO_E_SYNTAX, 0},
    {">=1", 0, OTAPRIO_E_SYNTAX, 0},
    {"*", 0, OTAPRIO_E_SYNTAX, 0},
};

/* Checks one failing call: its status, the diag, and an untouched output. */
static void expect_failure(int status, const otaprio_diag *diag, int output,
                           int expected_status, const char *field,
                           int64_t index)
{
    assert_int_equal(status, expected_status);
    assert_int_equal(diag->status, expected_status);
    assert_string_equal(diag->field, field);
    assert_int_equal(diag->index, index);
    assert_true(strlen(diag->message) > 0);
    assert_int_equal(output, UNTOUCHED);
}

static void bad_versions_fail_with_their_offset(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bad_versions); i++) {
        const bad_text *bad = &bad_versions[i];
        size_t length = bad->length != 0 ? bad->length : strlen(bad->text);
        otaprio_diag diag;
        int out = UNTOUCHED;

        otaprio_diag_init(&diag);
        int status =
            otaprio_version_compare(bad->text, length, "1", 1, &out, &diag);
        expect_failure(status, &diag, out, bad->status, "a", bad->index);

        otaprio_diag_init(&diag);
        status =
            otaprio_version_compare("1", 1, bad->text, length, &out, &diag);
        expect_failure(status, &diag, out, bad->status, "b", bad->index);

        otaprio_diag_init(&diag);
        status =
            otaprio_constraint_matches("*", 1, bad->text, length, &out, &diag);
        expect_failure(status, &diag, out, bad->status, "version", bad->index);

        /* Without a diag, the same status. */
        assert_int_equal(
            otaprio_version_compare(bad->text, length, "1", 1, &out, NULL),
            bad->status);
        assert_int_equal(out, UNTOUCHED);
    }
}

static void the_first_bad_text_is_reported(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int out = UNTOUCHED;
    int status = otaprio_version_compare("1..", 3, "x!", 2, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_SYNTAX, "a", 2);
    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches(">=", 2, "x!", 2, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_SYNTAX, "constraint", 2);
}

static void messages_name_the_byte_found(void **state)
{
    (void)state;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int out = UNTOUCHED;
    assert_int_equal(otaprio_version_compare("1.0\0", 4, "1", 1, &out, &diag),
                     OTAPRIO_E_SYNTAX);
    assert_non_null(strstr(diag.message, "0x00"));
    assert_non_null(strstr(diag.message, "byte 3"));
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_version_compare("1_0", 3, "1", 1, &out, &diag),
                     OTAPRIO_E_SYNTAX);
    assert_non_null(strstr(diag.message, "'_'"));
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_version_compare("1.", 2, "1", 1, &out, &diag),
                     OTAPRIO_E_SYNTAX);
    assert_non_null(strstr(diag.message, "the end"));
}

static const bad_text bad_constraints[] = {
    {"", 0, OTAPRIO_E_SYNTAX, 0},
    {" ", 0, OTAPRIO_E_SYNTAX, 1},
    {",", 0, OTAPRIO_E_SYNTAX, 0},
    {">=", 0, OTAPRIO_E_SYNTAX, 2},
    {">= ", 0, OTAPRIO_E_SYNTAX, 3},
    {">=1,", 0, OTAPRIO_E_SYNTAX, 4},
    {">=1, ", 0, OTAPRIO_E_SYNTAX, 5},
    {",>=1", 0, OTAPRIO_E_SYNTAX, 0},
    {">=1,,<2", 0, OTAPRIO_E_SYNTAX, 4},
    {">=1 <2", 0, OTAPRIO_E_SYNTAX, 4},
    {"> =1", 0, OTAPRIO_E_SYNTAX, 2},
    {">==1", 0, OTAPRIO_E_SYNTAX, 2},
    {"=>1", 0, OTAPRIO_E_SYNTAX, 1},
    {"!=1", 0, OTAPRIO_E_SYNTAX, 0},
    {"~1", 0, OTAPRIO_E_SYNTAX, 0},
    {"^1.2", 0, OTAPRIO_E_SYNTAX, 0},
    {"*,>=1", 0, OTAPRIO_E_SYNTAX, 1},
    {"* *", 0, OTAPRIO_E_SYNTAX, 2},
    {"**", 0, OTAPRIO_E_SYNTAX, 1},
    {"*1", 0, OTAPRIO_E_SYNTAX, 1},
    {"1,*", 0, OTAPRIO_E_SYNTAX, 2},
    {">=1.0-", 0, OTAPRIO_E_SYNTAX, 6},
    {">= 1..2", 0, OTAPRIO_E_SYNTAX, 5},
    {"1 2", 0, OTAPRIO_E_SYNTAX, 2},
    {"< 2, > 1x!", 0, OTAPRIO_E_SYNTAX, 9},
    {">=\t1", 0, OTAPRIO_E_SYNTAX, 2},
    {">=1\0", 4, OTAPRIO_E_SYNTAX, 3},
    {">=\xc3\xa9", 0, OTAPRIO_E_SYNTAX, 2},
    /* Crossed ends: the offset of the clause that crossed them. */
    {"> 2, < 1", 0, OTAPRIO_E_RANGE, 5},
    {"> 1, <= 1", 0, OTAPRIO_E_RANGE, 5},
    {">= 1, < 1", 0, OTAPRIO_E_RANGE, 6},
    {"< 1, > 1", 0, OTAPRIO_E_RANGE, 5},
    {"< 1, >= 1.0.0", 0, OTAPRIO_E_RANGE, 5},
    {"=1, >1", 0, OTAPRIO_E_RANGE, 4},
    {"2, 1", 0, OTAPRIO_E_RANGE, 3},
    {"1.0+b, 1.0", 0, OTAPRIO_E_RANGE, 7},
    {">=1, <=1, >1", 0, OTAPRIO_E_RANGE, 10},
    {">= 1, >= 3, <2", 0, OTAPRIO_E_RANGE, 12},
    {">=3, <2, >=0", 0, OTAPRIO_E_RANGE, 5},
    /* A syntax error anywhere outranks crossed ends. */
    {"> 2, < 1, !!", 0, OTAPRIO_E_SYNTAX, 10},
};

static void bad_constraints_fail_with_their_offset(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bad_constraints); i++) {
        const bad_text *bad = &bad_constraints[i];
        size_t length = bad->length != 0 ? bad->length : strlen(bad->text);
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int out = UNTOUCHED;
        int status =
            otaprio_constraint_matches(bad->text, length, "1", 1, &out, &diag);
        if (status != bad->status || diag.index != bad->index)
            fail_msg("'%s': status %d index %lld, expected %d at %lld",
                     bad->text, status, (long long)diag.index, bad->status,
                     (long long)bad->index);
        expect_failure(status, &diag, out, bad->status, "constraint",
                       bad->index);
        assert_int_equal(
            otaprio_constraint_matches(bad->text, length, "1", 1, &out, NULL),
            bad->status);
        assert_int_equal(out, UNTOUCHED);
    }
}

static void text_one_byte_too_long_is_out_of_range(void **state)
{
    (void)state;
    enum { MAX = OTAPRIO_VERSION_TEXT_MAX };
    char text[MAX + 1];
    memset(text, '1', sizeof text);
    otaprio_diag diag;
    int out = UNTOUCHED;

    assert_int_equal(compare_n(text, MAX, text, MAX), 0);
    otaprio_diag_init(&diag);
    int status = otaprio_version_compare(text, MAX + 1, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_RANGE, "a", MAX);
    otaprio_diag_init(&diag);
    status = otaprio_version_compare("1", 1, text, MAX + 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_RANGE, "b", MAX);
    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches("*", 1, text, MAX + 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_RANGE, "version", MAX);

    /* The length is checked before the bytes: garbage is still too long. */
    char garbage[MAX + 1];
    memset(garbage, '!', sizeof garbage);
    otaprio_diag_init(&diag);
    status = otaprio_version_compare(garbage, MAX + 1, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_RANGE, "a", MAX);

    /* A constraint padded with spaces to exactly the limit, then one more. */
    char constraint[MAX + 1];
    memset(constraint, ' ', sizeof constraint);
    memcpy(constraint + 10, ">= 1, < 2", 9);
    assert_int_equal(matches_n(constraint, MAX, "1.5", 3), 1);
    otaprio_diag_init(&diag);
    status =
        otaprio_constraint_matches(constraint, MAX + 1, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_RANGE, "constraint", MAX);
}

static void null_pointers_are_invalid(void **state)
{
    (void)state;
    otaprio_diag diag;
    int out = UNTOUCHED;

    otaprio_diag_init(&diag);
    int status = otaprio_version_compare("1", 1, "1", 1, NULL, &diag);
    assert_int_equal(status, OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "order");
    otaprio_diag_init(&diag);
    status = otaprio_version_compare(NULL, 1, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_INVALID, "a", -1);
    otaprio_diag_init(&diag);
    status = otaprio_version_compare("1", 1, NULL, 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_INVALID, "b", -1);
    /* NULL with length 0 is empty text: a syntax error. */
    otaprio_diag_init(&diag);
    status = otaprio_version_compare(NULL, 0, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_SYNTAX, "a", 0);
    otaprio_diag_init(&diag);
    status = otaprio_version_compare("1", 1, NULL, 0, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_SYNTAX, "b", 0);
    /* A NULL pointer outranks bad text elsewhere. */
    otaprio_diag_init(&diag);
    status = otaprio_version_compare("!", 1, NULL, 3, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_INVALID, "b", -1);

    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches("*", 1, "1", 1, NULL, &diag);
    assert_int_equal(status, OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "matches");
    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches(NULL, 3, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_INVALID, "constraint", -1);
    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches("*", 1, NULL, 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_INVALID, "version", -1);
    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches(NULL, 0, "1", 1, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_SYNTAX, "constraint", 0);
    otaprio_diag_init(&diag);
    status = otaprio_constraint_matches("*", 1, NULL, 0, &out, &diag);
    expect_failure(status, &diag, out, OTAPRIO_E_SYNTAX, "version", 0);
}

/* ---- properties over generated versions ------------------------------- */

static uint64_t next_random(uint64_t *state)
{
    /* splitmix64: a fixed, portable stream, so failures reproduce. */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *rng, unsigned n)
{
    return (unsigned)(next_random(rng) % n);
}

/* How one logical version is spelled: every spelling is the same version. */
typedef struct spelling {
    bool v_prefix;         /* "v" before a numeric first segment */
    unsigned zero_padding; /* leading zeros before every number */
    unsigned extra_zeros;  /* ".0" segments after the release */
    bool uppercase_v;      /* "V" rather than "v" */
} spelling;

typedef struct text_buffer {
    char bytes[OTAPRIO_VERSION_TEXT_MAX + 64];
    size_t length;
} text_buffer;

static void put(text_buffer *out, const char *bytes, size_t n)
{
    assert_true(out->length + n <= sizeof out->bytes);
    memcpy(out->bytes + out->length, bytes, n);
    out->length += n;
}

static void put_number(uint64_t *rng, const spelling *how, text_buffer *out)
{
    for (unsigned i = 0; i < how->zero_padding; i++)
        put(out, "0", 1);
    char digits[32];
    size_t n;
    if (pick(rng, 8) == 0) { /* beyond 64 bits now and then */
        n = 15 + pick(rng, 8);
        digits[0] = (char)('1' + pick(rng, 9));
        for (size_t i = 1; i < n; i++)
            digits[i] = (char)('0' + pick(rng, 10));
    } else {
        n = (size_t)snprintf(digits, sizeof digits, "%u", pick(rng, 4));
    }
    put(out, digits, n);
}

/* An identifier with a letter (or '-' where `dash` allows it). */
static void put_word(uint64_t *rng, bool dash, text_buffer *out)
{
    static const char *const words[] = {"a",  "b",    "A",  "rc",  "alpha",
                                        "a1", "TQ3A", "0a", "beta"};
    static const char *const dashed[] = {"-", "a-b", "-1", "x-"};
    if (dash && pick(rng, 4) == 0) {
        const char *w = dashed[pick(rng, COUNT(dashed))];
        put(out, w, strlen(w));
    } else {
        const char *w = words[pick(rng, COUNT(words))];
        put(out, w, strlen(w));
    }
}

static void put_identifiers(uint64_t *rng, const spelling *how, bool dash,
                            unsigned count, text_buffer *out)
{
    for (unsigned i = 0; i < count; i++) {
        if (i > 0)
            put(out, ".", 1);
        if (pick(rng, 3) == 0)
            put_word(rng, dash, out);
        else
            put_number(rng, how, out);
    }
}

/* Version number `seed` spelled `how`. The random draws do not depend on
 * the spelling, so all spellings of one seed denote one version. */
static void generate(uint64_t seed, const spelling *how, text_buffer *out)
{
    uint64_t rng = seed;
    out->length = 0;
    unsigned segments = 1 + pick(&rng, 4);
    bool numeric_first = pick(&rng, 6) != 0;
    if (numeric_first && how->v_prefix)
        put(out, how->uppercase_v ? "V" : "v", 1);
    for (unsigned i = 0; i < segments; i++) {
        if (i > 0)
            put(out, ".", 1);
        if ((i == 0 && !numeric_first) || (i > 0 && pick(&rng, 5) == 0))
            put_word(&rng, false, out);
        else
            put_number(&rng, how, out);
    }
    for (unsigned i = 0; i < how->extra_zeros; i++)
        put(out, ".0", 2);
    if (pick(&rng, 2) == 0) {
        put(out, "-", 1);
        put_identifiers(&rng, how, true, 1 + pick(&rng, 3), out);
    }
    if (pick(&rng, 4) == 0) {
        put(out, "+", 1);
        put_identifiers(&rng, how, true, 1 + pick(&rng, 2), out);
    }
    assert_true(out->length <= OTAPRIO_VERSION_TEXT_MAX);
}

enum { POOL = 400 };
static text_buffer pool[POOL];

static void fill_pool(void)
{
    const spelling plain = {false, 0, 0, false};
    for (size_t i = 0; i < POOL; i++)
        generate(0xC0FFEE + i, &plain, &pool[i]);
}

static int compare_buffers(const void *a, const void *b)
{
    const text_buffer *x = a, *y = b;
    return compare_n(x->bytes, x->length, y->bytes, y->length);
}

static void order_is_a_total_order(void **state)
{
    (void)state;
    fill_pool();
    static text_buffer sorted[POOL];
    memcpy(sorted, pool, sizeof pool);
    qsort(sorted, POOL, sizeof sorted[0], compare_buffers);
    size_t ties = 0;
    for (size_t i = 0; i < POOL; i++) {
        const text_buffer *a = &sorted[i];
        assert_int_equal(compare_n(a->bytes, a->length, a->bytes, a->length),
                         0);
        for (size_t j = i + 1; j < POOL; j++) {
            const text_buffer *b = &sorted[j];
            int ab = compare_n(a->bytes, a->length, b->bytes, b->length);
            int ba = compare_n(b->bytes, b->length, a->bytes, a->length);
            /* Antisymmetric, and consistent with the sorted sequence: a
             * comparator that is not transitive cannot satisfy both for
             * every pair. */
            assert_int_equal(ab, -ba);
            if (ab > 0)
                fail_msg("sorted '%.*s' ranks above later '%.*s'",
                         (int)a->length, a->bytes, (int)b->length, b->bytes);
        }
        /* Equal versions are interchangeable against everything. */
        if (i + 1 < POOL && compare_n(a->bytes, a->length, sorted[i + 1].bytes,
                                      sorted[i + 1].length) == 0) {
            ties++;
            for (size_t k = 0; k < POOL; k += 7)
                assert_int_equal(compare_buffers(a, &sorted[k]),
                                 compare_buffers(&sorted[i + 1], &sorted[k]));
        }
    }
    /* The generator must make ties, or the last check tests nothing. */
    assert_true(ties > 5);
}

static void triples_are_transitive(void **state)
{
    (void)state;
    fill_pool();
    enum { N = 80 };
    static int order[N][N];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            order[i][j] = compare_buffers(&pool[i], &pool[j]);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            for (size_t k = 0; k < N; k++) {
                if (order[i][j] > 0 || order[j][k] > 0)
                    continue;
                /* i <= j <= k: i <= k, and equal only when both are. */
                int expected = order[i][j] == 0 && order[j][k] == 0 ? 0 : -1;
                assert_int_equal(order[i][k], expected);
            }
}

static void spellings_of_one_version_compare_equal(void **state)
{
    (void)state;
    const spelling plain = {false, 0, 0, false};
    const spelling spellings[] = {
        {true, 0, 0, false},  {true, 0, 0, true},   {false, 1, 0, false},
        {false, 3, 0, false}, {false, 0, 1, false}, {false, 0, 2, false},
        {true, 2, 1, true},
    };
    for (uint64_t seed = 1; seed < 500; seed++) {
        text_buffer a, b;
        generate(seed, &plain, &a);
        for (size_t s = 0; s < COUNT(spellings); s++) {
            generate(seed, &spellings[s], &b);
            if (compare_n(a.bytes, a.length, b.bytes, b.length) != 0)
                fail_msg("'%.*s' and '%.*s' differ", (int)a.length, a.bytes,
                         (int)b.length, b.bytes);
            /* Each spelling is also the constraint that admits just it. */
            if (b.length <= OTAPRIO_VERSION_TEXT_MAX - 2) {
                char exact[OTAPRIO_VERSION_TEXT_MAX];
                exact[0] = '=';
                exact[1] = '=';
                memcpy(exact + 2, b.bytes, b.length);
                assert_int_equal(
                    matches_n(exact, b.length + 2, a.bytes, a.length), 1);
            }
        }
    }
}

static const char *const operators[] = {">=", ">", "<=", "<", "==", "=", ""};

/* Whether `v` satisfies one clause, by the comparison alone. */
static bool clause_admits(const char *op, const text_buffer *bound,
                          const text_buffer *v)
{
    int order = compare_buffers(v, bound);
    if (strcmp(op, ">=") == 0)
        return order >= 0;
    if (strcmp(op, ">") == 0)
        return order > 0;
    if (strcmp(op, "<=") == 0)
        return order <= 0;
    if (strcmp(op, "<") == 0)
        return order < 0;
    return order == 0;
}

static void put_spaces(uint64_t *rng, text_buffer *out)
{
    unsigned n = pick(rng, 3);
    for (unsigned i = 0; i < n; i++)
        put(out, " ", 1);
}

/* Constraints of 1 to 3 random clauses over short pool versions: when one
 * parses, it admits exactly the versions every clause admits; when its ends
 * cross, no candidate satisfies every clause. */
static void constraints_intersect_their_clauses(void **state)
{
    (void)state;
    fill_pool();
    size_t shorts[POOL], short_count = 0;
    for (size_t i = 0; i < POOL; i++)
        if (pool[i].length <= 40)
            shorts[short_count++] = i;
    assert_true(short_count > 100);

    uint64_t rng = 2024;
    size_t parsed = 0, crossed = 0, admitted = 0;
    for (int round = 0; round < 3000; round++) {
        unsigned clauses = 1 + pick(&rng, 3);
        const char *ops[3];
        const text_buffer *bounds[3];
        text_buffer text = {{0}, 0};
        put_spaces(&rng, &text);
        for (unsigned c = 0; c < clauses; c++) {
            if (c > 0) {
                put_spaces(&rng, &text);
                put(&text, ",", 1);
                put_spaces(&rng, &text);
            }
            ops[c] = operators[pick(&rng, COUNT(operators))];
            /* Near the pool's ties, so equal ends come up. */
            bounds[c] = &pool[shorts[pick(&rng, (unsigned)short_count)]];
            put(&text, ops[c], strlen(ops[c]));
            put_spaces(&rng, &text);
            put(&text, bounds[c]->bytes, bounds[c]->length);
        }
        put_spaces(&rng, &text);

        otaprio_diag diag;
        otaprio_diag_init(&diag);
        int out = UNTOUCHED;
        int status = otaprio_constraint_matches(text.bytes, text.length, "0", 1,
                                                &out, &diag);
        assert_true(status == OTAPRIO_OK || status == OTAPRIO_E_RANGE);
        if (clauses == 1)
            assert_int_equal(status, OTAPRIO_OK); /* one clause never crosses */

        /* Candidates: a stride through the pool, then every bound. */
        const size_t stride = 13, candidates = POOL / stride + clauses;
        for (size_t k = 0; k < candidates; k++) {
            const text_buffer *v = k < POOL / stride
                                       ? &pool[k * stride]
                                       : bounds[k - POOL / stride];
            bool expected = true;
            for (unsigned c = 0; c < clauses; c++)
                expected = expected && clause_admits(ops[c], bounds[c], v);
            if (status == OTAPRIO_E_RANGE) {
                assert_false(expected);
                continue;
            }
            int got = matches_n(text.bytes, text.length, v->bytes, v->length);
            if (got != (int)expected)
                fail_msg("'%.*s' against '%.*s': %d", (int)text.length,
                         text.bytes, (int)v->length, v->bytes, got);
            admitted += (size_t)got;
        }
        if (status == OTAPRIO_OK)
            parsed++;
        else
            crossed++;
    }
    /* Both outcomes must be exercised for the test to mean anything. */
    assert_true(parsed > 500);
    assert_true(crossed > 100);
    assert_true(admitted > 500);
}

/* A lower and an upper clause cross exactly when the comparison of their
 * versions says so. */
static void two_ends_cross_exactly_when_the_order_says(void **state)
{
    (void)state;
    fill_pool();
    static const char *const lowers[] = {">=", ">"};
    static const char *const uppers[] = {"<=", "<"};
    size_t ranges = 0;
    for (size_t i = 0; i < 120; i++) {
        for (size_t j = 0; j < 120; j += 3) {
            const text_buffer *lo = &pool[i], *hi = &pool[j];
            if (lo->length + hi->length + 8 > OTAPRIO_VERSION_TEXT_MAX)
                continue;
            int order = compare_buffers(lo, hi);
            for (size_t l = 0; l < 2; l++) {
                for (size_t u = 0; u < 2; u++) {
                    char text[OTAPRIO_VERSION_TEXT_MAX];
                    int n = snprintf(text, sizeof text, "%s%.*s, %s%.*s",
                                     lowers[l], (int)lo->length, lo->bytes,
                                     uppers[u], (int)hi->length, hi->bytes);
                    bool closed = l == 0 && u == 0;
                    bool cross = order > 0 || (order == 0 && !closed);
                    int out = UNTOUCHED;
                    int status = otaprio_constraint_matches(text, (size_t)n,
                                                            "1", 1, &out, NULL);
                    assert_int_equal(status,
                                     cross ? OTAPRIO_E_RANGE : OTAPRIO_OK);
                    ranges += cross;
                }
            }
        }
    }
    assert_true(ranges > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(semver_vectors_agree_pair_by_pair),
        cmocka_unit_test(beyond_semver_known_answers),
        cmocka_unit_test(text_need_not_be_nul_terminated),
        cmocka_unit_test(longest_text_is_accepted),
        cmocka_unit_test(constraint_known_answers),
        cmocka_unit_test(parse_records_the_parts),
        cmocka_unit_test(constraint_parse_keeps_the_tightest_bounds),
        cmocka_unit_test(internal_parsers_leave_output_untouched_on_error),
        cmocka_unit_test(bad_versions_fail_with_their_offset),
        cmocka_unit_test(the_first_bad_text_is_reported),
        cmocka_unit_test(messages_name_the_byte_found),
        cmocka_unit_test(bad_constraints_fail_with_their_offset),
        cmocka_unit_test(text_one_byte_too_long_is_out_of_range),
        cmocka_unit_test(null_pointers_are_invalid),
        cmocka_unit_test(order_is_a_total_order),
        cmocka_unit_test(triples_are_transitive),
        cmocka_unit_test(spellings_of_one_version_compare_equal),
        cmocka_unit_test(constraints_intersect_their_clauses),
        cmocka_unit_test(two_ends_cross_exactly_when_the_order_says),
    };
    return cmocka_run_group_tests_name("version", tests, NULL, NULL);
}
