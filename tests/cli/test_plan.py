#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio plan`.

Usage: test_plan.py OTAPRIO EXAMPLES_DIR

OTAPRIO is the built executable, EXAMPLES_DIR the examples/ directory
(plan-fleet.csv, plan-issue.json, exploited-remote-flaw.json,
catalog.json, guardrails.json). Standard library only.

The runbook of the example fix on the example fleet, in text and JSON:
its tier, the rollout shape (dogfood, employees, canaries, broad; or the
accelerated push of a T0 fix), the counts that must add up, the blocked
dependency chains with their prerequisite paths, the warnings; the two
outputs agree with each other and with the per-device CSV of --devices;
the same inputs give the same bytes; a fleet of more than one chunk; and
every bad option and malformed input, which must fail with a message
that names the problem and print nothing on stdout.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import csv
import io
import os
import sys

from cli_harness import Checks, Command, Files, arguments, invoke, succeeded

OTAPRIO, EXAMPLES = arguments(__doc__, 2)


def example(name):
    return os.path.join(EXAMPLES, name)


FLEET = example("plan-fleet.csv")
ISSUE = example("plan-issue.json")
T0_ISSUE = example("exploited-remote-flaw.json")
CATALOG = example("catalog.json")
RULES = example("guardrails.json")
ROLLBACK = example("plan-rollback.json")
BREAKGLASS = example("plan-breakglass.json")

# The example runbook: the fix is os-12.0-delta, the flaw libssl before
# 3.0.13 (examples/gen_plan_fleet.py explains the fleet).
FULL = ["--issue", ISSUE, "--fleet", FLEET, "--strata", "region,sku",
        "--catalog", CATALOG, "--package", "os-12.0-delta",
        "--flaw", "libssl", "--flaw-versions", "< 3.0.13",
        "--guardrails", RULES, "--salt", "fw-12"]

test = Checks()


# run, ok and fails, as every command's script has them.
COMMAND = Command(OTAPRIO, "plan")
run, ok, fails = COMMAND.run, COMMAND.ok, COMMAND.fails


def plan_json(*args):
    return ok(*(list(args) + ["--json"])).json()


def csv_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fleet_rows():
    return csv_rows(FLEET)


def plan_and_devices(*args):
    """The JSON plan and the rows of the CSV that --devices writes."""
    with Files() as files:
        path = files.path("devices.csv")
        d = plan_json(*(list(args) + ["--devices", path]))
        return d, csv_rows(path)


def with_fleet(files, rows, columns, name="fleet.csv"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return files.write(name, out.getvalue())


# ---- the example runbook ---------------------------------------------------


@test
def json_runbook_shape():
    d = plan_json(*FULL)
    assert d["tier"] == 1 and d["tier_name"].startswith("T1"), d["tier_name"]
    assert d["package"] == "os-12.0-delta"
    stages = [w["stage"] for w in d["waves"]]
    assert stages == ["dogfood", "employee", "canary", "canary", "canary",
                      "broad"], stages
    assert "blast radius from the dependency graph" in d["notes"], d["notes"]
    # The scorecard explains the score: its points add up to it.
    total = sum(line["points"] for line in d["scorecard"])
    assert abs(total - d["score"]) < 1e-6, (total, d["score"])
    assert any(line["factor"] == "share of fleet affected"
               for line in d["scorecard"])


@test
def json_counts_add_up():
    d = plan_json(*FULL)
    counts = d["counts"]
    rows = fleet_rows()
    assert counts["devices"] == len(rows) == 600
    assert sum(counts["by_disposition"].values()) == counts["devices"]
    # The graph decides who is affected: libssl before 3.0.13.
    flawed = sum(1 for r in rows if r["libssl"] != "3.0.13")
    assert counts["affected"] == flawed, (counts["affected"], flawed)
    assert abs(d["affected_share"] - flawed / len(rows)) < 1e-9
    cumulative = 0
    for w in d["waves"]:
        cumulative += w["devices"]
        assert w["cumulative"] == cumulative, w
        assert w["tolerance_scale"] > 0
    assert cumulative == counts["planned"]
    # Ring stages have no representativeness; sampled waves do.
    assert d["waves"][0]["tvd"] is None and d["waves"][5]["tvd"] is not None
    # Soaks before the broad wave add up to the hours to broad.
    soaks = sum(w["soak_hours"] for w in d["waves"][:-1])
    assert abs(soaks - d["hours_to_broad"]) < 1e-9, (soaks, d)
    assert d["waves"][-1]["soak_hours"] == 0


@test
def json_rings_feed_first_waves():
    d, listed = plan_and_devices(*FULL)
    # The dogfood and employee waves take only ring 0 and ring 1 devices.
    ring = {r["id"]: r["ring"] for r in fleet_rows()}
    stages = {"dogfood": "0", "employee": "1"}
    for device in listed:
        if device["stage"] in stages:
            assert ring[device["id"]] == stages[device["stage"]], device
    assert d["waves"][0]["devices"] > 0 and d["waves"][1]["devices"] > 0


@test
def json_blocked_chains_have_paths():
    d = plan_json(*FULL)
    blocked = [c for c in d["chains"] if c["blocked"] > 0]
    assert len(blocked) == 3, d["chains"]
    paths = {tuple(c["path"]) for c in blocked}
    # bootloader 2.1 on OS 11.0: the whole way; on 11.2 only the loader.
    assert ("bootloader-2.4", "bootloader-3.0", "os-11.1-delta",
            "os-11.2-delta") in paths, paths
    assert ("bootloader-3.0",) in paths, paths
    for c in blocked:
        assert c["path_status"] == "found" and c["planned"] == 0, c
        assert c["first_wave"] is None and c["path_bytes"] > 0, c
        assert len(c["example_key"]) == 16
    # The blocked devices are the blocked disposition.
    assert sum(c["blocked"] for c in blocked) == \
        d["counts"]["by_disposition"]["blocked"]


@test
def json_warnings():
    d = plan_json(*FULL)
    names = [w["warning"] for w in d["warnings"]]
    assert "weak rollback" in names, names
    assert "no guardrails" not in names, names
    clusters = [w for w in d["warnings"] if w["code"] == 2]
    assert clusters and all(w["devices"] > 0 for w in clusters), clusters
    # Largest first.
    sizes = [w["devices"] for w in clusters]
    assert sizes == sorted(sizes, reverse=True), sizes
    # Without guardrails the plan says nothing gates the waves.
    bare = plan_json("--issue", ISSUE, "--fleet", FLEET)
    assert "no guardrails" in [w["warning"] for w in bare["warnings"]]


@test
def text_runbook():
    t = ok(*FULL).text
    assert t.startswith("tier: T1 "), t[:80]
    assert "waves: 6\n" in t
    for stage in ("wave 0 dogfood", "wave 1 employee", "wave 2 canary",
                  "wave 5 broad"):
        assert stage in t, stage
    assert ("path found: bootloader-2.4 -> bootloader-3.0 -> os-11.1-delta"
            " -> os-11.2-delta") in t, t
    assert "chains: 4\n" in t
    assert "  weak rollback: subject" in t
    assert "shared-fate cluster not covered by any canary (wave 5)" in t
    assert "devices: 600  affected: 444" in t, t


@test
def text_and_json_agree():
    d = plan_json(*FULL)
    t = ok(*FULL).text
    for w in d["waves"]:
        line = "wave %d %s: fraction %.4f, devices %d (cumulative %d)" % (
            w["wave"], w["stage"], w["fraction"], w["devices"],
            w["cumulative"])
        assert line in t, line
    assert "warnings: %d\n" % len(d["warnings"]) in t
    assert "%+9.3f  %s" % (d["scorecard"][0]["points"],
                           d["scorecard"][0]["factor"]) in t


@test
def emergency_is_accelerated():
    d = plan_json("--issue", T0_ISSUE, "--fleet", FLEET, "--strata",
                  "region,sku")
    assert d["tier"] == 0
    assert "emergency (T0)" in d["notes"], d["notes"]
    assert {w["stage"] for w in d["waves"]} == {"accelerated"}, d["waves"]
    assert d["counts"]["planned"] == d["waves"][-1]["cumulative"]


@test
def delayed_failures_lengthen_soaks():
    d = plan_json(*(FULL + ["--delayed", "storage,battery"]))
    assert "soaks lengthened for delayed failures" in d["notes"]
    for w in d["waves"][:-1]:
        assert w["soak_hours"] >= 72, w  # storage corruption: 72 hours


@test
def power_out_of_reach():
    d = plan_json(*(FULL + ["--power", "proportion:0.01:0.5"]))
    warned = [w for w in d["warnings"] if w["warning"] == "power out of reach"]
    assert len(warned) == 1, d["warnings"]
    assert warned[0]["subject"] > 600  # devices needed: more than the fleet


@test
def rollback_levers_strengthen_the_way_back():
    weak = plan_json(*FULL)
    strong = plan_json(*(FULL + ["--rollback", ROLLBACK]))
    # Default: no downgrade lever, nothing observable: weak, and the plan
    # narrows and tightens. With an A/B slot, downgrade and observables:
    # not weak, looser tolerance, shorter soaks, a slot switch per wave.
    assert weak["rollback"]["weak_causes"], weak["rollback"]
    assert strong["rollback"]["weak_causes"] == [], strong["rollback"]
    assert "weak rollback" not in [w["warning"] for w in strong["warnings"]]
    w0, s0 = weak["waves"][0], strong["waves"][0]
    assert s0["tolerance_scale"] > w0["tolerance_scale"], (w0, s0)
    assert strong["hours_to_broad"] < weak["hours_to_broad"]
    assert "A/B slot switch" in s0["rollback"]["steps"], s0
    assert s0["rollback"]["confidence"] > w0["rollback"]["confidence"]


@test
def breakglass_approved_accelerates_and_keeps_excluded_out():
    d, listed = plan_and_devices(*(FULL + ["--breakglass", BREAKGLASS]))
    assert d["breakglass"] == {"approved": True, "unmet": []}, d["breakglass"]
    assert "break-glass approved" in d["notes"]
    assert {w["stage"] for w in d["waves"]} == {"accelerated"}, d["waves"]
    # The policy excludes cluster 3: none of its devices gets a wave.
    cluster = {r["id"]: r["cluster"] for r in fleet_rows()}
    in_three = [r for r in listed if cluster[r["id"]] == "3"]
    assert in_three and all(r["wave"] == "" for r in in_three)


@test
def breakglass_denied_lists_unmet():
    with Files() as files:
        request = files.write("bg.json", {
            "policy": {"approvals": {"executive": 1},
                       "evidence": ["change_ticket"], "excluded": [3]},
            "request": {"approvals": [{"role": "security_lead",
                                       "approver": 1},
                                      {"role": "executive", "approver": 1}],
                        "cohorts": [3, 5]}})
        d = plan_json(*(FULL + ["--breakglass", request]))
        t = ok(*(FULL + ["--breakglass", request])).text
    # The executive approval repeats an approver: it does not count.
    assert d["breakglass"] == {"approved": False, "unmet": [
        "approvals missing", "evidence missing",
        "excluded cohort targeted"]}, d["breakglass"]
    denied = [w for w in d["warnings"] if w["code"] == 9]
    assert len(denied) == 1 and denied[0]["subject"] == 7, d["warnings"]
    assert "break-glass request denied" in t
    assert "accelerated" not in [w["stage"] for w in d["waves"]]


@test
def deterministic_bytes():
    for extra in ([], ["--json"]):
        a = ok(*(FULL + extra)).out
        b = ok(*(FULL + extra)).out
        assert a == b
    # Standard input gives the same plan as the file.
    with open(FLEET, "rb") as f:
        data = f.read()
    args = list(FULL)
    args[args.index(FLEET)] = "-"
    assert ok(*args, stdin=data).out == ok(*FULL).out


@test
def salt_changes_the_canary_not_the_counts():
    a = plan_json(*FULL)
    args = list(FULL)
    args[args.index("fw-12")] = "another-rollout"
    b = plan_json(*args)
    assert a["counts"] == b["counts"]
    assert [w["devices"] for w in a["waves"]][:2] == \
        [w["devices"] for w in b["waves"]][:2]


@test
def devices_csv_matches_waves():
    d, listed = plan_and_devices(*FULL)
    rows = fleet_rows()
    assert [r["id"] for r in listed] == [r["id"] for r in rows]
    assert list(listed[0].keys()) == ["id", "wave", "stage", "disposition",
                                      "reasons", "priority"]
    for w in d["waves"]:
        members = [r for r in listed if r["wave"] == str(w["wave"])]
        assert len(members) == w["devices"], (w, len(members))
        assert all(r["stage"] == w["stage"] for r in members)
    for name, count in d["counts"]["by_disposition"].items():
        assert sum(1 for r in listed if r["disposition"] == name) == count
    blocked = [r for r in listed if r["disposition"] == "blocked"]
    assert all("missing prerequisite" in r["reasons"] for r in blocked)
    assert all(r["wave"] == "" for r in blocked)


@test
def fleet_of_several_chunks():
    # More devices than one chunk of the source (65536): the per-device
    # outputs of every chunk must land on their own devices.
    count = 70000
    lines = ["id,ring,region"]
    for i in range(count):
        lines.append("d%d,%d,%s" % (i, 0 if i < 10 else (1 if i < 100 else 2),
                                    "eu" if i % 3 else "us"))
    with Files() as files:
        fleet = files.write("big.csv", "\n".join(lines) + "\n")
        d, listed = plan_and_devices("--issue", ISSUE, "--fleet", fleet,
                                     "--strata", "region")
    assert d["counts"]["devices"] == count == len(listed)
    assert listed[-1]["id"] == "d%d" % (count - 1)
    for w in d["waves"]:
        members = sum(1 for r in listed if r["wave"] == str(w["wave"]))
        assert members == w["devices"], (w, members)
    late = [r for r in listed[65536:] if r["wave"] != ""]
    assert late, "devices of the second chunk were planned"


@test
def device_refused_by_the_library_names_its_row():
    # The planner's diagnostics index the device in its chunk: the message
    # must name the CSV row, in the first chunk and past it.
    with Files() as files:
        fleet = files.write("bat.csv", "id,battery\na,0.5\nb,1.5\nc,0.2\n")
        fails(1, [fleet + ": row 3, column 'battery'", "[0, 1]"], "--issue",
              ISSUE, "--fleet", fleet)
        lines = ["id,battery"] + ["d%d,%s" % (i, "1.5" if i == 66000
                                              else "0.5")
                                  for i in range(70000)]
        fleet = files.write("big.csv", "\n".join(lines) + "\n")
        fails(1, [fleet + ": row 66002, column 'battery'"], "--issue",
              ISSUE, "--fleet", fleet)


@test
def unreachable_chain_warns():
    # No bootloader installed: nothing provides one, so no sequence of
    # packages reaches os-12.0-delta's ">= 3.0" requirement.
    with Files() as files:
        fleet = files.write("nopath.csv",
                            "id,ring,os\na,0,11.0\n\nb,2,11.2\n")
        d = plan_json("--issue", ISSUE, "--fleet", fleet, "--catalog",
                      CATALOG, "--package", "os-12.0-delta")
    assert d["counts"]["devices"] == 2  # the blank line is no device
    assert [c["path_status"] for c in d["chains"]] == ["unreachable"] * 2
    assert all(c["path"] == [] for c in d["chains"])
    nopath = [w for w in d["warnings"] if w["code"] == 3]
    assert sorted(w["subject"] for w in nopath) == [0, 1], d["warnings"]


@test
def empty_fleet():
    with Files() as files:
        fleet = files.write("empty.csv", "id,ring\n")
        d = plan_json("--issue", ISSUE, "--fleet", fleet)
    assert d["counts"]["devices"] == 0
    assert "no device may install now" in [w["warning"]
                                           for w in d["warnings"]]


# ---- help ------------------------------------------------------------------


@test
def help_texts():
    r = ok("--help")
    assert r.text.startswith("Usage: otaprio plan"), r.text[:60]
    assert "--flaw-versions" in r.text and "--devices" in r.text
    assert succeeded(invoke([OTAPRIO, "help", "plan"])).out == r.out
    general = succeeded(invoke([OTAPRIO, "--help"])).text
    assert "\n  plan " in general, general


# ---- bad options -----------------------------------------------------------


@test
def usage_errors():
    fails(2, ["--issue is required"], "--fleet", FLEET)
    fails(2, ["--fleet is required"], "--issue", ISSUE)
    fails(2, ["--package and --flaw need --catalog"], "--issue", ISSUE,
          "--fleet", FLEET, "--package", "os-12.0-delta")
    fails(2, ["--flaw and --flaw-versions go together"], "--issue", ISSUE,
          "--fleet", FLEET, "--catalog", CATALOG, "--flaw", "libssl")
    fails(2, ["bad --delayed 'sunburn'"], "--issue", ISSUE, "--fleet",
          FLEET, "--delayed", "battery,sunburn")
    fails(2, ["bad --power"], "--issue", ISSUE, "--fleet", FLEET,
          "--power", "proportion:0.01")
    fails(2, ["bad --power"], "--issue", ISSUE, "--fleet", FLEET,
          "--power", "proportion:0.01:0.5:x")
    fails(2, ["bad --power"], "--issue", ISSUE, "--fleet", FLEET,
          "--power", "odds:0.01:0.5")
    fails(2, ["bad --critical-level '101'"], "--issue", ISSUE, "--fleet",
          FLEET, "--critical-level", "101")
    fails(2, ["--strata names 'sku' twice"], "--issue", ISSUE, "--fleet",
          FLEET, "--strata", "sku,region,sku")
    fails(2, ["unexpected argument 'extra'"], "--issue", ISSUE, "--fleet",
          FLEET, "extra")
    fails(2, ["unrecognized option"], "--issue", ISSUE, "--fleet", FLEET,
          "--wave-count", "3")
    fails(2, ["at most one input may be standard input"], "--issue", "-",
          "--fleet", "-")
    fails(2, ["--salt"], "--issue", ISSUE, "--fleet", FLEET, "--salt", "a",
          "--salt-hex", "1f")


# ---- malformed inputs ------------------------------------------------------


@test
def bad_files():
    rows = fleet_rows()[:20]
    columns = list(rows[0].keys())
    with Files() as files:
        fails(1, ["cannot open", "nowhere.csv"], "--issue", ISSUE, "--fleet",
              files.path("nowhere.csv"))
        issue = files.write("issue.json", "{\"issue_class\": \"security\",")
        fails(1, [issue], "--issue", issue, "--fleet", FLEET)
        issue = files.write("issue2.json", {"exploit": "rumoured"})
        fails(1, ["exploit", "rumoured"], "--issue", issue, "--fleet", FLEET)
        fails(1, ["no package", "os-13"], "--issue", ISSUE, "--fleet", FLEET,
              "--catalog", CATALOG, "--package", "os-13")
        fails(1, ["firmware"], "--issue", ISSUE, "--fleet", FLEET,
              "--catalog", CATALOG, "--flaw", "firmware", "--flaw-versions",
              "< 2")
        rules = files.write("rules.json", {"rules": [{"name": "x",
                                                      "kind": "weird"}]})
        fails(1, [rules, "kind"], "--issue", ISSUE, "--fleet", FLEET,
              "--guardrails", rules)

        bad = [dict(r) for r in rows]
        bad[4]["ring"] = "partner"
        fleet = with_fleet(files, bad, columns, "ring.csv")
        fails(1, ["row 6", "column 'ring'", "'partner'"], "--issue", ISSUE,
              "--fleet", fleet)

        bad = [dict(r) for r in rows]
        bad[2]["os"] = "13.5"
        fleet = with_fleet(files, bad, columns, "version.csv")
        fails(1, ["row 4", "column 'os'", "'13.5'", "does not know"],
              "--issue", ISSUE, "--fleet", fleet, "--catalog", CATALOG)

        bad = [dict(r) for r in rows]
        bad[7]["device_class"] = "toaster"
        fleet = with_fleet(files, bad, columns, "class.csv")
        fails(1, ["row 9", "device_class", "toaster"], "--issue", ISSUE,
              "--fleet", fleet)

        fleet = with_fleet(files, rows, [c for c in columns if c != "id"],
                           "noid.csv")
        fails(1, ["'id'"], "--issue", ISSUE, "--fleet", fleet)
        fails(1, ["'shelf'"], "--issue", ISSUE, "--fleet", FLEET,
              "--strata", "shelf")
        fails(1, ["'tier'"], "--issue", ISSUE, "--fleet", FLEET,
              "--ring-column", "tier")

        fleet = files.write("short.csv", "id,ring\na,0\nb\n")
        fails(1, ["row 3"], "--issue", ISSUE, "--fleet", fleet)
        fleet = files.write("quote.csv", "id,ring\n\"a,0\n")
        fails(1, [fleet], "--issue", ISSUE, "--fleet", fleet)
        fleet = files.write("dup.csv", "id,ring\na,0\na,2\n")
        fails(1, ["rows 2 and 3", "same device key", "'a'"], "--issue",
              ISSUE, "--fleet", fleet)

        rollback = files.write("rb.json", {"levers": ["rewind"]})
        fails(1, [rollback, "levers", "rewind", "downgrade"], "--issue",
              ISSUE, "--fleet", FLEET, "--rollback", rollback)
        rollback = files.write("rb2.json", {"canary_share": 0.1})
        fails(1, ["canary_share", "planner sets"], "--issue", ISSUE,
              "--fleet", FLEET, "--rollback", rollback)
        rollback = files.write("rb3.json", {"layer": "os", "lever": []})
        fails(1, ["unknown key", "lever"], "--issue", ISSUE, "--fleet",
              FLEET, "--rollback", rollback)
        bg = files.write("bg1.json", {"policy": {}})
        fails(1, [bg, "'policy' and 'request'"], "--issue", ISSUE,
              "--fleet", FLEET, "--breakglass", bg)
        bg = files.write("bg2.json", {"policy": {"approvals": {"ceo": 1}},
                                      "request": {}})
        fails(1, ["'ceo'", "security_lead"], "--issue", ISSUE, "--fleet",
              FLEET, "--breakglass", bg)
        bg = files.write("bg3.json", {"policy": {}, "request": {
            "approvals": [{"role": "executive"}]}})
        fails(1, ["approvals", "element 0", "'approver'"], "--issue", ISSUE,
              "--fleet", FLEET, "--breakglass", bg)
        bg = files.write("bg4.json", {"policy": {}, "request": {
            "cohorts": [1, -2]}})
        fails(1, ["cohorts", "element 1"], "--issue", ISSUE, "--fleet",
              FLEET, "--breakglass", bg)
        bg = files.write("bg5.json", {"policy": {"evidence": ["vibes"]},
                                      "request": {}})
        fails(1, ["vibes", "exploitation"], "--issue", ISSUE, "--fleet",
              FLEET, "--breakglass", bg)
        fails(1, ["plan_power.baseline"], "--issue", ISSUE, "--fleet", FLEET,
              "--power", "proportion:2:0.5")
        fails(1, ["cannot write"], *(FULL + ["--devices",
                                             files.path("no/such/dir.csv")]))


sys.exit(test.main())
