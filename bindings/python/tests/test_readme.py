# SPDX-License-Identifier: MIT
"""The README's example runs as written."""
from __future__ import annotations

import re

from conftest import BINDING


def test_the_readme_example_runs() -> None:
    text = (BINDING / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
