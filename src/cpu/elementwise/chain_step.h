/*
 * Shared by the fused chain kernels (chain__generic.c, chain_simd.h): the
 * argument check and the per-element scalar step,
 * written with the same fbnn_r_* operations, in the same order, as the
 * reference kernels fbnn_k_affine, fbnn_k_rprelu, fbnn_k_add and
 * fbnn_k_quant2_pack.
 */
#ifndef FBNN_CHAIN_STEP_H
#define FBNN_CHAIN_STEP_H

#include "dispatch.h"

/* The step d of fbnn_k_quant_uniform for bits, lo, hi: the same operations. */
static inline fbnn_real fbnn_chain_q_step(fbnn_real lo, fbnn_real hi, int32_t bits)
{
    return fbnn_r_div(fbnn_r_add(hi, -lo), fbnn_r_from_s32(((int32_t)1 << bits) - 1));
}

/* fbnn_k_quant_uniform of one value (its loop body, d precomputed). */
static inline fbnn_real fbnn_chain_quant1(fbnn_real v, fbnn_real lo, fbnn_real hi, fbnn_real d)
{
    if (fbnn_r_gt(lo, v)) v = lo;
    else if (fbnn_r_gt(v, hi)) v = hi;
    v = fbnn_r_div(fbnn_r_add(v, -lo), d);
    v = fbnn_r_rint_nonneg(v);
    return fbnn_r_add(fbnn_r_mul(v, d), lo);
}

static inline int fbnn_chain_args_ok(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps,
                                     int32_t n_steps, const uint32_t *msb, const uint32_t *lsb)
{
    int32_t k, stores = 0;
    if (x == NULL || steps == NULL || c < 1 || c > FBNN_K_MAX_DIM || hw < 1) return 0;
    if (n_steps < 1 || n_steps > FBNN_CHAIN_MAX_STEPS || (msb == NULL) != (lsb == NULL)) return 0;
    for (k = 0; k < n_steps; k++) {
        const fbnn_chain_step *s = &steps[k];
        if (s->p0 == NULL) return 0;
        if (s->kind == FBNN_CHAIN_AFFINE) {
            if (s->p1 == NULL) return 0;
        } else if (s->kind == FBNN_CHAIN_RPRELU) {
            if (s->p1 == NULL || s->p2 == NULL) return 0;
        } else if (s->kind != FBNN_CHAIN_ADD) {
            return 0;
        } else if (s->o_c < 0 || s->o_c > c || (s->o_c > 0 && c % s->o_c != 0) || s->q_bits < 0 || s->q_bits > 16 ||
                   (s->q_bits > 0 && !(fbnn_r_gt(s->q_hi, s->q_lo) && fbnn_r_gt(s->q_d, FBNN_R_ZERO) &&
                                       fbnn_r_ge(FBNN_R_ZERO, fbnn_r_add(s->q_d, -s->q_d)) &&
                                       fbnn_chain_q_step(s->q_lo, s->q_hi, s->q_bits) == s->q_d))) {
            return 0;
        }
        if (s->store != NULL) stores++;
    }
    return stores > 0 || msb != NULL; /* a chain that leaves no result is a caller bug */
}

/* One step on one element (idx: the element's index in [C][HW], pix its
 * pixel, idx = ch * HW + pix). */
static inline fbnn_real fbnn_chain_apply1(const fbnn_chain_step *s, fbnn_real v, int32_t ch, size_t idx, size_t pix,
                                          int32_t hw)
{
    fbnn_real o;
    if (s->kind == FBNN_CHAIN_AFFINE) return fbnn_r_add(fbnn_r_mul(s->p0[ch], v), s->p1[ch]);
    if (s->kind == FBNN_CHAIN_RPRELU) {
        fbnn_real t = fbnn_r_add(v, s->p0[ch]);
        if (!fbnn_r_gt(t, FBNN_R_ZERO)) t = fbnn_r_mul(s->p1[ch], t);
        return fbnn_r_add(t, s->p2[ch]);
    }
    o = s->o_c > 0 ? s->p0[(size_t)(ch % s->o_c) * (size_t)hw + pix] : s->p0[idx];
    if (s->q_bits > 0) o = fbnn_chain_quant1(o, s->q_lo, s->q_hi, s->q_d);
    return s->other_first ? fbnn_r_add(o, v) : fbnn_r_add(v, o);
}

/* Pixels per chunk of the chain kernels: one channel's run of a chunk is
 * streamed through all steps in a small buffer, then the next channel. (Going
 * pixel by pixel across channels instead strides by a whole plane, a power of
 * two at these sizes, and thrashes one L1 set.) */
#define FBNN_CHAIN_CHUNK 256

/* v through the steps for element idx of channel ch; stores as asked. */
static inline fbnn_real fbnn_chain_element(fbnn_real v, const fbnn_chain_step *steps, int32_t n_steps, int32_t ch,
                                           size_t idx, int32_t hw)
{
    const size_t pix = idx - (size_t)ch * (size_t)hw;
    int32_t k;
    for (k = 0; k < n_steps; k++) {
        v = fbnn_chain_apply1(&steps[k], v, ch, idx, pix, hw);
        if (steps[k].store != NULL) steps[k].store[idx] = v;
    }
    return v;
}

/* Q2 bits of v: msb = v >= 0; lsb = v > 2/3 or -2/3 <= v < 0. */
static inline void fbnn_chain_q2_bits(fbnn_real v, uint32_t *m, uint32_t *l)
{
    *m = fbnn_r_ge(v, FBNN_R_ZERO) ? 1u : 0u;
    *l = (fbnn_r_gt(v, FBNN_R_TWO_THIRDS) || (fbnn_r_ge(v, -FBNN_R_TWO_THIRDS) && fbnn_r_gt(FBNN_R_ZERO, v))) ? 1u
                                                                                                              : 0u;
}

#endif /* FBNN_CHAIN_STEP_H */
