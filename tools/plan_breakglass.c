/* SPDX-License-Identifier: MIT */
/*
 * `otaprio plan --breakglass FILE`: a break-glass policy and the request
 * made under it, as one JSON object:
 *
 *   {"policy":  {"approvals": {"security_lead": 1, "release_manager": 1},
 *                "evidence": ["exploitation", "rollback_verified"],
 *                "excluded": [3]},
 *    "request": {"approvals": [{"role": "security_lead", "approver": 17},
 *                              {"role": "release_manager", "approver": 4}],
 *                "evidence": ["exploitation", "rollback_verified"],
 *                "cohorts": [1, 3]}}
 *
 * Cohorts are the fleet's shared-fate cluster numbers (the cluster
 * column). Approvers are the host's numbers for people. Unknown keys are
 * errors; the planner checks the request against the policy.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_cmd.h"

/* Words for ::otaprio_plan_role values and ::otaprio_plan_evidence bits
 * (names[b] for bit 1 << b). */
static const char *const role_names[] = {
    [OTAPRIO_PLAN_ROLE_RELEASE_MANAGER] = "release_manager",
    [OTAPRIO_PLAN_ROLE_SECURITY_LEAD] = "security_lead",
    [OTAPRIO_PLAN_ROLE_SRE_ON_CALL] = "sre_on_call",
    [OTAPRIO_PLAN_ROLE_PRODUCT_OWNER] = "product_owner",
    [OTAPRIO_PLAN_ROLE_EXECUTIVE] = "executive",
};
static const char *const evidence_names[] = {
    "exploitation",  "rollback_verified", "guardrails",
    "change_ticket", "customer_comms",
};
static const cli_names names_role = CLI_NAMES("role", role_names);
static const cli_names names_evidence = CLI_NAMES("evidence", evidence_names);

static int unknown_key(const cli_json_where *where, const char *known)
{
    char shown[CLI_QUOTE_SIZE];
    cli_quote(where->key, strlen(where->key), shown);
    cli_error(where->who, "%s: unknown key '%s'; expected one of: %s",
              where->file, shown, known);
    return CLI_EXIT_FAILURE;
}

static int expect(const cli_json_where *where, json_t *value, bool ok,
                  const char *what)
{
    if (ok)
        return 0;
    cli_json_report(where, "expected %s, got %s", what,
                    cli_json_type_name(value));
    return CLI_EXIT_FAILURE;
}

/* An array of numbers into a new array of `*count` (at least one slot). */
static int read_ids(const cli_json_where *where, json_t *value, uint64_t max,
                    uint64_t **out, size_t *count)
{
    if (expect(where, value, json_is_array(value), "an array of numbers") != 0)
        return CLI_EXIT_FAILURE;
    size_t n = json_array_size(value);
    *out = calloc(n != 0 ? n : 1, sizeof **out);
    if (*out == NULL) {
        cli_error(where->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    cli_json_where item = *where;
    for (size_t i = 0; i < n; i++) {
        item.element = (long)i;
        if (cli_json_uint(&item, json_array_get(value, i), max, &(*out)[i]) !=
            0)
            return CLI_EXIT_FAILURE;
    }
    *count = n;
    return 0;
}

static int read_policy(const char *who, const char *file, json_t *object,
                       plan_breakglass *bg)
{
    otaprio_plan_breakglass_policy *policy = &bg->policy;
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        cli_json_where where = {who, file, key, -1};
        if (strcmp(key, "approvals") == 0) {
            if (expect(&where, value, json_is_object(value),
                       "an object of role: count") != 0)
                return CLI_EXIT_FAILURE;
            const char *role;
            json_t *count;
            json_object_foreach(value, role, count)
            {
                cli_json_where at = {who, file, role, -1};
                int found = cli_names_find(&names_role, role, strlen(role));
                uint64_t number;
                if (found < 0) {
                    char list[256];
                    cli_names_list(&names_role, list, sizeof list);
                    return unknown_key(&at, list);
                }
                if (cli_json_uint(&at, count, UINT32_MAX, &number) != 0)
                    return CLI_EXIT_FAILURE;
                policy->approvals[found] = (uint32_t)number;
            }
        } else if (strcmp(key, "evidence") == 0) {
            if (cli_json_name_set(&where, value, &names_evidence,
                                  &policy->evidence) != 0)
                return CLI_EXIT_FAILURE;
        } else if (strcmp(key, "excluded") == 0) {
            if (read_ids(&where, value, UINT32_MAX, &bg->excluded,
                         &policy->excluded_count) != 0)
                return CLI_EXIT_FAILURE;
            policy->excluded = bg->excluded;
        } else {
            return unknown_key(&where, "approvals, evidence, excluded");
        }
    }
    return 0;
}

static int read_approvals(const cli_json_where *where, json_t *value,
                          plan_breakglass *bg)
{
    if (expect(where, value, json_is_array(value),
               "an array of {\"role\", \"approver\"} objects") != 0)
        return CLI_EXIT_FAILURE;
    size_t n = json_array_size(value);
    bg->roles = calloc(n != 0 ? n : 1, sizeof *bg->roles);
    bg->approvers = calloc(n != 0 ? n : 1, sizeof *bg->approvers);
    if (bg->roles == NULL || bg->approvers == NULL) {
        cli_error(where->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *approval = json_array_get(value, i);
        cli_json_where item = *where;
        item.element = (long)i;
        if (expect(&item, approval, json_is_object(approval),
                   "a {\"role\", \"approver\"} object") != 0)
            return CLI_EXIT_FAILURE;
        json_t *role = json_object_get(approval, "role");
        json_t *approver = json_object_get(approval, "approver");
        if (role == NULL || approver == NULL ||
            json_object_size(approval) != 2) {
            cli_json_report(&item, "expected exactly the keys 'role' and "
                                   "'approver'");
            return CLI_EXIT_FAILURE;
        }
        if (cli_json_name(&item, role, &names_role, &bg->roles[i]) != 0 ||
            cli_json_uint(&item, approver, UINT64_MAX, &bg->approvers[i]) != 0)
            return CLI_EXIT_FAILURE;
    }
    bg->request.approval_count = n;
    bg->request.approval_role = bg->roles;
    bg->request.approver = bg->approvers;
    return 0;
}

static int read_request(const char *who, const char *file, json_t *object,
                        plan_breakglass *bg)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        cli_json_where where = {who, file, key, -1};
        int status;
        if (strcmp(key, "approvals") == 0) {
            status = read_approvals(&where, value, bg);
        } else if (strcmp(key, "evidence") == 0) {
            status = cli_json_name_set(&where, value, &names_evidence,
                                       &bg->request.evidence);
        } else if (strcmp(key, "cohorts") == 0) {
            status = read_ids(&where, value, UINT32_MAX, &bg->cohorts,
                              &bg->request.cohort_count);
            bg->request.cohorts = bg->cohorts;
        } else {
            status = unknown_key(&where, "approvals, evidence, cohorts");
        }
        if (status != 0)
            return status;
    }
    return 0;
}

int plan_breakglass_read(const char *who, const char *path, plan_breakglass *bg)
{
    memset(bg, 0, sizeof *bg);
    otaprio_plan_breakglass_policy_init(&bg->policy);
    otaprio_plan_breakglass_request_init(&bg->request);
    json_t *root = cli_json_load_object(who, path, "break-glass file");
    if (root == NULL)
        return CLI_EXIT_FAILURE;
    const char *file = strcmp(path, "-") == 0 ? "standard input" : path;
    json_t *policy = json_object_get(root, "policy");
    json_t *request = json_object_get(root, "request");
    int status = 0;
    if (policy == NULL || request == NULL || json_object_size(root) != 2 ||
        !json_is_object(policy) || !json_is_object(request)) {
        cli_error(who,
                  "%s: expected an object with exactly the keys 'policy' and "
                  "'request', each an object",
                  file);
        status = CLI_EXIT_FAILURE;
    }
    if (status == 0)
        status = read_policy(who, file, policy, bg);
    if (status == 0)
        status = read_request(who, file, request, bg);
    json_decref(root);
    return status;
}

void plan_breakglass_release(plan_breakglass *bg)
{
    free(bg->excluded);
    free(bg->roles);
    free(bg->approvers);
    free(bg->cohorts);
    memset(bg, 0, sizeof *bg);
}
