/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after conv_simd_window.h (not a header of its own): the epilogue of the
 * channel-lane paths (blocked, GEMM, split16, nibble, prefix, sparse). From
 * the integer popcounts of 16 output channels to the reference's floats:
 * binary convs base - 2*p, PG convs fl(2*Sm / 3) or, where the integer gate
 * fires, fl((2*Sm + Sl) / 3), bit for bit; and the integer gates
 * themselves (fbnn_simd_gate_int, 16 channels per gates16 call).
 */

/* The PG output of one pixel from its two popcounts (n = 2*Sm, or 2*Sm + Sl
 * where the gate fires; then one fl(n / 3) per lane, the reference's value
 * either way); returns the lanes where the gate fired. */
static FBNN_SIMD_INLINE unsigned SIMD_FN(pg_out)(const vu *pm, const vu *pl, int32_t base, const vu *gv, float *dst)
{
    unsigned bits = 0u;
    int32_t j;
    for (j = 0; j < SIMD_NV; j++) {
        const vu sm = vu_conv_sum(pm[j], base), s2 = vu_add(sm, sm);
        const vm m = vu_gt(s2, gv[j]);
        bits |= vm_bits(m) << (j * VL);
        vf_store(dst + j * VL, vf_third(vu_select(m, vu_add(s2, vu_conv_sum(pl[j], base)), s2)));
    }
    return bits;
}

/* PG outputs of two horizontally adjacent pixels whose windows span all k
 * columns inside the map (window rows [ky_lo, ky_hi) inside it), both
 * planes through one weight load (window2_pair_rows), into the tile rows
 * dst and dst + 16; returns the number of fired gates. */
static FBNN_SIMD_INLINE uint32_t SIMD_FN(pg_pair)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *wb,
                                                  const fbnn_conv_params *p, int32_t nw, int32_t iy0, int32_t ky_lo,
                                                  int32_t ky_hi, int32_t ix0, const vu *gv, float *dst)
{
    vu pm0[SIMD_NV], pl0[SIMD_NV], pm1[SIMD_NV], pl1[SIMD_NV];
    const int32_t base = (ky_hi - ky_lo) * p->k * p->in_c;
    SIMD_FN(window2_pair_rows)(msb, lsb, wb, p, nw,
                               ((size_t)(iy0 + ky_lo) * (size_t)p->in_w + (size_t)ix0) * (size_t)nw,
                               p->stride * nw, ky_lo, ky_hi, pm0, pl0, pm1, pl1);
    return fbnn_popcount32(SIMD_FN(pg_out)(pm0, pl0, base, gv, dst)) +
           fbnn_popcount32(SIMD_FN(pg_out)(pm1, pl1, base, gv, dst + FBNN_SIMD_OB));
}

/* The PG epilogue from a = -4*pm and b = -4*pm - 2*pl (the popcounts of the
 * MSB and LSB planes): 2*Sm = a + 2*base, 2*Sm + Sl = b + 3*base, the same
 * integers as pg_out's, in fewer vector ops when the instance forms a and b
 * straight from its byte counters (pg_ab16, pg_ab2). */
static FBNN_SIMD_INLINE unsigned SIMD_FN(pg_out_ab)(const vu *a, const vu *b, int32_t base, const vu *gv, float *dst)
{
    const vu c2 = vu_bcast((uint32_t)(2 * base)), c3 = vu_bcast((uint32_t)(3 * base));
    unsigned bits = 0u;
    int32_t j;
    for (j = 0; j < SIMD_NV; j++) {
        const vu s2 = vu_add(a[j], c2);
        const vm m = vu_gt(s2, gv[j]);
        bits |= vm_bits(m) << (j * VL);
        vf_store(dst + j * VL, vf_third(vu_select(m, vu_add(b[j], c3), s2)));
    }
    return bits;
}

#ifndef FBNN_SIMD_HAVE_PG_AB
/* a = -4*pm, b = -4*pm - 2*pl from the two popcounts (instances without
 * their own pg_ab16 / pg_ab2; FBNN_SIMD_HAVE_PG_AB16: pg_ab16 only). */
static FBNN_SIMD_INLINE void SIMD_FN(pg_ab_counts)(vu pm, vu pl, vu *a, vu *b)
{
    *a = vu_conv_sum(vu_add(pm, pm), 0);
    *b = vu_add(*a, vu_conv_sum(pl, 0));
}
#if defined(FBNN_SIMD_HAVE_SPLIT16) && !defined(FBNN_SIMD_HAVE_PG_AB16)
/* a, b of pg_out_ab from a split16 counter (msb in bytes 0-1, lsb in 2-3). */
static FBNN_SIMD_INLINE void SIMD_FN(pg_ab16)(vc c, vu *a, vu *b)
{
    vu pm, pl;
    vc_split16(c, &pm, &pl);
    SIMD_FN(pg_ab_counts)(pm, pl, a, b);
}
#endif
/* a, b of pg_out_ab from the MSB and LSB byte counters of one window. */
static FBNN_SIMD_INLINE void SIMD_FN(pg_ab2)(vc cm, vc cl, vu *a, vu *b)
{
    SIMD_FN(pg_ab_counts)(vu_flush(vu_zero(), cm), vu_flush(vu_zero(), cl), a, b);
}
#endif

/* Binary conv outputs base - 2*pc of one pixel into its tile row. */
static FBNN_SIMD_INLINE void SIMD_FN(bin_out)(const vu *pc, int32_t base, float *dst)
{
    int32_t j;
    for (j = 0; j < SIMD_NV; j++) vf_store(dst + j * VL, vf_from_vu(vu_conv_sum(pc[j], base)));
}

/* g[j] = fbnn_simd_gate_int(thr[j], lim) for j < n <= 16, by the
 * instance's 16-lane version where it has one (vu_gates16: the lanes it
 * could not settle take the scalar function). */
static FBNN_SIMD_INLINE void SIMD_FN(gates16)(const fbnn_real *thr, int32_t n, int32_t lim, int32_t *g)
{
    int32_t j;
#if defined(FBNN_SIMD_HAVE_GATES16) && !defined(FBNN_REAL_FIXED_FRAC)
    const unsigned ok = vu_gates16(thr, n, lim, g);
    for (j = 0; j < n; j++)
        if (!((ok >> j) & 1u)) g[j] = fbnn_simd_gate_int(thr[j], lim);
#else
    for (j = 0; j < n; j++) g[j] = fbnn_simd_gate_int(thr[j], lim);
#endif
}

/* The integer gates of output channels o0 .. o0+nb-1 into SIMD_NV vectors
 * (lanes past out_c never fire). */
static FBNN_SIMD_INLINE void SIMD_FN(load_gates)(const fbnn_real *thr, int32_t o0, int32_t nb, int32_t lim, vu *gv)
{
    FBNN_SIMD_ALIGN int32_t gl[FBNN_SIMD_OB];
    int32_t j;
    SIMD_FN(gates16)(thr + o0, nb, lim, gl);
    for (j = nb; j < FBNN_SIMD_OB; j++) gl[j] = lim;
    for (j = 0; j < SIMD_NV; j++) gv[j] = vu_load((const uint32_t *)gl + j * VL);
}
