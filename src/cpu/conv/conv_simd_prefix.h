/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the shared window helpers (not a header of its own): the binary conv over prefix-coded (thermometer)
 * input by table.
 */
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
#ifndef FBNN_SIMD_PREFIX_MAX_T
#define FBNN_SIMD_PREFIX_MAX_T 32 /* taps x words per block: table <= 16.5 KiB (33 KiB as u16) */
#endif
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

/* n_pix consecutive output pixels whose 3x3 windows are all in bounds
 * (cr at the first one's top-left code, `step` codes between pixels,
 * cnt = 3 * words per pixel, literal at the call): no tap ranges, and the
 * three table rows of each kernel row unrolled. */
static FBNN_SIMD_INLINE void SIMD_FN(pfx_interior3)(const uint16_t *d, const uint16_t *cr, size_t row_words,
                                                    size_t step, int32_t n_pix, int32_t cnt, int32_t base,
                                                    float *tile)
{
    const size_t dky = (size_t)cnt * 33u * FBNN_SIMD_OB;
    int32_t t;
    for (t = 0; t < n_pix; t++, cr += step, tile += FBNN_SIMD_OB) {
        vu pc[SIMD_NV];
        vh acc = SIMD_FN(pfx_row)(vh_zero(), d, cr, cnt);
        acc = SIMD_FN(pfx_row)(acc, d + dky, cr + row_words, cnt);
        acc = SIMD_FN(pfx_row)(acc, d + 2 * dky, cr + 2 * row_words, cnt);
        vh_widen(acc, pc);
        SIMD_FN(bin_out)(pc, base, tile);
    }
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
    SIMD_FN(rowskew) rs; /* holds the tiles */
    const int32_t nw = FBNN_WORDS(p->in_c), kk = p->k * p->k, wlen = kk * nw;
    const size_t row_words = (size_t)p->in_w * (size_t)nw;
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
        /* Not of the form 2^n - 1: this layer takes the blocked path (rows
         * of earlier bands are recomputed there, identically). */
#ifdef FBNN_SIMD_HAVE_PFX_CODES
#if FBNN_SIMD_OB != 16
#error "vu_pfx_codes writes 16 * n: the table row stride"
#endif
        (void)i;
        if (!vu_pfx_codes(src, nwords, code)) return 0;
#else
        for (i = 0; i < nwords; i++) {
            const uint32_t x = src[i];
            if ((x & (x + 1u)) != 0u) return 0;
            code[i] = (uint16_t)(SIMD_FN(trailing_ones)(x) * FBNN_SIMD_OB);
        }
#endif
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
            SIMD_FN(rowskew_begin)(&rs, p, nb, b0);
            for (oy = b0; oy < b1; oy++) {
                const int32_t iy0 = oy * p->stride - p->pad;
                int32_t ky_lo, ky_hi, ox0;
                fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                for (ox0 = 0; ox0 < p->out_w; ox0 += FBNN_SIMD_TW) {
                    const int32_t tw = p->out_w - ox0 < FBNN_SIMD_TW ? p->out_w - ox0 : FBNN_SIMD_TW;
                    float *const tile = SIMD_FN(rowskew_tile)(&rs);
                    for (t = 0; t < tw; t++) {
                        const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
#ifdef FBNN_SIMD_HAVE_ACC16
                        if (p->k == 3 && ky_hi - ky_lo == 3 && ix0 >= 0 && ix0 + 3 <= p->in_w && nw <= 3) {
                            /* The run of pixels from t whose windows are inside. */
                            int32_t n_pix = (p->in_w - 3 - ix0) / p->stride + 1;
                            const uint16_t *cr = code + (size_t)(iy0 - r_lo) * row_words + (size_t)ix0 * (size_t)nw;
                            const size_t step = (size_t)p->stride * (size_t)nw;
                            float *td = tile + (size_t)t * FBNN_SIMD_OB;
                            if (n_pix > tw - t) n_pix = tw - t;
                            switch (nw) {
                            case 3: SIMD_FN(pfx_interior3)(d, cr, row_words, step, n_pix, 9, 9 * p->in_c, td); break;
                            case 2: SIMD_FN(pfx_interior3)(d, cr, row_words, step, n_pix, 6, 9 * p->in_c, td); break;
                            default: SIMD_FN(pfx_interior3)(d, cr, row_words, step, n_pix, 3, 9 * p->in_c, td); break;
                            }
                            t += n_pix - 1;
                            continue;
                        }
#endif
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
                        SIMD_FN(bin_out)(pc, base, tile + (size_t)t * FBNN_SIMD_OB);
                    }
                    SIMD_FN(rowskew_put)(&rs, tw, p, o0, oy, ox0, out);
                }
            }
            SIMD_FN(rowskew_end)(&rs, p, o0, out);
        }
    }
    return 1;
}
