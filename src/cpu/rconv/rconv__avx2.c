/*
 * Real-valued conv (rconv_simd.h) with the avx2 primitives (vec/vec_avx2.h),
 * entry point fbnn_k_rconv__avx2 (flags: CMakeLists.txt, FBNN_FLAGS_avx2:
 * no -mfma, so every multiply and add stays a separate rounding).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "fbnn_kernels.h" /* size_t, fbnn_real: before the vec header */
#include "vec/vec_avx2.h"

/* Elements e of [lo, hi) among the 8 from `first`, as a maskload mask. */
static inline __m256i rc_range_mask(int32_t first, int32_t lo, int32_t hi)
{
    const __m256i e = _mm256_add_epi32(_mm256_set1_epi32(first), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_and_si256(_mm256_cmpgt_epi32(e, _mm256_set1_epi32(lo - 1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), e));
}

/* Lanes j < n at column ix + j*s inside [0, w), others 0 (the masked-off
 * elements are not read). Strides 1 and 2: masked loads of the columns the
 * lanes read; larger strides: a masked gather. */
static inline vf rc_ld_f32_part(const float *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    const int32_t lo = ix < 0 ? -ix : 0, hi = w - ix < s * n ? w - ix : s * n;
    if (s == 1) return _mm256_maskload_ps(row + ix, rc_range_mask(0, lo, hi));
    if (s == 2) {
        const __m256 a = _mm256_maskload_ps(row + ix, rc_range_mask(0, lo, hi));
        const __m256 b = _mm256_maskload_ps(row + ix + 8, rc_range_mask(8, lo, hi));
        /* Even elements in order (as vf_deint2__avx2). */
        return _mm256_castpd_ps(
            _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), 0xD8));
    }
    {
        const __m256i j = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(ix), _mm256_mullo_epi32(j, _mm256_set1_epi32(s)));
        const __m256i ok = _mm256_and_si256(_mm256_and_si256(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(-1)),
                                                             _mm256_cmpgt_epi32(_mm256_set1_epi32(w), idx)),
                                            _mm256_cmpgt_epi32(_mm256_set1_epi32(n), j));
        return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), row, idx, _mm256_castsi256_ps(ok), 4);
    }
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
