/* SPDX-License-Identifier: MIT */
/*
 * --state DIR: the always-valid state of each sequential rule, kept
 * between runs as the library's saved bytes in DIR/<metric>.seq. A run
 * loads each state (or starts one when the file does not exist yet), the
 * evaluation advances it, and the run saves it back through a temporary
 * file renamed over the old one: a crash or a full disk leaves the last
 * good state, never half of one.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir, mkstemp, fsync, close */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard_cmd.h"

/* Saved states are OTAPRIO_GUARD_SEQUENCE_BYTES; a larger file is no
 * state of this version, and reading stops past this many bytes. */
#define STATE_READ_MAX 4096

/* DIR/<name>.seq with every byte but [A-Za-z0-9_-] and inner dots as
 * %XX, so any metric name (UTF-8, slashes, a leading dot) is one plain
 * file name inside DIR. */
static char *state_path(const char *dir, const char *name)
{
    size_t dir_length = strlen(dir);
    size_t size = dir_length + 1 + 3 * strlen(name) + sizeof ".seq";
    char *path = malloc(size);
    if (path == NULL)
        return NULL;
    memcpy(path, dir, dir_length);
    size_t used = dir_length;
    path[used++] = '/';
    for (size_t i = 0; name[i] != '\0'; i++) {
        unsigned char c = (unsigned char)name[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                     (c == '.' && i != 0);
        if (plain)
            path[used++] = (char)c;
        else
            used += (size_t)snprintf(path + used, size - used, "%%%02X", c);
    }
    memcpy(path + used, ".seq", sizeof ".seq");
    return path;
}

/* Reads a state file whole; -1 after saying why, 0 with *length, or 1
 * when the file does not exist. */
static int read_state(const char *who, const char *path, unsigned char *bytes,
                      size_t *length)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL && errno == ENOENT)
        return 1;
    if (in == NULL) {
        cli_error(who, "cannot open the state file %s: %s", path,
                  strerror(errno));
        return -1;
    }
    *length = fread(bytes, 1, STATE_READ_MAX, in);
    int failed = ferror(in);
    int error = errno;
    fclose(in);
    if (failed) {
        cli_error(who, "cannot read the state file %s: %s", path,
                  strerror(error));
        return -1;
    }
    return 0;
}

static int state_error(const char *who, const char *path, int status,
                       const otaprio_diag *diag)
{
    const char *why =
        status == OTAPRIO_E_SYNTAX
            ? "it is not a saved sequential state of this version (wrong "
              "length, magic, version or checksum)"
        : status == OTAPRIO_E_RANGE
            ? "it was saved for another rule (the rule changed since) or "
              "holds a state no evaluation could produce"
            : otaprio_strerror(status);
    bool filled = diag->status == status && diag->message[0] != '\0';
    cli_error(who,
              "the state file %s is refused: %s%s%s; remove it to start "
              "the sequence afresh",
              path, why, filled ? ": " : "", filled ? diag->message : "");
    return CLI_EXIT_FAILURE;
}

static int load_one(const char *who, const otaprio_guard_set *set,
                    uint32_t rule, const char *path,
                    otaprio_guard_sequence **sequence)
{
    unsigned char bytes[STATE_READ_MAX];
    size_t length = 0;
    int found = read_state(who, path, bytes, &length);
    if (found < 0)
        return CLI_EXIT_FAILURE;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status =
        found == 1
            ? otaprio_guard_sequence_create(set, rule, NULL, sequence, &diag)
            : otaprio_guard_sequence_load(set, rule, bytes, length, NULL,
                                          sequence, &diag);
    if (status == OTAPRIO_OK)
        return 0;
    if (found == 1 || status == OTAPRIO_E_NOMEM)
        return cli_library_error(who,
                                 found == 1 ? "otaprio_guard_sequence_create"
                                            : "otaprio_guard_sequence_load",
                                 status, &diag);
    return state_error(who, path, status, &diag);
}

int guard_state_load(const char *who, const char *dir, const guard_rules *rules,
                     const otaprio_guard_set *set, otaprio_guard_data *data,
                     size_t entries, guard_state *state)
{
    memset(state, 0, sizeof *state);
    state->dir = dir;
    if (dir == NULL)
        return 0;
    state->count = rules->count;
    state->sequences = calloc(rules->count, sizeof *state->sequences);
    state->paths = calloc(rules->count, sizeof *state->paths);
    if (state->sequences == NULL || state->paths == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error(who, "cannot create the state directory %s: %s", dir,
                  strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    for (size_t e = 0; e < entries; e++) {
        uint32_t rule = data[e].rule;
        if (!rules->rules[rule].sequential)
            continue;
        state->paths[rule] = state_path(dir, rules->rules[rule].name);
        if (state->paths[rule] == NULL) {
            cli_error(who, "out of memory");
            return CLI_EXIT_FAILURE;
        }
        if (load_one(who, set, rule, state->paths[rule],
                     &state->sequences[rule]) != 0)
            return CLI_EXIT_FAILURE;
        data[e].sequence = state->sequences[rule];
    }
    return 0;
}

static int save_one(const char *who, const char *path,
                    const otaprio_guard_sequence *sequence)
{
    unsigned char bytes[OTAPRIO_GUARD_SEQUENCE_BYTES];
    int status = otaprio_guard_sequence_save(sequence, bytes, sizeof bytes);
    if (status != OTAPRIO_OK)
        return cli_library_error(who, "otaprio_guard_sequence_save", status,
                                 NULL);
    size_t length = strlen(path);
    char *temporary = malloc(length + sizeof ".XXXXXX");
    if (temporary == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    memcpy(temporary, path, length);
    memcpy(temporary + length, ".XXXXXX", sizeof ".XXXXXX");
    int fd = mkstemp(temporary);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    bool failed = out == NULL ||
                  fwrite(bytes, 1, sizeof bytes, out) != sizeof bytes ||
                  fflush(out) != 0 || fsync(fileno(out)) != 0;
    int error = errno;
    if (out != NULL && fclose(out) != 0 && !failed) {
        failed = true;
        error = errno;
    } else if (out == NULL && fd >= 0) {
        close(fd);
    }
    if (!failed && rename(temporary, path) != 0) {
        failed = true;
        error = errno;
    }
    if (failed) {
        if (fd >= 0)
            remove(temporary);
        cli_error(who, "cannot save the state file %s: %s", path,
                  strerror(error));
    }
    free(temporary);
    return failed ? CLI_EXIT_FAILURE : 0;
}

int guard_state_save(const char *who, const guard_state *state)
{
    for (size_t i = 0; i < state->count; i++)
        if (state->sequences[i] != NULL &&
            save_one(who, state->paths[i], state->sequences[i]) != 0)
            return CLI_EXIT_FAILURE;
    return 0;
}

void guard_state_release(guard_state *state)
{
    for (size_t i = 0; i < state->count; i++) {
        if (state->sequences != NULL)
            otaprio_guard_sequence_free(state->sequences[i]);
        if (state->paths != NULL)
            free(state->paths[i]);
    }
    free(state->sequences);
    free(state->paths);
    memset(state, 0, sizeof *state);
}
