# SPDX-License-Identifier: MIT
"""The binding cannot drift from the public headers: its declarations are
regenerated and compared, and every mirrored enumeration, dataclass and
column table is checked against the declarations."""
from __future__ import annotations

import dataclasses
import enum
import os
import re
import shutil
import subprocess
import sys
from typing import Set, Type

import pytest

import otaprio
from otaprio import _ffi, enums, errors, risk

from conftest import BINDING


def test_declarations_match_the_public_headers() -> None:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to preprocess the headers with")
    result = subprocess.run(
        [sys.executable, str(BINDING / "tools" / "gen_declarations.py"),
         "--cc", cc.split()[0], "--check"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_library_matches_the_headers_version() -> None:
    assert otaprio.version() == otaprio.header_version()
    assert otaprio.version_string() == "%d.%d.%d" % otaprio.version()


@pytest.mark.parametrize("cls", list(enums.C_NAMES), ids=lambda c: c.__name__)
def test_enum_mirrors_its_c_enumeration(cls: Type[enum.Enum]) -> None:
    c_enum, prefix = enums.C_NAMES[cls]
    c_values = dict(_ffi.ffi.typeof(c_enum).relements)
    python_values = {prefix + m.name: int(m.value)
                     for m in cls.__members__.values()}
    assert python_values == c_values


#: The C enumerations of engines (or parts) not bound yet. A new
#: enumeration in any header fails the test below until it is mirrored in
#: otaprio.enums or listed here.
NOT_BOUND: Set[str] = set()


def test_every_c_enumeration_is_mirrored_or_listed_as_not_bound() -> None:
    mirrored = {name for name, _ in enums.C_NAMES.values()}
    declared = set(re.findall(r"typedef enum (\w+)",
                              _ffi._DECLARATIONS.read_text()))
    assert declared - mirrored == NOT_BOUND


def test_every_status_code_has_its_exception() -> None:
    for status in enums.Status:
        if status != enums.Status.OK:
            assert errors.BY_STATUS[status].__name__.endswith("Error")
    assert len(set(errors.BY_STATUS.values())) == len(enums.Status) - 1


@pytest.mark.parametrize("cls, ctype", [(otaprio.Issue, "otaprio_issue"),
                                        (otaprio.RiskPolicy,
                                         "otaprio_risk_policy"),
                                        (otaprio.PowerSpec,
                                         "otaprio_plan_power"),
                                        (otaprio.GuardRule,
                                         "otaprio_guard_rule"),
                                        (otaprio.GuardOptions,
                                         "otaprio_guard_options"),
                                        (otaprio.RollbackInput,
                                         "otaprio_rollback_input")])
def test_dataclass_mirrors_its_struct(cls: type, ctype: str) -> None:
    c_fields = [n for n, _ in _ffi.ffi.typeof(ctype).fields if n != "size"]
    assert [f.name for f in dataclasses.fields(cls)] == c_fields


def test_dataclass_defaults_are_the_libraries() -> None:
    policy = otaprio.RiskPolicy()
    assert policy.defect_share == pytest.approx(0.6)
    assert policy.tier_thresholds == (70.0, 50.0, 25.0)
    assert len(policy.class_criticality) == 32
    assert otaprio.Issue().issue_class is otaprio.IssueClass.STABILITY


def test_device_columns_are_the_structs() -> None:
    assert risk.DEVICE_COLUMNS["battery"] == "float32"
    assert risk.DEVICE_COLUMNS["free_bytes"] == "uint64"
    assert risk.DEVICE_COLUMNS["failed_attempts"] == "uint32"
    assert len(risk.DEVICE_COLUMNS) == 17


def test_the_package_version_is_the_projects() -> None:
    text = (BINDING / "pyproject.toml").read_text()
    assert 'version = "%s"' % otaprio.__version__ in text
    assert otaprio.__version__ == "%d.%d.%d" % otaprio.header_version()
