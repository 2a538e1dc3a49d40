# SPDX-License-Identifier: MIT
"""The dependency graph (``otaprio/graph.h``, graph part): a directed graph
built from edge columns or walked through Python neighbour functions, its
topological order (with the cycle that prevents one), reachability and
strongly connected components."""
from __future__ import annotations

import threading
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _alloc, _arrays
from ._ffi import ffi, lib
from .enums import Direction
from .errors import CycleError, check, error_for, new_diag

__all__ = ["Graph", "GraphComponents", "Neighbours"]

_U32 = np.dtype(np.uint32)

#: A host's neighbour function: a node's successors (or predecessors) as
#: node ids.
Neighbours = Callable[[int], Union[Sequence[int], npt.NDArray[Any]]]

_STOPPED = 1  # the callback's own status: positive, never a library code


class _Walk:
    """The Python side of a wrapped graph: its neighbour functions as C
    callbacks, and, per thread (queries of one graph may run at once), the
    exception that stopped the current query and the last answer, kept
    for the library's retry with a larger buffer."""

    def __init__(self, successors: Neighbours,
                 predecessors: Optional[Neighbours]) -> None:
        self.local = threading.local()
        self.successors = ffi.callback(
            "otaprio_neighbours_fn", self._caller(successors))
        self.predecessors = (None if predecessors is None else ffi.callback(
            "otaprio_neighbours_fn", self._caller(predecessors)))

    def _caller(self, function: Neighbours) -> Callable[..., int]:
        def call(_user: Any, node: int, buffer: Any, capacity: int,
                 count: Any) -> int:
            local = self.local
            try:
                kept = getattr(local, "kept", None)
                if kept is not None and kept[0] is function and \
                        kept[1] == node:
                    ids = kept[2]  # the retry: asked again, not recomputed
                else:
                    ids = _arrays.as_column("neighbours", function(node),
                                            _U32)
                count[0] = ids.size
                if ids.size > capacity:
                    local.kept = (function, node, ids)
                    return 0
                local.kept = None
                if ids.size:
                    ffi.memmove(buffer, _arrays.pointer(ids), ids.nbytes)
                return 0
            except BaseException as exception:  # re-raised by the query
                local.exception = exception
                return _STOPPED
        return call

    def raise_pending(self) -> None:
        """Raises the exception a callback stopped the query with, if any."""
        self.local.kept = None
        exception = getattr(self.local, "exception", None)
        if exception is not None:
            self.local.exception = None
            raise exception


class GraphComponents:
    """Strongly connected components: ``component[node]``, numbered in a
    topological order of the condensation, and their ``count``."""

    def __init__(self, component: npt.NDArray[np.uint32], count: int):
        self.component = component
        self.count = count

    def groups(self) -> Tuple[Tuple[int, ...], ...]:
        """The nodes of each component, by component number."""
        order = np.argsort(self.component, kind="stable")
        bounds = np.searchsorted(self.component[order],
                                 np.arange(self.count + 1))
        return tuple(tuple(int(n) for n in order[bounds[i]:bounds[i + 1]])
                     for i in range(self.count))


class Graph:
    """An immutable directed graph over nodes ``0 .. node_count - 1``.

    Build one with :meth:`from_edges`, or walk a graph of your own with
    :meth:`wrap`; a catalog's package graph is :attr:`otaprio.Catalog.graph`.
    Queries are thread-safe and release the GIL while in C (a wrapped
    graph's functions take it back while they run).
    """

    def __init__(self, handle: Any, owner: Any = None,
                 walk: Optional[_Walk] = None):
        # ``owner`` keeps alive whatever owns a borrowed handle (a catalog);
        # ``walk`` the callbacks of a wrapped graph.
        self._handle = handle
        self._owner = owner
        self._walk = walk

    def _check(self, status: int, diag: Any) -> None:
        if self._walk is not None:
            self._walk.raise_pending()
        check(status, diag)

    @classmethod
    def wrap(cls, node_count: int, successors: Neighbours,
             predecessors: Optional[Neighbours] = None) -> "Graph":
        """A graph of ``node_count`` nodes walked through Python functions:
        ``successors(node)`` (and ``predecessors(node)``, which backward
        queries need) return a node's neighbours as ids. Nothing is copied:
        each query asks as it goes, so the functions must keep answering
        the same graph for as long as it is used. An exception a function
        raises stops the query and is raised by it unchanged; an id that
        is not a node raises :class:`otaprio.OutOfRangeError`."""
        walk = _Walk(successors, predecessors)
        callbacks: Any = ffi.new("otaprio_graph_callbacks *")
        lib.otaprio_graph_callbacks_init(callbacks,
                                         ffi.sizeof("otaprio_graph_callbacks"))
        callbacks.node_count = node_count
        callbacks.successors = walk.successors
        if walk.predecessors is not None:
            callbacks.predecessors = walk.predecessors
        graph = ffi.new("otaprio_graph **")
        diag = new_diag()
        check(lib.otaprio_graph_wrap(callbacks, _alloc.current(), graph,
                                     diag), diag)
        return cls(ffi.gc(graph[0], lib.otaprio_graph_free), walk=walk)

    @classmethod
    def from_edges(cls, node_count: int, source: npt.ArrayLike = (),
                   target: npt.ArrayLike = ()) -> "Graph":
        """A graph of ``node_count`` nodes with edges
        ``source[i] -> target[i]`` (uint32 columns, copied). A self-loop
        or an id that is not a node raises, naming the position; an edge
        given twice raises :class:`otaprio.DuplicateError`."""
        sources = _arrays.as_column("source", source, _U32)
        targets = _arrays.as_column("target", target, _U32)
        count = _arrays.shape_of((sources, targets))
        builder = ffi.new("otaprio_graph_builder **")
        diag = new_diag()
        check(lib.otaprio_graph_builder_create(node_count,
                                               _alloc.current(), builder,
                                               diag), diag)
        owned = ffi.gc(builder[0], lib.otaprio_graph_builder_free)
        try:
            if count:
                check(lib.otaprio_graph_builder_add_edges(
                    owned, _arrays.pointer(sources), _arrays.pointer(targets),
                    count, diag), diag)
            graph = ffi.new("otaprio_graph **")
            check(lib.otaprio_graph_builder_build(owned, graph, diag), diag)
        finally:
            ffi.release(owned)
        return cls(ffi.gc(graph[0], lib.otaprio_graph_free))

    @property
    def node_count(self) -> int:
        """The number of nodes."""
        return int(lib.otaprio_graph_node_count(self._handle))

    @property
    def edge_count(self) -> int:
        """The number of edges."""
        return int(lib.otaprio_graph_edge_count(self._handle))

    def neighbours(self, node: int,
                   direction: Direction = Direction.FORWARD
                   ) -> npt.NDArray[np.uint32]:
        """The successors (or predecessors) of ``node``, ascending."""
        count = ffi.new("size_t *")
        diag = new_diag()
        status = lib.otaprio_graph_neighbours(self._handle, node,
                                              int(direction), ffi.NULL, 0,
                                              count, diag)
        if status not in (0, -4) or (status == -4 and count[0] == 0):
            self._check(status, diag)
        result = np.empty(int(count[0]), _U32)
        if result.size:
            self._check(lib.otaprio_graph_neighbours(
                self._handle, node, int(direction), _arrays.pointer(result),
                result.size, count, diag), diag)
        return result

    def find_cycle(self) -> Optional[Tuple[int, ...]]:
        """One directed cycle ``c[0] -> ... -> c[-1] -> c[0]`` (the one
        :meth:`order` reports), or None for an acyclic graph."""
        cycle = np.empty(self.node_count, _U32)
        length = ffi.new("size_t *")
        diag = new_diag()
        self._check(lib.otaprio_graph_find_cycle(
            self._handle, _arrays.out(cycle),
            cycle.size, length, diag), diag)
        if length[0] == 0:
            return None
        return tuple(int(n) for n in cycle[:int(length[0])])

    def order(self) -> npt.NDArray[np.uint32]:
        """A topological order (Kahn's algorithm, sources by ascending id).

        On a cycle raises :class:`otaprio.CycleError` whose ``cycle``
        attribute holds the cycle's nodes whole (the message may shorten
        it)."""
        order = np.empty(self.node_count, _U32)
        diag = new_diag()
        status = lib.otaprio_graph_order(
            self._handle, _arrays.out(order),
            diag)
        if status != 0:
            if self._walk is not None:
                self._walk.raise_pending()
            raise self._with_cycle(error_for(status, diag))
        return order

    def _with_cycle(self, error: Exception) -> Exception:
        if isinstance(error, CycleError):
            error.cycle = self.find_cycle()  # type: ignore[attr-defined]
        return error

    def reach(self, sources: npt.ArrayLike,
              direction: Direction = Direction.FORWARD
              ) -> npt.NDArray[np.bool_]:
        """Which nodes the ``sources`` reach (sources included), one bool
        per node; backward finds what leads to them."""
        ids = _arrays.as_column("sources", sources, _U32)
        reached = np.empty(self.node_count, np.uint8)
        diag = new_diag()
        self._check(lib.otaprio_graph_reach(
            self._handle, int(direction),
            _arrays.optional(ids), ids.size,
            _arrays.out(reached), ffi.NULL,
            diag), diag)
        return reached.view(np.bool_)

    def reach_list(self, sources: npt.ArrayLike,
                   direction: Direction = Direction.FORWARD
                   ) -> npt.NDArray[np.uint32]:
        """The nodes the ``sources`` reach, in breadth-first order."""
        ids = _arrays.as_column("sources", sources, _U32)
        reached = np.empty(self.node_count, _U32)
        count = ffi.new("size_t *")
        diag = new_diag()
        self._check(lib.otaprio_graph_reach_list(
            self._handle, int(direction),
            _arrays.optional(ids), ids.size,
            _arrays.out(reached),
            reached.size, count, diag), diag)
        return reached[:int(count[0])]

    def scc(self) -> GraphComponents:
        """Strongly connected components (numbered in topological order of
        the condensation)."""
        component = np.empty(self.node_count, _U32)
        count = ffi.new("uint32_t *")
        diag = new_diag()
        self._check(lib.otaprio_graph_scc(
            self._handle,
            _arrays.out(component),
            count, diag), diag)
        return GraphComponents(component, int(count[0]))
