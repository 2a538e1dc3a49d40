#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python binding's overhead on the two batch paths of the C benches
`risk` and `cohort`: the same calls on the same inputs, through
bindings/python, timed the same way (medians of repetitions, inputs built
untimed), so the ratio Python / C is the binding's cost.

  risk    score N devices for one fix: RiskModel.score_stream() over
          chunks of 65,536 devices (bench_risk.c's otaprio_risk_score_stream
          and source callback), and score_devices() in one call; each with
          every output (the binding's default) and with detail=False (the
          C bench's three outputs), and score_devices(out=...) into
          arrays allocated once, as the C bench's are
  cohort  a 1% PROPORTIONAL cohort over the 4 strata dimensions of
          bench/cohort_gen.py: Sampler.observe() in chunks of 65,536,
          finish() (bench_cohort.c's "exact" operation), and
          Cohort.assign() of every device in the same chunks ("assign_exact")

Usage: OTAPRIO_BUILD_DIR=<release build> python3 bench/bench_python.py
           [--n N] [--reps R] [--seed S] [--c <otaprio-bench>]
With --c, runs `otaprio-bench risk` and `otaprio-bench cohort` with the same
N, seed and repetitions and prints the ratios. Not a test: no assertion
on times.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bindings" / "python" / "src"))

import numpy as np  # noqa: E402

import cohort_gen  # noqa: E402
import otaprio  # noqa: E402
import peer_risk  # noqa: E402
from otaprio import (AttackPath, CohortMethod, DeviceClass, Exploit,  # noqa
                     Issue, IssueClass, Layer, Level, Workflow)

CHUNK = 65536


def median_seconds(run: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_risk(seed: int, n: int, reps: int) -> Dict[str, float]:
    columns = peer_risk.fleet(seed, n)
    model = otaprio.RiskModel()
    # bench_risk.c's fix.
    score = model.score_issue(Issue(
        issue_class=IssueClass.SECURITY, security_impact=Level.MODERATE,
        attack_path=AttackPath.ADJACENT, exploit=Exploit.POC, has_epss=True,
        epss=0.1, affected_share=0.5, concentration=0.2,
        workflows=Workflow.AUTH,
        affected_classes=(1 << DeviceClass.HANDSET)
        | (1 << DeviceClass.ROUTER) | (1 << DeviceClass.GATEWAY),
        layer=Layer.OS, ab_slot=True, package_bytes=200 * 1024 * 1024))

    def chunks() -> Any:
        for first in range(0, n, CHUNK):
            yield {k: v[first:first + CHUNK] for k, v in columns.items()}

    stream = median_seconds(lambda: model.score_stream(score, chunks()), reps)
    whole = median_seconds(lambda: model.score_devices(score, columns), reps)
    # detail=False: the C bench's three outputs (priority, disposition,
    # reasons), without criticality and delivery risk.
    lean_stream = median_seconds(lambda: model.score_stream(
        score, chunks(), detail=False), reps)
    lean_whole = median_seconds(lambda: model.score_devices(
        score, columns, detail=False), reps)
    # Answers into arrays the caller owns, allocated once, as the C bench
    # does: what a host scoring fleet after fleet does.
    out = otaprio.DeviceResults.empty(n, detail=False)
    lean_out = median_seconds(lambda: model.score_devices(
        score, columns, out=out), reps)
    totals = model.score_stream(score, chunks(), detail=False)
    return {"risk_stream_s": stream, "risk_one_call_s": whole,
            "risk_stream_lean_s": lean_stream,
            "risk_one_call_lean_s": lean_whole,
            "risk_one_call_out_s": lean_out,
            "risk_score_milli": float(score.score_milli),
            "risk_by_disposition": [totals.by_disposition[d]
                                    for d in otaprio.Disposition]}


def bench_cohort(seed: int, n: int, reps: int) -> Dict[str, float]:
    fleet = cohort_gen.fleet(seed, n)
    names = ["sku", "os", "region", "connection"]
    codes = np.ascontiguousarray(fleet["codes"].T)  # one row per dimension
    columns = {"keys": fleet["keys"]}
    columns.update({name: codes[d] for d, name in enumerate(names)})
    spec = otaprio.CohortSpec(waves=[0.01], strata=names,
                              cardinalities=[120, 24, 40, 4],
                              salt=cohort_gen.salt(seed),
                              method=CohortMethod.PROPORTIONAL)
    slices = [{k: v[first:first + CHUNK] for k, v in columns.items()}
              for first in range(0, n, CHUNK)]
    cohorts: List[otaprio.Cohort] = []

    def exact() -> None:
        sampler = otaprio.Sampler(spec)
        for chunk in slices:
            sampler.observe(chunk)
        cohorts.append(sampler.finish())

    def assign() -> None:
        for chunk in slices:
            cohorts[-1].assign(chunk)

    sample = median_seconds(exact, reps)
    assigned = median_seconds(assign, reps)
    selected = cohorts[-1].waves[0].selected
    return {"cohort_exact_s": sample, "cohort_assign_s": assigned,
            "cohort_selected": float(selected)}


def c_bench(binary: str, name: str, seed: int, n: int,
            reps: int) -> Dict[str, Any]:
    """The C bench's JSON line for one benchmark."""
    out = subprocess.run([binary, name, "--n", str(n), "--reps", str(reps),
                          "--seed", str(seed)], check=True,
                         capture_output=True, text=True).stdout
    line: Dict[str, Any] = json.loads(out.splitlines()[0])
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--c", help="the otaprio-bench executable")
    args = parser.parse_args()
    figures: Dict[str, Any] = {"n": args.n, "reps": args.reps,
                               "library": otaprio.library_path}
    figures.update(bench_risk(args.seed, args.n, args.reps))
    figures.update(bench_cohort(args.seed, args.n, args.reps))
    if args.c:
        risk = c_bench(args.c, "risk", args.seed, args.n, args.reps)
        cohort = c_bench(args.c, "cohort", args.seed, args.n, args.reps)
        c_stream = risk["median_ms"] / 1e3
        c_exact = cohort["ops"]["exact"]["median_ms"] / 1e3
        c_assign = cohort["ops"]["assign_exact"]["median_ms"] / 1e3
        extra = risk["extra"]
        figures.update({
            "c_risk_stream_s": c_stream, "c_cohort_exact_s": c_exact,
            "c_cohort_assign_s": c_assign,
            "c_risk_score_milli": extra["issue_score_milli"],
            "c_risk_by_disposition": [extra["eligible"], extra["defer"],
                                      extra["blocked"], extra["excluded"]],
            "c_cohort_selected": cohort["extra"]["exact_selected"],
            "ratio_risk_stream": figures["risk_stream_s"] / c_stream,
            "ratio_risk_one_call": figures["risk_one_call_s"] / c_stream,
            "ratio_risk_stream_lean": figures["risk_stream_lean_s"]
            / c_stream,
            "ratio_risk_one_call_lean": figures["risk_one_call_lean_s"]
            / c_stream,
            "ratio_risk_one_call_out": figures["risk_one_call_out_s"]
            / c_stream,
            "ratio_cohort_exact": figures["cohort_exact_s"] / c_exact,
            "ratio_cohort_assign": figures["cohort_assign_s"] / c_assign})
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
