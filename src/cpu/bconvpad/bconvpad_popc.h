/*
 * The binary conv's padding kernels with popcount instructions: the +-1
 * padding-value correction (BCONV attribute V, after any ISA's zero-padded
 * conv) and the binary conv with per-side padding (TensorFlow 'same' at
 * stride 2). Entry points fbnn_k_bconv_pad_value__<BP_SUFFIX> and
 * fbnn_k_bconv_asym__<BP_SUFFIX> (the instance file, bconvpad__<isa>.c,
 * defines BP_SUFFIX and is compiled with its ISA's flags: -mpopcnt on x86).
 *
 * Bit-identical to kernels/fbnn_k_bconv_pad_value.c and fbnn_k_bconv_asym.c:
 * every output gets the same exact integer (|sum| < 2^24; the order of
 * integer adds does not matter) and the same float conversion / add. The
 * work is reorganised per output channel o:
 *   - T[tap] = 2 popcount(w_tap) - in_c once per channel, and its 2-D
 *     prefix sums, so a window's padded taps sum to total - (the sum over
 *     its valid rectangle) in four lookups (the reference popcounts the
 *     weights of every padded tap of every border output again);
 *   - a window row's valid taps are kx_lo .. kx_hi-1, i.e. (kx_hi-kx_lo)*nw
 *     contiguous words of the pixel-major input and of the weights: one
 *     straight XOR-popcount loop per window row.
 * The prefix table needs (k+1)^2 ints (k <= 15: 256).
 */
#ifndef FBNN_BCONVPAD_POPC_H
#define FBNN_BCONVPAD_POPC_H

#include <string.h>

#include "fbnn_kernels.h"

#define BP_CAT2_(a, b) a##__##b
#define BP_CAT_(a, b) BP_CAT2_(a, b)
#define BP_NAME(op) BP_CAT_(op, BP_SUFFIX)

#define BP_PRE_MAX ((FBNN_K_MAX_KERNEL + 1) * (FBNN_K_MAX_KERNEL + 1))

/* pre[(ky)*(k+1) + kx] = sum of T over taps (< ky, < kx). */
static void bp_prefix(const uint32_t *wo, int32_t k, int32_t nw, int32_t in_c, int32_t *pre)
{
    int32_t ky, kx, i;
    for (kx = 0; kx <= k; ++kx) pre[kx] = 0;
    for (ky = 0; ky < k; ++ky) {
        int32_t row = 0;
        pre[(ky + 1) * (k + 1)] = 0;
        for (kx = 0; kx < k; ++kx) {
            const uint32_t *wp = wo + ((size_t)ky * (size_t)k + (size_t)kx) * (size_t)nw;
            int32_t pc = 0;
            for (i = 0; i < nw; ++i) pc += (int32_t)fbnn_popcount32(wp[i]);
            row += 2 * pc - in_c;
            pre[(ky + 1) * (k + 1) + kx + 1] = pre[ky * (k + 1) + kx + 1] + row;
        }
    }
}

/* Sum of T over the taps [ky_lo, ky_hi) x [kx_lo, kx_hi). */
static inline int32_t bp_rect(const int32_t *pre, int32_t k, int32_t ky_lo, int32_t ky_hi, int32_t kx_lo, int32_t kx_hi)
{
    const int32_t s = k + 1;
    return pre[ky_hi * s + kx_hi] - pre[ky_lo * s + kx_hi] - pre[ky_hi * s + kx_lo] + pre[ky_lo * s + kx_lo];
}

int BP_NAME(fbnn_k_bconv_pad_value)(const uint32_t *weights, const fbnn_conv_params *p, int32_t pad_value,
                                    fbnn_real *out)
{
    int32_t pre[BP_PRE_MAX];
    int32_t nw, o, oy, ox;

    if (weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (pad_value < -1 || pad_value > 1) return FBNN_K_EBADARG;
    if (pad_value == 0 || p->pad == 0) return FBNN_K_OK;
    nw = FBNN_WORDS(p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        const int32_t total = (bp_prefix(wo, p->k, nw, p->in_c, pre), pre[p->k * (p->k + 1) + p->k]);
        for (oy = 0; oy < p->out_h; ++oy) {
            int32_t ky_lo, ky_hi;
            fbnn_tap_range(oy * p->stride - p->pad, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                int32_t kx_lo, kx_hi;
                fbnn_real *y = yo + (size_t)oy * (size_t)p->out_w + (size_t)ox;
                fbnn_tap_range(ox * p->stride - p->pad, p->k, p->in_w, &kx_lo, &kx_hi);
                if (ky_lo == 0 && ky_hi == p->k && kx_lo == 0 && kx_hi == p->k) continue; /* interior */
                *y = fbnn_r_add(*y, fbnn_r_from_s32(pad_value * (total - bp_rect(pre, p->k, ky_lo, ky_hi, kx_lo, kx_hi))));
            }
        }
    }
    return FBNN_K_OK;
}

/* popcount(a[i] ^ b[i]) over n words, two words per 64-bit popcount
 * (memcpy: no alignment assumed; the same integer as word by word). */
static inline int32_t bp_xor_pop(const uint32_t *a, const uint32_t *b, int32_t n)
{
    int32_t i, pc = 0;
    for (i = 0; i + 2 <= n; i += 2) {
        uint64_t x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        pc += (int32_t)__builtin_popcountll(x ^ y);
    }
    if (i < n) pc += (int32_t)fbnn_popcount32(a[i] ^ b[i]);
    return pc;
}

int BP_NAME(fbnn_k_bconv_asym)(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_params *p,
                               int32_t pad_value, fbnn_real *out)
{
    int32_t pre[BP_PRE_MAX];
    int32_t nw, o, oy, ox, ky;

    if (in == NULL || weights == NULL || out == NULL) return FBNN_K_EBADARG;
    if (pad_value < -1 || pad_value > 1) return FBNN_K_EBADARG;
    if (fbnn_k_conv2_params_check(p) != FBNN_K_OK || p->groups != 1 || p->planes != 1 || p->bases != 1)
        return FBNN_K_EBADARG;
    nw = FBNN_WORDS(p->in_c);
    for (o = 0; o < p->out_c; ++o) {
        const size_t kk_nw = (size_t)p->k * (size_t)p->k * (size_t)nw;
        const uint32_t *wo = weights + (size_t)o * kk_nw;
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        int32_t total = 0;
        if (pad_value != 0) {
            bp_prefix(wo, p->k, nw, p->in_c, pre);
            total = pre[p->k * (p->k + 1) + p->k];
        }
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride - p->pad_t;
            int32_t ky_lo, ky_hi;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride - p->pad_l;
                int32_t kx_lo, kx_hi, sum, pc = 0;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                /* Valid taps: (ky_hi-ky_lo)*(kx_hi-kx_lo) of in_c - 2 popcount(x ^ w). */
                for (ky = ky_lo; ky < ky_hi; ++ky) {
                    const uint32_t *xp = in + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) * (size_t)nw;
                    const uint32_t *wp = wo + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw;
                    pc += bp_xor_pop(xp, wp, (kx_hi - kx_lo) * nw);
                }
                sum = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c - 2 * pc;
                if (pad_value != 0) sum += pad_value * (total - bp_rect(pre, p->k, ky_lo, ky_hi, kx_lo, kx_hi));
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = fbnn_r_from_s32(sum);
            }
        }
    }
    return FBNN_K_OK;
}

#endif /* FBNN_BCONVPAD_POPC_H */
