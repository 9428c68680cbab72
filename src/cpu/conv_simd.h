/**
 * @file conv_simd.h
 * @brief The blocked direct binary / PG convolution, written once and
 * instantiated per ISA (conv__generic.c, conv__avx2.c, conv__avx512*.c,
 * conv__neon.c). Not a public header: include only from those files.
 *
 * Design (why it is fast on the tiny channel counts of FracBNN ResNets):
 *  - The vector lanes run over OUTPUT channels: one block of FBNN_SIMD_OB = 16
 *    output channels is SIMD_NV vectors of VL 32-bit lanes. For every input
 *    word of the window, the word is broadcast once and XORed with the 16
 *    weights of that (tap, word), so each loaded input word serves 16 output
 *    channels (register blocking), whatever in_c is (16 channels = 1 word).
 *  - Direct convolution over the pixel-major packed input: no im2col. Padded
 *    taps are simply not visited (the tap range of each output pixel), so
 *    borders cost nothing extra and need no zero-padded copy.
 *  - The weights of a block are repacked once per call into a stack buffer
 *    [tap][word][16 lanes] (zero lanes past out_c): at most
 *    FBNN_SIMD_MAX_WLEN * 16 words = 32 KiB, no heap, no change to the model.
 *    Layers whose k*k*words(in_c) exceeds FBNN_SIMD_MAX_WLEN (3x3 with more
 *    than 1820 input channels) take the plain per-channel loop below.
 *  - PG conv: the gate "fl(2*Sm / 3) > thr" is an exact integer compare
 *    2*Sm > G (fbnn_simd_gate_int), and each output is one fl(n / 3) of the
 *    selected integer n, so every output is exactly the reference's. Three
 *    ways to get Sm and Sl, cheapest first:
 *      * <= 16 input channels (split16_rows): msb | lsb << 16 against
 *        w | w << 16, both popcounts from one pass (16-bit halves of a lane);
 *      * windows of <= FLUSH_EVERY words (window2, window2_pair): both
 *        planes in one pass sharing the weight loads, two pixels at a time
 *        where the windows are interior;
 *      * otherwise the MSB pass, then the LSB pass only for blocks where the
 *        gate fires in some lane.
 *  - Binary conv, cheapest first: over thermometer (prefix-coded) input
 *    (prefix_rows), a per-block table of popcount((2^n - 1) ^ w) replaces
 *    the xor/popcount; <= 16 input channels (split16_rows), the words of
 *    two adjacent output pixels share a lane, x[i] | x[i + stride] << 16;
 *    windows of <= FLUSH_EVERY words, window2(_pair) over x and x shifted
 *    by one or two pixels gives 2 or 4 interior pixels per weight load.
 *  - Popcounts accumulate in 8-bit counters (vc) that are widened to 32 bits
 *    every FLUSH_EVERY steps (each step adds at most 8 per byte).
 *  - Results of a row chunk go to a [pixel][16] tile, then to the planar
 *    output; float math per lane is the reference's: (float)(2*Sm) / 3, and
 *    (float)(2*Sm + Sl) / 3 where the gate fires, compared with '>'.
 *
 * Stack: each path keeps its buffers in its own frame (FBNN_SIMD_NOINLINE,
 * frames side by side, not nested): the blocked path about 36 KiB (32 KiB
 * repacked weights), the <= 16-channel path about 38 KiB (two 16 KiB
 * nibble planes of input rows), the prefix-code stem about 46 KiB (33 KiB
 * u16 table, 8 KiB word codes). Threads need at least 64 KiB of stack.
 *
 * Every entry point takes an output row range [y0, y1) so that callers
 * (threads) can split one layer: rows outside the range are not written and
 * n_gated counts only the range.
 *
 * The including file defines: FBNN_SIMD_SUFFIX (name suffix), VL (u32 lanes
 * per vector), FLUSH_EVERY, the types vu (VL x u32/i32), vc (popcount
 * accumulator), vf (VL x float), vm (lane mask), and these inline functions:
 *   vu vu_zero(void); vu vu_load(const uint32_t *); vu vu_bcast(uint32_t);
 *   vu vu_add(vu, vu);  vu vu_conv_sum(vu pc, int32_t base) = base - 2*pc;
 *   vc vc_zero(void); vc vc_xpop(vc, vu x, vu w) = c + popcount(x ^ w);
 *   vu vu_flush(vu acc, vc c) = acc + per-lane sum of c;
 *   vf vf_from_vu(vu) (int32 -> float); vf vf_third(vu n) = (float)n / 3;
 *   void vf_store(float *, vf); unsigned vm_bits(vm) (bit j = lane j);
 *   vm vu_gt(vu, vu) (signed lanes); vu vu_select(vm, vu yes, vu no).
 * Without FBNN_SIMD_HAVE_ACC16 also: vu vu_load_u8(const uint8_t *) (VL
 *   bytes, zero-extended to the lanes); void vu_store_u8(uint8_t *, const
 *   vu *v) (the 16 lanes of v[0..SIMD_NV-1], each < 256, as 16 bytes).
 * Optionally FBNN_SIMD_HAVE_ACC16: type vh (16 u16 lanes), vh vh_zero(void),
 *   vh vh_add_load(vh, const uint16_t *), void vh_widen(vh, vu *),
 *   void vu_store_u16(uint16_t *, const vu *v).
 * Optionally FBNN_SIMD_HAVE_NIBBLES: vc vc_xpop_nib(vc, vu xl, vu xh, vu wl,
 *   vu wh) = c + popcount((xl ^ wl) | (xh ^ wh) << 4) on nibble-split operands.
 * Optionally FBNN_SIMD_HAVE_TILE_OUT and void vf_tile_out(const float *tile,
 *   int32_t tw, int32_t nb, float *out, size_t ohw): the transposition
 *   out[l*ohw + t] = tile[t*16 + l] for t < tw, l < nb.
 * Optionally FBNN_SIMD_HAVE_SPLIT16 and
 *   void vc_split16(vc, vu *lo, vu *hi) (byte sums of bytes 0-1 / 2-3 of a lane).
 */
#ifndef FBNN_CONV_SIMD_H
#define FBNN_CONV_SIMD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "dispatch.h"

#define FBNN_SIMD_OB 16
#define FBNN_SIMD_TW 32
#define FBNN_SIMD_MAX_WLEN 512
/* Words of input rows a band buffer holds (the one-pass PG and prefix-code paths). */
#define FBNN_SIMD_COMB_WORDS 4096

#if defined(__GNUC__) || defined(__clang__)
#define FBNN_SIMD_ALIGN __attribute__((aligned(64)))
/* The window sum must be inlined into the pixel loop (vectors stay in registers). */
#define FBNN_SIMD_INLINE inline __attribute__((always_inline))
/* Paths with big stack buffers get frames of their own, side by side
 * rather than nested (thread stacks may be small). */
#define FBNN_SIMD_NOINLINE __attribute__((noinline))
#else
#define FBNN_SIMD_NOINLINE
#define FBNN_SIMD_ALIGN
#define FBNN_SIMD_INLINE inline
#endif

/*
 * The gate as an integer compare. fl(n / 3) (fbnn_r_third) is monotonic
 * non-decreasing in the integer n, so "fl(n / 3) > thr" holds exactly for
 * n > G, where G is the largest n in [-lim - 1, lim] for which it does not
 * hold (G = lim: never fires in range; G = -lim - 1: always fires). The
 * kernels compare 2*Sm > G (|2*Sm| <= lim) instead of dividing first; NaN
 * thresholds never fire, as with '>'. G is found from floor(3*thr) and
 * then checked and moved with fbnn_r_third itself, so it is exact whatever
 * the rounding of the estimate.
 */
static inline int32_t fbnn_simd_gate_int(fbnn_real thr, int32_t lim)
{
    double e = (double)thr * 3.0;
    int32_t g;
    if (!(thr == thr)) return lim; /* NaN: '>' is always false */
    if (e > (double)lim) e = (double)lim;
    if (e < (double)(-lim - 1)) e = (double)(-lim - 1);
    g = (int32_t)floor(e);
    while (g < lim && !fbnn_r_gt(fbnn_r_third(g + 1), thr)) g++;
    while (g > -lim - 1 && fbnn_r_gt(fbnn_r_third(g), thr)) g--;
    return g;
}

/* Output rows per band for the band-buffer paths: their input rows, of
 * row_words words each, must fit FBNN_SIMD_COMB_WORDS; 0 if not even one
 * output row fits (the caller then takes another path). */
static inline int32_t fbnn_simd_band_rows(const fbnn_conv_params *p, size_t row_words)
{
    if ((int64_t)p->k * (int64_t)row_words > FBNN_SIMD_COMB_WORDS) return 0;
    return ((int32_t)(FBNN_SIMD_COMB_WORDS / row_words) - p->k) / p->stride + 1;
}

/* The input rows [*lo, *hi) that output rows [b0, b1) read. */
static inline void fbnn_simd_input_rows(const fbnn_conv_params *p, int32_t b0, int32_t b1, int32_t *lo, int32_t *hi)
{
    const int32_t end = (b1 - 1) * p->stride - p->pad + p->k;
    *lo = b0 * p->stride - p->pad < 0 ? 0 : b0 * p->stride - p->pad;
    *hi = end > p->in_h ? p->in_h : end;
}

#endif /* FBNN_CONV_SIMD_H */

#define SIMD_CAT2(a, b) a##__##b
#define SIMD_CAT(a, b) SIMD_CAT2(a, b)
#define SIMD_FN(n) SIMD_CAT(n, FBNN_SIMD_SUFFIX)
#define SIMD_NV (FBNN_SIMD_OB / VL)

/* Repack the weights of output channels o0 .. o0+nb-1 to [t][16 lanes],
 * t = tap*nw + word, lanes >= nb zero. */
static void SIMD_FN(repack)(const uint32_t *w, int32_t wlen, int32_t o0, int32_t nb, uint32_t *wb)
{
    int32_t l, t;
    for (l = 0; l < FBNN_SIMD_OB; l++) {
        if (l < nb) {
            const uint32_t *src = w + (size_t)(o0 + l) * (size_t)wlen;
            for (t = 0; t < wlen; t++) wb[(size_t)t * FBNN_SIMD_OB + (size_t)l] = src[t];
        } else {
            for (t = 0; t < wlen; t++) wb[(size_t)t * FBNN_SIMD_OB + (size_t)l] = 0u;
        }
    }
}

/* Tile [t][16 lanes] (t < tw, lanes < nb) to the planar output: out[l*ohw + t]. */
static FBNN_SIMD_INLINE void SIMD_FN(tile_out)(const float *tile, int32_t tw, int32_t nb, fbnn_real *out, size_t ohw)
{
#ifdef FBNN_SIMD_HAVE_TILE_OUT
    vf_tile_out(tile, tw, nb, out, ohw);
#else
    int32_t l, t;
    for (l = 0; l < nb; l++)
        for (t = 0; t < tw; t++) out[(size_t)l * ohw + (size_t)t] = tile[(size_t)t * FBNN_SIMD_OB + (size_t)l];
#endif
}

/* Popcounts of (x ^ w) over the in-bounds window of one output pixel, for the
 * 16 channels of the block: pc[j] lanes = channels j*VL .. j*VL+VL-1. */
static FBNN_SIMD_INLINE void SIMD_FN(window)(const uint32_t *x, const uint32_t *wb, const fbnn_conv_params *p,
                                   int32_t nw, int32_t iy0, int32_t ky_lo, int32_t ky_hi, int32_t ix0,
                                   int32_t kx_lo, int32_t kx_hi, vu *pc)
{
    vc c[SIMD_NV];
    int32_t ky, kx, i, j, steps = 0;
    for (j = 0; j < SIMD_NV; j++) {
        pc[j] = vu_zero();
        c[j] = vc_zero();
    }
    if (nw == 1 && p->k == 3 && ky_hi - ky_lo == 3 && kx_hi - kx_lo == 3) {
        /* Interior pixel of a 3x3 conv with up to 32 channels (most of the
         * work in ResNet-20-style nets): constant trip counts, fully unrolled. */
        const uint32_t *xr = x + (size_t)iy0 * (size_t)p->in_w + (size_t)ix0;
        for (ky = 0; ky < 3; ky++) {
            for (kx = 0; kx < 3; kx++) {
                const vu xb = vu_bcast(xr[kx]);
                for (j = 0; j < SIMD_NV; j++)
                    c[j] = vc_xpop(c[j], xb, vu_load(wb + (size_t)(ky * 3 + kx) * FBNN_SIMD_OB + (size_t)j * VL));
            }
            xr += p->in_w;
        }
        for (j = 0; j < SIMD_NV; j++) pc[j] = vu_flush(pc[j], c[j]);
        return;
    }
    if (nw == 1 && p->k * p->k <= FLUSH_EVERY) {
        /* Up to 32 channels (the common small-channel case): one word per
         * tap and no counter overflow possible, so no inner loops. */
        for (ky = ky_lo; ky < ky_hi; ky++) {
            /* Based at the first valid tap: ix0 < 0 at a padded border, and
             * x + (size_t)ix0 would be pointer overflow (UB, UBSan reports it). */
            const uint32_t *xr = x + (size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo);
            const uint32_t *wr = wb + (size_t)ky * (size_t)p->k * FBNN_SIMD_OB;
            for (kx = kx_lo; kx < kx_hi; kx++) {
                const vu xb = vu_bcast(xr[kx - kx_lo]);
                for (j = 0; j < SIMD_NV; j++)
                    c[j] = vc_xpop(c[j], xb, vu_load(wr + (size_t)kx * FBNN_SIMD_OB + (size_t)j * VL));
            }
        }
        for (j = 0; j < SIMD_NV; j++) pc[j] = vu_flush(pc[j], c[j]);
        return;
    }
    if (nw * p->k * p->k <= FLUSH_EVERY) {
        for (ky = ky_lo; ky < ky_hi; ky++) {
            const uint32_t *xr = x + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) * (size_t)nw;
            const uint32_t *wr = wb + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw * FBNN_SIMD_OB;
            const int32_t n = (kx_hi - kx_lo) * nw;
            for (i = 0; i < n; i++) {
                const vu xb = vu_bcast(xr[i]);
                for (j = 0; j < SIMD_NV; j++)
                    c[j] = vc_xpop(c[j], xb, vu_load(wr + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL));
            }
        }
        for (j = 0; j < SIMD_NV; j++) pc[j] = vu_flush(pc[j], c[j]);
        return;
    }
    for (ky = ky_lo; ky < ky_hi; ky++) {
        const uint32_t *xr = x + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) * (size_t)nw;
        const uint32_t *wr = wb + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw * FBNN_SIMD_OB;
        for (kx = kx_lo; kx < kx_hi; kx++) {
            for (i = 0; i < nw; i++) {
                const vu xb = vu_bcast(xr[i]);
                for (j = 0; j < SIMD_NV; j++) c[j] = vc_xpop(c[j], xb, vu_load(wr + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL));
                if (++steps == FLUSH_EVERY) {
                    for (j = 0; j < SIMD_NV; j++) {
                        pc[j] = vu_flush(pc[j], c[j]);
                        c[j] = vc_zero();
                    }
                    steps = 0;
                }
            }
            xr += nw;
            wr += (size_t)nw * FBNN_SIMD_OB;
        }
    }
    for (j = 0; j < SIMD_NV; j++) pc[j] = vu_flush(pc[j], c[j]);
}

/* Both bit planes of a PG conv over one window at once, for layers whose
 * window has at most FLUSH_EVERY words (no counter flush inside): each
 * weight vector is loaded once for the two planes, and the two counter
 * chains are independent. Used where the block's gate almost always fires
 * somewhere (the two-pass path would run the LSB window anyway). */
static FBNN_SIMD_INLINE void SIMD_FN(window2)(const uint32_t *xm, const uint32_t *xl, const uint32_t *wb,
                                              const fbnn_conv_params *p, int32_t nw, int32_t iy0, int32_t ky_lo,
                                              int32_t ky_hi, int32_t ix0, int32_t kx_lo, int32_t kx_hi, vu *pm,
                                              vu *pl)
{
    vc cm[SIMD_NV], cl[SIMD_NV];
    int32_t ky, i, j;
    for (j = 0; j < SIMD_NV; j++) {
        cm[j] = vc_zero();
        cl[j] = vc_zero();
    }
    for (ky = ky_lo; ky < ky_hi; ky++) {
        const size_t xo = ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) * (size_t)nw;
        const uint32_t *rm = xm + xo, *rl = xl + xo;
        const uint32_t *wr = wb + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw * FBNN_SIMD_OB;
        const int32_t n = (kx_hi - kx_lo) * nw;
        for (i = 0; i < n; i++) {
            const vu bm = vu_bcast(rm[i]), bl = vu_bcast(rl[i]);
            for (j = 0; j < SIMD_NV; j++) {
                const vu w = vu_load(wr + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL);
                cm[j] = vc_xpop(cm[j], bm, w);
                cl[j] = vc_xpop(cl[j], bl, w);
            }
        }
    }
    for (j = 0; j < SIMD_NV; j++) {
        pm[j] = vu_flush(vu_zero(), cm[j]);
        pl[j] = vu_flush(vu_zero(), cl[j]);
    }
}

/* window2 for two horizontally adjacent pixels whose k x k windows are
 * fully inside the map (xo: the first one's top-left word, the second one
 * `step` = stride * nw words right): four independent counter chains per
 * weight vector load. */
static FBNN_SIMD_INLINE void SIMD_FN(window2_pair)(const uint32_t *xm, const uint32_t *xl, const uint32_t *wb,
                                                   const fbnn_conv_params *p, int32_t nw, size_t xo, int32_t step,
                                                   vu *pm0, vu *pl0, vu *pm1, vu *pl1)
{
    vc cm0[SIMD_NV], cl0[SIMD_NV], cm1[SIMD_NV], cl1[SIMD_NV];
    const int32_t n = p->k * nw;
    int32_t ky, i, j;
    for (j = 0; j < SIMD_NV; j++) cm0[j] = cl0[j] = cm1[j] = cl1[j] = vc_zero();
    for (ky = 0; ky < p->k; ky++) {
        const uint32_t *rm = xm + xo, *rl = xl + xo;
        const uint32_t *wr = wb + (size_t)ky * (size_t)n * FBNN_SIMD_OB;
        for (i = 0; i < n; i++) {
            const vu bm0 = vu_bcast(rm[i]), bl0 = vu_bcast(rl[i]);
            const vu bm1 = vu_bcast(rm[i + step]), bl1 = vu_bcast(rl[i + step]);
            for (j = 0; j < SIMD_NV; j++) {
                const vu w = vu_load(wr + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL);
                cm0[j] = vc_xpop(cm0[j], bm0, w);
                cl0[j] = vc_xpop(cl0[j], bl0, w);
                cm1[j] = vc_xpop(cm1[j], bm1, w);
                cl1[j] = vc_xpop(cl1[j], bl1, w);
            }
        }
        xo += (size_t)p->in_w * (size_t)nw;
    }
    for (j = 0; j < SIMD_NV; j++) {
        pm0[j] = vu_flush(vu_zero(), cm0[j]);
        pl0[j] = vu_flush(vu_zero(), cl0[j]);
        pm1[j] = vu_flush(vu_zero(), cm1[j]);
        pl1[j] = vu_flush(vu_zero(), cl1[j]);
    }
}

/* Plain per-channel loop (exactly the reference's arithmetic) for layers whose
 * repacked block would not fit the stack buffer. */
static int SIMD_FN(conv_rows_plain)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                    const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                    fbnn_real *out, uint32_t *n_gated)
{
    const int32_t nw = FBNN_WORDS(p->in_c), kk = p->k * p->k;
    int32_t o, oy, ox, ky, kx, i;
    uint32_t gated = 0u;
    for (o = 0; o < p->out_c; o++) {
        const uint32_t *wo = weights + (size_t)o * (size_t)kk * (size_t)nw;
        for (oy = y0; oy < y1; oy++) {
            int32_t iy0 = oy * p->stride - p->pad, ky_lo, ky_hi;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ox++) {
                int32_t ix0 = ox * p->stride - p->pad, kx_lo, kx_hi, base, sm;
                uint32_t pm = 0u, pl = 0u;
                fbnn_real y;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                for (ky = ky_lo; ky < ky_hi; ky++)
                    for (kx = kx_lo; kx < kx_hi; kx++) {
                        size_t xo = ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx)) * (size_t)nw;
                        const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
                        for (i = 0; i < nw; i++) pm += fbnn_popcount32(msb[xo + (size_t)i] ^ wp[i]);
                    }
                sm = base - 2 * (int32_t)pm;
                if (lsb == NULL) {
                    y = fbnn_r_from_s32(sm);
                } else {
                    y = fbnn_r_third(2 * sm);
                    if (fbnn_r_gt(y, thr[o])) {
                        for (ky = ky_lo; ky < ky_hi; ky++)
                            for (kx = kx_lo; kx < kx_hi; kx++) {
                                size_t xo = ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx)) *
                                            (size_t)nw;
                                const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx) * (size_t)nw;
                                for (i = 0; i < nw; i++) pl += fbnn_popcount32(lsb[xo + (size_t)i] ^ wp[i]);
                            }
                        y = fbnn_r_third(2 * sm + (base - 2 * (int32_t)pl));
                        ++gated;
                    }
                }
                out[((size_t)o * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox] = y;
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return FBNN_K_OK;
}

/* The PG output of one pixel from its two popcounts (n = 2*Sm, or 2*Sm + Sl
 * where the gate fires; then one fl(n / 3) per lane, the reference's value
 * either way); returns the lanes where the gate fired. */
static FBNN_SIMD_INLINE unsigned SIMD_FN(pg_out)(const vu *pm, const vu *pl, int32_t base, const vu *gv, float *dst)
{
    unsigned bits = 0u;
    int32_t j;
    for (j = 0; j < SIMD_NV; j++) {
        const vu sm = vu_conv_sum(pm[j], base), s2 = vu_add(sm, sm);
        const vm m = vu_gt(s2, gv[j]);
        bits |= vm_bits(m) << (j * VL);
        vf_store(dst + j * VL, vf_third(vu_select(m, vu_add(s2, vu_conv_sum(pl[j], base)), s2)));
    }
    return bits;
}

/* Binary conv outputs base - 2*pc of one pixel into its tile row. */
static FBNN_SIMD_INLINE void SIMD_FN(bin_out)(const vu *pc, int32_t base, float *dst)
{
    int32_t j;
    for (j = 0; j < SIMD_NV; j++) vf_store(dst + j * VL, vf_from_vu(vu_conv_sum(pc[j], base)));
}

/* The integer gates of output channels o0 .. o0+nb-1 into SIMD_NV vectors
 * (lanes past out_c never fire). */
static FBNN_SIMD_INLINE void SIMD_FN(load_gates)(const fbnn_real *thr, int32_t o0, int32_t nb, int32_t lim, vu *gv)
{
    FBNN_SIMD_ALIGN int32_t gl[FBNN_SIMD_OB];
    int32_t j;
    for (j = 0; j < FBNN_SIMD_OB; j++) gl[j] = j < nb ? fbnn_simd_gate_int(thr[o0 + j], lim) : lim;
    for (j = 0; j < SIMD_NV; j++) gv[j] = vu_load((const uint32_t *)gl + j * VL);
}

#ifdef FBNN_SIMD_HAVE_SPLIT16
/* ---------------------------------------------------------------------------
 * Convs with at most 16 input channels: two 16-bit words in ONE lane.
 * The channels fill only bits 0..15 of each word, so two words can share a
 * 32-bit lane and be matched against w | w << 16: one xor + popcount gives
 * the popcount of the low word in bytes 0-1 and of the high word in bytes
 * 2-3 of each lane (vc_split16 separates them). Which two words:
 *  - PG conv: msb | lsb << 16 of the same pixel, both bit planes in one
 *    pass (the 16-channel layers of CIFAR ResNets are where the LSB pass
 *    almost always fired for some lane of a block);
 *  - binary conv: x[i] | x[i + stride] << 16, the same tap of two
 *    horizontally adjacent output pixels, so every window gives two output
 *    pixels (pairs whose tap ranges differ at a border, and the last pixel
 *    of an odd row, use only the low halves).
 * That is exactly the reference's popcounts when bits 16..31 of the input
 * and weight words are zero (checked; otherwise the general path runs), at
 * the cost of one 16-bit word per lane before. Byte counters take
 * k*k <= FLUSH_EVERY taps.
 * -------------------------------------------------------------------------*/

/* Input words of this path may be stored pre-split into nibble planes
 * (FBNN_SIMD_HAVE_NIBBLES: instances whose popcount is a nibble lookup).
 * Since (x ^ w) & m = (x & m) ^ (w & m), with x and w split once into
 * low nibbles (x & 0x0f0f0f0f) and high nibbles ((x >> 4) & 0x0f0f0f0f), a
 * lookup needs only an xor per nibble plane: 6 vector ops per popcount
 * instead of 8. The split input sits in a second plane FBNN_SIMD_COMB_WORDS
 * words after the first; the split weights PG16_WHALF words apart. */
#define PG16_WHALF (31 * FBNN_SIMD_OB)
#ifdef FBNN_SIMD_HAVE_NIBBLES
#define PG16_PLANES 2
typedef struct {
    vu lo, hi;
} SIMD_FN(xbc);
static FBNN_SIMD_INLINE SIMD_FN(xbc) SIMD_FN(xb_load)(const uint32_t *x)
{
    SIMD_FN(xbc) r;
    r.lo = vu_bcast(x[0]);
    r.hi = vu_bcast(x[FBNN_SIMD_COMB_WORDS]);
    return r;
}
static FBNN_SIMD_INLINE vc SIMD_FN(xb_pop)(vc c, SIMD_FN(xbc) x, const uint32_t *w)
{
    return vc_xpop_nib(c, x.lo, x.hi, vu_load(w), vu_load(w + PG16_WHALF));
}
#else
#define PG16_PLANES 1
typedef vu SIMD_FN(xbc);
static FBNN_SIMD_INLINE SIMD_FN(xbc) SIMD_FN(xb_load)(const uint32_t *x) { return vu_bcast(x[0]); }
static FBNN_SIMD_INLINE vc SIMD_FN(xb_pop)(vc c, SIMD_FN(xbc) x, const uint32_t *w) { return vc_xpop(c, x, vu_load(w)); }
#endif

static FBNN_SIMD_INLINE void SIMD_FN(window_split)(const uint32_t *x, const uint32_t *wb, int32_t k, int32_t in_w,
                                                   int32_t iy0, int32_t ky_lo, int32_t ky_hi, int32_t ix0,
                                                   int32_t kx_lo, int32_t kx_hi, vu *pm, vu *pl)
{
    vc c[SIMD_NV];
    int32_t ky, kx, j;
    for (j = 0; j < SIMD_NV; j++) c[j] = vc_zero();
    if (k == 3 && ky_hi - ky_lo == 3 && kx_hi - kx_lo == 3) {
        const uint32_t *xr = x + (size_t)iy0 * (size_t)in_w + (size_t)ix0;
        for (ky = 0; ky < 3; ky++) {
            for (kx = 0; kx < 3; kx++) {
                const SIMD_FN(xbc) xb = SIMD_FN(xb_load)(xr + kx);
                for (j = 0; j < SIMD_NV; j++)
                    c[j] = SIMD_FN(xb_pop)(c[j], xb, wb + (size_t)(ky * 3 + kx) * FBNN_SIMD_OB + (size_t)j * VL);
            }
            xr += in_w;
        }
    } else {
        for (ky = ky_lo; ky < ky_hi; ky++) {
            const uint32_t *xr = x + (size_t)(iy0 + ky) * (size_t)in_w + (size_t)(ix0 + kx_lo);
            const uint32_t *wr = wb + (size_t)ky * (size_t)k * FBNN_SIMD_OB;
            for (kx = kx_lo; kx < kx_hi; kx++) {
                const SIMD_FN(xbc) xb = SIMD_FN(xb_load)(xr + (kx - kx_lo));
                for (j = 0; j < SIMD_NV; j++)
                    c[j] = SIMD_FN(xb_pop)(c[j], xb, wr + (size_t)kx * FBNN_SIMD_OB + (size_t)j * VL);
            }
        }
    }
    for (j = 0; j < SIMD_NV; j++) vc_split16(c[j], &pm[j], &pl[j]);
}

/* Two horizontally adjacent interior pixels of a 3x3 window at once (xr at
 * the first one's top-left input word, the second `stride` words right):
 * each weight vector serves both, and two independent counter chains keep
 * the vector units busy. */
static FBNN_SIMD_INLINE void SIMD_FN(window_split_pair3)(const uint32_t *xr, int32_t in_w, int32_t stride,
                                                         const uint32_t *wb, vu *pm0, vu *pl0, vu *pm1, vu *pl1)
{
    vc c0[SIMD_NV], c1[SIMD_NV];
    int32_t ky, kx, j;
    for (j = 0; j < SIMD_NV; j++) c0[j] = c1[j] = vc_zero();
    for (ky = 0; ky < 3; ky++) {
        for (kx = 0; kx < 3; kx++) {
            const SIMD_FN(xbc) xa = SIMD_FN(xb_load)(xr + kx), xb = SIMD_FN(xb_load)(xr + kx + stride);
            for (j = 0; j < SIMD_NV; j++) {
                const uint32_t *w = wb + (size_t)(ky * 3 + kx) * FBNN_SIMD_OB + (size_t)j * VL;
                c0[j] = SIMD_FN(xb_pop)(c0[j], xa, w);
                c1[j] = SIMD_FN(xb_pop)(c1[j], xb, w);
            }
        }
        xr += in_w;
    }
    for (j = 0; j < SIMD_NV; j++) {
        vc_split16(c0[j], &pm0[j], &pl0[j]);
        vc_split16(c1[j], &pm1[j], &pl1[j]);
    }
}

/* One output row chunk [ox0, ox0 + tw) of a binary conv from the pixel-pair
 * words comb (lane = x[i] | x[i + stride] << 16, rows from r_lo). */
static FBNN_SIMD_INLINE void SIMD_FN(split16_bin_chunk)(const uint32_t *comb, const uint32_t *wb,
                                                        const fbnn_conv_params *p, int32_t iy0, int32_t r_lo,
                                                        int32_t ky_lo, int32_t ky_hi, int32_t ox0, int32_t tw,
                                                        float *tile)
{
    const int full_rows = p->k == 3 && ky_hi - ky_lo == 3;
    int32_t t;
    for (t = 0; t < tw; t++) {
        const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
        int32_t kx_lo, kx_hi, kx_lo1, kx_hi1, base;
        vu p0[SIMD_NV], p1[SIMD_NV];
        float *dst = tile + (size_t)t * FBNN_SIMD_OB;
        if (full_rows && t + 3 < tw && ix0 >= 0 && ix0 + 3 * p->stride + 3 <= p->in_w) {
            /* Four interior pixels: pairs (t, t+1) and (t+2, t+3). */
            vu p2[SIMD_NV], p3[SIMD_NV];
            const int32_t base9 = 9 * p->in_c;
            SIMD_FN(window_split_pair3)(comb + (size_t)(iy0 - r_lo) * (size_t)p->in_w + (size_t)ix0, p->in_w,
                                        2 * p->stride, wb, p0, p1, p2, p3);
            SIMD_FN(bin_out)(p0, base9, dst);
            SIMD_FN(bin_out)(p1, base9, dst + FBNN_SIMD_OB);
            SIMD_FN(bin_out)(p2, base9, dst + 2 * FBNN_SIMD_OB);
            SIMD_FN(bin_out)(p3, base9, dst + 3 * FBNN_SIMD_OB);
            t += 3;
            continue;
        }
        fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
        base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
        SIMD_FN(window_split)(comb, wb, p->k, p->in_w, iy0 - r_lo, ky_lo, ky_hi, ix0, kx_lo, kx_hi, p0, p1);
        SIMD_FN(bin_out)(p0, base, dst);
        if (t + 1 < tw) {
            /* The high halves hold pixel t+1's taps where its tap range is t's. */
            fbnn_tap_range(ix0 + p->stride, p->k, p->in_w, &kx_lo1, &kx_hi1);
            if (kx_lo1 == kx_lo && kx_hi1 == kx_hi) {
                SIMD_FN(bin_out)(p1, base, dst + FBNN_SIMD_OB);
                t++;
            }
        }
    }
}

/* Returns 1 if it computed rows [y0, y1), 0 if this layer needs the general
 * path (more than 16 channels, a big kernel, a too wide map, or nonzero
 * bits above bit 15 in the input or weight words). lsb == NULL: binary
 * conv (pixel pairs), otherwise PG conv (both planes). */
static FBNN_SIMD_NOINLINE int SIMD_FN(split16_rows)(const uint32_t *msb, const uint32_t *lsb,
                                                    const uint32_t *weights, const fbnn_real *thr,
                                                    const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                                    fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t comb[PG16_PLANES * FBNN_SIMD_COMB_WORDS];
    FBNN_SIMD_ALIGN uint32_t wb[PG16_PLANES * PG16_WHALF];
    FBNN_SIMD_ALIGN float tile[FBNN_SIMD_TW * FBNN_SIMD_OB];
    /* lim >= |2*Sm| even with set padding bits (0..15 may be, pm <= 16*kk). */
    const int32_t kk = p->k * p->k, lim = 64 * kk;
    const size_t ohw = (size_t)p->out_h * (size_t)p->out_w;
    int32_t band, b0, o0, l, t;
    uint32_t gated = 0u, high = 0u;
    vu gv[SIMD_NV];

    if (p->in_c > 16 || kk > FLUSH_EVERY || kk > 31 || y0 >= y1) return 0;
    if ((band = fbnn_simd_band_rows(p, (size_t)p->in_w)) < 1) return 0;
    for (l = 0; l < SIMD_NV; l++) gv[l] = vu_zero(); /* binary conv: no gates */
    for (o0 = 0; o0 < p->out_c; o0++) {
        const uint32_t *wo = weights + (size_t)o0 * (size_t)kk;
        for (t = 0; t < kk; t++) high |= wo[t] >> 16;
    }
    if (high != 0u) return 0;

    for (b0 = y0; b0 < y1; b0 += band) {
        const int32_t b1 = y1 - b0 < band ? y1 : b0 + band;
        int32_t r_lo, r_hi, r, c;
        size_t i = 0;
        fbnn_simd_input_rows(p, b0, b1, &r_lo, &r_hi);
        for (r = r_lo; r < r_hi; r++) {
            const uint32_t *xr = msb + (size_t)r * (size_t)p->in_w;
            for (c = 0; c < p->in_w; c++, i++) {
                /* The high word: this pixel's LSB word (PG), or the word
                 * `stride` pixels right in the same row (binary; 0 past the
                 * row end, never used there). */
                const uint32_t m = xr[c],
                               s = lsb != NULL ? lsb[(size_t)r * (size_t)p->in_w + (size_t)c]
                                   : c + p->stride < p->in_w ? xr[c + p->stride] : 0u;
                high |= (m | s) >> 16;
#ifdef FBNN_SIMD_HAVE_NIBBLES
                comb[i] = (m | s << 16) & 0x0f0f0f0fu;
                comb[FBNN_SIMD_COMB_WORDS + i] = ((m | s << 16) >> 4) & 0x0f0f0f0fu;
#else
                comb[i] = m | s << 16;
#endif
            }
        }
        if (high != 0u) {
            /* Rows of earlier bands may be written already: recomputing
             * them in the general path gives the same values. */
            return 0;
        }
        for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
            const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
            int32_t oy;
            for (l = 0; l < FBNN_SIMD_OB; l++) {
                const uint32_t *src = weights + (size_t)(o0 + l) * (size_t)kk;
                for (t = 0; t < kk; t++) {
                    const uint32_t w2 = l < nb ? (src[t] | src[t] << 16) : 0u;
#ifdef FBNN_SIMD_HAVE_NIBBLES
                    wb[(size_t)t * FBNN_SIMD_OB + (size_t)l] = w2 & 0x0f0f0f0fu;
                    wb[PG16_WHALF + (size_t)t * FBNN_SIMD_OB + (size_t)l] = (w2 >> 4) & 0x0f0f0f0fu;
#else
                    wb[(size_t)t * FBNN_SIMD_OB + (size_t)l] = w2;
#endif
                }
            }
            if (lsb != NULL) SIMD_FN(load_gates)(thr, o0, nb, lim, gv);
            for (oy = b0; oy < b1; oy++) {
                const int32_t iy0 = oy * p->stride - p->pad;
                int32_t ky_lo, ky_hi, ox0;
                fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                for (ox0 = 0; ox0 < p->out_w; ox0 += FBNN_SIMD_TW) {
                    const int32_t tw = p->out_w - ox0 < FBNN_SIMD_TW ? p->out_w - ox0 : FBNN_SIMD_TW;
                    const int full_rows = p->k == 3 && ky_hi - ky_lo == 3;
                    if (lsb == NULL) {
                        SIMD_FN(split16_bin_chunk)(comb, wb, p, iy0, r_lo, ky_lo, ky_hi, ox0, tw, tile);
                        SIMD_FN(tile_out)(tile, tw, nb, out + (size_t)o0 * ohw + (size_t)oy * (size_t)p->out_w + (size_t)ox0, ohw);
                        continue;
                    }
                    for (t = 0; t < tw; t++) {
                        const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
                        int32_t kx_lo, kx_hi, base;
                        vu pm[SIMD_NV], pl[SIMD_NV];
                        float *dst = tile + (size_t)t * FBNN_SIMD_OB;
                        if (full_rows && t + 1 < tw && ix0 >= 0 && ix0 + p->stride + 3 <= p->in_w) {
                            vu pm1[SIMD_NV], pl1[SIMD_NV];
                            const int32_t base9 = 9 * p->in_c;
                            SIMD_FN(window_split_pair3)(comb + (size_t)(iy0 - r_lo) * (size_t)p->in_w + (size_t)ix0,
                                                        p->in_w, p->stride, wb, pm, pl, pm1, pl1);
                            gated += fbnn_popcount32(SIMD_FN(pg_out)(pm, pl, base9, gv, dst));
                            gated += fbnn_popcount32(SIMD_FN(pg_out)(pm1, pl1, base9, gv, dst + FBNN_SIMD_OB));
                            t++;
                            continue;
                        }
                        fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                        base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                        SIMD_FN(window_split)(comb, wb, p->k, p->in_w, iy0 - r_lo, ky_lo, ky_hi, ix0, kx_lo, kx_hi,
                                              pm, pl);
                        gated += fbnn_popcount32(SIMD_FN(pg_out)(pm, pl, base, gv, dst));
                    }
                    SIMD_FN(tile_out)(tile, tw, nb, out + (size_t)o0 * ohw + (size_t)oy * (size_t)p->out_w + (size_t)ox0, ohw);
                }
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return 1;
}
#endif /* FBNN_SIMD_HAVE_SPLIT16 */

/* ---------------------------------------------------------------------------
 * Binary conv over PREFIX-CODED input words (the thermometer stem).
 * A thermometer code is a word of the form 2^n - 1 (n = 0..32 leading ones
 * from bit 0). For such an x, popcount(x ^ w) depends only on n and w, so a
 * table D[t][n][lane] = popcount((2^n - 1) ^ w[lane][t]) (values 0..32, one
 * byte) built once per block replaces the xor/popcount of every tap by one
 * table row load: the stem of a CIFAR net reads 3 words per pixel and tap,
 * each turned into n by a trailing-ones count. Exact for any input whose
 * words all have that form (checked over the rows used; otherwise the
 * blocked path runs), padding bits included: the table counts whole words
 * as the reference does. Rows are taken in bands whose input words fit
 * FBNN_SIMD_COMB_WORDS (each word's n computed once, used k*k times).
 * -------------------------------------------------------------------------*/
#define FBNN_SIMD_PREFIX_MAX_T 32 /* taps x words per block: table <= 16.5 KiB (33 KiB as u16) */
/* Table entries: u16 where the instance accumulates 16 lanes of u16 in one
 * vector (FBNN_SIMD_HAVE_ACC16: one add per tap and word, sums <= 32*32),
 * else bytes widened to the u32 lanes. */
#ifdef FBNN_SIMD_HAVE_ACC16
typedef uint16_t SIMD_FN(pfx_t);
#define PFX_STORE vu_store_u16
#else
typedef uint8_t SIMD_FN(pfx_t);
#define PFX_STORE vu_store_u8
#endif

static inline uint32_t SIMD_FN(trailing_ones)(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return x == ~0u ? 32u : (uint32_t)__builtin_ctz(~x);
#else
    uint32_t n = 0u;
    while (n < 32u && (x >> n & 1u)) n++;
    return n;
#endif
}

#ifdef FBNN_SIMD_HAVE_ACC16
/* acc + the table rows of cnt consecutive (tap, word) entries of one kernel row. */
static FBNN_SIMD_INLINE vh SIMD_FN(pfx_row)(vh acc, const uint16_t *dr, const uint16_t *cr, int32_t cnt)
{
    int32_t q;
    for (q = 0; q < cnt; q++) acc = vh_add_load(acc, dr + (size_t)q * 33u * FBNN_SIMD_OB + cr[q]);
    return acc;
}
#endif

/* Returns 1 if it computed rows [y0, y1), 0 if the layer or input does not
 * qualify (nothing written then). */
static FBNN_SIMD_NOINLINE int SIMD_FN(prefix_rows)(const uint32_t *in, const uint32_t *weights,
                                                   const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                                   fbnn_real *out)
{
    FBNN_SIMD_ALIGN SIMD_FN(pfx_t) d[FBNN_SIMD_PREFIX_MAX_T * 33 * FBNN_SIMD_OB];
    FBNN_SIMD_ALIGN uint32_t wb[FBNN_SIMD_PREFIX_MAX_T * FBNN_SIMD_OB];
    /* n of every input word of a band of rows, as a table row offset n*16. */
    FBNN_SIMD_ALIGN uint16_t code[FBNN_SIMD_COMB_WORDS];
    FBNN_SIMD_ALIGN float tile[FBNN_SIMD_TW * FBNN_SIMD_OB];
    const int32_t nw = FBNN_WORDS(p->in_c), kk = p->k * p->k, wlen = kk * nw;
    const size_t ohw = (size_t)p->out_h * (size_t)p->out_w, row_words = (size_t)p->in_w * (size_t)nw;
    int32_t band, b0, o0, t, j, n;

    if (wlen > FBNN_SIMD_PREFIX_MAX_T || y0 >= y1) return 0;
    if ((band = fbnn_simd_band_rows(p, row_words)) < 1) return 0;

    for (b0 = y0; b0 < y1; b0 += band) {
        const int32_t b1 = y1 - b0 < band ? y1 : b0 + band;
        int32_t r_lo, r_hi;
        size_t nwords, i;
        const uint32_t *src;
        fbnn_simd_input_rows(p, b0, b1, &r_lo, &r_hi);
        nwords = (size_t)(r_hi - r_lo) * row_words;
        src = in + (size_t)r_lo * row_words;
        for (i = 0; i < nwords; i++) {
            const uint32_t x = src[i];
            /* Not of the form 2^n - 1: this layer takes the blocked path
             * (rows of earlier bands are recomputed there, identically). */
            if ((x & (x + 1u)) != 0u) return 0;
            code[i] = (uint16_t)(SIMD_FN(trailing_ones)(x) * FBNN_SIMD_OB);
        }
        for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
            const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
            int32_t oy;
            /* D[t][n][lanes] = popcount((2^n - 1) ^ w): the vector popcount of
             * the block's weights against each broadcast prefix mask (lanes
             * past out_c: w = 0, never stored). */
            SIMD_FN(repack)(weights, wlen, o0, nb, wb);
            for (t = 0; t < wlen; t++) {
                vu wv[SIMD_NV], r[SIMD_NV];
                for (j = 0; j < SIMD_NV; j++) wv[j] = vu_load(wb + (size_t)t * FBNN_SIMD_OB + (size_t)j * VL);
                for (n = 0; n <= 32; n++) {
                    const vu mask = vu_bcast(n == 32 ? ~0u : (1u << n) - 1u);
                    for (j = 0; j < SIMD_NV; j++) r[j] = vu_flush(vu_zero(), vc_xpop(vc_zero(), mask, wv[j]));
                    PFX_STORE(d + ((size_t)t * 33u + (size_t)n) * FBNN_SIMD_OB, r);
                }
            }
            for (oy = b0; oy < b1; oy++) {
                const int32_t iy0 = oy * p->stride - p->pad;
                int32_t ky_lo, ky_hi, ox0;
                fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                for (ox0 = 0; ox0 < p->out_w; ox0 += FBNN_SIMD_TW) {
                    const int32_t tw = p->out_w - ox0 < FBNN_SIMD_TW ? p->out_w - ox0 : FBNN_SIMD_TW;
                    for (t = 0; t < tw; t++) {
                        const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
                        int32_t kx_lo, kx_hi, ky, base;
                        vu pc[SIMD_NV];
                        fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                        base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
#ifdef FBNN_SIMD_HAVE_ACC16
                        vh acc = vh_zero();
#else
                        for (j = 0; j < SIMD_NV; j++) pc[j] = vu_zero();
#endif
                        for (ky = ky_lo; ky < ky_hi; ky++) {
                            const uint16_t *cr = code + (size_t)(iy0 + ky - r_lo) * row_words +
                                                 (size_t)(ix0 + kx_lo) * (size_t)nw;
                            const SIMD_FN(pfx_t) *dr =
                                d + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw * 33u * FBNN_SIMD_OB;
                            const int32_t cnt = (kx_hi - kx_lo) * nw;
#ifdef FBNN_SIMD_HAVE_ACC16
                            /* Literal trip counts for the common rows (3x3 taps of 1-3
                             * words): unrolled, no loop counter per table row. */
                            switch (cnt) {
                            case 3: acc = SIMD_FN(pfx_row)(acc, dr, cr, 3); break;
                            case 6: acc = SIMD_FN(pfx_row)(acc, dr, cr, 6); break;
                            case 9: acc = SIMD_FN(pfx_row)(acc, dr, cr, 9); break;
                            default: acc = SIMD_FN(pfx_row)(acc, dr, cr, cnt); break;
                            }
#else
                            int32_t q;
                            for (q = 0; q < cnt; q++, dr += 33u * FBNN_SIMD_OB) {
                                const uint8_t *row = dr + cr[q];
                                for (j = 0; j < SIMD_NV; j++) pc[j] = vu_add(pc[j], vu_load_u8(row + j * VL));
                            }
#endif
                        }
#ifdef FBNN_SIMD_HAVE_ACC16
                        vh_widen(acc, pc);
#endif
                        for (j = 0; j < SIMD_NV; j++)
                            vf_store(tile + (size_t)t * FBNN_SIMD_OB + (size_t)j * VL,
                                     vf_from_vu(vu_conv_sum(pc[j], base)));
                    }
                    SIMD_FN(tile_out)(tile, tw, nb, out + (size_t)o0 * ohw + (size_t)oy * (size_t)p->out_w + (size_t)ox0, ohw);
                }
            }
        }
    }
    return 1;
}

/* Shared driver: lsb == NULL means a binary conv (out = Sm), otherwise a PG conv. */
static FBNN_SIMD_NOINLINE int SIMD_FN(conv_rows_blocked)(const uint32_t *msb, const uint32_t *lsb,
                                                         const uint32_t *weights, const fbnn_real *thr,
                                                         const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                                         fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t wb[FBNN_SIMD_MAX_WLEN * FBNN_SIMD_OB];
    FBNN_SIMD_ALIGN float tile[FBNN_SIMD_TW * FBNN_SIMD_OB];
    vu gv[SIMD_NV];
    int32_t nw, wlen, lim, o0, oy, j;
    size_t ohw;
    uint32_t gated = 0u;

    nw = FBNN_WORDS(p->in_c);
    wlen = p->k * p->k * nw;
    ohw = (size_t)p->out_h * (size_t)p->out_w;
    /* >= |2*Sm| for ANY words: Sm = base - 2*pm with pm <= 32*wlen even
     * when padding bits are set (the reference counts them too). */
    lim = 128 * wlen;
    for (j = 0; j < SIMD_NV; j++) gv[j] = vu_bcast((uint32_t)lim);

    for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
        const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
        SIMD_FN(repack)(weights, wlen, o0, nb, wb);
        if (lsb != NULL) SIMD_FN(load_gates)(thr, o0, nb, lim, gv);
        for (oy = y0; oy < y1; oy++) {
            const int32_t iy0 = oy * p->stride - p->pad;
            int32_t ky_lo, ky_hi, ox0;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox0 = 0; ox0 < p->out_w; ox0 += FBNN_SIMD_TW) {
                const int32_t tw = p->out_w - ox0 < FBNN_SIMD_TW ? p->out_w - ox0 : FBNN_SIMD_TW;
                /* Both planes in one pass when the window needs no counter flush. */
                const int one_pass = wlen <= FLUSH_EVERY, full_rows = ky_hi - ky_lo == p->k;
                int32_t t;
                for (t = 0; t < tw; t++) {
                    const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
                    int32_t kx_lo, kx_hi, base;
                    vu pc[SIMD_NV];
                    float *dst = tile + (size_t)t * FBNN_SIMD_OB;
                    fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                    base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                    if (lsb != NULL && one_pass && full_rows && t + 1 < tw && ix0 >= 0 &&
                        ix0 + p->stride + p->k <= p->in_w) {
                        vu pl[SIMD_NV], pm1[SIMD_NV], pl1[SIMD_NV];
                        const int32_t base_full = p->k * p->k * p->in_c;
                        SIMD_FN(window2_pair)(msb, lsb, wb, p, nw,
                                              ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw,
                                              p->stride * nw, pc, pl, pm1, pl1);
                        gated += fbnn_popcount32(SIMD_FN(pg_out)(pc, pl, base_full, gv, dst));
                        gated += fbnn_popcount32(SIMD_FN(pg_out)(pm1, pl1, base_full, gv, dst + FBNN_SIMD_OB));
                        t++;
                        continue;
                    }
                    if (lsb == NULL && one_pass && full_rows && ix0 >= 0 && t + 1 < tw &&
                        ix0 + p->stride + p->k <= p->in_w) {
                        /* Binary conv, interior pixels: window2(_pair) over
                         * x and x shifted right, 2 or 4 pixels per weight load. */
                        const int32_t step = p->stride * nw, base_full = p->k * p->k * p->in_c;
                        vu p1[SIMD_NV];
                        if (t + 3 < tw && ix0 + 3 * p->stride + p->k <= p->in_w) {
                            vu p2[SIMD_NV], p3[SIMD_NV];
                            /* chains: x at t, x + 2*step at t (= t+2), x at t+1, x + 2*step at t+1 (= t+3) */
                            SIMD_FN(window2_pair)(msb, msb + 2 * (size_t)step, wb, p, nw,
                                                  ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw, step, pc,
                                                  p2, p1, p3);
                            SIMD_FN(bin_out)(p2, base_full, dst + 2 * FBNN_SIMD_OB);
                            SIMD_FN(bin_out)(p3, base_full, dst + 3 * FBNN_SIMD_OB);
                            SIMD_FN(bin_out)(pc, base_full, dst);
                            SIMD_FN(bin_out)(p1, base_full, dst + FBNN_SIMD_OB);
                            t += 3;
                            continue;
                        }
                        SIMD_FN(window2)(msb, msb + step, wb, p, nw, iy0, 0, p->k, ix0, 0, p->k, pc, p1);
                        SIMD_FN(bin_out)(pc, base_full, dst);
                        SIMD_FN(bin_out)(p1, base_full, dst + FBNN_SIMD_OB);
                        t++;
                        continue;
                    }
                    if (lsb != NULL && one_pass) {
                        vu pl[SIMD_NV];
                        SIMD_FN(window2)(msb, lsb, wb, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi, pc, pl);
                        gated += fbnn_popcount32(SIMD_FN(pg_out)(pc, pl, base, gv, dst));
                        continue;
                    }
                    SIMD_FN(window)(msb, wb, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi, pc);
                    if (lsb == NULL) {
                        for (j = 0; j < SIMD_NV; j++) vf_store(dst + j * VL, vf_from_vu(vu_conv_sum(pc[j], base)));
                    } else {
                        vu s2[SIMD_NV];
                        vm m[SIMD_NV];
                        unsigned bits = 0u;
                        for (j = 0; j < SIMD_NV; j++) {
                            vu sm = vu_conv_sum(pc[j], base);
                            s2[j] = vu_add(sm, sm);
                            m[j] = vu_gt(s2[j], gv[j]); /* = fl(2*Sm / 3) > thr */
                            bits |= vm_bits(m[j]) << (j * VL);
                        }
                        if (bits != 0u) {
                            SIMD_FN(window)(lsb, wb, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi, pc);
                            for (j = 0; j < SIMD_NV; j++)
                                s2[j] = vu_select(m[j], vu_add(s2[j], vu_conv_sum(pc[j], base)), s2[j]);
                            gated += fbnn_popcount32(bits);
                        }
                        for (j = 0; j < SIMD_NV; j++) vf_store(dst + j * VL, vf_third(s2[j]));
                    }
                }
                SIMD_FN(tile_out)(tile, tw, nb, out + (size_t)o0 * ohw + (size_t)oy * (size_t)p->out_w + (size_t)ox0, ohw);
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return FBNN_K_OK;
}

/* Checks the arguments, then takes the first path that applies. */
static int SIMD_FN(conv_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                              const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                              fbnn_real *out, uint32_t *n_gated)
{
    if (msb == NULL || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (lsb != NULL && thr == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;
    if (p->k * p->k * FBNN_WORDS(p->in_c) > FBNN_SIMD_MAX_WLEN)
        return SIMD_FN(conv_rows_plain)(msb, lsb, weights, thr, p, y0, y1, out, n_gated);
#ifdef FBNN_SIMD_HAVE_SPLIT16
#endif
    if (lsb == NULL && SIMD_FN(prefix_rows)(msb, weights, p, y0, y1, out)) return FBNN_K_OK;
#ifdef FBNN_SIMD_HAVE_SPLIT16
    if (SIMD_FN(split16_rows)(msb, lsb, weights, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
    return SIMD_FN(conv_rows_blocked)(msb, lsb, weights, thr, p, y0, y1, out, n_gated);
}

/* Public entry points of this instance (declared in dispatch.h). */
int SIMD_FN(fbnn_k_bconv_rows)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p, int32_t y0,
                               int32_t y1, fbnn_real *out)
{
    return SIMD_FN(conv_rows)(in, NULL, weights, NULL, p, y0, y1, out, NULL);
}

int SIMD_FN(fbnn_k_pgconv_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                fbnn_real *out, uint32_t *n_gated)
{
    if (lsb == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(msb, lsb, weights, threshold, p, y0, y1, out, n_gated);
}

int SIMD_FN(fbnn_k_bconv)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p, fbnn_real *out)
{
    if (p == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(in, NULL, weights, NULL, p, 0, p->out_h, out, NULL);
}

int SIMD_FN(fbnn_k_pgconv)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                           const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                           uint32_t *n_gated)
{
    if (p == NULL || lsb == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(msb, lsb, weights, threshold, p, 0, p->out_h, out, n_gated);
}
