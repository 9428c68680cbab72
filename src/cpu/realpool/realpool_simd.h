/*
 * The float max pool and the sign packing of the BNN family (Larq / Bi-Real
 * stems, float epilogues before a binary layer) as one template over the
 * float vector primitives of src/cpu/vec/vec_*.h and three more the
 * instance file (realpool__<isa>.c) defines before including it:
 *   rp_ld_part(p, s, n): lanes j < n hold p[j*s] (nothing else is read),
 *       the other lanes are never stored;
 *   rp_max(m, v): per lane, v where the reference replaces its running
 *       maximum m by the tap v (not (m >= v) and m is not NaN), else m;
 *   rp_or_ge0(acc, v, bit): acc | bit in the lanes where v >= 0 (ordered:
 *       NaN gives 0, -0 gives bit);
 *   rp_kbit_code(x, n): the DoReFa code of x, the reference's operations:
 *       v = 0 unless x >= 0 (NaN: 0), min(v, 1) by v > 1, t = v * n (one
 *       multiply), (t + 2^23) - 2^23 (round half even, t <= 15), then the
 *       integer value of t (exact: t is integral);
 *   rp_or_codebit(acc, code, i, b): acc | (bit i of code) << b.
 * Entry points fbnn_k_maxpool__<VEC_SUFFIX>, fbnn_k_pack_sign__<VEC_SUFFIX>,
 * fbnn_k_quant_kbit__<VEC_SUFFIX> (k-bit activation planes).
 *
 * Bit-identical to kernels/fbnn_k_maxpool.c, fbnn_k_pack_sign.c and
 * fbnn_k_quant_kbit.c: the
 * lanes are VF_LANES outputs (neighbouring pooled outputs of a row; for the
 * sign, neighbouring pixels), each computing exactly the reference's
 * compares in its order. Max pool: only the columns whose windows hold no
 * padded tap are vectorised (the window of every lane then starts at the
 * same tap); the border columns run the reference's per-output code.
 */
#ifndef FBNN_REALPOOL_SIMD_H
#define FBNN_REALPOOL_SIMD_H

#include <string.h>

#include "fbnn_kernels.h"

#define RP_CAT2_(a, b) a##__##b
#define RP_CAT_(a, b) RP_CAT2_(a, b)
#define RP_NAME(op) RP_CAT_(op, VEC_SUFFIX)

/* One output of the reference (taps in row-major order, padded taps skipped). */
static fbnn_real rp_max_one(const fbnn_real *xc, int32_t h, int32_t w, int32_t k, int32_t iy0, int32_t ix0)
{
    int32_t ky_lo, ky_hi, kx_lo, kx_hi, ky, kx;
    fbnn_real m;
    fbnn_tap_range(iy0, k, h, &ky_lo, &ky_hi);
    fbnn_tap_range(ix0, k, w, &kx_lo, &kx_hi);
    m = xc[(size_t)(iy0 + ky_lo) * (size_t)w + (size_t)(ix0 + kx_lo)];
    for (ky = ky_lo; ky < ky_hi; ++ky) {
        for (kx = kx_lo; kx < kx_hi; ++kx) {
            fbnn_real v = xc[(size_t)(iy0 + ky) * (size_t)w + (size_t)(ix0 + kx)];
            if (!fbnn_r_ge(m, v) && fbnn_r_ge(m, m)) m = v;
        }
    }
    return m;
}

int RP_NAME(fbnn_k_maxpool)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s, int32_t pad,
                            fbnn_real *y)
{
    int32_t ho, wo, ch, oy, ox, ox_lo, ox_hi;
    size_t in_plane, out_plane;

    if (x == NULL || y == NULL) return FBNN_K_EBADARG;
    if (fbnn_window_check(c, h, w, k, s, pad, &ho, &wo) != FBNN_K_OK) return FBNN_K_EBADARG;
    in_plane = (size_t)h * (size_t)w;
    out_plane = (size_t)ho * (size_t)wo;
    /* Columns whose window is inside the row: ox*s >= pad and ox*s - pad + k <= w. */
    ox_lo = (pad + s - 1) / s;
    ox_hi = w + pad - k < 0 ? 0 : (w + pad - k) / s + 1;
    if (ox_hi > wo) ox_hi = wo;
    if (ox_lo > ox_hi) ox_lo = ox_hi;
    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * in_plane;
        fbnn_real *yc = y + (size_t)ch * out_plane;
        for (oy = 0; oy < ho; ++oy) {
            const int32_t iy0 = oy * s - pad;
            int32_t ky_lo, ky_hi;
            fbnn_real *yr = yc + (size_t)oy * (size_t)wo;
            fbnn_tap_range(iy0, k, h, &ky_lo, &ky_hi);
            for (ox = 0; ox < ox_lo; ++ox) yr[ox] = rp_max_one(xc, h, w, k, iy0, ox * s - pad);
            for (ox = ox_lo; ox < ox_hi; ox += VF_LANES) {
                const int32_t n = ox_hi - ox < VF_LANES ? ox_hi - ox : VF_LANES, ix0 = ox * s - pad;
                /* vf_load_stride(p, s) reads p[0 .. VF_LANES*s). */
                const int full = n == VF_LANES && s <= VF_STRIDE_MAX && ix0 + (k - 1) + VF_LANES * s <= w;
                const fbnn_real *p0 = xc + (size_t)(iy0 + ky_lo) * (size_t)w + (size_t)ix0;
                vf m = full ? vf_load_stride(p0, s) : rp_ld_part(p0, s, n);
                int32_t ky, kx;
                for (ky = ky_lo; ky < ky_hi; ++ky) {
                    const fbnn_real *pr = xc + (size_t)(iy0 + ky) * (size_t)w + (size_t)ix0;
                    for (kx = 0; kx < k; ++kx) m = rp_max(m, full ? vf_load_stride(pr + kx, s) : rp_ld_part(pr + kx, s, n));
                }
                if (n == VF_LANES) {
                    vf_store(yr + ox, m);
                } else {
                    fbnn_real tmp[VF_LANES];
                    vf_store(tmp, m);
                    memcpy(yr + ox, tmp, (size_t)n * sizeof(fbnn_real));
                }
            }
            for (ox = ox_hi; ox < wo; ++ox) yr[ox] = rp_max_one(xc, h, w, k, iy0, ox * s - pad);
        }
    }
    return FBNN_K_OK;
}

int RP_NAME(fbnn_k_pack_sign)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *out)
{
    int32_t nw, ch, j;
    size_t plane, pix;

    if (x == NULL || out == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 || w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    for (pix = 0; pix + VF_LANES <= plane; pix += VF_LANES) {
        for (j = 0; j < nw; ++j) {
            const int32_t c1 = 32 * j + 32 < c ? 32 * j + 32 : c;
            vw acc = vw_zero();
            for (ch = 32 * j; ch < c1; ++ch)
                acc = rp_or_ge0(acc, vf_load(x + (size_t)ch * plane + pix), vw_set1((uint32_t)1u << (ch & 31)));
            if (nw == 1) {
                vw_store(out + pix, acc);
            } else {
                uint32_t tmp[VF_LANES];
                int32_t i;
                vw_store(tmp, acc);
                for (i = 0; i < VF_LANES; ++i) out[(pix + (size_t)i) * (size_t)nw + (size_t)j] = tmp[i];
            }
        }
    }
    /* The last plane % VF_LANES pixels: the reference's code. */
    for (; pix < plane; ++pix) {
        uint32_t *o = out + pix * (size_t)nw;
        for (j = 0; j < nw; ++j) o[j] = 0u;
        for (ch = 0; ch < c; ++ch)
            if (fbnn_r_ge(x[(size_t)ch * plane + pix], FBNN_R_ZERO)) o[ch >> 5] |= (uint32_t)1u << (ch & 31);
    }
    return FBNN_K_OK;
}

int RP_NAME(fbnn_k_quant_kbit)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t planes, uint32_t *out)
{
    int32_t nw, n, wd, pc, i;
    size_t plane, pix;
    vf nr;

    if (x == NULL || out == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 || w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    if (planes < 1 || planes > 4 || (int64_t)planes * c > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    plane = (size_t)h * (size_t)w;
    if (plane < VF_LANES) return fbnn_k_quant_kbit(x, c, h, w, planes, out);
    n = ((int32_t)1 << planes) - 1;
    nr = vf_set1(fbnn_r_from_s32(n));
    nw = FBNN_WORDS(planes * c);
    /* VF_LANES pixels at a time; the last vector of the plane overlaps the
     * one before it (same values written twice: every word is recomputed). */
    for (pix = 0; pix < plane; pix += VF_LANES) {
        const size_t px = pix + VF_LANES <= plane ? pix : plane - VF_LANES;
        for (wd = 0; wd < nw; ++wd) {
            const int32_t pc1 = 32 * wd + 32 < planes * c ? 32 * wd + 32 : planes * c;
            vw acc = vw_zero();
            for (pc = 32 * wd; pc < pc1; ++pc) {
                /* Packed channel pc is bit pc / c of channel pc % c's code. */
                const vw code = rp_kbit_code(vf_load(x + (size_t)(pc % c) * plane + px), nr);
                acc = rp_or_codebit(acc, code, pc / c, pc & 31);
            }
            if (nw == 1) {
                vw_store(out + px, acc);
            } else {
                uint32_t tmp[VF_LANES];
                vw_store(tmp, acc);
                for (i = 0; i < VF_LANES; ++i) out[(px + (size_t)i) * (size_t)nw + (size_t)wd] = tmp[i];
            }
        }
    }
    return FBNN_K_OK;
}

#endif /* FBNN_REALPOOL_SIMD_H */
