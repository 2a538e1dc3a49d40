# SPDX-License-Identifier: MIT
"""The package catalog (``otaprio/graph.h``, catalog part): components,
their versions, packages with their predicates and relations; the package
graph and release order; which devices can install a package now and why
not, a device's shortest prerequisite path, what a flaw reaches, the
components that decide a dependency chain; and shared-fate clusters."""
from __future__ import annotations

import dataclasses
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple, Union)

import numpy as np
import numpy.typing as npt

from . import _alloc, _arrays, _structs
from ._ffi import ffi, lib
from .enums import Block, NameKind, Relation
from .errors import check, error_for, new_diag
from .graph import Graph

__all__ = ["Package", "CatalogBuilder", "Catalog", "CatalogInfo",
           "DeviceCheck", "UpdatePath", "Clusterer", "ClusterReport",
           "VERSION_NONE", "CODE_UNKNOWN", "DEVICE_STATE_COLUMNS"]

_U8 = np.dtype(np.uint8)
_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)
_F32 = np.dtype(np.float32)

#: A device's version id meaning "component not installed".
VERSION_NONE = 0xFFFFFFFF
#: A carrier, region or enrollment code meaning "not known".
CODE_UNKNOWN = 0xFFFFFFFF

#: The optional predicate columns of a device chunk and their dtypes; a
#: missing column means the host does not know the value.
DEVICE_STATE_COLUMNS: Dict[str, np.dtype[Any]] = {
    "carrier": _U32, "region": _U32, "enrollment": _U32, "battery": _F32,
    "charging": _U8, "free_bytes": _U64, "metered": _U8,
}

_PACKAGE = "otaprio_package"
_LISTS = ("carriers", "regions", "denied_regions", "enrollments")
_COUNTS = {"carriers": "carrier_count", "regions": "region_count",
           "denied_regions": "denied_region_count",
           "enrollments": "enrollment_count"}

Versions = Union[Sequence[npt.ArrayLike], npt.NDArray[Any]]


def _package(name: str, convert: Callable[[Any], Any]) -> Any:
    return dataclasses.field(
        default_factory=_structs.default(_PACKAGE, name, convert))


@dataclasses.dataclass
class Package:
    """A package (``otaprio_package``): its name, sizes, product family and
    the predicates a device must meet. Empty code lists mean "any"."""

    name: str
    download_bytes: int = _package("download_bytes", int)
    install_bytes: int = _package("install_bytes", int)
    family: int = _package("family", int)
    min_battery: float = _package("min_battery", float)
    allow_metered: bool = _package("allow_metered", bool)
    carriers: Sequence[int] = ()
    regions: Sequence[int] = ()
    denied_regions: Sequence[int] = ()
    enrollments: Sequence[int] = ()

    def _to_c(self, keep: List[Any]) -> Any:
        struct: Any = _structs.new(_PACKAGE)
        name = self.name.encode("utf-8")
        text = ffi.new("char[]", name)
        keep.append(text)
        struct.name, struct.name_length = text, len(name)
        struct.download_bytes = self.download_bytes
        struct.install_bytes = self.install_bytes
        struct.family = self.family
        struct.min_battery = self.min_battery
        struct.allow_metered = int(self.allow_metered)
        for field in _LISTS:
            codes = _arrays.as_column(field, np.asarray(
                getattr(self, field), dtype=np.int64), _U32)
            if codes.size:
                keep.append(codes)
                setattr(struct, field, _arrays.pointer(codes))
                setattr(struct, _COUNTS[field], codes.size)
        return struct


def _utf8(value: str) -> Tuple[Any, int]:
    data = value.encode("utf-8")
    return ffi.new("char[]", data), len(data)


class CatalogBuilder:
    """Collects components, versions, packages and relations
    (single-threaded); :meth:`build` makes an immutable :class:`Catalog`
    and leaves the builder usable."""

    def __init__(self) -> None:
        builder = ffi.new("otaprio_catalog_builder **")
        diag = new_diag()
        check(lib.otaprio_catalog_builder_create(_alloc.current(), builder,
                                                 diag), diag)
        self._handle = ffi.gc(builder[0], lib.otaprio_catalog_builder_free)

    def add_component(self, name: str) -> int:
        """Interns a component name; the same name gives the same id."""
        text, length = _utf8(name)
        out = ffi.new("uint32_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_add_component(self._handle, text, length,
                                                out, diag), diag)
        return int(out[0])

    def add_version(self, component: int, version: str) -> int:
        """Interns a version devices may report; equal versions share an
        id (dense per component, in order of first appearance)."""
        text, length = _utf8(version)
        out = ffi.new("uint32_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_add_version(self._handle, component, text,
                                              length, out, diag), diag)
        return int(out[0])

    def add_package(self, package: Package) -> int:
        """Adds a package (copied); ids are dense in order of addition."""
        keep: List[Any] = []
        struct = package._to_c(keep)
        out = ffi.new("uint32_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_add_package(self._handle, struct, out,
                                              diag), diag)
        return int(out[0])

    def add_relation(self, package: int, relation: Relation, component: int,
                     text: str) -> None:
        """Relates a package to a component: a constraint for REQUIRES and
        CONFLICTS, a version for PROVIDES."""
        data, length = _utf8(text)
        diag = new_diag()
        check(lib.otaprio_catalog_add_relation(self._handle, package,
                                               int(relation), component, data,
                                               length, diag), diag)

    def build(self) -> "Catalog":
        """The catalog and its package graph (a cycle is not an error
        here: :meth:`Catalog.release_order` reports it)."""
        out = ffi.new("otaprio_catalog **")
        diag = new_diag()
        check(lib.otaprio_catalog_build(self._handle, out, diag), diag)
        return Catalog(ffi.gc(out[0], lib.otaprio_catalog_free))


@dataclasses.dataclass(frozen=True)
class CatalogInfo:
    """Counts of a catalog's contents (``otaprio_catalog_info``)."""

    component_count: int
    package_count: int
    version_count: int
    relation_count: int


@dataclasses.dataclass(frozen=True)
class DeviceCheck:
    """Per device: the :class:`otaprio.Block` mask (uint32, 0 = can
    install now), the number of the package's first failing relation
    (``UINT32_MAX`` for none), and how many devices can install."""

    blocks: npt.NDArray[np.uint32]
    first_failed: npt.NDArray[np.uint32]
    eligible: int

    def block(self, device: int) -> Block:
        """One device's mask as a :class:`otaprio.Block` flag set."""
        return Block(int(self.blocks[device]))


@dataclasses.dataclass(frozen=True)
class UpdatePath:
    """The packages to install first, in order, and their total download."""

    packages: Tuple[int, ...]
    download_bytes: int


class _DeviceState:
    """An ``otaprio_device_state`` over NumPy columns (zero-copy when they
    already have the right dtype), holding them while C reads them."""

    def __init__(self, versions: Versions,
                 devices: Optional[Mapping[str, Any]] = None) -> None:
        columns = [_arrays.as_column("versions[%d]" % c, v, _U32)
                   for c, v in enumerate(versions)]
        extra = {}
        for name, value in (devices or {}).items():
            if name not in DEVICE_STATE_COLUMNS:
                raise ValueError("unknown device column %r; expected %s"
                                 % (name, sorted(DEVICE_STATE_COLUMNS)))
            extra[name] = _arrays.as_column(name, value,
                                            DEVICE_STATE_COLUMNS[name])
        self.count = _arrays.shape_of(tuple(columns) + tuple(extra.values()))
        self.keep: List[Any] = list(columns) + list(extra.values())
        state: Any = _structs.new("otaprio_device_state")
        state.count = self.count
        if columns:
            table = ffi.new("const uint32_t *[]", len(columns))
            for c, column in enumerate(columns):
                table[c] = _arrays.pointer(column) if column.size \
                    else ffi.NULL
            self.keep.append(table)
            state.versions = table
            state.component_count = len(columns)
        for name, column in extra.items():
            if column.size:
                setattr(state, name, _arrays.pointer(column))
        self.struct = state


class Catalog:
    """An immutable catalog (thread-safe to query)."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    @property
    def info(self) -> CatalogInfo:
        """The counts of components, packages, versions and relations."""
        info: Any = _structs.new("otaprio_catalog_info")
        diag = new_diag()
        check(lib.otaprio_catalog_get_info(self._handle, info, diag), diag)
        return CatalogInfo(int(info.component_count),
                           int(info.package_count), int(info.version_count),
                           int(info.relation_count))

    @property
    def graph(self) -> Graph:
        """The package graph: ``p -> q`` when ``p`` is the earliest
        release that unlocks ``q``; node ids are package ids."""
        return Graph(lib.otaprio_catalog_graph(self._handle), self)

    def release_order(self) -> npt.NDArray[np.uint32]:
        """Package ids in release order. On a cycle raises
        :class:`otaprio.CycleError` naming the packages in its message,
        with the cycle's ids in its ``cycle`` attribute."""
        order = np.empty(self.info.package_count, _U32)
        diag = new_diag()
        status = lib.otaprio_catalog_release_order(
            self._handle, _arrays.out(order), diag)
        if status != 0:
            raise self.graph._with_cycle(error_for(status, diag))
        return order

    def _find(self, function: Any, *args: Any) -> int:
        out = ffi.new("uint32_t *")
        diag = new_diag()
        check(function(self._handle, *args, out, diag), diag)
        return int(out[0])

    def component_id(self, name: str) -> int:
        """A component's id by name (:class:`otaprio.NotFoundError`)."""
        text, length = _utf8(name)
        return self._find(lib.otaprio_catalog_component_id, text, length)

    def package_id(self, name: str) -> int:
        """A package's id by name (:class:`otaprio.NotFoundError`)."""
        text, length = _utf8(name)
        return self._find(lib.otaprio_catalog_package_id, text, length)

    def version_id(self, component: int, version: str) -> int:
        """A component version's id, by value (``1.2`` finds ``1.2.0``)."""
        text, length = _utf8(version)
        return self._find(lib.otaprio_catalog_version_id, component, text,
                          length)

    def name(self, kind: NameKind, id: int, component: int = 0) -> str:
        """A component's or package's name, or a version's text (of
        ``component``), as first given to the builder."""
        text = ffi.new("const char **")
        length = ffi.new("size_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_name(self._handle, int(kind), component, id,
                                       text, length, diag), diag)
        data = ffi.unpack(text[0], int(length[0]))
        assert isinstance(data, bytes)
        return data.decode("utf-8")

    def check_devices(self, package: int, versions: Versions,
                      devices: Optional[Mapping[str, Any]] = None
                      ) -> DeviceCheck:
        """Whether each device can install ``package`` now, and why not.

        ``versions`` holds one uint32 column per component id (the
        installed version id, or :data:`VERSION_NONE`); ``devices`` maps
        the optional predicate columns of :data:`DEVICE_STATE_COLUMNS`
        (a dict or a pandas DataFrame's columns) to arrays."""
        state = _DeviceState(versions, devices)
        blocks = np.empty(state.count, _U32)
        first = np.empty(state.count, _U32)
        eligible = ffi.new("uint64_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_check_devices(
            self._handle, package, state.struct, _arrays.out(blocks),
            _arrays.out(first), eligible, diag), diag)
        return DeviceCheck(blocks, first, int(eligible[0]))

    def update_path(self, package: int, versions: Versions, device: int,
                    devices: Optional[Mapping[str, Any]] = None,
                    max_states: int = 0) -> UpdatePath:
        """The shortest prerequisite path of one device to ``package``
        (fewest steps, then smallest download, then smallest ids).
        :class:`otaprio.NotFoundError` when nothing would help,
        :class:`otaprio.LimitError` past ``max_states`` (0: the
        library's default)."""
        state = _DeviceState(versions, devices)
        capacity = max(1, self.info.package_count)
        path = np.empty(capacity, _U32)
        length = ffi.new("size_t *")
        spent = ffi.new("uint64_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_update_path(
            self._handle, package, state.struct, device, max_states,
            _arrays.pointer(path), capacity, length, spent, diag), diag)
        return UpdatePath(tuple(int(p) for p in path[:int(length[0])]),
                          int(spent[0]))

    def impact(self, component: int, constraint: str
               ) -> npt.NDArray[np.uint8]:
        """Per package: 0, 1 (hit directly by the flaw in ``component``'s
        versions the ``constraint`` admits) or 2 (inherits it)."""
        text, length = _utf8(constraint)
        marks = np.empty(self.info.package_count, _U8)
        diag = new_diag()
        check(lib.otaprio_catalog_impact(self._handle, component, text,
                                         length, _arrays.out(marks), ffi.NULL,
                                         diag), diag)
        return marks

    def impact_devices(self, component: int, constraint: str,
                       versions: Versions) -> npt.NDArray[np.uint8]:
        """Per device: 1 when it runs a flawed version, 2 when it runs a
        version a hit package provides, else 0."""
        state = _DeviceState(versions)
        text, length = _utf8(constraint)
        marks = np.empty(state.count, _U8)
        diag = new_diag()
        check(lib.otaprio_catalog_impact_devices(
            self._handle, component, text, length, state.struct,
            _arrays.out(marks), ffi.NULL, diag), diag)
        return marks

    def chain_components(self, package: int) -> npt.NDArray[np.uint32]:
        """The components whose versions decide a device's path to
        ``package`` (cluster on them to cover dependency chains)."""
        out = np.empty(max(1, self.info.component_count), _U32)
        count = ffi.new("size_t *")
        diag = new_diag()
        check(lib.otaprio_catalog_chain_components(
            self._handle, package, _arrays.pointer(out), out.size, count,
            diag), diag)
        return out[:int(count[0])]


@dataclasses.dataclass(frozen=True)
class ClusterReport:
    """Each cluster's device count, cohort device count (0: the cohort
    does not cover it) and defining values (one row per cluster)."""

    members: npt.NDArray[np.uint64]
    cohort_members: npt.NDArray[np.uint64]
    values: npt.NDArray[np.uint32]


class Clusterer:
    """Groups devices sharing the values of chosen attribute columns,
    chunk after chunk (single-threaded)."""

    def __init__(self, attribute_count: int) -> None:
        out = ffi.new("otaprio_clusterer **")
        diag = new_diag()
        check(lib.otaprio_clusterer_create(attribute_count,
                                           _alloc.current(), out,
                                           diag), diag)
        self._handle = ffi.gc(out[0], lib.otaprio_clusterer_free)
        self.attribute_count = attribute_count

    def add(self, columns: Sequence[Optional[npt.ArrayLike]],
            include: Optional[npt.ArrayLike] = None,
            cohort: Optional[npt.ArrayLike] = None) -> npt.NDArray[np.uint32]:
        """Adds a chunk; returns each device's cluster id (``UINT32_MAX``
        for devices not included). A None column counts as zeros."""
        if len(columns) != self.attribute_count:
            raise ValueError("%d columns for %d attributes"
                             % (len(columns), self.attribute_count))
        arrays = [None if c is None else
                  _arrays.as_column("columns[%d]" % i, c, _U32)
                  for i, c in enumerate(columns)]
        flags = {name: None if v is None else _arrays.as_column(name, v, _U8)
                 for name, v in (("include", include), ("cohort", cohort))}
        present = tuple(a for a in arrays + list(flags.values())
                        if a is not None)
        count = _arrays.shape_of(present)
        table = ffi.new("const uint32_t *[]", len(arrays))
        for i, array in enumerate(arrays):
            table[i] = ffi.NULL if array is None or not array.size \
                else _arrays.pointer(array)
        cluster = np.empty(count, _U32)
        diag = new_diag()
        include_c, cohort_c = (
            ffi.NULL if f is None or not f.size else _arrays.pointer(f)
            for f in flags.values())
        check(lib.otaprio_clusterer_add(self._handle, table, count, include_c,
                                        cohort_c, _arrays.out(cluster), diag),
              diag)
        return cluster

    @property
    def count(self) -> int:
        """The number of clusters so far."""
        return int(lib.otaprio_clusterer_count(self._handle))

    def report(self, first: int = 0,
               number: Optional[int] = None) -> ClusterReport:
        """Sizes, cohort coverage and values of clusters
        ``first .. first + number`` (default: all from ``first``)."""
        if number is None:
            number = max(0, self.count - first)
        members = np.empty(number, _U64)
        cohort = np.empty(number, _U64)
        values = np.empty((number, self.attribute_count), _U32)
        diag = new_diag()
        flat = values.reshape(-1)
        check(lib.otaprio_clusterer_report(
            self._handle, first, number, _arrays.out(members),
            _arrays.out(cohort), _arrays.out(flat), diag), diag)
        return ClusterReport(members, cohort, values)
