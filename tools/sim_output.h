/* SPDX-License-Identifier: MIT */
/* How `otaprio simulate` prints a scenario's run: text (sim_text.c) and
 * JSON (sim_json.c). */
#ifndef OTAPRIO_SIM_OUTPUT_H
#define OTAPRIO_SIM_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

#include "sim.h"

/* What a run's outcome says, sentence by sentence, lower case and without
 * a full stop: the text (sim_text.c) and the HTML report (sim_html.c) say
 * the same things. */
enum { SIM_FACTS = 4, SIM_FACT_SIZE = 160 };
size_t sim_outcome_facts(const sim_scenario *scenario,
                         const sim_outcome *outcome,
                         char facts[SIM_FACTS][SIM_FACT_SIZE]);

void sim_print_plan(FILE *out, const otaprio_plan *plan);
void sim_print_outcome(FILE *out, const sim_scenario *scenario,
                       const sim_outcome *outcome);
/* A new JSON object, or NULL when memory runs out. */
json_t *sim_scenario_json(const sim_scenario *scenario,
                          const otaprio_plan *plan, const sim_outcome *outcome);

#endif
