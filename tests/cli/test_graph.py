#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of `otaprio graph`.

Usage: test_graph.py OTAPRIO EXAMPLE_CATALOG

OTAPRIO is the built executable, EXAMPLE_CATALOG examples/catalog.json.
Standard library only. The expected answers were worked out by hand from
the rules otaprio/graph.h documents (the package graph's edges, Kahn's
order with a first-in first-out queue, impact marks, the update path's
tie-breaking), and are written out below with the reasoning; small
catalogs built here isolate one rule each. Then every error path.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from cli_harness import Checks, Command, Files, Skip, arguments, failed_with

OTAPRIO, EXAMPLE = arguments(__doc__, 2)

MIB = 1024 * 1024

# ---- the example catalog, by hand -------------------------------------------

# Package ids are positions in the file.
EXAMPLE_PACKAGES = [
    "bootloader-2.4",     # 0
    "bootloader-3.0",     # 1
    "modem-fw-2.4-eu",    # 2
    "modem-fw-2.4-us",    # 3
    "os-11.1-delta",      # 4
    "os-11.2-delta",      # 5
    "os-12.0-delta",      # 6
    "os-12.0-full",       # 7
    "mdm-policy-2024.2",  # 8
    "legacy-vpn-2.0",     # 9
    "kiosk-app-5.0",      # 10
    "kiosk-app-5.1",      # 11
]

# Edges p -> q: q requires a version p provides, and no package provides a
# lower version the requirement admits.
#   bootloader-3.0 needs bootloader [2.4, 3.0): bootloader-2.4 gives 2.4
#   modems, os-12.0-* need bootloader >= 3.0: bootloader-3.0
#   os-11.2-delta needs os = 11.1, os-12.0-delta os = 11.2: the deltas
#   kiosk-app-5.0 needs os >= 12.0 and libssl >= 3.0: both os-12.0-*
#   (same lowest version), and mdm-policy >= 2024.2
#   kiosk-app-5.1 needs kiosk-app [5.0, 5.1): kiosk-app-5.0
EXAMPLE_EDGES = {
    (0, 1), (1, 2), (1, 3), (4, 5), (5, 6), (1, 6), (1, 7),
    (6, 10), (7, 10), (8, 10), (10, 11),
}

# Kahn with a FIFO queue seeded with the sources in id order [0, 4, 8, 9],
# successors in ascending id order:
#   0 -> frees 1; 4 -> frees 5; 8; 9; 1 -> frees 2, 3, 7 (6 still waits
#   on 5); 5 -> frees 6; 2; 3; 7; 6 -> frees 10; 10 -> frees 11; 11.
EXAMPLE_ORDER = [EXAMPLE_PACKAGES[i] for i in
                 (0, 4, 8, 9, 1, 5, 2, 3, 7, 6, 10, 11)]

# A device ready for the kiosk app but for the OS and the MDM policy.
KIOSK_DEVICE = "bootloader=3.0, os=11.2, libssl=1.1.1w, mdm-policy=2023.4"


# ---- harness ----------------------------------------------------------------


# run, ok and fails, as every command's script has them.
COMMAND = Command(OTAPRIO, "graph")
run, ok, fails = COMMAND.run, COMMAND.ok, COMMAND.fails


def ex(*args, **kwargs):
    """Runs a query on the example catalog."""
    return ok("--catalog", EXAMPLE, *args, **kwargs)


def ex_json(*args, **kwargs):
    return ex("--json", *args, **kwargs).json()


def catalog_run(catalog, *args, expect=0, needles=()):
    """Runs `graph --catalog FILE ARGS` on a catalog given as a dict (or
    raw bytes): the JSON answers when it must succeed, else the Result."""
    with Files() as f:
        path = f.write("catalog.json", catalog)
        if expect == 0:
            return ok("--catalog", path, "--json", *args).json()
        r = fails(expect, [n.replace("FILE", path) for n in needles],
                  "--catalog", path, *args)
        return r


def lines(r):
    text = r.text
    assert text.endswith("\n"), r
    return text[:-1].split("\n")


test = Checks()


# ---- help -------------------------------------------------------------------


@test
def help_texts():
    r = subprocess.run([OTAPRIO, "--help"], capture_output=True, check=True)
    assert b"  graph " in r.stdout, r.stdout
    usage = ok("--help").out
    assert usage.startswith(b"Usage: otaprio graph"), usage
    assert ok("-h").out == usage
    r = subprocess.run([OTAPRIO, "help", "graph"], capture_output=True)
    assert r.returncode == 0 and r.stdout == usage and r.stderr == b"", r
    for word in (b"--catalog", b"--order", b"--cycles", b"--impact",
                 b"--device", b"--target", b"--carrier", b"--region",
                 b"--enrollment", b"--battery", b"--charging",
                 b"--free-bytes", b"--metered", b"--max-states", b"--fleet",
                 b"--json", b"requires", b"conflicts", b"provides",
                 b"denied_regions", b"numbered", b"Exit status"):
        assert word in usage, word


# ---- release order ----------------------------------------------------------


@test
def example_order_text():
    r = ex("--order")
    assert lines(r) == ["release order:"] + ["  " + n for n in EXAMPLE_ORDER]
    # With no question, the release order.
    assert ex().out == r.out
    assert ex("-o").out == r.out


@test
def example_order_json_respects_every_edge():
    order = ex_json("--order")["order"]
    assert order == EXAMPLE_ORDER, order
    place = {name: i for i, name in enumerate(order)}
    for p, q in EXAMPLE_EDGES:
        assert place[EXAMPLE_PACKAGES[p]] < place[EXAMPLE_PACKAGES[q]], (p, q)
    assert sorted(order) == sorted(EXAMPLE_PACKAGES)


@test
def order_does_not_depend_on_the_key_order_of_the_file():
    with open(EXAMPLE, "rb") as f:
        doc = json.load(f)
    shuffled = {"packages": doc["packages"], "versions": doc["versions"],
                "components": doc["components"]}
    assert catalog_run(shuffled, "--order")["order"] == EXAMPLE_ORDER


@test
def catalog_from_stdin():
    with open(EXAMPLE, "rb") as f:
        data = f.read()
    r = ok("--catalog", "-", "--order", stdin=data)
    assert r.out == ex("--order").out


@test
def empty_catalog():
    doc = catalog_run({"packages": []}, "--order", "--cycles")
    assert doc == {"order": [], "cycles": []}, doc
    with Files() as f:
        r = ok("-c", f.write("c.json", {"packages": []}), "--order",
               "--cycles")
    assert lines(r) == ["release order: no packages", "", "cycles: none"], r


# Two packages that each provide what the other requires.
CYCLE = {
    "components": ["x", "y"],
    "packages": [
        {"name": "a", "requires": [["x", ">= 1"]], "provides": [["y", "1"]]},
        {"name": "b", "requires": [["y", ">= 1"]], "provides": [["x", "1"]]},
        {"name": "c", "requires": [["y", ">= 1"]]},
    ],
}


@test
def cycle_fails_the_order_and_is_named():
    for args in (["--order"], [], ["--order", "--json"]):
        r = catalog_run(CYCLE, *args, expect=1,
                        needles=["FILE", "no release order", "cycle",
                                 "--cycles"])
        m = re.search(r"cycle: (a|b) -> (a|b) -> (a|b) ", r.err)
        assert m and m.group(1) == m.group(3) != m.group(2), r


# Two groups, one leading to the other although the file lists it later:
#   a <-> b (x, y); a gives p to c; c -> d -> e -> c (r, s, u); c gives r
#   to f; g stands alone.
CYCLES = {
    "components": ["p", "q", "r", "s", "u", "t"],
    "packages": [
        {"name": "c", "requires": [["p", ">= 1"], ["u", ">= 1"]],
         "provides": [["r", "1"]]},
        {"name": "d", "requires": [["r", ">= 1"]], "provides": [["s", "1"]]},
        {"name": "e", "requires": [["s", ">= 1"]], "provides": [["u", "1"]]},
        {"name": "f", "requires": [["r", ">= 1"]], "provides": [["t", "1"]]},
        {"name": "g"},
        {"name": "a", "requires": [["q", ">= 1"]], "provides": [["p", "1"]]},
        {"name": "b", "requires": [["p", ">= 1"]], "provides": [["q", "1"]]},
    ],
}
CYCLES_EDGES = {("a", "b"), ("b", "a"), ("a", "c"), ("c", "d"), ("d", "e"),
                ("e", "c"), ("c", "f")}


@test
def cycles_listing():
    # Groups in the topological order of the condensation, names in
    # catalog order within each; singletons are no cycle.
    doc = catalog_run(CYCLES, "--cycles")
    assert doc == {"cycles": [["a", "b"], ["c", "d", "e"]]}, doc
    with Files() as f:
        r = ok("-c", f.write("c.json", CYCLES), "--cycles")
    assert lines(r) == [
        "cycles: 2 groups of mutually dependent packages",
        "  a, b",
        "  c, d, e",
    ], r
    assert ex_json("--cycles") == {"cycles": []}
    assert lines(ex("--cycles")) == ["cycles: none"]


@test
def cycle_named_is_a_real_cycle():
    r = catalog_run(CYCLES, "--order", expect=1, needles=["no release order"])
    m = re.search(r"cycle: ((?:\S+ -> )+\S+) \(", r.err)
    assert m, r
    names = m.group(1).split(" -> ")
    assert names[0] == names[-1] and len(set(names)) == len(names) - 1, names
    for u, v in zip(names, names[1:]):
        assert (u, v) in CYCLES_EDGES, (u, v, r)


# ---- impact -----------------------------------------------------------------


@test
def impact_of_a_shared_library():
    # libssl 3.0.8 and 3.0.13 are flawed. The os-12.0 packages provide
    # 3.0.13 and kiosk-app-5.0 requires libssl >= 3.0, which admits both:
    # direct. kiosk-app-5.1 depends on kiosk-app-5.0: inherited.
    doc = ex_json("--impact", "libssl:>= 3.0, < 3.0.14")
    assert doc == {"impact": [{
        "component": "libssl",
        "constraint": ">= 3.0, < 3.0.14",
        "count": 4,
        "packages": [
            {"name": "os-12.0-delta", "mark": "direct"},
            {"name": "os-12.0-full", "mark": "direct"},
            {"name": "kiosk-app-5.0", "mark": "direct"},
            {"name": "kiosk-app-5.1", "mark": "inherited"},
        ],
        "families": ["gateway-g2", "kiosk-k5"],
    }]}, doc
    r = ex("-i", "libssl:>= 3.0, < 3.0.14")
    assert lines(r) == [
        "impact of libssl >= 3.0, < 3.0.14: 4 packages, 2 product families",
        "  direct     os-12.0-delta",
        "  direct     os-12.0-full",
        "  direct     kiosk-app-5.0",
        "  inherited  kiosk-app-5.1",
        "  family     gateway-g2",
        "  family     kiosk-k5",
    ], r


@test
def impact_stops_at_a_cure():
    # bootloader < 3.0: bootloader-2.4 provides 2.4, a flawed version:
    # direct. bootloader-3.0 requires a flawed version but replaces it with
    # 3.0, so it cures the flaw, and what follows it (the modem images,
    # the OS 12 packages, the kiosk apps) runs on the cured bootloader.
    doc = ex_json("--impact", "bootloader:< 3.0")["impact"][0]
    marks = {p["name"]: p["mark"] for p in doc["packages"]}
    assert marks == {"bootloader-2.4": "direct"}, marks
    assert doc["count"] == 1 and doc["families"] == ["gateway-g2"], doc


@test
def impact_nothing_hit_and_repeated():
    # libssl 1.1.1t is on devices, but no package provides or needs it.
    doc = ex_json("-i", "libssl:< 1.1.1w", "-i", "mdm-policy:*", "--order")
    assert doc["order"] == EXAMPLE_ORDER
    none, mdm = doc["impact"]
    assert none["count"] == 0 and none["packages"] == [] and \
        none["families"] == [], none
    # Every policy version is flawed: the package that provides one and
    # the app whose requirement admits one are hit directly.
    assert mdm["packages"] == [
        {"name": "mdm-policy-2024.2", "mark": "direct"},
        {"name": "kiosk-app-5.0", "mark": "direct"},
        {"name": "kiosk-app-5.1", "mark": "inherited"},
    ], mdm
    assert mdm["families"] == ["kiosk-k5"], mdm
    r = ex("-i", "libssl:< 1.1.1w")
    assert lines(r) == [
        "impact of libssl < 1.1.1w: 0 packages, 0 product families"], r


@test
def impact_argument_errors():
    fails(1, ["--impact", "no component 'openssl'", "libssl", EXAMPLE],
          "-c", EXAMPLE, "--impact", "openssl:< 3")
    fails(2, ["bad --impact 'libssl'", "COMPONENT:CONSTRAINT"],
          "-c", EXAMPLE, "--impact", "libssl")
    fails(2, ["must not be empty"], "-c", EXAMPLE, "--impact", ":< 3")
    fails(2, ["must not be empty"], "-c", EXAMPLE, "--impact", "libssl: ")
    r = fails(2, ["bad --impact constraint '>= 3..0' at byte"],
              "-c", EXAMPLE, "--impact", "libssl:>= 3..0")
    # Checked before any file is read.
    fails(2, ["bad --impact constraint"], "-c", "/nonexistent/catalog.json",
          "--impact", "libssl:>> 3")
    fails(2, ["bad --impact constraint '> 2, < 1'"], "-c", EXAMPLE,
          "--impact", "libssl:> 2, < 1")
    assert r.out == b""


# ---- a device and a target --------------------------------------------------


@test
def device_needs_os_and_policy_delta_wins_by_download():
    # kiosk-app-5.0 fails relation 0 (os >= 12.0) first; its policy and
    # libssl requirements fail too. Two steps are needed: os 12.0 (the
    # delta, 60 MiB, or the full image, 300 MiB) and the MDM policy. The
    # smaller download wins; of the two orders with equal downloads, the
    # smaller ids come first: os-12.0-delta (6), then mdm-policy (8).
    doc = ex_json("--device", KIOSK_DEVICE, "--target", "kiosk-app-5.0",
                  "--region", "eu", "--enrollment", "supervised")
    assert doc == {"device": {
        "target": "kiosk-app-5.0",
        "installed": {"bootloader": "3.0", "os": "11.2",
                      "libssl": "1.1.1w", "mdm-policy": "2023.4"},
        "eligible": False,
        "blocks": ["requirement"],
        "first_failed": {"relation": 0, "kind": "requires",
                         "component": "os", "text": ">= 12.0",
                         "installed": "11.2"},
        "path": {
            "length": 2,
            "steps": [
                {"package": "os-12.0-delta", "download_bytes": 60 * MIB},
                {"package": "mdm-policy-2024.2", "download_bytes": 65536},
            ],
            "download_bytes": 60 * MIB + 65536,
            "target_download_bytes": 100 * MIB,
        },
        "no_path": None,
    }}, doc
    r = ex("--device", KIOSK_DEVICE, "--target", "kiosk-app-5.0", "--region",
           "eu", "--enrollment", "supervised")
    assert lines(r) == [
        "device and target kiosk-app-5.0:",
        "  installed:     bootloader 3.0, os 11.2, libssl 1.1.1w, "
        "mdm-policy 2023.4",
        "  eligible now:  no",
        "  blocks:        requirement",
        "  first failed:  relation 0, requires os >= 12.0 (installed: 11.2)",
        "  update path:   2 steps, %d bytes to download, then "
        "kiosk-app-5.0 (%d bytes)" % (60 * MIB + 65536, 100 * MIB),
        "    1  os-12.0-delta      %d bytes" % (60 * MIB),
        "    2  mdm-policy-2024.2  65536 bytes",
    ], r


@test
def device_fewest_steps_beat_download():
    # On os 11.0 with bootloader 2.1: bootloader 2.4 then 3.0 (each needs
    # the one before), and os 12.0 in one step (the full image) rather
    # than three deltas, then the policy: 4 steps, the smallest ids
    # first among the orders the requirements allow.
    doc = ex_json("-d", "bootloader=2.1,os=11.0,libssl=1.1.1t",
                  "-t", "kiosk-app-5.0", "--region", "us",
                  "--enrollment", "managed")["device"]
    path = doc["path"]
    assert [s["package"] for s in path["steps"]] == [
        "bootloader-2.4", "bootloader-3.0", "os-12.0-full",
        "mdm-policy-2024.2"], doc
    assert path["length"] == 4, path
    assert path["download_bytes"] == (3 + 4 + 300) * MIB + 65536, path
    # Not installed: mdm-policy.
    assert doc["first_failed"]["relation"] == 0, doc


@test
def device_settings_add_up_and_versions_by_value():
    # Repeated --device options add up; versions are found by value.
    a = ex_json("-d", "bootloader=3.0", "-d", "os=v11.2.0",
                "-d", "libssl=1.1.1w,mdm-policy=2023.4", "-t",
                "kiosk-app-5.0", "--region", "eu", "--enrollment",
                "supervised")["device"]
    b = ex_json("-d", KIOSK_DEVICE, "-t", "kiosk-app-5.0", "--region", "eu",
                "--enrollment", "supervised")["device"]
    assert a == b, (a, b)


@test
def device_eligible_now():
    doc = ex_json("-d", "bootloader=3.0,os=12.0,libssl=3.0.13,"
                  "mdm-policy=2024.2", "-t", "kiosk-app-5.0", "--region",
                  "eu")["device"]
    assert doc["eligible"] is True and doc["blocks"] == [], doc
    assert doc["first_failed"] is None, doc
    assert doc["path"]["length"] == 0 and doc["path"]["steps"] == [], doc
    assert doc["path"]["download_bytes"] == 0, doc
    r = ex("-d", "bootloader=3.0,os=12.0,libssl=3.0.13,mdm-policy=2024.2",
           "-t", "kiosk-app-5.0", "--region", "eu")
    assert "  eligible now:  yes" in lines(r), r
    assert "  update path:   none needed: it can install kiosk-app-5.0 now" \
        in lines(r), r
    assert "blocks" not in r.text and "first failed" not in r.text, r


@test
def device_blocked_by_predicates_has_no_path():
    # modem-fw-2.4-eu: bootloader >= 3.0, carriers vodafone, orange,
    # telefonica, region eu, no metered link, battery 0.3 unless charging.
    args = ["-d", "bootloader=2.4", "-t", "modem-fw-2.4-eu", "--carrier",
            "att", "--region", "us", "--battery", "0.1", "--metered"]
    doc = ex_json(*args)["device"]
    assert doc["blocks"] == ["requirement", "carrier", "region", "battery",
                             "metered"], doc
    assert doc["first_failed"] == {
        "relation": 0, "kind": "requires", "component": "bootloader",
        "text": ">= 3.0", "installed": "2.4"}, doc
    # No package cures a carrier: the reason is the library's.
    assert doc["path"] is None and doc["no_path"], doc
    r = ex(*args)
    assert "  blocks:        requirement, carrier, region, battery, " \
        "metered" in lines(r), r
    assert re.search(r"^  update path:   none: \S", r.text, re.M), r
    # Charging lifts the battery rule; the same device in the EU on
    # Vodafone, off the metered link, needs only the bootloader.
    doc = ex_json("-d", "bootloader=2.4", "-t", "modem-fw-2.4-eu",
                  "--carrier", "vodafone", "--region", "eu", "--battery",
                  "0.1", "--charging")["device"]
    assert doc["blocks"] == ["requirement"], doc
    assert [s["package"] for s in doc["path"]["steps"]] == [
        "bootloader-3.0"], doc


@test
def device_without_predicates_is_unknown():
    # No --carrier: the modem's carrier rule refuses an unknown carrier;
    # the region likewise. Storage: 100 MiB needed.
    doc = ex_json("-d", "bootloader=3.0", "-t", "modem-fw-2.4-us",
                  "--free-bytes", "1000")["device"]
    assert doc["blocks"] == ["carrier", "region", "storage"], doc
    assert doc["first_failed"] is None, doc


@test
def device_conflict_current_and_legal():
    ready = "bootloader=3.0,os=12.0,libssl=3.0.13,mdm-policy=2024.2"
    # legacy-vpn < 2.0 conflicts: relation 3 (three requires before it).
    # Upgrading legacy-vpn to 2.0 lifts it.
    doc = ex_json("-d", ready + ",legacy-vpn=1.0", "-t", "kiosk-app-5.0",
                  "--region", "eu")["device"]
    assert doc["blocks"] == ["conflict"], doc
    assert doc["first_failed"] == {
        "relation": 3, "kind": "conflicts", "component": "legacy-vpn",
        "text": "< 2.0", "installed": "1.0"}, doc
    assert [s["package"] for s in doc["path"]["steps"]] == [
        "legacy-vpn-2.0"], doc
    # Already on a higher version of what it provides: nothing to
    # install, and yet not eligible.
    current = ["-d", ready + ",kiosk-app=5.0", "-t", "kiosk-app-5.0",
               "--region", "eu"]
    doc = ex_json(*current)["device"]
    assert doc["blocks"] == ["current"], doc
    assert doc["eligible"] is False and doc["first_failed"] is None, doc
    assert doc["path"]["length"] == 0, doc
    assert lines(ex(*current))[-1] == "  update path:   none needed for " \
        "its relations, but still blocked: current", doc
    # A region where the app may not ship, and an unknown region.
    for region in (["--region", "cn"], []):
        doc = ex_json("-d", ready, "-t", "kiosk-app-5.0", *region)["device"]
        assert doc["blocks"] == ["legal"], (region, doc)
        assert doc["path"] is None, doc


@test
def device_first_failed_not_installed():
    r = ex("-d", "", "-t", "kiosk-app-5.1", "--region", "eu")
    assert "  installed:     nothing the catalog names" in lines(r), r
    assert "  first failed:  relation 0, requires kiosk-app >= 5.0, < 5.1 " \
        "(not installed)" in lines(r), r
    doc = ex_json("-d", "", "-t", "kiosk-app-5.1", "--region", "eu")
    assert doc["device"]["first_failed"]["installed"] is None, doc


@test
def device_no_path_without_enrollment():
    # The MDM policy needs an enrollment state; an unknown one fails it,
    # and nothing else provides the policy the app requires.
    doc = ex_json("-d", KIOSK_DEVICE, "-t", "kiosk-app-5.0", "--region",
                  "eu")["device"]
    assert doc["path"] is None and doc["no_path"], doc


@test
def device_max_states():
    # One state examined is not enough to find a two-step path.
    r = run("-c", EXAMPLE, "-d", KIOSK_DEVICE, "-t", "kiosk-app-5.0",
            "--region", "eu", "--enrollment", "supervised",
            "--max-states", "1")
    failed_with(r, 1, ["--max-states"])
    assert r.out == b"", r
    ex("-d", KIOSK_DEVICE, "-t", "kiosk-app-5.0", "--region", "eu",
       "--enrollment", "supervised", "--max-states", "100000")


@test
def device_unknown_predicate_name_warns():
    r = run("-c", EXAMPLE, "-d", "bootloader=3.0", "-t", "modem-fw-2.4-us",
            "--carrier", "tmobile", "--region", "us")
    assert r.rc == 0, r
    assert "warning" in r.err and "'tmobile'" in r.err, r
    assert "  blocks:        carrier" in r.text, r


# Rules of the update path, one at a time:
#   x: x-big (20 bytes), x-small-a and x-small-b (10 each), all x 1
#   y: y-step1 then y-step2 (1 byte each, y 1 then 2), or y-full (100, y 2)
TIE = {
    "components": ["x", "y"],
    "packages": [
        {"name": "x-big", "download_bytes": 20, "provides": [["x", "1"]]},
        {"name": "x-small-a", "download_bytes": 10,
         "provides": [["x", "1"]]},
        {"name": "x-small-b", "download_bytes": 10,
         "provides": [["x", "1"]]},
        {"name": "y-step1", "download_bytes": 1, "provides": [["y", "1"]]},
        {"name": "y-step2", "download_bytes": 1, "requires": [["y", "= 1"]],
         "provides": [["y", "2"]]},
        {"name": "y-full", "download_bytes": 100, "provides": [["y", "2"]]},
        {"name": "target", "download_bytes": 5,
         "requires": [["x", ">= 1"], ["y", ">= 2"]]},
    ],
}


def tie_path(catalog, device=""):
    doc = catalog_run(catalog, "-d", device, "-t", "target")["device"]
    return [s["package"] for s in doc["path"]["steps"]], \
        doc["path"]["download_bytes"]


@test
def update_path_tie_breaking():
    # Fewest steps first: y-full (one step, 100 bytes) beats the two
    # 1-byte steps. Then the smallest download: x-small-a or -b beat
    # x-big. Then the smallest id sequence: x-small-a (1) before
    # x-small-b (2), and [1, 5] before [5, 1].
    assert tie_path(TIE) == (["x-small-a", "y-full"], 110)
    # Swap the two small ones: the earlier in the file wins again.
    swapped = json.loads(json.dumps(TIE))
    p = swapped["packages"]
    p[1], p[2] = p[2], p[1]
    assert tie_path(swapped) == (["x-small-b", "y-full"], 110)
    # With y 1 installed, y-step2 is one step and smaller than y-full.
    assert tie_path(TIE, "y=1") == (["x-small-a", "y-step2"], 11)
    # Already at x 1: only y remains.
    assert tie_path(TIE, "x=1,y=1") == (["y-step2"], 1)


# ---- fleet ------------------------------------------------------------------

FLEET_HEADER = "id,bootloader,os,libssl,mdm-policy,legacy-vpn,kiosk-app,region"
FLEET_ROWS = [
    "k1,3.0,12.0,3.0.13,2024.2,,,eu",     # eligible
    "k2,3.0,11.2,1.1.1w,2023.4,,,eu",     # os (relation 0)
    "k3,3.0,12.0,3.0.13,2023.4,,,eu",     # policy (relation 1)
    "k4,3.0,12.0,3.0.13,2024.2,1.0,,eu",  # conflict (relation 3)
    "k5,3.0,12.0,3.0.13,2024.2,,5.0,eu",  # current
    "k6,3.0,12.0,3.0.13,2024.2,,,cn",     # legal
    "k7,3.0,12.0,1.1.1w,2024.2,,,",       # libssl (relation 2), legal
]
FLEET = "\n".join([FLEET_HEADER] + FLEET_ROWS) + "\n"


@test
def fleet_counts():
    with Files() as f:
        fleet = f.write("fleet.csv", FLEET)
        doc = ok("-c", EXAMPLE, "--fleet", fleet, "-t", "kiosk-app-5.0",
                 "-i", "libssl:>= 3.0, < 3.0.14", "--json").json()
    assert set(doc) == {"impact", "fleet"}, doc
    fleet_doc = doc["fleet"]
    assert fleet_doc["devices"] == 7 and fleet_doc["file"] == fleet, doc
    target = fleet_doc["target"]
    assert target["name"] == "kiosk-app-5.0", target
    assert target["eligible"] == 1 and target["blocked"] == 6, target
    blocks = target["blocks"]
    assert {k: v for k, v in blocks.items() if v} == {
        "requirement": 3, "conflict": 1, "current": 1, "legal": 2}, blocks
    # Every block the library names is a key, counted or not.
    for name in ("requirement", "conflict", "carrier", "region", "legal",
                 "enrollment", "battery", "storage", "metered", "current"):
        assert name in blocks, name
    assert [(r["relation"], r["component"], r["devices"])
            for r in target["first_failed"]] == [
        (0, "os", 1), (1, "mdm-policy", 1), (2, "libssl", 1),
        (3, "legacy-vpn", 1)], target
    # Devices on a flawed libssl: direct; k7 runs os 12.0, which the hit
    # os-12.0 packages provide, on a good libssl: inherited.
    assert fleet_doc["impact"] == [{
        "component": "libssl", "constraint": ">= 3.0, < 3.0.14",
        "direct": 5, "inherited": 1}], fleet_doc


@test
def fleet_text_and_stdin():
    r = ex("--fleet", "-", "-t", "kiosk-app-5.0", stdin=FLEET.encode())
    assert lines(r) == [
        "fleet standard input: 7 devices",
        "  target kiosk-app-5.0: 1 eligible, 6 blocked",
        "    requirement   3",
        "    conflict      1",
        "    legal         2",
        "    current       1",
        "  first failed relations:",
        "    relation 0, requires os >= 12.0: 1 device",
        "    relation 1, requires mdm-policy >= 2024.2: 1 device",
        "    relation 2, requires libssl >= 3.0: 1 device",
        "    relation 3, conflicts legacy-vpn < 2.0: 1 device",
    ], r


@test
def fleet_predicates_and_chunks():
    # More devices than one chunk (4096), all columns, spaces around values.
    header = ("id, bootloader, carrier, region, battery, charging, "
              "free_bytes, metered, enrollment\n")
    rows = []
    for i in range(5000):
        # Every fifth on a metered link, every seventh on AT&T.
        rows.append("d%d, 3.0, %s, eu, 0.9, 0, 1000000000000, %d, managed\n"
                    % (i, "att" if i % 7 == 0 else "vodafone",
                       1 if i % 5 == 0 else 0))
    doc = ex_json("--fleet", "-", "-t", "modem-fw-2.4-eu",
                  stdin=(header + "".join(rows)).encode())
    target = doc["fleet"]["target"]
    metered = sum(1 for i in range(5000) if i % 5 == 0)
    att = sum(1 for i in range(5000) if i % 7 == 0)
    both = sum(1 for i in range(5000) if i % 35 == 0)
    assert doc["fleet"]["devices"] == 5000, doc
    assert target["blocks"]["metered"] == metered, target
    assert target["blocks"]["carrier"] == att, target
    assert target["eligible"] == 5000 - metered - att + both, target
    assert target["first_failed"] == [], target


@test
def fleet_impact_only():
    doc = ex_json("--fleet", "-", "-i", "os:< 12", stdin=FLEET.encode())
    assert "target" not in doc["fleet"], doc
    # k2 runs os 11.2 (flawed). os-12.0-delta requires it but cures it, so
    # os 12.0 on the others is clean; k7 still runs libssl 1.1.1w, which
    # the flawed os-11.2-delta provides.
    assert doc["fleet"]["impact"] == [{
        "component": "os", "constraint": "< 12", "direct": 1,
        "inherited": 1}], doc


@test
def fleet_errors():
    def fleet_fails(data, needles, *extra):
        return fails(1, needles, "-c", EXAMPLE, "--fleet", "-", "-t",
                     "kiosk-app-5.0", *extra, stdin=data.encode())

    fleet_fails("id,os,firmware\n", ["standard input",
                                     "unknown column 'firmware'",
                                     "bootloader", "--ignore-unknown-columns"])
    ok("-c", EXAMPLE, "--fleet", "-", "-t", "kiosk-app-5.0",
       "--ignore-unknown-columns", stdin=b"id,os,firmware\na,12.0,x\n")
    fleet_fails("os,os\n", ["column 'os' appears more than once"])
    fleet_fails("region,region\n", ["column 'region' appears more than once"])
    fleet_fails("id,os\na,12.0\nb,13.5\n",
                ["row 3, column 'os'", "'13.5'", "\"versions\""])
    fleet_fails("id,os\na,12..0\n", ["row 2, column 'os'", "malformed",
                                     "byte"])
    fleet_fails("id,battery\na,1.5\n", ["row 2, column 'battery'", "0 to 1"])
    fleet_fails("id,metered\na,maybe\n", ["row 2, column 'metered'", "flag"])
    fleet_fails("id,free_bytes\na,-1\n", ["row 2, column 'free_bytes'"])
    fleet_fails("id,os\na\n", ["row 2 has 1 field but the header has 2"])
    fleet_fails("id,os\na,12.0,2\n", ["row 2 has more fields"])
    fleet_fails("", ["empty input"])
    fleet_fails('id\n"a\n', ["malformed CSV"])
    fails(1, ["cannot open the fleet file", "/nonexistent/f.csv"],
          "-c", EXAMPLE, "--fleet", "/nonexistent/f.csv", "-t",
          "kiosk-app-5.0")


# ---- catalog errors ---------------------------------------------------------


def catalog_fails(catalog, needles, *args):
    return catalog_run(catalog, *(args or ("--order",)), expect=1,
                       needles=needles)


@test
def catalog_file_errors():
    fails(1, ["cannot open the catalog file", "/nonexistent/c.json",
              os.strerror(2)], "-c", "/nonexistent/c.json")
    catalog_fails(b'{"packages": [\n  {"name": "a",}\n]}',
                  ["FILE:2:", "invalid catalog JSON"])
    catalog_fails(b"", ["FILE", "invalid catalog JSON"])
    catalog_fails(b"[1]", ["the catalog must be a JSON object, not an array"])
    catalog_fails(b'{"packages": [], "packages": []}',
                  ["FILE:1:", "duplicate"])
    with tempfile.TemporaryDirectory() as d:
        fails(1, [d], "-c", d)


@test
def catalog_structure_errors():
    catalog_fails({"components": []},
                  ["FILE: the catalog has no \"packages\" key"])
    catalog_fails({"packages": [], "pakages": []},
                  ["unknown key 'pakages' in the catalog",
                   "components, versions, packages"])
    catalog_fails({"packages": {}}, ["key 'packages'",
                                     "expected an array of package objects"])
    catalog_fails({"packages": [1]}, ["key 'packages', element 0",
                                      "expected a package object, got a "
                                      "number"])
    catalog_fails({"packages": [{"name": "a"}, {"nam": "b"}]},
                  ["unknown key 'nam' in the package at packages[1]",
                   "known keys: name, family"])
    catalog_fails({"packages": [{"family": "x"}]},
                  ["key 'packages', element 0", "no \"name\""])
    catalog_fails({"packages": [{"name": ""}]},
                  ["key 'packages[0].name'", "empty"])
    catalog_fails({"packages": [{"name": 7}]},
                  ["key 'packages[0].name'", "got a number"])
    catalog_fails({"components": "os", "packages": []},
                  ["key 'components'", "expected an array"])
    catalog_fails({"components": ["os", "os"], "packages": []},
                  ["key 'components', element 1",
                   "component 'os' is already element 0"])
    catalog_fails({"components": ["os", ""], "packages": []},
                  ["key 'components', element 1", "empty"])


@test
def catalog_value_errors():
    def one(package, needles, components=("os",)):
        return catalog_fails({"components": list(components),
                              "packages": [{"name": "a", **package}]},
                             needles)

    one({"download_bytes": "5"}, ["key 'packages[0].download_bytes'",
                                  "expected a whole number, got a string"])
    one({"install_bytes": -1}, ["key 'packages[0].install_bytes'",
                                "out of range"])
    one({"download_bytes": 1.5}, ["got a fraction"])
    one({"min_battery": 1.5}, ["key 'packages[0].min_battery'",
                               "out of range", "0 to 1"])
    one({"allow_metered": 1}, ["key 'packages[0].allow_metered'",
                               "true or false"])
    one({"carriers": "att"}, ["key 'packages[0].carriers'",
                              "expected an array of names"])
    one({"regions": ["eu", 3]}, ["key 'packages[0].regions', element 1",
                                 "got a number"])
    one({"family": ""}, ["key 'packages[0].family'", "empty"])


@test
def catalog_relation_errors():
    def one(package, needles, versions=None):
        catalog = {"components": ["os", "modem"],
                   "packages": [{"name": "a"}, {"name": "b", **package}]}
        if versions is not None:
            catalog["versions"] = versions
        return catalog_fails(catalog, needles)

    one({"requires": [["bootlader", ">= 1"]]},
        ["key 'packages[1].requires', element 0",
         "unknown component 'bootlader'", "components: os, modem"])
    catalog_fails({"packages": [{"name": "a",
                                 "provides": [["os", "1"]]}]},
                  ["unknown component 'os'", "lists no \"components\""])
    one({"requires": {"os": ">= 1"}},
        ["key 'packages[1].requires'",
         "expected an array of [component, constraint] pairs, got an "
         "object"])
    one({"provides": [["os"]]},
        ["key 'packages[1].provides', element 0",
         "[component, version] pair", "another array"])
    one({"conflicts": [["os", 1]]},
        ["key 'packages[1].conflicts', element 0", "pair of strings"])
    one({"requires": [["os", ">= 1"], ["modem", ">= 2..0"]]},
        ["key 'packages[1].requires', element 1",
         "malformed constraint '>= 2..0' at byte"])
    one({"provides": [["os", "1.0-"]]},
        ["key 'packages[1].provides', element 0",
         "malformed version '1.0-' at byte"])
    one({"provides": [["os", "1"], ["os", "2"]]},
        ["key 'packages[1].provides', element 1", "version '2'"])
    one({"requires": [["os", "> 2, < 1"]]},
        ["key 'packages[1].requires', element 0", "constraint '> 2, < 1'"])
    one({}, ["key 'versions'", "unknown component 'kernel'"],
        versions={"kernel": ["1"]})
    one({}, ["key 'versions.os', element 1", "malformed version '1..2'",
             "at byte"], versions={"os": ["1", "1..2"]})
    one({}, ["key 'versions.os'", "expected an array of versions"],
        versions={"os": "1"})
    one({}, ["key 'versions'", "expected an object"], versions=["os"])


@test
def catalog_duplicate_package():
    catalog_fails({"packages": [{"name": "a"}, {"name": "b"},
                                {"name": "a"}]},
                  ["key 'packages[2].name'",
                   "package name 'a' is already used by packages[0]"])


# ---- names the catalog does not have ----------------------------------------


@test
def argument_data_errors():
    fails(1, ["--target", "no package 'kiosk-app-9'", EXAMPLE],
          "-c", EXAMPLE, "-d", "os=12.0", "-t", "kiosk-app-9")
    fails(1, ["--device", "no component 'kernel'", "components: bootloader"],
          "-c", EXAMPLE, "-d", "kernel=5.10", "-t", "kiosk-app-5.0")
    fails(1, ["--device", "no version '13.0' of os", "\"versions\"",
              "known: 11.0, 11.1, 11.2, 12.0"],
          "-c", EXAMPLE, "-d", "os=13.0", "-t", "kiosk-app-5.0")


# ---- usage errors -----------------------------------------------------------


@test
def usage_errors():
    fails(2, ["missing the catalog"])
    fails(2, ["missing the catalog"], "--order")
    fails(2, ["unexpected argument"], "-c", EXAMPLE, "extra")
    fails(2, ["unrecognized option", "--bogus"], "-c", EXAMPLE, "--bogus")
    fails(2, ["requires an argument"], "-c")
    fails(2, ["--device needs --target"], "-c", EXAMPLE, "-d", "os=1")
    fails(2, ["--target needs --device or --fleet"], "-c", EXAMPLE, "-t",
          "kiosk-app-5.0")
    for option in (["--carrier", "att"], ["--region", "eu"],
                   ["--enrollment", "managed"], ["--battery", "1"],
                   ["--charging"], ["--free-bytes", "1"], ["--metered"],
                   ["--max-states", "5"]):
        fails(2, ["%s needs --device" % option[0]], "-c", EXAMPLE, *option)
    fails(2, ["--fleet needs --target PACKAGE or --impact"], "-c", EXAMPLE,
          "--fleet", "f.csv")
    fails(2, ["--ignore-unknown-columns needs --fleet"], "-c", EXAMPLE,
          "--ignore-unknown-columns")
    fails(2, ["only one input can be standard input"], "-c", "-",
          "--fleet", "-", "-t", "x")
    dev = ["-c", EXAMPLE, "-t", "kiosk-app-5.0"]
    for value in ("1.5", "-0.1", "nan", "x", ""):
        fails(2, ["bad --battery '%s'" % value], *dev, "-d", "", "--battery",
              value)
    for value in ("-1", "1e3", "x", ""):
        fails(2, ["bad --free-bytes '%s'" % value], *dev, "-d", "",
              "--free-bytes", value)
    for value in ("0", "-1", "x"):
        fails(2, ["bad --max-states '%s'" % value], *dev, "-d", "",
              "--max-states", value)
    fails(2, ["bad --device item 'os'", "COMPONENT=VERSION"], *dev, "-d",
          "os")
    fails(2, ["must not be empty"], *dev, "-d", "os=")
    fails(2, ["must not be empty"], *dev, "-d", "=1")
    fails(2, ["empty item"], *dev, "-d", "os=1,,modem=2")
    fails(2, ["ends with a comma"], *dev, "-d", "os=1,")
    fails(2, ["sets component 'os' twice"], *dev, "-d", "os=1", "-d", "os=2")
    fails(2, ["bad --device version '1..2' at byte 2"], *dev, "-d",
          "os=1..2")
    fails(2, ["the package given to --target is empty"], "-c", EXAMPLE, "-d",
          "", "-t", "")
    # Usage errors come before any file is read.
    fails(2, ["--device needs --target"], "-c", "/nonexistent/c.json", "-d",
          "os=1")


# ---- output -----------------------------------------------------------------


@test
def names_with_control_bytes_stay_on_one_line():
    doc = {"packages": [{"name": "a\nb"}, {"name": "caf\u00e9"}]}
    with Files() as f:
        path = f.write("c.json", doc)
        r = ok("-c", path)
        assert lines(r) == ["release order:", "  a\\x0ab",
                            "  caf\u00e9"], r
        assert ok("-c", path, "-j").json() == {"order": ["a\nb",
                                                         "caf\u00e9"]}


@test
def json_document_has_the_questions_asked():
    doc = ex_json("--order", "--cycles", "-i", "os:< 12", "-d", "os=11.0",
                  "-t", "os-11.1-delta")
    assert list(doc) == ["order", "cycles", "impact", "device"], doc
    assert doc["device"]["eligible"] is True, doc


@test
def write_error_is_reported():
    if not os.path.exists("/dev/full"):
        raise Skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        for extra in ([], ["--json"]):
            r = run("-c", EXAMPLE, *extra, stdout=full)
            assert r.rc == 1 and "cannot write the output" in r.err, r
            assert r.err.count("cannot write") == 1, r


# ---- runner -----------------------------------------------------------------


if __name__ == "__main__":
    sys.exit(test.main())
