# SPDX-License-Identifier: MIT
"""The risk engine through the binding: the CISA SSVC golden vectors, the
scorecard explanation, device columns (NumPy and pandas), bad input."""
from __future__ import annotations

import dataclasses
from typing import Dict

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from otaprio import (AttackPath, DeviceClass, Disposition, Exploit, Issue,
                     IssueClass, Level, Reason, RiskModel, RiskPolicy, Tier)

from conftest import ssvc_vectors

MISSION_CLASSES = (1 << DeviceClass.WEARABLE, 1 << DeviceClass.KIOSK,
                   1 << DeviceClass.MEDICAL)


def exploited() -> Issue:
    return Issue(issue_class=IssueClass.SECURITY, security_impact=Level.HIGH,
                 attack_path=AttackPath.REMOTE, exploit=Exploit.ACTIVE,
                 affected_share=0.3, package_bytes=100 << 20)


def fleet() -> Dict[str, npt.NDArray[np.generic]]:
    return {
        "device_class": np.array([DeviceClass.HANDSET, DeviceClass.MEDICAL,
                                  DeviceClass.ROUTER, DeviceClass.POS],
                                 np.uint8),
        "battery": np.array([0.1, 0.9, 1.0, 0.5], np.float32),
        "metered": np.array([False, False, True, False]),
        "affected": np.array([1, 1, 1, 0], np.uint8),
    }


def test_ssvc_decisions_match_the_golden_vectors() -> None:
    model = RiskModel(RiskPolicy(model=otaprio.RiskModelKind.SSVC))
    tier_of = [Tier.T2, Tier.T2, Tier.T1, Tier.T0]
    for exploit, automatable, total, mission, decision in ssvc_vectors():
        issue = Issue(issue_class=IssueClass.SECURITY,
                      exploit=Exploit(exploit), automatable=bool(automatable),
                      security_impact=Level.CRITICAL if total else Level.HIGH,
                      affected_classes=MISSION_CLASSES[mission])
        score = model.score_issue(issue)
        assert score.ssvc == decision
        assert score.tier == tier_of[decision]


def test_scorecard_explains_the_score_exactly() -> None:
    score = RiskModel().score_issue(exploited())
    assert score.tier is Tier.T0
    assert sum(line.milli for line in score.explanation) == score.score_milli
    assert score.score == score.score_milli / 1000
    card = score.scorecard()
    assert card[0] == {"score": "defect", "factor": "issue_class",
                       "label": "security fix", "input": 0.0,
                       "milli": 10000, "points": 10.0}
    assert any(row["factor"] == "exploit" for row in card)
    assert score.package_bytes == 100 << 20


def test_a_default_issue_scores() -> None:
    score = RiskModel().score_issue(Issue())
    assert 0 <= score.score <= 100
    assert isinstance(score.tier, Tier)


def test_devices_scored_from_numpy_columns() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    results = model.score_devices(score, fleet())
    assert results.priority.dtype == np.float64
    assert results.disposition.tolist()[3] == Disposition.EXCLUDED
    assert results.reasons[3] & Reason.NOT_AFFECTED
    assert results.reasons[0] & Reason.LOW_BATTERY
    assert results.disposition[0] == Disposition.DEFER
    assert results.criticality[1] > results.criticality[0]  # medical device


def test_explain_device_agrees_with_score_devices() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    columns = fleet()
    results = model.score_devices(score, columns)
    for index in range(4):
        device = model.explain_device(score, columns, index)
        assert device.priority_milli / 1000 == results.priority[index]
        assert device.disposition == results.disposition[index]
        assert device.reasons == results.reasons[index]
        by_kind: Dict[otaprio.ScoreKind, int] = {}
        for line in device.explanation:
            by_kind[line.score] = by_kind.get(line.score, 0) + line.milli
        assert by_kind[otaprio.ScoreKind.PRIORITY] == device.priority_milli
    assert device.scorecard()[0]["score"] in ("criticality", "delivery",
                                              "priority")


def test_a_pandas_dataframe_gives_the_same_answers() -> None:
    pandas = pytest.importorskip("pandas")
    model = RiskModel()
    score = model.score_issue(exploited())
    columns = fleet()
    frame = pandas.DataFrame(columns)
    frame["serial"] = ["a", "b", "c", "d"]  # the host's own column: ignored
    from_frame = model.score_devices(score, frame)
    from_arrays = model.score_devices(score, columns)
    for field in dataclasses.fields(from_frame):
        assert np.array_equal(getattr(from_frame, field.name),
                              getattr(from_arrays, field.name))


def test_missing_columns_take_the_library_defaults() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    results = model.score_devices(score, {}, count=3)
    assert results.disposition.tolist() == [Disposition.ELIGIBLE] * 3
    assert len(set(results.priority.tolist())) == 1


def test_bad_device_values_raise_with_the_diagnostics() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    columns = fleet()
    columns["device_class"] = np.array([1, 2, 40, 3], np.uint8)
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        model.score_devices(score, columns)
    assert caught.value.status == otaprio.Status.E_RANGE
    assert caught.value.field == "device_class"
    assert caught.value.index == 2
    assert caught.value.message
    assert isinstance(caught.value, ValueError)
    columns = fleet()
    columns["battery"] = np.array([0.5, np.nan, 0.5, 0.5], np.float32)
    with pytest.raises(otaprio.OutOfRangeError, match=r"battery\[1\]"):
        model.score_devices(score, columns)


def test_bad_columns_raise_before_c_is_called() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    with pytest.raises(KeyError, match="unknown device columns"):
        model.score_devices(score, {"device_klass": np.zeros(2, np.uint8)})
    with pytest.raises(TypeError, match="'free_bytes' has dtype float64"):
        model.score_devices(score, {"free_bytes": np.zeros(2)})
    with pytest.raises(ValueError, match="differ in length"):
        model.score_devices(score, {"busy": np.zeros(2, np.uint8),
                                    "redundant": np.zeros(3, np.uint8)})
    with pytest.raises(ValueError, match="outside uint8"):
        model.score_devices(score, {"uptime": np.array([256])})
    with pytest.raises(TypeError, match="mapping of name to array"):
        model.score_devices(score, [1, 2])
    with pytest.raises(otaprio.OutOfRangeError):
        model.explain_device(score, fleet(), 4)


def test_bad_issues_and_policies_raise_with_the_field() -> None:
    model = RiskModel()
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        model.score_issue(Issue(affected_share=1.5))
    assert "affected_share" in caught.value.field
    with pytest.raises(otaprio.OutOfRangeError) as policy_error:
        RiskModel(RiskPolicy(defect_share=float("nan")))
    assert "defect_share" in policy_error.value.field
    with pytest.raises(ValueError, match="needs 3 values"):
        RiskModel(RiskPolicy(tier_thresholds=(70.0, 50.0)))
    with pytest.raises(OverflowError, match="package_bytes"):
        model.score_issue(Issue(package_bytes=-1))


def test_a_closed_model_refuses_work() -> None:
    with RiskModel() as model:
        score = model.score_issue(Issue())
    with pytest.raises(ValueError, match="closed"):
        model.score_devices(score, {}, count=1)
    model.close()  # twice is harmless


def test_a_host_score_can_be_given() -> None:
    model = RiskModel()
    score = otaprio.IssueScore(Tier.T2, otaprio.SsvcDecision.TRACK, 40000,
                               40.0, 0)
    results = model.score_devices(score, {"device_class": [9, 1]})
    assert results.priority[0] > results.priority[1]
    with pytest.raises(otaprio.OutOfRangeError):
        model.score_devices(dataclasses.replace(score, score_milli=200000,
                                                score=200.0), {}, count=1)


def test_answers_written_in_place_into_out() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    fresh = model.score_devices(score, fleet())
    for detail in (True, False):
        out = otaprio.DeviceResults.empty(4, detail)
        out.priority.fill(-1.0)
        got = model.score_devices(score, fleet(), out=out)
        assert got is out
        assert np.array_equal(out.priority, fresh.priority)
        assert np.array_equal(out.disposition, fresh.disposition)
        assert np.array_equal(out.reasons, fresh.reasons)
        if detail:
            assert np.array_equal(out.criticality, fresh.criticality)
            assert np.array_equal(out.delivery_risk, fresh.delivery_risk)
        else:
            assert out.criticality.shape == (0,)


def test_out_that_cannot_take_the_answers_is_refused() -> None:
    model = RiskModel()
    score = model.score_issue(exploited())
    good = otaprio.DeviceResults.empty(4)
    readonly = np.zeros(4, np.uint32)
    readonly.flags.writeable = False
    for bad in (otaprio.DeviceResults.empty(3),
                dataclasses.replace(good, priority=np.zeros(4, np.float32)),
                dataclasses.replace(good, reasons=readonly),
                dataclasses.replace(good, disposition=np.zeros(8, np.uint8)
                                    [::2]),
                dataclasses.replace(good, delivery_risk=np.zeros(0))):
        before = bad.priority.copy()
        with pytest.raises(ValueError, match="out"):
            model.score_devices(score, fleet(), out=bad)
        assert np.array_equal(bad.priority, before, equal_nan=True)
