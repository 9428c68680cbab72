/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * (not a header of its own): the window kernels of the blocked path. One
 * output pixel's (or a pair's) popcounts of (x ^ w) over its in-map taps,
 * for the 16 output channels of a block held in SIMD_NV vectors, plus the
 * plain per-channel loop for layers whose repacked block does not fit the
 * stack buffer (the reference's arithmetic, loop for loop).
 */

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

/* window2 for two horizontally adjacent pixels whose windows span all k
 * columns inside the map, over the window rows [ky_lo, ky_hi) (all k rows
 * inside, or fewer in the top and bottom output rows): xo is the first
 * one's word at window row ky_lo, column 0; the second one's is `step` =
 * stride * nw words right. Four independent counter chains per weight
 * vector load. */
static FBNN_SIMD_INLINE void SIMD_FN(window2_pair_rows)(const uint32_t *xm, const uint32_t *xl, const uint32_t *wb,
                                                        const fbnn_conv_params *p, int32_t nw, size_t xo, int32_t step,
                                                        int32_t ky_lo, int32_t ky_hi, vu *pm0, vu *pl0, vu *pm1,
                                                        vu *pl1)
{
    vc cm0[SIMD_NV], cl0[SIMD_NV], cm1[SIMD_NV], cl1[SIMD_NV];
    const int32_t n = p->k * nw;
    int32_t ky, i, j;
    for (j = 0; j < SIMD_NV; j++) cm0[j] = cl0[j] = cm1[j] = cl1[j] = vc_zero();
    for (ky = ky_lo; ky < ky_hi; ky++) {
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

/* window2_pair_rows over all k window rows (xo: the first pixel's top-left word). */
static FBNN_SIMD_INLINE void SIMD_FN(window2_pair)(const uint32_t *xm, const uint32_t *xl, const uint32_t *wb,
                                                   const fbnn_conv_params *p, int32_t nw, size_t xo, int32_t step,
                                                   vu *pm0, vu *pl0, vu *pm1, vu *pl1)
{
    SIMD_FN(window2_pair_rows)(xm, xl, wb, p, nw, xo, step, 0, p->k, pm0, pl0, pm1, pl1);
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
