/* SPDX-License-Identifier: MIT */
/**
 * @file otaprio/cohort.h
 * @brief Cohort engine: deterministic, stratified, nested canary waves that
 *        measure their own representativeness.
 *
 * A rollout's waves are chosen in four steps:
 * - **Describe the rollout** in an ::otaprio_cohort_spec: the strata
 *   dimensions the host cares about (OS version, SKU, region, battery
 *   band, connection, ...), each a column of small integer codes; the wave
 *   schedule of cumulative fractions; the allocation method; exclusions and
 *   caps.
 * - **Stream the fleet** through a sampler (otaprio_cohort_sampler_create(),
 *   otaprio_cohort_sampler_observe()), chunk after chunk, in memory bounded
 *   by the strata and their quotas, never by the fleet. Samplers of shards
 *   serialise to bytes and merge into exactly the state of one pass over
 *   the union (otaprio_cohort_sampler_serialize(),
 *   otaprio_cohort_sampler_merge_serialized()).
 * - **Finish** into an immutable cohort (otaprio_cohort_sampler_finish()):
 *   every wave's size, quotas per stratum, selected devices, and a device's
 *   wave for any later chunk (otaprio_cohort_assign()).
 * - **Judge** it: total variation distance between cohort and fleet, joint
 *   and per dimension, and coverage (otaprio_cohort_representativeness());
 *   a cohort chosen elsewhere is scored the same way through a tally
 *   (otaprio_tally_create()).
 *
 * Selection is deterministic: a device's place inside its stratum is its
 * bucket position (otaprio_bucket_position() of the rollout salt and the
 * device key), so the same inputs give the same cohort on every machine,
 * in every binding, in any chunking and any sharding. Waves are nested:
 * a device in wave k is in every later wave.
 *
 * Researchers plug their own algorithm in behind
 * ::otaprio_cohort_algorithm and compare it with the built-in ones on the
 * same fleets through otaprio_cohort_evaluate().
 *
 * Samplers and tallies are single-threaded objects; finished cohorts are
 * immutable and any number of threads may query one at once.
 *
 * @since 0.1.0
 */
#ifndef OTAPRIO_COHORT_H
#define OTAPRIO_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "otaprio/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== describing a rollout ============================================= */

/** @brief Most strata dimensions a rollout names. @since 0.1.0 */
#define OTAPRIO_COHORT_MAX_DIMENSIONS 16

/** @brief Most waves in a schedule. @since 0.1.0 */
#define OTAPRIO_COHORT_MAX_WAVES 32

/** @brief Most joint strata a Neyman allocation takes standard deviations
 *  for (the product of the cardinalities). @since 0.1.0 */
#define OTAPRIO_COHORT_MAX_NEYMAN_STRATA (UINT64_C(1) << 24)

/** @brief Most devices one sampler counts. @since 0.1.0 */
#define OTAPRIO_COHORT_MAX_DEVICES ((UINT64_C(1) << 40) - 1)

/** @brief Wave of a device no wave selects (otaprio_cohort_assign()).
 *  @since 0.1.0 */
#define OTAPRIO_COHORT_NONE 0xFFu

/**
 * @brief How each wave's size is shared out among the strata.
 *
 * Every stratified method rounds each stratum's share of wave `k`,
 * `size * weight / total weight`, by largest remainders (floors, then one
 * more seat to the largest remainders), bounded below by the stratum's
 * seats of wave `k - 1` and its minimum seats, and above by its eligible
 * devices and its cap. Without binding bounds every stratum is within one
 * seat of its share; the lower bound keeps waves nested where plain
 * largest remainders would take a seat back (the Alabama paradox). Inside
 * a stratum, seats go to eligible devices in increasing bucket position.
 * The exact rules, ties included, are in docs/cohort.md.
 * @since 0.1.0
 */
typedef enum otaprio_cohort_method {
    /** The baseline every OTA product uses: a device joins the first wave
     *  whose fraction exceeds its bucket fraction (otaprio_bucket_fraction()).
     *  Wave sizes are binomial, not exact; strata are ignored for
     *  selection and used only to report. @since 0.1.0 */
    OTAPRIO_COHORT_HASH_THRESHOLD = 0,
    /** Exact wave sizes, shared out in proportion to each stratum's
     *  eligible devices. @since 0.1.0 */
    OTAPRIO_COHORT_PROPORTIONAL = 1,
    /** Proportional, after every stratum first receives
     *  otaprio_cohort_spec::minimum_per_stratum seats (default 1) when the
     *  wave's size allows: rare strata are covered. @since 0.1.0 */
    OTAPRIO_COHORT_MINIMUM_COVERAGE = 2,
    /** Neyman: in proportion to eligible devices times the stratum's
     *  standard deviation (otaprio_cohort_spec::stratum_sd), which minimises
     *  the variance of a fleet-wide mean estimated from the cohort.
     *  @since 0.1.0 */
    OTAPRIO_COHORT_NEYMAN = 3
} otaprio_cohort_method;

/** @brief Number of built-in methods. @since 0.1.0 */
#define OTAPRIO_COHORT_METHOD_COUNT 4

/**
 * @brief A rollout: strata, wave schedule, allocation, exclusions, caps.
 *
 * Prepare with otaprio_cohort_spec_init(). The arrays are read when a
 * sampler or tally is created and copied; the spec need not outlive it.
 *
 * Strata: dimension `d` takes codes `0 .. cardinalities[d] - 1`. A device's
 * **stratum id** is its codes in mixed radix, dimension 0 varying fastest:
 * `code[0] + cardinalities[0] * (code[1] + cardinalities[1] * (...))`.
 * The product of the cardinalities must fit in 64 bits.
 *
 * Eligibility: a device is **excluded** from every wave when its
 * otaprio_cohort_chunk::excluded flag is 1, when it is metered and
 * otaprio_cohort_spec::exclude_metered is 1, when its battery is below
 * otaprio_cohort_spec::minimum_battery and it is not charging, or when its
 * cluster is in otaprio_cohort_spec::excluded_clusters. Otherwise its **first
 * wave** is the larger of its otaprio_cohort_chunk::first_wave and, for a
 * critical device, otaprio_cohort_spec::critical_first_wave; a first wave at or
 * past the last wave excludes it too. A device is **eligible at wave k**
 * when it is not excluded and its first wave is at most `k`.
 *
 * Wave sizes: wave `k`'s target is `floor(waves[k] * E_k + 1/2)` devices,
 * `E_k` the devices eligible at wave k (a fraction is of the devices that
 * may update, not of the whole fleet; the report shows both).
 * @since 0.1.0
 */
typedef struct otaprio_cohort_spec {
    /** Caller's `sizeof(otaprio_cohort_spec)`. @since 0.1.0 */
    size_t size;
    /** The rollout salt (see otaprio_key_derive()); default 0.
     *  @since 0.1.0 */
    uint64_t salt;
    /** An ::otaprio_cohort_method; default #OTAPRIO_COHORT_PROPORTIONAL.
     *  @since 0.1.0 */
    int32_t method;
    /** Number of strata dimensions, 0 to #OTAPRIO_COHORT_MAX_DIMENSIONS;
     *  0 makes the whole fleet one stratum. Default 0. @since 0.1.0 */
    uint32_t dimension_count;
    /** `dimension_count` cardinalities, each at least 1. @since 0.1.0 */
    const uint32_t *cardinalities;
    /** Number of waves, 1 to #OTAPRIO_COHORT_MAX_WAVES. @since 0.1.0 */
    uint32_t wave_count;
    /** `wave_count` cumulative fractions, strictly increasing, each in
     *  (0, 1]. Waves below 1 are **canary waves**: their devices are
     *  selected and listed. A final wave of 1 is the rest of the eligible
     *  fleet; it is not listed (it may be the whole fleet), but
     *  otaprio_cohort_assign() names its devices. @since 0.1.0 */
    const double *waves;
    /** Seats each stratum receives before the proportional share, while
     *  the wave's size allows (largest strata first). 0 selects the
     *  method's default: 1 for #OTAPRIO_COHORT_MINIMUM_COVERAGE, none for
     *  the others; must stay 0 for #OTAPRIO_COHORT_HASH_THRESHOLD.
     *  @since 0.1.0 */
    uint32_t minimum_per_stratum;
    /** #OTAPRIO_COHORT_NEYMAN only: a standard deviation, finite and not
     *  negative, for every stratum id (`stratum_sd_count` of them, the
     *  product of the cardinalities, at most
     *  #OTAPRIO_COHORT_MAX_NEYMAN_STRATA). Must be NULL for other methods.
     *  @since 0.1.0 */
    const double *stratum_sd;
    /** Number of values in otaprio_cohort_spec::stratum_sd. @since 0.1.0 */
    uint64_t stratum_sd_count;
    /** Share of each stratum's eligible devices the sampler must be able to
     *  select, in (0, 1]; 0 (the default) lets the library choose: the
     *  largest canary fraction, times (for Neyman) the largest standard
     *  deviation over the smallest, at most 1. Memory grows with it.
     *  Finishing fails with #OTAPRIO_E_LIMIT, naming the stratum, when an
     *  allocation (caps can push one) needs more of a stratum than this
     *  keeps. @since 0.1.0 */
    double retain_fraction;
    /** First wave a device flagged otaprio_cohort_chunk::critical may join
     *  (medical, payment, industrial...); 0 (default) holds none back,
     *  `wave_count` or more keeps them out of every wave. @since 0.1.0 */
    uint32_t critical_first_wave;
    /** Devices whose battery charge is below this and which are not
     *  charging are excluded; in [0, 1], default 0 (no battery rule).
     *  @since 0.1.0 */
    float minimum_battery;
    /** 1 to exclude devices on a metered link; default 0. @since 0.1.0 */
    int32_t exclude_metered;
    /** Shared-fate clusters (otaprio_cohort_chunk::cluster) kept out of
     *  every wave; may be NULL when the count is 0. @since 0.1.0 */
    const uint32_t *excluded_clusters;
    /** Number of values in otaprio_cohort_spec::excluded_clusters. @since 0.1.0
     */
    size_t excluded_cluster_count;
    /** Dimension whose codes are capped, or -1 (default) for no caps.
     *  @since 0.1.0 */
    int32_t cap_dimension;
    /** One cap per code of otaprio_cohort_spec::cap_dimension: the most devices
     * with that code any canary wave may hold (support capacity, a regulator's
     * limit). Seats a capped code cannot take go to the other strata. A final
     *  wave of 1 is not capped. @since 0.1.0 */
    const uint64_t *caps;
} otaprio_cohort_spec;

/**
 * @brief Prepares a spec: salt 0, proportional allocation, no strata, no
 *        waves, no exclusions, no caps.
 *
 * Call as `otaprio_cohort_spec_init(&spec)`. Thread-safe.
 * @param spec the struct to prepare.
 * @param size the caller's `sizeof(otaprio_cohort_spec)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_spec_init(otaprio_cohort_spec *spec,
                                         size_t size);

/**
 * @brief A chunk of devices as columns, each of otaprio_cohort_chunk::count
 *        values, or NULL when the host has no such data (the default then
 *        applies to every device).
 *
 * Prepare with otaprio_cohort_chunk_init(). Flag columns hold 0 or 1.
 * @since 0.1.0
 */
typedef struct otaprio_cohort_chunk {
    /** Caller's `sizeof(otaprio_cohort_chunk)`. @since 0.1.0 */
    size_t size;
    /** Number of devices. @since 0.1.0 */
    size_t count;
    /** Device keys (otaprio_key_derive()); required. Keys must be unique
     *  across the fleet: a repeated key counts as another device, and
     *  finishing fails with #OTAPRIO_E_DUPLICATE when two devices with one
     *  key could both be selected. @since 0.1.0 */
    const uint64_t *keys;
    /** One column of codes per strata dimension
     *  (otaprio_cohort_spec::dimension_count of them); NULL, or a NULL
     *  column, means code 0. @since 0.1.0 */
    const uint32_t *const *codes;
    /** 1 for a critical device (see
     *  otaprio_cohort_spec::critical_first_wave); default 0. @since 0.1.0 */
    const uint8_t *critical;
    /** Battery charge in [0, 1]; default 1. @since 0.1.0 */
    const float *battery;
    /** 1 when charging; default 0. @since 0.1.0 */
    const uint8_t *charging;
    /** 1 on a metered link; default 0. @since 0.1.0 */
    const uint8_t *metered;
    /** Shared-fate cluster id (see otaprio_clusterer_add()); default none.
     *  @since 0.1.0 */
    const uint32_t *cluster;
    /** 1 when the host's own policy excludes the device; default 0.
     *  @since 0.1.0 */
    const uint8_t *excluded;
    /** First wave the host allows the device in; default 0. @since 0.1.0 */
    const uint8_t *first_wave;
} otaprio_cohort_chunk;

/**
 * @brief Prepares a chunk: no devices, every column NULL.
 *
 * Call as `otaprio_cohort_chunk_init(&chunk)`. Thread-safe.
 * @param chunk the struct to prepare.
 * @param size the caller's `sizeof(otaprio_cohort_chunk)`.
 * @return #OTAPRIO_OK, #OTAPRIO_E_INVALID for NULL, or
 *         #OTAPRIO_E_STRUCT_SIZE for a size below the first layout.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_chunk_init(otaprio_cohort_chunk *chunk,
                                          size_t size);

/* ==== streaming: the sampler =========================================== */

/**
 * @brief The streaming state of one pass (or one shard) over a fleet.
 *
 * It keeps, per stratum, the device counts and the devices whose bucket
 * position lies below a threshold that shrinks as the stratum grows:
 * enough, with overwhelming probability, to fill the stratum's quota in
 * every canary wave. The kept set depends only on the devices seen, not
 * on their order or chunking, which is what makes merging exact. Memory
 * is O(strata + retain fraction × eligible devices + strata × a margin of
 * a few dozen devices), 8 bytes per kept device.
 * @since 0.1.0
 */
typedef struct otaprio_cohort_sampler otaprio_cohort_sampler;

/**
 * @brief Starts a sampler for a rollout.
 *
 * Thread-safe.
 * @param spec the rollout; validated and copied.
 * @param allocator for the sampler's life, or NULL.
 * @param[out] sampler receives it; untouched on failure.
 * @param[out] diag optional; names the offending spec field.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers, a missing
 *         array, a field that does not apply to the method;
 * #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a value out of range (a fraction
 * of 0 or over 1, a schedule that does not increase, a zero cardinality, a
 *         negative or non-finite standard deviation, a cap dimension past
 *         the last); #OTAPRIO_E_OVERFLOW when the strata do not fit in 64
 *         bits; #OTAPRIO_E_LIMIT past a documented maximum; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_sampler_create(
    const otaprio_cohort_spec *spec, const otaprio_allocator *allocator,
    otaprio_cohort_sampler **sampler, otaprio_diag *diag);

/**
 * @brief Frees a sampler; NULL is a no-op.
 * @param sampler the sampler.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_cohort_sampler_free(otaprio_cohort_sampler *sampler);

/**
 * @brief Adds a chunk of devices.
 *
 * Every value is checked before anything is counted; on any error the
 * sampler is as it was. Time is linear in the chunk.
 *
 * Not thread-safe on one sampler.
 * @param sampler the sampler.
 * @param chunk the devices.
 * @param[out] diag optional; names the column and the device index.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers or NULL keys;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a code at or past
 *         its dimension's cardinality, a flag other than 0 or 1, a battery
 *         charge outside [0, 1] or not a number; #OTAPRIO_E_LIMIT past
 *         #OTAPRIO_COHORT_MAX_DEVICES; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_sampler_observe(otaprio_cohort_sampler *sampler,
                               const otaprio_cohort_chunk *chunk,
                               otaprio_diag *diag);

/**
 * @brief Folds another sampler of the same rollout into @p sampler.
 *
 * The result is exactly the state one sampler would hold after seeing both
 * samplers' devices. On error @p sampler is as it was.
 *
 * Not thread-safe on @p sampler; @p other is only read.
 * @param sampler receives the union.
 * @param other a sampler created from an equal spec; may not be @p sampler.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers, the same
 *         sampler twice, or samplers of different rollouts;
 *         #OTAPRIO_E_LIMIT past #OTAPRIO_COHORT_MAX_DEVICES;
 *         #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_sampler_merge(otaprio_cohort_sampler *sampler,
                             const otaprio_cohort_sampler *other,
                             otaprio_diag *diag);

/**
 * @brief Serialises a sampler's state to bytes, for another process or
 *        machine to merge.
 *
 * The format is versioned, little-endian, fingerprinted with the rollout
 * (so a state cannot be merged into another rollout) and checksummed. The
 * same state always gives the same bytes.
 *
 * Thread-safe with other readers.
 * @param sampler the sampler.
 * @param[out] buffer receives the bytes; may be NULL to ask the size.
 * @param capacity bytes available at @p buffer.
 * @param[out] length receives the size of the state in bytes, also when
 *                    @p buffer is NULL or too small.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK (also for a size query with a NULL @p buffer);
 *         #OTAPRIO_E_INVALID for a NULL @p sampler or @p length;
 *         #OTAPRIO_E_RANGE when @p capacity is too small (nothing is
 *         written).
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_sampler_serialize(const otaprio_cohort_sampler *sampler,
                                 void *buffer, size_t capacity, size_t *length,
                                 otaprio_diag *diag);

/**
 * @brief Folds a serialised state into @p sampler.
 *
 * The bytes are outside data: every length, count, stratum, key and the
 * checksum are checked before anything is merged, and each kept device's
 * bucket position is recomputed rather than trusted. On error @p sampler
 * is as it was.
 *
 * Not thread-safe on one sampler.
 * @param sampler receives the union.
 * @param bytes the state from otaprio_cohort_sampler_serialize().
 * @param length its size in bytes.
 * @param[out] diag optional; says what was wrong and where.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers or a state of
 *         another rollout; #OTAPRIO_E_SYNTAX for bytes that are not a
 *         sampler state (wrong magic, truncated, bad checksum, values that
 *         contradict each other); #OTAPRIO_E_LIMIT for a newer format
 *         version or past #OTAPRIO_COHORT_MAX_DEVICES; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_sampler_merge_serialized(otaprio_cohort_sampler *sampler,
                                        const void *bytes, size_t length,
                                        otaprio_diag *diag);

/* ==== the finished cohort ============================================== */

/**
 * @brief The waves chosen from a sampler's devices. Immutable.
 * @since 0.1.0
 */
typedef struct otaprio_cohort otaprio_cohort;

/**
 * @brief Allocates every wave and selects its devices.
 *
 * The sampler is only read: more chunks may follow, and finishing again
 * gives the cohort of everything seen by then.
 *
 * Thread-safe with other readers of the sampler.
 * @param sampler the sampler.
 * @param allocator for the cohort's life, or NULL.
 * @param[out] cohort receives it; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_LIMIT when a stratum's quota needs more devices than
 *         the sampler kept (diag names the stratum id; raise
 *         otaprio_cohort_spec::retain_fraction); #OTAPRIO_E_DUPLICATE when
 *         two devices with one key could both be selected (diag gives the
 *         key in its message); #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_sampler_finish(const otaprio_cohort_sampler *sampler,
                              const otaprio_allocator *allocator,
                              otaprio_cohort **cohort, otaprio_diag *diag);

/**
 * @brief Frees a cohort; NULL is a no-op.
 * @param cohort the cohort.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_cohort_free(otaprio_cohort *cohort);

/**
 * @brief One wave's sizes.
 * @since 0.1.0
 */
typedef struct otaprio_cohort_wave {
    /** Caller's `sizeof(otaprio_cohort_wave)`. @since 0.1.0 */
    size_t size;
    /** The wave's cumulative fraction. @since 0.1.0 */
    double fraction;
    /** Devices observed, eligible or not. @since 0.1.0 */
    uint64_t fleet;
    /** Devices eligible at this wave. @since 0.1.0 */
    uint64_t eligible;
    /** Devices the fraction asks for. @since 0.1.0 */
    uint64_t target;
    /** Devices in this wave and the ones before (for the hash threshold,
     *  the binomial count; otherwise `target` unless caps or exclusions
     *  leave too few devices). @since 0.1.0 */
    uint64_t selected;
    /** `target - selected` when positive, else 0: seats no eligible device
     *  could take. @since 0.1.0 */
    uint64_t shortfall;
    /** Strata with at least one device in the fleet. @since 0.1.0 */
    uint64_t strata;
    /** Strata with at least one selected device. @since 0.1.0 */
    uint64_t strata_covered;
    /** Strata with an eligible device that did not receive their minimum
     *  (otaprio_cohort_spec::minimum_per_stratum) because the wave was too
     *  small. @since 0.1.0 */
    uint64_t strata_short_of_minimum;
    /** 1 for a canary wave, whose devices otaprio_cohort_devices() lists;
     *  0 for a final wave of 1. @since 0.1.0 */
    int32_t listed;
} otaprio_cohort_wave;

/**
 * @brief Number of waves in the schedule. Thread-safe.
 * @param cohort the cohort, or NULL (then 0).
 * @return the count.
 * @since 0.1.0
 */
OTAPRIO_API uint32_t otaprio_cohort_wave_count(const otaprio_cohort *cohort);

/**
 * @brief Reports one wave's sizes. Thread-safe.
 * @param cohort the cohort.
 * @param wave the wave, from 0.
 * @param[out] info receives the sizes; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a wave past the last.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_wave_info(const otaprio_cohort *cohort,
                                         uint32_t wave,
                                         otaprio_cohort_wave *info,
                                         otaprio_diag *diag);

/**
 * @brief Lists the selected devices of the canary waves.
 *
 * Devices are in the order they join: by wave, then by stratum id, then by
 * bucket position; so the devices of waves `0 .. k` are the first
 * otaprio_cohort_wave::selected entries of wave `k`. Thread-safe.
 * @param cohort the cohort.
 * @param first index of the first device to report.
 * @param count number of devices to report.
 * @param[out] keys receives their keys, or NULL.
 * @param[out] waves receives the wave each joins, or NULL.
 * @param[out] strata receives each one's stratum id, or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL cohort;
 *         #OTAPRIO_E_RANGE when `first + count` passes the devices of the
 *         last canary wave.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_devices(const otaprio_cohort *cohort,
                                       uint64_t first, uint64_t count,
                                       uint64_t *keys, uint8_t *waves,
                                       uint64_t *strata, otaprio_diag *diag);

/**
 * @brief Says which wave each device of a chunk joins.
 *
 * A device of a canary wave is found by its stratum and bucket position; a
 * device the canary waves did not select joins a final wave of 1 when it
 * is eligible there. For #OTAPRIO_COHORT_HASH_THRESHOLD a device's wave
 * follows from its position and first wave alone, so this runs at the
 * speed of hashing and needs no lookup (and answers for devices the
 * sampler never saw the same way). Give the same columns as to the
 * sampler. Allocates nothing; on error @p waves is untouched. Thread-safe.
 * @param cohort the cohort.
 * @param chunk the devices.
 * @param[out] waves receives `chunk->count` wave indexes, or
 *                   #OTAPRIO_COHORT_NONE for a device no wave takes.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK, or a status of otaprio_cohort_sampler_observe() for
 *         a bad chunk.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_assign(const otaprio_cohort *cohort,
                                      const otaprio_cohort_chunk *chunk,
                                      uint8_t *waves, otaprio_diag *diag);

/**
 * @brief Number of strata with at least one device. Thread-safe.
 * @param cohort the cohort, or NULL (then 0).
 * @return the count.
 * @since 0.1.0
 */
OTAPRIO_API uint64_t otaprio_cohort_stratum_count(const otaprio_cohort *cohort);

/**
 * @brief Reports the strata of a wave, in increasing stratum id.
 *
 * Thread-safe.
 * @param cohort the cohort.
 * @param wave the wave.
 * @param first index of the first stratum to report.
 * @param count number of strata.
 * @param[out] strata receives their ids, or NULL.
 * @param[out] fleet receives their devices, eligible or not, or NULL.
 * @param[out] eligible receives their devices eligible at @p wave, or NULL.
 * @param[out] selected receives their devices in waves `0 ..` @p wave (the
 *                      quota), or NULL.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL cohort;
 *         #OTAPRIO_E_RANGE for a wave past the last or `first + count`
 *         past the strata.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_strata(const otaprio_cohort *cohort,
                                      uint32_t wave, uint64_t first,
                                      uint64_t count, uint64_t *strata,
                                      uint64_t *fleet, uint64_t *eligible,
                                      uint64_t *selected, otaprio_diag *diag);

/* ==== representativeness =============================================== */

/** @brief Under-covered strata a report names. @since 0.1.0 */
#define OTAPRIO_COHORT_REPORT_WORST 8

/**
 * @brief How well a cohort mirrors the fleet.
 *
 * With `N_h` the fleet's devices in stratum `h` (of `N`) and `c_h` the
 * cohort's (of `C`), the joint total variation distance is
 * `1/2 * sum_h |c_h / C - N_h / N|`, from 0 (the cohort's strata shares
 * are the fleet's) to 1. The per-dimension distances compare the
 * marginals of one dimension the same way. A stratum is covered when
 * `c_h > 0`. Under-covered strata are those with the largest deficit
 * `N_h / N - c_h / C`, ties by stratum id.
 * @since 0.1.0
 */
typedef struct otaprio_representativeness {
    /** Caller's `sizeof(otaprio_representativeness)`. @since 0.1.0 */
    size_t size;
    /** Devices in the fleet, `N`. @since 0.1.0 */
    uint64_t fleet;
    /** Devices in the cohort, `C`. @since 0.1.0 */
    uint64_t cohort;
    /** Strata with fleet devices. @since 0.1.0 */
    uint64_t strata;
    /** Of those, strata with cohort devices. @since 0.1.0 */
    uint64_t strata_covered;
    /** `strata_covered / strata`; 0 for an empty fleet. @since 0.1.0 */
    double strata_coverage;
    /** Share of the fleet's devices in covered strata. @since 0.1.0 */
    double mass_coverage;
    /** Joint total variation distance; 1 for an empty cohort of a
     *  non-empty fleet. @since 0.1.0 */
    double tvd;
    /** Number of meaningful entries in
     * otaprio_representativeness::tvd_dimension. @since 0.1.0 */
    uint32_t dimension_count;
    /** Total variation distance of each dimension's marginal.
     *  @since 0.1.0 */
    double tvd_dimension[OTAPRIO_COHORT_MAX_DIMENSIONS];
    /** Number of meaningful entries in the `worst_` arrays. @since 0.1.0 */
    uint32_t worst_count;
    /** Stratum ids of the most under-covered strata, worst first.
     *  @since 0.1.0 */
    uint64_t worst_stratum[OTAPRIO_COHORT_REPORT_WORST];
    /** Their share of the fleet, `N_h / N`. @since 0.1.0 */
    double worst_fleet_share[OTAPRIO_COHORT_REPORT_WORST];
    /** Their share of the cohort, `c_h / C`. @since 0.1.0 */
    double worst_cohort_share[OTAPRIO_COHORT_REPORT_WORST];
} otaprio_representativeness;

/**
 * @brief Scores a wave (with the waves before it) against the whole fleet
 *        observed. Thread-safe.
 * @param cohort the cohort.
 * @param wave the wave.
 * @param[out] report receives the report; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for a wave past the
 *         last; #OTAPRIO_E_NOMEM (the report orders the strata in scratch
 *         memory, a few words each).
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_representativeness(const otaprio_cohort *cohort, uint32_t wave,
                                  otaprio_representativeness *report,
                                  otaprio_diag *diag);

/**
 * @brief Counts of fleet and cohort devices per stratum, for scoring a
 *        cohort chosen by any means. Single-threaded.
 * @since 0.1.0
 */
typedef struct otaprio_tally otaprio_tally;

/**
 * @brief Starts an empty tally over the strata of a spec.
 *
 * Only otaprio_cohort_spec::dimension_count and
 * otaprio_cohort_spec::cardinalities are read. Thread-safe.
 * @param spec the strata.
 * @param allocator for the tally's life, or NULL.
 * @param[out] tally receives it; untouched on failure.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK, or a status otaprio_cohort_sampler_create() gives
 *         for bad strata.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_tally_create(const otaprio_cohort_spec *spec,
                                     const otaprio_allocator *allocator,
                                     otaprio_tally **tally, otaprio_diag *diag);

/**
 * @brief Frees a tally; NULL is a no-op.
 * @param tally the tally.
 * @since 0.1.0
 */
OTAPRIO_API void otaprio_tally_free(otaprio_tally *tally);

/**
 * @brief Counts a chunk of fleet devices, and those of them in the cohort.
 *
 * On error the tally is as it was.
 * @param tally the tally.
 * @param codes one column per dimension; NULL, or a NULL column, means
 *              code 0.
 * @param count number of devices.
 * @param in_cohort 1 for a cohort device, 0 otherwise; NULL for none.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for a NULL tally;
 *         #OTAPRIO_E_RANGE for a code past its cardinality or a flag other
 *         than 0 or 1; #OTAPRIO_E_LIMIT past 2^32 - 2 strata;
 *         #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_tally_add(otaprio_tally *tally,
                                  const uint32_t *const *codes, size_t count,
                                  const uint8_t *in_cohort, otaprio_diag *diag);

/**
 * @brief Scores the tallied cohort against the tallied fleet.
 * @param tally the tally.
 * @param[out] report receives the report; its `size` must be set.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_NOMEM (the strata are sorted
 *         in scratch memory, 48 bytes each).
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_tally_representativeness(const otaprio_tally *tally,
                                 otaprio_representativeness *report,
                                 otaprio_diag *diag);

/* ==== research: pluggable algorithms =================================== */

/**
 * @brief Receives one selected device from an algorithm's finish.
 * @param user the emitter's user pointer.
 * @param key the device key.
 * @param stratum the device's stratum id.
 * @param wave the first wave the device is in.
 * @return 0 to go on; non-zero stops the finish, which should return it.
 * @since 0.1.0
 */
typedef int (*otaprio_cohort_emit_fn)(void *user, uint64_t key,
                                      uint64_t stratum, uint32_t wave);

/**
 * @brief A cohort algorithm behind a small table of functions: start a
 *        state, observe chunks, merge states, finish by emitting the
 *        selected devices. Each returns 0 or a non-zero status that the
 *        caller passes through unchanged.
 * @since 0.1.0
 */
typedef struct otaprio_cohort_algorithm {
    /** Caller's `sizeof(otaprio_cohort_algorithm)`. @since 0.1.0 */
    size_t size;
    /** Short name, for reports. @since 0.1.0 */
    const char *name;
    /** Passed unchanged as every function's first argument. @since 0.1.0 */
    void *user;
    /** Starts a state for the rollout @p spec in `*state`. @since 0.1.0 */
    int (*init)(void *user, const otaprio_cohort_spec *spec, void **state);
    /** Observes a chunk. @since 0.1.0 */
    int (*observe)(void *user, void *state, const otaprio_cohort_chunk *chunk);
    /** Folds @p other into @p state; @p other is then destroyed, also
     *  when the merge fails (it belongs to the merge from the call on).
     *  @since 0.1.0 */
    int (*merge)(void *user, void *state, void *other);
    /** Emits every device of the canary waves, once each. @since 0.1.0 */
    int (*finish)(void *user, void *state, otaprio_cohort_emit_fn emit,
                  void *emit_user);
    /** Frees a state; NULL is a no-op. @since 0.1.0 */
    void (*destroy)(void *user, void *state);
} otaprio_cohort_algorithm;

/**
 * @brief Fills @p algorithm with a built-in method, driven through the
 *        sampler API.
 *
 * Thread-safe.
 * @param method an ::otaprio_cohort_method.
 * @param[out] algorithm receives the table; its `size` must be set.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL;
 *         #OTAPRIO_E_STRUCT_SIZE; #OTAPRIO_E_RANGE for an unknown method.
 * @since 0.1.0
 */
OTAPRIO_API int
otaprio_cohort_algorithm_builtin(int32_t method,
                                 otaprio_cohort_algorithm *algorithm);

/**
 * @brief Supplies the next chunk: fill @p chunk (count 0 ends the fleet).
 * @param user the source's user pointer.
 * @param[out] chunk prepared by the library.
 * @return 0 to go on; non-zero stops, and is returned unchanged.
 * @since 0.1.0
 */
typedef int (*otaprio_cohort_source_fn)(void *user,
                                        otaprio_cohort_chunk *chunk);

/**
 * @brief Runs an algorithm over a fleet and scores every canary wave.
 *
 * Chunks go to @p shards states in turn (chunk `i` to state `i % shards`),
 * which are merged before the finish, so the same call also tests that an
 * algorithm merges. The fleet's strata are tallied from the chunks; the
 * emitted devices are checked (a wave past the last canary wave, a stratum
 * id past the strata, more devices in a stratum than were observed in it
 * are errors).
 * @param algorithm the algorithm.
 * @param spec the rollout; its waves must all be below 1.
 * @param shards number of states, at least 1; a state is started when
 *               its first chunk comes.
 * @param source supplies the chunks.
 * @param user passed to @p source.
 * @param[out] reports `spec->wave_count` reports, each with its `size`
 *                     set; written only on success.
 * @param[out] diag optional.
 * @return #OTAPRIO_OK; #OTAPRIO_E_INVALID for NULL pointers, a final wave of
 *         1 or bad emitted devices; #OTAPRIO_E_RANGE for 0 shards;
 *         #OTAPRIO_E_STRUCT_SIZE; a status of
 *         otaprio_cohort_sampler_create() for a bad spec and of
 *         otaprio_cohort_sampler_observe() for a bad chunk; the status of
 *         a callback, unchanged; #OTAPRIO_E_NOMEM.
 * @since 0.1.0
 */
OTAPRIO_API int otaprio_cohort_evaluate(
    const otaprio_cohort_algorithm *algorithm, const otaprio_cohort_spec *spec,
    uint32_t shards, otaprio_cohort_source_fn source, void *user,
    otaprio_representativeness *reports, otaprio_diag *diag);

#ifdef __cplusplus
}
#endif

/** @cond OTAPRIO_INIT_MACROS */
#define otaprio_cohort_spec_init(spec) \
    otaprio_cohort_spec_init((spec), sizeof(*(spec)))
#define otaprio_cohort_chunk_init(chunk) \
    otaprio_cohort_chunk_init((chunk), sizeof(*(chunk)))
/** @endcond */

#endif /* OTAPRIO_COHORT_H */
