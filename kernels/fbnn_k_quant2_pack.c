/**
 * @file fbnn_k_quant2_pack.c
 * @brief 2-bit activation Q2 of a real planar map into MSB and LSB bit planes.
 *
 * Q2(x) = (2/3) m + (1/3) l with
 *   m = +1 iff x >= 0,
 *   l = +1 iff x > 2/3 or -2/3 <= x < 0   (cut points FBNN_R_TWO_THIRDS),
 * giving the levels -1, -1/3, +1/3, +1. Both planes use the packed layout
 * [H][W][FBNN_WORDS(C)] with padding bits 0. NaN maps to m = l = -1.
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_quant2_pack(const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                       uint32_t *msb, uint32_t *lsb)
{
    const fbnn_real t = FBNN_R_TWO_THIRDS;
    const fbnn_real neg_t = -FBNN_R_TWO_THIRDS;
    int32_t nw, ch, i;
    size_t plane, pix;

    if (x == NULL || msb == NULL || lsb == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 ||
        w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;

    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    for (pix = 0; pix < plane; ++pix) {
        uint32_t *om = msb + pix * (size_t)nw;
        uint32_t *ol = lsb + pix * (size_t)nw;
        for (i = 0; i < nw; ++i) {
            om[i] = 0u;
            ol[i] = 0u;
        }
        for (ch = 0; ch < c; ++ch) {
            FBNN_HLS(HLS PIPELINE II=1)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=64)
            fbnn_real v = x[(size_t)ch * plane + pix];
            uint32_t bit = (uint32_t)1u << (ch & 31);
            int pos = fbnn_r_ge(v, FBNN_R_ZERO);
            int l = fbnn_r_gt(v, t) || (fbnn_r_ge(v, neg_t) && fbnn_r_gt(FBNN_R_ZERO, v));
            if (pos) om[ch >> 5] |= bit;
            if (l) ol[ch >> 5] |= bit;
        }
    }
    return FBNN_K_OK;
}
