/*
 * The float fully connected layer (fbnn_k_fc: y[j] = (sum_i w[j][i] * x[i])
 * + b[j], w row-major [n_out][n_in]) as one template over the float vector
 * primitives of src/cpu/vec/vec_*.h (included first by the instance file).
 * Entry point fbnn_k_fc__<VEC_SUFFIX>.
 *
 * Exactness: the reference adds the rounded products of one output in the
 * order i = 0, 1, ..., then the bias, never fused. Vectorising over i would
 * reorder those sums; here the lanes run over OUTPUTS instead (VL outputs
 * per vector), so each lane performs exactly its output's sequence of
 * roundings: acc = acc + fl(x[i] * w[j][i]) for i in order. The weights of
 * VL rows are read VL columns at a time and transposed in registers
 * (vf_transpose), since the lanes want one column of the row-major matrix.
 * Two blocks of VL outputs run side by side: each lane's adds form one
 * dependency chain (latency of an add per input), so independent chains
 * keep the adder busy. Columns past the last multiple of VL continue each
 * lane's sum in scalar code, in order; outputs past the last block take the
 * reference. Why it matters: the ImageNet head (1024 -> 1000) took about
 * 0.7 ms per image with the scalar reference.
 */
#ifndef FBNN_FC_SIMD_H
#define FBNN_FC_SIMD_H

#include "fbnn_kernels.h"
#include "dispatch.h" /* FBNN_FC_PANEL_ROWS */

#define FC_CAT2_(a, b) a##__##b
#define FC_CAT_(a, b) FC_CAT2_(a, b)
#define FC_NAME(op) FC_CAT_(op, VEC_SUFFIX)
#define FC_VL VF_LANES

/* Outputs j0 .. j0 + nb*VL - 1 (nb = 1 or 2 blocks of VL rows). */
static inline void FC_NAME(fc_blocks)(const fbnn_real *x, int32_t n_in, const fbnn_real *w, const fbnn_real *b,
                                      int32_t j0, int nb, fbnn_real *y)
{
    vf acc[2], r[FC_VL], c[FC_VL];
    fbnn_real lane[2 * FC_VL];
    const int32_t n_full = n_in / FC_VL * FC_VL;
    int32_t i, m, k, q;
    for (q = 0; q < nb; q++) acc[q] = vf_zero();
    for (i = 0; i < n_full; i += FC_VL) {
        for (q = 0; q < nb; q++) {
            const fbnn_real *wb = w + (size_t)(j0 + q * FC_VL) * (size_t)n_in + (size_t)i;
            for (k = 0; k < FC_VL; k++) r[k] = vf_load(wb + (size_t)k * (size_t)n_in);
            vf_transpose(r, c); /* c[m] lane k = w[j0 + q*VL + k][i + m] */
            for (m = 0; m < FC_VL; m++) acc[q] = vf_add(acc[q], vf_mul(vf_set1(x[i + m]), c[m]));
        }
    }
    for (q = 0; q < nb; q++) vf_store(lane + q * FC_VL, acc[q]);
    for (k = 0; k < nb * FC_VL; k++) {
        const fbnn_real *wj = w + (size_t)(j0 + k) * (size_t)n_in;
        fbnn_real a = lane[k];
        for (i = n_full; i < n_in; i++) a = fbnn_r_add(a, fbnn_r_mul(x[i], wj[i]));
        y[j0 + k] = fbnn_r_add(a, b[j0 + k]);
    }
}

int FC_NAME(fbnn_k_fc)(const fbnn_real *x, int32_t n_in, const fbnn_real *w, const fbnn_real *b, int32_t n_out,
                       fbnn_real *y)
{
    int32_t j = 0;
    if (x == NULL || w == NULL || b == NULL || y == NULL) return FBNN_K_EBADARG;
    if (n_in < 1 || n_out < 1 || n_out > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    for (; j + 2 * FC_VL <= n_out; j += 2 * FC_VL) FC_NAME(fc_blocks)(x, n_in, w, b, j, 2, y);
    for (; j + FC_VL <= n_out; j += FC_VL) FC_NAME(fc_blocks)(x, n_in, w, b, j, 1, y);
    if (j < n_out) {
        /* The last outputs: the reference on the remaining rows. */
        return fbnn_k_fc(x, n_in, w + (size_t)j * (size_t)n_in, b + j, n_out - j, y + j);
    }
    return FBNN_K_OK;
}

/* Vectors per panel row (16 outputs) and panel blocks run side by side:
 * each accumulator is one chain of dependent adds (one per input), so four
 * blocks keep 4 (AVX-512), 8 (AVX2) or 16 (NEON) chains in flight. */
#define FC_PV (FBNN_FC_PANEL_ROWS / FC_VL)
#define FC_PB 4

#if defined(__GNUC__) || defined(__clang__)
#define FC_INLINE inline __attribute__((always_inline))
#else
#define FC_INLINE inline
#endif

/* acc[q * FC_PV + v] += x[i] * panel row i of block q, for i in order (nb
 * blocks, bstride floats apart). Inlined with a constant nb (FC_PB), the
 * accumulators stay in registers. */
static FC_INLINE void FC_NAME(fc_panel_acc)(const fbnn_real *x, int32_t n_in, const fbnn_real *p0, size_t bstride,
                                            int nb, vf *acc)
{
    int32_t i;
    int q, v;
    for (i = 0; i < n_in; i++) {
        const vf xi = vf_set1(x[i]);
        const fbnn_real *pi = p0 + (size_t)i * FBNN_FC_PANEL_ROWS;
        for (q = 0; q < nb; q++)
            for (v = 0; v < FC_PV; v++)
                acc[q * FC_PV + v] =
                    vf_add(acc[q * FC_PV + v], vf_mul(xi, vf_load(pi + (size_t)q * bstride + (size_t)v * FC_VL)));
    }
}

/* Blocks jb .. jb + nb - 1 (nb <= FC_PB) of the panel: outputs 16 jb ..
 * Per lane (one output) acc = acc + fl(x[i] * w[j][i]) for i in order from
 * +0, then + b[j]: the reference's roundings. */
static inline void FC_NAME(fc_panel_blocks)(const fbnn_real *x, int32_t n_in, const fbnn_real *panel,
                                            const fbnn_real *b, int32_t jb, int nb, fbnn_real *y)
{
    vf acc[FC_PB * FC_PV];
    const size_t bstride = (size_t)n_in * FBNN_FC_PANEL_ROWS;
    const fbnn_real *p0 = panel + (size_t)jb * bstride;
    int q, v;
    for (q = 0; q < FC_PB * FC_PV; q++) acc[q] = vf_zero();
    if (nb == FC_PB)
        FC_NAME(fc_panel_acc)(x, n_in, p0, bstride, FC_PB, acc);
    else
        FC_NAME(fc_panel_acc)(x, n_in, p0, bstride, nb, acc);
    for (q = 0; q < nb; q++)
        for (v = 0; v < FC_PV; v++) {
            const int32_t j = (jb + q) * FBNN_FC_PANEL_ROWS + v * FC_VL;
            vf_store(y + j, vf_add(acc[q * FC_PV + v], vf_load(b + j)));
        }
}

int FC_NAME(fbnn_k_fc_panel)(const fbnn_real *x, int32_t n_in, const fbnn_real *panel, const fbnn_real *w,
                             const fbnn_real *b, int32_t n_out, fbnn_real *y)
{
    const int32_t nb = n_out / FBNN_FC_PANEL_ROWS, j = nb * FBNN_FC_PANEL_ROWS;
    int32_t jb = 0;
    if (x == NULL || panel == NULL || w == NULL || b == NULL || y == NULL) return FBNN_K_EBADARG;
    if (n_in < 1 || n_out < 1 || n_out > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    for (; jb + FC_PB <= nb; jb += FC_PB) FC_NAME(fc_panel_blocks)(x, n_in, panel, b, jb, FC_PB, y);
    if (jb < nb) FC_NAME(fc_panel_blocks)(x, n_in, panel, b, jb, (int)(nb - jb), y);
    /* The rows past the last full block: the reference on the tensor. */
    if (j < n_out) return fbnn_k_fc(x, n_in, w + (size_t)j * (size_t)n_in, b + j, n_out - j, y + j);
    return FBNN_K_OK;
}

#undef FC_INLINE
#undef FC_PV
#undef FC_PB
#undef FC_VL
#endif /* FBNN_FC_SIMD_H */
