/*
 * Precision-gated conv for cores without a popcount instruction (the "swar"
 * ISA: Arm Cortex-M). The blocked template (conv_simd.h) keeps 16 output
 * channels' counters in vector registers; with one 32-bit lane per
 * "vector" those 16 (x2 planes) counters spill on a 13-register core, so
 * the PG conv here is direct instead: one output channel at a time, the
 * window's words streamed from the pixel-major input (the kx taps of a row
 * are contiguous: (kx_hi - kx_lo) * words(in_c) words), popcounts kept in
 * four byte counters of one register (swar_xpop, conv_swar.h) and summed
 * once per window row. About 11 instructions per word on Thumb-2 against
 * about 25 with a libgcc __popcountsi2 call, and no tile transposition.
 *
 * Exact: the MSB and LSB sums are the same integers as the reference's
 * (kernels/fbnn_k_pgconv.c), and the output is the reference's own float
 * expressions, fbnn_r_third(2*Sm) and, where fbnn_r_gt says the gate fires,
 * fbnn_r_third(2*Sm + Sl).
 */
#include "conv_swar.h"

/* Popcount of the window of one output pixel in plane x against weights wo. */
static uint32_t window_pop(const uint32_t *x, const uint32_t *wo, const fbnn_conv_params *p, int32_t nw,
                           int32_t iy0, int32_t ky_lo, int32_t ky_hi, int32_t ix0, int32_t kx_lo, int32_t kx_hi)
{
    const int32_t n = (kx_hi - kx_lo) * nw;
    uint32_t pc = 0u;
    int32_t ky;
    for (ky = ky_lo; ky < ky_hi; ky++) {
        const uint32_t *xr = x + ((size_t)(iy0 + ky) * (size_t)p->in_w + (size_t)(ix0 + kx_lo)) * (size_t)nw;
        const uint32_t *wr = wo + ((size_t)ky * (size_t)p->k + (size_t)kx_lo) * (size_t)nw;
        pc += swar_pop_run(xr, wr, n);
    }
    return pc;
}

/* The window of a pixel whose k x k taps are all inside the map, k*k*nw <=
 * SWAR_RUN words: one byte-counter chain, one sum. x0: the top-left tap's
 * first word; rs: words per input row; nr = k*nw words per window row. The
 * 3x3 single-word case (<= 32 channels) is unrolled by the compiler. */
static inline uint32_t window_pop_full(const uint32_t *x0, size_t rs, const uint32_t *wo, int32_t k, int32_t nr)
{
    uint32_t c = 0u;
    int32_t ky, i;
    if (k == 3 && nr == 3) {
        for (ky = 0; ky < 3; ky++, x0 += rs, wo += 3)
            for (i = 0; i < 3; i++) c = swar_xpop(c, x0[i], wo[i]);
        return swar_sum(c);
    }
    for (ky = 0; ky < k; ky++, x0 += rs, wo += nr)
        for (i = 0; i < nr; i++) c = swar_xpop(c, x0[i], wo[i]);
    return swar_sum(c);
}

int fbnn_k_pgconv_rows__swar(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                             const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                             fbnn_real *out, uint32_t *n_gated)
{
    int32_t nw, nr, o, oy, ox, one_run;
    size_t rs;
    uint32_t gated = 0u;

    if (msb == NULL || lsb == NULL || weights == NULL || threshold == NULL || out == NULL)
        return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    nr = p->k * nw;
    rs = (size_t)p->in_w * (size_t)nw;
    one_run = p->k * nr <= SWAR_RUN;
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
                int32_t kx_lo, kx_hi, base, sm;
                fbnn_real y;
                fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
                base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
                if (one_run && ky_hi - ky_lo == p->k && kx_hi - kx_lo == p->k) {
                    const size_t xo = ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw;
                    sm = base - 2 * (int32_t)window_pop_full(msb + xo, rs, wo, p->k, nr);
                    y = fbnn_r_third(2 * sm);
                    if (fbnn_r_gt(y, t)) {
                        const int32_t sl = base - 2 * (int32_t)window_pop_full(lsb + xo, rs, wo, p->k, nr);
                        y = fbnn_r_third(2 * sm + sl);
                        ++gated;
                    }
                    yo[(size_t)oy * (size_t)p->out_w + (size_t)ox] = y;
                    continue;
                }
                sm = base - 2 * (int32_t)window_pop(msb, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
                y = fbnn_r_third(2 * sm);
                if (fbnn_r_gt(y, t)) {
                    const int32_t sl =
                        base - 2 * (int32_t)window_pop(lsb, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
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
