/*
 * Popcounts for cores without a popcount instruction (the "swar" ISA):
 * four byte counters in one 32-bit word (SIMD within a register). Shared by
 * the blocked instance (conv__swar.c) and the direct PG conv
 * (pgconv__swar.c). Not a public header.
 */
#ifndef FBNN_CONV_SWAR_H
#define FBNN_CONV_SWAR_H

#include "dispatch.h"

#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32
#include <arm_acle.h>
#endif

/* Words per byte-counter run: each word adds at most 8 to a byte, 31 * 8 = 248. */
#define SWAR_RUN 31

/* c + the popcounts of the four bytes of x ^ w, one per byte of c. About 8
 * Thumb-2 instructions (shifted operands are free). */
static inline uint32_t swar_xpop(uint32_t c, uint32_t x, uint32_t w)
{
    uint32_t v = x ^ w;
    v -= (v >> 1) & 0x55555555u;
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    return c + ((v + (v >> 4)) & 0x0f0f0f0fu);
}

/* Sum of the four byte counters (each <= 248; the sum may exceed 255, so
 * not the multiply-by-0x01010101 trick): USAD8 (one instruction) with the
 * DSP extension (Cortex-M4/M7/M33/M55), else byte pairs into 16-bit halves. */
static inline uint32_t swar_sum(uint32_t c)
{
#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32
    return __usad8(c, 0u);
#else
    const uint32_t h = (c & 0x00ff00ffu) + ((c >> 8) & 0x00ff00ffu);
    return (h & 0xffffu) + (h >> 16);
#endif
}

/* popcount(x[i] ^ w[i]) summed over i < n. */
static inline uint32_t swar_pop_run(const uint32_t *x, const uint32_t *w, int32_t n)
{
    uint32_t total = 0u;
    while (n > 0) {
        const int32_t m = n < SWAR_RUN ? n : SWAR_RUN;
        uint32_t c = 0u;
        int32_t i;
        for (i = 0; i < m; i++) c = swar_xpop(c, x[i], w[i]);
        total += swar_sum(c);
        x += m;
        w += m;
        n -= m;
    }
    return total;
}

#endif
