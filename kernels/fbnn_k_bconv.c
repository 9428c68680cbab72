/**
 * @file fbnn_k_bconv.c
 * @brief Binary (XNOR-popcount) convolution with zero padding.
 *
 * For output channel o and output position (oy, ox), with the input window
 * starting at (iy0, ix0) = (oy*stride - pad, ox*stride - pad):
 *
 *   sum = n_valid_taps * in_c - 2 * popcount(x XOR w)
 *
 * where the popcount runs over the in-bounds taps only (a padded tap adds 0,
 * it is neither -1 nor +1) and over all FBNN_WORDS(in_c) words of each tap:
 * the padding bits of both operands are 0 so they never count. The sum is an
 * exact integer (|sum| <= k*k*in_c < 2^24) converted exactly to fbnn_real.
 *
 * Layouts: in [in_h][in_w][FBNN_WORDS(in_c)], weights
 * [out_c][k][k][FBNN_WORDS(in_c)], out planar [out_c][out_h][out_w].
 */
#include "fbnn_k_bconv_window.h"

int fbnn_k_bconv(const uint32_t *in, const uint32_t *weights,
                 const fbnn_conv_params *p, fbnn_real *out)
{
    int32_t o, oy, ox;

    if (in == NULL || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;

    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)FBNN_WORDS(p->in_c);
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = 0; oy < p->out_h; ++oy)
            for (ox = 0; ox < p->out_w; ++ox)
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] =
                    fbnn_r_from_s32(fbnn_bconv_window_sum(in, wo, p, oy, ox));
    }
    return FBNN_K_OK;
}
