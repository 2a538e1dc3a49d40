/* SPDX-License-Identifier: MIT */
/*
 * Scores one chunk of a fleet CSV: one otaprio_risk_score_devices() call
 * for the whole chunk, the totals, an explanation for each device asked
 * about, then each device written out (or offered to the top-N heap).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

/* Reports a failed library call on a chunk, naming the CSV row (and so
 * the device) at fault instead of the index within the chunk. */
static int device_error(const score_fleet *run, const fleet_chunk *chunk,
                        const char *call, int status, const otaprio_diag *diag)
{
    return cli_chunk_error(run->who, run->input, call, status, diag,
                           chunk->rows, chunk->count);
}

/* True when `id` is one of the identifiers to explain; marks it found. */
static bool wanted(score_fleet *run, const char *id, size_t length)
{
    bool any = false;
    for (size_t k = 0; k < run->explain_count; k++) {
        const char *target = run->explain[k];
        if (strlen(target) == length && memcmp(target, id, length) == 0) {
            run->explain_found[k] = true;
            any = true;
        }
    }
    return any;
}

static int explain(const score_fleet *run, const fleet_chunk *chunk, size_t i,
                   score_explained **out)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    otaprio_device_score score;
    memset(&score, 0, sizeof score);
    score.size = sizeof score;
    size_t count = 0;
    int status =
        otaprio_risk_explain_device(run->model, &run->issue, &chunk->devices, i,
                                    &score, NULL, 0, &count, &diag);
    if (status != OTAPRIO_OK)
        return device_error(run, chunk, "otaprio_risk_explain_device", status,
                            &diag);
    score_explained *e =
        malloc(sizeof *e + (count != 0 ? count : 1) * sizeof e->lines[0]);
    if (e == NULL) {
        cli_error(run->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    e->score = score;
    status = otaprio_risk_explain_device(run->model, &run->issue,
                                         &chunk->devices, i, &e->score,
                                         e->lines, count, &e->count, &diag);
    if (status != OTAPRIO_OK) {
        free(e);
        return device_error(run, chunk, "otaprio_risk_explain_device", status,
                            &diag);
    }
    *out = e;
    return 0;
}

static void count_device(score_totals *totals, uint8_t disposition,
                         uint32_t reasons)
{
    totals->devices++;
    if (disposition < 4)
        totals->by_disposition[disposition]++;
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++)
        totals->by_reason[bit] += (reasons >> bit) & 1u;
}

int score_fleet_chunk(void *user, fleet_chunk *chunk)
{
    score_fleet *run = user;
    otaprio_device_results results;
    otaprio_device_results_init(&results);
    results.priority = run->priority;
    results.disposition = run->disposition;
    results.reasons = run->reasons;
    results.criticality = run->criticality;
    results.delivery_risk = run->delivery_risk;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_risk_score_devices(run->model, &run->issue,
                                            &chunk->devices, &results, &diag);
    if (status != OTAPRIO_OK)
        return device_error(run, chunk, "otaprio_risk_score_devices", status,
                            &diag);

    for (size_t i = 0; i < chunk->count; i++) {
        count_device(&run->totals, run->disposition[i], run->reasons[i]);
        char buffer[FLEET_ROW_ID_SIZE];
        score_device device;
        device.id = fleet_chunk_id(chunk, i, buffer, &device.id_length);
        device.row = chunk->rows[i];
        device.priority = run->priority[i];
        device.criticality = run->criticality[i];
        device.delivery_risk = run->delivery_risk[i];
        device.disposition = run->disposition[i];
        device.reasons = run->reasons[i];
        device.explained = NULL;
        if (run->explain_count != 0 &&
            wanted(run, device.id, device.id_length)) {
            status = explain(run, chunk, i, &device.explained);
            if (status != 0)
                return status;
        }
        if (run->top != NULL) {
            /* The heap takes the explanation over. */
            if (top_heap_offer(run->top, &device) != 0) {
                cli_error(run->who, "out of memory");
                return CLI_EXIT_FAILURE;
            }
            continue;
        }
        status = score_output_device(run->output, &device);
        free(device.explained);
        if (status != 0)
            return status;
    }
    /* Stop early when nobody can read the result, rather than churn
     * through the rest of a large file. */
    if (ferror(stdout))
        return cli_write_error(run->who);
    return 0;
}
