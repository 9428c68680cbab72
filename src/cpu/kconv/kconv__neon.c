/*
 * k-bit x multi-base binary conv (kconv_popc.h) for the neon kernel set,
 * entry point fbnn_k_kconv__neon (no flags: the compiler's cnt).
 */
#if defined(__aarch64__)
#define KC_SUFFIX neon
#include "kconv_popc.h"
#else
typedef int fbnn_kconv_neon_unused; /* ISO C forbids an empty unit */
#endif
