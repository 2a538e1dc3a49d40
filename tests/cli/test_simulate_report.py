#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the files of `otaprio simulate`: the HTML report
(--html), fleets as CSV (--fleet, --write-fleet) and scenarios as JSON
(--scenario-file).

Usage: test_simulate_report.py OTAPRIO

OTAPRIO is the built executable. Standard library only. Fleets are small
(a few thousand devices), so each run takes a fraction of a second.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import csv
import html.parser
import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

from cli_harness import Checks, Files, failed_with, invoke, succeeded

if len(sys.argv) != 2:
    sys.exit(__doc__)
OTAPRIO = sys.argv[1]

DEVICES = "20000"

check = Checks()


def simulate(*args, stdin=None):
    return invoke([OTAPRIO, "simulate", "--quiet"] + list(args), stdin=stdin)


# ---- the HTML report --------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base",
        "wbr", "source", "track", "embed", "param"}


class Structure(html.parser.HTMLParser):
    """Checks that every element is closed in order, and gathers the
    elements and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.count = {}
        self.problems = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes %r" % (tag, self.stack[-1:]))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def read_report(path):
    with open(path, encoding="utf-8") as f:
        document = f.read()
    parser = Structure()
    parser.feed(document)
    parser.close()
    assert parser.problems == [], parser.problems[:5]
    assert parser.stack == [], parser.stack
    assert document.startswith("<!DOCTYPE html>"), document[:40]
    # Self-contained: nothing fetched from anywhere.
    for needle in ("http://", "https://", "<script", "<link", "<img",
                   "url(", "@import", "src="):
        assert needle not in document.lower(), needle
    # Every chart is well-formed XML on its own.
    charts = [ElementTree.fromstring(svg) for svg in
              re.findall(r"<svg\b.*?</svg>", document, re.S)]
    assert len(charts) == parser.count.get("svg", 0), "nested or broken svg"
    # Every coordinate is a finite number inside the chart's box.
    for svg in charts:
        width, height = (float(v) for v in svg.get("viewBox").split()[2:])
        for element in svg.iter():
            for name in ("x", "y", "x1", "y1", "x2", "y2"):
                if element.get(name) is not None:
                    v = float(element.get(name))
                    limit = width if name.startswith("x") else height
                    assert 0 <= v <= limit, (name, v)
            if element.tag == "path":
                assert not re.search(r"(?i)nan|inf", element.get("d"))
    return document, parser, charts


def chart_title(svg):
    return svg.find("title").text


def event_lines(svg, kind):
    """The vertical lines of one kind of event (a legend's line has no
    title)."""
    return [line for line in svg.iter("line")
            if line.get("class") == kind and line.find("title") is not None]


def path_points(svg, name):
    """The points of the series whose <title> is `name`."""
    for path in svg.iter("path"):
        if path.find("title").text == name:
            return re.findall(r"[ML]([-\d.]+) ([-\d.]+)", path.get("d"))
    raise AssertionError("no series %r" % name)


@check
def html_report_is_well_formed_and_complete():
    with Files() as files:
        out = files.path("report.html")
        # A fleet large enough for the bad SKU to be found and exempted.
        plain = succeeded(simulate("-n", "100000", "-c",
                                   "exploited-flaw,bad-sku"))
        r = succeeded(simulate("-n", "100000", "-c",
                               "exploited-flaw,bad-sku", "--html", out))
        # The report comes on top of the usual output, which it leaves be.
        assert r.out == plain.out
        document, parser, charts = read_report(out)
        assert parser.count["section"] == 2
        assert parser.count["h2"] == 2
        text = "".join(parser.text)
        assert "exploited-flaw" in text and "bad-sku" in text
        # Plan, timeline and outcome per scenario.
        assert parser.count["table"] == 4
        assert text.count("Timeline") == 2 and text.count("Outcome") == 2
        # Updated, exposed, boot, drain for the flaw; no exposure chart
        # for the bad SKU.
        titles = [chart_title(svg) for svg in charts]
        assert len(charts) == 7, titles
        assert titles[0].startswith("Devices updated")
        assert titles[1].startswith("Devices still exposed")
        assert titles[2].startswith("Boot failures")
        assert titles[3].startswith("Heavy battery drain")
        assert titles[4].startswith("Devices updated")
        assert titles[5].startswith("Boot failures")
        # The timeline's wave starts and exemption are lines on the
        # charts of the bad SKU.
        text_run = plain.text.split("\n\n")[1]
        waves = len(re.findall(r"hour +[1-9]\d*  wave \d+ starts", text_run))
        exempt = len(re.findall(r"SKU \d+ exempted", text_run))
        for svg in charts[4:]:
            assert len(event_lines(svg, "wave")) == waves
            assert len(event_lines(svg, "exempt")) == exempt
        assert exempt == 1, text_run
        # The updated series ends at the outcome's count, at the top of
        # the scale when every planned device got it.
        updated = path_points(charts[4], "devices updated")
        assert len(updated) > 24
        exposed = path_points(charts[1], "devices exposed")
        # Exposure falls: the last point is lower (larger y) than the first.
        assert float(exposed[-1][1]) > float(exposed[0][1])
        # Metric against guardrail: the three series of the boot chart.
        for name in ("canary rate", "baseline rate", "allowed rate"):
            assert len(path_points(charts[5], name)) > 24, name


def outcome_lines(text_run):
    """The sentences of a text run's outcome: the "outcome:" line and the
    lines indented under it."""
    lines = text_run.split("\n")
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("  outcome: "))
    facts = [lines[start][len("  outcome: "):]]
    for line in lines[start + 1:]:
        if not line.startswith("           "):
            break
        facts.append(line.strip())
    return facts


@check
def html_outcome_says_what_the_text_says():
    with Files() as files:
        out = files.path("report.html")
        plain = succeeded(simulate("-n", DEVICES, "-c",
                                   "exploited-flaw,bad-global"))
        succeeded(simulate("-n", DEVICES, "-c", "exploited-flaw,bad-global",
                           "--html", out))
        _, parser, _ = read_report(out)
        text = "".join(parser.text)
        runs = [run for run in plain.text.split("\n\n") if run.strip()]
        assert len(runs) == 2, plain.text
        for run in runs:
            facts = outcome_lines(run)
            assert len(facts) >= 2, run
            # Each sentence of the text, as a sentence of the report.
            for fact in facts:
                sentence = fact[0].upper() + fact[1:] + "."
                assert sentence in text, (sentence, text[-2000:])
        # The flaw's exposure after a day is in both.
        assert "after a day" in text


@check
def html_report_shows_a_halt_and_the_limit():
    with Files() as files:
        out = files.path("report.html")
        succeeded(simulate("-n", DEVICES, "-c", "bad-global", "--json",
                           "--html", out))
        document, parser, charts = read_report(out)
        assert len(charts) == 3
        for svg in charts:
            halts = event_lines(svg, "halt")
            assert len(halts) == 1
            assert halts[0].find("title").text.endswith("rolled back")
        # Scaled to the waves released, the short curve still rises well
        # off the x axis (at y 224).
        updated = path_points(charts[0], "devices updated")
        assert min(float(y) for x, y in updated) < 150, updated[-3:]
        # The allowed rate sits above the baseline wherever both are
        # drawn (smaller y is higher).
        baseline = dict(path_points(charts[1], "baseline rate"))
        allowed = dict(path_points(charts[1], "allowed rate"))
        common = set(baseline) & set(allowed)
        assert len(common) > 10
        assert all(float(allowed[x]) < float(baseline[x]) for x in common)


@check
def html_escapes_what_it_shows():
    with Files() as files:
        scenario = files.write("s.json", {
            "name": "<b>&amp;\"it's\"",
            "summary": "</section><script>alert(1)</script>",
            "issue": {"issue_class": "stability", "layer": "os"},
        })
        out = files.path("report.html")
        succeeded(simulate("-n", "5000", "--scenario-file", scenario,
                           "--html", out))
        document, parser, charts = read_report(out)
        assert "<script>" not in document and "<b>" not in document
        text = "".join(parser.text)
        assert "<b>&amp;\"it's\"" in text
        assert "</section><script>alert(1)</script>" in text
        assert parser.count["section"] == 1


@check
def html_errors():
    with Files() as files:
        failed_with(simulate("-n", "2000", "--html"), 2, ["--html"])
        bad = files.path("missing-dir/report.html")
        failed_with(simulate("-n", "2000", "--html", bad), 1,
                    ["cannot create", "missing-dir"])
        # A run that fails leaves no report behind.
        out = files.path("report.html")
        fleet = files.write("f.csv", "sku\n12\n")
        failed_with(simulate("--fleet", fleet, "--html", out), 1, ["sku"])
        assert not os.path.exists(out)


# ---- fleets as CSV ----------------------------------------------------------

@check
def fleet_round_trip():
    with Files() as files:
        written = files.path("fleet.csv")
        again = files.path("again.csv")
        first = succeeded(simulate("-n", DEVICES, "-s", "3", "-c",
                                   "bad-sku,exploited-flaw",
                                   "--write-fleet", written))
        second = succeeded(simulate("--fleet", written, "-s", "3", "-c",
                                    "bad-sku,exploited-flaw",
                                    "--write-fleet", again))
        assert first.out == second.out
        with open(written, "rb") as a, open(again, "rb") as b:
            assert a.read() == b.read()
        with open(written, newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == int(DEVICES)
        assert set(rows[0]) >= {"key", "sku", "region", "carrier", "revision",
                                "device_class", "link", "battery", "ring",
                                "bootloader", "os", "modem"}
        # JSON output agrees too; from standard input as well.
        with open(written, "rb") as f:
            data = f.read()
        a = succeeded(simulate("-n", DEVICES, "-s", "3", "-c", "bad-sku",
                               "--json")).json()
        b = succeeded(simulate("--fleet", "-", "-s", "3", "-c", "bad-sku",
                               "--json", stdin=data)).json()
        assert a == b


@check
def fleet_defaults():
    with Files() as files:
        fleet = files.write("f.csv", "sku,revision\n3,1\n7,0\n")
        out = files.path("out.csv")
        succeeded(simulate("--fleet", fleet, "-c", "noisy-good",
                           "--hours", "2", "--write-fleet", out))
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        key = succeeded(invoke([OTAPRIO, "key", "2"])).text.split()[0]
        assert rows[0]["key"] == key  # the row number as the id
        expected = {"sku": "3", "region": "0", "carrier": "0",
                    "revision": "1", "cluster": "10",
                    "device_class": "other", "customer_tier": "standard",
                    "uptime": "business", "link": "ethernet",
                    "redundant": "0", "metered": "0", "charging": "0",
                    "battery": "1", "free_bytes": "18446744073709551615",
                    "ring": "2", "bootloader": "2", "os": "12.0",
                    "modem": "2.0"}
        for column, value in expected.items():
            assert rows[0][column] == value, (column, rows[0][column])
        assert rows[1]["cluster"] == "21"
        # Names, numbers and ids as given.
        fleet = files.write("g.csv", "id,sku,device_class,link,os,battery\n"
                            "\"a,b\",0,9,wifi,13,0.5\n")
        succeeded(simulate("--fleet", fleet, "-c", "noisy-good", "--hours",
                           "2", "--write-fleet", out))
        with open(out, newline="") as f:
            row = next(csv.DictReader(f))
        key = succeeded(invoke([OTAPRIO, "key", "a,b"])).text.split()[0]
        assert row["key"] == key
        assert row["device_class"] == "medical"
        assert row["os"] == "13.0" and row["battery"] == "0.5"


FLEET_ERRORS = [
    ("id,sku\na,12\n", ["row 2, column 'sku'", "'12'", "0 to 11"]),
    ("id,sku,os\na,1,12.1\nb,1,14.0\n",
     ["row 3, column 'os'", "'14.0'", "12.0, 12.1, 13.0"]),
    ("id,sku,link\na,1,carrier-pigeon\n",
     ["row 2, column 'link'", "carrier-pigeon", "wifi"]),
    ("id,sku,battery\na,1,1.5\n", ["row 2, column 'battery'", "'1.5'"]),
    ("id,sku,metered\na,1,maybe\n", ["row 2, column 'metered'", "no flag"]),
    ("key,sku\nxyz,1\n", ["row 2, column 'key'", "hex"]),
    ("id,sku,region\na,1,\n", ["row 2, column 'region'", "empty"]),
    ("id,sku,colour\na,1,red\n", ["unknown column 'colour'", "known"]),
    ("id,os\na,12.0\n", ["no column 'sku'"]),
    ("id,key,sku\na,1,1\n", ["'key' and 'id'"]),
    ("id,sku,sku\na,1,1\n", ["'sku' appears more than once"]),
    ("id,sku\na,1\nb\n", ["row 3 has 1 field but the header has 2"]),
    ("id,sku\na,1,2\n", ["row 2 has more fields"]),
    ("id,sku\na,1\na,2\n", ["rows 2 and 3 are one device"]),
    ("id,sku\n", ["no devices"]),
    ("", ["empty input"]),
    ("id,sku\n\"a,1\n", ["malformed CSV"]),
]


@check
def fleet_errors():
    with Files() as files:
        for i, (content, needles) in enumerate(FLEET_ERRORS):
            path = files.write("bad%d.csv" % i, content)
            failed_with(simulate("--fleet", path), 1, [path] + needles)
        failed_with(simulate("--fleet", files.path("none.csv")), 1,
                    ["cannot open the fleet file"])
        path = files.write("ok.csv", "sku\n1\n")
        failed_with(simulate("--fleet", path, "--devices", "10"), 2,
                    ["--fleet excludes --devices"])
        failed_with(simulate("-n", "100", "--write-fleet",
                             files.path("no/dir.csv")), 1,
                    ["cannot create"])
        failed_with(simulate("--fleet"), 2, ["--fleet"])


# ---- scenarios as JSON ------------------------------------------------------

BAD_SKU = {
    "name": "bad-sku",
    "summary": "a bad update that triples boot failures on one SKU "
               "(about 5% of the fleet)",
    "issue": {"issue_class": "stability", "layer": "os", "ab_slot": True,
              "uptime_loss": "moderate", "package_bytes": 400000000},
    "bad": True,
    "truth": {"boot_rate": 2e-4, "boot_factor": 1, "bad_sku": 7,
              "bad_sku_factor": 3.0, "install_failure": 0.01,
              "drain_rate": 1e-3, "drain_factor": 1, "drain_after": 0,
              "day_night": 0.3},
}

# Left-out truth: a good update's, as the built-ins start from.
BATTERY_DRAIN = {
    "name": "battery-drain",
    "summary": "a slow battery-drain regression that shows only after "
               "48 hours",
    "issue": {"issue_class": "performance", "layer": "os", "ab_slot": True,
              "package_bytes": 400000000},
    "delayed": ["battery"],
    "bad": True,
    "truth": {"drain_factor": 3.0, "drain_after": 48.0},
}

EXPLOITED = {
    "name": "exploited-flaw",
    "summary": "an actively exploited remote flaw in a shared component",
    "issue": {"issue_class": "security", "layer": "os", "ab_slot": True,
              "security_impact": "high", "attack_path": "remote",
              "exploit": "active", "automatable": True,
              "package_bytes": 400000000},
    "exploited": True,
}


@check
def scenario_file_matches_the_built_in():
    with Files() as files:
        for scenario in (BAD_SKU, BATTERY_DRAIN, EXPLOITED):
            path = files.write(scenario["name"] + ".json", scenario)
            for form in ([], ["--json"]):
                built_in = succeeded(simulate("-n", DEVICES, "-c",
                                              scenario["name"], *form))
                loaded = succeeded(simulate("-n", DEVICES,
                                            "--scenario-file", path, *form))
                assert built_in.out == loaded.out, scenario["name"]
        # With built-ins named too, both run, in command-line order.
        path = files.path("bad-sku.json")
        r = succeeded(simulate("-n", "5000", "--scenario-file", path, "-c",
                               "noisy-good", "--json")).json()
        assert [s["name"] for s in r["scenarios"]] == ["bad-sku",
                                                       "noisy-good"]
        # From standard input, the summary defaults to where it came from.
        r = succeeded(simulate("-n", "5000", "--scenario-file", "-",
                               "--json", "--hours", "4",
                               stdin=b'{"name": "mine"}')).json()
        assert r["scenarios"][0]["name"] == "mine"
        assert r["scenarios"][0]["summary"] == "read from standard input"


SCENARIO_ERRORS = [
    ({"name": "x", "truth": {"boot_rate": -1}},
     ["key 'truth': key 'boot_rate'", "-1 is out of range"]),
    ({"name": "x", "truth": {"day_night": 1.5}},
     ["key 'day_night'", "1.5 is out of range"]),
    ({"name": "x", "truth": {"bad_sku": 12}},
     ["key 'bad_sku'", "12", "-1 for none"]),
    ({"name": "x", "truth": {"boot_rate": "high"}},
     ["key 'boot_rate'", "expected a number, got a string"]),
    ({"name": "x", "truth": {"colour": 1}},
     ["unknown key 'colour' in the truth", "boot_rate"]),
    ({"name": "x", "truth": [1]}, ["key 'truth'", "got an array"]),
    ({"name": "x", "issue": {"layer": "moon"}},
     ["key 'issue': key 'layer'", "'moon'", "baseband"]),
    ({"name": "x", "issue": {"has_epss": True}},
     ["key 'issue'", "has_epss"]),
    ({"name": "x", "delayed": ["battery", "sun"]},
     ["key 'delayed', element 1", "'sun'", "thermal"]),
    ({"name": "x", "delayed": "battery"},
     ["key 'delayed'", "expected an array of delayed failure names",
      "got a string"]),
    ({"name": "x", "bad": 1}, ["key 'bad'", "true or false"]),
    ({"name": "", "bad": True}, ["key 'name'", "empty"]),
    ({"name": 3}, ["key 'name'", "string"]),
    ({"summary": "no name"}, ["no 'name'"]),
    ({"name": "x", "colour": 1},
     ["unknown key 'colour' in the scenario", "truth"]),
    ([1, 2], ["must be a JSON object"]),
]


@check
def scenario_file_errors():
    with Files() as files:
        for i, (content, needles) in enumerate(SCENARIO_ERRORS):
            path = files.write("bad%d.json" % i, content)
            failed_with(simulate("-n", "2000", "--scenario-file", path), 1,
                        [path] + needles)
        path = files.write("broken.json", '{"name": "x",')
        failed_with(simulate("-n", "2000", "--scenario-file", path), 1,
                    ["invalid scenario JSON"])
        failed_with(simulate("-n", "2000", "--scenario-file",
                             files.path("none.json")), 1,
                    ["cannot open the scenario file"])
        failed_with(simulate("--scenario-file"), 2, ["--scenario-file"])
        path = files.write("ok.json", {"name": "x"})
        failed_with(simulate("--scenario-file", path, "--nonsense"), 2,
                    ["nonsense"])
        # Seventeen scenarios are more than a run takes.
        failed_with(simulate(*(["--scenario-file", path] * 17)), 2,
                    ["too many scenarios"])
        # Built-ins count the same, however they are named.
        failed_with(simulate("-c", ",".join(["bad-sku"] * 17)), 2,
                    ["too many scenarios"])
        failed_with(simulate(*(["-c", "bad-sku"] * 8), *(["--scenario-file",
                                                         path] * 9)), 2,
                    ["too many scenarios"])


@check
def help_names_the_options():
    r = succeeded(invoke([OTAPRIO, "simulate", "--help"]))
    for option in ("--html", "--fleet", "--write-fleet", "--scenario-file"):
        assert option in r.text, option


if __name__ == "__main__":
    sys.exit(check.main())
