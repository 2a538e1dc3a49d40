# SPDX-License-Identifier: MIT
"""Peer of the cluster benchmark: pandas, as a Python user would group a
fleet table by three attribute columns.

  g = df.groupby(["build", "hardware", "network"], sort=False)
  cluster = g.ngroup()    # ids in order of first appearance
  members = g.size()      # in the same order

With sort=False, pandas numbers groups in order of first appearance, the
library's rule, so both outputs compare bit for bit (ids as uint32, sizes
as uint64). The DataFrame is built untimed: a pandas user has it already.

VARIANTS times NumPy's answer on the same columns:
np.unique(rows, axis=0, return_index, return_inverse, return_counts),
renumbered by first appearance (it sorts rows, where pandas and the library
hash them).
"""

import numpy as np
import pandas as pd

import splitmix

PEER = "pandas {} groupby(sort=False).ngroup() + .size()".format(
    pd.__version__)

KEYS = ["build", "hardware", "network"]


def prepare(seed: int, n: int) -> dict:
    """Untimed: the fleet otaprio-bench builds for (seed, n)."""
    d = splitmix.draws(seed, 0, n)
    columns = {
        "build": (d % np.uint64(48)).astype(np.uint32),
        "hardware": ((d >> np.uint64(20)) % np.uint64(10)).astype(np.uint32),
        "network": ((d >> np.uint64(40)) % np.uint64(8)).astype(np.uint32),
    }
    return {"df": pd.DataFrame(columns, copy=False),
            "rows": np.column_stack([columns[k] for k in KEYS])}


def compute(state: dict) -> dict:
    """Timed: cluster ids and sizes with pandas."""
    g = state["df"].groupby(KEYS, sort=False)
    cluster = g.ngroup().to_numpy(dtype=np.uint32)
    members = g.size().to_numpy(dtype=np.uint64)
    return {"cluster": cluster, "members": members}


def numpy_unique(state: dict) -> dict:
    """Timed variant: np.unique over rows, renumbered by first
    appearance."""
    _, first, inverse, counts = np.unique(
        state["rows"], axis=0, return_index=True, return_inverse=True,
        return_counts=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.uint32)
    rank[order] = np.arange(len(order), dtype=np.uint32)
    return {"cluster": rank[inverse.reshape(-1)],
            "members": counts[order].astype(np.uint64)}


VARIANTS = {"numpy_unique_axis0": numpy_unique}


def describe(state: dict) -> dict:
    return {"columns": KEYS, "dtype": "uint32",
            "numpy": np.__version__, "pandas": pd.__version__}
