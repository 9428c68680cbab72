/**
 * @file cli_util.h
 * @brief Shared pieces of the `fbnn` subcommands: exit codes, error lines,
 *        model loading, JSON string output.
 */
#ifndef FBNN_CLI_UTIL_H
#define FBNN_CLI_UTIL_H

#include <stdio.h>

#include "fracbnn/fracbnn.h"

/** Exit codes of every `fbnn` subcommand (also listed by `fbnn --help`). */
enum fbnn_cli_exit {
    FBNN_EXIT_OK = 0,     /**< success */
    FBNN_EXIT_INPUT = 1,  /**< a model, image or dataset could not be read or is invalid */
    FBNN_EXIT_USAGE = 2,  /**< bad command line */
    FBNN_EXIT_OUTPUT = 3, /**< an output file could not be written */
    FBNN_EXIT_NOMEM = 4   /**< out of memory or an unexpected internal failure */
};

/** Print "fbnn: error: <formatted>" on stderr and return `code`. */
int fbnn_cli_error(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Load a model; on failure print one error line and return FBNN_EXIT_INPUT (or _NOMEM). */
int fbnn_cli_load_model(const char *path, fbnn_model **model);

/** Write `s` as a JSON string literal (quotes, escapes; bytes >= 0x80 are passed through as UTF-8). */
void fbnn_json_string(FILE *f, const char *s);

/** True if `arg` is -h or --help. */
int fbnn_cli_is_help(const char *arg);

/** Subcommands (cli_eval.c). */
int fbnn_cmd_eval(int argc, char **argv);
void fbnn_help_eval(FILE *f);

#endif
