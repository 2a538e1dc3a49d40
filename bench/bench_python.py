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
R rounds, each running every operation once; with --c, each round also
runs `otaprio-bench risk` and `otaprio-bench cohort` once with the same N
and seed, and the ratios are medians of the rounds' paired ratios (the
machine drifts between rounds); times are medians. Not a test: no
assertion on times.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

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


def seconds(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


Ops = Dict[str, Callable[[], Any]]


def risk_ops(seed: int, n: int) -> Tuple[Ops, Dict[str, Any]]:
    """The risk operations, on bench_risk.c's fleet and fix (built here,
    untimed), and the figures that check their outputs."""
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

    # Answers into arrays the caller owns, allocated and touched once, as
    # the C bench's are: what a host scoring fleet after fleet does.
    out = otaprio.DeviceResults.empty(n, detail=False)
    model.score_devices(score, columns, out=out)
    totals = model.score_stream(score, chunks(), detail=False)
    figures = {"risk_score_milli": float(score.score_milli),
               "risk_by_disposition": [totals.by_disposition[d]
                                       for d in otaprio.Disposition]}
    return {
        # Every output, the binding's default.
        "risk_stream": lambda: model.score_stream(score, chunks()),
        "risk_one_call": lambda: model.score_devices(score, columns),
        # The C bench's call: its three outputs, no totals (NULL).
        "risk_stream_lean": lambda: model.score_stream(
            score, chunks(), detail=False, totals=False),
        "risk_one_call_lean": lambda: model.score_devices(
            score, columns, detail=False),
        "risk_one_call_out": lambda: model.score_devices(
            score, columns, out=out),
    }, figures


def cohort_ops(seed: int, n: int) -> Tuple[Ops, Dict[str, Any]]:
    """The cohort operations, on bench_cohort.c's fleet (built here,
    untimed), and the figure that checks their output."""
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

    exact()
    figures = {"cohort_selected": float(cohorts[-1].waves[0].selected)}
    return {"cohort_exact": exact, "cohort_assign": assign}, figures


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
    parser.add_argument("--reps", type=int, default=3,
                        help="rounds: each runs every operation once")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--c", help="the otaprio-bench executable")
    args = parser.parse_args()
    median = statistics.median
    risk, risk_figures = risk_ops(args.seed, args.n)
    cohort, cohort_figures = cohort_ops(args.seed, args.n)
    runs: Dict[str, List[float]] = {}
    c_risk: Dict[str, Any] = {}
    c_cohort: Dict[str, Any] = {}
    # Rounds of one run of each operation, the C bench's run beside its
    # Python counterparts, so that the machine's drift lands on both sides
    # of each ratio alike.
    for _ in range(args.reps):
        for name, run in risk.items():
            runs.setdefault(name, []).append(seconds(run))
        if args.c:
            c_risk = c_bench(args.c, "risk", args.seed, args.n, 1)
            runs.setdefault("c_risk_stream", []).append(
                c_risk["median_ms"] / 1e3)
        for name, run in cohort.items():
            runs.setdefault(name, []).append(seconds(run))
        if args.c:
            c_cohort = c_bench(args.c, "cohort", args.seed, args.n, 1)
            for op in ("exact", "assign_exact"):
                runs.setdefault("c_cohort_" + op, []).append(
                    c_cohort["ops"][op]["median_ms"] / 1e3)
    figures: Dict[str, Any] = {"n": args.n, "rounds": args.reps,
                               "library": otaprio.library_path}
    figures.update({name + "_s": median(times)
                    for name, times in runs.items()})
    figures.update(risk_figures)
    figures.update(cohort_figures)
    if args.c:
        def paired(ours: str, theirs: str) -> float:
            return median([a / b for a, b in zip(runs[ours], runs[theirs])])

        extra = c_risk["extra"]
        figures.update({
            "c_risk_score_milli": extra["issue_score_milli"],
            "c_risk_by_disposition": [extra["eligible"], extra["defer"],
                                      extra["blocked"], extra["excluded"]],
            "c_cohort_selected": c_cohort["extra"]["exact_selected"]})
        for name in risk:
            figures["ratio_" + name] = paired(name, "c_risk_stream")
        figures["ratio_cohort_exact"] = paired("cohort_exact",
                                               "c_cohort_exact")
        figures["ratio_cohort_assign"] = paired("cohort_assign",
                                                "c_cohort_assign_exact")
        figures["ratio_risk_lean_plus_cohort"] = median(
            [(a + b) / (c + d) for a, b, c, d in zip(
                runs["risk_stream_lean"], runs["cohort_exact"],
                runs["c_risk_stream"], runs["c_cohort_exact"])])
    figures["samples_s"] = runs
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
