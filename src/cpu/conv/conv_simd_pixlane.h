/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * before conv_simd_pixgemm.h and conv_simd_pix3.h (not a header of its
 * own): what the two pixel-lane paths share. In both, one vector holds 16
 * consecutive pixels of ONE output channel and a register block is nc <= 8
 * such channels; they differ only in how they count (1x1 over nw words,
 * 3x3 over one word with masked border taps).
 *
 *  - pixlane_gates_all: the integer PG gates (fbnn_simd_gate_int, 16
 *    channels per gates16 call) of all output channels, made once per call
 *    into a stack array of PIXLANE_GATES entries; layers with more output
 *    channels are not taken by these paths.
 *  - pixlane_gate / pixlane_pg_out / pixlane_bin_out: the epilogue of one
 *    register block. The base (in_c times the number of in-map taps) is a
 *    vector, one value per lane: all lanes alike on the 1x1 path, per lane
 *    on the 3x3 path's border columns. Exactly pg_out's integers: 2*Sm =
 *    2*(base - 2*pm); where the gate fires 2*Sm + Sl, Sl = base - 2*pl;
 *    then fl(n / 3) per lane (vf_third), the reference's bit for bit.
 *
 * An instance that sets FBNN_SIMD_PIXGEMM or FBNN_SIMD_PIX3 provides
 * vm_head(n) (the mask bits of the first n <= VL lanes), vu_sub and
 * vf_store_head (the first n < VL lanes of a float vector stored, nothing
 * written past them).
 */
#if defined(FBNN_SIMD_PIXGEMM) || defined(FBNN_SIMD_PIX3)

/* Output channels whose gates a pixel-lane call makes at once (8 KiB of
 * stack); wider layers go to the channel-lane paths. */
#define PIXLANE_GATES 2048

/* g[c] = fbnn_simd_gate_int(thr[c], lim) for c < n <= PIXLANE_GATES. Once
 * per call, not per register block or chunk: per 16-channel block the
 * scalar gate cost about a tenth of a 256 -> 256 28 x 28 layer. */
static FBNN_SIMD_INLINE void SIMD_FN(pixlane_gates_all)(const fbnn_real *thr, int32_t n, int32_t lim, int32_t *g)
{
    int32_t c;
    for (c = 0; c < n; c += 16) SIMD_FN(gates16)(thr + c, n - c < 16 ? n - c : 16, lim, g + c);
}

/* The first n lanes of v to dst (n == VL: one whole store). */
static FBNN_SIMD_INLINE void SIMD_FN(pixlane_store)(float *dst, vf v, int32_t n)
{
    if (n == VL)
        vf_store(dst, v);
    else
        vf_store_head(dst, v, n);
}

/* After the MSB pass: pm[c] (per lane, the popcounts of channel c) becomes
 * 2*Sm = 2*(bv - 2*pm) and m[c] the lanes whose gate fires (2*Sm > g[c],
 * which is fl(2*Sm / 3) > thr). Returns the lanes, within `lanes`, where
 * any of the nc channels fires: the LSB pass is needed only then. */
static FBNN_SIMD_INLINE unsigned SIMD_FN(pixlane_gate)(vu *pm, vu bv, const int32_t *g, int32_t nc, unsigned lanes,
                                                       vm *m)
{
    unsigned any = 0u;
    int32_t c;
    for (c = 0; c < nc; c++) {
        const vu sm = vu_sub(bv, vu_add(pm[c], pm[c]));
        pm[c] = vu_add(sm, sm);
        m[c] = vu_gt(pm[c], vu_bcast((uint32_t)g[c]));
        any |= vm_bits(m[c]) & lanes;
    }
    return any;
}

/* The PG outputs of the block to dst + c * hw (first n lanes): fl(2*Sm / 3)
 * or, in the lanes of m[c], fl((2*Sm + Sl) / 3) with Sl = bv - 2*pl[c];
 * pl == NULL when no gate of the block fired (no LSB pass was run).
 * Returns the number of gated outputs. */
static FBNN_SIMD_INLINE uint32_t SIMD_FN(pixlane_pg_out)(const vu *pm, const vu *pl, const vm *m, vu bv, int32_t nc,
                                                         unsigned lanes, int32_t n, float *dst, size_t hw)
{
    uint32_t gated = 0u;
    int32_t c;
    for (c = 0; c < nc; c++) {
        if (pl == NULL) {
            SIMD_FN(pixlane_store)(dst + (size_t)c * hw, vf_third(pm[c]), n);
            continue;
        }
        SIMD_FN(pixlane_store)(dst + (size_t)c * hw,
                               vf_third(vu_select(m[c], vu_add(pm[c], vu_sub(bv, vu_add(pl[c], pl[c]))), pm[c])), n);
        gated += fbnn_popcount32(vm_bits(m[c]) & lanes);
    }
    return gated;
}

/* Binary conv outputs bv - 2*pm[c] of the block, as floats. */
static FBNN_SIMD_INLINE void SIMD_FN(pixlane_bin_out)(const vu *pm, vu bv, int32_t nc, int32_t n, float *dst,
                                                      size_t hw)
{
    int32_t c;
    for (c = 0; c < nc; c++)
        SIMD_FN(pixlane_store)(dst + (size_t)c * hw, vf_from_vu(vu_sub(bv, vu_add(pm[c], pm[c]))), n);
}

#endif /* FBNN_SIMD_PIXGEMM || FBNN_SIMD_PIX3 */
