/*
 * Popcounts for cores without a popcount instruction (the "swar" ISA):
 * four byte counters in one 32-bit word (SIMD within a register). Shared by
 * the blocked instance (conv__swar.c), the direct PG conv (pgconv__swar.c),
 * the threshold conv (bconv_thr__swar.c) and the binary FCs
 * (../fc/bfc__swar.c). Not a public header.
 */
#ifndef FBNN_CONV_SWAR_H
#define FBNN_CONV_SWAR_H

#include "dispatch.h"

#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32
#include <arm_acle.h>
#endif

/* Words per byte-counter run: each word adds at most 8 to a byte, 31 * 8 = 248. */
#define SWAR_RUN 31

/* c + the popcounts of the four bytes of x ^ w, one per byte of c (about
 * eleven Thumb-2 instructions as gcc 12 emits them; an inline-assembly
 * version with the masks in registers measured slower on Cortex-M4, the
 * compiler rematerialising the masks). */
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

/* Bit-sliced addition (carry-save adder) of three words: *sum gets the bits
 * of weight 1, the result those of weight 2 (5 instructions for 3 words). */
static inline uint32_t swar_csa(uint32_t *sum, uint32_t a, uint32_t b, uint32_t c)
{
    const uint32_t u = a ^ b;
    *sum = u ^ c;
    return (a & b) | (u & c);
}

/* The byte popcounts of v (each byte 0..8), without accumulating. */
static inline uint32_t swar_bytes(uint32_t v) { return swar_xpop(0u, v, 0u); }

/* Byte counters of popcount(x ^ w) over a 3 x 3 block of words: x[0..2],
 * x[rs..rs+2], x[2rs..2rs+2] against w[0..2], w[ws..], w[2ws..]. A
 * carry-save adder tree (Harley-Seal) reduces the nine words to one word of
 * weight 1, two of weight 2 and one of weight 4, so only four words need the
 * SWAR popcount: about 65 instructions instead of 90 for nine separate
 * ones. Each byte of the result is at most 9 * 8 = 72. */
static inline uint32_t swar_hs9(const uint32_t *x, size_t rs, const uint32_t *w, size_t ws)
{
    uint32_t s1, s2, s3, c1, c2, c3, ones, twos_a, twos_b, fours;
    c1 = swar_csa(&s1, x[0] ^ w[0], x[1] ^ w[1], x[2] ^ w[2]);
    x += rs;
    w += ws;
    c2 = swar_csa(&s2, x[0] ^ w[0], x[1] ^ w[1], x[2] ^ w[2]);
    x += rs;
    w += ws;
    c3 = swar_csa(&s3, x[0] ^ w[0], x[1] ^ w[1], x[2] ^ w[2]);
    twos_b = swar_csa(&ones, s1, s2, s3);
    fours = swar_csa(&twos_a, c1, c2, c3);
    return swar_bytes(ones) + ((swar_bytes(twos_a) + swar_bytes(twos_b)) << 1) + (swar_bytes(fours) << 2);
}

/* The window of an output pixel whose k x k taps are all inside the map:
 * x0: the top-left tap's first word; rs: words per input row; nr = k * nw
 * words per window row (contiguous: the kx taps of a row are adjacent
 * pixels). 3 x 3: carry-save blocks of 3 x 3 words (swar_hs9); other k:
 * one byte-counter chain when k * nr <= SWAR_RUN words, else one per row. */
static inline uint32_t swar_window_pop_full(const uint32_t *x0, size_t rs, const uint32_t *wo, int32_t k,
                                            int32_t nr)
{
    uint32_t c = 0u, total = 0u;
    int32_t ky, i;
    if (k == 3 && nr == 3) {
        /* One word per tap (<= 32 channels): a plain unrolled chain; the
         * carry-save tree measured slower here on Cortex-M4. */
        for (ky = 0; ky < 3; ky++, x0 += rs, wo += 3)
            for (i = 0; i < 3; i++) c = swar_xpop(c, x0[i], wo[i]);
        return swar_sum(c);
    }
    if (k == 3) {
        /* nr = 3 * nw: 3 x 3 blocks of words at the same offset of each
         * window row; three blocks (<= 216 per byte) per byte-counter sum. */
        for (i = 0; i + 9 <= nr; i += 9)
            total += swar_sum(swar_hs9(x0 + i, rs, wo + i, (size_t)nr) + swar_hs9(x0 + i + 3, rs, wo + i + 3, (size_t)nr) +
                              swar_hs9(x0 + i + 6, rs, wo + i + 6, (size_t)nr));
        for (; i < nr; i += 3) total += swar_sum(swar_hs9(x0 + i, rs, wo + i, (size_t)nr));
        return total;
    }
    if (k * nr <= SWAR_RUN) {
        for (ky = 0; ky < k; ky++, x0 += rs, wo += nr)
            for (i = 0; i < nr; i++) c = swar_xpop(c, x0[i], wo[i]);
        return swar_sum(c);
    }
    for (ky = 0; ky < k; ky++, x0 += rs, wo += nr) total += swar_pop_run(x0, wo, nr);
    return total;
}

/* The window of an output pixel at the border: taps [ky_lo, ky_hi) x
 * [kx_lo, kx_hi) of the window whose top-left input pixel is (iy0, ix0);
 * x: the plane [in_h][in_w][nw], wo: one output channel's weights [k][k][nw]. */
static inline uint32_t swar_window_pop(const uint32_t *x, const uint32_t *wo, const fbnn_conv_params *p,
                                       int32_t nw, int32_t iy0, int32_t ky_lo, int32_t ky_hi, int32_t ix0,
                                       int32_t kx_lo, int32_t kx_hi)
{
    const int32_t n = (kx_hi - kx_lo) * nw;
    uint32_t pc = 0u;
    int32_t ky;
    for (ky = ky_lo; ky < ky_hi; ky++) {
        const uint32_t *xr = x + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) * (size_t)nw;
        const uint32_t *wr = wo + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw;
        pc += swar_pop_run(xr, wr, n);
    }
    return pc;
}

#endif
