/* SPDX-License-Identifier: MIT */
/*
 * A stream's totals: how many devices of a block went to each disposition
 * and carry each reason bit, counted while the block's answers are still
 * in cache. Counting is as much work as scoring if done one bit at a time
 * over 32-bit lanes; the AVX2 build counts bit planes instead: the
 * reasons' low and high bytes packed 32 to a register, one bit of each of
 * them to a sign bit by a shift, the 32 sign bits to a mask, the mask's
 * population to the count.
 */
#include "risk_kernel.h"

#ifdef OTAPRIO__RISK_KERNEL_AVX2
#include <immintrin.h>
#endif

/* Adds n devices counted in `disposition` (DEFER and up; the rest are
 * eligible) and `reason` to the totals. */
static void add_counts(otaprio_risk_totals *totals, size_t n,
                       const uint64_t disposition[4], const uint64_t *reason)
{
    totals->devices += n;
    uint64_t others = 0;
    for (int d = OTAPRIO_DISPOSITION_DEFER; d <= OTAPRIO_DISPOSITION_EXCLUDED;
         d++) {
        totals->by_disposition[d] += disposition[d];
        others += disposition[d];
    }
    totals->by_disposition[OTAPRIO_DISPOSITION_ELIGIBLE] += n - others;
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++)
        totals->by_reason[bit] += reason[bit];
}

/* Devices first .. n - 1, one at a time: the baseline, and the tail of a
 * block the wide build leaves. */
static void count_rest(const otaprio__risk_out *out, size_t first, size_t n,
                       uint64_t disposition[4], uint64_t *reason)
{
    for (size_t i = first; i < n; i++) {
        disposition[out->disposition[i] & 3u]++;
        for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++)
            reason[bit] += out->reasons[i] >> bit & 1u;
    }
}

void otaprio__risk_count_baseline(const otaprio__risk_out *out, size_t n,
                                  otaprio_risk_totals *totals)
{
    /* One compare-and-sum pass per disposition and per reason bit, in the
     * lanes' own width so that the loops vectorise; a block's counts fit
     * 32 bits. */
    uint64_t disposition[4] = {0}, reason[OTAPRIO_REASON_COUNT] = {0};
    for (uint8_t d = OTAPRIO_DISPOSITION_DEFER;
         d <= OTAPRIO_DISPOSITION_EXCLUDED; d++) {
        uint32_t count = 0;
        for (size_t i = 0; i < n; i++)
            count += out->disposition[i] == d;
        disposition[d] = count;
    }
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++) {
        uint32_t set = 0;
        for (size_t i = 0; i < n; i++)
            set += (out->reasons[i] >> bit) & 1u;
        reason[bit] = set;
    }
    add_counts(totals, n, disposition, reason);
}

void otaprio__risk_count(const otaprio_risk_model *model,
                         const uint8_t *disposition, const uint32_t *reasons,
                         size_t n, otaprio_risk_totals *totals)
{
    otaprio__risk_out out = {NULL, (uint8_t *)disposition, (uint32_t *)reasons,
                             NULL, NULL};
    model->kernels->count(&out, n, totals);
}

#ifdef OTAPRIO__RISK_KERNEL_AVX2
_Static_assert(OTAPRIO_REASON_COUNT <= 16, "reasons past two bytes");

/* The 32 sign bits of v's bytes after shifting every 16-bit lane left by
 * 7 - bit: bit `bit` of each byte. */
__attribute__((target("avx2,popcnt"))) static uint64_t plane(__m256i v, int bit)
{
    __m256i shifted = _mm256_sll_epi16(v, _mm_cvtsi32_si128(7 - bit));
    return (uint64_t)__builtin_popcount(
        (unsigned)_mm256_movemask_epi8(shifted));
}

/* Byte `shift / 8` of 32 reasons, packed into one register. Packing works
 * within 128-bit lanes and so reorders the devices, which counts ignore;
 * the mask keeps the unsigned saturation of the packs from clipping. */
__attribute__((target("avx2"))) static __m256i
reason_bytes(const uint32_t *reasons, int shift)
{
    const __m256i byte = _mm256_set1_epi32(0xFF);
    __m256i r[4];
    for (int k = 0; k < 4; k++)
        r[k] = _mm256_and_si256(
            _mm256_srli_epi32(
                _mm256_loadu_si256((const __m256i *)(reasons + 8 * k)), shift),
            byte);
    return _mm256_packus_epi16(_mm256_packus_epi32(r[0], r[1]),
                               _mm256_packus_epi32(r[2], r[3]));
}

__attribute__((target("avx2,popcnt"))) void
otaprio__risk_count_avx2(const otaprio__risk_out *out, size_t n,
                         otaprio_risk_totals *totals)
{
    uint64_t disposition[4] = {0}, reason[OTAPRIO_REASON_COUNT] = {0};
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i low = reason_bytes(out->reasons + i, 0);
        for (int bit = 0; bit < 8 && bit < OTAPRIO_REASON_COUNT; bit++)
            reason[bit] += plane(low, bit);
        if (OTAPRIO_REASON_COUNT > 8) {
            __m256i high = reason_bytes(out->reasons + i, 8);
            for (int bit = 8; bit < OTAPRIO_REASON_COUNT; bit++)
                reason[bit] += plane(high, bit - 8);
        }
        __m256i d = _mm256_loadu_si256((const __m256i *)(out->disposition + i));
        for (int k = OTAPRIO_DISPOSITION_DEFER;
             k <= OTAPRIO_DISPOSITION_EXCLUDED; k++)
            disposition[k] +=
                (uint64_t)__builtin_popcount((unsigned)_mm256_movemask_epi8(
                    _mm256_cmpeq_epi8(d, _mm256_set1_epi8((char)k))));
    }
    count_rest(out, i, n, disposition, reason);
    add_counts(totals, n, disposition, reason);
}
#endif
