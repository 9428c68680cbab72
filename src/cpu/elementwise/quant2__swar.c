/*
 * Q2 quantise-and-pack (kernels/fbnn_k_quant2_pack.c) for the "swar" ISA
 * (microcontrollers): the same compares per value, but the 32 bits of an
 * output word are gathered in registers and stored once, instead of a
 * read-modify-write of both planes in memory per channel (which the
 * compiler must keep, as the planes could alias the input). Exact: the
 * bits are the reference's compares of the same values.
 */
#include "dispatch.h"

int fbnn_k_quant2_pack__swar(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb, uint32_t *lsb)
{
    const fbnn_real t = FBNN_R_TWO_THIRDS, neg_t = -FBNN_R_TWO_THIRDS;
    int32_t nw, word, ch, ch_end;
    size_t plane, pix;

    if (x == NULL || msb == NULL || lsb == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 || w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;

    nw = FBNN_WORDS(c);
    plane = (size_t)h * (size_t)w;
    for (pix = 0; pix < plane; ++pix) {
        for (word = 0; word < nw; ++word) {
            uint32_t m = 0u, l = 0u, bit = 1u;
            const fbnn_real *v = x + (size_t)word * 32u * plane + pix;
            ch_end = c - word * 32 < 32 ? c - word * 32 : 32;
            for (ch = 0; ch < ch_end; ++ch, bit <<= 1, v += plane) {
                const fbnn_real a = *v;
                if (fbnn_r_ge(a, FBNN_R_ZERO)) m |= bit;
                if (fbnn_r_gt(a, t) || (fbnn_r_ge(a, neg_t) && fbnn_r_gt(FBNN_R_ZERO, a))) l |= bit;
            }
            msb[pix * (size_t)nw + (size_t)word] = m;
            lsb[pix * (size_t)nw + (size_t)word] = l;
        }
    }
    return FBNN_K_OK;
}
