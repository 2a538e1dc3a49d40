#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for the canary size from statistical power
(src/plan_power.c), written from the equations documented in
include/otaprio/plan.h and docs/plan.md, with the normal quantiles from
scipy.stats.norm and the finite-baseline roots from scipy.optimize.brentq
(the C code searches over integers and bisects instead).

A known-baseline answer is also checked against the exact power of the
test it sizes (scipy.stats.binom / scipy.stats.poisson): the
approximation must land within a tolerance of the power asked. The exact
check's search is redone with scipy.stats.binom (isf, then sf).

Writes tests/vectors/plan_power_vectors.h; with --check, exits 1 when the
stored file differs from what the reference computes now.
"""
import math
import pathlib
import sys

import scipy
from scipy.optimize import brentq
from scipy.stats import binom, norm, poisson

import vectorfile

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "plan_power_vectors.h"

PROPORTION, RATE = 0, 1
OK, LIMIT = 0, -10
EXACT_MAX = 2.0 ** 53
# Within this of the power asked once the expected count reaches 20, and
# within the tighter one from 100 on, where discreteness fades.
POWER_TOLERANCE = 0.05
POWER_TOLERANCE_LARGE = 0.015
INF = float("inf")

# (metric, baseline, rise, alpha, power, baseline_size)
CASES = [
    (PROPORTION, 0.01, 0.5, 0.05, 0.8, INF),
    (PROPORTION, 0.01, 1.0, 0.05, 0.8, INF),
    (PROPORTION, 0.02, 0.25, 0.01, 0.9, INF),
    (PROPORTION, 0.001, 2.0, 0.05, 0.8, INF),
    (PROPORTION, 0.3, 0.5, 0.05, 0.5, INF),
    (PROPORTION, 0.3, 0.5, 0.5, 0.5, INF),
    (PROPORTION, 0.4, 1.4, 0.1, 0.95, INF),
    (PROPORTION, 1e-6, 0.1, 0.05, 0.8, INF),
    (PROPORTION, 1e-9, 0.05, 0.001, 0.99, INF),
    (PROPORTION, 0.01, 0.5, 0.05, 0.8, 1e6),
    (PROPORTION, 0.01, 0.5, 0.05, 0.8, 50000.0),
    (PROPORTION, 0.01, 0.5, 0.05, 0.8, 20000.0),
    (PROPORTION, 0.05, 0.2, 0.025, 0.9, 250000.0),
    (PROPORTION, 0.2, 0.1, 0.05, 0.8, 1e9),
    (PROPORTION, 0.001, 1.0, 0.01, 0.95, 123457.0),
    (PROPORTION, 0.3, 0.5, 0.5, 0.5, 100.0),
    (PROPORTION, 0.01, 0.5, 0.05, 0.8, 2000.0),        # too small: limit
    (PROPORTION, 1e-15, 0.01, 0.05, 0.8, INF),        # past 2^53: limit
    (RATE, 0.01, 0.5, 0.05, 0.8, INF),
    (RATE, 2.5, 0.2, 0.05, 0.8, INF),
    (RATE, 1e-4, 1.0, 0.01, 0.9, INF),
    (RATE, 100.0, 0.05, 0.05, 0.8, INF),
    (RATE, 0.5, 3.0, 0.5, 0.5, INF),
    (RATE, 0.01, 0.5, 0.05, 0.8, 1e6),
    (RATE, 0.01, 0.5, 0.05, 0.8, 20000.0),
    (RATE, 3.0, 0.1, 0.01, 0.95, 5000.0),
    (RATE, 1e-6, 2.0, 0.05, 0.8, 1e8),
    (RATE, 0.5, 3.0, 0.5, 0.5, 1e4),
    (RATE, 0.01, 0.5, 0.05, 0.8, 1000.0),              # too small: limit
    (RATE, 1e-12, 0.01, 0.05, 0.8, INF),               # past 2^53: limit
]


def quantiles(alpha, power):
    return float(norm.isf(alpha)), float(norm.ppf(power))


def proportion_need(p0, p1, za, zb, inv_m, inv_n):
    v0, v1 = p0 * (1 - p0), p1 * (1 - p1)
    return (za * math.sqrt(v0 * (inv_n + inv_m)) +
            zb * math.sqrt(v1 * inv_n + v0 * inv_m))


def rate_need(r0, r1, za, zb, inv_m, inv_t):
    shared = inv_m / r0
    return za * math.sqrt(inv_t / r0 + shared) + zb * math.sqrt(inv_t / r1 + shared)


def continuous_size(need, effect, inv_m, start):
    """The size where need(1/size) == effect: closed form for a known
    baseline (`start`), else a bracketed root in 1/size."""
    if inv_m == 0.0 or start == 0.0:
        return start
    if need(0.0) >= effect:
        return INF
    x_high = 1.0 / start if start > 0 else 1.0
    root = brentq(lambda x: need(x) - effect, 0.0, x_high, xtol=1e-300,
                  rtol=4 * sys.float_info.epsilon, maxiter=1000)
    return 1.0 / root


def expected(case):
    metric, base, rise, alpha, power, size = case
    za, zb = quantiles(alpha, power)
    inv_m = 0.0 if size == INF else 1.0 / size
    raised = base * (1 + rise)
    if metric == PROPORTION:
        delta = base * rise
        start = ((za * math.sqrt(base * (1 - base)) +
                  zb * math.sqrt(raised * (1 - raised))) / delta) ** 2
        n = continuous_size(lambda x: proportion_need(base, raised, za, zb,
                                                      inv_m, x),
                            delta, inv_m, start)
        if not n <= EXACT_MAX:
            return LIMIT, 0.0
        # A case exactly on an integer would make the reference's rounding
        # fragile: keep the cases away from one.
        if n > 1:
            frac = n - math.floor(n)
            assert 1e-6 < frac < 1 - 1e-6, (case, n)
        return OK, float(max(1, math.ceil(n)))
    effect = math.log1p(rise)
    start = ((za / math.sqrt(base) + zb / math.sqrt(raised)) / effect) ** 2
    t = continuous_size(lambda x: rate_need(base, raised, za, zb, inv_m, x),
                        effect, inv_m, start)
    if not t <= EXACT_MAX:
        return LIMIT, 0.0
    return OK, t


def exact_critical(n, p0, alpha):
    """The smallest count c with P(X >= c | n, p0) <= alpha: binom.isf's
    guess, settled with binom.sf."""
    c = int(binom.isf(alpha, n, p0)) + 1
    while c > 1 and binom.sf(c - 2, n, p0) <= alpha:
        c -= 1
    while c <= n and not binom.sf(c - 1, n, p0) <= alpha:
        c += 1
    return c


def exact_reaches(n, p0, p1, alpha, power):
    c = exact_critical(n, p0, alpha)
    return c <= n and binom.sf(c - 1, n, p1) >= power


def exact_size(case, start):
    """The documented search from the approximation: gallop (steps 1, 2,
    4...) down while the power is reached, or up until it is, then bisect
    the bracket to neighbours; the upper one is the answer."""
    _, base, rise, alpha, power, _ = case
    raised = base * (1 + rise)

    def reaches(n):
        return exact_reaches(n, base, raised, alpha, power)

    n = int(start)
    if reaches(n):
        high, low, step = n, 0, 1
        while step < n:
            if not reaches(n - step):
                low = n - step
                break
            high = n - step
            step *= 2
    else:
        low, step = n, 1
        while True:
            assert n + step <= EXACT_MAX
            if reaches(n + step):
                high = n + step
                break
            low = n + step
            step *= 2
    while high - low > 1:
        mid = (low + high) // 2
        if reaches(mid):
            high = mid
        else:
            low = mid
    # The answer reaches the power and its neighbour below does not.
    assert reaches(high) and (high == 1 or not reaches(high - 1))
    return high


# Known-baseline proportion cases small enough to walk in the reference.
EXACT_MAX_START = EXACT_MAX


def exact_power(case, answer):
    """The exact power of the one-sided test the answer sizes, for a known
    baseline: reject when the canary's count reaches the normal
    approximation's critical value."""
    metric, base, rise, alpha, _, _ = case
    za = float(norm.isf(alpha))
    raised = base * (1 + rise)
    if metric == PROPORTION:
        n = int(answer)
        critical = n * base + za * math.sqrt(n * base * (1 - base))
        return float(binom.sf(math.ceil(critical) - 1, n, raised))
    mean = base * answer
    critical = mean * math.exp(za / math.sqrt(mean))
    return float(poisson.sf(math.ceil(critical) - 1, raised * answer))


def check_power():
    """Discreteness makes the exact power wander around the target; the
    approximation is only trusted where the expected count is not tiny."""
    for case in CASES:
        metric, base, _, alpha, power, size = case
        status, answer = expected(case)
        if status != OK or size != INF or alpha == 0.5:
            continue
        events = base * answer
        if events < 20:
            continue
        achieved = exact_power(case, answer)
        tolerance = POWER_TOLERANCE if events < 100 else POWER_TOLERANCE_LARGE
        assert abs(achieved - power) < tolerance, (case, answer, achieved)


def literal(value):
    if value == INF:
        return "HUGE_VAL"
    return value.hex()


def render():
    check_power()
    out = ["/* SPDX-License-Identifier: MIT */",
           "/* clang-format off */",
           "/* Generated by tests/vectors/gen_plan_power_vectors.py with "
           "scipy %s. Do not edit. */" % scipy.__version__,
           "#include <math.h>\n",
           "typedef struct plan_power_vector {\n    int metric;\n"
           "    double baseline;\n    double rise;\n    double alpha;\n"
           "    double power;\n    double baseline_size;\n    int exact;\n"
           "    int status;\n"
           "    double canary;\n} plan_power_vector;\n",
           "static const plan_power_vector plan_power_vectors[] = {"]
    rows = []
    for case in CASES:
        status, answer = expected(case)
        rows.append((case, 0, status, answer))
        if (case[0] == PROPORTION and case[5] == INF and status == OK and
                answer <= EXACT_MAX_START):
            rows.append((case, 1, OK, float(exact_size(case, answer))))
    for case, exact, status, answer in rows:
        metric, base, rise, alpha, power, size = case
        out.append("    {%d, %s, %s, %s, %s, %s, %d, %d, %s}," % (
            metric, literal(base), literal(rise), literal(alpha),
            literal(power), literal(size), exact, status, literal(answer)))
    out.append("};")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
