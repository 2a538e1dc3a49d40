/* SPDX-License-Identifier: MIT */
/*
 * Counting a proportion per unique device: executions grouped by device
 * key in the library's tuple set (a key as two 32-bit halves), so a device
 * that retried counts once, however its attempts went.
 */
#include "guardrail_internal.h"
#include "tuple_set.h"

/* Per device: bit 1 when any attempt failed, bit 2 when the last one did. */
#define ANY_FAILED 1u
#define LAST_FAILED 2u

static int count_into(const otaprio__mem *mem, otaprio__tuple_set *devices,
                      otaprio__vec *flags, const uint64_t *keys,
                      const uint8_t *failed, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint32_t row[2] = {(uint32_t)keys[i], (uint32_t)(keys[i] >> 32)};
        uint64_t hash = otaprio__tuple_hash(devices, row);
        uint32_t id = otaprio__tuple_find(devices, row, hash);
        if (id == OTAPRIO__TUPLE_NONE) {
            if (devices->count == OTAPRIO__TUPLE_NONE - 1)
                return OTAPRIO_E_LIMIT;
            OTAPRIO__TRY(
                otaprio__tuple_set_reserve(mem, devices, devices->count + 1));
            uint8_t none = 0;
            OTAPRIO__TRY(otaprio__vec_push(mem, flags, &none));
            id = otaprio__tuple_set_add_reserved(devices, row, hash);
        }
        uint8_t *f = (uint8_t *)flags->data + id;
        *f = failed[i] ? (uint8_t)(ANY_FAILED | LAST_FAILED)
                       : (uint8_t)(*f & ~LAST_FAILED);
    }
    return OTAPRIO_OK;
}

int otaprio_guard_count_devices(const uint64_t *keys, const uint8_t *failed,
                                size_t count, int final_outcome,
                                const otaprio_allocator *allocator,
                                uint64_t *failures, uint64_t *trials,
                                otaprio_diag *diag)
{
    if (failures == NULL || trials == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             failures == NULL ? "failures" : "trials", -1,
                             "an output is NULL");
    if (count > 0 && (keys == NULL || failed == NULL))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             keys == NULL ? "keys" : "failed", -1,
                             "NULL array with %zu executions", count);
    if (final_outcome != 0 && final_outcome != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "final_outcome", -1,
                             "final_outcome is %d; it must be 0 or 1",
                             final_outcome);
    for (size_t i = 0; i < count; i++) {
        if (failed[i] > 1)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "failed", (int64_t)i,
                                 "execution %zu: failed is %u; it must be 0 "
                                 "or 1",
                                 i, (unsigned)failed[i]);
    }
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio__tuple_set devices;
    otaprio__tuple_set_prepare(&devices, 2); /* a key as two halves */
    otaprio__vec flags = {.elem_size = 1};
    int status = count_into(&mem, &devices, &flags, keys, failed, count);
    uint64_t failing = 0;
    unsigned which = final_outcome ? LAST_FAILED : ANY_FAILED;
    for (size_t id = 0; id < flags.length; id++)
        failing += (((const uint8_t *)flags.data)[id] & which) != 0;
    uint64_t tried = devices.count;
    otaprio__tuple_set_release(&mem, &devices);
    otaprio__vec_release(&mem, &flags);
    if (status == OTAPRIO_E_LIMIT)
        return otaprio__fail(diag, status, "count", -1,
                             "more than 2^32 - 2 distinct devices");
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "count", -1,
                             "out of memory for %zu executions", count);
    *failures = failing;
    *trials = tried;
    return OTAPRIO_OK;
}
