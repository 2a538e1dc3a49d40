#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio guard`.

Usage: test_guard.py OTAPRIO EXAMPLES_DIR

OTAPRIO is the built executable, EXAMPLES_DIR the examples/ directory
(guardrails.json, guard-telemetry.csv, guard-samples.csv). Standard
library only.

Each verdict and action path on small rule sets the script writes, with
the p-values of the exact tests recomputed here from their definitions
(Fisher's hypergeometric tail, the conditional binomial tail of a rate
ratio, the binomial tail against a ceiling) in exact integer arithmetic;
the article's examples (a crash rate over its baseline by more than the
margin, boot failures over a threshold, rising failed attempts, expansion
held until the soak window has passed); strata localisation and
exemption; the sequential state kept across two invocations; text and
JSON output alike; --exit-code; and every bad input, whose message must
name the file, the row or rule and the field.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import json
import math
import os
import sys
from fractions import Fraction

from cli_harness import Checks, Command, Files, arguments, invoke, succeeded

OTAPRIO, EXAMPLES = arguments(__doc__, 2)
RULES = os.path.join(EXAMPLES, "guardrails.json")
TELEMETRY = os.path.join(EXAMPLES, "guard-telemetry.csv")
SAMPLES = os.path.join(EXAMPLES, "guard-samples.csv")

COLUMNS = ["metric", "stratum", "canary_events", "canary_trials",
           "canary_exposure", "baseline_events", "baseline_trials",
           "baseline_exposure", "window_start_hours", "window_end_hours"]
EXIT = {"expand": 0, "hold": 10, "pause": 11, "rollback": 12}

test = Checks()


# ---- harness ----------------------------------------------------------------


# run, ok and fails, as every command's script has them.
COMMAND = Command(OTAPRIO, "guard")
run, ok, fails = COMMAND.run, COMMAND.ok, COMMAND.fails


def rule(name, **fields):
    fields["name"] = name
    return fields


def rule_set(*rules, **options):
    document = {"rules": list(rules)}
    if options:
        document["options"] = options
    return document


def csv_text(rows, columns=COLUMNS):
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join("" if row.get(c) is None else str(row[c])
                              for c in columns))
    return "\n".join(lines) + "\n"


def counts(metric, stratum=None, start=0, end=48, **values):
    row = {"metric": metric, "stratum": stratum,
           "window_start_hours": start, "window_end_hours": end}
    row.update(values)
    return row


def proportion(metric, x1, n1, x2, n2, stratum=None, **kwargs):
    return counts(metric, stratum, canary_events=x1, canary_trials=n1,
                  baseline_events=x2, baseline_trials=n2, **kwargs)


def rate(metric, x1, t1, x2, t2, stratum=None, **kwargs):
    return counts(metric, stratum, canary_events=x1, canary_exposure=t1,
                  baseline_events=x2, baseline_exposure=t2, **kwargs)


def guard(files, rules, rows, *args, samples=None):
    """Runs guard --json on the rule set and rows; returns the document
    and the metrics by name."""
    rules_path = files.write("rules.json", rules)
    telemetry = files.write("telemetry.csv", csv_text(rows))
    extra = list(args)
    if samples is not None:
        extra += ["--samples", files.write("samples.csv", samples)]
    r = ok("--rules", rules_path, "--telemetry", telemetry, "--json", *extra)
    document = r.json()
    return document, {m["metric"]: m for m in document["metrics"]}


def close(a, b, rel=1e-9):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


# ---- reference p-values (exact, from the definitions) -----------------------


def fisher_greater(x1, n1, x2, n2):
    """P(X >= x1), X hypergeometric: the canary's failures given all
    failures, canary devices drawn from all devices."""
    total, failures = n1 + n2, x1 + x2
    top = sum(math.comb(failures, k) * math.comb(total - failures, n1 - k)
              for k in range(x1, min(n1, failures) + 1))
    return float(Fraction(top, math.comb(total, n1)))


def binomial_greater(k, n, p):
    """P(X >= k), X ~ Binomial(n, p), p a Fraction."""
    p = Fraction(p)
    return float(sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j)
                     for j in range(k, n + 1)))


# ---- help and the examples ----------------------------------------------------


@test
def help_lists_options_and_exit_codes():
    r = ok("--help")
    for needle in ("--rules", "--telemetry", "--samples", "--state",
                   "--exit-code", "10 hold", "window_start_hours"):
        assert needle in r.text, needle
    assert "guard" in succeeded(invoke([OTAPRIO, "--help"])).text


@test
def example_text_names_the_action_and_the_failing_stratum():
    r = ok("--rules", RULES, "--telemetry", TELEMETRY, "--samples", SAMPLES)
    text = r.text
    assert "action: pause" in text, text
    assert "crash_rate (rate, standard): fail, strata -> pause" in text, text
    assert "tab-10" in text, text
    assert "battery_drain (continuous, standard): pass, soaking -> hold" \
        in text, text
    assert "failed_attempts (rate, leading): fail, over-baseline -> hold" \
        in text, text


@test
def example_json_metrics_reasons_and_strata():
    r = ok("--rules", RULES, "--telemetry", TELEMETRY, "--samples", SAMPLES,
           "--json")
    document = r.json()
    assert document["action"] == "pause", document
    metrics = {m["metric"]: m for m in document["metrics"]}
    assert list(metrics) == ["boot_failure", "crash_rate", "install_failure",
                             "failed_attempts", "battery_drain",
                             "checkin_success"]
    crash = metrics["crash_rate"]
    assert (crash["verdict"], crash["reason"], crash["action"]) == \
        ("fail", "strata", "pause"), crash
    assert crash["failing_strata"] == 1
    assert crash["strata"][0]["stratum"] == "tab-10"
    assert crash["strata"][0]["verdict"] == "fail"
    assert [s["stratum"] for s in crash["strata"][1:]] and all(
        s["verdict"] != "fail" for s in crash["strata"][1:])
    assert crash["test"] == "rate-ratio", crash
    assert crash["canary_sample"] == 72000 and crash["baseline_sample"] == \
        2880000
    assert metrics["boot_failure"]["verdict"] == "pass"
    assert metrics["boot_failure"]["test"] == "binomial"
    assert metrics["boot_failure"]["action"] == "expand"
    assert metrics["install_failure"]["action"] == "expand"
    assert metrics["checkin_success"]["action"] == "expand"
    assert metrics["failed_attempts"]["action"] == "hold"
    drain = metrics["battery_drain"]
    assert (drain["verdict"], drain["reason"]) == ("pass", "soaking"), drain
    assert drain["canary_sample"] == 40 and drain["baseline_sample"] == 60
    # Gravest first: the pause, then the holds, a failing leading
    # indicator before a passing metric still soaking.
    assert [(x["metric"], x["action"], x["reason"])
            for x in document["reasons"]] == [
        ("crash_rate", "pause", "strata"),
        ("failed_attempts", "hold", "over-baseline"),
        ("battery_drain", "hold", "soaking")], document["reasons"]


@test
def example_exemption_of_the_failing_stratum_lifts_the_pause():
    with Files() as files:
        with open(TELEMETRY) as f:
            kept = [line for line in f if "crash_rate,tab-10" not in line]
        telemetry = files.write("telemetry.csv", "".join(kept))
        r = ok("--rules", RULES, "--telemetry", telemetry, "--samples",
               SAMPLES, "--json")
        document = r.json()
        crash = [m for m in document["metrics"]
                 if m["metric"] == "crash_rate"][0]
        assert crash["verdict"] == "pass", crash
        assert document["action"] == "hold", document


@test
def text_and_json_agree():
    r = ok("--rules", RULES, "--telemetry", TELEMETRY, "--samples", SAMPLES,
           "--json")
    text = ok("--rules", RULES, "--telemetry", TELEMETRY, "--samples",
              SAMPLES).text
    for m in r.json()["metrics"]:
        line = "%s (" % m["metric"]
        assert line in text, line
        if m["p_value"] is not None and m["p_value"] > 0:
            assert ("%.3g" % m["p_value"]) in text, (m["metric"], text)


# ---- the article's examples ---------------------------------------------------


@test
def crash_rate_over_baseline_by_more_than_the_margin_pauses():
    rules = rule_set(rule("crash_rate", kind="rate", margin=0.2,
                          checks=["baseline"]))
    with Files() as files:
        # 60 crashes in 10,000 device-hours against 300 in 100,000: twice
        # the baseline's rate, over the 1.2 the margin allows.
        doc, m = guard(files, rules,
                       [rate("crash_rate", 60, 10000, 300, 100000)])
        crash = m["crash_rate"]
        assert (crash["verdict"], crash["reason"], crash["action"],
                crash["test"]) == ("fail", "over-baseline", "pause",
                                   "rate-ratio"), crash
        assert doc["action"] == "pause"
        # Given 360 crashes, the canary's are Binomial(360, 1.2 t1 /
        # (1.2 t1 + t2)) at the margin.
        share = Fraction(12 * 10000, 12 * 10000 + 10 * 100000)
        expected = binomial_greater(60, 360, share)
        assert close(crash["p_value"], expected), (crash, expected)
        assert close(crash["effect"], 2.0), crash
        assert crash["effect_low"] < 2.0 < crash["effect_high"], crash
        assert close(crash["limit"], 1.2), crash
        assert close(crash["canary_value"], 0.006) and \
            close(crash["baseline_value"], 0.003), crash
        # Within the margin: 31 crashes, a ratio of 1.03.
        doc, m = guard(files, rules,
                       [rate("crash_rate", 31, 10000, 300, 100000)])
        assert (m["crash_rate"]["verdict"], doc["action"]) == \
            ("pass", "expand"), doc


@test
def the_layer_tightens_the_margin():
    """A ratio of 1.6 passes an app's margin of 1.0 but not a
    bootloader's (a quarter of it)."""
    rows = [rate("crash_rate", 160, 10000, 1000, 100000)]
    with Files() as files:
        for layer, verdict in (("app", "pass"), ("bootloader", "fail")):
            rules = rule_set(rule("crash_rate", kind="rate", margin=1.0),
                             layer=layer)
            _, m = guard(files, rules, rows)
            assert m["crash_rate"]["verdict"] == verdict, (layer, m)
            assert close(m["crash_rate"]["limit"],
                         2.0 if layer == "app" else 1.25), m


@test
def boot_failures_over_the_ceiling_roll_back_even_below_the_minimum():
    rules = rule_set(rule("boot_failure", kind="proportion",
                          severity="critical", checks=["ceiling"],
                          ceiling=0.01, minimum_sample=5000))
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        telemetry = files.write("t.csv", csv_text(
            [proportion("boot_failure", 30, 1000, 10, 50000)]))
        r = run("--rules", rules_path, "--telemetry", telemetry, "--json",
                "--exit-code")
        assert r.rc == EXIT["rollback"] and r.err == "", r
        boot = r.json()["metrics"][0]
        assert (boot["verdict"], boot["reason"], boot["action"],
                boot["test"]) == ("fail", "over-ceiling", "rollback",
                                  "binomial"), boot
        expected = binomial_greater(30, 1000, Fraction(1, 100))
        assert close(boot["p_value"], expected), (boot, expected)
        assert close(boot["limit"], 0.01), boot


@test
def a_standard_metric_below_its_minimum_sample_holds():
    rules = rule_set(rule("install_failure", kind="proportion",
                          minimum_sample=5000))
    with Files() as files:
        doc, m = guard(files, rules,
                       [proportion("install_failure", 30, 1000, 10, 50000)])
        install = m["install_failure"]
        assert (install["verdict"], install["reason"], install["action"]) \
            == ("inconclusive", "below-minimum", "hold"), install
        assert doc["action"] == "hold"


@test
def rising_failed_attempts_hold_expansion_only():
    rules = rule_set(rule("failed_attempts", kind="rate",
                          severity="leading", margin=0.25))
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        telemetry = files.write("t.csv", csv_text(
            [rate("failed_attempts", 180, 72000, 4000, 2880000)]))
        r = run("--rules", rules_path, "--telemetry", telemetry,
                "--exit-code")
        assert r.rc == EXIT["hold"] and r.err == "", r
        assert "failed_attempts (rate, leading): fail, over-baseline -> hold" \
            in r.text, r.text
        assert "action: hold" in r.text


@test
def expansion_waits_for_the_soak_window():
    rules = rule_set(rule("install_failure", kind="proportion",
                          window_hours=24))
    row = dict(canary_events=2, canary_trials=1000, baseline_events=20,
               baseline_trials=10000)
    with Files() as files:
        doc, m = guard(files, rules,
                       [counts("install_failure", end=12, **row)])
        install = m["install_failure"]
        assert (install["verdict"], install["reason"], install["action"]) \
            == ("pass", "soaking", "hold"), install
        assert [(x["metric"], x["reason"]) for x in doc["reasons"]] == \
            [("install_failure", "soaking")]
        doc, m = guard(files, rules,
                       [counts("install_failure", start=6, end=30, **row)])
        assert (m["install_failure"]["action"], doc["action"],
                doc["reasons"]) == ("expand", "expand", []), doc


@test
def window_option_serves_rows_without_a_window():
    rules = rule_set(rule("install_failure", kind="proportion"))
    columns = COLUMNS[:-2]
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        telemetry = files.write("t.csv", csv_text(
            [proportion("install_failure", 2, 1000, 20, 10000)], columns))
        held = ok("--rules", rules_path, "--telemetry", telemetry,
                  "--json").json()
        assert held["metrics"][0]["reason"] == "soaking", held
        expanded = ok("--rules", rules_path, "--telemetry", telemetry,
                      "--window", "0,36", "--json").json()
        assert expanded["action"] == "expand", expanded


# ---- each verdict and action ---------------------------------------------------


@test
def fisher_exact_small_counts_match_the_definition():
    rules = rule_set(rule("install_failure", kind="proportion"))
    with Files() as files:
        _, m = guard(files, rules,
                     [proportion("install_failure", 9, 400, 20, 4000)])
        install = m["install_failure"]
        assert install["test"] == "fisher", install
        assert install["verdict"] == "fail", install
        expected = fisher_greater(9, 400, 20, 4000)
        assert close(install["p_value"], expected), (install, expected)
        assert close(install["log_p_value"], math.log(expected)), install
        assert close(install["effect"], 9 / 400 - 20 / 4000), install


@test
def many_events_use_the_score_test():
    rules = rule_set(rule("install_failure", kind="proportion"),
                     exact_limit=100)
    with Files() as files:
        _, m = guard(files, rules,
                     [proportion("install_failure", 60, 2000, 400, 20000)])
        install = m["install_failure"]
        assert install["test"] == "score", install
        p1, p2 = 60 / 2000, 400 / 20000
        pooled = 460 / 22000
        z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) *
                                  (1 / 2000 + 1 / 20000))
        assert close(install["statistic"], z), (install, z)
        assert close(install["p_value"], 0.5 * math.erfc(z / math.sqrt(2)),
                     1e-7), install


@test
def no_data_follows_each_policy():
    with Files() as files:
        rows = [proportion("other", 1, 100, 10, 1000)]
        for policy, verdict, action in (("hold", "no-data", "hold"),
                                        ("fail", "fail", "pause"),
                                        ("ignore", "no-data", "expand")):
            rules = rule_set(rule("heartbeat", kind="proportion",
                                  no_data=policy),
                             rule("other", kind="proportion"))
            _, m = guard(files, rules, rows)
            heartbeat = m["heartbeat"]
            assert (heartbeat["verdict"], heartbeat["reason"],
                    heartbeat["action"]) == (verdict, "no-data", action), \
                (policy, heartbeat)
            assert heartbeat["strata"] == [] and heartbeat["test"] == "none"


@test
def zero_baseline_policies():
    row = [proportion("bricked", 1, 2000, 0, 20000)]
    with Files() as files:
        rules = rule_set(rule("bricked", kind="proportion",
                              severity="critical",
                              zero_baseline="any-event"))
        doc, m = guard(files, rules, row)
        assert (m["bricked"]["verdict"], m["bricked"]["reason"],
                doc["action"]) == ("fail", "zero-baseline", "rollback"), doc
        rules = rule_set(rule("bricked", kind="proportion",
                              severity="critical"))
        doc, m = guard(files, rules, row)
        # The exact test: one failure in 2,000 against none in 20,000 is
        # not unlikely under equal rates (p = 2,000 / 22,000).
        assert m["bricked"]["verdict"] == "pass", m
        expected = fisher_greater(1, 2000, 0, 20000)
        assert close(m["bricked"]["p_value"], expected), m


@test
def lower_is_worse_reports_successes():
    rules = rule_set(rule("checkin_success", kind="proportion",
                          direction="lower-is-worse", margin=0.1))
    with Files() as files:
        _, m = guard(files, rules,
                     [proportion("checkin_success", 900, 1000, 9900, 10000)])
        checkin = m["checkin_success"]
        assert close(checkin["canary_value"], 0.9), checkin
        assert close(checkin["baseline_value"], 0.99), checkin
        # 10% of canaries miss their check-in against 1%: far past a 10%
        # relative allowance.
        assert (checkin["verdict"], checkin["action"]) == ("fail", "pause")


@test
def continuous_shift_and_spread():
    rules = rule_set(rule("battery_drain", kind="continuous", margin=0.05,
                          checks=["baseline", "spread"]))
    base = [4.0 + 0.01 * (i % 21 - 10) for i in range(60)]
    shifted = [v + 1.0 for v in base[:40]]
    wide = [4.0 + 0.2 * (i % 21 - 10) for i in range(40)]

    def samples(canary):
        lines = ["metric,group,value"]
        lines += ["battery_drain,canary,%r" % v for v in canary]
        lines += ["battery_drain,baseline,%r" % v for v in base]
        return "\n".join(lines) + "\n"

    with Files() as files:
        for canary, reason, test_name in (
                (shifted, "over-baseline", "mann-whitney"),
                (wide, "spread", "brown-forsythe")):
            _, m = guard(files, rules, [counts("battery_drain")],
                         samples=samples(canary))
            drain = m["battery_drain"]
            assert (drain["verdict"], drain["reason"], drain["test"]) == \
                ("fail", reason, test_name), drain
            assert drain["canary_sample"] == 40
        _, m = guard(files, rules, [counts("battery_drain")],
                     samples=samples(base[:40]))
        assert m["battery_drain"]["verdict"] == "pass", m


@test
def continuous_without_baseline_samples_is_inconclusive():
    rules = rule_set(rule("battery_drain", kind="continuous"))
    samples = "metric,stratum,group,value\n" + "".join(
        "battery_drain,%s,canary,%d\n" % (sku, v)
        for sku in ("a", "b") for v in range(5))
    with Files() as files:
        doc, m = guard(files, rules, [counts("battery_drain", "a")],
                       samples=samples)
        drain = m["battery_drain"]
        assert (drain["verdict"], drain["action"]) == \
            ("inconclusive", "hold"), drain
        assert drain["baseline_sample"] == 0 and drain["canary_sample"] == 10
        # The samples' second stratum is a row too.
        assert sorted(s["stratum"] for s in drain["strata"]) == ["a", "b"]


@test
def a_stratum_without_canary_devices_has_no_data():
    rules = rule_set(rule("install_failure", kind="proportion"))
    rows = [proportion("install_failure", 2, 1000, 20, 10000, stratum="a"),
            proportion("install_failure", 0, 0, 20, 10000, stratum="b")]
    with Files() as files:
        _, m = guard(files, rules, rows)
        strata = {s["stratum"]: s for s in m["install_failure"]["strata"]}
        assert strata["b"]["verdict"] == "no-data", strata
        assert strata["b"]["adjusted_p_value"] is None, strata
        assert strata["a"]["verdict"] == "pass", strata
        # Strata without data come last.
        assert m["install_failure"]["strata"][-1]["stratum"] == "b"


@test
def strata_localise_a_regression():
    rules = rule_set(rule("install_failure", kind="proportion",
                          margin=0.2))
    skus = ["a-100", "b-200", "c-300", "d-400", "e-500", "f-600"]
    rows = [proportion("install_failure", 10, 2000, 100, 20000, stratum=s)
            for s in skus]
    rows[3] = proportion("install_failure", 40, 2000, 100, 20000,
                         stratum="d-400")
    with Files() as files:
        doc, m = guard(files, rules, rows)
        install = m["install_failure"]
        assert install["failing_strata"] == 1, install
        assert install["verdict"] == "fail", install
        first = install["strata"][0]
        assert (first["stratum"], first["verdict"]) == ("d-400", "fail")
        assert first["adjusted_p_value"] >= first["p_value"]
        assert sorted(s["stratum"] for s in install["strata"]) == skus
        assert all(s["verdict"] != "fail" for s in install["strata"][1:])
        # The text lists the failing stratum only, or all with the flag.
        rules_path = files.path("rules.json")
        telemetry = files.path("telemetry.csv")
        text = ok("--rules", rules_path, "--telemetry", telemetry).text
        assert "1 of 6 failing" in text and "d-400" in text, text
        assert "a-100" not in text, text
        text = ok("--rules", rules_path, "--telemetry", telemetry,
                  "--all-strata").text
        assert all(s in text for s in skus), text
        # Without the regressed SKU's row, nothing fails.
        doc, m = guard(files, rules, rows[:3] + rows[4:])
        assert m["install_failure"]["verdict"] == "pass", m


@test
def json_telemetry_matches_csv():
    rows = [proportion("install_failure", 9, 400, 20, 4000, stratum="x"),
            proportion("install_failure", 1, 400, 20, 4000, stratum="y"),
            rate("crash_rate", 60, 10000.5, 300, 100000)]
    rules = rule_set(rule("install_failure", kind="proportion"),
                     rule("crash_rate", kind="rate", margin=0.2))
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        csv_path = files.write("t.csv", csv_text(rows))
        json_rows = [{k: v for k, v in row.items() if v is not None}
                     for row in rows]
        json_path = files.write("t.json", {"rows": json_rows})
        a = ok("--rules", rules_path, "--telemetry", csv_path, "--json")
        b = ok("--rules", rules_path, "--telemetry", json_path, "--json")
        assert a.out == b.out
        c = ok("--rules", rules_path, "--telemetry", "-",
               "--telemetry-format", "json", "--json",
               stdin=json.dumps({"rows": json_rows}).encode())
        assert c.out == a.out
        d = ok("--rules", rules_path, "--telemetry", "-", "--json",
               stdin=csv_text(rows).encode())
        assert d.out == a.out


@test
def exit_codes_map_every_action():
    cases = {
        "expand": [proportion("m", 2, 1000, 20, 10000)],
        "hold": [proportion("m", 2, 1000, 20, 10000, end=1)],
        "pause": [proportion("m", 60, 1000, 20, 10000)],
    }
    with Files() as files:
        rules_path = files.write("rules.json",
                                 rule_set(rule("m", kind="proportion")))
        for action, rows in cases.items():
            telemetry = files.write("t.csv", csv_text(rows))
            r = run("--rules", rules_path, "--telemetry", telemetry,
                    "--exit-code")
            assert r.rc == EXIT[action] and r.err == "", (action, r)
            assert ("action: %s" % action) in r.text, r.text
            # Without --exit-code every action is a success.
            ok("--rules", rules_path, "--telemetry", telemetry)


# ---- sequential state ------------------------------------------------------------


@test
def sequential_state_round_trip():
    rules = rule_set(rule("crash_rate", kind="rate", margin=0.2,
                          sequential=True))
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        state = files.path("state")
        first = files.write("t1.csv", csv_text(
            [rate("crash_rate", 20, 10000, 200, 100000, end=6)]))
        r = ok("--rules", rules_path, "--telemetry", first, "--state", state,
               "--json").json()
        crash = r["metrics"][0]
        assert crash["test"] == "sequential", crash
        assert crash["sequence"]["looks"] == 1, crash
        path = os.path.join(state, "crash_rate.seq")
        with open(path, "rb") as f:
            saved = f.read()
        assert len(saved) == 272, len(saved)
        assert os.listdir(state) == ["crash_rate.seq"], os.listdir(state)
        # Cumulative counts at the next look: the state advances.
        second = files.write("t2.csv", csv_text(
            [rate("crash_rate", 45, 20000, 410, 200000, end=12)]))
        r = ok("--rules", rules_path, "--telemetry", second, "--state",
               state, "--json").json()
        assert r["metrics"][0]["sequence"]["looks"] == 2, r
        with open(path, "rb") as f:
            advanced = f.read()
        assert advanced != saved and len(advanced) == 272
        # Counts below the last look's are refused, and the state stays.
        fails(1, ["crash_rate", "telemetry is refused"], "--rules",
              rules_path, "--telemetry", first, "--state", state)
        with open(path, "rb") as f:
            assert f.read() == advanced
        # A damaged state is named and left for the operator.
        with open(path, "wb") as f:
            f.write(advanced[:100] + bytes([advanced[100] ^ 1]) +
                    advanced[101:])
        fails(1, [path, "remove it to start"], "--rules", rules_path,
              "--telemetry", second, "--state", state)
        # A state of another rule set's rule (its settings changed).
        with open(path, "wb") as f:
            f.write(advanced)
        changed = files.write("rules2.json", rule_set(
            rule("crash_rate", kind="rate", margin=0.5, sequential=True)))
        fails(1, [path, "another rule"], "--rules", changed, "--telemetry",
              second, "--state", state)
        # Without --state the rule is judged with the fixed-sample test.
        r = ok("--rules", rules_path, "--telemetry", second, "--json").json()
        assert r["metrics"][0]["test"] == "rate-ratio", r
        assert r["metrics"][0]["sequence"] is None


@test
def state_file_names_are_escaped():
    rules = rule_set(rule("../crash rate", kind="rate", sequential=True))
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        telemetry = files.write("t.csv", csv_text(
            [rate("../crash rate", 20, 10000, 200, 100000)]))
        state = files.path("state")
        ok("--rules", rules_path, "--telemetry", telemetry, "--state", state)
        assert os.listdir(state) == ["%2E.%2Fcrash%20rate.seq"], \
            os.listdir(state)


# ---- bad input ---------------------------------------------------------------------


BASIC_RULES = rule_set(rule("install_failure", kind="proportion"),
                       rule("crash_rate", kind="rate"),
                       rule("battery_drain", kind="continuous"))


def bad_telemetry(text, needles, rules=BASIC_RULES, name="t.csv"):
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        telemetry = files.write(name, text)
        return fails(1, [telemetry] + needles, "--rules", rules_path,
                     "--telemetry", telemetry)


@test
def failures_above_trials():
    bad_telemetry(csv_text([proportion("install_failure", 1, 10, 1, 100),
                            proportion("install_failure", 12, 10, 1, 100,
                                       stratum="b")]),
                  ["row 3, column 'canary_events'", "12 failed devices",
                   "10 devices"])


@test
def non_finite_or_negative_values():
    for value, problem in (("nan", "not a number"), ("inf", "infinite"),
                           ("-5", "negative"), ("abc", "not a number")):
        bad_telemetry(csv_text([rate("crash_rate", 1, value, 1, 100)]),
                      ["row 2, column 'canary_exposure'", problem])
    bad_telemetry(csv_text([proportion("install_failure", "-1", 10, 1,
                                       100)]),
                  ["row 2, column 'canary_events'", "whole number"])
    bad_telemetry(csv_text([proportion("install_failure", "2.5", 10, 1,
                                       100)]),
                  ["row 2, column 'canary_events'", "whole number"])


@test
def events_without_exposure():
    bad_telemetry(csv_text([rate("crash_rate", 3, 0, 1, 100)]),
                  ["row 2, column 'canary_exposure'", "no exposure"])


@test
def unknown_metric_and_column():
    bad_telemetry(csv_text([proportion("instal_failure", 1, 10, 1, 100)]),
                  ["row 2, column 'metric'", "unknown metric "
                   "'instal_failure'", "install_failure, crash_rate"])
    bad_telemetry("metric,canary_evnts\ninstall_failure,1\n",
                  ["unknown column 'canary_evnts'", "canary_events"])
    bad_telemetry("stratum,canary_events\nx,1\n",
                  ["no column 'metric'"])


@test
def repeated_strata_and_short_rows():
    bad_telemetry(csv_text([proportion("install_failure", 1, 10, 1, 100,
                                       stratum="a"),
                            proportion("install_failure", 1, 10, 1, 100,
                                       stratum="a")]),
                  ["row 3, column 'stratum'", "already has a row",
                   "stratum 'a'", "(row 2)"])
    bad_telemetry("metric,canary_events\ninstall_failure\n",
                  ["row 2 has 1 fields; the header has 2"])
    bad_telemetry('metric,canary_events\n"install_failure,1\n',
                  ["malformed CSV"])


@test
def windows_are_checked():
    bad_telemetry(csv_text([proportion("install_failure", 1, 10, 1, 100,
                                       start=10, end=5)]),
                  ["row 2, column 'window_end_hours'", "before it starts"])
    bad_telemetry(csv_text([proportion("install_failure", 1, 10, 1, 100,
                                       stratum="a"),
                            proportion("install_failure", 1, 10, 1, 100,
                                       stratum="b", end=24)]),
                  ["row 3", "one window", "since row 2"])
    bad_telemetry(csv_text([proportion("install_failure", 1, 10, 1, 100,
                                       end=None)]),
                  ["row 2, column 'window_end_hours'", "both ends"])


@test
def a_column_filled_in_some_rows_only():
    rows = [proportion("install_failure", 1, 10, 1, 100, stratum="a"),
            proportion("install_failure", 1, 10, 1, 100, stratum="b"),
            proportion("install_failure", 1, 10, 1, None, stratum="c")]
    bad_telemetry(csv_text(rows), ["row 4, column 'baseline_trials'",
                                   "leaves"])


@test
def missing_columns_are_named_by_the_library():
    rows = [counts("install_failure", canary_events=1, canary_trials=10)]
    bad_telemetry(csv_text(rows), ["metric 'install_failure'",
                                   "baseline_events", "refused"])


@test
def counts_for_a_continuous_metric():
    bad_telemetry(csv_text([counts("battery_drain", canary_events=3)]),
                  ["row 2, column 'canary_events'", "continuous",
                   "--samples"])


@test
def bad_samples():
    with Files() as files:
        rules_path = files.write("rules.json", BASIC_RULES)
        cases = [
            ("metric,group,value\nbattery_drain,canary,nan\n",
             ["row 2, column 'value'", "not a finite number"]),
            ("metric,group,value\nbattery_drain,treatment,1\n",
             ["row 2, column 'group'", "canary or baseline"]),
            ("metric,group,value\ncrash_rate,canary,1\n",
             ["row 2, column 'metric'", "counts, not samples"]),
            ("metric,group,value\nbattery,canary,1\n",
             ["unknown metric 'battery'"]),
            ("metric,value\nbattery_drain,1\n", ["no column 'group'"]),
        ]
        for text, needles in cases:
            samples = files.write("s.csv", text)
            fails(1, [samples] + needles, "--rules", rules_path,
                  "--samples", samples)


@test
def bad_json_telemetry():
    cases = [
        ({"rows": [{"metric": "install_failure", "canary_events": "3"}]},
         ["rows[0]: key 'canary_events'", "expected a number"]),
        ({"rows": [{"metric": "install_failure", "canary_events": 3,
                    "canary_trials": 2, "baseline_events": 0,
                    "baseline_trials": 5}]},
         ["rows[0]: key 'canary_events'", "exceed"]),
        ({"rows": [{"metric": "install_failure", "colour": 1}]},
         ["unknown key 'colour'"]),
        ({"rows": {}}, ["key 'rows'", "array"]),
        ({"row": []}, ["unknown key 'row'"]),
    ]
    for document, needles in cases:
        bad_telemetry(json.dumps(document), needles, name="t.json")
    bad_telemetry("{\"rows\": [", ["invalid telemetry JSON"], name="t.json")


BAD_RULES = [
    ({"rules": [{"name": "m", "kind": "ratio"}]},
     ["rules[0]: key 'kind'", "unknown kind 'ratio'",
      "proportion, rate, continuous"]),
    ({"rules": [{"name": "m", "checks": ["baseline", "baseline"]}]},
     ["rules[0]: key 'checks', element 1", "listed twice"]),
    ({"rules": [{"name": "m", "checks": []}]},
     ["rules[0]: key 'checks'", "empty array"]),
    ({"rules": [{"name": "m", "margin": "10%"}]},
     ["rules[0]: key 'margin'", "expected a number"]),
    ({"rules": [{"name": "m", "colour": "red"}]},
     ["rules[0]", "unknown key 'colour'", "window_hours"]),
    ({"rules": [{"kind": "rate"}]}, ["rules[0]", "no 'name'"]),
    ({"rules": [{"name": ""}]}, ["rules[0]: key 'name'", "empty"]),
    ({"rules": []}, ["key 'rules'", "non-empty"]),
    ({"options": {"layer": "firmware"}, "rules": [{"name": "m"}]},
     ["options: key 'layer'", "unknown layer 'firmware'"]),
    ({"options": {"multiplicity": "bonferroni"}, "rules": [{"name": "m"}]},
     ["options: key 'multiplicity'", "holm, benjamini-hochberg"]),
    ({"rules": [{"name": "m"}], "extra": 1}, ["unknown key 'extra'"]),
    ({"options": {}}, ["no 'rules'"]),
    # Refused by the library, named back in the file's terms.
    ({"rules": [{"name": "m"}, {"name": "m"}]},
     ["rules[1] ('m')", "refused"]),
    ({"rules": [{"name": "m", "margin": -0.5}]},
     ["rules[0] ('m')", "margin", "refused"]),
    ({"rules": [{"name": "m", "zero_baseline": "ceiling"}]},
     ["rules[0] ('m')", "refused"]),
    ({"options": {"alpha": 0.9}, "rules": [{"name": "m"}]},
     ["alpha", "refused"]),
]


@test
def bad_rule_sets():
    with Files() as files:
        telemetry = files.write("t.csv", csv_text([]))
        for document, needles in BAD_RULES:
            rules_path = files.write("rules.json", document)
            fails(1, [rules_path] + needles, "--rules", rules_path,
                  "--telemetry", telemetry)
        rules_path = files.write("rules.json", "{\"rules\": [}")
        fails(1, [rules_path, "invalid rule set JSON"], "--rules",
              rules_path, "--telemetry", telemetry)
        fails(1, ["cannot open the rule set file"], "--rules",
              files.path("missing.json"), "--telemetry", telemetry)


@test
def usage_errors():
    fails(2, ["missing the rule set"], "--telemetry", TELEMETRY)
    fails(2, ["missing the telemetry"], "--rules", RULES)
    fails(2, ["bad --window '5,1'"], "--rules", RULES, "--telemetry",
          TELEMETRY, "--window", "5,1")
    fails(2, ["bad --window 'nan,1'"], "--rules", RULES, "--telemetry",
          TELEMETRY, "--window", "nan,1")
    fails(2, ["bad --telemetry-format 'xml'"], "--rules", RULES,
          "--telemetry", TELEMETRY, "--telemetry-format", "xml")
    fails(2, ["unexpected argument"], "--rules", RULES, "--telemetry",
          TELEMETRY, "extra")
    fails(2, ["can read standard input"], "--rules", "-", "--telemetry",
          "-")
    fails(2, ["can read standard input"], "--rules", RULES, "--telemetry",
          "-", "--samples", "-")
    fails(2, [], "--no-such-option")


@test
def strata_that_json_cannot_carry():
    rules = rule_set(rule("m", kind="proportion"))
    with Files() as files:
        rules_path = files.write("rules.json", rules)
        telemetry = files.write("t.csv", b"metric,stratum,canary_events,"
                                b"canary_trials,baseline_events,"
                                b"baseline_trials\nm,\xff\xfe,1,10,1,100\n")
        text = ok("--rules", rules_path, "--telemetry", telemetry,
                  "--all-strata").text
        assert "\\xff\\xfe" in text or "\ufffd" in text, text
        fails(1, ["not valid UTF-8"], "--rules", rules_path, "--telemetry",
              telemetry, "--json")


sys.exit(test.main())
