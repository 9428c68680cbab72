/*
 * Average and global average pooling (pool_simd.h) with the avx512
 * primitives (vec/vec_avx512.h), entry points fbnn_k_*avgpool__avx512
 * (flags: CMakeLists.txt, FBNN_FLAGS_avx512).
 */
#if defined(__x86_64__) || defined(__i386__)
#include "epilogue_args.h"
#include "vec/vec_avx512.h"

#include "pool_simd.h"
#else
typedef int fbnn_pool_avx512_unused; /* ISO C forbids an empty unit */
#endif
