/*
 * k-bit activation x multi-base binary weight conv (KCONV, op 20) with the
 * activation bit planes of each output pixel unpacked once. Entry point
 * fbnn_k_kconv__<KC_SUFFIX> (the instance file, kconv__<isa>.c, defines
 * KC_SUFFIX and compiles it with its ISA's flags: on x86 -mpopcnt makes
 * every popcount one instruction, on AArch64 the compiler's cnt).
 *
 * Bit-identical to kernels/fbnn_k_kconv.c: the integer sums I_m are exact
 * (< 2^24, any order gives the same integer) and the float part is the
 * reference's, per output in base order: out = 0; out = out + alpha * I_m.
 * What changes is where the work goes: the reference extracts every plane
 * word (plane_word: two shifts and a mask when in_c % 32 != 0) once per
 * tap, word, plane, base and OUTPUT CHANNEL; here the k*k taps of an
 * output pixel are unpacked once into a stack buffer, plane-major
 * [plane][tap][word], padded taps as zero words (they add 0 to both
 * popcount(b & w) and popcount(b)), with sum popcount(b) per plane (the
 * same for every output channel). Each output channel and base is then a
 * straight pass over its k*k*nw weight words: D_i = 2 popcount(b_i & w) -
 * popcount(b_i). A window larger than the buffer runs the reference.
 */
#ifndef FBNN_KCONV_POPC_H
#define FBNN_KCONV_POPC_H

#include <string.h>

#include "fbnn_kernels.h"

#define KC_CAT2_(a, b) a##__##b
#define KC_CAT_(a, b) KC_CAT2_(a, b)
#define KC_NAME(op) KC_CAT_(op, KC_SUFFIX)

/* Plane words of one output pixel: planes * k*k * nw <= KC_BUF_WORDS. */
#define KC_BUF_WORDS 4096

/* Word j of plane pl of a packed pixel (the reference's plane_word). */
static uint32_t kc_plane_word(const uint32_t *px, int32_t nwp, int32_t c, int32_t pl, int32_t j)
{
    int32_t off = pl * c + 32 * j, wi = off / 32, sh = off % 32, left = c - 32 * j;
    uint32_t v = px[wi] >> sh;
    if (sh != 0 && wi + 1 < nwp) v |= px[wi + 1] << (32 - sh);
    if (left < 32) v &= ((uint32_t)1u << left) - 1u;
    return v;
}

/* sum_q popcount(b[pl*nq + q] & w[q]) for each plane (PL planes, a constant at every call). */
static inline __attribute__((always_inline)) void kc_dot(const uint32_t *b, const uint32_t *w, int32_t nq,
                                                         const int PL, int32_t *a)
{
    int32_t q, pl;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    /* Two words per 64-bit popcount (memcpy: no alignment assumed). */
    for (q = 0; q + 2 <= nq; q += 2) {
        uint64_t wq, v;
        memcpy(&wq, w + q, sizeof wq);
        memcpy(&v, b + q, sizeof v);
        s0 += (int32_t)__builtin_popcountll(v & wq);
        if (PL > 1) {
            memcpy(&v, b + nq + q, sizeof v);
            s1 += (int32_t)__builtin_popcountll(v & wq);
        }
        if (PL > 2) {
            memcpy(&v, b + 2 * nq + q, sizeof v);
            s2 += (int32_t)__builtin_popcountll(v & wq);
        }
        if (PL > 3) {
            memcpy(&v, b + 3 * nq + q, sizeof v);
            s3 += (int32_t)__builtin_popcountll(v & wq);
        }
    }
    for (; q < nq; ++q) {
        const uint32_t wq = w[q];
        s0 += (int32_t)fbnn_popcount32(b[q] & wq);
        if (PL > 1) s1 += (int32_t)fbnn_popcount32(b[nq + q] & wq);
        if (PL > 2) s2 += (int32_t)fbnn_popcount32(b[2 * nq + q] & wq);
        if (PL > 3) s3 += (int32_t)fbnn_popcount32(b[3 * nq + q] & wq);
    }
    a[0] = s0;
    a[1] = s1;
    a[2] = s2;
    a[3] = s3;
    (void)pl;
}

int KC_NAME(fbnn_k_kconv)(const uint32_t *in, const uint32_t *weights, const fbnn_real *alpha,
                          const fbnn_conv2_params *p, fbnn_real *out)
{
    uint32_t buf[KC_BUF_WORDS];
    int32_t nw, nwp, nq, o, oy, ox, m, pl, ky, kx, j;
    size_t hw;

    if (in == NULL || weights == NULL || alpha == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv2_params_check(p) != FBNN_K_OK || p->groups != 1) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(p->in_c);
    nwp = FBNN_WORDS(p->planes * p->in_c);
    nq = p->k * p->k * nw;
    if ((int64_t)nq * p->planes > KC_BUF_WORDS) return fbnn_k_kconv(in, weights, alpha, p, out);
    hw = (size_t)p->out_h * (size_t)p->out_w;
    for (oy = 0; oy < p->out_h; ++oy) {
        const int32_t iy0 = oy * p->stride - p->pad_t;
        for (ox = 0; ox < p->out_w; ++ox) {
            const int32_t ix0 = ox * p->stride - p->pad_l;
            int32_t pc[4] = {0, 0, 0, 0};
            /* Unpack the window: buf[pl][(ky*k + kx)*nw + j]. */
            for (ky = 0; ky < p->k; ++ky) {
                for (kx = 0; kx < p->k; ++kx) {
                    const int32_t iy = iy0 + ky, ix = ix0 + kx, t = (ky * p->k + kx) * nw;
                    const int valid = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
                    const uint32_t *xp =
                        valid ? in + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)nwp : in;
                    for (pl = 0; pl < p->planes; ++pl) {
                        for (j = 0; j < nw; ++j) {
                            uint32_t b = valid ? kc_plane_word(xp, nwp, p->in_c, pl, j) : 0u;
                            buf[pl * nq + t + j] = b;
                            pc[pl] += (int32_t)fbnn_popcount32(b);
                        }
                    }
                }
            }
            for (o = 0; o < p->out_c; ++o) {
                fbnn_real acc = FBNN_R_ZERO;
                for (m = 0; m < p->bases; ++m) {
                    const uint32_t *wo = weights + (size_t)(m * p->out_c + o) * (size_t)nq;
                    int32_t a[4], isum = 0;
                    switch (p->planes) {
                    case 1: kc_dot(buf, wo, nq, 1, a); break;
                    case 2: kc_dot(buf, wo, nq, 2, a); break;
                    case 3: kc_dot(buf, wo, nq, 3, a); break;
                    default: kc_dot(buf, wo, nq, 4, a); break;
                    }
                    for (pl = 0; pl < p->planes; ++pl) isum += (2 * a[pl] - pc[pl]) * ((int32_t)1 << pl);
                    acc = fbnn_r_add(acc, fbnn_r_mul(alpha[m * p->out_c + o], fbnn_r_from_s32(isum)));
                }
                out[(size_t)o * hw + (size_t)oy * (size_t)p->out_w + (size_t)ox] = acc;
            }
        }
    }
    return FBNN_K_OK;
}

#endif /* FBNN_KCONV_POPC_H */
