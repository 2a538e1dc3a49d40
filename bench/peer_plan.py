# SPDX-License-Identifier: MIT
"""Peer of the plan benchmark: NumPy recomputing the plan's census.

No library plans a rollout, so there is no like-for-like peer: the bench
compares the planner with the sum of the engines it calls (ratio in
otaprio-bench's "extra"). This module checks what both of ours' operations
must agree on and a NumPy user can compute from the fleet alone: the
fleet's size and affected devices (os below 13, the traced flaw), and the
dependency chains, the affected devices grouped by their (bootloader, os)
versions in order of first appearance, with each chain's devices and those
blocked (bootloader 1, below the fix's `bootloader >= 2`).

The fleet is tests/unit/plan_fixture.h's, device by device from its index:
state = seed ^ (index * 0xD1B54A32D192ED03), the key the first SplitMix64
step from it, the attributes the second. Both of ours' operations (plan,
by_hand) are checked against the same NumPy census, timed once for each.
"""

import numpy as np

PEER = "numpy {} census (not a like-for-like peer)".format(np.__version__)

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_INDEX_MUL = np.uint64(0xD1B54A32D192ED03)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (tests/unit/splitmix.h)."""
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


def prepare(seed: int, n: int) -> dict:
    """Untimed: the fixture's versions for devices 0 .. n-1."""
    # uint64 array arithmetic wraps modulo 2**64, like C's.
    state = np.arange(n, dtype=np.uint64) * _INDEX_MUL ^ np.uint64(seed)
    r = _mix(state + _GAMMA + _GAMMA)  # the second draw: the attributes
    bootloader = np.where((r >> np.uint64(40)) % np.uint64(10) == 0, 0,
                          1 + (r >> np.uint64(44)) % np.uint64(2))
    os_draw = (r >> np.uint64(48)) % np.uint64(10)
    os = np.where(os_draw < 4, 0, np.where(os_draw < 8, 1, 2))
    return {"n": n, "bootloader": bootloader.astype(np.uint32),
            "os": os.astype(np.uint32)}


def census(state: dict) -> tuple:
    """Timed: [devices, affected] and [devices, blocked] per chain."""
    bootloader, os = state["bootloader"], state["os"]
    affected = os < 2  # versions 11 and 12 satisfy "< 13"
    tuple_id = (bootloader * 3 + os)[affected]
    ids, first = np.unique(tuple_id, return_index=True)
    order = np.argsort(first, kind="stable")  # first appearance
    devices = np.bincount(tuple_id, minlength=9)[ids[order]]
    blocked = np.bincount(tuple_id[bootloader[affected] == 0],
                          minlength=9)[ids[order]]
    fleet = np.array([state["n"], int(affected.sum())], dtype=np.uint64)
    chains = np.stack([devices, blocked], axis=1).astype(np.uint64)
    return fleet, chains.ravel()


def _as(prefix: str):
    def timed(state: dict, _arg) -> dict:
        fleet, chains = census(state)
        return {prefix + "_fleet": fleet, prefix + "_chains": chains}
    return timed


OPS = {"plan": (lambda state: None, _as("plan")),
       "by_hand": (lambda state: None, _as("by_hand"))}


def canonical(state: dict, raw: dict) -> dict:
    """The census of each of ours' operations, as digested."""
    return raw
