#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for the representativeness of a cohort, from an
independent reference written with NumPy (pinned in requirements.txt) from
the rules of docs/cohort.md, "Representativeness".

For each seeded set of strata (ids in any order, each with N_h fleet
devices of which c_h are in the cohort; N = sum N_h, C = sum c_h), only
strata with N_h > 0 counting:

    p_h = N_h / N, q_h = c_h / C (0 when C = 0)
    tvd          = 1/2 * sum |q_h - p_h|; 1 when C = 0 < N
    tvd of d     = the same over the marginal counts of dimension d's codes
                   (codes from the ids in mixed radix, dimension 0 fastest)
    coverage     = #{c_h > 0} / #strata, and sum N_h over those / N
    worst        = deficit p_h - q_h > 0, largest first, ties by id, at most 8

Sums are NumPy's (pairwise), so the library's results, summed in another
order, agree to rounding; counts, strata and the order of the worst strata
agree exactly (a deficit is the same two IEEE divisions and a subtraction
in both). Inputs come from SplitMix64 (splitmix.py), not from NumPy's
random generators, whose streams may change between NumPy versions.

Writes tests/vectors/cohort_report_vectors.h; with --check, exits 1 when
the stored file differs from what the reference computes now.
"""
import pathlib
import sys

import numpy as np

import vectorfile
from splitmix import SplitMix64

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "cohort_report_vectors.h"
WORST = 8




def stratum_id(cards, codes):
    sid, radix = 0, 1
    for card, code in zip(cards, codes):
        sid += code * radix
        radix *= card
    return sid


def random_strata(seed, cards, count, max_fleet, cohort_rate, code_pool=None):
    """`count` distinct strata with random codes (from `code_pool[d]` when
    given, so that strata share codes), fleet counts in [1, max_fleet] and
    cohort counts of about `cohort_rate` of them (0 to N_h)."""
    rng = SplitMix64(seed)
    ids, fleet, cohort = [], [], []
    seen = set()
    while len(ids) < count:
        if code_pool is None:
            codes = [rng.below(c) for c in cards]
        else:
            codes = [pool[rng.below(len(pool))] for pool in code_pool]
        sid = stratum_id(cards, codes)
        if sid in seen:
            continue
        seen.add(sid)
        n = 1 + rng.below(max_fleet)
        c = 0
        if cohort_rate > 0:
            for _ in range(n):
                if rng.below(1000) < cohort_rate * 1000:
                    c += 1
        ids.append(sid)
        fleet.append(n)
        cohort.append(c)
    return ids, fleet, cohort


def sets():
    """(name, cardinalities, ids, fleet, cohort), strata in input order."""
    out = []

    # Every stratum of one dimension, in order.
    ids, fleet, cohort = random_strata(1, [7], 7, 50, 0.2)
    order = sorted(range(7), key=lambda i: ids[i])
    out.append(("one_dimension", [7], [ids[i] for i in order],
                [fleet[i] for i in order], [cohort[i] for i in order]))

    # Three dimensions, a random subset of their 60 strata, shuffled.
    out.append(("three_dimensions", [4, 3, 5]) +
               random_strata(2, [4, 3, 5], 40, 200, 0.1))

    # Codes near 2^32 in dimensions whose product nearly fills 64 bits;
    # strata share codes, so marginals merge strata.
    cards = [0xFFFFFFFF, 0xFFFFFFFB]
    pools = [[0, 1, 0xFFFFFFFE, 0x80000000, 12345],
             [0, 0xFFFFFFFA, 7, 0x7FFFFFFF]]
    out.append(("huge_codes", cards) +
               random_strata(3, cards, 18, 10000, 0.05, pools))

    # No dimensions: the whole fleet one stratum.
    out.append(("no_dimensions", [], [0], [1000], [37]))

    # A cohort with no devices: distances 1, every stratum under-covered.
    out.append(("empty_cohort", [3, 3]) +
               random_strata(4, [3, 3], 9, 30, 0.0))

    # No fleet at all, and strata listed with no devices.
    out.append(("empty_fleet", [5], [], [], []))
    out.append(("zero_strata", [5, 2], [3, 7, 1], [0, 0, 0], [0, 0, 0]))

    # Strata without devices among others, which must not count.
    ids, fleet, cohort = random_strata(5, [6, 2, 2], 15, 40, 0.3)
    empty = [sid for sid in range(24) if sid not in ids][:2]
    out.append(("some_zero_strata", [6, 2, 2], empty[:1] + ids + empty[1:],
                [0] + fleet + [0], [0] + cohort + [0]))

    # Many strata with equal counts: deficits tie and ids decide.
    cards = [10, 10, 10]
    ids = list(range(0, 1000, 7))
    rng = SplitMix64(6)
    fleet = [4 if i % 3 else 8 for i in range(len(ids))]
    cohort = [0 if i % 5 else 1 for i in range(len(ids))]
    perm = list(range(len(ids)))
    for i in range(len(perm) - 1, 0, -1):  # Fisher-Yates
        j = rng.below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    out.append(("ties", cards, [ids[i] for i in perm],
                [fleet[i] for i in perm], [cohort[i] for i in perm]))

    # Every dimension a spec may name, with many strata.
    cards = [2, 3] * 8
    out.append(("sixteen_dimensions", cards) +
               random_strata(7, cards, 500, 100, 0.08))

    # A cohort exactly proportional to its fleet: every distance 0.
    ids, fleet, _ = random_strata(8, [5, 4], 20, 30, 0.0)
    out.append(("proportional", [5, 4], ids, [3 * n for n in fleet],
                fleet))

    # A cohort that is the whole fleet of one stratum only.
    out.append(("one_stratum_cohort", [4], [0, 1, 2, 3], [10, 20, 30, 40],
                [0, 0, 30, 0]))
    return out


def codes_of(cards, ids):
    """Codes of each dimension, from the ids (uint64, dimension 0
    fastest)."""
    rest = np.array(ids, dtype=np.uint64)
    out = []
    for card in cards:
        out.append(rest % np.uint64(card))
        rest = rest // np.uint64(card)
    return out


def distance(n_counts, c_counts, n_total, c_total):
    if c_total == 0:
        return 1.0
    p = n_counts.astype(np.float64) / np.float64(n_total)
    q = c_counts.astype(np.float64) / np.float64(c_total)
    return float(min(1.0, 0.5 * np.abs(q - p).sum()))


def reference(cards, ids, fleet, cohort):
    ids_a = np.array(ids, dtype=np.uint64)
    n_a = np.array(fleet, dtype=np.int64)
    c_a = np.array(cohort, dtype=np.int64)
    keep = n_a > 0
    ids_a, n_a, c_a = ids_a[keep], n_a[keep], c_a[keep]
    n_total, c_total = int(n_a.sum()), int(c_a.sum())
    result = {"fleet": n_total, "cohort": c_total, "strata": len(ids_a)}
    if n_total == 0:
        result.update(covered=0, strata_coverage=0.0, mass_coverage=0.0,
                      tvd=0.0, tvd_dimension=[0.0] * len(cards), worst=[])
        return result
    covered = c_a > 0
    result["covered"] = int(covered.sum())
    result["strata_coverage"] = float(np.float64(covered.sum()) /
                                      np.float64(len(ids_a)))
    result["mass_coverage"] = float(np.float64(n_a[covered].sum()) /
                                    np.float64(n_total))
    result["tvd"] = distance(n_a, c_a, n_total, c_total)
    dims = []
    for codes in codes_of(cards, ids_a):
        uniq, inverse = np.unique(codes, return_inverse=True)
        n_m = np.zeros(len(uniq), dtype=np.int64)
        c_m = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(n_m, inverse.reshape(-1), n_a)
        np.add.at(c_m, inverse.reshape(-1), c_a)
        dims.append(distance(n_m, c_m, n_total, c_total))
    result["tvd_dimension"] = dims
    p = n_a.astype(np.float64) / np.float64(n_total)
    q = (c_a.astype(np.float64) / np.float64(c_total) if c_total
         else np.zeros(len(c_a)))
    deficit = p - q
    order = np.lexsort((ids_a, -deficit))  # deficit down, then id up
    order = [i for i in order if deficit[i] > 0][:WORST]
    result["worst"] = [(int(ids_a[i]), float(p[i]), float(q[i]))
                       for i in order]
    return result


def c_list(ctype, name, values, fmt, per_line=6):
    lines = ["static const %s %s[] = {" % (ctype, name)]
    if not values:
        lines.append("    0, /* none: a C array needs an element */")
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(fmt(v) for v in
                                        values[i:i + per_line]) + ",")
    lines.append("};")
    return lines


def u64(v):
    return "UINT64_C(%d)" % v


def dbl(v):
    return float(v).hex()


def render():
    # Generated text is left as written: clang-format would reflow it.
    out = ["/* SPDX-License-Identifier: MIT */",
           "/* clang-format off */",
           "/* Generated by tests/vectors/gen_cohort_report_vectors.py with "
           "NumPy %s. Do not edit. */" % np.__version__,
           "#include <stddef.h>", "#include <stdint.h>", "",
           "typedef struct report_vector {",
           "    const char *name;",
           "    uint32_t dimension_count;",
           "    const uint32_t *cardinalities;",
           "    size_t strata; /* entries, in input order */",
           "    const uint64_t *ids;",
           "    const uint64_t *fleet;",
           "    const uint64_t *cohort;",
           "    /* the expected report */",
           "    uint64_t fleet_total;",
           "    uint64_t cohort_total;",
           "    uint64_t strata_count;",
           "    uint64_t strata_covered;",
           "    double strata_coverage;",
           "    double mass_coverage;",
           "    double tvd;",
           "    const double *tvd_dimension;",
           "    uint32_t worst_count;",
           "    const uint64_t *worst_stratum;",
           "    const double *worst_fleet_share;",
           "    const double *worst_cohort_share;",
           "} report_vector;", ""]
    table = []
    for name, cards, ids, fleet, cohort in sets():
        r = reference(cards, ids, fleet, cohort)
        p = "rv_" + name
        out += c_list("uint32_t", p + "_cardinalities", cards,
                      lambda v: "%du" % v)
        out += c_list("uint64_t", p + "_ids", ids, u64, 4)
        out += c_list("uint64_t", p + "_fleet", fleet, u64, 4)
        out += c_list("uint64_t", p + "_cohort", cohort, u64, 4)
        out += c_list("double", p + "_tvd_dimension", r["tvd_dimension"],
                      dbl, 3)
        out += c_list("uint64_t", p + "_worst_stratum",
                      [w[0] for w in r["worst"]], u64, 4)
        out += c_list("double", p + "_worst_fleet_share",
                      [w[1] for w in r["worst"]], dbl, 3)
        out += c_list("double", p + "_worst_cohort_share",
                      [w[2] for w in r["worst"]], dbl, 3)
        out.append("")
        table.append(
            "    {\"%s\", %du, %s_cardinalities, %d, %s_ids, %s_fleet, "
            "%s_cohort,\n     %s, %s, %s, %s, %s, %s, %s, %s_tvd_dimension, "
            "%du,\n     %s_worst_stratum, %s_worst_fleet_share, "
            "%s_worst_cohort_share}," % (
                name, len(cards), p, len(ids), p, p, p,
                u64(r["fleet"]), u64(r["cohort"]), u64(r["strata"]),
                u64(r["covered"]), dbl(r["strata_coverage"]),
                dbl(r["mass_coverage"]), dbl(r["tvd"]), p,
                len(r["worst"]), p, p, p))
    out.append("static const report_vector report_vectors[] = {")
    out += table
    out.append("};")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
