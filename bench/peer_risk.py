# SPDX-License-Identifier: MIT
"""Peer of the risk benchmark: NumPy, the weighted sum plus tiering a NumPy
user would write, `X @ W` and `np.digitize`.

The library's per-device scores are sums of table entries in whole
thousandths of a point, so they are a linear model of one-hot features:

  priority  = min(X @ W[:, 0], 100000) / 1000
  reasons   = X @ W[:, 1]                       (each reason bit a feature)
  disposition = digitize(X @ W[:, 2], [1, 5, 10])

X (float64, N x F, C order) holds a constant column, the device class,
customer tier, exposure, uptime and failed attempts (capped where the
policy caps their points) one-hot with the first level dropped, "has a
redundant peer", and the reason conditions (low battery and idle,
metered or roaming, storage short of the package's headroom, busy, missing
prerequisite, excluded by the host, not affected, class excluded by the
policy, offline long enough for a catch-up, repeated failures; one the fix
or the policy turns off gets no column: F = 32 here). Column 0 of W
is the priority in thousandths: the defect score's share plus
criticality_share times each table entry, the entries being the documented
default policy turned into thousandths the way the library does (toward
zero). Column 1 gives reason bit b the weight 2**b. Column 2 is a
disposition code: 10 per excluding reason, 5 for a missing prerequisite, 1
per deferring reason, so that digitize with bins [1, 5, 10] gives excluded
over blocked over defer over eligible, as the library's rules do.

All weights and sums are integers far below 2**53, so the float64 matmul is
exact whatever order BLAS adds in, and the outputs equal the library's bit
for bit (the runner compares digests). That needs two facts about the
policy, checked in prepare(): criticality never leaves its bounds of 0 and
100 points (so it needs no clamp, and neither does the priority at 0), and
every criticality entry times criticality_share is a whole number of
thousandths (so the library's integer division truncates nothing).

Timed (compute): only X @ W and the tiering (clip, scale, digitize, the
casts to the output types). Building X from the columns is untimed: that
is NumPy's best shot, and more than its user gets (the time is reported as
build_ms in peer_info). VARIANTS time two faster formulations we found
(float32 X; comparisons for digitize) on the same state.

The fix's defect score comes from otaprio-bench's JSON line ("extra"),
where otaprio_risk_score_issue() put it: it is an input of device scoring,
not part of the timed work.
"""

import os

# Read by NumPy's OpenBLAS at import: cleared here too for a standalone
# import (bench/run.py clears them before it imports NumPy).
for _var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_var, None)

import time  # noqa: E402

import numpy as np  # noqa: E402

import splitmix  # noqa: E402

PEER = "numpy {} (X @ W float64 + np.digitize)".format(np.__version__)
# NumPy's BLAS may run the matmul on several threads: bench/run.py times
# this peer both ways and makes single-threaded NumPy the headline.
THREADED = True
# prepare() takes otaprio-bench's "extra" figures (the issue's score).
USES_OURS_EXTRA = True
# About a second per run, and the float64 matmul's time swings 2-3x with
# the load on this machine: as many samples as ours for a steadier median.
FULL_PEER_REPS = 11

# ---- the fleet generator (mirrors bench/bench_risk.c) -------------------

CLASS_CUT = np.array([3277, 28180, 34734, 39977, 42598,
                      48497, 53740, 57672, 61604, 63570], dtype=np.uint64)
CUSTOMER_CUT = np.array([154, 218, 250], dtype=np.uint64)
EXPOSURE_CUT = np.array([26, 179], dtype=np.uint64)
UPTIME_CUT = np.array([51, 179], dtype=np.uint64)
LINK_CUT = np.array([64, 179, 235, 248], dtype=np.uint64)
# kiosk, POS, router, gateway, industrial controller
MAINS_CLASSES = (4, 5, 6, 7, 8)

LINK_ROAMING = 3


def _byte(d, k):
    return (d >> np.uint64(8 * k)) & np.uint64(0xFF)


def _level(field, cut):
    return np.searchsorted(cut, field, side="right").astype(np.uint8)


def fleet(seed: int, n: int) -> dict:
    """The columns otaprio-bench builds for (seed, n)."""
    d = splitmix.draws(seed, 0, 3 * n).reshape(n, 3)
    d0, d1, d2 = d[:, 0], d[:, 1], d[:, 2]
    c = {}
    c["device_class"] = _level(d0 & np.uint64(0xFFFF), CLASS_CUT)
    c["customer_tier"] = _level(_byte(d0, 2), CUSTOMER_CUT)
    c["exposure"] = _level(_byte(d0, 3), EXPOSURE_CUT)
    c["redundant"] = (_byte(d0, 4) < 38).astype(np.uint8)
    c["uptime"] = _level(_byte(d0, 5), UPTIME_CUT)
    c["safe_fallback"] = (_byte(d0, 6) < 154).astype(np.uint8)
    c["charging"] = (_byte(d0, 7) < 77).astype(np.uint8)
    # 24 random bits times 2**-24: exact in float32, like the C side.
    battery = ((d1 & np.uint64(0xFFFFFF)).astype(np.float32)
               * np.float32(2.0 ** -24))
    battery[np.isin(c["device_class"], MAINS_CLASSES)] = np.float32(1.0)
    c["battery"] = battery
    c["link"] = _level(_byte(d1, 3), LINK_CUT)
    c["metered"] = (_byte(d1, 4) < 38).astype(np.uint8)
    c["busy"] = (_byte(d1, 5) < 102).astype(np.uint8)
    c["affected"] = (_byte(d1, 6) < 218).astype(np.uint8)
    c["prerequisite_missing"] = (_byte(d1, 7) < 10).astype(np.uint8)
    c["free_bytes"] = ((d2 & np.uint64(0xFFFFFFFF))
                       << ((d2 >> np.uint64(32)) & np.uint64(7)))
    attempts = _byte(d2, 5).astype(np.uint32)
    c["failed_attempts"] = np.where(
        attempts < 218, 0, 1 + ((attempts - 218) >> 3)).astype(np.uint32)
    days = _byte(d2, 6).astype(np.uint32)
    c["days_offline"] = np.where(days < 230, days & 3,
                                 days - 216).astype(np.uint32)
    c["excluded"] = (_byte(d2, 7) < 3).astype(np.uint8)
    return c


# ---- the default policy, as documented in include/otaprio/risk.h --------

CLASS_CRITICALITY = [0.3, 0.2, 0.1, 0.4, 0.5, 0.8,
                     0.6, 0.7, 0.9, 1.0, 0.9] + [0.3] * 21
CLASS_POINTS_DEVICE = 40.0
CUSTOMER_POINTS = [0.0, 6.0, 12.0, 20.0]
EXPOSURE_POINTS = [0.0, 6.0, 15.0]
NO_REDUNDANCY_POINTS = 10.0
UPTIME_POINTS = [0.0, 5.0, 15.0]
DEFECT_SHARE = 0.6
CRITICALITY_SHARE = 0.4
FAILED_ATTEMPT_POINTS = 3.0
FAILED_ATTEMPT_CAP = 10.0
REPEATED_FAILURES = 3
MIN_BATTERY = 0.2
STORAGE_HEADROOM = 2.0
METERED_MAX_BYTES = 50 * 1024 * 1024
CATCH_UP_DAYS = 14
T0_OVERRIDES_WINDOW = True
EXCLUDED_CLASSES = 0
SCORE_MAX_MILLI = 100000


def milli(points: float) -> int:
    """Points to thousandths toward zero, as the library compiles them."""
    return int(points * 1000.0)


# Reason bits (otaprio_reason) and what they do to the disposition.
LOW_BATTERY, METERED_LARGE, LOW_STORAGE, MAINTENANCE_WINDOW = 0, 1, 2, 3
PREREQUISITE, POLICY, NOT_AFFECTED, CLASS_EXCLUDED = 4, 5, 6, 7
CATCH_UP, REPEATED_FAILURES_BIT = 8, 9
DISPOSITION_CODE = {LOW_BATTERY: 1, METERED_LARGE: 1, LOW_STORAGE: 1,
                    MAINTENANCE_WINDOW: 1, PREREQUISITE: 5, POLICY: 10,
                    NOT_AFFECTED: 10, CLASS_EXCLUDED: 10}
DISPOSITION_BINS = np.array([1.0, 5.0, 10.0])


def design(cols: dict, issue: dict) -> tuple:
    """X (N x F float64) and W (F x 3) for the fleet and the fix."""
    share = milli(CRITICALITY_SHARE)

    def crit_share(m: int) -> int:
        # The library computes criticality * share / 1000 on the sum; it
        # distributes over the terms only if none leaves a remainder.
        if (m * share) % 1000 != 0:
            raise ValueError(f"criticality entry {m} times share {share} "
                             "is not a whole number of thousandths: the "
                             "linear model would not be exact")
        return m * share // 1000

    # Categorical tables of criticality, in thousandths of a point.
    tables = {
        "device_class": [milli(CLASS_POINTS_DEVICE * c)
                         for c in CLASS_CRITICALITY],
        "customer_tier": [milli(p) for p in CUSTOMER_POINTS],
        "exposure": [milli(p) for p in EXPOSURE_POINTS],
        "uptime": [milli(p) for p in UPTIME_POINTS],
    }
    no_redundancy = milli(NO_REDUNDANCY_POINTS)
    levels_used = {k: int(cols[k].max()) + 1 for k in tables}
    top = (sum(max(t[:levels_used[k]]) for k, t in tables.items())
           + no_redundancy)
    if top > SCORE_MAX_MILLI or min(min(t) for t in tables.values()) < 0:
        raise ValueError("criticality can leave [0, 100]: the linear model "
                         "would need its clamp")

    # Failed attempts: points min(a * per, cap), one-hot up to the cap.
    per, cap = milli(FAILED_ATTEMPT_POINTS), milli(FAILED_ATTEMPT_CAP)
    cap_level = -(-cap // per) if per > 0 else 1
    attempts = np.minimum(cols["failed_attempts"], cap_level)

    features, weights = [], []  # weights: (priority, reasons, code)
    intercept = issue["defect_part"]
    for name, table in tables.items():
        intercept += crit_share(table[0])
        column = cols[name]
        for level in range(1, levels_used[name]):
            features.append(column == level)
            weights.append((crit_share(table[level]) -
                            crit_share(table[0]), 0, 0))
    intercept += crit_share(no_redundancy)
    features.append(cols["redundant"] == 1)
    weights.append((-crit_share(no_redundancy), 0, 0))
    for level in range(1, cap_level + 1):
        features.append(attempts == level)
        weights.append((min(level * per, cap), 0, 0))

    # The reason conditions; a condition the issue or policy turns off
    # gets no column.
    idle = cols["charging"] == 0
    conditions = {
        LOW_BATTERY: idle & (cols["battery"] < np.float32(MIN_BATTERY)),
        PREREQUISITE: cols["prerequisite_missing"] == 1,
        POLICY: cols["excluded"] == 1,
        NOT_AFFECTED: cols["affected"] == 0,
        CATCH_UP: cols["days_offline"] >= CATCH_UP_DAYS,
        REPEATED_FAILURES_BIT: cols["failed_attempts"] >= REPEATED_FAILURES,
    }
    package = issue["package_bytes"]
    if package > METERED_MAX_BYTES:
        conditions[METERED_LARGE] = ((cols["metered"] == 1) |
                                     (cols["link"] == LINK_ROAMING))
    if package != 0:
        conditions[LOW_STORAGE] = (cols["free_bytes"].astype(np.float64) <
                                   float(package) * STORAGE_HEADROOM)
    if not (issue["tier"] == 0 and T0_OVERRIDES_WINDOW):
        conditions[MAINTENANCE_WINDOW] = cols["busy"] == 1
    if EXCLUDED_CLASSES != 0:
        mask = np.array([(EXCLUDED_CLASSES >> c) & 1 for c in range(32)],
                        dtype=bool)
        conditions[CLASS_EXCLUDED] = mask[cols["device_class"]]
    for bit in sorted(conditions):
        features.append(conditions[bit])
        weights.append((0, 1 << bit, DISPOSITION_CODE.get(bit, 0)))

    n, f = len(cols["device_class"]), 1 + len(features)
    x = np.empty((n, f), dtype=np.float64)
    # Column by column within blocks of rows that stay in cache: a whole
    # column at a time would touch every cache line of X once per column.
    block = 16384
    for start in range(0, n, block):
        rows = x[start:start + block]
        rows[:, 0] = 1.0
        for j, feature in enumerate(features, start=1):
            rows[:, j] = feature[start:start + block]
    w = np.array([(intercept, 0, 0)] + weights, dtype=np.float64)
    return x, w


def prepare(seed: int, n: int, ours_extra: dict) -> dict:
    """Untimed: the fleet otaprio-bench builds, then X and W."""
    start = time.perf_counter_ns()
    cols = fleet(seed, n)
    generated = time.perf_counter_ns()
    issue = {
        "defect_part": (int(ours_extra["issue_score_milli"])
                        * milli(DEFECT_SHARE) // 1000),
        "tier": int(ours_extra["issue_tier"]),
        "package_bytes": int(ours_extra["package_bytes"]),
    }
    x, w = design(cols, issue)
    built = time.perf_counter_ns()
    del cols
    # The float32 variants: exact too when no partial sum can reach 2**24
    # in magnitude (every one is an integer), which holds by far here.
    if np.abs(w).sum(axis=0).max() >= 2.0 ** 24:
        raise ValueError("weights too large for an exact float32 matmul")
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    return {"x": x, "w": w, "x32": x32, "w32": w32,
            "info": {"features": x.shape[1], "x_bytes": x.nbytes,
                     "x_dtype": str(x.dtype), "x_order": "C",
                     "generate_ms": round((generated - start) / 1e6, 3),
                     "build_ms": round((built - generated) / 1e6, 3),
                     "timed": "X @ W, clip, /1000, digitize, casts; "
                              "building X is not timed"}}


def _tiers(s: np.ndarray, digitize: bool = True) -> dict:
    """The outputs from the three weighted sums (N x 3)."""
    priority = np.minimum(s[:, 0], SCORE_MAX_MILLI).astype(np.float64)
    priority /= 1000.0
    reasons = s[:, 1].astype(np.uint32)
    code = s[:, 2]
    if digitize:
        disposition = np.digitize(code, DISPOSITION_BINS).astype(np.uint8)
    else:
        # The same bins as three comparisons: much faster than digitize's
        # binary search for three bins.
        disposition = ((code >= DISPOSITION_BINS[0]).astype(np.uint8) +
                       (code >= DISPOSITION_BINS[1]) +
                       (code >= DISPOSITION_BINS[2]))
    return {"priority": priority, "disposition": disposition,
            "reasons": reasons}


def compute(state: dict) -> dict:
    """Timed: the weighted sums and the tiering, as the issue words it:
    float64 X @ W and np.digitize."""
    return _tiers(state["x"] @ state["w"])


# NumPy's best shots we found, timed beside compute: X in float32 (exact
# here, half the bytes, and OpenBLAS's sgemm is much faster than its dgemm
# at 3 output columns), and also comparisons in place of digitize.
VARIANTS = {
    "float32": lambda state: _tiers(state["x32"] @ state["w32"]),
    "float32_compare": lambda state: _tiers(state["x32"] @ state["w32"],
                                            digitize=False),
}


def describe(state: dict) -> dict:
    """What the runner reports of this peer besides its times."""
    return state["info"]
