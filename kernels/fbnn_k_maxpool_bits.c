/**
 * @file fbnn_k_maxpool_bits.c
 * @brief Binary max pooling: bitwise OR of the packed words over the
 *        in-bounds k x k window (max of {-1,+1} is +1 iff any tap is +1).
 *
 * Padded taps are ignored. Input [h][w][FBNN_WORDS(c)], output
 * [ho][wo][FBNN_WORDS(c)], ho = (h + 2*pad - k)/s + 1. Padding bits stay 0
 * because they are 0 in the input.
 */
#include "fbnn_kernels.h"

int fbnn_k_maxpool_bits(const uint32_t *x, int32_t c, int32_t h, int32_t w,
                        int32_t k, int32_t s, int32_t pad, uint32_t *y)
{
    int32_t nw, ho, wo, oy, ox;

    if (x == NULL || y == NULL) return FBNN_K_EBADARG;
    if (fbnn_window_check(c, h, w, k, s, pad, &ho, &wo) != FBNN_K_OK) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(c);
    for (oy = 0; oy < ho; ++oy) {
        int32_t iy0 = oy * s - pad, ky_lo, ky_hi;
        fbnn_tap_range(iy0, k, h, &ky_lo, &ky_hi);
        for (ox = 0; ox < wo; ++ox) {
            int32_t ix0 = ox * s - pad, kx_lo, kx_hi, ky, kx, i;
            uint32_t *yo = y + ((size_t)oy * (size_t)wo + (size_t)ox) * (size_t)nw;
            fbnn_tap_range(ix0, k, w, &kx_lo, &kx_hi);
            for (i = 0; i < nw; ++i) yo[i] = 0u;
            for (ky = ky_lo; ky < ky_hi; ++ky) {
                for (kx = kx_lo; kx < kx_hi; ++kx) {
                    const uint32_t *xp =
                        x + ((size_t)(iy0 + ky) * (size_t)w + (size_t)(ix0 + kx)) * (size_t)nw;
                    for (i = 0; i < nw; ++i) yo[i] |= xp[i];
                }
            }
        }
    }
    return FBNN_K_OK;
}
