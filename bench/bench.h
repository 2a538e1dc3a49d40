/* SPDX-License-Identifier: MIT */
/*
 * The contract between the benchmark driver (main.c) and each benchmark
 * (bench_<name>.c). A benchmark builds its input untimed, runs one library
 * operation per timed repetition, and digests its outputs untimed, so that
 * bench/run.py can check that a peer computed exactly the same thing.
 *
 * Adding a benchmark: write bench_<name>.c defining
 * `const bench_def bench_<name>`, and add <name> to the list in
 * bench/meson.build, which generates bench_list.h (the registry table) from
 * it. bench/run.py then expects bench/peer_<name>.py.
 */
#ifndef OTAPRIO_BENCH_H
#define OTAPRIO_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "bench_list.h"

/* ---- output digests (digest.c) --------------------------------------- */

/* A bench digests at most this many output arrays. */
#define BENCH_DIGEST_MAX 8

typedef struct bench_digest_entry {
    const char *name; /* static string, e.g. "positions" */
    uint64_t value;
} bench_digest_entry;

typedef struct bench_digest {
    size_t count;
    bench_digest_entry entries[BENCH_DIGEST_MAX];
} bench_digest;

/*
 * Records XXH3-64 (seed 0) of `bytes` bytes of one output array, in the
 * machine's byte order: the peer digests its array the same way
 * (xxhash.xxh3_64_intdigest over the NumPy buffer), and both run on the
 * same machine. Returns 0, or -1 when the digest is full.
 */
int bench_digest_add(bench_digest *digest, const char *name, const void *data,
                     size_t bytes);

/* ---- deterministic input (splitmix.c) -------------------------------- */

/*
 * Draw `index` (0-based) of SplitMix64 started at `seed`. Counter-based, so
 * the first k draws of a large input equal the draws of a small one, and
 * bench/splitmix.py reproduces them vectorised in NumPy.
 */
uint64_t bench_splitmix64(uint64_t seed, uint64_t index);

/* Fills out[i] with draw `first + i`, for i < count. */
void bench_splitmix64_fill(uint64_t seed, uint64_t first, uint64_t *out,
                           size_t count);

/* ---- extra figures (report.c) ---------------------------------------- */

/* A bench reports at most this many extra figures. */
#define BENCH_EXTRA_MAX 32

typedef struct bench_extra_entry {
    const char *name; /* static string, [a-z0-9_]+ */
    double value;     /* integers up to 2**53 print exactly */
} bench_extra_entry;

/* Named numbers a bench adds to its JSON line ("extra": {...}): figures
 * measured beside the timed operation (a bandwidth, a peak memory) and
 * inputs its peer needs to compute the same thing. */
typedef struct bench_extras {
    size_t count;
    bench_extra_entry entries[BENCH_EXTRA_MAX];
} bench_extras;

/* Records one figure. Returns 0, or -1 when the table is full. */
int bench_extra_add(bench_extras *extras, const char *name, double value);

/* ---- benchmarks (bench_<name>.c, registry.c) ------------------------- */

typedef struct bench_def {
    /* Name on the command line and in the JSON: [a-z0-9_]+. */
    const char *name;
    /* What one of `n` is, plural ("keys"): the runner reports unit/s. */
    const char *unit;
    /* n of a full run when --n is not given. */
    size_t default_n;
    /* Untimed. Builds the input for `n` units from `seed` (see
     * bench_splitmix64) and every output buffer, touched, so that the
     * timed runs measure the library rather than first-touch page faults.
     * Returns 0, or non-zero after printing why to stderr and releasing
     * whatever it had built. */
    int (*setup)(uint64_t seed, size_t n, void **state);
    /* Timed: the library operation, once. Returns its otaprio status.
     * NULL for a bench of operations (op_count below). */
    int (*run)(void *state);
    /* Untimed, after the last run: digests every output array. */
    int (*digest)(const void *state, bench_digest *digest);
    /* Releases what a successful setup built. */
    void (*teardown)(void *state);
    /* Optional (NULL when the bench has none). Untimed, after digest:
     * figures for the JSON line's "extra" object; `median_ms` is the
     * median of the timed runs. Returns 0, or non-zero after printing why
     * to stderr. */
    int (*extras)(void *state, double median_ms, bench_extras *extras);

    /* A bench of several operations (a graph's build, order, reach...)
     * sets op_count > 0 and op_run instead of run. Each repetition then
     * runs every operation once, in order, each timed alone, so that the
     * operations share the machine's noise; a repetition's time is the sum
     * of its operations'. */
    size_t op_count;
    /* op_count names, [a-z0-9_]+: keys of the JSON line's "ops" object. */
    const char *const *op_names;
    /* Optional. Untimed, before each timed op_run: whatever the operation
     * needs fresh (releasing the previous run's result, for one). Returns
     * 0, or non-zero after printing why to stderr. */
    int (*op_prepare)(void *state, size_t op);
    /* Timed: operation `op` once. Returns its otaprio status. */
    int (*op_run)(void *state, size_t op);
} bench_def;

/* One declaration per benchmark, from the generated list. */
#define X(name) extern const bench_def bench_##name;
OTAPRIO_BENCH_LIST
#undef X

/* The registry, in list order. */
size_t bench_count(void);
const bench_def *bench_at(size_t index);
/* The benchmark called `name`, or NULL. */
const bench_def *bench_find(const char *name);

/* ---- timing (measure.c) ---------------------------------------------- */

/*
 * Runs `def->run(state)` `reps` times, writing each wall time in
 * milliseconds (CLOCK_MONOTONIC) to samples_ms[i]. Stops at the first
 * non-zero status and returns it.
 *
 * For a bench of operations (op_count > 0), runs `reps` repetitions of
 * every operation instead: operation k's time in repetition i goes to
 * op_samples_ms[k * reps + i] (reps * op_count values), and samples_ms[i]
 * is the sum of repetition i's. A failing op_prepare stops it with
 * BENCH_E_PREPARE, a value no otaprio status takes.
 */
#define BENCH_E_PREPARE (-1000)
int bench_measure(const bench_def *def, void *state, size_t reps,
                  double *samples_ms, double *op_samples_ms);

/* Median of `count` >= 1 samples (mean of the middle two when even), like
 * Python's statistics.median. Sorts a copy in `scratch` (`count` doubles),
 * so `samples` keeps the order they were taken in. */
double bench_median(const double *samples, size_t count, double *scratch);

/* Nanoseconds of CLOCK_MONOTONIC, for benches that time figures of their
 * own beside the timed operation. */
int64_t bench_now_ns(void);

/*
 * Single-thread read bandwidth: sums `words` uint64 words of `buffer`
 * (which the caller has filled, so that every page is touched) `reps`
 * times and writes the median bytes per second to *bytes_per_s. Returns
 * the last sum, which the caller should use (report or store to a
 * volatile) so that no compiler can drop the loop.
 */
uint64_t bench_read_bandwidth(const uint64_t *buffer, size_t words, size_t reps,
                              double *bytes_per_s);

/* ---- JSON output (report.c) ------------------------------------------ */

typedef struct bench_result {
    const bench_def *def;
    size_t n;
    uint64_t seed;
    size_t reps;
    const double *samples_ms; /* reps samples, in the order taken */
    double median_ms;
    /* def->op_count * reps samples, by operation (bench_measure), or
     * NULL; op_medians_ms: each operation's median. */
    const double *op_samples_ms;
    const double *op_medians_ms;
    const bench_digest *digest;
    const bench_extras *extras; /* count 0: no "extra" object */
} bench_result;

/* Prints the result as one JSON line on stdout. Returns 0, or -1 when
 * stdout failed. */
int bench_report(const bench_result *result);

/* Parses a whole unsigned decimal or 0x-hex number into *value; strtoull
 * alone would accept "-1", " 7" and "7abc". Returns 0, or -1 for anything
 * else (value untouched). */
int bench_parse_u64(const char *text, uint64_t *value);

#endif /* OTAPRIO_BENCH_H */
