/**
 * @file fbnn_k_bconv_thr.c
 * @brief Binary conv with the threshold epilogue (FINN-style), bits out.
 *
 * The integer sum of fbnn_k_bconv (zero padding: a padded tap adds 0)
 * never leaves the integers: output channel o at (oy, ox) is +1 iff
 * sum >= thr[2o] (thr[2o+1] == 0) or sum <= thr[2o] (thr[2o+1] == 1, the
 * channels whose folded BN scale is negative). This is conv -> BN -> sign
 * with the BN (and an XNOR-Net alpha) folded into thr by the exporter.
 *
 * Layouts: in [in_h][in_w][FBNN_WORDS(in_c)], weights as fbnn_k_bconv,
 * out packed bits [out_h][out_w][FBNN_WORDS(out_c)] (padding bits 0).
 * fbnn_k_bconv_thr_rows writes only output rows [y0, y1) (thread split).
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

int fbnn_k_bconv_thr_rows(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                          const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out)
{
    int32_t nw, nwo, o, oy, ox;

    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    nwo = FBNN_WORDS(p->out_c);
    for (oy = y0; oy < y1; ++oy) {
        int32_t iy0 = oy * p->stride - p->pad;
        int32_t ky_lo, ky_hi;
        fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
        for (ox = 0; ox < p->out_w; ++ox) {
            int32_t ix0 = ox * p->stride - p->pad;
            int32_t kx_lo, kx_hi, n_taps;
            uint32_t *yo = out + ((size_t)oy * (size_t)p->out_w + (size_t)ox) * (size_t)nwo;
            fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
            n_taps = (ky_hi - ky_lo) * (kx_hi - kx_lo);
            for (o = 0; o < nwo; ++o) yo[o] = 0u;
            for (o = 0; o < p->out_c; ++o) {
                const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
                uint32_t pc = 0u;
                int32_t ky, kx, i, s;
                for (ky = ky_lo; ky < ky_hi; ++ky) {
                    for (kx = kx_lo; kx < kx_hi; ++kx) {
                        const uint32_t *xp = in + ((size_t)(iy0 + ky) * (size_t)p->in_w +
                                                   (size_t)(ix0 + kx)) * (size_t)nw;
                        const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
                        for (i = 0; i < nw; ++i) {
                            FBNN_HLS(HLS PIPELINE II=1)
                            FBNN_HLS(HLS LOOP_TRIPCOUNT max=3)
                            pc += fbnn_popcount32(xp[i] ^ wp[i]);
                        }
                    }
                }
                s = n_taps * p->in_c - 2 * (int32_t)pc;
                if (fbnn_thr_bit(s, thr[2 * o], thr[2 * o + 1])) yo[o >> 5] |= (uint32_t)1u << (o & 31);
            }
        }
    }
    return FBNN_K_OK;
}

int fbnn_k_bconv_thr(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                     const fbnn_conv_params *p, uint32_t *out)
{
    if (p == NULL) return FBNN_K_EBADARG;
    return fbnn_k_bconv_thr_rows(in, weights, thr, p, 0, p->out_h, out);
}
