# SPDX-License-Identifier: MIT
"""Break-glass (``otaprio/plan.h``, break-glass part): the approvals and
evidence an accelerated release needs and the cohorts no request may
reach (:class:`BreakglassPolicy`), a request (:class:`BreakglassRequest`),
and :func:`check_breakglass`, the check on its own; the planner takes the
same two."""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import numpy as np

from . import _arrays, _structs
from ._ffi import lib
from .enums import PlanEvidence, PlanRole, PlanUnmet
from .errors import check, new_diag

__all__ = ["BreakglassPolicy", "BreakglassRequest", "BreakglassResult",
           "check_breakglass"]

_I32 = np.dtype(np.int32)
_U64 = np.dtype(np.uint64)
_ROLES = int(lib.OTAPRIO_PLAN_ROLE_COUNT)


@dataclasses.dataclass
class BreakglassPolicy:
    """What a break-glass request needs (``otaprio_plan_breakglass_policy``):
    distinct approvers per role, evidence bits, and cohort ids that stay
    excluded. The default requires nothing (every request passes)."""

    approvals: Mapping[PlanRole, int] = dataclasses.field(
        default_factory=dict)
    evidence: PlanEvidence = PlanEvidence(0)
    excluded: Sequence[int] = ()

    def _to_c(self, keep: List[Any]) -> Any:
        policy: Any = _structs.new("otaprio_plan_breakglass_policy")
        for role, count in self.approvals.items():
            policy.approvals[int(PlanRole(role))] = count
        policy.evidence = int(self.evidence)
        excluded = _arrays.as_column("excluded", self.excluded, _U64)
        keep.append(excluded)
        policy.excluded_count = excluded.size
        policy.excluded = _arrays.optional(excluded)
        return policy


@dataclasses.dataclass
class BreakglassRequest:
    """A request (``otaprio_plan_breakglass_request``): its approvals as
    ``(role, approver id)`` pairs (an approver counts once, for the role of
    their first approval), its evidence, and the cohort ids it targets."""

    approvals: Sequence[Tuple[PlanRole, int]] = ()
    evidence: PlanEvidence = PlanEvidence(0)
    cohorts: Sequence[int] = ()

    def _to_c(self, keep: List[Any]) -> Any:
        request: Any = _structs.new("otaprio_plan_breakglass_request")
        roles = np.array([int(r) for r, _ in self.approvals], _I32)
        approvers = _arrays.as_column(
            "approver", np.array([int(a) for _, a in self.approvals],
                                 np.uint64), _U64)
        cohorts = _arrays.as_column("cohorts", self.cohorts, _U64)
        keep.extend((roles, approvers, cohorts))
        request.approval_count = roles.size
        if roles.size:
            request.approval_role = _arrays.pointer(roles)
            request.approver = _arrays.pointer(approvers)
        request.evidence = int(self.evidence)
        request.cohort_count = cohorts.size
        request.cohorts = _arrays.optional(cohorts)
        return request


@dataclasses.dataclass(frozen=True)
class BreakglassResult:
    """The verdict (``otaprio_plan_breakglass_result``) and every
    requirement not met; ``excluded`` lists the targeted cohorts the
    policy excludes, in request order."""

    approved: bool
    unmet: PlanUnmet
    missing_approvals: Dict[PlanRole, int]
    missing_evidence: PlanEvidence
    repeated_approvals: int
    excluded: Tuple[int, ...]


def check_breakglass(policy: BreakglassPolicy,
                     request: BreakglassRequest) -> BreakglassResult:
    """Checks a break-glass request against its policy
    (``otaprio_plan_breakglass_check``)."""
    keep: List[Any] = []
    c_policy = policy._to_c(keep)
    c_request = request._to_c(keep)
    result: Any = _structs.new("otaprio_plan_breakglass_result")
    capacity = len(request.cohorts)
    excluded = np.empty(capacity, _U64)
    diag = new_diag()
    check(lib.otaprio_plan_breakglass_check(
        c_policy, c_request, result, _arrays.optional(excluded), capacity,
        diag), diag)
    total = int(result.excluded_total)
    return BreakglassResult(
        bool(result.approved), PlanUnmet(result.unmet),
        {role: int(result.missing_approvals[role]) for role in PlanRole
         if role < _ROLES},
        PlanEvidence(result.missing_evidence), int(result.repeated_approvals),
        tuple(int(c) for c in excluded[:total]))
