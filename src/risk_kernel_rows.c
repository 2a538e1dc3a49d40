/* SPDX-License-Identifier: MIT */
/*
 * The device kernel's common case in AVX2 registers: priority, disposition
 * and reasons of 32 devices at a time, in one pass over the columns.
 *
 * The portable kernel (risk_kernel_template.h) makes a short pass over a
 * block for each rule, keeping the block's partial answers in arrays; from
 * memory each pass waits on its own columns in turn. Here every column of
 * 32 devices is loaded once and every rule applied to it in registers:
 * byte columns 32 to a register, the 32-bit and 64-bit ones a quarter or
 * an eighth of that, their 0/1 answers packed down to bytes before they
 * meet the byte columns'. The arithmetic is the template's, integer for
 * integer and IEEE operation for IEEE operation, so the answers are the
 * same bit for bit (test_risk_kernel holds every build to the baseline,
 * at every block length and at the edges of every rule).
 */
#include "risk_kernel.h"

#ifdef OTAPRIO__RISK_KERNEL_AVX2
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* Devices a step handles: one register of bytes. */
#define ROWS_STEP 32

/* The constants of one call, broadcast once. */
typedef struct rows_constants {
    __m256i defect_part, attempt_limit, attempt_step, attempt_cap, score_max;
    __m256 min_battery;
    __m256i storage_sign, storage_threshold; /* unsigned order by xor */
    __m256i catch_up_limit, catch_up_bit;    /* bit 0 of the high byte */
    __m256i repeated_limit, repeated_bit;    /* bit 1 of the high byte */
    __m256i metered_large, window, all_short, roaming;
    __m256i class_low, class_high; /* bit 7 for classes 0-15 and 16-31 */
} rows_constants;

/* A 64-bit limit as a 32-bit one and the bit it sets: a limit past
 * UINT32_MAX is never reached by a 32-bit count (the template skips its
 * pass). */
AVX2 static void limit_of(uint64_t limit, int bit, __m256i *limit32,
                          __m256i *bit32)
{
    int reachable = limit <= UINT32_MAX;
    *limit32 = _mm256_set1_epi32((int)(reachable ? (uint32_t)limit : 0));
    *bit32 = _mm256_set1_epi32(reachable ? bit : 0);
}

/* The class-exclusion bit (bit 7) of the 16 classes from `first` on, in
 * both 128-bit lanes: a table for vpshufb. */
AVX2 static __m256i class_table(uint32_t excluded_classes, int first)
{
    uint8_t table[16];
    for (int k = 0; k < 16; k++)
        table[k] = (uint8_t)(((excluded_classes >> (first + k)) & 1u) << 7);
    __m128i half = _mm_loadu_si128((const __m128i *)table);
    return _mm256_broadcastsi128_si256(half);
}

AVX2 static void constants_of(rows_constants *k, const otaprio_risk_model *m,
                              const otaprio__risk_terms *t)
{
    k->defect_part = _mm256_set1_epi32(t->defect_part);
    k->attempt_limit = _mm256_set1_epi32((int)m->attempt_limit);
    k->attempt_step = _mm256_set1_epi32((int32_t)m->failed_attempt_milli);
    k->attempt_cap = _mm256_set1_epi32((int32_t)m->failed_attempt_cap_milli);
    k->score_max = _mm256_set1_epi32(RISK_SCORE_MAX_MILLI);
    k->min_battery = _mm256_set1_ps(m->min_battery);
    k->storage_sign = _mm256_set1_epi64x(INT64_MIN);
    k->storage_threshold = _mm256_xor_si256(
        _mm256_set1_epi64x((int64_t)t->storage_threshold), k->storage_sign);
    limit_of(m->catch_up_limit, OTAPRIO_REASON_CATCH_UP >> 8,
             &k->catch_up_limit, &k->catch_up_bit);
    limit_of(m->repeated_limit, OTAPRIO_REASON_REPEATED_FAILURES >> 8,
             &k->repeated_limit, &k->repeated_bit);
    k->metered_large = _mm256_set1_epi8((char)t->metered_large);
    k->window = _mm256_set1_epi8((char)t->window);
    k->all_short =
        _mm256_set1_epi8((char)(t->all_short ? OTAPRIO_REASON_LOW_STORAGE : 0));
    k->roaming = _mm256_set1_epi8((char)OTAPRIO_LINK_ROAMING);
    k->class_low = class_table(m->excluded_classes, 0);
    k->class_high = class_table(m->excluded_classes, 16);
}

AVX2 static inline __m256i load_bytes(const uint8_t *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* Four registers of 32-bit lanes (devices 0-7, 8-15, 16-23, 24-31), each
 * lane within int8, as one register of bytes in device order. The packs
 * work within 128-bit lanes; the last permutation puts the 4-device
 * groups they leave back in order. */
AVX2 static inline __m256i bytes_of(__m256i a, __m256i b, __m256i c, __m256i d)
{
    __m256i ab = _mm256_packs_epi32(a, b);
    __m256i cd = _mm256_packs_epi32(c, d);
    return _mm256_permutevar8x32_epi32(
        _mm256_packs_epi16(ab, cd), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* Each byte times k, for products below 256: a 16-bit multiply carries
 * nothing from the low byte into the high one then. */
AVX2 static inline __m256i times(__m256i bytes, int k)
{
    return _mm256_mullo_epi16(bytes, _mm256_set1_epi16((short)k));
}

/* 0/1 bytes shifted left by `bits`: a 16-bit shift moves nothing across
 * bytes while every result stays below 256. */
#define SHIFTED(bytes, bits) _mm256_slli_epi16((bytes), (bits))

/* Whether free bytes fall below the threshold, for 8 devices, as 32-bit
 * masks in device order. Unsigned 64-bit order is signed order after
 * flipping the sign bits. */
AVX2 static inline __m256i storage_short8(const rows_constants *k,
                                          const uint64_t *free_bytes)
{
    __m256i low4 = _mm256_xor_si256(
        _mm256_loadu_si256((const __m256i *)free_bytes), k->storage_sign);
    __m256i high4 = _mm256_xor_si256(
        _mm256_loadu_si256((const __m256i *)(free_bytes + 4)), k->storage_sign);
    __m256 low =
        _mm256_castsi256_ps(_mm256_cmpgt_epi64(k->storage_threshold, low4));
    __m256 high =
        _mm256_castsi256_ps(_mm256_cmpgt_epi64(k->storage_threshold, high4));
    /* The low halves of the 64-bit masks: devices 0 1 4 5 | 2 3 6 7. */
    __m256 halves = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_permute4x64_epi64(_mm256_castps_si256(halves),
                                    _MM_SHUFFLE(3, 1, 2, 0));
}

/* Unsigned x >= limit, 32-bit lanes, as 0 or `bit`. */
AVX2 static inline __m256i at_least(__m256i x, __m256i limit, __m256i bit)
{
    return _mm256_and_si256(_mm256_cmpeq_epi32(_mm256_max_epu32(x, limit), x),
                            bit);
}

AVX2 size_t otaprio__risk_score_rows_avx2(const otaprio_risk_model *m,
                                          const otaprio__risk_terms *t,
                                          const otaprio__risk_columns *b,
                                          size_t n,
                                          const otaprio__risk_out *out)
{
    size_t rows = n - n % ROWS_STEP;
    if (rows == 0)
        return 0;
    otaprio__risk_prefetch_unchecked(b, rows);
    const int32_t *criticality_part = m->criticality_part;
    rows_constants k;
    constants_of(&k, m, t);
    const __m256i one = _mm256_set1_epi8(1);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i excluding = _mm256_set1_epi8(
        (char)(OTAPRIO_REASON_POLICY | OTAPRIO_REASON_NOT_AFFECTED |
               OTAPRIO_REASON_CLASS_EXCLUDED));
    const __m256i blocking =
        _mm256_set1_epi8((char)OTAPRIO_REASON_PREREQUISITE);
    const __m256i deferring = _mm256_set1_epi8(
        (char)(OTAPRIO_REASON_LOW_BATTERY | OTAPRIO_REASON_METERED_LARGE |
               OTAPRIO_REASON_LOW_STORAGE | OTAPRIO_REASON_MAINTENANCE_WINDOW));
    const __m256i keep_storage =
        _mm256_set1_epi8((char)OTAPRIO_REASON_LOW_STORAGE);
    const __m256 battery_bit =
        _mm256_castsi256_ps(_mm256_set1_epi32(OTAPRIO_REASON_LOW_BATTERY));
    const __m256i storage_bit = _mm256_set1_epi32(OTAPRIO_REASON_LOW_STORAGE);
    /* otaprio__risk_combo() in two parts: the four small factors, whose
     * sum stays within a byte, then the class. */
    _Static_assert(RISK_COMBO_CLASS <= 256,
                   "a combination's small factors past a byte");
    _Static_assert(OTAPRIO_DEVICE_CLASS_MAX <= 32, "class tables of 32");

    for (size_t i = 0; i < rows; i += ROWS_STEP) {
        __m256i device_class = load_bytes(b->device_class + i);
        /* Criticality's share: one lookup by combination a device. */
        __m256i small = _mm256_add_epi8(
            _mm256_add_epi8(
                times(load_bytes(b->customer_tier + i), RISK_COMBO_TIER),
                times(load_bytes(b->exposure + i), RISK_COMBO_EXPOSURE)),
            _mm256_add_epi8(
                times(load_bytes(b->redundant + i), RISK_COMBO_REDUNDANT),
                load_bytes(b->uptime + i)));
        uint16_t combo[ROWS_STEP];
        for (int h = 0; h < 2; h++) {
            __m128i c = h ? _mm256_extracti128_si256(device_class, 1)
                          : _mm256_castsi256_si128(device_class);
            __m128i s = h ? _mm256_extracti128_si256(small, 1)
                          : _mm256_castsi256_si128(small);
            __m256i words = _mm256_add_epi16(
                _mm256_mullo_epi16(_mm256_cvtepu8_epi16(c),
                                   _mm256_set1_epi16((short)RISK_COMBO_CLASS)),
                _mm256_cvtepu8_epi16(s));
            _mm256_storeu_si256((__m256i *)(combo + 16 * h), words);
        }
        /* Loads one by one rather than vpgatherdd, which microcode
         * mitigations make several times slower on some processors; here
         * the two measure the same. */
        int32_t part[ROWS_STEP];
        for (int j = 0; j < ROWS_STEP; j++)
            part[j] = criticality_part[combo[j]];

        /* 8 devices a register: priority, the battery and storage bits,
         * and the two notices of the high byte. */
        __m256i low_wide[4], high_wide[4];
        for (int g = 0; g < 4; g++) {
            size_t at = i + 8 * (size_t)g;
            __m256i attempts =
                _mm256_loadu_si256((const __m256i *)(b->failed_attempts + at));
            __m256i counted = _mm256_min_epu32(attempts, k.attempt_limit);
            __m256i points = _mm256_min_epi32(
                _mm256_mullo_epi32(counted, k.attempt_step), k.attempt_cap);
            __m256i priority = _mm256_min_epi32(
                _mm256_add_epi32(
                    _mm256_add_epi32(k.defect_part, points),
                    _mm256_loadu_si256((const __m256i *)(part + 8 * g))),
                k.score_max);
            const __m256d thousand = _mm256_set1_pd(1000.0);
            _mm256_storeu_pd(
                out->priority + at,
                _mm256_div_pd(
                    _mm256_cvtepi32_pd(_mm256_castsi256_si128(priority)),
                    thousand));
            _mm256_storeu_pd(
                out->priority + at + 4,
                _mm256_div_pd(
                    _mm256_cvtepi32_pd(_mm256_extracti128_si256(priority, 1)),
                    thousand));

            __m256 low_battery = _mm256_cmp_ps(_mm256_loadu_ps(b->battery + at),
                                               k.min_battery, _CMP_LT_OQ);
            low_wide[g] = _mm256_or_si256(
                _mm256_castps_si256(_mm256_and_ps(low_battery, battery_bit)),
                _mm256_and_si256(storage_short8(&k, b->free_bytes + at),
                                 storage_bit));
            __m256i days =
                _mm256_loadu_si256((const __m256i *)(b->days_offline + at));
            high_wide[g] = _mm256_or_si256(
                at_least(days, k.catch_up_limit, k.catch_up_bit),
                at_least(attempts, k.repeated_limit, k.repeated_bit));
        }

        /* The low byte: the bits that decide the disposition. The battery
         * bit holds only while not charging (charging is 0 or 1). */
        __m256i not_charging =
            _mm256_xor_si256(load_bytes(b->charging + i), one);
        __m256i low = _mm256_and_si256(
            bytes_of(low_wide[0], low_wide[1], low_wide[2], low_wide[3]),
            _mm256_or_si256(not_charging, keep_storage));
        low = _mm256_or_si256(low, k.all_short);
        __m256i on_meter = _mm256_or_si256(
            load_bytes(b->metered + i),
            _mm256_and_si256(
                _mm256_cmpeq_epi8(load_bytes(b->link + i), k.roaming), one));
        low = _mm256_or_si256(
            low, SHIFTED(_mm256_and_si256(on_meter, k.metered_large), 1));
        low = _mm256_or_si256(
            low,
            SHIFTED(_mm256_and_si256(load_bytes(b->busy + i), k.window), 3));
        low = _mm256_or_si256(
            low, SHIFTED(load_bytes(b->prerequisite_missing + i), 4));
        low = _mm256_or_si256(low, SHIFTED(load_bytes(b->excluded + i), 5));
        low = _mm256_or_si256(
            low,
            SHIFTED(_mm256_xor_si256(load_bytes(b->affected + i), one), 6));
        /* Class bit 4 to each byte's top bit picks the table. */
        __m256i excluded_class =
            _mm256_blendv_epi8(_mm256_shuffle_epi8(k.class_low, device_class),
                               _mm256_shuffle_epi8(k.class_high, device_class),
                               SHIFTED(device_class, 3));
        low = _mm256_or_si256(low, excluded_class);
        __m256i high =
            bytes_of(high_wide[0], high_wide[1], high_wide[2], high_wide[3]);

        /* The disposition: the strongest class of reason present. */
        __m256i not_excluded =
            _mm256_cmpeq_epi8(_mm256_and_si256(low, excluding), zero);
        __m256i not_blocked =
            _mm256_cmpeq_epi8(_mm256_and_si256(low, blocking), zero);
        __m256i not_deferred =
            _mm256_cmpeq_epi8(_mm256_and_si256(low, deferring), zero);
        __m256i disposition = _mm256_andnot_si256(
            not_deferred, _mm256_set1_epi8((char)OTAPRIO_DISPOSITION_DEFER));
        disposition = _mm256_blendv_epi8(
            _mm256_set1_epi8((char)OTAPRIO_DISPOSITION_BLOCKED), disposition,
            not_blocked);
        disposition = _mm256_blendv_epi8(
            _mm256_set1_epi8((char)OTAPRIO_DISPOSITION_EXCLUDED), disposition,
            not_excluded);
        _mm256_storeu_si256((__m256i *)(out->disposition + i), disposition);

        /* Reasons: the low byte and the high one side by side in 16 bits,
         * widened to 32. */
        for (int h = 0; h < 2; h++) {
            __m128i l = h ? _mm256_extracti128_si256(low, 1)
                          : _mm256_castsi256_si128(low);
            __m128i u = h ? _mm256_extracti128_si256(high, 1)
                          : _mm256_castsi256_si128(high);
            __m256i words =
                _mm256_or_si256(_mm256_cvtepu8_epi16(l),
                                _mm256_slli_epi16(_mm256_cvtepu8_epi16(u), 8));
            _mm256_storeu_si256(
                (__m256i *)(out->reasons + i + 16 * (size_t)h),
                _mm256_cvtepu16_epi32(_mm256_castsi256_si128(words)));
            _mm256_storeu_si256(
                (__m256i *)(out->reasons + i + 16 * (size_t)h + 8),
                _mm256_cvtepu16_epi32(_mm256_extracti128_si256(words, 1)));
        }
    }
    return rows;
}
#endif
