/**
 * @file fbnn_k_pgconv.c
 * @brief Precision-gated fractional binary convolution (FracBNN PG conv).
 *
 * The input is a Q2 activation q = (2/3) m + (1/3) l given as two packed bit
 * planes (msb = m, lsb = l), both [in_h][in_w][FBNN_WORDS(in_c)]. For every
 * output channel o and position:
 *
 *   Sm    = binary conv sum of the MSB plane (as fbnn_k_bconv),
 *   o_msb = fbnn_r_third(2*Sm)                        (one rounding),
 *   if o_msb > threshold[o]:                          (the gate fires)
 *       Sl  = binary conv sum of the LSB plane,       (only computed here)
 *       out = fbnn_r_third(2*Sm + Sl)
 *   else:
 *       out = o_msb.
 *
 * `n_gated` (may be NULL) receives the number of output positions (over all
 * channels) where the LSB conv ran. Output planar [out_c][out_h][out_w].
 */
#include "fbnn_k_bconv_window.h" /* fbnn_bconv_window_sum: the MSB and LSB plane sums */

int fbnn_k_pgconv(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                  const fbnn_real *threshold, const fbnn_conv_params *p,
                  fbnn_real *out, uint32_t *n_gated)
{
    int32_t nw, o, oy, ox;
    uint32_t gated = 0u;

    if (msb == NULL || lsb == NULL || weights == NULL || threshold == NULL || out == NULL)
        return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
        const fbnn_real t = threshold[o];
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t sm = fbnn_bconv_window_sum(msb, wo, p, oy, ox);
                fbnn_real y = fbnn_r_third(2 * sm);
                if (fbnn_r_gt(y, t)) {
                    y = fbnn_r_third(2 * sm + fbnn_bconv_window_sum(lsb, wo, p, oy, ox));
                    ++gated;
                }
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = y;
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return FBNN_K_OK;
}
