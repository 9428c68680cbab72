/*
 * Float vector primitives, AArch64 Advanced SIMD: 4 lanes per q register.
 * The same set as vec_avx2.h (see there for the contract): fmul then fadd,
 * never fmla (-ffp-contract=off; GCC's vmulq/vaddq are plain vector
 * operators it would otherwise contract), fcmgt / fcmge as the scalar > and
 * >= (false for NaN, -0 == +0), fdiv correctly rounded as the scalar '/'.
 * Strided loads are the structure loads: lane j of vldNq(p).val[i] is
 * p[N*j + i].
 */
#ifndef FBNN_VEC_NEON_H
#define FBNN_VEC_NEON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#include "fbnn_real.h"

#define VEC_SUFFIX neon
#define VF_LANES 4
#define VF_STRIDE_MAX 4
#define VF_DEINT_MAX 4
#define VEC_CHAIN_BLOCK 8

typedef float32x4_t vf;
typedef uint32x4_t vw;
typedef uint32x4_t vfm;

static inline vf vf_zero(void) { return vdupq_n_f32(0.0f); }
static inline vf vf_set1(float x) { return vdupq_n_f32(x); }
static inline vf vf_bcast(const float *p) { return vld1q_dup_f32(p); }
static inline vf vf_load(const float *p) { return vld1q_f32(p); }
static inline void vf_store(float *p, vf v) { vst1q_f32(p, v); }
static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vfm vf_gt(vf a, vf b) { return vcgtq_f32(a, b); }
static inline vf vf_blend(vfm m, vf yes, vf no) { return vbslq_f32(m, yes, no); }

static inline vw vw_zero(void) { return vdupq_n_u32(0u); }
static inline vw vw_set1(uint32_t x) { return vdupq_n_u32(x); }
static inline vw vw_load(const uint32_t *p) { return vld1q_u32(p); }
static inline void vw_store(uint32_t *p, vw v) { vst1q_u32(p, v); }
static inline vw vw_or(vw a, vw b) { return vorrq_u32(a, b); }

/* The Q2 masks of v, the reference's predicates one for one: m = v >= 0,
 * l = v > 2/3 or (v >= -2/3 and 0 > v); all false for NaN. */
static inline void vq2_masks__neon(vf v, uint32x4_t *m, uint32x4_t *l)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    *m = vcgeq_f32(v, zero);
    *l = vorrq_u32(vcgtq_f32(v, vdupq_n_f32(FBNN_R_TWO_THIRDS)),
                   vandq_u32(vcgeq_f32(v, vdupq_n_f32(-FBNN_R_TWO_THIRDS)), vcgtq_f32(zero, v)));
}
/* The Q2 code of v as bits: *m = bits in the lanes where v >= 0, *l = bits
 * where v > 2/3 or -2/3 <= v < 0, 0 elsewhere. */
static inline void vq2_bits(vf v, vw bits, vw *m, vw *l)
{
    uint32x4_t km, kl;
    vq2_masks__neon(v, &km, &kl);
    *m = vandq_u32(km, bits);
    *l = vandq_u32(kl, bits);
}
/* Both in one word (channels < 16): bits = 1 << ch | 1 << (16 + ch); the
 * result has the msb bit in the low half and the lsb bit in the high half. */
static inline vw vq2_comb(vf v, vw bits)
{
    uint32x4_t km, kl;
    vq2_masks__neon(v, &km, &kl);
    return vandq_u32(vbslq_u32(vdupq_n_u32(0xffffu), km, kl), bits);
}

/* acc[j] lane p (j < nacc) to out[p * nw + j]: word j of pixel p. Up to 4
 * words per pixel go out with one interleaving store (vstNq writes lane p of
 * every register before lane p + 1: exactly the pixel-major layout when
 * nacc == nw); otherwise lane by lane. */
static inline void vw_store_words(uint32_t *out, int32_t nw, int32_t nacc, const vw *acc)
{
    int32_t j;
    if (nacc == nw) {
        switch (nw) {
        case 1: vst1q_u32(out, acc[0]); return;
        case 2: { const uint32x4x2_t v = {{acc[0], acc[1]}}; vst2q_u32(out, v); return; }
        case 3: { const uint32x4x3_t v = {{acc[0], acc[1], acc[2]}}; vst3q_u32(out, v); return; }
        case 4: { const uint32x4x4_t v = {{acc[0], acc[1], acc[2], acc[3]}}; vst4q_u32(out, v); return; }
        default: break;
        }
    }
    for (j = 0; j < nacc; ++j) {
        vst1q_lane_u32(out + j, acc[j], 0);
        vst1q_lane_u32(out + (size_t)nw + j, acc[j], 1);
        vst1q_lane_u32(out + 2 * (size_t)nw + j, acc[j], 2);
        vst1q_lane_u32(out + 3 * (size_t)nw + j, acc[j], 3);
    }
}

/* out[i] lane j = p[s * j + i], i < s (s = 2 .. VF_DEINT_MAX); reads p[0 .. 4s). */
static inline void vf_deint(const float *p, int32_t s, vf *out)
{
    if (s == 2) {
        const float32x4x2_t v = vld2q_f32(p);
        out[0] = v.val[0];
        out[1] = v.val[1];
    } else if (s == 3) {
        const float32x4x3_t v = vld3q_f32(p);
        out[0] = v.val[0];
        out[1] = v.val[1];
        out[2] = v.val[2];
    } else {
        const float32x4x4_t v = vld4q_f32(p);
        out[0] = v.val[0];
        out[1] = v.val[1];
        out[2] = v.val[2];
        out[3] = v.val[3];
    }
}
/* Lane j = p[s * j] (s = 1 .. VF_STRIDE_MAX); reads p[0 .. 4s). */
static inline vf vf_load_stride(const float *p, int32_t s)
{
    switch (s) {
    case 1: return vld1q_f32(p);
    case 2: return vld2q_f32(p).val[0];
    case 3: return vld3q_f32(p).val[0];
    default: return vld4q_f32(p).val[0];
    }
}

/* Columns of the 4x4 block r[0..3]: c[m] lane j = r[j][m]. trn1/trn2 pair
 * up rows 0,1 and 2,3; the 64-bit zips then join their halves. */
static inline void vf_transpose(const vf r[4], vf col[4])
{
    const float64x2_t a = vreinterpretq_f64_f32(vtrn1q_f32(r[0], r[1])); /* r00 r10 r02 r12 */
    const float64x2_t b = vreinterpretq_f64_f32(vtrn2q_f32(r[0], r[1])); /* r01 r11 r03 r13 */
    const float64x2_t c = vreinterpretq_f64_f32(vtrn1q_f32(r[2], r[3])); /* r20 r30 r22 r32 */
    const float64x2_t d = vreinterpretq_f64_f32(vtrn2q_f32(r[2], r[3])); /* r21 r31 r23 r33 */
    col[0] = vreinterpretq_f32_f64(vzip1q_f64(a, c));
    col[1] = vreinterpretq_f32_f64(vzip1q_f64(b, d));
    col[2] = vreinterpretq_f32_f64(vzip2q_f64(a, c));
    col[3] = vreinterpretq_f32_f64(vzip2q_f64(b, d));
}

#endif /* FBNN_VEC_NEON_H */
