/*
 * The float fully connected layer (fc_simd.h) with the neon primitives
 * (vec/vec_neon.h), entry point fbnn_k_fc__neon (no flags: Advanced SIMD is
 * part of the AArch64 base ISA).
 */
#if defined(__aarch64__)
#include "vec/vec_neon.h"

#include "fc_simd.h"
#else
typedef int fbnn_fc_neon_unused; /* ISO C forbids an empty unit */
#endif
