# SPDX-License-Identifier: MIT
"""The examples in examples/ run as written (their own asserts included)."""
from __future__ import annotations

import pathlib
import runpy

import pytest

import otaprio

from conftest import BINDING

EXAMPLES = sorted((BINDING / "examples").glob("*.py"))


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_example_runs(path: pathlib.Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pandas")
    namespace = runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "tier" in out and "BROAD" in out
    plan = namespace["plan"]
    assert plan.summary.planned == int(
        (namespace["fleet"]["wave"] != otaprio.PLAN_NONE).sum())
