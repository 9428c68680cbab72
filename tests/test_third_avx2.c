/*
 * Exhaustive check of fbnn_third_avx2 (src/cpu/conv/third_avx2.h), the AVX2
 * conv kernels' fl(n / 3) by reciprocal and FMA correction: bit-identical
 * to the reference fbnn_r_third ((float)n / 3.0f) for every n with
 * |n| < 2^24, far beyond the sums the kernels form (|n| < 2^17).
 * Plain C; exit 0 = all equal, 1 = a mismatch, 77 = no AVX2/FMA here.
 */
#include <stdio.h>
#include <string.h>

#include "fbnn_real.h"
#include "cpu/conv/third_avx2.h"

int main(void)
{
    const int32_t lim = (1 << 24) - 1;
    int32_t n0, bad = 0;
    long checked = 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        printf("test_third_avx2: skipped, this CPU lacks AVX2 or FMA\n");
        return 77;
    }
    for (n0 = -lim; n0 <= lim; n0 += 8) {
        int32_t n[8];
        float got[8];
        int i;
        for (i = 0; i < 8; i++) n[i] = n0 + i <= lim ? n0 + i : lim;
        _mm256_storeu_ps(got, fbnn_third_avx2(_mm256_loadu_si256((const __m256i *)(const void *)n)));
        for (i = 0; i < 8; i++) {
            const float want = fbnn_r_third(n[i]);
            if (memcmp(&got[i], &want, sizeof want) != 0) {
                if (++bad <= 10) printf("MISMATCH n=%d: %.9g vs reference %.9g\n", n[i], got[i], want);
            }
        }
        checked += 8;
    }
    printf("test_third_avx2: %ld values of n checked, %d mismatches\n", checked, bad);
    return bad != 0;
}
