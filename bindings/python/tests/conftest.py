# SPDX-License-Identifier: MIT
"""Shared test setup: where the library and the repository's golden
vectors are. Without OTAPRIO_LIBRARY or OTAPRIO_BUILD_DIR, the tests use
the repository's own build tree, ``build/``, when it exists."""
from __future__ import annotations

import os
import pathlib
import re
from typing import Any, List, Sequence, Tuple

BINDING = pathlib.Path(__file__).resolve().parents[1]
ROOT = BINDING.parents[1]
VECTORS = ROOT / "tests" / "vectors"

if not (os.environ.get("OTAPRIO_LIBRARY")
        or os.environ.get("OTAPRIO_BUILD_DIR")) and (ROOT / "build").is_dir():
    os.environ["OTAPRIO_BUILD_DIR"] = str(ROOT / "build")


def _c_string(text: str) -> bytes:
    """A C string literal's bytes (the vectors use octal escapes only)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)),
                  text).encode("latin-1")


def key_vectors() -> List[Tuple[bytes, int]]:
    """(identifier, key) pairs of tests/vectors/bucket_vectors.h."""
    text = (VECTORS / "bucket_vectors.h").read_text()
    rows = re.findall(r'\{"((?:[^"\\]|\\.)*)", (\d+), (0x[0-9a-f]+)ull\}',
                      text)
    out = []
    for literal, length, key in rows:
        data = _c_string(literal)
        assert len(data) == int(length)
        out.append((data, int(key, 16)))
    return out


def bucket_vectors() -> List[Tuple[int, int, int, float]]:
    """(salt, key, position, fraction) rows of bucket_vectors.h."""
    text = (VECTORS / "bucket_vectors.h").read_text()
    rows = re.findall(r"\{(0x[0-9a-f]+)ull, (0x[0-9a-f]+)ull, "
                      r"(0x[0-9a-f]+)ull, (\S+)\}", text)
    return [(int(s, 16), int(k, 16), int(p, 16), float.fromhex(f))
            for s, k, p, f in rows]


def ssvc_vectors() -> List[Tuple[int, int, int, int, int]]:
    """(exploitation, automatable, technical impact, mission, decision)
    rows of tests/vectors/ssvc_vectors.h."""
    text = (VECTORS / "ssvc_vectors.h").read_text()
    body = text[text.index("ssvc_vectors[]"):]
    return [(int(a), int(b), int(c), int(d), int(e)) for a, b, c, d, e in
            re.findall(r"\{(\d), (\d), (\d), (\d), (\d)\}", body)]


def version_vectors() -> List[str]:
    """tests/vectors/version_vectors.h: versions in ascending order."""
    text = (VECTORS / "version_vectors.h").read_text()
    body = text[text.index("version_vectors[] = {"):]
    body = body[:body.index("};")]
    return re.findall(r'"([^"\\]*)"', body)


def plan_power_vectors() -> List[Tuple[int, float, float, float, float,
                                       float, int, int, float]]:
    """Rows of tests/vectors/plan_power_vectors.h: metric, baseline, rise,
    alpha, power, baseline size, exact, status, canary."""
    text = (VECTORS / "plan_power_vectors.h").read_text()

    def number(field: str) -> float:
        return float("inf") if field == "HUGE_VAL" else float.fromhex(field)

    rows = []
    for line in re.findall(r"^    \{(.*)\},$", text, re.M):
        f = [part.strip() for part in line.split(",")]
        rows.append((int(f[0]), number(f[1]), number(f[2]), number(f[3]),
                     number(f[4]), number(f[5]), int(f[6]), int(f[7]),
                     number(f[8])))
    return rows


def os_catalog(min_battery: float = 0.0,
               denied_regions: Sequence[int] = ()) -> Tuple[Any, int, int,
                                                            int, int, int]:
    """A small catalog: os 11.0, 11.2, 12.0 and bootloader 1, 2; packages
    os-11.2 (10 bytes), boot-2 (5 bytes) and os-12 (100 bytes), which
    needs os >= 11.2 and bootloader >= 2. Returns the catalog and the ids
    of os, bootloader, os-11.2, boot-2 and os-12."""
    import otaprio
    from otaprio import Package, Relation

    builder = otaprio.CatalogBuilder()
    os_ = builder.add_component("os")
    boot = builder.add_component("bootloader")
    for text in ("11.0", "11.2", "12.0"):
        builder.add_version(os_, text)
    builder.add_version(boot, "1")
    builder.add_version(boot, "2")
    step = builder.add_package(Package("os-11.2", download_bytes=10))
    builder.add_relation(step, Relation.PROVIDES, os_, "11.2")
    loader = builder.add_package(Package("boot-2", download_bytes=5))
    builder.add_relation(loader, Relation.PROVIDES, boot, "2")
    major = builder.add_package(Package("os-12", download_bytes=100,
                                        min_battery=min_battery,
                                        denied_regions=list(denied_regions)))
    builder.add_relation(major, Relation.REQUIRES, os_, ">= 11.2")
    builder.add_relation(major, Relation.REQUIRES, boot, ">= 2")
    builder.add_relation(major, Relation.PROVIDES, os_, "12.0")
    return builder.build(), os_, boot, step, loader, major
