/**
 * @file fbnn_k_affine.c
 * @brief Per-channel affine (folded BatchNorm): y = a[c]*x + b[c].
 *
 * One rounded multiply, then one rounded add (never fused). Planar
 * [c][hw]; y may equal x (in place).
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_affine(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b,
                  int32_t c, int32_t hw, fbnn_real *y)
{
    int32_t ch, i;

    if (x == NULL || a == NULL || b == NULL || y == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || hw < 1) return FBNN_K_EBADARG;

    for (ch = 0; ch < c; ++ch) {
        const fbnn_real ac = a[ch], bc = b[ch];
        const size_t base = (size_t)ch * (size_t)hw;
        for (i = 0; i < hw; ++i) {
            FBNN_HLS(HLS PIPELINE II=1)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=1024)
            y[base + (size_t)i] = fbnn_r_add(fbnn_r_mul(ac, x[base + (size_t)i]), bc);
        }
    }
    return FBNN_K_OK;
}
