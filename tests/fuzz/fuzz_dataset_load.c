/*
 * libFuzzer harness for the CLI's dataset readers (tools/cli/io/dataset_io.h):
 * the input bytes are written to a temporary file (the readers take paths)
 * and read as
 *   - a CIFAR-10 binary batch, streaming (open / count / read every record)
 *     and all at once (fbnn_dataset_load_cifar10),
 *   - an IDX image file and an IDX label file (plain or gzip: zlib detects
 *     the gzip magic, so gzip seeds exercise inflate and its error paths),
 *   - an IDX image + label pair (the same file for both: counts mismatch or
 *     magic errors are exercised).
 *
 * Invariants (abort() = a finding): every failure returns non-zero with a
 * non-empty message and leaves the outputs NULL/zero; every success gives
 * sizes consistent with the file (N*H*W bytes are readable, labels 0..9 for
 * CIFAR-10).
 *
 * The file lives in /dev/shm when it exists (tmpfs: no disk traffic at
 * thousands of executions per second), else in $TMPDIR or /tmp; one name
 * per process, removed at exit.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_io.h"
#include "fuzz_tmpfile.h"

#define MAX_INPUT (1u << 20) /* larger inputs add nothing but time */

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_dataset_load: invariant violated: %s\n", what);
        abort();
    }
}

/* Read one byte through a volatile (ASan checks the access; the value is unused). */
static void touch(const uint8_t *p)
{
    volatile uint8_t v = *p;
    (void)v;
}

static int msg_ok(const char *err, size_t n)
{
    return memchr(err, 0, n) != NULL && err[0] != 0;
}

static void fuzz_cifar(const char *path, size_t size)
{
    char err[256];
    fbnn_cifar *r = (fbnn_cifar *)(uintptr_t)1;
    fbnn_dataset ds;
    int rc = fbnn_cifar_open(path, &r, err, sizeof err);
    if (rc != 0) {
        check(r == NULL, "cifar_open: *out NULL on failure");
        check(msg_ok(err, sizeof err), "cifar_open: message");
    } else {
        size_t i, n = fbnn_cifar_count(r);
        uint8_t px[FBNN_CIFAR_IMAGE_BYTES], lab = 0;
        check(n >= 1 && n * FBNN_CIFAR_RECORD_BYTES == size, "cifar count matches the size");
        for (i = 0; i < n; i++) {
            rc = fbnn_cifar_read(r, i, &lab, px, err, sizeof err);
            check(rc == 0 ? lab <= 9 : msg_ok(err, sizeof err), "cifar_read result");
        }
        check(fbnn_cifar_read(r, n, &lab, px, err, sizeof err) == FBNN_IO_ERR_ARG, "record past the end");
        fbnn_cifar_close(r);
    }
    memset(&ds, 0x5A, sizeof ds);
    rc = fbnn_dataset_load_cifar10(path, &ds, err, sizeof err);
    if (rc != 0) {
        check(ds.pixels == NULL && ds.labels == NULL && ds.count == 0, "cifar dataset zeroed on failure");
        check(msg_ok(err, sizeof err), "cifar dataset message");
    } else {
        uint32_t i;
        check((size_t)ds.count * FBNN_CIFAR_RECORD_BYTES == size, "cifar dataset count");
        check(fbnn_dataset_image_bytes(&ds) == FBNN_CIFAR_IMAGE_BYTES, "cifar image bytes");
        for (i = 0; i < ds.count; i++) check(ds.labels[i] <= 9, "cifar labels");
        /* Touch the last pixel: ASan reports a short buffer. */
        touch(fbnn_dataset_image(&ds, ds.count - 1) + FBNN_CIFAR_IMAGE_BYTES - 1);
        fbnn_dataset_free(&ds);
    }
}

static void fuzz_idx(const char *path)
{
    char err[256];
    uint32_t n = 7, h = 7, w = 7;
    uint8_t *px = (uint8_t *)(uintptr_t)1, *lab = (uint8_t *)(uintptr_t)1;
    fbnn_dataset ds;
    int rc = fbnn_idx_load_images(path, &n, &h, &w, &px, err, sizeof err);
    if (rc != 0) {
        check(px == NULL && n == 0 && h == 0 && w == 0, "idx images: outputs zeroed on failure");
        check(msg_ok(err, sizeof err), "idx images message");
    } else {
        size_t total = (size_t)n * h * w;
        check(px != NULL && n >= 1 && h >= 1 && w >= 1 && h <= FBNN_IDX_MAX_DIM && w <= FBNN_IDX_MAX_DIM,
              "idx images dims");
        touch(px);
        touch(px + total - 1);
        free(px);
    }
    rc = fbnn_idx_load_labels(path, &n, &lab, err, sizeof err);
    if (rc != 0) {
        check(lab == NULL && n == 0, "idx labels: outputs zeroed on failure");
        check(msg_ok(err, sizeof err), "idx labels message");
    } else {
        check(lab != NULL && n >= 1, "idx labels");
        touch(lab + n - 1);
        free(lab);
    }
    memset(&ds, 0x5A, sizeof ds);
    rc = fbnn_dataset_load_idx(path, path, &ds, err, sizeof err);
    /* One file cannot carry both magics, so the pair always fails. */
    check(rc != 0 && ds.pixels == NULL && ds.labels == NULL && msg_ok(err, sizeof err),
          "idx pair from one file fails cleanly");
    rc = fbnn_dataset_load_idx(path, NULL, &ds, err, sizeof err);
    if (rc == 0) {
        check(ds.channels == 1 && ds.labels == NULL && ds.count >= 1, "idx dataset without labels");
        fbnn_dataset_free(&ds);
    } else {
        check(ds.pixels == NULL && msg_ok(err, sizeof err), "idx dataset failure");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fbnn_fuzz_tmp_path("dataset", ".bin");
    FILE *f;

    if (size > MAX_INPUT) return 0;
    f = fopen(path, "wb");
    if (!f) return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    if (fclose(f) != 0) return 0;
    fuzz_cifar(path, size);
    fuzz_idx(path);
    return 0;
}
