/* SPDX-License-Identifier: MIT */
/*
 * The defect score and tier of a fix: the reference article's cases, the
 * SSVC table against CERT/CC's publication, explanations that add up, the
 * monotonicity the scorecard promises, and bad input.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "risk_fixture.h"
#include "vectors/ssvc_vectors.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ---- the reference article's cases ------------------------------------ */

static void exploited_remote_flaw_on_medical_gateways_is_t0(void **state)
{
    (void)state;
    otaprio_risk_policy policy;
    otaprio_risk_policy_init(&policy);
    policy.active_exploit_t0 = 0; /* the score alone must get there */
    otaprio_risk_model *model = fixture_model(&policy);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.security_impact = OTAPRIO_LEVEL_HIGH;
    issue.attack_path = OTAPRIO_ATTACK_REMOTE;
    issue.exploit = OTAPRIO_EXPLOIT_ACTIVE;
    issue.automatable = 1;
    issue.affected_share = 0.2;
    issue.affected_classes =
        (1u << OTAPRIO_DEVICE_MEDICAL) | (1u << OTAPRIO_DEVICE_GATEWAY);
    issue.workflows = OTAPRIO_WORKFLOW_SAFETY;
    issue.layer = OTAPRIO_LAYER_OS;
    otaprio_issue_score score = fixture_score(model, &issue);
    assert_int_equal(score.tier, OTAPRIO_TIER_T0);
    assert_true(score.score >= 70.0);
    otaprio_risk_model_free(model);
}

static void cosmetic_waits_unless_it_masks_a_regression(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_COSMETIC;
    issue.affected_share = 1.0; /* everywhere, and still it waits */
    issue.uptime_loss = OTAPRIO_LEVEL_LOW;
    assert_int_equal(fixture_score(model, &issue).tier, OTAPRIO_TIER_T3);
    issue.masks_regression = 1;
    otaprio_issue_score masked = fixture_score(model, &issue);
    assert_true(masked.tier < OTAPRIO_TIER_T3);
    otaprio_risk_model_free(model);
}

static void
moderate_bug_on_valuable_class_outranks_severe_on_tiny_cohort(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue moderate;
    otaprio_issue_init(&moderate);
    moderate.uptime_loss = OTAPRIO_LEVEL_MODERATE;
    moderate.affected_share = 0.4;
    moderate.workflows = OTAPRIO_WORKFLOW_PAYMENT;
    moderate.affected_classes = 1u << OTAPRIO_DEVICE_POS;
    otaprio_issue severe;
    otaprio_issue_init(&severe);
    severe.uptime_loss = OTAPRIO_LEVEL_CRITICAL;
    severe.data_loss = OTAPRIO_LEVEL_HIGH;
    severe.affected_share = 0.001;
    severe.affected_classes = 1u << OTAPRIO_DEVICE_WEARABLE;
    otaprio_issue_score a = fixture_score(model, &moderate);
    otaprio_issue_score b = fixture_score(model, &severe);
    assert_true(a.score_milli > b.score_milli);
    assert_true(a.tier <= b.tier);
    otaprio_risk_model_free(model);
}

static void active_exploitation_goes_to_the_top(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.attack_path = OTAPRIO_ATTACK_PHYSICAL;
    issue.security_impact = OTAPRIO_LEVEL_LOW;
    issue.affected_share = 0.01;
    otaprio_issue_score quiet = fixture_score(model, &issue);
    assert_true(quiet.tier > OTAPRIO_TIER_T0);
    issue.exploit = OTAPRIO_EXPLOIT_ACTIVE;
    otaprio_issue_score exploited = fixture_score(model, &issue);
    assert_int_equal(exploited.tier, OTAPRIO_TIER_T0);
    assert_true(exploited.score_milli < 70000); /* the rule, not the score */
    otaprio_risk_model_free(model);
}

static void hard_to_revert_layers_slow_a_rollout(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.uptime_loss = OTAPRIO_LEVEL_HIGH;
    issue.affected_share = 0.5;
    issue.layer = OTAPRIO_LAYER_APP;
    int64_t app = fixture_score(model, &issue).score_milli;
    issue.layer = OTAPRIO_LAYER_BOOTLOADER;
    int64_t bootloader = fixture_score(model, &issue).score_milli;
    issue.ab_slot = 1;
    int64_t with_slot = fixture_score(model, &issue).score_milli;
    assert_true(bootloader < with_slot);
    assert_true(with_slot < app);
    otaprio_risk_model_free(model);
}

/* ---- SSVC ------------------------------------------------------------- */

/* An issue whose SSVC decision points are the given ones. */
static void ssvc_issue(otaprio_issue *issue, const ssvc_vector *v)
{
    otaprio_issue_init(issue);
    issue->issue_class = OTAPRIO_ISSUE_SECURITY;
    issue->exploit = v->exploitation;
    issue->automatable = v->automatable;
    issue->security_impact =
        v->technical_impact ? OTAPRIO_LEVEL_CRITICAL : OTAPRIO_LEVEL_HIGH;
    /* Mission and well-being through the most critical class affected. */
    static const uint32_t classes[] = {1u << OTAPRIO_DEVICE_WEARABLE,
                                       1u << OTAPRIO_DEVICE_KIOSK,
                                       1u << OTAPRIO_DEVICE_MEDICAL};
    issue->affected_classes = classes[v->mission];
}

static void ssvc_decisions_match_the_cisa_table(void **state)
{
    (void)state;
    otaprio_risk_policy policy;
    otaprio_risk_policy_init(&policy);
    policy.model = OTAPRIO_RISK_MODEL_SSVC;
    otaprio_risk_model *model = fixture_model(&policy);
    assert_int_equal(COUNT(ssvc_vectors), 36);
    static const int32_t tier_of[] = {OTAPRIO_TIER_T2, OTAPRIO_TIER_T2,
                                      OTAPRIO_TIER_T1, OTAPRIO_TIER_T0};
    for (size_t i = 0; i < COUNT(ssvc_vectors); i++) {
        otaprio_issue issue;
        ssvc_issue(&issue, &ssvc_vectors[i]);
        otaprio_issue_score score = fixture_score(model, &issue);
        assert_int_equal(score.ssvc, ssvc_vectors[i].decision);
        assert_int_equal(score.tier, tier_of[ssvc_vectors[i].decision]);
    }
    otaprio_risk_model_free(model);
}

static void ssvc_mission_follows_workflows_too(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.exploit = OTAPRIO_EXPLOIT_ACTIVE;
    issue.security_impact = OTAPRIO_LEVEL_CRITICAL; /* total */
    /* active, no, total: low Track, medium Attend, high Act */
    assert_int_equal(fixture_score(model, &issue).ssvc, OTAPRIO_SSVC_TRACK);
    issue.workflows = OTAPRIO_WORKFLOW_PAYMENT;
    assert_int_equal(fixture_score(model, &issue).ssvc, OTAPRIO_SSVC_ATTEND);
    issue.workflows |= OTAPRIO_WORKFLOW_EMERGENCY;
    assert_int_equal(fixture_score(model, &issue).ssvc, OTAPRIO_SSVC_ACT);
    otaprio_risk_model_free(model);
}

static void ssvc_model_leaves_other_classes_to_the_scorecard(void **state)
{
    (void)state;
    otaprio_risk_policy policy;
    otaprio_risk_policy_init(&policy);
    otaprio_risk_model *scorecard = fixture_model(&policy);
    policy.model = OTAPRIO_RISK_MODEL_SSVC;
    otaprio_risk_model *ssvc = fixture_model(&policy);
    uint64_t s = 7;
    for (int n = 0; n < 200; n++) {
        otaprio_issue issue;
        fixture_issue(&issue, &s);
        otaprio_issue_score a = fixture_score(scorecard, &issue);
        otaprio_issue_score b = fixture_score(ssvc, &issue);
        assert_int_equal(a.score_milli, b.score_milli);
        assert_int_equal(a.ssvc, b.ssvc);
        if (issue.issue_class != OTAPRIO_ISSUE_SECURITY)
            assert_int_equal(a.tier, b.tier);
    }
    otaprio_risk_model_free(scorecard);
    otaprio_risk_model_free(ssvc);
}

/* The reference table never lowers its decision when one decision point
 * rises; our engine's monotonicity under SSVC rests on that. */
static void ssvc_table_is_monotone(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(ssvc_vectors); i++)
        for (size_t j = 0; j < COUNT(ssvc_vectors); j++) {
            const ssvc_vector *a = &ssvc_vectors[i], *b = &ssvc_vectors[j];
            if (a->exploitation <= b->exploitation &&
                a->automatable <= b->automatable &&
                a->technical_impact <= b->technical_impact &&
                a->mission <= b->mission)
                assert_true(a->decision <= b->decision);
        }
}

/* ---- explanations ----------------------------------------------------- */

static void explanations_add_up_exactly(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    uint64_t s = 1;
    for (int n = 0; n < 5000; n++) {
        otaprio_issue issue;
        fixture_issue(&issue, &s);
        otaprio_issue_score score;
        score.size = sizeof score;
        otaprio_factor_points items[64];
        size_t count = 0;
        assert_int_equal(otaprio_risk_score_issue(model, &issue, &score, items,
                                                  COUNT(items), &count, NULL),
                         OTAPRIO_OK);
        assert_true(count > 0);
        assert_int_equal(fixture_sum_lines(items, count, OTAPRIO_SCORE_DEFECT),
                         score.score_milli);
        assert_true(score.score_milli >= 0 && score.score_milli <= 100000);
        assert_true(score.score == (double)score.score_milli / 1000.0);
        for (size_t i = 0; i < count; i++) {
            assert_int_equal(items[i].score, OTAPRIO_SCORE_DEFECT);
            assert_string_not_equal(
                otaprio_factor_label(items[i].factor, items[i].input),
                "unknown factor");
        }
    }
    otaprio_risk_model_free(model);
}

static void explanation_reads_as_a_scorecard(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.exploit = OTAPRIO_EXPLOIT_ACTIVE;
    issue.attack_path = OTAPRIO_ATTACK_REMOTE;
    issue.ab_slot = 1;
    otaprio_issue_score score;
    score.size = sizeof score;
    otaprio_factor_points items[64];
    size_t count = 0;
    assert_int_equal(otaprio_risk_score_issue(model, &issue, &score, items,
                                              COUNT(items), &count, NULL),
                     OTAPRIO_OK);
    int seen = 0;
    for (size_t i = 0; i < count; i++) {
        const char *label =
            otaprio_factor_label(items[i].factor, items[i].input);
        if (strcmp(label, "active exploitation") == 0 &&
            items[i].milli == 18000)
            seen |= 1;
        if (strcmp(label, "remote attack path") == 0 && items[i].milli == 12000)
            seen |= 2;
        if (strcmp(label, "A/B slot") == 0 && items[i].milli == 4000)
            seen |= 4;
    }
    assert_int_equal(seen, 7);
    otaprio_risk_model_free(model);
}

static void explanation_capacity_is_checked_before_writing(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.exploit = OTAPRIO_EXPLOIT_POC;
    issue.affected_share = 0.5;
    otaprio_issue_score score;
    score.size = sizeof score;
    size_t needed = 0;
    assert_int_equal(
        otaprio_risk_score_issue(model, &issue, &score, NULL, 0, &needed, NULL),
        OTAPRIO_OK);
    assert_true(needed >= 3);
    otaprio_factor_points items[2];
    memset(items, 0xAB, sizeof items);
    otaprio_factor_points before[2];
    memcpy(before, items, sizeof items);
    otaprio_issue_score untouched;
    memset(&untouched, 0xCD, sizeof untouched);
    untouched.size = sizeof untouched;
    otaprio_issue_score copy = untouched;
    size_t count = 0;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    assert_int_equal(otaprio_risk_score_issue(model, &issue, &untouched, items,
                                              2, &count, &diag),
                     OTAPRIO_E_RANGE);
    assert_int_equal(count, needed);
    assert_string_equal(diag.field, "capacity");
    assert_memory_equal(items, before, sizeof items);
    assert_memory_equal(&untouched, &copy, sizeof copy);
    otaprio_risk_model_free(model);
}

/* ---- monotonicity ----------------------------------------------------- */

/* Raising one factor of `issue` by `bump` must never lower the score nor
 * move the tier away from T0. */
static void assert_not_lower(const otaprio_risk_model *model,
                             const otaprio_issue *before,
                             const otaprio_issue *after)
{
    otaprio_issue_score a = fixture_score(model, before);
    otaprio_issue_score b = fixture_score(model, after);
    assert_true(b.score_milli >= a.score_milli);
    assert_true(b.tier <= a.tier);
}

static void raising_any_factor_never_lowers_score_or_tier(void **state)
{
    (void)state;
    otaprio_risk_policy policy;
    otaprio_risk_policy_init(&policy);
    otaprio_risk_model *models[2];
    models[0] = fixture_model(&policy);
    policy.model = OTAPRIO_RISK_MODEL_SSVC;
    models[1] = fixture_model(&policy);
    uint64_t s = 99;
    for (int n = 0; n < 3000; n++) {
        otaprio_issue base;
        fixture_issue(&base, &s);
        for (int m = 0; m < 2; m++) {
            otaprio_issue up = base;
            switch (n % 12) {
            case 0:
                up.exploit = base.exploit < 2 ? base.exploit + 1 : 2;
                break;
            case 1:
                up.security_impact =
                    base.security_impact < 4 ? base.security_impact + 1 : 4;
                break;
            case 2:
                up.data_loss = base.data_loss < 4 ? base.data_loss + 1 : 4;
                break;
            case 3:
                up.uptime_loss =
                    base.uptime_loss < 4 ? base.uptime_loss + 1 : 4;
                break;
            case 4:
                up.regulatory_exposure = base.regulatory_exposure < 4
                                             ? base.regulatory_exposure + 1
                                             : 4;
                break;
            case 5:
                up.attack_path =
                    base.attack_path < 4 ? base.attack_path + 1 : 4;
                break;
            case 6:
                up.automatable = 1;
                break;
            case 7:
                up.affected_share =
                    base.affected_share + (1.0 - base.affected_share) * 0.5;
                break;
            case 8:
                up.concentration = 1.0;
                break;
            case 9:
                up.workflows |= 1u << splitmix_below(&s, 6);
                break;
            case 10:
                up.affected_classes |= 1u << OTAPRIO_DEVICE_MEDICAL;
                break;
            default:
                up.has_epss = 1;
                up.epss = base.has_epss ? fmin(1.0, base.epss + 0.1) : 0.5;
                break;
            }
            assert_not_lower(models[m], &base, &up);
        }
    }
    otaprio_risk_model_free(models[0]);
    otaprio_risk_model_free(models[1]);
}

static void scores_are_deterministic(void **state)
{
    (void)state;
    otaprio_risk_model *a = fixture_model(NULL);
    otaprio_risk_model *b = fixture_model(NULL);
    uint64_t s = 5;
    for (int n = 0; n < 500; n++) {
        otaprio_issue issue;
        fixture_issue(&issue, &s);
        otaprio_issue_score x = fixture_score(a, &issue);
        otaprio_issue_score y = fixture_score(b, &issue);
        assert_memory_equal(&x, &y, sizeof x);
    }
    otaprio_risk_model_free(a);
    otaprio_risk_model_free(b);
}

/* ---- bad input -------------------------------------------------------- */

typedef struct bad_issue {
    const char *field;
    void (*spoil)(otaprio_issue *);
} bad_issue;

#define SPOIL(name, statement)                 \
    static void spoil_##name(otaprio_issue *i) \
    {                                          \
        statement;                             \
    }
SPOIL(class, i->issue_class = 5)
SPOIL(class_negative, i->issue_class = -1)
SPOIL(security, i->security_impact = 5)
SPOIL(data_loss, i->data_loss = -2)
SPOIL(uptime, i->uptime_loss = 9)
SPOIL(regulatory, i->regulatory_exposure = 5)
SPOIL(attack, i->attack_path = 5)
SPOIL(exploit, i->exploit = 3)
SPOIL(automatable, i->automatable = 2)
SPOIL(has_epss, i->has_epss = -1)
SPOIL(epss, (i->has_epss = 1, i->epss = 1.5))
SPOIL(epss_nan, (i->has_epss = 1, i->epss = (double)NAN))
SPOIL(share, i->affected_share = -0.1)
SPOIL(share_nan, i->affected_share = (double)NAN)
SPOIL(concentration, i->concentration = (double)INFINITY)
SPOIL(workflows, i->workflows = 1u << 6)
SPOIL(layer, i->layer = 7)
SPOIL(ab_slot, i->ab_slot = 3)
SPOIL(anomaly, i->anomaly_rate = 2.0)
SPOIL(growing, i->anomaly_growing = 2)
SPOIL(masks, i->masks_regression = -1)
#undef SPOIL

static void bad_fields_are_named_and_nothing_is_written(void **state)
{
    (void)state;
    static const bad_issue cases[] = {
        {"issue_class", spoil_class},
        {"issue_class", spoil_class_negative},
        {"security_impact", spoil_security},
        {"data_loss", spoil_data_loss},
        {"uptime_loss", spoil_uptime},
        {"regulatory_exposure", spoil_regulatory},
        {"attack_path", spoil_attack},
        {"exploit", spoil_exploit},
        {"automatable", spoil_automatable},
        {"has_epss", spoil_has_epss},
        {"epss", spoil_epss},
        {"epss", spoil_epss_nan},
        {"affected_share", spoil_share},
        {"affected_share", spoil_share_nan},
        {"concentration", spoil_concentration},
        {"workflows", spoil_workflows},
        {"layer", spoil_layer},
        {"ab_slot", spoil_ab_slot},
        {"anomaly_rate", spoil_anomaly},
        {"anomaly_growing", spoil_growing},
        {"masks_regression", spoil_masks},
    };
    otaprio_risk_model *model = fixture_model(NULL);
    for (size_t c = 0; c < COUNT(cases); c++) {
        otaprio_issue issue;
        otaprio_issue_init(&issue);
        cases[c].spoil(&issue);
        otaprio_issue_score score;
        memset(&score, 0x5A, sizeof score);
        score.size = sizeof score;
        otaprio_issue_score before = score;
        otaprio_factor_points items[8];
        memset(items, 0x5A, sizeof items);
        size_t count = 12345;
        otaprio_diag diag;
        otaprio_diag_init(&diag);
        assert_int_equal(otaprio_risk_score_issue(model, &issue, &score, items,
                                                  COUNT(items), &count, &diag),
                         OTAPRIO_E_RANGE);
        assert_string_equal(diag.field, cases[c].field);
        assert_true(strlen(diag.message) > 0);
        assert_memory_equal(&score, &before, sizeof score);
        assert_int_equal(count, 12345);
        assert_int_equal(items[0].milli, (int64_t)0x5A5A5A5A5A5A5A5Aull);
    }
    otaprio_risk_model_free(model);
}

static void null_arguments_and_bad_sizes_are_refused(void **state)
{
    (void)state;
    otaprio_risk_model *model = fixture_model(NULL);
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    otaprio_issue_score score;
    score.size = sizeof score;
    assert_int_equal(
        otaprio_risk_score_issue(NULL, &issue, &score, NULL, 0, NULL, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(
        otaprio_risk_score_issue(model, NULL, &score, NULL, 0, NULL, NULL),
        OTAPRIO_E_INVALID);
    assert_int_equal(
        otaprio_risk_score_issue(model, &issue, NULL, NULL, 0, NULL, NULL),
        OTAPRIO_E_INVALID);
    otaprio_issue_score unsized;
    memset(&unsized, 0, sizeof unsized);
    assert_int_equal(
        otaprio_risk_score_issue(model, &issue, &unsized, NULL, 0, NULL, NULL),
        OTAPRIO_E_STRUCT_SIZE);
    issue.size = 3;
    assert_int_equal(
        otaprio_risk_score_issue(model, &issue, &score, NULL, 0, NULL, NULL),
        OTAPRIO_E_STRUCT_SIZE);
    assert_int_equal((otaprio_issue_init)(NULL, sizeof issue),
                     OTAPRIO_E_INVALID);
    assert_int_equal((otaprio_issue_init)(&issue, 4), OTAPRIO_E_STRUCT_SIZE);
    otaprio_risk_model_free(model);
}

static void names_cover_every_value(void **state)
{
    (void)state;
    for (int t = 0; t < 4; t++)
        assert_string_not_equal(otaprio_tier_name(t), "unknown tier");
    assert_string_equal(otaprio_tier_name(4), "unknown tier");
    assert_string_equal(otaprio_tier_name(-1), "unknown tier");
    for (int d = 0; d < 4; d++)
        assert_string_not_equal(otaprio_disposition_name(d),
                                "unknown disposition");
    assert_string_equal(otaprio_disposition_name(4), "unknown disposition");
    for (int b = 0; b < OTAPRIO_REASON_COUNT; b++)
        assert_string_not_equal(otaprio_reason_name(1u << b), "unknown reason");
    assert_string_equal(otaprio_reason_name(3), "unknown reason");
    assert_string_equal(otaprio_reason_name(1u << OTAPRIO_REASON_COUNT),
                        "unknown reason");
    assert_string_equal(otaprio_ssvc_name(1), "Track*");
    assert_string_equal(otaprio_ssvc_name(4), "unknown decision");
    assert_string_equal(otaprio_factor_label(999, 0), "unknown factor");
    assert_string_equal(otaprio_factor_label(OTAPRIO_FACTOR_EXPLOIT, 2),
                        "active exploitation");
    /* An input outside the enum falls back to the factor's name. */
    assert_string_equal(otaprio_factor_label(OTAPRIO_FACTOR_EXPLOIT, 7),
                        "exploit maturity");
    assert_string_equal(
        otaprio_factor_label(OTAPRIO_FACTOR_EXPLOIT, (double)NAN),
        "exploit maturity");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exploited_remote_flaw_on_medical_gateways_is_t0),
        cmocka_unit_test(cosmetic_waits_unless_it_masks_a_regression),
        cmocka_unit_test(
            moderate_bug_on_valuable_class_outranks_severe_on_tiny_cohort),
        cmocka_unit_test(active_exploitation_goes_to_the_top),
        cmocka_unit_test(hard_to_revert_layers_slow_a_rollout),
        cmocka_unit_test(ssvc_decisions_match_the_cisa_table),
        cmocka_unit_test(ssvc_mission_follows_workflows_too),
        cmocka_unit_test(ssvc_model_leaves_other_classes_to_the_scorecard),
        cmocka_unit_test(ssvc_table_is_monotone),
        cmocka_unit_test(explanations_add_up_exactly),
        cmocka_unit_test(explanation_reads_as_a_scorecard),
        cmocka_unit_test(explanation_capacity_is_checked_before_writing),
        cmocka_unit_test(raising_any_factor_never_lowers_score_or_tier),
        cmocka_unit_test(scores_are_deterministic),
        cmocka_unit_test(bad_fields_are_named_and_nothing_is_written),
        cmocka_unit_test(null_arguments_and_bad_sizes_are_refused),
        cmocka_unit_test(names_cover_every_value),
    };
    return cmocka_run_group_tests_name("risk_issue", tests, NULL, NULL);
}
