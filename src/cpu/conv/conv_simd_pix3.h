/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after conv_simd_pixgemm.h (not a header of its own): 3x3 stride-1 pad-1
 * convs over one word of input channels (17 to 32: the ImageNet network's
 * first PGconv3x3, 32 channels at 112 x 112) with the vector lanes over 16
 * consecutive pixels of an output row.
 *
 * Why: with one word per pixel the channel-lane paths spend as much on
 * their epilogue and [pixel][channel] tile transposition as on the
 * popcounts (Zen 4, 32 -> 32 at 112 x 112: 40 % of the xor+popcount rate).
 * With one word per pixel the packed input of 16 consecutive pixels is one
 * vector, so each tap of the window is one (unaligned) load of the input
 * row, shifted by the tap's column; no transposition of the input either.
 * Per register block (16 pixels x PIX3_P channels) and tap: one xor with
 * the channel's broadcast weight word, one popcount, one add; results go
 * straight to their plane.
 *
 * Borders, exactly as the reference (padded taps contribute nothing): the
 * rows above / below the map are skipped for all lanes; in the columns,
 * the lanes whose tap falls outside the row are masked out of the popcount
 * (vc_xpop_mask), and each lane's base is in_c times its own count of
 * in-map taps. A last partial group of a row loads and stores only its
 * pixels. PG: gates as integer compares on 2*Sm (fbnn_simd_gate_int), the
 * LSB pass where one fires, pg_out's integers and fl(n / 3): bit for bit the
 * reference's (the epilogue shared with the 1x1 path, conv_simd_pixlane.h).
 *
 * An instance turns the path on with FBNN_SIMD_PIX3 (VL = 16 u32 lanes,
 * counts in 32-bit lanes) and provides vu_load_mask (a masked load that
 * touches no masked-off element), vu_shift_up1 (lanes moved up by one,
 * lane 0 zero), vc_xpop_mask (popcount of the lanes in a mask only) and
 * what conv_simd_pixlane.h asks for.
 */
#if defined(FBNN_SIMD_PIX3)

/* Output channels per register block. */
#define PIX3_P 8

/* The 3 column taps of one input row for the 16 pixels from x0:
 * t[kx] lane l = row[x0 + l + kx - 1] in the lanes of mk[kx] (those inside
 * the row and the group), zero elsewhere. */
static FBNN_SIMD_INLINE void SIMD_FN(pix3_taps)(const uint32_t *row, int32_t x0, const unsigned *mk, vu *t)
{
    t[1] = vu_load_mask(row + x0, mk[1]);
    /* x0 - 1 is before the row only in the first group: shift the centre up. */
    t[0] = x0 > 0 ? vu_load_mask(row + x0 - 1, mk[0]) : vu_shift_up1(t[1]);
    /* x0 + 16 may be past the row (and the map) in the last group: the mask
     * keeps the load inside. */
    t[2] = vu_load_mask(row + x0 + 1, mk[2]);
}

/* pc[c] (c < nc) = per lane, the popcounts over the in-map taps; x: the 9
 * taps (3 rows x 3 columns, rows outside the map absent: rows ky_lo .. ky_hi - 1);
 * w: channel c's 9 weight words at w + 9 * c. */
static FBNN_SIMD_INLINE void SIMD_FN(pix3_pass)(const vu *x, int32_t ky_lo, int32_t ky_hi, const unsigned *mk,
                                                int interior, const uint32_t *w, int32_t nc, vu *pc)
{
    int32_t c, ky, kx;
    for (c = 0; c < nc; c++) pc[c] = vu_zero();
    for (ky = ky_lo; ky < ky_hi; ky++)
        for (kx = 0; kx < 3; kx++) {
            const vu xv = x[ky * 3 + kx];
            if (interior || kx == 1) {
                for (c = 0; c < nc; c++) pc[c] = vc_xpop(pc[c], xv, vu_bcast(w[(size_t)c * 9u + (size_t)(ky * 3 + kx)]));
            } else {
                for (c = 0; c < nc; c++)
                    pc[c] = vc_xpop_mask(pc[c], xv, vu_bcast(w[(size_t)c * 9u + (size_t)(ky * 3 + kx)]), mk[kx]);
            }
        }
}

static FBNN_SIMD_NOINLINE int SIMD_FN(pix3_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                                 const fbnn_real *thr, const fbnn_conv_params *p, int32_t y0,
                                                 int32_t y1, fbnn_real *out, uint32_t *n_gated)
{
    int32_t gall[PIXLANE_GATES];
    const int32_t w = p->in_w, h = p->in_h, lim = 128 * 9;
    const size_t hw = (size_t)p->out_h * (size_t)p->out_w;
    int32_t y, o0, x0, j;
    uint32_t gated = 0u;

    if (p->k != 3 || p->stride != 1 || p->pad != 1 || FBNN_WORDS(p->in_c) != 1 || p->in_c <= 16 ||
        p->out_h != h || p->out_w != w || w < VL || (lsb != NULL && p->out_c > PIXLANE_GATES))
        return 0;
    if (lsb != NULL) SIMD_FN(pixlane_gates_all)(thr, p->out_c, lim, gall);
    /* Channel blocks outermost: each writes its PIX3_P planes front to
     * back. With rows outermost every row touched all out_c planes at once,
     * and on a 112 x 112 map (planes 49 KiB apart, written from cold
     * memory) the layer took 1.8x as long inside the network as on its own. */
    for (o0 = 0; o0 < p->out_c; o0 += PIX3_P) {
        const int32_t nc = p->out_c - o0 < PIX3_P ? p->out_c - o0 : PIX3_P;
        const uint32_t *wc = weights + (size_t)o0 * 9u;
        for (y = y0; y < y1; y++) {
            const int32_t ky_lo = y == 0 ? 1 : 0, ky_hi = y == h - 1 ? 2 : 3;
            for (x0 = 0; x0 < w; x0 += VL) {
                const int32_t n = w - x0 < VL ? w - x0 : VL;
                const unsigned lanes = vm_head(n);
                float *const dst = out + (size_t)o0 * hw + (size_t)y * (size_t)w + (size_t)x0;
                unsigned mk[3], any;
                int32_t ky;
                int interior;
                FBNN_SIMD_ALIGN uint32_t basel[VL];
                vu bv, xs[9], pm[PIX3_P], pl[PIX3_P];
                vm m[PIX3_P];
                /* Lanes whose column tap kx is inside the row. */
                mk[0] = x0 == 0 ? lanes & ~1u : lanes;
                mk[1] = lanes;
                mk[2] = x0 + VL < w ? lanes : lanes & vm_head(w - x0 - 1);
                interior = mk[0] == vm_head(VL) && mk[2] == vm_head(VL);
                if (interior) {
                    bv = vu_bcast((uint32_t)(p->in_c * (ky_hi - ky_lo) * 3));
                } else {
                    for (j = 0; j < VL; j++)
                        basel[j] = (uint32_t)(p->in_c * (ky_hi - ky_lo) *
                                              (1 + (int32_t)((mk[0] >> j) & 1u) + (int32_t)((mk[2] >> j) & 1u)));
                    bv = vu_load(basel);
                }
                for (ky = ky_lo; ky < ky_hi; ky++)
                    SIMD_FN(pix3_taps)(msb + (size_t)(y + ky - 1) * (size_t)w, x0, mk, xs + ky * 3);
                if (nc == PIX3_P) SIMD_FN(pix3_pass)(xs, ky_lo, ky_hi, mk, interior, wc, PIX3_P, pm);
                else SIMD_FN(pix3_pass)(xs, ky_lo, ky_hi, mk, interior, wc, nc, pm);
                if (lsb == NULL) {
                    SIMD_FN(pixlane_bin_out)(pm, bv, nc, n, dst, hw);
                    continue;
                }
                any = SIMD_FN(pixlane_gate)(pm, bv, gall + o0, nc, lanes, m);
                if (any == 0u) {
                    SIMD_FN(pixlane_pg_out)(pm, NULL, m, bv, nc, lanes, n, dst, hw);
                    continue;
                }
                for (ky = ky_lo; ky < ky_hi; ky++)
                    SIMD_FN(pix3_taps)(lsb + (size_t)(y + ky - 1) * (size_t)w, x0, mk, xs + ky * 3);
                if (nc == PIX3_P) SIMD_FN(pix3_pass)(xs, ky_lo, ky_hi, mk, interior, wc, PIX3_P, pl);
                else SIMD_FN(pix3_pass)(xs, ky_lo, ky_hi, mk, interior, wc, nc, pl);
                gated += SIMD_FN(pixlane_pg_out)(pm, pl, m, bv, nc, lanes, n, dst, hw);
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return 1;
}

#undef PIX3_P
#endif /* FBNN_SIMD_PIX3 */
