/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the shared window helpers (not a header of its own): the
 * nibble-plane path for windows of at most FLUSH_EVERY words.
 */
#ifdef FBNN_SIMD_HAVE_NIBBLES
/* ---------------------------------------------------------------------------
 * Binary and PG convs whose window has <= FLUSH_EVERY words (32/64-channel
 * 3x3 layers) with inputs and weights pre-split into nibble planes (see the
 * <= 16 channel path): 6 instead of 8 vector ops per popcount for the
 * pixels (PG: pairs with both planes, border pixels included; binary: four
 * interior pixels, over x and x shifted by two pixels, the rest on the
 * packed words). The input rows of the call must fit FBNN_SIMD_NIB_WORDS
 * words per plane. Frame: 16 KiB planes + 6 KiB weights + the 8 KiB tile ring.
 * -------------------------------------------------------------------------*/
#define FBNN_SIMD_NIB_WORDS 1024
#define FBNN_SIMD_NIB_WHALF (31 * FBNN_SIMD_OB) /* low/high nibble weight planes apart */

static FBNN_SIMD_INLINE void SIMD_FN(window2_pair_nib)(const uint32_t *nm, const uint32_t *nl, const uint32_t *wn,
                                                       int32_t k, int32_t nw, int32_t in_w, size_t xo, int32_t step,
                                                       int32_t ky_lo, int32_t ky_hi, vc *cm0, vc *cl0, vc *cm1,
                                                       vc *cl1)
{
    const int32_t n = k * nw;
    int32_t ky, i, j;
    for (j = 0; j < SIMD_NV; j++) cm0[j] = cl0[j] = cm1[j] = cl1[j] = vc_zero();
    for (ky = ky_lo; ky < ky_hi; ky++) {
        const uint32_t *rm = nm + xo, *rl = nl + xo;
        const uint32_t *wr = wn + (size_t)ky * (size_t)n * FBNN_SIMD_OB;
        for (i = 0; i < n; i++) {
            const vu m0l = vu_bcast(rm[i]), m0h = vu_bcast(rm[i + FBNN_SIMD_NIB_WORDS]);
            const vu l0l = vu_bcast(rl[i]), l0h = vu_bcast(rl[i + FBNN_SIMD_NIB_WORDS]);
            const vu m1l = vu_bcast(rm[i + step]), m1h = vu_bcast(rm[i + step + FBNN_SIMD_NIB_WORDS]);
            const vu l1l = vu_bcast(rl[i + step]), l1h = vu_bcast(rl[i + step + FBNN_SIMD_NIB_WORDS]);
            for (j = 0; j < SIMD_NV; j++) {
                const uint32_t *w = wr + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL;
                const vu wl = vu_load(w), wh = vu_load(w + FBNN_SIMD_NIB_WHALF);
                cm0[j] = vc_xpop_nib(cm0[j], m0l, m0h, wl, wh);
                cl0[j] = vc_xpop_nib(cl0[j], l0l, l0h, wl, wh);
                cm1[j] = vc_xpop_nib(cm1[j], m1l, m1h, wl, wh);
                cl1[j] = vc_xpop_nib(cl1[j], l1l, l1h, wl, wh);
            }
        }
        xo += (size_t)in_w * (size_t)nw;
    }
}

/* Both planes of one pixel over the taps [ky_lo, ky_hi) x [kx_lo, kx_hi)
 * (a border pixel), xo at its first in-bounds word. */
static FBNN_SIMD_INLINE void SIMD_FN(window2_nib1)(const uint32_t *nm, const uint32_t *nl, const uint32_t *wn,
                                                   int32_t k, int32_t nw, int32_t in_w, size_t xo, int32_t ky_lo,
                                                   int32_t ky_hi, int32_t kx_lo, int32_t kx_hi, vc *cm, vc *cl)
{
    const int32_t n = (kx_hi - kx_lo) * nw;
    int32_t ky, i, j;
    for (j = 0; j < SIMD_NV; j++) cm[j] = cl[j] = vc_zero();
    for (ky = ky_lo; ky < ky_hi; ky++) {
        const uint32_t *rm = nm + xo, *rl = nl + xo;
        const uint32_t *wr = wn + ((size_t)ky * (size_t)k + (size_t)kx_lo) * (size_t)nw * FBNN_SIMD_OB;
        for (i = 0; i < n; i++) {
            const vu ml = vu_bcast(rm[i]), mh = vu_bcast(rm[i + FBNN_SIMD_NIB_WORDS]);
            const vu ll = vu_bcast(rl[i]), lh = vu_bcast(rl[i + FBNN_SIMD_NIB_WORDS]);
            for (j = 0; j < SIMD_NV; j++) {
                const uint32_t *w = wr + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL;
                const vu wl = vu_load(w), wh = vu_load(w + FBNN_SIMD_NIB_WHALF);
                cm[j] = vc_xpop_nib(cm[j], ml, mh, wl, wh);
                cl[j] = vc_xpop_nib(cl[j], ll, lh, wl, wh);
            }
        }
        xo += (size_t)in_w * (size_t)nw;
    }
}

/* One output row chunk of a binary conv: four interior pixels per pass
 * from the nibble planes (x and x two pixels right give pixels t, t+2,
 * t+1, t+3), two with window2 over x and x one pixel right, others alone. */
static FBNN_SIMD_INLINE void SIMD_FN(nib_bin_chunk)(const uint32_t *x, const uint32_t *planes, const uint32_t *wb,
                                                    const uint32_t *wn, const fbnn_conv_params *p, int32_t iy0,
                                                    int32_t r_lo, int32_t ky_lo, int32_t ky_hi, int32_t ox0,
                                                    int32_t tw, float *tile)
{
    const int32_t nw = FBNN_WORDS(p->in_c), step = p->stride * nw, base_full = p->k * p->k * p->in_c;
    const int full_rows = ky_hi - ky_lo == p->k;
    int32_t t;
    for (t = 0; t < tw; t++) {
        const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
        int32_t kx_lo, kx_hi;
        vu p0[SIMD_NV], p1[SIMD_NV];
        float *dst = tile + (size_t)t * FBNN_SIMD_OB;
        if (full_rows && ix0 >= 0 && t + 3 < tw && ix0 + 3 * p->stride + p->k <= p->in_w) {
            vu p2[SIMD_NV], p3[SIMD_NV];
            vc c0[SIMD_NV], c1[SIMD_NV], c2[SIMD_NV], c3[SIMD_NV];
            int32_t j;
            SIMD_FN(window2_pair_nib)(planes, planes + 2 * (size_t)step, wn, p->k, nw, p->in_w,
                                      ((size_t)(iy0 - r_lo) * (size_t)p->in_w + (size_t)ix0) * (size_t)nw, step, 0,
                                      p->k, c0, c2, c1, c3);
            for (j = 0; j < SIMD_NV; j++) {
                p0[j] = vu_flush(vu_zero(), c0[j]);
                p1[j] = vu_flush(vu_zero(), c1[j]);
                p2[j] = vu_flush(vu_zero(), c2[j]);
                p3[j] = vu_flush(vu_zero(), c3[j]);
            }
            SIMD_FN(bin_out)(p0, base_full, dst);
            SIMD_FN(bin_out)(p1, base_full, dst + FBNN_SIMD_OB);
            SIMD_FN(bin_out)(p2, base_full, dst + 2 * FBNN_SIMD_OB);
            SIMD_FN(bin_out)(p3, base_full, dst + 3 * FBNN_SIMD_OB);
            t += 3;
            continue;
        }
        if (full_rows && ix0 >= 0 && t + 1 < tw && ix0 + p->stride + p->k <= p->in_w) {
            SIMD_FN(window2)(x, x + step, wb, p, nw, iy0, 0, p->k, ix0, 0, p->k, p0, p1);
            SIMD_FN(bin_out)(p0, base_full, dst);
            SIMD_FN(bin_out)(p1, base_full, dst + FBNN_SIMD_OB);
            t++;
            continue;
        }
        fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
        SIMD_FN(window)(x, wb, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi, p0);
        SIMD_FN(bin_out)(p0, (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c, dst);
    }
}

/* n packed words to a low-nibble plane at dst and a high-nibble plane
 * `half` words after it. */
static void SIMD_FN(nib_split)(const uint32_t *src, size_t n, uint32_t *dst, size_t half)
{
    size_t i;
    for (i = 0; i < n; i++) {
        dst[i] = src[i] & 0x0f0f0f0fu;
        dst[half + i] = (src[i] >> 4) & 0x0f0f0f0fu;
    }
}

/* Returns 1 if it computed rows [y0, y1), 0 if the layer does not qualify
 * (nothing written then). lsb == NULL: binary conv. */
static FBNN_SIMD_NOINLINE int SIMD_FN(nib_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                                   const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0,
                                                   int32_t y1, fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t planes[4 * FBNN_SIMD_NIB_WORDS]; /* msb lo, msb hi, lsb lo, lsb hi */
    FBNN_SIMD_ALIGN uint32_t wb[FLUSH_EVERY * FBNN_SIMD_OB];
    FBNN_SIMD_ALIGN uint32_t wn[2 * FBNN_SIMD_NIB_WHALF];
    SIMD_FN(rowskew) rs; /* holds the tiles */
    const int32_t nw = FBNN_WORDS(p->in_c), wlen = p->k * p->k * nw, lim = 128 * wlen;
    const size_t row_words = (size_t)p->in_w * (size_t)nw;
    int32_t r_lo, r_hi, o0, oy, t;
    size_t nwords;
    uint32_t gated = 0u;
    vu gv[SIMD_NV];

    if (wlen > FLUSH_EVERY || wlen > 31 || y0 >= y1) return 0;
    for (t = 0; t < SIMD_NV; t++) gv[t] = vu_zero(); /* binary conv: no gates */
    fbnn_simd_input_rows(p, y0, y1, &r_lo, &r_hi);
    nwords = (size_t)(r_hi - r_lo) * row_words;
    if (r_hi <= r_lo || nwords > FBNN_SIMD_NIB_WORDS) return 0;
    /* msb planes, then (PG only) lsb planes, of the call's input rows */
    SIMD_FN(nib_split)(msb + (size_t)r_lo * row_words, nwords, planes, FBNN_SIMD_NIB_WORDS);
    if (lsb != NULL)
        SIMD_FN(nib_split)(lsb + (size_t)r_lo * row_words, nwords, planes + 2 * FBNN_SIMD_NIB_WORDS,
                           FBNN_SIMD_NIB_WORDS);
    for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
        const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
        SIMD_FN(repack)(weights, wlen, o0, nb, wb);
        SIMD_FN(nib_split)(wb, (size_t)wlen * FBNN_SIMD_OB, wn, FBNN_SIMD_NIB_WHALF);
        if (lsb != NULL) SIMD_FN(load_gates)(thr, o0, nb, lim, gv);
        SIMD_FN(rowskew_begin)(&rs, p, nb, y0);
        for (oy = y0; oy < y1; oy++) {
            const int32_t iy0 = oy * p->stride - p->pad;
            int32_t ky_lo, ky_hi, ox0;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox0 = 0; ox0 < p->out_w; ox0 += FBNN_SIMD_TW) {
                const int32_t tw = p->out_w - ox0 < FBNN_SIMD_TW ? p->out_w - ox0 : FBNN_SIMD_TW;
                float *const tile = SIMD_FN(rowskew_tile)(&rs);
                if (lsb == NULL) {
                    SIMD_FN(nib_bin_chunk)(msb, planes, wb, wn, p, iy0, r_lo, ky_lo, ky_hi, ox0, tw, tile);
                    SIMD_FN(rowskew_put)(&rs, tw, p, o0, oy, ox0, out);
                    continue;
                }
                for (t = 0; t < tw; t++) {
                    const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
                    int32_t kx_lo, kx_hi, base, j;
                    vu a[SIMD_NV], b[SIMD_NV];
                    vc cm[SIMD_NV], cl[SIMD_NV];
                    float *dst = tile + (size_t)t * FBNN_SIMD_OB;
                    if (t + 1 < tw && ix0 >= 0 && ix0 + p->stride + p->k <= p->in_w) {
                        /* Two pixels whose windows are inside in x (all rows, or
                         * the clipped rows of a top/bottom output row). */
                        vu a1[SIMD_NV], b1[SIMD_NV];
                        vc cm1[SIMD_NV], cl1[SIMD_NV];
                        base = (ky_hi - ky_lo) * p->k * p->in_c;
                        SIMD_FN(window2_pair_nib)(planes, planes + 2 * FBNN_SIMD_NIB_WORDS, wn, p->k, nw, p->in_w,
                                                  ((size_t)(iy0 + ky_lo - r_lo) * (size_t)p->in_w + (size_t)ix0) *
                                                      (size_t)nw,
                                                  p->stride * nw, ky_lo, ky_hi, cm, cl, cm1, cl1);
                        for (j = 0; j < SIMD_NV; j++) {
                            SIMD_FN(pg_ab2)(cm[j], cl[j], &a[j], &b[j]);
                            SIMD_FN(pg_ab2)(cm1[j], cl1[j], &a1[j], &b1[j]);
                        }
                        gated += fbnn_popcount32(SIMD_FN(pg_out_ab)(a, b, base, gv, dst));
                        gated += fbnn_popcount32(SIMD_FN(pg_out_ab)(a1, b1, base, gv, dst + FBNN_SIMD_OB));
                        t++;
                        continue;
                    }
                    fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                    base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                    SIMD_FN(window2_nib1)(planes, planes + 2 * FBNN_SIMD_NIB_WORDS, wn, p->k, nw, p->in_w,
                                          ((size_t)(iy0 + ky_lo - r_lo) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) *
                                              (size_t)nw,
                                          ky_lo, ky_hi, kx_lo, kx_hi, cm, cl);
                    for (j = 0; j < SIMD_NV; j++) SIMD_FN(pg_ab2)(cm[j], cl[j], &a[j], &b[j]);
                    gated += fbnn_popcount32(SIMD_FN(pg_out_ab)(a, b, base, gv, dst));
                }
                SIMD_FN(rowskew_put)(&rs, tw, p, o0, oy, ox0, out);
            }
        }
        SIMD_FN(rowskew_end)(&rs, p, o0, out);
    }
    if (n_gated != NULL) *n_gated = gated;
    return 1;
}
#endif /* FBNN_SIMD_HAVE_NIBBLES */
