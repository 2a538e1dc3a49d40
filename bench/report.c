/* SPDX-License-Identifier: MIT */
/* One JSON line per run: what bench/run.py reads, and what a person can
 * paste into RESULTS.md. 64-bit values are hex strings because JSON
 * readers that parse numbers as doubles would round them. */
#include <inttypes.h>
#include <stdio.h>

#include "otaprio/common.h"

#include "bench.h"

/* clang is tested first: it defines __GNUC__ too. */
#if defined(__clang__)
#define BENCH_COMPILER_FAMILY "clang"
#elif defined(__GNUC__)
#define BENCH_COMPILER_FAMILY "gcc"
#else
#define BENCH_COMPILER_FAMILY "other"
#endif

#ifdef __VERSION__
#define BENCH_COMPILER_VERSION __VERSION__
#else
#define BENCH_COMPILER_VERSION "unknown"
#endif

#ifdef __OPTIMIZE__
#define BENCH_OPTIMIZED "true"
#else
#define BENCH_OPTIMIZED "false"
#endif

/* Writes `text` as a JSON string; compiler version strings are not ours to
 * trust to be free of quotes or control characters. */
static void json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0';
         p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", (unsigned)*p);
        else
            putchar(*p);
    }
    putchar('"');
}

int bench_extra_add(bench_extras *extras, const char *name, double value)
{
    if (extras->count == BENCH_EXTRA_MAX)
        return -1;
    extras->entries[extras->count].name = name;
    extras->entries[extras->count].value = value;
    extras->count++;
    return 0;
}

/* A JSON number: integers exactly (up to 2**53), others to 9 significant
 * digits, and null for what JSON cannot write (NaN, infinities). */
static void json_number(double value)
{
    if (value != value || value - value != 0)
        printf("null");
    else if (value < 0x1p53 && value > -0x1p53 &&
             value == (double)(int64_t)value)
        printf("%" PRId64, (int64_t)value);
    else
        printf("%.9g", value);
}

int bench_report(const bench_result *result)
{
    printf("{\"bench\":");
    json_string(result->def->name);
    printf(",\"n\":%zu,\"unit\":", result->n);
    json_string(result->def->unit);
    printf(",\"seed\":\"0x%016" PRIx64 "\",\"reps\":%zu", result->seed,
           result->reps);
    printf(",\"median_ms\":%.6f,\"samples_ms\":[", result->median_ms);
    for (size_t i = 0; i < result->reps; i++)
        printf("%s%.6f", i != 0 ? "," : "", result->samples_ms[i]);
    putchar(']');
    if (result->op_samples_ms != NULL) {
        /* Per operation: "ops":{"name":{"median_ms":..,"samples_ms":[..]}} */
        const bench_def *def = result->def;
        printf(",\"ops\":{");
        for (size_t op = 0; op < def->op_count; op++) {
            if (op != 0)
                putchar(',');
            json_string(def->op_names[op]);
            printf(":{\"median_ms\":%.6f,\"samples_ms\":[",
                   result->op_medians_ms[op]);
            for (size_t i = 0; i < result->reps; i++)
                printf("%s%.6f", i != 0 ? "," : "",
                       result->op_samples_ms[op * result->reps + i]);
            printf("]}");
        }
        putchar('}');
    }
    printf(",\"checksum\":{");
    for (size_t i = 0; i < result->digest->count; i++) {
        const bench_digest_entry *entry = &result->digest->entries[i];
        if (i != 0)
            putchar(',');
        json_string(entry->name);
        printf(":\"0x%016" PRIx64 "\"", entry->value);
    }
    putchar('}');
    if (result->extras != NULL && result->extras->count != 0) {
        printf(",\"extra\":{");
        for (size_t i = 0; i < result->extras->count; i++) {
            const bench_extra_entry *entry = &result->extras->entries[i];
            if (i != 0)
                putchar(',');
            json_string(entry->name);
            putchar(':');
            json_number(entry->value);
        }
        putchar('}');
    }
    printf(",\"compiler\":{\"family\":");
    json_string(BENCH_COMPILER_FAMILY);
    printf(",\"version\":");
    json_string(BENCH_COMPILER_VERSION);
    printf(",\"optimized\":" BENCH_OPTIMIZED "},\"library\":");
    json_string(otaprio_version_string());
    printf("}\n");
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}
