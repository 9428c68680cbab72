/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the shared window helpers (not a header of its own): the path for convs with at most 16 input channels,
 * two 16-bit words per lane.
 */
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
#ifdef FBNN_SIMD_HAVE_XPOP16
/* Instances with a 16-bit lane popcount count the two halves apart. */
static FBNN_SIMD_INLINE vc SIMD_FN(xb_pop)(vc c, SIMD_FN(xbc) x, const uint32_t *w) { return vc_xpop16(c, x, vu_load(w)); }
#else
static FBNN_SIMD_INLINE vc SIMD_FN(xb_pop)(vc c, SIMD_FN(xbc) x, const uint32_t *w) { return vc_xpop(c, x, vu_load(w)); }
#endif
#endif

static FBNN_SIMD_INLINE void SIMD_FN(window_split)(const uint32_t *x, const uint32_t *wb, int32_t k, int32_t in_w,
                                                   int32_t iy0, int32_t ky_lo, int32_t ky_hi, int32_t ix0,
                                                   int32_t kx_lo, int32_t kx_hi, vc *c)
{
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
}

/* Two horizontally adjacent interior pixels of a 3x3 window at once (xr at
 * the first one's top-left input word, the second `stride` words right;
 * byte counters out, as window_split's: vc_split16 or pg_ab16 reads them):
 * each weight vector serves both, and two independent counter chains keep
 * the vector units busy. */
static FBNN_SIMD_INLINE void SIMD_FN(window_split_pair3)(const uint32_t *xr, int32_t in_w, int32_t stride,
                                                         const uint32_t *wb, vc *c0, vc *c1)
{
    int32_t ky, kx, j;
    for (j = 0; j < SIMD_NV; j++) c0[j] = c1[j] = vc_zero();
    for (ky = 0; ky < 3; ky++) {
        for (kx = 0; kx < 3; kx++) {
            const SIMD_FN(xbc) xa = SIMD_FN(xb_load)(xr + kx), xb = SIMD_FN(xb_load)(xr + kx + stride);
            for (j = 0; j < SIMD_NV; j++) {
                const uint32_t *w = wb + (size_t)(ky * 3 + kx) * FBNN_SIMD_OB + (size_t)j * VL;
                c0[j] = SIMD_FN(xb_pop)(c0[j], xa, w);
                c1[j] = SIMD_FN(xb_pop)(c1[j], xb, w);
                FBNN_SIMD_PIN(c0[j]);
                FBNN_SIMD_PIN(c1[j]);
            }
        }
        xr += in_w;
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
        vc c0[SIMD_NV];
        int32_t j;
        float *dst = tile + (size_t)t * FBNN_SIMD_OB;
        if (full_rows && t + 3 < tw && ix0 >= 0 && ix0 + 3 * p->stride + 3 <= p->in_w) {
            /* Four interior pixels: pairs (t, t+1) and (t+2, t+3). */
            vu p2[SIMD_NV], p3[SIMD_NV];
            vc c1[SIMD_NV];
            const int32_t base9 = 9 * p->in_c;
            SIMD_FN(window_split_pair3)(comb + (size_t)(iy0 - r_lo) * (size_t)p->in_w + (size_t)ix0, p->in_w,
                                        2 * p->stride, wb, c0, c1);
            for (j = 0; j < SIMD_NV; j++) {
                vc_split16(c0[j], &p0[j], &p1[j]);
                vc_split16(c1[j], &p2[j], &p3[j]);
            }
            SIMD_FN(bin_out)(p0, base9, dst);
            SIMD_FN(bin_out)(p1, base9, dst + FBNN_SIMD_OB);
            SIMD_FN(bin_out)(p2, base9, dst + 2 * FBNN_SIMD_OB);
            SIMD_FN(bin_out)(p3, base9, dst + 3 * FBNN_SIMD_OB);
            t += 3;
            continue;
        }
        fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
        base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
        SIMD_FN(window_split)(comb, wb, p->k, p->in_w, iy0 - r_lo, ky_lo, ky_hi, ix0, kx_lo, kx_hi, c0);
        for (j = 0; j < SIMD_NV; j++) vc_split16(c0[j], &p0[j], &p1[j]);
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

/* The pair words of input rows [r_lo, r_hi) into comb (and its nibble
 * plane): per pixel m | s << 16 with s this pixel's LSB word (PG), or the
 * word `stride` pixels right in the same row (binary; 0 past the row end,
 * never used there). Returns the OR of the bits above 15 of every word
 * (nonzero: the layer does not fit this path). */
static FBNN_SIMD_INLINE uint32_t SIMD_FN(split16_fill)(const uint32_t *msb, const uint32_t *lsb,
                                                       const fbnn_conv_params *p, int32_t r_lo, int32_t r_hi,
                                                       uint32_t *comb)
{
    uint32_t high = 0u;
    size_t i = 0;
    int32_t r, c;
    for (r = r_lo; r < r_hi; r++) {
        const uint32_t *xr = msb + (size_t)r * (size_t)p->in_w;
        for (c = 0; c < p->in_w; c++, i++) {
            const uint32_t m = xr[c], s = lsb != NULL ? lsb[(size_t)r * (size_t)p->in_w + (size_t)c]
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
    return high;
}

/* The weights w | w << 16 of output channels o0 .. o0+nb-1 (kk taps, one
 * word each) as [tap][16 lanes] (and the nibble plane), lanes >= nb zero. */
static FBNN_SIMD_INLINE void SIMD_FN(split16_fill_w)(const uint32_t *weights, int32_t kk, int32_t o0, int32_t nb,
                                                     uint32_t *wb)
{
    int32_t l, t;
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
    SIMD_FN(rowskew) rs; /* holds the tiles */
    /* lim >= |2*Sm| even with set padding bits (0..15 may be, pm <= 16*kk). */
    const int32_t kk = p->k * p->k, lim = 64 * kk;
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
        int32_t r_lo, r_hi;
        fbnn_simd_input_rows(p, b0, b1, &r_lo, &r_hi);
        high |= SIMD_FN(split16_fill)(msb, lsb, p, r_lo, r_hi, comb);
        if (high != 0u) {
            /* Rows of earlier bands may be written already: recomputing
             * them in the general path gives the same values. */
            return 0;
        }
        for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
            const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
            int32_t oy;
            SIMD_FN(split16_fill_w)(weights, kk, o0, nb, wb);
            if (lsb != NULL) SIMD_FN(load_gates)(thr, o0, nb, lim, gv);
            SIMD_FN(rowskew_begin)(&rs, p, nb, b0);
            for (oy = b0; oy < b1; oy++) {
                const int32_t iy0 = oy * p->stride - p->pad;
                int32_t ky_lo, ky_hi, ox0;
                fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                for (ox0 = 0; ox0 < p->out_w; ox0 += FBNN_SIMD_TW) {
                    const int32_t tw = p->out_w - ox0 < FBNN_SIMD_TW ? p->out_w - ox0 : FBNN_SIMD_TW;
                    float *const tile = SIMD_FN(rowskew_tile)(&rs);
                    const int full_rows = p->k == 3 && ky_hi - ky_lo == 3;
                    if (lsb == NULL) {
                        SIMD_FN(split16_bin_chunk)(comb, wb, p, iy0, r_lo, ky_lo, ky_hi, ox0, tw, tile);
                        SIMD_FN(rowskew_put)(&rs, tw, p, o0, oy, ox0, out);
                        continue;
                    }
                    for (t = 0; t < tw; t++) {
                        const int32_t ix0 = (ox0 + t) * p->stride - p->pad;
                        int32_t kx_lo, kx_hi, base, j;
                        vu a[SIMD_NV], b[SIMD_NV];
                        vc c0[SIMD_NV];
                        float *dst = tile + (size_t)t * FBNN_SIMD_OB;
                        if (full_rows && t + 1 < tw && ix0 >= 0 && ix0 + p->stride + 3 <= p->in_w) {
                            vu a2[SIMD_NV], b2[SIMD_NV];
                            vc c1[SIMD_NV];
                            const int32_t base9 = 9 * p->in_c;
                            SIMD_FN(window_split_pair3)(comb + (size_t)(iy0 - r_lo) * (size_t)p->in_w + (size_t)ix0,
                                                        p->in_w, p->stride, wb, c0, c1);
                            for (j = 0; j < SIMD_NV; j++) {
                                SIMD_FN(pg_ab16)(c0[j], &a[j], &b[j]);
                                SIMD_FN(pg_ab16)(c1[j], &a2[j], &b2[j]);
                            }
                            gated += fbnn_popcount32(SIMD_FN(pg_out_ab)(a, b, base9, gv, dst));
                            gated += fbnn_popcount32(SIMD_FN(pg_out_ab)(a2, b2, base9, gv, dst + FBNN_SIMD_OB));
                            t++;
                            continue;
                        }
                        fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                        base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                        SIMD_FN(window_split)(comb, wb, p->k, p->in_w, iy0 - r_lo, ky_lo, ky_hi, ix0, kx_lo, kx_hi,
                                              c0);
                        for (j = 0; j < SIMD_NV; j++) SIMD_FN(pg_ab16)(c0[j], &a[j], &b[j]);
                        gated += fbnn_popcount32(SIMD_FN(pg_out_ab)(a, b, base, gv, dst));
                    }
                    SIMD_FN(rowskew_put)(&rs, tw, p, o0, oy, ox0, out);
                }
            }
            SIMD_FN(rowskew_end)(&rs, p, o0, out);
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return 1;
}
#endif /* FBNN_SIMD_HAVE_SPLIT16 */
