/* SPDX-License-Identifier: MIT */
/*
 * risk: priority, disposition and reasons of N devices for one fix, through
 * otaprio_risk_score_stream() over columnar chunks of 65536 devices, one
 * thread. Peer: bench/peer_risk.py (NumPy: the same scores as one weighted
 * sum, X @ W, and the tiers with np.digitize).
 *
 * Input (untimed): a fleet of N devices as 17 columns, device i drawn from
 * draws 3i, 3i+1 and 3i+2 of SplitMix64(seed): a realistic mix of classes
 * (mostly handsets, few medical devices), customer tiers, links, batteries
 * (mains-powered classes full), storage, failed attempts and days offline,
 * each field cut from the draws' bits (bench/peer_risk.py does the same in
 * NumPy). The fix is a security issue with a public proof of concept, scored
 * once by otaprio_risk_score_issue(); its score goes into the JSON line's
 * "extra" object, from where the peer takes it.
 *
 * Timed: one otaprio_risk_score_stream() over the whole fleet; its source
 * callback hands out consecutive slices of the columns and of the output
 * arrays (priority, disposition, reasons).
 *
 * Extra figures (untimed, same process): single-thread read bandwidth (a
 * sum over a uint64 buffer as large as the input columns) against the
 * input bytes our runs read per second; the same for a loop that only
 * moves this data (the floor any scoring loop could reach) and for one
 * that also checks each chunk before writing it (the floor of any loop
 * that keeps the library's promise to write nothing on bad input); the peak
 * resident memory of a stream that generates its chunks on the fly (so it
 * holds no fleet), at any N, before the fleet is built.
 */
#define _POSIX_C_SOURCE 200809L /* getrusage under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "otaprio/risk.h"

#include "bench.h"

/* Devices per chunk the source hands out. */
#define RISK_CHUNK 65536
/* Timed repetitions of the bandwidth sum, and stream/sum pairs. */
#define RISK_BW_REPS 9
#define RISK_BW_PAIRS 5

/* Package of the fix: large enough to defer on metered links. */
#define RISK_PACKAGE_BYTES (UINT64_C(200) * 1024 * 1024)

/* The fleet's columns, as the host keeps them. */
typedef struct fleet {
    uint8_t *device_class, *customer_tier, *exposure, *redundant, *uptime,
        *safe_fallback, *charging, *link, *metered, *busy, *affected,
        *prerequisite_missing, *excluded;
    float *battery;
    uint64_t *free_bytes;
    uint32_t *failed_attempts, *days_offline;
} fleet;

/* Bytes of input columns per device: 13 flag or enum bytes, a float, a
 * uint64 and two uint32. */
#define RISK_INPUT_BYTES                                       \
    (13 * sizeof(uint8_t) + sizeof(float) + sizeof(uint64_t) + \
     2 * sizeof(uint32_t))
/* Bytes of outputs per device: priority, disposition, reasons. */
#define RISK_OUTPUT_BYTES (sizeof(double) + sizeof(uint8_t) + sizeof(uint32_t))

static void fleet_free(fleet *f)
{
    free(f->device_class);
    free(f->customer_tier);
    free(f->exposure);
    free(f->redundant);
    free(f->uptime);
    free(f->safe_fallback);
    free(f->charging);
    free(f->link);
    free(f->metered);
    free(f->busy);
    free(f->affected);
    free(f->prerequisite_missing);
    free(f->excluded);
    free(f->battery);
    free(f->free_bytes);
    free(f->failed_attempts);
    free(f->days_offline);
    memset(f, 0, sizeof *f);
}

/* Allocates every column for n devices; -1 (nothing held) when out of
 * memory. */
static int fleet_alloc(fleet *f, size_t n)
{
    memset(f, 0, sizeof *f);
    f->device_class = malloc(n);
    f->customer_tier = malloc(n);
    f->exposure = malloc(n);
    f->redundant = malloc(n);
    f->uptime = malloc(n);
    f->safe_fallback = malloc(n);
    f->charging = malloc(n);
    f->link = malloc(n);
    f->metered = malloc(n);
    f->busy = malloc(n);
    f->affected = malloc(n);
    f->prerequisite_missing = malloc(n);
    f->excluded = malloc(n);
    f->battery = malloc(n * sizeof *f->battery);
    f->free_bytes = malloc(n * sizeof *f->free_bytes);
    f->failed_attempts = malloc(n * sizeof *f->failed_attempts);
    f->days_offline = malloc(n * sizeof *f->days_offline);
    if (f->device_class == NULL || f->customer_tier == NULL ||
        f->exposure == NULL || f->redundant == NULL || f->uptime == NULL ||
        f->safe_fallback == NULL || f->charging == NULL || f->link == NULL ||
        f->metered == NULL || f->busy == NULL || f->affected == NULL ||
        f->prerequisite_missing == NULL || f->excluded == NULL ||
        f->battery == NULL || f->free_bytes == NULL ||
        f->failed_attempts == NULL || f->days_offline == NULL) {
        fleet_free(f);
        return -1;
    }
    return 0;
}

/* ---- the fleet generator (mirrored by bench/peer_risk.py) ------------- */

/*
 * Shares of each device class out of 65536, cumulative: other 5%, handset
 * 38%, wearable 10%, camera 8%, kiosk 4%, POS 9%, router 8%, gateway 6%,
 * industrial 6%, medical 3%, vehicle 3%. The class is the number of
 * thresholds at or below a 16-bit field (np.searchsorted side="right").
 */
static const uint32_t class_cut[] = {3277,  28180, 34734, 39977, 42598,
                                     48497, 53740, 57672, 61604, 63570};
/* Out of 256: customers standard 60%, business 25%, enterprise 12%,
 * critical 3%; exposure isolated 10%, internal 60%, public 30%; uptime
 * batch 20%, business hours 50%, continuous 30%; links Ethernet 25%, Wi-Fi
 * 45%, cellular 22%, roaming 5%, satellite 3%. */
static const uint32_t customer_cut[] = {154, 218, 250};
static const uint32_t exposure_cut[] = {26, 179};
static const uint32_t uptime_cut[] = {51, 179};
static const uint32_t link_cut[] = {64, 179, 235, 248};
/* Classes on mains power, whose battery column reads full: kiosk, POS,
 * router, gateway, industrial controller. */
#define RISK_MAINS_CLASSES                                            \
    ((1u << OTAPRIO_DEVICE_KIOSK) | (1u << OTAPRIO_DEVICE_POS) |      \
     (1u << OTAPRIO_DEVICE_ROUTER) | (1u << OTAPRIO_DEVICE_GATEWAY) | \
     (1u << OTAPRIO_DEVICE_INDUSTRIAL))

static uint8_t level_of(uint32_t field, const uint32_t *cut, size_t count)
{
    uint8_t level = 0;
    for (size_t k = 0; k < count; k++)
        level += field >= cut[k];
    return level;
}

#define LEVEL(field, cut) level_of((field), (cut), sizeof(cut) / sizeof(cut[0]))
/* Byte `k` (0 = lowest) of a draw. */
#define BYTE(draw, k) ((uint32_t)((draw) >> (8 * (k))) & 0xffu)

/* Writes devices first .. first+count-1 to elements 0 .. count-1 of f. */
static void fleet_generate(const fleet *f, uint64_t seed, size_t first,
                           size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t index = 3 * (uint64_t)(first + i);
        uint64_t d0 = bench_splitmix64(seed, index);
        uint64_t d1 = bench_splitmix64(seed, index + 1);
        uint64_t d2 = bench_splitmix64(seed, index + 2);

        uint8_t device_class = LEVEL((uint32_t)d0 & 0xffffu, class_cut);
        f->device_class[i] = device_class;
        f->customer_tier[i] = LEVEL(BYTE(d0, 2), customer_cut);
        f->exposure[i] = LEVEL(BYTE(d0, 3), exposure_cut);
        f->redundant[i] = BYTE(d0, 4) < 38; /* 15% */
        f->uptime[i] = LEVEL(BYTE(d0, 5), uptime_cut);
        f->safe_fallback[i] = BYTE(d0, 6) < 154; /* 60% */
        f->charging[i] = BYTE(d0, 7) < 77;       /* 30% */

        /* 24 random bits scaled by 2**-24: exact in float, in [0, 1). */
        f->battery[i] = ((RISK_MAINS_CLASSES >> device_class) & 1u)
                            ? 1.0f
                            : (float)(uint32_t)(d1 & 0xffffffu) * 0x1p-24f;
        f->link[i] = LEVEL(BYTE(d1, 3), link_cut);
        f->metered[i] = BYTE(d1, 4) < 38;              /* 15% */
        f->busy[i] = BYTE(d1, 5) < 102;                /* 40% */
        f->affected[i] = BYTE(d1, 6) < 218;            /* 85% */
        f->prerequisite_missing[i] = BYTE(d1, 7) < 10; /* 4% */

        /* Up to 4 GiB, times 1 to 128: spread over orders of magnitude. */
        f->free_bytes[i] = (d2 & 0xffffffffu) << ((d2 >> 32) & 7u);
        uint32_t attempts = BYTE(d2, 5); /* 85% none, else 1 to 5 */
        f->failed_attempts[i] =
            attempts < 218 ? 0 : 1 + ((attempts - 218) >> 3);
        uint32_t days = BYTE(d2, 6); /* 90% 0 to 3 days, else 14 to 39 */
        f->days_offline[i] = days < 230 ? (days & 3u) : days - 216;
        f->excluded[i] = BYTE(d2, 7) < 3; /* 1% */
    }
}

#undef BYTE
#undef LEVEL

/* ---- state and sources ------------------------------------------------ */

typedef struct risk_state {
    size_t n;
    otaprio_risk_model *model;
    otaprio_issue_score issue;
    fleet columns;
    double *priority;
    uint8_t *disposition;
    uint32_t *reasons;
    size_t next; /* the timed source's cursor */

    /* The generated stream run in setup. */
    otaprio_risk_totals generated;
    double generated_rss_before_kib;
    double generated_rss_peak_kib;
} risk_state;

/* Hands out the next RISK_CHUNK devices of the fleet and the matching
 * slices of the output arrays. */
static int fleet_source(void *user, otaprio_devices *d,
                        otaprio_device_results *r)
{
    risk_state *s = user;
    size_t start = s->next;
    size_t count = s->n - start < RISK_CHUNK ? s->n - start : RISK_CHUNK;
    s->next = start + count;
    d->count = count;
    if (count == 0)
        return 0;
    const fleet *f = &s->columns;
    d->device_class = f->device_class + start;
    d->customer_tier = f->customer_tier + start;
    d->exposure = f->exposure + start;
    d->redundant = f->redundant + start;
    d->uptime = f->uptime + start;
    d->safe_fallback = f->safe_fallback + start;
    d->battery = f->battery + start;
    d->charging = f->charging + start;
    d->link = f->link + start;
    d->metered = f->metered + start;
    d->free_bytes = f->free_bytes + start;
    d->failed_attempts = f->failed_attempts + start;
    d->days_offline = f->days_offline + start;
    d->busy = f->busy + start;
    d->affected = f->affected + start;
    d->prerequisite_missing = f->prerequisite_missing + start;
    d->excluded = f->excluded + start;
    r->priority = s->priority + start;
    r->disposition = s->disposition + start;
    r->reasons = s->reasons + start;
    return 0;
}

/* A source that holds one chunk: it generates each chunk when asked, so
 * the stream's memory does not grow with the fleet. */
typedef struct generated_source {
    uint64_t seed;
    size_t n, next;
    fleet chunk;
    double *priority;
    uint8_t *disposition;
    uint32_t *reasons;
} generated_source;

static int generated_next(void *user, otaprio_devices *d,
                          otaprio_device_results *r)
{
    generated_source *g = user;
    size_t count = g->n - g->next < RISK_CHUNK ? g->n - g->next : RISK_CHUNK;
    fleet_generate(&g->chunk, g->seed, g->next, count);
    g->next += count;
    d->count = count;
    const fleet *f = &g->chunk;
    d->device_class = f->device_class;
    d->customer_tier = f->customer_tier;
    d->exposure = f->exposure;
    d->redundant = f->redundant;
    d->uptime = f->uptime;
    d->safe_fallback = f->safe_fallback;
    d->battery = f->battery;
    d->charging = f->charging;
    d->link = f->link;
    d->metered = f->metered;
    d->free_bytes = f->free_bytes;
    d->failed_attempts = f->failed_attempts;
    d->days_offline = f->days_offline;
    d->busy = f->busy;
    d->affected = f->affected;
    d->prerequisite_missing = f->prerequisite_missing;
    d->excluded = f->excluded;
    r->priority = g->priority;
    r->disposition = g->disposition;
    r->reasons = g->reasons;
    return 0;
}

/* ---- memory figures --------------------------------------------------- */

/* Peak resident set of this process in KiB (VmHWM), or -1 where
 * /proc/self/status is missing. Preferred to ru_maxrss, which on Linux
 * also carries the peak of the process that exec'd us (the Python runner,
 * holding the previous peer's arrays). */
static double peak_rss_kib(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    char line[256];
    double kib = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        unsigned long long value;
        if (sscanf(line, "VmHWM: %llu kB", &value) == 1) {
            kib = (double)value;
            break;
        }
    }
    fclose(status);
    return kib;
}

static double ru_maxrss_kib(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return -1;
    return (double)usage.ru_maxrss; /* KiB on Linux */
}

/* ---- setup, run, digest ----------------------------------------------- */

static void risk_teardown(void *opaque)
{
    risk_state *state = opaque;
    otaprio_risk_model_free(state->model);
    fleet_free(&state->columns);
    free(state->priority);
    free(state->disposition);
    free(state->reasons);
    free(state);
}

/* The fix: a remotely reachable security flaw with a public proof of
 * concept, on half the fleet, fixed in the OS layer with an A/B slot. */
static int score_issue(risk_state *state)
{
    otaprio_issue issue;
    otaprio_issue_init(&issue);
    issue.issue_class = OTAPRIO_ISSUE_SECURITY;
    issue.security_impact = OTAPRIO_LEVEL_MODERATE;
    issue.attack_path = OTAPRIO_ATTACK_ADJACENT;
    issue.exploit = OTAPRIO_EXPLOIT_POC;
    issue.has_epss = 1;
    issue.epss = 0.1;
    issue.affected_share = 0.5;
    issue.concentration = 0.2;
    issue.workflows = OTAPRIO_WORKFLOW_AUTH;
    issue.affected_classes = (1u << OTAPRIO_DEVICE_HANDSET) |
                             (1u << OTAPRIO_DEVICE_ROUTER) |
                             (1u << OTAPRIO_DEVICE_GATEWAY);
    issue.layer = OTAPRIO_LAYER_OS;
    issue.ab_slot = 1;
    issue.package_bytes = RISK_PACKAGE_BYTES;
    state->issue.size = sizeof state->issue;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_risk_score_issue(state->model, &issue, &state->issue,
                                          NULL, 0, NULL, &diag);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "risk: scoring the issue: %s: %s\n",
                otaprio_strerror(status), diag.message);
        return -1;
    }
    return 0;
}

/* Streams n generated devices through the library holding one chunk,
 * and records the totals and the peak resident memory around it. */
static int run_generated(risk_state *state, uint64_t seed)
{
    generated_source g;
    memset(&g, 0, sizeof g);
    g.seed = seed;
    g.n = state->n;
    state->generated_rss_before_kib = peak_rss_kib();
    if (fleet_alloc(&g.chunk, RISK_CHUNK) != 0) {
        fprintf(stderr, "risk: out of memory for one chunk\n");
        return -1;
    }
    g.priority = malloc(RISK_CHUNK * sizeof *g.priority);
    g.disposition = malloc(RISK_CHUNK * sizeof *g.disposition);
    g.reasons = malloc(RISK_CHUNK * sizeof *g.reasons);
    int status = -1;
    if (g.priority != NULL && g.disposition != NULL && g.reasons != NULL) {
        memset(&state->generated, 0, sizeof state->generated);
        state->generated.size = sizeof state->generated;
        status = otaprio_risk_score_stream(state->model, &state->issue,
                                           generated_next, &g,
                                           &state->generated, NULL);
        if (status != OTAPRIO_OK)
            fprintf(stderr, "risk: generated stream: %s\n",
                    otaprio_strerror(status));
    } else {
        fprintf(stderr, "risk: out of memory for one chunk's outputs\n");
    }
    state->generated_rss_peak_kib = peak_rss_kib();
    fleet_free(&g.chunk);
    free(g.priority);
    free(g.disposition);
    free(g.reasons);
    return status == OTAPRIO_OK ? 0 : -1;
}

static int risk_setup(uint64_t seed, size_t n, void **out)
{
    /* Room for every column, the outputs and the bandwidth buffer. */
    if (n > SIZE_MAX / 64) {
        fprintf(stderr, "risk: n = %zu is too large\n", n);
        return -1;
    }
    risk_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        fprintf(stderr, "risk: out of memory\n");
        return -1;
    }
    state->n = n;
    int status = otaprio_risk_model_create(NULL, NULL, &state->model, NULL);
    if (status != OTAPRIO_OK) {
        fprintf(stderr, "risk: model: %s\n", otaprio_strerror(status));
        risk_teardown(state);
        return -1;
    }
    /* The generated stream runs first, while the process holds no fleet:
     * its peak memory is then the library's and one chunk's. */
    if (score_issue(state) != 0 || run_generated(state, seed) != 0) {
        risk_teardown(state);
        return -1;
    }
    if (fleet_alloc(&state->columns, n) != 0) {
        fprintf(stderr, "risk: out of memory for n = %zu\n", n);
        risk_teardown(state);
        return -1;
    }
    state->priority = malloc(n * sizeof *state->priority);
    state->disposition = malloc(n * sizeof *state->disposition);
    state->reasons = malloc(n * sizeof *state->reasons);
    if (state->priority == NULL || state->disposition == NULL ||
        state->reasons == NULL) {
        fprintf(stderr, "risk: out of memory for n = %zu\n", n);
        risk_teardown(state);
        return -1;
    }
    fleet_generate(&state->columns, seed, 0, n);
    /* Touch the outputs so the first timed run does not pay the page
     * faults (a non-zero byte: no lazy calloc). */
    memset(state->priority, 0xa5, n * sizeof *state->priority);
    memset(state->disposition, 0xa5, n * sizeof *state->disposition);
    memset(state->reasons, 0xa5, n * sizeof *state->reasons);
    *out = state;
    return 0;
}

static int risk_run(void *opaque)
{
    risk_state *state = opaque;
    state->next = 0;
    return otaprio_risk_score_stream(state->model, &state->issue, fleet_source,
                                     state, NULL, NULL);
}

static int risk_digest(const void *opaque, bench_digest *digest)
{
    const risk_state *state = opaque;
    if (state->next != state->n) {
        fprintf(stderr, "risk: the stream stopped at device %zu of %zu\n",
                state->next, state->n);
        return -1;
    }
    if (bench_digest_add(digest, "priority", state->priority,
                         state->n * sizeof *state->priority) != 0 ||
        bench_digest_add(digest, "disposition", state->disposition,
                         state->n * sizeof *state->disposition) != 0 ||
        bench_digest_add(digest, "reasons", state->reasons,
                         state->n * sizeof *state->reasons) != 0)
        return -1;
    return 0;
}

/* ---- extra figures ---------------------------------------------------- */

/*
 * The floor of this data shape: every input column read and every output
 * written, with next to no arithmetic between (an XOR of the columns). How
 * close the memory system lets any scoring loop get to the read bandwidth
 * while it also writes 13 bytes a device. Overwrites the outputs: run it
 * after the digest, and the stream after it.
 */
static void io_floor(const fleet *restrict f, size_t first, size_t count,
                     double *restrict out_p, uint8_t *restrict out_d,
                     uint32_t *restrict out_r)
{
    for (size_t i = first; i < first + count; i++) {
        uint32_t b = f->device_class[i] ^ f->customer_tier[i] ^ f->exposure[i] ^
                     f->redundant[i] ^ f->uptime[i] ^ f->safe_fallback[i] ^
                     f->charging[i] ^ f->link[i] ^ f->metered[i] ^ f->busy[i] ^
                     f->affected[i] ^ f->prerequisite_missing[i] ^
                     f->excluded[i];
        out_r[i] = b ^ f->failed_attempts[i] ^ f->days_offline[i] ^
                   (uint32_t)f->free_bytes[i];
        out_d[i] = (uint8_t)b;
        out_p[i] = (double)f->battery[i];
    }
}

/* Keeps the bandwidth sums alive: a store no compiler may drop. */
static volatile uint64_t bandwidth_sink;

/*
 * The floor of any kernel that, as the library promises, checks a chunk
 * before writing any of its answers: per chunk of the stream, one pass
 * over the checked columns (an OR of their bytes, as the library's own
 * scan reads them side by side), then the floor's pass over the chunk.
 * The first pass brings the checked columns in from memory, the second
 * reads them again from cache and brings in the rest.
 */
static void io_floor_checked(const fleet *restrict f, size_t n,
                             double *restrict out_p, uint8_t *restrict out_d,
                             uint32_t *restrict out_r)
{
    for (size_t first = 0; first < n; first += RISK_CHUNK) {
        size_t count = n - first < RISK_CHUNK ? n - first : RISK_CHUNK;
        uint32_t seen = 0;
        for (size_t i = first; i < first + count; i++) {
            uint32_t battery;
            memcpy(&battery, &f->battery[i], sizeof battery);
            seen |=
                (uint32_t)(f->device_class[i] | f->customer_tier[i] |
                           f->exposure[i] | f->redundant[i] | f->uptime[i] |
                           f->safe_fallback[i] | f->charging[i] | f->link[i] |
                           f->metered[i] | f->busy[i] | f->affected[i] |
                           f->prerequisite_missing[i] | f->excluded[i]) |
                battery;
        }
        bandwidth_sink ^= seen;
        io_floor(f, first, count, out_p, out_d, out_r);
    }
}

static int risk_extras(void *opaque, double median_ms, bench_extras *extras)
{
    risk_state *state = opaque;
    size_t n = state->n;

    /* The generated stream must have scored what the timed runs did. */
    uint64_t by_disposition[4] = {0};
    for (size_t i = 0; i < n; i++)
        by_disposition[state->disposition[i] & 3u]++;
    if (state->generated.devices != n ||
        memcmp(by_disposition, state->generated.by_disposition,
               sizeof by_disposition) != 0) {
        fprintf(stderr, "risk: the generated stream disagrees with the "
                        "fleet's outputs\n");
        return -1;
    }

    /* Read bandwidth over as many bytes as the input columns. */
    size_t input_bytes = n * RISK_INPUT_BYTES;
    size_t words = (input_bytes + sizeof(uint64_t) - 1) / sizeof(uint64_t);
    uint64_t *buffer = malloc(words * sizeof *buffer);
    if (buffer == NULL) {
        fprintf(stderr, "risk: out of memory for the bandwidth buffer\n");
        return -1;
    }
    bench_splitmix64_fill(UINT64_C(0x62616e64), 0, buffer, words);
    double read_bps;
    bandwidth_sink =
        bench_read_bandwidth(buffer, words, RISK_BW_REPS, &read_bps);
    double floor_ms[RISK_BW_REPS];
    for (size_t k = 0; k < RISK_BW_REPS; k++) {
        int64_t start = bench_now_ns();
        io_floor(&state->columns, 0, n, state->priority, state->disposition,
                 state->reasons);
        floor_ms[k] = (double)(bench_now_ns() - start) / 1e6;
    }
    double checked_ms[RISK_BW_REPS];
    for (size_t k = 0; k < RISK_BW_REPS; k++) {
        int64_t start = bench_now_ns();
        io_floor_checked(&state->columns, n, state->priority,
                         state->disposition, state->reasons);
        checked_ms[k] = (double)(bench_now_ns() - start) / 1e6;
    }
    double floor_scratch[RISK_BW_REPS];
    double floor_median = bench_median(floor_ms, RISK_BW_REPS, floor_scratch);
    double floor_bps =
        floor_median > 0 ? (double)input_bytes / (floor_median / 1e3) : 0;
    double checked_median =
        bench_median(checked_ms, RISK_BW_REPS, floor_scratch);
    double checked_bps =
        checked_median > 0 ? (double)input_bytes / (checked_median / 1e3) : 0;
    /* Pairs of one stream and one sum, back to back: the fraction of each
     * pair shares the machine's load at that moment. The streams also put
     * the real outputs back. */
    double fractions[RISK_BW_PAIRS], scratch[RISK_BW_PAIRS];
    for (size_t k = 0; k < RISK_BW_PAIRS; k++) {
        int64_t start = bench_now_ns();
        int status = risk_run(state);
        int64_t stop = bench_now_ns();
        if (status != OTAPRIO_OK) {
            fprintf(stderr, "risk: %s\n", otaprio_strerror(status));
            free(buffer);
            return -1;
        }
        double pair_bps;
        bandwidth_sink ^= bench_read_bandwidth(buffer, words, 1, &pair_bps);
        double ours_bps = (double)input_bytes / ((double)(stop - start) / 1e9);
        fractions[k] = pair_bps > 0 ? ours_bps / pair_bps : 0;
    }
    double peak_kib = peak_rss_kib();
    free(buffer);

    double seconds = median_ms / 1e3;
    double input_bps = seconds > 0 ? (double)input_bytes / seconds : 0;
    double traffic_bps =
        seconds > 0
            ? (double)(n * (RISK_INPUT_BYTES + RISK_OUTPUT_BYTES)) / seconds
            : 0;
    int failed = 0;
#define ADD(name, value) failed |= bench_extra_add(extras, (name), (value))
    /* What the peer needs: the fix's score, as the library gave it. */
    ADD("issue_score_milli", (double)state->issue.score_milli);
    ADD("issue_tier", state->issue.tier);
    ADD("package_bytes", (double)state->issue.package_bytes);
    ADD("chunk", RISK_CHUNK);
    ADD("ns_per_device", median_ms * 1e6 / (double)n);
    ADD("input_bytes", (double)input_bytes);
    ADD("output_bytes", (double)(n * RISK_OUTPUT_BYTES));
    ADD("input_gbps", input_bps / 1e9);
    ADD("traffic_gbps", traffic_bps / 1e9);
    ADD("read_gbps", read_bps / 1e9);
    ADD("read_bytes", (double)(words * sizeof *buffer));
    ADD("read_reps", RISK_BW_REPS);
    ADD("bw_fraction", read_bps > 0 ? input_bps / read_bps : 0);
    ADD("bw_fraction_paired", bench_median(fractions, RISK_BW_PAIRS, scratch));
    ADD("bw_pairs", RISK_BW_PAIRS);
    ADD("io_floor_ms", floor_median);
    ADD("io_floor_gbps", floor_bps / 1e9);
    ADD("io_floor_fraction", read_bps > 0 ? floor_bps / read_bps : 0);
    ADD("checked_floor_ms", checked_median);
    ADD("checked_floor_fraction", read_bps > 0 ? checked_bps / read_bps : 0);
    ADD("eligible", (double)by_disposition[OTAPRIO_DISPOSITION_ELIGIBLE]);
    ADD("defer", (double)by_disposition[OTAPRIO_DISPOSITION_DEFER]);
    ADD("blocked", (double)by_disposition[OTAPRIO_DISPOSITION_BLOCKED]);
    ADD("excluded", (double)by_disposition[OTAPRIO_DISPOSITION_EXCLUDED]);
    /* Memory: the generated stream's peak does not grow with n; the
     * process's peak is the fleet the bench holds plus that. */
    ADD("stream_devices", (double)n);
    ADD("stream_rss_before_kib", state->generated_rss_before_kib);
    ADD("stream_peak_rss_kib", state->generated_rss_peak_kib);
    ADD("fleet_bytes", (double)(n * (RISK_INPUT_BYTES + RISK_OUTPUT_BYTES)));
    ADD("process_peak_rss_kib", peak_kib);
    ADD("ru_maxrss_kib", ru_maxrss_kib());
#undef ADD
    if (failed) {
        fprintf(stderr, "risk: too many extra figures\n");
        return -1;
    }
    return 0;
}

const bench_def bench_risk = {
    .name = "risk",
    .unit = "devices",
    .default_n = 10000000,
    .setup = risk_setup,
    .run = risk_run,
    .digest = risk_digest,
    .teardown = risk_teardown,
    .extras = risk_extras,
};
