/*
 * Tile transposition for the AVX2 and AVX-512 conv instances (conv_simd.h's
 * optional vf_tile_out): the conv computes a [pixel][16 channels] float
 * tile; the planar output wants [channel][pixel]. Whole 8x8 blocks go
 * through the classic unpack / shuffle / permute2f128 transpose (24 shuffles
 * for 64 floats instead of 64 scalar load/store pairs); tails are scalar.
 * Pure data movement: the values are not touched. Include only from a file
 * compiled with AVX2 enabled.
 */
#ifndef FBNN_TILE_AVX2_H
#define FBNN_TILE_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#define FBNN_SIMD_HAVE_TILE_OUT 1

static inline void vf_tile_out(const float *tile, int32_t tw, int32_t nb, float *out, size_t ohw)
{
    const int32_t tw8 = tw & ~7;
    int32_t t0, c0, j, l, t;
    /* Channels outer, pixels inner: each output plane's row segment is
     * written front to back in consecutive stores. With pixels outer, a
     * 32x32 map (planes 4 KiB apart, all in one L1 set) had its lines
     * evicted between the halves written by consecutive 8-pixel blocks:
     * 16 planes thrash an 8-way set. */
    for (c0 = 0; c0 < nb; c0 += 8) {
        for (t0 = 0; t0 < tw8; t0 += 8) {
            const float *s = tile + (size_t)t0 * 16u + (size_t)c0;
            const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + 16), r2 = _mm256_loadu_ps(s + 32),
                         r3 = _mm256_loadu_ps(s + 48), r4 = _mm256_loadu_ps(s + 64), r5 = _mm256_loadu_ps(s + 80),
                         r6 = _mm256_loadu_ps(s + 96), r7 = _mm256_loadu_ps(s + 112);
            const __m256 a0 = _mm256_unpacklo_ps(r0, r1), a1 = _mm256_unpackhi_ps(r0, r1);
            const __m256 a2 = _mm256_unpacklo_ps(r2, r3), a3 = _mm256_unpackhi_ps(r2, r3);
            const __m256 a4 = _mm256_unpacklo_ps(r4, r5), a5 = _mm256_unpackhi_ps(r4, r5);
            const __m256 a6 = _mm256_unpacklo_ps(r6, r7), a7 = _mm256_unpackhi_ps(r6, r7);
            const __m256 b0 = _mm256_shuffle_ps(a0, a2, 0x44), b1 = _mm256_shuffle_ps(a0, a2, 0xEE);
            const __m256 b2 = _mm256_shuffle_ps(a1, a3, 0x44), b3 = _mm256_shuffle_ps(a1, a3, 0xEE);
            const __m256 b4 = _mm256_shuffle_ps(a4, a6, 0x44), b5 = _mm256_shuffle_ps(a4, a6, 0xEE);
            const __m256 b6 = _mm256_shuffle_ps(a5, a7, 0x44), b7 = _mm256_shuffle_ps(a5, a7, 0xEE);
            __m256 c[8];
            const int32_t n = nb - c0 < 8 ? nb - c0 : 8;
            c[0] = _mm256_permute2f128_ps(b0, b4, 0x20);
            c[1] = _mm256_permute2f128_ps(b1, b5, 0x20);
            c[2] = _mm256_permute2f128_ps(b2, b6, 0x20);
            c[3] = _mm256_permute2f128_ps(b3, b7, 0x20);
            c[4] = _mm256_permute2f128_ps(b0, b4, 0x31);
            c[5] = _mm256_permute2f128_ps(b1, b5, 0x31);
            c[6] = _mm256_permute2f128_ps(b2, b6, 0x31);
            c[7] = _mm256_permute2f128_ps(b3, b7, 0x31);
            for (j = 0; j < n; j++) _mm256_storeu_ps(out + (size_t)(c0 + j) * ohw + (size_t)t0, c[j]);
        }
    }
    for (l = 0; l < nb; l++)
        for (t = tw8; t < tw; t++) out[(size_t)l * ohw + (size_t)t] = tile[(size_t)t * 16u + (size_t)l];
}

#define FBNN_SIMD_HAVE_TILE_OUT4 1

/* Four channels of a full-width tile (32 pixels; col = tile + first
 * channel, pixel rows 16 floats apart) to nc <= 4 planes: out[l*ohw + t] =
 * col[t*16 + l] for l < nc, t < 32. Per 8 pixels: pixels t and t+4 share a
 * register (one 128-bit half each), then a 4x4 transpose per half gives
 * each channel's 8 pixels; the same shuffle count per value as vf_tile_out.
 * Lanes nc..3 of the tile are read (inside it) but not written out. */
static inline void vf_tile_out4(const float *col, int32_t nc, float *out, size_t ohw)
{
    int32_t t0, j;
    for (t0 = 0; t0 < 32; t0 += 8) {
        const float *s = col + (size_t)t0 * 16u;
        const __m256 x0 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s)), _mm_loadu_ps(s + 64), 1);
        const __m256 x1 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 16)), _mm_loadu_ps(s + 80), 1);
        const __m256 x2 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 32)), _mm_loadu_ps(s + 96), 1);
        const __m256 x3 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 48)), _mm_loadu_ps(s + 112), 1);
        const __m256 a0 = _mm256_unpacklo_ps(x0, x1), a1 = _mm256_unpackhi_ps(x0, x1);
        const __m256 a2 = _mm256_unpacklo_ps(x2, x3), a3 = _mm256_unpackhi_ps(x2, x3);
        __m256 c[4];
        c[0] = _mm256_shuffle_ps(a0, a2, 0x44);
        c[1] = _mm256_shuffle_ps(a0, a2, 0xEE);
        c[2] = _mm256_shuffle_ps(a1, a3, 0x44);
        c[3] = _mm256_shuffle_ps(a1, a3, 0xEE);
        for (j = 0; j < nc; j++) _mm256_storeu_ps(out + (size_t)j * ohw + (size_t)t0, c[j]);
    }
}

#endif /* FBNN_TILE_AVX2_H */
