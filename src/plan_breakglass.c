/* SPDX-License-Identifier: MIT */
/*
 * Break-glass: a release that skips the usual cadence must still carry the
 * approvals and the evidence its policy asks for, and may never reach the
 * cohorts the policy keeps out. Every unmet requirement is listed, not
 * just the first, so one round trip tells the requester all that is
 * missing. One person is one approval (separation of duties): an approver
 * counts only for the role of their first approval in the request.
 */
#include <string.h>

#include "internal.h"
#include "otaprio/plan.h"

static const otaprio__layout policy_layout = {
    "otaprio_plan_breakglass_policy", sizeof(otaprio_plan_breakglass_policy),
    sizeof(otaprio_plan_breakglass_policy), /* first published layout */
};

static const otaprio__layout request_layout = {
    "otaprio_plan_breakglass_request", sizeof(otaprio_plan_breakglass_request),
    sizeof(otaprio_plan_breakglass_request), /* first published layout */
};

static const otaprio__layout result_layout = {
    "otaprio_plan_breakglass_result", sizeof(otaprio_plan_breakglass_result),
    sizeof(otaprio_plan_breakglass_result), /* first published layout */
};

int(otaprio_plan_breakglass_policy_init)(otaprio_plan_breakglass_policy *policy,
                                         size_t size)
{
    return otaprio__struct_init(policy, size, NULL, &policy_layout);
}

int(otaprio_plan_breakglass_request_init)(
    otaprio_plan_breakglass_request *request, size_t size)
{
    return otaprio__struct_init(request, size, NULL, &request_layout);
}

static int check_array(otaprio_diag *diag, const char *field, const void *array,
                       size_t count)
{
    if (array != NULL || count == 0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_INVALID, field, -1,
                         "%s is NULL but its count is %zu", field, count);
}

static int check_evidence(otaprio_diag *diag, const char *field, uint32_t bits)
{
    if ((bits & ~OTAPRIO_PLAN_EVIDENCE_ALL) == 0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "%s is 0x%x; only bits 0x%x are defined", field,
                         (unsigned)bits, (unsigned)OTAPRIO_PLAN_EVIDENCE_ALL);
}

static int validate(const otaprio_plan_breakglass_policy *policy,
                    const otaprio_plan_breakglass_request *request,
                    otaprio_diag *diag)
{
    OTAPRIO__TRY(check_evidence(diag, "policy.evidence", policy->evidence));
    OTAPRIO__TRY(check_array(diag, "policy.excluded", policy->excluded,
                             policy->excluded_count));
    OTAPRIO__TRY(check_array(diag, "request.approval_role",
                             request->approval_role, request->approval_count));
    OTAPRIO__TRY(check_array(diag, "request.approver", request->approver,
                             request->approval_count));
    OTAPRIO__TRY(check_evidence(diag, "request.evidence", request->evidence));
    OTAPRIO__TRY(check_array(diag, "request.cohorts", request->cohorts,
                             request->cohort_count));
    for (size_t i = 0; i < request->approval_count; i++) {
        int32_t role = request->approval_role[i];
        if (role < 0 || role >= OTAPRIO_PLAN_ROLE_COUNT)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "request.approval_role",
                                 (int64_t)i,
                                 "request.approval_role[%zu] is %d; it must "
                                 "lie in [0, %d]",
                                 i, (int)role, OTAPRIO_PLAN_ROLE_COUNT - 1);
    }
    return OTAPRIO_OK;
}

static int contains(const uint64_t *ids, size_t count, uint64_t id)
{
    for (size_t i = 0; i < count; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* Counts each approver once, for their first role, and returns the missing
 * approvals per role. */
static void tally_approvals(const otaprio_plan_breakglass_policy *policy,
                            const otaprio_plan_breakglass_request *request,
                            otaprio_plan_breakglass_result *out)
{
    uint32_t given[OTAPRIO_PLAN_ROLE_COUNT] = {0};
    for (size_t i = 0; i < request->approval_count; i++) {
        if (contains(request->approver, i, request->approver[i])) {
            out->repeated_approvals++;
            continue;
        }
        uint32_t *count = &given[request->approval_role[i]];
        if (*count < UINT32_MAX)
            (*count)++;
    }
    for (int role = 0; role < OTAPRIO_PLAN_ROLE_COUNT; role++) {
        uint32_t need = policy->approvals[role];
        out->missing_approvals[role] =
            given[role] >= need ? 0 : need - given[role];
        if (out->missing_approvals[role] != 0)
            out->unmet |= OTAPRIO_PLAN_UNMET_APPROVALS;
    }
}

/* Lists the distinct targeted cohorts the policy excludes, in request
 * order: a cohort is reported at its first place only. */
static void find_excluded(const otaprio_plan_breakglass_policy *policy,
                          const otaprio_plan_breakglass_request *request,
                          otaprio_plan_breakglass_result *out,
                          uint64_t *excluded, size_t capacity)
{
    for (size_t i = 0; i < request->cohort_count; i++) {
        uint64_t id = request->cohorts[i];
        if (!contains(policy->excluded, policy->excluded_count, id) ||
            contains(request->cohorts, i, id))
            continue;
        if (out->excluded_total < capacity)
            excluded[out->excluded_total] = id;
        out->excluded_total++;
    }
    if (out->excluded_total != 0)
        out->unmet |= OTAPRIO_PLAN_UNMET_EXCLUDED_COHORT;
}

int otaprio_plan_breakglass_check(
    const otaprio_plan_breakglass_policy *policy,
    const otaprio_plan_breakglass_request *request,
    otaprio_plan_breakglass_result *result, uint64_t *excluded, size_t capacity,
    otaprio_diag *diag)
{
    if (policy == NULL || request == NULL || result == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             policy == NULL    ? "policy"
                             : request == NULL ? "request"
                                               : "result",
                             -1, "a required argument is NULL");
    if (excluded == NULL && capacity != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "excluded", -1,
                             "excluded is NULL but its capacity is %zu",
                             capacity);
    size_t result_size;
    memcpy(&result_size, result, sizeof result_size);
    if (result_size < result_layout.minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "result", -1,
                             "otaprio_plan_breakglass_result.size is %zu, "
                             "below the smallest layout (%zu)",
                             result_size, result_layout.minimum);
    otaprio_plan_breakglass_policy pol;
    OTAPRIO__TRY((otaprio_plan_breakglass_policy_init)(&pol, sizeof pol));
    OTAPRIO__TRY(otaprio__struct_read(&pol, policy, &policy_layout, diag));
    otaprio_plan_breakglass_request req;
    OTAPRIO__TRY((otaprio_plan_breakglass_request_init)(&req, sizeof req));
    OTAPRIO__TRY(otaprio__struct_read(&req, request, &request_layout, diag));
    OTAPRIO__TRY(validate(&pol, &req, diag));

    /* Everything is valid: from here on only outputs are written. */
    otaprio_plan_breakglass_result out;
    memset(&out, 0, sizeof out);
    out.size = sizeof out;
    tally_approvals(&pol, &req, &out);
    out.missing_evidence = pol.evidence & ~req.evidence;
    if (out.missing_evidence != 0)
        out.unmet |= OTAPRIO_PLAN_UNMET_EVIDENCE;
    find_excluded(&pol, &req, &out, excluded, capacity);
    out.approved = out.unmet == 0;
    return otaprio__struct_write(result, &out, &result_layout);
}

const char *otaprio_plan_role_name(int32_t role)
{
    static const char *const names[OTAPRIO_PLAN_ROLE_COUNT] = {
        "release manager", "security lead", "SRE on call", "product owner",
        "executive"};
    return OTAPRIO__NAME_AT(names, role);
}

const char *otaprio_plan_evidence_name(uint32_t evidence)
{
    static const char *const names[] = {
        "active exploitation confirmed", "rollback path verified",
        "guardrails set", "change ticket", "customer communication ready"};
    return OTAPRIO__NAME_OF_BIT(names, evidence);
}

const char *otaprio_plan_unmet_name(uint32_t unmet)
{
    static const char *const names[] = {"approvals missing", "evidence missing",
                                        "excluded cohort targeted"};
    return OTAPRIO__NAME_OF_BIT(names, unmet);
}
