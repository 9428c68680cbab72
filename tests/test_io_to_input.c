/*
 * test_io_to_input.c - CLI image I/O (tools/cli/io): conversion of a
 * decoded image to a model input (area average and bilinear resampling,
 * centre crop, channel conversion, invert, argument checks). Run from the
 * repository root.
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
    assert_int_equal(fbnn_image_to_input(&img, 1, 2, 2, 3, 0, out, err, sizeof err),
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize_constant),
        cmocka_unit_test(test_resize_box_2x2),
        cmocka_unit_test(test_resize_identity),
        cmocka_unit_test(test_resize_centre_crop),
        cmocka_unit_test(test_resize_big_downscale),
        cmocka_unit_test(test_resize_upscale_bilinear),
        cmocka_unit_test(test_resize_planar_and_colour),
        cmocka_unit_test(test_resize_args),
        cmocka_unit_test(test_loaded_photo_to_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
