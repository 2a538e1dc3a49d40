/* SPDX-License-Identifier: MIT */
/*
 * Gathering a continuous metric's samples from the host: one callback per
 * row and group, each value checked and copied (negated for a
 * lower-is-worse metric, so the tests always look for a rise).
 */
#include <math.h>

#include "guardrail_internal.h"

static int gather_group(const otaprio__mem *mem, const otaprio_guard_data *data,
                        size_t entry, size_t row, int32_t group, double sign,
                        otaprio__vec *out, otaprio_diag *diag)
{
    const double *values = NULL;
    size_t count = 0;
    int status = data->samples(data->user, row, group, &values, &count);
    if (status != 0)
        return status;
    if (count == 0)
        return OTAPRIO_OK;
    if (values == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "samples", (int64_t)entry,
                             "data %zu, row %zu: the samples callback gave "
                             "%zu values and a NULL array",
                             entry, row, count);
    OTAPRIO__TRY(otaprio__vec_reserve(mem, out, out->length + count));
    double *dst = (double *)out->data + out->length;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i]))
            return otaprio__fail(
                diag, OTAPRIO_E_RANGE, "samples", (int64_t)entry,
                "data %zu, row %zu, %s sample %zu is %g; "
                "samples must be finite",
                entry, row,
                group == OTAPRIO_GUARD_CANARY ? "canary" : "baseline", i,
                values[i]);
        dst[i] = sign * values[i];
    }
    out->length += count;
    return OTAPRIO_OK;
}

int otaprio__guard_pool_gather(const otaprio__mem *mem,
                               const otaprio_guard_rule *rule,
                               const otaprio_guard_data *data, size_t entry,
                               otaprio__guard_pool *pool, otaprio_diag *diag)
{
    pool->canary = (otaprio__vec){.elem_size = sizeof(double)};
    pool->baseline = (otaprio__vec){.elem_size = sizeof(double)};
    pool->rows = data->rows;
    pool->canary_start = NULL;
    pool->baseline_start = NULL;
    if (data->rows > 0 && data->samples == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "samples", (int64_t)entry,
                             "data %zu: a continuous metric needs the "
                             "samples callback",
                             entry);
    double sign = rule->direction == OTAPRIO_GUARD_LOWER_IS_WORSE ? -1.0 : 1.0;
    int status = otaprio__mem_zalloc_array(mem, data->rows + 1, sizeof(size_t),
                                           (void **)&pool->canary_start);
    if (status == OTAPRIO_OK)
        status = otaprio__mem_zalloc_array(mem, data->rows + 1, sizeof(size_t),
                                           (void **)&pool->baseline_start);
    for (size_t row = 0; row < data->rows && status == OTAPRIO_OK; row++) {
        pool->canary_start[row] = pool->canary.length;
        pool->baseline_start[row] = pool->baseline.length;
        status = gather_group(mem, data, entry, row, OTAPRIO_GUARD_CANARY, sign,
                              &pool->canary, diag);
        if (status == OTAPRIO_OK)
            status = gather_group(mem, data, entry, row, OTAPRIO_GUARD_BASELINE,
                                  sign, &pool->baseline, diag);
    }
    if (status != OTAPRIO_OK) {
        otaprio__guard_pool_release(mem, pool);
        return status;
    }
    pool->canary_start[data->rows] = pool->canary.length;
    pool->baseline_start[data->rows] = pool->baseline.length;
    return OTAPRIO_OK;
}

void otaprio__guard_pool_release(const otaprio__mem *mem,
                                 otaprio__guard_pool *pool)
{
    otaprio__vec_release(mem, &pool->canary);
    otaprio__vec_release(mem, &pool->baseline);
    otaprio__mem_free(mem, pool->canary_start);
    otaprio__mem_free(mem, pool->baseline_start);
    pool->canary_start = NULL;
    pool->baseline_start = NULL;
}
