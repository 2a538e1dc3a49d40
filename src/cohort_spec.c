/* SPDX-License-Identifier: MIT */
/*
 * A rollout's spec, validated into the setup every other cohort file reads:
 * strata radices, the canary waves, the resolved minimum and retain
 * fraction, sorted copies of the exclusion lists, and a fingerprint that
 * tells two rollouts apart (a serialised state carries it).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort_internal.h"
#include "fingerprint.h"

static const otaprio__layout spec_layout = {
    "otaprio_cohort_spec", sizeof(otaprio_cohort_spec),
    sizeof(otaprio_cohort_spec), /* first published layout */
};

int(otaprio_cohort_spec_init)(otaprio_cohort_spec *spec, size_t size)
{
    otaprio_cohort_spec defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.method = OTAPRIO_COHORT_PROPORTIONAL;
    defaults.cap_dimension = -1;
    return otaprio__struct_init(spec, size, &defaults, &spec_layout);
}

/* The spec as this library knows it, defaults filled past a smaller
 * caller's size. */
static int read_spec(otaprio_cohort_spec *full, const otaprio_cohort_spec *spec,
                     otaprio_diag *diag)
{
    if (spec == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "spec", -1,
                             "spec is NULL");
    OTAPRIO__TRY((otaprio_cohort_spec_init)(full, sizeof *full));
    return otaprio__struct_read(full, spec, &spec_layout, diag);
}

static int check_strata(otaprio__cohort_setup *setup,
                        const otaprio_cohort_spec *s, otaprio_diag *diag)
{
    if (s->dimension_count > OTAPRIO_COHORT_MAX_DIMENSIONS)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "dimension_count", -1,
                             "dimension_count is %lu; at most %d dimensions",
                             (unsigned long)s->dimension_count,
                             OTAPRIO_COHORT_MAX_DIMENSIONS);
    if (s->dimension_count > 0 && s->cardinalities == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "cardinalities", -1,
                             "cardinalities is NULL with %lu dimensions",
                             (unsigned long)s->dimension_count);
    setup->dimension_count = s->dimension_count;
    setup->width = s->dimension_count > 0 ? s->dimension_count : 1;
    uint64_t space = 1;
    for (uint32_t d = 0; d < s->dimension_count; d++) {
        uint32_t card = s->cardinalities[d];
        if (card == 0)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "cardinalities", d,
                                 "dimension %lu has cardinality 0; a "
                                 "dimension needs at least one code",
                                 (unsigned long)d);
        setup->cardinalities[d] = card;
        setup->radix[d] = space;
        if (space > UINT64_MAX / card)
            return otaprio__fail(diag, OTAPRIO_E_OVERFLOW, "cardinalities", d,
                                 "the product of the cardinalities up to "
                                 "dimension %lu exceeds 2^64; stratum ids "
                                 "would not fit",
                                 (unsigned long)d);
        space *= card;
    }
    setup->stratum_space = space;
    return OTAPRIO_OK;
}

int otaprio__cohort_setup_strata(otaprio__cohort_setup *setup,
                                 const otaprio_cohort_spec *spec,
                                 otaprio_diag *diag)
{
    otaprio_cohort_spec full;
    OTAPRIO__TRY(read_spec(&full, spec, diag));
    memset(setup, 0, sizeof *setup);
    setup->cap_dimension = -1;
    return check_strata(setup, &full, diag);
}

static int check_waves(otaprio__cohort_setup *setup,
                       const otaprio_cohort_spec *s, otaprio_diag *diag)
{
    if (s->wave_count == 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "wave_count", -1,
                             "wave_count is 0; a schedule has at least one "
                             "wave");
    if (s->wave_count > OTAPRIO_COHORT_MAX_WAVES)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "wave_count", -1,
                             "wave_count is %lu; at most %d waves",
                             (unsigned long)s->wave_count,
                             OTAPRIO_COHORT_MAX_WAVES);
    if (s->waves == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "waves", -1,
                             "waves is NULL");
    setup->wave_count = s->wave_count;
    setup->canary_count = s->wave_count;
    for (uint32_t k = 0; k < s->wave_count; k++) {
        double f = s->waves[k];
        if (!(f > 0.0 && f <= 1.0))
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "waves", k,
                                 "wave %lu has fraction %g; fractions lie "
                                 "in (0, 1]",
                                 (unsigned long)k, f);
        if (k > 0 && !(f > s->waves[k - 1]))
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "waves", k,
                                 "wave %lu has fraction %g, not above wave "
                                 "%lu's %g; fractions are cumulative and "
                                 "must increase",
                                 (unsigned long)k, f, (unsigned long)k - 1,
                                 s->waves[k - 1]);
        setup->waves[k] = f;
    }
    if (setup->waves[s->wave_count - 1] == 1.0)
        setup->canary_count = s->wave_count - 1;
    return OTAPRIO_OK;
}

static int check_method(otaprio__cohort_setup *setup,
                        const otaprio_cohort_spec *s, otaprio_diag *diag)
{
    if (s->method < 0 || s->method >= OTAPRIO_COHORT_METHOD_COUNT)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "method", -1,
                             "method %ld is not an otaprio_cohort_method",
                             (long)s->method);
    setup->method = s->method;
    if (s->method == OTAPRIO_COHORT_HASH_THRESHOLD &&
        s->minimum_per_stratum != 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "minimum_per_stratum", -1,
                             "the hash threshold takes no minimum per "
                             "stratum (it ignores strata when selecting)");
    setup->minimum = s->minimum_per_stratum;
    if (setup->minimum == 0 && s->method == OTAPRIO_COHORT_MINIMUM_COVERAGE)
        setup->minimum = 1;
    bool neyman = s->method == OTAPRIO_COHORT_NEYMAN;
    if (!neyman && (s->stratum_sd != NULL || s->stratum_sd_count != 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "stratum_sd", -1,
                             "standard deviations are only for the Neyman "
                             "method");
    if (neyman) {
        if (setup->stratum_space > OTAPRIO_COHORT_MAX_NEYMAN_STRATA)
            return otaprio__fail(
                diag, OTAPRIO_E_LIMIT, "cardinalities", -1,
                "Neyman allocation takes at most %llu strata; these "
                "dimensions have %llu",
                (unsigned long long)OTAPRIO_COHORT_MAX_NEYMAN_STRATA,
                (unsigned long long)setup->stratum_space);
        if (s->stratum_sd == NULL)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "stratum_sd", -1,
                                 "the Neyman method needs a standard "
                                 "deviation per stratum");
        if (s->stratum_sd_count != setup->stratum_space)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "stratum_sd_count",
                                 -1,
                                 "stratum_sd_count is %llu; the dimensions "
                                 "have %llu strata",
                                 (unsigned long long)s->stratum_sd_count,
                                 (unsigned long long)setup->stratum_space);
        for (uint64_t h = 0; h < s->stratum_sd_count; h++) {
            double sd = s->stratum_sd[h];
            if (!(sd >= 0.0 && sd <= 1e300))
                return otaprio__fail(diag, OTAPRIO_E_RANGE, "stratum_sd",
                                     (int64_t)h,
                                     "stratum %llu has standard deviation "
                                     "%g; it must be finite and not "
                                     "negative",
                                     (unsigned long long)h, sd);
        }
    }
    return OTAPRIO_OK;
}

/* The retain fraction: the caller's, or the largest canary fraction. A
 * Neyman stratum's share of seats exceeds its share of devices by its
 * standard deviation over the fleet's mean one, at most the largest over
 * the smallest: the default allows for that, so a cohort can always be
 * chosen (a caller who knows the strata can ask for less memory). */
static int resolve_retain(otaprio__cohort_setup *setup,
                          const otaprio_cohort_spec *s, otaprio_diag *diag)
{
    if (s->retain_fraction != 0.0) {
        if (!(s->retain_fraction > 0.0 && s->retain_fraction <= 1.0))
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "retain_fraction", -1,
                                 "retain_fraction is %g; it lies in (0, 1], "
                                 "or is 0 for the default",
                                 s->retain_fraction);
        setup->retain = s->retain_fraction;
        return OTAPRIO_OK;
    }
    double r =
        setup->canary_count > 0 ? setup->waves[setup->canary_count - 1] : 1.0;
    if (s->method == OTAPRIO_COHORT_NEYMAN) {
        double min = s->stratum_sd[0], max = s->stratum_sd[0];
        for (uint64_t h = 1; h < s->stratum_sd_count; h++) {
            min = s->stratum_sd[h] < min ? s->stratum_sd[h] : min;
            max = s->stratum_sd[h] > max ? s->stratum_sd[h] : max;
        }
        if (max > min)
            r = min > 0.0 && r * (max / min) < 1.0 ? r * (max / min) : 1.0;
    }
    setup->retain = r;
    return OTAPRIO_OK;
}

static int check_rules(otaprio__cohort_setup *setup,
                       const otaprio_cohort_spec *s, otaprio_diag *diag)
{
    setup->salt = s->salt;
    setup->critical_first_wave = s->critical_first_wave;
    if (!(s->minimum_battery >= 0.0f && s->minimum_battery <= 1.0f))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "minimum_battery", -1,
                             "minimum_battery is %g; it lies in [0, 1]",
                             (double)s->minimum_battery);
    setup->minimum_battery = s->minimum_battery;
    if (s->exclude_metered != 0 && s->exclude_metered != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "exclude_metered", -1,
                             "exclude_metered is %ld; it is 0 or 1",
                             (long)s->exclude_metered);
    setup->exclude_metered = s->exclude_metered;
    if (s->excluded_cluster_count > 0 && s->excluded_clusters == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "excluded_clusters", -1,
                             "excluded_clusters is NULL with a count of %zu",
                             s->excluded_cluster_count);
    if (s->cap_dimension != -1) {
        if (s->cap_dimension < 0 ||
            (uint32_t)s->cap_dimension >= s->dimension_count)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "cap_dimension", -1,
                                 "cap_dimension is %ld; it names one of the "
                                 "%lu dimensions, or is -1",
                                 (long)s->cap_dimension,
                                 (unsigned long)s->dimension_count);
        if (s->caps == NULL)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "caps", -1,
                                 "caps is NULL with a cap dimension");
        if (s->method == OTAPRIO_COHORT_HASH_THRESHOLD)
            return otaprio__fail(diag, OTAPRIO_E_INVALID, "cap_dimension", -1,
                                 "the hash threshold cannot honour caps (it "
                                 "selects by position alone)");
    }
    setup->cap_dimension = s->cap_dimension;
    return OTAPRIO_OK;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Copies the arrays the setup owns. */
static int copy_arrays(otaprio__cohort_setup *setup,
                       const otaprio_cohort_spec *s, const otaprio__mem *mem,
                       otaprio_diag *diag)
{
    int status = OTAPRIO_OK;
    if (setup->method == OTAPRIO_COHORT_NEYMAN)
        status = otaprio__mem_zalloc_array(mem, (size_t)s->stratum_sd_count,
                                           sizeof(double), (void **)&setup->sd);
    if (status == OTAPRIO_OK && s->excluded_cluster_count > 0)
        status = otaprio__mem_zalloc_array(mem, s->excluded_cluster_count,
                                           sizeof(uint32_t),
                                           (void **)&setup->excluded_clusters);
    if (status == OTAPRIO_OK && setup->cap_dimension >= 0)
        status = otaprio__mem_zalloc_array(
            mem, setup->cardinalities[setup->cap_dimension], sizeof(uint64_t),
            (void **)&setup->caps);
    if (status != OTAPRIO_OK) {
        otaprio__cohort_setup_release(setup, mem);
        return otaprio__fail(diag, status, "", -1,
                             "out of memory for the rollout's arrays");
    }
    if (setup->sd != NULL)
        memcpy(setup->sd, s->stratum_sd,
               (size_t)s->stratum_sd_count * sizeof(double));
    if (setup->caps != NULL)
        memcpy(setup->caps, s->caps,
               setup->cardinalities[setup->cap_dimension] * sizeof(uint64_t));
    if (setup->excluded_clusters != NULL) {
        memcpy(setup->excluded_clusters, s->excluded_clusters,
               s->excluded_cluster_count * sizeof(uint32_t));
        qsort(setup->excluded_clusters, s->excluded_cluster_count,
              sizeof(uint32_t), compare_u32);
        size_t unique = 0;
        for (size_t i = 0; i < s->excluded_cluster_count; i++)
            if (unique == 0 || setup->excluded_clusters[unique - 1] !=
                                   setup->excluded_clusters[i])
                setup->excluded_clusters[unique++] =
                    setup->excluded_clusters[i];
        setup->excluded_cluster_count = unique;
    }
    return OTAPRIO_OK;
}

/* ---- fingerprint ----------------------------------------------------- */

/* Every setup value that decides a state or a cohort, in a fixed order and
 * byte order: two rollouts share a fingerprint only when they agree on
 * all of it (or XXH3 collides). */
static uint64_t fingerprint_of(const otaprio__cohort_setup *s)
{
    XXH3_state_t state;
    XXH3_64bits_reset(&state);
    otaprio__feed_u64(&state, UINT64_C(0x636f686f72740001)); /* "cohort", v1 */
    otaprio__feed_u64(&state, s->salt);
    otaprio__feed_u64(&state, (uint64_t)(uint32_t)s->method);
    otaprio__feed_u64(&state, s->dimension_count);
    for (uint32_t d = 0; d < s->dimension_count; d++)
        otaprio__feed_u64(&state, s->cardinalities[d]);
    otaprio__feed_u64(&state, s->wave_count);
    for (uint32_t k = 0; k < s->wave_count; k++)
        otaprio__feed_double(&state, s->waves[k]);
    otaprio__feed_u64(&state, s->minimum);
    otaprio__feed_double(&state, s->retain);
    if (s->sd != NULL)
        for (uint64_t h = 0; h < s->stratum_space; h++)
            otaprio__feed_double(&state, s->sd[h]);
    otaprio__feed_u64(&state, s->critical_first_wave);
    otaprio__feed_double(&state, (double)s->minimum_battery);
    otaprio__feed_u64(&state, (uint64_t)s->exclude_metered);
    otaprio__feed_u64(&state, s->excluded_cluster_count);
    for (size_t i = 0; i < s->excluded_cluster_count; i++)
        otaprio__feed_u64(&state, s->excluded_clusters[i]);
    otaprio__feed_u64(&state, (uint64_t)(int64_t)s->cap_dimension);
    if (s->caps != NULL)
        for (uint32_t c = 0; c < s->cardinalities[s->cap_dimension]; c++)
            otaprio__feed_u64(&state, s->caps[c]);
    return XXH3_64bits_digest(&state);
}

int otaprio__cohort_setup_init(otaprio__cohort_setup *setup,
                               const otaprio_cohort_spec *spec,
                               const otaprio__mem *mem, otaprio_diag *diag)
{
    otaprio_cohort_spec s;
    OTAPRIO__TRY(read_spec(&s, spec, diag));
    otaprio__cohort_setup out;
    memset(&out, 0, sizeof out);
    OTAPRIO__TRY(check_strata(&out, &s, diag));
    OTAPRIO__TRY(check_waves(&out, &s, diag));
    OTAPRIO__TRY(check_method(&out, &s, diag));
    OTAPRIO__TRY(resolve_retain(&out, &s, diag));
    OTAPRIO__TRY(check_rules(&out, &s, diag));
    OTAPRIO__TRY(copy_arrays(&out, &s, mem, diag));
    out.fingerprint = fingerprint_of(&out);
    *setup = out;
    return OTAPRIO_OK;
}

void otaprio__cohort_setup_release(otaprio__cohort_setup *setup,
                                   const otaprio__mem *mem)
{
    otaprio__mem_free(mem, setup->sd);
    otaprio__mem_free(mem, setup->excluded_clusters);
    otaprio__mem_free(mem, setup->caps);
    setup->sd = NULL;
    setup->excluded_clusters = NULL;
    setup->caps = NULL;
}

/* A copy of `count` elements of `size` bytes, or NULL for NULL. */
static int dup_array(const otaprio__mem *mem, const void *from, size_t count,
                     size_t size, void **to)
{
    *to = NULL;
    if (from == NULL)
        return OTAPRIO_OK;
    OTAPRIO__TRY(otaprio__mem_zalloc_array(mem, count, size, to));
    memcpy(*to, from, count * size);
    return OTAPRIO_OK;
}

int otaprio__cohort_setup_copy(otaprio__cohort_setup *to,
                               const otaprio__cohort_setup *from,
                               const otaprio__mem *mem)
{
    otaprio__cohort_setup out = *from;
    size_t caps =
        from->cap_dimension >= 0 ? from->cardinalities[from->cap_dimension] : 0;
    int status = dup_array(mem, from->sd, (size_t)from->stratum_space,
                           sizeof(double), (void **)&out.sd);
    if (status == OTAPRIO_OK)
        status = dup_array(mem, from->excluded_clusters,
                           from->excluded_cluster_count, sizeof(uint32_t),
                           (void **)&out.excluded_clusters);
    if (status == OTAPRIO_OK)
        status = dup_array(mem, from->caps, caps, sizeof(uint64_t),
                           (void **)&out.caps);
    if (status != OTAPRIO_OK) {
        otaprio__cohort_setup_release(&out, mem);
        return status;
    }
    *to = out;
    return OTAPRIO_OK;
}
