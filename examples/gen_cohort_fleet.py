#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes examples/cohort-fleet.csv: a small made-up fleet for
`otaprio cohort`, with skewed strata (a rare OS version, a rare SKU) so
that the difference between the allocation methods shows.

Usage: gen_cohort_fleet.py [OUTPUT]   (default: standard output). The file
is the same on every machine (gen_fleet_common.py says how).
"""

from gen_fleet_common import SplitMix64, write_rows

DEVICES = 400
SEED = 0x0C0407F1EE7


OS = [("android-14", 55), ("android-13", 30), ("android-12", 12),
      ("android-11", 3)]
SKU = [("tab-a8", 40), ("phone-s22", 35), ("kiosk-k2", 20),
       ("scanner-z1", 5)]
REGION = [("eu", 45), ("us", 40), ("apac", 15)]
CONNECTION = [("wifi", 60), ("cellular", 25), ("ethernet", 15)]


def device(rng, number):
    sku = rng.pick(SKU)
    os_version = rng.pick(OS)
    region = rng.pick(REGION)
    # Kiosks are wired or on site Wi-Fi; phones roam on cellular too.
    if sku == "kiosk-k2":
        connection = rng.pick([("ethernet", 60), ("wifi", 40)])
    else:
        connection = rng.pick(CONNECTION)
    metered = 1 if connection == "cellular" and rng.below(10) < 7 else 0
    # Kiosks run on mains power; the rest anywhere from nearly flat to full.
    if sku == "kiosk-k2":
        battery, charging = "1.00", 1
    else:
        battery = "%.2f" % ((5 + rng.below(96)) / 100)
        charging = 1 if rng.below(10) < 3 else 0
    # Payment kiosks and the scanners (hospital use) are critical.
    critical = 1 if (sku == "scanner-z1" or
                     (sku == "kiosk-k2" and rng.below(4) == 0)) else 0
    # Kiosks and scanners share a site's network: a shared-fate cluster.
    cluster = str(1 + rng.below(12)) if sku in ("kiosk-k2",
                                                 "scanner-z1") else ""
    return ["dev-%04d" % number, os_version, sku, region, connection,
            battery, str(charging), str(metered), str(critical), cluster]


def main():
    rng = SplitMix64(SEED)
    rows = [["id", "os", "sku", "region", "connection", "battery",
             "charging", "metered", "critical", "cluster"]]
    rows += [device(rng, n) for n in range(1, DEVICES + 1)]
    write_rows(rows)

if __name__ == "__main__":
    main()
