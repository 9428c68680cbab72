/*
 * k-bit x multi-base binary conv (kconv_popc.h) for the avx2 kernel set,
 * entry point fbnn_k_kconv__avx2 (flags: CMakeLists.txt, FBNN_FLAGS_avx2, with -mpopcnt).
 */
#if defined(__x86_64__) || defined(__i386__)
#define KC_SUFFIX avx2
#include "kconv_popc.h"
#else
typedef int fbnn_kconv_avx2_unused; /* ISO C forbids an empty unit */
#endif
