# SPDX-License-Identifier: MIT
"""What the benchmarks ran on, for the JSON lines and RESULTS.md."""

import os
import platform


def _first(path: str, key: str) -> str | None:
    """Value of the first `key: value` line of a /proc file, if any."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                name, sep, value = line.partition(":")
                if sep and name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return None


def describe() -> dict:
    """CPU model, CPU counts, memory and OS of this machine."""
    mem_kb = _first("/proc/meminfo", "MemTotal")
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = None
    return {
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor(),
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "mem_gib": (round(int(mem_kb.split()[0]) / 2**20, 1)
                    if mem_kb else None),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def numpy_blas() -> list | None:
    """The BLAS kernels NumPy loaded, when threadpoolctl is installed.

    Optional on purpose: it is not among the pinned packages, and the
    benchmarks so far do no BLAS work; it matters once a peer does.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    keys = ("internal_api", "version", "architecture", "num_threads")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]
