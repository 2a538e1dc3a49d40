/* SPDX-License-Identifier: MIT */
/*
 * The words `otaprio guard` reads for the guardrail enums in a rule set and
 * a samples file. Indexed by the enum constants themselves, as in names.c,
 * so a table cannot drift from the header's numbering; hyphenated like the
 * library's own names of verdicts, tests and reasons.
 */
#include "guard_cmd.h"

#define NAMES(variable, what, table) \
    const cli_names variable = CLI_NAMES(what, table)

static const char *const kind_names[] = {
    [OTAPRIO_GUARD_PROPORTION] = "proportion",
    [OTAPRIO_GUARD_RATE] = "rate",
    [OTAPRIO_GUARD_CONTINUOUS] = "continuous",
};
NAMES(cli_names_guard_kind, "kind", kind_names);

static const char *const direction_names[] = {
    [OTAPRIO_GUARD_HIGHER_IS_WORSE] = "higher-is-worse",
    [OTAPRIO_GUARD_LOWER_IS_WORSE] = "lower-is-worse",
};
NAMES(cli_names_guard_direction, "direction", direction_names);

static const char *const severity_names[] = {
    [OTAPRIO_GUARD_STANDARD] = "standard",
    [OTAPRIO_GUARD_CRITICAL] = "critical",
    [OTAPRIO_GUARD_LEADING] = "leading",
};
NAMES(cli_names_guard_severity, "severity", severity_names);

static const char *const no_data_names[] = {
    [OTAPRIO_GUARD_NO_DATA_HOLD] = "hold",
    [OTAPRIO_GUARD_NO_DATA_FAIL] = "fail",
    [OTAPRIO_GUARD_NO_DATA_IGNORE] = "ignore",
};
NAMES(cli_names_guard_no_data, "no-data policy", no_data_names);

static const char *const zero_baseline_names[] = {
    [OTAPRIO_GUARD_ZERO_BASELINE_TEST] = "test",
    [OTAPRIO_GUARD_ZERO_BASELINE_ANY_EVENT] = "any-event",
    [OTAPRIO_GUARD_ZERO_BASELINE_CEILING] = "ceiling",
};
NAMES(cli_names_guard_zero_baseline, "zero-baseline policy",
      zero_baseline_names);

static const char *const multiplicity_names[] = {
    [OTAPRIO_GUARD_HOLM] = "holm",
    [OTAPRIO_GUARD_BENJAMINI_HOCHBERG] = "benjamini-hochberg",
    [OTAPRIO_GUARD_UNCORRECTED] = "uncorrected",
};
NAMES(cli_names_guard_multiplicity, "multiplicity control", multiplicity_names);

_Static_assert(OTAPRIO_GUARD_CHECK_BASELINE == 1u << 0 &&
                   OTAPRIO_GUARD_CHECK_CEILING == 1u << 1 &&
                   OTAPRIO_GUARD_CHECK_SPREAD == 1u << 2,
               "check names follow the bit order");
static const char *const check_names[] = {"baseline", "ceiling", "spread"};
NAMES(cli_names_guard_check, "check", check_names);

static const char *const group_names[] = {
    [OTAPRIO_GUARD_CANARY] = "canary",
    [OTAPRIO_GUARD_BASELINE] = "baseline",
};
NAMES(cli_names_guard_group, "group", group_names);
