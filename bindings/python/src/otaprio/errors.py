# SPDX-License-Identifier: MIT
"""Exceptions: one class per ``OTAPRIO_E_*`` status code, each carrying the
library's diagnostics (the offending field, element index and message)."""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

from ._ffi import ffi, lib, text
from .enums import Status


class Error(Exception):
    """A libotaprio call failed.

    Attributes:
        status: the ``OTAPRIO_E_*`` code the call returned.
        field: the argument or field at fault (``"offsets"``,
            ``"policy.weight_exploited"``); ``""`` when no single one is.
        index: the offending element or row, or -1.
        message: the library's English sentence.
    """

    status: int
    field: str
    index: int
    message: str

    def __init__(self, status: int, field: str = "", index: int = -1,
                 message: str = "") -> None:
        self.status = status
        self.field = field
        self.index = index
        self.message = message or _strerror(status)
        where = field if index < 0 else "%s[%d]" % (field, index)
        super().__init__("%s: %s" % (where, self.message) if where
                         else self.message)


class InvalidArgumentError(Error, ValueError):
    """``OTAPRIO_E_INVALID``: a required value is missing, or arguments
    contradict each other."""


class OutOfMemoryError(Error, MemoryError):
    """``OTAPRIO_E_NOMEM``: the allocator failed."""


class StructSizeError(Error):
    """``OTAPRIO_E_STRUCT_SIZE``: a struct layout the library does not know
    (a binding/library mismatch)."""


class OutOfRangeError(Error, ValueError):
    """``OTAPRIO_E_RANGE``: a value outside its domain (NaN, an unknown
    enumeration value, a probability outside [0, 1])."""


class SizeOverflowError(Error, OverflowError):
    """``OTAPRIO_E_OVERFLOW``: a count or size too large for the platform."""


class ParseError(Error, ValueError):
    """``OTAPRIO_E_SYNTAX``: malformed text; ``index`` is the byte offset."""


class CycleError(Error, ValueError):
    """``OTAPRIO_E_CYCLE``: a graph that must be acyclic has a cycle."""


class NotFoundError(Error, LookupError):
    """``OTAPRIO_E_NOT_FOUND``: what was looked for does not exist."""


class DuplicateError(Error, ValueError):
    """``OTAPRIO_E_DUPLICATE``: something unique was given twice."""


class LimitError(Error):
    """``OTAPRIO_E_LIMIT``: a search stopped at its documented work limit."""


#: The exception class of each status code.
BY_STATUS: Dict[Status, Type[Error]] = {
    Status.E_INVALID: InvalidArgumentError,
    Status.E_NOMEM: OutOfMemoryError,
    Status.E_STRUCT_SIZE: StructSizeError,
    Status.E_RANGE: OutOfRangeError,
    Status.E_OVERFLOW: SizeOverflowError,
    Status.E_SYNTAX: ParseError,
    Status.E_CYCLE: CycleError,
    Status.E_NOT_FOUND: NotFoundError,
    Status.E_DUPLICATE: DuplicateError,
    Status.E_LIMIT: LimitError,
}


def _strerror(status: int) -> str:
    return text(lib.otaprio_strerror(status))


def new_diag() -> Any:
    """A prepared ``otaprio_diag`` for one call."""
    diag = ffi.new("otaprio_diag *")
    lib.otaprio_diag_init(diag, ffi.sizeof("otaprio_diag"))
    return diag


def error_for(status: int, diag: Optional[Any] = None) -> Error:
    """The exception for a failed call's status and diagnostics."""
    field, index, message = "", -1, ""
    if diag is not None and diag.status == status:
        if diag.field != ffi.NULL:
            field = text(diag.field)
        index = int(diag.index)
        message = text(diag.message)
    try:
        cls = BY_STATUS[Status(status)]
    except (ValueError, KeyError):
        cls = Error
    return cls(status, field, index, message)


def check(status: int, diag: Optional[Any] = None) -> None:
    """Raises the exception of a non-zero status."""
    if status != 0:
        raise error_for(status, diag)
