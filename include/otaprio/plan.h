/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/plan.h
 * @brief Runbook planner pieces: how large a canary must be to see a
 *        regression, and whether a break-glass request meets its policy.
 *
 * otaprio_plan_canary_size() returns the smallest canary (devices for a
 * failure proportion, exposure for an event rate) whose one-sided test
 * detects a chosen relative rise over a baseline with a chosen power.
 *
 * otaprio_plan_breakglass_check() compares a break-glass request (its
 * approvals, its evidence and the cohorts it targets) with a policy and
 * lists every unmet requirement.
 *
 * The runbook planner that strings the engines together will grow here;
 * docs/plan.md says what exists. The functions are pure computation: they
 * allocate nothing, keep no state, and may be called from any number of
 * threads at once.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_PLAN_H
#define OTAPRIO_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/common.h"

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
/** @endcond */

#endif /* OTAPRIO_PLAN_H */
