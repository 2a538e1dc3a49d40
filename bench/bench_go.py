#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Go binding's overhead on the two batch paths of the C benches `risk`
and `cohort`: the same calls on the same fleets, through bindings/go, so
the ratio Go / C is the binding's cost.

  risk    score N devices for one fix through otaprio_risk_score_stream()
          in chunks of 65,536 (bench_risk.c): RiskModel.ScoreStream with a
          Go callback slicing the fleet's columns ("stream"), and one
          RiskModel.ScoreDevices call over the whole fleet ("columns"), the
          C bench's three outputs in both, into slices allocated once
  cohort  a 1% PROPORTIONAL cohort over the 15,000 strata of
          bench/cohort_gen.c: CohortSampler.Observe in chunks of 65,536,
          then Finish (bench_cohort.c's "exact" operation)

The Go benchmarks (bindings/go/risk_bench_test.go, cohort_bench_test.go)
build the C benches' fleets from the same generators; their tests check
that against the C benches' checksums. The Go test binary is built first
(untimed) against the library of --build, as pkg-config finds it there;
fleets are generated untimed. --reps rounds, each running every
benchmark once on each side, in turn; the ratios are medians of the
rounds' ratios (the machine drifts between rounds), the times medians.

Usage: python3 bench/bench_go.py --build <release build> [--n N] [--reps R]
Not a test: no assertion on times.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
from typing import Any, Dict, List

ROOT = pathlib.Path(__file__).resolve().parents[1]
BINDING = ROOT / "bindings" / "go"


def go_env(build: pathlib.Path) -> Dict[str, str]:
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = str(build / "meson-uninstalled")
    env["LD_LIBRARY_PATH"] = str(build)
    env["CGO_ENABLED"] = "1"
    env.setdefault("GOFLAGS", "-buildvcs=false")
    return env


def go_bench(binary: pathlib.Path, build: pathlib.Path, pattern: str,
             n: int, reps: int) -> Dict[str, List[float]]:
    """Seconds of each run of each benchmark matching pattern."""
    out = subprocess.run(
        [str(binary), "-test.run", "^$", "-test.bench", pattern,
         "-test.benchtime", "1x", "-test.count", str(reps),
         "-risk.devices", str(n), "-cohort.devices", str(n)],
        cwd=BINDING, env=go_env(build), check=True, capture_output=True,
        text=True).stdout
    runs: Dict[str, List[float]] = {}
    for name, ns in re.findall(r"^(Benchmark\S+?)(?:-\d+)?\s+1\s+(\d+) ns/op",
                               out, re.M):
        runs.setdefault(name, []).append(int(ns) / 1e9)
    return runs


def c_bench(binary: str, name: str, n: int, reps: int) -> Dict[str, Any]:
    out = subprocess.run([binary, name, "--n", str(n), "--reps", str(reps)],
                         check=True, capture_output=True, text=True).stdout
    line: Dict[str, Any] = json.loads(out.splitlines()[0])
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, type=pathlib.Path,
                        help="a release meson build of libotaprio with "
                        "-Dbench=true")
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    build = args.build.resolve()
    c_exe = str(build / "bench" / "otaprio-bench")
    median = statistics.median
    runs: Dict[str, List[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        binary = pathlib.Path(tmp) / "otaprio.test"
        subprocess.run(["go", "test", "-c", "-o", str(binary), "."],
                       cwd=BINDING, env=go_env(build), check=True)
        # Rounds of one run of each, C and Go side by side, so that the
        # machine's drift lands on both sides of each ratio alike.
        for _ in range(args.reps):
            c_risk = c_bench(c_exe, "risk", args.n, 1)
            runs.setdefault("c_risk_stream", []).append(
                c_risk["median_ms"] / 1e3)
            for name, seconds in go_bench(binary, build,
                                          "^BenchmarkScoreDevices$",
                                          args.n, 1).items():
                runs.setdefault(name, []).extend(seconds)
            c_cohort = c_bench(c_exe, "cohort", args.n, 1)
            runs.setdefault("c_cohort_exact", []).append(
                c_cohort["ops"]["exact"]["median_ms"] / 1e3)
            for name, seconds in go_bench(
                    binary, build, "^BenchmarkCohortStratified1Percent$",
                    args.n, 1).items():
                runs.setdefault(name, []).extend(seconds)

    def paired(go: str, c: str) -> float:
        return median([g / s for g, s in zip(runs[go], runs[c])])

    go_stream = "BenchmarkScoreDevices/stream"
    go_columns = "BenchmarkScoreDevices/columns"
    go_exact = "BenchmarkCohortStratified1Percent"
    figures = {
        "n": args.n, "rounds": args.reps,
        "go_risk_stream_s": median(runs[go_stream]),
        "go_risk_columns_s": median(runs[go_columns]),
        "c_risk_stream_s": median(runs["c_risk_stream"]),
        "go_cohort_exact_s": median(runs[go_exact]),
        "c_cohort_exact_s": median(runs["c_cohort_exact"]),
        "ratio_risk_stream": paired(go_stream, "c_risk_stream"),
        "ratio_risk_columns": paired(go_columns, "c_risk_stream"),
        "ratio_cohort_exact": paired(go_exact, "c_cohort_exact"),
        "ratio_risk_plus_cohort": median(
            [(g + e) / (c + d) for g, e, c, d in zip(
                runs[go_stream], runs[go_exact], runs["c_risk_stream"],
                runs["c_cohort_exact"])]),
        "samples_s": runs,
        "c_cohort_selected": c_cohort["extra"]["exact_selected"],
    }
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
