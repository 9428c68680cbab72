/**
 * @file peak_avx512.c
 * @brief AVX-512 VPOPCNTDQ limit: xor + vpopcntq + add per 512 bits
 * (compiled -mavx512f -mavx512vpopcntdq; called only when the CPU has them).
 */
#include <immintrin.h>

#include "peak.h"

double fbnn_peak_xorpop_avx512(const uint64_t *act, uint64_t iters, uint64_t *sink)
{
    __m512i w0 = _mm512_set1_epi64(0x0123456789abcdefll), w1 = _mm512_set1_epi64(0x7edcba9876543210ll);
    __m512i c0 = _mm512_setzero_si512(), c1 = _mm512_setzero_si512();
    uint64_t it;
    int i;
    for (it = 0; it < iters; it++) {
        for (i = 0; i < FBNN_PEAK_ACT_WORDS; i += 8) {
            __m512i x = _mm512_loadu_si512((const void *)(act + i));
            c0 = _mm512_add_epi64(c0, _mm512_popcnt_epi64(_mm512_xor_si512(x, w0)));
            c1 = _mm512_add_epi64(c1, _mm512_popcnt_epi64(_mm512_xor_si512(x, w1)));
        }
        w0 = _mm512_add_epi64(w0, _mm512_and_si512(c0, _mm512_set1_epi64(1)));
    }
    *sink += (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(c0, c1));
    return (double)iters * FBNN_PEAK_ACT_WORDS * 2.0 * 64.0;
}
