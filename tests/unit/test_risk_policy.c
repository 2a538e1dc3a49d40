/* SPDX-License-Identifier: MIT */
/* The risk policy: documented defaults, validation that names the field,
 * and a model built through the caller's allocator, failure by failure. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "risk_fixture.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void defaults_are_the_documented_ones(void **state)
{
    (void)state;
    otaprio_risk_policy p;
    memset(&p, 0xAB, sizeof p);
    assert_int_equal(otaprio_risk_policy_init(&p), OTAPRIO_OK);
    assert_int_equal(p.size, sizeof p);
    assert_int_equal(p.model, OTAPRIO_RISK_MODEL_SCORECARD);
    assert_true(p.class_points[OTAPRIO_ISSUE_SECURITY] == 10);
    assert_true(p.class_points[OTAPRIO_ISSUE_COSMETIC] == -10);
    assert_true(p.class_points[5] == 0); /* reserved */
    assert_true(p.exploit_points[OTAPRIO_EXPLOIT_ACTIVE] == 18);
    assert_true(p.attack_path_points[OTAPRIO_ATTACK_REMOTE] == 12);
    assert_true(p.tier_thresholds[0] == 70 && p.tier_thresholds[1] == 50 &&
                p.tier_thresholds[2] == 25);
    assert_true(p.class_criticality[OTAPRIO_DEVICE_MEDICAL] == 1.0);
    assert_true(p.class_criticality[31] == 0.3);
    assert_true(p.safe_fallback_points == -10);
    assert_int_equal(p.metered_max_bytes, 50u * 1024u * 1024u);
    assert_int_equal(p.active_exploit_t0, 1);
    assert_int_equal(p.cosmetic_t3, 1);
}

static void null_policy_means_the_defaults(void **state)
{
    (void)state;
    otaprio_risk_policy p;
    otaprio_risk_policy_init(&p);
    otaprio_risk_model *implicit = NULL, *explicit_ = NULL;
    assert_int_equal(otaprio_risk_model_create(NULL, NULL, &implicit, NULL),
                     OTAPRIO_OK);
    assert_int_equal(otaprio_risk_model_create(&p, NULL, &explicit_, NULL),
                     OTAPRIO_OK);
    uint64_t s = 3;
    for (int n = 0; n < 100; n++) {
        otaprio_issue issue;
        fixture_issue(&issue, &s);
        otaprio_issue_score a, b;
        a.size = b.size = sizeof a;
        assert_int_equal(
            otaprio_risk_score_issue(implicit, &issue, &a, NULL, 0, NULL, NULL),
            OTAPRIO_OK);
        assert_int_equal(otaprio_risk_score_issue(explicit_, &issue, &b, NULL,
                                                  0, NULL, NULL),
                         OTAPRIO_OK);
        assert_memory_equal(&a, &b, sizeof a);
    }
    otaprio_risk_model_free(implicit);
    otaprio_risk_model_free(explicit_);
    otaprio_risk_model_free(NULL);
}

typedef struct bad_policy {
    const char *field;
    int64_t index;
    void (*spoil)(otaprio_risk_policy *);
} bad_policy;

#define SPOIL(name, statement)                       \
    static void spoil_##name(otaprio_risk_policy *p) \
    {                                                \
        statement;                                   \
    }
SPOIL(model, p->model = 2)
SPOIL(class_nan, p->class_points[1] = (double)NAN)
SPOIL(class_reserved, p->class_points[6] = 1)
SPOIL(class_huge, p->class_points[0] = 1e6)
SPOIL(severity_negative, p->severity_points[2] = -1)
SPOIL(attack_falling, p->attack_path_points[4] = 3)
SPOIL(exploit_falling, p->exploit_points[1] = 20)
SPOIL(automatable_negative, p->automatable_points = -0.5)
SPOIL(share_inf, p->share_points = (double)INFINITY)
SPOIL(workflow_cap_negative, p->workflow_cap = -1)
SPOIL(layer_reserved, p->layer_points[7] = -1)
SPOIL(tier_range, p->tier_thresholds[0] = 101)
SPOIL(tier_order, p->tier_thresholds[1] = 80)
SPOIL(flag, p->cosmetic_t3 = 2)
SPOIL(criticality, p->class_criticality[20] = 1.5)
SPOIL(customer_falling, p->customer_points[3] = 1)
SPOIL(customer_reserved, p->customer_points[3] = 30) /* still rising: ok */
SPOIL(exposure_reserved, p->exposure_points[3] = 2)
SPOIL(uptime_falling, p->uptime_points[1] = -1)
SPOIL(defect_share, p->defect_share = 1.5)
SPOIL(battery_level, p->battery_risk_level = 0)
SPOIL(min_battery, p->min_battery = (double)NAN)
SPOIL(link_reserved, p->link_points[5] = 1)
SPOIL(fallback_positive, p->safe_fallback_points = 1)
SPOIL(headroom, p->storage_headroom = 0.5)
SPOIL(window_flag, p->t0_overrides_window = -1)
#undef SPOIL

static void bad_policies_are_refused_by_field(void **state)
{
    (void)state;
    static const bad_policy cases[] = {
        {"model", -1, spoil_model},
        {"class_points", 1, spoil_class_nan},
        {"class_points", 6, spoil_class_reserved},
        {"class_points", 0, spoil_class_huge},
        {"severity_points", 2, spoil_severity_negative},
        {"attack_path_points", 4, spoil_attack_falling},
        {"exploit_points", 2, spoil_exploit_falling},
        {"automatable_points", -1, spoil_automatable_negative},
        {"share_points", -1, spoil_share_inf},
        {"workflow_cap", -1, spoil_workflow_cap_negative},
        {"layer_points", 7, spoil_layer_reserved},
        {"tier_thresholds", 0, spoil_tier_range},
        {"tier_thresholds", -1, spoil_tier_order},
        {"cosmetic_t3", -1, spoil_flag},
        {"class_criticality", 20, spoil_criticality},
        {"customer_points", 3, spoil_customer_falling},
        {"exposure_points", 3, spoil_exposure_reserved},
        {"uptime_points", 1, spoil_uptime_falling},
        {"defect_share", -1, spoil_defect_share},
        {"battery_risk_level", -1, spoil_battery_level},
        {"min_battery", -1, spoil_min_battery},
        {"link_points", 5, spoil_link_reserved},
        {"safe_fallback_points", -1, spoil_fallback_positive},
        {"storage_headroom", -1, spoil_headroom},
        {"t0_overrides_window", -1, spoil_window_flag},
    };
    for (size_t c = 0; c < COUNT(cases); c++) {
        otaprio_risk_policy p;
        otaprio_risk_policy_init(&p);
        cases[c].spoil(&p);
        otaprio_risk_model *model = (otaprio_risk_model *)&p; /* sentinel */
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio_risk_model_create(&p, NULL, &model, &diag),
                         OTAPRIO_E_RANGE);
        assert_string_equal(diag.field, cases[c].field);
        assert_int_equal(diag.index, cases[c].index);
        assert_ptr_equal(model, (otaprio_risk_model *)&p);
    }
    /* A rising table may climb as high as it likes. */
    otaprio_risk_policy p;
    otaprio_risk_policy_init(&p);
    spoil_customer_reserved(&p);
    otaprio_risk_model *model = NULL;
    assert_int_equal(otaprio_risk_model_create(&p, NULL, &model, NULL),
                     OTAPRIO_OK);
    otaprio_risk_model_free(model);
}

static void a_newer_policy_with_unknown_settings_is_refused(void **state)
{
    (void)state;
    struct {
        otaprio_risk_policy known;
        double from_the_future;
    } newer;
    memset(&newer, 0, sizeof newer);
    (otaprio_risk_policy_init)(&newer.known, sizeof newer);
    assert_int_equal(newer.known.size, sizeof newer);
    otaprio_risk_model *model = NULL;
    assert_int_equal(
        otaprio_risk_model_create(&newer.known, NULL, &model, NULL),
        OTAPRIO_OK); /* the unknown setting is zero */
    otaprio_risk_model_free(model);
    newer.from_the_future = 1.0;
    model = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(
        otaprio_risk_model_create(&newer.known, NULL, &model, &diag),
        OTAPRIO_E_STRUCT_SIZE);
    assert_null(model);
    assert_string_equal(diag.field, "size");
}

static void model_out_pointer_is_required(void **state)
{
    (void)state;
    assert_int_equal(otaprio_risk_model_create(NULL, NULL, NULL, NULL),
                     OTAPRIO_E_INVALID);
}

static int build_and_free(const otaprio_allocator *allocator, void *ctx)
{
    (void)ctx;
    otaprio_risk_model *model = NULL;
    int status = otaprio_risk_model_create(NULL, allocator, &model, NULL);
    if (status != OTAPRIO_OK) {
        assert_null(model); /* nothing half-built reaches the caller */
        return status;
    }
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    otaprio_issue_score score;
    score.size = sizeof score;
    assert_int_equal(
        otaprio_risk_score_issue(model, &issue, &score, NULL, 0, NULL, NULL),
        OTAPRIO_OK);
    otaprio_risk_model_free(model);
    return OTAPRIO_OK;
}

static void model_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_int_equal(alloc_fail_sweep(build_and_free, NULL, OTAPRIO_E_NOMEM),
                     1);
}

static void model_memory_comes_from_the_callers_allocator(void **state)
{
    (void)state;
    failing_allocator fa;
    failing_allocator_prepare(&fa, 0);
    otaprio_risk_model *model = NULL;
    assert_int_equal(
        otaprio_risk_model_create(NULL, &fa.allocator, &model, NULL),
        OTAPRIO_OK);
    assert_int_equal(fa.live_blocks, 1);
    otaprio_risk_model_free(model);
    assert_int_equal(fa.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_documented_ones),
        cmocka_unit_test(null_policy_means_the_defaults),
        cmocka_unit_test(bad_policies_are_refused_by_field),
        cmocka_unit_test(a_newer_policy_with_unknown_settings_is_refused),
        cmocka_unit_test(model_out_pointer_is_required),
        cmocka_unit_test(model_survives_every_allocation_failure),
        cmocka_unit_test(model_memory_comes_from_the_callers_allocator),
    };
    return cmocka_run_group_tests_name("risk_policy", tests, NULL, NULL);
}
