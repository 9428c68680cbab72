/**
 * @file peak_scalar.c
 * @brief xor + POPCNT throughput of 64-bit scalar code (compiled -mpopcnt).
 *
 * The loop has the shape of a register-blocked binary conv: 4 weight words
 * stay in registers, each activation word loaded from L1 is xor-ed with all
 * of them, and 4 independent accumulators hide the add latency.
 */
#include "peak.h"

double fbnn_peak_xorpop_scalar(const uint64_t *act, uint64_t iters, uint64_t *sink)
{
    uint64_t w0 = 0x0123456789abcdefull, w1 = ~w0, w2 = w0 * 3u, w3 = w0 ^ 0x5555555555555555ull;
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, it;
    int i;
    for (it = 0; it < iters; it++) {
        for (i = 0; i < FBNN_PEAK_ACT_WORDS; i++) {
            uint64_t x = act[i];
            a0 += (uint64_t)__builtin_popcountll(x ^ w0);
            a1 += (uint64_t)__builtin_popcountll(x ^ w1);
            a2 += (uint64_t)__builtin_popcountll(x ^ w2);
            a3 += (uint64_t)__builtin_popcountll(x ^ w3);
        }
        w0 += a0 & 1u; /* keep the weights loop-carried: no hoisting */
    }
    *sink += a0 + a1 + a2 + a3;
    return (double)iters * FBNN_PEAK_ACT_WORDS * 4.0 * 64.0;
}
