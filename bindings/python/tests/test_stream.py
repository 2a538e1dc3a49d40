# SPDX-License-Identifier: MIT
"""Streaming through otaprio_risk_score_stream's chunk callback: the same
answers as one call, and exceptions from Python re-raised unchanged."""
from __future__ import annotations

from typing import Dict, Iterator, List

import numpy as np
import numpy.typing as npt
import pytest

import otaprio
from otaprio import Disposition, Issue, IssueScore, Reason, RiskModel


class Boom(Exception):
    """An exception of the caller's own."""


def score() -> IssueScore:
    return RiskModel().score_issue(Issue(package_bytes=100 << 20))


def chunks(sizes: List[int]) -> Iterator[Dict[str, npt.NDArray[np.generic]]]:
    start = 0
    for size in sizes:
        rows = np.arange(start, start + size)
        yield {"device_class": (rows % 11).astype(np.uint8),
               "battery": ((rows % 10) / 10).astype(np.float32),
               "link": (rows % 5).astype(np.uint8),
               "affected": (rows % 7 != 0).astype(np.uint8)}
        start += size


def test_a_stream_gives_the_answers_of_one_call() -> None:
    model = RiskModel()
    issue = score()
    sizes = [5, 0, 17, 1]  # an empty chunk in the middle is skipped
    seen: List[int] = []
    priorities: List[npt.NDArray[np.float64]] = []
    reasons: List[npt.NDArray[np.uint32]] = []

    def collect(index: int, results: otaprio.DeviceResults) -> None:
        seen.append(index)
        priorities.append(results.priority.copy())
        reasons.append(results.reasons.copy())

    totals = model.score_stream(issue, chunks(sizes), collect)
    whole = {name: np.concatenate([c[name] for c in chunks(sizes)])
             for name in ("device_class", "battery", "link", "affected")}
    expected = model.score_devices(issue, whole)
    assert seen == [0, 1, 2]
    assert np.array_equal(np.concatenate(priorities), expected.priority)
    assert totals.devices == 23
    for disposition in Disposition:
        assert totals.by_disposition[disposition] == \
            int(np.sum(expected.disposition == disposition))
    assert totals.by_reason[Reason.NOT_AFFECTED] == \
        int(np.sum(np.concatenate(reasons) & Reason.NOT_AFFECTED != 0))


def test_an_empty_stream() -> None:
    totals = RiskModel().score_stream(score(), iter([]))
    assert totals.devices == 0


def test_an_exception_in_the_iterator_is_reraised_unchanged() -> None:
    boom = Boom("from the iterator")

    def failing() -> Iterator[Dict[str, npt.NDArray[np.generic]]]:
        yield from chunks([3])
        raise boom

    with pytest.raises(Boom) as caught:
        RiskModel().score_stream(score(), failing())
    assert caught.value is boom


def test_an_exception_in_the_results_callback_is_reraised_unchanged() -> None:
    calls: List[int] = []

    def sink(index: int, results: otaprio.DeviceResults) -> None:
        calls.append(index)
        raise KeyboardInterrupt  # even a BaseException crosses C unchanged

    with pytest.raises(KeyboardInterrupt):
        RiskModel().score_stream(score(), chunks([2, 2, 2]), sink)
    assert calls == [0]  # the stream stopped at the first exception


def test_an_exception_after_the_last_chunk_is_reraised() -> None:
    def sink(index: int, results: otaprio.DeviceResults) -> None:
        if index == 1:
            raise Boom("last")

    with pytest.raises(Boom, match="last"):
        RiskModel().score_stream(score(), chunks([2, 2]), sink)


def test_a_bad_chunk_raises_the_library_error() -> None:
    def bad() -> Iterator[Dict[str, npt.NDArray[np.generic]]]:
        yield from chunks([4])
        yield {"link": np.array([0, 9], np.uint8)}

    with pytest.raises(otaprio.OutOfRangeError) as caught:
        RiskModel().score_stream(score(), bad())
    assert caught.value.field == "link"
    assert caught.value.index == 1  # within that chunk


def test_a_bad_chunk_type_is_reraised_as_the_binding_raised_it() -> None:
    with pytest.raises(TypeError, match="'battery' has dtype"):
        RiskModel().score_stream(
            score(), iter([{"battery": np.array(["x"])}]))


def test_without_detail_the_same_answers_and_no_extra_columns() -> None:
    model = otaprio.RiskModel()
    score = model.score_issue(otaprio.Issue())
    columns = {"device_class": np.arange(1000, dtype=np.uint8) % 11,
               "battery": np.linspace(0, 1, 1000).astype(np.float32)}
    full = model.score_devices(score, columns)
    lean = model.score_devices(score, columns, detail=False)
    assert lean.criticality.size == lean.delivery_risk.size == 0
    assert (lean.priority == full.priority).all()
    assert (lean.disposition == full.disposition).all()
    assert (lean.reasons == full.reasons).all()
    seen = []
    totals = model.score_stream(
        score, [columns, columns], detail=False,
        on_results=lambda i, r: seen.append(r.criticality.size))
    assert totals.devices == 2000 and seen == [0, 0]


def test_a_stream_without_a_reader_gives_the_same_totals() -> None:
    model = RiskModel()
    issue = score()
    sizes = [40, 3, 17]  # a smaller chunk after a larger one reuses its
    # buffers, a larger one grows them
    read = model.score_stream(issue, chunks(sizes), lambda i, r: None)
    unread = model.score_stream(issue, chunks(sizes))
    lean = model.score_stream(issue, chunks(sizes), detail=False)
    assert read == unread == lean
    assert unread.devices == sum(sizes)


def test_a_stream_without_totals_scores_the_same() -> None:
    model = RiskModel()
    issue = score()
    sizes = [40, 3, 17]
    kept: List[npt.NDArray[np.float64]] = []
    assert model.score_stream(
        issue, chunks(sizes),
        lambda i, r: kept.append(r.priority.copy()), totals=False) is None
    whole = {name: np.concatenate([c[name] for c in chunks(sizes)])
             for name in ("device_class", "battery", "link", "affected")}
    assert np.array_equal(np.concatenate(kept),
                          model.score_devices(issue, whole).priority)
