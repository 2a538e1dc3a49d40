/* SPDX-License-Identifier: MIT */
/*
 * The package catalog shared by its files: the builder that collects
 * components, versions, packages and relations, and the immutable catalog
 * it compiles them into. Eligibility is the hot path, so every
 * requires/conflicts constraint and every provided version becomes a byte
 * table over its component's version ids: checking a device is one load
 * per relation.
 */
#ifndef OTAPRIO_CATALOG_INTERNAL_H
#define OTAPRIO_CATALOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "otaprio/graph.h"
#include "version_order.h"

/* The four lists of codes a package may restrict devices by. */
enum {
    CATALOG_LIST_CARRIERS = 0,
    CATALOG_LIST_REGIONS = 1,
    CATALOG_LIST_DENIED = 2,
    CATALOG_LIST_ENROLLMENTS = 3,
    CATALOG_LISTS = 4
};

/* Blocks decided by the device's own columns, never by installing. */
#define CATALOG_PREDICATE_BLOCKS                                          \
    (OTAPRIO_BLOCK_CARRIER | OTAPRIO_BLOCK_REGION | OTAPRIO_BLOCK_LEGAL | \
     OTAPRIO_BLOCK_ENROLLMENT | OTAPRIO_BLOCK_BATTERY |                   \
     OTAPRIO_BLOCK_STORAGE | OTAPRIO_BLOCK_METERED)

/* ---- id tables (catalog_table.c) -------------------------------------- */

/*
 * Open addressing over (hash, id) pairs; the keys themselves live
 * elsewhere and an equality callback compares them, so one table type
 * interns names, versions and pairs of ids.
 */
typedef struct otaprio__id_slot {
    uint64_t hash;
    uint32_t id; /* UINT32_MAX: empty */
} otaprio__id_slot;

typedef struct otaprio__id_table {
    otaprio__id_slot *slots;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
} otaprio__id_table;

/* Whether the key of `id` equals the key being looked for. */
typedef bool (*otaprio__id_equal_fn)(const void *context, uint32_t id);

/* The id whose key equals, or UINT32_MAX. */
uint32_t otaprio__id_table_find(const otaprio__id_table *table, uint64_t hash,
                                otaprio__id_equal_fn equal,
                                const void *context);

/* Makes room for `count` entries in all, so that the insertions up to it
 * cannot fail. */
OTAPRIO__NODISCARD int otaprio__id_table_reserve(const otaprio__mem *mem,
                                                 otaprio__id_table *table,
                                                 size_t count);

/* Inserts a new id; room must have been reserved. */
void otaprio__id_table_insert(otaprio__id_table *table, uint64_t hash,
                              uint32_t id);

void otaprio__id_table_release(const otaprio__mem *mem,
                               otaprio__id_table *table);

/* Hash of a name's bytes. */
uint64_t otaprio__name_hash(const char *name, size_t length);

/* Hash of a version's value within a component: versions equal in the
 * version order hash alike, whatever their spelling. */
uint64_t otaprio__version_hash(uint32_t component,
                               const otaprio__version *version);

/* Hash of a pair of 32-bit ids. */
uint64_t otaprio__pair_hash(uint32_t a, uint32_t b);

/* ---- sorting (catalog_sort.c) ----------------------------------------- */

/* -1, 0 or 1 as the item `a` sorts before, with or after `b`. */
typedef int (*otaprio__order_fn)(const void *context, uint32_t a, uint32_t b);

/* Stable merge sort of `count` ids; `scratch` holds `count` ids. */
void otaprio__sort_ids(uint32_t *ids, uint32_t *scratch, size_t count,
                       otaprio__order_fn order, const void *context);

/* Sorts 64-bit keys ascending. */
void otaprio__sort_u64(uint64_t *keys, size_t count);

/* ---- the builder (catalog_builder.c) ---------------------------------- */

/*
 * Parsed versions view text the builder copied into its text arena, which
 * moves when it grows: they are kept with their text pointer as an offset
 * into the arena and made whole again before use.
 */
typedef struct otaprio__stored_version {
    otaprio__version view; /* view.text is NULL while stored */
    size_t offset;         /* of view.text in the arena */
} otaprio__stored_version;

typedef struct otaprio__stored_constraint {
    otaprio__stored_version lower, upper;
    bool lower_present, lower_inclusive;
    bool upper_present, upper_inclusive;
} otaprio__stored_constraint;

typedef struct builder_component {
    size_t name_offset;
    uint32_t name_length;
    uint32_t version_count;
} builder_component;

typedef struct builder_version {
    otaprio__stored_version stored;
    uint64_t hash;
    uint32_t component;
    uint32_t local; /* id within its component */
} builder_version;

typedef struct builder_package {
    size_t name_offset;
    uint32_t name_length;
    uint32_t relation_count;
    uint64_t download_bytes;
    uint64_t install_bytes;
    uint32_t family;
    float min_battery;
    uint8_t allow_metered;
    size_t list_offset[CATALOG_LISTS]; /* into the builder's codes */
    uint32_t list_count[CATALOG_LISTS];
} builder_package;

typedef struct builder_relation {
    uint32_t package;
    uint32_t component;
    uint32_t kind;
    uint32_t provided; /* local version id, for PROVIDES */
    otaprio__stored_constraint constraint;
} builder_relation;

struct otaprio_catalog_builder {
    otaprio__mem mem;
    otaprio__vec text;       /* char: names, versions, constraints */
    otaprio__vec components; /* builder_component */
    otaprio__vec versions;   /* builder_version, in order of interning */
    otaprio__vec packages;   /* builder_package */
    otaprio__vec codes;      /* uint32_t: predicate lists, sorted */
    otaprio__vec relations;  /* builder_relation, in order of addition */
    otaprio__id_table component_names;
    otaprio__id_table package_names;
    otaprio__id_table version_values; /* ids: indices into versions */
    otaprio__id_table provided;       /* (package, component) pairs */
};

/* A version parsed from a caller's text and looked up, not yet kept. */
typedef struct otaprio__version_probe {
    otaprio__version view; /* over the caller's text */
    const char *text;
    size_t length;
    uint64_t hash;
    uint32_t component;
    uint32_t found; /* local id, or UINT32_MAX when new */
} otaprio__version_probe;

/* Parses a version of a component and looks it up; fails with the
 * parser's status (diag field `field`). Changes nothing. */
OTAPRIO__NODISCARD int otaprio__builder_probe_version(
    const otaprio_catalog_builder *builder, uint32_t component,
    const char *text, size_t length, const char *field,
    otaprio__version_probe *probe, otaprio_diag *diag);

/* Makes room for `versions` new versions of `component` and `text_bytes`
 * bytes of text, so that the commits and appends that follow cannot fail.
 * Changes nothing visible. */
OTAPRIO__NODISCARD int
otaprio__builder_reserve(otaprio_catalog_builder *builder, uint32_t component,
                         size_t versions, size_t text_bytes,
                         otaprio_diag *diag);

/* Keeps a probed version (a no-op when it was found) and returns its local
 * id. Room must have been reserved; a probe of the same value made before
 * this commit finds it afterwards through otaprio__builder_probe_version()
 * only, so probe again or compare. */
uint32_t otaprio__builder_commit_version(otaprio_catalog_builder *builder,
                                         otaprio__version_probe *probe);

/* Appends text to the arena (room reserved) and returns its offset. */
size_t otaprio__builder_append_text(otaprio_catalog_builder *builder,
                                    const char *text, size_t length);

/* A view over the arena from its stored form, and back. */
otaprio__version otaprio__stored_load(const char *base,
                                      const otaprio__stored_version *stored);
otaprio__stored_version otaprio__stored_keep(const char *base,
                                             const otaprio__version *view);

/* Checks a name's length: 1 to OTAPRIO_VERSION_TEXT_MAX bytes. */
OTAPRIO__NODISCARD int otaprio__check_name(const char *name, size_t length,
                                           const char *field,
                                           otaprio_diag *diag);

/* ---- the catalog (catalog_build.c) ------------------------------------ */

typedef struct catalog_component {
    const char *name;
    uint32_t name_length;
    uint32_t version_count;
    size_t version_first; /* into catalog.versions */
} catalog_component;

typedef struct catalog_version {
    otaprio__version view; /* over the catalog's text */
    uint64_t hash;
    uint32_t rank; /* place in its component's version order */
} catalog_version;

/*
 * A relation compiled for lookups. `table` has `version_count + 1` bytes,
 * the last one standing for OTAPRIO_VERSION_NONE. For requires and
 * conflicts a byte is 1 when the constraint admits the version, and the
 * relation fails when `byte ^ flip` is 1 (flip is 1 for requires); for
 * provides it is 1 when the version is at least the provided one.
 * Admitted versions are the ranks [low, high) of the component.
 */
typedef struct catalog_relation {
    const uint8_t *table;
    uint32_t component;
    uint32_t version_count; /* of the component: index of NONE in table */
    uint32_t kind;
    uint32_t number;   /* among the package's relations */
    uint32_t provided; /* local version id, for PROVIDES */
    uint32_t low, high;
    uint8_t flip;
} catalog_relation;

typedef struct catalog_package {
    const char *name;
    uint32_t name_length;
    uint64_t download_bytes;
    uint64_t install_bytes;
    uint32_t family;
    float min_battery;
    uint8_t allow_metered;
    /* Sorted, distinct; a non-empty denial list ends with
     * OTAPRIO_CODE_UNKNOWN (catalog_package.c). */
    const uint32_t *lists[CATALOG_LISTS];
    uint32_t list_count[CATALOG_LISTS];
    size_t relation_first; /* into catalog.relations */
    uint32_t relation_count;
    uint32_t check_count;   /* requires and conflicts */
    uint32_t provide_count; /* provides */
} catalog_package;

struct otaprio_catalog {
    otaprio__mem mem;
    uint32_t component_count;
    uint32_t package_count;
    uint64_t version_count;
    uint64_t relation_count;
    char *text;
    uint32_t *codes;
    uint8_t *tables;
    catalog_component *components;
    catalog_version *versions;
    /* Per component, from version_first: its local ids in rising order. */
    uint32_t *by_rank;
    catalog_package *packages;
    /* Per package: its requires and conflicts first, in order of addition,
     * then its provides. */
    catalog_relation *relations;
    /* Per component, from provider_first[k] to provider_first[k + 1]: the
     * packages that provide it, as (rank << 32 | package), ascending. */
    size_t *provider_first;
    uint64_t *providers;
    otaprio__id_table component_names;
    otaprio__id_table package_names;
    otaprio__id_table version_values; /* ids: indices into versions */
    otaprio_graph *graph;
};

/* Sorts each component's versions into catalog.by_rank and sets their
 * ranks (catalog_compile.c). */
OTAPRIO__NODISCARD int otaprio__catalog_rank_versions(otaprio_catalog *catalog,
                                                      otaprio_diag *diag);

/* Compiles the builder's relations into catalog.relations and their byte
 * tables, grouped by package (catalog_compile.c). */
OTAPRIO__NODISCARD int
otaprio__catalog_compile_relations(otaprio_catalog *catalog,
                                   const otaprio_catalog_builder *builder,
                                   otaprio_diag *diag);

/* Indexes the providers of each component and builds the package graph
 * of a catalog whose relations are compiled (catalog_graph.c). */
OTAPRIO__NODISCARD int otaprio__catalog_build_graph(otaprio_catalog *catalog,
                                                    otaprio_diag *diag);

/* The catalog's allocator as a public allocator struct, for the graph
 * layer. */
void otaprio__catalog_allocator(const otaprio__mem *mem,
                                otaprio_allocator *allocator);

/* Finds a version of a component by value: its local id, or UINT32_MAX. */
/* OTAPRIO_E_RANGE, naming field "package" or "component", for an id the
 * built catalog does not have (catalog_lookup.c). */
OTAPRIO__NODISCARD int
otaprio__catalog_check_package(const otaprio_catalog *catalog, uint32_t package,
                               otaprio_diag *diag);
OTAPRIO__NODISCARD int
otaprio__catalog_check_component(const otaprio_catalog *catalog,
                                 uint32_t component, otaprio_diag *diag);

uint32_t otaprio__catalog_find_version(const otaprio_catalog *catalog,
                                       uint32_t component,
                                       const otaprio__version *version);

/* The ranks [low, high) of a component's versions a constraint admits. */
void otaprio__catalog_admitted_ranks(const otaprio_catalog *catalog,
                                     uint32_t component,
                                     const otaprio__constraint *constraint,
                                     uint32_t *low, uint32_t *high);

/* ---- device chunks (catalog_devices.c) -------------------------------- */

/*
 * Reads a caller's device state into `out` and checks every column of one
 * device, or of all when `device` is SIZE_MAX: version ids, battery
 * levels, flags. `versions_only` skips the predicate columns.
 */
OTAPRIO__NODISCARD int
otaprio__catalog_read_state(const otaprio_catalog *catalog,
                            const otaprio_device_state *state,
                            otaprio_device_state *out, size_t device,
                            bool versions_only, otaprio_diag *diag);

/* The predicate blocks (CATALOG_PREDICATE_BLOCKS) of one device of a
 * validated state for one package. */
uint32_t otaprio__catalog_predicates(const catalog_package *package,
                                     const otaprio_device_state *state,
                                     size_t device);

/* Whether a sorted list holds a code. */
bool otaprio__codes_contain(const uint32_t *codes, uint32_t count,
                            uint32_t code);

#endif /* OTAPRIO_CATALOG_INTERNAL_H */
