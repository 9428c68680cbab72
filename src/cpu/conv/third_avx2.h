/*
 * fl(n / 3) for 8 int32 lanes without vdivps (AVX2 + FMA), exactly the
 * reference's fbnn_r_third, (float)n / 3.0f, for every |n| < 2^24.
 *
 * Why exact: f = (float)n is exact. q = RN(f * r), r = RN(1/3), is within
 * about one ulp u of f / 3. e = fma(-3, q, f) is exact: f and 3q are
 * multiples of u (u <= 1 below 2^24) and |f - 3q| <= 3u. Then
 * RN(q + e * r) (one fma) rounds a value within u * 2^-24 of f / 3. And
 * f / 3 is never closer than u / 6 to a rounding midpoint: a midpoint is
 * (2m + 1) * 2^-(k+1) for u = 2^-k, and f / 3 = (2m + 1) * 2^-(k+1) + d
 * gives 3 * 2^(k+1) * d = 2^(k+1) * f - 3 * (2m + 1), an odd, so nonzero,
 * integer. So both round to the same float (the last step would be exact
 * unfused as well; the first needs the FMA: RN(f - RN(3q)) gives 5.6 M
 * wrong values below 2^24). tests/test_third_avx2.c checks every
 * |n| < 2^24 against the division. Measured: 365 -> 355 us per image
 * (fbnn bench, 1 thread, interleaved runs).
 *
 * Include only from files compiled with -mavx2 -mfma (conv__avx2.c, the
 * test); dispatch.c selects the AVX2 set only where cpuid reports FMA.
 */
#ifndef FBNN_THIRD_AVX2_H
#define FBNN_THIRD_AVX2_H

#include <immintrin.h>

static inline __m256 fbnn_third_avx2(__m256i n)
{
    const __m256 f = _mm256_cvtepi32_ps(n), r = _mm256_set1_ps(1.0f / 3.0f);
    const __m256 q = _mm256_mul_ps(f, r);
    const __m256 e = _mm256_fnmadd_ps(_mm256_set1_ps(3.0f), q, f); /* f - 3q, exact */
    return _mm256_fmadd_ps(e, r, q);
}

#endif /* FBNN_THIRD_AVX2_H */
