/**
 * @file test_kernels_elementwise.c
 * @brief The float-side reference kernels (kernels/fbnn_kernels.h: affine,
 *        RPReLU, add, average / global / max pooling, fc, the uniform
 *        quantiser) against the naive references of naive_ref.c, with exact
 *        (memcmp) comparison; plus argument rejection per kernel. (The binary
 *        side: test_kernels.c.)
 *
 * Seeded: set FBNN_TEST_SEED=<n> to change the seed; a failure prints it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "fbnn_kernels.h"
#include "naive_ref.h"
#include "kernel_test_util.h"

/* ========================================================================== */
/* per-channel epilogues                                                       */
/* ========================================================================== */
static void test_affine_rprelu_add(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 9);
    for (t = 0; t < 150; ++t) {
        int c = nr_range(&r, 1, 70), hw = nr_range(&r, 1, 50);
        size_t n = (size_t)c * (size_t)hw;
        float *x = malloc(n * 4), *x1 = malloc(n * 4), *want = malloc(n * 4);
        float *got = galloc(n * 4), *inplace = malloc(n * 4);
        float *a = malloc((size_t)c * 4), *b = malloc((size_t)c * 4), *s = malloc((size_t)c * 4);
        assert_true(x && x1 && want && inplace && a && b && s);
        fill_floats(&r, x, n);
        fill_floats(&r, x1, n);
        fill_floats(&r, a, (size_t)c);
        fill_floats(&r, b, (size_t)c);
        fill_floats(&r, s, (size_t)c);

        nr_affine(x, a, b, c, hw, want);
        assert_int_equal(fbnn_k_affine(x, a, b, c, hw, got), FBNN_K_OK);
        guard_check(got, n * 4);
        assert_floats_identical(got, want, n, "affine");
        memcpy(inplace, x, n * 4);
        assert_int_equal(fbnn_k_affine(inplace, a, b, c, hw, inplace), FBNN_K_OK);
        assert_floats_identical(inplace, want, n, "affine in place");

        nr_rprelu(x, a, s, b, c, hw, want);
        assert_int_equal(fbnn_k_rprelu(x, a, s, b, c, hw, got), FBNN_K_OK);
        guard_check(got, n * 4);
        assert_floats_identical(got, want, n, "rprelu");
        memcpy(inplace, x, n * 4);
        assert_int_equal(fbnn_k_rprelu(inplace, a, s, b, c, hw, inplace), FBNN_K_OK);
        assert_floats_identical(inplace, want, n, "rprelu in place");

        {
            size_t i;
            for (i = 0; i < n; ++i) want[i] = x[i] + x1[i];
        }
        assert_int_equal(fbnn_k_add(x, x1, (int32_t)n, got), FBNN_K_OK);
        guard_check(got, n * 4);
        assert_floats_identical(got, want, n, "add");
        memcpy(inplace, x, n * 4);
        assert_int_equal(fbnn_k_add(inplace, x1, (int32_t)n, inplace), FBNN_K_OK);
        assert_floats_identical(inplace, want, n, "add in place x0");
        memcpy(inplace, x1, n * 4);
        assert_int_equal(fbnn_k_add(x, inplace, (int32_t)n, inplace), FBNN_K_OK);
        assert_floats_identical(inplace, want, n, "add in place x1");
        free(x);
        free(x1);
        free(want);
        free(got);
        free(inplace);
        free(a);
        free(b);
        free(s);
    }
}

/* RPReLU branch details: t == 0 and t == -0 take the slope branch. */
static void test_rprelu_zero_branch(void **state)
{
    float x[3] = {0.0f, -0.0f, 1.0f}, bx = 0.0f, sl = -2.0f, by = 0.0f, y[3];
    (void)state;
    assert_int_equal(fbnn_k_rprelu(x, &bx, &sl, &by, 1, 3, y), FBNN_K_OK);
    /* -2 * (0 + 0) = -0; -0 + 0 = +0 ... both end as +0 after + by */
    assert_true(y[0] == 0.0f && y[1] == 0.0f && y[2] == 1.0f);
    by = -0.0f;
    assert_int_equal(fbnn_k_rprelu(x, &bx, &sl, &by, 1, 3, y), FBNN_K_OK);
    assert_true(signbit(y[0])); /* (-2 * +0) + -0 = -0 */
}

static void test_epilogue_bad_args(void **state)
{
    float x[4] = {0}, a[1] = {1}, b[1] = {0}, y[4];
    (void)state;
    assert_int_equal(fbnn_k_affine(NULL, a, b, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_affine(x, NULL, b, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_affine(x, a, NULL, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_affine(x, a, b, 1, 4, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_affine(x, a, b, 0, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_affine(x, a, b, 65536, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_affine(x, a, b, 1, 0, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(NULL, a, a, b, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(x, NULL, a, b, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(x, a, NULL, b, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(x, a, a, NULL, 1, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(x, a, a, b, 1, 4, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(x, a, a, b, 0, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_rprelu(x, a, a, b, 1, -4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_add(NULL, x, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_add(x, NULL, 4, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_add(x, x, 4, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_add(x, x, 0, y), FBNN_K_EBADARG);
}

/* ========================================================================== */
/* pools and classifier                                                        */
/* ========================================================================== */
static void test_avgpool(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 10);
    for (t = 0; t < 200; ++t) {
        int c = nr_range(&r, 1, 40), h = nr_range(&r, 1, 11), w = nr_range(&r, 1, 11);
        int k = nr_range(&r, 1, 4), s = nr_range(&r, 1, 3), dup = nr_range(&r, 1, 3);
        size_t nx, ny;
        float *x, *got, *want;
        if (t < 10) { /* the CIFAR shortcut: 2x2, stride 2, duplicated */
            k = 2;
            s = 2;
            dup = 2;
            h = t < 5 ? 32 : 7;
            w = t < 5 ? 32 : 9;
        }
        if (h < k || w < k) continue;
        nx = (size_t)c * (size_t)h * (size_t)w;
        ny = (size_t)c * (size_t)dup * (size_t)((h - k) / s + 1) * (size_t)((w - k) / s + 1);
        x = malloc(nx * 4);
        got = galloc(ny * 4);
        want = malloc(ny * 4);
        assert_true(x && want);
        fill_floats(&r, x, nx);
        nr_avgpool(x, c, h, w, k, s, dup, want);
        assert_int_equal(fbnn_k_avgpool(x, c, h, w, k, s, dup, got), FBNN_K_OK);
        guard_check(got, ny * 4);
        assert_floats_identical(got, want, ny, "avgpool");
        free(x);
        free(got);
        free(want);
    }
}

static void test_global_avgpool(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 11);
    for (t = 0; t < 150; ++t) {
        int c = t == 0 ? 64 : nr_range(&r, 1, 70); /* t == 0: the CIFAR head 64x8x8 */
        int h = t == 0 ? 8 : nr_range(&r, 1, 12), w = t == 0 ? 8 : nr_range(&r, 1, 12);
        size_t nx = (size_t)c * (size_t)h * (size_t)w;
        float *x = malloc(nx * 4), *got = galloc((size_t)c * 4), *want = malloc((size_t)c * 4);
        assert_true(x && want);
        fill_floats(&r, x, nx);
        nr_global_avgpool(x, c, h, w, want);
        assert_int_equal(fbnn_k_global_avgpool(x, c, h, w, got), FBNN_K_OK);
        guard_check(got, (size_t)c * 4);
        assert_floats_identical(got, want, (size_t)c, "global_avgpool");
        free(x);
        free(got);
        free(want);
    }
    {
        /* -0.0 everywhere: 0.0f + -0.0f = +0 (the sum starts at +0) */
        float z[4] = {-0.0f, -0.0f, -0.0f, -0.0f}, y;
        assert_int_equal(fbnn_k_global_avgpool(z, 1, 2, 2, &y), FBNN_K_OK);
        assert_false(signbit(y));
    }
}

static void test_maxpool(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 12);
    for (t = 0; t < 250; ++t) {
        int c = nr_range(&r, 1, 20), h = nr_range(&r, 1, 10), w = nr_range(&r, 1, 10);
        int k = nr_range(&r, 1, 4), s = nr_range(&r, 1, 3), pad = nr_range(&r, 0, k - 1);
        int ho = nr_out_dim(h, k, s, pad), wo = nr_out_dim(w, k, s, pad);
        size_t nx, ny, i;
        float *x, *got, *want;
        if (ho < 1 || wo < 1) continue;
        nx = (size_t)c * (size_t)h * (size_t)w;
        ny = (size_t)c * (size_t)ho * (size_t)wo;
        x = malloc(nx * 4);
        got = galloc(ny * 4);
        want = malloc(ny * 4);
        assert_true(x && want);
        fill_floats(&r, x, nx);
        if (t % 5 == 0) /* all-negative maps: padded taps must not win */
            for (i = 0; i < nx; ++i) x[i] = -1.0f - fabsf(x[i]);
        if (t % 7 == 0) x[nr_range(&r, 0, (int)nx - 1)] = NAN;
        if (t % 11 == 0) x[nr_range(&r, 0, (int)nx - 1)] = -INFINITY;
        nr_maxpool(x, c, h, w, k, s, pad, want);
        assert_int_equal(fbnn_k_maxpool(x, c, h, w, k, s, pad, got), FBNN_K_OK);
        guard_check(got, ny * 4);
        assert_floats_identical(got, want, ny, "maxpool");
        free(x);
        free(got);
        free(want);
    }
}

static void test_maxpool_bits(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 13);
    for (t = 0; t < 250; ++t) {
        int c = (t & 1) ? k_channels[nr_range(&r, 0, N_CHANNELS - 1)] : nr_range(&r, 1, 100);
        int h = nr_range(&r, 1, 9), w = nr_range(&r, 1, 9);
        int k = nr_range(&r, 1, 4), s = nr_range(&r, 1, 3), pad = nr_range(&r, 0, k - 1);
        int ho = nr_out_dim(h, k, s, pad), wo = nr_out_dim(w, k, s, pad);
        size_t nx, ny, nwy;
        int8_t *x, *y;
        uint32_t *xb, *got, *want;
        if (ho < 1 || wo < 1) continue;
        nx = (size_t)c * (size_t)h * (size_t)w;
        ny = (size_t)c * (size_t)ho * (size_t)wo;
        nwy = nr_map_words(c, ho, wo);
        x = malloc(nx);
        y = malloc(ny);
        xb = malloc(nr_map_words(c, h, w) * 4);
        got = galloc(nwy * 4);
        want = malloc(nwy * 4);
        assert_true(x && y && xb && want);
        nr_pm1(&r, x, nx);
        if (t % 3 == 0) { /* mostly -1 so the OR is informative */
            size_t i;
            for (i = 0; i < nx; ++i) x[i] = (nr_u32(&r) % 8u == 0) ? 1 : -1;
        }
        nr_pack_map(x, c, h, w, xb);
        nr_maxpool_pm1(x, c, h, w, k, s, pad, y);
        nr_pack_map(y, c, ho, wo, want);
        memset(got, 0xFF, nwy * 4);
        assert_int_equal(fbnn_k_maxpool_bits(xb, c, h, w, k, s, pad, got), FBNN_K_OK);
        guard_check(got, nwy * 4);
        assert_words_identical(got, want, nwy, "maxpool_bits");
        free(x);
        free(y);
        free(xb);
        free(got);
        free(want);
    }
}

static void test_fc(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 14);
    for (t = 0; t < 150; ++t) {
        int n_in = t == 0 ? 64 : nr_range(&r, 1, 300), n_out = t == 0 ? 10 : nr_range(&r, 1, 20);
        float *x = malloc((size_t)n_in * 4), *w = malloc((size_t)n_in * (size_t)n_out * 4);
        float *b = malloc((size_t)n_out * 4), *got = galloc((size_t)n_out * 4);
        float *want = malloc((size_t)n_out * 4);
        assert_true(x && w && b && want);
        fill_floats(&r, x, (size_t)n_in);
        fill_floats(&r, w, (size_t)n_in * (size_t)n_out);
        fill_floats(&r, b, (size_t)n_out);
        nr_fc(x, n_in, w, b, n_out, want);
        assert_int_equal(fbnn_k_fc(x, n_in, w, b, n_out, got), FBNN_K_OK);
        guard_check(got, (size_t)n_out * 4);
        assert_floats_identical(got, want, (size_t)n_out, "fc");
        free(x);
        free(w);
        free(b);
        free(got);
        free(want);
    }
}

static void test_quant_uniform(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 15);
    for (t = 0; t < 300; ++t) {
        int bits = nr_range(&r, 1, 16), n = nr_range(&r, 1, 200), i;
        float lo = nr_uniform(&r, -4.0f, 2.0f), hi = lo + nr_uniform(&r, 0.01f, 6.0f);
        float *x = malloc((size_t)n * 4), *got = galloc((size_t)n * 4);
        float *want = malloc((size_t)n * 4);
        assert_true(x && want);
        if (t % 3 == 0) { /* d = 1: exact half-way ties k + 0.5 */
            lo = 0.0f;
            hi = (float)((1 << bits) - 1);
            for (i = 0; i < n; ++i) x[i] = (float)nr_range(&r, -2, (1 << bits) + 1) + 0.5f;
        } else if (t % 3 == 1) { /* d = 0.25: ties at k/4 + 1/8 */
            lo = -1.0f;
            hi = lo + 0.25f * (float)((1 << bits) - 1);
            for (i = 0; i < n; ++i)
                x[i] = lo + 0.25f * (float)nr_range(&r, -2, (1 << bits) + 1) + 0.125f;
        } else {
            for (i = 0; i < n; ++i) x[i] = nr_uniform(&r, lo - 1.0f, hi + 1.0f);
        }
        x[0] = lo;
        if (n > 1) x[1] = hi;
        if (n > 2) x[2] = NAN;
        if (n > 3) x[3] = -INFINITY;
        nr_quant_uniform(x, n, bits, lo, hi, want);
        assert_int_equal(fbnn_k_quant_uniform(x, n, bits, lo, hi, got), FBNN_K_OK);
        guard_check(got, (size_t)n * 4);
        if (n > 2) { /* NaN in, NaN out; compare the rest bitwise */
            assert_true(isnan(got[2]));
            got[2] = want[2] = 0.0f;
        }
        assert_floats_identical(got, want, (size_t)n, "quant_uniform");
        /* in place */
        memcpy(got, x, (size_t)n * 4);
        assert_int_equal(fbnn_k_quant_uniform(got, n, bits, lo, hi, got), FBNN_K_OK);
        if (n > 2) got[2] = 0.0f;
        assert_floats_identical(got, want, (size_t)n, "quant_uniform in place");
        free(x);
        free(got);
        free(want);
    }
    {
        /* ties to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2 with d = 1 */
        float x[4] = {0.5f, 1.5f, 2.5f, 3.5f}, y[4];
        assert_int_equal(fbnn_k_quant_uniform(x, 4, 3, 0.0f, 7.0f, y), FBNN_K_OK);
        assert_true(y[0] == 0.0f && y[1] == 2.0f && y[2] == 2.0f && y[3] == 4.0f);
    }
}

static void test_pool_fc_quant_bad_args(void **state)
{
    float x[64] = {0}, y[64];
    uint32_t xb[64] = {0}, yb[64];
    (void)state;
    /* avgpool */
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 2, 2, 1, y), FBNN_K_OK);
    assert_int_equal(fbnn_k_avgpool(NULL, 1, 4, 4, 2, 2, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 2, 2, 1, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 0, 4, 4, 2, 2, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 1, 4, 2, 2, 1, y), FBNN_K_EBADARG); /* k > h */
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 0, 2, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 16, 2, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 2, 0, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 2, 9, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 2, 2, 0, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 1, 4, 4, 2, 2, 17, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_avgpool(x, 40000, 4, 4, 2, 2, 2, y), FBNN_K_EBADARG);
    /* global avgpool */
    assert_int_equal(fbnn_k_global_avgpool(NULL, 1, 2, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_global_avgpool(x, 1, 2, 2, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_global_avgpool(x, 0, 2, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_global_avgpool(x, 1, 0, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_global_avgpool(x, 1, 2, 65536, y), FBNN_K_EBADARG);
    /* maxpool, real and bits */
    assert_int_equal(fbnn_k_maxpool(x, 1, 4, 4, 3, 2, 1, y), FBNN_K_OK);
    assert_int_equal(fbnn_k_maxpool(NULL, 1, 4, 4, 3, 2, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 1, 4, 4, 3, 2, 1, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 0, 4, 4, 3, 2, 1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 1, 4, 4, 3, 2, 3, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 1, 4, 4, 3, 2, -1, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 1, 4, 4, 0, 1, 0, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 1, 1, 1, 3, 1, 0, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool(x, 1, 4, 4, 2, 9, 0, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool_bits(xb, 1, 4, 4, 3, 2, 1, yb), FBNN_K_OK);
    assert_int_equal(fbnn_k_maxpool_bits(NULL, 1, 4, 4, 3, 2, 1, yb), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool_bits(xb, 1, 4, 4, 3, 2, 1, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool_bits(xb, 65536, 1, 1, 1, 1, 0, yb), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool_bits(xb, 1, 4, 4, 3, 2, 3, yb), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool_bits(xb, 1, 4, 4, 16, 2, 0, yb), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_maxpool_bits(xb, 1, 2, 2, 3, 1, 0, yb), FBNN_K_EBADARG);
    /* fc */
    assert_int_equal(fbnn_k_fc(x, 4, x, x, 2, y), FBNN_K_OK);
    assert_int_equal(fbnn_k_fc(NULL, 4, x, x, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_fc(x, 4, NULL, x, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_fc(x, 4, x, NULL, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_fc(x, 4, x, x, 2, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_fc(x, 0, x, x, 2, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_fc(x, 4, x, x, 0, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_fc(x, 4, x, x, 65536, y), FBNN_K_EBADARG);
    /* quant uniform */
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, 0.0f, 1.0f, y), FBNN_K_OK);
    assert_int_equal(fbnn_k_quant_uniform(NULL, 4, 2, 0.0f, 1.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, 0.0f, 1.0f, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 0, 2, 0.0f, 1.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 0, 0.0f, 1.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 17, 0.0f, 1.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, 1.0f, 1.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, 1.0f, 0.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, NAN, 1.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, 0.0f, NAN, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, 0.0f, INFINITY, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, -INFINITY, 0.0f, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant_uniform(x, 4, 2, -3e38f, 3e38f, y), FBNN_K_EBADARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_affine_rprelu_add),
        cmocka_unit_test(test_rprelu_zero_branch),
        cmocka_unit_test(test_epilogue_bad_args),
        cmocka_unit_test(test_avgpool),
        cmocka_unit_test(test_global_avgpool),
        cmocka_unit_test(test_maxpool),
        cmocka_unit_test(test_maxpool_bits),
        cmocka_unit_test(test_fc),
        cmocka_unit_test(test_quant_uniform),
        cmocka_unit_test(test_pool_fc_quant_bad_args),
    };
    kernel_test_seed("test_kernels_elementwise");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
