/* SPDX-License-Identifier: MIT */
/*
 * Version strings and constraints (version_order.c): the parser and the
 * total order documented at otaprio_version_compare(), shared by the public
 * functions and the catalog.
 */
#ifndef OTAPRIO_VERSION_ORDER_H
#define OTAPRIO_VERSION_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/*
 * A parsed version: a view over text the caller keeps alive. Offsets are
 * byte positions in `text`; the release is [release_start, release_end),
 * the pre-release (without its '-') [release_end + 1, prerelease_end) when
 * prerelease_end > release_end, the build (without its '+')
 * [prerelease_end + 1, length) when prerelease_end < length.
 */
typedef struct otaprio__version {
    const char *text;
    uint16_t length;
    uint16_t release_start;
    uint16_t release_end;
    uint16_t prerelease_end;
} otaprio__version;

/*
 * Parses `length` bytes of `text`. On failure returns OTAPRIO_E_SYNTAX
 * (diag index: byte offset, field: `field`) or OTAPRIO_E_RANGE (too long;
 * diag index OTAPRIO_VERSION_TEXT_MAX, the first byte past the limit)
 * and leaves `out` untouched.
 */
int otaprio__version_parse(const char *text, size_t length, const char *field,
                           otaprio__version *out, otaprio_diag *diag);

/* -1, 0 or 1 in the documented order. */
int otaprio__version_cmp(const otaprio__version *a, const otaprio__version *b);

/* One end of a constraint's interval; absent means unbounded. */
typedef struct otaprio__bound {
    otaprio__version version;
    bool present;
    bool inclusive;
} otaprio__bound;

/* A constraint: the interval [lower, upper] of the version order, each end
 * open, closed or absent. Its versions view the parsed text. */
typedef struct otaprio__constraint {
    otaprio__bound lower;
    otaprio__bound upper;
} otaprio__constraint;

/*
 * Parses a constraint. OTAPRIO_E_SYNTAX with the byte offset, or
 * OTAPRIO_E_RANGE for too long text or crossed ends (lower above upper,
 * or equal with an open end; diag index: the offset of the clause that
 * crossed them). A syntax error anywhere outranks crossed ends.
 * `out` untouched on failure.
 */
int otaprio__constraint_parse(const char *text, size_t length,
                              const char *field, otaprio__constraint *out,
                              otaprio_diag *diag);

/* Whether `version` lies in the interval. */
bool otaprio__constraint_admits(const otaprio__constraint *constraint,
                                const otaprio__version *version);

#endif /* OTAPRIO_VERSION_ORDER_H */
