/* SPDX-License-Identifier: MIT */
/* The rollback input: its defaults and the check of every field. */
#include <string.h>

#include "rollback_internal.h"

static const otaprio__layout input_layout = {
    "otaprio_rollback_input", sizeof(otaprio_rollback_input),
    sizeof(otaprio_rollback_input), /* first published layout */
};

int(otaprio_rollback_input_init)(otaprio_rollback_input *input, size_t size)
{
    /* Every default is zero: an app-layer failure of the layer's code, no
     * spread, no lever, no change, no data at stake, nothing observable. */
    return otaprio__struct_init(input, size, NULL, &input_layout);
}

int otaprio__rollback_read(otaprio_rollback_input *full,
                           const otaprio_rollback_input *input,
                           otaprio_diag *diag)
{
    OTAPRIO__TRY((otaprio_rollback_input_init)(full, sizeof *full));
    return otaprio__struct_read(full, input, &input_layout, diag);
}

static int check_enum(otaprio_diag *diag, const char *field, int32_t value,
                      int32_t last)
{
    if (value >= 0 && value <= last)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "rollback_input.%s is %d; it must lie in [0, %d]",
                         field, (int)value, (int)last);
}

/* Written as a positive test so that NaN fails it. */
static int check_share(otaprio_diag *diag, const char *field, double value)
{
    if (value >= 0.0 && value <= 1.0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "rollback_input.%s is %g; it must lie in [0, 1]",
                         field, value);
}

static int check_bits(otaprio_diag *diag, const char *field, uint32_t value,
                      uint32_t defined)
{
    if ((value & ~defined) == 0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "rollback_input.%s is 0x%x; only bits 0x%x are "
                         "defined",
                         field, (unsigned)value, (unsigned)defined);
}

/* A total of 0 means unknown; a known total bounds what it counts. */
static int check_count(otaprio_diag *diag, const char *field, uint32_t affected,
                       uint32_t total)
{
    if (total == 0 || affected <= total)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "rollback_input.%s is %u, more than the %u there "
                         "are",
                         field, (unsigned)affected, (unsigned)total);
}

int otaprio__rollback_validate(const otaprio_rollback_input *in,
                               otaprio_diag *diag)
{
    OTAPRIO__TRY(check_enum(diag, "layer", in->layer, OTAPRIO_LAYER_BATTERY));
    OTAPRIO__TRY(
        check_enum(diag, "part", in->part, OTAPRIO_ROLLBACK_PART_AUTH_FLOW));
    OTAPRIO__TRY(check_share(diag, "canary_share", in->canary_share));
    OTAPRIO__TRY(check_share(diag, "fleet_share", in->fleet_share));
    OTAPRIO__TRY(check_count(diag, "strata_affected", in->strata_affected,
                             in->strata_total));
    OTAPRIO__TRY(check_count(diag, "clusters_affected", in->clusters_affected,
                             in->clusters_total));
    OTAPRIO__TRY(
        check_bits(diag, "levers", in->levers, OTAPRIO_ROLLBACK_LEVER_ALL));
    OTAPRIO__TRY(
        check_bits(diag, "changes", in->changes, OTAPRIO_ROLLBACK_CHANGE_ALL));
    OTAPRIO__TRY(
        check_enum(diag, "data_loss", in->data_loss, OTAPRIO_LEVEL_CRITICAL));
    OTAPRIO__TRY(check_enum(diag, "revert_data_loss", in->revert_data_loss,
                            OTAPRIO_LEVEL_CRITICAL));
    OTAPRIO__TRY(
        check_bits(diag, "observe", in->observe, OTAPRIO_ROLLBACK_OBSERVE_ALL));
    return OTAPRIO_OK;
}
