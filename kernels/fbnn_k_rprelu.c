/**
 * @file fbnn_k_rprelu.c
 * @brief RPReLU: t = x + bx[c]; t = t > 0 ? t : slope[c]*t; y = t + by[c].
 *
 * Each written operation is one rounding, in that order. Planar [c][hw];
 * y may equal x (in place).
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_rprelu(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope,
                  const fbnn_real *by, int32_t c, int32_t hw, fbnn_real *y)
{
    int32_t ch, i;

    if (x == NULL || bx == NULL || slope == NULL || by == NULL || y == NULL)
        return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || hw < 1) return FBNN_K_EBADARG;

    for (ch = 0; ch < c; ++ch) {
        const fbnn_real sx = bx[ch], sl = slope[ch], sy = by[ch];
        const size_t base = (size_t)ch * (size_t)hw;
        for (i = 0; i < hw; ++i) {
            FBNN_HLS(HLS PIPELINE II=1)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=1024)
            fbnn_real t = fbnn_r_add(x[base + (size_t)i], sx);
            if (!fbnn_r_gt(t, FBNN_R_ZERO)) t = fbnn_r_mul(sl, t);
            y[base + (size_t)i] = fbnn_r_add(t, sy);
        }
    }
    return FBNN_K_OK;
}
