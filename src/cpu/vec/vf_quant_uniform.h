/*
 * vf_quant_uniform: one vector of the uniform k-bit quantiser over the float
 * vector primitives of vec_*.h (include one of them first).
 */
#ifndef FBNN_VF_QUANT_UNIFORM_H
#define FBNN_VF_QUANT_UNIFORM_H

/* One vector of fbnn_k_quant_uniform (lo, hi, -lo and d broadcast; d as
 * the reference computes it): clamp by the reference's two ordered
 * compares (NaN passes; with VF_HAVE_PICK as MAXPS / MINPS, which select
 * the same way), (v - lo) / d, round half to even by the 2^23 trick, then
 * * d + lo. The reference leaves values >= 2^23 alone; none reach the
 * trick here: after the clamp 0 <= v - lo <= hi - lo, so the quotient is
 * at most about 2^bits - 1 (bits <= 16; d >= the smallest subnormal keeps
 * it under 2^17 even when hi - lo is subnormal), and a NaN stays NaN
 * through the two adds. So the range test and its select are dropped.
 * Shared by fbnn_k_quant_uniform and the chain's ADD step
 * (elementwise/) and the quantising average pool (pool/pool_simd.h). */
static inline vf vf_quant_uniform(vf v, vf lo, vf hi, vf nlo, vf d)
{
    const vf two23 = vf_set1(8388608.0f), neg_two23 = vf_set1(-8388608.0f);
#ifdef VF_HAVE_PICK
    v = vf_pick_lt(hi, vf_pick_gt(lo, v));
#else
    v = vf_blend(vf_gt(v, hi), hi, v);
    v = vf_blend(vf_gt(lo, v), lo, v);
#endif
    v = vf_div(vf_add(v, nlo), d);
    v = vf_add(vf_add(v, two23), neg_two23); /* (v + 2^23) - 2^23: ties to even */
    return vf_add(vf_mul(v, d), lo);
}

#endif /* FBNN_VF_QUANT_UNIFORM_H */
