/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the shared window helpers (not a header of its own): 3x3 PG convs
 * over 512 or 1024 channels on maps from 14 x 14 (the ImageNet network's
 * five 512-channel 14 x 14 PGconv3x3 layers) with a sparse LSB pass over
 * (pixel, channel) pairs.
 *
 * Why: the blocked path adds the LSB plane for all 16 channels of a block
 * wherever the gate fires in any of them; with a third of the gates firing
 * that is every pixel, so these layers did the full LSB work, as much as
 * the MSB pass, where a third of it is needed. They run at the machine's
 * xor+popcount rate already, so only less work makes them faster. Here, per
 * tile of pixels and block of 16 channels:
 *  1. the MSB pass as the binary conv runs it (4, 2 or 1 interior pixels per
 *     weight load), then the gates; border pixels (a partial window) take
 *     the dense two-plane window of the blocked path instead and are done;
 *  2. the fired (pixel, channel) pairs of the interior pixels are listed
 *     (one vector compress per pixel, no branches on the gate pattern);
 *  3. each pair is one dot product of the pixel's LSB window (held in
 *     registers while consecutive pairs share the pixel) with the channel's
 *     weight row (the row-major tensor itself), 16 pairs at a time, whose 16
 *     accumulators are reduced in one transposed sum (vu_red16) instead of
 *     16 horizontal sums;
 *  4. the epilogue of pg_out from the saved 2*Sm and the pairs' LSB counts.
 * Every popcount is over the same words as the other paths', so every
 * output is the same integer n and the same fl(n / 3): bit-identical to the
 * reference. Measured on Zen 4 (512 channels, 14 x 14, 36 % fired): the
 * LSB work of a block alone 12.7 -> 5.3 us; whole layers in the network
 * 1.03-1.07x (the MSB-only pass and the pair bookkeeping take back most of
 * the saving). Shapes where it measured slower stay on the blocked path
 * (sparse_rows). Tried and not kept (session 9): the LSB per fired lane with
 * a horizontal sum each (no gain), border pixels made sparse too.
 *
 * An instance turns the path on by defining FBNN_SIMD_SPARSE_LSB (VL = 16,
 * no counter flushes) and providing vu_load_head, vu_store, vu_red16 and
 * vu_compress_lanes.
 */
#ifdef FBNN_SIMD_SPARSE_LSB

/* Windows from this many words (3x3 x 512 channels) take the path. */
#define SPARSE_MIN_WLEN 144
/* Output maps from this size (rows and columns). */
#define SPARSE_MIN_MAP 14
/* Vectors of an LSB window held in registers (1024 channels: 3 x 6). */
#define SPARSE_MAX_NV 18

/* The LSB window of one interior pixel as vectors: k rows of `row` words,
 * each row's last partial vector loaded with zeros past its end. */
static FBNN_SIMD_INLINE void SIMD_FN(sparse_window)(const uint32_t *x, size_t xstep, int32_t k, int32_t row,
                                                    vu *pr)
{
    int32_t ky, i, v = 0;
    for (ky = 0; ky < k; ky++) {
        for (i = 0; i + VL <= row; i += VL) pr[v++] = vu_load(x + i);
        if (i < row) pr[v++] = vu_load_head(x + i, row - i);
        x += xstep;
    }
}

/* popcount(window ^ weight row) of one pair, per lane (summed by vu_red16).
 * The weight row is the tensor's [k][k][nw] row: the same word order. */
static FBNN_SIMD_INLINE vu SIMD_FN(sparse_dot)(const vu *pr, const uint32_t *w, int32_t k, int32_t row)
{
    vc c0 = vc_zero(), c1 = vc_zero();
    int32_t ky, i, v = 0;
    for (ky = 0; ky < k; ky++) {
        for (i = 0; i + VL <= row; i += VL, v++) {
            if (v & 1) c1 = vc_xpop(c1, pr[v], vu_load(w + i));
            else c0 = vc_xpop(c0, pr[v], vu_load(w + i));
        }
        if (i < row) {
            if (v & 1) c1 = vc_xpop(c1, pr[v], vu_load_head(w + i, row - i));
            else c0 = vc_xpop(c0, pr[v], vu_load_head(w + i, row - i));
            v++;
        }
        w += row;
    }
    return vu_add(vu_flush(vu_zero(), c0), vu_flush(vu_zero(), c1));
}

/* Step 3 for the listed pairs (idx = pixel * 16 + lane, pixels ascending):
 * the LSB popcount of each into pl[idx]. xo[t]: pixel t's window offset.
 * Specialised by row words (the compiler then keeps the window in
 * registers), called with constants. */
static FBNN_SIMD_INLINE void SIMD_FN(sparse_pairs)(const uint32_t *lsb, const uint32_t *weights, int32_t o0,
                                                   int32_t wlen, size_t xstep, int32_t k, int32_t row,
                                                   const size_t *xo, const uint32_t *list, int32_t n_pairs,
                                                   uint32_t *pl)
{
    vu pr[SPARSE_MAX_NV], acc[VL];
    int32_t g, j;
    uint32_t cur = 0xffffffffu;
    for (j = 0; j < SPARSE_MAX_NV; j++) pr[j] = vu_zero(); /* loaded at the first pair; for the compiler */
    for (g = 0; g < n_pairs; g += VL) {
        const int32_t n = n_pairs - g < VL ? n_pairs - g : VL;
        FBNN_SIMD_ALIGN uint32_t sums[VL];
        for (j = 0; j < n; j++) {
            const uint32_t idx = list[g + j], t = idx / FBNN_SIMD_OB, lane = idx % FBNN_SIMD_OB;
            if (t != cur) {
                SIMD_FN(sparse_window)(lsb + xo[t], xstep, k, row, pr);
                cur = t;
            }
            acc[j] = SIMD_FN(sparse_dot)(pr, weights + (size_t)(o0 + (int32_t)lane) * (size_t)wlen, k, row);
        }
        for (; j < VL; j++) acc[j] = vu_zero();
        vu_store(sums, vu_red16(acc));
        for (j = 0; j < n; j++) pl[list[g + j]] = sums[j];
    }
}

static FBNN_SIMD_NOINLINE int SIMD_FN(conv_rows_sparse)(const uint32_t *msb, const uint32_t *lsb,
                                                        const uint32_t *weights, const uint32_t *wblk,
                                                        const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0,
                                                        int32_t y1, fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t wbuf[FBNN_SIMD_MAX_WLEN * FBNN_SIMD_OB];
    FBNN_SIMD_ALIGN int32_t s2buf[FBNN_SIMD_TW * FBNN_SIMD_OB];   /* 2*Sm per pixel and lane */
    FBNN_SIMD_ALIGN uint32_t plbuf[FBNN_SIMD_TW * FBNN_SIMD_OB];  /* LSB popcounts of the pairs */
    FBNN_SIMD_ALIGN uint32_t list[FBNN_SIMD_TW * FBNN_SIMD_OB + VL];
    size_t xo[FBNN_SIMD_TW];
    unsigned fired[FBNN_SIMD_TW];
    uint8_t sparse_px[FBNN_SIMD_TW];
    const uint32_t *wb;
    SIMD_FN(rowskew) rs;
    vu gv[SIMD_NV];
    const int32_t nw = FBNN_WORDS(p->in_c), wlen = p->k * p->k * nw, lim = 128 * wlen;
    const int32_t row = p->k * nw, step = p->stride * nw, base_full = p->k * p->k * p->in_c;
    const size_t xstep = (size_t)p->in_w * (size_t)nw;
    int32_t o0, q0, j;
    uint32_t gated = 0u;

    for (j = 0; j < SIMD_NV; j++) gv[j] = vu_bcast((uint32_t)lim);
    /* Lanes of unlisted pairs are read but never selected; defined anyway. */
    memset(plbuf, 0, sizeof plbuf);
    for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
        const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
        wb = SIMD_FN(block_begin)(weights, wblk, wlen, thr, lsb, p, o0, nb, lim, y0, wbuf, gv, &rs);
        for (q0 = y0 * p->out_w; q0 < y1 * p->out_w; q0 += FBNN_SIMD_TW) {
            const int32_t tw = y1 * p->out_w - q0 < FBNN_SIMD_TW ? y1 * p->out_w - q0 : FBNN_SIMD_TW;
            float *const tile = SIMD_FN(rowskew_tile)(&rs);
            int32_t t, n_pairs = 0;
            /* 1. MSB pass and gates (border pixels: both planes, done). */
            for (t = 0; t < tw; t++) {
                const int32_t q = q0 + t, oy = q / p->out_w, ox = q - oy * p->out_w;
                const int32_t iy0 = oy * p->stride - p->pad, ix0 = ox * p->stride - p->pad;
                int32_t run = 0, r;
                vu pc[4][SIMD_NV];
                sparse_px[t] = 0;
                if (iy0 >= 0 && iy0 + p->k <= p->in_h) {
                    /* Interior pixels from t on in this row (up to 4). */
                    while (run < 4 && t + run < tw && ox + run < p->out_w && ix0 + run * p->stride >= 0 &&
                           ix0 + run * p->stride + p->k <= p->in_w)
                        run++;
                }
                if (run == 0) {
                    int32_t ky_lo, ky_hi, kx_lo, kx_hi;
                    vu pl[SIMD_NV];
                    fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                    fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                    if (t + 1 < tw && ox + 1 < p->out_w && ix0 >= 0 && ix0 + p->stride + p->k <= p->in_w) {
                        /* Top or bottom row, two pixels spanning all k
                         * columns: both planes over the in-map window rows. */
                        gated += SIMD_FN(pg_pair)(msb, lsb, wb, p, nw, iy0, ky_lo, ky_hi, ix0, gv,
                                                  tile + (size_t)t * FBNN_SIMD_OB);
                        sparse_px[t + 1] = 0;
                        t++;
                        continue;
                    }
                    SIMD_FN(window2)(msb, lsb, wb, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi, pc[0], pl);
                    gated += fbnn_popcount32(SIMD_FN(pg_out)(pc[0], pl, (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c,
                                                             gv, tile + (size_t)t * FBNN_SIMD_OB));
                    continue;
                }
                {
                    const size_t x0 = (size_t)iy0 * xstep + (size_t)ix0 * (size_t)nw;
                    if (run == 4) {
                        SIMD_FN(window2_pair)(msb, msb + 2 * (size_t)step, wb, p, nw, x0, step, pc[0], pc[2], pc[1],
                                              pc[3]);
                    } else if (run >= 2) {
                        run = 2;
                        SIMD_FN(window2)(msb, msb + step, wb, p, nw, iy0, 0, p->k, ix0, 0, p->k, pc[0], pc[1]);
                    } else {
                        SIMD_FN(window)(msb, wb, p, nw, iy0, 0, p->k, ix0, 0, p->k, pc[0]);
                    }
                    for (r = 0; r < run; r++) {
                        unsigned bits = 0u;
                        for (j = 0; j < SIMD_NV; j++) {
                            const vu sm = vu_conv_sum(pc[r][j], base_full), s2 = vu_add(sm, sm);
                            const vm m = vu_gt(s2, gv[j]); /* = fl(2*Sm / 3) > thr */
                            bits |= vm_bits(m) << (j * VL);
                            vu_store((uint32_t *)s2buf + (size_t)(t + r) * FBNN_SIMD_OB + (size_t)j * VL, s2);
                        }
                        xo[t + r] = x0 + (size_t)(r * step);
                        fired[t + r] = bits;
                        sparse_px[t + r] = 1;
                        /* 2. its fired pairs onto the list */
                        n_pairs += vu_compress_lanes(list + n_pairs, bits, (uint32_t)(t + r) * FBNN_SIMD_OB);
                    }
                    t += run - 1;
                }
            }
            /* 3. the LSB popcounts of the listed pairs */
            if (n_pairs > 0) {
                if (row == 48)
                    SIMD_FN(sparse_pairs)(lsb, weights, o0, wlen, xstep, 3, 48, xo, list, n_pairs, plbuf);
                else if (row == 96)
                    SIMD_FN(sparse_pairs)(lsb, weights, o0, wlen, xstep, 3, 96, xo, list, n_pairs, plbuf);
                else
                    SIMD_FN(sparse_pairs)(lsb, weights, o0, wlen, xstep, p->k, row, xo, list, n_pairs, plbuf);
            }
            /* 4. the epilogue of the interior pixels */
            for (t = 0; t < tw; t++) {
                if (!sparse_px[t]) continue;
                for (j = 0; j < SIMD_NV; j++) {
                    const vu s2 = vu_load((const uint32_t *)s2buf + (size_t)t * FBNN_SIMD_OB + (size_t)j * VL);
                    const vm m = vu_gt(s2, gv[j]);
                    const vu pl = vu_load(plbuf + (size_t)t * FBNN_SIMD_OB + (size_t)j * VL);
                    vf_store(tile + (size_t)t * FBNN_SIMD_OB + (size_t)j * VL,
                             vf_third(vu_select(m, vu_add(s2, vu_conv_sum(pl, base_full)), s2)));
                }
                gated += fbnn_popcount32(fired[t]);
            }
            SIMD_FN(rowskew_put)(&rs, tw, p, o0, q0 / p->out_w, q0 % p->out_w, out);
        }
        SIMD_FN(rowskew_end)(&rs, p, o0, out);
    }
    if (n_gated != NULL) *n_gated = gated;
    return 1;
}

/* Whether a PG conv takes the sparse path (and then ran it). */
static FBNN_SIMD_INLINE int SIMD_FN(sparse_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                                 const uint32_t *wblk, const fbnn_real *thr,
                                                 const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out,
                                                 uint32_t *n_gated)
{
    const int32_t row = p->k * FBNN_WORDS(p->in_c);
    /* Window rows of whole vectors only (512 and 1024 channels): with a
     * partial vector per row (256 channels: 24 words) the pairs cost as
     * much as the dense LSB pass (Zen 4, 28 x 28: 958 against 832 us). */
    if (lsb == NULL || p->k * row < SPARSE_MIN_WLEN || row % VL != 0 || p->k * (row / VL) > SPARSE_MAX_NV) return 0;
    /* Maps with a large share of border pixels, which keep the dense
     * two-plane window here, stay on the blocked path: on 7 x 7 maps (24 of
     * 49 pixels on the border) this path measured 0.92-0.98x of it, also
     * with the border pixels made sparse (zero-padded window copies and a
     * per-tap weight popcount correction, tried and not kept). */
    if (p->out_h < SPARSE_MIN_MAP || p->out_w < SPARSE_MIN_MAP) return 0;
    return SIMD_FN(conv_rows_sparse)(msb, lsb, weights, wblk, thr, p, y0, y1, out, n_gated);
}

#endif /* FBNN_SIMD_SPARSE_LSB */
