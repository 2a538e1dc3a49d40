# SPDX-License-Identifier: MIT
"""Peer of the eligibility benchmark: NumPy, as a Python user would write it.

The same rules as otaprio_catalog_check_devices() for the package of
bench/bench_eligibility.c, written from the header's definitions rather
than from the library: each relation is a boolean table over the
component's version ids (ids ascend with the version order; the last slot
is "not installed") indexed by the device column, and each predicate is a
column comparison. The block bits and relation numbers are the header's.
"""

import numpy as np

import splitmix

PEER = "numpy {} boolean tables and column comparisons".format(np.__version__)

NONE = 0xFFFFFFFF
VERSION_COUNTS = [32, 8, 16, 4, 5]  # os, bootloader, libssl, legacy-vpn, app

REQUIREMENT, CONFLICT, REGION, LEGAL, ENROLLMENT = 1, 2, 8, 16, 32
BATTERY, STORAGE, METERED, CURRENT = 64, 128, 256, 512


def admitted(count, low, high):
    """Table over ids 0..count-1 plus the "not installed" slot: True for
    versions low..high (1-based version numbers, inclusive)."""
    table = np.zeros(count + 1, dtype=bool)
    table[low - 1:high] = True
    return table


# (relation number, kind, component, table), in the library's numbering.
RELATIONS = [
    (0, REQUIREMENT, 0, admitted(32, 20, 32)),  # os >= 20
    (1, REQUIREMENT, 1, admitted(8, 3, 8)),  # bootloader >= 3
    (2, REQUIREMENT, 2, admitted(16, 10, 15)),  # libssl >= 10, < 16
    (3, CONFLICT, 3, admitted(4, 1, 2)),  # conflicts legacy-vpn <= 2
]


def prepare(seed: int, n: int) -> dict:
    """Untimed: the columns otaprio-bench builds for (seed, n)."""
    d = splitmix.draws(seed, 0, 2 * n)
    v, e = d[0::2], d[1::2]
    columns = []
    for c, count in enumerate(VERSION_COUNTS):
        byte = ((v >> np.uint64(8 * c)) & np.uint64(0xFF)).astype(np.uint32)
        columns.append(np.where(byte >= 250, np.uint32(NONE),
                                byte % np.uint32(count)).astype(np.uint32))
    return {
        "versions": columns,
        "region": ((e & np.uint64(0xF)) % np.uint64(8)).astype(np.uint32),
        "enrollment": (((e >> np.uint64(4)) & np.uint64(0xF))
                       % np.uint64(3)).astype(np.uint32),
        "battery": (((e >> np.uint64(8)) & np.uint64(0xFFFF)).astype(
            np.float64) / 65535.0).astype(np.float32),
        "charging": ((e >> np.uint64(24)) & np.uint64(1)).astype(np.uint8),
        "free_bytes": ((e >> np.uint64(25)) & np.uint64(0xFFF)) << np.uint64(20),
        "metered": ((e >> np.uint64(37)) & np.uint64(1)).astype(np.uint8),
    }


def slot(column, count):
    """Version ids as table indices: "not installed" goes to the last."""
    return np.minimum(column, np.uint32(count))


def compute(state: dict) -> dict:
    """Timed: block masks and first failing relations."""
    versions = state["versions"]
    n = len(versions[0])
    blocks = np.zeros(n, dtype=np.uint32)
    first = np.full(n, 0xFFFFFFFF, dtype=np.uint32)
    # Last relation first, so the first failing one is left in `first`.
    for number, kind, c, table in reversed(RELATIONS):
        hit = table[slot(versions[c], VERSION_COUNTS[c])]
        failed = ~hit if kind == REQUIREMENT else hit
        blocks[failed] |= np.uint32(kind)
        first[failed] = np.uint32(number)
    region = state["region"]
    blocks[~np.isin(region, [1, 2, 3])] |= np.uint32(REGION)
    blocks[region == 7] |= np.uint32(LEGAL)
    blocks[state["enrollment"] != 1] |= np.uint32(ENROLLMENT)
    low = (state["battery"] < np.float32(0.2)) & (state["charging"] == 0)
    blocks[low] |= np.uint32(BATTERY)
    blocks[state["free_bytes"] < np.uint64(500 << 20)] |= np.uint32(STORAGE)
    blocks[state["metered"] == 1] |= np.uint32(METERED)
    app = versions[4]
    blocks[(app != np.uint32(NONE)) & (app >= np.uint32(4))] |= \
        np.uint32(CURRENT)
    return {"blocks": blocks, "first_failed": first}
