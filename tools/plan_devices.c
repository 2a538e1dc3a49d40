/* SPDX-License-Identifier: MIT */
/*
 * `otaprio plan --devices FILE`: each device's place in the plan, from the
 * per-device outputs of the planner's assign pass, as CSV in fleet order:
 * id, wave (empty when no wave takes it), stage, disposition, reasons
 * (names joined by ';'), priority. Fields are quoted by libcsv, so an
 * identifier with a comma or a quote stays one field.
 */
#include <csv.h>
#include <errno.h>
#include <string.h>

#include "plan_cmd.h"

static void put_field(FILE *out, const char *text, size_t length, bool last)
{
    csv_fwrite(out, text, length);
    fputc(last ? '\n' : ',', out);
}

static void put_text(FILE *out, const char *text, bool last)
{
    put_field(out, text, strlen(text), last);
}

static void put_reasons(FILE *out, uint32_t reasons)
{
    char text[512];
    size_t used = 0;
    text[0] = '\0';
    for (unsigned b = 0; b < 32; b++) {
        if ((reasons & (1u << b)) == 0)
            continue;
        const char *name = otaprio_reason_name(1u << b);
        int n = snprintf(text + used, sizeof text - used, "%s%s",
                         used != 0 ? ";" : "", name != NULL ? name : "?");
        if (n < 0 || (size_t)n >= sizeof text - used)
            break;
        used += (size_t)n;
    }
    put_text(out, text, false);
}

int plan_devices_write(const char *who, const char *path,
                       const otaprio_plan *plan, const plan_fleet *fleet)
{
    /* Stage names per wave, looked up once. */
    const char *stages[256] = {NULL};
    uint32_t waves = otaprio_plan_wave_count(plan);
    for (uint32_t w = 0; w < waves && w < 256; w++) {
        otaprio_plan_wave info = {.size = sizeof info};
        if (otaprio_plan_get_wave(plan, w, &info, NULL) == OTAPRIO_OK)
            stages[w] = otaprio_plan_stage_name(info.stage);
    }
    FILE *out = fopen(path, "wb");
    if (out == NULL) {
        int error = errno;
        cli_error(who, "cannot write %s: %s", path, strerror(error));
        return CLI_EXIT_FAILURE;
    }
    fputs("id,wave,stage,disposition,reasons,priority\n", out);
    for (uint64_t i = 0; i < fleet->count; i++) {
        put_field(out, fleet->ids + fleet->id_start[i],
                  (size_t)(fleet->id_start[i + 1] - fleet->id_start[i]), false);
        uint8_t wave = fleet->wave[i];
        if (wave != OTAPRIO_PLAN_NONE && wave < waves) {
            fprintf(out, "%u,", (unsigned)wave);
            put_text(out, stages[wave] != NULL ? stages[wave] : "?", false);
        } else {
            fputs(",,", out);
        }
        const char *disposition =
            otaprio_disposition_name(fleet->disposition[i]);
        put_text(out, disposition != NULL ? disposition : "?", false);
        put_reasons(out, fleet->reasons[i]);
        fprintf(out, "%.3f\n", fleet->priority[i]);
    }
    bool failed = ferror(out) != 0;
    int error = errno;
    if (fclose(out) != 0 && !failed) {
        failed = true;
        error = errno;
    }
    if (failed) {
        cli_error(who, "cannot write %s: %s", path, strerror(error));
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
