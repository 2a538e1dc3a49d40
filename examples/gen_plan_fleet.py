#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes examples/plan-fleet.csv: a small made-up fleet for `otaprio plan`
with examples/catalog.json: release rings, strata (region, sku), shared-fate
clusters, the device columns of `otaprio score` and the installed versions
of the catalog's components, so that a libssl flaw can be traced and some
devices need a prerequisite path (an old bootloader or OS) before the fix
(os-12.0-delta) installs.

Usage: gen_plan_fleet.py [OUTPUT]   (default: standard output). The file
is the same on every machine (gen_fleet_common.py says how).
"""

from gen_fleet_common import ModuloSplitMix64, write_rows

DEVICES = 600
SEED = 0x9E3A11F0D5


COLUMNS = ["id", "ring", "region", "sku", "cluster", "device_class",
           "customer_tier", "exposure", "battery", "charging", "link",
           "metered", "free_bytes", "carrier", "bootloader", "os", "libssl"]

# (sku, device class, weight): a rare medical SKU is critical.
SKUS = [("tab-a8", "handset", 40), ("kiosk-k2", "kiosk", 25),
        ("gw-g2", "gateway", 25), ("pump-m1", "medical", 10)]
# (os, libssl it ships, weight): 12.0 already has the fixed libssl.
OS = [("11.0", "1.1.1t", 15), ("11.1", "1.1.1t", 15), ("11.2", "1.1.1w", 45),
      ("12.0", "3.0.13", 25)]
CARRIERS = {"eu": ["vodafone", "orange"], "us": ["att", "verizon"]}


def device(rng, i):
    ring = 0 if i < 12 else (1 if i < 60 else 2)
    region = rng.pick([("eu", 55), ("us", 45)])
    sku, device_class = rng.pick([((s, c), w) for s, c, w in SKUS])
    os_version, libssl = rng.pick([((o, l), w) for o, l, w in OS])
    # Old OS images shipped with old bootloaders: those devices need
    # bootloader-2.4 and -3.0 before os-12.0-delta.
    bootloader = "2.1" if os_version in ("11.0", "11.1") else \
        rng.pick([("2.4", 1), ("3.0", 3)])
    tier = "critical" if device_class == "medical" else \
        rng.pick([("standard", 6), ("business", 3), ("enterprise", 1)])
    link = "ethernet" if device_class == "gateway" else \
        rng.pick([("wifi", 7), ("cellular", 3)])
    return [
        "dev-%04d" % (i + 1), str(ring), region, sku,
        str(rng.below(8)) if device_class == "gateway" else "",
        device_class, tier,
        "public" if device_class in ("kiosk", "gateway") else "internal",
        "%.2f" % (0.2 + rng.below(81) / 100.0),
        str(rng.below(2)), link,
        "1" if link == "cellular" and rng.below(2) == 0 else "0",
        str((1 + rng.below(16)) * 1000000000),
        CARRIERS[region][rng.below(2)], bootloader, os_version, libssl,
    ]


def main():
    rng = ModuloSplitMix64(SEED)
    write_rows([COLUMNS] + [device(rng, i) for i in range(DEVICES)])


if __name__ == "__main__":
    main()
