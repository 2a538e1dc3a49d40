/* SPDX-License-Identifier: MIT */
/*
 * Rules and options: their defaults, their checks, and the compiled set
 * with each rule's limits after tolerance scaling.
 */
#include <math.h>
#include <string.h>

#include "fingerprint.h"
#include "guardrail_internal.h"

static const otaprio__layout rule_layout = {
    "otaprio_guard_rule", sizeof(otaprio_guard_rule),
    sizeof(otaprio_guard_rule), /* first published layout */
};

static const otaprio__layout options_layout = {
    "otaprio_guard_options", sizeof(otaprio_guard_options),
    sizeof(otaprio_guard_options), /* first published layout */
};

#define ALL_CHECKS                                                           \
    ((uint32_t)(OTAPRIO_GUARD_CHECK_BASELINE | OTAPRIO_GUARD_CHECK_CEILING | \
                OTAPRIO_GUARD_CHECK_SPREAD))

int(otaprio_guard_rule_init)(otaprio_guard_rule *rule, size_t size)
{
    otaprio_guard_rule defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.kind = OTAPRIO_GUARD_PROPORTION;
    defaults.direction = OTAPRIO_GUARD_HIGHER_IS_WORSE;
    defaults.severity = OTAPRIO_GUARD_STANDARD;
    defaults.window_hours = 24.0;
    return otaprio__struct_init(rule, size, &defaults, &rule_layout);
}

int(otaprio_guard_options_init)(otaprio_guard_options *options, size_t size)
{
    otaprio_guard_options defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.alpha = 0.05;
    defaults.layer = OTAPRIO_LAYER_APP;
    defaults.exact_limit = 1000;
    defaults.multiplicity = OTAPRIO_GUARD_HOLM;
    return otaprio__struct_init(options, size, &defaults, &options_layout);
}

/* The documented tolerance of each layer: recovery from a bad bootloader,
 * modem or battery image is hardest, so those margins shrink most. */
static double layer_scale(int32_t layer)
{
    switch (layer) {
    case OTAPRIO_LAYER_APP:
    case OTAPRIO_LAYER_CONFIG:
        return 1.0;
    case OTAPRIO_LAYER_OS:
        return 0.75;
    case OTAPRIO_LAYER_KERNEL:
        return 0.5;
    default: /* bootloader, baseband, battery management */
        return 0.25;
    }
}

int otaprio_guard_tolerance_default(int32_t layer,
                                    int32_t closes_active_exploit,
                                    double *scale, otaprio_diag *diag)
{
    if (scale == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "scale", -1,
                             "scale is NULL");
    if (layer < OTAPRIO_LAYER_APP || layer > OTAPRIO_LAYER_BATTERY)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "layer", -1,
                             "layer %d is not an otaprio_layer", (int)layer);
    if (closes_active_exploit != 0 && closes_active_exploit != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "closes_active_exploit", -1,
                             "closes_active_exploit is %d; it must be 0 or 1",
                             (int)closes_active_exploit);
    *scale = layer_scale(layer) * (closes_active_exploit ? 1.5 : 1.0);
    return OTAPRIO_OK;
}

static int read_options(otaprio_guard_options *full,
                        const otaprio_guard_options *options, double *scale,
                        otaprio_diag *diag)
{
    OTAPRIO__TRY((otaprio_guard_options_init)(full, sizeof *full));
    if (options != NULL)
        OTAPRIO__TRY(
            otaprio__struct_read(full, options, &options_layout, diag));
    if (!(full->alpha > 0.0 && full->alpha <= 0.5))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "alpha", -1,
                             "alpha is %g; it must be in (0, 0.5]",
                             full->alpha);
    if (full->multiplicity < OTAPRIO_GUARD_HOLM ||
        full->multiplicity > OTAPRIO_GUARD_UNCORRECTED)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "multiplicity", -1,
                             "multiplicity %d is not an "
                             "otaprio_guard_multiplicity",
                             (int)full->multiplicity);
    double layer_default;
    OTAPRIO__TRY(otaprio_guard_tolerance_default(
        full->layer, full->closes_active_exploit, &layer_default, diag));
    if (full->tolerance_scale == 0.0) {
        *scale = layer_default;
    } else if (isfinite(full->tolerance_scale) && full->tolerance_scale > 0.0) {
        *scale = full->tolerance_scale;
    } else {
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "tolerance_scale", -1,
                             "tolerance_scale is %g; it must be 0 (the "
                             "layer's default) or finite and positive",
                             full->tolerance_scale);
    }
    return OTAPRIO_OK;
}

static bool in_enum(int32_t value, int32_t last)
{
    return value >= 0 && value <= last;
}

static int check_enums(const otaprio_guard_rule *r, size_t i,
                       otaprio_diag *diag)
{
    if (!in_enum(r->kind, OTAPRIO_GUARD_CONTINUOUS))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "kind", (int64_t)i,
                             "rule %zu: kind %d is not an otaprio_guard_kind",
                             i, (int)r->kind);
    if (!in_enum(r->direction, OTAPRIO_GUARD_LOWER_IS_WORSE))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "direction", (int64_t)i,
                             "rule %zu: direction %d is not an "
                             "otaprio_guard_direction",
                             i, (int)r->direction);
    if (!in_enum(r->severity, OTAPRIO_GUARD_LEADING))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "severity", (int64_t)i,
                             "rule %zu: severity %d is not an "
                             "otaprio_guard_severity",
                             i, (int)r->severity);
    if (!in_enum(r->no_data, OTAPRIO_GUARD_NO_DATA_IGNORE))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "no_data", (int64_t)i,
                             "rule %zu: no_data %d is not an "
                             "otaprio_guard_no_data",
                             i, (int)r->no_data);
    if (!in_enum(r->zero_baseline, OTAPRIO_GUARD_ZERO_BASELINE_CEILING))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "zero_baseline", (int64_t)i,
                             "rule %zu: zero_baseline %d is not an "
                             "otaprio_guard_zero_baseline",
                             i, (int)r->zero_baseline);
    if (r->require_evidence != 0 && r->require_evidence != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "require_evidence",
                             (int64_t)i,
                             "rule %zu: require_evidence is %d; it must be "
                             "0 or 1",
                             i, (int)r->require_evidence);
    if (r->sequential != 0 && r->sequential != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "sequential", (int64_t)i,
                             "rule %zu: sequential is %d; it must be 0 or 1", i,
                             (int)r->sequential);
    return OTAPRIO_OK;
}

static int check_checks(const otaprio_guard_rule *r, size_t i,
                        otaprio_diag *diag)
{
    if ((r->checks & ~ALL_CHECKS) != 0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "checks", (int64_t)i,
                             "rule %zu: checks is 0x%x; it must combine "
                             "otaprio_guard_check flags",
                             i, (unsigned)r->checks);
    if ((r->checks & OTAPRIO_GUARD_CHECK_SPREAD) &&
        r->kind != OTAPRIO_GUARD_CONTINUOUS)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "checks", (int64_t)i,
                             "rule %zu: only a continuous metric has a "
                             "spread to check",
                             i);
    if (r->zero_baseline == OTAPRIO_GUARD_ZERO_BASELINE_CEILING &&
        !(r->checks & OTAPRIO_GUARD_CHECK_CEILING))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "zero_baseline", (int64_t)i,
                             "rule %zu: a zero baseline judged by the "
                             "ceiling alone needs the ceiling check",
                             i);
    if (r->sequential) {
        if (r->kind == OTAPRIO_GUARD_CONTINUOUS ||
            !(r->checks & OTAPRIO_GUARD_CHECK_BASELINE))
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "sequential",
                                 (int64_t)i,
                                 "rule %zu: only the baseline comparison of "
                                 "a proportion or rate is sequential",
                                 i);
        if (r->require_evidence)
            return otaprio__fail(diag, OTAPRIO_E_RANGE, "sequential",
                                 (int64_t)i,
                                 "rule %zu: the sequential test shows harm, "
                                 "not its absence; it cannot require "
                                 "evidence",
                                 i);
    }
    return OTAPRIO_OK;
}

static int check_numbers(const otaprio_guard_rule *r, size_t i,
                         otaprio_diag *diag)
{
    if (!(isfinite(r->margin) && r->margin >= 0.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "margin", (int64_t)i,
                             "rule %zu: margin is %g; it must be finite and "
                             "not negative",
                             i, r->margin);
    if (!isfinite(r->ceiling))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "ceiling", (int64_t)i,
                             "rule %zu: ceiling is %g; it must be finite", i,
                             r->ceiling);
    if (r->kind == OTAPRIO_GUARD_PROPORTION &&
        !(r->ceiling >= 0.0 && r->ceiling <= 1.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "ceiling", (int64_t)i,
                             "rule %zu: a proportion's ceiling is %g; it "
                             "must be in [0, 1]",
                             i, r->ceiling);
    if (r->kind == OTAPRIO_GUARD_RATE && r->ceiling < 0.0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "ceiling", (int64_t)i,
                             "rule %zu: a rate's ceiling is %g; it must not "
                             "be negative",
                             i, r->ceiling);
    if (!(isfinite(r->minimum_sample) && r->minimum_sample >= 0.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "minimum_sample",
                             (int64_t)i,
                             "rule %zu: minimum_sample is %g; it must be "
                             "finite and not negative",
                             i, r->minimum_sample);
    if (!(isfinite(r->window_hours) && r->window_hours >= 0.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "window_hours", (int64_t)i,
                             "rule %zu: window_hours is %g; it must be "
                             "finite and not negative",
                             i, r->window_hours);
    return OTAPRIO_OK;
}

/* Everything a sequence's meaning depends on: which metric, which way,
 * and the null it tests. */
static uint64_t fingerprint(const otaprio__guard_rule *g)
{
    XXH3_state_t hash;
    (void)XXH3_64bits_reset(&hash);
    otaprio__feed_u64(&hash, UINT64_C(0x6775617264000001)); /* "guard", v1 */
    (void)XXH3_64bits_update(&hash, g->name, strlen(g->name) + 1);
    otaprio__feed_u64(&hash, (uint64_t)(uint32_t)g->rule.kind);
    otaprio__feed_u64(&hash, (uint64_t)(uint32_t)g->rule.direction);
    otaprio__feed_double(&hash, g->ratio_limit);
    return XXH3_64bits_digest(&hash);
}

/* Validates rule `i` into `out`, limits resolved. */
static int compile_rule(const otaprio_guard_rule *caller, size_t i,
                        double scale, otaprio__guard_rule *out,
                        otaprio_diag *diag)
{
    otaprio_guard_rule r;
    OTAPRIO__TRY((otaprio_guard_rule_init)(&r, sizeof r));
    int status = otaprio__struct_read(&r, caller, &rule_layout, diag);
    if (status != OTAPRIO_OK)
        return status;
    if (r.name == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "name", (int64_t)i,
                             "rule %zu has no name", i);
    size_t length = strlen(r.name);
    if (length == 0 || length > OTAPRIO__GUARD_NAME_MAX)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "name", (int64_t)i,
                             "rule %zu: its name has %zu bytes; 1 to %d "
                             "are allowed",
                             i, length, OTAPRIO__GUARD_NAME_MAX);
    OTAPRIO__TRY(check_enums(&r, i, diag));
    if (r.checks == 0) /* the kind's default */
        r.checks = r.kind == OTAPRIO_GUARD_CONTINUOUS
                       ? (uint32_t)(OTAPRIO_GUARD_CHECK_BASELINE |
                                    OTAPRIO_GUARD_CHECK_SPREAD)
                       : (uint32_t)OTAPRIO_GUARD_CHECK_BASELINE;
    OTAPRIO__TRY(check_checks(&r, i, diag));
    OTAPRIO__TRY(check_numbers(&r, i, diag));

    double margin = scale * r.margin;
    bool lower = r.direction == OTAPRIO_GUARD_LOWER_IS_WORSE;
    if (lower && r.kind == OTAPRIO_GUARD_RATE && margin >= 1.0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "margin", (int64_t)i,
                             "rule %zu: a rate may fall by less than all of "
                             "it; the margin after tolerance scaling is %g",
                             i, margin);
    memset(out, 0, sizeof *out);
    out->rule = r;
    memcpy(out->name, r.name, length + 1);
    out->rule.name = out->name;
    out->ratio_limit = lower && r.kind == OTAPRIO_GUARD_RATE
                           ? 1.0 / (1.0 - margin)
                           : 1.0 + margin;
    out->shift_share = margin;
    out->ceiling = r.ceiling;
    if (lower)
        out->ceiling =
            r.kind == OTAPRIO_GUARD_PROPORTION ? 1.0 - r.ceiling : -r.ceiling;
    out->fingerprint = fingerprint(out);
    return OTAPRIO_OK;
}

int otaprio_guard_set_create(const otaprio_guard_options *options,
                             const otaprio_guard_rule *rules, size_t count,
                             const otaprio_allocator *allocator,
                             otaprio_guard_set **set, otaprio_diag *diag)
{
    if (set == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "set", -1, "set is NULL");
    if (rules == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "rules", -1,
                             "rules is NULL");
    if (count == 0)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "count", -1,
                             "a rule set needs at least one rule");
    if (count > OTAPRIO_GUARD_MAX_RULES)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "count", -1,
                             "%zu rules; at most %d", count,
                             OTAPRIO_GUARD_MAX_RULES);
    otaprio__mem mem;
    OTAPRIO__TRY(otaprio__mem_resolve(&mem, allocator, diag));
    otaprio_guard_options full;
    double scale = 1.0;
    OTAPRIO__TRY(read_options(&full, options, &scale, diag));

    otaprio__guard_rule *compiled = NULL;
    int status = otaprio__mem_zalloc_array(&mem, count, sizeof *compiled,
                                           (void **)&compiled);
    if (status != OTAPRIO_OK)
        return otaprio__fail(diag, status, "rules", -1,
                             "out of memory for %zu rules", count);
    for (size_t i = 0; i < count && status == OTAPRIO_OK; i++) {
        status = compile_rule(&rules[i], i, scale, &compiled[i], diag);
        /* Names are few and short: a quadratic check costs nothing. */
        for (size_t j = 0; j < i && status == OTAPRIO_OK; j++) {
            if (strcmp(compiled[j].name, compiled[i].name) == 0)
                status =
                    otaprio__fail(diag, OTAPRIO_E_DUPLICATE, "name", (int64_t)i,
                                  "rules %zu and %zu are both named "
                                  "\"%s\"",
                                  j, i, compiled[i].name);
        }
    }
    otaprio_guard_set *made = NULL;
    if (status == OTAPRIO_OK) {
        made = otaprio__mem_alloc(&mem, sizeof *made);
        if (made == NULL)
            status = otaprio__fail(diag, OTAPRIO_E_NOMEM, "set", -1,
                                   "out of memory for the set");
    }
    if (status != OTAPRIO_OK) {
        otaprio__mem_free(&mem, compiled);
        return status;
    }
    made->mem = mem;
    made->options = full;
    made->scale = scale;
    made->z = otaprio__normal_ppf(0.5 + 0.5 * (1.0 - full.alpha));
    made->log_alpha = log(full.alpha);
    made->count = count;
    made->rules = compiled;
    *set = made;
    return OTAPRIO_OK;
}

void otaprio_guard_set_free(otaprio_guard_set *set)
{
    if (set == NULL)
        return;
    otaprio__mem mem = set->mem;
    otaprio__mem_free(&mem, set->rules);
    otaprio__mem_free(&mem, set);
}

size_t otaprio_guard_set_rule_count(const otaprio_guard_set *set)
{
    return set == NULL ? 0 : set->count;
}

int otaprio_guard_set_find(const otaprio_guard_set *set, const char *name,
                           uint32_t *index)
{
    if (set == NULL || name == NULL || index == NULL)
        return OTAPRIO_E_INVALID;
    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->rules[i].name, name) == 0) {
            *index = (uint32_t)i;
            return OTAPRIO_OK;
        }
    }
    return OTAPRIO_E_NOT_FOUND;
}

const char *otaprio_guard_set_rule_name(const otaprio_guard_set *set,
                                        uint32_t index)
{
    if (set == NULL || index >= set->count)
        return NULL;
    return set->rules[index].name;
}
