/* SPDX-License-Identifier: MIT */
/*
 * The Brown-Forsythe test of equal spread: Levene's one-way analysis of
 * variance on the absolute deviations from each sample's median
 * (scipy.stats.levene with center="median"), W ~ F(1, N - 2) for two
 * samples.
 */
#include "stats.h"

/* The median of a sorted sample. */
static double median(const double *x, size_t n)
{
    if (n % 2 == 1)
        return x[n / 2];
    return 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* Mean absolute deviation from m, and the sum of squares of those
 * deviations about their mean (two passes, for accuracy). */
static void deviations(const double *x, size_t n, double m, double *mean,
                       double *squares)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += fabs(x[i] - m);
    double average = sum / (double)n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(x[i] - m) - average;
        ss += e * e;
    }
    *mean = average;
    *squares = ss;
}

int otaprio__brown_forsythe(const otaprio__samples *s, otaprio__test *out)
{
    /* Each sample needs two values for a spread; the samples come from
     * otaprio__samples_prepare, finite and sorted. */
    if (s == NULL || s->x == NULL || s->y == NULL || s->nx < 2 || s->ny < 2)
        return OTAPRIO_E_RANGE;
    double zx, zy, ssx, ssy;
    deviations(s->x, s->nx, median(s->x, s->nx), &zx, &ssx);
    deviations(s->y, s->ny, median(s->y, s->ny), &zy, &ssy);
    double nx = (double)s->nx, ny = (double)s->ny, n = nx + ny;
    double grand = (nx * zx + ny * zy) / n;
    double between =
        nx * (zx - grand) * (zx - grand) + ny * (zy - grand) * (zy - grand);
    double within = ssx + ssy;
    /* W = (N - k) / (k - 1) * between / within, k = 2 groups. */
    double w;
    if (within > 0.0)
        w = (n - 2.0) * between / within;
    else
        w = between > 0.0 ? HUGE_VAL : (double)NAN;
    double log_p = isnan(w) ? 0.0 : otaprio__f_log_sf(w, 1.0, n - 2.0);
    otaprio__test_set(out, w, log_p);
    return OTAPRIO_OK;
}
