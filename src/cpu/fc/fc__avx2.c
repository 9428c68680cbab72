/*
 * The float fully connected layer (fc_simd.h) with the avx2 primitives
 * (vec/vec_avx2.h), entry point fbnn_k_fc__avx2 (flags: CMakeLists.txt,
 * FBNN_FLAGS_avx2).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "vec/vec_avx2.h"

#include "fc_simd.h"
#else
typedef int fbnn_fc_avx2_unused; /* ISO C forbids an empty unit */
#endif
