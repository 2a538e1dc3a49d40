# SPDX-License-Identifier: MIT
"""Version order and constraints against the golden vectors
(tests/vectors/version_vectors.h, from the independent semver package)."""
from __future__ import annotations

import pytest

import otaprio

from conftest import version_vectors


def test_the_order_matches_the_golden_vectors_pair_by_pair() -> None:
    versions = version_vectors()
    assert len(versions) > 100
    for i, a in enumerate(versions):
        for j, b in enumerate(versions):
            expected = (i > j) - (i < j)
            assert otaprio.compare_versions(a, b) == expected, (a, b)


def test_equal_spellings() -> None:
    assert otaprio.compare_versions("1.2", "v1.02.0") == 0
    assert otaprio.compare_versions(b"1.0-alpha", "1.0-alpha.1") == -1


def test_constraints() -> None:
    assert otaprio.constraint_matches(">= 2.3.1, < 3", "2.9.9")
    assert not otaprio.constraint_matches(">= 2.3.1, < 3", "3.0")
    assert otaprio.constraint_matches("*", "0.0.1")
    versions = version_vectors()
    middle = versions[len(versions) // 2]
    below = [v for v in versions
             if otaprio.constraint_matches("< " + middle, v)]
    assert below == versions[:len(versions) // 2]


def test_bad_text_raises_with_the_offset() -> None:
    with pytest.raises(otaprio.ParseError) as caught:
        otaprio.compare_versions("1.2", "1..2")
    assert caught.value.field == "b"
    assert caught.value.index == 2
    with pytest.raises(otaprio.ParseError) as constraint:
        otaprio.constraint_matches(">= 1, <", "1.0")
    assert constraint.value.field == "constraint"
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.constraint_matches("> 2, < 1", "1.5")
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.compare_versions("1." * 200, "1")
    with pytest.raises(TypeError, match="str or bytes"):
        otaprio.compare_versions(1, "1")  # type: ignore[arg-type]
