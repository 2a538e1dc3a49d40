/* SPDX-License-Identifier: MIT */
/*
 * The cohort engine's private parts. Files and their one job each:
 *
 *   cohort_spec.c      validates an otaprio_cohort_spec into a setup
 *   cohort_rows.c      checks a chunk; one device's eligibility
 *   cohort_sampler.c   the sampler handle: create, free, observe
 *   cohort_retain.c    which devices a stratum keeps (the threshold)
 *   cohort_state.c     merging samplers, and their serialised form
 *   cohort_allocate.c  seats per stratum and wave (bounded largest remainders)
 *   cohort_finish.c    from a sampler to a cohort: quotas, then devices
 *   cohort_query.c     what a finished cohort answers, and assign
 *   cohort_report.c    total variation distance and coverage
 *   cohort_tally.c     the tally handle
 *   cohort_algorithm.c the research table of functions and evaluate
 *
 * docs/cohort.md states every rule these files implement; the golden
 * vectors are computed from that text by an independent Python program.
 */
#ifndef OTAPRIO_COHORT_INTERNAL_H
#define OTAPRIO_COHORT_INTERNAL_H

#include "internal.h"
#include "otaprio/cohort.h"
#include "tuple_set.h"

/* ---- the validated rollout (cohort_spec.c) --------------------------- */

typedef struct otaprio__cohort_setup {
    uint64_t salt;
    int32_t method;
    uint32_t dimension_count; /* 0 .. 16 */
    uint32_t width;           /* tuple width: max(dimension_count, 1) */
    uint32_t cardinalities[OTAPRIO_COHORT_MAX_DIMENSIONS];
    /* radix[d]: the product of cardinalities[0 .. d-1] (stratum ids). */
    uint64_t radix[OTAPRIO_COHORT_MAX_DIMENSIONS];
    uint64_t stratum_space; /* product of every cardinality */
    uint32_t wave_count;
    uint32_t canary_count; /* waves below 1: wave_count, or wave_count - 1 */
    double waves[OTAPRIO_COHORT_MAX_WAVES];
    uint32_t minimum; /* resolved: the method's default applied */
    double retain;    /* resolved retain fraction, in (0, 1] */
    double *sd;       /* Neyman: stratum_space values; else NULL */
    uint32_t critical_first_wave;
    float minimum_battery;
    int32_t exclude_metered;
    uint32_t *excluded_clusters; /* sorted, unique; NULL when none */
    size_t excluded_cluster_count;
    int32_t cap_dimension; /* -1: none */
    uint64_t *caps;        /* cardinalities[cap_dimension] values */
    /* XXH3 of a canonical encoding of everything above that decides the
     * sampler's state or its cohort: equal only for equal rollouts. */
    uint64_t fingerprint;
} otaprio__cohort_setup;

/* Validates `spec` into `setup` (arrays copied with `mem`). On failure
 * nothing is allocated and diag names the field. */
OTAPRIO__NODISCARD int
otaprio__cohort_setup_init(otaprio__cohort_setup *setup,
                           const otaprio_cohort_spec *spec,
                           const otaprio__mem *mem, otaprio_diag *diag);

/* Validates only the strata (dimension_count, cardinalities), for a tally. */
OTAPRIO__NODISCARD int
otaprio__cohort_setup_strata(otaprio__cohort_setup *setup,
                             const otaprio_cohort_spec *spec,
                             otaprio_diag *diag);

/* Frees the copied arrays. */
void otaprio__cohort_setup_release(otaprio__cohort_setup *setup,
                                   const otaprio__mem *mem);

/* A deep copy, for a cohort that outlives its sampler. */
OTAPRIO__NODISCARD int
otaprio__cohort_setup_copy(otaprio__cohort_setup *to,
                           const otaprio__cohort_setup *from,
                           const otaprio__mem *mem);

/* The stratum id of a tuple of codes (mixed radix, dimension 0 fastest). */
static inline uint64_t
otaprio__cohort_stratum_id(const otaprio__cohort_setup *setup,
                           const uint32_t *codes)
{
    uint64_t id = 0;
    for (uint32_t d = 0; d < setup->dimension_count; d++)
        id += (uint64_t)codes[d] * setup->radix[d];
    return id;
}

/* The codes of a stratum id. */
static inline void
otaprio__cohort_stratum_codes(const otaprio__cohort_setup *setup, uint64_t id,
                              uint32_t *codes)
{
    for (uint32_t d = 0; d < setup->dimension_count; d++) {
        codes[d] = (uint32_t)(id % setup->cardinalities[d]);
        id /= setup->cardinalities[d];
    }
}

/* ---- one device's eligibility ---------------------------------------- */

/* A validated chunk: every column checked, NULL columns resolved. */
typedef struct otaprio__cohort_rows {
    size_t count;
    const uint64_t *keys;
    const uint32_t *codes[OTAPRIO_COHORT_MAX_DIMENSIONS]; /* NULL: code 0 */
    const uint8_t *critical, *charging, *metered, *excluded, *first_wave;
    const float *battery;
    const uint32_t *cluster;
} otaprio__cohort_rows;

/* Checks a public chunk against the setup (codes below their cardinality,
 * flags 0 or 1, battery in [0, 1]) into `rows`. */
OTAPRIO__NODISCARD int
otaprio__cohort_rows_check(const otaprio__cohort_setup *setup,
                           const otaprio_cohort_chunk *chunk,
                           otaprio__cohort_rows *rows, otaprio_diag *diag);

/* The same but for the codes, which otaprio__cohort_rows_check_codes()
 * checks (or a pass that reads them anyway, block by block). */
OTAPRIO__NODISCARD int
otaprio__cohort_rows_read(const otaprio__cohort_setup *setup,
                          const otaprio_cohort_chunk *chunk,
                          otaprio__cohort_rows *rows, otaprio_diag *diag);
OTAPRIO__NODISCARD int
otaprio__cohort_rows_check_codes(const otaprio__cohort_setup *setup,
                                 const otaprio__cohort_rows *rows,
                                 otaprio_diag *diag);

/* Checks that every code of a column lies below its dimension's
 * cardinality `limit`; diag names the first device that does not. */
OTAPRIO__NODISCARD int otaprio__cohort_check_codes(const uint32_t *column,
                                                   size_t count, uint32_t limit,
                                                   uint32_t dimension,
                                                   otaprio_diag *diag);

/* The first wave device `i` may join: 0 .. wave_count - 1, or wave_count
 * when it is excluded from every wave (docs/cohort.md, "Eligibility"). */
uint32_t otaprio__cohort_first_wave(const otaprio__cohort_setup *setup,
                                    const otaprio__cohort_rows *rows, size_t i);

/* ---- the sampler ------------------------------------------------------ */

/* A kept device that may not join the first wave. */
typedef struct otaprio__held {
    uint64_t key;
    uint32_t first_wave; /* 1 .. canary_count - 1 */
} otaprio__held;

/* What a chunk's pass reads and writes for every device of a stratum,
 * apart from the rest of its record so that all strata's fit in a small
 * array that stays in cache: 16 bytes each. */
typedef struct otaprio__stratum_hot {
    /* Kept devices have positions at or below `limit`. It only ever falls
     * (but for an undo, which puts back the value the chunk started with):
     * a stale, larger limit keeps more than needed, never less, and
     * otaprio__stratum_prune() applies the current one. */
    uint64_t limit;
    /* Devices of plain chunks (eligible from the first wave), counted
     * here alone, so that a device the pass does not keep touches nothing
     * else; the record's fleet, candidates and first-wave count hold the
     * other chunks' devices. The stratum's counts are the sums:
     * otaprio__stratum_fleet() and its neighbours read them. */
    uint64_t plain;
} otaprio__stratum_hot;

/* One stratum's counts and kept devices. */
typedef struct otaprio__stratum {
    /* What keeping a device touches comes first, in one cache line. */
    otaprio__vec ready;  /* uint64 keys of kept devices with first wave 0 */
    size_t added;        /* entries the current chunk appended to `ready` */
    size_t grow_at;      /* a list this long lowers the limit mid-chunk */
    bool touched;        /* on the sampler's list of touched strata */
    uint64_t fleet;      /* devices observed, eligible or not */
    uint64_t candidates; /* of those, eligible at some canary wave */
    uint64_t limit_at;   /* candidates when `limit` was last computed */
    uint64_t settled;    /* `limit` when the current chunk began */
    size_t prune_at;     /* kept devices past which a chunk's end prunes */
    otaprio__vec held;   /* otaprio__held of kept devices with a later one */
    size_t held_added;   /* entries the current chunk appended to `held` */
} otaprio__stratum;

struct otaprio_cohort_sampler {
    otaprio__mem mem;
    otaprio__cohort_setup setup;
    otaprio__tuple_set strata; /* tuple of codes -> index into `stratum` */
    otaprio__vec stratum;      /* otaprio__stratum, by tuple id */
    otaprio__vec hot;          /* otaprio__stratum_hot, by tuple id */
    /* by_wave[index * wave_count + w]: the stratum's devices whose first
     * wave is w (excluded devices are fleet minus the sum). */
    otaprio__vec by_wave; /* uint64 */
    uint64_t devices;     /* devices observed in all */
    /* uint32 indexes of the strata the current chunk kept devices of (or,
     * in the general pass, counted), each once, so that its end costs
     * those alone; room for every stratum, so that listing cannot fail. */
    otaprio__vec touched;
    /* When the stratum ids fit in OTAPRIO__COHORT_DENSE_MAX: the index of
     * each stratum id, or UINT32_MAX, so a device's stratum is one load
     * instead of a hash and a probe. NULL otherwise. */
    uint32_t *dense;
};

/* Stratum `index`'s devices, those still pending in its hot entry
 * included. */
static inline uint64_t
otaprio__stratum_fleet(const otaprio_cohort_sampler *sampler, size_t index)
{
    return ((const otaprio__stratum *)sampler->stratum.data)[index].fleet +
           ((const otaprio__stratum_hot *)sampler->hot.data)[index].plain;
}

/* Stratum `index`'s candidates, pending ones included. */
static inline uint64_t
otaprio__stratum_candidates(const otaprio_cohort_sampler *sampler, size_t index)
{
    uint64_t pending =
        ((const otaprio__stratum_hot *)sampler->hot.data)[index].plain;
    return ((const otaprio__stratum *)sampler->stratum.data)[index].candidates +
           (sampler->setup.canary_count > 0 ? pending : 0);
}

/* Stratum `index`'s devices whose first wave is `wave`, pending ones
 * (all of the first wave) included. */
static inline uint64_t
otaprio__stratum_by_wave(const otaprio_cohort_sampler *sampler, size_t index,
                         uint32_t wave)
{
    uint64_t count =
        ((const uint64_t *)
             sampler->by_wave.data)[index * sampler->setup.wave_count + wave];
    return wave == 0
               ? count +
                     ((const otaprio__stratum_hot *)sampler->hot.data)[index]
                         .plain
               : count;
}

/* Dense stratum ids of devices [first, first + count), column by column
 * so that each loop is a vectorisable multiply-add in 32-bit lanes (dense
 * ids are below OTAPRIO__COHORT_DENSE_MAX); `width` is the setup's, a
 * constant where the caller specialises on it. Returns false when a code
 * lies past its cardinality, whose id may have wrapped: the ids are then
 * not to be used. */
static OTAPRIO__ALWAYS_INLINE bool
otaprio__cohort_dense_ids(const otaprio__cohort_setup *setup,
                          const uint32_t *const *codes, size_t first,
                          size_t count, size_t width, uint32_t *ids)
{
    for (size_t j = 0; j < count; j++)
        ids[j] = 0;
    for (size_t d = 0; d < width; d++) {
        const uint32_t *column = codes[d];
        uint32_t radix = (uint32_t)setup->radix[d];
        if (column == NULL)
            continue;
        uint32_t max = 0;
        for (size_t j = 0; j < count; j++) {
            uint32_t code = column[first + j];
            max = code > max ? code : max;
            ids[j] += code * radix;
        }
        if (max >= setup->cardinalities[d])
            return false;
    }
    return true;
}

/* Most stratum ids a sampler indexes directly (4 MiB of index). */
#define OTAPRIO__COHORT_DENSE_MAX (UINT64_C(1) << 20)

/* A new, empty sampler owning `setup` (moved in: on failure it is
 * released). */
OTAPRIO__NODISCARD int
otaprio__cohort_sampler_new(const otaprio__mem *mem,
                            otaprio__cohort_setup *setup,
                            otaprio_cohort_sampler **sampler);

/* The index of the stratum with these codes, added (empty) when missing.
 * On failure nothing changes. */
OTAPRIO__NODISCARD int
otaprio__cohort_sampler_stratum(otaprio_cohort_sampler *sampler,
                                const uint32_t *codes, uint32_t *index);

/* A stratum with devices, by its stratum id. */
typedef struct otaprio__stratum_ref {
    uint64_t id;
    uint32_t index; /* into the sampler's strata */
} otaprio__stratum_ref;

/* The strata with devices, in increasing stratum id, in an array from
 * `mem` (freed by the caller) of `*count` entries. */
OTAPRIO__NODISCARD int
otaprio__cohort_sampler_order(const otaprio_cohort_sampler *sampler,
                              const otaprio__mem *mem,
                              otaprio__stratum_ref **refs, size_t *count);

/* Forgets every stratum from index `keep` on (they must be empty of
 * devices again, as after an undo). Allocates nothing. */
void otaprio__cohort_sampler_truncate(otaprio_cohort_sampler *sampler,
                                      uint32_t keep);

/* Whether no chunk column can make a device ineligible or hold it back:
 * then every device's first wave is 0. */
bool otaprio__cohort_rows_plain(const otaprio__cohort_setup *setup,
                                const otaprio__cohort_rows *rows);

/* ---- retention (cohort_retain.c) ------------------------------------- */

/*
 * The highest position a stratum with `candidates` devices eligible at a
 * canary wave keeps (docs/cohort.md, "Memory"): a fraction
 *   min(1, r + z * sqrt(r / n) + (z * z + m + 2) / n)
 * of the position range, r the retain fraction, m the minimum, z =
 * OTAPRIO__COHORT_RETAIN_Z. Each IEEE operation is monotone, so the limit
 * never rises as n grows and the kept set is a function of the devices
 * alone. For the hash threshold it is the last canary fraction, exactly.
 */
#define OTAPRIO__COHORT_RETAIN_Z 8.0
uint64_t otaprio__cohort_limit(const otaprio__cohort_setup *setup,
                               uint64_t candidates);

/* The position of a key in this rollout: otaprio_bucket_position(),
 * inlined (XXH3 comes inline through tuple_set.h). */
static inline uint64_t
otaprio__cohort_position(const otaprio__cohort_setup *setup, uint64_t key)
{
    unsigned char bytes[8];
    otaprio__store_le64(bytes, key);
    return XXH3_64bits_withSeed(bytes, sizeof bytes, setup->salt);
}

/* Lowers a stratum's limit `*current` to `limit` (when below it) and drops
 * the kept devices past it, keeping the order of the rest. Allocates
 * nothing. */
void otaprio__stratum_prune(const otaprio__cohort_setup *setup,
                            otaprio__stratum *stratum, uint64_t *current,
                            uint64_t limit);

/* A kept device with its position. */
typedef struct otaprio__kept {
    uint64_t position;
    uint64_t key;
    uint32_t first_wave;
} otaprio__kept;

/* The stratum's kept devices at or below its final limit (the limit of its
 * count of `candidates`, pending ones included): those of the first wave,
 * in list order, then those held back, into `out` (room for ready.length +
 * held.length, or NULL to count only). Returns how many; `*ready` receives
 * how many of the first wave. */
size_t otaprio__stratum_kept(const otaprio__cohort_setup *setup,
                             const otaprio__stratum *stratum,
                             uint64_t candidates, otaprio__kept *out,
                             size_t *ready);

/* The rank order of kept devices, for qsort: position, then key, then
 * first wave, so that even a repeated key's copies are in one order
 * whatever order the devices came in. Inline, for finish's heap. */
static inline int otaprio__kept_compare(const void *a, const void *b)
{
    const otaprio__kept *x = a, *y = b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->first_wave > y->first_wave) - (x->first_wave < y->first_wave);
}

/* ---- allocation (cohort_allocate.c) ---------------------------------- */

/* What the allocation reads, strata in increasing stratum id. */
typedef struct otaprio__allocation {
    const otaprio__cohort_setup *setup;
    size_t strata;
    const uint64_t *ids;        /* stratum ids */
    const uint64_t *eligible;   /* [h * canary_count + k]: eligible at k */
    uint64_t *seats;            /* out: [h * canary_count + k], cumulative */
    uint64_t *targets;          /* out: canary_count targets */
    uint64_t *short_of_minimum; /* out: canary_count counts */
} otaprio__allocation;

/* Fills seats, targets and short_of_minimum for every canary wave of a
 * stratified method (docs/cohort.md, "Allocation"). */
OTAPRIO__NODISCARD int otaprio__cohort_allocate(otaprio__allocation *a,
                                                const otaprio__mem *mem,
                                                otaprio_diag *diag);

/* ---- the finished cohort --------------------------------------------- */

/* A selected device. */
typedef struct otaprio__pick {
    uint64_t key;
    uint64_t position;
    uint32_t stratum; /* index into the cohort's strata */
    uint32_t wave;
} otaprio__pick;

struct otaprio_cohort {
    otaprio__mem mem;
    otaprio__cohort_setup setup;
    uint64_t fleet;
    size_t strata;              /* strata with devices, by increasing id */
    uint64_t *ids;              /* [strata] */
    uint64_t *fleet_of;         /* [strata] */
    uint64_t *eligible;         /* [strata * wave_count] */
    uint64_t *seats;            /* [strata * wave_count], cumulative */
    otaprio_cohort_wave *waves; /* [wave_count], full layout */
    /* The listed devices, by stratum then (position, key), so that assign
     * finds one by binary search within picks[first_pick[h] ..
     * first_pick[h + 1]); `listing` gives their listing order (wave,
     * stratum id, position). */
    otaprio__pick *picks;
    uint64_t pick_count;
    uint64_t *first_pick; /* [strata + 1] */
    /* [strata]: the largest listed position of each stratum (0 for none),
     * so that assign turns away most devices with one load that stays in
     * cache instead of one into the picks. */
    uint64_t *last_position;
    uint64_t *listing; /* [pick_count]: indexes into picks */
    /* Stratum index of a stratum id, as in the sampler: a dense table when
     * the ids fit in OTAPRIO__COHORT_DENSE_MAX, else the tuple set. */
    uint32_t *dense;
    otaprio__tuple_set lookup;
};

/* ---- representativeness (cohort_report.c) ---------------------------- */

/* Fills a full-layout report from per-stratum counts (strata in any
 * order, ids unique): fleet[h] devices of which cohort[h] in the cohort. */
OTAPRIO__NODISCARD int
otaprio__cohort_report(const otaprio__cohort_setup *setup, size_t strata,
                       const uint64_t *ids, const uint64_t *fleet,
                       const uint64_t *cohort,
                       otaprio_representativeness *report,
                       const otaprio__mem *mem, otaprio_diag *diag);

#endif /* OTAPRIO_COHORT_INTERNAL_H */
