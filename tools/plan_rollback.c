/* SPDX-License-Identifier: MIT */
/*
 * `otaprio plan --rollback FILE`: what a failure of the update could touch
 * and the levers there are, as a JSON object whose keys are the
 * otaprio_rollback_input fields the host knows before the rollout:
 *
 *   {"layer": "os", "part": "layer", "levers": ["ab_slot", "downgrade"],
 *    "changes": ["keys"], "data_loss": "none", "revert_data_loss": "low",
 *    "observe": ["build", "region"], "untested_classes": ["medical"]}
 *
 * Read with the shared machinery of json_fields.c, as issue and policy
 * files are: unknown keys are errors, values are named words. The spread
 * fields (canary_share, strata_affected...) are the planner's to set per
 * wave and are refused with a message of their own.
 */
#include <stddef.h>
#include <string.h>

#include "plan_cmd.h"

static const char *const part_names[] = {
    [OTAPRIO_ROLLBACK_PART_LAYER] = "layer",
    [OTAPRIO_ROLLBACK_PART_FEATURE] = "feature",
    [OTAPRIO_ROLLBACK_PART_AUTH_FLOW] = "auth_flow",
};
/* For the bit sets, names[b] is the word for bit 1 << b. */
static const char *const lever_names[] = {
    "feature_flag", "server_config", "exemption", "ab_slot", "downgrade",
};
static const char *const change_names[] = {
    "policy",
    "keys",
    "server",
    "data_migration",
};
static const char *const observe_names[] = {
    "build",
    "region",
    "carrier",
    "model",
};
static const cli_names names_part = CLI_NAMES("rollback part", part_names);
static const cli_names names_lever = CLI_NAMES("rollback lever", lever_names);
static const cli_names names_change = CLI_NAMES("change", change_names);
static const cli_names names_observe = CLI_NAMES("observable", observe_names);

#define FIELD(key, kind, names) \
    CLI_JSON_FIELD(otaprio_rollback_input, key, kind, names)
static const cli_json_field fields[] = {
    FIELD(layer, CLI_JSON_WORD, &cli_names_layer),
    FIELD(part, CLI_JSON_WORD, &names_part),
    FIELD(levers, CLI_JSON_WORD_SET, &names_lever),
    FIELD(changes, CLI_JSON_WORD_SET, &names_change),
    FIELD(data_loss, CLI_JSON_WORD, &cli_names_level),
    FIELD(revert_data_loss, CLI_JSON_WORD, &cli_names_level),
    FIELD(observe, CLI_JSON_WORD_SET, &names_observe),
    FIELD(untested_classes, CLI_JSON_CLASSES, NULL),
};
#undef FIELD

static int misplaced(const cli_json_where *where)
{
    static const char *const spread[] = {
        "canary_share", "fleet_share",       "strata_affected",
        "strata_total", "clusters_affected", "clusters_total",
    };
    for (size_t i = 0; i < sizeof spread / sizeof spread[0]; i++) {
        if (strcmp(where->key, spread[i]) != 0)
            continue;
        cli_error(where->who,
                  "%s: key '%s': the planner sets the failure's spread for "
                  "each wave; leave it out",
                  where->file, where->key);
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

static const cli_json_fields rollback_fields = {
    "rollback input", CLI_KEY_TABLE(cli_json_field, fields, key),
    cli_json_field_read, misplaced};

int plan_rollback_read(const char *who, const char *path,
                       otaprio_rollback_input *input)
{
    otaprio_rollback_input_init(input);
    return cli_json_read_fields(who, path, &rollback_fields, input);
}
