/* SPDX-License-Identifier: MIT */
/*
 * Private helpers of the rank statistics (stats_sort.c, stats_rank.c,
 * stats_rank_exact.c, stats_select.c, stats_hodges_lehmann.c): the exact
 * null distribution of the Mann-Whitney U statistic and the selection of
 * order statistics among the pairwise differences of two sorted samples.
 */
#ifndef OTAPRIO_STATS_RANK_H
#define OTAPRIO_STATS_RANK_H

#include "stats.h"

/* A double's IEEE 754 bits as an unsigned key that orders as the values
 * do: the sign bit flipped for positives, every bit for negatives. */
static inline uint64_t otaprio__order_key(double value)
{
    uint64_t bits = otaprio__bits_of_double(value);
    return (bits >> 63) != 0 ? ~bits : bits | ((uint64_t)1 << 63);
}

/* The double whose key otaprio__order_key() gave. */
static inline double otaprio__order_value(uint64_t key)
{
    return otaprio__double_of_bits((key >> 63) != 0 ? key & ~((uint64_t)1 << 63)
                                                    : ~key);
}

/*
 * The exact null distribution of U for samples of m and n untied values:
 * cdf[k] = log P(U <= k) for k = 0..kmax (kmax <= m n / 2, the lower half,
 * which symmetry P(U <= k) = P(U >= m n - k) extends to the whole range).
 * `cdf` holds kmax + 1 doubles. Fails with OTAPRIO_E_LIMIT when the
 * distribution is too large to tabulate (see stats_rank_exact.c) and
 * OTAPRIO_E_NOMEM when its scratch cannot be allocated.
 */
OTAPRIO__NODISCARD int otaprio__mwu_exact_log_cdf(uint64_t m, uint64_t n,
                                                  uint64_t kmax, double *cdf);

/* Whether otaprio__mwu_exact_log_cdf() can tabulate up to kmax for these
 * sizes (the limits on work and range it enforces). */
bool otaprio__mwu_exact_feasible(uint64_t m, uint64_t n, uint64_t kmax);

/*
 * Selection among the nx ny differences x[i] - y[j] of two sorted samples,
 * each difference rounded as double subtraction rounds it (so a selected
 * value equals what sorting all the rounded differences would give), never
 * forming them all (stats_select.c). A selector holds the scratch of its
 * selections; prepare it, select any number of ranks, release it.
 */
typedef struct otaprio__selector {
    const otaprio__samples *s;
    uint64_t total; /* nx * ny */
    /* Columns as uint32_t: half the memory traffic of the passes (a
     * second sample above 2^32 - 1 values is refused). */
    uint32_t *start;    /* per row: the band's first column */
    uint32_t *end;      /* per row: one past the band's last column */
    uint32_t *cut_low;  /* per row: scratch for a new band */
    uint32_t *cut_high; /* per row: scratch for a new band */
    bool full;          /* the band is every difference (no row arrays) */
    /* The band after the first search's first round, for later searches. */
    uint32_t *kept_start;
    uint32_t *kept_end;
    uint64_t kept_below;
    uint64_t kept_size;
    bool kept;
    double *sample; /* the values sampled in one round */
    double *pool;   /* the band's values once it is small enough */
    size_t pool_capacity;
} otaprio__selector;

OTAPRIO__NODISCARD int otaprio__selector_prepare(const otaprio__mem *mem,
                                                 const otaprio__samples *s,
                                                 otaprio__selector *sel);

/* The rank-th smallest difference, 1 <= rank <= nx ny. */
double otaprio__selector_select(otaprio__selector *sel, uint64_t rank);

/* The rank-th and (rank + 1)-th smallest, rank + 1 <= nx ny, in one
 * search. */
void otaprio__selector_select_pair(otaprio__selector *sel, uint64_t rank,
                                   double *first, double *second);

void otaprio__selector_release(const otaprio__mem *mem, otaprio__selector *sel);

#endif /* OTAPRIO_STATS_RANK_H */
