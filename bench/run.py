# SPDX-License-Identifier: MIT
"""Runs each benchmark against its peer, in one run, and checks they agree.

For every benchmark (all of `otaprio-bench LIST`, or the names given) it
runs otaprio-bench, then the peer in bench/peer_<name>.py on the same input
(same generator, same seed), and prints one JSON object per line:

  {"bench", "n", "ours_ms", "peer", "peer_ms", "ratio", "compiler", ...}

ratio = peer_ms / ours_ms, how many times faster libotaprio is. Times are
medians, reported and never judged. The outputs of both sides are digested
(XXH3-64 of each output array) and must be equal.

Exit status: 0 all agree; 1 some benchmark disagreed with its peer (or,
with --self-check, some benchmark failed to notice a perturbed peer); 2 the
run itself failed.

A peer module provides PEER (a description), prepare(seed, n) -> state
(untimed), compute(state) -> {output name: NumPy array} (timed), and
optionally MAX_N, the largest n it is timed on (also --peer-n): above it
the peer runs on the input for MAX_N units, its time is scaled linearly to
n (reported as peer_n, peer_scaled) and its outputs are checked against
ours for that same input.
"""

import os
import sys

# NumPy reads these at import; on this machine they select a slower
# OpenBLAS kernel. Cleared for this process only, before any import of
# NumPy (the peer modules import it too), and reported in the output.
UNSET_ENV = [v for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
             if os.environ.pop(v, None) is not None]
# Run from the source tree by meson test: leave no __pycache__ behind.
sys.dont_write_bytecode = True

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import xxhash  # noqa: E402

import machine  # noqa: E402

QUICK_N = 100_000
QUICK_REPS = 3
FULL_REPS = 11  # C is fast: more samples steady the median on a noisy box
FULL_PEER_REPS = 5


class RunError(Exception):
    """The run itself failed (exit status 2), as opposed to a mismatch."""


OURS_FIELDS = ("bench", "n", "unit", "seed", "reps", "median_ms",
               "samples_ms", "checksum", "compiler", "library")


def run_ours(exe: str, args: list[str]) -> dict:
    """Runs otaprio-bench and returns its JSON line."""
    command = " ".join([exe, *args])
    proc = subprocess.run([exe, *args], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RunError(f"{command} exited {proc.returncode}")
    lines = proc.stdout.strip().splitlines()
    try:
        ours = json.loads(lines[-1])
    except (IndexError, ValueError) as e:
        raise RunError(f"{command} printed no JSON line: {e}") from e
    missing = [f for f in OURS_FIELDS if f not in ours]
    if missing:
        raise RunError(f"{command}: JSON line lacks {missing}")
    return ours


def list_benches(exe: str) -> list[str]:
    proc = subprocess.run([exe, "LIST"], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RunError(f"{exe} LIST exited {proc.returncode}")
    return proc.stdout.split()


def digest(outputs: dict) -> dict:
    """Same digest as bench/digest.c: XXH3-64 of each array's bytes."""
    return {name: "0x%016x" % xxhash.xxh3_64_intdigest(
                np.ascontiguousarray(array).view(np.uint8))
            for name, array in outputs.items()}


def time_peer(peer, seed: int, n: int, reps: int) -> tuple[list, dict]:
    """Times peer.compute on its input for (seed, n); returns the samples
    in milliseconds and the digest of the last outputs."""
    state = peer.prepare(seed, n)
    samples = []
    outputs = None
    for _ in range(reps):
        outputs = None  # free the last outputs outside the timed region
        start = time.perf_counter_ns()  # monotonic, like CLOCK_MONOTONIC
        outputs = peer.compute(state)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples, digest(outputs)


def run_bench(name: str, args, host: dict) -> dict:
    try:
        peer = importlib.import_module("peer_" + name)
    except ImportError as e:
        raise RunError(f"bench {name}: cannot import bench/peer_{name}.py: "
                       f"{e}") from e
    ours_args = [name, "--reps", str(args.reps)]
    if args.n is not None:
        ours_args += ["--n", str(args.n)]
    if args.seed is not None:
        ours_args += ["--seed", str(args.seed)]
    ours = run_ours(args.bench_exe, ours_args)
    n = ours["n"]
    seed = int(ours["seed"], 16)

    peer_n = min(n, args.peer_n or getattr(peer, "MAX_N", None) or n)
    # --self-check: give the peer other input; the comparison must notice.
    peer_seed = seed ^ 1 if args.self_check else seed
    peer_samples, peer_sums = time_peer(peer, peer_seed, peer_n,
                                        args.peer_reps)

    ours_sums = ours["checksum"]
    if peer_n != n:
        # The peer computed on the input for (seed, peer_n): check it
        # against our outputs for exactly that input.
        ours_sums = run_ours(args.bench_exe, [name, "--n", str(peer_n),
                                              "--reps", "1", "--seed",
                                              str(seed)])["checksum"]
    match = ours_sums == peer_sums

    ours_ms = ours["median_ms"]
    peer_ms = statistics.median(peer_samples) * n / peer_n
    record = {
        "bench": name,
        "n": n,
        "ours_ms": round(ours_ms, 3),
        "peer": peer.PEER,
        "peer_ms": round(peer_ms, 3),
        "ratio": round(peer_ms / ours_ms, 2) if ours_ms > 0 else None,
        "compiler": ours["compiler"],
        "unit": ours["unit"],
        "ours_per_s": round(n / ours_ms * 1e3) if ours_ms > 0 else None,
        "peer_per_s": round(n / peer_ms * 1e3) if peer_ms > 0 else None,
        "peer_n": peer_n,
        "peer_scaled": peer_n != n,
        "reps": ours["reps"],
        "peer_reps": len(peer_samples),
        "ours_samples_ms": ours["samples_ms"],
        "peer_samples_ms": [round(s, 3) for s in peer_samples],
        "match": match,
        "checked_n": peer_n,  # the checksums are of the input for checked_n
        "checksum": ours_sums,
        "peer_checksum": peer_sums,
        "seed": ours["seed"],
        "library": ours["library"],
        "machine": host,
        "unset_env": UNSET_ENV,
    }
    if not match:
        record["mismatched"] = sorted(
            k for k in set(ours_sums) | set(peer_sums)
            if ours_sums.get(k) != peer_sums.get(k))
    if args.self_check:
        record["self_check"] = True
    return record


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help="benchmarks to run (default all)")
    p.add_argument("--bench-exe", required=True,
                   help="path of the built otaprio-bench")
    p.add_argument("--quick", action="store_true",
                   help=f"n={QUICK_N}, {QUICK_REPS} reps: a smoke run for "
                        "the test suite")
    p.add_argument("--n", type=int, help="units of input (default: the "
                   "bench's full size, or the quick size)")
    p.add_argument("--reps", type=int, help="timed runs of ours "
                   f"(default {FULL_REPS}; quick {QUICK_REPS})")
    p.add_argument("--peer-reps", type=int, help="timed runs of the peer "
                   f"(default {FULL_PEER_REPS}; quick {QUICK_REPS})")
    p.add_argument("--peer-n", type=int, help="time the peer on at most this "
                   "many units and scale its time to n")
    p.add_argument("--seed", type=lambda text: int(text, 0),
                   help="input seed, decimal or 0x-hex (default: "
                        "otaprio-bench's fixed seed)")
    p.add_argument("--self-check", action="store_true",
                   help="perturb each peer's input and succeed only if every "
                        "benchmark reports the disagreement")
    args = p.parse_args(argv)
    defaults = {"n": QUICK_N, "reps": QUICK_REPS, "peer_reps": QUICK_REPS}
    if not args.quick:
        defaults = {"reps": FULL_REPS, "peer_reps": FULL_PEER_REPS}
    for flag, value in defaults.items():
        if getattr(args, flag) is None:
            setattr(args, flag, value)
    for flag in ("n", "reps", "peer_reps", "peer_n"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            p.error(f"--{flag.replace('_', '-')} must be at least 1")
    if args.seed is not None and not 0 <= args.seed < 2**64:
        p.error("--seed must fit in 64 bits")
    return args


def main(argv) -> int:
    args = parse_args(argv)
    try:
        available = list_benches(args.bench_exe)
        unknown = [n for n in args.names if n not in available]
        if unknown:
            raise RunError(f"unknown benchmarks {unknown}; known: {available}")
        host = machine.describe()
        blas = machine.numpy_blas()
        failed = []
        for name in args.names or available:
            record = run_bench(name, args, host)
            if blas is not None:
                record["numpy_blas"] = blas
            print(json.dumps(record), flush=True)
            # A self-check wants a mismatch; a real run wants none.
            if record["match"] == args.self_check:
                failed.append(name)
    except (RunError, OSError) as e:  # a peer's own bug keeps its traceback
        print(f"run.py: {e}", file=sys.stderr)
        return 2
    if failed and args.self_check:
        print(f"run.py: self-check: {failed} did not notice a perturbed peer "
              "input", file=sys.stderr)
    elif failed:
        print(f"run.py: ours and the peer disagree on {failed}: see "
              "mismatched, checksum and peer_checksum", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
