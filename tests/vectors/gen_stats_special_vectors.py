#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for the incomplete beta function and the discrete
distributions (src/stats_beta.c, src/stats_special.c), and for the one-
proportion tests (src/stats_proportion.c), from scipy (pinned in
requirements.txt): betainc / betaincc, binom.logpmf / logcdf / logsf,
hypergeom.logpmf, f.logsf, chi2.logsf, binomtest and its proportion_ci.

Where scipy is not accurate enough the reference is mpmath at 50 digits
(pinned too): binomial masses and tails for n above 1e6 (scipy's logpmf is
off by ~1e-9 there), and Clopper-Pearson limits come from beta.ppf, the
same quantity that binomtest finds with brentq at an absolute tolerance of
2e-12 (too coarse for small limits).

Writes tests/vectors/stats_special_vectors.h; with --check, exits 1 when
the stored file differs from what the reference computes now.
"""
import math
import pathlib
import sys

import mpmath
import scipy
from scipy import special, stats

import vectorfile

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "stats_special_vectors.h"
mpmath.mp.dps = 50


def literal(value):
    value = float(value)
    if value == float("inf"):
        return "HUGE_VAL"
    if value == float("-inf"):
        return "-HUGE_VAL"
    if value != value:
        return "(double)NAN"
    return value.hex()


def log_or_inf(value):
    return math.log(value) if value > 0 else float("-inf")


def beta_cases():
    """(a, b, x) around the mean of Beta(a, b), where scipy's Boost-based
    betainc is accurate (parameters up to 1e7; beyond, a parameter ratio
    past ~1e6 makes scipy and the continued fraction both lose digits)."""
    out = []
    for a in [0.5, 1.0, 3.0, 20.0, 200.0, 499.0, 501.0, 2000.0, 1e5]:
        for b in [0.5, 1.0, 7.0, 300.0, 600.0, 5000.0, 1e6]:
            mean = a / (a + b)
            sd = math.sqrt(a * b / (a + b) ** 2 / (a + b + 1))
            for z in [-30, -8, -2, -0.5, 0, 0.7, 3, 12, 35]:
                x = mean + z * sd
                if 0 < x < 1:
                    out.append((a, b, x))
    return out


# One parameter huge, the other small: scipy's betainc is off by up to
# 1e-8 here, so these come from mpmath's hypergeometric series,
# I_x(a, b) = x^a / (a B(a, b)) 2F1(a, 1 - b; a + 1; x) on the small side.
MP_BETA = [(3.0, 1e9, 4.212435550236037e-09), (20.0, 1e9, 2.313049467301961e-08),
           (0.5, 1e9, 1.914213560355328e-09),
           (3.0, 1125899906842624.0, 3.741394363475159e-15),
           (3.0, 1125899906842624.0, 1.035638600463459e-14),
           (1099511627776.0, 300.0, 0.9999999997192751),
           (1099511627776.0, 7.0, 0.9999999999864146)]


def mp_beta_row(a, b, x):
    a, b, x = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(x)
    if a < b:
        low = x ** a / (a * mpmath.beta(a, b)) * mpmath.hyp2f1(a, 1 - b,
                                                                a + 1, x)
        high = 1 - low
    else:
        high = (1 - x) ** b / (b * mpmath.beta(a, b)) * mpmath.hyp2f1(
            b, 1 - a, b + 1, 1 - x)
        low = 1 - high
    return mpmath.log(low), mpmath.log(high)


def mp_log_pmf(k, n, p):
    k, n, p = mpmath.mpf(k), mpmath.mpf(n), mpmath.mpf(p)
    if k == 0:
        return n * mpmath.log1p(-p)
    if k == n:
        return n * mpmath.log(p)
    return (mpmath.loggamma(n + 1) - mpmath.loggamma(k + 1)
            - mpmath.loggamma(n - k + 1) + k * mpmath.log(p)
            + (n - k) * mpmath.log1p(-p))


def mp_sum_from(k, n, p, step):
    """sum of the masses from k on, going down (step -1) or up (+1), each
    from the last by the ratio of neighbours, until they are negligible."""
    p = mpmath.mpf(p)
    q = 1 - p
    term = mpmath.exp(mp_log_pmf(k, n, p))
    total = term
    j = k
    while (step < 0 and j > 0) or (step > 0 and j < n):
        if step > 0:
            term *= (n - j) * p / ((j + 1) * q)
        else:
            term *= j * q / ((n - j + 1) * p)
        j += step
        total += term
        if term < total * mpmath.mpf("1e-45"):
            break
    return total


def mp_log_tail(k, n, p, lower):
    """log P(X <= k) (lower) or log P(X >= k), summing the tail's masses
    (few terms: these rows have small k or a small n p)."""
    mean = n * mpmath.mpf(p)
    if (not lower and k == 0) or (lower and k >= n):
        return mpmath.mpf(0)
    if lower:
        total = mp_sum_from(k, n, p, -1) if k <= mean else \
            1 - mp_sum_from(k + 1, n, p, 1)
    else:
        total = mp_sum_from(k, n, p, 1) if k >= mean else \
            1 - mp_sum_from(k - 1, n, p, -1)
    return mpmath.log(total)


def binom_cases():
    """(k, n, p, huge) with huge marking the mpmath reference."""
    small = [(0, 1, 0.5), (1, 1, 0.5), (3, 10, 0.3), (7, 10, 0.3),
             (0, 1000, 0.001), (5, 1000, 0.001), (50, 1000, 0.01),
             (2, 100000, 1e-4), (40, 100000, 1e-4), (500, 1000, 0.5),
             (480, 1000, 0.5), (999, 1000, 0.999), (10, 1000, 0.999),
             (300, 1000, 0.01), (0, 20, 0.9), (20, 20, 0.9)]
    huge = [(1, 2 ** 53, 2.0 ** -50), (3, 2 ** 53, 2.0 ** -50),
            (50, 2 ** 60, 2.0 ** -55), (2, 10 ** 9, 1e-7),
            (123, 10 ** 9, 1e-7), (0, 2 ** 60, 2.0 ** -58),
            (1000, 2 ** 60, 2.0 ** -52),
            # counts far above a tiny mean (or below a mean near n),
            # where a mass formed from the offset lost digits
            (20, 30, 1e-9), (10, 30, 1 - 1e-9), (5, 10 ** 6, 1e-12),
            (999, 1000, 1e-3)]
    return [c + (False,) for c in small] + [c + (True,) for c in huge]


def binom_rows():
    rows = []
    for k, n, p, huge in binom_cases():
        if huge:
            pmf = float(mp_log_pmf(k, n, p))
            cdf = float(mp_log_tail(k, n, p, True))
            sf = float(mp_log_tail(k, n, p, False)) if k > 0 else 0.0
        else:
            pmf = float(stats.binom.logpmf(k, n, p))
            cdf = float(stats.binom.logcdf(k, n, p))
            sf = float(stats.binom.logsf(k - 1, n, p))
            if cdf == float("-inf"):  # scipy underflows: sum in mpmath
                cdf = float(mp_log_tail(k, n, p, True))
            if sf == float("-inf"):
                sf = float(mp_log_tail(k, n, p, False))
        rows.append("    {%du, %du, %s, %s, %s, %s}," % (
            k, n, literal(p), literal(pmf), literal(cdf), literal(sf)))
    return rows


def mp_tail(k, n, p, lower):
    return mpmath.exp(mp_log_tail(k, n, p, lower)) if k >= 0 else 0


def mp_binomtest(k, n, p):
    """binomtest's three p-values, scipy's algorithm (its two-sided rule
    and binary search) on mpmath masses, for huge n where scipy's binom.cdf
    is off by ~1e-8 (n = 1e9)."""
    def log_mass(j):
        return mp_log_pmf(j, n, p)

    threshold = log_mass(k) + mpmath.log(1 + mpmath.mpf("1e-7"))
    mean = n * mpmath.mpf(p)
    if k == float(n) * p:
        two = 1.0
    elif k < float(n) * p:
        lo, hi = int(mpmath.ceil(mean)), n  # first j above with mass <= d
        while lo < hi:
            mid = (lo + hi) // 2
            if log_mass(mid) <= threshold:
                hi = mid
            else:
                lo = mid + 1
        above = mp_tail(lo, n, p, False) if log_mass(lo) <= threshold else 0
        two = mp_tail(k, n, p, True) + above
    else:
        lo, hi = 0, int(mpmath.floor(mean))  # last j below with mass <= d
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if log_mass(mid) <= threshold:
                lo = mid
            else:
                hi = mid - 1
        below = mp_tail(lo, n, p, True) if log_mass(lo) <= threshold else 0
        two = below + mp_tail(k, n, p, False)
    return [float(min(two, 1)), float(mp_tail(k, n, p, False)),
            float(mp_tail(k, n, p, True))]


def binomtest_rows():
    rows = []
    for k, n, p, huge in binom_cases():
        ci = stats.binomtest(k, n, p).proportion_ci(0.95, "wilson")
        if huge:
            ps = mp_binomtest(k, n, p)
            # NAN: no reference (scipy's beta quantile is not accurate
            # at these n and an mpmath inversion is too slow for --check).
            lo = hi = float("nan")
        else:
            ps = [stats.binomtest(k, n, p, alternative=a).pvalue
                  for a in ["two-sided", "greater", "less"]]
            lo = 0.0 if k == 0 else stats.beta.ppf(0.025, k, n - k + 1)
            hi = 1.0 if k == n else stats.beta.isf(0.025, k + 1, n - k)
        rows.append("    {%du, %du, %s, {%s, %s, %s}, %s, %s, %s, %s}," % (
            k, n, literal(p), literal(ps[0]), literal(ps[1]), literal(ps[2]),
            literal(ci.low), literal(ci.high), literal(lo), literal(hi)))
    return rows


def hypergeom_rows():
    rows = []
    for k, total, good, draws in [(0, 10, 3, 4), (2, 10, 3, 4), (3, 10, 3, 4),
                                  (5, 100, 20, 30), (50, 1000, 500, 100),
                                  (0, 1000, 5, 10), (10, 10 ** 6, 1000, 10 ** 4),
                                  (400, 10 ** 5, 5000, 5000)]:
        rows.append("    {%du, %du, %du, %du, %s}," % (
            k, total, good, draws,
            literal(stats.hypergeom.logpmf(k, total, good, draws))))
    return rows


def f_rows():
    rows = []
    for f, d1, d2 in [(0.5, 1, 10), (3.0, 1, 10), (1.0, 2, 2), (40.0, 1, 98),
                      (2.5, 5, 1e4), (0.01, 3, 7), (300.0, 1, 1000),
                      (1e4, 1, 30)]:
        rows.append("    {%s, %s, %s, %s}," % (
            literal(f), literal(d1), literal(d2),
            literal(stats.f.logsf(f, d1, d2))))
    for x, df in [(0.5, 1), (3.84, 1), (50.0, 1), (2000.0, 1), (1.0, 2),
                  (10.0, 3), (0.1, 5), (100.0, 10), (30.0, 40), (500.0, 7)]:
        # mpmath: scipy's chi2.logsf underflows to -inf past x ~ 1400.
        q = mpmath.gammainc(mpmath.mpf(df) / 2, mpmath.mpf(x) / 2,
                            mpmath.inf, regularized=True)
        rows.append("    {%s, %s, 0.0, %s}," % (
            literal(x), literal(df), literal(mpmath.log(q))))
    return rows


def render():
    out = ["/* SPDX-License-Identifier: MIT */",
           "/* clang-format off */",
           "/* Generated by tests/vectors/gen_stats_special_vectors.py with "
           "scipy %s and mpmath %s. Do not edit. */" % (
               scipy.__version__, mpmath.__version__),
           "#include <math.h>\n#include <stdint.h>\n",
           "typedef struct beta_vector {\n    double a, b, x;\n"
           "    double log_lower, log_upper;\n} beta_vector;\n",
           "typedef struct binom_vector {\n    uint64_t k, n;\n    double p;\n"
           "    double log_pmf, log_cdf, log_sf_incl;\n} binom_vector;\n",
           "typedef struct binomtest_vector {\n    uint64_t k, n;\n"
           "    double p;\n    double p_value[3]; /* two-sided, greater, less */\n"
           "    double wilson_low, wilson_high, exact_low, exact_high;\n"
           "} binomtest_vector;\n",
           "typedef struct hypergeom_vector {\n    uint64_t k, total, "
           "successes, draws;\n    double log_pmf;\n} hypergeom_vector;\n",
           "/* df2 = 0 marks a chi-squared row (x, df). */",
           "typedef struct tail_vector {\n    double x, df1, df2;\n"
           "    double log_sf;\n} tail_vector;\n",
           "static const beta_vector beta_vectors[] = {"]
    for a, b, x in beta_cases():
        if special.betainc(a, b, x) == 0 or special.betaincc(a, b, x) == 0:
            continue  # scipy underflows; the binomial rows go further
        out.append("    {%s, %s, %s, %s, %s}," % (
            literal(a), literal(b), literal(x),
            literal(log_or_inf(special.betainc(a, b, x))),
            literal(log_or_inf(special.betaincc(a, b, x)))))
    for a, b, x in MP_BETA:
        low, high = mp_beta_row(a, b, x)
        out.append("    {%s, %s, %s, %s, %s}," % (
            literal(a), literal(b), literal(x), literal(low), literal(high)))
    out.append("};\n")
    out.append("static const binom_vector binom_vectors[] = {")
    out += binom_rows()
    out.append("};\n")
    out.append("static const binomtest_vector binomtest_vectors[] = {")
    out += binomtest_rows()
    out.append("};\n")
    out.append("static const hypergeom_vector hypergeom_vectors[] = {")
    out += hypergeom_rows()
    out.append("};\n")
    out.append("static const tail_vector tail_vectors[] = {")
    out += f_rows()
    out.append("};")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
