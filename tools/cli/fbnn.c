/**
 * @file fbnn.c
 * @brief The `fbnn` command line tool: main, dispatch and the global help.
 *
 * One file per command: cmd_info.c, cmd_classify.c, cmd_eval.c,
 * cmd_bench.c; what they share is in cli_util.c. Every subcommand has
 * --help; info, classify and eval have --json for scripts (one JSON
 * document on stdout, nothing else there). Errors are one line
 * "fbnn: error: ..." on stderr and a documented exit code (cli_util.h).
 * Uses only the public API (include/fracbnn) and the I/O helpers.
 */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "fracbnn/fracbnn.h"

/* The subcommands, in the order of the usage text. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"info", fbnn_cmd_info},
    {"classify", fbnn_cmd_classify},
    {"eval", fbnn_cmd_eval},
    {"bench", fbnn_cmd_bench},
};

static void usage(FILE *f)
{
    fprintf(f,
            "fbnn %s - FracBNN inference tool\n"
            "\n"
            "usage: fbnn info MODEL [--json]\n"
            "       fbnn classify MODEL IMAGE... [-k K] [--json]\n"
            "       fbnn eval MODEL CIFAR10_BATCH.bin [options]\n"
            "       fbnn eval MODEL IMAGES.idx[.gz] LABELS.idx[.gz] [options]\n"
            "       fbnn bench MODEL [options]\n"
            "       fbnn --version\n"
            "       fbnn COMMAND --help     (options of one command)\n"
            "\n"
            "exit codes:\n"
            "  0  success\n"
            "  1  bad input: a model, image or dataset cannot be read or is invalid\n"
            "     (classify: at least one image failed; the others are still printed)\n"
            "  2  usage error (unknown command or option, missing argument)\n"
            "  3  an output file (--predictions, --confusion-png, ...) cannot be written\n"
            "  4  out of memory or internal error\n",
            fbnn_version());
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        fbnn_cli_error(FBNN_EXIT_USAGE, "missing argument COMMAND");
        usage(stderr);
        return FBNN_EXIT_USAGE;
    }
    if (fbnn_cli_is_help(argv[1])) {
        usage(stdout);
        return FBNN_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("fbnn %s\n", fbnn_version());
        return FBNN_EXIT_OK;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc, argv);
    fbnn_cli_error(FBNN_EXIT_USAGE, "unknown command '%s'", argv[1]);
    usage(stderr);
    return FBNN_EXIT_USAGE;
}
