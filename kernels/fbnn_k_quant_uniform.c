/**
 * @file fbnn_k_quant_uniform.c
 * @brief Uniform k-bit quantiser (k-bit shortcut of the ImageNet FracBNN).
 *
 *   d = (hi - lo) / (2^bits - 1)
 *   y = round_half_even((clamp(x, lo, hi) - lo) / d) * d + lo
 *
 * one rounding per written operation, in that order. round_half_even is done
 * without libm: for 0 <= v < 2^23, (v + 2^23) - 2^23 rounds v to an integer
 * with ties to even under the default rounding mode (the sum's ulp is 1);
 * values >= 2^23 are already integers. The argument is never negative because
 * of the clamp (a NaN x propagates). Requires lo < hi with hi - lo finite
 * (FBNN_K_EBADARG otherwise); bits 1..16.
 * y may equal x (in place).
 */
#include "fbnn_kernels.h"

#define FBNN_K_QU_MAX_BITS 16

int fbnn_k_quant_uniform(const fbnn_real *x, int32_t n, int32_t bits,
                         fbnn_real lo, fbnn_real hi, fbnn_real *y)
{
    int32_t i;
    fbnn_real span, d;

    if (x == NULL || y == NULL || n < 1) return FBNN_K_EBADARG;
    if (bits < 1 || bits > FBNN_K_QU_MAX_BITS) return FBNN_K_EBADARG;
    /* lo < hi also rejects NaN bounds. span - span is 0 only for a finite
     * span, which rejects infinite bounds and an overflowing hi - lo. */
    if (!fbnn_r_gt(hi, lo)) return FBNN_K_EBADARG;
    span = fbnn_r_add(hi, -lo);
    if (!fbnn_r_ge(FBNN_R_ZERO, fbnn_r_add(span, -span))) return FBNN_K_EBADARG;
    d = fbnn_r_div(span, fbnn_r_from_s32(((int32_t)1 << bits) - 1));
    if (!fbnn_r_gt(d, FBNN_R_ZERO)) return FBNN_K_EBADARG;

    for (i = 0; i < n; ++i) {
        fbnn_real v = x[i];
        if (fbnn_r_gt(lo, v)) v = lo;
        else if (fbnn_r_gt(v, hi)) v = hi;
        v = fbnn_r_div(fbnn_r_add(v, -lo), d);
        v = fbnn_r_rint_nonneg(v); /* ties to even; fbnn_real.h */
        y[i] = fbnn_r_add(fbnn_r_mul(v, d), lo);
    }
    return FBNN_K_OK;
}
