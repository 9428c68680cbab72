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
#include "fbnn_k_bconv_window.h"

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
        for (ox = 0; ox < p->out_w; ++ox) {
            uint32_t *yo = out + ((size_t)oy * (size_t)p->out_w + (size_t)ox) * (size_t)nwo;
            for (o = 0; o < nwo; ++o) yo[o] = 0u;
            for (o = 0; o < p->out_c; ++o) {
                const int32_t s =
                    fbnn_bconv_window_sum(in, weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw, p, oy, ox);
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
