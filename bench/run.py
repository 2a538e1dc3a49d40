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
optionally:
- MAX_N, the largest n it is timed on (also --peer-n): above it the peer
  runs on the input for MAX_N units, its time is scaled linearly to n
  (reported as peer_n, peer_scaled) and its outputs are checked against
  ours for that same input;
- USES_OURS_EXTRA = True: prepare(seed, n, extra) also receives the
  "extra" object of otaprio-bench's JSON line (inputs computed once by the
  library, such as a fix's score);
- describe(state) -> dict, reported as peer_info;
- VARIANTS, {name: function(state) -> outputs}: other ways to compute the
  same outputs from the same state, timed like compute and reported (time,
  ratio, agreement) in peer_variants; each must agree with ours too;
- QUICK_N, the n of --quick for this benchmark when --n is not given
  (default 100,000), for a peer too slow to run quickly at that size;
- FULL_PEER_REPS, its number of timed runs in a full run when
  --peer-reps is not given (default 5: right for a peer of seconds per
  run; a faster, noisier one wants more);
- THREADED = True: its library may use several threads (BLAS). The peer is
  then timed twice: in this process with NumPy's default thread pool, and
  in a child process started with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and
  MKL_NUM_THREADS set to 1 (read only at import, hence the child). Ours runs
  on one thread, so the single-threaded time is the headline peer_ms and
  ratio (peer_threads, peer_headline say so); the default pool's figures
  are in peer_default_threads. Both outputs must match ours.

A benchmark of several operations (otaprio-bench's JSON line has "ops":
{name: {median_ms, samples_ms}}, e.g. a graph's build, order, reach)
pairs with a peer module that provides, instead of compute:
- OPS, {op name: (setup(state) -> arg, timed(state, arg) -> raw)}, one
  entry per operation of ours, under the same names; a name "op:variant"
  is another way to compute op's outputs, timed and checked like it. Each
  repetition runs every entry once, in order; setup is untimed (a fresh
  input, say), and raw (a dict) is kept for the check;
- canonical(state, raw) -> {output name: NumPy array}, untimed: the raw
  answers of all operations, merged, as the arrays to digest;
- optionally JUDGED, {"op:variant": judge(state, raw, ours_extra) ->
  {"outputs", "figures", "problems"}}: variants that answer the same
  question with an answer of their own (another random generator picks
  other devices), so their outputs cannot equal ours. Each is timed like
  the other variants; instead of all of ours' digests, its judge names
  the outputs it must share with ours ({name: array}, e.g. counts of the
  input), checked against ours' digests of those names, figures to report
  (a size, a distance) and problems (strings; any makes it disagree);
- optionally EXTERNAL_PEERS, {label: executable}: compiled peers built
  beside otaprio-bench, run as `EXE --n N --reps R --seed S` (R: ours'
  repetitions), each printing one JSON line with "peer", "ops" and
  "checksum" like ours, and optionally "variants_agree", {op:variant:
  whether its answer equals its base operation's}. One that was not
  built is reported as such.
The record then has "ops": per operation our median, each peer's, the
ratios, and each variant's (a judged one's with its "judged" figures);
"peers_matched" says which peers agreed. When ours' "extra" has
"input_bytes" (the input one operation reads), each operation also
reports ours' input GB/s, and against "read_gbps" (the machine's read
bandwidth, measured by the bench) its bw_fraction.
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


def time_compute(compute, state, reps: int) -> dict:
    """Times compute(state) reps times: samples in milliseconds and the
    digest of the last outputs."""
    samples = []
    outputs = None
    for _ in range(reps):
        outputs = None  # free the last outputs outside the timed region
        start = time.perf_counter_ns()  # monotonic, like CLOCK_MONOTONIC
        outputs = compute(state)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return {"samples_ms": samples, "checksum": digest(outputs)}


def provenance(ours: dict, host: dict) -> dict:
    """Where a record's numbers come from: the input seed, the library
    version, the machine and the environment variables unset for peers."""
    return {"seed": ours["seed"], "library": ours["library"],
            "machine": host, "unset_env": UNSET_ENV}


def time_peer(peer, seed: int, n: int, reps: int, ours_extra: dict) -> dict:
    """Times peer.compute, then each of peer.VARIANTS, on the peer's input
    for (seed, n). Returns samples_ms and checksum (of compute), variants
    ({name: {samples_ms, checksum}}) and info (describe(), or None)."""
    if getattr(peer, "USES_OURS_EXTRA", False):
        state = peer.prepare(seed, n, ours_extra)
    else:
        state = peer.prepare(seed, n)
    timed = time_compute(peer.compute, state, reps)
    timed["variants"] = {name: time_compute(fn, state, reps)
                         for name, fn in getattr(peer, "VARIANTS",
                                                 {}).items()}
    timed["info"] = (peer.describe(state) if hasattr(peer, "describe")
                     else None)
    return timed


# Thread-pool sizes of the BLAS and OpenMP runtimes NumPy may load, read
# once at import: a child started with these runs NumPy on one thread.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1"}


def time_peer_single_thread(name: str, seed: int, n: int, reps: int,
                            ours_extra: dict) -> dict:
    """Runs time_peer in a child process (this script, --peer-worker) whose
    NumPy has one thread; returns its JSON answer."""
    env = dict(os.environ, **SINGLE_THREAD_ENV)
    command = [sys.executable, os.path.abspath(__file__), "--peer-worker",
               name, str(seed), str(n), str(reps)]
    proc = subprocess.run(command, input=json.dumps(ours_extra),
                          stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        raise RunError(f"single-threaded peer {name} exited "
                       f"{proc.returncode}")
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as e:
        raise RunError(f"single-threaded peer {name} printed no JSON line: "
                       f"{e}") from e


def peer_worker(argv: list[str]) -> int:
    """--peer-worker NAME SEED N REPS, ours' extra object on stdin: times
    the peer in this process and prints one JSON line."""
    name, seed, n, reps = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    ours_extra = json.loads(sys.stdin.read() or "{}")
    peer = importlib.import_module("peer_" + name)
    timed = time_peer(peer, seed, n, reps, ours_extra)
    timed["blas"] = machine.numpy_blas()
    timed["env"] = {k: os.environ.get(k) for k in SINGLE_THREAD_ENV}
    print(json.dumps(timed), flush=True)
    return 0


def blas_threads(blas: list | None) -> int | None:
    """The thread count of the BLAS NumPy loaded, when known."""
    counts = {b.get("num_threads") for b in blas or []} - {None}
    return counts.pop() if len(counts) == 1 else None


def time_ops(peer, state, reps: int) -> dict:
    """Times each of peer.OPS reps times, alternating within a
    repetition: {"samples_ms": {op: [...]}, "raw": {op: last raw}}."""
    samples = {op: [] for op in peer.OPS}
    raw = {}
    for _ in range(reps):
        for op, (setup, timed) in peer.OPS.items():
            raw[op] = None  # free the last answer outside the timed region
            arg = setup(state)
            start = time.perf_counter_ns()
            raw[op] = timed(state, arg)
            samples[op].append((time.perf_counter_ns() - start) / 1e6)
            arg = None
    return {"samples_ms": samples, "raw": raw}


def variants_of(names) -> dict:
    """{base op: [variant op names]} of names like "op" and "op:v"."""
    found = {}
    for op in names:
        base, _, _ = op.partition(":")
        found.setdefault(base, [])
        if op != base:
            found[base].append(op)
    return found


def ratio(peer_ms: float, ours_ms: float):
    return round(peer_ms / ours_ms, 2) if ours_ms > 0 else None


def op_figures(ours_ops: dict, peer_samples: dict, reps_label: str) -> dict:
    """Per base operation: the peer's median and ratio, and each
    variant's; best_* is the fastest of them (the peer's best shot)."""
    figures = {}
    for base, variants in variants_of(peer_samples).items():
        ours_ms = ours_ops[base]["median_ms"]
        peer_ms = statistics.median(peer_samples[base])
        entry = {"peer_ms": round(peer_ms, 3), "ratio": ratio(peer_ms, ours_ms),
                 reps_label: [round(x, 3) for x in peer_samples[base]]}
        best = peer_ms
        if variants:
            entry["variants"] = {}
            for op in variants:
                ms = statistics.median(peer_samples[op])
                best = min(best, ms)
                entry["variants"][op.partition(":")[2]] = {
                    "peer_ms": round(ms, 3), "ratio": ratio(ms, ours_ms),
                    reps_label: [round(x, 3) for x in peer_samples[op]]}
        entry["best_peer_ms"] = round(best, 3)
        entry["best_ratio"] = ratio(best, ours_ms)
        figures[base] = entry
    return figures


def run_external(exe: str, n: int, seed: int, reps: int) -> dict:
    """Runs a compiled peer and returns its JSON line."""
    command = [exe, "--n", str(n), "--reps", str(reps), "--seed", str(seed)]
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RunError(f"{' '.join(command)} exited {proc.returncode}")
    try:
        line = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as e:
        raise RunError(f"{exe} printed no JSON line: {e}") from e
    missing = [f for f in ("peer", "ops", "checksum") if f not in line]
    if missing:
        raise RunError(f"{exe}: JSON line lacks {missing}")
    return line


def run_ops_bench(name: str, peer, ours: dict, args, host: dict) -> dict:
    """run_bench for a benchmark of operations: ours, the Python peer
    and every compiled peer, per operation."""
    n = ours["n"]
    seed = int(ours["seed"], 16)
    peer_seed = seed ^ 1 if args.self_check else seed
    ours_ops = ours["ops"]
    peer_ops = variants_of(getattr(peer, "OPS", {}))
    if set(peer_ops) != set(ours_ops):
        raise RunError(f"bench {name}: peer_{name}.OPS has {sorted(peer_ops)}"
                       f", ours has {sorted(ours_ops)}")
    peer_reps = args.peer_reps or getattr(peer, "FULL_PEER_REPS",
                                          FULL_PEER_REPS)
    state = peer.prepare(peer_seed, n)
    timed = time_ops(peer, state, peer_reps)
    ours_sums = ours["checksum"]

    def sums_with(op=None) -> dict:
        """Digests of the base operations' answers, with variant op's
        answers in place of its base's."""
        raw = {}
        for base in peer_ops:
            raw.update(timed["raw"][base])
        if op is not None:
            raw.update(timed["raw"][op])
        return digest(peer.canonical(state, raw))

    peer_sums = sums_with()
    peers_matched = {"python": peer_sums == ours_sums}
    judges = getattr(peer, "JUDGED", {})
    unknown = sorted(op for op in judges if op not in peer.OPS
                     or ":" not in op)
    if unknown:
        raise RunError(f"bench {name}: peer_{name}.JUDGED names {unknown}, "
                       "which are not variants in its OPS")
    variant_sums = {op: sums_with(op) for ops in peer_ops.values()
                    for op in ops if op not in judges}
    for op, sums in variant_sums.items():
        peers_matched["python " + op] = sums == ours_sums
    judged = {op: judge_variant(judge, state, timed["raw"][op], ours)
              for op, judge in judges.items()}
    for op, verdict in judged.items():
        peers_matched["python " + op] = verdict["match"]
    info = peer.describe(state) if hasattr(peer, "describe") else None
    del state, timed["raw"]

    samples = timed["samples_ms"]
    peer_totals = [sum(samples[op][i] for op in peer_ops)
                   for i in range(peer_reps)]
    ours_ms = ours["median_ms"]
    peer_ms = statistics.median(peer_totals)
    figures = op_figures(ours_ops, samples, "peer_samples_ms")
    for op, verdict in judged.items():
        base, _, variant = op.partition(":")
        figures[base]["variants"][variant]["judged"] = verdict
    ops = {}
    for op in ours_ops:
        ops[op] = {"ours_ms": round(ours_ops[op]["median_ms"], 3),
                   "ours_samples_ms": ours_ops[op]["samples_ms"],
                   **throughput(n, ours_ops[op]["median_ms"],
                                ours.get("extra", {})),
                   "peer": figures[op]}

    external = {}
    for label, exe_name in getattr(peer, "EXTERNAL_PEERS", {}).items():
        exe = os.path.join(os.path.dirname(os.path.abspath(args.bench_exe)),
                           exe_name)
        if not os.path.exists(exe):
            external[label] = {"built": False, "executable": exe_name}
            continue
        line = run_external(exe, n, peer_seed, args.reps)
        if set(variants_of(line["ops"])) != set(ours_ops):
            raise RunError(f"{exe_name} has operations "
                           f"{sorted(line['ops'])}, ours {sorted(ours_ops)}")
        ext_samples = {op: v["samples_ms"] for op, v in line["ops"].items()}
        ext_figures = op_figures(ours_ops, ext_samples, "samples_ms")
        for op in ours_ops:
            ops[op][label] = ext_figures[op]
        totals = [sum(ext_samples[op][i] for op in ours_ops)
                  for i in range(len(ext_samples[next(iter(ours_ops))]))]
        ext_ms = statistics.median(totals)
        peers_matched[label] = line["checksum"] == ours_sums
        # A compiled peer checks its variants against its own base answers.
        for op, agrees in line.get("variants_agree", {}).items():
            peers_matched[f"{label} {op}"] = peers_matched[label] and agrees
        external[label] = {
            "built": True, "peer": line["peer"], "peer_ms": round(ext_ms, 3),
            "ratio": ratio(ext_ms, ours_ms), "match": peers_matched[label],
            "checksum": line["checksum"], "compiler": line.get("compiler"),
            "extra": line.get("extra", {})}

    match = all(peers_matched.values())
    record = {
        "bench": name,
        "n": n,
        "ours_ms": round(ours_ms, 3),
        "peer": peer.PEER,
        "peer_ms": round(peer_ms, 3),
        "ratio": ratio(peer_ms, ours_ms),
        "compiler": ours["compiler"],
        "unit": ours["unit"],
        "ops": ops,
        "external_peers": external,
        "reps": ours["reps"],
        "peer_reps": peer_reps,
        "ours_samples_ms": ours["samples_ms"],
        "peer_samples_ms": [round(x, 3) for x in peer_totals],
        "match": match,
        "peers_matched": peers_matched,
        "checked_n": n,
        "checksum": ours_sums,
        "peer_checksum": peer_sums,
        **provenance(ours, host),
    }
    if "extra" in ours:
        record["ours_extra"] = ours["extra"]
    if info is not None:
        record["peer_info"] = info
    if not match:
        sums = [peer_sums, *variant_sums.values(),
                *(e["checksum"] for e in external.values() if e["built"])]
        mismatched = {k for other in sums for k in set(ours_sums) | set(other)
                      if ours_sums.get(k) != other.get(k)}
        for verdict in judged.values():
            mismatched |= set(verdict["mismatched"])
        record["mismatched"] = sorted(mismatched)
    if args.self_check:
        record["self_check"] = True
    return record


def judge_variant(judge, state, raw: dict, ours: dict) -> dict:
    """Runs a JUDGED variant's judge (untimed): the outputs it must share
    with ours are compared with ours' digests of those names."""
    verdict = judge(state, raw, ours.get("extra", {}))
    sums = digest(verdict.get("outputs", {}))
    mismatched = sorted(k for k, v in sums.items()
                        if ours["checksum"].get(k) != v)
    problems = list(verdict.get("problems", []))
    return {"match": not mismatched and not problems and bool(sums),
            "checked": sorted(sums), "mismatched": mismatched,
            "problems": problems, "figures": verdict.get("figures", {})}


def throughput(n: int, ours_ms: float, extra: dict) -> dict:
    """Units per second of one operation of ours, and when the bench
    reports its input's size and the read bandwidth, GB/s and the
    fraction of that bandwidth."""
    if ours_ms <= 0:
        return {}
    figures = {"ours_per_s": round(n / ours_ms * 1e3)}
    if "input_bytes" in extra:
        gbps = extra["input_bytes"] / ours_ms / 1e6
        figures["ours_input_gbps"] = round(gbps, 3)
        if extra.get("read_gbps"):
            figures["bw_fraction"] = round(gbps / extra["read_gbps"], 3)
    return figures


def run_bench(name: str, args, host: dict) -> dict:
    try:
        peer = importlib.import_module("peer_" + name)
    except ImportError as e:
        raise RunError(f"bench {name}: cannot import bench/peer_{name}.py: "
                       f"{e}") from e
    ours_args = [name, "--reps", str(args.reps)]
    n = args.n
    if args.quick and not args.n_given:
        n = getattr(peer, "QUICK_N", n)
    if n is not None:
        ours_args += ["--n", str(n)]
    if args.seed is not None:
        ours_args += ["--seed", str(args.seed)]
    ours = run_ours(args.bench_exe, ours_args)
    if "ops" in ours:
        return run_ops_bench(name, peer, ours, args, host)
    n = ours["n"]
    seed = int(ours["seed"], 16)

    ours_extra = ours.get("extra", {})
    peer_n = min(n, args.peer_n or getattr(peer, "MAX_N", None) or n)
    # --self-check: give the peer other input; the comparison must notice.
    peer_seed = seed ^ 1 if args.self_check else seed
    peer_reps = args.peer_reps or getattr(peer, "FULL_PEER_REPS",
                                          FULL_PEER_REPS)
    timed = time_peer(peer, peer_seed, peer_n, peer_reps, ours_extra)
    threaded = getattr(peer, "THREADED", False)
    if threaded:
        # The default pool's figures, then the headline: one thread, as
        # ours runs.
        default, default_blas = timed, machine.numpy_blas()
        timed = time_peer_single_thread(name, peer_seed, peer_n,
                                        peer_reps, ours_extra)
    peer_samples, peer_sums = timed["samples_ms"], timed["checksum"]

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
        **provenance(ours, host),
    }
    if "extra" in ours:
        record["ours_extra"] = ours_extra
    if timed["info"] is not None:
        record["peer_info"] = timed["info"]

    # Every other timing of the peer must agree with ours too.
    checked = [peer_sums]

    def summary(run: dict) -> dict:
        """Median, ratio and agreement of one more timing of the peer."""
        ms = statistics.median(run["samples_ms"]) * n / peer_n
        checked.append(run["checksum"])
        return {"peer_ms": round(ms, 3),
                "ratio": round(ms / ours_ms, 2) if ours_ms > 0 else None,
                "match": run["checksum"] == ours_sums,
                "peer_samples_ms": [round(x, 3) for x in run["samples_ms"]]}

    if timed["variants"]:
        record["peer_variants"] = {k: summary(v)
                                   for k, v in timed["variants"].items()}
    if threaded:
        record["peer_threads"] = blas_threads(timed["blas"])
        record["peer_headline"] = (
            "single-threaded NumPy (child process with " +
            ", ".join(f"{k}=1" for k in SINGLE_THREAD_ENV) + ")")
        record["peer_blas"] = timed["blas"]
        record["peer_default_threads"] = {
            "threads": blas_threads(default_blas), **summary(default),
            "blas": default_blas}
        if default["variants"]:
            record["peer_default_threads"]["variants"] = {
                k: summary(v) for k, v in default["variants"].items()}
    match = all(sums == ours_sums for sums in checked)
    record["match"] = match
    record["peers_matched"] = {"python": match}
    if not match:
        record["mismatched"] = sorted({
            k for sums in checked for k in set(ours_sums) | set(sums)
            if ours_sums.get(k) != sums.get(k)})
    if args.self_check:
        record["self_check"] = True
    return record


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help="benchmarks to run (default all)")
    p.add_argument("--bench-exe", required=True,
                   help="path of the built otaprio-bench")
    p.add_argument("--quick", action="store_true",
                   help=f"n={QUICK_N} (or the peer's QUICK_N), "
                        f"{QUICK_REPS} reps: a smoke run for the test suite")
    p.add_argument("--n", type=int, help="units of input (default: the "
                   "bench's full size, or the quick size)")
    p.add_argument("--reps", type=int, help="timed runs of ours "
                   f"(default {FULL_REPS}; quick {QUICK_REPS})")
    p.add_argument("--peer-reps", type=int, help="timed runs of the peer "
                   f"(default the peer's FULL_PEER_REPS, else "
                   f"{FULL_PEER_REPS}; quick {QUICK_REPS})")
    p.add_argument("--peer-n", type=int, help="time the peer on at most this "
                   "many units and scale its time to n")
    p.add_argument("--seed", type=lambda text: int(text, 0),
                   help="input seed, decimal or 0x-hex (default: "
                        "otaprio-bench's fixed seed)")
    p.add_argument("--self-check", action="store_true",
                   help="perturb each peer's input and succeed only if every "
                        "benchmark reports the disagreement")
    args = p.parse_args(argv)
    args.n_given = args.n is not None
    defaults = {"n": QUICK_N, "reps": QUICK_REPS, "peer_reps": QUICK_REPS}
    if not args.quick:
        defaults = {"reps": FULL_REPS}  # peer_reps: per peer, in run_bench
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
    if argv[:1] == ["--peer-worker"]:
        return peer_worker(argv[1:])
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
            # A self-check wants every peer to disagree; a real run wants
            # every peer to agree.
            agreed = record["peers_matched"].values()
            if any(agreed) if args.self_check else not all(agreed):
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
