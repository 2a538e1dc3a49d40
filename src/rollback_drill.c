/* SPDX-License-Identifier: MIT */
/*
 * Rollback drills: which device classes have a tested path back. The
 * reference article asks for drills on representative classes, low
 * storage, stale credentials and intermittent connectivity included,
 * because a rollback never rehearsed is an assumption. A drill covers a
 * class when it ran on the same class id under at least the class's
 * conditions; a failure under exactly the class's conditions outweighs any
 * success under harsher ones, since it is the direct counterexample.
 */
#include <string.h>

#include "rollback_internal.h"

static const otaprio__layout classes_layout = {
    "otaprio_rollback_classes", sizeof(otaprio_rollback_classes),
    sizeof(otaprio_rollback_classes), /* first published layout */
};

static const otaprio__layout drills_layout = {
    "otaprio_rollback_drills", sizeof(otaprio_rollback_drills),
    sizeof(otaprio_rollback_drills), /* first published layout */
};

int(otaprio_rollback_classes_init)(otaprio_rollback_classes *classes,
                                   size_t size)
{
    return otaprio__struct_init(classes, size, NULL, &classes_layout);
}

int(otaprio_rollback_drills_init)(otaprio_rollback_drills *drills, size_t size)
{
    return otaprio__struct_init(drills, size, NULL, &drills_layout);
}

static int check_conditions(const uint8_t *column, size_t count,
                            const char *field, otaprio_diag *diag)
{
    if (column == NULL)
        return OTAPRIO_OK;
    for (size_t i = 0; i < count; i++)
        if ((column[i] & ~OTAPRIO_ROLLBACK_CONDITION_ALL) != 0)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)i,
                                 "%s[%zu] is 0x%x; only bits 0x%x are "
                                 "defined",
                                 field, i, (unsigned)column[i],
                                 (unsigned)OTAPRIO_ROLLBACK_CONDITION_ALL);
    return OTAPRIO_OK;
}

static int check_flags(const uint8_t *column, size_t count, const char *field,
                       otaprio_diag *diag)
{
    if (column == NULL)
        return OTAPRIO_OK;
    for (size_t i = 0; i < count; i++)
        if (column[i] > 1)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, field, (int64_t)i,
                                 "%s[%zu] is %u; it must be 0 or 1", field, i,
                                 (unsigned)column[i]);
    return OTAPRIO_OK;
}

static int require(const void *column, size_t count, const char *field,
                   otaprio_diag *diag)
{
    if (column != NULL || count == 0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_INVALID, field, -1,
                         "%s is NULL with %zu rows", field, count);
}

static int validate(const otaprio_rollback_classes *c,
                    const otaprio_rollback_drills *d, otaprio_diag *diag)
{
    OTAPRIO__TRY(require(c->class_id, c->count, "classes.class_id", diag));
    OTAPRIO__TRY(
        check_conditions(c->conditions, c->count, "classes.conditions", diag));
    OTAPRIO__TRY(require(d->class_id, d->count, "drills.class_id", diag));
    OTAPRIO__TRY(require(d->succeeded, d->count, "drills.succeeded", diag));
    OTAPRIO__TRY(
        check_conditions(d->conditions, d->count, "drills.conditions", diag));
    OTAPRIO__TRY(check_flags(d->tested, d->count, "drills.tested", diag));
    OTAPRIO__TRY(check_flags(d->succeeded, d->count, "drills.succeeded", diag));
    if (d->tested != NULL)
        for (size_t i = 0; i < d->count; i++)
            if (d->succeeded[i] && !d->tested[i])
                return otaprio__fail(diag, OTAPRIO_E_RANGE, "drills.succeeded",
                                     (int64_t)i,
                                     "drills.succeeded[%zu] is 1 but the "
                                     "drill was not tested",
                                     i);
    return OTAPRIO_OK;
}

static uint8_t condition_at(const uint8_t *column, size_t i)
{
    return column != NULL ? column[i] : 0;
}

static int32_t class_status(const otaprio_rollback_drills *d, uint64_t id,
                            uint8_t conditions)
{
    bool success = false, failure = false;
    for (size_t j = 0; j < d->count; j++) {
        if (d->class_id[j] != id || (d->tested != NULL && !d->tested[j]))
            continue;
        uint8_t ran = condition_at(d->conditions, j);
        if ((ran & conditions) != conditions)
            continue; /* milder than the class lives under */
        if (!d->succeeded[j] && ran == conditions)
            return OTAPRIO_ROLLBACK_DRILL_FAILED;
        if (d->succeeded[j])
            success = true;
        else
            failure = true;
    }
    return success   ? OTAPRIO_ROLLBACK_DRILL_COVERED
           : failure ? OTAPRIO_ROLLBACK_DRILL_FAILED
                     : OTAPRIO_ROLLBACK_DRILL_UNTESTED;
}

int otaprio_rollback_drill_check(const otaprio_rollback_classes *classes,
                                 const otaprio_rollback_drills *drills,
                                 uint8_t *status, size_t *uncovered,
                                 otaprio_diag *diag)
{
    if (classes == NULL || drills == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             classes == NULL ? "classes" : "drills", -1,
                             "a required argument is NULL");
    otaprio_rollback_classes c;
    OTAPRIO__TRY((otaprio_rollback_classes_init)(&c, sizeof c));
    OTAPRIO__TRY(otaprio__struct_read(&c, classes, &classes_layout, diag));
    otaprio_rollback_drills d;
    OTAPRIO__TRY((otaprio_rollback_drills_init)(&d, sizeof d));
    OTAPRIO__TRY(otaprio__struct_read(&d, drills, &drills_layout, diag));
    OTAPRIO__TRY(validate(&c, &d, diag));

    size_t missing = 0;
    for (size_t i = 0; i < c.count; i++) {
        int32_t s =
            class_status(&d, c.class_id[i], condition_at(c.conditions, i));
        if (s != OTAPRIO_ROLLBACK_DRILL_COVERED)
            missing++;
        if (status != NULL)
            status[i] = (uint8_t)s;
    }
    if (uncovered != NULL)
        *uncovered = missing;
    return OTAPRIO_OK;
}
