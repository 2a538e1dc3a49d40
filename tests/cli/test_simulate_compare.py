#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio simulate --compare`.

Usage: test_simulate_compare.py OTAPRIO

OTAPRIO is the built executable. Standard library only. Small fleets and a
few seeds keep it quick; the checks are about the comparison's mechanics
(defaults, the sweep's order, tuning, determinism over threads), not the
benchmark's figures, which belong in bench/RESULTS.md.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import sys

from cli_harness import Checks, failed_with, invoke, succeeded

if len(sys.argv) != 2:
    sys.exit(__doc__)
OTAPRIO = sys.argv[1]

SMALL = ["--devices", "20000", "--seeds", "3", "--quiet"]


def run(*args):
    return invoke([OTAPRIO, "simulate", "--compare"] + list(args))


def compare_json(*args):
    return succeeded(run(*(SMALL + ["--json"] + list(args)))).json()


test = Checks()
_cache = {}


def doc():
    """One small comparison, shared by the checks that only read it."""
    if "doc" not in _cache:
        _cache["doc"] = compare_json("--threads", "2")
    return _cache["doc"]


def family(d, name):
    return [p for p in d["policies"] if p["policy"] == name]


@test
def help_names_the_options():
    r = succeeded(invoke([OTAPRIO, "simulate", "--help"]))
    for word in (b"--compare", b"--seeds", b"--threads"):
        assert word in r.out, word


@test
def the_document_covers_every_policy_and_scenario():
    d = doc()
    assert d["devices"] == 20000 and d["seeds"] == 3, d
    assert d["first_seed"] == 1 and d["false_halt_bound"] == 0.01, d
    names = [p["policy"] for p in d["policies"]]
    assert names[0] == "libotaprio", names
    assert names.count("hawkBit") >= 3 and names.count("AWS IoT Jobs") >= 3
    listed = invoke([OTAPRIO, "simulate", "--list"]).text.splitlines()
    scenarios = {line.split()[0] for line in listed}
    for p in d["policies"]:
        assert set(p["scenarios"]) == scenarios, p
        for c in p["scenarios"].values():
            assert 0.0 <= c["false_halt_rate"] <= c["halt_rate"] <= 1.0, c
            assert c["exposed_median"] <= c["exposed_p95"], c


@test
def the_defaults_are_the_documented_ones():
    d = doc()
    hawkbit = [p for p in family(d, "hawkBit") if p["default"]]
    aws = [p for p in family(d, "AWS IoT Jobs") if p["default"]]
    assert [p["threshold_percent"] for p in hawkbit] == [50.0], hawkbit
    assert [p["threshold_percent"] for p in aws] == [20.0], aws


@test
def a_lower_threshold_halts_no_later():
    # Until an anchor halts its decisions do not depend on its threshold,
    # so the runs share every random draw: a lower threshold halts in the
    # same runs or more, and exposes no more devices.
    d = doc()
    for name in ("hawkBit", "AWS IoT Jobs"):
        sweep = sorted(family(d, name), key=lambda p: -p["threshold_percent"])
        for high, low in zip(sweep, sweep[1:]):
            for s, c in high["scenarios"].items():
                lc = low["scenarios"][s]
                assert lc["halt_rate"] >= c["halt_rate"], (name, s, high, low)
                assert lc["exposed_median"] <= c["exposed_median"], (name, s)


@test
def the_tuned_threshold_follows_the_criterion():
    d = doc()
    for name in ("hawkBit", "AWS IoT Jobs"):
        sweep = family(d, name)
        tuned = [p for p in sweep if p["tuned"]]
        allowed = [p for p in sweep if p["false_halt_rate"] <= 0.01]
        if not allowed:
            assert tuned == [], tuned
            continue
        assert len(tuned) == 1, tuned
        best = min(p["exposure_score"] for p in allowed)
        assert tuned[0]["exposure_score"] == best, (tuned, allowed)
        assert tuned[0]["false_halt_rate"] <= 0.01, tuned


@test
def anchors_never_localise_a_sku():
    d = doc()
    for p in d["policies"][1:]:
        assert p["scenarios"]["bad-sku"]["localised_share"] == 0.0, p


@test
def the_output_does_not_depend_on_the_thread_count():
    one = succeeded(run(*(SMALL + ["--json", "--threads", "1"]))).out
    three = succeeded(run(*(SMALL + ["--json", "--threads", "3"]))).out
    assert one == three


@test
def the_text_table_names_the_goals():
    r = succeeded(run("--devices", "5000", "--seeds", "2", "--quiet",
                      "--scenario", "bad-sku,noisy-good"))
    text = r.text
    assert "| libotaprio (planner + guardrails) |" in text, text
    assert "hawkBit, defaults" in text and "AWS IoT Jobs, tuned" in text
    assert "Goals for libotaprio" in text, text
    assert "bad-sku: the bad SKU localised" in text, text


@test
def bad_counts_are_usage_errors():
    failed_with(run("--seeds", "0"), 2, ["--seeds"])
    failed_with(run("--threads", "0"), 2, ["--threads"])
    failed_with(run("--seeds", "many"), 2, ["--seeds"])


if __name__ == "__main__":
    sys.exit(test.main())
