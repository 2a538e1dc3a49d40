/* SPDX-License-Identifier: MIT */
/* `otaprio key`: the frozen device key of each identifier. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cmd_key_usage(FILE *out)
{
    fputs("Usage: otaprio key [--json] [--] ID...\n"
          "\n"
          "Print the 64-bit device key of each identifier: XXH3-64 of its\n"
          "bytes (seed 0), frozen forever. The key of a rollout name is the\n"
          "salt 'otaprio bucket --salt NAME' uses.\n"
          "\n"
          "Options:\n"
          "  -j, --json   print a JSON array of {\"id\", \"key\"} objects\n"
          "  -h, --help   show this help and exit\n"
          "\n"
          "Each key is 16 hex digits (a string in JSON, where 64-bit\n"
          "integers would be rounded). The table prints 'KEY  ID' lines;\n"
          "control bytes in an ID show as \\xHH and a backslash as \\\\.\n",
          out);
}

static int print_json(const char *who, int count, char **ids,
                      const uint64_t *keys)
{
    /* Every row is built before anything is printed: a bad identifier
     * then yields no output at all rather than a truncated array. */
    json_t *rows = json_array();
    if (rows == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (int i = 0; i < count; i++) {
        json_t *id = cli_json_id(who, ids[i], strlen(ids[i]));
        if (id == NULL) {
            json_decref(rows);
            return CLI_EXIT_FAILURE;
        }
        char hex[CLI_HEX64_CHARS + 1];
        cli_format_hex64(keys[i], hex);
        if (json_array_append_new(
                rows, json_pack("{s:o, s:s}", "id", id, "key", hex)) != 0) {
            cli_error(who, "out of memory");
            json_decref(rows);
            return CLI_EXIT_FAILURE;
        }
    }
    cli_json_stream stream;
    cli_json_stream_begin(&stream, stdout);
    int result = CLI_EXIT_OK;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        if (cli_json_stream_put_new(
                &stream, json_incref(json_array_get(rows, i))) != 0) {
            /* jansson fails alike when it cannot build or cannot write. */
            if (ferror(stdout)) {
                result = cli_write_error(who);
            } else {
                cli_error(who, "cannot encode the JSON output");
                result = CLI_EXIT_FAILURE;
            }
            break;
        }
    }
    if (result == CLI_EXIT_OK)
        cli_json_stream_end(&stream);
    json_decref(rows);
    return result;
}

typedef struct key_args {
    bool json;
} key_args;

static const cli_option options[] = {
    CLI_FLAG_OPTION(key_args, "json", 'j', json),
};

int cmd_key_run(int argc, char **argv)
{
    static const cli_options spec = CLI_OPTIONS(options, NULL, cmd_key_usage);
    const char *who = argv[0];
    key_args args = {false};
    bool done;
    int parsed = cli_parse_options(argc, argv, &spec, &args, &done);
    if (done)
        return parsed;
    bool json = args.json;
    int count = argc - optind;
    char **ids = argv + optind;
    if (count == 0)
        return cli_usage_error(who, "no identifier given");

    /* Command-line ids are few: one call each keeps this simple, and the
     * batch path is exercised by 'otaprio bucket'. */
    uint64_t *keys = malloc((size_t)count * sizeof *keys);
    if (keys == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    int result = CLI_EXIT_OK;
    for (int i = 0; i < count && result == CLI_EXIT_OK; i++) {
        int status = otaprio_key_derive(ids[i], strlen(ids[i]), &keys[i]);
        if (status != OTAPRIO_OK)
            result = cli_library_error(who, "otaprio_key_derive", status, NULL);
    }
    if (result == CLI_EXIT_OK && json) {
        result = print_json(who, count, ids, keys);
    } else if (result == CLI_EXIT_OK) {
        for (int i = 0; i < count; i++) {
            char hex[CLI_HEX64_CHARS + 1];
            cli_format_hex64(keys[i], hex);
            fputs(hex, stdout);
            fputs("  ", stdout);
            cli_print_id(stdout, ids[i], strlen(ids[i]), false);
            fputc('\n', stdout);
        }
    }
    free(keys);
    return result;
}
