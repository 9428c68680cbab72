/*
 * libFuzzer harness for the .fbnn loader (and, for inputs that load, the
 * planner and the runtime).
 *
 *   fuzz_model_load      the raw bytes: almost every mutation stops at the
 *                        CRC, which is what a corrupt file does in the field.
 *   fuzz_model_load_crc  built with -DFBNN_FUZZ_FIX_CRC: if the input starts
 *                        with "FBNN" and has >= 64 bytes, file_size (bytes
 *                        8..11) and the CRC (12..15) are recomputed before
 *                        loading, so mutations reach the header, table, op,
 *                        graph and meta validation behind the checksum.
 *   fuzz_model_file      built with -DFBNN_FUZZ_FROM_FILE (and the CRC fix):
 *                        the bytes are written to a temporary file (in
 *                        /dev/shm when it exists) and loaded with
 *                        fbnn_model_load_file(), covering the file path
 *                        (size probe, aligned copy, read errors).
 *
 * The input is copied into an exact-size heap buffer (malloc: suitably
 * aligned for the in-place loader; ASan's redzone sits right after the last
 * byte, so any read past the model is reported).
 *
 * Invariants checked (abort() = a finding):
 *   - a failed load leaves *out == NULL, sets err.status to the returned
 *     status and a non-empty, NUL-terminated message;
 *   - a model that loads can be described (info, labels, every layer), gets
 *     a context, and runs on a zero image with FBNN_OK (a kernel refusing
 *     a validated model is a validation gap), producing num_classes logits.
 * Models whose context or compute would be large are loaded and described
 * but not run, to keep the fuzzer fast and inside its memory limit.
 *
 * Also built without libFuzzer by tests/fuzz/CMakeLists.txt together with
 * replay_main.c, to replay the corpus under ctest.
 */
#ifdef FBNN_FUZZ_FROM_FILE
#define _POSIX_C_SOURCE 200809L /* unlink, access */
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fracbnn/fracbnn.h"

#ifdef FBNN_FUZZ_FROM_FILE
#include "fuzz_tmpfile.h"
/* Write the input to this process's temporary file; NULL if that fails. */
static const char *write_tmp(const uint8_t *p, size_t n)
{
    const char *path = fbnn_fuzz_tmp_path("model", ".fbnn");
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    if (n && fwrite(p, 1, n, f) != n) { fclose(f); return NULL; }
    return fclose(f) == 0 ? path : NULL;
}
#endif

#define MAX_INPUT (4u << 20)          /* bytes of model accepted */
#define MAX_CONTEXT (64u << 20)       /* bytes of context we are willing to allocate */
#define MAX_WORK 40000000.0           /* rough inner-loop iterations per run */
#define MAX_WORK_2ND 1000000.0        /* ... for the second run (input-derived image) */

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_model_load: invariant violated: %s\n", what);
        abort();
    }
}

#ifdef FBNN_FUZZ_FIX_CRC
#include "../test_crc32.h"
#endif

/* Rough cost of one run, from the public per-layer description. */
static double run_work(const fbnn_model *m, uint32_t n_ops)
{
    double work = 0.0;
    uint32_t i;
    for (i = 0; i < n_ops; i++) {
        fbnn_layer_info l;
        double out = 0.0, in = 0.0, k;
        check(fbnn_model_layer(m, i, &l) == FBNN_OK, "fbnn_model_layer on a valid index");
        check(l.op_name != NULL, "layer op_name");
        out = (double)l.out_c * l.out_h * l.out_w;
        in = (double)l.in_c * l.in_h * l.in_w;
        k = l.k > 0 ? (double)l.k * l.k : 1.0;
        if (strcmp(l.op_name, "bconv") == 0 || strcmp(l.op_name, "pgconv") == 0)
            work += 2.0 * out * k * (double)((l.in_c + 31u) / 32u);
        else if (strcmp(l.op_name, "fc") == 0)
            work += out * in;
        else
            work += (out + in) * k;
    }
    return work;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf;
    fbnn_model *m = (fbnn_model *)(uintptr_t)1;
    fbnn_error err;
    fbnn_status st;

    if (size > MAX_INPUT) return 0;
    buf = (uint8_t *)malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
#ifdef FBNN_FUZZ_FIX_CRC
    if (size >= 64 && memcmp(buf, "FBNN", 4) == 0) {
        wr32(buf + 8, (uint32_t)size);
        wr32(buf + 12, crc32_ieee(buf + 16, size - 16));
    }
#endif
    memset(&err, 0x5A, sizeof err);
#ifdef FBNN_FUZZ_FROM_FILE
    {
        const char *path = write_tmp(buf, size);
        if (!path) { free(buf); return 0; }
        st = fbnn_model_load_file(path, &m, &err);
    }
#else
    st = fbnn_model_load_memory(buf, size, &m, &err);
#endif
    if (st != FBNN_OK) {
        check(m == NULL, "*out is NULL after a failed load");
        check(err.status == st, "err.status equals the returned status");
        check(memchr(err.message, 0, sizeof err.message) != NULL, "message is NUL-terminated");
        check(err.message[0] != 0, "message is not empty");
        check(fbnn_status_str(st) != NULL, "status string");
    } else {
        fbnn_model_info info;
        fbnn_context *ctx = NULL;
        uint32_t i;
        check(m != NULL, "model after FBNN_OK");
        check(fbnn_model_get_info(m, &info) == FBNN_OK, "get_info");
        check(info.num_classes >= 1 && info.num_ops >= 1, "info counts");
        check(info.name != NULL && info.file_bytes == size, "info name and size");
        for (i = 0; i < info.num_classes; i++) {
            const char *lab = fbnn_model_label(m, i);
            check(lab != NULL && lab[0] != 0, "every label is a non-empty string");
        }
        check(fbnn_model_label(m, info.num_classes) == NULL, "label past the end is NULL");
        check(fbnn_model_layer(m, info.num_ops, NULL) == FBNN_ERR_ARG, "layer past the end");
        if (info.context_bytes <= MAX_CONTEXT && run_work(m, info.num_ops) <= MAX_WORK) {
            size_t n_in = (size_t)info.input_channels * info.input_height * info.input_width;
            uint8_t *img = (uint8_t *)calloc(n_in ? n_in : 1, 1);
            st = fbnn_context_create(m, &ctx);
            if (img && st == FBNN_OK) {
                double work = run_work(m, info.num_ops);
                uint32_t n = 0;
                const float *logits;
                fbnn_class_score top[3];
                fbnn_run_stats rs;
                st = fbnn_run(ctx, img, n_in);
                if (st != FBNN_OK)
                    fprintf(stderr, "fuzz_model_load: fbnn_run on a validated model: %s\n", fbnn_status_str(st));
                check(st == FBNN_OK, "a validated model runs");
                logits = fbnn_logits(ctx, &n);
                check(logits != NULL && n == info.num_classes, "logits after a run");
                check(fbnn_topk(ctx, 3, top) == FBNN_OK, "topk");
                check(top[0].index < info.num_classes, "topk index");
                check(fbnn_last_run_stats(ctx, &rs) == FBNN_OK && rs.pg_gated <= rs.pg_positions, "run stats");
                /* A second run on bytes of the input itself (other kernel
                 * paths), for small models only (speed). */
                if (work <= MAX_WORK_2ND) {
                    for (i = 0; i < n_in; i++) img[i] = size ? data[i % size] : 0;
                    check(fbnn_run(ctx, img, n_in) == FBNN_OK, "a validated model runs (2nd image)");
                }
                check(fbnn_run(ctx, img, n_in + 1) == FBNN_ERR_INPUT, "wrong input size");
            } else {
                check(st == FBNN_ERR_NOMEM || st == FBNN_OK, "context_create status");
            }
            fbnn_context_free(ctx);
            free(img);
        }
        fbnn_model_free(m);
    }
    free(buf);
    return 0;
}
