/*
 * test_io.c - CLI image and dataset I/O (tools/cli/io): JPEG/PNG decoding,
 * error handling on damaged files, conversion to the model input, CIFAR-10
 * and IDX readers. Run from the repository root.
 *
 * The images in tests/data/io/ are made by tests/data/io/gen_io_data.py;
 * the pat_* formulas below must match it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "dataset_io.h"
#include "image_io.h"

#ifndef FBNN_TEST_TMPDIR
#define FBNN_TEST_TMPDIR "."
#endif

#define DATA "tests/data/io/"
#define CIFAR_FULL_PATH "../shared/data/cifar10_test_846.bin"
#define CIFAR_BUNDLED_PATH "tests/data/cifar10_test_first64.bin"

/* The 846 shared real test images when the checkout sits next to them,
 * else the 64 bundled ones (a fresh clone elsewhere). */
static const char *cifar_path(size_t *count)
{
    FILE *f = fopen(CIFAR_FULL_PATH, "rb");
    if (f) {
        fclose(f);
        *count = 846;
        return CIFAR_FULL_PATH;
    }
    *count = 64;
    return CIFAR_BUNDLED_PATH;
}
#define FMNIST_IMAGES "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
#define FMNIST_LABELS "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"

static void to_input_ok(const fbnn_image *img, uint32_t C, uint32_t H, uint32_t W, uint32_t mode,
                        uint32_t inv, uint8_t *out);

/* ---- patterns of gen_io_data.py ------------------------------------------- */

static void pat_rgb(unsigned x, unsigned y, unsigned out[3])
{
    out[0] = (x * 37 + y * 11) & 255;
    out[1] = (x * 5 + y * 59 + 7) & 255;
    out[2] = (x * x + 3 * y) & 255;
}

static unsigned pat_grey(unsigned x, unsigned y)
{
    return (x * 29 + y * 41 + 3) & 255;
}

static unsigned pat_alpha(unsigned x, unsigned y)
{
    return (x * 40 + y * 13) & 255;
}

static unsigned over_white(unsigned c, unsigned a)
{
    return (c * a + 255u * (255u - a) + 127u) / 255u;
}

static unsigned px(const fbnn_image *img, unsigned x, unsigned y, unsigned c)
{
    return img->pixels[((size_t)y * img->width + x) * img->channels + c];
}

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/test_io_%s", FBNN_TEST_TMPDIR, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(g), Z_OK);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    buf = (uint8_t *)malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static void check_msg(const char *err)
{
    assert_true(strlen(err) > 0);
    assert_null(strchr(err, '\n'));
}

static void load_ok(const char *path, fbnn_image *img, uint32_t w, uint32_t h, uint32_t c)
{
    char err[256];
    int rc = fbnn_image_load(path, img, err, sizeof err);
    if (rc != FBNN_IO_OK)
        fail_msg("%s: %s", path, err);
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    assert_int_equal(img->channels, c);
    assert_non_null(img->pixels);
}

static void load_fails(const char *path, int code, const char *needle)
{
    fbnn_image img;
    char err[256];
    int rc;
    memset(&img, 0xAB, sizeof img);
    rc = fbnn_image_load(path, &img, err, sizeof err);
    if (rc != code)
        fail_msg("%s: expected status %d, got %d (%s)", path, code, rc, err);
    check_msg(err);
    if (needle && !strstr(err, needle))
        fail_msg("%s: message '%s' lacks '%s'", path, err, needle);
    assert_null(img.pixels);
    assert_int_equal(img.width, 0);
    fbnn_image_free(&img); /* harmless on a failed load */
}

/* ---- PNG ----------------------------------------------------------------- */

static void test_png_rgb8(void **state)
{
    fbnn_image img;
    unsigned x, y, c, e[3];
    (void)state;
    load_ok(DATA "rgb8.png", &img, 7, 5, 3);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++) {
            pat_rgb(x, y, e);
            for (c = 0; c < 3; c++)
                assert_int_equal(px(&img, x, y, c), e[c]);
        }
    fbnn_image_free(&img);
    assert_null(img.pixels);
    fbnn_image_free(&img); /* twice is fine */
    fbnn_image_free(NULL);
}

static void test_png_grey(void **state)
{
    fbnn_image img;
    unsigned x, y;
    (void)state;
    load_ok(DATA "grey8.png", &img, 7, 5, 1);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++)
            assert_int_equal(px(&img, x, y, 0), pat_grey(x, y));
    fbnn_image_free(&img);

    load_ok(DATA "grey1.png", &img, 7, 5, 1);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++)
            assert_int_equal(px(&img, x, y, 0), ((x + y) & 1) ? 255 : 0);
    fbnn_image_free(&img);
}

static void test_png_grey16(void **state)
{
    fbnn_image img;
    unsigned x, y;
    (void)state;
    load_ok(DATA "grey16.png", &img, 7, 5, 1);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++) {
            unsigned v16 = pat_grey(x, y) * 257 + 100;
            unsigned e = (v16 * 255u + 32767u) / 65535u; /* rounded, not truncated */
            assert_int_equal(e, pat_grey(x, y));
            assert_int_equal(px(&img, x, y, 0), e);
        }
    fbnn_image_free(&img);
}

static void test_png_alpha_over_white(void **state)
{
    fbnn_image img;
    unsigned x, y, c, e[3];
    (void)state;
    load_ok(DATA "rgba8.png", &img, 7, 5, 3);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++) {
            pat_rgb(x, y, e);
            for (c = 0; c < 3; c++)
                assert_int_equal(px(&img, x, y, c), over_white(e[c], pat_alpha(x, y)));
        }
    fbnn_image_free(&img);

    load_ok(DATA "rgba16.png", &img, 7, 5, 3);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++) {
            pat_rgb(x, y, e);
            for (c = 0; c < 3; c++)
                assert_int_equal(px(&img, x, y, c), over_white(e[c], pat_alpha(x, y)));
        }
    fbnn_image_free(&img);

    load_ok(DATA "greya8.png", &img, 7, 5, 1);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++)
            assert_int_equal(px(&img, x, y, 0), over_white(pat_grey(x, y), pat_alpha(x, y)));
    /* alpha 0 at (0, 0): white */
    assert_int_equal(px(&img, 0, 0, 0), 255);
    fbnn_image_free(&img);
}

static void test_png_palette_trns(void **state)
{
    static const unsigned pal[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
    static const unsigned alpha[4] = {255, 128, 0, 255};
    fbnn_image img;
    unsigned x, y, c;
    (void)state;
    load_ok(DATA "palette2.png", &img, 7, 5, 3);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++) {
            unsigned i = (x + 2 * y) % 4;
            for (c = 0; c < 3; c++)
                assert_int_equal(px(&img, x, y, c), over_white(pal[i][c], alpha[i]));
        }
    fbnn_image_free(&img);

    /* grey with a tRNS key: pixels with the key value 3 ((0,0) and (6,2)) -> white */
    load_ok(DATA "grey_trns.png", &img, 7, 5, 1);
    for (y = 0; y < 5; y++)
        for (x = 0; x < 7; x++)
            assert_int_equal(px(&img, x, y, 0), pat_grey(x, y) == 3 ? 255 : pat_grey(x, y));
    assert_int_equal(px(&img, 6, 2, 0), 255);
    assert_int_equal(px(&img, 1, 0, 0), 32);
    fbnn_image_free(&img);
}

static void test_png_interlaced(void **state)
{
    fbnn_image img;
    unsigned x, y, c, e[3];
    (void)state;
    load_ok(DATA "interlaced.png", &img, 13, 11, 3);
    for (y = 0; y < 11; y++)
        for (x = 0; x < 13; x++) {
            pat_rgb(x, y, e);
            for (c = 0; c < 3; c++)
                assert_int_equal(px(&img, x, y, c), e[c]);
        }
    fbnn_image_free(&img);

    load_ok(DATA "interlaced16a.png", &img, 13, 11, 3);
    for (y = 0; y < 11; y++)
        for (x = 0; x < 13; x++) {
            pat_rgb(x, y, e);
            for (c = 0; c < 3; c++)
                assert_int_equal(px(&img, x, y, c), over_white(e[c], pat_alpha(x, y)));
        }
    fbnn_image_free(&img);
}

static void test_png_errors(void **state)
{
    (void)state;
    load_fails(DATA "trunc.png", FBNN_IO_ERR_TRUNCATED, "truncated PNG");
    load_fails(DATA "no_iend.png", FBNN_IO_ERR_TRUNCATED, "truncated PNG");
    load_fails(DATA "bad_crc.png", FBNN_IO_ERR_CORRUPT, "CRC");
    load_fails(DATA "bad_zlib.png", FBNN_IO_ERR_CORRUPT, "corrupt PNG");
    load_fails(DATA "huge.png", FBNN_IO_ERR_SIZE, "20000");
    load_fails(DATA "sig_only.png", FBNN_IO_ERR_TRUNCATED, NULL);
}

/* ---- JPEG ---------------------------------------------------------------- */

static void assert_near(unsigned v, unsigned e, unsigned tol)
{
    if ((v > e ? v - e : e - v) > tol)
        fail_msg("%u is not within %u of %u", v, tol, e);
}

static void test_jpeg_rgb(void **state)
{
    fbnn_image img;
    unsigned y;
    (void)state;
    load_ok(DATA "rgb.jpg", &img, 16, 16, 3);
    for (y = 0; y < 16; y += 5) {
        assert_near(px(&img, 2, y, 0), 255, 6);
        assert_near(px(&img, 2, y, 1), 0, 6);
        assert_near(px(&img, 2, y, 2), 0, 6);
        assert_near(px(&img, 13, y, 0), 0, 6);
        assert_near(px(&img, 13, y, 1), 0, 6);
        assert_near(px(&img, 13, y, 2), 255, 6);
    }
    fbnn_image_free(&img);

    /* the format comes from the bytes, not the name */
    load_ok(DATA "jpeg_named.png", &img, 16, 16, 3);
    fbnn_image_free(&img);
    /* bytes after EOI are ignored */
    load_ok(DATA "trailing.jpg", &img, 16, 16, 3);
    assert_near(px(&img, 2, 2, 0), 255, 6);
    fbnn_image_free(&img);
    /* a thumbnail's EOI inside APP1 is skipped; the complete file loads */
    load_ok(DATA "thumb.jpg", &img, 64, 48, 3);
    fbnn_image_free(&img);
    load_ok(DATA "photo.jpg", &img, 64, 48, 3);
    fbnn_image_free(&img);
}

static void test_jpeg_grey_progressive(void **state)
{
    fbnn_image img;
    (void)state;
    load_ok(DATA "grey.jpg", &img, 16, 8, 1);
    assert_near(px(&img, 3, 1, 0), 200, 4);
    assert_near(px(&img, 12, 6, 0), 40, 4);
    fbnn_image_free(&img);

    load_ok(DATA "progressive.jpg", &img, 48, 32, 3);
    assert_near(px(&img, 10, 4, 0), 0, 8);
    assert_near(px(&img, 10, 4, 1), 200, 8);
    assert_near(px(&img, 10, 4, 2), 0, 8);
    assert_near(px(&img, 30, 28, 0), 250, 8);
    assert_near(px(&img, 30, 28, 1), 250, 8);
    assert_near(px(&img, 30, 28, 2), 250, 8);
    fbnn_image_free(&img);
    load_ok(DATA "photo_prog.jpg", &img, 64, 48, 3);
    fbnn_image_free(&img);
}

static void test_jpeg_errors(void **state)
{
    (void)state;
    load_fails(DATA "trunc.jpg", FBNN_IO_ERR_TRUNCATED, "truncated JPEG");
    load_fails(DATA "trunc_prog.jpg", FBNN_IO_ERR_TRUNCATED, "truncated JPEG");
    load_fails(DATA "no_eoi.jpg", FBNN_IO_ERR_TRUNCATED, "truncated JPEG");
    load_fails(DATA "thumb_trunc.jpg", FBNN_IO_ERR_TRUNCATED, "truncated JPEG");
    load_fails(DATA "huge.jpg", FBNN_IO_ERR_SIZE, "30000x20000");
}

static void test_jpeg_truncated_everywhere(void **state)
{
    /* Every prefix of a JPEG and a PNG is an error, never a crash. */
    static const char *files[] = {DATA "photo_prog.jpg", DATA "rgb.jpg", DATA "interlaced.png",
                                  DATA "palette2.png"};
    size_t f;
    (void)state;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t n, cut;
        uint8_t *data = read_file(files[f], &n);
        for (cut = 0; cut < n; cut++) {
            fbnn_image img;
            char err[256];
            int rc = fbnn_image_load_memory(data, cut, files[f], &img, err, sizeof err);
            if (rc == FBNN_IO_OK)
                fail_msg("%s cut at %lu of %lu bytes loaded", files[f], (unsigned long)cut,
                         (unsigned long)n);
            check_msg(err);
            assert_null(img.pixels);
        }
        free(data);
    }
}

static void test_jpeg_bad_huffman_table(void **state)
{
    /* A DHT declaring more than 256 codes (stb_image 2.27 would overflow its
       tables): rejected as corrupt by the structure check. */
    size_t n, i;
    uint8_t *data = read_file(DATA "rgb.jpg", &n);
    fbnn_image img;
    char err[256];
    (void)state;
    for (i = 0; i + 1 < n; i++)
        if (data[i] == 0xFF && data[i + 1] == 0xC4)
            break;
    assert_true(i + 21 < n);
    memset(data + i + 5, 0xFF, 16); /* 16 code counts of 255 */
    assert_int_equal(fbnn_image_load_memory(data, n, "dht", &img, err, sizeof err),
                     FBNN_IO_ERR_CORRUPT);
    check_msg(err);
    assert_non_null(strstr(err, "Huffman"));
    free(data);
}

static void test_corrupted_bytes(void **state)
{
    /* Deterministic mini-fuzz: overwrite 1..8 random bytes; every result is
       a clean image or a clean error (run under ASan/UBSan/valgrind). */
    static const char *files[] = {DATA "photo.jpg", DATA "photo_prog.jpg", DATA "grey.jpg",
                                  DATA "interlaced16a.png", DATA "palette2.png"};
    uint32_t seed = 12345;
    size_t f;
    (void)state;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t n, it;
        uint8_t *orig = read_file(files[f], &n);
        uint8_t *data = (uint8_t *)malloc(n);
        assert_non_null(data);
        for (it = 0; it < 400; it++) {
            fbnn_image img;
            char err[256];
            unsigned k, changes;
            memcpy(data, orig, n);
            seed = seed * 1103515245u + 12345u;
            changes = 1 + (seed >> 16) % 8;
            for (k = 0; k < changes; k++) {
                seed = seed * 1103515245u + 12345u;
                data[((seed >> 8) % n)] = (uint8_t)(seed >> 24);
            }
            if (fbnn_image_load_memory(data, n, files[f], &img, err, sizeof err) == FBNN_IO_OK) {
                uint8_t out[3 * 16 * 16];
                assert_true(img.width > 0 && img.height > 0 && img.pixels);
                to_input_ok(&img, 3, 16, 16, 0, 0, out);
                fbnn_image_free(&img);
            } else {
                check_msg(err);
                assert_null(img.pixels);
            }
        }
        free(data);
        free(orig);
    }
}

static void test_not_images(void **state)
{
    fbnn_image img;
    char err[256];
    (void)state;
    load_fails(DATA "garbage.bin", FBNN_IO_ERR_FORMAT, "unknown image format");
    load_fails(DATA "empty.bin", FBNN_IO_ERR_FORMAT, "empty");
    load_fails(DATA "does_not_exist.png", FBNN_IO_ERR_OPEN, "does_not_exist.png");
    load_fails("tests/data/io", FBNN_IO_ERR_READ, NULL); /* a directory */
    assert_int_equal(fbnn_image_load(NULL, &img, err, sizeof err), FBNN_IO_ERR_ARG);
    assert_int_equal(fbnn_image_load(DATA "rgb8.png", NULL, err, sizeof err), FBNN_IO_ERR_ARG);
    /* err may be NULL */
    assert_int_equal(fbnn_image_load(DATA "garbage.bin", &img, NULL, 0), FBNN_IO_ERR_FORMAT);
    /* a tiny error buffer is filled and terminated */
    assert_int_equal(fbnn_image_load(DATA "empty.bin", &img, err, 5), FBNN_IO_ERR_FORMAT);
    assert_int_equal(strlen(err), 4);
    assert_string_equal(fbnn_io_status_str(FBNN_IO_ERR_TRUNCATED), "file is truncated");
    assert_non_null(fbnn_io_status_str(999));
}

/* ---- conversion to the model input --------------------------------------- */

static fbnn_image make_image(uint32_t w, uint32_t h, uint32_t c)
{
    fbnn_image img;
    img.width = w;
    img.height = h;
    img.channels = c;
    img.pixels = (uint8_t *)calloc((size_t)w * h * c, 1);
    assert_non_null(img.pixels);
    return img;
}

static void to_input_ok(const fbnn_image *img, uint32_t C, uint32_t H, uint32_t W, uint32_t mode,
                        uint32_t inv, uint8_t *out)
{
    char err[256];
    int rc = fbnn_image_to_input(img, C, H, W, mode, inv, out, err, sizeof err);
    if (rc != FBNN_IO_OK)
        fail_msg("fbnn_image_to_input: %s", err);
}

static void test_resize_constant(void **state)
{
    static const uint32_t sizes[][2] = {{37, 23}, {23, 37}, {32, 32}, {5, 3}, {1, 1}, {300, 7}};
    uint8_t out[3 * 32 * 32];
    size_t s, i;
    (void)state;
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        fbnn_image img = make_image(sizes[s][0], sizes[s][1], 3);
        uint32_t mode;
        for (i = 0; i < (size_t)img.width * img.height; i++) {
            img.pixels[3 * i] = 10;
            img.pixels[3 * i + 1] = 200;
            img.pixels[3 * i + 2] = 77;
        }
        for (mode = 0; mode < 2; mode++) {
            unsigned grey = (77u * 10 + 150u * 200 + 29u * 77 + 128u) >> 8;
            to_input_ok(&img, 3, 32, 32, mode, 0, out);
            for (i = 0; i < 32 * 32; i++) {
                assert_int_equal(out[i], 10);
                assert_int_equal(out[1024 + i], 200);
                assert_int_equal(out[2048 + i], 77);
            }
            to_input_ok(&img, 1, 28, 28, mode, 0, out);
            for (i = 0; i < 28 * 28; i++)
                assert_int_equal(out[i], grey);
            to_input_ok(&img, 1, 28, 28, mode, 1, out);
            for (i = 0; i < 28 * 28; i++)
                assert_int_equal(out[i], 255 - grey);
        }
        fbnn_image_free(&img);
    }
}

static void test_resize_box_2x2(void **state)
{
    /* 4x4 -> 2x2: each output is the exact mean of a 2x2 block, rounded half up */
    static const uint8_t src[16] = {10, 11, 100, 200, 10, 11, 0, 1, 0, 0, 255, 255,
                                    0, 1, 255, 254};
    uint8_t out[4];
    fbnn_image img = make_image(4, 4, 1);
    uint32_t mode;
    (void)state;
    memcpy(img.pixels, src, 16);
    for (mode = 0; mode < 2; mode++) {
        to_input_ok(&img, 1, 2, 2, mode, 0, out);
        assert_int_equal(out[0], 11);  /* 10.5 */
        assert_int_equal(out[1], 75);  /* 75.25 */
        assert_int_equal(out[2], 0);   /* 0.25 */
        assert_int_equal(out[3], 255); /* 254.75 */
    }
    /* 3x3 -> 1x1: plain mean 2 of 0..4 weights */
    fbnn_image_free(&img);
    img = make_image(3, 3, 1);
    {
        size_t i;
        for (i = 0; i < 9; i++)
            img.pixels[i] = (uint8_t)(i * 10); /* mean 40 */
    }
    to_input_ok(&img, 1, 1, 1, 1, 0, out);
    assert_int_equal(out[0], 40);
    /* 3 -> 2 columns: fractional coverage, output 0 = (p0 + p1/2) / 1.5 */
    {
        fbnn_image row = make_image(3, 1, 1);
        row.pixels[0] = 0;
        row.pixels[1] = 90;
        row.pixels[2] = 180;
        to_input_ok(&row, 1, 1, 2, 1, 0, out);
        assert_int_equal(out[0], 30);  /* (0*1 + 90*0.5)/1.5 */
        assert_int_equal(out[1], 150); /* (90*0.5 + 180*1)/1.5 */
        fbnn_image_free(&row);
    }
    fbnn_image_free(&img);
}

static void test_resize_identity(void **state)
{
    fbnn_image img;
    uint8_t out[3 * 13 * 11];
    unsigned x, y, c, e[3], mode;
    (void)state;
    load_ok(DATA "interlaced.png", &img, 13, 11, 3);
    for (mode = 0; mode < 2; mode++) {
        to_input_ok(&img, 3, 11, 13, mode, 0, out);
        for (y = 0; y < 11; y++)
            for (x = 0; x < 13; x++) {
                pat_rgb(x, y, e);
                for (c = 0; c < 3; c++)
                    assert_int_equal(out[c * 143 + y * 13 + x], e[c]);
            }
    }
    fbnn_image_free(&img);
}

static void test_resize_centre_crop(void **state)
{
    uint8_t out[4];
    fbnn_image img = make_image(6, 2, 1);
    unsigned x, y;
    (void)state;
    /* landscape 6x2, column x has value 10x: the middle columns 2 and 3 */
    for (y = 0; y < 2; y++)
        for (x = 0; x < 6; x++)
            img.pixels[y * 6 + x] = (uint8_t)(10 * x);
    to_input_ok(&img, 1, 2, 2, 0, 0, out);
    assert_int_equal(out[0], 20);
    assert_int_equal(out[1], 30);
    assert_int_equal(out[2], 20);
    assert_int_equal(out[3], 30);
    /* stretch: 3 columns per output */
    to_input_ok(&img, 1, 2, 2, 1, 0, out);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[1], 40);
    assert_int_equal(out[2], 10);
    assert_int_equal(out[3], 40);
    fbnn_image_free(&img);

    /* portrait 2x6, row y has value 10y: the middle rows 2 and 3 */
    img = make_image(2, 6, 1);
    for (y = 0; y < 6; y++)
        for (x = 0; x < 2; x++)
            img.pixels[y * 2 + x] = (uint8_t)(10 * y);
    to_input_ok(&img, 1, 2, 2, 0, 0, out);
    assert_int_equal(out[0], 20);
    assert_int_equal(out[1], 20);
    assert_int_equal(out[2], 30);
    assert_int_equal(out[3], 30);
    fbnn_image_free(&img);
}

static void test_resize_big_downscale(void **state)
{
    /* 4000x3000, left half black, right half white, top rows red-tinted */
    fbnn_image img = make_image(4000, 3000, 3);
    uint8_t *out = (uint8_t *)malloc(3 * 32 * 32);
    unsigned x, y;
    (void)state;
    assert_non_null(out);
    for (y = 0; y < 3000; y++)
        for (x = 2000; x < 4000; x++)
            memset(img.pixels + ((size_t)y * 4000 + x) * 3, 255, 3);
    /* stretch: 125 source columns per output column, the edge at 16 */
    to_input_ok(&img, 3, 32, 32, 1, 0, out);
    for (y = 0; y < 32; y++)
        for (x = 0; x < 32; x++)
            assert_int_equal(out[1024 + y * 32 + x], x < 16 ? 0 : 255);
    /* shorter side 3000 -> 32, width 42.67 -> centre 32 columns: the edge
       at source x 2000 lands exactly at output column 16 */
    to_input_ok(&img, 3, 32, 32, 0, 0, out);
    for (y = 0; y < 32; y++)
        for (x = 0; x < 32; x++)
            assert_int_equal(out[2048 + y * 32 + x], x < 16 ? 0 : 255);
    /* an edge at source column 2047 (not on an output boundary) gives one
       blended column; with s = 32/3000, ox = 16/3: column 16 covers source
       [2000, 2093.75) of which 2047..2093.75 is white: 46.75/93.75 */
    for (y = 0; y < 3000; y++)
        memset(img.pixels + ((size_t)y * 4000 + 2000) * 3, 0, 47 * 3);
    to_input_ok(&img, 1, 32, 32, 0, 0, out);
    for (y = 0; y < 32; y++) {
        assert_int_equal(out[y * 32 + 15], 0);
        assert_int_equal(out[y * 32 + 16], 127); /* 255 * 46.75 / 93.75 = 127.16 */
        assert_int_equal(out[y * 32 + 17], 255);
    }
    free(out);
    fbnn_image_free(&img);
}

static void test_resize_upscale_bilinear(void **state)
{
    uint8_t out[8];
    fbnn_image img = make_image(2, 1, 1);
    (void)state;
    img.pixels[0] = 0;
    img.pixels[1] = 255;
    to_input_ok(&img, 1, 1, 4, 1, 0, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 64);  /* 63.75 */
    assert_int_equal(out[2], 191); /* 191.25 */
    assert_int_equal(out[3], 255);
    /* vertical too: 1 row stretched to 2 rows copies it */
    to_input_ok(&img, 1, 2, 4, 1, 0, out);
    assert_memory_equal(out, out + 4, 4);
    fbnn_image_free(&img);
}

static void test_resize_planar_and_colour(void **state)
{
    uint8_t out[12];
    fbnn_image img = make_image(2, 1, 3);
    (void)state;
    /* identity 2x1: planar R0 R1 G0 G1 B0 B1 */
    img.pixels[0] = 1;
    img.pixels[1] = 2;
    img.pixels[2] = 3;
    img.pixels[3] = 4;
    img.pixels[4] = 5;
    img.pixels[5] = 6;
    to_input_ok(&img, 3, 1, 2, 1, 0, out);
    {
        static const uint8_t e[6] = {1, 4, 2, 5, 3, 6};
        assert_memory_equal(out, e, 6);
    }
    to_input_ok(&img, 3, 1, 2, 1, 1, out);
    {
        static const uint8_t e[6] = {254, 251, 253, 250, 252, 249};
        assert_memory_equal(out, e, 6);
    }
    fbnn_image_free(&img);

    /* RGB -> grey with 77/150/29 */
    img = make_image(4, 1, 3);
    memset(img.pixels, 0, 12);
    img.pixels[0] = 255;            /* red */
    img.pixels[4] = 255;            /* green */
    img.pixels[8] = 255;            /* blue */
    memset(img.pixels + 9, 255, 3); /* white */
    to_input_ok(&img, 1, 1, 4, 1, 0, out);
    assert_int_equal(out[0], (77 * 255 + 128) >> 8);
    assert_int_equal(out[1], (150 * 255 + 128) >> 8);
    assert_int_equal(out[2], (29 * 255 + 128) >> 8);
    assert_int_equal(out[3], 255);
    fbnn_image_free(&img);

    /* grey -> RGB replicates */
    img = make_image(2, 2, 1);
    img.pixels[0] = 9;
    img.pixels[1] = 99;
    img.pixels[2] = 199;
    img.pixels[3] = 250;
    to_input_ok(&img, 3, 2, 2, 0, 0, out);
    {
        static const uint8_t e[12] = {9, 99, 199, 250, 9, 99, 199, 250, 9, 99, 199, 250};
        assert_memory_equal(out, e, 12);
    }
    fbnn_image_free(&img);
}

static void test_resize_args(void **state)
{
    uint8_t out[16];
    char err[256];
    fbnn_image img = make_image(4, 4, 3), bad;
    (void)state;
    assert_int_equal(fbnn_image_to_input(&img, 2, 2, 2, 0, 0, out, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    check_msg(err);
    assert_int_equal(fbnn_image_to_input(&img, 1, 0, 2, 0, 0, out, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    assert_int_equal(fbnn_image_to_input(&img, 1, 2, 2, 2, 0, out, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    assert_int_equal(fbnn_image_to_input(&img, 1, 2, 2, 0, 0, NULL, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    assert_int_equal(fbnn_image_to_input(NULL, 1, 2, 2, 0, 0, out, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    bad = img;
    bad.channels = 4;
    assert_int_equal(fbnn_image_to_input(&bad, 1, 2, 2, 0, 0, out, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    bad = img;
    bad.width = 0;
    assert_int_equal(fbnn_image_to_input(&bad, 1, 2, 2, 0, 0, out, err, sizeof err),
                     FBNN_IO_ERR_ARG);
    fbnn_image_free(&img);
}

static void test_loaded_photo_to_input(void **state)
{
    /* end to end: JPEG -> 32x32 RGB and 28x28 grey */
    fbnn_image img;
    uint8_t out[3 * 32 * 32];
    (void)state;
    load_ok(DATA "rgb.jpg", &img, 16, 16, 3);
    to_input_ok(&img, 3, 32, 32, 0, 0, out);
    assert_near(out[5 * 32 + 3], 255, 8);             /* R, left */
    assert_near(out[2048 + 5 * 32 + 28], 255, 8);     /* B, right */
    to_input_ok(&img, 1, 28, 28, 0, 1, out);
    assert_near(out[0], 255 - ((77 * 255 + 128) >> 8), 8);
    fbnn_image_free(&img);
}

/* ---- CIFAR-10 ------------------------------------------------------------ */

static void test_cifar_stream(void **state)
{
    fbnn_cifar *r = NULL;
    char err[256];
    uint8_t label, pix[FBNN_CIFAR_IMAGE_BYTES];
    size_t n;
    uint8_t *raw;
    size_t count;
    const char *CIFAR_PATH = cifar_path(&count);
    (void)state;
    if (fbnn_cifar_open(CIFAR_PATH, &r, err, sizeof err) != FBNN_IO_OK)
        fail_msg("%s", err);
    assert_int_equal(fbnn_cifar_count(r), count);
    assert_int_equal(fbnn_cifar_read(r, 0, &label, pix, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(label, 3); /* cat */
    raw = read_file(CIFAR_PATH, &n);
    assert_int_equal(n, count * 3073);
    assert_memory_equal(pix, raw + 1, 3072);
    assert_int_equal(fbnn_cifar_read(r, count - 1, &label, pix, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(label, raw[(count - 1) * 3073]);
    assert_memory_equal(pix, raw + (count - 1) * 3073 + 1, 3072);
    assert_int_equal(fbnn_cifar_read(r, 1, &label, NULL, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(label, 8);
    assert_int_equal(fbnn_cifar_read(r, count, &label, pix, err, sizeof err), FBNN_IO_ERR_ARG);
    check_msg(err);
    fbnn_cifar_close(r);
    fbnn_cifar_close(NULL);
    assert_int_equal(fbnn_cifar_count(NULL), 0);
    free(raw);
}

static void test_cifar_load_all(void **state)
{
    fbnn_dataset ds;
    char err[256];
    size_t n, i;
    uint8_t *raw;
    size_t count;
    const char *CIFAR_PATH = cifar_path(&count);
    (void)state;
    if (fbnn_dataset_load_cifar10(CIFAR_PATH, &ds, err, sizeof err) != FBNN_IO_OK)
        fail_msg("%s", err);
    assert_int_equal(ds.count, count);
    assert_int_equal(ds.channels, 3);
    assert_int_equal(ds.height, 32);
    assert_int_equal(ds.width, 32);
    assert_int_equal(fbnn_dataset_image_bytes(&ds), 3072);
    raw = read_file(CIFAR_PATH, &n);
    for (i = 0; i < count; i++) {
        assert_int_equal(ds.labels[i], raw[i * 3073]);
        assert_memory_equal(fbnn_dataset_image(&ds, (uint32_t)i), raw + i * 3073 + 1, 3072);
    }
    assert_int_equal(ds.labels[0], 3);
    free(raw);
    fbnn_dataset_free(&ds);
    assert_null(ds.pixels);
    fbnn_dataset_free(&ds);
}

static void test_cifar_errors(void **state)
{
    char path[512], err[256];
    fbnn_cifar *r = (fbnn_cifar *)&r;
    fbnn_dataset ds;
    uint8_t *buf = (uint8_t *)calloc(3 * 3073, 1);
    (void)state;
    assert_non_null(buf);

    tmp_path(path, sizeof path, "cifar_bad_size.bin");
    write_file(path, buf, 2 * 3073 + 5);
    assert_int_equal(fbnn_cifar_open(path, &r, err, sizeof err), FBNN_IO_ERR_FORMAT);
    check_msg(err);
    assert_non_null(strstr(err, "3073"));
    assert_null(r);
    assert_int_equal(fbnn_dataset_load_cifar10(path, &ds, err, sizeof err), FBNN_IO_ERR_FORMAT);
    assert_null(ds.pixels);
    remove(path);

    tmp_path(path, sizeof path, "cifar_empty.bin");
    write_file(path, buf, 0);
    assert_int_equal(fbnn_cifar_open(path, &r, err, sizeof err), FBNN_IO_ERR_FORMAT);
    check_msg(err);
    remove(path);

    /* record 2 has label 12: not CIFAR-10 */
    tmp_path(path, sizeof path, "cifar_bad_label.bin");
    buf[2 * 3073] = 12;
    write_file(path, buf, 3 * 3073);
    assert_int_equal(fbnn_cifar_open(path, &r, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(fbnn_cifar_count(r), 3);
    assert_int_equal(fbnn_cifar_read(r, 1, NULL, NULL, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(fbnn_cifar_read(r, 2, NULL, NULL, err, sizeof err), FBNN_IO_ERR_FORMAT);
    check_msg(err);
    fbnn_cifar_close(r);
    assert_int_equal(fbnn_dataset_load_cifar10(path, &ds, err, sizeof err), FBNN_IO_ERR_FORMAT);
    assert_null(ds.pixels);
    remove(path);

    assert_int_equal(fbnn_cifar_open("no/such/cifar.bin", &r, err, sizeof err), FBNN_IO_ERR_OPEN);
    check_msg(err);
    assert_int_equal(fbnn_cifar_open(NULL, &r, err, sizeof err), FBNN_IO_ERR_ARG);
    free(buf);
}

/* ---- IDX ----------------------------------------------------------------- */

static void test_idx_fashion_mnist(void **state)
{
    fbnn_dataset ds;
    char err[256];
    uint32_t n, h, w;
    uint8_t *pix = NULL, *lab = NULL;
    unsigned long sum = 0;
    size_t i;
    (void)state;
    if (fbnn_dataset_load_idx(FMNIST_IMAGES, FMNIST_LABELS, &ds, err, sizeof err) != FBNN_IO_OK)
        fail_msg("%s", err);
    assert_int_equal(ds.count, 10000);
    assert_int_equal(ds.channels, 1);
    assert_int_equal(ds.height, 28);
    assert_int_equal(ds.width, 28);
    assert_int_equal(crc32(0L, ds.pixels, 10000 * 784), 0x12728439UL);
    for (i = 0; i < 784; i++)
        sum += fbnn_dataset_image(&ds, 0)[i];
    assert_int_equal(sum, 33456);
    {
        static const uint8_t first[10] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
        assert_memory_equal(ds.labels, first, 10);
    }
    fbnn_dataset_free(&ds);

    /* images only */
    assert_int_equal(fbnn_dataset_load_idx(FMNIST_IMAGES, NULL, &ds, err, sizeof err), FBNN_IO_OK);
    assert_null(ds.labels);
    assert_int_equal(ds.count, 10000);
    fbnn_dataset_free(&ds);

    assert_int_equal(fbnn_idx_load_images(FMNIST_IMAGES, &n, &h, &w, &pix, err, sizeof err),
                     FBNN_IO_OK);
    assert_int_equal(n, 10000);
    assert_int_equal(fbnn_idx_load_labels(FMNIST_LABELS, &n, &lab, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(n, 10000);
    assert_int_equal(lab[0], 9);
    free(pix);
    free(lab);

    /* wrong kind of file for each reader */
    assert_int_equal(fbnn_idx_load_images(FMNIST_LABELS, &n, &h, &w, &pix, err, sizeof err),
                     FBNN_IO_ERR_FORMAT);
    check_msg(err);
    assert_non_null(strstr(err, "magic"));
    assert_null(pix);
    assert_int_equal(fbnn_idx_load_labels(FMNIST_IMAGES, &n, &lab, err, sizeof err),
                     FBNN_IO_ERR_FORMAT);
    assert_null(lab);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* An IDX image file of n images h x w (pixel = index & 255), `data_bytes` of data. */
static uint8_t *make_idx_images(uint32_t magic, uint32_t n, uint32_t h, uint32_t w,
                                size_t data_bytes, size_t *size)
{
    uint8_t *b = (uint8_t *)malloc(16 + data_bytes);
    size_t i;
    assert_non_null(b);
    put_be32(b, magic);
    put_be32(b + 4, n);
    put_be32(b + 8, h);
    put_be32(b + 12, w);
    for (i = 0; i < data_bytes; i++)
        b[16 + i] = (uint8_t)i;
    *size = 16 + data_bytes;
    return b;
}

static void idx_images_fail(const char *path, int code, const char *needle)
{
    char err[256];
    uint32_t n = 1, h = 1, w = 1;
    uint8_t *pix = (uint8_t *)&n;
    int rc = fbnn_idx_load_images(path, &n, &h, &w, &pix, err, sizeof err);
    if (rc != code)
        fail_msg("%s: expected %d, got %d (%s)", path, code, rc, err);
    check_msg(err);
    if (needle && !strstr(err, needle))
        fail_msg("%s: message '%s' lacks '%s'", path, err, needle);
    assert_null(pix);
    assert_int_equal(n, 0);
}

static void test_idx_errors(void **state)
{
    char path[512], lpath[512], err[256];
    uint8_t *b, lab[8 + 5];
    size_t size, full, n;
    uint8_t *gzdata;
    fbnn_dataset ds;
    uint32_t cnt = 0, h = 0, w = 0;
    uint8_t *pix = NULL;
    (void)state;
    tmp_path(path, sizeof path, "idx_images");
    tmp_path(lpath, sizeof lpath, "idx_labels");

    /* a valid small file, plain and gzip */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 3, 4, 5, 60, &size);
    write_file(path, b, size);
    assert_int_equal(fbnn_idx_load_images(path, &cnt, &h, &w, &pix, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(cnt, 3);
    assert_int_equal(h, 4);
    assert_int_equal(w, 5);
    assert_memory_equal(pix, b + 16, 60);
    free(pix);
    write_gz(path, b, size);
    assert_int_equal(fbnn_idx_load_images(path, &cnt, &h, &w, &pix, err, sizeof err), FBNN_IO_OK);
    assert_memory_equal(pix, b + 16, 60);
    free(pix);

    /* label count mismatch */
    put_be32(lab, FBNN_IDX_LABELS_MAGIC);
    put_be32(lab + 4, 5);
    memset(lab + 8, 1, 5);
    write_file(lpath, lab, sizeof lab);
    assert_int_equal(fbnn_dataset_load_idx(path, lpath, &ds, err, sizeof err),
                     FBNN_IO_ERR_MISMATCH);
    check_msg(err);
    assert_null(ds.pixels);
    assert_null(ds.labels);
    put_be32(lab + 4, 3);
    write_file(lpath, lab, 8 + 3);
    assert_int_equal(fbnn_dataset_load_idx(path, lpath, &ds, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(ds.count, 3);
    fbnn_dataset_free(&ds);
    /* truncated label file */
    put_be32(lab + 4, 4);
    write_file(lpath, lab, 8 + 3);
    assert_int_equal(fbnn_dataset_load_idx(path, lpath, &ds, err, sizeof err),
                     FBNN_IO_ERR_TRUNCATED);
    assert_null(ds.pixels);
    free(b);

    /* truncated data, plain and gzip */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 100, 28, 28, 10 * 784, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, "78400");
    write_gz(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, "truncated");
    free(b);
    /* header claims 2^31 images: fails as truncated without a 1.6 TB allocation */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 0x80000000u, 28, 28, 5000, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, NULL);
    free(b);
    /* trailing data */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 2, 2, 2, 9, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_SIZE, "more data");
    free(b);
    /* bad magic, unsupported type, zero and absurd dimensions, short header */
    b = make_idx_images(0x12345678u, 1, 2, 2, 4, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_FORMAT, "magic");
    free(b);
    b = make_idx_images(0x00000D03u, 1, 2, 2, 16, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_FORMAT, "0x0d");
    free(b);
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 0, 2, 2, 0, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_SIZE, NULL);
    free(b);
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 1, 100000, 2, 8, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_SIZE, NULL);
    write_file(path, b, 10);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, "header");
    free(b);

    /* garbage, empty, missing, directory */
    {
        uint8_t junk[1000];
        size_t i;
        uint32_t s = 12345;
        for (i = 0; i < sizeof junk; i++) {
            s = s * 1103515245u + 12345u;
            junk[i] = (uint8_t)(s >> 16);
        }
        junk[0] = 0x42; /* neither gzip nor IDX */
        write_file(path, junk, sizeof junk);
        idx_images_fail(path, FBNN_IO_ERR_FORMAT, "magic");
        /* a gzip header followed by garbage */
        junk[0] = 0x1f;
        junk[1] = 0x8b;
        junk[2] = 8;
        junk[3] = 0;
        write_file(path, junk, sizeof junk);
        {
            uint32_t c2, h2, w2;
            uint8_t *p2 = NULL;
            int rc = fbnn_idx_load_images(path, &c2, &h2, &w2, &p2, err, sizeof err);
            assert_int_not_equal(rc, FBNN_IO_OK);
            check_msg(err);
            assert_null(p2);
        }
    }
    write_file(path, "", 0);
    idx_images_fail(path, FBNN_IO_ERR_FORMAT, "empty");
    idx_images_fail("no/such/file.gz", FBNN_IO_ERR_OPEN, NULL);
    idx_images_fail("tests/data/io", FBNN_IO_ERR_READ, NULL);

    /* the real gzip file cut in half */
    gzdata = read_file(FMNIST_LABELS, &full);
    write_file(lpath, gzdata, full / 2);
    {
        uint8_t *l2 = NULL;
        uint32_t c2 = 7;
        assert_int_equal(fbnn_idx_load_labels(lpath, &c2, &l2, err, sizeof err),
                         FBNN_IO_ERR_TRUNCATED);
        check_msg(err);
        assert_null(l2);
        assert_int_equal(c2, 0);
    }
    free(gzdata);
    gzdata = read_file(FMNIST_IMAGES, &n);
    write_file(path, gzdata, n - n / 3);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, NULL);
    /* corrupt deflate data in the middle */
    gzdata[n / 2] ^= 0xFF;
    gzdata[n / 2 + 1] ^= 0x5A;
    write_file(path, gzdata, n);
    {
        uint32_t c2, h2, w2;
        uint8_t *p2 = NULL;
        int rc = fbnn_idx_load_images(path, &c2, &h2, &w2, &p2, err, sizeof err);
        assert_int_not_equal(rc, FBNN_IO_OK);
        check_msg(err);
        assert_null(p2);
    }
    free(gzdata);
    remove(path);
    remove(lpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_rgb8),
        cmocka_unit_test(test_png_grey),
        cmocka_unit_test(test_png_grey16),
        cmocka_unit_test(test_png_alpha_over_white),
        cmocka_unit_test(test_png_palette_trns),
        cmocka_unit_test(test_png_interlaced),
        cmocka_unit_test(test_png_errors),
        cmocka_unit_test(test_jpeg_rgb),
        cmocka_unit_test(test_jpeg_grey_progressive),
        cmocka_unit_test(test_jpeg_errors),
        cmocka_unit_test(test_jpeg_truncated_everywhere),
        cmocka_unit_test(test_jpeg_bad_huffman_table),
        cmocka_unit_test(test_corrupted_bytes),
        cmocka_unit_test(test_not_images),
        cmocka_unit_test(test_resize_constant),
        cmocka_unit_test(test_resize_box_2x2),
        cmocka_unit_test(test_resize_identity),
        cmocka_unit_test(test_resize_centre_crop),
        cmocka_unit_test(test_resize_big_downscale),
        cmocka_unit_test(test_resize_upscale_bilinear),
        cmocka_unit_test(test_resize_planar_and_colour),
        cmocka_unit_test(test_resize_args),
        cmocka_unit_test(test_loaded_photo_to_input),
        cmocka_unit_test(test_cifar_stream),
        cmocka_unit_test(test_cifar_load_all),
        cmocka_unit_test(test_cifar_errors),
        cmocka_unit_test(test_idx_fashion_mnist),
        cmocka_unit_test(test_idx_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
