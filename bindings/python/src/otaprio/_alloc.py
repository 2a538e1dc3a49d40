# SPDX-License-Identifier: MIT
"""The allocator handed to the library when a handle is created: the C
library's (NULL) unless a test installs a counting one with
:func:`counting`, which forwards to libc and counts live blocks, so a leak
test sees every byte the library holds for the binding's handles.

Private and for tests: the counting allocator calls back into Python on
every allocation, and handles created under it must be freed before it is
discarded (the library keeps a copy of its function pointers).
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Dict, Iterator, cast

import cffi

from ._ffi import ffi, lib

_state = threading.local()


def current() -> Any:
    """The ``const otaprio_allocator *`` for a new handle (NULL: libc's)."""
    return getattr(_state, "allocator", None) or ffi.NULL


class CountingAllocator:
    """libc's malloc, realloc and free, counting calls and live blocks."""

    def __init__(self) -> None:
        self._libc_ffi = cffi.FFI()
        self._libc_ffi.cdef("void *malloc(size_t); void *realloc(void *, "
                            "size_t); void free(void *);")
        self._libc: Any = self._libc_ffi.dlopen(None)
        self.sizes: Dict[int, int] = {}
        self.allocations = 0
        self.frees = 0
        self._callbacks: Any = (
            ffi.callback("otaprio_alloc_fn", self._alloc),
            ffi.callback("otaprio_realloc_fn", self._realloc),
            ffi.callback("otaprio_free_fn", self._free))
        self.struct: Any = cast(Any, ffi.new("otaprio_allocator *"))
        lib.otaprio_allocator_init(self.struct,
                                   ffi.sizeof("otaprio_allocator"))
        self.struct.alloc_fn = self._callbacks[0]
        self.struct.realloc_fn = self._callbacks[1]
        self.struct.free_fn = self._callbacks[2]

    @property
    def live_blocks(self) -> int:
        """Blocks allocated and not yet freed."""
        return len(self.sizes)

    @property
    def live_bytes(self) -> int:
        """Bytes in those blocks."""
        return sum(self.sizes.values())

    def _alloc(self, _user: Any, size: int) -> Any:
        block = self._libc.malloc(size)
        if block != ffi.NULL:
            self.allocations += 1
            self.sizes[int(ffi.cast("uintptr_t", block))] = size
        return block

    def _realloc(self, _user: Any, block: Any, size: int) -> Any:
        moved = self._libc.realloc(block, size)
        if moved != ffi.NULL:
            del self.sizes[int(ffi.cast("uintptr_t", block))]
            self.sizes[int(ffi.cast("uintptr_t", moved))] = size
        return moved

    def _free(self, _user: Any, block: Any) -> None:
        self.frees += 1
        del self.sizes[int(ffi.cast("uintptr_t", block))]
        self._libc.free(block)


@contextlib.contextmanager
def counting() -> Iterator[CountingAllocator]:
    """Handles created in this thread inside the block use a fresh
    :class:`CountingAllocator`."""
    allocator = CountingAllocator()
    previous = getattr(_state, "allocator", None)
    _state.allocator = allocator.struct
    try:
        yield allocator
    finally:
        _state.allocator = previous
