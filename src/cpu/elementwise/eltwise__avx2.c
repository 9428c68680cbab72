/*
 * The elementwise family with the avx2 primitives (vec/vec_avx2.h): affine,
 * RPReLU, add and Q2 pack (eltwise_simd.h) and the fused chain
 * (chain_simd.h), entry points fbnn_k_*__avx2 (flags: CMakeLists.txt, FBNN_FLAGS_avx2).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "epilogue_args.h"
#include "vec/vec_avx2.h"

#include "eltwise_simd.h"
#include "chain_simd.h"
#else
typedef int fbnn_eltwise_avx2_unused; /* ISO C forbids an empty unit */
#endif
