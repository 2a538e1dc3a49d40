# SPDX-License-Identifier: MIT
"""The package and these tests pass mypy --strict (pyproject.toml's
[tool.mypy] settings)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import BINDING


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", "/dev/null"],
        cwd=BINDING, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
