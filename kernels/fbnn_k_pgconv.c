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
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

/* Exact binary conv sum of one output position (window at iy0, ix0) of the
 * plane `x` against the weights `wo` of one output channel. */
static int32_t conv_sum(const uint32_t *x, const uint32_t *wo, const fbnn_conv_params *p,
                        int32_t nw, int32_t iy0, int32_t ky_lo, int32_t ky_hi,
                        int32_t ix0, int32_t kx_lo, int32_t kx_hi)
{
    int32_t ky, kx, i;
    uint32_t pc = 0u;
    for (ky = ky_lo; ky < ky_hi; ++ky) {
        for (kx = kx_lo; kx < kx_hi; ++kx) {
            const uint32_t *xp = x + ((size_t)(iy0 + ky) * (size_t)p->in_w +
                                      (size_t)(ix0 + kx)) * (size_t)nw;
            const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
            for (i = 0; i < nw; ++i) {
                FBNN_HLS(HLS PIPELINE II=1)
                FBNN_HLS(HLS LOOP_TRIPCOUNT max=2)
                pc += fbnn_popcount32(xp[i] ^ wp[i]);
            }
        }
    }
    return (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c - 2 * (int32_t)pc;
}

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
            int32_t iy0 = oy * p->stride - p->pad;
            int32_t ky_lo, ky_hi;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                int32_t ix0 = ox * p->stride - p->pad;
                int32_t kx_lo, kx_hi, sm;
                fbnn_real y;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                sm = conv_sum(msb, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
                y = fbnn_r_third(2 * sm);
                if (fbnn_r_gt(y, t)) {
                    int32_t sl = conv_sum(lsb, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
                    y = fbnn_r_third(2 * sm + sl);
                    ++gated;
                }
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = y;
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return FBNN_K_OK;
}
