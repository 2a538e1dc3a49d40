#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for the cohort engine, from an independent implementation
of docs/cohort.md written from the text alone, with positions from the
Python xxhash package (pinned in requirements.txt):

    position = XXH3_64bits_withSeed(key as 8 little-endian bytes, seed=salt)
    fraction = (position >> 11) * 2**-53

Each case is a rollout spec and a fleet. The fleet is not stored: it is
drawn from counter-form SplitMix64(seed), one stream per case, device after
device, each device drawing in this order (a column the case lacks draws
nothing):

    key        the draw itself
    code[d]    for d = 0 .. D-1: weighted pick over code_weights[d]
    critical   draw % 1000 < critical_permille
    battery    (float)((double)(draw % 101) / 100.0)
    charging   draw % 1000 < charging_permille
    metered    draw % 1000 < metered_permille
    cluster    draw % cluster_count
    excluded   draw % 1000 < excluded_permille
    first_wave weighted pick over first_wave_weights

A weighted pick over w[0 .. c-1] takes r = draw % sum(w) and returns the
first i with r < w[0] + ... + w[i]. The C test redraws the fleet and checks
it against a fingerprint (FNV-1a over 64-bit words: every column's value of
each device in the order above, battery as its float bits) before using it.

For each case the header records, per wave: the sizes otaprio_cohort_wave
reports; per stratum (ids ascending): fleet, and per wave eligible and
selected; the listed devices in order (fleet index, wave, stratum); the wave
otaprio_cohort_assign() gives each fleet device; and each wave's
representativeness against the whole observed fleet.

Writes tests/vectors/cohort_vectors.h; with --check, exits 1 when the
stored file differs from what the reference computes now.
"""
import math
import pathlib
import struct
import sys

import xxhash

import vectorfile
from splitmix import SplitMix64

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "cohort_vectors.h"
MASK64 = (1 << 64) - 1

HASH_THRESHOLD, PROPORTIONAL, MINIMUM_COVERAGE, NEYMAN = 0, 1, 2, 3
METHOD_NAMES = {HASH_THRESHOLD: "OTAPRIO_COHORT_HASH_THRESHOLD",
                PROPORTIONAL: "OTAPRIO_COHORT_PROPORTIONAL",
                MINIMUM_COVERAGE: "OTAPRIO_COHORT_MINIMUM_COVERAGE",
                NEYMAN: "OTAPRIO_COHORT_NEYMAN"}
NONE = 0xFF
REPORT_WORST = 8
RETAIN_Z = 8.0


# ---- inputs -------------------------------------------------------------




def weighted(draw, weights):
    r = draw % sum(weights)
    total = 0
    for i, w in enumerate(weights):
        total += w
        if r < total:
            return i
    raise AssertionError("unreachable")


def f32(x):
    """x rounded to the nearest float, as a C cast does."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def position(salt, key):
    return xxhash.xxh3_64_intdigest(key.to_bytes(8, "little"), seed=salt)


def fraction(pos):
    return (pos >> 11) * 2.0 ** -53


class Fleet:
    """Columns of a generated fleet; None for a column the case lacks."""

    def __init__(self, gen):
        n = gen["n"]
        weights = gen["code_weights"]
        rng = SplitMix64(gen["seed"])
        self.n = n
        self.keys = []
        self.codes = [[] for _ in weights]
        self.critical = [] if gen.get("critical") is not None else None
        self.battery = [] if gen.get("battery") else None
        self.charging = [] if gen.get("charging") is not None else None
        self.metered = [] if gen.get("metered") is not None else None
        self.cluster = [] if gen.get("clusters") else None
        self.excluded = [] if gen.get("excluded") is not None else None
        self.first_wave = [] if gen.get("first_wave") else None
        for _ in range(n):
            self.keys.append(rng.next())
            for d, w in enumerate(weights):
                self.codes[d].append(weighted(rng.next(), w))
            if self.critical is not None:
                self.critical.append(int(rng.next() % 1000 < gen["critical"]))
            if self.battery is not None:
                self.battery.append(f32((rng.next() % 101) / 100.0))
            if self.charging is not None:
                self.charging.append(int(rng.next() % 1000 < gen["charging"]))
            if self.metered is not None:
                self.metered.append(int(rng.next() % 1000 < gen["metered"]))
            if self.cluster is not None:
                self.cluster.append(rng.next() % gen["clusters"])
            if self.excluded is not None:
                self.excluded.append(int(rng.next() % 1000 < gen["excluded"]))
            if self.first_wave is not None:
                self.first_wave.append(weighted(rng.next(),
                                                gen["first_wave"]))
        assert len(set(self.keys)) == n, "keys must be unique"

    def fingerprint(self):
        h = 0xCBF29CE484222325
        for i in range(self.n):
            words = [self.keys[i]] + [c[i] for c in self.codes]
            if self.critical is not None:
                words.append(self.critical[i])
            if self.battery is not None:
                words.append(f32_bits(self.battery[i]))
            for col in (self.charging, self.metered, self.cluster,
                        self.excluded, self.first_wave):
                if col is not None:
                    words.append(col[i])
            for w in words:
                h = ((h ^ w) * 0x100000001B3) & MASK64
        return h


# ---- the rules of docs/cohort.md -----------------------------------------


def stratum_id(cards, codes):
    """Mixed radix, dimension 0 fastest."""
    sid = 0
    radix = 1
    for d, card in enumerate(cards):
        sid += codes[d] * radix
        radix *= card
    return sid


def stratum_codes(cards, sid):
    out = []
    for card in cards:
        out.append(sid % card)
        sid //= card
    return out


def first_wave_of(spec, fleet, i):
    """Eligibility: the device's first wave, or wave_count when excluded."""
    W = len(spec["waves"])
    if fleet.excluded is not None and fleet.excluded[i] == 1:
        return W
    metered = fleet.metered[i] if fleet.metered is not None else 0
    if spec.get("exclude_metered", 0) == 1 and metered == 1:
        return W
    battery = fleet.battery[i] if fleet.battery is not None else 1.0
    charging = fleet.charging[i] if fleet.charging is not None else 0
    if battery < f32(spec.get("minimum_battery", 0.0)) and charging == 0:
        return W
    if (fleet.cluster is not None
            and fleet.cluster[i] in spec.get("excluded_clusters", [])):
        return W
    fw = fleet.first_wave[i] if fleet.first_wave is not None else 0
    critical = fleet.critical[i] if fleet.critical is not None else 0
    first = max(fw, spec.get("critical_first_wave", 0) if critical else 0)
    return first if first < W else W


def minimum_of(spec):
    m = spec.get("minimum", 0)
    if m == 0 and spec["method"] == MINIMUM_COVERAGE:
        return 1
    return m


def allocate(spec, cards, strata, eligible, targets, canary):
    """Seats per stratum and canary wave (docs/cohort.md, "Allocation"):
    the minimum phase, then largest remainders bounded below by the seats
    held. strata: ids ascending; eligible[h][k]. Returns seats[h][k], the
    strata short of their minimum per wave, and per wave the (q, lo) lists
    the bounded rounding started from (for the self-checks)."""
    S = len(strata)
    m = minimum_of(spec)
    neyman = spec["method"] == NEYMAN
    cap_dim = spec.get("cap_dimension", -1)
    caps = spec.get("caps")
    cap_code = ([stratum_codes(cards, sid)[cap_dim] for sid in strata]
                if cap_dim >= 0 else None)
    seats = [[0] * canary for _ in range(S)]
    short = []
    shares = []
    s = [0] * S
    for k in range(canary):
        hi = [eligible[h][k] for h in range(S)]
        target = targets[k]
        if neyman:
            w = [float(hi[h]) * spec["sd"][strata[h]] for h in range(S)]
        else:
            w = [float(hi[h]) for h in range(S)]

        def code_total(g):
            return sum(s[h] for h in range(S) if cap_code[h] == g)

        def can_take(h):
            if s[h] >= hi[h]:
                return False
            if cap_dim >= 0 and code_total(cap_code[h]) >= caps[cap_code[h]]:
                return False
            return True

        # 1-2. Seats start at the previous wave's; the minimum phase.
        if m > 0:
            order = sorted(range(S), key=lambda h: (-w[h], strata[h]))
            for h in order:
                while (s[h] < min(m, hi[h]) and can_take(h)
                       and sum(s) < target):
                    s[h] += 1
        lo = list(s)

        # 3. Ideal shares: W summed in increasing stratum id, one IEEE
        # double addition at a time (not sum(), which compensates from
        # Python 3.12); q_h = ((double)n_k * w_h) / W.
        W = 0.0
        for h in range(S):
            W += w[h]
        if W == 0.0:
            q = [0.0] * S
        else:
            q = [(float(target) * w[h]) / W for h in range(S)]
        assert all(math.isfinite(x) and x >= 0.0 for x in q)

        # 4. Floors, inside the bounds.
        for h in range(S):
            s[h] = min(hi[h], max(lo[h], math.floor(q[h])))

        def give_back(among):
            """The stratum of `among` above its lower bound with the
            largest excess s_h - q_h; ties: the larger stratum id."""
            best = None
            for h in among:  # ids ascending: a later equal wins
                if s[h] <= lo[h]:
                    continue
                excess = float(s[h]) - q[h]
                if best is None or excess >= best_excess:
                    best, best_excess = h, excess
            assert best is not None, "lower bounds above a cap or target"
            s[best] -= 1

        # 5. Caps, code by code.
        if cap_dim >= 0:
            for g in range(cards[cap_dim]):
                members = [h for h in range(S) if cap_code[h] == g]
                while code_total(g) > caps[g]:
                    give_back(members)

        # 6. Too many.
        while sum(s) > target:
            give_back(range(S))

        # 7. Too few: the largest deficit q_h - s_h; ties: the smaller id.
        while sum(s) < target:
            best = None
            for h in range(S):  # ids ascending: the first of equals wins
                if not can_take(h):
                    continue
                deficit = q[h] - float(s[h])
                if best is None or deficit > best_deficit:
                    best, best_deficit = h, deficit
            if best is None:
                break
            s[best] += 1

        for h in range(S):
            assert lo[h] <= s[h] <= hi[h]
            seats[h][k] = s[h]
        shares.append((q, lo))
        short.append(sum(1 for h in range(S)
                         if hi[h] > 0 and s[h] < min(m, hi[h])))
    return seats, short, shares


def check_largest_remainders(spec, cards, strata, eligible, targets, selected,
                             shares):
    """Where no bound binds (every lo_h <= floor(q_h), every ceil(q_h) <=
    E_h[k], every capped code's ceilings within its cap), the allocation
    is plain largest remainders: each stratum gets floor(q_h) or
    floor(q_h) + 1, the wave gets its target, and no stratum left at its
    floor has a larger remainder than one given the extra seat. Returns
    the number of waves checked."""
    S = len(strata)
    cap_dim = spec.get("cap_dimension", -1)
    checked = 0
    for k, (q, lo) in enumerate(shares):
        fl = [math.floor(x) for x in q]
        ce = [math.ceil(x) for x in q]
        if any(lo[h] > fl[h] or ce[h] > eligible[h][k] for h in range(S)):
            continue
        if cap_dim >= 0:
            per_code = {}
            for h, sid in enumerate(strata):
                code = stratum_codes(cards, sid)[cap_dim]
                per_code[code] = per_code.get(code, 0) + ce[h]
            if any(per_code[c] > spec["caps"][c] for c in per_code):
                continue
        s = [selected[h][k] for h in range(S)]
        assert all(s[h] in (fl[h], fl[h] + 1) for h in range(S)), \
            "wave %d: a stratum outside floor(q) .. floor(q) + 1" % k
        assert sum(s) == targets[k]
        up = [q[h] - fl[h] for h in range(S) if s[h] > fl[h]]
        down = [q[h] - fl[h] for h in range(S) if s[h] == fl[h]]
        assert not up or not down or min(up) >= max(down)
        checked += 1
    return checked


def tvd(cohort, fleet):
    """1/2 sum |c/C - N/N| over the entries with fleet devices, in order;
    1 for an empty cohort of a non-empty fleet."""
    C = sum(cohort)
    N = sum(fleet)
    if N == 0:
        return 0.0
    if C == 0:
        return 1.0
    total = 0.0
    for c, f in zip(cohort, fleet):
        if f > 0:
            total += abs(c / C - f / N)
    return 0.5 * total


def report(cards, strata, fleet_of, cohort_of):
    N = sum(fleet_of)
    C = sum(cohort_of)
    covered = [h for h in range(len(strata)) if cohort_of[h] > 0]
    out = {
        "fleet": N, "cohort": C, "strata": len(strata),
        "strata_covered": len(covered),
        "strata_coverage": len(covered) / len(strata) if strata else 0.0,
        "mass_coverage": (sum(fleet_of[h] for h in covered) / N
                          if N else 0.0),
        "tvd": tvd(cohort_of, fleet_of),
        "tvd_dimension": [],
    }
    for d, card in enumerate(cards):
        mf = [0] * card
        mc = [0] * card
        for h, sid in enumerate(strata):
            code = stratum_codes(cards, sid)[d]
            mf[code] += fleet_of[h]
            mc[code] += cohort_of[h]
        out["tvd_dimension"].append(tvd(mc, mf))
    worst = []
    for h, sid in enumerate(strata):
        fs = fleet_of[h] / N
        cs = cohort_of[h] / C if C else 0.0
        deficit = fs - cs
        if deficit > 0:
            worst.append((-deficit, sid, fs, cs))
    worst.sort()
    out["worst"] = [(sid, fs, cs) for _, sid, fs, cs in worst[:REPORT_WORST]]
    return out


def run_case(case):
    spec = case["spec"]
    fleet = Fleet(case["fleet"])
    cards = [len(w) for w in case["fleet"]["code_weights"]]
    waves = spec["waves"]
    W = len(waves)
    final_rest = waves[-1] == 1.0
    canary = W - 1 if final_rest else W
    salt = spec["salt"]
    m = minimum_of(spec)

    sid_of = [stratum_id(cards, [c[i] for c in fleet.codes])
              for i in range(fleet.n)]
    first = [first_wave_of(spec, fleet, i) for i in range(fleet.n)]
    pos = [position(salt, k) for k in fleet.keys]
    strata = sorted(set(sid_of))
    index = {sid: h for h, sid in enumerate(strata)}
    S = len(strata)
    fleet_of = [0] * S
    eligible = [[0] * W for _ in range(S)]
    for i in range(fleet.n):
        h = index[sid_of[i]]
        fleet_of[h] += 1
        for k in range(first[i], W):
            eligible[h][k] += 1
    E = [sum(eligible[h][k] for h in range(S)) for k in range(W)]
    targets = [math.floor(waves[k] * E[k] + 0.5) for k in range(W)]

    wave_of = [NONE] * fleet.n
    if spec["method"] == HASH_THRESHOLD:
        for i in range(fleet.n):
            if first[i] >= W:
                continue
            u = fraction(pos[i])
            j = next((k for k in range(W) if u < waves[k]), None)
            if j is not None and max(j, first[i]) < W:
                wave_of[i] = max(j, first[i])
        short = [0] * W
        shares = None
    else:
        seats, short, shares = allocate(spec, cards, strata, eligible,
                                        targets, canary)
        by_stratum = [[] for _ in range(S)]
        for i in range(fleet.n):
            by_stratum[index[sid_of[i]]].append(i)
        for h in range(S):
            ranked = sorted(by_stratum[h], key=lambda i: (pos[i],
                                                          fleet.keys[i]))
            previous = 0
            for k in range(canary):
                add = seats[h][k] - previous
                previous = seats[h][k]
                for i in ranked:
                    if add == 0:
                        break
                    if wave_of[i] == NONE and first[i] <= k:
                        wave_of[i] = k
                        add -= 1
                assert add == 0, "fewer eligible devices than seats"
        if final_rest:
            for i in range(fleet.n):
                if wave_of[i] == NONE and first[i] <= W - 1:
                    wave_of[i] = W - 1
        short += [0] * (W - canary)

    selected = [[0] * W for _ in range(S)]
    for i in range(fleet.n):
        if wave_of[i] != NONE:
            h = index[sid_of[i]]
            for k in range(wave_of[i], W):
                selected[h][k] += 1

    listed = sorted((i for i in range(fleet.n)
                     if wave_of[i] != NONE and wave_of[i] < canary),
                    key=lambda i: (wave_of[i], sid_of[i], pos[i],
                                   fleet.keys[i]))

    # What the rules promise, checked on the reference itself.
    for k in range(canary):
        for h in range(S):
            assert selected[h][k] <= eligible[h][k]
            assert k == 0 or selected[h][k] >= selected[h][k - 1]
        if spec["method"] != HASH_THRESHOLD:
            assert sum(selected[h][k] for h in range(S)) <= targets[k]
        if spec.get("cap_dimension", -1) >= 0:
            per_code = {}
            for h, sid in enumerate(strata):
                code = stratum_codes(cards, sid)[spec["cap_dimension"]]
                per_code[code] = per_code.get(code, 0) + selected[h][k]
            assert all(per_code[c] <= spec["caps"][c] for c in per_code)
    lr_checked = 0
    if spec["method"] != HASH_THRESHOLD:
        lr_checked = check_largest_remainders(spec, cards, strata, eligible,
                                              targets, selected, shares)

    wave_rows = []
    reports = []
    for k in range(W):
        sel = sum(selected[h][k] for h in range(S))
        wave_rows.append({
            "fraction": waves[k], "fleet": fleet.n, "eligible": E[k],
            "target": targets[k], "selected": sel,
            "shortfall": max(0, targets[k] - sel), "strata": S,
            "strata_covered": sum(1 for h in range(S) if selected[h][k] > 0),
            "strata_short_of_minimum": short[k],
            "listed": 1 if k < canary else 0})
        reports.append(report(cards, strata, fleet_of,
                              [selected[h][k] for h in range(S)]))

    check_retention(case, spec, fleet, sid_of, first, pos, wave_of, canary,
                    m, index, S)
    return {"fleet": fleet, "cards": cards, "strata": strata,
            "fleet_of": fleet_of, "eligible": eligible,
            "selected": selected, "waves": wave_rows, "reports": reports,
            "listed": [(i, wave_of[i], sid_of[i]) for i in listed],
            "assign": wave_of, "lr_checked": lr_checked}


def check_retention(case, spec, fleet, sid_of, first, pos, wave_of, canary,
                    m, index, S):
    """The engine keeps only devices below a bound (docs/cohort.md,
    "Memory"); a case whose selection reaches near it would test
    OTAPRIO_E_LIMIT instead of the selection. Refuse such a case, with a
    margin, so that its retain fraction gets raised."""
    r = spec.get("retain_fraction", 0.0)
    if r == 0.0:
        r = max(spec["waves"][:canary]) if canary else 1.0
        if spec["method"] == NEYMAN:
            sd = spec["sd"]
            r = min(1.0, r * (max(sd) / min(sd))) if min(sd) > 0 else 1.0
    n = [0] * S
    for i in range(fleet.n):
        if first[i] < canary:
            n[index[sid_of[i]]] += 1
    for i in range(fleet.n):
        if wave_of[i] == NONE or wave_of[i] >= canary:
            continue
        nh = n[index[sid_of[i]]]
        bound = min(1.0, (r * nh + RETAIN_Z * math.sqrt(r * nh)
                          + RETAIN_Z ** 2 + m + 2) / nh)
        if bound < 1.0 and fraction(pos[i]) > bound * 0.999:
            raise SystemExit("%s: device %d is selected at fraction %.6f, "
                             "near the retention bound %.6f; raise the "
                             "case's retain_fraction" % (
                                 case["name"], i, fraction(pos[i]), bound))


# ---- the cases -------------------------------------------------------------

OS = [500, 300, 120, 60, 15, 5]          # six versions, two rare
SKU = [700, 200, 99, 1]                  # one very rare SKU
REGION = [400, 350, 250]
SPARSE = [600, 0, 300, 100, 0]           # codes 1 and 4 never seen
BAND = [1, 3, 6]                         # battery band, small first
ALWAYS_ZERO = [1, 0]                     # a column of zeros
SCHEDULE = [0.01, 0.05, 0.25, 1.0]
SHORT = [0.1, 0.5]
ROLLOUT_SALT = xxhash.xxh3_64_intdigest(b"rollout-2026-11-fw-3.2.1")


def sd_table(seed, count, zeros_every=0):
    rng = SplitMix64(seed)
    out = []
    for i in range(count):
        v = (rng.next() % 1000) / 100.0
        if zeros_every and i % zeros_every == 0:
            v = 0.0
        out.append(v)
    return out


def cases():
    out = []

    def add(name, fleet, **spec):
        out.append({"name": name, "fleet": fleet, "spec": spec})

    # The baseline: hash threshold over three dimensions, and over one with
    # no final wave of 1, exclusions and held devices.
    add("hash_three_dims",
        {"seed": 101, "n": 3000, "code_weights": [OS, SKU, REGION]},
        salt=ROLLOUT_SALT, method=HASH_THRESHOLD, waves=SCHEDULE)
    add("hash_held_no_rest",
        {"seed": 102, "n": 1500, "code_weights": [REGION], "critical": 50,
         "excluded": 40, "first_wave": [90, 8, 2]},
        salt=1, method=HASH_THRESHOLD, waves=SHORT, critical_first_wave=1)
    add("hash_exclusions",
        {"seed": 103, "n": 2000, "code_weights": [OS, BAND], "critical": 30,
         "battery": True, "charging": 300, "metered": 200, "clusters": 20,
         "excluded": 20, "first_wave": [85, 10, 4, 1]},
        salt=0, method=HASH_THRESHOLD, waves=SCHEDULE, critical_first_wave=2,
        minimum_battery=0.2, exclude_metered=1, excluded_clusters=[3, 17])

    # Proportional: no dimensions, one, three skewed with rare strata.
    add("proportional_no_dims",
        {"seed": 201, "n": 1000, "code_weights": [], "excluded": 100},
        salt=0xFFFFFFFFFFFFFFFF, method=PROPORTIONAL, waves=SCHEDULE)
    add("proportional_one_dim",
        {"seed": 202, "n": 800, "code_weights": [SPARSE]},
        salt=7, method=PROPORTIONAL, waves=SHORT)
    add("proportional_three_dims",
        {"seed": 203, "n": 4000, "code_weights": [OS, SKU, REGION]},
        salt=ROLLOUT_SALT, method=PROPORTIONAL, waves=SCHEDULE)
    add("proportional_minimum_two",
        {"seed": 204, "n": 2500, "code_weights": [OS, SKU]},
        salt=42, method=PROPORTIONAL, waves=SCHEDULE, minimum=2)

    # Minimum coverage: the default minimum of 1 with waves too small to
    # cover every stratum, and a minimum of 3.
    add("minimum_coverage_default",
        {"seed": 301, "n": 3000, "code_weights": [OS, SKU, SPARSE]},
        salt=ROLLOUT_SALT, method=MINIMUM_COVERAGE, waves=SCHEDULE)
    # The middle dimension is always code 0: the C test hands the library
    # a NULL column for it.
    add("minimum_coverage_three",
        {"seed": 302, "n": 1200, "code_weights": [OS, ALWAYS_ZERO, REGION]},
        salt=3, method=MINIMUM_COVERAGE, waves=SHORT, minimum=3)

    # Neyman with a standard deviation per stratum id, some of them 0.
    add("neyman_two_dims",
        {"seed": 401, "n": 3000, "code_weights": [OS, REGION]},
        salt=ROLLOUT_SALT, method=NEYMAN, waves=SCHEDULE,
        sd=sd_table(41, 18, zeros_every=7))
    add("neyman_minimum_three_dims",
        {"seed": 402, "n": 2000, "code_weights": [SKU, REGION, BAND]},
        salt=9, method=NEYMAN, waves=SHORT, minimum=2,
        sd=sd_table(42, 36), retain_fraction=1.0)
    add("neyman_no_dims",
        {"seed": 403, "n": 300, "code_weights": []},
        salt=11, method=NEYMAN, waves=SHORT, sd=[2.5])

    # Every exclusion rule, critical devices held until wave 2 and the
    # host's first-wave column, some past the last wave.
    add("proportional_exclusions",
        {"seed": 501, "n": 3000, "code_weights": [OS, REGION],
         "critical": 80, "battery": True, "charging": 250, "metered": 150,
         "clusters": 12, "excluded": 30, "first_wave": [80, 10, 5, 3, 2]},
        salt=ROLLOUT_SALT, method=PROPORTIONAL, waves=SCHEDULE,
        critical_first_wave=2, minimum_battery=0.15, exclude_metered=1,
        excluded_clusters=[0, 5, 11])
    add("minimum_coverage_held",
        {"seed": 502, "n": 2000, "code_weights": [SKU, BAND], "critical": 100,
         "metered": 300, "first_wave": [70, 20, 10]},
        salt=5, method=MINIMUM_COVERAGE, waves=SHORT, minimum=2,
        critical_first_wave=1)
    add("critical_kept_out",
        {"seed": 503, "n": 1000, "code_weights": [REGION], "critical": 200,
         "battery": True, "metered": 500},
        salt=6, method=PROPORTIONAL, waves=SCHEDULE, critical_first_wave=4,
        minimum_battery=0.5)

    # Caps on one dimension: seats a capped code cannot take go elsewhere,
    # then run out (a shortfall).
    add("caps_region",
        {"seed": 601, "n": 2000, "code_weights": [REGION, SKU]},
        salt=ROLLOUT_SALT, method=PROPORTIONAL, waves=[0.05, 0.25, 0.5],
        cap_dimension=0, caps=[20, 300, 5], retain_fraction=1.0)
    add("caps_minimum_coverage",
        {"seed": 602, "n": 2500, "code_weights": [OS, SKU], "critical": 50},
        salt=8, method=MINIMUM_COVERAGE, waves=SCHEDULE, cap_dimension=1,
        caps=[10 ** 6, 40, 3, 1], critical_first_wave=2, minimum=2)
    # Ties in giving seats back: 1024 eligible devices and a first wave of
    # 1/16 make every share q_h = E_h / 16 exact, so strata whose E_h agree
    # mod 16 have equal excesses; the minimum phase and the caps then make
    # them give seats back, and the larger stratum id gives first. The
    # seed is one where that rule decides seats in both steps.
    add("give_back_ties",
        {"seed": 837, "n": 1024, "code_weights": [OS, BAND]},
        salt=837, method=MINIMUM_COVERAGE, waves=[0.0625, 0.25, 1.0],
        minimum=2, cap_dimension=1, caps=[10 ** 6, 40, 60],
        retain_fraction=1.0)

    # A small fleet: the first waves round to nobody (empty cohorts).
    add("tiny_fleet",
        {"seed": 701, "n": 40, "code_weights": [REGION, BAND]},
        salt=2, method=MINIMUM_COVERAGE, waves=SCHEDULE)
    return out


# ---- rendering -------------------------------------------------------------


def hexd(x):
    return float(x).hex()


def c_numbers(ctype, name, values, fmt, per_line=8):
    lines = ["static const %s %s[] = {" % (ctype, name)]
    if not values:
        values = [0]  # C has no empty arrays; counts say how many are used
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(fmt(v) for v in values[i:i + per_line])
                     + ",")
    lines.append("};")
    return lines


def u32(v):
    return "%du" % v


def u64(v):
    return "%du" % v if v <= 0xFFFFFFFF else "%dull" % v


def u64x(v):
    return "0x%016xull" % v


def dbl(v):
    return hexd(v)


def c_string(chars, per_line=100):
    if not chars:
        return ['    ""']
    return ['    "%s"' % chars[i:i + per_line]
            for i in range(0, len(chars), per_line)]


def wave_char(w):
    return "." if w == NONE else chr(ord("0") + w)


PREAMBLE = """\
/* SPDX-License-Identifier: MIT */
/* clang-format off */
/* Generated by tests/vectors/gen_cohort_vectors.py with the Python xxhash
 * %s package. Do not edit. */
#include <stddef.h>
#include <stdint.h>

#include "otaprio/cohort.h"

/* How the fleet of a case is drawn (see the generator's docstring). A
 * permille of -1, a cluster count of 0 or no first-wave weights mean the
 * column is absent (NULL for the library). */
typedef struct cohort_vector_fleet {
    uint64_t seed;
    size_t n;
    uint32_t dimension_count;
    const uint32_t *cardinalities;
    const uint32_t *code_weights; /* cardinalities[d] per dimension */
    int32_t critical_permille;
    int32_t battery; /* 1: a battery column */
    int32_t charging_permille;
    int32_t metered_permille;
    uint32_t cluster_count;
    int32_t excluded_permille;
    uint32_t first_wave_weight_count;
    const uint32_t *first_wave_weights;
    uint64_t fingerprint; /* FNV-1a of the drawn columns */
} cohort_vector_fleet;

/* The spec fields a case sets; the others keep otaprio_cohort_spec_init's
 * defaults. */
typedef struct cohort_vector_spec {
    uint64_t salt;
    int32_t method;
    uint32_t wave_count;
    const double *waves;
    uint32_t minimum_per_stratum;
    const double *stratum_sd; /* NULL unless Neyman */
    uint64_t stratum_sd_count;
    double retain_fraction;
    uint32_t critical_first_wave;
    float minimum_battery;
    int32_t exclude_metered;
    const uint32_t *excluded_clusters;
    size_t excluded_cluster_count;
    int32_t cap_dimension;
    const uint64_t *caps;
} cohort_vector_spec;

/* One wave's representativeness; only the first dimension_count and
 * worst_count entries of the arrays mean anything. */
typedef struct cohort_vector_report {
    uint64_t fleet, cohort, strata, strata_covered;
    double strata_coverage, mass_coverage, tvd;
    uint32_t dimension_count;
    double tvd_dimension[OTAPRIO_COHORT_MAX_DIMENSIONS];
    uint32_t worst_count;
    uint64_t worst_stratum[OTAPRIO_COHORT_REPORT_WORST];
    double worst_fleet_share[OTAPRIO_COHORT_REPORT_WORST];
    double worst_cohort_share[OTAPRIO_COHORT_REPORT_WORST];
} cohort_vector_report;

typedef struct cohort_vector_wave {
    double fraction;
    uint64_t fleet, eligible, target, selected, shortfall;
    uint64_t strata, strata_covered, strata_short_of_minimum;
    int32_t listed;
} cohort_vector_wave;

typedef struct cohort_vector {
    const char *name;
    cohort_vector_fleet fleet;
    cohort_vector_spec spec;
    const cohort_vector_wave *waves; /* spec.wave_count */
    uint64_t stratum_count;
    const uint64_t *stratum_ids;
    const uint64_t *stratum_fleet;
    const uint64_t *stratum_eligible; /* [stratum * wave_count + wave] */
    const uint64_t *stratum_selected; /* [stratum * wave_count + wave] */
    uint64_t listed_count;
    const uint32_t *listed_device; /* index into the drawn fleet */
    const char *listed_wave;       /* '0' + wave per listed device */
    const uint64_t *listed_stratum;
    const char *assign; /* per fleet device: '0' + wave, '.' for none */
    const cohort_vector_report *reports; /* spec.wave_count */
} cohort_vector;
"""


def render():
    out = [PREAMBLE % xxhash.VERSION]
    table = []
    lr_checked = 0
    for case in cases():
        res = run_case(case)
        lr_checked += res["lr_checked"]
        name = case["name"]
        p = "cv_" + name
        gen = case["fleet"]
        spec = case["spec"]
        cards = res["cards"]
        W = len(spec["waves"])
        out.append("/* ---- %s ---- */" % name)
        out += c_numbers("uint32_t", p + "_cardinalities", cards, u32)
        out += c_numbers("uint32_t", p + "_code_weights",
                         [w for ws in gen["code_weights"] for w in ws], u32)
        fw = gen.get("first_wave") or []
        out += c_numbers("uint32_t", p + "_first_wave_weights", fw, u32)
        out += c_numbers("double", p + "_waves", spec["waves"], dbl, 4)
        sd = spec.get("sd")
        if sd is not None:
            out += c_numbers("double", p + "_sd", sd, dbl, 4)
        excl = spec.get("excluded_clusters", [])
        out += c_numbers("uint32_t", p + "_excluded_clusters", excl, u32)
        caps = spec.get("caps")
        if caps is not None:
            out += c_numbers("uint64_t", p + "_caps", caps, u64, 4)
        out.append("static const cohort_vector_wave %s_waves_info[] = {" % p)
        for w in res["waves"]:
            out.append("    {%s, %du, %du, %du, %du, %du, %du, %du, %du, %d},"
                       % (hexd(w["fraction"]), w["fleet"], w["eligible"],
                          w["target"], w["selected"], w["shortfall"],
                          w["strata"], w["strata_covered"],
                          w["strata_short_of_minimum"], w["listed"]))
        out.append("};")
        S = len(res["strata"])
        out += c_numbers("uint64_t", p + "_stratum_ids", res["strata"],
                         u64, 12)
        out += c_numbers("uint64_t", p + "_stratum_fleet", res["fleet_of"],
                         u64, 12)
        out += c_numbers("uint64_t", p + "_stratum_eligible",
                         [res["eligible"][h][k] for h in range(S)
                          for k in range(W)], u64, W)
        out += c_numbers("uint64_t", p + "_stratum_selected",
                         [res["selected"][h][k] for h in range(S)
                          for k in range(W)], u64, W)
        listed = res["listed"]
        out += c_numbers("uint32_t", p + "_listed_device",
                         [i for i, _, _ in listed], u32, 12)
        out.append("static const char %s_listed_wave[] =" % p)
        out += c_string("".join(wave_char(w) for _, w, _ in listed))
        out[-1] += ";"
        out += c_numbers("uint64_t", p + "_listed_stratum",
                         [s for _, _, s in listed], u64, 12)
        out.append("static const char %s_assign[] =" % p)
        out += c_string("".join(wave_char(w) for w in res["assign"]))
        out[-1] += ";"
        out.append("static const cohort_vector_report %s_reports[] = {" % p)
        for r in res["reports"]:
            worst = r["worst"]
            out.append("    {%du, %du, %du, %du, %s, %s, %s," % (
                r["fleet"], r["cohort"], r["strata"], r["strata_covered"],
                hexd(r["strata_coverage"]), hexd(r["mass_coverage"]),
                hexd(r["tvd"])))
            out.append("     %du, {%s}," % (
                len(r["tvd_dimension"]),
                ", ".join(hexd(v) for v in r["tvd_dimension"]) or "0"))
            out.append("     %du, {%s}," % (
                len(worst), ", ".join(u64(s) for s, _, _ in worst) or "0"))
            out.append("     {%s}," % (
                ", ".join(hexd(f) for _, f, _ in worst) or "0"))
            out.append("     {%s}}," % (
                ", ".join(hexd(c) for _, _, c in worst) or "0"))
        out.append("};")
        out.append("")

        def permille(key):
            v = gen.get(key)
            return -1 if v is None else v

        fleet_init = "{%s, %du, %du, %s_cardinalities, %s_code_weights, " \
            "%d, %d, %d, %d, %du, %d, %du, %s_first_wave_weights, %s}" % (
                u64(gen["seed"]), gen["n"], len(cards), p, p,
                permille("critical"), 1 if gen.get("battery") else 0,
                permille("charging"), permille("metered"),
                gen.get("clusters", 0), permille("excluded"), len(fw), p,
                u64x(res["fleet"].fingerprint()))
        spec_init = "{%s, %s, %du, %s_waves, %du, %s, %du, %s, %du, " \
            "%sf, %d, %s_excluded_clusters, %du, %d, %s}" % (
                u64x(spec["salt"]), METHOD_NAMES[spec["method"]], W, p,
                spec.get("minimum", 0),
                p + "_sd" if sd is not None else "NULL",
                len(sd) if sd is not None else 0,
                hexd(spec.get("retain_fraction", 0.0)),
                spec.get("critical_first_wave", 0),
                hexd(f32(spec.get("minimum_battery", 0.0))),
                spec.get("exclude_metered", 0), p, len(excl),
                spec.get("cap_dimension", -1),
                p + "_caps" if caps is not None else "NULL")
        table.append("    {\"%s\",\n     %s,\n     %s,\n     %s_waves_info, "
                     "%du, %s_stratum_ids, %s_stratum_fleet, "
                     "%s_stratum_eligible, %s_stratum_selected,\n"
                     "     %du, %s_listed_device, %s_listed_wave, "
                     "%s_listed_stratum, %s_assign, %s_reports}," % (
                         name, fleet_init, spec_init, p, S, p, p, p, p,
                         len(listed), p, p, p, p, p))
    assert lr_checked > 0, "no wave checks the unbounded rounding"
    out.append("static const cohort_vector cohort_vectors[] = {")
    out += table
    out.append("};")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(vectorfile.run(OUTPUT, render, __doc__))
