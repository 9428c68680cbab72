/* The VPOPCNTDQ variant of tests/avx512_emul_conv.c. */
#define FBNN_AVX512_VPOPCNT 1
#include "avx512_emul_conv.c"
