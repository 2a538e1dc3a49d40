/* SPDX-License-Identifier: MIT */
/*
 * What `otaprio graph` prints: the answers document as one JSON value, or
 * as text, one section per query in the document's order, separated by a
 * blank line. Names are printed as cli_print_id() prints identifiers:
 * control bytes as \xHH, so one name stays on one line.
 */
#include <inttypes.h>
#include <string.h>

#include "graph_cmd.h"

static void print_name(json_t *string)
{
    cli_print_id(stdout, json_string_value(string), json_string_length(string),
                 false);
}

static const char *plural(json_int_t count, const char *one, const char *many)
{
    return count == 1 ? one : many;
}

/* "a, b, c" */
static void print_names(json_t *array)
{
    size_t i;
    json_t *name;
    json_array_foreach(array, i, name)
    {
        if (i != 0)
            fputs(", ", stdout);
        print_name(name);
    }
}

/* "requires os >= 12.0" of a relation object. */
static void print_relation(json_t *relation)
{
    printf("relation %" JSON_INTEGER_FORMAT ", %s ",
           json_integer_value(json_object_get(relation, "relation")),
           json_string_value(json_object_get(relation, "kind")));
    print_name(json_object_get(relation, "component"));
    putchar(' ');
    print_name(json_object_get(relation, "text"));
}

static json_int_t integer(json_t *object, const char *key)
{
    return json_integer_value(json_object_get(object, key));
}

/* ---- sections -------------------------------------------------------- */

static void print_order(json_t *order)
{
    if (json_array_size(order) == 0) {
        puts("release order: no packages");
        return;
    }
    puts("release order:");
    size_t i;
    json_t *name;
    json_array_foreach(order, i, name)
    {
        fputs("  ", stdout);
        print_name(name);
        putchar('\n');
    }
}

static void print_cycles(json_t *cycles)
{
    json_int_t count = (json_int_t)json_array_size(cycles);
    if (count == 0) {
        puts("cycles: none");
        return;
    }
    printf("cycles: %" JSON_INTEGER_FORMAT " %s of mutually dependent "
           "packages\n",
           count, plural(count, "group", "groups"));
    size_t i;
    json_t *group;
    json_array_foreach(cycles, i, group)
    {
        fputs("  ", stdout);
        print_names(group);
        putchar('\n');
    }
}

static void print_impact_heading(json_t *impact)
{
    fputs("impact of ", stdout);
    print_name(json_object_get(impact, "component"));
    putchar(' ');
    print_name(json_object_get(impact, "constraint"));
}

static void print_impact(json_t *impacts)
{
    size_t k;
    json_t *impact;
    json_array_foreach(impacts, k, impact)
    {
        if (k != 0)
            putchar('\n');
        json_int_t count = integer(impact, "count");
        json_t *families = json_object_get(impact, "families");
        json_int_t family_count = (json_int_t)json_array_size(families);
        print_impact_heading(impact);
        printf(": %" JSON_INTEGER_FORMAT " %s, %" JSON_INTEGER_FORMAT
               " product %s\n",
               count, plural(count, "package", "packages"), family_count,
               plural(family_count, "family", "families"));
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(impact, "packages"), i, item)
        {
            printf("  %-9s  ",
                   json_string_value(json_object_get(item, "mark")));
            print_name(json_object_get(item, "name"));
            putchar('\n');
        }
        json_array_foreach(families, i, item)
        {
            printf("  %-9s  ", "family");
            print_name(item);
            putchar('\n');
        }
    }
}

static void print_installed(json_t *installed)
{
    if (json_object_size(installed) == 0) {
        fputs("nothing the catalog names", stdout);
        return;
    }
    bool first = true;
    const char *component;
    json_t *version;
    json_object_foreach(installed, component, version)
    {
        if (!first)
            fputs(", ", stdout);
        first = false;
        cli_print_id(stdout, component, strlen(component), false);
        putchar(' ');
        print_name(version);
    }
}

static void print_path(json_t *device)
{
    json_t *path = json_object_get(device, "path");
    json_t *target = json_object_get(device, "target");
    fputs("  update path:   ", stdout);
    if (json_is_null(path)) {
        fputs("none: ", stdout);
        print_name(json_object_get(device, "no_path"));
        putchar('\n');
        return;
    }
    json_int_t length = integer(path, "length");
    if (length == 0 && json_is_true(json_object_get(device, "eligible"))) {
        fputs("none needed: it can install ", stdout);
        print_name(target);
        puts(" now");
        return;
    }
    if (length == 0) {
        /* What installing cannot cure, such as being current already. */
        fputs("none needed for its relations, but still blocked: ", stdout);
        print_names(json_object_get(device, "blocks"));
        putchar('\n');
        return;
    }
    printf("%" JSON_INTEGER_FORMAT " %s, %" JSON_INTEGER_FORMAT
           " bytes to download, then ",
           length, plural(length, "step", "steps"),
           integer(path, "download_bytes"));
    print_name(target);
    printf(" (%" JSON_INTEGER_FORMAT " bytes)\n",
           integer(path, "target_download_bytes"));
    /* Names padded to the longest, so the sizes line up. */
    json_t *steps = json_object_get(path, "steps");
    size_t width = 0;
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step)
    {
        size_t size = json_string_length(json_object_get(step, "package"));
        width = size > width ? size : width;
    }
    json_array_foreach(steps, i, step)
    {
        json_t *name = json_object_get(step, "package");
        printf("    %zu  ", i + 1);
        print_name(name);
        printf("%*s  %" JSON_INTEGER_FORMAT " bytes\n",
               (int)(width - json_string_length(name)), "",
               integer(step, "download_bytes"));
    }
}

static void print_device(json_t *device)
{
    fputs("device and target ", stdout);
    print_name(json_object_get(device, "target"));
    puts(":");
    fputs("  installed:     ", stdout);
    print_installed(json_object_get(device, "installed"));
    putchar('\n');
    bool eligible = json_is_true(json_object_get(device, "eligible"));
    printf("  eligible now:  %s\n", eligible ? "yes" : "no");
    if (!eligible) {
        fputs("  blocks:        ", stdout);
        print_names(json_object_get(device, "blocks"));
        putchar('\n');
    }
    json_t *failed = json_object_get(device, "first_failed");
    if (!json_is_null(failed)) {
        fputs("  first failed:  ", stdout);
        print_relation(failed);
        json_t *installed = json_object_get(failed, "installed");
        if (json_is_null(installed)) {
            puts(" (not installed)");
        } else {
            fputs(" (installed: ", stdout);
            print_name(installed);
            puts(")");
        }
    }
    print_path(device);
}

static void print_fleet_target(json_t *target)
{
    fputs("  target ", stdout);
    print_name(json_object_get(target, "name"));
    printf(": %" JSON_INTEGER_FORMAT " eligible, %" JSON_INTEGER_FORMAT
           " blocked\n",
           integer(target, "eligible"), integer(target, "blocked"));
    const char *block;
    json_t *count;
    json_object_foreach(json_object_get(target, "blocks"), block, count)
    {
        if (json_integer_value(count) != 0)
            printf("    %-12s  %" JSON_INTEGER_FORMAT "\n", block,
                   json_integer_value(count));
    }
    json_t *failed = json_object_get(target, "first_failed");
    if (json_array_size(failed) == 0)
        return;
    puts("  first failed relations:");
    size_t i;
    json_t *relation;
    json_array_foreach(failed, i, relation)
    {
        json_int_t devices = integer(relation, "devices");
        fputs("    ", stdout);
        print_relation(relation);
        printf(": %" JSON_INTEGER_FORMAT " %s\n", devices,
               plural(devices, "device", "devices"));
    }
}

static void print_fleet(json_t *fleet)
{
    json_int_t devices = integer(fleet, "devices");
    fputs("fleet ", stdout);
    print_name(json_object_get(fleet, "file"));
    printf(": %" JSON_INTEGER_FORMAT " %s\n", devices,
           plural(devices, "device", "devices"));
    json_t *target = json_object_get(fleet, "target");
    if (target != NULL)
        print_fleet_target(target);
    size_t k;
    json_t *impact;
    json_array_foreach(json_object_get(fleet, "impact"), k, impact)
    {
        fputs("  ", stdout);
        print_impact_heading(impact);
        printf(": %" JSON_INTEGER_FORMAT " direct, %" JSON_INTEGER_FORMAT
               " inherited\n",
               integer(impact, "direct"), integer(impact, "inherited"));
    }
}

/* ---- the document ---------------------------------------------------- */

int graph_output_text(const char *who, json_t *answers)
{
    static const struct {
        const char *key;
        void (*print)(json_t *);
    } sections[] = {
        {"order", print_order},   {"cycles", print_cycles},
        {"impact", print_impact}, {"device", print_device},
        {"fleet", print_fleet},
    };
    bool first = true;
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        json_t *value = json_object_get(answers, sections[s].key);
        if (value == NULL)
            continue;
        if (!first)
            putchar('\n');
        first = false;
        sections[s].print(value);
    }
    if (ferror(stdout))
        return cli_write_error(who);
    return 0;
}

int graph_output_json(const char *who, json_t *answers)
{
    if (json_dumpf(answers, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) !=
            0 ||
        fputc('\n', stdout) == EOF) {
        if (ferror(stdout))
            return cli_write_error(who);
        cli_error(who, "cannot encode the JSON output");
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
