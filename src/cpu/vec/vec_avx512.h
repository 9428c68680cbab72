/*
 * Float vector primitives, AVX-512 (F + BW): 16 lanes per vector, compares
 * into mask registers. The same set as vec_avx2.h (see there for the
 * contract): one IEEE operation per lane, no FMA (-ffp-contract=off), the
 * reference's ordered predicates.
 */
#ifndef FBNN_VEC_AVX512_H
#define FBNN_VEC_AVX512_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "fbnn_real.h"

#define VEC_SUFFIX avx512
#define VF_LANES 16
#define VF_STRIDE_MAX 2
#define VF_DEINT_MAX 2
/* 4 vectors of 16: a block is 64 pixels, so that 8x8 maps take the
 * block loop too. */
#define VEC_CHAIN_BLOCK 4

typedef __m512 vf;
typedef __m512i vw;
typedef __mmask16 vfm;

static inline vf vf_zero(void) { return _mm512_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm512_set1_ps(x); }
static inline vf vf_bcast(const float *p) { return _mm512_set1_ps(*p); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vfm vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline vf vf_blend(vfm m, vf yes, vf no) { return _mm512_mask_blend_ps(m, no, yes); }
/* x86 MAXPS / MINPS as selects (VF_HAVE_PICK): vf_pick_gt(a, b) = a > b ? a
 * : b and vf_pick_lt(a, b) = a < b ? a : b, b whenever the compare is
 * unordered or the two are zeros of either sign: one instruction for the
 * reference's "if (a > b) take a" clamps, NaN in b passing through. */
#define VF_HAVE_PICK 1
static inline vf vf_pick_gt(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vf_pick_lt(vf a, vf b) { return _mm512_min_ps(a, b); }
/* t where t > 0, else slope * t (NaN t: slope * t): the RPReLU select as a
 * compare and a masked multiply (VF_HAVE_MUL_UNLESS_POS). */
#define VF_HAVE_MUL_UNLESS_POS 1
static inline vf vf_mul_unless_pos(vf t, vf slope)
{
    return _mm512_mask_mul_ps(t, _mm512_cmp_ps_mask(t, _mm512_setzero_ps(), _CMP_NGT_UQ), slope, t);
}

static inline vw vw_zero(void) { return _mm512_setzero_si512(); }
static inline vw vw_set1(uint32_t x) { return _mm512_set1_epi32((int)x); }
static inline vw vw_load(const uint32_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void vw_store(uint32_t *p, vw v) { _mm512_storeu_si512((void *)p, v); }
static inline vw vw_or(vw a, vw b) { return _mm512_or_si512(a, b); }

/* The Q2 masks of v, the reference's predicates: m = v >= 0, l = v > 2/3
 * or (v >= -2/3 and 0 > v); all false for NaN. l is formed as
 * (|v| <= 2/3) xor m: case by case NaN 0 xor 0; v > 2/3 0 xor 1; +-0 ..
 * 2/3 1 xor 1; -2/3 .. < 0 1 xor 0; < -2/3 0 xor 0 (the compares are exact
 * at +-0 and +-2/3; -0 >= 0 holds, as in the reference). Two compares and
 * a mask xor instead of four compares, an and and an or: on Zen 4 the
 * fused chain issues about 30 vector operations per 16 values, and these
 * masks were four of them (vec_avx2.h uses the same identity). */
static inline void vq2_masks__avx512(vf v, __mmask16 *m, __mmask16 *l)
{
    *m = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ);
    *l = (__mmask16)(_mm512_cmp_ps_mask(_mm512_abs_ps(v), _mm512_set1_ps(FBNN_R_TWO_THIRDS), _CMP_LE_OQ) ^ *m);
}
/* The Q2 code of v as bits: *m = bits in the lanes where v >= 0, *l = bits
 * where v > 2/3 or -2/3 <= v < 0, 0 elsewhere. */
static inline void vq2_bits(vf v, vw bits, vw *m, vw *l)
{
    __mmask16 km, kl;
    vq2_masks__avx512(v, &km, &kl);
    *m = _mm512_maskz_mov_epi32(km, bits);
    *l = _mm512_maskz_mov_epi32(kl, bits);
}
/* The Q2 bits of v ORed into the accumulators *m and *l under the masks
 * (one masked OR each instead of a zeroing move and an OR): the same words
 * as vq2_bits followed by two vw_or. */
#define VQ2_HAVE_ACC 1
static inline void vq2_acc_bits(vf v, vw bits, vw *m, vw *l)
{
    __mmask16 km, kl;
    vq2_masks__avx512(v, &km, &kl);
    *m = _mm512_mask_or_epi32(*m, km, *m, bits);
    *l = _mm512_mask_or_epi32(*l, kl, *l, bits);
}
/* Both in one word (channels < 16): bits = 1 << ch | 1 << (16 + ch); the
 * result has the msb bit in the low half and the lsb bit in the high half. */
static inline vw vq2_comb(vf v, vw bits)
{
    __mmask16 km, kl;
    vq2_masks__avx512(v, &km, &kl);
    return _mm512_or_si512(_mm512_maskz_and_epi32(km, bits, _mm512_set1_epi32(0xffff)),
                           _mm512_maskz_and_epi32(kl, bits, _mm512_set1_epi32((int)0xffff0000u)));
}

/* Even and odd elements of the 32 floats at p, each in order. */
static inline void vf_deint2__avx512(const float *p, vf *even, vf *odd)
{
    const __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16);
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    *even = _mm512_permutex2var_ps(a, ie, b);
    *odd = _mm512_permutex2var_ps(a, io, b);
}
#define VF_DEINT2_ISA vf_deint2__avx512
#include "vec_x86_shared.h"

/* Partial vectors (VF_HAVE_MASKED): loads of only the first cnt elements
 * (cnt <= 32; the others read as 0, masked off: no access past them), and
 * a store of the first n lanes. For the end of a pooled row narrower than
 * a vector (16 outputs take 32 columns at stride 2: an 8x8 output row
 * would otherwise be all scalar). */
#define VF_HAVE_MASKED 1
static inline __mmask16 vmask_first__avx512(int32_t n)
{
    return n >= 16 ? (__mmask16)0xffffu : n <= 0 ? (__mmask16)0u : (__mmask16)((1u << n) - 1u);
}
static inline void vf_deint_n(const float *p, int32_t s, int32_t cnt, vf *out)
{
    const __m512 a = _mm512_maskz_loadu_ps(vmask_first__avx512(cnt), p);
    const __m512 b = _mm512_maskz_loadu_ps(vmask_first__avx512(cnt - 16), p + 16);
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    (void)s;
    out[0] = _mm512_permutex2var_ps(a, ie, b);
    out[1] = _mm512_permutex2var_ps(a, io, b);
}
static inline vf vf_load_stride_n(const float *p, int32_t s, int32_t cnt)
{
    vf v[2];
    if (s == 1) return _mm512_maskz_loadu_ps(vmask_first__avx512(cnt), p);
    vf_deint_n(p, s, cnt, v);
    return v[0];
}
static inline void vf_store_n(float *p, vf v, int32_t n) { _mm512_mask_storeu_ps(p, vmask_first__avx512(n), v); }
/* The first n words at p (the others read as 0), and a store of the first n lanes. */
static inline vw vw_load_n(const uint32_t *p, int32_t n)
{
    return _mm512_maskz_loadu_epi32(vmask_first__avx512(n), (const void *)p);
}
static inline void vw_store_n(uint32_t *p, vw v, int32_t n) { _mm512_mask_storeu_epi32((void *)p, vmask_first__avx512(n), v); }

/* Columns of the 16x16 block r[0..15]: c[m] lane j = r[j][m]. Within each
 * 128-bit lane, two unpack stages transpose the 4x4 blocks; two 128-bit lane
 * shuffles then gather the blocks of a column. */
static inline void vf_transpose(const vf r[16], vf c[16])
{
    __m512 t[16], u[16], v[16];
    int i, m;
    for (i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);     /* per lane L: r_i[4L] r_i+1[4L] r_i[4L+1] r_i+1[4L+1] */
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]); /* r_i[4L+2] r_i+1[4L+2] r_i[4L+3] r_i+1[4L+3] */
    }
    for (i = 0; i < 16; i += 4) {
        /* u[i + m] lane L: rows i .. i+3 of column 4L + m. */
        u[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        u[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        u[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        u[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    for (m = 0; m < 4; ++m) {
        /* v[m]: lanes 0, 1 of u[m] and u[4+m]; v[4+m]: lanes 2, 3; v[8+m], v[12+m]: the same of u[8+m], u[12+m]. */
        v[m] = _mm512_shuffle_f32x4(u[m], u[4 + m], 0x44);
        v[4 + m] = _mm512_shuffle_f32x4(u[m], u[4 + m], 0xEE);
        v[8 + m] = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0x44);
        v[12 + m] = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0xEE);
    }
    for (m = 0; m < 4; ++m) {
        /* Column 4L + m = lane L of u[m], u[4+m], u[8+m], u[12+m]. */
        c[m] = _mm512_shuffle_f32x4(v[m], v[8 + m], 0x88);          /* L = 0 */
        c[4 + m] = _mm512_shuffle_f32x4(v[m], v[8 + m], 0xDD);      /* L = 1 */
        c[8 + m] = _mm512_shuffle_f32x4(v[4 + m], v[12 + m], 0x88); /* L = 2 */
        c[12 + m] = _mm512_shuffle_f32x4(v[4 + m], v[12 + m], 0xDD); /* L = 3 */
    }
}

#endif /* FBNN_VEC_AVX512_H */
