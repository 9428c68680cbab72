/*
 * AVX2 variants of the elementwise epilogue kernels (affine, RPReLU, residual
 * add, Q2 pack). Each computes exactly the reference's float operations per
 * element (vmulps then vaddps, never an FMA; compares with the reference's
 * ordered predicates, so NaN and -0 behave the same), 8 elements at a time,
 * with the reference's scalar code for the tails. This file alone is compiled
 * with -mavx2 (CMakeLists.txt).
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "epilogue_args.h"

int fbnn_k_affine__avx2(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b, int32_t c, int32_t hw,
                        fbnn_real *y)
{
    int32_t ch, i;
    if (!fbnn_affine_args_ok(x, a, b, c, hw, y)) return FBNN_K_EBADARG;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real ac = a[ch], bc = b[ch];
        const __m256 va = _mm256_set1_ps(ac), vb = _mm256_set1_ps(bc);
        const fbnn_real *xs = x + (size_t)ch * (size_t)hw;
        fbnn_real *ys = y + (size_t)ch * (size_t)hw;
        for (i = 0; i + 8 <= hw; i += 8)
            _mm256_storeu_ps(ys + i, _mm256_add_ps(_mm256_mul_ps(va, _mm256_loadu_ps(xs + i)), vb));
        for (; i < hw; ++i) ys[i] = fbnn_r_add(fbnn_r_mul(ac, xs[i]), bc);
    }
    return FBNN_K_OK;
}

int fbnn_k_rprelu__avx2(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope, const fbnn_real *by,
                        int32_t c, int32_t hw, fbnn_real *y)
{
    int32_t ch, i;
    if (!fbnn_rprelu_args_ok(x, bx, slope, by, c, hw, y)) return FBNN_K_EBADARG;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real sx = bx[ch], sl = slope[ch], sy = by[ch];
        const __m256 vx = _mm256_set1_ps(sx), vs = _mm256_set1_ps(sl), vy = _mm256_set1_ps(sy);
        const __m256 zero = _mm256_setzero_ps();
        const fbnn_real *xs = x + (size_t)ch * (size_t)hw;
        fbnn_real *ys = y + (size_t)ch * (size_t)hw;
        for (i = 0; i + 8 <= hw; i += 8) {
            __m256 t = _mm256_add_ps(_mm256_loadu_ps(xs + i), vx);
            /* t > 0 keeps t, otherwise (incl. NaN) slope * t, as the reference. */
            __m256 pos = _mm256_cmp_ps(t, zero, _CMP_GT_OQ);
            t = _mm256_blendv_ps(_mm256_mul_ps(t, vs), t, pos);
            _mm256_storeu_ps(ys + i, _mm256_add_ps(t, vy));
        }
        for (; i < hw; ++i) {
            fbnn_real t = fbnn_r_add(xs[i], sx);
            if (!fbnn_r_gt(t, FBNN_R_ZERO)) t = fbnn_r_mul(sl, t);
            ys[i] = fbnn_r_add(t, sy);
        }
    }
    return FBNN_K_OK;
}

int fbnn_k_add__avx2(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y)
{
    int32_t i;
    if (x0 == NULL || x1 == NULL || y == NULL || n < 1) return FBNN_K_EBADARG;
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(x0 + i), _mm256_loadu_ps(x1 + i)));
    for (; i < n; ++i) y[i] = fbnn_r_add(x0[i], x1[i]);
    return FBNN_K_OK;
}

/* One pixel, scalar (the reference's code): tails of a row of pixels. */
static void q2_pixel(const fbnn_real *x, int32_t c, size_t plane, size_t pix, int32_t nw, uint32_t *msb,
                     uint32_t *lsb)
{
    const fbnn_real t = FBNN_R_TWO_THIRDS, neg_t = -FBNN_R_TWO_THIRDS;
    uint32_t *om = msb + pix * (size_t)nw, *ol = lsb + pix * (size_t)nw;
    int32_t ch, i;
    for (i = 0; i < nw; ++i) om[i] = ol[i] = 0u;
    for (ch = 0; ch < c; ++ch) {
        fbnn_real v = x[(size_t)ch * plane + pix];
        uint32_t bit = (uint32_t)1u << (ch & 31);
        if (fbnn_r_ge(v, FBNN_R_ZERO)) om[ch >> 5] |= bit;
        if (fbnn_r_gt(v, t) || (fbnn_r_ge(v, neg_t) && fbnn_r_gt(FBNN_R_ZERO, v))) ol[ch >> 5] |= bit;
    }
}

int fbnn_k_quant2_pack__avx2(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb, uint32_t *lsb)
{
    const __m256 t = _mm256_set1_ps(FBNN_R_TWO_THIRDS), neg_t = _mm256_set1_ps(-FBNN_R_TWO_THIRDS);
    const __m256 zero = _mm256_setzero_ps();
    int32_t nw, wi, ch;
    size_t plane, pix;
    if (!fbnn_quant2_args_ok(x, c, h, w, msb, lsb)) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    /* 8 pixels at a time: lane p of the accumulators is word wi of pixel p. */
    for (pix = 0; pix + 8 <= plane; pix += 8) {
        for (wi = 0; wi < nw; ++wi) {
            const int32_t c_end = (wi + 1) * 32 < c ? (wi + 1) * 32 : c;
            __m256i am = _mm256_setzero_si256(), al = _mm256_setzero_si256();
            for (ch = wi * 32; ch < c_end; ++ch) {
                const __m256 v = _mm256_loadu_ps(x + (size_t)ch * plane + pix);
                const __m256i bit = _mm256_set1_epi32((int)((uint32_t)1u << (ch & 31)));
                const __m256 m = _mm256_cmp_ps(v, zero, _CMP_GE_OQ);
                const __m256 l = _mm256_or_ps(_mm256_cmp_ps(v, t, _CMP_GT_OQ),
                                              _mm256_and_ps(_mm256_cmp_ps(v, neg_t, _CMP_GE_OQ),
                                                            _mm256_cmp_ps(zero, v, _CMP_GT_OQ)));
                am = _mm256_or_si256(am, _mm256_and_si256(_mm256_castps_si256(m), bit));
                al = _mm256_or_si256(al, _mm256_and_si256(_mm256_castps_si256(l), bit));
            }
            if (nw == 1) {
                _mm256_storeu_si256((__m256i *)(void *)(msb + pix), am);
                _mm256_storeu_si256((__m256i *)(void *)(lsb + pix), al);
            } else {
                uint32_t tm[8], tl[8];
                int k;
                _mm256_storeu_si256((__m256i *)(void *)tm, am);
                _mm256_storeu_si256((__m256i *)(void *)tl, al);
                for (k = 0; k < 8; ++k) {
                    msb[(pix + (size_t)k) * (size_t)nw + (size_t)wi] = tm[k];
                    lsb[(pix + (size_t)k) * (size_t)nw + (size_t)wi] = tl[k];
                }
            }
        }
    }
    for (; pix < plane; ++pix) q2_pixel(x, c, plane, pix, nw, msb, lsb);
    return FBNN_K_OK;
}
#else
typedef int fbnn_eltwise_avx2_unused; /* ISO C forbids an empty unit */
#endif
