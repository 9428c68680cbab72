/*
 * Entry points of the emulated AVX-512 conv instances (src/cpu/conv/conv__avx512.c
 * compiled over tests/avx512_emul.h with FBNN_SIMD_SUFFIX=avx512_emul and
 * avx512vpopcnt_emul, tests/CMakeLists.txt), declared like the real instances
 * in dispatch.h.
 */
#ifndef FBNN_AVX512_EMUL_API_H
#define FBNN_AVX512_EMUL_API_H

#include "cpu/dispatch.h"

FBNN_DECLARE_CONV_VARIANT(avx512_emul)
FBNN_DECLARE_CONV_VARIANT(avx512vpopcnt_emul)
FBNN_DECLARE_BINARY_VARIANT(avx512_emul)
FBNN_DECLARE_BINARY_VARIANT(avx512vpopcnt_emul)

#endif /* FBNN_AVX512_EMUL_API_H */
