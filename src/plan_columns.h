/* SPDX-License-Identifier: MIT */
/*
 * The planner's per-device arithmetic between engine calls, one column
 * result per loop (plan_columns.c). Every loop is branch-free over
 * distinct columns so that the compiler vectorises it: dispositions,
 * rings and waves change from device to device, and branching on them
 * cost the planner more than a fifth of its time (bench/RESULTS.md).
 * Columns passed to one call must not overlap.
 */
#ifndef OTAPRIO_PLAN_COLUMNS_H
#define OTAPRIO_PLAN_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

/* affected[i] = marks[i] != 0: the flaw's marks as 0/1 flags. */
void otaprio__plan_affected(const uint8_t *marks, uint8_t *affected, size_t n);

/* Devices flagged in a column of 0/1 flags, and the device classes
 * among them as bits (classes past 31 are the risk engine's to reject; a
 * NULL `classes` stands for OTAPRIO_DEVICE_OTHER). */
uint64_t otaprio__plan_reach(const uint8_t *affected, const uint8_t *classes,
                             size_t n, uint32_t *seen);

/* The risk engine's prerequisite and excluded columns from the catalog's
 * blocks: a curable block is a missing prerequisite; a block no
 * prerequisite cures excludes a device the flaw reaches (`reached` NULL:
 * every device), on top of the host's own `host` exclusion (or NULL). */
void otaprio__plan_catalog_inputs(const uint32_t *blocks,
                                  const uint8_t *reached, const uint8_t *host,
                                  uint8_t *prerequisite, uint8_t *excluded,
                                  size_t n);

/* The catalog's battery, storage and link blocks pass with time, like
 * the risk engine's own: each adds its reason and defers an eligible
 * device. */
void otaprio__plan_fold_blocks(const uint32_t *blocks, uint32_t *reasons,
                               uint8_t *disposition, size_t n);

/* What the cohort engine may take (plan_fleet.c's cohort_columns()):
 * `ring` NULL when ring stages take no device. */
void otaprio__plan_cohort_inputs(const uint8_t *disposition,
                                 const uint8_t *ring, const double *criticality,
                                 double level, uint8_t last, uint8_t *excluded,
                                 uint8_t *first, uint8_t *critical, size_t n);

/* Eligible devices of ring 0 and ring 1, added to `rings`. */
void otaprio__plan_count_rings(const uint8_t *disposition, const uint8_t *ring,
                               size_t n, uint64_t rings[2]);

/* Each device's plan wave: its ring's stage when a ring stage takes it
 * (`ring` NULL: none does), else `offset` past its cohort wave, else
 * OTAPRIO_PLAN_NONE; `planned` flags the devices some wave takes. */
void otaprio__plan_waves(const uint8_t *disposition, const uint8_t *ring,
                         const uint8_t *cohort_wave,
                         const uint32_t ring_wave[2], uint32_t offset,
                         uint8_t *wave, uint8_t *planned, size_t n);

/* The sum of a column of 0/1 flags. */
uint64_t otaprio__plan_count_flags(const uint8_t *flags, size_t n);

/* Devices whose byte equals `value`. */
uint64_t otaprio__plan_count_equal(const uint8_t *column, uint8_t value,
                                   size_t n);

#endif /* OTAPRIO_PLAN_COLUMNS_H */
