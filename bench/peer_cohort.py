# SPDX-License-Identifier: MIT
"""Peer of the cohort benchmark: NumPy computing the very same cohorts, and
scikit-learn's stratified train_test_split.

The fleet is bench/cohort_gen.py's (the mirror of bench/cohort_gen.c). The
NumPy side follows docs/cohort.md, written from that text rather than from
the library:

  exact         per-stratum fleet counts (bincount), the wave's target
                T = floor(0.01 * N + 0.5), seats by bounded largest
                remainders (one wave, no minimum, no caps, every device
                eligible: the floors of the quotas q_h = (T * N_h) / N in
                IEEE double, then one more seat each to the largest
                remainders q_h - floor(q_h), ties to the smaller stratum
                id: np.floor and one np.lexsort), then per stratum the
                first seats devices by (position, key): one np.lexsort on
                (stratum, position, key) and a rank within the stratum.
                Variants, the same answer: "combined" (one argsort of a
                uint64 key of stratum and the position's high bits,
                falling back to lexsort if two devices share it),
                "prefilter" (NumPy's best shot: only devices below a
                per-stratum position bound that provably holds the quota
                are sorted) and "xxhash" (lexsort, with the positions
                computed in the timed region). All share one allocation.
  hash          bucket fraction (position >> 11) * 2**-53 below 0.01, the
                selected devices sorted by (stratum, position, key);
                variant "xxhash" computes the positions timed.
  assign_exact  each device's wave on the exact cohort: np.isin of the keys
                in the cohort's keys; variant "threshold", per stratum the
                (position, key) of its last selected device, compared.
  assign_hash   fraction below 0.01; variant "xxhash" with the positions.

Positions (XXH3-64 of the key's 8 little-endian bytes seeded with the salt,
python-xxhash, one call per key) are computed untimed for every operation
but the "xxhash" variants: NumPy has no XXH3, and a Python user who had
them stored would not recompute them, so that is NumPy's best case.

scikit-learn ("exact:sklearn"): train_test_split(np.arange(n), stratify=the
devices' stratum ids, train_size=0.01, random_state=0), timed. Its random
generator picks other devices than bucket positions do, so it is JUDGED:
it must see the same strata and fleet counts as ours (digests) and return
as many devices as ours; its distance to the fleet is reported beside
ours'. It refuses classes of one member and more classes than devices to
pick, so the strata it refuses are lumped into one class first (untimed),
the smallest first, as few as it accepts: none at 10M devices, where every
stratum has dozens.
"""

import math

import numpy as np
import sklearn
import xxhash
from sklearn.model_selection import train_test_split

import cohort_gen

PEER = ("numpy {} np.lexsort per stratum (positions precomputed)"
        .format(np.__version__))

FRACTION = 0.01  # the cohort: one canary wave of 1%
NONE = 0xFF


# ---- the fleet --------------------------------------------------------------

def positions_of(keys: np.ndarray, salt: int) -> np.ndarray:
    """Bucket positions, one python-xxhash call per key (peer_bucket's
    fastest form)."""
    h = xxhash.xxh3_64_intdigest
    raw = keys.astype("<u8", copy=False).tobytes()
    return np.fromiter((h(raw[i:i + 8], salt) for i in range(0, len(raw), 8)),
                       dtype=np.uint64, count=len(keys))


def sklearn_labels(strata: np.ndarray, n_train: int, n_test: int):
    """The stratum ids as scikit-learn accepts them: classes of at least 2
    devices, no more classes than devices on either side. The smallest
    strata (ties by id) are lumped into class -1 until that holds.
    Returns (labels, strata lumped)."""
    ids, counts = np.unique(strata, return_counts=True)
    order = np.lexsort((ids, counts))  # smallest first
    sizes = counts[order]
    # Lumping the k smallest works when the lump has 2 devices or more (or
    # is empty), every stratum left has 2 or more, and the classes fit.
    k = np.arange(len(ids) + 1)
    lump = np.r_[0, np.cumsum(sizes)]
    smallest_left = np.r_[sizes, np.iinfo(np.int64).max]
    classes = len(ids) - k + (k > 0)
    works = (((k == 0) | (lump >= 2)) & (smallest_left >= 2)
             & (classes <= min(n_train, n_test)))
    k = int(np.argmax(works)) if works.any() else len(ids)
    if k == 0:
        return strata, 0
    lumped = ids[order[:k]]
    labels = np.where(np.isin(strata, lumped), -1, strata)
    return labels, k


def prepare(seed: int, n: int) -> dict:
    """Untimed: the fleet otaprio-bench builds for (seed, n), its bucket
    positions, and scikit-learn's labels."""
    fleet = cohort_gen.fleet(seed, n)
    salt = cohort_gen.salt(seed)
    n_train = math.floor(FRACTION * n)
    labels, lumped = sklearn_labels(fleet["strata"], n_train, n - n_train)
    return {"seed": seed, "n": n, "salt": salt, "keys": fleet["keys"],
            "strata": fleet["strata"], "positions": positions_of(
                fleet["keys"], salt),
            "labels": labels, "lumped": lumped, "indices": np.arange(n),
            "figures": {}}


# ---- allocation: bounded largest remainders --------------------------------

def ideal_shares(weight: np.ndarray, target: int) -> np.ndarray:
    """q_h = (target * w_h) / W in IEEE double, in exactly that order, W the
    sum of the weights in increasing stratum id (np.cumsum adds left to
    right); every q_h is 0 when W is 0."""
    weight = np.asarray(weight, dtype=np.float64)
    total = np.cumsum(weight)[-1] if len(weight) else np.float64(0.0)
    if total == 0.0:
        return np.zeros(len(weight))
    return (np.float64(target) * weight) / total


def largest_remainders(weight: np.ndarray, target: int, hi: np.ndarray,
                       lo: np.ndarray | None = None) -> np.ndarray:
    """Seats per stratum (strata in increasing id) by docs/cohort.md's
    bounded largest remainders, for a wave with no minimum and no caps:
    lo_h the seats of the previous wave (none here), hi_h the stratum's
    eligible devices. Start from min(hi, max(lo, floor(q))); while the sum
    exceeds target, the stratum with s > lo and the largest excess s - q
    gives a seat (ties: the larger id); while it is below, the stratum with
    s < hi and the largest deficit q - s takes one (ties: the smaller id).
    Without binding bounds: the floors, then one seat each to the largest
    remainders q - floor(q), ties to the smaller id. (Index order is id
    order: the arrays hold the strata in increasing id.)

    The first round goes in one np.lexsort: from the start, a stratum's
    first seat to give with an excess above -1, or to take with a deficit
    of 0 or more, comes before any stratum's second seat (excess at most
    -1, deficit below 0) and any other first seat, so one seat at a time
    would hand them out in the order of the sort. Seats beyond that round
    (bounds that bind, or rounding leaving the floors a whole seat off: the
    benchmark's fleet needs none) go one at a time, as the rule says."""
    hi = np.asarray(hi, dtype=np.int64)
    lo = np.zeros_like(hi) if lo is None else np.asarray(lo, dtype=np.int64)
    q = ideal_shares(weight, target)
    seats = np.minimum(hi, np.maximum(lo, np.floor(q).astype(np.int64)))

    over = int(seats.sum()) - target
    if over > 0:
        excess = seats - q
        first = np.flatnonzero((seats > lo) & (excess > -1.0))
        give = first[np.lexsort((-first, -excess[first]))][:over]
        seats[give] -= 1
        over -= len(give)
    while over > 0:
        can = seats > lo
        if not can.any():
            break
        excess = np.where(can, seats - q, -np.inf)
        seats[len(seats) - 1 - np.argmax(excess[::-1])] -= 1  # larger id
        over -= 1

    short = target - int(seats.sum())
    if short > 0:
        deficit = q - seats
        first = np.flatnonzero((seats < hi) & (deficit >= 0.0))
        take = first[np.lexsort((first, -deficit[first]))][:short]
        seats[take] += 1
        short -= len(take)
    while short > 0:  # the shortfall stays when no stratum has room
        room = seats < hi
        if not room.any():
            break
        deficit = np.where(room, q - seats, -np.inf)
        seats[np.argmax(deficit)] += 1  # the first maximum: smaller id
        short -= 1
    return seats


def allocate(strata: np.ndarray):
    """Timed part shared by the exact variants: strata present, their fleet
    counts and seats, and seats by stratum id."""
    counts = np.bincount(strata, minlength=cohort_gen.ID_SPACE)
    present = np.flatnonzero(counts)
    fleet = counts[present]
    target = math.floor(FRACTION * float(fleet.sum()) + 0.5)
    seats = largest_remainders(fleet, target, fleet)
    quota = np.zeros(cohort_gen.ID_SPACE, dtype=np.int64)
    quota[present] = seats
    return counts, present, fleet, seats, quota


def exact_outputs(present, fleet, seats, selected_keys) -> dict:
    return {"exact_keys": selected_keys,
            "strata_ids": present.astype(np.uint64),
            "fleet": fleet.astype(np.uint64),
            "exact_quotas": seats.astype(np.uint64)}


# ---- exact ------------------------------------------------------------------

def pick_sorted(order, strata, counts, quota):
    """Of devices `order` sorted by (stratum, position, key), those ranked
    below their stratum's quota. Every device of a stratum must be in
    `order`, or at least its first quota ones (prefilter)."""
    sorted_strata = strata[order]
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    rank = np.arange(len(order)) - starts[sorted_strata]
    return order[rank < quota[sorted_strata]]


def exact_lexsort(state: dict, positions=None) -> dict:
    keys, strata = state["keys"], state["strata"]
    positions = state["positions"] if positions is None else positions
    counts, present, fleet, seats, quota = allocate(strata)
    order = np.lexsort((keys, positions, strata))
    chosen = pick_sorted(order, strata, counts, quota)
    return exact_outputs(present, fleet, seats, keys[chosen])


def exact_xxhash(state: dict) -> dict:
    return exact_lexsort(state, positions_of(state["keys"], state["salt"]))


_POSITION_BITS = 45  # stratum ids take 19 bits (460,800 < 2**19)


def exact_combined(state: dict) -> dict:
    keys, strata = state["keys"], state["strata"]
    positions = state["positions"]
    counts, present, fleet, seats, quota = allocate(strata)
    combined = ((strata.astype(np.uint64) << np.uint64(_POSITION_BITS))
                | (positions >> np.uint64(64 - _POSITION_BITS)))
    order = np.argsort(combined)
    ordered = combined[order]
    if (ordered[1:] == ordered[:-1]).any():  # rare: the full order decides
        order = np.lexsort((keys, positions, strata))
    chosen = pick_sorted(order, strata, counts, quota)
    return exact_outputs(present, fleet, seats, keys[chosen])


def exact_prefilter(state: dict) -> dict:
    keys, strata = state["keys"], state["strata"]
    positions = state["positions"]
    counts, present, fleet, seats, quota = allocate(strata)
    # A stratum's first `quota` devices lie below a position bound that
    # keeps about quota + 8 sqrt(quota) + 64 of them; where it keeps fewer
    # (a Chernoff tail), the stratum keeps everything.
    share = np.zeros(cohort_gen.ID_SPACE)
    share[present] = np.minimum(
        1.0, (seats + 8 * np.sqrt(seats) + 64) / fleet)
    share[quota == 0] = 0.0
    whole = share >= 1.0
    bound = np.where(whole, 0, share * 2.0 ** 64).astype(np.uint64)
    while True:
        keep = (positions < bound[strata]) | whole[strata]
        kept = np.flatnonzero(keep)
        short = np.bincount(strata[kept], minlength=cohort_gen.ID_SPACE) \
            < quota
        if not short.any():
            break
        whole |= short
    order = kept[np.lexsort((keys[kept], positions[kept], strata[kept]))]
    kept_counts = np.bincount(strata[kept], minlength=cohort_gen.ID_SPACE)
    chosen = pick_sorted(order, strata, kept_counts, quota)
    return exact_outputs(present, fleet, seats, keys[chosen])


def exact_sklearn(state: dict) -> dict:
    train, _ = train_test_split(state["indices"], stratify=state["labels"],
                                train_size=FRACTION, random_state=0)
    return {"sklearn_train": train}


# ---- hash threshold ---------------------------------------------------------

def below_fraction(positions: np.ndarray) -> np.ndarray:
    """Fraction (position >> 11) * 2**-53 below the wave's, in double as
    the rules say (exact: 53 bits and a power-of-two scale)."""
    fraction = (positions >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return fraction < FRACTION


def hash_numpy(state: dict, positions=None) -> dict:
    keys, strata = state["keys"], state["strata"]
    positions = state["positions"] if positions is None else positions
    chosen = np.flatnonzero(below_fraction(positions))
    order = np.lexsort((keys[chosen], positions[chosen], strata[chosen]))
    return {"hash_keys": keys[chosen[order]]}


def hash_xxhash(state: dict) -> dict:
    return hash_numpy(state, positions_of(state["keys"], state["salt"]))


# ---- assign -----------------------------------------------------------------

def the_exact_cohort(state: dict) -> np.ndarray:
    """Untimed: the exact cohort's keys, for the assigns."""
    if "cohort_keys" not in state:
        state["cohort_keys"] = exact_prefilter(state)["exact_keys"]
    return state["cohort_keys"]


def assign_isin(state: dict, cohort_keys) -> dict:
    inside = np.isin(state["keys"], cohort_keys)
    return {"assign_exact": np.where(inside, 0, NONE).astype(np.uint8)}


def cohort_edges(state: dict) -> dict:
    """Untimed: per stratum id, the (position, key) of its last selected
    device, and whether it has one."""
    cohort_keys = the_exact_cohort(state)
    where = np.flatnonzero(np.isin(state["keys"], cohort_keys))
    strata = state["strata"][where]
    positions = state["positions"][where]
    keys = state["keys"][where]
    order = np.lexsort((keys, positions, strata))
    last = order[np.r_[strata[order][1:] != strata[order][:-1], True]]
    edge_pos = np.zeros(cohort_gen.ID_SPACE, dtype=np.uint64)
    edge_key = np.zeros(cohort_gen.ID_SPACE, dtype=np.uint64)
    has = np.zeros(cohort_gen.ID_SPACE, dtype=bool)
    edge_pos[strata[last]] = positions[last]
    edge_key[strata[last]] = keys[last]
    has[strata[last]] = True
    return {"pos": edge_pos, "key": edge_key, "has": has}


def assign_threshold(state: dict, edges: dict) -> dict:
    strata, positions = state["strata"], state["positions"]
    p = edges["pos"][strata]
    inside = edges["has"][strata] & (
        (positions < p) | ((positions == p)
                           & (state["keys"] <= edges["key"][strata])))
    return {"assign_exact": np.where(inside, 0, NONE).astype(np.uint8)}


def assign_hash(state: dict, positions=None) -> dict:
    positions = state["positions"] if positions is None else positions
    waves = np.where(below_fraction(positions), 0, NONE).astype(np.uint8)
    return {"assign_hash": waves}


def assign_hash_xxhash(state: dict) -> dict:
    return assign_hash(state, positions_of(state["keys"], state["salt"]))


def _none(state):
    return None


OPS = {
    "exact": (_none, lambda s, _: exact_lexsort(s)),
    "exact:combined": (_none, lambda s, _: exact_combined(s)),
    "exact:prefilter": (_none, lambda s, _: exact_prefilter(s)),
    "exact:xxhash": (_none, lambda s, _: exact_xxhash(s)),
    "exact:sklearn": (_none, lambda s, _: exact_sklearn(s)),
    "hash": (_none, lambda s, _: hash_numpy(s)),
    "hash:xxhash": (_none, lambda s, _: hash_xxhash(s)),
    "assign_exact": (the_exact_cohort, assign_isin),
    "assign_exact:threshold": (cohort_edges, assign_threshold),
    "assign_hash": (_none, lambda s, _: assign_hash(s)),
    "assign_hash:xxhash": (_none, lambda s, _: assign_hash_xxhash(s)),
}


# ---- judging and figures ----------------------------------------------------

def representativeness(ids: np.ndarray, fleet: np.ndarray,
                       cohort: np.ndarray) -> dict:
    """docs/cohort.md's figures from per-stratum counts (strata with fleet
    devices): total variation distance, joint and per dimension, and
    coverage."""
    fleet = fleet.astype(np.float64)
    cohort = cohort.astype(np.float64)
    n, c = fleet.sum(), cohort.sum()
    figures = {"cohort": int(c),
               "tvd": float(0.5 * np.abs(cohort / c - fleet / n).sum()),
               "strata": len(ids),
               "strata_covered": int((cohort > 0).sum()),
               "mass_coverage": float(fleet[cohort > 0].sum() / n)}
    radix = cohort_gen.radix()
    for d, (name, card) in enumerate(zip(cohort_gen.DIMENSIONS,
                                         cohort_gen.CARDINALITIES)):
        code = (ids // radix[d]) % card
        fm = np.bincount(code, weights=fleet, minlength=card)
        cm = np.bincount(code, weights=cohort, minlength=card)
        figures["tvd_" + name] = float(0.5 * np.abs(cm / c - fm / n).sum())
    return figures


def judge_sklearn(state: dict, raw: dict, ours_extra: dict) -> dict:
    """scikit-learn's cohort: the same fleet, as many devices as ours;
    its distance reported beside ours'."""
    train = raw["sklearn_train"]
    strata = state["strata"]
    counts = np.bincount(strata, minlength=cohort_gen.ID_SPACE)
    present = np.flatnonzero(counts)
    chosen = np.bincount(strata[train], minlength=cohort_gen.ID_SPACE)
    figures = representativeness(present, counts[present], chosen[present])
    figures["lumped_strata"] = state["lumped"]
    figures["classes"] = int(len(np.unique(state["labels"])))
    figures["ours_tvd"] = ours_extra.get("exact_tvd")
    problems = []
    if len(np.unique(train)) != len(train):
        problems.append("a device was picked twice")
    if len(train) != ours_extra.get("exact_selected"):
        problems.append(f"{len(train)} devices against ours' "
                        f"{ours_extra.get('exact_selected')}")
    return {"outputs": {"strata_ids": present.astype(np.uint64),
                        "fleet": counts[present].astype(np.uint64)},
            "figures": figures, "problems": problems}


JUDGED = {"exact:sklearn": judge_sklearn}


def canonical(state: dict, raw: dict) -> dict:
    """The digested arrays (the operations' answers, merged by the runner);
    also keeps the distance of the exact cohort NumPy computed (ours, when
    the digests agree) for describe()."""
    state["figures"]["exact"] = representativeness(
        raw["strata_ids"].astype(np.int64), raw["fleet"], raw["exact_quotas"])
    return raw


def describe(state: dict) -> dict:
    return {"numpy": np.__version__, "scikit_learn": sklearn.__version__,
            "xxhash": xxhash.VERSION,
            "timed": "positions precomputed (untimed) except in the xxhash "
                     "variants; sklearn: train_test_split alone",
            "sklearn_lumped_strata": state["lumped"],
            "numpy_exact": state["figures"].get("exact")}
