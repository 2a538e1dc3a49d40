/* SPDX-License-Identifier: MIT */
/*
 * An issue file: a JSON object whose keys are otaprio_issue fields by
 * name, with enum values as words ("security", "remote", "active"...).
 * Keys left out keep otaprio_issue_init()'s "nothing known" defaults; an
 * unknown key is an error rather than a silently ignored typo. Values are
 * range-checked by the library, which names the field.
 */
#include <stddef.h>
#include <string.h>

#include "cli.h"

/* epss also sets has_epss: the one kind the issue reads itself. */
enum { ISSUE_EPSS = CLI_JSON_OWN };

#define FIELD(key, kind, names) CLI_JSON_FIELD(otaprio_issue, key, kind, names)
static const cli_json_field fields[] = {
    FIELD(issue_class, CLI_JSON_WORD, &cli_names_issue_class),
    FIELD(security_impact, CLI_JSON_WORD, &cli_names_level),
    FIELD(data_loss, CLI_JSON_WORD, &cli_names_level),
    FIELD(uptime_loss, CLI_JSON_WORD, &cli_names_level),
    FIELD(regulatory_exposure, CLI_JSON_WORD, &cli_names_level),
    FIELD(attack_path, CLI_JSON_WORD, &cli_names_attack_path),
    FIELD(exploit, CLI_JSON_WORD, &cli_names_exploit),
    FIELD(automatable, CLI_JSON_FLAG, NULL),
    FIELD(epss, ISSUE_EPSS, NULL),
    FIELD(affected_share, CLI_JSON_REAL, NULL),
    FIELD(concentration, CLI_JSON_REAL, NULL),
    FIELD(workflows, CLI_JSON_WORD_SET, &cli_names_workflow),
    FIELD(affected_classes, CLI_JSON_CLASSES, NULL),
    FIELD(layer, CLI_JSON_WORD, &cli_names_layer),
    FIELD(ab_slot, CLI_JSON_FLAG, NULL),
    FIELD(anomaly_rate, CLI_JSON_REAL, NULL),
    FIELD(anomaly_growing, CLI_JSON_FLAG, NULL),
    FIELD(masks_regression, CLI_JSON_FLAG, NULL),
    FIELD(package_bytes, CLI_JSON_U64, NULL),
};
#undef FIELD

static int read_field(const cli_json_where *where, const void *entry,
                      json_t *value, void *into)
{
    const cli_json_field *field = entry;
    otaprio_issue *issue = into;
    if (field->kind != ISSUE_EPSS)
        return cli_json_field_read(where, field, value, into);
    if (cli_json_real(where, value, &issue->epss) != 0)
        return CLI_EXIT_FAILURE;
    issue->has_epss = 1;
    return 0;
}

/* has_epss is no key: it follows from whether epss is given, so that the
 * two cannot disagree. */
static int misplaced(const cli_json_where *where)
{
    if (strcmp(where->key, "has_epss") != 0)
        return 0;
    cli_error(where->who,
              "%s: key 'has_epss': give the probability as 'epss' "
              "instead; its presence sets has_epss",
              where->file);
    return CLI_EXIT_FAILURE;
}

static const cli_json_fields issue_fields = {
    "issue", CLI_KEY_TABLE(cli_json_field, fields, key), read_field, misplaced};

int cli_issue_read(const char *who, const char *path, otaprio_issue *issue)
{
    return cli_json_read_fields(who, path, &issue_fields, issue);
}

int cli_issue_read_object(const char *who, const char *shown, json_t *object,
                          otaprio_issue *issue)
{
    return cli_json_read_object(who, shown, object, &issue_fields, issue);
}
