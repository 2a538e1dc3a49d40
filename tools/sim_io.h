/* SPDX-License-Identifier: MIT */
/*
 * The files of `otaprio simulate`: the HTML report (sim_html.c), fleets as
 * CSV (sim_csv.c) and scenarios as JSON (sim_scenario_file.c).
 */
#ifndef OTAPRIO_SIM_IO_H
#define OTAPRIO_SIM_IO_H

#include <stdio.h>

#include "sim.h"

/* ---- the HTML report (sim_html.c) -------------------------------------- */

/* One self-contained HTML document (inline CSS and SVG, no script, no
 * link to anything outside it) written as the scenarios run: begin, one
 * section per scenario, end. Write errors show in ferror(out). */
void sim_html_begin(FILE *out, uint64_t devices, uint64_t seed);
void sim_html_scenario(FILE *out, const sim_scenario *scenario,
                       const otaprio_plan *plan, const sim_outcome *outcome);
void sim_html_end(FILE *out);

/* ---- fleets as CSV (sim_csv.c) ----------------------------------------- */

/* Reads a fleet from the CSV file at `path` ("-" for standard input): a
 * header naming columns, one device per row; the columns and their
 * defaults are in cmd_simulate_usage(). Version columns are read through
 * the catalog. Returns 0, or CLI_EXIT_FAILURE after saying on stderr what
 * is wrong, naming the row and the column. */
int sim_fleet_read_csv(const char *who, const char *path,
                       const otaprio_catalog *catalog, sim_fleet *fleet);
/* Writes `fleet` in the format sim_fleet_read_csv() reads, every column
 * given. Returns 0, or CLI_EXIT_FAILURE after saying why. */
int sim_fleet_write_csv(const char *who, const char *path,
                        const otaprio_catalog *catalog, const sim_fleet *fleet);

/* ---- scenarios as JSON (sim_scenario_file.c) ---------------------------- */

/* A scenario read from a file, owning its name and summary. */
typedef struct sim_scenario_file {
    sim_scenario scenario;
    char *name, *summary;
} sim_scenario_file;

/* Reads the scenario at `path` ("-" for standard input). Returns 0, or
 * CLI_EXIT_FAILURE after naming the key and value at fault on stderr. */
int sim_scenario_read(const char *who, const char *path,
                      sim_scenario_file *file);
void sim_scenario_file_free(sim_scenario_file *file);

#endif
