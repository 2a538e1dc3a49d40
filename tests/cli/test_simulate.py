#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio simulate`.

Usage: test_simulate.py OTAPRIO

Each built-in scenario on a fixed seed, asserting its qualitative outcome:
the exploited flaw reaches T0 and an accelerated shape and its exposure
falls; a good update, noisy or not, completes without a halt; the bad SKU
is exempted while the rest of the fleet goes on; a globally bad update is
rolled back by the boot-failure guardrail within days; a battery drain is
caught only after it shows (48 hours); devices missing a prerequisite are
blocked with their update path. Then determinism for a seed, text and
JSON alike, --list, and bad options.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import sys

from cli_harness import Checks, failed_with, invoke, succeeded

if len(sys.argv) != 2:
    sys.exit(__doc__)
OTAPRIO = sys.argv[1]
check = Checks()

# Large enough for the canaries to see a 5% SKU, small enough to be quick.
DEVICES = "300000"
SCENARIOS = ["exploited-flaw", "risky-baseband", "noisy-good", "bad-sku",
             "bad-global", "battery-drain", "missing-prerequisite"]
_runs = {}


def simulate(scenario, seed="7", devices=DEVICES):
    """The JSON document of one scenario's run, computed once."""
    key = (scenario, seed, devices)
    if key not in _runs:
        r = succeeded(invoke([OTAPRIO, "simulate", "--quiet", "--json",
                              "--devices", devices, "--seed", seed,
                              "--scenario", scenario]))
        doc = r.json()
        assert doc["devices"] == int(devices), doc
        assert [s["name"] for s in doc["scenarios"]] == [scenario], doc
        _runs[key] = doc["scenarios"][0]
    return _runs[key]


def events(run, kind):
    return [e for e in run["timeline"] if e["event"] == kind]


@check
def exploited_flaw_gets_t0_and_an_accelerated_push():
    run = simulate("exploited-flaw")
    plan, outcome = run["plan"], run["outcome"]
    assert plan["tier"].startswith("T0"), plan
    assert {w["stage"] for w in plan["waves"]} == {"accelerated"}, plan
    assert plan["hours_to_broad"] < 24, plan
    assert not outcome["halted"], outcome
    exposed = [u["devices"] for u in outcome["unpatched"]]
    assert exposed == sorted(exposed, reverse=True), exposed
    assert exposed[-1] < 0.05 * plan["affected"], outcome
    assert outcome["hours_to_95"] is not None, outcome


@check
def good_updates_complete():
    for name in ("noisy-good", "missing-prerequisite"):
        run = simulate(name)
        outcome = run["outcome"]
        assert not outcome["halted"] and not outcome["false_halt"], run
        assert events(run, "done"), run["timeline"]
        assert not events(run, "exempt"), run["timeline"]
        stages = [w["stage"] for w in run["plan"]["waves"]]
        assert stages[:2] == ["dogfood", "employee"], stages
        assert stages[-1] == "broad", stages
        waves = [e["wave"] for e in events(run, "wave")]
        assert waves == list(range(len(stages))), run["timeline"]


@check
def bad_sku_is_exempted_and_the_rest_goes_on():
    run = simulate("bad-sku")
    outcome = run["outcome"]
    assert outcome["localised"] and not outcome["halted"], outcome
    exempted = events(run, "exempt")
    assert [e["sku"] for e in exempted] == [7], run["timeline"]
    assert exempted[0]["why"] == "boot failures", exempted
    # The look behind it: the boot-failure rule fails (in SKU 7), the
    # others pass, each with the canary's value against its limit.
    verdicts = {m["rule"]: m["verdict"] for m in exempted[0]["metrics"]}
    assert verdicts == {"boot failures": "fail", "install failures": "pass",
                        "heavy battery drain": "pass"}, exempted
    for m in exempted[0]["metrics"]:
        assert m["canary"] is not None and m["limit"] is not None, m
    assert run["timeline"][0]["metrics"] == [], run["timeline"][0]
    # Caught in the canaries: the broad wave starts after the exemption.
    broad = len(run["plan"]["waves"]) - 1
    start = [e for e in events(run, "wave") if e["wave"] == broad]
    assert start and start[0]["hour"] > exempted[0]["hour"], run["timeline"]
    # A small share of the SKU's ~5% of the fleet took the bad change.
    assert 0 < outcome["exposed"] < 0.2 * 0.05 * int(DEVICES), outcome
    assert events(run, "done"), run["timeline"]


@check
def globally_bad_update_is_rolled_back():
    run = simulate("bad-global")
    outcome = run["outcome"]
    assert outcome["halted"], outcome
    halt = events(run, "rollback")
    assert len(halt) == 1 and halt[0]["why"] == "boot failures", run
    assert halt[0]["hour"] < 7 * 24, halt
    assert outcome["exposed"] == outcome["updated"] < 0.05 * int(DEVICES)


@check
def battery_drain_is_caught_once_it_shows():
    run = simulate("battery-drain")
    outcome = run["outcome"]
    assert outcome["halted"], outcome
    halt = events(run, "pause") + events(run, "rollback")
    assert len(halt) == 1 and halt[0]["why"] == "heavy battery drain", run
    # The regression shows 48 hours after install: not before.
    assert 48 <= halt[0]["hour"] < 10 * 24, halt
    # The plan waited for it: soaks of at least two days before broad.
    soaks = [w["soak_hours"] for w in run["plan"]["waves"][:-1]]
    assert min(soaks) >= 48, soaks


@check
def risky_baseband_is_slow():
    run = simulate("risky-baseband")
    baseband = run["plan"]
    normal = simulate("noisy-good")["plan"]
    assert baseband["hours_to_broad"] > 2 * normal["hours_to_broad"], (
        baseband, normal)
    assert not run["outcome"]["halted"], run["outcome"]


@check
def missing_prerequisite_blocks_old_bootloaders():
    text = succeeded(invoke([
        OTAPRIO, "simulate", "--quiet", "--devices", "50000", "--seed", "7",
        "--scenario", "missing-prerequisite"])).text
    assert "blocked on a dependency chain: found, 1 package(s) first" in text
    run = simulate("missing-prerequisite")
    assert run["plan"]["by_disposition"]["blocked"] > 0, run["plan"]
    other = simulate("noisy-good")["plan"]
    assert other["by_disposition"]["blocked"] == 0, other


@check
def the_mix_is_an_option():
    # No device on the old SKUs 10 and 11: nothing is blocked.
    r = succeeded(invoke([
        OTAPRIO, "simulate", "--quiet", "--json", "--devices", "20000",
        "--scenario", "missing-prerequisite",
        "--sku-mix", "1,1,1,1,1,1,1,1,1,1,0,0"]))
    plan = r.json()["scenarios"][0]["plan"]
    assert plan["by_disposition"]["blocked"] == 0, plan
    # The whole fleet on the bad SKU: no longer a local fault, it halts.
    r = succeeded(invoke([
        OTAPRIO, "simulate", "--quiet", "--json", "--devices", "100000",
        "--scenario", "bad-sku", "--sku-mix", "0,0,0,0,0,0,0,1,0,0,0,0",
        "--region-mix", "1,0,0,0,0,0,0,0"]))
    outcome = r.json()["scenarios"][0]["outcome"]
    assert outcome["halted"] and not outcome["localised"], outcome


@check
def a_seed_gives_one_answer():
    argv = [OTAPRIO, "simulate", "--quiet", "--devices", "20000",
            "--scenario", "bad-sku,noisy-good"]
    a = succeeded(invoke(argv + ["--seed", "3"])).out
    b = succeeded(invoke(argv + ["--seed", "3"])).out
    c = succeeded(invoke(argv + ["--seed", "4"])).out
    assert a == b
    assert a != c


@check
def text_and_json_agree():
    argv = [OTAPRIO, "simulate", "--quiet", "--devices", DEVICES, "--seed",
            "7", "--scenario", "bad-global"]
    text = succeeded(invoke(argv)).text
    run = simulate("bad-global")
    halt = events(run, "rollback")[0]
    assert ("hour %5d  wave %d rolled back, %d devices updated (boot failures)"
            % (halt["hour"], halt["wave"], halt["updated"])) in text, text
    assert "halted after %d hours" % run["outcome"]["halt_hour"] in text


@check
def every_scenario_runs_by_default():
    r = succeeded(invoke([OTAPRIO, "simulate", "--quiet", "--json",
                          "--devices", "5000"]))
    assert [s["name"] for s in r.json()["scenarios"]] == SCENARIOS


@check
def list_names_the_scenarios():
    r = succeeded(invoke([OTAPRIO, "simulate", "--list"]))
    names = [line.split()[0] for line in r.text.splitlines()]
    assert names == SCENARIOS, r.text


@check
def help_describes_the_command():
    r = succeeded(invoke([OTAPRIO, "simulate", "--help"]))
    assert r.text.startswith("Usage: otaprio simulate"), r.text
    r = succeeded(invoke([OTAPRIO, "--help"]))
    assert "simulate" in r.text


@check
def bad_options_are_refused():
    # Later options win, so each case may override the small defaults.
    base = [OTAPRIO, "simulate", "--quiet", "--devices", "1000",
            "--hours", "48"]
    cases = [
        (["--devices", "0"], "--devices must be a whole number"),
        (["--devices", "ten"], "--devices must be a whole number"),
        (["--devices", "100000001"], "--devices must be a whole number"),
        (["--seed", "-1"], "--seed must be a whole number"),
        (["--hours", "0"], "--hours must be a whole number"),
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--scenario", "bad-sku,nope"], "unknown scenario 'nope'"),
        (["--sku-mix", "1,2"], "--sku-mix must be 12 comma-separated"),
        (["--sku-mix", "0,0,0,0,0,0,0,0,0,0,0,0"], "not all 0"),
        (["--sku-mix", "1,1,1,1,1,1,1,1,1,1,1,-1"], "each a number 0"),
        (["--region-mix", "1,1,1,1,1,1,1,x"], "--region-mix must be 8"),
        (["--fleet", "f.csv", "--sku-mix", "1,1,1,1,1,1,1,1,1,1,1,1"],
         "--fleet excludes"),
        (["surplus"], "unexpected argument 'surplus'"),
        (["--frobnicate"], "unrecognized option"),
    ]
    for args, needle in cases:
        r = failed_with(invoke(base + args), 2, [needle])
        assert r.out == b"", r


sys.exit(check.main())
