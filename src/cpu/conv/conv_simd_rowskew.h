/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after tile_put (not a header of its own): the tiles of the output rows, and
 * the row-skewed writing of them for maps whose channel planes alias in the
 * L1 cache.
 *
 * Why: a 32x32 fp32 plane is 4 KiB, so output row oy of every channel plane
 * falls into the same two sets of a 32 KiB 8-way L1 (set = address bits
 * 6..11). Writing a tile of 16 channels puts 16 x 2 lines into those two
 * sets at once. Measured on the 16 -> 16 32x32 convs called on their own
 * (Zen 3, one thread, minimum of 21 x 64 images): binary 13.0 us per image
 * as written plainly, 9.0 us with the planes padded 128 bytes apart, 8.3 us
 * with no output beyond the transposition; PG 21.3 / 17.5 us. Padding would
 * change the layout every other kernel reads; instead channel group g (4
 * channels) of a row is written g rows later: the 16 planes being written
 * sit in 4 different rows, so in 4 different set pairs. Values and layout
 * are unchanged; only the order of the stores differs. The tiles of the
 * last 4 rows stay in a ring (8 KiB), and each group is transposed straight
 * from its tile, so the skew costs no extra copy.
 *
 * Usage, per block of output channels over consecutive rows:
 *   rowskew_begin(&r, p, nb, y_first);
 *   per row oy (and column chunk ox0): tile = rowskew_tile(&r), fill it,
 *   rowskew_put(&r, tw, p, o0, oy, ox0, out);
 *   rowskew_end(&r, p, o0, out).
 * Without the aliasing (or without vf_tile_out4) rowskew_put is tile_put
 * of slot 0 and rowskew_end does nothing.
 */

/* Channel groups = rows of delay = ring slots. */
#define ROWSKEW_GROUPS 4
#define ROWSKEW_GC (FBNN_SIMD_OB / ROWSKEW_GROUPS)

typedef struct {
    /* Slot j % GROUPS: the [pixel][16] tile of row y_first + j. */
    FBNN_SIMD_ALIGN float ring[ROWSKEW_GROUPS][FBNN_SIMD_TW * FBNN_SIMD_OB];
    int32_t on, n, nb, y_first;
} SIMD_FN(rowskew);

/* Skewed only in the aliasing case: rows one tile wide (tw = 32) and a
 * plane size that is a multiple of 4 KiB, with more than one group. */
static FBNN_SIMD_INLINE void SIMD_FN(rowskew_begin)(SIMD_FN(rowskew) * r, const fbnn_conv_params *p, int32_t nb,
                                                    int32_t y_first)
{
#ifdef FBNN_SIMD_HAVE_TILE_OUT4
    const size_t ohw = (size_t)p->out_h * (size_t)p->out_w;
    r->on = p->out_w == FBNN_SIMD_TW && (ohw * sizeof(fbnn_real)) % 4096u == 0u && nb > ROWSKEW_GC;
#else
    (void)p;
    r->on = 0;
#endif
    r->n = 0;
    r->nb = nb;
    r->y_first = y_first;
}

/* Where the next row's tile goes. */
static FBNN_SIMD_INLINE float *SIMD_FN(rowskew_tile)(SIMD_FN(rowskew) * r)
{
    return r->ring[r->on ? r->n % ROWSKEW_GROUPS : 0];
}

#ifdef FBNN_SIMD_HAVE_TILE_OUT4
/* Channel group g of ring row j to the output. */
static FBNN_SIMD_INLINE void SIMD_FN(rowskew_group)(const SIMD_FN(rowskew) * r, int32_t j, int32_t g,
                                                    const fbnn_conv_params *p, int32_t o0, fbnn_real *out)
{
    const size_t ohw = (size_t)p->out_h * (size_t)p->out_w;
    const int32_t c = g * ROWSKEW_GC, nc = r->nb - c < ROWSKEW_GC ? r->nb - c : ROWSKEW_GC;
    if (nc > 0)
        vf_tile_out4(r->ring[j % ROWSKEW_GROUPS] + c, nc,
                     out + (size_t)(o0 + c) * ohw + (size_t)(r->y_first + j) * (size_t)FBNN_SIMD_TW, ohw);
}
#endif

/* The tile of row oy (= y_first + rows put so far when skewed). */
static FBNN_SIMD_INLINE void SIMD_FN(rowskew_put)(SIMD_FN(rowskew) * r, int32_t tw, const fbnn_conv_params *p,
                                                  int32_t o0, int32_t oy, int32_t ox0, fbnn_real *out)
{
#ifdef FBNN_SIMD_HAVE_TILE_OUT4
    int32_t g;
    if (r->on) {
        for (g = 0; g < ROWSKEW_GROUPS && g <= r->n; g++) SIMD_FN(rowskew_group)(r, r->n - g, g, p, o0, out);
        r->n++;
        return;
    }
#endif
    SIMD_FN(tile_put)(r->ring[0], tw, r->nb, p, o0, oy, ox0, out);
}

/* The groups still held back: of the last GROUPS - 1 rows, groups 1 .. 3. */
static FBNN_SIMD_INLINE void SIMD_FN(rowskew_end)(SIMD_FN(rowskew) * r, const fbnn_conv_params *p, int32_t o0,
                                                  fbnn_real *out)
{
#ifdef FBNN_SIMD_HAVE_TILE_OUT4
    int32_t i, g;
    if (r->on)
        for (i = r->n; i < r->n + ROWSKEW_GROUPS - 1; i++)
            for (g = i - r->n + 1; g < ROWSKEW_GROUPS; g++)
                if (i - g >= 0) SIMD_FN(rowskew_group)(r, i - g, g, p, o0, out);
#else
    (void)p;
    (void)o0;
    (void)out;
#endif
    r->n = 0;
}

#undef ROWSKEW_GC
#undef ROWSKEW_GROUPS
