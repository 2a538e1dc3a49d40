# SPDX-License-Identifier: MIT
"""Version helpers of the graph engine (``otaprio/graph.h``): the
library's total order of firmware versions (Semantic Versioning 2.0
extended to any number of segments) and its constraints such as
``">= 2.3.1, < 3"``."""
from __future__ import annotations

from typing import Union

from ._ffi import ffi, lib
from .errors import check, new_diag

__all__ = ["compare_versions", "constraint_matches"]

Text = Union[str, bytes]


def _bytes(name: str, value: Text) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise TypeError("%s is str or bytes, not %s"
                    % (name, type(value).__name__))


def compare_versions(a: Text, b: Text) -> int:
    """-1, 0 or 1 as version ``a`` ranks below, equal to or above ``b``.

    ``"1.2"``, ``"1.2.0"`` and ``"v1.02"`` are equal. Malformed text raises
    :class:`otaprio.ParseError` whose ``field`` is ``"a"`` or ``"b"`` and
    ``index`` the byte offset; text longer than the library's limit raises
    :class:`otaprio.OutOfRangeError`.
    """
    left, right = _bytes("a", a), _bytes("b", b)
    order = ffi.new("int *")
    diag = new_diag()
    check(lib.otaprio_version_compare(left, len(left), right, len(right),
                                      order, diag), diag)
    return int(order[0])


def constraint_matches(constraint: Text, version: Text) -> bool:
    """Whether ``version`` satisfies ``constraint`` (``"*"`` or
    comma-separated clauses like ``">= 2.3.1, < 3"``).

    A malformed constraint or version raises :class:`otaprio.ParseError`
    (``field`` ``"constraint"`` or ``"version"``); a constraint whose ends
    cross raises :class:`otaprio.OutOfRangeError`.
    """
    text, value = _bytes("constraint", constraint), _bytes("version", version)
    matches = ffi.new("int *")
    diag = new_diag()
    check(lib.otaprio_constraint_matches(text, len(text), value, len(value),
                                         matches, diag), diag)
    return bool(matches[0])
