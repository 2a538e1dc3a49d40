# SPDX-License-Identifier: MIT
"""The cohort engine (``otaprio/cohort.h``): deterministic, stratified,
nested canary waves chosen from a fleet streamed chunk by chunk, samplers
of shards saved as bytes and merged exactly, and how representative each
wave is of the fleet.

Tallies score cohorts chosen elsewhere. Not bound: the research interface
(``otaprio_cohort_algorithm``, ``otaprio_cohort_evaluate``), out of scope
for Python.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, \
    Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _alloc, _arrays, _structs
from ._ffi import ffi, lib
from .enums import CohortMethod
from .errors import check, new_diag

__all__ = ["CohortSpec", "Sampler", "Cohort", "CohortWave", "CHUNK_COLUMNS",
           "Representativeness", "CohortDevices", "CohortStrata",
           "COHORT_NONE", "Tally"]

_SPEC = "otaprio_cohort_spec"
_U8 = np.dtype(np.uint8)
_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)
_F32 = np.dtype(np.float32)

#: Wave of a device no wave selects (``OTAPRIO_COHORT_NONE``).
COHORT_NONE: int = lib.OTAPRIO_COHORT_NONE

#: The chunk columns besides the keys and the strata, with their dtypes,
#: taken from ``otaprio_cohort_chunk`` itself.
CHUNK_COLUMNS: Dict[str, np.dtype[Any]] = {
    name: np.dtype({"uint8_t *": np.uint8, "uint32_t *": np.uint32,
                    "float *": np.float32}[field.type.cname])
    for name, field in ffi.typeof("otaprio_cohort_chunk").fields
    if name not in ("size", "count", "keys", "codes")}


def _spec(name: str, convert: Callable[[Any], Any]) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_SPEC, name, convert))


@dataclasses.dataclass
class CohortSpec:
    """A rollout (``otaprio_cohort_spec``): the wave schedule, the strata,
    the allocation, exclusions and caps. Defaults are the library's.

    ``waves`` are cumulative fractions, strictly increasing, in (0, 1]: the
    waves below 1 are canary waves. ``strata`` names the chunk columns that
    hold each dimension's codes, ``cardinalities`` their number of codes.
    ``stratum_sd`` (Neyman only) has one standard deviation per stratum id;
    ``caps`` one cap per code of dimension ``cap_dimension``.
    """

    waves: Sequence[float]
    strata: Sequence[str] = ()
    cardinalities: Sequence[int] = ()
    salt: int = _spec("salt", int)
    method: CohortMethod = _spec("method", CohortMethod)
    minimum_per_stratum: int = _spec("minimum_per_stratum", int)
    stratum_sd: Optional[npt.ArrayLike] = None
    retain_fraction: float = _spec("retain_fraction", float)
    critical_first_wave: int = _spec("critical_first_wave", int)
    minimum_battery: float = _spec("minimum_battery", float)
    exclude_metered: bool = _spec("exclude_metered", bool)
    excluded_clusters: Sequence[int] = ()
    cap_dimension: int = _spec("cap_dimension", int)
    caps: Optional[Sequence[int]] = None

    def _to_c(self, keep: List[Any]) -> Any:
        if len(self.strata) != len(self.cardinalities):
            raise ValueError("strata names %d columns but cardinalities "
                             "gives %d" % (len(self.strata),
                                           len(self.cardinalities)))
        spec: Any = _structs.new(_SPEC)
        spec.salt = self.salt
        spec.method = int(self.method)
        spec.minimum_per_stratum = self.minimum_per_stratum
        spec.retain_fraction = self.retain_fraction
        spec.critical_first_wave = self.critical_first_wave
        spec.minimum_battery = self.minimum_battery
        spec.exclude_metered = int(self.exclude_metered)
        spec.cap_dimension = self.cap_dimension

        def array(ctype: str, values: Any) -> Any:
            data = ffi.new(ctype + "[]", [v for v in values])
            keep.append(data)
            return data

        spec.waves = array("double", [float(w) for w in self.waves])
        spec.wave_count = len(self.waves)
        spec.cardinalities = array("uint32_t",
                                   [int(c) for c in self.cardinalities])
        spec.dimension_count = len(self.cardinalities)
        if self.stratum_sd is not None:
            sd = np.ascontiguousarray(self.stratum_sd, np.float64)
            keep.append(sd)
            spec.stratum_sd = _arrays.pointer(sd)
            spec.stratum_sd_count = int(sd.shape[0])
        if self.excluded_clusters:
            spec.excluded_clusters = array(
                "uint32_t", [int(c) for c in self.excluded_clusters])
            spec.excluded_cluster_count = len(self.excluded_clusters)
        if self.caps is not None:
            spec.caps = array("uint64_t", [int(c) for c in self.caps])
        return spec


Columns = Union[Mapping[str, npt.ArrayLike], Any]
"""A chunk: a mapping of column name to array, or a pandas DataFrame."""


class _Chunk:
    """A chunk as C sees it, holding every array its pointers use."""

    def __init__(self, columns: Columns, strata: Sequence[str]) -> None:
        frame: Any = columns
        is_frame = hasattr(frame, "columns") and hasattr(frame, "__len__")
        if not is_frame and not isinstance(frame, Mapping):
            raise TypeError("a cohort chunk is a mapping of name to array "
                            "or a pandas DataFrame, not %s"
                            % type(columns).__name__)
        names = [str(n) for n in (frame.columns if is_frame else frame)]

        def get(name: str) -> Any:
            return frame[name].to_numpy() if is_frame else frame[name]

        if not is_frame:
            unknown = sorted(set(names) - set(CHUNK_COLUMNS) - {"keys"} -
                             set(strata))
            if unknown:
                raise KeyError("unknown cohort columns %s" % unknown)
        if "keys" not in names:
            raise KeyError("a cohort chunk needs its device 'keys' (uint64)")
        missing = [name for name in strata if name not in names]
        if missing:
            raise KeyError("the chunk lacks the strata columns %s" % missing)
        self.keys = _arrays.as_column("keys", get("keys"), _U64)
        self.codes = [_arrays.as_column(n, get(n), _U32) for n in strata]
        self.columns = {n: _arrays.as_column(n, get(n), CHUNK_COLUMNS[n])
                        for n in names if n in CHUNK_COLUMNS}
        self.count = _arrays.shape_of(
            (self.keys,) + tuple(self.codes) + tuple(self.columns.values()))
        self.struct: Any = _structs.new("otaprio_cohort_chunk")
        self.struct.count = self.count
        self.struct.keys = _arrays.pointer(self.keys)
        if self.codes:
            self._codes = ffi.new("uint32_t *[]",
                                  [_arrays.pointer(c) for c in self.codes])
            self.struct.codes = self._codes
        for name, array in self.columns.items():
            setattr(self.struct, name, _arrays.pointer(array))


class Sampler:
    """The streaming state of one pass, or one shard, over a fleet
    (``otaprio_cohort_sampler``). Single-threaded. Memory is bounded by the
    strata and their quotas, never by the fleet."""

    def __init__(self, spec: CohortSpec) -> None:
        self.spec = spec
        keep: List[Any] = []
        out = ffi.new("otaprio_cohort_sampler **")
        diag = new_diag()
        check(lib.otaprio_cohort_sampler_create(spec._to_c(keep),
                                                _alloc.current(), out, diag),
              diag)
        self._handle: Any = ffi.gc(out[0], lib.otaprio_cohort_sampler_free)

    def observe(self, chunk: Columns) -> None:
        """Adds a chunk: ``keys`` (uint64, unique in the fleet), the strata
        columns (uint32 codes) and any of :data:`CHUNK_COLUMNS`. On error
        the sampler is as it was."""
        c_chunk = _Chunk(chunk, self.spec.strata)
        diag = new_diag()
        check(lib.otaprio_cohort_sampler_observe(self._handle, c_chunk.struct,
                                                 diag), diag)

    def merge(self, other: Union["Sampler", bytes]) -> None:
        """Folds another shard of the same rollout into this one: a
        :class:`Sampler` or its :meth:`to_bytes`. The result is exactly the
        state of one pass over both shards' devices."""
        diag = new_diag()
        if isinstance(other, Sampler):
            check(lib.otaprio_cohort_sampler_merge(self._handle,
                                                   other._handle, diag), diag)
        else:
            raw = bytes(other)
            check(lib.otaprio_cohort_sampler_merge_serialized(
                self._handle, raw, len(raw), diag), diag)

    def to_bytes(self) -> bytes:
        """The state as bytes (versioned, fingerprinted with the rollout,
        checksummed; the same state gives the same bytes)."""
        length = ffi.new("size_t *")
        diag = new_diag()
        check(lib.otaprio_cohort_sampler_serialize(self._handle, ffi.NULL, 0,
                                                   length, diag), diag)
        buffer = ffi.new("unsigned char[]", max(int(length[0]), 1))
        check(lib.otaprio_cohort_sampler_serialize(
            self._handle, buffer, length[0], length, diag), diag)
        return bytes(ffi.buffer(buffer, int(length[0])))

    def finish(self) -> "Cohort":
        """The waves chosen from every device seen so far (the sampler may
        observe more afterwards)."""
        out = ffi.new("otaprio_cohort **")
        diag = new_diag()
        check(lib.otaprio_cohort_sampler_finish(self._handle,
                                                _alloc.current(), out, diag),
              diag)
        return Cohort(ffi.gc(out[0], lib.otaprio_cohort_free), self.spec)


@dataclasses.dataclass(frozen=True)
class CohortWave:
    """One wave's sizes (``otaprio_cohort_wave``)."""

    fraction: float
    fleet: int
    eligible: int
    target: int
    selected: int
    shortfall: int
    strata: int
    strata_covered: int
    strata_short_of_minimum: int
    listed: bool


@dataclasses.dataclass(frozen=True)
class Representativeness:
    """How well a cohort mirrors the fleet
    (``otaprio_representativeness``): the joint and per-dimension total
    variation distances, coverage, and the most under-covered strata as
    (stratum id, fleet share, cohort share), worst first."""

    fleet: int
    cohort: int
    strata: int
    strata_covered: int
    strata_coverage: float
    mass_coverage: float
    tvd: float
    tvd_dimension: Tuple[float, ...]
    worst: Tuple[Tuple[int, float, float], ...]

    def as_dict(self) -> Dict[str, Any]:
        """The report as a plain dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CohortDevices:
    """The canary waves' devices in the order they join (by wave, stratum
    id, bucket position): keys, waves and stratum ids."""

    keys: npt.NDArray[np.uint64]
    waves: npt.NDArray[np.uint8]
    strata: npt.NDArray[np.uint64]


@dataclasses.dataclass(frozen=True)
class CohortStrata:
    """A wave's strata in increasing id, with the fleet's, the eligible
    and the selected devices of each."""

    strata: npt.NDArray[np.uint64]
    fleet: npt.NDArray[np.uint64]
    eligible: npt.NDArray[np.uint64]
    selected: npt.NDArray[np.uint64]


class Cohort:
    """A finished cohort (``otaprio_cohort``): immutable, and any number
    of threads may query it at once."""

    def __init__(self, handle: Any, spec: CohortSpec) -> None:
        self._handle = handle
        self.spec = spec
        diag = new_diag()
        waves = []
        for index in range(int(lib.otaprio_cohort_wave_count(handle))):
            w: Any = _structs.new("otaprio_cohort_wave")
            check(lib.otaprio_cohort_wave_info(handle, index, w, diag), diag)
            waves.append(CohortWave(
                float(w.fraction), int(w.fleet), int(w.eligible),
                int(w.target), int(w.selected), int(w.shortfall),
                int(w.strata), int(w.strata_covered),
                int(w.strata_short_of_minimum), bool(w.listed)))
        self.waves: Tuple[CohortWave, ...] = tuple(waves)

    def devices(self) -> CohortDevices:
        """Every device of the canary waves."""
        listed = [w.selected for w in self.waves if w.listed]
        count = max(listed) if listed else 0
        out = CohortDevices(np.empty(count, _U64), np.empty(count, _U8),
                            np.empty(count, _U64))
        diag = new_diag()
        check(lib.otaprio_cohort_devices(
            self._handle, 0, count, _arrays.pointer(out.keys),
            _arrays.pointer(out.waves), _arrays.pointer(out.strata), diag),
            diag)
        return out

    def assign(self, chunk: Columns) -> npt.NDArray[np.uint8]:
        """The wave each device of a chunk joins, or :data:`COHORT_NONE`;
        give the same columns as to the sampler."""
        c_chunk = _Chunk(chunk, self.spec.strata)
        waves = np.empty(c_chunk.count, _U8)
        diag = new_diag()
        check(lib.otaprio_cohort_assign(self._handle, c_chunk.struct,
                                        _arrays.pointer(waves), diag), diag)
        return waves

    def strata(self, wave: int) -> CohortStrata:
        """The strata of a wave (with the waves before it)."""
        count = int(lib.otaprio_cohort_stratum_count(self._handle))
        out = CohortStrata(*(np.empty(count, _U64) for _ in range(4)))
        diag = new_diag()
        check(lib.otaprio_cohort_strata(
            self._handle, wave, 0, count, _arrays.pointer(out.strata),
            _arrays.pointer(out.fleet), _arrays.pointer(out.eligible),
            _arrays.pointer(out.selected), diag), diag)
        return out

    def representativeness(self, wave: int) -> Representativeness:
        """How well a wave, with the waves before it, mirrors the fleet."""
        r: Any = _structs.new("otaprio_representativeness")
        diag = new_diag()
        check(lib.otaprio_cohort_representativeness(self._handle, wave, r,
                                                    diag), diag)
        return _report(r)


def _report(r: Any) -> Representativeness:
    """A C report as a Representativeness."""
    return Representativeness(
        int(r.fleet), int(r.cohort), int(r.strata),
        int(r.strata_covered), float(r.strata_coverage),
        float(r.mass_coverage), float(r.tvd),
        tuple(float(r.tvd_dimension[d])
              for d in range(int(r.dimension_count))),
        tuple((int(r.worst_stratum[i]), float(r.worst_fleet_share[i]),
               float(r.worst_cohort_share[i]))
              for i in range(int(r.worst_count))))


class Tally:
    """The fleet and a cohort chosen elsewhere (by the host, a research
    algorithm, another library's split), counted stratum by stratum and
    scored as the cohort engine scores its own waves (``otaprio_tally``).

    ``cardinalities`` gives each strata dimension's number of codes. Feed
    the fleet chunk by chunk with :meth:`add`; :meth:`representativeness`
    then reports the same figures as :meth:`Cohort.representativeness`.
    Single-threaded, like a :class:`Sampler`.
    """

    def __init__(self, cardinalities: Sequence[int]) -> None:
        self._dimensions = len(cardinalities)
        keep: List[Any] = []
        spec = CohortSpec(waves=[1.0], cardinalities=cardinalities,
                          strata=["d%d" % d for d in range(self._dimensions)]
                          )._to_c(keep)
        out = ffi.new("otaprio_tally **")
        diag = new_diag()
        check(lib.otaprio_tally_create(spec, _alloc.current(), out, diag),
              diag)
        self._tally: Any = ffi.gc(out[0], lib.otaprio_tally_free)

    def close(self) -> None:
        """Frees the C tally now; the object is unusable afterwards."""
        if self._tally is not None:
            ffi.release(self._tally)
            self._tally = None

    def __enter__(self) -> "Tally":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _handle(self) -> Any:
        if self._tally is None:
            raise ValueError("the tally is closed")
        return self._tally

    def add(self, codes: Sequence[Optional[npt.ArrayLike]],
            in_cohort: Optional[npt.ArrayLike] = None,
            count: Optional[int] = None) -> None:
        """Counts a chunk of fleet devices: ``codes`` has one column per
        dimension (uint32 codes below its cardinality; None for code 0),
        ``in_cohort`` is 1 (or True) for the devices in the cohort, None
        for none. ``count`` is needed only when no column is given. On
        error the tally is as it was."""
        if len(codes) > self._dimensions:
            raise ValueError("%d code columns for %d dimensions"
                             % (len(codes), self._dimensions))
        columns = [None if c is None else
                   _arrays.as_column("codes[%d]" % d, c, _U32)
                   for d, c in enumerate(codes)]
        flags = (None if in_cohort is None else
                 _arrays.as_column("in_cohort", in_cohort, _U8))
        given = tuple(a for a in columns + [flags] if a is not None)
        length = _arrays.shape_of(given)
        if count is None:
            count = length
        elif given and count != length:
            raise ValueError("count is %d but the columns hold %d devices"
                             % (count, length))
        pointers = ffi.new("uint32_t *[]", max(self._dimensions, 1))
        for d, column in enumerate(columns):
            if column is not None:
                pointers[d] = _arrays.pointer(column)
        diag = new_diag()
        check(lib.otaprio_tally_add(
            self._handle, pointers, count,
            ffi.NULL if flags is None else _arrays.pointer(flags), diag),
            diag)

    def representativeness(self) -> Representativeness:
        """How well the tallied cohort mirrors the tallied fleet."""
        r: Any = _structs.new("otaprio_representativeness")
        diag = new_diag()
        check(lib.otaprio_tally_representativeness(self._handle, r, diag),
              diag)
        return _report(r)
