/* SPDX-License-Identifier: MIT */
/*
 * The risk engine's per-device kernel: the types it shares with
 * risk_device.c, and its builds. The kernel is compiled once per
 * instruction set (risk_kernel.c) from one body (risk_kernel_template.h);
 * a model picks the best the processor has when it is created.
 */
#ifndef OTAPRIO_RISK_KERNEL_H
#define OTAPRIO_RISK_KERNEL_H

#include "risk_internal.h"

/* Devices per block: the unit of the kernel's passes and of the default
 * columns that stand in for missing ones. */
enum { RISK_BLOCK = 256 };

/* One block's columns, every one readable. */
typedef struct otaprio__risk_columns {
    const uint8_t *device_class, *customer_tier, *exposure, *redundant, *uptime,
        *safe_fallback, *charging, *link, *metered, *busy, *affected,
        *prerequisite_missing, *excluded;
    const float *battery;
    const uint64_t *free_bytes;
    const uint32_t *failed_attempts, *days_offline;
} otaprio__risk_columns;

/* What one issue fixes for every device of a run. */
typedef struct otaprio__risk_terms {
    double defect_points;       /* the defect score, for explanations */
    int32_t defect_part;        /* its share of the priority */
    uint32_t metered_large;     /* 1: metered links defer this package */
    uint32_t window;            /* 1: busy devices defer */
    uint32_t all_short;         /* 1: no device can hold the package */
    uint64_t storage_threshold; /* free bytes below this are short */
} otaprio__risk_terms;

/* Where a block's answers go: the caller's arrays, or scratch space for
 * the ones it did not ask for (the totals still count them). */
typedef struct otaprio__risk_out {
    double *priority;
    uint8_t *disposition;
    uint32_t *reasons;
    double *criticality; /* NULL: not wanted */
    double *delivery;    /* NULL: not wanted */
} otaprio__risk_out;

static inline int64_t otaprio__risk_bounded(int64_t milli)
{
    return milli < 0                      ? 0
           : milli > RISK_SCORE_MAX_MILLI ? RISK_SCORE_MAX_MILLI
                                          : milli;
}

static inline int64_t otaprio__risk_battery_milli(const otaprio_risk_model *m,
                                                  float battery,
                                                  uint8_t charging)
{
    if (charging || !(battery < m->battery_risk_level))
        return 0;
    return otaprio__milli(((double)m->battery_risk_level - (double)battery) *
                          m->battery_scale);
}

static inline uint32_t otaprio__risk_storage_short(const otaprio__risk_terms *t,
                                                   uint64_t free_bytes)
{
    return (uint32_t)(free_bytes < t->storage_threshold) | t->all_short;
}

static inline int64_t
otaprio__risk_delivery_milli(const otaprio_risk_model *m,
                             const otaprio__risk_terms *t,
                             const otaprio__risk_columns *b, size_t i)
{
    return otaprio__risk_bounded(
        otaprio__risk_battery_milli(m, b->battery[i], b->charging[i]) +
        m->link_milli[b->link[i]] + (b->metered[i] ? m->metered_milli : 0) +
        (otaprio__risk_storage_short(t, b->free_bytes[i]) ? m->storage_milli
                                                          : 0) +
        (b->safe_fallback[i] ? m->safe_fallback_milli : 0));
}

/* A stream's totals of a block's answers (risk_count.c), per build. */
void otaprio__risk_count_baseline(const otaprio__risk_out *out, size_t n,
                                  otaprio_risk_totals *totals);
#if defined(__x86_64__) && defined(__GNUC__)
void otaprio__risk_count_avx2(const otaprio__risk_out *out, size_t n,
                              otaprio_risk_totals *totals);
#endif

/* Asks for the lines of devices [0, n) of the three columns validation
 * does not read, which are not in cache yet, before the kernel needs
 * them. */
static inline void
otaprio__risk_prefetch_unchecked(const otaprio__risk_columns *b, size_t n)
{
    for (size_t i = 0; i < n; i += 64 / sizeof *b->free_bytes)
        __builtin_prefetch(&b->free_bytes[i]);
    for (size_t i = 0; i < n; i += 64 / sizeof *b->days_offline) {
        __builtin_prefetch(&b->days_offline[i]);
        __builtin_prefetch(&b->failed_attempts[i]);
    }
}

/* The block's columns from device `start` on. */
static inline otaprio__risk_columns
otaprio__risk_columns_from(const otaprio__risk_columns *b, size_t start)
{
    otaprio__risk_columns from = {
        b->device_class + start, b->customer_tier + start,
        b->exposure + start,     b->redundant + start,
        b->uptime + start,       b->safe_fallback + start,
        b->charging + start,     b->link + start,
        b->metered + start,      b->busy + start,
        b->affected + start,     b->prerequisite_missing + start,
        b->excluded + start,     b->battery + start,
        b->free_bytes + start,   b->failed_attempts + start,
        b->days_offline + start,
    };
    return from;
}

/* Builds of the loops; any of them gives the same answers bit for bit. */
extern const otaprio__risk_kernels otaprio__risk_kernels_baseline;
#if defined(__x86_64__) && defined(__GNUC__)
#define OTAPRIO__RISK_KERNEL_AVX2 1
extern const otaprio__risk_kernels otaprio__risk_kernels_avx2;
/* Priority, disposition and reasons of a block's first n - n % 32 devices
 * in one pass (risk_kernel_rows.c); returns how many it scored. */
size_t otaprio__risk_score_rows_avx2(const otaprio_risk_model *m,
                                     const otaprio__risk_terms *t,
                                     const otaprio__risk_columns *b, size_t n,
                                     const otaprio__risk_out *out);
#endif

/* The fastest build this processor runs. */
const otaprio__risk_kernels *otaprio__risk_best_kernels(void);

#endif
