/* SPDX-License-Identifier: MIT */
/*
 * The parts of `otaprio score`: the fleet CSV reader (fleet_csv.c), the
 * per-chunk scoring (score_fleet.c), the bounded best-N heap (top_heap.c)
 * and the text and JSON writers (score_output.c). cmd_score.c ties them.
 */
#ifndef OTAPRIO_SCORE_H
#define OTAPRIO_SCORE_H

#include "cli.h"

/* ---- fleet CSV (fleet_csv.c) ----------------------------------------- */

/* One chunk of devices read from a fleet CSV, in the columns
 * otaprio_risk_score_devices() reads. `devices` points at the arrays of
 * the columns the CSV has and is NULL for the others, so the library's
 * defaults apply. */
typedef struct fleet_chunk {
    otaprio_devices devices;
    size_t count;
    /* CSV row of each device: the header is row 1, blank lines are no
     * rows, and a quoted field may span lines. */
    uint64_t rows[CLI_CHUNK_IDS];
    bool has_id; /* the CSV has an `id` column, gathered in `ids` */
    cli_id_chunk ids;
    uint8_t device_class[CLI_CHUNK_IDS];
    uint8_t customer_tier[CLI_CHUNK_IDS];
    uint8_t exposure[CLI_CHUNK_IDS];
    uint8_t redundant[CLI_CHUNK_IDS];
    uint8_t uptime[CLI_CHUNK_IDS];
    uint8_t safe_fallback[CLI_CHUNK_IDS];
    float battery[CLI_CHUNK_IDS];
    uint8_t charging[CLI_CHUNK_IDS];
    uint8_t link[CLI_CHUNK_IDS];
    uint8_t metered[CLI_CHUNK_IDS];
    uint64_t free_bytes[CLI_CHUNK_IDS];
    uint32_t failed_attempts[CLI_CHUNK_IDS];
    uint32_t days_offline[CLI_CHUNK_IDS];
    uint8_t busy[CLI_CHUNK_IDS];
    uint8_t affected[CLI_CHUNK_IDS];
    uint8_t prerequisite_missing[CLI_CHUNK_IDS];
    uint8_t excluded[CLI_CHUNK_IDS];
} fleet_chunk;

/* Receives a filled chunk; a non-zero return stops the reading and is
 * returned by fleet_csv_read() unchanged. The chunk is cleared after. */
typedef int (*fleet_chunk_fn)(void *user, fleet_chunk *chunk);

/*
 * Reads a fleet CSV from `in`: a header row naming columns, then one
 * device per row. Calls `fn` with each full chunk and with the last one.
 * `name` names the input in messages. Unknown columns are an error unless
 * `ignore_unknown`. Returns 0; CLI_EXIT_FAILURE after reporting a problem
 * (unknown or duplicate column, short row, malformed value or CSV, read
 * error); or the non-zero value `fn` returned. `chunk` is the caller's
 * (it is large), initialised here and released by fleet_chunk_release().
 */
int fleet_csv_read(FILE *in, const char *name, const char *who,
                   bool ignore_unknown, fleet_chunk *chunk, fleet_chunk_fn fn,
                   void *user);
void fleet_chunk_release(fleet_chunk *chunk);
/* The identifier of device `i`: its `id` field, or without an id column
 * its row number in decimal, written to `buffer`. */
#define FLEET_ROW_ID_SIZE 24
const char *fleet_chunk_id(const fleet_chunk *chunk, size_t i,
                           char buffer[FLEET_ROW_ID_SIZE], size_t *length);

/* ---- one scored device ----------------------------------------------- */

/* A device's explanation, from otaprio_risk_explain_device(). */
typedef struct score_explained {
    otaprio_device_score score;
    size_t count;
    otaprio_factor_points lines[];
} score_explained;

typedef struct score_device {
    const char *id; /* borrowed from the chunk, or owned by a heap */
    size_t id_length;
    uint64_t row;
    double priority;
    double criticality;
    double delivery_risk;
    int32_t disposition;
    uint32_t reasons;
    score_explained *explained; /* owned; NULL when not asked for */
} score_device;

/* ---- the N highest priorities (top_heap.c) --------------------------- */

/* Keeps the `limit` devices of highest priority seen so far (ties go to
 * the earlier row), in memory bounded by `limit`, not by the fleet. */
typedef struct top_heap {
    score_device *items;
    size_t count;
    size_t capacity;
    size_t limit;
} top_heap;

void top_heap_init(top_heap *heap, size_t limit);
/* Offers a device: kept (its id copied) when it ranks among the best so
 * far. Takes ownership of `device->explained` either way. Returns 0, or
 * -1 when memory runs out. */
int top_heap_offer(top_heap *heap, const score_device *device);
/* Orders the kept devices best first; call once, after the last offer. */
void top_heap_sort(top_heap *heap);
void top_heap_release(top_heap *heap);

/* ---- output (score_output.c) ----------------------------------------- */

typedef struct score_totals {
    uint64_t devices;
    uint64_t by_disposition[4];
    uint64_t by_reason[OTAPRIO_REASON_COUNT];
} score_totals;

typedef struct score_output {
    const char *who;
    bool json;
    cli_json_stream stream;
} score_output;

/* Writes the issue part: tier, score, SSVC decision and scorecard. With
 * `fleet`, the JSON document stays open for the devices. Returns 0 or
 * CLI_EXIT_FAILURE after reporting the problem. */
int score_output_issue(score_output *out, int32_t model,
                       const otaprio_issue_score *score,
                       const otaprio_factor_points *lines, size_t count,
                       bool fleet);
/* Starts the device table or array. */
void score_output_devices_begin(score_output *out);
/* Writes one device, with its explanation when it has one. */
int score_output_device(score_output *out, const score_device *device);
/* Writes the totals and closes the document. */
int score_output_totals(score_output *out, const score_totals *totals);

/* ---- scoring the fleet (score_fleet.c) ------------------------------- */

typedef struct score_fleet {
    const char *who;
    const char *input; /* the fleet CSV as shown in messages */
    const otaprio_risk_model *model;
    otaprio_issue_score issue;
    score_output *output;
    top_heap *top;        /* NULL: every device, in input order */
    const char **explain; /* identifiers to explain */
    size_t explain_count;
    bool *explain_found;
    score_totals totals;
    double priority[CLI_CHUNK_IDS];
    double criticality[CLI_CHUNK_IDS];
    double delivery_risk[CLI_CHUNK_IDS];
    uint8_t disposition[CLI_CHUNK_IDS];
    uint32_t reasons[CLI_CHUNK_IDS];
} score_fleet;

/* A fleet_chunk_fn: scores a chunk, counts it, and writes its devices (or
 * offers them to the heap). `user` is a score_fleet. */
int score_fleet_chunk(void *user, fleet_chunk *chunk);

#endif /* OTAPRIO_SCORE_H */
