/*
 * Average and global average pooling (pool_simd.h) with the neon
 * primitives (vec/vec_neon.h), entry points fbnn_k_*avgpool__neon
 * (no flags: Advanced SIMD is part of the AArch64 base ISA).
 */
#if defined(__aarch64__)
#include "epilogue_args.h"
#include "vec/vec_neon.h"

#include "pool_simd.h"
#else
typedef int fbnn_pool_neon_unused; /* ISO C forbids an empty unit */
#endif
