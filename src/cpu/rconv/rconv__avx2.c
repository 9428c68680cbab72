/*
 * Real-valued conv (rconv_simd.h) with the avx2 primitives (vec/vec_avx2.h),
 * entry point fbnn_k_rconv__avx2 (flags: CMakeLists.txt, FBNN_FLAGS_avx2:
 * no -mfma, so every multiply and add stays a separate rounding).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "vec/vec_avx2.h"

/* Lanes j < n at column ix + j*s inside [0, w): a masked gather (the
 * masked-off lanes read nothing and give 0). */
static inline vf rc_ld_f32_part(const float *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    const __m256i j = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(ix), _mm256_mullo_epi32(j, _mm256_set1_epi32(s)));
    const __m256i ok = _mm256_and_si256(_mm256_and_si256(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(-1)),
                                                         _mm256_cmpgt_epi32(_mm256_set1_epi32(w), idx)),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(n), j));
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), row, idx, _mm256_castsi256_ps(ok), 4);
}
/* 8 pixels, converted exactly. */
static inline vf rc_ld_u8_full(const uint8_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)p)));
}
static inline vf rc_ld_u8_part(const uint8_t *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    int32_t t[8], j;
    for (j = 0; j < 8; ++j) {
        int32_t c = ix + j * s;
        t[j] = j < n && c >= 0 && c < w ? (int32_t)row[c] : 0;
    }
    return _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)(const void *)t));
}

#include "rconv_simd.h"
#else
typedef int fbnn_rconv_avx2_unused; /* ISO C forbids an empty unit */
#endif
