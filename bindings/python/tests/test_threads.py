# SPDX-License-Identifier: MIT
"""One model and the bucketing functions used from many threads at once
give the answers of one thread (the library has no global state; cffi
releases the GIL during each call)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import List

import numpy as np

import otaprio
from otaprio import Issue, IssueClass, Level, RiskModel


def test_one_model_scores_from_many_threads() -> None:
    model = RiskModel()
    issue = model.score_issue(Issue(issue_class=IssueClass.SECURITY,
                                    security_impact=Level.CRITICAL))
    rng = np.random.default_rng(7)
    columns = {"device_class": rng.integers(0, 11, 20000).astype(np.uint8),
               "battery": rng.random(20000).astype(np.float32),
               "busy": rng.integers(0, 2, 20000).astype(np.uint8)}
    expected = model.score_devices(issue, columns).priority

    def work(_: int) -> bool:
        again = model.score_devices(issue, columns).priority
        return bool(np.array_equal(again, expected))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(work, range(32)))


def test_bucketing_from_many_threads() -> None:
    keys = otaprio.keys(["SN-%06d" % i for i in range(5000)])
    expected = otaprio.bucket(42, keys).positions

    def work(salt: int) -> List[int]:
        positions: List[int] = otaprio.bucket(salt, keys).positions.tolist()
        return positions

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, [42] * 16))
    assert all(result == expected.tolist() for result in results)


def test_streams_from_many_threads() -> None:
    model = RiskModel()
    issue = model.score_issue(Issue())

    def work(n: int) -> int:
        chunk = {"device_class": np.full(n, 3, np.uint8)}
        return model.score_stream(issue, iter([chunk, chunk])).devices

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(work, range(1, 17))) == \
            [2 * n for n in range(1, 17)]


def test_plans_from_many_threads() -> None:
    keys = otaprio.keys(["SN-%d" % i for i in range(2000)])
    ring = np.full(2000, 2, np.uint8)
    ring[:10] = 0
    fleet = [{"keys": keys[:1200], "ring": ring[:1200]},
             {"keys": keys[1200:], "ring": ring[1200:]}]

    def work(salt: int) -> str:
        return repr(otaprio.create_plan(Issue(), fleet, salt=salt))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, [5] * 8 + [6] * 8))
    assert len(set(results[:8])) == 1 and len(set(results[8:])) == 1
    assert results[0] == work(5)


def test_one_guardrail_set_from_many_threads() -> None:
    rules = otaprio.GuardSet([otaprio.GuardRule("crash", margin=0.2)])

    def work(events: int) -> float:
        data = otaprio.MetricData("crash", 0, 48, canary_events=[events],
                                  baseline_events=[10],
                                  canary_trials=[1000],
                                  baseline_trials=[1000])
        return rules.evaluate([data]).results[0].p_value

    expected = [work(e) for e in range(20)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(work, range(20))) == expected


def test_one_cohort_queried_from_many_threads() -> None:
    keys = otaprio.keys(["SN-%d" % i for i in range(4000)])
    os_codes = (np.arange(4000) % 5).astype(np.uint32)
    sampler = otaprio.Sampler(otaprio.CohortSpec(
        waves=[0.01, 0.1, 1], strata=["os"], cardinalities=[5], salt=3))
    sampler.observe({"keys": keys, "os": os_codes})
    cohort = sampler.finish()
    expected = cohort.assign({"keys": keys, "os": os_codes}).tolist()

    def work(_: int) -> bool:
        waves: List[int] = cohort.assign({"keys": keys,
                                          "os": os_codes}).tolist()
        return waves == expected and cohort.representativeness(1).tvd < 1

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(work, range(16)))


def test_other_threads_run_while_c_scores() -> None:
    # A thread that only notes the time runs beside a long call (a million
    # devices, every output): the Python around the C call takes
    # microseconds at its two ends, the call itself milliseconds, so a note
    # taken in the middle half of the call's window was taken while C ran.
    # Were the GIL held during C calls, no Python code of another thread
    # could run there, and no note could fall in it.
    import bisect
    import sys
    import threading
    import time

    model = RiskModel()
    issue = model.score_issue(Issue(issue_class=IssueClass.SECURITY,
                                    security_impact=Level.CRITICAL))
    n = 1_000_000
    columns = {"device_class": (np.arange(n) % 11).astype(np.uint8),
               "battery": np.full(n, 0.5, np.float32)}
    out = otaprio.DeviceResults.empty(n)
    notes: List[float] = []
    done = threading.Event()

    def note() -> None:
        while not done.is_set():
            notes.append(time.perf_counter())

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    worker = threading.Thread(target=note)
    worker.start()
    windows = []
    try:
        for _ in range(5):
            start = time.perf_counter()
            model.score_devices(issue, columns, out=out)
            end = time.perf_counter()
            windows.append((start + (end - start) / 4,
                            end - (end - start) / 4))
    finally:
        done.set()
        worker.join()
        sys.setswitchinterval(interval)
    inside = sum(bisect.bisect_right(notes, high) -
                 bisect.bisect_left(notes, low) for low, high in windows)
    assert inside > 0
