/**
 * @file test_layers_conv_limits.c
 * @brief Layer-level binary convs at their edges: the PG conv's exactness
 *        limit (3*k*k*in_c < 2^24) and fbnn_bconv_padded() (padding value
 *        -1/0/+1) against textbook loops over an explicitly padded input.
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
#include "fbnn_kernels.h"
#include "naive_ref.h"

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    assert_non_null(p);
    return p;
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

/* PG conv exactness limit (layers.h, models/FORMAT.md section 4): the layer
 * API takes the loader's rule 3*k*k*in_c < 2^24, so n = 2*Sm + Sl converts to
 * float exactly and the output is one correctly rounded n/3. k = 15: in_c =
 * 24855 (3*225*24855 = 16 777 125) is accepted, 24856 (16 777 800) rejected
 * without writing; fbnn_bconv() keeps accepting 24856 (225*24856 < 2^24: its
 * sum is exact). */
static void test_pgconv_exactness_limit(void **state)
{
    const int k = 15, ci_ok = 24855, ci_bad = ci_ok + 1;
    size_t words = (size_t)k * (size_t)k * (size_t)FBNN_PACKED_WORDS(ci_bad);
    uint32_t *msb = (uint32_t *)xmalloc(words * sizeof(uint32_t));
    uint32_t *lsb = (uint32_t *)xmalloc(words * sizeof(uint32_t));
    uint32_t *wt = (uint32_t *)xmalloc(words * sizeof(uint32_t));
    float thr = -1.0e30f, y = 0.0f;
    uint32_t gated = 77;
    fbnn_conv_shape sh = mkshape(ci_ok, k, k, 1, k, 1, 0); /* one output position */
    (void)state;
    assert_true(3 * k * k * ci_ok < (1 << 24) && 3 * k * k * ci_bad >= (1 << 24));
    /* all inputs and weights +1 in the used bits: Sm = Sl = k*k*in_c */
    memset(msb, 0xFF, words * sizeof(uint32_t));
    memset(lsb, 0xFF, words * sizeof(uint32_t));
    memset(wt, 0xFF, words * sizeof(uint32_t));
    {
        /* clear the padding bits of the last word of every tap (in_c = ci_ok) */
        size_t nw = (size_t)FBNN_PACKED_WORDS(ci_ok), t;
        uint32_t last = (ci_ok % 32) ? ((uint32_t)1u << (ci_ok % 32)) - 1u : 0xFFFFFFFFu;
        for (t = 0; t < (size_t)k * (size_t)k; ++t) {
            msb[t * nw + nw - 1] &= last;
            lsb[t * nw + nw - 1] &= last;
            wt[t * nw + nw - 1] &= last;
        }
    }
    assert_int_equal(fbnn_pgconv(msb, lsb, wt, &thr, &sh, &y, &gated), FBNN_OK);
    assert_int_equal(gated, 1);
    /* n = 3*225*24855 = 16 777 125 < 2^24: exact, and n/3 = 5 592 375 exactly */
    assert_true(y == 5592375.0f);

    sh.in_c = ci_bad;
    gated = 77;
    y = 123.0f;
    assert_int_equal(fbnn_pgconv(msb, lsb, wt, &thr, &sh, &y, &gated), FBNN_ERR_ARG);
    assert_true(y == 123.0f);
    assert_int_equal(gated, 77);
    /* the example of the outside check: in_c = 65535, k = 15 */
    sh.in_c = 65535;
    assert_int_equal(fbnn_pgconv(msb, lsb, wt, &thr, &sh, &y, &gated), FBNN_ERR_ARG);
    assert_true(y == 123.0f);
    /* the binary conv needs only k*k*in_c < 2^24, which every shape in range
     * meets (225*65535 = 14 745 375): in_c = 24856 runs, sum exact */
    sh.in_c = ci_bad;
    assert_int_equal(fbnn_bconv(msb, wt, &sh, &y), FBNN_OK);
    assert_true(y == (float)(k * k * ci_bad)); /* channel 24855: x = w = -1 in every tap */
    free(msb);
    free(lsb);
    free(wt);
}

/* fbnn_bconv_padded() against textbook loops over an explicitly padded
 * {-1,+1} input, for pad values -1, 0, +1 and several shapes (odd sizes,
 * strides, channels not a multiple of 32). */
static void test_bconv_padded_matches_loops(void **state)
{
    static const int shapes[][6] = {/* ci, h, w, co, k, stride (pad = k/2) */
                                    {37, 7, 6, 5, 3, 1}, {64, 8, 8, 3, 3, 2}, {5, 9, 5, 4, 5, 2}, {33, 3, 4, 2, 3, 1}};
    nr_rng r;
    size_t si;
    int pv;
    (void)state;
    nr_seed(&r, 4242);
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        for (pv = -1; pv <= 1; pv++) {
            int ci = shapes[si][0], h = shapes[si][1], w = shapes[si][2], co = shapes[si][3];
            int k = shapes[si][4], st = shapes[si][5], pad = k / 2;
            int ho = (h + 2 * pad - k) / st + 1, wo = (w + 2 * pad - k) / st + 1;
            int8_t *x = malloc((size_t)ci * h * w), *wt = malloc((size_t)co * ci * k * k);
            uint32_t *xb = calloc(nr_map_words(ci, h, w), 4), *wb = calloc(nr_weight_words(co, ci, k), 4);
            float *y = malloc(sizeof(float) * (size_t)co * ho * wo);
            fbnn_conv_shape sh = mkshape(ci, h, w, co, k, st, pad);
            int o, oy, ox, c, ky, kx, differs = 0;
            assert_non_null(x);
            assert_non_null(wt);
            assert_non_null(xb);
            assert_non_null(wb);
            assert_non_null(y);
            nr_pm1(&r, x, (size_t)ci * h * w);
            nr_pm1(&r, wt, (size_t)co * ci * k * k);
            nr_pack_map(x, ci, h, w, xb);
            nr_pack_weights(wt, co, ci, k, wb);
            assert_int_equal(fbnn_bconv_padded(xb, wb, &sh, pv, y), FBNN_OK);
            for (o = 0; o < co; o++)
                for (oy = 0; oy < ho; oy++)
                    for (ox = 0; ox < wo; ox++) {
                        long sum = 0, sum0 = 0;
                        for (c = 0; c < ci; c++)
                            for (ky = 0; ky < k; ky++)
                                for (kx = 0; kx < k; kx++) {
                                    int iy = oy * st - pad + ky, ix = ox * st - pad + kx;
                                    int in = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                    int xv = in ? x[((size_t)c * h + iy) * w + ix] : pv;
                                    int wv = wt[(((size_t)o * ci + c) * k + ky) * k + kx];
                                    sum += (long)xv * wv;
                                    sum0 += in ? (long)xv * wv : 0;
                                }
                        assert_true(y[((size_t)o * ho + oy) * wo + ox] == (float)sum);
                        differs |= sum != sum0;
                    }
            if (pv != 0) assert_true(differs); /* the test data reaches the border */
            free(x);
            free(wt);
            free(xb);
            free(wb);
            free(y);
        }
    }
    {
        fbnn_conv_shape sh = mkshape(3, 4, 4, 2, 3, 1, 1);
        uint32_t b[64] = {0};
        float y[64];
        assert_int_equal(fbnn_bconv_padded(b, b, &sh, 2, y), FBNN_ERR_ARG);
        assert_int_equal(fbnn_bconv_padded(b, b, &sh, -2, y), FBNN_ERR_ARG);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgconv_exactness_limit),
        cmocka_unit_test(test_bconv_padded_matches_loops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
