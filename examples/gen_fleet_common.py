# SPDX-License-Identifier: MIT
"""What the example fleet generators (gen_cohort_fleet.py,
gen_plan_fleet.py) share: a fixed-seed SplitMix64 written out, no library
randomness, so each file is the same on every machine and Python version,
and the writing of the rows. Standard library only."""

import sys

MASK = (1 << 64) - 1


class SplitMix64:
    """Counter-form SplitMix64 from a seed, drawn one value at a time."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        """An integer in [0, n), by the top bits (bias below 2^-40)."""
        return (self.next() >> 11) * n >> 53

    def pick(self, weighted):
        """A value from [(value, weight), ...], weights in whole units."""
        r = self.below(sum(w for _, w in weighted))
        for value, weight in weighted:
            if r < weight:
                return value
            r -= weight
        raise AssertionError("weights")


class ModuloSplitMix64(SplitMix64):
    """The same draws reduced by modulo: the rule examples/plan-fleet.csv
    was made with, kept so that the file does not change."""

    def below(self, n):
        return self.next() % n


def write_rows(rows):
    """Writes the rows (lists of strings, the header first) as CSV to the
    file named by the first argument, or to standard output."""
    text = "".join(",".join(row) + "\n" for row in rows)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", newline="") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
