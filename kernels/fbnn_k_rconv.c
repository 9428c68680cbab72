/**
 * @file fbnn_k_rconv.c
 * @brief Real-valued (float32) convolution: any k, stride, per-side zero
 * padding, groups (depthwise when groups == in_c); real or 8-bit input.
 *
 * Fixed summation order (the contract every path keeps): for output o at
 * (oy, ox), acc = 0; for ci in the group, ky, kx in that order, skipping the
 * padded taps: acc = acc + w[o][ci][ky][kx] * x[g*cig + ci][iy][ix]; then
 * out = acc + bias[o]. The loops run tap-outer, pixel-inner (the output
 * plane is the accumulator), which keeps that order per pixel and leaves the
 * inner loop contiguous for stride 1 (a 1x1 conv is a row of axpy's).
 */
#include "fbnn_kernels.h"

/* First output index whose tap (offset kk, padding pad) is in bounds, and
 * one past the last, over n outputs with stride s on an axis of `in`. */
static void rc_range(int32_t kk, int32_t pad, int32_t s, int32_t in, int32_t n, int32_t *lo, int32_t *hi)
{
    int32_t a = pad - kk, b = in - 1 + pad - kk;
    *lo = a <= 0 ? 0 : (a + s - 1) / s;
    *hi = b < 0 ? 0 : b / s + 1;
    if (*hi > n) *hi = n;
    if (*lo > *hi) *lo = *hi;
}

int fbnn_k_rconv(const fbnn_real *x_real, const uint8_t *x_u8, const fbnn_real *weights,
                 const fbnn_real *bias, const fbnn_conv2_params *p, fbnn_real *out)
{
    int32_t cig, cog, o, ci, ky, kx, oy, ox, hw, i;

    if ((x_real == NULL && x_u8 == NULL) || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv2_params_check(p) != FBNN_K_OK || p->planes != 1 || p->bases != 1) return FBNN_K_EBADARG;
    cig = p->in_c / p->groups;
    cog = p->out_c / p->groups;
    hw = p->out_h * p->out_w;

    for (o = 0; o < p->out_c; ++o) {
        fbnn_real *yo = out + (size_t)o * (size_t)hw;
        int32_t cbase = (o / cog) * cig;
        for (i = 0; i < hw; ++i) yo[i] = FBNN_R_ZERO;
        for (ci = 0; ci < cig; ++ci) {
            size_t xoff = (size_t)(cbase + ci) * (size_t)p->in_h * (size_t)p->in_w;
            for (ky = 0; ky < p->k; ++ky) {
                int32_t oy_lo, oy_hi;
                rc_range(ky, p->pad_t, p->stride, p->in_h, p->out_h, &oy_lo, &oy_hi);
                for (kx = 0; kx < p->k; ++kx) {
                    fbnn_real wv = weights[(((size_t)o * (size_t)cig + (size_t)ci) * (size_t)p->k + (size_t)ky) *
                                               (size_t)p->k + (size_t)kx];
                    int32_t ox_lo, ox_hi;
                    rc_range(kx, p->pad_l, p->stride, p->in_w, p->out_w, &ox_lo, &ox_hi);
                    for (oy = oy_lo; oy < oy_hi; ++oy) {
                        int32_t iy = oy * p->stride - p->pad_t + ky;
                        fbnn_real *yr = yo + (size_t)oy * (size_t)p->out_w;
                        size_t xrow = xoff + (size_t)iy * (size_t)p->in_w;
                        if (x_real != NULL) {
                            const fbnn_real *xr = x_real + xrow;
                            for (ox = ox_lo; ox < ox_hi; ++ox)
                                yr[ox] = fbnn_r_add(yr[ox], fbnn_r_mul(wv, xr[ox * p->stride - p->pad_l + kx]));
                        } else {
                            const uint8_t *xr = x_u8 + xrow;
                            for (ox = ox_lo; ox < ox_hi; ++ox)
                                yr[ox] = fbnn_r_add(yr[ox], fbnn_r_mul(wv, fbnn_r_from_s32(
                                                                             (int32_t)xr[ox * p->stride - p->pad_l + kx])));
                        }
                    }
                }
            }
        }
        if (bias != NULL) {
            for (i = 0; i < hw; ++i) yo[i] = fbnn_r_add(yo[i], bias[o]);
        }
    }
    return FBNN_K_OK;
}
