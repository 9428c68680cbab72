/**
 * @file fbnn_k_maxpool.c
 * @brief Max pooling of a real planar map, k x k, stride s, padding pad;
 *        padded taps are ignored (never win).
 *
 * The running maximum starts at the first in-bounds tap (row-major order)
 * and is replaced by a later tap v iff not (m >= v) and m is not NaN: this is
 * numpy.maximum folded over the taps from -inf (the first NaN wins, equal
 * values keep the earlier one). With 0 <= pad < k every window holds at least
 * one in-bounds tap. Output planar [c][ho][wo], ho = (h + 2*pad - k)/s + 1.
 */
#include "fbnn_kernels.h"

int fbnn_k_maxpool(const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                   int32_t k, int32_t s, int32_t pad, fbnn_real *y)
{
    int32_t ho, wo, ch, oy, ox;
    size_t in_plane, out_plane;

    if (x == NULL || y == NULL) return FBNN_K_EBADARG;
    if (fbnn_window_check(c, h, w, k, s, pad, &ho, &wo) != FBNN_K_OK) return FBNN_K_EBADARG;

    in_plane = (size_t)h * (size_t)w;
    out_plane = (size_t)ho * (size_t)wo;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * in_plane;
        fbnn_real *yc = y + (size_t)ch * out_plane;
        for (oy = 0; oy < ho; ++oy) {
            int32_t iy0 = oy * s - pad, ky_lo, ky_hi;
            fbnn_tap_range(iy0, k, h, &ky_lo, &ky_hi);
            for (ox = 0; ox < wo; ++ox) {
                int32_t ix0 = ox * s - pad, kx_lo, kx_hi, ky, kx;
                fbnn_real m;
                fbnn_tap_range(ix0, k, w, &kx_lo, &kx_hi);
                m = xc[(size_t)(iy0 + ky_lo) * (size_t)w + (size_t)(ix0 + kx_lo)];
                for (ky = ky_lo; ky < ky_hi; ++ky) {
                    for (kx = kx_lo; kx < kx_hi; ++kx) {
                        fbnn_real v = xc[(size_t)(iy0 + ky) * (size_t)w + (size_t)(ix0 + kx)];
                        /* fbnn_r_ge(m, m) is false only for a NaN m. */
                        if (!fbnn_r_ge(m, v) && fbnn_r_ge(m, m)) m = v;
                    }
                }
                yc[(size_t)oy * (size_t)wo + (size_t)ox] = m;
            }
        }
    }
    return FBNN_K_OK;
}
