# SPDX-License-Identifier: MIT
"""No growth over 10^5 calls: representative functions, failing calls
included, measured by tracemalloc (the binding's Python objects) and by a
counting allocator handed to every handle the library creates
(``otaprio._alloc.counting``: the library's own memory)."""
from __future__ import annotations

import gc
import tracemalloc
from typing import Callable, List, Type

import numpy as np
import pytest

import otaprio
from otaprio import _alloc
from otaprio import (BreakglassPolicy, BreakglassRequest, GuardRule, Issue,
                     IssueClass, Level, MetricData, Package, PlanRole,
                     Relation)

CALLS = 100_000


def _catalog() -> otaprio.Catalog:
    builder = otaprio.CatalogBuilder()
    fw = builder.add_component("fw")
    for text in ("1.0", "1.1", "2.0"):
        builder.add_version(fw, text)
    bridge = builder.add_package(Package("fw-1.1", download_bytes=10))
    builder.add_relation(bridge, Relation.PROVIDES, fw, "1.1")
    fix = builder.add_package(Package("fw-2.0", regions=[1, 2]))
    builder.add_relation(fix, Relation.REQUIRES, fw, ">= 1.1")
    builder.add_relation(fix, Relation.PROVIDES, fw, "2.0")
    return builder.build()


def _expect(error: Type[BaseException], call: Callable[[], object]) -> None:
    try:
        call()
    except error:
        return
    raise AssertionError("%s did not raise %s" % (call, error.__name__))


def _workload(allocator: _alloc.CountingAllocator
              ) -> List[Callable[[], object]]:
    """One round of calls: each makes or uses handles under the counting
    allocator, and several fail on purpose."""
    catalog = _catalog()
    versions = [np.array([0, 1, 2, 1], np.uint32)]
    devices = {"region": np.array([1, 2, 3, 1], np.uint32)}
    guards = otaprio.GuardSet([GuardRule("crash", margin=0.2,
                                         minimum_sample=10)])
    data = [MetricData("crash", 0, 30, canary_events=[6],
                       canary_trials=[50], baseline_events=[10],
                       baseline_trials=[1000])]
    model = otaprio.RiskModel()
    issue = Issue(issue_class=IssueClass.SECURITY,
                  security_impact=Level.HIGH)
    policy = BreakglassPolicy({PlanRole.SECURITY_LEAD: 1}, excluded=[3])
    request = BreakglassRequest([(PlanRole.SECURITY_LEAD, 1)], cohorts=[3])
    return [
        lambda: otaprio.Graph.from_edges(5, [0, 1, 2], [1, 2, 3]).reach([0]),
        lambda: _expect(otaprio.CycleError, otaprio.Graph.from_edges(
            3, [0, 1, 2], [1, 2, 0]).order),
        lambda: _expect(otaprio.OutOfRangeError, lambda: otaprio.Graph
                        .from_edges(3, [0], [7])),
        lambda: catalog.check_devices(1, versions, devices),
        lambda: catalog.update_path(1, versions, 0, devices),
        lambda: _expect(otaprio.NotFoundError,
                        lambda: catalog.package_id("nope")),
        lambda: _expect(otaprio.OutOfRangeError, lambda: catalog
                        .check_devices(1, [np.array([9], np.uint32)])),
        lambda: guards.evaluate(data),
        lambda: model.score_issue(issue),
        lambda: otaprio.check_breakglass(policy, request),
        lambda: _expect(otaprio.OutOfRangeError, lambda: otaprio
                        .check_breakglass(policy, BreakglassRequest(
                            [(9, 1)]))),  # type: ignore[list-item]
        lambda: otaprio.compare_versions("1.2", "1.10"),
        lambda: _expect(otaprio.ParseError, lambda: otaprio
                        .constraint_matches(">= ", "1")),
        lambda: otaprio.bucket(7, np.arange(16, dtype=np.uint64)),
        lambda: _expect(otaprio.OutOfRangeError,
                        lambda: otaprio.Clusterer(0)),
    ]


def _run(calls: List[Callable[[], object]], rounds: int) -> None:
    for _ in range(rounds):
        for call in calls:
            call()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_growth_over_a_hundred_thousand_calls() -> None:
    """The allocator counts over all 10^5 calls; tracemalloc, which slows
    every allocation down threefold, watches the last quarter (a leak of
    each call shows in any part)."""
    with _alloc.counting() as allocator:
        calls = _workload(allocator)
        rounds = CALLS // len(calls) + 1
        _run(calls, 20)                            # warm caches up
        gc.collect()
        base_blocks, base_bytes = allocator.live_blocks, allocator.live_bytes
        allocations = allocator.allocations
        _run(calls, rounds - rounds // 4)
        gc.collect()
        half_blocks = allocator.live_blocks
        tracemalloc.start()
        base_python = tracemalloc.get_traced_memory()[0]
        _run(calls, rounds // 8)
        gc.collect()
        seven_eighths_python = tracemalloc.get_traced_memory()[0]
        _run(calls, rounds // 4 - rounds // 8)
        gc.collect()
        end_python = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert allocator.allocations - allocations > CALLS  # it did count
        # The library's memory: exactly the same live blocks (the
        # long-lived handles of the workload) before and after.
        assert allocator.live_blocks == half_blocks == base_blocks
        assert allocator.live_bytes == base_bytes
        # The binding's Python memory: no growth beyond noise (interned
        # ints, free lists), far below a byte per call.
        assert end_python - base_python < 16 << 10
        assert end_python - seven_eighths_python < 8 << 10
        del calls
        gc.collect()
        assert allocator.live_blocks == 0   # every handle freed
