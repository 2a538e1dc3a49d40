/* SPDX-License-Identifier: MIT */
/*
 * `otaprio simulate --scenario-file`: a scenario as a JSON object, with
 * the fields of sim_scenario and its ground truth (sim_truth) by name and
 * the issue as `otaprio score --issue` reads it (issue_json.c). Keys left
 * out keep a good update's truth and the issue's "nothing known"
 * defaults; an unknown key, a wrong type or a value out of range is an
 * error naming the key and the value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim_io.h"

/* ---- the truth --------------------------------------------------------- */

typedef struct truth_field {
    const char *key;
    size_t offset;    /* of a double in sim_truth; unused for `sku` */
    double low, high; /* the range a value must be in */
    const char *meaning;
    bool sku; /* sim_truth::bad_sku, an integer */
} truth_field;

#define REAL(key, low, high, meaning)                             \
    {                                                             \
#key, offsetof(sim_truth, key), low, high, meaning, false \
    }
/* Rates per device-hour; factors multiply them. A daily swing above 1
 * would make rates negative at night. */
static const truth_field truth_fields[] = {
    REAL(boot_rate, 0.0, 1.0, "boot failures per device-hour"),
    REAL(boot_factor, 0.0, 1000.0, "a factor"),
    {"bad_sku", offsetof(sim_truth, bad_sku), -1.0, SIM_SKUS - 1,
     "a SKU, or -1 for none", true},
    REAL(bad_sku_factor, 0.0, 1000.0, "a factor"),
    REAL(install_failure, 0.0, 1.0, "a share of installs"),
    REAL(drain_rate, 0.0, 1.0, "heavy-drain reports per device-hour"),
    REAL(drain_factor, 0.0, 1000.0, "a factor"),
    REAL(drain_after, 0.0, 24.0 * 365.0, "hours after install"),
    REAL(day_night, 0.0, 1.0, "the amplitude of the daily swing"),
};
#undef REAL

static int read_truth_field(const cli_json_where *where, const void *entry,
                            json_t *value, void *into)
{
    const truth_field *field = entry;
    sim_truth *truth = into;
    if (field->sku) {
        if (!json_is_integer(value) || json_integer_value(value) < -1 ||
            json_integer_value(value) >= SIM_SKUS) {
            char shown[64] = "";
            if (json_is_integer(value))
                snprintf(shown, sizeof shown, " %lld",
                         (long long)json_integer_value(value));
            cli_json_report(where,
                            "expected a SKU from 0 to %d or -1 for none, got "
                            "%s%s",
                            SIM_SKUS - 1, cli_json_type_name(value), shown);
            return CLI_EXIT_FAILURE;
        }
        truth->bad_sku = (int32_t)json_integer_value(value);
        return 0;
    }
    double number;
    if (cli_json_real(where, value, &number) != 0)
        return CLI_EXIT_FAILURE;
    if (!(number >= field->low && number <= field->high)) {
        cli_json_report(where, "%g is out of range; expected %s from %g to %g",
                        number, field->meaning, field->low, field->high);
        return CLI_EXIT_FAILURE;
    }
    memcpy((char *)truth + field->offset, &number, sizeof number);
    return 0;
}

static const cli_json_fields truth_reader = {
    "truth", CLI_KEY_TABLE(truth_field, truth_fields, key), read_truth_field,
    NULL};

/* ---- the scenario ------------------------------------------------------ */

typedef enum scenario_key {
    KEY_NAME,
    KEY_SUMMARY,
    KEY_ISSUE,
    KEY_DELAYED,
    KEY_BLOCKED,
    KEY_BAD,
    KEY_EXPLOITED,
    KEY_TRUTH
} scenario_key;

typedef struct scenario_field {
    const char *key;
    scenario_key which;
} scenario_field;

static const scenario_field scenario_fields[] = {
    {"name", KEY_NAME},
    {"summary", KEY_SUMMARY},
    {"issue", KEY_ISSUE},
    {"delayed", KEY_DELAYED},
    {"old_bootloaders_blocked", KEY_BLOCKED},
    {"bad", KEY_BAD},
    {"exploited", KEY_EXPLOITED},
    {"truth", KEY_TRUTH},
};

/* The otaprio_plan_delayed bits, by bit position. */
static const char *const delayed_words[] = {"battery", "thermal", "storage"};
static const cli_names delayed_names =
    CLI_NAMES("delayed failure", delayed_words);

static int read_text(const cli_json_where *where, json_t *value, char **out)
{
    if (!json_is_string(value) ||
        strlen(json_string_value(value)) != json_string_length(value)) {
        cli_json_report(where, "expected a string without NUL bytes, got %s",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    size_t length = json_string_length(value);
    char *copy = malloc(length + 1);
    if (copy != NULL)
        memcpy(copy, json_string_value(value), length + 1);
    if (copy == NULL) {
        cli_error(where->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    free(*out);
    *out = copy;
    return 0;
}

/* "FILE: key 'issue'": where the messages of a nested object point. */
static int read_nested(const cli_json_where *where, json_t *value,
                       const char *what, const cli_json_fields *fields,
                       void *target)
{
    if (!json_is_object(value)) {
        cli_json_report(where, "expected %s object, got %s", what,
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    char shown[1024];
    snprintf(shown, sizeof shown, "%s: key '%s'", where->file, where->key);
    if (fields == NULL)
        return cli_issue_read_object(where->who, shown, value, target);
    return cli_json_read_object(where->who, shown, value, fields, target);
}

static int read_flag(const cli_json_where *where, json_t *value, bool *out)
{
    int32_t flag;
    if (cli_json_flag(where, value, &flag) != 0)
        return CLI_EXIT_FAILURE;
    *out = flag != 0;
    return 0;
}

static int read_scenario_field(const cli_json_where *where, const void *entry,
                               json_t *value, void *into)
{
    const scenario_field *field = entry;
    sim_scenario_file *file = into;
    sim_scenario *s = &file->scenario;
    switch (field->which) {
    case KEY_NAME:
        if (read_text(where, value, &file->name) != 0)
            return CLI_EXIT_FAILURE;
        if (file->name[0] == '\0') {
            cli_json_report(where, "the name is empty");
            return CLI_EXIT_FAILURE;
        }
        return 0;
    case KEY_SUMMARY:
        return read_text(where, value, &file->summary);
    case KEY_ISSUE:
        return read_nested(where, value, "an issue", NULL, &s->issue);
    case KEY_DELAYED:
        return cli_json_name_set(where, value, &delayed_names, &s->delayed);
    case KEY_BLOCKED:
        return read_flag(where, value, &s->old_bootloaders_blocked);
    case KEY_BAD:
        return read_flag(where, value, &s->bad);
    case KEY_EXPLOITED:
        return read_flag(where, value, &s->exploited);
    case KEY_TRUTH:
        return read_nested(where, value, "a truth", &truth_reader, &s->truth);
    }
    return CLI_EXIT_FAILURE;
}

static const cli_json_fields scenario_reader = {
    "scenario", CLI_KEY_TABLE(scenario_field, scenario_fields, key),
    read_scenario_field, NULL};

void sim_scenario_file_free(sim_scenario_file *file)
{
    free(file->name);
    free(file->summary);
    memset(file, 0, sizeof *file);
}

int sim_scenario_read(const char *who, const char *path,
                      sim_scenario_file *file)
{
    memset(file, 0, sizeof *file);
    otaprio_issue_init(&file->scenario.issue);
    file->scenario.truth = sim_quiet_truth;
    int status = cli_json_read_fields(who, path, &scenario_reader, file);
    const char *shown = strcmp(path, "-") == 0 ? "standard input" : path;
    if (status == 0 && file->name == NULL) {
        cli_error(who, "%s: the scenario has no 'name'", shown);
        status = CLI_EXIT_FAILURE;
    }
    if (status == 0 && file->summary == NULL) {
        size_t size = strlen(shown) + 16;
        file->summary = malloc(size);
        if (file->summary == NULL) {
            cli_error(who, "out of memory");
            status = CLI_EXIT_FAILURE;
        } else {
            snprintf(file->summary, size, "read from %s", shown);
        }
    }
    if (status != 0) {
        sim_scenario_file_free(file);
        return status;
    }
    file->scenario.name = file->name;
    file->scenario.summary = file->summary;
    return 0;
}
