/*
 * Average and global average pooling (pool_simd.h) with the avx2
 * primitives (vec/vec_avx2.h), entry points fbnn_k_*avgpool__avx2
 * (flags: CMakeLists.txt, FBNN_FLAGS_avx2).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "epilogue_args.h"
#include "vec/vec_avx2.h"

#include "pool_simd.h"
#else
typedef int fbnn_pool_avx2_unused; /* ISO C forbids an empty unit */
#endif
