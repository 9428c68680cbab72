/*
 * io_test_util.h - helpers shared by the test_io_*.c files:
 * temporary file names under FBNN_TEST_TMPDIR, whole-file write and read
 * (failing the test on any I/O error), the rule every error message keeps
 * (non-empty, one line), the RGB test pattern, and with image_io.h
 * load_ok() and to_input_ok(). Include after <cmocka.h> and the I/O
 * headers.
 */
#ifndef FBNN_IO_TEST_UTIL_H
#define FBNN_IO_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FBNN_TEST_TMPDIR
#define FBNN_TEST_TMPDIR "."
#endif

static inline void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/test_io_%s", FBNN_TEST_TMPDIR, name);
}

static inline void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static inline uint8_t *read_file(const char *path, size_t *n)
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

static inline void check_msg(const char *err)
{
    assert_true(strlen(err) > 0);
    assert_null(strchr(err, '\n'));
}

/* |v - e| <= tol, or the test fails. */
static inline void assert_near(unsigned v, unsigned e, unsigned tol)
{
    if ((v > e ? v - e : e - v) > tol)
        fail_msg("%u is not within %u of %u", v, tol, e);
}

/* Pixel (x, y) of the RGB test pattern of tests/data/io/gen_io_data.py. */
static inline void pat_rgb(unsigned x, unsigned y, unsigned out[3])
{
    out[0] = (x * 37 + y * 11) & 255;
    out[1] = (x * 5 + y * 59 + 7) & 255;
    out[2] = (x * x + 3 * y) & 255;
}

#ifdef FBNN_IMAGE_IO_H
/* Loads path and checks its size and channel count (fails the test otherwise). */
static inline void load_ok(const char *path, fbnn_image *img, uint32_t w, uint32_t h, uint32_t c)
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

/* fbnn_image_to_input into out, failing the test with its message otherwise. */
static inline void to_input_ok(const fbnn_image *img, uint32_t C, uint32_t H, uint32_t W, uint32_t mode,
                        uint32_t inv, uint8_t *out)
{
    char err[256];
    int rc = fbnn_image_to_input(img, C, H, W, mode, inv, out, err, sizeof err);
    if (rc != FBNN_IO_OK)
        fail_msg("fbnn_image_to_input: %s", err);
}
#endif

#endif /* FBNN_IO_TEST_UTIL_H */
