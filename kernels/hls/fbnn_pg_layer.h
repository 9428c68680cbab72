/**
 * @file fbnn_pg_layer.h
 * @brief HLS layer engine: one PG binary conv with its fused epilogue.
 *
 * Computes, for every output channel o and position, exactly the chain of
 * reference kernels (so it is bit-identical to them in every instantiation
 * of fbnn_real.h; tb_pg_layer.c checks it):
 *
 *   y = fbnn_k_pgconv(msb, lsb, weights, threshold)     (K x K, pad K/2)
 *   y = a1[o] * y + b1[o]                                (fbnn_k_affine)
 *   y = RPReLU(y; bx[o], slope[o], by[o])                (fbnn_k_rprelu)
 *   y = y + residual           if flags & FBNN_PG_RESIDUAL  (fbnn_k_add)
 *   y = a2[o] * y + b2[o]      if flags & FBNN_PG_POST_AFFINE
 *
 * which is one half of a FracBNN ResNet block (PGconv -> bn -> RPReLU, then
 * bn(o + shortcut)). Shapes are run-time values (AXI4-Lite registers) below
 * compile-time maxima from the network's config header (FBNN_HLS_CONFIG,
 * default "generated/config_cifar10.h", written by tools/fbnn_to_hls.py);
 * every loop has a constant bound.
 */
#ifndef FBNN_PG_LAYER_H
#define FBNN_PG_LAYER_H

#include <stdint.h>

#include "fbnn_real.h"

#ifndef FBNN_HLS_CONFIG
#define FBNN_HLS_CONFIG "generated/config_cifar10.h"
#endif
#include FBNN_HLS_CONFIG

#ifdef __cplusplus
extern "C" {
#endif

/** Per output channel parameters: FBNN_PG_NPARAM values per channel, [out_c][FBNN_PG_NPARAM]. */
#define FBNN_PG_THRESHOLD 0
#define FBNN_PG_A1 1
#define FBNN_PG_B1 2
#define FBNN_PG_BX 3
#define FBNN_PG_SLOPE 4
#define FBNN_PG_BY 5
#define FBNN_PG_A2 6
#define FBNN_PG_B2 7
#define FBNN_PG_NPARAM 8

/** flags */
#define FBNN_PG_RESIDUAL 1
#define FBNN_PG_POST_AFFINE 2

/**
 * One PG conv layer with the fused epilogue (see the file comment).
 * @param msb,lsb   Q2 input planes [in_h][in_w][FBNN_WORDS(in_c)]
 * @param weights   [out_c][K][K][FBNN_WORDS(in_c)] packed signs
 * @param chan      [out_c][FBNN_PG_NPARAM] per-channel parameters
 * @param residual  [out_c][out_h][out_w] (read only with FBNN_PG_RESIDUAL)
 * @param out       [out_c][out_h][out_w]
 * @param n_gated   receives the number of outputs where the LSB conv was used
 * @return 0, or FBNN_K_EBADARG (1) when a shape exceeds the config maxima
 */
int fbnn_hls_pg_layer(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                      const fbnn_real *chan, const fbnn_real *residual, fbnn_real *out,
                      int32_t in_c, int32_t in_h, int32_t in_w, int32_t out_c, int32_t stride,
                      int32_t flags, uint32_t *n_gated);

#ifdef __cplusplus
}
#endif

#endif /* FBNN_PG_LAYER_H */
