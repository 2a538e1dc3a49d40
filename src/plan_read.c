/* SPDX-License-Identifier: MIT */
/*
 * What a finished plan answers: its summary, its scorecard, its waves with
 * their guardrails and cohort, its dependency chains, its warnings, and
 * the names hosts print. A plan is immutable, so all of it is thread-safe.
 */
#include "plan_internal.h"

static const otaprio__layout summary_layout = {
    "otaprio_plan_summary", sizeof(otaprio_plan_summary),
    sizeof(otaprio_plan_summary), /* first published layout */
};
static const otaprio__layout wave_layout = {
    "otaprio_plan_wave", sizeof(otaprio_plan_wave),
    sizeof(otaprio_plan_wave), /* first published layout */
};
static const otaprio__layout chain_layout = {
    "otaprio_plan_chain", sizeof(otaprio_plan_chain),
    sizeof(otaprio_plan_chain), /* first published layout */
};
static const otaprio__layout warning_layout = {
    "otaprio_plan_warning", sizeof(otaprio_plan_warning),
    sizeof(otaprio_plan_warning), /* first published layout */
};

void otaprio_plan_free(otaprio_plan *plan)
{
    if (plan == NULL)
        return;
    otaprio__mem mem = plan->mem;
    for (uint32_t k = 0; k < OTAPRIO__PLAN_MAX_WAVES; k++)
        otaprio_guard_set_free(plan->guards[k]);
    otaprio_cohort_free(plan->cohort);
    otaprio__mem_free(&mem, plan->explanation);
    otaprio__vec_release(&mem, &plan->chains);
    otaprio__vec_release(&mem, &plan->warnings);
    otaprio__mem_free(&mem, plan);
}

/* Checks a read's arguments: the plan, the output and its size. */
static int check_read(const otaprio_plan *plan, const void *out,
                      const otaprio__layout *layout, otaprio_diag *diag)
{
    if (plan == NULL || out == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             plan == NULL ? "plan" : "info", -1, "%s is NULL",
                             plan == NULL ? "plan" : "the output");
    size_t size = *(const size_t *)out;
    if (size < layout->minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "size", -1,
                             "%s has size %zu; at least %zu is needed",
                             layout->name, size, layout->minimum);
    return OTAPRIO_OK;
}

static int check_index(otaprio_diag *diag, const char *what, uint64_t index,
                       uint64_t count)
{
    if (index < count)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, what, (int64_t)index,
                         "%s %llu is past the plan's %llu", what,
                         (unsigned long long)index, (unsigned long long)count);
}

int otaprio_plan_get_summary(const otaprio_plan *plan,
                             otaprio_plan_summary *summary, otaprio_diag *diag)
{
    OTAPRIO__TRY(check_read(plan, summary, &summary_layout, diag));
    return otaprio__struct_write(summary, &plan->summary, &summary_layout);
}

int otaprio_plan_explanation(const otaprio_plan *plan,
                             otaprio_factor_points *items, size_t capacity,
                             size_t *count, otaprio_diag *diag)
{
    if (plan == NULL || count == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             plan == NULL ? "plan" : "count", -1, "%s is NULL",
                             plan == NULL ? "plan" : "count");
    *count = plan->explanation_count;
    if (items == NULL)
        return OTAPRIO_OK;
    if (capacity < plan->explanation_count)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "capacity", -1,
                             "the explanation has %zu lines; capacity is %zu",
                             plan->explanation_count, capacity);
    for (size_t i = 0; i < plan->explanation_count; i++)
        items[i] = plan->explanation[i];
    return OTAPRIO_OK;
}

uint32_t otaprio_plan_wave_count(const otaprio_plan *plan)
{
    return plan != NULL ? plan->wave_count : 0;
}

int otaprio_plan_get_wave(const otaprio_plan *plan, uint32_t wave,
                          otaprio_plan_wave *info, otaprio_diag *diag)
{
    OTAPRIO__TRY(check_read(plan, info, &wave_layout, diag));
    OTAPRIO__TRY(check_index(diag, "wave", wave, plan->wave_count));
    return otaprio__struct_write(info, &plan->waves[wave], &wave_layout);
}

const otaprio_guard_set *otaprio_plan_wave_guards(const otaprio_plan *plan,
                                                  uint32_t wave)
{
    if (plan == NULL || wave >= plan->wave_count)
        return NULL;
    return plan->guards[wave];
}

const otaprio_cohort *otaprio_plan_cohort(const otaprio_plan *plan)
{
    return plan != NULL ? plan->cohort : NULL;
}

uint32_t otaprio_plan_chain_count(const otaprio_plan *plan)
{
    return plan != NULL ? (uint32_t)plan->chains.length : 0;
}

int otaprio_plan_get_chain(const otaprio_plan *plan, uint32_t chain,
                           otaprio_plan_chain *info, otaprio_diag *diag)
{
    OTAPRIO__TRY(check_read(plan, info, &chain_layout, diag));
    OTAPRIO__TRY(check_index(diag, "chain", chain, plan->chains.length));
    const otaprio_plan_chain *all = plan->chains.data;
    return otaprio__struct_write(info, &all[chain], &chain_layout);
}

size_t otaprio_plan_warning_count(const otaprio_plan *plan)
{
    return plan != NULL ? plan->warnings.length : 0;
}

int otaprio_plan_get_warning(const otaprio_plan *plan, size_t index,
                             otaprio_plan_warning *info, otaprio_diag *diag)
{
    OTAPRIO__TRY(check_read(plan, info, &warning_layout, diag));
    OTAPRIO__TRY(check_index(diag, "warning", index, plan->warnings.length));
    const otaprio_plan_warning *all = plan->warnings.data;
    return otaprio__struct_write(info, &all[index], &warning_layout);
}

/* ---- names ----------------------------------------------------------------
 */

const char *otaprio_plan_stage_name(int32_t stage)
{
    static const char *const names[] = {"dogfood", "employee", "canary",
                                        "broad", "accelerated"};
    return OTAPRIO__NAME_AT(names, stage);
}

const char *otaprio_plan_note_name(uint32_t note)
{
    static const char *const names[] = {
        "emergency (T0)",
        "break-glass approved",
        "blast radius from the dependency graph",
        "telemetry confirms the anomaly",
        "telemetry raised the tier",
        "weak rollback: narrower waves, longer soaks, stricter guardrails",
        "first canary enlarged for statistical power",
        "soaks lengthened for delayed failures",
        "installs wait for maintenance windows",
    };
    return OTAPRIO__NAME_OF_BIT(names, note);
}

const char *otaprio_plan_warning_name(int32_t code)
{
    static const char *const names[] = {
        [OTAPRIO_PLAN_WARN_CHAIN_UNCOVERED] =
            "dependency chain not covered by any canary",
        [OTAPRIO_PLAN_WARN_CLUSTER_UNCOVERED] =
            "shared-fate cluster not covered by any canary",
        [OTAPRIO_PLAN_WARN_NO_PATH] = "blocked devices without an update path",
        [OTAPRIO_PLAN_WARN_STRATA_SHORT] = "strata short of their minimum",
        [OTAPRIO_PLAN_WARN_SHORTFALL] = "wave short of its target",
        [OTAPRIO_PLAN_WARN_POWER_UNREACHABLE] = "power out of reach",
        [OTAPRIO_PLAN_WARN_NO_GUARDRAILS] = "no guardrails",
        [OTAPRIO_PLAN_WARN_WEAK_ROLLBACK] = "weak rollback",
        [OTAPRIO_PLAN_WARN_BREAKGLASS_DENIED] = "break-glass request denied",
        [OTAPRIO_PLAN_WARN_NOTHING_ELIGIBLE] = "no device may install now",
    };
    return OTAPRIO__NAME_AT(names, code);
}

const char *otaprio_plan_path_status_name(int32_t status)
{
    static const char *const names[] = {"none needed", "found", "unreachable",
                                        "too long"};
    return OTAPRIO__NAME_AT(names, status);
}

const char *otaprio_plan_pass_name(int32_t pass)
{
    static const char *const names[] = {"impact", "census", "sample", "assign"};
    return OTAPRIO__NAME_AT(names, pass);
}
