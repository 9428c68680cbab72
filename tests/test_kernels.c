/**
 * @file test_kernels.c
 * @brief The reference kernels of the binary side (kernels/fbnn_kernels.h:
 *        conv parameters, thermometer, sign / Q2 packing, binary and PG
 *        convs) against the naive references of naive_ref.c, on many random
 *        shapes and edge cases, with exact (memcmp) comparison; plus argument
 *        rejection per kernel. The float-side kernels (epilogues, pooling, fc,
 *        uniform quantiser): test_kernels_elementwise.c.
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
/* conv parameter check                                                        */
/* ========================================================================== */
static fbnn_conv_params mkp(int ci, int h, int w, int co, int k, int s, int pad)
{
    fbnn_conv_params p;
    p.in_c = ci;
    p.in_h = h;
    p.in_w = w;
    p.out_c = co;
    p.k = k;
    p.stride = s;
    p.pad = pad;
    p.out_h = fbnn_out_size(h, k, s, pad);
    p.out_w = fbnn_out_size(w, k, s, pad);
    return p;
}

static void test_conv_params_check(void **state)
{
    fbnn_conv_params p;
    (void)state;
    p = mkp(96, 32, 32, 16, 3, 1, 1);
    assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_OK);
    p = mkp(1, 1, 1, 1, 1, 1, 0);
    assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_OK);
    p = mkp(1, 1, 1, 1, 3, 2, 1); /* 1x1 map with a padded 3x3 window */
    assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_OK);
    p = mkp(65535, 15, 15, 65535, 15, 8, 14); /* every limit at once */
    assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_OK);
    p = mkp(7, 65535, 65535, 3, 1, 1, 0);
    assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_OK);

    assert_int_equal(fbnn_k_conv_params_check(NULL), FBNN_K_EBADARG);
#define BAD(expr)                                                                  \
    do {                                                                           \
        p = mkp(16, 8, 8, 16, 3, 1, 1);                                            \
        expr;                                                                      \
        assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_EBADARG);            \
    } while (0)
    BAD(p.in_c = 0);
    BAD(p.in_c = -1);
    BAD(p.in_c = 65536);
    BAD(p.in_h = 0);
    BAD(p.in_w = 65536);
    BAD(p.out_c = 0);
    BAD(p.out_c = 65536);
    BAD(p.k = 0);
    BAD(p.k = 16);
    BAD(p.stride = 0);
    BAD(p.stride = 9);
    BAD(p.pad = -1);
    BAD(p.pad = 3);
    BAD(p.out_h = 7);
    BAD(p.out_w = 9);
    BAD(p.out_h = 0);
    BAD((p.in_h = 2, p.pad = 0, p.out_h = 0)); /* window does not fit */
    BAD(p.in_w = INT32_MAX);
#undef BAD
    /* k = 2, pad 1, in 1: (1 + 2 - 2)/1 + 1 = 2 */
    p = mkp(3, 1, 1, 2, 2, 1, 1);
    assert_int_equal(p.out_h, 2);
    assert_int_equal(fbnn_k_conv_params_check(&p), FBNN_K_OK);
}

/* ========================================================================== */
/* thermometer                                                                 */
/* ========================================================================== */
static void check_thermometer(const uint8_t *img, int c, int h, int w, int res, int bits)
{
    int oc = c * bits;
    size_t nwords = nr_map_words(oc, h, w);
    size_t nvals = (size_t)oc * (size_t)h * (size_t)w;
    uint32_t *got = galloc(nwords * 4), *want = malloc(nwords * 4);
    int8_t *pm = malloc(nvals);
    assert_non_null(want);
    assert_non_null(pm);
    memset(got, 0xFF, nwords * 4); /* the kernel must clear every bit it does not set */
    assert_int_equal(fbnn_k_thermometer(img, c, h, w, res, bits, got), FBNN_K_OK);
    guard_check(got, nwords * 4);
    nr_thermometer(img, c, h, w, res, bits, pm);
    nr_pack_map(pm, oc, h, w, want);
    assert_words_identical(got, want, nwords, "thermometer");
    assert_true(nr_padding_clear(got, oc, (size_t)h * (size_t)w));
    free(got);
    free(want);
    free(pm);
}

static void test_thermometer_all_pixels(void **state)
{
    uint8_t img[256];
    int p, res;
    (void)state;
    for (p = 0; p < 256; ++p) img[p] = (uint8_t)p;
    for (res = 1; res <= 255; ++res) {
        int def = (int)((255 + res / 2) / res); /* ~round(255 / R) */
        int bits_list[5];
        int i;
        bits_list[0] = def < 1 ? 1 : def;
        bits_list[1] = 1;
        bits_list[2] = 33;
        bits_list[3] = 64;
        bits_list[4] = 300;
        for (i = 0; i < 5; ++i) {
            check_thermometer(img, 1, 1, 256, res, bits_list[i]);
            check_thermometer(img, 1, 16, 16, res, bits_list[i]);
        }
    }
}

/* p / 8 ties: 4 -> 0, 12 -> 2, 20 -> 2, 28 -> 4, 252 -> 32; count bits. */
static void test_thermometer_ties(void **state)
{
    static const int px[] = {0, 3, 4, 5, 11, 12, 13, 19, 20, 21, 28, 36, 100, 252, 255};
    static const int n8[] = {0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4, 12, 32, 32};
    int i;
    (void)state;
    for (i = 0; i < (int)(sizeof(px) / sizeof(px[0])); ++i) {
        uint8_t v = (uint8_t)px[i];
        uint32_t out[2] = {0xFFFFFFFFu, 0xFFFFFFFFu};
        assert_int_equal(fbnn_k_thermometer(&v, 1, 1, 1, 8, 32, out), FBNN_K_OK);
        assert_int_equal(fbnn_popcount32(out[0]), n8[i]);
        /* thermometer: the set bits are exactly the low n bits */
        assert_int_equal(out[0], n8[i] == 32 ? 0xFFFFFFFFu : ((1u << n8[i]) - 1u));
        assert_int_equal(out[1], 0xFFFFFFFFu); /* one word only: untouched */
    }
    /* R = 2: p = 1 -> 0.5 -> 0, p = 3 -> 1.5 -> 2, p = 5 -> 2.5 -> 2 */
    {
        uint8_t v[3] = {1, 3, 5};
        uint32_t out[3];
        assert_int_equal(fbnn_k_thermometer(v, 1, 1, 3, 2, 32, out), FBNN_K_OK);
        assert_int_equal(out[0], 0u);
        assert_int_equal(out[1], 3u);
        assert_int_equal(out[2], 3u);
    }
}

/* Colour-major channel order on random RGB / multi-channel images. */
static void test_thermometer_random(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 2);
    for (t = 0; t < 60; ++t) {
        int c = nr_range(&r, 1, 5), h = nr_range(&r, 1, 9), w = nr_range(&r, 1, 9);
        int res = nr_range(&r, 1, 40), bits = nr_range(&r, 1, 70);
        size_t n = (size_t)c * (size_t)h * (size_t)w, i;
        uint8_t *img = malloc(n);
        assert_non_null(img);
        for (i = 0; i < n; ++i) img[i] = (uint8_t)nr_u32(&r);
        check_thermometer(img, c, h, w, res, bits);
        if (t == 0) check_thermometer(img, c, h, w, 8, 32);
        free(img);
    }
    {
        /* the CIFAR-10 input: 3x32x32, R = 8, B = 32 -> 96 channels, 3 words */
        size_t n = 3 * 32 * 32, i;
        uint8_t *img = malloc(n);
        assert_non_null(img);
        for (i = 0; i < n; ++i) img[i] = (uint8_t)nr_u32(&r);
        check_thermometer(img, 3, 32, 32, 8, 32);
        free(img);
    }
}

static void test_thermometer_bad_args(void **state)
{
    uint8_t img[4] = {0, 1, 2, 3};
    uint32_t out[64];
    (void)state;
    assert_int_equal(fbnn_k_thermometer(NULL, 1, 2, 2, 8, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 2, 2, 8, 32, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 0, 2, 2, 8, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 0, 2, 8, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 2, -2, 8, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 65536, 1, 8, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 2, 2, 0, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 2, 2, 256, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 2, 2, 8, 0, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 1, 2, 2, 8, 1025, out), FBNN_K_EBADARG);
    /* C * bits output channels must stay <= 65535 */
    assert_int_equal(fbnn_k_thermometer(img, 2048, 1, 1, 8, 32, out), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_thermometer(img, 64, 1, 1, 8, 1024, out), FBNN_K_EBADARG);
}

/* ========================================================================== */
/* sign / Q2 packing                                                           */
/* ========================================================================== */
static void test_pack_sign(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 3);
    for (t = 0; t < 120; ++t) {
        int c = t < N_CHANNELS ? k_channels[t] : nr_range(&r, 1, 140);
        int h = nr_range(&r, 1, 7), w = nr_range(&r, 1, 7);
        size_t n = (size_t)c * (size_t)h * (size_t)w, nw = nr_map_words(c, h, w), i;
        float *x = malloc(n * sizeof(float));
        int8_t *pm = malloc(n);
        uint32_t *got = galloc(nw * 4), *want = malloc(nw * 4);
        assert_true(x && pm && want);
        fill_floats(&r, x, n);
        if (t == 1) x[0] = NAN; /* NaN is not >= 0 */
        for (i = 0; i < n; ++i) pm[i] = (x[i] >= 0.0f) ? 1 : -1; /* -0 >= 0 */
        memset(got, 0xFF, nw * 4);
        assert_int_equal(fbnn_k_pack_sign(x, c, h, w, got), FBNN_K_OK);
        guard_check(got, nw * 4);
        nr_pack_map(pm, c, h, w, want);
        assert_words_identical(got, want, nw, "pack_sign");
        free(x);
        free(pm);
        free(got);
        free(want);
    }
    {
        float z[2] = {-0.0f, 0.0f};
        uint32_t o = 0xFFFFFFFFu;
        assert_int_equal(fbnn_k_pack_sign(z, 2, 1, 1, &o), FBNN_K_OK);
        assert_int_equal(o, 3u);
    }
}

static void test_pack_sign_bad_args(void **state)
{
    float x[4] = {0};
    uint32_t o[4];
    (void)state;
    assert_int_equal(fbnn_k_pack_sign(NULL, 1, 2, 2, o), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pack_sign(x, 1, 2, 2, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pack_sign(x, 0, 2, 2, o), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pack_sign(x, 65536, 1, 1, o), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pack_sign(x, 1, -1, 2, o), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pack_sign(x, 1, 2, 0, o), FBNN_K_EBADARG);
}

static void test_quant2_pack(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 4);
    for (t = 0; t < 120; ++t) {
        int c = t < N_CHANNELS ? k_channels[t] : nr_range(&r, 1, 140);
        int h = nr_range(&r, 1, 7), w = nr_range(&r, 1, 7);
        size_t n = (size_t)c * (size_t)h * (size_t)w, nw = nr_map_words(c, h, w), i;
        float *x = malloc(n * sizeof(float));
        int8_t *m = malloc(n), *l = malloc(n);
        uint32_t *gm = galloc(nw * 4), *gl = galloc(nw * 4);
        uint32_t *wm = malloc(nw * 4), *wl = malloc(nw * 4);
        assert_true(x && m && l && wm && wl);
        fill_floats(&r, x, n);
        if (t == 2 && n >= 4) {
            x[0] = NAN;
            x[1] = INFINITY;
            x[2] = -INFINITY;
            x[3] = -0.0f;
        }
        for (i = 0; i < n; ++i) nr_quant2(x[i], &m[i], &l[i]);
        memset(gm, 0xFF, nw * 4);
        memset(gl, 0xFF, nw * 4);
        assert_int_equal(fbnn_k_quant2_pack(x, c, h, w, gm, gl), FBNN_K_OK);
        guard_check(gm, nw * 4);
        guard_check(gl, nw * 4);
        nr_pack_map(m, c, h, w, wm);
        nr_pack_map(l, c, h, w, wl);
        assert_words_identical(gm, wm, nw, "quant2 msb");
        assert_words_identical(gl, wl, nw, "quant2 lsb");
        free(x);
        free(m);
        free(l);
        free(gm);
        free(gl);
        free(wm);
        free(wl);
    }
    {
        /* the cut points themselves: 2/3 -> +1/3 (m=1,l=0); -2/3 -> -1/3 (m=0,l=1) */
        const float t3 = 2.0f / 3.0f;
        float x[6] = {t3, -t3, nextafterf(t3, 1.0f), nextafterf(-t3, -1.0f), 0.0f, -0.0f};
        uint32_t m = 0, l = 0;
        assert_int_equal(fbnn_k_quant2_pack(x, 6, 1, 1, &m, &l), FBNN_K_OK);
        /* bits:          ch0   ch1   ch2   ch3   ch4   ch5 */
        /* m:              1     0     1     0     1     1  */
        /* l:              0     1     1     0     0     0  */
        assert_int_equal(m, 0x35u);
        assert_int_equal(l, 0x06u);
    }
}

static void test_quant2_pack_bad_args(void **state)
{
    float x[4] = {0};
    uint32_t m[4], l[4];
    (void)state;
    assert_int_equal(fbnn_k_quant2_pack(NULL, 1, 2, 2, m, l), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant2_pack(x, 1, 2, 2, NULL, l), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant2_pack(x, 1, 2, 2, m, NULL), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant2_pack(x, 0, 2, 2, m, l), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant2_pack(x, 1, 65536, 2, m, l), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_quant2_pack(x, 1, 2, -3, m, l), FBNN_K_EBADARG);
}

/* ========================================================================== */
/* binary conv and PG conv                                                     */
/* ========================================================================== */
typedef struct conv_case {
    int ci, h, w, co, k, s, pad;
} conv_case;

/* Fixed edge cases: 1x1 maps, stride 2 on odd sizes, 1x1 kernels, big
 * padding, the CIFAR-10 and ImageNet FracBNN shapes. */
static const conv_case k_conv_fixed[] = {
    {96, 32, 32, 16, 3, 1, 1},  /* CIFAR stem */
    {16, 32, 32, 16, 3, 1, 1},  {16, 32, 32, 32, 3, 2, 1}, {32, 16, 16, 64, 3, 2, 1},
    {64, 8, 8, 64, 3, 1, 1},    {1, 1, 1, 1, 3, 1, 1},     {1, 1, 1, 3, 3, 2, 1},
    {33, 1, 1, 2, 1, 1, 0},     {5, 7, 7, 3, 3, 2, 1},     {5, 7, 7, 3, 3, 2, 0},
    {31, 9, 5, 2, 1, 2, 0},     {65, 5, 9, 2, 5, 3, 4},    {100, 3, 3, 4, 3, 1, 2},
    {7, 6, 6, 2, 2, 2, 1},      {128, 4, 4, 3, 1, 1, 0},   {3, 15, 15, 2, 15, 1, 7},
    {2, 4, 4, 1, 15, 8, 14},    {40, 2, 3, 5, 3, 3, 2},
};
#define N_CONV_FIXED ((int)(sizeof(k_conv_fixed) / sizeof(k_conv_fixed[0])))

static conv_case random_conv_case(nr_rng *r)
{
    static const int ks[] = {1, 1, 2, 3, 3, 3, 5};
    conv_case cc;
    do {
        cc.ci = (nr_u32(r) & 1u) ? k_channels[nr_range(r, 0, N_CHANNELS - 1)] : nr_range(r, 1, 70);
        cc.h = nr_range(r, 1, 9);
        cc.w = nr_range(r, 1, 9);
        cc.co = nr_range(r, 1, 6);
        cc.k = ks[nr_range(r, 0, 6)];
        cc.s = nr_range(r, 1, 3);
        cc.pad = nr_range(r, 0, cc.k - 1);
    } while (nr_out_dim(cc.h, cc.k, cc.s, cc.pad) < 1 || nr_out_dim(cc.w, cc.k, cc.s, cc.pad) < 1);
    return cc;
}

static void check_bconv(nr_rng *r, const conv_case *cc)
{
    fbnn_conv_params p = mkp(cc->ci, cc->h, cc->w, cc->co, cc->k, cc->s, cc->pad);
    size_t nx = (size_t)cc->ci * (size_t)cc->h * (size_t)cc->w;
    size_t nwt = (size_t)cc->co * (size_t)cc->ci * (size_t)cc->k * (size_t)cc->k;
    size_t ny = (size_t)cc->co * (size_t)p.out_h * (size_t)p.out_w, i;
    int8_t *x = malloc(nx), *wt = malloc(nwt);
    uint32_t *xb = malloc(nr_map_words(cc->ci, cc->h, cc->w) * 4);
    uint32_t *wb = malloc(nr_weight_words(cc->co, cc->ci, cc->k) * 4);
    int32_t *sum = malloc(ny * sizeof(int32_t));
    float *got = galloc(ny * sizeof(float)), *want = malloc(ny * sizeof(float));
    assert_true(x && wt && xb && wb && sum && want);
    assert_int_equal(p.out_h, nr_out_dim(cc->h, cc->k, cc->s, cc->pad));
    nr_pm1(r, x, nx);
    nr_pm1(r, wt, nwt);
    nr_pack_map(x, cc->ci, cc->h, cc->w, xb);
    nr_pack_weights(wt, cc->co, cc->ci, cc->k, wb);
    nr_conv(x, wt, cc->ci, cc->h, cc->w, cc->co, cc->k, cc->s, cc->pad, sum);
    for (i = 0; i < ny; ++i) want[i] = (float)sum[i];
    assert_int_equal(fbnn_k_bconv(xb, wb, &p, got), FBNN_K_OK);
    guard_check(got, ny * sizeof(float));
    assert_floats_identical(got, want, ny, "bconv");
    free(x);
    free(wt);
    free(xb);
    free(wb);
    free(sum);
    free(got);
    free(want);
}

static void test_bconv_fixed(void **state)
{
    nr_rng r;
    int i;
    (void)state;
    rng_for(&r, 5);
    for (i = 0; i < N_CONV_FIXED; ++i) check_bconv(&r, &k_conv_fixed[i]);
}

static void test_bconv_random(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 6);
    for (t = 0; t < 400; ++t) {
        conv_case cc = random_conv_case(&r);
        check_bconv(&r, &cc);
    }
}

/* All weights equal the input: sum = n_valid_taps * Ci (shows padded taps add 0). */
static void test_bconv_padding_adds_zero(void **state)
{
    uint32_t x[9], w[9];
    float y[9];
    fbnn_conv_params p = mkp(5, 3, 3, 1, 3, 1, 1);
    const float want[9] = {20, 30, 20, 30, 45, 30, 20, 30, 20};
    int i;
    (void)state;
    for (i = 0; i < 9; ++i) x[i] = w[i] = 0x1Fu; /* 5 channels all +1 */
    assert_int_equal(fbnn_k_bconv(x, w, &p, y), FBNN_K_OK);
    assert_memory_equal(y, want, sizeof(want));
    for (i = 0; i < 9; ++i) x[i] = 0u; /* all -1 against +1 weights */
    assert_int_equal(fbnn_k_bconv(x, w, &p, y), FBNN_K_OK);
    for (i = 0; i < 9; ++i) assert_true(y[i] == -want[i]);
}

static void test_bconv_bad_args(void **state)
{
    uint32_t x[64] = {0}, w[64] = {0};
    float y[64];
    fbnn_conv_params p = mkp(3, 4, 4, 2, 3, 1, 1), q;
    (void)state;
    assert_int_equal(fbnn_k_bconv(x, w, &p, y), FBNN_K_OK);
    assert_int_equal(fbnn_k_bconv(NULL, w, &p, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_bconv(x, NULL, &p, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_bconv(x, w, NULL, y), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_bconv(x, w, &p, NULL), FBNN_K_EBADARG);
    q = p;
    q.out_h = 3;
    assert_int_equal(fbnn_k_bconv(x, w, &q, y), FBNN_K_EBADARG);
    q = p;
    q.pad = 3;
    assert_int_equal(fbnn_k_bconv(x, w, &q, y), FBNN_K_EBADARG);
    q = p;
    q.k = 0;
    assert_int_equal(fbnn_k_bconv(x, w, &q, y), FBNN_K_EBADARG);
    q = p;
    q.stride = 9;
    assert_int_equal(fbnn_k_bconv(x, w, &q, y), FBNN_K_EBADARG);
    q = p;
    q.in_c = 0;
    assert_int_equal(fbnn_k_bconv(x, w, &q, y), FBNN_K_EBADARG);
}

enum { THR_LATTICE, THR_ALL, THR_NONE, THR_UNIFORM, THR_NAN, THR_MIXED, THR_MODES };

static void check_pgconv(nr_rng *r, const conv_case *cc, int mode)
{
    fbnn_conv_params p = mkp(cc->ci, cc->h, cc->w, cc->co, cc->k, cc->s, cc->pad);
    size_t nx = (size_t)cc->ci * (size_t)cc->h * (size_t)cc->w;
    size_t nwt = (size_t)cc->co * (size_t)cc->ci * (size_t)cc->k * (size_t)cc->k;
    size_t plane = (size_t)p.out_h * (size_t)p.out_w;
    size_t ny = (size_t)cc->co * plane, i;
    size_t nwx = nr_map_words(cc->ci, cc->h, cc->w);
    int8_t *m = malloc(nx), *l = malloc(nx), *wt = malloc(nwt);
    uint32_t *mb = malloc(nwx * 4), *lb = malloc(nwx * 4);
    uint32_t *wb = malloc(nr_weight_words(cc->co, cc->ci, cc->k) * 4);
    int32_t *sm = malloc(ny * sizeof(int32_t)), *sl = malloc(ny * sizeof(int32_t));
    float *thr = malloc((size_t)cc->co * sizeof(float));
    float *got = galloc(ny * sizeof(float)), *want = malloc(ny * sizeof(float));
    uint32_t n_gated = 12345u, want_gated = 0u;
    int o, bound = cc->k * cc->k * cc->ci;
    assert_true(m && l && wt && mb && lb && wb && sm && sl && thr && want);

    nr_pm1(r, m, nx);
    nr_pm1(r, l, nx);
    nr_pm1(r, wt, nwt);
    nr_pack_map(m, cc->ci, cc->h, cc->w, mb);
    nr_pack_map(l, cc->ci, cc->h, cc->w, lb);
    nr_pack_weights(wt, cc->co, cc->ci, cc->k, wb);
    nr_conv(m, wt, cc->ci, cc->h, cc->w, cc->co, cc->k, cc->s, cc->pad, sm);
    nr_conv(l, wt, cc->ci, cc->h, cc->w, cc->co, cc->k, cc->s, cc->pad, sl);

    for (o = 0; o < cc->co; ++o) {
        int md = mode == THR_MIXED ? nr_range(r, 0, THR_MIXED - 1) : mode;
        switch (md) {
        case THR_LATTICE: /* exactly on an o_msb value: tests the strict > */
            thr[o] = (float)(2 * nr_range(r, -bound, bound)) / 3.0f;
            if (plane > 0 && (nr_u32(r) & 1u))
                thr[o] = (float)(2 * sm[(size_t)o * plane + (size_t)nr_range(r, 0, (int)plane - 1)]) /
                         3.0f;
            break;
        case THR_ALL: thr[o] = (nr_u32(r) & 1u) ? -INFINITY : -1e30f; break;
        case THR_NONE: thr[o] = (nr_u32(r) & 1u) ? INFINITY : 1e30f; break;
        case THR_UNIFORM: thr[o] = nr_uniform(r, -(float)bound, (float)bound); break;
        default: thr[o] = NAN; break; /* NaN never gates */
        }
    }
    if (mode == THR_NONE) {
        /* the LSB plane must not be read at all: make it garbage */
        for (i = 0; i < nwx; ++i) lb[i] = nr_u32(r);
    }
    for (o = 0; o < cc->co; ++o)
        for (i = 0; i < plane; ++i) {
            size_t j = (size_t)o * plane + i;
            float o_msb = (float)(2 * sm[j]) / 3.0f;
            if (o_msb > thr[o]) {
                want[j] = (float)(2 * sm[j] + sl[j]) / 3.0f;
                ++want_gated;
            } else {
                want[j] = o_msb;
            }
        }
    assert_int_equal(fbnn_k_pgconv(mb, lb, wb, thr, &p, got, &n_gated), FBNN_K_OK);
    guard_check(got, ny * sizeof(float));
    assert_floats_identical(got, want, ny, "pgconv");
    assert_int_equal(n_gated, want_gated);
    if (mode == THR_ALL) assert_int_equal(n_gated, ny);
    if (mode == THR_NONE || mode == THR_NAN) assert_int_equal(n_gated, 0);
    /* n_gated is optional */
    memset(got, 0, ny * sizeof(float));
    assert_int_equal(fbnn_k_pgconv(mb, lb, wb, thr, &p, got, NULL), FBNN_K_OK);
    assert_floats_identical(got, want, ny, "pgconv (n_gated NULL)");
    free(m);
    free(l);
    free(wt);
    free(mb);
    free(lb);
    free(wb);
    free(sm);
    free(sl);
    free(thr);
    free(got);
    free(want);
}

static void test_pgconv_fixed(void **state)
{
    nr_rng r;
    int i, mode;
    (void)state;
    rng_for(&r, 7);
    for (i = 0; i < N_CONV_FIXED; ++i)
        for (mode = 0; mode < THR_MODES; ++mode) check_pgconv(&r, &k_conv_fixed[i], mode);
}

static void test_pgconv_random(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 8);
    for (t = 0; t < 400; ++t) {
        conv_case cc = random_conv_case(&r);
        check_pgconv(&r, &cc, t % THR_MODES);
    }
}

static void test_pgconv_bad_args(void **state)
{
    uint32_t m[64] = {0}, l[64] = {0}, w[64] = {0};
    float thr[2] = {0, 0}, y[64];
    uint32_t g;
    fbnn_conv_params p = mkp(3, 4, 4, 2, 3, 1, 1), q;
    (void)state;
    assert_int_equal(fbnn_k_pgconv(m, l, w, thr, &p, y, &g), FBNN_K_OK);
    assert_int_equal(fbnn_k_pgconv(NULL, l, w, thr, &p, y, &g), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pgconv(m, NULL, w, thr, &p, y, &g), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pgconv(m, l, NULL, thr, &p, y, &g), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pgconv(m, l, w, NULL, &p, y, &g), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pgconv(m, l, w, thr, NULL, y, &g), FBNN_K_EBADARG);
    assert_int_equal(fbnn_k_pgconv(m, l, w, thr, &p, NULL, &g), FBNN_K_EBADARG);
    q = p;
    q.out_w = 5;
    assert_int_equal(fbnn_k_pgconv(m, l, w, thr, &q, y, &g), FBNN_K_EBADARG);
    q = p;
    q.out_c = 0;
    assert_int_equal(fbnn_k_pgconv(m, l, w, thr, &q, y, &g), FBNN_K_EBADARG);
    q = p;
    q.pad = -1;
    assert_int_equal(fbnn_k_pgconv(m, l, w, thr, &q, y, &g), FBNN_K_EBADARG);
}

/* The helpers of the header. */
static void test_header_helpers(void **state)
{
    (void)state;
    assert_int_equal(FBNN_WORDS(1), 1);
    assert_int_equal(FBNN_WORDS(32), 1);
    assert_int_equal(FBNN_WORDS(33), 2);
    assert_int_equal(FBNN_WORDS(96), 3);
    assert_int_equal(fbnn_out_size(32, 3, 1, 1), 32);
    assert_int_equal(fbnn_out_size(32, 3, 2, 1), 16);
    assert_int_equal(fbnn_out_size(7, 3, 2, 1), 4);
    assert_int_equal(fbnn_out_size(7, 3, 2, 0), 3);
    assert_int_equal(fbnn_out_size(1, 3, 1, 0), 0);
    assert_int_equal(fbnn_popcount32(0u), 0);
    assert_int_equal(fbnn_popcount32(0xFFFFFFFFu), 32);
    assert_int_equal(fbnn_popcount32(0x80000001u), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_helpers),
        cmocka_unit_test(test_conv_params_check),
        cmocka_unit_test(test_thermometer_all_pixels),
        cmocka_unit_test(test_thermometer_ties),
        cmocka_unit_test(test_thermometer_random),
        cmocka_unit_test(test_thermometer_bad_args),
        cmocka_unit_test(test_pack_sign),
        cmocka_unit_test(test_pack_sign_bad_args),
        cmocka_unit_test(test_quant2_pack),
        cmocka_unit_test(test_quant2_pack_bad_args),
        cmocka_unit_test(test_bconv_fixed),
        cmocka_unit_test(test_bconv_random),
        cmocka_unit_test(test_bconv_padding_adds_zero),
        cmocka_unit_test(test_bconv_bad_args),
        cmocka_unit_test(test_pgconv_fixed),
        cmocka_unit_test(test_pgconv_random),
        cmocka_unit_test(test_pgconv_bad_args),
    };
    kernel_test_seed("test_kernels");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
