# SPDX-License-Identifier: MIT
"""The rollback engine (``otaprio/rollback.h``): the lightest sufficient
rollback tier for a failure, with its restore steps, confidence, reasons
and how weak the way back is; and which device classes have no tested
path back, from drill results."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional, Tuple

import numpy as np
import numpy.typing as npt

from . import _arrays, _structs
from ._ffi import ffi, lib
from .enums import (Layer, Level, RollbackChange, RollbackLever,
                    RollbackObserve, RollbackPart, RollbackReason,
                    RollbackStep, RollbackTier, RollbackWeakness)
from .errors import check, new_diag

__all__ = ["RollbackInput", "RollbackDecision", "decide_rollback",
           "DrillCheck", "check_drills"]

_INPUT = "otaprio_rollback_input"
_U8 = np.dtype(np.uint8)
_U64 = np.dtype(np.uint64)


def _input(name: str, convert: Callable[[Any], Any]) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_INPUT, name, convert))


@dataclasses.dataclass
class RollbackInput:
    """A failure and what the fleet can do about it
    (``otaprio_rollback_input``). Every field defaults to the library's
    "nothing known", which is the cautious value."""

    layer: Layer = _input("layer", Layer)
    part: RollbackPart = _input("part", RollbackPart)
    canary_share: float = _input("canary_share", float)
    fleet_share: float = _input("fleet_share", float)
    strata_affected: int = _input("strata_affected", int)
    strata_total: int = _input("strata_total", int)
    clusters_affected: int = _input("clusters_affected", int)
    clusters_total: int = _input("clusters_total", int)
    levers: RollbackLever = _input("levers", RollbackLever)
    changes: RollbackChange = _input("changes", RollbackChange)
    data_loss: Level = _input("data_loss", Level)
    revert_data_loss: Level = _input("revert_data_loss", Level)
    observe: RollbackObserve = _input("observe", RollbackObserve)
    untested_classes: int = _input("untested_classes", int)

    def _to_c(self) -> Any:
        return _structs.to_c(_INPUT, self)


@dataclasses.dataclass(frozen=True)
class RollbackDecision:
    """The decision (``otaprio_rollback_decision``): the tier, its restore
    steps, how sure it is, the reasons (why this tier, then why each
    lighter one was ruled out), and what weak rollback does to a plan."""

    tier: RollbackTier
    steps: RollbackStep
    confidence: float
    reasons: Tuple[RollbackReason, ...]
    weak: bool
    weak_causes: RollbackWeakness
    wave_factor: float
    soak_factor: float
    tolerance_factor: float


def decide_rollback(failure: RollbackInput) -> RollbackDecision:
    """The lightest sufficient rollback tier for a failure."""
    d: Any = _structs.new("otaprio_rollback_decision")
    diag = new_diag()
    check(lib.otaprio_rollback_decide(failure._to_c(), d, diag), diag)
    return RollbackDecision(
        RollbackTier(d.tier), RollbackStep(d.steps), float(d.confidence),
        tuple(RollbackReason(d.reasons[i])
              for i in range(int(d.reason_count))),
        bool(d.weak), RollbackWeakness(d.weak_causes), float(d.wave_factor),
        float(d.soak_factor), float(d.tolerance_factor))


@dataclasses.dataclass(frozen=True)
class DrillCheck:
    """Each device class's :class:`otaprio.DrillStatus` (a uint8 array) and
    how many classes have no tested path back."""

    status: npt.NDArray[np.uint8]
    uncovered: int


def check_drills(class_id: npt.ArrayLike, drill_class_id: npt.ArrayLike,
                 succeeded: npt.ArrayLike,
                 class_conditions: Optional[npt.ArrayLike] = None,
                 drill_conditions: Optional[npt.ArrayLike] = None,
                 tested: Optional[npt.ArrayLike] = None) -> DrillCheck:
    """Which device classes have no tested path back.

    Classes are columns: the host's ``class_id`` (uint64) and their
    :class:`otaprio.RollbackCondition` bits; drills are rows: the class
    each ran on, its conditions, whether it was run (``tested``, default
    all) and whether the device came back (``succeeded``)."""
    ids = _arrays.as_column("class_id", class_id, _U64)
    drill_ids = _arrays.as_column("drill_class_id", drill_class_id, _U64)
    class_columns = {"conditions": class_conditions}
    drill_columns = {"conditions": drill_conditions, "tested": tested,
                     "succeeded": succeeded}
    classes: Any = _structs.new("otaprio_rollback_classes")
    classes.count = int(ids.shape[0])
    classes.class_id = _arrays.pointer(ids)
    drills: Any = _structs.new("otaprio_rollback_drills")
    drills.count = int(drill_ids.shape[0])
    drills.class_id = _arrays.pointer(drill_ids)
    keep = []
    for struct, columns, count, side in ((classes, class_columns,
                                          classes.count, "class"),
                                         (drills, drill_columns,
                                          drills.count, "drill")):
        for name, value in columns.items():
            if value is None:
                continue
            array = _arrays.as_column("%s %s" % (side, name), value, _U8)
            if int(array.shape[0]) != count:
                raise ValueError("%s %s holds %d values, not %d"
                                 % (side, name, array.shape[0], count))
            keep.append(array)
            setattr(struct, name, _arrays.pointer(array))
    status = np.empty(classes.count, _U8)
    uncovered = ffi.new("size_t *")
    diag = new_diag()
    check(lib.otaprio_rollback_drill_check(
        classes, drills, _arrays.pointer(status), uncovered, diag), diag)
    return DrillCheck(status, int(uncovered[0]))
