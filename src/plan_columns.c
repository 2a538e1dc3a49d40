/* SPDX-License-Identifier: MIT */
/*
 * The planner's per-device arithmetic (plan_columns.h). The loops take
 * restrict-qualified columns, read loop invariants from parameters, and
 * select rather than branch, so that each compiles to vector code; a
 * column that may be absent gets a loop of its own instead of a test per
 * device. Counts add byte lanes over blocks short enough that a lane
 * cannot wrap, then widen once per block.
 */
#include "plan_columns.h"

#include "otaprio/graph.h"
#include "otaprio/plan.h"
#include "otaprio/risk.h"

/* Blocks no prerequisite cures: the package is not for the device. */
#define EXCLUDING_BLOCKS                                                  \
    (OTAPRIO_BLOCK_CARRIER | OTAPRIO_BLOCK_REGION | OTAPRIO_BLOCK_LEGAL | \
     OTAPRIO_BLOCK_ENROLLMENT | OTAPRIO_BLOCK_CURRENT)
/* Blocks a prerequisite path can cure. */
#define CURABLE_BLOCKS (OTAPRIO_BLOCK_REQUIREMENT | OTAPRIO_BLOCK_CONFLICT)

/* Devices per counting block: a byte lane adds at most this many ones, a
 * multiple of the widest vector's bytes. */
#define BLOCK 224

void otaprio__plan_affected(const uint8_t *restrict marks,
                            uint8_t *restrict affected, size_t n)
{
    for (size_t i = 0; i < n; i++)
        affected[i] = marks[i] != 0;
}

uint64_t otaprio__plan_count_flags(const uint8_t *restrict flags, size_t n)
{
    uint64_t total = 0;
    size_t i = 0;
    for (; n - i >= BLOCK; i += BLOCK) {
        uint8_t sum = 0;
        for (size_t j = 0; j < BLOCK; j++)
            sum = (uint8_t)(sum + flags[i + j]);
        total += sum;
    }
    for (; i < n; i++)
        total += flags[i];
    return total;
}

uint64_t otaprio__plan_count_equal(const uint8_t *restrict column,
                                   uint8_t value, size_t n)
{
    uint64_t total = 0;
    size_t i = 0;
    for (; n - i >= BLOCK; i += BLOCK) {
        uint8_t sum = 0;
        for (size_t j = 0; j < BLOCK; j++)
            sum = (uint8_t)(sum + (column[i + j] == value));
        total += sum;
    }
    for (; i < n; i++)
        total += column[i] == value;
    return total;
}

uint64_t otaprio__plan_reach(const uint8_t *restrict affected,
                             const uint8_t *restrict classes, size_t n,
                             uint32_t *seen)
{
    uint64_t count = otaprio__plan_count_flags(affected, n);
    if (classes == NULL) {
        *seen = count > 0 ? UINT32_C(1) << OTAPRIO_DEVICE_OTHER : 0;
        return count;
    }
    /* The flag, 0 or 1, shifted to its class's bit: a loop comparing the
     * flag, over two accumulators, took 2.8 times as long on the bench's
     * fleet. */
    uint32_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bit = (uint32_t)affected[i] << (classes[i] & 31);
        bits |= classes[i] < 32 ? bit : 0;
    }
    *seen = bits;
    return count;
}

/* One loop per combination of the optional columns; the flags are
 * constants where it is inlined, so no test remains in the loop. */
static inline void catalog_loop(const uint32_t *restrict blocks,
                                const uint8_t *restrict reached,
                                const uint8_t *restrict host,
                                uint8_t *restrict prerequisite,
                                uint8_t *restrict excluded, size_t n,
                                int has_reached, int has_host)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t b = blocks[i];
        uint8_t refused = (b & EXCLUDING_BLOCKS) != 0;
        if (has_reached)
            refused &= reached[i] != 0;
        prerequisite[i] = (b & CURABLE_BLOCKS) != 0;
        excluded[i] = has_host ? (uint8_t)(host[i] | refused) : refused;
    }
}

void otaprio__plan_catalog_inputs(const uint32_t *blocks,
                                  const uint8_t *reached, const uint8_t *host,
                                  uint8_t *prerequisite, uint8_t *excluded,
                                  size_t n)
{
    if (reached != NULL && host != NULL)
        catalog_loop(blocks, reached, host, prerequisite, excluded, n, 1, 1);
    else if (reached != NULL)
        catalog_loop(blocks, reached, NULL, prerequisite, excluded, n, 1, 0);
    else if (host != NULL)
        catalog_loop(blocks, NULL, host, prerequisite, excluded, n, 0, 1);
    else
        catalog_loop(blocks, NULL, NULL, prerequisite, excluded, n, 0, 0);
}

void otaprio__plan_fold_blocks(const uint32_t *restrict blocks,
                               uint32_t *restrict reasons,
                               uint8_t *restrict disposition, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t b = blocks[i];
        uint32_t add =
            ((b & OTAPRIO_BLOCK_BATTERY) != 0 ? OTAPRIO_REASON_LOW_BATTERY
                                              : 0u) |
            ((b & OTAPRIO_BLOCK_STORAGE) != 0 ? OTAPRIO_REASON_LOW_STORAGE
                                              : 0u) |
            ((b & OTAPRIO_BLOCK_METERED) != 0 ? OTAPRIO_REASON_METERED_LARGE
                                              : 0u);
        uint8_t d = disposition[i];
        reasons[i] |= add;
        disposition[i] = add != 0 && d < OTAPRIO_DISPOSITION_DEFER
                             ? (uint8_t)OTAPRIO_DISPOSITION_DEFER
                             : d;
    }
}

static inline void
cohort_loop(const uint8_t *restrict disposition, const uint8_t *restrict ring,
            const double *restrict criticality, double level, uint8_t last,
            uint8_t *restrict excluded, uint8_t *restrict first,
            uint8_t *restrict critical, size_t n, int has_ring)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t d = disposition[i];
        uint8_t taken = has_ring ? ring[i] < 2 : 0;
        uint8_t open = (d == OTAPRIO_DISPOSITION_ELIGIBLE) & !taken;
        uint8_t defer = d == OTAPRIO_DISPOSITION_DEFER;
        excluded[i] = !(open | defer);
        first[i] = defer ? last : 0;
        critical[i] = open & (criticality[i] >= level);
    }
}

void otaprio__plan_cohort_inputs(const uint8_t *disposition,
                                 const uint8_t *ring, const double *criticality,
                                 double level, uint8_t last, uint8_t *excluded,
                                 uint8_t *first, uint8_t *critical, size_t n)
{
    if (ring != NULL)
        cohort_loop(disposition, ring, criticality, level, last, excluded,
                    first, critical, n, 1);
    else
        cohort_loop(disposition, NULL, criticality, level, last, excluded,
                    first, critical, n, 0);
}

void otaprio__plan_count_rings(const uint8_t *restrict disposition,
                               const uint8_t *restrict ring, size_t n,
                               uint64_t rings[2])
{
    size_t i = 0;
    for (; n - i >= BLOCK; i += BLOCK) {
        uint8_t zero = 0, one = 0;
        for (size_t j = 0; j < BLOCK; j++) {
            uint8_t open = disposition[i + j] == OTAPRIO_DISPOSITION_ELIGIBLE;
            zero = (uint8_t)(zero + (open & (ring[i + j] == 0)));
            one = (uint8_t)(one + (open & (ring[i + j] == 1)));
        }
        rings[0] += zero;
        rings[1] += one;
    }
    for (; i < n; i++) {
        uint8_t open = disposition[i] == OTAPRIO_DISPOSITION_ELIGIBLE;
        rings[0] += open & (ring[i] == 0);
        rings[1] += open & (ring[i] == 1);
    }
}

static inline void waves_loop(const uint8_t *restrict disposition,
                              const uint8_t *restrict ring,
                              const uint8_t *restrict cohort_wave,
                              uint8_t ring0, uint8_t ring1, uint8_t offset,
                              uint8_t *restrict wave, uint8_t *restrict planned,
                              size_t n, int has_ring)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = cohort_wave[i];
        uint8_t p = c != OTAPRIO_COHORT_NONE ? (uint8_t)(offset + c)
                                             : (uint8_t)OTAPRIO_PLAN_NONE;
        if (has_ring) {
            uint8_t r = ring[i];
            uint8_t take =
                (r < 2) & (disposition[i] == OTAPRIO_DISPOSITION_ELIGIBLE);
            p = take ? (r == 0 ? ring0 : ring1) : p;
        }
        wave[i] = p;
        planned[i] = p != OTAPRIO_PLAN_NONE;
    }
}

void otaprio__plan_waves(const uint8_t *disposition, const uint8_t *ring,
                         const uint8_t *cohort_wave,
                         const uint32_t ring_wave[2], uint32_t offset,
                         uint8_t *wave, uint8_t *planned, size_t n)
{
    /* Waves are fewer than OTAPRIO__PLAN_MAX_WAVES: bytes hold them. */
    uint8_t ring0 = (uint8_t)ring_wave[0], ring1 = (uint8_t)ring_wave[1];
    if (ring != NULL)
        waves_loop(disposition, ring, cohort_wave, ring0, ring1,
                   (uint8_t)offset, wave, planned, n, 1);
    else
        waves_loop(disposition, NULL, cohort_wave, ring0, ring1,
                   (uint8_t)offset, wave, planned, n, 0);
}
