/*
 * AVX-512 VPOPCNTDQ instance of the blocked conv: conv__avx512.c built with
 * vpopcntd (this file gets -mavx512f -mavx512bw -mavx512vpopcntdq).
 */
#define FBNN_AVX512_VPOPCNT 1
#include "conv__avx512.c"
