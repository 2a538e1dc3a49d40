/* SPDX-License-Identifier: MIT */
/*
 * Shared by the planner's scenario and property tests: runs
 * otaprio_plan_create() over the fixture fleet and reads a plan back into
 * plain structs that tests compare whole.
 */
#ifndef OTAPRIO_TEST_PLAN_CHECK_H
#define OTAPRIO_TEST_PLAN_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit/plan_fixture.h"

#define PLAN_CHECK_MAX_WAVES 8

/* Everything a plan says, read back. */
typedef struct plan_read {
    otaprio_plan_summary summary;
    uint32_t wave_count;
    otaprio_plan_wave waves[PLAN_CHECK_MAX_WAVES];
    uint32_t chain_count;
    otaprio_plan_chain chains[16];
    size_t warning_count;
    otaprio_plan_warning warnings[64];
} plan_read;

static inline void plan_read_all(const otaprio_plan *plan, plan_read *out)
{
    memset(out, 0, sizeof *out);
    out->summary.size = sizeof out->summary;
    assert_int_equal(otaprio_plan_get_summary(plan, &out->summary, NULL),
                     OTAPRIO_OK);
    out->wave_count = otaprio_plan_wave_count(plan);
    assert_true(out->wave_count >= 1 &&
                out->wave_count <= PLAN_CHECK_MAX_WAVES);
    for (uint32_t k = 0; k < out->wave_count; k++) {
        out->waves[k].size = sizeof out->waves[k];
        assert_int_equal(otaprio_plan_get_wave(plan, k, &out->waves[k], NULL),
                         OTAPRIO_OK);
    }
    out->chain_count = otaprio_plan_chain_count(plan);
    assert_true(out->chain_count <= 16);
    for (uint32_t c = 0; c < out->chain_count; c++) {
        out->chains[c].size = sizeof out->chains[c];
        assert_int_equal(otaprio_plan_get_chain(plan, c, &out->chains[c], NULL),
                         OTAPRIO_OK);
    }
    size_t warnings = otaprio_plan_warning_count(plan);
    out->warning_count = warnings < 64 ? warnings : 64;
    for (size_t i = 0; i < out->warning_count; i++) {
        out->warnings[i].size = sizeof out->warnings[i];
        assert_int_equal(
            otaprio_plan_get_warning(plan, i, &out->warnings[i], NULL),
            OTAPRIO_OK);
    }
}

/* Plans a request and reads the plan back; the plan is freed. */
static inline void plan_run(const otaprio_plan_request *request, plan_read *out)
{
    otaprio_plan *plan = NULL;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_plan_create(request, NULL, &plan, &diag);
    if (status != OTAPRIO_OK)
        fail_msg("otaprio_plan_create: %s (%s)", diag.message, diag.field);
    plan_read_all(plan, out);
    otaprio_plan_free(plan);
}

static inline int plan_has_warning(const plan_read *p, int32_t code)
{
    for (size_t i = 0; i < p->warning_count; i++)
        if (p->warnings[i].code == code)
            return 1;
    return 0;
}

/* The plan wave of the first stage `stage`, or -1. */
static inline int plan_first_stage(const plan_read *p, int32_t stage)
{
    for (uint32_t k = 0; k < p->wave_count; k++)
        if (p->waves[k].stage == stage)
            return (int)k;
    return -1;
}

#endif
