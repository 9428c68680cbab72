/*
 * The AVX-512 conv instance (src/cpu/conv__avx512.c, lookup popcount; or
 * with FBNN_AVX512_VPOPCNT the vpopcntd one) compiled over the C emulation
 * of tests/avx512_emul.h, for test_simd_avx512_emul on CPUs without
 * AVX-512. Built with -mavx2 (the instance's tile transposition is AVX2).
 */
#define FBNN_AVX512_EMUL 1
#include "avx512_emul.h"
#include "avx512_emul_api.h"
#include "cpu/conv__avx512.c"
