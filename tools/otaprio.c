/* SPDX-License-Identifier: MIT */
/*
 * otaprio: the command-line face of libotaprio. This file holds only the
 * global options and the dispatch to one command per cmd_<name>.c.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "plan_cmd.h"

static const cli_command commands[] = {
    {"key", "print the device key of each identifier", cmd_key_run,
     cmd_key_usage},
    {"bucket", "place devices in a rollout: position, fraction, first P%",
     cmd_bucket_run, cmd_bucket_usage},
    {"score", "score a fix (tier, scorecard) and rank a fleet's devices",
     cmd_score_run, cmd_score_usage},
    {"graph", "release order, cycles, impact and update paths of a catalog",
     cmd_graph_run, cmd_graph_usage},
    {"cohort", "canary waves of a fleet: sizes, representativeness, devices",
     cmd_cohort_run, cmd_cohort_usage},
    {"guard", "judge canary telemetry: expand, hold, pause or roll back",
     cmd_guard_run, cmd_guard_usage},
    {"plan", "plan a fix's rollout: tier, waves, soaks, rollback, paths",
     cmd_plan_run, cmd_plan_usage},
    {"simulate", "simulate rollouts on a synthetic fleet, against anchors",
     cmd_simulate_run, cmd_simulate_usage},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static void usage(FILE *out)
{
    fputs("Usage: otaprio [--help | --version] COMMAND [ARGS...]\n"
          "\n"
          "Decisions behind over-the-air update campaigns, from the command\n"
          "line.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-8s  %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-8s  %s\n", "help", "show the help of a command");
    fputs("\n"
          "Options:\n"
          "  -h, --help     show this help and exit\n"
          "  -V, --version  show the versions of otaprio and of the library\n"
          "\n"
          "Run 'otaprio help COMMAND' for the options of a command.\n"
          "Exit status: 0 on success, 1 on a runtime error (input, data,\n"
          "library, output), 2 on a usage error.\n",
          out);
}

static int print_version(void)
{
    /* The headers fixed what this program was compiled against; the
     * shared library actually loaded may be another release. Say both, and
     * warn when they differ: results are only promised for a match. */
    const char *runtime = otaprio_version_string();
    if (runtime == NULL)
        runtime = "(unknown)";
    printf("otaprio %s\n", OTAPRIO_VERSION_STRING);
    printf("libotaprio headers %s\n", OTAPRIO_VERSION_STRING);
    printf("libotaprio library %s\n", runtime);
    if (otaprio_version() != OTAPRIO_VERSION_NUMBER ||
        strcmp(runtime, OTAPRIO_VERSION_STRING) != 0)
        cli_warning("otaprio",
                    "built with libotaprio %s headers but running with "
                    "library %s",
                    OTAPRIO_VERSION_STRING, runtime);
    return CLI_EXIT_OK;
}

static int help_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c != 'h') {
            fprintf(stderr, "Try '%s --help' for more information.\n", argv[0]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc - optind > 1)
        return cli_usage_error(argv[0], "give at most one command");
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *command = find_command(name);
    if (command == NULL) {
        /* The general help, not this command's, lists the commands. */
        cli_error(argv[0], "unknown command '%s'", name);
        fputs("Try 'otaprio --help' for the list of commands.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    command->usage(stdout);
    return CLI_EXIT_OK;
}

/* Flushes and closes stdout, so that a full disk or a closed pipe is an
 * error instead of a silently truncated result. */
static int close_stdout(int status)
{
    bool failed = fflush(stdout) != 0 || ferror(stdout);
    int error = errno;
    if (fclose(stdout) != 0 && !failed) {
        failed = true;
        error = errno;
    }
    /* A command that already failed has said why; one error is enough.
     * Written directly: the helpers would touch the closed stdout. */
    if (failed && status == CLI_EXIT_OK) {
        fprintf(stderr, "otaprio: cannot write the output: %s\n",
                strerror(error));
        return CLI_EXIT_FAILURE;
    }
    return status;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* Messages name the program "otaprio" whatever path started it. */
    static char program[] = "otaprio";
    argv[0] = program;
    int c;
    /* '+': stop at the command name; what follows belongs to it. */
    while ((c = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case 'V':
            return print_version();
        default: /* getopt_long() has named the problem */
            fputs("Try 'otaprio --help' for more information.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind == argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }

    const char *name = argv[optind];
    const cli_command *command = find_command(name);
    int (*command_run)(int, char **) =
        command != NULL ? command->run
                        : (strcmp(name, "help") == 0 ? help_run : NULL);
    if (command_run == NULL)
        return cli_usage_error("otaprio", "unknown command '%s'", name);

    /* The command sees its own argv, whose argv[0] "otaprio NAME" makes
     * getopt's messages and ours name what the user typed. */
    static char who[64];
    snprintf(who, sizeof who, "otaprio %s", name);
    argv[optind] = who;
    return command_run(argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
    if (argc < 1) /* execve() with an empty argv: nothing to name */
        return CLI_EXIT_USAGE;
    return close_stdout(run(argc, argv));
}
