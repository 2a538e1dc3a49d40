# SPDX-License-Identifier: MIT
"""Version, device keys and deterministic bucketing (``otaprio/common.h``)."""
from __future__ import annotations

import dataclasses
from typing import Iterable, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _arrays
from ._ffi import ffi, lib, library_path, text
from ._ffi import header_version as _headers
from .errors import check, new_diag

__all__ = ["version", "version_string", "header_version", "library_path",
           "strerror", "key", "keys", "bucket_position", "bucket_fraction",
           "bucket", "Buckets"]

_U64 = np.dtype(np.uint64)


def version() -> Tuple[int, int, int]:
    """The loaded library's version as (major, minor, patch)."""
    number = int(lib.otaprio_version())
    return number // 10000, number // 100 % 100, number % 100


def version_string() -> str:
    """The loaded library's version as "MAJOR.MINOR.PATCH"."""
    return text(lib.otaprio_version_string())


def header_version() -> Tuple[int, int, int]:
    """The version of the headers these bindings were generated from."""
    return _headers


def strerror(status: int) -> str:
    """The library's English name of a status code."""
    return text(lib.otaprio_strerror(status))


def _as_bytes(identifier: Union[str, bytes]) -> bytes:
    if isinstance(identifier, str):
        return identifier.encode("utf-8")
    if isinstance(identifier, (bytes, bytearray, memoryview)):
        return bytes(identifier)
    raise TypeError("an identifier is str (hashed as UTF-8) or bytes, not %s"
                    % type(identifier).__name__)


def key(identifier: Union[str, bytes]) -> int:
    """A device's 64-bit key: XXH3-64 of the identifier (UTF-8 for str)."""
    data = _as_bytes(identifier)
    out = ffi.new("uint64_t *")
    check(lib.otaprio_key_derive(data, len(data), out))
    return int(out[0])


def keys(identifiers: Iterable[Union[str, bytes]]
         ) -> npt.NDArray[np.uint64]:
    """Keys of many identifiers at once, as a uint64 array.

    The identifiers are packed once into one buffer with offsets (the layout
    of an Arrow string column) for ``otaprio_key_derive_batch``.
    """
    parts = [_as_bytes(identifier) for identifier in identifiers]
    offsets = np.zeros(len(parts) + 1, _U64)
    np.cumsum([len(part) for part in parts], out=offsets[1:])
    data = b"".join(parts)
    out = _arrays.output(len(parts), _U64)
    diag = new_diag()
    check(lib.otaprio_key_derive_batch(
        data, _arrays.pointer(offsets), len(parts), _arrays.pointer(out),
        diag), diag)
    return out


def _u64(name: str, value: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError("%s must be an integer, not %s"
                        % (name, type(value).__name__))
    if not 0 <= int(value) <= 0xFFFFFFFFFFFFFFFF:
        raise ValueError("%s must lie in [0, 2**64), not %d" % (name, value))
    return int(value)


def bucket_position(salt: int, key: int) -> int:
    """A device's frozen position in a rollout, over the 64-bit range."""
    return int(lib.otaprio_bucket_position(_u64("salt", salt),
                                           _u64("key", key)))


def bucket_fraction(salt: int, key: int) -> float:
    """A device's frozen position in a rollout, as a fraction in [0, 1):
    ``fraction < p`` selects a share ``p`` of the fleet."""
    return float(lib.otaprio_bucket_fraction(_u64("salt", salt),
                                             _u64("key", key)))


@dataclasses.dataclass(frozen=True)
class Buckets:
    """Positions (uint64) and fractions (float64) of many keys."""

    positions: npt.NDArray[np.uint64]
    fractions: npt.NDArray[np.float64]


def bucket(salt: int, keys: npt.ArrayLike) -> Buckets:
    """Positions and fractions of many keys in one call.

    A C-contiguous uint64 array is read in place, without copying.
    """
    column = _arrays.as_column("keys", keys, _U64)
    count = int(column.shape[0])
    positions = _arrays.output(count, _U64)
    fractions = _arrays.output(count, np.float64)
    diag = new_diag()
    check(lib.otaprio_bucket_batch(
        _u64("salt", salt), _arrays.pointer(column), count,
        _arrays.pointer(positions), _arrays.pointer(fractions), diag), diag)
    return Buckets(positions, fractions)


