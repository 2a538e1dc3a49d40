# SPDX-License-Identifier: MIT
"""The risk engine (``otaprio/risk.h``): a fix's defect score and tier with
its scorecard, and each device's priority, criticality, delivery risk and
disposition, over NumPy columns, a pandas DataFrame, or a stream of chunks.
"""
from __future__ import annotations

import dataclasses
import threading
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Literal,
                    Mapping, overload,
                    Optional, Tuple, Union)

import numpy as np
import numpy.typing as npt

from . import _alloc, _arrays, _structs
from ._ffi import ffi, lib, text
from .enums import (AttackPath, Disposition, Exploit, Factor, IssueClass,
                    Layer, Level, Reason, RiskModelKind, ScoreKind,
                    SsvcDecision, Tier, Workflow)
from .errors import check, new_diag

__all__ = ["Issue", "RiskPolicy", "RiskModel", "FactorPoints", "IssueScore",
           "DeviceResults", "DeviceScore", "RiskTotals", "DEVICE_COLUMNS",
           "factor_label"]

_ISSUE = "otaprio_issue"
_POLICY = "otaprio_risk_policy"


def _floats(value: Any) -> Tuple[float, ...]:
    return tuple(float(x) for x in value)


def _issue(name: str, convert: Callable[[Any], Any]) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_ISSUE, name, convert))


def _policy(name: str, convert: Callable[[Any], Any] = float) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_POLICY, name, convert))


@dataclasses.dataclass
class Issue:
    """A fix and the defect it addresses (``otaprio_issue``).

    Every field defaults to the library's "nothing known" value
    (``otaprio_issue_init``); set only what is known. Flags are ``bool``,
    shares and probabilities lie in [0, 1], ``affected_classes`` has bit
    ``c`` set for :class:`~otaprio.DeviceClass` ``c``.
    """

    issue_class: IssueClass = _issue("issue_class", IssueClass)
    security_impact: Level = _issue("security_impact", Level)
    data_loss: Level = _issue("data_loss", Level)
    uptime_loss: Level = _issue("uptime_loss", Level)
    regulatory_exposure: Level = _issue("regulatory_exposure", Level)
    attack_path: AttackPath = _issue("attack_path", AttackPath)
    exploit: Exploit = _issue("exploit", Exploit)
    automatable: bool = _issue("automatable", bool)
    has_epss: bool = _issue("has_epss", bool)
    epss: float = _issue("epss", float)
    affected_share: float = _issue("affected_share", float)
    concentration: float = _issue("concentration", float)
    workflows: Workflow = _issue("workflows", Workflow)
    affected_classes: int = _issue("affected_classes", int)
    layer: Layer = _issue("layer", Layer)
    ab_slot: bool = _issue("ab_slot", bool)
    anomaly_rate: float = _issue("anomaly_rate", float)
    anomaly_growing: bool = _issue("anomaly_growing", bool)
    masks_regression: bool = _issue("masks_regression", bool)
    package_bytes: int = _issue("package_bytes", int)


@dataclasses.dataclass
class RiskPolicy:
    """Weights, tables and thresholds of the risk engine
    (``otaprio_risk_policy``); every field defaults to the library's
    documented default (``otaprio_risk_policy_init``). Tables are tuples of
    exactly the C array's length. The library validates the whole policy
    when a :class:`RiskModel` is built from it.
    """

    model: RiskModelKind = _policy("model", RiskModelKind)
    class_points: Tuple[float, ...] = _policy("class_points", _floats)
    severity_points: Tuple[float, ...] = _policy("severity_points", _floats)
    attack_path_points: Tuple[float, ...] = _policy("attack_path_points",
                                                    _floats)
    exploit_points: Tuple[float, ...] = _policy("exploit_points", _floats)
    automatable_points: float = _policy("automatable_points")
    epss_points: float = _policy("epss_points")
    share_points: float = _policy("share_points")
    concentration_points: float = _policy("concentration_points")
    workflow_points: float = _policy("workflow_points")
    workflow_cap: float = _policy("workflow_cap")
    affected_class_points: float = _policy("affected_class_points")
    layer_points: Tuple[float, ...] = _policy("layer_points", _floats)
    ab_slot_points: float = _policy("ab_slot_points")
    anomaly_points: float = _policy("anomaly_points")
    anomaly_growing_points: float = _policy("anomaly_growing_points")
    masks_regression_points: float = _policy("masks_regression_points")
    tier_thresholds: Tuple[float, ...] = _policy("tier_thresholds", _floats)
    active_exploit_t0: bool = _policy("active_exploit_t0", bool)
    cosmetic_t3: bool = _policy("cosmetic_t3", bool)
    class_criticality: Tuple[float, ...] = _policy("class_criticality",
                                                   _floats)
    class_points_device: float = _policy("class_points_device")
    customer_points: Tuple[float, ...] = _policy("customer_points", _floats)
    exposure_points: Tuple[float, ...] = _policy("exposure_points", _floats)
    no_redundancy_points: float = _policy("no_redundancy_points")
    uptime_points: Tuple[float, ...] = _policy("uptime_points", _floats)
    defect_share: float = _policy("defect_share")
    criticality_share: float = _policy("criticality_share")
    failed_attempt_points: float = _policy("failed_attempt_points")
    failed_attempt_cap: float = _policy("failed_attempt_cap")
    repeated_failures: int = _policy("repeated_failures", int)
    battery_risk_level: float = _policy("battery_risk_level")
    battery_points: float = _policy("battery_points")
    min_battery: float = _policy("min_battery")
    link_points: Tuple[float, ...] = _policy("link_points", _floats)
    metered_points: float = _policy("metered_points")
    storage_points: float = _policy("storage_points")
    safe_fallback_points: float = _policy("safe_fallback_points")
    storage_headroom: float = _policy("storage_headroom")
    metered_max_bytes: int = _policy("metered_max_bytes", int)
    catch_up_days: int = _policy("catch_up_days", int)
    t0_overrides_window: bool = _policy("t0_overrides_window", bool)
    excluded_classes: int = _policy("excluded_classes", int)


def factor_label(factor: int, input: float) -> str:
    """The library's short English label of an explanation line."""
    return text(lib.otaprio_factor_label(factor, input))


def _factor(value: int) -> Union[Factor, int]:
    try:
        return Factor(value)
    except ValueError:  # a factor newer than these bindings
        return value


@dataclasses.dataclass(frozen=True)
class FactorPoints:
    """One line of an explanation (``otaprio_factor_points``)."""

    score: ScoreKind
    factor: Union[Factor, int]
    input: float
    milli: int

    @property
    def points(self) -> float:
        """The line's points (``milli`` / 1000)."""
        return self.milli / 1000.0

    @property
    def label(self) -> str:
        """The library's label for the line, e.g. "active exploitation"."""
        return factor_label(int(self.factor), self.input)

    def as_dict(self) -> Dict[str, Any]:
        """The line as a plain dict, for JSON or a DataFrame."""
        factor = self.factor
        return {"score": self.score.name.lower(),
                "factor": factor.name.lower() if isinstance(factor, Factor)
                else int(factor),
                "label": self.label, "input": self.input,
                "milli": self.milli, "points": self.points}


def _lines(items: Any, count: int) -> Tuple[FactorPoints, ...]:
    return tuple(FactorPoints(ScoreKind(items[i].score),
                              _factor(items[i].factor), float(items[i].input),
                              int(items[i].milli)) for i in range(count))


@dataclasses.dataclass(frozen=True)
class IssueScore:
    """A fix's defect score, tier and explanation (``otaprio_issue_score``).

    A host may build one itself to score devices against a defect score of
    its own; ``explanation`` is then empty.
    """

    tier: Tier
    ssvc: SsvcDecision
    score_milli: int
    score: float
    package_bytes: int
    explanation: Tuple[FactorPoints, ...] = ()

    def scorecard(self) -> List[Dict[str, Any]]:
        """The explanation as dicts; their ``milli`` add up to
        ``score_milli``."""
        return [line.as_dict() for line in self.explanation]

    def _to_c(self) -> Any:
        struct = _structs.new("otaprio_issue_score")
        struct.tier = int(self.tier)
        struct.ssvc = int(self.ssvc)
        struct.score_milli = self.score_milli
        struct.score = self.score
        struct.package_bytes = self.package_bytes
        return struct


#: The device columns the library reads and the dtype of each, taken from
#: ``otaprio_devices`` itself.
DEVICE_COLUMNS: Dict[str, np.dtype[Any]] = {
    name: np.dtype({"uint8_t *": np.uint8, "uint32_t *": np.uint32,
                    "uint64_t *": np.uint64, "float *": np.float32
                    }[field.type.cname])
    for name, field in ffi.typeof("otaprio_devices").fields
    if name not in ("size", "count")}


@dataclasses.dataclass(frozen=True)
class DeviceResults:
    """Per-device answers, one element per device."""

    priority: npt.NDArray[np.float64]
    disposition: npt.NDArray[np.uint8]
    reasons: npt.NDArray[np.uint32]
    criticality: npt.NDArray[np.float64]
    delivery_risk: npt.NDArray[np.float64]

    @classmethod
    def empty(cls, count: int, detail: bool = True) -> "DeviceResults":
        """Uninitialised answers for ``count`` devices, to pass as ``out``
        to :meth:`RiskModel.score_devices` again and again. Without
        ``detail``, ``criticality`` and ``delivery_risk`` are empty arrays
        (NULL to C, which then skips computing them)."""
        extra = count if detail else 0
        return cls(np.empty(count, np.float64), np.empty(count, np.uint8),
                   np.empty(count, np.uint32), np.empty(extra, np.float64),
                   np.empty(extra, np.float64))

    def _check(self, count: int) -> None:
        """Refuses answers that cannot take ``count`` devices in place."""
        dtypes = {"priority": np.float64, "disposition": np.uint8,
                  "reasons": np.uint32, "criticality": np.float64,
                  "delivery_risk": np.float64}
        detail = self.criticality.shape[0] != 0
        for name, dtype in dtypes.items():
            array = getattr(self, name)
            want = count if detail or name in ("priority", "disposition",
                                               "reasons") else 0
            if (not isinstance(array, np.ndarray) or array.ndim != 1
                    or array.dtype != dtype or array.shape[0] != want
                    or not array.flags.c_contiguous
                    or not array.flags.writeable):
                raise ValueError(
                    "out.%s must be a writeable, contiguous %s array of %d "
                    "elements" % (name, np.dtype(dtype), want))

    def _fill(self, struct: Any) -> None:
        count = self.priority.shape[0]
        for field in dataclasses.fields(self):
            array = getattr(self, field.name)
            setattr(struct, field.name, _arrays.pointer(array)
                    if array.shape[0] == count else ffi.NULL)

    def _to_c(self) -> Any:
        struct = _structs.new("otaprio_device_results")
        self._fill(struct)
        return struct


@dataclasses.dataclass(frozen=True)
class DeviceScore:
    """One device's scores and the lines that explain them."""

    priority_milli: int
    criticality_milli: int
    delivery_milli: int
    disposition: Disposition
    reasons: Reason
    explanation: Tuple[FactorPoints, ...]

    def scorecard(self) -> List[Dict[str, Any]]:
        """The explanation as dicts."""
        return [line.as_dict() for line in self.explanation]


@dataclasses.dataclass(frozen=True)
class RiskTotals:
    """Counts over every device a stream scored."""

    devices: int
    by_disposition: Dict[Disposition, int]
    by_reason: Dict[Reason, int]


Columns = Union[Mapping[str, npt.ArrayLike], Any]
"""A mapping of column name to array, or a pandas DataFrame."""


class _Chunk:
    """A device chunk as C sees it, holding the arrays its pointers use."""

    def __init__(self, columns: Columns, count: Optional[int]) -> None:
        self.arrays: Dict[str, npt.NDArray[Any]] = {}
        if hasattr(columns, "columns") and hasattr(columns, "__len__"):
            # A DataFrame: its known columns; other columns are the host's.
            names = [str(n) for n in columns.columns if n in DEVICE_COLUMNS]
            frame: Any = columns
            get: Callable[[str], Any] = lambda n: frame[n].to_numpy()
            if count is None:
                count = len(columns)
        elif isinstance(columns, Mapping):
            unknown = sorted(set(columns) - set(DEVICE_COLUMNS))
            if unknown:
                raise KeyError("unknown device columns %s; known: %s"
                               % (unknown, ", ".join(DEVICE_COLUMNS)))
            names = list(columns)
            get = columns.__getitem__
        else:
            raise TypeError("device columns are a mapping of name to array "
                            "or a pandas DataFrame, not %s"
                            % type(columns).__name__)
        for name in names:
            self.arrays[name] = _arrays.as_column(name, get(name),
                                                  DEVICE_COLUMNS[name])
        length = _arrays.shape_of(tuple(self.arrays.values()))
        if count is None:
            count = length
        elif self.arrays and count != length:
            raise ValueError("count is %d but the columns hold %d devices"
                             % (count, length))
        self.count = count

    def fill(self, struct: Any) -> None:
        struct.count = self.count
        for name, array in self.arrays.items():
            setattr(struct, name, _arrays.pointer(array))

    def to_c(self) -> Any:
        struct = _structs.new("otaprio_devices")
        self.fill(struct)
        return struct


#: Explanation lines asked for first; a longer explanation is asked again
#: with the count the library reports.
_LINES = 64


class RiskModel:
    """A compiled risk policy (``otaprio_risk_model``).

    Immutable once built: any number of threads may score with one model at
    once. Every scoring call releases the GIL while C runs. The C model is
    freed by :meth:`close`, at the end of a ``with`` block, or when the
    object is collected.
    """

    def __init__(self, policy: Optional[RiskPolicy] = None) -> None:
        c_policy = ffi.NULL if policy is None else _structs.to_c(_POLICY,
                                                                 policy)
        out = ffi.new("otaprio_risk_model **")
        diag = new_diag()
        check(lib.otaprio_risk_model_create(c_policy, _alloc.current(),
                                              out, diag),
              diag)
        self._model: Any = ffi.gc(out[0], lib.otaprio_risk_model_free)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Frees the C model now; the object is unusable afterwards."""
        with self._lock:
            if self._model is not None:
                ffi.release(self._model)
                self._model = None

    def __enter__(self) -> "RiskModel":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _handle(self) -> Any:
        if self._model is None:
            raise ValueError("the risk model is closed")
        return self._model

    def score_issue(self, issue: Issue) -> IssueScore:
        """The fix's defect score, tier and SSVC decision, with the
        explanation lines whose ``milli`` add up to the score."""
        c_issue = _structs.to_c(_ISSUE, issue)
        score = _structs.new("otaprio_issue_score")
        count = ffi.new("size_t *")
        diag = new_diag()
        model = self._handle
        capacity = _LINES
        while True:
            items = ffi.new("otaprio_factor_points[]", capacity)
            status = lib.otaprio_risk_score_issue(model, c_issue, score, items,
                                                  capacity, count, diag)
            if status == lib.OTAPRIO_E_RANGE and count[0] > capacity:
                capacity = int(count[0])
                continue
            check(status, diag)
            break
        return IssueScore(Tier(score.tier), SsvcDecision(score.ssvc),
                          int(score.score_milli), float(score.score),
                          int(score.package_bytes), _lines(items, count[0]))

    def score_devices(self, issue: IssueScore, columns: Columns,
                      count: Optional[int] = None,
                      detail: bool = True,
                      out: Optional[DeviceResults] = None) -> DeviceResults:
        """Scores a chunk of devices for a scored fix.

        ``columns`` maps names of :data:`DEVICE_COLUMNS` to 1-D arrays (a
        missing column takes the library's default for every device), or is
        a pandas DataFrame whose columns with those names are used. Arrays
        of the column's dtype, C-contiguous, are read in place; see
        :func:`otaprio._arrays.as_column` for conversions. ``count`` is
        needed only when no column is given. ``detail=False`` leaves
        ``criticality`` and ``delivery_risk`` out (empty arrays): the library
        then skips computing them, several times faster on large fleets.
        ``out`` (from :meth:`DeviceResults.empty`) receives the answers in
        place and is returned: no allocation, the way a host scores fleet
        after fleet into the same buffers; its ``criticality`` decides the
        detail, and ``detail`` is then ignored.
        """
        chunk = _Chunk(columns, count)
        if out is None:
            results = DeviceResults.empty(chunk.count, detail)
        else:
            out._check(chunk.count)
            results = out
        diag = new_diag()
        check(lib.otaprio_risk_score_devices(
            self._handle, issue._to_c(), chunk.to_c(), results._to_c(), diag),
            diag)
        return results

    def explain_device(self, issue: IssueScore, columns: Columns,
                       index: int) -> DeviceScore:
        """One device of a chunk: the same numbers as :meth:`score_devices`
        gives it, with one line per factor of each score."""
        chunk = _Chunk(columns, None)
        c_chunk = chunk.to_c()
        score = _structs.new("otaprio_device_score")
        count = ffi.new("size_t *")
        diag = new_diag()
        if index < 0:
            raise IndexError("device index %d is negative" % index)
        capacity = _LINES
        while True:
            items = ffi.new("otaprio_factor_points[]", capacity)
            status = lib.otaprio_risk_explain_device(
                self._handle, issue._to_c(), c_chunk, index, score, items,
                capacity, count, diag)
            if status == lib.OTAPRIO_E_RANGE and count[0] > capacity:
                capacity = int(count[0])
                continue
            check(status, diag)
            break
        return DeviceScore(int(score.priority_milli),
                           int(score.criticality_milli),
                           int(score.delivery_milli),
                           Disposition(score.disposition),
                           Reason(score.reasons), _lines(items, count[0]))

    @overload
    def score_stream(
            self, issue: IssueScore, chunks: Iterable[Columns],
            on_results: Optional[Callable[[int, DeviceResults], None]] = None,
            detail: bool = True, *,
            totals: Literal[True] = True) -> RiskTotals: ...

    @overload
    def score_stream(
            self, issue: IssueScore, chunks: Iterable[Columns],
            on_results: Optional[Callable[[int, DeviceResults], None]] = None,
            detail: bool = True, *, totals: Literal[False]) -> None: ...

    def score_stream(
            self, issue: IssueScore, chunks: Iterable[Columns],
            on_results: Optional[Callable[[int, DeviceResults], None]] = None,
            detail: bool = True, *,
            totals: bool = True) -> Optional[RiskTotals]:
        """Scores devices chunk by chunk through ``otaprio_risk_score_stream``,
        in memory bounded by a chunk.

        ``chunks`` yields column mappings or DataFrames, as
        :meth:`score_devices` takes them. ``on_results(i, results)`` receives
        the answers of chunk ``i`` once the library has scored it, in arrays
        of its own; without ``on_results`` the chunks' answers go to one
        set of buffers, reused from chunk to chunk. An
        exception raised by the iterator or by ``on_results`` stops the C
        call and is re-raised here unchanged; an invalid chunk raises the
        library's error, whose ``index`` is within that chunk.
        ``detail`` is as for :meth:`score_devices`. With ``totals=False``
        the counts over the stream are not kept and None is returned:
        counting them costs a pass over every chunk's answers, which the
        library then skips.
        """
        state = _Stream(iter(chunks), on_results, detail)
        callback = ffi.callback("otaprio_device_source_fn", state.next)
        sums: Any = _structs.new("otaprio_risk_totals") if totals else ffi.NULL
        diag = new_diag()
        status = lib.otaprio_risk_score_stream(
            self._handle, issue._to_c(), callback, ffi.NULL, sums, diag)
        if state.exception is not None:
            exception, state.exception = state.exception, None
            raise exception
        check(status, diag)
        state.deliver()
        if state.exception is not None:
            exception, state.exception = state.exception, None
            raise exception
        if not totals:
            return None
        return RiskTotals(
            int(sums.devices),
            {d: int(sums.by_disposition[d]) for d in Disposition},
            {r: int(sums.by_reason[r.bit_length() - 1]) for r in Reason})


_STOPPED = 1  # the callback's own status: positive, so never a library code


class _Stream:
    """The source callback of a stream: pulls chunks from the iterator and
    keeps each chunk's arrays alive until the library has scored it."""

    def __init__(self, chunks: Iterator[Columns],
                 on_results: Optional[Callable[[int, DeviceResults], None]],
                 detail: bool = True) -> None:
        self.chunks = chunks
        self.detail = detail
        self.on_results = on_results
        self.index = -1
        self.current: Optional[Tuple[_Chunk, DeviceResults]] = None
        self.exception: Optional[BaseException] = None
        # Answers nobody reads need no arrays of their own: one set, grown
        # to the largest chunk, serves every chunk.
        self.scratch: Optional[DeviceResults] = None

    def answers(self, count: int) -> DeviceResults:
        """Arrays for the answers of a chunk of ``count`` devices."""
        if self.on_results is not None:
            return DeviceResults.empty(count, self.detail)
        if self.scratch is None or self.scratch.priority.shape[0] < count:
            self.scratch = DeviceResults.empty(count, self.detail)
        return self.scratch

    def deliver(self) -> None:
        """Hands the previous chunk's answers to ``on_results``."""
        if self.current is not None and self.on_results is not None:
            try:
                self.on_results(self.index, self.current[1])
            except BaseException as exception:  # re-raised by score_stream
                self.exception = exception
        self.current = None

    def next(self, _user: Any, devices: Any, results: Any) -> int:
        try:
            self.deliver()
            if self.exception is not None:
                return _STOPPED
            for columns in self.chunks:
                chunk = _Chunk(columns, None)
                if chunk.count > 0:  # to C, an empty chunk ends the stream
                    break
            else:
                return 0
            answers = self.answers(chunk.count)
            chunk.fill(devices)
            answers._fill(results)
            self.index += 1
            self.current = (chunk, answers)
            return 0
        except BaseException as exception:  # re-raised by score_stream
            self.exception = exception
            return _STOPPED


