/* SPDX-License-Identifier: MIT */
/*
 * The parts of `otaprio plan`: the fleet loaded into columns by the other
 * commands' readers (plan_fleet.c), the options that become parts of the
 * request (plan_options.c), the rollback and break-glass files
 * (plan_rollback.c, plan_breakglass.c), the plan as one JSON document
 * (plan_json.c), its text form (plan_text.c) and the per-device CSV
 * (plan_devices.c).
 * cmd_plan.c ties them.
 *
 * The planner reads the fleet in several passes through its source
 * callback and needs the same devices each time. A CSV cannot promise that
 * when it is a pipe, and the CLI's readers each know only some columns, so
 * the fleet is read once per reader into whole columns and handed out in
 * chunks: memory grows with the fleet, which is what a command that plans
 * one fleet in one process may afford.
 */
#ifndef OTAPRIO_PLAN_CMD_H
#define OTAPRIO_PLAN_CMD_H

#include <otaprio/plan.h>

#include "cli.h"
#include "cohort_cmd.h"
#include "graph_cmd.h"

/* The command (cmd_plan.c), registered in otaprio.c. */
int cmd_plan_run(int argc, char **argv);
void cmd_plan_usage(FILE *out);

/* Devices the source hands the planner per call. */
#define PLAN_CHUNK_DEVICES 65536

/* Columns of otaprio_devices the risk reader (fleet_csv.c) may fill. */
#define PLAN_RISK_COLUMNS 17

/* ---- the fleet (plan_fleet.c) ---------------------------------------- */

typedef struct plan_fleet_args {
    const char *path;
    const char *id_column;      /* default "id" */
    const char *ring_column;    /* NULL: "ring" when the header has it */
    const char *cluster_column; /* NULL: "cluster" when the header has it */
    const char *strata[COHORT_MAX_DIMENSIONS];
    uint32_t strata_count;
    const graph_catalog *catalog; /* NULL: no version columns are read */
} plan_fleet_args;

typedef struct plan_fleet {
    const char *who;
    cohort_fleet cohort; /* the input (spooled when a pipe), the strata */
    uint64_t count;
    uint64_t *keys;
    uint64_t *rows; /* CSV row of each device, for messages */
    /* Identifiers back to back: device i is ids[id_start[i] ..
     * id_start[i + 1]). */
    char *ids;
    size_t ids_used;
    size_t ids_capacity;
    uint64_t *id_start;
    void *risk[PLAN_RISK_COLUMNS]; /* NULL: the column is not in the CSV */
    uint32_t dimension_count;
    uint32_t *codes[COHORT_MAX_DIMENSIONS];
    uint32_t *cluster; /* NULL: no cluster column */
    uint8_t *ring;     /* NULL: every device is a customer's */
    size_t component_count;
    uint32_t **versions; /* per component; NULL when not in the CSV */
    uint32_t *carrier;
    uint32_t *region;
    uint32_t *enrollment;
    /* Outputs of the assign pass. */
    uint8_t *wave;
    uint8_t *disposition;
    uint32_t *reasons;
    double *priority;
    /* The chunk the source hands over, pointing into the columns. */
    otaprio_devices devices;
    otaprio_device_state state;
    const uint32_t **version_view;
    const uint32_t *code_view[COHORT_MAX_DIMENSIONS];
    bool has_state;
    /* The chunk last handed out, to name the CSV row of a device the
     * planner refuses (its diagnostics index the chunk). */
    uint64_t last_first;
    size_t last_count;
} plan_fleet;

/* Reads the fleet CSV with the CLI's readers: the identifiers, strata and
 * clusters as `otaprio cohort` reads them, the risk columns as
 * `otaprio score` does, the ring column, and with a catalog the version
 * and predicate columns as `otaprio graph --fleet` names them. Returns 0,
 * or CLI_EXIT_FAILURE after saying what is wrong. Release with
 * plan_fleet_release() in either case. */
int plan_fleet_load(const char *who, const plan_fleet_args *args,
                    plan_fleet *fleet);
void plan_fleet_release(plan_fleet *fleet);
/* The planner's source: `user` is a plan_fleet. */
int plan_fleet_source(void *user, int32_t pass, uint64_t first,
                      otaprio_plan_chunk *chunk);
/* Reports a failed otaprio_plan_create(): with the CSV row and column of
 * the device at fault when the diagnostics name one. Returns
 * CLI_EXIT_FAILURE. */
int plan_fleet_error(const plan_fleet *fleet, int status,
                     const otaprio_diag *diag);
/* The cardinality of each strata dimension, for the request. */
void plan_fleet_cardinalities(const plan_fleet *fleet, uint32_t *out);

/* ---- option values (plan_options.c) ---------------------------------- */

/* Each returns CLI_EXIT_OK, or CLI_EXIT_USAGE after saying what is wrong
 * with the option's text. */
int plan_parse_strata(const char *who, const char *text, plan_fleet_args *args);
int plan_parse_delayed(const char *who, const char *text, uint32_t *delayed);
int plan_parse_power(const char *who, const char *text,
                     otaprio_plan_power *power);
int plan_parse_level(const char *who, const char *text, double *level);

/* ---- the way back and break-glass (plan_rollback.c, plan_breakglass.c) */

/* Fills `input` (otaprio_rollback_input_init() defaults first) from the
 * JSON object at `path`. Returns 0 or CLI_EXIT_FAILURE after naming the
 * file and the key at fault. */
int plan_rollback_read(const char *who, const char *path,
                       otaprio_rollback_input *input);

/* A break-glass policy and request, with the arrays they point at. */
typedef struct plan_breakglass {
    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_request request;
    uint64_t *excluded;
    int32_t *roles;
    uint64_t *approvers;
    uint64_t *cohorts;
} plan_breakglass;

/* Reads {"policy": {...}, "request": {...}} at `path`. Returns 0 or
 * CLI_EXIT_FAILURE after naming the file and the key at fault. Release
 * with plan_breakglass_release() in either case. */
int plan_breakglass_read(const char *who, const char *path,
                         plan_breakglass *bg);
void plan_breakglass_release(plan_breakglass *bg);

/* ---- output (plan_json.c, plan_text.c, plan_devices.c) --------------- */

/* What the writers show beside the plan. */
typedef struct plan_view {
    const char *who;
    const otaprio_plan *plan;
    const graph_catalog *catalog; /* NULL without --catalog */
    const char *package;          /* its name, or NULL */
} plan_view;

/* The plan as one JSON document; NULL after saying why on stderr. */
json_t *plan_json_build(const plan_view *view);
/* The document as text. Returns 0, or CLI_EXIT_FAILURE after a write
 * error. */
int plan_text_write(const char *who, json_t *document);
/* Writes id,wave,stage,disposition,reasons,priority per device to `path`.
 * Returns 0 or CLI_EXIT_FAILURE after saying why. */
int plan_devices_write(const char *who, const char *path,
                       const otaprio_plan *plan, const plan_fleet *fleet);

#endif /* OTAPRIO_PLAN_CMD_H */
