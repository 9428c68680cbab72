/**
 * @file test_layers_conv2.c
 * @brief The format 1.2 layers (fbnn_rconv, fbnn_rconv_u8, fbnn_quant_kbit,
 *        fbnn_kconv, fbnn_bconv_asym) against textbook loops over an
 *        explicitly padded input, on random shapes with groups, depthwise,
 *        per-side padding, several planes and bases; and their argument
 *        checks (nothing written on a bad argument).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fracbnn/layers.h"

static uint32_t rng_state = 12345u;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}
static float frnd(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() & 0xFFFF) / 65535.0f; }

static void *xcalloc(size_t n)
{
    void *p = calloc(n ? n : 1, 1);
    assert_non_null(p);
    return p;
}

/* Textbook real conv: explicit padded input, same (ci, ky, kx) order. */
static void naive_rconv(const float *x, const float *w, const float *b, const fbnn_conv2_shape *s, float *y)
{
    int cig = s->in_c / s->groups, cog = s->out_c / s->groups, o, oy, ox, ci, ky, kx;
    for (o = 0; o < s->out_c; ++o)
        for (oy = 0; oy < s->out_h; ++oy)
            for (ox = 0; ox < s->out_w; ++ox) {
                float acc = 0.0f;
                for (ci = 0; ci < cig; ++ci)
                    for (ky = 0; ky < s->k; ++ky)
                        for (kx = 0; kx < s->k; ++kx) {
                            int iy = oy * s->stride - s->pad_top + ky, ix = ox * s->stride - s->pad_left + kx;
                            int c = (o / cog) * cig + ci;
                            float p;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
                            p = w[((o * cig + ci) * s->k + ky) * s->k + kx] * x[(c * s->in_h + iy) * s->in_w + ix];
                            acc = acc + p;
                        }
                y[(o * s->out_h + oy) * s->out_w + ox] = acc + (b ? b[o] : 0.0f);
            }
}

static void shape_or_fail(fbnn_conv2_shape *s, int ci, int h, int w, int co, int k, int st, int pt, int pl, int pb,
                          int pr)
{
    assert_int_equal(fbnn_conv2_shape_init(s, ci, h, w, co, k, st, pt, pl, pb, pr), FBNN_OK);
}

static void test_rconv_random(void **state)
{
    int t;
    (void)state;
    for (t = 0; t < 40; ++t) {
        fbnn_conv2_shape s;
        int k = 1 + (int)(rnd() % 5), st = 1 + (int)(rnd() % 3), g = 1 + (int)(rnd() % 4);
        int ci = g * (1 + (int)(rnd() % 5)), co = g * (1 + (int)(rnd() % 4));
        int h = k + (int)(rnd() % 9), w = k + (int)(rnd() % 9), i, use_bias = (int)(rnd() % 2);
        int pt = (int)(rnd() % (unsigned)k), pl = (int)(rnd() % (unsigned)k), pb = (int)(rnd() % (unsigned)k),
            pr = (int)(rnd() % (unsigned)k);
        float *x, *wt, *b, *y, *yr;
        uint8_t *xu;
        if (t % 5 == 0) { g = ci; co = ci * (1 + (int)(rnd() % 2)); } /* depthwise (multiplier 1 or 2) */
        shape_or_fail(&s, ci, h, w, co, k, st, pt, pl, pb, pr);
        s.groups = g;
        x = xcalloc(sizeof(float) * (size_t)(ci * h * w));
        xu = xcalloc((size_t)(ci * h * w));
        wt = xcalloc(sizeof(float) * (size_t)(co * (ci / g) * k * k));
        b = xcalloc(sizeof(float) * (size_t)co);
        y = xcalloc(sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        yr = xcalloc(sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        for (i = 0; i < ci * h * w; ++i) { x[i] = frnd(-3.0f, 3.0f); xu[i] = (uint8_t)(rnd() & 255u); }
        for (i = 0; i < co * (ci / g) * k * k; ++i) wt[i] = frnd(-1.0f, 1.0f);
        for (i = 0; i < co; ++i) b[i] = frnd(-1.0f, 1.0f);
        assert_int_equal(fbnn_rconv(x, wt, use_bias ? b : NULL, &s, y), FBNN_OK);
        naive_rconv(x, wt, use_bias ? b : NULL, &s, yr);
        assert_memory_equal(y, yr, sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        for (i = 0; i < ci * h * w; ++i) x[i] = (float)xu[i];
        assert_int_equal(fbnn_rconv_u8(xu, wt, b, &s, y), FBNN_OK);
        naive_rconv(x, wt, b, &s, yr);
        assert_memory_equal(y, yr, sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        free(x); free(xu); free(wt); free(b); free(y); free(yr);
    }
}

static int code_of(float v, int planes)
{
    float n = (float)((1 << planes) - 1), r;
    int c;
    if (!(v >= 0.0f)) v = 0.0f;
    if (v > 1.0f) v = 1.0f;
    r = v * n;
    c = (int)r;               /* textbook round half to even */
    if (r - (float)c > 0.5f || (r - (float)c == 0.5f && (c & 1))) c++;
    return c;
}

static int get_bit(const uint32_t *px, int ch) { return (int)((px[ch / 32] >> (ch % 32)) & 1u); }

static void test_quant_kbit(void **state)
{
    int planes;
    (void)state;
    for (planes = 1; planes <= 4; ++planes) {
        int c = 1 + (int)(rnd() % 45), h = 1 + (int)(rnd() % 4), w = 1 + (int)(rnd() % 4), nw = (planes * c + 31) / 32;
        float *x = xcalloc(sizeof(float) * (size_t)(c * h * w));
        uint32_t *out = xcalloc(4u * (size_t)(nw * h * w));
        int i, j, px;
        for (i = 0; i < c * h * w; ++i) {
            /* exact level midpoints (ties) and values outside [0, 1] */
            x[i] = (i % 3 == 0) ? (float)(rnd() % 31) / (2.0f * (float)((1 << planes) - 1)) : frnd(-0.5f, 1.5f);
        }
        x[0] = -0.0f;
        assert_int_equal(fbnn_quant_kbit(x, c, h, w, planes, out), FBNN_OK);
        for (px = 0; px < h * w; ++px)
            for (j = 0; j < c; ++j) {
                int code = code_of(x[j * h * w + px], planes);
                for (i = 0; i < planes; ++i) assert_int_equal(get_bit(out + px * nw, i * c + j), (code >> i) & 1);
            }
        for (px = 0; px < h * w; ++px) /* bits past planes*c stay 0 */
            for (i = planes * c; i < nw * 32; ++i) assert_int_equal(get_bit(out + px * nw, i), 0);
        free(x);
        free(out);
    }
}

static void test_kconv_and_bconv_asym(void **state)
{
    int t;
    (void)state;
    for (t = 0; t < 30; ++t) {
        fbnn_conv2_shape s;
        int k = 1 + (int)(rnd() % 4), st = 1 + (int)(rnd() % 2), planes = 1 + (int)(rnd() % 4),
            nb = 1 + (int)(rnd() % 3);
        int ci = 1 + (int)(rnd() % 70), co = 1 + (int)(rnd() % 6), h = k + (int)(rnd() % 6), w = k + (int)(rnd() % 6);
        int pt = (int)(rnd() % (unsigned)k), pl = (int)(rnd() % (unsigned)k), pb = (int)(rnd() % (unsigned)k),
            pr = (int)(rnd() % (unsigned)k);
        int nwp = (planes * ci + 31) / 32, nw = (ci + 31) / 32, i, o, oy, ox, m, c, ky, kx, pv;
        int *codes, *wsign;
        float *xr, *alpha, *y, *yr;
        uint32_t *in, *wp, *bin;
        shape_or_fail(&s, ci, h, w, co, k, st, pt, pl, pb, pr);
        s.planes = planes;
        s.bases = nb;
        codes = xcalloc(sizeof(int) * (size_t)(ci * h * w));
        xr = xcalloc(sizeof(float) * (size_t)(ci * h * w));
        in = xcalloc(4u * (size_t)(nwp * h * w));
        bin = xcalloc(4u * (size_t)(nw * h * w));
        wsign = xcalloc(sizeof(int) * (size_t)(nb * co * ci * k * k));
        wp = xcalloc(4u * (size_t)(nb * co * k * k * nw));
        alpha = xcalloc(sizeof(float) * (size_t)(nb * co));
        y = xcalloc(sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        yr = xcalloc(sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        for (i = 0; i < ci * h * w; ++i) xr[i] = frnd(-0.2f, 1.2f);
        assert_int_equal(fbnn_quant_kbit(xr, ci, h, w, planes, in), FBNN_OK);
        for (i = 0; i < ci * h * w; ++i) codes[i] = code_of(xr[i], planes);
        for (i = 0; i < nb * co * ci * k * k; ++i) wsign[i] = (rnd() & 1u) ? 1 : -1;   /* [m*co+o][c][ky][kx] */
        for (o = 0; o < nb * co; ++o)
            for (ky = 0; ky < k; ++ky)
                for (kx = 0; kx < k; ++kx)
                    for (c = 0; c < ci; ++c)
                        if (wsign[((o * ci + c) * k + ky) * k + kx] > 0)
                            wp[((o * k + ky) * k + kx) * nw + c / 32] |= 1u << (c % 32);
        for (i = 0; i < nb * co; ++i) alpha[i] = frnd(-0.3f, 0.3f);
        assert_int_equal(fbnn_kconv(in, wp, alpha, &s, y), FBNN_OK);
        for (o = 0; o < co; ++o)
            for (oy = 0; oy < s.out_h; ++oy)
                for (ox = 0; ox < s.out_w; ++ox) {
                    float acc = 0.0f;
                    for (m = 0; m < nb; ++m) {
                        long isum = 0;
                        for (c = 0; c < ci; ++c)
                            for (ky = 0; ky < k; ++ky)
                                for (kx = 0; kx < k; ++kx) {
                                    int iy = oy * st - pt + ky, ix = ox * st - pl + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    isum += (long)codes[(c * h + iy) * w + ix] *
                                            wsign[(((m * co + o) * ci + c) * k + ky) * k + kx];
                                }
                        acc = acc + alpha[m * co + o] * (float)isum;
                    }
                    yr[(o * s.out_h + oy) * s.out_w + ox] = acc;
                }
        assert_memory_equal(y, yr, sizeof(float) * (size_t)(co * s.out_h * s.out_w));
        /* bconv with per-side padding on the sign of x, padded with -1/0/+1 */
        s.planes = s.bases = 1;
        for (i = 0; i < ci * h * w; ++i)
            if (xr[i] >= 0.5f) bin[((i % (h * w))) * nw + (i / (h * w)) / 32] |= 1u << ((i / (h * w)) % 32);
        for (pv = -1; pv <= 1; ++pv) {
            assert_int_equal(fbnn_bconv_asym(bin, wp, &s, pv, y), FBNN_OK);
            for (o = 0; o < co; ++o)
                for (oy = 0; oy < s.out_h; ++oy)
                    for (ox = 0; ox < s.out_w; ++ox) {
                        long sum = 0;
                        for (c = 0; c < ci; ++c)
                            for (ky = 0; ky < k; ++ky)
                                for (kx = 0; kx < k; ++kx) {
                                    int iy = oy * st - pt + ky, ix = ox * st - pl + kx, xv;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) xv = pv;
                                    else xv = xr[(c * h + iy) * w + ix] >= 0.5f ? 1 : -1;
                                    sum += (long)xv * wsign[((o * ci + c) * k + ky) * k + kx];
                                }
                        assert_true(y[(o * s.out_h + oy) * s.out_w + ox] == (float)sum);
                    }
        }
        free(codes); free(xr); free(in); free(bin); free(wsign); free(wp); free(alpha); free(y); free(yr);
    }
}

static void test_bad_arguments(void **state)
{
    fbnn_conv2_shape s, keep;
    float x[64], w[64], y[64], yk[64];
    uint32_t bits[64];
    int i;
    (void)state;
    for (i = 0; i < 64; ++i) { x[i] = 0.5f; w[i] = 1.0f; y[i] = yk[i] = 7.0f; bits[i] = 0; }
    assert_int_equal(fbnn_conv2_shape_init(NULL, 1, 4, 4, 1, 3, 1, 1, 1, 1, 1), FBNN_ERR_ARG);
    assert_int_equal(fbnn_conv2_shape_init(&s, 1, 4, 4, 1, 3, 1, 3, 1, 1, 1), FBNN_ERR_ARG); /* pad >= k */
    assert_int_equal(fbnn_conv2_shape_init(&s, 1, 1, 4, 1, 3, 1, 0, 0, 1, 0), FBNN_ERR_ARG); /* empty */
    assert_int_equal(fbnn_conv2_shape_init(&s, 1, 4, 4, 1, 16, 1, 0, 0, 0, 0), FBNN_ERR_ARG);
    assert_int_equal(fbnn_conv2_shape_init(&s, 2, 4, 4, 2, 3, 2, 0, 0, 1, 1), FBNN_OK);
    assert_int_equal(s.out_h, 2);
    keep = s;
    s.groups = 3; /* does not divide 2 */
    assert_int_equal(fbnn_rconv(x, w, NULL, &s, y), FBNN_ERR_ARG);
    s = keep;
    assert_int_equal(fbnn_rconv(NULL, w, NULL, &s, y), FBNN_ERR_ARG);
    assert_int_equal(fbnn_rconv(x, NULL, NULL, &s, y), FBNN_ERR_ARG);
    s.out_h = 3; /* inconsistent */
    assert_int_equal(fbnn_rconv(x, w, NULL, &s, y), FBNN_ERR_ARG);
    s = keep;
    s.planes = 5;
    assert_int_equal(fbnn_kconv(bits, bits, x, &s, y), FBNN_ERR_ARG);
    s = keep;
    s.bases = 9;
    assert_int_equal(fbnn_kconv(bits, bits, x, &s, y), FBNN_ERR_ARG);
    s = keep;
    assert_int_equal(fbnn_kconv(bits, bits, NULL, &s, y), FBNN_ERR_ARG);
    assert_int_equal(fbnn_bconv_asym(bits, bits, &s, 2, y), FBNN_ERR_ARG);
    s.planes = 2;
    assert_int_equal(fbnn_bconv_asym(bits, bits, &s, 1, y), FBNN_ERR_ARG);
    assert_int_equal(fbnn_quant_kbit(x, 2, 2, 2, 0, bits), FBNN_ERR_ARG);
    assert_int_equal(fbnn_quant_kbit(x, 2, 2, 2, 5, bits), FBNN_ERR_ARG);
    assert_int_equal(fbnn_quant_kbit(x, 20000, 1, 1, 4, bits), FBNN_ERR_ARG); /* planes*c > 65535 */
    assert_memory_equal(y, yk, sizeof y);
    for (i = 0; i < 64; ++i) assert_int_equal(bits[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rconv_random),
        cmocka_unit_test(test_quant_kbit),
        cmocka_unit_test(test_kconv_and_bconv_asym),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
