/**
 * @file fbnn_k_thermometer.c
 * @brief Thermometer encoding of an 8-bit planar image into packed bits.
 *
 * For pixel value p and resolution R: n = round_half_even(p / R), computed
 * exactly on integers (q = p / R, r = p % R; round up iff 2r > R, or 2r == R
 * and q is odd). Output channel c*bits + k is +1 (bit 1) iff k < n.
 * Output layout: pixel-major [H][W][FBNN_WORDS(C*bits)], padding bits 0.
 */
#include "fbnn_kernels.h"

#define FBNN_K_THERM_MAX_BITS 1024

int fbnn_k_thermometer(const uint8_t *img, int32_t c, int32_t h, int32_t w,
                       int32_t resolution, int32_t bits, uint32_t *out)
{
    int32_t out_c, nw, y, x, ch, i;
    size_t plane;

    if (img == NULL || out == NULL) return FBNN_K_EBADARG;
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 ||
        w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    if (resolution < 1 || resolution > 255) return FBNN_K_EBADARG;
    if (bits < 1 || bits > FBNN_K_THERM_MAX_BITS) return FBNN_K_EBADARG;
    if (c > FBNN_K_MAX_DIM / bits) return FBNN_K_EBADARG; /* c*bits channels */

    out_c = c * bits;
    nw = FBNN_WORDS(out_c);
    plane = (size_t)h * (size_t)w;

    for (y = 0; y < h; ++y) {
        for (x = 0; x < w; ++x) {
            size_t pix = (size_t)y * (size_t)w + (size_t)x;
            uint32_t *o = out + pix * (size_t)nw;
            for (i = 0; i < nw; ++i) o[i] = 0u;
            for (ch = 0; ch < c; ++ch) {
                int32_t p = (int32_t)img[(size_t)ch * plane + pix];
                int32_t q = p / resolution;
                int32_t r = p % resolution;
                int32_t n = q;
                int32_t base = ch * bits;
                int32_t k;
                if (2 * r > resolution || (2 * r == resolution && (q & 1) != 0)) n = q + 1;
                if (n > bits) n = bits;
                /* Bits base .. base+n-1 are set; the rest stay 0. */
                for (k = 0; k < n; ++k) {
                    int32_t bit = base + k;
                    o[bit >> 5] |= (uint32_t)1u << (bit & 31);
                }
            }
        }
    }
    return FBNN_K_OK;
}
