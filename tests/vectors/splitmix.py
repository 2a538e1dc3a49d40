# SPDX-License-Identifier: MIT
"""SplitMix64 for the vector generators, as tests/unit/splitmix.h: written
out rather than taken from the random module or NumPy, so that vectors do
not change with a Python or NumPy version, and the C tests can draw the
same values."""

MASK64 = (1 << 64) - 1


class SplitMix64:
    """Counter-form SplitMix64 from a seed, drawn one value at a time."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, bound):
        """A draw below `bound` (> 0); the modulo bias does not matter
        here."""
        return self.next() % bound


def draws(seed, count):
    """Draws 0 .. count-1 of SplitMix64(seed)."""
    rng = SplitMix64(seed)
    return [rng.next() for _ in range(count)]
