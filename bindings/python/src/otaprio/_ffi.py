# SPDX-License-Identifier: MIT
"""Finds libotaprio and opens it through cffi in ABI mode.

Why cffi's ABI mode (``ffi.dlopen``) rather than its API mode or ctypes:

* the declarations are the real public headers, preprocessed
  (``_declarations.cdef``, checked against ``include/`` by a test), so a
  struct or signature cannot drift the way hand-written ctypes structures
  can;
* nothing is compiled when the package is installed: the wheel is pure
  Python, one wheel serves every CPython from 3.9, and the library is found
  when the package is imported (an installed library through pkg-config, or
  a build tree), so the same wheel works with any ABI-compatible build;
* cffi releases the GIL around every call into C and takes it back for
  Python callbacks, so long calls let other threads run.

Where the library comes from, first match wins:

1. ``OTAPRIO_LIBRARY``: the path of the shared library itself;
2. ``OTAPRIO_BUILD_DIR``: a meson build tree of libotaprio (the library
   sits at its top);
3. ``pkg-config --variable=libdir libotaprio``: an installed library;
4. the dynamic loader's own search (``LD_LIBRARY_PATH``, ldconfig).
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Any, List, Tuple

import cffi

_DECLARATIONS = pathlib.Path(__file__).with_name("_declarations.cdef")

if sys.platform == "darwin":
    _NAMES = ["libotaprio.1.dylib", "libotaprio.dylib"]
elif sys.platform == "win32":
    _NAMES = ["otaprio-1.dll", "otaprio.dll", "libotaprio.dll"]
else:
    _NAMES = ["libotaprio.so.1", "libotaprio.so"]


class LibraryNotFoundError(ImportError):
    """libotaprio could not be found or does not match these bindings."""


def _read_declarations() -> Tuple[str, Tuple[int, int, int]]:
    text = _DECLARATIONS.read_text()
    match = re.search(r"OTAPRIO_VERSION (\d+)\.(\d+)\.(\d+)", text)
    if match is None:
        raise LibraryNotFoundError("%s names no version" % _DECLARATIONS)
    major, minor, patch = (int(part) for part in match.groups())
    return text, (major, minor, patch)


def _in_directory(directory: pathlib.Path) -> List[str]:
    return [str(directory / name) for name in _NAMES
            if (directory / name).exists()]


def _pkg_config_libdir() -> List[str]:
    tool = shutil.which("pkg-config")
    if tool is None:
        return []
    result = subprocess.run([tool, "--variable=libdir", "libotaprio"],
                            capture_output=True, text=True, check=False)
    libdir = result.stdout.strip()
    if result.returncode != 0 or not libdir:
        return []
    return _in_directory(pathlib.Path(libdir))


def candidates() -> List[str]:
    """The library paths (or bare names) to try, in order."""
    library = os.environ.get("OTAPRIO_LIBRARY")
    if library:
        return [library]
    build_dir = os.environ.get("OTAPRIO_BUILD_DIR")
    if build_dir:
        found = _in_directory(pathlib.Path(build_dir))
        if not found:
            raise LibraryNotFoundError(
                "OTAPRIO_BUILD_DIR=%s holds no %s: is it a built meson "
                "build tree of libotaprio?" % (build_dir, " or ".join(_NAMES)))
        return found
    return _pkg_config_libdir() + _NAMES


def _open(ffi: cffi.FFI) -> Tuple[Any, str]:
    errors = []
    for candidate in candidates():
        try:
            return ffi.dlopen(candidate), candidate
        except OSError as error:
            errors.append("%s: %s" % (candidate, error))
    raise LibraryNotFoundError(
        "cannot load libotaprio; install it where pkg-config finds it, or "
        "set OTAPRIO_LIBRARY to the library file or OTAPRIO_BUILD_DIR to a "
        "meson build tree. Tried:\n  " + "\n  ".join(errors))


def _load() -> Tuple[cffi.FFI, Any, str, Tuple[int, int, int]]:
    declarations, version = _read_declarations()
    ffi = cffi.FFI()
    ffi.cdef(declarations)
    lib, path = _open(ffi)
    found = int(lib.otaprio_version())
    major, minor = found // 10000, found // 100 % 100
    # Same major version (the ABI promise), and at least the minor version
    # of the headers these declarations come from (newer functions).
    if major != version[0] or minor < version[1]:
        raise LibraryNotFoundError(
            "%s is libotaprio %s; these bindings need %d.%d or a later %d.x"
            % (path, "%d.%d.%d" % (major, minor, found % 100),
               version[0], version[1], version[0]))
    return ffi, lib, path, version


def text(pointer: Any) -> str:
    """The NUL-terminated string at a ``const char *``, decoded."""
    value = ffi.string(pointer)
    assert isinstance(value, bytes)
    return value.decode()


ffi, lib, library_path, header_version = _load()
