#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for graph traversals, from an independent implementation:
networkx (pinned in requirements.txt).

Seeded random graphs (acyclic and cyclic, 0 to 300 nodes, some with their
ids shuffled, some with isolated nodes), each with its edges in a shuffled
insertion order, and networkx's answers about it:

    is_dag      networkx.is_directed_acyclic_graph
    scc_min[v]  smallest node of v's strongly connected component
                (networkx.strongly_connected_components), which names the
                partition whatever numbering a library picks
    reached     sources plus networkx.descendants (forward) or
                networkx.ancestors (backward) of each source

Writes tests/vectors/graph_vectors.h; with --check, exits 1 when the stored
file differs from what the reference computes now.
"""
import pathlib
import sys

import networkx

import vectorfile

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "graph_vectors.h"

FORWARD, BACKWARD = 0, 1


class SplitMix64:
    """The graphs' random source, written out rather than taken from the
    random module, so the vectors do not change with the Python version."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def randrange(self, bound):
        return self.next() % bound

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.randrange(i + 1)
            items[i], items[j] = items[j], items[i]

    def sample(self, population, k):
        items = list(population)
        self.shuffle(items)
        return items[:k]


def random_edges(rng, n, m, acyclic, shuffle_ids):
    """m distinct edges without self-loops. Acyclic graphs only go from a
    lower to a higher rank; with shuffle_ids the ranks are a random
    permutation of the ids, so the id order says nothing."""
    if n < 2:
        return []
    most = n * (n - 1) // (2 if acyclic else 1)
    m = min(m, most)
    ids = list(range(n))
    if shuffle_ids:
        rng.shuffle(ids)
    edges = set()
    while len(edges) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b:
            continue
        if acyclic and a > b:
            a, b = b, a
        edges.add((ids[a], ids[b]))
    edges = sorted(edges)
    rng.shuffle(edges)  # the insertion order the C test uses
    return edges


def planted_cycles(rng, n, isolated):
    """A sparse acyclic core with a few cycles of 2 to 6 nodes planted in
    it, and `isolated` nodes (the highest ids) left without edges."""
    core = n - isolated
    edges = set(random_edges(rng, core, core, True, True))
    for length in (2, 3, 4, 6):
        ring = rng.sample(range(core), length)
        for i, a in enumerate(ring):
            edges.add((a, ring[(i + 1) % length]))
    edges = sorted(edges)
    rng.shuffle(edges)
    return edges


def graphs():
    """(name, node count, edges) for every vector graph, all seeded."""
    rng = SplitMix64(20240917)
    yield "empty", 0, []
    yield "isolated", 10, []
    yield "small_dag", 12, random_edges(rng, 12, 20, True, False)
    yield "dag_shuffled", 60, random_edges(rng, 60, 150, True, True)
    yield "cyclic_small", 20, random_edges(rng, 20, 35, False, False)
    yield "cyclic_sparse", 150, random_edges(rng, 150, 170, False, True)
    yield "dag_large", 300, random_edges(rng, 300, 900, True, True)
    yield "cyclic_large", 300, random_edges(rng, 300, 420, False, True)
    yield "planted_cycles", 200, planted_cycles(rng, 200, 20)
    yield "complete_cycle", 8, [(i, (i + 1) % 8) for i in range(8)]


def queries(rng, n):
    """(direction, sources) pairs: single nodes, small sets with a repeat,
    and the empty set."""
    out = [(FORWARD, []), (BACKWARD, [])]
    if n == 0:
        return out
    for direction in (FORWARD, BACKWARD):
        out.append((direction, [rng.randrange(n)]))
        out.append((direction, [rng.randrange(n)]))
        pair = [rng.randrange(n), rng.randrange(n)]
        out.append((direction, pair + [pair[0]]))
    return out


def reached(graph, direction, sources):
    found = set(sources)
    for s in sources:
        if direction == FORWARD:
            found |= networkx.descendants(graph, s)
        else:
            found |= networkx.ancestors(graph, s)
    return sorted(found)


def c_array(name, values):
    if not values:
        return None
    out = ["static const uint32_t %s[] = {" % name]
    line = "   "
    for v in values:
        piece = " %d," % v
        if len(line) + len(piece) > 78:
            out.append(line)
            line = "   "
        line += piece
    out.append(line)
    out.append("};")
    return "\n".join(out)


def render():
    rng = SplitMix64(7)
    out = []
    out.append("/* SPDX-License-Identifier: MIT */")
    out.append("/* Generated by tests/vectors/gen_graph_vectors.py with "
               "networkx %s.\n * Do not edit. */" % networkx.__version__)
    out.append("#include <stddef.h>\n#include <stdint.h>\n")
    out.append("/* clang-format off */")
    out.append("typedef struct graph_vector_query {\n"
               "    int direction; /* 0 forward, 1 backward */\n"
               "    size_t source_count;\n"
               "    const uint32_t *sources;\n"
               "    size_t reached_count;\n"
               "    const uint32_t *reached; /* ascending */\n"
               "} graph_vector_query;\n")
    out.append("typedef struct graph_vector {\n"
               "    const char *name;\n"
               "    uint32_t node_count;\n"
               "    size_t edge_count;\n"
               "    const uint32_t *from; /* in insertion order */\n"
               "    const uint32_t *to;\n"
               "    int is_dag;\n"
               "    uint32_t component_count;\n"
               "    const uint32_t *scc_min; /* per node */\n"
               "    size_t query_count;\n"
               "    const graph_vector_query *queries;\n"
               "} graph_vector;\n")
    table = []
    for name, n, edges in graphs():
        graph = networkx.DiGraph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(edges)
        components = list(networkx.strongly_connected_components(graph))
        scc_min = [0] * n
        for component in components:
            low = min(component)
            for v in component:
                scc_min[v] = low

        def emit(suffix, values):
            text = c_array("%s_%s" % (name, suffix), values)
            if text is None:
                return "NULL"
            out.append(text)
            return "%s_%s" % (name, suffix)

        from_name = emit("from", [a for a, _ in edges])
        to_name = emit("to", [b for _, b in edges])
        scc_name = emit("scc_min", scc_min)
        rows = []
        for q, (direction, sources) in enumerate(queries(rng, n)):
            found = reached(graph, direction, sources)
            src = emit("q%d_sources" % q, sources)
            hit = emit("q%d_reached" % q, found)
            rows.append("    {%d, %d, %s, %d, %s}," %
                        (direction, len(sources), src, len(found), hit))
        out.append("static const graph_vector_query %s_queries[] = {" % name)
        out.extend(rows)
        out.append("};\n")
        table.append('    {"%s", %d, %d, %s, %s, %d, %d, %s, %d, %s_queries},' %
                     (name, n, len(edges), from_name, to_name,
                      int(networkx.is_directed_acyclic_graph(graph)),
                      len(components), scc_name, len(rows), name))
    out.append("static const graph_vector graph_vectors[] = {")
    out.extend(table)
    out.append("};")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
