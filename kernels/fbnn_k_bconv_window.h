/**
 * @file fbnn_k_bconv_window.h
 * @brief The integer sum of one binary-conv output: shared by the reference
 * kernels whose epilogues differ (fbnn_k_bconv: float out; fbnn_k_bconv_thr:
 * one threshold; fbnn_k_bconv_thr_kbit: 2^k - 1 thresholds; fbnn_k_pgconv:
 * the MSB plane, and the LSB plane where the gate fires).
 *
 * Internal to kernels/ (HLS subset: static inline, no pointers to functions).
 */
#ifndef FBNN_K_BCONV_WINDOW_H
#define FBNN_K_BCONV_WINDOW_H

#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

/** Sum over the taps inside the image of the +-1 products of output
 *  channel's weights `wo` ([k][k][FBNN_WORDS(in_c)] packed bits) and the
 *  input window at output (oy, ox): n_taps * in_c - 2 * popcount(x ^ w).
 *  Zero padding: a tap outside the image adds 0 (it is not counted). */
static inline int32_t fbnn_bconv_window_sum(const uint32_t *in, const uint32_t *wo, const fbnn_conv_params *p,
                                            int32_t oy, int32_t ox)
{
    const int32_t nw = FBNN_WORDS(p->in_c);
    const int32_t iy0 = oy * p->stride - p->pad, ix0 = ox * p->stride - p->pad;
    int32_t ky_lo, ky_hi, kx_lo, kx_hi, ky, kx, i;
    uint32_t pc = 0u;
    fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
    fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
    for (ky = ky_lo; ky < ky_hi; ++ky) {
        for (kx = kx_lo; kx < kx_hi; ++kx) {
            const uint32_t *xp = in + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx)) * (size_t)nw;
            const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
            for (i = 0; i < nw; ++i) {
                FBNN_HLS(HLS PIPELINE II=1)
                FBNN_HLS(HLS LOOP_TRIPCOUNT max=3)
                pc += fbnn_popcount32(xp[i] ^ wp[i]);
            }
        }
    }
    return (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c - 2 * (int32_t)pc;
}

#endif /* FBNN_K_BCONV_WINDOW_H */
