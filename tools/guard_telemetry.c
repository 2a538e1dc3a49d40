/* SPDX-License-Identifier: MIT */
/*
 * The telemetry of one evaluation as the library takes it: per metric (per
 * rule), one row per stratum in order of first appearance, with the count
 * columns of otaprio_guard_data and, for continuous metrics, the samples
 * of each row and group. Rows arrive one at a time from a CSV or a JSON
 * file (guard_counts.c) or the samples file (guard_samples.c); every value
 * is checked here, so a bad one is named by its file, row and column
 * rather than by the library's entry index.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "guard_cmd.h"

const char *const guard_column_names[GUARD_COL_COUNT] = {
    [GUARD_COL_CANARY_EVENTS] = "canary_events",
    [GUARD_COL_CANARY_TRIALS] = "canary_trials",
    [GUARD_COL_CANARY_EXPOSURE] = "canary_exposure",
    [GUARD_COL_BASELINE_EVENTS] = "baseline_events",
    [GUARD_COL_BASELINE_TRIALS] = "baseline_trials",
    [GUARD_COL_BASELINE_EXPOSURE] = "baseline_exposure",
    [GUARD_COL_WINDOW_START] = "window_start_hours",
    [GUARD_COL_WINDOW_END] = "window_end_hours",
};

/* The count columns: group, and whether events, trials or exposure. */
enum { EVENTS, TRIALS, EXPOSURE };
#define GROUP_OF(column) ((column) < GUARD_COL_BASELINE_EVENTS ? 0 : 1)
#define ROLE_OF(column) ((column) % 3)

/* Per row, the count columns it filled (bit c for column c) and where it
 * came from, kept beside the metric's columns. */
typedef struct guard_row_meta {
    uint8_t filled;
    bool counted; /* a telemetry row named it (not only samples) */
    uint64_t row;
} row_meta;

/* ---- messages ---------------------------------------------------------- */

static void report(const guard_origin *origin, const char *column,
                   const char *format, ...) CLI_PRINTF(3, 4);

/* "FILE: row N, column 'C': message" (CSV) or "FILE: rows[N], key 'C':
 * message" (JSON); without a column, the row alone. */
static void report(const guard_origin *origin, const char *column,
                   const char *format, ...)
{
    char message[768];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    bool csv = strcmp(origin->unit, "row") == 0;
    char where[96];
    if (csv)
        snprintf(where, sizeof where, "row %" PRIu64, origin->row);
    else
        snprintf(where, sizeof where, "%s[%" PRIu64 "]", origin->unit,
                 origin->row);
    /* As fleet_csv.c names a cell, and cli_json_report() a value. */
    if (column != NULL)
        cli_error(origin->who, "%s: %s%s '%s': %s", origin->file, where,
                  csv ? ", column" : ": key", column, message);
    else
        cli_error(origin->who, "%s: %s: %s", origin->file, where, message);
}

/* ---- set-up ------------------------------------------------------------ */

int guard_telemetry_init(guard_telemetry *telemetry, const char *who,
                         const otaprio_guard_set *set, const guard_rules *rules)
{
    memset(telemetry, 0, sizeof *telemetry);
    telemetry->set = set;
    telemetry->rules = rules;
    telemetry->metric_count = rules->count;
    telemetry->metrics = calloc(rules->count, sizeof *telemetry->metrics);
    if (telemetry->metrics == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < rules->count; i++)
        cli_value_dict_init(&telemetry->metrics[i].strata);
    return 0;
}

static void release_metric(guard_metric *metric)
{
    for (int g = 0; g < 2; g++) {
        free(metric->events[g]);
        free(metric->trials[g]);
        free(metric->exposure[g]);
        if (metric->samples[g] != NULL)
            for (size_t r = 0; r < metric->rows; r++)
                free(metric->samples[g][r].values);
        free(metric->samples[g]);
    }
    free(metric->meta);
    cli_value_dict_release(&metric->strata);
}

void guard_telemetry_release(guard_telemetry *telemetry)
{
    if (telemetry->metrics != NULL)
        for (size_t i = 0; i < telemetry->metric_count; i++)
            release_metric(&telemetry->metrics[i]);
    free(telemetry->metrics);
    memset(telemetry, 0, sizeof *telemetry);
}

/* ---- metrics and rows --------------------------------------------------- */

/* The rule index of the metric named by `length` bytes, or -1 after
 * saying that no rule names it. */
static int64_t find_metric(const guard_telemetry *telemetry,
                           const guard_origin *origin, const char *name,
                           size_t length, const char *column)
{
    char text[64];
    uint32_t index;
    if (length > 0 && length < sizeof text && memchr(name, 0, length) == NULL) {
        memcpy(text, name, length);
        text[length] = '\0';
        if (otaprio_guard_set_find(telemetry->set, text, &index) == OTAPRIO_OK)
            return index;
    }
    char shown[CLI_QUOTE_SIZE];
    cli_quote(name, length, shown);
    cli_name_list known = {.length = 0};
    for (size_t i = 0; i < telemetry->metric_count; i++) {
        const char *rule = telemetry->rules->rules[i].name;
        cli_name_list_add(&known, rule, strlen(rule));
    }
    report(origin, column, "unknown metric '%s'; the rule set names: %s", shown,
           known.text);
    return -1;
}

static int grow(void **array, size_t size, size_t capacity)
{
    void *grown = realloc(*array, size * capacity);
    if (grown == NULL)
        return -1;
    *array = grown;
    return 0;
}

/* Room for one more row in every column of the metric. */
static int reserve_row(guard_metric *metric)
{
    if (metric->rows < metric->capacity)
        return 0;
    size_t capacity = metric->capacity != 0 ? metric->capacity * 2 : 8;
    for (int g = 0; g < 2; g++) {
        if (grow((void **)&metric->events[g], sizeof(uint64_t), capacity) ||
            grow((void **)&metric->trials[g], sizeof(uint64_t), capacity) ||
            grow((void **)&metric->exposure[g], sizeof(double), capacity) ||
            grow((void **)&metric->samples[g], sizeof(guard_values), capacity))
            return -1;
    }
    if (grow((void **)&metric->meta, sizeof(row_meta), capacity))
        return -1;
    metric->capacity = capacity;
    return 0;
}

/* The row of `stratum` (NULL: the whole cohort, ""), added when new;
 * `*added` says so. Returns 0, or CLI_EXIT_FAILURE after saying why. */
static int row_of(guard_metric *metric, const guard_origin *origin,
                  const char *stratum, size_t length, size_t *row, bool *added)
{
    if (stratum == NULL) {
        stratum = "";
        length = 0;
    }
    uint32_t code;
    int interned =
        reserve_row(metric) != 0
            ? -1
            : cli_value_dict_intern(&metric->strata, stratum, length, &code);
    if (interned != 0 || (size_t)code >= OTAPRIO_GUARD_MAX_STRATA) {
        if (interned == -1)
            cli_error(origin->who, "out of memory");
        else
            report(origin, "stratum",
                   "more than %" PRIu32 " strata for "
                   "one metric",
                   OTAPRIO_GUARD_MAX_STRATA);
        return CLI_EXIT_FAILURE;
    }
    *row = code;
    *added = code == metric->rows;
    if (*added) {
        size_t r = metric->rows++;
        for (int g = 0; g < 2; g++) {
            metric->events[g][r] = 0;
            metric->trials[g][r] = 0;
            metric->exposure[g][r] = 0.0;
            memset(&metric->samples[g][r], 0, sizeof metric->samples[g][r]);
        }
        row_meta *meta = &metric->meta[r];
        memset(meta, 0, sizeof *meta);
        meta->row = origin->row;
    }
    return 0;
}

/* ---- values ------------------------------------------------------------- */

static int read_count(const guard_origin *origin, const guard_cells *cells,
                      int column, uint64_t *value)
{
    if (cli_parse_uint(cells->value[column], cells->length[column], UINT64_MAX,
                       value))
        return 0;
    char shown[CLI_QUOTE_SIZE];
    cli_quote(cells->value[column], cells->length[column], shown);
    report(origin, guard_column_names[column],
           "'%s' is not a whole number from 0 to 2^64-1", shown);
    return CLI_EXIT_FAILURE;
}

/* Exposure and hours: finite and at least 0. */
static int read_amount(const guard_origin *origin, const guard_cells *cells,
                       int column, double *value)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(cells->value[column], cells->length[column], shown);
    if (!cli_parse_double(cells->value[column], cells->length[column], value)) {
        report(origin, guard_column_names[column], "'%s' is not a number",
               shown);
        return CLI_EXIT_FAILURE;
    }
    if (!isfinite(*value) || *value < 0.0 || signbit(*value)) {
        report(origin, guard_column_names[column],
               "'%s' is %s; expected a finite number of 0 or more", shown,
               isnan(*value)       ? "not a number"
               : !isfinite(*value) ? "infinite"
                                   : "negative");
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* The window of a row, if it gives one: both ends or neither. */
static int read_window(guard_metric *metric, const guard_origin *origin,
                       const guard_cells *cells, const char *metric_name)
{
    const char *start = cells->value[GUARD_COL_WINDOW_START];
    const char *end = cells->value[GUARD_COL_WINDOW_END];
    if (start == NULL && end == NULL)
        return 0;
    if (start == NULL || end == NULL) {
        report(origin,
               guard_column_names[start == NULL ? GUARD_COL_WINDOW_START
                                                : GUARD_COL_WINDOW_END],
               "empty while '%s' is given: a window needs both ends",
               guard_column_names[start == NULL ? GUARD_COL_WINDOW_END
                                                : GUARD_COL_WINDOW_START]);
        return CLI_EXIT_FAILURE;
    }
    double window[2];
    if (read_amount(origin, cells, GUARD_COL_WINDOW_START, &window[0]) != 0 ||
        read_amount(origin, cells, GUARD_COL_WINDOW_END, &window[1]) != 0)
        return CLI_EXIT_FAILURE;
    if (window[1] < window[0]) {
        report(origin, "window_end_hours",
               "the window ends (%g h) before it starts (%g h)", window[1],
               window[0]);
        return CLI_EXIT_FAILURE;
    }
    if (metric->has_window &&
        (window[0] != metric->window[0] || window[1] != metric->window[1])) {
        report(origin, "window_start_hours",
               "metric '%s' has one window, %g to %g h since row %" PRIu64
               ", not %g to %g h",
               metric_name, metric->window[0], metric->window[1],
               metric->window_row, window[0], window[1]);
        return CLI_EXIT_FAILURE;
    }
    metric->has_window = true;
    metric->window[0] = window[0];
    metric->window[1] = window[1];
    metric->window_row = origin->row;
    return 0;
}

/* Reads the count cells of a row into row `r`; the pairs that must agree
 * (failures within trials, events with exposure) are checked once both
 * sides are read. */
static int read_counts(guard_metric *metric, const guard_origin *origin,
                       const guard_cells *cells, int32_t kind, size_t r,
                       const char *metric_name)
{
    row_meta *meta = &metric->meta[r];
    for (int c = 0; c < GUARD_COL_WINDOW_START; c++) {
        if (cells->value[c] == NULL)
            continue;
        if (kind == OTAPRIO_GUARD_CONTINUOUS) {
            report(origin, guard_column_names[c],
                   "metric '%s' is continuous: its data are samples "
                   "(--samples), not counts",
                   metric_name);
            return CLI_EXIT_FAILURE;
        }
        int g = GROUP_OF(c);
        int status =
            ROLE_OF(c) == EVENTS
                ? read_count(origin, cells, c, &metric->events[g][r])
            : ROLE_OF(c) == TRIALS
                ? read_count(origin, cells, c, &metric->trials[g][r])
                : read_amount(origin, cells, c, &metric->exposure[g][r]);
        if (status != 0)
            return status;
        meta->filled |= (uint8_t)(1u << c);
        metric->filled[c]++;
    }
    for (int g = 0; g < 2; g++) {
        int events =
            g == 0 ? GUARD_COL_CANARY_EVENTS : GUARD_COL_BASELINE_EVENTS;
        bool has_events = (meta->filled >> events) & 1u;
        if (kind == OTAPRIO_GUARD_PROPORTION && has_events &&
            ((meta->filled >> (events + TRIALS)) & 1u) &&
            metric->events[g][r] > metric->trials[g][r]) {
            report(origin, guard_column_names[events],
                   "%" PRIu64 " failed devices exceed the %" PRIu64
                   " devices that tried ('%s')",
                   metric->events[g][r], metric->trials[g][r],
                   guard_column_names[events + TRIALS]);
            return CLI_EXIT_FAILURE;
        }
        if (kind == OTAPRIO_GUARD_RATE && has_events &&
            metric->events[g][r] > 0 &&
            ((meta->filled >> (events + EXPOSURE)) & 1u) &&
            metric->exposure[g][r] == 0.0) {
            report(origin, guard_column_names[events + EXPOSURE],
                   "%" PRIu64 " events over no exposure: a rate needs "
                   "exposure where there are events",
                   metric->events[g][r]);
            return CLI_EXIT_FAILURE;
        }
    }
    return 0;
}

int guard_telemetry_add(guard_telemetry *telemetry, const guard_origin *origin,
                        const guard_cells *cells)
{
    telemetry->rows++;
    if (cells->metric == NULL) {
        report(origin, "metric", "empty; every row names its metric");
        return CLI_EXIT_FAILURE;
    }
    int64_t rule = find_metric(telemetry, origin, cells->metric,
                               cells->metric_length, "metric");
    if (rule < 0)
        return CLI_EXIT_FAILURE;
    guard_metric *metric = &telemetry->metrics[rule];
    const otaprio_guard_rule *spec = &telemetry->rules->rules[rule];
    if (!metric->present) {
        metric->present = true;
        metric->first_row = origin->row;
    }
    size_t r;
    bool added;
    if (row_of(metric, origin, cells->stratum, cells->stratum_length, &r,
               &added) != 0)
        return CLI_EXIT_FAILURE;
    row_meta *meta = &metric->meta[r];
    if (meta->counted) {
        char shown[CLI_QUOTE_SIZE];
        cli_quote(cells->stratum != NULL ? cells->stratum : "",
                  cells->stratum_length, shown);
        report(origin, cells->stratum != NULL ? "stratum" : NULL,
               "metric '%s' already has a row for %s%s%s (row %" PRIu64 ")",
               spec->name, cells->stratum != NULL ? "stratum '" : "",
               cells->stratum != NULL ? shown : "the whole cohort",
               cells->stratum != NULL ? "'" : "", meta->row);
        return CLI_EXIT_FAILURE;
    }
    meta->counted = true;
    meta->row = origin->row;
    if (read_window(metric, origin, cells, spec->name) != 0)
        return CLI_EXIT_FAILURE;
    return read_counts(metric, origin, cells, spec->kind, r, spec->name);
}

int guard_telemetry_add_sample(guard_telemetry *telemetry,
                               const guard_origin *origin, const char *name,
                               size_t name_length, const char *stratum,
                               size_t stratum_length, int32_t group,
                               double value)
{
    int64_t rule = find_metric(telemetry, origin, name, name_length, "metric");
    if (rule < 0)
        return CLI_EXIT_FAILURE;
    const otaprio_guard_rule *spec = &telemetry->rules->rules[rule];
    if (spec->kind != OTAPRIO_GUARD_CONTINUOUS) {
        report(origin, "metric",
               "metric '%s' is a %s: its data are counts, not samples",
               spec->name, cli_names_name(&cli_names_guard_kind, spec->kind));
        return CLI_EXIT_FAILURE;
    }
    guard_metric *metric = &telemetry->metrics[rule];
    if (!metric->present) {
        metric->present = true;
        metric->first_row = origin->row;
    }
    size_t r;
    bool added;
    if (row_of(metric, origin, stratum, stratum_length, &r, &added) != 0)
        return CLI_EXIT_FAILURE;
    guard_values *values = &metric->samples[group][r];
    if (values->count == values->capacity) {
        size_t capacity = values->capacity != 0 ? values->capacity * 2 : 16;
        if (grow((void **)&values->values, sizeof(double), capacity) != 0) {
            cli_error(origin->who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        values->capacity = capacity;
    }
    values->values[values->count++] = value;
    return 0;
}

/* ---- the library's view -------------------------------------------------- */

int guard_telemetry_finish(guard_telemetry *telemetry, const char *who,
                           const double *default_window)
{
    for (size_t i = 0; i < telemetry->metric_count; i++) {
        guard_metric *metric = &telemetry->metrics[i];
        if (!metric->present)
            continue;
        const row_meta *meta = metric->meta;
        for (int c = 0; c < GUARD_COL_WINDOW_START; c++) {
            if (metric->filled[c] == 0 || metric->filled[c] == metric->rows)
                continue;
            /* Name the first row that breaks the pattern: the column is
             * filled in most rows, or in few. */
            bool most = metric->filled[c] * 2 >= metric->rows;
            for (size_t r = 0; r < metric->rows; r++) {
                if ((((meta[r].filled >> c) & 1u) != 0) == most)
                    continue;
                cli_error(
                    who,
                    "%s: row %" PRIu64 ", column '%s': metric '%s' %s this "
                    "column here but %s it in %zu of its %zu rows; a "
                    "metric fills a column in all its rows or in none",
                    telemetry->counts_file, meta[r].row, guard_column_names[c],
                    telemetry->rules->rules[i].name, most ? "leaves" : "fills",
                    most ? "fills" : "leaves",
                    most ? metric->filled[c] : metric->rows - metric->filled[c],
                    metric->rows);
                return CLI_EXIT_FAILURE;
            }
        }
        if (!metric->has_window && default_window != NULL) {
            metric->window[0] = default_window[0];
            metric->window[1] = default_window[1];
            metric->has_window = true;
        }
    }
    return 0;
}

const char *guard_telemetry_stratum(const guard_telemetry *telemetry,
                                    uint32_t rule, size_t row, size_t *length)
{
    const guard_metric *metric = &telemetry->metrics[rule];
    if (row >= metric->rows) {
        *length = 0;
        return NULL;
    }
    return cli_value_dict_value(&metric->strata, (uint32_t)row, length);
}

size_t guard_telemetry_data(guard_telemetry *telemetry,
                            otaprio_guard_data *data)
{
    size_t entries = 0;
    for (size_t i = 0; i < telemetry->metric_count; i++) {
        guard_metric *metric = &telemetry->metrics[i];
        if (!metric->present || metric->rows == 0)
            continue;
        otaprio_guard_data *entry = &data[entries++];
        otaprio_guard_data_init(entry);
        entry->rule = (uint32_t)i;
        entry->rows = metric->rows;
        if (metric->has_window) {
            entry->window_start_hours = metric->window[0];
            entry->window_end_hours = metric->window[1];
        }
        const uint64_t **events[2] = {&entry->canary_events,
                                      &entry->baseline_events};
        const uint64_t **trials[2] = {&entry->canary_trials,
                                      &entry->baseline_trials};
        const double **exposure[2] = {&entry->canary_exposure,
                                      &entry->baseline_exposure};
        for (int g = 0; g < 2; g++) {
            int base =
                g == 0 ? GUARD_COL_CANARY_EVENTS : GUARD_COL_BASELINE_EVENTS;
            if (metric->filled[base + EVENTS] != 0)
                *events[g] = metric->events[g];
            if (metric->filled[base + TRIALS] != 0)
                *trials[g] = metric->trials[g];
            if (metric->filled[base + EXPOSURE] != 0)
                *exposure[g] = metric->exposure[g];
        }
        if (telemetry->rules->rules[i].kind == OTAPRIO_GUARD_CONTINUOUS) {
            entry->samples = guard_samples_fn;
            entry->user = metric;
        }
    }
    return entries;
}

int guard_samples_fn(void *user, size_t row, int32_t group,
                     const double **values, size_t *count)
{
    const guard_metric *metric = user;
    if (row >= metric->rows ||
        (group != OTAPRIO_GUARD_CANARY && group != OTAPRIO_GUARD_BASELINE)) {
        *values = NULL;
        *count = 0;
        return 0;
    }
    const guard_values *samples = &metric->samples[group][row];
    *values = samples->count != 0 ? samples->values : NULL;
    *count = samples->count;
    return 0;
}
