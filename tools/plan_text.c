/* SPDX-License-Identifier: MIT */
/*
 * The plan of `otaprio plan` as text, written from the JSON document of
 * plan_json.c so that both outputs show the same numbers. Reals are
 * printed with fixed precision, in the C locale's format (the CLI never
 * calls setlocale()), so the same plan gives the same bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "plan_cmd.h"

static const char *text_of(json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text != NULL ? text : "-";
}

static json_int_t int_of(json_t *object, const char *key)
{
    return json_integer_value(json_object_get(object, key));
}

/* A real with `digits` decimals, or "-" for null. */
static void print_real(json_t *object, const char *key, int digits)
{
    json_t *value = json_object_get(object, key);
    if (json_is_number(value))
        printf("%.*f", digits, json_number_value(value));
    else
        fputs("-", stdout);
}

/* The strings of an array joined by ", ", or `none`. */
static void print_list(json_t *array, const char *none)
{
    size_t i;
    json_t *item;
    if (json_array_size(array) == 0) {
        fputs(none, stdout);
        return;
    }
    json_array_foreach(array, i, item)
    {
        if (i != 0)
            fputs(", ", stdout);
        if (json_is_string(item))
            fputs(json_string_value(item), stdout);
        else
            printf("%" JSON_INTEGER_FORMAT, json_integer_value(item));
    }
}

static void print_headline(json_t *doc)
{
    printf("tier: %s (before graph impact and telemetry: %s)\n",
           text_of(doc, "tier_name"), text_of(doc, "tier_before_name"));
    fputs("score: ", stdout);
    print_real(doc, "score", 3);
    printf("  ssvc: %s  affected share: ", text_of(doc, "ssvc"));
    print_real(doc, "affected_share", 4);
    fputs("\n", stdout);
    if (json_is_string(json_object_get(doc, "package")))
        printf("package: %s\n", text_of(doc, "package"));
    fputs("notes: ", stdout);
    print_list(json_object_get(doc, "notes"), "none");
    fputs("\n\nscorecard:\n", stdout);
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(doc, "scorecard"), i, line)
    {
        printf("  %+9.3f  %s\n",
               json_number_value(json_object_get(line, "points")),
               text_of(line, "factor"));
    }
}

static void print_counts(json_t *doc)
{
    json_t *counts = json_object_get(doc, "counts");
    printf("\ndevices: %" JSON_INTEGER_FORMAT
           "  affected: %" JSON_INTEGER_FORMAT
           "  planned: %" JSON_INTEGER_FORMAT
           "  critical held to broad: %" JSON_INTEGER_FORMAT "\n",
           int_of(counts, "devices"), int_of(counts, "affected"),
           int_of(counts, "planned"), int_of(counts, "critical_held"));
    const char *key;
    json_t *value;
    fputs("by disposition:", stdout);
    json_object_foreach(json_object_get(counts, "by_disposition"), key, value)
    {
        printf(" %s %" JSON_INTEGER_FORMAT, key, json_integer_value(value));
    }
    fputs("\nby reason:", stdout);
    json_t *reasons = json_object_get(counts, "by_reason");
    if (json_object_size(reasons) == 0)
        fputs(" none", stdout);
    json_object_foreach(reasons, key, value)
    {
        printf(" %s %" JSON_INTEGER_FORMAT ";", key, json_integer_value(value));
    }
    json_t *rollback = json_object_get(doc, "rollback");
    printf("\nrollback of the first canary: %s; weak causes: ",
           text_of(rollback, "tier"));
    print_list(json_object_get(rollback, "weak_causes"), "none");
    fputs("\nhours to the broad wave: ", stdout);
    print_real(doc, "hours_to_broad", 1);
    fputs("\n", stdout);
    json_t *breakglass = json_object_get(doc, "breakglass");
    if (json_is_object(breakglass)) {
        printf("break-glass: %s; unmet: ",
               json_is_true(json_object_get(breakglass, "approved"))
                   ? "approved"
                   : "denied");
        print_list(json_object_get(breakglass, "unmet"), "none");
        fputs("\n", stdout);
    }
}

static void print_wave(json_t *wave)
{
    printf("  wave %" JSON_INTEGER_FORMAT " %s: fraction ",
           int_of(wave, "wave"), text_of(wave, "stage"));
    print_real(wave, "fraction", 4);
    printf(", devices %" JSON_INTEGER_FORMAT
           " (cumulative %" JSON_INTEGER_FORMAT "), soak ",
           int_of(wave, "devices"), int_of(wave, "cumulative"));
    print_real(wave, "soak_hours", 1);
    printf(" h%s, tolerance x",
           json_is_true(json_object_get(wave, "maintenance_window"))
               ? " in maintenance windows"
               : "");
    print_real(wave, "tolerance_scale", 3);
    fputs("\n    tvd ", stdout);
    print_real(wave, "tvd", 4);
    fputs(", strata coverage ", stdout);
    print_real(wave, "strata_coverage", 4);
    fputs(", mass coverage ", stdout);
    print_real(wave, "mass_coverage", 4);
    printf(", chains uncovered %" JSON_INTEGER_FORMAT
           ", clusters uncovered %" JSON_INTEGER_FORMAT "\n",
           int_of(wave, "chains_uncovered"),
           int_of(wave, "clusters_uncovered"));
    json_t *rollback = json_object_get(wave, "rollback");
    printf("    rollback: %s (confidence ", text_of(rollback, "tier"));
    print_real(rollback, "confidence", 3);
    fputs("): ", stdout);
    print_list(json_object_get(rollback, "steps"), "no steps");
    fputs("\n", stdout);
}

static void print_chain(json_t *chain)
{
    printf("  chain %" JSON_INTEGER_FORMAT ": devices %" JSON_INTEGER_FORMAT
           ", blocked %" JSON_INTEGER_FORMAT ", planned %" JSON_INTEGER_FORMAT
           ", first wave ",
           int_of(chain, "chain"), int_of(chain, "devices"),
           int_of(chain, "blocked"), int_of(chain, "planned"));
    json_t *first = json_object_get(chain, "first_wave");
    if (json_is_integer(first))
        printf("%" JSON_INTEGER_FORMAT, json_integer_value(first));
    else
        fputs("none", stdout);
    printf(", example %s\n    path %s", text_of(chain, "example_key"),
           text_of(chain, "path_status"));
    json_t *path = json_object_get(chain, "path");
    if (json_array_size(path) != 0) {
        fputs(": ", stdout);
        size_t p;
        json_t *package;
        json_array_foreach(path, p, package)
        {
            printf("%s%s", p != 0 ? " -> " : "",
                   json_is_string(package) ? json_string_value(package) : "?");
        }
        printf(" (%" JSON_INTEGER_FORMAT " bytes)",
               int_of(chain, "path_bytes"));
    }
    fputs("\n", stdout);
}

static void print_warning(json_t *warning)
{
    printf("  %s", text_of(warning, "warning"));
    json_t *wave = json_object_get(warning, "wave");
    if (json_is_integer(wave))
        printf(" (wave %" JSON_INTEGER_FORMAT ")", json_integer_value(wave));
    printf(": subject %" JSON_INTEGER_FORMAT ", devices %" JSON_INTEGER_FORMAT
           "\n",
           int_of(warning, "subject"), int_of(warning, "devices"));
}

/* The array `key` of the document: "KEY: N", then each element. */
static void print_section(json_t *doc, const char *key,
                          void (*print_element)(json_t *element))
{
    json_t *array = json_object_get(doc, key);
    printf("\n%s: %zu\n", key, json_array_size(array));
    size_t i;
    json_t *element;
    json_array_foreach(array, i, element)
    {
        print_element(element);
    }
}

int plan_text_write(const char *who, json_t *document)
{
    print_headline(document);
    print_counts(document);
    print_section(document, "waves", print_wave);
    print_section(document, "chains", print_chain);
    print_section(document, "warnings", print_warning);
    if (ferror(stdout))
        return cli_write_error(who);
    return 0;
}
