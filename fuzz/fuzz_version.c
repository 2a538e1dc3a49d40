/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes version comparison and constraint matching. The input is split at
 * its first two newlines into version a, version b and a constraint (a
 * newline belongs to neither grammar, so every other byte still reaches the
 * parsers, and corpus files stay readable). Checked: only documented
 * statuses, the diag says which text failed and where, outputs untouched on
 * error; the order is antisymmetric, reflexive and transitive; a constraint
 * admits what the comparison with its ends says, and one-clause and
 * two-clause constraints built from a and b agree with compare(a, b). Any
 * crash, sanitizer report or broken invariant (abort) is a finding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otaprio/graph.h"
#include "version_order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { UNTOUCHED = 0x5A5A };

typedef struct text {
    const char *bytes;
    size_t length;
} text;

static void require(bool condition)
{
    if (!condition)
        abort();
}

/* A failed call: its status is documented, the diag agrees, and the
 * offset lies inside the text at fault. */
static void check_failure(int status, const otaprio_diag *diag,
                          const char *field, size_t length)
{
    require(status == OTAPRIO_E_SYNTAX || status == OTAPRIO_E_RANGE);
    require(diag->status == status);
    require(strcmp(diag->field, field) == 0);
    require(memchr(diag->message, '\0', sizeof diag->message) != NULL);
    require(diag->message[0] != '\0');
    if (length > OTAPRIO_VERSION_TEXT_MAX) {
        /* Too long is a range error, whatever the bytes. */
        require(status == OTAPRIO_E_RANGE);
        require(diag->index == OTAPRIO_VERSION_TEXT_MAX);
        return;
    }
    /* Only a constraint has another range error: crossed ends. */
    if (strcmp(field, "constraint") != 0)
        require(status == OTAPRIO_E_SYNTAX);
    require(diag->index >= 0 && (uint64_t)diag->index <= length);
}

/* compare(a, b) with its error checks: the failing text is a when a is
 * bad (it is parsed first), else b. Returns the status. */
static int compare(text a, text b, bool a_valid, int *order)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int out = UNTOUCHED;
    int status = otaprio_version_compare(a.bytes, a.length, b.bytes, b.length,
                                         &out, &diag);
    if (status == OTAPRIO_OK) {
        require(out == -1 || out == 0 || out == 1);
        *order = out;
        return status;
    }
    require(out == UNTOUCHED);
    check_failure(status, &diag, a_valid ? "b" : "a",
                  a_valid ? b.length : a.length);
    return status;
}

/* matches(constraint, version) with its error checks, likewise. */
static int matches(text constraint, text version, bool constraint_valid,
                   int *result)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int out = UNTOUCHED;
    int status =
        otaprio_constraint_matches(constraint.bytes, constraint.length,
                                   version.bytes, version.length, &out, &diag);
    if (status == OTAPRIO_OK) {
        require(out == 0 || out == 1);
        *result = out;
        return status;
    }
    require(out == UNTOUCHED);
    check_failure(status, &diag, constraint_valid ? "version" : "constraint",
                  constraint_valid ? version.length : constraint.length);
    return status;
}

static bool is_valid(text v)
{
    int order = UNTOUCHED;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_version_compare(v.bytes, v.length, v.bytes, v.length,
                                         &order, &diag);
    if (status != OTAPRIO_OK) {
        require(order == UNTOUCHED);
        check_failure(status, &diag, "a", v.length);
        return false;
    }
    require(order == 0); /* reflexive */
    return true;
}

/* What a one-clause operator says about a version `order` from its bound. */
static bool operator_admits(const char *op, int order)
{
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

/* "op a" against b agrees with compare(b, a). */
static void check_one_clause(text a, text b, int b_vs_a)
{
    static const char *const ops[] = {">=", ">", "<=", "<", "==", "=", ""};
    char buffer[2 * OTAPRIO_VERSION_TEXT_MAX + 8];
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t op_length = strlen(ops[k]);
        memcpy(buffer, ops[k], op_length);
        buffer[op_length] = ' ';
        memcpy(buffer + op_length + 1, a.bytes, a.length);
        text constraint = {buffer, op_length + 1 + a.length};
        int result = UNTOUCHED;
        bool fits = constraint.length <= OTAPRIO_VERSION_TEXT_MAX;
        int status = matches(constraint, b, fits, &result);
        if (!fits) {
            require(status == OTAPRIO_E_RANGE);
            continue;
        }
        require(status == OTAPRIO_OK);
        require(result == (int)operator_admits(ops[k], b_vs_a));
    }
}

/* ">= a, <= b" crosses exactly when a ranks above b; "> a, < b" also
 * when they are equal. */
static void check_two_clauses(text a, text b, int a_vs_b)
{
    char buffer[2 * OTAPRIO_VERSION_TEXT_MAX + 16];
    static const char *const forms[][2] = {{">=", "<="}, {">", "<"}};
    for (size_t f = 0; f < 2; f++) {
        size_t n = 0;
        memcpy(buffer + n, forms[f][0], strlen(forms[f][0]));
        n += strlen(forms[f][0]);
        memcpy(buffer + n, a.bytes, a.length);
        n += a.length;
        memcpy(buffer + n, " ,", 2);
        n += 2;
        memcpy(buffer + n, forms[f][1], strlen(forms[f][1]));
        n += strlen(forms[f][1]);
        memcpy(buffer + n, b.bytes, b.length);
        n += b.length;
        text constraint = {buffer, n};
        int result = UNTOUCHED;
        bool closed = f == 0;
        bool crossed = a_vs_b > 0 || (a_vs_b == 0 && !closed);
        bool fits = n <= OTAPRIO_VERSION_TEXT_MAX;
        int status = matches(constraint, a, fits && !crossed, &result);
        if (!fits) {
            require(status == OTAPRIO_E_RANGE);
            continue;
        }
        require(status == (crossed ? OTAPRIO_E_RANGE : OTAPRIO_OK));
        if (!crossed)
            require(result == (int)closed); /* a is the closed lower end */
    }
}

/* The constraint admits v exactly as the comparisons with its ends say,
 * each end compared through the public function from its own text. */
static void check_against_bounds(text constraint, text v, bool v_valid)
{
    otaprio__constraint parsed;
    int parse_status = otaprio__constraint_parse(
        constraint.bytes, constraint.length, "constraint", &parsed, NULL);
    int result = UNTOUCHED;
    int status = matches(constraint, v, parse_status == OTAPRIO_OK, &result);
    if (parse_status != OTAPRIO_OK) {
        require(status == parse_status);
        return;
    }
    require((status == OTAPRIO_OK) == v_valid);
    if (!v_valid)
        return;
    bool expected = true;
    const otaprio__bound *ends[2] = {&parsed.lower, &parsed.upper};
    for (int e = 0; e < 2; e++) {
        if (!ends[e]->present)
            continue;
        text end = {ends[e]->version.text, ends[e]->version.length};
        int order = UNTOUCHED;
        require(compare(v, end, true, &order) == OTAPRIO_OK);
        bool inside = e == 0 ? order > 0 : order < 0;
        expected = expected && (inside || (order == 0 && ends[e]->inclusive));
    }
    require(result == (int)expected);
}

static size_t split_at_newline(const uint8_t *data, size_t size, size_t from)
{
    const void *newline = memchr(data + from, '\n', size - from);
    return newline != NULL ? (size_t)((const uint8_t *)newline - data) : size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t end_a = split_at_newline(data, size, 0);
    size_t start_b = end_a < size ? end_a + 1 : size;
    size_t end_b = split_at_newline(data, size, start_b);
    size_t start_c = end_b < size ? end_b + 1 : size;
    /* NULL for empty parts too: allowed with length 0. */
    text a = {end_a > 0 ? (const char *)data : NULL, end_a};
    text b = {(const char *)data + start_b, end_b - start_b};
    text c = {(const char *)data + start_c, size - start_c};

    bool a_valid = is_valid(a), b_valid = is_valid(b), c_valid = is_valid(c);
    int ab = UNTOUCHED, ba = UNTOUCHED;
    int status_ab = compare(a, b, a_valid, &ab);
    int status_ba = compare(b, a, b_valid, &ba);
    require((status_ab == OTAPRIO_OK) == (a_valid && b_valid));
    require((status_ba == OTAPRIO_OK) == (a_valid && b_valid));
    if (a_valid && b_valid) {
        require(ab == -ba); /* antisymmetric */
        check_one_clause(a, b, ba);
        check_two_clauses(a, b, ab);
    }
    if (a_valid && b_valid && c_valid) {
        int bc = UNTOUCHED, ac = UNTOUCHED;
        require(compare(b, c, true, &bc) == OTAPRIO_OK);
        require(compare(a, c, true, &ac) == OTAPRIO_OK);
        if (ab <= 0 && bc <= 0) /* transitive */
            require(ac <= 0 && (ac == 0) == (ab == 0 && bc == 0));
        if (ab >= 0 && bc >= 0)
            require(ac >= 0 && (ac == 0) == (ab == 0 && bc == 0));
    }
    check_against_bounds(c, a, a_valid);
    check_against_bounds(c, b, b_valid);
    return 0;
}
