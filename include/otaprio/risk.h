/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/risk.h
 * @brief Risk engine: how urgent a fix is (defect score and tier T0-T3),
 *        how critical each device is, how risky delivery is right now, and
 *        each device's priority and disposition, every number explained.
 *
 * Two scores are kept apart on purpose. The **defect score** of a fix
 * (otaprio_risk_score_issue()) says how bad, how exploitable and how
 * widespread the flaw is, and gives the fix its tier. Per device
 * (otaprio_risk_score_devices()), the **criticality** says how important
 * the endpoint is, the **delivery risk** how likely installing now is to
 * hurt it, and the **priority** combines the defect score with the
 * criticality and past failed attempts; the **disposition** says whether the
 * device may take the fix now, and the reason bits say why not.
 *
 * Every score is a sum of points, computed in whole thousandths of a point
 * so that its explanation (one ::otaprio_factor_points per factor) adds up
 * to it exactly. The weights live in an ::otaprio_risk_policy whose defaults
 * follow the reference scorecard; a second model, a CISA SSVC decision
 * table, can decide the tier instead (#OTAPRIO_RISK_MODEL_SSVC).
 *
 * A policy is compiled once into an immutable ::otaprio_risk_model, which
 * any number of threads may use at once.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_RISK_H
#define OTAPRIO_RISK_H

#include "otaprio/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- what a fix is ---------------------------------------------------- */

/** @brief Kind of defect a fix addresses. @since 0.1.0 */
typedef enum otaprio_issue_class {
    OTAPRIO_ISSUE_SECURITY = 0,  /**< a vulnerability @since 0.1.0 */
    OTAPRIO_ISSUE_STABILITY = 1, /**< crashes, hangs, boot loops @since 0.1.0 */
    OTAPRIO_ISSUE_COMPLIANCE = 2, /**< regulatory or contractual @since 0.1.0 */
    OTAPRIO_ISSUE_PERFORMANCE = 3, /**< speed, battery, thermal @since 0.1.0 */
    OTAPRIO_ISSUE_COSMETIC = 4     /**< appearance only @since 0.1.0 */
} otaprio_issue_class;

/** @brief Severity of one dimension of harm, in increasing order. @since 0.1.0
 */
typedef enum otaprio_level {
    OTAPRIO_LEVEL_NONE = 0,     /**< no harm of this kind @since 0.1.0 */
    OTAPRIO_LEVEL_LOW = 1,      /**< low @since 0.1.0 */
    OTAPRIO_LEVEL_MODERATE = 2, /**< moderate @since 0.1.0 */
    OTAPRIO_LEVEL_HIGH = 3,     /**< high @since 0.1.0 */
    OTAPRIO_LEVEL_CRITICAL = 4  /**< critical @since 0.1.0 */
} otaprio_level;

/** @brief How an attacker reaches the flaw, in increasing reach. @since 0.1.0
 */
typedef enum otaprio_attack_path {
    OTAPRIO_ATTACK_NONE = 0,     /**< not attacker-reachable @since 0.1.0 */
    OTAPRIO_ATTACK_PHYSICAL = 1, /**< needs hands on the device @since 0.1.0 */
    OTAPRIO_ATTACK_LOCAL = 2,    /**< needs code on the device @since 0.1.0 */
    OTAPRIO_ATTACK_ADJACENT = 3, /**< same network segment @since 0.1.0 */
    OTAPRIO_ATTACK_REMOTE = 4    /**< over the internet @since 0.1.0 */
} otaprio_attack_path;

/** @brief What is known of exploitation, in increasing maturity. @since 0.1.0
 */
typedef enum otaprio_exploit {
    OTAPRIO_EXPLOIT_NONE = 0,  /**< no known exploit @since 0.1.0 */
    OTAPRIO_EXPLOIT_POC = 1,   /**< public proof of concept @since 0.1.0 */
    OTAPRIO_EXPLOIT_ACTIVE = 2 /**< exploited in the wild @since 0.1.0 */
} otaprio_exploit;

/** @brief Layer of the device the package changes. @since 0.1.0 */
typedef enum otaprio_layer {
    OTAPRIO_LAYER_APP = 0,        /**< an application @since 0.1.0 */
    OTAPRIO_LAYER_CONFIG = 1,     /**< configuration only @since 0.1.0 */
    OTAPRIO_LAYER_OS = 2,         /**< operating system image @since 0.1.0 */
    OTAPRIO_LAYER_KERNEL = 3,     /**< kernel @since 0.1.0 */
    OTAPRIO_LAYER_BOOTLOADER = 4, /**< bootloader @since 0.1.0 */
    OTAPRIO_LAYER_BASEBAND = 5,   /**< modem firmware @since 0.1.0 */
    OTAPRIO_LAYER_BATTERY = 6     /**< battery management @since 0.1.0 */
} otaprio_layer;

/** @brief Business-critical workflows a defect touches (bit flags).
 *  @since 0.1.0 */
typedef enum otaprio_workflow {
    /** Authentication. @since 0.1.0 */
    OTAPRIO_WORKFLOW_AUTH = 1u << 0,
    /** Payment. @since 0.1.0 */
    OTAPRIO_WORKFLOW_PAYMENT = 1u << 1,
    /** Emergency communication. @since 0.1.0 */
    OTAPRIO_WORKFLOW_EMERGENCY = 1u << 2,
    /** Physical safety. @since 0.1.0 */
    OTAPRIO_WORKFLOW_SAFETY = 1u << 3,
    /** Connectivity. @since 0.1.0 */
    OTAPRIO_WORKFLOW_CONNECTIVITY = 1u << 4,
    /** Certificates and identity. @since 0.1.0 */
    OTAPRIO_WORKFLOW_IDENTITY = 1u << 5
} otaprio_workflow;

/** @brief Every defined ::otaprio_workflow bit. @since 0.1.0 */
#define OTAPRIO_WORKFLOW_ALL 0x3Fu

/**
 * @brief A fix and the defect it addresses.
 *
 * Prepare with otaprio_issue_init(): every field starts at its "nothing
 * known" value (no harm, no exploit, nothing affected, an app-layer
 * package), so a host sets only what it knows.
 * @since 0.1.0
 */
typedef struct otaprio_issue {
    /** Caller's `sizeof(otaprio_issue)`, set by otaprio_issue_init().
     *  @since 0.1.0 */
    size_t size;
    /** An ::otaprio_issue_class. Default #OTAPRIO_ISSUE_STABILITY. @since 0.1.0
     */
    int32_t issue_class;
    /** Security impact, an ::otaprio_level. @since 0.1.0 */
    int32_t security_impact;
    /** Data loss, an ::otaprio_level. @since 0.1.0 */
    int32_t data_loss;
    /** Uptime loss, an ::otaprio_level. @since 0.1.0 */
    int32_t uptime_loss;
    /** Regulatory or contractual exposure, an ::otaprio_level. @since 0.1.0 */
    int32_t regulatory_exposure;
    /** An ::otaprio_attack_path. @since 0.1.0 */
    int32_t attack_path;
    /** An ::otaprio_exploit. @since 0.1.0 */
    int32_t exploit;
    /** 1 when exploitation can be automated (SSVC "automatable"), else 0.
     *  @since 0.1.0 */
    int32_t automatable;
    /** 1 when otaprio_issue::epss holds a probability, else 0. @since 0.1.0 */
    int32_t has_epss;
    /** EPSS-style probability of exploitation within 30 days, in [0, 1];
     *  read only when otaprio_issue::has_epss is 1. @since 0.1.0 */
    double epss;
    /** Share of the fleet on affected builds, in [0, 1]. @since 0.1.0 */
    double affected_share;
    /** Geographic concentration of affected devices, in [0, 1]: 1 when they
     *  all sit in one region, where an outage hits together. @since 0.1.0 */
    double concentration;
    /** Workflows touched: ::otaprio_workflow bits. @since 0.1.0 */
    uint32_t workflows;
    /** Device classes on affected builds: bit `c` set for class `c` (see
     *  ::otaprio_device_class). @since 0.1.0 */
    uint32_t affected_classes;
    /** Layer the package changes, an ::otaprio_layer. @since 0.1.0 */
    int32_t layer;
    /** 1 when the package installs to an A/B slot and can fall back, else
     *  0. @since 0.1.0 */
    int32_t ab_slot;
    /** Observed telemetry anomaly rate attributed to the defect (share of
     *  devices showing it), in [0, 1]. @since 0.1.0 */
    double anomaly_rate;
    /** 1 when that anomaly rate is growing, else 0. @since 0.1.0 */
    int32_t anomaly_growing;
    /** 1 when a cosmetic defect hides a real regression, else 0: it then
     *  scores as more than cosmetic. @since 0.1.0 */
    int32_t masks_regression;
    /** Package size in bytes (0 when unknown), against which free storage
     *  and metered links are judged. @since 0.1.0 */
    uint64_t package_bytes;
} otaprio_issue;

/**
 * @brief Prepares an issue: nothing known yet.
 *
 * Call as `otaprio_issue_init(&issue)`; the macro passes `sizeof(issue)`.
 * Thread-safe.
 * @param issue the struct to prepare.
 * @param size the caller's `sizeof(otaprio_issue)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_issue_init(otaprio_issue *issue, size_t size);

/* ---- what a device is ------------------------------------------------- */

/**
 * @brief Device classes with default criticalities. Values up to
 *        #OTAPRIO_DEVICE_CLASS_MAX - 1 are valid; hosts may give the unnamed
 *        ones a criticality of their own in the policy.
 * @since 0.1.0
 */
typedef enum otaprio_device_class {
    OTAPRIO_DEVICE_OTHER = 0,      /**< unclassified @since 0.1.0 */
    OTAPRIO_DEVICE_HANDSET = 1,    /**< consumer handset @since 0.1.0 */
    OTAPRIO_DEVICE_WEARABLE = 2,   /**< wearable @since 0.1.0 */
    OTAPRIO_DEVICE_CAMERA = 3,     /**< camera @since 0.1.0 */
    OTAPRIO_DEVICE_KIOSK = 4,      /**< kiosk @since 0.1.0 */
    OTAPRIO_DEVICE_POS = 5,        /**< point of sale @since 0.1.0 */
    OTAPRIO_DEVICE_ROUTER = 6,     /**< router @since 0.1.0 */
    OTAPRIO_DEVICE_GATEWAY = 7,    /**< gateway @since 0.1.0 */
    OTAPRIO_DEVICE_INDUSTRIAL = 8, /**< industrial controller @since 0.1.0 */
    OTAPRIO_DEVICE_MEDICAL = 9,    /**< medical device @since 0.1.0 */
    OTAPRIO_DEVICE_VEHICLE = 10    /**< vehicle @since 0.1.0 */
} otaprio_device_class;

/** @brief Number of device class values (and policy table entries).
 *  @since 0.1.0 */
#define OTAPRIO_DEVICE_CLASS_MAX 32

/** @brief Customer tier of a device's owner, in increasing weight. @since 0.1.0
 */
typedef enum otaprio_customer_tier {
    OTAPRIO_CUSTOMER_STANDARD = 0,   /**< standard @since 0.1.0 */
    OTAPRIO_CUSTOMER_BUSINESS = 1,   /**< business @since 0.1.0 */
    OTAPRIO_CUSTOMER_ENTERPRISE = 2, /**< enterprise @since 0.1.0 */
    OTAPRIO_CUSTOMER_CRITICAL = 3 /**< critical-service contract @since 0.1.0 */
} otaprio_customer_tier;

/** @brief How exposed a device is to networks, in increasing exposure.
 *  @since 0.1.0 */
typedef enum otaprio_exposure {
    OTAPRIO_EXPOSURE_ISOLATED = 0, /**< no network path in @since 0.1.0 */
    OTAPRIO_EXPOSURE_INTERNAL = 1, /**< private network @since 0.1.0 */
    OTAPRIO_EXPOSURE_PUBLIC = 2    /**< internet-facing @since 0.1.0 */
} otaprio_exposure;

/** @brief Operating mode, in increasing uptime sensitivity. @since 0.1.0 */
typedef enum otaprio_uptime {
    OTAPRIO_UPTIME_BATCH = 0, /**< overnight batch; idle windows @since 0.1.0 */
    OTAPRIO_UPTIME_BUSINESS = 1,  /**< busy in business hours @since 0.1.0 */
    OTAPRIO_UPTIME_CONTINUOUS = 2 /**< always in service @since 0.1.0 */
} otaprio_uptime;

/** @brief A device's current connection. @since 0.1.0 */
typedef enum otaprio_link {
    OTAPRIO_LINK_ETHERNET = 0, /**< wired @since 0.1.0 */
    OTAPRIO_LINK_WIFI = 1,     /**< Wi-Fi @since 0.1.0 */
    OTAPRIO_LINK_CELLULAR = 2, /**< cellular, home network @since 0.1.0 */
    OTAPRIO_LINK_ROAMING =
        3, /**< cellular, roaming (treated as metered) @since 0.1.0 */
    OTAPRIO_LINK_SATELLITE = 4 /**< satellite @since 0.1.0 */
} otaprio_link;

/**
 * @brief A chunk of devices as columns: one array per attribute, each of
 *        otaprio_devices::count elements, or NULL when the host has no such
 * data and the documented default applies to every device.
 *
 * Prepare with otaprio_devices_init(), which sets every column to NULL.
 * Flag columns hold 0 or 1; any other byte is an error.
 * @since 0.1.0
 */
typedef struct otaprio_devices {
    /** Caller's `sizeof(otaprio_devices)`, set by otaprio_devices_init().
     * @since 0.1.0 */
    size_t size;
    /** Number of devices in the chunk. @since 0.1.0 */
    size_t count;
    /** ::otaprio_device_class, below #OTAPRIO_DEVICE_CLASS_MAX; default
     *  #OTAPRIO_DEVICE_OTHER. @since 0.1.0 */
    const uint8_t *device_class;
    /** ::otaprio_customer_tier; default #OTAPRIO_CUSTOMER_STANDARD.
     *  @since 0.1.0 */
    const uint8_t *customer_tier;
    /** ::otaprio_exposure; default #OTAPRIO_EXPOSURE_INTERNAL. @since 0.1.0 */
    const uint8_t *exposure;
    /** 1 when a redundant peer can take over; default 0. @since 0.1.0 */
    const uint8_t *redundant;
    /** ::otaprio_uptime; default #OTAPRIO_UPTIME_BUSINESS. @since 0.1.0 */
    const uint8_t *uptime;
    /** 1 when the device can fall back safely (A/B slot, recovery image);
     *  default 0. @since 0.1.0 */
    const uint8_t *safe_fallback;
    /** Battery charge in [0, 1]; default 1 (devices on mains). @since 0.1.0 */
    const float *battery;
    /** 1 when charging; default 0. @since 0.1.0 */
    const uint8_t *charging;
    /** ::otaprio_link; default #OTAPRIO_LINK_ETHERNET. @since 0.1.0 */
    const uint8_t *link;
    /** 1 on a metered connection; default 0. @since 0.1.0 */
    const uint8_t *metered;
    /** Free storage in bytes; default unlimited. @since 0.1.0 */
    const uint64_t *free_bytes;
    /** Consecutive failed update attempts; default 0. @since 0.1.0 */
    const uint32_t *failed_attempts;
    /** Days since the device last checked in; default 0. @since 0.1.0 */
    const uint32_t *days_offline;
    /** 1 when the device is in its busy period now (outside its maintenance
     *  window); default 0. @since 0.1.0 */
    const uint8_t *busy;
    /** 1 when the device runs an affected build; default 1. @since 0.1.0 */
    const uint8_t *affected;
    /** 1 when a prerequisite is missing (see the graph engine); default 0.
     *  @since 0.1.0 */
    const uint8_t *prerequisite_missing;
    /** 1 when the host's own policy excludes the device; default 0.
     *  @since 0.1.0 */
    const uint8_t *excluded;
} otaprio_devices;

/**
 * @brief Prepares a device chunk: no devices, every column NULL.
 *
 * Call as `otaprio_devices_init(&devices)`. Thread-safe.
 * @param devices the struct to prepare.
 * @param size the caller's `sizeof(otaprio_devices)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_devices_init(otaprio_devices *devices, size_t size);

/* ---- what the engine answers ------------------------------------------ */

/** @brief Priority tier of a fix. @since 0.1.0 */
typedef enum otaprio_tier {
    OTAPRIO_TIER_T0 = 0, /**< emergency push now @since 0.1.0 */
    OTAPRIO_TIER_T1 = 1, /**< accelerated staged rollout @since 0.1.0 */
    OTAPRIO_TIER_T2 = 2, /**< normal canary @since 0.1.0 */
    OTAPRIO_TIER_T3 = 3  /**< hold for a maintenance window or compatibility
                              validation @since 0.1.0 */
} otaprio_tier;

/** @brief What a device may do with the fix now; a larger value wins.
 *  @since 0.1.0 */
typedef enum otaprio_disposition {
    /** May install now. @since 0.1.0 */
    OTAPRIO_DISPOSITION_ELIGIBLE = 0,
    /** Later: a passing condition stands in the way. @since 0.1.0 */
    OTAPRIO_DISPOSITION_DEFER = 1,
    /** A prerequisite is missing. @since 0.1.0 */
    OTAPRIO_DISPOSITION_BLOCKED = 2,
    /** Not for this device. @since 0.1.0 */
    OTAPRIO_DISPOSITION_EXCLUDED = 3
} otaprio_disposition;

/** @brief Why a device is not eligible, or what to watch (bit flags).
 *  @since 0.1.0 */
typedef enum otaprio_reason {
    /** Defer: battery below the policy minimum and not charging. @since 0.1.0
     */
    OTAPRIO_REASON_LOW_BATTERY = 1u << 0,
    /** Defer: metered or roaming link and a package above the policy's
     *  metered limit. @since 0.1.0 */
    OTAPRIO_REASON_METERED_LARGE = 1u << 1,
    /** Defer: free storage below package size times the policy headroom.
     *  @since 0.1.0 */
    OTAPRIO_REASON_LOW_STORAGE = 1u << 2,
    /** Defer: busy now, outside its maintenance window. @since 0.1.0 */
    OTAPRIO_REASON_MAINTENANCE_WINDOW = 1u << 3,
    /** Blocked: a prerequisite is missing. @since 0.1.0 */
    OTAPRIO_REASON_PREREQUISITE = 1u << 4,
    /** Excluded: the host's policy excludes the device. @since 0.1.0 */
    OTAPRIO_REASON_POLICY = 1u << 5,
    /** Excluded: the device does not run an affected build. @since 0.1.0 */
    OTAPRIO_REASON_NOT_AFFECTED = 1u << 6,
    /** Excluded: the risk policy excludes the device's class. @since 0.1.0 */
    OTAPRIO_REASON_CLASS_EXCLUDED = 1u << 7,
    /** Notice: offline long enough to need a multi-step catch-up path.
     *  @since 0.1.0 */
    OTAPRIO_REASON_CATCH_UP = 1u << 8,
    /** Notice: repeated failed attempts (drift predicts failure).
     *  @since 0.1.0 */
    OTAPRIO_REASON_REPEATED_FAILURES = 1u << 9
} otaprio_reason;

/** @brief Number of ::otaprio_reason bits defined. @since 0.1.0 */
#define OTAPRIO_REASON_COUNT 10

/** @brief Which model decides the tier. @since 0.1.0 */
typedef enum otaprio_risk_model_kind {
    /** The weighted scorecard and its tier thresholds. @since 0.1.0 */
    OTAPRIO_RISK_MODEL_SCORECARD = 0,
    /** The CISA SSVC coordinator decision table (version 2.0.3) decides
     *  the tier of security issues: Act is T0, Attend T1, Track* and Track
     *  T2; other classes keep the scorecard's tier. Its decision points come
     *  from the issue: exploitation from otaprio_issue::exploit, automatable
     *  from otaprio_issue::automatable, technical impact is total when
     *  security impact or data loss is critical, and mission and well-being
     *  is high when the most critical affected class has a criticality of
     *  at least 0.8 or the defect touches emergency or safety workflows,
     *  medium at 0.5 or with any workflow, low otherwise. @since 0.1.0 */
    OTAPRIO_RISK_MODEL_SSVC = 1
} otaprio_risk_model_kind;

/** @brief Outcome of the CISA SSVC decision table, in increasing urgency.
 * @since 0.1.0 */
typedef enum otaprio_ssvc_decision {
    OTAPRIO_SSVC_TRACK = 0, /**< standard update timelines @since 0.1.0 */
    OTAPRIO_SSVC_TRACK_STAR =
        1, /**< standard timelines, watch closely @since 0.1.0 */
    OTAPRIO_SSVC_ATTEND = 2, /**< sooner than standard @since 0.1.0 */
    OTAPRIO_SSVC_ACT = 3     /**< as soon as possible @since 0.1.0 */
} otaprio_ssvc_decision;

/** @brief The score an explanation line belongs to. @since 0.1.0 */
typedef enum otaprio_score_kind {
    OTAPRIO_SCORE_DEFECT = 0,      /**< the fix's defect score @since 0.1.0 */
    OTAPRIO_SCORE_CRITICALITY = 1, /**< a device's criticality @since 0.1.0 */
    OTAPRIO_SCORE_DELIVERY = 2,    /**< a device's delivery risk @since 0.1.0 */
    OTAPRIO_SCORE_PRIORITY = 3     /**< a device's priority @since 0.1.0 */
} otaprio_score_kind;

/**
 * @brief Factors that earn points, named in explanations.
 * @since 0.1.0
 */
typedef enum otaprio_factor {
    OTAPRIO_FACTOR_ISSUE_CLASS = 1,     /**< kind of defect @since 0.1.0 */
    OTAPRIO_FACTOR_SECURITY_IMPACT = 2, /**< security impact @since 0.1.0 */
    OTAPRIO_FACTOR_DATA_LOSS = 3,       /**< data loss @since 0.1.0 */
    OTAPRIO_FACTOR_UPTIME_LOSS = 4,     /**< uptime loss @since 0.1.0 */
    OTAPRIO_FACTOR_REGULATORY = 5,      /**< regulatory exposure @since 0.1.0 */
    OTAPRIO_FACTOR_ATTACK_PATH = 6,     /**< attack path @since 0.1.0 */
    OTAPRIO_FACTOR_EXPLOIT = 7,         /**< exploit maturity @since 0.1.0 */
    OTAPRIO_FACTOR_AUTOMATABLE = 8,     /**< automatable @since 0.1.0 */
    OTAPRIO_FACTOR_EPSS = 9,            /**< exploit probability @since 0.1.0 */
    OTAPRIO_FACTOR_AFFECTED_SHARE =
        10, /**< share of fleet affected @since 0.1.0 */
    OTAPRIO_FACTOR_CONCENTRATION =
        11, /**< geographic concentration @since 0.1.0 */
    OTAPRIO_FACTOR_WORKFLOWS =
        12, /**< critical workflows touched @since 0.1.0 */
    OTAPRIO_FACTOR_AFFECTED_CLASSES =
        13, /**< most critical class affected @since 0.1.0 */
    OTAPRIO_FACTOR_LAYER =
        14, /**< layer changed (rollback complexity) @since 0.1.0 */
    OTAPRIO_FACTOR_AB_SLOT = 15,      /**< A/B slot @since 0.1.0 */
    OTAPRIO_FACTOR_ANOMALY_RATE = 16, /**< observed anomaly rate @since 0.1.0 */
    OTAPRIO_FACTOR_ANOMALY_GROWING = 17, /**< anomaly growing @since 0.1.0 */
    OTAPRIO_FACTOR_MASKS_REGRESSION =
        18, /**< cosmetic masking a regression @since 0.1.0 */
    OTAPRIO_FACTOR_DEVICE_CLASS = 32,  /**< device class @since 0.1.0 */
    OTAPRIO_FACTOR_CUSTOMER_TIER = 33, /**< customer tier @since 0.1.0 */
    OTAPRIO_FACTOR_EXPOSURE = 34,      /**< network exposure @since 0.1.0 */
    OTAPRIO_FACTOR_NO_REDUNDANCY = 35, /**< no redundant peer @since 0.1.0 */
    OTAPRIO_FACTOR_UPTIME = 36,        /**< uptime sensitivity @since 0.1.0 */
    OTAPRIO_FACTOR_DEFECT_SCORE =
        48, /**< share of the defect score @since 0.1.0 */
    OTAPRIO_FACTOR_CRITICALITY =
        49, /**< share of the criticality @since 0.1.0 */
    OTAPRIO_FACTOR_FAILED_ATTEMPTS = 50, /**< failed attempts @since 0.1.0 */
    OTAPRIO_FACTOR_BATTERY = 64, /**< low battery, not charging @since 0.1.0 */
    OTAPRIO_FACTOR_LINK = 65,    /**< connection type @since 0.1.0 */
    OTAPRIO_FACTOR_METERED = 66, /**< metered connection @since 0.1.0 */
    OTAPRIO_FACTOR_STORAGE = 67, /**< storage short of headroom @since 0.1.0 */
    OTAPRIO_FACTOR_SAFE_FALLBACK = 68, /**< safe fallback @since 0.1.0 */
    OTAPRIO_FACTOR_SSVC_DECISION =
        80,                   /**< SSVC decision (0 points) @since 0.1.0 */
    OTAPRIO_FACTOR_BOUND = 96 /**< score held within [0, 100] @since 0.1.0 */
} otaprio_factor;

/**
 * @brief One line of an explanation: a factor, the input that earned it,
 *        and its points.
 *
 * The otaprio_factor_points::milli of all lines of one score add up exactly to
 * that score's thousandths.
 * @since 0.1.0
 */
typedef struct otaprio_factor_points {
    /** The score this line belongs to, an ::otaprio_score_kind. @since 0.1.0 */
    int32_t score;
    /** An ::otaprio_factor. @since 0.1.0 */
    int32_t factor;
    /** The input value behind it: an enum value, a level, a count, a share
     *  or probability, or a sub-score (as a number of points). @since 0.1.0 */
    double input;
    /** Points contributed, in thousandths (may be negative). @since 0.1.0 */
    int64_t milli;
} otaprio_factor_points;

/**
 * @brief The fix's defect score and tier, filled by
 *        otaprio_risk_score_issue(); set `size` to `sizeof` first.
 *
 * A host may also fill one itself to score devices against a defect score
 * of its own.
 * @since 0.1.0
 */
typedef struct otaprio_issue_score {
    /** Caller's `sizeof(otaprio_issue_score)`. @since 0.1.0 */
    size_t size;
    /** The fix's tier, an ::otaprio_tier. @since 0.1.0 */
    int32_t tier;
    /** The SSVC decision for the issue (computed under both models), an
     *  ::otaprio_ssvc_decision. @since 0.1.0 */
    int32_t ssvc;
    /** Defect score in thousandths of a point, 0 to 100000. @since 0.1.0 */
    int64_t score_milli;
    /** The same score in points. Written by otaprio_risk_score_issue();
     *  on input the library reads otaprio_issue_score::score_milli and
     *  ignores this field. @since 0.1.0 */
    double score;
    /** The package size, copied from otaprio_issue::package_bytes, against
     *  which devices' storage and metered links are judged. @since 0.1.0 */
    uint64_t package_bytes;
} otaprio_issue_score;

/**
 * @brief Per-device answers, written to caller arrays of `count` elements;
 *        each pointer may be NULL when the host does not want that output.
 *
 * Prepare with otaprio_device_results_init().
 * @since 0.1.0
 */
typedef struct otaprio_device_results {
    /** Caller's `sizeof(otaprio_device_results)`. @since 0.1.0 */
    size_t size;
    /** Priority in points, 0 to 100: higher is more urgent. @since 0.1.0 */
    double *priority;
    /** An ::otaprio_disposition per device. @since 0.1.0 */
    uint8_t *disposition;
    /** ::otaprio_reason bits per device. @since 0.1.0 */
    uint32_t *reasons;
    /** Criticality in points, 0 to 100. @since 0.1.0 */
    double *criticality;
    /** Delivery risk in points, 0 to 100. @since 0.1.0 */
    double *delivery_risk;
} otaprio_device_results;

/**
 * @brief Prepares a results struct: every output NULL.
 *
 * Call as `otaprio_device_results_init(&results)`. Thread-safe.
 * @param results the struct to prepare.
 * @param size the caller's `sizeof(otaprio_device_results)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_device_results_init(otaprio_device_results *results,
                                            size_t size);

/**
 * @brief Counts over every device a stream scored; set `size` to `sizeof`.
 * @since 0.1.0
 */
typedef struct otaprio_risk_totals {
    /** Caller's `sizeof(otaprio_risk_totals)`. @since 0.1.0 */
    size_t size;
    /** Devices scored. @since 0.1.0 */
    uint64_t devices;
    /** Devices per ::otaprio_disposition. @since 0.1.0 */
    uint64_t by_disposition[4];
    /** Devices with each ::otaprio_reason bit set: entry `b` counts bit
     *  `1 << b`. @since 0.1.0 */
    uint64_t by_reason[16];
} otaprio_risk_totals;

/* ---- policy ----------------------------------------------------------- */

/**
 * @brief Weights, tables and thresholds of the risk engine.
 *
 * otaprio_risk_policy_init() fills the documented defaults, which follow the
 * reference scorecard: active exploitation of a security flaw goes to the
 * top, cosmetic fixes wait, a moderate defect on high-value device classes
 * can outrank a severe one on a tiny isolated cohort, hard-to-revert layers
 * slow a rollout down. Points are in score points (a score runs from 0 to
 * 100) and are rounded to the nearest thousandth. Table entries past the
 * named values of an enum are reserved and must stay 0, except the device
 * class tables, which the host may extend.
 *
 * Every weight must be finite and within ±1000 points. Rules that keep the
 * scores monotone are enforced when the model is built: the severity,
 * exploitability, blast-radius and criticality weights are non-negative
 * and their tables non-decreasing in the enum's order; so are the anomaly,
 * masks-regression, workflow-cap, failed-attempt and delivery-risk
 * weights, except the safe fallback's, which is at most 0.
 * @since 0.1.0
 */
typedef struct otaprio_risk_policy {
    /** Caller's `sizeof(otaprio_risk_policy)`. @since 0.1.0 */
    size_t size;
    /** An ::otaprio_risk_model_kind; default scorecard. @since 0.1.0 */
    int32_t model;
    /** Points per ::otaprio_issue_class; default {10, 6, 6, 2, -10}.
     *  @since 0.1.0 */
    double class_points[8];
    /** Points at #OTAPRIO_LEVEL_CRITICAL for security impact, data loss,
     *  uptime loss and regulatory exposure, scaled by level / 4; default
     *  {16, 12, 10, 10}. @since 0.1.0 */
    double severity_points[4];
    /** Points per ::otaprio_attack_path; default {0, 1, 4, 7, 12}. @since 0.1.0
     */
    double attack_path_points[8];
    /** Points per ::otaprio_exploit; default {0, 8, 18}. @since 0.1.0 */
    double exploit_points[4];
    /** Points when automatable; default 6. @since 0.1.0 */
    double automatable_points;
    /** Points at an EPSS probability of 1, scaled linearly; default 10.
     *  @since 0.1.0 */
    double epss_points;
    /** Points when the whole fleet is affected, scaled by the square root
     *  of the share (a small share still counts); default 14. @since 0.1.0 */
    double share_points;
    /** Points at full geographic concentration; default 4. @since 0.1.0 */
    double concentration_points;
    /** Points per critical workflow touched; default 4. @since 0.1.0 */
    double workflow_points;
    /** Cap on the workflow points; default 12. @since 0.1.0 */
    double workflow_cap;
    /** Points times the criticality of the most critical affected class;
     *  default 10. @since 0.1.0 */
    double affected_class_points;
    /** Points per ::otaprio_layer (rollback complexity: hard layers slow the
     *  rollout); default {0, 0, -2, -4, -8, -8, -8}. @since 0.1.0 */
    double layer_points[8];
    /** Points when the package has an A/B slot; default 4. @since 0.1.0 */
    double ab_slot_points;
    /** Points at an anomaly rate of 1, scaled linearly; default 20.
     *  @since 0.1.0 */
    double anomaly_points;
    /** Points when the anomaly is growing; default 6. @since 0.1.0 */
    double anomaly_growing_points;
    /** Points when a cosmetic defect masks a regression; default 20.
     *  @since 0.1.0 */
    double masks_regression_points;
    /** Lowest scores of T0, T1 and T2, within [0, 100] and strictly
     *  decreasing; default {70, 50, 25}. @since 0.1.0 */
    double tier_thresholds[3];
    /** 1: under the scorecard model, a security issue exploited in the wild
     *  is T0 whatever its score (under the SSVC model the table decides
     *  security tiers); default 1. @since 0.1.0 */
    int32_t active_exploit_t0;
    /** 1: under the scorecard model, a cosmetic issue that masks no
     *  regression is T3 whatever its score; default 1. @since 0.1.0 */
    int32_t cosmetic_t3;
    /** Criticality of each ::otaprio_device_class in [0, 1]; default
     *  {0.3, 0.2, 0.1, 0.4, 0.5, 0.8, 0.6, 0.7, 0.9, 1.0, 0.9, then 0.3}.
     *  @since 0.1.0 */
    double class_criticality[OTAPRIO_DEVICE_CLASS_MAX];
    /** Criticality points times the class criticality; default 40. @since 0.1.0
     */
    double class_points_device;
    /** Points per ::otaprio_customer_tier; default {0, 6, 12, 20}. @since 0.1.0
     */
    double customer_points[4];
    /** Points per ::otaprio_exposure; default {0, 6, 15}. @since 0.1.0 */
    double exposure_points[4];
    /** Points without a redundant peer; default 10. @since 0.1.0 */
    double no_redundancy_points;
    /** Points per ::otaprio_uptime; default {0, 5, 15}. @since 0.1.0 */
    double uptime_points[4];
    /** Share of the defect score in the priority, in [0, 1]; default 0.6.
     *  @since 0.1.0 */
    double defect_share;
    /** Share of the criticality in the priority, in [0, 1]; default 0.4.
     *  @since 0.1.0 */
    double criticality_share;
    /** Priority points per failed attempt; default 3. @since 0.1.0 */
    double failed_attempt_points;
    /** Cap on the failed-attempt points; default 10. @since 0.1.0 */
    double failed_attempt_cap;
    /** Failed attempts from which #OTAPRIO_REASON_REPEATED_FAILURES is set,
     *  0 to never set it; default 3. @since 0.1.0 */
    uint32_t repeated_failures;
    /** Battery level below which an idle battery adds delivery risk, in
     *  [2^-20, 1]; default 0.5. @since 0.1.0 */
    double battery_risk_level;
    /** Delivery-risk points of an empty, idle battery, scaled linearly up to
     *  otaprio_risk_policy::battery_risk_level; default 40. @since 0.1.0 */
    double battery_points;
    /** Battery level below which an idle device defers, in [0, 1]; default
     *  0.2. Battery levels are compared in single precision, as the
     *  column holds them, so a battery of 0.2f is not below 0.2.
     *  @since 0.1.0 */
    double min_battery;
    /** Delivery-risk points per ::otaprio_link; default {0, 3, 10, 20, 25}.
     *  @since 0.1.0 */
    double link_points[8];
    /** Delivery-risk points on a metered link; default 10. @since 0.1.0 */
    double metered_points;
    /** Delivery-risk points when free storage is short; default 20.
     *  @since 0.1.0 */
    double storage_points;
    /** Delivery-risk points with a safe fallback, at most 0 (a fallback
     *  never adds risk); default -10. @since 0.1.0 */
    double safe_fallback_points;
    /** Free storage needed, as a multiple of the package size, in [1, 1000];
     *  default 2. @since 0.1.0 */
    double storage_headroom;
    /** Largest package sent over a metered or roaming link; default
     *  50 MiB. @since 0.1.0 */
    uint64_t metered_max_bytes;
    /** Days offline from which a catch-up path is flagged, 0 to never flag
     *  it; default 14. @since 0.1.0 */
    uint32_t catch_up_days;
    /** 1: a T0 fix overrides maintenance windows; default 1. @since 0.1.0 */
    int32_t t0_overrides_window;
    /** Device classes excluded from the rollout: bit `c` for class `c`;
     *  default 0. @since 0.1.0 */
    uint32_t excluded_classes;
} otaprio_risk_policy;

/**
 * @brief Prepares a policy with the documented defaults.
 *
 * Call as `otaprio_risk_policy_init(&policy)`. Thread-safe.
 * @param policy the struct to prepare.
 * @param size the caller's `sizeof(otaprio_risk_policy)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_risk_policy_init(otaprio_risk_policy *policy,
                                         size_t size);

/**
 * @brief A compiled risk policy. Immutable once built: any number of
 *        threads may score with one model at once.
 * @since 0.1.0
 */
typedef struct otaprio_risk_model otaprio_risk_model;

/**
 * @brief Validates a policy and compiles it into a model.
 *
 * Thread-safe.
 * @param policy the policy, or NULL for the defaults.
 * @param allocator the allocator the model uses for its whole life, or NULL
 *                  for the C library's.
 * @param[out] model receives the model; untouched on failure.
 * @param[out] diag optional; names the offending policy field on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL @p model;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a weight that is not
 *         finite, beyond ±1000 points, negative where it must not be, or a
 *         table out of order; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_risk_model_create(const otaprio_risk_policy *policy,
                                          const otaprio_allocator *allocator,
                                          otaprio_risk_model **model,
                                          otaprio_diag *diag);

/**
 * @brief Frees a model; NULL is a no-op. Not thread-safe with calls still
 *        using the model.
 * @param model the model.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_risk_model_free(otaprio_risk_model *model);

/**
 * @brief Scores a fix: its defect score, its tier, and the explanation.
 *
 * With @p items non-NULL, the explanation is written there (lines of
 * #OTAPRIO_SCORE_DEFECT whose points add up to the score). @p count
 * receives the number of lines on success and when @p capacity is too
 * small; then nothing else is written and #OTAPRIO_E_RANGE is returned, so
 * a host can ask for the count first with @p items NULL.
 *
 * Thread-safe.
 * @param model the model.
 * @param issue the fix.
 * @param[out] score receives the score; its `size` must be set.
 * @param[out] items explanation lines, or NULL.
 * @param capacity number of elements @p items can hold.
 * @param[out] count receives the number of explanation lines, or NULL.
 * @param[out] diag optional; names the offending field on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arguments;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for an enum, flag,
 *         share or probability out of range, NaN included, or a too small
 *         @p capacity.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_risk_score_issue(const otaprio_risk_model *model,
                                         const otaprio_issue *issue,
                                         otaprio_issue_score *score,
                                         otaprio_factor_points *items,
                                         size_t capacity, size_t *count,
                                         otaprio_diag *diag);

/**
 * @brief Scores a chunk of devices for a scored fix.
 *
 * Every column is validated before anything is written: on error the
 * result arrays are untouched and @p diag names the column and the device
 * index. Allocates nothing; time is linear in the chunk.
 *
 * Thread-safe, on distinct result arrays.
 * @param model the model.
 * @param issue the fix's score, from otaprio_risk_score_issue().
 * @param devices the chunk.
 * @param[out] results where the answers go.
 * @param[out] diag optional; filled on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID when an argument is NULL (a NULL
 *         column is not an error: it takes its default);
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a value out of its
 *         domain (an enum or flag out of range, a NaN or out-of-range
 *         battery level, an issue score outside 0 to 100).
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_risk_score_devices(
    const otaprio_risk_model *model, const otaprio_issue_score *issue,
    const otaprio_devices *devices, const otaprio_device_results *results,
    otaprio_diag *diag);

/**
 * @brief Supplies the next chunk of a stream: fills @p devices (count 0
 *        ends the stream) and @p results, which the library then scores.
 * @param user the stream's user pointer.
 * @param[out] devices prepared by the library; set the count and columns.
 * @param[out] results prepared by the library; set the output arrays.
 * @return 0 to go on; any other value stops the stream and is returned by
 *         otaprio_risk_score_stream() unchanged.
 * @since 0.1.0
 */
typedef int (*otaprio_device_source_fn)(void *user, otaprio_devices *devices,
                                        otaprio_device_results *results);

/**
 * @brief Scores devices chunk by chunk, in memory bounded by the chunk.
 *
 * Thread-safe, on distinct streams.
 * @param model the model.
 * @param issue the fix's score.
 * @param source called for each chunk until it returns a chunk of 0
 *               devices or a non-zero status.
 * @param user passed to @p source.
 * @param[out] totals optional counts over the whole stream; its `size`
 *                    must be set. Written only when the stream succeeds.
 * @param[out] diag optional; on a bad chunk the index is within that chunk.
 * @return #OTAPRIO_OK, a status of otaprio_risk_score_devices(), or the
 *         callback's own non-zero value.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_risk_score_stream(const otaprio_risk_model *model,
                                          const otaprio_issue_score *issue,
                                          otaprio_device_source_fn source,
                                          void *user,
                                          otaprio_risk_totals *totals,
                                          otaprio_diag *diag);

/**
 * @brief A device's scores with their explanations.
 * @since 0.1.0
 */
typedef struct otaprio_device_score {
    /** Caller's `sizeof(otaprio_device_score)`. @since 0.1.0 */
    size_t size;
    /** Priority in thousandths of a point. @since 0.1.0 */
    int64_t priority_milli;
    /** Criticality in thousandths of a point. @since 0.1.0 */
    int64_t criticality_milli;
    /** Delivery risk in thousandths of a point. @since 0.1.0 */
    int64_t delivery_milli;
    /** An ::otaprio_disposition. @since 0.1.0 */
    int32_t disposition;
    /** ::otaprio_reason bits. @since 0.1.0 */
    uint32_t reasons;
} otaprio_device_score;

/**
 * @brief Explains one device of a chunk: its scores, and one line per
 *        factor for its criticality, delivery risk and priority.
 *
 * The same numbers as otaprio_risk_score_devices() gives for that device.
 * @p items and @p count follow otaprio_risk_score_issue().
 *
 * Thread-safe.
 * @param model the model.
 * @param issue the fix's score.
 * @param devices the chunk.
 * @param index the device, below `devices->count`.
 * @param[out] score receives the device's scores; its `size` must be set.
 * @param[out] items explanation lines, or NULL.
 * @param capacity number of elements @p items can hold.
 * @param[out] count receives the number of lines, or NULL.
 * @param[out] diag optional; filled on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for an index past the chunk, a value out of its
 *         domain, or a too small @p capacity.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_risk_explain_device(
    const otaprio_risk_model *model, const otaprio_issue_score *issue,
    const otaprio_devices *devices, size_t index, otaprio_device_score *score,
    otaprio_factor_points *items, size_t capacity, size_t *count,
    otaprio_diag *diag);

/* ---- names ------------------------------------------------------------ */

/**
 * @brief A short English label for an explanation line, for scorecards:
 *        "active exploitation", "remote attack path", "A/B slot",
 *        "medical device", "3 failed attempts" style.
 *
 * Thread-safe.
 * @param factor an ::otaprio_factor.
 * @param input the line's input value.
 * @return a static string; "unknown factor" for an unknown factor.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_factor_label(int32_t factor, double input);

/**
 * @brief Names a tier: "T0 emergency push now" and so on.
 * @param tier an ::otaprio_tier.
 * @return a static string; "unknown tier" when out of range.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_tier_name(int32_t tier);

/**
 * @brief Names a disposition: "eligible", "defer", "blocked", "excluded".
 * @param disposition an ::otaprio_disposition.
 * @return a static string; "unknown disposition" when out of range.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_disposition_name(int32_t disposition);

/**
 * @brief Names one reason bit: "low battery", "metered link and large
 *        package" and so on.
 * @param reason a single ::otaprio_reason bit.
 * @return a static string; "unknown reason" otherwise.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_reason_name(uint32_t reason);

/**
 * @brief Names an SSVC decision: "Track", "Track*", "Attend", "Act".
 * @param decision an ::otaprio_ssvc_decision.
 * @return a static string; "unknown decision" when out of range.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_ssvc_name(int32_t decision);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_issue_init(issue) otaprio_issue_init((issue), sizeof(*(issue)))
#define otaprio_devices_init(devices) \
    otaprio_devices_init((devices), sizeof(*(devices)))
#define otaprio_device_results_init(results) \
    otaprio_device_results_init((results), sizeof(*(results)))
#define otaprio_risk_policy_init(policy) \
    otaprio_risk_policy_init((policy), sizeof(*(policy)))
/** @endcond */

#endif /* OTAPRIO_RISK_H */
