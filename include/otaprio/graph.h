/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/graph.h
 * @brief Dependency engine: versions and constraints, directed graphs and
 *        their traversals, the package catalog (release order, impact,
 *        eligibility, update paths) and shared-fate clusters.
 *
 * One layer so far:
 * - **Versions.** A documented total order over version strings and
 *   interval constraints over it (otaprio_version_compare(),
 *   otaprio_constraint_matches()).
 *
 * Built graphs and catalogs are immutable: any number of threads may query
 * one at once. Builders and clusterers are single-threaded objects.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_GRAPH_H
#define OTAPRIO_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== versions and constraints ========================================= */

/**
 * @brief Longest version string or constraint accepted, in bytes.
 *
 * Longer text fails with #OTAPRIO_E_RANGE.
 * @since 0.1.0
 */
#define OTAPRIO_VERSION_TEXT_MAX 256

/**
 * @brief Compares two version strings in the library's total order.
 *
 * Grammar (no spaces; text need not be NUL-terminated):
 *
 *     version    = ["v" / "V"] release ["-" prerelease] ["+" build]
 *     release    = segment *("." segment)
 *     segment    = 1*(ALPHA / DIGIT)
 *     prerelease = ident *("." ident)
 *     build      = ident *("." ident)
 *     ident      = 1*(ALPHA / DIGIT / "-")
 *
 * ALPHA and DIGIT are ASCII. A leading `v` or `V` is the prefix only when a
 * digit follows it; otherwise it starts a segment (`vendor` is one segment).
 *
 * Order, deciding at the first difference:
 * 1. Release segments, left to right; a missing trailing segment counts as
 *    numeric 0. A numeric segment (digits only) compares by value, so
 *    leading zeros do not matter and any length is exact. A segment with a
 *    letter ranks above every numeric one; two such segments compare as
 *    ASCII bytes, a proper prefix first.
 * 2. With equal releases, a version with a pre-release ranks below the one
 *    without. Two pre-releases compare identifier by identifier (numeric by
 *    value, numeric below alphanumeric, alphanumeric as ASCII bytes); when
 *    one list is a prefix of the other, the shorter ranks lower (as in
 *    Semantic Versioning 2.0: `1.0-alpha < 1.0-alpha.1 < 1.0-beta < 1.0`).
 * 3. With equal releases and pre-releases, build metadata breaks the tie
 *    by the pre-release rules, a version without ranking below one with it,
 *    so that distinct firmware builds are distinct versions.
 *
 * Strings that differ only by leading zeros, trailing `.0` segments or the
 * `v` prefix denote the same version: `1.2`, `1.2.0`, `v1.02` are equal.
 *
 * Thread-safe.
 * @param a first version; may be NULL only when @p a_length is 0 (which is
 *          a syntax error).
 * @param a_length bytes in @p a.
 * @param b second version, likewise.
 * @param b_length bytes in @p b.
 * @param[out] order receives -1, 0 or 1 as @p a ranks below, equal to or
 *                   above @p b.
 * @param[out] diag optional; on a syntax error, otaprio_diag::field is "a"
 *                  or "b" and otaprio_diag::index the byte offset.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_SYNTAX for malformed text; #OTAPRIO_E_RANGE for text
 *         longer than #OTAPRIO_VERSION_TEXT_MAX.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_version_compare(const char *a, size_t a_length,
                                        const char *b, size_t b_length,
                                        int *order, otaprio_diag *diag);

/**
 * @brief Tells whether a version satisfies a constraint.
 *
 * A constraint is `*` (any version) or comma-separated clauses, each an
 * optional operator and a version, with spaces allowed around operators and
 * commas:
 *
 *     constraint = "*" / clause *("," clause)
 *     clause     = [">=" / ">" / "<=" / "<" / "==" / "="] version
 *
 * A bare version or `=` means exactly that version. Clauses intersect, so
 * every constraint is one interval of the version order, for example
 * `>= 2.3.1, < 3`. A constraint whose lower end lies above its upper end
 * (`> 2, < 1`), or whose ends are one version with either end open
 * (`> 1, <= 1`), is an error rather than one that silently matches nothing.
 *
 * Thread-safe.
 * @param constraint the constraint text.
 * @param constraint_length bytes in @p constraint.
 * @param version the version text.
 * @param version_length bytes in @p version.
 * @param[out] matches receives 1 when the version satisfies the constraint,
 *                     else 0.
 * @param[out] diag optional; field "constraint" or "version", index the
 *                  byte offset of a syntax error.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_SYNTAX for malformed text; #OTAPRIO_E_RANGE for text
 *         that is too long or a constraint with crossed ends.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_constraint_matches(const char *constraint,
                                           size_t constraint_length,
                                           const char *version,
                                           size_t version_length, int *matches,
                                           otaprio_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* OTAPRIO_GRAPH_H */
