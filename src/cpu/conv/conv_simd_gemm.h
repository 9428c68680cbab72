/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after the shared window helpers (not a header of its own): 1x1 stride-1
 * convs (the ImageNet network's PGconv1x1, 32 to 1024 channels) as a
 * register-blocked popcount GEMM.
 *
 * A 1x1 stride-1 unpadded conv is out[o][q] = base - 2 * sum over words i of
 * popcount(x[q][i] ^ w[o][i]): a GEMM whose K dimension is the input words
 * and whose pixels q are contiguous in the pixel-major packed input. The
 * blocked path runs it as a window of one tap per pixel, paying the tap
 * range, border tests and epilogue set-up per pixel (it measured 9-50 % of
 * the xor+popcount probe on these layers). Here one weight vector (16 output
 * channels of word i) is loaded once and matched against FBNN_SIMD_GEMM_P
 * pixels (broadcast words), whose GEMM_P x SIMD_NV counters stay in
 * registers over the whole K loop; no per-pixel tap logic at all.
 *
 * PG convs: the MSB pass first; the LSB pass runs only for register blocks
 * where the gate fires in some lane of some pixel (the sparse LSB pass at
 * the granularity of GEMM_P pixels x 16 channels; with a third of the
 * gates firing that is rare, 0.67^(16 GEMM_P), but it costs one compare per
 * lane). Every output is the same integer through the same pg_out /
 * bin_out epilogue as the other paths, so the results are the reference's
 * bit for bit.
 *
 * An instance turns the path on by defining FBNN_SIMD_GEMM_P (pixels per
 * register block, sized to its register file) before including
 * conv_simd.h; without it the blocked path keeps these layers.
 */
#if defined(FBNN_SIMD_GEMM_P) && FBNN_SIMD_GEMM_P > 0

/* Popcounts of np <= FBNN_SIMD_GEMM_P consecutive pixels (x: the first
 * one's words, nw words per pixel) against one block's weights (wb:
 * [word][16 lanes]): pc[q][j] = sum over the words of popcount(x ^ w) in
 * lanes j*VL ..; np is a literal at every call, so the pixel loops unroll
 * and the counters live in registers. Byte-counter instances flush every
 * FLUSH_EVERY words. */
static FBNN_SIMD_INLINE void SIMD_FN(gemm_pass)(const uint32_t *x, int32_t nw, const uint32_t *wb, int32_t np,
                                                vu pc[][SIMD_NV])
{
    vc c[FBNN_SIMD_GEMM_P][SIMD_NV];
    int32_t i0, i, q, j;
    for (q = 0; q < np; q++)
        for (j = 0; j < SIMD_NV; j++) pc[q][j] = vu_zero();
    for (i0 = 0; i0 < nw; i0 += FLUSH_EVERY) {
        const int32_t i1 = nw - i0 < FLUSH_EVERY ? nw : i0 + FLUSH_EVERY;
        for (q = 0; q < np; q++)
            for (j = 0; j < SIMD_NV; j++) c[q][j] = vc_zero();
        for (i = i0; i < i1; i++) {
            for (j = 0; j < SIMD_NV; j++) {
                const vu w = vu_load(wb + (size_t)i * FBNN_SIMD_OB + (size_t)j * VL);
                for (q = 0; q < np; q++) c[q][j] = vc_xpop(c[q][j], vu_bcast(x[(size_t)q * (size_t)nw + (size_t)i]), w);
            }
        }
        for (q = 0; q < np; q++)
            for (j = 0; j < SIMD_NV; j++) pc[q][j] = vu_flush(pc[q][j], c[q][j]);
    }
}

/* np pixels (q0 .. q0+np-1 of the flattened map) of one block into tile
 * rows dst, dst + 16, ...; returns the number of gated outputs. */
static FBNN_SIMD_INLINE uint32_t SIMD_FN(gemm_pixels)(const uint32_t *msb, const uint32_t *lsb, int32_t nw,
                                                      const uint32_t *wb, size_t q0, int32_t np, int32_t base,
                                                      const vu *gv, float *dst)
{
    vu pm[FBNN_SIMD_GEMM_P][SIMD_NV], pl[FBNN_SIMD_GEMM_P][SIMD_NV];
    uint32_t gated = 0u;
    int32_t q, j;
    SIMD_FN(gemm_pass)(msb + q0 * (size_t)nw, nw, wb, np, pm);
    if (lsb == NULL) {
        for (q = 0; q < np; q++) SIMD_FN(bin_out)(pm[q], base, dst + (size_t)q * FBNN_SIMD_OB);
        return 0u;
    }
    {
        /* Does the gate fire anywhere in this register block? (pg_out's
         * test.) If not, pg_out never reads the LSB counts: pass pm. */
        unsigned any = 0u;
        for (q = 0; q < np; q++)
            for (j = 0; j < SIMD_NV; j++) {
                const vu sm = vu_conv_sum(pm[q][j], base);
                any |= vm_bits(vu_gt(vu_add(sm, sm), gv[j]));
            }
        if (any != 0u) SIMD_FN(gemm_pass)(lsb + q0 * (size_t)nw, nw, wb, np, pl);
        for (q = 0; q < np; q++)
            gated += fbnn_popcount32(
                SIMD_FN(pg_out)(pm[q], any != 0u ? pl[q] : pm[q], base, gv, dst + (size_t)q * FBNN_SIMD_OB));
    }
    return gated;
}

/* Pixels [q_a, q_b) of the flattened map (rows from y0 on) of a 1x1
 * stride-1 unpadded conv whose words fit the repack buffer. */
static FBNN_SIMD_NOINLINE void SIMD_FN(gemm1x1_range)(const uint32_t *msb, const uint32_t *lsb,
                                                      const uint32_t *weights, const uint32_t *wblk,
                                                      const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0,
                                                      int32_t q_a, int32_t q_b, fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t wbuf[FBNN_SIMD_MAX_WLEN * FBNN_SIMD_OB];
    const uint32_t *wb;
    SIMD_FN(rowskew) rs; /* holds the tiles */
    vu gv[SIMD_NV];
    const int32_t nw = FBNN_WORDS(p->in_c);
    /* >= |2*Sm| for any words, padding bits included (as conv_rows_blocked). */
    const int32_t lim = 128 * nw;
    int32_t o0, q0, j;
    uint32_t gated = 0u;

    for (j = 0; j < SIMD_NV; j++) gv[j] = vu_bcast((uint32_t)lim);
    for (o0 = 0; o0 < p->out_c; o0 += FBNN_SIMD_OB) {
        const int32_t nb = p->out_c - o0 < FBNN_SIMD_OB ? p->out_c - o0 : FBNN_SIMD_OB;
        wb = SIMD_FN(block_begin)(weights, wblk, nw, thr, lsb, p, o0, nb, lim, y0, wbuf, gv, &rs);
        /* Chunks of FBNN_SIMD_TW pixels of the flattened rows (input pixel =
         * output pixel), each a tile transposed to the planar output. */
        for (q0 = q_a; q0 < q_b; q0 += FBNN_SIMD_TW) {
            const int32_t tw = q_b - q0 < FBNN_SIMD_TW ? q_b - q0 : FBNN_SIMD_TW;
            float *const tile = SIMD_FN(rowskew_tile)(&rs);
            int32_t t = 0;
            for (; t + FBNN_SIMD_GEMM_P <= tw; t += FBNN_SIMD_GEMM_P)
                gated += SIMD_FN(gemm_pixels)(msb, lsb, nw, wb, (size_t)(q0 + t), FBNN_SIMD_GEMM_P, p->in_c, gv,
                                              tile + (size_t)t * FBNN_SIMD_OB);
            for (; t < tw; t++)
                gated += SIMD_FN(gemm_pixels)(msb, lsb, nw, wb, (size_t)(q0 + t), 1, p->in_c, gv,
                                              tile + (size_t)t * FBNN_SIMD_OB);
            SIMD_FN(rowskew_put)(&rs, tw, p, o0, q0 / p->out_w, q0 % p->out_w, out);
        }
        SIMD_FN(rowskew_end)(&rs, p, o0, out);
    }
    if (n_gated != NULL) *n_gated = gated;
}

/* Returns 1 if it computed rows [y0, y1), 0 if the layer is not a 1x1
 * stride-1 unpadded conv (or its words exceed the repack buffer). */
static FBNN_SIMD_INLINE int SIMD_FN(gemm1x1_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                                  const uint32_t *wblk, const fbnn_real *thr,
                                                  const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out,
                                                  uint32_t *n_gated)
{
    if (p->k != 1 || p->stride != 1 || p->pad != 0 || p->in_h != p->out_h || p->in_w != p->out_w ||
        FBNN_WORDS(p->in_c) > FBNN_SIMD_MAX_WLEN)
        return 0;
    SIMD_FN(gemm1x1_range)(msb, lsb, weights, wblk, thr, p, y0, y0 * p->out_w, y1 * p->out_w, out, n_gated);
    return 1;
}
#endif /* FBNN_SIMD_GEMM_P */
