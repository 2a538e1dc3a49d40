# SPDX-License-Identifier: MIT
"""The package installs as a user installs it, into a fresh virtual
environment with build isolation (the build backend comes from PyPI), and
the wheel it builds installs on its own; both find the library through
OTAPRIO_BUILD_DIR / OTAPRIO_LIBRARY as the tests do."""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import otaprio
from otaprio import _ffi

from conftest import BINDING

CHECK = ("import otaprio, numpy; "
         "assert otaprio.key('SN-00042') == 0x7d74c30402a51f84; "
         "assert otaprio.bucket(0, numpy.array([0], numpy.uint64))"
         ".positions[0] == 0xc77b3abb6f87acd9; print(otaprio.__file__)")


def run(*command: str, cwd: pathlib.Path) -> str:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["OTAPRIO_LIBRARY"] = _ffi.library_path
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(list(command), cwd=cwd, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, "%s\n%s\n%s" % (command, result.stdout,
                                                   result.stderr)
    return result.stdout


def test_pip_install_into_a_fresh_venv(tmp_path: pathlib.Path) -> None:
    # A copy, so the build leaves nothing in the source tree.
    source = tmp_path / "otaprio-src"
    shutil.copytree(BINDING, source, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info", ".mypy_cache"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    run(python, "-m", "pip", "install", "-q", str(source), cwd=tmp_path)
    where = run(python, "-c", CHECK, cwd=tmp_path)
    assert str(venv) in where  # the installed package, not the source

    wheels = tmp_path / "wheels"
    run(python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
        str(source), cwd=tmp_path)
    (wheel,) = wheels.glob("otaprio-%s-py3-none-any.whl" % otaprio.__version__)
    run(python, "-m", "pip", "uninstall", "-q", "-y", "otaprio", cwd=tmp_path)
    run(python, "-m", "pip", "install", "-q", str(wheel), cwd=tmp_path)
    where = run(python, "-c", CHECK, cwd=tmp_path)
    assert str(venv) in where
