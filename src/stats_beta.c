/* SPDX-License-Identifier: MIT */
/*
 * The regularized incomplete beta function I_x(a, b) and its complement, in
 * log space. Two methods, each used where it is fast and accurate:
 *
 * - the continued fraction of DLMF 8.17.22 (evaluated by the modified
 *   Lentz method), on the tail below the mean, the other tail through the
 *   symmetry I_x(a, b) = 1 - I_{1-x}(b, a). It converges in a few terms in
 *   the tails, but needs about sqrt(min(a, b)) / 2 terms near the mean;
 * - so near the mean of a large-parameter beta, Temme's uniform asymptotic
 *   expansion (N. M. Temme, "Incomplete Laplace integrals: uniform
 *   asymptotic expansion with application to the incomplete beta
 *   function", SIAM J. Math. Anal. 18, 1987): I = erfc term + a series in
 *   1 / a whose coefficients come from power series in the saddle-point
 *   variable, computed here at run time by recurrences.
 *
 * The prefactor x^a (1-x)^b / B(a, b) of both is Loader's deviance form
 * (C. Loader, "Fast and accurate computation of binomial probabilities",
 * 2000), with x (a + b) - a carried in double-double so that parameters up
 * to 2^60 and beyond keep their accuracy.
 */
#include "stats_special.h"

#include <float.h>

#define LOG_2PI 1.8378770664093454836 /* log(2 pi) */

/* ---- double-double helpers (Dekker, Knuth) ------------------------------ */

/* Veltkamp's split of a into two 26-bit halves; scaled for huge a. */
static OTAPRIO__ALWAYS_INLINE void split(double a, double *hi, double *lo)
{
    double c = 134217729.0 * a; /* 2^27 + 1 */
    double big = c - a;
    *hi = c - big;
    *lo = a - *hi;
}

/* p + e = a * b exactly (Dekker), for |a b| far below DBL_MAX. */
static OTAPRIO__ALWAYS_INLINE double two_prod(double a, double b, double *e)
{
    double p = a * b;
    double ah, al, bh, bl;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    *e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    return p;
}

double otaprio__cross_difference(double a, double d, double b, double c)
{
    if (fabs(a * d) > 1e290 || fabs(b * c) > 1e290)
        return a * d - b * c;
    double ad_lo, bc_lo;
    double ad = two_prod(a, d, &ad_lo);
    double bc = two_prod(b, c, &bc_lo);
    return (ad - bc) + (ad_lo - bc_lo);
}

static OTAPRIO__ALWAYS_INLINE double beta_offset(double a, double b, double x)
{
    double r_lo;
    double r = otaprio__two_sum(a, b, &r_lo);
    if (r > 1e290) /* Dekker's split would overflow; plain is as good */
        return (x * r - a) + x * r_lo;
    double p_lo;
    double p = two_prod(x, r, &p_lo);
    /* p - a is exact when p is within a factor 2 of a (Sterbenz), which
     * is where the cancellation would otherwise lose digits. */
    return (p - a) + (p_lo + x * r_lo);
}

double otaprio__beta_offset(double a, double b, double x)
{
    return beta_offset(a, b, x);
}

/* ---- Stirling's error and log1p(z) - z ---------------------------------- */

/* delta(n) for the integers 1 to 14, rounded from 50 digits (mpmath):
 * the masses of counts ask for these most, and the recurrence below would
 * spend up to 14 log1p calls on each. */
static const double stirling_error_table[14] = {
    0x1.4c071bcda0a5bp-4, 0x1.52a9b923ea649p-5, 0x1.c579a268d80b3p-6,
    0x1.54a2662fd78a9p-6, 0x1.10b4e513fcbedp-6, 0x1.c6b167bebdf36p-7,
    0x1.85d4d612e4a86p-7, 0x1.552805e7b3076p-7, 0x1.2f4871b12ab64p-7,
    0x1.10f9d4c0743a7p-7, 0x1.f0593088014f8p-8, 0x1.c7018733aa9c6p-8,
    0x1.a40514700f36cp-8, 0x1.86076c002d4a7p-8};

/* The Stirling series of delta(z) for z >= 15, in v = 1 / z (one
 * division), with as many terms as z needs: the first term left out is
 * below 1e-18 of delta(z) (at z >= 15 the seventh term is below 1e-19;
 * 1 / (1188 z^9) at z >= 100 and 1 / (1680 z^7) at z >= 1000 are below
 * 1e-18 of 1 / (12 z)). */
static OTAPRIO__ALWAYS_INLINE double stirling_series(double z)
{
    double v = 1.0 / z;
    double w = v * v;
    if (z >= 1000.0)
        return v * (1.0 / 12.0 - w * (1.0 / 360.0 - w * (1.0 / 1260.0)));
    /* In pairs by w^2 (Estrin's scheme, as atanh_tail() below). */
    double w2 = w * w;
    double e0 = 1.0 / 12.0 - w * (1.0 / 360.0);
    double e1 = 1.0 / 1260.0 - w * (1.0 / 1680.0);
    if (z >= 100.0)
        return v * (e0 + w2 * e1);
    double e2 = 1.0 / 1188.0 - w * (691.0 / 360360.0);
    return v * (e0 + w2 * (e1 + w2 * (e2 + w2 * (1.0 / 156.0))));
}

/* delta(z) below 15 off the table: step up by delta(w) = delta(w + 1) +
 * (w + 1/2) log1p(1/w) - 1 (from Gamma(w + 1) = w Gamma(w)); each step is
 * small, so the sum keeps its absolute accuracy. */
static double stirling_error_stepped(double z)
{
    double sum = 0.0;
    while (z < 15.0) {
        sum += (z + 0.5) * log1p(1.0 / z) - 1.0;
        z += 1.0;
    }
    return sum + stirling_series(z);
}

/* Inlined into the masses, whose every call of a helper would store and
 * reload all their live floating-point values (the x86-64 System V
 * convention saves none across a call). */
static OTAPRIO__ALWAYS_INLINE double stirling_error(double z)
{
    if (z >= 15.0)
        return stirling_series(z);
    if (z >= 1.0) {
        int n = (int)z; /* exact: 1 <= z < 15 */
        if ((double)n == z)
            return stirling_error_table[n - 1];
    }
    return stirling_error_stepped(z);
}

double otaprio__stirling_error(double z)
{
    return stirling_error(z);
}

/*
 * sum_{j >= 1} s2^j / (2j + 1) for s2 = s^2 < 0.032: the tail of 2
 * atanh(s) / (2 s) - 1 that log1p(z) - z is made of (see below). A
 * polynomial with as many terms as s2 needs, each tier's first term left
 * out below 1e-18 of the sum (about s2 / 3): s2^3 / 3 < 2^-60 below
 * 2^-20, s2^6 / 5 < 2^-60 below 2^-10, and 3 s2^12 / 27 < 1e-19 up to
 * 0.032. The longer ones in Estrin's scheme (pairs, then pairs of pairs
 * by s2^2, and so on), whose products run side by side where Horner's
 * would wait on each other: a binomial mass is a chain of such waits.
 * Every term is positive, so any order of the sums is as accurate. (A
 * loop stopping at the first term below 1e-18 of the sum, dividing each
 * term, cost more than the rest of a binomial mass: a division per term
 * and a mispredicted exit per call.)
 */
static OTAPRIO__ALWAYS_INLINE double atanh_tail(double s2)
{
    if (s2 < 0x1p-20)
        return s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0)));
    double s4 = s2 * s2;
    double e0 = 1.0 / 3.0 + s2 * (1.0 / 5.0);
    double e1 = 1.0 / 7.0 + s2 * (1.0 / 9.0);
    double e2 = 1.0 / 11.0 + s2 * (1.0 / 13.0);
    if (s2 < 0x1p-10)
        return s2 * (e0 + s4 * (e1 + s4 * e2));
    double s8 = s4 * s4;
    double e3 = 1.0 / 15.0 + s2 * (1.0 / 17.0);
    double e4 = 1.0 / 19.0 + s2 * (1.0 / 21.0);
    double e5 = 1.0 / 23.0 + s2 * (1.0 / 25.0);
    double f0 = e0 + s4 * e1;
    double f1 = e2 + s4 * e3;
    double f2 = e4 + s4 * e5;
    return s2 * (f0 + s8 * (f1 + s8 * f2));
}

double otaprio__log1pmx(double z)
{
    if (z > -0.3 && z < 0.4) {
        /* log1p(z) = 2 atanh(s) with s = z / (2 + z), so log1p(z) - z =
         * -z s + 2 s^3 (1/3 + s^2/5 + ...), every term of one sign. */
        double s = z / (2.0 + z);
        return -z * s + 2.0 * s * atanh_tail(s * s);
    }
    return log1p(z) - z;
}

/* x (log1p(d / x) - d / x) for x > 0 and d > -x: the deviance terms of
 * Loader's form, with one division where the plain product takes three
 * near 0. `mean` is x + d as the caller forms it from the probability
 * (p r), to full relative accuracy: from x and d it would carry d's
 * rounding, which is relative to x, and near d = -x (a count far above a
 * tiny mean) that is most of x + d (log b(20; 30, 1e-9) was off by 3e-9
 * relative). */
static OTAPRIO__ALWAYS_INLINE double scaled_log1pmx(double x, double d,
                                                    double mean)
{
    if (d > -0.3 * x && d < 0.4 * x) {
        /* As above with z = d / x: s = d / (2 x + d), one division. */
        double s = d / (2.0 * x + d);
        return -d * s + 2.0 * x * s * atanh_tail(s * s);
    }
    /* mean / x lies outside [0.7, 1.4] here, where log is well
     * conditioned. */
    return x * log(mean / x) - d;
}

double otaprio__log_beta_kernel(double a, double b, double x, double d)
{
    double r = a + b;
    double deviance =
        -scaled_log1pmx(a, d, x * r) - scaled_log1pmx(b, -d, (1.0 - x) * r);
    return -deviance + 0.5 * (log(a * (b / r)) - LOG_2PI) +
           otaprio__stirling_error(r) - otaprio__stirling_error(a) -
           otaprio__stirling_error(b);
}

double otaprio__binom_mass_parts(double x, double rest, double p,
                                 double *spread)
{
    double d = beta_offset(x, rest, p);
    double r = x + rest;
    *spread = x * (rest / r);
    return scaled_log1pmx(x, d, p * r) +
           scaled_log1pmx(rest, -d, (1.0 - p) * r) - 0.5 * LOG_2PI +
           stirling_error(r) - stirling_error(x) - stirling_error(rest);
}

double otaprio__binom_mode_parts(double x, double rest, double *spread)
{
    double r = x + rest;
    *spread = x * (rest / r);
    return -0.5 * LOG_2PI + stirling_error(r) - stirling_error(x) -
           stirling_error(rest);
}

/* ---- the continued fraction --------------------------------------------- */

/*
 * log of the continued fraction 1 / (1 + d1 / (1 + d2 / (1 + ...))) of
 * DLMF 8.17.22, so that I_x(a, b) = kernel / a * fraction; meant for x
 * below the mean, where it converges fastest. d = x (a + b) - a.
 *
 * With one parameter huge, 1 + d_{2m+1} nearly vanishes and the plain
 * modified Lentz recurrences (D = 1 / (1 + d D), C = 1 + d / C) lose
 * digits to cancellation. So 1 + d_{2m+1} is formed exactly from d,
 * 1 + d_{2m+1} = ((a + m)(3m + 1 - d - m x) + m (m + 1)) / ((a + 2m)(a +
 * 2m + 1)), and D and C are carried with their deviations from 1, from
 * which each step follows without a difference of near-equal terms:
 * D' = 1 / (1 + d + d (D - 1)), D' - 1 = -d D D', C' = 1 + d + ... as
 * C' = (1 + d) - d (C - 1) / C, C' - 1 = d / C.
 */
static double log_fraction(double a, double b, double x, double d)
{
    const double tiny = 1e-300;
    double dd = 1.0, dd1 = 0.0;         /* D and D - 1 */
    double c = HUGE_VAL, c1 = HUGE_VAL; /* C and C - 1, "infinite" at first */
    double f = 1.0;
    double log_scale = 0.0;
    for (int m = 0; m < 100000; m++) {
        /* Both halves' factors: with a huge parameter the even ones are
         * 1 to the last bit long before the fraction has converged. */
        double both = 1.0;
        for (int half = 0; half < 2; half++) {
            double coef, one_plus;
            if (half == 0) { /* d_{2m+1}, odd */
                double num = (a + m) * (3.0 * m + 1.0 - d - m * x) +
                             (double)m * (m + 1.0);
                double den = (a + 2.0 * m) * (a + 2.0 * m + 1.0);
                one_plus = num / den;
                coef = -(a + m) * (a + b + m) * x / den;
            } else { /* d_{2m+2}, even */
                double k = m + 1.0;
                coef = k * (b - k) * x / ((a + 2.0 * k - 1.0) * (a + 2.0 * k));
                one_plus = 1.0 + coef;
            }
            double denom = one_plus + coef * dd1;
            if (fabs(denom) < tiny)
                denom = tiny;
            double next_d = 1.0 / denom;
            double next_d1 = -coef * dd * next_d;
            double next_c, next_c1;
            if (c == HUGE_VAL) { /* the first term: C = 1 + d / inf */
                next_c = one_plus - coef;
                next_c1 = 0.0;
            } else {
                next_c = one_plus - coef * c1 / c;
                next_c1 = coef / c;
            }
            if (fabs(next_c) < tiny)
                next_c = tiny;
            dd = next_d;
            dd1 = next_d1;
            c = next_c;
            c1 = next_c1;
            double step = c * dd;
            f *= step;
            both *= step;
        }
        /* Keep f in range for the rare fraction that drifts. */
        if (f > 1e200 || f < 1e-200) {
            log_scale += log(f);
            f = 1.0;
        }
        if (fabs(both - 1.0) < 1e-16)
            break;
    }
    return log_scale + log(f);
}

/* ---- Temme's uniform expansion ----------------------------------------- */

#define TEMME_DEGREE 18
#define TEMME_TERMS 5
#define TEMME_MIN_PARAMETER 500.0
/* A seventh of the radius of convergence of the series in zeta (sqrt(4
 * pi)): with 18 terms they are then exact to ~1e-15; beyond, the tail is
 * e^{-a/8} small and the continued fraction takes few terms. */
#define TEMME_MAX_ZETA 0.5

/*
 * log P (lower tail, upper false) or log Q of Beta(a, b) at the point x
 * whose saddle-point variable is zeta, for a <= b both large, x near the
 * mean.
 *
 * With t = xi (1 + v), xi = a / r, eps = a / b, the saddle-point variable z
 * solves z^2 / 2 = -log(1 + v) - log(1 - eps v) / eps (sign of v). Then
 * Q = Phi_c(z sqrt a) + e^Delta e^{-a z^2/2} / sqrt(2 pi a)
 *     * sum_n k_n(z) / a^n,
 * where Delta = delta(r) - delta(a) - delta(b) and k_n come from g(z) =
 * z sqrt(1 - xi) / v(z) by repeated integration by parts: k_0 = (g - 1)/z,
 * k_{n+1} = (k_n' - k_n'(0)) / z. The power series of v(z) follows from
 * v v' = z (1 - xi) (1 + (1 - eps) v - eps v^2).
 */
static double temme(double a, double b, double zeta, bool upper)
{
    double eps = a / b;
    double q = b / (a + b);
    double c[TEMME_DEGREE + 1];
    c[0] = 0.0;
    c[1] = sqrt(q);
    double c1_inverse = 1.0 / c[1];
    for (int m = 2; m <= TEMME_DEGREE; m++) {
        double square = 0.0;
        for (int i = 1; i <= m - 2; i++)
            square += c[i] * c[m - 1 - i];
        double rhs = q * ((1.0 - eps) * c[m - 1] - eps * square);
        for (int i = 2; i <= m - 1; i++)
            rhs -= c[i] * (m + 1 - i) * c[m + 1 - i];
        c[m] = rhs * c1_inverse / (m + 1);
    }
    /* g = 1 / V with V = v / (c1 z) = 1 + sum (c_{j+1} / c1) z^j. */
    double v[TEMME_DEGREE];
    double inverse = 1.0 / c[1];
    for (int i = 1; i < TEMME_DEGREE; i++)
        v[i] = c[i + 1] * inverse;
    double g[TEMME_DEGREE];
    g[0] = 1.0;
    for (int m = 1; m < TEMME_DEGREE; m++) {
        double sum = 0.0;
        for (int i = 1; i <= m; i++)
            sum += v[i] * g[m - i];
        g[m] = -sum;
    }
    /* k_0 = (g - 1) / z. */
    double k[TEMME_DEGREE];
    int degree = TEMME_DEGREE - 2;
    for (int j = 0; j <= degree; j++)
        k[j] = g[j + 1];
    double series = 0.0;
    double power = 1.0;
    for (int n = 0; n < TEMME_TERMS && degree >= 0; n++) {
        double value = 0.0;
        for (int j = degree; j >= 0; j--)
            value = value * zeta + k[j];
        series += value * power;
        power /= a;
        for (int j = 0; j + 2 <= degree; j++)
            k[j] = (j + 2) * k[j + 2];
        degree -= 2;
    }
    double lambda = zeta * sqrt(a);
    double delta = otaprio__stirling_error(a + b) - otaprio__stirling_error(a) -
                   otaprio__stirling_error(b);
    /* log of the correction's size, relative to the erfc term in log
     * space so that neither underflows. */
    double log_correction = delta - 0.5 * lambda * lambda -
                            0.5 * log(2.0 * 3.14159265358979323846 * a);
    double log_main = otaprio__normal_log_sf(upper ? lambda : -lambda);
    double ratio = exp(log_correction - log_main) * series;
    return log_main + log1p(upper ? ratio : -ratio);
}

/* ---- the dispatcher ----------------------------------------------------- */

/* Both tails at once would cost the same; compute the smaller one and take
 * the other by log1m_exp. `d` is x r - a. */
static double log_beta_inc_core(double a, double b, double x, double d,
                                bool upper)
{
    double small = a < b ? a : b;
    if (small >= TEMME_MIN_PARAMETER) {
        /* The saddle-point variable, measured on the smaller parameter. */
        double pa = a <= b ? a : b;
        double pb = a <= b ? b : a;
        double pd = a <= b ? d : -d;
        double z2 = -2.0 * (otaprio__log1pmx(pd / pa) +
                            otaprio__log1pmx(-pd / pb) * (pb / pa));
        double zeta = copysign(sqrt(z2 > 0.0 ? z2 : 0.0), pd);
        if (fabs(zeta) <= TEMME_MAX_ZETA) {
            bool want = a <= b ? upper : !upper;
            return temme(pa, pb, zeta, want);
        }
    }
    double log_kernel = otaprio__log_beta_kernel(a, b, x, d);
    /* Below the mean (d < 0 up to the classic (a+1)/(a+b+2) switch) the
     * fraction gives the lower tail directly, else the upper through the
     * symmetric fraction. */
    if (x * (a + b + 2.0) < a + 1.0) {
        double lower = log_kernel - log(a) + log_fraction(a, b, x, d);
        if (lower > 0.0)
            lower = 0.0;
        return upper ? otaprio__log1m_exp(lower) : lower;
    }
    double higher = log_kernel - log(b) + log_fraction(b, a, 1.0 - x, -d);
    if (higher > 0.0)
        higher = 0.0;
    return upper ? higher : otaprio__log1m_exp(higher);
}

double otaprio__log_beta_inc(double a, double b, double x, bool upper)
{
    if (isnan(a) || isnan(b) || isnan(x) || !(a > 0.0) || !(b > 0.0) ||
        x < 0.0 || x > 1.0 || isinf(a) || isinf(b))
        return (double)NAN;
    if (x == 0.0)
        return upper ? 0.0 : -HUGE_VAL;
    if (x == 1.0)
        return upper ? -HUGE_VAL : 0.0;
    return log_beta_inc_core(a, b, x, otaprio__beta_offset(a, b, x), upper);
}
