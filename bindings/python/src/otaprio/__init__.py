# SPDX-License-Identifier: MIT
"""Python bindings of libotaprio: decisions behind over-the-air update
campaigns, NumPy-native, over the library's C ABI through cffi.

Importing the package loads the shared library: see ``_ffi`` (and the
README) for where it is looked for (``OTAPRIO_LIBRARY``,
``OTAPRIO_BUILD_DIR``, pkg-config).
"""
from __future__ import annotations

from ._ffi import LibraryNotFoundError
from .common import (Buckets, bucket, bucket_fraction, bucket_position,
                     header_version, key, keys, library_path, strerror,
                     version, version_string)
from .cohort import (CHUNK_COLUMNS, COHORT_NONE, Cohort, CohortDevices,
                     CohortSpec, CohortStrata, CohortWave, Representativeness,
                     Sampler, Tally)
from .enums import (AttackPath, CohortMethod, CustomerTier, DeviceClass,
                    Disposition, Exploit, Exposure, Factor, GuardAction,
                    GuardCheck, GuardDirection, GuardGroup, GuardKind,
                    GuardMultiplicity, GuardNoData, GuardReasonCode,
                    GuardSeverity, GuardTest, GuardVerdict, GuardZeroBaseline,
                    IssueClass, Layer, Level, Link, PlanDelayed, PlanMetric,
                    PlanNote, PlanPass, PlanStage, PlanWarningCode, Reason,
                    RiskModelKind, RollbackChange, RollbackCondition,
                    RollbackLever, RollbackObserve, RollbackPart,
                    RollbackReason, RollbackStep, RollbackTier,
                    RollbackWeakness, DrillStatus, Direction, Relation,
                    NameKind, Block, PlanRole, PlanEvidence,
                    PlanUnmet, PlanPathStatus, ScoreKind, SsvcDecision,
                    Status, Tier, Uptime, Workflow)
from .errors import (CycleError, DuplicateError, Error, InvalidArgumentError,
                     LimitError, NotFoundError, OutOfMemoryError,
                     OutOfRangeError, ParseError, SizeOverflowError,
                     StructSizeError)
from .graph import Graph, GraphComponents, Neighbours
from .breakglass import (BreakglassPolicy, BreakglassRequest, BreakglassResult,
                         check_breakglass)
from .catalog import (CODE_UNKNOWN, DEVICE_STATE_COLUMNS, VERSION_NONE,
                      Catalog, CatalogBuilder, CatalogInfo, ClusterReport,
                      Clusterer, DeviceCheck, Package, UpdatePath)
from .guard import (SEQUENCE_BYTES, GuardOptions, GuardReason, GuardReport,
                    GuardResult, GuardRule, GuardSequence, GuardSet,
                    GuardStratum, MetricData, count_devices, tolerance_default)
from .plan import (PLAN_NONE, Plan, PlanAssignment, PlanChain, PlanSummary,
                   PlanWarning, PlanWave, PowerSpec, canary_size, create_plan)
from .risk import (DEVICE_COLUMNS, DeviceResults, DeviceScore, FactorPoints,
                   Issue, IssueScore, RiskModel, RiskPolicy, RiskTotals,
                   factor_label)
from .rollback import (DrillCheck, RollbackDecision, RollbackInput,
                       check_drills, decide_rollback)
from .versions import compare_versions, constraint_matches

__version__ = "0.1.0"

__all__ = [
    "DrillCheck", "RollbackDecision", "RollbackInput", "check_drills",
    "decide_rollback", "RollbackChange", "RollbackCondition", "RollbackLever",
    "RollbackObserve", "RollbackPart", "RollbackReason", "RollbackStep",
    "RollbackTier", "RollbackWeakness", "DrillStatus",
    "LibraryNotFoundError", "Buckets", "bucket", "bucket_fraction",
    "bucket_position", "header_version", "key", "keys", "library_path",
    "strerror", "version", "version_string", "CHUNK_COLUMNS", "COHORT_NONE",
    "Cohort", "CohortDevices", "CohortSpec", "CohortStrata", "CohortWave",
    "Representativeness", "Sampler", "Tally", "AttackPath", "CohortMethod",
    "CustomerTier", "DeviceClass", "Disposition", "Exploit", "Exposure",
    "Factor", "GuardAction", "GuardCheck", "GuardDirection", "GuardGroup",
    "GuardKind", "GuardMultiplicity", "GuardNoData", "GuardReasonCode",
    "GuardSeverity", "GuardTest", "GuardVerdict", "GuardZeroBaseline",
    "IssueClass", "Layer", "Level", "Link", "PlanDelayed", "PlanMetric",
    "PlanNote", "PlanPass", "PlanStage", "PlanWarningCode", "Reason",
    "RiskModelKind", "ScoreKind", "SsvcDecision", "Status", "Tier", "Uptime",
    "Workflow", "CycleError", "DuplicateError", "Error",
    "InvalidArgumentError", "LimitError", "NotFoundError", "OutOfMemoryError",
    "OutOfRangeError", "ParseError", "SizeOverflowError", "StructSizeError",
    "SEQUENCE_BYTES", "GuardOptions", "GuardReason", "GuardReport",
    "GuardResult", "GuardRule", "GuardSequence", "GuardSet", "GuardStratum",
    "MetricData", "count_devices", "tolerance_default", "PLAN_NONE", "Plan",
    "PlanAssignment", "PlanSummary", "PlanWarning", "PlanWave", "PowerSpec",
    "canary_size", "create_plan", "DEVICE_COLUMNS", "DeviceResults",
    "DeviceScore", "FactorPoints", "Issue", "IssueScore", "RiskModel",
    "RiskPolicy", "RiskTotals", "factor_label", "compare_versions",
    "constraint_matches", "Graph", "GraphComponents", "Neighbours", "Catalog",
    "CatalogBuilder", "CatalogInfo", "DeviceCheck", "Package", "UpdatePath",
    "Clusterer", "ClusterReport", "CODE_UNKNOWN", "DEVICE_STATE_COLUMNS",
    "VERSION_NONE", "BreakglassPolicy", "BreakglassRequest",
    "BreakglassResult", "check_breakglass", "PlanRole", "PlanEvidence",
    "PlanUnmet", "PlanPathStatus", "PlanChain", "Direction",
    "Relation", "NameKind", "Block"
]
