/* SPDX-License-Identifier: MIT */
/*
 * What `otaprio score` prints: the fix's tier and scorecard, one line (or
 * JSON object) per device with its explanation when asked, and the totals.
 * Points are printed from the library's whole thousandths, so a scorecard
 * adds up on paper exactly as it does in the library.
 */
#include <inttypes.h>

#include "score.h"

/* Scores are at most 100 points with three decimals: 15 significant
 * digits print each exactly, and parse back to the very same double,
 * without the 17-digit noise (72.400000000000006) of the default. */
#define SCORE_JSON_FLAGS (JSON_REAL_PRECISION(15) | JSON_PRESERVE_ORDER)

/* "+18.000", "-4.000": thousandths with a sign, exactly. */
static void format_points(int64_t milli, char out[32])
{
    uint64_t magnitude =
        milli < 0 ? (uint64_t)(-(milli + 1)) + 1 : (uint64_t)milli;
    snprintf(out, 32, "%c%" PRIu64 ".%03" PRIu64, milli < 0 ? '-' : '+',
             magnitude / 1000, magnitude % 1000);
}

/* "87.000": a score, never negative. */
static void format_score(int64_t milli, char out[32])
{
    uint64_t magnitude = milli < 0 ? 0 : (uint64_t)milli;
    snprintf(out, 32, "%" PRIu64 ".%03" PRIu64, magnitude / 1000,
             magnitude % 1000);
}

static const char *score_kind_name(int32_t kind)
{
    switch (kind) {
    case OTAPRIO_SCORE_DEFECT:
        return "defect";
    case OTAPRIO_SCORE_CRITICALITY:
        return "criticality";
    case OTAPRIO_SCORE_DELIVERY:
        return "delivery_risk";
    case OTAPRIO_SCORE_PRIORITY:
        return "priority";
    }
    return "unknown";
}

static int encode_failure(const score_output *out)
{
    /* jansson fails alike when it cannot build or cannot write. */
    if (ferror(stdout))
        return cli_write_error(out->who);
    cli_error(out->who, "cannot encode the JSON output");
    return CLI_EXIT_FAILURE;
}

/* A JSON array of explanation lines, or NULL when out of memory. */
static json_t *lines_json(const otaprio_factor_points *lines, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < count; i++) {
        const otaprio_factor_points *line = &lines[i];
        json_t *item = json_pack(
            "{s:s, s:i, s:s, s:f, s:f}", "score", score_kind_name(line->score),
            "factor", (int)line->factor, "label",
            otaprio_factor_label(line->factor, line->input), "input",
            line->input, "points", (double)line->milli / 1000.0);
        if (json_array_append_new(array, item) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

/* ---- the issue --------------------------------------------------------- */

static void print_line(const otaprio_factor_points *line, const char *indent)
{
    char points[32];
    format_points(line->milli, points);
    const char *label = otaprio_factor_label(line->factor, line->input);
    if (line->factor == OTAPRIO_FACTOR_SSVC_DECISION)
        printf("%s%9s  SSVC decision: %s\n", indent, points, label);
    else
        printf("%s%9s  %s\n", indent, points, label);
}

static void print_issue_text(int32_t model, const otaprio_issue_score *score,
                             const otaprio_factor_points *lines, size_t count)
{
    char points[32];
    format_score(score->score_milli, points);
    printf("tier:   %s\n", otaprio_tier_name(score->tier));
    printf("score:  %s\n", points);
    printf("ssvc:   %s\n", otaprio_ssvc_name(score->ssvc));
    const char *model_name = cli_names_name(&cli_names_model, model);
    printf("model:  %s\n", model_name != NULL ? model_name : "unknown");
    puts("scorecard:");
    for (size_t i = 0; i < count; i++)
        print_line(&lines[i], "  ");
}

int score_output_issue(score_output *out, int32_t model,
                       const otaprio_issue_score *score,
                       const otaprio_factor_points *lines, size_t count,
                       bool fleet)
{
    if (!out->json) {
        print_issue_text(model, score, lines, count);
        return 0;
    }
    const char *model_name = cli_names_name(&cli_names_model, model);
    json_t *scorecard = lines_json(lines, count);
    if (scorecard == NULL)
        return encode_failure(out);
    json_t *issue = json_pack(
        "{s:i, s:s, s:f, s:I, s:s, s:s, s:o}", "tier", (int)score->tier,
        "tier_name", otaprio_tier_name(score->tier), "score",
        (double)score->score_milli / 1000.0, "score_milli",
        (json_int_t)score->score_milli, "ssvc", otaprio_ssvc_name(score->ssvc),
        "model", model_name != NULL ? model_name : "unknown", "scorecard",
        scorecard);
    if (issue == NULL)
        return encode_failure(out);
    fputs("{\"issue\": ", stdout);
    int status = json_dumpf(issue, stdout, SCORE_JSON_FLAGS);
    json_decref(issue);
    if (status != 0)
        return encode_failure(out);
    fputs(fleet ? ",\n" : "}\n", stdout);
    return 0;
}

/* ---- devices ----------------------------------------------------------- */

void score_output_devices_begin(score_output *out)
{
    if (out->json) {
        fputs("\"devices\": ", stdout);
        cli_json_stream_begin(&out->stream, stdout);
        out->stream.flags = SCORE_JSON_FLAGS;
    } else {
        printf("\n%8s  %-11s  %s  %s\n", "priority", "disposition", "reasons",
               "id");
    }
}

static void print_reasons(uint32_t reasons)
{
    if (reasons == 0) {
        putchar('-');
        return;
    }
    bool first = true;
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++) {
        if ((reasons >> bit) & 1u) {
            if (!first)
                putchar(',');
            fputs(otaprio_reason_name(1u << bit), stdout);
            first = false;
        }
    }
}

static void print_explained_text(const score_explained *e)
{
    static const struct {
        int32_t kind;
        const char *title;
    } parts[] = {
        {OTAPRIO_SCORE_CRITICALITY, "criticality"},
        {OTAPRIO_SCORE_DELIVERY, "delivery risk"},
        {OTAPRIO_SCORE_PRIORITY, "priority"},
    };
    const int64_t totals[] = {e->score.criticality_milli,
                              e->score.delivery_milli, e->score.priority_milli};
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        char score[32];
        format_score(totals[p], score);
        printf("    %s %s\n", parts[p].title, score);
        for (size_t i = 0; i < e->count; i++)
            if (e->lines[i].score == parts[p].kind)
                print_line(&e->lines[i], "    ");
    }
}

/* The device as a JSON object, or NULL with `*reported` true when its
 * identifier cannot be JSON (cli_json_id() has said why). */
static json_t *device_json(const score_output *out, const score_device *device,
                           bool *reported)
{
    *reported = false;
    json_t *reasons = json_array();
    for (int bit = 0; reasons != NULL && bit < OTAPRIO_REASON_COUNT; bit++) {
        if (((device->reasons >> bit) & 1u) &&
            json_array_append_new(
                reasons, json_string(otaprio_reason_name(1u << bit))) != 0) {
            json_decref(reasons);
            reasons = NULL;
        }
    }
    const score_explained *e = device->explained;
    json_t *explanation = NULL;
    if (e != NULL) {
        json_t *lines = lines_json(e->lines, e->count);
        explanation =
            lines == NULL
                ? NULL
                : json_pack(
                      "{s:f, s:f, s:f, s:o}", "criticality",
                      (double)e->score.criticality_milli / 1000.0,
                      "delivery_risk", (double)e->score.delivery_milli / 1000.0,
                      "priority", (double)e->score.priority_milli / 1000.0,
                      "lines", lines);
    }
    if (reasons == NULL || (e != NULL && explanation == NULL)) {
        json_decref(reasons);
        json_decref(explanation);
        return NULL;
    }
    json_t *id = cli_json_id(out->who, device->id, device->id_length);
    if (id == NULL) {
        *reported = true;
        json_decref(reasons);
        json_decref(explanation);
        return NULL;
    }
    json_t *row =
        json_pack("{s:o, s:I, s:f, s:s, s:o, s:f, s:f}", "id", id, "row",
                  (json_int_t)device->row, "priority", device->priority,
                  "disposition", otaprio_disposition_name(device->disposition),
                  "reasons", reasons, "criticality", device->criticality,
                  "delivery_risk", device->delivery_risk);
    if (row == NULL) {
        json_decref(explanation);
        return NULL;
    }
    if (explanation != NULL &&
        json_object_set_new(row, "explanation", explanation) != 0) {
        json_decref(row);
        return NULL;
    }
    return row;
}

int score_output_device(score_output *out, const score_device *device)
{
    if (out->json) {
        bool reported;
        json_t *row = device_json(out, device, &reported);
        if (row == NULL && reported)
            return CLI_EXIT_FAILURE;
        if (row == NULL || cli_json_stream_put_new(&out->stream, row) != 0)
            return encode_failure(out);
        return 0;
    }
    printf("%8.3f  %-11s  ", device->priority,
           otaprio_disposition_name(device->disposition));
    print_reasons(device->reasons);
    fputs("  ", stdout);
    cli_print_id(stdout, device->id, device->id_length, false);
    putchar('\n');
    if (device->explained != NULL)
        print_explained_text(device->explained);
    return 0;
}

/* ---- totals ------------------------------------------------------------ */

static int print_totals_json(score_output *out, const score_totals *totals)
{
    json_t *by_disposition = json_object();
    json_t *by_reason = json_object();
    for (int32_t d = 0; d < 4 && by_disposition != NULL; d++)
        if (json_object_set_new(
                by_disposition, otaprio_disposition_name(d),
                json_integer((json_int_t)totals->by_disposition[d])) != 0) {
            json_decref(by_disposition);
            by_disposition = NULL;
        }
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT && by_reason != NULL; bit++)
        if (json_object_set_new(
                by_reason, otaprio_reason_name(1u << bit),
                json_integer((json_int_t)totals->by_reason[bit])) != 0) {
            json_decref(by_reason);
            by_reason = NULL;
        }
    if (by_disposition == NULL || by_reason == NULL) {
        json_decref(by_disposition);
        json_decref(by_reason);
        return encode_failure(out);
    }
    json_t *object =
        json_pack("{s:I, s:o, s:o}", "devices", (json_int_t)totals->devices,
                  "by_disposition", by_disposition, "by_reason", by_reason);
    if (object == NULL)
        return encode_failure(out);
    cli_json_stream_close(&out->stream);
    fputs(",\n\"totals\": ", stdout);
    int status = json_dumpf(object, stdout, SCORE_JSON_FLAGS);
    json_decref(object);
    if (status != 0)
        return encode_failure(out);
    fputs("}\n", stdout);
    return 0;
}

int score_output_totals(score_output *out, const score_totals *totals)
{
    if (out->json)
        return print_totals_json(out, totals);
    printf("\ntotals: %" PRIu64 " device%s\n", totals->devices,
           totals->devices == 1 ? "" : "s");
    for (int32_t d = 0; d < 4; d++)
        printf("  %-11s  %" PRIu64 "\n", otaprio_disposition_name(d),
               totals->by_disposition[d]);
    bool any = false;
    for (int bit = 0; bit < OTAPRIO_REASON_COUNT; bit++) {
        if (totals->by_reason[bit] == 0)
            continue;
        if (!any)
            puts("reasons:");
        any = true;
        printf("  %-27s  %" PRIu64 "\n", otaprio_reason_name(1u << bit),
               totals->by_reason[bit]);
    }
    return 0;
}
