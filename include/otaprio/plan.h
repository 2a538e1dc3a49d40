/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/plan.h
 * @brief The runbook planner: one call from "here is a fix" to "here is
 *        the rollout and its way back", and the pieces it stands on.
 *
 * otaprio_plan_create() walks the decision flow through the other engines'
 * public APIs: it classifies the fix (risk engine), scores fleet impact
 * from the dependency graph (graph engine), lets telemetry refine urgency
 * (guardrail engine), chooses the rollout shape (dogfood, employees,
 * low-criticality canaries, broad fleet; or an accelerated push) with soak
 * windows and guardrails per wave, samples each wave (cohort engine),
 * finds the update paths of blocked devices, and readies the rollback of
 * every wave (rollback engine). The fleet streams through a callback, in a
 * few passes; the planner's own working memory is bounded by the largest
 * chunk, the chains and the clusters, and the plan keeps the cohort of its
 * canary waves (the cohort engine's, which grows with the devices those
 * waves may select), never a copy of the fleet.
 *
 * otaprio_plan_canary_size() returns the smallest canary (devices for a
 * failure proportion, exposure for an event rate) whose one-sided test
 * detects a chosen relative rise over a baseline with a chosen power.
 *
 * otaprio_plan_breakglass_check() compares a break-glass request (its
 * approvals, its evidence and the cohorts it targets) with a policy and
 * lists every unmet requirement.
 *
 * docs/plan.md gives every rule. The sizing and break-glass functions
 * allocate nothing and keep no state; plans are immutable. All may be
 * used from any number of threads at once.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_PLAN_H
#define OTAPRIO_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/cohort.h"
#include "otaprio/common.h"
#include "otaprio/graph.h"
#include "otaprio/guardrail.h"
#include "otaprio/risk.h"
#include "otaprio/rollback.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== canary size from statistical power ================================ */

/** @brief What a canary measures. @since 0.1.0 */
typedef enum otaprio_plan_metric {
    /** A failure proportion: failing devices over devices; the canary size
     *  is a number of devices. @since 0.1.0 */
    OTAPRIO_PLAN_METRIC_PROPORTION = 0,
    /** An event rate: events per unit of exposure (device-days, say); the
     *  canary size is an exposure in the same unit. @since 0.1.0 */
    OTAPRIO_PLAN_METRIC_RATE = 1
} otaprio_plan_metric;

/**
 * @brief What a canary must detect, and how surely.
 *
 * Prepare with otaprio_plan_power_init(): a failure proportion, a known
 * baseline (infinite size), a one-sided alpha of 0.05 and a power of 0.8;
 * the baseline value and the rise have no default and must be set.
 * @since 0.1.0
 */
typedef struct otaprio_plan_power {
    /** Caller's `sizeof(otaprio_plan_power)`, set by
     *  otaprio_plan_power_init(). @since 0.1.0 */
    size_t size;
    /** The ::otaprio_plan_metric; default #OTAPRIO_PLAN_METRIC_PROPORTION.
     *  @since 0.1.0 */
    int32_t metric;
    /** The baseline's failure proportion, in (0, 1), or its event rate per
     *  unit of exposure, above 0; default 0 (unset, rejected).
     *  @since 0.1.0 */
    double baseline;
    /** The relative rise to detect, above 0: 0.5 means the canary's value
     *  is 1.5 times the baseline's. For a proportion the raised value must
     *  stay below 1. Default 0 (unset, rejected). @since 0.1.0 */
    double rise;
    /** One-sided significance level, in (0, 0.5]; default 0.05.
     *  @since 0.1.0 */
    double alpha;
    /** Probability of detecting the rise, in [0.5, 1); default 0.8.
     *  @since 0.1.0 */
    double power;
    /** Size of the baseline the canary is compared with: devices for a
     *  proportion, exposure for a rate; above 0, or `HUGE_VAL` (default)
     *  for a baseline known without error. @since 0.1.0 */
    double baseline_size;
    /** 1 to refine a proportion's size against a known baseline with the
     *  exact one-sided binomial test (see otaprio_plan_canary_size()),
     *  0 (default) for the normal approximation alone. @since 0.1.0 */
    int32_t exact;
} otaprio_plan_power;

/**
 * @brief Prepares a power specification: see ::otaprio_plan_power for
 *        the defaults.
 *
 * Call as `otaprio_plan_power_init(&spec)`; the macro passes
 * `sizeof(spec)`. Thread-safe.
 * @param spec the struct to prepare.
 * @param size the caller's `sizeof(otaprio_plan_power)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_power_init(otaprio_plan_power *spec, size_t size);

/**
 * @brief The smallest canary that detects a relative rise over a baseline.
 *
 * Normal approximations, with z_a and z_b the standard normal upper
 * quantiles of alpha and of 1 - power, and the baseline's size m (1/m is 0
 * for an infinite one):
 * - a proportion p0 rising to p1 = p0 (1 + rise): the smallest whole
 *   number of devices n with
 *   z_a sqrt(p0 q0 (1/n + 1/m)) + z_b sqrt(p1 q1 / n + p0 q0 / m)
 *   <= p1 - p0 (q = 1 - p; the variance under the null hypothesis is the
 *   baseline's, under the alternative each group's own). For a known
 *   baseline this is the one-sample formula
 *   n = ((z_a sqrt(p0 q0) + z_b sqrt(p1 q1)) / (p1 - p0))^2, rounded up.
 * - a rate r0 rising to r1 = r0 (1 + rise), on the log of the rate ratio
 *   (whose variance is about 1/(expected events) per group): the
 *   smallest exposure t with
 *   z_a sqrt(1/(r0 t) + 1/(r0 m)) + z_b sqrt(1/(r1 t) + 1/(r0 m))
 *   <= log(1 + rise); not rounded.
 *
 * With otaprio_plan_power::exact, a proportion against a known baseline
 * is then checked with the exact one-sided binomial test: it rejects when
 * the canary shows at least c failures, c the smallest count with
 * P(X >= c | n, p0) <= alpha, and its power is P(X >= c | n, p1). That
 * power is a saw tooth in n, rising on the whole, so the search treats it
 * as rising: from the approximation's n it gallops down (steps 1, 2, 4...)
 * while the power is reached, or up until it is, then bisects the
 * bracket; the answer reaches the power and the size just below does not
 * (a smaller size may, by the saw tooth).
 *
 * The approximate size falls as the rise or the baseline grows and rises
 * as alpha falls or power grows (the exact one only roughly, by its saw
 * tooth). A rate with alpha and power both 0.5 needs no exposure (0).
 * Allocates nothing. Thread-safe.
 * @param spec what to detect.
 * @param[out] canary receives the size. Untouched on failure.
 * @param[out] diag optional; names the offending field on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL argument;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a value outside its
 *         documented range (NaN included), or `exact` set for a rate or a
 *         finite baseline; #OTAPRIO_E_LIMIT when the size would pass 2^53,
 *         when no canary suffices (a finite baseline too small for the
 *         power asked), or when the exact search passes 2^53.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_canary_size(const otaprio_plan_power *spec,
                                         double *canary, otaprio_diag *diag);

/* ==== break-glass ======================================================= */

/** @brief Who may approve a break-glass release. @since 0.1.0 */
typedef enum otaprio_plan_role {
    /** The release manager. @since 0.1.0 */
    OTAPRIO_PLAN_ROLE_RELEASE_MANAGER = 0,
    /** The security lead. @since 0.1.0 */
    OTAPRIO_PLAN_ROLE_SECURITY_LEAD = 1,
    /** The site reliability engineer on call. @since 0.1.0 */
    OTAPRIO_PLAN_ROLE_SRE_ON_CALL = 2,
    /** The product owner. @since 0.1.0 */
    OTAPRIO_PLAN_ROLE_PRODUCT_OWNER = 3,
    /** An executive. @since 0.1.0 */
    OTAPRIO_PLAN_ROLE_EXECUTIVE = 4
} otaprio_plan_role;

/** @brief Number of ::otaprio_plan_role values. @since 0.1.0 */
#define OTAPRIO_PLAN_ROLE_COUNT 5

/** @brief Evidence a break-glass request carries (bit flags).
 *  @since 0.1.0 */
typedef enum otaprio_plan_evidence {
    /** Active exploitation of the flaw is confirmed. @since 0.1.0 */
    OTAPRIO_PLAN_EVIDENCE_EXPLOITATION = 1u << 0,
    /** The rollback path was verified. @since 0.1.0 */
    OTAPRIO_PLAN_EVIDENCE_ROLLBACK_VERIFIED = 1u << 1,
    /** The guardrails (stop rules) are set. @since 0.1.0 */
    OTAPRIO_PLAN_EVIDENCE_GUARDRAILS = 1u << 2,
    /** A change ticket exists. @since 0.1.0 */
    OTAPRIO_PLAN_EVIDENCE_CHANGE_TICKET = 1u << 3,
    /** Customer communication is ready. @since 0.1.0 */
    OTAPRIO_PLAN_EVIDENCE_CUSTOMER_COMMS = 1u << 4
} otaprio_plan_evidence;

/** @brief Every defined ::otaprio_plan_evidence bit. @since 0.1.0 */
#define OTAPRIO_PLAN_EVIDENCE_ALL 0x1Fu

/**
 * @brief A break-glass policy: the approvals and evidence a request
 *        needs, and the cohorts no request may reach.
 *
 * Prepare with otaprio_plan_breakglass_policy_init(): no approval, no
 * evidence, no excluded cohort (every request passes).
 * @since 0.1.0
 */
typedef struct otaprio_plan_breakglass_policy {
    /** Caller's `sizeof(otaprio_plan_breakglass_policy)`. @since 0.1.0 */
    size_t size;
    /** Distinct approvers required per ::otaprio_plan_role, indexed by
     *  role; default 0 each. @since 0.1.0 */
    uint32_t approvals[OTAPRIO_PLAN_ROLE_COUNT];
    /** Required evidence: ::otaprio_plan_evidence bits; default 0.
     *  @since 0.1.0 */
    uint32_t evidence;
    /** Number of entries in otaprio_plan_breakglass_policy::excluded.
     *  @since 0.1.0 */
    size_t excluded_count;
    /** Cohort ids that stay excluded even from a break-glass release;
     *  required when `excluded_count` is not 0. @since 0.1.0 */
    const uint64_t *excluded;
} otaprio_plan_breakglass_policy;

/**
 * @brief Prepares a break-glass policy: nothing required, nothing
 *        excluded.
 *
 * Call as `otaprio_plan_breakglass_policy_init(&policy)`. Thread-safe.
 * @param policy the struct to prepare.
 * @param size the caller's `sizeof(otaprio_plan_breakglass_policy)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_plan_breakglass_policy_init(otaprio_plan_breakglass_policy *policy,
                                    size_t size);

/**
 * @brief A break-glass request: its approvals as columns of
 *        otaprio_plan_breakglass_request::approval_count elements, its
 *        evidence, and the cohorts it targets.
 *
 * Prepare with otaprio_plan_breakglass_request_init().
 * @since 0.1.0
 */
typedef struct otaprio_plan_breakglass_request {
    /** Caller's `sizeof(otaprio_plan_breakglass_request)`. @since 0.1.0 */
    size_t size;
    /** Number of approvals. @since 0.1.0 */
    size_t approval_count;
    /** The ::otaprio_plan_role each approval is given in; required when
     *  `approval_count` is not 0. @since 0.1.0 */
    const int32_t *approval_role;
    /** The host's id of each approver; required when `approval_count` is
     *  not 0. One approver counts once: only for the role of their first
     *  approval in the list. @since 0.1.0 */
    const uint64_t *approver;
    /** Evidence present: ::otaprio_plan_evidence bits; default 0.
     *  @since 0.1.0 */
    uint32_t evidence;
    /** Number of entries in otaprio_plan_breakglass_request::cohorts.
     *  @since 0.1.0 */
    size_t cohort_count;
    /** Cohort ids the release would reach; required when `cohort_count`
     *  is not 0. @since 0.1.0 */
    const uint64_t *cohorts;
} otaprio_plan_breakglass_request;

/**
 * @brief Prepares a break-glass request: no approval, no evidence, no
 *        cohort.
 *
 * Call as `otaprio_plan_breakglass_request_init(&request)`. Thread-safe.
 * @param request the struct to prepare.
 * @param size the caller's `sizeof(otaprio_plan_breakglass_request)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_plan_breakglass_request_init(otaprio_plan_breakglass_request *request,
                                     size_t size);

/** @brief Kinds of unmet break-glass requirement (bit flags).
 *  @since 0.1.0 */
typedef enum otaprio_plan_breakglass_unmet {
    /** Some role lacks approvals. @since 0.1.0 */
    OTAPRIO_PLAN_UNMET_APPROVALS = 1u << 0,
    /** Some required evidence is missing. @since 0.1.0 */
    OTAPRIO_PLAN_UNMET_EVIDENCE = 1u << 1,
    /** The request targets a cohort the policy excludes. @since 0.1.0 */
    OTAPRIO_PLAN_UNMET_EXCLUDED_COHORT = 1u << 2
} otaprio_plan_breakglass_unmet;

/**
 * @brief Whether a break-glass request meets its policy, and every
 *        requirement it does not meet.
 *
 * Filled by otaprio_plan_breakglass_check(); the caller sets `size`.
 * @since 0.1.0
 */
typedef struct otaprio_plan_breakglass_result {
    /** Caller's `sizeof(otaprio_plan_breakglass_result)`. @since 0.1.0 */
    size_t size;
    /** 1 when every requirement is met (otaprio_plan_breakglass_result::
     *  unmet is 0), else 0. @since 0.1.0 */
    int32_t approved;
    /** The kinds of requirement not met: ::otaprio_plan_breakglass_unmet
     *  bits. @since 0.1.0 */
    uint32_t unmet;
    /** Approvals still missing per ::otaprio_plan_role, indexed by role.
     *  @since 0.1.0 */
    uint32_t missing_approvals[OTAPRIO_PLAN_ROLE_COUNT];
    /** Required evidence not present: ::otaprio_plan_evidence bits.
     *  @since 0.1.0 */
    uint32_t missing_evidence;
    /** Approvals that did not count because their approver already
     *  approved earlier in the list. @since 0.1.0 */
    size_t repeated_approvals;
    /** Distinct targeted cohorts the policy excludes. @since 0.1.0 */
    size_t excluded_total;
} otaprio_plan_breakglass_result;

/**
 * @brief Checks a break-glass request against its policy.
 *
 * Each approver counts once, for the role of their first approval in the
 * list. A cohort is reported once, at its first place in the request, so
 * the excluded cohorts come in the request's order. Time is proportional
 * to approvals squared plus targeted cohorts times (excluded cohorts plus
 * targeted cohorts) in the worst case; nothing is allocated. Every input
 * is checked before anything is written. Thread-safe.
 * @param policy the policy.
 * @param request the request.
 * @param[out] result receives the verdict; its `size` must be set.
 * @param[out] excluded receives the first @p capacity targeted cohorts the
 *             policy excludes, in request order; may be NULL when
 *             @p capacity is 0. otaprio_plan_breakglass_result::
 *             excluded_total gives the full count.
 * @param capacity number of entries @p excluded can hold.
 * @param[out] diag optional; names the offending field on failure.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL argument or a
 *         missing array; #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for an
 *         unknown role or evidence bit.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_plan_breakglass_check(const otaprio_plan_breakglass_policy *policy,
                              const otaprio_plan_breakglass_request *request,
                              otaprio_plan_breakglass_result *result,
                              uint64_t *excluded, size_t capacity,
                              otaprio_diag *diag);

/* ==== the runbook ======================================================= */

/** @brief The passes the planner makes over the fleet, in this order;
 *         a pass that has nothing to do is skipped. @since 0.1.0 */
typedef enum otaprio_plan_pass {
    /** Blast radius from the dependency graph: which devices run a flawed
     *  version (only with a catalog and a flaw). @since 0.1.0 */
    OTAPRIO_PLAN_PASS_IMPACT = 0,
    /** Counts of the devices each wave may take, for sizing the first
     *  canary by statistical power (only with otaprio_plan_request::power).
     *  @since 0.1.0 */
    OTAPRIO_PLAN_PASS_CENSUS = 1,
    /** The cohort engine samples the canary waves. @since 0.1.0 */
    OTAPRIO_PLAN_PASS_SAMPLE = 2,
    /** Each device's wave; dependency chains, shared-fate clusters and
     *  their coverage; the per-device outputs of ::otaprio_plan_chunk.
     *  @since 0.1.0 */
    OTAPRIO_PLAN_PASS_ASSIGN = 3
} otaprio_plan_pass;

/** @brief Wave of a device no wave takes. @since 0.1.0 */
#define OTAPRIO_PLAN_NONE 0xFFu

/** @brief Most prerequisite packages otaprio_plan_chain::path holds.
 *  @since 0.1.0 */
#define OTAPRIO_PLAN_MAX_PATH 16

/**
 * @brief A chunk of the fleet, as the planner's source hands it over.
 *
 * Prepare with otaprio_plan_chunk_init(). The engines' own chunk structs
 * are referenced, not copied: each must describe the same
 * otaprio_plan_chunk::count devices, in the same order. The output
 * columns are written in the #OTAPRIO_PLAN_PASS_ASSIGN pass only.
 * @since 0.1.0
 */
typedef struct otaprio_plan_chunk {
    /** Caller's `sizeof(otaprio_plan_chunk)`. @since 0.1.0 */
    size_t size;
    /** Number of devices; 0 ends the pass. @since 0.1.0 */
    size_t count;
    /** Device keys (otaprio_key_derive()), unique in the fleet; required.
     *  @since 0.1.0 */
    const uint64_t *keys;
    /** The risk engine's columns (otaprio_devices::count must equal
     *  `count`), or NULL for every default. The planner sets the
     *  `affected` column from the dependency graph when it has a flaw to
     *  trace and, with a catalog, the `prerequisite_missing` column from
     *  the package's requirements and conflicts (overriding the host's),
     *  and adds to the host's `excluded` the affected devices the
     *  package's carrier, region, legal or enrollment rules refuse or that
     *  already have it.
     *  @since 0.1.0 */
    const otaprio_devices *devices;
    /** Installed versions and predicate inputs for the catalog
     *  (otaprio_device_state::count must equal `count`); required when
     *  the request has a catalog, ignored otherwise. @since 0.1.0 */
    const otaprio_device_state *state;
    /** Strata codes, one column per dimension of
     *  otaprio_plan_request::dimension_count (see
     *  otaprio_cohort_chunk::codes); NULL means code 0. @since 0.1.0 */
    const uint32_t *const *codes;
    /** Shared-fate cluster id of each device (see otaprio_clusterer_add()),
     *  or NULL for none. Break-glass cohort ids name these clusters.
     *  @since 0.1.0 */
    const uint32_t *cluster;
    /** Release ring: 0 internal (dogfood), 1 employee, 2 customer; NULL
     *  makes every device a customer's. @since 0.1.0 */
    const uint8_t *ring;
    /** Output, or NULL: the plan wave each device joins, or
     *  #OTAPRIO_PLAN_NONE. @since 0.1.0 */
    uint8_t *wave;
    /** Output, or NULL: each device's ::otaprio_disposition.
     *  @since 0.1.0 */
    uint8_t *disposition;
    /** Output, or NULL: each device's ::otaprio_reason bits.
     *  @since 0.1.0 */
    uint32_t *reasons;
    /** Output, or NULL: each device's priority, 0 to 100. @since 0.1.0 */
    double *priority;
} otaprio_plan_chunk;

/**
 * @brief Prepares a chunk: no devices, every column NULL.
 *
 * Call as `otaprio_plan_chunk_init(&chunk)`. Thread-safe.
 * @param chunk the struct to prepare.
 * @param size the caller's `sizeof(otaprio_plan_chunk)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_chunk_init(otaprio_plan_chunk *chunk, size_t size);

/**
 * @brief Supplies the next chunk of a pass over the fleet.
 *
 * Every pass reads the whole fleet from its first device; each must give
 * the same devices (the planner checks their number and a checksum of
 * their keys). The chunk's arrays must stay valid until the next call.
 * @param user otaprio_plan_request::user.
 * @param pass the ::otaprio_plan_pass being made.
 * @param first index in the fleet of the chunk's first device.
 * @param[out] chunk prepared by the planner; set its count and columns.
 * @return 0 to go on; any other value stops the planner, which returns it
 *         unchanged.
 * @since 0.1.0
 */
typedef int (*otaprio_plan_source_fn)(void *user, int32_t pass, uint64_t first,
                                      otaprio_plan_chunk *chunk);

/** @brief Failures that only show after a while, which lengthen soak
 *         windows (bit flags). @since 0.1.0 */
typedef enum otaprio_plan_delayed {
    /** Battery drain: at least 48 hours. @since 0.1.0 */
    OTAPRIO_PLAN_DELAYED_BATTERY = 1u << 0,
    /** Thermal throttling: at least 24 hours. @since 0.1.0 */
    OTAPRIO_PLAN_DELAYED_THERMAL = 1u << 1,
    /** Storage corruption: at least 72 hours. @since 0.1.0 */
    OTAPRIO_PLAN_DELAYED_STORAGE = 1u << 2
} otaprio_plan_delayed;

/** @brief Every defined ::otaprio_plan_delayed bit. @since 0.1.0 */
#define OTAPRIO_PLAN_DELAYED_ALL 0x7u

/**
 * @brief Everything the runbook planner reads: the fix, the policy, the
 *        fleet, the dependency graph, the guardrails, the way back.
 *
 * Prepare with otaprio_plan_request_init(); the issue and the source are
 * required, everything else is optional. The request and all it points
 * to are read during otaprio_plan_create() only.
 * @since 0.1.0
 */
typedef struct otaprio_plan_request {
    /** Caller's `sizeof(otaprio_plan_request)`. @since 0.1.0 */
    size_t size;
    /** The fix; required. Its affected share, concentration and affected
     *  classes are replaced by the dependency graph's answer when the
     *  request traces a flaw. @since 0.1.0 */
    const otaprio_issue *issue;
    /** The scorecard, or NULL for the default policy. @since 0.1.0 */
    const otaprio_risk_model *risk_model;
    /** The fleet, pass by pass; required. @since 0.1.0 */
    otaprio_plan_source_fn source;
    /** Passed to otaprio_plan_request::source. @since 0.1.0 */
    void *user;
    /** The package catalog, or NULL. With it, devices missing a
     *  prerequisite of otaprio_plan_request::package are blocked and their
     *  update paths found, and the waves' coverage of dependency chains is
     *  checked. @since 0.1.0 */
    const otaprio_catalog *catalog;
    /** The package that delivers the fix; read with a catalog.
     *  @since 0.1.0 */
    uint32_t package;
    /** 1 to trace the flaw through the catalog (needs a catalog): the
     *  devices that inherit it are the affected ones. Default 0.
     *  @since 0.1.0 */
    int32_t trace_flaw;
    /** The flawed component, with otaprio_plan_request::trace_flaw.
     *  @since 0.1.0 */
    uint32_t flaw_component;
    /** The flawed versions (e.g. `< 2.4.1`), with
     *  otaprio_plan_request::trace_flaw. @since 0.1.0 */
    const char *flaw_constraint;
    /** Bytes in otaprio_plan_request::flaw_constraint. @since 0.1.0 */
    size_t flaw_constraint_length;
    /** The rollout salt (otaprio_key_derive()); default 0. @since 0.1.0 */
    uint64_t salt;
    /** Strata dimensions of the cohorts, 0 to
     *  #OTAPRIO_COHORT_MAX_DIMENSIONS; default 0. @since 0.1.0 */
    uint32_t dimension_count;
    /** Their cardinalities (see otaprio_cohort_spec::cardinalities).
     *  @since 0.1.0 */
    const uint32_t *cardinalities;
    /** Criticality, in points, from which a device is held back to the
     *  broad wave; in [0, 100], default 50 (a medical device, say; a
     *  handset scores about 25). @since 0.1.0 */
    double critical_level;
    /** ::otaprio_plan_delayed failures to wait for; default 0.
     *  @since 0.1.0 */
    uint32_t delayed;
    /** The guardrail rules that gate each wave; may be NULL when
     *  `rule_count` is 0 (the plan then warns). @since 0.1.0 */
    const otaprio_guard_rule *rules;
    /** Number of rules. @since 0.1.0 */
    size_t rule_count;
    /** Guardrail options, or NULL for the defaults. The layer and the
     *  active-exploit flag are taken from the issue; the tolerance is
     *  tightened by the rollback decision. @since 0.1.0 */
    const otaprio_guard_options *guard_options;
    /** The guardrail engine's current verdicts on the defect's telemetry
     *  (affected devices against the rest), or NULL. A failing metric
     *  confirms the anomaly and may raise the tier; passing metrics never
     *  lower it. @since 0.1.0 */
    const otaprio_guard_report *telemetry;
    /** What a failure of this update could touch and the levers there are
     *  (otaprio_rollback_input; its spread fields are set per wave), or
     *  NULL for the cautious defaults at the issue's layer, with an A/B
     *  slot when otaprio_issue::ab_slot is 1. @since 0.1.0 */
    const otaprio_rollback_input *rollback;
    /** What the first customer canary must detect, or NULL. A rate's
     *  exposure is in device-hours, spread over that wave's soak window.
     *  @since 0.1.0 */
    const otaprio_plan_power *power;
    /** A break-glass policy, or NULL; read with
     *  otaprio_plan_request::breakglass. @since 0.1.0 */
    const otaprio_plan_breakglass_policy *breakglass_policy;
    /** A break-glass request, or NULL. Approved, it yields the accelerated
     *  shape with its guardrails still in force and the policy's excluded
     *  cohorts (shared-fate clusters) kept out. @since 0.1.0 */
    const otaprio_plan_breakglass_request *breakglass;
} otaprio_plan_request;

/**
 * @brief Prepares a request: no issue, no source, no catalog, no strata,
 *        a critical level of 50 points, no guardrails.
 *
 * Call as `otaprio_plan_request_init(&request)`. Thread-safe.
 * @param request the struct to prepare.
 * @param size the caller's `sizeof(otaprio_plan_request)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_request_init(otaprio_plan_request *request,
                                          size_t size);

/** @brief A finished plan. Immutable: any number of threads may read one.
 *  @since 0.1.0 */
typedef struct otaprio_plan otaprio_plan;

/**
 * @brief Plans a rollout: classify, score fleet impact, let telemetry
 *        refine urgency, choose the shape and the way back.
 *
 * docs/plan.md gives every rule. Deterministic: the same request and fleet
 * give the same plan, whatever the chunking.
 *
 * Thread-safe on distinct requests; the risk model, catalog and telemetry
 * report may be shared.
 * @param request what to plan.
 * @param allocator the plan's and scratch memory, or NULL.
 * @param[out] plan receives the plan; untouched on failure.
 * @param[out] diag optional; names the field at fault and, for a bad
 *             value of a device, its index within the chunk the source
 *             handed over (as the engines called report it).
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arguments, a missing
 *         required column, chunks whose engine structs disagree on the
 *         count, or passes that disagree on the fleet;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a value out of
 *         range (here or as the engine called reports it); any status of
 *         the engines called; #OTAPRIO_E_NOMEM; or the source's own
 *         non-zero value.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_create(const otaprio_plan_request *request,
                                    const otaprio_allocator *allocator,
                                    otaprio_plan **plan, otaprio_diag *diag);

/**
 * @brief Frees a plan; NULL is a no-op.
 * @param plan the plan.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_plan_free(otaprio_plan *plan);

/** @brief What shaped a plan (bit flags). @since 0.1.0 */
typedef enum otaprio_plan_note {
    /** The tier is T0: an accelerated fleet-wide push. @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_EMERGENCY = 1u << 0,
    /** An approved break-glass request accelerated the shape.
     *  @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_BREAKGLASS = 1u << 1,
    /** The blast radius came from the dependency graph. @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_GRAPH_IMPACT = 1u << 2,
    /** Telemetry confirmed the anomaly. @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_TELEMETRY = 1u << 3,
    /** Telemetry raised the tier. @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_TELEMETRY_RAISED = 1u << 4,
    /** Weak rollback narrowed the waves, lengthened the soaks and
     *  tightened the guardrails. @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_WEAK_ROLLBACK = 1u << 5,
    /** The first canary was enlarged to reach the power asked.
     *  @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_POWER = 1u << 6,
    /** Soaks were lengthened for delayed failures. @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_DELAYED = 1u << 7,
    /** Installs wait for each device's maintenance window (T3).
     *  @since 0.1.0 */
    OTAPRIO_PLAN_NOTE_MAINTENANCE = 1u << 8
} otaprio_plan_note;

/**
 * @brief A plan's headline: the tier, the counts, the way back.
 *
 * Filled by otaprio_plan_get_summary(); the caller sets `size`.
 * @since 0.1.0
 */
typedef struct otaprio_plan_summary {
    /** Caller's `sizeof(otaprio_plan_summary)`. @since 0.1.0 */
    size_t size;
    /** The fix's ::otaprio_tier as planned: otaprio_risk_score_issue() of
     *  the issue after graph impact and telemetry; its explanation is
     *  otaprio_plan_explanation(). @since 0.1.0 */
    int32_t tier;
    /** The tier the issue alone would get, before graph impact and
     *  telemetry. @since 0.1.0 */
    int32_t tier_before;
    /** The defect score as planned, 0 to 100. @since 0.1.0 */
    double score;
    /** The same score in thousandths of a point. @since 0.1.0 */
    int64_t score_milli;
    /** The issue's ::otaprio_ssvc_decision. @since 0.1.0 */
    int32_t ssvc;
    /** The affected share the score used: the graph's when it traced the
     *  flaw, else the issue's. @since 0.1.0 */
    double affected_share;
    /** ::otaprio_plan_note bits. @since 0.1.0 */
    uint32_t notes;
    /** Devices in the fleet. @since 0.1.0 */
    uint64_t devices;
    /** Devices that inherit the flaw (the affected column as planned).
     *  @since 0.1.0 */
    uint64_t affected;
    /** Devices per ::otaprio_disposition. @since 0.1.0 */
    uint64_t by_disposition[4];
    /** Devices with each ::otaprio_reason bit: entry `b` counts bit
     *  `1 << b`. @since 0.1.0 */
    uint64_t by_reason[16];
    /** Eligible devices held back to the broad wave for their
     *  criticality. @since 0.1.0 */
    uint64_t critical;
    /** Devices some wave takes. @since 0.1.0 */
    uint64_t planned;
    /** Hours from the first wave's start to the broad wave's, the sum of
     *  the soak windows before it. @since 0.1.0 */
    double hours_to_broad;
    /** The rollback decision a failure of the whole first canary wave
     *  would get; its weakness shaped the plan. @since 0.1.0 */
    int32_t rollback_tier;
    /** ::otaprio_rollback_weakness bits of the way back. @since 0.1.0 */
    uint32_t rollback_weak_causes;
    /** 1 when a break-glass request came with the plan, else 0.
     *  @since 0.1.0 */
    int32_t breakglass_requested;
    /** 1 when that request met its policy, else 0. @since 0.1.0 */
    int32_t breakglass_approved;
    /** Its unmet requirements: ::otaprio_plan_breakglass_unmet bits
     *  (otaprio_plan_breakglass_check() lists them in detail).
     *  @since 0.1.0 */
    uint32_t breakglass_unmet;
} otaprio_plan_summary;

/**
 * @brief Reads a plan's summary. Thread-safe.
 * @param plan the plan.
 * @param[out] summary receives it; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_get_summary(const otaprio_plan *plan,
                                         otaprio_plan_summary *summary,
                                         otaprio_diag *diag);

/**
 * @brief The scorecard behind the plan's tier: the explanation lines of
 *        otaprio_risk_score_issue() for the issue as planned.
 *
 * As otaprio_risk_score_issue(): @p count receives the number of lines;
 * when @p capacity is too small nothing is written and #OTAPRIO_E_RANGE is
 * returned. Thread-safe.
 * @param plan the plan.
 * @param[out] items receives the lines, or NULL to ask the count.
 * @param capacity entries @p items holds.
 * @param[out] count receives the number of lines.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_RANGE.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_explanation(const otaprio_plan *plan,
                                         otaprio_factor_points *items,
                                         size_t capacity, size_t *count,
                                         otaprio_diag *diag);

/** @brief A wave's place in the rollout shape. @since 0.1.0 */
typedef enum otaprio_plan_stage {
    /** Internal devices (ring 0). @since 0.1.0 */
    OTAPRIO_PLAN_STAGE_DOGFOOD = 0,
    /** Employee devices across regions (ring 1). @since 0.1.0 */
    OTAPRIO_PLAN_STAGE_EMPLOYEE = 1,
    /** A canary of low-criticality customer devices. @since 0.1.0 */
    OTAPRIO_PLAN_STAGE_CANARY = 2,
    /** The rest of the fleet. @since 0.1.0 */
    OTAPRIO_PLAN_STAGE_BROAD = 3,
    /** A step of an accelerated fleet-wide push (T0, break-glass).
     *  @since 0.1.0 */
    OTAPRIO_PLAN_STAGE_ACCELERATED = 4
} otaprio_plan_stage;

/**
 * @brief One wave of the plan.
 *
 * Filled by otaprio_plan_get_wave(); the caller sets `size`.
 * @since 0.1.0
 */
typedef struct otaprio_plan_wave {
    /** Caller's `sizeof(otaprio_plan_wave)`. @since 0.1.0 */
    size_t size;
    /** An ::otaprio_plan_stage. @since 0.1.0 */
    int32_t stage;
    /** The cohort engine's wave behind it (otaprio_plan_cohort()), or
     *  `UINT32_MAX` for a ring stage. @since 0.1.0 */
    uint32_t cohort_wave;
    /** The cohort wave's cumulative fraction of the devices it may take;
     *  1 for a ring stage. @since 0.1.0 */
    double fraction;
    /** Devices this wave adds. @since 0.1.0 */
    uint64_t devices;
    /** Devices in this wave and those before. @since 0.1.0 */
    uint64_t cumulative;
    /** Hours to watch the wave before the next may start; 0 for the last.
     *  @since 0.1.0 */
    double soak_hours;
    /** 1 when installs wait for each device's maintenance window.
     *  @since 0.1.0 */
    int32_t maintenance_window;
    /** The tolerance scale of the wave's guardrails
     *  (otaprio_guard_options::tolerance_scale after tightening).
     *  @since 0.1.0 */
    double tolerance_scale;
    /** Total variation distance between the cohort up to this wave and
     *  the fleet over the strata (otaprio_cohort_representativeness());
     *  NaN for a ring stage. @since 0.1.0 */
    double tvd;
    /** Share of strata the cohort up to this wave covers; NaN for a ring
     *  stage. @since 0.1.0 */
    double strata_coverage;
    /** Share of the fleet in covered strata; NaN for a ring stage.
     *  @since 0.1.0 */
    double mass_coverage;
    /** Dependency chains with devices that no wave up to this one covers.
     *  @since 0.1.0 */
    uint32_t chains_uncovered;
    /** Shared-fate clusters with devices that no wave up to this one
     *  covers. @since 0.1.0 */
    uint32_t clusters_uncovered;
    /** The rollback ready if this wave fails as a whole: the tier, its
     *  steps, its confidence (see otaprio_rollback_decide()).
     *  @since 0.1.0 */
    int32_t rollback_tier;
    /** Its ::otaprio_rollback_step bits. @since 0.1.0 */
    uint32_t rollback_steps;
    /** Its confidence, in (0, 1]. @since 0.1.0 */
    double rollback_confidence;
} otaprio_plan_wave;

/**
 * @brief Number of waves in a plan. Thread-safe.
 * @param plan the plan, or NULL (then 0).
 * @return the count.
 * @since 0.1.0
 */
OTAPRIO_API uint32_t otaprio_plan_wave_count(const otaprio_plan *plan);

/**
 * @brief Reads one wave. Thread-safe.
 * @param plan the plan.
 * @param wave the wave, from 0.
 * @param[out] info receives it; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for a wave past the last.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_get_wave(const otaprio_plan *plan, uint32_t wave,
                                      otaprio_plan_wave *info,
                                      otaprio_diag *diag);

/**
 * @brief The guardrails that gate a wave: the request's rules, with each
 *        window at least the wave's soak and the tolerance tightened when
 *        rollback is weak. Owned by the plan. Thread-safe.
 * @param plan the plan.
 * @param wave the wave.
 * @return the set, or NULL for a NULL plan, a wave past the last, or a
 *         request without rules.
 * @since 0.1.0
 */
OTAPRIO_API const otaprio_guard_set *
otaprio_plan_wave_guards(const otaprio_plan *plan, uint32_t wave);

/**
 * @brief The cohort behind the canary and broad waves, to list a wave's
 *        devices or assign later chunks with the cohort engine. Owned by
 *        the plan. Thread-safe.
 * @param plan the plan.
 * @return the cohort, or NULL for a NULL plan.
 * @since 0.1.0
 */
OTAPRIO_API const otaprio_cohort *otaprio_plan_cohort(const otaprio_plan *plan);

/** @brief Whether a dependency chain's blocked devices have a way in.
 *  @since 0.1.0 */
typedef enum otaprio_plan_path_status {
    /** No device of the chain is blocked by a prerequisite.
     *  @since 0.1.0 */
    OTAPRIO_PLAN_PATH_NONE_NEEDED = 0,
    /** A prerequisite path exists (otaprio_plan_chain::path).
     *  @since 0.1.0 */
    OTAPRIO_PLAN_PATH_FOUND = 1,
    /** No sequence of packages makes the fix installable. @since 0.1.0 */
    OTAPRIO_PLAN_PATH_UNREACHABLE = 2,
    /** The search passed its work limit, or the path is longer than
     *  #OTAPRIO_PLAN_MAX_PATH. @since 0.1.0 */
    OTAPRIO_PLAN_PATH_TOO_LONG = 3
} otaprio_plan_path_status;

/**
 * @brief One dependency chain: the devices that agree on the versions
 *        deciding the fix's update path (otaprio_catalog_chain_components()).
 *
 * Filled by otaprio_plan_get_chain(); the caller sets `size`.
 * @since 0.1.0
 */
typedef struct otaprio_plan_chain {
    /** Caller's `sizeof(otaprio_plan_chain)`. @since 0.1.0 */
    size_t size;
    /** Affected devices on the chain, whatever their disposition.
     *  @since 0.1.0 */
    uint64_t devices;
    /** Of those, devices blocked by a missing prerequisite.
     *  @since 0.1.0 */
    uint64_t blocked;
    /** Of those, devices some wave takes. @since 0.1.0 */
    uint64_t planned;
    /** The first plan wave with a device of the chain, or
     *  #OTAPRIO_PLAN_NONE. @since 0.1.0 */
    uint32_t first_wave;
    /** The key of the chain's first blocked device (first device when
     *  none is blocked), whose path is reported. @since 0.1.0 */
    uint64_t example_key;
    /** An ::otaprio_plan_path_status. @since 0.1.0 */
    int32_t path_status;
    /** Prerequisite packages on the path (#OTAPRIO_PLAN_PATH_FOUND).
     *  @since 0.1.0 */
    uint32_t path_length;
    /** The packages to install first, in order. @since 0.1.0 */
    uint32_t path[OTAPRIO_PLAN_MAX_PATH];
    /** The path's total download in bytes. @since 0.1.0 */
    uint64_t path_bytes;
} otaprio_plan_chain;

/**
 * @brief Number of dependency chains among the affected devices (0
 *        without a catalog). Thread-safe.
 * @param plan the plan, or NULL (then 0).
 * @return the count.
 * @since 0.1.0
 */
OTAPRIO_API uint32_t otaprio_plan_chain_count(const otaprio_plan *plan);

/**
 * @brief Reads one dependency chain, in order of first appearance in the
 *        fleet. Thread-safe.
 * @param plan the plan.
 * @param chain the chain, from 0.
 * @param[out] info receives it; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for a chain past the last.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_get_chain(const otaprio_plan *plan, uint32_t chain,
                                       otaprio_plan_chain *info,
                                       otaprio_diag *diag);

/** @brief Kinds of warning a plan raises. @since 0.1.0 */
typedef enum otaprio_plan_warning_code {
    /** No canary wave covers a dependency chain: it first meets the fix in
     *  the broad wave (subject: the chain). @since 0.1.0 */
    OTAPRIO_PLAN_WARN_CHAIN_UNCOVERED = 1,
    /** No canary wave covers a shared-fate cluster (subject: the
     *  cluster id). @since 0.1.0 */
    OTAPRIO_PLAN_WARN_CLUSTER_UNCOVERED = 2,
    /** A chain's blocked devices have no prerequisite path (subject: the
     *  chain). @since 0.1.0 */
    OTAPRIO_PLAN_WARN_NO_PATH = 3,
    /** A wave's strata did not all receive their minimum seat (subject:
     *  how many). @since 0.1.0 */
    OTAPRIO_PLAN_WARN_STRATA_SHORT = 4,
    /** A wave could not fill its target (subject: seats short).
     *  @since 0.1.0 */
    OTAPRIO_PLAN_WARN_SHORTFALL = 5,
    /** No canary wave can reach the power asked: the devices it may take
     *  are too few (subject: devices needed). @since 0.1.0 */
    OTAPRIO_PLAN_WARN_POWER_UNREACHABLE = 6,
    /** The request has no guardrails: nothing gates the waves.
     *  @since 0.1.0 */
    OTAPRIO_PLAN_WARN_NO_GUARDRAILS = 7,
    /** Rollback is weak (subject: the ::otaprio_rollback_weakness bits).
     *  @since 0.1.0 */
    OTAPRIO_PLAN_WARN_WEAK_ROLLBACK = 8,
    /** A break-glass request does not meet its policy (subject: the
     *  ::otaprio_plan_breakglass_unmet bits); the plan keeps the shape of
     *  its tier. @since 0.1.0 */
    OTAPRIO_PLAN_WARN_BREAKGLASS_DENIED = 9,
    /** No device may install the fix now. @since 0.1.0 */
    OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE = 10
} otaprio_plan_warning_code;

/**
 * @brief One warning. Filled by otaprio_plan_get_warning(); the caller
 *        sets `size`.
 * @since 0.1.0
 */
typedef struct otaprio_plan_warning {
    /** Caller's `sizeof(otaprio_plan_warning)`. @since 0.1.0 */
    size_t size;
    /** An ::otaprio_plan_warning_code. @since 0.1.0 */
    int32_t code;
    /** The wave it concerns, or #OTAPRIO_PLAN_NONE. @since 0.1.0 */
    uint32_t wave;
    /** What it concerns; each code says. @since 0.1.0 */
    uint64_t subject;
    /** Devices concerned (0 when it does not apply). @since 0.1.0 */
    uint64_t devices;
} otaprio_plan_warning;

/**
 * @brief Number of warnings. Thread-safe.
 * @param plan the plan, or NULL (then 0).
 * @return the count.
 * @since 0.1.0
 */
OTAPRIO_API size_t otaprio_plan_warning_count(const otaprio_plan *plan);

/**
 * @brief Reads one warning; warnings come plan-wide first, then wave by
 *        wave, then chains and clusters by size, largest first.
 *        Thread-safe.
 * @param plan the plan.
 * @param index the warning, from 0.
 * @param[out] info receives it; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID; #OTAPRIO_E_STRUCT_SIZE;
 *         #OTAPRIO_E_RANGE for an index past the last.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_plan_get_warning(const otaprio_plan *plan, size_t index,
                                         otaprio_plan_warning *info,
                                         otaprio_diag *diag);

/**
 * @brief Names a stage: "dogfood", "employee", "canary", "broad",
 *        "accelerated".
 * @param stage an ::otaprio_plan_stage.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_stage_name(int32_t stage);

/**
 * @brief Names one note: "emergency (T0)", "break-glass approved"...
 * @param note a single ::otaprio_plan_note bit.
 * @return a static string, or NULL otherwise.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_note_name(uint32_t note);

/**
 * @brief Names a warning: "dependency chain not covered by any canary"...
 * @param code an ::otaprio_plan_warning_code.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_warning_name(int32_t code);

/**
 * @brief Names a path status: "none needed", "found", "unreachable",
 *        "too long".
 * @param status an ::otaprio_plan_path_status.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_path_status_name(int32_t status);

/**
 * @brief Names a pass: "impact", "census", "sample", "assign".
 * @param pass an ::otaprio_plan_pass.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_pass_name(int32_t pass);

/* ==== names ============================================================= */

/**
 * @brief Names a metric: "proportion", "rate".
 * @param metric an ::otaprio_plan_metric.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_metric_name(int32_t metric);

/**
 * @brief Names a role: "release manager", "security lead", "SRE on call",
 *        "product owner", "executive".
 * @param role an ::otaprio_plan_role.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_role_name(int32_t role);

/**
 * @brief Names one kind of evidence: "active exploitation confirmed",
 *        "rollback path verified"...
 * @param evidence a single ::otaprio_plan_evidence bit.
 * @return a static string, or NULL otherwise.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_evidence_name(uint32_t evidence);

/**
 * @brief Names one kind of unmet requirement: "approvals missing",
 *        "evidence missing", "excluded cohort targeted".
 * @param unmet a single ::otaprio_plan_breakglass_unmet bit.
 * @return a static string, or NULL otherwise.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_plan_unmet_name(uint32_t unmet);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_plan_power_init(spec) \
    otaprio_plan_power_init((spec), sizeof(*(spec)))
#define otaprio_plan_breakglass_policy_init(policy) \
    otaprio_plan_breakglass_policy_init((policy), sizeof(*(policy)))
#define otaprio_plan_breakglass_request_init(request) \
    otaprio_plan_breakglass_request_init((request), sizeof(*(request)))
#define otaprio_plan_chunk_init(chunk) \
    otaprio_plan_chunk_init((chunk), sizeof(*(chunk)))
#define otaprio_plan_request_init(request) \
    otaprio_plan_request_init((request), sizeof(*(request)))
/** @endcond */

#endif /* OTAPRIO_PLAN_H */
