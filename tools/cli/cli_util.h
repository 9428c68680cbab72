/**
 * @file cli_util.h
 * @brief Shared pieces of the `fbnn` subcommands: exit codes, error lines,
 *        argument parsing, model and dataset loading, timing, medians, JSON
 *        string output; and the entry point of every subcommand.
 *
 * One file per command: fbnn.c (main, dispatch, global help), cmd_info.c,
 * cmd_classify.c, cmd_eval.c, cmd_bench.c; everything two commands share is
 * here (cli_util.c).
 */
#ifndef FBNN_CLI_UTIL_H
#define FBNN_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dataset_io.h"
#include "fracbnn/fracbnn.h"

/** Exit codes of every `fbnn` subcommand (also listed by `fbnn --help`). */
enum fbnn_cli_exit {
    FBNN_EXIT_OK = 0,     /**< success */
    FBNN_EXIT_INPUT = 1,  /**< a model, image or dataset could not be read or is invalid */
    FBNN_EXIT_USAGE = 2,  /**< bad command line */
    FBNN_EXIT_OUTPUT = 3, /**< an output file could not be written */
    FBNN_EXIT_NOMEM = 4   /**< out of memory or an unexpected internal failure */
};

/* ------------------------------------------------------------ subcommands */
/** `fbnn info` (cmd_info.c). */
int fbnn_cmd_info(int argc, char **argv);
/** `fbnn classify` (cmd_classify.c). */
int fbnn_cmd_classify(int argc, char **argv);
/** `fbnn eval` (cmd_eval.c). */
int fbnn_cmd_eval(int argc, char **argv);
/** `fbnn bench` (cmd_bench.c). */
int fbnn_cmd_bench(int argc, char **argv);

/* ---------------------------------------------------------------- errors */
/** Print "fbnn: error: <formatted>" on stderr and return `code`. */
int fbnn_cli_error(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/**
 * A missing positional argument: print "fbnn: error: CMD: missing argument
 * WHAT", then the command's help (`help`) on stderr; returns FBNN_EXIT_USAGE.
 */
int fbnn_cli_missing(const char *cmd, const char *what, void (*help)(FILE *));

/* --------------------------------------------------------------- options */
/** True if `arg` is -h or --help. */
int fbnn_cli_is_help(const char *arg);

/** Parse a positive integer option value in [1, max]; 0 on success. */
int fbnn_cli_parse_u32(const char *s, uint32_t max, uint32_t *out);

/* ------------------------------------------------------- models and data */
/**
 * Load a model; on failure print one error line and return FBNN_EXIT_INPUT
 * (or FBNN_EXIT_NOMEM). The line says each thing once: the loader's message
 * alone when it already starts with the path ("PATH: cannot open: No such
 * file or directory"); "PATH: message" when the message states the problem
 * on its own (truncated, bad magic, version, checksum, I/O, memory, limits);
 * otherwise "PATH: <fbnn_status_str>: message", the status naming the part
 * of the model a field-level message ("tensor 3: dim 0 = 0 out of range")
 * is about.
 */
int fbnn_cli_load_model(const char *path, fbnn_model **model);

/**
 * Load a labelled or unlabelled data set for `info`'s model: a CIFAR-10
 * binary batch (`labels` NULL) or IDX images + labels (plain or gzip). The
 * images must have the model's input shape (a set may have 0 images). On
 * failure print one error line and return FBNN_EXIT_INPUT; `ds` is then empty.
 */
int fbnn_cli_load_dataset(const char *images, const char *labels, const fbnn_model_info *info, fbnn_dataset *ds);

/* ------------------------------------------------------ operation counts */
/**
 * Output channels of the binary layer behind a `bconv_thr` / `bfc_thr` layer
 * (its output holds B bit planes of them when it writes k-bit codes): the B
 * in 1..4 for which out_c / B channels of weights and 2^B thresholds make up
 * exactly its parameter bytes; out_c for any other layer shape.
 */
uint64_t fbnn_cli_thr_channels(const fbnn_layer_info *l);

/* ----------------------------------------------------- timing and output */
/** Seconds on CLOCK_MONOTONIC. */
double fbnn_cli_now(void);

/** Median of v[0..n-1], n >= 1; sorts v ascending in place (so v[0] and
 * v[n-1] are then the minimum and maximum). */
double fbnn_cli_median(double *v, size_t n);

/** Write `s` as a JSON string literal (quotes, escapes; bytes >= 0x80 are passed through as UTF-8). */
void fbnn_json_string(FILE *f, const char *s);

#endif
