/*
 * Real-valued convolution (RCONV, op 18) as one template over the float
 * vector primitives of src/cpu/vec/vec_*.h and three loaders the instance
 * file defines before including it (rconv__<isa>.c):
 *   rc_ld_f32_part(row, ix, s, w, n): lanes j < n hold row[ix + j*s] where
 *       0 <= ix + j*s < w, every other lane 0; nothing else is read;
 *   rc_ld_u8_full(p): lanes j hold (float)p[j], j < VF_LANES;
 *   rc_ld_u8_part(row, ix, s, w, n): as rc_ld_f32_part for 8-bit pixels.
 * Entry point fbnn_k_rconv__<VEC_SUFFIX>.
 *
 * Bit-identical to kernels/fbnn_k_rconv.c. The lanes are VF_LANES
 * neighbouring output pixels of one output row (a 1x1 conv with stride 1
 * and no padding is one row of in_h*in_w pixels); each lane computes its
 * output with the reference's operations in the reference's order:
 * acc = +0; for ci, ky, kx: acc = acc + w*x (a multiply, then an add: the
 * instance files are compiled with -ffp-contract=off and without -mfma);
 * then acc + bias. Taps padded vertically are skipped for the whole row,
 * as the reference skips them. A tap padded horizontally in some lanes is
 * added there as w * 0: acc starts at +0 and a round-to-nearest sum is -0
 * only when both operands are -0, so acc is never -0 and acc + (+-0) ==
 * acc bit for bit (also for inf and NaN acc). w * 0 is +-0 only for a
 * finite w: a layer with a non-finite weight and horizontal padding runs
 * the reference kernel instead (checked once per call).
 * Register blocking: RC_OB output channels of one group share every input
 * vector (the weights are broadcast from their reference layout: no
 * repacking); a group with one output channel and few taps (depthwise)
 * takes RC_NC row chunks per tile instead, so the adds of independent
 * accumulators overlap. Where a tile's chunks are full (every lane in the
 * row, every tap column inside it) rc_tile_full walks plain loads (stride
 * 1, or 2 by de-interleaving loads; the 1x1 case is a loop over the input
 * channels only) with RC_NCF chunks per tile; elsewhere (row borders and
 * ends, strides > 2) rc_tile takes the instance's masked loads, and an
 * 8-bit input's window row is converted once into a small stack buffer
 * (zeros outside the row) that all k taps then read.
 * Instance files may set RC_NCF (default 1) before including this file.
 */
#ifndef FBNN_RCONV_SIMD_H
#define FBNN_RCONV_SIMD_H

#include <string.h>

#include "fbnn_kernels.h"

#define RC_CAT2_(a, b) a##__##b
#define RC_CAT_(a, b) RC_CAT2_(a, b)
#define RC_NAME(op) RC_CAT_(op, VEC_SUFFIX)

#if defined(__GNUC__) || defined(__clang__)
#define RC_INLINE static inline __attribute__((always_inline))
#else
#define RC_INLINE static inline
#endif

/* Unroll the short constant loops over a tile's channels and chunks early,
 * so that the accumulator array becomes registers. */
#if defined(__clang__)
#define RC_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define RC_UNROLL _Pragma("GCC unroll 16")
#else
#define RC_UNROLL
#endif

/* Accumulators of a tile: RC_OB channels x 1 chunk (RC_NCF chunks where
 * they are full), or 1 channel x RC_NC chunks. */
#define RC_OB 8
#define RC_NC 4
#ifndef RC_NCF
#define RC_NCF 1
#endif
/* Accumulator arrays sized to the largest tile exactly: a larger array is
 * kept in memory by GCC (a store per add, measured 4x slower on AVX2). */
#define RC_ACC (RC_OB * RC_NCF > RC_NC ? RC_OB * RC_NCF : RC_NC)

/* The geometry of one call; a 1x1 stride-1 unpadded conv is remapped to
 * one row (in_h = out_h = 1, in_w = out_w = h*w). */
typedef struct rc_geom {
    const fbnn_real *xf;   /* float input, or NULL */
    const uint8_t *xu;     /* 8-bit input when xf is NULL */
    size_t in_plane, hw;   /* input plane and output plane sizes */
    int32_t in_h, in_w, out_w, k, s, pad_t, pad_l;
    size_t wstride;        /* cig * k * k: weights of one output channel */
} rc_geom;

/* Columns read by a full-chunk load at stride s: lanes 0 .. VF_LANES-1 at
 * ix + j*s; vf_load_stride(p, 2) reads 2*VF_LANES floats. */
static int32_t rc_span(int32_t s) { return s == 1 ? VF_LANES : 2 * VF_LANES; }

/* The input vector of tap column ix (first lane) of plane offset `row`. */
RC_INLINE vf rc_load(const rc_geom *g, size_t row, int32_t ix, int32_t n, int full)
{
    if (g->xf != NULL) {
        if (full) return vf_load_stride(g->xf + row + ix, g->s);
        return rc_ld_f32_part(g->xf + row, ix, g->s, g->in_w, n);
    }
    if (full && g->s == 1) return rc_ld_u8_full(g->xu + row + ix);
    return rc_ld_u8_part(g->xu + row, ix, g->s, g->in_w, n);
}

/* n lanes of v to p. */
RC_INLINE void rc_store(fbnn_real *p, vf v, int32_t n)
{
    if (n == VF_LANES) {
        vf_store(p, v);
    } else {
        fbnn_real tmp[VF_LANES];
        vf_store(tmp, v);
        memcpy(p, tmp, (size_t)n * sizeof(fbnn_real));
    }
}

/*
 * One tile: output channels o .. o+OB-1 (weights w0, one group, input
 * channels cbase ..), output row oy, NC chunks of VF_LANES columns from
 * ox0 (nx columns in all, nx > (NC-1)*VF_LANES). OB and NC are constants
 * at every call (the accumulators stay in registers).
 */
RC_INLINE void rc_tile(const rc_geom *g, const fbnn_real *w0, int32_t cig, int32_t cbase, int32_t oy,
                       int32_t ox0, int32_t nx, fbnn_real *y, const fbnn_real *bias, const int OB, const int NC)
{
    vf acc[RC_ACC], xv[RC_NC];
    fbnn_real stage[RC_NC][(VF_LANES - 1) * FBNN_K_MAX_STRIDE + FBNN_K_MAX_KERNEL];
    int32_t ix[RC_NC], n[RC_NC], full[RC_NC];
    const int32_t k = g->k, iy0 = oy * g->s - g->pad_t;
    int32_t ky_lo, ky_hi, ci, ky, kx, b, c;

    fbnn_tap_range(iy0, k, g->in_h, &ky_lo, &ky_hi);
    RC_UNROLL
    for (c = 0; c < NC; ++c) {
        int32_t left = nx - c * VF_LANES;
        n[c] = left < VF_LANES ? left : VF_LANES;
        ix[c] = (ox0 + c * VF_LANES) * g->s - g->pad_l;
        full[c] = n[c] == VF_LANES && g->s <= 2 && (g->xf != NULL || g->s == 1) && ix[c] >= 0 &&
                  ix[c] + (k - 1) + rc_span(g->s) <= g->in_w;
    }
    RC_UNROLL
    for (b = 0; b < OB * NC; ++b) acc[b] = vf_zero();
    for (ci = 0; ci < cig; ++ci) {
        size_t plane = (size_t)(cbase + ci) * g->in_plane;
        for (ky = ky_lo; ky < ky_hi; ++ky) {
            size_t row = plane + (size_t)(iy0 + ky) * (size_t)g->in_w;
            const fbnn_real *wr = w0 + ((size_t)ci * (size_t)k + (size_t)ky) * (size_t)k;
            if (g->xf == NULL) {
                /* 8-bit input, chunk not full: the window row's columns
                 * converted once (zeros outside the row) for all k taps. */
                RC_UNROLL
                for (c = 0; c < NC; ++c) {
                    int32_t e;
                    if (full[c]) continue;
                    for (e = 0; e < (n[c] - 1) * g->s + k; ++e) {
                        const int32_t col = ix[c] + e;
                        stage[c][e] = col >= 0 && col < g->in_w ? fbnn_r_from_s32((int32_t)g->xu[row + (size_t)col]) : FBNN_R_ZERO;
                    }
                }
            }
            for (kx = 0; kx < k; ++kx) {
                RC_UNROLL
                for (c = 0; c < NC; ++c)
                    xv[c] = g->xf == NULL && !full[c] ? rc_ld_f32_part(stage[c], kx, g->s, (n[c] - 1) * g->s + k, n[c])
                                                      : rc_load(g, row, ix[c] + kx, n[c], full[c]);
                RC_UNROLL
                for (b = 0; b < OB; ++b) {
                    const vf wv = vf_bcast(wr + (size_t)b * g->wstride + (size_t)kx);
                    RC_UNROLL
                    for (c = 0; c < NC; ++c) acc[b * NC + c] = vf_add(acc[b * NC + c], vf_mul(wv, xv[c]));
                }
            }
        }
    }
    RC_UNROLL
    for (b = 0; b < OB; ++b) {
        RC_UNROLL
        for (c = 0; c < NC; ++c) {
            vf v = acc[b * NC + c];
            if (bias != NULL) v = vf_add(v, vf_bcast(bias + b));
            rc_store(y + (size_t)b * g->hw + (size_t)c * VF_LANES, v, n[c]);
        }
    }
}

/*
 * The same for NC chunks that are all full (every lane in the row, every
 * tap column inside it): plain loads, pointer walks, no per-tap checks.
 * S (1 or 2) is the stride, U8 the 8-bit input (S == 1 only), K1 a 1x1
 * kernel (a loop over the input channels only); channels
 * b >= nob of a partial block repeat channel nob-1's weights and are not
 * stored. OB, NC, S and U8 are constants at every call.
 */
RC_INLINE void rc_tile_full(const rc_geom *g, const fbnn_real *w0, int32_t nob, int32_t cig, int32_t cbase,
                            int32_t oy, int32_t ox0, fbnn_real *y, const fbnn_real *bias, const int OB, const int NC,
                            const int S, const int U8, const int K1)
{
    vf acc[RC_ACC];
    const fbnn_real *wb[RC_OB];
    const int32_t k = g->k, iy0 = oy * g->s - g->pad_t, ix0 = ox0 * S - g->pad_l;
    int32_t ky_lo, ky_hi, ci, ky, kx, b, c;

    fbnn_tap_range(iy0, k, g->in_h, &ky_lo, &ky_hi);
    RC_UNROLL
    for (b = 0; b < OB; ++b) wb[b] = w0 + (size_t)(b < nob ? b : nob - 1) * g->wstride;
    RC_UNROLL
    for (b = 0; b < OB * NC; ++b) acc[b] = vf_zero();
    if (K1) {
        /* 1x1: one tap per input channel, no padding (pad < k). */
        const size_t row = (size_t)cbase * g->in_plane + (size_t)iy0 * (size_t)g->in_w + (size_t)ix0;
        for (ci = 0; ci < cig; ++ci) {
            const size_t at0 = row + (size_t)ci * g->in_plane;
            vf xv[RC_NC];
            RC_UNROLL
            for (c = 0; c < NC; ++c) {
                const size_t at = at0 + (size_t)(c * VF_LANES * S);
                xv[c] = U8 ? rc_ld_u8_full(g->xu + at) : S == 1 ? vf_load(g->xf + at) : vf_load_stride(g->xf + at, 2);
            }
            RC_UNROLL
            for (b = 0; b < OB; ++b) {
                const vf wv = vf_bcast(wb[b] + ci);
                RC_UNROLL
                for (c = 0; c < NC; ++c) acc[b * NC + c] = vf_add(acc[b * NC + c], vf_mul(wv, xv[c]));
            }
        }
        cig = 0; /* done: skip the general loop */
    }
    for (ci = 0; ci < cig; ++ci) {
        const size_t row0 = (size_t)(cbase + ci) * g->in_plane + (size_t)(iy0 + ky_lo) * (size_t)g->in_w + (size_t)ix0;
        const size_t wo0 = ((size_t)ci * (size_t)k + (size_t)ky_lo) * (size_t)k;
        for (ky = 0; ky < ky_hi - ky_lo; ++ky) {
            const size_t row = row0 + (size_t)ky * (size_t)g->in_w, wo = wo0 + (size_t)ky * (size_t)k;
            for (kx = 0; kx < k; ++kx) {
                vf xv[RC_NC];
                RC_UNROLL
                for (c = 0; c < NC; ++c) {
                    const size_t at = row + (size_t)kx + (size_t)(c * VF_LANES * S);
                    xv[c] = U8 ? rc_ld_u8_full(g->xu + at) : S == 1 ? vf_load(g->xf + at) : vf_load_stride(g->xf + at, 2);
                }
                RC_UNROLL
                for (b = 0; b < OB; ++b) {
                    const vf wv = vf_bcast(wb[b] + wo + (size_t)kx);
                    RC_UNROLL
                    for (c = 0; c < NC; ++c) acc[b * NC + c] = vf_add(acc[b * NC + c], vf_mul(wv, xv[c]));
                }
            }
        }
    }
    RC_UNROLL
    for (b = 0; b < OB && b < nob; ++b) {
        RC_UNROLL
        for (c = 0; c < NC; ++c) {
            vf v = acc[b * NC + c];
            if (bias != NULL) v = vf_add(v, vf_bcast(bias + b));
            vf_store(y + (size_t)b * g->hw + (size_t)c * VF_LANES, v);
        }
    }
}

/* 1 if the nc chunks from column ox are full (see rc_tile). */
static int rc_full(const rc_geom *g, int32_t ox, int32_t nc)
{
    const int32_t ix = ox * g->s - g->pad_l;
    if (ox + nc * VF_LANES > g->out_w || ix < 0 || g->s > 2 || (g->xf == NULL && g->s != 1)) return 0;
    return ix + (nc - 1) * VF_LANES * g->s + (g->k - 1) + rc_span(g->s) <= g->in_w;
}

/* A full tile of OB channels x NC chunks with the loads of this call's input. */
RC_INLINE void rc_full_any(const rc_geom *g, const fbnn_real *w0, int32_t nob, int32_t cig, int32_t cbase, int32_t oy,
                           int32_t ox, fbnn_real *y, const fbnn_real *bias, const int OB, const int NC)
{
    if (g->xf == NULL)
        rc_tile_full(g, w0, nob, cig, cbase, oy, ox, y, bias, OB, NC, 1, 1, 0);
    else if (g->s == 1 && g->k == 1)
        rc_tile_full(g, w0, nob, cig, cbase, oy, ox, y, bias, OB, NC, 1, 0, 1);
    else if (g->s == 1)
        rc_tile_full(g, w0, nob, cig, cbase, oy, ox, y, bias, OB, NC, 1, 0, 0);
    else if (g->k == 1)
        rc_tile_full(g, w0, nob, cig, cbase, oy, ox, y, bias, OB, NC, 2, 0, 1);
    else
        rc_tile_full(g, w0, nob, cig, cbase, oy, ox, y, bias, OB, NC, 2, 0, 0);
}

/* One chunk of VF_LANES columns from ox through the checked loads (rc_tile), nob channels. */
static void rc_chunk(const rc_geom *g, const fbnn_real *w0, int32_t nob, int32_t cig, int32_t cbase, int32_t oy,
                     int32_t ox, fbnn_real *y, const fbnn_real *b0)
{
    const int32_t nx = g->out_w - ox;
    switch (nob) {
    case 8: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 8, 1); break;
    case 7: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 7, 1); break;
    case 6: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 6, 1); break;
    case 5: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 5, 1); break;
    case 4: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 4, 1); break;
    case 3: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 3, 1); break;
    case 2: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 2, 1); break;
    default: rc_tile(g, w0, cig, cbase, oy, ox, nx, y, b0, 1, 1); break;
    }
}

/* Output channels [o, o + nob) of one group, every row: full tiles where
 * the columns allow, the checked chunk elsewhere (borders, row ends). */
static void rc_channels(const rc_geom *g, const fbnn_real *weights, const fbnn_real *bias, int32_t o, int32_t nob,
                        int32_t cig, int32_t cbase, int32_t out_h, fbnn_real *out)
{
    const fbnn_real *w0 = weights + (size_t)o * g->wstride;
    const fbnn_real *b0 = bias != NULL ? bias + o : NULL;
    /* Few taps per output (depthwise) and one channel: chunks of the row
     * share nothing but hide the add latency. */
    const int single = nob == 1 && cig * g->k * g->k < 8;
    int32_t oy, ox;
    for (oy = 0; oy < out_h; ++oy) {
        fbnn_real *yr = out + (size_t)o * g->hw + (size_t)oy * (size_t)g->out_w;
        for (ox = 0; ox < g->out_w; ox += VF_LANES) {
            if (single) {
                if (rc_full(g, ox, RC_NC)) {
                    rc_full_any(g, w0, 1, cig, cbase, oy, ox, yr + ox, b0, 1, RC_NC);
                    ox += (RC_NC - 1) * VF_LANES;
                } else if (rc_full(g, ox, 1)) {
                    rc_full_any(g, w0, 1, cig, cbase, oy, ox, yr + ox, b0, 1, 1);
                } else {
                    rc_chunk(g, w0, 1, cig, cbase, oy, ox, yr + ox, b0);
                }
            } else if (rc_full(g, ox, RC_NCF)) {
                rc_full_any(g, w0, nob, cig, cbase, oy, ox, yr + ox, b0, RC_OB, RC_NCF);
                ox += (RC_NCF - 1) * VF_LANES;
            } else if (RC_NCF > 1 && rc_full(g, ox, 1)) {
                rc_full_any(g, w0, nob, cig, cbase, oy, ox, yr + ox, b0, RC_OB, 1);
            } else {
                rc_chunk(g, w0, nob, cig, cbase, oy, ox, yr + ox, b0);
            }
        }
    }
}

/* 1 if some weight is inf or NaN (w * 0 would not be +-0). */
static int rc_nonfinite(const fbnn_real *w, size_t n)
{
    size_t i;
    uint32_t any = 0u;
    for (i = 0; i < n; ++i) {
        uint32_t u;
        memcpy(&u, &w[i], sizeof u);
        any |= (uint32_t)((u & 0x7f800000u) == 0x7f800000u);
    }
    return any != 0u;
}

int RC_NAME(fbnn_k_rconv)(const fbnn_real *x_real, const uint8_t *x_u8, const fbnn_real *weights,
                          const fbnn_real *bias, const fbnn_conv2_params *p, fbnn_real *out)
{
    rc_geom g;
    int32_t cig, cog, o, grp, out_h;

    if ((x_real == NULL && x_u8 == NULL) || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv2_params_check(p) != FBNN_K_OK || p->planes != 1 || p->bases != 1) return FBNN_K_EBADARG;
    cig = p->in_c / p->groups;
    cog = p->out_c / p->groups;
    g.xf = x_real;
    g.xu = x_u8;
    g.k = p->k;
    g.s = p->stride;
    g.pad_t = p->pad_t;
    g.pad_l = p->pad_l;
    g.in_h = p->in_h;
    g.in_w = p->in_w;
    g.out_w = p->out_w;
    out_h = p->out_h;
    g.in_plane = (size_t)p->in_h * (size_t)p->in_w;
    g.hw = (size_t)p->out_h * (size_t)p->out_w;
    g.wstride = (size_t)cig * (size_t)p->k * (size_t)p->k;
    if ((p->pad_l > 0 || p->pad_r > 0) && rc_nonfinite(weights, (size_t)p->out_c * g.wstride))
        return fbnn_k_rconv(x_real, x_u8, weights, bias, p, out);
    if (p->k == 1 && p->stride == 1 && p->pad_t == 0 && p->pad_l == 0 && p->pad_b == 0 && p->pad_r == 0 &&
        (int64_t)p->in_h * p->in_w <= ((int64_t)1 << 24)) { /* (the row length stays an int32_t) */
        /* Every output pixel reads the same input pixel: one long row. */
        g.in_h = 1;
        g.in_w = p->in_h * p->in_w;
        g.out_w = g.in_w;
        out_h = 1;
    }
    for (grp = 0; grp < p->groups; ++grp) {
        for (o = grp * cog; o < (grp + 1) * cog; o += RC_OB) {
            int32_t nob = (grp + 1) * cog - o;
            if (nob > RC_OB) nob = RC_OB;
            rc_channels(&g, weights, bias, o, nob, cig, grp * cig, out_h, out);
        }
    }
    return FBNN_K_OK;
}

#endif /* FBNN_RCONV_SIMD_H */
