# SPDX-License-Identifier: MIT
"""Peer of the guard benchmark: scipy, the tests a Python user would call.

The same 50 metrics of bench/bench_guard.c, each stratum judged alone and
the strata controlled with Holm's step-down, then each metric's verdict
from its pooled counts and its failing strata, written from the header's
and docs/guardrail.md's definitions rather than from the library:

- proportions (margin 0): Fisher's exact test, one-sided (the canary
  worse), while canary plus baseline failures are at most 1,000 (the
  default exact_limit), else the pooled two-proportion z test;
- rates (margin 0.1, layer app: the allowed ratio is 1.1): the conditional
  exact test, canary events given all events are Binomial(x1 + x2,
  1.1 t1 / (1.1 t1 + t2)), one-sided; no event at all is p = 1;
- a stratum fails when its Holm-adjusted p-value is below alpha = 0.05; a
  metric fails when its pooled test does or any stratum fails, and passes
  otherwise (no minimum sample; 48 hours of data against a 24-hour soak).

compute() is the vectorised form (scipy.stats.hypergeom.sf, binom.sf and
norm.sf over whole arrays, Holm in NumPy); the variant per_test_calls is
the loop most users write first, one scipy.stats.fisher_exact or
scipy.stats.binomtest per stratum. Both digest the same outputs as ours:
each metric's verdict and failing strata, and per stratum whether it
fails, in row order.
"""

import numpy as np
import scipy
from scipy import stats

import splitmix

PEER = "scipy {} (hypergeom.sf / binom.sf / norm.sf vectorised, Holm " \
       "in NumPy)".format(scipy.__version__)
QUICK_N = 5000  # 50 x 100: the per-call variant makes 5,000 scipy calls
FULL_PEER_REPS = 3

METRICS = 50
ALPHA = 0.05
EXACT_LIMIT = 1000
RATE_RATIO = 1.1
PASS, FAIL = 0, 1


def _events(units, per_million, u):
    """bench_guard.c's events_of(), in uint64 like C."""
    return (units * per_million * (np.uint64(61440) + (u >> np.uint64(3)))
            // np.uint64(1000000 * 65536))


def prepare(seed: int, n: int) -> dict:
    """Untimed: the counts otaprio-bench builds for (seed, n)."""
    strata = max(n // METRICS, 1)
    d = splitmix.draws(seed, 0, 2 * METRICS * strata)
    d0 = d[0::2].reshape(METRICS, strata)
    d1 = d[1::2].reshape(METRICS, strata)
    n1 = np.uint64(200) + (d0 & np.uint64(0x3FF))
    n2 = np.uint64(2000) + ((d0 >> np.uint64(10)) & np.uint64(0x3FFF))
    u1 = d1 & np.uint64(0xFFFF)
    u2 = (d1 >> np.uint64(16)) & np.uint64(0xFFFF)
    bad = (d1 >> np.uint64(32)) % np.uint64(100) == 0
    level = (np.arange(METRICS, dtype=np.uint64) // np.uint64(2))[:, None]
    proportion = (np.arange(METRICS) % 2 == 0)
    ppm = np.uint64(2000) + np.uint64(1000) * (level % np.uint64(5))
    pmh = np.uint64(1000) + np.uint64(500) * (level % np.uint64(4))
    hours1, hours2 = n1 * np.uint64(24), n2 * np.uint64(24)
    x1p = np.minimum(_events(n1, ppm, u1)
                     + np.where(bad, n1 * np.uint64(3) // np.uint64(100),
                                np.uint64(0)), n1)
    x1r = (_events(hours1, pmh, u1)
           + np.where(bad, hours1 * np.uint64(3) // np.uint64(1000),
                      np.uint64(0)))
    x1 = np.where(proportion[:, None], x1p, x1r)
    x2 = np.where(proportion[:, None], _events(n2, ppm, u2),
                  _events(hours2, pmh, u2))
    return {"strata": strata, "proportion": proportion,
            "x1": x1.astype(np.int64), "x2": x2.astype(np.int64),
            "n1": n1.astype(np.int64), "n2": n2.astype(np.int64),
            "t1": hours1.astype(np.float64), "t2": hours2.astype(np.float64)}


def _z_test(x1, n1, x2, n2):
    """One-sided pooled two-proportion z test (canary larger)."""
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return stats.norm.sf(z)


def _proportion_p(x1, n1, x2, n2):
    """Fisher (greater) up to EXACT_LIMIT events, else the z test."""
    exact = stats.hypergeom.sf(x1 - 1, n1 + n2, x1 + x2, n1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = _z_test(x1, n1, x2, n2)
    return np.where(x1 + x2 <= EXACT_LIMIT, exact, score)


def _rate_p(x1, t1, x2, t2):
    share = RATE_RATIO * t1 / (RATE_RATIO * t1 + t2)
    p = stats.binom.sf(x1 - 1, x1 + x2, share)
    return np.where(x1 + x2 == 0, 1.0, p)


def _holm(p):
    """Holm-adjusted p-values of each row of p (metrics x strata)."""
    m = p.shape[1]
    order = np.argsort(p, axis=1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=1)
    factors = np.arange(m, 0, -1, dtype=np.float64)
    adjusted = np.maximum.accumulate(np.minimum(ranked * factors, 1.0),
                                     axis=1)
    out = np.empty_like(adjusted)
    np.put_along_axis(out, order, adjusted, axis=1)
    return out


def _conclude(state, p_strata, p_pooled):
    fail = _holm(p_strata) < ALPHA
    failing = fail.sum(axis=1).astype(np.uint32)
    verdicts = np.where((p_pooled < ALPHA) | (failing > 0), FAIL,
                        PASS).astype(np.int32)
    return {"verdicts": verdicts, "failing_strata": failing,
            "stratum_fail": fail.astype(np.uint8).ravel()}


def compute(state: dict) -> dict:
    """Timed: every stratum's test, Holm, and each metric's pooled test."""
    prop = state["proportion"]
    x1, x2, n1, n2 = state["x1"], state["x2"], state["n1"], state["n2"]
    t1, t2 = state["t1"], state["t2"]
    p = np.where(prop[:, None], _proportion_p(x1, n1, x2, n2),
                 _rate_p(x1, t1, x2, t2))
    s1, s2 = x1.sum(axis=1), x2.sum(axis=1)
    pooled = np.where(prop,
                      _proportion_p(s1, n1.sum(axis=1), s2, n2.sum(axis=1)),
                      _rate_p(s1, t1.sum(axis=1), s2, t2.sum(axis=1)))
    return _conclude(state, p, pooled)


def _one_proportion(x1, n1, x2, n2):
    if x1 + x2 <= EXACT_LIMIT:
        return stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]],
                                  alternative="greater").pvalue
    return float(_z_test(x1, n1, x2, n2))


def _one_rate(x1, t1, x2, t2):
    if x1 + x2 == 0:
        return 1.0
    share = RATE_RATIO * t1 / (RATE_RATIO * t1 + t2)
    return stats.binomtest(int(x1), int(x1 + x2), share,
                           alternative="greater").pvalue


def per_test_calls(state: dict) -> dict:
    """Timed variant: one scipy test call per stratum and per metric."""
    x1, x2, n1, n2 = state["x1"], state["x2"], state["n1"], state["n2"]
    t1, t2 = state["t1"], state["t2"]
    metrics, strata = x1.shape
    p = np.empty((metrics, strata))
    pooled = np.empty(metrics)
    for m in range(metrics):
        if state["proportion"][m]:
            for s in range(strata):
                p[m, s] = _one_proportion(int(x1[m, s]), int(n1[m, s]),
                                          int(x2[m, s]), int(n2[m, s]))
            pooled[m] = _one_proportion(int(x1[m].sum()), int(n1[m].sum()),
                                        int(x2[m].sum()), int(n2[m].sum()))
        else:
            for s in range(strata):
                p[m, s] = _one_rate(x1[m, s], t1[m, s], x2[m, s], t2[m, s])
            pooled[m] = _one_rate(x1[m].sum(), t1[m].sum(), x2[m].sum(),
                                  t2[m].sum())
    return _conclude(state, p, pooled)


VARIANTS = {"per_test_calls": per_test_calls}


def describe(state: dict) -> dict:
    return {"metrics": METRICS, "strata_per_metric": state["strata"],
            "tests_per_run": METRICS * (state["strata"] + 1)}
