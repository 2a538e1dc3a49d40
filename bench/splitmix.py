# SPDX-License-Identifier: MIT
"""The benchmarks' fixed-seed input generator, vectorised in NumPy.

Bit for bit the same draws as bench/splitmix.c (counter-form SplitMix64),
so a peer computes on exactly the input otaprio-bench used. The runner's
checksum comparison catches any drift between the two files.
"""

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)


def draws(seed: int, first: int, count: int) -> np.ndarray:
    """Draws first .. first+count-1 of SplitMix64(seed), as uint64."""
    # NumPy uint64 array arithmetic wraps modulo 2**64, like C's.
    z = np.arange(first + 1, first + 1 + count, dtype=np.uint64)
    z *= _GAMMA
    z += np.uint64(seed)
    z ^= z >> np.uint64(30)
    z *= _MUL1
    z ^= z >> np.uint64(27)
    z *= _MUL2
    z ^= z >> np.uint64(31)
    return z
