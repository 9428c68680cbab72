/*
 * Float vector primitives, AVX2: 8 lanes per vector. The elementwise, pool
 * and chain templates (elementwise/eltwise_simd.h, elementwise/chain_simd.h,
 * pool/pool_simd.h) are written over these names only; vec_avx512.h and
 * vec_neon.h define the same set. Every arithmetic primitive is one IEEE
 * operation per lane (no FMA: the including files are compiled with
 * -ffp-contract=off and without -mfma), compares are the ordered predicates
 * of the reference's scalar > and >= (false for NaN, -0 == +0).
 *
 *   vf  float lanes        vw  uint32 lanes      vfm  a lane mask of a compare
 */
#ifndef FBNN_VEC_AVX2_H
#define FBNN_VEC_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "fbnn_real.h"

#define VEC_SUFFIX avx2
#define VF_LANES 8
/* Strides of vf_load_stride (1 .. VF_STRIDE_MAX) and vf_deint (2 .. VF_DEINT_MAX). */
#define VF_STRIDE_MAX 2
#define VF_DEINT_MAX 2
/* Vectors per block of the fused chain (elementwise/chain_simd.h): on
 * 16x32x32 (Zen 3) 4 measured 15 % slower and 16 17 % slower (spills); at 8
 * the compiler keeps the 8 values in registers. */
#define VEC_CHAIN_BLOCK 8

typedef __m256 vf;
typedef __m256i vw;
typedef __m256 vfm;

static inline vf vf_zero(void) { return _mm256_setzero_ps(); }
static inline vf vf_set1(float x) { return _mm256_set1_ps(x); }
static inline vf vf_bcast(const float *p) { return _mm256_broadcast_ss(p); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vfm vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline vf vf_blend(vfm m, vf yes, vf no) { return _mm256_blendv_ps(no, yes, m); }
/* x86 MAXPS / MINPS as selects: see vec_avx512.h (VF_HAVE_PICK). */
#define VF_HAVE_PICK 1
static inline vf vf_pick_gt(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vf_pick_lt(vf a, vf b) { return _mm256_min_ps(a, b); }

static inline vw vw_zero(void) { return _mm256_setzero_si256(); }
static inline vw vw_set1(uint32_t x) { return _mm256_set1_epi32((int)x); }
static inline vw vw_load(const uint32_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }
static inline void vw_store(uint32_t *p, vw v) { _mm256_storeu_si256((__m256i *)(void *)p, v); }
static inline vw vw_or(vw a, vw b) { return _mm256_or_si256(a, b); }

/* Complements of the Q2 masks of 8 values, nm = not m and nl = not l,
 * where m = v >= 0 and l = v > 2/3 or -2/3 <= v < 0 (the reference's):
 * nm = not (v >= 0), NaN included (one unordered compare), and
 * nl = (|v| <= 2/3) xor nm. Case by case, (|v| <= 2/3) xor nm is: NaN
 * 0 xor 1; v > 2/3 0 xor 0; +-0 .. 2/3 1 xor 0; -2/3 .. < 0 1 xor 1;
 * < -2/3 0 xor 1, i.e. not l (the compares are exact at +-0 and +-2/3).
 * Two compares, an and and a xor where the reference's m and l take four
 * compares, an and and an or; the users mask with andnot, so the
 * complements cost nothing (measured 6 % faster on 16x32x32). */
static inline void vq2_nmasks__avx2(vf v, __m256i *nm, __m256i *nl)
{
    const __m256 zero = _mm256_setzero_ps(), t = _mm256_set1_ps(FBNN_R_TWO_THIRDS);
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 n = _mm256_cmp_ps(v, zero, _CMP_NGE_UQ);
    *nm = _mm256_castps_si256(n);
    *nl = _mm256_castps_si256(_mm256_xor_ps(_mm256_cmp_ps(_mm256_and_ps(v, absmask), t, _CMP_LE_OQ), n));
}
/* The Q2 code of v as bits: *m = bits in the lanes where v >= 0, *l = bits
 * where v > 2/3 or -2/3 <= v < 0, 0 elsewhere. */
static inline void vq2_bits(vf v, vw bits, vw *m, vw *l)
{
    __m256i nm, nl;
    vq2_nmasks__avx2(v, &nm, &nl);
    *m = _mm256_andnot_si256(nm, bits);
    *l = _mm256_andnot_si256(nl, bits);
}
/* Both in one word (channels < 16): bits = 1 << ch | 1 << (16 + ch); the
 * result has the msb bit in the low half and the lsb bit in the high half. */
static inline vw vq2_comb(vf v, vw bits)
{
    __m256i nm, nl;
    vq2_nmasks__avx2(v, &nm, &nl);
    return _mm256_andnot_si256(_mm256_blend_epi16(nm, nl, 0xAA), bits);
}

/* Even and odd elements of the 16 floats at p, each in order. */
static inline void vf_deint2__avx2(const float *p, vf *even, vf *odd)
{
    const __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
    /* Per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6; the 64-bit permute puts
     * the pairs back in order (a0 a2 a4 a6 b0 b2 b4 b6). */
    *even = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), 0xD8));
    *odd = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), 0xD8));
}
#define VF_DEINT2_ISA vf_deint2__avx2
#include "vec_x86_shared.h"

/* Columns of the 8x8 block r[0..7]: c[m] lane j = r[j][m]. */
static inline void vf_transpose(const vf r[8], vf c[8])
{
    __m256 t[8], q[8];
    int j;
    for (j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);     /* r_j0 r_(j+1)0 r_j1 r_(j+1)1 | same +4 */
        t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]); /* positions 2, 3 | 6, 7 */
    }
    for (j = 0; j < 8; j += 4) {
        q[j] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(1, 0, 1, 0));         /* position 0 | 4 */
        q[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(3, 2, 3, 2));     /* 1 | 5 */
        q[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(1, 0, 1, 0)); /* 2 | 6 */
        q[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(3, 2, 3, 2)); /* 3 | 7 */
    }
    for (j = 0; j < 4; ++j) {
        c[j] = _mm256_permute2f128_ps(q[j], q[j + 4], 0x20);
        c[j + 4] = _mm256_permute2f128_ps(q[j], q[j + 4], 0x31);
    }
}

#endif /* FBNN_VEC_AVX2_H */
