/*
 * Thermometer encoding, word-at-a-time (portable C, every ISA's table uses
 * it). The reference divides every pixel by the resolution; here the count
 * n(p) of set bits is tabulated once per call for all 256 pixel values,
 * stepping quotient and remainder without any division (same round half to
 * even on integers, so the same n). The words then come from n:
 *   - 32 % bits == 0 (bits 1, 2, 4, 8, 16, 32; the model uses 32): a channel
 *     is one field of one word, so one table lookup per pixel and channel;
 *   - bits % 32 == 0: a channel is bits/32 whole words (full, partial, empty);
 *   - anything else (runs straddle words): the n leading bits ORed in as at
 *     most a few word masks.
 * Same layout as the reference, padding bits 0; tests/test_simd.c compares
 * all 256 pixel values over many resolutions, bit counts and channel counts.
 */
#include <string.h>

#include "dispatch.h"

#define THERM_MAX_BITS 1024 /* as the reference (FBNN_K_THERM_MAX_BITS) */

/* n(p) = min(round_half_even(p / resolution), bits) for p = 0..255. */
static void therm_counts(int32_t resolution, int32_t bits, int32_t n_of[256])
{
    int32_t p, q = 0, r = 0; /* p = q * resolution + r, 0 <= r < resolution */
    for (p = 0; p < 256; ++p) {
        int32_t n = q;
        if (2 * r > resolution || (2 * r == resolution && (q & 1) != 0)) n = q + 1;
        n_of[p] = n > bits ? bits : n;
        if (++r == resolution) {
            r = 0;
            ++q;
        }
    }
}

/* The n low bits of a word (n = 0..32). */
static uint32_t low_mask(int32_t n) { return n >= 32 ? ~0u : ((uint32_t)1u << n) - 1u; }

int fbnn_k_thermometer__words(const uint8_t *img, int32_t c, int32_t h, int32_t w, int32_t resolution,
                              int32_t bits, uint32_t *out)
{
    int32_t n_of[256];
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
    therm_counts(resolution, bits, n_of);

    if (32 % bits == 0) {
        /* One field per channel: word (ch*bits)/32, shift (ch*bits)%32. */
        uint32_t field[256];
        for (i = 0; i < 256; ++i) field[i] = low_mask(n_of[i]);
        if (bits == 32) { /* every word is one channel: plain stores */
            for (ch = 0; ch < c; ++ch) {
                const uint8_t *src = img + (size_t)ch * plane;
                uint32_t *o = out + ch;
                for (pix = 0; pix < plane; ++pix) o[pix * (size_t)nw] = field[src[pix]];
            }
            return FBNN_K_OK;
        }
        memset(out, 0, plane * (size_t)nw * sizeof *out);
        for (ch = 0; ch < c; ++ch) {
            const uint8_t *src = img + (size_t)ch * plane;
            uint32_t *o = out + ((ch * bits) >> 5);
            int32_t sh = (ch * bits) & 31;
            for (pix = 0; pix < plane; ++pix) o[pix * (size_t)nw] |= field[src[pix]] << sh;
        }
        return FBNN_K_OK;
    }
    if (bits % 32 == 0) {
        /* Channel ch is words [ch*m, ch*m + m): n/32 full words, one partial, the rest 0. */
        int32_t m = bits >> 5;
        for (pix = 0; pix < plane; ++pix) {
            uint32_t *o = out + pix * (size_t)nw;
            for (ch = 0; ch < c; ++ch, o += m) {
                int32_t n = n_of[img[(size_t)ch * plane + pix]], full = n >> 5;
                for (i = 0; i < full; ++i) o[i] = ~0u;
                for (; i < m; ++i) o[i] = 0u;
                if (full < m) o[full] = low_mask(n & 31);
            }
        }
        return FBNN_K_OK;
    }
    for (pix = 0; pix < plane; ++pix) {
        uint32_t *o = out + pix * (size_t)nw;
        for (i = 0; i < nw; ++i) o[i] = 0u;
        for (ch = 0; ch < c; ++ch) {
            int32_t lo = ch * bits, hi = lo + n_of[img[(size_t)ch * plane + pix]];
            /* Bits [lo, hi) are set, word by word. */
            while (lo < hi) {
                int32_t b0 = lo & 31, take = 32 - b0 < hi - lo ? 32 - b0 : hi - lo;
                o[lo >> 5] |= take == 32 ? ~0u : (((uint32_t)1u << take) - 1u) << b0;
                lo += take;
            }
        }
    }
    return FBNN_K_OK;
}
