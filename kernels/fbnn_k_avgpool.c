/**
 * @file fbnn_k_avgpool.c
 * @brief Average pooling k x k, stride s, no padding, floor mode, with
 *        channel duplication.
 *
 * For each window: acc = 0; acc = acc + x[tap] for the taps in row-major
 * order; y = acc / (k*k). Output channel d*c + ch (d = 0..dup-1) is a copy of
 * pooled channel ch, so dup = 2 gives the CIFAR shortcut cat(pool(x), pool(x)).
 * Input planar [c][h][w], output planar [c*dup][ho][wo] with
 * ho = (h - k) / s + 1, wo = (w - k) / s + 1. y must not overlap x.
 */
#include "fbnn_kernels.h"

#define FBNN_K_MAX_DUP 16

int fbnn_k_avgpool(const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                   int32_t k, int32_t s, int32_t dup, fbnn_real *y)
{
    int32_t ho, wo, ch, oy, ox, ky, kx, d;
    size_t in_plane, out_plane, out_chan_stride;
    fbnn_real div;

    if (x == NULL || y == NULL) return FBNN_K_EBADARG;
    if (fbnn_window_check(c, h, w, k, s, 0, &ho, &wo) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (dup < 1 || dup > FBNN_K_MAX_DUP || c > FBNN_K_MAX_DIM / dup) return FBNN_K_EBADARG;

    in_plane = (size_t)h * (size_t)w;
    out_plane = (size_t)ho * (size_t)wo;
    out_chan_stride = (size_t)c * out_plane; /* distance between copies d and d+1 */
    div = fbnn_r_from_s32(k * k);

    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * in_plane;
        fbnn_real *yc = y + (size_t)ch * out_plane;
        for (oy = 0; oy < ho; ++oy) {
            for (ox = 0; ox < wo; ++ox) {
                fbnn_real acc = FBNN_R_ZERO, v;
                size_t opix = (size_t)oy * (size_t)wo + (size_t)ox;
                for (ky = 0; ky < k; ++ky)
                    for (kx = 0; kx < k; ++kx)
                        acc = fbnn_r_add(acc, xc[(size_t)(oy * s + ky) * (size_t)w +
                                                 (size_t)(ox * s + kx)]);
                v = fbnn_r_div(acc, div);
                for (d = 0; d < dup; ++d) yc[(size_t)d * out_chan_stride + opix] = v;
            }
        }
    }
    return FBNN_K_OK;
}
