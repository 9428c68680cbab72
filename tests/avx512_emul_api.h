/*
 * Entry points of the emulated AVX-512 conv instances (tests/avx512_emul_conv.c,
 * tests/avx512_emul_vpopcnt.c), declared like the real instances in dispatch.h.
 */
#ifndef FBNN_AVX512_EMUL_API_H
#define FBNN_AVX512_EMUL_API_H

#include "cpu/dispatch.h"

FBNN_DECLARE_CONV_VARIANT(avx512_emul)
FBNN_DECLARE_CONV_VARIANT(avx512vpopcnt_emul)

#endif /* FBNN_AVX512_EMUL_API_H */
