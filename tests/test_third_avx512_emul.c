/*
 * Exhaustive check of fbnn_third_avx512 (src/cpu/conv/third_avx512.h), the
 * AVX-512 conv kernels' fl(n / 3) by reciprocal and FMA correction, through
 * the C emulation of its intrinsics (tests/avx512_emul.h; fmaf for the
 * fused steps): bit-identical to the reference fbnn_r_third
 * ((float)n / 3.0f) for every |n| < 2^24. This machine has no AVX-512, so
 * what it checks is the lane arithmetic the instructions are documented to
 * do, not the silicon. Plain C; exit 0 = all equal, 1 = a mismatch,
 * 77 = no AVX2 here (the emulation header is built on AVX2 types).
 */
#include <stdio.h>
#include <string.h>

#include "avx512_emul.h"
#include "fbnn_real.h"
#include "cpu/conv/third_avx512.h"

int main(void)
{
    const int32_t lim = (1 << 24) - 1;
    int32_t n0, bad = 0;
    long checked = 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) {
        printf("test_third_avx512_emul: skipped, this CPU lacks AVX2\n");
        return 77;
    }
    for (n0 = -lim; n0 <= lim; n0 += 16) {
        emu_m512i n;
        emu_m512 got;
        int i;
        for (i = 0; i < 16; i++) n.sd[i] = n0 + i <= lim ? n0 + i : lim;
        got = fbnn_third_avx512(n);
        for (i = 0; i < 16; i++) {
            const float want = fbnn_r_third(n.sd[i]);
            if (memcmp(&got.f[i], &want, sizeof want) != 0) {
                if (++bad <= 10) printf("MISMATCH n=%d: %.9g vs reference %.9g\n", n.sd[i], got.f[i], want);
            }
        }
        checked += 16;
    }
    printf("test_third_avx512_emul: %ld values of n checked, %d mismatches\n", checked, bad);
    return bad != 0;
}
