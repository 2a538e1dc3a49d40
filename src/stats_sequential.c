/* SPDX-License-Identifier: MIT */
/*
 * The mixture sequential probability ratio test (Robbins' method of
 * mixtures, as in Johari, Pekelis and Walsh, "Always valid inference")
 * on the ratio of two Poisson rates, conditioned on the events seen.
 *
 * Between two looks the canary gains dx_c events over exposure dt_c and
 * the baseline dx_b over dt_b. Given their sum m, the canary's share is
 * Binomial(m, p), p = r dt_c / (r dt_c + dt_b) for the true ratio r of the
 * canary's rate to the baseline's, whatever the rates themselves are (the
 * classical conditional test of two Poisson rates). Against the null
 * ratio0, with p0 its share, an alternative r_j has the log likelihood
 * ratio
 *
 *   dx_c log(p_j / p0) + dx_b log((1 - p_j) / (1 - p0))
 *     = dx_c (delta_j - L_j) - dx_b L_j,
 *   delta_j = log(r_j / ratio0),  L_j = log1p(p0 (r_j / ratio0 - 1)),
 *
 * since (1 - p_j) / (1 - p0) = 1 / (1 + p0 (r_j / ratio0 - 1)). Written so,
 * p0 is the only number an increment needs, the canary's coefficient
 * delta_j - L_j = log(p_j / p0) is never negative (more canary events never
 * lower the evidence; a rounding below zero is taken as zero), nothing
 * cancels when p0 is near 0, and near 1 the difference stays accurate in
 * absolute terms. A look without new events leaves every ratio as it was
 * (it moves the totals and counts as a look); so do events on the only
 * side with new exposure (p0 = p_j = 0 or 1), while events on a side
 * without new exposure are impossible and refused.
 *
 * Each alternative's running product of likelihood ratios is a nonnegative
 * martingale when the true ratio is ratio0 and a supermartingale when it is
 * below (r_j > ratio0, so the ratio grows with the canary's share), and so
 * is their average, the e-value e. Ville's inequality then bounds the
 * chance that e ever reaches 1 / alpha by alpha, however often one looks:
 * the always-valid p-value is min(1, 1 / max e). (The exposures between
 * looks may be anything fixed before their events are split between the
 * sides, as a host's running totals are.)
 *
 * The mixture: OTAPRIO__SEQUENCE_ALTERNATIVES ratios r_j / ratio0 =
 * exp(delta_j), delta_j spread geometrically from log 1.05 to log 20
 * (delta_j = log 1.05 (log 20 / log 1.05)^(j / 15)), equal weights. Small
 * ratios catch a mild regression given many events; large ones catch a
 * severe one within the first few. The table below is that grid as
 * doubles: it is the definition (the vectors' generator recomputes it).
 *
 * The serialised form (OTAPRIO__SEQUENCE_BYTES), little-endian, doubles as
 * their IEEE 754 bits:
 *
 *   0    magic "otaprioQ"
 *   8    u32 version (1) | u32 alternatives (16)
 *   16   f64 ratio0 | u64 canary_events | u64 baseline_events
 *   40   f64 canary_exposure | f64 baseline_exposure | u64 looks
 *   64   16 x f64 log_lr
 *   192  f64 log_e | f64 log_e_max
 *   208  40 zero bytes (reserved)
 *   248  u64 XXH3-64 of bytes 0..247
 */
#include "stats_sequential.h"

#include <string.h>

#include "stats.h"

/* Private, inlined: no XXH symbol can leak from the library. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#define K OTAPRIO__SEQUENCE_ALTERNATIVES
#define STATE_VERSION 1u
#define BODY_BYTES (OTAPRIO__SEQUENCE_BYTES - 8)
#define LOG_K 2.772588722239781 /* log 16, the equal weights' 1 / K */

/* The relative slack allowed when reading a state back, for the rounding
 * of sums accumulated over many looks (and another platform's libm). */
#define READ_SLACK 1e-9

static const unsigned char magic[8] = {'o', 't', 'a', 'p', 'r', 'i', 'o', 'Q'};

/* delta_j = log(r_j / ratio0) and g_j = r_j / ratio0 - 1 = expm1(delta_j):
 * ratios 1.05, 1.0663, 1.0882, 1.1176, 1.1575, 1.2123, 1.2882, 1.3955,
 * 1.5505, 1.7808, 2.1369, 2.7161, 3.7241, 5.6414, 9.7438, 20. */
static const double grid_delta[K] = {
    0x1.8fb063ef2c7f0p-5, 0x1.06f7ead5e8e13p-4, 0x1.5a07eeae08808p-4,
    0x1.c754822725e1dp-4, 0x1.2b939625526a4p-3, 0x1.8a33c8fcd7d82p-3,
    0x1.035bc822a8461p-2, 0x1.5547e50403dd0p-2, 0x1.c1145de1cd7b9p-2,
    0x1.2776cd1a03316p-1, 0x1.84ca762b1ecbap-1, 0x1.ff98aa25f5dacp-1,
    0x1.50988cce73682p+0, 0x1.baea30e6c7958p+0, 0x1.236877cda3ef0p+1,
    0x1.7f7427b73e391p+1};
static const double grid_g[K] = {
    0x1.99999999999a0p-5, 0x1.0f97ed9905accp-4, 0x1.69115c3666ba8p-4,
    0x1.e19a5449c179bp-4, 0x1.429883d89dafep-3, 0x1.b2b251bca8053p-3,
    0x1.27295a5738f77p-2, 0x1.9508ab346f42ap-2, 0x1.19d66b9b5cf43p-1,
    0x1.8fc8a5f4153acp-1, 0x1.230c03f56d360p+0, 0x1.b754ed0ac1eb2p+0,
    0x1.5caf9dad26702p+1, 0x1.290d0a5d5adcfp+2, 0x1.17ccc3b9fe942p+3,
    0x1.2ffffffffffffp+4};

_Static_assert(K == 16, "the grid above has 16 alternatives");
_Static_assert(BODY_BYTES == 248, "the layout above fills 256 bytes");

/* Terms of the mixture this far below its largest add less than 2^-60
 * each to a sum of at least 1, below its rounding: their exp is skipped,
 * which, once the evidence has spread the alternatives apart, is most of
 * them. */
#define NEGLIGIBLE (-42.0)

/* log of the mixture: log((1 / K) sum_j exp(log_lr_j)), the largest term
 * factored out so that nothing overflows, and the rest summed under
 * log1p, accurate when they are small. */
static double mixture_log_e(const double log_lr[K])
{
    int top = 0;
    for (int j = 1; j < K; j++)
        top = log_lr[j] > log_lr[top] ? j : top;
    double rest = 0.0;
    for (int j = 0; j < K; j++) {
        double gap = log_lr[j] - log_lr[top];
        if (j != top && gap > NEGLIGIBLE)
            rest += exp(gap);
    }
    return log_lr[top] + log1p(rest) - LOG_K;
}

static bool finite_nonnegative(double x)
{
    return isfinite(x) && x >= 0.0;
}

int otaprio__sequence_init(otaprio__sequence *s, double ratio0,
                           otaprio_diag *diag)
{
    if (s == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sequence", -1,
                             "sequence is NULL");
    if (!isfinite(ratio0) || !(ratio0 > 0.0))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "ratio0", -1,
                             "the null ratio must be finite and positive, "
                             "not %g",
                             ratio0);
    memset(s, 0, sizeof *s);
    s->ratio0 = ratio0;
    return OTAPRIO_OK;
}

/* Adds one increment's log likelihood ratios to `log_lr`. */
static void add_increment(double log_lr[K], double ratio0, double dx_c,
                          double dt_c, double dx_b, double dt_b)
{
    /* With no exposure on one side, every event is the other side's under
     * the null and every alternative alike (p0 = p_j = 0 or 1): the ratio
     * is 1. The caller has refused events on a side without exposure. */
    if ((dx_c == 0.0 && dx_b == 0.0) || dt_c == 0.0 || dt_b == 0.0)
        return;
    /* p0 = ratio0 dt_c / (ratio0 dt_c + dt_b), in a form that neither
     * overflows nor turns 0 / 0 at extreme exposures: there it rounds to
     * 0 or 1, the limits the likelihood ratios tend to. */
    double p0 = 1.0 / (1.0 + dt_b / dt_c / ratio0);
    for (int j = 0; j < K; j++) {
        double l = log1p(p0 * grid_g[j]);
        /* log(p_j / p0) >= 0 exactly; only rounding could push it below. */
        double canary = grid_delta[j] - l;
        canary = canary > 0.0 ? canary : 0.0;
        log_lr[j] += dx_c * canary - dx_b * l;
    }
}

int otaprio__sequence_observe(otaprio__sequence *s, uint64_t canary_events,
                              double canary_exposure, uint64_t baseline_events,
                              double baseline_exposure, otaprio_diag *diag)
{
    if (s == NULL)
        return otaprio__fail(diag, OTAPRIO_E_INVALID, "sequence", -1,
                             "sequence is NULL");
    if (!finite_nonnegative(canary_exposure))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "canary_exposure", -1,
                             "exposure must be finite and nonnegative, "
                             "not %g",
                             canary_exposure);
    if (!finite_nonnegative(baseline_exposure))
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "baseline_exposure", -1,
                             "exposure must be finite and nonnegative, "
                             "not %g",
                             baseline_exposure);
    if (canary_events < s->canary_events ||
        canary_exposure < s->canary_exposure)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "canary_events", -1,
                             "the canary's totals went backwards (%llu "
                             "events over %g, after %llu over %g)",
                             (unsigned long long)canary_events, canary_exposure,
                             (unsigned long long)s->canary_events,
                             s->canary_exposure);
    if (baseline_events < s->baseline_events ||
        baseline_exposure < s->baseline_exposure)
        return otaprio__fail(
            diag, OTAPRIO_E_RANGE, "baseline_events", -1,
            "the baseline's totals went backwards (%llu "
            "events over %g, after %llu over %g)",
            (unsigned long long)baseline_events, baseline_exposure,
            (unsigned long long)s->baseline_events, s->baseline_exposure);
    uint64_t dx_c = canary_events - s->canary_events;
    uint64_t dx_b = baseline_events - s->baseline_events;
    double dt_c = canary_exposure - s->canary_exposure;
    double dt_b = baseline_exposure - s->baseline_exposure;
    if (dx_c > 0 && dt_c == 0.0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "canary_events", -1,
                             "%llu new canary events without new exposure",
                             (unsigned long long)dx_c);
    if (dx_b > 0 && dt_b == 0.0)
        return otaprio__fail(diag, OTAPRIO_E_RANGE, "baseline_events", -1,
                             "%llu new baseline events without new exposure",
                             (unsigned long long)dx_b);
    if (s->looks == UINT64_MAX)
        return otaprio__fail(diag, OTAPRIO_E_LIMIT, "looks", -1,
                             "the sequence has counted %llu looks",
                             (unsigned long long)s->looks);
    add_increment(s->log_lr, s->ratio0, (double)dx_c, dt_c, (double)dx_b, dt_b);
    if (dx_c > 0 || dx_b > 0) {
        s->log_e = mixture_log_e(s->log_lr);
        s->log_e_max = s->log_e > s->log_e_max ? s->log_e : s->log_e_max;
    }
    s->canary_events = canary_events;
    s->baseline_events = baseline_events;
    s->canary_exposure = canary_exposure;
    s->baseline_exposure = baseline_exposure;
    s->looks++;
    return OTAPRIO_OK;
}

double otaprio__sequence_log_p(const otaprio__sequence *s)
{
    return s->log_e_max > 0.0 ? -s->log_e_max : 0.0;
}

/* ---- writing ---------------------------------------------------------- */

static uint64_t load_le64(const unsigned char *in)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | in[i];
    return v;
}

void otaprio__sequence_serialize(const otaprio__sequence *s,
                                 unsigned char out[OTAPRIO__SEQUENCE_BYTES])
{
    memset(out, 0, OTAPRIO__SEQUENCE_BYTES);
    memcpy(out, magic, sizeof magic);
    otaprio__store_le64(out + 8, (uint64_t)K << 32 | STATE_VERSION);
    otaprio__store_le64(out + 16, otaprio__bits_of_double(s->ratio0));
    otaprio__store_le64(out + 24, s->canary_events);
    otaprio__store_le64(out + 32, s->baseline_events);
    otaprio__store_le64(out + 40, otaprio__bits_of_double(s->canary_exposure));
    otaprio__store_le64(out + 48,
                        otaprio__bits_of_double(s->baseline_exposure));
    otaprio__store_le64(out + 56, s->looks);
    for (int j = 0; j < K; j++)
        otaprio__store_le64(out + 64 + 8 * j,
                            otaprio__bits_of_double(s->log_lr[j]));
    otaprio__store_le64(out + 192, otaprio__bits_of_double(s->log_e));
    otaprio__store_le64(out + 200, otaprio__bits_of_double(s->log_e_max));
    otaprio__store_le64(out + BODY_BYTES, XXH3_64bits(out, BODY_BYTES));
}

/* ---- reading ---------------------------------------------------------- */

static int corrupt(otaprio_diag *diag, int64_t at, const char *what)
{
    return otaprio__fail(diag, OTAPRIO_E_SYNTAX, "bytes", at,
                         "not a sequential test's state: %s (at byte %lld)",
                         what, (long long)at);
}

static int impossible(otaprio_diag *diag, int64_t at, const char *what)
{
    return otaprio__fail(diag, OTAPRIO_E_RANGE, "bytes", at,
                         "no sequence of looks gives this state: %s (at "
                         "byte %lld)",
                         what, (long long)at);
}

static bool within(double x, double low, double high, double scale)
{
    double slack = READ_SLACK * scale;
    return x >= low - slack && x <= high + slack;
}

/* The checks on the values, which any state that observations built
 * passes: what the counts allow the likelihood ratios to be. Each
 * increment adds dx_c (delta_j - L_j) - dx_b L_j with 0 <= L_j <= delta_j,
 * so -baseline_events delta_j <= log_lr_j <= canary_events delta_j. */
static int check_values(const otaprio__sequence *s, otaprio_diag *diag)
{
    if (!isfinite(s->ratio0) || !(s->ratio0 > 0.0))
        return impossible(diag, 16,
                          "the null ratio is not finite and "
                          "positive");
    if (!finite_nonnegative(s->canary_exposure) ||
        !finite_nonnegative(s->baseline_exposure))
        return impossible(diag, s->canary_exposure >= 0.0 ? 48 : 40,
                          "an exposure is negative or not finite");
    if ((s->canary_events > 0 && s->canary_exposure == 0.0) ||
        (s->baseline_events > 0 && s->baseline_exposure == 0.0))
        return impossible(diag, 24, "events without exposure");
    if (s->looks == 0 &&
        (s->canary_events > 0 || s->baseline_events > 0 ||
         s->canary_exposure > 0.0 || s->baseline_exposure > 0.0))
        return impossible(diag, 56, "totals before the first look");
    double canary = (double)s->canary_events;
    double baseline = (double)s->baseline_events;
    for (int j = 0; j < K; j++) {
        double x = s->log_lr[j];
        double scale = (canary + baseline) * grid_delta[j];
        if (!isfinite(x) || !within(x, -baseline * grid_delta[j],
                                    canary * grid_delta[j], scale))
            return impossible(diag, 64 + 8 * j,
                              "a likelihood ratio the counts cannot give");
    }
    double log_e = mixture_log_e(s->log_lr);
    if (!isfinite(s->log_e) ||
        !within(s->log_e, log_e, log_e, 1.0 + fabs(log_e)))
        return impossible(diag, 192, "the e-value is not the mixture's");
    double most = canary * grid_delta[K - 1];
    if (!isfinite(s->log_e_max) || s->log_e_max < s->log_e ||
        s->log_e_max < 0.0 || !within(s->log_e_max, 0.0, most, 1.0 + most))
        return impossible(diag, 200, "the running maximum is out of range");
    return OTAPRIO_OK;
}

int otaprio__sequence_deserialize(otaprio__sequence *s, const void *bytes,
                                  size_t length, otaprio_diag *diag)
{
    if (s == NULL || (bytes == NULL && length > 0))
        return otaprio__fail(diag, OTAPRIO_E_INVALID,
                             s == NULL ? "sequence" : "bytes", -1, "%s is NULL",
                             s == NULL ? "sequence" : "bytes");
    const unsigned char *in = bytes;
    if (length != OTAPRIO__SEQUENCE_BYTES)
        return otaprio__fail(diag, OTAPRIO_E_SYNTAX, "bytes", -1,
                             "a sequential test's state is %d bytes, not %zu",
                             OTAPRIO__SEQUENCE_BYTES, length);
    if (memcmp(in, magic, sizeof magic) != 0)
        return corrupt(diag, 0, "the magic bytes are wrong");
    if (XXH3_64bits(in, BODY_BYTES) != load_le64(in + BODY_BYTES))
        return corrupt(diag, BODY_BYTES, "the checksum does not match");
    uint64_t header = load_le64(in + 8);
    if ((uint32_t)header != STATE_VERSION)
        return otaprio__fail(diag, OTAPRIO_E_SYNTAX, "bytes", 8,
                             "the state has format version %lu; this library "
                             "reads version %u",
                             (unsigned long)(uint32_t)header, STATE_VERSION);
    if (header >> 32 != K)
        return corrupt(diag, 12, "the number of alternatives is wrong");
    for (int i = 208; i < BODY_BYTES; i++) {
        if (in[i] != 0)
            return corrupt(diag, i, "a reserved byte is not zero");
    }
    otaprio__sequence read;
    read.ratio0 = otaprio__double_of_bits(load_le64(in + 16));
    read.canary_events = load_le64(in + 24);
    read.baseline_events = load_le64(in + 32);
    read.canary_exposure = otaprio__double_of_bits(load_le64(in + 40));
    read.baseline_exposure = otaprio__double_of_bits(load_le64(in + 48));
    read.looks = load_le64(in + 56);
    for (int j = 0; j < K; j++)
        read.log_lr[j] = otaprio__double_of_bits(load_le64(in + 64 + 8 * j));
    read.log_e = otaprio__double_of_bits(load_le64(in + 192));
    read.log_e_max = otaprio__double_of_bits(load_le64(in + 200));
    OTAPRIO__TRY(check_values(&read, diag));
    *s = read;
    return OTAPRIO_OK;
}
