/*
 * Precision-gated conv for cores without a popcount instruction (the "swar"
 * ISA: Arm Cortex-M). The blocked template (conv_simd.h) keeps 16 output
 * channels' counters in vector registers; with one 32-bit lane per
 * "vector" those 16 (x2 planes) counters spill on a 13-register core, so
 * the PG conv here is direct instead: one output channel at a time, the
 * window's words streamed from the pixel-major input (the kx taps of a row
 * are contiguous: (kx_hi - kx_lo) * words(in_c) words), popcounts kept in
 * four byte counters of one register (swar_xpop, conv_swar.h) and summed
 * once per window (once per row past 31 words). About 11 instructions per word on Thumb-2 against
 * about 25 with a libgcc __popcountsi2 call, and no tile transposition.
 *
 * Exact: the MSB and LSB sums are the same integers as the reference's
 * (kernels/fbnn_k_pgconv.c), and the output is the reference's own float
 * expressions, fbnn_r_third(2*Sm) and, where fbnn_r_gt says the gate fires,
 * fbnn_r_third(2*Sm + Sl).
 */
#include "conv_swar.h"

/* Popcount of a 3x3 window of single words (<= 32 channels) at x against w
 * (9 words), rs words per input row: one byte-counter chain, fully
 * unrolled. */
static inline uint32_t pop3x3w1(const uint32_t *x, size_t rs, const uint32_t *w)
{
    uint32_t c = 0u;
    c = swar_xpop(c, x[0], w[0]);
    c = swar_xpop(c, x[1], w[1]);
    c = swar_xpop(c, x[2], w[2]);
    x += rs;
    c = swar_xpop(c, x[0], w[3]);
    c = swar_xpop(c, x[1], w[4]);
    c = swar_xpop(c, x[2], w[5]);
    x += rs;
    c = swar_xpop(c, x[0], w[6]);
    c = swar_xpop(c, x[1], w[7]);
    c = swar_xpop(c, x[2], w[8]);
    return swar_sum(c);
}

/* The same over multi-word pixels (nr = 3 * nw words per window row). */
static uint32_t pg_interior_3x3(const uint32_t *xm, const uint32_t *xl, size_t rs, int32_t step, int32_t nr,
                                const uint32_t *wo, int32_t base, fbnn_real t, int32_t n, fbnn_real *y)
{
    uint32_t gated = 0u;
    int32_t j;
    for (j = 0; j < n; j++, xm += step, xl += step) {
        const int32_t sm = base - 2 * (int32_t)swar_window_pop_full(xm, rs, wo, 3, nr);
        fbnn_real v = fbnn_r_third(2 * sm);
        if (fbnn_r_gt(v, t)) {
            v = fbnn_r_third(2 * sm + (base - 2 * (int32_t)swar_window_pop_full(xl, rs, wo, 3, nr)));
            ++gated;
        }
        y[j] = v;
    }
    return gated;
}

/* n interior outputs of one row of a 3x3 PG conv over single-word pixels
 * (the common <= 32-channel case): the window pointer steps by the stride,
 * no tap ranges or address arithmetic per output. Same integers and float
 * expressions as the reference. */
static uint32_t pg_interior_3x3w1(const uint32_t *xm, const uint32_t *xl, size_t rs, int32_t stride,
                                  const uint32_t *wo, int32_t base, fbnn_real t, int32_t n, fbnn_real *y)
{
    uint32_t gated = 0u;
    int32_t j;
    for (j = 0; j < n; j++, xm += stride, xl += stride) {
        const int32_t sm = base - 2 * (int32_t)pop3x3w1(xm, rs, wo);
        fbnn_real v = fbnn_r_third(2 * sm);
        if (fbnn_r_gt(v, t)) {
            v = fbnn_r_third(2 * sm + (base - 2 * (int32_t)pop3x3w1(xl, rs, wo)));
            ++gated;
        }
        y[j] = v;
    }
    return gated;
}

int fbnn_k_pgconv_rows__swar(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                             const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                             fbnn_real *out, uint32_t *n_gated)
{
    int32_t nw, nr, o, oy, ox, w1_3x3;
    size_t rs;
    uint32_t gated = 0u;

    if (msb == NULL || lsb == NULL || weights == NULL || threshold == NULL || out == NULL)
        return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    nr = p->k * nw;
    rs = (size_t)p->in_w * (size_t)nw;
    w1_3x3 = p->k == 3 && nw == 1;
    for (o = 0; o < p->out_c; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
        const fbnn_real t = threshold[o];
        fbnn_real *yo = out + (size_t)o * (size_t)p->out_h * (size_t)p->out_w;
        for (oy = y0; oy < y1; ++oy) {
            const int32_t iy0 = oy * p->stride - p->pad;
            int32_t ky_lo, ky_hi;
            fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride - p->pad;
                if (p->k == 3 && ky_hi - ky_lo == 3 && ix0 >= 0 && ix0 + 3 <= p->in_w) {
                    /* the run of interior pixels from here */
                    const int32_t n = (p->in_w - 3 - ix0) / p->stride + 1 < p->out_w - ox
                                          ? (p->in_w - 3 - ix0) / p->stride + 1
                                          : p->out_w - ox;
                    const size_t xo = ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw;
                    fbnn_real *yr = yo + (size_t)oy * (size_t)p->out_w + (size_t)ox;
                    if (w1_3x3)
                        gated += pg_interior_3x3w1(msb + xo, lsb + xo, rs, p->stride, wo, 9 * p->in_c, t, n, yr);
                    else
                        gated += pg_interior_3x3(msb + xo, lsb + xo, rs, p->stride * nw, nr, wo, 9 * p->in_c, t,
                                                 n, yr);
                    ox += n - 1;
                    continue;
                }
                int32_t kx_lo, kx_hi, base, sm;
                fbnn_real y;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                if (ky_hi - ky_lo == p->k && kx_hi - kx_lo == p->k) {
                    const size_t xo = ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw;
                    sm = base - 2 * (int32_t)swar_window_pop_full(msb + xo, rs, wo, p->k, nr);
                    y = fbnn_r_third(2 * sm);
                    if (fbnn_r_gt(y, t)) {
                        const int32_t sl = base - 2 * (int32_t)swar_window_pop_full(lsb + xo, rs, wo, p->k, nr);
                        y = fbnn_r_third(2 * sm + sl);
                        ++gated;
                    }
                    yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = y;
                    continue;
                }
                sm = base - 2 * (int32_t)swar_window_pop(msb, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
                y = fbnn_r_third(2 * sm);
                if (fbnn_r_gt(y, t)) {
                    const int32_t sl =
                        base - 2 * (int32_t)swar_window_pop(lsb, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
                    y = fbnn_r_third(2 * sm + sl);
                    ++gated;
                }
                yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = y;
            }
        }
    }
    if (n_gated != NULL) *n_gated = gated;
    return FBNN_K_OK;
}

int fbnn_k_pgconv__swar(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                        const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out, uint32_t *n_gated)
{
    if (p == NULL) return FBNN_K_EBADARG;
    return fbnn_k_pgconv_rows__swar(msb, lsb, weights, threshold, p, 0, p->out_h, out, n_gated);
}
