/**
 * @file fbnn_k_kconv.c
 * @brief k-bit activation x multi-base binary weight convolution
 * (DoReFa-Net, ABC-Net), exact.
 *
 * Activation bits b in {0, 1} (plane i weighs 2^i), weights w in {-1, +1}.
 * Per plane i, base m and output position, over the valid taps:
 *   D = sum_c b*w = popcount(b AND w) - popcount(b AND NOT w)
 *     = 2*popcount(b AND w) - popcount(b)
 * I_m = sum_i 2^i D_i (exact integer, < 2^24 by fbnn_k_conv2_params_check);
 * out = 0; for m in order: out = out + alpha[m*out_c + o] * (f32) I_m.
 * A padded tap is the activation 0 and adds nothing. Plane i of a pixel is
 * packed channels [i*in_c, (i+1)*in_c) (fbnn_k_quant_kbit), not word
 * aligned unless in_c % 32 == 0: plane_word() extracts 32 of its bits.
 */
#include "fbnn_kernels.h"

/* Word j of plane `pl` (channels pl*c + 32j ..) of one packed pixel px
 * (nwp words), bits beyond the plane's c channels cleared. */
static uint32_t plane_word(const uint32_t *px, int32_t nwp, int32_t c, int32_t pl, int32_t j)
{
    int32_t off = pl * c + 32 * j, wi = off / 32, sh = off % 32, left = c - 32 * j;
    uint32_t v = px[wi] >> sh;
    if (sh != 0 && wi + 1 < nwp) v |= px[wi + 1] << (32 - sh);
    if (left < 32) v &= ((uint32_t)1u << left) - 1u;
    return v;
}

int fbnn_k_kconv(const uint32_t *in, const uint32_t *weights, const fbnn_real *alpha,
                 const fbnn_conv2_params *p, fbnn_real *out)
{
    int32_t nw, nwp, o, oy, ox, m, pl, ky, kx, j;

    if (in == NULL || weights == NULL || alpha == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv2_params_check(p) != FBNN_K_OK || p->groups != 1) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(p->in_c);
    nwp = FBNN_WORDS(p->planes * p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = 0; oy < p->out_h; ++oy) {
            int32_t iy0 = oy * p->stride - p->pad_t, ky_lo, ky_hi;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                int32_t ix0 = ox * p->stride - p->pad_l, kx_lo, kx_hi;
                fbnn_real acc = FBNN_R_ZERO;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                for (m = 0; m < p->bases; ++m) {
                    const uint32_t *wo = weights + (size_t)(m * p->out_c + o) * (size_t)p->k * (size_t)p->k *
                                                       (size_t)nw;
                    int32_t isum = 0;
                    for (pl = 0; pl < p->planes; ++pl) {
                        int32_t d = 0;
                        for (ky = ky_lo; ky < ky_hi; ++ky) {
                            for (kx = kx_lo; kx < kx_hi; ++kx) {
                                const uint32_t *xp = in + ((size_t)(iy0 + ky) * (size_t)p->in_w +
                                                           (size_t)(ix0 + kx)) * (size_t)nwp;
                                const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
                                for (j = 0; j < nw; ++j) {
                                    uint32_t b = plane_word(xp, nwp, p->in_c, pl, j);
                                    d += 2 * (int32_t)fbnn_popcount32(b & wp[j]) - (int32_t)fbnn_popcount32(b);
                                }
                            }
                        }
                        isum += d * ((int32_t)1 << pl);
                    }
                    acc = fbnn_r_add(acc, fbnn_r_mul(alpha[m * p->out_c + o], fbnn_r_from_s32(isum)));
                }
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = acc;
            }
        }
    }
    return FBNN_K_OK;
}
