# SPDX-License-Identifier: MIT
"""The guardrail engine (``otaprio/guardrail.h``): rule sets, the verdict
of each metric on canary-against-baseline telemetry with the strata that
drive a failure, the rollout's action, per-device counting, and the
always-valid sequential state kept as bytes between evaluations."""
from __future__ import annotations

import dataclasses
import threading
from typing import (Any, Callable, Dict, List, Optional, Sequence, Tuple,
                    Union)

import numpy as np
import numpy.typing as npt

from . import _alloc, _arrays, _structs
from ._ffi import ffi, lib, text
from .enums import (GuardAction, GuardCheck, GuardDirection, GuardGroup,
                    GuardKind, GuardMultiplicity, GuardNoData,
                    GuardReasonCode, GuardSeverity, GuardTest, GuardVerdict,
                    GuardZeroBaseline, Layer)
from .errors import check, new_diag

__all__ = ["GuardRule", "GuardOptions", "GuardSet", "GuardSequence",
           "MetricData", "GuardResult", "GuardStratum", "GuardReason",
           "GuardReport", "count_devices", "tolerance_default",
           "SEQUENCE_BYTES"]

_RULE = "otaprio_guard_rule"
_OPTIONS = "otaprio_guard_options"
_U8 = np.dtype(np.uint8)
_U64 = np.dtype(np.uint64)
_F64 = np.dtype(np.float64)

#: Bytes of a saved sequence (``OTAPRIO_GUARD_SEQUENCE_BYTES``).
SEQUENCE_BYTES: int = lib.OTAPRIO_GUARD_SEQUENCE_BYTES


def _rule(name: str, convert: Callable[[Any], Any] = float) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_RULE, name, convert))


def _option(name: str, convert: Callable[[Any], Any] = float) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_OPTIONS, name, convert))


@dataclasses.dataclass
class GuardRule:
    """One metric's rule (``otaprio_guard_rule``). ``name`` (1 to 63 bytes
    of UTF-8, unique in the set) is required; every other field defaults to
    the library's (``otaprio_guard_rule_init``). ``checks`` 0 selects the
    kind's default checks."""

    name: str
    kind: GuardKind = _rule("kind", GuardKind)
    direction: GuardDirection = _rule("direction", GuardDirection)
    severity: GuardSeverity = _rule("severity", GuardSeverity)
    checks: GuardCheck = _rule("checks", GuardCheck)
    margin: float = _rule("margin")
    ceiling: float = _rule("ceiling")
    minimum_sample: float = _rule("minimum_sample")
    window_hours: float = _rule("window_hours")
    no_data: GuardNoData = _rule("no_data", GuardNoData)
    zero_baseline: GuardZeroBaseline = _rule("zero_baseline",
                                             GuardZeroBaseline)
    require_evidence: bool = _rule("require_evidence", bool)
    sequential: bool = _rule("sequential", bool)


@dataclasses.dataclass
class GuardOptions:
    """The rollout-wide settings of a rule set (``otaprio_guard_options``);
    defaults are the library's. ``tolerance_scale`` 0 takes the layer's
    default (:func:`tolerance_default`)."""

    alpha: float = _option("alpha")
    layer: Layer = _option("layer", Layer)
    closes_active_exploit: bool = _option("closes_active_exploit", bool)
    tolerance_scale: float = _option("tolerance_scale")
    exact_limit: int = _option("exact_limit", int)
    multiplicity: GuardMultiplicity = _option("multiplicity",
                                              GuardMultiplicity)


def tolerance_default(layer: Layer, closes_active_exploit: bool = False
                      ) -> float:
    """The default factor on every margin of an update to ``layer``."""
    scale = ffi.new("double *")
    diag = new_diag()
    check(lib.otaprio_guard_tolerance_default(
        int(layer), int(closes_active_exploit), scale, diag), diag)
    return float(scale[0])


def count_devices(keys: npt.ArrayLike, failed: npt.ArrayLike,
                  final_outcome: bool = False) -> Tuple[int, int]:
    """(failed devices, devices that tried) from raw executions: one device
    key and one failure flag per attempt. A device counts once; it failed
    when any attempt failed, or, with ``final_outcome``, when its last
    attempt (in array order) did."""
    key_column = _arrays.as_column("keys", keys, _U64)
    failed_column = _arrays.as_column("failed", failed, _U8)
    if key_column.shape != failed_column.shape:
        raise ValueError("keys and failed differ in length")
    failures = ffi.new("uint64_t *")
    trials = ffi.new("uint64_t *")
    diag = new_diag()
    check(lib.otaprio_guard_count_devices(
        _arrays.pointer(key_column), _arrays.pointer(failed_column),
        int(key_column.shape[0]), int(final_outcome), ffi.NULL, failures,
        trials, diag), diag)
    return int(failures[0]), int(trials[0])


Samples = Callable[[int, GuardGroup], npt.ArrayLike]
"""``samples(row, group)``: a continuous metric's values for one stratum
and side of the comparison."""


@dataclasses.dataclass
class MetricData:
    """One metric's telemetry for one evaluation (``otaprio_guard_data``),
    one element per stratum row; columns a kind does not use stay None.

    Proportions take ``*_events`` (failed devices) and ``*_trials``
    (devices that tried); rates ``*_events`` and ``*_exposure``; continuous
    metrics ``samples`` and ``rows``. ``sequence`` judges a sequential rule
    (counts are then cumulative since the wave began).
    """

    rule: Union[int, str]
    window_start_hours: float = 0.0
    window_end_hours: float = 0.0
    canary_events: Optional[npt.ArrayLike] = None
    baseline_events: Optional[npt.ArrayLike] = None
    canary_trials: Optional[npt.ArrayLike] = None
    baseline_trials: Optional[npt.ArrayLike] = None
    canary_exposure: Optional[npt.ArrayLike] = None
    baseline_exposure: Optional[npt.ArrayLike] = None
    stratum_ids: Optional[npt.ArrayLike] = None
    samples: Optional[Samples] = None
    rows: Optional[int] = None
    sequence: Optional["GuardSequence"] = None


@dataclasses.dataclass(frozen=True)
class GuardResult:
    """One metric's outcome, whole cohort (``otaprio_guard_result``);
    values a test does not produce are NaN."""

    rule: int
    name: str
    verdict: GuardVerdict
    action: GuardAction
    reason: GuardReasonCode
    test: GuardTest
    statistic: float
    p_value: float
    log_p_value: float
    canary_value: float
    baseline_value: float
    effect: float
    effect_low: float
    effect_high: float
    limit: float
    canary_sample: float
    baseline_sample: float
    failing_strata: int


@dataclasses.dataclass(frozen=True)
class GuardStratum:
    """One stratum's outcome for a metric (``otaprio_guard_stratum``)."""

    stratum: int
    verdict: GuardVerdict
    reason: GuardReasonCode
    p_value: float
    adjusted_p_value: float
    canary_value: float
    baseline_value: float
    canary_sample: float


@dataclasses.dataclass(frozen=True)
class GuardReason:
    """One reason behind the overall action, gravest first."""

    rule: int
    action: GuardAction
    code: GuardReasonCode
    p_value: float


@dataclasses.dataclass(frozen=True)
class GuardReport:
    """An evaluation: the action, each rule's result, the reasons, and each
    rule's strata in report order (failing first)."""

    action: GuardAction
    results: Tuple[GuardResult, ...]
    reasons: Tuple[GuardReason, ...]
    strata: Tuple[Tuple[GuardStratum, ...], ...]
    #: The C report, kept for the planner's ``telemetry`` input.
    _c: Any = dataclasses.field(default=None, repr=False, compare=False)


class GuardSequence:
    """The always-valid state of one sequential rule, kept by the host
    between evaluations (``otaprio_guard_sequence``). Single-threaded: do
    not share one sequence between threads. Save it with :meth:`to_bytes`,
    read it back with :meth:`GuardSet.load_sequence`."""

    def __init__(self, handle: Any, rule: int) -> None:
        self._handle: Any = ffi.gc(handle, lib.otaprio_guard_sequence_free)
        self.rule = rule

    def to_bytes(self) -> bytes:
        """The state as :data:`SEQUENCE_BYTES` bytes: versioned,
        checksummed, the same on every platform."""
        buffer = ffi.new("unsigned char[]", SEQUENCE_BYTES)
        check(lib.otaprio_guard_sequence_save(self._handle, buffer,
                                              SEQUENCE_BYTES))
        return bytes(ffi.buffer(buffer, SEQUENCE_BYTES))

    @property
    def status(self) -> Tuple[int, float]:
        """(evaluations seen, always-valid p-value; 1 before any event)."""
        looks = ffi.new("uint64_t *")
        p_value = ffi.new("double *")
        check(lib.otaprio_guard_sequence_status(self._handle, looks, p_value))
        return int(looks[0]), float(p_value[0])


class _Metric:
    """One MetricData as C sees it, with everything its pointers use."""

    _COLUMNS = (("canary_events", _U64), ("baseline_events", _U64),
                ("canary_trials", _U64), ("baseline_trials", _U64),
                ("canary_exposure", _F64), ("baseline_exposure", _F64),
                ("stratum_ids", _U64))

    def __init__(self, rule: int, data: MetricData,
                 failures: List[BaseException]) -> None:
        self.struct: Any = _structs.new("otaprio_guard_data")
        self.struct.rule = rule
        self.struct.window_start_hours = data.window_start_hours
        self.struct.window_end_hours = data.window_end_hours
        self.arrays: List[npt.NDArray[Any]] = []
        lengths = set()
        for name, dtype in self._COLUMNS:
            value = getattr(data, name)
            if value is not None:
                array = _arrays.as_column(name, value, dtype)
                self.arrays.append(array)
                lengths.add(int(array.shape[0]))
                setattr(self.struct, name, _arrays.pointer(array))
        if data.rows is not None:
            lengths.add(data.rows)
        if len(lengths) > 1:
            raise ValueError("metric %r: columns and rows differ in length "
                             "(%s)" % (data.rule, sorted(lengths)))
        self.struct.rows = lengths.pop() if lengths else 0
        self.samples = data.samples
        self.failures = failures
        self.current: Optional[npt.NDArray[np.float64]] = None
        if data.samples is not None:
            self.callback = ffi.callback("otaprio_guard_samples_fn",
                                         self._samples)
            self.struct.samples = self.callback
        if data.sequence is not None:
            if data.sequence.rule != rule:
                raise ValueError("metric %r: its sequence belongs to rule %d"
                                 % (data.rule, data.sequence.rule))
            self.struct.sequence = data.sequence._handle

    def _samples(self, _user: Any, row: int, group: int, values: Any,
                 count: Any) -> int:
        try:
            assert self.samples is not None
            array = _arrays.as_column("samples", self.samples(
                int(row), GuardGroup(group)), _F64)
            self.current = array  # the engine copies it before calling again
            values[0] = _arrays.pointer(array) if array.size else ffi.NULL
            count[0] = int(array.shape[0])
            return 0
        except BaseException as exception:  # re-raised by evaluate()
            self.failures.append(exception)
            return 1


class GuardSet:
    """Rules checked and compiled into an immutable set
    (``otaprio_guard_set``), which any number of threads may evaluate with
    at once. Freed by :meth:`close`, a ``with`` block, or collection."""

    def __init__(self, rules: Sequence[GuardRule],
                 options: Optional[GuardOptions] = None) -> None:
        keep: List[Any] = []
        c_rules = ffi.new("otaprio_guard_rule[]", max(len(rules), 1))
        for index, rule in enumerate(rules):
            c_rules[index] = _structs.to_c(_RULE, rule, keep)[0]
        c_options = (ffi.NULL if options is None
                     else _structs.to_c(_OPTIONS, options))
        out = ffi.new("otaprio_guard_set **")
        diag = new_diag()
        check(lib.otaprio_guard_set_create(c_options, c_rules, len(rules),
                                           _alloc.current(), out, diag), diag)
        self._adopt(ffi.gc(out[0], lib.otaprio_guard_set_free), None)

    def _adopt(self, handle: Any, owner: Any) -> None:
        # ``owner``: what owns a borrowed set (a plan), kept alive with it.
        self._set: Any = handle
        self._owner = owner
        self._lock = threading.Lock()
        self.names: Tuple[str, ...] = tuple(
            text(lib.otaprio_guard_set_rule_name(self._set, i))
            for i in range(int(lib.otaprio_guard_set_rule_count(self._set))))

    @classmethod
    def _borrowed(cls, handle: Any, owner: Any) -> "GuardSet":
        self = cls.__new__(cls)
        self._adopt(handle, owner)
        return self

    def close(self) -> None:
        """Frees the C set now (a plan's wave set is only let go); it must
        not race calls still using it."""
        with self._lock:
            if self._set is not None and self._owner is None:
                ffi.release(self._set)
            self._set = None

    def __enter__(self) -> "GuardSet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.names)

    @property
    def _handle(self) -> Any:
        if self._set is None:
            raise ValueError("the guardrail set is closed")
        return self._set

    def index(self, rule: Union[int, str]) -> int:
        """A rule's index, from its index or its name
        (:class:`otaprio.NotFoundError` for an unknown name)."""
        handle = self._handle  # refuses a closed set
        if isinstance(rule, str):
            out = ffi.new("uint32_t *")
            check(lib.otaprio_guard_set_find(handle, rule.encode("utf-8"),
                                             out))
            return int(out[0])
        if not 0 <= rule < len(self.names):
            raise IndexError("rule %d of %d" % (rule, len(self.names)))
        return int(rule)

    def sequence(self, rule: Union[int, str]) -> GuardSequence:
        """A fresh always-valid state for a sequential rule."""
        index = self.index(rule)
        out = ffi.new("otaprio_guard_sequence **")
        diag = new_diag()
        check(lib.otaprio_guard_sequence_create(self._handle, index,
                                                _alloc.current(), out, diag),
              diag)
        return GuardSequence(out[0], index)

    def load_sequence(self, rule: Union[int, str],
                      data: bytes) -> GuardSequence:
        """A state saved by :meth:`GuardSequence.to_bytes`, for the same
        rule of the same set (:class:`otaprio.ParseError` for bytes that are
        no saved state, :class:`otaprio.OutOfRangeError` for another
        rule's)."""
        index = self.index(rule)
        raw = bytes(data)
        out = ffi.new("otaprio_guard_sequence **")
        diag = new_diag()
        check(lib.otaprio_guard_sequence_load(self._handle, index, raw,
                                              len(raw), _alloc.current(), out,
                                              diag),
              diag)
        return GuardSequence(out[0], index)

    def evaluate(self, data: Sequence[MetricData]) -> GuardReport:
        """Judges each rule on the data naming it (a rule without data has
        no data) and gives the rollout's action. An exception raised by a
        ``samples`` callback stops the evaluation and is re-raised
        unchanged. Sequences advance only when the call succeeds."""
        failures: List[BaseException] = []
        metrics = [_Metric(self.index(item.rule), item, failures)
                   for item in data]
        c_data = ffi.new("otaprio_guard_data[]", max(len(metrics), 1))
        for index, metric in enumerate(metrics):
            c_data[index] = metric.struct[0]
        out = ffi.new("otaprio_guard_report **")
        diag = new_diag()
        status = lib.otaprio_guard_evaluate(self._handle, c_data,
                                            len(metrics), _alloc.current(),
                                            out, diag)
        if failures:
            raise failures[0]
        check(status, diag)
        report = ffi.gc(out[0], lib.otaprio_guard_report_free)
        try:
            return dataclasses.replace(self._read(report), _c=report)
        except BaseException:
            ffi.release(report)
            raise

    def _read(self, report: Any) -> GuardReport:
        results = []
        strata = []
        for rule, name in enumerate(self.names):
            r: Any = _structs.new("otaprio_guard_result")
            check(lib.otaprio_guard_report_result(report, rule, r))
            results.append(GuardResult(
                rule, name, GuardVerdict(r.verdict), GuardAction(r.action),
                GuardReasonCode(r.reason), GuardTest(r.test),
                float(r.statistic), float(r.p_value), float(r.log_p_value),
                float(r.canary_value), float(r.baseline_value),
                float(r.effect), float(r.effect_low), float(r.effect_high),
                float(r.limit), float(r.canary_sample),
                float(r.baseline_sample), int(r.failing_strata)))
            total = ffi.new("size_t *")
            check(lib.otaprio_guard_report_strata(report, rule, ffi.NULL, 0,
                                                  total))
            items = ffi.new("otaprio_guard_stratum[]", max(int(total[0]), 1))
            for i in range(int(total[0])):
                items[i].size = ffi.sizeof("otaprio_guard_stratum")
            check(lib.otaprio_guard_report_strata(report, rule, items,
                                                  total[0], total))
            strata.append(tuple(GuardStratum(
                int(s.stratum), GuardVerdict(s.verdict),
                GuardReasonCode(s.reason), float(s.p_value),
                float(s.adjusted_p_value), float(s.canary_value),
                float(s.baseline_value), float(s.canary_sample))
                for s in (items[i] for i in range(int(total[0])))))
        reasons = []
        for index in range(int(lib.otaprio_guard_report_reason_count(report))):
            x: Any = _structs.new("otaprio_guard_reason")
            check(lib.otaprio_guard_report_reason(report, index, x))
            reasons.append(GuardReason(int(x.rule), GuardAction(x.action),
                                       GuardReasonCode(x.code),
                                       float(x.p_value)))
        action = GuardAction(lib.otaprio_guard_report_action(report))
        return GuardReport(action, tuple(results), tuple(reasons),
                           tuple(strata))
