/**
 * @file fbnn_k_conv_params_check.c
 * @brief Validation of a binary convolution shape (fbnn_kernels.h).
 */
#include "fbnn_kernels.h"

/* |conv sum| <= K*K*Ci must be exact in a 24-bit significand. */
#define FBNN_K_SUM_LIMIT ((int32_t)1 << 24)

static int dim_ok(int32_t v) { return v >= 1 && v <= FBNN_K_MAX_DIM; }

int fbnn_k_conv_params_check(const fbnn_conv_params *p)
{
    if (p == NULL) return FBNN_K_EBADARG;
    if (!dim_ok(p->in_c) || !dim_ok(p->in_h) || !dim_ok(p->in_w) || !dim_ok(p->out_c))
        return FBNN_K_EBADARG;
    if (p->k < 1 || p->k > FBNN_K_MAX_KERNEL) return FBNN_K_EBADARG;
    if (p->stride < 1 || p->stride > FBNN_K_MAX_STRIDE) return FBNN_K_EBADARG;
    if (p->pad < 0 || p->pad >= p->k) return FBNN_K_EBADARG;
    /* k*k <= 225 and in_c <= 65535: the product fits in int32. */
    if (p->k * p->k * p->in_c >= FBNN_K_SUM_LIMIT) return FBNN_K_EBADARG;
    {
        int32_t oh = fbnn_out_size(p->in_h, p->k, p->stride, p->pad);
        int32_t ow = fbnn_out_size(p->in_w, p->k, p->stride, p->pad);
        if (oh < 1 || ow < 1 || p->out_h != oh || p->out_w != ow) return FBNN_K_EBADARG;
    }
    return FBNN_K_OK;
}
