/* SPDX-License-Identifier: MIT */
/*
 * The plan of `otaprio plan` as one JSON document, read through the
 * planner's accessors. The text output is written from this document
 * (plan_text.c), so the two cannot disagree. Keys are inserted in a fixed
 * order and dumped in it, so the same plan gives the same bytes.
 */
#include <math.h>
#include <stdlib.h>

#include "plan_cmd.h"

/* Bits defined in ::otaprio_plan_note and ::otaprio_plan_breakglass_unmet:
 * the names of each set bit are listed. */
#define NOTE_BITS 9u
#define UNMET_BITS 3u

/* A count as a JSON integer: jansson's are signed 64 bits. */
static json_t *count_json(uint64_t value)
{
    return graph_bytes_json(value);
}

/* A real, or null where the planner has none (NaN: a ring stage). */
static json_t *real_json(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

/* A wave index, or null for #OTAPRIO_PLAN_NONE. */
static json_t *wave_index_json(uint32_t wave)
{
    return wave == OTAPRIO_PLAN_NONE || wave == UINT32_MAX
               ? json_null()
               : json_integer((json_int_t)wave);
}

static json_t *name_json(const char *name)
{
    return json_string(name != NULL ? name : "(unknown)");
}

/* Each set bit of `bits` (below `limit` bits) by its name. */
static json_t *bit_names(uint32_t bits, unsigned limit,
                         const char *(*name)(uint32_t))
{
    json_t *array = json_array();
    for (unsigned b = 0; b < limit && array != NULL; b++)
        if ((bits & (1u << b)) != 0)
            cli_json_append(&array, name_json(name(1u << b)));
    return array;
}

static json_t *scorecard_json(const plan_view *view)
{
    size_t count = 0;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_explanation(view->plan, NULL, 0, &count, &diag);
    otaprio_factor_points *lines =
        calloc(count != 0 ? count : 1, sizeof *lines);
    if (lines == NULL)
        return NULL;
    if (status == OTAPRIO_OK)
        status =
            otaprio_plan_explanation(view->plan, lines, count, &count, &diag);
    json_t *array = status == OTAPRIO_OK ? json_array() : NULL;
    if (status != OTAPRIO_OK)
        cli_library_error(view->who, "otaprio_plan_explanation", status, &diag);
    for (size_t i = 0; i < count && array != NULL; i++) {
        json_t *line = json_object();
        cli_json_set(
            &line, "factor",
            name_json(otaprio_factor_label(lines[i].factor, lines[i].input)));
        cli_json_set(&line, "input", real_json(lines[i].input));
        cli_json_set(&line, "points",
                     json_real((double)lines[i].milli / 1000.0));
        cli_json_append(&array, line);
    }
    free(lines);
    return array;
}

static json_t *counts_json(const otaprio_plan_summary *s)
{
    json_t *dispositions = json_object();
    for (int32_t d = 0; d < 4; d++)
        cli_json_set(&dispositions, otaprio_disposition_name(d),
                     count_json(s->by_disposition[d]));
    json_t *reasons = json_object();
    for (unsigned b = 0; b < OTAPRIO_REASON_COUNT; b++)
        if (s->by_reason[b] != 0)
            cli_json_set(&reasons, otaprio_reason_name(1u << b),
                         count_json(s->by_reason[b]));
    json_t *counts = json_object();
    cli_json_set(&counts, "devices", count_json(s->devices));
    cli_json_set(&counts, "affected", count_json(s->affected));
    cli_json_set(&counts, "planned", count_json(s->planned));
    cli_json_set(&counts, "critical_held", count_json(s->critical));
    cli_json_set(&counts, "by_disposition", dispositions);
    cli_json_set(&counts, "by_reason", reasons);
    return counts;
}

static json_t *rollback_json(int32_t tier, uint32_t steps, double confidence)
{
    json_t *rollback = json_object();
    cli_json_set(&rollback, "tier",
                 name_json(otaprio_rollback_tier_name(tier)));
    cli_json_set(&rollback, "steps",
                 bit_names(steps, OTAPRIO_ROLLBACK_STEP_COUNT,
                           otaprio_rollback_step_name));
    cli_json_set(&rollback, "confidence", real_json(confidence));
    return rollback;
}

/* Reads item `index` of one kind (a wave, a chain, a warning) through
 * its accessor and builds its object in `*out`; returns the accessor's
 * status. */
typedef int (*item_fn)(const plan_view *view, size_t index, otaprio_diag *diag,
                       json_t **out);

/* The `count` items of one kind as an array; NULL after reporting the
 * accessor `call` that failed. */
static json_t *items_json(const plan_view *view, size_t count, const char *call,
                          item_fn item)
{
    json_t *array = json_array();
    for (size_t i = 0; i < count && array != NULL; i++) {
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        json_t *element = NULL;
        int status = item(view, i, &diag, &element);
        if (status != OTAPRIO_OK) {
            cli_library_error(view->who, call, status, &diag);
            json_decref(array);
            return NULL;
        }
        cli_json_append(&array, element);
    }
    return array;
}

static int wave_json(const plan_view *view, size_t index, otaprio_diag *diag,
                     json_t **out)
{
    otaprio_plan_wave info = {.size = sizeof info};
    int status =
        otaprio_plan_get_wave(view->plan, (uint32_t)index, &info, diag);
    if (status != OTAPRIO_OK)
        return status;
    json_t *wave = json_object();
    cli_json_set(&wave, "wave", json_integer((json_int_t)index));
    cli_json_set(&wave, "stage",
                 name_json(otaprio_plan_stage_name(info.stage)));
    cli_json_set(&wave, "fraction", real_json(info.fraction));
    cli_json_set(&wave, "devices", count_json(info.devices));
    cli_json_set(&wave, "cumulative", count_json(info.cumulative));
    cli_json_set(&wave, "soak_hours", real_json(info.soak_hours));
    cli_json_set(&wave, "maintenance_window",
                 json_boolean(info.maintenance_window != 0));
    cli_json_set(&wave, "tolerance_scale", real_json(info.tolerance_scale));
    cli_json_set(&wave, "tvd", real_json(info.tvd));
    cli_json_set(&wave, "strata_coverage", real_json(info.strata_coverage));
    cli_json_set(&wave, "mass_coverage", real_json(info.mass_coverage));
    cli_json_set(&wave, "chains_uncovered",
                 json_integer((json_int_t)info.chains_uncovered));
    cli_json_set(&wave, "clusters_uncovered",
                 json_integer((json_int_t)info.clusters_uncovered));
    cli_json_set(&wave, "rollback",
                 rollback_json(info.rollback_tier, info.rollback_steps,
                               info.rollback_confidence));
    *out = wave;
    return OTAPRIO_OK;
}

static json_t *package_json(const plan_view *view, uint32_t package)
{
    const char *text;
    size_t length;
    if (view->catalog != NULL &&
        otaprio_catalog_name(view->catalog->catalog, OTAPRIO_NAME_PACKAGE, 0,
                             package, &text, &length, NULL) == OTAPRIO_OK)
        return json_stringn(text, length);
    return json_integer((json_int_t)package);
}

static int chain_json(const plan_view *view, size_t index, otaprio_diag *diag,
                      json_t **out)
{
    otaprio_plan_chain info = {.size = sizeof info};
    int status =
        otaprio_plan_get_chain(view->plan, (uint32_t)index, &info, diag);
    if (status != OTAPRIO_OK)
        return status;
    char key[CLI_HEX64_CHARS + 1];
    cli_format_hex64(info.example_key, key);
    json_t *path = json_array();
    for (uint32_t p = 0; p < info.path_length && p < OTAPRIO_PLAN_MAX_PATH; p++)
        cli_json_append(&path, package_json(view, info.path[p]));
    json_t *chain = json_object();
    cli_json_set(&chain, "chain", json_integer((json_int_t)index));
    cli_json_set(&chain, "devices", count_json(info.devices));
    cli_json_set(&chain, "blocked", count_json(info.blocked));
    cli_json_set(&chain, "planned", count_json(info.planned));
    cli_json_set(&chain, "first_wave", wave_index_json(info.first_wave));
    cli_json_set(&chain, "example_key", json_string(key));
    cli_json_set(&chain, "path_status",
                 name_json(otaprio_plan_path_status_name(info.path_status)));
    cli_json_set(&chain, "path", path);
    cli_json_set(&chain, "path_bytes", count_json(info.path_bytes));
    *out = chain;
    return OTAPRIO_OK;
}

static int warning_json(const plan_view *view, size_t index, otaprio_diag *diag,
                        json_t **out)
{
    otaprio_plan_warning info = {.size = sizeof info};
    int status = otaprio_plan_get_warning(view->plan, index, &info, diag);
    if (status != OTAPRIO_OK)
        return status;
    json_t *warning = json_object();
    cli_json_set(&warning, "warning",
                 name_json(otaprio_plan_warning_name(info.code)));
    cli_json_set(&warning, "code", json_integer(info.code));
    cli_json_set(&warning, "wave", wave_index_json(info.wave));
    cli_json_set(&warning, "subject", count_json(info.subject));
    cli_json_set(&warning, "devices", count_json(info.devices));
    *out = warning;
    return OTAPRIO_OK;
}

static json_t *breakglass_json(const otaprio_plan_summary *s)
{
    if (s->breakglass_requested == 0)
        return json_null();
    json_t *breakglass = json_object();
    cli_json_set(&breakglass, "approved",
                 json_boolean(s->breakglass_approved != 0));
    cli_json_set(
        &breakglass, "unmet",
        bit_names(s->breakglass_unmet, UNMET_BITS, otaprio_plan_unmet_name));
    return breakglass;
}

json_t *plan_json_build(const plan_view *view)
{
    otaprio_plan_summary s = {.size = sizeof s};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_get_summary(view->plan, &s, &diag);
    if (status != OTAPRIO_OK) {
        cli_library_error(view->who, "otaprio_plan_get_summary", status, &diag);
        return NULL;
    }
    json_t *rollback = json_object();
    cli_json_set(&rollback, "tier",
                 name_json(otaprio_rollback_tier_name(s.rollback_tier)));
    cli_json_set(&rollback, "weak_causes",
                 bit_names(s.rollback_weak_causes, OTAPRIO_ROLLBACK_WEAK_COUNT,
                           otaprio_rollback_weakness_name));

    json_t *doc = json_object();
    /* As `otaprio score --json`: the tier's number and its name. */
    cli_json_set(&doc, "tier", json_integer(s.tier));
    cli_json_set(&doc, "tier_name", name_json(otaprio_tier_name(s.tier)));
    cli_json_set(&doc, "tier_before", json_integer(s.tier_before));
    cli_json_set(&doc, "tier_before_name",
                 name_json(otaprio_tier_name(s.tier_before)));
    cli_json_set(&doc, "score", json_real((double)s.score_milli / 1000.0));
    cli_json_set(&doc, "score_milli", json_integer(s.score_milli));
    cli_json_set(&doc, "ssvc", name_json(otaprio_ssvc_name(s.ssvc)));
    cli_json_set(&doc, "affected_share", real_json(s.affected_share));
    cli_json_set(&doc, "package",
                 view->package != NULL ? json_string(view->package)
                                       : json_null());
    cli_json_set(&doc, "scorecard", scorecard_json(view));
    cli_json_set(&doc, "notes",
                 bit_names(s.notes, NOTE_BITS, otaprio_plan_note_name));
    cli_json_set(&doc, "counts", counts_json(&s));
    cli_json_set(&doc, "hours_to_broad", real_json(s.hours_to_broad));
    cli_json_set(&doc, "rollback", rollback);
    cli_json_set(&doc, "breakglass", breakglass_json(&s));
    cli_json_set(&doc, "waves",
                 items_json(view, otaprio_plan_wave_count(view->plan),
                            "otaprio_plan_get_wave", wave_json));
    cli_json_set(&doc, "chains",
                 items_json(view, otaprio_plan_chain_count(view->plan),
                            "otaprio_plan_get_chain", chain_json));
    cli_json_set(&doc, "warnings",
                 items_json(view, otaprio_plan_warning_count(view->plan),
                            "otaprio_plan_get_warning", warning_json));
    if (doc == NULL)
        cli_error(view->who, "cannot build the JSON output (out of memory)");
    return doc;
}
