/* SPDX-License-Identifier: MIT */
/*
 * The planner's passes over the fleet. Each pass reads the whole fleet
 * through the host's source, chunk by chunk, and sees every device through
 * the same view: the flaw's impact and the catalog's blocks feed the risk
 * engine's columns, the risk engine's disposition and criticality decide
 * what the cohort engine may take. The planner's own memory is bounded by
 * the largest chunk plus the chains and clusters; the cohort engine keeps
 * what its canary waves may select.
 */
#include <string.h>

#include "plan_columns.h"
#include "plan_work.h"
#include "risk_internal.h"

static const otaprio__layout chunk_layout = {
    "otaprio_plan_chunk", sizeof(otaprio_plan_chunk),
    sizeof(otaprio_plan_chunk), /* first published layout */
};

/* The engines' chunk structs, read by their published layouts so that a
 * host built against other headers is held to the same rules. */
static const otaprio__layout devices_layout = {
    "otaprio_devices", sizeof(otaprio_devices), sizeof(otaprio_devices)};
static const otaprio__layout state_layout = {"otaprio_device_state",
                                             sizeof(otaprio_device_state),
                                             sizeof(otaprio_device_state)};

int(otaprio_plan_chunk_init)(otaprio_plan_chunk *chunk, size_t size)
{
    return otaprio__struct_init(chunk, size, NULL, &chunk_layout);
}

#define U8(vec) ((uint8_t *)(vec).data)
#define U32(vec) ((uint32_t *)(vec).data)
#define F64(vec) ((double *)(vec).data)

static otaprio__vec *column_list(otaprio__plan_columns *c, size_t i)
{
    otaprio__vec *all[] = {
        &c->affected,        &c->prerequisite, &c->excluded,
        &c->marks,           &c->blocks,       &c->disposition,
        &c->reasons,         &c->priority,     &c->criticality,
        &c->cohort_excluded, &c->cohort_first, &c->cohort_critical,
        &c->cohort_wave,     &c->plan_wave,    &c->chain_id,
        &c->cluster_id,      &c->planned,      &c->tally_code,
    };
    return i < sizeof all / sizeof all[0] ? all[i] : NULL;
}

static size_t element_size(size_t i)
{
    /* In column_list()'s order. */
    static const size_t sizes[] = {1, 1, 1, 1, 4, 1, 4, 8, 8,
                                   1, 1, 1, 1, 1, 4, 4, 1, 1};
    return sizes[i];
}

void otaprio__plan_columns_init(otaprio__plan_columns *c)
{
    memset(c, 0, sizeof *c);
    otaprio__vec *v;
    for (size_t i = 0; (v = column_list(c, i)) != NULL; i++)
        v->elem_size = element_size(i);
}

void otaprio__plan_columns_free(const otaprio__mem *mem,
                                otaprio__plan_columns *c)
{
    otaprio__vec *v;
    for (size_t i = 0; (v = column_list(c, i)) != NULL; i++)
        otaprio__vec_release(mem, v);
}

static int columns_reserve(otaprio__plan_work *w, size_t count)
{
    otaprio__vec *v;
    for (size_t i = 0; (v = column_list(&w->columns, i)) != NULL; i++)
        OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, v, count));
    return OTAPRIO_OK;
}

/* One chunk as the engines see it. */
typedef struct chunk_view {
    const otaprio_plan_chunk *chunk;
    otaprio_devices devices;
    otaprio_device_state state;
    otaprio_cohort_chunk cohort;
    uint64_t key_sum; /* the chunk's keys, summed by the pass's handler */
} chunk_view;

/* The fleet's check sum over a chunk. A pass whose cohort engine reads
 * the keys sums them just before it: the engine then finds them in
 * cache, where summing them first thing left them to be read from
 * memory twice (on the bench's fleet, plans alternating in one process:
 * 6 ms of summing against 10 ms for 4,000,000 devices, the cohort
 * engine's calls no slower in the median of five runs). */
static void sum_keys(chunk_view *v)
{
    const uint64_t *keys = v->chunk->keys;
    uint64_t sum = 0;
    for (size_t i = 0; i < v->chunk->count; i++)
        sum += keys[i];
    v->key_sum = sum;
}

static int read_engine_structs(const otaprio__plan_work *w,
                               const otaprio_plan_chunk *c, chunk_view *v,
                               otaprio_diag *diag)
{
    size_t n = c->count;
    (otaprio_devices_init)(&v->devices, sizeof v->devices);
    if (c->devices != NULL) {
        OTAPRIO__TRY(otaprio__struct_read(&v->devices, c->devices,
                                          &devices_layout, diag));
        if (v->devices.count != n)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "devices.count", -1,
                                 "the chunk has %zu devices but its "
                                 "otaprio_devices says %zu",
                                 n, v->devices.count);
    }
    v->devices.count = n;
    (otaprio_device_state_init)(&v->state, sizeof v->state);
    if (w->request.catalog != NULL) {
        if (c->state == NULL)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "state", -1,
                                 "the request has a catalog but the chunk "
                                 "has no otaprio_device_state");
        OTAPRIO__TRY(
            otaprio__struct_read(&v->state, c->state, &state_layout, diag));
        if (v->state.count != n)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "state.count", -1,
                                 "the chunk has %zu devices but its "
                                 "otaprio_device_state says %zu",
                                 n, v->state.count);
    }
    if (c->ring == NULL)
        return OTAPRIO_OK;
    /* The largest ring first, a loop with no exit that vectorises; the
     * offending device is looked for only when there is one. */
    uint8_t largest = 0;
    for (size_t i = 0; i < n; i++)
        largest = c->ring[i] > largest ? c->ring[i] : largest;
    for (size_t i = 0; largest > 2 && i < n; i++)
        if (c->ring[i] > 2)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "ring", (int64_t)i,
                                 "ring[%zu] is %u; it must be 0 "
                                 "(internal), 1 (employee) or 2 "
                                 "(customer)",
                                 i, (unsigned)c->ring[i]);
    return OTAPRIO_OK;
}

/* The flaw's marks, and the affected column they imply. */
static int trace_impact(otaprio__plan_work *w, chunk_view *v,
                        otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    uint8_t *marks = U8(w->columns.marks);
    uint8_t *affected = U8(w->columns.affected);
    size_t n = v->chunk->count;
    OTAPRIO__TRY(otaprio_catalog_impact_devices(
        r->catalog, r->flaw_component, r->flaw_constraint,
        r->flaw_constraint_length, &v->state, marks, NULL, diag));
    otaprio__plan_affected(marks, affected, n);
    return OTAPRIO_OK;
}

/* The risk engine's inputs from the graph, then its answers, then the
 * catalog's passing conditions folded into the disposition. */
static int score_devices(otaprio__plan_work *w, chunk_view *v,
                         otaprio_diag *diag)
{
    const otaprio_plan_request *r = &w->request;
    otaprio__plan_columns *c = &w->columns;
    size_t n = v->chunk->count;
    uint8_t *affected = U8(c->affected);
    uint32_t *blocks = U32(c->blocks);

    if (r->trace_flaw) {
        OTAPRIO__TRY(trace_impact(w, v, diag));
        v->devices.affected = affected;
    }
    if (r->catalog != NULL) {
        uint8_t *prerequisite = U8(c->prerequisite);
        uint8_t *excluded = U8(c->excluded);
        const uint8_t *host = v->devices.excluded;
        /* A device the flaw does not reach is excluded as not affected;
         * the package's own refusals exclude only the affected ones, so
         * each device carries the reason that matters. */
        const uint8_t *reached = v->devices.affected;
        OTAPRIO__TRY(otaprio_catalog_check_devices(
            r->catalog, r->package, &v->state, blocks, NULL, NULL, diag));
        otaprio__plan_catalog_inputs(blocks, reached, host, prerequisite,
                                     excluded, n);
        v->devices.prerequisite_missing = prerequisite;
        v->devices.excluded = excluded;
    }

    otaprio_device_results out;
    (otaprio_device_results_init)(&out, sizeof out);
    out.priority = F64(c->priority);
    out.disposition = U8(c->disposition);
    out.reasons = U32(c->reasons);
    out.criticality = F64(c->criticality);
    OTAPRIO__TRY(otaprio_risk_score_devices(w->model, &w->score, &v->devices,
                                            &out, diag));

    if (!r->trace_flaw) {
        /* The host's own column, now validated by the risk engine. */
        const uint8_t *host = v->devices.affected;
        if (host != NULL)
            memcpy(affected, host, n);
        else
            memset(affected, 1, n);
    }
    /* The package's own battery, storage and link rules pass with time,
     * like the risk engine's: they defer. */
    if (r->catalog != NULL)
        otaprio__plan_fold_blocks(blocks, out.reasons, out.disposition, n);
    return OTAPRIO_OK;
}

/* The ring column, or NULL when ring stages take no device. A ring stage
 * takes an eligible internal or employee device (ring below 2). */
static const uint8_t *ring_column(const otaprio__plan_work *w,
                                  const otaprio_plan_chunk *c)
{
    return w->shape.accelerated ? NULL : c->ring;
}

/* What the cohort engine may take: eligible devices from the first
 * customer wave (critical ones from the last), deferred ones in the last
 * wave only, nothing else. */
static void cohort_columns(otaprio__plan_work *w, chunk_view *v)
{
    const otaprio_plan_chunk *c = v->chunk;
    otaprio__plan_columns *col = &w->columns;
    const uint8_t *disposition = U8(col->disposition);
    const double *criticality = F64(col->criticality);
    uint8_t *excluded = U8(col->cohort_excluded);
    uint8_t *first = U8(col->cohort_first);
    uint8_t *critical = U8(col->cohort_critical);
    otaprio__plan_cohort_inputs(
        disposition, ring_column(w, c), criticality, w->request.critical_level,
        (uint8_t)(w->shape.waves - 1), excluded, first, critical, c->count);
    (otaprio_cohort_chunk_init)(&v->cohort, sizeof v->cohort);
    v->cohort.count = c->count;
    v->cohort.keys = c->keys;
    v->cohort.codes = c->codes;
    v->cohort.cluster = c->cluster;
    v->cohort.critical = critical;
    v->cohort.excluded = excluded;
    v->cohort.first_wave = first;
}

/* ---- IMPACT: the blast radius ------------------------------------------ */

static int impact_chunk(otaprio__plan_work *w, chunk_view *v,
                        otaprio_diag *diag)
{
    size_t n = v->chunk->count;
    sum_keys(v);
    OTAPRIO__TRY(trace_impact(w, v, diag));
    const uint8_t *affected = U8(w->columns.affected);
    uint32_t seen;
    w->affected +=
        otaprio__plan_reach(affected, v->devices.device_class, n, &seen);
    w->affected_classes |= seen;
    if (v->state.region != NULL) {
        const uint32_t *columns[1] = {v->state.region};
        OTAPRIO__TRY(otaprio_clusterer_add(w->regions, columns, n, affected,
                                           NULL, NULL, diag));
    }
    return OTAPRIO_OK;
}

/* ---- CENSUS: who the first customer wave may take ---------------------- */

static int excluded_cluster(const otaprio__plan_work *w, uint32_t cluster)
{
    const uint32_t *list = U32(w->excluded_clusters);
    size_t low = 0, high = w->excluded_clusters.length;
    while (low < high) { /* the list is sorted */
        size_t mid = low + (high - low) / 2;
        if (list[mid] < cluster)
            low = mid + 1;
        else
            high = mid;
    }
    return low < w->excluded_clusters.length && list[low] == cluster;
}

static int census_chunk(otaprio__plan_work *w, chunk_view *v,
                        otaprio_diag *diag)
{
    sum_keys(v);
    OTAPRIO__TRY(score_devices(w, v, diag));
    cohort_columns(w, v);
    const otaprio_cohort_chunk *cc = &v->cohort;
    for (size_t i = 0; i < cc->count; i++)
        w->first_wave_eligible +=
            !cc->excluded[i] && cc->first_wave[i] == 0 && !cc->critical[i] &&
            !(cc->cluster != NULL && excluded_cluster(w, cc->cluster[i]));
    return OTAPRIO_OK;
}

/* ---- SAMPLE: the cohort engine chooses the canaries --------------------- */

static int sample_chunk(otaprio__plan_work *w, chunk_view *v,
                        otaprio_diag *diag)
{
    OTAPRIO__TRY(score_devices(w, v, diag));
    cohort_columns(w, v);
    const otaprio_plan_chunk *c = v->chunk;
    const uint8_t *ring = ring_column(w, c);
    if (ring != NULL)
        otaprio__plan_count_rings(U8(w->columns.disposition), ring, c->count,
                                  w->ring_devices);
    sum_keys(v);
    return otaprio_cohort_sampler_observe(w->sampler, &v->cohort, diag);
}

/* ---- ASSIGN: waves, chains, clusters, outputs --------------------------- */

static void plan_waves(otaprio__plan_work *w, chunk_view *v)
{
    const otaprio_plan_chunk *c = v->chunk;
    otaprio__plan_columns *col = &w->columns;
    uint8_t *wave = U8(col->plan_wave);
    otaprio__plan_waves(U8(col->disposition), ring_column(w, c),
                        U8(col->cohort_wave), w->ring_wave, w->cohort_offset,
                        wave, U8(col->planned), c->count);
    for (uint32_t k = 0; k < w->plan->wave_count; k++)
        w->wave_devices[k] +=
            otaprio__plan_count_equal(wave, (uint8_t)k, c->count);
}

static void count_devices(otaprio__plan_work *w, chunk_view *v)
{
    const otaprio__plan_columns *col = &w->columns;
    size_t n = v->chunk->count;
    /* Dispositions and reason bits as the risk engine counts a stream's
     * totals, with the model's fastest build; its reasons, the only ones
     * here, are the first OTAPRIO_REASON_COUNT bits of the 16 counted. */
    otaprio_risk_totals totals;
    memset(&totals, 0, sizeof totals);
    otaprio__risk_count(w->model, U8(col->disposition), U32(col->reasons), n,
                        &totals);
    for (size_t k = 0; k < 4; k++)
        w->by_disposition[k] += totals.by_disposition[k];
    for (size_t k = 0; k < 16; k++)
        w->by_reason[k] += totals.by_reason[k];
    w->marked += otaprio__plan_count_flags(U8(col->affected), n);
    w->critical += otaprio__plan_count_flags(U8(col->cohort_critical), n);
    w->planned += otaprio__plan_count_flags(U8(col->planned), n);
}

static void write_outputs(const otaprio__plan_work *w, const chunk_view *v)
{
    const otaprio_plan_chunk *c = v->chunk;
    size_t n = c->count;
    if (c->wave != NULL)
        memcpy(c->wave, w->columns.plan_wave.data, n);
    if (c->disposition != NULL)
        memcpy(c->disposition, w->columns.disposition.data, n);
    if (c->reasons != NULL)
        memcpy(c->reasons, w->columns.reasons.data, n * sizeof(uint32_t));
    if (c->priority != NULL)
        memcpy(c->priority, w->columns.priority.data, n * sizeof(double));
}

static int assign_chunk(otaprio__plan_work *w, chunk_view *v,
                        otaprio_diag *diag)
{
    OTAPRIO__TRY(score_devices(w, v, diag));
    cohort_columns(w, v);
    sum_keys(v);
    OTAPRIO__TRY(otaprio_cohort_assign(w->plan->cohort, &v->cohort,
                                       U8(w->columns.cohort_wave), diag));
    plan_waves(w, v);
    if (w->chain_clusterer != NULL)
        OTAPRIO__TRY(otaprio__plan_chains_add(w, v->chunk, &v->state, diag));
    if (v->chunk->cluster != NULL)
        OTAPRIO__TRY(otaprio__plan_clusters_add(w, v->chunk, diag));
    /* Counted last: a chunk that fails above leaves no trace here. */
    count_devices(w, v);
    write_outputs(w, v);
    return OTAPRIO_OK;
}

/* ---- the pass ------------------------------------------------------------ */

typedef int (*chunk_fn)(otaprio__plan_work *w, chunk_view *v,
                        otaprio_diag *diag);

static int read_chunk(const otaprio_plan_chunk *given, otaprio_plan_chunk *c,
                      otaprio_diag *diag)
{
    /* The planner owns `given`: a size the source set past its end would
     * have the tail check read beyond it. */
    if (given->size > sizeof *given)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "size", -1,
                             "the source set otaprio_plan_chunk.size to %zu; "
                             "the planner's chunk has %zu bytes",
                             given->size, sizeof *given);
    (otaprio_plan_chunk_init)(c, sizeof *c);
    OTAPRIO__TRY(otaprio__struct_read(c, given, &chunk_layout, diag));
    if (c->count > 0 && c->keys == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "keys", -1,
                             "a chunk of %zu devices has no keys", c->count);
    return OTAPRIO_OK;
}

int otaprio__plan_pass(otaprio__plan_work *w, int32_t pass, otaprio_diag *diag)
{
    static const chunk_fn handlers[] = {impact_chunk, census_chunk,
                                        sample_chunk, assign_chunk};
    uint64_t first = 0, key_sum = 0;
    for (;;) {
        otaprio_plan_chunk given, chunk;
        (otaprio_plan_chunk_init)(&given, sizeof given);
        int status = w->request.source(w->request.user, pass, first, &given);
        if (status != 0)
            return status;
        OTAPRIO__TRY(read_chunk(&given, &chunk, diag));
        if (chunk.count == 0)
            break;
        OTAPRIO__TRY(columns_reserve(w, chunk.count));
        chunk_view view;
        view.chunk = &chunk;
        OTAPRIO__TRY(read_engine_structs(w, &chunk, &view, diag));
        OTAPRIO__TRY(handlers[pass](w, &view, diag));
        key_sum += view.key_sum;
        first += chunk.count;
    }
    if (!w->fleet_known) {
        w->fleet_known = 1;
        w->devices = first;
        w->key_sum = key_sum;
    } else if (first != w->devices || key_sum != w->key_sum) {
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "source", -1,
                             "the %s pass saw %llu devices where the first "
                             "pass saw %llu%s; every pass must give the same "
                             "fleet",
                             otaprio_plan_pass_name(pass),
                             (unsigned long long)first,
                             (unsigned long long)w->devices,
                             first == w->devices ? " with other keys" : "");
    }
    return OTAPRIO_OK;
}
