# SPDX-License-Identifier: MIT
"""A notebook-style walk through a rollout: a fleet as a pandas DataFrame,
a fix scored and planned, the scorecard and the wave report printed.

Run it as a script (``python examples/rollout_notebook.py``) or paste the
cells into a notebook one by one; tests/test_examples.py runs it.
"""
# %% [markdown]
# # Planning an OTA rollout with otaprio
#
# The fleet: 20,000 devices with a serial number, a release ring, a region,
# a device class, a battery level and the firmware they run. A real fleet
# would come from `pd.read_parquet(...)` or a database query.

# %%
import importlib
from typing import Any, Iterator, List

import numpy as np
import numpy.typing as npt

import otaprio
from otaprio import (AttackPath, Exploit, GuardRule, Issue, IssueClass,
                     Level, Package, Relation)

pd: Any = importlib.import_module("pandas")  # typed loosely: no stubs needed

rng = np.random.default_rng(7)
n = 20_000
fleet = pd.DataFrame({
    "serial": ["SN-%06d" % i for i in range(n)],
    "ring": np.where(np.arange(n) < 40, 0,
                     np.where(np.arange(n) < 200, 1, 2)).astype(np.uint8),
    "region": rng.integers(0, 5, n).astype(np.uint32),
    "device_class": rng.integers(0, 11, n).astype(np.uint8),
    "battery": rng.uniform(0.05, 1.0, n).astype(np.float32),
    "version_0": rng.choice([0, 1, 2], n, p=[0.2, 0.5, 0.3]).astype(
        np.uint32),                       # firmware 3.0, 3.1 or 4.0
})
fleet["keys"] = otaprio.keys(fleet["serial"].tolist())
print(fleet.head())

# %% [markdown]
# ## The fix and the catalog
#
# `fw-4.1` fixes a remotely exploitable flaw in firmware below 4.1; it
# needs firmware 3.1 or later, which `fw-3.1` brings.

# %%
builder = otaprio.CatalogBuilder()
firmware = builder.add_component("firmware")
for text in ("3.0", "3.1", "4.0"):
    builder.add_version(firmware, text)
bridge = builder.add_package(Package("fw-3.1", download_bytes=40 << 20))
builder.add_relation(bridge, Relation.PROVIDES, firmware, "3.1")
fix = builder.add_package(Package("fw-4.1", download_bytes=120 << 20))
builder.add_relation(fix, Relation.REQUIRES, firmware, ">= 3.1")
builder.add_relation(fix, Relation.PROVIDES, firmware, "4.1")
catalog = builder.build()
issue = Issue(issue_class=IssueClass.SECURITY, security_impact=Level.HIGH,
              attack_path=AttackPath.REMOTE, exploit=Exploit.POC,
              package_bytes=120 << 20)

# %% [markdown]
# ## The scorecard: how urgent, and why

# %%
model = otaprio.RiskModel()
score = model.score_issue(issue)
scorecard = pd.DataFrame(score.scorecard())
print("tier", score.tier.name, "score", score.score)
print(scorecard[["factor", "label", "points"]].to_string(index=False))

# %% [markdown]
# ## The plan
#
# The planner reads the DataFrame chunk by chunk (here 5,000 rows), once
# per pass; the flaw is traced through the catalog, and every wave is gated
# by a crash-rate guardrail.

# %%
columns = ["keys", "ring", "region", "device_class", "battery", "version_0"]


def chunks() -> Iterator[Any]:
    for start in range(0, n, 5000):
        yield fleet.iloc[start:start + 5000][columns]


assigned: List[npt.NDArray[np.uint8]] = []
plan = otaprio.create_plan(
    issue, chunks, model=model, salt=otaprio.key("fw-4.1"),
    strata=["region"], cardinalities=[5], catalog=catalog, package=fix,
    flaw=(firmware, "< 4.1"),
    rules=[GuardRule("crash", margin=0.2, minimum_sample=100)],
    on_assign=lambda first, out: assigned.append(out.wave))
fleet["wave"] = np.concatenate(assigned)

# %% [markdown]
# ## The wave report

# %%
waves = pd.DataFrame([{
    "wave": i, "stage": w.stage.name, "devices": w.devices,
    "cumulative": w.cumulative, "soak_h": w.soak_hours,
    "strata_coverage": w.strata_coverage, "rollback": w.rollback_tier.name,
} for i, w in enumerate(plan.waves)])
print(waves.to_string(index=False))
summary = plan.summary
print("planned %d of %d affected devices; broad fleet after %.1f h"
      % (summary.planned, summary.affected, summary.hours_to_broad))
print("chains:", [(c.devices, c.path_status.name) for c in plan.chains])
print("warnings:", [w.code.name for w in plan.warnings])

# The per-device waves agree with the report.
counts = fleet.loc[fleet["wave"] != otaprio.PLAN_NONE, "wave"].value_counts()
assert all(counts.get(i, 0) == w.devices for i, w in enumerate(plan.waves))
