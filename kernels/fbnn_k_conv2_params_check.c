/**
 * @file fbnn_k_conv2_params_check.c
 * @brief Validation of the 1.2 conv shapes (per-side padding, groups,
 * planes, bases; fbnn_kernels.h).
 */
#include "fbnn_kernels.h"

static int dim_ok2(int32_t v) { return v >= 1 && v <= FBNN_K_MAX_DIM; }

static int32_t out_size2(int32_t in, int32_t k, int32_t s, int32_t pa, int32_t pb)
{
    if (in + pa + pb < k) return 0;
    return (in + pa + pb - k) / s + 1;
}

int fbnn_k_conv2_params_check(const fbnn_conv2_params *p)
{
    if (p == NULL) return FBNN_K_EBADARG;
    if (!dim_ok2(p->in_c) || !dim_ok2(p->in_h) || !dim_ok2(p->in_w) || !dim_ok2(p->out_c))
        return FBNN_K_EBADARG;
    if (p->k < 1 || p->k > FBNN_K_MAX_KERNEL) return FBNN_K_EBADARG;
    if (p->stride < 1 || p->stride > FBNN_K_MAX_STRIDE) return FBNN_K_EBADARG;
    if (p->pad_t < 0 || p->pad_t >= p->k || p->pad_l < 0 || p->pad_l >= p->k) return FBNN_K_EBADARG;
    if (p->pad_b < 0 || p->pad_b >= p->k || p->pad_r < 0 || p->pad_r >= p->k) return FBNN_K_EBADARG;
    if (p->groups < 1 || p->in_c % p->groups != 0 || p->out_c % p->groups != 0) return FBNN_K_EBADARG;
    if (p->planes < 1 || p->planes > 4 || p->bases < 1 || p->bases > 8) return FBNN_K_EBADARG;
    if ((int64_t)p->planes * p->in_c > FBNN_K_MAX_DIM || (int64_t)p->bases * p->out_c > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    /* |I| <= (2^planes - 1) * k*k*in_c must be exact in a 24-bit significand
     * (planes = 1 is the binary conv's own bound). */
    if ((((int64_t)1 << p->planes) - 1) * p->k * p->k * p->in_c >= ((int64_t)1 << 24)) return FBNN_K_EBADARG;
    if (p->out_h != out_size2(p->in_h, p->k, p->stride, p->pad_t, p->pad_b) || p->out_h < 1) return FBNN_K_EBADARG;
    if (p->out_w != out_size2(p->in_w, p->k, p->stride, p->pad_l, p->pad_r) || p->out_w < 1) return FBNN_K_EBADARG;
    return FBNN_K_OK;
}
