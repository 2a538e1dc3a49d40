# SPDX-License-Identifier: MIT
"""Where the library is found: OTAPRIO_LIBRARY, OTAPRIO_BUILD_DIR,
pkg-config, and a clear ImportError when it is nowhere."""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
from typing import Dict

import pytest

from otaprio import _ffi

from conftest import BINDING

SHOW = "import otaprio; print(otaprio.library_path)"


def run(env: Dict[str, str]) -> "subprocess.CompletedProcess[str]":
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OTAPRIO_LIBRARY", "OTAPRIO_BUILD_DIR",
                          "PKG_CONFIG_PATH", "LD_LIBRARY_PATH")}
    clean.update(env)
    clean["PYTHONPATH"] = str(BINDING / "src")
    return subprocess.run([sys.executable, "-c", SHOW], env=clean,
                          capture_output=True, text=True, check=False)


def test_the_library_file_itself() -> None:
    result = run({"OTAPRIO_LIBRARY": _ffi.library_path})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == _ffi.library_path


def test_a_build_tree() -> None:
    tree = pathlib.Path(_ffi.library_path).parent
    result = run({"OTAPRIO_BUILD_DIR": str(tree)})
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).parent == tree


def test_pkg_config(tmp_path: pathlib.Path) -> None:
    if shutil.which("pkg-config") is None:
        pytest.skip("no pkg-config")
    libdir = pathlib.Path(_ffi.library_path).parent
    (tmp_path / "libotaprio.pc").write_text(
        "libdir=%s\n\nName: libotaprio\nDescription: test\nVersion: 0.1.0\n"
        "Libs: -L${libdir} -lotaprio\n" % libdir)
    result = run({"PKG_CONFIG_PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).parent == libdir


def test_nowhere_is_a_clear_import_error(tmp_path: pathlib.Path) -> None:
    result = run({"OTAPRIO_BUILD_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "LibraryNotFoundError" in result.stderr
    assert "is it a built meson build tree" in result.stderr
    result = run({"OTAPRIO_LIBRARY": str(tmp_path / "libotaprio.so.1")})
    assert "LibraryNotFoundError" in result.stderr
    assert "set OTAPRIO_LIBRARY" in result.stderr


def test_a_library_of_another_major_version_is_refused(
        tmp_path: pathlib.Path) -> None:
    # The same library, with declarations that claim version 1.0.0.
    package = tmp_path / "otaprio"
    shutil.copytree(BINDING / "src" / "otaprio", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    cdef = package / "_declarations.cdef"
    cdef.write_text(cdef.read_text().replace("OTAPRIO_VERSION 0.1.0",
                                             "OTAPRIO_VERSION 1.0.0"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OTAPRIO_LIBRARY"] = _ffi.library_path
    env["PYTHONPATH"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", SHOW], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "these bindings need 1.0 or a later 1.x" in result.stderr
