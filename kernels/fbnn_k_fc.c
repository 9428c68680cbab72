/**
 * @file fbnn_k_fc.c
 * @brief Fully connected layer: y[j] = (sum_i w[j*n_in + i] * x[i]) + b[j].
 *
 * acc starts at 0 and adds the rounded products in order i = 0 .. n_in-1
 * (one rounding per multiply and per add, never fused), then adds b[j].
 * w is row-major [n_out][n_in]; x is the planar [C][H][W] map flattened.
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_fc(const fbnn_real *x, int32_t n_in, const fbnn_real *w, const fbnn_real *b,
              int32_t n_out, fbnn_real *y)
{
    int32_t i, j;

    if (x == NULL || w == NULL || b == NULL || y == NULL) return FBNN_K_EBADARG;
    if (n_in < 1 || n_out < 1 || n_out > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;

    for (j = 0; j < n_out; ++j) {
        const fbnn_real *wj = w + (size_t)j * (size_t)n_in;
        fbnn_real acc = FBNN_R_ZERO;
        for (i = 0; i < n_in; ++i) {
            FBNN_HLS(HLS PIPELINE)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=64)
            acc = fbnn_r_add(acc, fbnn_r_mul(x[i], wj[i]));
        }
        y[j] = fbnn_r_add(acc, b[j]);
    }
    return FBNN_K_OK;
}
