# SPDX-License-Identifier: MIT
"""The cohort benchmarks' fleet, vectorised in NumPy.

Bit for bit the fleet of bench/cohort_gen.c (its header says what it is):
15,000 strata of SKU x OS x region x connection ranked by the product of
the four Zipf popularities, drawn with Zipf weights floor(2**27 / (r + 1)),
keys and strata from counter-form SplitMix64. The runner's digests (of the
strata's fleet counts, among others) catch any drift between the two.
"""

import numpy as np

import splitmix

CARDINALITIES = (120, 24, 40, 4)
DIMENSIONS = ("sku", "os", "region", "connection")
EXPONENTS = (1, 1, 1, 2)
STRATA = 15_000
SALT_TWEAK = 0x636F686F7274  # "cohort"
ID_SPACE = int(np.prod(CARDINALITIES))


def radix() -> np.ndarray:
    """radix[d]: the product of the cardinalities before d (stratum ids)."""
    return np.cumprod((1,) + CARDINALITIES[:-1]).astype(np.int64)


def tables() -> dict:
    """The strata by rank: their ids, codes and cumulative weights."""
    ids = np.arange(ID_SPACE, dtype=np.int64)
    weight = np.ones(ID_SPACE, dtype=np.int64)
    codes = []
    for d, (card, s) in enumerate(zip(CARDINALITIES, EXPONENTS)):
        code = (ids // radix()[d]) % card
        codes.append(code)
        weight *= 4096 // (np.arange(1, card + 1, dtype=np.int64) ** s)[code]
    # Heaviest first, ties by increasing id (the C side's qsort order).
    ranked = np.lexsort((ids, -weight))[:STRATA]
    weights = (1 << 27) // np.arange(1, STRATA + 1, dtype=np.uint64)
    return {
        "stratum_id": ids[ranked],
        "codes": np.stack([c[ranked] for c in codes],
                          axis=1).astype(np.uint32),
        "cumulative": np.cumsum(weights, dtype=np.uint64),
    }


def salt(seed: int) -> int:
    return int(splitmix.draws(seed ^ SALT_TWEAK, 0, 1)[0])


def fleet(seed: int, n: int, gen: dict | None = None) -> dict:
    """Devices 0 .. n-1: keys (uint64), each one's stratum id (int64) and
    codes (n x 4 uint32)."""
    gen = gen or tables()
    d = splitmix.draws(seed, 0, 2 * n)
    keys = d[0::2].copy()
    total = gen["cumulative"][-1]
    u = ((d[1::2] & np.uint64(0xFFFFFFFF)) * total) >> np.uint64(32)
    rank = np.searchsorted(gen["cumulative"], u, side="right")
    return {"keys": keys, "strata": gen["stratum_id"][rank],
            "codes": gen["codes"][rank]}
