/*
 * Fused elementwise chain, portable C (every optimised set without a chain
 * kernel of its own; the SIMD ones of chain_simd.h fall back to it past 128
 * channels). Why
 * fuse: between two convolutions a ResNet block runs affine -> RPReLU -> add
 * -> affine -> Q2 pack over the same map; one by one, each op streams whole
 * planar maps through the caches; fused, a chunk of FBNN_CHAIN_CHUNK pixels
 * of one channel goes through all steps while it is in L1, and
 * intermediates nobody else reads are never stored. Order: chunk by chunk,
 * channel by channel within a chunk, element by element; a chunk's Q2 words
 * are written when all its channels are done. So every element is read
 * before it (or anything at its index) is written, and Q2 words only after
 * their chunk was read: the in-place contract of fbnn_chain_fn.
 */
#include "chain_step.h"

int fbnn_k_chain__generic(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps, int32_t n_steps,
                          uint32_t *msb, uint32_t *lsb)
{
    const int32_t nw = FBNN_WORDS(c);
    int32_t p0, ch, i, wi;
    if (!fbnn_chain_args_ok(x, c, hw, steps, n_steps, msb, lsb)) return FBNN_K_EBADARG;
    for (p0 = 0; p0 < hw; p0 += FBNN_CHAIN_CHUNK) {
        const int32_t n = hw - p0 < FBNN_CHAIN_CHUNK ? hw - p0 : FBNN_CHAIN_CHUNK;
        /* Words of the chunk's pixels: built in place in msb/lsb, which no
         * read of this chunk touches (the runtime never fuses otherwise). */
        if (msb != NULL)
            for (i = 0; i < n; i++)
                for (wi = 0; wi < nw; wi++) {
                    msb[(size_t)(p0 + i) * (size_t)nw + (size_t)wi] = 0u;
                    lsb[(size_t)(p0 + i) * (size_t)nw + (size_t)wi] = 0u;
                }
        for (ch = 0; ch < c; ch++) {
            const uint32_t b = (uint32_t)1u << (ch & 31);
            for (i = 0; i < n; i++) {
                const size_t idx = (size_t)ch * (size_t)hw + (size_t)(p0 + i);
                const fbnn_real v = fbnn_chain_element(x[idx], steps, n_steps, ch, idx, hw);
                if (msb != NULL) {
                    uint32_t bm, bl;
                    const size_t w = (size_t)(p0 + i) * (size_t)nw + (size_t)(ch >> 5);
                    fbnn_chain_q2_bits(v, &bm, &bl);
                    if (bm) msb[w] |= b;
                    if (bl) lsb[w] |= b;
                }
            }
        }
    }
    return FBNN_K_OK;
}
