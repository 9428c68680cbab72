/*
 * Thermometer encoding, word-at-a-time (portable C, every ISA's table uses
 * it): the reference sets the n leading bits of a channel one by one; here
 * they are ORed in as at most a few word masks. Same n (round half to even on
 * integers), same layout, so the words are identical; tests/test_simd.c
 * compares them with the reference.
 */
#include "dispatch.h"

#define THERM_MAX_BITS 1024 /* as the reference (FBNN_K_THERM_MAX_BITS) */

int fbnn_k_thermometer__words(const uint8_t *img, int32_t c, int32_t h, int32_t w, int32_t resolution,
                              int32_t bits, uint32_t *out)
{
    int32_t nw, ch, i;
    size_t plane, pix;
    if (img == NULL || out == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 || w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    if (resolution < 1 || resolution > 255) return FBNN_K_EBADARG;
    if (bits < 1 || bits > THERM_MAX_BITS) return FBNN_K_EBADARG;
    if (c > FBNN_K_MAX_DIM / bits) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(c * bits);
    plane = (size_t)h * (size_t)w;
    for (pix = 0; pix < plane; ++pix) {
        uint32_t *o = out + pix * (size_t)nw;
        for (i = 0; i < nw; ++i) o[i] = 0u;
        for (ch = 0; ch < c; ++ch) {
            int32_t p = (int32_t)img[(size_t)ch * plane + pix];
            int32_t q = p / resolution, r = p % resolution, n = q, lo, hi;
            if (2 * r > resolution || (2 * r == resolution && (q & 1) != 0)) n = q + 1;
            if (n > bits) n = bits;
            /* Bits [lo, hi) are set, word by word. */
            for (lo = ch * bits, hi = lo + n; lo < hi;) {
                int32_t b0 = lo & 31, take = 32 - b0 < hi - lo ? 32 - b0 : hi - lo;
                uint32_t mask = take == 32 ? ~0u : (((uint32_t)1u << take) - 1u) << b0;
                o[lo >> 5] |= mask;
                lo += take;
            }
        }
    }
    return FBNN_K_OK;
}
