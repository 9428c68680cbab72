/*
 * The binary conv's padding kernels (bconvpad_popc.h) for the avx512 kernel
 * set, entry points fbnn_k_bconv_pad_value__avx512, fbnn_k_bconv_asym__avx512
 * (flags: CMakeLists.txt, FBNN_FLAGS_avx512, with -mpopcnt).
 */
#if defined(__x86_64__) || defined(__i386__)
#define BP_SUFFIX avx512
#include "bconvpad_popc.h"
#else
typedef int fbnn_bconvpad_avx512_unused; /* ISO C forbids an empty unit */
#endif
