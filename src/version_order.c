/* SPDX-License-Identifier: MIT */
/*
 * Version strings and constraints: the grammar and the total order
 * documented at otaprio_version_compare() and otaprio_constraint_matches().
 *
 * Parsing only records where the release, pre-release and build parts end;
 * comparison walks the text again, identifier by identifier. So nothing is
 * allocated, and numbers of any length compare exactly (leading zeros
 * stripped, then by digit count, then digit by digit) with no integer that
 * could overflow.
 */
#include <string.h>

#include "otaprio/graph.h"
#include "version_order.h"

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* ASCII only, whatever the C locale says: the grammar is about bytes. */
static bool is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ---- parsing ---------------------------------------------------------- */

/* Where a scan stopped and what it wanted there. */
typedef struct scan_error {
    size_t at;
    const char *expected;
} scan_error;

/* The three dot-separated parts of a version. */
typedef enum version_part {
    PART_RELEASE,
    PART_PRERELEASE,
    PART_BUILD
} version_part;

static bool part_accepts(version_part part, unsigned char c)
{
    return is_alnum(c) || (part != PART_RELEASE && c == '-');
}

/* The byte that closes a part and opens the next one. */
static bool part_ends_at(version_part part, unsigned char c)
{
    switch (part) {
    case PART_RELEASE:
        return c == '-' || c == '+';
    case PART_PRERELEASE:
        return c == '+';
    default:
        return false;
    }
}

static const char *const expected_identifier[] = {
    "a release segment (letters and digits)",
    "a pre-release identifier (letters, digits and '-')",
    "a build identifier (letters, digits and '-')",
};

static const char *const expected_after_identifier[] = {
    "'.', '-', '+' or the end of the version",
    "'.', '+' or the end of the version",
    "'.' or the end of the version",
};

/* Scans one part's non-empty identifiers from `*at`. On success `*at` is
 * the end of the text or the byte that opens the next part. */
static bool scan_part(const unsigned char *text, size_t length,
                      version_part part, size_t *at, scan_error *error)
{
    size_t i = *at;
    for (;;) {
        size_t start = i;
        while (i < length && part_accepts(part, text[i]))
            i++;
        if (i == start) {
            error->at = i;
            error->expected = expected_identifier[part];
            return false;
        }
        if (i == length || part_ends_at(part, text[i])) {
            *at = i;
            return true;
        }
        if (text[i] != '.') {
            error->at = i;
            error->expected = expected_after_identifier[part];
            return false;
        }
        i++;
    }
}

/* Parses without touching diagnostics, so that a constraint can report an
 * error inside one of its versions at the offset in its own text. The
 * caller has checked the length limit. */
static bool scan_version(const char *text, size_t length, otaprio__version *out,
                         scan_error *error)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t at = 0;
    /* The grammar lets "vendor" be the prefix and "endor" or one segment;
     * only a digit after it makes the "v" a prefix, as in "v1.2". */
    if (length >= 2 && (bytes[0] == 'v' || bytes[0] == 'V') &&
        is_digit(bytes[1]))
        at = 1;
    size_t release_start = at;
    if (!scan_part(bytes, length, PART_RELEASE, &at, error))
        return false;
    size_t release_end = at;
    if (at < length && bytes[at] == '-') {
        at++;
        if (!scan_part(bytes, length, PART_PRERELEASE, &at, error))
            return false;
    }
    size_t prerelease_end = at;
    if (at < length) { /* a '+': the scans stop at nothing else */
        at++;
        if (!scan_part(bytes, length, PART_BUILD, &at, error))
            return false;
    }
    out->text = text;
    out->length = (uint16_t)length;
    out->release_start = (uint16_t)release_start;
    out->release_end = (uint16_t)release_end;
    out->prerelease_end = (uint16_t)prerelease_end;
    return true;
}

/* Names the byte at `at` for a message: printable ASCII quoted, anything
 * else (NUL, non-ASCII) in hex. */
static const char *describe_byte(const char *text, size_t length, size_t at,
                                 char buffer[16])
{
    if (at >= length)
        return "the end";
    unsigned char c = (unsigned char)text[at];
    if (c >= 0x20 && c < 0x7F) {
        buffer[0] = '\'';
        buffer[1] = (char)c;
        buffer[2] = '\'';
        buffer[3] = '\0';
    } else {
        static const char hex[] = "0123456789ABCDEF";
        memcpy(buffer, "byte 0x", 7);
        buffer[7] = hex[c >> 4];
        buffer[8] = hex[c & 0xF];
        buffer[9] = '\0';
    }
    return buffer;
}

static int fail_syntax(otaprio_diag *diag, const char *field, const char *text,
                       size_t length, const scan_error *error)
{
    char found[16];
    return otaprio__fail(diag, OTAPRIO_E_SYNTAX, field, (int64_t)error->at,
                         "%s: expected %s at byte %zu, found %s", field,
                         error->expected, error->at,
                         describe_byte(text, length, error->at, found));
}

static int check_length(otaprio_diag *diag, const char *field, size_t length)
{
    if (length <= OTAPRIO_VERSION_TEXT_MAX)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, OTAPRIO_VERSION_TEXT_MAX,
                         "%s is %zu bytes long; at most %d are accepted", field,
                         length, OTAPRIO_VERSION_TEXT_MAX);
}

int otaprio__version_parse(const char *text, size_t length, const char *field,
                           otaprio__version *out, otaprio_diag *diag)
{
    OTAPRIO__TRY(check_length(diag, field, length));
    if (length == 0)
        text = ""; /* may be NULL then; offsets from NULL are undefined */
    otaprio__version version;
    scan_error error;
    if (!scan_version(text, length, &version, &error))
        return fail_syntax(diag, field, text, length, &error);
    *out = version;
    return OTAPRIO_OK;
}

/* ---- order ------------------------------------------------------------ */

/* One segment or identifier. */
typedef struct span {
    const unsigned char *bytes;
    size_t length;
} span;

/* Walks the dot-separated identifiers of [at, end) of a text. */
typedef struct identifiers {
    const unsigned char *text;
    size_t at;
    size_t end;
    bool done;
} identifiers;

static identifiers identifiers_of(const otaprio__version *v, size_t start,
                                  size_t end)
{
    identifiers list = {(const unsigned char *)v->text, start, end,
                        start >= end};
    return list;
}

static bool next_identifier(identifiers *list, span *out)
{
    if (list->done)
        return false;
    size_t i = list->at;
    while (i < list->end && list->text[i] != '.')
        i++;
    out->bytes = list->text + list->at;
    out->length = i - list->at;
    if (i == list->end)
        list->done = true;
    else
        list->at = i + 1;
    return true;
}

static bool is_numeric(span s)
{
    for (size_t i = 0; i < s.length; i++)
        if (!is_digit(s.bytes[i]))
            return false;
    return true;
}

static int sign(int value)
{
    return (value > 0) - (value < 0);
}

/* ASCII byte order, a proper prefix first. */
static int compare_bytes(span a, span b)
{
    size_t common = a.length < b.length ? a.length : b.length;
    int order = common != 0 ? memcmp(a.bytes, b.bytes, common) : 0;
    if (order != 0)
        return sign(order);
    return (a.length > b.length) - (a.length < b.length);
}

/* By value, exactly, at any length: once leading zeros are gone, more
 * digits is larger and equal counts compare digit by digit. */
static int compare_numbers(span a, span b)
{
    while (a.length > 0 && a.bytes[0] == '0') {
        a.bytes++;
        a.length--;
    }
    while (b.length > 0 && b.bytes[0] == '0') {
        b.bytes++;
        b.length--;
    }
    if (a.length != b.length)
        return a.length < b.length ? -1 : 1;
    return compare_bytes(a, b);
}

/* One release segment or pre-release or build identifier: numeric by
 * value, below any with a letter (or '-'), which compare as bytes. */
static int compare_identifiers(span a, span b)
{
    bool a_numeric = is_numeric(a), b_numeric = is_numeric(b);
    if (a_numeric && b_numeric)
        return compare_numbers(a, b);
    if (a_numeric != b_numeric)
        return a_numeric ? -1 : 1;
    return compare_bytes(a, b);
}

/* Releases: a missing trailing segment counts as 0, so 1.2 == 1.2.0. */
static int compare_releases(identifiers a, identifiers b)
{
    static const span zero = {(const unsigned char *)"0", 1};
    for (;;) {
        span sa, sb;
        bool has_a = next_identifier(&a, &sa);
        bool has_b = next_identifier(&b, &sb);
        if (!has_a && !has_b)
            return 0;
        int order = compare_identifiers(has_a ? sa : zero, has_b ? sb : zero);
        if (order != 0)
            return order;
    }
}

/* Pre-releases and builds: a list that is a prefix of the other is lower. */
static int compare_lists(identifiers a, identifiers b)
{
    for (;;) {
        span sa, sb;
        bool has_a = next_identifier(&a, &sa);
        bool has_b = next_identifier(&b, &sb);
        if (!has_a || !has_b)
            return (int)has_a - (int)has_b;
        int order = compare_identifiers(sa, sb);
        if (order != 0)
            return order;
    }
}

int otaprio__version_cmp(const otaprio__version *a, const otaprio__version *b)
{
    int order =
        compare_releases(identifiers_of(a, a->release_start, a->release_end),
                         identifiers_of(b, b->release_start, b->release_end));
    if (order != 0)
        return order;

    bool a_pre = a->prerelease_end > a->release_end;
    bool b_pre = b->prerelease_end > b->release_end;
    if (a_pre != b_pre)
        return a_pre ? -1 : 1; /* 1.0-rc.1 < 1.0 */
    if (a_pre) {
        order = compare_lists(
            identifiers_of(a, (size_t)a->release_end + 1, a->prerelease_end),
            identifiers_of(b, (size_t)b->release_end + 1, b->prerelease_end));
        if (order != 0)
            return order;
    }

    /* Distinct firmware builds are distinct versions: 1.0 < 1.0+b1. */
    bool a_build = a->prerelease_end < a->length;
    bool b_build = b->prerelease_end < b->length;
    if (a_build != b_build)
        return a_build ? 1 : -1;
    if (!a_build)
        return 0;
    return compare_lists(
        identifiers_of(a, (size_t)a->prerelease_end + 1, a->length),
        identifiers_of(b, (size_t)b->prerelease_end + 1, b->length));
}

/* ---- constraints ------------------------------------------------------ */

typedef enum clause_operator {
    OP_EXACT,
    OP_AT_LEAST,
    OP_ABOVE,
    OP_AT_MOST,
    OP_BELOW
} clause_operator;

/* Longest match first: ">=" before ">", "==" before "=". */
static clause_operator read_operator(const char *text, size_t length,
                                     size_t *at)
{
    static const struct {
        const char *token;
        size_t length;
        clause_operator op;
    } operators[] = {
        {">=", 2, OP_AT_LEAST}, {">", 1, OP_ABOVE},  {"<=", 2, OP_AT_MOST},
        {"<", 1, OP_BELOW},     {"==", 2, OP_EXACT}, {"=", 1, OP_EXACT},
    };
    for (size_t k = 0; k < sizeof operators / sizeof operators[0]; k++) {
        size_t n = operators[k].length;
        if (length - *at >= n &&
            memcmp(text + *at, operators[k].token, n) == 0) {
            *at += n;
            return operators[k].op;
        }
    }
    return OP_EXACT; /* a bare version */
}

static size_t skip_spaces(const char *text, size_t length, size_t at)
{
    while (at < length && text[at] == ' ')
        at++;
    return at;
}

/* Intersects: keeps the higher lower end, the open one when equal. */
static void raise_lower(otaprio__bound *lower, const otaprio__version *v,
                        bool inclusive)
{
    if (lower->present) {
        int order = otaprio__version_cmp(v, &lower->version);
        if (order < 0 || (order == 0 && inclusive))
            return;
    }
    lower->version = *v;
    lower->present = true;
    lower->inclusive = inclusive;
}

static void drop_upper(otaprio__bound *upper, const otaprio__version *v,
                       bool inclusive)
{
    if (upper->present) {
        int order = otaprio__version_cmp(v, &upper->version);
        if (order > 0 || (order == 0 && inclusive))
            return;
    }
    upper->version = *v;
    upper->present = true;
    upper->inclusive = inclusive;
}

static void apply_clause(otaprio__constraint *c, clause_operator op,
                         const otaprio__version *v)
{
    switch (op) {
    case OP_EXACT:
        raise_lower(&c->lower, v, true);
        drop_upper(&c->upper, v, true);
        break;
    case OP_AT_LEAST:
        raise_lower(&c->lower, v, true);
        break;
    case OP_ABOVE:
        raise_lower(&c->lower, v, false);
        break;
    case OP_AT_MOST:
        drop_upper(&c->upper, v, true);
        break;
    case OP_BELOW:
        drop_upper(&c->upper, v, false);
        break;
    }
}

/* An empty interval: ends crossed, or one version with an open end. */
static bool is_crossed(const otaprio__constraint *c)
{
    if (!c->lower.present || !c->upper.present)
        return false;
    int order = otaprio__version_cmp(&c->lower.version, &c->upper.version);
    return order > 0 ||
           (order == 0 && !(c->lower.inclusive && c->upper.inclusive));
}

static int fail_crossed(otaprio_diag *diag, const char *field, size_t clause,
                        const otaprio__constraint *c)
{
    const otaprio__version *low = &c->lower.version, *high = &c->upper.version;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)clause,
                         "%s admits no version: from the clause at byte %zu "
                         "on, its ends %s %.*s and %s %.*s leave nothing "
                         "between them",
                         field, clause, c->lower.inclusive ? ">=" : ">",
                         (int)low->length, low->text,
                         c->upper.inclusive ? "<=" : "<", (int)high->length,
                         high->text);
}

int otaprio__constraint_parse(const char *text, size_t length,
                              const char *field, otaprio__constraint *out,
                              otaprio_diag *diag)
{
    OTAPRIO__TRY(check_length(diag, field, length));
    if (length == 0)
        text = ""; /* may be NULL then; offsets from NULL are undefined */
    otaprio__constraint c;
    memset(&c, 0, sizeof c); /* both ends absent: every version */
    scan_error error;
    size_t at = skip_spaces(text, length, 0);
    if (at < length && text[at] == '*') {
        at = skip_spaces(text, length, at + 1);
        if (at != length) {
            error.at = at;
            error.expected = "the end of the constraint after '*'";
            return fail_syntax(diag, field, text, length, &error);
        }
        *out = c;
        return OTAPRIO_OK;
    }

    /* Syntax errors anywhere outrank crossed ends, so crossing is only
     * remembered (at the clause that caused it) until the text is read. */
    size_t crossed_at = SIZE_MAX;
    for (;;) {
        size_t clause = at;
        clause_operator op = read_operator(text, length, &at);
        at = skip_spaces(text, length, at);
        size_t start = at;
        while (at < length && text[at] != ' ' && text[at] != ',')
            at++;
        otaprio__version version;
        if (!scan_version(text + start, at - start, &version, &error)) {
            error.at += start;
            return fail_syntax(diag, field, text, length, &error);
        }
        apply_clause(&c, op, &version);
        if (crossed_at == SIZE_MAX && is_crossed(&c))
            crossed_at = clause;
        at = skip_spaces(text, length, at);
        if (at == length)
            break;
        if (text[at] != ',') {
            error.at = at;
            error.expected = "',' or the end of the constraint";
            return fail_syntax(diag, field, text, length, &error);
        }
        at = skip_spaces(text, length, at + 1);
    }
    if (crossed_at != SIZE_MAX)
        return fail_crossed(diag, field, crossed_at, &c);
    *out = c;
    return OTAPRIO_OK;
}

bool otaprio__constraint_admits(const otaprio__constraint *constraint,
                                const otaprio__version *version)
{
    const otaprio__bound *lower = &constraint->lower;
    const otaprio__bound *upper = &constraint->upper;
    if (lower->present) {
        int order = otaprio__version_cmp(version, &lower->version);
        if (order < 0 || (order == 0 && !lower->inclusive))
            return false;
    }
    if (upper->present) {
        int order = otaprio__version_cmp(version, &upper->version);
        if (order > 0 || (order == 0 && !upper->inclusive))
            return false;
    }
    return true;
}
