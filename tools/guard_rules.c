/* SPDX-License-Identifier: MIT */
/*
 * A rule set file: a JSON object {"options": {...}, "rules": [{...}]}
 * whose keys are the otaprio_guard_options and otaprio_guard_rule fields
 * by name, enum values by their words (guard_names.c), switches as
 * true/false and the checks as an array of words. Keys left out keep the
 * library's defaults; the library judges the values and names the rule and
 * field it refuses, which the messages here turn back into the file's
 * terms.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guard_cmd.h"

/* The kinds a rule set reads itself. */
enum {
    FIELD_NAME = CLI_JSON_OWN, /* const char *, a non-empty string */
    FIELD_CHECKS               /* uint32_t check bits, as an array of words */
};

#define RULE(key, kind, names) \
    CLI_JSON_FIELD(otaprio_guard_rule, key, kind, names)
static const cli_json_field rule_fields[] = {
    RULE(name, FIELD_NAME, NULL),
    RULE(kind, CLI_JSON_WORD, &cli_names_guard_kind),
    RULE(direction, CLI_JSON_WORD, &cli_names_guard_direction),
    RULE(severity, CLI_JSON_WORD, &cli_names_guard_severity),
    RULE(checks, FIELD_CHECKS, NULL),
    RULE(margin, CLI_JSON_REAL, NULL),
    RULE(ceiling, CLI_JSON_REAL, NULL),
    RULE(minimum_sample, CLI_JSON_REAL, NULL),
    RULE(window_hours, CLI_JSON_REAL, NULL),
    RULE(no_data, CLI_JSON_WORD, &cli_names_guard_no_data),
    RULE(zero_baseline, CLI_JSON_WORD, &cli_names_guard_zero_baseline),
    RULE(require_evidence, CLI_JSON_FLAG, NULL),
    RULE(sequential, CLI_JSON_FLAG, NULL),
};
#undef RULE

#define OPTION(key, kind, names) \
    CLI_JSON_FIELD(otaprio_guard_options, key, kind, names)
static const cli_json_field option_fields[] = {
    OPTION(alpha, CLI_JSON_REAL, NULL),
    OPTION(layer, CLI_JSON_WORD, &cli_names_layer),
    OPTION(closes_active_exploit, CLI_JSON_FLAG, NULL),
    OPTION(tolerance_scale, CLI_JSON_REAL, NULL),
    OPTION(exact_limit, CLI_JSON_U64, NULL),
    OPTION(multiplicity, CLI_JSON_WORD, &cli_names_guard_multiplicity),
};
#undef OPTION

static int check_bit(const cli_json_where *item, json_t *element,
                     uint32_t *bits)
{
    int32_t bit;
    if (cli_json_name(item, element, &cli_names_guard_check, &bit) != 0)
        return CLI_EXIT_FAILURE;
    if ((*bits & (1u << bit)) != 0) {
        cli_json_report(item, "check '%s' is listed twice",
                        cli_names_name(&cli_names_guard_check, bit));
        return CLI_EXIT_FAILURE;
    }
    *bits |= 1u << bit;
    return 0;
}

static int read_checks(const cli_json_where *where, json_t *value,
                       uint32_t *out)
{
    char list[128];
    cli_names_list(&cli_names_guard_check, list, sizeof list);
    if (!json_is_array(value) || json_array_size(value) == 0) {
        cli_json_report(where,
                        "expected a non-empty array of checks (%s), "
                        "got %s",
                        list,
                        json_is_array(value) ? "an empty array"
                                             : cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    uint32_t bits = 0;
    cli_json_where item = *where;
    size_t i;
    json_t *element;
    json_array_foreach(value, i, element)
    {
        item.element = (long)i;
        if (check_bit(&item, element, &bits) != 0)
            return CLI_EXIT_FAILURE;
    }
    *out = bits;
    return 0;
}

static int read_name(const cli_json_where *where, json_t *value,
                     const char **out)
{
    if (!json_is_string(value)) {
        cli_json_report(where, "expected the metric's name as a string, got %s",
                        cli_json_type_name(value));
        return CLI_EXIT_FAILURE;
    }
    const char *text = json_string_value(value);
    size_t length = json_string_length(value);
    /* The library takes a C string: a NUL would cut the name short and
     * let two different names collide. */
    if (length == 0 || strlen(text) != length) {
        cli_json_report(where, length == 0 ? "the name is empty"
                                           : "the name holds a NUL character");
        return CLI_EXIT_FAILURE;
    }
    *out = text;
    return 0;
}

static int read_field(const cli_json_where *where, const void *entry,
                      json_t *value, void *into)
{
    const cli_json_field *field = entry;
    void *target = (char *)into + field->offset;
    switch (field->kind) {
    case FIELD_NAME:
        return read_name(where, value, target);
    case FIELD_CHECKS:
        return read_checks(where, value, target);
    default:
        return cli_json_field_read(where, field, value, into);
    }
}

static const cli_json_fields rule_reader = {
    "rule", CLI_KEY_TABLE(cli_json_field, rule_fields, key), read_field, NULL};
static const cli_json_fields option_reader = {
    "options", CLI_KEY_TABLE(cli_json_field, option_fields, key), read_field,
    NULL};

static int read_rules(const char *who, json_t *array, guard_rules *rules)
{
    if (!json_is_array(array) || json_array_size(array) == 0) {
        cli_error(who,
                  "%s: key 'rules': expected a non-empty array of rule "
                  "objects, got %s",
                  rules->file,
                  json_is_array(array) ? "an empty array"
                                       : cli_json_type_name(array));
        return CLI_EXIT_FAILURE;
    }
    size_t count = json_array_size(array);
    if (count > OTAPRIO_GUARD_MAX_RULES) {
        cli_error(who, "%s: key 'rules': %zu rules; at most %d", rules->file,
                  count, OTAPRIO_GUARD_MAX_RULES);
        return CLI_EXIT_FAILURE;
    }
    rules->rules = calloc(count, sizeof *rules->rules);
    if (rules->rules == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *object = json_array_get(array, i);
        otaprio_guard_rule *rule = &rules->rules[i];
        otaprio_guard_rule_init(rule);
        char shown[512];
        snprintf(shown, sizeof shown, "%s: rules[%zu]", rules->file, i);
        if (!json_is_object(object)) {
            cli_error(who, "%s: expected a rule object, got %s", shown,
                      cli_json_type_name(object));
            return CLI_EXIT_FAILURE;
        }
        if (cli_json_read_object(who, shown, object, &rule_reader, rule) != 0)
            return CLI_EXIT_FAILURE;
        if (rule->name == NULL) {
            cli_error(who, "%s: the rule has no 'name' (the metric it judges)",
                      shown);
            return CLI_EXIT_FAILURE;
        }
        rules->count = i + 1;
    }
    return 0;
}

int guard_rules_read(const char *who, const char *path, guard_rules *rules)
{
    memset(rules, 0, sizeof *rules);
    rules->file = strcmp(path, "-") == 0 ? "standard input" : path;
    otaprio_guard_options_init(&rules->options);
    rules->root = cli_json_load_object(who, path, "rule set");
    if (rules->root == NULL)
        return CLI_EXIT_FAILURE;
    json_t *options = NULL, *list = NULL;
    const char *key;
    json_t *value;
    json_object_foreach(rules->root, key, value)
    {
        if (strcmp(key, "options") == 0) {
            options = value;
        } else if (strcmp(key, "rules") == 0) {
            list = value;
        } else if (strcmp(key, "description") == 0 ||
                   strcmp(key, "version") == 0) {
            /* A versioned rule set says which version it is; the tool has
             * no use for it beyond accepting it. */
            if (!json_is_string(value)) {
                cli_error(who, "%s: key '%s': expected a string, got %s",
                          rules->file, key, cli_json_type_name(value));
                return CLI_EXIT_FAILURE;
            }
        } else {
            return cli_json_unknown_key(who, rules->file, "rule set", key,
                                        "options, rules, description, "
                                        "version");
        }
    }
    if (options != NULL) {
        char shown[512];
        snprintf(shown, sizeof shown, "%s: options", rules->file);
        if (!json_is_object(options)) {
            cli_error(who, "%s: expected an object, got %s", shown,
                      cli_json_type_name(options));
            return CLI_EXIT_FAILURE;
        }
        if (cli_json_read_object(who, shown, options, &option_reader,
                                 &rules->options) != 0)
            return CLI_EXIT_FAILURE;
    }
    if (list == NULL) {
        cli_error(who, "%s: no 'rules': the rule set needs at least one rule",
                  rules->file);
        return CLI_EXIT_FAILURE;
    }
    return read_rules(who, list, rules);
}

int guard_rules_compile(const char *who, const guard_rules *rules,
                        otaprio_guard_set **set)
{
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_guard_set_create(&rules->options, rules->rules,
                                          rules->count, NULL, set, &diag);
    if (status == OTAPRIO_OK)
        return 0;
    bool filled = diag.status == status && diag.message[0] != '\0';
    if (filled && diag.index >= 0 && (size_t)diag.index < rules->count) {
        bool field = diag.field != NULL && diag.field[0] != '\0';
        char name[CLI_QUOTE_SIZE];
        const char *rule_name = rules->rules[diag.index].name;
        cli_quote(rule_name != NULL ? rule_name : "",
                  rule_name != NULL ? strlen(rule_name) : 0, name);
        cli_error(who,
                  "%s: rules[%lld] ('%s')%s%s%s: the rule is refused: "
                  "%s: %s",
                  rules->file, (long long)diag.index, name,
                  field ? ", field '" : "", field ? diag.field : "",
                  field ? "'" : "", otaprio_strerror(status), diag.message);
        return CLI_EXIT_FAILURE;
    }
    if (filled && status != OTAPRIO_E_NOMEM) {
        cli_error(who, "%s: the rule set is refused: %s: %s", rules->file,
                  otaprio_strerror(status), diag.message);
        return CLI_EXIT_FAILURE;
    }
    return cli_library_error(who, "otaprio_guard_set_create", status, &diag);
}

void guard_rules_release(guard_rules *rules)
{
    free(rules->rules);
    json_decref(rules->root);
    memset(rules, 0, sizeof *rules);
}
