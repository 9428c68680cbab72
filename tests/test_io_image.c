/*
 * test_io_image.c - CLI image I/O (tools/cli/io): JPEG/PNG decoding and
 * error handling on damaged files. Run from the repository root.
 * (Conversion to the model input: test_io_to_input.c; datasets:
 * test_io_dataset.c.)
 *
 * The images in tests/data/io/ are made by tests/data/io/gen_io_data.py;
 * the pat_* formulas below (and pat_rgb in io_test_util.h) must match it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_io.h"
#include "io_test_util.h"

#define DATA "tests/data/io/"


/* ---- patterns of gen_io_data.py ------------------------------------------- */

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

/* Every pixel of img (w x h, RGB) is the test pattern pat_rgb, or with
 * over != 0 the pattern composited over white with pat_alpha. */
static void expect_rgb_pattern(const fbnn_image *img, unsigned w, unsigned h, int over)
{
    unsigned x, y, c, e[3];
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            pat_rgb(x, y, e);
            for (c = 0; c < 3; c++)
                assert_int_equal(px(img, x, y, c), over ? over_white(e[c], pat_alpha(x, y)) : e[c]);
        }
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
    (void)state;
    load_ok(DATA "rgb8.png", &img, 7, 5, 3);
    expect_rgb_pattern(&img, 7, 5, 0);
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
    unsigned x, y;
    (void)state;
    load_ok(DATA "rgba8.png", &img, 7, 5, 3);
    expect_rgb_pattern(&img, 7, 5, 1);
    fbnn_image_free(&img);

    load_ok(DATA "rgba16.png", &img, 7, 5, 3);
    expect_rgb_pattern(&img, 7, 5, 1);
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
    (void)state;
    load_ok(DATA "interlaced.png", &img, 13, 11, 3);
    expect_rgb_pattern(&img, 13, 11, 0);
    fbnn_image_free(&img);

    load_ok(DATA "interlaced16a.png", &img, 13, 11, 3);
    expect_rgb_pattern(&img, 13, 11, 1);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
