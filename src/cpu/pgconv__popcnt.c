/*
 * fbnn_k_pgconv__popcnt: the reference PG conv compiled with the x86 POPCNT
 * instruction (this file gets -mpopcnt; selected only when the CPU reports
 * popcnt). Same source as the reference, so bit-identical by construction;
 * tests/test_dispatch.c checks it on random and real data.
 */
#if defined(__x86_64__) || defined(__i386__)
#define fbnn_k_pgconv fbnn_k_pgconv__popcnt
#include "../../kernels/fbnn_k_pgconv.c"
#else
typedef int fbnn_pgconv_popcnt_unused; /* ISO C forbids an empty unit */
#endif
