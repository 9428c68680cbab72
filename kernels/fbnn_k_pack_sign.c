/**
 * @file fbnn_k_pack_sign.c
 * @brief Sign activation of a real planar map into packed bits (x >= 0 -> 1).
 *
 * Input planar [C][H][W]; output pixel-major [H][W][FBNN_WORDS(C)], channel c
 * in bit c % 32 of word c / 32, padding bits 0. -0.0 counts as >= 0; NaN as < 0.
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_pack_sign(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *out)
{
    int32_t nw, ch, i;
    size_t plane, pix;

    if (x == NULL || out == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 ||
        w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;

    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    for (pix = 0; pix < plane; ++pix) {
        uint32_t *o = out + pix * (size_t)nw;
        for (i = 0; i < nw; ++i) o[i] = 0u;
        for (ch = 0; ch < c; ++ch) {
            FBNN_HLS(HLS PIPELINE II=1)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=64)
            if (fbnn_r_ge(x[(size_t)ch * plane + pix], FBNN_R_ZERO))
                o[ch >> 5] |= (uint32_t)1u << (ch & 31);
        }
    }
    return FBNN_K_OK;
}
