# SPDX-License-Identifier: MIT
"""The graph against the C golden vectors (tests/vectors/graph_vectors.h,
made with networkx): order, cycles, reach and components."""
from __future__ import annotations

import re
from typing import Any, Dict, List

import numpy as np
import pytest

import otaprio
from conftest import VECTORS

_ARRAY = re.compile(r"static const uint32_t (\w+)\[\] = \{([^}]*)\};")
_QUERY = re.compile(r"\{(\d), (\d+), (\w+), (\d+), (\w+)\}")


def _vectors() -> List[Dict[str, Any]]:
    text = (VECTORS / "graph_vectors.h").read_text()
    arrays = {name: [int(v) for v in body.replace(",", " ").split()]
              for name, body in _ARRAY.findall(text)}
    queries = {name: _QUERY.findall(body) for name, body in re.findall(
        r"static const graph_vector_query (\w+)\[\] = \{(.*?)\n\};", text,
        re.S)}
    table = text[text.index("graph_vectors[] = {"):]
    out = []
    for row in re.findall(r'\{"(\w+)", ([^}]*)\}', table):
        fields = [f.strip() for f in row[1].split(",")]
        out.append({
            "name": row[0], "nodes": int(fields[0]),
            "from": arrays.get(fields[2], []), "to": arrays.get(fields[3], []),
            "dag": fields[4] == "1", "components": int(fields[5]),
            "scc_min": arrays.get(fields[6], []),
            "queries": [(int(d), arrays.get(s, []), arrays.get(r, []))
                        for d, _, s, _, r in queries[fields[8]]]})
    return out


VECTOR_LIST = _vectors()


def test_the_vectors_were_read() -> None:
    assert len(VECTOR_LIST) == 10
    assert sum(len(v["queries"]) for v in VECTOR_LIST) == 2 + 8 * 9


@pytest.mark.parametrize("v", VECTOR_LIST, ids=lambda v: v["name"])
def test_graph_matches_the_vectors(v: Dict[str, Any]) -> None:
    graph = otaprio.Graph.from_edges(v["nodes"], v["from"], v["to"])
    assert (graph.node_count, graph.edge_count) == (v["nodes"], len(v["from"]))
    edges = set(zip(v["from"], v["to"]))
    if v["dag"]:
        order = graph.order()
        position = {int(n): i for i, n in enumerate(order)}
        assert sorted(position) == list(range(v["nodes"]))
        assert all(position[a] < position[b] for a, b in edges)
        assert graph.find_cycle() is None
    else:
        with pytest.raises(otaprio.CycleError) as caught:
            graph.order()
        cycle = caught.value.cycle  # type: ignore[attr-defined]
        assert cycle == graph.find_cycle() and len(cycle) >= 2
        assert all((cycle[i], cycle[(i + 1) % len(cycle)]) in edges
                   for i in range(len(cycle)))
    scc = graph.scc()
    assert scc.count == v["components"]
    if v["nodes"]:
        # Same partition: each component's smallest node, per node.
        smallest = {c: min(g) for c, g in enumerate(scc.groups())}
        assert [smallest[int(c)] for c in scc.component] == v["scc_min"]
        assert all(scc.component[a] <= scc.component[b] for a, b in edges)
    for direction, sources, reached in v["queries"]:
        way = otaprio.Direction(direction)
        mask = graph.reach(np.array(sources, np.uint32), way)
        assert np.flatnonzero(mask).tolist() == reached
        listed = graph.reach_list(sources, way)
        assert sorted(listed.tolist()) == reached


def test_neighbours_both_ways() -> None:
    graph = otaprio.Graph.from_edges(4, [0, 0, 2], [3, 1, 3])
    assert graph.neighbours(0).tolist() == [1, 3]
    assert graph.neighbours(3, otaprio.Direction.BACKWARD).tolist() == [0, 2]
    assert graph.neighbours(1).tolist() == []
    with pytest.raises(otaprio.OutOfRangeError):
        graph.neighbours(4)


def test_bad_edges_raise_naming_the_position() -> None:
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        otaprio.Graph.from_edges(3, [0, 1], [1, 5])
    assert (caught.value.field, caught.value.index) == ("to", 1)
    with pytest.raises(otaprio.InvalidArgumentError):
        otaprio.Graph.from_edges(3, [1], [1])
    with pytest.raises(otaprio.DuplicateError):
        otaprio.Graph.from_edges(3, [0, 0], [1, 1])
    with pytest.raises(ValueError):
        otaprio.Graph.from_edges(3, [0, 1], [1])
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.Graph.from_edges(3, [0], [1]).reach([3])


def _adjacency(v: Dict[str, Any]) -> Any:
    """The vector's graph as neighbour functions over Python lists, each
    ascending as a built graph keeps them."""
    forward: List[List[int]] = [[] for _ in range(v["nodes"])]
    backward: List[List[int]] = [[] for _ in range(v["nodes"])]
    for a, b in sorted(zip(v["from"], v["to"])):
        forward[a].append(b)
        backward[b].append(a)
    for lists in (forward, backward):
        for neighbours in lists:
            neighbours.sort()
    return forward.__getitem__, backward.__getitem__


@pytest.mark.parametrize("v", VECTOR_LIST, ids=lambda v: v["name"])
def test_a_wrapped_graph_answers_as_the_built_one(v: Dict[str, Any]) -> None:
    built = otaprio.Graph.from_edges(v["nodes"], v["from"], v["to"])
    successors, predecessors = _adjacency(v)
    wrapped = otaprio.Graph.wrap(v["nodes"], successors, predecessors)
    assert wrapped.node_count == v["nodes"]
    if v["dag"]:
        assert wrapped.order().tolist() == built.order().tolist()
    else:
        with pytest.raises(otaprio.CycleError) as caught:
            wrapped.order()
        assert caught.value.cycle == built.find_cycle()  # type: ignore
    assert wrapped.scc().component.tolist() == built.scc().component.tolist()
    for direction, sources, _ in v["queries"]:
        way = otaprio.Direction(direction)
        assert wrapped.reach(sources, way).tolist() == \
            built.reach(sources, way).tolist()
        assert wrapped.reach_list(sources, way).tolist() == \
            built.reach_list(sources, way).tolist()
    for node in range(min(v["nodes"], 5)):
        assert wrapped.neighbours(node).tolist() == \
            built.neighbours(node).tolist()


class Boom(Exception):
    """An exception of the host's own."""


def test_a_wrapped_graphs_exceptions_come_back_unchanged() -> None:
    calls: List[int] = []
    boom = Boom("node 2 is unreadable")

    def successors(node: int) -> List[int]:
        calls.append(node)
        if node == 2:
            raise boom
        return [node + 1] if node < 4 else []

    graph = otaprio.Graph.wrap(5, successors)
    with pytest.raises(Boom) as caught:
        graph.reach([0])
    assert caught.value is boom
    with pytest.raises(Boom):
        graph.order()
    # The graph still answers queries that do not reach node 2.
    assert graph.reach_list([3]).tolist() == [3, 4]
    # Without predecessors, backward queries fail in the library.
    with pytest.raises(otaprio.InvalidArgumentError):
        graph.reach([4], otaprio.Direction.BACKWARD)
    # A neighbour that is not a node.
    bad = otaprio.Graph.wrap(3, lambda node: [7])
    with pytest.raises(otaprio.OutOfRangeError):
        bad.reach([0])


def test_a_long_neighbour_list_is_asked_for_once() -> None:
    asked: List[int] = []

    def successors(node: int) -> Any:
        asked.append(node)
        return np.arange(1, 1001, dtype=np.uint32) if node == 0 else []

    graph = otaprio.Graph.wrap(1001, successors)
    assert graph.reach([0]).all()
    assert asked.count(0) == 1  # kept for the library's retry
    assert sorted(asked) == list(range(1001))


def test_one_wrapped_graph_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    n = 3000
    graph = otaprio.Graph.wrap(n, lambda node: [(node * 7 + 1) % n,
                                                (node + 13) % n])
    expected = graph.reach_list([0]).tolist()

    def work(_: int) -> bool:
        return bool(graph.reach_list([0]).tolist() == expected)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(work, range(16)))
