/**
 * @file peak_avx2.c
 * @brief AVX2 limits: xor + vpshufb-nibble popcount (on packed words, and on
 * operands pre-split into nibble planes as the conv kernels use them), and
 * fp32 FMA (compiled
 * -mavx2 -mfma; called only when the CPU has them).
 */
#include <immintrin.h>

#include "peak.h"

double fbnn_peak_xorpop_avx2(const uint64_t *act, uint64_t iters, uint64_t *sink)
{
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3,
                                         1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i lo4 = _mm256_set1_epi8(0x0f);
    __m256i w0 = _mm256_set1_epi64x(0x0123456789abcdefll), w1 = _mm256_set1_epi64x(0x7edcba9876543210ll);
    __m256i total = _mm256_setzero_si256();
    uint64_t it;
    int i;
    for (it = 0; it < iters; it++) {
        /* byte counters: at most 8 per vector per step, 16 steps (= 32 x 8) fit in a byte */
        for (i = 0; i < FBNN_PEAK_ACT_WORDS; i += 4 * 16) {
            __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256();
            int j;
            for (j = 0; j < 4 * 16; j += 4) {
                __m256i x = _mm256_loadu_si256((const __m256i *)(act + i + j));
                __m256i y0 = _mm256_xor_si256(x, w0), y1 = _mm256_xor_si256(x, w1);
                c0 = _mm256_add_epi8(c0, _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(y0, lo4)),
                                                         _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(y0, 4), lo4))));
                c1 = _mm256_add_epi8(c1, _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(y1, lo4)),
                                                         _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(y1, 4), lo4))));
            }
            total = _mm256_add_epi64(total, _mm256_sad_epu8(c0, _mm256_setzero_si256()));
            total = _mm256_add_epi64(total, _mm256_sad_epu8(c1, _mm256_setzero_si256()));
        }
        w0 = _mm256_add_epi64(w0, _mm256_and_si256(total, _mm256_set1_epi64x(1))); /* loop-carried */
    }
    *sink += (uint64_t)_mm256_extract_epi64(total, 0) + (uint64_t)_mm256_extract_epi64(total, 3);
    return (double)iters * FBNN_PEAK_ACT_WORDS * 2.0 * 64.0;
}

double fbnn_peak_xorpop_avx2_nib(const uint64_t *act, uint64_t iters, uint64_t *sink)
{
    /* The operands split once into low and high nibble planes (bytes 0..15),
     * as the conv kernels store inputs and weights: per 256 bit-MACs then
     * xor, lookup and add per plane, 6 vector ops instead of 8. */
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3,
                                         1, 2, 2, 3, 2, 3, 3, 4);
    uint64_t lo[FBNN_PEAK_ACT_WORDS], hi[FBNN_PEAK_ACT_WORDS];
    __m256i w0l = _mm256_set1_epi64x(0x0f0e0d0c0b0a0908ll), w0h = _mm256_set1_epi64x(0x0001020304050607ll);
    __m256i w1l = _mm256_set1_epi64x(0x0708090a0b0c0d0ell), w1h = _mm256_set1_epi64x(0x0e0d0c0b0a090807ll);
    __m256i total = _mm256_setzero_si256();
    uint64_t it;
    int i;
    for (i = 0; i < FBNN_PEAK_ACT_WORDS; i++) {
        lo[i] = act[i] & 0x0f0f0f0f0f0f0f0full;
        hi[i] = (act[i] >> 4) & 0x0f0f0f0f0f0f0f0full;
    }
    for (it = 0; it < iters; it++) {
        for (i = 0; i < FBNN_PEAK_ACT_WORDS; i += 4 * 16) {
            __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256();
            int j;
            for (j = 0; j < 4 * 16; j += 4) {
                const __m256i xl = _mm256_loadu_si256((const __m256i *)(lo + i + j));
                const __m256i xh = _mm256_loadu_si256((const __m256i *)(hi + i + j));
                c0 = _mm256_add_epi8(c0, _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_xor_si256(xl, w0l)),
                                                         _mm256_shuffle_epi8(lut, _mm256_xor_si256(xh, w0h))));
                c1 = _mm256_add_epi8(c1, _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_xor_si256(xl, w1l)),
                                                         _mm256_shuffle_epi8(lut, _mm256_xor_si256(xh, w1h))));
            }
            total = _mm256_add_epi64(total, _mm256_sad_epu8(c0, _mm256_setzero_si256()));
            total = _mm256_add_epi64(total, _mm256_sad_epu8(c1, _mm256_setzero_si256()));
        }
        /* loop-carried, and keeps the weight bytes <= 15 (bit 7 would zero a lookup) */
        w0l = _mm256_xor_si256(w0l, _mm256_and_si256(total, _mm256_set1_epi64x(1)));
    }
    *sink += (uint64_t)_mm256_extract_epi64(total, 0) + (uint64_t)_mm256_extract_epi64(total, 3);
    return (double)iters * FBNN_PEAK_ACT_WORDS * 2.0 * 64.0;
}

double fbnn_peak_fma_avx2(uint64_t iters, float *sink)
{
    /* 10 independent accumulators cover FMA latency x throughput (4 x 2). */
    __m256 a[10], m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    float out[8];
    uint64_t it;
    int k;
    for (k = 0; k < 10; k++) a[k] = _mm256_set1_ps((float)k);
    for (it = 0; it < iters; it++) {
        for (k = 0; k < 10; k++) a[k] = _mm256_fmadd_ps(a[k], m, c);
    }
    for (k = 1; k < 10; k++) a[0] = _mm256_add_ps(a[0], a[k]);
    _mm256_storeu_ps(out, a[0]);
    *sink += out[0];
    return (double)iters * 10.0 * 8.0;
}
