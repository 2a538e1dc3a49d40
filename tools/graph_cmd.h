/* SPDX-License-Identifier: MIT */
/*
 * The parts of `otaprio graph`: the catalog reader (catalog_json.c), the
 * name-to-code tables (graph_codes.c), the device given on the command
 * line (graph_device.c), the queries (graph_order.c, graph_impact.c,
 * graph_eligibility.c, graph_fleet.c) and the text writer
 * (graph_output.c). cmd_graph.c ties them.
 *
 * Every query answers with a JSON value: --json prints the document they
 * make together, and the text output is written from the same document,
 * so the two cannot disagree and nothing is printed when a query fails.
 */
#ifndef OTAPRIO_GRAPH_CMD_H
#define OTAPRIO_GRAPH_CMD_H

#include <limits.h>

#include "cli.h"

/* The largest integer jansson holds, for counts and sizes near it. */
#if JSON_INTEGER_IS_LONG_LONG
#define GRAPH_JSON_INT_MAX LLONG_MAX
#else
#define GRAPH_JSON_INT_MAX LONG_MAX
#endif

/* ---- names the host gives codes (graph_codes.c) ---------------------- */

/* The strings of one kind (carriers, regions, enrollment states, product
 * families) that the library knows only as the host's uint32 codes. A
 * name's code is its place in order of first appearance, from 1. The
 * names are a cli_names table, read and listed by the helpers of names.c.
 *
 * Two codes are no name. GRAPH_CODE_UNKNOWN is a device whose value is
 * not known (an empty fleet cell): the library's OTAPRIO_CODE_UNKNOWN,
 * which every rule on the attribute refuses, denial lists included.
 * GRAPH_CODE_UNNAMED is a value that no package names: every allow list
 * refuses it and no denial list holds it. */
#define GRAPH_CODE_UNKNOWN OTAPRIO_CODE_UNKNOWN
#define GRAPH_CODE_UNNAMED UINT32_C(0)
typedef struct graph_codes {
    cli_names view;     /* view.names[code]; view.names[0] is NULL */
    const char **table; /* the storage behind view.names */
    size_t capacity;
} graph_codes;

void graph_codes_init(graph_codes *codes, const char *what);
void graph_codes_release(graph_codes *codes);
/* The code of `name` (NUL-terminated, borrowed: it must outlive the
 * table), given a new one on first sight. Returns 0, or -1 when memory
 * runs out. */
int graph_codes_intern(graph_codes *codes, const char *name, uint32_t *code);
/* The code of the `length` bytes at `name`: GRAPH_CODE_UNKNOWN for no
 * bytes, GRAPH_CODE_UNNAMED when no package names them. */
uint32_t graph_codes_find(const graph_codes *codes, const char *name,
                          size_t length);
/* The name of `code`, or NULL for the unnamed and unknown codes. */
const char *graph_codes_name(const graph_codes *codes, uint32_t code);

/* ---- the catalog (catalog_json.c) ------------------------------------ */

/* One relation of a package, as the file gave it. */
typedef struct graph_relation {
    int32_t kind; /* otaprio_relation */
    uint32_t component;
    const char *text; /* constraint or version, borrowed from the document */
} graph_relation;

/* A catalog file read and built, with what the CLI needs beside the
 * library's catalog: the names behind the codes, and each package's
 * relations and sizes to write the answers in the file's own words. */
typedef struct graph_catalog {
    const char *file; /* as shown in messages */
    json_t *document; /* owns every borrowed string below */
    otaprio_catalog *catalog;
    cli_names components; /* components.names[id], borrowed */
    const char **component_names;
    size_t package_count;
    const char **package_names; /* borrowed */
    uint64_t *download_bytes;
    uint32_t *family; /* code in `families`, 0 for none */
    /* Relations of package p: relations[relation_start[p] ..
     * relation_start[p + 1] - 1], in the library's numbering. */
    size_t *relation_start;
    graph_relation *relations;
    size_t relation_capacity;
    graph_codes families;
    graph_codes carriers;
    graph_codes regions; /* allowed and denied regions share codes */
    graph_codes enrollments;
} graph_catalog;

/* Reads the catalog file at `path` ("-" for standard input) and builds it.
 * Returns 0, or CLI_EXIT_FAILURE after naming the file and the place in
 * it that is wrong. `catalog` is released by graph_catalog_release() in
 * either case. */
int graph_catalog_read(const char *who, const char *path,
                       graph_catalog *catalog);
void graph_catalog_release(graph_catalog *catalog);

/* The name of a component's version id, as the catalog first saw it. */
json_t *graph_version_json(const graph_catalog *catalog, uint32_t component,
                           uint32_t version);
/* A package's relation number `relation` as a JSON object {"relation",
 * "kind", "component", "text"}, or NULL when out of memory. */
json_t *graph_relation_json(const graph_catalog *catalog, uint32_t package,
                            uint32_t relation);

/* "a, b, c": every component name, for messages. */
void graph_component_list(const graph_catalog *catalog, char *out, size_t size);

/* ---- the device of --device (graph_device.c) ------------------------- */

/* `component=version` settings, checked before any file is read. */
typedef struct graph_setting {
    const char *component;
    size_t component_length;
    const char *version;
    size_t version_length;
} graph_setting;

typedef struct graph_device_args {
    graph_setting *settings; /* in command-line order */
    size_t setting_count;
    size_t setting_capacity;
    const char *carrier; /* NULL: unknown */
    const char *region;
    const char *enrollment;
    bool has_battery;
    float battery;
    bool charging;
    bool has_free_bytes;
    uint64_t free_bytes;
    bool metered;
} graph_device_args;

/* Adds the settings of one --device argument ("os=12.1,modem=2.0").
 * Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after saying what is wrong (no
 * '=', an empty name, a malformed version, a component set twice), or
 * CLI_EXIT_FAILURE when memory runs out. */
int graph_device_parse(const char *who, const char *text,
                       graph_device_args *args);
void graph_device_args_release(graph_device_args *args);

/* One device as the library's one-device chunk: version columns and the
 * predicate columns the command line set. */
typedef struct graph_device {
    otaprio_device_state state;
    uint32_t *installed; /* one per component */
    const uint32_t **columns;
    uint32_t carrier;
    uint32_t region;
    uint32_t enrollment;
    float battery;
    uint8_t charging;
    uint64_t free_bytes;
    uint8_t metered;
} graph_device;

/* Resolves the settings against the catalog. Returns 0, or
 * CLI_EXIT_FAILURE after naming a component or version the catalog does
 * not have. Release with graph_device_release() in either case. */
int graph_device_resolve(const char *who, const graph_catalog *catalog,
                         const graph_device_args *args, graph_device *device);
void graph_device_release(graph_device *device);

/* ---- queries --------------------------------------------------------- */

/* Each returns 0 with `*result` set to a new JSON value, or
 * CLI_EXIT_FAILURE after reporting the problem on stderr. */

/* ["name", ...] in release order; a cycle is an error that names it. */
int graph_query_order(const char *who, const graph_catalog *catalog,
                      json_t **result);
/* [["a", "b"], ...]: each set of mutually dependent packages. */
int graph_query_cycles(const char *who, const graph_catalog *catalog,
                       json_t **result);

/* The component and constraint of one --impact COMPONENT:CONSTRAINT,
 * checked before any file is read. */
typedef struct graph_impact_args {
    const char *component;
    size_t component_length;
    const char *constraint;
    size_t constraint_length;
} graph_impact_args;

/* Returns CLI_EXIT_OK or CLI_EXIT_USAGE after saying what is wrong. */
int graph_impact_parse(const char *who, const char *text,
                       graph_impact_args *args);
/* {"component", "constraint", "count", "packages": [{"name", "mark"}],
 * "families": [...]}. */
int graph_query_impact(const char *who, const graph_catalog *catalog,
                       const graph_impact_args *args, json_t **result);
/* The component id of an --impact, or CLI_EXIT_FAILURE after naming the
 * unknown component. */
int graph_impact_component(const char *who, const graph_catalog *catalog,
                           const graph_impact_args *args, uint32_t *component);

/* The package named by --target, or CLI_EXIT_FAILURE after saying no
 * package has that name. */
int graph_find_target(const char *who, const graph_catalog *catalog,
                      const char *name, uint32_t *package);
/* The ::otaprio_block bits as an array of their names. */
json_t *graph_blocks_json(uint32_t blocks);
/* A byte count as a JSON integer, or NULL when jansson's integers (signed
 * 64 bits) cannot hold it. */
json_t *graph_bytes_json(uint64_t bytes);

/* One device and one target: eligibility now and the update path. */
int graph_query_device(const char *who, const graph_catalog *catalog,
                       const graph_device *device, uint32_t target,
                       uint64_t max_states, json_t **result);

/* The devices of a fleet CSV against one target (and the --impact
 * arguments, whose devices it counts). */
typedef struct graph_fleet_args {
    const char *path;
    bool ignore_unknown;
    bool has_target;
    uint32_t target;
    const graph_impact_args *impacts;
    size_t impact_count;
} graph_fleet_args;

int graph_query_fleet(const char *who, const graph_catalog *catalog,
                      const graph_fleet_args *args, json_t **result);

/* ---- output (graph_output.c) ----------------------------------------- */

/* Writes the answers (the document the queries made) as text. Returns 0,
 * or CLI_EXIT_FAILURE after reporting a write error. */
int graph_output_text(const char *who, json_t *answers);
/* Writes the answers as one JSON document. */
int graph_output_json(const char *who, json_t *answers);

#endif /* OTAPRIO_GRAPH_CMD_H */
