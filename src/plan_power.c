/* SPDX-License-Identifier: MIT */
/*
 * Canary size from statistical power: the textbook normal-approximation
 * sample-size formulas for a one-sided test (as in Fleiss, Levin and Paik,
 * "Statistical Methods for Rates and Proportions", ch. 4, for two
 * proportions; the log rate ratio for two Poisson rates). The null
 * hypothesis's variance is the baseline's, the alternative's each group's
 * own, so a known baseline (infinite size) gives the one-sample formulas.
 * The two-group condition has no convenient closed form in n, so the
 * smallest size is searched for: over whole devices for a proportion, by
 * bisection on 1/t for a rate's exposure. Both searches are fixed
 * sequences of IEEE operations, hence deterministic. A proportion against
 * a known baseline may then be refined with the exact binomial test
 * (plan_exact.c).
 */
#include <math.h>

#include "plan_internal.h"
#include "stats.h"

#define SIZE_MAX_EXACT OTAPRIO__PLAN_SIZE_MAX

static const otaprio_plan_power power_defaults = {
    sizeof(otaprio_plan_power),
    OTAPRIO_PLAN_METRIC_PROPORTION,
    0.0,
    0.0,
    0.05,
    0.8,
    HUGE_VAL,
    0,
};

static const otaprio__layout power_layout = {
    "otaprio_plan_power", sizeof(otaprio_plan_power),
    sizeof(otaprio_plan_power), /* first published layout */
};

int(otaprio_plan_power_init)(otaprio_plan_power *spec, size_t size)
{
    return otaprio__struct_init(spec, size, &power_defaults, &power_layout);
}

const char *otaprio_plan_metric_name(int32_t metric)
{
    static const char *const names[] = {"proportion", "rate"};
    return OTAPRIO__NAME_AT(names, metric);
}

/* Written as positive tests so that NaN fails them. */
static int check_range(otaprio_diag *diag, const char *field, double value,
                       int ok, const char *range)
{
    if (ok)
        return OTAPRIO_OK;
    return otaprio__fail(diag, OTAPRIO_E_RANGE, field, -1,
                         "plan_power.%s is %g; it must lie in %s", field, value,
                         range);
}

static int validate(const otaprio_plan_power *s, otaprio_diag *diag)
{
    if (s->metric != OTAPRIO_PLAN_METRIC_PROPORTION &&
        s->metric != OTAPRIO_PLAN_METRIC_RATE)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "metric", -1,
                             "plan_power.metric is %d; it must lie in [0, 1]",
                             (int)s->metric);
    int proportion = s->metric == OTAPRIO_PLAN_METRIC_PROPORTION;
    if (proportion)
        OTAPRIO__TRY(check_range(diag, "baseline", s->baseline,
                                 s->baseline > 0.0 && s->baseline < 1.0,
                                 "(0, 1)"));
    else
        OTAPRIO__TRY(check_range(diag, "baseline", s->baseline,
                                 s->baseline > 0.0 && s->baseline < HUGE_VAL,
                                 "(0, inf)"));
    OTAPRIO__TRY(check_range(diag, "rise", s->rise,
                             s->rise > 0.0 && s->rise < HUGE_VAL, "(0, inf)"));
    double raised = s->baseline * (1.0 + s->rise);
    if (proportion && !(raised < 1.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "rise", -1,
                             "plan_power.rise %g lifts the baseline %g to %g; "
                             "a proportion must stay below 1",
                             s->rise, s->baseline, raised);
    if (!proportion && !(raised < HUGE_VAL))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "rise", -1,
                             "plan_power.rise %g lifts the baseline %g past "
                             "the largest double",
                             s->rise, s->baseline);
    OTAPRIO__TRY(check_range(diag, "alpha", s->alpha,
                             s->alpha > 0.0 && s->alpha <= 0.5, "(0, 0.5]"));
    OTAPRIO__TRY(check_range(diag, "power", s->power,
                             s->power >= 0.5 && s->power < 1.0, "[0.5, 1)"));
    OTAPRIO__TRY(check_range(diag, "baseline_size", s->baseline_size,
                             s->baseline_size > 0.0, "(0, inf]"));
    if (s->exact != 0 && s->exact != 1)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "exact", -1,
                             "plan_power.exact is %d; it must be 0 or 1",
                             (int)s->exact);
    if (s->exact && (!proportion || s->baseline_size < HUGE_VAL))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "exact", -1,
                             "plan_power.exact is 1, but only a proportion "
                             "against a known baseline has an exact check");
    return OTAPRIO_OK;
}

/* The normal quantiles and the baseline's share of the variance. */
typedef struct power_terms {
    double z_alpha, z_beta;
    double p0, p1; /* the baseline's and the raised value */
    double rise;
    double inv_m; /* 1 / baseline size, 0 when known */
} power_terms;

/* The proportion test reaches its power with n canary devices. */
static int proportion_enough(const power_terms *t, double n)
{
    double v0 = t->p0 * (1.0 - t->p0);
    double v1 = t->p1 * (1.0 - t->p1);
    double need = t->z_alpha * sqrt(v0 * (1.0 / n + t->inv_m)) +
                  t->z_beta * sqrt(v1 / n + v0 * t->inv_m);
    return need <= t->p0 * t->rise; /* p1 - p0 without cancellation */
}

static int proportion_size(const power_terms *t, double *out,
                           otaprio_diag *diag)
{
    /* Doubling, then halving the bracket: the condition is monotone in n
     * because both standard deviations fall as n grows. */
    if (!proportion_enough(t, HUGE_VAL))
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "baseline_size", -1,
                             "the baseline is too small for any canary to "
                             "reach the power asked");
    double high = 1.0;
    while (!proportion_enough(t, high)) {
        if (high >= SIZE_MAX_EXACT)
            return otaprio__fail(diag, OTAPRIO_E_LIMIT, "baseline_size", -1,
                                 "no canary of at most 2^53 devices reaches "
                                 "the power asked");
        high *= 2.0;
    }
    double low = high / 2.0; /* not enough, or below 1 */
    while (high - low > 1.0) {
        double mid = floor((low + high) / 2.0);
        if (proportion_enough(t, mid))
            high = mid;
        else
            low = mid;
    }
    *out = high;
    return OTAPRIO_OK;
}

/* The deviation the rate test needs at x = 1/exposure, on the log of the
 * rate ratio: each group's variance is 1 / its expected events. */
static double rate_need(const power_terms *t, double x)
{
    double shared = t->inv_m / t->p0;
    return t->z_alpha * sqrt(x / t->p0 + shared) +
           t->z_beta * sqrt(x / t->p1 + shared);
}

static int rate_size(const power_terms *t, double *out, otaprio_diag *diag)
{
    double effect = log1p(t->rise);
    double known = t->z_alpha / sqrt(t->p0) + t->z_beta / sqrt(t->p1);
    double exposure;
    if (known == 0.0) {
        exposure = 0.0; /* alpha and power 0.5 ask for no evidence */
    } else if (t->inv_m == 0.0) {
        double root = known / effect;
        exposure = root * root;
    } else {
        if (!(rate_need(t, 0.0) < effect))
            return otaprio__fail(diag, OTAPRIO_E_LIMIT, "baseline_size", -1,
                                 "the baseline is too small for any canary "
                                 "to reach the power asked");
        /* Bisection on x = 1/exposure: need(x) rises with x, and the
         * known-baseline answer bounds x from above. The loop stops when
         * the bracket can no longer shrink. */
        double root = effect / known;
        double low = 0.0, high = root * root;
        for (;;) {
            double mid = low + (high - low) / 2.0;
            if (mid <= low || mid >= high)
                break;
            if (rate_need(t, mid) <= effect)
                low = mid;
            else
                high = mid;
        }
        exposure = low > 0.0 ? 1.0 / low : HUGE_VAL;
    }
    if (!(exposure <= SIZE_MAX_EXACT))
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "baseline_size", -1,
                             "the exposure needed passes 2^53");
    *out = exposure;
    return OTAPRIO_OK;
}

int otaprio_plan_canary_size(const otaprio_plan_power *spec, double *canary,
                             otaprio_diag *diag)
{
    if (spec == NULL || canary == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             spec == NULL ? "spec" : "canary", -1,
                             "a required argument is NULL");
    otaprio_plan_power s;
    OTAPRIO__TRY((otaprio_plan_power_init)(&s, sizeof s));
    OTAPRIO__TRY(otaprio__struct_read(&s, spec, &power_layout, diag));
    OTAPRIO__TRY(validate(&s, diag));

    power_terms t;
    t.z_alpha = otaprio__normal_isf(s.alpha);
    t.z_beta = otaprio__normal_ppf(s.power);
    t.p0 = s.baseline;
    t.p1 = s.baseline * (1.0 + s.rise);
    t.rise = s.rise;
    t.inv_m = s.baseline_size < HUGE_VAL ? 1.0 / s.baseline_size : 0.0;
    double size = 0.0;
    if (s.metric == OTAPRIO_PLAN_METRIC_PROPORTION)
        OTAPRIO__TRY(proportion_size(&t, &size, diag));
    else
        OTAPRIO__TRY(rate_size(&t, &size, diag));
    /* validate() allows the exact check for a known proportion only. */
    if (s.exact)
        OTAPRIO__TRY(otaprio__plan_exact_size(t.p0, t.p1, s.alpha, s.power,
                                              size, &size, diag));
    *canary = size;
    return OTAPRIO_OK;
}
