/*
 * The binary conv's padding kernels (bconvpad_popc.h) for the avx2 kernel
 * set, entry points fbnn_k_bconv_pad_value__avx2, fbnn_k_bconv_asym__avx2
 * (flags: CMakeLists.txt, FBNN_FLAGS_avx2, with -mpopcnt).
 */
#if defined(__x86_64__) || defined(__i386__)
#define BP_SUFFIX avx2
#include "bconvpad_popc.h"
#else
typedef int fbnn_bconvpad_avx2_unused; /* ISO C forbids an empty unit */
#endif
