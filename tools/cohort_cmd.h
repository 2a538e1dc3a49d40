/* SPDX-License-Identifier: MIT */
/*
 * The parts of `otaprio cohort`: the fleet CSV reader with its strata
 * dictionaries (cohort_fleet.c), the option values that describe the
 * rollout (cohort_rollout.c), Neyman weights from an outcome column
 * (cohort_neyman.c), the selected devices' identifiers (cohort_listing.c),
 * the report as a JSON document (cohort_report.c) and its text form
 * (cohort_output.c). cmd_cohort.c ties them.
 *
 * The fleet is read more than once, each pass streaming a chunk at a time:
 * first to learn each strata column's values (the library needs every
 * dimension's cardinality before the first device), then through the
 * sampler, then, for --devices, to give the selected keys back their
 * identifiers. Memory is bounded by the distinct strata values and the
 * canary waves, never by the fleet.
 */
#ifndef OTAPRIO_COHORT_CMD_H
#define OTAPRIO_COHORT_CMD_H

#include "cli.h"

#define COHORT_MAX_DIMENSIONS OTAPRIO_COHORT_MAX_DIMENSIONS

/* ---- the fleet CSV (cohort_fleet.c) ---------------------------------- */

/* What a column named on the command line holds. */
typedef enum cohort_role {
    COHORT_ROLE_ID,       /* the device's identifier, bytes as they are */
    COHORT_ROLE_STRATUM,  /* any text: one strata dimension */
    COHORT_ROLE_CRITICAL, /* flags: 0, 1, true, false */
    COHORT_ROLE_BATTERY,  /* charge from 0 to 1 */
    COHORT_ROLE_CHARGING,
    COHORT_ROLE_METERED,
    COHORT_ROLE_EXCLUDED,
    COHORT_ROLE_CLUSTER, /* whole number; empty: in no cluster */
    COHORT_ROLE_OUTCOME  /* flag whose spread weighs Neyman */
} cohort_role;

/* Columns of every role but the strata, and the strata themselves. */
#define COHORT_MAX_COLUMNS (8 + COHORT_MAX_DIMENSIONS)

typedef struct cohort_column {
    const char *name;   /* as the command line gave it */
    const char *option; /* the option that named it, for messages */
    cohort_role role;
    uint32_t dimension; /* COHORT_ROLE_STRATUM */
} cohort_column;

/* One strata dimension: the values of its column and their codes. The
 * library's code of a value is its rank in byte order, not in order of
 * appearance, so that stratum ids, the ties the allocation breaks by them
 * and so the cohort itself do not depend on the order of the rows. */
typedef struct cohort_dimension {
    const char *column;
    cli_value_dict values; /* in order of first appearance */
    uint32_t *code_of;     /* appearance code -> library code */
    uint32_t *value_of;    /* library code -> appearance code */
} cohort_dimension;

/* One chunk of devices as the library's columns. */
typedef struct cohort_chunk {
    size_t count;
    /* CSV row of each device: the header is row 1. */
    uint64_t rows[CLI_CHUNK_IDS];
    cli_id_chunk ids;
    uint64_t keys[CLI_CHUNK_IDS];
    /* Library codes once the dictionaries are final; appearance codes in
     * the first pass. */
    uint32_t codes[COHORT_MAX_DIMENSIONS][CLI_CHUNK_IDS];
    const uint32_t *code_columns[COHORT_MAX_DIMENSIONS];
    uint8_t critical[CLI_CHUNK_IDS];
    float battery[CLI_CHUNK_IDS];
    uint8_t charging[CLI_CHUNK_IDS];
    uint8_t metered[CLI_CHUNK_IDS];
    uint8_t excluded[CLI_CHUNK_IDS];
    uint32_t cluster[CLI_CHUNK_IDS];
    uint8_t outcome[CLI_CHUNK_IDS];
    /* The library's view: the columns the command line named, others
     * NULL so the library's defaults apply. */
    otaprio_cohort_chunk chunk;
} cohort_chunk;

/* Receives each full chunk and the last one; a non-zero return stops the
 * pass and is returned by cohort_fleet_pass() unchanged. */
typedef int (*cohort_chunk_fn)(void *user, cohort_chunk *chunk);

typedef struct cohort_fleet {
    const char *who;
    const char *name; /* the input as shown in messages */
    FILE *in;
    bool owned; /* `in` is ours to close */
    cohort_column columns[COHORT_MAX_COLUMNS];
    size_t column_count;
    cohort_dimension dimensions[COHORT_MAX_DIMENSIONS];
    uint32_t dimension_count;
    /* The dictionaries are final (cohort_fleet_code()): later passes find
     * values instead of adding them, and give library codes. */
    bool coded;
    /* The cluster of a device whose cluster cell is empty: one no
     * exclusion names. */
    uint32_t no_cluster;
    uint64_t devices; /* rows of the last pass */
    unsigned passes;  /* passes started */
} cohort_fleet;

/* Prepares a fleet; add its columns, then open it. */
void cohort_fleet_init(cohort_fleet *fleet, const char *who);
/* Names a column; for COHORT_ROLE_STRATUM, the next dimension. */
void cohort_fleet_add_column(cohort_fleet *fleet, const char *name,
                             const char *option, cohort_role role);
/* Opens `path` ('-': standard input). An input that cannot be read again
 * from its start (standard input, a pipe) is first copied to a temporary
 * file when `passes` is above 1. Returns 0 or CLI_EXIT_FAILURE after
 * saying why. */
int cohort_fleet_open(cohort_fleet *fleet, const char *path, int passes);
/* Reads the fleet from its start, calling `fn` with every chunk; `keys`
 * asks for the devices' keys. Returns 0, CLI_EXIT_FAILURE after reporting
 * a problem with the input (missing or repeated column, short row, bad
 * value, malformed CSV), or what `fn` returned. */
int cohort_fleet_pass(cohort_fleet *fleet, cohort_chunk *chunk, bool keys,
                      cohort_chunk_fn fn, void *user);
/* Makes the dictionaries final after a first pass: library codes by byte
 * order. Returns 0 or CLI_EXIT_FAILURE when memory runs out. */
int cohort_fleet_code(cohort_fleet *fleet);
/* The cardinality the library is given for dimension `d`: its distinct
 * values, at least 1. */
uint32_t cohort_fleet_cardinality(const cohort_fleet *fleet, uint32_t d);
/* The value of library code `code` of dimension `d`. */
const char *cohort_fleet_value(const cohort_fleet *fleet, uint32_t d,
                               uint32_t code, size_t *length);
void cohort_fleet_close(cohort_fleet *fleet);

void cohort_chunk_init(cohort_chunk *chunk);
void cohort_chunk_release(cohort_chunk *chunk);

/* ---- the rollout of the command line (cohort_rollout.c) ------------- */

/* The option values behind an otaprio_cohort_spec, parsed and owned. */
typedef struct cohort_rollout {
    otaprio_cohort_spec spec; /* its arrays point into this struct */
    double *waves;
    uint32_t *excluded_clusters;
    /* --caps: NAME=N pairs, resolved against the cap column's values by
     * cohort_rollout_caps(). */
    char **cap_names;
    uint64_t *cap_values;
    size_t cap_count;
    uint64_t *caps; /* per library code of the cap dimension */
    uint32_t *cardinalities;
    double *stratum_sd;
} cohort_rollout;

void cohort_rollout_init(cohort_rollout *rollout);
void cohort_rollout_release(cohort_rollout *rollout);
/* Each returns CLI_EXIT_OK, or CLI_EXIT_USAGE after saying what is wrong
 * with the option's text (CLI_EXIT_FAILURE when memory runs out). */
int cohort_rollout_waves(const char *who, const char *text,
                         cohort_rollout *rollout);
int cohort_rollout_clusters(const char *who, const char *text,
                            cohort_rollout *rollout);
int cohort_rollout_cap_list(const char *who, const char *text,
                            cohort_rollout *rollout);
/* Sets the strata of the spec from the fleet's dictionaries, and the caps
 * of --caps on dimension `cap_dimension` (-1: none). Returns 0, or
 * CLI_EXIT_FAILURE after naming a capped value no device has. */
int cohort_rollout_strata(const char *who, const cohort_fleet *fleet,
                          int32_t cap_dimension, cohort_rollout *rollout);

/* ---- Neyman weights (cohort_neyman.c) -------------------------------- */

/* Devices and outcomes per stratum, counted in the first pass by the
 * strata's values (the codes are not final yet). */
typedef struct cohort_neyman {
    const char *who;
    uint32_t dimension_count;
    cli_value_dict tuples; /* appearance codes of a stratum, as bytes */
    uint64_t *devices;
    uint64_t *outcomes;
    size_t capacity;
} cohort_neyman;

void cohort_neyman_init(cohort_neyman *neyman, const char *who,
                        uint32_t dimension_count);
void cohort_neyman_release(cohort_neyman *neyman);
/* A cohort_chunk_fn for the first pass; `user` is a cohort_neyman. */
int cohort_neyman_count(void *user, cohort_chunk *chunk);
/* Fills the spec's standard deviations, one per stratum id: for a stratum
 * with n devices of which x have the outcome, sqrt(p (1 - p)) with
 * p = (x + 1) / (n + 2), so that a stratum with no outcome seen yet still
 * counts as uncertain (strata without devices: n = 0). Returns 0 or
 * CLI_EXIT_FAILURE after saying why (too many strata, out of memory). */
int cohort_neyman_weights(const cohort_neyman *neyman,
                          const cohort_fleet *fleet, cohort_rollout *rollout);

/* ---- the selected devices (cohort_listing.c) ------------------------- */

/* The devices of the canary waves in the library's order, with the
 * identifiers a pass over the fleet finds for their keys. */
typedef struct cohort_listing {
    const char *who;
    const char *input;
    uint64_t count;
    uint8_t *waves;   /* per device: the wave it joins */
    uint64_t *order;  /* device indexes by increasing key */
    uint64_t *keys;   /* per device */
    uint64_t *starts; /* per device: its identifier in `bytes`, or
                         UINT64_MAX before the pass finds it */
    uint64_t *lengths;
    char *bytes;
    size_t bytes_used;
    size_t bytes_capacity;
} cohort_listing;

/* Takes the canary waves' devices from the cohort. Returns 0 or
 * CLI_EXIT_FAILURE after saying why. */
int cohort_listing_build(cohort_listing *listing, const char *who,
                         const char *input, const otaprio_cohort *cohort);
void cohort_listing_release(cohort_listing *listing);
/* A cohort_chunk_fn: records the identifier of each listed key. */
int cohort_listing_chunk(void *user, cohort_chunk *chunk);
/* After the pass: CLI_EXIT_FAILURE after saying so when a listed device
 * was not found (the input changed between passes), else 0. */
int cohort_listing_check(const cohort_listing *listing);
/* The identifier of device `i`. */
const char *cohort_listing_id(const cohort_listing *listing, uint64_t i,
                              size_t *length);

/* ---- the report (cohort_text.c, cohort_json.c) ---------------------- */

/* One wave's sizes and representativeness, as the library reports them. */
typedef struct cohort_wave_report {
    otaprio_cohort_wave info;
    otaprio_representativeness report;
} cohort_wave_report;

/* Everything the report shows, gathered once so that the text and the
 * JSON writers show the same numbers. */
typedef struct cohort_result {
    const char *input; /* as shown */
    const cohort_fleet *fleet;
    const otaprio_cohort_spec *spec;
    uint64_t strata; /* strata with devices */
    uint32_t wave_count;
    cohort_wave_report *waves;
    const cohort_listing *listing; /* NULL without --devices */
} cohort_result;

/* Each writes the report to stdout; returns 0, or CLI_EXIT_FAILURE after
 * saying why (a write error; for JSON, text it cannot carry). */
int cohort_output_text(const char *who, const cohort_result *result);
int cohort_output_json(const char *who, const cohort_result *result);

/* The library codes of stratum `id`, one per dimension (mixed radix):
 * with cohort_fleet_value(), the values that name it. */
void cohort_stratum_codes(const cohort_fleet *fleet, uint64_t id,
                          uint32_t codes[COHORT_MAX_DIMENSIONS]);

#endif /* OTAPRIO_COHORT_CMD_H */
