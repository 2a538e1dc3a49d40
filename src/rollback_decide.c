/* SPDX-License-Identifier: MIT */
/* The rollback decision: validate, pick the tier, then its steps, the
 * weakness and the confidence, and write the answer only when all is
 * well. */
#include <string.h>

#include "rollback_internal.h"

static const otaprio__layout decision_layout = {
    "otaprio_rollback_decision", sizeof(otaprio_rollback_decision),
    sizeof(otaprio_rollback_decision), /* first published layout */
};

int otaprio_rollback_decide(const otaprio_rollback_input *input,
                            otaprio_rollback_decision *decision,
                            otaprio_diag *diag)
{
    if (input == NULL || decision == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             input == NULL ? "input" : "decision", -1,
                             "a required argument is NULL");
    size_t decision_size;
    memcpy(&decision_size, decision, sizeof decision_size);
    if (decision_size < decision_layout.minimum)
        return otaprio__fail(diag, OTAPRIO_E_STRUCT_SIZE, "decision", -1,
                             "otaprio_rollback_decision.size is %zu, below "
                             "the smallest layout (%zu)",
                             decision_size, decision_layout.minimum);
    otaprio_rollback_input in;
    OTAPRIO__TRY(otaprio__rollback_read(&in, input, diag));
    OTAPRIO__TRY(otaprio__rollback_validate(&in, diag));

    otaprio_rollback_decision out;
    memset(&out, 0, sizeof out);
    out.size = sizeof out;
    otaprio__rollback_reasons reasons;
    out.tier = otaprio__rollback_tier(&in, &reasons);
    out.reason_count = reasons.count;
    memcpy(out.reasons, reasons.codes, sizeof out.reasons);
    out.steps = otaprio__rollback_steps(&in, out.tier);
    otaprio__rollback_weakness(&in, &out);
    out.confidence =
        otaprio__rollback_confidence(&in, out.tier, out.steps, out.weak_causes);
    return otaprio__struct_write(decision, &out, &decision_layout);
}
