# SPDX-License-Identifier: MIT
"""The planner's catalog, flaw tracing, guardrails, telemetry and
break-glass inputs, and its chains, wave guardrail sets and cohort, checked
against the engines that answer the same questions on their own."""
from __future__ import annotations

import gc
from typing import Any, Dict, List, Tuple

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from conftest import os_catalog
from otaprio import (AttackPath, BreakglassPolicy, BreakglassRequest,
                     Disposition, Exploit, GuardRule, Issue, IssueClass,
                     Level, MetricData, PlanNote, PlanPathStatus,
                     PlanRole, PlanUnmet)

N = 3000
ROWS = np.arange(N)


CATALOG, OS, BOOT, STEP, LOADER, MAJOR = os_catalog()
RING = np.full(N, 2, np.uint8)
RING[:20], RING[20:80] = 0, 1
VERSIONS = [(ROWS % 3).astype(np.uint32),
            ((ROWS % 5) != 0).astype(np.uint32)]
FLEET: Dict[str, Any] = {
    "keys": otaprio.keys(["SN-%06d" % i for i in ROWS]), "ring": RING,
    "region": (ROWS % 4).astype(np.uint32),
    "cluster": (ROWS % 6).astype(np.uint32), "versions": VERSIONS}
ISSUE = Issue(issue_class=IssueClass.SECURITY, security_impact=Level.HIGH,
              attack_path=AttackPath.REMOTE, exploit=Exploit.POC)
RULES = [GuardRule("crash", margin=0.2, minimum_sample=100),
         GuardRule("boot-fail", margin=0.1)]


def plan(**options: Any) -> Tuple[otaprio.Plan, npt.NDArray[np.uint8]]:
    waves: List[npt.NDArray[np.uint8]] = []
    result = otaprio.create_plan(
        ISSUE, [FLEET], salt=otaprio.key("os-12"), strata=["region"],
        cardinalities=[4], catalog=CATALOG, package=MAJOR,
        on_assign=lambda first, out: waves.append(out.wave), **options)
    return result, np.concatenate(waves)


def test_flaw_tracing_and_dependency_chains() -> None:
    result, _ = plan(flaw=(OS, "< 12"))
    marks = CATALOG.impact_devices(OS, "< 12", VERSIONS)
    summary = result.summary
    assert PlanNote.GRAPH_IMPACT in summary.notes
    assert summary.affected == int((marks != 0).sum())
    assert sum(c.devices for c in result.chains) == summary.affected
    assert sum(c.blocked for c in result.chains) == \
        summary.by_disposition[Disposition.BLOCKED]
    index = {int(k): i for i, k in enumerate(FLEET["keys"])}
    found = [c for c in result.chains
             if c.path_status == PlanPathStatus.FOUND]
    assert {c.path for c in found} == {(STEP,), (LOADER,), (STEP, LOADER)}
    for chain in found:
        device = index[chain.example_key]
        path = CATALOG.update_path(MAJOR, VERSIONS, device)
        assert (path.packages, path.download_bytes) == (chain.path,
                                                        chain.path_bytes)
        assert chain.first_wave is None and chain.planned == 0
    # Without tracing, the host's affected share stands.
    untraced, _ = plan()
    assert PlanNote.GRAPH_IMPACT not in untraced.summary.notes


def test_wave_guards_and_the_plans_cohort() -> None:
    result, waves = plan(rules=RULES)
    for wave in range(len(result.waves)):
        guards = result.wave_guards(wave)
        assert guards is not None and guards.names == ("crash", "boot-fail")
    with pytest.raises(IndexError):
        result.wave_guards(len(result.waves))
    without, _ = plan()
    assert without.wave_guards(0) is None
    cohort = result.cohort()
    assert cohort.spec.strata == ["region"]
    listed = cohort.devices()
    keys = {int(k): i for i, k in enumerate(FLEET["keys"])}
    assert all(int(k) in keys for k in listed.keys)
    # Every device of a listed canary wave is in a plan wave.
    rows = [keys[int(k)] for k in listed.keys]
    assert (waves[rows] != otaprio.PLAN_NONE).all()
    assert len(listed.keys) == max(w.selected for w in cohort.waves
                                   if w.listed)
    # The cohort and the wave sets keep the plan alive.
    guards = result.wave_guards(0)
    del result
    gc.collect()
    assert (cohort.devices().keys == listed.keys).all()
    assert guards is not None and guards.index("boot-fail") == 1


def test_telemetry_confirms_the_anomaly() -> None:
    guards = otaprio.GuardSet(RULES)
    report = guards.evaluate([MetricData(
        "crash", 0, 30, canary_events=[60], canary_trials=[500],
        baseline_events=[10], baseline_trials=[1000])])
    assert report.action >= otaprio.GuardAction.PAUSE
    result, _ = plan(telemetry=report)
    assert PlanNote.TELEMETRY in result.summary.notes
    quiet, _ = plan()
    assert PlanNote.TELEMETRY not in quiet.summary.notes
    assert result.summary.tier <= quiet.summary.tier
    with pytest.raises(ValueError):
        plan(telemetry=otaprio.GuardReport(report.action, (), (), ()))


def test_breakglass_in_the_plan_and_on_its_own() -> None:
    policy = BreakglassPolicy({PlanRole.SECURITY_LEAD: 1}, excluded=[3])
    denied = BreakglassRequest([(PlanRole.SECURITY_LEAD, 1)], cohorts=[1, 3])
    granted = BreakglassRequest([(PlanRole.SECURITY_LEAD, 1)], cohorts=[1])
    alone = otaprio.check_breakglass(policy, denied)
    assert not alone.approved and alone.unmet == PlanUnmet.EXCLUDED_COHORT
    assert alone.excluded == (3,)
    result, _ = plan(breakglass_policy=policy, breakglass=denied)
    assert result.summary.breakglass_requested
    assert not result.summary.breakglass_approved
    assert result.summary.breakglass_unmet == int(alone.unmet)
    assert otaprio.check_breakglass(policy, granted).approved
    result, _ = plan(breakglass_policy=policy, breakglass=granted)
    assert result.summary.breakglass_approved


def test_check_breakglass_counts_each_approver_once() -> None:
    policy = BreakglassPolicy({PlanRole.SECURITY_LEAD: 1,
                               PlanRole.EXECUTIVE: 2},
                              otaprio.PlanEvidence.EXPLOITATION
                              | otaprio.PlanEvidence.CHANGE_TICKET, [7, 9])
    request = BreakglassRequest(
        [(PlanRole.SECURITY_LEAD, 11), (PlanRole.EXECUTIVE, 11),
         (PlanRole.EXECUTIVE, 12)], otaprio.PlanEvidence.EXPLOITATION,
        [3, 9, 7, 9])
    result = otaprio.check_breakglass(policy, request)
    assert result.unmet == (PlanUnmet.APPROVALS | PlanUnmet.EVIDENCE
                            | PlanUnmet.EXCLUDED_COHORT)
    assert result.missing_approvals[PlanRole.EXECUTIVE] == 1
    assert result.missing_approvals[PlanRole.SECURITY_LEAD] == 0
    assert result.missing_evidence == otaprio.PlanEvidence.CHANGE_TICKET
    assert result.repeated_approvals == 1
    assert result.excluded == (9, 7)
    assert otaprio.check_breakglass(BreakglassPolicy(),
                                    BreakglassRequest()).approved
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        otaprio.check_breakglass(policy, BreakglassRequest(
            [(7, 1)]))  # type: ignore[list-item]
    assert "approval_role" in caught.value.field


def test_flaw_needs_a_catalog() -> None:
    with pytest.raises(ValueError):
        otaprio.create_plan(ISSUE, [FLEET], flaw=(0, "< 1"))


def test_guard_options_reach_the_planner() -> None:
    result, _ = plan(rules=RULES, guard_options=otaprio.GuardOptions(
        alpha=0.01))
    assert result.wave_guards(0) is not None
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        plan(rules=RULES, guard_options=otaprio.GuardOptions(alpha=2.0))
    assert "alpha" in caught.value.field + str(caught.value)
