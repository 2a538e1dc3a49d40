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

typedef enum issue_kind {
    ISSUE_NAME,      /* an int32_t enum, as a word */
    ISSUE_FLAG,      /* an int32_t 0/1, as true/false */
    ISSUE_REAL,      /* a double */
    ISSUE_EPSS,      /* a double whose presence sets has_epss */
    ISSUE_WORKFLOWS, /* uint32_t workflow bits, as an array of words */
    ISSUE_CLASSES,   /* uint32_t class bits, as an array of words/numbers */
    ISSUE_BYTES      /* a uint64_t count */
} issue_kind;

typedef struct issue_field {
    const char *key;
    issue_kind kind;
    const cli_names *names; /* ISSUE_NAME only */
    size_t offset;
} issue_field;

#define FIELD(key, kind, names)                         \
    {                                                   \
#key, kind, names, offsetof(otaprio_issue, key) \
    }
static const issue_field fields[] = {
    FIELD(issue_class, ISSUE_NAME, &cli_names_issue_class),
    FIELD(security_impact, ISSUE_NAME, &cli_names_level),
    FIELD(data_loss, ISSUE_NAME, &cli_names_level),
    FIELD(uptime_loss, ISSUE_NAME, &cli_names_level),
    FIELD(regulatory_exposure, ISSUE_NAME, &cli_names_level),
    FIELD(attack_path, ISSUE_NAME, &cli_names_attack_path),
    FIELD(exploit, ISSUE_NAME, &cli_names_exploit),
    FIELD(automatable, ISSUE_FLAG, NULL),
    FIELD(epss, ISSUE_EPSS, NULL),
    FIELD(affected_share, ISSUE_REAL, NULL),
    FIELD(concentration, ISSUE_REAL, NULL),
    FIELD(workflows, ISSUE_WORKFLOWS, NULL),
    FIELD(affected_classes, ISSUE_CLASSES, NULL),
    FIELD(layer, ISSUE_NAME, &cli_names_layer),
    FIELD(ab_slot, ISSUE_FLAG, NULL),
    FIELD(anomaly_rate, ISSUE_REAL, NULL),
    FIELD(anomaly_growing, ISSUE_FLAG, NULL),
    FIELD(masks_regression, ISSUE_FLAG, NULL),
    FIELD(package_bytes, ISSUE_BYTES, NULL),
};
#undef FIELD

static int read_field(const cli_json_where *where, const void *entry,
                      json_t *value, void *into)
{
    const issue_field *field = entry;
    otaprio_issue *issue = into;
    void *target = (char *)issue + field->offset;
    switch (field->kind) {
    case ISSUE_NAME:
        return cli_json_name(where, value, field->names, target);
    case ISSUE_FLAG:
        return cli_json_flag(where, value, target);
    case ISSUE_REAL:
        return cli_json_real(where, value, target);
    case ISSUE_EPSS:
        if (cli_json_real(where, value, target) != 0)
            return CLI_EXIT_FAILURE;
        issue->has_epss = 1;
        return 0;
    case ISSUE_WORKFLOWS:
        return cli_json_workflow_set(where, value, target);
    case ISSUE_CLASSES:
        return cli_json_class_set(where, value, false, target);
    case ISSUE_BYTES:
        return cli_json_uint(where, value, UINT64_MAX, target);
    }
    return CLI_EXIT_FAILURE;
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
    "issue", CLI_KEY_TABLE(issue_field, fields, key), read_field, misplaced};

int cli_issue_read(const char *who, const char *path, otaprio_issue *issue)
{
    return cli_json_read_fields(who, path, &issue_fields, issue);
}
