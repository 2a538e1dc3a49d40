#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio score`.

Usage: test_score.py OTAPRIO

OTAPRIO is the built executable. Standard library only. The cases follow
the reference article (an actively exploited remote flaw on medical devices
is an emergency, a cosmetic fix waits, a phone on low battery waits, a lone
branch router ranks above one in a redundant pair), then every error path.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import json
import os
import re
import subprocess
import sys

from cli_harness import Checks, Command, Files, Skip, arguments

[OTAPRIO] = arguments(__doc__, 1)

# ---- inputs -----------------------------------------------------------------

ACTIVE_MEDICAL = {
    "issue_class": "security",
    "security_impact": "critical",
    "attack_path": "remote",
    "exploit": "active",
    "automatable": True,
    "affected_classes": ["medical"],
    "affected_share": 0.3,
    "workflows": ["safety"],
    "layer": "os",
    "ab_slot": True,
    "package_bytes": 100000000,
}

COSMETIC = {"issue_class": "cosmetic", "affected_share": 1.0, "layer": "app"}

# A stability fix of middle urgency (no override decides its tier).
STABILITY = {
    "issue_class": "stability",
    "uptime_loss": "high",
    "data_loss": "moderate",
    "affected_share": 0.5,
    "epss": 0.1,
    "affected_classes": ["router", 9],
    "layer": "kernel",
    "package_bytes": 200 * 1024 * 1024,
}

FLEET_HEADER = ("id,device_class,customer_tier,exposure,redundant,uptime,"
                "battery,charging,link,metered,free_bytes,failed_attempts")
FLEET_ROWS = [
    "med-1,medical,critical,internal,0,continuous,1,1,ethernet,0,1000000000,0",
    "phone-low,handset,standard,public,0,business,0.1,0,wifi,0,1000000000,0",
    "phone-charging,handset,standard,public,0,business,0.1,1,wifi,0,"
    "1000000000,0",
    "router-lone,router,business,public,0,continuous,1,1,ethernet,0,"
    "1000000000,0",
    "router-pair,router,business,public,1,continuous,1,1,ethernet,0,"
    "1000000000,0",
    "phone-roam,handset,standard,public,0,business,0.9,0,roaming,1,"
    "1000000000,4",
]
FLEET = ("\n".join([FLEET_HEADER] + FLEET_ROWS) + "\n").encode()

DISPOSITIONS = ["eligible", "defer", "blocked", "excluded"]


# ---- harness ----------------------------------------------------------------


# run, ok and fails, as every command's script has them.
COMMAND = Command(OTAPRIO, "score", quiet_failures=False)
run, ok, fails = COMMAND.run, COMMAND.ok, COMMAND.fails


def milli(points):
    return round(points * 1000)


def by_id(devices):
    return {d["id"]: d for d in devices}


test = Checks()


# ---- help -------------------------------------------------------------------


@test
def help_texts():
    r = subprocess.run([OTAPRIO, "--help"], capture_output=True, check=True)
    assert b"  score " in r.stdout, r.stdout
    usage = ok("--help").out
    assert usage.startswith(b"Usage: otaprio score"), usage
    assert ok("-h").out == usage
    r = subprocess.run([OTAPRIO, "help", "score"], capture_output=True)
    assert r.returncode == 0 and r.stdout == usage and r.stderr == b"", r
    for word in (b"--issue", b"--fleet", b"--top", b"--explain", b"--json",
                 b"--policy", b"--model", b"device_class", b"epss"):
        assert word in usage, word


# ---- the issue ----------------------------------------------------------------


@test
def active_remote_exploit_on_medical_is_t0():
    with Files() as f:
        issue = f.write("issue.json", ACTIVE_MEDICAL)
        r = ok("--issue", issue)
        lines = r.text.splitlines()
        assert lines[0] == "tier:   T0 emergency push now", r
        assert lines[2] == "ssvc:   Act", r
        assert lines[3] == "model:  scorecard", r
        card = [line.strip() for line in lines[5:]]
        assert "+18.000  active exploitation" in card, lines
        assert "+12.000  remote attack path" in card, lines
        assert "+10.000  medical device" in card, lines
        assert "-2.000  OS layer" in card, lines
        # Without a fleet there is no device table.
        assert "priority" not in r.text and "totals" not in r.text, r
        # The scorecard adds up to the score, to the thousandth.
        score = re.search(r"^score:  (\d+)\.(\d{3})$", r.text, re.M)
        assert score, r
        total = 0
        for line in lines[lines.index("scorecard:") + 1:]:
            m = re.match(r"^ +([+-])(\d+)\.(\d{3})  \S", line)
            assert m, line
            value = int(m.group(2)) * 1000 + int(m.group(3))
            total += value if m.group(1) == "+" else -value
        assert total == int(score.group(1)) * 1000 + int(score.group(2)), r


@test
def issue_json_output():
    with Files() as f:
        issue = f.write("issue.json", ACTIVE_MEDICAL)
        doc = ok("--issue", issue, "--json").json()
        assert set(doc) == {"issue"}, doc
        i = doc["issue"]
        assert i["tier"] == 0 and i["tier_name"].startswith("T0"), i
        assert i["ssvc"] == "Act" and i["model"] == "scorecard", i
        assert milli(i["score"]) == i["score_milli"], i
        assert sum(milli(l["points"]) for l in i["scorecard"]) == \
            i["score_milli"], i
        labels = {l["label"]: l for l in i["scorecard"]}
        assert labels["active exploitation"]["points"] == 18.0, labels
        assert labels["active exploitation"]["factor"] == 7, labels
        assert labels["active exploitation"]["input"] == 2, labels
        assert all(l["score"] == "defect" for l in i["scorecard"]), i


@test
def cosmetic_is_t3():
    with Files() as f:
        issue = f.write("issue.json", COSMETIC)
        r = ok("--issue", issue)
        assert r.text.startswith("tier:   T3 hold"), r
        assert "    -10.000  cosmetic fix" in r.text.splitlines(), r
        assert ok("-i", issue, "-j").json()["issue"]["tier"] == 3
        # A cosmetic fix that hides a regression is no longer held back.
        noisy = dict(COSMETIC, anomaly_rate=0.2)
        assert ok("-i", f.write("noisy.json", noisy), "-j").json()["issue"][
            "tier"] == 3
        masked = f.write("masked.json", dict(noisy, masks_regression=True))
        assert ok("-i", masked, "-j").json()["issue"]["tier"] == 2


@test
def empty_issue_is_nothing_known():
    with Files() as f:
        doc = ok("-i", f.write("issue.json", {}), "-j").json()
        assert doc["issue"]["tier"] == 3, doc


@test
def issue_from_stdin():
    with Files() as f:
        from_file = ok("-i", f.write("issue.json", STABILITY), "-j").out
    assert ok("-i", "-", "-j", stdin=json.dumps(STABILITY).encode()).out == \
        from_file


@test
def every_issue_key_accepted():
    issue = {
        "issue_class": "compliance",
        "security_impact": "low",
        "data_loss": "none",
        "uptime_loss": "moderate",
        "regulatory_exposure": "high",
        "attack_path": "adjacent",
        "exploit": "poc",
        "automatable": False,
        "epss": 0.25,
        "affected_share": 0.1,
        "concentration": 0.5,
        "workflows": ["auth", "payment", "emergency", "safety",
                      "connectivity", "identity"],
        "affected_classes": ["other", "handset", "wearable", "camera",
                             "kiosk", "pos", "router", "gateway",
                             "industrial", "medical", "vehicle", 31],
        "layer": "bootloader",
        "ab_slot": False,
        "anomaly_rate": 0.01,
        "anomaly_growing": True,
        "masks_regression": False,
        "package_bytes": 0,
    }
    with Files() as f:
        doc = ok("-i", f.write("issue.json", issue), "-j").json()
        labels = [l["label"] for l in doc["issue"]["scorecard"]]
        for label in ("compliance fix", "public proof of concept",
                      "exploit probability (EPSS)", "bootloader layer",
                      "critical workflows touched", "anomaly growing"):
            assert label in labels, (label, labels)


@test
def ssvc_model_shortcut_and_policy():
    with Files() as f:
        issue = f.write("issue.json", ACTIVE_MEDICAL)
        doc = ok("-i", issue, "--model", "ssvc", "-j").json()["issue"]
        assert doc["model"] == "ssvc" and doc["tier"] == 0, doc
        assert doc["scorecard"][-1]["label"] == "Act", doc
        assert doc["scorecard"][-1]["points"] == 0, doc
        assert "SSVC decision: Act" in ok("-i", issue, "-m", "ssvc").text
        # The same through a policy file; --model wins over the file.
        policy = f.write("policy.json", {"model": "ssvc"})
        assert ok("-i", issue, "-p", policy, "-j").json()["issue"] == doc
        back = ok("-i", issue, "-p", policy, "-m", "scorecard", "-j").json()
        assert back["issue"]["model"] == "scorecard", back


@test
def policy_overrides():
    with Files() as f:
        issue = f.write("issue.json", STABILITY)
        base = ok("-i", issue, "-j").json()["issue"]
        # Thresholds so low that any score is T0.
        low = f.write("low.json", {"tier_thresholds": [3, 2, 1]})
        assert ok("-i", issue, "-p", low, "-j").json()["issue"]["tier"] == 0
        # A table given in part keeps the rest of its defaults.
        layers = f.write("layers.json", {"layer_points": [0, 0, 0, -20]})
        lowered = ok("-i", issue, "-p", layers, "-j").json()["issue"]
        assert lowered["score_milli"] == base["score_milli"] - 16000, lowered
        policy = {
            "automatable_points": 6, "active_exploit_t0": True,
            "cosmetic_t3": False, "repeated_failures": 2,
            "metered_max_bytes": 1000, "catch_up_days": 7,
            "t0_overrides_window": False, "excluded_classes": ["router", 1],
            "class_criticality": [0.3, 0.2], "defect_share": 0.5,
        }
        ok("-i", issue, "-p", f.write("all.json", policy))
        # The class bits may also be one integer.
        ok("-i", issue, "-p", f.write("mask.json", {"excluded_classes": 64}))


# ---- the fleet ----------------------------------------------------------------


def score_fleet(issue, *extra, fleet=FLEET):
    with Files() as f:
        return ok("-i", f.write("issue.json", issue), "-f",
                  f.write("fleet.csv", fleet), "-j", *extra).json()


@test
def low_battery_idle_handset_defers():
    devices = by_id(score_fleet(ACTIVE_MEDICAL)["devices"])
    low = devices["phone-low"]
    assert low["disposition"] == "defer", low
    assert low["reasons"] == ["low battery"], low
    # The same phone on its charger may go ahead.
    charging = devices["phone-charging"]
    assert charging["disposition"] == "eligible", charging
    assert charging["reasons"] == [], charging
    assert low["delivery_risk"] > charging["delivery_risk"], (low, charging)


@test
def lone_router_outranks_redundant_pair():
    for issue in (ACTIVE_MEDICAL, STABILITY, COSMETIC):
        devices = by_id(score_fleet(issue)["devices"])
        lone, pair = devices["router-lone"], devices["router-pair"]
        assert lone["priority"] > pair["priority"], (issue, lone, pair)
        assert lone["criticality"] - pair["criticality"] == 10, (lone, pair)


@test
def medical_device_outranks_handset():
    devices = by_id(score_fleet(ACTIVE_MEDICAL)["devices"])
    assert devices["med-1"]["priority"] > devices["phone-charging"]["priority"]


@test
def repeated_failures_and_metered_roaming():
    devices = by_id(score_fleet(ACTIVE_MEDICAL)["devices"])
    roam = devices["phone-roam"]
    # 100 MB over a roaming link is above the 50 MiB metered limit.
    assert roam["disposition"] == "defer", roam
    assert roam["reasons"] == ["metered link and large package",
                               "repeated failed attempts"], roam
    # Four failed attempts raise its priority above a sound handset's.
    assert roam["priority"] > devices["phone-charging"]["priority"], devices


@test
def json_document_and_totals_add_up():
    for issue in (ACTIVE_MEDICAL, STABILITY, COSMETIC):
        doc = score_fleet(issue)
        assert set(doc) == {"issue", "devices", "totals"}, doc
        devices, totals = doc["devices"], doc["totals"]
        assert [d["id"] for d in devices] == [r.split(",")[0]
                                              for r in FLEET_ROWS]
        assert [d["row"] for d in devices] == list(range(2, 2 + len(devices)))
        assert totals["devices"] == len(devices), totals
        assert sum(totals["by_disposition"].values()) == len(devices), totals
        assert set(totals["by_disposition"]) == set(DISPOSITIONS), totals
        for name in DISPOSITIONS:
            assert totals["by_disposition"][name] == sum(
                d["disposition"] == name for d in devices), (name, totals)
        for reason, n in totals["by_reason"].items():
            assert n == sum(reason in d["reasons"] for d in devices), reason
        for d in devices:
            assert set(d) == {"id", "row", "priority", "disposition",
                              "reasons", "criticality", "delivery_risk"}, d
            assert 0 <= d["priority"] <= 100, d
            assert d["disposition"] in DISPOSITIONS, d
            assert (d["disposition"] == "eligible") == (
                not set(d["reasons"]) - {"repeated failed attempts",
                                         "needs catch-up path"}), d


@test
def text_table_matches_json():
    with Files() as f:
        args = ("-i", f.write("issue.json", STABILITY), "-f",
                f.write("fleet.csv", FLEET))
        text = ok(*args).text
        doc = ok(*args, "-j").json()
    rows = text.split("\n\n")[1].splitlines()
    assert rows[0].split() == ["priority", "disposition", "reasons", "id"], rows
    assert len(rows) == 1 + len(FLEET_ROWS), rows
    for line, d in zip(rows[1:], doc["devices"]):
        m = re.match(r"^ *(\d+\.\d{3})  (\S+) +(.+)  (\S+)$", line)
        assert m, line
        assert float(m.group(1)) == d["priority"], (line, d)
        assert m.group(2) == d["disposition"], (line, d)
        assert m.group(3) == (",".join(d["reasons"]) or "-"), (line, d)
        assert m.group(4) == d["id"], (line, d)
    totals = text.split("\n\n")[2]
    assert totals.startswith("totals: %d devices\n" % len(FLEET_ROWS)), totals
    for name in DISPOSITIONS:
        assert re.search(r"^  %s +%d$" % (name, doc["totals"]["by_disposition"]
                                           [name]), totals, re.M), totals
    assert re.search(r"^  low battery +1$", totals, re.M), totals


@test
def explain_device():
    doc = score_fleet(ACTIVE_MEDICAL, "--explain", "router-lone", "-e",
                      "phone-low")
    devices = by_id(doc["devices"])
    assert "explanation" not in devices["med-1"], devices
    for ident in ("router-lone", "phone-low"):
        d = devices[ident]
        e = d["explanation"]
        assert milli(e["priority"]) == milli(d["priority"]), d
        assert milli(e["criticality"]) == milli(d["criticality"]), d
        assert milli(e["delivery_risk"]) == milli(d["delivery_risk"]), d
        for kind in ("criticality", "delivery_risk", "priority"):
            lines = [l for l in e["lines"] if l["score"] == kind]
            assert sum(milli(l["points"]) for l in lines) == milli(e[kind]), \
                (kind, e)
    labels = [l["label"] for l in devices["router-lone"]["explanation"]
              ["lines"]]
    assert "no redundant peer" in labels and "router" in labels, labels
    low = [l["label"] for l in devices["phone-low"]["explanation"]["lines"]]
    assert "low battery, not charging" in low, low
    with Files() as f:
        text = ok("-i", f.write("issue.json", ACTIVE_MEDICAL), "-f",
                  f.write("fleet.csv", FLEET), "--explain", "router-lone").text
    after = text.split("  router-lone\n", 1)[1].splitlines()
    block = []
    for line in after:
        if not line.startswith("    "):
            break
        block.append(line)
    assert block[0] == "    criticality 70.000", block
    assert "      +10.000  no redundant peer" in block, block
    assert "    delivery risk 0.000" in block, block
    assert re.match(r"^    priority \d+\.\d{3}$", block[-3]), block
    assert block[-1] == "      +28.000  device criticality", block
    # The next device follows the explanation.
    assert after[len(block)].endswith("  router-pair"), after


@test
def top_n_keeps_the_highest():
    doc = score_fleet(ACTIVE_MEDICAL)
    expected = sorted(doc["devices"], key=lambda d: (-d["priority"], d["row"]))
    for n in (1, 2, 3, 100):
        top = score_fleet(ACTIVE_MEDICAL, "--top", str(n))
        assert top["devices"] == expected[:n], (n, top["devices"])
        # Totals still count every device.
        assert top["totals"] == doc["totals"], top


def big_fleet(n, bad_row=None):
    """n devices over several chunks, with ties and every class."""
    classes = ["other", "handset", "wearable", "camera", "kiosk", "pos",
               "router", "gateway", "industrial", "medical", "vehicle"]
    lines = ["id,device_class,redundant,battery,failed_attempts,exposure"]
    for i in range(n):
        battery = "1.5" if i + 2 == bad_row else "%.2f" % ((i * 37 % 100) / 100)
        lines.append("dev-%d,%s,%d,%s,%d,%s" % (
            i, classes[i * 7 % len(classes)], i % 2, battery, i % 5,
            ["isolated", "internal", "public"][i % 3]))
    return ("\n".join(lines) + "\n").encode()


@test
def top_n_across_chunks():
    fleet = big_fleet(10000)
    doc = score_fleet(STABILITY, fleet=fleet)
    assert len(doc["devices"]) == 10000
    assert doc["totals"]["devices"] == 10000
    assert sum(doc["totals"]["by_disposition"].values()) == 10000
    expected = sorted(doc["devices"], key=lambda d: (-d["priority"], d["row"]))
    for n in (1, 7, 5000):
        top = score_fleet(STABILITY, "--top", str(n), fleet=fleet)
        assert top["devices"] == expected[:n], n
    # An explanation asked for survives in the heap when its device is kept.
    # One outside the top is dropped with its device (and freed: the
    # sanitizer build checks).
    best, worst = expected[0]["id"], expected[-1]["id"]
    top = score_fleet(STABILITY, "-t", "3", "-e", best, "-e", worst,
                      fleet=fleet)
    assert "explanation" in top["devices"][0], top["devices"][0]
    assert worst not in [d["id"] for d in top["devices"]], top


@test
def fleet_from_stdin_without_id_column():
    with Files() as f:
        issue = f.write("issue.json", ACTIVE_MEDICAL)
        data = b"battery,charging\n0.1,0\n0.9,0\n"
        doc = ok("-i", issue, "-f", "-", "-j", stdin=data).json()
        # Without an id column, a device is named by its row.
        assert [d["id"] for d in doc["devices"]] == ["2", "3"], doc
        assert doc["devices"][0]["reasons"] == ["low battery"], doc
        doc = ok("-i", issue, "-f", "-", "-j", "-e", "3", stdin=data).json()
        assert "explanation" in doc["devices"][1], doc


@test
def fleet_defaults_header_only_and_spaces():
    with Files() as f:
        issue = f.write("issue.json", ACTIVE_MEDICAL)
        doc = ok("-i", issue, "-j", "-f",
                 f.write("empty.csv", "id,battery\n")).json()
        assert doc["devices"] == [] and doc["totals"]["devices"] == 0, doc
        # Names, numbers and flags in every accepted spelling; spaces around
        # values, a byte-order mark, CRLF line ends.
        data = ("\ufeffid, device_class ,exposure,link,uptime,customer_tier,"
                "busy,affected,prerequisite_missing,excluded,days_offline,"
                "safe_fallback\r\n"
                "a, 9 ,public,satellite,batch,enterprise,TRUE,1,0,false,30,"
                "True\r\n"
                "b,vehicle,isolated,cellular,continuous,critical,0,0,1,0,0,0"
                "\r\n"
                "c,gateway,internal,wifi,business,business,0,1,1,0,0,0\r\n"
                "d,31,internal,wifi,business,business,0,1,0,1,0,0\r\n")
        doc = ok("-i", issue, "-j", "-f", f.write("all.csv", data)).json()
        devices = by_id(doc["devices"])
        assert devices["a"]["reasons"] == ["needs catch-up path"], devices
        assert devices["a"]["disposition"] == "eligible", devices  # T0
        assert devices["b"]["disposition"] == "excluded", devices
        assert "not affected" in devices["b"]["reasons"], devices
        assert devices["c"]["disposition"] == "blocked", devices
        assert devices["d"]["reasons"] == ["excluded by host policy"], devices
        # Unknown columns may be skipped on request.
        extra = f.write("extra.csv", "id,region,battery\nx,eu,0.5\n")
        fails(1, ["unknown column 'region'", "--ignore-unknown-columns"],
              "-i", issue, "-f", extra)
        doc = ok("-i", issue, "-f", extra, "-j",
                 "--ignore-unknown-columns").json()
        assert [d["id"] for d in doc["devices"]] == ["x"], doc


@test
def json_rejects_non_utf8_id():
    with Files() as f:
        issue = f.write("issue.json", COSMETIC)
        fleet = f.write("fleet.csv", b"id\nok\n\xff\n")
        r = fails(1, ["not valid UTF-8", "\\xff"], "-i", issue, "-f", fleet,
                  "-j")
        try:
            json.loads(r.out)
        except ValueError:
            pass
        else:
            raise AssertionError("partial JSON parsed: %r" % (r,))
        r = ok("-i", issue, "-f", fleet)
        assert b"  \xff\n" in r.out, r


# ---- errors -------------------------------------------------------------------


@test
def usage_errors():
    with Files() as f:
        issue = f.write("issue.json", COSMETIC)
        fails(2, ["missing the fix", "--issue"])
        fails(2, ["--top needs --fleet"], "-i", issue, "--top", "3")
        fails(2, ["--explain needs --fleet"], "-i", issue, "-e", "x")
        fails(2, ["--ignore-unknown-columns needs --fleet"], "-i", issue,
              "--ignore-unknown-columns")
        for bad in ("0", "-1", "x", "", "1.5", "99999999999999999999999"):
            fails(2, ["bad --top '%s'" % bad], "-i", issue, "-f", "x.csv",
                  "--top", bad)
        fails(2, ["bad --model 'cvss'", "scorecard or ssvc"], "-i", issue,
              "--model", "cvss")
        fails(2, ["only one input can be standard input"], "-i", "-", "-f",
              "-")
        fails(2, ["only one input can be standard input"], "-i", "-", "-p",
              "-")
        fails(2, ["unexpected argument"], "-i", issue, "extra")
        fails(2, ["unrecognized option", "--bogus"], "-i", issue, "--bogus")
        fails(2, ["requires an argument"], "--issue")


@test
def issue_errors():
    cases = [
        ({"bogus": 1}, ["unknown key 'bogus' in the issue", "known keys",
                        "issue_class"]),
        ({"issue_class": "securty"}, ["key 'issue_class'",
                                      "unknown issue class 'securty'",
                                      "security, stability"]),
        ({"exploit": "weaponized"}, ["unknown exploit maturity"]),
        ({"layer": 3}, ["key 'layer'", "expected a layer name",
                        "got a number"]),
        ({"security_impact": "severe"}, ["unknown level 'severe'"]),
        ({"affected_share": "lots"}, ["key 'affected_share'",
                                      "expected a number, got a string"]),
        ({"automatable": 1}, ["expected true or false, got a number"]),
        ({"package_bytes": 1.5}, ["key 'package_bytes'",
                                  "expected a whole number, got a fraction"]),
        ({"package_bytes": -1}, ["key 'package_bytes'", "out of range"]),
        ({"workflows": "auth"}, ["expected an array of workflow names"]),
        ({"workflows": ["auth", "banking"]}, ["key 'workflows', element 1",
                                              "unknown workflow 'banking'"]),
        ({"affected_classes": ["medical", 32]},
         ["key 'affected_classes', element 1", "out of range"]),
        ({"affected_classes": ["toaster"]}, ["unknown device class"]),
        ({"affected_classes": [None]}, ["got null"]),
        ({"has_epss": True}, ["key 'has_epss'", "'epss'"]),
        # Values of the right type but out of range: the library says so.
        ({"affected_share": 1.5}, ["otaprio_risk_score_issue failed",
                                   "value out of range", "affected_share"]),
        ({"epss": -0.1}, ["value out of range", "epss"]),
    ]
    with Files() as f:
        for content, needles in cases:
            path = f.write("issue.json", content)
            r = fails(1, needles + ["issue.json"], "-i", path)
            assert r.out == b"", r
        fails(1, ["cannot open the issue file", f.path("missing.json"),
                  os.strerror(2)], "-i", f.path("missing.json"))
        fails(1, ["cannot read the issue file"], "-i", f.tmp.name)
        fails(1, ["issue.json:1:", "invalid issue JSON"], "-i",
              f.write("issue.json", "{\"exploit\": }"))
        fails(1, ["duplicate"], "-i",
              f.write("issue.json", '{"epss": 0.1, "epss": 0.2}'))
        fails(1, ["must be a JSON object, not an array"], "-i",
              f.write("issue.json", "[]"))
        fails(1, ["standard input", "invalid issue JSON"], "-i", "-",
              stdin=b"")


@test
def policy_errors():
    with Files() as f:
        issue = f.write("issue.json", COSMETIC)
        cases = [
            ({"tier_threshold": [1]}, ["unknown key 'tier_threshold' in the "
                                       "policy", "tier_thresholds"]),
            ({"model": "cvss"}, ["key 'model'", "unknown model 'cvss'"]),
            ({"epss_points": "ten"}, ["expected a number, got a string"]),
            ({"tier_thresholds": 70}, ["expected an array of at most 3"]),
            ({"tier_thresholds": [70, 50, 25, 10]}, ["4 numbers given"]),
            ({"tier_thresholds": [70, "x"]}, ["element 1", "expected a number"]),
            ({"cosmetic_t3": "yes"}, ["expected true or false"]),
            ({"catch_up_days": -3}, ["key 'catch_up_days'", "out of range"]),
            ({"excluded_classes": ["toaster"]}, ["unknown device class"]),
            # Well-formed but refused by the library, which names the field.
            ({"tier_thresholds": [10, 20, 30]},
             ["otaprio_risk_model_create failed", "value out of range",
              "tier_thresholds"]),
            ({"min_battery": 2}, ["value out of range", "min_battery"]),
        ]
        for content, needles in cases:
            path = f.write("policy.json", content)
            r = fails(1, needles + ["policy.json"], "-i", issue, "-p", path)
            assert r.out == b"", r
        fails(1, ["cannot open the policy file"], "-i", issue, "-p",
              f.path("nope.json"))


@test
def fleet_errors():
    with Files() as f:
        issue = f.write("issue.json", ACTIVE_MEDICAL)
        cases = [
            (b"id,battery\na,abc\n", ["row 2, column 'battery'",
                                       "'abc' is not a number"]),
            (b"id,exposure\na,internal\nb,publik\n",
             ["row 3, column 'exposure'", "'publik' is no exposure",
              "isolated, internal, public"]),
            (b"id,device_class\na,toaster\n",
             ["row 2, column 'device_class'", "'toaster' is no device class"]),
            (b"id,device_class\na,300\n", ["'300' is out of range"]),
            (b"id,redundant\na,yes\n", ["'yes' is no flag"]),
            (b"id,failed_attempts\na,-1\n", ["'-1' is not a whole number"]),
            (b"id,free_bytes\na,99999999999999999999\n",
             ["'99999999999999999999' is not a whole number"]),
            (b"id,battery\na,\n", ["row 2, column 'battery'", "empty"]),
            (b"id,battery\na,0.5\nb\n", ["row 3 has 1 field but the header "
                                         "has 2"]),
            (b"id,battery\na,0.5,1\n", ["row 2 has more fields"]),
            (b"id,batery\na,0.5\n", ["unknown column 'batery'", "battery"]),
            (b"id,battery,battery\na,1,1\n", ["column 'battery' appears more "
                                               "than once"]),
            (b'id,battery\n"a,0.5\n', ["malformed CSV"]),
            (b'id,battery\na"b,0.5\n', ["malformed CSV"]),
            (b"", ["empty input"]),
            # Well-formed but out of the library's range: it names the
            # column; the CLI names the row.
            (b"id,battery\na,0.5\nb,1.5\n",
             ["row 3, column 'battery'", "otaprio_risk_score_devices failed",
              "value out of range", "1.5"]),
            (b"id,battery\na,nan\n", ["row 2, column 'battery'",
                                       "value out of range"]),
            (b"id,battery\na,1e999\n", ["row 2, column 'battery'",
                                         "value out of range"]),
            (b"id,device_class\na,40\n", ["row 2, column 'device_class'",
                                           "value out of range", "40"]),
        ]
        for data, needles in cases:
            path = f.write("fleet.csv", data)
            fails(1, needles + ["fleet.csv"], "-i", issue, "-f", path)
        fails(1, ["standard input", "row 2"], "-i", issue, "-f", "-",
              stdin=b"battery\n2\n")
        fails(1, ["cannot open the fleet file", os.strerror(2)], "-i", issue,
              "-f", f.path("nope.csv"))
        fails(1, [f.tmp.name], "-i", issue, "-f", f.tmp.name)
        fails(1, ["--explain 'ghost'", "no device has this id"], "-i", issue,
              "-f", f.write("fleet.csv", FLEET), "-e", "ghost")


@test
def library_error_names_row_past_first_chunk():
    # Row 9000 lies in the third chunk of 4096 devices: the row named must be
    # the CSV's, not the index within the chunk.
    with Files() as f:
        issue = f.write("issue.json", STABILITY)
        fleet = f.write("fleet.csv", big_fleet(10000, bad_row=9000))
        r = fails(1, ["row 9000, column 'battery'", "value out of range"],
                  "-i", issue, "-f", fleet, "-j")
        try:
            json.loads(r.out)
        except ValueError:
            pass
        else:
            raise AssertionError("partial JSON parsed")
        bad = big_fleet(10000).replace(b"\ndev-5000,", b"\ndev-5000,toaster,"
                                       b"0,1,0,public\nx,")
        fails(1, ["row 5002, column 'device_class'"], "-i", issue, "-f",
              f.write("bad.csv", bad))


@test
def write_error_is_reported():
    if not os.path.exists("/dev/full"):
        raise Skip("no /dev/full")
    with Files() as f, open("/dev/full", "wb") as full:
        issue = f.write("issue.json", STABILITY)
        fleet = f.write("fleet.csv", big_fleet(20000))
        for extra in ((), ("-j",), ("-t", "5")):
            r = run("-i", issue, "-f", fleet, *extra, stdout=full)
            assert r.rc == 1, r
            # One failure, one message (main() may add none).
            assert r.err.count("cannot write") == 1, r


if __name__ == "__main__":
    sys.exit(test.main())
