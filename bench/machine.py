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
    """CPU model, CPU counts, memory, OS and load of this machine."""
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
        # Other work on the machine skews the times: the load when the run
        # started says how much there was.
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def numpy_blas() -> list | None:
    """The BLAS kernels NumPy loaded: threadpoolctl's view when it is
    installed (pinned since scikit-learn, which needs it), else OpenBLAS
    asked directly through ctypes. Call after importing NumPy. None when neither
    works."""
    keys = ("internal_api", "version", "architecture", "num_threads")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return _openblas_info() or None
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def _openblas_info() -> list:
    """OpenBLAS libraries mapped into this process (NumPy's wheel bundles
    one, with prefixed symbols), with their run-time kernel and threads."""
    import ctypes

    paths = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "openblas" in os.path.basename(path).lower():
                    paths.add(path)
    except OSError:
        return []
    version = None
    try:
        import numpy
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        version = blas.get("version")
    except Exception:  # show_config's layout is not a stable API
        pass
    found = []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue

        def call(name, restype):
            for symbol in ("scipy_openblas_%s64_", "scipy_openblas_%s",
                           "openblas_%s64_", "openblas_%s"):
                fn = getattr(lib, symbol % name, None)
                if fn is not None:
                    fn.restype = restype
                    value = fn()
                    return value.decode() if isinstance(value,
                                                        bytes) else value
            return None

        found.append({
            "internal_api": "openblas",
            "version": version,
            "architecture": call("get_corename", ctypes.c_char_p),
            "num_threads": call("get_num_threads", ctypes.c_int),
            "config": call("get_config", ctypes.c_char_p),
        })
    return found
