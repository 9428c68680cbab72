/**
 * @file test_layers.c
 * @brief Layer-level public API (include/fracbnn/layers.h): every wrapper
 *        gives the kernel's result bit for bit, maps bad arguments to
 *        FBNN_ERR_ARG without writing, and the packing helpers agree with the
 *        naive references. Ends with a small FracBNN network composed from
 *        the API and checked against a naive composition.
 *
 * Seeded: set FBNN_TEST_SEED=<n> to change the seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <math.h>

#include <cmocka.h>

#include "fracbnn/layers.h"
#include "fbnn_kernels.h"
#include "naive_ref.h"

static uint64_t g_seed = 20240607u;

static void rng_for(nr_rng *r, uint64_t test_id)
{
    nr_seed(r, g_seed * 0x9E3779B97F4A7C15ull + test_id * 0xD1B54A32D192ED03ull + 7u);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

static void fill_floats(nr_rng *r, float *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) v[i] = nr_float(r);
}

static fbnn_conv_shape mkshape(int ci, int h, int w, int co, int k, int s, int pad)
{
    fbnn_conv_shape sh;
    sh.in_c = ci;
    sh.in_h = h;
    sh.in_w = w;
    sh.out_c = co;
    sh.k = k;
    sh.stride = s;
    sh.pad = pad;
    return sh;
}

static fbnn_conv_params to_kparams(const fbnn_conv_shape *s)
{
    fbnn_conv_params p;
    p.in_c = s->in_c;
    p.in_h = s->in_h;
    p.in_w = s->in_w;
    p.out_c = s->out_c;
    p.k = s->k;
    p.stride = s->stride;
    p.pad = s->pad;
    p.out_h = fbnn_out_size(s->in_h, s->k, s->stride, s->pad);
    p.out_w = fbnn_out_size(s->in_w, s->k, s->stride, s->pad);
    return p;
}

static const int k_channels[] = {1, 2, 5, 16, 31, 32, 33, 63, 64, 65, 96, 100, 129};
#define N_CHANNELS ((int)(sizeof(k_channels) / sizeof(k_channels[0])))

/* ========================================================================== */
static void test_size_helpers(void **state)
{
    (void)state;
    assert_int_equal(FBNN_PACKED_WORDS(1), 1);
    assert_int_equal(FBNN_PACKED_WORDS(32), 1);
    assert_int_equal(FBNN_PACKED_WORDS(33), 2);
    assert_int_equal(FBNN_PACKED_WORDS(96), 3);

    assert_int_equal(fbnn_conv_out_dim(32, 3, 1, 1), 32);
    assert_int_equal(fbnn_conv_out_dim(32, 3, 2, 1), 16);
    assert_int_equal(fbnn_conv_out_dim(7, 3, 2, 1), 4);
    assert_int_equal(fbnn_conv_out_dim(7, 1, 2, 0), 4);
    assert_int_equal(fbnn_conv_out_dim(1, 3, 1, 1), 1);
    assert_int_equal(fbnn_conv_out_dim(1, 3, 1, 0), 0);   /* window does not fit */
    assert_int_equal(fbnn_conv_out_dim(0, 1, 1, 0), 0);
    assert_int_equal(fbnn_conv_out_dim(65536, 1, 1, 0), 0);
    assert_int_equal(fbnn_conv_out_dim(8, 0, 1, 0), 0);
    assert_int_equal(fbnn_conv_out_dim(8, 16, 1, 0), 0);
    assert_int_equal(fbnn_conv_out_dim(8, 3, 0, 1), 0);
    assert_int_equal(fbnn_conv_out_dim(8, 3, 9, 1), 0);
    assert_int_equal(fbnn_conv_out_dim(8, 3, 1, 3), 0);
    assert_int_equal(fbnn_conv_out_dim(8, 3, 1, -1), 0);
    assert_int_equal(fbnn_conv_out_dim(INT_MAX, 3, 1, 1), 0);
    assert_int_equal(fbnn_conv_out_dim(65535, 15, 8, 14), (65535 + 28 - 15) / 8 + 1);

    assert_int_equal(fbnn_packed_map_words(96, 32, 32), 3 * 32 * 32);
    assert_int_equal(fbnn_packed_map_words(1, 1, 1), 1);
    assert_int_equal(fbnn_packed_map_words(0, 1, 1), 0);
    assert_int_equal(fbnn_packed_map_words(1, -1, 1), 0);
    assert_int_equal(fbnn_packed_map_words(1, 1, 65536), 0);
    assert_true(fbnn_packed_map_words(65535, 65535, 65535) ==
                (size_t)65535 * 65535 * 2048); /* no int overflow */

    assert_int_equal(fbnn_packed_weight_words(16, 96, 3), 16 * 9 * 3);
    assert_int_equal(fbnn_packed_weight_words(10, 33, 1), 20);
    assert_int_equal(fbnn_packed_weight_words(0, 33, 1), 0);
    assert_int_equal(fbnn_packed_weight_words(1, 0, 1), 0);
    assert_int_equal(fbnn_packed_weight_words(1, 1, 0), 0);
    assert_int_equal(fbnn_packed_weight_words(1, 1, 16), 0);
    assert_int_equal(fbnn_packed_weight_words(65536, 1, 1), 0);
}

/* ========================================================================== */
static void test_pack_weights(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 1);
    for (t = 0; t < 120; ++t) {
        int ci = t < N_CHANNELS ? k_channels[t] : nr_range(&r, 1, 140);
        int co = nr_range(&r, 1, 6), k = (t % 3 == 0) ? 1 : nr_range(&r, 1, 5);
        size_t n = (size_t)co * (size_t)ci * (size_t)k * (size_t)k, i;
        size_t nw = fbnn_packed_weight_words(co, ci, k);
        float *w = xmalloc(n * 4);
        int8_t *pm = xmalloc(n);
        uint32_t *got = xmalloc(nw * 4 + 16), *want = xmalloc(nw * 4);
        assert_int_equal(nw, nr_weight_words(co, ci, k));
        fill_floats(&r, w, n);
        if (n > 3) {
            w[0] = 0.0f;  /* 0 -> -1 */
            w[1] = -0.0f; /* -0 -> -1 */
            w[2] = NAN;   /* NaN -> -1 */
            w[3] = 1e-30f;
        }
        for (i = 0; i < n; ++i) pm[i] = w[i] > 0.0f ? 1 : -1;
        memset(got, 0xFF, nw * 4 + 16);
        assert_int_equal(fbnn_pack_weights(w, co, ci, k, got), FBNN_OK);
        nr_pack_weights(pm, co, ci, k, want);
        assert_memory_equal(got, want, nw * 4);
        for (i = 0; i < 4; ++i) assert_int_equal(got[nw + i], 0xFFFFFFFFu); /* no overrun */
        free(w);
        free(pm);
        free(got);
        free(want);
    }
    {
        /* explicit bit order: co=1, ci=2, k=2; PyTorch [1][2][2][2] */
        const float w[8] = {/* c0 */ 1, -1, -1, 1, /* c1 */ 1, 1, -1, -1};
        uint32_t out[4];
        assert_int_equal(fbnn_pack_weights(w, 1, 2, 2, out), FBNN_OK);
        /* tap (0,0): c0=1,c1=1 -> 3; (0,1): c0=0,c1=1 -> 2; (1,0): 0; (1,1): c0=1 -> 1 */
        assert_int_equal(out[0], 3u);
        assert_int_equal(out[1], 2u);
        assert_int_equal(out[2], 0u);
        assert_int_equal(out[3], 1u);
    }
}

static void test_unpack_bits(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 2);
    for (t = 0; t < 100; ++t) {
        int c = t < N_CHANNELS ? k_channels[t] : nr_range(&r, 1, 140);
        int h = nr_range(&r, 1, 6), w = nr_range(&r, 1, 6);
        size_t n = (size_t)c * (size_t)h * (size_t)w, nw = fbnn_packed_map_words(c, h, w), i;
        int8_t *x = xmalloc(n), *got = xmalloc(n);
        uint32_t *b = xmalloc(nw * 4);
        float *xf = xmalloc(n * 4);
        nr_pm1(&r, x, n);
        nr_pack_map(x, c, h, w, b);
        assert_int_equal(fbnn_unpack_bits(b, c, h, w, got), FBNN_OK);
        assert_memory_equal(got, x, n);
        /* round trip through the sign activation */
        for (i = 0; i < n; ++i) xf[i] = (float)x[i];
        memset(b, 0xFF, nw * 4);
        assert_int_equal(fbnn_pack_sign(xf, c, h, w, b), FBNN_OK);
        assert_true(nr_padding_clear(b, c, (size_t)h * (size_t)w));
        memset(got, 0, n);
        assert_int_equal(fbnn_unpack_bits(b, c, h, w, got), FBNN_OK);
        assert_memory_equal(got, x, n);
        free(x);
        free(got);
        free(b);
        free(xf);
    }
}

/* ========================================================================== */
/* each wrapper == its kernel                                                 */
/* ========================================================================== */
static void test_bit_ops_match_kernels(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 3);
    for (t = 0; t < 60; ++t) {
        int c = nr_range(&r, 1, 4), h = nr_range(&r, 1, 8), w = nr_range(&r, 1, 8);
        int res = nr_range(&r, 1, 32), bits = nr_range(&r, 1, 40);
        int cq = k_channels[nr_range(&r, 0, N_CHANNELS - 1)];
        size_t npx = (size_t)c * (size_t)h * (size_t)w, i;
        size_t nwt = fbnn_packed_map_words(c * bits, h, w);
        size_t nq = (size_t)cq * (size_t)h * (size_t)w, nwq = fbnn_packed_map_words(cq, h, w);
        uint8_t *img = xmalloc(npx);
        uint32_t *a = xmalloc(nwt * 4), *b = xmalloc(nwt * 4);
        float *x = xmalloc(nq * 4);
        uint32_t *m1 = xmalloc(nwq * 4), *l1 = xmalloc(nwq * 4), *m2 = xmalloc(nwq * 4),
                 *l2 = xmalloc(nwq * 4);
        for (i = 0; i < npx; ++i) img[i] = (uint8_t)nr_u32(&r);
        assert_int_equal(fbnn_thermometer_encode(img, c, h, w, res, bits, a), FBNN_OK);
        assert_int_equal(fbnn_k_thermometer(img, c, h, w, res, bits, b), FBNN_K_OK);
        assert_memory_equal(a, b, nwt * 4);

        fill_floats(&r, x, nq);
        assert_int_equal(fbnn_pack_sign(x, cq, h, w, m1), FBNN_OK);
        assert_int_equal(fbnn_k_pack_sign(x, cq, h, w, m2), FBNN_K_OK);
        assert_memory_equal(m1, m2, nwq * 4);
        assert_int_equal(fbnn_quant2_pack(x, cq, h, w, m1, l1), FBNN_OK);
        assert_int_equal(fbnn_k_quant2_pack(x, cq, h, w, m2, l2), FBNN_K_OK);
        assert_memory_equal(m1, m2, nwq * 4);
        assert_memory_equal(l1, l2, nwq * 4);
        {
            int k = nr_range(&r, 1, 3), s = nr_range(&r, 1, 2), pad = nr_range(&r, 0, k - 1);
            int ho = fbnn_conv_out_dim(h, k, s, pad), wo = fbnn_conv_out_dim(w, k, s, pad);
            if (ho > 0 && wo > 0) {
                size_t nwo = fbnn_packed_map_words(cq, ho, wo);
                uint32_t *p1 = xmalloc(nwo * 4), *p2 = xmalloc(nwo * 4);
                assert_int_equal(fbnn_maxpool_bits(m1, cq, h, w, k, s, pad, p1), FBNN_OK);
                assert_int_equal(fbnn_k_maxpool_bits(m1, cq, h, w, k, s, pad, p2), FBNN_K_OK);
                assert_memory_equal(p1, p2, nwo * 4);
                free(p1);
                free(p2);
            }
        }
        free(img);
        free(a);
        free(b);
        free(x);
        free(m1);
        free(l1);
        free(m2);
        free(l2);
    }
}

static void test_convs_match_kernels(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 4);
    for (t = 0; t < 120; ++t) {
        static const int ks[] = {1, 3};
        int k = ks[t & 1], s = nr_range(&r, 1, 2), pad = (t & 2) && k == 3 ? 1 : 0;
        int ci = k_channels[nr_range(&r, 0, N_CHANNELS - 1)], co = nr_range(&r, 1, 5);
        int h = nr_range(&r, 1, 9), w = nr_range(&r, 1, 9);
        fbnn_conv_shape sh = mkshape(ci, h, w, co, k, s, pad);
        fbnn_conv_params p = to_kparams(&sh);
        size_t nwx, nww, ny, i;
        uint32_t *m, *l, *wb, g1 = 0, g2 = 0;
        float *wf, *thr, *y1, *y2;
        int o;
        if (p.out_h < 1 || p.out_w < 1) {
            assert_int_equal(fbnn_bconv((uint32_t *)&g1, (uint32_t *)&g1, &sh, (float *)&g2),
                             FBNN_ERR_ARG);
            continue;
        }
        nwx = fbnn_packed_map_words(ci, h, w);
        nww = fbnn_packed_weight_words(co, ci, k);
        ny = (size_t)co * (size_t)p.out_h * (size_t)p.out_w;
        m = xmalloc(nwx * 4);
        l = xmalloc(nwx * 4);
        wb = xmalloc(nww * 4);
        wf = xmalloc((size_t)co * (size_t)ci * (size_t)k * (size_t)k * 4);
        thr = xmalloc((size_t)co * 4);
        y1 = xmalloc(ny * 4);
        y2 = xmalloc(ny * 4);
        {
            size_t nx = (size_t)ci * (size_t)h * (size_t)w;
            float *xf = xmalloc(nx * 4);
            fill_floats(&r, xf, nx);
            assert_int_equal(fbnn_quant2_pack(xf, ci, h, w, m, l), FBNN_OK);
            free(xf);
        }
        fill_floats(&r, wf, (size_t)co * (size_t)ci * (size_t)k * (size_t)k);
        assert_int_equal(fbnn_pack_weights(wf, co, ci, k, wb), FBNN_OK);
        for (o = 0; o < co; ++o)
            thr[o] = (float)(2 * nr_range(&r, -k * k * ci, k * k * ci)) / 3.0f;

        assert_int_equal(fbnn_bconv(m, wb, &sh, y1), FBNN_OK);
        assert_int_equal(fbnn_k_bconv(m, wb, &p, y2), FBNN_K_OK);
        assert_memory_equal(y1, y2, ny * 4);

        assert_int_equal(fbnn_pgconv(m, l, wb, thr, &sh, y1, &g1), FBNN_OK);
        assert_int_equal(fbnn_k_pgconv(m, l, wb, thr, &p, y2, &g2), FBNN_K_OK);
        assert_memory_equal(y1, y2, ny * 4);
        assert_int_equal(g1, g2);
        assert_int_equal(fbnn_pgconv(m, l, wb, thr, &sh, y1, NULL), FBNN_OK);
        assert_memory_equal(y1, y2, ny * 4);
        for (i = 0; i < ny; ++i) assert_true(y1[i] == y1[i]); /* no NaN */
        free(m);
        free(l);
        free(wb);
        free(wf);
        free(thr);
        free(y1);
        free(y2);
    }
}

static void test_real_ops_match_kernels(void **state)
{
    nr_rng r;
    int t;
    (void)state;
    rng_for(&r, 5);
    for (t = 0; t < 80; ++t) {
        int c = nr_range(&r, 1, 20), h = nr_range(&r, 1, 9), w = nr_range(&r, 1, 9);
        int hw = h * w, n = c * hw;
        float *x = xmalloc((size_t)n * 4), *x1 = xmalloc((size_t)n * 4);
        float *a = xmalloc((size_t)c * 4), *b = xmalloc((size_t)c * 4), *s = xmalloc((size_t)c * 4);
        float *y1 = xmalloc((size_t)n * 4 * 3), *y2 = xmalloc((size_t)n * 4 * 3);
        fill_floats(&r, x, (size_t)n);
        fill_floats(&r, x1, (size_t)n);
        fill_floats(&r, a, (size_t)c);
        fill_floats(&r, b, (size_t)c);
        fill_floats(&r, s, (size_t)c);

        assert_int_equal(fbnn_affine(x, a, b, c, hw, y1), FBNN_OK);
        assert_int_equal(fbnn_k_affine(x, a, b, c, hw, y2), FBNN_K_OK);
        assert_memory_equal(y1, y2, (size_t)n * 4);
        assert_int_equal(fbnn_rprelu(x, a, s, b, c, hw, y1), FBNN_OK);
        assert_int_equal(fbnn_k_rprelu(x, a, s, b, c, hw, y2), FBNN_K_OK);
        assert_memory_equal(y1, y2, (size_t)n * 4);
        assert_int_equal(fbnn_residual_add(x, x1, n, y1), FBNN_OK);
        assert_int_equal(fbnn_k_add(x, x1, n, y2), FBNN_K_OK);
        assert_memory_equal(y1, y2, (size_t)n * 4);
        assert_int_equal(fbnn_global_avgpool(x, c, h, w, y1), FBNN_OK);
        assert_int_equal(fbnn_k_global_avgpool(x, c, h, w, y2), FBNN_K_OK);
        assert_memory_equal(y1, y2, (size_t)c * 4);
        {
            int n_out = c > 10 ? 10 : c; /* weights [n_out][n], bias a[0..n_out-1] */
            float *fw = xmalloc((size_t)n_out * (size_t)n * 4);
            fill_floats(&r, fw, (size_t)n_out * (size_t)n);
            assert_int_equal(fbnn_fully_connected(x, n, fw, a, n_out, y1), FBNN_OK);
            assert_int_equal(fbnn_k_fc(x, n, fw, a, n_out, y2), FBNN_K_OK);
            assert_memory_equal(y1, y2, (size_t)n_out * 4);
            free(fw);
        }
        {
            int bits = nr_range(&r, 1, 16);
            assert_int_equal(fbnn_quant_uniform(x, n, bits, -1.5f, 2.0f, y1), FBNN_OK);
            assert_int_equal(fbnn_k_quant_uniform(x, n, bits, -1.5f, 2.0f, y2), FBNN_K_OK);
            assert_memory_equal(y1, y2, (size_t)n * 4);
        }
        {
            int k = nr_range(&r, 1, 3), st = nr_range(&r, 1, 3), dup = nr_range(&r, 1, 3);
            int pad = nr_range(&r, 0, k - 1);
            if (h >= k && w >= k) {
                size_t ny = (size_t)c * (size_t)dup * (size_t)((h - k) / st + 1) *
                            (size_t)((w - k) / st + 1);
                assert_int_equal(fbnn_avgpool(x, c, h, w, k, st, dup, y1), FBNN_OK);
                assert_int_equal(fbnn_k_avgpool(x, c, h, w, k, st, dup, y2), FBNN_K_OK);
                assert_memory_equal(y1, y2, ny * 4);
            }
            if (h >= 2 && w >= 2) {
                size_t ny = (size_t)c * (size_t)dup * (size_t)(h / 2) * (size_t)(w / 2);
                assert_int_equal(fbnn_avgpool2x2(x, c, h, w, dup, y1), FBNN_OK);
                assert_int_equal(fbnn_k_avgpool(x, c, h, w, 2, 2, dup, y2), FBNN_K_OK);
                assert_memory_equal(y1, y2, ny * 4);
            } else {
                assert_int_equal(fbnn_avgpool2x2(x, c, h, w, dup, y1), FBNN_ERR_ARG);
            }
            {
                int ho = fbnn_conv_out_dim(h, k, st, pad), wo = fbnn_conv_out_dim(w, k, st, pad);
                if (ho > 0 && wo > 0) {
                    size_t ny = (size_t)c * (size_t)ho * (size_t)wo;
                    assert_int_equal(fbnn_maxpool(x, c, h, w, k, st, pad, y1), FBNN_OK);
                    assert_int_equal(fbnn_k_maxpool(x, c, h, w, k, st, pad, y2), FBNN_K_OK);
                    assert_memory_equal(y1, y2, ny * 4);
                }
            }
        }
        free(x);
        free(x1);
        free(a);
        free(b);
        free(s);
        free(y1);
        free(y2);
    }
}

/* ========================================================================== */
/* bad arguments -> FBNN_ERR_ARG, output untouched                            */
/* ========================================================================== */
#define SENTINEL 0x5Au

static int untouched(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; ++i)
        if (b[i] != SENTINEL) return 0;
    return 1;
}

static void test_bad_args(void **state)
{
    uint8_t img[64] = {0};
    float x[256] = {0}, a[16] = {0}, thr[16] = {0};
    uint32_t bits[256] = {0}, wb[256] = {0};
    int8_t i8[256];
    float y[256];
    uint32_t yb[256];
    fbnn_conv_shape sh = mkshape(3, 4, 4, 2, 3, 1, 1), q;
    uint32_t g = 77;
    (void)state;

#define EXPECT_ARG(call)                                      \
    do {                                                      \
        memset(y, SENTINEL, sizeof(y));                       \
        memset(yb, SENTINEL, sizeof(yb));                     \
        memset(i8, SENTINEL, sizeof(i8));                     \
        assert_int_equal((call), FBNN_ERR_ARG);               \
        assert_true(untouched(y, sizeof(y)));                 \
        assert_true(untouched(yb, sizeof(yb)));               \
        assert_true(untouched(i8, sizeof(i8)));               \
    } while (0)

    /* sanity: the base calls are valid */
    assert_int_equal(fbnn_bconv(bits, wb, &sh, y), FBNN_OK);
    assert_int_equal(fbnn_pgconv(bits, bits, wb, thr, &sh, y, &g), FBNN_OK);

    EXPECT_ARG(fbnn_thermometer_encode(NULL, 1, 2, 2, 8, 32, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, 2, 2, 8, 32, NULL));
    EXPECT_ARG(fbnn_thermometer_encode(img, 0, 2, 2, 8, 32, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, INT_MAX, 2, 8, 32, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, 2, INT_MIN, 8, 32, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, 2, 2, 0, 32, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, 2, 2, 256, 32, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, 2, 2, 8, 0, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 1, 2, 2, 8, 1025, yb));
    EXPECT_ARG(fbnn_thermometer_encode(img, 3000, 1, 1, 8, 32, yb));

    EXPECT_ARG(fbnn_pack_sign(NULL, 1, 2, 2, yb));
    EXPECT_ARG(fbnn_pack_sign(x, 1, 2, 2, NULL));
    EXPECT_ARG(fbnn_pack_sign(x, -1, 2, 2, yb));
    EXPECT_ARG(fbnn_pack_sign(x, 1, 65536, 2, yb));
    EXPECT_ARG(fbnn_quant2_pack(NULL, 1, 2, 2, yb, yb + 8));
    EXPECT_ARG(fbnn_quant2_pack(x, 1, 2, 2, NULL, yb));
    EXPECT_ARG(fbnn_quant2_pack(x, 1, 2, 2, yb, NULL));
    EXPECT_ARG(fbnn_quant2_pack(x, 1, 0, 2, yb, yb + 8));
    EXPECT_ARG(fbnn_unpack_bits(NULL, 1, 2, 2, i8));
    EXPECT_ARG(fbnn_unpack_bits(bits, 1, 2, 2, NULL));
    EXPECT_ARG(fbnn_unpack_bits(bits, 0, 2, 2, i8));
    EXPECT_ARG(fbnn_unpack_bits(bits, 1, 2, 65536, i8));
    EXPECT_ARG(fbnn_pack_weights(NULL, 1, 1, 3, yb));
    EXPECT_ARG(fbnn_pack_weights(x, 1, 1, 3, NULL));
    EXPECT_ARG(fbnn_pack_weights(x, 0, 1, 3, yb));
    EXPECT_ARG(fbnn_pack_weights(x, 1, 0, 3, yb));
    EXPECT_ARG(fbnn_pack_weights(x, 1, 1, 0, yb));
    EXPECT_ARG(fbnn_pack_weights(x, 1, 1, 16, yb));
    EXPECT_ARG(fbnn_pack_weights(x, 1, INT_MAX, 1, yb));

    EXPECT_ARG(fbnn_bconv(NULL, wb, &sh, y));
    EXPECT_ARG(fbnn_bconv(bits, NULL, &sh, y));
    EXPECT_ARG(fbnn_bconv(bits, wb, NULL, y));
    EXPECT_ARG(fbnn_bconv(bits, wb, &sh, NULL));
#define BAD_SHAPE(expr)                                        \
    do {                                                       \
        q = sh;                                                \
        expr;                                                  \
        EXPECT_ARG(fbnn_bconv(bits, wb, &q, y));               \
        g = 77;                                                \
        EXPECT_ARG(fbnn_pgconv(bits, bits, wb, thr, &q, y, &g)); \
        assert_int_equal(g, 77);                               \
    } while (0)
    BAD_SHAPE(q.in_c = 0);
    BAD_SHAPE(q.in_c = 65536);
    BAD_SHAPE(q.in_h = -4);
    BAD_SHAPE(q.in_w = INT_MAX);
    BAD_SHAPE(q.out_c = 0);
    BAD_SHAPE(q.k = 0);
    BAD_SHAPE(q.k = 16);
    BAD_SHAPE(q.stride = 0);
    BAD_SHAPE(q.stride = 9);
    BAD_SHAPE(q.pad = 3);
    BAD_SHAPE(q.pad = -1);
    BAD_SHAPE((q.in_h = 1, q.pad = 0)); /* 3x3 window on a 1-row map without padding */
#undef BAD_SHAPE
    EXPECT_ARG(fbnn_pgconv(NULL, bits, wb, thr, &sh, y, &g));
    EXPECT_ARG(fbnn_pgconv(bits, NULL, wb, thr, &sh, y, &g));
    EXPECT_ARG(fbnn_pgconv(bits, bits, NULL, thr, &sh, y, &g));
    EXPECT_ARG(fbnn_pgconv(bits, bits, wb, NULL, &sh, y, &g));
    EXPECT_ARG(fbnn_pgconv(bits, bits, wb, thr, NULL, y, &g));
    EXPECT_ARG(fbnn_pgconv(bits, bits, wb, thr, &sh, NULL, &g));

    EXPECT_ARG(fbnn_affine(NULL, a, a, 1, 4, y));
    EXPECT_ARG(fbnn_affine(x, NULL, a, 1, 4, y));
    EXPECT_ARG(fbnn_affine(x, a, NULL, 1, 4, y));
    EXPECT_ARG(fbnn_affine(x, a, a, 1, 4, NULL));
    EXPECT_ARG(fbnn_affine(x, a, a, 0, 4, y));
    EXPECT_ARG(fbnn_affine(x, a, a, 65536, 4, y));
    EXPECT_ARG(fbnn_affine(x, a, a, 1, 0, y));
    EXPECT_ARG(fbnn_affine(x, a, a, 1, INT_MIN, y));
    EXPECT_ARG(fbnn_rprelu(NULL, a, a, a, 1, 4, y));
    EXPECT_ARG(fbnn_rprelu(x, NULL, a, a, 1, 4, y));
    EXPECT_ARG(fbnn_rprelu(x, a, NULL, a, 1, 4, y));
    EXPECT_ARG(fbnn_rprelu(x, a, a, NULL, 1, 4, y));
    EXPECT_ARG(fbnn_rprelu(x, a, a, a, 1, 4, NULL));
    EXPECT_ARG(fbnn_rprelu(x, a, a, a, 0, 4, y));
    EXPECT_ARG(fbnn_rprelu(x, a, a, a, 1, -1, y));
    EXPECT_ARG(fbnn_residual_add(NULL, x, 4, y));
    EXPECT_ARG(fbnn_residual_add(x, NULL, 4, y));
    EXPECT_ARG(fbnn_residual_add(x, x, 4, NULL));
    EXPECT_ARG(fbnn_residual_add(x, x, 0, y));
    EXPECT_ARG(fbnn_residual_add(x, x, -5, y));

    EXPECT_ARG(fbnn_avgpool(NULL, 1, 4, 4, 2, 2, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 2, 2, 1, NULL));
    EXPECT_ARG(fbnn_avgpool(x, 0, 4, 4, 2, 2, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 1, 4, 2, 2, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 0, 2, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 16, 2, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 2, 0, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 2, 9, 1, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 2, 2, 0, y));
    EXPECT_ARG(fbnn_avgpool(x, 1, 4, 4, 2, 2, 17, y));
    EXPECT_ARG(fbnn_avgpool(x, 40000, 4, 4, 2, 2, 2, y));
    EXPECT_ARG(fbnn_avgpool2x2(x, 1, 1, 4, 2, y));
    EXPECT_ARG(fbnn_avgpool2x2(x, 1, 4, 4, 0, y));
    EXPECT_ARG(fbnn_avgpool2x2(NULL, 1, 4, 4, 2, y));
    EXPECT_ARG(fbnn_global_avgpool(NULL, 1, 2, 2, y));
    EXPECT_ARG(fbnn_global_avgpool(x, 1, 2, 2, NULL));
    EXPECT_ARG(fbnn_global_avgpool(x, 0, 2, 2, y));
    EXPECT_ARG(fbnn_global_avgpool(x, 1, 2, INT_MAX, y));
    EXPECT_ARG(fbnn_maxpool(NULL, 1, 4, 4, 3, 2, 1, y));
    EXPECT_ARG(fbnn_maxpool(x, 1, 4, 4, 3, 2, 1, NULL));
    EXPECT_ARG(fbnn_maxpool(x, 0, 4, 4, 3, 2, 1, y));
    EXPECT_ARG(fbnn_maxpool(x, 1, 4, 4, 3, 2, 3, y));
    EXPECT_ARG(fbnn_maxpool(x, 1, 4, 4, 3, 0, 1, y));
    EXPECT_ARG(fbnn_maxpool(x, 1, 1, 1, 2, 1, 0, y));
    EXPECT_ARG(fbnn_maxpool_bits(NULL, 1, 4, 4, 3, 2, 1, yb));
    EXPECT_ARG(fbnn_maxpool_bits(bits, 1, 4, 4, 3, 2, 1, NULL));
    EXPECT_ARG(fbnn_maxpool_bits(bits, 65536, 4, 4, 3, 2, 1, yb));
    EXPECT_ARG(fbnn_maxpool_bits(bits, 1, 4, 4, 16, 2, 1, yb));
    EXPECT_ARG(fbnn_maxpool_bits(bits, 1, 4, 4, 3, 2, -1, yb));
    EXPECT_ARG(fbnn_fully_connected(NULL, 4, x, a, 2, y));
    EXPECT_ARG(fbnn_fully_connected(x, 4, NULL, a, 2, y));
    EXPECT_ARG(fbnn_fully_connected(x, 4, x, NULL, 2, y));
    EXPECT_ARG(fbnn_fully_connected(x, 4, x, a, 2, NULL));
    EXPECT_ARG(fbnn_fully_connected(x, 0, x, a, 2, y));
    EXPECT_ARG(fbnn_fully_connected(x, 4, x, a, 0, y));
    EXPECT_ARG(fbnn_fully_connected(x, 4, x, a, 65536, y));
    EXPECT_ARG(fbnn_quant_uniform(NULL, 4, 2, 0.0f, 1.0f, y));
    EXPECT_ARG(fbnn_quant_uniform(x, 4, 2, 0.0f, 1.0f, NULL));
    EXPECT_ARG(fbnn_quant_uniform(x, 0, 2, 0.0f, 1.0f, y));
    EXPECT_ARG(fbnn_quant_uniform(x, 4, 0, 0.0f, 1.0f, y));
    EXPECT_ARG(fbnn_quant_uniform(x, 4, 17, 0.0f, 1.0f, y));
    EXPECT_ARG(fbnn_quant_uniform(x, 4, 2, 1.0f, 1.0f, y));
    EXPECT_ARG(fbnn_quant_uniform(x, 4, 2, 0.0f, NAN, y));
    EXPECT_ARG(fbnn_quant_uniform(x, 4, 2, 0.0f, INFINITY, y));
#undef EXPECT_ARG
}

/* ========================================================================== */
/* A small FracBNN network composed from the API, against a naive pipeline    */
/* (unpacked +-1 values, direct loops) following FRACBNN.md.                  */
/* ========================================================================== */
#define NET_C 3
#define NET_H 8
#define NET_W 8
#define NET_B 8   /* thermometer bits; resolution 32 */
#define NET_R 32
#define NET_F 8   /* stem channels */
#define NET_F2 16 /* after the stride-2 block */
#define NET_CLASSES 5

typedef struct net_params {
    float stem_w[NET_F * NET_C * NET_B * 9];
    float bn0_a[NET_F], bn0_b[NET_F];
    float c1_w[NET_F2 * NET_F * 9], c1_t[NET_F2];
    float bn1_a[NET_F2], bn1_b[NET_F2];
    float rp_bx[NET_F2], rp_sl[NET_F2], rp_by[NET_F2];
    float bn3_a[NET_F2], bn3_b[NET_F2];
    float fc_w[NET_CLASSES * NET_F2], fc_b[NET_CLASSES];
} net_params;

static void net_init(nr_rng *r, net_params *p)
{
    size_t i;
    for (i = 0; i < sizeof(p->stem_w) / 4; ++i) p->stem_w[i] = nr_uniform(r, -1.0f, 1.0f);
    for (i = 0; i < sizeof(p->c1_w) / 4; ++i) p->c1_w[i] = nr_uniform(r, -1.0f, 1.0f);
    for (i = 0; i < NET_F; ++i) {
        p->bn0_a[i] = nr_uniform(r, 0.01f, 0.1f);
        p->bn0_b[i] = nr_uniform(r, -0.5f, 0.5f);
    }
    for (i = 0; i < NET_F2; ++i) {
        p->c1_t[i] = nr_uniform(r, -3.0f, 3.0f);
        p->bn1_a[i] = nr_uniform(r, 0.05f, 0.3f);
        p->bn1_b[i] = nr_uniform(r, -0.5f, 0.5f);
        p->rp_bx[i] = nr_uniform(r, -0.3f, 0.3f);
        p->rp_sl[i] = nr_uniform(r, 0.0f, 0.5f);
        p->rp_by[i] = nr_uniform(r, -0.3f, 0.3f);
        p->bn3_a[i] = nr_uniform(r, 0.5f, 1.5f);
        p->bn3_b[i] = nr_uniform(r, -0.2f, 0.2f);
    }
    for (i = 0; i < sizeof(p->fc_w) / 4; ++i) p->fc_w[i] = nr_uniform(r, -1.0f, 1.0f);
    for (i = 0; i < NET_CLASSES; ++i) p->fc_b[i] = nr_uniform(r, -0.1f, 0.1f);
}

enum { NC0 = NET_C * NET_B, NH1 = NET_H / 2, NW1 = NET_W / 2 };

/* stem: therm -> bconv 3x3 -> affine; block: Q2 -> PG conv s2 -> affine ->
 * RPReLU; shortcut avgpool2x2 dup 2; add; affine; GAP; FC. */
static void net_api(const uint8_t *img, const net_params *p, float *logits, uint32_t *gated)
{
    static uint32_t therm[NET_H * NET_W * 1], wstem[NET_F * 9 * 1], w1[NET_F2 * 9];
    static uint32_t qm[NET_H * NET_W], ql[NET_H * NET_W];
    static float x0[NET_F * NET_H * NET_W], o[NET_F2 * NH1 * NW1], sc[NET_F2 * NH1 * NW1];
    static float gap[NET_F2];
    fbnn_conv_shape stem = mkshape(NC0, NET_H, NET_W, NET_F, 3, 1, 1);
    fbnn_conv_shape c1 = mkshape(NET_F, NET_H, NET_W, NET_F2, 3, 2, 1);
    assert_int_equal(fbnn_thermometer_encode(img, NET_C, NET_H, NET_W, NET_R, NET_B, therm),
                     FBNN_OK);
    assert_int_equal(fbnn_pack_weights(p->stem_w, NET_F, NC0, 3, wstem), FBNN_OK);
    assert_int_equal(fbnn_pack_weights(p->c1_w, NET_F2, NET_F, 3, w1), FBNN_OK);
    assert_int_equal(fbnn_bconv(therm, wstem, &stem, x0), FBNN_OK);
    assert_int_equal(fbnn_affine(x0, p->bn0_a, p->bn0_b, NET_F, NET_H * NET_W, x0), FBNN_OK);
    assert_int_equal(fbnn_quant2_pack(x0, NET_F, NET_H, NET_W, qm, ql), FBNN_OK);
    assert_int_equal(fbnn_pgconv(qm, ql, w1, p->c1_t, &c1, o, gated), FBNN_OK);
    assert_int_equal(fbnn_affine(o, p->bn1_a, p->bn1_b, NET_F2, NH1 * NW1, o), FBNN_OK);
    assert_int_equal(fbnn_rprelu(o, p->rp_bx, p->rp_sl, p->rp_by, NET_F2, NH1 * NW1, o), FBNN_OK);
    /* the CIFAR stride-2 shortcut: cat(avgpool2x2(x), avgpool2x2(x)) */
    assert_int_equal(fbnn_avgpool2x2(x0, NET_F, NET_H, NET_W, 2, sc), FBNN_OK);
    assert_int_equal(fbnn_residual_add(o, sc, NET_F2 * NH1 * NW1, o), FBNN_OK);
    assert_int_equal(fbnn_affine(o, p->bn3_a, p->bn3_b, NET_F2, NH1 * NW1, o), FBNN_OK);
    assert_int_equal(fbnn_global_avgpool(o, NET_F2, NH1, NW1, gap), FBNN_OK);
    assert_int_equal(fbnn_fully_connected(gap, NET_F2, p->fc_w, p->fc_b, NET_CLASSES, logits),
                     FBNN_OK);
}

static void net_naive(const uint8_t *img, const net_params *p, float *logits, uint32_t *gated)
{
    static int8_t therm[NC0 * NET_H * NET_W], ws[NET_F * NC0 * 9], w1[NET_F2 * NET_F * 9];
    static int8_t m[NET_F * NET_H * NET_W], l[NET_F * NET_H * NET_W];
    static int32_t s0[NET_F * NET_H * NET_W], sm[NET_F2 * NH1 * NW1], sl[NET_F2 * NH1 * NW1];
    static float x0[NET_F * NET_H * NET_W], o[NET_F2 * NH1 * NW1], sc[NET_F2 * NH1 * NW1];
    static float gap[NET_F2];
    size_t i;
    int c;
    nr_thermometer(img, NET_C, NET_H, NET_W, NET_R, NET_B, therm);
    for (i = 0; i < sizeof(ws); ++i) ws[i] = p->stem_w[i] > 0.0f ? 1 : -1;
    for (i = 0; i < sizeof(w1); ++i) w1[i] = p->c1_w[i] > 0.0f ? 1 : -1;
    nr_conv(therm, ws, NC0, NET_H, NET_W, NET_F, 3, 1, 1, s0);
    for (i = 0; i < sizeof(x0) / 4; ++i) x0[i] = (float)s0[i];
    nr_affine(x0, p->bn0_a, p->bn0_b, NET_F, NET_H * NET_W, x0);
    for (i = 0; i < sizeof(x0) / 4; ++i) nr_quant2(x0[i], &m[i], &l[i]);
    nr_conv(m, w1, NET_F, NET_H, NET_W, NET_F2, 3, 2, 1, sm);
    nr_conv(l, w1, NET_F, NET_H, NET_W, NET_F2, 3, 2, 1, sl);
    *gated = 0;
    for (c = 0; c < NET_F2; ++c)
        for (i = 0; i < NH1 * NW1; ++i) {
            size_t j = (size_t)c * NH1 * NW1 + i;
            float om = (float)(2 * sm[j]) / 3.0f;
            if (om > p->c1_t[c]) {
                o[j] = (float)(2 * sm[j] + sl[j]) / 3.0f;
                ++*gated;
            } else {
                o[j] = om;
            }
        }
    nr_affine(o, p->bn1_a, p->bn1_b, NET_F2, NH1 * NW1, o);
    nr_rprelu(o, p->rp_bx, p->rp_sl, p->rp_by, NET_F2, NH1 * NW1, o);
    nr_avgpool(x0, NET_F, NET_H, NET_W, 2, 2, 2, sc);
    for (i = 0; i < sizeof(o) / 4; ++i) o[i] = o[i] + sc[i];
    nr_affine(o, p->bn3_a, p->bn3_b, NET_F2, NH1 * NW1, o);
    nr_global_avgpool(o, NET_F2, NH1, NW1, gap);
    nr_fc(gap, NET_F2, p->fc_w, p->fc_b, NET_CLASSES, logits);
}

static void test_small_network(void **state)
{
    nr_rng r;
    int t;
    static net_params p;
    (void)state;
    rng_for(&r, 6);
    for (t = 0; t < 20; ++t) {
        uint8_t img[NET_C * NET_H * NET_W];
        float a[NET_CLASSES], b[NET_CLASSES];
        uint32_t ga = 0, gb = 1;
        size_t i;
        net_init(&r, &p);
        for (i = 0; i < sizeof(img); ++i) img[i] = (uint8_t)nr_u32(&r);
        net_api(img, &p, a, &ga);
        net_naive(img, &p, b, &gb);
        assert_memory_equal(a, b, sizeof(a));
        assert_int_equal(ga, gb);
    }
}

int main(void)
{
    const char *env = getenv("FBNN_TEST_SEED");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_helpers),
        cmocka_unit_test(test_pack_weights),
        cmocka_unit_test(test_unpack_bits),
        cmocka_unit_test(test_bit_ops_match_kernels),
        cmocka_unit_test(test_convs_match_kernels),
        cmocka_unit_test(test_real_ops_match_kernels),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_small_network),
    };
    if (env != NULL && *env != '\0') g_seed = strtoull(env, NULL, 10);
    printf("test_layers: seed %llu (set FBNN_TEST_SEED to change)\n", (unsigned long long)g_seed);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
