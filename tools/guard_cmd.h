/* SPDX-License-Identifier: MIT */
/*
 * The parts of `otaprio guard`: the words for the guardrail enums
 * (guard_names.c), the rule set JSON (guard_rules.c), the telemetry of
 * counts from CSV or JSON into per-metric columns (guard_telemetry.c,
 * guard_counts.c), the continuous samples (guard_samples.c), the saved
 * sequential states of --state (guard_state.c), and the report as text
 * (guard_text.c) and JSON (guard_json.c). cmd_guard.c ties them.
 *
 * The inputs are small (a rule per metric, a row per stratum), so they are
 * read whole; what grows with the data are the columns of each metric,
 * which are exactly the arrays otaprio_guard_data points at.
 */
#ifndef OTAPRIO_GUARD_CMD_H
#define OTAPRIO_GUARD_CMD_H

#include <otaprio/guardrail.h>

#include "cli.h"

/* ---- enum words (guard_names.c) -------------------------------------- */

extern const cli_names cli_names_guard_kind;
extern const cli_names cli_names_guard_direction;
extern const cli_names cli_names_guard_severity;
extern const cli_names cli_names_guard_no_data;
extern const cli_names cli_names_guard_zero_baseline;
extern const cli_names cli_names_guard_multiplicity;
/* Bit b of ::otaprio_guard_check is names[b]. */
extern const cli_names cli_names_guard_check;
extern const cli_names cli_names_guard_group;

/* ---- the rule set (guard_rules.c) ------------------------------------ */

typedef struct guard_rules {
    const char *file; /* as shown in messages */
    json_t *root;     /* owns the rule names the rules point at */
    otaprio_guard_options options;
    otaprio_guard_rule *rules;
    size_t count;
} guard_rules;

/* Reads the rule set at `path` ("-": standard input). Returns 0, or
 * CLI_EXIT_FAILURE after naming the file, the rule and the key at fault. */
int guard_rules_read(const char *who, const char *path, guard_rules *rules);
/* Compiles the rules; a refusal names the rule and its field. */
int guard_rules_compile(const char *who, const guard_rules *rules,
                        otaprio_guard_set **set);
void guard_rules_release(guard_rules *rules);

/* ---- telemetry (guard_telemetry.c) ----------------------------------- */

/* The count columns of a telemetry row, in the order of the CSV header
 * the help shows; their names are the otaprio_guard_data fields. */
typedef enum guard_column {
    GUARD_COL_CANARY_EVENTS,
    GUARD_COL_CANARY_TRIALS,
    GUARD_COL_CANARY_EXPOSURE,
    GUARD_COL_BASELINE_EVENTS,
    GUARD_COL_BASELINE_TRIALS,
    GUARD_COL_BASELINE_EXPOSURE,
    GUARD_COL_WINDOW_START,
    GUARD_COL_WINDOW_END,
    GUARD_COL_COUNT
} guard_column;

extern const char *const guard_column_names[GUARD_COL_COUNT];

/* Samples of one stratum and group, growing. */
typedef struct guard_values {
    double *values;
    size_t count;
    size_t capacity;
} guard_values;

/* One metric's rows (strata), in order of first appearance. */
typedef struct guard_metric {
    bool present; /* named by the telemetry or the samples */
    cli_value_dict strata;
    size_t rows;
    size_t capacity;
    uint64_t *events[2]; /* [OTAPRIO_GUARD_CANARY], [..._BASELINE] */
    uint64_t *trials[2];
    double *exposure[2];
    guard_values *samples[2]; /* continuous: per row */
    /* How many rows filled each count column: a metric fills a column in
     * every row or in none (the library then sees NULL). */
    size_t filled[GUARD_COL_WINDOW_START];
    struct guard_row_meta *meta; /* per row: guard_telemetry.c's own */
    uint64_t first_row; /* where the metric first appeared, for messages */
    bool has_window;
    double window[2];
    uint64_t window_row;
} guard_metric;

/* Where a row came from, for messages: "FILE: row N" or
 * "FILE: rows[N]". */
typedef struct guard_origin {
    const char *who;
    const char *file;
    const char *unit; /* "row" (CSV, 1 is the header) or "rows[]" */
    uint64_t row;
} guard_origin;

/* The cells of one telemetry row, as text: NULL for a cell that is absent
 * or empty (spaces around a value are dropped before). */
typedef struct guard_cells {
    const char *metric;
    size_t metric_length;
    const char *stratum; /* NULL: the whole cohort, "" */
    size_t stratum_length;
    const char *value[GUARD_COL_COUNT];
    size_t length[GUARD_COL_COUNT];
} guard_cells;

typedef struct guard_telemetry {
    const otaprio_guard_set *set;
    const guard_rules *rules;
    const char *counts_file; /* as shown in messages */
    guard_metric *metrics;   /* per rule index */
    size_t metric_count;
    uint64_t rows; /* every row read */
} guard_telemetry;

int guard_telemetry_init(guard_telemetry *telemetry, const char *who,
                         const otaprio_guard_set *set,
                         const guard_rules *rules);
void guard_telemetry_release(guard_telemetry *telemetry);
/* Adds one row; returns 0, or CLI_EXIT_FAILURE after naming the row and
 * the column at fault (unknown metric, a repeated stratum, a value that is
 * not a count, failures above trials, events without exposure, a window
 * that ends before it starts or differs from the metric's other rows). */
int guard_telemetry_add(guard_telemetry *telemetry, const guard_origin *origin,
                        const guard_cells *cells);
/* Adds one sample, for `metric` (a continuous metric) and `stratum` (NULL:
 * the whole cohort); `group` an ::otaprio_guard_group. */
int guard_telemetry_add_sample(guard_telemetry *telemetry,
                               const guard_origin *origin, const char *metric,
                               size_t metric_length, const char *stratum,
                               size_t stratum_length, int32_t group,
                               double value);
/* After every input: checks that each metric filled its columns alike and
 * gives the windows of --window to metrics without one. */
int guard_telemetry_finish(guard_telemetry *telemetry, const char *who,
                           const double *default_window);
/* The label of row `row` of rule `rule`'s metric. */
const char *guard_telemetry_stratum(const guard_telemetry *telemetry,
                                    uint32_t rule, size_t row, size_t *length);
/* The library's view: one entry per metric with data, in rule order;
 * `data` holds metric_count entries. Returns the number of entries. */
size_t guard_telemetry_data(guard_telemetry *telemetry,
                            otaprio_guard_data *data);

/* ---- CSV files of named columns (guard_csv.c) ----------------------- */

#define GUARD_CSV_MAX_COLUMNS 16

/* Receives one data row: per column of the spec, its cell (blanks
 * trimmed) or NULL when empty or absent from the header. `row` counts the
 * header as 1. A non-zero return stops the reading. */
typedef int (*guard_csv_row_fn)(void *user, uint64_t row,
                                const char *const *cells,
                                const size_t *lengths);

typedef struct guard_csv_spec {
    const char *const *columns; /* the known columns */
    size_t count;
    uint32_t required; /* bit c: the header must name column c */
    guard_csv_row_fn row;
    void *user;
} guard_csv_spec;

/* Reads the CSV at `path` ("-": standard input); `*shown` receives its
 * name as messages show it. Blank lines are skipped. Returns 0, or
 * CLI_EXIT_FAILURE after naming the problem (unknown, repeated or missing
 * column, a row of the wrong length, malformed CSV), or what `row`
 * returned. */
int guard_csv_read(const char *who, const char *path,
                   const guard_csv_spec *spec, const char **shown);

/* ---- telemetry files (guard_counts.c, guard_samples.c) -------------- */

/* Reads the counts at `path` ("-": standard input) as CSV or, with
 * `json`, as a JSON document {"rows": [{column: value...}]}. */
int guard_counts_read(const char *who, const char *path, bool json,
                      guard_telemetry *telemetry);
/* Reads the samples CSV `metric,stratum,group,value` at `path`. */
int guard_samples_read(const char *who, const char *path,
                       guard_telemetry *telemetry);
/* An otaprio_guard_samples_fn over the telemetry's samples; `user` is the
 * metric (guard_metric). */
int guard_samples_fn(void *user, size_t row, int32_t group,
                     const double **values, size_t *count);

/* ---- sequential states (guard_state.c) ------------------------------- */

typedef struct guard_state {
    const char *dir; /* NULL: no --state, sequential rules run fixed */
    otaprio_guard_sequence **sequences; /* per rule, NULL when none */
    char **paths;                       /* per rule */
    size_t count;
} guard_state;

/* Loads (or starts) the state of every sequential rule with data, and
 * points its data entry at it. Returns 0 or CLI_EXIT_FAILURE after naming
 * the state file at fault. */
int guard_state_load(const char *who, const char *dir, const guard_rules *rules,
                     const otaprio_guard_set *set, otaprio_guard_data *data,
                     size_t entries, guard_state *state);
/* Saves every advanced state: a temporary file renamed over the old one,
 * so an interrupted run leaves the last state whole. */
int guard_state_save(const char *who, const guard_state *state);
void guard_state_release(guard_state *state);

/* ---- the report (guard_text.c, guard_json.c) ------------------------- */

typedef struct guard_report_view {
    const char *rules_file;
    const char *telemetry_file;
    const char *samples_file; /* NULL: none, or it is telemetry_file */
    const guard_rules *rules;
    const guard_telemetry *telemetry;
    const guard_state *state;
    const otaprio_guard_report *report;
    bool all_strata; /* text: every stratum, not only the failing ones */
} guard_report_view;

/* Each writes the report to stdout; returns 0, or CLI_EXIT_FAILURE after
 * saying why. */
int guard_output_text(const char *who, const guard_report_view *view);
int guard_output_json(const char *who, const guard_report_view *view);

/* Every stratum of a metric, in the report's order (failing first);
 * `*total` receives their number. NULL with a message when memory runs
 * out; a metric without rows gives a non-NULL empty array. */
otaprio_guard_stratum *guard_report_strata(const char *who,
                                           const otaprio_guard_report *report,
                                           uint32_t rule, size_t *total);

#endif /* OTAPRIO_GUARD_CMD_H */
