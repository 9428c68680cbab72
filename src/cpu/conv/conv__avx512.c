/*
 * AVX-512 instances of the blocked conv (conv_simd.h): one zmm = the 16
 * output channels of a block. Two builds of this source:
 *  - avx512 (this file, -mavx512f -mavx512bw): popcount by the 4-bit lookup
 *    (vpshufb) into byte counters, widened with vpmaddubsw/vpmaddwd;
 *  - avx512vpopcnt (-DFBNN_AVX512_VPOPCNT, adds -mavx512vpopcntdq and
 *    -mavx512bitalg: a second object of this source, CMakeLists.txt):
 *    vpopcntd straight into the 32-bit accumulators, and vpopcntw for the
 *    <= 16-channel path (two 16-bit words per lane).
 * Float per lane: vcvtdq2ps; fl(n / 3) by reciprocal and an exact FMA
 * remainder (third_avx512.h, = scalar (float)n / 3); integer gate compares
 * into a mask register. dispatch.c selects these only when cpuid
 * and xgetbv report the features with OS-saved opmask/zmm state.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "dispatch.h"
#include "third_avx512.h"

/* The suffix of the entry points; a build may set its own (the tests compile
 * this source over an emulation of the intrinsics, under other names). */
#ifdef FBNN_AVX512_VPOPCNT
#ifndef FBNN_SIMD_SUFFIX
#define FBNN_SIMD_SUFFIX avx512vpopcnt
#endif
#define FLUSH_EVERY 0x7fffffff
#define FBNN_SIMD_USE_PREFIX 0 /* xor + vpopcntd beats the thermometer table (conv_simd.h) */
#define FBNN_SIMD_SPARSE_LSB 1 /* 3x3 PG convs from 256 channels: LSB of fired pairs only (conv_simd_sparse.h) */
#define FBNN_SIMD_GEMM_P 8 /* 1x1 convs: 8 pixels x 16 channels of counters per register block (conv_simd_gemm.h) */
#define FBNN_SIMD_PIXGEMM 1 /* 1x1 convs: lanes over 16 pixels, no output transposition (conv_simd_pixgemm.h) */
#define FBNN_SIMD_PIX3 1 /* 3x3 convs over one input word: lanes over 16 pixels of a row (conv_simd_pix3.h) */
#else
#ifndef FBNN_SIMD_SUFFIX
#define FBNN_SIMD_SUFFIX avx512
#endif
#define FLUSH_EVERY 31
#define FBNN_SIMD_GEMM_P 4 /* 1x1 convs: 4 pixels x 16 channels of byte counters per register block (conv_simd_gemm.h) */
#endif
#define VL 16

typedef __m512i vu;
typedef __m512i vc;
typedef __m512 vf;
typedef __mmask16 vm;

/* The mask bits of the first n lanes, 0 <= n <= 16 (every partial-vector
 * load, store and lane set below, and the pixel-lane paths' lane masks). */
static inline unsigned vm_head(int32_t n) { return n >= 16 ? 0xffffu : (1u << n) - 1u; }

static inline vu vu_zero(void) { return _mm512_setzero_si512(); }
static inline vu vu_load(const uint32_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline vu vu_bcast(uint32_t x) { return _mm512_set1_epi32((int)x); }
static inline vu vu_add(vu a, vu b) { return _mm512_add_epi32(a, b); }
static inline vu vu_conv_sum(vu pc, int32_t base)
{
    return _mm512_sub_epi32(_mm512_set1_epi32(base), _mm512_add_epi32(pc, pc));
}
static inline vc vc_zero(void) { return _mm512_setzero_si512(); }
#ifdef FBNN_AVX512_VPOPCNT
static inline vc vc_xpop(vc c, vu x, vu w) { return _mm512_add_epi32(c, _mm512_popcnt_epi32(_mm512_xor_si512(x, w))); }
static inline vu vu_flush(vu acc, vc c) { return _mm512_add_epi32(acc, c); }
/* Convs with <= 16 input channels (conv_simd_split16.h): two 16-bit words
 * per lane, counted by vpopcntw (AVX512_BITALG, which this build also
 * requires: dispatch.c selects it only with both features) into 16-bit
 * counters, so both halves come out of one xor + popcount + add, the same
 * three vector ops per 512 bits as the probe. A window adds at most
 * 31 * 16 per half (split16 takes k*k <= 31), far below 2^16. */
#define FBNN_SIMD_HAVE_SPLIT16 1
#define FBNN_SIMD_HAVE_XPOP16 1
static inline vc vc_xpop16(vc c, vu x, vu w) { return _mm512_add_epi16(c, _mm512_popcnt_epi16(_mm512_xor_si512(x, w))); }
static inline void vc_split16(vc c, vu *lo, vu *hi)
{
    *lo = _mm512_and_si512(c, _mm512_set1_epi32(0xffff));
    *hi = _mm512_srli_epi32(c, 16);
}
/* The PG epilogue's a = -4*pm and b = -4*pm - 2*pl (conv_simd.h pg_out_ab)
 * straight from a split16 counter by one vpmaddwd each (16-bit words
 * (-4, 0) and (-4, -2) against (pm, pl); both counts <= 31 * 16, so the
 * signed 16-bit products and their sum are exact): 2 vector ops per pixel
 * instead of 8 on the 16-channel PG convs of CIFAR ResNets. (Only pg_ab16:
 * the two-counter pg_ab2 belongs to the nibble path, which this build does
 * not have.) */
#define FBNN_SIMD_HAVE_PG_AB16 1
/* The sparse LSB pass (conv_simd_sparse.h). */
static inline void vu_store(uint32_t *p, __m512i v) { _mm512_storeu_si512((void *)p, v); }
/* For the 3x3 pixel-lane path (conv_simd_pix3.h): a load of the lanes in
 * mask only (the others zero, their memory untouched); the lanes moved up
 * by one with lane 0 zero; popcounts of x ^ w added in the lanes of mask
 * only; a - b; the first n < 16 lanes of a float vector stored. */
static inline __m512i vu_load_mask(const uint32_t *p, unsigned mask) { return _mm512_maskz_loadu_epi32((__mmask16)mask, (const void *)p); }
/* The first n < 16 words at p, the other lanes 0 (the sparse LSB pass: the
 * words past n are not read, so a row's end may be the buffer's end). */
static inline __m512i vu_load_head(const uint32_t *p, int32_t n) { return vu_load_mask(p, vm_head(n)); }
static inline __m512i vu_shift_up1(__m512i v)
{
    return _mm512_maskz_permutexvar_epi32((__mmask16)0xfffeu,
                                          _mm512_set_epi32(14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0), v);
}
static inline __m512i vc_xpop_mask(__m512i c, __m512i x, __m512i w, unsigned mask)
{
    return _mm512_add_epi32(c, _mm512_maskz_popcnt_epi32((__mmask16)mask, _mm512_xor_si512(x, w)));
}
static inline __m512i vu_sub(__m512i a, __m512i b) { return _mm512_sub_epi32(a, b); }
static inline void vf_store_head(float *p, __m512 v, int32_t n) { _mm512_mask_storeu_ps(p, (__mmask16)vm_head(n), v); }
/* Lane j of the result = the sum of the 16 lanes of v[j]: a transposed
 * reduction, 4 levels of two shuffles and an add. */
static inline __m512i vu_red16(const __m512i *v)
{
    __m512i t[8], u[4], s[2];
    int j;
    for (j = 0; j < 8; j++) /* per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3] */
        t[j] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * j], v[2 * j + 1]),
                                _mm512_unpackhi_epi32(v[2 * j], v[2 * j + 1]));
    for (j = 0; j < 4; j++) /* per 128-bit lane: the sums of v[4j .. 4j+3] over it */
        u[j] = _mm512_add_epi32(_mm512_unpacklo_epi64(t[2 * j], t[2 * j + 1]),
                                _mm512_unpackhi_epi64(t[2 * j], t[2 * j + 1]));
    for (j = 0; j < 2; j++) /* 128-bit lanes pairwise summed */
        s[j] = _mm512_add_epi32(_mm512_shuffle_i32x4(u[2 * j], u[2 * j + 1], 0x88),
                                _mm512_shuffle_i32x4(u[2 * j], u[2 * j + 1], 0xDD));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(s[0], s[1], 0x88), _mm512_shuffle_i32x4(s[0], s[1], 0xDD));
}
/* Store base + lane for the lanes set in bits, packed at dst (16 words
 * written, the first n meaningful); returns n. */
static inline int32_t vu_compress_lanes(uint32_t *dst, unsigned bits, uint32_t base)
{
    const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32((int)base),
                                         _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
    /* Compressed in a register, then stored whole (dst has room for 16):
     * the memory form of vpcompressd is microcoded on Zen 4. */
    _mm512_storeu_si512((void *)dst, _mm512_maskz_compress_epi32((__mmask16)bits, idx));
    return (int32_t)__builtin_popcount(bits & 0xffffu);
}
#define PG_AB_NAME2_(n, s) n##__##s
#define PG_AB_NAME_(n, s) PG_AB_NAME2_(n, s)
static inline void PG_AB_NAME_(pg_ab16, FBNN_SIMD_SUFFIX)(vc c, vu *a, vu *b)
{
    *a = _mm512_madd_epi16(c, _mm512_set1_epi32(0x0000fffc));
    *b = _mm512_madd_epi16(c, _mm512_set1_epi32((int)0xfffefffcu));
}
#else
static inline vc vc_xpop(vc c, vu x, vu w)
{
    const __m512i lut = _mm512_set4_epi32(0x04030302, 0x03020201, 0x03020201, 0x02010100);
    const __m512i low4 = _mm512_set1_epi8(0x0f);
    const __m512i v = _mm512_xor_si512(x, w);
    const __m512i lo = _mm512_and_si512(v, low4);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
    return _mm512_add_epi8(c, _mm512_add_epi8(_mm512_shuffle_epi8(lut, lo), _mm512_shuffle_epi8(lut, hi)));
}
static inline vu vu_flush(vu acc, vc c)
{
    const __m512i s16 = _mm512_maddubs_epi16(c, _mm512_set1_epi8(1));
    return _mm512_add_epi32(acc, _mm512_madd_epi16(s16, _mm512_set1_epi16(1)));
}
/* Lanes holding two 16-bit halves: per-lane byte sums of bytes 0-1 (lo) and 2-3 (hi). */
#define FBNN_SIMD_HAVE_SPLIT16 1
static inline void vc_split16(vc c, vu *lo, vu *hi)
{
    const __m512i s16 = _mm512_maddubs_epi16(c, _mm512_set1_epi8(1));
    *lo = _mm512_and_si512(s16, _mm512_set1_epi32(0xffff));
    *hi = _mm512_srli_epi32(s16, 16);
}
#endif
/* The integer PG gates of n <= 16 channels at once (conv_simd.h gates):
 * fbnn_simd_gate_int's G is the largest integer in [-lim - 1, lim] for
 * which fl(G / 3) > thr is false. Estimate floor(3 * thr), move it up to
 * two steps with the exact fl(n / 3) of third_avx512.h, then check that
 * property per lane: bit j of the result says lane j's g[j] has it (then
 * it is that G, whatever the estimate was); the caller computes the other
 * lanes (NaN thresholds among them) with the scalar function. One call
 * replaces 16 scalar ones of tens of cycles each (two divisions). */
#define FBNN_SIMD_HAVE_GATES16 1
static inline unsigned vu_gates16(const float *thr, int32_t n, int32_t lim, int32_t *g)
{
    const __mmask16 lanes = (__mmask16)vm_head(n);
    const __m512 t = _mm512_maskz_loadu_ps(lanes, thr);
    const __m512i hi = _mm512_set1_epi32(lim), lo = _mm512_set1_epi32(-lim - 1), one = _mm512_set1_epi32(1);
    const __m512 e = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(t, _mm512_set1_ps(3.0f)), _mm512_set1_ps((float)(-lim - 1))),
                                   _mm512_set1_ps((float)lim));
    __m512i gi = _mm512_cvt_roundps_epi32(e, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __mmask16 up_ok = 0, dn_ok = 0;
    int it;
    for (it = 0; it < 3; it++) {
        /* G has: G == lim or fl((G+1)/3) > thr; and G == -lim-1 or not fl(G/3) > thr. */
        up_ok = _mm512_cmpeq_epi32_mask(gi, hi) |
                _mm512_cmp_ps_mask(fbnn_third_avx512(_mm512_add_epi32(gi, one)), t, _CMP_GT_OQ);
        dn_ok = _mm512_cmpeq_epi32_mask(gi, lo) | (__mmask16)~_mm512_cmp_ps_mask(fbnn_third_avx512(gi), t, _CMP_GT_OQ);
        if (it == 2 || (__mmask16)(up_ok & dn_ok) == 0xffffu) break;
        gi = _mm512_mask_add_epi32(gi, (__mmask16)~up_ok, gi, one);
        gi = _mm512_mask_sub_epi32(gi, (__mmask16)(up_ok & ~dn_ok), gi, one);
    }
    _mm512_mask_storeu_epi32(g, lanes, gi);
    /* NaN lanes: their compares are false, so up_ok fails unless gi == lim;
     * leave them to the scalar function explicitly. */
    return (unsigned)(up_ok & dn_ok & lanes & (__mmask16)~_mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q));
}

#ifdef FBNN_AVX512_VPOPCNT /* the pixel-lane GEMM is this build's only */
/* The packed input of 16 pixels moved to [word][pixel] order for the
 * pixel-lane 1x1 GEMM (conv_simd_pixgemm.h): xt[i * ld + r] = x[r * nw + i]
 * for the 16 pixels r and the nw words i. Per block of up to 16 words a
 * 16 x 16 transposition in registers (32-bit, 64-bit and two 128-bit
 * interleave stages, 64 shuffles), about 4x fewer operations than the
 * scalar copy of each word. */
#define FBNN_SIMD_HAVE_XPOSE16 1
static inline void vu_xpose16(const uint32_t *x, int32_t nw, uint32_t *xt, size_t ld)
{
    int32_t i0, j, k;
    for (i0 = 0; i0 < nw; i0 += 16) {
        const int32_t nk = nw - i0 < 16 ? nw - i0 : 16;
        const __mmask16 m = (__mmask16)vm_head(nk);
        __m512i r[16], a[16], b[16];
        for (j = 0; j < 16; j++) r[j] = _mm512_maskz_loadu_epi32(m, x + (size_t)j * (size_t)nw + (size_t)i0);
        for (j = 0; j < 16; j += 2) {
            a[j] = _mm512_unpacklo_epi32(r[j], r[j + 1]);
            a[j + 1] = _mm512_unpackhi_epi32(r[j], r[j + 1]);
        }
        /* b[4g + k], 128-bit lane L: rows 4g .. 4g+3 of column 4L + k */
        for (j = 0; j < 16; j += 4) {
            b[j] = _mm512_unpacklo_epi64(a[j], a[j + 2]);
            b[j + 1] = _mm512_unpackhi_epi64(a[j], a[j + 2]);
            b[j + 2] = _mm512_unpacklo_epi64(a[j + 1], a[j + 3]);
            b[j + 3] = _mm512_unpackhi_epi64(a[j + 1], a[j + 3]);
        }
        for (k = 0; k < 4; k++) {
            const __m512i s0 = _mm512_shuffle_i32x4(b[k], b[4 + k], 0x88), s1 = _mm512_shuffle_i32x4(b[k], b[4 + k], 0xDD);
            const __m512i t0 = _mm512_shuffle_i32x4(b[8 + k], b[12 + k], 0x88),
                          t1 = _mm512_shuffle_i32x4(b[8 + k], b[12 + k], 0xDD);
            __m512i o[4];
            o[0] = _mm512_shuffle_i32x4(s0, t0, 0x88); /* column k */
            o[2] = _mm512_shuffle_i32x4(s0, t0, 0xDD); /* column 8 + k */
            o[1] = _mm512_shuffle_i32x4(s1, t1, 0x88); /* column 4 + k */
            o[3] = _mm512_shuffle_i32x4(s1, t1, 0xDD); /* column 12 + k */
            for (j = 0; j < 4; j++)
                if (4 * j + k < nk) _mm512_storeu_si512((void *)(xt + (size_t)(i0 + 4 * j + k) * ld), o[j]);
        }
    }
}
#endif

static inline vf vf_from_vu(vu s) { return _mm512_cvtepi32_ps(s); }
/* fl(n / 3) by reciprocal and an exact FMA remainder (third_avx512.h). */
static inline vf vf_third(vu n) { return fbnn_third_avx512(n); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline unsigned vm_bits(vm m) { return (unsigned)m; }
static inline uint32_t vu_hsum(vu a) { return (uint32_t)_mm512_reduce_add_epi32(a); }

/* Signed int32 lane compare a > b as a lane mask, and a lane select by mask. */
static inline vm vu_gt(vu a, vu b) { return _mm512_cmpgt_epi32_mask(a, b); }
static inline vu vu_select(vm m, vu yes, vu no) { return _mm512_mask_blend_epi32(m, no, yes); }

/* VL bytes zero-extended to the u32 lanes (table rows of the prefix-code path). */
static inline vu vu_load_u8(const uint8_t *p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)p)); }

/* The 16 lanes of a block as 16 bytes (values < 256). */
static inline void vu_store_u8(uint8_t *p, const vu *v) { _mm_storeu_si128((__m128i *)(void *)p, _mm512_cvtepi32_epi8(v[0])); }

#include "tile_avx2.h"
#include "conv_simd.h"
#else
typedef int fbnn_conv_avx512_unused; /* ISO C forbids an empty unit */
#endif
