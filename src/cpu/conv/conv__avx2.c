/*
 * AVX2 instance of the blocked conv (conv_simd.h): 8 output channels per
 * ymm, 2 ymm per block of 16. Popcount by the 4-bit lookup (vpshufb) into
 * byte counters, widened with vpmaddubsw/vpmaddwd. Float: vcvtdq2ps, then
 * fl(n / 3) = the scalar (float)n / 3 by reciprocal and an exact FMA
 * remainder (third_avx2.h; vdivps and a route through double both measured
 * slower on Zen 3). This file alone is compiled with -mavx2 -mfma
 * (CMakeLists.txt); dispatch.c selects it only when cpuid and xgetbv report
 * AVX2 and FMA with OS-saved ymm state.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "third_avx2.h"

#include "dispatch.h"

#define FBNN_SIMD_SUFFIX avx2
#define VL 8
#define FLUSH_EVERY 31
#define FBNN_SIMD_GEMM_P 2 /* 1x1 convs: 2 pixels x 16 channels of byte counters per register block (conv_simd_gemm.h) */

typedef __m256i vu;
typedef __m256i vc;
typedef __m256 vf;
typedef __m256 vm;

static inline vu vu_zero(void) { return _mm256_setzero_si256(); }
static inline vu vu_load(const uint32_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }
static inline vu vu_bcast(uint32_t x) { return _mm256_set1_epi32((int)x); }
static inline vu vu_add(vu a, vu b) { return _mm256_add_epi32(a, b); }
static inline vu vu_conv_sum(vu pc, int32_t base)
{
    return _mm256_sub_epi32(_mm256_set1_epi32(base), _mm256_add_epi32(pc, pc));
}
static inline vc vc_zero(void) { return _mm256_setzero_si256(); }
/* popcount of each 4-bit value 0..15, in both 128-bit halves (the vpshufb table). */
static inline __m256i nib_popcount_lut(void)
{
    return _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3,
                            3, 4);
}
static inline vc vc_xpop(vc c, vu x, vu w)
{
    const __m256i lut = nib_popcount_lut();
    const __m256i low4 = _mm256_set1_epi8(0x0f);
    const __m256i v = _mm256_xor_si256(x, w);
    const __m256i lo = _mm256_and_si256(v, low4);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    return _mm256_add_epi8(c, _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi)));
}
/* c + popcount of (xl ^ wl) and (xh ^ wh), operands pre-split into low and
 * high nibbles (bytes 0..15): the lookups need no mask or shift. */
#define FBNN_SIMD_HAVE_NIBBLES 1
/* Counters stay in ymm registers across taps (see conv_simd.h): measured
 * 28.0M -> 25.6M instructions in the <= 16-channel path (callgrind, 16
 * images) and 139 -> 129 us for the six 16-channel PG layers. */
#define FBNN_SIMD_PIN(v) __asm__("" : "+x"(v))
static inline vc vc_xpop_nib(vc c, vu xl, vu xh, vu wl, vu wh)
{
    const __m256i lut = nib_popcount_lut();
    return _mm256_add_epi8(c, _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_xor_si256(xl, wl)),
                                              _mm256_shuffle_epi8(lut, _mm256_xor_si256(xh, wh))));
}
static inline vu vu_flush(vu acc, vc c)
{
    const __m256i s16 = _mm256_maddubs_epi16(c, _mm256_set1_epi8(1));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(s16, _mm256_set1_epi16(1)));
}
/* Lanes holding two 16-bit halves: per-lane byte sums of bytes 0-1 (lo) and 2-3 (hi). */
#define FBNN_SIMD_HAVE_SPLIT16 1
static inline void vc_split16(vc c, vu *lo, vu *hi)
{
    const __m256i s16 = _mm256_maddubs_epi16(c, _mm256_set1_epi8(1));
    *lo = _mm256_and_si256(s16, _mm256_set1_epi32(0xffff));
    *hi = _mm256_srli_epi32(s16, 16);
}
/* pg_out_ab's a = -4*pm and b = -4*pm - 2*pl straight from byte counters:
 * vpmaddubsw with negative byte weights, then vpmaddwd picks or adds the
 * 16-bit halves (5 ops for both, against 8 through vc_split16/vu_flush and
 * vu_conv_sum). No saturation: counters hold at most 31 x 8 = 248 per byte,
 * so |4 * (248 + 248) + 2 * (248 + 248)| < 32768. */
#define FBNN_SIMD_HAVE_PG_AB 1
static inline void pg_ab16__avx2(vc c, vu *a, vu *b)
{
    const __m256i s16 = _mm256_maddubs_epi16(c, _mm256_set1_epi32((int)0xFEFEFCFCu)); /* bytes -4,-4,-2,-2 */
    *a = _mm256_madd_epi16(s16, _mm256_set1_epi32(1));
    *b = _mm256_madd_epi16(s16, _mm256_set1_epi32(0x00010001));
}
static inline void pg_ab2__avx2(vc cm, vc cl, vu *a, vu *b)
{
    const __m256i sm = _mm256_maddubs_epi16(cm, _mm256_set1_epi8(-4)), sl = _mm256_maddubs_epi16(cl, _mm256_set1_epi8(-2));
    *a = _mm256_madd_epi16(sm, _mm256_set1_epi16(1));
    *b = _mm256_madd_epi16(_mm256_add_epi16(sm, sl), _mm256_set1_epi16(1));
}
static inline vf vf_from_vu(vu s) { return _mm256_cvtepi32_ps(s); }
/* fl(n / 3) exactly as the reference's division, by reciprocal and one FMA
 * correction (third_avx2.h has the proof; vdivps was measured slower, and so
 * was an earlier route through double). */
static inline vf vf_third(vu n) { return fbnn_third_avx2(n); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline unsigned vm_bits(vm m) { return (unsigned)_mm256_movemask_ps(m); }
static inline uint32_t vu_hsum(vu a)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/* Signed int32 lane compare a > b as a lane mask, and a lane select by mask. */
static inline vm vu_gt(vu a, vu b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(a, b)); }
static inline vu vu_select(vm m, vu yes, vu no)
{
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(no), _mm256_castsi256_ps(yes), m));
}


/* 16 u16 lanes in one ymm: the prefix-code stem adds one table row per tap
 * and word with a single vpaddw, widening to the u32 lanes once per pixel. */
#define FBNN_SIMD_HAVE_ACC16 1
typedef __m256i vh;
static inline vh vh_zero(void) { return _mm256_setzero_si256(); }
static inline vh vh_add_load(vh a, const uint16_t *p)
{
    return _mm256_add_epi16(a, _mm256_loadu_si256((const __m256i *)(const void *)p));
}
static inline void vh_widen(vh a, vu *out)
{
    out[0] = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(a));
    out[1] = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(a, 1));
}
static inline void vu_store_u16(uint16_t *p, const vu *v)
{
    /* packus works per 128-bit half: the permute puts the 16 values in order. */
    _mm256_storeu_si256((__m256i *)(void *)p, _mm256_permute4x64_epi64(_mm256_packus_epi32(v[0], v[1]), 0xD8));
}


/* Prefix-code stem: for n words x of the form 2^n - 1 (n = 0..32), code[i]
 * = 16 * popcount(x) (= 16 * trailing ones, the table row offset); returns 0
 * as soon as a block of 8 holds another word. 8 words per step instead of a
 * scalar test + tzcnt per word. */
#define FBNN_SIMD_HAVE_PFX_CODES 1
static inline int vu_pfx_codes(const uint32_t *src, size_t n, uint16_t *code)
{
    const __m256i lut = nib_popcount_lut();
    const __m256i low4 = _mm256_set1_epi8(0x0f), ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(src + i));
        const __m256i bad = _mm256_and_si256(x, _mm256_sub_epi32(x, _mm256_set1_epi32(-1)));
        __m256i c;
        if (!_mm256_testz_si256(bad, bad)) return 0;
        c = _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(x, low4)),
                            _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), low4)));
        c = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(c, ones8), ones16), 4);
        /* 8 u32 lanes (<= 512) to 8 u16: pack within 128-bit halves, then gather the halves. */
        c = _mm256_permute4x64_epi64(_mm256_packus_epi32(c, c), 0x08);
        _mm_storeu_si128((__m128i *)(void *)(code + i), _mm256_castsi256_si128(c));
    }
    for (; i < n; i++) {
        const uint32_t x = src[i];
        if ((x & (x + 1u)) != 0u) return 0;
        code[i] = (uint16_t)(__builtin_popcount(x) * 16);
    }
    return 1;
}

#include "tile_avx2.h"
#include "conv_simd.h"
#else
typedef int fbnn_conv_avx2_unused; /* ISO C forbids an empty unit */
#endif
