/* SPDX-License-Identifier: MIT */
/*
 * Answers from a finished report, and the names hosts print.
 */
#include <string.h>

#include "guardrail_internal.h"

static const otaprio__layout result_layout = {
    "otaprio_guard_result", sizeof(otaprio_guard_result),
    sizeof(otaprio_guard_result), /* first published layout */
};

static const otaprio__layout reason_layout = {
    "otaprio_guard_reason", sizeof(otaprio_guard_reason),
    sizeof(otaprio_guard_reason), /* first published layout */
};

static const otaprio__layout stratum_layout = {
    "otaprio_guard_stratum", sizeof(otaprio_guard_stratum),
    sizeof(otaprio_guard_stratum), /* first published layout */
};

void otaprio_guard_report_free(otaprio_guard_report *report)
{
    if (report == NULL)
        return;
    otaprio__mem mem = report->mem;
    otaprio__mem_free(&mem, report); /* one block with its arrays */
}

int otaprio_guard_report_action(const otaprio_guard_report *report)
{
    return report == NULL ? -1 : report->action;
}

/* A caller's output struct must hold at least the first layout. */
static int check_size(const void *out, const otaprio__layout *layout)
{
    size_t size;
    memcpy(&size, out, sizeof size);
    return size < layout->minimum ? OTAPRIO_E_STRUCT_SIZE : OTAPRIO_OK;
}

int otaprio_guard_report_result(const otaprio_guard_report *report,
                                uint32_t rule, otaprio_guard_result *result)
{
    if (report == NULL || result == NULL)
        return OTAPRIO_E_INVALID;
    if (rule >= report->rule_count)
        return OTAPRIO_E_RANGE;
    OTAPRIO__TRY(check_size(result, &result_layout));
    return otaprio__struct_write(result, &report->results[rule],
                                 &result_layout);
}

size_t otaprio_guard_report_reason_count(const otaprio_guard_report *report)
{
    return report == NULL ? 0 : report->reason_count;
}

int otaprio_guard_report_reason(const otaprio_guard_report *report,
                                size_t index, otaprio_guard_reason *reason)
{
    if (report == NULL || reason == NULL)
        return OTAPRIO_E_INVALID;
    if (index >= report->reason_count)
        return OTAPRIO_E_RANGE;
    OTAPRIO__TRY(check_size(reason, &reason_layout));
    return otaprio__struct_write(reason, &report->reasons[index],
                                 &reason_layout);
}

int otaprio_guard_report_strata(const otaprio_guard_report *report,
                                uint32_t rule, otaprio_guard_stratum *strata,
                                size_t capacity, size_t *total)
{
    if (report == NULL || total == NULL || (strata == NULL && capacity > 0))
        return OTAPRIO_E_INVALID;
    if (rule >= report->rule_count)
        return OTAPRIO_E_RANGE;
    size_t first = report->strata_start[rule];
    size_t count = report->strata_start[rule + 1] - first;
    size_t n = capacity < count ? capacity : count;
    /* Every size first, so a bad one writes nothing. */
    for (size_t i = 0; i < n; i++)
        OTAPRIO__TRY(check_size(&strata[i], &stratum_layout));
    for (size_t i = 0; i < n; i++)
        OTAPRIO__TRY(otaprio__struct_write(
            &strata[i], &report->strata[first + i], &stratum_layout));
    *total = count;
    return OTAPRIO_OK;
}

const char *otaprio_guard_verdict_name(int32_t verdict)
{
    static const char *const names[] = {"pass", "fail", "inconclusive",
                                        "no-data"};
    return OTAPRIO__NAME_AT(names, verdict);
}

const char *otaprio_guard_action_name(int32_t action)
{
    static const char *const names[] = {"expand", "hold", "pause", "rollback"};
    return OTAPRIO__NAME_AT(names, action);
}

const char *otaprio_guard_test_name(int32_t test)
{
    static const char *const names[] = {
        "none",           "fisher",     "score",      "risk-ratio",
        "binomial",       "rate-ratio", "poisson",    "mann-whitney",
        "brown-forsythe", "sign",       "sequential",
    };
    return OTAPRIO__NAME_AT(names, test);
}

const char *otaprio_guard_reason_name(int32_t code)
{
    static const char *const names[] = {
        "none",          "over-baseline", "over-ceiling", "spread",
        "zero-baseline", "strata",        "no-data",      "below-minimum",
        "inconclusive",  "soaking",
    };
    return OTAPRIO__NAME_AT(names, code);
}
