/* SPDX-License-Identifier: MIT */
/*
 * The per-device loops, built once for every processor and once more for
 * AVX2 where the compiler can target it: the same source, the same integer
 * and IEEE arithmetic without contraction, twice the vector width.
 */
#include <string.h>

#include "risk_kernel.h"

#define OTAPRIO__RISK_KERNEL_NAME(name) otaprio__risk_##name##_baseline
#define OTAPRIO__RISK_KERNEL_TARGET
#include "risk_kernel_template.h"
#undef OTAPRIO__RISK_KERNEL_NAME
#undef OTAPRIO__RISK_KERNEL_TARGET

#ifdef OTAPRIO__RISK_KERNEL_AVX2
#define OTAPRIO__RISK_KERNEL_NAME(name) otaprio__risk_##name##_avx2
#define OTAPRIO__RISK_KERNEL_TARGET __attribute__((target("avx2")))
#define OTAPRIO__RISK_KERNEL_ROWS otaprio__risk_score_rows_avx2
#include "risk_kernel_template.h"
#undef OTAPRIO__RISK_KERNEL_ROWS
#undef OTAPRIO__RISK_KERNEL_NAME
#undef OTAPRIO__RISK_KERNEL_TARGET
#endif

const otaprio__risk_kernels *otaprio__risk_best_kernels(void)
{
#ifdef OTAPRIO__RISK_KERNEL_AVX2
    __builtin_cpu_init(); /* idempotent; safe before constructors ran */
    if (__builtin_cpu_supports("avx2"))
        return &otaprio__risk_kernels_avx2;
#endif
    return &otaprio__risk_kernels_baseline;
}
