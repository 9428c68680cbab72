/*
 * Real-valued conv (rconv_simd.h) with the avx512 primitives
 * (vec/vec_avx512.h), entry point fbnn_k_rconv__avx512 (flags:
 * CMakeLists.txt, FBNN_FLAGS_avx512: no FMA contraction).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "fbnn_kernels.h" /* size_t, fbnn_real: before the vec header */
#include "vec/vec_avx512.h"

/* 8 channels x 2 chunks = 16 of the 32 zmm registers. */
#define RC_NCF 2

/* Elements e of [lo, hi) among the 16 from `first` (e = first + lane). */
static inline __mmask16 rc_range_mask(int32_t first, int32_t lo, int32_t hi)
{
    const __m512i e = _mm512_add_epi32(_mm512_set1_epi32(first),
                                       _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm512_cmpge_epi32_mask(e, _mm512_set1_epi32(lo)) & _mm512_cmplt_epi32_mask(e, _mm512_set1_epi32(hi));
}

/* Lanes j < n at column ix + j*s inside [0, w), others 0. Strides 1 and 2:
 * masked loads of the columns the lanes read (a border chunk costs one or
 * two loads, like a full one); larger strides: a masked gather. */
static inline vf rc_ld_f32_part(const float *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    /* Columns ix + e, e in [lo, hi): inside the row and below lane n. */
    const int32_t lo = ix < 0 ? -ix : 0, hi = w - ix < s * n ? w - ix : s * n;
    if (s == 1) return _mm512_maskz_loadu_ps(rc_range_mask(0, lo, hi), row + ix);
    if (s == 2) {
        const __m512 a = _mm512_maskz_loadu_ps(rc_range_mask(0, lo, hi), row + ix);
        const __m512 b = _mm512_maskz_loadu_ps(rc_range_mask(16, lo, hi), row + ix + 16);
        return _mm512_permutex2var_ps(
            a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);
    }
    {
        const __m512i j = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(ix), _mm512_mullo_epi32(j, _mm512_set1_epi32(s)));
        const __mmask16 ok = _mm512_cmpge_epi32_mask(idx, _mm512_setzero_si512()) &
                             _mm512_cmplt_epi32_mask(idx, _mm512_set1_epi32(w)) &
                             _mm512_cmplt_epi32_mask(j, _mm512_set1_epi32(n));
        return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), ok, idx, row, 4);
    }
}
/* 16 pixels, converted exactly. */
static inline vf rc_ld_u8_full(const uint8_t *p)
{
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)p)));
}
static inline vf rc_ld_u8_part(const uint8_t *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    int32_t t[16], j;
    for (j = 0; j < 16; ++j) {
        int32_t c = ix + j * s;
        t[j] = j < n && c >= 0 && c < w ? (int32_t)row[c] : 0;
    }
    return _mm512_cvtepi32_ps(_mm512_loadu_si512((const void *)t));
}

#include "rconv_simd.h"
#else
typedef int fbnn_rconv_avx512_unused; /* ISO C forbids an empty unit */
#endif
