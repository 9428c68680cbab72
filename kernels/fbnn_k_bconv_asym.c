/**
 * @file fbnn_k_bconv_asym.c
 * @brief Binary conv with per-side padding (TensorFlow 'same' at stride 2:
 * top/left != bottom/right) and a padding value V in {-1, 0, +1}.
 *
 * For output o at (oy, ox), window at (oy*stride - pad_t, ox*stride - pad_l):
 *   sum = n_valid_taps*in_c - 2*popcount(x XOR w) over the valid taps
 *       + V * sum over the padded taps of (2*popcount(w_tap) - in_c)
 * (a padded tap is V in every channel: V * sum_c w). Exact integer
 * (|sum| <= k*k*in_c < 2^24), converted exactly.
 */
#include "fbnn_kernels.h"

int fbnn_k_bconv_asym(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_params *p,
                      int32_t pad_value, fbnn_real *out)
{
    int32_t nw, o, oy, ox, ky, kx, i;

    if (in == NULL || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (pad_value < -1 || pad_value > 1) return FBNN_K_EBADARG;
    if (fbnn_k_conv2_params_check(p) != FBNN_K_OK || p->groups != 1 || p->planes != 1 || p->bases != 1)
        return FBNN_K_EBADARG;
    nw = FBNN_WORDS(p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            int32_t iy0 = oy * p->stride - p->pad_t;
            for (ox = 0; ox < p->out_w; ++ox) {
                int32_t ix0 = ox * p->stride - p->pad_l;
                int32_t sum = 0;
                for (ky = 0; ky < p->k; ++ky) {
                    for (kx = 0; kx < p->k; ++kx) {
                        int32_t iy = iy0 + ky, ix = ix0 + kx;
                        const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
                        int32_t pc = 0;
                        if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                            const uint32_t *xp = in + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)nw;
                            for (i = 0; i < nw; ++i) pc += (int32_t)fbnn_popcount32(xp[i] ^ wp[i]);
                            sum += p->in_c - 2 * pc;
                        } else if (pad_value != 0) {
                            for (i = 0; i < nw; ++i) pc += (int32_t)fbnn_popcount32(wp[i]);
                            sum += pad_value * (2 * pc - p->in_c);
                        }
                    }
                }
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = fbnn_r_from_s32(sum);
            }
        }
    }
    return FBNN_K_OK;
}
