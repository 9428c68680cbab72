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
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_bconv(const uint32_t *in, const uint32_t *weights,
                 const fbnn_conv_params *p, fbnn_real *out)
{
    int32_t nw, o, oy, ox;

    if (in == NULL || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            int32_t iy0 = oy * p->stride - p->pad;
            int32_t ky_lo, ky_hi;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                int32_t ix0 = ox * p->stride - p->pad;
                int32_t kx_lo, kx_hi, ky, kx, i;
                int32_t n_taps;
                uint32_t pc = 0u;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                n_taps = (ky_hi - ky_lo) * (kx_hi - kx_lo);
                for (ky = ky_lo; ky < ky_hi; ++ky) {
                    for (kx = kx_lo; kx < kx_hi; ++kx) {
                        const uint32_t *xp = in + ((size_t)(iy0 + ky) * (size_t)p->in_w +
                                                   (size_t)(ix0 + kx)) * (size_t)nw;
                        const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) *
                                                      (size_t)nw;
                        for (i = 0; i < nw; ++i) {
                            FBNN_HLS(HLS PIPELINE II=1)
                            FBNN_HLS(HLS LOOP_TRIPCOUNT max=3)
                            pc += fbnn_popcount32(xp[i] ^ wp[i]);
                        }
                    }
                }
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] =
                    fbnn_r_from_s32(n_taps * p->in_c - 2 * (int32_t)pc);
            }
        }
    }
    return FBNN_K_OK;
}
