#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio cohort`.

Usage: test_cohort.py OTAPRIO EXAMPLE_FLEET

OTAPRIO is the built executable, EXAMPLE_FLEET examples/cohort-fleet.csv.
Standard library only.

The waves are checked against a reference written here in Python from the
rules of docs/cohort.md (eligibility, targets, largest remainders bounded
below by the previous wave, with the minimum phase and caps, selection by
bucket position, the
hash threshold, total variation distance and coverage). The one input it
takes from the library is each device's key and bucket position, read
from `otaprio bucket`, whose values golden vectors freeze. Then the
properties (nesting, determinism under shuffled rows, exclusions) and
every error path.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import csv
import io
import math
import os
import random
import struct
import subprocess
import sys

from cli_harness import (Checks, Command, Files, Skip, arguments, failed_with,
                         invoke, succeeded)

OTAPRIO, EXAMPLE = arguments(__doc__, 2)

STRATA = ["os", "sku", "region", "connection"]
SALT = "fw-4.2.0"


# ---- harness ----------------------------------------------------------------


# run, ok and fails, as every command's script has them.
COMMAND = Command(OTAPRIO, "cohort")
run, ok, fails = COMMAND.run, COMMAND.ok, COMMAND.fails


def cohort_json(fleet, *args, **kwargs):
    return ok("--fleet", fleet, "--json", *args, **kwargs).json()


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_rows(files, name, rows, columns=None):
    columns = columns or list(rows[0].keys())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return files.write(name, out.getvalue())


def flag(text):
    return text.strip().lower() in ("1", "true")


def f32(x):
    """x rounded to float, as the CLI reads charges and the library
    compares them."""
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


test = Checks()


# ---- the reference ------------------------------------------------------------

_positions = {}


def positions(path, salt=SALT):
    """id -> (position, key) of every device, from `otaprio bucket`."""
    cache = (path, salt, os.path.getmtime(path))
    if cache not in _positions:
        r = succeeded(invoke([OTAPRIO, "bucket", "--salt", salt, "--csv",
                              path, "--column", "id", "--json"]))
        _positions[cache] = {d["id"]: (int(d["position"], 16),
                                       int(d["key"], 16))
                             for d in r.json()}
    return _positions[cache]


class Rollout:
    """The options of one run, and the arguments that express them."""

    def __init__(self, waves, strata=(), method="proportional", minimum=0,
                 excluded=None, metered=False, battery=None, critical=None,
                 clusters=(), cap_column=None, caps=None, outcome=None):
        self.waves = list(waves)
        self.strata = list(strata)
        self.method = method
        self.minimum = minimum
        self.excluded = excluded          # column name
        self.metered = metered            # exclude metered (column metered)
        self.battery = battery            # minimum charge
        self.critical = critical          # first wave of critical devices
        self.clusters = list(clusters)    # excluded clusters
        self.cap_column = cap_column
        self.caps = caps or {}
        self.outcome = outcome            # Neyman's flag column

    def args(self):
        a = ["--waves", ",".join(repr(w) for w in self.waves),
             "--salt", SALT, "--method", self.method]
        if self.strata:
            a += ["--strata", ",".join(self.strata)]
        if self.minimum:
            a += ["--minimum", str(self.minimum)]
        if self.excluded:
            a += ["--excluded-column", self.excluded]
        if self.metered:
            a += ["--metered-column", "metered", "--exclude-metered"]
        if self.battery is not None:
            a += ["--battery-column", "battery", "--charging-column",
                  "charging", "--minimum-battery", repr(self.battery)]
        if self.critical is not None:
            a += ["--critical-column", "critical", "--critical-first-wave",
                  str(self.critical)]
        if self.clusters:
            a += ["--cluster-column", "cluster", "--exclude-clusters",
                  ",".join(str(c) for c in self.clusters)]
        if self.cap_column:
            a += ["--cap-column", self.cap_column, "--caps",
                  ",".join("%s=%d" % kv for kv in self.caps.items())]
        if self.outcome:
            a += ["--outcome-column", self.outcome]
        return a

    def first_wave(self, row):
        """docs/cohort.md, "Eligibility": the first wave, W for none."""
        w = len(self.waves)
        if self.excluded and flag(row[self.excluded]):
            return w
        if self.metered and flag(row["metered"]):
            return w
        if (self.battery is not None and
                f32(row["battery"]) < f32(self.battery) and
                not flag(row["charging"])):
            return w
        if self.clusters and row["cluster"].strip() and \
                int(row["cluster"]) in self.clusters:
            return w
        first = self.critical if (self.critical is not None and
                                  flag(row["critical"])) else 0
        return first if first < w else w


class Reference:
    """The cohort of a fleet, computed from the rules of docs/cohort.md."""

    def __init__(self, path, rollout):
        self.rollout = r = rollout
        rows = read_rows(path)
        place = positions(path)
        # Strata values are numbered in byte order of their values.
        self.values = [sorted({row[c].strip() for row in rows},
                              key=lambda v: v.encode())
                       for c in r.strata]
        self.cards = [max(1, len(v)) for v in self.values]
        w = len(r.waves)
        self.devices = []  # (stratum, position, key, first wave, id)
        for row in rows:
            stratum, radix = 0, 1
            for d, c in enumerate(r.strata):
                stratum += self.values[d].index(row[c].strip()) * radix
                radix *= self.cards[d]
            pos, key = place[row["id"]]
            self.devices.append((stratum, pos, key, r.first_wave(row),
                                 row["id"], row))
        self.fleet = {}
        for dev in self.devices:
            self.fleet[dev[0]] = self.fleet.get(dev[0], 0) + 1
        self.eligible = [sum(1 for d in self.devices if d[3] <= k)
                         for k in range(w)]
        self.canary = [k for k in range(w) if r.waves[k] < 1]
        self.targets = [math.floor(r.waves[k] * self.eligible[k] + 0.5)
                        for k in range(w)]
        if r.method == "hash":
            self.joins = self.hash_threshold()
        else:
            self.joins = self.stratified(rows)

    def hash_threshold(self):
        waves = self.rollout.waves
        joins = {}
        for stratum, pos, key, first, ident, _ in self.devices:
            u = (pos >> 11) * 2.0 ** -53
            j = next((k for k, f in enumerate(waves) if u < f), len(waves))
            k = max(j, first)
            if k < len(waves):
                joins[ident] = k
        return joins

    def weights(self, rows, k):
        r = self.rollout
        e = {}
        for dev in self.devices:
            if dev[3] <= k:
                e[dev[0]] = e.get(dev[0], 0) + 1
        if r.method != "neyman":
            return e, {h: float(n) for h, n in e.items()}
        # Laplace's rule on the outcome flag, per stratum of the fleet.
        n, x = {}, {}
        for dev in self.devices:
            n[dev[0]] = n.get(dev[0], 0) + 1
            x[dev[0]] = x.get(dev[0], 0) + int(flag(dev[5][r.outcome]))
        sd = {}
        for h in e:
            p = (x[h] + 1.0) / (n[h] + 2.0)
            sd[h] = math.sqrt(p * (1.0 - p))
        return e, {h: float(e[h]) * sd[h] for h in e}

    def cap_code(self, h):
        r = self.rollout
        d = r.strata.index(r.cap_column)
        for dd in range(d):
            h //= self.cards[dd]
        return self.values[d][h % self.cards[d]]

    def stratified(self, rows):
        r = self.rollout
        m = r.minimum or (1 if r.method == "minimum" else 0)
        seats = {h: 0 for h in self.fleet}
        joins = {}
        taken = set()
        for k in self.canary:
            e, weight = self.weights(rows, k)
            target = self.targets[k]
            before = dict(seats)

            def can_take(h):
                if seats[h] >= e.get(h, 0):
                    return False
                if r.cap_column:
                    code = self.cap_code(h)
                    used = sum(s for g, s in seats.items()
                               if self.cap_code(g) == code)
                    return used < r.caps.get(code, float("inf"))
                return True

            total = sum(seats.values())
            if m > 0:
                for h in sorted(e, key=lambda h: (-weight[h], h)):
                    while (seats[h] < min(m, e[h]) and can_take(h) and
                           total < target):
                        seats[h] += 1
                        total += 1
            # Largest remainders, bounded below by the seats so far (the
            # last wave's and the minimum phase's), above by the eligible
            # devices and the caps.
            lo = dict(seats)
            total_weight = 0.0
            for h in sorted(e):
                total_weight += weight[h]
            share = {}
            for h in seats:
                q = (0.0 if total_weight == 0 else
                     (float(target) * weight.get(h, 0.0)) / total_weight)
                share[h] = math.inf if math.isnan(q) else q
            for h in seats:
                hi = e.get(h, 0)
                floor = hi if math.isinf(share[h]) else math.floor(share[h])
                seats[h] = min(hi, max(lo[h], floor))

            def take_one(among):
                # The largest excess s - q gives a seat; ties: larger id.
                movable = [h for h in among if seats[h] > lo[h]]
                if not movable:
                    return False
                best = max(movable, key=lambda h: (seats[h] - share[h], h))
                seats[best] -= 1
                return True

            if r.cap_column:
                for code in sorted({self.cap_code(h) for h in seats},
                                   key=lambda v: v.encode()):
                    members = [h for h in sorted(seats)
                               if self.cap_code(h) == code]
                    cap = r.caps.get(code, float("inf"))
                    while (sum(seats[h] for h in members) > cap and
                           take_one(members)):
                        pass
            total = sum(seats.values())
            while total > target and take_one(list(seats)):
                total -= 1
            while total < target:
                # The largest deficit q - s takes a seat; ties: smaller id.
                open_ = [h for h in sorted(e) if can_take(h)]
                if not open_:
                    break
                best = max(open_, key=lambda h: (share[h] - seats[h], -h))
                seats[best] += 1
                total += 1
            for h in seats:
                add = seats[h] - before[h]
                ranked = sorted((pos, key, ident)
                                for s, pos, key, first, ident, _ in
                                self.devices
                                if s == h and first <= k and
                                ident not in taken)
                for _, _, ident in ranked[:add]:
                    joins[ident] = k
                    taken.add(ident)
        return joins

    def listing(self):
        """Canary devices in listing order: wave, stratum, position, key."""
        canary = set(self.canary)
        order = sorted((self.joins[d[4]], d[0], d[1], d[2], d[4])
                       for d in self.devices
                       if d[4] in self.joins and self.joins[d[4]] in canary)
        return [(k, ident) for k, _, _, _, ident in order]

    def selected(self, k):
        return sum(1 for j in self.joins.values() if j <= k)

    def report(self, k):
        """TVD, coverage and the most under-covered strata of waves
        0 .. k, as docs/cohort.md defines them."""
        n = sum(self.fleet.values())
        cohort = {}
        for d in self.devices:
            if self.joins.get(d[4], 99) <= k:
                cohort[d[0]] = cohort.get(d[0], 0) + 1
        c = sum(cohort.values())
        tvd = 1.0 if c == 0 else 0.5 * sum(
            abs(cohort.get(h, 0) / c - self.fleet[h] / n) for h in self.fleet)
        per_dim = []
        for d in range(len(self.cards)):
            def code(h):
                for dd in range(d):
                    h //= self.cards[dd]
                return h % self.cards[d]
            fm, cm = {}, {}
            for h, v in self.fleet.items():
                fm[code(h)] = fm.get(code(h), 0) + v
            for h, v in cohort.items():
                cm[code(h)] = cm.get(code(h), 0) + v
            per_dim.append(1.0 if c == 0 else 0.5 * sum(
                abs(cm.get(x, 0) / c - fm[x] / n) for x in fm))
        covered = [h for h in self.fleet if cohort.get(h, 0) > 0]
        mass = sum(self.fleet[h] for h in covered) / n
        deficits = []
        for h in self.fleet:
            share = cohort.get(h, 0) / c if c else 0.0
            deficit = self.fleet[h] / n - share
            if deficit > 0:
                deficits.append((-deficit, h))
        worst = [h for _, h in sorted(deficits)[:8]]
        return {"tvd": tvd, "tvd_dimensions": per_dim,
                "strata": len(self.fleet), "strata_covered": len(covered),
                "mass_coverage": mass, "worst": worst}

    def stratum_values(self, h):
        out = {}
        for d, c in enumerate(self.rollout.strata):
            out[c] = self.values[d][h % self.cards[d]]
            h //= self.cards[d]
        return out


def devices_of(document):
    """[(wave, id)] of a JSON report made with --devices."""
    return [(w["wave"], ident) for w in document["waves"]
            for ident in w.get("devices", [])]


def check_against_reference(path, rollout):
    ref = Reference(path, rollout)
    doc = cohort_json(path, "--devices", *rollout.args())
    waves = doc["waves"]
    assert len(waves) == len(rollout.waves), doc
    for k, wave in enumerate(waves):
        f = rollout.waves[k]
        assert wave["fraction"] == f, wave
        assert wave["eligible"] == ref.eligible[k], (k, wave, ref.eligible)
        assert wave["target"] == math.floor(f * wave["eligible"] + 0.5)
        assert wave["target"] == ref.targets[k], (k, wave)
        assert wave["fleet"] == len(ref.devices)
        assert wave["listed"] == (f < 1), wave
        if f < 1:
            assert wave["selected"] == ref.selected(k), (k, wave)
        else:
            assert wave["selected"] == wave["target"] == ref.eligible[k]
        assert wave["shortfall"] == max(0, wave["target"] -
                                        wave["selected"]), wave
    assert devices_of(doc) == ref.listing(), (devices_of(doc)[:20],
                                              ref.listing()[:20])
    for k, wave in enumerate(waves):
        rep = wave["representativeness"]
        want = ref.report(k) if rollout.waves[k] < 1 else None
        if want is None:
            continue
        assert rep["cohort"] == ref.selected(k), (k, rep)
        assert rep["strata"] == want["strata"], (k, rep)
        assert rep["strata_covered"] == want["strata_covered"], (k, rep)
        assert abs(rep["tvd"] - want["tvd"]) < 1e-12, (k, rep, want)
        assert abs(rep["mass_coverage"] - want["mass_coverage"]) < 1e-12
        for d, c in enumerate(rollout.strata):
            assert abs(rep["tvd_dimensions"][c] -
                       want["tvd_dimensions"][d]) < 1e-12, (k, c, rep)
        assert [u["values"] for u in rep["under_covered"]] == \
            [ref.stratum_values(h) for h in want["worst"]], (k, rep, want)
        for u, h in zip(rep["under_covered"], want["worst"]):
            assert abs(u["fleet_share"] - ref.fleet[h] /
                       len(ref.devices)) < 1e-12, u
    return doc, ref


# ---- help -------------------------------------------------------------------


@test
def help_texts():
    r = subprocess.run([OTAPRIO, "--help"], capture_output=True, check=True)
    assert b"  cohort " in r.stdout, r.stdout
    usage = ok("--help").out
    assert usage.startswith(b"Usage: otaprio cohort"), usage
    assert ok("-h").out == usage
    r = subprocess.run([OTAPRIO, "help", "cohort"], capture_output=True)
    assert r.returncode == 0 and r.stdout == usage and r.stderr == b"", r
    for word in (b"--fleet", b"--waves", b"--strata", b"--id-column",
                 b"--method", b"proportional", b"minimum", b"neyman",
                 b"hash", b"--minimum", b"--outcome-column", b"--salt",
                 b"--salt-hex", b"--retain", b"--devices", b"--json",
                 b"--excluded-column", b"--metered-column",
                 b"--exclude-metered", b"--battery-column",
                 b"--charging-column", b"--minimum-battery",
                 b"--critical-column", b"--critical-first-wave",
                 b"--cluster-column", b"--exclude-clusters",
                 b"--cap-column", b"--caps", b"passes", b"byte order",
                 b"Exit status"):
        assert word in usage, word


# ---- the waves against the reference ------------------------------------------


@test
def proportional_matches_reference():
    check_against_reference(EXAMPLE, Rollout([0.01, 0.05, 0.25, 1],
                                             STRATA))


@test
def proportional_one_stratum_matches_reference():
    doc, ref = check_against_reference(EXAMPLE,
                                       Rollout([0.001, 0.01, 0.1, 0.5]))
    # One stratum: every wave mirrors the fleet exactly.
    assert doc["fleet"]["strata"] == 1 and doc["fleet"]["dimensions"] == []
    for wave in doc["waves"]:
        if wave["selected"]:
            assert wave["representativeness"]["tvd"] == 0.0, wave


@test
def minimum_coverage_matches_reference():
    doc, _ = check_against_reference(
        EXAMPLE, Rollout([0.05, 0.2, 0.5], ["os", "sku"], "minimum"))
    # 20 devices and 15 strata of os x sku: every stratum gets its one.
    first = doc["waves"][0]
    assert first["strata_covered"] == first["strata"] == 15, first
    check_against_reference(
        EXAMPLE, Rollout([0.05, 0.2, 0.5], ["os", "sku"], "minimum",
                         minimum=2))


@test
def neyman_matches_reference():
    check_against_reference(
        EXAMPLE, Rollout([0.02, 0.1, 0.3], ["os", "sku"], "neyman",
                         outcome="charging"))


@test
def hash_threshold_matches_reference():
    doc, ref = check_against_reference(
        EXAMPLE, Rollout([0.05, 0.2, 0.6, 1], ["region"], "hash",
                         metered=True))
    # Binomial sizes: rarely the target itself, and never a shortfall
    # the report hides.
    for wave in doc["waves"][:3]:
        assert wave["shortfall"] == max(0, wave["target"] - wave["selected"])


@test
def exclusions_match_reference():
    rollout = Rollout([0.02, 0.1, 0.3, 1], STRATA, metered=True,
                      battery=0.25, critical=2, clusters=[3, 7])
    doc, ref = check_against_reference(EXAMPLE, rollout)
    rows = {row["id"]: row for row in read_rows(EXAMPLE)}
    chosen = devices_of(doc)
    assert chosen, doc
    for k, ident in chosen:
        row = rows[ident]
        assert not flag(row["metered"]), ident
        assert f32(row["battery"]) >= f32(0.25) or flag(row["charging"])
        assert row["cluster"] not in ("3", "7"), ident
        assert not (flag(row["critical"]) and k < 2), (k, ident)
    # Each rule removes devices: eligible counts fall rule by rule.
    plain = cohort_json(EXAMPLE, *Rollout([0.1]).args())["waves"][0]
    assert plain["eligible"] == 400, plain
    for rule in (dict(metered=True), dict(battery=0.25),
                 dict(clusters=[3, 7]), dict(critical=1)):
        wave = cohort_json(EXAMPLE, *Rollout([0.1], **rule).args())
        eligible = wave["waves"][0]["eligible"]
        assert 0 < eligible < 400, (rule, eligible)
        assert eligible == Reference(EXAMPLE,
                                     Rollout([0.1], **rule)).eligible[0]
    # An empty cluster cell is no cluster, whatever ids are excluded.
    wave = cohort_json(EXAMPLE, *Rollout([0.1], clusters=[4294967295,
                                                          4294967294]).args())
    assert wave["waves"][0]["eligible"] == 400, wave


@test
def excluded_column_removes_devices():
    rows = read_rows(EXAMPLE)
    for i, row in enumerate(rows):
        row["hold"] = "true" if i % 3 == 0 else "false"
    with Files() as f:
        path = write_rows(f, "fleet.csv", rows)
        doc, ref = check_against_reference(
            path, Rollout([0.05, 0.5, 1], ["os"], excluded="hold"))
        held = {row["id"] for row in rows if row["hold"] == "true"}
        assert not held & {ident for _, ident in devices_of(doc)}
        assert doc["waves"][2]["selected"] == 400 - len(held), doc


@test
def caps_hold_and_seats_move():
    rollout = Rollout([0.05, 0.2, 1], ["region", "os"], cap_column="region",
                      caps={"eu": 3, "apac": 1})
    doc, ref = check_against_reference(EXAMPLE, rollout)
    rows = {row["id"]: row for row in read_rows(EXAMPLE)}
    for k in (0, 1):
        members = [rows[i] for w, i in devices_of(doc) if w <= k]
        assert sum(r["region"] == "eu" for r in members) <= 3
        assert sum(r["region"] == "apac" for r in members) <= 1
        # The seats the caps refuse go to the uncapped region.
        assert len(members) == doc["waves"][k]["target"], k


# ---- properties -----------------------------------------------------------------


@test
def waves_nest_and_extend():
    args = Rollout([0.01, 0.05, 0.25], STRATA).args()
    doc = cohort_json(EXAMPLE, "--devices", *args)
    chosen = devices_of(doc)
    ids = [ident for _, ident in chosen]
    assert len(ids) == len(set(ids)), "a device joins one wave"
    # The devices of waves 0 .. k are the first selected[k] of the list.
    for k, wave in enumerate(doc["waves"]):
        head = [w for w, _ in chosen[:wave["selected"]]]
        assert all(w <= k for w in head), (k, head)
        assert sum(1 for w, _ in chosen if w <= k) == wave["selected"]
    # A longer schedule keeps the waves of the shorter one.
    longer = cohort_json(EXAMPLE, "--devices",
                         *Rollout([0.01, 0.05, 0.25, 0.5], STRATA).args())
    assert devices_of(longer)[:len(chosen)] == chosen
    shorter = cohort_json(EXAMPLE, "--devices",
                          *Rollout([0.01, 0.05], STRATA).args())
    assert devices_of(shorter) == [c for c in chosen if c[0] <= 1]


@test
def text_matches_json():
    args = Rollout([0.01, 0.05, 0.25, 1], STRATA).args()
    doc = cohort_json(EXAMPLE, "--devices", *args)
    text = ok("--fleet", EXAMPLE, "--devices", *args).text
    lines = text.split("\n")
    assert lines[0] == ("fleet:   %s: 400 devices in %d strata of "
                        "os, sku, region, connection"
                        % (EXAMPLE, doc["fleet"]["strata"])), lines[0]
    assert lines[1].startswith("rollout: proportional, salt "), lines[1]
    assert lines[1].endswith(doc["rollout"]["salt"]), lines[1]
    header = lines[3].split()
    assert header == ["wave", "fraction", "eligible", "target", "selected",
                      "shortfall", "strata", "coverage", "tvd"] + STRATA
    for k, wave in enumerate(doc["waves"]):
        cells = lines[4 + k].split()
        rep = wave["representativeness"]
        assert cells[:6] == [str(k), "%g" % wave["fraction"],
                             str(wave["eligible"]), str(wave["target"]),
                             str(wave["selected"]),
                             str(wave["shortfall"])], cells
        assert cells[6] == "%d/%d" % (rep["strata_covered"], rep["strata"])
        assert cells[7] == "%.4f" % rep["mass_coverage"], cells
        assert cells[8] == "%.4f" % rep["tvd"], cells
        assert cells[9:] == ["%.4f" % rep["tvd_dimensions"][c]
                             for c in STRATA], cells
    # The devices section lists the same ids in the same order.
    start = lines.index("devices joining each wave:")
    listed = [l.strip() for l in lines[start:] if l.startswith("    ")]
    assert listed == [i for _, i in devices_of(doc)], listed[:10]
    assert "  wave 3: every other eligible device (300), not listed" in lines
    # Under-covered strata are named by their values.
    first = doc["waves"][0]["representativeness"]["under_covered"][0]
    named = ", ".join("%s=%s" % (c, first["values"][c]) for c in STRATA)
    assert named in text, named


@test
def same_output_twice_and_for_shuffled_rows():
    rows = read_rows(EXAMPLE)
    args = Rollout([0.01, 0.05, 0.25, 1], STRATA, metered=True,
                   battery=0.2).args()
    first = ok("--fleet", EXAMPLE, "--devices", *args).out
    assert ok("--fleet", EXAMPLE, "--devices", *args).out == first
    rng = random.Random(7)
    with Files() as f:
        for attempt in range(3):
            shuffled = list(rows)
            rng.shuffle(shuffled)
            columns = list(rows[0].keys())
            rng.shuffle(columns)
            path = write_rows(f, "fleet.csv", shuffled, columns)
            again = ok("--fleet", path, "--devices", *args).out
            # Only the heading's file name differs.
            assert again.replace(path.encode(), b"FLEET") == \
                first.replace(EXAMPLE.encode(), b"FLEET"), attempt


@test
def salt_changes_the_devices():
    base = Rollout([0.05], STRATA).args()
    a = devices_of(cohort_json(EXAMPLE, "--devices", *base))
    b = devices_of(cohort_json(EXAMPLE, "--devices", *base[:2],
                               "--salt", "fw-4.2.1", *base[4:]))
    assert len(a) == len(b) == 20 and a != b
    # --salt-hex takes the salt itself: that of the name, as bucket says.
    salt = cohort_json(EXAMPLE, *base)["rollout"]["salt"]
    c = devices_of(cohort_json(EXAMPLE, "--devices", *base[:2],
                               "--salt-hex", salt, *base[4:]))
    assert c == a


@test
def standard_input_and_pipes():
    data = open(EXAMPLE, "rb").read()
    args = Rollout([0.01, 0.1], STRATA).args()
    want = ok("--fleet", EXAMPLE, "--devices", "--json", *args).json()
    got = ok("--fleet", "-", "--devices", "--json", *args, stdin=data).json()
    assert got["fleet"]["file"] == "standard input"
    want["fleet"]["file"] = got["fleet"]["file"]
    assert got == want
    # One pass (no strata, no --devices) reads standard input as it comes.
    one = ok("--fleet", "-", "--json", "--waves", "0.5", stdin=data).json()
    assert one["waves"][0]["target"] == 200, one


@test
def chunks_of_a_large_fleet():
    # More rows than one chunk (4096), values repeated across chunks.
    rng = random.Random(11)
    rows = [{"id": "sn-%06d" % i, "os": rng.choice(["a", "b", "c"]),
             "region": rng.choice(["x", "y"]), "metered": "0",
             "battery": "1", "charging": "0", "critical": "0",
             "cluster": ""} for i in range(9000)]
    with Files() as f:
        path = write_rows(f, "big.csv", rows)
        doc, ref = check_against_reference(
            path, Rollout([0.001, 0.01, 0.05], ["os", "region"], "minimum"))
        assert doc["waves"][2]["selected"] == 450, doc["waves"][2]


@test
def odd_bytes_in_values_and_ids():
    text = ("id,os\n"
            "\"tab\\1\",\"\"\n"
            "tab-2, 12 \n"
            "\"tab,3\",12\n"
            "tab\t4,\"x\ny\"\n").encode()
    with Files() as f:
        path = f.write("odd.csv", text)
        args = ["--fleet", path, "--devices", "--strata", "os", "--method",
                "minimum", "--waves"]
        doc = ok(*args, "0.75", "--json").json()
        # Blanks around a value are trimmed; an empty value is a value;
        # values are in byte order.
        assert doc["fleet"]["dimensions"][0]["values"] == ["", "12", "x\ny"]
        chosen = {ident for _, ident in devices_of(doc)}
        assert len(chosen) == 3 and {"tab\\1", "tab\t4"} <= chosen, chosen
        assert chosen & {"tab-2", "tab,3"}, chosen
        # Control bytes and backslashes are escaped in the text.
        out = ok(*args, "0.75").text
        assert "    tab\\\\1\n" in out and "    tab\\x094\n" in out, out
        # One device of four: the strata it misses are named, an empty
        # value as "".
        out = ok(*args[:-3], "--waves", "0.25").text
        assert '  os=""\n' in out and "  os=x\\x0ay\n" in out, out
        # Bytes JSON cannot carry: the text works, JSON says why not.
        bad = f.write("bad.csv", b"id,os\n\xff,a\n")
        ok("--fleet", bad, "--devices", "--waves", "0.9", "--strata", "os")
        fails(1, ["not valid UTF-8", "text output"], "--fleet", bad,
              "--devices", "--json", "--waves", "0.9")
        bad = f.write("bad-value.csv", b"id,os\nd1,\xfe\n")
        fails(1, ["column 'os'", "not valid UTF-8"], "--fleet", bad,
              "--json", "--waves", "0.9", "--strata", "os")


# ---- errors ------------------------------------------------------------------------


@test
def usage_errors():
    fl = ["--fleet", EXAMPLE]
    cases = [
        ([], ["missing the fleet"]),
        (fl, ["missing the schedule"]),
        (fl + ["--waves", "0.1", "extra"], ["unexpected argument"]),
        (fl + ["--waves", "0.1,,0.2"], ["bad --waves", "item 2"]),
        (fl + ["--waves", "0.1;0.2"], ["bad --waves"]),
        (fl + ["--waves", "0.1", "--method", "random"],
         ["unknown --method 'random'", "proportional"]),
        (fl + ["--waves", "0.1", "--strata", "os,,sku"], ["empty column"]),
        (fl + ["--waves", "0.1", "--strata", "os,sku,os"], ["'os' twice"]),
        (fl + ["--waves", "0.1", "--strata", ",".join("c%d" % i
                                                      for i in range(17))],
         ["more than 16"]),
        (fl + ["--waves", "0.1", "--exclude-metered"],
         ["--exclude-metered needs --metered-column"]),
        (fl + ["--waves", "0.1", "--metered-column", "metered"],
         ["--metered-column needs --exclude-metered"]),
        (fl + ["--waves", "0.1", "--minimum-battery", "0.2"],
         ["needs --battery-column"]),
        (fl + ["--waves", "0.1", "--charging-column", "charging"],
         ["--charging-column needs"]),
        (fl + ["--waves", "0.1", "--critical-first-wave", "1"],
         ["needs --critical-column"]),
        (fl + ["--waves", "0.1", "--exclude-clusters", "1"],
         ["needs --cluster-column"]),
        (fl + ["--waves", "0.1", "--cluster-column", "cluster",
               "--exclude-clusters", "1,x"], ["bad --exclude-clusters"]),
        (fl + ["--waves", "0.1", "--caps", "eu=1"], ["needs --cap-column"]),
        (fl + ["--waves", "0.1", "--strata", "os", "--cap-column", "region",
               "--caps", "eu=1"], ["not one of the --strata"]),
        (fl + ["--waves", "0.1", "--strata", "region", "--cap-column",
               "region", "--caps", "eu"], ["bad --caps", "VALUE=N"]),
        (fl + ["--waves", "0.1", "--strata", "region", "--cap-column",
               "region", "--caps", "eu=1,eu=2"], ["capped twice"]),
        (fl + ["--waves", "0.1", "--method", "neyman"],
         ["needs --outcome-column"]),
        (fl + ["--waves", "0.1", "--outcome-column", "charging"],
         ["--outcome-column needs --method neyman"]),
        (fl + ["--waves", "0.1", "--minimum", "-1"], ["bad --minimum"]),
        (fl + ["--waves", "0.1", "--retain", "lots"], ["bad --retain"]),
        (fl + ["--waves", "0.1", "--salt", ""], ["is empty"]),
        (fl + ["--waves", "0.1", "--salt", "a", "--salt-hex", "1"],
         ["not both"]),
        (fl + ["--waves", "0.1", "--salt-hex", "xyz"], ["bad --salt-hex"]),
        (fl + ["--waves", "0.1", "--id-column", ""], ["empty column"]),
        (fl + ["--waves", "0.1", "--bogus"], []),
    ]
    for args, needles in cases:
        fails(2, needles, *args)


@test
def schedules_the_library_refuses():
    fl = ["--fleet", EXAMPLE]
    # The library's own words, before the fleet is read.
    fails(2, ["rollout is refused", "0.05", "0.1"], *fl,
          "--waves", "0.1,0.05")
    fails(2, ["rollout is refused", "fraction 0"], *fl, "--waves", "0,0.5")
    fails(2, ["rollout is refused"], *fl, "--waves", "0.1,0.1")
    fails(2, ["rollout is refused", "1.5"], *fl, "--waves", "0.5,1.5")
    fails(2, ["rollout is refused"], *fl, "--waves", "0.1,nan")
    fails(2, ["rollout is refused"], *fl, "--waves",
          ",".join(str((i + 1) / 40) for i in range(33)))
    fails(2, ["rollout is refused"], *fl, "--waves", "0.1", "--method",
          "hash", "--minimum", "2")
    fails(2, ["rollout is refused"], *fl, "--waves", "0.1", "--retain", "2")
    fails(2, ["rollout is refused"], *fl, "--waves", "0.1",
          "--battery-column", "battery", "--minimum-battery", "1.5")
    fails(2, ["rollout is refused", "hash"], *fl, "--waves", "0.1",
          "--method", "hash", "--strata", "region", "--cap-column", "region",
          "--caps", "eu=3")
    # Refused before reading: a missing fleet is not what is reported.
    fails(2, ["rollout is refused"], "--fleet", "/nonexistent/fleet.csv",
          "--waves", "0.2,0.1")


@test
def fleet_errors():
    header = "id,os,metered,battery,charging,cluster\n"
    good = "d1,a,0,0.5,1,\n"
    cases = [
        (header + good, ["--strata", "sku"],
         ["no column 'sku' (named by --strata)", "columns: id, os"]),
        ("name,os\nd1,a\n", [], ["no column 'id' (named by --id-column)"]),
        (header + good, ["--metered-column", "meterd", "--exclude-metered"],
         ["no column 'meterd' (named by --metered-column)"]),
        ("id,os,os\nd1,a,b\n", ["--strata", "os"],
         ["column 'os' appears more than once"]),
        (header + good + "d2,b,0\n", [], ["row 3 has 3 fields",
                                          "header has 6"]),
        (header + good + "d2,b,0,0.5,1,,9\n", [],
         ["row 3 has more fields than the header's 6"]),
        (header + good + "d2,b,maybe,0.5,1,\n",
         ["--metered-column", "metered", "--exclude-metered"],
         ["row 3, column 'metered': 'maybe' is no flag"]),
        (header + good + "d2,b,,0.5,1,\n",
         ["--metered-column", "metered", "--exclude-metered"],
         ["row 3, column 'metered': '' is empty"]),
        (header + good + "d2,b,0,1.5,1,\n",
         ["--battery-column", "battery", "--minimum-battery", "0.2"],
         ["row 3, column 'battery': '1.5' is not a charge from 0 to 1"]),
        (header + good + "d2,b,0,0.5,1,-3\n",
         ["--cluster-column", "cluster", "--exclude-clusters", "1"],
         ["row 3, column 'cluster': '-3' is not a cluster"]),
        (header + good + 'd2,"b,0,0.5,1,\n', [], ["malformed CSV", "row 3"]),
        ("", [], ["empty input, expected a header row"]),
        (header + good, ["--strata", "os", "--cap-column", "os", "--caps",
                         "zz=4"], ["--caps: no device", "'zz'", "'os'"]),
    ]
    with Files() as f:
        for i, (text, args, needles) in enumerate(cases):
            path = f.write("fleet%d.csv" % i, text)
            fails(1, [n.replace("FILE", path) for n in needles],
                  "--fleet", path, "--waves", "0.5", *args)
    fails(1, ["cannot open /nonexistent/fleet.csv"],
          "--fleet", "/nonexistent/fleet.csv", "--waves", "0.1")
    # A directory opens but cannot be read.
    fails(1, ["cannot read"], "--fleet", "/", "--waves", "0.1")


@test
def repeated_identifiers_are_refused():
    # The same identifier, so the same key, on two rows that would both
    # be selected: the library refuses rather than pick one.
    with Files() as f:
        path = f.write("dup.csv", "id,os\nd1,a\nd2,a\nd1,b\n")
        fails(1, ["otaprio_cohort_sampler_finish failed", "duplicate"],
              "--fleet", path, "--waves", "0.5,1", "--strata", "os")


@test
def errors_past_the_first_chunk():
    rows = ["sn-%05d,%s" % (i, "ab"[i % 2]) for i in range(5000)]
    rows[4500] = "sn-04500"  # row 4502: the header is row 1
    text = "id,os\n" + "\n".join(rows) + "\n"
    with Files() as f:
        path = f.write("big.csv", text)
        fails(1, ["row 4502 has 1 field but the header has 2"],
              "--fleet", path, "--waves", "0.1", "--strata", "os")


@test
def write_error_is_reported():
    if not os.path.exists("/dev/full"):
        raise Skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        r = run("--fleet", EXAMPLE, "--waves", "0.1,1", "--devices",
                stdout=full)
    failed_with(r, 1, ["cannot write"])


sys.exit(test.main())
