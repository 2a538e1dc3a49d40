/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the shared-fate clusterer: random attribute counts, columns (some
 * NULL), include and cohort flags (some neither 0 nor 1), cluster limits,
 * chunk splits and a failing allocation, against a slow reference kept
 * beside it (first appearance by linear search). Every add must either
 * agree with the reference or fail as the reference says it must, leaving
 * the state and the caller's ids exactly as they were. Any crash,
 * sanitizer report or broken invariant (abort) is a finding.
 *
 * Input: a 6-byte header, then one record per device.
 *   [0] attribute count: 1 + (b & 7), or 1 + (b & 63) when b & 0x80
 *   [1] bit 0 include column, bit 1 cohort column, bit 2 ids wanted,
 *       bit 3 a cluster limit of [2] % 40
 *   [2] the limit
 *   [3] absent columns: bit a makes column a NULL (a < 8)
 *   [4] seed of the chunk sizes
 *   [5] allocation attempt to fail, 0 for none
 * A record is one byte per attribute (a value: 0-247 as is, 248-255 one of
 * eight extremes or known hash collisions), then an include byte and a
 * cohort byte when those columns are on.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEVICES 512
#define MAX_WIDTH OTAPRIO_CLUSTER_MAX_ATTRIBUTES

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* ---- an allocator that fails one attempt ------------------------------ */

typedef struct failing {
    long attempts, fail_at, live;
    bool failed; /* the planned failure has happened */
} failing;

static bool fail_now(failing *f)
{
    if (++f->attempts != f->fail_at)
        return false;
    f->failed = true;
    return true;
}

static void *f_alloc(void *user, size_t bytes)
{
    failing *f = user;
    if (fail_now(f))
        return NULL;
    void *block = malloc(bytes);
    f->live += block != NULL;
    return block;
}

static void *f_realloc(void *user, void *block, size_t bytes)
{
    return fail_now(user) ? NULL : realloc(block, bytes);
}

static void f_free(void *user, void *block)
{
    ((failing *)user)->live--;
    free(block);
}

/* ---- the slow reference ----------------------------------------------- */

typedef struct reference {
    size_t width;
    uint32_t count;
    uint32_t values[MAX_DEVICES * MAX_WIDTH];
    uint64_t members[MAX_DEVICES], cohort[MAX_DEVICES];
} reference;

static uint32_t find(const reference *r, const uint32_t *row)
{
    for (uint32_t id = 0; id < r->count; id++)
        if (memcmp(r->values + (size_t)id * r->width, row,
                   r->width * sizeof *row) == 0)
            return id;
    return UINT32_MAX;
}

/* ---- one input --------------------------------------------------------- */

typedef struct input {
    size_t width, n;
    bool has_include, has_cohort, want_ids;
    uint32_t values[MAX_WIDTH][MAX_DEVICES];
    bool absent[MAX_WIDTH];
    uint8_t include[MAX_DEVICES], cohort[MAX_DEVICES];
} input;

static uint32_t value_of(uint8_t b)
{
    /* 0xd303 and 0x523ae: one-attribute tuples (and two-attribute ones
     * with a zero second value) whose hashes share the tag and low byte
     * (see test_cluster.c), so only full comparison keeps them apart. */
    static const uint32_t extremes[8] = {0xFFFFFFFFu, 0xFFFFFFFEu, 0x80000000u,
                                         0x7FFFFFFFu, 0x0000D303u, 0x000523AEu,
                                         0x01000000u, 0x00FFFFFFu};
    return b < 248 ? b : extremes[b - 248];
}

/* Compares the clusterer's whole state with the reference's. */
static void check_state(const otaprio_clusterer *c, const reference *r)
{
    static uint64_t members[MAX_DEVICES], cohort[MAX_DEVICES];
    static uint32_t values[MAX_DEVICES * MAX_WIDTH];
    check(otaprio_clusterer_count(c) == r->count);
    check(otaprio_clusterer_report(c, 0, r->count, members, cohort, values,
                                   NULL) == OTAPRIO_OK);
    check(memcmp(members, r->members, r->count * sizeof *members) == 0);
    check(memcmp(cohort, r->cohort, r->count * sizeof *cohort) == 0);
    check(memcmp(values, r->values, (size_t)r->count * r->width * 4) == 0);
}

/* Adds devices [first, first + count) and checks the outcome. */
static void add_chunk(otaprio_clusterer *c, reference *r, const input *in,
                      size_t first, size_t count, uint32_t limit,
                      const failing *f)
{
    static uint32_t ids[MAX_DEVICES];
    static uint32_t expected[MAX_DEVICES];
    const uint32_t *columns[MAX_WIDTH];
    for (size_t a = 0; a < in->width; a++)
        columns[a] = in->absent[a] ? NULL : in->values[a] + first;
    const uint8_t *include = in->has_include ? in->include + first : NULL;
    const uint8_t *cohort = in->has_cohort ? in->cohort + first : NULL;

    /* What the reference says: a bad flag, else the first device past the
     * limit, else the ids. */
    const char *bad_field = NULL;
    size_t bad_index = 0;
    for (size_t i = 0; i < count && bad_field == NULL; i++) {
        if (include != NULL && include[i] > 1) {
            bad_field = "include";
            bad_index = i;
        }
    }
    for (size_t i = 0; i < count && bad_field == NULL; i++) {
        if (cohort != NULL && cohort[i] > 1) {
            bad_field = "cohort";
            bad_index = i;
        }
    }
    reference *after = malloc(sizeof *after);
    check(after != NULL);
    memcpy(after, r, sizeof *after);
    size_t past_limit = SIZE_MAX;
    if (bad_field == NULL) {
        for (size_t i = 0; i < count; i++) {
            if (include != NULL && include[i] == 0) {
                expected[i] = UINT32_MAX;
                continue;
            }
            uint32_t row[MAX_WIDTH];
            for (size_t a = 0; a < in->width; a++)
                row[a] = columns[a] != NULL ? columns[a][i] : 0;
            uint32_t id = find(after, row);
            if (id == UINT32_MAX) {
                if (after->count >= limit) {
                    past_limit = i;
                    break;
                }
                id = after->count++;
                memcpy(after->values + (size_t)id * in->width, row,
                       in->width * 4);
                after->members[id] = after->cohort[id] = 0;
            }
            after->members[id]++;
            after->cohort[id] += cohort != NULL ? cohort[i] : 0;
            expected[i] = id;
        }
    }

    memset(ids, 0x5A, sizeof ids);
    bool was_failed = f->failed;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_clusterer_add(c, columns, count, include, cohort,
                                       in->want_ids ? ids : NULL, &diag);
    if (status == OTAPRIO_OK) {
        check(bad_field == NULL && past_limit == SIZE_MAX);
        memcpy(r, after, sizeof *r);
        if (in->want_ids)
            check(memcmp(ids, expected, count * sizeof *ids) == 0);
    } else {
        check(diag.status == status);
        if (bad_field != NULL) {
            check(status == OTAPRIO_E_RANGE);
            check(strcmp(diag.field, bad_field) == 0);
            check(diag.index == (int64_t)bad_index);
        } else if (status == OTAPRIO_E_OVERFLOW) {
            check(past_limit != SIZE_MAX && diag.index == (int64_t)past_limit);
        } else {
            /* The one failing allocation, in this very call. */
            check(status == OTAPRIO_E_NOMEM && f->failed && !was_failed);
        }
        /* Nothing changed. */
        for (size_t i = 0; i < MAX_DEVICES; i++)
            check(ids[i] == 0x5A5A5A5Au);
    }
    free(after);
    check_state(c, r);
}

static size_t parse(input *in, const uint8_t *data, size_t size)
{
    in->width =
        data[0] & 0x80 ? 1 + (size_t)(data[0] & 63) : 1 + (size_t)(data[0] & 7);
    in->has_include = data[1] & 1;
    in->has_cohort = data[1] & 2;
    in->want_ids = data[1] & 4;
    for (size_t a = 0; a < in->width; a++)
        in->absent[a] = a < 8 && ((data[3] >> a) & 1);
    size_t record = in->width + in->has_include + in->has_cohort;
    size_t n = (size - 6) / record;
    if (n > MAX_DEVICES)
        n = MAX_DEVICES;
    const uint8_t *p = data + 6;
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < in->width; a++)
            in->values[a][i] = value_of(*p++);
        if (in->has_include)
            in->include[i] = *p++;
        if (in->has_cohort)
            in->cohort[i] = *p++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6)
        return 0;
    static input in;
    static reference r;
    in.n = parse(&in, data, size);
    uint32_t limit = data[1] & 8 ? data[2] % 40 : UINT32_MAX - 1;

    failing f = {0, data[5], 0, false};
    otaprio_allocator allocator;
    otaprio_allocator_init(&allocator);
    allocator.alloc_fn = f_alloc;
    allocator.realloc_fn = f_realloc;
    allocator.free_fn = f_free;
    allocator.user = &f;
    otaprio_clusterer *c = NULL;
    int status = otaprio_clusterer_create(in.width, &allocator, &c, NULL);
    if (status != OTAPRIO_OK) {
        check(status == OTAPRIO_E_NOMEM && c == NULL && f.live == 0);
        return 0;
    }
    if (limit != UINT32_MAX - 1)
        otaprio__clusterer_set_limit(c, limit);
    memset(&r, 0, sizeof r);
    r.width = in.width;

    /* Chunk sizes from a xorshift of the seed byte: empty chunks, single
     * devices and large runs all occur. */
    uint32_t x = 0x9E3779B9u ^ data[4];
    for (size_t first = 0; first <= in.n;) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        size_t left = in.n - first;
        size_t count = x % 4 == 0 ? left : (x >> 8) % (left + 1);
        add_chunk(c, &r, &in, first, count, limit, &f);
        if (first == in.n)
            break;
        first += count;
    }

    /* Reports of random ranges are slices of the whole; past the end they
     * fail and write nothing. */
    static uint64_t members[MAX_DEVICES + 1];
    for (uint32_t first = 0; first <= r.count; first += 1 + first / 2) {
        uint32_t number = r.count - first;
        check(otaprio_clusterer_report(c, first, number, members, NULL, NULL,
                                       NULL) == OTAPRIO_OK);
        check(memcmp(members, r.members + first, number * 8) == 0);
        members[0] = 77;
        check(otaprio_clusterer_report(c, first, number + 1, members, NULL,
                                       NULL, NULL) == OTAPRIO_E_RANGE);
        check(members[0] == 77);
        /* first + number past UINT32_MAX must not wrap into range. */
        if (first > 0) {
            uint32_t wraps = UINT32_MAX - first + 1 + data[2] % first;
            check(otaprio_clusterer_report(c, first, wraps, members, NULL, NULL,
                                           NULL) == OTAPRIO_E_RANGE);
        }
        check(members[0] == 77);
    }
    otaprio_clusterer_free(c);
    check(f.live == 0);
    return 0;
}
