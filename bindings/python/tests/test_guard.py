# SPDX-License-Identifier: MIT
"""The guardrail engine through the binding: verdicts checked against
scipy (the reference the C statistics tests use), strata, the action,
continuous samples through a callback, sequential state as bytes."""
from __future__ import annotations

from typing import List

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from otaprio import (GuardAction, GuardGroup, GuardKind, GuardReasonCode,
                     GuardRule, GuardSet, GuardSeverity, GuardTest,
                     GuardVerdict, MetricData)


def proportion(rule: str, canary: List[int], canary_trials: List[int],
               baseline: List[int], baseline_trials: List[int],
               **extra: object) -> MetricData:
    return MetricData(rule, 0.0, 48.0, canary_events=canary,
                      baseline_events=baseline, canary_trials=canary_trials,
                      baseline_trials=baseline_trials,
                      **extra)  # type: ignore[arg-type]


def test_fisher_verdicts_match_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    rules = GuardSet([GuardRule("crash")])
    for a, n1, b, n2 in [(12, 100, 4, 120), (3, 50, 0, 60), (7, 200, 9, 180),
                         (0, 40, 0, 40), (30, 300, 10, 400)]:
        result = rules.evaluate([proportion("crash", [a], [n1], [b],
                                            [n2])]).results[0]
        assert result.test == GuardTest.FISHER
        reference = stats.fisher_exact([[a, n1 - a], [b, n2 - b]],
                                       alternative="greater")
        assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
        if np.isfinite(reference.statistic):
            assert result.statistic == pytest.approx(reference.statistic,
                                                     rel=1e-12)
        assert (result.verdict == GuardVerdict.FAIL) == \
            (reference.pvalue <= 0.05)


def test_a_regression_in_one_stratum_is_located() -> None:
    rules = GuardSet([GuardRule("crash", margin=0.2, minimum_sample=100)])
    report = rules.evaluate([proportion(
        "crash", [30, 5], [500, 500], [10, 6], [1000, 1000],
        stratum_ids=[7, 9])])
    result = report.results[0]
    assert result.name == "crash"
    assert result.verdict == GuardVerdict.FAIL
    assert result.failing_strata == 1
    assert report.action == GuardAction.PAUSE
    assert [s.stratum for s in report.strata[0]] == [7, 9]  # failing first
    assert report.strata[0][0].verdict == GuardVerdict.FAIL
    assert report.reasons[0].rule == 0
    assert report.reasons[0].code == GuardReasonCode.OVER_BASELINE


def test_a_critical_failure_rolls_back_and_a_clean_wave_expands() -> None:
    rules = GuardSet([GuardRule("boot", severity=GuardSeverity.CRITICAL,
                                margin=0.2, window_hours=24)])
    bad = rules.evaluate([proportion("boot", [40], [1000], [10], [5000])])
    assert bad.action == GuardAction.ROLLBACK
    good = rules.evaluate([proportion("boot", [2], [1000], [10], [5000])])
    assert good.action == GuardAction.EXPAND and good.reasons == ()
    silent = rules.evaluate([])
    assert silent.results[0].verdict == GuardVerdict.NO_DATA
    assert silent.action == GuardAction.HOLD


def test_continuous_samples_through_the_callback() -> None:
    rules = GuardSet([GuardRule("drain", kind=GuardKind.CONTINUOUS,
                                margin=0.1, minimum_sample=20)])
    rng = np.random.default_rng(3)
    canary = rng.normal(1.3, 0.1, 200)
    baseline = rng.normal(1.0, 0.1, 200)
    asked: List[GuardGroup] = []

    def samples(row: int, group: GuardGroup) -> npt.NDArray[np.float64]:
        asked.append(group)
        return canary if group == GuardGroup.CANARY else baseline

    report = rules.evaluate([MetricData("drain", 0, 48, rows=1,
                                        samples=samples)])
    result = report.results[0]
    assert set(asked) == {GuardGroup.CANARY, GuardGroup.BASELINE}
    assert result.test == GuardTest.MANN_WHITNEY
    assert result.verdict == GuardVerdict.FAIL
    assert result.canary_value == pytest.approx(float(np.median(canary)))


def test_an_exception_in_the_samples_callback_is_reraised_unchanged() -> None:
    rules = GuardSet([GuardRule("drain", kind=GuardKind.CONTINUOUS)])
    boom = LookupError("no such telemetry shard")

    def samples(row: int, group: GuardGroup) -> npt.NDArray[np.float64]:
        raise boom

    with pytest.raises(LookupError) as caught:
        rules.evaluate([MetricData("drain", rows=1, samples=samples)])
    assert caught.value is boom


def test_sequential_state_round_trips_through_bytes() -> None:
    rules = GuardSet([GuardRule("crash", margin=0.1),
                      GuardRule("boot", sequential=True, margin=0.1)])
    sequence = rules.sequence("boot")
    assert sequence.status == (0, 1.0)
    for look, events in ((1, 5), (2, 11), (3, 30)):  # cumulative counts
        rules.evaluate([MetricData("boot", 0, 12 * look,
                                   canary_events=[events],
                                   baseline_events=[20 * look],
                                   canary_trials=[1000 * look],
                                   baseline_trials=[10000 * look],
                                   sequence=sequence)])
    saved = sequence.to_bytes()
    assert len(saved) == otaprio.SEQUENCE_BYTES
    looks, p_value = sequence.status
    assert looks == 3 and p_value < 1.0
    again = rules.load_sequence("boot", saved)
    assert again.status == (looks, p_value)
    assert again.to_bytes() == saved
    with pytest.raises(otaprio.ParseError):
        rules.load_sequence("boot", saved[:-1])
    with pytest.raises(otaprio.ParseError):
        rules.load_sequence("boot", bytes(len(saved)))
    other = GuardSet([GuardRule("boot", sequential=True, margin=0.3)])
    with pytest.raises(otaprio.OutOfRangeError):
        other.load_sequence("boot", saved)  # another rule's state
    with pytest.raises(otaprio.InvalidArgumentError):
        rules.sequence("crash")  # not sequential


def test_rules_are_checked_with_the_diagnostics() -> None:
    with pytest.raises(otaprio.DuplicateError) as duplicate:
        GuardSet([GuardRule("a"), GuardRule("a")])
    assert duplicate.value.index == 1
    with pytest.raises(otaprio.OutOfRangeError) as margin:
        GuardSet([GuardRule("a"), GuardRule("b", margin=-1.0)])
    assert margin.value.index == 1 and "margin" in margin.value.field
    with pytest.raises(otaprio.NotFoundError):
        GuardSet([GuardRule("a")]).index("b")
    rules = GuardSet([GuardRule("a")])
    with pytest.raises(otaprio.OutOfRangeError):
        rules.evaluate([proportion("a", [5], [4], [0], [10])])  # 5 of 4
    with pytest.raises(ValueError, match="differ in length"):
        rules.evaluate([proportion("a", [1, 2], [10], [0], [10])])
    rules.close()
    with pytest.raises(ValueError, match="closed"):
        rules.index(0)


def test_devices_are_counted_once() -> None:
    keys = otaprio.keys(["a", "a", "b", "c", "c", "c"])
    failed = np.array([True, False, False, True, True, False])
    assert otaprio.count_devices(keys, failed) == (2, 3)
    assert otaprio.count_devices(keys, failed, final_outcome=True) == (0, 3)
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.count_devices(keys, np.array([0, 1, 2, 0, 0, 0], np.uint8))


def test_tolerance_defaults() -> None:
    assert otaprio.tolerance_default(otaprio.Layer.APP) == 1.0
    assert otaprio.tolerance_default(otaprio.Layer.KERNEL, True) == 0.75
    assert otaprio.GuardOptions().alpha == 0.05
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.tolerance_default(99)  # type: ignore[arg-type]
