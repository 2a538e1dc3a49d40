/* SPDX-License-Identifier: MIT */
/* The defect score of a fix, its tier, and the CISA SSVC decision. */
#include <math.h>
#include <string.h>

#include "risk_internal.h"

static const otaprio__layout issue_layout = {
    "otaprio_issue", sizeof(otaprio_issue),
    sizeof(otaprio_issue), /* first published layout */
};

static const otaprio__layout issue_score_layout = {
    "otaprio_issue_score", sizeof(otaprio_issue_score),
    sizeof(otaprio_issue_score), /* first published layout */
};

int(otaprio_issue_init)(otaprio_issue *issue, size_t size)
{
    otaprio_issue defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.size = sizeof defaults;
    defaults.issue_class = OTAPRIO_ISSUE_STABILITY;
    defaults.layer = OTAPRIO_LAYER_APP;
    return otaprio__struct_init(issue, size, &defaults, &issue_layout);
}

/*
 * The CISA SSVC coordinator decision table, version 2.0.3, indexed by
 * exploitation (none, PoC, active), automatable (no, yes), technical impact
 * (partial, total) and mission and well-being (low, medium, high). The
 * golden vectors in tests/vectors come from the reference publication.
 */
enum {
    T = OTAPRIO_SSVC_TRACK,
    TS = OTAPRIO_SSVC_TRACK_STAR,
    AT = OTAPRIO_SSVC_ATTEND,
    AC = OTAPRIO_SSVC_ACT
};
static const uint8_t ssvc_table[3][2][2][3] = {
    {{{T, T, T}, {T, T, TS}}, {{T, T, AT}, {T, T, AT}}},
    {{{T, T, TS}, {T, TS, AT}}, {{T, T, AT}, {T, TS, AT}}},
    {{{T, T, AT}, {T, AT, AC}}, {{AT, AT, AC}, {AT, AC, AC}}},
};

/* Range checks of every field, in declaration order. */
static int check_enum(otaprio_diag *diag, const char *field, int32_t value,
                      int32_t count)
{
    if (value >= 0 && value < count)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "issue.%s is %d; it must lie in [0, %d]", field,
                         (int)value, (int)count - 1);
}

static int check_share(otaprio_diag *diag, const char *field, double value)
{
    if (value >= 0.0 && value <= 1.0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "issue.%s is %g; it must lie in [0, 1]", field, value);
}

static int validate_issue(const otaprio_issue *i, otaprio_diag *diag)
{
    OTAPRIO__TRY(
        check_enum(diag, "issue_class", i->issue_class, RISK_ISSUE_CLASSES));
    OTAPRIO__TRY(
        check_enum(diag, "security_impact", i->security_impact, RISK_LEVELS));
    OTAPRIO__TRY(check_enum(diag, "data_loss", i->data_loss, RISK_LEVELS));
    OTAPRIO__TRY(check_enum(diag, "uptime_loss", i->uptime_loss, RISK_LEVELS));
    OTAPRIO__TRY(check_enum(diag, "regulatory_exposure", i->regulatory_exposure,
                            RISK_LEVELS));
    OTAPRIO__TRY(
        check_enum(diag, "attack_path", i->attack_path, RISK_ATTACK_PATHS));
    OTAPRIO__TRY(check_enum(diag, "exploit", i->exploit, RISK_EXPLOITS));
    OTAPRIO__TRY(check_enum(diag, "automatable", i->automatable, 2));
    OTAPRIO__TRY(check_enum(diag, "has_epss", i->has_epss, 2));
    if (i->has_epss)
        OTAPRIO__TRY(check_share(diag, "epss", i->epss));
    OTAPRIO__TRY(check_share(diag, "affected_share", i->affected_share));
    OTAPRIO__TRY(check_share(diag, "concentration", i->concentration));
    if ((i->workflows & ~OTAPRIO_WORKFLOW_ALL) != 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "workflows", -1,
                             "issue.workflows is 0x%x; only bits 0x%x are "
                             "defined",
                             (unsigned)i->workflows,
                             (unsigned)OTAPRIO_WORKFLOW_ALL);
    OTAPRIO__TRY(check_enum(diag, "layer", i->layer, RISK_LAYERS));
    OTAPRIO__TRY(check_enum(diag, "ab_slot", i->ab_slot, 2));
    OTAPRIO__TRY(check_share(diag, "anomaly_rate", i->anomaly_rate));
    OTAPRIO__TRY(check_enum(diag, "anomaly_growing", i->anomaly_growing, 2));
    OTAPRIO__TRY(check_enum(diag, "masks_regression", i->masks_regression, 2));
    return OTAPRIO_OK;
}

/* The most critical device class among the affected ones, or -1. */
static int most_critical_class(const otaprio_risk_model *m, uint32_t classes)
{
    int best = -1;
    for (int c = 0; c < OTAPRIO_DEVICE_CLASS_MAX; c++)
        if ((classes >> c) & 1u)
            if (best < 0 ||
                m->class_criticality[c] > m->class_criticality[best])
                best = c;
    return best;
}

static int popcount32(uint32_t bits)
{
    int count = 0;
    for (; bits != 0; bits &= bits - 1)
        count++;
    return count;
}

static int ssvc_decision(const otaprio_risk_model *m, const otaprio_issue *i)
{
    int total = i->security_impact == OTAPRIO_LEVEL_CRITICAL ||
                i->data_loss == OTAPRIO_LEVEL_CRITICAL;
    int top = most_critical_class(m, i->affected_classes);
    double criticality = top >= 0 ? m->class_criticality[top] : 0.0;
    uint32_t grave = OTAPRIO_WORKFLOW_EMERGENCY | OTAPRIO_WORKFLOW_SAFETY;
    int mission = criticality >= 0.8 || (i->workflows & grave) != 0 ? 2
                  : criticality >= 0.5 || i->workflows != 0         ? 1
                                                                    : 0;
    return ssvc_table[i->exploit][i->automatable][total][mission];
}

/* Adds the defect score's lines and returns the unbounded sum. */
static int64_t defect_lines(const otaprio_risk_model *m, const otaprio_issue *i,
                            otaprio__explain *ex)
{
    const int32_t S = OTAPRIO_SCORE_DEFECT;
    int64_t sum = 0;
#define LINE(factor, input, milli_expr)                                  \
    do {                                                                 \
        int64_t points_ = (milli_expr);                                  \
        otaprio__explain_add(ex, S, (factor), (double)(input), points_); \
        sum += points_;                                                  \
    } while (0)
    LINE(OTAPRIO_FACTOR_ISSUE_CLASS, i->issue_class,
         m->class_milli[i->issue_class]);
    const int32_t levels[] = {i->security_impact, i->data_loss, i->uptime_loss,
                              i->regulatory_exposure};
    const int32_t severity_factors[] = {
        OTAPRIO_FACTOR_SECURITY_IMPACT, OTAPRIO_FACTOR_DATA_LOSS,
        OTAPRIO_FACTOR_UPTIME_LOSS, OTAPRIO_FACTOR_REGULATORY};
    for (int s = 0; s < RISK_SEVERITIES; s++)
        LINE(severity_factors[s], levels[s],
             m->severity_milli[s] * levels[s] / OTAPRIO_LEVEL_CRITICAL);
    LINE(OTAPRIO_FACTOR_ATTACK_PATH, i->attack_path,
         m->attack_path_milli[i->attack_path]);
    LINE(OTAPRIO_FACTOR_EXPLOIT, i->exploit, m->exploit_milli[i->exploit]);
    LINE(OTAPRIO_FACTOR_AUTOMATABLE, i->automatable,
         i->automatable ? m->automatable_milli : 0);
    if (i->has_epss)
        LINE(OTAPRIO_FACTOR_EPSS, i->epss,
             otaprio__milli(m->epss_points * i->epss));
    /* The square root: a small affected share still counts. */
    LINE(OTAPRIO_FACTOR_AFFECTED_SHARE, i->affected_share,
         otaprio__milli(m->share_points * sqrt(i->affected_share)));
    LINE(OTAPRIO_FACTOR_CONCENTRATION, i->concentration,
         otaprio__milli(m->concentration_points * i->concentration));
    int workflows = popcount32(i->workflows);
    int64_t workflow_milli = m->workflow_milli * workflows;
    LINE(OTAPRIO_FACTOR_WORKFLOWS, workflows,
         workflow_milli < m->workflow_cap_milli ? workflow_milli
                                                : m->workflow_cap_milli);
    int top = most_critical_class(m, i->affected_classes);
    if (top >= 0)
        LINE(OTAPRIO_FACTOR_AFFECTED_CLASSES, top,
             otaprio__milli(m->affected_class_points *
                            m->class_criticality[top]));
    LINE(OTAPRIO_FACTOR_LAYER, i->layer, m->layer_milli[i->layer]);
    LINE(OTAPRIO_FACTOR_AB_SLOT, i->ab_slot, i->ab_slot ? m->ab_slot_milli : 0);
    LINE(OTAPRIO_FACTOR_ANOMALY_RATE, i->anomaly_rate,
         otaprio__milli(m->anomaly_points * i->anomaly_rate));
    LINE(OTAPRIO_FACTOR_ANOMALY_GROWING, i->anomaly_growing,
         i->anomaly_growing ? m->anomaly_growing_milli : 0);
    LINE(OTAPRIO_FACTOR_MASKS_REGRESSION, i->masks_regression,
         i->masks_regression ? m->masks_regression_milli : 0);
#undef LINE
    return sum;
}

static int32_t scorecard_tier(const otaprio_risk_model *m, int64_t score)
{
    if (score >= m->tier_milli[0])
        return OTAPRIO_TIER_T0;
    if (score >= m->tier_milli[1])
        return OTAPRIO_TIER_T1;
    if (score >= m->tier_milli[2])
        return OTAPRIO_TIER_T2;
    return OTAPRIO_TIER_T3;
}

static int32_t tier_of_ssvc(int decision)
{
    switch (decision) {
    case OTAPRIO_SSVC_ACT:
        return OTAPRIO_TIER_T0;
    case OTAPRIO_SSVC_ATTEND:
        return OTAPRIO_TIER_T1;
    default:
        return OTAPRIO_TIER_T2;
    }
}

int otaprio_risk_score_issue(const otaprio_risk_model *model,
                             const otaprio_issue *issue,
                             otaprio_issue_score *score,
                             otaprio_factor_points *items, size_t capacity,
                             size_t *count, otaprio_diag *diag)
{
    if (model == NULL || issue == NULL || score == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             model == NULL   ? "model"
                             : issue == NULL ? "issue"
                                             : "score",
                             -1, "a required argument is NULL");
    otaprio_issue full;
    otaprio_issue_init(&full);
    OTAPRIO__TRY(otaprio__struct_read(&full, issue, &issue_layout, diag));
    OTAPRIO__TRY(validate_issue(&full, diag));
    otaprio_issue_score result;
    memset(&result, 0, sizeof result);
    result.size = sizeof result;
    /* The score's size is checked before anything is written. */
    if (score->size < issue_score_layout.minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "score", -1,
                             "score->size is %zu; set it to "
                             "sizeof(otaprio_issue_score)",
                             score->size);

    otaprio__explain explain;
    explain.count = 0;
    int64_t sum = defect_lines(model, &full, &explain);
    int64_t bounded =
        otaprio__explain_bound(&explain, OTAPRIO_SCORE_DEFECT, sum);
    result.ssvc = ssvc_decision(model, &full);
    result.tier = scorecard_tier(model, bounded);
    bool security = full.issue_class == OTAPRIO_ISSUE_SECURITY;
    if (model->kind == OTAPRIO_RISK_MODEL_SSVC && security) {
        result.tier = tier_of_ssvc(result.ssvc);
        otaprio__explain_add(&explain, OTAPRIO_SCORE_DEFECT,
                             OTAPRIO_FACTOR_SSVC_DECISION, result.ssvc, 0);
    } else {
        if (model->active_exploit_t0 && security &&
            full.exploit == OTAPRIO_EXPLOIT_ACTIVE)
            result.tier = OTAPRIO_TIER_T0;
        if (model->cosmetic_t3 && full.issue_class == OTAPRIO_ISSUE_COSMETIC &&
            !full.masks_regression)
            result.tier = OTAPRIO_TIER_T3;
    }
    result.package_bytes = full.package_bytes;
    result.score_milli = bounded;
    result.score = (double)bounded / 1000.0;

    OTAPRIO__TRY(otaprio__explain_emit(&explain, items, capacity, count, diag));
    (void)otaprio__struct_write(score, &result, &issue_score_layout);
    return OTAPRIO_OK;
}

int otaprio__risk_read_issue_score(otaprio_issue_score *out,
                                   const otaprio_issue_score *caller,
                                   otaprio_diag *diag)
{
    if (caller == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "issue", -1,
                             "issue score is NULL");
    memset(out, 0, sizeof *out);
    OTAPRIO__TRY(otaprio__struct_read(out, caller, &issue_score_layout, diag));
    if (out->tier < OTAPRIO_TIER_T0 || out->tier > OTAPRIO_TIER_T3)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "issue.tier", -1,
                             "issue.tier is %d; it must lie in [0, 3]",
                             (int)out->tier);
    if (out->score_milli < 0 || out->score_milli > RISK_SCORE_MAX_MILLI)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "issue.score_milli", -1,
                             "issue.score_milli is %lld; it must lie in [0, "
                             "100000]",
                             (long long)out->score_milli);
    /* score_milli is the score; the points are derived from it, so a
     * host's own score cannot disagree with itself. */
    out->score = (double)out->score_milli / 1000.0;
    return OTAPRIO_OK;
}
