/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the conv entry points (not a header of its own): the binary ops of
 * issue 18 over the same integer primitives (vu_*, vc_xpop, vu_flush) plus
 * vu_hsum (the sum of a vector's u32 lanes, which each instance defines):
 *
 *  - bconv_thr_rows: the binary conv with the FINN-style threshold epilogue
 *    (fbnn_k_bconv_thr_rows). Blocks of 16 output channels as in
 *    conv_simd_blocked.h (weights repacked once per call, the vector lanes
 *    run over output channels, interior windows of <= FLUSH_EVERY words 2
 *    or 4 pixels per weight load), but the sum base - 2*pc never becomes a
 *    float: one signed lane compare against the per-channel threshold gives
 *    the 16 output bits of the block, which go straight into the packed
 *    output word. No tile, no transposition, no float pass.
 *    With planes > 1 (fbnn_k_bconv_thr_kbit_rows) the 2^planes - 1
 *    compares of a pixel are counted bit-sliced into the k-bit codes, whose
 *    bit planes go to packed channels i * out_c + o.
 *  - bfc / bfc_thr (/ _kbit): the binary FC (fbnn_k_bfc, fbnn_k_bfc_thr). A weight
 *    row is read once per image, so the lanes run over the WORDS of the
 *    input vector (no repacking, contiguous loads), four output rows at a
 *    time sharing each input load; one horizontal sum per row. The float
 *    epilogue of bfc is the reference's per output (one multiply, one add).
 *
 * Exactness: popcounts are integers (the counters are flushed before they
 * can overflow, as in the conv paths), so every sum is the reference's; the
 * threshold compare "s >= t" is "s > t - 1" and "s <= t" is "!(s > t)" on
 * thresholds clamped to [-lim - 1, lim + 1] where |s| <= lim, which changes
 * no outcome and keeps t - 1 from overflowing.
 */

/* Thresholds of one block of output channels, ready for "s > tv". */
typedef struct {
    vu tv[((1 << FBNN_THR_MAX_PLANES) - 1) * SIMD_NV]; /* threshold j of the block: tv[j * SIMD_NV ...] */
    unsigned flips;   /* lanes whose compare result is inverted (flip 1) */
    unsigned lanes;   /* lanes < nb */
    int32_t n_thr;    /* 2^planes - 1 */
    int32_t planes, c, o0, nwo;
} SIMD_FN(thr_block);

/* The (clamped, shifted) thresholds of output channels o0 .. o0+nb-1 into
 * tb. Lanes past nb get tv = lim + 1, flip 0: never set. */
static FBNN_SIMD_INLINE void SIMD_FN(load_thr)(SIMD_FN(thr_block) *tb, const int32_t *thr, int32_t nb, int32_t lim)
{
    FBNN_SIMD_ALIGN int32_t tl[FBNN_SIMD_OB];
    const int32_t row = tb->n_thr + 1;
    int32_t j, k;
    tb->flips = 0u;
    tb->lanes = nb >= 32 ? ~0u : (1u << nb) - 1u;
    for (j = 0; j < FBNN_SIMD_OB; j++)
        if (j < nb && thr[(size_t)(tb->o0 + j) * (size_t)row + (size_t)tb->n_thr] != 0) tb->flips |= 1u << j;
    for (k = 0; k < tb->n_thr; k++) {
        for (j = 0; j < FBNN_SIMD_OB; j++) {
            int32_t t = lim + 1;
            if (j < nb) {
                t = thr[(size_t)(tb->o0 + j) * (size_t)row + (size_t)k];
                if (t > lim + 1) t = lim + 1;
                if (t < -lim - 1) t = -lim - 1;
                if (!((tb->flips >> j) & 1u)) t -= 1; /* s >= t  <=>  s > t - 1 */
            }
            tl[j] = t;
        }
        for (j = 0; j < SIMD_NV; j++) tb->tv[k * SIMD_NV + j] = vu_load((const uint32_t *)tl + j * VL);
    }
}

/* Threshold k of the block on one pixel's popcounts: bit j = (s_j > tv_j) ^ flip_j. */
static FBNN_SIMD_INLINE uint32_t SIMD_FN(thr_bits)(const SIMD_FN(thr_block) *tb, const vu *pc, int32_t base,
                                                   int32_t k)
{
    unsigned bits = 0u;
    int32_t j;
    for (j = 0; j < SIMD_NV; j++)
        bits |= vm_bits(vu_gt(vu_conv_sum(pc[j], base), tb->tv[k * SIMD_NV + j])) << (j * VL);
    return (uint32_t)((bits ^ tb->flips) & tb->lanes);
}

/* OR the <= 16 bits `bits` into the packed words yo at bit position pos. */
static FBNN_SIMD_INLINE void SIMD_FN(or_bits)(uint32_t *yo, int32_t pos, uint32_t bits)
{
    const int32_t sh = pos & 31;
    yo[pos >> 5] |= bits << sh;
    if (sh > 16 && (bits >> (32 - sh)) != 0u) yo[(pos >> 5) + 1] |= bits >> (32 - sh);
}

/* One pixel's outputs of the block into its packed words yo. 1 bit: the
 * first block of a word sets it (clearing the upper half), the second ORs
 * its half in. k bits: the codes are counted bit-sliced over the 16 lanes
 * (count += mask per threshold, a ripple-carry add on 4 lane masks), then
 * bit plane i goes to packed channel i * c + o0 (the first block clears
 * the pixel's words). */
static FBNN_SIMD_INLINE void SIMD_FN(thr_put)(const SIMD_FN(thr_block) *tb, uint32_t *yo, const vu *pc, int32_t base)
{
    if (tb->planes == 1) {
        const uint32_t bits = SIMD_FN(thr_bits)(tb, pc, base, 0);
        if ((tb->o0 & 31) == 0)
            yo[tb->o0 >> 5] = bits;
        else
            yo[tb->o0 >> 5] |= bits << 16;
    } else {
        uint32_t cnt[FBNN_THR_MAX_PLANES] = {0u, 0u, 0u, 0u};
        int32_t k, i;
        for (k = 0; k < tb->n_thr; k++) {
            uint32_t m = SIMD_FN(thr_bits)(tb, pc, base, k);
            for (i = 0; i < FBNN_THR_MAX_PLANES && m != 0u; i++) {
                const uint32_t carry = cnt[i] & m;
                cnt[i] ^= m;
                m = carry;
            }
        }
        if (tb->o0 == 0)
            for (i = 0; i < tb->nwo; i++) yo[i] = 0u;
        for (i = 0; i < tb->planes; i++) SIMD_FN(or_bits)(yo, i * tb->c + tb->o0, cnt[i]);
    }
}

static FBNN_SIMD_NOINLINE int SIMD_FN(bconv_thr_blocked)(const uint32_t *in, const uint32_t *weights,
                                                         const uint32_t *wblk, const int32_t *thr, int32_t planes,
                                                         const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                                         uint32_t *out)
{
    FBNN_SIMD_ALIGN uint32_t wbuf[FBNN_SIMD_MAX_WLEN * FBNN_SIMD_OB];
    SIMD_FN(thr_block) tb;
    const int32_t nw = FBNN_WORDS(p->in_c), nwo = FBNN_WORDS(planes * p->out_c), wlen = p->k * p->k * nw;
    /* >= |s| for ANY words (padding bits counted as the reference does). */
    const int32_t lim = 128 * wlen, base_full = p->k * p->k * p->in_c, step = p->stride * nw;
    const int one_pass = wlen <= FLUSH_EVERY;
    int32_t oy, ox;
    tb.n_thr = (1 << planes) - 1;
    tb.planes = planes;
    tb.c = p->out_c;
    tb.nwo = nwo;
    for (tb.o0 = 0; tb.o0 < p->out_c; tb.o0 += FBNN_SIMD_OB) {
        const int32_t nb = p->out_c - tb.o0 < FBNN_SIMD_OB ? p->out_c - tb.o0 : FBNN_SIMD_OB;
        const uint32_t *wb;
        SIMD_FN(load_thr)(&tb, thr, nb, lim);
        if (wblk != NULL) {
            wb = wblk + (size_t)tb.o0 * (size_t)wlen;
        } else {
            SIMD_FN(repack)(weights, wlen, tb.o0, nb, wbuf);
            wb = wbuf;
        }
        for (oy = y0; oy < y1; oy++) {
            const int32_t iy0 = oy * p->stride - p->pad;
            int32_t ky_lo, ky_hi;
            uint32_t *yrow = out + (size_t)oy * (size_t)p->out_w * (size_t)nwo;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ox++) {
                const int32_t ix0 = ox * p->stride - p->pad;
                int32_t kx_lo, kx_hi;
                vu pc[SIMD_NV];
                uint32_t *yo = yrow + (size_t)ox * (size_t)nwo;
                if (one_pass && ky_hi - ky_lo == p->k && ix0 >= 0 && ox + 1 < p->out_w &&
                    ix0 + p->stride + p->k <= p->in_w) {
                    /* Interior pixels: 2 or 4 windows per weight load (as the float bconv). */
                    const size_t xo = ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw;
                    vu p1[SIMD_NV];
                    if (ox + 3 < p->out_w && ix0 + 3 * p->stride + p->k <= p->in_w) {
                        vu p2[SIMD_NV], p3[SIMD_NV];
                        /* chains: x at ox, x + 2*step at ox (= ox+2), x at ox+1, x + 2*step at ox+1 (= ox+3) */
                        SIMD_FN(window2_pair)(in, in + 2 * (size_t)step, wb, p, nw, xo, step, pc, p2, p1, p3);
                        SIMD_FN(thr_put)(&tb, yo, pc, base_full);
                        SIMD_FN(thr_put)(&tb, yo + nwo, p1, base_full);
                        SIMD_FN(thr_put)(&tb, yo + 2 * nwo, p2, base_full);
                        SIMD_FN(thr_put)(&tb, yo + 3 * nwo, p3, base_full);
                        ox += 3;
                        continue;
                    }
                    SIMD_FN(window2)(in, in + step, wb, p, nw, iy0, 0, p->k, ix0, 0, p->k, pc, p1);
                    SIMD_FN(thr_put)(&tb, yo, pc, base_full);
                    SIMD_FN(thr_put)(&tb, yo + nwo, p1, base_full);
                    ox++;
                    continue;
                }
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                SIMD_FN(window)(in, wb, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi, pc);
                SIMD_FN(thr_put)(&tb, yo, pc, (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c);
            }
        }
    }
    return FBNN_K_OK;
}

#if defined(FBNN_SIMD_HAVE_SPLIT16) && !defined(FBNN_SIMD_NO_THR_SPLIT16)
/* 1-bit thresholds of a conv with <= 16 input channels: the pixel-pair
 * words of conv_simd_split16.h (x[i] | x[i + stride] << 16 against
 * w | w << 16, so one xor + popcount serves two output pixels), with the
 * threshold compare as epilogue instead of the float tile. The float bconv
 * takes this path for these layers; without it the threshold conv (one
 * pixel per lane word) was slower than the float conv + affine + sign.
 * Returns 0 where the layer does not fit (the caller runs the blocked
 * path, which recomputes every row identically). */
static FBNN_SIMD_NOINLINE int SIMD_FN(bconv_thr_split16)(const uint32_t *in, const uint32_t *weights,
                                                         const int32_t *thr, const fbnn_conv_params *p, int32_t y0,
                                                         int32_t y1, uint32_t *out)
{
    FBNN_SIMD_ALIGN uint32_t comb[PG16_PLANES * FBNN_SIMD_COMB_WORDS];
    FBNN_SIMD_ALIGN uint32_t wb[PG16_PLANES * PG16_WHALF];
    SIMD_FN(thr_block) tb;
    const int32_t kk = p->k * p->k, nwo = FBNN_WORDS(p->out_c), lim = 128 * kk, base9 = 9 * p->in_c;
    int32_t band, b0, t;
    uint32_t high = 0u;
    if (p->in_c > 16 || kk > FLUSH_EVERY || kk > 31 || y0 >= y1) return 0;
    if ((band = fbnn_simd_band_rows(p, (size_t)p->in_w)) < 1) return 0;
    for (t = 0; t < p->out_c * kk; t++) high |= weights[t] >> 16;
    if (high != 0u) return 0;
    tb.n_thr = 1;
    tb.planes = 1;
    tb.c = p->out_c;
    tb.nwo = nwo;
    for (b0 = y0; b0 < y1; b0 += band) {
        const int32_t b1 = y1 - b0 < band ? y1 : b0 + band;
        int32_t r_lo, r_hi;
        fbnn_simd_input_rows(p, b0, b1, &r_lo, &r_hi);
        if (SIMD_FN(split16_fill)(in, NULL, p, r_lo, r_hi, comb) != 0u) return 0;
        for (tb.o0 = 0; tb.o0 < p->out_c; tb.o0 += FBNN_SIMD_OB) {
            const int32_t nb = p->out_c - tb.o0 < FBNN_SIMD_OB ? p->out_c - tb.o0 : FBNN_SIMD_OB;
            int32_t oy;
            SIMD_FN(split16_fill_w)(weights, kk, tb.o0, nb, wb);
            SIMD_FN(load_thr)(&tb, thr, nb, lim);
            for (oy = b0; oy < b1; oy++) {
                const int32_t iy0 = oy * p->stride - p->pad;
                int32_t ky_lo, ky_hi, ox;
                uint32_t *yrow = out + (size_t)oy * (size_t)p->out_w * (size_t)nwo;
                fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                for (ox = 0; ox < p->out_w; ox++) {
                    const int32_t ix0 = ox * p->stride - p->pad;
                    int32_t kx_lo, kx_hi, kx_lo1, kx_hi1, base, j;
                    vu p0[SIMD_NV], p1[SIMD_NV];
                    vc c0[SIMD_NV];
                    uint32_t *yo = yrow + (size_t)ox * (size_t)nwo;
                    if (p->k == 3 && ky_hi - ky_lo == 3 && ox + 3 < p->out_w && ix0 >= 0 &&
                        ix0 + 3 * p->stride + 3 <= p->in_w) {
                        /* Four interior pixels: pairs (ox, ox+1) and (ox+2, ox+3). */
                        vu p2[SIMD_NV], p3[SIMD_NV];
                        vc c1[SIMD_NV];
                        SIMD_FN(window_split_pair3)(comb + (size_t)(iy0 - r_lo) * (size_t)p->in_w + (size_t)ix0,
                                                    p->in_w, 2 * p->stride, wb, c0, c1);
                        for (j = 0; j < SIMD_NV; j++) {
                            vc_split16(c0[j], &p0[j], &p1[j]);
                            vc_split16(c1[j], &p2[j], &p3[j]);
                        }
                        SIMD_FN(thr_put)(&tb, yo, p0, base9);
                        SIMD_FN(thr_put)(&tb, yo + nwo, p1, base9);
                        SIMD_FN(thr_put)(&tb, yo + 2 * nwo, p2, base9);
                        SIMD_FN(thr_put)(&tb, yo + 3 * nwo, p3, base9);
                        ox += 3;
                        continue;
                    }
                    fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                    base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                    SIMD_FN(window_split)(comb, wb, p->k, p->in_w, iy0 - r_lo, ky_lo, ky_hi, ix0, kx_lo, kx_hi, c0);
                    for (j = 0; j < SIMD_NV; j++) vc_split16(c0[j], &p0[j], &p1[j]);
                    SIMD_FN(thr_put)(&tb, yo, p0, base);
                    if (ox + 1 < p->out_w) {
                        /* The high halves hold pixel ox+1's taps where its tap range is ox's. */
                        fbnn_tap_range(ix0 + p->stride, p->k, p->in_w, &kx_lo1, &kx_hi1);
                        if (kx_lo1 == kx_lo && kx_hi1 == kx_hi) {
                            SIMD_FN(thr_put)(&tb, yo + nwo, p1, base);
                            ox++;
                        }
                    }
                }
            }
        }
    }
    return 1;
}
#endif

/* Public entry points (dispatch.h, FBNN_DECLARE_BINARY_VARIANT). wblk:
 * the weights as 16-channel blocks made at load (src/conv_blocks.c), or
 * NULL to repack them per block and call; the same words either way, so the
 * same outputs. (Per call, the repack of a 512 -> 512 3x3 layer's 295 KB of
 * weights is a scalar transposition of every word.) */
int SIMD_FN(fbnn_k_bconv_thr_rows_blk)(const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,
                                       const int32_t *thr, int32_t planes, const fbnn_conv_params *p, int32_t y0,
                                       int32_t y1, uint32_t *out)
{
    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (planes < 1 || planes > FBNN_THR_MAX_PLANES) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if ((int64_t)planes * p->out_c > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;
    /* Too long a window for the stack buffer: the reference's own loop. */
    if (p->k * p->k * FBNN_WORDS(p->in_c) > FBNN_SIMD_MAX_WLEN)
        return fbnn_k_bconv_thr_kbit_rows(in, weights, thr, planes, p, y0, y1, out);
#if defined(FBNN_SIMD_HAVE_SPLIT16) && !defined(FBNN_SIMD_NO_THR_SPLIT16)
    /* (<= 16 input channels: pixel-pair weight words of its own, no blocks.) */
    if (planes == 1 && SIMD_FN(bconv_thr_split16)(in, weights, thr, p, y0, y1, out)) return FBNN_K_OK;
#endif
    return SIMD_FN(bconv_thr_blocked)(in, weights, wblk, thr, planes, p, y0, y1, out);
}

int SIMD_FN(fbnn_k_bconv_thr_kbit_rows)(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                                        int32_t planes, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                        uint32_t *out)
{
    return SIMD_FN(fbnn_k_bconv_thr_rows_blk)(in, weights, NULL, thr, planes, p, y0, y1, out);
}

int SIMD_FN(fbnn_k_bconv_thr_rows)(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                                   const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out)
{
    return SIMD_FN(fbnn_k_bconv_thr_kbit_rows)(in, weights, thr, 1, p, y0, y1, out);
}

/* popcount(x ^ w[o]) of n_rows weight rows (n_words words each) into pc[]:
 * vector lanes over words, four rows per input load, scalar tail words. */
static void SIMD_FN(bfc_pops)(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_rows, uint32_t *pc)
{
    const int32_t nv = n_words - n_words % VL;
    int32_t o = 0, i, r;
    for (; o < n_rows; o += 4) {
        const int32_t nr = n_rows - o < 4 ? n_rows - o : 4;
        const uint32_t *wr[4];
        vu acc[4];
        vc c[4];
        int32_t steps = 0;
        for (r = 0; r < 4; r++) {
            /* Rows past n_rows repeat the last one (results dropped): no branch in the loop. */
            wr[r] = w + (size_t)(o + (r < nr ? r : nr - 1)) * (size_t)n_words;
            acc[r] = vu_zero();
            c[r] = vc_zero();
        }
        for (i = 0; i < nv; i += VL) {
            const vu xv = vu_load(x + i);
            for (r = 0; r < 4; r++) c[r] = vc_xpop(c[r], xv, vu_load(wr[r] + i));
            if (++steps == FLUSH_EVERY) {
                for (r = 0; r < 4; r++) {
                    acc[r] = vu_flush(acc[r], c[r]);
                    c[r] = vc_zero();
                }
                steps = 0;
            }
        }
        for (r = 0; r < nr; r++) {
            uint32_t s = vu_hsum(vu_flush(acc[r], c[r]));
            for (i = nv; i < n_words; i++) s += fbnn_popcount32(x[i] ^ wr[r][i]);
            pc[o + r] = s;
        }
    }
}

/* Rows per chunk of bfc_pops' output buffer. */
#define SIMD_BFC_CHUNK 64

/* Public entry points (dispatch.h, FBNN_DECLARE_BINARY_VARIANT). */
int SIMD_FN(fbnn_k_bfc)(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                        const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out)
{
    uint32_t pc[SIMD_BFC_CHUNK];
    int32_t o0, o;
    if (in == NULL || weights == NULL || scale == NULL || bias == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    for (o0 = 0; o0 < n_out; o0 += SIMD_BFC_CHUNK) {
        const int32_t n = n_out - o0 < SIMD_BFC_CHUNK ? n_out - o0 : SIMD_BFC_CHUNK;
        SIMD_FN(bfc_pops)(in, weights + (size_t)o0 * (size_t)n_words, n_words, n, pc);
        for (o = 0; o < n; o++) {
            const int32_t s = n_in - 2 * (int32_t)pc[o];
            out[o0 + o] = fbnn_r_add(fbnn_r_mul(fbnn_r_from_s32(s), scale[o0 + o]), bias[o0 + o]);
        }
    }
    return FBNN_K_OK;
}

int SIMD_FN(fbnn_k_bfc_thr)(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                            const int32_t *thr, int32_t n_out, uint32_t *out)
{
    uint32_t pc[SIMD_BFC_CHUNK];
    int32_t o0, o;
    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    /* Chunks of 64 rows: two whole output words each. */
    for (o0 = 0; o0 < n_out; o0 += SIMD_BFC_CHUNK) {
        const int32_t n = n_out - o0 < SIMD_BFC_CHUNK ? n_out - o0 : SIMD_BFC_CHUNK;
        int32_t w0;
        SIMD_FN(bfc_pops)(in, weights + (size_t)o0 * (size_t)n_words, n_words, n, pc);
        for (w0 = 0; w0 < n; w0 += 32) {
            /* Each word built in a register, no branch on the bit: an
             * array word[o >> 5] |= ... made every output wait for the
             * previous one's store (about 8 cycles each, so this took
             * longer than bfc's float epilogue + pack_sign), and trained
             * thresholds sit where the sums are, so a branch on the bit
             * is a coin flip. */
            const int32_t nb = n - w0 < 32 ? n - w0 : 32;
            const int32_t *t = thr + 2 * (size_t)(o0 + w0);
            uint32_t word = 0u;
            for (o = 0; o < nb; o++)
                word |= (uint32_t)fbnn_thr_bit(n_in - 2 * (int32_t)pc[w0 + o], t[2 * o], t[2 * o + 1]) << o;
            out[(o0 + w0) >> 5] = word;
        }
    }
    return FBNN_K_OK;
}
int SIMD_FN(fbnn_k_bfc_thr_kbit)(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                                 const int32_t *thr, int32_t planes, int32_t n_out, uint32_t *out)
{
    uint32_t pc[SIMD_BFC_CHUNK];
    int32_t o0, o, i;
    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (planes < 1 || planes > FBNN_THR_MAX_PLANES) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    if ((int64_t)planes * n_out > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    for (o = 0; o < FBNN_WORDS(planes * n_out); o++) out[o] = 0u;
    for (o0 = 0; o0 < n_out; o0 += SIMD_BFC_CHUNK) {
        const int32_t n = n_out - o0 < SIMD_BFC_CHUNK ? n_out - o0 : SIMD_BFC_CHUNK;
        SIMD_FN(bfc_pops)(in, weights + (size_t)o0 * (size_t)n_words, n_words, n, pc);
        for (o = 0; o < n; o++) {
            const int32_t code = fbnn_thr_code(n_in - 2 * (int32_t)pc[o], thr + ((size_t)(o0 + o) << planes), planes);
            for (i = 0; i < planes; i++)
                if ((code >> i) & 1) out[(i * n_out + o0 + o) >> 5] |= 1u << ((i * n_out + o0 + o) & 31);
        }
    }
    return FBNN_K_OK;
}
#undef SIMD_BFC_CHUNK
