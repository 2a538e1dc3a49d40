/* SPDX-License-Identifier: MIT */
/* The public face of version_order.c: argument checks, then parse and
 * compare. Both texts are parsed before anything is written. */
#include "otaprio/graph.h"
#include "version_order.h"

/* The text may be NULL only when empty (which then fails as syntax). */
static int check_text(otaprio_diag *diag, const char *field, const char *text,
                      size_t length)
{
    if (text != NULL || length == 0)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_INVALID, field, -1,
                         "%s is NULL with length %zu", field, length);
}

int otaprio_version_compare(const char *a, size_t a_length, const char *b,
                            size_t b_length, int *order, otaprio_diag *diag)
{
    if (order == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "order", -1,
                             "order is NULL");
    OTAPRIO__TRY(check_text(diag, "a", a, a_length));
    OTAPRIO__TRY(check_text(diag, "b", b, b_length));
    otaprio__version va, vb;
    OTAPRIO__TRY(otaprio__version_parse(a, a_length, "a", &va, diag));
    OTAPRIO__TRY(otaprio__version_parse(b, b_length, "b", &vb, diag));
    *order = otaprio__version_cmp(&va, &vb);
    return OTAPRIO_OK;
}

int otaprio_constraint_matches(const char *constraint, size_t constraint_length,
                               const char *version, size_t version_length,
                               int *matches, otaprio_diag *diag)
{
    if (matches == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "matches", -1,
                             "matches is NULL");
    OTAPRIO__TRY(check_text(diag, "constraint", constraint, constraint_length));
    OTAPRIO__TRY(check_text(diag, "version", version, version_length));
    otaprio__constraint c;
    otaprio__version v;
    OTAPRIO__TRY(otaprio__constraint_parse(constraint, constraint_length,
                                           "constraint", &c, diag));
    OTAPRIO__TRY(
        otaprio__version_parse(version, version_length, "version", &v, diag));
    *matches = otaprio__constraint_admits(&c, &v) ? 1 : 0;
    return OTAPRIO_OK;
}
