/*
 * Argument checks shared by the SIMD variants of the elementwise and pooling
 * kernels (elementwise/eltwise_simd.h, pool/pool_simd.h):
 * each refuses exactly what its reference kernel in kernels/ refuses, so
 * every variant answers a bad call with the same FBNN_K_EBADARG (checked by
 * tests/test_simd.c). Written once here instead of once per ISA.
 */
#ifndef FBNN_EPILOGUE_ARGS_H
#define FBNN_EPILOGUE_ARGS_H

#include "dispatch.h"

#define FBNN_POOL_MAX_DUP 16 /* as the reference (FBNN_K_MAX_DUP) */

static inline int fbnn_dims_ok(int32_t c, int32_t h, int32_t w)
{
    return c >= 1 && c <= FBNN_K_MAX_DIM && h >= 1 && h <= FBNN_K_MAX_DIM && w >= 1 && w <= FBNN_K_MAX_DIM;
}

static inline int fbnn_affine_args_ok(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b, int32_t c,
                                      int32_t hw, const fbnn_real *y)
{
    return x != NULL && a != NULL && b != NULL && y != NULL && c >= 1 && c <= FBNN_K_MAX_DIM && hw >= 1;
}

static inline int fbnn_rprelu_args_ok(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope,
                                      const fbnn_real *by, int32_t c, int32_t hw, const fbnn_real *y)
{
    return x != NULL && bx != NULL && slope != NULL && by != NULL && y != NULL && c >= 1 && c <= FBNN_K_MAX_DIM &&
           hw >= 1;
}

static inline int fbnn_quant2_args_ok(const fbnn_real *x, int32_t c, int32_t h, int32_t w, const uint32_t *msb,
                                      const uint32_t *lsb)
{
    return x != NULL && msb != NULL && lsb != NULL && fbnn_dims_ok(c, h, w);
}

/* Average pooling: also gives the output size (*ho x *wo). */
static inline int fbnn_avgpool_args_ok(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                                       int32_t dup, const fbnn_real *y, int32_t *ho, int32_t *wo)
{
    if (x == NULL || y == NULL) return 0;
    if (fbnn_window_check(c, h, w, k, s, 0, ho, wo) != FBNN_K_OK) return 0;
    return dup >= 1 && dup <= FBNN_POOL_MAX_DUP && c <= FBNN_K_MAX_DIM / dup;
}

#endif /* FBNN_EPILOGUE_ARGS_H */
