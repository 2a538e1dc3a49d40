#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Known answers for the package catalog, from an independent reference:
small random catalogs worked out by brute force in plain Python.

Versions here are dotted numbers, ordered as tuples with trailing zeros
dropped (the numeric part of the documented order), and are written with
varied spellings ("v2", "02.0") so that the C side must intern by value.
For each catalog the reference computes:

- the package graph: p -> q when q requires a component version p provides
  and no package, q included, provides a lower version the requirement
  admits, every such p of that lowest version; none when q itself provides
  that lowest version;
- the release order: Kahn's algorithm with a first-in first-out queue
  seeded with the sources in ascending order, or a cycle;
- the impact of one flaw: packages hit directly (they provide a flawed
  version, or require the component with a constraint admitting a flawed
  version the catalog knows and do not provide the component), and those
  reached from them along the graph without passing through a package that
  provides the component at a version outside the flaw (a cure);
- every device's block mask and first failing relation for every package,
  some devices with unknown carrier, region or enrollment codes
  (0xFFFFFFFF, OTAPRIO_CODE_UNKNOWN), which fail rules on them;
- every device's update path to every package: all valid package
  sequences up to MAX_STEPS long are enumerated and the best by (steps,
  download bytes, ids) kept; when there is none, a search over states
  confirms that none of any length exists (else the case is left out).

Writes tests/vectors/catalog_vectors.h; with --check, exits 1 when the
stored file differs from what the reference computes now.
"""
import pathlib
import random
import sys
from collections import deque

import vectorfile

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "catalog_vectors.h"

CATALOGS = 150
MAX_COMPONENTS = 3
MAX_VERSIONS = 5
MAX_PACKAGES = 6
MAX_RELATIONS = 4
MAX_DEVICES = 4
MAX_STEPS = 4
NONE = None
UNKNOWN = 0xFFFFFFFF  # OTAPRIO_CODE_UNKNOWN

REQUIRES, PROVIDES, CONFLICTS = 0, 1, 2
REQUIREMENT, CONFLICT, CARRIER, REGION, LEGAL, ENROLLMENT, BATTERY, \
    STORAGE, METERED, CURRENT = (1 << b for b in range(10))


def key(value):
    """A version value as a comparable tuple: trailing zeros dropped."""
    parts = list(value)
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def spell(value, rng):
    """One of the spellings of a value."""
    parts = [str(p) for p in value]
    if rng.random() < 0.25:
        parts = ["0" + p for p in parts]
    if rng.random() < 0.25:
        parts.append("0")
    text = ".".join(parts)
    return ("v" + text) if rng.random() < 0.2 else text


class Constraint:
    def __init__(self, lower, lower_incl, upper, upper_incl):
        self.lower, self.lower_incl = lower, lower_incl
        self.upper, self.upper_incl = upper, upper_incl

    def admits(self, value):
        k = key(value)
        if self.lower is not None:
            lo = key(self.lower)
            if k < lo or (k == lo and not self.lower_incl):
                return False
        if self.upper is not None:
            hi = key(self.upper)
            if k > hi or (k == hi and not self.upper_incl):
                return False
        return True

    def bounds(self):
        return [v for v in (self.lower, self.upper) if v is not None]

    def text(self, rng):
        if self.lower is None and self.upper is None:
            return "*"
        if (self.lower is not None and self.upper is not None
                and key(self.lower) == key(self.upper)):
            return rng.choice(["", "=", "== "]) + spell(self.lower, rng)
        clauses = []
        if self.lower is not None:
            clauses.append((">=" if self.lower_incl else ">") +
                           rng.choice(["", " "]) + spell(self.lower, rng))
        if self.upper is not None:
            clauses.append(("<=" if self.upper_incl else "<") +
                           rng.choice(["", " "]) + spell(self.upper, rng))
        rng.shuffle(clauses)
        return rng.choice([",", ", ", " , "]).join(clauses)


def random_constraint(rng, values):
    """An interval over the component's values, sometimes with a bound
    that is not one of them."""
    pool = values + [(9,), (0, 5)]
    kind = rng.randrange(6)
    a = rng.choice(pool)
    b = rng.choice(pool)
    lo, hi = (a, b) if key(a) <= key(b) else (b, a)
    if kind == 0:
        return Constraint(None, True, None, True)
    if kind == 1:
        return Constraint(a, rng.random() < 0.7, None, True)
    if kind == 2:
        return Constraint(None, True, a, rng.random() < 0.5)
    if kind == 3:
        return Constraint(a, True, a, True)
    if key(lo) == key(hi):
        return Constraint(lo, True, hi, True)
    return Constraint(lo, rng.random() < 0.7, hi, rng.random() < 0.5)


class Catalog:
    pass


def make_catalog(rng):
    cat = Catalog()
    ncomp = rng.randint(1, MAX_COMPONENTS)
    cat.values = []
    for _ in range(ncomp):
        count = rng.randint(2, MAX_VERSIONS)
        seen, values = set(), []
        while len(values) < count:
            v = (rng.randint(1, 4),) if rng.random() < 0.6 else \
                (rng.randint(1, 3), rng.randint(0, 3))
            if key(v) not in seen:
                seen.add(key(v))
                values.append(v)
        cat.values.append(values)  # ids in this (unsorted) order
    cat.version_texts = [[spell(v, rng) for v in vs] for vs in cat.values]
    npkg = rng.randint(4, MAX_PACKAGES)
    cat.packages = []

    def rarely(rule, other):
        return rule if rng.random() < 0.07 else other

    for p in range(npkg):
        pkg = {"name": "pkg-%d-%d" % (p, rng.randrange(1000)),
               "download": rng.choice([0, 10, 10, 20, 50, 100]),
               "install": rarely(rng.choice([100, 1000]), 0),
               "min_battery": rarely(rng.choice([0.5, 0.75]), 0.0),
               "allow_metered": rarely(0, 1),
               "carriers": rarely(rng.choice([[1], [2, 1]]), []),
               "regions": rarely([1, 2], []),
               "denied": rarely([3], []),
               "enrollments": rarely([1], []),
               "relations": []}
        rels = []
        if rng.random() < 0.6:
            # An upgrade step: a version that needs an earlier one of the
            # same component, and maybe something of another.
            c = rng.randrange(ncomp)
            ladder = sorted(cat.values[c], key=key)
            k = rng.randrange(1, len(ladder))
            rels.append((PROVIDES, c, ladder[k], None))
            if rng.random() < 0.8:
                j = rng.randrange(0, k)
                rels.append((REQUIRES, c, None,
                             Constraint(ladder[j], True, None, True)))
            other = rng.randrange(ncomp)
            if other != c and rng.random() < 0.5:
                v = rng.choice(cat.values[other])
                rels.append((REQUIRES, other, None,
                             Constraint(v, True, None, True)))
        else:
            provided = rng.sample(range(ncomp),
                                  rng.choice([1, 1, 1, min(2, ncomp)]))
            for c in provided:
                rels.append((PROVIDES, c, rng.choice(cat.values[c]), None))
        for _ in range(rng.randint(0, max(0, MAX_RELATIONS - 1 - len(rels)))):
            kind = REQUIRES if rng.random() < 0.75 else CONFLICTS
            c = rng.randrange(ncomp)
            # Half are the common shapes: "at least" for a requirement,
            # "below" for a conflict, which make upgrade chains.
            if rng.random() < 0.5:
                v = rng.choice(cat.values[c])
                constraint = Constraint(v, True, None, True) \
                    if kind == REQUIRES else Constraint(None, True, v, False)
            else:
                constraint = random_constraint(rng, cat.values[c])
            rels.append((kind, c, None, constraint))
        rng.shuffle(rels)
        for kind, c, value, constraint in rels:
            text = spell(value, rng) if kind == PROVIDES else \
                constraint.text(rng)
            pkg["relations"].append((kind, c, value, constraint, text))
        cat.packages.append(pkg)
    def oldest_or_any(c):
        """Devices lag: half run their component's lowest version."""
        values = cat.values[c]
        if rng.random() < 0.5:
            return values.index(min(values, key=key))
        return rng.choice(list(range(len(values))) + [NONE])

    ndev = rng.randint(1, MAX_DEVICES)
    cat.devices = []
    for _ in range(ndev):
        cat.devices.append({
            "versions": [oldest_or_any(c) for c in range(ncomp)],
            "carrier": rng.choice([1, 2, 3, 1, 2, 3, UNKNOWN]),
            "region": rng.choice([1, 2, 3, 1, 2, 3, UNKNOWN]),
            "enrollment": rng.choice([0, 1, 0, 1, UNKNOWN]),
            "battery": rng.choice([0.25, 0.5, 0.75, 1.0]),
            "charging": rng.choice([0, 1]),
            "free": rng.choice([0, 500, 5000, 5000, 5000]),
            "metered": rng.choice([0, 1]),
        })
    cat.flaw_component = rng.randrange(ncomp)
    cat.flaw = random_constraint(rng, cat.values[cat.flaw_component])
    cat.flaw_text = cat.flaw.text(rng)
    return cat


# ---- the reference ------------------------------------------------------

def catalog_values(cat, c):
    """Every value of component c the catalog knows: declared, provided
    and constraint bounds."""
    values = {key(v) for v in cat.values[c]}
    for pkg in cat.packages:
        for kind, comp, value, constraint, _ in pkg["relations"]:
            if comp != c:
                continue
            if kind == PROVIDES:
                values.add(key(value))
            else:
                values.update(key(b) for b in constraint.bounds())
    return values


def edges_of(cat):
    edges = set()
    for q, pkg in enumerate(cat.packages):
        for kind, c, _, constraint, _ in pkg["relations"]:
            if kind != REQUIRES:
                continue
            offers = [(key(value), p)
                      for p, other in enumerate(cat.packages)
                      for k2, c2, value, _, _ in other["relations"]
                      if k2 == PROVIDES and c2 == c and
                      constraint.admits(value)]
            if not offers:
                continue
            lowest = min(v for v, _ in offers)
            firsts = {p for v, p in offers if v == lowest}
            if q not in firsts:
                edges.update((p, q) for p in firsts)
    return sorted(edges)


def release_order(n, edges):
    succ = {u: sorted(v for a, v in edges if a == u) for u in range(n)}
    indeg = [sum(1 for _, v in edges if v == u) for u in range(n)]
    queue = deque(u for u in range(n) if indeg[u] == 0)
    order = []
    while queue:
        u = queue.popleft()
        order.append(u)
        for v in succ[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                queue.append(v)
    return order if len(order) == n else None


def impact(cat, edges):
    c = cat.flaw_component
    flawed = {v for v in catalog_values(cat, c)
              if cat.flaw.admits(v)}
    direct = set()
    for p, pkg in enumerate(cat.packages):
        provides_it = any(kind == PROVIDES and comp == c
                          for kind, comp, _, _, _ in pkg["relations"])
        for kind, comp, value, constraint, _ in pkg["relations"]:
            if comp != c:
                continue
            if kind == PROVIDES and cat.flaw.admits(value):
                direct.add(p)
            if (kind == REQUIRES and not provides_it and
                    any(constraint.admits(v) for v in flawed)):
                direct.add(p)
    # A package providing the component at a version outside the flaw
    # cures it: the walk does not go through it.
    cures = set()
    for p, pkg in enumerate(cat.packages):
        for kind, comp, value, _, _ in pkg["relations"]:
            if kind == PROVIDES and comp == c and not cat.flaw.admits(value):
                cures.add(p)
    reached = set(direct)
    frontier = list(direct)
    while frontier:
        u = frontier.pop()
        for a, b in edges:
            if a == u and b not in reached and b not in cures:
                reached.add(b)
                frontier.append(b)
    return [1 if p in direct else 2 if p in reached else 0
            for p in range(len(cat.packages))]


def value_of(cat, c, version_id):
    return None if version_id is NONE else cat.values[c][version_id]


def relation_fails(kind, constraint, installed):
    if kind == REQUIRES:
        return installed is None or not constraint.admits(installed)
    return installed is not None and constraint.admits(installed)


def predicates(pkg, dev):
    blocks = 0
    if pkg["carriers"] and dev["carrier"] not in pkg["carriers"]:
        blocks |= CARRIER
    if pkg["regions"] and dev["region"] not in pkg["regions"]:
        blocks |= REGION
    # An unknown code is in no list; an unknown region is denied.
    if pkg["denied"] and (dev["region"] in pkg["denied"] or
                          dev["region"] == UNKNOWN):
        blocks |= LEGAL
    if pkg["enrollments"] and dev["enrollment"] not in pkg["enrollments"]:
        blocks |= ENROLLMENT
    if (pkg["min_battery"] > 0 and dev["battery"] < pkg["min_battery"]
            and not dev["charging"]):
        blocks |= BATTERY
    if dev["free"] < pkg["install"]:
        blocks |= STORAGE
    if dev["metered"] and not pkg["allow_metered"]:
        blocks |= METERED
    return blocks


def eligibility(cat, pkg, dev):
    """(mask, first failing relation number or None) of one device."""
    installed = [value_of(cat, c, v) for c, v in enumerate(dev["versions"])]
    blocks, first = 0, None
    provides = []
    for number, (kind, c, value, constraint, _) in \
            enumerate(pkg["relations"]):
        if kind == PROVIDES:
            provides.append((c, value))
            continue
        if relation_fails(kind, constraint, installed[c]):
            blocks |= REQUIREMENT if kind == REQUIRES else CONFLICT
            if first is None:
                first = number
    if provides and all(installed[c] is not None and
                        key(installed[c]) >= key(v) for c, v in provides):
        blocks |= CURRENT
    return blocks | predicates(pkg, dev), first


def holds(pkg, state):
    return not any(relation_fails(kind, constraint, state[c])
                   for kind, c, _, constraint, _ in pkg["relations"]
                   if kind != PROVIDES)


def install(pkg, state):
    after = list(state)
    for kind, c, value, _, _ in pkg["relations"]:
        if kind == PROVIDES:
            after[c] = value
    return tuple(after)


def same(a, b):
    return all((x is None) == (y is None) and
               (x is None or key(x) == key(y)) for x, y in zip(a, b))


def steps_from(cat, target, dev):
    """The packages that may be installed on the way."""
    return [p for p, pkg in enumerate(cat.packages)
            if p != target and predicates(pkg, dev) == 0]


def best_path(cat, target, dev):
    """(status, path, bytes): status 'ok', 'not_found' or None when the
    answer is beyond MAX_STEPS."""
    goal = cat.packages[target]
    if predicates(goal, dev):
        return "not_found", [], 0
    start = tuple(value_of(cat, c, v) for c, v in enumerate(dev["versions"]))
    allowed = steps_from(cat, target, dev)
    best = None

    def walk(state, path, spent):
        nonlocal best
        if holds(goal, state):
            cost = (len(path), spent, path)
            if best is None or cost < best:
                best = cost
            return
        if len(path) == MAX_STEPS:
            return
        for p in allowed:
            pkg = cat.packages[p]
            if not holds(pkg, state):
                continue
            after = install(pkg, state)
            if same(after, state):
                continue
            walk(after, path + [p], spent + pkg["download"])

    walk(start, [], 0)
    if best is not None:
        return "ok", best[2], best[1]
    # Nothing within MAX_STEPS: is any goal state reachable at all?
    seen = {tuple(key(v) if v is not None else None for v in start)}
    frontier = [start]
    while frontier:
        state = frontier.pop()
        if holds(goal, state):
            return None, [], 0
        for p in allowed:
            pkg = cat.packages[p]
            if holds(pkg, state):
                after = install(pkg, state)
                k = tuple(key(v) if v is not None else None for v in after)
                if k not in seen:
                    seen.add(k)
                    frontier.append(after)
    return "not_found", [], 0


# ---- output ---------------------------------------------------------------

def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_list(values, size, fill="0"):
    items = [str(v) for v in values] + [fill] * (size - len(values))
    return "{" + ", ".join(items) + "}"


def render_catalog(cat, index):
    n = len(cat.packages)
    edges = edges_of(cat)
    order = release_order(n, edges)
    marks = impact(cat, edges)
    out = []
    out.append("    {/* catalog %d */" % index)
    out.append("     %d," % len(cat.values))
    out.append("     {" + ", ".join(
        "{" + ", ".join(c_string(t) for t in texts) + "}"
        for texts in cat.version_texts) + "},")
    out.append("     " + c_list([len(t) for t in cat.version_texts],
                                MAX_COMPONENTS) + ",")
    out.append("     %d," % n)
    out.append("     {")
    for pkg in cat.packages:
        rels = ", ".join("{%d, %d, %s}" % (kind, c, c_string(text))
                         for kind, c, _, _, text in pkg["relations"])
        out.append(
            "      {%s, %d, %d, %sf, %d, %s, %d, %s, %d, %s, %d, %s, %d, "
            "{%s}, %d}," % (
                c_string(pkg["name"]), pkg["download"], pkg["install"],
                repr(pkg["min_battery"]), pkg["allow_metered"],
                c_list(pkg["carriers"], 2), len(pkg["carriers"]),
                c_list(pkg["regions"], 2), len(pkg["regions"]),
                c_list(pkg["denied"], 2), len(pkg["denied"]),
                c_list(pkg["enrollments"], 2), len(pkg["enrollments"]),
                rels, len(pkg["relations"])))
    out.append("     },")
    nd = len(cat.devices)
    out.append("     %d," % nd)
    out.append("     {" + ", ".join(
        c_list(["CV_NONE" if d["versions"][c] is NONE else d["versions"][c]
                for d in cat.devices], MAX_DEVICES)
        for c in range(len(cat.values))) + "},")
    for column in ("carrier", "region", "enrollment"):
        out.append("     " + c_list(["CV_UNKNOWN" if d[column] == UNKNOWN
                                     else d[column] for d in cat.devices],
                                    MAX_DEVICES) + ",")
    out.append("     " + c_list(["%sf" % repr(d["battery"])
                                 for d in cat.devices], MAX_DEVICES) + ",")
    for column in ("charging", "free", "metered"):
        out.append("     " + c_list([d[column] for d in cat.devices],
                                    MAX_DEVICES) + ",")
    out.append("     %d, {%s}," % (len(edges), ", ".join(
        "{%d, %d}" % e for e in edges) or "{0, 0}"))
    out.append("     %d, %s," % (order is not None,
                                 c_list(order or [], MAX_PACKAGES)))
    out.append("     %d, %s, %s," % (cat.flaw_component,
                                     c_string(cat.flaw_text),
                                     c_list(marks, MAX_PACKAGES)))
    blocks, firsts = [], []
    for pkg in cat.packages:
        row_b, row_f = [], []
        for dev in cat.devices:
            b, f = eligibility(cat, pkg, dev)
            row_b.append(b)
            row_f.append("CV_NO" if f is None else f)
        blocks.append(c_list(row_b, MAX_DEVICES))
        firsts.append(c_list(row_f, MAX_DEVICES))
    out.append("     {" + ", ".join(blocks) + "},")
    out.append("     {" + ", ".join(firsts) + "},")
    paths = []
    for p in range(n):
        for d, dev in enumerate(cat.devices):
            status, path, spent = best_path(cat, p, dev)
            if status is None:
                continue
            paths.append("{%d, %d, %d, %d, %s, %d}" % (
                p, d, status == "ok", len(path),
                c_list(path, MAX_STEPS), spent))
    out.append("     %d, {%s}}," % (len(paths), ", ".join(paths) or "{0}"))
    return out


HEADER = """\
/* SPDX-License-Identifier: MIT */
/* Generated by tests/vectors/gen_catalog_vectors.py, an independent
 * brute-force reference. Do not edit. */
/* clang-format off */
#include <stddef.h>
#include <stdint.h>

#define CV_NONE UINT32_MAX
#define CV_NO UINT32_MAX
#define CV_UNKNOWN UINT32_MAX /* OTAPRIO_CODE_UNKNOWN */

enum {
    CV_COMPONENTS = %d,
    CV_VERSIONS = %d,
    CV_PACKAGES = %d,
    CV_RELATIONS = %d,
    CV_DEVICES = %d,
    CV_STEPS = %d,
    CV_EDGES = %d,
    CV_PATHS = %d
};

typedef struct cv_relation {
    int32_t kind;
    uint32_t component;
    const char *text;
} cv_relation;

typedef struct cv_package {
    const char *name;
    uint64_t download_bytes, install_bytes;
    float min_battery;
    uint8_t allow_metered;
    uint32_t carriers[2];
    size_t carrier_count;
    uint32_t regions[2];
    size_t region_count;
    uint32_t denied[2];
    size_t denied_count;
    uint32_t enrollments[2];
    size_t enrollment_count;
    cv_relation relations[CV_RELATIONS];
    size_t relation_count;
} cv_package;

typedef struct cv_path {
    uint32_t package;
    uint32_t device;
    int found; /* 0: OTAPRIO_E_NOT_FOUND */
    size_t length;
    uint32_t path[CV_STEPS];
    uint64_t bytes;
} cv_path;

typedef struct cv_catalog {
    uint32_t component_count;
    const char *versions[CV_COMPONENTS][CV_VERSIONS];
    uint32_t version_count[CV_COMPONENTS];
    uint32_t package_count;
    cv_package packages[CV_PACKAGES];
    size_t device_count;
    uint32_t installed[CV_COMPONENTS][CV_DEVICES];
    uint32_t carrier[CV_DEVICES], region[CV_DEVICES], enrollment[CV_DEVICES];
    float battery[CV_DEVICES];
    uint8_t charging[CV_DEVICES];
    uint64_t free_bytes[CV_DEVICES];
    uint8_t metered[CV_DEVICES];
    size_t edge_count;
    uint32_t edges[CV_EDGES][2];
    int acyclic;
    uint32_t order[CV_PACKAGES];
    uint32_t flaw_component;
    const char *flaw;
    uint8_t impact[CV_PACKAGES];
    uint32_t blocks[CV_PACKAGES][CV_DEVICES];
    uint32_t first_failed[CV_PACKAGES][CV_DEVICES];
    size_t path_count;
    cv_path paths[CV_PATHS];
} cv_catalog;

static const cv_catalog catalog_vectors[] = {
"""


def render():
    rng = random.Random(20260504)
    body = []
    for i in range(CATALOGS):
        body.extend(render_catalog(make_catalog(rng), i))
    out = HEADER % (MAX_COMPONENTS, MAX_VERSIONS, MAX_PACKAGES, MAX_RELATIONS,
                    MAX_DEVICES, MAX_STEPS, MAX_PACKAGES * MAX_PACKAGES,
                    MAX_PACKAGES * MAX_DEVICES)
    return out + "\n".join(body) + "\n};\n/* clang-format on */\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
