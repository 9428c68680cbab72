/*
 * fbnn_k_bconv__popcnt: the reference binary conv compiled with the x86
 * POPCNT instruction (this file gets -mpopcnt; selected only when the CPU
 * reports popcnt). The source is the reference kernel itself, so the result
 * is bit-identical by construction; tests/test_dispatch.c checks it anyway.
 */
#if defined(__x86_64__) || defined(__i386__)
#define fbnn_k_bconv fbnn_k_bconv__popcnt
#include "../../kernels/fbnn_k_bconv.c"
#else
typedef int fbnn_bconv_popcnt_unused; /* ISO C forbids an empty unit */
#endif
