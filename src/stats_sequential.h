/* SPDX-License-Identifier: MIT */
/*
 * The sequential (always-valid) test the guardrail engine runs on event
 * counts: a mixture sequential probability ratio test on the ratio of two
 * Poisson rates, conditioned on the events seen, so that a host may look
 * after every batch of telemetry, as often as it likes, and the chance of
 * ever raising a false alarm stays at or below alpha (Ville's inequality
 * on a nonnegative martingale). Proportions ride on it with devices as the
 * exposure. The state is a plain struct; it serialises to a fixed, versioned
 * byte layout that the host keeps between evaluations.
 */
#ifndef OTAPRIO_STATS_SEQUENTIAL_H
#define OTAPRIO_STATS_SEQUENTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* How many alternative ratios the mixture spreads its weight over. */
#define OTAPRIO__SEQUENCE_ALTERNATIVES 16

/* The serialised size in bytes (stats_sequential.c asserts it). */
#define OTAPRIO__SEQUENCE_BYTES 256

typedef struct otaprio__sequence {
    /* The null: the canary's rate is at most ratio0 times the baseline's. */
    double ratio0;
    /* Cumulative totals at the last look. */
    uint64_t canary_events;
    uint64_t baseline_events;
    double canary_exposure;
    double baseline_exposure;
    uint64_t looks;
    /* log likelihood ratio of each alternative against the null. */
    double log_lr[OTAPRIO__SEQUENCE_ALTERNATIVES];
    double log_e;     /* log of the mixture e-value at the last look */
    double log_e_max; /* its running maximum */
} otaprio__sequence;

/* A fresh state for the null `ratio0` (finite, > 0). */
OTAPRIO__NODISCARD int
otaprio__sequence_init(otaprio__sequence *s, double ratio0, otaprio_diag *diag);

/* One look: the cumulative totals now. Totals below the last look's, NaN,
 * infinite or negative exposure fail with OTAPRIO_E_RANGE and leave the
 * state as it was. */
OTAPRIO__NODISCARD int
otaprio__sequence_observe(otaprio__sequence *s, uint64_t canary_events,
                          double canary_exposure, uint64_t baseline_events,
                          double baseline_exposure, otaprio_diag *diag);

/* log of the always-valid p-value, min(1, 1 / max e). */
double otaprio__sequence_log_p(const otaprio__sequence *s);

/* Writes the state in the versioned layout (little-endian, checksummed). */
void otaprio__sequence_serialize(const otaprio__sequence *s,
                                 unsigned char out[OTAPRIO__SEQUENCE_BYTES]);

/* Reads a state back; a wrong length, magic, version or checksum, or
 * values no observation could have produced, fail with OTAPRIO_E_SYNTAX
 * (or OTAPRIO_E_RANGE) and leave `s` untouched. */
OTAPRIO__NODISCARD int otaprio__sequence_deserialize(otaprio__sequence *s,
                                                     const void *bytes,
                                                     size_t length,
                                                     otaprio_diag *diag);

#endif /* OTAPRIO_STATS_SEQUENTIAL_H */
