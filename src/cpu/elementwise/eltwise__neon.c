/*
 * The elementwise family with the neon primitives (vec/vec_neon.h): affine,
 * RPReLU, add and Q2 pack (eltwise_simd.h) and the fused chain
 * (chain_simd.h), entry points fbnn_k_*__neon (no flags: Advanced SIMD is part of the AArch64 base ISA).
 */
#if defined(__aarch64__)
#include "epilogue_args.h"
#include "vec/vec_neon.h"

#include "eltwise_simd.h"
#include "chain_simd.h"
#else
typedef int fbnn_eltwise_neon_unused; /* ISO C forbids an empty unit */
#endif
