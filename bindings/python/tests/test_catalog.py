# SPDX-License-Identifier: MIT
"""The catalog against the golden vectors' reference: the catalogs of
tests/vectors/catalog_vectors.h are made again by its generator (same seed)
and every answer is compared with the generator's brute-force reference,
as tests/unit/test_catalog_vectors.c does in C; the clusterer against
tests/vectors/gen_cluster_vectors.py the same way."""
from __future__ import annotations

import importlib
import random
import sys
from typing import Any, Dict, List

import numpy as np
import pytest

import otaprio
from conftest import VECTORS, os_catalog
from otaprio import Block, NameKind, Package, Relation

sys.path.insert(0, str(VECTORS))
gcv: Any = importlib.import_module("gen_catalog_vectors")
gclv: Any = importlib.import_module("gen_cluster_vectors")

UINT32_MAX = 0xFFFFFFFF


def _catalogs() -> List[Any]:
    rng = random.Random(20260504)  # gen_catalog_vectors.render()'s seed
    return [gcv.make_catalog(rng) for _ in range(gcv.CATALOGS)]


CATALOGS = _catalogs()


def _build(cat: Any) -> otaprio.Catalog:
    builder = otaprio.CatalogBuilder()
    for c, texts in enumerate(cat.version_texts):
        assert builder.add_component("c%d" % c) == c
        for v, text in enumerate(texts):
            assert builder.add_version(c, text) == v
    for p, pkg in enumerate(cat.packages):
        assert builder.add_package(Package(
            pkg["name"], download_bytes=pkg["download"],
            install_bytes=pkg["install"], min_battery=pkg["min_battery"],
            allow_metered=bool(pkg["allow_metered"]),
            carriers=pkg["carriers"], regions=pkg["regions"],
            denied_regions=pkg["denied"],
            enrollments=pkg["enrollments"])) == p
        for kind, c, _, _, text in pkg["relations"]:
            builder.add_relation(p, Relation(kind), c, text)
    return builder.build()


def _state(cat: Any) -> Any:
    versions = [np.array([UINT32_MAX if d["versions"][c] is None
                          else d["versions"][c] for d in cat.devices],
                         np.uint32) for c in range(len(cat.values))]
    devices: Dict[str, Any] = {
        "carrier": [d["carrier"] for d in cat.devices],
        "region": [d["region"] for d in cat.devices],
        "enrollment": [d["enrollment"] for d in cat.devices],
        "battery": np.array([d["battery"] for d in cat.devices], np.float32),
        "charging": np.array([d["charging"] for d in cat.devices], np.uint8),
        "free_bytes": np.array([d["free"] for d in cat.devices], np.uint64),
        "metered": np.array([d["metered"] for d in cat.devices], np.uint8)}
    return versions, devices


@pytest.mark.parametrize("index", range(0, gcv.CATALOGS, 1))
def test_catalog_matches_the_reference(index: int) -> None:
    cat = CATALOGS[index]
    catalog = _build(cat)
    n = len(cat.packages)
    info = catalog.info
    assert (info.component_count, info.package_count) == (len(cat.values), n)
    edges = gcv.edges_of(cat)
    graph = catalog.graph
    assert graph.edge_count == len(edges)
    assert {(a, int(b)) for a in range(n) for b in graph.neighbours(a)} \
        == set(edges)
    order = gcv.release_order(n, edges)
    if order is None:
        with pytest.raises(otaprio.CycleError) as caught:
            catalog.release_order()
        assert "cycle: pkg-" in str(caught.value)
        assert caught.value.cycle  # type: ignore[attr-defined]
    else:
        assert catalog.release_order().tolist() == order
    marks = catalog.impact(cat.flaw_component, cat.flaw_text)
    assert marks.tolist() == gcv.impact(cat, edges)
    versions, devices = _state(cat)
    for p, pkg in enumerate(cat.packages):
        assert catalog.package_id(pkg["name"]) == p
        assert catalog.name(NameKind.PACKAGE, p) == pkg["name"]
        result = catalog.check_devices(p, versions, devices)
        want = [gcv.eligibility(cat, pkg, d) for d in cat.devices]
        assert result.blocks.tolist() == [b for b, _ in want]
        assert result.first_failed.tolist() == [
            UINT32_MAX if f is None else f for _, f in want]
        assert result.eligible == sum(1 for b, _ in want if b == 0)
        assert all(isinstance(result.block(i), Block)
                   for i in range(len(want)))
        for d, dev in enumerate(cat.devices):
            status, path, spent = gcv.best_path(cat, p, dev)
            if status is None:
                continue
            if status == "not_found":
                with pytest.raises(otaprio.NotFoundError):
                    catalog.update_path(p, versions, d, devices)
            else:
                got = catalog.update_path(p, versions, d, devices)
                assert (list(got.packages), got.download_bytes) == \
                    (path, spent)
    # A device is hit when it runs a flawed version, or one a hit
    # package provides.
    hit = catalog.impact_devices(cat.flaw_component, cat.flaw_text, versions)
    hit_packages = {p for p, m in enumerate(marks) if m}
    provided = {(c, gcv.key(value)) for p in hit_packages
                for kind, c, value, _, _ in cat.packages[p]["relations"]
                if kind == Relation.PROVIDES}
    want_hit = []
    for d in cat.devices:
        runs = [(c, gcv.value_of(cat, c, v))
                for c, v in enumerate(d["versions"])]
        value = runs[cat.flaw_component][1]
        if value is not None and cat.flaw.admits(value):
            want_hit.append(1)
        else:
            want_hit.append(2 if any(v is not None and (c, gcv.key(v))
                                     in provided for c, v in runs) else 0)
    assert hit.tolist() == want_hit
    for c, texts in enumerate(cat.version_texts):
        assert catalog.name(NameKind.COMPONENT, c) == "c%d" % c
        assert catalog.component_id("c%d" % c) == c
        for v, text in enumerate(texts):
            assert catalog.name(NameKind.VERSION, v, c) == text


def test_a_small_catalog_by_hand() -> None:
    catalog, os_, boot, step, loader, major = os_catalog(
        min_battery=0.5, denied_regions=[3])
    assert catalog.version_id(os_, "11.2.0") == 1
    assert catalog.release_order().tolist()[-1] == major
    versions = [np.array([0, 1, 2], np.uint32),
                np.array([0, 1, 1], np.uint32)]
    devices = {"region": np.array([1, 3, 1], np.uint32),
               "battery": np.array([1.0, 0.2, 1.0], np.float32)}
    result = catalog.check_devices(major, versions, devices)
    assert result.block(0) == Block.REQUIREMENT
    assert result.block(1) == Block.LEGAL | Block.BATTERY
    assert result.block(2) == Block.CURRENT
    path = catalog.update_path(major, versions, 0, devices)
    assert path == otaprio.UpdatePath((step, loader), 15)
    assert catalog.chain_components(major).tolist() == [os_, boot]
    assert catalog.impact(os_, "< 12").tolist()[major] == 0
    with pytest.raises(otaprio.NotFoundError):
        catalog.package_id("nope")
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        catalog.check_devices(major, [np.array([7], np.uint32)])
    assert caught.value.index == 0
    with pytest.raises(ValueError):
        catalog.check_devices(major, versions, {"colour": [1, 2, 3]})
    builder = otaprio.CatalogBuilder()
    builder.add_package(Package("os-12"))
    with pytest.raises(otaprio.DuplicateError):
        builder.add_package(Package("os-12"))
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        builder.add_package(Package("x", regions=[otaprio.CODE_UNKNOWN]))
    assert caught.value.field == "regions"


@pytest.mark.parametrize("case", gclv.sets(), ids=lambda c: c[0])
def test_clusterer_matches_the_reference(case: Any) -> None:
    name, n, cols, include, cohort = case
    ids, members, cohort_members, values = gclv.reference(n, cols, include,
                                                          cohort)
    clusterer = otaprio.Clusterer(len(cols))
    got = clusterer.add(cols, include, cohort)
    assert got.tolist() == ids
    report = clusterer.report()
    assert clusterer.count == len(members)
    assert report.members.tolist() == members
    assert report.cohort_members.tolist() == cohort_members
    assert report.values.tolist() == values


def test_clusterer_refuses_bad_flags() -> None:
    clusterer = otaprio.Clusterer(1)
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        clusterer.add([[1, 2]], include=[1, 2])
    assert caught.value.field == "include"
    assert clusterer.count == 0
    with pytest.raises(ValueError):
        clusterer.add([[1], [2]])
