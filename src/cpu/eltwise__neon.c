/*
 * AArch64 Advanced SIMD variants of the elementwise epilogue kernels (affine,
 * RPReLU, residual add, Q2 pack), bit-identical to the reference kernels:
 * per element the reference's float operations in its order and with its
 * operand order (fmul then fadd, never fmla: the library is built with
 * -ffp-contract=off, and GCC's vmulq/vaddq are plain vector operators it
 * would otherwise contract), compares with the same ordered predicates (fcmgt
 * / fcmge are false for NaN, and -0 == +0, as the scalar > and >=). 4 lanes at
 * a time; tails take the reference's scalar code. NEON is mandatory on
 * AArch64: no flags, no run-time check.
 */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "epilogue_args.h"

int fbnn_k_affine__neon(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b, int32_t c, int32_t hw,
                        fbnn_real *y)
{
    int32_t ch, i;
    if (!fbnn_affine_args_ok(x, a, b, c, hw, y)) return FBNN_K_EBADARG;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real ac = a[ch], bc = b[ch];
        const float32x4_t va = vdupq_n_f32(ac), vb = vdupq_n_f32(bc);
        const fbnn_real *xs = x + (size_t)ch * (size_t)hw;
        fbnn_real *ys = y + (size_t)ch * (size_t)hw;
        for (i = 0; i + 4 <= hw; i += 4) vst1q_f32(ys + i, vaddq_f32(vmulq_f32(va, vld1q_f32(xs + i)), vb));
        for (; i < hw; ++i) ys[i] = fbnn_r_add(fbnn_r_mul(ac, xs[i]), bc);
    }
    return FBNN_K_OK;
}

int fbnn_k_rprelu__neon(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope, const fbnn_real *by,
                        int32_t c, int32_t hw, fbnn_real *y)
{
    int32_t ch, i;
    if (!fbnn_rprelu_args_ok(x, bx, slope, by, c, hw, y)) return FBNN_K_EBADARG;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real sx = bx[ch], sl = slope[ch], sy = by[ch];
        const float32x4_t vx = vdupq_n_f32(sx), vs = vdupq_n_f32(sl), vy = vdupq_n_f32(sy);
        const fbnn_real *xs = x + (size_t)ch * (size_t)hw;
        fbnn_real *ys = y + (size_t)ch * (size_t)hw;
        for (i = 0; i + 4 <= hw; i += 4) {
            const float32x4_t t = vaddq_f32(vld1q_f32(xs + i), vx);
            /* t > 0 keeps t; otherwise (-0, NaN included) slope * t, as the
             * reference (fcmgt against zero is false for NaN). */
            const uint32x4_t pos = vcgtq_f32(t, vdupq_n_f32(0.0f));
            vst1q_f32(ys + i, vaddq_f32(vbslq_f32(pos, t, vmulq_f32(vs, t)), vy));
        }
        for (; i < hw; ++i) {
            fbnn_real t = fbnn_r_add(xs[i], sx);
            if (!fbnn_r_gt(t, FBNN_R_ZERO)) t = fbnn_r_mul(sl, t);
            ys[i] = fbnn_r_add(t, sy);
        }
    }
    return FBNN_K_OK;
}

int fbnn_k_add__neon(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y)
{
    int32_t i;
    if (x0 == NULL || x1 == NULL || y == NULL || n < 1) return FBNN_K_EBADARG;
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(x0 + i), vld1q_f32(x1 + i)));
    for (; i < n; ++i) y[i] = fbnn_r_add(x0[i], x1[i]);
    return FBNN_K_OK;
}

/* One pixel, scalar (the reference's code): the tail of the map. */
static void q2_pixel(const fbnn_real *x, int32_t c, size_t plane, size_t pix, int32_t nw, uint32_t *msb,
                     uint32_t *lsb)
{
    const fbnn_real t = FBNN_R_TWO_THIRDS, neg_t = -FBNN_R_TWO_THIRDS;
    uint32_t *om = msb + pix * (size_t)nw, *ol = lsb + pix * (size_t)nw;
    int32_t ch, i;
    for (i = 0; i < nw; ++i) om[i] = ol[i] = 0u;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real v = x[(size_t)ch * plane + pix];
        const uint32_t bit = (uint32_t)1u << (ch & 31);
        if (fbnn_r_ge(v, FBNN_R_ZERO)) om[ch >> 5] |= bit;
        if (fbnn_r_gt(v, t) || (fbnn_r_ge(v, neg_t) && fbnn_r_gt(FBNN_R_ZERO, v))) ol[ch >> 5] |= bit;
    }
}

/* Q2 bits of 4 values as lane masks: m = v >= 0, l = v > 2/3 or (v >= -2/3
 * and 0 > v), the reference's predicates one for one (all false for NaN). */
static inline void q2_masks(float32x4_t v, uint32x4_t *m, uint32x4_t *l)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    *m = vcgeq_f32(v, zero);
    *l = vorrq_u32(vcgtq_f32(v, vdupq_n_f32(FBNN_R_TWO_THIRDS)),
                   vandq_u32(vcgeq_f32(v, vdupq_n_f32(-FBNN_R_TWO_THIRDS)), vcgtq_f32(zero, v)));
}

/* Words [w0, w0 + nacc) of 4 pixels, acc[j] lane p = word w0 + j of pixel p:
 * up to 4 words per pixel go out with one interleaving store (vstNq writes
 * lane p of every register before lane p + 1: exactly the pixel-major
 * layout when nacc == nw); otherwise lane by lane. */
static inline void store_words(uint32_t *out, size_t pix, int32_t nw, int32_t w0, int32_t nacc,
                               const uint32x4_t *acc)
{
    uint32_t *p = out + pix * (size_t)nw + (size_t)w0;
    int32_t j;
    if (nacc == nw) {
        switch (nw) {
        case 1: vst1q_u32(p, acc[0]); return;
        case 2: { const uint32x4x2_t v = {{acc[0], acc[1]}}; vst2q_u32(p, v); return; }
        case 3: { const uint32x4x3_t v = {{acc[0], acc[1], acc[2]}}; vst3q_u32(p, v); return; }
        case 4: { const uint32x4x4_t v = {{acc[0], acc[1], acc[2], acc[3]}}; vst4q_u32(p, v); return; }
        default: break;
        }
    }
    for (j = 0; j < nacc; ++j) {
        vst1q_lane_u32(p + j, acc[j], 0);
        vst1q_lane_u32(p + (size_t)nw + j, acc[j], 1);
        vst1q_lane_u32(p + 2 * (size_t)nw + j, acc[j], 2);
        vst1q_lane_u32(p + 3 * (size_t)nw + j, acc[j], 3);
    }
}

int fbnn_k_quant2_pack__neon(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb, uint32_t *lsb)
{
    int32_t nw, w0, ch;
    size_t plane, pix;
    if (!fbnn_quant2_args_ok(x, c, h, w, msb, lsb)) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    /* 4 pixels at a time, channels in groups of up to 4 words (128
     * channels, all of them at the model's sizes) held in registers. */
    for (pix = 0; pix + 4 <= plane; pix += 4)
        for (w0 = 0; w0 < nw; w0 += 4) {
            const int32_t nacc = nw - w0 < 4 ? nw - w0 : 4;
            uint32x4_t am[4], al[4];
            int32_t j;
            for (j = 0; j < nacc; ++j) {
                /* Word w0 + j: its (up to) 32 channels into two registers. */
                const int32_t c1 = (w0 + j + 1) * 32 < c ? (w0 + j + 1) * 32 : c;
                uint32x4_t wm = vdupq_n_u32(0u), wl = vdupq_n_u32(0u);
                for (ch = (w0 + j) * 32; ch < c1; ++ch) {
                    const uint32x4_t bit = vdupq_n_u32((uint32_t)1u << (ch & 31));
                    uint32x4_t m, l;
                    q2_masks(vld1q_f32(x + (size_t)ch * plane + pix), &m, &l);
                    wm = vorrq_u32(wm, vandq_u32(m, bit));
                    wl = vorrq_u32(wl, vandq_u32(l, bit));
                }
                am[j] = wm;
                al[j] = wl;
            }
            store_words(msb, pix, nw, w0, nacc, am);
            store_words(lsb, pix, nw, w0, nacc, al);
        }
    for (; pix < plane; ++pix) q2_pixel(x, c, plane, pix, nw, msb, lsb);
    return FBNN_K_OK;
}
#else
typedef int fbnn_eltwise_neon_unused; /* ISO C forbids an empty unit */
#endif
