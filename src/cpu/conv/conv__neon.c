/*
 * AArch64 Advanced SIMD instance of the blocked conv (conv_simd.h): 4 output
 * channels per q register, 4 registers per block of 16. Popcount with vcntq_u8
 * into byte counters, widened by pairwise adds (vpaddlq). Float per lane:
 * scvtf and fdiv (correctly rounded = scalar (float)n / 3); NEON is mandatory
 * on AArch64, so no flags and no run-time check are needed.
 */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "dispatch.h"

#define FBNN_SIMD_SUFFIX neon
#define VL 4
#define FLUSH_EVERY 31
#define FBNN_SIMD_GEMM_P 2 /* 1x1 convs: 2 pixels x 16 channels per register block (conv_simd_gemm.h) */

typedef uint32x4_t vu;
typedef uint8x16_t vc;
typedef float32x4_t vf;
typedef uint32x4_t vm;

static inline vu vu_zero(void) { return vdupq_n_u32(0u); }
static inline vu vu_load(const uint32_t *p) { return vld1q_u32(p); }
static inline vu vu_bcast(uint32_t x) { return vdupq_n_u32(x); }
static inline vu vu_add(vu a, vu b) { return vaddq_u32(a, b); }
static inline vu vu_conv_sum(vu pc, int32_t base) { return vsubq_u32(vdupq_n_u32((uint32_t)base), vshlq_n_u32(pc, 1)); }
static inline vc vc_zero(void) { return vdupq_n_u8(0u); }
static inline vc vc_xpop(vc c, vu x, vu w) { return vaddq_u8(c, vcntq_u8(vreinterpretq_u8_u32(veorq_u32(x, w)))); }
static inline vu vu_flush(vu acc, vc c) { return vaddq_u32(acc, vpaddlq_u16(vpaddlq_u8(c))); }
/* Lanes holding two 16-bit halves: per-lane byte sums of bytes 0-1 (lo) and 2-3 (hi). */
#define FBNN_SIMD_HAVE_SPLIT16 1
static inline void vc_split16(vc c, vu *lo, vu *hi)
{
    const uint32x4_t s16 = vreinterpretq_u32_u16(vpaddlq_u8(c));
    *lo = vandq_u32(s16, vdupq_n_u32(0xffffu));
    *hi = vshrq_n_u32(s16, 16);
}
static inline vf vf_from_vu(vu s) { return vcvtq_f32_s32(vreinterpretq_s32_u32(s)); }
static inline vf vf_third(vu n) { return vdivq_f32(vcvtq_f32_s32(vreinterpretq_s32_u32(n)), vdupq_n_f32(3.0f)); }
static inline void vf_store(float *p, vf v) { vst1q_f32(p, v); }
static inline unsigned vm_bits(vm m)
{
    const uint32_t w[4] = {1u, 2u, 4u, 8u};
    return (unsigned)vaddvq_u32(vandq_u32(m, vld1q_u32(w)));
}

static inline uint32_t vu_hsum(vu a) { return vaddvq_u32(a); }

/* Signed int32 lane compare a > b as a lane mask, and a lane select by mask. */
static inline vm vu_gt(vu a, vu b) { return vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b)); }
static inline vu vu_select(vm m, vu yes, vu no) { return vbslq_u32(m, yes, no); }

/* VL bytes zero-extended to the u32 lanes (table rows of the prefix-code path). */
static inline vu vu_load_u8(const uint8_t *p)
{
    const uint8x8_t b = vcreate_u8((uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24);
    return vmovl_u16(vget_low_u16(vmovl_u8(b)));
}

/* The 16 lanes of a block as 16 bytes (values < 256). */
static inline void vu_store_u8(uint8_t *p, const vu *v)
{
    const uint16x8_t lo = vcombine_u16(vmovn_u32(v[0]), vmovn_u32(v[1]));
    const uint16x8_t hi = vcombine_u16(vmovn_u32(v[2]), vmovn_u32(v[3]));
    vst1q_u8(p, vcombine_u8(vmovn_u16(lo), vmovn_u16(hi)));
}

#include "conv_simd.h"
#else
typedef int fbnn_conv_neon_unused; /* ISO C forbids an empty unit */
#endif
