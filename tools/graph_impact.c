/* SPDX-License-Identifier: MIT */
/*
 * Impact of a flaw in some versions of a component: the packages that
 * ship or need a flawed version (direct), those that depend on them
 * (inherited), and the product families any of them belongs to.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "graph_cmd.h"

int graph_impact_parse(const char *who, const char *text,
                       graph_impact_args *args)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(text, strlen(text), shown);
    /* Component names may hold no colon here; constraints never do. */
    const char *colon = strchr(text, ':');
    if (colon == NULL)
        return cli_usage_error(who,
                               "bad --impact '%s': expected "
                               "COMPONENT:CONSTRAINT, e.g. 'libssl:< 3.0.14'",
                               shown);
    args->component = text;
    args->component_length = (size_t)(colon - text);
    args->constraint = colon + 1;
    args->constraint_length = strlen(colon + 1);
    cli_trim_blanks(&args->component, &args->component_length);
    cli_trim_blanks(&args->constraint, &args->constraint_length);
    if (args->component_length == 0 || args->constraint_length == 0)
        return cli_usage_error(who,
                               "bad --impact '%s': the component and the "
                               "constraint must not be empty",
                               shown);
    /* The constraint's syntax needs no catalog: matched against any
     * version, a malformed one fails and says where. */
    int matches;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_constraint_matches(
        args->constraint, args->constraint_length, "0", 1, &matches, &diag);
    if (status == OTAPRIO_OK)
        return CLI_EXIT_OK;
    char constraint[CLI_QUOTE_SIZE];
    cli_quote(args->constraint, args->constraint_length, constraint);
    if (status == OTAPRIO_E_SYNTAX && diag.status == status && diag.index >= 0)
        return cli_usage_error(who,
                               "bad --impact constraint '%s' at byte "
                               "%" PRId64 ": %s",
                               constraint, diag.index, diag.message);
    return cli_usage_error(who, "bad --impact constraint '%s': %s%s%s",
                           constraint, otaprio_strerror(status),
                           diag.status == status ? ": " : "",
                           diag.status == status ? diag.message : "");
}

int graph_impact_component(const char *who, const graph_catalog *catalog,
                           const graph_impact_args *args, uint32_t *component)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_catalog_component_id(catalog->catalog, args->component,
                                     args->component_length, component, &diag);
    if (status == OTAPRIO_OK)
        return 0;
    if (status != OTAPRIO_E_NOT_FOUND)
        return cli_library_error(who, "otaprio_catalog_component_id", status,
                                 &diag);
    char shown[CLI_QUOTE_SIZE];
    char known[1024];
    cli_quote(args->component, args->component_length, shown);
    graph_component_list(catalog, known, sizeof known);
    cli_error(who, "--impact: %s has no component '%s'; components: %s",
              catalog->file, shown, known[0] != '\0' ? known : "(none)");
    return CLI_EXIT_FAILURE;
}

/* {"name", "mark"} of every package hit, in catalog order. */
static json_t *packages_json(const graph_catalog *catalog, const uint8_t *marks)
{
    json_t *packages = json_array();
    for (size_t p = 0; packages != NULL && p < catalog->package_count; p++) {
        if (marks[p] == 0)
            continue;
        json_t *item =
            json_pack("{s:s, s:s}", "name", catalog->package_names[p], "mark",
                      marks[p] == 1 ? "direct" : "inherited");
        if (json_array_append_new(packages, item) != 0) {
            json_decref(packages);
            packages = NULL;
        }
    }
    return packages;
}

/* The families of the packages hit, in order of first appearance in the
 * catalog. */
static json_t *families_json(const graph_catalog *catalog, const uint8_t *marks)
{
    size_t count = catalog->families.view.count;
    bool *hit = calloc(count != 0 ? count : 1, sizeof *hit);
    json_t *families = hit != NULL ? json_array() : NULL;
    for (size_t p = 0; families != NULL && p < catalog->package_count; p++)
        if (marks[p] != 0)
            hit[catalog->family[p]] = true;
    for (uint32_t code = 1; families != NULL && code < count; code++) {
        if (hit[code] && json_array_append_new(
                             families, json_string(graph_codes_name(
                                           &catalog->families, code))) != 0) {
            json_decref(families);
            families = NULL;
        }
    }
    free(hit);
    return families;
}

int graph_query_impact(const char *who, const graph_catalog *catalog,
                       const graph_impact_args *args, json_t **result)
{
    uint32_t component;
    if (graph_impact_component(who, catalog, args, &component) != 0)
        return CLI_EXIT_FAILURE;
    size_t count = catalog->package_count;
    uint8_t *marks = malloc(count != 0 ? count : 1);
    if (marks == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    uint64_t hit = 0;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        otaprio_catalog_impact(catalog->catalog, component, args->constraint,
                               args->constraint_length, marks, &hit, &diag);
    if (status != OTAPRIO_OK) {
        free(marks);
        return cli_library_error(who, "otaprio_catalog_impact", status, &diag);
    }
    json_t *packages = packages_json(catalog, marks);
    json_t *families = families_json(catalog, marks);
    free(marks);
    *result = NULL;
    if (packages != NULL && families != NULL)
        *result = json_pack("{s:s, s:s%, s:I, s:o, s:o}", "component",
                            catalog->component_names[component], "constraint",
                            args->constraint, args->constraint_length, "count",
                            (json_int_t)hit, "packages", packages, "families",
                            families);
    else {
        json_decref(packages);
        json_decref(families);
    }
    if (*result == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
