# SPDX-License-Identifier: MIT
"""Peer of the bucket benchmark: python-xxhash, as a Python user would.

The same frozen mapping as otaprio_bucket_batch():
  position = XXH3_64(LE64(key), seed=salt); fraction = (position >> 11) * 2**-53
with xxhash.xxh3_64_intdigest, one call per key (the package has no batch
call), NumPy holding the keys and doing the fraction step. Of the ways we
tried (list comprehension or np.fromiter; slices of a bytes copy, of a
memoryview, or int.to_bytes per key) np.fromiter over bytes slices was
fastest or tied, so that is the peer's shot.
"""

import numpy as np
import xxhash

import splitmix

PEER = "python-xxhash {} xxh3_64_intdigest + numpy {}".format(
    xxhash.VERSION, np.__version__)


def prepare(seed: int, n: int) -> dict:
    """Untimed: the input otaprio-bench builds for (seed, n)."""
    d = splitmix.draws(seed, 0, n + 1)
    return {"salt": int(d[0]), "keys": d[1:]}


def compute(state: dict) -> dict:
    """Timed: keys (uint64 array) to positions and fractions arrays."""
    salt = state["salt"]
    keys = state["keys"]
    h = xxhash.xxh3_64_intdigest  # bound once: no attribute lookup per key
    raw = keys.astype("<u8", copy=False).tobytes()
    positions = np.fromiter(
        (h(raw[i:i + 8], salt) for i in range(0, len(raw), 8)),
        dtype=np.uint64, count=len(keys))
    # Exact: the top 53 bits convert to float64 without rounding and the
    # scale is a power of two.
    fractions = (positions >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return {"positions": positions, "fractions": fractions}
