# SPDX-License-Identifier: MIT
"""Hands NumPy arrays to C without copying when they already have the
layout C wants, and converts anything else once, or says why it cannot."""
from __future__ import annotations

from typing import Any, Tuple

import numpy as np
import numpy.typing as npt

from ._ffi import ffi

_C_TYPES = {
    np.dtype(np.uint8): "uint8_t",
    np.dtype(np.int32): "int32_t",
    np.dtype(np.uint32): "uint32_t",
    np.dtype(np.uint64): "uint64_t",
    np.dtype(np.float32): "float",
    np.dtype(np.float64): "double",
}


def as_column(name: str, value: npt.ArrayLike, dtype: np.dtype[Any]
              ) -> npt.NDArray[Any]:
    """``value`` as a 1-D, C-contiguous, aligned array of ``dtype``.

    An array that already is one is returned itself (zero-copy); a boolean
    array for a byte column is viewed as bytes (zero-copy too). Other input
    is converted once when no value can change: a dtype that NumPy casts
    safely, integers whose values all fit, floating point for a
    single-precision column (the library compares such columns in single
    precision anyway). Anything else raises :class:`TypeError` naming the
    column, or :class:`ValueError` for integers that do not fit.
    """
    if (type(value) is np.ndarray and value.dtype == dtype
            and value.ndim == 1 and value.flags.c_contiguous
            and value.flags.aligned):
        return value  # the common case, checked first: chunks come often
    array = np.asarray(value)
    if array.ndim != 1:
        raise ValueError("column %r must be one-dimensional, not of shape %s"
                         % (name, array.shape))
    if array.size == 0 and array.dtype != dtype:
        return np.empty(0, dtype)  # an empty list: no value to change
    if array.dtype == np.bool_ and dtype == np.uint8:
        array = array.view(np.uint8)
    if array.dtype == dtype:
        return np.require(array, dtype, ["C_CONTIGUOUS", "ALIGNED"])
    source = array.dtype
    if np.can_cast(source, dtype, "safe"):
        return np.ascontiguousarray(array, dtype)
    if source.kind in "iu" and dtype.kind in "iu":
        limits = np.iinfo(dtype)
        if array.size and (int(array.min()) < limits.min
                           or int(array.max()) > limits.max):
            raise ValueError(
                "column %r holds values outside %s [%d, %d]"
                % (name, dtype, limits.min, limits.max))
        return np.ascontiguousarray(array, dtype)
    if source.kind == "f" and dtype == np.float32:
        return np.ascontiguousarray(array, dtype)
    raise TypeError(
        "column %r has dtype %s; expected %s (or a dtype that converts to it "
        "without changing a value)" % (name, source, dtype))


def output(count: int, dtype: Any) -> npt.NDArray[Any]:
    """A fresh result array of ``count`` elements."""
    return np.empty(count, dtype)


# The cffi array types, parsed once: a pointer is taken for every column
# of every chunk.
_ARRAY_TYPES = {dtype: ffi.typeof(name + "[]")
                for dtype, name in _C_TYPES.items()}


def pointer(array: npt.NDArray[Any]) -> Any:
    """A C pointer into ``array``'s own buffer (no copy): the array must
    stay referenced for as long as C uses the pointer."""
    if not array.flags.c_contiguous or not array.flags.aligned:
        raise AssertionError("pointer() needs a C-contiguous aligned array")
    buffer: Any = array  # an ndarray exports the buffer protocol
    return ffi.from_buffer(_ARRAY_TYPES[array.dtype], buffer)


def out(array: npt.NDArray[Any]) -> Any:
    """A C pointer for an output ``array``; for an empty one, a pointer to
    one spare element (the library refuses NULL outputs even when there is
    nothing to write)."""
    if array.size == 0:
        return ffi.new(_C_TYPES[array.dtype] + "[1]")
    return pointer(array)


def optional(array: npt.NDArray[Any]) -> Any:
    """A C pointer for an input ``array``; NULL for an empty one."""
    return pointer(array) if array.size else ffi.NULL


def shape_of(arrays: Tuple[npt.NDArray[Any], ...]) -> int:
    """The common length of 1-D arrays (0 for none)."""
    lengths = {int(a.shape[0]) for a in arrays}
    if len(lengths) > 1:
        raise ValueError("columns differ in length: %s" % sorted(lengths))
    return lengths.pop() if lengths else 0
