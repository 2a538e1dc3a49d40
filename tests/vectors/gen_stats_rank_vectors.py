#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for the rank statistics (src/stats_rank.c,
src/stats_hodges_lehmann.c).

Mann-Whitney: scipy.stats.mannwhitneyu(x - shift, y, use_continuity=True,
alternative=..., method=...) (scipy pinned in requirements.txt) gives the
statistic and the p-value. The log p-value reference is computed here,
independently and in log space, so it stays meaningful where scipy's p
underflows to 0:
- exact: the null distribution of U counted in Python integers (the
  coefficients of the Gaussian binomial [m + n choose m]_q), the tail
  probability a Fraction, its log taken as log(count) - log(total), or as
  log1p(-(1 - p)) when p > 1/2; the script also requires scipy's p to
  agree with it to 1e-10;
- asymptotic: z formed exactly as scipy forms it (tie term from the
  pooled values' group sizes), then scipy.stats.norm.logsf(z) + log 2 for
  two-sided, clipped at 0.

Hodges-Lehmann: all pairwise differences formed by numpy.subtract.outer and
sorted; the estimate is numpy.median of them, the interval [D(C),
D(N + 1 - C)] with C as src/stats_hodges_lehmann.c documents (exact
integer distribution when min(nx, ny) <= 8 and no pooled ties, else
C = floor(nx ny / 2 + 1/2 - norm.isf(alpha / 2) sigma)); the script
refuses a case within 1e-9 of a boundary of that rule.

Writes tests/vectors/stats_rank_vectors.h; with --check, exits 1 when the
stored file differs from what the reference computes now.
"""
import math
import pathlib
import sys
from fractions import Fraction

import numpy as np
import scipy
from scipy.stats import mannwhitneyu, norm

import vectorfile
from splitmix import SplitMix64

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "stats_rank_vectors.h"

ALTERNATIVES = ["two-sided", "greater", "less"]
METHODS = ["auto", "exact", "asymptotic"]


# ---- deterministic samples ------------------------------------------------

def uniforms(rng, count):
    return [(rng.next() >> 11) * 2.0 ** -53 for _ in range(count)]


def continuous(rng, count, centre=0.0, scale=1.0):
    """Sum of three uniforms: bell-shaped, no ties (almost surely)."""
    out = []
    for _ in range(count):
        u = uniforms(rng, 3)
        out.append(centre + scale * (u[0] + u[1] + u[2] - 1.5))
    return out


def integers(rng, count, levels, offset=0):
    return [float(rng.below(levels) + offset) for _ in range(count)]


# ---- exact null distribution of U in integers ------------------------------

def u_counts(m, n, top=None):
    """Counts of U = 0 .. top (default m n) over the C(m + n, m)
    orderings."""
    small, large = min(m, n), max(m, n)
    if top is None:
        top = small * large
    c = [0] * (top + 1)
    c[0] = 1
    for i in range(1, small + 1):
        for k in range(i, top + 1):
            c[k] += c[k - i]
        lag = large + i
        for k in range(top, lag - 1, -1):
            c[k] -= c[k - lag]
    return c


def log_fraction(p):
    """log of a Fraction in (0, 1], accurate near both ends."""
    if p == 1:
        return 0.0
    if p > Fraction(1, 2):
        return math.log1p(-float(1 - p))
    return math.log(p.numerator) - math.log(p.denominator)


def exact_tail(m, n, u, alternative):
    """P-value of scipy's exact method, as a Fraction."""
    total = math.comb(m + n, m)
    k = int(u)  # scipy truncates a half-integer U
    if k >= m * n - k:  # P(U >= k) = P(U <= m n - k)
        p = Fraction(sum(u_counts(m, n, m * n - k)), total)
    elif k == 0:
        p = Fraction(1)
    else:
        p = 1 - Fraction(sum(u_counts(m, n, k - 1)), total)
    if alternative == "two-sided":
        p = min(Fraction(1), 2 * p)
    return p


def tie_term(values):
    _, counts = np.unique(np.asarray(values), return_counts=True)
    t = counts.astype(np.float64)
    return float(np.sum(t ** 3 - t))


def asymptotic_log_p(u1, m, n, pooled, alternative):
    u2 = m * n - u1
    u = {"greater": u1, "less": u2}.get(alternative, max(u1, u2))
    nn = m + n
    s = np.sqrt(m * n / 12 * ((nn + 1) - tie_term(pooled) / (nn * (nn - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u - m * n / 2 - 0.5) / s
    if not (s > 0):
        return 0.0
    log_p = float(norm.logsf(z))
    if alternative == "two-sided":
        log_p += math.log(2.0)
    return min(log_p, 0.0)


def has_ties(values):
    return len(set(values)) < len(values)


def chosen_method(method, m, n, pooled):
    if method != "auto":
        return method
    if min(m, n) <= 8 and not has_ties(pooled):
        return "exact"
    return "asymptotic"


# ---- cases -------------------------------------------------------------------

class Data:
    """All samples in one array; a sample shared by several cases is
    stored once."""

    def __init__(self):
        self.values = []
        self.offsets = {}
        self.keep = []

    def add(self, sample):
        if id(sample) in self.offsets:
            return self.offsets[id(sample)]
        at = len(self.values)
        self.values.extend(sample)
        self.offsets[id(sample)] = at
        self.keep.append(sample)  # ids stay unique while it lives
        return at


def mwu_cases(rng):
    """(x, y, shift, alternative, method)."""
    cases = []
    for m in range(1, 9):
        for n in (1, 2, 3, 5, 8, 13):
            x = continuous(rng, m, 0.2)
            y = continuous(rng, n)
            for alt in ALTERNATIVES:
                cases.append((x, y, 0.0, alt, "auto"))
    # exact on larger untied samples, both tails and the far tail
    for m, n in ((8, 200), (20, 25), (40, 60), (3, 3000)):
        x = continuous(rng, m, 0.3)
        y = continuous(rng, n)
        for alt in ALTERNATIVES:
            cases.append((x, y, 0.0, alt, "exact"))
    x = continuous(rng, 8, 5.0)
    y = continuous(rng, 1500)
    for alt in ALTERNATIVES:
        cases.append((x, y, 0.0, alt, "auto"))  # p ~ 1 / C(1508, 8)
    sep_x = continuous(rng, 600, 10.0)
    sep_y = continuous(rng, 600)
    for alt in ALTERNATIVES:  # p = 1 / C(1200, 600) ~ 1e-359: underflows
        cases.append((sep_x, sep_y, 0.0, alt, "exact"))
    # exact with ties: scipy ignores them and truncates U
    x = integers(rng, 6, 4)
    y = integers(rng, 7, 4)
    for alt in ALTERNATIVES:
        cases.append((x, y, 0.0, alt, "exact"))
    # asymptotic across sizes
    for m, n in ((9, 9), (10, 30), (50, 47), (200, 300), (1000, 1500)):
        x = continuous(rng, m, 0.05)
        y = continuous(rng, n)
        for alt in ALTERNATIVES:
            for method in ("auto", "asymptotic"):
                cases.append((x, y, 0.0, alt, method))
    # heavy ties, small and large; auto with ties on a small sample
    for m, n, levels in ((5, 6, 3), (30, 40, 4), (1500, 2500, 5),
                         (3000, 3000, 2)):
        x = integers(rng, m, levels)
        y = integers(rng, n, levels)
        for alt in ALTERNATIVES:
            cases.append((x, y, 0.0, alt, "auto"))
    # all values equal: s = 0
    for m, n in ((1, 1), (4, 7), (12, 30)):
        for alt in ALTERNATIVES:
            cases.append(([2.5] * m, [2.5] * n, 0.0, alt, "auto"))
    # shifts: ties created by x - shift, and a margin test
    x = integers(rng, 40, 10, 3)
    y = integers(rng, 50, 10)
    for shift in (3.0, 2.5, -1.0, 0.1):
        for alt in ALTERNATIVES:
            cases.append((x, y, shift, alt, "auto"))
    x = continuous(rng, 7, 1.0)
    y = continuous(rng, 9)
    for shift in (0.5, 1.0, 2.0):
        for alt in ALTERNATIVES:
            cases.append((x, y, shift, alt, "auto"))
    # the far tail of the normal approximation (p underflows)
    x = continuous(rng, 1000, 50.0)
    y = continuous(rng, 1000)
    for alt in ALTERNATIVES:
        cases.append((x, y, 0.0, alt, "asymptotic"))
    x = continuous(rng, 400, 3.0)
    y = continuous(rng, 500)
    for alt in ALTERNATIVES:
        cases.append((x, y, 0.0, alt, "auto"))
    return cases


def hl_cases(rng):
    """(x, y, confidence)."""
    cases = []
    for m, n in ((1, 1), (1, 2), (2, 2), (3, 5), (5, 5), (8, 8), (4, 30),
                 (8, 60), (9, 9), (20, 31)):
        x = continuous(rng, m, 0.4)
        y = continuous(rng, n)
        for conf in (0.5, 0.8, 0.9, 0.95, 0.99):
            cases.append((x, y, conf))
    for m, n in ((120, 150), (300, 400), (600, 800)):
        x = continuous(rng, m, 0.1)
        y = continuous(rng, n)
        for conf in (0.5, 0.9, 0.95, 0.999):
            cases.append((x, y, conf))
    for m, n, levels in ((6, 9, 3), (60, 70, 4), (500, 600, 6)):
        x = integers(rng, m, levels, 1)
        y = integers(rng, n, levels)
        for conf in (0.8, 0.95):
            cases.append((x, y, conf))
    x = continuous(rng, 200, 1e6, 1e3)
    y = continuous(rng, 250, -1e6, 1e-3)
    cases.append((x, y, 0.95))
    return cases


def moses_rank(x, y, confidence):
    m, n = len(x), len(y)
    half_alpha = (1.0 - confidence) / 2.0
    if min(m, n) <= 8 and not has_ties(x + y):
        c = u_counts(m, n, m * n // 2)
        total = math.comb(m + n, m)
        limit = Fraction(half_alpha)
        cum, k = 0, 0
        while True:
            cum += c[k]
            p = Fraction(cum, total)
            if p > limit:
                break
            k += 1
        assert abs(float(p - limit)) > 1e-9 * float(limit)
        return k
    sigma = math.sqrt(m * n * (m + n + 1) / 12.0)
    arg = m * n / 2.0 + 0.5 - float(norm.isf(half_alpha)) * sigma
    assert abs(arg - round(arg)) > 1e-9, (m, n, confidence)
    c = math.floor(arg)
    return max(c, 0)


def literal(value):
    if value == float("inf"):
        return "HUGE_VAL"
    if value == float("-inf"):
        return "-HUGE_VAL"
    if math.isnan(value):
        return "NAN"
    return float(value).hex()


def render():
    rng = SplitMix64(0x5EED0007)
    data = Data()
    mwu_rows = []
    for x, y, shift, alt, method in mwu_cases(rng):
        xs = np.asarray(x) - shift
        res = mannwhitneyu(xs, np.asarray(y), use_continuity=True,
                           alternative=alt, method=method)
        u1 = float(res.statistic)
        p = float(res.pvalue)
        m, n = len(x), len(y)
        pooled = list(xs) + list(y)
        if chosen_method(method, m, n, pooled) == "exact":
            exact = exact_tail(m, n, u1 if alt == "greater" else
                               (m * n - u1 if alt == "less" else
                                max(u1, m * n - u1)), alt)
            log_p = log_fraction(exact)
            assert abs(float(exact) - p) <= 1e-10 * p + 1e-300, (m, n, alt)
        else:
            log_p = asymptotic_log_p(u1, m, n, pooled, alt)
            if p > 1e-290:
                assert abs(math.log(p) - log_p) <= 1e-9 * abs(log_p) + 1e-15
        mwu_rows.append((data.add(x), m, data.add(y), n, shift,
                         ALTERNATIVES.index(alt), METHODS.index(method),
                         u1, p, log_p))
    hl_rows = []
    for x, y, confidence in hl_cases(rng):
        d = np.sort(np.subtract.outer(np.asarray(x), np.asarray(y)).ravel())
        estimate = float(np.median(d))
        c = moses_rank(x, y, confidence)
        if c < 1:
            low, high = float("-inf"), float("inf")
        else:
            low, high = float(d[c - 1]), float(d[d.size - c])
        hl_rows.append((data.add(x), len(x), data.add(y), len(y), confidence,
                        estimate, low, high, c))

    out = ["/* SPDX-License-Identifier: MIT */",
           "/* clang-format off */",
           "/* Generated by tests/vectors/gen_stats_rank_vectors.py with "
           "scipy %s. Do not edit. */" % scipy.__version__,
           "#include <math.h>",
           "#include <stddef.h>\n",
           "typedef struct mwu_vector {\n    size_t x_at, nx, y_at, ny;\n"
           "    double shift;\n    int alternative; /* two-sided, greater, "
           "less */\n    int method;      /* auto, exact, asymptotic */\n"
           "    double statistic, p_value, log_p_value;\n} mwu_vector;\n",
           "typedef struct hl_vector {\n    size_t x_at, nx, y_at, ny;\n"
           "    double confidence;\n    double estimate, low, high;\n"
           "    unsigned long long rank; /* C, 0 for no finite interval */\n"
           "} hl_vector;\n",
           "static const double rank_data[] = {"]
    for i in range(0, len(data.values), 4):
        out.append("    " + " ".join(literal(v) + "," for v in
                                     data.values[i:i + 4]))
    out.append("};\n")
    out.append("static const mwu_vector mwu_vectors[] = {")
    for r in mwu_rows:
        out.append("    {%d, %d, %d, %d, %s, %d, %d, %s, %s, %s}," % (
            r[0], r[1], r[2], r[3], literal(r[4]), r[5], r[6],
            literal(r[7]), literal(r[8]), literal(r[9])))
    out.append("};\n")
    out.append("static const hl_vector hl_vectors[] = {")
    for r in hl_rows:
        out.append("    {%d, %d, %d, %d, %s, %s, %s, %s, %du}," % (
            r[0], r[1], r[2], r[3], literal(r[4]), literal(r[5]),
            literal(r[6]), literal(r[7]), r[8]))
    out.append("};")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
