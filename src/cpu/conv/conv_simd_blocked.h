/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the other paths (not a header of its own): the general blocked
 * path, taken by every layer the cheaper paths decline (any channel count
 * with k*k*words(in_c) <= FBNN_SIMD_MAX_WLEN). Weights of a block of 16
 * output channels are repacked once per call. Windows of <= FLUSH_EVERY
 * words take both PG planes in one pass (binary: 2 or 4 interior pixels
 * per weight load); longer windows run the MSB pass, then the LSB pass
 * only for pixels where the gate fires in some lane of the block.
 */
/* Shared driver: lsb == NULL means a binary conv (out = Sm), otherwise a PG conv. */
static FBNN_SIMD_NOINLINE int SIMD_FN(conv_rows_blocked)(const uint32_t *msb, const uint32_t *lsb,
                                                         const uint32_t *weights, const uint32_t *wblk, const fbnn_real *thr,
                                                         const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                                         fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t wbuf[FBNN_SIMD_MAX_WLEN * FBNN_SIMD_OB];
    const uint32_t *wb;
    SIMD_FN(rowskew) rs; /* holds the tiles */
    vu gv[SIMD_NV];
    int32_t nw, wlen, lim, o0, q0, j;
    uint32_t gated = 0u;

    nw = FBNN_WORDS(p->in_c);
    wlen = p->k * p->k * nw;
    /* >= |2*Sm| for ANY words: Sm = base - 2*pm with pm <= 32*wlen even
     * when padding bits are set (the reference counts them too). */
    lim = 128 * wlen;
    for (j = 0; j < SIMD_NV; j++) gv[j] = vu_bcast((uint32_t)lim);

    for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
        const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
        wb = SIMD_FN(block_begin)(weights, wblk, wlen, thr, lsb, p, o0, nb, lim, y0, wbuf, gv, &rs);
        /* Pixels in chunks of FBNN_SIMD_TW of the flattened output rows
         * (the planar output is contiguous across rows): maps narrower
         * than a chunk (28, 14, 7 columns) fill whole tiles, whose
         * transposition is then vectorised instead of a scalar tail per
         * row. (The row-skewed output runs on maps exactly one chunk wide,
         * where a chunk is a row.) */
        for (q0 = y0 * p->out_w; q0 < y1 * p->out_w; q0 += FBNN_SIMD_TW) {
            const int32_t tw = y1 * p->out_w - q0 < FBNN_SIMD_TW ? y1 * p->out_w - q0 : FBNN_SIMD_TW;
            float *const tile = SIMD_FN(rowskew_tile)(&rs);
            /* Both planes in one pass when the window needs no counter flush. */
            const int one_pass = wlen <= FLUSH_EVERY;
            int32_t t, oy = q0 / p->out_w, row_q = oy * p->out_w, iy0 = -1, ky_lo = 0, ky_hi = 0, full_rows = 0;
            for (t = 0; t < tw; t++) {
                int32_t ix0, kx_lo, kx_hi, base, ox;
                vu pc[SIMD_NV];
                float *dst = tile + (size_t)t * FBNN_SIMD_OB;
                if (t == 0 || q0 + t >= row_q + p->out_w) {
                    /* A new output row: its input rows. */
                    if (t != 0) {
                        row_q += p->out_w;
                        oy++;
                    }
                    iy0 = oy * p->stride - p->pad;
                    fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
                    full_rows = ky_hi - ky_lo == p->k;
                }
                ox = q0 + t - row_q;
                ix0 = ox * p->stride - p->pad;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                if (lsb != NULL && one_pass && t + 1 < tw && ox + 1 < p->out_w && ix0 >= 0 &&
                    ix0 + p->stride + p->k <= p->in_w) {
                    /* Two pixels whose windows span all k columns: the
                     * interior, and the top and bottom rows over their
                     * in-map window rows. */
                    gated += SIMD_FN(pg_pair)(msb, lsb, wb, p, nw, iy0, ky_lo, ky_hi, ix0, gv, dst);
                    t++;
                    continue;
                }
                if (lsb == NULL && one_pass && full_rows && ix0 >= 0 && t + 1 < tw && ox + 1 < p->out_w &&
                    ix0 + p->stride + p->k <= p->in_w) {
                    /* Binary conv, interior pixels: window2(_pair) over
                     * x and x shifted right, 2 or 4 pixels per weight load. */
                    const int32_t step = p->stride * nw, base_full = p->k * p->k * p->in_c;
                    vu p1[SIMD_NV];
                    if (t + 3 < tw && ox + 3 < p->out_w && ix0 + 3 * p->stride + p->k <= p->in_w) {
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
            SIMD_FN(rowskew_put)(&rs, tw, p, o0, q0 / p->out_w, q0 % p->out_w, out);
        }
        SIMD_FN(rowskew_end)(&rs, p, o0, out);
    }
    if (n_gated != NULL) *n_gated = gated;
    return FBNN_K_OK;
}
