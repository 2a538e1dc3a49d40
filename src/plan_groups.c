/* SPDX-License-Identifier: MIT */
/*
 * Dependency chains and shared-fate clusters through the ASSIGN pass. The
 * clusterers give each device its chain and its cluster; per device the
 * planner then adds one count to a small table (a chain's devices by
 * blocked and by wave, a cluster's waves as bits) and branches on
 * nothing: a chain's or cluster's first device, and a chain's first
 * blocked one, are looked for only in the chunks where they occur. The
 * totals are read off the tables when the pass is over.
 *
 * Slot 0 of each table takes the devices of no chain or cluster (their
 * id, UINT32_MAX, plus one wraps to 0); chain or cluster k is slot k + 1.
 */
#include <string.h>

#include "plan_work.h"

#define U8(vec) ((uint8_t *)(vec).data)
#define U32(vec) ((uint32_t *)(vec).data)

/* A wave in the tables: waves are below 8, OTAPRIO_PLAN_NONE is 15. */
#define WAVE_SLOT(wave) ((wave)&15u)
/* A blocked device's part of its tally code. */
#define BLOCKED_CODE 16u

/* Room for `count` chains and their slots; new ones start empty. */
static int grow_chains(otaprio__plan_work *w, size_t count)
{
    otaprio__vec *chains = &w->plan->chains;
    size_t old = chains->length;
    OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, chains, count));
    OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, &w->chain_tally, count + 1));
    OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, &w->chain_unseen, count + 1));
    otaprio_plan_chain *all = chains->data;
    for (size_t k = old; k < count; k++) {
        memset(&all[k], 0, sizeof all[k]);
        all[k].size = sizeof all[k];
        all[k].first_wave = OTAPRIO_PLAN_NONE;
    }
    otaprio__plan_tally *tally = w->chain_tally.data;
    uint8_t *unseen = U8(w->chain_unseen);
    for (size_t k = w->chain_tally.length; k < count + 1; k++) {
        memset(&tally[k], 0, sizeof tally[k]);
        /* No path is looked for outside chains. */
        unseen[k] = k != 0 ? BLOCKED_CODE : 0;
    }
    chains->length = count;
    w->chain_tally.length = w->chain_unseen.length = count + 1;
    return OTAPRIO_OK;
}

/* The prerequisite path of one blocked device, standing for its chain. */
static int chain_path(const otaprio__plan_work *w,
                      const otaprio_device_state *state, size_t i,
                      otaprio_plan_chain *chain, otaprio_diag *diag)
{
    size_t length = 0;
    uint64_t bytes = 0;
    int status = otaprio_catalog_update_path(
        w->request.catalog, w->request.package, state, i, 0, chain->path,
        OTAPRIO_PLAN_MAX_PATH, &length, &bytes, NULL);
    switch (status) {
    case OTAPRIO_OK:
        chain->path_status = OTAPRIO_PLAN_PATH_FOUND;
        chain->path_length = (uint32_t)length;
        chain->path_bytes = bytes;
        return OTAPRIO_OK;
    case OTAPRIO_E_NOT_FOUND:
        chain->path_status = OTAPRIO_PLAN_PATH_UNREACHABLE;
        return OTAPRIO_OK;
    case OTAPRIO_E_LIMIT:
    case OTAPRIO_E_OVERFLOW:
        chain->path_status = OTAPRIO_PLAN_PATH_TOO_LONG;
        return OTAPRIO_OK;
    case OTAPRIO_E_RANGE:
        if (length > OTAPRIO_PLAN_MAX_PATH) {
            chain->path_status = OTAPRIO_PLAN_PATH_TOO_LONG;
            return OTAPRIO_OK;
        }
        break;
    default:
        break;
    }
    return otaprio__fail(diag, status, "catalog", (int64_t)i,
                         "finding the update path of device %zu failed: %s", i,
                         otaprio_strerror(status));
}

/* Each chain's first blocked device, in device order (the first failure
 * to find a path names the first such device): it stands for its chain's
 * devices in the example key and the path. */
static int first_blocked(otaprio__plan_work *w, const otaprio_plan_chunk *c,
                         const otaprio_device_state *state, const uint32_t *ids,
                         otaprio_diag *diag)
{
    otaprio_plan_chain *chains = w->plan->chains.data;
    uint8_t *unseen = U8(w->chain_unseen);
    const uint8_t *disposition = U8(w->columns.disposition);
    for (size_t i = 0; i < c->count; i++) {
        uint32_t slot = ids[i] + 1u;
        if (disposition[i] != OTAPRIO_DISPOSITION_BLOCKED || !unseen[slot])
            continue;
        unseen[slot] = 0;
        chains[ids[i]].example_key = c->keys[i];
        OTAPRIO__TRY(chain_path(w, state, i, &chains[ids[i]], diag));
    }
    return OTAPRIO_OK;
}

static void tally_codes(const uint8_t *restrict disposition,
                        const uint8_t *restrict wave, uint8_t *restrict code,
                        size_t n)
{
    for (size_t i = 0; i < n; i++)
        code[i] = (uint8_t)((disposition[i] == OTAPRIO_DISPOSITION_BLOCKED
                                 ? BLOCKED_CODE
                                 : 0u) |
                            WAVE_SLOT(wave[i]));
}

int otaprio__plan_chains_add(otaprio__plan_work *w, const otaprio_plan_chunk *c,
                             const otaprio_device_state *state,
                             otaprio_diag *diag)
{
    size_t n = c->count;
    size_t components = w->chain_components.length;
    const uint32_t **columns = w->chain_columns.data;
    for (size_t k = 0; k < components; k++) {
        uint32_t id = U32(w->chain_components)[k];
        columns[k] = id < state->component_count && state->versions != NULL
                         ? state->versions[id]
                         : NULL;
    }
    uint32_t *ids = U32(w->columns.chain_id);
    OTAPRIO__TRY(otaprio_clusterer_add(w->chain_clusterer, columns, n,
                                       U8(w->columns.affected), NULL, ids,
                                       diag));
    size_t old = w->plan->chains.length;
    size_t count = otaprio_clusterer_count(w->chain_clusterer);
    if (w->chain_tally.length < count + 1) { /* new chains, or slot 0 */
        OTAPRIO__TRY(grow_chains(w, count));
        /* Ids are dense and given in order of first appearance: the
         * first device of id `old` comes before that of `old` + 1, and
         * one scan finds the first device of every new chain. */
        otaprio_plan_chain *chains = w->plan->chains.data;
        for (size_t i = 0, next = old; i < n && next < count; i++)
            if (ids[i] == next)
                chains[next++].example_key = c->keys[i];
    }

    /* Each device's count, in a loop that vectorises, then one add per
     * device; the blocked devices of chains with no path yet show in the
     * code's bit that `unseen` keeps. Measured on the bench's fleet, the
     * add took 1.7 times as long testing a `seen` flag's negation (a
     * setcc into a byte of a register), and 1.3 times as long computing
     * the code in the same loop. */
    uint8_t *code = U8(w->columns.tally_code);
    tally_codes(U8(w->columns.disposition), U8(w->columns.plan_wave), code, n);
    otaprio__plan_tally *tally = w->chain_tally.data;
    const uint8_t *unseen = U8(w->chain_unseen);
    uint8_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t slot = ids[i] + 1u;
        uint8_t k = code[i];
        tally[slot].devices[k]++;
        fresh |= k & unseen[slot];
    }
    return fresh ? first_blocked(w, c, state, ids, diag) : OTAPRIO_OK;
}

int otaprio__plan_clusters_add(otaprio__plan_work *w,
                               const otaprio_plan_chunk *c, otaprio_diag *diag)
{
    size_t n = c->count;
    const uint32_t *columns[1] = {c->cluster};
    uint32_t *ids = U32(w->columns.cluster_id);
    OTAPRIO__TRY(otaprio_clusterer_add(w->cluster_clusterer, columns, n,
                                       U8(w->columns.planned), NULL, ids,
                                       diag));
    otaprio__vec *clusters = &w->clusters;
    size_t old = clusters->length;
    size_t count = otaprio_clusterer_count(w->cluster_clusterer);
    if (w->cluster_waves.length < count + 1) { /* new clusters, or slot 0 */
        OTAPRIO__TRY(otaprio__vec_reserve(&w->mem, clusters, count));
        OTAPRIO__TRY(
            otaprio__vec_reserve(&w->mem, &w->cluster_waves, count + 1));
        otaprio__plan_cluster *all = clusters->data;
        uint16_t *waves = w->cluster_waves.data;
        for (size_t k = old; k < count; k++)
            all[k] = (otaprio__plan_cluster){0, OTAPRIO_PLAN_NONE, 0};
        for (size_t k = w->cluster_waves.length; k < count + 1; k++)
            waves[k] = 0;
        clusters->length = count;
        w->cluster_waves.length = count + 1;
        /* As for chains: one scan finds the new clusters' first devices. */
        for (size_t i = 0, next = old; i < n && next < count; i++)
            if (ids[i] == next)
                all[next++].id = c->cluster[i];
    }

    uint16_t *waves = w->cluster_waves.data;
    const uint8_t *wave = U8(w->columns.plan_wave);
    for (size_t i = 0; i < n; i++) {
        /* A cluster's waves are soon all known: testing first spares the
         * store, whose reload by the next device of the cluster would
         * wait for it, for a branch that is rarely taken. */
        uint16_t bit = (uint16_t)(1u << WAVE_SLOT(wave[i]));
        if ((waves[ids[i] + 1u] & bit) == 0)
            waves[ids[i] + 1u] |= bit;
    }
    return OTAPRIO_OK;
}

/* The lowest wave below OTAPRIO_PLAN_NONE's slot among `bits`. */
static uint32_t first_wave(uint32_t bits)
{
    for (uint32_t k = 0; k < WAVE_SLOT(OTAPRIO_PLAN_NONE); k++)
        if (bits & (UINT32_C(1) << k))
            return k;
    return OTAPRIO_PLAN_NONE;
}

int otaprio__plan_groups_finish(otaprio__plan_work *w, otaprio_diag *diag)
{
    otaprio_plan_chain *chains = w->plan->chains.data;
    const otaprio__plan_tally *tally = w->chain_tally.data;
    for (size_t k = 0; k < w->plan->chains.length; k++) {
        const otaprio__plan_tally *t = &tally[k + 1];
        uint32_t waves = 0;
        for (uint32_t s = 0; s < 16; s++) {
            uint64_t blocked = t->devices[BLOCKED_CODE + s];
            uint64_t devices = t->devices[s] + blocked;
            chains[k].devices += devices;
            chains[k].blocked += blocked;
            if (s != WAVE_SLOT(OTAPRIO_PLAN_NONE))
                chains[k].planned += devices;
            waves |= (uint32_t)(devices > 0) << s;
        }
        chains[k].first_wave = first_wave(waves);
    }
    otaprio__plan_cluster *clusters = w->clusters.data;
    const uint16_t *waves = w->cluster_waves.data;
    for (size_t k = 0; k < w->clusters.length; k++) {
        /* The clusterer counted the devices it was given: the planned. */
        OTAPRIO__TRY(otaprio_clusterer_report(w->cluster_clusterer, (uint32_t)k,
                                              1, &clusters[k].devices, NULL,
                                              NULL, diag));
        clusters[k].first_wave = first_wave(waves[k + 1]);
    }
    return OTAPRIO_OK;
}
