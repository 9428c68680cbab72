/*
 * Float max pool and sign packing (realpool_simd.h) with the avx512
 * primitives (vec/vec_avx512.h), entry points fbnn_k_maxpool__avx512,
 * fbnn_k_pack_sign__avx512,
 * fbnn_k_quant_kbit__avx512 (flags: CMakeLists.txt, FBNN_FLAGS_avx512).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "fbnn_kernels.h" /* size_t, fbnn_real: before the vec header */
#include "vec/vec_avx512.h"

/* Lanes j < n: p[j*s], a masked gather (nothing else is read). */
static inline vf rp_ld_part(const float *p, int32_t s, int32_t n)
{
    const __m512i j = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __mmask16 ok = _mm512_cmplt_epi32_mask(j, _mm512_set1_epi32(n));
    if (s == 1) return _mm512_maskz_loadu_ps(ok, p);
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), ok, _mm512_mullo_epi32(j, _mm512_set1_epi32(s)), p, 4);
}
/* v where not (m >= v) (unordered: true) and m is ordered, else m. */
static inline vf rp_max(vf m, vf v)
{
    const __mmask16 take = _mm512_cmp_ps_mask(m, v, _CMP_NGE_UQ) & _mm512_cmp_ps_mask(m, m, _CMP_ORD_Q);
    return _mm512_mask_blend_ps(take, m, v);
}
static inline vw rp_or_ge0(vw acc, vf v, vw bit)
{
    return _mm512_mask_or_epi32(acc, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ), acc, bit);
}

static inline vw rp_kbit_code(vf x, vf n)
{
    const __m512 one = _mm512_set1_ps(1.0f), two23 = _mm512_set1_ps(8388608.0f);
    __m512 v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ), x); /* NaN, < 0: +0 */
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, one, _CMP_GT_OQ), v, one);
    v = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(v, n), two23), two23);
    return _mm512_cvttps_epi32(v);
}
static inline vw rp_or_codebit(vw acc, vw code, int32_t i, int32_t b)
{
    const __m512i bit = _mm512_and_si512(_mm512_srl_epi32(code, _mm_cvtsi32_si128(i)), _mm512_set1_epi32(1));
    return _mm512_or_si512(acc, _mm512_sll_epi32(bit, _mm_cvtsi32_si128(b)));
}

#include "realpool_simd.h"
#else
typedef int fbnn_realpool_avx512_unused; /* ISO C forbids an empty unit */
#endif
