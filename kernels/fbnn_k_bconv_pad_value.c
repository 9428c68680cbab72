/**
 * @file fbnn_k_bconv_pad_value.c
 * @brief Turn a zero-padded binary conv output into the same conv padded
 *        with +1 or -1.
 *
 * fbnn_k_bconv pads with 0: a padded tap adds nothing. Larq pads binary
 * convs with +1 by default (`pad_values=1.0`) and daBNN with -1, and those
 * are different networks: there a padded tap is an input of value v in
 * every channel and adds
 *
 *   v * sum_c w[o][ky][kx][c] = v * (2 * popcount(weight bits of the tap) - in_c)
 *
 * to the sum (a weight bit 1 is +1; the padding bits of a weight word are 0
 * and never count). This kernel adds that term, summed over the padded taps
 * of the window, at every output position whose window leaves the input;
 * interior positions are untouched. Everything is an exact integer and the
 * padded conv's |sum| <= k*k*in_c < 2^24, so the single float add is exact:
 * bconv followed by this kernel is bit-identical to a conv over the input
 * padded with v, whatever kernel computed the zero-padded sums.
 *
 * Layouts as fbnn_k_bconv: weights [out_c][k][k][FBNN_WORDS(in_c)], out
 * planar [out_c][out_h][out_w] (read and written in place).
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

/* sum_c w over the taps of one window that fall outside the input. */
static int32_t padded_tap_sum(const uint32_t *wo, const fbnn_conv_params *p, int32_t nw, int32_t ky_lo,
                              int32_t ky_hi, int32_t kx_lo, int32_t kx_hi)
{
    int32_t ky, kx, i, s = 0;
    for (ky = 0; ky < p->k; ++ky) {
        FBNN_HLS(HLS LOOP_TRIPCOUNT max=15)
        for (kx = 0; kx < p->k; ++kx) {
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=15)
            const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
            uint32_t pc = 0u;
            if (ky >= ky_lo && ky < ky_hi && kx >= kx_lo && kx < kx_hi) continue;
            for (i = 0; i < nw; ++i) {
                FBNN_HLS(HLS PIPELINE II=1)
                FBNN_HLS(HLS LOOP_TRIPCOUNT max=3)
                pc += fbnn_popcount32(wp[i]);
            }
            s += 2 * (int32_t)pc - p->in_c;
        }
    }
    return s;
}

int fbnn_k_bconv_pad_value(const uint32_t *weights, const fbnn_conv_params *p, int32_t pad_value,
                           fbnn_real *out)
{
    int32_t nw, o, oy, ox;

    if (weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (pad_value < -1 || pad_value > 1) return FBNN_K_EBADARG;
    if (pad_value == 0 || p->pad == 0) return FBNN_K_OK; /* zero padding: nothing to add */

    nw = FBNN_WORDS(p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            int32_t ky_lo, ky_hi;
            fbnn_tap_range(oy * p->stride - p->pad, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                int32_t kx_lo, kx_hi;
                fbnn_real *y = yo + (size_t)oy * (size_t)p->out_w + (size_t)ox;
                fbnn_tap_range(ox * p->stride - p->pad, p->k, p->in_w, &kx_lo, &kx_hi);
                if (ky_lo == 0 && ky_hi == p->k && kx_lo == 0 && kx_hi == p->k) continue; /* interior */
                *y = fbnn_r_add(*y, fbnn_r_from_s32(pad_value *
                                                    padded_tap_sum(wo, p, nw, ky_lo, ky_hi, kx_lo, kx_hi)));
            }
        }
    }
    return FBNN_K_OK;
}
