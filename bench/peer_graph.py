# SPDX-License-Identifier: MIT
"""Peer of the graph benchmark: python-igraph, as its users call it.

The same two DAGs as otaprio-bench (bench/graph_gen.h describes them;
graph() below is the NumPy mirror of bench/graph_gen.c, checked through
the digest of the edge lists), and per graph the same four operations:

  build  igraph.Graph(n, edges, directed=True)
  order  Graph.topological_sorting(mode="out")
  reach  Graph.subcomponent(source, mode="out")
  scc    Graph.connected_components(mode="strong").membership

igraph caches structural properties of a graph (whether it is a DAG, for
one), so every timed order, reach and scc runs on a graph built fresh and
untimed just before it. The build's edge list is a Python list of int
pairs made untimed: igraph's fastest input here (its wheel is built for
the limited C API, where a NumPy array, even through a memoryview, is
walked item by item, 2-3x slower). Variants, timed beside and checked
too: "build:numpy" from an (m, 2) int64 array through .tolist() (what a
NumPy user without a ready list pays), and "reach:bfs", Graph.bfs.

igraph's answers are Python lists; turning them into the digested arrays
(canonical() below: the order checked edge by edge, reached bytes, the SCC
partition labelled by smallest member) is untimed.

bench/run.py also runs the compiled Boost Graph peer named in
EXTERNAL_PEERS (bench/peer_graph_boost.cpp) when it was built.
"""

import igraph as ig
import numpy as np

import splitmix

PEER = "python-igraph {} (Graph from a list of pairs)".format(ig.__version__)
# Each repetition builds fresh graphs untimed: a few seconds at full size.
FULL_PEER_REPS = 5
# igraph takes ~1 s a repetition at 100,000 nodes (plus the fresh
# graphs): --quick, a test, runs at 20,000.
QUICK_N = 20_000
# Compiled peers run by bench/run.py from the build tree.
EXTERNAL_PEERS = {"boost": "otaprio-peer-graph-boost"}

# ---- the edge lists (mirrors bench/graph_gen.c) --------------------------

KINDS = ("random", "window")
DEGREE = 3
WINDOW = 64
_U32 = np.uint64(32)


def _subseed(seed: int, index: int) -> int:
    return int(splitmix.draws(seed, index, 1)[0])


def _position(draws: np.ndarray, n: int) -> np.ndarray:
    """A uniform position below n from each draw's high 32 bits."""
    return ((draws >> _U32) * np.uint64(n)) >> _U32


def _hidden_order(seed: int, n: int) -> np.ndarray:
    """id_of_pos: nodes sorted by (draw, index)."""
    return np.argsort(splitmix.draws(seed, 0, n),
                      kind="stable").astype(np.uint32)


def _random_edges(seed: int, n: int, id_of_pos: np.ndarray):
    wanted = DEGREE * n
    candidates = wanted + wanted // 8 + 64
    d = splitmix.draws(seed, 0, 2 * candidates).reshape(candidates, 2)
    a, b = _position(d[:, 0], n), _position(d[:, 1], n)
    distinct = a != b
    a, b = a[distinct], b[distinct]
    u, v = np.minimum(a, b), np.maximum(a, b)
    # First draw of each pair, kept in draw order.
    _, first = np.unique(u * np.uint64(n) + v, return_index=True)
    first.sort()
    first = first[:wanted]
    return id_of_pos[u[first]], id_of_pos[v[first]]


def _window_edges(seed: int, n: int, id_of_pos: np.ndarray):
    d = splitmix.draws(seed, 0, DEGREE * n).reshape(n, DEGREE)
    p = np.arange(n, dtype=np.uint64)[:, None]
    target = p + np.uint64(1) + ((d >> _U32) * np.uint64(WINDOW) >> _U32)
    valid = ((d & np.uint64(7)) != 0) & (target < np.uint64(n))
    keep = np.zeros_like(valid)
    for j in range(DEGREE):  # DEGREE columns, not a loop over edges
        k = valid[:, j].copy()
        for i in range(j):
            k &= ~(keep[:, i] & (target[:, j] == target[:, i]))
        keep[:, j] = k
    tails = np.broadcast_to(p, target.shape)
    return id_of_pos[tails[keep]], id_of_pos[target[keep]]


def graph(kind: int, seed: int, n: int) -> dict:
    """Graph `kind` (0 random, 1 window) as otaprio-bench makes it."""
    id_of_pos = _hidden_order(_subseed(seed, 2 * kind), n)
    edge_seed = _subseed(seed, 2 * kind + 1)
    make = _random_edges if kind == 0 else _window_edges
    tails, heads = make(edge_seed, n, id_of_pos)
    return {"n": n, "from": tails.astype(np.uint32),
            "to": heads.astype(np.uint32), "source": int(id_of_pos[0])}


# ---- the peer ------------------------------------------------------------


def prepare(seed: int, n: int) -> dict:
    """Untimed: both graphs' edge lists, as NumPy arrays and as igraph's
    preferred input, a list of (tail, head) pairs."""
    state = {}
    for kind, name in enumerate(KINDS):
        g = graph(kind, seed, n)
        pairs = np.stack([g["from"], g["to"]], axis=1).astype(np.int64)
        g["array"] = pairs
        g["pairs"] = list(zip(g["from"].tolist(), g["to"].tolist()))
        state[name] = g
    return state


def _fresh(g: dict) -> ig.Graph:
    return ig.Graph(g["n"], g["pairs"], directed=True)


def _ops() -> dict:
    """{op name: (setup(state) -> arg, timed(state, arg) -> raw outputs)}.
    A name "op:variant" is another way to compute op's outputs."""
    ops = {}
    for name in KINDS:
        def graph_of(state, name=name):
            return state[name]

        def nothing(state):
            return None

        def fresh(state, name=name):
            return _fresh(state[name])

        ops[name + "_build"] = (
            nothing, lambda state, _, name=name: {
                name + "_graph": _fresh(state[name])})
        ops[name + "_build:numpy"] = (
            graph_of, lambda state, g, name=name: {
                name + "_graph": ig.Graph(g["n"], g["array"].tolist(),
                                          directed=True)})
        ops[name + "_order"] = (
            fresh, lambda state, g, name=name: {
                name + "_order": g.topological_sorting(mode="out")})
        ops[name + "_reach"] = (
            fresh, lambda state, g, name=name: {
                name + "_reached": g.subcomponent(state[name]["source"],
                                                  mode="out")})
        ops[name + "_reach:bfs"] = (
            fresh, lambda state, g, name=name: {
                name + "_reached": g.bfs(state[name]["source"],
                                         mode="out")[0]})
        ops[name + "_scc"] = (
            fresh, lambda state, g, name=name: {
                name + "_scc": g.connected_components(
                    mode="strong").membership})
    return ops


OPS = _ops()


def _forward_edges(g: dict, order) -> int:
    """Edges whose tail comes first in `order`; 2**64-1 when `order` is
    not a permutation (bench_graph_forward_edges in graph_gen.c)."""
    order = np.asarray(order, dtype=np.int64)
    n = g["n"]
    if (len(order) != n or (n and (order.min() < 0 or order.max() >= n))
            or len(np.unique(order)) != n):
        return 2**64 - 1
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    return int(np.count_nonzero(position[g["from"]] < position[g["to"]]))


def _min_labels(parts) -> np.ndarray:
    """Each node's part labelled by the part's smallest node."""
    parts = np.asarray(parts, dtype=np.int64)
    labels, first = np.unique(parts, return_index=True)
    least = np.zeros(labels.max() + 1 if len(labels) else 0, dtype=np.uint32)
    least[labels] = first  # first index of a part is its smallest node
    return least[parts]


def canonical(state: dict, raw: dict) -> dict:
    """Untimed: igraph's answers as the arrays otaprio-bench digests."""
    out = {}
    for name in KINDS:
        g = state[name]
        reached = np.zeros(g["n"], dtype=np.uint8)
        reached[np.asarray(raw[name + "_reached"], dtype=np.int64)] = 1
        out[name + "_edges"] = np.concatenate([g["from"], g["to"]])
        out[name + "_order_forward"] = np.array(
            [_forward_edges(g, raw[name + "_order"])], dtype=np.uint64)
        out[name + "_reached"] = reached
        out[name + "_scc"] = _min_labels(raw[name + "_scc"])
    return out


def describe(state: dict) -> dict:
    """Sizes of the inputs, for the runner's record."""
    return {name: {"nodes": state[name]["n"],
                   "edges": len(state[name]["from"]),
                   "source": state[name]["source"]} for name in KINDS}
