/**
 * @file fbnn_k_quant_kbit.c
 * @brief DoReFa k-bit activation packed as bit planes.
 *
 *   v = clamp(x, 0, 1) (NaN -> 0); r = round_half_even(v * (2^planes - 1));
 *   plane i of channel j (packed channel i*c + j) = bit i of the code r.
 *
 * One f32 multiply and one rounding, so the code is a step function of x
 * that every path computes alike. The integer code is read off r by exact
 * comparisons (fbnn_real has no integer conversion in its fixed-point forms).
 */
#include "fbnn_kernels.h"

int fbnn_k_quant_kbit(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t planes, uint32_t *out)
{
    int32_t nw, px, j, i, lv, code, n;
    fbnn_real nr;

    if (x == NULL || out == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 || w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    if (planes < 1 || planes > 4 || (int64_t)planes * c > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    n = ((int32_t)1 << planes) - 1;
    nr = fbnn_r_from_s32(n);
    nw = FBNN_WORDS(planes * c);
    for (px = 0; px < h * w; ++px) {
        uint32_t *op = out + (size_t)px * (size_t)nw;
        for (i = 0; i < nw; ++i) op[i] = 0u;
        for (j = 0; j < c; ++j) {
            fbnn_real v = x[(size_t)j * (size_t)h * (size_t)w + (size_t)px];
            if (!fbnn_r_ge(v, FBNN_R_ZERO)) v = FBNN_R_ZERO; /* negative or NaN */
            else if (fbnn_r_gt(v, fbnn_r_from_s32(1))) v = fbnn_r_from_s32(1);
            v = fbnn_r_rint_nonneg(fbnn_r_mul(v, nr));
            code = 0;
            for (lv = 1; lv <= n; ++lv) {
                if (fbnn_r_ge(v, fbnn_r_from_s32(lv))) code = lv;
            }
            for (i = 0; i < planes; ++i) {
                if ((code >> i) & 1) {
                    int32_t ch = i * c + j;
                    op[ch / 32] |= (uint32_t)1u << (ch % 32);
                }
            }
        }
    }
    return FBNN_K_OK;
}
