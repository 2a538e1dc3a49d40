# SPDX-License-Identifier: MIT
"""The runbook planner (``otaprio/plan.h``): :func:`create_plan` from a
fix and a fleet to the rollout's waves, soaks and the way back; and canary
sizes from statistical power (:func:`canary_size`).

Every input of the request is bound: the catalog and the package that
delivers the fix, flaw tracing, guardrail rules and options, a telemetry
report, break-glass policy and request; and every output: the summary,
waves, warnings, explanation, dependency chains, each wave's guardrail set
and the plan's cohort.
"""
from __future__ import annotations

import dataclasses
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping,
                    Optional, Sequence, Tuple, Union)

import numpy as np
import numpy.typing as npt

from . import _alloc, _arrays, _structs
from ._ffi import ffi, lib
from .enums import (Disposition, PlanDelayed, PlanMetric, PlanNote, PlanPass,
                    PlanStage, PlanWarningCode, Reason, RollbackStep,
                    RollbackTier, RollbackWeakness, SsvcDecision, Tier)
from .errors import check, new_diag
from .risk import (DEVICE_COLUMNS, FactorPoints, Issue, RiskModel, _Chunk,
                   _lines)
from .breakglass import BreakglassPolicy, BreakglassRequest
from .catalog import DEVICE_STATE_COLUMNS, Catalog, _DeviceState
from .cohort import Cohort, CohortSpec
from .enums import PlanPathStatus
from .guard import GuardOptions, GuardReport, GuardRule, GuardSet
from .rollback import RollbackInput

__all__ = ["PowerSpec", "canary_size", "create_plan", "Plan", "PlanSummary",
           "PlanWave", "PlanWarning", "PlanAssignment", "PlanChain",
           "PLAN_NONE"]

_POWER = "otaprio_plan_power"


def _power(name: str, convert: Callable[[Any], Any] = float) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_POWER, name, convert))


@dataclasses.dataclass
class PowerSpec:
    """What a canary must detect, and how surely (``otaprio_plan_power``).

    Defaults are the library's (``otaprio_plan_power_init``): a failure
    proportion, one-sided alpha 0.05, power 0.8, a baseline known without
    error (``baseline_size`` infinite). ``baseline`` (a proportion in (0, 1)
    or a rate above 0) and ``rise`` (relative, 0.5 for +50%) have no
    default: leaving them 0 is an :class:`otaprio.OutOfRangeError`.
    """

    metric: PlanMetric = _power("metric", PlanMetric)
    baseline: float = _power("baseline")
    rise: float = _power("rise")
    alpha: float = _power("alpha")
    power: float = _power("power")
    baseline_size: float = _power("baseline_size")
    exact: bool = _power("exact", bool)


def canary_size(spec: PowerSpec) -> float:
    """The smallest canary that detects ``spec.rise`` over the baseline
    with ``spec.power``: whole devices for a proportion, an exposure (not
    rounded) for a rate. Raises :class:`otaprio.LimitError` when no canary
    suffices or the size would pass 2**53."""
    c_spec = _structs.to_c(_POWER, spec)
    canary = ffi.new("double *")
    diag = new_diag()
    check(lib.otaprio_plan_canary_size(c_spec, canary, diag), diag)
    return float(canary[0])


#: Wave of a device no wave takes (``OTAPRIO_PLAN_NONE``).
PLAN_NONE: int = lib.OTAPRIO_PLAN_NONE

_U32_MAX = 0xFFFFFFFF
_U8 = np.dtype(np.uint8)
_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)


@dataclasses.dataclass(frozen=True)
class PlanSummary:
    """A plan's headline (``otaprio_plan_summary``); ``breakglass_unmet``
    holds ``otaprio_plan_breakglass_unmet`` bits."""

    tier: Tier
    tier_before: Tier
    score: float
    score_milli: int
    ssvc: SsvcDecision
    affected_share: float
    notes: PlanNote
    devices: int
    affected: int
    by_disposition: Dict[Disposition, int]
    by_reason: Dict[Reason, int]
    critical: int
    planned: int
    hours_to_broad: float
    rollback_tier: RollbackTier
    rollback_weak_causes: RollbackWeakness
    breakglass_requested: bool
    breakglass_approved: bool
    breakglass_unmet: int


@dataclasses.dataclass(frozen=True)
class PlanWave:
    """One wave of a plan (``otaprio_plan_wave``). ``cohort_wave`` is None
    for a ring stage; ``tvd`` and the coverages are NaN there."""

    stage: PlanStage
    cohort_wave: Optional[int]
    fraction: float
    devices: int
    cumulative: int
    soak_hours: float
    maintenance_window: bool
    tolerance_scale: float
    tvd: float
    strata_coverage: float
    mass_coverage: float
    chains_uncovered: int
    clusters_uncovered: int
    rollback_tier: RollbackTier
    rollback_steps: RollbackStep
    rollback_confidence: float


@dataclasses.dataclass(frozen=True)
class PlanWarning:
    """One warning (``otaprio_plan_warning``); ``wave`` is None when it
    concerns no single wave."""

    code: PlanWarningCode
    wave: Optional[int]
    subject: int
    devices: int


@dataclasses.dataclass(frozen=True)
class PlanAssignment:
    """The per-device outputs of one chunk of the assignment pass: each
    device's wave (:data:`PLAN_NONE` for none), disposition, reason bits and
    priority."""

    wave: npt.NDArray[np.uint8]
    disposition: npt.NDArray[np.uint8]
    reasons: npt.NDArray[np.uint32]
    priority: npt.NDArray[np.float64]


@dataclasses.dataclass(frozen=True)
class PlanChain:
    """One dependency chain among the affected devices
    (``otaprio_plan_chain``): devices, how many a missing prerequisite
    blocks, how many are planned, the first wave with one of them (None for
    none), the key of an example device, and the prerequisite path."""

    devices: int
    blocked: int
    planned: int
    first_wave: Optional[int]
    example_key: int
    path_status: PlanPathStatus
    path: Tuple[int, ...]
    path_bytes: int


@dataclasses.dataclass(frozen=True)
class Plan:
    """A plan, read out of the C plan; the C plan itself is kept (and freed
    with this object) for :meth:`wave_guards` and :meth:`cohort`."""

    summary: PlanSummary
    waves: Tuple[PlanWave, ...]
    warnings: Tuple[PlanWarning, ...]
    explanation: Tuple[FactorPoints, ...]
    chains: Tuple[PlanChain, ...] = ()
    _c: Any = dataclasses.field(default=None, repr=False, compare=False)
    _spec: Optional[CohortSpec] = dataclasses.field(
        default=None, repr=False, compare=False)

    def scorecard(self) -> List[Dict[str, Any]]:
        """The explanation of the planned tier as dicts."""
        return [line.as_dict() for line in self.explanation]

    def wave_guards(self, wave: int) -> Optional[GuardSet]:
        """The guardrails that gate a wave (the request's rules, windows at
        least the wave's soak, tolerance tightened when rollback is weak),
        or None for a plan made without rules. Valid as long as the plan
        (it keeps the plan alive)."""
        if not 0 <= wave < len(self.waves):
            raise IndexError("wave %d of %d" % (wave, len(self.waves)))
        handle = lib.otaprio_plan_wave_guards(self._c, wave)
        return None if handle == ffi.NULL else GuardSet._borrowed(handle,
                                                                 self)

    def cohort(self) -> Cohort:
        """The cohort behind the canary and broad waves: list a wave's
        devices, or assign later chunks (same strata columns as the
        plan)."""
        handle = lib.otaprio_plan_cohort(self._c)
        assert self._spec is not None
        cohort = Cohort(handle, self._spec)
        # The spec the planner used: its strata and salt, the cohort's own
        # wave fractions.
        cohort.spec = dataclasses.replace(
            self._spec, waves=[w.fraction for w in cohort.waves])
        cohort._owner = self  # type: ignore[attr-defined]
        return cohort


Columns = Union[Mapping[str, npt.ArrayLike], Any]
Fleet = Union[Callable[[], Iterable[Columns]], Iterable[Columns]]
_FLEET_COLUMNS = ("keys", "ring", "cluster")


class _PlanChunk:
    """One chunk as the planner sees it, holding every array and struct
    its pointers use until the planner asks for the next chunk."""

    def __init__(self, columns: Columns, strata: Sequence[str],
                 outputs: bool) -> None:
        is_frame = hasattr(columns, "columns") and hasattr(columns, "__len__")
        if not is_frame and not isinstance(columns, Mapping):
            raise TypeError("a fleet chunk is a mapping of name to array or "
                            "a pandas DataFrame, not %s"
                            % type(columns).__name__)
        frame: Any = columns
        names = [str(n) for n in (frame.columns if is_frame else frame)]

        def get(name: str) -> Any:
            return frame[name].to_numpy() if is_frame else frame[name]

        version_names = [n for n in names if n.startswith("version_")]
        if not is_frame:
            unknown = sorted(set(names) - set(DEVICE_COLUMNS) -
                             set(_FLEET_COLUMNS) - set(strata) -
                             set(DEVICE_STATE_COLUMNS) - {"versions"} -
                             set(version_names))
            if unknown:
                raise KeyError("unknown fleet columns %s" % unknown)
        if "keys" not in names:
            raise KeyError("a fleet chunk needs its device 'keys' (uint64)")
        self.keys = _arrays.as_column("keys", get("keys"), _U64)
        self.count = int(self.keys.shape[0])
        self.ring = (_arrays.as_column("ring", get("ring"), _U8)
                     if "ring" in names else None)
        self.cluster = (_arrays.as_column("cluster", get("cluster"), _U32)
                        if "cluster" in names else None)
        missing = [name for name in strata if name not in names]
        if missing:
            raise KeyError("the chunk lacks the strata columns %s" % missing)
        self.codes = [_arrays.as_column(name, get(name), _U32)
                      for name in strata]
        device_columns = {name: get(name) for name in names
                          if name in DEVICE_COLUMNS}
        self.devices = _Chunk(device_columns, self.count)
        # The catalog's view: installed versions ("versions", a sequence
        # of columns, or columns "version_0", "version_1", ...) and the
        # predicate columns.
        if "versions" in names and not is_frame:
            versions = list(frame["versions"])
        else:
            versions = [get("version_%d" % c)
                        for c in range(len(version_names))]
        predicates = {name: get(name) for name in names
                      if name in DEVICE_STATE_COLUMNS}
        self.state = (_DeviceState(versions, predicates)
                      if versions or predicates else None)
        if self.state is not None and self.state.count != self.count:
            raise ValueError("the catalog columns hold %d devices, not %d"
                             % (self.state.count, self.count))
        arrays = [self.keys] + self.codes + [
            a for a in (self.ring, self.cluster) if a is not None]
        if _arrays.shape_of(tuple(arrays)) != self.count:
            raise ValueError("fleet columns differ in length")
        self._devices: Any = None  # the C structs fill() points the chunk at
        self._codes: Any = None
        self.outputs = (PlanAssignment(
            np.empty(self.count, _U8), np.empty(self.count, _U8),
            np.empty(self.count, _U32), np.empty(self.count, np.float64))
            if outputs else None)

    def fill(self, chunk: Any) -> None:
        chunk.count = self.count
        chunk.keys = _arrays.pointer(self.keys)
        self._devices = self.devices.to_c()
        chunk.devices = self._devices
        if self.state is not None:
            chunk.state = self.state.struct
        if self.codes:
            self._codes = ffi.new("uint32_t *[]",
                                  [_arrays.pointer(c) for c in self.codes])
            chunk.codes = self._codes
        if self.ring is not None:
            chunk.ring = _arrays.pointer(self.ring)
        if self.cluster is not None:
            chunk.cluster = _arrays.pointer(self.cluster)
        if self.outputs is not None:
            for field in dataclasses.fields(self.outputs):
                setattr(chunk, field.name,
                        _arrays.pointer(getattr(self.outputs, field.name)))


_STOPPED = 1  # the source's own status: positive, never a library code


class _Source:
    """The planner's source callback: a fresh iteration of the fleet per
    pass, each chunk kept alive until the next call."""

    def __init__(self, fleet: Fleet, strata: Sequence[str],
                 on_assign: Optional[Callable[[int, PlanAssignment], None]]
                 ) -> None:
        if callable(fleet):
            self.start: Callable[[], Iterable[Columns]] = fleet
        else:
            if iter(fleet) is fleet:
                raise TypeError(
                    "the planner reads the fleet once per pass: give a list "
                    "of chunks or a function returning a fresh iterable, "
                    "not a one-shot iterator")
            iterable = fleet
            self.start = lambda: iterable
        self.strata = list(strata)
        self.on_assign = on_assign
        self.iterator: Optional[Iterator[Columns]] = None
        self.current: Optional[Tuple[int, _PlanChunk]] = None
        self.exception: Optional[BaseException] = None

    def deliver(self) -> None:
        if self.current is not None:
            first, chunk = self.current
            self.current = None
            if chunk.outputs is not None and self.on_assign is not None:
                self.on_assign(first, chunk.outputs)

    def next(self, _user: Any, pass_: int, first: int, chunk: Any) -> int:
        try:
            self.deliver()
            if self.iterator is None:
                self.iterator = iter(self.start())
            assign = pass_ == PlanPass.ASSIGN
            for columns in self.iterator:
                holder = _PlanChunk(columns, self.strata, assign)
                if holder.count > 0:  # to C, an empty chunk ends the pass
                    break
            else:
                self.iterator = None
                return 0
            holder.fill(chunk)
            self.current = (int(first), holder)
            return 0
        except BaseException as exception:  # re-raised by create_plan
            self.exception = exception
            return _STOPPED


def create_plan(
        issue: Issue, fleet: Fleet, *, model: Optional[RiskModel] = None,
        salt: int = 0, strata: Sequence[str] = (),
        cardinalities: Sequence[int] = (),
        critical_level: Optional[float] = None,
        delayed: PlanDelayed = PlanDelayed(0),
        power: Optional[PowerSpec] = None,
        rollback: Optional[RollbackInput] = None,
        on_assign: Optional[Callable[[int, PlanAssignment], None]] = None,
        catalog: Optional[Catalog] = None, package: int = 0,
        flaw: Optional[Tuple[int, str]] = None,
        rules: Sequence[GuardRule] = (),
        guard_options: Optional[GuardOptions] = None,
        telemetry: Optional[GuardReport] = None,
        breakglass_policy: Optional[BreakglassPolicy] = None,
        breakglass: Optional[BreakglassRequest] = None
) -> Plan:
    """Plans the rollout of a fix over a fleet (``otaprio_plan_create``).

    ``fleet`` gives the fleet chunk by chunk, once per pass of the planner:
    a list (or other re-iterable) of chunks, or a function returning a fresh
    iterable of chunks. A chunk maps names to 1-D arrays (or is a pandas
    DataFrame): ``keys`` (uint64 device keys, unique in the fleet,
    required), ``ring`` (0 dogfood, 1 employee, 2 customer; default
    customer), ``cluster`` (uint32 shared-fate cluster ids), the columns
    named in ``strata`` (uint32 codes below ``cardinalities``), and any of
    the risk engine's :data:`otaprio.DEVICE_COLUMNS`.

    ``on_assign(first, outputs)`` receives, for each chunk of the last pass,
    the index in the fleet of its first device and its per-device
    :class:`PlanAssignment`. An exception raised by the fleet or by
    ``on_assign`` stops the planner and is re-raised unchanged.

    ``model`` is the scorecard (default policy when None); ``power`` sizes
    the first customer canary by statistical power; ``critical_level``
    (points) holds more critical devices back to the broad wave (library
    default 50); ``rollback`` says what a failure could touch and the levers
    there are (its spread fields are set per wave; None takes the cautious
    defaults at the issue's layer).

    With a ``catalog``, ``package`` is the package delivering the fix: a
    chunk then also takes ``versions`` (one uint32 column per component,
    see :meth:`otaprio.Catalog.check_devices`) and the catalog's predicate
    columns; blocked devices get update paths and :attr:`Plan.chains` the
    dependency chains. ``flaw=(component, constraint)`` traces the flaw
    through the catalog: the devices that inherit it are the affected ones.
    ``rules`` (and ``guard_options``) gate each wave
    (:meth:`Plan.wave_guards`); ``telemetry`` is a
    :meth:`otaprio.GuardSet.evaluate` report on the defect's telemetry; a
    ``breakglass`` request is checked against ``breakglass_policy``.
    """
    if len(strata) != len(cardinalities):
        raise ValueError("strata names %d columns but cardinalities gives %d"
                         % (len(strata), len(cardinalities)))
    source = _Source(fleet, strata, on_assign)
    callback = ffi.callback("otaprio_plan_source_fn", source.next)
    request: Any = _structs.new("otaprio_plan_request")
    c_issue = _structs.to_c("otaprio_issue", issue)
    request.issue = c_issue
    request.risk_model = ffi.NULL if model is None else model._handle
    request.source = callback
    request.salt = salt
    c_cardinalities = ffi.new("uint32_t[]", [int(c) for c in cardinalities])
    request.dimension_count = len(cardinalities)
    request.cardinalities = c_cardinalities if cardinalities else ffi.NULL
    if critical_level is not None:
        request.critical_level = critical_level
    request.delayed = int(delayed)
    c_power = ffi.NULL if power is None else _structs.to_c(_POWER, power)
    request.power = c_power
    c_rollback = ffi.NULL if rollback is None else rollback._to_c()
    request.rollback = c_rollback
    keep: List[Any] = []
    if catalog is not None:
        request.catalog = catalog._handle
        request.package = package
    if flaw is not None:
        if catalog is None:
            raise ValueError("flaw tracing needs a catalog")
        text = flaw[1].encode("utf-8")
        c_text = ffi.new("char[]", text)
        keep.append(c_text)
        request.trace_flaw = 1
        request.flaw_component = flaw[0]
        request.flaw_constraint = c_text
        request.flaw_constraint_length = len(text)
    if rules:
        c_rules = ffi.new("otaprio_guard_rule[]", len(rules))
        for index, rule in enumerate(rules):
            c_rules[index] = _structs.to_c("otaprio_guard_rule", rule,
                                           keep)[0]
        keep.append(c_rules)
        request.rules = c_rules
        request.rule_count = len(rules)
    if guard_options is not None:
        c_options = _structs.to_c("otaprio_guard_options", guard_options)
        keep.append(c_options)
        request.guard_options = c_options
    if telemetry is not None:
        if telemetry._c is None:
            raise ValueError("telemetry must be a report from "
                             "GuardSet.evaluate")
        request.telemetry = telemetry._c
    # Every struct the request points to stays referenced in ``keep``:
    # a struct field does not keep its cffi owner alive.
    if breakglass_policy is not None:
        keep.append(breakglass_policy._to_c(keep))
        request.breakglass_policy = keep[-1]
    if breakglass is not None:
        keep.append(breakglass._to_c(keep))
        request.breakglass = keep[-1]
    out = ffi.new("otaprio_plan **")
    diag = new_diag()
    status = lib.otaprio_plan_create(request, _alloc.current(), out,
                                      diag)
    if source.exception is not None:
        exception, source.exception = source.exception, None
        raise exception
    check(status, diag)
    plan = ffi.gc(out[0], lib.otaprio_plan_free)
    try:
        source.deliver()
        result = _read(plan)
    except BaseException:
        ffi.release(plan)
        raise
    spec = CohortSpec(waves=[1.0], strata=list(strata),
                      cardinalities=list(cardinalities), salt=salt)
    return dataclasses.replace(result, _c=plan, _spec=spec)


def _read(plan: Any) -> Plan:
    diag = new_diag()
    c: Any = _structs.new("otaprio_plan_summary")
    check(lib.otaprio_plan_get_summary(plan, c, diag), diag)
    summary = PlanSummary(
        Tier(c.tier), Tier(c.tier_before), float(c.score),
        int(c.score_milli), SsvcDecision(c.ssvc), float(c.affected_share),
        PlanNote(c.notes), int(c.devices), int(c.affected),
        {d: int(c.by_disposition[d]) for d in Disposition},
        {r: int(c.by_reason[r.bit_length() - 1]) for r in Reason},
        int(c.critical), int(c.planned), float(c.hours_to_broad),
        RollbackTier(c.rollback_tier),
        RollbackWeakness(c.rollback_weak_causes),
        bool(c.breakglass_requested), bool(c.breakglass_approved),
        int(c.breakglass_unmet))
    waves = []
    for index in range(int(lib.otaprio_plan_wave_count(plan))):
        w: Any = _structs.new("otaprio_plan_wave")
        check(lib.otaprio_plan_get_wave(plan, index, w, diag), diag)
        waves.append(PlanWave(
            PlanStage(w.stage),
            None if w.cohort_wave == _U32_MAX else int(w.cohort_wave),
            float(w.fraction), int(w.devices), int(w.cumulative),
            float(w.soak_hours), bool(w.maintenance_window),
            float(w.tolerance_scale), float(w.tvd), float(w.strata_coverage),
            float(w.mass_coverage), int(w.chains_uncovered),
            int(w.clusters_uncovered), RollbackTier(w.rollback_tier),
            RollbackStep(w.rollback_steps), float(w.rollback_confidence)))
    warnings = []
    for index in range(int(lib.otaprio_plan_warning_count(plan))):
        x: Any = _structs.new("otaprio_plan_warning")
        check(lib.otaprio_plan_get_warning(plan, index, x, diag), diag)
        warnings.append(PlanWarning(
            PlanWarningCode(x.code),
            None if x.wave == PLAN_NONE else int(x.wave), int(x.subject),
            int(x.devices)))
    count = ffi.new("size_t *")
    check(lib.otaprio_plan_explanation(plan, ffi.NULL, 0, count, diag), diag)
    items = ffi.new("otaprio_factor_points[]", max(int(count[0]), 1))
    check(lib.otaprio_plan_explanation(plan, items, count[0], count, diag),
          diag)
    chains = []
    for index in range(int(lib.otaprio_plan_chain_count(plan))):
        h: Any = _structs.new("otaprio_plan_chain")
        check(lib.otaprio_plan_get_chain(plan, index, h, diag), diag)
        chains.append(PlanChain(
            int(h.devices), int(h.blocked), int(h.planned),
            None if h.first_wave == PLAN_NONE else int(h.first_wave),
            int(h.example_key), PlanPathStatus(h.path_status),
            tuple(int(h.path[i]) for i in range(int(h.path_length))),
            int(h.path_bytes)))
    return Plan(summary, tuple(waves), tuple(warnings),
                _lines(items, int(count[0])), tuple(chains))
