# SPDX-License-Identifier: MIT
"""The rollback engine through the binding: the C unit tests' reference
cases (tests/unit/test_rollback.c, test_rollback_drill.c) give the same
decisions here; drills; bad input; a plan with a rollback input."""
from __future__ import annotations

import numpy as np
import pytest

import otaprio
from otaprio import (DrillStatus, Layer, Level, RollbackChange,
                     RollbackInput, RollbackLever, RollbackObserve,
                     RollbackPart, RollbackReason, RollbackStep,
                     RollbackTier, RollbackWeakness, decide_rollback)

ALL_LEVERS = RollbackLever(otaprio._ffi.lib.OTAPRIO_ROLLBACK_LEVER_ALL)
ALL_VIEWS = RollbackObserve(otaprio._ffi.lib.OTAPRIO_ROLLBACK_OBSERVE_ALL)


def test_the_all_masks_are_every_member() -> None:
    assert int(ALL_LEVERS) == sum(int(lever) for lever in RollbackLever)
    assert int(ALL_VIEWS) == sum(int(view) for view in RollbackObserve)


def test_a_login_regression_is_solved_by_a_feature_flag() -> None:
    failure = RollbackInput(layer=Layer.APP, part=RollbackPart.AUTH_FLOW,
                            canary_share=0.3, fleet_share=0.05,
                            strata_affected=10, strata_total=10,
                            levers=ALL_LEVERS, observe=ALL_VIEWS)
    d = decide_rollback(failure)
    assert d.tier is RollbackTier.FEATURE_FLAG
    assert d.steps == (RollbackStep.FLAG_OFF | RollbackStep.REREGISTER |
                       RollbackStep.CACHE_INVALIDATION)
    assert d.reasons == (RollbackReason.FLAG_COVERS,)
    assert d.confidence == 1.0 and not d.weak
    failure.data_loss = Level.MODERATE
    assert decide_rollback(failure).confidence == 0.75
    failure.data_loss = Level.NONE
    failure.levers &= ~RollbackLever.FEATURE_FLAG
    d = decide_rollback(failure)
    assert d.tier is RollbackTier.SERVER_CONFIG
    assert d.reasons == (RollbackReason.CONFIG_COVERS, RollbackReason.NO_FLAG)


def test_one_failing_sku_is_exempted() -> None:
    failure = RollbackInput(
        layer=Layer.OS, canary_share=0.08, fleet_share=0.002,
        strata_affected=1, strata_total=12, clusters_affected=1,
        clusters_total=5,
        levers=(RollbackLever.EXEMPTION | RollbackLever.AB_SLOT |
                RollbackLever.DOWNGRADE),
        observe=RollbackObserve.BUILD | RollbackObserve.MODEL)
    d = decide_rollback(failure)
    assert d.tier is RollbackTier.EXEMPTION
    assert d.steps == RollbackStep.EXEMPT
    assert d.reasons == (RollbackReason.CONFINED, RollbackReason.LAYER_CODE)
    assert d.confidence == 1.0 and not d.weak


def test_irreversible_key_rotation_makes_rollback_weak() -> None:
    failure = RollbackInput(layer=Layer.OS, canary_share=0.6,
                            fleet_share=0.1, strata_affected=8,
                            strata_total=8,
                            levers=RollbackLever.AB_SLOT |
                            RollbackLever.DOWNGRADE, observe=ALL_VIEWS)
    before = decide_rollback(failure)
    assert not before.weak
    assert (before.wave_factor, before.soak_factor,
            before.tolerance_factor) == (1.0, 1.0, 1.0)
    failure.changes = RollbackChange.KEYS
    d = decide_rollback(failure)
    assert d.tier is RollbackTier.FULL and d.weak
    assert d.weak_causes == RollbackWeakness.IRREVERSIBLE
    assert d.steps == (RollbackStep.PAUSE_ROLLOUT | RollbackStep.SLOT_SWITCH |
                       RollbackStep.KEY_RESTORE | RollbackStep.REREGISTER |
                       RollbackStep.NOTIFY_USERS)
    assert (d.confidence, d.wave_factor, d.soak_factor,
            d.tolerance_factor) == (0.75, 0.5, 1.5, 0.75)


def test_drills_find_the_classes_without_a_tested_path_back() -> None:
    low, stale, flaky = 1, 2, 4  # RollbackCondition bits
    assert (low, stale, flaky) == tuple(int(c)
                                        for c in otaprio.RollbackCondition)
    result = otaprio.check_drills(
        class_id=[1, 1, 1, 2, 2, 3, 3],
        class_conditions=[0, low, low | stale, 0, flaky, 0, stale],
        drill_class_id=[1, 2, 2, 3, 3, 4],
        drill_conditions=[low | stale | flaky, 0, flaky, stale | low, stale,
                          0],
        tested=[1, 1, 1, 1, 1, 1], succeeded=[1, 1, 0, 1, 0, 1])
    covered, failed = DrillStatus.COVERED, DrillStatus.FAILED
    assert result.status.tolist() == [covered, covered, covered, covered,
                                      failed, covered, failed]
    assert result.uncovered == 2
    milder = otaprio.check_drills([5], [5], [1],
                                  class_conditions=[low | flaky],
                                  drill_conditions=[low], tested=[1])
    assert milder.status.tolist() == [DrillStatus.UNTESTED]
    assert milder.uncovered == 1


def test_bad_input_raises() -> None:
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        decide_rollback(RollbackInput(canary_share=1.5))
    assert "canary_share" in caught.value.field
    with pytest.raises(otaprio.OutOfRangeError):
        decide_rollback(RollbackInput(strata_affected=3, strata_total=2))
    with pytest.raises(ValueError, match="holds 1 values, not 2"):
        otaprio.check_drills([1, 2], [1], [1], class_conditions=[0])
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.check_drills([1], [1], np.array([2], np.uint8))


def test_a_plan_with_its_rollback_input() -> None:
    keys = otaprio.keys(["SN-%d" % i for i in range(1000)])
    fleet = [{"keys": keys}]
    strong = otaprio.create_plan(
        otaprio.Issue(), fleet,
        rollback=RollbackInput(layer=Layer.APP, levers=ALL_LEVERS,
                               observe=ALL_VIEWS))
    weak = otaprio.create_plan(
        otaprio.Issue(), fleet,
        rollback=RollbackInput(layer=Layer.APP,
                               changes=RollbackChange.DATA_MIGRATION))
    assert isinstance(strong.summary.rollback_tier, RollbackTier)
    assert not strong.summary.rollback_weak_causes
    assert weak.summary.rollback_weak_causes
    assert otaprio.PlanNote.WEAK_ROLLBACK in weak.summary.notes
    assert otaprio.PlanNote.WEAK_ROLLBACK not in strong.summary.notes
