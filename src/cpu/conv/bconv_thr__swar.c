/*
 * Binary conv with the threshold epilogue (BCONV_THR: popcount -> output
 * bit, kernels/fbnn_k_bconv_thr.c) for the "swar" ISA (cores without a
 * popcount instruction: Arm Cortex-M): the reference's loops with the
 * window's popcount from byte counters (conv_swar.h) instead of one
 * __popcountsi2 call per word. Exact: the same integer sum s per output
 * channel and the same fbnn_thr_bit compare.
 */
#include "conv_swar.h"

int fbnn_k_bconv_thr_rows__swar(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                                const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out)
{
    int32_t nw, nwo, nr, o, oy, ox;
    size_t rs;

    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    nwo = FBNN_WORDS(p->out_c);
    nr = p->k * nw;
    rs = (size_t)p->in_w * (size_t)nw;
    for (oy = y0; oy < y1; ++oy) {
        const int32_t iy0 = oy * p->stride - p->pad;
        int32_t ky_lo, ky_hi;
        fbnn_tap_range(iy0, p->k, p->in_h, &ky_lo, &ky_hi);
        for (ox = 0; ox < p->out_w; ++ox) {
            const int32_t ix0 = ox * p->stride - p->pad;
            int32_t kx_lo, kx_hi, base, full;
            uint32_t *yo = out + ((size_t)oy * (size_t)p->out_w + (size_t)ox) * (size_t)nwo;
            const uint32_t *x0;
            fbnn_tap_range(ix0, p->k, p->in_w, &kx_lo, &kx_hi);
            base = (ky_hi - ky_lo) * (kx_hi - kx_lo) * p->in_c;
            full = ky_hi - ky_lo == p->k && kx_hi - kx_lo == p->k;
            x0 = full ? in + ((size_t)iy0 * (size_t)p->in_w + (size_t)ix0) * (size_t)nw : NULL;
            for (o = 0; o < nwo; ++o) yo[o] = 0u;
            for (o = 0; o < p->out_c; ++o) {
                const uint32_t *wo = weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw;
                const uint32_t pc = full ? swar_window_pop_full(x0, rs, wo, p->k, nr)
                                         : swar_window_pop(in, wo, p, nw, iy0, ky_lo, ky_hi, ix0, kx_lo, kx_hi);
                /* OR into memory only for set bits: building the word in a
                 * register instead (one shift + OR per channel and a store
                 * per word) ran 3.4 % more instructions per BinaryNet
                 * inference on Cortex-M4 and 3.7 % on M55 (qemu, session 16;
                 * why was not pinned down: the static code shows no more
                 * stack traffic). */
                if (fbnn_thr_bit(base - 2 * (int32_t)pc, thr[2 * o], thr[2 * o + 1]))
                    yo[o >> 5] |= (uint32_t)1u << (o & 31);
            }
        }
    }
    return FBNN_K_OK;
}
