/*
 * The float fully connected layer (fc_simd.h) with the avx512 primitives
 * (vec/vec_avx512.h), entry point fbnn_k_fc__avx512 (flags: CMakeLists.txt,
 * FBNN_FLAGS_avx512).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "vec/vec_avx512.h"

#include "fc_simd.h"
#else
typedef int fbnn_fc_avx512_unused; /* ISO C forbids an empty unit */
#endif
