/* SPDX-License-Identifier: MIT */
/*
 * Shared-fate clusters: devices grouped by the tuple of their values in the
 * host's attribute columns, chunk after chunk, with each cluster's size and
 * canary coverage.
 *
 * Memory per cluster: the tuple (4 * attribute_count bytes) and two counts
 * (16 bytes), in arrays that grow by half again (so up to 1.5 times that),
 * plus 4 to 8 table slots of 8 bytes (the table doubles when it would be
 * more than a quarter full). For 3 attributes: 60 to 106 bytes per
 * cluster. Nothing is kept per device.
 *
 * An add is atomic, and hashes each device once. It validates every flag
 * before it touches anything. Then one pass (cluster_pass.c) clusters the
 * devices; the only thing that can fail is making room for a new cluster
 * (the limit, or memory). On failure, the counts the pass added are taken
 * back (each device before the failure is looked up again) and the new
 * clusters dropped. The caller's `cluster` array is written by the pass
 * itself only when the clusterer already has room for every device to
 * bring a new cluster, so that nothing can fail; otherwise the pass writes
 * a scratch array (4 bytes per device, from the clusterer's allocator,
 * freed before the add returns) that is copied out on success.
 */
#include "cluster_internal.h"

/* What a NULL column reads, through a mask of 0, at every device. */
static const uint32_t zero_value = 0;

void otaprio__clusterer_set_limit(otaprio_clusterer *clusterer, uint32_t limit)
{
    clusterer->limit = limit;
}

int otaprio_clusterer_create(size_t attribute_count,
                             const otaprio_allocator *allocator,
                             otaprio_clusterer **clusterer, otaprio_diag *diag)
{
    if (clusterer == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "clusterer", -1,
                             "clusterer is NULL");
    if (attribute_count < 1 || attribute_count > OTAPRIO_CLUSTER_MAX_ATTRIBUTES)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "attribute_count", -1,
                             "attribute_count is %zu; it must lie in [1, %d]",
                             attribute_count, OTAPRIO_CLUSTER_MAX_ATTRIBUTES);
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_clusterer *c = otaprio__mem_alloc(&mem, sizeof *c);
    if (c == NULL)
        return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                             "out of memory for the clusterer");
    memset(c, 0, sizeof *c);
    c->mem = mem;
    otaprio__tuple_set_prepare(&c->set, attribute_count);
    c->counts.elem_size = sizeof(otaprio__cluster_counts);
    c->limit = UINT32_MAX - 1;
    *clusterer = c;
    return OTAPRIO_OK;
}

void otaprio_clusterer_free(otaprio_clusterer *clusterer)
{
    if (clusterer == NULL)
        return;
    otaprio__mem mem = clusterer->mem;
    otaprio__tuple_set_release(&mem, &clusterer->set);
    otaprio__vec_release(&mem, &clusterer->counts);
    otaprio__mem_free(&mem, clusterer);
}

uint32_t otaprio_clusterer_count(const otaprio_clusterer *clusterer)
{
    return clusterer != NULL ? clusterer->set.count : 0;
}

/* Checks that every flag is 0 or 1, and counts the ones into `*ones`
 * when `ones` is not NULL. */
static int check_flags(otaprio_diag *diag, const char *field,
                       const uint8_t *flags, size_t count, size_t *ones)
{
    /* Branch-free, so it vectorises: any bit above bit 0 of the OR means
     * some flag is neither 0 nor 1, and only then is the place looked
     * for. */
    unsigned any = 0;
    size_t sum = 0;
    for (size_t i = 0; i < count; i++) {
        any |= flags[i];
        sum += flags[i];
    }
    if ((any & ~1u) == 0) {
        if (ones != NULL)
            *ones = sum;
        return OTAPRIO_OK;
    }
    size_t i = 0;
    while (flags[i] <= 1)
        i++;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)i,
                         "%s[%zu] is %u; a flag must be 0 or 1", field, i,
                         (unsigned)flags[i]);
}

/* Whether `extra` more clusters fit without allocating or passing the
 * limit, so that an add of that many included devices cannot fail. */
static bool has_room(const otaprio_clusterer *c, size_t extra)
{
    uint32_t count = c->set.count;
    if (count > c->limit || extra > (size_t)(c->limit - count))
        return false;
    size_t needed = (size_t)count + extra;
    return needed <= c->counts.capacity &&
           needed <= otaprio__tuple_set_room(&c->set);
}

int otaprio_clusterer_add(otaprio_clusterer *clusterer,
                          const uint32_t *const *columns, size_t count,
                          const uint8_t *include, const uint8_t *cohort,
                          uint32_t *cluster, otaprio_diag *diag)
{
    if (clusterer == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "clusterer", -1,
                             "clusterer is NULL");
    if (columns == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "columns", -1,
                             "columns is NULL; pass an array of "
                             "attribute_count column pointers");
    size_t included = count;
    if (include != NULL)
        OTAPRIO__TRY(check_flags(diag, "include", include, count, &included));
    if (cohort != NULL)
        OTAPRIO__TRY(check_flags(diag, "cohort", cohort, count, NULL));

    otaprio__cluster_chunk chunk;
    for (size_t a = 0; a < clusterer->set.width; a++) {
        chunk.column[a] = columns[a] != NULL ? columns[a] : &zero_value;
        chunk.mask[a] = columns[a] != NULL ? SIZE_MAX : 0;
    }
    chunk.count = count;
    chunk.include = include;
    chunk.cohort = cohort;

    /* With room for every device to bring a new cluster, nothing can fail
     * and ids go straight to the caller. Otherwise they go to a scratch
     * array first, so that a failure leaves `cluster` as it was. */
    uint32_t *ids = cluster;
    if (cluster != NULL && !has_room(clusterer, included)) {
        size_t bytes;
        if (otaprio__size_mul_overflows(count, sizeof *ids, &bytes))
            return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "count", -1,
                                 "%zu ids do not fit in memory", count);
        ids = otaprio__mem_alloc(&clusterer->mem, bytes);
        if (ids == NULL)
            return otaprio__fail(diag, OTAPRIO_E_NOMEM, "", -1,
                                 "no memory for the ids of %zu devices", count);
    }
    uint32_t before = clusterer->set.count;
    size_t failed_at = 0;
    int status =
        otaprio__cluster_pass(clusterer, &chunk, ids, &failed_at, diag);
    if (status != OTAPRIO_OK)
        otaprio__cluster_undo(clusterer, &chunk, failed_at, before);
    else if (ids != cluster)
        memcpy(cluster, ids, count * sizeof *ids);
    if (ids != cluster)
        otaprio__mem_free(&clusterer->mem, ids);
    return status;
}

int otaprio_clusterer_report(const otaprio_clusterer *clusterer, uint32_t first,
                             uint32_t number, uint64_t *members,
                             uint64_t *cohort_members, uint32_t *values,
                             otaprio_diag *diag)
{
    if (clusterer == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "clusterer", -1,
                             "clusterer is NULL");
    uint32_t total = clusterer->set.count;
    /* In 64 bits: first + number may pass UINT32_MAX. */
    if ((uint64_t)first + number > total)
        return otaprio__fail(
            diag, OTAPRIO_E_RANGE, first > total ? "first" : "number", -1,
            "first %lu and number %lu ask past the %lu clusters there are",
            (unsigned long)first, (unsigned long)number, (unsigned long)total);
    const otaprio__cluster_counts *counts = clusterer->counts.data;
    for (uint32_t k = 0; k < number; k++) {
        if (members != NULL)
            members[k] = counts[first + k].members;
        if (cohort_members != NULL)
            cohort_members[k] = counts[first + k].cohort_members;
    }
    if (values != NULL && number != 0)
        memcpy(values, otaprio__tuple_at(&clusterer->set, first),
               (size_t)number * clusterer->set.row_bytes);
    return OTAPRIO_OK;
}
