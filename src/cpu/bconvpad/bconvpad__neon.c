/*
 * The binary conv's padding kernels (bconvpad_popc.h) for the neon kernel
 * set, entry points fbnn_k_bconv_pad_value__neon, fbnn_k_bconv_asym__neon
 * (no flags: the compiler's cnt).
 */
#if defined(__aarch64__)
#define BP_SUFFIX neon
#include "bconvpad_popc.h"
#else
typedef int fbnn_bconvpad_neon_unused; /* ISO C forbids an empty unit */
#endif
