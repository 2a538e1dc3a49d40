#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for the two-sample tests on proportions, rates and
spread (src/stats_fisher.c, stats_two_proportion.c, stats_rate.c,
stats_spread.c), from scipy (pinned in requirements.txt):

- fisher_exact (all three alternatives); past p ~ 1e-280, where scipy's
  p-value underflows, the log p-value comes from mpmath (50 digits), the
  tables no more likely than the observed one summed over the support;
- chi2_contingency(correction=False), plain and lambda_="log-likelihood";
- Newcombe's hybrid interval written here from binomtest's Wilson limits;
- the Farrington-Manning risk-ratio score test with its restricted MLE
  found by scipy.optimize.brentq on the likelihood's derivative (not the
  closed form the C code uses) and scipy.stats.norm for p;
- the conditional rate-ratio test: binomtest's algorithm on mpmath masses
  (scipy's binom.cdf is off by ~2e-8 near 1e-286), and the interval from
  the Clopper-Pearson limits (beta.ppf) mapped to the ratio;
- levene(x, y, center="median").

Writes tests/vectors/stats_tests_vectors.h; with --check, exits 1 when
the stored file differs from what the reference computes now.
"""
import math
import pathlib
import sys

import mpmath
import numpy as np
import scipy
from scipy import optimize, stats

import vectorfile
from gen_stats_special_vectors import literal, mp_binomtest

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "stats_tests_vectors.h"
ALTERNATIVES = ["two-sided", "greater", "less"]

TABLES = [(3, 10, 1, 12), (0, 10, 0, 10), (10, 10, 10, 10), (0, 5, 3, 5),
          (5, 5, 0, 5), (1, 1000, 0, 1000), (20, 1000, 5, 1000),
          (50, 100, 50, 100), (3, 1000, 40, 1000), (100, 100000, 60, 100000),
          (1500, 1000000, 1000, 1000000), (7, 20, 7, 20), (0, 1, 1, 1),
          (500, 1000, 10, 1000), (2, 1000, 400, 1000), (12, 40, 3, 35),
          (0, 200, 9, 300), (30, 30, 0, 30)]


def mp_fisher(x1, n1, x2, n2):
    """log p for the three alternatives, by summing hypergeometric masses
    over the whole support in mpmath."""
    total, draws = n1 + n2, x1 + x2
    lo, hi = max(0, draws - n2), min(n1, draws)

    def log_mass(x):
        return (mpmath.log(mpmath.binomial(n1, x))
                + mpmath.log(mpmath.binomial(n2, draws - x))
                - mpmath.log(mpmath.binomial(total, draws)))

    masses = {x: mpmath.exp(log_mass(x)) for x in range(lo, hi + 1)}
    exact = masses[x1]
    two = sum(m for m in masses.values() if m <= exact * (1 + 1e-14))
    greater = sum(m for x, m in masses.items() if x >= x1)
    less = sum(m for x, m in masses.items() if x <= x1)
    return [float(mpmath.log(min(v, 1))) for v in (two, greater, less)]


def fisher_rows():
    rows = []
    for x1, n1, x2, n2 in TABLES:
        table = [[x1, n1 - x1], [x2, n2 - x2]]
        results = [stats.fisher_exact(table, alternative=a)
                   for a in ALTERNATIVES]
        ps = [r.pvalue for r in results]
        if min(ps) < 1e-280:
            logs = mp_fisher(x1, n1, x2, n2)
        else:
            logs = [math.log(p) if p > 0 else float("-inf") for p in ps]
        rows.append("    {%du, %du, %du, %du, %s, {%s}, {%s}}," % (
            x1, n1, x2, n2, literal(results[0].statistic),
            ", ".join(literal(p) for p in ps),
            ", ".join(literal(v) for v in logs)))
    return rows


def newcombe(x1, n1, x2, n2, confidence):
    w1 = stats.binomtest(x1, n1).proportion_ci(confidence, "wilson")
    w2 = stats.binomtest(x2, n2).proportion_ci(confidence, "wilson")
    p1, p2 = x1 / n1, x2 / n2
    return (p1 - p2 - math.hypot(p1 - w1.low, w2.high - p2),
            p1 - p2 + math.hypot(w1.high - p1, p2 - w2.low))


def restricted_mle(x1, n1, x2, n2, ratio):
    """p2 maximising the likelihood under p1 = ratio * p2, numerically."""
    if x1 + x2 == 0:
        return 0.0

    def score(p):
        value = (x1 + x2) / p
        if n1 > x1:
            value -= (n1 - x1) * ratio / (1 - ratio * p)
        if n2 > x2:
            value -= (n2 - x2) / (1 - p)
        return value

    top = min(1.0, 1.0 / ratio)
    if score(top * (1 - 1e-15)) > 0:
        return top
    return optimize.brentq(score, 1e-300, top * (1 - 1e-15), xtol=1e-300,
                           rtol=8.9e-16, maxiter=500)


def risk_ratio(x1, n1, x2, n2, ratio):
    p2 = restricted_mle(x1, n1, x2, n2, ratio)
    p1 = ratio * p2
    variance = p1 * (1 - p1) / n1 + ratio ** 2 * p2 * (1 - p2) / n2
    numerator = x1 / n1 - ratio * x2 / n2
    z = 0.0 if variance == 0 and numerator == 0 else \
        numerator / math.sqrt(variance)
    return z, [2 * stats.norm.sf(abs(z)), stats.norm.sf(z), stats.norm.cdf(z)]


def proportion_rows():
    rows = []
    for x1, n1, x2, n2 in TABLES:
        table = [[x1, n1 - x1], [x2, n2 - x2]]
        if 0 < x1 + x2 < n1 + n2:
            plain = stats.chi2_contingency(table, correction=False)
            g = stats.chi2_contingency(table, correction=False,
                                       lambda_="log-likelihood")
            z = (x1 / n1 - x2 / n2)
            z = math.copysign(math.sqrt(plain.statistic), z)
            score = [2 * stats.norm.sf(abs(z)), stats.norm.sf(z),
                     stats.norm.cdf(z)]
            gs, gp = g.statistic, g.pvalue
        else:
            z, score, gs, gp = 0.0, [1.0, 1.0, 1.0], 0.0, 1.0
        low, high = newcombe(x1, n1, x2, n2, 0.95)
        for ratio in (1.0, 1.5):
            rz, rp = risk_ratio(x1, n1, x2, n2, ratio)
            rows.append("    {%du, %du, %du, %du, %s, {%s}, %s, %s, "
                        "%s, %s, %s, %s, {%s}}," % (
                            x1, n1, x2, n2, literal(z),
                            ", ".join(literal(p) for p in score),
                            literal(gs), literal(gp), literal(low),
                            literal(high), literal(ratio), literal(rz),
                            ", ".join(literal(p) for p in rp)))
    return rows


RATES = [(0, 100.0, 0, 80.0, 1.0), (5, 100.0, 0, 80.0, 1.0),
         (0, 100.0, 7, 80.0, 1.0), (12, 250.5, 9, 300.25, 1.0),
         (12, 250.5, 9, 300.25, 1.5), (15, 501.3424497735321, 705,
                                       421.3367980679467, 1.5),
         (400, 1000.0, 100, 1000.0, 2.0), (1, 0.001, 1000, 10.0, 1.0),
         (3000, 1e6, 2500, 1e6, 1.1)]


def rate_rows():
    rows = []
    for x1, t1, x2, t2, ratio in RATES:
        n = x1 + x2
        if n == 0:
            ps, lo, hi = [1.0, 1.0, 1.0], 0.0, float("inf")
        else:
            p = ratio * t1 / (ratio * t1 + t2)
            ps = mp_binomtest(x1, n, p)
            plo = 0.0 if x1 == 0 else stats.beta.ppf(0.025, x1, n - x1 + 1)
            phi = 1.0 if x1 == n else stats.beta.isf(0.025, x1 + 1, n - x1)
            lo = plo / (1 - plo) * t2 / t1
            hi = float("inf") if phi == 1 else phi / (1 - phi) * t2 / t1
        if x2 == 0:
            statistic = float("nan") if x1 == 0 else float("inf")
        else:
            statistic = (x1 / t1) / (x2 / t2)
        rows.append("    {%du, %s, %du, %s, %s, %s, {%s}, %s, %s}," % (
            x1, literal(t1), x2, literal(t2), literal(ratio),
            literal(statistic), ", ".join(literal(p) for p in ps),
            literal(lo), literal(hi)))
    return rows


def spread_samples():
    rng = np.random.default_rng(20261127)
    out = [([1.0, 2.0], [3.0, 5.0]),
           ([0.0, 0.0, 1.0], [0.0, 2.0, 2.0, 4.0]),
           ([5.0, 5.0, 5.0, 6.0], [1.0, 9.0, 2.0, 8.0]),
           ([1.0, 2.0, 3.0, 4.0, 5.0], [10.0, 20.0, 30.0, 40.0, 50.0])]
    for nx, ny, scale in [(10, 12, 1.0), (30, 25, 3.0), (50, 60, 1.1)]:
        out.append((list(np.round(rng.normal(0, 1, nx), 3)),
                    list(np.round(rng.normal(2, scale, ny), 3))))
    return [(sorted(float(v) for v in x), sorted(float(v) for v in y))
            for x, y in out]


def spread_rows():
    rows, arrays = [], []
    for i, (x, y) in enumerate(spread_samples()):
        with np.errstate(divide="ignore"):  # a zero within-group spread
            result = stats.levene(x, y, center="median")
        arrays.append("static double spread_x%d[] = {%s};" % (
            i, ", ".join(literal(v) for v in x)))
        arrays.append("static double spread_y%d[] = {%s};" % (
            i, ", ".join(literal(v) for v in y)))
        rows.append("    {spread_x%d, %d, spread_y%d, %d, %s, %s}," % (
            i, len(x), i, len(y), literal(result.statistic),
            literal(result.pvalue)))
    return arrays, rows


def render():
    out = ["/* SPDX-License-Identifier: MIT */",
           "/* clang-format off */",
           "/* Generated by tests/vectors/gen_stats_tests_vectors.py with "
           "scipy %s and mpmath %s. Do not edit. */" % (
               scipy.__version__, mpmath.__version__),
           "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n",
           "/* p-values and their logs by alternative: two-sided, greater, "
           "less. */",
           "typedef struct fisher_vector {\n    uint64_t x1, n1, x2, n2;\n"
           "    double odds_ratio;\n    double p_value[3];\n"
           "    double log_p_value[3];\n} fisher_vector;\n",
           "typedef struct two_proportion_vector {\n"
           "    uint64_t x1, n1, x2, n2;\n    double z;\n"
           "    double score_p[3];\n    double g, g_p;\n"
           "    double newcombe_low, newcombe_high;\n    double ratio0;\n"
           "    double rr_z;\n    double rr_p[3];\n} two_proportion_vector;\n",
           "typedef struct rate_vector {\n    uint64_t x1;\n    double t1;\n"
           "    uint64_t x2;\n    double t2, ratio0, statistic;\n"
           "    double p_value[3];\n    double low, high;\n} rate_vector;\n",
           "typedef struct spread_vector {\n    double *x;\n    size_t nx;\n"
           "    double *y;\n    size_t ny;\n    double w, p_value;\n"
           "} spread_vector;\n",
           "static const fisher_vector fisher_vectors[] = {"]
    out += fisher_rows()
    out.append("};\n")
    out.append("static const two_proportion_vector two_proportion_vectors[]"
               " = {")
    out += proportion_rows()
    out.append("};\n")
    out.append("static const rate_vector rate_vectors[] = {")
    out += rate_rows()
    out.append("};\n")
    arrays, rows = spread_rows()
    out += arrays
    out.append("\nstatic const spread_vector spread_vectors[] = {")
    out += rows
    out.append("};")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
