/*
 * Average pooling (k x k, stride s, no padding, floor mode, channel
 * duplication) and global average pooling as one template over the float
 * vector primitives of src/cpu/vec/vec_*.h (included first by the instance
 * file, pool__<isa>.c). Entry points fbnn_k_avgpool__<VEC_SUFFIX> and
 * fbnn_k_global_avgpool__<VEC_SUFFIX>.
 *
 * Bit-identical to kernels/fbnn_k_avgpool.c and fbnn_k_global_avgpool.c:
 * every output is the reference's operations in the reference's order,
 * acc = 0.0f, then acc + tap for the taps in row-major order (the leading
 * 0.0f + tap matters: it turns -0 into +0), then acc / divisor as a true
 * division. Only adds, no FMA. Only the lanes differ: VF_LANES neighbouring
 * outputs of a row at a time, their taps taken by strided loads:
 *   - k == s (non-overlapping windows, the CIFAR shortcut's 2x2/2), s up to
 *     VF_DEINT_MAX: one de-interleaving load per window row gives all s taps;
 *   - otherwise, s up to VF_STRIDE_MAX: tap kx of the outputs is the strided
 *     load at column s*ox + kx;
 * larger strides and the tail of each row take the reference's scalar code.
 * Global average pooling keeps VF_LANES channels in the lanes (blocks
 * transposed), each lane summing its channel in the reference's order.
 *
 * fbnn_k_avgpool_q__<VEC_SUFFIX> is the same pool of fbnn_k_quant_uniform(x):
 * each tap goes through the quantiser (vf_quant_uniform, or the reference's
 * scalar step on the tails) as it is loaded, so the quantised map is never
 * stored: the ImageNet FracBNN's stride-2 shortcut avgpool(Q4(x)) in one
 * pass over x (fuse.c plans it, FBNN_FUSE_QPOOL). Per output the same
 * operations as quant_uniform then avgpool, so the same bits.
 */
#ifndef FBNN_POOL_SIMD_H
#define FBNN_POOL_SIMD_H

#include "epilogue_args.h"
#include "elementwise/chain_step.h" /* fbnn_chain_quant1, fbnn_chain_q_step */
#include "vec/vf_quant_uniform.h"

#if defined(__GNUC__) || defined(__clang__)
/* Inlined with a constant `quant`, the quantiser's branches fold away. */
#define POOL_INLINE inline __attribute__((always_inline))
#else
#define POOL_INLINE inline
#endif

/* The quantiser applied to every tap (quant = 1): its bounds, -lo and step
 * d broadcast, and the scalars for the tails. */
typedef struct pool_q {
    vf lo, hi, nlo, d;
    fbnn_real slo, shi, sd;
} pool_q;

static POOL_INLINE vf pool_qv(int quant, const pool_q *q, vf v)
{
    return quant ? vf_quant_uniform(v, q->lo, q->hi, q->nlo, q->d) : v;
}

#define POOL_CAT2_(a, b) a##__##b
#define POOL_CAT_(a, b) POOL_CAT2_(a, b)
#define POOL_NAME(op) POOL_CAT_(op, VEC_SUFFIX)

/* One output, exactly as the reference computes it (quant: of the
 * quantised taps, each as fbnn_k_quant_uniform computes it). */
static POOL_INLINE fbnn_real pool_one(int quant, const pool_q *q, const fbnn_real *x0, int32_t w, int32_t k,
                                      fbnn_real div)
{
    fbnn_real acc = FBNN_R_ZERO;
    int32_t ky, kx;
    for (ky = 0; ky < k; ++ky)
        for (kx = 0; kx < k; ++kx) {
            const fbnn_real v = x0[(size_t)ky * (size_t)w + (size_t)kx];
            acc = fbnn_r_add(acc, quant ? fbnn_chain_quant1(v, q->slo, q->shi, q->sd) : v);
        }
    return fbnn_r_div(acc, div);
}

static inline void store_dup(fbnn_real *yr, size_t stride, int32_t dup, vf v)
{
    int32_t d;
    for (d = 0; d < dup; ++d) vf_store(yr + (size_t)d * stride, v);
}

/* Outputs [ox, ox + VF_LANES) of one output row, k == s: window row ky of
 * output ox + j is columns s*(ox+j) .. s*(ox+j) + s-1, lanes j of the s
 * de-interleaved vectors at s*ox. Reads columns < s*ox + VF_LANES*s. */
static POOL_INLINE vf window_k_eq_s(int quant, const pool_q *q, const fbnn_real *p, int32_t w, int32_t s)
{
    vf acc = vf_zero(), v[VF_DEINT_MAX];
    int32_t ky, i;
    for (ky = 0; ky < s; ++ky) {
        vf_deint(p + (size_t)ky * (size_t)w, s, v);
        for (i = 0; i < s; ++i) acc = vf_add(acc, pool_qv(quant, q, v[i]));
    }
    return acc;
}

/* Outputs [ox, ox + VF_LANES), any k: tap (ky, kx) of the outputs is
 * columns s*(ox+j) + kx of window row ky. Reads columns < s*ox + k-1 + VF_LANES*s. */
static POOL_INLINE vf window_any(int quant, const pool_q *q, const fbnn_real *p, int32_t w, int32_t k, int32_t s)
{
    vf acc = vf_zero();
    int32_t ky, kx;
    for (ky = 0; ky < k; ++ky)
        for (kx = 0; kx < k; ++kx)
            acc = vf_add(acc, pool_qv(quant, q, vf_load_stride(p + (size_t)ky * (size_t)w + kx, s)));
    return acc;
}

#ifdef VF_HAVE_MASKED
/* The same for the last n < VF_LANES outputs of a row: loads of only the
 * columns those outputs read (the other lanes are 0 and never stored). */
static POOL_INLINE vf window_k_eq_s_n(int quant, const pool_q *q, const fbnn_real *p, int32_t w, int32_t s,
                                      int32_t n)
{
    vf acc = vf_zero(), v[VF_DEINT_MAX];
    int32_t ky, i;
    for (ky = 0; ky < s; ++ky) {
        vf_deint_n(p + (size_t)ky * (size_t)w, s, s * n, v);
        for (i = 0; i < s; ++i) acc = vf_add(acc, pool_qv(quant, q, v[i])); /* (lanes >= n: dropped) */
    }
    return acc;
}
static POOL_INLINE vf window_any_n(int quant, const pool_q *q, const fbnn_real *p, int32_t w, int32_t k,
                                   int32_t s, int32_t n)
{
    vf acc = vf_zero();
    int32_t ky, kx;
    for (ky = 0; ky < k; ++ky)
        for (kx = 0; kx < k; ++kx)
            acc = vf_add(acc, pool_qv(quant, q, vf_load_stride_n(p + (size_t)ky * (size_t)w + kx, s,
                                                                 s * (n - 1) + 1)));
    return acc;
}
static inline void store_dup_n(fbnn_real *yr, size_t stride, int32_t dup, vf v, int32_t n)
{
    int32_t d;
    for (d = 0; d < dup; ++d) vf_store_n(yr + (size_t)d * stride, v, n);
}
#endif

/* The pool over x (quant = 0) or over fbnn_k_quant_uniform(x) (quant = 1,
 * q filled); the arguments already checked. */
static POOL_INLINE void avgpool_body(int quant, const pool_q *q, const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                                     int32_t k, int32_t s, int32_t dup, int32_t ho, int32_t wo, fbnn_real *y)
{
    int32_t ch, oy, ox, d;
    size_t in_plane, out_plane, out_chan_stride;
    fbnn_real div;
    vf vdiv;

    in_plane = (size_t)h * (size_t)w;
    out_plane = (size_t)ho * (size_t)wo;
    out_chan_stride = (size_t)c * out_plane;
    div = fbnn_r_from_s32(k * k);
    vdiv = vf_set1(div);

    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * in_plane;
        fbnn_real *yc = y + (size_t)ch * out_plane;
        for (oy = 0; oy < ho; ++oy) {
            const fbnn_real *row = xc + (size_t)oy * (size_t)s * (size_t)w;
            fbnn_real *yr = yc + (size_t)oy * (size_t)wo;
            ox = 0;
            /* The vector loops stop where the loads would pass the end of
             * the input row (the last rows would read past the buffer). */
            if (k == s && s >= 2 && s <= VF_DEINT_MAX) {
                for (; s * ox + VF_LANES * s <= w; ox += VF_LANES)
                    store_dup(yr + ox, out_chan_stride, dup,
                              vf_div(window_k_eq_s(quant, q, row + (size_t)s * (size_t)ox, w, s), vdiv));
            } else if (s <= VF_STRIDE_MAX) {
                for (; s * ox + k - 1 + VF_LANES * s <= w; ox += VF_LANES)
                    store_dup(yr + ox, out_chan_stride, dup,
                              vf_div(window_any(quant, q, row + (size_t)s * (size_t)ox, w, k, s), vdiv));
            }
#ifdef VF_HAVE_MASKED
            /* The rest of the row in one partial vector. */
            if (ox < wo && k == s && s >= 2 && s <= VF_DEINT_MAX) {
                store_dup_n(yr + ox, out_chan_stride, dup,
                            vf_div(window_k_eq_s_n(quant, q, row + (size_t)s * (size_t)ox, w, s, wo - ox), vdiv),
                            wo - ox);
                ox = wo;
            } else if (ox < wo && s <= VF_STRIDE_MAX) {
                store_dup_n(yr + ox, out_chan_stride, dup,
                            vf_div(window_any_n(quant, q, row + (size_t)s * (size_t)ox, w, k, s, wo - ox), vdiv),
                            wo - ox);
                ox = wo;
            }
#endif
            for (; ox < wo; ++ox) {
                const fbnn_real v = pool_one(quant, q, row + (size_t)ox * (size_t)s, w, k, div);
                for (d = 0; d < dup; ++d) yr[(size_t)d * out_chan_stride + ox] = v;
            }
        }
    }
}

int POOL_NAME(fbnn_k_avgpool)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                              int32_t dup, fbnn_real *y)
{
    int32_t ho, wo;
    if (!fbnn_avgpool_args_ok(x, c, h, w, k, s, dup, y, &ho, &wo)) return FBNN_K_EBADARG;
    avgpool_body(0, NULL, x, c, h, w, k, s, dup, ho, wo, y);
    return FBNN_K_OK;
}

int POOL_NAME(fbnn_k_avgpool_q)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                                int32_t dup, int32_t q_bits, fbnn_real q_lo, fbnn_real q_hi, fbnn_real *y)
{
    int32_t ho, wo;
    fbnn_real probe;
    pool_q q;
    if (!fbnn_avgpool_args_ok(x, c, h, w, k, s, dup, y, &ho, &wo)) return FBNN_K_EBADARG;
    /* The quantiser's own argument checks, on one element. */
    if (fbnn_k_quant_uniform(x, 1, q_bits, q_lo, q_hi, &probe) != FBNN_K_OK) return FBNN_K_EBADARG;
    q.slo = q_lo;
    q.shi = q_hi;
    q.sd = fbnn_chain_q_step(q_lo, q_hi, q_bits);
    q.lo = vf_set1(q_lo);
    q.hi = vf_set1(q_hi);
    q.nlo = vf_set1(-q_lo);
    q.d = vf_set1(q.sd);
    avgpool_body(1, &q, x, c, h, w, k, s, dup, ho, wo, y);
    return FBNN_K_OK;
}

int POOL_NAME(fbnn_k_global_avgpool)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y)
{
    int32_t ch;
    size_t plane, i;
    fbnn_real div;

    if (x == NULL || y == NULL || !fbnn_dims_ok(c, h, w)) return FBNN_K_EBADARG;
    plane = (size_t)h * (size_t)w;
    div = fbnn_r_mul(fbnn_r_from_s32(h), fbnn_r_from_s32(w)); /* as the reference */

    /* VF_LANES channels at a time, one per lane: each lane adds its
     * channel's values in the reference's order (independent chains). */
    for (ch = 0; ch + VF_LANES <= c; ch += VF_LANES) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        vf acc = vf_zero();
        fbnn_real lane[VF_LANES];
        int j;
        for (i = 0; i + VF_LANES <= plane; i += VF_LANES) {
            vf r[VF_LANES], col[VF_LANES];
            for (j = 0; j < VF_LANES; ++j) r[j] = vf_load(xc + (size_t)j * plane + i);
            vf_transpose(r, col);
            for (j = 0; j < VF_LANES; ++j) acc = vf_add(acc, col[j]);
        }
        /* The last < VF_LANES positions: each lane's chain continues in
         * scalar (the same adds in the same order), then the division. */
        vf_store(lane, acc);
        for (j = 0; j < VF_LANES; ++j) {
            size_t t;
            for (t = i; t < plane; ++t) lane[j] = fbnn_r_add(lane[j], xc[(size_t)j * plane + t]);
            y[ch + j] = fbnn_r_div(lane[j], div);
        }
    }
    for (; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        fbnn_real acc = FBNN_R_ZERO;
        for (i = 0; i < plane; ++i) acc = fbnn_r_add(acc, xc[i]);
        y[ch] = fbnn_r_div(acc, div);
    }
    return FBNN_K_OK;
}

#endif /* FBNN_POOL_SIMD_H */
