/**
 * @file cmd_bench.h
 * @brief `fbnn bench`, and the batched classification loop `fbnn eval` uses.
 */
#ifndef FBNN_CMD_BENCH_H
#define FBNN_CMD_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "fracbnn/fracbnn.h"

/** Called after every chunk: images done so far, total. */
typedef void (*fbnn_cli_progress_fn)(uint32_t done, uint32_t total, void *user);

/**
 * Classify `count` images (back to back, `image_bytes` each) with
 * fbnn_run_batch() in chunks of `chunk` images (with the context's threads):
 * pred[i] = index of the largest logit (lowest index on ties, as
 * fbnn_topk()); `stats` = sum of the PG statistics; `seconds` = wall time
 * spent inside fbnn_run_batch(). `progress` may be NULL.
 */
fbnn_status fbnn_cli_classify(fbnn_context *ctx, const uint8_t *pixels, size_t image_bytes, uint32_t count,
                              uint32_t chunk, uint32_t *pred, fbnn_run_stats *stats, double *seconds,
                              fbnn_cli_progress_fn progress, void *user);

/** Parse a positive integer option value in [1, max]; 0 on success. */
int fbnn_cli_parse_u32(const char *s, uint32_t max, uint32_t *out);

/** Median of v[0..n-1], n >= 1; sorts v ascending in place (so v[0] and
 * v[n-1] are then the minimum and maximum). */
double fbnn_cli_median(double *v, size_t n);

/** `fbnn bench MODEL [options]` (see its --help). */
int fbnn_cmd_bench(int argc, char **argv);

#endif
