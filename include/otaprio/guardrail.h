/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/guardrail.h
 * @brief Guardrail engine: statistically sound stop / hold / expand
 *        decisions from canary telemetry.
 *
 * A rollout's guardrails are written before the first device updates and
 * evaluated many times while the rollout runs:
 * - **Write the rules** as an array of ::otaprio_guard_rule (one per metric:
 *   its kind of data, its bad direction, an absolute ceiling and/or a
 *   relative margin over the concurrent baseline, a minimum sample, a soak
 *   window, its severity, its policies for no data and for a zero
 *   baseline) and compile them, with the rollout's ::otaprio_guard_options
 *   (significance level, what the update touches), into an immutable rule
 *   set (otaprio_guard_set_create()).
 * - **Evaluate** the telemetry gathered so far (otaprio_guard_evaluate()):
 *   for each metric, counts (proportions: failed devices of devices that
 *   tried; rates: events over exposure) or samples (continuous values,
 *   through a callback), for the canary and for the devices not yet
 *   updated over the same window, whole or split by stratum. The report
 *   gives each metric's verdict (pass, fail, inconclusive, no data) with
 *   its test, statistic, p-value, effect and interval; the strata that
 *   drive a failure, under multiple-comparison control; and the overall
 *   action (expand, hold, pause, roll back) with its reasons in order of
 *   weight.
 * - **Look as often as you like**: a rule marked sequential judges its
 *   whole-cohort comparison with an always-valid test whose state the
 *   host keeps between evaluations (::otaprio_guard_sequence, saved as
 *   bytes), so evaluating every hour does not inflate the false-alarm
 *   rate.
 *
 * The statistics, their thresholds and every rule are in
 * docs/guardrail.md. Rule sets are immutable and may be shared by any
 * number of threads; reports are immutable too; a sequence is a
 * single-threaded object.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_GUARDRAIL_H
#define OTAPRIO_GUARDRAIL_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/common.h"
#include "otaprio/risk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== rules ============================================================ */

/** @brief Most rules in one set. @since 0.1.0 */
#define OTAPRIO_GUARD_MAX_RULES 4096

/** @brief Most strata (rows) in one metric's data. @since 0.1.0 */
#define OTAPRIO_GUARD_MAX_STRATA (UINT32_C(1) << 24)

/** @brief The kind of data a metric is. @since 0.1.0 */
typedef enum otaprio_guard_kind {
    /** Failures over trials, both counted per unique device (a device that
     *  retried five times and failed once is one trial and one failure;
     *  otaprio_guard_count_devices() counts so from raw executions).
     *  @since 0.1.0 */
    OTAPRIO_GUARD_PROPORTION = 0,
    /** Events over exposure, such as crashes per device-hour or tickets
     *  per thousand devices. @since 0.1.0 */
    OTAPRIO_GUARD_RATE = 1,
    /** Samples of a continuous value (battery drain, thermal throttling,
     *  install latency), handed over through ::otaprio_guard_samples_fn.
     *  @since 0.1.0 */
    OTAPRIO_GUARD_CONTINUOUS = 2
} otaprio_guard_kind;

/** @brief Which way a metric goes bad. @since 0.1.0 */
typedef enum otaprio_guard_direction {
    /** More is worse (failures, crashes, drain). A proportion's or rate's
     *  ceiling is then a ceiling. @since 0.1.0 */
    OTAPRIO_GUARD_HIGHER_IS_WORSE = 0,
    /** Less is worse (successful check-ins, throughput): the ceiling is a
     *  floor, the margin a relative fall. @since 0.1.0 */
    OTAPRIO_GUARD_LOWER_IS_WORSE = 1
} otaprio_guard_direction;

/** @brief What a metric's failure does to the rollout. @since 0.1.0 */
typedef enum otaprio_guard_severity {
    /** A failure pauses the rollout for a person to decide. @since 0.1.0 */
    OTAPRIO_GUARD_STANDARD = 0,
    /** A failure rolls back at once; judged even below the minimum
     *  sample (boot failures, bricked devices). @since 0.1.0 */
    OTAPRIO_GUARD_CRITICAL = 1,
    /** A leading indicator (pre-flight aborts, download retries, storage
     *  pressure): a failure holds expansion, nothing more. @since 0.1.0 */
    OTAPRIO_GUARD_LEADING = 2
} otaprio_guard_severity;

/** @brief What a metric without data does. @since 0.1.0 */
typedef enum otaprio_guard_no_data {
    /** Hold expansion until data arrives: a silent canary is neither
     *  promoted nor reverted blindly (default). @since 0.1.0 */
    OTAPRIO_GUARD_NO_DATA_HOLD = 0,
    /** Silence is a failure (a heartbeat metric). @since 0.1.0 */
    OTAPRIO_GUARD_NO_DATA_FAIL = 1,
    /** The metric is optional: no data neither holds nor fails.
     *  @since 0.1.0 */
    OTAPRIO_GUARD_NO_DATA_IGNORE = 2
} otaprio_guard_no_data;

/** @brief How a proportion or rate is judged against a baseline that saw
 *  no event at all, where a relative margin means nothing. @since 0.1.0 */
typedef enum otaprio_guard_zero_baseline {
    /** The exact conditional test decides, as it does with any baseline:
     *  canary events against a silent baseline fail when the exposures
     *  make them unlikely under equal rates (default). @since 0.1.0 */
    OTAPRIO_GUARD_ZERO_BASELINE_TEST = 0,
    /** Zero tolerance: any canary event fails the rule while the baseline
     *  has none. @since 0.1.0 */
    OTAPRIO_GUARD_ZERO_BASELINE_ANY_EVENT = 1,
    /** Skip the baseline comparison and judge the ceiling alone (the rule
     *  must have #OTAPRIO_GUARD_CHECK_CEILING). @since 0.1.0 */
    OTAPRIO_GUARD_ZERO_BASELINE_CEILING = 2
} otaprio_guard_zero_baseline;

/** @brief The checks a rule makes, combined with `|`. @since 0.1.0 */
typedef enum otaprio_guard_check {
    /** Canary against the concurrent baseline, with the relative margin
     *  otaprio_guard_rule::margin. @since 0.1.0 */
    OTAPRIO_GUARD_CHECK_BASELINE = 1u << 0,
    /** Canary against the absolute otaprio_guard_rule::ceiling.
     *  @since 0.1.0 */
    OTAPRIO_GUARD_CHECK_CEILING = 1u << 1,
    /** Continuous only: the canary's spread against the baseline's
     *  (Brown-Forsythe), so a variance blow-up with an unchanged median
     *  fails. @since 0.1.0 */
    OTAPRIO_GUARD_CHECK_SPREAD = 1u << 2
} otaprio_guard_check;

/**
 * @brief One metric's rule.
 *
 * Prepare with otaprio_guard_rule_init(). The name is copied into the set.
 * @since 0.1.0
 */
typedef struct otaprio_guard_rule {
    /** Caller's `sizeof(otaprio_guard_rule)`. @since 0.1.0 */
    size_t size;
    /** The metric's name, UTF-8, 1 to 63 bytes, unique in the set;
     *  required. @since 0.1.0 */
    const char *name;
    /** An ::otaprio_guard_kind; default #OTAPRIO_GUARD_PROPORTION.
     *  @since 0.1.0 */
    int32_t kind;
    /** An ::otaprio_guard_direction; default
     *  #OTAPRIO_GUARD_HIGHER_IS_WORSE. @since 0.1.0 */
    int32_t direction;
    /** An ::otaprio_guard_severity; default #OTAPRIO_GUARD_STANDARD.
     *  @since 0.1.0 */
    int32_t severity;
    /** ::otaprio_guard_check flags; 0 (default) selects the kind's
     *  default: #OTAPRIO_GUARD_CHECK_BASELINE, with
     *  #OTAPRIO_GUARD_CHECK_SPREAD for a continuous metric. @since 0.1.0 */
    uint32_t checks;
    /** Relative margin over the baseline the canary may reach before it
     *  fails, before tolerance scaling (otaprio_guard_options::layer):
     *  0.2 allows a rate 20% above the baseline's (for
     *  #OTAPRIO_GUARD_LOWER_IS_WORSE, 20% below it, so less than 1 after
     *  scaling; a lower-is-worse proportion's margin bounds the rise of its
     *  complement, the failure share); for continuous metrics, a shift of
     *  that share of the baseline's median. Finite, at least 0; default 0.
     *  @since 0.1.0 */
    double margin;
    /** The absolute limit (a floor for #OTAPRIO_GUARD_LOWER_IS_WORSE): a
     *  proportion in [0, 1], events per unit of exposure (not negative), or
     *  a continuous value the canary's median must not cross. Finite;
     *  default 0. @since 0.1.0 */
    double ceiling;
    /** The canary's sample before the rule may judge: devices (proportion),
     *  exposure (rate) or samples (continuous). Below it the verdict is
     *  inconclusive, except that a critical rule fails at once on
     *  significant harm. Finite, at least 0; default 0. @since 0.1.0 */
    double minimum_sample;
    /** Hours the data must span (otaprio_guard_data::window_start_hours to
     *  otaprio_guard_data::window_end_hours) before a pass may expand the
     *  rollout; until then a passing metric holds ("soaking"). Finite, at
     *  least 0; default 24. @since 0.1.0 */
    double window_hours;
    /** An ::otaprio_guard_no_data; default #OTAPRIO_GUARD_NO_DATA_HOLD.
     *  @since 0.1.0 */
    int32_t no_data;
    /** An ::otaprio_guard_zero_baseline; default
     *  #OTAPRIO_GUARD_ZERO_BASELINE_TEST. @since 0.1.0 */
    int32_t zero_baseline;
    /** 1 to pass only on positive evidence (a non-inferiority test: the
     *  canary is shown to be within the margin or under the ceiling); 0
     *  (default) passes when no harm is significant once the minimum sample
     *  and window are reached. @since 0.1.0 */
    int32_t require_evidence;
    /** 1 to judge the whole-cohort baseline comparison of a proportion or
     *  rate sequentially (always valid under repeated looks, see
     *  ::otaprio_guard_sequence); default 0. @since 0.1.0 */
    int32_t sequential;
} otaprio_guard_rule;

/**
 * @brief Prepares a rule with the defaults documented on each field.
 * @param rule the struct to prepare.
 * @param size the caller's `sizeof(otaprio_guard_rule)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_rule_init(otaprio_guard_rule *rule, size_t size);

/** @brief How failures across strata are controlled. @since 0.1.0 */
typedef enum otaprio_guard_multiplicity {
    /** Holm's step-down: the chance of naming any innocent stratum stays
     *  at or below alpha (default). @since 0.1.0 */
    OTAPRIO_GUARD_HOLM = 0,
    /** Benjamini-Hochberg: the expected share of innocent strata among
     *  those named stays at or below alpha. @since 0.1.0 */
    OTAPRIO_GUARD_BENJAMINI_HOCHBERG = 1,
    /** No control: each stratum at alpha. @since 0.1.0 */
    OTAPRIO_GUARD_UNCORRECTED = 2
} otaprio_guard_multiplicity;

/**
 * @brief The rollout-wide settings of a rule set.
 *
 * Prepare with otaprio_guard_options_init().
 * @since 0.1.0
 */
typedef struct otaprio_guard_options {
    /** Caller's `sizeof(otaprio_guard_options)`. @since 0.1.0 */
    size_t size;
    /** Significance level of every test, in (0, 0.5]; default 0.05.
     *  @since 0.1.0 */
    double alpha;
    /** The ::otaprio_layer the update touches; default
     *  #OTAPRIO_LAYER_APP. Sets the tolerance scale. @since 0.1.0 */
    int32_t layer;
    /** 1 when the update closes an actively exploited security hole: the
     *  tolerance loosens (a little functional noise is the lesser harm);
     *  default 0. @since 0.1.0 */
    int32_t closes_active_exploit;
    /** Factor on every rule's margin (ceilings are absolute and stay as
     *  written); 0 (default) takes the documented default for the layer:
     *  1 for an app or config, 0.75 for the OS, 0.5 for the kernel, 0.25
     *  for bootloader, baseband and battery management, times 1.5 when
     *  closes_active_exploit. Otherwise finite and positive.
     *  @since 0.1.0 */
    double tolerance_scale;
    /** Total events (canary plus baseline) up to which proportions use
     *  Fisher's exact test rather than the score test; default 1000.
     *  @since 0.1.0 */
    uint64_t exact_limit;
    /** An ::otaprio_guard_multiplicity; default #OTAPRIO_GUARD_HOLM.
     *  @since 0.1.0 */
    int32_t multiplicity;
} otaprio_guard_options;

/**
 * @brief Prepares options with the defaults documented on each field.
 * @param options the struct to prepare.
 * @param size the caller's `sizeof(otaprio_guard_options)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_options_init(otaprio_guard_options *options,
                                           size_t size);

/**
 * @brief The default tolerance scale of an update (see
 *        otaprio_guard_options::tolerance_scale): 1 for an app or config,
 *        0.75 for the OS, 0.5 for the kernel, 0.25 for bootloader,
 *        baseband and battery management, times 1.5 when it closes an
 *        actively exploited hole.
 *
 * Thread-safe; allocates nothing.
 * @param layer an ::otaprio_layer.
 * @param closes_active_exploit 0 or 1.
 * @param[out] scale receives the scale; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL @p scale;
 *         #OTAPRIO_E_RANGE for an unknown layer or a flag other than 0
 *         or 1.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_tolerance_default(int32_t layer,
                                                int32_t closes_active_exploit,
                                                double *scale,
                                                otaprio_diag *diag);

/** @brief An immutable, compiled rule set. @since 0.1.0 */
typedef struct otaprio_guard_set otaprio_guard_set;

/**
 * @brief Checks and compiles rules into a set.
 *
 * @param options the rollout's settings; NULL for the defaults.
 * @param rules `count` rules (1 to #OTAPRIO_GUARD_MAX_RULES), copied.
 * @param count number of rules.
 * @param allocator the set's allocator; NULL for the C library's.
 * @param set receives the set; untouched on failure.
 * @param diag optional diagnostics: the rule (index) and field at fault.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arguments or a rule
 *         without a name; #OTAPRIO_E_RANGE for an unknown enum value, an
 *         unknown check flag, a margin, ceiling, sample or window out of
 *         range, a sequential rule that is continuous, has no baseline check
 *         or requires evidence, or a zero-baseline policy the checks cannot
 * honour; #OTAPRIO_E_DUPLICATE for two rules with one name; #OTAPRIO_E_LIMIT
 * for too many rules; #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_set_create(const otaprio_guard_options *options,
                                         const otaprio_guard_rule *rules,
                                         size_t count,
                                         const otaprio_allocator *allocator,
                                         otaprio_guard_set **set,
                                         otaprio_diag *diag);

/**
 * @brief Frees a set; NULL is a no-op.
 * @param set the set.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_guard_set_free(otaprio_guard_set *set);

/**
 * @brief Number of rules in a set.
 * @param set the set.
 * @return the count, 0 for NULL.
 * @since 0.1.0
 */
OTAPRIO_API size_t otaprio_guard_set_rule_count(const otaprio_guard_set *set);

/**
 * @brief Finds a rule by name.
 * @param set the set.
 * @param name the metric's name.
 * @param index receives the rule's index.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, #OTAPRIO_E_NOT_FOUND.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_set_find(const otaprio_guard_set *set,
                                       const char *name, uint32_t *index);

/**
 * @brief The name of rule `index`, owned by the set.
 * @param set the set.
 * @param index the rule.
 * @return the name, or NULL for a NULL set or an index out of range.
 * @since 0.1.0
 */
OTAPRIO_API const char *
otaprio_guard_set_rule_name(const otaprio_guard_set *set, uint32_t index);

/* ==== counting per device ============================================== */

/**
 * @brief Counts a proportion per unique device from raw executions, so
 *        that retries do not inflate it.
 *
 * Each execution is a device key and whether that attempt failed. A
 * device is one trial however often it tried, and one failure when any of
 * its attempts failed (with `final_outcome` 0) or when its last attempt in
 * the arrays' order failed (with `final_outcome` 1: a device that failed,
 * retried and succeeded counts as a success).
 *
 * @param keys `count` device keys (otaprio_key_derive()).
 * @param failed `count` flags, 0 or 1.
 * @param count number of executions.
 * @param final_outcome 0 or 1, as above.
 * @param allocator scratch memory; NULL for the C library's.
 * @param failures receives the failed devices; untouched on failure.
 * @param trials receives the devices that tried; untouched on failure.
 * @param diag optional diagnostics.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arrays with a non-zero
 *         count or NULL outputs; #OTAPRIO_E_RANGE for a flag other than 0
 *         or 1 (diag names the index); #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_count_devices(
    const uint64_t *keys, const uint8_t *failed, size_t count,
    int final_outcome, const otaprio_allocator *allocator, uint64_t *failures,
    uint64_t *trials, otaprio_diag *diag);

/* ==== sequential state ================================================== */

/**
 * @brief The always-valid state of one sequential rule, kept by the host
 *        from one evaluation to the next.
 *
 * It is a mixture sequential probability ratio test on the canary's rate
 * against the baseline's (proportions count devices as exposure): by
 * Ville's inequality, the chance that it ever reports a failure for a
 * canary no worse than the margin allows stays at or below alpha, however
 * often the host evaluates. Pass it in otaprio_guard_data::sequence; an
 * evaluation that succeeds advances it with the cumulative counts.
 * @since 0.1.0
 */
typedef struct otaprio_guard_sequence otaprio_guard_sequence;

/** @brief Bytes of a saved sequence (otaprio_guard_sequence_save()).
 *  @since 0.1.0 */
#define OTAPRIO_GUARD_SEQUENCE_BYTES 272

/**
 * @brief A fresh sequence for a set's sequential rule.
 * @param set the rule set.
 * @param rule the rule's index; it must be marked sequential.
 * @param allocator the sequence's allocator; NULL for the C library's.
 * @param sequence receives the sequence; untouched on failure.
 * @param diag optional diagnostics.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL or a rule that is not
 *         sequential; #OTAPRIO_E_RANGE for an index out of range;
 *         #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_guard_sequence_create(const otaprio_guard_set *set, uint32_t rule,
                              const otaprio_allocator *allocator,
                              otaprio_guard_sequence **sequence,
                              otaprio_diag *diag);

/**
 * @brief Writes a sequence as #OTAPRIO_GUARD_SEQUENCE_BYTES bytes: a
 *        versioned, checksummed little-endian layout, the same on every
 *        platform.
 * @param sequence the sequence.
 * @param buffer receives the bytes.
 * @param capacity bytes available at @p buffer.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL; #OTAPRIO_E_LIMIT when
 *         @p capacity is below #OTAPRIO_GUARD_SEQUENCE_BYTES (nothing is
 *         written).
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_guard_sequence_save(const otaprio_guard_sequence *sequence,
                            void *buffer, size_t capacity);

/**
 * @brief Reads a saved sequence back for the same rule of the same set.
 * @param set the rule set.
 * @param rule the rule's index.
 * @param bytes the saved bytes.
 * @param length their number.
 * @param allocator the sequence's allocator; NULL for the C library's.
 * @param sequence receives the sequence; untouched on failure.
 * @param diag optional diagnostics.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL; #OTAPRIO_E_SYNTAX for
 *         bytes that are not a saved sequence of this version (wrong length,
 *         magic, version or checksum); #OTAPRIO_E_RANGE for a state no
 *         evaluation could have produced, or one saved for another rule
 *         (a foreign state: its rule fingerprint differs); #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_sequence_load(const otaprio_guard_set *set,
                                            uint32_t rule, const void *bytes,
                                            size_t length,
                                            const otaprio_allocator *allocator,
                                            otaprio_guard_sequence **sequence,
                                            otaprio_diag *diag);

/**
 * @brief The evaluations a sequence has seen and its always-valid p-value
 *        (1 before any event).
 * @param sequence the sequence.
 * @param looks receives the number of evaluations; may be NULL.
 * @param p_value receives the p-value; may be NULL.
 * @return #OTAPRIO_OK, or #OTAPRIO_E_INVALID for a NULL sequence.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_guard_sequence_status(const otaprio_guard_sequence *sequence,
                              uint64_t *looks, double *p_value);

/**
 * @brief Frees a sequence; NULL is a no-op.
 * @param sequence the sequence.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_guard_sequence_free(otaprio_guard_sequence *sequence);

/* ==== telemetry ========================================================= */

/** @brief Which side of the comparison a sample or count belongs to.
 *  @since 0.1.0 */
typedef enum otaprio_guard_group {
    /** The updated devices. @since 0.1.0 */
    OTAPRIO_GUARD_CANARY = 0,
    /** The devices not yet updated, over the same window. @since 0.1.0 */
    OTAPRIO_GUARD_BASELINE = 1
} otaprio_guard_group;

/**
 * @brief Hands over the samples of one stratum of a continuous metric.
 *
 * The engine copies the values before it calls again.
 * @param user the host's pointer (otaprio_guard_data::user).
 * @param row the stratum's row in otaprio_guard_data.
 * @param group an ::otaprio_guard_group.
 * @param values receives the samples (finite); NULL with a count of 0 for
 *        none.
 * @param count receives their number.
 * @return 0 to go on; any other value stops the evaluation, which returns
 *         it unchanged.
 * @since 0.1.0
 */
typedef int (*otaprio_guard_samples_fn)(void *user, size_t row, int32_t group,
                                        const double **values, size_t *count);

/**
 * @brief One metric's telemetry for one evaluation, whole or by stratum.
 *
 * Prepare with otaprio_guard_data_init(). Row `i` is one stratum (for
 * instance a stratum id of the cohort engine, or a SKU); the whole cohort
 * is the sum of the rows (for samples, their union). The columns a kind
 * does not use stay NULL.
 * @since 0.1.0
 */
typedef struct otaprio_guard_data {
    /** Caller's `sizeof(otaprio_guard_data)`. @since 0.1.0 */
    size_t size;
    /** The rule's index in the set. @since 0.1.0 */
    uint32_t rule;
    /** Number of rows, 0 (no data) to #OTAPRIO_GUARD_MAX_STRATA.
     *  @since 0.1.0 */
    size_t rows;
    /** Each row's stratum id, reported back; NULL numbers rows 0, 1, ...
     *  @since 0.1.0 */
    const uint64_t *stratum_ids;
    /** Hours since the wave began when the data starts; finite, at least 0.
     *  @since 0.1.0 */
    double window_start_hours;
    /** Hours since the wave began when the data ends; finite, at least
     *  the start. @since 0.1.0 */
    double window_end_hours;
    /** Proportions: failed devices; rates: events. Per row, canary then
     *  baseline. @since 0.1.0 */
    const uint64_t *canary_events;
    /** See otaprio_guard_data::canary_events. @since 0.1.0 */
    const uint64_t *baseline_events;
    /** Proportions: devices that tried, at least the failures.
     *  @since 0.1.0 */
    const uint64_t *canary_trials;
    /** See otaprio_guard_data::canary_trials. @since 0.1.0 */
    const uint64_t *baseline_trials;
    /** Rates: exposure (device-hours, thousands of devices...), finite,
     *  at least 0, positive where there are events. @since 0.1.0 */
    const double *canary_exposure;
    /** See otaprio_guard_data::canary_exposure. @since 0.1.0 */
    const double *baseline_exposure;
    /** Continuous: the samples' source. @since 0.1.0 */
    otaprio_guard_samples_fn samples;
    /** Passed to otaprio_guard_data::samples. @since 0.1.0 */
    void *user;
    /** A sequential rule's state (otaprio_guard_sequence_create()),
     *  advanced by a successful evaluation; NULL judges the rule with a
     *  fixed-sample test. The counts must then be cumulative since the
     *  wave began. @since 0.1.0 */
    otaprio_guard_sequence *sequence;
} otaprio_guard_data;

/**
 * @brief Prepares a data struct: no rows, a window of 0 hours, no columns.
 * @param data the struct to prepare.
 * @param size the caller's `sizeof(otaprio_guard_data)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_data_init(otaprio_guard_data *data, size_t size);

/* ==== verdicts ========================================================== */

/** @brief One metric's verdict. @since 0.1.0 */
typedef enum otaprio_guard_verdict {
    /** Within its rule. @since 0.1.0 */
    OTAPRIO_GUARD_PASS = 0,
    /** Significantly worse than its rule allows. @since 0.1.0 */
    OTAPRIO_GUARD_FAIL = 1,
    /** Not enough evidence either way yet. @since 0.1.0 */
    OTAPRIO_GUARD_INCONCLUSIVE = 2,
    /** No canary data at all. @since 0.1.0 */
    OTAPRIO_GUARD_NO_DATA = 3
} otaprio_guard_verdict;

/** @brief What the rollout should do, from mildest to gravest.
 *  @since 0.1.0 */
typedef enum otaprio_guard_action {
    /** Every metric passed its window: go to the next wave. @since 0.1.0 */
    OTAPRIO_GUARD_EXPAND = 0,
    /** Keep soaking at this wave: more data or more time is needed, or a
     *  leading indicator failed. @since 0.1.0 */
    OTAPRIO_GUARD_HOLD = 1,
    /** Stop the rollout for a person to decide. @since 0.1.0 */
    OTAPRIO_GUARD_PAUSE = 2,
    /** A critical metric failed: back out. @since 0.1.0 */
    OTAPRIO_GUARD_ROLLBACK = 3
} otaprio_guard_action;

/** @brief The test behind a verdict. @since 0.1.0 */
typedef enum otaprio_guard_test {
    /** None ran (no data, or a policy decided). @since 0.1.0 */
    OTAPRIO_GUARD_TEST_NONE = 0,
    /** Fisher's exact test. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_FISHER = 1,
    /** The pooled two-proportion score test. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_SCORE = 2,
    /** The Farrington-Manning score test of the risk ratio against the
     *  margin. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_RISK_RATIO = 3,
    /** The exact binomial test against the ceiling. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_BINOMIAL = 4,
    /** The conditional exact test of a Poisson rate ratio. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_RATE_RATIO = 5,
    /** The exact Poisson test against the ceiling. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_POISSON = 6,
    /** The Mann-Whitney U test. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_MANN_WHITNEY = 7,
    /** The Brown-Forsythe test on spread. @since 0.1.0 */
    OTAPRIO_GUARD_TEST_BROWN_FORSYTHE = 8,
    /** The sign test of the canary's median against the ceiling.
     *  @since 0.1.0 */
    OTAPRIO_GUARD_TEST_SIGN = 9,
    /** The sequential mixture test (p-value always valid). @since 0.1.0 */
    OTAPRIO_GUARD_TEST_SEQUENTIAL = 10
} otaprio_guard_test;

/** @brief Why a metric holds, pauses or rolls back the rollout.
 *  @since 0.1.0 */
typedef enum otaprio_guard_reason_code {
    /** Passed; nothing holds. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_NONE = 0,
    /** Worse than the baseline by more than the margin. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_OVER_BASELINE = 1,
    /** Over the absolute ceiling (under the floor). @since 0.1.0 */
    OTAPRIO_GUARD_REASON_OVER_CEILING = 2,
    /** The canary's spread is significantly wider. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_SPREAD = 3,
    /** Canary events while the baseline had none, under
     *  #OTAPRIO_GUARD_ZERO_BASELINE_ANY_EVENT. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_ZERO_BASELINE = 4,
    /** Failing in some strata only (otaprio_guard_report_strata()).
     *  @since 0.1.0 */
    OTAPRIO_GUARD_REASON_STRATA = 5,
    /** No canary data. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_NO_DATA = 6,
    /** Below the minimum sample. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_BELOW_MINIMUM = 7,
    /** Neither harm nor, where required, its absence is shown yet.
     *  @since 0.1.0 */
    OTAPRIO_GUARD_REASON_INCONCLUSIVE = 8,
    /** Passing, but the window has not passed yet. @since 0.1.0 */
    OTAPRIO_GUARD_REASON_SOAKING = 9
} otaprio_guard_reason_code;

/**
 * @brief One metric's outcome, whole cohort.
 *
 * Values are in the metric's own terms (a proportion, events per unit of
 * exposure, or the continuous value) and, for
 * #OTAPRIO_GUARD_LOWER_IS_WORSE, not flipped. Fields a test does not
 * produce are NaN.
 * @since 0.1.0
 */
typedef struct otaprio_guard_result {
    /** Caller's `sizeof(otaprio_guard_result)`. @since 0.1.0 */
    size_t size;
    /** The rule's index. @since 0.1.0 */
    uint32_t rule;
    /** An ::otaprio_guard_verdict. @since 0.1.0 */
    int32_t verdict;
    /** The ::otaprio_guard_action this metric asks for. @since 0.1.0 */
    int32_t action;
    /** An ::otaprio_guard_reason_code. @since 0.1.0 */
    int32_t reason;
    /** The ::otaprio_guard_test that decided (for a pass, the harm test
     *  that found nothing, or the evidence test). @since 0.1.0 */
    int32_t test;
    /** Its statistic (z, odds ratio, rate ratio, U, W, ...; see
     *  docs/guardrail.md). @since 0.1.0 */
    double statistic;
    /** Its p-value. @since 0.1.0 */
    double p_value;
    /** The natural log of the p-value, finite when it underflows.
     *  @since 0.1.0 */
    double log_p_value;
    /** The canary's value: proportion, rate, or median. @since 0.1.0 */
    double canary_value;
    /** The baseline's value. @since 0.1.0 */
    double baseline_value;
    /** The effect: the difference of proportions, the rate ratio, or the
     *  Hodges-Lehmann shift (canary minus baseline). @since 0.1.0 */
    double effect;
    /** Lower end of the effect's interval at 1 - alpha (Newcombe, exact
     *  conditional, or Moses). @since 0.1.0 */
    double effect_low;
    /** Upper end of that interval. @since 0.1.0 */
    double effect_high;
    /** The limit the canary was held to after tolerance scaling: the
     *  allowed ratio (1 + margin) or shift, or the ceiling. @since 0.1.0 */
    double limit;
    /** The canary's sample: devices, exposure, or samples. @since 0.1.0 */
    double canary_sample;
    /** The baseline's sample. @since 0.1.0 */
    double baseline_sample;
    /** Strata failing after multiple-comparison control. @since 0.1.0 */
    uint32_t failing_strata;
} otaprio_guard_result;

/**
 * @brief One stratum's outcome for a metric (localisation).
 * @since 0.1.0
 */
typedef struct otaprio_guard_stratum {
    /** Caller's `sizeof(otaprio_guard_stratum)`. @since 0.1.0 */
    size_t size;
    /** Its id (otaprio_guard_data::stratum_ids, or its row). @since 0.1.0 */
    uint64_t stratum;
    /** #OTAPRIO_GUARD_FAIL when it fails after multiple-comparison control,
     *  else #OTAPRIO_GUARD_PASS, #OTAPRIO_GUARD_INCONCLUSIVE or
     *  #OTAPRIO_GUARD_NO_DATA. @since 0.1.0 */
    int32_t verdict;
    /** The ::otaprio_guard_reason_code of its harm test. @since 0.1.0 */
    int32_t reason;
    /** Its harm test's p-value, unadjusted. @since 0.1.0 */
    double p_value;
    /** The p-value adjusted across the metric's strata
     *  (otaprio_guard_options::multiplicity). @since 0.1.0 */
    double adjusted_p_value;
    /** The canary's value in the stratum. @since 0.1.0 */
    double canary_value;
    /** The baseline's value in the stratum. @since 0.1.0 */
    double baseline_value;
    /** The canary's sample in the stratum. @since 0.1.0 */
    double canary_sample;
} otaprio_guard_stratum;

/**
 * @brief One reason behind the overall action.
 * @since 0.1.0
 */
typedef struct otaprio_guard_reason {
    /** Caller's `sizeof(otaprio_guard_reason)`. @since 0.1.0 */
    size_t size;
    /** The rule's index. @since 0.1.0 */
    uint32_t rule;
    /** The ::otaprio_guard_action it asks for. @since 0.1.0 */
    int32_t action;
    /** An ::otaprio_guard_reason_code. @since 0.1.0 */
    int32_t code;
    /** The p-value behind it (NaN when no test did). @since 0.1.0 */
    double p_value;
} otaprio_guard_reason;

/** @brief An immutable evaluation report. @since 0.1.0 */
typedef struct otaprio_guard_report otaprio_guard_report;

/**
 * @brief Evaluates telemetry against a rule set.
 *
 * Each rule is judged on the data whose otaprio_guard_data::rule names it;
 * a rule without data has no data. All checks of a rule run; the gravest
 * outcome decides its verdict. Every row is also judged alone, and the
 * rows failing after multiple-comparison control are the strata that
 * drive a failure: a metric that passes as a whole but fails in some
 * strata fails with #OTAPRIO_GUARD_REASON_STRATA, so the host can exempt
 * those strata (evaluate again without their rows) instead of halting
 * every device. The overall action is the gravest metric's; reasons come
 * gravest action first, then failures before other verdicts, then by
 * severity, then by p-value. Sequences in the data
 * advance only when the call succeeds.
 *
 * Thread-safe for a shared set; sequences must not be shared.
 * @param set the rule set.
 * @param data `count` metrics' data, at most one per rule.
 * @param count number of entries; 0 leaves every rule without data.
 * @param allocator the report's and scratch memory; NULL for the C
 *        library's.
 * @param report receives the report; untouched on failure.
 * @param diag optional diagnostics: the entry (index) and field at fault.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL arguments, a missing
 *         column the rule's kind needs, or a sequence for another rule;
 *         #OTAPRIO_E_RANGE for a rule index out of range, failures above
 *         trials, negative, NaN or infinite exposure, events without
 *         exposure, a window ending before it starts, NaN or infinite
 *         samples, or counts below a sequence's last; #OTAPRIO_E_DUPLICATE
 *         for two entries for one rule; #OTAPRIO_E_LIMIT for too many rows;
 *         #OTAPRIO_E_OVERFLOW when a rule's rows sum past 2^64 events or
 *         trials; #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_NOMEM; or a callback's
 *         non-zero value.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_evaluate(const otaprio_guard_set *set,
                                       const otaprio_guard_data *data,
                                       size_t count,
                                       const otaprio_allocator *allocator,
                                       otaprio_guard_report **report,
                                       otaprio_diag *diag);

/**
 * @brief Frees a report; NULL is a no-op.
 * @param report the report.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_guard_report_free(otaprio_guard_report *report);

/**
 * @brief The overall action.
 * @param report the report.
 * @return an ::otaprio_guard_action, or -1 for a NULL report.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_report_action(const otaprio_guard_report *report);

/**
 * @brief One metric's outcome.
 * @param report the report.
 * @param rule the rule's index.
 * @param result receives it; its `size` must be set.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL; #OTAPRIO_E_RANGE for
 *         an index out of range; #OTAPRIO_E_STRUCT_SIZE.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_report_result(const otaprio_guard_report *report,
                                            uint32_t rule,
                                            otaprio_guard_result *result);

/**
 * @brief Number of reasons behind the overall action (metrics that do not
 *        pass cleanly; 0 when the action is to expand).
 * @param report the report.
 * @return the count, 0 for NULL.
 * @since 0.1.0
 */
OTAPRIO_API size_t
otaprio_guard_report_reason_count(const otaprio_guard_report *report);

/**
 * @brief Reason `index`, gravest first.
 * @param report the report.
 * @param index below otaprio_guard_report_reason_count().
 * @param reason receives it; its `size` must be set.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL; #OTAPRIO_E_RANGE for
 *         an index out of range; #OTAPRIO_E_STRUCT_SIZE.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_report_reason(const otaprio_guard_report *report,
                                            size_t index,
                                            otaprio_guard_reason *reason);

/**
 * @brief A metric's strata in report order: failing strata first, then
 *        the rest, each by adjusted p-value (ties by p-value, then row);
 *        strata without data last, in row order.
 * @param report the report.
 * @param rule the rule's index.
 * @param strata receives up to `capacity` strata, each with its `size`
 *        set; may be NULL when `capacity` is 0.
 * @param capacity room at @p strata.
 * @param total receives the metric's number of rows.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL; #OTAPRIO_E_RANGE for
 *         an index out of range; #OTAPRIO_E_STRUCT_SIZE.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_guard_report_strata(const otaprio_guard_report *report,
                                            uint32_t rule,
                                            otaprio_guard_stratum *strata,
                                            size_t capacity, size_t *total);

/**
 * @brief The name of a verdict, for hosts that print it ("pass", "fail",
 *        "inconclusive", "no-data").
 * @param verdict an ::otaprio_guard_verdict.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_guard_verdict_name(int32_t verdict);

/**
 * @brief The name of an action ("expand", "hold", "pause", "rollback").
 * @param action an ::otaprio_guard_action.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_guard_action_name(int32_t action);

/**
 * @brief The name of a test ("fisher", "score", "mann-whitney", ...).
 * @param test an ::otaprio_guard_test.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_guard_test_name(int32_t test);

/**
 * @brief The name of a reason code ("over-baseline", "soaking", ...).
 * @param code an ::otaprio_guard_reason_code.
 * @return a static string, or NULL for an unknown value.
 * @since 0.1.0
 */
OTAPRIO_API const char *otaprio_guard_reason_name(int32_t code);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_guard_rule_init(rule) \
    otaprio_guard_rule_init((rule), sizeof(*(rule)))
#define otaprio_guard_options_init(options) \
    otaprio_guard_options_init((options), sizeof(*(options)))
#define otaprio_guard_data_init(data) \
    otaprio_guard_data_init((data), sizeof(*(data)))
/** @endcond */

#endif /* OTAPRIO_GUARDRAIL_H */
