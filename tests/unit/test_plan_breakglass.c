/* SPDX-License-Identifier: MIT */
/*
 * Break-glass validation: named scenarios (an approved emergency, a
 * missing security lead, one approver counted twice, missing evidence, an
 * excluded cohort requested), the deterministic order of what is
 * reported, and bad input: unknown roles and evidence bits, NULL arrays
 * with counts, struct sizes, and nothing written on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaprio/plan.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define POISON 0xA5

enum {
    RM = OTAPRIO_PLAN_ROLE_RELEASE_MANAGER,
    SEC = OTAPRIO_PLAN_ROLE_SECURITY_LEAD,
    SRE = OTAPRIO_PLAN_ROLE_SRE_ON_CALL,
    PO = OTAPRIO_PLAN_ROLE_PRODUCT_OWNER,
    EXEC = OTAPRIO_PLAN_ROLE_EXECUTIVE
};

static const uint64_t excluded_ids[] = {700, 42, 9001};

/* An emergency policy: a release manager, a security lead and the SRE on
 * call; exploitation confirmed, the rollback path verified and guardrails
 * set; three cohorts never reached (medical devices, say). */
static otaprio_plan_breakglass_policy emergency_policy(void)
{
    otaprio_plan_breakglass_policy policy;
    otaprio_plan_breakglass_policy_init(&policy);
    policy.approvals[RM] = 1;
    policy.approvals[SEC] = 1;
    policy.approvals[SRE] = 1;
    policy.evidence = OTAPRIO_PLAN_EVIDENCE_EXPLOITATION |
                      OTAPRIO_PLAN_EVIDENCE_ROLLBACK_VERIFIED |
                      OTAPRIO_PLAN_EVIDENCE_GUARDRAILS;
    policy.excluded_count = COUNT(excluded_ids);
    policy.excluded = excluded_ids;
    return policy;
}

static const int32_t full_roles[] = {RM, SEC, SRE};
static const uint64_t full_people[] = {11, 22, 33};
static const uint64_t open_cohorts[] = {1, 2, 3, 4};

static otaprio_plan_breakglass_request emergency_request(void)
{
    otaprio_plan_breakglass_request request;
    otaprio_plan_breakglass_request_init(&request);
    request.approval_count = COUNT(full_roles);
    request.approval_role = full_roles;
    request.approver = full_people;
    request.evidence = OTAPRIO_PLAN_EVIDENCE_EXPLOITATION |
                       OTAPRIO_PLAN_EVIDENCE_ROLLBACK_VERIFIED |
                       OTAPRIO_PLAN_EVIDENCE_GUARDRAILS |
                       OTAPRIO_PLAN_EVIDENCE_CHANGE_TICKET;
    request.cohort_count = COUNT(open_cohorts);
    request.cohorts = open_cohorts;
    return request;
}

static otaprio_plan_breakglass_result
check(const otaprio_plan_breakglass_policy *policy,
      const otaprio_plan_breakglass_request *request, uint64_t *excluded,
      size_t capacity)
{
    otaprio_plan_breakglass_result result;
    memset(&result, POISON, sizeof result);
    result.size = sizeof result;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_breakglass_check(policy, request, &result,
                                               excluded, capacity, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("check failed: %s", diag.message);
    assert_int_equal(result.size, sizeof result);
    assert_int_equal(result.approved, result.unmet == 0);
    return result;
}

static void approved_emergency(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    otaprio_plan_breakglass_request request = emergency_request();
    uint64_t out[4] = {0};
    otaprio_plan_breakglass_result r = check(&policy, &request, out, 4);
    assert_int_equal(r.approved, 1);
    assert_int_equal(r.unmet, 0);
    for (int role = 0; role < OTAPRIO_PLAN_ROLE_COUNT; role++)
        assert_int_equal(r.missing_approvals[role], 0);
    assert_int_equal(r.missing_evidence, 0);
    assert_int_equal(r.repeated_approvals, 0);
    assert_int_equal(r.excluded_total, 0);
    /* Extra approvals and evidence do no harm; the default policy lets
     * anything through. */
    otaprio_plan_breakglass_policy none;
    otaprio_plan_breakglass_policy_init(&none);
    otaprio_plan_breakglass_request empty;
    otaprio_plan_breakglass_request_init(&empty);
    assert_int_equal(check(&none, &empty, NULL, 0).approved, 1);
    assert_int_equal(check(&none, &request, NULL, 0).approved, 1);
}

static void missing_security_lead(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    policy.approvals[EXEC] = 2;
    otaprio_plan_breakglass_request request = emergency_request();
    static const int32_t roles[] = {RM, SRE, EXEC};
    static const uint64_t people[] = {11, 33, 44};
    request.approval_role = roles;
    request.approver = people;
    otaprio_plan_breakglass_result r = check(&policy, &request, NULL, 0);
    assert_int_equal(r.approved, 0);
    assert_int_equal(r.unmet, OTAPRIO_PLAN_UNMET_APPROVALS);
    assert_int_equal(r.missing_approvals[RM], 0);
    assert_int_equal(r.missing_approvals[SEC], 1);
    assert_int_equal(r.missing_approvals[SRE], 0);
    assert_int_equal(r.missing_approvals[PO], 0);
    assert_int_equal(r.missing_approvals[EXEC], 1);
}

/* One person approving twice, in the same role or in another, counts
 * once: for the role of their first approval. */
static void one_approver_counted_twice(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    policy.approvals[SEC] = 2;
    otaprio_plan_breakglass_request request = emergency_request();
    static const int32_t roles[] = {RM, SEC, SEC, SRE, SRE};
    static const uint64_t people[] = {11, 22, 22, 11, 33};
    request.approval_count = COUNT(roles);
    request.approval_role = roles;
    request.approver = people;
    otaprio_plan_breakglass_result r = check(&policy, &request, NULL, 0);
    assert_int_equal(r.approved, 0);
    assert_int_equal(r.unmet, OTAPRIO_PLAN_UNMET_APPROVALS);
    assert_int_equal(r.repeated_approvals, 2);
    assert_int_equal(r.missing_approvals[SEC], 1);
    assert_int_equal(r.missing_approvals[SRE], 0); /* 33 is the SRE */
    assert_int_equal(r.missing_approvals[RM], 0);
    /* A second distinct security lead meets it. */
    static const uint64_t fixed[] = {11, 22, 23, 11, 33};
    request.approver = fixed;
    r = check(&policy, &request, NULL, 0);
    assert_int_equal(r.approved, 1);
    assert_int_equal(r.repeated_approvals, 1);
    /* The release manager who also signs as SRE does not count twice. */
    static const int32_t two_hats[] = {RM, SEC, SEC, SRE};
    static const uint64_t one_person[] = {11, 22, 23, 11};
    request.approval_count = COUNT(two_hats);
    request.approval_role = two_hats;
    request.approver = one_person;
    r = check(&policy, &request, NULL, 0);
    assert_int_equal(r.approved, 0);
    assert_int_equal(r.missing_approvals[SRE], 1);
}

static void evidence_missing(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    policy.evidence |= OTAPRIO_PLAN_EVIDENCE_CUSTOMER_COMMS;
    otaprio_plan_breakglass_request request = emergency_request();
    request.evidence = OTAPRIO_PLAN_EVIDENCE_ROLLBACK_VERIFIED |
                       OTAPRIO_PLAN_EVIDENCE_CHANGE_TICKET;
    otaprio_plan_breakglass_result r = check(&policy, &request, NULL, 0);
    assert_int_equal(r.approved, 0);
    assert_int_equal(r.unmet, OTAPRIO_PLAN_UNMET_EVIDENCE);
    assert_int_equal(r.missing_evidence,
                     OTAPRIO_PLAN_EVIDENCE_EXPLOITATION |
                         OTAPRIO_PLAN_EVIDENCE_GUARDRAILS |
                         OTAPRIO_PLAN_EVIDENCE_CUSTOMER_COMMS);
}

/* Excluded cohorts come in request order, each once, up to the capacity;
 * the total counts them all. */
static void excluded_cohort_requested(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    otaprio_plan_breakglass_request request = emergency_request();
    static const uint64_t cohorts[] = {5, 9001, 42, 6, 9001, 700, 42};
    request.cohort_count = COUNT(cohorts);
    request.cohorts = cohorts;
    uint64_t out[4] = {0, 0, 0, 0};
    otaprio_plan_breakglass_result r = check(&policy, &request, out, 4);
    assert_int_equal(r.approved, 0);
    assert_int_equal(r.unmet, OTAPRIO_PLAN_UNMET_EXCLUDED_COHORT);
    assert_int_equal(r.excluded_total, 3);
    assert_int_equal(out[0], 9001);
    assert_int_equal(out[1], 42);
    assert_int_equal(out[2], 700);
    assert_int_equal(out[3], 0); /* past the total: untouched */
    uint64_t two[2] = {0, 0};
    r = check(&policy, &request, two, 1);
    assert_int_equal(r.excluded_total, 3);
    assert_int_equal(two[0], 9001);
    assert_int_equal(two[1], 0); /* past the capacity: untouched */
    r = check(&policy, &request, NULL, 0);
    assert_int_equal(r.excluded_total, 3);
}

/* Every kind at once, and the same answer whatever else is in the buffer. */
static void every_unmet_requirement_is_listed(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    otaprio_plan_breakglass_request request;
    otaprio_plan_breakglass_request_init(&request);
    static const uint64_t cohorts[] = {42};
    request.cohort_count = 1;
    request.cohorts = cohorts;
    uint64_t out[1] = {0};
    otaprio_plan_breakglass_result r = check(&policy, &request, out, 1);
    assert_int_equal(r.unmet, OTAPRIO_PLAN_UNMET_APPROVALS |
                                  OTAPRIO_PLAN_UNMET_EVIDENCE |
                                  OTAPRIO_PLAN_UNMET_EXCLUDED_COHORT);
    assert_int_equal(r.missing_approvals[RM], 1);
    assert_int_equal(r.missing_approvals[SEC], 1);
    assert_int_equal(r.missing_approvals[SRE], 1);
    assert_int_equal(r.missing_evidence, policy.evidence);
    assert_int_equal(out[0], 42);
    otaprio_plan_breakglass_result again = check(&policy, &request, out, 1);
    assert_memory_equal(&r, &again, sizeof r);
}

static void expect_error(const otaprio_plan_breakglass_policy *policy,
                         const otaprio_plan_breakglass_request *request,
                         int status, const char *field)
{
    otaprio_plan_breakglass_result result, before;
    memset(&result, POISON, sizeof result);
    result.size = sizeof result;
    memcpy(&before, &result, sizeof result);
    uint64_t out[4] = {7, 7, 7, 7};
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_plan_breakglass_check(policy, request, &result, out, 4, &diag),
        status);
    assert_int_equal(diag.status, status);
    assert_string_equal(diag.field, field);
    assert_true(diag.message[0] != '\0');
    assert_memory_equal(&result, &before, sizeof result);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(out[i], 7);
    assert_int_equal(
        otaprio_plan_breakglass_check(policy, request, &result, out, 4, NULL),
        status);
    assert_memory_equal(&result, &before, sizeof result);
}

static void bad_input_is_named_and_nothing_is_written(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    otaprio_plan_breakglass_request request = emergency_request();
    /* An excluded cohort makes sure outputs would be written if the
     * checks came late. */
    static const uint64_t cohorts[] = {42, 700};
    request.cohorts = cohorts;
    request.cohort_count = 2;

    otaprio_plan_breakglass_policy p = policy;
    p.evidence = OTAPRIO_PLAN_EVIDENCE_ALL + 1;
    expect_error(&p, &request, OTAPRIO_E_RANGE, "policy.evidence");
    p = policy;
    p.excluded = NULL;
    expect_error(&p, &request, OTAPRIO_E_INVALID, "policy.excluded");

    otaprio_plan_breakglass_request q = request;
    q.evidence = 1u << 31;
    expect_error(&policy, &q, OTAPRIO_E_RANGE, "request.evidence");
    q = request;
    q.approval_role = NULL;
    expect_error(&policy, &q, OTAPRIO_E_INVALID, "request.approval_role");
    q = request;
    q.approver = NULL;
    expect_error(&policy, &q, OTAPRIO_E_INVALID, "request.approver");
    q = request;
    q.cohorts = NULL;
    expect_error(&policy, &q, OTAPRIO_E_INVALID, "request.cohorts");
    static const int32_t bad_roles[][3] = {{RM, SEC, OTAPRIO_PLAN_ROLE_COUNT},
                                           {RM, -1, SRE},
                                           {INT32_MIN, SEC, SRE}};
    for (size_t i = 0; i < COUNT(bad_roles); i++) {
        q = request;
        q.approval_role = bad_roles[i];
        expect_error(&policy, &q, OTAPRIO_E_RANGE, "request.approval_role");
    }
    /* NULL arrays are fine with zero counts. */
    q = request;
    q.approval_count = 0;
    q.approval_role = NULL;
    q.approver = NULL;
    q.cohort_count = 0;
    q.cohorts = NULL;
    p = policy;
    p.excluded_count = 0;
    p.excluded = NULL;
    assert_int_equal(check(&p, &q, NULL, 0).missing_approvals[SEC], 1);

    /* NULL arguments, and an output buffer NULL with a capacity. */
    otaprio_plan_breakglass_result result;
    memset(&result, 0, sizeof result);
    result.size = sizeof result;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_plan_breakglass_check(NULL, &request, &result, NULL, 0, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "policy");
    assert_int_equal(
        otaprio_plan_breakglass_check(&policy, NULL, &result, NULL, 0, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "request");
    assert_int_equal(
        otaprio_plan_breakglass_check(&policy, &request, NULL, NULL, 0, &diag),
        OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "result");
    assert_int_equal(otaprio_plan_breakglass_check(&policy, &request, &result,
                                                   NULL, 3, &diag),
                     OTAPRIO_E_INVALID);
    assert_string_equal(diag.field, "excluded");
    assert_int_equal(result.approved, 0);
    assert_int_equal(result.excluded_total, 0);
}

static void struct_sizes(void **state)
{
    (void)state;
    otaprio_plan_breakglass_policy policy = emergency_policy();
    otaprio_plan_breakglass_request request = emergency_request();
    otaprio_plan_breakglass_policy p = policy;
    p.size = sizeof p - 1;
    expect_error(&p, &request, OTAPRIO_E_STRUCT_SIZE, "size");
    otaprio_plan_breakglass_request q = request;
    q.size = 0;
    expect_error(&policy, &q, OTAPRIO_E_STRUCT_SIZE, "size");

    /* A result too small is refused and untouched. */
    otaprio_plan_breakglass_result tiny, before;
    memset(&tiny, POISON, sizeof tiny);
    tiny.size = sizeof tiny - 8;
    memcpy(&before, &tiny, sizeof tiny);
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_plan_breakglass_check(&policy, &request, &tiny, NULL, 0, &diag),
        OTAPRIO_E_STRUCT_SIZE);
    assert_string_equal(diag.field, "result");
    assert_memory_equal(&tiny, &before, sizeof tiny);

    /* A newer caller's result keeps its tail; a newer request with a
     * zero tail is read, a non-zero one refused. */
    struct {
        otaprio_plan_breakglass_result r;
        unsigned char tail[16];
    } wide;
    memset(&wide, 0, sizeof wide);
    wide.r.size = sizeof wide;
    assert_int_equal(otaprio_plan_breakglass_check(&policy, &request, &wide.r,
                                                   NULL, 0, NULL),
                     OTAPRIO_OK);
    assert_int_equal(wide.r.size, sizeof wide);
    assert_int_equal(wide.r.approved, 1);
    for (size_t i = 0; i < sizeof wide.tail; i++)
        assert_int_equal(wide.tail[i], 0);
    struct {
        otaprio_plan_breakglass_request q;
        unsigned char tail[16];
    } newer;
    memset(&newer, 0, sizeof newer);
    (otaprio_plan_breakglass_request_init)(&newer.q, sizeof newer);
    assert_int_equal(newer.q.size, sizeof newer);
    assert_int_equal(check(&policy, &newer.q, NULL, 0).approved, 0);
    newer.tail[0] = 1;
    expect_error(&policy, &newer.q, OTAPRIO_E_STRUCT_SIZE, "size");

    /* Init: NULL, and a size below the first layout. */
    assert_int_equal((otaprio_plan_breakglass_policy_init)(NULL, sizeof p),
                     OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_plan_breakglass_request_init)(NULL, sizeof q),
                     OTAPRIO_E_INVALID);
    memset(&p, POISON, sizeof p);
    otaprio_plan_breakglass_policy untouched;
    memcpy(&untouched, &p, sizeof p);
    assert_int_equal((otaprio_plan_breakglass_policy_init)(&p, sizeof p - 1),
                     OTAPRIO_E_STRUCT_SIZE);
    assert_memory_equal(&p, &untouched, sizeof p);
    assert_int_equal((otaprio_plan_breakglass_request_init)(&q, 4),
                     OTAPRIO_E_STRUCT_SIZE);
}

static void names_cover_every_value(void **state)
{
    (void)state;
    static const char *const roles[] = {"release manager", "security lead",
                                        "SRE on call", "product owner",
                                        "executive"};
    for (int32_t role = 0; role < OTAPRIO_PLAN_ROLE_COUNT; role++)
        assert_string_equal(otaprio_plan_role_name(role), roles[role]);
    assert_null(otaprio_plan_role_name(-1));
    assert_null(otaprio_plan_role_name(OTAPRIO_PLAN_ROLE_COUNT));
    for (uint32_t bit = 1; bit <= OTAPRIO_PLAN_EVIDENCE_ALL; bit <<= 1)
        assert_non_null(otaprio_plan_evidence_name(bit));
    assert_string_equal(
        otaprio_plan_evidence_name(OTAPRIO_PLAN_EVIDENCE_EXPLOITATION),
        "active exploitation confirmed");
    assert_string_equal(
        otaprio_plan_evidence_name(OTAPRIO_PLAN_EVIDENCE_CUSTOMER_COMMS),
        "customer communication ready");
    assert_null(otaprio_plan_evidence_name(0));
    assert_null(otaprio_plan_evidence_name(3));
    assert_null(otaprio_plan_evidence_name(OTAPRIO_PLAN_EVIDENCE_ALL + 1));
    assert_string_equal(otaprio_plan_unmet_name(OTAPRIO_PLAN_UNMET_APPROVALS),
                        "approvals missing");
    assert_string_equal(otaprio_plan_unmet_name(OTAPRIO_PLAN_UNMET_EVIDENCE),
                        "evidence missing");
    assert_string_equal(
        otaprio_plan_unmet_name(OTAPRIO_PLAN_UNMET_EXCLUDED_COHORT),
        "excluded cohort targeted");
    assert_null(otaprio_plan_unmet_name(0));
    assert_null(otaprio_plan_unmet_name(1u << 3));
    assert_null(otaprio_plan_unmet_name(1u << 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(approved_emergency),
        cmocka_unit_test(missing_security_lead),
        cmocka_unit_test(one_approver_counted_twice),
        cmocka_unit_test(evidence_missing),
        cmocka_unit_test(excluded_cohort_requested),
        cmocka_unit_test(every_unmet_requirement_is_listed),
        cmocka_unit_test(bad_input_is_named_and_nothing_is_written),
        cmocka_unit_test(struct_sizes),
        cmocka_unit_test(names_cover_every_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
