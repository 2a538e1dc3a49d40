/* SPDX-License-Identifier: MIT */
/*
 * The tier table of docs/rollback.md. Each tier from the lightest up has a
 * row of conditions, checked in order; the first row whose conditions all
 * hold is the tier, and each lighter row that failed gives the reason of
 * its first unmet condition. Every condition either ignores the spread or
 * needs less of it, and needs a lever rather than its absence, which is
 * what makes the table monotone: more spread or fewer levers can only
 * break rows, never mend them.
 */
#include "rollback_internal.h"

static bool no_spread(const otaprio_rollback_input *in)
{
    return in->canary_share == 0.0 && in->fleet_share == 0.0 &&
           in->strata_affected == 0 && in->clusters_affected == 0;
}

/* At most half of each known whole shows the failure. Integer doubling
 * cannot overflow in 64 bits. */
static bool at_most_half(uint32_t affected, uint32_t total)
{
    return 2 * (uint64_t)affected <= (uint64_t)total;
}

static bool confined(const otaprio_rollback_input *in)
{
    return at_most_half(in->strata_affected, in->strata_total) &&
           (in->clusters_total == 0 ||
            at_most_half(in->clusters_affected, in->clusters_total)) &&
           in->canary_share <= 0.5;
}

static bool switchable_part(const otaprio_rollback_input *in)
{
    return in->part != OTAPRIO_ROLLBACK_PART_LAYER;
}

/* Each row returns 0 when it holds, else the reason it does not. */

static int32_t flag_row(const otaprio_rollback_input *in)
{
    if (!switchable_part(in))
        return OTAPRIO_ROLLBACK_REASON_LAYER_CODE;
    if (!otaprio__rollback_userland(in->layer))
        return OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND;
    if (!(in->levers & OTAPRIO_ROLLBACK_LEVER_FEATURE_FLAG))
        return OTAPRIO_ROLLBACK_REASON_NO_FLAG;
    return 0;
}

/* A config switch also reaches a failure of the configuration itself. */
static int32_t config_row(const otaprio_rollback_input *in)
{
    if (!switchable_part(in) && in->layer != OTAPRIO_LAYER_CONFIG)
        return OTAPRIO_ROLLBACK_REASON_LAYER_CODE;
    if (!otaprio__rollback_userland(in->layer))
        return OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND;
    if (!(in->levers & OTAPRIO_ROLLBACK_LEVER_SERVER_CONFIG))
        return OTAPRIO_ROLLBACK_REASON_NO_CONFIG_SWITCH;
    return 0;
}

/* Conditions the two targeted rows share. */
static int32_t localised(const otaprio_rollback_input *in)
{
    if (in->strata_total == 0)
        return OTAPRIO_ROLLBACK_REASON_UNLOCALISED;
    if (!confined(in))
        return OTAPRIO_ROLLBACK_REASON_WIDESPREAD;
    if (!otaprio__rollback_identifiable(in->observe))
        return OTAPRIO_ROLLBACK_REASON_NOT_IDENTIFIABLE;
    return 0;
}

/* Exempting leaves the devices already hit on the new build: only
 * acceptable where they keep running, lose no data, and are few. */
static int32_t exemption_row(const otaprio_rollback_input *in)
{
    if (!otaprio__rollback_userland(in->layer))
        return OTAPRIO_ROLLBACK_REASON_BELOW_USERLAND;
    int32_t where = localised(in);
    if (where != 0)
        return where;
    if (in->data_loss >= OTAPRIO_LEVEL_MODERATE)
        return OTAPRIO_ROLLBACK_REASON_DATA_LOSS;
    if (!(in->fleet_share <= OTAPRIO__ROLLBACK_EXEMPT_FLEET_MAX))
        return OTAPRIO_ROLLBACK_REASON_FLEET_EXPOSED;
    if (!(in->levers & OTAPRIO_ROLLBACK_LEVER_EXEMPTION))
        return OTAPRIO_ROLLBACK_REASON_NO_EXEMPTION_LIST;
    return 0;
}

/* Reverting selectively needs to know which devices run the build. */
static int32_t targeted_row(const otaprio_rollback_input *in)
{
    int32_t where = localised(in);
    if (where != 0)
        return where;
    if (!(in->observe & OTAPRIO_ROLLBACK_OBSERVE_BUILD))
        return OTAPRIO_ROLLBACK_REASON_NO_BUILD_VISIBILITY;
    return 0;
}

static void add(otaprio__rollback_reasons *r, int32_t code)
{
    for (uint32_t i = 0; i < r->count; i++)
        if (r->codes[i] == code)
            return;
    if (r->count < OTAPRIO_ROLLBACK_MAX_REASONS)
        r->codes[r->count++] = code;
}

int32_t otaprio__rollback_tier(const otaprio_rollback_input *in,
                               otaprio__rollback_reasons *reasons)
{
    reasons->count = 0;
    if (no_spread(in)) {
        add(reasons, OTAPRIO_ROLLBACK_REASON_NOTHING_AFFECTED);
        return OTAPRIO_ROLLBACK_TIER_NONE;
    }
    /* Rows from the lightest up; the chosen reason goes first, then the
     * rows ruled out from the nearest down, hence the second pass. */
    static const struct {
        int32_t tier;
        int32_t chosen;
        int32_t (*row)(const otaprio_rollback_input *);
    } rows[] = {
        {OTAPRIO_ROLLBACK_TIER_FEATURE_FLAG,
         OTAPRIO_ROLLBACK_REASON_FLAG_COVERS, flag_row},
        {OTAPRIO_ROLLBACK_TIER_SERVER_CONFIG,
         OTAPRIO_ROLLBACK_REASON_CONFIG_COVERS, config_row},
        {OTAPRIO_ROLLBACK_TIER_EXEMPTION, OTAPRIO_ROLLBACK_REASON_CONFINED,
         exemption_row},
        {OTAPRIO_ROLLBACK_TIER_TARGETED,
         OTAPRIO_ROLLBACK_REASON_CONFINED_BY_BUILD, targeted_row},
    };
    enum { ROWS = sizeof rows / sizeof rows[0] };
    int32_t ruled_out[ROWS];
    int chosen = ROWS;
    for (int i = 0; i < ROWS; i++) {
        ruled_out[i] = rows[i].row(in);
        if (ruled_out[i] == 0) {
            chosen = i;
            break;
        }
    }
    add(reasons, chosen < ROWS ? rows[chosen].chosen
                               : OTAPRIO_ROLLBACK_REASON_NOTHING_LIGHTER);
    for (int i = chosen - 1; i >= 0; i--)
        add(reasons, ruled_out[i]);
    return chosen < ROWS ? rows[chosen].tier : OTAPRIO_ROLLBACK_TIER_FULL;
}
