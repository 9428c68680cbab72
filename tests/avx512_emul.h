/*
 * AVX-512 emulation for the exactness tests (test_simd_avx512_emul,
 * tests/CMakeLists.txt).
 *
 * The AVX-512 conv instances (src/cpu/conv/conv__avx512.c) are selected on CPUs
 * with AVX-512F/BW (and VPOPCNTDQ); a machine without them can neither run
 * nor check them. This header lets the SAME source be compiled on any x86-64
 * with AVX2: after the system <immintrin.h>, every AVX-512 type and
 * intrinsic that conv__avx512.c uses is renamed by a macro to a plain C
 * function that computes the instruction's documented result lane by lane
 * (Intel SDM semantics: byte shuffles within 128-bit lanes, vpmaddubsw's
 * signed saturation, signed compares into a 16-bit mask, round-to-nearest
 * int->float, correctly rounded multiplication and division, and fused
 * multiply-adds through C99 fmaf). test_simd then checks the
 * resulting kernel set against the reference like any other; what it
 * proves is the template's logic at 16 lanes with these instruction
 * semantics, not the silicon.
 *
 * The emulation objects get it with -include (tests/CMakeLists.txt), so it
 * comes before everything in src/cpu/conv/conv__avx512.c.
 */
#ifndef FBNN_AVX512_EMUL_H
#define FBNN_AVX512_EMUL_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef union {
    uint8_t b[64];
    int8_t sb[64];
    uint16_t h[32];
    int16_t sh[32];
    uint32_t d[16];
    int32_t sd[16];
} emu_m512i;
typedef struct {
    float f[16];
} emu_m512;
typedef uint16_t emu_mmask16;

#define __m512i emu_m512i
#define __m512 emu_m512
#define __mmask16 emu_mmask16

static inline emu_m512i emu_setzero_si512(void)
{
    emu_m512i r;
    memset(&r, 0, sizeof r);
    return r;
}
static inline emu_m512i emu_loadu_si512(const void *p)
{
    emu_m512i r;
    memcpy(&r, p, sizeof r);
    return r;
}
static inline emu_m512i emu_set1_epi32(int x)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i++) r.sd[i] = x;
    return r;
}
static inline emu_m512i emu_set1_epi16(short x)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 32; i++) r.sh[i] = x;
    return r;
}
static inline emu_m512i emu_set1_epi8(char x)
{
    emu_m512i r;
    memset(r.b, (unsigned char)x, sizeof r.b);
    return r;
}
/* Elements 0..3 of every 128-bit lane are a, b, c, d (argument order d, c, b, a). */
static inline emu_m512i emu_set4_epi32(int d, int c, int b, int a)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i += 4) {
        r.sd[i] = a;
        r.sd[i + 1] = b;
        r.sd[i + 2] = c;
        r.sd[i + 3] = d;
    }
    return r;
}
static inline emu_m512i emu_add_epi32(emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++) a.d[i] += b.d[i];
    return a;
}
static inline emu_m512i emu_sub_epi32(emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++) a.d[i] -= b.d[i];
    return a;
}
static inline emu_m512i emu_add_epi8(emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 64; i++) a.b[i] = (uint8_t)(a.b[i] + b.b[i]);
    return a;
}
static inline emu_m512i emu_xor_si512(emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++) a.d[i] ^= b.d[i];
    return a;
}
static inline emu_m512i emu_and_si512(emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++) a.d[i] &= b.d[i];
    return a;
}
static inline emu_m512i emu_popcnt_epi32(emu_m512i a)
{
    int i;
    for (i = 0; i < 16; i++) a.d[i] = (uint32_t)__builtin_popcount(a.d[i]);
    return a;
}
/* AVX512_BITALG vpopcntw and AVX-512BW vpaddw (the <= 16-channel conv path). */
static inline emu_m512i emu_popcnt_epi16(emu_m512i a)
{
    int i;
    for (i = 0; i < 32; i++) a.h[i] = (uint16_t)__builtin_popcount(a.h[i]);
    return a;
}
static inline emu_m512i emu_add_epi16(emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 32; i++) a.h[i] = (uint16_t)(a.h[i] + b.h[i]);
    return a;
}
static inline emu_m512i emu_srli_epi16(emu_m512i a, unsigned n)
{
    int i;
    for (i = 0; i < 32; i++) a.h[i] = n > 15 ? 0 : (uint16_t)(a.h[i] >> n);
    return a;
}
static inline emu_m512i emu_srli_epi32(emu_m512i a, unsigned n)
{
    int i;
    for (i = 0; i < 16; i++) a.d[i] = n > 31 ? 0 : a.d[i] >> n;
    return a;
}
/* vpshufb: per byte, 0 if bit 7 of the index is set, else the table byte
 * (index & 15) of the SAME 128-bit lane. */
static inline emu_m512i emu_shuffle_epi8(emu_m512i t, emu_m512i idx)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 64; i++) r.b[i] = (idx.b[i] & 0x80u) ? 0u : t.b[(i & ~15) + (idx.b[i] & 15u)];
    return r;
}
/* vpmaddubsw: unsigned bytes of a times signed bytes of b, adjacent pairs
 * summed with signed 16-bit saturation. */
static inline emu_m512i emu_maddubs_epi16(emu_m512i a, emu_m512i b)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 32; i++) {
        int32_t s = (int32_t)a.b[2 * i] * b.sb[2 * i] + (int32_t)a.b[2 * i + 1] * b.sb[2 * i + 1];
        r.sh[i] = (int16_t)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
    }
    return r;
}
/* vpmaddwd: signed 16-bit products, adjacent pairs summed to 32 bits (wraps). */
static inline emu_m512i emu_madd_epi16(emu_m512i a, emu_m512i b)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i++)
        r.d[i] = (uint32_t)((int32_t)a.sh[2 * i] * b.sh[2 * i]) + (uint32_t)((int32_t)a.sh[2 * i + 1] * b.sh[2 * i + 1]);
    return r;
}
static inline emu_mmask16 emu_cmpgt_epi32_mask(emu_m512i a, emu_m512i b)
{
    unsigned m = 0u;
    int i;
    for (i = 0; i < 16; i++) m |= (a.sd[i] > b.sd[i] ? 1u : 0u) << i;
    return (emu_mmask16)m;
}
/* vpblendmd: lane i from b where mask bit i is set, else from a. */
static inline emu_m512i emu_mask_blend_epi32(emu_mmask16 m, emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++)
        if ((m >> i) & 1u) a.d[i] = b.d[i];
    return a;
}
static inline emu_m512 emu_cvtepi32_ps(emu_m512i a)
{
    emu_m512 r;
    int i;
    for (i = 0; i < 16; i++) r.f[i] = (float)a.sd[i]; /* round to nearest, as vcvtdq2ps */
    return r;
}
static inline emu_m512 emu_set1_ps(float x)
{
    emu_m512 r;
    int i;
    for (i = 0; i < 16; i++) r.f[i] = x;
    return r;
}
static inline emu_m512 emu_mul_ps(emu_m512 a, emu_m512 b)
{
    int i;
    for (i = 0; i < 16; i++) a.f[i] = a.f[i] * b.f[i]; /* one rounding, as vmulps */
    return a;
}
/* vfmadd: a * b + c with one rounding (C99 fmaf is fused); vfnmadd: -(a * b) + c. */
static inline emu_m512 emu_fmadd_ps(emu_m512 a, emu_m512 b, emu_m512 c)
{
    int i;
    for (i = 0; i < 16; i++) a.f[i] = fmaf(a.f[i], b.f[i], c.f[i]);
    return a;
}
static inline emu_m512 emu_fnmadd_ps(emu_m512 a, emu_m512 b, emu_m512 c)
{
    int i;
    for (i = 0; i < 16; i++) a.f[i] = fmaf(-a.f[i], b.f[i], c.f[i]);
    return a;
}
static inline emu_m512 emu_div_ps(emu_m512 a, emu_m512 b)
{
    int i;
    for (i = 0; i < 16; i++) a.f[i] = a.f[i] / b.f[i]; /* IEEE single division, as vdivps */
    return a;
}
static inline void emu_storeu_ps(float *p, emu_m512 v) { memcpy(p, v.f, sizeof v.f); }
static inline emu_m512i emu_cvtepu8_epi32(__m128i x)
{
    uint8_t b[16];
    emu_m512i r;
    int i;
    _mm_storeu_si128((__m128i *)(void *)b, x);
    for (i = 0; i < 16; i++) r.d[i] = b[i];
    return r;
}
/* vpmovdb: the low byte of every lane (truncation). */
static inline __m128i emu_cvtepi32_epi8(emu_m512i a)
{
    uint8_t b[16];
    int i;
    for (i = 0; i < 16; i++) b[i] = (uint8_t)a.d[i];
    return _mm_loadu_si128((const __m128i *)(const void *)b);
}

static inline int emu_reduce_add_epi32(emu_m512i a)
{
    uint32_t s = 0u;
    int i;
    for (i = 0; i < 16; i++) s += a.d[i];
    return (int)s;
}
/* For the sparse LSB pass (conv_simd_sparse.h). Masked load: lanes outside
 * m are 0 and their memory is not read. */
static inline emu_m512i emu_maskz_loadu_epi32(emu_mmask16 m, const void *p)
{
    emu_m512i r;
    int i;
    memset(&r, 0, sizeof r);
    for (i = 0; i < 16; i++)
        if (m & (1u << i)) memcpy(&r.d[i], (const char *)p + 4 * i, 4);
    return r;
}
static inline void emu_storeu_si512(void *p, emu_m512i a) { memcpy(p, &a, sizeof a); }
static inline emu_m512i emu_set_epi32(int e15, int e14, int e13, int e12, int e11, int e10, int e9, int e8, int e7,
                                      int e6, int e5, int e4, int e3, int e2, int e1, int e0)
{
    const int e[16] = {e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15};
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i++) r.d[i] = (uint32_t)e[i];
    return r;
}
/* Per 128-bit lane, elements of e words (1: epi32, 2: epi64): lo
 * interleaves the lane's low half of a and b, element by element (hi: its
 * high half). */
static inline emu_m512i emu_unpack(emu_m512i a, emu_m512i b, int hi, int e)
{
    emu_m512i r;
    int l, k;
    for (l = 0; l < 4; l++)
        for (k = 0; k < 2 / e; k++) {
            memcpy(&r.d[4 * l + 2 * e * k], &a.d[4 * l + 2 * hi + e * k], 4u * (unsigned)e);
            memcpy(&r.d[4 * l + 2 * e * k + e], &b.d[4 * l + 2 * hi + e * k], 4u * (unsigned)e);
        }
    return r;
}
static inline emu_m512i emu_unpacklo_epi32(emu_m512i a, emu_m512i b) { return emu_unpack(a, b, 0, 1); }
static inline emu_m512i emu_unpackhi_epi32(emu_m512i a, emu_m512i b) { return emu_unpack(a, b, 1, 1); }
static inline emu_m512i emu_unpacklo_epi64(emu_m512i a, emu_m512i b) { return emu_unpack(a, b, 0, 2); }
static inline emu_m512i emu_unpackhi_epi64(emu_m512i a, emu_m512i b) { return emu_unpack(a, b, 1, 2); }
/* 128-bit blocks: r0 = a[imm 1:0], r1 = a[imm 3:2], r2 = b[imm 5:4], r3 = b[imm 7:6]. */
static inline emu_m512i emu_shuffle_i32x4(emu_m512i a, emu_m512i b, int imm)
{
    emu_m512i r;
    int k;
    for (k = 0; k < 4; k++) {
        const emu_m512i *src = k < 2 ? &a : &b;
        memcpy(&r.d[4 * k], &src->d[4 * ((imm >> (2 * k)) & 3)], 16);
    }
    return r;
}
static inline emu_m512i emu_maskz_compress_epi32(emu_mmask16 m, emu_m512i a)
{
    emu_m512i r;
    int i, n = 0;
    memset(&r, 0, sizeof r);
    for (i = 0; i < 16; i++)
        if (m & (1u << i)) r.d[n++] = a.d[i];
    return r;
}

/* The 16-lane gate helper (conv__avx512.c vu_gates16). */
static inline emu_m512 emu_maskz_loadu_ps(emu_mmask16 m, const void *p)
{
    emu_m512 r;
    int i;
    for (i = 0; i < 16; i++) {
        r.f[i] = 0.0f;
        if (m & (1u << i)) memcpy(&r.f[i], (const char *)p + 4 * i, 4);
    }
    return r;
}
/* MINPS / MAXPS: the second operand unless the first is strictly smaller /
 * larger (so a NaN in either gives the second). */
static inline emu_m512 emu_min_ps(emu_m512 a, emu_m512 b)
{
    int i;
    for (i = 0; i < 16; i++) a.f[i] = a.f[i] < b.f[i] ? a.f[i] : b.f[i];
    return a;
}
static inline emu_m512 emu_max_ps(emu_m512 a, emu_m512 b)
{
    int i;
    for (i = 0; i < 16; i++) a.f[i] = a.f[i] > b.f[i] ? a.f[i] : b.f[i];
    return a;
}
/* float -> int32 with the rounding of the immediate; NaN and out of range
 * give the integer indefinite 0x80000000. */
static inline emu_m512i emu_cvt_roundps_epi32(emu_m512 a, int mode)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i++) {
        float v = a.f[i];
        switch (mode & 3) {
        case _MM_FROUND_TO_NEG_INF: v = floorf(v); break;
        case _MM_FROUND_TO_POS_INF: v = ceilf(v); break;
        case _MM_FROUND_TO_ZERO: v = truncf(v); break;
        default: v = nearbyintf(v); break;
        }
        r.d[i] = (v != v || v >= 2147483648.0f || v < -2147483648.0f) ? 0x80000000u : (uint32_t)(int32_t)v;
    }
    return r;
}
static inline emu_mmask16 emu_cmpeq_epi32_mask(emu_m512i a, emu_m512i b)
{
    emu_mmask16 m = 0;
    int i;
    for (i = 0; i < 16; i++)
        if (a.d[i] == b.d[i]) m = (emu_mmask16)(m | (1u << i));
    return m;
}
/* Only the predicates the conv source uses: ordered greater-than, unordered. */
static inline emu_mmask16 emu_cmp_ps_mask(emu_m512 a, emu_m512 b, int pred)
{
    emu_mmask16 m = 0;
    int i;
    for (i = 0; i < 16; i++) {
        int bit;
        if (pred == _CMP_GT_OQ) bit = a.f[i] > b.f[i];
        else if (pred == _CMP_UNORD_Q) bit = a.f[i] != a.f[i] || b.f[i] != b.f[i];
        else abort(); /* not emulated: a test-build error, not a result */
        if (bit) m = (emu_mmask16)(m | (1u << i));
    }
    return m;
}
static inline emu_m512i emu_mask_add_epi32(emu_m512i src, emu_mmask16 m, emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++)
        if (m & (1u << i)) src.d[i] = a.d[i] + b.d[i];
    return src;
}
static inline emu_m512i emu_mask_sub_epi32(emu_m512i src, emu_mmask16 m, emu_m512i a, emu_m512i b)
{
    int i;
    for (i = 0; i < 16; i++)
        if (m & (1u << i)) src.d[i] = a.d[i] - b.d[i];
    return src;
}
static inline void emu_mask_storeu_epi32(void *p, emu_mmask16 m, emu_m512i a)
{
    int i;
    for (i = 0; i < 16; i++)
        if (m & (1u << i)) memcpy((char *)p + 4 * i, &a.d[i], 4);
}
/* The 3x3 pixel-lane path (conv__avx512.c vu_shift_up1, vc_xpop_mask, vf_store_head). */
static inline emu_m512i emu_maskz_permutexvar_epi32(emu_mmask16 m, emu_m512i idx, emu_m512i a)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i++) r.d[i] = (m & (1u << i)) ? a.d[idx.d[i] & 15u] : 0u;
    return r;
}
static inline emu_m512i emu_maskz_popcnt_epi32(emu_mmask16 m, emu_m512i a)
{
    emu_m512i r;
    int i;
    for (i = 0; i < 16; i++) r.d[i] = (m & (1u << i)) ? (uint32_t)__builtin_popcount(a.d[i]) : 0u;
    return r;
}
static inline void emu_mask_storeu_ps(void *p, emu_mmask16 m, emu_m512 a)
{
    int i;
    for (i = 0; i < 16; i++)
        if (m & (1u << i)) memcpy((char *)p + 4 * i, &a.f[i], 4);
}
#define _mm512_maskz_permutexvar_epi32 emu_maskz_permutexvar_epi32
#define _mm512_maskz_popcnt_epi32 emu_maskz_popcnt_epi32
#define _mm512_mask_storeu_ps emu_mask_storeu_ps
#define _mm512_maskz_loadu_ps emu_maskz_loadu_ps
#define _mm512_min_ps emu_min_ps
#define _mm512_max_ps emu_max_ps
#define _mm512_cvt_roundps_epi32 emu_cvt_roundps_epi32
#define _mm512_cmpeq_epi32_mask emu_cmpeq_epi32_mask
#define _mm512_cmp_ps_mask emu_cmp_ps_mask
#define _mm512_mask_add_epi32 emu_mask_add_epi32
#define _mm512_mask_sub_epi32 emu_mask_sub_epi32
#define _mm512_mask_storeu_epi32 emu_mask_storeu_epi32

#define _mm512_reduce_add_epi32 emu_reduce_add_epi32
#define _mm512_maskz_loadu_epi32 emu_maskz_loadu_epi32
#define _mm512_storeu_si512 emu_storeu_si512
#define _mm512_set_epi32 emu_set_epi32
#define _mm512_unpacklo_epi32 emu_unpacklo_epi32
#define _mm512_unpackhi_epi32 emu_unpackhi_epi32
#define _mm512_unpacklo_epi64 emu_unpacklo_epi64
#define _mm512_unpackhi_epi64 emu_unpackhi_epi64
#define _mm512_shuffle_i32x4 emu_shuffle_i32x4
#define _mm512_maskz_compress_epi32 emu_maskz_compress_epi32
#define _mm512_setzero_si512 emu_setzero_si512
#define _mm512_loadu_si512 emu_loadu_si512
#define _mm512_set1_epi32 emu_set1_epi32
#define _mm512_set1_epi16 emu_set1_epi16
#define _mm512_set1_epi8 emu_set1_epi8
#define _mm512_set4_epi32 emu_set4_epi32
#define _mm512_add_epi32 emu_add_epi32
#define _mm512_sub_epi32 emu_sub_epi32
#define _mm512_add_epi8 emu_add_epi8
#define _mm512_xor_si512 emu_xor_si512
#define _mm512_and_si512 emu_and_si512
#define _mm512_popcnt_epi32 emu_popcnt_epi32
#define _mm512_popcnt_epi16 emu_popcnt_epi16
#define _mm512_add_epi16 emu_add_epi16
#define _mm512_srli_epi16 emu_srli_epi16
#define _mm512_srli_epi32 emu_srli_epi32
#define _mm512_shuffle_epi8 emu_shuffle_epi8
#define _mm512_maddubs_epi16 emu_maddubs_epi16
#define _mm512_madd_epi16 emu_madd_epi16
#define _mm512_cmpgt_epi32_mask emu_cmpgt_epi32_mask
#define _mm512_mask_blend_epi32 emu_mask_blend_epi32
#define _mm512_cvtepi32_ps emu_cvtepi32_ps
#define _mm512_set1_ps emu_set1_ps
#define _mm512_div_ps emu_div_ps
#define _mm512_mul_ps emu_mul_ps
#define _mm512_fmadd_ps emu_fmadd_ps
#define _mm512_fnmadd_ps emu_fnmadd_ps
#define _mm512_storeu_ps emu_storeu_ps
#define _mm512_cvtepu8_epi32 emu_cvtepu8_epi32
#define _mm512_cvtepi32_epi8 emu_cvtepi32_epi8

#endif /* FBNN_AVX512_EMUL_H */
