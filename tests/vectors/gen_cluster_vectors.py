#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for shared-fate clusters, from an independent reference:
NumPy's numpy.unique over the rows of the attribute matrix (pinned in
requirements.txt), which sorts where the library hashes.

For each seeded set of columns (a column may be absent: the library gets
NULL, the reference a column of zeros), an optional include mask and an
optional cohort mask:

    rows   = the included devices' tuples
    unique(rows, axis=0, return_index, return_inverse, return_counts)
    ids    renumbered by first appearance (ascending first index)
    cohort members = bincount(ids, weights=cohort)

Inputs come from SplitMix64 written out below, not from NumPy's random
generators, whose streams may change between NumPy versions.

Writes tests/vectors/cluster_vectors.h; with --check, exits 1 when the
stored file differs from what the reference computes now.
"""
import pathlib
import sys

import numpy as np

import vectorfile

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "cluster_vectors.h"
MASK64 = (1 << 64) - 1
U32_MAX = 0xFFFFFFFF


def splitmix64(seed, count):
    """Draws 0 .. count-1 of counter-form SplitMix64(seed)."""
    out = []
    for index in range(count):
        z = (seed + (index + 1) * 0x9E3779B97F4A7C15) & MASK64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        out.append(z ^ (z >> 31))
    return out


def column(seed, n, pick):
    return [pick(d) for d in splitmix64(seed, n)]


def sets():
    """(name, n, columns (None = absent), include, cohort)."""
    out = []

    # One attribute, five values: the smallest case.
    n = 64
    out.append(("one_attribute", n, [column(11, n, lambda d: d % 5)],
                None, None))

    # Three attributes, each 0, 1 or UINT32_MAX: tuples that differ in one
    # attribute only, and the extremes of the value range.
    n = 500
    extremes = (0, 1, U32_MAX)
    cols = [column(20 + a, n, lambda d: extremes[d % 3]) for a in range(3)]
    out.append(("extremes", n, cols, None, None))

    # Four attributes, the second absent, with include and cohort masks.
    n = 1000
    cols = [column(31, n, lambda d: d % 4), None,
            column(33, n, lambda d: (d >> 8) % 3),
            column(34, n, lambda d: 7 if d % 10 else U32_MAX - 7)]
    include = column(35, n, lambda d: 0 if d % 5 == 0 else 1)
    cohort = column(36, n, lambda d: 1 if d % 7 == 0 else 0)
    out.append(("masked", n, cols, include, cohort))

    # Every attribute a clusterer takes; six vary, the rest are absent or
    # constant, so tuples agree in most places.
    n = 100
    cols = []
    for a in range(64):
        if a % 10 == 3:
            cols.append(column(40 + a, n,
                               lambda d: U32_MAX if d % 3 == 0 else 0))
        elif a % 2 == 0:
            cols.append(None)
        else:
            cols.append([a] * n)
    out.append(("max_attributes", n, cols, None, None))

    # Two attributes of full 32-bit values from a pool: many clusters of
    # a few devices, every value bit significant.
    n = 2000
    pool = splitmix64(50, 40)
    cols = [column(51, n, lambda d: pool[d % 40] & U32_MAX),
            column(52, n, lambda d: pool[(d >> 32) % 40] >> 32)]
    cohort = column(53, n, lambda d: d & 1)
    out.append(("many_clusters", n, cols, None, cohort))
    return out


def reference(n, cols, include, cohort):
    """Cluster ids (UINT32_MAX for excluded devices), then per cluster in
    id order: members, cohort members, values."""
    matrix = np.array([c if c is not None else [0] * n for c in cols],
                      dtype=np.uint32).T
    keep = (np.ones(n, dtype=bool) if include is None
            else np.array(include, dtype=np.uint8) == 1)
    rows = matrix[keep]
    uniq, first, inverse, counts = np.unique(
        rows, axis=0, return_index=True, return_inverse=True,
        return_counts=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(first, kind="stable")  # by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    ids = np.full(n, U32_MAX, dtype=np.uint64)
    ids[keep] = rank[inverse]
    coh = (np.zeros(len(rows), dtype=np.int64) if cohort is None
           else np.array(cohort, dtype=np.int64)[keep])
    cohort_members = np.bincount(rank[inverse], weights=coh,
                                 minlength=len(order)).astype(np.int64)
    return ([int(x) for x in ids], [int(x) for x in counts[order]],
            [int(x) for x in cohort_members],
            [[int(v) for v in row] for row in uniq[order]])


def c_array(ctype, name, values, per_line=12):
    lines = ["static const %s %s[] = {" % (ctype, name)]
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(
            "%du" % v for v in values[i:i + per_line]) + ",")
    lines.append("};")
    return lines


def render():
    # Generated text is left as written: clang-format would reflow it.
    out = ["/* SPDX-License-Identifier: MIT */",
           "/* clang-format off */",
           "/* Generated by tests/vectors/gen_cluster_vectors.py with NumPy "
           "%s. Do not edit. */" % np.__version__,
           "#include <stddef.h>", "#include <stdint.h>", "",
           "typedef struct cluster_vector {",
           "    const char *name;",
           "    size_t attribute_count;",
           "    size_t device_count;",
           "    /* attribute_count columns of device_count values, back to"
           "\n     * back; an absent column is zeros here and NULL for the"
           "\n     * library */",
           "    const uint32_t *columns;",
           "    const uint8_t *present;",
           "    const uint8_t *include; /* NULL: every device */",
           "    const uint8_t *cohort;  /* NULL: none */",
           "    const uint32_t *cluster; /* per device */",
           "    uint32_t cluster_count;",
           "    const uint64_t *members;",
           "    const uint64_t *cohort_members;",
           "    const uint32_t *values; /* attribute_count per cluster */",
           "} cluster_vector;", ""]
    table = []
    for name, n, cols, include, cohort in sets():
        ids, members, cohort_members, values = reference(n, cols, include,
                                                         cohort)
        flat = [v for c in cols for v in (c if c is not None else [0] * n)]
        present = [0 if c is None else 1 for c in cols]
        p = "cv_" + name
        out += c_array("uint32_t", p + "_columns", flat)
        out += c_array("uint8_t", p + "_present", present, 32)
        if include is not None:
            out += c_array("uint8_t", p + "_include", include, 32)
        if cohort is not None:
            out += c_array("uint8_t", p + "_cohort", cohort, 32)
        out += c_array("uint32_t", p + "_cluster", ids)
        out += c_array("uint64_t", p + "_members", members)
        out += c_array("uint64_t", p + "_cohort_members", cohort_members)
        out += c_array("uint32_t", p + "_values",
                       [v for row in values for v in row])
        out.append("")
        table.append("    {\"%s\", %d, %d, %s_columns, %s_present, %s, %s, "
                     "%s_cluster, %du, %s_members, %s_cohort_members, "
                     "%s_values}," % (
                         name, len(cols), n, p, p,
                         p + "_include" if include is not None else "NULL",
                         p + "_cohort" if cohort is not None else "NULL",
                         p, len(members), p, p, p))
    out.append("static const cluster_vector cluster_vectors[] = {")
    out += table
    out.append("};")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
