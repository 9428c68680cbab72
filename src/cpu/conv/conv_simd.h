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
 *        where the windows are interior; where the instance has nibble
 *        lookups (AVX2), with inputs and weights pre-split into nibble
 *        planes (nib_rows: 6 instead of 8 vector ops per popcount);
 *      * otherwise the MSB pass, then the LSB pass only for blocks where the
 *        gate fires in some lane.
 *  - 1x1 stride-1 convs (instances that set FBNN_SIMD_GEMM_P), binary or
 *    PG: a popcount GEMM, one weight vector against GEMM_P pixels whose
 *    counters stay in registers over all input words (gemm1x1_rows).
 *  - Binary conv, cheapest first: over thermometer (prefix-coded) input
 *    (prefix_rows), a per-block table of popcount((2^n - 1) ^ w) replaces
 *    the xor/popcount; <= 16 input channels (split16_rows), the words of
 *    two adjacent output pixels share a lane, x[i] | x[i + stride] << 16;
 *    windows of <= FLUSH_EVERY words, window2(_pair) over x and x shifted
 *    by one or two pixels gives 2 or 4 interior pixels per weight load
 *    (from nibble planes where the instance has them).
 *  - Popcounts accumulate in 8-bit counters (vc) that are widened to 32 bits
 *    every FLUSH_EVERY steps (each step adds at most 8 per byte).
 *  - Results of a row chunk go to a [pixel][16] tile, then to the planar
 *    output (on 32x32-like maps with the channel groups skewed by rows,
 *    conv_simd_rowskew.h); float math per lane is the reference's:
 *    (float)(2*Sm) / 3, and (float)(2*Sm + Sl) / 3 where the gate fires,
 *    compared with '>'.
 *
 * Stack: each path keeps its buffers in its own frame (FBNN_SIMD_NOINLINE,
 * frames side by side, not nested), each with an 8 KiB ring of 4 output
 * tiles (conv_simd_rowskew.h): the blocked path about 42 KiB (32 KiB
 * repacked weights), the <= 16-channel path about 44 KiB (two 16 KiB
 * nibble planes of input rows), the nibble-plane path about 30 KiB, the
 * prefix-code stem about 52 KiB (33 KiB u16 table, 8 KiB word codes).
 * Threads need at least 64 KiB of stack.
 *
 * Files: this one (shared helpers, the driver and entry points) includes
 * conv_simd_window.h (the blocked path's window popcounts and the plain
 * per-channel loop), conv_simd_epilogue.h (popcounts to outputs, the
 * integer gates), conv_simd_rowskew.h (the output tiles) and
 * conv_simd_gemm.h, conv_simd_pixlane.h (what the next two share),
 * conv_simd_pixgemm.h, conv_simd_pix3.h,
 * conv_simd_split16.h, conv_simd_prefix.h, conv_simd_nib.h,
 * conv_simd_sparse.h and conv_simd_blocked.h, one path each.
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
 *   vm vu_gt(vu, vu) (signed lanes); vu vu_select(vm, vu yes, vu no);
 *   uint32_t vu_hsum(vu) (the sum of the lanes; conv_simd_binary.h).
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
 * Optionally FBNN_SIMD_HAVE_TILE_OUT4 and void vf_tile_out4(const float *col,
 *   int32_t nc, float *out, size_t ohw): out[l*ohw + t] = col[t*16 + l] for
 *   t < 32, l < nc <= 4 (turns on the row-skewed output).
 * Optionally FBNN_SIMD_HAVE_SPLIT16 and
 *   void vc_split16(vc, vu *lo, vu *hi) (the counts of bits 0-15 / 16-31 of a
 *   lane from the counters the split16 path accumulates: vc_xpop's byte
 *   counters, or with FBNN_SIMD_HAVE_XPOP16 the 16-bit counters of
 *   vc vc_xpop16(vc, vu x, vu w) = c + popcount of each 16-bit half of x ^ w).
 * Optionally FBNN_SIMD_HAVE_PG_AB and pg_ab16 / pg_ab2 of its own (the PG
 *   epilogue's a = -4*pm, b = -4*pm - 2*pl straight from the counters), or
 *   FBNN_SIMD_HAVE_PG_AB16 and only pg_ab16.
 * Optionally FBNN_SIMD_GEMM_P (pixels per register block of the 1x1 GEMM
 *   path, conv_simd_gemm.h; unset: 1x1 layers take the other paths) and
 *   FBNN_SIMD_USE_PREFIX 0 (thermometer input without the table path).
 * Optionally FBNN_SIMD_HAVE_GATES16 and unsigned vu_gates16(const float
 *   *thr, int32_t n, int32_t lim, int32_t *g) (n <= 16 integer gates at once;
 *   returns the lanes it settled, the others take fbnn_simd_gate_int).
 * Optionally (VL = 16, 32-bit counters) FBNN_SIMD_PIXGEMM, with
 *   FBNN_SIMD_HAVE_XPOSE16 and vu_xpose16 optional (conv_simd_pixgemm.h),
 *   and FBNN_SIMD_PIX3 with the primitives listed in conv_simd_pix3.h; with
 *   either, vm_head, vu_sub and vf_store_head (conv_simd_pixlane.h).
 */
#ifndef FBNN_CONV_SIMD_H
#define FBNN_CONV_SIMD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dispatch.h"

#define FBNN_SIMD_OB FBNN_CONV_BLOCK_OC
#define FBNN_SIMD_TW 32
/* Stack buffer sizes; an instance may set smaller ones before including this
 * file (conv__swar.c does, for microcontroller stacks): paths whose data do
 * not fit decline, down to the plain per-channel loop. */
#ifndef FBNN_SIMD_MAX_WLEN
#define FBNN_SIMD_MAX_WLEN FBNN_CONV_BLOCK_MAX_WLEN
#endif
/* Words of input rows a band buffer holds (the one-pass PG and prefix-code paths). */
#ifndef FBNN_SIMD_COMB_WORDS
#define FBNN_SIMD_COMB_WORDS 4096
#endif

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

/* FBNN_SIMD_PIN(v): an instance may define it to make the compiler hold a
 * counter in a register at that point (an empty asm with a register
 * constraint). In the unrolled windows GCC otherwise reassociates the byte
 * adds of several taps into trees, and the extra live values spill. */
#ifndef FBNN_SIMD_PIN
#define FBNN_SIMD_PIN(v) ((void)0)
#endif

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

/* The tile of output row oy, columns ox0 .. ox0+tw-1, channels o0 .. o0+nb-1. */
static FBNN_SIMD_INLINE void SIMD_FN(tile_put)(const float *tile, int32_t tw, int32_t nb, const fbnn_conv_params *p,
                                               int32_t o0, int32_t oy, int32_t ox0, fbnn_real *out)
{
    const size_t ohw = (size_t)p->out_h * (size_t)p->out_w;
    SIMD_FN(tile_out)(tile, tw, nb, out + (size_t)o0 * ohw + (size_t)oy * (size_t)p->out_w + (size_t)ox0, ohw);
}

#include "conv_simd_window.h"
#include "conv_simd_epilogue.h"

/* Whether thermometer (prefix-coded) input takes the table path. Instances
 * with a one-instruction vector popcount set 0: there the table row load
 * and add per (tap, word) is no cheaper than xor + popcount + add, and the
 * per-band code scan and table build are pure overhead (AVX-512 VPOPCNTDQ:
 * the CIFAR-10 stem 21.5 -> 15.2 us, docs/PERFORMANCE.md). */
#ifndef FBNN_SIMD_USE_PREFIX
#define FBNN_SIMD_USE_PREFIX 1
#endif

#include "conv_simd_rowskew.h"

/* The set-up of one block of 16 output channels o0 .. o0+nb-1 shared by the
 * blocked and GEMM paths: its integer gates (PG convs), its output tiles
 * begun at row y0, and its weights as [t][16 lanes] (wlen words per
 * channel), which it returns: the block made at load when the caller has
 * them (wblk, fbnn_conv_blocks_pack: the same words), else repacked into
 * wbuf. (The repack is a scalar transposition of the block's weights; on
 * 7x7 and 14x14 maps it cost 3-11 % of a layer on Zen 4.) */
static FBNN_SIMD_INLINE const uint32_t *SIMD_FN(block_begin)(const uint32_t *weights, const uint32_t *wblk,
                                                             int32_t wlen, const fbnn_real *thr,
                                                             const uint32_t *lsb, const fbnn_conv_params *p,
                                                             int32_t o0, int32_t nb, int32_t lim, int32_t y0,
                                                             uint32_t *wbuf, vu *gv, SIMD_FN(rowskew) *rs)
{
    if (lsb != NULL) SIMD_FN(load_gates)(thr, o0, nb, lim, gv);
    SIMD_FN(rowskew_begin)(rs, p, nb, y0);
    if (wblk != NULL) return wblk + (size_t)o0 * (size_t)wlen;
    SIMD_FN(repack)(weights, wlen, o0, nb, wbuf);
    return wbuf;
}
#include "conv_simd_gemm.h"
#include "conv_simd_pixlane.h"
#include "conv_simd_pixgemm.h"
#include "conv_simd_pix3.h"
#include "conv_simd_split16.h"
#include "conv_simd_prefix.h"
#include "conv_simd_nib.h"
#include "conv_simd_sparse.h"

#include "conv_simd_blocked.h"

/* Checks the arguments, then takes the first path that applies. */
static int SIMD_FN(conv_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                              const uint32_t *wblk, const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0,
                              int32_t y1, fbnn_real *out, uint32_t *n_gated)
{
    if (msb == NULL || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (lsb != NULL && thr == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;
    if (p->k * p->k * FBNN_WORDS(p->in_c) > FBNN_SIMD_MAX_WLEN)
        return SIMD_FN(conv_rows_plain)(msb, lsb, weights, thr, p, y0, y1, out, n_gated);
    if (FBNN_SIMD_USE_PREFIX && lsb == NULL && SIMD_FN(prefix_rows)(msb, weights, p, y0, y1, out)) return FBNN_K_OK;
#if defined(FBNN_SIMD_PIXGEMM) && defined(FBNN_SIMD_GEMM_P) && FBNN_SIMD_GEMM_P > 0
    if (SIMD_FN(pixgemm_rows)(msb, lsb, weights, wblk, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
#if defined(FBNN_SIMD_GEMM_P) && FBNN_SIMD_GEMM_P > 0
    if (SIMD_FN(gemm1x1_rows)(msb, lsb, weights, wblk, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
#ifdef FBNN_SIMD_PIX3
    if (SIMD_FN(pix3_rows)(msb, lsb, weights, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
#ifdef FBNN_SIMD_HAVE_SPLIT16
    if (SIMD_FN(split16_rows)(msb, lsb, weights, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
#ifdef FBNN_SIMD_HAVE_NIBBLES
    if (SIMD_FN(nib_rows)(msb, lsb, weights, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
#ifdef FBNN_SIMD_SPARSE_LSB
    if (SIMD_FN(sparse_rows)(msb, lsb, weights, wblk, thr, p, y0, y1, out, n_gated)) return FBNN_K_OK;
#endif
    return SIMD_FN(conv_rows_blocked)(msb, lsb, weights, wblk, thr, p, y0, y1, out, n_gated);
}

/* Public entry points of this instance (declared in dispatch.h). */
int SIMD_FN(fbnn_k_bconv_rows)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p, int32_t y0,
                               int32_t y1, fbnn_real *out)
{
    return SIMD_FN(conv_rows)(in, NULL, weights, NULL, NULL, p, y0, y1, out, NULL);
}

int SIMD_FN(fbnn_k_pgconv_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                fbnn_real *out, uint32_t *n_gated)
{
    if (lsb == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(msb, lsb, weights, NULL, threshold, p, y0, y1, out, n_gated);
}

int SIMD_FN(fbnn_k_bconv)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p, fbnn_real *out)
{
    if (p == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(in, NULL, weights, NULL, NULL, p, 0, p->out_h, out, NULL);
}

int SIMD_FN(fbnn_k_pgconv)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                           const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                           uint32_t *n_gated)
{
    if (p == NULL || lsb == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(msb, lsb, weights, NULL, threshold, p, 0, p->out_h, out, n_gated);
}

/* The _rows entries over weight blocks made at load (dispatch.h,
 * fbnn_conv_blocks_pack); wblk == NULL repacks per call as above. */
int SIMD_FN(fbnn_k_bconv_rows_blk)(const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,
                                   const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out)
{
    return SIMD_FN(conv_rows)(in, NULL, weights, wblk, NULL, p, y0, y1, out, NULL);
}

int SIMD_FN(fbnn_k_pgconv_rows_blk)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                    const uint32_t *wblk, const fbnn_real *threshold, const fbnn_conv_params *p,
                                    int32_t y0, int32_t y1, fbnn_real *out, uint32_t *n_gated)
{
    if (lsb == NULL) return FBNN_K_EBADARG;
    return SIMD_FN(conv_rows)(msb, lsb, weights, wblk, threshold, p, y0, y1, out, n_gated);
}

/* The binary ops with integer epilogues (bconv_thr, bfc, bfc_thr) over the same primitives. */
#include "conv_simd_binary.h"
