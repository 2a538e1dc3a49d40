/* SPDX-License-Identifier: MIT */
/* `otaprio bucket`: each device's frozen place in a rollout. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cmd_bucket_usage(FILE *out)
{
    fputs(
        "Usage: otaprio bucket (--salt NAME | --salt-hex HEX) [--percent P]\n"
        "                      [--json] (ID... | --csv FILE --column NAME)\n"
        "\n"
        "Place each device in a rollout. Its position is XXH3-64 of its key\n"
        "(see 'otaprio key') seeded with the rollout salt; its fraction, in\n"
        "[0, 1), is the top 53 bits of the position. The devices whose\n"
        "fraction is below P/100 are the rollout's first P percent, the same\n"
        "on every machine and in every language binding.\n"
        "\n"
        "Options:\n"
        "  -s, --salt NAME     the salt is the key of this rollout name\n"
        "      --salt-hex HEX  the salt itself: 1 to 16 hex digits, with or\n"
        "                      without 0x\n"
        "  -p, --percent P     also say whether each device is in the first\n"
        "                      P percent (0 to 100)\n"
        "  -c, --csv FILE      read the identifiers from a CSV file, '-' for\n"
        "                      standard input; its first row names columns\n"
        "      --column NAME   the CSV column holding the identifiers\n"
        "  -j, --json          print a JSON array of objects, one per device\n"
        "  -h, --help          show this help and exit\n"
        "\n"
        "Keys and positions are 16 hex digits (strings in JSON, where 64-bit\n"
        "integers would be rounded). The table shows fractions to 10 places;\n"
        "JSON gives them exactly. Control bytes in an ID show as \\xHH and a\n"
        "backslash as \\\\ in the table. CSV fields are taken byte for byte,\n"
        "spaces included.\n",
        out);
}

typedef struct bucket_run {
    const char *who;
    uint64_t salt;
    bool has_percent;
    double share; /* P / 100: a device is inside when fraction < share */
    bool json;
    cli_json_stream stream;
    cli_id_chunk chunk;
    uint64_t keys[CLI_CHUNK_IDS];
    uint64_t positions[CLI_CHUNK_IDS];
    double fractions[CLI_CHUNK_IDS];
} bucket_run;

static void print_header(const bucket_run *run)
{
    printf("%-16s  %-16s  %-12s  ", "key", "position", "fraction");
    if (run->has_percent)
        printf("%-6s  ", "inside");
    puts("id");
}

static void print_text_row(const bucket_run *run, size_t i, const char *id,
                           size_t length)
{
    char key[CLI_HEX64_CHARS + 1];
    char position[CLI_HEX64_CHARS + 1];
    cli_format_hex64(run->keys[i], key);
    cli_format_hex64(run->positions[i], position);
    printf("%s  %s  %.10f  ", key, position, run->fractions[i]);
    if (run->has_percent)
        printf("%-6s  ", run->fractions[i] < run->share ? "yes" : "no");
    cli_print_id(stdout, id, length, false);
    putchar('\n');
}

static int put_json_row(bucket_run *run, size_t i, const char *bytes,
                        size_t length)
{
    json_t *id = cli_json_id(run->who, bytes, length);
    if (id == NULL)
        return CLI_EXIT_FAILURE;
    char key[CLI_HEX64_CHARS + 1];
    char position[CLI_HEX64_CHARS + 1];
    cli_format_hex64(run->keys[i], key);
    cli_format_hex64(run->positions[i], position);
    json_t *row =
        json_pack("{s:o, s:s, s:s, s:f}", "id", id, "key", key, "position",
                  position, "fraction", run->fractions[i]);
    if (row != NULL && run->has_percent &&
        json_object_set_new(
            row, "inside", json_boolean(run->fractions[i] < run->share)) != 0) {
        json_decref(row);
        row = NULL;
    }
    if (cli_json_stream_put_new(&run->stream, row) != 0) {
        /* jansson fails alike when it cannot build or cannot write. */
        if (ferror(stdout))
            return cli_write_error(run->who);
        cli_error(run->who, "cannot encode the JSON output");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* Keys, positions and fractions for the whole chunk in two library calls,
 * then one output row per device. */
static int flush(bucket_run *run)
{
    size_t count = run->chunk.count;
    if (count == 0)
        return CLI_EXIT_OK;
    otaprio_diag diag;
    otaprio_diag_init(&diag);
    int status = otaprio_key_derive_batch(run->chunk.bytes, run->chunk.offsets,
                                          count, run->keys, &diag);
    if (status != OTAPRIO_OK)
        return cli_library_error(run->who, "otaprio_key_derive_batch", status,
                                 &diag);
    status = otaprio_bucket_batch(run->salt, run->keys, count, run->positions,
                                  run->fractions, &diag);
    if (status != OTAPRIO_OK)
        return cli_library_error(run->who, "otaprio_bucket_batch", status,
                                 &diag);
    for (size_t i = 0; i < count; i++) {
        size_t length;
        const char *id = cli_id_chunk_id(&run->chunk, i, &length);
        if (!run->json) {
            print_text_row(run, i, id, length);
        } else if (put_json_row(run, i, id, length) != CLI_EXIT_OK) {
            return CLI_EXIT_FAILURE;
        }
    }
    cli_id_chunk_clear(&run->chunk);
    /* Stop early when nobody can read the result, rather than churn
     * through the rest of a large file. */
    if (ferror(stdout))
        return cli_write_error(run->who);
    return CLI_EXIT_OK;
}

static int add_id(void *user, const char *bytes, size_t length)
{
    bucket_run *run = user;
    if (cli_id_chunk_full(&run->chunk)) {
        int status = flush(run);
        if (status != CLI_EXIT_OK)
            return status;
    }
    if (cli_id_chunk_add(&run->chunk, bytes, length) != 0) {
        cli_error(run->who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int read_csv(bucket_run *run, const char *path, const char *column)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *in = from_stdin ? stdin : fopen(path, "rb");
    if (in == NULL) {
        int error = errno;
        cli_error(run->who, "cannot open %s: %s", path, strerror(error));
        return CLI_EXIT_FAILURE;
    }
    int status = csv_column_read(in, path, column, run->who, add_id, run);
    if (!from_stdin)
        fclose(in); /* read-only: nothing to lose on close */
    return status;
}

static bool parse_percent(const char *text, double *percent)
{
    /* The CLI never calls setlocale(), so strtod() reads '.' decimals on
     * every system. The range test also refuses NaN and infinities. */
    char *end;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || !(value >= 0.0 && value <= 100.0))
        return false;
    *percent = value;
    return true;
}

typedef struct bucket_args {
    const char *salt_name;
    const char *salt_hex;
    const char *percent;
    const char *csv;
    const char *column;
    bool json;
} bucket_args;

static const cli_option options[] = {
    CLI_TEXT_OPTION(bucket_args, "salt", 's', salt_name),
    CLI_TEXT_OPTION(bucket_args, "salt-hex", 0, salt_hex),
    CLI_TEXT_OPTION(bucket_args, "percent", 'p', percent),
    CLI_TEXT_OPTION(bucket_args, "csv", 'c', csv),
    CLI_TEXT_OPTION(bucket_args, "column", 0, column),
    CLI_FLAG_OPTION(bucket_args, "json", 'j', json),
};

/* Checks the options against each other and fills the run's settings. */
static int check_args(const bucket_args *args, int id_count, bucket_run *run)
{
    const char *who = run->who;
    if (args->salt_name == NULL && args->salt_hex == NULL)
        return cli_usage_error(who, "missing the rollout salt: give --salt "
                                    "NAME or --salt-hex HEX");
    int status =
        cli_parse_salt(who, args->salt_name, args->salt_hex, &run->salt);
    if (status != CLI_EXIT_OK)
        return status;
    if (args->percent != NULL) {
        double percent;
        if (!parse_percent(args->percent, &percent))
            return cli_usage_error(who,
                                   "bad --percent '%s': expected a "
                                   "number from 0 to 100",
                                   args->percent);
        run->has_percent = true;
        run->share = percent / 100.0;
    }
    if (args->csv != NULL && args->column == NULL)
        return cli_usage_error(who, "--csv needs --column NAME to say which "
                                    "column holds the identifiers");
    if (args->column != NULL && args->csv == NULL)
        return cli_usage_error(who, "--column needs --csv FILE");
    if (args->csv != NULL && id_count != 0)
        return cli_usage_error(who, "give identifiers as arguments or with "
                                    "--csv, not both");
    if (args->csv == NULL && id_count == 0)
        return cli_usage_error(who, "no identifier given: pass IDs as "
                                    "arguments or use --csv FILE --column "
                                    "NAME");
    run->json = args->json;
    return CLI_EXIT_OK;
}

int cmd_bucket_run(int argc, char **argv)
{
    const char *who = argv[0];
    bucket_args args;
    memset(&args, 0, sizeof args);
    bool done;
    static const cli_options spec =
        CLI_OPTIONS(options, NULL, cmd_bucket_usage);
    int status = cli_parse_options(argc, argv, &spec, &args, &done);
    if (done)
        return status;

    /* The per-chunk arrays make this too large for the stack. */
    bucket_run *run = calloc(1, sizeof *run);
    if (run == NULL) {
        cli_error(who, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    run->who = who;
    cli_id_chunk_init(&run->chunk);
    status = check_args(&args, argc - optind, run);
    if (status == CLI_EXIT_OK) {
        if (run->json)
            cli_json_stream_begin(&run->stream, stdout);
        else
            print_header(run);
        if (args.csv != NULL) {
            status = read_csv(run, args.csv, args.column);
        } else {
            for (int i = optind; i < argc && status == CLI_EXIT_OK; i++)
                status = add_id(run, argv[i], strlen(argv[i]));
        }
        if (status == CLI_EXIT_OK)
            status = flush(run);
        /* On failure the array stays open: a consumer that ignores the
         * exit status still cannot mistake partial output for the whole. */
        if (status == CLI_EXIT_OK && run->json)
            cli_json_stream_end(&run->stream);
    }
    cli_id_chunk_release(&run->chunk);
    free(run);
    return status;
}
