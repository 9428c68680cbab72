/*
 * Resource limits and huge declared sizes (issue 7, part 4).
 *
 * - Model caps (fbnn_load_options): a model over max_model_bytes or whose
 *   context would exceed max_context_bytes fails with FBNN_ERR_LIMIT; at
 *   exactly the cap it loads. For the file loader the cap is checked before
 *   the file is read (no allocation of the model size).
 * - Crafted huge dimensions in a model (2^31-ish, products that wrap 32 or
 *   64 bits) are refused with a specific status, never loaded or crashed on.
 * - Images declaring huge sizes in tiny files (PNG 16384x16384, progressive
 *   JPEG 12044x4112, 65535x65535) are refused before the pixel memory is
 *   allocated: the largest single heap request made by the image code is
 *   recorded through the linker (-Wl,--wrap=malloc,calloc,realloc; see
 *   tests/CMakeLists.txt) and must stay small, and each refusal is fast.
 * - The caller's pixel and file-size caps (fbnn_image_limits) give
 *   FBNN_IO_ERR_LIMIT, exactly at the cap the image loads.
 *
 * Plain C (no CMocka): prints one line per check, exit 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "fracbnn/fracbnn.h"
#include "test_files.h"
#include "fracbnn/layers.h"
#include "image_io.h"

#define MODEL "models/cifar10_fracbnn.fbnn"
#define IMG "tests/fuzz/corpus/image/"

static int g_fail;
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            printf("ok   ");                                                 \
        } else {                                                             \
            printf("FAIL ");                                                 \
            g_fail = 1;                                                      \
        }                                                                    \
        printf(__VA_ARGS__);                                                 \
        printf("\n");                                                        \
    } while (0)

/* ---- largest heap request (linker --wrap) ---------------------------- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
static size_t g_max_request;
static void note(size_t n)
{
    if (n > g_max_request) g_max_request = n;
}
void *__wrap_malloc(size_t n)
{
    note(n);
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
    note(m && n > SIZE_MAX / m ? SIZE_MAX : n * m);
    return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
    note(n);
    return __real_realloc(p, n);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void wr32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static void wr32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
/* .fbnn: file_size at 8, CRC-32 of [16, n) at 12 (zlib's crc32 is the same CRC). */
static void fix_model_crc(uint8_t *b, size_t n)
{
    wr32le(b + 8, (uint32_t)n);
    wr32le(b + 12, (uint32_t)crc32(0L, b + 16, (uInt)(n - 16)));
}

/* ---- model caps ------------------------------------------------------ */
static void test_model_caps(void)
{
    size_t n = 0, ctx_bytes;
    uint8_t *b = fbnn_test_read_file(MODEL, &n);
    fbnn_model *m = NULL;
    fbnn_error err;
    fbnn_load_options o;
    fbnn_status st;

    CHECK(b != NULL, "read %s", MODEL);
    if (!b) return;
    memset(&o, 0, sizeof o);
    st = fbnn_model_load_memory_ex(b, n, &o, &m, &err);
    CHECK(st == FBNN_OK, "zero options = no caps: %s", fbnn_status_str(st));
    ctx_bytes = fbnn_context_size_for(m);
    fbnn_model_free(m);

    o.max_model_bytes = n - 1;
    st = fbnn_model_load_memory_ex(b, n, &o, &m, &err);
    CHECK(st == FBNN_ERR_LIMIT && m == NULL && strstr(err.message, "limit"),
          "memory: model 1 byte over max_model_bytes -> FBNN_ERR_LIMIT (%s)", err.message);
    g_max_request = 0;
    st = fbnn_model_load_file_ex(MODEL, &o, &m, &err);
    CHECK(st == FBNN_ERR_LIMIT && m == NULL && g_max_request < n,
          "file: refused before reading (largest allocation %zu < %zu bytes): %s", g_max_request, n,
          err.message);
    o.max_model_bytes = n;
    st = fbnn_model_load_file_ex(MODEL, &o, &m, &err);
    CHECK(st == FBNN_OK, "file: exactly max_model_bytes loads");
    fbnn_model_free(m);

    o.max_model_bytes = 0;
    o.max_context_bytes = ctx_bytes - 1;
    st = fbnn_model_load_memory_ex(b, n, &o, &m, &err);
    CHECK(st == FBNN_ERR_LIMIT && m == NULL, "context 1 byte over max_context_bytes -> FBNN_ERR_LIMIT (%s)",
          err.message);
    st = fbnn_model_load_file_ex(MODEL, &o, &m, &err);
    CHECK(st == FBNN_ERR_LIMIT && m == NULL, "file: same context cap -> FBNN_ERR_LIMIT");
    o.max_context_bytes = ctx_bytes;
    st = fbnn_model_load_memory_ex(b, n, &o, &m, &err);
    CHECK(st == FBNN_OK, "context exactly at max_context_bytes loads (%zu bytes)", ctx_bytes);
    fbnn_model_free(m);
    free(b);
}

/* ---- huge dimensions in a model -------------------------------------- */
/* Patch value `v`'s (c, h, w) (16-byte entries: kind, c, h, w) and load. */
static void huge_value(const uint8_t *base, size_t n, uint32_t v, uint32_t c, uint32_t h, uint32_t w)
{
    uint8_t *b = (uint8_t *)malloc(n);
    uint32_t v_off = rd32le(base + 36);
    fbnn_model *m = (fbnn_model *)(uintptr_t)1;
    fbnn_error err;
    fbnn_status st;
    double t;
    memcpy(b, base, n);
    wr32le(b + v_off + 16u * v + 4, c);
    wr32le(b + v_off + 16u * v + 8, h);
    wr32le(b + v_off + 16u * v + 12, w);
    fix_model_crc(b, n);
    g_max_request = 0;
    t = now();
    st = fbnn_model_load_memory(b, n, &m, &err);
    t = now() - t;
    CHECK(st != FBNN_OK && st != FBNN_ERR_NOMEM && m == NULL && g_max_request < (64u << 20) && t < 1.0,
          "value %u = %ux%ux%u -> %s in %.3f s, largest allocation %zu: %s", v, c, h, w,
          fbnn_status_str(st), t, g_max_request, err.message);
    free(b);
}

static void test_model_huge_dims(void)
{
    size_t n = 0;
    uint8_t *b = fbnn_test_read_file(MODEL, &n);
    CHECK(b != NULL, "read %s", MODEL);
    if (!b) return;
    huge_value(b, n, 0, 3, 46341, 46341);            /* input: 3 * 2^31-ish bytes */
    huge_value(b, n, 0, 0x7FFFFFFFu, 1, 1);          /* C = 2^31 - 1 */
    huge_value(b, n, 5, 65535, 65535, 65535);        /* product wraps 32 bits many times */
    huge_value(b, n, 5, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu); /* wraps 64 bits */
    huge_value(b, n, 5, 32, 0x80000000u, 2);         /* H = 2^31 */
    huge_value(b, n, 7, 1u << 16, 1u << 16, 1u << 16); /* 2^48 elements */
    free(b);

    /* Layer API: shape helpers return 0 (= invalid) instead of wrapping. */
    CHECK(fbnn_packed_map_words(INT_MAX, INT_MAX, INT_MAX) == 0, "fbnn_packed_map_words(INT_MAX^3) = 0");
    CHECK(fbnn_packed_weight_words(INT_MAX, INT_MAX, 3) == 0, "fbnn_packed_weight_words(INT_MAX, INT_MAX, 3) = 0");
    CHECK(fbnn_conv_out_dim(INT_MAX, 3, 1, 1) == 0, "fbnn_conv_out_dim(INT_MAX, ...) = 0");
    CHECK(fbnn_residual_add(NULL, NULL, INT_MAX, NULL) == FBNN_ERR_ARG, "fbnn_residual_add(NULL, n = INT_MAX)");
}

/* ---- images ---------------------------------------------------------- */
/* Set PNG IHDR width/height (bytes 16..23) and fix the IHDR CRC. */
static void png_set_size(uint8_t *b, uint32_t w, uint32_t h)
{
    wr32be(b + 16, w);
    wr32be(b + 20, h);
    wr32be(b + 29, (uint32_t)crc32(0L, b + 12, 17));
}

/* Set the SOF width/height of a JPEG (first SOF0/1/2 marker). */
static int jpeg_set_size(uint8_t *b, size_t n, uint32_t w, uint32_t h)
{
    size_t p;
    for (p = 2; p + 9 < n; p++)
        if (b[p] == 0xFF && (b[p + 1] == 0xC0 || b[p + 1] == 0xC1 || b[p + 1] == 0xC2)) {
            b[p + 5] = (uint8_t)(h >> 8); b[p + 6] = (uint8_t)h;
            b[p + 7] = (uint8_t)(w >> 8); b[p + 8] = (uint8_t)w;
            return 1;
        }
    return 0;
}

static void expect_image(const uint8_t *b, size_t n, const fbnn_image_limits *lim, int want,
                         const char *what)
{
    fbnn_image img;
    char err[256] = "";
    double t;
    int rc;
    g_max_request = 0;
    t = now();
    rc = fbnn_image_load_memory_ex(b, n, what, lim, &img, err, sizeof err);
    t = now() - t;
    CHECK(rc == want && img.pixels == NULL && g_max_request < (16u << 20) && t < 0.5,
          "%s -> %s (want %s) in %.3f s, largest allocation %zu: %s", what, fbnn_io_status_str(rc),
          fbnn_io_status_str(want), t, g_max_request, err);
    fbnn_image_free(&img);
}

static void test_images(void)
{
    size_t npng = 0, njpg = 0;
    uint8_t *png = fbnn_test_read_file(IMG "rgb.png", &npng), *jpg = fbnn_test_read_file(IMG "rgb_prog.jpg", &njpg);
    fbnn_image_limits lim;
    fbnn_image img;
    char err[256];
    int rc;

    CHECK(png && jpg, "read seed images");
    if (!png || !jpg) {
        free(png);
        free(jpg);
        return;
    }
    /* The caller's pixel cap, exactly at and one below the real size. */
    g_max_request = 0;
    rc = fbnn_image_load_memory_ex(png, npng, "rgb.png", NULL, &img, err, sizeof err);
    CHECK(rc == 0, "rgb.png loads with default limits");
    CHECK(g_max_request >= (size_t)img.width * img.height * 3,
          "the allocation probe sees the pixel buffer (%zu bytes)", g_max_request);
    memset(&lim, 0, sizeof lim);
    lim.max_pixels = (uint64_t)img.width * img.height;
    fbnn_image_free(&img);
    rc = fbnn_image_load_memory_ex(png, npng, "rgb.png", &lim, &img, err, sizeof err);
    CHECK(rc == 0, "PNG with exactly max_pixels loads");
    fbnn_image_free(&img);
    lim.max_pixels--;
    expect_image(png, npng, &lim, FBNN_IO_ERR_LIMIT, "PNG 1 pixel over max_pixels");
    rc = fbnn_image_load_memory_ex(jpg, njpg, "rgb_prog.jpg", NULL, &img, err, sizeof err);
    CHECK(rc == 0, "rgb_prog.jpg loads with default limits");
    lim.max_pixels = (uint64_t)img.width * img.height - 1;
    fbnn_image_free(&img);
    expect_image(jpg, njpg, &lim, FBNN_IO_ERR_LIMIT, "JPEG 1 pixel over max_pixels");
    memset(&lim, 0, sizeof lim);
    lim.max_file_bytes = npng - 1;
    expect_image(png, npng, &lim, FBNN_IO_ERR_LIMIT, "PNG 1 byte over max_file_bytes");
    rc = fbnn_image_load_ex(IMG "rgb.png", &lim, &img, err, sizeof err);
    CHECK(rc == FBNN_IO_ERR_LIMIT && img.pixels == NULL, "file: 1 byte over max_file_bytes: %s", err);

    /* Tiny files declaring huge images. */
    png_set_size(png, 16384, 16384);
    expect_image(png, npng, NULL, FBNN_IO_ERR_LIMIT, "PNG declaring 16384x16384 (default cap)");
    lim.max_file_bytes = 0;
    lim.max_pixels = (uint64_t)1 << 32;
    expect_image(png, npng, &lim, FBNN_IO_ERR_TRUNCATED, "PNG declaring 16384x16384 (cap 2^32 pixels)");
    png_set_size(png, 65535, 65535);
    expect_image(png, npng, &lim, FBNN_IO_ERR_SIZE, "PNG declaring 65535x65535");
    png_set_size(png, 0x7FFFFFFFu, 0x7FFFFFFFu);
    expect_image(png, npng, &lim, FBNN_IO_ERR_SIZE, "PNG declaring 2^31-1 x 2^31-1");

    CHECK(jpeg_set_size(jpg, njpg, 12044, 4112), "patch the JPEG SOF");
    expect_image(jpg, njpg, NULL, FBNN_IO_ERR_TRUNCATED, "progressive JPEG declaring 12044x4112");
    expect_image(jpg, njpg, &lim, FBNN_IO_ERR_TRUNCATED, "same with cap 2^32 pixels");
    jpeg_set_size(jpg, njpg, 16384, 16384);
    expect_image(jpg, njpg, NULL, FBNN_IO_ERR_LIMIT, "JPEG declaring 16384x16384 (default cap)");
    jpeg_set_size(jpg, njpg, 65535, 65535);
    expect_image(jpg, njpg, &lim, FBNN_IO_ERR_SIZE, "JPEG declaring 65535x65535");
    free(png);
    free(jpg);
}

int main(void)
{
    test_model_caps();
    test_model_huge_dims();
    test_images();
    printf(g_fail ? "test_limits: FAILED\n" : "test_limits: all passed\n");
    return g_fail;
}
