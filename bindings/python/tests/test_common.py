# SPDX-License-Identifier: MIT
"""Keys and bucketing against the repository's golden vectors
(tests/vectors/bucket_vectors.h, from the independent xxhash package)."""
from __future__ import annotations

import numpy as np
import pytest

import otaprio
from otaprio import _arrays

from conftest import bucket_vectors, key_vectors


def test_key_matches_the_golden_vectors() -> None:
    for identifier, expected in key_vectors():
        assert otaprio.key(identifier) == expected


def test_keys_batch_matches_the_golden_vectors() -> None:
    vectors = key_vectors()
    out = otaprio.keys([identifier for identifier, _ in vectors])
    assert out.dtype == np.uint64
    assert out.tolist() == [expected for _, expected in vectors]


def test_str_identifiers_hash_as_utf8() -> None:
    assert otaprio.key("SN-00042") == otaprio.key(b"SN-00042")
    assert otaprio.key("é") == otaprio.key("é".encode())
    assert otaprio.keys([]).shape == (0,)


def test_single_bucket_calls_match_the_golden_vectors() -> None:
    for salt, key, position, fraction in bucket_vectors():
        assert otaprio.bucket_position(salt, key) == position
        assert otaprio.bucket_fraction(salt, key) == fraction


def test_batch_bucketing_matches_the_golden_vectors() -> None:
    vectors = bucket_vectors()
    for salt in sorted({v[0] for v in vectors}):
        rows = [v for v in vectors if v[0] == salt]
        keys = np.array([v[1] for v in rows], np.uint64)
        buckets = otaprio.bucket(salt, keys)
        assert buckets.positions.tolist() == [v[2] for v in rows]
        assert buckets.fractions.tolist() == [v[3] for v in rows]


def test_conforming_arrays_are_not_copied() -> None:
    keys = np.arange(10, dtype=np.uint64)
    assert _arrays.as_column("keys", keys, keys.dtype) is keys
    flags = np.array([True, False])
    view = _arrays.as_column("flag", flags, np.dtype(np.uint8))
    assert np.shares_memory(view, flags)


def test_other_layouts_are_converted_once() -> None:
    keys = np.arange(20, dtype=np.uint64)[::2]  # not contiguous
    expected = otaprio.bucket(7, keys.copy()).positions
    assert otaprio.bucket(7, keys).positions.tolist() == expected.tolist()
    assert otaprio.bucket(7, [int(k) for k in keys]).positions.tolist() == \
        expected.tolist()
    # Signed integers that all fit are converted; the rest is refused.
    assert otaprio.bucket(7, keys.astype(np.int64)).positions.tolist() == \
        expected.tolist()


def test_wrong_dtypes_raise_clear_errors() -> None:
    with pytest.raises(TypeError, match=r"'keys' has dtype float64; "
                       r"expected uint64"):
        otaprio.bucket(1, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="outside uint64"):
        otaprio.bucket(1, np.array([-1], np.int64))
    with pytest.raises(ValueError, match="one-dimensional"):
        otaprio.bucket(1, np.zeros((2, 2), np.uint64))
    with pytest.raises(ValueError, match=r"\[0, 2\*\*64\)"):
        otaprio.bucket_position(-1, 0)
    with pytest.raises(TypeError):
        otaprio.bucket_fraction(0, 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str .* or bytes"):
        otaprio.key(42)  # type: ignore[arg-type]


def test_empty_batches() -> None:
    buckets = otaprio.bucket(3, np.empty(0, np.uint64))
    assert buckets.positions.shape == (0,)
    assert buckets.fractions.shape == (0,)


def test_strerror_names_codes() -> None:
    assert otaprio.strerror(0) != otaprio.strerror(-4)


def test_read_only_arrays_are_read_in_place() -> None:
    keys = np.arange(5, dtype=np.uint64)
    expected = otaprio.bucket(9, keys).positions
    keys.flags.writeable = False
    assert _arrays.as_column("keys", keys, keys.dtype) is keys
    assert otaprio.bucket(9, keys).positions.tolist() == expected.tolist()
