/* SPDX-License-Identifier: MIT */
/* Shared helpers of the rollback tests. */
#ifndef OTAPRIO_TEST_ROLLBACK_FIXTURE_H
#define OTAPRIO_TEST_ROLLBACK_FIXTURE_H

#include <string.h>

#include "otaprio/rollback.h"

/* Decides, failing the test on an error. */
static inline otaprio_rollback_decision
fixture_decide(const otaprio_rollback_input *input)
{
    otaprio_rollback_decision decision;
    memset(&decision, 0, sizeof decision);
    decision.size = sizeof decision;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_rollback_decide(input, &decision, &diag);
    if (status != OTAPRIO_OK)
        print_error("rollback_decide: %s (%s)\n", diag.message, diag.field);
    assert_int_equal(status, OTAPRIO_OK);
    return decision;
}

/* Every lever and every view: the well-equipped fleet. */
#define FIXTURE_ALL_LEVERS OTAPRIO_ROLLBACK_LEVER_ALL
#define FIXTURE_ALL_VIEWS OTAPRIO_ROLLBACK_OBSERVE_ALL

#endif
