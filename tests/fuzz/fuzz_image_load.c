/*
 * libFuzzer harness for the CLI's image decoders (tools/cli/io/image_io.h):
 * fbnn_image_load_memory() on arbitrary bytes (JPEG via stb_image behind a
 * marker walk, PNG via libpng), then, for images that decode, the resampling
 * to two model input shapes (RGB 32x32 crop, grey 28x28 stretch + invert).
 *
 * Invariants (abort() = a finding): a failure returns non-zero, leaves the
 * image zeroed and writes a non-empty message; a success gives 1..16384
 * pixels per side, 1 or 3 channels and pixels != NULL.
 *
 * The decoders may legitimately allocate up to FBNN_IMAGE_MAX_DIM^2 * 3 bytes
 * for a tiny file that declares a huge image; run libFuzzer with
 * -rss_limit_mb=4096 (see README.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_io.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_image_load: invariant violated: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fbnn_image img;
    char err[256];
    uint8_t out[3 * 32 * 32];
    uint8_t *buf;
    int rc;

    if (size > (8u << 20)) return 0;
    /* Exact-size copy so ASan reports any read past the end. */
    buf = (uint8_t *)malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    memset(&img, 0x5A, sizeof img);
    err[0] = 0;
    rc = fbnn_image_load_memory(buf, size, "fuzz", &img, err, sizeof err);
    if (rc != 0) {
        check(img.pixels == NULL && img.width == 0 && img.height == 0, "image zeroed on failure");
        check(memchr(err, 0, sizeof err) != NULL && err[0] != 0, "error message");
    } else {
        check(img.pixels != NULL, "pixels");
        check(img.width >= 1 && img.width <= FBNN_IMAGE_MAX_DIM, "width");
        check(img.height >= 1 && img.height <= FBNN_IMAGE_MAX_DIM, "height");
        check(img.channels == 1 || img.channels == 3, "channels");
        /* Touch every pixel (ASan/MSan see short buffers). */
        {
            size_t i, n = (size_t)img.width * img.height * img.channels;
            unsigned acc = 0;
            for (i = 0; i < n; i++) acc += img.pixels[i];
            (void)acc;
        }
        check(fbnn_image_to_input(&img, 3, 32, 32, 0, 0, out, err, sizeof err) == 0, "to_input rgb 32");
        check(fbnn_image_to_input(&img, 1, 28, 28, 1, 1, out, err, sizeof err) == 0, "to_input grey 28");
        fbnn_image_free(&img);
        check(img.pixels == NULL, "free zeroes");
    }
    free(buf);
    return 0;
}
