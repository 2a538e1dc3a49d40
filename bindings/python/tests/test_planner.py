# SPDX-License-Identifier: MIT
"""The runbook planner through the binding: a synthetic fleet streamed
chunk by chunk, pass by pass; answers that agree with each other, with the
risk engine and across chunkings; exceptions re-raised unchanged."""
from __future__ import annotations

import dataclasses
from typing import Callable, Dict, Iterator, List, Tuple

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from otaprio import (AttackPath, Disposition, Exploit, Issue, IssueClass,
                     Level, Plan, PlanAssignment, PlanStage)

N = 3000
Chunk = Dict[str, npt.NDArray[np.generic]]


def issue() -> Issue:
    return Issue(issue_class=IssueClass.SECURITY, security_impact=Level.HIGH,
                 attack_path=AttackPath.REMOTE, exploit=Exploit.POC,
                 affected_share=0.4, package_bytes=50 << 20)


def columns() -> Chunk:
    rows = np.arange(N)
    ring = np.full(N, 2, np.uint8)
    ring[:20], ring[20:80] = 0, 1
    return {"keys": otaprio.keys(["SN-%06d" % i for i in rows]),
            "ring": ring,
            "region": (rows % 4).astype(np.uint32),
            "sku": (rows * 7 % 3).astype(np.uint32),
            "device_class": (rows % 11).astype(np.uint8),
            "battery": ((rows % 10) / 10 + 0.05).astype(np.float32),
            "busy": (rows % 13 == 0).astype(np.uint8)}


FLEET = columns()


def chunked(size: int) -> Callable[[], Iterator[Chunk]]:
    def fleet() -> Iterator[Chunk]:
        for start in range(0, N, size):
            yield {name: array[start:start + size]
                   for name, array in FLEET.items()}
    return fleet


def plan_with(fleet: otaprio.plan.Fleet,
              **options: object) -> Tuple[Plan, PlanAssignment]:
    parts: List[Tuple[int, PlanAssignment]] = []
    plan = otaprio.create_plan(
        issue(), fleet, salt=otaprio.key("fw-4.2.0"),
        strata=["region", "sku"], cardinalities=[4, 3],
        on_assign=lambda first, out: parts.append((first, out)),
        **options)  # type: ignore[arg-type]
    firsts = [first for first, _ in parts]
    assert firsts == sorted(firsts) and (not firsts or firsts[0] == 0)
    whole = PlanAssignment(*(np.concatenate([getattr(p, f.name)
                                             for _, p in parts])
                             for f in dataclasses.fields(PlanAssignment)))
    return plan, whole


def test_a_plan_agrees_with_its_own_assignments() -> None:
    plan, out = plan_with(chunked(500))
    summary = plan.summary
    assert summary.devices == N == out.wave.shape[0]
    waves = out.wave[out.wave != otaprio.PLAN_NONE]
    assert np.bincount(waves).tolist() == [w.devices for w in plan.waves]
    assert [w.stage for w in plan.waves][:2] == [PlanStage.DOGFOOD,
                                                 PlanStage.EMPLOYEE]
    assert plan.waves[-1].cumulative == summary.planned
    for disposition in Disposition:
        assert summary.by_disposition[disposition] == \
            int(np.sum(out.disposition == disposition))
    assert sum(line.milli for line in plan.explanation) == \
        summary.score_milli
    assert plan.scorecard()[0]["score"] == "defect"
    assert any(w.code == otaprio.PlanWarningCode.NO_GUARDRAILS
               for w in plan.warnings)


def test_the_tier_is_the_risk_engines() -> None:
    plan, _ = plan_with(chunked(1000))
    score = otaprio.RiskModel().score_issue(issue())
    assert plan.summary.tier_before == score.tier
    assert plan.summary.score_milli == score.score_milli


def test_the_plan_does_not_depend_on_the_chunking() -> None:
    first, first_out = plan_with(chunked(500))
    for fleet in (chunked(777), [FLEET]):
        again, again_out = plan_with(fleet)
        assert repr(again) == repr(first)  # NaN-safe comparison
        for field in dataclasses.fields(PlanAssignment):
            assert np.array_equal(getattr(again_out, field.name),
                                  getattr(first_out, field.name))


def test_dataframe_chunks_give_the_same_plan() -> None:
    pandas = pytest.importorskip("pandas")
    frames = [pandas.DataFrame({k: v[s:s + 900] for k, v in FLEET.items()})
              for s in range(0, N, 900)]
    assert repr(plan_with(frames)[0]) == repr(plan_with(chunked(500))[0])


def test_each_pass_reads_the_fleet_afresh() -> None:
    calls: List[int] = []

    def fleet() -> Iterator[Chunk]:
        calls.append(1)
        return chunked(1000)()

    plan_with(fleet)
    assert len(calls) == 2  # sample, assign
    calls.clear()
    plan, _ = plan_with(fleet, power=otaprio.PowerSpec(baseline=0.01,
                                                       rise=1.0))
    assert len(calls) == 3  # census too


def test_a_one_shot_iterator_is_refused() -> None:
    with pytest.raises(TypeError, match="once per pass"):
        otaprio.create_plan(issue(), chunked(500)())


def test_exceptions_from_the_fleet_are_reraised_unchanged() -> None:
    boom = RuntimeError("the fleet database went away")
    passes: List[int] = []

    def fleet() -> Iterator[Chunk]:
        passes.append(1)
        if len(passes) == 2:
            raise boom
        return chunked(1000)()

    with pytest.raises(RuntimeError) as caught:
        plan_with(fleet)
    assert caught.value is boom


def test_exceptions_from_on_assign_are_reraised_unchanged() -> None:
    class Stop(Exception):
        pass

    def sink(first: int, out: PlanAssignment) -> None:
        raise Stop(first)

    with pytest.raises(Stop, match="^0$"):
        otaprio.create_plan(issue(), chunked(1000), strata=["region", "sku"],
                            cardinalities=[4, 3], on_assign=sink)


def test_bad_chunks_raise() -> None:
    bad_codes = dict(FLEET)
    bad_codes["sku"] = np.full(N, 3, np.uint32)  # cardinality 3
    with pytest.raises(otaprio.OutOfRangeError):
        plan_with([bad_codes])
    without_keys = {k: v for k, v in FLEET.items() if k != "keys"}
    with pytest.raises(KeyError, match="keys"):
        plan_with([without_keys])
    with pytest.raises(KeyError, match="unknown fleet columns"):
        plan_with([dict(FLEET, colour=np.zeros(N))])
    duplicated = dict(FLEET)
    duplicated["keys"] = np.zeros(N, np.uint64)
    with pytest.raises(otaprio.Error):
        plan_with([duplicated])
    with pytest.raises(ValueError, match="cardinalities"):
        otaprio.create_plan(issue(), [FLEET], strata=["sku"])
