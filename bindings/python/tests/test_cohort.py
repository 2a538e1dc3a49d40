# SPDX-License-Identifier: MIT
"""The cohort engine through the binding, against the golden vectors'
independent reference (tests/vectors/gen_cohort_vectors.py, which writes
and checks tests/vectors/cohort_vectors.h): every case's waves, listed
devices, assignments, strata and representativeness; shards merged as
bytes; bad input."""
from __future__ import annotations

import importlib
import sys
from typing import Any, Dict, List

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from otaprio import CohortMethod, CohortSpec, Sampler

from conftest import VECTORS

pytest.importorskip("xxhash")  # the reference hashes with it
sys.path.insert(0, str(VECTORS))
# The generator of tests/vectors/cohort_vectors.h: an untyped script.
reference: Any = importlib.import_module("gen_cohort_vectors")

CASES = reference.cases()


def spec_of(case: Dict[str, Any]) -> CohortSpec:
    spec = case["spec"]
    dims = len(case["fleet"]["code_weights"])
    return CohortSpec(
        waves=spec["waves"], strata=["d%d" % d for d in range(dims)],
        cardinalities=[len(w) for w in case["fleet"]["code_weights"]],
        salt=spec["salt"], method=CohortMethod(spec["method"]),
        minimum_per_stratum=spec.get("minimum", 0),
        stratum_sd=spec.get("sd"),
        retain_fraction=spec.get("retain_fraction", 0.0),
        critical_first_wave=spec.get("critical_first_wave", 0),
        minimum_battery=spec.get("minimum_battery", 0.0),
        exclude_metered=bool(spec.get("exclude_metered", 0)),
        excluded_clusters=spec.get("excluded_clusters", ()),
        cap_dimension=spec.get("cap_dimension", -1),
        caps=spec.get("caps"))


def columns_of(fleet: Any) -> Dict[str, npt.NDArray[Any]]:
    out: Dict[str, npt.NDArray[Any]] = {
        "keys": np.array(fleet.keys, np.uint64)}
    for d, codes in enumerate(fleet.codes):
        out["d%d" % d] = np.array(codes, np.uint32)
    for name, dtype in otaprio.CHUNK_COLUMNS.items():
        column = getattr(fleet, name)
        if column is not None:
            out[name] = np.array(column, dtype)
    return out


def split(columns: Dict[str, npt.NDArray[Any]], size: int
          ) -> List[Dict[str, npt.NDArray[Any]]]:
    n = len(columns["keys"])
    return [{k: v[s:s + size] for k, v in columns.items()}
            for s in range(0, n, size)]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cohorts_match_the_reference(case: Dict[str, Any]) -> None:
    expected = reference.run_case(case)
    columns = columns_of(expected["fleet"])
    sampler = Sampler(spec_of(case))
    for chunk in split(columns, 700):
        sampler.observe(chunk)
    cohort = sampler.finish()

    assert len(cohort.waves) == len(expected["waves"])
    for wave, row in zip(cohort.waves, expected["waves"]):
        assert wave.fraction == row["fraction"]
        for name in ("fleet", "eligible", "target", "selected", "shortfall",
                     "strata", "strata_covered", "strata_short_of_minimum"):
            assert getattr(wave, name) == row[name], name
        assert wave.listed == bool(row["listed"])

    devices = cohort.devices()
    keys = expected["fleet"].keys
    assert devices.keys.tolist() == [keys[i] for i, _, _ in expected["listed"]]
    assert devices.waves.tolist() == [w for _, w, _ in expected["listed"]]
    assert devices.strata.tolist() == [s for _, _, s in expected["listed"]]

    assert cohort.assign(columns).tolist() == [
        otaprio.COHORT_NONE if w == reference.NONE else w
        for w in expected["assign"]]

    for k, want in enumerate(expected["reports"]):
        strata = cohort.strata(k)
        assert strata.strata.tolist() == expected["strata"]
        assert strata.fleet.tolist() == expected["fleet_of"]
        assert strata.eligible.tolist() == [e[k] for e in
                                            expected["eligible"]]
        assert strata.selected.tolist() == [s[k] for s in
                                            expected["selected"]]
        got = cohort.representativeness(k)
        for name in ("fleet", "cohort", "strata", "strata_covered"):
            assert getattr(got, name) == want[name], name
        for name in ("strata_coverage", "mass_coverage", "tvd"):
            assert getattr(got, name) == pytest.approx(want[name], rel=1e-12)
        assert got.tvd_dimension == pytest.approx(want["tvd_dimension"],
                                                  rel=1e-12)
        assert [w[0] for w in got.worst] == [w[0] for w in want["worst"]]
        for side in (1, 2):  # the fleet's and the cohort's shares
            assert [w[side] for w in got.worst] == pytest.approx(
                [w[side] for w in want["worst"]], rel=1e-12)
        assert got.as_dict()["tvd"] == got.tvd


def test_shards_merged_as_bytes_give_one_passs_cohort() -> None:
    case = next(c for c in CASES if c["name"] == "proportional_three_dims")
    spec = spec_of(case)
    columns = columns_of(reference.Fleet(case["fleet"]))
    whole = Sampler(spec)
    whole.observe(columns)
    shards = [Sampler(spec) for _ in range(3)]
    for i, chunk in enumerate(split(columns, 500)):
        shards[i % 3].observe(chunk)
    merged = Sampler(spec)
    merged.merge(shards[0])
    merged.merge(shards[1].to_bytes())
    merged.merge(shards[2].to_bytes())
    assert merged.to_bytes() == whole.to_bytes()
    a, b = merged.finish(), whole.finish()
    assert a.waves == b.waves
    assert a.devices().keys.tolist() == b.devices().keys.tolist()
    other = Sampler(CohortSpec(waves=spec.waves, strata=spec.strata,
                               cardinalities=spec.cardinalities, salt=1))
    with pytest.raises(otaprio.Error):
        other.merge(whole.to_bytes())  # another rollout's state
    with pytest.raises(otaprio.ParseError):
        merged.merge(b"not a sampler")


def test_a_dataframe_chunk() -> None:
    pandas = pytest.importorskip("pandas")
    case = next(c for c in CASES if c["name"] == "hash_exclusions")
    columns = columns_of(reference.Fleet(case["fleet"]))
    from_dict, from_frame = Sampler(spec_of(case)), Sampler(spec_of(case))
    from_dict.observe(columns)
    frame = pandas.DataFrame(columns)
    frame["serial"] = "x"  # the host's own column: ignored
    from_frame.observe(frame)
    assert from_frame.to_bytes() == from_dict.to_bytes()


def test_bad_input_raises() -> None:
    with pytest.raises(otaprio.OutOfRangeError):
        Sampler(CohortSpec(waves=[0.5, 0.2]))  # not increasing
    with pytest.raises(ValueError, match="cardinalities"):
        Sampler(CohortSpec(waves=[0.1, 1], strata=["os"]))
    sampler = Sampler(CohortSpec(waves=[0.1, 1], strata=["os"],
                                 cardinalities=[3]))
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        sampler.observe({"keys": np.arange(4, dtype=np.uint64),
                         "os": np.array([0, 1, 3, 2], np.uint32)})
    assert caught.value.index == 2
    with pytest.raises(KeyError, match="lacks the strata"):
        sampler.observe({"keys": np.arange(4, dtype=np.uint64)})
    with pytest.raises(KeyError, match="unknown cohort columns"):
        sampler.observe({"keys": [1], "os": [0], "region": [0]})
    with pytest.raises(ValueError, match="differ in length"):
        sampler.observe({"keys": [1, 2], "os": [0]})
    twice = Sampler(CohortSpec(waves=[0.9, 1], strata=["os"],
                               cardinalities=[3]))
    twice.observe({"keys": [1, 1, 2, 3], "os": [0, 0, 1, 2]})
    with pytest.raises(otaprio.DuplicateError, match="keys"):
        twice.finish()  # one key, two devices that would both be selected
