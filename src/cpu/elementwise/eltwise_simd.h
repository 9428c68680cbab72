/*
 * The elementwise epilogue kernels (affine, RPReLU, residual add, Q2 pack)
 * as one template over the float vector primitives of src/cpu/vec/vec_*.h
 * (included first by the instance file, eltwise__<isa>.c, which also sets
 * its flags in CMakeLists.txt). Entry points fbnn_k_<op>__<VEC_SUFFIX>.
 *
 * Bit-identical to the reference kernels: per element the reference's float
 * operations in its order (mul then add, never an FMA), compares with its
 * ordered predicates (NaN and -0 behave the same), VF_LANES elements at a
 * time, and the reference's scalar code for the tails.
 */
#ifndef FBNN_ELTWISE_SIMD_H
#define FBNN_ELTWISE_SIMD_H

#include "epilogue_args.h"
#include "vec/vf_quant_uniform.h"

#define ELT_CAT2_(a, b) a##__##b
#define ELT_CAT_(a, b) ELT_CAT2_(a, b)
#define ELT_NAME(op) ELT_CAT_(op, VEC_SUFFIX)

/* RPReLU of one vector: t = x + bx; t > 0 keeps t, otherwise (-0 and NaN
 * included) slope * t, as the reference; then t + by. Shared with the chain
 * (chain_simd.h). */
static inline vf vf_rprelu(vf x, vf bx, vf slope, vf by)
{
    const vf t = vf_add(x, bx);
#ifdef VF_HAVE_MUL_UNLESS_POS
    return vf_add(vf_mul_unless_pos(t, slope), by); /* the same multiply, masked */
#else
    return vf_add(vf_blend(vf_gt(t, vf_zero()), t, vf_mul(slope, t)), by);
#endif
}

int ELT_NAME(fbnn_k_affine)(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b, int32_t c, int32_t hw,
                            fbnn_real *y)
{
    int32_t ch, i;
    if (!fbnn_affine_args_ok(x, a, b, c, hw, y)) return FBNN_K_EBADARG;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real ac = a[ch], bc = b[ch];
        const vf va = vf_set1(ac), vb = vf_set1(bc);
        const fbnn_real *xs = x + (size_t)ch * (size_t)hw;
        fbnn_real *ys = y + (size_t)ch * (size_t)hw;
        for (i = 0; i + VF_LANES <= hw; i += VF_LANES) vf_store(ys + i, vf_add(vf_mul(va, vf_load(xs + i)), vb));
        for (; i < hw; ++i) ys[i] = fbnn_r_add(fbnn_r_mul(ac, xs[i]), bc);
    }
    return FBNN_K_OK;
}

int ELT_NAME(fbnn_k_rprelu)(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope, const fbnn_real *by,
                            int32_t c, int32_t hw, fbnn_real *y)
{
    int32_t ch, i;
    if (!fbnn_rprelu_args_ok(x, bx, slope, by, c, hw, y)) return FBNN_K_EBADARG;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real sx = bx[ch], sl = slope[ch], sy = by[ch];
        const vf vx = vf_set1(sx), vs = vf_set1(sl), vy = vf_set1(sy);
        const fbnn_real *xs = x + (size_t)ch * (size_t)hw;
        fbnn_real *ys = y + (size_t)ch * (size_t)hw;
        for (i = 0; i + VF_LANES <= hw; i += VF_LANES) vf_store(ys + i, vf_rprelu(vf_load(xs + i), vx, vs, vy));
        for (; i < hw; ++i) {
            fbnn_real t = fbnn_r_add(xs[i], sx);
            if (!fbnn_r_gt(t, FBNN_R_ZERO)) t = fbnn_r_mul(sl, t);
            ys[i] = fbnn_r_add(t, sy);
        }
    }
    return FBNN_K_OK;
}

int ELT_NAME(fbnn_k_add)(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y)
{
    int32_t i;
    if (x0 == NULL || x1 == NULL || y == NULL || n < 1) return FBNN_K_EBADARG;
    for (i = 0; i + VF_LANES <= n; i += VF_LANES) vf_store(y + i, vf_add(vf_load(x0 + i), vf_load(x1 + i)));
    for (; i < n; ++i) y[i] = fbnn_r_add(x0[i], x1[i]);
    return FBNN_K_OK;
}

/* Uniform k-bit quantiser (fbnn_k_quant_uniform: the Q4 shortcut of the
 * ImageNet network). Per lane the reference's operations in its order:
 * clamp by its two ordered compares (a NaN passes through), (v - lo) / d by
 * a true division, round half to even by the 2^23 trick where 0 <= v <
 * 2^23 (elsewhere, and for NaN, v unchanged), then * d + lo. The argument
 * checks and d are the reference's own: it is called on one element first,
 * which also validates the arguments. */
int ELT_NAME(fbnn_k_quant_uniform)(const fbnn_real *x, int32_t n, int32_t bits, fbnn_real lo, fbnn_real hi,
                                   fbnn_real *y)
{
    fbnn_real d;
    int32_t i;
    int rc;
    if (x == NULL || y == NULL || n < 1) return FBNN_K_EBADARG;
    /* The last element by the reference: that validates bits, lo and hi.
     * It is read before y[n-1] is written (y may be x), and the vectors
     * below end before it. */
    {
        const fbnn_real last = x[n - 1];
        rc = fbnn_k_quant_uniform(&last, 1, bits, lo, hi, &y[n - 1]);
        if (rc != FBNN_K_OK) return rc;
        d = fbnn_r_div(fbnn_r_add(hi, -lo), fbnn_r_from_s32(((int32_t)1 << bits) - 1));
        {
            const vf vlo = vf_set1(lo), vhi = vf_set1(hi), vnlo = vf_set1(-lo), vd = vf_set1(d);
            const int32_t nv = (n - 1) / VF_LANES * VF_LANES; /* full vectors before the last element */
            for (i = 0; i < nv; i += VF_LANES) vf_store(y + i, vf_quant_uniform(vf_load(x + i), vlo, vhi, vnlo, vd));
            if (nv < n - 1) rc = fbnn_k_quant_uniform(x + nv, n - 1 - nv, bits, lo, hi, y + nv);
        }
    }
    return rc;
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

int ELT_NAME(fbnn_k_quant2_pack)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb, uint32_t *lsb)
{
    int32_t nw, w0, ch;
    size_t plane, pix;
    if (!fbnn_quant2_args_ok(x, c, h, w, msb, lsb)) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    /* VF_LANES pixels at a time (lane p: pixel pix + p), channels in groups
     * of up to 4 words (128 channels, all of them at the model's sizes)
     * held in registers, then stored pixel-major. */
    for (pix = 0; pix + VF_LANES <= plane; pix += VF_LANES)
        for (w0 = 0; w0 < nw; w0 += 4) {
            const int32_t nacc = nw - w0 < 4 ? nw - w0 : 4;
            vw am[4], al[4];
            int32_t j;
            for (j = 0; j < nacc; ++j) {
                /* Word w0 + j: its (up to) 32 channels into two registers. */
                const int32_t c1 = (w0 + j + 1) * 32 < c ? (w0 + j + 1) * 32 : c;
                vw wm = vw_zero(), wl = vw_zero();
                for (ch = (w0 + j) * 32; ch < c1; ++ch) {
                    vw m, l;
                    vq2_bits(vf_load(x + (size_t)ch * plane + pix), vw_set1((uint32_t)1u << (ch & 31)), &m, &l);
                    wm = vw_or(wm, m);
                    wl = vw_or(wl, l);
                }
                am[j] = wm;
                al[j] = wl;
            }
            vw_store_words(msb + pix * (size_t)nw + (size_t)w0, nw, nacc, am);
            vw_store_words(lsb + pix * (size_t)nw + (size_t)w0, nw, nacc, al);
        }
    for (; pix < plane; ++pix) q2_pixel(x, c, plane, pix, nw, msb, lsb);
    return FBNN_K_OK;
}

#endif /* FBNN_ELTWISE_SIMD_H */
