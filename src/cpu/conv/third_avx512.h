/*
 * fl(n / 3) for 16 int32 lanes without vdivps (AVX-512F, whose FMA covers
 * zmm): exactly the reference's fbnn_r_third, (float)n / 3.0f, for every
 * |n| < 2^24. The same three steps as third_avx2.h, which has the proof:
 * q = RN(f * RN(1/3)); e = f - 3q, exact by one FMA; RN(q + e * RN(1/3)).
 * vdivps zmm has a throughput of several cycles per instruction on
 * AVX-512 CPUs against two FMAs per cycle (not timed here: the development
 * machine has no AVX-512). tests/test_third_avx512_emul.c checks every
 * |n| < 2^24 through the C emulation of the intrinsics (tests/avx512_emul.h,
 * fmaf for the fused steps).
 *
 * Include only from files compiled with -mavx512f (conv__avx512.c), or
 * after tests/avx512_emul.h.
 */
#ifndef FBNN_THIRD_AVX512_H
#define FBNN_THIRD_AVX512_H

#include <immintrin.h>

static inline __m512 fbnn_third_avx512(__m512i n)
{
    const __m512 f = _mm512_cvtepi32_ps(n), r = _mm512_set1_ps(1.0f / 3.0f);
    const __m512 q = _mm512_mul_ps(f, r);
    const __m512 e = _mm512_fnmadd_ps(_mm512_set1_ps(3.0f), q, f); /* f - 3q, exact */
    return _mm512_fmadd_ps(e, r, q);
}

#endif /* FBNN_THIRD_AVX512_H */
