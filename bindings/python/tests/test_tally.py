# SPDX-License-Identifier: MIT
"""Tallies of cohorts chosen elsewhere: every set of the representativeness
golden vectors (tests/vectors/gen_cohort_report_vectors.py, a NumPy
reference), device by device and in chunks; a tally of the engine's own
cohort reports what the cohort does; bad input leaves the tally as it
was."""
from __future__ import annotations

import importlib
import math
import sys
from typing import Any, List, Tuple

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from otaprio import CohortMethod, CohortSpec, Sampler, Tally

from conftest import VECTORS

sys.path.insert(0, str(VECTORS))
# The generator of tests/vectors/cohort_report_vectors.h: an untyped script.
reference: Any = importlib.import_module("gen_cohort_report_vectors")
SETS = reference.sets()


def devices(cards: List[int], ids: List[int], fleet: List[int],
            cohort: List[int]) -> Tuple[List[npt.NDArray[np.uint32]],
                                        npt.NDArray[np.uint8]]:
    """Each stratum's devices, its cohort devices first, shuffled."""
    rows = np.repeat(np.arange(len(ids)), fleet)
    flags = np.concatenate([np.arange(n) < c for n, c in zip(fleet, cohort)]
                           ) if ids else np.zeros(0, bool)
    order = np.random.default_rng(7).permutation(len(rows))
    codes = [np.asarray(c, np.uint64)[rows[order]].astype(np.uint32)
             for c in reference.codes_of(cards, ids)] if ids else \
        [np.zeros(0, np.uint32) for _ in cards]
    return codes, flags[order].astype(np.uint8)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("case", SETS, ids=[s[0] for s in SETS])
@pytest.mark.parametrize("chunk", [1 << 30, 997, 13])
def test_tallies_match_the_reference(case: Any, chunk: int) -> None:
    name, cards, ids, fleet, cohort = case
    want = reference.reference(cards, ids, fleet, cohort)
    codes, flags = devices(cards, ids, fleet, cohort)
    with Tally(cards) as tally:
        for s in range(0, max(len(flags), 1), chunk):
            tally.add([c[s:s + chunk] for c in codes], flags[s:s + chunk],
                      count=len(flags[s:s + chunk]))
        got = tally.representativeness()
    assert (got.fleet, got.cohort, got.strata, got.strata_covered) == (
        want["fleet"], want["cohort"], want["strata"], want["covered"])
    assert close(got.strata_coverage, want["strata_coverage"])
    assert close(got.mass_coverage, want["mass_coverage"])
    assert close(got.tvd, want["tvd"])
    assert len(got.tvd_dimension) == len(cards)
    assert all(close(a, b) for a, b in zip(got.tvd_dimension,
                                             want["tvd_dimension"]))
    assert [w[0] for w in got.worst] == [w[0] for w in want["worst"]]
    assert all(close(a[1], b[1]) and close(a[2], b[2])
               for a, b in zip(got.worst, want["worst"]))


def test_a_tally_of_the_engines_own_cohort_agrees_with_it() -> None:
    rng = np.random.default_rng(3)
    n = 20000
    keys = otaprio.keys(["device-%d" % i for i in range(n)])
    sku = rng.integers(0, 12, n).astype(np.uint32)
    region = rng.integers(0, 5, n).astype(np.uint32)
    spec = CohortSpec(waves=[0.01, 0.05], strata=["sku", "region"],
                      cardinalities=[12, 5], salt=99,
                      method=CohortMethod.PROPORTIONAL)
    sampler = Sampler(spec)
    chunk = {"keys": keys, "sku": sku, "region": region}
    sampler.observe(chunk)
    cohort = sampler.finish()
    waves = cohort.assign(chunk)
    for wave in range(2):
        tally = Tally([12, 5])
        tally.add([sku, region], (waves <= wave).astype(np.uint8))
        assert tally.representativeness() == cohort.representativeness(wave)


def test_bad_input_is_refused_and_the_tally_kept() -> None:
    tally = Tally([3, 2])
    tally.add([np.array([0, 1, 2], np.uint32), np.array([1, 1, 0], np.uint32)],
              np.array([1, 0, 0], np.uint8))
    before = tally.representativeness()
    with pytest.raises(otaprio.OutOfRangeError) as error:
        tally.add([np.array([0, 3], np.uint32), None], None)
    assert error.value.index == 1
    with pytest.raises(otaprio.OutOfRangeError):
        tally.add([None, None], np.array([0, 2], np.uint8))
    with pytest.raises(ValueError, match="code columns"):
        tally.add([None, None, None])
    with pytest.raises(ValueError, match="differ in length"):
        tally.add([np.zeros(2, np.uint32), np.zeros(3, np.uint32)])
    assert tally.representativeness() == before
    with pytest.raises(otaprio.OutOfRangeError):
        Tally([0])
    tally.close()
    with pytest.raises(ValueError, match="closed"):
        tally.representativeness()
