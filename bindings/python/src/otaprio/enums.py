# SPDX-License-Identifier: MIT
"""The C enumerations as :class:`enum.IntEnum` and bit sets as
:class:`enum.IntFlag`.

:data:`C_NAMES` gives, for each class, the C enumeration it mirrors and the
prefix its members carry there: member ``X`` is the C constant
``prefix + "X"``. tests/test_enums.py checks every class against the
declarations read from the public headers, both ways, so a constant added
to or renumbered in a header fails the tests until it is mirrored here.
"""
from __future__ import annotations

import enum
from typing import Dict, Tuple, Type


class Status(enum.IntEnum):
    """A status code (``otaprio_status``); failures raise
    :class:`otaprio.Error`."""

    OK = 0
    E_INVALID = -1
    E_NOMEM = -2
    E_STRUCT_SIZE = -3
    E_RANGE = -4
    E_OVERFLOW = -5
    E_SYNTAX = -6
    E_CYCLE = -7
    E_NOT_FOUND = -8
    E_DUPLICATE = -9
    E_LIMIT = -10


class IssueClass(enum.IntEnum):
    """Kind of defect a fix addresses (``otaprio_issue_class``)."""

    SECURITY = 0
    STABILITY = 1
    COMPLIANCE = 2
    PERFORMANCE = 3
    COSMETIC = 4


class Level(enum.IntEnum):
    """Severity of one dimension of harm (``otaprio_level``)."""

    NONE = 0
    LOW = 1
    MODERATE = 2
    HIGH = 3
    CRITICAL = 4


class AttackPath(enum.IntEnum):
    """How an attacker reaches the flaw (``otaprio_attack_path``)."""

    NONE = 0
    PHYSICAL = 1
    LOCAL = 2
    ADJACENT = 3
    REMOTE = 4


class Exploit(enum.IntEnum):
    """What is known of exploitation (``otaprio_exploit``)."""

    NONE = 0
    POC = 1
    ACTIVE = 2


class Layer(enum.IntEnum):
    """Layer of the device the package changes (``otaprio_layer``)."""

    APP = 0
    CONFIG = 1
    OS = 2
    KERNEL = 3
    BOOTLOADER = 4
    BASEBAND = 5
    BATTERY = 6


class Workflow(enum.IntFlag):
    """Business-critical workflows a defect touches (``otaprio_workflow``)."""

    AUTH = 1 << 0
    PAYMENT = 1 << 1
    EMERGENCY = 1 << 2
    SAFETY = 1 << 3
    CONNECTIVITY = 1 << 4
    IDENTITY = 1 << 5


class DeviceClass(enum.IntEnum):
    """Named device classes (``otaprio_device_class``); values up to 31 are
    valid in a device column."""

    OTHER = 0
    HANDSET = 1
    WEARABLE = 2
    CAMERA = 3
    KIOSK = 4
    POS = 5
    ROUTER = 6
    GATEWAY = 7
    INDUSTRIAL = 8
    MEDICAL = 9
    VEHICLE = 10


class CustomerTier(enum.IntEnum):
    """Customer tier of a device's owner (``otaprio_customer_tier``)."""

    STANDARD = 0
    BUSINESS = 1
    ENTERPRISE = 2
    CRITICAL = 3


class Exposure(enum.IntEnum):
    """Network exposure of a device (``otaprio_exposure``)."""

    ISOLATED = 0
    INTERNAL = 1
    PUBLIC = 2


class Uptime(enum.IntEnum):
    """Operating mode of a device (``otaprio_uptime``)."""

    BATCH = 0
    BUSINESS = 1
    CONTINUOUS = 2


class Link(enum.IntEnum):
    """A device's current connection (``otaprio_link``)."""

    ETHERNET = 0
    WIFI = 1
    CELLULAR = 2
    ROAMING = 3
    SATELLITE = 4


class Tier(enum.IntEnum):
    """Priority tier of a fix (``otaprio_tier``)."""

    T0 = 0
    T1 = 1
    T2 = 2
    T3 = 3


class Disposition(enum.IntEnum):
    """What a device may do with the fix now (``otaprio_disposition``)."""

    ELIGIBLE = 0
    DEFER = 1
    BLOCKED = 2
    EXCLUDED = 3


class Reason(enum.IntFlag):
    """Why a device is not eligible, or what to watch (``otaprio_reason``)."""

    LOW_BATTERY = 1 << 0
    METERED_LARGE = 1 << 1
    LOW_STORAGE = 1 << 2
    MAINTENANCE_WINDOW = 1 << 3
    PREREQUISITE = 1 << 4
    POLICY = 1 << 5
    NOT_AFFECTED = 1 << 6
    CLASS_EXCLUDED = 1 << 7
    CATCH_UP = 1 << 8
    REPEATED_FAILURES = 1 << 9


class RiskModelKind(enum.IntEnum):
    """Which model decides the tier (``otaprio_risk_model_kind``)."""

    SCORECARD = 0
    SSVC = 1


class SsvcDecision(enum.IntEnum):
    """Outcome of the CISA SSVC decision table (``otaprio_ssvc_decision``)."""

    TRACK = 0
    TRACK_STAR = 1
    ATTEND = 2
    ACT = 3


class ScoreKind(enum.IntEnum):
    """The score an explanation line belongs to (``otaprio_score_kind``)."""

    DEFECT = 0
    CRITICALITY = 1
    DELIVERY = 2
    PRIORITY = 3


class Factor(enum.IntEnum):
    """Factors that earn points in explanations (``otaprio_factor``)."""

    ISSUE_CLASS = 1
    SECURITY_IMPACT = 2
    DATA_LOSS = 3
    UPTIME_LOSS = 4
    REGULATORY = 5
    ATTACK_PATH = 6
    EXPLOIT = 7
    AUTOMATABLE = 8
    EPSS = 9
    AFFECTED_SHARE = 10
    CONCENTRATION = 11
    WORKFLOWS = 12
    AFFECTED_CLASSES = 13
    LAYER = 14
    AB_SLOT = 15
    ANOMALY_RATE = 16
    ANOMALY_GROWING = 17
    MASKS_REGRESSION = 18
    DEVICE_CLASS = 32
    CUSTOMER_TIER = 33
    EXPOSURE = 34
    NO_REDUNDANCY = 35
    UPTIME = 36
    DEFECT_SCORE = 48
    CRITICALITY = 49
    FAILED_ATTEMPTS = 50
    BATTERY = 64
    LINK = 65
    METERED = 66
    STORAGE = 67
    SAFE_FALLBACK = 68
    SSVC_DECISION = 80
    BOUND = 96


class PlanMetric(enum.IntEnum):
    """What a canary measures (``otaprio_plan_metric``)."""

    PROPORTION = 0
    RATE = 1


class PlanPass(enum.IntEnum):
    """The passes the planner makes over the fleet (``otaprio_plan_pass``)."""

    IMPACT = 0
    CENSUS = 1
    SAMPLE = 2
    ASSIGN = 3


class PlanDelayed(enum.IntFlag):
    """Failures that only show after a while (``otaprio_plan_delayed``)."""

    BATTERY = 1 << 0
    THERMAL = 1 << 1
    STORAGE = 1 << 2


class PlanNote(enum.IntFlag):
    """What shaped a plan (``otaprio_plan_note``)."""

    EMERGENCY = 1 << 0
    BREAKGLASS = 1 << 1
    GRAPH_IMPACT = 1 << 2
    TELEMETRY = 1 << 3
    TELEMETRY_RAISED = 1 << 4
    WEAK_ROLLBACK = 1 << 5
    POWER = 1 << 6
    DELAYED = 1 << 7
    MAINTENANCE = 1 << 8


class PlanStage(enum.IntEnum):
    """A wave's place in the rollout shape (``otaprio_plan_stage``)."""

    DOGFOOD = 0
    EMPLOYEE = 1
    CANARY = 2
    BROAD = 3
    ACCELERATED = 4


class PlanWarningCode(enum.IntEnum):
    """Kinds of warning a plan raises (``otaprio_plan_warning_code``)."""

    CHAIN_UNCOVERED = 1
    CLUSTER_UNCOVERED = 2
    NO_PATH = 3
    STRATA_SHORT = 4
    SHORTFALL = 5
    POWER_UNREACHABLE = 6
    NO_GUARDRAILS = 7
    WEAK_ROLLBACK = 8
    BREAKGLASS_DENIED = 9
    NOTHING_ELIGIBLE = 10


class GuardKind(enum.IntEnum):
    """The kind of data a metric is (``otaprio_guard_kind``)."""

    PROPORTION = 0
    RATE = 1
    CONTINUOUS = 2


class GuardDirection(enum.IntEnum):
    """Which way a metric gets worse (``otaprio_guard_direction``)."""

    HIGHER_IS_WORSE = 0
    LOWER_IS_WORSE = 1


class GuardSeverity(enum.IntEnum):
    """How grave a rule's failure is (``otaprio_guard_severity``)."""

    STANDARD = 0
    CRITICAL = 1
    LEADING = 2


class GuardNoData(enum.IntEnum):
    """What a rule without data does (``otaprio_guard_no_data``)."""

    HOLD = 0
    FAIL = 1
    IGNORE = 2


class GuardZeroBaseline(enum.IntEnum):
    """How a baseline without events is judged
    (``otaprio_guard_zero_baseline``)."""

    TEST = 0
    ANY_EVENT = 1
    CEILING = 2


class GuardCheck(enum.IntFlag):
    """The checks a rule makes (``otaprio_guard_check``)."""

    BASELINE = 1
    CEILING = 2
    SPREAD = 4


class GuardMultiplicity(enum.IntEnum):
    """Multiple-comparison control over strata
    (``otaprio_guard_multiplicity``)."""

    HOLM = 0
    BENJAMINI_HOCHBERG = 1
    UNCORRECTED = 2


class GuardGroup(enum.IntEnum):
    """Which side of the comparison samples belong to
    (``otaprio_guard_group``)."""

    CANARY = 0
    BASELINE = 1


class GuardVerdict(enum.IntEnum):
    """One metric's verdict (``otaprio_guard_verdict``)."""

    PASS = 0
    FAIL = 1
    INCONCLUSIVE = 2
    NO_DATA = 3


class GuardAction(enum.IntEnum):
    """What the rollout should do, mildest first (``otaprio_guard_action``)."""

    EXPAND = 0
    HOLD = 1
    PAUSE = 2
    ROLLBACK = 3


class GuardTest(enum.IntEnum):
    """The test behind a verdict (``otaprio_guard_test``)."""

    NONE = 0
    FISHER = 1
    SCORE = 2
    RISK_RATIO = 3
    BINOMIAL = 4
    RATE_RATIO = 5
    POISSON = 6
    MANN_WHITNEY = 7
    BROWN_FORSYTHE = 8
    SIGN = 9
    SEQUENTIAL = 10


class GuardReasonCode(enum.IntEnum):
    """Why a metric holds, pauses or rolls back
    (``otaprio_guard_reason_code``)."""

    NONE = 0
    OVER_BASELINE = 1
    OVER_CEILING = 2
    SPREAD = 3
    ZERO_BASELINE = 4
    STRATA = 5
    NO_DATA = 6
    BELOW_MINIMUM = 7
    INCONCLUSIVE = 8
    SOAKING = 9



class CohortMethod(enum.IntEnum):
    """How each wave's size is shared out among the strata
    (``otaprio_cohort_method``)."""

    HASH_THRESHOLD = 0
    PROPORTIONAL = 1
    MINIMUM_COVERAGE = 2
    NEYMAN = 3


class RollbackPart(enum.IntEnum):
    """Which part of its layer a failure touches
    (``otaprio_rollback_part``)."""

    LAYER = 0
    FEATURE = 1
    AUTH_FLOW = 2


class RollbackLever(enum.IntFlag):
    """Levers the fleet has to undo a change (``otaprio_rollback_lever``)."""

    FEATURE_FLAG = 1 << 0
    SERVER_CONFIG = 1 << 1
    EXEMPTION = 1 << 2
    AB_SLOT = 1 << 3
    DOWNGRADE = 1 << 4


class RollbackChange(enum.IntFlag):
    """What reverting the binary does not undo
    (``otaprio_rollback_change``)."""

    POLICY = 1 << 0
    KEYS = 1 << 1
    SERVER = 1 << 2
    DATA_MIGRATION = 1 << 3


class RollbackObserve(enum.IntFlag):
    """What the host can tell devices apart by
    (``otaprio_rollback_observe``)."""

    BUILD = 1 << 0
    REGION = 1 << 1
    CARRIER = 1 << 2
    MODEL = 1 << 3


class RollbackTier(enum.IntEnum):
    """Rollback tiers, lightest first (``otaprio_rollback_tier``)."""

    NONE = 0
    FEATURE_FLAG = 1
    SERVER_CONFIG = 2
    EXEMPTION = 3
    TARGETED = 4
    FULL = 5


class RollbackStep(enum.IntFlag):
    """Restore steps, in the order to carry them out
    (``otaprio_rollback_step``)."""

    PAUSE_ROLLOUT = 1 << 0
    EXEMPT = 1 << 1
    FLAG_OFF = 1 << 2
    CONFIG_RESTORE = 1 << 3
    SLOT_SWITCH = 1 << 4
    IMAGE_DOWNGRADE = 1 << 5
    FIX_FORWARD = 1 << 6
    KEY_RESTORE = 1 << 7
    DATA_RESTORE = 1 << 8
    REREGISTER = 1 << 9
    CACHE_INVALIDATION = 1 << 10
    NOTIFY_USERS = 1 << 11


class RollbackWeakness(enum.IntFlag):
    """Why rollback is weak (``otaprio_rollback_weakness``)."""

    NO_AB_SLOT = 1 << 0
    NO_DOWNGRADE = 1 << 1
    IRREVERSIBLE = 1 << 2
    POOR_OBSERVABILITY = 1 << 3
    REVERT_DATA_LOSS = 1 << 4
    UNTESTED = 1 << 5


class RollbackReason(enum.IntEnum):
    """Why a tier was chosen or a lighter one ruled out
    (``otaprio_rollback_reason``)."""

    NOTHING_AFFECTED = 1
    FLAG_COVERS = 2
    CONFIG_COVERS = 3
    CONFINED = 4
    CONFINED_BY_BUILD = 5
    NOTHING_LIGHTER = 6
    LAYER_CODE = 16
    BELOW_USERLAND = 17
    NO_FLAG = 18
    NO_CONFIG_SWITCH = 19
    NO_EXEMPTION_LIST = 20
    UNLOCALISED = 21
    WIDESPREAD = 22
    NOT_IDENTIFIABLE = 23
    NO_BUILD_VISIBILITY = 24
    FLEET_EXPOSED = 25
    DATA_LOSS = 26


class RollbackCondition(enum.IntFlag):
    """Conditions a device class lives or a drill ran under
    (``otaprio_rollback_condition``)."""

    LOW_STORAGE = 1 << 0
    STALE_CREDENTIALS = 1 << 1
    INTERMITTENT = 1 << 2


class DrillStatus(enum.IntEnum):
    """A device class's path back (``otaprio_rollback_drill_status``)."""

    COVERED = 0
    UNTESTED = 1
    FAILED = 2


class Direction(enum.IntEnum):
    """Which way a traversal follows edges (``otaprio_direction``)."""

    FORWARD = 0
    BACKWARD = 1


class Relation(enum.IntEnum):
    """How a package relates to a component (``otaprio_relation``)."""

    REQUIRES = 0
    PROVIDES = 1
    CONFLICTS = 2


class NameKind(enum.IntEnum):
    """What a catalog name names (``otaprio_catalog_name_kind``)."""

    COMPONENT = 0
    PACKAGE = 1
    VERSION = 2


class Block(enum.IntFlag):
    """Why a device cannot install a package now (``otaprio_block``); an
    empty set means it can. Only ``REQUIREMENT`` can be cured by a
    prerequisite path."""

    REQUIREMENT = 1 << 0
    CONFLICT = 1 << 1
    CARRIER = 1 << 2
    REGION = 1 << 3
    LEGAL = 1 << 4
    ENROLLMENT = 1 << 5
    BATTERY = 1 << 6
    STORAGE = 1 << 7
    METERED = 1 << 8
    CURRENT = 1 << 9


class PlanRole(enum.IntEnum):
    """A role that approves a break-glass request (``otaprio_plan_role``)."""

    RELEASE_MANAGER = 0
    SECURITY_LEAD = 1
    SRE_ON_CALL = 2
    PRODUCT_OWNER = 3
    EXECUTIVE = 4


class PlanEvidence(enum.IntFlag):
    """Evidence a break-glass request carries (``otaprio_plan_evidence``)."""

    EXPLOITATION = 1 << 0
    ROLLBACK_VERIFIED = 1 << 1
    GUARDRAILS = 1 << 2
    CHANGE_TICKET = 1 << 3
    CUSTOMER_COMMS = 1 << 4


class PlanUnmet(enum.IntFlag):
    """Kinds of unmet break-glass requirement
    (``otaprio_plan_breakglass_unmet``)."""

    APPROVALS = 1 << 0
    EVIDENCE = 1 << 1
    EXCLUDED_COHORT = 1 << 2


class PlanPathStatus(enum.IntEnum):
    """Whether a dependency chain's blocked devices have a way in
    (``otaprio_plan_path_status``)."""

    NONE_NEEDED = 0
    FOUND = 1
    UNREACHABLE = 2
    TOO_LONG = 3


#: Every mirrored enumeration: the C enumeration it mirrors and the prefix
#: of its constants there, for the header check.
C_NAMES: Dict[Type[enum.Enum], Tuple[str, str]] = {
    Status: ("otaprio_status", "OTAPRIO_"),
    IssueClass: ("otaprio_issue_class", "OTAPRIO_ISSUE_"),
    Level: ("otaprio_level", "OTAPRIO_LEVEL_"),
    AttackPath: ("otaprio_attack_path", "OTAPRIO_ATTACK_"),
    Exploit: ("otaprio_exploit", "OTAPRIO_EXPLOIT_"),
    Layer: ("otaprio_layer", "OTAPRIO_LAYER_"),
    Workflow: ("otaprio_workflow", "OTAPRIO_WORKFLOW_"),
    DeviceClass: ("otaprio_device_class", "OTAPRIO_DEVICE_"),
    CustomerTier: ("otaprio_customer_tier", "OTAPRIO_CUSTOMER_"),
    Exposure: ("otaprio_exposure", "OTAPRIO_EXPOSURE_"),
    Uptime: ("otaprio_uptime", "OTAPRIO_UPTIME_"),
    Link: ("otaprio_link", "OTAPRIO_LINK_"),
    Tier: ("otaprio_tier", "OTAPRIO_TIER_"),
    Disposition: ("otaprio_disposition", "OTAPRIO_DISPOSITION_"),
    Reason: ("otaprio_reason", "OTAPRIO_REASON_"),
    RiskModelKind: ("otaprio_risk_model_kind", "OTAPRIO_RISK_MODEL_"),
    SsvcDecision: ("otaprio_ssvc_decision", "OTAPRIO_SSVC_"),
    ScoreKind: ("otaprio_score_kind", "OTAPRIO_SCORE_"),
    Factor: ("otaprio_factor", "OTAPRIO_FACTOR_"),
    PlanMetric: ("otaprio_plan_metric", "OTAPRIO_PLAN_METRIC_"),
    PlanPass: ("otaprio_plan_pass", "OTAPRIO_PLAN_PASS_"),
    PlanDelayed: ("otaprio_plan_delayed", "OTAPRIO_PLAN_DELAYED_"),
    PlanNote: ("otaprio_plan_note", "OTAPRIO_PLAN_NOTE_"),
    PlanStage: ("otaprio_plan_stage", "OTAPRIO_PLAN_STAGE_"),
    PlanWarningCode: ("otaprio_plan_warning_code", "OTAPRIO_PLAN_WARN_"),
    GuardKind: ("otaprio_guard_kind", "OTAPRIO_GUARD_"),
    GuardDirection: ("otaprio_guard_direction", "OTAPRIO_GUARD_"),
    GuardSeverity: ("otaprio_guard_severity", "OTAPRIO_GUARD_"),
    GuardNoData: ("otaprio_guard_no_data", "OTAPRIO_GUARD_NO_DATA_"),
    GuardZeroBaseline: ("otaprio_guard_zero_baseline",
                        "OTAPRIO_GUARD_ZERO_BASELINE_"),
    GuardCheck: ("otaprio_guard_check", "OTAPRIO_GUARD_CHECK_"),
    GuardMultiplicity: ("otaprio_guard_multiplicity", "OTAPRIO_GUARD_"),
    GuardGroup: ("otaprio_guard_group", "OTAPRIO_GUARD_"),
    GuardVerdict: ("otaprio_guard_verdict", "OTAPRIO_GUARD_"),
    GuardAction: ("otaprio_guard_action", "OTAPRIO_GUARD_"),
    GuardTest: ("otaprio_guard_test", "OTAPRIO_GUARD_TEST_"),
    GuardReasonCode: ("otaprio_guard_reason_code", "OTAPRIO_GUARD_REASON_"),
    CohortMethod: ("otaprio_cohort_method", "OTAPRIO_COHORT_"),
    RollbackPart: ("otaprio_rollback_part", "OTAPRIO_ROLLBACK_PART_"),
    RollbackLever: ("otaprio_rollback_lever", "OTAPRIO_ROLLBACK_LEVER_"),
    RollbackChange: ("otaprio_rollback_change", "OTAPRIO_ROLLBACK_CHANGE_"),
    RollbackObserve: ("otaprio_rollback_observe", "OTAPRIO_ROLLBACK_OBSERVE_"),
    RollbackTier: ("otaprio_rollback_tier", "OTAPRIO_ROLLBACK_TIER_"),
    RollbackStep: ("otaprio_rollback_step", "OTAPRIO_ROLLBACK_STEP_"),
    RollbackWeakness: ("otaprio_rollback_weakness", "OTAPRIO_ROLLBACK_WEAK_"),
    RollbackReason: ("otaprio_rollback_reason", "OTAPRIO_ROLLBACK_REASON_"),
    RollbackCondition: ("otaprio_rollback_condition",
                        "OTAPRIO_ROLLBACK_CONDITION_"),
    DrillStatus: ("otaprio_rollback_drill_status", "OTAPRIO_ROLLBACK_DRILL_"),
    Direction: ("otaprio_direction", "OTAPRIO_DIRECTION_"),
    Relation: ("otaprio_relation", "OTAPRIO_RELATION_"),
    NameKind: ("otaprio_catalog_name_kind", "OTAPRIO_NAME_"),
    Block: ("otaprio_block", "OTAPRIO_BLOCK_"),
    PlanRole: ("otaprio_plan_role", "OTAPRIO_PLAN_ROLE_"),
    PlanEvidence: ("otaprio_plan_evidence", "OTAPRIO_PLAN_EVIDENCE_"),
    PlanUnmet: ("otaprio_plan_breakglass_unmet", "OTAPRIO_PLAN_UNMET_"),
    PlanPathStatus: ("otaprio_plan_path_status", "OTAPRIO_PLAN_PATH_"),
}
