/* SPDX-License-Identifier: MIT */
/*
 * A command's options from one table: getopt_long()'s long options and
 * short option string are made from it, and the values of plain options
 * stored where the table says. A command then names each option once
 * instead of in a getopt table, a short option string and a switch that
 * must agree, and every command answers --help and a bad option alike.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

/* getopt_long() codes of long-only options: past every byte a short
 * option can be, so the two never meet. */
#define LONG_ONLY_BASE 256

/* The table as getopt_long() takes it, --help included. */
typedef struct getopt_table {
    struct option longs[CLI_OPTIONS_MAX + 2];
    char shorts[CLI_OPTIONS_MAX * 2 + 2];
} getopt_table;

static void build_table(const cli_options *spec, getopt_table *table)
{
    size_t used = 0;
    for (size_t i = 0; i < spec->count; i++) {
        const cli_option *option = &spec->options[i];
        bool has_value = option->kind != CLI_OPTION_FLAG;
        table->longs[i] = (struct option){
            option->name, has_value ? required_argument : no_argument, NULL,
            option->letter != 0 ? option->letter : LONG_ONLY_BASE + (int)i};
        if (option->letter != 0) {
            table->shorts[used++] = (char)option->letter;
            if (has_value)
                table->shorts[used++] = ':';
        }
    }
    table->longs[spec->count] = (struct option){"help", no_argument, NULL, 'h'};
    table->longs[spec->count + 1] = (struct option){NULL, 0, NULL, 0};
    table->shorts[used++] = 'h';
    table->shorts[used] = '\0';
}

/* The entry behind a getopt_long() code, or NULL for '?' (an unknown
 * option or a missing value, which getopt_long() has named). */
static const cli_option *find_option(const cli_options *spec, int code)
{
    if (code >= LONG_ONLY_BASE && (size_t)(code - LONG_ONLY_BASE) < spec->count)
        return &spec->options[code - LONG_ONLY_BASE];
    for (size_t i = 0; i < spec->count; i++)
        if (spec->options[i].letter != 0 && spec->options[i].letter == code)
            return &spec->options[i];
    return NULL;
}

static int take(const char *who, const cli_options *spec,
                const cli_option *option, void *args)
{
    char *base = args;
    switch (option->kind) {
    case CLI_OPTION_TEXT:
        *(const char **)(void *)(base + option->slot) = optarg;
        return CLI_EXIT_OK;
    case CLI_OPTION_FLAG:
        *(bool *)(void *)(base + option->slot) = true;
        return CLI_EXIT_OK;
    case CLI_OPTION_TAKE:
    default:
        return spec->take(who, option, optarg, args);
    }
}

int cli_parse_options(int argc, char **argv, const cli_options *spec,
                      void *args, bool *done)
{
    const char *who = argv[0];
    *done = true;
    if (spec->count > CLI_OPTIONS_MAX) {
        cli_error(who, "too many options for the option table");
        return CLI_EXIT_FAILURE;
    }
    getopt_table table;
    build_table(spec, &table);
    cli_getopt_reset();
    int code;
    while ((code = getopt_long(argc, argv, table.shorts, table.longs, NULL)) !=
           -1) {
        if (code == 'h') {
            spec->usage(stdout);
            return CLI_EXIT_OK;
        }
        const cli_option *option = find_option(spec, code);
        if (option == NULL) {
            /* getopt_long() has named the problem */
            fprintf(stderr, "Try '%s --help' for more information.\n", who);
            return CLI_EXIT_USAGE;
        }
        int status = take(who, spec, option, args);
        if (status != CLI_EXIT_OK)
            return status;
    }
    *done = false;
    return CLI_EXIT_OK;
}
