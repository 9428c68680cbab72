/**
 * @file fbnn_k_add.c
 * @brief Elementwise residual add: y = x0 + x1 (one rounding each).
 *
 * y may equal x0 or x1 (in place).
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_add(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y)
{
    int32_t i;

    if (x0 == NULL || x1 == NULL || y == NULL || n < 1) return FBNN_K_EBADARG;
    for (i = 0; i < n; ++i) {
        FBNN_HLS(HLS PIPELINE II=1)
        FBNN_HLS(HLS LOOP_TRIPCOUNT max=65536)
        y[i] = fbnn_r_add(x0[i], x1[i]);
    }
    return FBNN_K_OK;
}
