# SPDX-License-Identifier: MIT
"""Peer of the stats_rank benchmark: scipy.stats.mannwhitneyu(x, y), the
two-sided test with method="auto" (asymptotic at this size, with the tie
correction and the continuity correction), as a Python user would run
the canary check.

Timed: the call alone, on NumPy arrays built untimed. It ranks the pooled
sample (an argsort) where the library sorts each sample (a radix sort) and
merges them; both check the input and compute U1 and the tie- and
continuity-corrected p-value. The library's Hodges-Lehmann estimate and
interval, which scipy has no function for, are timed apart.

Outputs: U1 (exact in both), and the p-value rounded to float32: the
library computes it in log space and scipy through ndtr, so the doubles
may differ in their last bits, which float32 rounding hides.
"""

import numpy as np
import scipy
from scipy.stats import mannwhitneyu

import splitmix

PEER = "scipy {} stats.mannwhitneyu (two-sided, auto)".format(
    scipy.__version__)
FULL_PEER_REPS = 11


def prepare(seed: int, n: int) -> dict:
    """Untimed: the samples otaprio-bench builds for (seed, n)."""
    d = splitmix.draws(seed, 0, 2 * n)
    u = (d >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return {"x": u[:n] + 0.002, "y": u[n:].copy()}


def compute(state: dict) -> dict:
    """Timed: the test; U1 and the float32-rounded p-value."""
    res = mannwhitneyu(state["x"], state["y"], alternative="two-sided")
    return {"statistic": np.array([res.statistic], dtype=np.float64),
            "p_value_f32": np.array([res.pvalue], dtype=np.float32)}
