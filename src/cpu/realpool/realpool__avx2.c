/*
 * Float max pool and sign packing (realpool_simd.h) with the avx2 primitives
 * (vec/vec_avx2.h), entry points fbnn_k_maxpool__avx2, fbnn_k_pack_sign__avx2,
 * fbnn_k_quant_kbit__avx2
 * (flags: CMakeLists.txt, FBNN_FLAGS_avx2).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "fbnn_kernels.h" /* size_t, fbnn_real: before the vec header */
#include "vec/vec_avx2.h"

/* Lanes j < n: p[j*s], a masked gather (nothing else is read). */
static inline vf rp_ld_part(const float *p, int32_t s, int32_t n)
{
    const __m256i j = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i ok = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), j);
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, _mm256_mullo_epi32(j, _mm256_set1_epi32(s)),
                                    _mm256_castsi256_ps(ok), 4);
}
/* v where not (m >= v) (unordered: true) and m is ordered, else m. */
static inline vf rp_max(vf m, vf v)
{
    const __m256 take = _mm256_and_ps(_mm256_cmp_ps(m, v, _CMP_NGE_UQ), _mm256_cmp_ps(m, m, _CMP_ORD_Q));
    return _mm256_blendv_ps(m, v, take);
}
static inline vw rp_or_ge0(vw acc, vf v, vw bit)
{
    const __m256i ge = _mm256_castps_si256(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ));
    return _mm256_or_si256(acc, _mm256_and_si256(ge, bit));
}

static inline vw rp_kbit_code(vf x, vf n)
{
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f), two23 = _mm256_set1_ps(8388608.0f);
    __m256 v = _mm256_and_ps(x, _mm256_cmp_ps(x, zero, _CMP_GE_OQ)); /* NaN, < 0: +0 */
    v = _mm256_blendv_ps(v, one, _mm256_cmp_ps(v, one, _CMP_GT_OQ));
    v = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(v, n), two23), two23);
    return _mm256_cvttps_epi32(v);
}
static inline vw rp_or_codebit(vw acc, vw code, int32_t i, int32_t b)
{
    const __m256i bit = _mm256_and_si256(_mm256_srl_epi32(code, _mm_cvtsi32_si128(i)), _mm256_set1_epi32(1));
    return _mm256_or_si256(acc, _mm256_sll_epi32(bit, _mm_cvtsi32_si128(b)));
}

#include "realpool_simd.h"
#else
typedef int fbnn_realpool_avx2_unused; /* ISO C forbids an empty unit */
#endif
