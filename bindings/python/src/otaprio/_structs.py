# SPDX-License-Identifier: MIT
"""Copies between dataclasses and the C structs they mirror, field by
field and by name, so a field missing on either side fails loudly."""
from __future__ import annotations

import dataclasses
import enum
import functools
from typing import Any, Callable, Dict, List, Optional, TypeVar

from ._ffi import ffi, lib
from .errors import check

T = TypeVar("T")


def new(ctype: str) -> Any:
    """A zeroed C struct prepared by its ``otaprio_<name>_init`` function
    when it has one, else with only its ``size`` set."""
    struct: Any = ffi.new(ctype + " *")
    init = getattr(lib, ctype + "_init", None)
    if init is not None:
        check(init(struct, ffi.sizeof(ctype)))
    else:
        struct.size = ffi.sizeof(ctype)
    return struct


def _python(value: Any) -> Any:
    if isinstance(value, ffi.CData):
        # An array becomes a tuple; a pointer (a name, unset) has no default.
        return tuple(value) if ffi.typeof(value).kind == "array" else None
    return value


@functools.lru_cache(maxsize=None)
def defaults(ctype: str) -> Dict[str, Any]:
    """The fields of a freshly initialised struct, as Python values."""
    struct = new(ctype)
    return {name: _python(getattr(struct, name))
            for name, _ in ffi.typeof(ctype).fields if name != "size"}


def default(ctype: str, name: str, convert: Callable[[Any], T]
            ) -> Callable[[], T]:
    """A dataclass default factory: the C default of one field."""
    return lambda: convert(defaults(ctype)[name])


def to_c(ctype: str, value: Any, keep: Optional[List[Any]] = None) -> Any:
    """A prepared C struct holding the dataclass ``value``'s fields.

    A ``str`` field of a ``const char *`` member is copied into a
    NUL-terminated C string appended to ``keep``, which the caller holds for
    as long as C reads the struct.
    """
    struct = new(ctype)
    fields = {name: field.type for name, field in ffi.typeof(ctype).fields}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        kind = fields[field.name]
        if kind.kind == "array":
            items = list(item)
            if len(items) != kind.length:
                raise ValueError("%s.%s needs %d values, not %d"
                                 % (type(value).__name__, field.name,
                                    kind.length, len(items)))
            setattr(struct, field.name, [float(x) for x in items])
        elif kind.kind == "pointer" and kind.item.cname == "char":
            if not isinstance(item, str) or keep is None:
                raise TypeError("%s.%s must be a str" % (type(value).__name__,
                                                         field.name))
            text = ffi.new("char[]", item.encode("utf-8"))
            keep.append(text)
            setattr(struct, field.name, text)
        elif isinstance(item, enum.Enum):
            setattr(struct, field.name, int(item.value))
        elif isinstance(item, bool):
            setattr(struct, field.name, int(item))
        else:
            try:
                setattr(struct, field.name, item)
            except (TypeError, OverflowError) as error:
                raise type(error)("%s.%s: %s" % (type(value).__name__,
                                                 field.name, error)) from None
    return struct
