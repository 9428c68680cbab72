/**
 * @file fbnn_k_global_avgpool.c
 * @brief Global average pooling: y[c] = (sum of x[c] in row-major order,
 *        starting from 0) / (h*w).
 *
 * The divisor is the real h*w rounded once (computed as fbnn_r_mul(h, w) of
 * the exactly converted factors, which equals (fbnn_real)(h*w) without an
 * integer overflow for large maps). Input planar [c][h][w], output [c].
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_global_avgpool(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y)
{
    int32_t ch;
    size_t plane, i;
    fbnn_real div;

    if (x == NULL || y == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 ||
        w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;

    plane = (size_t)h * (size_t)w;
    div = fbnn_r_mul(fbnn_r_from_s32(h), fbnn_r_from_s32(w));
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        fbnn_real acc = FBNN_R_ZERO;
        for (i = 0; i < plane; ++i) {
            FBNN_HLS(HLS PIPELINE)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=64)
            acc = fbnn_r_add(acc, xc[i]);
        }
        y[ch] = fbnn_r_div(acc, div);
    }
    return FBNN_K_OK;
}
