/*
 * AVX2 average pooling (k x k, stride s, no padding, channel duplication),
 * bit-identical to kernels/fbnn_k_avgpool.c: every output is computed with
 * the reference's operations in the reference's order, acc = 0.0f, then
 * acc + tap for the taps in row-major order, then acc / (k*k) as a true
 * division (the leading 0.0f + tap matters: it turns -0 into +0). Only the
 * lanes differ: 8 neighbouring outputs of a row at a time.
 *   - k = 2, s = 2 (the CIFAR shortcut): 16 inputs of each of the two rows
 *     are loaded and split into even and odd columns with one shuffle and one
 *     lane permute;
 *   - s = 1, any k: the taps of 8 outputs are 8 consecutive inputs;
 *   - anything else, and the tail of each row: the reference's scalar code.
 * Global average pooling likewise: 8 channels in the 8 lanes, each lane
 * summing its channel in the reference's order (8x8 blocks transposed).
 * This file alone is compiled with -mavx2 (CMakeLists.txt).
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "epilogue_args.h"


/* One output, exactly as the reference computes it. */
static fbnn_real pool_one(const fbnn_real *x0, int32_t w, int32_t k, fbnn_real div)
{
    fbnn_real acc = FBNN_R_ZERO;
    int32_t ky, kx;
    for (ky = 0; ky < k; ++ky)
        for (kx = 0; kx < k; ++kx) acc = fbnn_r_add(acc, x0[(size_t)ky * (size_t)w + (size_t)kx]);
    return fbnn_r_div(acc, div);
}

/* Even and odd elements of the 16 floats at p, each in order. */
static void split_even_odd(const fbnn_real *p, __m256 *even, __m256 *odd)
{
    const __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
    /* Per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6; the 64-bit permute puts
     * the pairs back in order (a0 a2 a4 a6 b0 b2 b4 b6). */
    *even = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), 0xD8));
    *odd = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), 0xD8));
}

int fbnn_k_avgpool__avx2(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s, int32_t dup,
                         fbnn_real *y)
{
    int32_t ho, wo, ch, oy, ox, d;
    size_t in_plane, out_plane, out_chan_stride;
    fbnn_real div;
    __m256 vdiv;

    if (!fbnn_avgpool_args_ok(x, c, h, w, k, s, dup, y, &ho, &wo)) return FBNN_K_EBADARG;

    in_plane = (size_t)h * (size_t)w;
    out_plane = (size_t)ho * (size_t)wo;
    out_chan_stride = (size_t)c * out_plane;
    div = fbnn_r_from_s32(k * k);
    vdiv = _mm256_set1_ps(div);

    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * in_plane;
        fbnn_real *yc = y + (size_t)ch * out_plane;
        for (oy = 0; oy < ho; ++oy) {
            const fbnn_real *row = xc + (size_t)oy * (size_t)s * (size_t)w;
            fbnn_real *yr = yc + (size_t)oy * (size_t)wo;
            ox = 0;
            if (k == 2 && s == 2) {
                /* Outputs ox..ox+7 read columns 2ox..2ox+15 < w. */
                for (; 2 * ox + 16 <= w; ox += 8) {
                    __m256 e0, o0, e1, o1, acc;
                    split_even_odd(row + 2 * ox, &e0, &o0);
                    split_even_odd(row + w + 2 * ox, &e1, &o1);
                    acc = _mm256_add_ps(_mm256_setzero_ps(), e0);
                    acc = _mm256_add_ps(acc, o0);
                    acc = _mm256_add_ps(acc, e1);
                    acc = _mm256_add_ps(acc, o1);
                    acc = _mm256_div_ps(acc, vdiv);
                    for (d = 0; d < dup; ++d) _mm256_storeu_ps(yr + (size_t)d * out_chan_stride + ox, acc);
                }
            } else if (s == 1) {
                for (; ox + 8 <= wo; ox += 8) {
                    __m256 acc = _mm256_setzero_ps();
                    int32_t ky, kx;
                    for (ky = 0; ky < k; ++ky)
                        for (kx = 0; kx < k; ++kx)
                            acc = _mm256_add_ps(acc, _mm256_loadu_ps(row + (size_t)ky * (size_t)w + ox + kx));
                    acc = _mm256_div_ps(acc, vdiv);
                    for (d = 0; d < dup; ++d) _mm256_storeu_ps(yr + (size_t)d * out_chan_stride + ox, acc);
                }
            }
            for (; ox < wo; ++ox) {
                fbnn_real v = pool_one(row + (size_t)ox * (size_t)s, w, k, div);
                for (d = 0; d < dup; ++d) yr[(size_t)d * out_chan_stride + ox] = v;
            }
        }
    }
    return FBNN_K_OK;
}

/* Columns of the 8x8 block r[0..7] (rows = 8 channels, 8 map positions each):
 * c[m] lane j = r[j][m]. */
static void transpose8(const __m256 r[8], __m256 c[8])
{
    __m256 t[8], q[8];
    int j;
    for (j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);     /* r_j0 r_(j+1)0 r_j1 r_(j+1)1 | same +4 */
        t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]); /* positions 2, 3 | 6, 7 */
    }
    for (j = 0; j < 8; j += 4) {
        q[j] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(1, 0, 1, 0));     /* position 0 | 4 */
        q[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(3, 2, 3, 2)); /* 1 | 5 */
        q[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(1, 0, 1, 0)); /* 2 | 6 */
        q[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(3, 2, 3, 2)); /* 3 | 7 */
    }
    for (j = 0; j < 4; ++j) {
        c[j] = _mm256_permute2f128_ps(q[j], q[j + 4], 0x20);
        c[j + 4] = _mm256_permute2f128_ps(q[j], q[j + 4], 0x31);
    }
}

int fbnn_k_global_avgpool__avx2(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y)
{
    int32_t ch;
    size_t plane, i;
    fbnn_real div;

    if (x == NULL || y == NULL || !fbnn_dims_ok(c, h, w)) return FBNN_K_EBADARG;
    plane = (size_t)h * (size_t)w;
    div = fbnn_r_mul(fbnn_r_from_s32(h), fbnn_r_from_s32(w)); /* as the reference */

    /* 8 channels at a time, one per lane: each lane adds its channel's values
     * in the reference's order (the 8 sums are independent chains). */
    for (ch = 0; ch + 8 <= c; ch += 8) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        __m256 acc = _mm256_setzero_ps();
        for (i = 0; i + 8 <= plane; i += 8) {
            __m256 r[8], col[8];
            int j;
            for (j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(xc + (size_t)j * plane + i);
            transpose8(r, col);
            for (j = 0; j < 8; ++j) acc = _mm256_add_ps(acc, col[j]);
        }
        for (; i < plane; ++i)
            acc = _mm256_add_ps(acc, _mm256_setr_ps(xc[i], xc[plane + i], xc[2 * plane + i], xc[3 * plane + i],
                                                    xc[4 * plane + i], xc[5 * plane + i], xc[6 * plane + i],
                                                    xc[7 * plane + i]));
        _mm256_storeu_ps(y + ch, _mm256_div_ps(acc, _mm256_set1_ps(div)));
    }
    for (; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        fbnn_real acc = FBNN_R_ZERO;
        for (i = 0; i < plane; ++i) acc = fbnn_r_add(acc, xc[i]);
        y[ch] = fbnn_r_div(acc, div);
    }
    return FBNN_K_OK;
}
#else
typedef int fbnn_pool_avx2_unused; /* ISO C forbids an empty unit */
#endif
